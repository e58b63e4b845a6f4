/* resjac claims: sqrt, abs, min and max of numbers, enclosures and matrix
 * entries, and the square-root helpers (cl_sqrt_upper, cl_val_sqrt).
 *
 * Enclosures (encl.c) come from MPFR operations that are correctly rounded
 * [MPFR]: rounding the lower end down and the upper end up, a monotone
 * function's enclosure of an interval contains every value it takes there.
 * When the true value is a rational the function can recognise (sqrt of a
 * square) the result is that exact number instead. */
#include <math.h>
#include <string.h>

#include "claims_impl.h"

/* If q = a/b with a and b perfect squares set r = sqrt(q) and return 1. */
static int
sqrt_exact(fmpq_t r, const fmpq_t q)
{
    fmpz_t s, t;
    int ok = 0;
    if (fmpq_sgn(q) < 0)
        return 0;
    fmpz_init(s);
    fmpz_init(t);
    if (fmpz_is_square(fmpq_numref(q)) && fmpz_is_square(fmpq_denref(q))) {
        fmpz_sqrt(s, fmpq_numref(q));
        fmpz_sqrt(t, fmpq_denref(q));
        fmpq_set_fmpz_frac(r, s, t);
        ok = 1;
    }
    fmpz_clear(s);
    fmpz_clear(t);
    return ok;
}

/* sqrt(a/b) = sqrt(a b)/b <= (isqrt(a b 4^P) + 1) / (b 2^P). */
int
cl_sqrt_upper(fmpq_t r, const fmpq_t q)
{
    fmpz_t s, d;
    const slong P = 64;
    if (sqrt_exact(r, q))
        return 1;
    fmpz_init(s);
    fmpz_init(d);
    fmpz_mul(s, fmpq_numref(q), fmpq_denref(q));
    fmpz_mul_2exp(s, s, 2 * P);
    fmpz_sqrt(s, s);
    fmpz_add_ui(s, s, 1);
    fmpz_mul_2exp(d, fmpq_denref(q), P);
    fmpq_set_fmpz_frac(r, s, d);
    fmpz_clear(s);
    fmpz_clear(d);
    return 0;
}

/* sqrt(q) as a number when exact, else an enclosure at precision prec. */
void
cl_val_sqrt(rj_val_t out, const fmpq_t q, slong prec)
{
    fmpq_t r;
    fmpq_init(r);
    if (sqrt_exact(r, q))
        rj_val_set_fmpq(out, r);
    else {
        mpfr_t lo, hi;
        mpfr_init2(lo, prec);
        mpfr_init2(hi, prec);
        fmpq_get_mpfr(lo, q, MPFR_RNDD);
        fmpq_get_mpfr(hi, q, MPFR_RNDU);
        mpfr_sqrt(lo, lo, MPFR_RNDD);
        mpfr_sqrt(hi, hi, MPFR_RNDU);
        cl_val_set_encl(out, lo, hi, prec);
        mpfr_clear(lo);
        mpfr_clear(hi);
    }
    fmpq_clear(r);
}

int
cl_fn_sqrt(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_t q;
    int st;
    fmpq_init(q);
    st = cl_arg_num(q, b, 0, err);
    if (st == RJ_OK && fmpq_sgn(q) < 0)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "sqrt of a negative number");
    if (st == RJ_OK)
        cl_val_sqrt(out->v, q, ctx->prec);
    fmpq_clear(q);
    return st;
}

