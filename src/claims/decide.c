/* resjac claims: deciding formulas.
 *
 * Every formula gets, for each combination of one-sided choices at the ReLU
 * ties its values meet, one of four truth values:
 *   CL_TRUE     decided true (exact arithmetic, or an enclosure wholly on the
 *               right side);
 *   CL_FALSE    decided false, with the values that show it;
 *   CL_WEAK     not refuted: an approximate comparison that holds, or a
 *               sampled universal claim that survived its search;
 *   CL_UNKNOWN  cannot be decided (a layer this build lacks, an enclosure that
 *               straddles the bound).
 * Connectives (Kleene's strong three-valued logic, with WEAK between TRUE and
 * UNKNOWN):
 *   not: TRUE <-> FALSE, WEAK -> UNKNOWN (a survived search proves no
 *        negation), UNKNOWN -> UNKNOWN;
 *   and: FALSE if a part is FALSE, else UNKNOWN if one is, else WEAK if one
 *        is, else TRUE;
 *   or:  TRUE if a part is TRUE, else WEAK if one is, else UNKNOWN if one is,
 *        else FALSE.
 * `and`/`or` evaluate left to right and stop once every choice is decided
 * FALSE (and) or TRUE (or).  A claim is then reduced over the choices
 * (cl_reduce): PROVED only if TRUE for every choice, REFUTED only if FALSE for
 * every choice; otherwise the verdict names the convention it needs.
 *
 * The one-sided choices are only the vertices of the Clarke box [0, 1]^k of
 * tie derivatives.  A claim true (false) at every vertex is PROVED (REFUTED)
 * only when the way its two sides depend on the choices carries the vertex
 * results to the whole box (box_true, box_false; proofs/ties.md): == between
 * multilinear values, an order comparison whose difference is coordinate-wise
 * convex (maximum at a vertex) or concave (minimum at a vertex), and and / or
 * / not of such.  Otherwise the verdict is UNDECIDED, and the value at
 * ReLU'(0) = 1/2 for every tie (the centre of the box) is tried as an extra
 * sample to name the convention that fails. */
#include <math.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ results */

void
cl_cres_init(cl_cres_t r)
{
    r->nkeys = 0;
    r->keys = NULL;
    r->tv = flint_malloc(1);
    r->ev = flint_malloc(sizeof(char *));
    r->tv[0] = CL_UNKNOWN;
    r->ev[0] = NULL;
    r->box_true = r->box_false = 0;
    r->ctv = CL_UNKNOWN;
    r->cev = NULL;
}

static void
cres_free_contents(cl_cres_t r)
{
    slong i, n = WORD(1) << r->nkeys;
    for (i = 0; i < n; i++)
        flint_free(r->ev[i]);
    flint_free(r->ev);
    flint_free(r->tv);
    flint_free(r->keys);
    flint_free(r->cev);
}

void
cl_cres_clear(cl_cres_t r)
{
    cres_free_contents(r);
}

void
cl_cres_swap(cl_cres_t a, cl_cres_t b)
{
    cl_cres_struct t = *a;
    *a = *b;
    *b = t;
}

/* Make r a result over keys U (all UNKNOWN, no evidence). */
static void
cres_reset(cl_cres_t r, const slong *U, slong nU)
{
    slong i, n = WORD(1) << nU;
    cres_free_contents(r);
    r->nkeys = nU;
    r->keys = NULL;
    if (nU > 0) {
        r->keys = flint_malloc(nU * sizeof(slong));
        memcpy(r->keys, U, nU * sizeof(slong));
    }
    r->tv = flint_malloc(n);
    r->ev = flint_malloc(n * sizeof(char *));
    for (i = 0; i < n; i++) {
        r->tv[i] = CL_UNKNOWN;
        r->ev[i] = NULL;
    }
    r->box_true = r->box_false = 0;
    r->ctv = CL_UNKNOWN;
    r->cev = NULL;
}

void
cl_cres_set_scalar(cl_cres_t r, int tv, char *ev)
{
    cres_reset(r, NULL, 0);
    r->tv[0] = tv;
    r->ev[0] = ev;
    r->box_true = tv == CL_TRUE;
    r->box_false = tv == CL_FALSE;
}

/* The truth value at the centre of the box (the value itself without keys). */
static int
cres_ctv(const cl_cres_t r)
{
    return r->nkeys == 0 ? r->tv[0] : r->ctv;
}

static const char *
cres_cev(const cl_cres_t r)
{
    return r->nkeys == 0 ? r->ev[0] : r->cev;
}

static int
any_are(const cl_cres_t r, int tv)
{
    slong i, n = WORD(1) << r->nkeys;
    for (i = 0; i < n; i++)
        if (r->tv[i] == tv)
            return 1;
    return 0;
}

