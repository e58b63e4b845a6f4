/* resjac precise layer: enclosures of the smooth activations gelu (erf and
 * tanh forms), silu, softplus and elu, and of their derivatives, over an
 * interval [PB 2.4 - 2.7].
 *
 * softplus and elu and their derivatives are monotone: the image of [a, b] is
 * spanned by the values at a and b, each rounded outward.  gelu, gelu_tanh
 * and silu are not monotone (a minimum near -0.75, -0.75, -1.28) and neither
 * are their derivatives; for them g in {f, f'} is enclosed by the splitting
 * algorithm of [PB 2.6]: a piece where an enclosure of g' has one sign is
 * monotone and enclosed by its end values, a piece where it has not is split,
 * and a piece small enough (or past the budget) is enclosed by the mean-value
 * form g(m) + g'(piece) (piece - m).  Every enclosure of a derivative used
 * there is the natural interval extension of a closed formula [PB 2.5]. */
#include <flint/fmpq.h>

#include "precise_internal.h"

/* Guard bits of the point evaluations and of the formulas' temporaries. */
#define SMOOTH_GUARD 16
/* Splitting budget: at most this many pieces per bit of precision. */
#define SMOOTH_PIECES_PER_BIT 8

/* ------------------------------------------------------------ monotone elementary intervals */

static void
itv_set_ui(rj_itv_t x, ulong k)
{
    mpfr_set_ui(x->lo, k, MPFR_RNDD);
    mpfr_set_ui(x->hi, k, MPFR_RNDU);
}

static void
itv_set_si(rj_itv_t x, slong k)
{
    mpfr_set_si(x->lo, k, MPFR_RNDD);
    mpfr_set_si(x->hi, k, MPFR_RNDU);
}

/* z = x 2^e (exact unless the exponent range is left; then outward). */
static void
itv_mul_2si(rj_itv_t z, const rj_itv_t x, slong e)
{
    mpfr_mul_2si(z->lo, x->lo, e, MPFR_RNDD);
    mpfr_mul_2si(z->hi, x->hi, e, MPFR_RNDU);
}

static void
itv_exp(rj_itv_t z, const rj_itv_t x)
{
    _rjp_itv_increasing(z, x, mpfr_exp);
}

/* sqrt over x with x >= 0 known of the true value (a negative lower end,
   only possible through rounding of a nonnegative quantity, becomes 0). */
static void
itv_sqrt(rj_itv_t z, const rj_itv_t x)
{
    mpfr_t a;
    mpfr_init2(a, mpfr_get_prec(z->lo));
    if (mpfr_sgn(x->lo) < 0)
        mpfr_set_zero(a, 1);
    else
        mpfr_sqrt(a, x->lo, MPFR_RNDD);
    if (mpfr_sgn(x->hi) < 0)
        mpfr_set_zero(z->hi, 1);
    else
        mpfr_sqrt(z->hi, x->hi, MPFR_RNDU);
    mpfr_swap(z->lo, a);
    mpfr_clear(a);
}

/* Phi(x) = erfc(-x / sqrt 2) / 2 (no cancellation for x << 0); erfc is
   decreasing, so the lower end comes from the upper end of -x/sqrt 2. */
static void
itv_phi_cdf(rj_itv_t z, const rj_itv_t x)
{
    slong p = mpfr_get_prec(z->lo);
    rj_itv_t r, y;
    mpfr_t a;
    rj_itv_init(r, p);
    rj_itv_init(y, p);
    mpfr_init2(a, p);
    itv_set_ui(r, 1);
    itv_mul_2si(r, r, -1);
    itv_sqrt(r, r);                 /* 1/sqrt 2 */
    rj_itv_neg(y, x);
    rj_itv_mul(y, y, r);
    mpfr_erfc(a, y->hi, MPFR_RNDD);
    mpfr_erfc(z->hi, y->lo, MPFR_RNDU);
    mpfr_swap(z->lo, a);
    itv_mul_2si(z, z, -1);
    mpfr_clear(a);
    rj_itv_clear(r);
    rj_itv_clear(y);
}

