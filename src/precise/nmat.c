/* resjac precise layer: normwise balls { M 2^exp + E : ||E||_2 <= eps }.
 *
 * The midpoint is an exact integer matrix with one power-of-two scale, so a
 * product of midpoints is one exact fmpz_mat_mul (FLINT's multimodular
 * algorithm), rounded once to prec bits below the largest entry.  The error is
 * one number for the whole matrix, propagated with norm bounds [PB 4]: this
 * avoids the entrywise growth |A| |B| ... (the wrapping effect) of interval
 * chains. */
#include <math.h>
#include <flint/fmpz_mat.h>

#include "precise_internal.h"

void
rj_nmat_init(rj_nmat_t A, slong r, slong c)
{
    fmpz_mat_init(A->m, r, c);
    A->exp = 0;
    _rjp_rad_init(A->eps);
}

void
rj_nmat_clear(rj_nmat_t A)
{
    fmpz_mat_clear(A->m);
    mpfr_clear(A->eps);
}

void
rj_nmat_swap(rj_nmat_t A, rj_nmat_t B)
{
    rj_nmat_struct t = *A;
    *A = *B;
    *B = t;
}

static void
reshape(rj_nmat_t A, slong r, slong c)
{
    if (fmpz_mat_nrows(A->m) != r || fmpz_mat_ncols(A->m) != c) {
        fmpz_mat_clear(A->m);
        fmpz_mat_init(A->m, r, c);
    } else {
        fmpz_mat_zero(A->m);
    }
    A->exp = 0;
    mpfr_set_zero(A->eps, 1);
}

void
rj_nmat_set(rj_nmat_t A, const rj_nmat_t B)
{
    if (A == B)
        return;
    reshape(A, fmpz_mat_nrows(B->m), fmpz_mat_ncols(B->m));
    fmpz_mat_set(A->m, B->m);
    A->exp = B->exp;
    mpfr_set(A->eps, B->eps, MPFR_RNDU);
}

void
rj_nmat_one(rj_nmat_t A)
{
    fmpz_mat_one(A->m);
    A->exp = 0;
    mpfr_set_zero(A->eps, 1);
}

/* eps += sqrt(cnt) 2^e: the 2-norm of an error matrix with cnt nonzero
   entries each at most 2^e is at most its Frobenius norm [PB 1]. */
static void
eps_add_count(mpfr_t eps, slong cnt, slong e)
{
    mpfr_t t;
    if (cnt == 0)
        return;
    _rjp_rad_init(t);
    mpfr_set_ui(t, (ulong) cnt, MPFR_RNDU);
    mpfr_sqrt(t, t, MPFR_RNDU);
    mpfr_mul_2si(t, t, e, MPFR_RNDU);
    mpfr_add(eps, eps, t, MPFR_RNDU);
    mpfr_clear(t);
}

/* Rescale to exponent e >= A->exp: entries rounded to the nearest multiple of
   2^(e - exp); the error of each is at most 2^(e-1). */
static void
rescale_up(rj_nmat_t A, slong e)
{
    slong s = e - A->exp, i, j, cnt = 0;
    fmpz_t h;
    if (s <= 0)
        return;
    fmpz_init(h);
    fmpz_one(h);
    fmpz_mul_2exp(h, h, s - 1);
    for (i = 0; i < fmpz_mat_nrows(A->m); i++)
        for (j = 0; j < fmpz_mat_ncols(A->m); j++) {
            fmpz *x = fmpz_mat_entry(A->m, i, j);
            if (fmpz_is_zero(x))
                continue;
            if (fmpz_val2(x) < (ulong) s)
                cnt++;
            fmpz_add(x, x, h);
            fmpz_fdiv_q_2exp(x, x, s);
        }
    A->exp = e;
    eps_add_count(A->eps, cnt, e - 1);
    fmpz_clear(h);
}

static void
rescale_down(rj_nmat_t A, slong e)
{
    slong s = A->exp - e;
    if (s <= 0)
        return;
    fmpz_mat_scalar_mul_2exp(A->m, A->m, s);
    A->exp = e;
}

/* Keep prec bits below the largest entry. */
static void
nmat_round(rj_nmat_t A, slong prec)
{
    slong bits = FLINT_ABS(fmpz_mat_max_bits(A->m));
    if (bits > prec + 2)
        rescale_up(A, A->exp + bits - prec);
}

