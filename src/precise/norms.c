/* resjac precise layer: rigorous norms, spectral-norm upper bounds and
 * sigma_min lower bounds [PB 5, PB 6].
 *
 * The floating-point work (a one-sided Jacobi SVD in doubles) only proposes a
 * basis V or an approximate inverse X; every bound is then certified with
 * interval products (rj_imat_mul), so a poor floating-point answer gives a
 * weaker bound, never a wrong one. */
#include <math.h>
#include <flint/fmpz_mat.h>

#include "precise_internal.h"

#define SVD_MAX 512        /* above this the cheap bounds are used */
#define CERT_PREC 64       /* precision of the certification products */

/* ------------------------------------------------------------ enclosures */

/* |b| over an entry mid +- rad lies in [max(|mid| - rad, 0), |mid| + rad]. */
static void
abs_lo_hi(mpfr_t lo, mpfr_t hi, const mpfr_t mid, const mpfr_t rad)
{
    mpfr_t a;
    mpfr_init2(a, mpfr_get_prec(mid));
    mpfr_abs(a, mid, MPFR_RNDN);   /* exact */
    mpfr_sub(lo, a, rad, MPFR_RNDD);
    if (mpfr_sgn(lo) < 0)
        mpfr_set_zero(lo, 1);
    mpfr_add(hi, a, rad, MPFR_RNDU);
    mpfr_clear(a);
}

/* rows = 1: max over rows of row sums (inf-norm); rows = 0: columns (1-norm). */
static void
norm_sum(rj_itv_t n, const rj_imat_t A, int rows)
{
    slong i, j, p = mpfr_get_prec(n->lo);
    slong outer = rows ? A->r : A->c, inner = rows ? A->c : A->r;
    mpfr_t lo, hi, sl, sh;
    mpfr_init2(lo, p);
    mpfr_init2(hi, p);
    mpfr_init2(sl, p);
    mpfr_init2(sh, p);
    mpfr_set_zero(n->lo, 1);
    mpfr_set_zero(n->hi, 1);
    for (i = 0; i < outer; i++) {
        mpfr_set_zero(sl, 1);
        mpfr_set_zero(sh, 1);
        for (j = 0; j < inner; j++) {
            slong a = rows ? i : j, b = rows ? j : i;
            abs_lo_hi(lo, hi, rj_imat_mid(A, a, b), rj_imat_rad(A, a, b));
            mpfr_add(sl, sl, lo, MPFR_RNDD);
            mpfr_add(sh, sh, hi, MPFR_RNDU);
        }
        if (mpfr_cmp(sl, n->lo) > 0)
            mpfr_set(n->lo, sl, MPFR_RNDD);
        if (mpfr_cmp(sh, n->hi) > 0)
            mpfr_set(n->hi, sh, MPFR_RNDU);
    }
    mpfr_clear(lo);
    mpfr_clear(hi);
    mpfr_clear(sl);
    mpfr_clear(sh);
}

void
rj_imat_norm_1(rj_itv_t n, const rj_imat_t A)
{
    norm_sum(n, A, 0);
}

void
rj_imat_norm_inf(rj_itv_t n, const rj_imat_t A)
{
    norm_sum(n, A, 1);
}

void
rj_imat_norm_frob(rj_itv_t n, const rj_imat_t A)
{
    slong i, p = mpfr_get_prec(n->lo);
    mpfr_t lo, hi, sl, sh;
    mpfr_init2(lo, p);
    mpfr_init2(hi, p);
    mpfr_init2(sl, p);
    mpfr_init2(sh, p);
    mpfr_set_zero(sl, 1);
    mpfr_set_zero(sh, 1);
    for (i = 0; i < A->r * A->c; i++) {
        abs_lo_hi(lo, hi, A->mid + i, A->rad + i);
        mpfr_sqr(lo, lo, MPFR_RNDD);
        mpfr_sqr(hi, hi, MPFR_RNDU);
        mpfr_add(sl, sl, lo, MPFR_RNDD);
        mpfr_add(sh, sh, hi, MPFR_RNDU);
    }
    mpfr_sqrt(n->lo, sl, MPFR_RNDD);
    mpfr_sqrt(n->hi, sh, MPFR_RNDU);
    mpfr_clear(lo);
    mpfr_clear(hi);
    mpfr_clear(sl);
    mpfr_clear(sh);
}

