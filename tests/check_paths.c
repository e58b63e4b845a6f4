/* Check suite for src/paths: the path census held against independent
 * computations (recurrence, Pascal's rule, (1 + x)^L, FLINT's binomial). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <flint/fmpz_vec.h>

#include "testutil.h"

static ulong seed;

/* counts by recurrence == Pascal == coefficients of (1+x)^L == fmpz_bin_uiui,
   and they sum to 2^L. */
static void
check_counts_L(ulong L)
{
    fmpz *a = _fmpz_vec_init(L + 1), *b = _fmpz_vec_init(L + 1);
    fmpz_poly_t p;
    fmpz_t c, s, t;
    ulong k;

    fmpz_poly_init(p);
    fmpz_init(c);
    fmpz_init(s);
    fmpz_init(t);
    rj_paths_counts(a, L);
    rj_paths_counts_pascal(b, L);
    rj_paths_poly(p, L);
    RJ_CHECK((ulong) fmpz_poly_length(p) == L + 1, seed, "L = %lu: (1+x)^L has length %ld",
             (unsigned long) L, (long) fmpz_poly_length(p));
    for (k = 0; k <= L; k++) {
        fmpz_bin_uiui(c, L, k);
        RJ_CHECK(fmpz_equal(a + k, c), seed, "L = %lu, k = %lu: recurrence != fmpz_bin_uiui",
                 (unsigned long) L, (unsigned long) k);
        RJ_CHECK(fmpz_equal(b + k, c), seed, "L = %lu, k = %lu: Pascal != fmpz_bin_uiui",
                 (unsigned long) L, (unsigned long) k);
        RJ_CHECK(fmpz_equal(p->coeffs + k, c), seed,
                 "L = %lu, k = %lu: (1+x)^L coefficient != fmpz_bin_uiui",
                 (unsigned long) L, (unsigned long) k);
        rj_paths_count(t, L, k);
        RJ_CHECK(fmpz_equal(t, c), seed, "L = %lu, k = %lu: rj_paths_count",
                 (unsigned long) L, (unsigned long) k);
        fmpz_add(s, s, a + k);
    }
    rj_paths_count(t, L, L + 1);
    RJ_CHECK(fmpz_is_zero(t), seed, "C(L, L+1) must be 0");
    rj_paths_total(t, L);
    RJ_CHECK(fmpz_equal(s, t), seed, "L = %lu: counts do not sum to 2^L", (unsigned long) L);
    RJ_CHECK(fmpz_bits(t) == L + 1 && fmpz_val2(t) == L, seed, "2^%lu wrong",
             (unsigned long) L);
    fmpz_poly_clear(p);
    fmpz_clear(c);
    fmpz_clear(s);
    fmpz_clear(t);
    _fmpz_vec_clear(a, L + 1);
    _fmpz_vec_clear(b, L + 1);
}

START_TEST(test_counts_small)
{
    ulong L;
    for (L = 0; L <= 130; L++)
        check_counts_L(L);
}
END_TEST

START_TEST(test_counts_random)
{
    flint_rand_t st;
    slong i, n = rj_test_iters(6);
    rj_test_randinit(st, seed);
    for (i = 0; i < n; i++)
        check_counts_L(130 + n_randint(st, 1500));
    flint_randclear(st);
}
END_TEST

/* The large case the census is for: L = 20,000 by the recurrence, checked
   against FLINT's binomial at sampled k and against 2^L as a whole. */
START_TEST(test_counts_20000)
{
    const ulong L = 20000;
    fmpz *a = _fmpz_vec_init(L + 1);
    fmpz_t c, s, t;
    flint_rand_t st;
    ulong k;
    int i;

    fmpz_init(c);
    fmpz_init(s);
    fmpz_init(t);
    rj_test_randinit(st, seed);
    rj_paths_counts(a, L);
    for (k = 0; k <= L; k++)
        fmpz_add(s, s, a + k);
    rj_paths_total(t, L);
    RJ_CHECK(fmpz_equal(s, t), seed, "L = 20000: counts do not sum to 2^L");
    for (i = 0; i < 20; i++) {
        k = (i == 0) ? L / 2 : (i == 1 ? L / 2 + 1 : n_randint(st, L + 1));
        fmpz_bin_uiui(c, L, k);
        RJ_CHECK(fmpz_equal(a + k, c), seed, "L = 20000, k = %lu: recurrence wrong",
                 (unsigned long) k);
    }
    flint_randclear(st);
    fmpz_clear(c);
    fmpz_clear(s);
    fmpz_clear(t);
    _fmpz_vec_clear(a, L + 1);
}
END_TEST

