/* resjac bounds: rigorous enclosures (MPFR) of a network's Jacobian at a point,
 * its 1, infinity and Frobenius norms, an upper bound on its spectral norm and
 * a lower bound on sigma_min.  Arguments of the bounds: proofs/precise-bounds.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

#define DEFAULT_PREC 128
#define TEXT_DIGITS 20

static const char *bounds_usage =
    "usage: resjac bounds MODEL [--net NAME] [--at NAME] [--prec BITS] [--json]\n"
    "                           [--method interval]\n"
    "\n"
    "Rigorous enclosures of the Jacobian of network NAME (default: net) of the model\n"
    "file MODEL at the point NAME (default: x), with MPFR at BITS bits (default 128,\n"
    "limits [16, 262144]): every entry as midpoint +- radius, the 1, infinity and\n"
    "Frobenius norms as intervals, the spectral norm between a lower and an upper\n"
    "bound, and a lower bound on the smallest singular value.  The true value lies\n"
    "in every interval printed.  A ReLU whose input enclosure contains 0 is reported\n"
    "as a possible tie; the enclosures then hold for every choice in [0, 1].\n"
    "--json prints each enclosure as decimal midpoint and radius strings and the\n"
    "precision.  --method interval is accepted (and is the only method).\n";

static char *
str_down(const mpfr_t x)
{
    char *s, *out;
    mpfr_asprintf(&s, "%.5RDe", x);
    out = rj_strdup(s);
    mpfr_free_str(s);
    return out;
}

static json_t *
json_str_free(char *s)
{
    json_t *j = json_string(s);
    flint_free(s);
    return j;
}

static json_t *
json_mid_rad(const mpfr_t mid, const mpfr_t rad)
{
    json_t *o = json_object();
    json_object_set_new(o, "mid", json_str_free(rj_mpfr_get_str_mid(mid)));
    json_object_set_new(o, "rad", json_str_free(rj_mpfr_get_str_rad(rad)));
    return o;
}

static json_t *
json_itv(const rj_itv_t x, slong prec)
{
    mpfr_t m, r;
    json_t *o;
    mpfr_init2(m, prec);
    mpfr_init2(r, RJ_RAD_PREC);
    rj_itv_get_mid_rad(m, r, x);
    o = json_mid_rad(m, r);
    json_object_set_new(o, "lo", json_str_free(str_down(x->lo)));
    json_object_set_new(o, "hi", json_str_free(rj_mpfr_get_str_rad(x->hi)));
    mpfr_clear(m);
    mpfr_clear(r);
    return o;
}

static const char *
tie_where(const rj_tie_struct *t, const rj_net_t net)
{
    if (t->where == 0)
        return "inner";
    return net->blocks[t->block].place == RJ_PLACE_PRE ? "outer (pre)" : "outer (post)";
}

static json_t *
json_imat(const rj_imat_t A)
{
    slong r, c;
    json_t *rows = json_array();
    for (r = 0; r < A->r; r++) {
        json_t *row = json_array();
        for (c = 0; c < A->c; c++)
            json_array_append_new(row, json_mid_rad(rj_imat_mid(A, r, c), rj_imat_rad(A, r, c)));
        json_array_append_new(rows, row);
    }
    return rows;
}

/* An entry whose midpoint or radius is not finite left MPFR's exponent range
   (about 2^(2^30)): it is no enclosure (proofs/precise-bounds.md [PB 1.1]), so
   the command reports that instead of printing it. */
static int
check_finite(const rj_imat_t A, const char *what, rj_error_t err)
{
    slong r, c;
    for (r = 0; r < A->r; r++)
        for (c = 0; c < A->c; c++)
            if (!mpfr_number_p(rj_imat_mid(A, r, c)) || !mpfr_number_p(rj_imat_rad(A, r, c)))
                return rj_error_set(err, RJ_ERR_LIMIT, "%s[%ld,%ld]: the value leaves MPFR's "
                                    "exponent range (about 2^(2^30)), so no enclosure can be "
                                    "given", what, (long) (r + 1), (long) (c + 1));
    return RJ_OK;
}