/* phi(x) = exp(-x^2 / 2) / sqrt(2 pi). */
static void
itv_phi_pdf(rj_itv_t z, const rj_itv_t x)
{
    slong p = mpfr_get_prec(z->lo);
    rj_itv_t c, t;
    rj_itv_init(c, p);
    rj_itv_init(t, p);
    mpfr_const_pi(c->lo, MPFR_RNDD);
    mpfr_const_pi(c->hi, MPFR_RNDU);
    itv_mul_2si(c, c, 1);
    itv_sqrt(c, c);
    rj_itv_pow_si(t, x, 2);
    rj_itv_neg(t, t);
    itv_mul_2si(t, t, -1);
    itv_exp(t, t);
    rj_itv_div(z, t, c);
    rj_itv_clear(c);
    rj_itv_clear(t);
}

/* ------------------------------------------------------------ the formulas [PB 2.5] */

/* y contains g(t) for every t in x, g = f (order 0), f' (1) or f'' (2) of the
   activation, by the natural interval extension of the closed formulas
     gelu       f = x Phi,  f' = Phi + x phi,  f'' = phi (2 - x^2);
     silu       s = sigmoid(x), s~ = sigmoid(-x) (= 1 - s):
                f = x s,  f' = s (1 + x s~),  f'' = s s~ (2 - x tanh(x/2));
     gelu_tanh  u = k (x + a x^3), k = sqrt(2/pi), a = 44715/10^6,
                u1 = k (1 + 3 a x^2), u2 = 6 a k x,
                r = sigmoid(2u), r~ = sigmoid(-2u):
                f = x r,  f' = r + 2 x u1 r r~,
                f'' = 2 r r~ (2 u1 + x u2 - 2 x u1^2 tanh(u)).
   Computed at y's precision. */
static void
smooth_formula(rj_itv_t y, const rj_itv_t x, int order, rj_act_kind kind)
{
    slong p = mpfr_get_prec(y->lo);
    rj_itv_t s, sb, t, v, w;
    rj_itv_init(s, p);
    rj_itv_init(sb, p);
    rj_itv_init(t, p);
    rj_itv_init(v, p);
    rj_itv_init(w, p);
    if (kind == RJ_ACT_GELU) {
        if (order == 0) {
            itv_phi_cdf(s, x);
            rj_itv_mul(y, x, s);
        } else if (order == 1) {
            itv_phi_cdf(s, x);
            itv_phi_pdf(t, x);
            rj_itv_mul(t, t, x);
            rj_itv_add(y, s, t);
        } else {
            itv_phi_pdf(s, x);
            rj_itv_pow_si(t, x, 2);
            itv_set_ui(v, 2);
            rj_itv_sub(t, v, t);
            rj_itv_mul(y, s, t);
        }
    } else if (kind == RJ_ACT_SILU) {
        rj_itv_sigmoid(s, x);
        rj_itv_neg(t, x);
        rj_itv_sigmoid(sb, t);
        if (order == 0) {
            rj_itv_mul(y, x, s);
        } else if (order == 1) {
            rj_itv_mul(t, x, sb);
            itv_set_ui(v, 1);
            rj_itv_add(t, t, v);
            rj_itv_mul(y, s, t);
        } else {
            itv_mul_2si(t, x, -1);
            rj_itv_tanh(t, t);
            rj_itv_mul(t, t, x);
            itv_set_ui(v, 2);
            rj_itv_sub(t, v, t);
            rj_itv_mul(v, s, sb);
            rj_itv_mul(y, v, t);
        }
    } else {   /* RJ_ACT_GELU_TANH */
        rj_itv_t k, a, u, u1;
        fmpq_t q;
        rj_itv_init(k, p);
        rj_itv_init(a, p);
        rj_itv_init(u, p);
        rj_itv_init(u1, p);
        fmpq_init(q);
        mpfr_const_pi(t->lo, MPFR_RNDD);
        mpfr_const_pi(t->hi, MPFR_RNDU);
        itv_set_ui(v, 2);
        rj_itv_div(k, v, t);
        itv_sqrt(k, k);                               /* sqrt(2/pi) */
        fmpq_set_si(q, 44715, 1000000);
        rj_itv_set_fmpq(a, q);
        rj_itv_pow_si(t, x, 3);
        rj_itv_mul(t, t, a);
        rj_itv_add(t, t, x);
        rj_itv_mul(u, t, k);                          /* u */
        itv_mul_2si(t, u, 1);
        rj_itv_sigmoid(s, t);                         /* r */
        rj_itv_neg(t, t);
        rj_itv_sigmoid(sb, t);                        /* r~ */
        rj_itv_pow_si(t, x, 2);
        rj_itv_mul(t, t, a);
        itv_set_ui(v, 3);
        rj_itv_mul(t, t, v);
        itv_set_ui(v, 1);
        rj_itv_add(t, t, v);
        rj_itv_mul(u1, t, k);                         /* u1 */
        if (order == 0) {
            rj_itv_mul(y, x, s);
        } else if (order == 1) {
            rj_itv_mul(t, s, sb);
            rj_itv_mul(t, t, u1);
            rj_itv_mul(t, t, x);
            itv_mul_2si(t, t, 1);
            rj_itv_add(y, s, t);
        } else {
            /* w = 2 u1 + x u2 - 2 x u1^2 tanh(u), u2 = 6 a k x */
            itv_mul_2si(w, u1, 1);
            rj_itv_pow_si(t, x, 2);
            rj_itv_mul(t, t, a);
            rj_itv_mul(t, t, k);
            itv_set_si(v, 6);
            rj_itv_mul(t, t, v);
            rj_itv_add(w, w, t);
            rj_itv_tanh(t, u);
            rj_itv_pow_si(v, u1, 2);
            rj_itv_mul(t, t, v);
            rj_itv_mul(t, t, x);
            itv_mul_2si(t, t, 1);
            rj_itv_sub(w, w, t);
            rj_itv_mul(t, s, sb);
            itv_mul_2si(t, t, 1);
            rj_itv_mul(y, t, w);
        }
        fmpq_clear(q);
        rj_itv_clear(k);
        rj_itv_clear(a);
        rj_itv_clear(u);
        rj_itv_clear(u1);
    }
    rj_itv_clear(s);
    rj_itv_clear(sb);
    rj_itv_clear(t);
    rj_itv_clear(v);
    rj_itv_clear(w);
}

