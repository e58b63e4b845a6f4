/* resjac claims: the claim functions other than the network ones, and the
 * table every call goes through (proofs/LANGUAGE.md lists them).
 *
 * Exact unless said otherwise.  Enclosures (encl.c) come from MPFR
 * operations that are correctly rounded [MPFR]: rounding the lower end down
 * and the upper end up, a monotone function's enclosure of an interval
 * contains every value it takes there.  When the true value is a rational
 * that the function can recognise (sqrt of a square, log2 of a power of two)
 * the result is that exact number instead. */
#include <math.h>
#include <string.h>

#include <flint/fmpz_mat.h>

#include "claims_impl.h"
#include "resjac/paths.h"

/* rank by reduced row echelon form (fmpq_mat_rref returns it) */
static slong
mat_rank(const fmpq_mat_t A)
{
    fmpq_mat_t B;
    slong r;
    if (fmpq_mat_nrows(A) == 0 || fmpq_mat_ncols(A) == 0)
        return 0;
    fmpq_mat_init(B, fmpq_mat_nrows(A), fmpq_mat_ncols(A));
    r = fmpq_mat_rref(B, A);
    fmpq_mat_clear(B);
    return r;
}

slong cl_mat_rank(const fmpq_mat_t A) { return mat_rank(A); }

/* network functions (src/claims/net_functions.c) and spectral ones
   (src/claims/spectral.c) */
typedef int (*cl_bfn)(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
                      rj_error_t err);
/* (declared in claims_impl.h) */

/* ------------------------------------------------------------ argument helpers */

static int
bad_arg(const cl_args *b, slong i, const char *expected, rj_error_t err)
{
    char d[120];
    rj_val_describe(d, sizeof(d), b->a[i]);
    return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "%s: argument %ld must be %s, found %s",
                            b->name, (long) (i + 1), expected, d);
}

/* A matrix argument; a number counts as a 1 x 1 matrix. */
static int
arg_mat(fmpq_mat_t A, const cl_args *b, slong i, int square, rj_error_t err)
{
    const rj_val_struct *v = b->a[i];
    if (v->kind == RJ_VAL_NUM) {
        fmpq_mat_clear(A);
        fmpq_mat_init(A, 1, 1);
        fmpq_set(fmpq_mat_entry(A, 0, 0), v->num);
        return RJ_OK;
    }
    if (v->kind != RJ_VAL_MAT)
        return bad_arg(b, i, square ? "a square matrix" : "a matrix", err);
    if (square && fmpq_mat_nrows(v->mat) != fmpq_mat_ncols(v->mat))
        return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc,
                                "%s: argument %ld must be a square matrix, found a %ld x %ld "
                                "matrix", b->name, (long) (i + 1),
                                (long) fmpq_mat_nrows(v->mat), (long) fmpq_mat_ncols(v->mat));
    fmpq_mat_clear(A);
    fmpq_mat_init_set(A, v->mat);
    return RJ_OK;
}

static int
arg_num(fmpq_t q, const cl_args *b, slong i, rj_error_t err)
{
    if (b->a[i]->kind != RJ_VAL_NUM)
        return bad_arg(b, i, "a number", err);
    fmpq_set(q, b->a[i]->num);
    return RJ_OK;
}

int
cl_arg_si(slong *k, const cl_args *b, slong i, slong lo, slong hi, int hi_is_limit,
          const char *what, rj_error_t err)
{
    char w[120];
    snprintf(w, sizeof(w), "%s: %s", b->name, what);
    return rj_val_get_si(k, b->a[i], lo, hi, hi_is_limit, w, NULL, b->loc, err);
}

/* A non-negative integer of at most `hi` (<= WORD_MAX). */
static int
arg_count(ulong *n, const cl_args *b, slong i, ulong hi, const char *what, rj_error_t err)
{
    slong k;
    int st = cl_arg_si(&k, b, i, 0, (slong) hi, 1, what, err);
    if (st == RJ_OK)
        *n = (ulong) k;
    return st;
}