static void
check_range(ulong L, ulong a, ulong b)
{
    fmpz_t count, c, sum, total;
    fmpq_t frac, expect;
    ulong k;

    fmpz_init(count);
    fmpz_init(c);
    fmpz_init(sum);
    fmpz_init(total);
    fmpq_init(frac);
    fmpq_init(expect);
    ulong n_in = 0;
    for (k = a; k <= b && k <= L; k++) {
        fmpz_bin_uiui(c, L, k);
        fmpz_add(sum, sum, c);
        n_in++;
    }
    /* the work estimate: the range or its complement, whichever is shorter */
    RJ_CHECK(rj_paths_range_terms(L, a, b) == FLINT_MIN(n_in, L + 1 - n_in), seed,
             "L = %lu, range [%lu, %lu]: rj_paths_range_terms = %lu, expected %lu",
             (unsigned long) L, (unsigned long) a, (unsigned long) b,
             (unsigned long) rj_paths_range_terms(L, a, b),
             (unsigned long) FLINT_MIN(n_in, L + 1 - n_in));
    rj_paths_range(count, frac, L, a, b);
    RJ_CHECK(fmpz_equal(count, sum), seed, "L = %lu, range [%lu, %lu]: wrong count",
             (unsigned long) L, (unsigned long) a, (unsigned long) b);
    rj_paths_total(total, L);
    fmpq_set_fmpz_frac(expect, sum, total);
    RJ_CHECK(fmpq_equal(frac, expect) && fmpq_is_canonical(frac), seed,
             "L = %lu, range [%lu, %lu]: fraction not the reduced count / 2^L",
             (unsigned long) L, (unsigned long) a, (unsigned long) b);
    fmpz_clear(count);
    fmpz_clear(c);
    fmpz_clear(sum);
    fmpz_clear(total);
    fmpq_clear(frac);
    fmpq_clear(expect);
}

START_TEST(test_range)
{
    flint_rand_t st;
    slong i, n = rj_test_iters(300);
    rj_test_randinit(st, seed);
    check_range(0, 0, 0);
    check_range(10, 0, 10);
    check_range(10, 3, 2);      /* empty */
    check_range(10, 11, 20);    /* beyond L */
    check_range(10, 5, 100);    /* clamped */
    for (i = 0; i < n; i++) {
        ulong L = n_randint(st, 300), a = n_randint(st, L + 3), b = n_randint(st, L + 3);
        check_range(L, a, b);
    }
    flint_randclear(st);
}
END_TEST

/* Veit, Wilber, Belongie (2016): ResNet-110 has 54 modules and the paths of
   5..17 modules are 0.4537 % of all paths. */
START_TEST(test_range_veit)
{
    fmpz_t count;
    fmpq_t frac, lo, hi;

    fmpz_init(count);
    fmpq_init(frac);
    fmpq_init(lo);
    fmpq_init(hi);
    rj_paths_range(count, frac, 54, 5, 17);
    /* 0.45365 % <= frac * 100 < 0.45375 %, i.e. it prints as 0.4537 */
    fmpq_set_si(lo, 45365, 10000000);
    fmpq_set_si(hi, 45375, 10000000);
    RJ_CHECK(fmpq_cmp(frac, lo) >= 0 && fmpq_cmp(frac, hi) < 0, seed,
             "paths 54, lengths 5..17: not 0.4537 %%");
    /* the count and reduced fraction, computed independently with Python's
       math.comb and fractions.Fraction */
    RJ_CHECK(fmpz_cmp_ui(count, UWORD(81725384002200)) == 0, seed, "count of 5..17");
    fmpq_set_str(lo, "10215673000275/2251799813685248", 10);
    RJ_CHECK(fmpq_equal(frac, lo), seed, "fraction of 5..17");
    fmpz_clear(count);
    fmpq_clear(frac);
    fmpq_clear(lo);
    fmpq_clear(hi);
}
END_TEST

