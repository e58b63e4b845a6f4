/* resjac precise layer: real intervals and enclosures of the activations.
 *
 * An rj_itv_t is [lo, hi] with lo <= hi; every operation rounds lo down and hi
 * up, so the true value (or set) is always inside.  The activations are
 * monotone (tanh, sigmoid, relu, leaky_relu with a positive slope) or handled
 * piece by piece, and their derivatives are even functions decreasing in |t|
 * (tanh' = sech^2, sigmoid' = sech(t/2)^2 / 4) [PB 2].  gelu, gelu_tanh, silu,
 * softplus and elu are enclosed in smooth.c [PB 2.4 - 2.7]. */
#include <flint/fmpq.h>

#include "precise_internal.h"

int
rj_precise_check_prec(slong prec, rj_error_t err)
{
    if (prec < RJ_PRECISE_PREC_MIN || prec > RJ_PRECISE_PREC_MAX)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "precision %ld bits is outside the limit [%d, %d] "
                            "(RJ_PRECISE_PREC_MIN, RJ_PRECISE_PREC_MAX)",
                            (long) prec, RJ_PRECISE_PREC_MIN, RJ_PRECISE_PREC_MAX);
    return RJ_OK;
}

void
_rjp_rad_init(mpfr_t r)
{
    mpfr_init2(r, RJ_RAD_PREC);
    mpfr_set_zero(r, 1);
}

void
_rjp_rad_add_ulp(mpfr_t rad, const mpfr_t mid, int inexact)
{
    if (!inexact)
        return;
    {
        RJP_RAD_TMP(u);
        if (mpfr_zero_p(mid) || !mpfr_number_p(mid))
            mpfr_set_ui_2exp(u, 1, mpfr_get_emin(), MPFR_RNDU);
        else
            mpfr_set_ui_2exp(u, 1, mpfr_get_exp(mid) - (mpfr_exp_t) mpfr_get_prec(mid),
                             MPFR_RNDU);
        mpfr_add(rad, rad, u, MPFR_RNDU);
    }
}

int
_rjp_get_fmpz_scaled(fmpz_t z, mpfr_srcptr x, slong shift, mpz_t tmp)
{
    mpfr_exp_t e;
    slong s;
    if (mpfr_zero_p(x)) {
        fmpz_zero(z);
        return 0;
    }
    e = mpfr_get_z_2exp(tmp, x);     /* x = tmp 2^e exactly */
    fmpz_set_mpz(z, tmp);
    s = (slong) e + shift;
    if (s >= 0) {
        fmpz_mul_2exp(z, z, s);
        return 0;
    } else {
        int inexact = (slong) fmpz_val2(z) < -s;
        fmpz_t h;
        fmpz_init(h);
        fmpz_one(h);
        fmpz_mul_2exp(h, h, -s - 1);
        fmpz_add(z, z, h);
        fmpz_fdiv_q_2exp(z, z, -s);   /* floor(x 2^shift + 1/2) */
        fmpz_clear(h);
        return inexact;
    }
}

void
_rjp_fmpq_set_mpfr(fmpq_t q, const mpfr_t x)
{
    mpz_t m;
    mpfr_exp_t e;
    fmpz_t num;

    if (mpfr_zero_p(x)) {
        fmpq_zero(q);
        return;
    }
    mpz_init(m);
    fmpz_init(num);
    e = mpfr_get_z_2exp(m, x);
    fmpz_set_mpz(num, m);
    if (e >= 0) {
        fmpz_mul_2exp(fmpq_numref(q), num, e);
        fmpz_one(fmpq_denref(q));
    } else {
        fmpz_set(fmpq_numref(q), num);
        fmpz_one(fmpq_denref(q));
        fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), -e);
        fmpq_canonicalise(q);
    }
    fmpz_clear(num);
    mpz_clear(m);
}

/* ------------------------------------------------------------ basics */