static void
print_imat(const char *name, const rj_imat_t A)
{
    slong r, c;
    for (r = 0; r < A->r; r++)
        for (c = 0; c < A->c; c++)
            mpfr_printf("  %s[%ld,%ld] = %.*Rg +- %.3RUe\n", name, (long) (r + 1),
                        (long) (c + 1), TEXT_DIGITS, rj_imat_mid(A, r, c),
                        rj_imat_rad(A, r, c));
}

static json_t *
json_ties(const rj_ties_t ties, const rj_net_t net)
{
    slong r;
    json_t *tj = json_array();
    for (r = 0; r < ties->len; r++) {
        json_t *t = json_object();
        json_object_set_new(t, "block", json_integer(ties->ties[r].block + 1));
        json_object_set_new(t, "where", json_string(tie_where(ties->ties + r, net)));
        json_object_set_new(t, "unit", json_integer(ties->ties[r].unit + 1));
        json_array_append_new(tj, t);
    }
    return tj;
}

static void
print_ties(const rj_ties_t ties, const rj_net_t net)
{
    slong r;
    if (ties->len == 0)
        return;
    printf("possible ReLU ties (%ld): the enclosures hold for every choice in [0, 1]\n",
           (long) ties->len);
    for (r = 0; r < ties->len; r++)
        printf("  block %ld, %s activation, unit %ld\n", (long) (ties->ties[r].block + 1),
               tie_where(ties->ties + r, net), (long) (ties->ties[r].unit + 1));
}

typedef struct {
    const char *model, *net_name, *at;
    unsigned long prec;
    int json, graded;
} opts_t;

/* MODEL [--net NAME] [--at NAME] [--prec BITS] [--json] [--method interval]
   [--graded (expand only)]; returns -1 to go on, else an exit code. */
static int
parse_opts(opts_t *o, int argc, char **argv, const char *usage, int expand)
{
    unsigned seen = 0;
    int i;
    o->model = NULL;
    o->net_name = "net";
    o->at = "x";
    o->prec = DEFAULT_PREC;
    o->json = 0;
    o->graded = 0;
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            return RJ_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            o->json = 1;
        } else if (expand && strcmp(argv[i], "--graded") == 0) {
            o->graded = 1;
        } else if (strcmp(argv[i], "--net") == 0 || strcmp(argv[i], "--at") == 0
                   || strcmp(argv[i], "--method") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(argv[0], "option %s needs a value", argv[i]);
            if (!cli_once(&seen, argv[i][2] == 'n' ? 1 : argv[i][2] == 'a' ? 2 : 4, argv[i],
                          argv[0]))
                return RJ_EXIT_USAGE;
            if (strcmp(argv[i], "--net") == 0)
                o->net_name = argv[++i];
            else if (strcmp(argv[i], "--at") == 0)
                o->at = argv[++i];
            else if (strcmp(argv[++i], "interval") != 0)
                return cli_usage_error(argv[0], "--method: this command computes "
                                       "enclosures (interval), got '%s'", argv[i]);
        } else if (strcmp(argv[i], "--prec") == 0) {
            if (!cli_once(&seen, 8, "--prec", argv[0]))
                return RJ_EXIT_USAGE;
            if (!cli_parse_ulong(&o->prec, "--prec", i + 1 < argc ? argv[i + 1] : NULL,
                                 RJ_PRECISE_PREC_MIN, RJ_PRECISE_PREC_MAX, argv[0]))
                return RJ_EXIT_USAGE;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        } else if (o->model == NULL) {
            o->model = argv[i];
        } else {
            return cli_usage_error(argv[0], "more than one MODEL ('%s', '%s')", o->model,
                                   argv[i]);
        }
    }
    if (o->model == NULL)
        return cli_usage_error(argv[0], "no MODEL given");
    return -1;
}