static int
all_are(const cl_cres_t r, int tv)
{
    slong i, n = WORD(1) << r->nkeys;
    for (i = 0; i < n; i++)
        if (r->tv[i] != tv)
            return 0;
    return 1;
}

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
    return cl_fmpq_str_short(q, 80);
}

static char *
short_v(const rj_val_struct *v)
{
    return cl_val_str_short(v, CL_VAL_LEN);
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
        return cl_strdup(buf);
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
    exact = cl_val_entry_itv(lo, hi, q, v, v->kind == RJ_VAL_NUM || v->kind == RJ_VAL_ENCL
                                               ? 0 : i, v->kind == RJ_VAL_NUM
                                                        || v->kind == RJ_VAL_ENCL ? 0 : j);
    if (exact) {
        char *s = short_q(q);
        snprintf(buf, sizeof(buf), "%s", s);
        flint_free(s);
    } else
        mpfr_snprintf(buf, sizeof(buf), "[%.12RDg, %.12RUg]", lo, hi);
    mpfr_clear(lo);
    mpfr_clear(hi);
    fmpq_clear(q);
    return cl_strdup(buf);
}

/* Comparisons where a side is an enclosure matrix (or an enclosure against a
   matrix), entry by entry; a scalar side stands for every entry. */
static int
cmp_emat(int *tvout, char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
         const fmpq_t tol, cl_ctx *ctx, rj_loc_t loc, rj_error_t err)
{
    int sa = a->kind == RJ_VAL_NUM || a->kind == RJ_VAL_ENCL;
    int sb = b->kind == RJ_VAL_NUM || b->kind == RJ_VAL_ENCL;
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

static int
cmp_values(int *tv, char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
           const fmpq_t tol, cl_ctx *ctx, rj_loc_t loc, rj_error_t err)
{
    int ka = a->kind, kb = b->kind;
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
    if (cl_val_is_emat(a) || cl_val_is_emat(b) || (ka == RJ_VAL_ENCL && kb == RJ_VAL_MAT)
        || (ka == RJ_VAL_MAT && kb == RJ_VAL_ENCL)) {
        if (cl_is_matlike(a) && cl_is_matlike(b)
            && (op != RJ_CMP_APPROX || fmpq_sgn(tol) >= 0))
            return cmp_emat(tv, ev, op, a, b, tol, ctx, loc, err);
    }
    if ((ka == RJ_VAL_ENCL || kb == RJ_VAL_ENCL)
        && (ka == RJ_VAL_ENCL || ka == RJ_VAL_NUM) && (kb == RJ_VAL_ENCL || kb == RJ_VAL_NUM)) {
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
        sp = cl_str_cut(fmpq_poly_get_str_pretty(p, "t"), CL_VAL_LEN);
        sq = cl_str_cut(fmpq_poly_get_str_pretty(q, "t"), CL_VAL_LEN);
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


/* ------------------------------------------------------------ the Clarke box */

/* Sign of entry (i, j) of a - b - shift (a scalar side stands for every
   entry): +1 or -1 when sure, 0 when exactly 0, 2 when the enclosures cannot
   tell. */
static int
entry_sign(const rj_val_struct *a, const rj_val_struct *b, slong i, slong j,
           const fmpq_t shift, slong p)
{
    int sa = a->kind == RJ_VAL_NUM || a->kind == RJ_VAL_ENCL;
    int sb = b->kind == RJ_VAL_NUM || b->kind == RJ_VAL_ENCL;
    mpfr_t alo, ahi, blo, bhi, s;
    fmpq_t qa, qb;
    int ea, eb, sg;
    mpfr_init2(alo, p);
    mpfr_init2(ahi, p);
    mpfr_init2(blo, p);
    mpfr_init2(bhi, p);
    mpfr_init2(s, p);
    fmpq_init(qa);
    fmpq_init(qb);
    ea = cl_val_entry_itv(alo, ahi, qa, a, sa ? 0 : i, sa ? 0 : j);
    eb = cl_val_entry_itv(blo, bhi, qb, b, sb ? 0 : i, sb ? 0 : j);
    if (ea && eb) {
        fmpq_sub(qa, qa, qb);
        fmpq_sub(qa, qa, shift);
        sg = fmpq_sgn(qa);
    } else {
        /* [alo - bhi - shift, ahi - blo - shift], rounded outward */
        mpfr_sub(alo, alo, bhi, MPFR_RNDD);
        fmpq_get_mpfr(s, shift, MPFR_RNDU);
        mpfr_sub(alo, alo, s, MPFR_RNDD);
        mpfr_sub(ahi, ahi, blo, MPFR_RNDU);
        fmpq_get_mpfr(s, shift, MPFR_RNDD);
        mpfr_sub(ahi, ahi, s, MPFR_RNDU);
        sg = mpfr_sgn(alo) > 0 ? 1 : mpfr_sgn(ahi) < 0 ? -1 : 2;
    }
    mpfr_clear(alo);
    mpfr_clear(ahi);
    mpfr_clear(blo);
    mpfr_clear(bhi);
    mpfr_clear(s);
    fmpq_clear(qa);
    fmpq_clear(qb);
    return sg;
}

#define SG_NEG 1
#define SG_ZERO 2
#define SG_POS 4

/* 1 if one entry of a - b - shift has, at every vertex of the box over U, a
   sign in the set `want` (SG_* bits). */
static int
entry_sign_at_all_vertices(const cl_cval_t a, const cl_cval_t b, const slong *U, slong nU,
                           const fmpq_t shift, int want, slong p)
{
    const rj_val_struct *a0 = cl_cval_item(a, 0, U, nU), *b0 = cl_cval_item(b, 0, U, nU);
    const rj_val_struct *m0 = cl_val_rows(a0) * cl_val_cols(a0) > 1 ? a0 : b0;
    slong r = cl_val_rows(m0), c = cl_val_cols(m0), i, j, m, n = WORD(1) << nU;
    for (m = 0; m < n; m++) {
        const rj_val_struct *am = cl_cval_item(a, m, U, nU), *bm = cl_cval_item(b, m, U, nU);
        if (!cl_is_matlike(am) || !cl_is_matlike(bm))
            return 0;
        if ((cl_val_rows(am) * cl_val_cols(am) > 1
             && (cl_val_rows(am) != r || cl_val_cols(am) != c))
            || (cl_val_rows(bm) * cl_val_cols(bm) > 1
                && (cl_val_rows(bm) != r || cl_val_cols(bm) != c)))
            return 0;
    }
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            int ok = 1;
            for (m = 0; m < n && ok; m++) {
                int sg = entry_sign(cl_cval_item(a, m, U, nU), cl_cval_item(b, m, U, nU), i,
                                    j, shift, p);
                ok = (sg == -1 && (want & SG_NEG)) || (sg == 0 && (want & SG_ZERO))
                     || (sg == 1 && (want & SG_POS));
            }
            if (ok)
                return 1;
        }
    return 0;
}

/* The dependence of a - b on the choices. */
static int
diff_dep(const cl_cval_t a, const cl_cval_t b)
{
    return cl_dep_add(a->nkeys > 0 ? a->dep : CL_DEP_LIN,
                      cl_dep_neg(b->nkeys > 0 ? b->dep : CL_DEP_LIN));
}

static int
shapes_differ(const cl_cval_t a, const cl_cval_t b, const slong *U, slong nU)
{
    const rj_val_struct *a0 = cl_cval_item(a, 0, U, nU), *b0 = cl_cval_item(b, 0, U, nU);
    return a0->kind != RJ_VAL_NUM && a0->kind != RJ_VAL_ENCL && b0->kind != RJ_VAL_NUM
           && b0->kind != RJ_VAL_ENCL
           && (cl_val_rows(a0) != cl_val_rows(b0) || cl_val_cols(a0) != cl_val_cols(b0));
}

/* Given that `a op b` holds at every vertex of the box over U: does it hold on
   the whole box?  (proofs/ties.md, section 4)  a - b multilinear: each entry
   takes its extremes at vertices, so == and the order comparisons carry over;
   a - b convex in each c_i: its maximum is at a vertex (<=, <); concave: its
   minimum (>=, >); != needs one entry whose sign is the same nonzero one at
   every vertex (then it never vanishes on the box). */
static int
proved_on_box(int op, const cl_cval_t a, const cl_cval_t b, const slong *U, slong nU,
              slong p)
{
    int d = diff_dep(a, b);
    fmpq_t zero;
    int ok;
    switch (op) {
    case RJ_CMP_EQ: return d == CL_DEP_LIN;
    case RJ_CMP_LE:
    case RJ_CMP_LT: return d == CL_DEP_LIN || d == CL_DEP_CVX;
    case RJ_CMP_GE:
    case RJ_CMP_GT: return d == CL_DEP_LIN || d == CL_DEP_CCV;
    case RJ_CMP_NE:
        if (d != CL_DEP_LIN)
            return 0;
        if (shapes_differ(a, b, U, nU))
            return 1;
        fmpq_init(zero);
        ok = entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS, p)
             || entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG, p);
        fmpq_clear(zero);
        return ok;
    default: return 0;     /* ~= is never proved */
    }
}

