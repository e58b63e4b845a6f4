/* resjac claims: comparisons.
 *
 * One rule decides every comparison (cmp_rule): from the signs of the
 * smallest and largest value of lhs - rhs over what the two sides may be (for
 * ~=, of |lhs - rhs| - tol): exact values give both signs equal, enclosures
 * the signs of alo - bhi and ahi - blo, and an enclosure with a NaN or
 * infinite end decides nothing.  Matrices compare entrywise.  cl_decide_cmp
 * decides one comparison for every choice of its ReLU ties, escalating the
 * enclosure precision by the precise layer's rule (rj_precise_next_prec,
 * proofs/precise-bounds.md PB 8). */
#include <math.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ comparisons */

static const char *
op_text(int op)
{
    switch (op) {
    case RJ_CMP_EQ: return "==";
    case RJ_CMP_NE: return "!=";
    case RJ_CMP_LE: return "<=";
    case RJ_CMP_GE: return ">=";
    case RJ_CMP_LT: return "<";
    case RJ_CMP_GT: return ">";
    default: return "~=";
    }
}

/* The one comparison rule.  x op y holds for every value x, y the two sides
   may take when lo and hi are the signs of the smallest and the largest value
   of x - y over them (for ~=: of |x - y| - tol); it fails for every such pair
   when the signs say so; otherwise it is undecided (the enclosures straddle).
   Exact values have lo = hi = the sign of x - y.  == holds only when both
   sides are one and the same point (lo = hi = 0). */
static int
cmp_rule(int op, int lo, int hi)
{
    switch (op) {
    case RJ_CMP_LE: return hi <= 0 ? CL_TRUE : lo > 0 ? CL_FALSE : CL_UNKNOWN;
    case RJ_CMP_LT: return hi < 0 ? CL_TRUE : lo >= 0 ? CL_FALSE : CL_UNKNOWN;
    case RJ_CMP_GE: return lo >= 0 ? CL_TRUE : hi < 0 ? CL_FALSE : CL_UNKNOWN;
    case RJ_CMP_GT: return lo > 0 ? CL_TRUE : hi <= 0 ? CL_FALSE : CL_UNKNOWN;
    case RJ_CMP_EQ:
        return lo == 0 && hi == 0 ? CL_TRUE : lo > 0 || hi < 0 ? CL_FALSE : CL_UNKNOWN;
    case RJ_CMP_NE:
        return lo == 0 && hi == 0 ? CL_FALSE : lo > 0 || hi < 0 ? CL_TRUE : CL_UNKNOWN;
    default:   /* ~= within tol: never proved, only not refuted */
        return hi <= 0 ? CL_WEAK : lo > 0 ? CL_FALSE : CL_UNKNOWN;
    }
}

static int
sgn(int c)
{
    return (c > 0) - (c < 0);
}

/* The comparison of two exact numbers: the rule with lo = hi. */
static int
cmp_exact(int op, const fmpq_t a, const fmpq_t b, const fmpq_t tol)
{
    int c;
    if (op == RJ_CMP_APPROX) {
        fmpq_t d;
        fmpq_init(d);
        fmpq_sub(d, a, b);
        fmpq_abs(d, d);
        c = fmpq_cmp(d, tol);
        fmpq_clear(d);
    } else
        c = fmpq_cmp(a, b);
    return cmp_rule(op, sgn(c), sgn(c));
}

/* [dlo, dhi] containing |x - y| for every x in [alo, ahi], y in [blo, bhi]:
   dlo = max(alo - bhi, blo - ahi, 0) rounded down, dhi = max(ahi - blo,
   bhi - alo) rounded up. */
static void
itv_dist(mpfr_t dlo, mpfr_t dhi, const mpfr_t alo, const mpfr_t ahi, const mpfr_t blo,
         const mpfr_t bhi)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(dlo));
    mpfr_sub(dlo, alo, bhi, MPFR_RNDD);
    mpfr_sub(t, blo, ahi, MPFR_RNDD);
    mpfr_max(dlo, dlo, t, MPFR_RNDD);
    if (mpfr_sgn(dlo) < 0)
        mpfr_set_zero(dlo, 1);
    mpfr_set_prec(t, mpfr_get_prec(dhi));
    mpfr_sub(dhi, ahi, blo, MPFR_RNDU);
    mpfr_sub(t, bhi, alo, MPFR_RNDU);
    mpfr_max(dhi, dhi, t, MPFR_RNDU);
    mpfr_clear(t);
}