/* ------------------------------------------------------------ cheap bounds */

/* ||B||_2 <= || |mid| + rad ||_2 <= min(F, sqrt(||.||_1 ||.||_inf)) of the
   nonnegative matrix |mid| + rad [PB 5]. */
static void
cheap_norm2_upper(mpfr_t u, const rj_imat_t A)
{
    rj_imat_t B;
    rj_itv_t f, a, b;
    mpfr_t t;
    slong i;
    rj_imat_init(B, A->r, A->c, CERT_PREC);
    for (i = 0; i < A->r * A->c; i++)
        abs_lo_hi(B->rad + i, B->mid + i, A->mid + i, A->rad + i);  /* mid := hi */
    for (i = 0; i < A->r * A->c; i++)
        mpfr_set_zero(B->rad + i, 1);
    rj_itv_init(f, CERT_PREC);
    rj_itv_init(a, CERT_PREC);
    rj_itv_init(b, CERT_PREC);
    mpfr_init2(t, CERT_PREC); mpfr_set_zero(t, 1);
    rj_imat_norm_frob(f, B);
    rj_imat_norm_1(a, B);
    rj_imat_norm_inf(b, B);
    mpfr_mul(t, a->hi, b->hi, MPFR_RNDU);
    mpfr_sqrt(t, t, MPFR_RNDU);
    mpfr_min(u, f->hi, t, MPFR_RNDU);
    mpfr_clear(t);
    rj_itv_clear(f);
    rj_itv_clear(a);
    rj_itv_clear(b);
    rj_imat_clear(B);
}

/* max_i sum_j (|mid_ij| + rad_ij), rounded up: >= every |lambda| of every
   matrix in A (Gershgorin) and >= ||B||_2 for symmetric B. */
static void
gershgorin_upper(mpfr_t g, const rj_imat_t A)
{
    rj_itv_t n;
    rj_itv_init(n, CERT_PREC);
    rj_imat_norm_inf(n, A);
    mpfr_set(g, n->hi, MPFR_RNDU);
    rj_itv_clear(n);
}

/* ------------------------------------------------------------ Jacobi SVD */

void
_rjp_jacobi_svd_d(double *a, double *v, slong r, slong c)
{
    slong sweep, p, q, i;
    for (i = 0; i < c * c; i++)
        v[i] = 0.0;
    for (i = 0; i < c; i++)
        v[i * c + i] = 1.0;
    for (sweep = 0; sweep < 40; sweep++) {
        double off = 0.0;
        for (p = 0; p < c - 1; p++)
            for (q = p + 1; q < c; q++) {
                double al = 0.0, be = 0.0, ga = 0.0, ze, t, cs, sn;
                for (i = 0; i < r; i++) {
                    double x = a[i * c + p], y = a[i * c + q];
                    al += x * x;
                    be += y * y;
                    ga += x * y;
                }
                if (ga == 0.0 || fabs(ga) <= 1e-17 * sqrt(al * be))
                    continue;
                off = FLINT_MAX(off, fabs(ga) / sqrt(al * be));
                ze = (be - al) / (2.0 * ga);
                t = (ze >= 0 ? 1.0 : -1.0) / (fabs(ze) + sqrt(1.0 + ze * ze));
                cs = 1.0 / sqrt(1.0 + t * t);
                sn = cs * t;
                for (i = 0; i < r; i++) {
                    double x = a[i * c + p], y = a[i * c + q];
                    a[i * c + p] = cs * x - sn * y;
                    a[i * c + q] = sn * x + cs * y;
                }
                for (i = 0; i < c; i++) {
                    double x = v[i * c + p], y = v[i * c + q];
                    v[i * c + p] = cs * x - sn * y;
                    v[i * c + q] = sn * x + cs * y;
                }
            }
        if (off < 1e-15)
            break;
    }
}

