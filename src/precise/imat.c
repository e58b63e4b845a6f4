/* resjac precise layer: midpoint-radius matrices on MPFR.
 *
 * Entry (i, j) of an rj_imat_t is the set {mid + e : |e| <= rad}.  Every
 * midpoint is rounded to nearest and the rounding error is added to the
 * radius (one ulp of the result, [PB 1]); radii are rounded upward. */
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cblas.h>
#include <flint/fmpz_mat.h>

#include "precise_internal.h"

/* ------------------------------------------------------------ scalars */

void
_rjp_mr_mul(mpfr_t zm, mpfr_t zr, const mpfr_t xm, const mpfr_t xr,
            const mpfr_t ym, const mpfr_t yr)
{
    int inex;
    RJP_RAD_TMP(t);
    RJP_RAD_TMP(u);
    /* |xm| yr + xr |ym| + xr yr, each product rounded away from zero */
    mpfr_mul(t, xm, yr, MPFR_RNDA);
    mpfr_abs(t, t, MPFR_RNDU);
    mpfr_mul(u, xr, ym, MPFR_RNDA);
    mpfr_abs(u, u, MPFR_RNDU);
    mpfr_add(t, t, u, MPFR_RNDU);
    mpfr_mul(u, xr, yr, MPFR_RNDU);
    mpfr_add(t, t, u, MPFR_RNDU);
    if (zm != xm && zm != ym) {
        inex = mpfr_mul(zm, xm, ym, MPFR_RNDN);
        _rjp_rad_add_ulp(t, zm, inex);
    } else {
        mpfr_t m;
        mpfr_init2(m, mpfr_get_prec(zm));
        inex = mpfr_mul(m, xm, ym, MPFR_RNDN);
        _rjp_rad_add_ulp(t, m, inex);
        mpfr_set(zm, m, MPFR_RNDN);   /* same precision: exact */
        mpfr_clear(m);
    }
    mpfr_set(zr, t, MPFR_RNDU);
}

void
_rjp_mr_add(mpfr_t zm, mpfr_t zr, const mpfr_t xm, const mpfr_t xr,
            const mpfr_t ym, const mpfr_t yr)
{
    int inex;
    RJP_RAD_TMP(t);
    mpfr_add(t, xr, yr, MPFR_RNDU);
    if (zm != xm && zm != ym) {
        inex = mpfr_add(zm, xm, ym, MPFR_RNDN);
        _rjp_rad_add_ulp(t, zm, inex);
    } else {
        mpfr_t m;
        mpfr_init2(m, mpfr_get_prec(zm));
        inex = mpfr_add(m, xm, ym, MPFR_RNDN);
        _rjp_rad_add_ulp(t, m, inex);
        mpfr_set(zm, m, MPFR_RNDN);   /* same precision: exact */
        mpfr_clear(m);
    }
    mpfr_set(zr, t, MPFR_RNDU);
}

/* ------------------------------------------------------------ memory */

double
rj_imat_bytes(slong r, slong c, slong prec)
{
    double lm = mpfr_custom_get_size(prec), lr = mpfr_custom_get_size(RJ_RAD_PREC);
    return (double) r * (double) c * (2.0 * sizeof(__mpfr_struct) + lm + lr);
}

int
rj_precise_check_memory(slong count, slong r, slong c, slong prec, rj_error_t err)
{
    double need = (double) count * rj_imat_bytes(r, c, prec);
    if (need <= (double) RJ_MAX_BYTES)
        return RJ_OK;
    return rj_error_set(err, RJ_ERR_LIMIT,
                        "the precise layer needs about %.3g GB (%ld matrices %ldx%ld at %ld "
                        "bits), over the memory limit of %.3g GB (RJ_MAX_BYTES in "
                        "resjac/model.h); a lower precision or a narrower network needs less",
                        need / 1e9, (long) count, (long) r, (long) c, (long) prec,
                        (double) RJ_MAX_BYTES / 1e9);
}

