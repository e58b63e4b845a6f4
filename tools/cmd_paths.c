/* resjac paths: the path census of a depth-L residual network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include <flint/fmpz_vec.h>
#include <mpfr.h>

#include "cli.h"
#include "cmd.h"

/* by_length of a depth-L network is about 0.2171 L^2 decimal digits in all
   (sum over k of log10 C(L, k) ~ L^2 log10(2) / (2 ln 2)); it is printed only
   when that stays below this many bytes. */
#define PATHS_BY_LENGTH_MAX_BYTES (WORD(1) << 28)
/* The human listing prints the by-length table up to this depth. */
#define PATHS_TABLE_MAX_L 100

static const char *paths_help =
    "usage: resjac paths L [--k K] [--range A B] [--list] [--json]\n"
    "\n"
    "Path census of a residual network with L blocks: a path takes, in every\n"
    "block, the skip (I) or the branch (J_l); its length is the number of\n"
    "branches taken.  There are 2^L paths, C(L, k) of length k, all counted\n"
    "exactly.\n"
    "\n"
    "  L            depth, 0 <= L <= 10000000 (RJ_PATHS_MAX_L)\n"
    "  --k K        the number of paths of length K, C(L, K), and its share\n"
    "               (0 <= K <= L)\n"
    "  --range A B  the number of paths with length in A..B (inclusive, A <= B,\n"
    "               clamped to 0..L), as an exact reduced fraction of 2^L and\n"
    "               as a percentage (4 significant digits); the binomials\n"
    "               summed (the range or its complement) times L is at most\n"
    "               2^36 (RJ_PATHS_RANGE_MAX_WORK)\n"
    "  --list       list every path in the lesson's notation (I I I, J₁ I I, ...),\n"
    "               by length; L <= 20 (RJ_PATHS_LIST_MAX_L)\n"
    "  --json       JSON on stdout: {\"L\": L, \"total\": \"2^L\", \"by_length\":\n"
    "               [\"C(L,0)\", ...]}, with --k also \"k\" and \"count_k\", with\n"
    "               --range also \"range\", \"count\", \"fraction\" (\"p/q\") and\n"
    "               \"percent\" (a number), with --list also \"paths\".  Counts are\n"
    "               decimal strings.  by_length holds about 0.22 L^2 digits: it\n"
    "               is given while that is at most 256 MB (L <= ~35000); beyond,\n"
    "               --k or --range is required and by_length is left out\n"
    "  -h, --help   this help\n"
    "\n"
    "Without --json, the table of C(L, k) by length is printed for L <= 100\n"
    "when neither --k nor --range is given.\n"
    "Example: `resjac paths 54 --range 5 17` gives 0.4537 % (Veit et al. 2016:\n"
    "ResNet-110's paths of 5..17 modules).\n"
    "Exit status: 0 success, 2 bad usage or a limit exceeded.\n";

/* "12345" or, when long, "12345678901234567890… (6021 digits)". */
static void
print_big(FILE *f, const fmpz_t z)
{
    char *s = fmpz_get_str(NULL, 10, z);
    size_t n = strlen(s);
    if (n <= 60)
        fputs(s, f);
    else
        fprintf(f, "%.20s… (%zu digits)", s, n);
    flint_free(s);
}

/* 100 * q as a double and as text with 4 significant digits. */
static double
percent_of(char *buf, size_t len, const fmpq_t q)
{
    mpfr_t p;
    double d;
    mpfr_init2(p, 128);
    fmpq_get_mpfr(p, q, MPFR_RNDN);
    mpfr_mul_ui(p, p, 100, MPFR_RNDN);
    mpfr_snprintf(buf, len, "%.4Rg", p);
    d = mpfr_get_d(p, MPFR_RNDN);
    mpfr_clear(p);
    return d;
}

/* "    = 0.4537 %"; a share below 1 that rounds to 100 says how far below. */
static void
print_percent(const fmpq_t frac, const char *pct)
{
    if (strcmp(pct, "100") == 0 && !fmpq_is_one(frac)) {
        fmpq_t rest;
        char r[64];
        fmpq_init(rest);
        fmpq_sub_si(rest, frac, 1);
        fmpq_neg(rest, rest);
        percent_of(r, sizeof(r), rest);
        printf("    = 100 %% minus %s %%\n", r);
        fmpq_clear(rest);
    } else {
        printf("    = %s %%\n", pct);
    }
}