/* A (r x c, r >= c) as doubles scaled by 2^-s (s the largest exponent of a
   midpoint); returns 0 when every midpoint is zero. */
static int
to_doubles(double *a, slong *s, const rj_imat_t A)
{
    slong i, e = WORD_MIN;
    for (i = 0; i < A->r * A->c; i++)
        if (!mpfr_zero_p(A->mid + i) && mpfr_get_exp(A->mid + i) > e)
            e = mpfr_get_exp(A->mid + i);
    if (e == WORD_MIN)
        return 0;
    for (i = 0; i < A->r * A->c; i++) {
        long f;
        double d = mpfr_get_d_2exp(&f, A->mid + i, MPFR_RNDN);
        a[i] = (f - e < -1000) ? 0.0 : ldexp(d, (int) (f - e));
    }
    *s = e;
    return 1;
}

/* An exact imat copy of the double matrix d (r x c) times 2^s. */
static void
imat_set_d(rj_imat_t X, const double *d, slong r, slong c, slong s)
{
    slong i;
    rj_imat_reshape(X, r, c, 53);
    for (i = 0; i < r * c; i++) {
        mpfr_set_d(X->mid + i, d[i], MPFR_RNDN);       /* exact */
        mpfr_mul_2si(X->mid + i, X->mid + i, s, MPFR_RNDN);
    }
}

/* Right singular vectors of the midpoint of A (r >= c): V (c x c) and the
   index of the largest singular value.  Returns 0 if not available. */
static int
approx_svd(double *V, slong *top, double *sig, const rj_imat_t A, slong *scale)
{
    slong r = A->r, c = A->c, i, j;
    double *a = flint_malloc(r * c * sizeof(double));
    int ok = to_doubles(a, scale, A);
    if (ok) {
        _rjp_jacobi_svd_d(a, V, r, c);
        *top = 0;
        for (j = 0; j < c; j++) {
            double s = 0.0;
            for (i = 0; i < r; i++)
                s += a[i * c + j] * a[i * c + j];
            sig[j] = sqrt(s);
            if (sig[j] > sig[*top])
                *top = j;
            if (!isfinite(sig[j]))
                ok = 0;
        }
    }
    flint_free(a);
    return ok;
}

/* [PB 5] With W = B V: ||B||_2 <= ||W||_2 ||V^-1||_2, ||W||_2^2 <= g (Gershgorin
   on the enclosure of W^T W) and ||V^-1||_2^2 <= 1/(1 - delta) with
   delta >= ||V^T V - I||_2 (Gershgorin on its enclosure), delta < 1. */
static int
certified_norm2_upper(mpfr_t u, const rj_imat_t A, const double *V, slong c)
{
    rj_imat_t Vi, W, Wt, T, N, I;
    mpfr_t g, d;
    int ok = 0;
    rj_imat_init(Vi, 0, 0, 53);
    rj_imat_init(W, 0, 0, CERT_PREC);
    rj_imat_init(Wt, 0, 0, CERT_PREC);
    rj_imat_init(T, 0, 0, CERT_PREC);
    rj_imat_init(N, 0, 0, CERT_PREC);
    rj_imat_init(I, c, c, CERT_PREC);
    mpfr_init2(g, CERT_PREC); mpfr_set_zero(g, 1);
    mpfr_init2(d, CERT_PREC); mpfr_set_zero(d, 1);
    imat_set_d(Vi, V, c, c, 0);
    rj_imat_mul(W, A, Vi, CERT_PREC);
    rj_imat_transpose(Wt, W);
    rj_imat_mul(T, Wt, W, CERT_PREC);
    gershgorin_upper(g, T);
    rj_imat_transpose(Wt, Vi);
    rj_imat_mul(N, Wt, Vi, CERT_PREC);
    rj_imat_one(I);
    rj_imat_sub(N, N, I, CERT_PREC);
    gershgorin_upper(d, N);
    if (mpfr_cmp_d(d, 0.5) < 0) {
        mpfr_ui_sub(d, 1, d, MPFR_RNDD);
        mpfr_div(g, g, d, MPFR_RNDU);
        mpfr_sqrt(u, g, MPFR_RNDU);
        ok = 1;
    }
    mpfr_clear(g);
    mpfr_clear(d);
    rj_imat_clear(Vi);
    rj_imat_clear(W);
    rj_imat_clear(Wt);
    rj_imat_clear(T);
    rj_imat_clear(N);
    rj_imat_clear(I);
    return ok;
}