/* Given that `a op b` fails at every vertex: does it fail on the whole box?
   One entry must fail at every vertex in a way that reaches the whole box: for
   == an entry of the multilinear a - b with one strict sign at every vertex;
   for <= an entry of a - b, concave in each c_i (minimum at a vertex), that is
   > 0 at every vertex; and so on.  != fails at every vertex when the sides are
   equal there, which for multilinear sides means everywhere. */
static int
refuted_on_box(int op, const cl_cval_t a, const cl_cval_t b, const fmpq_t tol,
               const slong *U, slong nU, slong p)
{
    int d = diff_dep(a, b), ok = 0;
    int cvx = d == CL_DEP_LIN || d == CL_DEP_CVX, ccv = d == CL_DEP_LIN || d == CL_DEP_CCV;
    fmpq_t zero, t;
    fmpq_init(zero);
    fmpq_init(t);
    switch (op) {
    case RJ_CMP_EQ:
        ok = d == CL_DEP_LIN
             && (shapes_differ(a, b, U, nU)
                 || entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS, p)
                 || entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG, p));
        break;
    case RJ_CMP_NE: ok = d == CL_DEP_LIN; break;
    case RJ_CMP_LE: ok = ccv && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS, p); break;
    case RJ_CMP_LT:
        ok = ccv && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS | SG_ZERO, p);
        break;
    case RJ_CMP_GE: ok = cvx && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG, p); break;
    case RJ_CMP_GT:
        ok = cvx && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG | SG_ZERO, p);
        break;
    default:
        /* ~=: |a - b| > tol at one entry: a - b - tol > 0 or a - b + tol < 0 */
        if (d == CL_DEP_LIN) {
            fmpq_neg(t, tol);
            ok = entry_sign_at_all_vertices(a, b, U, nU, tol, SG_POS, p)
                 || entry_sign_at_all_vertices(a, b, U, nU, t, SG_NEG, p);
        }
        break;
    }
    fmpq_clear(zero);
    fmpq_clear(t);
    return ok;
}

