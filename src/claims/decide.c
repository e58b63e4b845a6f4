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
 * every choice; otherwise the verdict names the convention it needs. */
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
}

void
cl_cres_set_scalar(cl_cres_t r, int tv, char *ev)
{
    cres_reset(r, NULL, 0);
    r->tv[0] = tv;
    r->ev[0] = ev;
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

/* Does c = cmp(a, b) (sign) satisfy op? */
static int
sign_ok(int op, int c)
{
    switch (op) {
    case RJ_CMP_EQ: return c == 0;
    case RJ_CMP_NE: return c != 0;
    case RJ_CMP_LE: return c <= 0;
    case RJ_CMP_GE: return c >= 0;
    case RJ_CMP_LT: return c < 0;
    case RJ_CMP_GT: return c > 0;
    }
    return 0;
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
        if (fmpq_cmp(d, tol) <= 0) {
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
        tv = sign_ok(op, c) ? CL_TRUE : CL_FALSE;
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
            *tvout = fmpq_cmp(best, tol) <= 0 ? CL_WEAK : CL_FALSE;
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
            int s = fmpq_cmp(ENT(a, i, j), ENT(b, i, j));
            if (!sign_ok(op, s)) {
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

/* [lo, hi] of a number or an enclosure; returns 1 when it is a point exactly. */
static int
to_itv(mpfr_t lo, mpfr_t hi, const rj_val_struct *v)
{
    if (v->kind == RJ_VAL_NUM) {
        int t1 = fmpq_get_mpfr(lo, v->num, MPFR_RNDD);
        int t2 = fmpq_get_mpfr(hi, v->num, MPFR_RNDU);
        return t1 == 0 && t2 == 0;
    }
    mpfr_set(lo, v->lo, MPFR_RNDD);
    mpfr_set(hi, v->hi, MPFR_RNDU);
    return mpfr_equal_p(lo, hi);
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
    int tv = CL_UNKNOWN, pa, pb;
    char *sa, *sb;

    mpfr_init2(alo, p);
    mpfr_init2(ahi, p);
    mpfr_init2(blo, p);
    mpfr_init2(bhi, p);
    mpfr_init2(t, p);
    mpfr_init2(u, p);
    pa = to_itv(alo, ahi, a);
    pb = to_itv(blo, bhi, b);
    sa = itv_text(a, alo, ahi);
    sb = itv_text(b, blo, bhi);
    if (op == RJ_CMP_APPROX) {
        /* distance interval [dlo, dhi] of |x - y| over x in a, y in b */
        mpfr_sub(t, alo, bhi, MPFR_RNDD);
        mpfr_sub(u, blo, ahi, MPFR_RNDD);
        if (mpfr_cmp(u, t) > 0)
            mpfr_set(t, u, MPFR_RNDD);
        if (mpfr_sgn(t) < 0)
            mpfr_set_zero(t, 1);                  /* t = dlo */
        mpfr_sub(u, ahi, blo, MPFR_RNDU);
        {
            mpfr_t v;
            mpfr_init2(v, p);
            mpfr_sub(v, bhi, alo, MPFR_RNDU);
            if (mpfr_cmp(v, u) > 0)
                mpfr_set(u, v, MPFR_RNDU);        /* u = dhi */
            mpfr_clear(v);
        }
        {
            mpfr_t tl, th;
            mpfr_init2(tl, p);
            mpfr_init2(th, p);
            fmpq_get_mpfr(tl, tol, MPFR_RNDD);
            fmpq_get_mpfr(th, tol, MPFR_RNDU);
            if (mpfr_cmp(u, tl) <= 0)
                tv = CL_WEAK;
            else if (mpfr_cmp(t, th) > 0)
                tv = CL_FALSE;
            mpfr_clear(tl);
            mpfr_clear(th);
        }
        {
            char buf[200];
            char *st = short_q(tol);
            mpfr_snprintf(buf, sizeof(buf), "|lhs - rhs| in [%.6RDg, %.6RUg]", t, u);
            *ev = cl_printf("lhs = %s, rhs = %s, %s %s tolerance %s%s", sa, sb, buf,
                            tv == CL_WEAK ? "<=" : tv == CL_FALSE ? ">" : "straddles the",
                            st, tv == CL_WEAK ? " (approximate: never PROVED)" : "");
            flint_free(st);
        }
    } else {
        int lt = mpfr_cmp(ahi, blo) < 0, le = mpfr_cmp(ahi, blo) <= 0;
        int gt = mpfr_cmp(alo, bhi) > 0, ge = mpfr_cmp(alo, bhi) >= 0;
        int same_point = pa && pb && mpfr_equal_p(alo, blo);
        switch (op) {
        case RJ_CMP_LE: tv = le ? CL_TRUE : gt ? CL_FALSE : CL_UNKNOWN; break;
        case RJ_CMP_LT: tv = lt ? CL_TRUE : ge ? CL_FALSE : CL_UNKNOWN; break;
        case RJ_CMP_GE: tv = ge ? CL_TRUE : lt ? CL_FALSE : CL_UNKNOWN; break;
        case RJ_CMP_GT: tv = gt ? CL_TRUE : le ? CL_FALSE : CL_UNKNOWN; break;
        case RJ_CMP_EQ: tv = same_point ? CL_TRUE : (lt || gt) ? CL_FALSE : CL_UNKNOWN; break;
        case RJ_CMP_NE: tv = same_point ? CL_FALSE : (lt || gt) ? CL_TRUE : CL_UNKNOWN; break;
        }
        if (tv == CL_UNKNOWN)
            *ev = cl_printf("lhs = %s, rhs = %s: the enclosures overlap at %ld bits, so "
                            "'%s' cannot be decided", sa, sb, (long) ctx->prec, op_text(op));
        else
            *ev = cl_printf("lhs = %s, rhs = %s (rigorous enclosures)", sa, sb);
    }
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

static int
cmp_values(int *tv, char **ev, int op, const rj_val_struct *a, const rj_val_struct *b,
           const fmpq_t tol, cl_ctx *ctx, rj_loc_t loc, rj_error_t err)
{
    int ka = a->kind, kb = b->kind;
    char da[120], db[120];
    *ev = NULL;
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

static char *
domain_evidence(const rj_error_t err)
{
    char buf[RJ_ERROR_MSG_LEN + 300];
    rj_error_format(buf, sizeof(buf), err);
    return cl_printf("needs what this build cannot do: %s", buf);
}

/* One comparison, for every choice of its ties, escalating the enclosure
   precision while an enclosure straddles. */
static int
decide_cmp(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
           rj_error_t err)
{
    slong saved_prec = ctx->prec;
    double last_width = 1e300;
    int st = RJ_OK;
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
            }
            flint_free(U);
        }
        cl_cval_clear(a);
        cl_cval_clear(b);
        fmpq_clear(tol);
        if (st != RJ_OK || !ctx->straddled || 2 * ctx->prec > ctx->opts.max_prec)
            break;
        {
            slong i, n2 = WORD(1) << out->nkeys;
            int unknown = 0;
            for (i = 0; i < n2; i++)
                unknown |= out->tv[i] == CL_UNKNOWN;
            if (!unknown)
                break;
        }
        /* escalate only while doubling the precision narrows the enclosures
           (bounds limited by double precision, e.g. norm2, do not narrow) */
        if (ctx->straddle_width > last_width - 8)
            break;
        last_width = ctx->straddle_width;
        ctx->prec *= 2;
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
        if (tv == ta && (tv != tr || tv == (is_and ? CL_FALSE : CL_TRUE)))
            out->ev[m] = cl_strdup(ea);      /* decided by the earlier parts */
        else if (tv == tr && tv != ta)
            out->ev[m] = cl_strdup(er);
        else
            out->ev[m] = join_ev(ea, er);
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
        switch (out->tv[m]) {
        case CL_TRUE: out->tv[m] = CL_FALSE; break;
        case CL_FALSE: out->tv[m] = CL_TRUE; break;
        case CL_WEAK: {
            char *s = cl_printf("the negation of a claim that was only sampled or "
                                "approximated cannot be decided: %s",
                                out->ev[m] != NULL ? out->ev[m] : "");
            flint_free(out->ev[m]);
            out->ev[m] = cl_str_cut(s, CL_EV_LEN);
            out->tv[m] = CL_UNKNOWN;
            break;
        }
        default: break;
        }
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
    const char *e0;

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
    if (nt == n || nf == n) {
        v = nt == n ? RJ_VERDICT_PROVED : RJ_VERDICT_REFUTED;
        cl_sb_printf(&b, "%s (%s for all %ld one-sided choices at the ReLU ties)", e0,
                     nt == n ? "holds" : "fails", (long) n);
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
        cl_sb_printf(&b, " (holds for %ld of %ld one-sided choices)", (long) (nt + nw),
                     (long) n);
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
    int st;
    cl_cres_init(r);
    st = cl_decide_formula(r, f, env, ctx, err);
    if (st == RJ_ERR_DOMAIN) {
        *v = RJ_VERDICT_UNDECIDED;
        *ev = domain_evidence(err);
        rj_error_init(err);
        st = RJ_OK;
    } else if (st == RJ_OK)
        *v = cl_reduce(ev, r, ctx);
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
    if (st == RJ_OK && ctx->nseen > 0 && *evidence != NULL && strstr(*evidence, "[ReLU tie")
        == NULL && (*verdict == RJ_VERDICT_PROVED || *verdict == RJ_VERDICT_REFUTED)) {
        /* ties were met but did not matter */
        char *s = cl_printf("%s [%ld ReLU tie%s met; every one-sided choice gives this]",
                            *evidence, (long) ctx->nseen, ctx->nseen == 1 ? "" : "s");
        flint_free(*evidence);
        *evidence = s;
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