static int
cmp_mpfr_fmpq(const mpfr_t x, const fmpq_t q)
{
    mpq_t t;
    int c;
    mpq_init(t);
    fmpq_get_mpq(t, q);
    c = mpfr_cmp_q(x, t);
    mpq_clear(t);
    return c;
}

/* The comparison of two enclosures [alo, ahi] op [blo, bhi] (for ~=, their
   distance against tol), by the one rule; CL_UNKNOWN when an end is NaN or
   infinite: such an end is no enclosure a verdict may rest on. */
static int
cmp_itv(int op, const mpfr_t alo, const mpfr_t ahi, const mpfr_t blo, const mpfr_t bhi,
        const fmpq_t tol, slong p)
{
    int lo, hi;
    if (!mpfr_number_p(alo) || !mpfr_number_p(ahi) || !mpfr_number_p(blo)
        || !mpfr_number_p(bhi))
        return CL_UNKNOWN;
    if (op == RJ_CMP_APPROX) {
        mpfr_t dlo, dhi;
        mpfr_init2(dlo, p);
        mpfr_init2(dhi, p);
        itv_dist(dlo, dhi, alo, ahi, blo, bhi);
        lo = cmp_mpfr_fmpq(dlo, tol);
        hi = cmp_mpfr_fmpq(dhi, tol);
        mpfr_clear(dlo);
        mpfr_clear(dhi);
    } else {
        lo = mpfr_cmp(alo, bhi);     /* sign of min(x - y) */
        hi = mpfr_cmp(ahi, blo);     /* sign of max(x - y) */
    }
    return cmp_rule(op, sgn(lo), sgn(hi));
}

static char *
short_q(const fmpq *q)
{
    return cl_q_text(q, 80);
}

static char *
short_v(const rj_val_struct *v)
{
    return cl_val_text(v, CL_VAL_LEN);
}

/* Numbers, exactly. */
static int
cmp_num(char **ev, int op, const fmpq_t a, const fmpq_t b, const fmpq_t tol)
{
    char *sa = short_q(a), *sb = short_q(b), *sd;
    fmpq_t d;
    int tv;
    fmpq_init(d);
    if (op == RJ_CMP_APPROX) {
        fmpq_sub(d, a, b);
        fmpq_abs(d, d);
        sd = short_q(d);
        if (cmp_exact(op, a, b, tol) == CL_WEAK) {
            char *st = short_q(tol);
            tv = CL_WEAK;
            *ev = cl_printf("lhs = %s, rhs = %s, |lhs - rhs| = %s <= %s (approximate: never "
                            "PROVED)", sa, sb, sd, st);
            flint_free(st);
        } else {
            char *st = short_q(tol);
            tv = CL_FALSE;
            *ev = cl_printf("lhs = %s, rhs = %s, |lhs - rhs| = %s > tolerance %s", sa, sb,
                            sd, st);
            flint_free(st);
        }
        flint_free(sd);
    } else {
        int c = fmpq_cmp(a, b);
        tv = cmp_exact(op, a, b, tol);
        if (op == RJ_CMP_EQ && c == 0)
            *ev = cl_printf("both sides = %s", sa);
        else if (op == RJ_CMP_EQ || op == RJ_CMP_NE || c == 0)
            *ev = cl_printf("lhs = %s, rhs = %s", sa, sb);
        else {
            fmpq_sub(d, a, b);
            fmpq_abs(d, d);
            sd = short_q(d);
            *ev = cl_printf("lhs = %s, rhs = %s (%s %s)", sa, sb,
                            tv == CL_TRUE ? "margin" : "wrong way by", sd);
            flint_free(sd);
        }
    }
    fmpq_clear(d);
    flint_free(sa);
    flint_free(sb);
    return tv;
}

static void
entry_name(char *buf, int len, const fmpq_mat_t A, slong i, slong j)
{
    if (fmpq_mat_ncols(A) == 1)
        snprintf(buf, len, "entry %ld", (long) (i + 1));
    else
        snprintf(buf, len, "entry (%ld, %ld)", (long) (i + 1), (long) (j + 1));
}