/* Entries use MPFR's custom interface on one limb buffer per matrix (no
   allocation per entry): an entry must never be mpfr_clear'ed, mpfr_swap'ped
   with a number outside the matrix, or given another precision. */
void
rj_imat_init(rj_imat_t A, slong r, slong c, slong prec)
{
    slong i, n = r * c;
    size_t lm = mpfr_custom_get_size(prec) / sizeof(mp_limb_t);
    size_t lr = mpfr_custom_get_size(RJ_RAD_PREC) / sizeof(mp_limb_t);
    A->r = r;
    A->c = c;
    A->prec = prec;
    A->mid = n ? flint_malloc(n * sizeof(__mpfr_struct)) : NULL;
    A->rad = n ? flint_malloc(n * sizeof(__mpfr_struct)) : NULL;
    A->limbs = n ? flint_malloc(n * (lm + lr) * sizeof(mp_limb_t)) : NULL;
    for (i = 0; i < n; i++) {
        mp_limb_t *pm = A->limbs + i * (lm + lr), *pr = pm + lm;
        mpfr_custom_init(pm, prec);
        mpfr_custom_init_set(A->mid + i, MPFR_ZERO_KIND, 0, prec, pm);
        mpfr_custom_init(pr, RJ_RAD_PREC);
        mpfr_custom_init_set(A->rad + i, MPFR_ZERO_KIND, 0, RJ_RAD_PREC, pr);
    }
}

void
rj_imat_clear(rj_imat_t A)
{
    flint_free(A->mid);
    flint_free(A->rad);
    flint_free(A->limbs);
}

void
rj_imat_reshape(rj_imat_t A, slong r, slong c, slong prec)
{
    slong i;
    if (A->r * A->c == r * c && A->prec == prec) {
        A->r = r;
        A->c = c;
        for (i = 0; i < r * c; i++) {
            mpfr_set_zero(A->mid + i, 1);
            mpfr_set_zero(A->rad + i, 1);
        }
        return;
    }
    rj_imat_clear(A);
    rj_imat_init(A, r, c, prec);
}

void
rj_imat_swap(rj_imat_t A, rj_imat_t B)
{
    rj_imat_struct t = *A;
    *A = *B;
    *B = t;
}

void
rj_imat_set(rj_imat_t A, const rj_imat_t B)
{
    slong i;
    if (A == B)
        return;
    rj_imat_reshape(A, B->r, B->c, B->prec);
    for (i = 0; i < B->r * B->c; i++) {
        mpfr_set(A->mid + i, B->mid + i, MPFR_RNDN);
        mpfr_set(A->rad + i, B->rad + i, MPFR_RNDU);
    }
}

void
rj_imat_zero(rj_imat_t A)
{
    slong i;
    for (i = 0; i < A->r * A->c; i++) {
        mpfr_set_zero(A->mid + i, 1);
        mpfr_set_zero(A->rad + i, 1);
    }
}

void
rj_imat_one(rj_imat_t A)
{
    slong i;
    rj_imat_zero(A);
    for (i = 0; i < FLINT_MIN(A->r, A->c); i++)
        mpfr_set_ui(rj_imat_mid(A, i, i), 1, MPFR_RNDN);
}

void
rj_imat_set_fmpq_mat(rj_imat_t A, const fmpq_mat_t Q, slong prec)
{
    slong i, j;
    rj_imat_reshape(A, fmpq_mat_nrows(Q), fmpq_mat_ncols(Q), prec);
    for (i = 0; i < A->r; i++)
        for (j = 0; j < A->c; j++) {
            int inex = fmpq_get_mpfr(rj_imat_mid(A, i, j), fmpq_mat_entry(Q, i, j),
                                     MPFR_RNDN);
            _rjp_rad_add_ulp(rj_imat_rad(A, i, j), rj_imat_mid(A, i, j), inex);
        }
}