/* A oriented so that rows >= columns (a transpose does not change singular
   values). */
static void
oriented(rj_imat_t B, const rj_imat_t A)
{
    if (A->r >= A->c)
        rj_imat_set(B, A);
    else
        rj_imat_transpose(B, A);
}

void
rj_imat_norm2_upper(mpfr_t u, const rj_imat_t A)
{
    mpfr_t t;
    rj_imat_t B;
    slong c, top, s;
    double *V, *sig;

    mpfr_init2(t, CERT_PREC); mpfr_set_zero(t, 1);
    cheap_norm2_upper(t, A);
    mpfr_set(u, t, MPFR_RNDU);
    if (FLINT_MIN(A->r, A->c) == 0 || FLINT_MIN(A->r, A->c) > SVD_MAX || mpfr_zero_p(t)) {
        mpfr_clear(t);
        return;
    }
    rj_imat_init(B, 0, 0, A->prec);
    oriented(B, A);
    c = B->c;
    V = flint_malloc(c * c * sizeof(double));
    sig = flint_malloc(c * sizeof(double));
    if (approx_svd(V, &top, sig, B, &s) && certified_norm2_upper(t, B, V, c)
        && mpfr_cmp(t, u) < 0)
        mpfr_set(u, t, MPFR_RNDU);
    flint_free(V);
    flint_free(sig);
    rj_imat_clear(B);
    mpfr_clear(t);
}

/* [PB 5] For any v != 0 and every B in A: ||B||_2 >= ||B v||_2 / ||v||_2; the
   enclosure of B v gives a lower bound of ||B v||_2 valid for every B. */
