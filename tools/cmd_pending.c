/* Subcommands whose module has not landed yet: they say so and exit 2.
   Each module's tools/cmd_*.c replaces its entries here. */
#include <stdio.h>
#include "cli.h"

#define PENDING(fn, what) int fn(int argc, char **argv) { \
    fprintf(stderr, "resjac %s: not available in this build (%s)\n", argv[0], what); \
    return RJ_EXIT_USAGE; }

