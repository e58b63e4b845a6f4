/* Tests of the cross-layer checks (src/xval): float Jacobians within their
 * a-priori bound of the exact ones and meeting the precise enclosures block by
 * block (a wrong weight is caught and its block named), the intersection test
 * at its edges, and the bracketing check at ties and away from kinks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static ulong seed;

/* ------------------------------------------------------------ bound vs exact */

static void
check_bound_vs_exact(rj_fast_dtype dtype, slong den)
{
    flint_rand_t st;
    slong it, iters = rj_test_iters(60), certified = 0;
    rj_test_randinit(st, seed + (ulong) dtype * 7 + (ulong) den);
    for (it = 0; it < iters; it++) {
        rj_net_t net;
        fmpq_mat_t x, J;
        rj_fast_net_t f;
        rj_fast_bound_t b;
        rj_exact_parts_t parts;
        rj_error_t err;
        rj_tie_policy pol = {RJ_TIE_LEFT, 0};
        rj_xval_report rep;
        slong L = 1 + n_randint(st, 5), i, j;
        int s;
        rj_net_init(net);
        rj_test_randnet_pl(net, st, L, 40, den, 1, 0);
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, rj_net_width_in(net), 40, den);
        rj_error_init(err);
        rj_fast_net_init(f);
        rj_fast_bound_init(b);
        rj_exact_parts_init(parts);
        fmpq_mat_init(J, 0, 0);
        s = rj_fast_net_set_net(f, net, dtype, err);
        RJ_CHECK(s == RJ_OK, seed, "set_net: %s", err->msg);
        s = rj_fast_jacobian_bound(b, f, x, err);
        RJ_CHECK(s == RJ_OK, seed, "bound: %s", err->msg);
        s = rj_exact_parts(parts, NULL, net, x, pol, err);
        RJ_CHECK(s == RJ_OK, seed, "exact parts: %s", err->msg);
        s = rj_xval_exact(&rep, b, parts, err);
        RJ_CHECK(s == RJ_OK, seed, "xval: %s", err->msg);
        if (!rep.ok) {
            rj_test_print_net(net);
            rj_test_print_mat("x", x);
        }
        RJ_CHECK(rep.ok, seed,
                 "iteration %ld (%s, den %ld): float beyond its bound at block %ld stage %d "
                 "entry (%ld,%ld): |diff| %g > bound %g", (long) it,
                 rj_fast_dtype_name(dtype), (long) den, (long) rep.block + 1, rep.stage,
                 (long) rep.row, (long) rep.col, rep.observed, rep.bound);
        /* and against rj_exact_jacobian itself */
        s = rj_exact_jacobian(J, NULL, net, x, pol, err);
        RJ_CHECK(s == RJ_OK, seed, "exact jacobian: %s", err->msg);
        if (b->certified) {
            fmpq_t d, e;
            certified++;
            fmpq_init(d);
            fmpq_init(e);
            for (i = 0; i < b->n_out; i++)
                for (j = 0; j < b->n_in; j++) {
                    rj_fmpq_set_d_exact(d, b->J[i * b->n_in + j]);
                    fmpq_sub(d, d, fmpq_mat_entry(J, i, j));
                    fmpq_abs(d, d);
                    rj_fmpq_set_d_exact(e, b->E[i * b->n_in + j]);
                    if (fmpq_cmp(d, e) > 0) {
                        rj_test_print_net(net);
                        rj_test_print_mat("x", x);
                        rj_test_print_mat("J exact", J);
                    }
                    RJ_CHECK(fmpq_cmp(d, e) <= 0, seed,
                             "iteration %ld: J[%ld][%ld] = %.17g beyond bound %g",
                             (long) it, (long) i, (long) j, b->J[i * b->n_in + j],
                             b->E[i * b->n_in + j]);
                }
            fmpq_clear(d);
            fmpq_clear(e);
        }
        fmpq_mat_clear(J);
        rj_exact_parts_clear(parts);
        rj_fast_bound_clear(b);
        rj_fast_net_clear(f);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    /* ties are rare with these weights: most cases must be certified */
    RJ_CHECK(certified * 2 > iters, seed, "only %ld of %ld cases certified", (long) certified,
             (long) iters);
    flint_randclear(st);
}

