/* Check suite for src/precise: every enclosure is held against an exact value
 * (FLINT fmpq arithmetic, the exact layer, characteristic polynomials) or
 * against MPFR's correctly rounded values at a higher precision, and two
 * precisions against each other (they overlap, the higher is narrower). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <flint/fmpq_poly.h>

#include "testutil.h"

static ulong seed;

/* ---------------------------------------------------------------- helpers */

/* q = x exactly. */
static void
fmpq_set_mpfr_exact(fmpq_t q, const mpfr_t x)
{
    mpz_t m;
    fmpz_t z;
    mpfr_exp_t e;
    if (mpfr_zero_p(x)) {
        fmpq_zero(q);
        return;
    }
    mpz_init(m);
    fmpz_init(z);
    e = mpfr_get_z_2exp(m, x);
    fmpz_set_mpz(z, m);
    fmpq_one(q);
    if (e >= 0) {
        fmpz_mul_2exp(fmpq_numref(q), z, e);
    } else {
        fmpz_set(fmpq_numref(q), z);
        fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), -e);
        fmpq_canonicalise(q);
    }
    fmpz_clear(z);
    mpz_clear(m);
}

/* Largest radius of A as a double (for "narrower" checks). */
static double
rad_max_d(const rj_imat_t A)
{
    mpfr_t r;
    double d;
    mpfr_init2(r, RJ_RAD_PREC);
    rj_imat_rad_max(r, A);
    d = mpfr_get_d(r, MPFR_RNDU);
    mpfr_clear(r);
    return d;
}

static void
print_imat(const char *label, const rj_imat_t A)
{
    slong i, j;
    fprintf(stderr, "%s =\n", label);
    for (i = 0; i < A->r; i++) {
        for (j = 0; j < A->c; j++)
            mpfr_fprintf(stderr, "  %.20Rg +- %.3Rg", rj_imat_mid(A, i, j),
                         rj_imat_rad(A, i, j));
        fprintf(stderr, "\n");
    }
}

static void
report_net(const char *what, slong iter, const rj_net_t net, const fmpq_mat_t x)
{
    slong l;
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
        rj_test_print_mat("  W1", b->W1);
        rj_test_print_mat("  b1", b->b1);
        rj_test_print_mat("  W2", b->W2);
        rj_test_print_mat("  b2", b->b2);
    }
}

/* ---------------------------------------------------------------- matrices */

/* Products and sums of rounded rational matrices contain the exact results;
   two precisions overlap and the higher is narrower. */
/* The interval operations the claims' enclosures use (rj_itv_neg, abs, add,
   sub, mul, div, pow_si): for intervals hulling two random rationals at a low
   random precision, each result contains the exact result (fmpq) of the
   operation on the ends and on an inner point; a result is finite. */
static void
itv_hull(rj_itv_t x, const fmpq_t a, const fmpq_t b)
{
    rj_itv_t t;
    rj_itv_init(t, mpfr_get_prec(x->lo));
    rj_itv_set_fmpq(x, fmpq_cmp(a, b) <= 0 ? a : b);
    rj_itv_set_fmpq(t, fmpq_cmp(a, b) <= 0 ? b : a);
    mpfr_set(x->hi, t->hi, MPFR_RNDU);
    rj_itv_clear(t);
}

START_TEST(test_itv_arith_contains)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(2000);
    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        slong prec = 2 + n_randint(st, 80), k = (slong) n_randint(st, 11) - 4;
        int op = (int) n_randint(st, 7), j;
        fmpq_t a[3], b[3], q;
        rj_itv_t x, y, z;
        for (j = 0; j < 3; j++) {
            fmpq_init(a[j]);
            fmpq_init(b[j]);
        }
        fmpq_init(q);
        rj_itv_init(x, prec);
        rj_itv_init(y, prec);
        rj_itv_init(z, 2 + n_randint(st, 80));
        rj_test_randq(a[0], st, 1000, 1 + n_randint(st, 50));
        rj_test_randq(a[1], st, 1000, 1 + n_randint(st, 50));
        rj_test_randq(b[0], st, 1000, 1 + n_randint(st, 50));
        rj_test_randq(b[1], st, 1000, 1 + n_randint(st, 50));
        /* division and negative powers need 0 outside the interval */
        if ((op == 5 || (op == 6 && k < 0)) && fmpq_sgn(b[0]) * fmpq_sgn(b[1]) <= 0) {
            fmpq_set_si(b[0], 1, 3);
            fmpq_set_si(b[1], 7, 2);
        }
        /* inner points: the midpoints */
        fmpq_add(a[2], a[0], a[1]);
        fmpq_div_2exp(a[2], a[2], 1);
        fmpq_add(b[2], b[0], b[1]);
        fmpq_div_2exp(b[2], b[2], 1);
        itv_hull(x, a[0], a[1]);
        itv_hull(y, b[0], b[1]);
        switch (op) {
        case 0: rj_itv_neg(z, x); break;
        case 1: rj_itv_abs(z, x); break;
        case 2: rj_itv_add(z, x, y); break;
        case 3: rj_itv_sub(z, x, y); break;
        case 4: rj_itv_mul(z, x, y); break;
        case 5: rj_itv_div(z, x, y); break;
        default: rj_itv_pow_si(z, y, k); break;
        }
        ck_assert_msg(rj_itv_is_finite(z), "seed %lu iter %ld op %d: not finite", seed,
                      (long) iter, op);
        for (j = 0; j < 9; j++) {
            const fmpq *u = a[j / 3], *v = b[j % 3];
            switch (op) {
            case 0: fmpq_neg(q, u); break;
            case 1: fmpq_abs(q, u); break;
            case 2: fmpq_add(q, u, v); break;
            case 3: fmpq_sub(q, u, v); break;
            case 4: fmpq_mul(q, u, v); break;
            case 5: fmpq_div(q, u, v); break;
            default: fmpq_pow_si(q, v, k); break;
            }
            if (!rj_itv_contains_fmpq(z, q)) {
                mpfr_printf("seed %lu iter %ld op %d k %ld prec %ld: [%Rg, %Rg] misses ",
                            seed, (long) iter, op, (long) k, (long) prec, z->lo, z->hi);
                fmpq_print(q);
                printf("\n");
                ck_abort_msg("an interval operation lost its exact result");
            }
        }
        for (j = 0; j < 3; j++) {
            fmpq_clear(a[j]);
            fmpq_clear(b[j]);
        }
        fmpq_clear(q);
        rj_itv_clear(x);
        rj_itv_clear(y);
        rj_itv_clear(z);
    }
    flint_randclear(st);
}
END_TEST

START_TEST(test_imat_mul_add)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(200);
    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        slong r = 1 + n_randint(st, 6), k = 1 + n_randint(st, 6), c = 1 + n_randint(st, 6);
        slong den = n_randint(st, 2) ? 8 : 3 + 2 * n_randint(st, 20);
        slong prec = 20 + n_randint(st, 200);
        fmpq_mat_t A, B, C, D;
        rj_imat_t a, b, p, q, a2, b2, p2;
        fmpq_mat_init(A, r, k);
        fmpq_mat_init(B, k, c);
        fmpq_mat_init(C, r, c);
        fmpq_mat_init(D, r, k);
        rj_test_randmat(A, st, 1000, den);
        rj_test_randmat(B, st, 1000, den);
        rj_test_randmat(D, st, 1000, den);
        if (n_randint(st, 4) == 0)   /* magnitudes far apart */
            fmpq_mul_2exp(fmpq_mat_entry(A, 0, 0), fmpq_mat_entry(A, 0, 0), 200);
        fmpq_mat_mul(C, A, B);
        rj_imat_init(a, 0, 0, prec);
        rj_imat_init(b, 0, 0, prec);
        rj_imat_init(p, 0, 0, prec);
        rj_imat_init(q, 0, 0, prec);
        rj_imat_init(a2, 0, 0, prec);
        rj_imat_init(b2, 0, 0, prec);
        rj_imat_init(p2, 0, 0, prec);
        rj_imat_set_fmpq_mat(a, A, prec);
        rj_imat_set_fmpq_mat(b, B, prec);
        RJ_CHECK(rj_imat_contains_fmpq_mat(a, A), seed, "set_fmpq_mat, case %ld", iter);
        rj_imat_mul(p, a, b, prec);
        if (!rj_imat_contains_fmpq_mat(p, C)) {
            rj_test_print_mat("A", A);
            rj_test_print_mat("B", B);
            print_imat("p", p);
        }
        RJ_CHECK(rj_imat_contains_fmpq_mat(p, C), seed, "imat_mul, case %ld", iter);
        /* aliasing */
        rj_imat_mul(a2, a, b, prec);
        rj_imat_set(a2, a);
        rj_imat_mul(a2, a2, b, prec);
        RJ_CHECK(rj_imat_contains_fmpq_mat(a2, C), seed, "imat_mul aliased, case %ld", iter);
        /* add / sub */
        rj_imat_set_fmpq_mat(q, D, prec);
        rj_imat_add(q, a, q, prec);
        fmpq_mat_add(D, A, D);
        RJ_CHECK(rj_imat_contains_fmpq_mat(q, D), seed, "imat_add, case %ld", iter);
        /* higher precision: overlaps, narrower */
        rj_imat_set_fmpq_mat(a2, A, 2 * prec + 20);
        rj_imat_set_fmpq_mat(b2, B, 2 * prec + 20);
        rj_imat_mul(p2, a2, b2, 2 * prec + 20);
        RJ_CHECK(rj_imat_overlaps(p, p2), seed, "two precisions overlap, case %ld", iter);
        RJ_CHECK(rad_max_d(p2) <= rad_max_d(p), seed, "higher precision narrower, case %ld",
                 iter);
        fmpq_mat_clear(A);
        fmpq_mat_clear(B);
        fmpq_mat_clear(C);
        fmpq_mat_clear(D);
        rj_imat_clear(a);
        rj_imat_clear(b);
        rj_imat_clear(p);
        rj_imat_clear(q);
        rj_imat_clear(a2);
        rj_imat_clear(b2);
        rj_imat_clear(p2);
    }
    flint_randclear(st);
}
END_TEST

/* Chains of interval products with radii on both sides (Rump's radius term)
   and the normwise balls' balanced product both contain the exact product. */
START_TEST(test_chain_and_nmat)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(40);
    rj_test_randinit(st, seed + 1);
    for (iter = 0; iter < n; iter++) {
        slong m = 1 + n_randint(st, 5), L = 1 + n_randint(st, 30), l;
        slong prec = 32 + n_randint(st, 100);
        slong den = n_randint(st, 2) ? 16 : 7;
        fmpq_mat_t F, P, T;
        rj_imat_t f, chain, g;
        rj_nmat_struct *nf;
        rj_nmat_t np;
        fmpq_mat_init(F, m, m);
        fmpq_mat_init(P, m, m);
        fmpq_mat_init(T, m, m);
        fmpq_mat_one(P);
        rj_imat_init(f, 0, 0, prec);
        rj_imat_init(g, 0, 0, prec);
        rj_imat_init(chain, m, m, prec);
        rj_imat_one(chain);
        nf = flint_malloc(L * sizeof(rj_nmat_struct));
        for (l = 0; l < L; l++) {
            rj_test_randmat(F, st, 10, den);
            for (slong i = 0; i < m; i++)
                fmpq_add_si(fmpq_mat_entry(F, i, i), fmpq_mat_entry(F, i, i), 1);
            fmpq_mat_mul(T, F, P);
            fmpq_mat_swap(T, P);
            rj_imat_set_fmpq_mat(f, F, prec);
            rj_imat_mul(chain, f, chain, prec);
            rj_nmat_init(nf + l, 0, 0);
            rj_nmat_set_fmpq_mat(nf + l, F, prec);
        }
        RJ_CHECK(rj_imat_contains_fmpq_mat(chain, P), seed, "interval chain, case %ld", iter);
        rj_nmat_init(np, 0, 0);
        rj_nmat_prod(np, nf, L, prec);
        rj_nmat_get_imat(g, np, prec);
        if (!rj_imat_contains_fmpq_mat(g, P)) {
            rj_test_print_mat("P", P);
            print_imat("nmat product", g);
        }
        RJ_CHECK(rj_imat_contains_fmpq_mat(g, P), seed, "nmat product, case %ld", iter);
        /* nmat from an imat with radii, then add */
        rj_nmat_set_imat(np, chain, prec);
        rj_nmat_add(np, np, np, prec);
        rj_nmat_get_imat(g, np, prec);
        fmpq_mat_add(P, P, P);
        RJ_CHECK(rj_imat_contains_fmpq_mat(g, P), seed, "nmat add, case %ld", iter);
        for (l = 0; l < L; l++)
            rj_nmat_clear(nf + l);
        flint_free(nf);
        rj_nmat_clear(np);
        rj_imat_clear(f);
        rj_imat_clear(g);
        rj_imat_clear(chain);
        fmpq_mat_clear(F);
        fmpq_mat_clear(P);
        fmpq_mat_clear(T);
    }
    flint_randclear(st);
}
END_TEST

/* prod_{l=1}^{1000} (1/10) I = 10^-1000 I, far below double's range. */
START_TEST(test_depth_1000_tenth)
{
    slong L = 1000, l, prec = 64;
    fmpq_mat_t F, P;
    rj_nmat_prod_t s;
    rj_nmat_t f, p;
    rj_imat_t J;
    fmpz_t t;
    rj_net_t net;
    rj_block_t b;
    rj_error_t err;

    fmpq_mat_init(F, 2, 2);
    fmpq_mat_init(P, 2, 2);
    fmpq_mat_one(F);
    fmpq_mat_scalar_div_fmpz(F, F, (fmpz_set_ui((fmpz_init(t), t), 10), t));
    fmpz_pow_ui(t, t, L);
    fmpq_mat_one(P);
    fmpq_mat_scalar_div_fmpz(P, P, t);
    rj_nmat_init(f, 0, 0);
    rj_nmat_init(p, 0, 0);
    rj_nmat_set_fmpq_mat(f, F, prec);
    rj_nmat_prod_init(s, prec);
    for (l = 0; l < L; l++)
        rj_nmat_prod_push(s, f);
    rj_nmat_prod_finish(p, s, 2);
    rj_imat_init(J, 0, 0, prec);
    rj_nmat_get_imat(J, p, prec);
    RJ_CHECK(rj_imat_contains_fmpq_mat(J, P), seed, "0.1^1000 I");
    RJ_CHECK(mpfr_get_exp(rj_imat_mid(J, 0, 0)) == -3321, seed, "exponent of 10^-1000");
    RJ_CHECK(mpfr_cmp_d(rj_imat_rad(J, 0, 0), 0.0) > 0, seed, "rounded: a radius");

    /* the same as a network: 1000 plain layers h -> h/10 */
    rj_net_init(net);
    rj_block_init(b);
    b->skip = RJ_SKIP_NONE;
    b->two_layer = 0;
    fmpq_mat_clear(b->W1);
    fmpq_mat_init_set(b->W1, F);
    b->n_in = b->n_out = 2;
    for (l = 0; l < L; l++)
        rj_net_append(net, b, NULL);
    rj_error_init(err);
    {
        fmpq_mat_t x;
        fmpq_mat_init(x, 2, 1);
        fmpq_set_si(fmpq_mat_entry(x, 0, 0), 1, 3);
        RJ_CHECK(rj_precise_jacobian_fmpq(J, NULL, net, x, prec, err) == RJ_OK, seed, "%s",
                 err->msg);
        RJ_CHECK(rj_imat_contains_fmpq_mat(J, P), seed, "network 0.1^1000");
        fmpq_mat_clear(x);
    }
    rj_block_clear(b);
    rj_net_clear(net);
    rj_nmat_prod_clear(s);
    rj_nmat_clear(f);
    rj_nmat_clear(p);
    rj_imat_clear(J);
    fmpq_mat_clear(F);
    fmpq_mat_clear(P);
    fmpz_clear(t);
}
END_TEST

/* ---------------------------------------------------------------- activations */

typedef int (*mpfr_fn)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);

/* reference values at high precision (hp), rounded to nearest */
static void
ref_value(mpfr_t y, const mpfr_t t, int which)
{
    slong hp = mpfr_get_prec(y);
    mpfr_t a;
    mpfr_init2(a, hp + 20);
    switch (which) {
    case 0: mpfr_tanh(y, t, MPFR_RNDN); break;
    case 1:   /* sigmoid = (1 + tanh(t/2)) / 2 */
        mpfr_div_2ui(a, t, 1, MPFR_RNDN);
        mpfr_tanh(a, a, MPFR_RNDN);
        mpfr_add_ui(a, a, 1, MPFR_RNDN);
        mpfr_div_2ui(y, a, 1, MPFR_RNDN);
        break;
    case 2:   /* 1 - tanh^2 */
        mpfr_tanh(a, t, MPFR_RNDN);
        mpfr_sqr(a, a, MPFR_RNDN);
        mpfr_ui_sub(y, 1, a, MPFR_RNDN);
        break;
    default:  /* s (1 - s) */
        mpfr_div_2ui(a, t, 1, MPFR_RNDN);
        mpfr_tanh(a, a, MPFR_RNDN);
        mpfr_add_ui(a, a, 1, MPFR_RNDN);
        mpfr_div_2ui(a, a, 1, MPFR_RNDN);
        mpfr_ui_sub(y, 1, a, MPFR_RNDN);
        mpfr_mul(y, y, a, MPFR_RNDN);
        break;
    }
    mpfr_clear(a);
}

/* The enclosure at prec over [lo, hi] contains the reference value (at
   prec + 200 bits, within its own tiny error) at both endpoints and inside. */
