/* resjac test helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* widths in [2, 4]: projection skips change the width */
void
rj_test_randnet_pl(rj_net_t net, flint_rand_t st, slong L, slong num, slong den,
                   int allow_bias, int compactable)
{
    slong l, n = 2 + n_randint(st, 3);
    static const int acts[3] = {RJ_ACT_IDENTITY, RJ_ACT_RELU, RJ_ACT_LEAKY_RELU};
    rj_net_clear(net);
    rj_net_init(net);
    for (l = 0; l < L; l++) {
        rj_block_t b;
        int skip = n_randint(st, 4), place = n_randint(st, 3);
        slong h = n_randint(st, 2) ? 1 + n_randint(st, 4) : 0;
        if (compactable) {
            rj_block_init(b);
            rj_test_randblock(b, st, n, 1 + n_randint(st, 5), n, RJ_SKIP_IDENTITY,
                              RJ_PLACE_PRE, RJ_ACT_RELU, RJ_ACT_RELU,
                              allow_bias && n_randint(st, 2), num, den);
            rj_net_append(net, b, "b");
            rj_block_clear(b);
            continue;
        }
        slong n_out = skip == RJ_SKIP_PROJECT ? (slong) (2 + n_randint(st, 3)) : n;
        char name[32];
        rj_block_init(b);
        rj_test_randblock(b, st, n, h, n_out, skip, place, acts[n_randint(st, 3)],
                          acts[1 + n_randint(st, 2)], allow_bias && n_randint(st, 2), num,
                          den);
        snprintf(name, sizeof(name), "b%ld", (long) l + 1);
        rj_net_append(net, b, name);
        rj_block_clear(b);
        n = n_out;
    }
}

void
rj_test_randpoint(fmpq_mat_t x, flint_rand_t st, slong n, slong num, slong den)
{
    fmpq_mat_clear(x);
    fmpq_mat_init(x, n, 1);
    rj_test_randmat(x, st, num, den);
}

void
rj_test_print_net(const rj_net_t net)
{
    slong l;
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        char a1[64], a2[64];
        rj_act_name(a1, sizeof(a1), b->act);
        rj_act_name(a2, sizeof(a2), b->outer);
        fprintf(stderr, "block %ld: skip %d place %d two_layer %d act %s outer %s\n",
                (long) l + 1, b->skip, b->place, b->two_layer, a1, a2);
        rj_test_print_mat("  W1", b->W1);
        if (b->two_layer)
            rj_test_print_mat("  W2", b->W2);
        if (fmpq_mat_nrows(b->b1) > 0)
            rj_test_print_mat("  b1", b->b1);
        if (fmpq_mat_nrows(b->b2) > 0)
            rj_test_print_mat("  b2", b->b2);
        if (b->skip == RJ_SKIP_PROJECT)
            rj_test_print_mat("  Ws", b->Ws);
    }
}

double
rj_test_getd(const void *p, slong i, rj_fast_dtype t)
{
    return t == RJ_FAST_F32 ? ((const float *) p)[i] : ((const double *) p)[i];
}

void
rj_test_setd(void *p, slong i, double v, rj_fast_dtype t)
{
    if (t == RJ_FAST_F32)
        ((float *) p)[i] = (float) v;
    else
        ((double *) p)[i] = v;
}

void
rj_test_dot(fmpq_t out, const fmpq_mat_t c, const fmpq_mat_t y)
{
    slong i;
    fmpq_t v;
    fmpq_init(v);
    fmpq_zero(out);
    for (i = 0; i < fmpq_mat_nrows(y); i++) {
        fmpq_mul(v, fmpq_mat_entry(c, i, 0), fmpq_mat_entry(y, i, 0));
        fmpq_add(out, out, v);
    }
    fmpq_clear(v);
}

static char tmp_dir[256];

void
rj_test_tmp_setup(const char *tag)
{
    if (tmp_dir[0] == '\0') {
        snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/rj-check-%s-XXXXXX", tag);
        if (mkdtemp(tmp_dir) == NULL) {
            perror("mkdtemp");
            exit(EXIT_FAILURE);
        }
    }
}

const char *
rj_test_tmp_dir(void)
{
    return tmp_dir;
}

void
rj_test_tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmp_dir, name);
}

void
rj_test_tmp_remove(void)
{
    char cmd[400];
    if (tmp_dir[0] != '\0' && strncmp(tmp_dir, "/tmp/rj-check-", 14) == 0) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmp_dir);
    }
}