START_TEST(test_bound_exact_f64_dyadic) { check_bound_vs_exact(RJ_FAST_F64, 64); }
END_TEST
START_TEST(test_bound_exact_f64_rational) { check_bound_vs_exact(RJ_FAST_F64, 30); }
END_TEST
START_TEST(test_bound_exact_f32_dyadic) { check_bound_vs_exact(RJ_FAST_F32, 64); }
END_TEST
START_TEST(test_bound_exact_f32_rational) { check_bound_vs_exact(RJ_FAST_F32, 30); }
END_TEST

/* Append a last linear block y = h + W h (W random, no bias); returns the
   depth. */
static slong
append_linear(rj_net_t net, flint_rand_t st)
{
    slong n = rj_net_width_out(net);
    rj_block_t lin;
    rj_block_init(lin);
    rj_test_randblock(lin, st, n, 0, n, RJ_SKIP_IDENTITY, RJ_PLACE_NONE, RJ_ACT_IDENTITY,
                      RJ_ACT_IDENTITY, 0, 40, 64);
    rj_net_append(net, lin, "linear");
    rj_block_clear(lin);
    return net->len;
}

/* The bound is not vacuous: a wrong weight is caught and its block named. */
START_TEST(test_bound_catches_wrong_weight)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 11);
    for (it = 0; it < rj_test_iters(20); it++) {
        rj_net_t net;
        fmpq_mat_t x;
        rj_fast_net_t f;
        rj_fast_bound_t b;
        rj_exact_parts_t parts;
        rj_error_t err;
        rj_tie_policy pol = {RJ_TIE_LEFT, 0};
        rj_xval_report rep;
        slong L;
        double w0;
        rj_net_init(net);
        rj_test_randnet_pl(net, st, 1 + n_randint(st, 3), 40, 64, 1, 0);
        /* changing W[0][0] of the last block changes y[0] whenever h[0] != 0 */
        L = append_linear(net, st);
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, rj_net_width_in(net), 40, 64);
        rj_error_init(err);
        rj_fast_net_init(f);
        rj_fast_bound_init(b);
        rj_exact_parts_init(parts);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(rj_exact_parts(parts, NULL, net, x, pol, err), RJ_OK);
        if (fmpq_is_zero(fmpq_mat_entry(parts->h + (L - 1), 0, 0)))
            goto next;
        w0 = rj_test_getd(f->params, f->blocks[L - 1].W1, f->dtype);
        rj_test_setd(f->params, f->blocks[L - 1].W1, w0 + 1.0 / 1024, f->dtype);
        ck_assert_int_eq(rj_fast_jacobian_bound(b, f, x, err), RJ_OK);
        ck_assert_int_eq(rj_xval_exact(&rep, b, parts, err), RJ_OK);
        RJ_CHECK(!rep.ok, seed, "iteration %ld: a wrong weight went unnoticed", (long) it);
        RJ_CHECK(rep.block == L - 1 && rep.stage == 0 && rep.row == 0, seed,
                 "iteration %ld: wrong weight in block %ld named block %ld stage %d row %ld",
                 (long) it, (long) L, (long) rep.block + 1, rep.stage, (long) rep.row);
    next:
        rj_exact_parts_clear(parts);
        rj_fast_bound_clear(b);
        rj_fast_net_clear(f);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* ------------------------------------------------------------ bound vs precise */

/* A random network of every block kind and activation, tanh and sigmoid
   included (the exact layer cannot hold those). */
static void
rand_net_smooth(rj_net_t net, flint_rand_t st, slong L)
{
    slong l, n = 1 + n_randint(st, 4);
    static const int acts[5] = {RJ_ACT_IDENTITY, RJ_ACT_RELU, RJ_ACT_LEAKY_RELU, RJ_ACT_TANH,
                                RJ_ACT_SIGMOID};
    for (l = 0; l < L; l++) {
        rj_block_t b;
        int skip = n_randint(st, 4), place = n_randint(st, 3);
        slong h = n_randint(st, 2) ? 1 + n_randint(st, 4) : 0;
        slong n_out = skip == RJ_SKIP_PROJECT ? (slong) (1 + n_randint(st, 4)) : n;
        rj_block_init(b);
        rj_test_randblock(b, st, n, h, n_out, skip, place, acts[n_randint(st, 5)],
                          acts[1 + n_randint(st, 4)], n_randint(st, 2), 40, 30);
        rj_net_append(net, b, "b");
        rj_block_clear(b);
        n = n_out;
    }
}