/* Load and check limits before any work (depth: rj_net_validate; width). */
static int
load(rj_net_t net, fmpq_mat_t x, const opts_t *o, rj_error_t err)
{
    int st;
    if ((st = rj_model_load(net, x, o->model, o->net_name, o->at, err)) != RJ_OK
        || (st = rj_net_validate(net, err)) != RJ_OK)
        return st;
    if (rj_net_max_width(net) > RJ_PRECISE_MAX_WIDTH
        || fmpq_mat_nrows(x) > RJ_PRECISE_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT, "%s: width %ld is above the limit "
                            "RJ_PRECISE_MAX_WIDTH = %d of the precise layer", o->model,
                            (long) FLINT_MAX(rj_net_max_width(net), fmpq_mat_nrows(x)),
                            RJ_PRECISE_MAX_WIDTH);
    return RJ_OK;
}

static json_t *
json_head(const opts_t *o, const rj_net_t net)
{
    json_t *j = json_object();
    json_object_set_new(j, "model", json_string(o->model));
    json_object_set_new(j, "network", json_string(o->net_name));
    json_object_set_new(j, "point", json_string(o->at));
    json_object_set_new(j, "method", json_string("interval"));
    json_object_set_new(j, "precision", json_integer((json_int_t) o->prec));
    json_object_set_new(j, "blocks", json_integer((json_int_t) net->len));
    return j;
}

/* ---------------------------------------------------------------- jacobian/expand */

/* `resjac jacobian|expand MODEL --method interval ...` (tools/cmd.h) */

static const char *interval_jacobian_usage =
    "usage: resjac jacobian MODEL --method interval [--net NAME] [--at NAME]\n"
    "                             [--prec BITS] [--json]\n"
    "\n"
    "Rigorous enclosures (MPFR, BITS bits, default 128) of every entry of the\n"
    "Jacobian of network NAME at the point NAME; every activation is allowed\n"
    "(tanh, sigmoid too).  A ReLU whose input enclosure contains 0 is a possible\n"
    "tie: the enclosure then holds for every choice in [0, 1].\n";

int
rj_cmd_interval_jacobian(int argc, char **argv)
{
    opts_t o;
    int rc = parse_opts(&o, argc, argv, interval_jacobian_usage, 0), st;
    rj_net_t net;
    fmpq_mat_t x;
    rj_imat_t J;
    rj_ties_t ties;
    rj_error_t err;
    if (rc >= 0)
        return rc;
    rj_error_init(err);
    rj_net_init(net);
    fmpq_mat_init(x, 0, 0);
    rj_imat_init(J, 0, 0, o.prec);
    rj_ties_init(ties);
    rc = RJ_EXIT_OK;
    if ((st = load(net, x, &o, err)) != RJ_OK
        || (st = rj_precise_jacobian_fmpq(J, ties, net, x, o.prec, err)) != RJ_OK
        || (st = check_finite(J, "J", err)) != RJ_OK) {
        rc = cli_fail_model(err, o.model);
    } else if (o.json) {
        json_t *j = json_head(&o, net);
        json_object_set_new(j, "jacobian", json_imat(J));
        json_object_set_new(j, "possible_ties", json_ties(ties, net));
        rc = cli_json_print(j);
        json_decref(j);
    } else {
        printf("network '%s' (%ld block%s) at '%s': Jacobian %ldx%ld, enclosures at %lu "
               "bits\n", o.net_name, (long) net->len, net->len == 1 ? "" : "s", o.at, (long) J->r, (long) J->c, o.prec);
        print_imat("J", J);
        print_ties(ties, net);
    }
    rj_ties_clear(ties);
    rj_imat_clear(J);
    fmpq_mat_clear(x);
    rj_net_clear(net);
    return rc;
}

static const char *interval_expand_usage =
    "usage: resjac expand MODEL --method interval [--net NAME] [--at NAME]\n"
    "                           [--prec BITS] [--graded] [--json]\n"
    "\n"
    "Rigorous enclosures (MPFR) of prod(S_l + R_l) (the direct product) and with\n"
    "--graded of the path-length components G_0..G_L (L <= 4096).\n";

