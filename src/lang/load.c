/* resjac: model files: a network and a point read from a file in the language
 * (see include/resjac/lang.h). */
#include <string.h>

#include "resjac/lang.h"

/* ---------------------------------------------------------------- model files */

static rj_loc_t
def_loc(const rj_prog_t prog, const char *name)
{
    slong i;
    rj_loc_t loc = { prog->file, 0, 0 };
    for (i = prog->len - 1; i >= 0; i--)
        if (prog->stmts[i].kind == RJ_STMT_LET && strcmp(prog->stmts[i].name, name) == 0)
            return prog->stmts[i].loc;
    return loc;
}

static int
model_load(rj_net_t net, fmpq_mat_t x, const char *path, const char *net_name,
           const char *point_name, int columns, rj_error_t err)
{
    rj_prog_t prog;
    rj_env_t env;
    rj_net_t N;
    fmpq_mat_t X;
    char *dir;
    rj_val_struct *v;
    char d[120];
    slong width = -1;
    int st;

    rj_prog_init(prog);
    rj_env_init(env);
    rj_net_init(N);
    fmpq_mat_init(X, 0, 0);
    dir = rj_path_dir(path);
    env->dir = dir;

    st = rj_parse_file(prog, path, err);
    if (st == RJ_OK)
        st = rj_eval_defs(env, prog, err);
    if (st == RJ_OK && net_name != NULL) {
        v = rj_env_lookup(env, net_name);
        if (v == NULL)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, (rj_loc_t) { path, 0, 0 },
                                  "no network named '%.60s' (define it with "
                                  "'let %.60s = net(...)')", net_name, net_name);
        else if (v->kind == RJ_VAL_NET) {
            rj_net_struct t = *N;        /* move: env is cleared below */
            *N = *v->net;
            *v->net = t;
        } else if (v->kind == RJ_VAL_BLOCK) {
            rj_net_append(N, v->block, net_name);
        } else {
            rj_val_describe(d, sizeof(d), v);
            st = rj_error_set_loc(err, RJ_ERR_INPUT, def_loc(prog, net_name),
                                  "'%.60s' is %s, expected a network or a block", net_name,
                                  d);
        }
        if (st == RJ_OK)
            width = rj_net_width_in(N);
    }
    if (st == RJ_OK && point_name != NULL) {
        v = rj_env_lookup(env, point_name);
        if (v == NULL)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, (rj_loc_t) { path, 0, 0 },
                                  "no point named '%.60s' (define it with "
                                  "'let %.60s = [x1, x2, ...]')", point_name, point_name);
        else if (v->kind == RJ_VAL_NUM) {
            fmpq_mat_clear(X);
            fmpq_mat_init(X, 1, 1);
            fmpq_set(fmpq_mat_entry(X, 0, 0), v->num);
        } else if (v->kind == RJ_VAL_MAT && (columns || fmpq_mat_ncols(v->mat) == 1)) {
            fmpq_mat_clear(X);
            fmpq_mat_init(X, fmpq_mat_nrows(v->mat), fmpq_mat_ncols(v->mat));
            fmpq_mat_set(X, v->mat);
        } else {
            rj_val_describe(d, sizeof(d), v);
            st = rj_error_set_loc(err, RJ_ERR_INPUT, def_loc(prog, point_name),
                                  columns ? "'%.60s' is %s, expected a column vector "
                                            "[x1, x2, ...] or a matrix of points (one per "
                                            "column)"
                                          : "'%.60s' is %s, expected a column vector "
                                            "[x1, x2, ...]", point_name, d);
        }
        if (st == RJ_OK && width >= 0 && fmpq_mat_nrows(X) != width)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, def_loc(prog, point_name),
                                  "point '%.60s' has length %ld but network '%.60s' takes "
                                  "width %ld", point_name, (long) fmpq_mat_nrows(X),
                                  net_name, (long) width);
    }
    if (st == RJ_OK && net_name != NULL) {
        rj_net_clear(net);
        *net = *N;
        rj_net_init(N);
    }
    if (st == RJ_OK && point_name != NULL)
        fmpq_mat_swap(x, X);    /* outputs change only on success */
    fmpq_mat_clear(X);
    rj_net_clear(N);
    rj_env_clear(env);
    rj_prog_clear(prog);
    flint_free(dir);
    return st;
}

int
rj_model_load(rj_net_t net, fmpq_mat_t x, const char *path, const char *net_name,
              const char *point_name, rj_error_t err)
{
    return model_load(net, x, path, net_name, point_name, 0, err);
}

int
rj_model_load_points(rj_net_t net, fmpq_mat_t X, const char *path, const char *net_name,
                     const char *point_name, rj_error_t err)
{
    return model_load(net, X, path, net_name, point_name, 1, err);
}
