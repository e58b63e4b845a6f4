/* resjac xval: the float Jacobian (src/fast) beside the exact and precise
 * ones, every forward value and partial Jacobian held against the a-priori
 * bound of proofs/fast-error-bound.md (the checks are src/xval's). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

#define CLI_PRINT_ENTRIES 64   /* xval prints entries of J up to this many */

static const char *xval_help =
    "usage: resjac xval MODEL [--net NAME] [--at NAME] [--dtype f32|f64|both]\n"
    "                         [--prec BITS] [--json]\n"
    "\n"
    "Cross-validation: the float Jacobian (OpenBLAS) beside the exact one (FLINT,\n"
    "piecewise-linear activations) and the precise enclosure (MPFR), with the\n"
    "a-priori forward error bound of the float computation\n"
    "(proofs/fast-error-bound.md): |J_float - J_exact| <= E entrywise.  Every\n"
    "forward value h_l and every partial Jacobian dy/dh_l is held against its\n"
    "bound: exactly against the exact layer, and against the precise layer by\n"
    "intersection (float +- bound must meet the enclosure; for tanh/sigmoid\n"
    "networks the only reference).  The first disagreement names its block.\n"
    "\n"
    "options:\n"
    "  --net NAME         network in MODEL (default net)\n"
    "  --at NAME          point in MODEL (default x)\n"
    "  --dtype T          f32, f64 or both (default both)\n"
    "  --prec BITS        precision of the precise layer (default 128)\n"
    "  --json             JSON output\n"
    "\n"
    "Exit status: 0 every value within its bound (or the bound does not apply at\n"
    "a kink, which is reported), 1 a disagreement, 2 bad input or usage.\n";

/* ------------------------------------------------------------ xval */

typedef struct {
    rj_fast_dtype t;
    rj_fast_bound_t b;
    int have_exact;
    rj_xval_report rep;
    int precise_ok;          /* 1 agree, 0 disagree, -1 not run */
    rj_xval_report prep;
} xval_side;

/* a bound as JSON: a number, or the string "inf" where no bound holds */
static json_t *
xval_json_bound(double v)
{
    return isinf(v) ? json_string("inf") : json_real(v);
}

/* a float vector (a forward value or its bound) as a JSON array */
static json_t *
xval_json_vec(const double *v, slong n)
{
    json_t *a = json_array();
    slong i;
    for (i = 0; i < n; i++)
        json_array_append_new(a, xval_json_bound(v[i]));
    return a;
}

/* what a disagreement's block and stage name: block 0 is the input */
static const char *
xval_stage(const rj_xval_report *r)
{
    return r->stage ? "partial jacobian" : r->block < 0 ? "input value" : "forward value";
}

static const char *
xval_where(char *buf, size_t len, const rj_xval_report *r)
{
    if (r->stage == 0 && r->block < 0)
        snprintf(buf, len, "the input x (rounded point, entry %ld)", (long) r->row + 1);
    else
        snprintf(buf, len, "block %ld (%s, entry %ld,%ld)", (long) r->block + 1,
                 r->stage ? "partial Jacobian dy/dh" : "forward value h", (long) r->row + 1,
                 (long) r->col + 1);
    return buf;
}

/* The unit whose float sign (or max-pool selection) is uncertain: "block 2
   ('B'), branch layer 3 (relu), unit 5" in a general block, as ties are
   named; "block 1 inner activation unit 3" in a shorthand block. */
static const char *
xval_uncertain(char *buf, size_t len, const rj_net_t net, const rj_fast_bound_struct *b)
{
    const rj_block_struct *bl = net->blocks + b->unc_block;
    if (b->unc_layer >= 0 && bl->general && b->unc_layer < bl->branch->len) {
        char blk[160], lay[128];
        const rj_layer_struct *L = bl->branch->layers + b->unc_layer;
        rj_net_block_label(blk, sizeof(blk), net, b->unc_block);
        rj_layer_name(lay, sizeof(lay), L);
        snprintf(buf, len, "%s, branch layer %ld (%s), %s %ld", blk, (long) b->unc_layer + 1,
                 lay, L->kind == RJ_LAYER_MAXPOOL ? "output" : "unit", (long) b->unc_unit + 1);
    } else
        snprintf(buf, len, "block %ld %s activation unit %ld", (long) b->unc_block + 1,
                 b->unc_where ? "outer" : "inner", (long) b->unc_unit + 1);
    return buf;
}