int
rj_cmd_interval_expand(int argc, char **argv)
{
    opts_t o;
    int rc = parse_opts(&o, argc, argv, interval_expand_usage, 1), st;
    rj_net_t net;
    fmpq_mat_t x;
    rj_imat_t P;
    rj_imat_struct *G = NULL;
    rj_precise_parts_t parts;
    rj_error_t err;
    slong k, L = 0;
    if (rc >= 0)
        return rc;
    rj_error_init(err);
    rj_net_init(net);
    fmpq_mat_init(x, 0, 0);
    rj_imat_init(P, 0, 0, o.prec);
    rj_precise_parts_init(parts);
    rc = RJ_EXIT_OK;
    if ((st = load(net, x, &o, err)) != RJ_OK) {
        rc = cli_fail_model(err, o.model);
        goto done;
    }
    L = net->len;
    if (o.graded && L > RJ_PRECISE_GRADED_MAX_L) {
        rj_error_set(err, RJ_ERR_LIMIT, "--graded: L = %ld blocks is above the limit "
                     "RJ_PRECISE_GRADED_MAX_L = %d (O(L^2) products)", (long) L,
                     RJ_PRECISE_GRADED_MAX_L);
        rc = cli_fail_model(err, o.model);
        goto done;
    }
    if ((st = rj_precise_parts_fmpq(parts, net, x, o.prec, err)) != RJ_OK
        || (st = rj_precise_expand_direct(P, parts, o.prec, err)) != RJ_OK
        || (st = check_finite(P, "P", err)) != RJ_OK) {
        rc = cli_fail_model(err, o.model);
        goto done;
    }
    if (o.graded) {
        G = flint_malloc((L + 1) * sizeof(rj_imat_struct));
        for (k = 0; k <= L; k++)
            rj_imat_init(G + k, 0, 0, o.prec);
        if ((st = rj_precise_expand_graded(G, parts, o.prec, err)) != RJ_OK) {
            rc = cli_fail_model(err, o.model);
            goto done;
        }
        for (k = 0; k <= L; k++)
            if ((st = check_finite(G + k, "G_k", err)) != RJ_OK) {
                rc = cli_fail_model(err, o.model);
                goto done;
            }
    }
    if (o.json) {
        json_t *j = json_head(&o, net);
        json_object_set_new(j, "direct", json_imat(P));
        if (o.graded) {
            json_t *g = json_array();
            for (k = 0; k <= L; k++)
                json_array_append_new(g, json_imat(G + k));
            json_object_set_new(j, "graded", g);
        }
        json_object_set_new(j, "possible_ties", json_ties(parts->ties, net));
        rc = cli_json_print(j);
        json_decref(j);
    } else {
        printf("network '%s' (%ld block%s) at '%s': enclosures at %lu bits\n", o.net_name,
               (long) L, L == 1 ? "" : "s", o.at, o.prec);
        printf("prod(S_l + R_l):\n");
        print_imat("P", P);
        if (o.graded)
            for (k = 0; k <= L; k++) {
                char name[32];
                snprintf(name, sizeof(name), "G_%ld", (long) k);
                print_imat(name, G + k);
            }
        print_ties(parts->ties, net);
    }
done:
    if (G != NULL) {
        for (k = 0; k <= L; k++)
            rj_imat_clear(G + k);
        flint_free(G);
    }
    rj_precise_parts_clear(parts);
    rj_imat_clear(P);
    fmpq_mat_clear(x);
    rj_net_clear(net);
    return rc;
}

/* ---------------------------------------------------------------- bounds */