static double
by_length_bytes(ulong L)
{
    return 0.2171 * (double) L * (double) L + 4.0 * (double) L;
}

int
rj_cmd_paths(int argc, char **argv)
{
    const char *cmd = "paths";
    unsigned long L = 0, K = 0, A = 0, B = 0;
    int have_L = 0, have_k = 0, have_range = 0, list = 0, json = 0, by_length;
    int i, rc = RJ_EXIT_OK;
    fmpz_t total, c;
    fmpq_t frac;
    char pct[64];

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(paths_help, stdout);
            return RJ_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--list") == 0) {
            list = 1;
        } else if (strcmp(a, "--k") == 0) {
            if (have_k)
                return cli_usage_error(cmd, "option --k is given more than once");
            if (!cli_parse_ulong(&K, "--k", i + 1 < argc ? argv[i + 1] : NULL, 0,
                                 RJ_PATHS_MAX_L, cmd))
                return RJ_EXIT_USAGE;
            have_k = 1;
            i++;
        } else if (strcmp(a, "--range") == 0) {
            if (have_range)
                return cli_usage_error(cmd, "option --range is given more than once");
            if (!cli_parse_ulong(&A, "--range (A)", i + 1 < argc ? argv[i + 1] : NULL, 0,
                                 RJ_PATHS_MAX_L, cmd)
                || !cli_parse_ulong(&B, "--range (B)", i + 2 < argc ? argv[i + 2] : NULL, 0,
                                    RJ_PATHS_MAX_L, cmd))
                return RJ_EXIT_USAGE;
            if (A > B)
                return cli_usage_error(cmd, "--range %lu %lu: A must be at most B", A, B);
            have_range = 1;
            i += 2;
        } else if (a[0] == '-' && a[1] != '\0' && !isdigit((unsigned char) a[1])) {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (!have_L) {
            if (!cli_parse_ulong(&L, "L", a, 0, RJ_PATHS_MAX_L, cmd))
                return RJ_EXIT_USAGE;
            have_L = 1;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s' (L is already %lu)", a, L);
        }
    }
    if (!have_L)
        return cli_usage_error(cmd, "missing the depth L");
    if (have_k && K > L)
        return cli_usage_error(cmd, "--k %lu: a path of a depth-%lu network has length "
                               "0..%lu", K, L, L);
    if (have_range && (double) rj_paths_range_terms(L, A, B) * (double) L
                      > (double) RJ_PATHS_RANGE_MAX_WORK)
        return cli_usage_error(cmd, "--range %lu %lu: summing %lu binomials C(%lu, k) of up "
                               "to %lu bits is over the limit RJ_PATHS_RANGE_MAX_WORK = "
                               "2^36 (terms times L bits)", A, B,
                               rj_paths_range_terms(L, A, B), L, L);
    if (list && L > RJ_PATHS_LIST_MAX_L)
        return cli_usage_error(cmd, "--list: L = %lu exceeds the limit of %d blocks "
                               "(RJ_PATHS_LIST_MAX_L; 2^L paths)", L, RJ_PATHS_LIST_MAX_L);
    /* limits before work: the full by-length row */
    by_length = json ? by_length_bytes(L) <= (double) PATHS_BY_LENGTH_MAX_BYTES
                     : (L <= PATHS_TABLE_MAX_L && !have_k && !have_range);
    if (json && !by_length && !have_k && !have_range)
        return cli_usage_error(cmd, "--json: by_length for L = %lu would be about %.0f MB of "
                               "digits, over the limit of %ld MB; give --k K or --range A B "
                               "(by_length is then left out)", L, by_length_bytes(L) / 1e6,
                               (long) (PATHS_BY_LENGTH_MAX_BYTES >> 20));

    fmpz_init(total);
    fmpz_init(c);
    fmpq_init(frac);
    rj_paths_total(total, L);

    if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "L", json_integer((json_int_t) L));
        json_object_set_new(j, "total", cli_json_fmpz(total));
        if (by_length) {
            fmpz *counts = _fmpz_vec_init(L + 1);
            json_t *arr = json_array();
            ulong k;
            rj_paths_counts(counts, L);
            for (k = 0; k <= L; k++)
                json_array_append_new(arr, cli_json_fmpz(counts + k));
            json_object_set_new(j, "by_length", arr);
            _fmpz_vec_clear(counts, L + 1);
        }
        if (have_k) {
            rj_paths_count(c, L, K);
            fmpq_set_fmpz_frac(frac, c, total);
            json_object_set_new(j, "k", json_integer((json_int_t) K));
            json_object_set_new(j, "count_k", cli_json_fmpz(c));
            json_object_set_new(j, "fraction_k", cli_json_fmpq(frac));
            json_object_set_new(j, "percent_k", json_real(percent_of(pct, sizeof(pct), frac)));
        }
        if (have_range) {
            json_t *r = json_array();
            rj_paths_range(c, frac, L, A, B);
            json_array_append_new(r, json_integer((json_int_t) A));
            json_array_append_new(r, json_integer((json_int_t) B));
            json_object_set_new(j, "range", r);
            json_object_set_new(j, "count", cli_json_fmpz(c));
            json_object_set_new(j, "fraction", cli_json_fmpq(frac));
            json_object_set_new(j, "percent", json_real(percent_of(pct, sizeof(pct), frac)));
        }
        if (list) {
            json_t *arr = json_array();
            ulong mask = 0;
            char label[8 * RJ_PATHS_LIST_MAX_L + 8];
            do {
                json_t *o = json_object();
                rj_paths_label(label, sizeof(label), L, mask);
                json_object_set_new(o, "label", json_string(label));
                json_object_set_new(o, "length",
                                    json_integer(__builtin_popcountl(mask)));
                json_array_append_new(arr, o);
            } while (rj_paths_list_next(&mask, L));
            json_object_set_new(j, "paths", arr);
        }
        rc = cli_json_print(j);
        json_decref(j);
    } else {
        printf("residual network of depth L = %lu\n", L);
        printf("  paths: 2^%lu = ", L);
        print_big(stdout, total);
        printf("\n");
        if (by_length) {
            fmpz *counts = _fmpz_vec_init(L + 1);
            ulong k;
            rj_paths_counts(counts, L);
            printf("  paths by length k (C(L, k)):\n");
            for (k = 0; k <= L; k++) {
                printf("    k = %3lu  ", k);
                print_big(stdout, counts + k);
                printf("\n");
            }
            _fmpz_vec_clear(counts, L + 1);
        } else if (!have_k && !have_range) {
            rj_paths_count(c, L, L / 2);
            printf("  most paths have length L/2 = %lu: C(L, %lu) = ", L / 2, L / 2);
            print_big(stdout, c);
            printf("\n  (the table by length is shown for L <= %d; use --k K or --json)\n",
                   PATHS_TABLE_MAX_L);
        }
        if (have_k) {
            rj_paths_count(c, L, K);
            fmpq_set_fmpz_frac(frac, c, total);
            percent_of(pct, sizeof(pct), frac);
            printf("  length %lu: C(%lu, %lu) = ", K, L, K);
            print_big(stdout, c);
            printf(" paths\n");
            print_percent(frac, pct);
        }
        if (have_range) {
            char *fs;
            rj_paths_range(c, frac, L, A, B);
            percent_of(pct, sizeof(pct), frac);
            printf("  lengths %lu..%lu%s: ", A, B, B > L ? " (clamped to L)" : "");
            print_big(stdout, c);
            printf(" paths\n");
            fs = fmpq_get_str(NULL, 10, frac);
            if (strlen(fs) <= 120)
                printf("    fraction of all paths: %s\n", fs);
            print_percent(frac, pct);
            flint_free(fs);
        }
        if (list) {
            ulong mask = 0, len = (ulong) -1;
            char label[8 * RJ_PATHS_LIST_MAX_L + 8];
            printf("  all paths (block 1 first; J_l: branch of block l taken, I: skip):\n");
            do {
                ulong w = __builtin_popcountl(mask);
                if (w != len) {
                    rj_paths_count(c, L, w);
                    printf("    length %lu (%lu %s):\n", w, fmpz_get_ui(c),
                           fmpz_is_one(c) ? "path" : "paths");
                    len = w;
                }
                rj_paths_label(label, sizeof(label), L, mask);
                printf("      %s\n", L == 0 ? "(no blocks: the empty product, I)" : label);
            } while (rj_paths_list_next(&mask, L));
        }
    }
    fmpz_clear(total);
    fmpz_clear(c);
    fmpq_clear(frac);
    return rc;
}
