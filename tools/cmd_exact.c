/* resjac jacobian, resjac expand: the exact layer on a model file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

/* --tie all enumerates 2^T one-sided Jacobians for T ties: at most this many
   ties. */
#define CLI_MAX_TIES_ALL 10

/* ---------------------------------------------------------------- shared */

/* `--method exact` (the default) stays here; `--method interval` hands the
   whole command to the precise layer's implementation in tools/cmd_precise.c.
   Returns -1 to go on with the exact layer, else an exit code. */
static int
method_dispatch(int argc, char **argv, int expand)
{
    int i, j;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--method") != 0)
            continue;
        for (j = i + 2; j < argc; j++)
            if (strcmp(argv[j], "--method") == 0)
                return cli_usage_error(argv[0], "option --method is given more than once");
        if (i + 1 >= argc)
            return cli_usage_error(argv[0], "option --method needs a value (exact or interval)");
        if (strcmp(argv[i + 1], "interval") == 0)
            return expand ? rj_cmd_interval_expand(argc, argv) : rj_cmd_interval_jacobian(argc, argv);
        if (strcmp(argv[i + 1], "exact") != 0)
            return cli_usage_error(argv[0], "--method: expected exact or interval, got '%s'",
                                   argv[i + 1]);
    }
    return -1;
}

typedef struct {
    const char *model;
    const char *net_name;
    const char *at_name;
    const char *tie;      /* NULL: default */
    int json;
    int graded;
    int subsets;
} exact_opts;

/* Parse the options both commands share (and --graded/--subsets when
   `expand`); returns -1 when parsing went on fine, else an exit code. */
static int
parse_opts(exact_opts *o, int argc, char **argv, int expand, const char *help)
{
    const char *cmd = argv[0];
    unsigned seen = 0;
    int i;

    memset(o, 0, sizeof(*o));
    o->net_name = "net";
    o->at_name = "x";
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(help, stdout);
            return RJ_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--net") == 0 || strcmp(a, "--at") == 0
                   || strcmp(a, "--tie") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "option %s needs a value", a);
            if (!cli_once(&seen, a[2] == 'n' ? 1 : a[2] == 'a' ? 2 : 4, a, cmd))
                return RJ_EXIT_USAGE;
            if (strcmp(a, "--net") == 0)
                o->net_name = argv[++i];
            else if (strcmp(a, "--at") == 0)
                o->at_name = argv[++i];
            else {
                o->tie = argv[++i];
                if (strcmp(o->tie, "left") != 0 && strcmp(o->tie, "right") != 0
                    && (expand || strcmp(o->tie, "all") != 0))
                    return cli_usage_error(cmd, "--tie: expected %s, got '%s'",
                                           expand ? "left or right" : "left, right or all",
                                           o->tie);
            }
        } else if (strcmp(a, "--method") == 0) {
            /* validated by method_dispatch: here it can only be "exact" */
            if (!cli_once(&seen, 8, a, cmd))
                return RJ_EXIT_USAGE;
            i++;
        } else if (expand && strcmp(a, "--graded") == 0) {
            o->graded = 1;
        } else if (expand && strcmp(a, "--subsets") == 0) {
            o->subsets = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (o->model == NULL) {
            o->model = a;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s' (the model is '%s')", a,
                                   o->model);
        }
    }
    if (o->model == NULL)
        return cli_usage_error(cmd, "missing the model file");
    return -1;
}

/* "inner", "outer (pre)", "outer (post)" or "branch layer 3" */
static const char *
tie_where(char *buf, int len, const rj_net_t net, const rj_tie_struct *t)
{
    if (rj_tie_is_branch_layer(net, t))
        snprintf(buf, len, "branch layer %ld", (long) (t->layer + 1));
    else if (t->where == 0)
        snprintf(buf, len, "inner");
    else
        snprintf(buf, len, "%s", net->blocks[t->block].place == RJ_PLACE_PRE ? "outer (pre)"
                                                                            : "outer (post)");
    return buf;
}