static int
arg_positive(fmpq_t q, const cl_args *b, slong i, rj_error_t err)
{
    int st = arg_num(q, b, i, err);
    if (st == RJ_OK && fmpq_sgn(q) <= 0)
        return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "%s: argument %ld must be > 0",
                                b->name, (long) (i + 1));
    return st;
}

/* ------------------------------------------------------------ exact norms */

void
cl_norm1(fmpq_t r, const fmpq_mat_t A)
{
    slong i, j;
    fmpq_t s, a;
    fmpq_init(s);
    fmpq_init(a);
    fmpq_zero(r);
    for (j = 0; j < fmpq_mat_ncols(A); j++) {
        fmpq_zero(s);
        for (i = 0; i < fmpq_mat_nrows(A); i++) {
            fmpq_abs(a, fmpq_mat_entry(A, i, j));
            fmpq_add(s, s, a);
        }
        if (fmpq_cmp(s, r) > 0)
            fmpq_set(r, s);
    }
    fmpq_clear(s);
    fmpq_clear(a);
}

void
cl_norminf(fmpq_t r, const fmpq_mat_t A)
{
    slong i, j;
    fmpq_t s, a;
    fmpq_init(s);
    fmpq_init(a);
    fmpq_zero(r);
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        fmpq_zero(s);
        for (j = 0; j < fmpq_mat_ncols(A); j++) {
            fmpq_abs(a, fmpq_mat_entry(A, i, j));
            fmpq_add(s, s, a);
        }
        if (fmpq_cmp(s, r) > 0)
            fmpq_set(r, s);
    }
    fmpq_clear(s);
    fmpq_clear(a);
}

void
cl_normfro2(fmpq_t r, const fmpq_mat_t A)
{
    slong i, j;
    fmpq_zero(r);
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_addmul(r, fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j));
}

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