/* Matrices entrywise; a number on either side stands for every entry. */
static int
cmp_mat(int *tvout, char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
        const fmpq_t tol, rj_loc_t loc, rj_error_t err)
{
    const rj_val_struct *m = a->kind == RJ_VAL_MAT ? a : b;
    slong r = fmpq_mat_nrows(m->mat), c = fmpq_mat_ncols(m->mat), i, j;
    slong bi = -1, bj = -1;
    fmpq_t d, best;
    char where[64];
    int tv = CL_TRUE;

    if (a->kind == RJ_VAL_MAT && b->kind == RJ_VAL_MAT
        && (fmpq_mat_nrows(b->mat) != r || fmpq_mat_ncols(b->mat) != c)) {
        if (op == RJ_CMP_EQ || op == RJ_CMP_NE) {
            *tvout = op == RJ_CMP_EQ ? CL_FALSE : CL_TRUE;
            *ev = cl_printf("the shapes differ: lhs is %ld x %ld, rhs is %ld x %ld", (long) r,
                            (long) c, (long) fmpq_mat_nrows(b->mat),
                            (long) fmpq_mat_ncols(b->mat));
            return RJ_OK;
        }
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "cannot compare a %ld x %ld matrix with a %ld x %ld matrix "
                                "entrywise", (long) r, (long) c,
                                (long) fmpq_mat_nrows(b->mat), (long) fmpq_mat_ncols(b->mat));
    }
    fmpq_init(d);
    fmpq_init(best);
#define ENT(v, i, j) ((v)->kind == RJ_VAL_MAT ? fmpq_mat_entry((v)->mat, i, j) : (v)->num)
    if (op == RJ_CMP_APPROX) {
        /* the largest entrywise distance */
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++) {
                fmpq_sub(d, ENT(a, i, j), ENT(b, i, j));
                fmpq_abs(d, d);
                if (bi < 0 || fmpq_cmp(d, best) > 0) {
                    fmpq_set(best, d);
                    bi = i;
                    bj = j;
                }
            }
        if (bi < 0) {
            *tvout = CL_WEAK;
            *ev = cl_printf("empty matrices");
        } else {
            char *sd = short_q(best), *st = short_q(tol);
            char *sa = short_q(ENT(a, bi, bj)), *sb = short_q(ENT(b, bi, bj));
            entry_name(where, sizeof(where), m->mat, bi, bj);
            *tvout = cmp_exact(op, ENT(a, bi, bj), ENT(b, bi, bj), tol);
            *ev = cl_printf("largest entrywise |lhs - rhs| = %s %s %s, at %s (lhs %s, rhs %s)%s",
                            sd, *tvout == CL_WEAK ? "<=" : "> tolerance", st, where, sa, sb,
                            *tvout == CL_WEAK ? " (approximate: never PROVED)" : "");
            flint_free(sd);
            flint_free(st);
            flint_free(sa);
            flint_free(sb);
        }
        goto done;
    }
    if (op == RJ_CMP_EQ || op == RJ_CMP_NE) {
        for (i = 0; i < r && bi < 0; i++)
            for (j = 0; j < c && bi < 0; j++)
                if (!fmpq_equal(ENT(a, i, j), ENT(b, i, j))) {
                    bi = i;
                    bj = j;
                }
        if (bi < 0) {
            char *s = short_v(m);
            tv = op == RJ_CMP_EQ ? CL_TRUE : CL_FALSE;
            *ev = cl_printf("both sides = %s", s);
            flint_free(s);
        } else {
            char *sa = short_q(ENT(a, bi, bj)), *sb = short_q(ENT(b, bi, bj));
            char *la = short_v(a), *lb = short_v(b);
            entry_name(where, sizeof(where), m->mat, bi, bj);
            tv = op == RJ_CMP_EQ ? CL_FALSE : CL_TRUE;
            *ev = cl_printf("%s differs: lhs %s, rhs %s; lhs = %s, rhs = %s", where, sa, sb,
                            la, lb);
            flint_free(sa);
            flint_free(sb);
            flint_free(la);
            flint_free(lb);
        }
        *tvout = tv;
        goto done;
    }
    /* order: every entry must satisfy it; report the first failure, else the
       smallest margin */
    for (i = 0; i < r && tv == CL_TRUE; i++)
        for (j = 0; j < c && tv == CL_TRUE; j++) {
            if (cmp_exact(op, ENT(a, i, j), ENT(b, i, j), tol) != CL_TRUE) {
                tv = CL_FALSE;
                bi = i;
                bj = j;
            } else {
                fmpq_sub(d, ENT(a, i, j), ENT(b, i, j));
                fmpq_abs(d, d);
                if (bi < 0 || fmpq_cmp(d, best) < 0) {
                    fmpq_set(best, d);
                    bi = i;
                    bj = j;
                }
            }
        }
    if (bi < 0)
        *ev = cl_printf("empty matrices");
    else {
        char *sa = short_q(ENT(a, bi, bj)), *sb = short_q(ENT(b, bi, bj));
        entry_name(where, sizeof(where), m->mat, bi, bj);
        if (tv == CL_FALSE) {
            char *la = short_v(a), *lb = short_v(b);
            *ev = cl_printf("%s fails: lhs %s, rhs %s; lhs = %s, rhs = %s", where, sa, sb, la,
                            lb);
            flint_free(la);
            flint_free(lb);
        } else {
            char *sd = short_q(best);
            *ev = cl_printf("every entry satisfies %s; smallest margin %s at %s (lhs %s, "
                            "rhs %s)", op_text(op), sd, where, sa, sb);
            flint_free(sd);
        }
        flint_free(sa);
        flint_free(sb);
    }
    *tvout = tv;