START_TEST(test_tanh_sigmoid)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(300);
    rj_test_randinit(st, seed + 2);
    for (iter = 0; iter < n; iter++) {
        slong prec = 16 + n_randint(st, 300), hp = prec + 200;
        int which = n_randint(st, 4), k;
        fmpq_t a, b;
        rj_itv_t x, y, y2;
        mpfr_t t, v, e;
        fmpq_init(a);
        fmpq_init(b);
        rj_test_randq(a, st, 4000, 64 + n_randint(st, 1000));
        if (n_randint(st, 2))
            fmpq_set(b, a);
        else {
            rj_test_randq(b, st, 100, 256);
            fmpq_abs(b, b);
            fmpq_add(b, a, b);
        }
        rj_itv_init(x, prec);
        rj_itv_init(y, prec);
        rj_itv_init(y2, 2 * prec);
        mpfr_init2(t, hp);
        mpfr_init2(v, hp);
        mpfr_init2(e, 30);
        fmpq_get_mpfr(x->lo, a, MPFR_RNDD);
        fmpq_get_mpfr(x->hi, b, MPFR_RNDU);
        switch (which) {
        case 0: rj_itv_tanh(y, x); break;
        case 1: rj_itv_sigmoid(y, x); break;
        case 2: rj_itv_tanh_deriv(y, x); break;
        default: rj_itv_sigmoid_deriv(y, x); break;
        }
        RJ_CHECK(mpfr_lessequal_p(y->lo, y->hi), seed, "lo <= hi, case %ld", iter);
        for (k = 0; k <= 4; k++) {
            /* t = lo + k/4 (hi - lo) */
            mpfr_sub(t, x->hi, x->lo, MPFR_RNDN);
            mpfr_mul_ui(t, t, k, MPFR_RNDN);
            mpfr_div_2ui(t, t, 2, MPFR_RNDN);
            mpfr_add(t, t, x->lo, MPFR_RNDN);
            if (mpfr_greater_p(t, x->hi))
                mpfr_set(t, x->hi, MPFR_RNDN);
            ref_value(v, t, which);
            /* the reference is within 2^-(hp - 10) relatively: require the
               enclosure to contain v up to that */
            mpfr_set_ui_2exp(e, 1, mpfr_get_exp(v) - hp + 10, MPFR_RNDU);
            {
                mpfr_t lo, hi;
                mpfr_init2(lo, hp);
                mpfr_init2(hi, hp);
                mpfr_sub(lo, y->lo, e, MPFR_RNDD);
                mpfr_add(hi, y->hi, e, MPFR_RNDU);
                if (!(mpfr_lessequal_p(lo, v) && mpfr_lessequal_p(v, hi)))
                    mpfr_fprintf(stderr, "which %d prec %ld t %.30Rg v %.30Rg y [%.30Rg, %.30Rg]\n",
                                 which, (long) prec, t, v, y->lo, y->hi);
                RJ_CHECK(mpfr_lessequal_p(lo, v) && mpfr_lessequal_p(v, hi), seed,
                         "activation %d encloses the reference, case %ld", which, iter);
                mpfr_clear(lo);
                mpfr_clear(hi);
            }
        }
        /* higher precision overlaps and is no wider (point intervals) */
        if (fmpq_equal(a, b)) {
            mpfr_t w1, w2;
            rj_itv_t x2;
            rj_itv_init(x2, 2 * prec);
            rj_itv_set_fmpq(x2, a);
            switch (which) {
            case 0: rj_itv_tanh(y2, x2); break;
            case 1: rj_itv_sigmoid(y2, x2); break;
            case 2: rj_itv_tanh_deriv(y2, x2); break;
            default: rj_itv_sigmoid_deriv(y2, x2); break;
            }
            mpfr_init2(w1, 53);
            mpfr_init2(w2, 53);
            rj_itv_width(w1, y);
            rj_itv_width(w2, y2);
            RJ_CHECK(rj_itv_overlaps(y, y2), seed, "precisions overlap, case %ld", iter);
            RJ_CHECK(mpfr_lessequal_p(w2, w1), seed, "higher narrower, case %ld", iter);
            mpfr_clear(w1);
            mpfr_clear(w2);
            rj_itv_clear(x2);
        }
        fmpq_clear(a);
        fmpq_clear(b);
        rj_itv_clear(x);
        rj_itv_clear(y);
        rj_itv_clear(y2);
        mpfr_clear(t);
        mpfr_clear(v);
        mpfr_clear(e);
    }
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- smooth activations */

/* The reference of the smooth activations and their derivatives at t, at y's
   precision (round to nearest), by formulas other than the layer's: gelu by
   erf (the layer uses erfc), silu by t / (1 + exp(-t)), gelu_tanh by tanh
   (the layer uses sigmoid(2u)), softplus by log(1 + exp(b t)) (the layer
   splits at 0 and uses log1p), elu by exp - 1 (the layer uses expm1).
   deriv: 0 the value, 1 the derivative (elu at 0: the right derivative). */
static void
smooth_ref(mpfr_t y, const mpfr_t t, const rj_act_t act, int deriv)
{
    slong hp = mpfr_get_prec(y) + 20;
    mpfr_t a, b, c, k;
    mpq_t q;
    mpfr_inits2(hp, a, b, c, k, (mpfr_ptr) 0);
    mpq_init(q);
    fmpq_get_mpq(q, act->param);
    switch (act->kind) {
    case RJ_ACT_GELU:
        mpfr_sqrt_ui(k, 2, MPFR_RNDN);
        mpfr_div(a, t, k, MPFR_RNDN);
        mpfr_erf(a, a, MPFR_RNDN);
        mpfr_add_ui(a, a, 1, MPFR_RNDN);
        mpfr_div_2ui(a, a, 1, MPFR_RNDN);               /* Phi */
        if (!deriv) {
            mpfr_mul(y, a, t, MPFR_RNDN);
        } else {
            mpfr_sqr(b, t, MPFR_RNDN);
            mpfr_neg(b, b, MPFR_RNDN);
            mpfr_div_2ui(b, b, 1, MPFR_RNDN);
            mpfr_exp(b, b, MPFR_RNDN);
            mpfr_const_pi(c, MPFR_RNDN);
            mpfr_mul_2ui(c, c, 1, MPFR_RNDN);
            mpfr_sqrt(c, c, MPFR_RNDN);
            mpfr_div(b, b, c, MPFR_RNDN);               /* phi */
            mpfr_mul(b, b, t, MPFR_RNDN);
            mpfr_add(y, a, b, MPFR_RNDN);
        }
        break;
    case RJ_ACT_GELU_TANH:
        /* u = sqrt(2/pi) (t + 0.044715 t^3) */
        mpfr_const_pi(k, MPFR_RNDN);
        mpfr_ui_div(k, 2, k, MPFR_RNDN);
        mpfr_sqrt(k, k, MPFR_RNDN);
        mpfr_pow_ui(a, t, 3, MPFR_RNDN);
        mpfr_mul_ui(a, a, 44715, MPFR_RNDN);
        mpfr_div_ui(a, a, 1000000, MPFR_RNDN);
        mpfr_add(a, a, t, MPFR_RNDN);
        mpfr_mul(a, a, k, MPFR_RNDN);
        mpfr_tanh(b, a, MPFR_RNDN);
        mpfr_add_ui(c, b, 1, MPFR_RNDN);
        mpfr_div_2ui(c, c, 1, MPFR_RNDN);               /* (1 + tanh u)/2 */
        if (!deriv) {
            mpfr_mul(y, c, t, MPFR_RNDN);
        } else {
            /* (1 + tanh u)/2 + t/2 (1 - tanh^2 u) k (1 + 3 a t^2) */
            mpfr_sqr(b, b, MPFR_RNDN);
            mpfr_ui_sub(b, 1, b, MPFR_RNDN);
            mpfr_sqr(a, t, MPFR_RNDN);
            mpfr_mul_ui(a, a, 3 * 44715, MPFR_RNDN);
            mpfr_div_ui(a, a, 1000000, MPFR_RNDN);
            mpfr_add_ui(a, a, 1, MPFR_RNDN);
            mpfr_mul(a, a, k, MPFR_RNDN);
            mpfr_mul(a, a, b, MPFR_RNDN);
            mpfr_mul(a, a, t, MPFR_RNDN);
            mpfr_div_2ui(a, a, 1, MPFR_RNDN);
            mpfr_add(y, a, c, MPFR_RNDN);
        }
        break;
    case RJ_ACT_SILU:
        mpfr_neg(a, t, MPFR_RNDN);
        mpfr_exp(a, a, MPFR_RNDN);
        mpfr_add_ui(a, a, 1, MPFR_RNDN);
        mpfr_ui_div(a, 1, a, MPFR_RNDN);                /* s */
        if (!deriv) {
            mpfr_mul(y, a, t, MPFR_RNDN);
        } else {
            mpfr_ui_sub(b, 1, a, MPFR_RNDN);
            mpfr_mul(b, b, a, MPFR_RNDN);
            mpfr_mul(b, b, t, MPFR_RNDN);
            mpfr_add(y, a, b, MPFR_RNDN);
        }
        break;
    case RJ_ACT_SOFTPLUS:
        mpfr_mul_q(a, t, q, MPFR_RNDN);
        if (!deriv) {
            mpfr_exp(a, a, MPFR_RNDN);
            mpfr_add_ui(a, a, 1, MPFR_RNDN);
            mpfr_log(a, a, MPFR_RNDN);
            mpfr_div_q(y, a, q, MPFR_RNDN);
        } else {
            mpfr_neg(a, a, MPFR_RNDN);
            mpfr_exp(a, a, MPFR_RNDN);
            mpfr_add_ui(a, a, 1, MPFR_RNDN);
            mpfr_ui_div(y, 1, a, MPFR_RNDN);
        }
        break;
    default:   /* elu */
        if (mpfr_sgn(t) >= 0) {
            if (!deriv)
                mpfr_set(y, t, MPFR_RNDN);
            else
                mpfr_set_ui(y, 1, MPFR_RNDN);
        } else {
            mpfr_exp(a, t, MPFR_RNDN);
            if (!deriv)
                mpfr_sub_ui(a, a, 1, MPFR_RNDN);
            mpfr_mul_q(y, a, q, MPFR_RNDN);
        }
        break;
    }
    mpq_clear(q);
    mpfr_clears(a, b, c, k, (mpfr_ptr) 0);
}

/* 1 if v lies in x up to 2^-(prec(v) - 16) max(1, |v|) (the reference's
   own error). */
static int
itv_holds_ref(const rj_itv_t x, const mpfr_t v)
{
    slong hp = mpfr_get_prec(v);
    mpfr_t lo, hi, e;
    int ok;
    mpfr_inits2(hp, lo, hi, e, (mpfr_ptr) 0);
    mpfr_set_ui_2exp(e, 1, FLINT_MAX((slong) mpfr_get_exp(v), 1) - hp + 16, MPFR_RNDU);
    if (mpfr_zero_p(v))
        mpfr_set_ui_2exp(e, 1, 1 - hp + 16, MPFR_RNDU);
    mpfr_sub(lo, x->lo, e, MPFR_RNDD);
    mpfr_add(hi, x->hi, e, MPFR_RNDU);
    ok = mpfr_lessequal_p(lo, v) && mpfr_lessequal_p(v, hi);
    mpfr_clears(lo, hi, e, (mpfr_ptr) 0);
    return ok;
}

/* v = the reference (smooth_ref) at t; the enclosure e over x must hold it. */
static void
check_smooth_ref(mpfr_t v, const rj_itv_t e, const mpfr_t t, const rj_act_t act, int deriv,
                 const rj_itv_t x, slong iter)
{
    smooth_ref(v, t, act, deriv);
    if (!itv_holds_ref(e, v))
        mpfr_fprintf(stderr, "kind %d, order %d, prec %ld: x [%.25Rg, %.25Rg] t %.25Rg "
                     "reference %.25Rg enclosure [%.25Rg, %.25Rg]\n", (int) act->kind, deriv,
                     (long) mpfr_get_prec(e->lo), x->lo, x->hi, t, v, e->lo, e->hi);
    RJ_CHECK(itv_holds_ref(e, v), seed, "case %ld: enclosure of order %d holds the reference",
             iter, deriv);
}

/* c = the zero of the reference derivative in [lo, hi] (signs differ at the
   ends), by bisection at c's precision: the test's own critical point. */
static void
ref_critical(mpfr_t c, const rj_act_t act, double lo, double hi)
{
    slong hp = mpfr_get_prec(c), i;
    mpfr_t a, b, m, v;
    int sa;
    mpfr_inits2(hp, a, b, m, v, (mpfr_ptr) 0);
    mpfr_set_d(a, lo, MPFR_RNDN);
    mpfr_set_d(b, hi, MPFR_RNDN);
    smooth_ref(v, a, act, 1);
    sa = mpfr_sgn(v);
    for (i = 0; i < hp - 4; i++) {
        mpfr_add(m, a, b, MPFR_RNDN);
        mpfr_div_2ui(m, m, 1, MPFR_RNDN);
        smooth_ref(v, m, act, 1);
        if (mpfr_sgn(v) == sa)
            mpfr_set(a, m, MPFR_RNDN);
        else
            mpfr_set(b, m, MPFR_RNDN);
    }
    mpfr_set(c, a, MPFR_RNDN);
    mpfr_clears(a, b, m, v, (mpfr_ptr) 0);
}

static void
smooth_act_pick(rj_act_t act, flint_rand_t st)
{
    static const rj_act_kind kinds[5] = {RJ_ACT_GELU, RJ_ACT_GELU_TANH, RJ_ACT_SILU,
                                         RJ_ACT_SOFTPLUS, RJ_ACT_ELU};
    rj_act_set_kind(act, kinds[n_randint(st, 5)]);
    if (act->kind == RJ_ACT_SOFTPLUS && n_randint(st, 2))
        fmpq_set_si(act->param, 1 + n_randint(st, 4), 1 + n_randint(st, 3));
    if (act->kind == RJ_ACT_ELU && n_randint(st, 2))
        fmpq_set_si(act->param, 1 + n_randint(st, 5), 2);
}

/* A point near which the activation is interesting: the minimum of gelu
   (-0.7518) and silu (-1.2785), the extrema of their derivatives (gelu: +-sqrt 2;
   silu: +-2.3994), 0 (elu's kink), or a random point in [-8, 8]. */
static double
smooth_center(flint_rand_t st)
{
    static const double c[7] = {-0.75179, -1.27846, -1.41421, 1.41421, -2.39936, 2.39936, 0.0};
    if (n_randint(st, 2))
        return c[n_randint(st, 7)];
    return ((double) n_randint(st, 16001) - 8000.0) / 1000.0;
}

/* gelu, gelu_tanh, silu, softplus, elu over random intervals (points,
   narrow intervals around the minima and the derivatives' extrema, wide
   intervals across them): the enclosures of the value and the derivative
   contain the reference (smooth_ref at 4 prec bits) at the ends, at random
   inner points and at the test's own critical point when it lies inside;
   the value's enclosure is no wider than the true range plus 2^-(prec - 24)
   (so the splitting did not give up); at a point, 256 bits are narrower than
   64 bits by more than 2^150. */
START_TEST(test_smooth_acts)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(400);
    rj_act_t act;
    rj_act_init(act);
    rj_test_randinit(st, seed + 11);
    for (iter = 0; iter < n; iter++) {
        slong prec = n_randint(st, 3) == 0 ? 24 + n_randint(st, 40) : 64 + n_randint(st, 200);
        slong hp = 4 * prec, k;
        double c0 = smooth_center(st), w;
        int tie;
        rj_itv_t x, y, dy;
        mpfr_t t, v, vmin, vmax, crit, rw, yw;
        smooth_act_pick(act, st);
        w = n_randint(st, 4) == 0 ? 0.0 : ldexp(1.0, -(int) n_randint(st, 60));
        if (n_randint(st, 5) == 0)
            w = 1.0 + n_randint(st, 5);
        rj_itv_init(x, prec);
        rj_itv_init(y, prec);
        rj_itv_init(dy, prec);
        mpfr_inits2(hp, t, v, vmin, vmax, crit, (mpfr_ptr) 0);
        mpfr_inits2(53, rw, yw, (mpfr_ptr) 0);
        mpfr_set_d(x->lo, c0 - w * (double) n_randint(st, 3) / 2.0, MPFR_RNDD);
        mpfr_set_d(x->hi, c0 + w, MPFR_RNDU);
        rj_itv_act(y, dy, &tie, act, x);
        RJ_CHECK(rj_itv_is_finite(y) && rj_itv_is_finite(dy)
                 && mpfr_lessequal_p(y->lo, y->hi) && mpfr_lessequal_p(dy->lo, dy->hi),
                 seed, "case %ld: finite ordered enclosures", iter);
        /* sample points: the ends, 6 inner points, the critical point */
        for (k = 0; k <= 7; k++) {
            if (k <= 6) {
                mpfr_sub(t, x->hi, x->lo, MPFR_RNDN);
                mpfr_mul_ui(t, t, k == 0 ? 0 : (k == 6 ? 1000 : n_randint(st, 1001)), MPFR_RNDN);
                mpfr_div_ui(t, t, 1000, MPFR_RNDN);
                mpfr_add(t, t, x->lo, MPFR_RNDN);
                if (mpfr_greater_p(t, x->hi))
                    mpfr_set(t, x->hi, MPFR_RNDN);
            } else {
                int gelu = act->kind == RJ_ACT_GELU || act->kind == RJ_ACT_GELU_TANH;
                if (act->kind != RJ_ACT_SILU && !gelu)
                    break;
                ref_critical(crit, act, gelu ? -1.0 : -1.5, gelu ? -0.5 : -1.0);
                if (mpfr_less_p(crit, x->lo) || mpfr_greater_p(crit, x->hi))
                    break;
                mpfr_set(t, crit, MPFR_RNDN);
            }
            check_smooth_ref(v, y, t, act, 0, x, iter);
            if (k == 0 || mpfr_less_p(v, vmin))
                mpfr_set(vmin, v, MPFR_RNDN);
            if (k == 0 || mpfr_greater_p(v, vmax))
                mpfr_set(vmax, v, MPFR_RNDN);
            if (!(act->kind == RJ_ACT_ELU && mpfr_zero_p(t))) {
                check_smooth_ref(v, dy, t, act, 1, x, iter);
            }
        }
        /* the value's extremes are at the ends or the critical point (all
           sampled): the enclosure is the true range up to rounding */
        mpfr_sub(rw, vmax, vmin, MPFR_RNDU);
        mpfr_set_ui_2exp(yw, 1, FLINT_MAX((slong) mpfr_get_exp(vmax), 1) - prec + 24, MPFR_RNDU);
        mpfr_add(rw, rw, yw, MPFR_RNDU);
        rj_itv_width(yw, y);
        RJ_CHECK(mpfr_lessequal_p(yw, rw), seed, "case %ld: value enclosure as wide as the range "
                 "plus 2^-(prec - 24)", iter);
        rj_itv_clear(x);
        rj_itv_clear(y);
        rj_itv_clear(dy);
        mpfr_clears(t, v, vmin, vmax, crit, (mpfr_ptr) 0);
        mpfr_clears(rw, yw, (mpfr_ptr) 0);
    }
    /* shrinking: one point near each minimum and one near 0, at 64 and 256 bits */
    for (iter = 0; iter < 15; iter++) {
        static const rj_act_kind kinds[5] = {RJ_ACT_GELU, RJ_ACT_GELU_TANH, RJ_ACT_SILU,
                                             RJ_ACT_SOFTPLUS, RJ_ACT_ELU};
        static const double pts[3] = {-0.7517918, -1.2784645, 1.0 / 1024};
        rj_itv_t x, y, dy, x2, y2, dy2;
        mpfr_t w1, w2;
        fmpq_t q;
        int tie;
        rj_act_set_kind(act, kinds[iter % 5]);
        fmpq_init(q);
        fmpq_set_si(q, (slong) (pts[iter / 5] * 3000000.0), 3000001);
        rj_itv_init(x, 64);
        rj_itv_init(y, 64);
        rj_itv_init(dy, 64);
        rj_itv_init(x2, 256);
        rj_itv_init(y2, 256);
        rj_itv_init(dy2, 256);
        rj_itv_set_fmpq(x, q);
        rj_itv_set_fmpq(x2, q);
        rj_itv_act(y, dy, &tie, act, x);
        rj_itv_act(y2, dy2, &tie, act, x2);
        mpfr_inits2(53, w1, w2, (mpfr_ptr) 0);
        rj_itv_width(w1, y);
        rj_itv_width(w2, y2);
        mpfr_mul_2ui(w2, w2, 150, MPFR_RNDU);
        RJ_CHECK(rj_itv_overlaps(y, y2) && mpfr_less_p(w2, w1), seed,
                 "kind %d at %g: the value at 256 bits is 2^150 narrower", (int) act->kind,
                 pts[iter / 5]);
        rj_itv_width(w1, dy);
        rj_itv_width(w2, dy2);
        mpfr_mul_2ui(w2, w2, 150, MPFR_RNDU);
        RJ_CHECK(rj_itv_overlaps(dy, dy2) && (mpfr_less_p(w2, w1) || mpfr_zero_p(w1)), seed,
                 "kind %d at %g: the derivative at 256 bits is 2^150 narrower",
                 (int) act->kind, pts[iter / 5]);
        mpfr_clears(w1, w2, (mpfr_ptr) 0);
        fmpq_clear(q);
        rj_itv_clear(x);
        rj_itv_clear(y);
        rj_itv_clear(dy);
        rj_itv_clear(x2);
        rj_itv_clear(y2);
        rj_itv_clear(dy2);
    }
    /* a wide argument across the minimum and far into both tails: the value's
       enclosure is the true range [f(c), f(10^6)] up to 2^-40 (the tails are
       enclosed by their ends, [PB 2.5]; they were 10^10 wide before) */
    for (iter = 0; iter < 3; iter++) {
        static const rj_act_kind kinds[3] = {RJ_ACT_GELU, RJ_ACT_GELU_TANH, RJ_ACT_SILU};
        rj_itv_t x, y;
        mpfr_t c, v, e;
        int tie;
        rj_act_set_kind(act, kinds[iter]);
        rj_itv_init(x, 64);
        rj_itv_init(y, 64);
        mpfr_inits2(256, c, v, e, (mpfr_ptr) 0);
        mpfr_set_si(x->lo, -1000000, MPFR_RNDD);
        mpfr_set_si(x->hi, 1000000, MPFR_RNDU);
        rj_itv_act(y, NULL, &tie, act, x);
        ref_critical(c, act, kinds[iter] == RJ_ACT_SILU ? -1.5 : -1.0,
                     kinds[iter] == RJ_ACT_SILU ? -1.0 : -0.5);
        smooth_ref(v, c, act, 0);
        mpfr_sub(e, v, y->lo, MPFR_RNDU);
        RJ_CHECK(mpfr_lessequal_p(y->lo, v) && mpfr_cmp_d(e, ldexp(1.0, -40)) <= 0
                 && mpfr_cmp_si(y->hi, 1000000) >= 0 && mpfr_cmp_si(y->hi, 1000001) <= 0, seed,
                 "kind %d over [-10^6, 10^6]: the range from the minimum to 10^6",
                 (int) kinds[iter]);
        mpfr_clears(c, v, e, (mpfr_ptr) 0);
        rj_itv_clear(x);
        rj_itv_clear(y);
    }
    rj_act_clear(act);
    flint_randclear(st);
}
END_TEST

