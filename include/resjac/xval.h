/* resjac: cross-layer checks (xval).  The layers (paths, exact, precise,
 * fast) are peers that never include each other's headers; the work that
 * needs two of them at once lives here, above them: below the claim checker
 * (which sits on top of everything), this is the only module that includes
 * exact.h, precise.h and fast.h together:
 *   - holding the float layer's Jacobian and its a-priori bound
 *     (rj_fast_jacobian_bound) against the exact layer's parts (exactly, in
 *     fmpq) and against the precise layer's enclosures, block by block, so that
 *     a disagreement names its block;
 *   - the bracketing check at kinks: exact one-sided difference quotients of a
 *     piecewise-linear network (a forward pass of its own, in fmpq, that also
 *     finds the distance to the next kink), against which an analytic
 *     directional derivative from any layer can be held.
 * The arguments are in proofs/fast-error-bound.md ([FE 9] for the bracket). */
#ifndef RESJAC_XVAL_H
#define RESJAC_XVAL_H

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>

#include "resjac/error.h"
#include "resjac/model.h"
#include "resjac/exact.h"
#include "resjac/precise.h"
#include "resjac/fast.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ float against exact, precise */

/* Result of holding the float layer against another one. */
typedef struct {
    int ok;                /* 1: every compared value within its bound */
    int compared;          /* number of values compared */
    slong block;           /* first disagreement: 0-based block, or -1 */
    int stage;             /* 0: forward value h_l, 1: partial Jacobian dy/dh_l */
    slong row, col;        /* entry */
    double observed;       /* |float - reference| (rounded up) */
    double bound;          /* the bound it exceeded */
    double max_ratio;      /* max over entries of |float - ref| / bound */
} rj_xval_report;

/* Compare with the exact layer's parts at the same point (rj_exact_parts
   with RJ_TIE_LEFT): every h_l with eh[l] and every partial Jacobian
   J_L ... J_{l+1} with EG[l], exactly (fmpq).  The first disagreement found
   walking from the output back to the input names its block: for a forward
   value h_l, the block l that produced it (1..L); for a partial Jacobian at
   h_l, block l + 1, the first factor it includes.  Needs b->certified. */
int rj_xval_exact(rj_xval_report *rep, const rj_fast_bound_t b,
                  const rj_exact_parts_t parts, rj_error_t err);

/* 1 if the float set [f - e, f + e] (endpoints rounded outwards) meets the
   enclosure x.  e = +inf, or an enclosure with a NaN endpoint (no
   information), always meets; a NaN f or e, or e < 0, never does. */
int rj_xval_meets_itv(double f, double e, const rj_itv_t x);

/* Compare with the precise layer's parts at the same point
   (rj_precise_parts_fmpq): every h_l +- eh[l] must meet the enclosure of h_l
   and every partial Jacobian J_L ... J_{l+1} +- EG[l] must meet its
   enclosure, built from the parts' S_l + R_l at prec bits.  Both sets hold the
   true value when both layers are sound, so a miss is a disagreement; it names
   its block as rj_xval_exact does (the true value is not known: observed
   is the distance from the float value to the enclosure, and max_ratio the
   largest such distance over its bound).  Works for every activation,
   tanh/sigmoid included, where the exact layer cannot go.  At a possible tie
   the precise S_l, R_l hold every choice of the derivative. */
int rj_xval_precise(rj_xval_report *rep, const rj_fast_bound_t b,
                    const rj_precise_parts_t parts, slong prec, rj_error_t err);

/* ------------------------------------------------------------ kinks */

/* One-sided difference quotients of phi(t) = c . f(x + t v) at t = 0, in exact
   rational arithmetic, for a network of piecewise-linear activations:
     q_right = (phi(t) - phi(0)) / t,   q_left = (phi(0) - phi(-t)) / t,
   with t = min(1, t0 / 2) where t0 > 0 is the distance along +-v to the nearest
   kink that is not at x itself, found exactly by propagating the affine
   pieces; so q_right and q_left are the exact one-sided directional
   derivatives.  At a tie the analytic derivative for any choice in [0, 1] of
   a single tied unit's derivative lies between them.  x, v: n_in x 1;
   c: n_out x 1.  Other activations: RJ_ERR_DOMAIN. */
int rj_xval_bracket(fmpq_t q_left, fmpq_t q_right, fmpq_t t, const rj_net_t net,
                    const fmpq_mat_t x, const fmpq_mat_t v, const fmpq_mat_t c,
                    rj_error_t err);

/* 1 if the interval [a - r, a + r] (a an analytic directional derivative,
   r >= 0 its error bound, 0 for an exact value) meets the closed interval
   between q_left and q_right; 0 otherwise. */
int rj_xval_bracket_contains(const fmpq_t q_left, const fmpq_t q_right, double a,
                             double r);

#ifdef __cplusplus
}
#endif

#endif