static char *
domain_evidence(const rj_error_t err)
{
    char buf[RJ_ERROR_MSG_LEN + 300];
    rj_error_format(buf, sizeof(buf), err);
    return cl_printf("the method cannot compute this: %s", buf);
}

/* One comparison, for every choice of its ties, escalating the enclosure
   precision while an enclosure straddles. */
static int
decide_cmp(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
           rj_error_t err)
{
    slong saved_prec = ctx->prec;
    double last_width = HUGE_VAL;
    int st = RJ_OK;
    slong next;
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
            cl_cres_set_scalar(out, CL_UNKNOWN, domain_evidence(err));
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
                cres_reset(out, U, nU);
                n = WORD(1) << nU;
                for (m = 0; m < n && st == RJ_OK; m++) {
                    int tv = CL_UNKNOWN;
                    char *ev = NULL;
                    st = cmp_values(&tv, &ev, f->op, cl_cval_item(a, m, U, nU),
                                    cl_cval_item(b, m, U, nU), tol, ctx, f->loc, err);
                    if (st == RJ_OK) {
                        out->tv[m] = tv;
                        out->ev[m] = cl_str_cut(ev, CL_EV_LEN);
                    }
                }
                if (st == RJ_OK && nU == 0) {
                    out->box_true = out->tv[0] == CL_TRUE;
                    out->box_false = out->tv[0] == CL_FALSE;
                } else if (st == RJ_OK) {
                    slong p = ctx->prec + 64;
                    const rj_val_struct *ca = cl_cval_center(a), *cb = cl_cval_center(b);
                    out->box_true = all_are(out, CL_TRUE)
                                    && proved_on_box(f->op, a, b, U, nU, p);
                    out->box_false = all_are(out, CL_FALSE)
                                     && refuted_on_box(f->op, a, b, tol, U, nU, p);
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
                            out->cev = cl_str_cut(ev, CL_EV_LEN);
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
        if (st != RJ_OK || !ctx->straddled || !any_are(out, CL_UNKNOWN))
            break;
        /* the precise layer's escalation rule [PB 8]: double the precision
           while that narrows the enclosures, up to the cap */
        next = rj_precise_next_prec(ctx->prec, ctx->opts.max_prec, last_width,
                                    ctx->straddle_width);
        if (next == 0)
            break;
        last_width = ctx->straddle_width;
        ctx->prec = next;
    }
    ctx->prec = saved_prec;
    return st;
}

/* ------------------------------------------------------------ connectives */

static int
tv_and(int a, int b)
{
    if (a == CL_FALSE || b == CL_FALSE)
        return CL_FALSE;
    if (a == CL_UNKNOWN || b == CL_UNKNOWN)
        return CL_UNKNOWN;
    if (a == CL_WEAK || b == CL_WEAK)
        return CL_WEAK;
    return CL_TRUE;
}