/* The lesson's practice problem P2 lists the 8 paths of a 3-block network. */
START_TEST(test_list_lesson_p2)
{
    static const char *expect[8] = {
        "I I I", "J₁ I I", "I J₂ I", "I I J₃",
        "J₁ J₂ I", "J₁ I J₃", "I J₂ J₃", "J₁ J₂ J₃"
    };
    char buf[64];
    ulong mask = 0;
    int i = 0;

    do {
        ck_assert_int_lt(i, 8);
        rj_paths_label(buf, sizeof(buf), 3, mask);
        RJ_CHECK(strcmp(buf, expect[i]) == 0, seed, "path %d is '%s', expected '%s'", i,
                 buf, expect[i]);
        i++;
    } while (rj_paths_list_next(&mask, 3));
    ck_assert_int_eq(i, 8);
}
END_TEST

/* The listing visits every one of the 2^L masks once, by nondecreasing length,
   with C(L, k) of length k. */
START_TEST(test_list_all)
{
    ulong L;
    for (L = 1; L <= 14; L++) {
        ulong n = UWORD(1) << L, mask = 0, count = 0, k, prev = 0;
        char *seen = calloc(n, 1);
        ulong *bylen = calloc(L + 1, sizeof(ulong));
        fmpz_t c;
        fmpz_init(c);
        do {
            ulong w = (ulong) __builtin_popcountl(mask);
            RJ_CHECK(mask < n && !seen[mask], seed, "L = %lu: mask %lu repeated or out of range",
                     (unsigned long) L, (unsigned long) mask);
            RJ_CHECK(w >= prev, seed, "L = %lu: length went down", (unsigned long) L);
            seen[mask] = 1;
            bylen[w]++;
            prev = w;
            count++;
        } while (rj_paths_list_next(&mask, L));
        RJ_CHECK(count == n, seed, "L = %lu: listed %lu of %lu paths", (unsigned long) L,
                 (unsigned long) count, (unsigned long) n);
        for (k = 0; k <= L; k++) {
            fmpz_bin_uiui(c, L, k);
            RJ_CHECK(fmpz_cmp_ui(c, bylen[k]) == 0, seed, "L = %lu: %lu paths of length %lu",
                     (unsigned long) L, (unsigned long) bylen[k], (unsigned long) k);
        }
        fmpz_clear(c);
        free(seen);
        free(bylen);
    }
}
END_TEST

START_TEST(test_label_subscripts)
{
    char buf[8 * 20 + 1], small[10];
    rj_paths_label(buf, sizeof(buf), 12, (UWORD(1) << 11) | (UWORD(1) << 9) | 1);
    RJ_CHECK(strcmp(buf, "J₁ I I I I I I I I J₁₀ I J₁₂") == 0, seed, "got '%s'", buf);
    /* the worst case fits the documented 8 L bytes */
    rj_paths_label(buf, sizeof(buf), 20, (UWORD(1) << 20) - 1);
    RJ_CHECK(strlen(buf) < sizeof(buf), seed, "label too long");
    RJ_CHECK(strncmp(buf, "J₁ J₂", strlen("J₁ J₂")) == 0, seed, "got '%s'", buf);
    RJ_CHECK(strcmp(buf + strlen(buf) - strlen("J₂₀"), "J₂₀") == 0, seed, "got '%s'", buf);
    /* a short buffer cuts at a whole symbol and stays terminated */
    rj_paths_label(small, sizeof(small), 3, 7);
    RJ_CHECK(strcmp(small, "J₁ J₂") == 0, seed, "got '%s'", small);
    rj_paths_label(buf, sizeof(buf), 0, 0);
    RJ_CHECK(buf[0] == '\0', seed, "L = 0 label");
}
END_TEST

static Suite *
paths_suite(void)
{
    Suite *s = suite_create("paths");
    TCase *tc = tcase_create("census");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_counts_small);
    tcase_add_test(tc, test_counts_random);
    tcase_add_test(tc, test_counts_20000);
    tcase_add_test(tc, test_range);
    tcase_add_test(tc, test_range_veit);
    tcase_add_test(tc, test_list_lesson_p2);
    tcase_add_test(tc, test_list_all);
    tcase_add_test(tc, test_label_subscripts);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20170517);
    return rj_test_run(paths_suite());
}