/* |q - mid| <= rad, exactly. */
static int
entry_contains(const mpfr_t mid, const mpfr_t rad, const fmpq_t q)
{
    fmpq_t m, r;
    int ok;
    fmpq_init(m);
    fmpq_init(r);
    _rjp_fmpq_set_mpfr(m, mid);
    _rjp_fmpq_set_mpfr(r, rad);
    fmpq_sub(m, m, q);
    fmpq_abs(m, m);
    ok = fmpq_cmp(m, r) <= 0;
    fmpq_clear(m);
    fmpq_clear(r);
    return ok;
}

int
rj_imat_contains_fmpq_mat(const rj_imat_t A, const fmpq_mat_t Q)
{
    slong i, j;
    if (A->r != fmpq_mat_nrows(Q) || A->c != fmpq_mat_ncols(Q))
        return 0;
    for (i = 0; i < A->r; i++)
        for (j = 0; j < A->c; j++)
            if (!entry_contains(rj_imat_mid(A, i, j), rj_imat_rad(A, i, j),
                                fmpq_mat_entry(Q, i, j)))
                return 0;
    return 1;
}

/* 1 if |ma - mb| <= ra + rb surely (the difference rounded up is at most the
   sum rounded down), 0 if surely not (the difference rounded down exceeds the
   sum rounded up), -1 when rounding cannot tell. */
static int
overlap_rounded(mpfr_srcptr ma, mpfr_srcptr ra, mpfr_srcptr mb, mpfr_srcptr rb)
{
    slong p = FLINT_MAX(mpfr_get_prec(ma), mpfr_get_prec(mb)) + 8;
    mpfr_t dl, du, sl, su, t;
    int r = -1;
    if (!mpfr_number_p(ma) || !mpfr_number_p(mb) || !mpfr_number_p(ra) || !mpfr_number_p(rb))
        return -1;
    mpfr_inits2(p, dl, du, sl, su, t, (mpfr_ptr) 0);
    mpfr_sub(dl, ma, mb, MPFR_RNDD);
    mpfr_sub(du, ma, mb, MPFR_RNDU);
    if (mpfr_sgn(dl) < 0) {                  /* |a - b| over [dl, du] */
        mpfr_neg(t, dl, MPFR_RNDN);          /* exact */
        if (mpfr_sgn(du) > 0) {
            mpfr_max(du, du, t, MPFR_RNDU);
            mpfr_set_zero(dl, 1);
        } else {
            mpfr_neg(dl, du, MPFR_RNDN);
            mpfr_set(du, t, MPFR_RNDN);
        }
    }
    mpfr_add(sl, ra, rb, MPFR_RNDD);
    mpfr_add(su, ra, rb, MPFR_RNDU);
    if (mpfr_lessequal_p(du, sl))
        r = 1;
    else if (mpfr_greater_p(dl, su))
        r = 0;
    mpfr_clears(dl, du, sl, su, t, (mpfr_ptr) 0);
    return r;
}

int
rj_imat_overlaps(const rj_imat_t A, const rj_imat_t B)
{
    slong i;
    int ok = 1;
    fmpq_t a, b, ra, rb;
    if (A->r != B->r || A->c != B->c)
        return 0;
    fmpq_init(a);
    fmpq_init(b);
    fmpq_init(ra);
    fmpq_init(rb);
    for (i = 0; ok && i < A->r * A->c; i++) {
        /* decided by directed rounding when it can be (no huge exact
           rationals for entries of very different exponents), else exactly */
        int fast = overlap_rounded(A->mid + i, A->rad + i, B->mid + i, B->rad + i);
        if (fast >= 0) {
            ok = fast;
            continue;
        }
        _rjp_fmpq_set_mpfr(a, A->mid + i);
        _rjp_fmpq_set_mpfr(b, B->mid + i);
        _rjp_fmpq_set_mpfr(ra, A->rad + i);
        _rjp_fmpq_set_mpfr(rb, B->rad + i);
        fmpq_sub(a, a, b);
        fmpq_abs(a, a);
        fmpq_add(ra, ra, rb);
        ok = fmpq_cmp(a, ra) <= 0;
    }
    fmpq_clear(a);
    fmpq_clear(b);
    fmpq_clear(ra);
    fmpq_clear(rb);
    return ok;
}

