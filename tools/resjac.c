/* resjac: the command-line tool.  Dispatches to the subcommands in
 * tools/cmd_*.c and holds the helpers they share (tools/cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "config.h"
#include "cli.h"

static const char *usage_text =
    "usage: resjac COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "resjac verifies the mathematics of residual networks: exactly (FLINT),\n"
    "with rigorous enclosures (MPFR) and at float speed (OpenBLAS).\n"
    "\n"
    "commands:\n"
    "  check [FILE...]     decide the claims in FILEs (default: the bundled proofs)\n"
    "  paths L             path census of a depth-L residual network\n"
    "  jacobian MODEL      exact Jacobian of a model's network at its point\n"
    "  expand MODEL        exact expansion of prod(S_l + R_l): direct, subsets, graded\n"
    "  bounds MODEL        rigorous norm and singular-value bounds (MPFR)\n"
    "  grad MODEL          float gradients, per-layer norms, per path length (OpenBLAS)\n"
    "  xval MODEL          float, enclosure and exact results side by side\n"
    "\n"
    "Run `resjac COMMAND --help` for a command's options.\n"
    "Exit status: 0 success, 1 a check found a disagreement, 2 bad input or usage.\n";

int
cli_fail(const rj_error_t err)
{
    char buf[1024];
    rj_error_format(buf, sizeof(buf), err);
    fprintf(stderr, "resjac: %s\n", buf);
    return RJ_EXIT_USAGE;
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
cli_once(unsigned *seen, unsigned bit, const char *opt, const char *cmd)
{
    if (*seen & bit) {
        cli_usage_error(cmd, "option %s is given more than once", opt);
        return 0;
    }
    *seen |= bit;
    return 1;
}

json_t *
cli_json_fmpq(const fmpq_t q)
{
    char *s = fmpq_get_str(NULL, 10, q);
    json_t *j = json_string(s);
    flint_free(s);
    return j;
}

json_t *
cli_json_fmpz(const fmpz_t z)
{
    char *s = fmpz_get_str(NULL, 10, z);
    json_t *j = json_string(s);
    flint_free(s);
    return j;
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

static int
dispatch(int argc, char **argv)
{
    const char *cmd = argv[1];
    if (cli_is_help(cmd)) {
        fputs(usage_text, stdout);
        return RJ_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("resjac %s\n", PACKAGE_VERSION);
        return RJ_EXIT_OK;
    }
    if (strcmp(cmd, "paths") == 0)
        return rj_cmd_paths(argc - 1, argv + 1);
    if (strcmp(cmd, "jacobian") == 0)
        return rj_cmd_jacobian(argc - 1, argv + 1);
    if (strcmp(cmd, "expand") == 0)
        return rj_cmd_expand(argc - 1, argv + 1);
    if (strcmp(cmd, "bounds") == 0)
        return rj_cmd_bounds(argc - 1, argv + 1);
    if (strcmp(cmd, "grad") == 0)
        return rj_cmd_grad(argc - 1, argv + 1);
    if (strcmp(cmd, "xval") == 0)
        return rj_cmd_xval(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return rj_cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "resjac: unknown command '%s'\n%s", cmd, usage_text);
    return RJ_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    int rc;
    if (argc < 2) {
        fputs(usage_text, stderr);
        return RJ_EXIT_USAGE;
    }
    rc = dispatch(argc, argv);
    flint_cleanup();   /* release FLINT's caches so leak checkers see none */
    return rc;
}