/* The float layer within its bound meets the precise enclosures at every
   block (both hold the true values), for f32 and f64, every activation; and
   the precise layer catches a wrong weight after a tanh/sigmoid network and
   names its block. */
START_TEST(test_bound_vs_precise)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 17);
    for (it = 0; it < rj_test_iters(40); it++) {
        rj_net_t net;
        fmpq_mat_t x;
        rj_fast_net_t f;
        rj_fast_bound_t b;
        rj_precise_parts_t pp;
        rj_error_t err;
        rj_xval_report rep;
        rj_fast_dtype t = n_randint(st, 2) ? RJ_FAST_F64 : RJ_FAST_F32;
        slong L, prec = 64 + n_randint(st, 200);
        rj_itv_t h0;
        double w0;
        int s;
        rj_net_init(net);
        rand_net_smooth(net, st, 1 + n_randint(st, 5));
        L = append_linear(net, st);     /* for the wrong weight below */
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, rj_net_width_in(net), 40, 30);
        rj_error_init(err);
        rj_fast_net_init(f);
        rj_fast_bound_init(b);
        rj_precise_parts_init(pp);
        s = rj_fast_net_set_net(f, net, t, err);
        RJ_CHECK(s == RJ_OK, seed, "set_net: %s", err->msg);
        s = rj_fast_jacobian_bound(b, f, x, err);
        RJ_CHECK(s == RJ_OK, seed, "bound: %s", err->msg);
        s = rj_precise_parts_fmpq(pp, net, x, prec, err);
        RJ_CHECK(s == RJ_OK, seed, "precise parts: %s", err->msg);
        s = rj_xval_precise(&rep, b, pp, prec, err);
        RJ_CHECK(s == RJ_OK, seed, "xval precise: %s", err->msg);
        if (!rep.ok)
            rj_test_print_net(net);
        RJ_CHECK(rep.ok, seed,
                 "iteration %ld (%s, %ld bits): float misses the precise enclosure at "
                 "block %ld stage %d entry (%ld,%ld): %g from it, bound %g", (long) it,
                 rj_fast_dtype_name(t), (long) prec, (long) rep.block + 1, rep.stage,
                 (long) rep.row, (long) rep.col, rep.observed, rep.bound);
        RJ_CHECK(rep.compared > L, seed, "iteration %ld: only %d values compared", (long) it,
                 rep.compared);
        /* a wrong weight W[0][0] in the last block: dy/dh_{L-1} = I + W moves
           by 1/1024 at (0, 0), and y[0] by h_{L-1}[0] / 1024 (seen first when
           that is large enough) */
        w0 = rj_test_getd(f->params, f->blocks[L - 1].W1, f->dtype);
        rj_test_setd(f->params, f->blocks[L - 1].W1, w0 + 1.0 / 1024, f->dtype);
        ck_assert_int_eq(rj_fast_jacobian_bound(b, f, x, err), RJ_OK);
        ck_assert_int_eq(rj_xval_precise(&rep, b, pp, prec, err), RJ_OK);
        RJ_CHECK(!rep.ok, seed, "iteration %ld: a wrong weight went unnoticed", (long) it);
        RJ_CHECK(rep.block == L - 1 && rep.row == 0 && (rep.stage == 0 || rep.col == 0), seed,
                 "iteration %ld: wrong weight W[1][1] in block %ld named block %ld stage %d "
                 "entry (%ld,%ld)", (long) it, (long) L, (long) rep.block + 1, rep.stage,
                 (long) rep.row, (long) rep.col);
        rj_itv_init(h0, prec);
        rj_imat_get_itv(h0, pp->h + (L - 1), 0, 0);
        if (mpfr_cmpabs_ui(h0->lo, 1) >= 0 && mpfr_sgn(h0->lo) * mpfr_sgn(h0->hi) > 0)
            RJ_CHECK(rep.stage == 0, seed,
                     "iteration %ld: |h_%ld[0]| >= 1, yet y[0] was not caught", (long) it,
                     (long) L - 1);
        rj_itv_clear(h0);
        rj_precise_parts_clear(pp);
        rj_fast_bound_clear(b);
        rj_fast_net_clear(f);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* The intersection test of the precise comparison at its edges. */
