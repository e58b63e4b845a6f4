/* Check suite for src/exact: Jacobian parts, ties and the three expansions of
 * prod(S_l + R_l), each held against an independent computation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static ulong seed;

/* ---------------------------------------------------------------- helpers */

static void
report(const char *what, slong iter, const rj_net_t net, const fmpq_mat_t x)
{
    slong l;
    char name[64];
    fprintf(stderr, "FAILED %s: seed %lu, case %ld, L = %ld\n", what, (unsigned long) seed,
            (long) iter, (long) net->len);
    rj_test_print_mat("x", x);
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        fprintf(stderr, "block %ld: skip %d place %d two_layer %d act %d outer %d\n",
                (long) (l + 1), (int) b->skip, (int) b->place, b->two_layer,
                (int) b->act->kind, (int) b->outer->kind);
        if (b->skip == RJ_SKIP_PROJECT)
            rj_test_print_mat("  Ws", b->Ws);
        if (b->skip == RJ_SKIP_SCALED) {
            fprintf(stderr, "  alpha = ");
            fmpq_fprint(stderr, b->alpha);
            fprintf(stderr, "\n");
        }
        snprintf(name, sizeof(name), "  W1");
        rj_test_print_mat(name, b->W1);
        rj_test_print_mat("  b1", b->b1);
        rj_test_print_mat("  W2", b->W2);
        rj_test_print_mat("  b2", b->b2);
    }
}

static rj_tie_policy
policy(rj_tie_mode mode, ulong choice)
{
    rj_tie_policy p;
    p.mode = mode;
    p.choice = choice;
    return p;
}

static fmpq_mat_struct *
mats_init(slong n)
{
    slong i;
    fmpq_mat_struct *G = flint_malloc(n * sizeof(fmpq_mat_struct));
    for (i = 0; i < n; i++)
        fmpq_mat_init(G + i, 0, 0);
    return G;
}

static void
mats_clear(fmpq_mat_struct *G, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_mat_clear(G + i);
    flint_free(G);
}

/* G_k by brute force: every subset's path product formed from scratch. */
static void
graded_brute(fmpq_mat_struct *G, const rj_exact_parts_t p)
{
    slong L = p->len, l, k, n0 = fmpq_mat_nrows(p->h + 0), nL = fmpq_mat_nrows(p->h + L);
    ulong mask;
    fmpq_mat_t Q, T;

    for (k = 0; k <= L; k++) {
        fmpq_mat_clear(G + k);
        fmpq_mat_init(G + k, nL, n0);
    }
    for (mask = 0; mask < (UWORD(1) << L); mask++) {
        fmpq_mat_init(Q, n0, n0);
        fmpq_mat_one(Q);
        for (l = 0; l < L; l++) {
            fmpq_mat_init(T, fmpq_mat_nrows(p->S + l), n0);
            fmpq_mat_mul(T, ((mask >> l) & 1) ? p->R + l : p->S + l, Q);
            fmpq_mat_swap(Q, T);
            fmpq_mat_clear(T);
        }
        k = __builtin_popcountl(mask);
        fmpq_mat_add(G + k, G + k, Q);
        fmpq_mat_clear(Q);
    }
}

static void
sum_graded(fmpq_mat_t P, const fmpq_mat_struct *G, slong L)
{
    slong k;
    fmpq_mat_clear(P);
    fmpq_mat_init(P, fmpq_mat_nrows(G + 0), fmpq_mat_ncols(G + 0));
    for (k = 0; k <= L; k++)
        fmpq_mat_add(P, P, G + k);
}

static int
mat_canonical(const fmpq_mat_t A)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            if (!fmpq_is_canonical(fmpq_mat_entry(A, i, j)))
                return 0;
    return 1;
}

static int
mat_eq(const fmpq_mat_t A, const fmpq_mat_t B)
{
    return fmpq_mat_nrows(A) == fmpq_mat_nrows(B) && fmpq_mat_ncols(A) == fmpq_mat_ncols(B)
        && fmpq_mat_equal(A, B);
}

/* Check every expansion of the parts of (net, x) against each other.  Returns
   1 if all agree. */
static int
check_all_expansions(slong iter, const rj_net_t net, const fmpq_mat_t x, rj_tie_policy pol)
{
    rj_exact_parts_t p;
    rj_error_t err;
    fmpq_mat_t Pd, Pdr, Pdc, Pdl, Ps, Psr, Psc, Psl, Pg, J, y;
    fmpq_mat_struct *Gr, *Gc, *Gl, *Gb, *G;
    slong L = net->len, k;
    int ok = 1, st, dyadic, want;

    rj_error_init(err);
    rj_exact_parts_init(p);
    st = rj_exact_parts(p, NULL, net, x, pol, err);
    if (st != RJ_OK) {
        report("rj_exact_parts", iter, net, x);
        ck_abort_msg("rj_exact_parts failed: %s", err->msg);
    }
    fmpq_mat_init(Pd, 0, 0);
    fmpq_mat_init(Pdr, 0, 0);
    fmpq_mat_init(Pdc, 0, 0);
    fmpq_mat_init(Pdl, 0, 0);
    fmpq_mat_init(Ps, 0, 0);
    fmpq_mat_init(Psr, 0, 0);
    fmpq_mat_init(Psc, 0, 0);
    fmpq_mat_init(Psl, 0, 0);
    fmpq_mat_init(Pg, 0, 0);
    fmpq_mat_init(J, 0, 0);
    fmpq_mat_init(y, 0, 0);
    Gr = mats_init(L + 1);
    Gc = mats_init(L + 1);
    Gl = mats_init(L + 1);
    Gb = mats_init(L + 1);
    G = mats_init(L + 1);

    ck_assert_int_eq(rj_expand_direct(Pd, p, err), RJ_OK);
    ck_assert_int_eq(rj_expand_direct_rational(Pdr, p, err), RJ_OK);
    dyadic = rj_exact_parts_is_dyadic(p);
    want = dyadic ? RJ_OK : RJ_ERR_DOMAIN;
    ck_assert_int_eq(rj_expand_direct_dyadic(Pdc, p, err), want);
    ck_assert_int_eq(rj_expand_subsets(Ps, p, err), RJ_OK);
    ck_assert_int_eq(rj_expand_subsets_rational(Psr, p, err), RJ_OK);
    ck_assert_int_eq(rj_expand_subsets_dyadic(Psc, p, err), want);
    ck_assert_int_eq(rj_expand_graded(G, p, err), RJ_OK);
    ck_assert_int_eq(rj_expand_graded_rational(Gr, p, err), RJ_OK);
    ck_assert_int_eq(rj_expand_graded_dyadic(Gc, p, err), want);
    ck_assert_int_eq(rj_expand_direct_cleared(Pdl, p, err), RJ_OK);
    ck_assert_int_eq(rj_expand_subsets_cleared(Psl, p, err), RJ_OK);
    ck_assert_int_eq(rj_expand_graded_cleared(Gl, p, err), RJ_OK);
    graded_brute(Gb, p);
    sum_graded(Pg, Gr, L);
    ck_assert_int_eq(rj_exact_jacobian(J, NULL, net, x, pol, err), RJ_OK);
    ck_assert_int_eq(rj_exact_forward(y, net, x, err), RJ_OK);

    ok &= mat_eq(Pd, Pdr) && mat_eq(Ps, Psr) && mat_eq(Ps, Pdr);
    ok &= mat_eq(Pdl, Pdr) && mat_eq(Psl, Psr) && mat_canonical(Pdl) && mat_canonical(Psl);
    ok &= mat_eq(Pg, Pdr) && mat_eq(J, Pdr);
    ok &= mat_eq(y, p->h + L);
    for (k = 0; k <= L; k++) {
        ok &= mat_eq(Gr + k, Gb + k) && mat_eq(G + k, Gr + k);
        ok &= mat_eq(Gl + k, Gr + k) && mat_canonical(Gl + k);
        if (dyadic)
            ok &= mat_eq(Gr + k, Gc + k) && mat_canonical(Gc + k);
    }
    if (dyadic)
        ok &= mat_eq(Pdr, Pdc) && mat_eq(Psr, Psc) && mat_canonical(Pdc)
              && mat_canonical(Psc);
    if (!ok) {
        report("expansions disagree", iter, net, x);
        rj_test_print_mat("direct (rational)", Pdr);
        rj_test_print_mat("direct (dyadic)", Pdc);
        rj_test_print_mat("subsets (rational)", Psr);
        rj_test_print_mat("subsets (dyadic)", Psc);
        rj_test_print_mat("direct (cleared)", Pdl);
        rj_test_print_mat("subsets (cleared)", Psl);
        rj_test_print_mat("sum of graded", Pg);
        for (k = 0; k <= L; k++) {
            rj_test_print_mat("G_k (rational)", Gr + k);
            rj_test_print_mat("G_k (dyadic)", Gc + k);
            rj_test_print_mat("G_k (cleared)", Gl + k);
            rj_test_print_mat("G_k (brute force)", Gb + k);
        }
    }

    mats_clear(Gr, L + 1);
    mats_clear(Gc, L + 1);
    mats_clear(Gl, L + 1);
    mats_clear(Gb, L + 1);
    mats_clear(G, L + 1);
    fmpq_mat_clear(Pd);
    fmpq_mat_clear(Pdr);
    fmpq_mat_clear(Pdc);
    fmpq_mat_clear(Pdl);
    fmpq_mat_clear(Ps);
    fmpq_mat_clear(Psr);
    fmpq_mat_clear(Psc);
    fmpq_mat_clear(Psl);
    fmpq_mat_clear(Pg);
    fmpq_mat_clear(J);
    fmpq_mat_clear(y);
    rj_exact_parts_clear(p);
    return ok;
}

/* ---------------------------------------------------------------- tests */

/* direct == subsets == sum of graded, rational == cleared == dyadic, graded == brute
   force per length, on random networks of every block kind, dyadic and not,
   under every tie policy. */
START_TEST(test_expansions_random)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(300), ties_seen = 0;
    static const slong dens[4] = { 2, 4, 3, 6 };

    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        rj_net_t net;
        fmpq_mat_t x;
        rj_ties_t ties;
        rj_error_t err;
        slong L = n_randint(st, 7), den = dens[n_randint(st, 4)], n0;
        rj_tie_policy pol = policy((rj_tie_mode) n_randint(st, 3), n_randlimb(st));

        rj_net_init(net);
        rj_ties_init(ties);
        rj_error_init(err);
        n0 = rj_test_randnet(net, st, L, 3, 2, den, 3);
        fmpq_mat_init(x, n0, 1);
        rj_test_randmat(x, st, 2, den);
        {
            rj_exact_parts_t p;
            rj_exact_parts_init(p);
            ck_assert_int_eq(rj_exact_parts(p, ties, net, x, pol, err), RJ_OK);
            ties_seen += ties->len;
            rj_exact_parts_clear(p);
        }
        RJ_CHECK(check_all_expansions(iter, net, x, pol), seed,
                 "case %ld: expansions disagree (inputs above)", (long) iter);
        fmpq_mat_clear(x);
        rj_ties_clear(ties);
        rj_net_clear(net);
    }
    /* small integer weights hit kinks often: make sure ties were exercised */
    RJ_CHECK(ties_seen > 0, seed, "no ties in %ld random cases", (long) n);
    flint_randclear(st);
}
END_TEST

/* Float64-like dyadic weights (53-bit mantissas, exponents down to 2^-60):
   the cleared path (powers of two) against the rational one. */
static void
rand_dyadic_mat(fmpq_mat_t A, flint_rand_t st)
{
    slong i, j;
    fmpz_t m;
    fmpz_init(m);
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++) {
            fmpz_randbits(m, st, 53);
            fmpz_set(fmpq_mat_entry_num(A, i, j), m);
            fmpz_one(fmpq_mat_entry_den(A, i, j));
            fmpz_mul_2exp(fmpq_mat_entry_den(A, i, j), fmpq_mat_entry_den(A, i, j),
                          56 + n_randint(st, 5));
            fmpq_canonicalise(fmpq_mat_entry(A, i, j));
        }
    fmpz_clear(m);
}