void
rj_imat_get_itv(rj_itv_t x, const rj_imat_t A, slong i, slong j)
{
    rj_itv_set_mid_rad(x, rj_imat_mid(A, i, j), rj_imat_rad(A, i, j));
}

void
rj_imat_set_itv(rj_imat_t A, slong i, slong j, const rj_itv_t x)
{
    rj_itv_get_mid_rad(rj_imat_mid(A, i, j), rj_imat_rad(A, i, j), x);
}

int
rj_imat_intersect(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec)
{
    slong i;
    int ok = 1;
    rj_imat_t T;
    rj_itv_t a, b;
    RJ_ASSERT(A->r == B->r && A->c == B->c);
    rj_imat_init(T, A->r, A->c, prec);
    rj_itv_init(a, FLINT_MAX(A->prec, prec) + 2);
    rj_itv_init(b, FLINT_MAX(B->prec, prec) + 2);
    for (i = 0; i < A->r * A->c && ok; i++) {
        rj_itv_set_mid_rad(a, A->mid + i, A->rad + i);
        rj_itv_set_mid_rad(b, B->mid + i, B->rad + i);
        if (mpfr_greater_p(b->lo, a->lo))
            mpfr_set(a->lo, b->lo, MPFR_RNDD);
        if (mpfr_less_p(b->hi, a->hi))
            mpfr_set(a->hi, b->hi, MPFR_RNDU);
        if (mpfr_greater_p(a->lo, a->hi))
            ok = 0;
        else
            rj_itv_get_mid_rad(T->mid + i, T->rad + i, a);
    }
    if (ok)
        rj_imat_swap(C, T);
    else
        rj_imat_set(C, A);
    rj_imat_clear(T);
    rj_itv_clear(a);
    rj_itv_clear(b);
    return ok;
}

void
rj_imat_rad_max(mpfr_t r, const rj_imat_t A)
{
    slong i;
    mpfr_set_zero(r, 1);
    for (i = 0; i < A->r * A->c; i++)
        if (mpfr_cmp(A->rad + i, r) > 0)
            mpfr_set(r, A->rad + i, MPFR_RNDU);
}

void
rj_imat_transpose(rj_imat_t C, const rj_imat_t A)
{
    slong i, j;
    rj_imat_t T;
    rj_imat_init(T, A->c, A->r, A->prec);
    for (i = 0; i < A->r; i++)
        for (j = 0; j < A->c; j++) {
            mpfr_set(rj_imat_mid(T, j, i), rj_imat_mid(A, i, j), MPFR_RNDN);
            mpfr_set(rj_imat_rad(T, j, i), rj_imat_rad(A, i, j), MPFR_RNDU);
        }
    rj_imat_swap(C, T);
    rj_imat_clear(T);
}

static void
addsub(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec, int sub)
{
    slong i;
    rj_imat_t T;
    RJ_ASSERT(A->r == B->r && A->c == B->c);
    rj_imat_init(T, A->r, A->c, prec);
    for (i = 0; i < A->r * A->c; i++) {
        int inex = sub ? mpfr_sub(T->mid + i, A->mid + i, B->mid + i, MPFR_RNDN)
                       : mpfr_add(T->mid + i, A->mid + i, B->mid + i, MPFR_RNDN);
        mpfr_add(T->rad + i, A->rad + i, B->rad + i, MPFR_RNDU);
        _rjp_rad_add_ulp(T->rad + i, T->mid + i, inex);
    }
    rj_imat_swap(C, T);
    rj_imat_clear(T);
}

void
rj_imat_add(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec)
{
    addsub(C, A, B, prec, 0);
}

void
rj_imat_sub(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec)
{
    addsub(C, A, B, prec, 1);
}

void
rj_imat_neg(rj_imat_t C, const rj_imat_t A)
{
    slong i;
    rj_imat_set(C, A);
    for (i = 0; i < C->r * C->c; i++)
        mpfr_neg(C->mid + i, C->mid + i, MPFR_RNDN);
}

