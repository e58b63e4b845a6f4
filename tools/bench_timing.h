/* resjac benchmarks: the clocks and the median every benchmark program in
 * tools/ reports with (header-only: the programs are single files outside
 * the library). */
#ifndef RESJAC_BENCH_TIMING_H
#define RESJAC_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

/* wall-clock seconds (monotonic) */
static inline double
bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* CPU seconds of the process (all threads): steadier on a shared machine */
static inline double
bench_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* the median of t[0..n-1] (t is sorted in place), n >= 1 */
static inline double
bench_median(double *t, int n)
{
    qsort(t, n, sizeof(double), bench_cmp_double);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

#endif