static int
fn_paths(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    ulong L, k = 0;
    fmpz_t z;
    int st = arg_count(&L, b, 0, RJ_PATHS_MAX_L, "the depth L", err);
    if (st == RJ_OK && b->n == 2)
        st = arg_count(&k, b, 1, UWORD_MAX / 2, "the path length k", err);
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

static int
fn_binomial(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
            rj_error_t err)
{
    ulong n, k;
    fmpz_t z;
    int st = arg_count(&n, b, 0, UWORD_MAX / 2, "n", err);
    if (st == RJ_OK)
        st = arg_count(&k, b, 1, UWORD_MAX / 2, "k", err);
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

static int
fn_digits(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    if (!cl_val_is_int(b->a[0]))
        return bad_arg(b, 0, "an integer", err);
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

static int
fn_floor_log(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
             rj_error_t err)
{
    fmpq_t q;
    int st;
    ulong base = strcmp(b->name, "floor_log2") == 0 ? 2 : 10;
    fmpq_init(q);
    st = arg_positive(q, b, 0, err);
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

static int
fn_log(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_t q;
    ulong base = strcmp(b->name, "log2") == 0 ? 2 : 10;
    int st;
    fmpq_init(q);
    st = arg_positive(q, b, 0, err);
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

static int
fn_sqrt(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_t q;
    int st;
    fmpq_init(q);
    st = arg_num(q, b, 0, err);
    if (st == RJ_OK && fmpq_sgn(q) < 0)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "sqrt of a negative number");
    if (st == RJ_OK)
        cl_val_sqrt(out->v, q, ctx->prec);
    fmpq_clear(q);
    return st;
}

static int
fn_abs(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
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
        return bad_arg(b, 0, "a number, a matrix or an enclosure", err);
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
static int
fn_minmax(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    int want_max = strcmp(b->name, "max") == 0, have = 0, encl = 0;
    fmpq_t best;
    mpfr_t lo, hi;
    slong i, j, k;
    for (i = 0; i < b->n; i++) {
        rj_val_kind kd = b->a[i]->kind;
        int is_encl = rj_claims_val_is_encl(b->a[i]);
        if (kd != RJ_VAL_NUM && kd != RJ_VAL_MAT && !is_encl)
            return bad_arg(b, i, "a number, an enclosure or a matrix", err);
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

/* ------------------------------------------------------------ matrices */

static int
fn_norm_exact(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
              rj_error_t err)
{
    fmpq_mat_t A;
    fmpq_t r;
    int st;
    fmpq_mat_init(A, 0, 0);
    fmpq_init(r);
    st = arg_mat(A, b, 0, 0, err);
    if (st == RJ_OK) {
        if (strcmp(b->name, "norm1") == 0)
            cl_norm1(r, A);
        else if (strcmp(b->name, "norminf") == 0)
            cl_norminf(r, A);
        else
            cl_normfro2(r, A);
        if (strcmp(b->name, "normfro") == 0)
            cl_val_sqrt(out->v, r, ctx->prec);
        else
            rj_val_set_fmpq(out->v, r);
    }
    fmpq_mat_clear(A);
    fmpq_clear(r);
    return st;
}

/* An upper bound on the bits of det(A), of the coefficients of charpoly(A)
   and (inverse) of the entries of A^-1, for A = M / d (M integer, n x n):
   a k x k minor of M is at most k^(k/2) max|M|^k (Hadamard), a coefficient of
   the characteristic polynomial a sum of at most 2^n of them, and each is
   divided by d^k; an entry of A^-1 is d times a minor over det(M). */
static double
square_bits(const fmpq_mat_t A, int inverse)
{
    slong n = fmpq_mat_nrows(A);
    fmpz_mat_t M;
    fmpz_t d;
    double bits;
    fmpz_mat_init(M, n, n);
    fmpz_init(d);
    fmpq_mat_get_fmpz_mat_matwise(M, d, A);
    bits = (double) n * (FLINT_ABS(fmpz_mat_max_bits(M)) + (double) fmpz_bits(d)
                         + 0.5 * log2((double) n + 1) + 1) + 1;
    fmpz_mat_clear(M);
    fmpz_clear(d);
    return inverse ? 2 * bits : bits;
}

static int
fn_square(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_mat_t A;
    char what[40];
    int st;
    fmpq_mat_init(A, 0, 0);
    st = arg_mat(A, b, 0, 1, err);
    snprintf(what, sizeof(what), "%s(A)", b->name);
    if (st == RJ_OK && b->name[0] != 't')
        st = rj_limits_check_bits(&env->limits, square_bits(A, b->name[0] == 'i'), what,
                                  b->loc, err);
    if (st != RJ_OK)
        goto done;
    if (strcmp(b->name, "trace") == 0 || strcmp(b->name, "det") == 0) {
        fmpq_t q;
        fmpq_init(q);
        if (b->name[0] == 't')
            fmpq_mat_trace(q, A);
        else if (fmpq_mat_nrows(A) == 0)
            fmpq_one(q);
        else
            fmpq_mat_det(q, A);
        rj_val_set_fmpq(out->v, q);
        fmpq_clear(q);
    } else if (strcmp(b->name, "charpoly") == 0) {
        fmpq_poly_t p;
        fmpq_poly_init(p);
        if (fmpq_mat_nrows(A) == 0)
            fmpq_poly_one(p);
        else
            fmpq_mat_charpoly(p, A);
        cl_val_set_poly(out->v, p);
        fmpq_poly_clear(p);
    } else { /* inverse */
        fmpq_mat_t B;
        fmpq_mat_init(B, fmpq_mat_nrows(A), fmpq_mat_ncols(A));
        if (!fmpq_mat_inv(B, A))
            st = rj_error_set_loc(err, RJ_ERR_INPUT, b->loc,
                                  "inverse: the matrix is singular (det = 0)");
        else
            rj_val_set_fmpq_mat(out->v, B);
        fmpq_mat_clear(B);
    }
done:
    fmpq_mat_clear(A);
    return st;
}

static int
fn_rank(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_mat_t A;
    int st;
    fmpq_mat_init(A, 0, 0);
    st = arg_mat(A, b, 0, 0, err);
    if (st == RJ_OK)
        cl_val_set_si(out->v, mat_rank(A));
    fmpq_mat_clear(A);
    return st;
}

static int
fn_transpose(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
             rj_error_t err)
{
    fmpq_mat_t A, T;
    int st;
    fmpq_mat_init(A, 0, 0);
    st = arg_mat(A, b, 0, 0, err);
    if (st == RJ_OK) {
        fmpq_mat_init(T, fmpq_mat_ncols(A), fmpq_mat_nrows(A));
        fmpq_mat_transpose(T, A);
        rj_val_set_fmpq_mat(out->v, T);
        fmpq_mat_clear(T);
    }
    fmpq_mat_clear(A);
    return st;
}

/* ------------------------------------------------------------ polynomials */

int
cl_poly_apply(rj_val_t out, const fmpq_poly_t p, const rj_val_struct *x, rj_loc_t loc,
              rj_error_t err)
{
    slong i, d = fmpq_poly_degree(p);
    if (x->kind == RJ_VAL_NUM) {
        fmpq_t r;
        fmpq_init(r);
        fmpq_poly_evaluate_fmpq(r, p, x->num);
        rj_val_set_fmpq(out, r);
        fmpq_clear(r);
        return RJ_OK;
    }
    if (x->kind == RJ_VAL_POLY) {
        fmpq_poly_t r;
        fmpq_poly_init(r);
        fmpq_poly_compose(r, p, x->poly);
        cl_val_set_poly(out, r);
        fmpq_poly_clear(r);
        return RJ_OK;
    }
    if (x->kind == RJ_VAL_MAT) {
        slong n = fmpq_mat_nrows(x->mat);
        fmpq_mat_t R, T;
        fmpq_t c;
        if (n != fmpq_mat_ncols(x->mat))
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "a polynomial applies to a square matrix, found a %ld x "
                                    "%ld matrix", (long) n, (long) fmpq_mat_ncols(x->mat));
        fmpq_mat_init(R, n, n);
        fmpq_mat_init(T, n, n);
        fmpq_init(c);
        /* Horner: R = (...(c_d A + c_{d-1} I) A + ...) + c_0 I */
        for (i = d; i >= 0; i--) {
            slong j;
            fmpq_mat_mul(T, R, x->mat);
            fmpq_mat_swap(R, T);
            fmpq_poly_get_coeff_fmpq(c, p, i);
            for (j = 0; j < n; j++)
                fmpq_add(fmpq_mat_entry(R, j, j), fmpq_mat_entry(R, j, j), c);
        }
        rj_val_set_fmpq_mat(out, R);
        fmpq_mat_clear(R);
        fmpq_mat_clear(T);
        fmpq_clear(c);
        return RJ_OK;
    }
    if (rj_claims_val_is_encl(x)) {
        /* Horner with the model's outward-rounded enclosure arithmetic */
        rj_val_t acc, c;
        int st = RJ_OK;
        fmpq_t q;
        rj_val_init(acc);
        rj_val_init(c);
        fmpq_init(q);
        rj_val_set_fmpq(acc, q);
        for (i = d; i >= 0 && st == RJ_OK; i--) {
            st = rj_val_binop(acc, '*', acc, x, NULL, loc, err);
            fmpq_poly_get_coeff_fmpq(q, p, i);
            rj_val_set_fmpq(c, q);
            if (st == RJ_OK)
                st = rj_val_binop(acc, '+', acc, c, NULL, loc, err);
        }
        if (st == RJ_OK)
            rj_val_swap(out, acc);
        rj_val_clear(acc);
        rj_val_clear(c);
        fmpq_clear(q);
        return st;
    }
    {
        char dsc[120];
        rj_val_describe(dsc, sizeof(dsc), x);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "a polynomial applies to a number, a polynomial, a square "
                                "matrix or an enclosure, found %s", dsc);
    }
}

static int
arg_poly(fmpq_poly_t p, const cl_args *b, slong i, rj_error_t err)
{
    const rj_val_struct *v = b->a[i];
    if (v->kind == RJ_VAL_POLY)
        fmpq_poly_set(p, v->poly);
    else if (v->kind == RJ_VAL_NUM)
        fmpq_poly_set_fmpq(p, v->num);
    else
        return bad_arg(b, i, "a polynomial", err);
    return RJ_OK;
}

static int
fn_compose(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
           rj_error_t err)
{
    fmpq_poly_t p;
    int st;
    fmpq_poly_init(p);
    st = arg_poly(p, b, 0, err);
    if (st == RJ_OK)
        st = cl_poly_apply(out->v, p, b->a[1], b->loc, err);
    fmpq_poly_clear(p);
    return st;
}

static int
fn_degree(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_poly_t p;
    int st;
    fmpq_poly_init(p);
    st = arg_poly(p, b, 0, err);
    if (st == RJ_OK)
        cl_val_set_si(out->v, fmpq_poly_degree(p));
    fmpq_poly_clear(p);
    return st;
}

/* A matrix literal with enclosure entries (the language hands it over as
   RJ_MATRIX_FUNC(rows, cols, entries...)): an enclosure matrix. */
static int
fn_matrix(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    slong rows = fmpz_get_si(fmpq_numref(b->a[0]->num));
    slong cols = fmpz_get_si(fmpq_numref(b->a[1]->num));
    return cl_emat_literal(out->v, b->a + 2, rows, cols, ctx->prec, b->loc, err);
}

static int
fn_coeff(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_poly_t p;
    ulong k;
    fmpq_t c;
    int st;
    fmpq_poly_init(p);
    fmpq_init(c);
    st = arg_poly(p, b, 0, err);
    if (st == RJ_OK)
        st = arg_count(&k, b, 1, WORD_MAX / 2, "the power k", err);
    if (st == RJ_OK) {
        fmpq_poly_get_coeff_fmpq(c, p, k);
        rj_val_set_fmpq(out->v, c);
    }
    fmpq_poly_clear(p);
    fmpq_clear(c);
    return st;
}

/* ------------------------------------------------------------ the table */

/* How a function's value depends on the tie choices of its arguments
   (proofs/ties.md, section 3). */
enum {
    DR_ANY,      /* unknown (det, inverse, charpoly, powers, ...) */
    DR_KEEP,     /* linear in the argument: keeps its dependence (transpose, trace) */
    DR_NORM,     /* a norm (convex) of a multilinear argument: coordinate-wise convex */
    DR_MAX,      /* max of convex entries: convex */
    DR_MIN       /* min of concave entries: concave */
};

typedef struct {
    const char *name;
    int min, max;        /* positional arguments */
    int ties;            /* a network function: may return a choice set or an
                            enclosure matrix */
    int dep;             /* DR_* */
    cl_bfn fn;
    const char *usage;
} builtin_t;

static const builtin_t table[] = {
    { "jacobian", 2, 2, 1, DR_ANY, cl_fn_jacobian, "jacobian(N, x)" },
    { "skip_part", 2, 3, 1, DR_ANY, cl_fn_skip_part, "skip_part(B, x) or skip_part(N, x, l)" },
    { "branch_part", 2, 3, 1, DR_ANY, cl_fn_branch_part,
      "branch_part(B, x) or branch_part(N, x, l)" },
    { "expand", 2, 2, 1, DR_ANY, cl_fn_expand, "expand(N, x)" },
    { "graded", 3, 3, 1, DR_ANY, cl_fn_graded, "graded(N, x, k)" },
    { "subsets_sum", 2, 2, 1, DR_ANY, cl_fn_subsets_sum, "subsets_sum(N, x)" },
    { "forward", 2, 2, 1, DR_ANY, cl_fn_forward, "forward(N, x)" },
    { "random_net", 2, 3, 0, DR_ANY, cl_fn_random_net,
      "random_net(\"DEPTH,WIDTH[,KIND][,key=value...]\", SEED) or "
      "random_net(SPEC, SEED, \"f32\")" },
    { "random_point", 2, 2, 0, DR_ANY, cl_fn_random_point, "random_point(n, SEED)" },
    { "paths", 1, 2, 0, DR_ANY, fn_paths, "paths(L) or paths(L, k)" },
    { "binomial", 2, 2, 0, DR_ANY, fn_binomial, "binomial(n, k)" },
    { "digits", 1, 1, 0, DR_ANY, fn_digits, "digits(n)" },
    { "floor_log10", 1, 1, 0, DR_ANY, fn_floor_log, "floor_log10(q)" },
    { "round_log10", 1, 1, 0, DR_ANY, fn_floor_log, "round_log10(q)" },
    { "floor_log2", 1, 1, 0, DR_ANY, fn_floor_log, "floor_log2(q)" },
    { "log2", 1, 1, 0, DR_ANY, fn_log, "log2(q)" },
    { "log10", 1, 1, 0, DR_ANY, fn_log, "log10(q)" },
    { "sqrt", 1, 1, 0, DR_ANY, fn_sqrt, "sqrt(q)" },
    { "abs", 1, 1, 0, DR_NORM, fn_abs, "abs(x)" },
    { "min", 1, 1000000, 0, DR_MIN, fn_minmax, "min(a, b, ...) or min(A)" },
    { "max", 1, 1000000, 0, DR_MAX, fn_minmax, "max(a, b, ...) or max(A)" },
    { "norm1", 1, 1, 0, DR_NORM, fn_norm_exact, "norm1(A)" },
    { "norminf", 1, 1, 0, DR_NORM, fn_norm_exact, "norminf(A)" },
    { "normfro2", 1, 1, 0, DR_NORM, fn_norm_exact, "normfro2(A)" },
    { "normfro", 1, 1, 0, DR_NORM, fn_norm_exact, "normfro(A)" },
    { "norm2", 1, 1, 0, DR_NORM, cl_fn_norm2, "norm2(A)" },
    { "sigma_min", 1, 1, 0, DR_ANY, cl_fn_sigma_min, "sigma_min(A)" },
    { "charpoly", 1, 1, 0, DR_ANY, fn_square, "charpoly(A)" },
    { "trace", 1, 1, 0, DR_KEEP, fn_square, "trace(A)" },
    { "det", 1, 1, 0, DR_ANY, fn_square, "det(A)" },
    { "inverse", 1, 1, 0, DR_ANY, fn_square, "inverse(A)" },
    { "rank", 1, 1, 0, DR_ANY, fn_rank, "rank(A)" },
    { "transpose", 1, 1, 0, DR_KEEP, fn_transpose, "transpose(A)" },
    { "compose", 2, 2, 0, DR_ANY, fn_compose, "compose(p, q)" },
    { "degree", 1, 1, 0, DR_ANY, fn_degree, "degree(p)" },
    { "coeff", 2, 2, 0, DR_ANY, fn_coeff, "coeff(p, k)" },
    { RJ_MATRIX_FUNC, 3, 1 << 30, 0, DR_ANY, fn_matrix, "[a, b, ...]" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* Functions that take enclosure matrices (src/claims/encl_matrix.c). */
static int
takes_emat(const char *name)
{
    static const char *names[] = { "norm1", "norminf", "normfro2", "normfro", "norm2",
                                   "sigma_min", "trace", "abs", "max", "min", NULL };
    int i;
    for (i = 0; names[i] != NULL; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* Convex in each c_i: a norm (or |.|, squared Frobenius norm) of a function
   affine in c_i is convex in c_i; a max of convex functions is convex. */
int
cl_builtin_dep(int which, const int *deps, const int *keyed, slong n)
{
    slong i;
    int any = 0, lin = 1, cvx = 1, ccv = 1;
    for (i = 0; i < n; i++) {
        if (!keyed[i])
            continue;
        any = 1;
        lin &= deps[i] == CL_DEP_LIN;
        cvx &= deps[i] == CL_DEP_LIN || deps[i] == CL_DEP_CVX;
        ccv &= deps[i] == CL_DEP_LIN || deps[i] == CL_DEP_CCV;
    }
    if (!any)
        return CL_DEP_LIN;
    if (which < 0)
        return CL_DEP_ANY;
    switch (table[which].dep) {
    case DR_KEEP: return n == 1 ? deps[0] : CL_DEP_ANY;
    case DR_NORM: return n == 1 && lin ? CL_DEP_CVX : CL_DEP_ANY;
    case DR_MAX: return cvx ? CL_DEP_CVX : CL_DEP_ANY;
    case DR_MIN: return ccv ? CL_DEP_CCV : CL_DEP_ANY;
    default: return CL_DEP_ANY;
    }
}

int
cl_builtin_find(const char *name)
{
    int i;
    for (i = 0; table[i].name != NULL; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

int
rj_claims_is_function(const char *name)
{
    return cl_builtin_find(name) >= 0;
}

rj_func_def *
cl_func_defs(void)
{
    slong i, n = 0;
    rj_func_def *d;
    while (table[n].name != NULL)
        n++;
    d = flint_malloc((n + 1) * sizeof(rj_func_def));
    for (i = 0; i <= n; i++) {
        d[i].name = table[i].name;
        d[i].min_args = table[i].min;
        d[i].max_args = table[i].max;
        d[i].rule = (int) i;
        d[i].fn = i < n ? cl_call : NULL;
        d[i].usage = table[i].usage;
    }
    return d;
}

int
cl_builtin_call(cl_cval_t out, int which, const cl_args *b, cl_ctx *ctx,
                rj_env_struct *env, rj_error_t err)
{
    const builtin_t *t = table + which;
    int st;
    flint_free(out->keys);
    out->keys = NULL;
    out->nkeys = 0;
    if (!t->ties) {
        /* enclosure matrices (values of tanh/sigmoid networks) */
        slong i;
        for (i = 0; i < b->n; i++)
            if (cl_val_is_emat(b->a[i]))
                break;
        if (i < b->n) {
            if (strcmp(t->name, "transpose") == 0)
                st = b->a[0]->ops->transpose(out->v, b->a[0], b->loc, err);
            else if (b->n == 1 && takes_emat(t->name))
                st = cl_emat_function(out->v, t->name, b->a[0], ctx->prec, b->loc, err);
            else {
                char d[120];
                rj_val_describe(d, sizeof(d), b->a[i]);
                st = rj_error_set_loc(err, RJ_ERR_DOMAIN, b->loc,
                                      "%s cannot take %s (argument %ld): it needs exact "
                                      "values, and enclosures (values of tanh or sigmoid "
                                      "networks) take only + - * / ^, ', indexing, diag, "
                                      "norms, sigma_min, trace, abs, min and max", t->name,
                                      d, (long) (i + 1));
            }
            if (st == RJ_OK)
                st = cl_val_check_finite(out->v, b->loc, err);
            return cl_locate(err, st, b->loc);
        }
    }
    st = t->fn(out, b, ctx, env, err);
    if (st == RJ_OK)
        st = cl_val_check_finite(out->v, b->loc, err);
    return cl_locate(err, st, b->loc);
}

/* The claim functions as the language calls them: the result with tie keys
   becomes a choice value. */
int
cl_call(rj_val_t out, const rj_call_struct *call, rj_env_struct *env, rj_error_t err)
{
    cl_ctx *ctx = call->ctx;
    cl_args b;
    cl_cval_t r;
    int st;
    b.name = call->name;
    b.a = call->a;
    b.n = call->n;
    b.loc = call->loc;
    cl_cval_init(r);
    st = cl_builtin_call(r, call->def->rule, &b, ctx, env, err);
    if (st == RJ_OK)
        cl_cval_get_val(out, r);
    cl_cval_clear(r);
    return st;
}