static int
tv_or(int a, int b)
{
    if (a == CL_TRUE || b == CL_TRUE)
        return CL_TRUE;
    if (a == CL_WEAK || b == CL_WEAK)
        return CL_WEAK;
    if (a == CL_UNKNOWN || b == CL_UNKNOWN)
        return CL_UNKNOWN;
    return CL_FALSE;
}

static char *
join_ev(const char *a, const char *b)
{
    return cl_str_cut(cl_printf("%s; %s", a != NULL ? a : "", b != NULL ? b : ""), CL_EV_LEN);
}

/* The evidence of tv = ta AND/OR tr: the part that decided it. */
static char *
pick_ev(int tv, int ta, const char *ea, int tr, const char *er, int is_and)
{
    if (tv == ta && (tv != tr || tv == (is_and ? CL_FALSE : CL_TRUE)))
        return cl_strdup(ea);      /* decided by the earlier parts */
    if (tv == tr && tv != ta)
        return cl_strdup(er);
    return join_ev(ea, er);
}

/* acc = acc AND/OR r, choice by choice (r's evidence labelled "part k"). */
static void
combine(cl_cres_t acc, const cl_cres_t r, int is_and, int first)
{
    slong *U, nU, m, n;
    cl_cres_t out;
    cl_cres_init(out);
    nU = cl_keys_union(&U, acc->keys, acc->nkeys, r->keys, r->nkeys);
    cres_reset(out, U, nU);
    n = WORD(1) << nU;
    for (m = 0; m < n; m++) {
        ulong ma = cl_keys_project(m, U, nU, acc->keys, acc->nkeys);
        ulong mr = cl_keys_project(m, U, nU, r->keys, r->nkeys);
        int ta = acc->tv[ma], tr = r->tv[mr];
        const char *ea = acc->ev[ma], *er = r->ev[mr];
        int tv;
        if (first) {
            out->tv[m] = tr;
            out->ev[m] = cl_strdup(er);
            continue;
        }
        tv = is_and ? tv_and(ta, tr) : tv_or(ta, tr);
        out->tv[m] = tv;
        out->ev[m] = pick_ev(tv, ta, ea, tr, er, is_and);
    }
    /* over the whole box: a conjunction holds where both parts do, a
       disjunction fails where both parts do */
    if (first) {
        out->box_true = r->box_true;
        out->box_false = r->box_false;
    } else if (is_and) {
        out->box_true = acc->box_true && r->box_true;
        out->box_false = acc->box_false || r->box_false;
    } else {
        out->box_true = acc->box_true || r->box_true;
        out->box_false = acc->box_false && r->box_false;
    }
    if (nU > 0) {
        if (first) {
            out->ctv = cres_ctv(r);
            out->cev = cl_strdup(cres_cev(r));
        } else {
            int ta = cres_ctv(acc), tr = cres_ctv(r);
            out->ctv = is_and ? tv_and(ta, tr) : tv_or(ta, tr);
            out->cev = pick_ev(out->ctv, ta, cres_cev(acc), tr, cres_cev(r), is_and);
        }
    }
    flint_free(U);
    cl_cres_swap(acc, out);
    cl_cres_clear(out);
}

static int
decide_andor(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
             rj_error_t err)
{
    int is_and = f->kind == RJ_EXPR_AND, st = RJ_OK;
    slong i;
    cl_cres_t r;
    cl_cres_init(r);
    for (i = 0; i < f->nargs; i++) {
        slong m, n;
        st = cl_decide_formula(r, f->args[i], env, ctx, err);
        if (st != RJ_OK)
            break;
        n = WORD(1) << r->nkeys;
        if (f->nargs > 1)
            for (m = 0; m < n; m++) {
                char *s = cl_printf("(%s %ld of %ld) %s", is_and ? "conjunct" : "alternative",
                                    (long) (i + 1), (long) f->nargs,
                                    r->ev[m] != NULL ? r->ev[m] : "");
                flint_free(r->ev[m]);
                r->ev[m] = cl_str_cut(s, CL_EV_LEN);
            }
        combine(out, r, is_and, i == 0);
        if (out->nkeys > ctx->opts.max_ties) {
            cl_cres_set_scalar(out, CL_UNKNOWN,
                               cl_printf("the parts depend on %ld ReLU ties together: more "
                                         "one-sided choices than the limit of %ld ties",
                                         (long) out->nkeys, (long) ctx->opts.max_ties));
            break;
        }
        if (all_are(out, is_and ? CL_FALSE : CL_TRUE))
            break;                              /* decided: stop */
    }
    cl_cres_clear(r);
    return st;
}

/* not: the truth value swapped, and the evidence saying which way the
   negated formula went ("not (...) is false: the negated formula holds: ..."),
   so that a margin printed for it is not read as the margin of the whole. */
