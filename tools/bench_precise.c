/* Benchmark of the precise layer (not a test): a certified enclosure of
 *   P = prod_{l=1}^{L} (I + J_l),  J_l random n x n, entries uniform in +-1/(2n),
 * with dyadic entries (k / 2^30), so every factor is exact.
 *
 *   resjac (rj_nmat_prod): exact dyadic midpoints, normwise radius, balanced
 *     product tree; the precision is the smallest of a few that reaches the
 *     target normwise relative radius (default 2^-200);
 *   naive MPFR: a triple-loop interval product (lower and upper endpoints with
 *     directed-rounding mpfr_fma) at the same precision; a few factors are timed
 *     and the time is extrapolated to L factors (said so in the output);
 *   Arb (built only when libflint-arb-dev is present: make bench-precise picks
 *     tools/bench_precise_arb): an arb_mat_mul chain at the smallest precision of
 *     a few that reaches the same radius.
 *
 * usage: bench_precise [L [n [target_bits]]]   (defaults 1000 64 200)
 * Keep runs short on shared machines: L = 1000, n = 64 takes a few seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpq_mat.h>

#include "resjac/precise.h"

#ifdef RJ_BENCH_ARB
#include <arb_mat.h>
#endif

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Factor l: F = 2^30 I + K (integers), value F 2^-30; |K_ij| <= 2^30/(2n). */
static void
make_factors(fmpz_mat_struct *F, slong L, slong n, ulong seed)
{
    flint_rand_t st;
    slong l, i, j;
    ulong bound = (1UL << 30) / (2 * n);
    flint_randinit(st);
    flint_randseed(st, seed, seed ^ 0x9e3779b97f4a7c15UL);
    for (l = 0; l < L; l++) {
        fmpz_mat_init(F + l, n, n);
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                slong k = (slong) n_randint(st, 2 * bound + 1) - (slong) bound;
                fmpz_set_si(fmpz_mat_entry(F + l, i, j), k + (i == j ? (1L << 30) : 0));
            }
    }
    flint_randclear(st);
}

static double
log2_mpfr(const mpfr_t x)
{
    long e;
    double m;
    if (mpfr_zero_p(x))
        return -INFINITY;
    if (mpfr_inf_p(x))
        return INFINITY;
    m = mpfr_get_d_2exp(&e, x, MPFR_RNDU);
    return log2(m) + (double) e;
}

/* resjac: returns the time; *rel gets log2 of the normwise relative radius. */
static double
run_resjac(double *rel, const fmpz_mat_struct *F, slong L, slong n, slong prec)
{
    rj_nmat_prod_t s;
    rj_nmat_t f, P;
    mpfr_t r;
    slong l;
    double t;
    rj_nmat_init(f, n, n);
    rj_nmat_init(P, 0, 0);
    mpfr_init2(r, RJ_RAD_PREC);
    t = now();
    rj_nmat_prod_init(s, prec);
    for (l = 0; l < L; l++) {
        fmpz_mat_set(f->m, F + l);     /* exact: F_l 2^-30 */
        f->exp = -30;
        rj_nmat_prod_push(s, f);
    }
    rj_nmat_prod_finish(P, s, n);
    t = now() - t;
    rj_nmat_rel_rad(r, P);
    *rel = log2_mpfr(r);
    rj_nmat_prod_clear(s);
    rj_nmat_clear(f);
    rj_nmat_clear(P);
    mpfr_clear(r);
    return t;
}

/* Naive interval triple loop: C = F P with F exact (double-free: MPFR ints
   scaled by 2^-30) and P = [lo, hi]; lo_C = sum f (f >= 0 ? lo : hi) rounded
   down, hi_C likewise up.  Returns the time of `steps` factors. */