void
rj_nmat_set_fmpq_mat(rj_nmat_t A, const fmpq_mat_t Q, slong prec)
{
    slong r = fmpq_mat_nrows(Q), c = fmpq_mat_ncols(Q), i, j, cnt = 0;
    slong emax = WORD_MIN, K = 0, e;
    int dyadic = 1;
    fmpz_t N, D, rem;

    reshape(A, r, c);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            const fmpq *q = fmpq_mat_entry(Q, i, j);
            slong b;
            if (fmpq_is_zero(q))
                continue;
            b = fmpz_bits(fmpq_numref(q)) - fmpz_bits(fmpq_denref(q)) + 1;
            if (b > emax)
                emax = b;
            if (fmpz_val2(fmpq_denref(q)) + 1 != fmpz_bits(fmpq_denref(q)))
                dyadic = 0;
            else if ((slong) fmpz_val2(fmpq_denref(q)) > K)
                K = fmpz_val2(fmpq_denref(q));
        }
    if (emax == WORD_MIN)
        return;
    e = emax - prec - 8;
    if (dyadic && -K > e)
        e = -K;
    fmpz_init(N);
    fmpz_init(D);
    fmpz_init(rem);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            const fmpq *q = fmpq_mat_entry(Q, i, j);
            if (fmpq_is_zero(q))
                continue;
            if (e <= 0) {
                fmpz_mul_2exp(N, fmpq_numref(q), -e);
                fmpz_set(D, fmpq_denref(q));
            } else {
                fmpz_set(N, fmpq_numref(q));
                fmpz_mul_2exp(D, fmpq_denref(q), e);
            }
            fmpz_ndiv_qr(fmpz_mat_entry(A->m, i, j), rem, N, D);
            if (!fmpz_is_zero(rem))
                cnt++;
        }
    A->exp = e;
    eps_add_count(A->eps, cnt, e - 1);
    fmpz_clear(N);
    fmpz_clear(D);
    fmpz_clear(rem);
}

/* Upper bound on ||R||_2 for a nonnegative matrix R given by radii:
   min(||R||_F, sqrt(||R||_1 ||R||_inf)) [PB 1, 5]. */
static void
rad_norm2_upper(mpfr_t u, mpfr_srcptr R, slong r, slong c)
{
    slong i, j;
    mpfr_t f, s, t, mr, mc;
    mpfr_ptr cs;
    _rjp_rad_init(f);
    _rjp_rad_init(s);
    _rjp_rad_init(t);
    _rjp_rad_init(mr);
    _rjp_rad_init(mc);
    cs = flint_malloc(FLINT_MAX(c, 1) * sizeof(__mpfr_struct));
    for (j = 0; j < c; j++)
        _rjp_rad_init(cs + j);
    for (i = 0; i < r; i++) {
        mpfr_set_zero(s, 1);
        for (j = 0; j < c; j++) {
            mpfr_srcptr x = R + i * c + j;
            if (mpfr_zero_p(x))
                continue;
            mpfr_add(s, s, x, MPFR_RNDU);
            mpfr_add(cs + j, cs + j, x, MPFR_RNDU);
            mpfr_sqr(t, x, MPFR_RNDU);
            mpfr_add(f, f, t, MPFR_RNDU);
        }
        if (mpfr_cmp(s, mr) > 0)
            mpfr_set(mr, s, MPFR_RNDU);
    }
    for (j = 0; j < c; j++)
        if (mpfr_cmp(cs + j, mc) > 0)
            mpfr_set(mc, cs + j, MPFR_RNDU);
    mpfr_sqrt(f, f, MPFR_RNDU);
    mpfr_mul(t, mr, mc, MPFR_RNDU);
    mpfr_sqrt(t, t, MPFR_RNDU);
    mpfr_min(u, f, t, MPFR_RNDU);
    for (j = 0; j < c; j++)
        mpfr_clear(cs + j);
    flint_free(cs);
    mpfr_clear(f);
    mpfr_clear(s);
    mpfr_clear(t);
    mpfr_clear(mr);
    mpfr_clear(mc);
}

