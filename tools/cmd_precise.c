/* resjac bounds: rigorous enclosures (MPFR) of a network's Jacobian at a point,
 * its 1, infinity and Frobenius norms, an upper bound on its spectral norm and
 * a lower bound on sigma_min.  Arguments of the bounds: proofs/precise-bounds.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_PREC 128
#define TEXT_DIGITS 20

static const char *bounds_usage =
    "usage: resjac bounds MODEL [--net NAME] [--at NAME] [--prec BITS] [--json]\n"
    "\n"
    "Rigorous enclosures of the Jacobian of network NAME (default: net) of the model\n"
    "file MODEL at the point NAME (default: x), with MPFR at BITS bits (default 128,\n"
    "limits [16, 262144]): every entry as midpoint +- radius, the 1, infinity and\n"
    "Frobenius norms as intervals, the spectral norm between a lower and an upper\n"
    "bound, and a lower bound on the smallest singular value.  The true value lies\n"
    "in every interval printed.  A ReLU whose input enclosure contains 0 is reported\n"
    "as a possible tie; the enclosures then hold for every choice in [0, 1].\n"
    "--json prints each enclosure as decimal midpoint and radius strings and the\n"
    "precision.\n";

static char *
str_down(const mpfr_t x)
{
    char *s, *out;
    mpfr_asprintf(&s, "%.5RDe", x);
    out = flint_malloc(strlen(s) + 1);
    strcpy(out, s);
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

int
rj_cmd_bounds(int argc, char **argv)
{
    const char *model = NULL, *net_name = "net", *at = "x";
    unsigned long prec = DEFAULT_PREC;
    int json = 0, i, st, rc = RJ_EXIT_OK, sig_ok;
    rj_net_t net;
    fmpq_mat_t x;
    rj_imat_t J;
    rj_ties_t ties;
    rj_itv_t n1, ninf, nf;
    mpfr_t up, lo2, smin;
    rj_error_t err;

    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(bounds_usage, stdout);
            return RJ_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--net") == 0 || strcmp(argv[i], "--at") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(argv[0], "option %s needs a value", argv[i]);
            if (strcmp(argv[i], "--net") == 0)
                net_name = argv[++i];
            else
                at = argv[++i];
        } else if (strcmp(argv[i], "--prec") == 0) {
            if (!cli_parse_ulong(&prec, "--prec", i + 1 < argc ? argv[i + 1] : NULL,
                                 RJ_PRECISE_PREC_MIN, RJ_PRECISE_PREC_MAX, argv[0]))
                return RJ_EXIT_USAGE;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        } else if (model == NULL) {
            model = argv[i];
        } else {
            return cli_usage_error(argv[0], "more than one MODEL ('%s', '%s')", model, argv[i]);
        }
    }
    if (model == NULL)
        return cli_usage_error(argv[0], "no MODEL given");

    rj_error_init(err);
    rj_net_init(net);
    fmpq_mat_init(x, 0, 0);
    if ((st = rj_model_load(net, x, model, net_name, at, err)) != RJ_OK
        || (st = rj_net_validate(net, err)) != RJ_OK) {
        rj_net_clear(net);
        fmpq_mat_clear(x);
        return cli_fail(err);
    }
    /* limits before work: depth (rj_net_validate), width, precision (parsed) */
    if (rj_net_max_width(net) > RJ_PRECISE_MAX_WIDTH || fmpq_mat_nrows(x) > RJ_PRECISE_MAX_WIDTH) {
        rj_error_set(err, RJ_ERR_LIMIT, "%s: width %ld is above the limit "
                     "RJ_PRECISE_MAX_WIDTH = %d of resjac bounds", model,
                     (long) FLINT_MAX(rj_net_max_width(net), fmpq_mat_nrows(x)),
                     RJ_PRECISE_MAX_WIDTH);
        rj_net_clear(net);
        fmpq_mat_clear(x);
        return cli_fail(err);
    }

    rj_imat_init(J, 0, 0, prec);
    rj_ties_init(ties);
    rj_itv_init(n1, prec);
    rj_itv_init(ninf, prec);
    rj_itv_init(nf, prec);
    mpfr_init2(up, RJ_RAD_PREC);
    mpfr_init2(lo2, RJ_RAD_PREC);
    mpfr_init2(smin, RJ_RAD_PREC);
    if ((st = rj_precise_jacobian_fmpq(J, ties, net, x, prec, err)) != RJ_OK) {
        rc = cli_fail(err);
        goto done;
    }
    rj_imat_norm_1(n1, J);
    rj_imat_norm_inf(ninf, J);
    rj_imat_norm_frob(nf, J);
    rj_imat_norm2_upper(up, J);
    rj_imat_norm2_lower(lo2, J);
    sig_ok = rj_imat_sigma_min_lower(smin, J);

    if (json) {
        json_t *o = json_object(), *rows = json_array(), *tj = json_array(), *n2;
        slong r, c;
        json_object_set_new(o, "model", json_string(model));
        json_object_set_new(o, "network", json_string(net_name));
        json_object_set_new(o, "point", json_string(at));
        json_object_set_new(o, "precision", json_integer((json_int_t) prec));
        json_object_set_new(o, "blocks", json_integer((json_int_t) net->len));
        json_object_set_new(o, "rows", json_integer((json_int_t) J->r));
        json_object_set_new(o, "cols", json_integer((json_int_t) J->c));
        for (r = 0; r < J->r; r++) {
            json_t *row = json_array();
            for (c = 0; c < J->c; c++)
                json_array_append_new(row, json_mid_rad(rj_imat_mid(J, r, c),
                                                        rj_imat_rad(J, r, c)));
            json_array_append_new(rows, row);
        }
        json_object_set_new(o, "jacobian", rows);
        json_object_set_new(o, "norm_1", json_itv(n1, prec));
        json_object_set_new(o, "norm_inf", json_itv(ninf, prec));
        json_object_set_new(o, "norm_frobenius", json_itv(nf, prec));
        n2 = json_object();
        json_object_set_new(n2, "lower", json_str_free(str_down(lo2)));
        json_object_set_new(n2, "upper", json_str_free(rj_mpfr_get_str_rad(up)));
        json_object_set_new(o, "norm_2", n2);
        json_object_set_new(o, "sigma_min_lower",
                            sig_ok ? json_str_free(str_down(smin)) : json_null());
        for (r = 0; r < ties->len; r++) {
            json_t *t = json_object();
            json_object_set_new(t, "block", json_integer(ties->ties[r].block + 1));
            json_object_set_new(t, "where", json_string(tie_where(ties->ties + r, net)));
            json_object_set_new(t, "unit", json_integer(ties->ties[r].unit + 1));
            json_array_append_new(tj, t);
        }
        json_object_set_new(o, "possible_ties", tj);
        rc = cli_json_print(o);
        json_decref(o);
    } else {
        slong r, c;
        printf("network '%s' (%ld blocks) at '%s': Jacobian %ldx%ld, enclosures at %lu bits\n",
               net_name, (long) net->len, at, (long) J->r, (long) J->c, prec);
        printf("Jacobian (midpoint +- radius):\n");
        for (r = 0; r < J->r; r++)
            for (c = 0; c < J->c; c++)
                mpfr_printf("  J[%ld,%ld] = %.*Rg +- %.3RUe\n", (long) (r + 1), (long) (c + 1),
                            TEXT_DIGITS, rj_imat_mid(J, r, c), rj_imat_rad(J, r, c));
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
        if (ties->len > 0) {
            printf("possible ReLU ties (%ld): the enclosures hold for every choice in [0, 1]\n",
                   (long) ties->len);
            for (r = 0; r < ties->len; r++)
                printf("  block %ld, %s activation, unit %ld\n", (long) (ties->ties[r].block + 1),
                       tie_where(ties->ties + r, net), (long) (ties->ties[r].unit + 1));
        }
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