int
rj_cmd_bounds(int argc, char **argv)
{
    opts_t o;
    int rc = parse_opts(&o, argc, argv, bounds_usage, 0), st, sig_ok;
    rj_net_t net;
    fmpq_mat_t x;
    rj_imat_t J;
    rj_ties_t ties;
    rj_itv_t n1, ninf, nf;
    mpfr_t up, lo2, smin;
    rj_error_t err;

    if (rc >= 0)
        return rc;
    rc = RJ_EXIT_OK;
    rj_error_init(err);
    rj_net_init(net);
    fmpq_mat_init(x, 0, 0);
    if ((st = load(net, x, &o, err)) != RJ_OK) {
        rj_net_clear(net);
        fmpq_mat_clear(x);
        return cli_fail_model(err, o.model);
    }

    rj_imat_init(J, 0, 0, o.prec);
    rj_ties_init(ties);
    rj_itv_init(n1, o.prec);
    rj_itv_init(ninf, o.prec);
    rj_itv_init(nf, o.prec);
    mpfr_init2(up, RJ_RAD_PREC);
    mpfr_init2(lo2, RJ_RAD_PREC);
    mpfr_init2(smin, RJ_RAD_PREC);
    if ((st = rj_precise_jacobian_fmpq(J, ties, net, x, o.prec, err)) != RJ_OK
        || (st = check_finite(J, "J", err)) != RJ_OK) {
        rc = cli_fail_model(err, o.model);
        goto done;
    }
    rj_imat_norm_1(n1, J);
    rj_imat_norm_inf(ninf, J);
    rj_imat_norm_frob(nf, J);
    rj_imat_norm2_upper(up, J);
    rj_imat_norm2_lower(lo2, J);
    sig_ok = rj_imat_sigma_min_lower(smin, J);

    if (o.json) {
        json_t *j = json_head(&o, net), *n2;
        json_object_set_new(j, "rows", json_integer((json_int_t) J->r));
        json_object_set_new(j, "cols", json_integer((json_int_t) J->c));
        json_object_set_new(j, "jacobian", json_imat(J));
        json_object_set_new(j, "norm_1", json_itv(n1, o.prec));
        json_object_set_new(j, "norm_inf", json_itv(ninf, o.prec));
        json_object_set_new(j, "norm_frobenius", json_itv(nf, o.prec));
        n2 = json_object();
        json_object_set_new(n2, "lower", json_str_free(str_down(lo2)));
        json_object_set_new(n2, "upper", json_str_free(rj_mpfr_get_str_rad(up)));
        json_object_set_new(j, "norm_2", n2);
        json_object_set_new(j, "sigma_min_lower",
                            sig_ok ? json_str_free(str_down(smin)) : json_null());
        json_object_set_new(j, "possible_ties", json_ties(ties, net));
        rc = cli_json_print(j);
        json_decref(j);
    } else {
        printf("network '%s' (%ld block%s) at '%s': Jacobian %ldx%ld, enclosures at %lu bits\n",
               o.net_name, (long) net->len, net->len == 1 ? "" : "s", o.at, (long) J->r, (long) J->c, o.prec);
        printf("Jacobian (midpoint +- radius):\n");
        print_imat("J", J);
        mpfr_printf("||J||_1   in [%.*RDg, %.*RUg]\n", TEXT_DIGITS, n1->lo, TEXT_DIGITS, n1->hi);
        mpfr_printf("||J||_inf in [%.*RDg, %.*RUg]\n", TEXT_DIGITS, ninf->lo, TEXT_DIGITS,
                    ninf->hi);
        mpfr_printf("||J||_F   in [%.*RDg, %.*RUg]\n", TEXT_DIGITS, nf->lo, TEXT_DIGITS, nf->hi);
        mpfr_printf("||J||_2   in [%.8RDg, %.8RUg]\n", lo2, up);
        if (sig_ok)
            mpfr_printf("sigma_min >= %.8RDg\n", smin);
        else
            printf("sigma_min: no positive lower bound certified (singular or too "
                   "ill-conditioned at this precision)\n");
        print_ties(ties, net);
    }

done:
    rj_imat_clear(J);
    rj_ties_clear(ties);
    rj_itv_clear(n1);
    rj_itv_clear(ninf);
    rj_itv_clear(nf);
    mpfr_clear(up);
    mpfr_clear(lo2);
    mpfr_clear(smin);
    rj_net_clear(net);
    fmpq_mat_clear(x);
    return rc;
}