done:
#undef ENT
    fmpq_clear(d);
    fmpq_clear(best);
    return RJ_OK;
}

static char *
itv_text(const rj_val_struct *v, const mpfr_t lo, const mpfr_t hi)
{
    if (v->kind == RJ_VAL_NUM)
        return short_q(v->num);
    {
        mpfr_t w;
        char buf[256];
        mpfr_init2(w, 32);
        mpfr_sub(w, hi, lo, MPFR_RNDU);
        mpfr_snprintf(buf, sizeof(buf), "[%.12RDg, %.12RUg] (width %.3RUg)", lo, hi, w);
        mpfr_clear(w);
        return rj_strdup(buf);
    }
}

/* Enclosures: decided when they lie wholly on one side. */
static int
cmp_encl(char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
         const fmpq_t tol, cl_ctx *ctx)
{
    slong p = ctx->prec + 64;
    mpfr_t alo, ahi, blo, bhi, t, u;
    int tv;
    char *sa, *sb;

    mpfr_init2(alo, p);
    mpfr_init2(ahi, p);
    mpfr_init2(blo, p);
    mpfr_init2(bhi, p);
    mpfr_init2(t, p);
    mpfr_init2(u, p);
    cl_val_entry_itv(alo, ahi, NULL, a, 0, 0);
    cl_val_entry_itv(blo, bhi, NULL, b, 0, 0);
    sa = itv_text(a, alo, ahi);
    sb = itv_text(b, blo, bhi);
    tv = cmp_itv(op, alo, ahi, blo, bhi, tol, p);
    if (op == RJ_CMP_APPROX) {
        char buf[200];
        char *st = short_q(tol);
        itv_dist(t, u, alo, ahi, blo, bhi);
        mpfr_snprintf(buf, sizeof(buf), "|lhs - rhs| in [%.6RDg, %.6RUg]", t, u);
        *ev = cl_printf("lhs = %s, rhs = %s, %s %s tolerance %s%s", sa, sb, buf,
                        tv == CL_WEAK ? "<=" : tv == CL_FALSE ? ">" : "straddles the",
                        st, tv == CL_WEAK ? " (approximate: never PROVED)" : "");
        flint_free(st);
    } else if (tv == CL_UNKNOWN)
        *ev = cl_printf("lhs = %s, rhs = %s: the enclosures overlap at %ld bits, so "
                        "'%s' cannot be decided", sa, sb, (long) ctx->prec, op_text(op));
    else
        *ev = cl_printf("lhs = %s, rhs = %s (rigorous enclosures)", sa, sb);
    if (tv == CL_UNKNOWN) {
        /* remember how wide the enclosures were, to see if precision helps */
        double w = -1e300;
        mpfr_sub(t, ahi, alo, MPFR_RNDU);
        if (!mpfr_zero_p(t))
            w = (double) mpfr_get_exp(t);
        mpfr_sub(t, bhi, blo, MPFR_RNDU);
        if (!mpfr_zero_p(t) && (double) mpfr_get_exp(t) > w)
            w = (double) mpfr_get_exp(t);
        if (!ctx->straddled || w > ctx->straddle_width)
            ctx->straddle_width = w;
        ctx->straddled = 1;
    }
    flint_free(sa);
    flint_free(sb);
    mpfr_clear(alo);
    mpfr_clear(ahi);
    mpfr_clear(blo);
    mpfr_clear(bhi);
    mpfr_clear(t);
    mpfr_clear(u);
    return tv;
}

static char *
entry_itv_text(const rj_val_struct *v, slong i, slong j, slong p)
{
    mpfr_t lo, hi;
    char buf[200];
    fmpq_t q;
    int exact;
    mpfr_init2(lo, p);
    mpfr_init2(hi, p);
    fmpq_init(q);
    exact = cl_val_entry_itv(lo, hi, q, v, v->kind == RJ_VAL_NUM || rj_claims_val_is_encl(v)
                                               ? 0 : i, v->kind == RJ_VAL_NUM
                                                        || rj_claims_val_is_encl(v) ? 0 : j);
    if (exact) {
        char *s = short_q(q);
        snprintf(buf, sizeof(buf), "%s", s);
        flint_free(s);
    } else
        mpfr_snprintf(buf, sizeof(buf), "[%.12RDg, %.12RUg]", lo, hi);
    mpfr_clear(lo);
    mpfr_clear(hi);
    fmpq_clear(q);
    return rj_strdup(buf);
}

