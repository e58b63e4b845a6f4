/* resjac precise layer: deciding a comparison with precision escalation.
 *
 * An enclosure [lo, hi] of a quantity v decides v <= q when hi <= q (proved) or
 * lo > q (refuted); otherwise it is recomputed at the next precision of the
 * escalation rule (rj_precise_next_prec, [PB 8]), and the widths seen are
 * reported with the answer UNDECIDED. */
#include <math.h>

#include "precise_internal.h"

enum { CMP_LE, CMP_GE, CMP_LT };

static double
width_log2(const rj_itv_t x)
{
    mpfr_t w;
    double d;
    mpfr_init2(w, 53);
    rj_itv_width(w, x);
    if (mpfr_zero_p(w))
        d = -INFINITY;
    else if (!mpfr_number_p(w))
        d = INFINITY;
    else {
        long e;
        double m = mpfr_get_d_2exp(&e, w, MPFR_RNDU);
        d = log2(m) + (double) e;
    }
    mpfr_clear(w);
    return d;
}

/* 1 proved, 0 refuted, -1 undecided for this enclosure. */
static int
decide_once(const rj_itv_t x, const fmpq_t q, int cmp)
{
    mpq_t t;
    int lo, hi, r = -1;
    mpq_init(t);
    fmpq_get_mpq(t, q);
    lo = mpfr_cmp_q(x->lo, t);
    hi = mpfr_cmp_q(x->hi, t);
    mpq_clear(t);
    if (!mpfr_number_p(x->lo) || !mpfr_number_p(x->hi))
        return -1;
    switch (cmp) {
    case CMP_LE:
        r = hi <= 0 ? 1 : (lo > 0 ? 0 : -1);
        break;
    case CMP_GE:
        r = lo >= 0 ? 1 : (hi < 0 ? 0 : -1);
        break;
    default:
        r = hi < 0 ? 1 : (lo >= 0 ? 0 : -1);
        break;
    }
    return r;
}

slong
rj_precise_next_prec(slong prec, slong max_prec, double w_prev, double w)
{
    if (prec > max_prec / 2)
        return 0;                 /* 2 prec would pass the cap */
    if (isnan(w) || w == INFINITY || !(w <= w_prev - RJ_PRECISE_ESCALATE_MIN_BITS))
        return 0;                 /* not finite, or not narrowing: more bits do not help */
    return 2 * prec;
}

static int
decide(rj_precise_encl_fn f, void *ctx, const fmpq_t bound, slong prec, slong max_prec,
       rj_precise_report *report, rj_error_t err, int cmp)
{
    slong p;
    int st, r = -1;
    rj_precise_report rep;

    rep.tries = 0;
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return -2;
    if ((st = rj_precise_check_prec(max_prec, err)) != RJ_OK)
        return -2;
    for (p = prec <= max_prec ? prec : 0; p != 0 && rep.tries < RJ_PRECISE_MAX_TRIES;
         p = rj_precise_next_prec(p, max_prec,
                                  rep.tries > 1 ? rep.width_log2[rep.tries - 2] : INFINITY,
                                  rep.width_log2[rep.tries - 1])) {
        rj_itv_t x;
        rj_itv_init(x, p);
        st = f(x, ctx, p, err);
        if (st != RJ_OK) {
            rj_itv_clear(x);
            r = -2;
            break;
        }
        rep.prec[rep.tries] = p;
        rep.width_log2[rep.tries] = width_log2(x);
        rep.tries++;
        r = decide_once(x, bound, cmp);
        rj_itv_clear(x);
        if (r >= 0)
            break;
    }
    if (report != NULL)
        *report = rep;
    return r;
}

int
rj_precise_decide_le(rj_precise_encl_fn f, void *ctx, const fmpq_t bound,
                     slong prec, slong max_prec, rj_precise_report *report,
                     rj_error_t err)
{
    return decide(f, ctx, bound, prec, max_prec, report, err, CMP_LE);
}

int
rj_precise_decide_ge(rj_precise_encl_fn f, void *ctx, const fmpq_t bound,
                     slong prec, slong max_prec, rj_precise_report *report,
                     rj_error_t err)
{
    return decide(f, ctx, bound, prec, max_prec, report, err, CMP_GE);
}

int
rj_precise_decide_lt(rj_precise_encl_fn f, void *ctx, const fmpq_t bound,
                     slong prec, slong max_prec, rj_precise_report *report,
                     rj_error_t err)
{
    return decide(f, ctx, bound, prec, max_prec, report, err, CMP_LT);
}