void
rj_nmat_set_imat(rj_nmat_t A, const rj_imat_t B, slong prec)
{
    slong i, n = B->r * B->c, cnt = 0;
    slong emax = WORD_MIN, low = WORD_MAX, e;
    mpfr_t tmp, u;
    mpz_t t;

    reshape(A, B->r, B->c);
    _rjp_rad_init(u);
    rad_norm2_upper(u, B->rad, B->r, B->c);
    for (i = 0; i < n; i++) {
        mpfr_srcptr x = B->mid + i;
        if (mpfr_zero_p(x))
            continue;
        if (mpfr_get_exp(x) > emax)
            emax = mpfr_get_exp(x);
        if (mpfr_get_exp(x) - (slong) mpfr_min_prec(x) < low)
            low = mpfr_get_exp(x) - (slong) mpfr_min_prec(x);
    }
    if (emax != WORD_MIN) {
        e = FLINT_MAX(low, emax - prec - 8);
        mpfr_init2(tmp, B->prec);
        mpz_init(t);
        for (i = 0; i < n; i++)
            if (_rjp_get_fmpz_scaled(A->m->entries + i, B->mid + i, -e, t))
                cnt++;
        A->exp = e;
        eps_add_count(A->eps, cnt, e - 1);
        mpfr_clear(tmp);
        mpz_clear(t);
    }
    mpfr_add(A->eps, A->eps, u, MPFR_RNDU);
    mpfr_clear(u);
}

void
rj_nmat_get_imat(rj_imat_t B, const rj_nmat_t A, slong prec)
{
    slong i, j, r = fmpz_mat_nrows(A->m), c = fmpz_mat_ncols(A->m);
    mpz_t t;
    mpz_init(t);
    rj_imat_reshape(B, r, c, prec);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            int inex;
            fmpz_get_mpz(t, fmpz_mat_entry(A->m, i, j));
            inex = mpfr_set_z_2exp(rj_imat_mid(B, i, j), t, A->exp, MPFR_RNDN);
            mpfr_set(rj_imat_rad(B, i, j), A->eps, MPFR_RNDU);
            _rjp_rad_add_ulp(rj_imat_rad(B, i, j), rj_imat_mid(B, i, j), inex);
        }
    mpz_clear(t);
}

void
rj_nmat_transpose(rj_nmat_t C, const rj_nmat_t A)
{
    rj_nmat_t T;
    rj_nmat_init(T, fmpz_mat_ncols(A->m), fmpz_mat_nrows(A->m));
    fmpz_mat_transpose(T->m, A->m);
    T->exp = A->exp;
    mpfr_set(T->eps, A->eps, MPFR_RNDU);
    rj_nmat_swap(C, T);
    rj_nmat_clear(T);
}

/* [PB 5] ||M||_2 <= ||M||_F and ||M||_2 <= sqrt(||M||_1 ||M||_inf).  The sums
   are done in doubles on |m_ij| 2^-b (b = max bits), each rounded up by the
   factor (1 + 2^-50) (fmpz_get_d_2exp truncates: relative error < 2^-52),
   and the sums (at most r c terms of nonnegative doubles) enlarged by
   1 + (r c + 4) 2^-50 >= 1/(1 - gamma_{rc}) [PB 3]. */
void
rj_nmat_mid_norm2_upper(mpfr_t u, const rj_nmat_t A)
{
    slong r = fmpz_mat_nrows(A->m), c = fmpz_mat_ncols(A->m), i, j;
    slong b = FLINT_ABS(fmpz_mat_max_bits(A->m));
    double *cs, fro = 0.0, mr = 0.0, mc = 0.0, f;
    mpfr_t a, t;

    if (b == 0 || r == 0 || c == 0) {
        mpfr_set_zero(u, 1);
        return;
    }
    cs = flint_calloc(c, sizeof(double));
    for (i = 0; i < r; i++) {
        double s = 0.0;
        for (j = 0; j < c; j++) {
            const fmpz *x = fmpz_mat_entry(A->m, i, j);
            slong e;
            double d;
            if (fmpz_is_zero(x))
                continue;
            d = fabs(fmpz_get_d_2exp(&e, x));
            d = (e - b < -900) ? ldexp(1.0, -900) : ldexp(d * (1.0 + ldexp(1.0, -50)),
                                                          (int) (e - b));
            s += d;
            cs[j] += d;
            fro += d * d;
        }
        if (s > mr)
            mr = s;
    }
    for (j = 0; j < c; j++)
        if (cs[j] > mc)
            mc = cs[j];
    flint_free(cs);
    f = 1.0 + ldexp((double) (r * c + 4), -50);
    mpfr_init2(a, RJ_RAD_PREC);
    mpfr_init2(t, RJ_RAD_PREC);
    mpfr_set_d(a, fro, MPFR_RNDU);
    mpfr_mul_d(a, a, f, MPFR_RNDU);
    mpfr_sqrt(a, a, MPFR_RNDU);
    mpfr_set_d(t, mr, MPFR_RNDU);
    mpfr_mul_d(t, t, mc, MPFR_RNDU);
    mpfr_mul_d(t, t, f, MPFR_RNDU);
    mpfr_mul_d(t, t, f, MPFR_RNDU);
    mpfr_sqrt(t, t, MPFR_RNDU);
    mpfr_min(a, a, t, MPFR_RNDU);
    mpfr_mul_2si(u, a, b + A->exp, MPFR_RNDU);
    mpfr_clear(a);
    mpfr_clear(t);
}