static int
negate(char **ev, int tv)
{
    const char *e = *ev != NULL ? *ev : "";
    char *s = NULL;
    int out = tv;
    switch (tv) {
    case CL_TRUE:
        out = CL_FALSE;
        s = cl_printf("not (...) is false: the negated formula holds: %s", e);
        break;
    case CL_FALSE:
        out = CL_TRUE;
        s = cl_printf("not (...) is true: the negated formula fails: %s", e);
        break;
    case CL_WEAK:
        out = CL_UNKNOWN;
        s = cl_printf("the negation of a claim that was only sampled or approximated "
                      "cannot be decided: %s", e);
        break;
    default:
        return tv;
    }
    flint_free(*ev);
    *ev = cl_str_cut(s, CL_EV_LEN);
    return out;
}

static int
decide_not(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
           rj_error_t err)
{
    slong m, n;
    int st = cl_decide_formula(out, f->args[0], env, ctx, err);
    if (st != RJ_OK)
        return st;
    n = WORD(1) << out->nkeys;
    for (m = 0; m < n; m++) {
        int tv = out->tv[m];
        out->tv[m] = negate(&out->ev[m], tv);
    }
    if (out->nkeys > 0)
        out->ctv = negate(&out->cev, out->ctv);
    {
        int t = out->box_true;
        out->box_true = out->box_false;
        out->box_false = t;
    }
    return RJ_OK;
}

/* A term used as a formula: it must be a truth value. */
static int
decide_term(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
            rj_error_t err)
{
    cl_cval_t c;
    slong m, n;
    int st;
    cl_cval_init(c);
    st = cl_eval(c, f, env, ctx, err);
    if (st == RJ_ERR_DOMAIN) {
        cl_cres_set_scalar(out, CL_UNKNOWN, domain_evidence(err));
        rj_error_init(err);
        st = RJ_OK;
    } else if (st == RJ_OK) {
        cres_reset(out, c->keys, c->nkeys);
        n = WORD(1) << c->nkeys;
        for (m = 0; m < n && st == RJ_OK; m++) {
            const rj_val_struct *v = c->nkeys > 0 ? c->v->items + m : c->v;
            if (v->kind != RJ_VAL_BOOL) {
                char d[120];
                rj_val_describe(d, sizeof(d), v);
                st = rj_error_set_loc(err, RJ_ERR_INPUT, f->loc,
                                      "expected a formula (a comparison such as A == B, or "
                                      "and/or/not/forall), found %s", d);
            } else {
                out->tv[m] = v->b ? CL_TRUE : CL_FALSE;
                out->ev[m] = cl_strdup(v->b ? "true" : "false");
            }
        }
        if (st == RJ_OK && c->nkeys == 0) {
            out->box_true = out->tv[0] == CL_TRUE;
            out->box_false = out->tv[0] == CL_FALSE;
        } else if (st == RJ_OK && cl_cval_center(c) != NULL
                   && cl_cval_center(c)->kind == RJ_VAL_BOOL) {
            out->ctv = cl_cval_center(c)->b ? CL_TRUE : CL_FALSE;
            out->cev = cl_strdup(cl_cval_center(c)->b ? "true" : "false");
        }
    }
    cl_cval_clear(c);
    return st;
}

int
cl_decide_formula(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
                  rj_error_t err)
{
    switch (f->kind) {
    case RJ_EXPR_CMP: return decide_cmp(out, f, env, ctx, err);
    case RJ_EXPR_AND:
    case RJ_EXPR_OR: return decide_andor(out, f, env, ctx, err);
    case RJ_EXPR_NOT: return decide_not(out, f, env, ctx, err);
    case RJ_EXPR_FORALL: return cl_decide_forall(out, f, env, ctx, err);
    case RJ_EXPR_FORALL_RANDOM: return cl_decide_forall_random(out, f, env, ctx, err);
    default: return decide_term(out, f, env, ctx, err);
    }
}

/* ------------------------------------------------------------ reduction */

static void
sb_ties(cl_sbuf *b, const cl_cres_t r, cl_ctx *ctx)
{
    slong i;
    cl_sb_puts(b, " [ReLU tie");
    if (r->nkeys > 1)
        cl_sb_puts(b, "s");
    cl_sb_puts(b, ": ");
    for (i = 0; i < r->nkeys; i++)
        cl_sb_printf(b, "%s%s", i > 0 ? "; " : "", ctx->ties[r->keys[i]].label);
    cl_sb_puts(b, "]");
}

static void
sb_choice(cl_sbuf *b, const cl_cres_t r, ulong m, cl_ctx *ctx)
{
    slong i;
    for (i = 0; i < r->nkeys; i++)
        cl_sb_printf(b, "%s%s %s", i > 0 ? ", " : "", ctx->ties[r->keys[i]].label,
                     (m >> i) & 1 ? "right" : "left");
}