/* relu / leaky_relu over intervals: exact cases and possible ties. */
START_TEST(test_relu_ties)
{
    rj_act_t a;
    rj_itv_t x, y, d;
    fmpq_t q;
    int tie;
    rj_act_init(a);
    rj_itv_init(x, 64);
    rj_itv_init(y, 64);
    rj_itv_init(d, 64);
    fmpq_init(q);

    a->kind = RJ_ACT_RELU;
    mpfr_set_si(x->lo, -1, MPFR_RNDD);
    mpfr_set_si(x->hi, 2, MPFR_RNDU);
    rj_itv_act(y, d, &tie, a, x);
    RJ_CHECK(tie == 1, seed, "relu over [-1, 2] is a possible tie");
    RJ_CHECK(mpfr_cmp_ui(d->lo, 0) == 0 && mpfr_cmp_ui(d->hi, 1) == 0, seed, "[0, 1]");
    RJ_CHECK(mpfr_cmp_ui(y->lo, 0) == 0 && mpfr_cmp_ui(y->hi, 2) == 0, seed, "relu image");
    mpfr_set_zero(x->lo, 1);
    mpfr_set_zero(x->hi, 1);
    rj_itv_act(y, d, &tie, a, x);
    RJ_CHECK(tie == 1, seed, "relu at exactly 0 is a tie");
    mpfr_set_si(x->lo, 1, MPFR_RNDD);
    rj_itv_act(y, d, &tie, a, x);
    RJ_CHECK(tie == 0 && mpfr_cmp_ui(d->lo, 1) == 0, seed, "relu at [1, 0]?");

    a->kind = RJ_ACT_LEAKY_RELU;
    fmpq_set_si(a->slope, 1, 10);
    mpfr_set_si(x->lo, -3, MPFR_RNDD);
    mpfr_set_si(x->hi, -1, MPFR_RNDU);
    rj_itv_act(y, d, &tie, a, x);
    fmpq_set_si(q, -3, 10);
    RJ_CHECK(tie == 0 && rj_itv_contains_fmpq(y, q), seed, "leaky image contains -3/10");
    fmpq_set_si(q, 1, 10);
    RJ_CHECK(rj_itv_contains_fmpq(d, q), seed, "leaky slope");
    mpfr_set_si(x->hi, 5, MPFR_RNDU);
    rj_itv_act(y, d, &tie, a, x);
    RJ_CHECK(tie == 1 && rj_itv_contains_fmpq(d, q) && mpfr_cmp_ui(d->hi, 1) == 0, seed,
             "leaky tie hull [1/10, 1]");
    fmpq_one(a->slope);
    rj_itv_act(y, d, &tie, a, x);
    RJ_CHECK(tie == 0, seed, "leaky_relu(1) has no kink");

    rj_act_clear(a);
    rj_itv_clear(x);
    rj_itv_clear(y);
    rj_itv_clear(d);
    fmpq_clear(q);
}
END_TEST

/* ---------------------------------------------------------------- networks */

/* Random rational networks of every block kind: the enclosures of h_l, S_l,
   R_l, the Jacobian, the direct and graded expansions and the input gradient
   contain the exact layer's values. */