void
rj_imat_norm2_lower(mpfr_t l, const rj_imat_t A)
{
    rj_imat_t B, v, w;
    slong c, top, s, i;
    double *V, *sig;
    mpfr_t nv, t, lo, hi;

    mpfr_set_zero(l, 1);
    if (FLINT_MIN(A->r, A->c) == 0)
        return;
    rj_imat_init(B, 0, 0, A->prec);
    oriented(B, A);
    c = B->c;
    if (c > SVD_MAX) {
        /* the largest column: ||B||_2 >= ||B e_j||_2 */
        rj_itv_t n;
        rj_imat_t col;
        slong j, r = B->r;
        rj_itv_init(n, CERT_PREC);
        rj_imat_init(col, r, 1, B->prec);
        for (j = 0; j < c; j++) {
            for (i = 0; i < r; i++) {
                mpfr_set(col->mid + i, rj_imat_mid(B, i, j), MPFR_RNDN);
                mpfr_set(col->rad + i, rj_imat_rad(B, i, j), MPFR_RNDU);
            }
            rj_imat_norm_frob(n, col);
            if (mpfr_cmp(n->lo, l) > 0)
                mpfr_set(l, n->lo, MPFR_RNDD);
        }
        rj_imat_clear(col);
        rj_itv_clear(n);
        rj_imat_clear(B);
        return;
    }
    V = flint_malloc(c * c * sizeof(double));
    sig = flint_malloc(c * sizeof(double));
    if (approx_svd(V, &top, sig, B, &s)) {
        double *vc = flint_malloc(c * sizeof(double));
        rj_itv_t n;
        for (i = 0; i < c; i++)
            vc[i] = V[i * c + top];
        rj_imat_init(v, 0, 0, 53);
        rj_imat_init(w, 0, 0, CERT_PREC);
        imat_set_d(v, vc, c, 1, 0);
        rj_imat_mul(w, B, v, CERT_PREC);
        rj_itv_init(n, CERT_PREC);
        rj_imat_norm_frob(n, w);
        mpfr_init2(nv, CERT_PREC);
        mpfr_init2(t, CERT_PREC);
        mpfr_init2(lo, CERT_PREC);
        mpfr_init2(hi, CERT_PREC);
        mpfr_set_zero(nv, 1);
        for (i = 0; i < c; i++) {
            mpfr_set_d(t, vc[i] * vc[i], MPFR_RNDU);  /* rounded product, then up */
            mpfr_mul_d(t, t, 1.0 + ldexp(1.0, -50), MPFR_RNDU);
            mpfr_add(nv, nv, t, MPFR_RNDU);
        }
        mpfr_sqrt(nv, nv, MPFR_RNDU);
        mpfr_div(l, n->lo, nv, MPFR_RNDD);
        rj_itv_clear(n);
        mpfr_clear(nv);
        mpfr_clear(t);
        mpfr_clear(lo);
        mpfr_clear(hi);
        rj_imat_clear(v);
        rj_imat_clear(w);
        flint_free(vc);
    }
    flint_free(V);
    flint_free(sig);
    rj_imat_clear(B);
}

/* [PB 5.3] sigma_min(B) = min_{v != 0} ||B v|| / ||v|| <= ||B v|| / ||v|| for the
   proposed smallest right singular vector v, bounded above for every B in A. */
void
rj_imat_sigma_min_upper(mpfr_t u, const rj_imat_t A)
{
    rj_imat_t B, v, w;
    slong c, top, s, i, low;
    double *V, *sig;
    mpfr_t nv, t;
    rj_itv_t n;

    if (FLINT_MIN(A->r, A->c) == 0) {
        mpfr_set_zero(u, 1);
        return;
    }
    rj_imat_norm2_upper(u, A);   /* sigma_min <= sigma_max: the fallback */
    rj_imat_init(B, 0, 0, A->prec);
    oriented(B, A);
    c = B->c;
    if (c > SVD_MAX) {
        rj_imat_clear(B);
        return;
    }
    V = flint_malloc(c * c * sizeof(double));
    sig = flint_malloc(c * sizeof(double));
    if (approx_svd(V, &top, sig, B, &s)) {
        double *vc = flint_malloc(c * sizeof(double));
        low = 0;
        for (i = 1; i < c; i++)
            if (sig[i] < sig[low])
                low = i;
        for (i = 0; i < c; i++)
            vc[i] = V[i * c + low];
        rj_imat_init(v, 0, 0, 53);
        rj_imat_init(w, 0, 0, CERT_PREC);
        imat_set_d(v, vc, c, 1, 0);
        rj_imat_mul(w, B, v, CERT_PREC);
        rj_itv_init(n, CERT_PREC);
        rj_imat_norm_frob(n, w);       /* n->hi >= ||B v|| */
        mpfr_init2(nv, CERT_PREC);
        mpfr_init2(t, CERT_PREC);
        mpfr_set_zero(nv, 1);
        for (i = 0; i < c; i++) {
            mpfr_set_d(t, vc[i], MPFR_RNDN);     /* exact */
            mpfr_sqr(t, t, MPFR_RNDD);
            mpfr_add(nv, nv, t, MPFR_RNDD);
        }
        mpfr_sqrt(nv, nv, MPFR_RNDD);           /* <= ||v|| */
        if (mpfr_sgn(nv) > 0) {
            mpfr_div(t, n->hi, nv, MPFR_RNDU);
            if (mpfr_cmp(t, u) < 0)
                mpfr_set(u, t, MPFR_RNDU);
        }
        rj_itv_clear(n);
        mpfr_clear(nv);
        mpfr_clear(t);
        rj_imat_clear(v);
        rj_imat_clear(w);
        flint_free(vc);
    }
    flint_free(V);
    flint_free(sig);
    rj_imat_clear(B);
}