void
rj_imat_mul_diag_left(rj_imat_t C, const rj_imat_t d, const rj_imat_t A, slong prec)
{
    slong i, j;
    rj_imat_t T;
    RJ_ASSERT(d->r == A->r && d->c == 1);
    rj_imat_init(T, A->r, A->c, prec);
    for (i = 0; i < A->r; i++)
        for (j = 0; j < A->c; j++)
            _rjp_mr_mul(rj_imat_mid(T, i, j), rj_imat_rad(T, i, j), d->mid + i, d->rad + i,
                       rj_imat_mid(A, i, j), rj_imat_rad(A, i, j));
    rj_imat_swap(C, T);
    rj_imat_clear(T);
}

void
rj_imat_mul_diag_right(rj_imat_t C, const rj_imat_t A, const rj_imat_t d, slong prec)
{
    slong i, j;
    rj_imat_t T;
    RJ_ASSERT(d->r == A->c && d->c == 1);
    rj_imat_init(T, A->r, A->c, prec);
    for (i = 0; i < A->r; i++)
        for (j = 0; j < A->c; j++)
            _rjp_mr_mul(rj_imat_mid(T, i, j), rj_imat_rad(T, i, j), rj_imat_mid(A, i, j),
                       rj_imat_rad(A, i, j), d->mid + j, d->rad + j);
    rj_imat_swap(C, T);
    rj_imat_clear(T);
}

void
rj_imat_scalar_mul_itv(rj_imat_t C, const rj_imat_t A, const rj_itv_t x, slong prec)
{
    slong i;
    mpfr_t xm, xr;
    rj_imat_t T;
    mpfr_init2(xm, FLINT_MAX(mpfr_get_prec(x->lo), mpfr_get_prec(x->hi)) + 1);
    _rjp_rad_init(xr);
    rj_itv_get_mid_rad(xm, xr, x);
    rj_imat_init(T, A->r, A->c, prec);
    for (i = 0; i < A->r * A->c; i++)
        _rjp_mr_mul(T->mid + i, T->rad + i, xm, xr, A->mid + i, A->rad + i);
    rj_imat_swap(C, T);
    rj_imat_clear(T);
    mpfr_clear(xm);
    mpfr_clear(xr);
}

/* ------------------------------------------------------------ nonnegative products */

/* [PB 3] Each |x| is rounded up to a double after scaling row i of X by
   2^-sx_i and column j of Y by 2^-sy_j (so every scaled entry is at most 1);
   a nonzero scaled entry below 2^-500 is replaced by 2^-500 (an upper bound),
   so every nonzero product is >= 2^-1000: no underflow, no overflow.  For a
   dot product of m nonnegative doubles computed in any order with rounding to
   nearest (with or without FMA), |s^ - s| <= gamma_m s, gamma_m = m u/(1 - m u),
   u = 2^-53 (Higham, Accuracy and Stability, Lemma 3.4 / (3.5)), hence
   s <= s^ / (1 - gamma_m) <= s^ (1 + 2 m u) for 2 m u <= 1/2.  We multiply by
   1 + m 2^-51 >= 1 + 2 m u. */