/* ------------------------------------------------------------ splitting [PB 2.6] */

/* g^(order) at the single point t, into z (z's precision), computed with
   SMOOTH_GUARD more bits and rounded outward. */
static void
smooth_point(rj_itv_t z, mpfr_srcptr t, int order, rj_act_kind kind)
{
    rj_itv_t x, y;
    rj_itv_init(x, mpfr_get_prec(t));
    rj_itv_init(y, mpfr_get_prec(z->lo) + SMOOTH_GUARD);
    mpfr_set(x->lo, t, MPFR_RNDN);    /* same precision: exact */
    mpfr_set(x->hi, t, MPFR_RNDN);
    smooth_formula(y, x, order, kind);
    rj_itv_set(z, y);
    rj_itv_clear(x);
    rj_itv_clear(y);
}

static void
itv_hull_with(rj_itv_t y, const rj_itv_t z, int *first)
{
    if (*first) {
        mpfr_set(y->lo, z->lo, MPFR_RNDD);
        mpfr_set(y->hi, z->hi, MPFR_RNDU);
        *first = 0;
        return;
    }
    if (mpfr_less_p(z->lo, y->lo))
        mpfr_set(y->lo, z->lo, MPFR_RNDD);
    if (mpfr_greater_p(z->hi, y->hi))
        mpfr_set(y->hi, z->hi, MPFR_RNDU);
}

static void
itv_set_whole_line(rj_itv_t y)
{
    mpfr_set_inf(y->lo, -1);
    mpfr_set_inf(y->hi, 1);
}

/* y contains g^(order)(t) for every t in x (order 0: the value, 1: the
   derivative of a gelu, gelu_tanh or silu activation). */
