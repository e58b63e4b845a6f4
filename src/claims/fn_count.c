/* resjac claims: counts and digits -- paths, binomial, digits, floor_log10,
 * round_log10, floor_log2, log2 and log10.  Exact when the true value is a
 * rational the function recognises (log2 of a power of two), else an
 * enclosure from correctly rounded MPFR operations [MPFR]. */
#include <math.h>
#include <string.h>

#include "claims_impl.h"
#include "resjac/paths.h"

/* ------------------------------------------------------------ numbers */

/* An upper bound on the bits of binomial(n, k) (1 when k > n): it is at most
   2^n and at most n^m with m = min(k, n - k). */
static double
binomial_bits(ulong n, ulong k)
{
    if (k > n)
        return 1;
    return FLINT_MIN((double) n, (double) FLINT_MIN(k, n - k) * log2((double) n + 1)) + 1;
}

int
cl_fn_paths(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    ulong L, k = 0;
    fmpz_t z;
    int st = cl_arg_count(&L, b, 0, RJ_PATHS_MAX_L, "the depth L", err);
    if (st == RJ_OK && b->n == 2)
        st = cl_arg_count(&k, b, 1, UWORD_MAX / 2, "the path length k", err);
    /* paths(L) = 2^L, paths(L, k) = binomial(L, k) */
    if (st == RJ_OK)
        st = rj_limits_check_bits(&env->limits, b->n == 1 ? (double) L + 1 : binomial_bits(L, k),
                                  b->n == 1 ? "paths(L)" : "paths(L, k)", b->loc, err);
    if (st != RJ_OK)
        return st;
    fmpz_init(z);
    if (b->n == 1)
        rj_paths_total(z, L);
    else
        rj_paths_count(z, L, k);
    cl_val_set_fmpz(out->v, z);
    fmpz_clear(z);
    return RJ_OK;
}

int
cl_fn_binomial(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
            rj_error_t err)
{
    ulong n, k;
    fmpz_t z;
    int st = cl_arg_count(&n, b, 0, UWORD_MAX / 2, "n", err);
    if (st == RJ_OK)
        st = cl_arg_count(&k, b, 1, UWORD_MAX / 2, "k", err);
    if (st == RJ_OK)
        st = rj_limits_check_bits(&env->limits, binomial_bits(n, k), "binomial(n, k)", b->loc,
                                  err);
    if (st != RJ_OK)
        return st;
    fmpz_init(z);
    if (k <= n)
        fmpz_bin_uiui(z, n, k);
    cl_val_set_fmpz(out->v, z);
    fmpz_clear(z);
    return RJ_OK;
}

/* Number of decimal digits of |n| (digits(0) = 1).  fmpz_sizeinbase may be
   one too large; the exact answer d is the one with 10^(d-1) <= |n| < 10^d. */
static slong
digits_of(const fmpz_t n)
{
    fmpz_t a, p;
    slong d;
    if (fmpz_is_zero(n))
        return 1;
    fmpz_init(a);
    fmpz_init(p);
    fmpz_abs(a, n);
    d = fmpz_sizeinbase(a, 10);
    fmpz_set_ui(p, 10);
    fmpz_pow_ui(p, p, d - 1);
    if (fmpz_cmp(a, p) < 0)
        d--;
    fmpz_clear(a);
    fmpz_clear(p);
    return d;
}

int
cl_fn_digits(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    if (!cl_val_is_int(b->a[0]))
        return cl_bad_arg(b, 0, "an integer", err);
    cl_val_set_si(out->v, digits_of(fmpq_numref(b->a[0]->num)));
    return RJ_OK;
}

/* q compared with base^k, exactly. */
static int
cmp_pow(const fmpq_t q, ulong base, slong k)
{
    fmpz_t p;
    fmpq_t r;
    int c;
    fmpz_init(p);
    fmpq_init(r);
    fmpz_set_ui(p, base);
    fmpz_pow_ui(p, p, k >= 0 ? k : -k);
    if (k >= 0) {
        fmpz_set(fmpq_numref(r), p);
        fmpz_one(fmpq_denref(r));
    } else {
        fmpz_one(fmpq_numref(r));
        fmpz_set(fmpq_denref(r), p);
    }
    c = fmpq_cmp(q, r);
    fmpz_clear(p);
    fmpq_clear(r);
    return c;
}

/* floor(log_base(q)) for q > 0: start from the digit counts, then step. */
static slong
floor_log(const fmpq_t q, ulong base)
{
    slong k;
    k = (slong) fmpz_sizeinbase(fmpq_numref(q), base)
        - (slong) fmpz_sizeinbase(fmpq_denref(q), base);
    while (cmp_pow(q, base, k) < 0)
        k--;
    while (cmp_pow(q, base, k + 1) >= 0)
        k++;
    return k;
}

int
cl_fn_floor_log(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
             rj_error_t err)
{
    fmpq_t q;
    int st;
    ulong base = strcmp(b->name, "floor_log2") == 0 ? 2 : 10;
    fmpq_init(q);
    st = cl_arg_positive(q, b, 0, err);
    if (st == RJ_OK) {
        slong k = floor_log(q, base);
        if (strcmp(b->name, "round_log10") == 0) {
            /* log10 q >= k + 1/2  <=>  q^2 >= 10^(2k+1) (never equal: 10^odd is
               not the square of a rational) */
            fmpq_t q2;
            fmpq_init(q2);
            fmpq_mul(q2, q, q);
            if (cmp_pow(q2, 10, 2 * k + 1) >= 0)
                k++;
            fmpq_clear(q2);
        }
        cl_val_set_si(out->v, k);
    }
    fmpq_clear(q);
    return st;
}

int
cl_fn_log(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_t q;
    ulong base = strcmp(b->name, "log2") == 0 ? 2 : 10;
    int st;
    fmpq_init(q);
    st = cl_arg_positive(q, b, 0, err);
    if (st == RJ_OK) {
        slong k = floor_log(q, base);
        if (cmp_pow(q, base, k) == 0)
            cl_val_set_si(out->v, k);      /* an exact power */
        else {
            mpfr_t lo, hi;
            slong p = ctx->prec;
            mpfr_init2(lo, p + 32);
            mpfr_init2(hi, p + 32);
            fmpq_get_mpfr(lo, q, MPFR_RNDD);
            fmpq_get_mpfr(hi, q, MPFR_RNDU);
            if (base == 2) {
                mpfr_log2(lo, lo, MPFR_RNDD);
                mpfr_log2(hi, hi, MPFR_RNDU);
            } else {
                mpfr_log10(lo, lo, MPFR_RNDD);
                mpfr_log10(hi, hi, MPFR_RNDU);
            }
            cl_val_set_encl(out->v, lo, hi, p);
            mpfr_clear(lo);
            mpfr_clear(hi);
        }
    }
    fmpq_clear(q);
    return st;
}
