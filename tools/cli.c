/* resjac command line: the helpers that the subcommands share (tools/cli.h):
 * error and usage messages, option values, JSON and matrix printing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "cli.h"

int
cli_fail(const rj_error_t err)
{
    char buf[1024];
    rj_error_format(buf, sizeof(buf), err);
    fprintf(stderr, "resjac: %s\n", buf);
    return RJ_EXIT_USAGE;
}

int
cli_fail_model(rj_error_t err, const char *model)
{
    if (err->file[0] == '\0' && model != NULL)
        snprintf(err->file, sizeof(err->file), "%s", model);
    return cli_fail(err);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "resjac %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see `resjac %s --help`)\n", cmd);
    return RJ_EXIT_USAGE;
}

int
cli_is_help(const char *s)
{
    return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

int
cli_parse_ulong(unsigned long *out, const char *opt, const char *s,
                unsigned long lo, unsigned long hi, const char *cmd)
{
    char *end;
    unsigned long v;
    if (s == NULL) {
        cli_usage_error(cmd, "option %s needs a value", opt);
        return 0;
    }
    errno = 0;
    /* digits only: strtoul would take leading blanks, '+' and '-' (wrapping) */
    if (*s < '0' || *s > '9') {
        cli_usage_error(cmd, "%s: expected a non-negative integer, got '%s'", opt, s);
        return 0;
    }
    v = strtoul(s, &end, 10);
    if (*end != '\0') {
        cli_usage_error(cmd, "%s: expected a non-negative integer, got '%s'", opt, s);
        return 0;
    }
    if (errno == ERANGE) {
        cli_usage_error(cmd, "%s: %s is outside the limit [%lu, %lu]", opt, s, lo, hi);
        return 0;
    }
    if (v < lo || v > hi) {
        cli_usage_error(cmd, "%s: %lu is outside the limit [%lu, %lu]", opt, v, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int
cli_parse_dtype(rj_fast_dtype *t, int *both, const char *s, int allow_both)
{
    if (strcmp(s, "f32") == 0 || strcmp(s, "float32") == 0)
        *t = RJ_FAST_F32;
    else if (strcmp(s, "f64") == 0 || strcmp(s, "float64") == 0)
        *t = RJ_FAST_F64;
    else if (allow_both && strcmp(s, "both") == 0)
        *both = 1;
    else
        return 0;
    return 1;
}

int
cli_once(unsigned *seen, unsigned bit, const char *opt, const char *cmd)
{
    if (*seen & bit) {
        cli_usage_error(cmd, "option %s is given more than once", opt);
        return 0;
    }
    *seen |= bit;
    return 1;
}

/* A JSON string of s, a string FLINT allocated, which it frees. */
static json_t *
json_flint_string(char *s)
{
    json_t *j = json_string(s);
    flint_free(s);
    return j;
}

json_t *
cli_json_fmpq(const fmpq_t q)
{
    return json_flint_string(fmpq_get_str(NULL, 10, q));
}

json_t *
cli_json_fmpz(const fmpz_t z)
{
    return json_flint_string(fmpz_get_str(NULL, 10, z));
}

json_t *
cli_json_mat(const fmpq_mat_t A)
{
    slong i, j;
    json_t *rows = json_array();
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        json_t *row = json_array();
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            json_array_append_new(row, cli_json_fmpq(fmpq_mat_entry(A, i, j)));
        json_array_append_new(rows, row);
    }
    return rows;
}

int
cli_json_print(json_t *j)
{
    int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    return rc == 0 ? RJ_EXIT_OK : RJ_EXIT_USAGE;
}

void
cli_print_mat(FILE *f, const char *indent, const fmpq_mat_t A)
{
    slong i, j, r = fmpq_mat_nrows(A), c = fmpq_mat_ncols(A);
    slong w = 1;
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            char *s = fmpq_get_str(NULL, 10, fmpq_mat_entry(A, i, j));
            if ((slong) strlen(s) > w)
                w = strlen(s);
            flint_free(s);
        }
    for (i = 0; i < r; i++) {
        fprintf(f, "%s[", indent);
        for (j = 0; j < c; j++) {
            char *s = fmpq_get_str(NULL, 10, fmpq_mat_entry(A, i, j));
            fprintf(f, "%s%*s", j ? "  " : " ", (int) w, s);
            flint_free(s);
        }
        fprintf(f, " ]\n");
    }
}

