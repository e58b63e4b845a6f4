/* resjac test helpers. */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

ulong
rj_test_seed(ulong fallback)
{
    const char *s = getenv("RJ_TEST_SEED");
    ulong seed = fallback;
    if (s != NULL && *s != '\0')
        seed = strtoul(s, NULL, 10);
    fprintf(stderr, "resjac test seed %lu (set RJ_TEST_SEED to repeat or change)\n",
            (unsigned long) seed);
    return seed;
}

slong
rj_test_iters(slong base)
{
    const char *s = getenv("RJ_TEST_MULTIPLIER");
    slong m = 1;
    if (s != NULL && *s != '\0')
        m = strtol(s, NULL, 10);
    if (m < 1)
        m = 1;
    return base * m;
}

void
rj_test_randinit(flint_rand_t state, ulong seed)
{
    flint_randinit(state);
    flint_randseed(state, seed, seed * 2654435761UL + 1);
}

void
rj_test_randq(fmpq_t q, flint_rand_t state, slong num_bound, slong den_bound)
{
    slong p = (slong) n_randint(state, 2 * num_bound + 1) - num_bound;
    fmpq_set_si(q, p, den_bound);
}

void
rj_test_randmat(fmpq_mat_t A, flint_rand_t state, slong num_bound, slong den_bound)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            rj_test_randq(fmpq_mat_entry(A, i, j), state, num_bound, den_bound);
}

static void
rand_act(rj_act_t a, int kind)
{
    a->kind = (rj_act_kind) kind;
    if (kind == RJ_ACT_LEAKY_RELU)
        fmpq_set_si(a->slope, 1, 8);
    else
        fmpq_zero(a->slope);
}

void
rj_test_randblock(rj_block_t b, flint_rand_t state, slong n_in, slong h, slong n_out,
                  int skip, int place, int act, int outer, int bias,
                  slong num_bound, slong den_bound)
{
    rj_block_clear(b);
    rj_block_init(b);
    b->skip = (rj_skip_kind) skip;
    if (skip == RJ_SKIP_PROJECT) {
        fmpq_mat_clear(b->Ws);
        fmpq_mat_init(b->Ws, n_out, n_in);
        rj_test_randmat(b->Ws, state, num_bound, den_bound);
    } else if (skip == RJ_SKIP_SCALED) {
        rj_test_randq(b->alpha, state, num_bound, den_bound);
    }
    b->two_layer = h > 0;
    fmpq_mat_clear(b->W1);
    fmpq_mat_init(b->W1, h > 0 ? h : n_out, n_in);
    rj_test_randmat(b->W1, state, num_bound, den_bound);
    if (bias) {
        fmpq_mat_clear(b->b1);
        fmpq_mat_init(b->b1, h > 0 ? h : n_out, 1);
        rj_test_randmat(b->b1, state, num_bound, den_bound);
    }
    if (h > 0) {
        fmpq_mat_clear(b->W2);
        fmpq_mat_init(b->W2, n_out, h);
        rj_test_randmat(b->W2, state, num_bound, den_bound);
        if (bias) {
            fmpq_mat_clear(b->b2);
            fmpq_mat_init(b->b2, n_out, 1);
            rj_test_randmat(b->b2, state, num_bound, den_bound);
        }
    }
    rand_act(b->act, act);
    b->place = (rj_place_kind) place;
    rand_act(b->outer, outer);
    b->n_in = n_in;
    b->n_hidden = h;
    b->n_out = n_out;
}

void
rj_test_print_mat(const char *label, const fmpq_mat_t A)
{
    slong i, j;
    fprintf(stderr, "%s = [", label);
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        fprintf(stderr, "%s[", i ? ", " : "");
        for (j = 0; j < fmpq_mat_ncols(A); j++) {
            char *s = fmpq_get_str(NULL, 10, fmpq_mat_entry(A, i, j));
            fprintf(stderr, "%s%s", j ? ", " : "", s);
            flint_free(s);
        }
        fprintf(stderr, "]");
    }
    fprintf(stderr, "]\n");
}

int
rj_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    flint_cleanup_master();   /* FLINT's caches: keeps leak checkers quiet */
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

slong
rj_test_randnet(rj_net_t net, flint_rand_t st, slong L, slong wmax, slong num, slong den, int nact)
{
    slong l, n_in, n0;
    rj_block_t b;

    rj_block_init(b);
    n0 = n_in = 1 + n_randint(st, wmax);
    for (l = 0; l < L; l++) {
        int skip = n_randint(st, 4), place = n_randint(st, 3);
        int act = n_randint(st, nact), outer = n_randint(st, nact), bias = n_randint(st, 2);
        slong h = n_randint(st, 3) == 0 ? 0 : 1 + n_randint(st, wmax);
        slong n_out = n_in;
        if (skip == RJ_SKIP_PROJECT || skip == RJ_SKIP_NONE)
            n_out = 1 + n_randint(st, wmax);
        rj_test_randblock(b, st, n_in, h, n_out, skip, place, act, outer, bias, num, den);
        rj_net_append(net, b, NULL);
        n_in = n_out;
    }
    rj_block_clear(b);
    return n0;
}