/* [PB 4] (M_A + E_A)(M_B + E_B) = M_A M_B + M_A E_B + E_A M_B + E_A E_B, so
   ||E_C||_2 <= |M_A| eps_B + eps_A |M_B| + eps_A eps_B + rounding of M_A M_B. */
void
rj_nmat_mul(rj_nmat_t C, const rj_nmat_t A, const rj_nmat_t B, slong prec)
{
    RJ_ASSERT(C != A && C != B);
    RJ_ASSERT(fmpz_mat_ncols(A->m) == fmpz_mat_nrows(B->m));
    reshape(C, fmpz_mat_nrows(A->m), fmpz_mat_ncols(B->m));
    fmpz_mat_mul(C->m, A->m, B->m);
    C->exp = A->exp + B->exp;
    if (!mpfr_zero_p(A->eps) || !mpfr_zero_p(B->eps)) {
        mpfr_t na, nb, t;
        _rjp_rad_init(na);
        _rjp_rad_init(nb);
        _rjp_rad_init(t);
        if (!mpfr_zero_p(B->eps))
            rj_nmat_mid_norm2_upper(na, A);
        if (!mpfr_zero_p(A->eps))
            rj_nmat_mid_norm2_upper(nb, B);
        mpfr_mul(t, na, B->eps, MPFR_RNDU);
        mpfr_add(C->eps, C->eps, t, MPFR_RNDU);
        mpfr_mul(t, A->eps, nb, MPFR_RNDU);
        mpfr_add(C->eps, C->eps, t, MPFR_RNDU);
        mpfr_mul(t, A->eps, B->eps, MPFR_RNDU);
        mpfr_add(C->eps, C->eps, t, MPFR_RNDU);
        mpfr_clear(na);
        mpfr_clear(nb);
        mpfr_clear(t);
    }
    nmat_round(C, prec);
}

void
rj_nmat_add(rj_nmat_t C, const rj_nmat_t A, const rj_nmat_t B, slong prec)
{
    rj_nmat_t a, b;
    slong ta, tb, top, target;
    RJ_ASSERT(fmpz_mat_nrows(A->m) == fmpz_mat_nrows(B->m)
              && fmpz_mat_ncols(A->m) == fmpz_mat_ncols(B->m));
    rj_nmat_init(a, 0, 0);
    rj_nmat_init(b, 0, 0);
    rj_nmat_set(a, A);
    rj_nmat_set(b, B);
    ta = fmpz_mat_is_zero(a->m) ? WORD_MIN : a->exp + FLINT_ABS(fmpz_mat_max_bits(a->m));
    tb = fmpz_mat_is_zero(b->m) ? WORD_MIN : b->exp + FLINT_ABS(fmpz_mat_max_bits(b->m));
    top = FLINT_MAX(ta, tb);
    if (top != WORD_MIN) {
        /* nothing below 2^(top - prec - 8) is kept: round there first, so the
           alignment shift stays below prec + 8 bits */
        target = top - prec - 8;
        if (ta != WORD_MIN)
            rescale_up(a, target);
        if (tb != WORD_MIN)
            rescale_up(b, target);
        if (ta == WORD_MIN)
            a->exp = b->exp;
        if (tb == WORD_MIN)
            b->exp = a->exp;
        if (a->exp < b->exp)
            rescale_down(b, a->exp);
        else
            rescale_down(a, b->exp);
    }
    fmpz_mat_add(a->m, a->m, b->m);
    mpfr_add(a->eps, a->eps, b->eps, MPFR_RNDU);
    nmat_round(a, prec);
    rj_nmat_swap(C, a);
    rj_nmat_clear(a);
    rj_nmat_clear(b);
}