static const char *
block_name(const rj_net_t net, slong l)
{
    return (net->names != NULL) ? net->names[l] : NULL;
}

static void
print_ties(FILE *f, const rj_net_t net, const rj_ties_t ties, const int *inert)
{
    slong i;
    char act[128], wh[64];
    if (ties->len == 0) {
        fprintf(f, "ties: none (no activation is evaluated exactly at its kink)\n");
        return;
    }
    fprintf(f, "ties: %ld (an activation evaluated exactly at its kink, where its "
            "derivative is one-sided):\n", (long) ties->len);
    for (i = 0; i < ties->len; i++) {
        const rj_tie_struct *t = ties->ties + i;
        const char *nm = block_name(net, t->block);
        rj_tie_layer_name(act, sizeof(act), net, t);
        if (rj_tie_is_branch_layer(net, t))  /* block 2 ('B'), branch layer 3 (relu), unit 5 */
            fprintf(f, "  %ld. block %ld%s%s%s, %s (%s), %s %ld%s%.0ld\n", (long) (i + 1),
                    (long) (t->block + 1), nm ? " ('" : "", nm ? nm : "", nm ? "')" : "",
                    tie_where(wh, sizeof(wh), net, t), act,
                    net->blocks[t->block].branch->layers[t->layer].kind == RJ_LAYER_MAXPOOL
                        ? "output" : "unit", (long) (t->unit + 1),
                    t->stage > 0 ? ", maximum " : "", (long) (t->stage > 0 ? t->stage + 1 : 0));
        else
            fprintf(f, "  %ld. block %ld%s%s%s, %s activation %s, unit %ld\n", (long) (i + 1),
                    (long) (t->block + 1), nm ? " ('" : "", nm ? nm : "", nm ? "')" : "",
                    tie_where(wh, sizeof(wh), net, t), act, (long) (t->unit + 1));
        if (inert != NULL && inert[i])
            fprintf(f, "     (cannot change the Jacobian: its argument's row of the "
                    "Jacobian so far is 0; not enumerated)\n");
    }
}