static double
run_naive(const fmpz_mat_struct *F, slong steps, slong n, slong prec, int point)
{
    mpfr_ptr f, lo, hi, clo, chi;
    slong l, i, j, k, N = n * n;
    double t;
    f = flint_malloc(N * sizeof(__mpfr_struct));
    lo = flint_malloc(N * sizeof(__mpfr_struct));
    hi = flint_malloc(N * sizeof(__mpfr_struct));
    clo = flint_malloc(N * sizeof(__mpfr_struct));
    chi = flint_malloc(N * sizeof(__mpfr_struct));
    for (i = 0; i < N; i++) {
        mpfr_init2(f + i, 64);
        mpfr_init2(lo + i, prec);
        mpfr_init2(hi + i, prec);
        mpfr_init2(clo + i, prec);
        mpfr_init2(chi + i, prec);
        mpfr_set_ui(lo + i, (i / n) == (i % n), MPFR_RNDN);
        mpfr_set(hi + i, lo + i, MPFR_RNDN);
    }
    t = now();
    for (l = 0; l < steps; l++) {
        for (i = 0; i < N; i++)
            mpfr_set_si_2exp(f + i, fmpz_get_si(F[l].entries + i), -30, MPFR_RNDN);
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                mpfr_ptr a = clo + i * n + j, b = chi + i * n + j;
                mpfr_set_zero(a, 1);
                mpfr_set_zero(b, 1);
                if (point) {
                    /* no enclosure: one rounded fma per term (the plain product) */
                    for (k = 0; k < n; k++)
                        mpfr_fma(a, f + i * n + k, lo + k * n + j, a, MPFR_RNDN);
                    continue;
                }
                for (k = 0; k < n; k++) {
                    mpfr_srcptr x = f + i * n + k;
                    int pos = mpfr_sgn(x) >= 0;
                    mpfr_fma(a, x, pos ? lo + k * n + j : hi + k * n + j, a, MPFR_RNDD);
                    mpfr_fma(b, x, pos ? hi + k * n + j : lo + k * n + j, b, MPFR_RNDU);
                }
            }
        for (i = 0; i < N; i++) {
            mpfr_swap(lo + i, clo + i);
            mpfr_swap(hi + i, chi + i);
        }
    }
    t = now() - t;
    for (i = 0; i < N; i++) {
        mpfr_clear(f + i);
        mpfr_clear(lo + i);
        mpfr_clear(hi + i);
        mpfr_clear(clo + i);
        mpfr_clear(chi + i);
    }
    flint_free(f);
    flint_free(lo);
    flint_free(hi);
    flint_free(clo);
    flint_free(chi);
    return t;
}

#ifdef RJ_BENCH_ARB
/* Arb chain P <- F_l P; returns the time; *rel = log2(max rad / max |mid|)
   bounded through the Frobenius norms of the radius and midpoint matrices
   (normwise, as for resjac). */
static double
run_arb(double *rel, const fmpz_mat_struct *F, slong L, slong n, slong prec)
{
    arb_mat_t P, T, f;
    slong l, i, j;
    double t, rad2 = 0.0, mid2 = 0.0;
    arb_mat_init(P, n, n);
    arb_mat_init(T, n, n);
    arb_mat_init(f, n, n);
    arb_mat_one(P);
    t = now();
    for (l = 0; l < L; l++) {
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                arb_set_fmpz(arb_mat_entry(f, i, j), fmpz_mat_entry(F + l, i, j));
                arb_mul_2exp_si(arb_mat_entry(f, i, j), arb_mat_entry(f, i, j), -30);
            }
        arb_mat_mul(T, f, P, prec);
        arb_mat_swap(T, P);
    }
    t = now() - t;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double r = mag_get_d(arb_radref(arb_mat_entry(P, i, j)));
            double m = arf_get_d(arb_midref(arb_mat_entry(P, i, j)), ARF_RND_NEAR);
            rad2 += r * r;
            mid2 += m * m;
        }
    /* ||E||_2 <= ||rad||_F and ||M||_2 >= ||M||_F / sqrt(n) */
    *rel = 0.5 * log2(rad2) - 0.5 * log2(mid2 / n);
    arb_mat_clear(P);
    arb_mat_clear(T);
    arb_mat_clear(f);
    return t;
}
#endif