/* Comparisons where a side is an enclosure matrix (or an enclosure against a
   matrix), entry by entry; a scalar side stands for every entry. */
static int
cmp_emat(int *tvout, char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
         const fmpq_t tol, cl_ctx *ctx, rj_loc_t loc, rj_error_t err)
{
    int sa = a->kind == RJ_VAL_NUM || rj_claims_val_is_encl(a);
    int sb = b->kind == RJ_VAL_NUM || rj_claims_val_is_encl(b);
    const rj_val_struct *m = sa ? b : a;
    slong r = cl_val_rows(m), c = cl_val_cols(m), i, j, p = ctx->prec + 64;
    slong fi = -1, fj = -1, ui = -1, uj = -1, ti = -1, tj = -1;
    int nf = 0, nu = 0, nt = 0, tv;
    double width = -1e300;
    mpfr_t alo, ahi, blo, bhi, w;
    char where[64];

    if (!sa && !sb && (cl_val_rows(b) != r || cl_val_cols(b) != c)) {
        if (op == RJ_CMP_EQ || op == RJ_CMP_NE) {
            *tvout = op == RJ_CMP_EQ ? CL_FALSE : CL_TRUE;
            *ev = cl_printf("the shapes differ: lhs is %ld x %ld, rhs is %ld x %ld", (long) r,
                            (long) c, (long) cl_val_rows(b), (long) cl_val_cols(b));
            return RJ_OK;
        }
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "cannot compare a %ld x %ld matrix with a %ld x %ld matrix "
                                "entrywise", (long) r, (long) c, (long) cl_val_rows(b),
                                (long) cl_val_cols(b));
    }
    mpfr_init2(alo, p);
    mpfr_init2(ahi, p);
    mpfr_init2(blo, p);
    mpfr_init2(bhi, p);
    mpfr_init2(w, 32);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            int t;
            /* an exact rational that MPFR cannot hold is an interval, not a
               point, so == of two such is never decided by rounding */
            cl_val_entry_itv(alo, ahi, NULL, a, sa ? 0 : i, sa ? 0 : j);
            cl_val_entry_itv(blo, bhi, NULL, b, sb ? 0 : i, sb ? 0 : j);
            t = cmp_itv(op, alo, ahi, blo, bhi, tol, p);
            if (t == CL_FALSE && nf++ == 0) {
                fi = i;
                fj = j;
            } else if (t == CL_TRUE && nt++ == 0) {
                ti = i;
                tj = j;
            } else if (t == CL_UNKNOWN) {
                if (nu++ == 0) {
                    ui = i;
                    uj = j;
                }
                mpfr_sub(w, ahi, alo, MPFR_RNDU);
                if (!mpfr_zero_p(w) && (double) mpfr_get_exp(w) > width)
                    width = (double) mpfr_get_exp(w);
                mpfr_sub(w, bhi, blo, MPFR_RNDU);
                if (!mpfr_zero_p(w) && (double) mpfr_get_exp(w) > width)
                    width = (double) mpfr_get_exp(w);
            }
        }
    if (op == RJ_CMP_NE)
        tv = nt > 0 ? CL_TRUE : nu > 0 ? CL_UNKNOWN : CL_FALSE;
    else if (op == RJ_CMP_APPROX)
        tv = nf > 0 ? CL_FALSE : nu > 0 ? CL_UNKNOWN : CL_WEAK;
    else
        tv = nf > 0 ? CL_FALSE : nu > 0 ? CL_UNKNOWN : CL_TRUE;
    {
        slong ei = tv == CL_FALSE && op != RJ_CMP_NE ? fi : tv == CL_UNKNOWN ? ui
                   : op == RJ_CMP_NE && tv == CL_TRUE ? ti : -1;
        slong ej = tv == CL_FALSE && op != RJ_CMP_NE ? fj : tv == CL_UNKNOWN ? uj
                   : op == RJ_CMP_NE && tv == CL_TRUE ? tj : -1;
        char *la = short_v(a), *lb = short_v(b);
        if (ei >= 0) {
            char *xa = entry_itv_text(a, ei, ej, p), *xb = entry_itv_text(b, ei, ej, p);
            if (c == 1)
                snprintf(where, sizeof(where), "entry %ld", (long) (ei + 1));
            else
                snprintf(where, sizeof(where), "entry (%ld, %ld)", (long) (ei + 1),
                         (long) (ej + 1));
            if (tv == CL_UNKNOWN)
                *ev = cl_printf("%s: lhs %s, rhs %s: the enclosures overlap at %ld bits, so "
                                "'%s' cannot be decided; lhs = %s, rhs = %s", where, xa, xb,
                                (long) ctx->prec, op_text(op), la, lb);
            else if (tv == CL_FALSE)
                *ev = cl_printf("%s fails: lhs %s, rhs %s (rigorous enclosures); lhs = %s, "
                                "rhs = %s", where, xa, xb, la, lb);
            else
                *ev = cl_printf("%s differs: lhs %s, rhs %s (rigorous enclosures)", where, xa,
                                xb);
            flint_free(xa);
            flint_free(xb);
        } else if (tv == CL_WEAK) {
            char *st = short_q(tol);
            *ev = cl_printf("every entry within %s: lhs = %s, rhs = %s (rigorous enclosures; "
                            "approximate: never PROVED)", st, la, lb);
            flint_free(st);
        } else if (tv == CL_FALSE)      /* != of equal points */
            *ev = cl_printf("both sides = %s", la);
        else
            *ev = cl_printf("every entry satisfies '%s': lhs = %s, rhs = %s (rigorous "
                            "enclosures)", op_text(op), la, lb);
        flint_free(la);
        flint_free(lb);
    }
    if (tv == CL_UNKNOWN) {
        if (!ctx->straddled || width > ctx->straddle_width)
            ctx->straddle_width = width;
        ctx->straddled = 1;
    }
    *tvout = tv;
    mpfr_clear(alo);
    mpfr_clear(ahi);
    mpfr_clear(blo);
    mpfr_clear(bhi);
    mpfr_clear(w);
    return RJ_OK;
}