START_TEST(test_meets_itv)
{
    rj_itv_t x;
    rj_itv_init(x, 128);
    mpfr_set_d(x->lo, 1.5, MPFR_RNDN);
    mpfr_set_d(x->hi, 2, MPFR_RNDN);
    ck_assert_int_eq(rj_xval_meets_itv(1, 0.5, x), 1);             /* touching */
    ck_assert_int_eq(rj_xval_meets_itv(2.5, 0.5, x), 1);
    ck_assert_int_eq(rj_xval_meets_itv(1.75, 0, x), 1);            /* inside */
    ck_assert_int_eq(rj_xval_meets_itv(1, 0.4375, x), 0);          /* below */
    ck_assert_int_eq(rj_xval_meets_itv(3, 0.9375, x), 0);          /* above */
    ck_assert_int_eq(rj_xval_meets_itv(1e300, INFINITY, x), 1);
    ck_assert_int_eq(rj_xval_meets_itv(NAN, 1, x), 0);
    ck_assert_int_eq(rj_xval_meets_itv(1.75, NAN, x), 0);
    ck_assert_int_eq(rj_xval_meets_itv(1.75, -1, x), 0);
    ck_assert_int_eq(rj_xval_meets_itv(1.75, -INFINITY, x), 0);
    /* just above 1 + 0.5: the 64-bit outward rounding does not blur it */
    mpfr_set_d(x->lo, nextafter(1.5, 2), MPFR_RNDN);
    ck_assert_int_eq(rj_xval_meets_itv(1, 0.5, x), 0);
    mpfr_set_nan(x->lo);
    ck_assert_int_eq(rj_xval_meets_itv(-7, 0, x), 1);              /* no information */
    rj_itv_clear(x);
}
END_TEST

/* ------------------------------------------------------------ bracketing at ties */

/* A net whose first ReLU unit sits exactly at its kink at x: block 1 is
   two-layer with b1[0] = -(W1 x)[0]. */
static void
tie_net(rj_net_t net, fmpq_mat_t x, flint_rand_t st, int place)
{
    rj_block_t b;
    fmpq_mat_t z;
    slong n = 3, h = 3;
    rj_net_clear(net);
    rj_net_init(net);
    rj_test_randpoint(x, st, n, 20, 8);
    rj_block_init(b);
    rj_test_randblock(b, st, n, h, n, RJ_SKIP_IDENTITY, place == RJ_PLACE_PRE ? RJ_PLACE_NONE
                                                                              : place,
                      RJ_ACT_RELU, RJ_ACT_RELU, 1, 20, 8);
    fmpq_mat_init(z, h, 1);
    fmpq_mat_mul(z, b->W1, x);
    fmpq_neg(fmpq_mat_entry(b->b1, 0, 0), fmpq_mat_entry(z, 0, 0));
    fmpq_mat_clear(z);
    rj_net_append(net, b, "tie");
    rj_block_clear(b);
    rj_block_init(b);
    rj_test_randblock(b, st, n, 2, n, RJ_SKIP_IDENTITY, RJ_PLACE_PRE, RJ_ACT_RELU,
                      RJ_ACT_RELU, 0, 20, 8);
    rj_net_append(net, b, "next");
    rj_block_clear(b);
}

static void
dir_deriv(fmpq_t a, const fmpq_mat_t J, const fmpq_mat_t c, const fmpq_mat_t v)
{
    fmpq_mat_t Jv;
    fmpq_mat_init(Jv, fmpq_mat_nrows(J), 1);
    fmpq_mat_mul(Jv, J, v);
    rj_test_dot(a, c, Jv);
    fmpq_mat_clear(Jv);
}

