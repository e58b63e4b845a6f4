/* resjac: the command-line tool's `main`.  A table maps each command name to
 * its function (tools/cmd.h, one tools/cmd_*.c per layer) and its one-line
 * help; the helpers the commands share are in tools/cli.c. */
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "cmd.h"

typedef struct {
    const char *name;
    const char *args;   /* the synopsis after the name */
    const char *help;   /* one line for `resjac --help` */
    int (*run)(int argc, char **argv);
} command_t;

static const command_t commands[] = {
    {"check", "[FILE...]", "decide the claims in FILEs (default: the bundled proofs)",
     rj_cmd_check},
    {"paths", "L", "path census of a depth-L residual network", rj_cmd_paths},
    {"jacobian", "MODEL", "exact Jacobian of a model's network at its point",
     rj_cmd_jacobian},
    {"expand", "MODEL", "exact expansion of prod(S_l + R_l): direct, subsets, graded",
     rj_cmd_expand},
    {"bounds", "MODEL", "rigorous norm and singular-value bounds (MPFR)", rj_cmd_bounds},
    {"grad", "MODEL", "float gradients, per-layer norms, per path length (OpenBLAS)",
     rj_cmd_grad},
    {"xval", "MODEL", "float, enclosure and exact results side by side", rj_cmd_xval},
};

#define NCOMMANDS ((int) (sizeof(commands) / sizeof(commands[0])))

static void
print_usage(FILE *f)
{
    int i;
    fputs("usage: resjac COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "resjac verifies the mathematics of residual networks: exactly (FLINT),\n"
          "with rigorous enclosures (MPFR) and at float speed (OpenBLAS).\n"
          "\n"
          "commands:\n", f);
    for (i = 0; i < NCOMMANDS; i++) {
        char synopsis[64];
        snprintf(synopsis, sizeof(synopsis), "%s %s", commands[i].name, commands[i].args);
        fprintf(f, "  %-20s%s\n", synopsis, commands[i].help);
    }
    fputs("\n"
          "Run `resjac COMMAND --help` for a command's options.\n"
          "Every command takes --max-memory SIZE (e.g. 2G; or RESJAC_MAX_MEMORY): the\n"
          "most memory numbers and matrices may hold at once, by default half the\n"
          "physical memory (at most 8G, at most 3/4 of the virtual memory limit).\n"
          "Exit status: 0 success, 1 a check found a disagreement, 2 bad input or usage.\n",
          f);
}

static int
dispatch(int argc, char **argv)
{
    const char *cmd = argv[1];
    int i;
    if (cli_is_help(cmd)) {
        print_usage(stdout);
        return RJ_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("resjac %s\n", PACKAGE_VERSION);
        return RJ_EXIT_OK;
    }
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "resjac: unknown command '%s'\n", cmd);
    print_usage(stderr);
    return RJ_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    int rc = cli_memory_setup(&argc, argv);   /* before anything allocates */
    if (rc != RJ_EXIT_OK)
        return rc;
    if (argc < 2) {
        print_usage(stderr);
        return RJ_EXIT_USAGE;
    }
    /* Output that cannot be written is an error, not a success: a closed
       standard output is refused before any work (a file opened later could
       take its descriptor), a full or failing one when it is flushed. */
    if (fcntl(STDOUT_FILENO, F_GETFD) == -1) {
        fprintf(stderr, "resjac: standard output is closed: nothing can be written\n");
        return RJ_EXIT_USAGE;
    }
    rc = dispatch(argc, argv);
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "resjac: cannot write the output%s%s\n", errno != 0 ? ": " : "",
                errno != 0 ? strerror(errno) : "");
        rc = RJ_EXIT_USAGE;
    }
    flint_cleanup();   /* release FLINT's caches so leak checkers see none */
    return rc;
}
