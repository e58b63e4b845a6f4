/* resjac command line: the subcommands (tools/cmd_*.c), which tools/resjac.c
 * dispatches to.  Each gets argv with argv[0] = the subcommand name and
 * returns an exit status (tools/cli.h). */
#ifndef RESJAC_TOOLS_CMD_H
#define RESJAC_TOOLS_CMD_H

int rj_cmd_paths(int argc, char **argv);      /* tools/cmd_paths.c */
int rj_cmd_jacobian(int argc, char **argv);   /* tools/cmd_exact.c */
int rj_cmd_expand(int argc, char **argv);     /* tools/cmd_exact.c */
int rj_cmd_bounds(int argc, char **argv);     /* tools/cmd_precise.c */
int rj_cmd_grad(int argc, char **argv);       /* tools/cmd_fast.c */
int rj_cmd_xval(int argc, char **argv);       /* tools/cmd_xval.c */
int rj_cmd_check(int argc, char **argv);      /* tools/cmd_check.c */

/* `jacobian|expand --method interval`: the precise layer's versions
   (tools/cmd_precise.c), which rj_cmd_jacobian and rj_cmd_expand hand over to;
   they take the same MODEL/--net/--at/--json options plus --prec (and --graded
   for expand). */
int rj_cmd_interval_jacobian(int argc, char **argv);
int rj_cmd_interval_expand(int argc, char **argv);

#endif