void
rj_itv_init(rj_itv_t x, slong prec)
{
    mpfr_init2(x->lo, prec);
    mpfr_init2(x->hi, prec);
    mpfr_set_zero(x->lo, 1);
    mpfr_set_zero(x->hi, 1);
}

void
rj_itv_clear(rj_itv_t x)
{
    mpfr_clear(x->lo);
    mpfr_clear(x->hi);
}

void
rj_itv_set(rj_itv_t x, const rj_itv_t y)
{
    if (x == y)
        return;
    mpfr_set(x->lo, y->lo, MPFR_RNDD);
    mpfr_set(x->hi, y->hi, MPFR_RNDU);
}

void
rj_itv_set_fmpq(rj_itv_t x, const fmpq_t q)
{
    fmpq_get_mpfr(x->lo, q, MPFR_RNDD);
    fmpq_get_mpfr(x->hi, q, MPFR_RNDU);
}

void
rj_itv_set_mid_rad(rj_itv_t x, const mpfr_t mid, const mpfr_t rad)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(x->lo));
    mpfr_sub(t, mid, rad, MPFR_RNDD);
    mpfr_add(x->hi, mid, rad, MPFR_RNDU);
    mpfr_swap(x->lo, t);
    mpfr_clear(t);
}

void
rj_itv_get_mid_rad(mpfr_t mid, mpfr_t rad, const rj_itv_t x)
{
    mpfr_t m, a, b;
    mpfr_init2(m, mpfr_get_prec(mid));
    mpfr_init2(a, RJ_RAD_PREC);
    mpfr_init2(b, RJ_RAD_PREC);
    if (mpfr_equal_p(x->lo, x->hi)) {
        mpfr_set(m, x->lo, MPFR_RNDN);
    } else {
        /* (lo + hi) / 2 rounded to nearest; any m works, the radius covers it */
        mpfr_add(m, x->lo, x->hi, MPFR_RNDN);
        mpfr_div_2ui(m, m, 1, MPFR_RNDN);
    }
    mpfr_sub(a, m, x->lo, MPFR_RNDU);
    mpfr_sub(b, x->hi, m, MPFR_RNDU);
    if (mpfr_cmp(b, a) > 0)
        mpfr_swap(a, b);
    if (mpfr_sgn(a) < 0)
        mpfr_set_zero(a, 1);
    if (mpfr_zero_p(m))
        mpfr_set_zero(m, 1);   /* no "-0" in output */
    mpfr_set(mid, m, MPFR_RNDN);   /* same precision: exact (mid may be a matrix entry) */
    mpfr_set(rad, a, MPFR_RNDU);
    mpfr_clear(m);
    mpfr_clear(a);
    mpfr_clear(b);
}

int
rj_itv_contains_fmpq(const rj_itv_t x, const fmpq_t q)
{
    mpq_t t;
    int ok;
    mpq_init(t);
    fmpq_get_mpq(t, q);
    ok = mpfr_cmp_q(x->lo, t) <= 0 && mpfr_cmp_q(x->hi, t) >= 0;
    mpq_clear(t);
    return ok;
}

int
rj_itv_contains_mpfr(const rj_itv_t x, const mpfr_t v)
{
    return mpfr_lessequal_p(x->lo, v) && mpfr_lessequal_p(v, x->hi);
}

int
rj_itv_overlaps(const rj_itv_t x, const rj_itv_t y)
{
    return mpfr_lessequal_p(x->lo, y->hi) && mpfr_lessequal_p(y->lo, x->hi);
}

void
rj_itv_width(mpfr_t w, const rj_itv_t x)
{
    mpfr_sub(w, x->hi, x->lo, MPFR_RNDU);
}

int
rj_itv_is_finite(const rj_itv_t x)
{
    return mpfr_number_p(x->lo) && mpfr_number_p(x->hi);
}

/* ------------------------------------------------------------ arithmetic */