void
_rjp_nonneg_mul_add_upper(mpfr_ptr C, mpfr_srcptr const *X, mpfr_srcptr const *Y,
                         slong r, slong m, slong c)
{
    slong i, j, k;
    slong *sx, *sy;
    double *xd, *yd, *zd;
    mpfr_t f, t;

    if (r == 0 || c == 0 || m == 0)
        return;
    sx = flint_malloc(r * sizeof(slong));
    sy = flint_malloc(c * sizeof(slong));
    xd = flint_malloc(r * m * sizeof(double));
    yd = flint_malloc(m * c * sizeof(double));
    zd = flint_malloc(r * c * sizeof(double));

    for (i = 0; i < r; i++) {
        sx[i] = WORD_MIN;
        for (k = 0; k < m; k++)
            if (!mpfr_zero_p(X[i * m + k]) && mpfr_get_exp(X[i * m + k]) > sx[i])
                sx[i] = mpfr_get_exp(X[i * m + k]);
        if (sx[i] == WORD_MIN)
            sx[i] = 0;
    }
    for (j = 0; j < c; j++) {
        sy[j] = WORD_MIN;
        for (k = 0; k < m; k++)
            if (!mpfr_zero_p(Y[k * c + j]) && mpfr_get_exp(Y[k * c + j]) > sy[j])
                sy[j] = mpfr_get_exp(Y[k * c + j]);
        if (sy[j] == WORD_MIN)
            sy[j] = 0;
    }
#define TO_D(out, x, s) do { \
        if (mpfr_zero_p(x)) (out) = 0.0; \
        else { long _e; double _d = fabs(mpfr_get_d_2exp(&_e, (x), MPFR_RNDA)); \
            slong _k = (slong) _e - (s); \
            (out) = (_k < -500) ? ldexp(1.0, -500) : ldexp(_d, (int) _k); } } while (0)
    for (i = 0; i < r; i++)
        for (k = 0; k < m; k++)
            TO_D(xd[i * m + k], X[i * m + k], sx[i]);
    for (k = 0; k < m; k++)
        for (j = 0; j < c; j++)
            TO_D(yd[k * c + j], Y[k * c + j], sy[j]);
#undef TO_D
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) r, (int) c, (int) m,
                1.0, xd, (int) m, yd, (int) c, 0.0, zd, (int) c);
    mpfr_init2(f, RJ_RAD_PREC);
    _rjp_rad_init(t);
    mpfr_set_ui_2exp(f, (ulong) m, -51, MPFR_RNDU);
    mpfr_add_ui(f, f, 1, MPFR_RNDU);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            if (zd[i * c + j] == 0.0)
                continue;
            mpfr_mul_d(t, f, zd[i * c + j], MPFR_RNDU);
            mpfr_mul_2si(t, t, sx[i] + sy[j], MPFR_RNDU);
            mpfr_add(C + i * c + j, C + i * c + j, t, MPFR_RNDU);
        }
    mpfr_clear(f);
    mpfr_clear(t);
    flint_free(sx);
    flint_free(sy);
    flint_free(xd);
    flint_free(yd);
    flint_free(zd);
}

/* ------------------------------------------------------------ products */

/* Row i of A (stride sa between entries, n entries starting at p) scaled to
   integers: z_k = round(p_k 2^(P - e)) with e the largest exponent; returns
   e - P (the scale) and sets *inexact when some entry lost bits. */
static slong
scale_to_fmpz(fmpz *z, slong zs, mpfr_srcptr p, slong sa, slong n, slong P, int *inexact,
              mpfr_t tmp, mpz_t t)
{
    slong k, e = WORD_MIN;
    *inexact = 0;
    for (k = 0; k < n; k++)
        if (!mpfr_zero_p(p + k * sa) && mpfr_get_exp(p + k * sa) > e)
            e = mpfr_get_exp(p + k * sa);
    if (e == WORD_MIN) {
        for (k = 0; k < n; k++)
            fmpz_zero(z + k * zs);
        return 0;
    }
    for (k = 0; k < n; k++)
        if (_rjp_get_fmpz_scaled(z + k * zs, p + k * sa, P - e, t))
            *inexact = 1;
    (void) tmp;
    return e - P;
}

/* [PB 3] Rump's product.  With A = A' + dA, B = B' + dB the integer-scaled
   midpoints (|dA_ik| <= da_i, |dB_kj| <= db_j):
     mid A mid B = A'B' + dA mid B + A' dB,
   A'B' is exact (fmpz_mat_mul) and rounded once to prec; then
     rad C >= ulp + da_i ||mid B_:j||_1 + ||A'_i:||_1 db_j
              + |mid A| rad B + rad A (|mid B| + rad B). */
/* 1 if every midpoint and radius of A is a finite number. */
static int
imat_is_finite(const rj_imat_t A)
{
    slong i, j;
    for (i = 0; i < A->r; i++)
        for (j = 0; j < A->c; j++)
            if (!mpfr_number_p(rj_imat_mid(A, i, j)) || !mpfr_number_p(rj_imat_rad(A, i, j)))
                return 0;
    return 1;
}

