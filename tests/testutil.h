/* resjac test helpers (check-only convenience library). */
#ifndef RESJAC_TESTUTIL_H
#define RESJAC_TESTUTIL_H

#include <check.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>

#include "resjac.h"

/* The seed of this run: $RJ_TEST_SEED if set (decimal), else `fallback`.
   Printed once to stderr so a failing run can be repeated. */
ulong rj_test_seed(ulong fallback);
/* Multiplier for iteration counts: $RJ_TEST_MULTIPLIER (default 1). */
slong rj_test_iters(slong base);
/* Seeded FLINT random state. */
void rj_test_randinit(flint_rand_t state, ulong seed);

/* A random rational in [-num_bound/den_bound, num_bound/den_bound] with
   denominator dividing den_bound (den_bound a power of two gives dyadics). */
void rj_test_randq(fmpq_t q, flint_rand_t state, slong num_bound, slong den_bound);
/* Fill a matrix with such rationals. */
void rj_test_randmat(fmpq_mat_t A, flint_rand_t state, slong num_bound, slong den_bound);

/* A random block of the given kind: skip in rj_skip_kind, place in
   rj_place_kind, act/outer in rj_act_kind (piecewise-linear kinds for the exact
   layer).  n_in -> n_out (project skip when they differ), hidden width h,
   two-layer when h > 0, with biases when `bias`. */
void rj_test_randblock(rj_block_t b, flint_rand_t state, slong n_in, slong h, slong n_out,
                       int skip, int place, int act, int outer, int bias,
                       slong num_bound, slong den_bound);

/* Run a suite (CK_NORMAL), free it and FLINT's caches; returns the exit
   status for main: EXIT_SUCCESS when no test failed. */
int rj_test_run(Suite *s);

/* A random network of L blocks of every kind: skip, placement, one or two
   layers, biases, widths in 1..wmax that change only through projection or
   "none" skips, activations drawn from the first `nact` rj_act_kind values
   (3: piecewise linear, 5: also tanh and sigmoid).  Weights are k/den with
   |k| <= num (den = 4: dyadic).  Returns the input width. */
slong rj_test_randnet(rj_net_t net, flint_rand_t st, slong L, slong wmax, slong num,
                      slong den, int nact);

/* Print a matrix to stderr under a label (for failure reports). */
void rj_test_print_mat(const char *label, const fmpq_mat_t A);

/* A random exact network of L blocks with kinds drawn at random:
   piecewise-linear activations only (the exact layer's domain), named
   "b1", "b2", ...  Widths in [2, 4]; projection skips change the width.
   Weights p/den with |p| <= num; biases (at random) when allow_bias.
   compactable = 1: every block pre-activation, relu inside and outside, two
   layers, identity skip (the blocks of rj_fast_graded_compact's own pass).
   net is replaced. */
void rj_test_randnet_pl(rj_net_t net, flint_rand_t st, slong L, slong num, slong den,
                        int allow_bias, int compactable);
/* x becomes a random n x 1 column of p/den, |p| <= num. */
void rj_test_randpoint(fmpq_mat_t x, flint_rand_t st, slong n, slong num, slong den);
/* Print a network's blocks and weights to stderr (for failure reports). */
void rj_test_print_net(const rj_net_t net);
/* Entry i of a float buffer of dtype t, as a double; and its store. */
double rj_test_getd(const void *p, slong i, rj_fast_dtype t);
void rj_test_setd(void *p, slong i, double v, rj_fast_dtype t);
/* out = c . y for column vectors, exactly. */
void rj_test_dot(fmpq_t out, const fmpq_mat_t c, const fmpq_mat_t y);

/* A fresh directory /tmp/rj-check-TAG-XXXXXX for the files a suite writes
   (made once; exits when it cannot be made), its name, a path NAME in it, and
   its removal with everything in it (call at the end of main). */
void rj_test_tmp_setup(const char *tag);
const char *rj_test_tmp_dir(void);
void rj_test_tmp_path(char *buf, size_t len, const char *name);
void rj_test_tmp_remove(void);

/* ck_assert with the seed in the message. */
#define RJ_CHECK(cond, seed, ...) do { if (!(cond)) { \
    fprintf(stderr, "seed %lu: ", (unsigned long) (seed)); \
    ck_abort_msg(__VA_ARGS__); } } while (0)

#endif