void
rj_itv_neg(rj_itv_t z, const rj_itv_t x)
{
    rj_itv_set(z, x);                      /* outward to z's precision */
    mpfr_neg(z->lo, z->lo, MPFR_RNDU);     /* exact */
    mpfr_neg(z->hi, z->hi, MPFR_RNDD);
    mpfr_swap(z->lo, z->hi);
}

void
rj_itv_abs(rj_itv_t z, const rj_itv_t x)
{
    if (mpfr_sgn(x->hi) <= 0 || mpfr_sgn(x->lo) >= 0) {
        if (mpfr_sgn(x->lo) >= 0)
            rj_itv_set(z, x);
        else
            rj_itv_neg(z, x);
        return;
    }
    rj_itv_set(z, x);                      /* lo < 0 < hi: [0, max(-lo, hi)] */
    mpfr_neg(z->lo, z->lo, MPFR_RNDU);
    mpfr_max(z->hi, z->hi, z->lo, MPFR_RNDU);
    mpfr_set_zero(z->lo, 1);
}

void
rj_itv_add(rj_itv_t z, const rj_itv_t x, const rj_itv_t y)
{
    mpfr_add(z->lo, x->lo, y->lo, MPFR_RNDD);
    mpfr_add(z->hi, x->hi, y->hi, MPFR_RNDU);
}

void
rj_itv_sub(rj_itv_t z, const rj_itv_t x, const rj_itv_t y)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(z->lo));
    mpfr_sub(t, x->lo, y->hi, MPFR_RNDD);
    mpfr_sub(z->hi, x->hi, y->lo, MPFR_RNDU);
    mpfr_swap(z->lo, t);
    mpfr_clear(t);
}

/* z = the hull of the four end products (or quotients) of x and y: each
   taken rounded down for the lower end and rounded up for the upper. */
static void
itv_mul_div(rj_itv_t z, const rj_itv_t x, const rj_itv_t y,
            int (*f)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t))
{
    mpfr_prec_t p = mpfr_get_prec(z->lo);
    mpfr_t lo, hi, t;
    int i;
    mpfr_inits2(p, lo, hi, t, (mpfr_ptr) 0);
    for (i = 0; i < 4; i++) {
        mpfr_srcptr a = i < 2 ? x->lo : x->hi, b = i % 2 == 0 ? y->lo : y->hi;
        f(t, a, b, MPFR_RNDD);
        if (i == 0)
            mpfr_set(lo, t, MPFR_RNDD);
        else
            mpfr_min(lo, lo, t, MPFR_RNDD);
        f(t, a, b, MPFR_RNDU);
        if (i == 0)
            mpfr_set(hi, t, MPFR_RNDU);
        else
            mpfr_max(hi, hi, t, MPFR_RNDU);
    }
    mpfr_swap(z->lo, lo);
    mpfr_swap(z->hi, hi);
    mpfr_clears(lo, hi, t, (mpfr_ptr) 0);
}

void
rj_itv_mul(rj_itv_t z, const rj_itv_t x, const rj_itv_t y)
{
    itv_mul_div(z, x, y, mpfr_mul);
}

void
rj_itv_div(rj_itv_t z, const rj_itv_t x, const rj_itv_t y)
{
    itv_mul_div(z, x, y, mpfr_div);
}