static int
holds(int tv)
{
    return tv == CL_TRUE || tv == CL_WEAK;
}

rj_verdict_kind
cl_reduce(char **evidence, const cl_cres_t r, cl_ctx *ctx)
{
    slong n = WORD(1) << r->nkeys, m, nt = 0, nf = 0, nw = 0, nu = 0;
    slong first_w = -1, first_u = -1, first_f = -1, first_h = -1;
    cl_sbuf b;
    rj_verdict_kind v;
    const char *e0, *cev = r->cev != NULL ? r->cev : "";

    for (m = 0; m < n; m++) {
        switch (r->tv[m]) {
        case CL_TRUE: nt++; break;
        case CL_FALSE: nf++; if (first_f < 0) first_f = m; break;
        case CL_WEAK: nw++; if (first_w < 0) first_w = m; break;
        default: nu++; if (first_u < 0) first_u = m; break;
        }
        if (holds(r->tv[m]) && first_h < 0)
            first_h = m;
    }
    cl_sb_init(&b);
    e0 = r->ev[0] != NULL ? r->ev[0] : "";
    if (r->nkeys == 0) {
        static const rj_verdict_kind map[4] = { RJ_VERDICT_PROVED, RJ_VERDICT_REFUTED,
                                                RJ_VERDICT_NOT_REFUTED, RJ_VERDICT_UNDECIDED };
        *evidence = cl_strdup(e0);
        return map[(int) r->tv[0]];
    }
    /* With ties, the one-sided choices are the vertices of the Clarke box
       [0, 1]^k; PROVED and REFUTED need the verdict on the whole box
       (proofs/ties.md). */
    if (nt == n && r->box_true) {
        v = RJ_VERDICT_PROVED;
        cl_sb_printf(&b, "%s (holds for all %ld one-sided choices at the ReLU ties, and so for "
                     "every ReLU'(0) in [0, 1]: the compared values are multilinear or convex "
                     "in the tie derivatives)", e0, (long) n);
    } else if (nf == n && r->box_false) {
        v = RJ_VERDICT_REFUTED;
        cl_sb_printf(&b, "%s (fails for all %ld one-sided choices at the ReLU ties, and so "
                     "for every ReLU'(0) in [0, 1])", e0, (long) n);
    } else if (nt == n && r->ctv == CL_FALSE) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "needs a convention: holds at every one-sided choice (ReLU'(0) = 0 "
                     "or 1 at each tie) but fails at ReLU'(0) = 1/2, inside the Clarke set: "
                     "%s", cev);
    } else if (nt == n) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "holds at every one-sided choice, but the claim is not multilinear "
                     "in the tie choices, so the vertices do not cover the Clarke set "
                     "[0,1]%s: %s", r->ctv == CL_TRUE ? " (it also holds at ReLU'(0) = 1/2)"
                                                      : "", e0);
    } else if (nf == n && r->ctv == CL_TRUE) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "needs a convention: fails at every one-sided choice but holds at "
                     "ReLU'(0) = 1/2: %s; with ReLU'(0) = 0: %s", cev, e0);
    } else if (nf == n) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "fails at every one-sided choice%s, but the claim is not "
                     "multilinear in the tie choices, so the vertices do not show that it "
                     "fails on the whole Clarke set [0,1]: %s",
                     r->ctv == CL_FALSE ? " and at ReLU'(0) = 1/2" : "", e0);
    } else if (nt + nw == n && r->ctv == CL_FALSE) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "needs a convention: not refuted at any one-sided choice, but fails "
                     "at ReLU'(0) = 1/2: %s", cev);
    } else if (nt + nw == n) {
        v = RJ_VERDICT_NOT_REFUTED;
        cl_sb_printf(&b, "%s (for all %ld one-sided choices at the ReLU ties)",
                     r->ev[first_w] != NULL ? r->ev[first_w] : "", (long) n);
    } else if (nu > 0) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_puts(&b, "for the one-sided choice ");
        sb_choice(&b, r, first_u, ctx);
        cl_sb_printf(&b, ": %s", r->ev[first_u] != NULL ? r->ev[first_u] : "");
    } else {
        /* true for some choices, false for others: name the convention */
        int hl = holds(r->tv[0]), hr = holds(r->tv[n - 1]);
        v = RJ_VERDICT_UNDECIDED;
        if (hr && !hl)
            cl_sb_printf(&b, "needs a convention: holds with the right derivative at every "
                         "ReLU tie (ReLU'(0) = 1), fails with the left (ReLU'(0) = 0): %s",
                         e0);
        else if (hl && !hr)
            cl_sb_printf(&b, "needs a convention: holds with the left derivative at every "
                         "ReLU tie (ReLU'(0) = 0), fails with the right (ReLU'(0) = 1): %s",
                         r->ev[n - 1] != NULL ? r->ev[n - 1] : "");
        else if (hl && hr) {
            cl_sb_puts(&b, "needs a convention: holds with ReLU'(0) = 0 and with ReLU'(0) = 1 "
                           "at every tie but fails for the mixed choice ");
            sb_choice(&b, r, first_f, ctx);
            cl_sb_printf(&b, ": %s", r->ev[first_f] != NULL ? r->ev[first_f] : "");
        } else {
            cl_sb_puts(&b, "needs a convention: holds only for mixed one-sided choices, e.g. ");
            sb_choice(&b, r, first_h, ctx);
            cl_sb_printf(&b, "; fails with ReLU'(0) = 0: %s", e0);
        }
        cl_sb_printf(&b, " (holds for %ld of %ld one-sided choices%s)", (long) (nt + nw),
                     (long) n, r->ctv == CL_TRUE ? " and at ReLU'(0) = 1/2"
                               : r->ctv == CL_FALSE ? "; fails at ReLU'(0) = 1/2" : "");
    }
    sb_ties(&b, r, ctx);
    *evidence = cl_str_cut(cl_sb_take(&b), 2 * CL_EV_LEN);
    return v;
}