static void
smooth_range(rj_itv_t y, const rj_itv_t x, int order, rj_act_kind kind)
{
    slong p = mpfr_get_prec(y->lo), px, top, budget, used = 0, cap = 0, len = 0;
    mpfr_t *stk, m, small;
    rj_itv_t d, z, piece;
    int first = 1, ok = 1;

    if (!rj_itv_is_finite(x) || mpfr_greater_p(x->lo, x->hi)) {
        itv_set_whole_line(y);
        return;
    }
    if (mpfr_equal_p(x->lo, x->hi)) {
        smooth_point(y, x->lo, order, kind);
        if (!rj_itv_is_finite(y))
            itv_set_whole_line(y);
        return;
    }
    px = FLINT_MAX(FLINT_MAX(mpfr_get_prec(x->lo), mpfr_get_prec(x->hi)), p) + 8;
    budget = SMOOTH_PIECES_PER_BIT * (p + 64);
    rj_itv_init(d, p + SMOOTH_GUARD);
    rj_itv_init(z, p);
    rj_itv_init(piece, px);
    mpfr_init2(m, px);
    mpfr_init2(small, 32);
    /* pieces narrower than 2^(top - p/2 - 8), top the exponent of the larger
       end (at least 1), take the mean-value form (error O(width^2) near a
       critical point, [PB 2.6]) */
    top = 1;
    if (!mpfr_zero_p(x->lo))
        top = FLINT_MAX(top, (slong) mpfr_get_exp(x->lo));
    if (!mpfr_zero_p(x->hi))
        top = FLINT_MAX(top, (slong) mpfr_get_exp(x->hi));
    mpfr_set_ui_2exp(small, 1, top - p / 2 - 8, MPFR_RNDN);

    /* a stack of pieces [stk[2i], stk[2i+1]] covering x; for the values, the
       parts of x in the known tails (f non-increasing on (-inf, t0],
       non-decreasing on [0, inf), [PB 2.5]) are enclosed by their ends at
       once and only the rest is stacked */
    cap = 64;
    stk = flint_malloc(2 * cap * sizeof(mpfr_t));
    mpfr_init2(stk[0], px);
    mpfr_init2(stk[1], px);
    mpfr_set(stk[0], x->lo, MPFR_RNDN);
    mpfr_set(stk[1], x->hi, MPFR_RNDN);
    len = 1;
    if (order == 0) {
        double t0 = kind == RJ_ACT_GELU ? -1.0 : (kind == RJ_ACT_SILU ? -2.0 : -1.25);
        if (mpfr_cmp_d(stk[0], t0) < 0) {          /* [lo, min(hi, t0)]: non-increasing */
            mpfr_set_d(m, t0, MPFR_RNDN);           /* exact */
            mpfr_min(m, m, stk[1], MPFR_RNDN);
            smooth_point(z, m, order, kind);
            itv_hull_with(y, z, &first);
            smooth_point(z, stk[0], order, kind);
            itv_hull_with(y, z, &first);
            mpfr_set(stk[0], m, MPFR_RNDN);
        }
        if (mpfr_sgn(stk[1]) > 0) {                 /* [max(lo, 0), hi]: non-decreasing */
            mpfr_set_zero(m, 1);
            mpfr_max(m, m, stk[0], MPFR_RNDN);
            smooth_point(z, m, order, kind);
            itv_hull_with(y, z, &first);
            smooth_point(z, stk[1], order, kind);
            itv_hull_with(y, z, &first);
            mpfr_set(stk[1], m, MPFR_RNDN);
        }
        if (mpfr_equal_p(stk[0], stk[1]) && !first) {  /* nothing left between */
            mpfr_clear(stk[0]);
            mpfr_clear(stk[1]);
            len = 0;
        }
    }
    while (len > 0 && ok) {
        len--;
        mpfr_swap(piece->lo, stk[2 * len]);
        mpfr_swap(piece->hi, stk[2 * len + 1]);
        mpfr_clear(stk[2 * len]);
        mpfr_clear(stk[2 * len + 1]);
        used++;
        smooth_formula(d, piece, order + 1, kind);
        if (!rj_itv_is_finite(d)) {
            ok = 0;
        } else if (mpfr_sgn(d->lo) >= 0) {          /* non-decreasing */
            smooth_point(z, piece->lo, order, kind);
            itv_hull_with(y, z, &first);
            smooth_point(z, piece->hi, order, kind);
            itv_hull_with(y, z, &first);
        } else if (mpfr_sgn(d->hi) <= 0) {          /* non-increasing */
            smooth_point(z, piece->hi, order, kind);
            itv_hull_with(y, z, &first);
            smooth_point(z, piece->lo, order, kind);
            itv_hull_with(y, z, &first);
        } else {
            mpfr_sub(m, piece->hi, piece->lo, MPFR_RNDU);
            if (mpfr_lessequal_p(m, small) || used + len >= budget) {
                /* mean-value form: g(m) + g'(piece) (piece - m) */
                rj_itv_t e, gm;
                rj_itv_init(e, px);
                rj_itv_init(gm, p + SMOOTH_GUARD);
                mpfr_add(m, piece->lo, piece->hi, MPFR_RNDN);
                mpfr_div_2ui(m, m, 1, MPFR_RNDN);
                mpfr_sub(e->lo, piece->lo, m, MPFR_RNDD);
                mpfr_sub(e->hi, piece->hi, m, MPFR_RNDU);
                rj_itv_mul(e, e, d);
                smooth_point(gm, m, order, kind);
                rj_itv_add(gm, gm, e);
                rj_itv_set(z, gm);
                itv_hull_with(y, z, &first);
                rj_itv_clear(e);
                rj_itv_clear(gm);
            } else {
                /* split at the midpoint (any point of the piece would do) */
                if (len + 2 > cap) {
                    cap *= 2;
                    stk = flint_realloc(stk, 2 * cap * sizeof(mpfr_t));
                }
                mpfr_add(m, piece->lo, piece->hi, MPFR_RNDN);
                mpfr_div_2ui(m, m, 1, MPFR_RNDN);
                mpfr_init2(stk[2 * len], px);
                mpfr_init2(stk[2 * len + 1], px);
                mpfr_set(stk[2 * len], m, MPFR_RNDN);
                mpfr_set(stk[2 * len + 1], piece->hi, MPFR_RNDN);
                mpfr_init2(stk[2 * len + 2], px);
                mpfr_init2(stk[2 * len + 3], px);
                mpfr_set(stk[2 * len + 2], piece->lo, MPFR_RNDN);
                mpfr_set(stk[2 * len + 3], m, MPFR_RNDN);
                len += 2;
            }
        }
        if (ok && !first && !rj_itv_is_finite(y))
            ok = 0;
    }
    while (len > 0) {
        len--;
        mpfr_clear(stk[2 * len]);
        mpfr_clear(stk[2 * len + 1]);
    }
    flint_free(stk);
    if (!ok)
        itv_set_whole_line(y);
    mpfr_clear(m);
    mpfr_clear(small);
    rj_itv_clear(d);
    rj_itv_clear(z);
    rj_itv_clear(piece);
}