void
rj_itv_pow_si(rj_itv_t z, const rj_itv_t x, slong k)
{
    mpfr_prec_t p = mpfr_get_prec(z->lo);
    mpfr_t lo, hi, m;
    ulong e = k < 0 ? -(ulong) k : (ulong) k;
    mpfr_inits2(p, lo, hi, m, (mpfr_ptr) 0);
    mpfr_set(lo, x->lo, MPFR_RNDD);
    mpfr_set(hi, x->hi, MPFR_RNDU);
    if (k < 0) {                       /* 1/[lo, hi] = [1/hi, 1/lo], 0 outside */
        mpfr_ui_div(m, 1, hi, MPFR_RNDD);
        mpfr_ui_div(hi, 1, lo, MPFR_RNDU);
        mpfr_set(lo, m, MPFR_RNDD);
    }
    if (e == 0) {
        mpfr_set_ui(z->lo, 1, MPFR_RNDD);
        mpfr_set_ui(z->hi, 1, MPFR_RNDU);
    } else if (e % 2 == 1 || mpfr_sgn(lo) >= 0) {     /* increasing */
        mpfr_pow_ui(z->lo, lo, e, MPFR_RNDD);
        mpfr_pow_ui(z->hi, hi, e, MPFR_RNDU);
    } else if (mpfr_sgn(hi) <= 0) {                    /* even power, decreasing */
        mpfr_pow_ui(z->lo, hi, e, MPFR_RNDD);
        mpfr_pow_ui(z->hi, lo, e, MPFR_RNDU);
    } else {                                           /* even power over 0 */
        mpfr_abs(m, lo, MPFR_RNDU);
        mpfr_max(m, m, hi, MPFR_RNDU);
        mpfr_set_ui(z->lo, 0, MPFR_RNDD);
        mpfr_pow_ui(z->hi, m, e, MPFR_RNDU);
    }
    mpfr_clears(lo, hi, m, (mpfr_ptr) 0);
}

int
rj_itv_cmp_fmpq(const rj_itv_t x, const fmpq_t q)
{
    mpq_t t;
    int a, b;
    mpq_init(t);
    fmpq_get_mpq(t, q);
    a = mpfr_cmp_q(x->lo, t);
    b = mpfr_cmp_q(x->hi, t);
    mpq_clear(t);
    if (b < 0)
        return -1;
    if (a > 0)
        return 1;
    if (a == 0 && b == 0)
        return 2;
    return 0;
}

/* ------------------------------------------------------------ tanh, sigmoid */

void
_rjp_itv_increasing(rj_itv_t z, const rj_itv_t x,
                    int (*f)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t))
{
    mpfr_t a;
    mpfr_init2(a, mpfr_get_prec(z->lo));
    f(a, x->lo, MPFR_RNDD);
    f(z->hi, x->hi, MPFR_RNDU);
    mpfr_swap(z->lo, a);
    mpfr_clear(a);
}

/* Both increasing: the image of [lo, hi] is [f(lo), f(hi)], each endpoint
   rounded outward [PB 2]. */
void
rj_itv_tanh(rj_itv_t y, const rj_itv_t x)
{
    _rjp_itv_increasing(y, x, mpfr_tanh);
}

/* sigmoid(t) = 1 / (1 + exp(-t)): a lower bound rounds exp(-t) up, the sum up
   and the quotient down; an upper bound the other way round. */
static void
sigmoid_round(mpfr_t r, const mpfr_t t, int up)
{
    mpfr_t e;
    mpfr_init2(e, FLINT_MAX((slong) mpfr_get_prec(r) + 8, (slong) mpfr_get_prec(t)));
    mpfr_neg(e, t, MPFR_RNDN);   /* exact: e is at least as precise as t */
    mpfr_exp(e, e, up ? MPFR_RNDD : MPFR_RNDU);
    mpfr_add_ui(e, e, 1, up ? MPFR_RNDD : MPFR_RNDU);
    mpfr_ui_div(r, 1, e, up ? MPFR_RNDU : MPFR_RNDD);
    mpfr_clear(e);
}

void
rj_itv_sigmoid(rj_itv_t y, const rj_itv_t x)
{
    mpfr_t a;
    mpfr_init2(a, mpfr_get_prec(y->lo));
    sigmoid_round(a, x->lo, 0);
    sigmoid_round(y->hi, x->hi, 1);
    mpfr_swap(y->lo, a);
    mpfr_clear(a);
}

/* For an even function decreasing in |t|: the largest value over [lo, hi] is at
   the point of smallest |t| (0 when lo <= 0 <= hi), the smallest at the point
   of largest |t|.  g(t, up) gives g(t) rounded up or down. */