/* A value kind with its own comparison (ops->compare; the symbolic matrices
   of symbolic.c): 1 holds, 0 fails, -1 undecided. */
static int
cmp_ext(int *tv, char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
        rj_loc_t loc, rj_error_t err)
{
    const rj_val_ops *o = (a->kind == RJ_VAL_EXT && a->ops->compare != NULL) ? a->ops : b->ops;
    char *sa, *sb;
    int t = -1, st = o->compare(&t, op, a, b, loc, err);
    if (st != RJ_OK)
        return st;
    *tv = t == 1 ? CL_TRUE : t == 0 ? CL_FALSE : CL_UNKNOWN;
    sa = rj_val_get_str_short(a, CL_VAL_LEN);
    sb = rj_val_get_str_short(b, CL_VAL_LEN);
    if (t == 1 && op == RJ_CMP_EQ && strcmp(sa, sb) == 0)
        *ev = cl_printf("both sides = %s", sa);
    else if (t == 1 && op == RJ_CMP_EQ)
        *ev = cl_printf("equal: lhs = %s, rhs = %s", sa, sb);
    else
        *ev = cl_printf("lhs = %s, rhs = %s%s", sa, sb,
                        t == -1 ? " (undecided by this comparison)" : "");
    flint_free(sa);
    flint_free(sb);
    return RJ_OK;
}