/* [PB 6] X an approximate left inverse (X = V diag(1/sigma^2) W^T from the
   Jacobi SVD W = B V): if ||I - X B||_2 <= d < 1 for every B in A then X B is
   invertible and ||x|| <= ||(X B)^-1|| ||X B x|| <= ||X||_2 ||B x|| / (1 - d), so
   sigma_min(B) >= (1 - d) / ||X||_2. */
int
rj_imat_sigma_min_lower(mpfr_t l, const rj_imat_t A)
{
    rj_imat_t B, Xi, E, I;
    slong r, c, s, i, j, k;
    double *V, *sig, *a, *X;
    int ok = 0;

    mpfr_set_zero(l, 1);
    if (FLINT_MIN(A->r, A->c) == 0 || FLINT_MIN(A->r, A->c) > SVD_MAX)
        return 0;
    rj_imat_init(B, 0, 0, A->prec);
    oriented(B, A);
    r = B->r;
    c = B->c;
    V = flint_malloc(c * c * sizeof(double));
    sig = flint_malloc(c * sizeof(double));
    a = flint_malloc(r * c * sizeof(double));
    X = flint_malloc(c * r * sizeof(double));
    if (to_doubles(a, &s, B)) {
        int good = 1;
        _rjp_jacobi_svd_d(a, V, r, c);
        for (j = 0; j < c; j++) {
            double t = 0.0;
            for (i = 0; i < r; i++)
                t += a[i * c + j] * a[i * c + j];
            sig[j] = t;    /* sigma_j^2 of the scaled matrix */
            if (!(t > 0.0) || !isfinite(1.0 / t))
                good = 0;
        }
        if (good) {
            /* X = V diag(1/sigma^2) W^T  (c x r), for the matrix scaled by 2^-s */
            for (i = 0; i < c; i++)
                for (j = 0; j < r; j++) {
                    double t = 0.0;
                    for (k = 0; k < c; k++)
                        t += V[i * c + k] * a[j * c + k] / sig[k];
                    X[i * r + j] = t;
                }
            for (i = 0; i < c * r; i++)
                if (!isfinite(X[i]))
                    good = 0;
        }
        if (good) {
            mpfr_t d, nx;
            rj_imat_init(Xi, 0, 0, 53);
            rj_imat_init(E, 0, 0, CERT_PREC);
            rj_imat_init(I, c, c, CERT_PREC);
            mpfr_init2(d, CERT_PREC); mpfr_set_zero(d, 1);
            mpfr_init2(nx, CERT_PREC); mpfr_set_zero(nx, 1);
            imat_set_d(Xi, X, c, r, -s);   /* inverse of the unscaled matrix */
            rj_imat_mul(E, Xi, B, CERT_PREC);
            rj_imat_one(I);
            rj_imat_sub(E, I, E, CERT_PREC);
            cheap_norm2_upper(d, E);
            if (mpfr_cmp_ui(d, 1) < 0) {
                rj_imat_norm2_upper(nx, Xi);
                if (!mpfr_zero_p(nx)) {
                    mpfr_ui_sub(d, 1, d, MPFR_RNDD);
                    mpfr_div(l, d, nx, MPFR_RNDD);
                    ok = 1;
                }
            }
            mpfr_clear(d);
            mpfr_clear(nx);
            rj_imat_clear(Xi);
            rj_imat_clear(E);
            rj_imat_clear(I);
        }
    }
    flint_free(V);
    flint_free(sig);
    flint_free(a);
    flint_free(X);
    rj_imat_clear(B);
    return ok;
}