int
main(int argc, char **argv)
{
    slong L = argc > 1 ? atol(argv[1]) : 1000;
    slong n = argc > 2 ? atol(argv[2]) : 64;
    double target = argc > 3 ? atof(argv[3]) : 200.0;
    slong i, prec = 0, steps, p;
    fmpz_mat_struct *F;
    double t_ours = 0.0, rel = 0.0, t_naive, t_naive_full, t_point;

    if (L < 1 || L > 100000 || n < 1 || n > 1024 || target <= 0 || target > 10000) {
        fprintf(stderr, "bench_precise: L in [1, 100000], n in [1, 1024], target in (0, 10000]\n");
        return 2;
    }
    F = flint_malloc(L * sizeof(fmpz_mat_struct));
    make_factors(F, L, n, 20160517);
    printf("product of %ld factors I + J_l, %ldx%ld, J entries dyadic uniform in +-1/%ld;"
           " target normwise relative radius 2^-%g\n", (long) L, (long) n, (long) n,
           (long) (2 * n), target);

    /* the smallest precision target + 24 + 8 k that reaches the target */
    for (i = 0, p = (slong) target + 24; i < 12; i++, p += 8) {
        t_ours = run_resjac(&rel, F, L, n, p);
        printf("  resjac  prec %4ld: %8.3f s, radius 2^%.1f\n", (long) p, t_ours, rel);
        fflush(stdout);
        prec = p;
        if (rel <= -target)
            break;
    }
    if (rel > -target)
        printf("resjac did not reach the target at %ld bits\n", (long) prec);

    steps = FLINT_MIN(L, n <= 64 ? 4 : 1);
    t_naive = run_naive(F, steps, n, prec, 0);
    t_naive_full = t_naive * (double) L / (double) steps;
    printf("  naive MPFR interval triple loop at %ld bits: %.3f s for %ld factors, "
           "extrapolated to %ld: %.2f s\n", (long) prec, t_naive, (long) steps, (long) L,
           t_naive_full);
    t_point = run_naive(F, steps, n, prec, 1) * (double) L / (double) steps;
    printf("  naive MPFR point triple loop (mpfr_fma, no enclosure) at %ld bits: "
           "extrapolated to %ld: %.2f s\n", (long) prec, (long) L, t_point);
    printf("resjac: %.3f s at %ld bits, normwise relative radius 2^%.1f\n", t_ours,
           (long) prec, rel);
    printf("ratio naive MPFR interval / resjac (equal precision): %.1f  (goal >= 7)\n",
           t_naive_full / t_ours);
    printf("ratio naive MPFR point / resjac (equal precision): %.1f\n", t_point / t_ours);
#ifdef RJ_BENCH_ARB
    {
        /* Arb's entrywise radii grow by about 0.3 bits per factor here: start
           well above resjac's precision, in steps of 64 bits */
        double t_arb = 0.0, rel_arb = 0.0;
        slong ap = prec + (slong) (0.25 * L) + 8;
        ap = 64 * ((ap + 63) / 64);
        for (i = 0; i < 6; i++, ap += 64) {
            t_arb = run_arb(&rel_arb, F, L, n, ap);
            printf("  Arb     prec %4ld: %8.3f s, radius 2^%.1f\n", (long) ap, t_arb, rel_arb);
            fflush(stdout);
            if (rel_arb <= -target)
                break;
        }
        if (rel_arb > -target)
            printf("Arb did not reach the target at %ld bits\n", (long) ap);
        printf("Arb: %.3f s at %ld bits, radius 2^%.1f; ratio resjac / Arb: %.2f  "
               "(goal <= 0.5)\n", t_arb, (long) ap, rel_arb, t_ours / t_arb);
    }
#else
    printf("Arb: skipped (libflint-arb-dev not present when this was built)\n");
#endif
    for (i = 0; i < L; i++)
        fmpz_mat_clear(F + i);
    flint_free(F);
    flint_cleanup();
    return 0;
}