int
cl_fn_abs(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    const rj_val_struct *v = b->a[0];
    if (v->kind == RJ_VAL_NUM) {
        fmpq_t q;
        fmpq_init(q);
        fmpq_abs(q, v->num);
        rj_val_set_fmpq(out->v, q);
        fmpq_clear(q);
    } else if (v->kind == RJ_VAL_MAT) {
        fmpq_mat_t A;
        slong i, j;
        fmpq_mat_init_set(A, v->mat);
        for (i = 0; i < fmpq_mat_nrows(A); i++)
            for (j = 0; j < fmpq_mat_ncols(A); j++)
                fmpq_abs(fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j));
        rj_val_set_fmpq_mat(out->v, A);
        fmpq_mat_clear(A);
    } else if (rj_claims_val_is_encl(v)) {
        rj_itv_t x;
        rj_itv_init(x, mpfr_get_prec(rj_claims_val_encl(v)->lo));
        rj_itv_abs(x, rj_claims_val_encl(v));
        rj_claims_val_set_encl(out->v, x);
        rj_itv_clear(x);
    } else
        return cl_bad_arg(b, 0, "a number, a matrix or an enclosure", err);
    return RJ_OK;
}

/* One more value e (exact) or [elo, ehi] (v an enclosure) for min/max. */
static void
minmax_step(fmpq_t best, mpfr_t lo, mpfr_t hi, int *have, int want_max, int encl,
            const fmpq *e, const rj_val_struct *v)
{
    mpfr_t a, b;
    if (!encl) {
        if (!*have || (want_max ? fmpq_cmp(e, best) > 0 : fmpq_cmp(e, best) < 0))
            fmpq_set(best, e);
        *have = 1;
        return;
    }
    mpfr_init2(a, mpfr_get_prec(lo));
    mpfr_init2(b, mpfr_get_prec(hi));
    if (rj_claims_val_is_encl(v)) {
        mpfr_set(a, rj_claims_val_encl(v)->lo, MPFR_RNDD);
        mpfr_set(b, rj_claims_val_encl(v)->hi, MPFR_RNDU);
    } else {
        fmpq_get_mpfr(a, e, MPFR_RNDD);
        fmpq_get_mpfr(b, e, MPFR_RNDU);
    }
    if (!*have) {
        mpfr_swap(lo, a);
        mpfr_swap(hi, b);
    } else if (want_max) {
        mpfr_max(lo, lo, a, MPFR_RNDD);
        mpfr_max(hi, hi, b, MPFR_RNDU);
    } else {
        mpfr_min(lo, lo, a, MPFR_RNDD);
        mpfr_min(hi, hi, b, MPFR_RNDU);
    }
    *have = 1;
    mpfr_clear(a);
    mpfr_clear(b);
}

/* min/max of numbers and enclosures, or of the entries of matrices.  With an
   enclosure among them the result is the enclosure [max lo, max hi] (for min,
   [min lo, min hi]): max and min are monotone in each argument, so the max
   (min) of any values inside the operands lies there. */
int
cl_fn_minmax(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    int want_max = strcmp(b->name, "max") == 0, have = 0, encl = 0;
    fmpq_t best;
    mpfr_t lo, hi;
    slong i, j, k;
    for (i = 0; i < b->n; i++) {
        rj_val_kind kd = b->a[i]->kind;
        int is_encl = rj_claims_val_is_encl(b->a[i]);
        if (kd != RJ_VAL_NUM && kd != RJ_VAL_MAT && !is_encl)
            return cl_bad_arg(b, i, "a number, an enclosure or a matrix", err);
        encl |= is_encl;
    }
    fmpq_init(best);
    mpfr_init2(lo, ctx->prec);
    mpfr_init2(hi, ctx->prec);
    for (i = 0; i < b->n; i++) {
        const rj_val_struct *v = b->a[i];
        if (v->kind != RJ_VAL_MAT)
            minmax_step(best, lo, hi, &have, want_max, encl, v->num, v);
        else
            for (j = 0; j < fmpq_mat_nrows(v->mat); j++)
                for (k = 0; k < fmpq_mat_ncols(v->mat); k++)
                    minmax_step(best, lo, hi, &have, want_max, encl,
                                fmpq_mat_entry(v->mat, j, k), v);
    }
    if (have && encl)
        cl_val_set_encl(out->v, lo, hi, ctx->prec);
    else if (have)
        rj_val_set_fmpq(out->v, best);
    fmpq_clear(best);
    mpfr_clear(lo);
    mpfr_clear(hi);
    if (!have)
        return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "%s of no numbers", b->name);
    return RJ_OK;
}