START_TEST(test_bracket_ties)
{
    flint_rand_t st;
    slong it, seen_split = 0;
    rj_test_randinit(st, seed + 23);
    for (it = 0; it < rj_test_iters(40); it++) {
        rj_net_t net;
        fmpq_mat_t x, v, c, JL, JR;
        fmpq_t ql, qr, t, aL, aR, aW, lo, hi;
        rj_ties_t ties;
        rj_error_t err;
        rj_tie_policy left = {RJ_TIE_LEFT, 0}, right = {RJ_TIE_RIGHT, 0};
        int place = it % 2 ? RJ_PLACE_POST : RJ_PLACE_NONE;
        rj_net_init(net);
        fmpq_mat_init(x, 0, 0);
        tie_net(net, x, st, place);
        fmpq_mat_init(v, 3, 1);
        fmpq_mat_init(c, 3, 1);
        rj_test_randmat(v, st, 20, 8);
        rj_test_randmat(c, st, 20, 8);
        fmpq_mat_init(JL, 0, 0);
        fmpq_mat_init(JR, 0, 0);
        fmpq_init(ql);
        fmpq_init(qr);
        fmpq_init(t);
        fmpq_init(aL);
        fmpq_init(aR);
        fmpq_init(aW);
        fmpq_init(lo);
        fmpq_init(hi);
        rj_ties_init(ties);
        rj_error_init(err);
        ck_assert_int_eq(rj_exact_jacobian(JL, ties, net, x, left, err), RJ_OK);
        RJ_CHECK(ties->len >= 1, seed, "constructed tie not met");
        ck_assert_int_eq(rj_exact_jacobian(JR, NULL, net, x, right, err), RJ_OK);
        RJ_CHECK(rj_xval_bracket(ql, qr, t, net, x, v, c, err) == RJ_OK, seed, "%s",
                 err->msg);
        dir_deriv(aL, JL, c, v);
        dir_deriv(aR, JR, c, v);
        if (fmpq_cmp(ql, qr) <= 0) {
            fmpq_set(lo, ql);
            fmpq_set(hi, qr);
        } else {
            fmpq_set(lo, qr);
            fmpq_set(hi, ql);
        }
        /* every convention brackets, exactly (radius 0) */
        if (ties->len == 1) {
            RJ_CHECK(fmpq_cmp(lo, aL) <= 0 && fmpq_cmp(aL, hi) <= 0, seed,
                     "iteration %ld: left derivative outside the one-sided quotients",
                     (long) it);
            RJ_CHECK(fmpq_cmp(lo, aR) <= 0 && fmpq_cmp(aR, hi) <= 0, seed,
                     "iteration %ld: right derivative outside the one-sided quotients",
                     (long) it);
            RJ_CHECK(rj_xval_bracket_contains(ql, qr, fmpq_get_d(aL), 0) ||
                         !fmpq_equal(aL, lo), seed, "bracket_contains disagrees");
            /* a deliberately wrong derivative: relu'(0) = 2 at the tie, i.e.
               aL + 2 (aR - aL); outside whenever the tie matters along v */
            fmpq_sub(aW, aR, aL);
            fmpq_mul_2exp(aW, aW, 1);
            fmpq_add(aW, aW, aL);
            if (!fmpq_equal(aL, aR)) {
                seen_split++;
                RJ_CHECK(fmpq_cmp(aW, lo) < 0 || fmpq_cmp(aW, hi) > 0, seed,
                         "iteration %ld: a wrong derivative was bracketed", (long) it);
                /* and through the double interface: a wrong value fails */
                RJ_CHECK(!rj_xval_bracket_contains(ql, qr,
                                                   fmpq_get_d(hi) + 2 * fabs(fmpq_get_d(hi)) + 1,
                                                   0),
                         seed, "bracket_contains accepted a value outside");
            }
        }
        fmpq_clear(ql);
        fmpq_clear(qr);
        fmpq_clear(t);
        fmpq_clear(aL);
        fmpq_clear(aR);
        fmpq_clear(aW);
        fmpq_clear(lo);
        fmpq_clear(hi);
        rj_ties_clear(ties);
        fmpq_mat_clear(JL);
        fmpq_mat_clear(JR);
        fmpq_mat_clear(v);
        fmpq_mat_clear(c);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    RJ_CHECK(seen_split > 0, seed, "no tie split the one-sided derivatives");
    flint_randclear(st);
}
END_TEST

/* Away from kinks both quotients equal the float directional derivative,
   which lies within its bound.  "Away from kinks": the float bound is
   certified and the exact pass meets no tie (a certified bound alone only
   says that float and exact agree under the left-derivative convention: an
   argument that is exactly 0 in both is certified). */
START_TEST(test_bracket_smooth_point)
{
    flint_rand_t st;
    slong it, i, j;
    rj_test_randinit(st, seed + 29);
    for (it = 0; it < rj_test_iters(20); it++) {
        rj_net_t net;
        fmpq_mat_t x, v, c;
        fmpq_t ql, qr, t;
        rj_fast_net_t f;
        rj_fast_bound_t b;
        rj_error_t err;
        double a = 0, r = 0;
        int smooth;
        rj_net_init(net);
        rj_test_randnet_pl(net, st, 1 + n_randint(st, 4), 40, 64, 1, 0);
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, rj_net_width_in(net), 40, 64);
        fmpq_mat_init(v, rj_net_width_in(net), 1);
        fmpq_mat_init(c, rj_net_width_out(net), 1);
        rj_test_randmat(v, st, 8, 8);
        rj_test_randmat(c, st, 8, 8);
        fmpq_init(ql);
        fmpq_init(qr);
        fmpq_init(t);
        rj_error_init(err);
        rj_fast_net_init(f);
        rj_fast_bound_init(b);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian_bound(b, f, x, err), RJ_OK);
        ck_assert_int_eq(rj_xval_bracket(ql, qr, t, net, x, v, c, err), RJ_OK);
        {
            rj_ties_t ties;
            rj_exact_parts_t parts;
            rj_tie_policy pol = {RJ_TIE_LEFT, 0};
            rj_ties_init(ties);
            rj_exact_parts_init(parts);
            ck_assert_int_eq(rj_exact_parts(parts, ties, net, x, pol, err), RJ_OK);
            smooth = ties->len == 0;
            rj_exact_parts_clear(parts);
            rj_ties_clear(ties);
        }
        if (b->certified && smooth) {
            /* a = c^T J v in double; r covers E and this sum's rounding */
            double sa = 0;
            slong nn = b->n_in * b->n_out + 2;
            for (i = 0; i < b->n_out; i++)
                for (j = 0; j < b->n_in; j++) {
                    double cv = fmpq_get_d(fmpq_mat_entry(c, i, 0))
                                * fmpq_get_d(fmpq_mat_entry(v, j, 0));
                    a += cv * b->J[i * b->n_in + j];
                    sa += fabs(cv) * fabs(b->J[i * b->n_in + j]);
                    r += fabs(cv) * b->E[i * b->n_in + j];
                }
            r = (r + sa * 2 * nn * 0x1p-53) * (1 + 1e-9) + 1e-300;
            RJ_CHECK(fmpq_equal(ql, qr), seed, "iteration %ld: certified point has a kink",
                     (long) it);
            RJ_CHECK(rj_xval_bracket_contains(ql, qr, a, r), seed,
                     "iteration %ld: float derivative %.17g +- %g not bracketed by [%g, %g]",
                     (long) it, a, r, fmpq_get_d(ql), fmpq_get_d(qr));
            /* and a derivative off by 1e-6 relative is not */
            RJ_CHECK(!rj_xval_bracket_contains(ql, qr, a + 1e-6 * (fabs(a) + 1), r), seed,
                     "iteration %ld: a wrong derivative was accepted", (long) it);
        }
        rj_fast_bound_clear(b);
        rj_fast_net_clear(f);
        fmpq_clear(ql);
        fmpq_clear(qr);
        fmpq_clear(t);
        fmpq_mat_clear(x);
        fmpq_mat_clear(v);
        fmpq_mat_clear(c);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

static Suite *
xval_suite(void)
{
    Suite *s = suite_create("xval");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_bound_exact_f64_dyadic);
    tcase_add_test(tc, test_bound_exact_f64_rational);
    tcase_add_test(tc, test_bound_exact_f32_dyadic);
    tcase_add_test(tc, test_bound_exact_f32_rational);
    tcase_add_test(tc, test_bound_catches_wrong_weight);
    tcase_add_test(tc, test_bound_vs_precise);
    tcase_add_test(tc, test_meets_itv);
    tcase_add_test(tc, test_bracket_ties);
    tcase_add_test(tc, test_bracket_smooth_point);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20240611);
    return rj_test_run(xval_suite());
}