static int
cmp_values(int *tv, char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
           const fmpq_t tol, cl_ctx *ctx, rj_loc_t loc, rj_error_t err)
{
    int ka = a->kind, kb = b->kind;
    int ea = rj_claims_val_is_encl(a), eb = rj_claims_val_is_encl(b);
    char da[120], db[120];
    rj_error_t e2;
    *ev = NULL;
    rj_error_init(e2);
    if (cl_val_check_finite(a, loc, e2) != RJ_OK || cl_val_check_finite(b, loc, e2) != RJ_OK) {
        /* never decided from a NaN or infinite end */
        *tv = CL_UNKNOWN;
        *ev = cl_printf("'%s' cannot be decided: %s", op_text(op), e2->msg);
        return RJ_OK;
    }
    if ((ka == RJ_VAL_EXT && a->ops->compare != NULL)
        || (kb == RJ_VAL_EXT && b->ops->compare != NULL))
        return cmp_ext(tv, ev, op, a, b, loc, err);
    if (cl_val_is_emat(a) || cl_val_is_emat(b) || (ea && kb == RJ_VAL_MAT)
        || (ka == RJ_VAL_MAT && eb)) {
        if (cl_is_matlike(a) && cl_is_matlike(b)
            && (op != RJ_CMP_APPROX || fmpq_sgn(tol) >= 0))
            return cmp_emat(tv, ev, op, a, b, tol, ctx, loc, err);
    }
    if ((ea || eb) && (ea || ka == RJ_VAL_NUM) && (eb || kb == RJ_VAL_NUM)) {
        *tv = cmp_encl(ev, op, a, b, tol, ctx);
        return RJ_OK;
    }
    if (ka == RJ_VAL_NUM && kb == RJ_VAL_NUM) {
        *tv = cmp_num(ev, op, a->num, b->num, tol);
        return RJ_OK;
    }
    if ((ka == RJ_VAL_MAT || ka == RJ_VAL_NUM) && (kb == RJ_VAL_MAT || kb == RJ_VAL_NUM))
        return cmp_mat(tv, ev, op, a, b, tol, loc, err);
    if ((ka == RJ_VAL_POLY || ka == RJ_VAL_NUM) && (kb == RJ_VAL_POLY || kb == RJ_VAL_NUM)
        && (op == RJ_CMP_EQ || op == RJ_CMP_NE)) {
        fmpq_poly_t p, q;
        char *sp, *sq;
        int eq;
        fmpq_poly_init(p);
        fmpq_poly_init(q);
        if (ka == RJ_VAL_POLY)
            fmpq_poly_set(p, a->poly);
        else
            fmpq_poly_set_fmpq(p, a->num);
        if (kb == RJ_VAL_POLY)
            fmpq_poly_set(q, b->poly);
        else
            fmpq_poly_set_fmpq(q, b->num);
        eq = fmpq_poly_equal(p, q);
        *tv = (eq == (op == RJ_CMP_EQ)) ? CL_TRUE : CL_FALSE;
        sp = rj_str_cut(fmpq_poly_get_str_pretty(p, "t"), CL_VAL_LEN);
        sq = rj_str_cut(fmpq_poly_get_str_pretty(q, "t"), CL_VAL_LEN);
        if (eq)
            *ev = cl_printf("both sides = %s", sp);
        else
            *ev = cl_printf("lhs = %s, rhs = %s", sp, sq);
        flint_free(sp);
        flint_free(sq);
        fmpq_poly_clear(p);
        fmpq_poly_clear(q);
        return RJ_OK;
    }
    if (ka == RJ_VAL_BOOL && kb == RJ_VAL_BOOL && (op == RJ_CMP_EQ || op == RJ_CMP_NE)) {
        *tv = ((a->b == b->b) == (op == RJ_CMP_EQ)) ? CL_TRUE : CL_FALSE;
        *ev = cl_printf("lhs = %s, rhs = %s", a->b ? "true" : "false", b->b ? "true" : "false");
        return RJ_OK;
    }
    rj_val_describe(da, sizeof(da), a);
    rj_val_describe(db, sizeof(db), b);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot compare %s with %s using '%s'",
                            da, db, op_text(op));
}


/* Append to the evidence of every undecided choice of r that escalating to
   prec bits stopped at the limit err names. */
static void
cl_limit_stopped(cl_cres_t r, slong prec, const rj_error_t err)
{
    slong m, n = WORD(1) << r->nkeys;
    for (m = 0; m < n; m++)
        if (r->tv[m] == CL_UNKNOWN) {
            char *ev = cl_printf("%s; escalating to %ld bits stopped: %s",
                                 r->ev[m] != NULL ? r->ev[m] : "undecided", (long) prec,
                                 err->msg);
            flint_free(r->ev[m]);
            r->ev[m] = rj_str_cut(ev, CL_EV_LEN);
        }
}

/* One comparison, for every choice of its ties, escalating the enclosure
   precision while an enclosure straddles. */