static void
even_decreasing(rj_itv_t y, const rj_itv_t x,
                void (*g)(mpfr_t r, const mpfr_t t, int up))
{
    mpfr_t near, far, a;
    slong p = FLINT_MAX(mpfr_get_prec(x->lo), mpfr_get_prec(x->hi));
    mpfr_init2(near, p);
    mpfr_init2(far, p);
    mpfr_init2(a, mpfr_get_prec(y->lo));
    if (mpfr_sgn(x->lo) <= 0 && mpfr_sgn(x->hi) >= 0) {
        mpfr_set_zero(near, 1);
        if (mpfr_cmpabs(x->lo, x->hi) > 0)
            mpfr_abs(far, x->lo, MPFR_RNDN);
        else
            mpfr_abs(far, x->hi, MPFR_RNDN);
    } else if (mpfr_sgn(x->lo) > 0) {
        mpfr_set(near, x->lo, MPFR_RNDN);
        mpfr_set(far, x->hi, MPFR_RNDN);
    } else {
        mpfr_abs(near, x->hi, MPFR_RNDN);
        mpfr_abs(far, x->lo, MPFR_RNDN);
    }
    g(a, far, 0);
    g(y->hi, near, 1);
    mpfr_swap(y->lo, a);
    mpfr_clear(near);
    mpfr_clear(far);
    mpfr_clear(a);
}

/* sech(t)^2 = 1 - tanh(t)^2 computed as a square of MPFR's correctly rounded
   sech (no cancellation for large |t|); sech > 0, so rounding both steps in
   one direction gives a bound in that direction. */
static void
sech2_round(mpfr_t r, const mpfr_t t, int up)
{
    mpfr_rnd_t d = up ? MPFR_RNDU : MPFR_RNDD;
    mpfr_t s;
    mpfr_init2(s, mpfr_get_prec(r) + 8);
    mpfr_sech(s, t, d);
    mpfr_sqr(r, s, d);
    mpfr_clear(s);
}

/* sigmoid'(t) = s(t)(1 - s(t)) = sech(t/2)^2 / 4. */
static void
dsigmoid_round(mpfr_t r, const mpfr_t t, int up)
{
    mpfr_t h;
    mpfr_init2(h, mpfr_get_prec(t));
    mpfr_div_2ui(h, t, 1, MPFR_RNDN);   /* exact */
    sech2_round(r, h, up);
    mpfr_div_2ui(r, r, 2, up ? MPFR_RNDU : MPFR_RNDD);
    mpfr_clear(h);
}

void
rj_itv_tanh_deriv(rj_itv_t y, const rj_itv_t x)
{
    even_decreasing(y, x, sech2_round);
}

void
rj_itv_sigmoid_deriv(rj_itv_t y, const rj_itv_t x)
{
    even_decreasing(y, x, dsigmoid_round);
}

/* ------------------------------------------------------------ piecewise linear */

/* y = s * [lo, hi] for a rational s, rounded outward. */
static void
itv_mul_fmpq(rj_itv_t y, const mpfr_t lo, const mpfr_t hi, const fmpq_t s)
{
    mpq_t q;
    mpfr_t a, b;
    mpq_init(q);
    fmpq_get_mpq(q, s);
    mpfr_init2(a, mpfr_get_prec(y->lo));
    mpfr_init2(b, mpfr_get_prec(y->hi));
    if (fmpq_sgn(s) >= 0) {
        mpfr_mul_q(a, lo, q, MPFR_RNDD);
        mpfr_mul_q(b, hi, q, MPFR_RNDU);
    } else {
        mpfr_mul_q(a, hi, q, MPFR_RNDD);
        mpfr_mul_q(b, lo, q, MPFR_RNDU);
    }
    mpfr_swap(y->lo, a);
    mpfr_swap(y->hi, b);
    mpfr_clear(a);
    mpfr_clear(b);
    mpq_clear(q);
}

static void
itv_hull_into(rj_itv_t y, const rj_itv_t z)
{
    if (mpfr_less_p(z->lo, y->lo))
        mpfr_set(y->lo, z->lo, MPFR_RNDD);
    if (mpfr_greater_p(z->hi, y->hi))
        mpfr_set(y->hi, z->hi, MPFR_RNDU);
}