START_TEST(test_dyadic_float64_like)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(20);

    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        rj_net_t net;
        rj_block_t b;
        fmpq_mat_t x;
        rj_exact_parts_t p;
        rj_error_t err;
        slong l, L = 1 + n_randint(st, 8), w = 1 + n_randint(st, 4);

        rj_net_init(net);
        rj_block_init(b);
        rj_error_init(err);
        for (l = 0; l < L; l++) {
            rj_test_randblock(b, st, w, w, w, n_randint(st, 3), n_randint(st, 3),
                              RJ_ACT_RELU, RJ_ACT_RELU, 1, 1, 1);
            rand_dyadic_mat(b->W1, st);
            rand_dyadic_mat(b->W2, st);
            rand_dyadic_mat(b->b1, st);
            rand_dyadic_mat(b->b2, st);
            rj_net_append(net, b, NULL);
        }
        fmpq_mat_init(x, w, 1);
        rand_dyadic_mat(x, st);
        rj_exact_parts_init(p);
        ck_assert_int_eq(rj_exact_parts(p, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
        RJ_CHECK(rj_exact_parts_is_dyadic(p), seed, "case %ld: parts not dyadic", (long) iter);
        RJ_CHECK(check_all_expansions(iter, net, x, policy(RJ_TIE_RIGHT, 0)), seed,
                 "case %ld: dyadic expansions disagree", (long) iter);
        rj_exact_parts_clear(p);
        fmpq_mat_clear(x);
        rj_block_clear(b);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

START_TEST(test_is_dyadic)
{
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x;
    rj_exact_parts_t p;
    rj_error_t err;

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    rj_exact_parts_init(p);
    fmpq_mat_init(x, 1, 1);
    fmpq_set_si(fmpq_mat_entry(x, 0, 0), 1, 1);
    fmpq_mat_clear(b->W1);
    fmpq_mat_init(b->W1, 1, 1);
    fmpq_set_si(fmpq_mat_entry(b->W1, 0, 0), 3, 8);
    b->place = RJ_PLACE_NONE;
    rj_net_append(net, b, "d");
    ck_assert_int_eq(rj_exact_parts(p, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
    ck_assert(rj_exact_parts_is_dyadic(p));
    fmpq_set_si(fmpq_mat_entry(net->blocks[0].W1, 0, 0), 1, 3);
    ck_assert_int_eq(rj_exact_parts(p, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
    ck_assert(!rj_exact_parts_is_dyadic(p));
    rj_exact_parts_clear(p);
    fmpq_mat_clear(x);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

/* All blocks equal with S = I and a linear branch: the factors commute and
   G_k = C(L, k) R^k; the dynamic programme must agree. */
START_TEST(test_commuting)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(30);

    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        rj_net_t net;
        rj_block_t b;
        fmpq_mat_t x, R;
        rj_exact_parts_t p;
        rj_error_t err;
        slong l, k, L = n_randint(st, 25), w = 1 + n_randint(st, 3);
        slong h = n_randint(st, 2) ? w + 1 : 0;
        fmpq_mat_struct *G1, *G2;

        rj_net_init(net);
        rj_block_init(b);
        rj_error_init(err);
        /* identity activation inside: R = W2 W1 (two layers) or W1 */
        rj_test_randblock(b, st, w, h, w, RJ_SKIP_IDENTITY, RJ_PLACE_NONE,
                          RJ_ACT_IDENTITY, RJ_ACT_RELU, n_randint(st, 2), 3,
                          n_randint(st, 2) ? 4 : 5);
        for (l = 0; l < L; l++)
            rj_net_append(net, b, NULL);
        fmpq_mat_init(x, w, 1);
        rj_test_randmat(x, st, 3, 2);
        fmpq_mat_init(R, w, w);
        if (h > 0)
            fmpq_mat_mul(R, b->W2, b->W1);
        else
            fmpq_mat_set(R, b->W1);
        rj_exact_parts_init(p);
        ck_assert_int_eq(rj_exact_parts(p, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
        G1 = mats_init(L + 1);
        G2 = mats_init(L + 1);
        ck_assert_int_eq(rj_expand_graded(G1, p, err), RJ_OK);
        ck_assert_int_eq(rj_expand_graded_commuting(G2, R, L, err), RJ_OK);
        for (k = 0; k <= L; k++)
            if (!mat_eq(G1 + k, G2 + k)) {
                report("commuting", iter, net, x);
                rj_test_print_mat("G_k by DP", G1 + k);
                rj_test_print_mat("C(L,k) R^k", G2 + k);
                RJ_CHECK(0, seed, "case %ld: G_%ld differs", (long) iter, (long) k);
            }
        mats_clear(G1, L + 1);
        mats_clear(G2, L + 1);
        rj_exact_parts_clear(p);
        fmpq_mat_clear(x);
        fmpq_mat_clear(R);
        rj_block_clear(b);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* For a piecewise-linear f and a point x with no tie, f(x + t v) - f(x) = t J v
   exactly for all small enough rational t.  Why t = 2^-100 is small enough
   here: weights have numerators <= 2 and denominators 3 or 4, the leaky slope
   is 1/8, x has denominator 4, L <= 5 and widths <= 3.  Each block multiplies
   denominators by at most 4 (W1, b1) * 8 (inner slope) * 4 (W2, b2, skip) * 8
   (outer slope) = 2^10, so every nonzero pre-activation at x is at least
   2^-52 in absolute value.  A block is Lipschitz (max-norm) with constant at
   most 2 + 6 + 6 * 6 < 2^6, so a step t v (|v| <= 5) moves every
   pre-activation by at most 5 * 2^30 * t < 2^-67: no sign changes, x + t v is
   on x's linear piece.  At a tie the one-sided derivative must be J_c v for
   one of the one-sided choices c. */
START_TEST(test_jacobian_directional)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(300), clean = 0, tied = 0;

    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        rj_net_t net;
        fmpq_mat_t x, v, xt, y0, y1, J, d, Jv;
        rj_ties_t ties;
        rj_error_t err;
        fmpq_t t;
        slong L = 1 + n_randint(st, 5), n0, nL;
        int found;
        ulong c;

        rj_net_init(net);
        rj_ties_init(ties);
        rj_error_init(err);
        n0 = rj_test_randnet(net, st, L, 3, 2, n_randint(st, 2) ? 4 : 3, 3);
        fmpq_mat_init(x, n0, 1);
        fmpq_mat_init(v, n0, 1);
        fmpq_mat_init(xt, n0, 1);
        rj_test_randmat(x, st, 2, 4);
        rj_test_randmat(v, st, 5, 1);
        fmpq_init(t);
        fmpz_one(fmpq_numref(t));
        fmpz_one(fmpq_denref(t));
        fmpz_mul_2exp(fmpq_denref(t), fmpq_denref(t), 100);
        fmpq_mat_scalar_mul_fmpq(xt, v, t);
        fmpq_mat_add(xt, xt, x);
        fmpq_mat_init(y0, 0, 0);
        fmpq_mat_init(y1, 0, 0);
        fmpq_mat_init(J, 0, 0);
        ck_assert_int_eq(rj_exact_forward(y0, net, x, err), RJ_OK);
        ck_assert_int_eq(rj_exact_forward(y1, net, xt, err), RJ_OK);
        nL = fmpq_mat_nrows(y0);
        fmpq_mat_init(d, nL, 1);
        fmpq_mat_init(Jv, nL, 1);
        fmpq_mat_sub(d, y1, y0);
        fmpq_inv(t, t);
        fmpq_mat_scalar_mul_fmpq(d, d, t);     /* (f(x+tv) - f(x)) / t */

        ck_assert_int_eq(rj_exact_jacobian(J, ties, net, x, policy(RJ_TIE_RIGHT, 0), err),
                         RJ_OK);
        if (ties->len == 0) {
            clean++;
            fmpq_mat_mul(Jv, J, v);
            if (!mat_eq(Jv, d)) {
                report("directional derivative", iter, net, x);
                rj_test_print_mat("v", v);
                rj_test_print_mat("J", J);
                rj_test_print_mat("J v", Jv);
                rj_test_print_mat("(f(x+tv)-f(x))/t", d);
                RJ_CHECK(0, seed, "case %ld: J v differs from the exact difference quotient",
                         (long) iter);
            }
        } else if (ties->len <= 8) {
            slong nt = ties->len;
            tied++;
            found = 0;
            for (c = 0; c < (UWORD(1) << nt) && !found; c++) {
                rj_ties_t t2;
                rj_ties_init(t2);
                ck_assert_int_eq(rj_exact_jacobian(J, t2, net, x, policy(RJ_TIE_CHOICE, c),
                                                   err), RJ_OK);
                RJ_CHECK(t2->len == nt, seed, "case %ld: ties depend on the choice",
                         (long) iter);
                fmpq_mat_mul(Jv, J, v);
                found = mat_eq(Jv, d);
                rj_ties_clear(t2);
            }
            if (!found) {
                report("one-sided derivative at a tie", iter, net, x);
                rj_test_print_mat("v", v);
                rj_test_print_mat("(f(x+tv)-f(x))/t", d);
                RJ_CHECK(0, seed, "case %ld: no one-sided choice gives the directional "
                         "derivative", (long) iter);
            }
        }
        fmpq_clear(t);
        fmpq_mat_clear(x);
        fmpq_mat_clear(v);
        fmpq_mat_clear(xt);
        fmpq_mat_clear(y0);
        fmpq_mat_clear(y1);
        fmpq_mat_clear(J);
        fmpq_mat_clear(d);
        fmpq_mat_clear(Jv);
        rj_ties_clear(ties);
        rj_net_clear(net);
    }
    RJ_CHECK(clean >= n / 4 && tied > 0, seed, "too few cases: %ld without ties, %ld with",
             (long) clean, (long) tied);
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- lesson */

static void
set_mat(fmpq_mat_t A, slong r, slong c, const slong *num)
{
    slong i, j;
    fmpq_mat_clear(A);
    fmpq_mat_init(A, r, c);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            fmpq_set_si(fmpq_mat_entry(A, i, j), num[i * c + j], 1);
}

/* Example 1: two blocks with linear branches J1, J2 (S = I):
   (I + J2)(I + J1) = I + (J1 + J2) + J2 J1 with J2 J1 != J1 J2. */
START_TEST(test_lesson_example1)
{
    static const slong j1[4] = { 1, 2, 0, 1 }, j2[4] = { 0, 1, 3, 0 }, x0[2] = { 1, -1 };
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x, A, B, I, E, P;
    rj_exact_parts_t p;
    rj_error_t err;
    fmpq_mat_struct *G = mats_init(3);

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(A, 0, 0);
    fmpq_mat_init(B, 0, 0);
    fmpq_mat_init(I, 2, 2);
    fmpq_mat_init(E, 2, 2);
    fmpq_mat_init(P, 0, 0);
    fmpq_mat_one(I);
    set_mat(x, 2, 1, x0);
    set_mat(A, 2, 2, j1);
    set_mat(B, 2, 2, j2);
    b->place = RJ_PLACE_NONE;
    set_mat(b->W1, 2, 2, j1);
    rj_net_append(net, b, "F1");
    set_mat(b->W1, 2, 2, j2);
    rj_net_append(net, b, "F2");

    rj_exact_parts_init(p);
    ck_assert_int_eq(rj_exact_parts(p, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
    ck_assert(mat_eq(p->S + 0, I) && mat_eq(p->S + 1, I));
    ck_assert(mat_eq(p->R + 0, A) && mat_eq(p->R + 1, B));
    ck_assert_int_eq(rj_expand_graded(G, p, err), RJ_OK);
    ck_assert(mat_eq(G + 0, I));                        /* I: both skips */
    fmpq_mat_add(E, A, B);
    ck_assert(mat_eq(G + 1, E));                        /* J1 only + J2 only */
    fmpq_mat_mul(E, B, A);
    ck_assert(mat_eq(G + 2, E));                        /* J2 J1: the deep path */
    fmpq_mat_mul(P, A, B);
    ck_assert(!mat_eq(P, E));                           /* the order matters */
    /* and the direct product (I + J2)(I + J1) */
    ck_assert_int_eq(rj_expand_direct(P, p, err), RJ_OK);
    fmpq_mat_add(E, E, G + 1);
    fmpq_mat_add(E, E, I);
    ck_assert(mat_eq(P, E));

    rj_exact_parts_clear(p);
    mats_clear(G, 3);
    fmpq_mat_clear(x);
    fmpq_mat_clear(A);
    fmpq_mat_clear(B);
    fmpq_mat_clear(I);
    fmpq_mat_clear(E);
    fmpq_mat_clear(P);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

/* Example 3: F(x) = W2 relu(W1 x), W1 = W2 = I, x = [-1, 1]. */
static void
example3_net(rj_net_t net, rj_place_kind place)
{
    static const slong id[4] = { 1, 0, 0, 1 };
    rj_block_t b;
    rj_block_init(b);
    b->two_layer = 1;
    set_mat(b->W1, 2, 2, id);
    set_mat(b->W2, 2, 2, id);
    b->act->kind = RJ_ACT_RELU;
    b->outer->kind = RJ_ACT_RELU;
    b->place = place;
    b->skip = RJ_SKIP_IDENTITY;
    b->n_in = b->n_hidden = b->n_out = 2;
    rj_net_append(net, b, "ex3");
    rj_block_clear(b);
}

START_TEST(test_lesson_example3)
{
    static const slong x0[2] = { -1, 1 }, d02[4] = { 0, 0, 0, 2 }, d12[4] = { 1, 0, 0, 2 };
    static const slong ypost[2] = { 0, 2 }, ypre[2] = { -1, 2 };
    rj_net_t post, pre;
    fmpq_mat_t x, J, E, y;
    rj_ties_t ties;
    rj_error_t err;
    int side;

    rj_net_init(post);
    rj_net_init(pre);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    fmpq_mat_init(E, 0, 0);
    fmpq_mat_init(y, 0, 0);
    set_mat(x, 2, 1, x0);
    example3_net(post, RJ_PLACE_POST);
    example3_net(pre, RJ_PLACE_PRE);

    /* post-activation: y = [0, 2], dy/dx = diag(0, 2), no tie (F(x)+x = [-1, 2]) */
    ck_assert_int_eq(rj_exact_forward(y, post, x, err), RJ_OK);
    set_mat(E, 2, 1, ypost);
    ck_assert(mat_eq(y, E));
    for (side = 0; side < 2; side++) {
        rj_ties_init(ties);
        ck_assert_int_eq(rj_exact_jacobian(J, ties, post, x, policy((rj_tie_mode) side, 0),
                                           err), RJ_OK);
        set_mat(E, 2, 2, d02);
        ck_assert(mat_eq(J, E));
        ck_assert_int_eq(ties->len, 0);
        rj_ties_clear(ties);
    }

    /* pre-activation: relu(x) = [0, 1] and the inner relu then meets
       relu(W1 [0, 1])_1 = relu(0): a tie at block 1, inner activation, unit 1
       (0-based: block 0, where 0, unit 0).  The outer relu at x_1 = -1 is not a
       tie, and its derivative 0 hides the tie's side: diag(1, 2) either way. */
    ck_assert_int_eq(rj_exact_forward(y, pre, x, err), RJ_OK);
    set_mat(E, 2, 1, ypre);
    ck_assert(mat_eq(y, E));
    for (side = 0; side < 2; side++) {
        rj_ties_init(ties);
        ck_assert_int_eq(rj_exact_jacobian(J, ties, pre, x, policy((rj_tie_mode) side, 0),
                                           err), RJ_OK);
        set_mat(E, 2, 2, d12);
        ck_assert(mat_eq(J, E));
        ck_assert_int_eq(ties->len, 1);
        ck_assert_int_eq(ties->ties[0].block, 0);
        ck_assert_int_eq(ties->ties[0].where, 0);
        ck_assert_int_eq(ties->ties[0].unit, 0);
        rj_ties_clear(ties);
    }

    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    fmpq_mat_clear(E);
    fmpq_mat_clear(y);
    rj_net_clear(post);
    rj_net_clear(pre);
}
END_TEST

/* ---------------------------------------------------------------- ties */

/* One block relu(x) (none skip, identity linear branch, post relu) at x = 0
   in every unit: n ties, and the choice bits pick the sides unit by unit. */
START_TEST(test_tie_choice_bits)
{
    static const slong id3[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, z[3] = { 0, 0, 0 };
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x, J;
    rj_ties_t ties;
    rj_error_t err;
    ulong c;
    slong i;

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    set_mat(b->W1, 3, 3, id3);
    b->skip = RJ_SKIP_NONE;
    b->place = RJ_PLACE_POST;
    b->outer->kind = RJ_ACT_LEAKY_RELU;
    fmpq_set_si(b->outer->slope, 1, 10);
    rj_net_append(net, b, NULL);
    set_mat(x, 3, 1, z);
    for (c = 0; c < 8; c++) {
        rj_ties_init(ties);
        ck_assert_int_eq(rj_exact_jacobian(J, ties, net, x, policy(RJ_TIE_CHOICE, c), err),
                         RJ_OK);
        ck_assert_int_eq(ties->len, 3);
        for (i = 0; i < 3; i++) {
            ck_assert_int_eq(ties->ties[i].unit, i);
            ck_assert_int_eq(ties->ties[i].where, 1);
            /* right: 1, left: the leaky slope 1/10 */
            ck_assert(((c >> i) & 1) ? fmpq_is_one(fmpq_mat_entry(J, i, i))
                      : (fmpz_equal_si(fmpq_mat_entry_num(J, i, i), 1)
                         && fmpz_equal_si(fmpq_mat_entry_den(J, i, i), 10)));
        }
        rj_ties_clear(ties);
    }
    /* leaky_relu(1) has no kink: no tie */
    fmpq_one(net->blocks[0].outer->slope);
    rj_ties_init(ties);
    ck_assert_int_eq(rj_exact_jacobian(J, ties, net, x, policy(RJ_TIE_LEFT, 0), err), RJ_OK);
    ck_assert_int_eq(ties->len, 0);
    rj_ties_clear(ties);
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

/* Tie order: outer-pre before inner before outer-post, block by block. */
START_TEST(test_tie_order)
{
    static const slong one[1] = { 1 }, zero[1] = { 0 };
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x, J;
    rj_ties_t ties;
    rj_error_t err;

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    /* y = relu(0*x + W2 relu(W1 relu(x))) at x = 0: pre tie, inner tie; then
       post tie since everything is 0 */
    b->two_layer = 1;
    set_mat(b->W1, 1, 1, one);
    set_mat(b->W2, 1, 1, one);
    b->skip = RJ_SKIP_NONE;
    b->place = RJ_PLACE_PRE;
    rj_net_append(net, b, NULL);
    b->place = RJ_PLACE_POST;
    rj_net_append(net, b, NULL);
    set_mat(x, 1, 1, zero);
    rj_ties_init(ties);
    ck_assert_int_eq(rj_exact_jacobian(J, ties, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
    ck_assert_int_eq(ties->len, 4);
    ck_assert(ties->ties[0].block == 0 && ties->ties[0].where == 1);
    ck_assert(ties->ties[1].block == 0 && ties->ties[1].where == 0);
    ck_assert(ties->ties[2].block == 1 && ties->ties[2].where == 0);
    ck_assert(ties->ties[3].block == 1 && ties->ties[3].where == 1);
    ck_assert(fmpq_is_one(fmpq_mat_entry(J, 0, 0)));
    rj_ties_clear(ties);
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

/* ---------------------------------------------------------------- refusals */

START_TEST(test_tanh_refused)
{
    static const char *msg = "the exact layer cannot take tanh: its values at rational "
                             "points are irrational; use the precise layer (--method interval)";
    static const slong one[1] = { 1 };
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x, J;
    rj_error_t err;

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    set_mat(x, 1, 1, one);
    b->two_layer = 1;
    set_mat(b->W1, 1, 1, one);
    set_mat(b->W2, 1, 1, one);
    b->act->kind = RJ_ACT_TANH;
    rj_net_append(net, b, "t");
    ck_assert_int_eq(rj_exact_jacobian(J, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_ERR_DOMAIN);
    RJ_CHECK(strstr(err->msg, msg) != NULL, seed, "message: %s", err->msg);
    RJ_CHECK(strstr(err->msg, "block 1 ('t')") != NULL, seed, "message: %s", err->msg);
    ck_assert_int_eq(rj_exact_forward(J, net, x, err), RJ_ERR_DOMAIN);
    /* sigmoid as the outer activation of a post block */
    net->blocks[0].act->kind = RJ_ACT_RELU;
    net->blocks[0].outer->kind = RJ_ACT_SIGMOID;
    net->blocks[0].place = RJ_PLACE_POST;
    rj_error_init(err);
    ck_assert_int_eq(rj_exact_jacobian(J, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_ERR_DOMAIN);
    RJ_CHECK(strstr(err->msg, "cannot take sigmoid") != NULL, seed, "message: %s", err->msg);
    /* an outer activation that a NONE placement does not use is no obstacle */
    net->blocks[0].place = RJ_PLACE_NONE;
    ck_assert_int_eq(rj_exact_jacobian(J, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_OK);
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

START_TEST(test_limits_and_shapes)
{
    static const slong one[1] = { 1 }, two[2] = { 1, 1 };
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x, P;
    rj_exact_parts_t p;
    rj_error_t err;
    slong l;
    fmpq_mat_struct *G;

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    rj_exact_parts_init(p);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(P, 0, 0);
    set_mat(x, 1, 1, one);
    set_mat(b->W1, 1, 1, one);
    b->place = RJ_PLACE_NONE;
    for (l = 0; l <= RJ_SUBSETS_MAX_L; l++)
        rj_net_append(net, b, NULL);
    ck_assert_int_eq(rj_exact_parts(p, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
    /* subset enumeration refused before any work, naming the limit */
    ck_assert_int_eq(rj_expand_subsets(P, p, err), RJ_ERR_LIMIT);
    RJ_CHECK(strstr(err->msg, "RJ_SUBSETS_MAX_L") != NULL, seed, "message: %s", err->msg);
    ck_assert_int_eq(rj_expand_subsets_rational(P, p, err), RJ_ERR_LIMIT);
    ck_assert_int_eq(rj_expand_subsets_dyadic(P, p, err), RJ_ERR_LIMIT);
    ck_assert_int_eq(rj_expand_subsets_cleared(P, p, err), RJ_ERR_LIMIT);
    /* graded and direct still work: G_k = C(27, k) * 1^k for R = S = 1 */
    G = mats_init(net->len + 1);
    ck_assert_int_eq(rj_expand_graded(G, p, err), RJ_OK);
    {
        fmpz_t c;
        fmpz_init(c);
        fmpz_bin_uiui(c, net->len, 13);
        ck_assert(fmpz_equal(fmpq_mat_entry_num(G + 13, 0, 0), c));
        fmpz_clear(c);
    }
    mats_clear(G, net->len + 1);
    rj_exact_parts_clear(p);

    /* the point's width does not match block 1 */
    set_mat(x, 2, 1, two);
    rj_error_init(err);
    ck_assert_int_eq(rj_exact_jacobian(P, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_ERR_INPUT);
    RJ_CHECK(strstr(err->msg, "block 1") != NULL && strstr(err->msg, "width 2") != NULL,
             seed, "message: %s", err->msg);
    /* shapes inside the network (a width mismatch between blocks, an identity
       skip that changes the width) are the model's checks (rj_block_validate,
       rj_net_validate: check_model.c); the exact layer takes a valid net */
    /* a width beyond RJ_MAX_WIDTH is refused before work */
    fmpq_mat_clear(x);
    fmpq_mat_init(x, RJ_MAX_WIDTH + 1, 1);
    ck_assert_int_eq(rj_exact_jacobian(P, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_ERR_LIMIT);
    RJ_CHECK(strstr(err->msg, "RJ_MAX_WIDTH") != NULL, seed, "message: %s", err->msg);
    /* expansions of parts never computed */
    ck_assert_int_eq(rj_expand_direct(P, p, err), RJ_ERR_INPUT);

    fmpq_mat_clear(x);
    fmpq_mat_clear(P);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

/* The memory estimate stops a net whose parts would not fit. */
START_TEST(test_memory_limit)
{
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x, J;
    rj_error_t err;
    slong w = 4096, l;

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    fmpq_mat_clear(b->W1);
    fmpq_mat_init(b->W1, w, w);     /* zeros: cheap to hold, 2 w^2 entries per block */
    b->place = RJ_PLACE_NONE;
    for (l = 0; l < 3; l++)
        rj_net_append(net, b, NULL);
    fmpq_mat_init(x, w, 1);
    fmpq_mat_init(J, 0, 0);
    ck_assert_int_eq(rj_exact_jacobian(J, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_ERR_LIMIT);
    RJ_CHECK(strstr(err->msg, "RJ_EXACT_MAX_ENTRIES") != NULL, seed, "message: %s", err->msg);
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

START_TEST(test_empty_net)
{
    static const slong x0[3] = { 1, 2, 3 };
    rj_net_t net;
    fmpq_mat_t x, J, I;
    rj_error_t err;

    rj_net_init(net);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    fmpq_mat_init(I, 3, 3);
    fmpq_mat_one(I);
    set_mat(x, 3, 1, x0);
    ck_assert(check_all_expansions(0, net, x, policy(RJ_TIE_RIGHT, 0)));
    ck_assert_int_eq(rj_exact_jacobian(J, NULL, net, x, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
    ck_assert(mat_eq(J, I));
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    fmpq_mat_clear(I);
    rj_net_clear(net);
}
END_TEST

/* ---------------------------------------------------------------- record */

/* a(z) and the side-chosen a'(z) of a piecewise-linear activation, and
   whether z is a tie (a kink at 0).  At a tie, `right` picks the side. */
static int
ref_act(fmpq_t y, fmpq_t d, const rj_act_struct *a, const fmpq_t z, int right)
{
    int sgn = fmpq_sgn(z);
    int kink = a->kind == RJ_ACT_RELU
               || (a->kind == RJ_ACT_LEAKY_RELU && !fmpq_is_one(a->slope));
    if (a->kind == RJ_ACT_IDENTITY || sgn > 0 || (sgn == 0 && kink && right)
        || (sgn == 0 && !kink)) {
        fmpq_one(d);
        fmpq_set(y, z);
    } else {
        if (a->kind == RJ_ACT_RELU)
            fmpq_zero(d);
        else
            fmpq_set(d, a->slope);
        fmpq_mul(y, z, d);
    }
    return kink && sgn == 0;
}

/* v = a(v) entrywise; D becomes diag(a'(v)) with tie number *k (counted
   across the network in the order of rj_ties_t) taking side bit *k of c. */
static void
ref_act_diag(fmpq_mat_t D, fmpq_mat_t v, const rj_act_struct *a, ulong c, slong *k)
{
    slong i, n = fmpq_mat_nrows(v);
    fmpq_t d;
    fmpq_init(d);
    fmpq_mat_clear(D);
    fmpq_mat_init(D, n, n);
    for (i = 0; i < n; i++) {
        int right = *k < FLINT_BITS && ((c >> *k) & 1);
        if (ref_act(fmpq_mat_entry(v, i, 0), d, a, fmpq_mat_entry(v, i, 0), right))
            (*k)++;
        fmpq_set(fmpq_mat_entry(D, i, i), d);
    }
    fmpq_clear(d);
}

static void
mat_mul_into(fmpq_mat_t A, const fmpq_mat_t B, const fmpq_mat_t C)
{
    fmpq_mat_t T;
    fmpq_mat_init(T, fmpq_mat_nrows(B), fmpq_mat_ncols(C));
    fmpq_mat_mul(T, B, C);
    fmpq_mat_swap(A, T);
    fmpq_mat_clear(T);
}

/* The parts of (net, x) under choice word c by the block formulas of
   resjac/model.h written with explicit diagonal matrices (no code shared with
   src/exact): S_l = D_post S, R_l = D_post J_F D_pre.  S and R hold net->len
   initialised matrices; returns the number of ties met. */
static slong
ref_parts(fmpq_mat_struct *S, fmpq_mat_struct *R, const rj_net_t net, const fmpq_mat_t x,
          ulong c)
{
    slong l, k = 0;
    fmpq_mat_t u, v, z, Dpre, Dmid, Dpost, Sk, y;
    fmpq_mat_init_set(u, x);
    fmpq_mat_init(v, 0, 0);
    fmpq_mat_init(z, 0, 0);
    fmpq_mat_init(Dpre, 0, 0);
    fmpq_mat_init(Dmid, 0, 0);
    fmpq_mat_init(Dpost, 0, 0);
    fmpq_mat_init(Sk, 0, 0);
    fmpq_mat_init(y, 0, 0);
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        slong n_in = fmpq_mat_nrows(u);
        slong n_out = b->two_layer ? fmpq_mat_nrows(b->W2) : fmpq_mat_nrows(b->W1);
        fmpq_mat_clear(v);
        fmpq_mat_init_set(v, u);
        fmpq_mat_clear(Dpre);
        fmpq_mat_init(Dpre, n_in, n_in);
        fmpq_mat_one(Dpre);
        if (b->place == RJ_PLACE_PRE)
            ref_act_diag(Dpre, v, b->outer, c, &k);
        mat_mul_into(z, b->W1, v);
        if (fmpq_mat_nrows(b->b1) != 0)
            fmpq_mat_add(z, z, b->b1);
        /* R_l without D_post: J_F D_pre */
        fmpq_mat_clear(R + l);
        fmpq_mat_init_set(R + l, b->W1);
        mat_mul_into(R + l, R + l, Dpre);
        if (b->two_layer) {
            ref_act_diag(Dmid, z, b->act, c, &k);
            mat_mul_into(R + l, Dmid, R + l);
            mat_mul_into(R + l, b->W2, R + l);
            mat_mul_into(z, b->W2, z);
            if (fmpq_mat_nrows(b->b2) != 0)
                fmpq_mat_add(z, z, b->b2);
        }
        fmpq_mat_clear(Sk);
        fmpq_mat_init(Sk, n_out, n_in);
        if (b->skip == RJ_SKIP_IDENTITY)
            fmpq_mat_one(Sk);
        else if (b->skip == RJ_SKIP_SCALED) {
            fmpq_mat_one(Sk);
            fmpq_mat_scalar_mul_fmpq(Sk, Sk, b->alpha);
        } else if (b->skip == RJ_SKIP_PROJECT)
            fmpq_mat_set(Sk, b->Ws);
        mat_mul_into(y, Sk, u);
        fmpq_mat_add(y, y, z);
        fmpq_mat_clear(Dpost);
        fmpq_mat_init(Dpost, n_out, n_out);
        fmpq_mat_one(Dpost);
        if (b->place == RJ_PLACE_POST)
            ref_act_diag(Dpost, y, b->outer, c, &k);
        fmpq_mat_clear(S + l);
        fmpq_mat_init(S + l, n_out, n_in);
        mat_mul_into(S + l, Dpost, Sk);
        mat_mul_into(R + l, Dpost, R + l);
        fmpq_mat_swap(u, y);
    }
    fmpq_mat_clear(u);
    fmpq_mat_clear(v);
    fmpq_mat_clear(z);
    fmpq_mat_clear(Dpre);
    fmpq_mat_clear(Dmid);
    fmpq_mat_clear(Dpost);
    fmpq_mat_clear(Sk);
    fmpq_mat_clear(y);
    return k;
}

static int
parts_eq(const rj_exact_parts_t p, const rj_exact_parts_t q)
{
    slong l;
    if (p->len != q->len)
        return 0;
    for (l = 0; l <= p->len; l++)
        if (!mat_eq(p->h + l, q->h + l))
            return 0;
    for (l = 0; l < p->len; l++)
        if (!mat_eq(p->S + l, q->S + l) || !mat_eq(p->R + l, q->R + l))
            return 0;
    return 1;
}

/* One forward pass, then the parts under every one-sided choice at the ties:
   rj_exact_parts_rechoose (rebuilding only the blocks with ties, after the
   previous choice) equals rj_exact_parts_set_record, a full rj_exact_parts
   with that choice, and the parts by explicit diagonal matrices (ref_parts);
   random networks of every block kind with small integer weights, so that
   many pre-activations are exactly 0. */
START_TEST(test_record_every_choice)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(200), cases = 0, many = 0;

    rj_test_randinit(st, seed + 7);
    for (iter = 0; iter < n; iter++) {
        rj_net_t net;
        fmpq_mat_t x;
        rj_ties_t ties;
        rj_error_t err;
        rj_exact_record_t rec;
        rj_exact_parts_t pr, ps, pf;
        fmpq_mat_struct *S, *R;
        slong L = 1 + n_randint(st, 5), n0, t, l;
        ulong m;

        rj_net_init(net);
        rj_ties_init(ties);
        rj_error_init(err);
        rj_exact_record_init(rec);
        rj_exact_parts_init(pr);
        rj_exact_parts_init(ps);
        rj_exact_parts_init(pf);
        n0 = rj_test_randnet(net, st, L, 3, 1, 1 + n_randint(st, 2), 3);
        fmpq_mat_init(x, n0, 1);
        rj_test_randmat(x, st, 1, 1);
        ck_assert_int_eq(rj_exact_record(rec, net, x, err), RJ_OK);
        ck_assert_int_eq(rj_exact_parts(pf, ties, net, x, policy(RJ_TIE_RIGHT, 0), err),
                         RJ_OK);
        t = rec->ties->len;
        RJ_CHECK(ties->len == t, seed, "case %ld: %ld ties recorded, %ld by rj_exact_parts",
                 (long) iter, (long) t, (long) ties->len);
        for (l = 0; l < t; l++)
            RJ_CHECK(rec->ties->ties[l].block == ties->ties[l].block
                     && rec->ties->ties[l].where == ties->ties[l].where
                     && rec->ties->ties[l].unit == ties->ties[l].unit, seed,
                     "case %ld: tie %ld differs", (long) iter, (long) l);
        S = mats_init(L);
        R = mats_init(L);
        if (t <= 10) {
            cases++;
            many += t >= 3;
            ck_assert_int_eq(rj_exact_parts_set_record(pr, rec, policy(RJ_TIE_RIGHT, 0), err),
                             RJ_OK);
            RJ_CHECK(parts_eq(pr, pf), seed, "case %ld: right side differs", (long) iter);
            /* masks in an order where consecutive choices differ in many bits */
            for (m = 0; m < (UWORD(1) << t); m++) {
                ulong c = m ^ (m >> 1) ^ (iter & 1 ? 0 : (UWORD(1) << t) - 1);
                rj_tie_policy pol = policy(RJ_TIE_CHOICE, c);
                ck_assert_int_eq(rj_exact_parts_rechoose(pr, rec, pol, err), RJ_OK);
                ck_assert_int_eq(rj_exact_parts_set_record(ps, rec, pol, err), RJ_OK);
                ck_assert_int_eq(rj_exact_parts(pf, NULL, net, x, pol, err), RJ_OK);
                RJ_CHECK(ref_parts(S, R, net, x, c) == t, seed,
                         "case %ld: the reference meets another number of ties",
                         (long) iter);
                for (l = 0; l < L; l++)
                    if (!mat_eq(S + l, pr->S + l) || !mat_eq(R + l, pr->R + l)) {
                        report("parts at a tie choice", iter, net, x);
                        RJ_CHECK(0, seed, "case %ld, choice %lu: block %ld differs from "
                                 "the explicit formulas", (long) iter, (unsigned long) c,
                                 (long) l + 1);
                    }
                RJ_CHECK(parts_eq(pr, ps) && parts_eq(pr, pf), seed,
                         "case %ld, choice %lu: rechoose, set_record and rj_exact_parts "
                         "differ", (long) iter, (unsigned long) c);
            }
            /* the left side everywhere, by rechoose and by the reference */
            ck_assert_int_eq(rj_exact_parts_rechoose(pr, rec, policy(RJ_TIE_LEFT, 0), err),
                             RJ_OK);
            ref_parts(S, R, net, x, 0);
            for (l = 0; l < L; l++)
                RJ_CHECK(mat_eq(S + l, pr->S + l) && mat_eq(R + l, pr->R + l), seed,
                         "case %ld: left side differs at block %ld", (long) iter,
                         (long) l + 1);
        }
        mats_clear(S, L);
        mats_clear(R, L);
        fmpq_mat_clear(x);
        rj_ties_clear(ties);
        rj_exact_record_clear(rec);
        rj_exact_parts_clear(pr);
        rj_exact_parts_clear(ps);
        rj_exact_parts_clear(pf);
        rj_net_clear(net);
    }
    RJ_CHECK(cases >= n / 2 && many >= n / 20, seed,
             "too few cases with ties: %ld with at most 10, %ld of them with 3 or more",
             (long) cases, (long) many);
    flint_randclear(st);
}
END_TEST

/* rechoose needs parts of the record's point; choice words hold FLINT_BITS
   ties: RJ_TIE_CHOICE with more is refused before work, the sides are not. */
START_TEST(test_record_errors)
{
    rj_net_t net;
    rj_block_t b;
    fmpq_mat_t x;
    rj_error_t err;
    rj_exact_record_t rec;
    rj_exact_parts_t p;
    slong n = FLINT_BITS + 1;

    rj_net_init(net);
    rj_block_init(b);
    rj_error_init(err);
    rj_exact_record_init(rec);
    rj_exact_parts_init(p);
    fmpq_mat_init(x, n, 1);
    /* y = relu(x) at x = 0: n ties */
    fmpq_mat_clear(b->W1);
    fmpq_mat_init(b->W1, n, n);
    fmpq_mat_one(b->W1);
    b->skip = RJ_SKIP_NONE;
    b->place = RJ_PLACE_POST;
    rj_net_append(net, b, NULL);
    ck_assert_int_eq(rj_exact_parts_set_record(p, rec, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_ERR_INPUT);
    ck_assert_int_eq(rj_exact_record(rec, net, x, err), RJ_OK);
    ck_assert_int_eq(rec->ties->len, n);
    ck_assert_int_eq(rj_exact_parts_rechoose(p, rec, policy(RJ_TIE_RIGHT, 0), err),
                     RJ_ERR_INPUT);
    ck_assert_int_eq(rj_exact_parts_set_record(p, rec, policy(RJ_TIE_CHOICE, 0), err),
                     RJ_ERR_LIMIT);
    RJ_CHECK(strstr(err->msg, "tie choice word") != NULL, seed, "message: %s", err->msg);
    ck_assert_int_eq(rj_exact_parts_set_record(p, rec, policy(RJ_TIE_LEFT, 0), err), RJ_OK);
    ck_assert(fmpq_is_zero(fmpq_mat_entry(p->R + 0, 0, 0)));
    ck_assert_int_eq(rj_exact_parts_rechoose(p, rec, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
    ck_assert(fmpq_is_one(fmpq_mat_entry(p->R + 0, n - 1, n - 1)));
    ck_assert_int_eq(rj_exact_parts_rechoose(p, rec, policy((rj_tie_mode) 7, 0), err),
                     RJ_ERR_INPUT);
    fmpq_mat_clear(x);
    rj_exact_record_clear(rec);
    rj_exact_parts_clear(p);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

/* ---------------------------------------------------------------- general blocks (issue 11) */

/* Append dense(W, b) to s (W NULL: the identity of b's rows). */
static void
push_dense(rj_seq_t s, const fmpq_mat_t W, const fmpq_mat_t b)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_DENSE);
    fmpq_mat_clear(L.W);
    if (W != NULL)
        fmpq_mat_init_set(L.W, W);
    else {
        fmpq_mat_init(L.W, fmpq_mat_nrows(b), fmpq_mat_nrows(b));
        fmpq_mat_one(L.W);
    }
    if (b != NULL) {
        fmpq_mat_clear(L.b);
        fmpq_mat_init_set(L.b, b);
    }
    rj_seq_push(s, &L);
    rj_layer_clear(&L);
}

/* The general block equal to the shorthand block b: the branch dense(W1, b1),
   act, dense(W2, b2) (or dense(W1, b1)), the projection dense(Ws). */
static void
general_from_shorthand(rj_block_t g, const rj_block_t b)
{
    rj_layer_struct L;
    rj_shape in;
    rj_error_t err;
    in.c = b->n_in;
    in.h = in.w = 1;
    rj_error_init(err);
    rj_block_init_general(g, in);
    push_dense(g->branch, b->W1, b->b1);
    if (b->two_layer) {
        rj_layer_init(&L, RJ_LAYER_ACT);
        rj_act_set(L.act, b->act);
        rj_seq_push(g->branch, &L);
        rj_layer_clear(&L);
        push_dense(g->branch, b->W2, b->b2);
    } else if (fmpq_mat_nrows(b->b2) > 0)
        push_dense(g->branch, NULL, b->b2);   /* F = W1 u + b1 + b2 */
    if (b->skip == RJ_SKIP_PROJECT)
        push_dense(g->proj, b->Ws, NULL);
    g->skip = b->skip;
    fmpq_set(g->alpha, b->alpha);
    g->place = b->place;
    rj_act_set(g->outer, b->outer);
    ck_assert_msg(rj_block_validate(g, NULL, err) == RJ_OK, "general block: %s", err->msg);
}

static void
net_general(rj_net_t g, const rj_net_t net)
{
    slong l;
    rj_net_init(g);
    for (l = 0; l < net->len; l++) {
        rj_block_t b;
        general_from_shorthand(b, net->blocks + l);
        rj_net_append(g, b, NULL);
        rj_block_clear(b);
    }
}

/* The shorthand block and the equal general block (dense, act, dense) give
   the same forward values, parts S_l, R_l under every tie choice, the same
   ties (block, where, layer, unit), and the expansions agree on the general
   network; random networks of every kind with small integer weights (many
   ties). */
START_TEST(test_general_equals_shorthand)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 11);
    for (it = 0; it < rj_test_iters(150); it++) {
        rj_net_t net, g;
        rj_exact_record_t r1, r2;
        rj_exact_parts_t p1, p2;
        rj_error_t err;
        fmpq_mat_t x;
        slong L = 1 + (slong) n_randint(st, 4), i, m, t;
        rj_net_init(net);
        rj_test_randnet_pl(net, st, L, 2, it % 2 ? 1 : 4, 1, 0);
        net_general(g, net);
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, rj_net_width_in(net), 2, 1);
        rj_error_init(err);
        rj_exact_record_init(r1);
        rj_exact_record_init(r2);
        rj_exact_parts_init(p1);
        rj_exact_parts_init(p2);
        ck_assert_int_eq(rj_exact_record(r1, net, x, err), RJ_OK);
        ck_assert_msg(rj_exact_record(r2, g, x, err) == RJ_OK, "general: %s", err->msg);
        t = r1->ties->len;
        if (t != r2->ties->len)
            report("tie count, general vs shorthand", it, net, x);
        ck_assert_int_eq(t, r2->ties->len);
        for (i = 0; i < t; i++) {
            const rj_tie_struct *a = r1->ties->ties + i, *b = r2->ties->ties + i;
            ck_assert_msg(a->block == b->block && a->where == b->where && a->layer == b->layer
                          && a->unit == b->unit, "seed %lu case %ld: tie %ld differs",
                          (unsigned long) seed, (long) it, (long) i);
        }
        for (m = 0; m < (t <= 6 ? (WORD(1) << t) : 16); m++) {
            ulong c = t <= 6 ? (ulong) m : n_randlimb(st);
            rj_tie_policy pol = policy(t > 0 ? RJ_TIE_CHOICE : RJ_TIE_RIGHT, c);
            if (t > FLINT_BITS)
                pol = policy(m % 2 ? RJ_TIE_LEFT : RJ_TIE_RIGHT, 0);
            ck_assert_int_eq(rj_exact_parts_set_record(p1, r1, pol, err), RJ_OK);
            ck_assert_int_eq(rj_exact_parts_set_record(p2, r2, pol, err), RJ_OK);
            if (!parts_eq(p1, p2))
                report("parts, general vs shorthand", it, net, x);
            ck_assert_msg(parts_eq(p1, p2), "seed %lu case %ld choice %lu: parts differ",
                          (unsigned long) seed, (long) it, (unsigned long) c);
            if (m == 0)
                ck_assert(check_all_expansions(it, g, x, pol));
        }
        rj_exact_parts_clear(p1);
        rj_exact_parts_clear(p2);
        rj_exact_record_clear(r1);
        rj_exact_record_clear(r2);
        fmpq_mat_clear(x);
        rj_net_clear(g);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* ---- a reference forward pass, written from the definitions in model.h */

static const fmpq *
at(const fmpq_mat_t u, rj_shape s, slong c, slong i, slong j)
{
    return fmpq_mat_entry(u, (c * s.h + i) * s.w + j, 0);
}

/* sqrt of a rational square */
static void
q_sqrt(fmpq_t r, const fmpq_t q)
{
    fmpz_t a;
    fmpz_init(a);
    ck_assert(fmpz_is_square(fmpq_numref(q)) && fmpz_is_square(fmpq_denref(q)));
    fmpz_sqrt(a, fmpq_numref(q));
    fmpz_set(fmpq_numref(r), a);
    fmpz_sqrt(a, fmpq_denref(q));
    fmpz_set(fmpq_denref(r), a);
    fmpz_clear(a);
}

static void
ref_layer(fmpq_mat_t y, const rj_layer_struct *L, const fmpq_mat_t u)
{
    rj_shape I = L->in, O = L->out;
    slong c, i, j, a, b, ci;
    fmpq_t s, t;
    fmpq_init(s);
    fmpq_init(t);
    fmpq_mat_clear(y);
    fmpq_mat_init(y, rj_shape_size(O), 1);
    for (c = 0; c < O.c; c++)
        for (i = 0; i < O.h; i++)
            for (j = 0; j < O.w; j++) {
                fmpq *out = fmpq_mat_entry(y, (c * O.h + i) * O.w + j, 0);
                slong sh = L->sh > 0 ? L->sh : L->kh, sw = L->sw > 0 ? L->sw : L->kw;
                int have = 0;
                switch (L->kind) {
                case RJ_LAYER_DENSE:
                    fmpq_zero(out);
                    for (a = 0; a < fmpq_mat_nrows(u); a++)
                        fmpq_addmul(out, fmpq_mat_entry(L->W, c, a), fmpq_mat_entry(u, a, 0));
                    if (fmpq_mat_nrows(L->b) > 0)
                        fmpq_add(out, out, fmpq_mat_entry(L->b, c, 0));
                    break;
                case RJ_LAYER_CONV2D: {
                    /* PyTorch: out[co, i, j] = b[co] + sum_{ci in group, a, b}
                       K[co, ci, a, b] in[g*Cg + ci, i*s - p + a*d, j*s - p + b*d] */
                    slong Cg = I.c / L->groups, g = c / (O.c / L->groups);
                    fmpq_zero(out);
                    for (ci = 0; ci < Cg; ci++)
                        for (a = 0; a < L->kh; a++)
                            for (b = 0; b < L->kw; b++) {
                                slong y0 = i * L->sh - L->ph + a * L->dh;
                                slong x0 = j * L->sw - L->pw + b * L->dw;
                                if (y0 >= 0 && y0 < I.h && x0 >= 0 && x0 < I.w)
                                    fmpq_addmul(out, fmpq_mat_entry(L->W, c, (ci * L->kh + a)
                                                                               * L->kw + b),
                                                at(u, I, g * Cg + ci, y0, x0));
                            }
                    if (fmpq_mat_nrows(L->b) > 0)
                        fmpq_add(out, out, fmpq_mat_entry(L->b, c, 0));
                    break;
                }
                case RJ_LAYER_AFFINE:
                case RJ_LAYER_BATCHNORM:
                    fmpq_set(out, at(u, I, c, i, j));
                    if (L->kind == RJ_LAYER_BATCHNORM) {
                        fmpq_sub(out, out, fmpq_mat_entry(L->mean, c, 0));
                        fmpq_add(t, fmpq_mat_entry(L->var, c, 0), L->eps);
                        q_sqrt(s, t);
                        fmpq_div(out, out, s);
                    }
                    if (fmpq_mat_nrows(L->scale) > 0)
                        fmpq_mul(out, out, fmpq_mat_entry(L->scale, c, 0));
                    if (fmpq_mat_nrows(L->shift) > 0)
                        fmpq_add(out, out, fmpq_mat_entry(L->shift, c, 0));
                    break;
                case RJ_LAYER_AVGPOOL:
                case RJ_LAYER_MAXPOOL:
                    fmpq_zero(out);
                    for (a = 0; a < L->kh; a++)
                        for (b = 0; b < L->kw; b++) {
                            slong y0 = i * sh - L->ph + a * L->dh, x0 = j * sw - L->pw + b * L->dw;
                            if (y0 < 0 || y0 >= I.h || x0 < 0 || x0 >= I.w)
                                continue;
                            if (L->kind == RJ_LAYER_AVGPOOL)
                                fmpq_add(out, out, at(u, I, c, y0, x0));
                            else if (!have || fmpq_cmp(at(u, I, c, y0, x0), out) > 0)
                                fmpq_set(out, at(u, I, c, y0, x0));
                            have = 1;
                        }
                    if (L->kind == RJ_LAYER_AVGPOOL)
                        fmpq_div_fmpz(out, out, (fmpz_set_si(fmpq_numref(s), L->kh * L->kw),
                                                 fmpq_numref(s)));
                    break;
                case RJ_LAYER_GAP:
                    fmpq_zero(out);
                    for (a = 0; a < I.h; a++)
                        for (b = 0; b < I.w; b++)
                            fmpq_add(out, out, at(u, I, c, a, b));
                    fmpq_div_fmpz(out, out, (fmpz_set_si(fmpq_numref(s), I.h * I.w),
                                             fmpq_numref(s)));
                    break;
                case RJ_LAYER_FLATTEN:
                    fmpq_set(out, fmpq_mat_entry(u, c, 0));
                    break;
                case RJ_LAYER_ACT:
                    ref_act(out, s, L->act, at(u, I, c, i, j), 1);
                    break;
                default:
                    ck_abort_msg("ref_layer: kind %d", (int) L->kind);
                }
            }
    fmpq_clear(s);
    fmpq_clear(t);
}

/* The block (skip none or identity, no placement) by ref_layer. */
static void
ref_block(fmpq_mat_t y, const rj_block_struct *B, const fmpq_mat_t x)
{
    slong i;
    fmpq_mat_t v, w;
    fmpq_mat_init_set(v, x);
    fmpq_mat_init(w, 0, 0);
    for (i = 0; i < B->branch->len; i++) {
        ref_layer(w, B->branch->layers + i, v);
        fmpq_mat_swap(v, w);
    }
    if (B->skip == RJ_SKIP_IDENTITY)
        fmpq_mat_add(v, v, x);
    fmpq_mat_clear(y);
    fmpq_mat_init_set(y, v);
    fmpq_mat_clear(v);
    fmpq_mat_clear(w);
}

/* A random layer of kind k for input shape in (parameters p/4, |p| <= 8). */
static void
rand_layer(rj_layer_struct *L, rj_layer_kind k, rj_shape in, flint_rand_t st)
{
    slong c;
    rj_layer_init(L, k);
    switch (k) {
    case RJ_LAYER_DENSE:
        fmpq_mat_clear(L->W);
        fmpq_mat_init(L->W, 1 + n_randint(st, 4), rj_shape_size(in));
        rj_test_randmat(L->W, st, 8, 4);
        if (n_randint(st, 2)) {
            fmpq_mat_clear(L->b);
            fmpq_mat_init(L->b, fmpq_mat_nrows(L->W), 1);
            rj_test_randmat(L->b, st, 8, 4);
        }
        break;
    case RJ_LAYER_CONV2D: {
        slong g = (in.c % 2 == 0 && n_randint(st, 2)) ? 2 : 1, co = g * (1 + n_randint(st, 2));
        L->groups = g;
        L->kh = 1 + n_randint(st, 3);
        L->kw = 1 + n_randint(st, 3);
        L->sh = 1 + n_randint(st, 2);
        L->sw = 1 + n_randint(st, 2);
        L->ph = n_randint(st, 2);
        L->pw = n_randint(st, 2);
        L->dh = 1 + n_randint(st, 2);
        L->dw = 1 + n_randint(st, 2);
        fmpq_mat_clear(L->W);
        fmpq_mat_init(L->W, co, in.c / g * L->kh * L->kw);
        rj_test_randmat(L->W, st, 8, 4);
        if (n_randint(st, 2)) {
            fmpq_mat_clear(L->b);
            fmpq_mat_init(L->b, co, 1);
            rj_test_randmat(L->b, st, 8, 4);
        }
        break;
    }
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
        fmpq_mat_clear(L->scale);
        fmpq_mat_init(L->scale, in.c, 1);
        rj_test_randmat(L->scale, st, 8, 4);
        fmpq_mat_clear(L->shift);
        fmpq_mat_init(L->shift, in.c, 1);
        rj_test_randmat(L->shift, st, 8, 4);
        if (k == RJ_LAYER_BATCHNORM) {     /* var + eps = r^2, r = p/4 > 0 */
            fmpq_mat_clear(L->mean);
            fmpq_mat_init(L->mean, in.c, 1);
            rj_test_randmat(L->mean, st, 8, 4);
            fmpq_mat_clear(L->var);
            fmpq_mat_init(L->var, in.c, 1);
            fmpq_set_si(L->eps, 1, 16);
            for (c = 0; c < in.c; c++) {
                fmpq *v = fmpq_mat_entry(L->var, c, 0);
                fmpq_set_si(v, 1 + n_randint(st, 12), 4);
                fmpq_mul(v, v, v);
                fmpq_sub(v, v, L->eps);
            }
        }
        break;
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_MAXPOOL:
        L->kh = 1 + n_randint(st, 3);
        L->kw = 1 + n_randint(st, 3);
        L->sh = n_randint(st, 3);
        L->sw = n_randint(st, 3);
        L->ph = n_randint(st, L->kh / 2 + 1);
        L->pw = n_randint(st, L->kw / 2 + 1);
        if (k == RJ_LAYER_MAXPOOL) {
            L->dh = 1 + n_randint(st, 2);
            L->dw = 1 + n_randint(st, 2);
        }
        break;
    case RJ_LAYER_ACT:
        rj_act_set_kind(L->act, (rj_act_kind) n_randint(st, 3));  /* identity, relu, leaky */
        if (L->act->kind == RJ_ACT_LEAKY_RELU)
            fmpq_set_si(L->act->slope, 1, 1 + n_randint(st, 8));
        break;
    default:
        break;
    }
}

/* Every layer the exact layer takes: random sequences of 1 to 3 layers in a
   block (skip none, or identity when the shape allows) at random points of
   shape C x H x W.  The forward value equals the reference (a direct nested
   loop per layer, conv2d as PyTorch defines it), and, at points away from
   every kink (no tie), each Jacobian column equals the exact difference
   quotient (F(x + h e_j) - F(x)) / h of the reference, h = 2^-60: the map is
   affine on the piece that holds x, and x + h e_j stays in it (every
   pre-activation and every gap between window entries is a multiple of
   4^-k, far above the change h * (weights)). */
START_TEST(test_layers_jacobian_fd)
{
    static const rj_layer_kind kinds[] = { RJ_LAYER_DENSE, RJ_LAYER_CONV2D, RJ_LAYER_AFFINE,
                                           RJ_LAYER_BATCHNORM, RJ_LAYER_AVGPOOL,
                                           RJ_LAYER_MAXPOOL, RJ_LAYER_GAP, RJ_LAYER_FLATTEN,
                                           RJ_LAYER_ACT };
    flint_rand_t st;
    slong it, done = 0, seen[9] = { 0 };
    rj_test_randinit(st, seed + 12);
    for (it = 0; it < rj_test_iters(400); it++) {
        rj_block_t B;
        rj_net_t net;
        rj_shape in, cur;
        rj_error_t err;
        rj_ties_t ties;
        fmpq_mat_t x, y, yr, J, xh, yh, col;
        fmpq_t h;
        slong n, i, j, nl = 1 + n_randint(st, 3), kk[3];
        int ok = 1;
        in.c = 1 + n_randint(st, 3);
        in.h = 2 + n_randint(st, 4);
        in.w = 2 + n_randint(st, 4);
        rj_block_init_general(B, in);
        rj_error_init(err);
        cur = in;
        for (i = 0; i < nl && ok; i++) {
            rj_layer_struct L;
            kk[i] = (slong) n_randint(st, 9);
            rand_layer(&L, kinds[kk[i]], cur, st);
            rj_seq_push(B->branch, &L);
            rj_layer_clear(&L);
            B->skip = RJ_SKIP_NONE;
            ok = rj_block_validate(B, NULL, err) == RJ_OK;
            cur = B->out;
        }
        if (!ok) {          /* a window that does not fit: draw again */
            rj_block_clear(B);
            continue;
        }
        if (cur.c == in.c && cur.h == in.h && cur.w == in.w && n_randint(st, 2)) {
            B->skip = RJ_SKIP_IDENTITY;
            ck_assert(rj_block_validate(B, NULL, err) == RJ_OK);
        }
        rj_net_init(net);
        rj_net_append(net, B, NULL);
        n = rj_shape_size(in);
        fmpq_mat_init(x, 0, 0);
        fmpq_mat_init(y, 0, 0);
        fmpq_mat_init(yr, 0, 0);
        fmpq_mat_init(J, 0, 0);
        fmpq_mat_init(xh, 0, 0);
        fmpq_mat_init(yh, 0, 0);
        fmpq_mat_init(col, 0, 0);
        fmpq_init(h);
        rj_test_randpoint(x, st, n, 16, 4);
        ck_assert_msg(rj_exact_forward(y, net, x, err) == RJ_OK, "forward: %s", err->msg);
        ref_block(yr, B, x);
        if (!fmpq_mat_equal(y, yr)) {
            rj_test_print_mat("x", x);
            rj_test_print_mat("exact", y);
            rj_test_print_mat("reference", yr);
        }
        ck_assert_msg(fmpq_mat_equal(y, yr), "seed %lu case %ld: forward differs from the "
                      "reference", (unsigned long) seed, (long) it);
        rj_ties_init(ties);
        ck_assert_msg(rj_exact_jacobian(J, ties, net, x, policy(RJ_TIE_RIGHT, 0), err) == RJ_OK,
                      "jacobian: %s", err->msg);
        if (ties->len == 0) {
            fmpq_set_si(h, 1, 1);
            fmpz_mul_2exp(fmpq_denref(h), fmpq_denref(h), 60);
            for (j = 0; j < n; j++) {
                fmpq_mat_clear(xh);
                fmpq_mat_init_set(xh, x);
                fmpq_add(fmpq_mat_entry(xh, j, 0), fmpq_mat_entry(xh, j, 0), h);
                ref_block(yh, B, xh);
                fmpq_mat_clear(col);
                fmpq_mat_init(col, fmpq_mat_nrows(yh), 1);
                fmpq_mat_sub(col, yh, yr);
                fmpq_mat_scalar_div_fmpz(col, col, fmpq_numref(h));
                fmpq_mat_scalar_mul_fmpz(col, col, fmpq_denref(h));
                for (i = 0; i < fmpq_mat_nrows(col); i++)
                    if (!fmpq_equal(fmpq_mat_entry(col, i, 0), fmpq_mat_entry(J, i, j))) {
                        fprintf(stderr, "seed %lu case %ld: J[%ld, %ld] differs from the "
                                "difference quotient; layers %ld %ld %ld\n",
                                (unsigned long) seed, (long) it, (long) i, (long) j,
                                (long) kk[0], nl > 1 ? (long) kk[1] : -1L,
                                nl > 2 ? (long) kk[2] : -1L);
                        ck_abort();
                    }
            }
            done++;
            for (i = 0; i < nl; i++)
                seen[kk[i]]++;
        }
        rj_ties_clear(ties);
        fmpq_clear(h);
        fmpq_mat_clear(x);
        fmpq_mat_clear(y);
        fmpq_mat_clear(yr);
        fmpq_mat_clear(J);
        fmpq_mat_clear(xh);
        fmpq_mat_clear(yh);
        fmpq_mat_clear(col);
        rj_net_clear(net);
        rj_block_clear(B);
    }
    flint_randclear(st);
    ck_assert_msg(done >= rj_test_iters(400) / 4, "only %ld cases without ties", (long) done);
    for (it = 0; it < 9; it++)
        ck_assert_msg(seen[it] > 0, "layer kind %d never checked", (int) kinds[it]);
}
END_TEST

/* net: one general block named `name`, input 1 x k x k, branch [relu,]
   maxpool(k), skip none (B holds the block too). */
static void
maxpool_net(rj_net_t net, rj_block_t B, slong k, int relu_first, const char *name)
{
    rj_shape in = { 1, k, k };
    rj_layer_struct L;
    rj_error_t err;
    rj_block_init_general(B, in);
    if (relu_first) {
        rj_layer_init(&L, RJ_LAYER_ACT);
        rj_act_set_kind(L.act, RJ_ACT_RELU);
        rj_seq_push(B->branch, &L);
        rj_layer_clear(&L);
    }
    rj_layer_init(&L, RJ_LAYER_MAXPOOL);
    L.kh = L.kw = k;
    rj_seq_push(B->branch, &L);
    rj_layer_clear(&L);
    B->skip = RJ_SKIP_NONE;
    rj_error_init(err);
    ck_assert_msg(rj_block_validate(B, name, err) == RJ_OK, "%s", err->msg);
    rj_net_init(net);
    rj_net_append(net, B, name);
}

/* A maxpool window with several maxima is a tie: two maxima are the two
   sides of a choice bit (the Jacobian row selects the first or the last);
   three are two ties of the output (stages 0 and 1) whose four choices select
   the first (stage 0 left), the second (stage 0 right, stage 1 left) and the
   last (both right) maximum; the one-sided conventions take the first or
   last. */
START_TEST(test_maxpool_ties)
{
    static const slong u2[4] = { 3, 3, 1, 2 }, u3[4] = { 3, 3, 3, 2 };
    rj_block_t B;
    rj_net_t net;
    rj_error_t err;
    rj_ties_t ties;
    rj_exact_record_t rec;
    rj_exact_parts_t p;
    fmpq_mat_t x, J;
    int k;
    maxpool_net(net, B, 2, 0, "P");
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    for (k = 0; k < 2; k++) {
        const slong *u = k == 0 ? u2 : u3;
        slong first = 0, last = k == 0 ? 1 : 2;
        rj_tie_mode m;
        set_mat(x, 4, 1, u);
        for (m = RJ_TIE_LEFT; m <= RJ_TIE_RIGHT; m++) {
            rj_ties_init(ties);
            ck_assert_int_eq(rj_exact_jacobian(J, ties, net, x, policy(m, 0), err), RJ_OK);
            ck_assert_int_eq(ties->len, k == 0 ? 1 : 2);
            ck_assert(ties->ties[0].block == 0 && ties->ties[0].where == 0
                      && ties->ties[0].layer == 0 && ties->ties[0].unit == 0
                      && ties->ties[0].stage == 0);
            if (k == 1)
                ck_assert(ties->ties[1].layer == 0 && ties->ties[1].unit == 0
                          && ties->ties[1].stage == 1);
            ck_assert(fmpq_is_one(fmpq_mat_entry(J, 0, m == RJ_TIE_LEFT ? first : last)));
            ck_assert(fmpq_is_zero(fmpq_mat_entry(J, 0, m == RJ_TIE_LEFT ? last : first)));
            rj_ties_clear(ties);
        }
        rj_exact_record_init(rec);
        rj_exact_parts_init(p);
        ck_assert_int_eq(rj_exact_record(rec, net, x, err), RJ_OK);
        if (k == 0) {
            ck_assert_int_eq(rj_exact_parts_set_record(p, rec, policy(RJ_TIE_CHOICE, 1), err),
                             RJ_OK);
            ck_assert(fmpq_is_one(fmpq_mat_entry(p->R + 0, 0, last)));
            ck_assert_int_eq(rj_exact_parts_rechoose(p, rec, policy(RJ_TIE_CHOICE, 0), err),
                             RJ_OK);
            ck_assert(fmpq_is_one(fmpq_mat_entry(p->R + 0, 0, first)));
        } else {
            static const slong sel[4] = { 0, 1, 0, 2 };     /* choice word -> maximum */
            ulong c;
            ck_assert_int_eq(rj_exact_parts_set_record(p, rec, policy(RJ_TIE_CHOICE, 1), err),
                             RJ_OK);
            for (c = 0; c < 4; c++) {
                slong j;
                ck_assert_int_eq(rj_exact_parts_rechoose(p, rec, policy(RJ_TIE_CHOICE, c), err),
                                 RJ_OK);
                for (j = 0; j < 4; j++)
                    ck_assert_msg(fmpq_equal_si(fmpq_mat_entry(p->R + 0, 0, j), j == sel[c]),
                                  "choice %lu: entry %ld", (unsigned long) c, (long) j);
            }
        }
        rj_exact_parts_clear(p);
        rj_exact_record_clear(rec);
    }
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    rj_net_clear(net);
    rj_block_clear(B);
}
END_TEST

/* A maxpool window with k = 2..6 equal maxima (stick breaking, proofs/ties.md
   section 9), in a block maxpool -> dense with random weights: the network's
   Jacobian under each of the 2^(k-1) choices of the window's k - 1 ties
   equals the Jacobian at a point where the maximum that choice selects was
   raised by 2^-20 (no tie there: a direct computation without any tie
   logic); every one of the k maxima is selected by some choice, the left
   convention selects the first (PyTorch's), the right one the last, and
   rj_exact_ties_inert keeps every stage (the maxima's rows of the Jacobian
   so far are rows of I).  Then a relu before the pool at inputs that are all
   negative: the window is 9 zeros, 8 stages, each marked inert (every
   maximum's row of the Jacobian so far is 0), and indeed every choice gives
   the same Jacobian. */
START_TEST(test_maxpool_kway_ties)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 41);
    for (it = 0; it < rj_test_iters(60); it++) {
        slong kmax = 2 + it % 5, H = 3, Wd = 3, n = H * Wd, m = 1 + n_randint(st, 3), i, j;
        slong pos[9], perm[9], c, nc, kk;
        int *seen, *inert;
        rj_shape in = { 1, 3, 3 };
        rj_block_t B;
        rj_layer_struct L;
        rj_net_t net;
        rj_error_t err;
        rj_exact_record_t rec;
        fmpq_mat_t x, xh, J, Jh;
        rj_block_init_general(B, in);
        rj_layer_init(&L, RJ_LAYER_MAXPOOL);
        L.kh = L.kw = 3;
        rj_seq_push(B->branch, &L);
        rj_layer_clear(&L);
        rj_layer_init(&L, RJ_LAYER_DENSE);
        fmpq_mat_clear(L.W);
        fmpq_mat_init(L.W, m, 1);
        rj_test_randmat(L.W, st, 8, 4);
        for (i = 0; i < m; i++)
            if (fmpq_is_zero(fmpq_mat_entry(L.W, i, 0)))
                fmpq_one(fmpq_mat_entry(L.W, i, 0));
        rj_seq_push(B->branch, &L);
        rj_layer_clear(&L);
        B->skip = RJ_SKIP_PROJECT;     /* + an identity-like projection: x -> x1 */
        rj_layer_init(&L, RJ_LAYER_DENSE);
        fmpq_mat_clear(L.W);
        fmpq_mat_init(L.W, m, n);
        rj_test_randmat(L.W, st, 8, 4);
        rj_seq_push(B->proj, &L);
        rj_layer_clear(&L);
        rj_error_init(err);
        ck_assert_msg(rj_block_validate(B, "M", err) == RJ_OK, "%s", err->msg);
        rj_net_init(net);
        rj_net_append(net, B, "M");
        /* x: k maxima 5 at random places, the rest below */
        for (i = 0; i < n; i++)
            perm[i] = i;
        for (i = n - 1; i > 0; i--) {
            slong r = n_randint(st, i + 1), t = perm[i];
            perm[i] = perm[r];
            perm[r] = t;
        }
        fmpq_mat_init(x, n, 1);
        for (i = 0; i < n; i++)
            fmpq_set_si(fmpq_mat_entry(x, i, 0), -(slong) n_randint(st, 8) - 1, 2);
        for (i = 0; i < kmax; i++)
            fmpq_set_si(fmpq_mat_entry(x, perm[i], 0), 5, 1);
        for (i = 0, kk = 0; i < n; i++)      /* the maxima in window order */
            if (fmpq_equal_si(fmpq_mat_entry(x, i, 0), 5))
                pos[kk++] = i;
        ck_assert_int_eq(kk, kmax);
        rj_exact_record_init(rec);
        ck_assert_int_eq(rj_exact_record(rec, net, x, err), RJ_OK);
        ck_assert_int_eq(rec->ties->len, kmax - 1);
        for (i = 0; i < kmax - 1; i++)
            ck_assert(rec->ties->ties[i].unit == 0 && rec->ties->ties[i].stage == i);
        inert = flint_calloc(kmax, sizeof(int));
        ck_assert_int_eq(rj_exact_ties_inert(inert, rec, err), RJ_OK);
        for (i = 0; i < kmax - 1; i++)
            ck_assert_msg(!inert[i], "case %ld: stage %ld marked inert", (long) it, (long) i);
        seen = flint_calloc(kmax, sizeof(int));
        fmpq_mat_init(J, 0, 0);
        fmpq_mat_init(Jh, 0, 0);
        fmpq_mat_init(xh, 0, 0);
        nc = WORD(1) << (kmax - 1);
        for (c = -2; c < nc; c++) {
            /* c = -2, -1: the left and right conventions */
            rj_tie_policy pol = c == -2 ? policy(RJ_TIE_LEFT, 0)
                                : c == -1 ? policy(RJ_TIE_RIGHT, 0)
                                          : policy(RJ_TIE_CHOICE, (ulong) c);
            slong s = kmax - 1;
            rj_ties_t t;
            for (j = 0; j < kmax - 1; j++)      /* the first stage on the left */
                if (c == -2 || (c >= 0 && !((c >> j) & 1))) {
                    s = j;
                    break;
                }
            if (c >= 0)
                seen[s] = 1;
            rj_ties_init(t);
            ck_assert_int_eq(rj_exact_jacobian(J, t, net, x, pol, err), RJ_OK);
            rj_ties_clear(t);
            fmpq_mat_clear(xh);
            fmpq_mat_init_set(xh, x);
            fmpq_set_si(fmpq_mat_entry(xh, pos[s], 0), 5 * (WORD(1) << 20) + 1, WORD(1) << 20);
            rj_ties_init(t);
            ck_assert_int_eq(rj_exact_jacobian(Jh, t, net, xh, policy(RJ_TIE_LEFT, 0), err),
                             RJ_OK);
            ck_assert_int_eq(t->len, 0);
            rj_ties_clear(t);
            if (!fmpq_mat_equal(J, Jh)) {
                rj_test_print_mat("x", x);
                rj_test_print_mat("J (choice)", J);
                rj_test_print_mat("J (raised maximum)", Jh);
            }
            ck_assert_msg(fmpq_mat_equal(J, Jh), "seed %lu case %ld: %ld maxima, choice %ld "
                          "differs from maximum %ld raised", (unsigned long) seed, (long) it,
                          (long) kmax, (long) c, (long) s);
        }
        for (j = 0; j < kmax; j++)
            ck_assert_msg(seen[j], "case %ld: maximum %ld never selected", (long) it, (long) j);
        flint_free(seen);
        flint_free(inert);
        fmpq_mat_clear(J);
        fmpq_mat_clear(Jh);
        fmpq_mat_clear(xh);
        fmpq_mat_clear(x);
        rj_exact_record_clear(rec);
        rj_net_clear(net);
        rj_block_clear(B);
    }
    /* relu then maxpool at negative inputs: 8 inert stages */
    {
        rj_block_t B;
        rj_net_t net;
        rj_error_t err;
        rj_exact_record_t rec;
        rj_exact_parts_t p;
        fmpq_mat_t x, J0, J1;
        int inert[9], k;
        slong i, c;
        maxpool_net(net, B, 3, 1, "Z");
        rj_error_init(err);
        fmpq_mat_init(x, 9, 1);
        fmpq_mat_init(J0, 0, 0);
        fmpq_mat_init(J1, 0, 0);
        for (k = 0; k < 2; k++) {
            /* k = 1: input 2 is 0, a relu tie whose row may be nonzero: the
               window's stages must be kept (the first maximum's row is 0, the
               second's is not), and some choice changes the Jacobian */
            int t0 = k, changed = 0;
            for (i = 0; i < 9; i++)
                fmpq_set_si(fmpq_mat_entry(x, i, 0), k == 1 && i == 1 ? 0 : -1 - i, 3);
            rj_exact_record_init(rec);
            rj_exact_parts_init(p);
            ck_assert_int_eq(rj_exact_record(rec, net, x, err), RJ_OK);
            ck_assert_int_eq(rec->ties->len, 8 + t0);
            ck_assert_int_eq(rj_exact_ties_inert(inert, rec, err), RJ_OK);
            for (i = 0; i < 8; i++)
                ck_assert_msg(inert[t0 + i] == (k == 0) && rec->ties->ties[t0 + i].stage == i,
                              "point %d: stage %ld", k, (long) i);
            ck_assert_int_eq(rj_exact_parts_set_record(p, rec, policy(RJ_TIE_LEFT, 0), err),
                             RJ_OK);
            ck_assert_int_eq(rj_expand_direct(J0, p, err), RJ_OK);
            for (c = 0; c < (WORD(1) << (8 + t0)); c++) {
                ck_assert_int_eq(rj_exact_parts_rechoose(p, rec, policy(RJ_TIE_CHOICE, c), err),
                                 RJ_OK);
                ck_assert_int_eq(rj_expand_direct(J1, p, err), RJ_OK);
                changed |= !fmpq_mat_equal(J0, J1);
            }
            ck_assert_int_eq(changed, k == 1);
            rj_exact_parts_clear(p);
            rj_exact_record_clear(rec);
        }
        fmpq_mat_clear(J0);
        fmpq_mat_clear(J1);
        fmpq_mat_clear(x);
        rj_net_clear(net);
        rj_block_clear(B);
    }
    flint_randclear(st);
}
END_TEST

/* Layers whose values leave the rationals are refused before any work, with
   a message naming the block and the layer and pointing to the precise
   layer; a batchnorm whose sqrt(var + eps) is rational is taken. */
START_TEST(test_layers_refused)
{
    rj_shape in;
    rj_error_t err;
    fmpq_mat_t x, y;
    int k;
    in.c = 2;
    in.h = in.w = 1;
    fmpq_mat_init(x, 2, 1);
    fmpq_mat_init(y, 0, 0);
    for (k = 0; k < 5; k++) {
        rj_block_t B;
        rj_layer_struct L;
        rj_net_t net;
        int st;
        rj_block_init_general(B, in);
        rj_layer_init(&L, RJ_LAYER_ACT);
        rj_act_set_kind(L.act, RJ_ACT_RELU);
        rj_seq_push(B->branch, &L);
        rj_layer_clear(&L);
        if (k == 0 || k == 1) {
            rj_layer_init(&L, RJ_LAYER_ACT);
            rj_act_set_kind(L.act, k == 0 ? RJ_ACT_GELU : RJ_ACT_SOFTPLUS);
        } else if (k == 2)
            rj_layer_init(&L, RJ_LAYER_LAYERNORM);
        else {
            slong v[2] = { 3, k == 3 ? 1 : 8 };   /* var + eps = 4, then 2 or 9 */
            rj_layer_init(&L, RJ_LAYER_BATCHNORM);
            fmpq_one(L.eps);
            fmpq_mat_clear(L.mean);
            fmpq_mat_init(L.mean, 2, 1);
            set_mat(L.var, 2, 1, v);
        }
        rj_seq_push(B->branch, &L);
        rj_layer_clear(&L);
        ck_assert(rj_block_validate(B, "B", err) == RJ_OK);
        rj_net_init(net);
        rj_net_append(net, B, "B");
        st = rj_exact_forward(y, net, x, err);
        if (k == 4) {
            ck_assert_msg(st == RJ_OK, "%s", err->msg);
        } else {
            static const char *what[] = { "gelu", "softplus(1)", "layernorm", "batchnorm(2)" };
            char want[200];
            snprintf(want, sizeof(want), "block 1 ('B'), branch layer 2 (%s)", what[k]);
            ck_assert_int_eq(st, RJ_ERR_DOMAIN);
            ck_assert_msg(strstr(err->msg, want) != NULL && strstr(err->msg, "precise layer"),
                          "%s", err->msg);
        }
        rj_net_clear(net);
        rj_block_clear(B);
    }
    fmpq_mat_clear(x);
    fmpq_mat_clear(y);
}
END_TEST

/* rj_exact_ties_inert never marks a tie whose choice changes the Jacobian:
   on random networks of every kind (shorthand and general, small integer
   weights: many ties, many units gated to 0), for every tie marked inert and
   every choice at the other ties (all of them up to 8 ties, else random
   ones), flipping that tie's side leaves the Jacobian unchanged.  And
   pruning does apply: some ties are marked over the run. */
START_TEST(test_ties_inert_sound)
{
    flint_rand_t st;
    slong it, marked = 0, kept_changing = 0;
    rj_test_randinit(st, seed + 31);
    for (it = 0; it < rj_test_iters(300); it++) {
        rj_net_t net, g;
        rj_exact_record_t rec;
        rj_exact_parts_t p;
        rj_error_t err;
        fmpq_mat_t x, J0, J1;
        slong L = 2 + (slong) n_randint(st, 3), t, i, m, nm;
        int *inert;
        const rj_net_struct *use;
        rj_net_init(net);
        rj_test_randnet_pl(net, st, L, 1, 1, 0, 0);
        net_general(g, net);
        use = it % 2 ? g : net;
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, rj_net_width_in(net), 1, 1);
        rj_error_init(err);
        rj_exact_record_init(rec);
        rj_exact_parts_init(p);
        fmpq_mat_init(J0, 0, 0);
        fmpq_mat_init(J1, 0, 0);
        ck_assert_int_eq(rj_exact_record(rec, use, x, err), RJ_OK);
        t = rec->ties->len;
        if (t > 20) {
            rj_exact_record_clear(rec);
            goto next;
        }
        inert = flint_calloc(FLINT_MAX(t, 1), sizeof(int));
        ck_assert_int_eq(rj_exact_ties_inert(inert, rec, err), RJ_OK);
        ck_assert_int_eq(rj_exact_parts_set_record(p, rec, policy(RJ_TIE_RIGHT, 0), err), RJ_OK);
        nm = t <= 8 ? (WORD(1) << t) : 64;
        for (i = 0; i < t; i++) {
            int changes = 0;
            for (m = 0; m < nm; m++) {
                ulong c = t <= 8 ? (ulong) m : n_randlimb(st) & ((UWORD(1) << t) - 1);
                c &= ~(UWORD(1) << i);
                ck_assert_int_eq(rj_exact_parts_rechoose(p, rec, policy(RJ_TIE_CHOICE, c), err),
                                 RJ_OK);
                ck_assert_int_eq(rj_expand_direct(J0, p, err), RJ_OK);
                ck_assert_int_eq(rj_exact_parts_rechoose(p, rec,
                                                         policy(RJ_TIE_CHOICE,
                                                                c | (UWORD(1) << i)), err),
                                 RJ_OK);
                ck_assert_int_eq(rj_expand_direct(J1, p, err), RJ_OK);
                if (!fmpq_mat_equal(J0, J1))
                    changes = 1;
            }
            if (inert[i] && changes) {
                report("inert tie changes the Jacobian", it, net, x);
                ck_abort_msg("seed %lu case %ld: tie %ld marked inert changes the Jacobian",
                             (unsigned long) seed, (long) it, (long) i);
            }
            marked += inert[i];
            kept_changing += changes;
        }
        flint_free(inert);
        rj_exact_record_clear(rec);
    next:
        rj_exact_parts_clear(p);
        fmpq_mat_clear(x);
        fmpq_mat_clear(J0);
        fmpq_mat_clear(J1);
        rj_net_clear(g);
        rj_net_clear(net);
    }
    flint_randclear(st);
    ck_assert_msg(marked >= 10 && kept_changing >= 10, "inert %ld, changing %ld: the run "
                  "does not exercise both cases", (long) marked, (long) kept_changing);
}
END_TEST

static Suite *
exact_suite(void)
{
    Suite *s = suite_create("exact");
    TCase *tc = tcase_create("exact");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_expansions_random);
    tcase_add_test(tc, test_dyadic_float64_like);
    tcase_add_test(tc, test_is_dyadic);
    tcase_add_test(tc, test_commuting);
    tcase_add_test(tc, test_jacobian_directional);
    tcase_add_test(tc, test_lesson_example1);
    tcase_add_test(tc, test_lesson_example3);
    tcase_add_test(tc, test_tie_choice_bits);
    tcase_add_test(tc, test_tie_order);
    tcase_add_test(tc, test_tanh_refused);
    tcase_add_test(tc, test_limits_and_shapes);
    tcase_add_test(tc, test_memory_limit);
    tcase_add_test(tc, test_empty_net);
    tcase_add_test(tc, test_record_every_choice);
    tcase_add_test(tc, test_record_errors);
    tcase_add_test(tc, test_general_equals_shorthand);
    tcase_add_test(tc, test_layers_jacobian_fd);
    tcase_add_test(tc, test_maxpool_ties);
    tcase_add_test(tc, test_layers_refused);
    tcase_add_test(tc, test_ties_inert_sound);
    tcase_add_test(tc, test_maxpool_kway_ties);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20170517);
    return rj_test_run(exact_suite());
}