int
cl_decide_cmp(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
           rj_error_t err)
{
    slong saved_prec = ctx->prec;
    double last_width = HUGE_VAL;
    int st = RJ_OK;
    slong next;
    cl_cres_t prev;                  /* the last undecided try, while escalating */
    cl_cres_init(prev);
    for (;;) {
        cl_cval_t a, b;
        fmpq_t tol;
        slong *U = NULL, nU, m, n;
        cl_cval_init(a);
        cl_cval_init(b);
        fmpq_init(tol);
        ctx->straddled = 0;
        st = cl_eval(a, f->args[0], env, ctx, err);
        if (st == RJ_OK)
            st = cl_eval(b, f->args[1], env, ctx, err);
        if (st == RJ_OK && f->op == RJ_CMP_APPROX) {
            rj_val_t t;
            rj_val_init(t);
            st = cl_eval_plain(t, f->args[2], env, ctx, err);
            if (st == RJ_OK && (t->kind != RJ_VAL_NUM || fmpq_sgn(t->num) < 0))
                st = rj_error_set_loc(err, RJ_ERR_INPUT, f->args[2]->loc,
                                      "the tolerance after 'within' must be a number >= 0");
            if (st == RJ_OK)
                fmpq_set(tol, t->num);
            rj_val_clear(t);
        }
        if (st == RJ_ERR_DOMAIN) {
            cl_cres_set_scalar(out, CL_UNKNOWN, cl_domain_evidence(err));
            st = RJ_OK;
            rj_error_init(err);
        } else if (st == RJ_OK) {
            nU = cl_keys_union(&U, a->keys, a->nkeys, b->keys, b->nkeys);
            if (nU > ctx->opts.max_ties) {
                cl_cres_set_scalar(out, CL_UNKNOWN,
                                   cl_printf("the two sides depend on %ld ReLU ties together: "
                                             "more one-sided choices than the limit of %ld "
                                             "ties (RJ_CLAIMS_MAX_TIES)", (long) nU,
                                             (long) ctx->opts.max_ties));
            } else {
                cl_cres_reset(out, U, nU);
                n = WORD(1) << nU;
                for (m = 0; m < n && st == RJ_OK; m++) {
                    int tv = CL_UNKNOWN;
                    char *ev = NULL;
                    const rj_val_struct *ia = cl_cval_item(a, m, U, nU);
                    const rj_val_struct *ib = cl_cval_item(b, m, U, nU);
                    st = cmp_values(&tv, &ev, f->op, ia, ib, tol, ctx, f->loc, err);
                    if (st == RJ_OK) {
                        out->tv[m] = tv;
                        out->ev[m] = rj_str_cut(ev, CL_EV_LEN);
                        if (ctx->want_data)
                            out->data[m] = cl_data_cmp(op_text(f->op), ia, ib,
                                                       f->op == RJ_CMP_APPROX ? tol : NULL);
                    }
                }
                if (st == RJ_OK && nU == 0) {
                    out->box_true = out->tv[0] == CL_TRUE;
                    out->box_false = out->tv[0] == CL_FALSE;
                } else if (st == RJ_OK) {
                    slong p = ctx->prec + 64;
                    const rj_val_struct *ca = cl_cval_center(a), *cb = cl_cval_center(b);
                    out->box_true = cl_cres_all_are(out, CL_TRUE)
                                    && cl_proved_on_box(f->op, a, b, U, nU, p);
                    out->box_false = cl_cres_all_are(out, CL_FALSE)
                                     && cl_refuted_on_box(f->op, a, b, tol, U, nU, p);
                    if (ca != NULL && cb != NULL) {
                        /* the extra sample at ReLU'(0) = 1/2 for every tie; it
                           does not steer the precision escalation */
                        int tv = CL_UNKNOWN, straddled = ctx->straddled;
                        double sw = ctx->straddle_width;
                        char *ev = NULL;
                        rj_error_t e2;
                        rj_error_init(e2);
                        if (cmp_values(&tv, &ev, f->op, ca, cb, tol, ctx, f->loc, e2)
                            == RJ_OK) {
                            out->ctv = tv;
                            out->cev = rj_str_cut(ev, CL_EV_LEN);
                        } else
                            flint_free(ev);
                        ctx->straddled = straddled;
                        ctx->straddle_width = sw;
                    }
                }
            }
            flint_free(U);
        }
        cl_cval_clear(a);
        cl_cval_clear(b);
        fmpq_clear(tol);
        if (st == RJ_ERR_LIMIT && ctx->prec != saved_prec) {
            /* a limit met while escalating (memory, precision) is the
               method's: keep the last, undecided try and say what stopped it */
            cl_limit_stopped(prev, ctx->prec, err);
            cl_cres_swap(out, prev);
            rj_error_init(err);
            st = RJ_OK;
            break;
        }
        if (st != RJ_OK || !ctx->straddled || !cl_cres_any_are(out, CL_UNKNOWN))
            break;
        /* the precise layer's escalation rule [PB 8]: double the precision
           while that narrows the enclosures, up to the cap */
        next = rj_precise_next_prec(ctx->prec, ctx->opts.max_prec, last_width,
                                    ctx->straddle_width);
        if (next == 0)
            break;
        last_width = ctx->straddle_width;
        ctx->prec = next;
        cl_cres_swap(prev, out);
    }
    cl_cres_clear(prev);
    ctx->prec = saved_prec;
    return st;
}