/* ------------------------------------------------------------ softplus, elu [PB 2.7] */

/* softplus_beta(t) = h(b t) / b, h(s) = log1p(exp(s)), rounded up (up = 1)
   or down [PB 2.7].  s and s2 are b t rounded towards and against the
   direction: for b t > 0, h(b t) = b t + log1p(exp(-b t)), whose first term
   is bounded by s and whose second (decreasing in b t) by its value at s2 (no
   overflow for large b t); otherwise h (increasing) is bounded by h(s).  Each
   step is rounded in the direction of the bound. */
static void
softplus_bound(mpfr_t r, const mpfr_t t, const fmpq_t beta, int up)
{
    mpfr_rnd_t dir = up ? MPFR_RNDU : MPFR_RNDD, anti = up ? MPFR_RNDD : MPFR_RNDU;
    slong p = mpfr_get_prec(r) + 8;
    mpfr_t s, s2, e;
    mpq_t q;
    mpq_init(q);
    fmpq_get_mpq(q, beta);
    mpfr_init2(s, p);
    mpfr_init2(s2, p);
    mpfr_init2(e, p);
    mpfr_mul_q(s, t, q, dir);
    mpfr_mul_q(s2, t, q, anti);
    if (mpfr_sgn(s2) > 0 && mpfr_sgn(s) > 0) {
        mpfr_neg(e, s2, MPFR_RNDN);         /* exact */
        mpfr_exp(e, e, dir);
        mpfr_log1p(e, e, dir);
        mpfr_add(e, e, s, dir);
    } else {
        mpfr_exp(e, s, dir);
        mpfr_log1p(e, e, dir);
    }
    mpfr_div_q(r, e, q, dir);
    mpfr_clear(s);
    mpfr_clear(s2);
    mpfr_clear(e);
    mpq_clear(q);
}

/* sigmoid(b t) rounded up or down. */
static void
sigmoid_scaled_round(mpfr_t r, const mpfr_t t, const fmpq_t beta, int up)
{
    rj_itv_t x, y;
    mpq_t q;
    mpq_init(q);
    fmpq_get_mpq(q, beta);
    rj_itv_init(x, mpfr_get_prec(r) + 8);
    rj_itv_init(y, mpfr_get_prec(r));
    mpfr_mul_q(x->lo, t, q, MPFR_RNDD);
    mpfr_mul_q(x->hi, t, q, MPFR_RNDU);
    rj_itv_sigmoid(y, x);
    mpfr_set(r, up ? y->hi : y->lo, up ? MPFR_RNDU : MPFR_RNDD);
    rj_itv_clear(x);
    rj_itv_clear(y);
    mpq_clear(q);
}