int
rj_cmd_xval(int argc, char **argv)
{
    const char *cmd = argv[0], *model = NULL, *net_name = "net", *at_name = "x";
    int json = 0, both = 1, i, nsides, si, disagree = 0, st;
    unsigned seen = 0;
    unsigned long prec = 128;
    rj_fast_dtype dtype = RJ_FAST_F64;
    rj_net_t net;
    fmpq_mat_t x;
    rj_exact_parts_t parts;
    rj_imat_t Jp;
    fmpq_mat_t Je;
    rj_error_t err;
    xval_side side[2];
    int have_exact = 0, have_precise = 0;
    char exact_note[600] = "", precise_note[600] = "";
    rj_tie_policy pol = {RJ_TIE_LEFT, 0};

    rj_error_init(err);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            fputs(xval_help, stdout);
            return RJ_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--net") == 0 || strcmp(a, "--at") == 0
                   || strcmp(a, "--dtype") == 0) {
            if (val == NULL)
                return cli_usage_error(cmd, "option %s needs a value", a);
            if (!cli_once(&seen, a[2] == 'n' ? 1 : a[2] == 'a' ? 2 : 4, a, cmd))
                return RJ_EXIT_USAGE;
            i++;
            if (strcmp(a, "--net") == 0)
                net_name = val;
            else if (strcmp(a, "--at") == 0)
                at_name = val;
            else {
                both = 0;
                if (!cli_parse_dtype(&dtype, &both, val, 1))
                    return cli_usage_error(cmd, "--dtype: expected f32, f64 or both, got '%s'",
                                           val);
            }
        } else if (strcmp(a, "--prec") == 0) {
            if (!cli_once(&seen, 8, a, cmd))
                return RJ_EXIT_USAGE;
            if (!cli_parse_ulong(&prec, "--prec", val, RJ_PRECISE_PREC_MIN,
                                 RJ_PRECISE_PREC_MAX, cmd))
                return RJ_EXIT_USAGE;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (model == NULL) {
            model = a;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s' (the model is '%s')", a,
                                   model);
        }
    }
    if (model == NULL)
        return cli_usage_error(cmd, "missing the model file");

    rj_net_init(net);
    fmpq_mat_init(x, 0, 0);
    if ((st = rj_model_load(net, x, model, net_name, at_name, err)) != RJ_OK
        || (st = rj_net_validate(net, err)) != RJ_OK) {
        fmpq_mat_clear(x);
        rj_net_clear(net);
        return cli_fail_model(err, model);
    }
    if (fmpq_mat_ncols(x) != 1 || fmpq_mat_nrows(x) != rj_net_width_in(net)) {
        long r = fmpq_mat_nrows(x), c = fmpq_mat_ncols(x);
        fmpq_mat_clear(x);
        rj_net_clear(net);
        return cli_usage_error(cmd, "the point '%s' is %ldx%ld; the network takes %ldx1",
                               at_name, r, c, (long) rj_net_width_in(net));
    }

    nsides = both ? 2 : 1;
    for (si = 0; si < nsides; si++) {
        rj_fast_net_t f;
        side[si].t = both ? (si == 0 ? RJ_FAST_F64 : RJ_FAST_F32) : dtype;
        rj_fast_bound_init(side[si].b);
        side[si].have_exact = 0;
        side[si].precise_ok = -1;
        rj_fast_net_init(f);
        st = rj_fast_net_set_net(f, net, side[si].t, err);
        if (st == RJ_OK)
            st = rj_fast_jacobian_bound(side[si].b, f, x, err);
        rj_fast_net_clear(f);
        if (st != RJ_OK) {
            for (i = 0; i <= si; i++)
                rj_fast_bound_clear(side[i].b);
            fmpq_mat_clear(x);
            rj_net_clear(net);
            return cli_fail_model(err, model);
        }
    }

    /* exact layer */
    rj_exact_parts_init(parts);
    fmpq_mat_init(Je, 0, 0);
    if (!rj_net_is_piecewise_linear(net)) {
        snprintf(exact_note, sizeof(exact_note),
                 "not available: tanh/sigmoid values are irrational");
    } else {
        rj_error_t e2;
        rj_error_init(e2);
        if (cli_exact_work(e2, net, fmpq_mat_nrows(x)) == RJ_OK
            && rj_exact_parts(parts, NULL, net, x, pol, e2) == RJ_OK
            && rj_expand_direct(Je, parts, e2) == RJ_OK) {
            have_exact = 1;
            for (si = 0; si < nsides; si++) {
                if (rj_xval_exact(&side[si].rep, side[si].b, parts, e2) == RJ_OK)
                    side[si].have_exact = 1;
            }
        } else {
            rj_error_format(exact_note, sizeof(exact_note), e2);
        }
    }
    /* precise layer */
    rj_imat_init(Jp, 0, 0, prec);
    {
        rj_error_t e2;
        rj_precise_parts_t pp;
        rj_error_init(e2);
        rj_precise_parts_init(pp);
        if (rj_precise_parts_fmpq(pp, net, x, (slong) prec, e2) == RJ_OK
            && rj_precise_jacobian_fmpq(Jp, NULL, net, x, (slong) prec, e2) == RJ_OK) {
            have_precise = 1;
            for (si = 0; si < nsides; si++)
                if (rj_xval_precise(&side[si].prep, side[si].b, pp, (slong) prec, e2)
                    == RJ_OK)
                    side[si].precise_ok = side[si].prep.ok;
                else
                    rj_error_format(precise_note, sizeof(precise_note), e2);
        } else {
            rj_error_format(precise_note, sizeof(precise_note), e2);
        }
        rj_precise_parts_clear(pp);
    }
    for (si = 0; si < nsides; si++)
        if ((side[si].have_exact && !side[si].rep.ok) || side[si].precise_ok == 0)
            disagree = 1;

    if (json) {
        json_t *o = json_object(), *arr = json_array();
        json_object_set_new(o, "model", json_string(model));
        json_object_set_new(o, "blocks", json_integer(net->len));
        json_object_set_new(o, "exact", have_exact ? json_true() : json_string(exact_note));
        json_object_set_new(o, "precise",
                            have_precise ? json_true() : json_string(precise_note));
        json_object_set_new(o, "precision", json_integer((json_int_t) prec));
        for (si = 0; si < nsides; si++) {
            rj_fast_bound_struct *b = side[si].b;
            json_t *s = json_object(), *J = json_array(), *E = json_array();
            slong r, c;
            json_object_set_new(s, "dtype", json_string(rj_fast_dtype_name(side[si].t)));
            json_object_set_new(s, "certified", json_boolean(b->certified));
            if (!b->certified) {
                char lab[400];
                json_object_set_new(s, "kink_within_rounding",
                                    json_string(xval_uncertain(lab, sizeof(lab), net, b)));
            }
            for (r = 0; r < b->n_out; r++) {
                json_t *jr = json_array(), *er = json_array();
                for (c = 0; c < b->n_in; c++) {
                    json_array_append_new(jr, json_real(b->J[r * b->n_in + c]));
                    json_array_append_new(er, xval_json_bound(b->E[r * b->n_in + c]));
                }
                json_array_append_new(J, jr);
                json_array_append_new(E, er);
            }
            json_object_set_new(s, "jacobian", J);
            json_object_set_new(s, "bound", E);
            json_object_set_new(s, "output", xval_json_vec(b->h[b->len], b->n_out));
            json_object_set_new(s, "output_bound", xval_json_vec(b->eh[b->len], b->n_out));
            if (side[si].have_exact) {
                json_object_set_new(s, "exact_agrees", json_boolean(side[si].rep.ok));
                json_object_set_new(s, "max_error_over_bound", json_real(side[si].rep.max_ratio));
                if (!side[si].rep.ok) {
                    json_object_set_new(s, "disagreement_block",
                                        json_integer(side[si].rep.block + 1));
                    json_object_set_new(s, "disagreement_stage",
                                        json_string(xval_stage(&side[si].rep)));
                }
            }
            if (side[si].precise_ok >= 0)
                json_object_set_new(s, "precise_agrees", json_boolean(side[si].precise_ok));
            if (side[si].precise_ok == 0) {
                json_object_set_new(s, "precise_disagreement_block",
                                    json_integer(side[si].prep.block + 1));
                json_object_set_new(s, "precise_disagreement_stage",
                                    json_string(xval_stage(&side[si].prep)));
            }
            json_array_append_new(arr, s);
        }
        json_object_set_new(o, "float", arr);
        if (have_exact)
            json_object_set_new(o, "exact_jacobian", cli_json_mat(Je));
        json_object_set_new(o, "agree", json_boolean(!disagree));
        cli_json_print(o);
        json_decref(o);
    } else {
        slong r, c, n_out = side[0].b->n_out, n_in = side[0].b->n_in;
        char where[160];
        printf("xval %s: net '%s' (%ld block%s), point '%s', J is %ldx%ld\n", model, net_name,
               (long) net->len, net->len == 1 ? "" : "s", at_name, (long) n_out, (long) n_in);
        printf("  exact layer:   %s\n", have_exact ? "FLINT, tie convention left" : exact_note);
        if (have_precise)
            printf("  precise layer: MPFR, %lu bits\n", prec);
        else
            printf("  precise layer: %s\n", precise_note);
        if (n_out * n_in <= CLI_PRINT_ENTRIES) {
            printf("  %-8s", "entry");
            for (si = 0; si < nsides; si++)
                printf("  %24s  %9s", rj_fast_dtype_name(side[si].t), "bound");
            if (have_exact)
                printf("  %24s", "exact");
            if (have_precise)
                printf("  %s", "precise enclosure");
            printf("\n");
            for (r = 0; r < n_out; r++)
                for (c = 0; c < n_in; c++) {
                    char e[16];
                    printf("  J[%ld,%ld] ", (long) r + 1, (long) c + 1);
                    for (si = 0; si < nsides; si++) {
                        double ev = side[si].b->E[r * n_in + c];
                        snprintf(e, sizeof(e), isinf(ev) ? "none" : "%.2e", ev);
                        printf("  %24.17g  %9s", side[si].b->J[r * n_in + c], e);
                    }
                    if (have_exact)
                        printf("  %24.17g", fmpq_get_d(fmpq_mat_entry(Je, r, c)));
                    if (have_precise) {
                        rj_itv_t it;
                        rj_itv_init(it, prec);
                        rj_imat_get_itv(it, Jp, r, c);
                        mpfr_printf("  [%.17Rg, %.17Rg]", it->lo, it->hi);
                        rj_itv_clear(it);
                    }
                    printf("\n");
                }
        }
        for (si = 0; si < nsides; si++) {
            rj_fast_bound_struct *b = side[si].b;
            printf("  %s: ", rj_fast_dtype_name(side[si].t));
            if (!b->certified) {
                char lab[400];
                printf("bound does not apply: %s has argument %.3g within its rounding bound "
                       "%.3g (a kink; use the bracketing check)\n",
                       xval_uncertain(lab, sizeof(lab), net, b), b->unc_value, b->unc_bound);
            }
            else if (side[si].have_exact) {
                if (side[si].rep.ok)
                    printf("within the bound of the exact layer at all %d values "
                           "(max error/bound %.3g)", side[si].rep.compared,
                           side[si].rep.max_ratio);
                else
                    printf("DISAGREES with the exact layer at %s: |float - exact| = %.3g > "
                           "bound %.3g", xval_where(where, sizeof(where), &side[si].rep),
                           side[si].rep.observed, side[si].rep.bound);
                printf("\n");
            } else
                printf("no exact reference\n");
            if (side[si].precise_ok == 1)
                printf("  %s: float +- bound meets the precise enclosure at all %d values\n",
                       rj_fast_dtype_name(side[si].t), side[si].prep.compared);
            else if (side[si].precise_ok == 0)
                printf("  %s: DISAGREES with the precise enclosure at %s: float is %.3g "
                       "from the enclosure > bound %.3g\n", rj_fast_dtype_name(side[si].t),
                       xval_where(where, sizeof(where), &side[si].prep),
                       side[si].prep.observed, side[si].prep.bound);
            else if (have_precise)
                printf("  %s: no precise comparison: %s\n", rj_fast_dtype_name(side[si].t),
                       precise_note);
        }
        printf("%s\n", disagree ? "DISAGREEMENT" : "agree");
    }

    for (si = 0; si < nsides; si++)
        rj_fast_bound_clear(side[si].b);
    rj_imat_clear(Jp);
    fmpq_mat_clear(Je);
    rj_exact_parts_clear(parts);
    fmpq_mat_clear(x);
    rj_net_clear(net);
    return disagree ? RJ_EXIT_FAIL : RJ_EXIT_OK;
}