/* ------------------------------------------------------------ the memory limit */

/* s as a byte count: digits, then nothing or one of K, M, G, T (powers of
   1024, an optional B or iB after it); 0 when s is not one. */
static int
parse_bytes(size_t *out, const char *s)
{
    char *end;
    double v, mult = 1;
    if (s[0] < '0' || s[0] > '9')
        return 0;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s)
        return 0;
    switch (*end) {
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (mult > 1 && (strcmp(end, "B") == 0 || strcmp(end, "iB") == 0))
        end += strlen(end);
    if (*end != '\0' || v * mult >= 0x1p62)
        return 0;
    *out = (size_t) (v * mult);
    return 1;
}

/* The counting allocator's report (rj_memory_track): the tool's one
   out-of-memory message, then exit 2 (what was printed before is kept). */
static void
cli_out_of_memory(size_t request, size_t used, size_t limit)
{
    rj_loc_t w = rj_memory_where();
    fflush(stdout);
    fprintf(stderr, "resjac: ");
    if (w.file != NULL)
        fprintf(stderr, "%s:%d:%d: ", w.file, w.line, w.col);
    fprintf(stderr, "memory limit reached: %.3g MB more would take the %.3g MB held over "
            "the limit of %.3g MB (set it with --max-memory SIZE or RESJAC_MAX_MEMORY)\n",
            (double) request / 1e6, (double) used / 1e6, (double) limit / 1e6);
    exit(RJ_EXIT_USAGE);
}

int
cli_memory_setup(int *argc, char **argv)
{
    const char *env = getenv("RESJAC_MAX_MEMORY");
    size_t bytes = 0;
    int i, j;
    rj_memory_track(cli_out_of_memory);
    rj_set_max_bytes(rj_max_bytes_for_machine());
    if (env != NULL && env[0] != '\0') {
        if (!parse_bytes(&bytes, env) || bytes < CLI_MIN_MEMORY) {
            fprintf(stderr, "resjac: RESJAC_MAX_MEMORY: expected a size of at least 16M "
                    "(bytes, or with K, M, G, T), got '%s'\n", env);
            return RJ_EXIT_USAGE;
        }
        rj_set_max_bytes(bytes);
    }
    for (i = 1, j = 1; i < *argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (strcmp(a, "--max-memory") == 0) {
            if (i + 1 >= *argc) {
                fprintf(stderr, "resjac: option --max-memory needs a value\n");
                return RJ_EXIT_USAGE;
            }
            val = argv[++i];
        } else if (strncmp(a, "--max-memory=", 13) == 0)
            val = a + 13;
        else {
            argv[j++] = argv[i];
            continue;
        }
        if (!parse_bytes(&bytes, val) || bytes < CLI_MIN_MEMORY) {
            fprintf(stderr, "resjac: --max-memory: expected a size of at least 16M (bytes, "
                    "or with K, M, G, T), got '%s'\n", val);
            return RJ_EXIT_USAGE;
        }
        rj_set_max_bytes(bytes);
    }
    argv[j] = NULL;
    *argc = j;
    return RJ_EXIT_OK;
}

int
cli_exact_work(rj_error_t err, const rj_net_t net, slong n_in)
{
    double w = (double) FLINT_MAX(rj_net_max_width(net), n_in);
    double madds = (double) net->len * 2 * w * w * (double) n_in;
    if (madds <= RJ_MAX_MUL_WORK)
        return RJ_OK;
    return rj_error_set(err, RJ_ERR_LIMIT, "the exact pass would take about %.3g multiply-adds "
                        "of exact numbers (%ld blocks up to %.0f wide, %ld inputs), over the "
                        "limit %.3g (RJ_MAX_MUL_WORK); use the precise layer (--method "
                        "interval)", madds, (long) net->len, w, (long) n_in, RJ_MAX_MUL_WORK);
}