static json_t *
json_ties(const rj_net_t net, const rj_ties_t ties, const int *inert)
{
    json_t *arr = json_array();
    slong i;
    char act[128], wh[64];
    for (i = 0; i < ties->len; i++) {
        const rj_tie_struct *t = ties->ties + i;
        const char *nm = block_name(net, t->block);
        json_t *o = json_object();
        rj_tie_layer_name(act, sizeof(act), net, t);
        json_object_set_new(o, "block", json_integer(t->block + 1));
        json_object_set_new(o, "name", nm ? json_string(nm) : json_null());
        json_object_set_new(o, "where", json_string(tie_where(wh, sizeof(wh), net, t)));
        json_object_set_new(o, "activation", json_string(act));
        json_object_set_new(o, "unit", json_integer(t->unit + 1));
        if (t->stage > 0)      /* a maxpool window's stage: "output 1, maximum 2" */
            json_object_set_new(o, "maximum", json_integer(t->stage + 1));
        if (inert != NULL)
            json_object_set_new(o, "inert", json_boolean(inert[i]));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* "left,right,..." for the sides of choice c over n ties. */
static void
choice_label(char *buf, size_t len, ulong c, slong n)
{
    slong i;
    size_t pos = 0;
    buf[0] = '\0';
    for (i = 0; i < n && pos + 8 < len; i++)
        pos += snprintf(buf + pos, len - pos, "%s%s", i ? "," : "",
                        ((c >> i) & 1) ? "right" : "left");
}

/* The tie choice word for choice c over the kept ties (bit j of c: kept tie
   j); the other ties of the n take the right side (they cannot change the
   Jacobian).  Ties past FLINT_BITS cannot be addressed: the exact layer
   refuses the word then (RJ_ERR_LIMIT). */
static ulong
choice_word(ulong c, const slong *kept, slong nkept, slong n)
{
    ulong w = n >= FLINT_BITS ? ~UWORD(0) : (UWORD(1) << n) - 1;
    slong j;
    for (j = 0; j < nkept; j++)
        if (!((c >> j) & 1))
            w &= ~(UWORD(1) << kept[j]);
    return w;
}

/* The one-sided Jacobians at ties, grouped: identical matrices print once
   with the number of choices that give them ("64 tie cases, all:"). */
typedef struct {
    fmpq_mat_t J;
    ulong count;
    char which[4 * 16 * CLI_MAX_TIES_ALL];   /* the first TIE_GROUP_NAMED choices */
} tie_group;
#define TIE_GROUP_NAMED 3

static void
tie_groups_add(tie_group **g, slong *n, const fmpq_mat_t J, const char *label)
{
    slong i;
    for (i = 0; i < *n; i++)
        if (fmpq_mat_equal((*g)[i].J, J)) {
            tie_group *t = *g + i;
            size_t len = strlen(t->which);
            if (t->count++ < TIE_GROUP_NAMED)
                snprintf(t->which + len, sizeof(t->which) - len, "; %s", label);
            return;
        }
    *g = realloc(*g, (*n + 1) * sizeof(tie_group));
    fmpq_mat_init_set((*g)[*n].J, J);
    (*g)[*n].count = 1;
    snprintf((*g)[*n].which, sizeof((*g)[*n].which), "%s", label);
    (*n)++;
}

static void
tie_groups_clear(tie_group *g, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_mat_clear(g[i].J);
    free(g);
}

static void
tie_groups_print(tie_group *g, slong n, ulong nchoices)
{
    slong i;
    for (i = 0; i < n; i++) {
        if (g[i].count == nchoices)
            printf("  %lu tie cases, all:\n", nchoices);
        else if (g[i].count == 1)
            printf("  1 tie case, choice %s:\n", g[i].which);
        else
            printf("  %lu tie cases, all: choices %s%s\n", g[i].count, g[i].which,
                   g[i].count > TIE_GROUP_NAMED ? "; ...:" : ":");
        cli_print_mat(stdout, "    ", g[i].J);
    }
}

static int
load_model(rj_net_t net, fmpq_mat_t x, const exact_opts *o)
{
    rj_error_t err;
    rj_error_init(err);
    if (rj_model_load(net, x, o->model, o->net_name, o->at_name, err) != RJ_OK
        || cli_exact_work(err, net, fmpq_mat_nrows(x)) != RJ_OK)
        return cli_fail_model(err, o->model);
    return -1;
}

static void
print_header(const rj_net_t net, const fmpq_mat_t x, const exact_opts *o)
{
    printf("network '%s': %ld block%s, width %ld -> %ld, at point '%s'\n", o->net_name,
           (long) net->len, net->len == 1 ? "" : "s", (long) fmpq_mat_nrows(x),
           (long) (net->len ? rj_net_width_out(net) : fmpq_mat_nrows(x)), o->at_name);
}

/* ---------------------------------------------------------------- jacobian */

static const char *jacobian_help =
    "usage: resjac jacobian MODEL [--net NAME] [--at NAME] [--tie left|right|all] [--json]\n"
    "                           [--method exact|interval [--prec BITS]]\n"
    "\n"
    "The exact Jacobian dy/dx of a network at a rational point, as a matrix of\n"
    "exact rationals (piecewise-linear activations only: relu, leaky_relu,\n"
    "identity; tanh and sigmoid are refused, use the precise layer).  Blocks\n"
    "given by their layers take dense, conv2d, affine, batchnorm (when\n"
    "sqrt(var + eps) is rational), avgpool, maxpool, global_avgpool, flatten\n"
    "and those activations; other layers are refused the same way.\n"
    "Every tie (an activation evaluated exactly at its kink, e.g. relu(0)) is\n"
    "reported with its block, whether it is the inner or the outer (pre/post)\n"
    "activation, and its unit (all 1-based).\n"
    "\n"
    "  MODEL        a model file (see proofs/LANGUAGE.md)\n"
    "  --net NAME   the network to use (default: net); a block is a 1-block net\n"
    "  --at NAME    the point, a column vector (default: x)\n"
    "  --tie MODE   at ties: `all` (the default) gives the Jacobian for every\n"
    "               one-sided choice, 2^T of them for T ties (T <= 10), where a\n"
    "               tie that cannot change the Jacobian (its argument's row of\n"
    "               the Jacobian so far is 0 under every choice, proofs/ties.md\n"
    "               section 8) is listed but not counted or enumerated;\n"
    "               `left` / `right` use that one-sided derivative at every tie\n"
    "               (relu'(0) = 0 / 1, leaky_relu(a)'(0) = a / 1)\n"
    "  --json       JSON on stdout: {\"jacobian\": [[\"p/q\", ...], ...],\n"
    "               \"ties\": [{\"block\", \"name\", \"where\", \"activation\",\n"
    "               \"unit\", \"inert\"}], \"convention\": null|\"left\"|\"right\"|\"all\",\n"
    "               \"choices\": [{\"choice\": \"left,right\", \"jacobian\": ...}]}.\n"
    "               With --tie all, \"jacobian\" is the common value when every\n"
    "               choice gives the same matrix, else null\n"
    "  --method M   exact (the default) or interval: rigorous MPFR enclosures\n"
    "               of every entry, any activation (see --method interval --help)\n"
    "  -h, --help   this help\n"
    "\n"
    "Exit status: 0 success, 2 bad input, usage or a limit exceeded.\n";

int
rj_cmd_jacobian(int argc, char **argv)
{
    exact_opts o;
    rj_net_t net;
    fmpq_mat_t x, J, J0;
    rj_ties_t ties;
    rj_error_t err;
    rj_tie_policy pol;
    int rc, all, agree = 1, *inert = NULL;
    ulong c, nchoices = 1;
    slong nkept = 0, *kept = NULL;
    char label[16 * CLI_MAX_TIES_ALL];
    json_t *jo = NULL, *jchoices = NULL;
    tie_group *groups = NULL;
    slong ngroups = 0;

    if ((rc = method_dispatch(argc, argv, 0)) >= 0)
        return rc;
    if ((rc = parse_opts(&o, argc, argv, 0, jacobian_help)) >= 0)
        return rc;
    rj_net_init(net);
    rj_ties_init(ties);
    rj_error_init(err);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    fmpq_mat_init(J0, 0, 0);
    if ((rc = load_model(net, x, &o)) >= 0)
        goto done;

    /* find the ties (the same under every policy) */
    pol.mode = (o.tie && strcmp(o.tie, "left") == 0) ? RJ_TIE_LEFT : RJ_TIE_RIGHT;
    pol.choice = 0;
    if (rj_exact_jacobian(J, ties, net, x, pol, err) != RJ_OK) {
        rc = cli_fail_model(err, o.model);
        goto done;
    }
    all = ties->len > 0 && (o.tie == NULL || strcmp(o.tie, "all") == 0);
    if (all) {
        /* the ties that can change the Jacobian are the ones enumerated */
        rj_exact_record_t rec;
        slong i;
        inert = flint_calloc(ties->len, sizeof(int));
        kept = flint_malloc(ties->len * sizeof(slong));
        rj_exact_record_init(rec);
        if (rj_exact_record(rec, net, x, err) != RJ_OK
            || rj_exact_ties_inert(inert, rec, err) != RJ_OK) {
            rj_exact_record_clear(rec);
            rc = cli_fail(err);
            goto done;
        }
        rj_exact_record_clear(rec);
        for (i = 0; i < ties->len; i++)
            if (!inert[i])
                kept[nkept++] = i;
    }
    if (all && nkept == 0)
        all = 0;       /* one Jacobian: no tie can change it (inert is set) */
    if (all && nkept > CLI_MAX_TIES_ALL) {
        rc = cli_usage_error(argv[0], "%ld ties that can change the Jacobian give 2^%ld "
                             "one-sided Jacobians; --tie all is limited to %d ties: use --tie "
                             "left or --tie right", (long) nkept, (long) nkept,
                             CLI_MAX_TIES_ALL);
        goto done;
    }
    if (all) {
        nchoices = UWORD(1) << nkept;
        /* a tie the choices cannot enumerate (a maxpool window with more than
           two maxima) is refused here, before anything is written */
        pol.mode = RJ_TIE_CHOICE;
        pol.choice = choice_word(0, kept, nkept, ties->len);
        if (rj_exact_jacobian(J0, NULL, net, x, pol, err) != RJ_OK) {
            rc = cli_fail(err);
            goto done;
        }
    }

    if (o.json) {
        jo = json_object();
        json_object_set_new(jo, "network", json_string(o.net_name));
        json_object_set_new(jo, "point", json_string(o.at_name));
        json_object_set_new(jo, "blocks", json_integer(net->len));
        json_object_set_new(jo, "ties", json_ties(net, ties, inert));
        json_object_set_new(jo, "convention", ties->len == 0 ? json_null()
                            : json_string(all || inert != NULL ? "all" : o.tie));
        jchoices = json_array();
    } else {
        print_header(net, x, &o);
        print_ties(stdout, net, ties, inert);
    }

    if (!all) {
        if (o.json) {
            json_object_set_new(jo, "jacobian", cli_json_mat(J));
        } else {
            if (inert != NULL)
                printf("Jacobian dy/dx (exact; the same for every choice at the ties: none "
                       "can change it):\n");
            else if (ties->len > 0)
                printf("Jacobian dy/dx with the %s derivative at every tie:\n", o.tie
                       ? o.tie : "right");
            else
                printf("Jacobian dy/dx (exact):\n");
            cli_print_mat(stdout, "  ", J);
        }
    } else {
        if (!o.json)
            printf("Jacobian dy/dx for each of the %lu one-sided choices (sides in tie "
                   "order%s; identical ones together):\n", nchoices,
                   nkept < ties->len ? ", of the ties that can change it" : "");
        for (c = 0; c < nchoices; c++) {
            pol.mode = RJ_TIE_CHOICE;
            pol.choice = choice_word(c, kept, nkept, ties->len);
            if (rj_exact_jacobian(J, NULL, net, x, pol, err) != RJ_OK) {
                rc = cli_fail_model(err, o.model);
                goto done;
            }
            if (c == 0) {
                fmpq_mat_clear(J0);
                fmpq_mat_init_set(J0, J);
            }
            else if (!fmpq_mat_equal(J, J0))
                agree = 0;
            choice_label(label, sizeof(label), c, nkept);
            if (o.json) {
                json_t *ch = json_object();
                json_object_set_new(ch, "choice", json_string(label));
                json_object_set_new(ch, "jacobian", cli_json_mat(J));
                json_array_append_new(jchoices, ch);
            } else
                tie_groups_add(&groups, &ngroups, J, label);
        }
        if (!o.json)
            tie_groups_print(groups, ngroups, nchoices);
        if (o.json)
            json_object_set_new(jo, "jacobian", agree ? cli_json_mat(J0) : json_null());
        else if (agree)
            printf("every choice gives the same Jacobian: it does not depend on the "
                   "ties\n");
        else
            printf("the choices give different Jacobians: no single Jacobian holds at "
                   "this point, and a claim about it must hold for every choice\n");
    }
    if (o.json) {
        json_object_set_new(jo, "choices", jchoices);
        jchoices = NULL;
        if (all || inert != NULL)      /* inert ties only: one Jacobian, agreed */
            json_object_set_new(jo, "choices_agree", json_boolean(agree));
        rc = cli_json_print(jo);
    } else {
        rc = RJ_EXIT_OK;
    }

done:
    tie_groups_clear(groups, ngroups);
    if (jchoices != NULL)
        json_decref(jchoices);
    if (jo != NULL)
        json_decref(jo);
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    fmpq_mat_clear(J0);
    rj_ties_clear(ties);
    rj_net_clear(net);
    flint_free(inert);
    flint_free(kept);
    return rc;
}

/* ---------------------------------------------------------------- expand */

static const char *expand_help =
    "usage: resjac expand MODEL [--net NAME] [--at NAME] [--tie left|right]\n"
    "                           [--graded] [--subsets] [--json]\n"
    "                           [--method exact|interval [--prec BITS]]\n"
    "\n"
    "The exact expansion of prod(S_l + R_l) = J_L ... J_1 at a point, where\n"
    "J_l = S_l + R_l splits block l's Jacobian into its skip part S_l and its\n"
    "branch part R_l.  The direct product is always computed; the options add\n"
    "independent computations, and resjac CHECKS that they agree exactly:\n"
    "\n"
    "  MODEL        a model file (see proofs/LANGUAGE.md)\n"
    "  --net NAME   the network to use (default: net)\n"
    "  --at NAME    the point, a column vector (default: x)\n"
    "  --tie SIDE   the one-sided derivative used at ties: right (default) or left;\n"
    "               ties are reported (use `resjac jacobian` for every choice)\n"
    "  --subsets    the sum over all 2^L subsets of blocks of the path products\n"
    "               (prefix-sharing enumeration; L <= 26, RJ_SUBSETS_MAX_L)\n"
    "  --graded     the path-length components G_k = sum over paths with k\n"
    "               branches, k = 0..L, by dynamic programming (L (L+1) matrix\n"
    "               products), printed with C(L, k), the number of such paths;\n"
    "               their sum must equal the direct product.  When every S_l = I\n"
    "               and all R_l are equal, also G_k = C(L, k) R^k is checked\n"
    "  --json       JSON on stdout: {\"direct\": [[\"p/q\", ...]], \"subsets\": ...,\n"
    "               \"graded\": [{\"k\", \"paths\", \"G\"}], \"ties\": [...],\n"
    "               \"dyadic\": bool, \"agree\": bool}\n"
    "  --method M   exact (the default) or interval: rigorous MPFR enclosures of\n"
    "               the product and G_k (see --method interval --help)\n"
    "  -h, --help   this help\n"
    "\n"
    "Dyadic weights (every float64/float32 import) use integer arithmetic with a\n"
    "power-of-two scale; other rationals use fmpq arithmetic.\n"
    "Exit status: 0 all computations agree, 1 they disagree (a bug in resjac:\n"
    "please report it), 2 bad input, usage or a limit exceeded.\n";

/* All S_l = I and all R_l equal: the commuting case. */
static int
is_commuting(const rj_exact_parts_t p)
{
    slong l;
    for (l = 0; l < p->len; l++) {
        if (!fmpq_mat_is_square(p->S + l) || !fmpq_mat_is_one(p->S + l))
            return 0;
        if (l > 0 && !fmpq_mat_equal(p->R + l, p->R + 0))
            return 0;
    }
    return p->len > 0;
}

int
rj_cmd_expand(int argc, char **argv)
{
    exact_opts o;
    rj_net_t net;
    fmpq_mat_t x, P, Ps, Sum;
    rj_exact_parts_t parts;
    rj_ties_t ties;
    rj_error_t err;
    rj_tie_policy pol;
    fmpq_mat_struct *G = NULL, *Gc = NULL;
    fmpz_t cnt;
    slong L = 0, k;
    int rc, ok_subsets = 1, ok_graded = 1, ok_comm = 1, commuting = 0, dyadic;
    json_t *jo = NULL;

    if ((rc = method_dispatch(argc, argv, 1)) >= 0)
        return rc;
    if ((rc = parse_opts(&o, argc, argv, 1, expand_help)) >= 0)
        return rc;
    rj_net_init(net);
    rj_ties_init(ties);
    rj_error_init(err);
    rj_exact_parts_init(parts);
    fmpz_init(cnt);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(P, 0, 0);
    fmpq_mat_init(Ps, 0, 0);
    fmpq_mat_init(Sum, 0, 0);
    if ((rc = load_model(net, x, &o)) >= 0)
        goto done;
    L = net->len;
    /* limits before work */
    if (o.subsets && L > RJ_SUBSETS_MAX_L) {
        rc = cli_usage_error(argv[0], "--subsets: the network has L = %ld blocks (2^%ld "
                             "paths); subset enumeration is limited to L <= %d "
                             "(RJ_SUBSETS_MAX_L): use --graded", (long) L, (long) L,
                             RJ_SUBSETS_MAX_L);
        goto done;
    }
    if (o.graded && (double) 2 * (L + 1) * FLINT_MAX(rj_net_max_width(net), fmpq_mat_nrows(x))
                    * fmpq_mat_nrows(x) > (double) RJ_EXACT_MAX_ENTRIES) {
        rc = cli_usage_error(argv[0], "--graded: %ld components of up to %ldx%ld entries "
                             "exceed the limit of %ld matrix entries (RJ_EXACT_MAX_ENTRIES)",
                             (long) (L + 1), (long) rj_net_max_width(net),
                             (long) fmpq_mat_nrows(x), (long) RJ_EXACT_MAX_ENTRIES);
        goto done;
    }
    pol.mode = (o.tie && strcmp(o.tie, "left") == 0) ? RJ_TIE_LEFT : RJ_TIE_RIGHT;
    pol.choice = 0;
    if (rj_exact_parts(parts, ties, net, x, pol, err) != RJ_OK
        || rj_expand_direct(P, parts, err) != RJ_OK) {
        rc = cli_fail_model(err, o.model);
        goto done;
    }
    dyadic = rj_exact_parts_is_dyadic(parts);
    if (o.subsets) {
        if (rj_expand_subsets(Ps, parts, err) != RJ_OK) {
            rc = cli_fail_model(err, o.model);
            goto done;
        }
        ok_subsets = fmpq_mat_equal(Ps, P);
    }
    if (o.graded) {
        G = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
        for (k = 0; k <= L; k++)
            fmpq_mat_init(G + k, 0, 0);
        if (rj_expand_graded(G, parts, err) != RJ_OK) {
            rc = cli_fail_model(err, o.model);
            goto done;
        }
        fmpq_mat_clear(Sum);
        fmpq_mat_init(Sum, fmpq_mat_nrows(P), fmpq_mat_ncols(P));
        for (k = 0; k <= L; k++)
            fmpq_mat_add(Sum, Sum, G + k);
        ok_graded = fmpq_mat_equal(Sum, P);
        commuting = is_commuting(parts);
        if (commuting) {
            Gc = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
            for (k = 0; k <= L; k++)
                fmpq_mat_init(Gc + k, 0, 0);
            if (rj_expand_graded_commuting(Gc, parts->R + 0, L, err) != RJ_OK) {
                rc = cli_fail_model(err, o.model);
                goto done;
            }
            for (k = 0; k <= L; k++)
                ok_comm &= fmpq_mat_equal(Gc + k, G + k);
        }
    }

    if (o.json) {
        jo = json_object();
        json_object_set_new(jo, "network", json_string(o.net_name));
        json_object_set_new(jo, "point", json_string(o.at_name));
        json_object_set_new(jo, "blocks", json_integer(L));
        json_object_set_new(jo, "dyadic", json_boolean(dyadic));
        json_object_set_new(jo, "ties", json_ties(net, ties, NULL));
        json_object_set_new(jo, "convention", ties->len == 0 ? json_null()
                            : json_string(pol.mode == RJ_TIE_LEFT ? "left" : "right"));
        json_object_set_new(jo, "direct", cli_json_mat(P));
        if (o.subsets)
            json_object_set_new(jo, "subsets", cli_json_mat(Ps));
        if (o.graded) {
            json_t *arr = json_array();
            for (k = 0; k <= L; k++) {
                json_t *g = json_object();
                rj_paths_count(cnt, L, k);
                json_object_set_new(g, "k", json_integer(k));
                json_object_set_new(g, "paths", cli_json_fmpz(cnt));
                json_object_set_new(g, "G", cli_json_mat(G + k));
                json_array_append_new(arr, g);
            }
            json_object_set_new(jo, "graded", arr);
            json_object_set_new(jo, "commuting", json_boolean(commuting));
        }
        json_object_set_new(jo, "agree", json_boolean(ok_subsets && ok_graded && ok_comm));
        rc = cli_json_print(jo);
    } else {
        print_header(net, x, &o);
        print_ties(stdout, net, ties, NULL);
        if (ties->len > 0)
            printf("(the parts use the %s derivative at every tie)\n",
                   pol.mode == RJ_TIE_LEFT ? "left" : "right");
        printf("arithmetic: %s\n", dyadic ? "dyadic (integers with a power-of-two scale)"
               : "rational (fmpq)");
        if (L > 1)
            printf("direct product J_%ld ... J_1:\n", (long) L);
        else
            printf("direct product (L = %ld):\n", (long) L);
        cli_print_mat(stdout, "  ", P);
        if (o.subsets) {
            printf("sum over all 2^%ld subsets of blocks: %s the direct product\n", (long) L,
                   ok_subsets ? "equals" : "DIFFERS FROM");
            if (!ok_subsets)
                cli_print_mat(stdout, "  ", Ps);
        }
        if (o.graded) {
            printf("path-length components G_k (C(L, k) paths of length k each):\n");
            for (k = 0; k <= L; k++) {
                rj_paths_count(cnt, L, k);
                printf("  G_%ld  (C(%ld, %ld) = ", (long) k, (long) L, (long) k);
                fmpz_print(cnt);
                printf(" %s):\n", fmpz_is_one(cnt) ? "path" : "paths");
                cli_print_mat(stdout, "    ", G + k);
            }
            printf("sum of G_0..G_%ld: %s the direct product\n", (long) L,
                   ok_graded ? "equals" : "DIFFERS FROM");
            if (commuting)
                printf("commuting case (every S_l = I, all R_l equal): G_k = C(L, k) R^k "
                       "%s\n", ok_comm ? "holds" : "FAILS");
        }
        rc = RJ_EXIT_OK;
    }
    if (!(ok_subsets && ok_graded && ok_comm)) {
        fprintf(stderr, "resjac expand: the exact computations disagree (%s%s%s); this is a "
                "bug in resjac\n", ok_subsets ? "" : "subset sum vs direct product; ",
                ok_graded ? "" : "sum of G_k vs direct product; ",
                ok_comm ? "" : "G_k vs C(L,k) R^k");
        rc = RJ_EXIT_FAIL;
    }

done:
    if (jo != NULL)
        json_decref(jo);
    if (G != NULL) {
        for (k = 0; k <= L; k++)
            fmpq_mat_clear(G + k);
        flint_free(G);
    }
    if (Gc != NULL) {
        for (k = 0; k <= L; k++)
            fmpq_mat_clear(Gc + k);
        flint_free(Gc);
    }
    fmpz_clear(cnt);
    fmpq_mat_clear(x);
    fmpq_mat_clear(P);
    fmpq_mat_clear(Ps);
    fmpq_mat_clear(Sum);
    rj_exact_parts_clear(parts);
    rj_ties_clear(ties);
    rj_net_clear(net);
    return rc;
}