/* alpha e(t) rounded up or down, e = expm1 or exp (alpha > 0: rounding e
   and the product the same way bounds the result). */
static void
alpha_times_round(mpfr_t r, const mpfr_t t, const fmpq_t alpha, int up,
                  int (*e)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t))
{
    mpfr_rnd_t dir = up ? MPFR_RNDU : MPFR_RNDD;
    mpfr_t v;
    mpq_t q;
    mpq_init(q);
    fmpq_get_mpq(q, alpha);
    mpfr_init2(v, mpfr_get_prec(r) + 8);
    e(v, t, dir);
    mpfr_mul_q(r, v, q, dir);
    mpfr_clear(v);
    mpq_clear(q);
}

/* elu: alpha (exp(t) - 1) for t <= 0, t for t > 0, rounded up or down. */
static void
elu_round(mpfr_t r, const mpfr_t t, const fmpq_t alpha, int up)
{
    if (mpfr_sgn(t) > 0)
        mpfr_set(r, t, up ? MPFR_RNDU : MPFR_RNDD);
    else
        alpha_times_round(r, t, alpha, up, mpfr_expm1);
}

/* elu' on the left, alpha exp(t), rounded up or down. */
static void
elu_deriv_neg_round(mpfr_t r, const mpfr_t t, const fmpq_t alpha, int up)
{
    alpha_times_round(r, t, alpha, up, mpfr_exp);
}

/* y = [f(lo) rounded down, f(hi) rounded up] for an increasing f. */
static void
itv_increasing_q(rj_itv_t y, const rj_itv_t x, const fmpq_t c,
                 void (*f)(mpfr_t, const mpfr_t, const fmpq_t, int))
{
    mpfr_t a;
    mpfr_init2(a, mpfr_get_prec(y->lo));
    f(a, x->lo, c, 0);
    f(y->hi, x->hi, c, 1);
    mpfr_swap(y->lo, a);
    mpfr_clear(a);
}

/* ------------------------------------------------------------ entry point */

int
_rjp_itv_act_smooth(rj_itv_t y, rj_itv_t dy, int *tie, const rj_act_t act,
                    const rj_itv_t x)
{
    *tie = 0;
    switch (act->kind) {
    case RJ_ACT_GELU:
    case RJ_ACT_GELU_TANH:
    case RJ_ACT_SILU:
        if (dy != NULL)
            smooth_range(dy, x, 1, act->kind);
        if (y != NULL)
            smooth_range(y, x, 0, act->kind);
        return 1;
    case RJ_ACT_SOFTPLUS:
        if (dy != NULL)
            itv_increasing_q(dy, x, act->param, sigmoid_scaled_round);
        if (y != NULL)
            itv_increasing_q(y, x, act->param, softplus_bound);
        return 1;
    case RJ_ACT_ELU:
        if (dy != NULL) {
            int kink = !fmpq_is_one(act->param);
            if (mpfr_sgn(x->lo) > 0) {
                itv_set_ui(dy, 1);
            } else if (mpfr_sgn(x->hi) < 0) {
                itv_increasing_q(dy, x, act->param, elu_deriv_neg_round);
            } else {
                /* 0 in x: alpha exp([lo, 0]) and, for t >= 0, the right
                   derivative 1 (the Clarke set at 0 is their hull) */
                mpfr_t a;
                mpq_t q;
                mpq_init(q);
                fmpq_get_mpq(q, act->param);
                mpfr_init2(a, mpfr_get_prec(dy->lo));
                elu_deriv_neg_round(a, x->lo, act->param, 0);
                mpfr_set_q(dy->hi, q, MPFR_RNDU);
                if (mpfr_cmp_ui(a, 1) > 0)
                    mpfr_set_ui(a, 1, MPFR_RNDD);
                if (mpfr_cmp_ui(dy->hi, 1) < 0)
                    mpfr_set_ui(dy->hi, 1, MPFR_RNDU);
                mpfr_swap(dy->lo, a);
                mpfr_clear(a);
                mpq_clear(q);
                *tie = kink;
            }
        }
        if (y != NULL)
            itv_increasing_q(y, x, act->param, elu_round);
        return 1;
    default:
        return 0;
    }
}
