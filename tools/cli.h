/* resjac command line: the helpers that the subcommands share (tools/cli.c).
 * Exit codes: RJ_EXIT_OK 0 success; RJ_EXIT_FAIL 1 a check found a
 * disagreement (or a claim failed); RJ_EXIT_USAGE 2 bad input or usage. */
#ifndef RESJAC_TOOLS_CLI_H
#define RESJAC_TOOLS_CLI_H

#include <stdio.h>
#include <jansson.h>
#include <flint/fmpq_mat.h>

#include "resjac.h"

#define RJ_EXIT_OK 0
#define RJ_EXIT_FAIL 1
#define RJ_EXIT_USAGE 2

/* Print "resjac: <formatted error>" to stderr and return RJ_EXIT_USAGE. */
int cli_fail(const rj_error_t err);
/* The same for a failure on the network of a model file: a message that has
   no file of its own is given model's name (MODEL: ...). */
int cli_fail_model(rj_error_t err, const char *model);
/* Print "resjac CMD: msg" to stderr and return RJ_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 1 if s is "--help" or "-h". */
int cli_is_help(const char *s);
/* Parse a non-negative integer option value in [lo, hi]; on failure print a
   message naming the option and return 0. */
int cli_parse_ulong(unsigned long *out, const char *opt, const char *s,
                    unsigned long lo, unsigned long hi, const char *cmd);

/* A --dtype value: f32 (float32) or f64 (float64) sets *t, "both" (when
   allow_both) sets *both; 0 if s is none of them. */
int cli_parse_dtype(rj_fast_dtype *t, int *both, const char *s, int allow_both);

/* An option that takes a value may be given once: bit is its flag in *seen;
   when it is already set, print a message naming the option and return 0. */
int cli_once(unsigned *seen, unsigned bit, const char *opt, const char *cmd);

/* The memory limit of the run (RJ_MAX_BYTES): count what FLINT, GMP and MPFR
   hold (rj_memory_track, reporting the limit and exiting 2 when it is
   reached), set the limit from RESJAC_MAX_MEMORY and then from --max-memory
   SIZE (anywhere among the arguments, taken out of argv).  SIZE is bytes or
   a number with K, M, G or T (powers of 1024), at least CLI_MIN_MEMORY.
   RJ_EXIT_OK, or a message naming the option or variable and RJ_EXIT_USAGE.
   Call first in main. */
#define CLI_MIN_MEMORY (((size_t) 16) << 20)
int cli_memory_setup(int *argc, char **argv);

/* The work of an exact pass through net from n_in inputs, estimated before it
   starts (2 products of up to w x w by w x n_in per block): RJ_ERR_LIMIT in
   err when it is over RJ_MAX_MUL_WORK (issue 15: a 2000-wide float64 model
   ran minutes into the memory limit), else RJ_OK. */
int cli_exact_work(rj_error_t err, const rj_net_t net, slong n_in);

/* JSON helpers (jansson): exact "p/q" strings. */
json_t *cli_json_fmpq(const fmpq_t q);
json_t *cli_json_fmpz(const fmpz_t z);
json_t *cli_json_mat(const fmpq_mat_t A);     /* array of rows of "p/q" */
/* Dump to stdout with a final newline; returns 0 or RJ_EXIT_USAGE. */
int cli_json_print(json_t *j);
/* Print a matrix as aligned rows of exact rationals, indented. */
void cli_print_mat(FILE *f, const char *indent, const fmpq_mat_t A);

#endif
