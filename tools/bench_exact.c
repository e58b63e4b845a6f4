/* resjac: timings of the exact layer (not a test): `make bench-exact`.
 *
 * The figures the issue asks for: the path census (all C(L, k)) for
 * L = 20,000 and 100,000; the subset sum for L = 20, width 4; the graded
 * expansion for L = 54, width 16 with float64 weights (dyadic), each against
 * the other variants with `bench_exact REPS full`.  Weights are seeded
 * Gaussian float64s converted exactly; blocks are x + W2 relu(W1 x + b1) + b2,
 * the point has no ties.  Process CPU seconds (steadier than wall-clock
 * time on a shared machine), best of `reps` runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <flint/fmpz_vec.h>

#include "resjac.h"

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Gaussian float64 (Box-Muller on FLINT's generator), scaled. */
static double
gauss(flint_rand_t st, double scale)
{
    double u = (n_randlimb(st) >> 11) * (1.0 / 9007199254740992.0) + 1e-300;
    double v = (n_randlimb(st) >> 11) * (1.0 / 9007199254740992.0);
    return scale * sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void
fill(fmpq_mat_t A, slong r, slong c, flint_rand_t st, double scale, int dyadic)
{
    slong i, j;
    fmpq_mat_clear(A);
    fmpq_mat_init(A, r, c);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            if (dyadic)
                rj_fmpq_set_d_exact(fmpq_mat_entry(A, i, j), gauss(st, scale));
            else   /* k/1000: decimals as a model file writes them */
                fmpq_set_si(fmpq_mat_entry(A, i, j),
                            (slong) floor(1000 * gauss(st, scale) + 0.5), 1000);
        }
}

static void
make_net(rj_net_t net, fmpq_mat_t x, slong L, slong w, ulong seed, int dyadic)
{
    flint_rand_t st;
    rj_block_t b;
    slong l;

    flint_randinit(st);
    flint_randseed(st, seed, seed + 1);
    rj_block_init(b);
    b->two_layer = 1;
    b->act->kind = RJ_ACT_RELU;
    b->place = RJ_PLACE_NONE;
    b->skip = RJ_SKIP_IDENTITY;
    for (l = 0; l < L; l++) {
        fill(b->W1, w, w, st, 1.0 / sqrt((double) w), dyadic);
        fill(b->b1, w, 1, st, 0.1, dyadic);
        fill(b->W2, w, w, st, 1.0 / sqrt((double) (w * L)), dyadic);
        fill(b->b2, w, 1, st, 0.1, dyadic);
        b->n_in = b->n_hidden = b->n_out = w;
        rj_net_append(net, b, NULL);
    }
    fill(x, w, 1, st, 1.0, dyadic);
    rj_block_clear(b);
    flint_randclear(st);
}

typedef int (*expand_fn)(fmpq_mat_t, const rj_exact_parts_t, rj_error_t);
typedef int (*graded_fn)(fmpq_mat_struct *, const rj_exact_parts_t, rj_error_t);

static void
bench_expand(const char *what, slong L, slong w, int dyadic, int reps, int graded,
             expand_fn f1, graded_fn g1)
{
    rj_net_t net;
    fmpq_mat_t x, P;
    rj_exact_parts_t parts;
    rj_error_t err;
    rj_tie_policy pol = { RJ_TIE_RIGHT, 0 };
    fmpq_mat_struct *G = NULL;
    double t, best = 1e300;
    slong k, bits = 0;
    int r, st = RJ_OK;

    rj_net_init(net);
    rj_exact_parts_init(parts);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(P, 0, 0);
    make_net(net, x, L, w, 54 + L + w, dyadic);
    if (rj_exact_parts(parts, NULL, net, x, pol, err) != RJ_OK) {
        fprintf(stderr, "bench_exact: %s\n", err->msg);
        exit(2);
    }
    if (graded) {
        G = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
        for (k = 0; k <= L; k++)
            fmpq_mat_init(G + k, 0, 0);
    }
    for (r = 0; r < reps && st == RJ_OK; r++) {
        t = now();
        st = graded ? g1(G, parts, err) : f1(P, parts, err);
        t = now() - t;
        best = FLINT_MIN(best, t);
    }
    if (st != RJ_OK) {
        fprintf(stderr, "bench_exact: %s\n", err->msg);
        exit(2);
    }
    if (graded)
        for (k = 0; k <= L; k++)
            bits = FLINT_MAX(bits, fmpz_bits(fmpq_mat_entry_den(G + k, 0, 0)));
    else
        bits = fmpz_bits(fmpq_mat_entry_den(P, 0, 0));
    printf("%-34s L = %3ld, width %2ld, %s weights: %8.3f s  (largest denominator "
           "2^%ld)\n", what, (long) L, (long) w, dyadic ? "float64" : "k/1000 ", best,
           (long) bits - 1);
    if (graded) {
        for (k = 0; k <= L; k++)
            fmpq_mat_clear(G + k);
        flint_free(G);
    }
    fmpq_mat_clear(x);
    fmpq_mat_clear(P);
    rj_exact_parts_clear(parts);
    rj_net_clear(net);
}

static void
bench_census(ulong L, int reps)
{
    fmpz *c = _fmpz_vec_init(L + 1);
    double t, best = 1e300;
    int r;
    for (r = 0; r < reps; r++) {
        t = now();
        rj_paths_counts(c, L);
        t = now() - t;
        best = FLINT_MIN(best, t);
    }
    printf("%-34s L = %lu: %8.3f s\n", "census, all C(L, k)", (unsigned long) L, best);
    _fmpz_vec_clear(c, L + 1);
}

int
main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 3, full = argc > 2;

    if (reps < 1)
        reps = 1;
    printf("resjac exact layer timings (best of %d runs; `bench_exact REPS full` adds the "
           "other variants)\n", reps);
    bench_census(20000, reps);
    bench_census(100000, 1);
    bench_expand("direct product (dyadic)", 54, 16, 1, reps, 0, rj_expand_direct_dyadic, NULL);
    bench_expand("subset sum (dyadic)", 20, 4, 1, 1, 0, rj_expand_subsets_dyadic, NULL);
    bench_expand("subset sum (cleared)", 20, 4, 0, 1, 0, rj_expand_subsets_cleared, NULL);
    if (full) {
        bench_expand("subset sum (cleared)", 20, 4, 1, 1, 0, rj_expand_subsets_cleared, NULL);
        bench_expand("subset sum (rational)", 20, 4, 0, 1, 0, rj_expand_subsets_rational,
                     NULL);
    }
    bench_expand("graded (dyadic)", 54, 16, 1, 1, 1, NULL, rj_expand_graded_dyadic);
    bench_expand("graded (cleared)", 54, 16, 0, 1, 1, NULL, rj_expand_graded_cleared);
    if (full) {
        bench_expand("graded (cleared)", 54, 16, 1, 1, 1, NULL, rj_expand_graded_cleared);
        bench_expand("graded (rational)", 54, 16, 1, 1, 1, NULL, rj_expand_graded_rational);
        bench_expand("graded (rational)", 54, 16, 0, 1, 1, NULL, rj_expand_graded_rational);
    }
    flint_cleanup();
    return 0;
}