void
rj_imat_mul(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec)
{
    slong r = A->r, k = A->c, c = B->c, i, j, l, P;
    slong *ea, *fb;
    int *ia, *ib, radA = 0, radB = 0;
    fmpz_mat_t Az, Bz, Z;
    rj_imat_t T;
    mpfr_t tmp, s, u;
    mpz_t t;

    RJ_ASSERT(B->r == k);
    rj_imat_init(T, r, c, prec);
    if (k == 0 || r == 0 || c == 0) {
        rj_imat_swap(C, T);
        rj_imat_clear(T);
        return;
    }
    if (!imat_is_finite(A) || !imat_is_finite(B)) {
        /* an operand left MPFR's exponent range ([PB 1.1]): the only enclosure
           left is the whole line, midpoint 0 and radius +inf */
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++) {
                mpfr_set_zero(rj_imat_mid(T, i, j), 1);
                mpfr_set_inf(rj_imat_rad(T, i, j), 1);
            }
        rj_imat_swap(C, T);
        rj_imat_clear(T);
        return;
    }
    P = prec + 16 + FLINT_BIT_COUNT(k);
    ea = flint_malloc(r * sizeof(slong));
    fb = flint_malloc(c * sizeof(slong));
    ia = flint_malloc(r * sizeof(int));
    ib = flint_malloc(c * sizeof(int));
    fmpz_mat_init(Az, r, k);
    fmpz_mat_init(Bz, k, c);
    fmpz_mat_init(Z, r, c);
    mpfr_init2(tmp, FLINT_MAX(A->prec, B->prec));
    mpz_init(t);
    _rjp_rad_init(s);
    _rjp_rad_init(u);

    for (i = 0; i < r; i++)
        ea[i] = scale_to_fmpz(fmpz_mat_entry(Az, i, 0), 1, rj_imat_mid(A, i, 0), 1, k, P,
                              ia + i, tmp, t);
    /* columns of B: gather (strided rows in the fmpz_mat) */
    for (j = 0; j < c; j++) {
        slong e = WORD_MIN;
        ib[j] = 0;
        for (l = 0; l < k; l++) {
            mpfr_srcptr x = rj_imat_mid(B, l, j);
            if (!mpfr_zero_p(x) && mpfr_get_exp(x) > e)
                e = mpfr_get_exp(x);
        }
        if (e == WORD_MIN) {
            fb[j] = 0;
            for (l = 0; l < k; l++)
                fmpz_zero(fmpz_mat_entry(Bz, l, j));
            continue;
        }
        for (l = 0; l < k; l++)
            if (_rjp_get_fmpz_scaled(fmpz_mat_entry(Bz, l, j), rj_imat_mid(B, l, j), P - e, t))
                ib[j] = 1;
        fb[j] = e - P;
    }

    fmpz_mat_mul(Z, Az, Bz);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            int inex;
            fmpz_get_mpz(t, fmpz_mat_entry(Z, i, j));
            inex = mpfr_set_z_2exp(rj_imat_mid(T, i, j), t, ea[i] + fb[j], MPFR_RNDN);
            _rjp_rad_add_ulp(rj_imat_rad(T, i, j), rj_imat_mid(T, i, j), inex);
        }

    /* conversion errors: da_i = 2^(ea_i - 1) when row i was inexact */
    for (i = 0; i < r; i++)
        if (ia[i]) {
            for (j = 0; j < c; j++) {
                mpfr_set_zero(s, 1);
                for (l = 0; l < k; l++) {
                    mpfr_abs(u, rj_imat_mid(B, l, j), MPFR_RNDU);
                    mpfr_add(s, s, u, MPFR_RNDU);
                }
                mpfr_mul_2si(s, s, ea[i] - 1, MPFR_RNDU);
                mpfr_add(rj_imat_rad(T, i, j), rj_imat_rad(T, i, j), s, MPFR_RNDU);
            }
        }
    for (j = 0; j < c; j++)
        if (ib[j]) {
            for (i = 0; i < r; i++) {
                /* ||A'_i:||_1 <= ||mid A_i:||_1 + k da_i */
                mpfr_set_zero(s, 1);
                for (l = 0; l < k; l++) {
                    mpfr_abs(u, rj_imat_mid(A, i, l), MPFR_RNDU);
                    mpfr_add(s, s, u, MPFR_RNDU);
                }
                if (ia[i]) {
                    mpfr_set_ui_2exp(u, (ulong) k, ea[i] - 1, MPFR_RNDU);
                    mpfr_add(s, s, u, MPFR_RNDU);
                }
                mpfr_mul_2si(s, s, fb[j] - 1, MPFR_RNDU);
                mpfr_add(rj_imat_rad(T, i, j), rj_imat_rad(T, i, j), s, MPFR_RNDU);
            }
        }

    /* radii of the inputs */
    for (i = 0; i < r * k && !radA; i++)
        radA = !mpfr_zero_p(A->rad + i);
    for (i = 0; i < k * c && !radB; i++)
        radB = !mpfr_zero_p(B->rad + i);
    if (radA || radB) {
        /* [ |mid A|  rad A ] x [ rad B ; |mid B| + rad B ], blocks left out
           when they are zero */
        slong m = (radB ? k : 0) + (radA ? k : 0), off;
        mpfr_srcptr *X = flint_malloc(r * m * sizeof(mpfr_srcptr));
        mpfr_srcptr *Y = flint_malloc(m * c * sizeof(mpfr_srcptr));
        mpfr_ptr sumB = NULL;
        if (radA) {
            sumB = flint_malloc(k * c * sizeof(__mpfr_struct));
            for (l = 0; l < k * c; l++) {
                _rjp_rad_init(sumB + l);
                mpfr_abs(u, B->mid + l, MPFR_RNDU);
                mpfr_add(sumB + l, u, B->rad + l, MPFR_RNDU);
            }
        }
        off = 0;
        if (radB) {
            for (i = 0; i < r; i++)
                for (l = 0; l < k; l++)
                    X[i * m + l] = rj_imat_mid(A, i, l);
            for (l = 0; l < k; l++)
                for (j = 0; j < c; j++)
                    Y[l * c + j] = rj_imat_rad(B, l, j);
            off = k;
        }
        if (radA) {
            for (i = 0; i < r; i++)
                for (l = 0; l < k; l++)
                    X[i * m + off + l] = rj_imat_rad(A, i, l);
            for (l = 0; l < k; l++)
                for (j = 0; j < c; j++)
                    Y[(off + l) * c + j] = sumB + l * c + j;
        }
        _rjp_nonneg_mul_add_upper(T->rad, X, Y, r, m, c);
        if (sumB != NULL) {
            for (l = 0; l < k * c; l++)
                mpfr_clear(sumB + l);
            flint_free(sumB);
        }
        flint_free(X);
        flint_free(Y);
    }

    rj_imat_swap(C, T);
    rj_imat_clear(T);
    fmpz_mat_clear(Az);
    fmpz_mat_clear(Bz);
    fmpz_mat_clear(Z);
    mpfr_clear(tmp);
    mpfr_clear(s);
    mpfr_clear(u);
    mpz_clear(t);
    flint_free(ea);
    flint_free(fb);
    flint_free(ia);
    flint_free(ib);
}

/* ------------------------------------------------------------ strings */

char *
rj_mpfr_get_str_mid(const mpfr_t x)
{
    char *s, *out;
    int digits = (int) (mpfr_get_prec(x) * 0.30103) + 2;
    if (mpfr_zero_p(x))
        mpfr_asprintf(&s, "0");
    else
        mpfr_asprintf(&s, "%.*Re", digits, x);
    out = rj_strdup(s);
    mpfr_free_str(s);
    return out;
}

char *
rj_mpfr_get_str_rad(const mpfr_t x)
{
    char *s, *out;
    mpfr_asprintf(&s, "%.5RUe", x);
    out = rj_strdup(s);
    mpfr_free_str(s);
    return out;
}