void
rj_itv_act(rj_itv_t y, rj_itv_t dy, int *tie, const rj_act_t act, const rj_itv_t x)
{
    int pos = mpfr_sgn(x->lo) > 0, neg = mpfr_sgn(x->hi) < 0;
    int kink = act->kind == RJ_ACT_RELU
        || (act->kind == RJ_ACT_LEAKY_RELU && !fmpq_is_one(act->slope));

    if (tie != NULL)
        *tie = 0;
    switch (act->kind) {
    case RJ_ACT_TANH:
        if (dy != NULL)
            rj_itv_tanh_deriv(dy, x);
        if (y != NULL)
            rj_itv_tanh(y, x);
        return;
    case RJ_ACT_SIGMOID:
        if (dy != NULL)
            rj_itv_sigmoid_deriv(dy, x);
        if (y != NULL)
            rj_itv_sigmoid(y, x);
        return;
    case RJ_ACT_RELU:
    case RJ_ACT_LEAKY_RELU:
        break;
    case RJ_ACT_GELU:
    case RJ_ACT_GELU_TANH:
    case RJ_ACT_SOFTPLUS:
    case RJ_ACT_SILU:
    case RJ_ACT_ELU: {
        int t;
        _rjp_itv_act_smooth(y, dy, &t, act, x);
        if (tie != NULL)
            *tie = t;
        return;
    }
    default:  /* identity */
        if (dy != NULL) {
            mpfr_set_ui(dy->lo, 1, MPFR_RNDD);
            mpfr_set_ui(dy->hi, 1, MPFR_RNDU);
        }
        if (y != NULL)
            rj_itv_set(y, x);
        return;
    }

    /* relu (slope 0) or leaky_relu (slope a): t for t >= 0, a t for t < 0 */
    if (dy != NULL) {
        rj_itv_t s;
        rj_itv_init(s, mpfr_get_prec(dy->lo));
        if (act->kind == RJ_ACT_LEAKY_RELU)
            rj_itv_set_fmpq(s, act->slope);
        if (pos) {
            mpfr_set_ui(dy->lo, 1, MPFR_RNDD);
            mpfr_set_ui(dy->hi, 1, MPFR_RNDU);
        } else if (neg) {
            rj_itv_set(dy, s);
        } else {
            /* 0 in x: the Clarke derivative is the hull of both sides */
            rj_itv_t one;
            rj_itv_init(one, 2);
            mpfr_set_ui(one->lo, 1, MPFR_RNDD);
            mpfr_set_ui(one->hi, 1, MPFR_RNDU);
            rj_itv_set(dy, s);
            itv_hull_into(dy, one);
            rj_itv_clear(one);
            if (tie != NULL && kink)
                *tie = 1;
        }
        rj_itv_clear(s);
    }
    if (y != NULL) {
        if (pos) {
            rj_itv_set(y, x);
        } else {
            rj_itv_t a, b;
            mpfr_t z;
            rj_itv_init(a, mpfr_get_prec(y->lo));
            rj_itv_init(b, mpfr_get_prec(y->lo));
            mpfr_init2(z, 2);
            mpfr_set_zero(z, 1);
            /* negative part: slope * [lo, min(hi, 0)] */
            if (act->kind == RJ_ACT_RELU) {
                mpfr_set_zero(a->lo, 1);
                mpfr_set_zero(a->hi, 1);
            } else {
                itv_mul_fmpq(a, x->lo, neg ? x->hi : z, act->slope);
            }
            if (!neg) {
                /* positive part [0, hi] */
                mpfr_set_zero(b->lo, 1);
                mpfr_set(b->hi, x->hi, MPFR_RNDU);
                itv_hull_into(a, b);
            }
            rj_itv_set(y, a);
            mpfr_clear(z);
            rj_itv_clear(a);
            rj_itv_clear(b);
        }
    }
}
