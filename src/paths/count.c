/* resjac: path counts C(L, k) and 2^L (see include/resjac/paths.h). */
#include <flint/fmpz.h>
#include <flint/fmpq.h>

#include "resjac/paths.h"

void
rj_paths_total(fmpz_t res, ulong L)
{
    fmpz_one(res);
    fmpz_mul_2exp(res, res, L);
}

void
rj_paths_count(fmpz_t res, ulong L, ulong k)
{
    if (k > L)
        fmpz_zero(res);
    else
        fmpz_bin_uiui(res, L, k);
}

/* C(L, k+1) = C(L, k) (L - k) / (k + 1): the division is exact because the
   left side is an integer.  Only k <= L/2 is computed, the rest by symmetry
   C(L, k) = C(L, L - k); each step costs O(size of C(L,k)) word operations,
   so the whole row costs O(L^2 / FLINT_BITS) words. */
void
rj_paths_counts(fmpz *counts, ulong L)
{
    ulong k, half = L / 2;

    fmpz_one(counts + 0);
    for (k = 0; k < half; k++) {
        fmpz_mul_ui(counts + k + 1, counts + k, L - k);
        fmpz_divexact_ui(counts + k + 1, counts + k + 1, k + 1);
    }
    for (k = half + 1; k <= L; k++)
        fmpz_set(counts + k, counts + L - k);
}

/* Pascal's rule row by row, in place from the right:
   row_{n+1}[k] = row_n[k] + row_n[k-1].  O(L^2) additions. */
void
rj_paths_counts_pascal(fmpz *counts, ulong L)
{
    ulong n, k;

    fmpz_one(counts + 0);
    for (k = 1; k <= L; k++)
        fmpz_zero(counts + k);
    for (n = 1; n <= L; n++)
        for (k = n; k >= 1; k--)
            fmpz_add(counts + k, counts + k, counts + k - 1);
}

/* count += C(L, a) + ... + C(L, b), a <= b <= L, by the recurrence. */
static void
range_add(fmpz_t count, ulong L, ulong a, ulong b)
{
    fmpz_t c;
    ulong k;
    fmpz_init(c);
    fmpz_bin_uiui(c, L, a);
    for (k = a; ; k++) {
        fmpz_add(count, count, c);
        if (k == b)
            break;
        fmpz_mul_ui(c, c, L - k);
        fmpz_divexact_ui(c, c, k + 1);
    }
    fmpz_clear(c);
}

ulong
rj_paths_range_terms(ulong L, ulong a, ulong b)
{
    ulong n;
    if (b > L)
        b = L;
    if (a > b)
        return 0;
    n = b - a + 1;
    return FLINT_MIN(n, L + 1 - n);
}

void
rj_paths_range(fmpz_t count, fmpq_t frac, ulong L, ulong a, ulong b)
{
    fmpz_t total;

    fmpz_init(total);
    rj_paths_total(total, L);
    fmpz_zero(count);
    if (b > L)
        b = L;
    if (a <= b) {
        if (b - a + 1 <= L + 1 - (b - a + 1)) {
            range_add(count, L, a, b);
        } else {
            /* 2^L minus the lengths outside [a, b]: fewer terms */
            if (a > 0)
                range_add(count, L, 0, a - 1);
            if (b < L)
                range_add(count, L, b + 1, L);
            fmpz_sub(count, total, count);
        }
    }
    fmpq_set_fmpz_frac(frac, count, total);   /* canonical: reduced */
    fmpz_clear(total);
}