START_TEST(test_network_vs_exact)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(60);
    rj_test_randinit(st, seed + 3);
    for (iter = 0; iter < n; iter++) {
        slong L = 1 + n_randint(st, 6), l, k, n0, prec = 24 + n_randint(st, 150);
        slong den = n_randint(st, 2) ? 4 : 3;
        rj_net_t net;
        fmpq_mat_t x, J, g, v, Jt;
        rj_exact_parts_t ep;
        rj_precise_parts_t pp;
        rj_ties_t ties;
        rj_imat_t Ji, Pi, gi, vi;
        rj_imat_struct *Gi;
        fmpq_mat_struct *G;
        rj_error_t err;
        rj_tie_policy pol;

        rj_net_init(net);
        n0 = rj_test_randnet(net, st, L, 4, 3, den, 3);
        fmpq_mat_init(x, n0, 1);
        rj_test_randmat(x, st, 3, den);
        rj_error_init(err);
        pol.mode = n_randint(st, 2) ? RJ_TIE_LEFT : RJ_TIE_RIGHT;
        pol.choice = 0;
        rj_ties_init(ties);
        rj_exact_parts_init(ep);
        rj_precise_parts_init(pp);
        RJ_CHECK(rj_exact_parts(ep, ties, net, x, pol, err) == RJ_OK, seed, "%s", err->msg);
        RJ_CHECK(rj_precise_parts_fmpq(pp, net, x, prec, err) == RJ_OK, seed, "%s", err->msg);
        for (l = 0; l <= L; l++)
            if (!rj_imat_contains_fmpq_mat(pp->h + l, ep->h + l)) {
                report_net("h_l", iter, net, x);
                ck_abort_msg("seed %lu: h_%ld not enclosed", (unsigned long) seed, (long) l);
            }
        for (l = 0; l < L; l++)
            if (!rj_imat_contains_fmpq_mat(pp->S + l, ep->S + l)
                || !rj_imat_contains_fmpq_mat(pp->R + l, ep->R + l)) {
                report_net("parts", iter, net, x);
                ck_abort_msg("seed %lu: S_%ld or R_%ld not enclosed", (unsigned long) seed,
                             (long) l, (long) l);
            }
        {
            fmpq_mat_t y;
            rj_imat_t yi;
            fmpq_mat_init(y, 0, 0);
            rj_imat_init(yi, 0, 0, prec);
            RJ_CHECK(rj_exact_forward(y, net, x, err) == RJ_OK, seed, "%s", err->msg);
            RJ_CHECK(rj_precise_forward_fmpq(yi, net, x, prec, err) == RJ_OK, seed, "%s",
                     err->msg);
            RJ_CHECK(rj_imat_contains_fmpq_mat(yi, y), seed, "forward enclosed, case %ld",
                     iter);
            fmpq_mat_clear(y);
            rj_imat_clear(yi);
        }
        /* every exact tie is a possible tie here */
        RJ_CHECK(pp->ties->len >= ties->len, seed, "ties: %ld exact, %ld possible",
                 (long) ties->len, (long) pp->ties->len);

        fmpq_mat_init(J, 0, 0);
        RJ_CHECK(rj_exact_jacobian(J, NULL, net, x, pol, err) == RJ_OK, seed, "%s", err->msg);
        rj_imat_init(Ji, 0, 0, prec);
        rj_imat_init(Pi, 0, 0, prec);
        {
            rj_ties_t t2;
            rj_ties_init(t2);
            RJ_CHECK(rj_precise_jacobian_fmpq(Ji, t2, net, x, prec, err) == RJ_OK, seed, "%s",
                     err->msg);
            RJ_CHECK(t2->len == pp->ties->len, seed, "same possible ties from the "
                     "streamed Jacobian (%ld) and the parts (%ld), case %ld",
                     (long) t2->len, (long) pp->ties->len, iter);
            rj_ties_clear(t2);
        }
        if (!rj_imat_contains_fmpq_mat(Ji, J)) {
            report_net("jacobian", iter, net, x);
            rj_test_print_mat("J", J);
            print_imat("Ji", Ji);
        }
        RJ_CHECK(rj_imat_contains_fmpq_mat(Ji, J), seed, "Jacobian enclosed, case %ld", iter);
        RJ_CHECK(rj_precise_expand_direct(Pi, pp, prec, err) == RJ_OK, seed, "%s", err->msg);
        RJ_CHECK(rj_imat_contains_fmpq_mat(Pi, J), seed, "direct expansion, case %ld", iter);

        /* graded */
        G = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
        Gi = flint_malloc((L + 1) * sizeof(rj_imat_struct));
        for (k = 0; k <= L; k++) {
            fmpq_mat_init(G + k, 0, 0);
            rj_imat_init(Gi + k, 0, 0, prec);
        }
        RJ_CHECK(rj_expand_graded(G, ep, err) == RJ_OK, seed, "%s", err->msg);
        RJ_CHECK(rj_precise_expand_graded(Gi, pp, prec, err) == RJ_OK, seed, "%s", err->msg);
        for (k = 0; k <= L; k++)
            RJ_CHECK(rj_imat_contains_fmpq_mat(Gi + k, G + k), seed,
                     "G_%ld enclosed, case %ld", (long) k, iter);

        /* gradient J^T g */
        fmpq_mat_init(g, fmpq_mat_nrows(J), 1);
        fmpq_mat_init(Jt, fmpq_mat_ncols(J), fmpq_mat_nrows(J));
        fmpq_mat_init(v, fmpq_mat_ncols(J), 1);
        rj_test_randmat(g, st, 5, 3);
        fmpq_mat_transpose(Jt, J);
        fmpq_mat_mul(v, Jt, g);
        rj_imat_init(gi, 0, 0, prec);
        rj_imat_init(vi, 0, 0, prec);
        rj_imat_set_fmpq_mat(gi, g, prec);
        RJ_CHECK(rj_precise_grad(vi, pp, gi, prec, err) == RJ_OK, seed, "%s", err->msg);
        RJ_CHECK(rj_imat_contains_fmpq_mat(vi, v), seed, "gradient enclosed, case %ld", iter);
        {
            rj_imat_t xi;
            rj_imat_init(xi, 0, 0, prec);
            rj_imat_set_fmpq_mat(xi, x, prec + 64);
            RJ_CHECK(rj_precise_grad_net(vi, net, xi, gi, prec, err) == RJ_OK, seed, "%s",
                     err->msg);
            RJ_CHECK(rj_imat_contains_fmpq_mat(vi, v), seed, "grad_net enclosed, case %ld",
                     iter);
            rj_imat_clear(xi);
        }

        for (k = 0; k <= L; k++) {
            fmpq_mat_clear(G + k);
            rj_imat_clear(Gi + k);
        }
        flint_free(G);
        flint_free(Gi);
        fmpq_mat_clear(g);
        fmpq_mat_clear(Jt);
        fmpq_mat_clear(v);
        rj_imat_clear(gi);
        rj_imat_clear(vi);
        rj_imat_clear(Ji);
        rj_imat_clear(Pi);
        fmpq_mat_clear(J);
        rj_exact_parts_clear(ep);
        rj_precise_parts_clear(pp);
        rj_ties_clear(ties);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* Networks with tanh and sigmoid: two precisions overlap and the higher is
   narrower; the Jacobian from stored parts overlaps the streamed one. */
START_TEST(test_network_two_precisions)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(40);
    rj_test_randinit(st, seed + 4);
    for (iter = 0; iter < n; iter++) {
        slong L = 1 + n_randint(st, 8), n0, prec = 32 + n_randint(st, 100);
        rj_net_t net;
        fmpq_mat_t x;
        rj_imat_t J1, J2, P;
        rj_precise_parts_t pp;
        rj_error_t err;

        rj_net_init(net);
        n0 = rj_test_randnet(net, st, L, 4, 3, 5, 5);
        fmpq_mat_init(x, n0, 1);
        rj_test_randmat(x, st, 3, 7);
        rj_error_init(err);
        rj_imat_init(J1, 0, 0, prec);
        rj_imat_init(J2, 0, 0, prec);
        rj_imat_init(P, 0, 0, prec);
        rj_precise_parts_init(pp);
        RJ_CHECK(rj_precise_jacobian_fmpq(J1, NULL, net, x, prec, err) == RJ_OK, seed, "%s",
                 err->msg);
        RJ_CHECK(rj_precise_jacobian_fmpq(J2, NULL, net, x, 2 * prec + 30, err) == RJ_OK, seed,
                 "%s", err->msg);
        if (!rj_imat_overlaps(J1, J2)) {
            report_net("two precisions", iter, net, x);
            print_imat("J1", J1);
            print_imat("J2", J2);
        }
        RJ_CHECK(rj_imat_overlaps(J1, J2), seed, "precisions overlap, case %ld", iter);
        RJ_CHECK(rj_precise_parts_fmpq(pp, net, x, prec, err) == RJ_OK, seed, "%s", err->msg);
        /* a possible tie keeps a derivative [0, 1] at every precision */
        if (pp->ties->len == 0 && !(rad_max_d(J2) <= rad_max_d(J1)))
            fprintf(stderr, "radii %g %g\n", rad_max_d(J1), rad_max_d(J2));
        RJ_CHECK(pp->ties->len > 0 || rad_max_d(J2) <= rad_max_d(J1), seed,
                 "higher narrower, case %ld", iter);
        RJ_CHECK(rj_precise_expand_direct(P, pp, prec, err) == RJ_OK, seed, "%s", err->msg);
        RJ_CHECK(rj_imat_overlaps(P, J2), seed, "stored parts overlap, case %ld", iter);
        rj_precise_parts_clear(pp);
        rj_imat_clear(J1);
        rj_imat_clear(J2);
        rj_imat_clear(P);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- norms */

START_TEST(test_norms_exact)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(200);
    rj_test_randinit(st, seed + 5);
    for (iter = 0; iter < n; iter++) {
        slong r = 1 + n_randint(st, 7), c = 1 + n_randint(st, 7), i, j;
        slong prec = 16 + n_randint(st, 100);
        fmpq_mat_t A;
        fmpq_t s, n1, ninf, f2, t;
        rj_imat_t a;
        rj_itv_t e;
        fmpq_mat_init(A, r, c);
        fmpq_init(s);
        fmpq_init(n1);
        fmpq_init(ninf);
        fmpq_init(f2);
        fmpq_init(t);
        rj_test_randmat(A, st, 100, 3 + n_randint(st, 30));
        for (j = 0; j < c; j++) {
            fmpq_zero(s);
            for (i = 0; i < r; i++) {
                fmpq_abs(t, fmpq_mat_entry(A, i, j));
                fmpq_add(s, s, t);
                fmpq_mul(t, t, t);
                fmpq_add(f2, f2, t);
            }
            if (fmpq_cmp(s, n1) > 0)
                fmpq_set(n1, s);
        }
        for (i = 0; i < r; i++) {
            fmpq_zero(s);
            for (j = 0; j < c; j++) {
                fmpq_abs(t, fmpq_mat_entry(A, i, j));
                fmpq_add(s, s, t);
            }
            if (fmpq_cmp(s, ninf) > 0)
                fmpq_set(ninf, s);
        }
        rj_imat_init(a, 0, 0, prec);
        rj_imat_set_fmpq_mat(a, A, prec);
        rj_itv_init(e, prec);
        rj_imat_norm_1(e, a);
        RJ_CHECK(rj_itv_contains_fmpq(e, n1), seed, "1-norm, case %ld", iter);
        rj_imat_norm_inf(e, a);
        RJ_CHECK(rj_itv_contains_fmpq(e, ninf), seed, "inf-norm, case %ld", iter);
        rj_imat_norm_frob(e, a);
        {
            /* lo^2 <= F^2 <= hi^2, exactly */
            fmpq_t lo, hi;
            fmpq_init(lo);
            fmpq_init(hi);
            fmpq_set_mpfr_exact(lo, e->lo);
            fmpq_set_mpfr_exact(hi, e->hi);
            fmpq_mul(lo, lo, lo);
            fmpq_mul(hi, hi, hi);
            RJ_CHECK(fmpq_cmp(lo, f2) <= 0 && fmpq_cmp(f2, hi) <= 0, seed,
                     "Frobenius^2 bracketed, case %ld", iter);
            fmpq_clear(lo);
            fmpq_clear(hi);
        }
        rj_itv_clear(e);
        rj_imat_clear(a);
        fmpq_mat_clear(A);
        fmpq_clear(s);
        fmpq_clear(n1);
        fmpq_clear(ninf);
        fmpq_clear(f2);
        fmpq_clear(t);
    }
    flint_randclear(st);
}
END_TEST

/* Number of roots of the real-rooted p in (c, oo) (sign = 1) or (-oo, c)
   (sign = -1): Descartes' rule of signs is exact for real-rooted polynomials. */
static slong
roots_beyond(const fmpq_poly_t p, const fmpq_t c, int sign)
{
    fmpq_poly_t lin, q;
    slong i, v = 0, last = 0;
    fmpq_poly_init(lin);
    fmpq_poly_init(q);
    fmpq_poly_set_coeff_fmpq(lin, 0, c);
    fmpq_poly_set_coeff_si(lin, 1, sign);
    fmpq_poly_compose(q, p, lin);   /* q(t) = p(c + sign t) */
    for (i = 0; i <= fmpq_poly_degree(q); i++) {
        int s = fmpz_sgn(fmpq_poly_numref(q) + i);
        if (s != 0) {
            if (last != 0 && s != last)
                v++;
            last = s;
        }
    }
    /* a root at exactly t = 0 (p(c) = 0) is not in the open range */
    fmpq_poly_clear(lin);
    fmpq_poly_clear(q);
    return v;
}

/* The spectral bounds bracket the singular values of small matrices computed
   exactly via the characteristic polynomial of A^T A, and are tight. */
START_TEST(test_spectral_charpoly)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(150);
    rj_test_randinit(st, seed + 6);
    for (iter = 0; iter < n; iter++) {
        slong r = 1 + n_randint(st, 5), c = 1 + n_randint(st, 5);
        slong prec = 53 + n_randint(st, 100), m;
        fmpq_mat_t A, At, G;
        fmpq_poly_t p;
        fmpq_t u2, l2, t;
        rj_imat_t a;
        mpfr_t u, l;
        int ok;

        if (n_randint(st, 3) == 0)
            r = c;
        fmpq_mat_init(A, r, c);
        fmpq_mat_init(At, c, r);
        m = FLINT_MIN(r, c);
        rj_test_randmat(A, st, 50, 3 + n_randint(st, 20));
        fmpq_mat_transpose(At, A);
        if (r >= c) {
            fmpq_mat_init(G, c, c);
            fmpq_mat_mul(G, At, A);
        } else {
            fmpq_mat_init(G, r, r);
            fmpq_mat_mul(G, A, At);
        }
        fmpq_poly_init(p);
        fmpq_mat_charpoly(p, G);   /* roots: sigma_1^2 .. sigma_m^2 */
        fmpq_init(u2);
        fmpq_init(l2);
        fmpq_init(t);
        rj_imat_init(a, 0, 0, prec);
        rj_imat_set_fmpq_mat(a, A, prec);
        mpfr_init2(u, RJ_RAD_PREC);
        mpfr_init2(l, RJ_RAD_PREC);

        rj_imat_norm2_upper(u, a);
        fmpq_set_mpfr_exact(u2, u);
        fmpq_mul(u2, u2, u2);
        RJ_CHECK(roots_beyond(p, u2, 1) == 0, seed, "sigma_max <= upper bound, case %ld", iter);
        if (!fmpq_mat_is_zero(A)) {
            /* tight: a root above u2 (1 - 2^-20) */
            fmpq_set_si(t, (1 << 20) - 1, 1 << 20);
            fmpq_mul(t, t, u2);
            RJ_CHECK(roots_beyond(p, t, 1) >= 1, seed, "upper bound tight, case %ld", iter);
        }
        rj_imat_norm2_lower(l, a);
        fmpq_set_mpfr_exact(l2, l);
        fmpq_mul(l2, l2, l2);
        RJ_CHECK(roots_beyond(p, l2, 1) >= 1 || fmpq_is_zero(l2), seed,
                 "sigma_max >= lower bound, case %ld", iter);

        ok = rj_imat_sigma_min_lower(l, a);
        fmpq_set_mpfr_exact(l2, l);
        fmpq_mul(l2, l2, l2);
        /* no root below l2 among the m smallest-dimension roots */
        RJ_CHECK(roots_beyond(p, l2, -1) == 0, seed, "sigma_min >= lower bound, case %ld",
                 iter);
        if (ok) {
            fmpq_set_si(t, (1 << 20) + 1, 1 << 20);
            fmpq_mul(t, t, l2);
            RJ_CHECK(roots_beyond(p, t, -1) >= 1, seed, "sigma_min bound tight, case %ld",
                     iter);
        } else {
            /* only singular (or numerically singular) matrices fail */
            fmpq_poly_get_coeff_fmpq(t, p, 0);
            RJ_CHECK(fmpq_is_zero(t) || m > 0, seed, "sigma_min not certified, case %ld",
                     iter);
        }
        /* sigma_min upper bound: some root <= u2 */
        rj_imat_sigma_min_upper(u, a);
        fmpq_set_mpfr_exact(u2, u);
        fmpq_mul(u2, u2, u2);
        fmpq_poly_evaluate_fmpq(t, p, u2);
        RJ_CHECK(fmpq_is_zero(t) || roots_beyond(p, u2, -1) >= 1, seed,
                 "sigma_min <= upper bound, case %ld", iter);
        mpfr_clear(u);
        mpfr_clear(l);
        rj_imat_clear(a);
        fmpq_clear(u2);
        fmpq_clear(l2);
        fmpq_clear(t);
        fmpq_poly_clear(p);
        fmpq_mat_clear(A);
        fmpq_mat_clear(At);
        fmpq_mat_clear(G);
    }
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- escalation */

typedef struct {
    fmpq_t x;
} tanh_ctx;

static int
encl_tanh(rj_itv_t out, void *ctx, slong prec, rj_error_t err)
{
    rj_itv_t x;
    rj_itv_init(x, prec);
    rj_itv_set_fmpq(x, ((tanh_ctx *) ctx)->x);
    rj_itv_tanh(out, x);
    rj_itv_clear(x);
    return RJ_OK;
}

START_TEST(test_decide_escalation)
{
    tanh_ctx ctx;
    fmpq_t bound;
    mpfr_t v;
    rj_precise_report rep;
    rj_error_t err;
    int r;

    fmpq_init(ctx.x);
    fmpq_init(bound);
    fmpq_set_si(ctx.x, 1, 2);
    mpfr_init2(v, 400);
    mpfr_set_ui(v, 1, MPFR_RNDN);
    mpfr_div_2ui(v, v, 1, MPFR_RNDN);
    mpfr_tanh(v, v, MPFR_RNDN);
    /* bound = tanh(1/2) + 2^-100: needs about 100 bits */
    {
        mpfr_t b;
        mpfr_init2(b, 400);
        mpfr_set_ui_2exp(b, 1, -100, MPFR_RNDN);
        mpfr_add(b, v, b, MPFR_RNDN);
        fmpq_set_mpfr_exact(bound, b);
        mpfr_clear(b);
    }
    rj_error_init(err);
    r = rj_precise_decide_le(encl_tanh, &ctx, bound, 16, 1024, &rep, err);
    RJ_CHECK(r == 1, seed, "tanh(1/2) <= bound proved, got %d", r);
    RJ_CHECK(rep.tries >= 3 && rep.prec[rep.tries - 1] >= 100, seed,
             "escalated to >= 100 bits (%ld tries)", (long) rep.tries);
    RJ_CHECK(rep.width_log2[rep.tries - 1] < rep.width_log2[0], seed, "narrower");
    r = rj_precise_decide_ge(encl_tanh, &ctx, bound, 16, 1024, &rep, err);
    RJ_CHECK(r == 0, seed, "tanh(1/2) >= bound refuted, got %d", r);
    r = rj_precise_decide_lt(encl_tanh, &ctx, bound, 16, 64, &rep, err);
    RJ_CHECK(r == -1 && rep.tries == 3, seed, "undecided at <= 64 bits, got %d after %ld",
             r, (long) rep.tries);
    RJ_CHECK(rep.width_log2[2] > -70 && rep.width_log2[2] < -55, seed, "width at 64 bits");
    r = rj_precise_decide_le(encl_tanh, &ctx, bound, 8, 64, &rep, err);
    RJ_CHECK(r == -2 && err->status == RJ_ERR_LIMIT, seed, "precision limit");
    mpfr_clear(v);
    fmpq_clear(ctx.x);
    fmpq_clear(bound);
}
END_TEST

/* An enclosure of 1/3 whose width does not follow the precision (like the
   spectral bounds): [1/4, 1/2] at every precision. */
static int
encl_stuck(rj_itv_t out, void *ctx, slong prec, rj_error_t err)
{
    (void) ctx;
    (void) prec;
    (void) err;
    mpfr_set_ui_2exp(out->lo, 1, -2, MPFR_RNDD);
    mpfr_set_ui_2exp(out->hi, 1, -1, MPFR_RNDU);
    return RJ_OK;
}

/* The escalation rule [PB 8]: double while it narrows, up to the cap; an
   enclosure that does not narrow stops after the second try, one that is not
   finite after the first. */
START_TEST(test_escalation_rule)
{
    rj_precise_report rep;
    rj_error_t err;
    fmpq_t q;
    int r;
    ck_assert_int_eq(rj_precise_next_prec(128, 4096, INFINITY, -100), 256);
    ck_assert_int_eq(rj_precise_next_prec(128, 4096, -100, -200), 256);
    ck_assert_int_eq(rj_precise_next_prec(128, 4096, -100, -104), 0);   /* < 8 bits */
    ck_assert_int_eq(rj_precise_next_prec(2048, 4096, INFINITY, -100), 4096);
    ck_assert_int_eq(rj_precise_next_prec(4096, 4096, INFINITY, -100), 0);   /* cap */
    ck_assert_int_eq(rj_precise_next_prec(128, 4096, INFINITY, INFINITY), 0);
    ck_assert_int_eq(rj_precise_next_prec(128, 4096, INFINITY, NAN), 0);
    fmpq_init(q);
    fmpq_set_si(q, 1, 3);
    rj_error_init(err);
    r = rj_precise_decide_le(encl_stuck, NULL, q, 16, 1024, &rep, err);
    ck_assert_msg(r == -1 && rep.tries == 2 && rep.prec[1] == 32,
                  "stuck enclosure: %d after %ld tries", r, (long) rep.tries);
    fmpq_clear(q);
}
END_TEST

/* The ready-made quantities bracket exact values and drive the escalation. */
START_TEST(test_quantities)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(20);
    rj_test_randinit(st, seed + 7);
    for (iter = 0; iter < n; iter++) {
        slong L = 1 + n_randint(st, 4), n0;
        rj_net_t net;
        fmpq_mat_t x, J, Jt, G, g, v;
        fmpq_poly_t p;
        fmpq_t lo2, hi2, t, nv2;
        rj_itv_t e;
        rj_precise_ctx ctx;
        rj_precise_report rep;
        rj_error_t err;
        int r;

        rj_net_init(net);
        n0 = rj_test_randnet(net, st, L, 3, 3, 4, 3);
        fmpq_mat_init(x, n0, 1);
        rj_test_randmat(x, st, 3, 4);
        rj_error_init(err);
        fmpq_mat_init(J, 0, 0);
        RJ_CHECK(rj_exact_jacobian(J, NULL, net, x, (rj_tie_policy) {RJ_TIE_RIGHT, 0}, err)
                 == RJ_OK, seed, "%s", err->msg);
        fmpq_mat_init(Jt, fmpq_mat_ncols(J), fmpq_mat_nrows(J));
        fmpq_mat_transpose(Jt, J);
        fmpq_mat_init(G, fmpq_mat_ncols(J), fmpq_mat_ncols(J));
        fmpq_mat_mul(G, Jt, J);
        fmpq_poly_init(p);
        fmpq_mat_charpoly(p, G);
        fmpq_init(lo2);
        fmpq_init(hi2);
        fmpq_init(t);
        fmpq_init(nv2);
        rj_itv_init(e, 64);
        ctx.net = net;
        ctx.x = x;
        fmpq_mat_init(g, fmpq_mat_nrows(J), 1);
        rj_test_randmat(g, st, 5, 2);
        ctx.g = g;
        ctx.row = 0;
        ctx.col = 0;

        RJ_CHECK(rj_precise_encl_norm2(e, &ctx, 64, err) == RJ_OK, seed, "%s", err->msg);
        fmpq_set_mpfr_exact(lo2, e->lo);
        fmpq_set_mpfr_exact(hi2, e->hi);
        fmpq_mul(lo2, lo2, lo2);
        fmpq_mul(hi2, hi2, hi2);
        /* lambda_max in [lo2, hi2]: no root above hi2, some root >= lo2 */
        fmpq_poly_evaluate_fmpq(t, p, lo2);
        RJ_CHECK(roots_beyond(p, hi2, 1) == 0
                 && (fmpq_is_zero(t) || roots_beyond(p, lo2, 1) >= 1), seed,
                 "||J||_2 enclosed, case %ld", iter);
        /* deciding ||J||_2 <= hi (+ a little) proves; <= lo/2 refutes (when lo > 0) */
        fmpq_set_mpfr_exact(t, e->hi);
        fmpq_add(t, t, t);
        r = rj_precise_decide_le(rj_precise_encl_norm2, &ctx, t, 32, 256, &rep, err);
        RJ_CHECK(r == 1 || (r == -1 && fmpq_is_zero(t)), seed, "decide ||J|| <= 2 hi: %d", r);

        /* gradient norm: ||J^T g||^2 exactly */
        fmpq_mat_init(v, fmpq_mat_ncols(J), 1);
        fmpq_mat_mul(v, Jt, g);
        fmpq_zero(nv2);
        for (slong i = 0; i < fmpq_mat_nrows(v); i++)
            fmpq_addmul(nv2, fmpq_mat_entry(v, i, 0), fmpq_mat_entry(v, i, 0));
        RJ_CHECK(rj_precise_encl_grad_norm(e, &ctx, 64, err) == RJ_OK, seed, "%s", err->msg);
        fmpq_set_mpfr_exact(lo2, e->lo);
        fmpq_set_mpfr_exact(hi2, e->hi);
        fmpq_mul(lo2, lo2, lo2);
        fmpq_mul(hi2, hi2, hi2);
        RJ_CHECK(fmpq_cmp(lo2, nv2) <= 0 && fmpq_cmp(nv2, hi2) <= 0, seed,
                 "||J^T g|| enclosed, case %ld", iter);
        RJ_CHECK(rj_precise_encl_jacobian_entry(e, &ctx, 64, err) == RJ_OK, seed, "%s",
                 err->msg);
        RJ_CHECK(rj_itv_contains_fmpq(e, fmpq_mat_entry(J, 0, 0)), seed,
                 "J[1,1] enclosed, case %ld", iter);

        rj_itv_clear(e);
        fmpq_clear(lo2);
        fmpq_clear(hi2);
        fmpq_clear(t);
        fmpq_clear(nv2);
        fmpq_poly_clear(p);
        fmpq_mat_clear(J);
        fmpq_mat_clear(Jt);
        fmpq_mat_clear(G);
        fmpq_mat_clear(g);
        fmpq_mat_clear(v);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

START_TEST(test_limits)
{
    rj_net_t net;
    rj_imat_t J;
    fmpq_mat_t x;
    rj_error_t err;
    rj_net_init(net);
    rj_imat_init(J, 0, 0, 64);
    fmpq_mat_init(x, 2, 1);
    rj_error_init(err);
    RJ_CHECK(rj_precise_jacobian_fmpq(J, NULL, net, x, 4, err) == RJ_ERR_LIMIT, seed, "prec 4");
    RJ_CHECK(strstr(err->msg, "RJ_PRECISE_PREC_MIN") != NULL, seed, "message names the limit");
    rj_error_init(err);
    RJ_CHECK(rj_precise_jacobian_fmpq(J, NULL, net, x, 64, err) == RJ_OK, seed, "empty net");
    RJ_CHECK(J->r == 2 && J->c == 2 && mpfr_cmp_ui(rj_imat_mid(J, 1, 1), 1) == 0, seed,
             "empty net: identity");
    rj_imat_clear(J);
    fmpq_mat_clear(x);
    rj_net_clear(net);
}
END_TEST

/* precise_no_memory_limit: width 4,096 at 262,144 bits asked flint_malloc for
   hundreds of GB and aborted.  Every network function refuses a request over
   RJ_MAX_BYTES with RJ_ERR_LIMIT before allocating anything of that size
   (largest flint allocation counted through FLINT's memory functions), leaves
   its output as it was, and takes the same request at a low precision. */
static size_t mem_largest;
static void *(*mem_alloc)(size_t);
static void *(*mem_calloc)(size_t, size_t);
static void *(*mem_realloc)(void *, size_t);
static void (*mem_free)(void *);

static void *
count_alloc(size_t n)
{
    mem_largest = FLINT_MAX(mem_largest, n);
    return mem_alloc(n);
}

static void *
count_calloc(size_t n, size_t k)
{
    mem_largest = FLINT_MAX(mem_largest, n * k);
    return mem_calloc(n, k);
}

static void *
count_realloc(void *p, size_t n)
{
    mem_largest = FLINT_MAX(mem_largest, n);
    return mem_realloc(p, n);
}

/* One check: st is RJ_ERR_LIMIT naming RJ_MAX_BYTES, nothing large allocated. */
static void
check_refused(int st, const rj_error_t err, const char *what)
{
    RJ_CHECK(st == RJ_ERR_LIMIT, seed, "%s: status %d, expected RJ_ERR_LIMIT", what, st);
    RJ_CHECK(strstr(err->msg, "RJ_MAX_BYTES") != NULL && strstr(err->msg, "GB") != NULL,
             seed, "%s: the message names the limit and the need: %s", what, err->msg);
    RJ_CHECK(mem_largest < ((size_t) 1 << 26), seed, "%s: allocated %zu bytes before refusing",
             what, mem_largest);
}

#define MEM_DEEP_L 100

/* A becomes the n x n identity. */
static void
set_identity(fmpq_mat_t A, slong n)
{
    fmpq_mat_clear(A);
    fmpq_mat_init(A, n, n);
    fmpq_mat_one(A);
}

START_TEST(test_memory_limit)
{
    const slong w = 128, big = RJ_PRECISE_PREC_MAX, L = MEM_DEEP_L;
    rj_net_t net, deep;
    rj_block_t b;
    fmpq_mat_t x, xd;
    rj_imat_t J, xi, g, v;
    rj_imat_struct G[MEM_DEEP_L + 1];
    rj_precise_parts_t parts;
    rj_error_t err;
    slong i;

    /* one block W1 = I (w x w), no skip; a deep narrow net for the parts */
    rj_block_init(b);
    set_identity(b->W1, w);
    b->skip = RJ_SKIP_NONE;
    rj_error_init(err);
    RJ_CHECK(rj_block_validate(b, "B", err) == RJ_OK, seed, "block: %s", err->msg);
    rj_net_init(net);
    rj_net_append(net, b, "B");
    set_identity(b->W1, 48);
    RJ_CHECK(rj_block_validate(b, "B", err) == RJ_OK, seed, "block: %s", err->msg);
    rj_net_init(deep);
    for (i = 0; i < L; i++)
        rj_net_append(deep, b, "B");
    fmpq_mat_init(x, w, 1);
    fmpq_mat_init(xd, 48, 1);
    rj_imat_init(J, 3, 3, 64);
    rj_imat_init(xi, 0, 0, 64);
    rj_imat_set_fmpq_mat(xi, x, 64);
    rj_imat_init(g, 0, 0, 64);
    rj_imat_set_fmpq_mat(g, x, 64);
    rj_imat_init(v, 0, 0, 64);
    for (i = 0; i <= L; i++)
        rj_imat_init(G + i, 0, 0, 64);
    rj_precise_parts_init(parts);

    /* the estimate itself: one w x w matrix at the top precision is below the
       limit, the pass (dozens of them) above it */
    RJ_CHECK(rj_imat_bytes(w, w, big) < (double) RJ_MAX_BYTES
             && 33 * rj_imat_bytes(w, w, big) > (double) RJ_MAX_BYTES, seed,
             "the test's sizes straddle the limit");
    RJ_CHECK(rj_precise_check_memory(1, w, w, big, err) == RJ_OK, seed, "one matrix fits");

    __flint_get_memory_functions(&mem_alloc, &mem_calloc, &mem_realloc, &mem_free);
    __flint_set_memory_functions(count_alloc, count_calloc, count_realloc, mem_free);
    mem_largest = 0;
    check_refused(rj_precise_jacobian_fmpq(J, NULL, net, x, big, err), err, "jacobian_fmpq");
    mem_largest = 0;
    check_refused(rj_precise_jacobian(J, NULL, net, xi, big, err), err, "jacobian");
    mem_largest = 0;
    check_refused(rj_precise_forward_fmpq(v, net, x, big, err), err, "forward_fmpq");
    mem_largest = 0;
    check_refused(rj_precise_parts_fmpq(parts, net, x, big, err), err, "parts_fmpq");
    mem_largest = 0;
    check_refused(rj_precise_grad_net(v, net, xi, g, big, err), err, "grad_net");
    __flint_set_memory_functions(mem_alloc, mem_calloc, mem_realloc, mem_free);
    RJ_CHECK(J->r == 3 && J->c == 3 && J->prec == 64 && v->r == 0 && parts->h == NULL, seed,
             "outputs unchanged after a refusal");

    /* stored parts of a deep narrow net: the graded expansion keeps 3 (L + 1)
       matrices more than the direct product */
    RJ_CHECK(rj_precise_parts_fmpq(parts, deep, xd, 64, err) == RJ_OK, seed, "parts: %s",
             err->msg);
    for (i = 64; i < big && rj_precise_expand_graded(G, parts, i, err) == RJ_OK; i *= 2)
        ;
    RJ_CHECK(i < big && err->status == RJ_ERR_LIMIT, seed, "graded: no limit below %ld bits",
             (long) big);
    RJ_CHECK(rj_precise_expand_direct(J, parts, i, err) == RJ_OK, seed,
             "direct at %ld bits: %s", (long) i, err->msg);
    RJ_CHECK(J->r == 48 && J->c == 48 && mpfr_cmp_ui(rj_imat_mid(J, 5, 5), 1) == 0, seed,
             "direct product of identities");
    check_refused(rj_precise_expand_graded(G, parts, big, err), err, "expand_graded");

    /* below the limit the same network computes */
    RJ_CHECK(rj_precise_jacobian_fmpq(J, NULL, net, x, 64, err) == RJ_OK, seed,
             "jacobian at 64 bits: %s", err->msg);
    RJ_CHECK(J->r == w && mpfr_cmp_ui(rj_imat_mid(J, w - 1, w - 1), 1) == 0, seed,
             "jacobian of the identity");

    for (i = 0; i <= L; i++)
        rj_imat_clear(G + i);
    rj_precise_parts_clear(parts);
    rj_imat_clear(v);
    rj_imat_clear(g);
    rj_imat_clear(xi);
    rj_imat_clear(J);
    fmpq_mat_clear(xd);
    fmpq_mat_clear(x);
    rj_net_clear(deep);
    rj_net_clear(net);
    rj_block_clear(b);
}
END_TEST

/* ---------------------------------------------------------------- a network converted once */

/* Same shape, precision and bits (midpoints and radii; NaN equals NaN). */
static int
mpfr_same(const mpfr_t a, const mpfr_t b)
{
    return (mpfr_nan_p(a) && mpfr_nan_p(b))
        || (mpfr_equal_p(a, b) && mpfr_signbit(a) == mpfr_signbit(b));
}

static int
imat_same(const rj_imat_t A, const rj_imat_t B)
{
    slong i;
    if (A->r != B->r || A->c != B->c || A->prec != B->prec)
        return 0;
    for (i = 0; i < A->r * A->c; i++)
        if (!mpfr_same(A->mid + i, B->mid + i) || !mpfr_same(A->rad + i, B->rad + i))
            return 0;
    return 1;
}

static int
ties_same(const rj_ties_t a, const rj_ties_t b)
{
    slong i;
    if (a->len != b->len)
        return 0;
    for (i = 0; i < a->len; i++)
        if (a->ties[i].block != b->ties[i].block || a->ties[i].where != b->ties[i].where
            || a->ties[i].unit != b->ties[i].unit)
            return 0;
    return 1;
}

/* Every pass of net at x and prec: converted once (rj_precise_net_set) against
   the functions taking the network (each block converted when reached) and
   against rj_precise_block block by block (its weights converted from the
   fmpq block on each call): the same bits everywhere. */
static void
check_converted_once(const rj_net_t net, const fmpq_mat_t x, slong prec, flint_rand_t st,
                     const char *what)
{
    rj_precise_net_t pn;
    rj_precise_parts_t p1, p2;
    rj_imat_t xi, y1, y2, J1, J2, g, v1, v2, S, R, h;
    rj_ties_t t1, t2, t3;
    rj_error_t err;
    fmpq_mat_t gq;
    slong l, n_out = rj_net_width_out(net);
    int ok;

    rj_error_init(err);
    rj_precise_net_init(pn);
    rj_precise_parts_init(p1);
    rj_precise_parts_init(p2);
    rj_imat_init(xi, 0, 0, prec);
    rj_imat_init(y1, 0, 0, prec);
    rj_imat_init(y2, 0, 0, prec);
    rj_imat_init(J1, 0, 0, prec);
    rj_imat_init(J2, 0, 0, prec);
    rj_imat_init(g, 0, 0, prec);
    rj_imat_init(v1, 0, 0, prec);
    rj_imat_init(v2, 0, 0, prec);
    rj_imat_init(S, 0, 0, prec);
    rj_imat_init(R, 0, 0, prec);
    rj_imat_init(h, 0, 0, prec);
    rj_ties_init(t1);
    rj_ties_init(t2);
    rj_ties_init(t3);
    fmpq_mat_init(gq, n_out, 1);
    rj_test_randmat(gq, st, 5, 3);

    RJ_CHECK(rj_precise_net_set(pn, net, prec, err) == RJ_OK, seed, "%s: set: %s", what,
             err->msg);
    RJ_CHECK(pn->net == net && pn->prec == prec && pn->wp >= prec, seed, "%s: pn fields",
             what);
    rj_imat_set_fmpq_mat(xi, x, pn->wp);
    rj_imat_set_fmpq_mat(g, gq, pn->wp);

    ok = rj_precise_net_forward(y1, pn, xi, err) == RJ_OK
        && rj_precise_forward_fmpq(y2, net, x, prec, err) == RJ_OK;
    RJ_CHECK(ok && imat_same(y1, y2), seed, "%s: forward differs at %ld bits %s", what,
             (long) prec, err->msg);
    ok = rj_precise_net_jacobian(J1, t1, pn, xi, err) == RJ_OK
        && rj_precise_jacobian_fmpq(J2, t2, net, x, prec, err) == RJ_OK;
    RJ_CHECK(ok && imat_same(J1, J2) && ties_same(t1, t2), seed,
             "%s: jacobian differs at %ld bits %s", what, (long) prec, err->msg);
    ok = rj_precise_net_grad(v1, pn, xi, g, err) == RJ_OK
        && rj_precise_grad_net(v2, net, xi, g, prec, err) == RJ_OK;
    RJ_CHECK(ok && imat_same(v1, v2), seed, "%s: gradient differs at %ld bits %s", what,
             (long) prec, err->msg);
    ok = rj_precise_net_parts(p1, pn, xi, err) == RJ_OK
        && rj_precise_parts_fmpq(p2, net, x, prec, err) == RJ_OK;
    RJ_CHECK(ok && p1->len == net->len && p2->len == net->len && ties_same(p1->ties, p2->ties)
             && ties_same(p1->ties, t1), seed, "%s: parts at %ld bits %s", what, (long) prec,
             err->msg);
    rj_imat_set(h, xi);
    for (l = 0; ok && l < net->len; l++) {
        RJ_CHECK(imat_same(p1->h + l, p2->h + l) && imat_same(p1->h + l, h)
                 && imat_same(p1->S + l, p2->S + l) && imat_same(p1->R + l, p2->R + l), seed,
                 "%s: parts of block %ld differ at %ld bits", what, (long) l + 1, (long) prec);
        RJ_CHECK(rj_precise_block(h, S, R, t3, net->blocks + l, l, h, pn->wp, err) == RJ_OK,
                 seed, "%s: block %ld: %s", what, (long) l + 1, err->msg);
        RJ_CHECK(imat_same(p1->S + l, S) && imat_same(p1->R + l, R), seed,
                 "%s: rj_precise_block's parts of block %ld differ at %ld bits", what,
                 (long) l + 1, (long) prec);
    }
    RJ_CHECK(!ok || (imat_same(p1->h + net->len, h) && ties_same(p1->ties, t3)), seed,
             "%s: rj_precise_block's output differs at %ld bits", what, (long) prec);

    fmpq_mat_clear(gq);
    rj_ties_clear(t1);
    rj_ties_clear(t2);
    rj_ties_clear(t3);
    rj_imat_clear(h);
    rj_imat_clear(R);
    rj_imat_clear(S);
    rj_imat_clear(v2);
    rj_imat_clear(v1);
    rj_imat_clear(g);
    rj_imat_clear(J2);
    rj_imat_clear(J1);
    rj_imat_clear(y2);
    rj_imat_clear(y1);
    rj_imat_clear(xi);
    rj_precise_parts_clear(p2);
    rj_precise_parts_clear(p1);
    rj_precise_net_clear(pn);
}

/* precise_converts_per_block_per_call: the precise layer converted every
   block's weights from fmpq again in every pass (and at every escalation
   precision).  A network converted once per precision gives the same
   enclosures, bit for bit, at several precisions, for every activation kind
   as inner and outer activation, every skip and placement, and random
   networks of every kind. */
START_TEST(test_net_converted_once)
{
    static const slong precs[] = {RJ_PRECISE_PREC_MIN, 53, 128, 333};
    flint_rand_t st;
    slong iter, k, i, n = rj_test_iters(12);
    char what[64];
    rj_test_randinit(st, seed + 31);
    for (k = 0; k < 5; k++) {       /* act = outer = k, every skip and placement */
        rj_net_t net;
        rj_block_t b;
        rj_error_t err;
        fmpq_mat_t x;
        int skip, place;
        rj_net_init(net);
        rj_error_init(err);
        for (skip = 0; skip < 4; skip++)
            for (place = 0; place < 3; place++) {
                rj_block_init(b);
                rj_test_randblock(b, st, 3, (skip + place) % 2 ? 2 : 0, 3, skip, place,
                                  (int) k, (int) k, 1, 5, 3);
                RJ_CHECK(rj_block_validate(b, NULL, err) == RJ_OK, seed, "%s", err->msg);
                rj_net_append(net, b, NULL);
                rj_block_clear(b);
            }
        RJ_CHECK(rj_net_validate(net, err) == RJ_OK, seed, "%s", err->msg);
        fmpq_mat_init(x, 3, 1);
        rj_test_randmat(x, st, 3, 2);
        for (i = 0; i < 4; i++) {
            snprintf(what, sizeof(what), "activation kind %ld", (long) k);
            check_converted_once(net, x, precs[i], st, what);
        }
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    for (iter = 0; iter < n; iter++) {
        rj_net_t net;
        fmpq_mat_t x;
        slong n0;
        rj_net_init(net);
        n0 = rj_test_randnet(net, st, 1 + n_randint(st, 8), 4, 3, 5, 5);
        fmpq_mat_init(x, n0, 1);
        rj_test_randmat(x, st, 3, 7);
        snprintf(what, sizeof(what), "random network %ld", (long) iter);
        check_converted_once(net, x, precs[n_randint(st, 4)], st, what);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* precise_block_own_message: rj_precise_block checked its input with a
   message of its own ("block 2 takes width 3 but its input is 4x1"); it now
   gives rj_point_check's, the one every layer gives. */
START_TEST(test_block_point_message)
{
    flint_rand_t st;
    slong k;
    rj_test_randinit(st, seed + 33);
    for (k = 0; k < 3; k++) {
        rj_block_t b;
        rj_imat_t x, y;
        rj_error_t err, want;
        slong rows = k == 1 ? 1 : 3 + 1 + n_randint(st, 3), cols = k == 1 ? 4 : 1;
        char lab[64];
        int st_want;
        rj_block_init(b);
        rj_error_init(err);
        rj_error_init(want);
        rj_test_randblock(b, st, 3, 2, 3, RJ_SKIP_IDENTITY, RJ_PLACE_PRE, RJ_ACT_TANH,
                          RJ_ACT_RELU, 1, 5, 3);
        RJ_CHECK(rj_block_validate(b, NULL, err) == RJ_OK, seed, "%s", err->msg);
        if (k == 2)
            rows = 3;    /* the right width: accepted */
        rj_imat_init(x, rows, cols, 64);
        rj_imat_init(y, 0, 0, 64);
        rj_block_label(lab, sizeof(lab), 1, NULL);
        st_want = rj_point_check(rows, cols, 3, lab, want);
        RJ_CHECK(rj_precise_block(y, NULL, NULL, NULL, b, 1, x, 64, err) == st_want
                 && (st_want == RJ_OK || strcmp(err->msg, want->msg) == 0), seed,
                 "block message '%s', wanted '%s'", err->msg, want->msg);
        RJ_CHECK(st_want == (k == 2 ? RJ_OK : RJ_ERR_INPUT) && (k == 2 || y->r == 0), seed,
                 "case %ld: status %d", (long) k, st_want);
        rj_imat_clear(x);
        rj_imat_clear(y);
        rj_block_clear(b);
    }
    flint_randclear(st);
}
END_TEST

/* The converted weights count in the memory check: a network whose pass fits
   in RJ_MAX_BYTES at the top precision while its weights, converted, do not,
   is refused by rj_precise_net_set before allocating them. */
START_TEST(test_net_converted_memory)
{
    const slong w = 64, L = 40, big = RJ_PRECISE_PREC_MAX;
    rj_net_t net;
    rj_block_t b;
    rj_precise_net_t pn;
    rj_error_t err;
    slong i;

    rj_block_init(b);
    set_identity(b->W1, w);
    set_identity(b->W2, w);
    b->two_layer = 1;
    rj_error_init(err);
    RJ_CHECK(rj_block_validate(b, "B", err) == RJ_OK, seed, "block: %s", err->msg);
    rj_net_init(net);
    for (i = 0; i < L; i++)
        rj_net_append(net, b, "B");
    RJ_CHECK(rj_precise_check_memory(40, w, w, big, err) == RJ_OK
             && rj_precise_check_memory(40 + 2 * L, w, w, big, err) == RJ_ERR_LIMIT, seed,
             "the test's sizes straddle the limit");
    rj_precise_net_init(pn);
    __flint_get_memory_functions(&mem_alloc, &mem_calloc, &mem_realloc, &mem_free);
    __flint_set_memory_functions(count_alloc, count_calloc, count_realloc, mem_free);
    mem_largest = 0;
    check_refused(rj_precise_net_set(pn, net, big, err), err, "net_set");
    __flint_set_memory_functions(mem_alloc, mem_calloc, mem_realloc, mem_free);
    RJ_CHECK(pn->net == NULL && pn->blocks == NULL, seed, "refused: pn holds no network");
    RJ_CHECK(rj_precise_net_set(pn, net, 64, err) == RJ_OK && pn->mats >= 2 * L, seed,
             "at 64 bits: %s, %ld matrices", err->msg, (long) pn->mats);
    rj_precise_net_clear(pn);
    rj_net_clear(net);
    rj_block_clear(b);
}
END_TEST

/* ---------------------------------------------------------------- general blocks */

/* A fresh r x c matrix in A. */
static void
mat_fresh(fmpq_mat_t A, slong r, slong c)
{
    fmpq_mat_clear(A);
    fmpq_mat_init(A, r, c);
}

/* The test's own layers in exact arithmetic (direct loops, no lowering):
   out = the linear part of the affine layer L applied to the N columns of X,
   plus its constant part when bias = 1.  batchnorm needs var + eps to be a
   rational square. */
static void
ref_linear(fmpq_mat_t out, const rj_layer_struct *L, const fmpq_mat_t X, int bias)
{
    slong N = fmpq_mat_ncols(X), C = L->in.c, H = L->in.h, Wi = L->in.w;
    slong Ho = L->out.h, Wo = L->out.w, co, c, i, j, a, b, n;
    fmpq_t s, t, q;
    fmpz_t z;
    fmpq_init(s);
    fmpq_init(t);
    fmpq_init(q);
    fmpz_init(z);
    mat_fresh(out, rj_shape_size(L->out), N);
    switch (L->kind) {
    case RJ_LAYER_DENSE:
        fmpq_mat_mul(out, L->W, X);
        if (bias && fmpq_mat_nrows(L->b) > 0)
            for (i = 0; i < fmpq_mat_nrows(out); i++)
                fmpq_add(fmpq_mat_entry(out, i, 0), fmpq_mat_entry(out, i, 0),
                         fmpq_mat_entry(L->b, i, 0));
        break;
    case RJ_LAYER_CONV2D: {
        slong cg = C / L->groups, og = L->out.c / L->groups;
        for (co = 0; co < L->out.c; co++)
            for (i = 0; i < Ho; i++)
                for (j = 0; j < Wo; j++)
                    for (n = 0; n < N; n++) {
                        fmpq *o = fmpq_mat_entry(out, (co * Ho + i) * Wo + j, n);
                        fmpq_zero(o);
                        if (bias && fmpq_mat_nrows(L->b) > 0)
                            fmpq_set(o, fmpq_mat_entry(L->b, co, 0));
                        for (c = 0; c < cg; c++)
                            for (a = 0; a < L->kh; a++)
                                for (b = 0; b < L->kw; b++) {
                                    slong y = i * L->sh - L->ph + a * L->dh;
                                    slong x = j * L->sw - L->pw + b * L->dw;
                                    slong ci = (co / og) * cg + c;
                                    if (y < 0 || y >= H || x < 0 || x >= Wi)
                                        continue;
                                    fmpq_addmul(o, fmpq_mat_entry(L->W, co,
                                                                   (c * L->kh + a) * L->kw + b),
                                                fmpq_mat_entry(X, (ci * H + y) * Wi + x, n));
                                }
                    }
        break;
    }
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
        for (i = 0; i < fmpq_mat_nrows(X); i++) {
            c = i / (H * Wi);
            fmpq_one(s);
            fmpq_zero(t);
            if (fmpq_mat_nrows(L->scale) > 0)
                fmpq_set(s, fmpq_mat_entry(L->scale, c, 0));
            if (fmpq_mat_nrows(L->shift) > 0)
                fmpq_set(t, fmpq_mat_entry(L->shift, c, 0));
            if (L->kind == RJ_LAYER_BATCHNORM) {
                /* s / sqrt(var + eps), t - mean s / sqrt(var + eps) */
                fmpq_add(q, fmpq_mat_entry(L->var, c, 0), L->eps);
                fmpz_sqrt(fmpq_numref(q), fmpq_numref(q));
                fmpz_sqrt(fmpq_denref(q), fmpq_denref(q));
                fmpq_div(s, s, q);
                fmpq_submul(t, s, fmpq_mat_entry(L->mean, c, 0));
            }
            for (n = 0; n < N; n++) {
                fmpq_mul(fmpq_mat_entry(out, i, n), s, fmpq_mat_entry(X, i, n));
                if (bias)
                    fmpq_add(fmpq_mat_entry(out, i, n), fmpq_mat_entry(out, i, n), t);
            }
        }
        break;
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_GAP: {
        int gap = L->kind == RJ_LAYER_GAP;
        slong kh = gap ? H : L->kh, kw = gap ? Wi : L->kw;
        slong sh = gap ? 1 : (L->sh > 0 ? L->sh : kh), sw = gap ? 1 : (L->sw > 0 ? L->sw : kw);
        slong ph = gap ? 0 : L->ph, pw = gap ? 0 : L->pw;
        for (c = 0; c < C; c++)
            for (i = 0; i < Ho; i++)
                for (j = 0; j < Wo; j++)
                    for (n = 0; n < N; n++) {
                        fmpq *o = fmpq_mat_entry(out, (c * Ho + i) * Wo + j, n);
                        fmpq_zero(o);
                        for (a = 0; a < kh; a++)
                            for (b = 0; b < kw; b++) {
                                slong y = i * sh - ph + a, x = j * sw - pw + b;
                                if (y >= 0 && y < H && x >= 0 && x < Wi)
                                    fmpq_add(o, o, fmpq_mat_entry(X, (c * H + y) * Wi + x, n));
                            }
                        fmpz_set_si(z, kh * kw);
                        fmpq_div_fmpz(o, o, z);
                    }
        break;
    }
    default:   /* flatten */
        fmpq_mat_set(out, X);
        break;
    }
    fmpq_clear(s);
    fmpq_clear(t);
    fmpq_clear(q);
    fmpz_clear(z);
}

/* Piecewise-linear activation of u in place; V's rows scaled by its
   derivative (at 0 the left one: any choice lies in the precise hull). */
static void
ref_act(fmpq_mat_t u, fmpq_mat_t V, const rj_act_struct *act)
{
    slong i, n;
    fmpq_t d;
    fmpq_init(d);
    for (i = 0; i < fmpq_mat_nrows(u); i++) {
        fmpq *e = fmpq_mat_entry(u, i, 0);
        if (act->kind == RJ_ACT_IDENTITY || fmpq_sgn(e) > 0)
            fmpq_one(d);
        else if (act->kind == RJ_ACT_RELU)
            fmpq_zero(d);
        else
            fmpq_set(d, act->slope);
        fmpq_mul(e, e, d);
        if (V != NULL)
            for (n = 0; n < fmpq_mat_ncols(V); n++)
                fmpq_mul(fmpq_mat_entry(V, i, n), fmpq_mat_entry(V, i, n), d);
    }
    fmpq_clear(d);
}

/* Max pool of u; V's rows become the rows of a first largest entry. */
static void
ref_maxpool(fmpq_mat_t u, fmpq_mat_t V, const rj_layer_struct *L)
{
    slong sh = L->sh > 0 ? L->sh : L->kh, sw = L->sw > 0 ? L->sw : L->kw;
    slong C = L->in.c, H = L->in.h, Wi = L->in.w, Ho = L->out.h, Wo = L->out.w, c, i, j, a, b, n;
    fmpq_mat_t v, W;
    fmpq_mat_init(v, C * Ho * Wo, 1);
    fmpq_mat_init(W, C * Ho * Wo, V != NULL ? fmpq_mat_ncols(V) : 0);
    for (c = 0; c < C; c++)
        for (i = 0; i < Ho; i++)
            for (j = 0; j < Wo; j++) {
                slong o = (c * Ho + i) * Wo + j, best = -1;
                for (a = 0; a < L->kh; a++)
                    for (b = 0; b < L->kw; b++) {
                        slong y = i * sh - L->ph + a * L->dh, x = j * sw - L->pw + b * L->dw;
                        slong r = (c * H + y) * Wi + x;
                        if (y < 0 || y >= H || x < 0 || x >= Wi)
                            continue;
                        if (best < 0 || fmpq_cmp(fmpq_mat_entry(u, r, 0),
                                                 fmpq_mat_entry(u, best, 0)) > 0)
                            best = r;
                    }
                fmpq_set(fmpq_mat_entry(v, o, 0), fmpq_mat_entry(u, best, 0));
                for (n = 0; V != NULL && n < fmpq_mat_ncols(V); n++)
                    fmpq_set(fmpq_mat_entry(W, o, n), fmpq_mat_entry(V, best, n));
            }
    mat_fresh(u, C * Ho * Wo, 1);
    fmpq_mat_set(u, v);
    if (V != NULL) {
        mat_fresh(V, fmpq_mat_nrows(W), fmpq_mat_ncols(W));
        fmpq_mat_set(V, W);
    }
    fmpq_mat_clear(v);
    fmpq_mat_clear(W);
}

/* The layers of s on u and (V not NULL) on V = du/dx V. */
static void
ref_seq(fmpq_mat_t u, fmpq_mat_t V, const rj_seq_t s)
{
    slong i;
    fmpq_mat_t t;
    fmpq_mat_init(t, 0, 0);
    for (i = 0; i < s->len; i++) {
        const rj_layer_struct *L = s->layers + i;
        if (L->kind == RJ_LAYER_ACT) {
            ref_act(u, V, L->act);
        } else if (L->kind == RJ_LAYER_MAXPOOL) {
            ref_maxpool(u, V, L);
        } else {
            ref_linear(t, L, u, 1);
            mat_fresh(u, fmpq_mat_nrows(t), 1);
            fmpq_mat_set(u, t);
            if (V != NULL) {
                ref_linear(t, L, V, 0);
                mat_fresh(V, fmpq_mat_nrows(t), fmpq_mat_ncols(t));
                fmpq_mat_set(V, t);
            }
        }
    }
    fmpq_mat_clear(t);
}

/* A general block of piecewise-linear layers in exact arithmetic: y, and
   S V, R V (the skip and branch parts of J V; V = identity gives S, R). */
static void
ref_block(fmpq_mat_t y, fmpq_mat_t SV, fmpq_mat_t RV, const rj_block_struct *b,
          const fmpq_mat_t x, const fmpq_mat_t V)
{
    fmpq_mat_t sx;
    fmpq_mat_init(sx, 0, 0);
    mat_fresh(y, fmpq_mat_nrows(x), 1);
    fmpq_mat_set(y, x);
    mat_fresh(RV, fmpq_mat_nrows(V), fmpq_mat_ncols(V));
    fmpq_mat_set(RV, V);
    if (b->place == RJ_PLACE_PRE)
        ref_act(y, RV, b->outer);
    ref_seq(y, RV, b->branch);
    mat_fresh(sx, fmpq_mat_nrows(x), 1);
    fmpq_mat_set(sx, x);
    mat_fresh(SV, fmpq_mat_nrows(V), fmpq_mat_ncols(V));
    fmpq_mat_set(SV, V);
    if (b->skip == RJ_SKIP_SCALED) {
        fmpq_mat_scalar_mul_fmpq(sx, sx, b->alpha);
        fmpq_mat_scalar_mul_fmpq(SV, SV, b->alpha);
    } else if (b->skip == RJ_SKIP_PROJECT) {
        ref_seq(sx, SV, b->proj);
    } else if (b->skip == RJ_SKIP_NONE) {
        mat_fresh(sx, fmpq_mat_nrows(y), 1);
        mat_fresh(SV, fmpq_mat_nrows(RV), fmpq_mat_ncols(RV));
    }
    fmpq_mat_add(y, y, sx);
    if (b->place == RJ_PLACE_POST) {
        fmpq_mat_t y2;
        fmpq_mat_init(y2, fmpq_mat_nrows(y), 1);
        fmpq_mat_set(y2, y);
        ref_act(y, RV, b->outer);
        ref_act(y2, SV, b->outer);
        fmpq_mat_clear(y2);
    }
    fmpq_mat_clear(sx);
}

/* A random layer for input shape `in` (validated by the model afterwards). */
static void
rand_layer(rj_layer_struct *L, flint_rand_t st, rj_shape in, slong den)
{
    slong k = n_randint(st, 9), c;
    rj_layer_kind kinds[9] = {RJ_LAYER_CONV2D, RJ_LAYER_CONV2D, RJ_LAYER_AFFINE,
                              RJ_LAYER_BATCHNORM, RJ_LAYER_AVGPOOL, RJ_LAYER_MAXPOOL,
                              RJ_LAYER_ACT, RJ_LAYER_DENSE, RJ_LAYER_GAP};
    rj_layer_init(L, kinds[k]);
    switch (L->kind) {
    case RJ_LAYER_CONV2D: {
        slong co;
        L->groups = (in.c % 2 == 0 && n_randint(st, 3) == 0) ? 2 : 1;
        co = L->groups * (1 + n_randint(st, 2));
        L->kh = 1 + n_randint(st, 3);
        L->kw = 1 + n_randint(st, 3);
        L->sh = 1 + n_randint(st, 2);
        L->sw = 1 + n_randint(st, 2);
        L->ph = n_randint(st, 2);
        L->pw = n_randint(st, 2);
        L->dh = 1 + n_randint(st, 2);
        L->dw = 1;
        mat_fresh(L->W, co, in.c / L->groups * L->kh * L->kw);
        rj_test_randmat(L->W, st, 8, den);
        if (n_randint(st, 2)) {
            mat_fresh(L->b, co, 1);
            rj_test_randmat(L->b, st, 8, den);
        }
        break;
    }
    case RJ_LAYER_AFFINE:
        mat_fresh(L->scale, in.c, 1);
        rj_test_randmat(L->scale, st, 8, den);
        mat_fresh(L->shift, in.c, 1);
        rj_test_randmat(L->shift, st, 8, den);
        break;
    case RJ_LAYER_BATCHNORM:
        /* var + eps = r^2, r in {1/2, 1, 3/2, 2}: a rational square root */
        fmpq_set_si(L->eps, 1, 16);
        mat_fresh(L->scale, in.c, 1);
        rj_test_randmat(L->scale, st, 8, den);
        mat_fresh(L->shift, in.c, 1);
        rj_test_randmat(L->shift, st, 8, den);
        mat_fresh(L->mean, in.c, 1);
        rj_test_randmat(L->mean, st, 8, den);
        mat_fresh(L->var, in.c, 1);
        for (c = 0; c < in.c; c++) {
            slong r = 1 + n_randint(st, 4);
            fmpq_set_si(fmpq_mat_entry(L->var, c, 0), 4 * r * r - 1, 16);  /* (r/2)^2 - 1/16 */
        }
        break;
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_MAXPOOL:
        L->kh = 1 + n_randint(st, 3);
        L->kw = 1 + n_randint(st, 3);
        L->sh = n_randint(st, 3);
        L->sw = n_randint(st, 3);
        L->ph = L->kh >= 2 ? n_randint(st, 2) : 0;
        L->pw = L->kw >= 2 ? n_randint(st, 2) : 0;
        if (L->kind == RJ_LAYER_MAXPOOL && L->ph == 0)
            L->dh = 1 + n_randint(st, 2);   /* (a dilated padded window can miss the input) */
        break;
    case RJ_LAYER_ACT:
        rj_act_set_kind(L->act, n_randint(st, 3) == 0 ? RJ_ACT_LEAKY_RELU : RJ_ACT_RELU);
        break;
    case RJ_LAYER_DENSE:
        mat_fresh(L->W, 1 + n_randint(st, 5), rj_shape_size(in));
        rj_test_randmat(L->W, st, 8, den);
        if (n_randint(st, 2)) {
            mat_fresh(L->b, fmpq_mat_nrows(L->W), 1);
            rj_test_randmat(L->b, st, 8, den);
        }
        break;
    default:
        break;
    }
}

/* A random valid general block of piecewise-linear layers on a small
   C x H x W input: 1 to 4 branch layers; identity, scaled or no skip when the
   branch keeps the shape, a projection (a 1x1 stride-1 conv, or a dense layer
   after a flatten when the branch ends in a vector) otherwise, or none;
   placement none, pre or post with relu/leaky_relu.  in0: the input shape,
   or NULL for a random one. */
static void
rand_general_block(rj_block_t blk, flint_rand_t st, const rj_shape *in0, slong den)
{
    rj_error_t err;
    rj_error_init(err);
    for (;;) {
        rj_shape in, cur;
        slong i, nl = 1 + n_randint(st, 4);
        int ok = 1;
        in.c = 1 + n_randint(st, 3);
        in.h = 2 + n_randint(st, 5);
        in.w = 2 + n_randint(st, 5);
        if (in0 != NULL)
            in = *in0;
        rj_block_clear(blk);
        rj_block_init_general(blk, in);
        cur = in;
        for (i = 0; i < nl && ok; i++) {
            rj_layer_struct L;
            char lab[8] = "t";
            rj_shape out;
            rand_layer(&L, st, cur, den);
            rj_seq_push(blk->branch, &L);
            rj_layer_clear(&L);
            ok = rj_seq_validate(blk->branch, in, &out, lab, "branch", err) == RJ_OK;
            cur = out;
        }
        if (!ok)
            continue;
        if (cur.c == in.c && cur.h == in.h && cur.w == in.w && n_randint(st, 4) != 0) {
            blk->skip = n_randint(st, 3) == 0 ? RJ_SKIP_SCALED : RJ_SKIP_IDENTITY;
            fmpq_set_si(blk->alpha, (slong) n_randint(st, 7) - 3, 2);
        } else if (cur.h == 1 && cur.w == 1 && n_randint(st, 3) != 0) {
            rj_layer_struct F, D;
            rj_layer_init(&F, RJ_LAYER_FLATTEN);
            rj_layer_init(&D, RJ_LAYER_DENSE);
            mat_fresh(D.W, cur.c, rj_shape_size(in));
            rj_test_randmat(D.W, st, 8, den);
            rj_seq_push(blk->proj, &F);
            rj_seq_push(blk->proj, &D);
            rj_layer_clear(&F);
            rj_layer_clear(&D);
            blk->skip = RJ_SKIP_PROJECT;
        } else if (cur.h == in.h && cur.w == in.w && n_randint(st, 2)) {
            rj_layer_struct K;
            rj_layer_init(&K, RJ_LAYER_CONV2D);
            K.kh = K.kw = 1;
            mat_fresh(K.W, cur.c, in.c);
            rj_test_randmat(K.W, st, 8, den);
            rj_seq_push(blk->proj, &K);
            rj_layer_clear(&K);
            blk->skip = RJ_SKIP_PROJECT;
        } else {
            blk->skip = RJ_SKIP_NONE;
        }
        blk->place = (rj_place_kind) n_randint(st, 3);
        rj_act_set_kind(blk->outer, n_randint(st, 3) == 0 ? RJ_ACT_LEAKY_RELU : RJ_ACT_RELU);
        if (rj_block_validate(blk, "G", err) == RJ_OK)
            break;
    }
}

static void
print_general_block(const rj_block_struct *b)
{
    slong i;
    char name[128];
    fprintf(stderr, "general block: skip %d place %d outer %d, branch:", (int) b->skip,
            (int) b->place, (int) b->outer->kind);
    for (i = 0; i < b->branch->len; i++) {
        rj_layer_name(name, sizeof(name), b->branch->layers + i);
        fprintf(stderr, " [%s]", name);
    }
    fprintf(stderr, "; projection:");
    for (i = 0; i < b->proj->len; i++) {
        rj_layer_name(name, sizeof(name), b->proj->layers + i);
        fprintf(stderr, " [%s]", name);
    }
    fprintf(stderr, "\n");
}

/* Every layer a general block takes, with rational (dyadic or not)
   parameters: the enclosures of y, S, R (rj_precise_block) and of y and
   J V (rj_precise_jvp) contain the exact values of the test's own direct
   loops (ref_block), and at 256 bits are narrower than at 64 bits. */
START_TEST(test_general_layers_exact)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(150);
    rj_test_randinit(st, seed + 21);
    for (iter = 0; iter < n; iter++) {
        slong den = n_randint(st, 2) ? 4 : 3, prec = 64, ni, N;
        rj_block_t blk;
        rj_net_t net;
        rj_error_t err;
        fmpq_mat_t x, V, I, y, S, R, SV, RV, JV;
        rj_imat_t xi, Vi, yi, Si, Ri, yj, JVi, R2;
        rj_ties_t ties;
        rj_block_init(blk);
        rj_error_init(err);
        rand_general_block(blk, st, NULL, den);
        ni = blk->n_in;
        N = 1 + n_randint(st, 3);
        fmpq_mat_init(x, ni, 1);
        fmpq_mat_init(V, ni, N);
        fmpq_mat_init(I, ni, ni);
        fmpq_mat_one(I);
        fmpq_mat_init(y, 0, 0);
        fmpq_mat_init(S, 0, 0);
        fmpq_mat_init(R, 0, 0);
        fmpq_mat_init(SV, 0, 0);
        fmpq_mat_init(RV, 0, 0);
        fmpq_mat_init(JV, 0, 0);
        rj_test_randmat(x, st, 16, den);
        rj_test_randmat(V, st, 16, den);
        rj_imat_init(xi, 0, 0, prec);
        rj_imat_init(Vi, 0, 0, prec);
        rj_imat_init(yi, 0, 0, prec);
        rj_imat_init(Si, 0, 0, prec);
        rj_imat_init(Ri, 0, 0, prec);
        rj_imat_init(yj, 0, 0, prec);
        rj_imat_init(JVi, 0, 0, prec);
        rj_imat_init(R2, 0, 0, prec);
        rj_ties_init(ties);
        rj_imat_set_fmpq_mat(xi, x, prec);
        rj_imat_set_fmpq_mat(Vi, V, prec);
        ref_block(y, S, R, blk, x, I);
        ref_block(y, SV, RV, blk, x, V);
        mat_fresh(JV, fmpq_mat_nrows(SV), N);
        fmpq_mat_add(JV, SV, RV);
        RJ_CHECK(rj_precise_block(yi, Si, Ri, ties, blk, 0, xi, prec, err) == RJ_OK, seed,
                 "case %ld: %s", iter, err->msg);
        if (!rj_imat_contains_fmpq_mat(yi, y) || !rj_imat_contains_fmpq_mat(Si, S)
            || !rj_imat_contains_fmpq_mat(Ri, R)) {
            print_general_block(blk);
            rj_test_print_mat("x", x);
            rj_test_print_mat("R", R);
            print_imat("R enclosure", Ri);
        }
        RJ_CHECK(rj_imat_contains_fmpq_mat(yi, y), seed, "case %ld: y", iter);
        RJ_CHECK(rj_imat_contains_fmpq_mat(Si, S), seed, "case %ld: S", iter);
        RJ_CHECK(rj_imat_contains_fmpq_mat(Ri, R), seed, "case %ld: R", iter);
        rj_net_init(net);
        rj_net_append(net, blk, "G");
        RJ_CHECK(rj_net_validate(net, err) == RJ_OK, seed, "net: %s", err->msg);
        RJ_CHECK(rj_precise_jvp(yj, JVi, NULL, net, xi, Vi, prec, err) == RJ_OK, seed,
                 "case %ld: jvp %s", iter, err->msg);
        RJ_CHECK(rj_imat_contains_fmpq_mat(yj, y) && rj_imat_contains_fmpq_mat(JVi, JV), seed,
                 "case %ld: jvp encloses y and J V", iter);
        /* the network passes: the Jacobian holds S + R */
        fmpq_mat_add(S, S, R);
        RJ_CHECK(rj_precise_jacobian_fmpq(R2, NULL, net, x, prec, err) == RJ_OK
                 && rj_imat_contains_fmpq_mat(R2, S), seed, "case %ld: Jacobian %s", iter,
                 err->msg);
        /* at 256 bits: narrower by 2^150 unless exact at 64 (a possible tie
           keeps its hull: skip those) */
        if (ties->len == 0) {
            rj_imat_set_fmpq_mat(xi, x, 256);
            RJ_CHECK(rj_precise_block(NULL, NULL, R2, NULL, blk, 0, xi, 256, err) == RJ_OK,
                     seed, "case %ld: %s", iter, err->msg);
            RJ_CHECK(rj_imat_overlaps(R2, Ri) && (rad_max_d(Ri) == 0.0
                     || rad_max_d(R2) < ldexp(rad_max_d(Ri), -150)), seed,
                     "case %ld: R at 256 bits %g, at 64 bits %g", iter, rad_max_d(R2),
                     rad_max_d(Ri));
        }
        rj_net_clear(net);
        rj_ties_clear(ties);
        fmpq_mat_clear(x);
        fmpq_mat_clear(V);
        fmpq_mat_clear(I);
        fmpq_mat_clear(y);
        fmpq_mat_clear(S);
        fmpq_mat_clear(R);
        fmpq_mat_clear(SV);
        fmpq_mat_clear(RV);
        fmpq_mat_clear(JV);
        rj_imat_clear(xi);
        rj_imat_clear(Vi);
        rj_imat_clear(yi);
        rj_imat_clear(Si);
        rj_imat_clear(Ri);
        rj_imat_clear(yj);
        rj_imat_clear(JVi);
        rj_imat_clear(R2);
        rj_block_clear(blk);
    }
    flint_randclear(st);
}
END_TEST

/* Networks of 2 or 3 random general blocks, each taking the shape the one
   before gives: the network passes (rj_precise_forward_fmpq,
   rj_precise_jacobian_fmpq, rj_precise_parts_fmpq with
   rj_precise_expand_direct, rj_precise_jvp) contain the exact chain of the
   test's blocks (h_l+1 = block(h_l), J V = (S_l + R_l) ... V). */
START_TEST(test_general_network)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(40);
    rj_test_randinit(st, seed + 37);
    for (iter = 0; iter < n; iter++) {
        slong L = 2 + n_randint(st, 2), l, prec = 64 + n_randint(st, 64), den = 3 + n_randint(st, 2);
        rj_net_t net;
        rj_block_t blk;
        rj_error_t err;
        fmpq_mat_t x, h, D, I, SV, RV, y, V0;
        rj_imat_t xi, Vi, yi, Ji, JVi, P;
        rj_precise_parts_t parts;
        rj_shape sh;
        rj_net_init(net);
        rj_block_init(blk);
        rj_error_init(err);
        for (l = 0; l < L; l++) {
            rand_general_block(blk, st, l == 0 ? NULL : &sh, den);
            sh = blk->out;
            rj_net_append(net, blk, NULL);
        }
        RJ_CHECK(rj_net_validate(net, err) == RJ_OK, seed, "%s", err->msg);
        fmpq_mat_init(x, net->blocks[0].n_in, 1);
        rj_test_randmat(x, st, 16, den);
        fmpq_mat_init(h, 0, 0);
        fmpq_mat_init(D, 0, 0);
        fmpq_mat_init(I, fmpq_mat_nrows(x), fmpq_mat_nrows(x));
        fmpq_mat_one(I);
        fmpq_mat_init(SV, 0, 0);
        fmpq_mat_init(RV, 0, 0);
        fmpq_mat_init(y, 0, 0);
        fmpq_mat_init(V0, fmpq_mat_nrows(x), 2);
        rj_test_randmat(V0, st, 8, den);
        /* the exact chain with V = I: h and the Jacobian D */
        mat_fresh(h, fmpq_mat_nrows(x), 1);
        fmpq_mat_set(h, x);
        mat_fresh(D, fmpq_mat_nrows(I), fmpq_mat_ncols(I));
        fmpq_mat_set(D, I);
        for (l = 0; l < L; l++) {
            ref_block(y, SV, RV, net->blocks + l, h, D);
            mat_fresh(D, fmpq_mat_nrows(SV), fmpq_mat_ncols(SV));
            fmpq_mat_add(D, SV, RV);
            mat_fresh(h, fmpq_mat_nrows(y), 1);
            fmpq_mat_set(h, y);
        }
        rj_imat_init(xi, 0, 0, prec);
        rj_imat_init(Vi, 0, 0, prec);
        rj_imat_init(yi, 0, 0, prec);
        rj_imat_init(Ji, 0, 0, prec);
        rj_imat_init(JVi, 0, 0, prec);
        rj_imat_init(P, 0, 0, prec);
        rj_precise_parts_init(parts);
        rj_imat_set_fmpq_mat(xi, x, prec);
        rj_imat_set_fmpq_mat(Vi, V0, prec);
        RJ_CHECK(rj_precise_forward_fmpq(yi, net, x, prec, err) == RJ_OK
                 && rj_imat_contains_fmpq_mat(yi, h), seed, "case %ld: forward %s", iter,
                 err->msg);
        RJ_CHECK(rj_precise_jacobian_fmpq(Ji, NULL, net, x, prec, err) == RJ_OK
                 && rj_imat_contains_fmpq_mat(Ji, D), seed, "case %ld: Jacobian %s", iter,
                 err->msg);
        RJ_CHECK(rj_precise_parts_fmpq(parts, net, x, prec, err) == RJ_OK
                 && rj_precise_expand_direct(P, parts, prec, err) == RJ_OK
                 && rj_imat_contains_fmpq_mat(P, D)
                 && rj_imat_contains_fmpq_mat(parts->h + L, h), seed,
                 "case %ld: parts %s", iter, err->msg);
        RJ_CHECK(rj_precise_jvp(yi, JVi, NULL, net, xi, Vi, prec, err) == RJ_OK, seed,
                 "case %ld: jvp %s", iter, err->msg);
        mat_fresh(SV, fmpq_mat_nrows(D), 2);
        fmpq_mat_mul(SV, D, V0);
        RJ_CHECK(rj_imat_contains_fmpq_mat(yi, h) && rj_imat_contains_fmpq_mat(JVi, SV), seed,
                 "case %ld: jvp holds the exact J V", iter);
        rj_precise_parts_clear(parts);
        rj_imat_clear(xi);
        rj_imat_clear(Vi);
        rj_imat_clear(yi);
        rj_imat_clear(Ji);
        rj_imat_clear(JVi);
        rj_imat_clear(P);
        fmpq_mat_clear(x);
        fmpq_mat_clear(h);
        fmpq_mat_clear(D);
        fmpq_mat_clear(I);
        fmpq_mat_clear(SV);
        fmpq_mat_clear(RV);
        fmpq_mat_clear(y);
        fmpq_mat_clear(V0);
        rj_block_clear(blk);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* Append dense(W, bias) to s (copies; bias may be 0x0). */
static void
push_dense(rj_seq_t s, const fmpq_mat_t W, const fmpq_mat_t bias)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_DENSE);
    mat_fresh(L.W, fmpq_mat_nrows(W), fmpq_mat_ncols(W));
    fmpq_mat_set(L.W, W);
    mat_fresh(L.b, fmpq_mat_nrows(bias), fmpq_mat_ncols(bias));
    fmpq_mat_set(L.b, bias);
    rj_seq_push(s, &L);
    rj_layer_clear(&L);
}

/* The general form of a shorthand block: dense(W1, b1), act, dense(W2, b2)
   (or dense(W1, b1)), the projection dense(Ws). */
static void
general_from_shorthand(rj_block_t g, const rj_block_struct *b)
{
    rj_shape in;
    in.c = b->n_in;
    in.h = in.w = 1;
    rj_block_clear(g);
    rj_block_init_general(g, in);
    push_dense(g->branch, b->W1, b->b1);
    if (b->two_layer) {
        rj_layer_struct L;
        rj_layer_init(&L, RJ_LAYER_ACT);
        rj_act_set(L.act, b->act);
        rj_seq_push(g->branch, &L);
        rj_layer_clear(&L);
        push_dense(g->branch, b->W2, b->b2);
    }
    if (b->skip == RJ_SKIP_PROJECT) {
        fmpq_mat_t none;
        fmpq_mat_init(none, 0, 0);
        push_dense(g->proj, b->Ws, none);
        fmpq_mat_clear(none);
    }
    g->skip = b->skip;
    fmpq_set(g->alpha, b->alpha);
    g->place = b->place;
    rj_act_set(g->outer, b->outer);
}

/* 1 if every pair of entries overlaps and the largest radii are within a
   factor 4 of each other (or both below tiny). */
static int
imat_same_enclosure(const rj_imat_t A, const rj_imat_t B, double tiny)
{
    double a = rad_max_d(A), b = rad_max_d(B);
    if (A->r != B->r || A->c != B->c || !rj_imat_overlaps(A, B))
        return 0;
    return (a <= tiny && b <= tiny) || (a <= 4 * b + tiny && b <= 4 * a + tiny);
}

/* The general block (dense, act, dense) gives the shorthand block's
   enclosures of y, S and R (overlapping, radii within a factor 4) and the
   same possible ties (block, where, layer, unit), for every activation
   (relu to elu) inside and piecewise-linear or smooth ones outside, at a
   random precision. */
START_TEST(test_general_vs_shorthand)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(200);
    rj_test_randinit(st, seed + 23);
    for (iter = 0; iter < n; iter++) {
        slong ni = 1 + n_randint(st, 4), h = n_randint(st, 2) ? 1 + n_randint(st, 4) : 0;
        slong no = n_randint(st, 3) ? ni : (slong) (1 + n_randint(st, 4));
        slong prec = 32 + n_randint(st, 200);
        int skip = no == ni ? (int) n_randint(st, 4) : RJ_SKIP_PROJECT;
        int act = n_randint(st, RJ_ACT_ELU + 1), outer = n_randint(st, RJ_ACT_ELU + 1), k;
        rj_block_t b, g;
        rj_error_t err;
        fmpq_mat_t x;
        rj_imat_t xi, y1, S1, R1, y2, S2, R2;
        rj_ties_t t1, t2;
        double tiny;
        rj_block_init(b);
        rj_block_init(g);
        rj_error_init(err);
        rj_test_randblock(b, st, ni, h, no, skip, n_randint(st, 3), act, outer,
                          n_randint(st, 2), 6, n_randint(st, 2) ? 4 : 3);
        rj_act_set_kind(b->act, b->act->kind);       /* softplus, elu: parameter 1 */
        rj_act_set_kind(b->outer, b->outer->kind);
        RJ_CHECK(rj_block_validate(b, "B", err) == RJ_OK, seed, "shorthand: %s", err->msg);
        general_from_shorthand(g, b);
        RJ_CHECK(rj_block_validate(g, "G", err) == RJ_OK, seed, "general: %s", err->msg);
        fmpq_mat_init(x, ni, 1);
        rj_test_randmat(x, st, 12, 4);
        if (n_randint(st, 3) == 0)
            fmpq_zero(fmpq_mat_entry(x, 0, 0));     /* a tie of a pre activation */
        rj_imat_init(xi, 0, 0, prec);
        rj_imat_set_fmpq_mat(xi, x, prec);
        rj_imat_init(y1, 0, 0, prec);
        rj_imat_init(S1, 0, 0, prec);
        rj_imat_init(R1, 0, 0, prec);
        rj_imat_init(y2, 0, 0, prec);
        rj_imat_init(S2, 0, 0, prec);
        rj_imat_init(R2, 0, 0, prec);
        rj_ties_init(t1);
        rj_ties_init(t2);
        RJ_CHECK(rj_precise_block(y1, S1, R1, t1, b, 3, xi, prec, err) == RJ_OK, seed,
                 "shorthand: %s", err->msg);
        RJ_CHECK(rj_precise_block(y2, S2, R2, t2, g, 3, xi, prec, err) == RJ_OK, seed,
                 "general: %s", err->msg);
        tiny = ldexp(1.0, -(int) prec + 24);
        RJ_CHECK(imat_same_enclosure(y1, y2, tiny) && imat_same_enclosure(S1, S2, tiny)
                 && imat_same_enclosure(R1, R2, tiny), seed,
                 "case %ld (act %d, outer %d, skip %d, place %d): radii y %g/%g S %g/%g R %g/%g",
                 iter, act, outer, skip, (int) b->place, rad_max_d(y1), rad_max_d(y2),
                 rad_max_d(S1), rad_max_d(S2), rad_max_d(R1), rad_max_d(R2));
        RJ_CHECK(t1->len == t2->len, seed, "case %ld: %ld and %ld ties", iter, (long) t1->len,
                 (long) t2->len);
        for (k = 0; k < t1->len; k++)
            RJ_CHECK(t1->ties[k].block == t2->ties[k].block
                     && t1->ties[k].where == t2->ties[k].where
                     && t1->ties[k].layer == t2->ties[k].layer
                     && t1->ties[k].unit == t2->ties[k].unit, seed, "case %ld: tie %d", iter, k);
        rj_ties_clear(t1);
        rj_ties_clear(t2);
        rj_imat_clear(xi);
        rj_imat_clear(y1);
        rj_imat_clear(S1);
        rj_imat_clear(R1);
        rj_imat_clear(y2);
        rj_imat_clear(S2);
        rj_imat_clear(R2);
        fmpq_mat_clear(x);
        rj_block_clear(b);
        rj_block_clear(g);
    }
    {
        /* softplus needs beta > 0: refused with a message, not computed */
        rj_block_t b;
        rj_error_t err;
        rj_imat_t x, y;
        rj_block_init(b);
        rj_error_init(err);
        rj_test_randblock(b, st, 2, 2, 2, RJ_SKIP_IDENTITY, RJ_PLACE_NONE, RJ_ACT_SOFTPLUS,
                          RJ_ACT_RELU, 0, 4, 4);
        fmpq_zero(b->act->param);
        RJ_CHECK(rj_block_validate(b, "B", err) == RJ_OK, seed, "%s", err->msg);
        rj_imat_init(x, 2, 1, 64);
        rj_imat_init(y, 0, 0, 64);
        RJ_CHECK(rj_precise_block(y, NULL, NULL, NULL, b, 0, x, 64, err) == RJ_ERR_INPUT
                 && strstr(err->msg, "softplus") != NULL, seed, "beta = 0: %s", err->msg);
        rj_imat_clear(x);
        rj_imat_clear(y);
        rj_block_clear(b);
    }
    flint_randclear(st);
}
END_TEST

/* A max pool window whose two largest entries are equal and a relu at 0:
   both are possible ties reported with their branch layer (0: the relu,
   1: the max pool) in the model's order, and the Jacobian row is the hull of
   the choices (0 outside the tied entries, [0, 1] holding 0 and 1 on them). */
START_TEST(test_general_maxpool_tie)
{
    rj_shape in = {1, 2, 2};
    rj_layer_struct L;
    rj_block_t b;
    rj_error_t err;
    rj_ties_t t;
    fmpq_mat_t x, z, o;
    rj_imat_t xi, y, R;
    slong j;
    rj_block_init_general(b, in);
    rj_layer_init(&L, RJ_LAYER_ACT);
    rj_act_set_kind(L.act, RJ_ACT_RELU);
    rj_seq_push(b->branch, &L);
    rj_layer_clear(&L);
    rj_layer_init(&L, RJ_LAYER_MAXPOOL);
    L.kh = L.kw = 2;
    rj_seq_push(b->branch, &L);
    rj_layer_clear(&L);
    b->skip = RJ_SKIP_NONE;
    rj_error_init(err);
    RJ_CHECK(rj_block_validate(b, "T", err) == RJ_OK, seed, "%s", err->msg);
    fmpq_mat_init(x, 4, 1);
    fmpq_set_si(fmpq_mat_entry(x, 1, 0), 1, 1);
    fmpq_set_si(fmpq_mat_entry(x, 2, 0), 1, 1);
    fmpq_set_si(fmpq_mat_entry(x, 3, 0), -1, 1);
    rj_imat_init(xi, 0, 0, 64);
    rj_imat_init(y, 0, 0, 64);
    rj_imat_init(R, 0, 0, 64);
    rj_imat_set_fmpq_mat(xi, x, 64);
    rj_ties_init(t);
    RJ_CHECK(rj_precise_block(y, NULL, R, t, b, 2, xi, 64, err) == RJ_OK, seed, "%s", err->msg);
    RJ_CHECK(t->len == 2 && t->ties[0].block == 2 && t->ties[0].where == 0
             && t->ties[0].layer == 0 && t->ties[0].unit == 0 && t->ties[1].layer == 1
             && t->ties[1].unit == 0, seed, "ties: %ld", (long) t->len);
    fmpq_mat_init(z, 1, 4);
    fmpq_mat_init(o, 1, 4);
    fmpq_set_si(fmpq_mat_entry(o, 0, 1), 1, 1);
    RJ_CHECK(rj_imat_contains_fmpq_mat(R, z) && rj_imat_contains_fmpq_mat(R, o), seed,
             "the row holds both choices");
    for (j = 0; j < 4; j += 3)
        RJ_CHECK(mpfr_zero_p(rj_imat_mid(R, 0, j)) && mpfr_zero_p(rj_imat_rad(R, 0, j)), seed,
                 "entry %ld is exactly 0", (long) j);
    fmpq_mat_clear(z);
    fmpq_mat_clear(o);
    fmpq_mat_clear(x);
    rj_imat_clear(xi);
    rj_imat_clear(y);
    rj_imat_clear(R);
    rj_ties_clear(t);
    rj_block_clear(b);
}
END_TEST

/* The test's own evaluation at hp bits (round to nearest) of a branch of
   dense, layernorm and smooth activation layers on a vector: u <- F(u). */
static void
ref_branch_mpfr(mpfr_t *u, slong n, const rj_seq_t s, slong hp)
{
    slong i, j, k, m;
    mpfr_t *v, a, sd;
    mpfr_inits2(hp, a, sd, (mpfr_ptr) 0);
    for (k = 0; k < s->len; k++) {
        const rj_layer_struct *L = s->layers + k;
        if (L->kind == RJ_LAYER_DENSE) {
            m = fmpq_mat_nrows(L->W);
            v = flint_malloc(m * sizeof(mpfr_t));
            for (i = 0; i < m; i++) {
                mpfr_init2(v[i], hp);
                if (fmpq_mat_nrows(L->b) > 0)
                    fmpq_get_mpfr(v[i], fmpq_mat_entry(L->b, i, 0), MPFR_RNDN);
                else
                    mpfr_set_zero(v[i], 1);
                for (j = 0; j < n; j++) {
                    fmpq_get_mpfr(a, fmpq_mat_entry(L->W, i, j), MPFR_RNDN);
                    mpfr_fma(v[i], a, u[j], v[i], MPFR_RNDN);
                }
            }
            for (i = 0; i < n; i++)
                mpfr_clear(u[i]);
            for (i = 0; i < m; i++) {
                mpfr_init2(u[i], hp);
                mpfr_set(u[i], v[i], MPFR_RNDN);
                mpfr_clear(v[i]);
            }
            flint_free(v);
            n = m;
        } else if (L->kind == RJ_LAYER_LAYERNORM) {
            /* two passes: the mean, then the variance */
            mpfr_set_zero(a, 1);
            for (i = 0; i < n; i++)
                mpfr_add(a, a, u[i], MPFR_RNDN);
            mpfr_div_si(a, a, n, MPFR_RNDN);
            mpfr_set_zero(sd, 1);
            for (i = 0; i < n; i++) {
                mpfr_sub(u[i], u[i], a, MPFR_RNDN);
                mpfr_fma(sd, u[i], u[i], sd, MPFR_RNDN);
            }
            mpfr_div_si(sd, sd, n, MPFR_RNDN);
            fmpq_get_mpfr(a, L->eps, MPFR_RNDN);
            mpfr_add(sd, sd, a, MPFR_RNDN);
            mpfr_sqrt(sd, sd, MPFR_RNDN);
            for (i = 0; i < n; i++) {
                mpfr_div(u[i], u[i], sd, MPFR_RNDN);
                if (fmpq_mat_nrows(L->scale) > 0) {
                    fmpq_get_mpfr(a, fmpq_mat_entry(L->scale, i, 0), MPFR_RNDN);
                    mpfr_mul(u[i], u[i], a, MPFR_RNDN);
                }
                if (fmpq_mat_nrows(L->shift) > 0) {
                    fmpq_get_mpfr(a, fmpq_mat_entry(L->shift, i, 0), MPFR_RNDN);
                    mpfr_add(u[i], u[i], a, MPFR_RNDN);
                }
            }
        } else {
            for (i = 0; i < n; i++) {
                mpfr_set(a, u[i], MPFR_RNDN);
                smooth_ref(u[i], a, L->act, 0);
            }
        }
    }
    mpfr_clears(a, sd, (mpfr_ptr) 0);
}

/* A branch with a layer norm and a smooth activation (dense, layernorm,
   gelu/gelu_tanh/silu/softplus/elu, dense, no skip): y contains the test's
   own evaluation at 4 prec bits, R contains its central differences (step
   2^-(hp/3), error far below the enclosure's width: checked within
   2^-(2hp/3 - 40)), and 256 bits give enclosures narrower than 64 bits
   (unless exact at 64: a zero row of the last dense layer). */
START_TEST(test_general_layernorm_smooth)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(30);
    rj_test_randinit(st, seed + 29);
    for (iter = 0; iter < n; iter++) {
        slong ni = 2 + n_randint(st, 4), hdn = 2 + n_randint(st, 4), prec = 64, hp = 4 * prec;
        slong i, j, no = 1 + n_randint(st, 3);
        rj_shape in;
        rj_layer_struct L;
        rj_block_t b;
        rj_act_t act;
        rj_error_t err;
        fmpq_mat_t x;
        rj_imat_t xi, y, R, y2, R2;
        mpfr_t *u, *up, *um, h, d, tol;
        rj_act_init(act);
        smooth_act_pick(act, st);
        in.c = ni;
        in.h = in.w = 1;
        rj_block_init_general(b, in);
        rj_layer_init(&L, RJ_LAYER_DENSE);
        mat_fresh(L.W, hdn, ni);
        rj_test_randmat(L.W, st, 8, 3);
        rj_seq_push(b->branch, &L);
        rj_layer_clear(&L);
        rj_layer_init(&L, RJ_LAYER_LAYERNORM);
        if (n_randint(st, 2)) {
            mat_fresh(L.scale, hdn, 1);
            rj_test_randmat(L.scale, st, 8, 3);
            mat_fresh(L.shift, hdn, 1);
            rj_test_randmat(L.shift, st, 8, 3);
        }
        rj_seq_push(b->branch, &L);
        rj_layer_clear(&L);
        rj_layer_init(&L, RJ_LAYER_ACT);
        rj_act_set(L.act, act);
        rj_seq_push(b->branch, &L);
        rj_layer_clear(&L);
        rj_layer_init(&L, RJ_LAYER_DENSE);
        mat_fresh(L.W, no, hdn);
        rj_test_randmat(L.W, st, 8, 3);
        rj_seq_push(b->branch, &L);
        rj_layer_clear(&L);
        b->skip = RJ_SKIP_NONE;
        rj_error_init(err);
        RJ_CHECK(rj_block_validate(b, "N", err) == RJ_OK, seed, "%s", err->msg);
        fmpq_mat_init(x, ni, 1);
        rj_test_randmat(x, st, 16, 5);
        rj_imat_init(xi, 0, 0, prec);
        rj_imat_init(y, 0, 0, prec);
        rj_imat_init(R, 0, 0, prec);
        rj_imat_init(y2, 0, 0, 256);
        rj_imat_init(R2, 0, 0, 256);
        rj_imat_set_fmpq_mat(xi, x, prec);
        RJ_CHECK(rj_precise_block(y, NULL, R, NULL, b, 0, xi, prec, err) == RJ_OK, seed, "%s",
                 err->msg);
        u = flint_malloc(FLINT_MAX(FLINT_MAX(ni, hdn), no) * sizeof(mpfr_t));
        up = flint_malloc(FLINT_MAX(FLINT_MAX(ni, hdn), no) * sizeof(mpfr_t));
        um = flint_malloc(FLINT_MAX(FLINT_MAX(ni, hdn), no) * sizeof(mpfr_t));
        mpfr_inits2(hp, h, d, tol, (mpfr_ptr) 0);
        for (i = 0; i < ni; i++) {
            mpfr_init2(u[i], hp);
            fmpq_get_mpfr(u[i], fmpq_mat_entry(x, i, 0), MPFR_RNDN);
        }
        ref_branch_mpfr(u, ni, b->branch, hp);
        for (i = 0; i < no; i++) {
            rj_itv_t e;
            rj_itv_init(e, prec);
            rj_imat_get_itv(e, y, i, 0);
            RJ_CHECK(itv_holds_ref(e, u[i]), seed, "case %ld: y[%ld] (act %d)", iter, i,
                     (int) act->kind);
            rj_itv_clear(e);
        }
        mpfr_set_ui_2exp(h, 1, -hp / 3, MPFR_RNDN);
        mpfr_set_ui_2exp(tol, 1, -(2 * hp) / 3 + 40, MPFR_RNDN);
        for (j = 0; j < ni; j++) {
            for (i = 0; i < ni; i++) {
                mpfr_init2(up[i], hp);
                mpfr_init2(um[i], hp);
                fmpq_get_mpfr(up[i], fmpq_mat_entry(x, i, 0), MPFR_RNDN);
                fmpq_get_mpfr(um[i], fmpq_mat_entry(x, i, 0), MPFR_RNDN);
            }
            mpfr_add(up[j], up[j], h, MPFR_RNDN);
            mpfr_sub(um[j], um[j], h, MPFR_RNDN);
            ref_branch_mpfr(up, ni, b->branch, hp);
            ref_branch_mpfr(um, ni, b->branch, hp);
            for (i = 0; i < no; i++) {
                mpfr_t lo, hi;
                mpfr_inits2(hp, lo, hi, (mpfr_ptr) 0);
                mpfr_sub(d, up[i], um[i], MPFR_RNDN);
                mpfr_div(d, d, h, MPFR_RNDN);
                mpfr_div_2ui(d, d, 1, MPFR_RNDN);
                mpfr_sub(lo, rj_imat_mid(R, i, j), rj_imat_rad(R, i, j), MPFR_RNDD);
                mpfr_sub(lo, lo, tol, MPFR_RNDD);
                mpfr_add(hi, rj_imat_mid(R, i, j), rj_imat_rad(R, i, j), MPFR_RNDU);
                mpfr_add(hi, hi, tol, MPFR_RNDU);
                RJ_CHECK(mpfr_lessequal_p(lo, d) && mpfr_lessequal_p(d, hi), seed,
                         "case %ld: R[%ld][%ld] (act %d) holds the central difference",
                         iter, i, j, (int) act->kind);
                mpfr_clears(lo, hi, (mpfr_ptr) 0);
            }
            for (i = 0; i < no; i++) {
                mpfr_clear(up[i]);
                mpfr_clear(um[i]);
            }
        }
        /* two precisions: overlapping, the higher far narrower */
        rj_imat_set_fmpq_mat(xi, x, 256);
        RJ_CHECK(rj_precise_block(y2, NULL, R2, NULL, b, 0, xi, 256, err) == RJ_OK, seed, "%s",
                 err->msg);
        RJ_CHECK(rj_imat_overlaps(y, y2) && rj_imat_overlaps(R, R2)
                 && (rad_max_d(y) == 0.0 || rad_max_d(y2) < ldexp(rad_max_d(y), -150))
                 && (rad_max_d(R) == 0.0 || rad_max_d(R2) < ldexp(rad_max_d(R), -150)), seed,
                 "case %ld: 256 bits (%g, %g) vs 64 bits (%g, %g)", iter, rad_max_d(y2),
                 rad_max_d(R2), rad_max_d(y), rad_max_d(R));
        for (i = 0; i < no; i++)
            mpfr_clear(u[i]);
        flint_free(u);
        flint_free(up);
        flint_free(um);
        mpfr_clears(h, d, tol, (mpfr_ptr) 0);
        rj_imat_clear(xi);
        rj_imat_clear(y);
        rj_imat_clear(R);
        rj_imat_clear(y2);
        rj_imat_clear(R2);
        fmpq_mat_clear(x);
        rj_block_clear(b);
        rj_act_clear(act);
    }
    flint_randclear(st);
}
END_TEST

/* batchnorm whose var + eps is not the square of a rational (var = k/7,
   eps = 1/100000): 1/sqrt(var + eps) leaves the rationals, so the exact layer
   refuses it and only the precise layer computes it.  Its enclosures of y and
   of the branch part R (diagonal, gamma / sqrt(var + eps) per channel) hold
   the test's own evaluation of the definition at 1024 bits, straight from
   the formula, and at 256 bits are narrower than at 64 bits by 2^150. */
START_TEST(test_batchnorm_irrational)
{
    flint_rand_t st;
    slong iter;
    rj_test_randinit(st, seed + 43);
    for (iter = 0; iter < rj_test_iters(40); iter++) {
        slong C = 1 + n_randint(st, 3), H = 1 + n_randint(st, 3), n = C * H * H, c, i, j;
        rj_shape in = {C, H, H};
        rj_layer_struct L;
        rj_block_t b;
        rj_error_t err;
        fmpq_mat_t x;
        rj_imat_t xi, y, R, y2, R2;
        mpfr_t ref, s, t;
        rj_block_init_general(b, in);
        rj_layer_init(&L, RJ_LAYER_BATCHNORM);
        fmpq_set_si(L.eps, 1, 100000);
        mat_fresh(L.scale, C, 1);
        mat_fresh(L.shift, C, 1);
        mat_fresh(L.mean, C, 1);
        mat_fresh(L.var, C, 1);
        rj_test_randmat(L.scale, st, 8, 3);
        rj_test_randmat(L.shift, st, 8, 3);
        for (c = 0; c < C; c++) {   /* gamma != 0; mean = (3k + 1)/3 is never an x = p/5 */
            if (fmpq_is_zero(fmpq_mat_entry(L.scale, c, 0)))
                fmpq_one(fmpq_mat_entry(L.scale, c, 0));
            fmpq_set_si(fmpq_mat_entry(L.mean, c, 0), 3 * ((slong) n_randint(st, 5) - 2) + 1, 3);
            fmpq_set_si(fmpq_mat_entry(L.var, c, 0), 1 + n_randint(st, 20), 7);
        }
        rj_seq_push(b->branch, &L);
        rj_layer_clear(&L);
        b->skip = RJ_SKIP_NONE;
        rj_error_init(err);
        RJ_CHECK(rj_block_validate(b, "BN", err) == RJ_OK, seed, "%s", err->msg);
        fmpq_mat_init(x, n, 1);
        rj_test_randmat(x, st, 16, 5);
        rj_imat_init(xi, 0, 0, 64);
        rj_imat_init(y, 0, 0, 64);
        rj_imat_init(R, 0, 0, 64);
        rj_imat_init(y2, 0, 0, 256);
        rj_imat_init(R2, 0, 0, 256);
        rj_imat_set_fmpq_mat(xi, x, 64);
        RJ_CHECK(rj_precise_block(y, NULL, R, NULL, b, 0, xi, 64, err) == RJ_OK, seed, "%s",
                 err->msg);
        rj_imat_set_fmpq_mat(xi, x, 256);
        RJ_CHECK(rj_precise_block(y2, NULL, R2, NULL, b, 0, xi, 256, err) == RJ_OK, seed, "%s",
                 err->msg);
        mpfr_inits2(1024, ref, s, t, (mpfr_ptr) 0);
        for (i = 0; i < n; i++) {
            const rj_layer_struct *B = b->branch->layers;
            rj_itv_t e;
            c = i / (H * H);
            /* s = gamma / sqrt(var + eps) */
            fmpq_get_mpfr(s, fmpq_mat_entry(B->var, c, 0), MPFR_RNDN);
            fmpq_get_mpfr(t, B->eps, MPFR_RNDN);
            mpfr_add(s, s, t, MPFR_RNDN);
            mpfr_rec_sqrt(s, s, MPFR_RNDN);
            fmpq_get_mpfr(t, fmpq_mat_entry(B->scale, c, 0), MPFR_RNDN);
            mpfr_mul(s, s, t, MPFR_RNDN);
            /* ref = (x - mean) s + beta */
            fmpq_get_mpfr(ref, fmpq_mat_entry(x, i, 0), MPFR_RNDN);
            fmpq_get_mpfr(t, fmpq_mat_entry(B->mean, c, 0), MPFR_RNDN);
            mpfr_sub(ref, ref, t, MPFR_RNDN);
            mpfr_mul(ref, ref, s, MPFR_RNDN);
            fmpq_get_mpfr(t, fmpq_mat_entry(B->shift, c, 0), MPFR_RNDN);
            mpfr_add(ref, ref, t, MPFR_RNDN);
            for (j = 0; j < 2; j++) {
                rj_itv_init(e, j ? 256 : 64);
                rj_imat_get_itv(e, j ? y2 : y, i, 0);
                RJ_CHECK(itv_holds_ref(e, ref), seed, "case %ld: y[%ld] at %d bits", iter, i,
                         j ? 256 : 64);
                rj_imat_get_itv(e, j ? R2 : R, i, i);
                RJ_CHECK(itv_holds_ref(e, s), seed, "case %ld: R[%ld][%ld] at %d bits", iter, i,
                         i, j ? 256 : 64);
                rj_itv_clear(e);
            }
        }
        RJ_CHECK(rad_max_d(y) > 0 && rad_max_d(R) > 0
                 && rad_max_d(y2) < ldexp(rad_max_d(y), -150)
                 && rad_max_d(R2) < ldexp(rad_max_d(R), -150), seed,
                 "case %ld: 256 bits (%g, %g) vs 64 bits (%g, %g)", iter, rad_max_d(y2),
                 rad_max_d(R2), rad_max_d(y), rad_max_d(R));
        mpfr_clears(ref, s, t, (mpfr_ptr) 0);
        rj_imat_clear(xi);
        rj_imat_clear(y);
        rj_imat_clear(R);
        rj_imat_clear(y2);
        rj_imat_clear(R2);
        fmpq_mat_clear(x);
        rj_block_clear(b);
    }
    flint_randclear(st);
}
END_TEST

/* A CIFAR-size basic block, conv 3x3 (16 -> 16, padding 1) - batchnorm - relu -
   conv - batchnorm + identity on 16 x 32 x 32: the forward pass and one
   Jacobian-vector product (rj_precise_jvp, vectors only) complete within the
   memory limit and contain the exact values of the test's direct loops; the
   full Jacobian (16384 x 16384) is refused before any work with
   RJ_ERR_LIMIT, the message giving the estimate in GB. */
static void
cifar_layer_conv(rj_layer_struct *L, flint_rand_t st, slong c)
{
    rj_layer_init(L, RJ_LAYER_CONV2D);
    L->kh = L->kw = 3;
    L->ph = L->pw = 1;
    mat_fresh(L->W, c, c * 9);
    rj_test_randmat(L->W, st, 4, 64);
}

static void
cifar_layer_bn(rj_layer_struct *L, flint_rand_t st, slong c)
{
    slong i;
    rj_layer_init(L, RJ_LAYER_BATCHNORM);
    fmpq_set_si(L->eps, 1, 16);
    mat_fresh(L->scale, c, 1);
    mat_fresh(L->shift, c, 1);
    mat_fresh(L->mean, c, 1);
    mat_fresh(L->var, c, 1);
    rj_test_randmat(L->scale, st, 8, 8);
    rj_test_randmat(L->shift, st, 8, 64);
    rj_test_randmat(L->mean, st, 8, 64);
    for (i = 0; i < c; i++) {
        slong r = 1 + n_randint(st, 4);
        fmpq_set_si(fmpq_mat_entry(L->var, i, 0), 4 * r * r - 1, 16);
    }
}

START_TEST(test_general_cifar_block)
{
    const slong C = 16, H = 32, prec = 64;
    flint_rand_t st;
    rj_shape in = {C, H, H};
    rj_layer_struct L;
    rj_block_t b;
    rj_net_t net;
    rj_error_t err;
    fmpq_mat_t x, v, y, SV, RV, JV;
    rj_imat_t xi, vi, yi, JVi, J;
    rj_ties_t ties;
    clock_t t0;
    int st_j;

    rj_test_randinit(st, seed + 31);
    rj_block_init_general(b, in);
    cifar_layer_conv(&L, st, C);
    rj_seq_push(b->branch, &L);
    rj_layer_clear(&L);
    cifar_layer_bn(&L, st, C);
    rj_seq_push(b->branch, &L);
    rj_layer_clear(&L);
    rj_layer_init(&L, RJ_LAYER_ACT);
    rj_act_set_kind(L.act, RJ_ACT_RELU);
    rj_seq_push(b->branch, &L);
    rj_layer_clear(&L);
    cifar_layer_conv(&L, st, C);
    rj_seq_push(b->branch, &L);
    rj_layer_clear(&L);
    cifar_layer_bn(&L, st, C);
    rj_seq_push(b->branch, &L);
    rj_layer_clear(&L);
    rj_error_init(err);
    RJ_CHECK(rj_block_validate(b, "basic", err) == RJ_OK, seed, "%s", err->msg);
    rj_net_init(net);
    rj_net_append(net, b, "basic");
    fmpq_mat_init(x, C * H * H, 1);
    fmpq_mat_init(v, C * H * H, 1);
    fmpq_mat_init(y, 0, 0);
    fmpq_mat_init(SV, 0, 0);
    fmpq_mat_init(RV, 0, 0);
    fmpq_mat_init(JV, 0, 0);
    rj_test_randmat(x, st, 64, 64);
    rj_test_randmat(v, st, 64, 64);
    rj_imat_init(xi, 0, 0, prec);
    rj_imat_init(vi, 0, 0, prec);
    rj_imat_init(yi, 0, 0, prec);
    rj_imat_init(JVi, 0, 0, prec);
    rj_imat_init(J, 0, 0, prec);
    rj_imat_set_fmpq_mat(xi, x, prec);
    rj_imat_set_fmpq_mat(vi, v, prec);
    rj_ties_init(ties);
    t0 = clock();
    RJ_CHECK(rj_precise_jvp(yi, JVi, ties, net, xi, vi, prec, err) == RJ_OK, seed, "jvp: %s",
             err->msg);
    fprintf(stderr, "CIFAR-size block (16 x 32 x 32, conv-bn-relu-conv-bn + identity): "
            "forward + J v at %ld bits in %.2f s, largest radius %.3g, %ld possible ties\n",
            (long) prec, (double) (clock() - t0) / CLOCKS_PER_SEC, rad_max_d(JVi),
            (long) ties->len);
    ref_block(y, SV, RV, b, x, v);
    mat_fresh(JV, fmpq_mat_nrows(SV), 1);
    fmpq_mat_add(JV, SV, RV);
    RJ_CHECK(rj_imat_contains_fmpq_mat(yi, y), seed, "CIFAR block: y");
    RJ_CHECK(rj_imat_contains_fmpq_mat(JVi, JV), seed, "CIFAR block: J v");
    t0 = clock();
    st_j = rj_precise_jacobian(J, NULL, net, xi, prec, err);
    RJ_CHECK(st_j == RJ_ERR_LIMIT && strstr(err->msg, "GB") != NULL
             && (double) (clock() - t0) / CLOCKS_PER_SEC < 1.0 && J->r == 0, seed,
             "the full Jacobian is refused before work: %d %s", st_j, err->msg);
    fprintf(stderr, "its full Jacobian: %s\n", err->msg);
    rj_ties_clear(ties);
    rj_imat_clear(xi);
    rj_imat_clear(vi);
    rj_imat_clear(yi);
    rj_imat_clear(JVi);
    rj_imat_clear(J);
    fmpq_mat_clear(x);
    fmpq_mat_clear(v);
    fmpq_mat_clear(y);
    fmpq_mat_clear(SV);
    fmpq_mat_clear(RV);
    fmpq_mat_clear(JV);
    rj_net_clear(net);
    rj_block_clear(b);
    flint_randclear(st);
}
END_TEST

static Suite *
precise_suite(void)
{
    Suite *s = suite_create("precise");
    TCase *tc = tcase_create("precise");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_itv_arith_contains);
    tcase_add_test(tc, test_imat_mul_add);
    tcase_add_test(tc, test_chain_and_nmat);
    tcase_add_test(tc, test_depth_1000_tenth);
    tcase_add_test(tc, test_tanh_sigmoid);
    tcase_add_test(tc, test_relu_ties);
    tcase_add_test(tc, test_smooth_acts);
    tcase_add_test(tc, test_network_vs_exact);
    tcase_add_test(tc, test_network_two_precisions);
    tcase_add_test(tc, test_norms_exact);
    tcase_add_test(tc, test_spectral_charpoly);
    tcase_add_test(tc, test_decide_escalation);
    tcase_add_test(tc, test_escalation_rule);
    tcase_add_test(tc, test_quantities);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_memory_limit);
    tcase_add_test(tc, test_net_converted_once);
    tcase_add_test(tc, test_net_converted_memory);
    tcase_add_test(tc, test_block_point_message);
    tcase_add_test(tc, test_general_layers_exact);
    tcase_add_test(tc, test_general_network);
    tcase_add_test(tc, test_general_vs_shorthand);
    tcase_add_test(tc, test_general_maxpool_tie);
    tcase_add_test(tc, test_general_layernorm_smooth);
    tcase_add_test(tc, test_general_cifar_block);
    tcase_add_test(tc, test_batchnorm_irrational);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20240404);
    return rj_test_run(precise_suite());
}