void
rj_nmat_rel_rad(mpfr_t r, const rj_nmat_t A)
{
    /* ||M||_2 >= max |m_ij| and ||M||_2 >= ||M||_F / sqrt(min(r, c)) */
    slong i, j, rr = fmpz_mat_nrows(A->m), c = fmpz_mat_ncols(A->m);
    mpfr_t mx, f, t;
    mpfr_init2(mx, RJ_RAD_PREC);
    mpfr_init2(f, RJ_RAD_PREC);
    mpfr_init2(t, RJ_RAD_PREC);
    mpfr_set_zero(mx, 1);
    mpfr_set_zero(f, 1);
    for (i = 0; i < rr; i++)
        for (j = 0; j < c; j++) {
            fmpz_get_mpfr(t, fmpz_mat_entry(A->m, i, j), MPFR_RNDZ);
            mpfr_abs(t, t, MPFR_RNDD);
            if (mpfr_cmp(t, mx) > 0)
                mpfr_set(mx, t, MPFR_RNDD);
            mpfr_sqr(t, t, MPFR_RNDD);
            mpfr_add(f, f, t, MPFR_RNDD);
        }
    mpfr_div_ui(f, f, (ulong) FLINT_MAX(FLINT_MIN(rr, c), 1), MPFR_RNDD);
    mpfr_sqrt(f, f, MPFR_RNDD);
    mpfr_max(mx, mx, f, MPFR_RNDD);
    mpfr_mul_2si(mx, mx, A->exp, MPFR_RNDD);
    if (mpfr_zero_p(mx))
        mpfr_set_inf(r, 1);
    else
        mpfr_div(r, A->eps, mx, MPFR_RNDU);
    mpfr_clear(mx);
    mpfr_clear(f);
    mpfr_clear(t);
}

/* ------------------------------------------------------------ products */

slong
_rjp_prod_guard(slong n)
{
    return 16 + 2 * FLINT_BIT_COUNT(n);
}

void
rj_nmat_prod_init(rj_nmat_prod_t s, slong prec)
{
    s->len = 0;
    s->alloc = 0;
    s->stack = NULL;
    s->count = NULL;
    s->prec = prec;
}

void
rj_nmat_prod_clear(rj_nmat_prod_t s)
{
    slong i;
    for (i = 0; i < s->alloc; i++)
        rj_nmat_clear(s->stack + i);
    flint_free(s->stack);
    flint_free(s->count);
}

/* [PB 4] A binary counter: equal-sized neighbours are merged at once, so the
   stack holds at most log2(n) + 1 partial products and the product is a
   balanced tree whose error is amplified only by the norms of its partial
   products (of depth log2 n), not by the product of every factor's norm. */
void
rj_nmat_prod_push(rj_nmat_prod_t s, const rj_nmat_t F)
{
    if (s->len == s->alloc) {
        slong i, na = FLINT_MAX(8, 2 * s->alloc);
        s->stack = flint_realloc(s->stack, na * sizeof(rj_nmat_struct));
        s->count = flint_realloc(s->count, na * sizeof(slong));
        for (i = s->alloc; i < na; i++)
            rj_nmat_init(s->stack + i, 0, 0);
        s->alloc = na;
    }
    rj_nmat_set(s->stack + s->len, F);
    s->count[s->len] = 1;
    s->len++;
    while (s->len >= 2 && s->count[s->len - 1] == s->count[s->len - 2]) {
        rj_nmat_t T;
        rj_nmat_init(T, 0, 0);
        /* later factors on the left */
        rj_nmat_mul(T, s->stack + s->len - 1, s->stack + s->len - 2, s->prec);
        rj_nmat_swap(s->stack + s->len - 2, T);
        s->count[s->len - 2] *= 2;
        s->len--;
        rj_nmat_clear(T);
    }
}

void
rj_nmat_prod_finish(rj_nmat_t P, rj_nmat_prod_t s, slong n)
{
    rj_nmat_t acc, T;
    slong i;
    if (s->len == 0) {
        reshape(P, n, n);
        rj_nmat_one(P);
        return;
    }
    rj_nmat_init(acc, 0, 0);
    rj_nmat_init(T, 0, 0);
    rj_nmat_set(acc, s->stack + s->len - 1);
    for (i = s->len - 2; i >= 0; i--) {
        rj_nmat_mul(T, acc, s->stack + i, s->prec);
        rj_nmat_swap(acc, T);
    }
    s->len = 0;
    rj_nmat_swap(P, acc);
    rj_nmat_clear(acc);
    rj_nmat_clear(T);
}

void
rj_nmat_prod(rj_nmat_t P, const rj_nmat_struct *F, slong n, slong prec)
{
    slong i;
    rj_nmat_prod_t s;
    RJ_ASSERT(n >= 1);
    rj_nmat_prod_init(s, prec);
    for (i = 0; i < n; i++)
        rj_nmat_prod_push(s, F + i);
    rj_nmat_prod_finish(P, s, fmpz_mat_nrows(F[0].m));
    rj_nmat_prod_clear(s);
}