int
cl_decide_case(rj_verdict_kind *v, char **ev, const rj_expr_struct *f, rj_env_struct *env,
               cl_ctx *ctx, rj_error_t err)
{
    cl_cres_t r;
    cl_case_mark outer;
    slong met;
    int st;
    cl_cres_init(r);
    cl_case_begin(ctx, &outer);
    st = cl_decide_formula(r, f, env, ctx, err);
    if (st == RJ_ERR_DOMAIN) {
        *v = RJ_VERDICT_UNDECIDED;
        *ev = domain_evidence(err);
        rj_error_init(err);
        st = RJ_OK;
    } else if (st == RJ_OK)
        *v = cl_reduce(ev, r, ctx);
    met = cl_case_end(ctx, &outer);
    if (st == RJ_OK && met > 0 && (*v == RJ_VERDICT_PROVED || *v == RJ_VERDICT_REFUTED)
        && f->kind != RJ_EXPR_FORALL && f->kind != RJ_EXPR_FORALL_RANDOM
        && strstr(*ev, "ReLU tie") == NULL) {
        /* this case met ties that did not matter (a quantifier's cases carry
           their own notes: its evidence quotes one case, which may have met
           none) */
        char *s = cl_printf("%s [%ld ReLU tie%s met; every ReLU'(0) in [0, 1] gives this "
                            "value]", *ev, (long) met, met == 1 ? "" : "s");
        flint_free(*ev);
        *ev = s;
    }
    cl_cres_clear(r);
    return st;
}

/* ------------------------------------------------------------ one claim */

int
rj_claims_decide(rj_verdict_kind *verdict, char **evidence, slong *cases,
                 const rj_expr_struct *formula, rj_env_t env, rj_error_t err)
{
    cl_ctx *ctx = cl_env_ctx(env);
    rj_error_t e;
    int st;
    slong ncases;

    *evidence = NULL;
    if (ctx == NULL)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "rj_claims_decide needs an environment made by rj_claims_env_init");
    rj_error_init(e);
    cl_ctx_new_claim(ctx);
    ctx->prec = RJ_ENCL_PREC;
    st = cl_decide_case(verdict, evidence, formula, env, ctx, e);
    ncases = ctx->cases;
    if (st == RJ_OK && *verdict == RJ_VERDICT_REFUTED) {
        /* decide once more from scratch: a refutation must be reproducible */
        rj_verdict_kind v2;
        char *ev2 = NULL;
        st = cl_decide_case(&v2, &ev2, formula, env, ctx, e);
        if (st == RJ_OK && v2 != RJ_VERDICT_REFUTED)
            st = rj_error_set_loc(e, RJ_ERR_INTERNAL, formula->loc,
                                  "the refutation did not reproduce (second decision: %s); "
                                  "this is a bug in resjac", rj_verdict_name(v2));
        flint_free(ev2);
    }
    if (st != RJ_OK) {
        char buf[RJ_ERROR_MSG_LEN + 300];
        if (e->line == 0)
            cl_locate(e, st, formula->loc);
        rj_error_format(buf, sizeof(buf), e);
        flint_free(*evidence);
        *evidence = cl_strdup(buf);
        *verdict = RJ_VERDICT_ERROR;
        if (err != NULL)
            *err = *e;
        st = RJ_OK;
    }
    if (cases != NULL)
        *cases = ncases;
    return st;
}
