/* resjac: evaluation of expressions and the model's builtins
 * (see include/resjac/lang.h and proofs/LANGUAGE.md). */
#include <stdio.h>
#include <string.h>

#include "resjac/lang.h"

static int eval_rec(rj_val_t out, const rj_expr_struct *e, rj_env_t env, const char *hint,
                    rj_error_t err);
static int apply(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
                 rj_env_t env, const char *hint, rj_error_t err);

/* Move err's message to loc, keeping its status and text. */
static int
relocate(rj_error_t err, int status, rj_loc_t loc, const char *prefix)
{
    char msg[RJ_ERROR_MSG_LEN];
    size_t n;
    if (err == NULL)
        return status;
    n = strlen(prefix);
    if (n >= sizeof(msg) / 2)
        n = 0;
    memcpy(msg, prefix, n);
    memcpy(msg + n, err->msg, sizeof(msg) - n - 1);
    msg[sizeof(msg) - 1] = '\0';
    return rj_error_set_loc(err, status, loc, "%s", msg);
}

static int
is_integer(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM && fmpz_is_one(fmpq_denref(v->num));
}

int
rj_val_get_si(slong *out, const rj_val_t v, slong lo, slong hi, int hi_is_limit,
              const char *what, const char *of, rj_loc_t loc, rj_error_t err)
{
    char d[120], *s;
    int st, below;
    if (!is_integer(v)) {
        if (v->kind == RJ_VAL_NUM) {
            s = fmpq_get_str(NULL, 10, v->num);
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s must be an integer, found %.60s",
                                  what, s);
            flint_free(s);
            return st;
        }
        rj_val_describe(d, sizeof(d), v);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s must be an integer, found %s",
                                what, d);
    }
    below = fmpz_cmp_si(fmpq_numref(v->num), lo) < 0;
    if (!below && fmpz_cmp_si(fmpq_numref(v->num), hi) <= 0) {
        *out = fmpz_get_si(fmpq_numref(v->num));
        return RJ_OK;
    }
    s = fmpz_get_str(NULL, 10, fmpq_numref(v->num));
    if (!hi_is_limit)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s %.40s is out of range %ld..%ld%s%s%s",
                              what, s, (long) lo, (long) hi, of != NULL ? " (" : "",
                              of != NULL ? of : "", of != NULL ? ")" : "");
    else if (below)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s must be at least %ld, found %.60s",
                              what, (long) lo, s);
    else
        st = rj_error_set_loc(err, RJ_ERR_LIMIT, loc, "%s = %.60s exceeds the limit %ld", what,
                              s, (long) hi);
    flint_free(s);
    return st;
}

static int
wrong_kind(rj_error_t err, rj_loc_t loc, const char *what, const char *expected,
           const rj_val_struct *v)
{
    char d[120];
    rj_val_describe(d, sizeof(d), v);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s: expected %s, found %s", what,
                            expected, d);
}

/* ---------------------------------------------------------------- atoms */

static const char *bare_atoms[] = {
    "relu", "tanh", "sigmoid", "identity", "none", "pre", "post", NULL
};

static int
is_bare_atom(const char *s)
{
    int i;
    for (i = 0; bare_atoms[i] != NULL; i++)
        if (strcmp(s, bare_atoms[i]) == 0)
            return 1;
    return 0;
}

static void
set_atom(rj_val_t v, const char *name)
{
    rj_val_reset(v);
    v->kind = RJ_VAL_ATOM;
    v->str = rj_strdup(name);
}

static int
atom_is(const rj_val_struct *v, const char *name)
{
    return v->kind == RJ_VAL_ATOM && v->str != NULL && strcmp(v->str, name) == 0;
}

/* Activation from an atom; returns 0 if the atom is not an activation. */
static int
atom_get_act(rj_act_t a, const rj_val_struct *v)
{
    if (v->kind != RJ_VAL_ATOM)
        return 0;
    fmpq_zero(a->slope);
    if (atom_is(v, "relu"))
        a->kind = RJ_ACT_RELU;
    else if (atom_is(v, "identity"))
        a->kind = RJ_ACT_IDENTITY;
    else if (atom_is(v, "tanh"))
        a->kind = RJ_ACT_TANH;
    else if (atom_is(v, "sigmoid"))
        a->kind = RJ_ACT_SIGMOID;
    else if (atom_is(v, "leaky_relu")) {
        a->kind = RJ_ACT_LEAKY_RELU;
        fmpq_set(a->slope, v->num);
    } else
        return 0;
    return 1;
}

/* ---------------------------------------------------------------- builtins */

typedef struct {
    const rj_expr_struct *e;   /* the call */
    rj_val_struct *const *args;    /* evaluated arguments */
    rj_env_struct *env;
    const char *hint;          /* name of the let being defined, or NULL */
    rj_error_struct *err;
} call_t;

typedef int (*builtin_fn)(rj_val_t out, call_t *c);

static rj_loc_t
arg_loc(call_t *c, slong i)
{
    return c->e->args[i]->loc;
}

/* Positional arguments only, between lo and hi of them. */
static int
check_args(call_t *c, slong lo, slong hi, const char *usage)
{
    slong i, n = c->e->nargs;
    for (i = 0; i < n; i++)
        if (c->e->argnames[i] != NULL)
            return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[i],
                                    "%s takes no keyword arguments (found '%.60s = ...'); "
                                    "usage: %s", c->e->name, c->e->argnames[i], usage);
    if (n < lo || n > hi)
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->loc,
                                "%s takes %s%ld argument%s, found %ld; usage: %s", c->e->name,
                                lo == hi ? "" : n < lo ? "at least " : "at most ",
                                (long) (n < lo ? lo : hi), (n < lo ? lo : hi) == 1 ? "" : "s",
                                (long) n, usage);
    return RJ_OK;
}

static void
set_mat_size(rj_val_t out, slong r, slong c)
{
    rj_val_reset(out);
    out->kind = RJ_VAL_MAT;
    fmpq_mat_clear(out->mat);
    fmpq_mat_init(out->mat, r, c);
}

static int
bi_diag(rj_val_t out, call_t *c)
{
    slong i, n = c->e->nargs;
    int st = check_args(c, 1, RJ_MAX_WIDTH, "diag(a, b, ...) or diag(v)");
    if (st != RJ_OK)
        return st;
    if (n == 1 && c->args[0]->kind == RJ_VAL_MAT) {
        const fmpq_mat_struct *v = c->args[0]->mat;
        slong r = fmpq_mat_nrows(v), k = fmpq_mat_ncols(v);
        if (r != 1 && k != 1)
            return rj_error_set_loc(c->err, RJ_ERR_INPUT, arg_loc(c, 0),
                                    "diag of a %ld x %ld matrix: give the entries or one "
                                    "vector", (long) r, (long) k);
        n = r * k;
        if (n > RJ_MAX_WIDTH)
            return rj_error_set_loc(c->err, RJ_ERR_LIMIT, arg_loc(c, 0),
                                    "diag of %ld entries exceeds the width limit %d",
                                    (long) n, RJ_MAX_WIDTH);
        {
            fmpq_mat_t D;
            fmpq_mat_init(D, n, n);
            for (i = 0; i < n; i++)
                fmpq_set(fmpq_mat_entry(D, i, i),
                         k == 1 ? fmpq_mat_entry(v, i, 0) : fmpq_mat_entry(v, 0, i));
            rj_val_set_fmpq_mat(out, D);
            fmpq_mat_clear(D);
        }
        return RJ_OK;
    }
    for (i = 0; i < n; i++)
        if (c->args[i]->kind != RJ_VAL_NUM)
            return wrong_kind(c->err, arg_loc(c, i), "diag entry",
                              n == 1 ? "a number or a vector" : "a number", c->args[i]);
    set_mat_size(out, n, n);
    for (i = 0; i < n; i++)
        fmpq_set(fmpq_mat_entry(out->mat, i, i), c->args[i]->num);
    return RJ_OK;
}

static int
check_entries(call_t *c, slong r, slong k)
{
    if ((double) r * (double) k > (double) RJ_MAX_ENTRIES)
        return rj_error_set_loc(c->err, RJ_ERR_LIMIT, c->e->loc,
                                "a %ld x %ld matrix exceeds the limit of %ld entries",
                                (long) r, (long) k, (long) RJ_MAX_ENTRIES);
    return RJ_OK;
}

static int
bi_identity(rj_val_t out, call_t *c)
{
    slong n;
    int st = check_args(c, 1, 1, "identity(n)");
    if (st == RJ_OK)
        st = rj_val_get_si(&n, c->args[0], 1, RJ_MAX_WIDTH, 1, "the size of identity(n)", NULL,
                           arg_loc(c, 0), c->err);
    if (st == RJ_OK)
        st = check_entries(c, n, n);
    if (st != RJ_OK)
        return st;
    set_mat_size(out, n, n);
    fmpq_mat_one(out->mat);
    return RJ_OK;
}

static int
bi_zeros(rj_val_t out, call_t *c)
{
    slong r, k;
    int st = check_args(c, 2, 2, "zeros(rows, cols)");
    if (st == RJ_OK)
        st = rj_val_get_si(&r, c->args[0], 1, RJ_MAX_WIDTH, 1, "rows of zeros(r, c)", NULL,
                           arg_loc(c, 0), c->err);
    if (st == RJ_OK)
        st = rj_val_get_si(&k, c->args[1], 1, RJ_MAX_WIDTH, 1, "cols of zeros(r, c)", NULL,
                           arg_loc(c, 1), c->err);
    if (st == RJ_OK)
        st = check_entries(c, r, k);
    if (st != RJ_OK)
        return st;
    set_mat_size(out, r, k);
    return RJ_OK;
}

static int
bi_load(rj_val_t out, call_t *c)
{
    const char *f, *dir = c->env->dir;
    char *path;
    size_t n;
    fmpq_mat_t A;
    int st = check_args(c, 1, 1, "load(\"file.npy\")");
    if (st != RJ_OK)
        return st;
    if (c->args[0]->kind != RJ_VAL_STRING)
        return wrong_kind(c->err, arg_loc(c, 0), "load", "a file name in quotes",
                          c->args[0]);
    f = c->args[0]->str;
    n = strlen(f) + (dir != NULL ? strlen(dir) : 0) + 2;
    path = flint_malloc(n);
    if (f[0] != '/' && dir != NULL && dir[0] != '\0')
        snprintf(path, n, "%s/%s", dir, f);
    else
        snprintf(path, n, "%s", f);
    fmpq_mat_init(A, 0, 0);
    st = rj_npy_load(A, path, c->err);
    if (st != RJ_OK) {
        char prefix[300];
        snprintf(prefix, sizeof(prefix), "cannot load %.200s: ", path);
        flint_free(path);
        fmpq_mat_clear(A);
        return relocate(c->err, st, c->e->loc, prefix);
    }
    flint_free(path);
    rj_val_reset(out);
    out->kind = RJ_VAL_MAT;
    fmpq_mat_swap(out->mat, A);
    fmpq_mat_clear(A);
    return RJ_OK;
}

static int
bi_rows_cols(rj_val_t out, call_t *c)
{
    int rows = strcmp(c->e->name, "rows") == 0;
    slong n;
    int st = check_args(c, 1, 1, rows ? "rows(A)" : "cols(A)");
    if (st != RJ_OK)
        return st;
    if (c->args[0]->kind == RJ_VAL_MAT)
        n = rows ? fmpq_mat_nrows(c->args[0]->mat) : fmpq_mat_ncols(c->args[0]->mat);
    else if (c->args[0]->kind == RJ_VAL_NUM)
        n = 1;
    else
        return wrong_kind(c->err, arg_loc(c, 0), c->e->name, "a matrix", c->args[0]);
    rj_val_reset(out);
    out->kind = RJ_VAL_NUM;
    fmpq_set_si(out->num, n, 1);
    return RJ_OK;
}

/* leaky_relu(a), scaled(a), project(W) */
static int
bi_atom(rj_val_t out, call_t *c)
{
    const char *name = c->e->name;
    int st;
    if (strcmp(name, "project") == 0) {
        st = check_args(c, 1, 1, "project(Ws)");
        if (st != RJ_OK)
            return st;
        if (c->args[0]->kind != RJ_VAL_MAT)
            return wrong_kind(c->err, arg_loc(c, 0), "project", "a matrix", c->args[0]);
        set_atom(out, name);
        fmpq_mat_clear(out->mat);
        fmpq_mat_init(out->mat, fmpq_mat_nrows(c->args[0]->mat),
                      fmpq_mat_ncols(c->args[0]->mat));
        fmpq_mat_set(out->mat, c->args[0]->mat);
        return RJ_OK;
    }
    st = check_args(c, 1, 1, strcmp(name, "scaled") == 0 ? "scaled(a)" : "leaky_relu(a)");
    if (st != RJ_OK)
        return st;
    if (c->args[0]->kind != RJ_VAL_NUM)
        return wrong_kind(c->err, arg_loc(c, 0), name, "a number", c->args[0]);
    set_atom(out, name);
    fmpq_set(out->num, c->args[0]->num);
    return RJ_OK;
}

/* A weight argument of block(): a matrix, or a number as a 1 x 1 matrix. */
static int
block_mat(fmpq_mat_t M, call_t *c, slong i, int vector)
{
    const rj_val_struct *v = c->args[i];
    char what[80];
    snprintf(what, sizeof(what), "block(%s = ...)", c->e->argnames[i]);
    if (v->kind == RJ_VAL_NUM) {
        fmpq_mat_clear(M);
        fmpq_mat_init(M, 1, 1);
        fmpq_set(fmpq_mat_entry(M, 0, 0), v->num);
        return RJ_OK;
    }
    if (v->kind != RJ_VAL_MAT)
        return wrong_kind(c->err, arg_loc(c, i), what, vector ? "a column vector"
                                                              : "a matrix", v);
    if (vector && fmpq_mat_ncols(v->mat) != 1)
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, arg_loc(c, i),
                                "%s: a bias is a column vector, found a %ld x %ld matrix",
                                what, (long) fmpq_mat_nrows(v->mat),
                                (long) fmpq_mat_ncols(v->mat));
    fmpq_mat_clear(M);
    fmpq_mat_init(M, fmpq_mat_nrows(v->mat), fmpq_mat_ncols(v->mat));
    fmpq_mat_set(M, v->mat);
    return RJ_OK;
}

static const char *block_keys[] = { "W1", "b1", "act", "W2", "b2", "skip", "place", "outer",
                                    NULL };

static int
bi_block(rj_val_t out, call_t *c)
{
    rj_block_t b;
    slong i, n = c->e->nargs;
    slong have[8];
    int st = RJ_OK, k;
    const char *usage = "block(W1 = A, b1 = v, act = relu, W2 = C, b2 = w, "
                        "skip = identity, place = none, outer = relu)";

    for (k = 0; k < 8; k++)
        have[k] = -1;
    for (i = 0; i < n; i++) {
        const char *key = c->e->argnames[i];
        if (key == NULL)
            return rj_error_set_loc(c->err, RJ_ERR_INPUT, arg_loc(c, i),
                                    "block takes keyword arguments only; usage: %s", usage);
        for (k = 0; block_keys[k] != NULL; k++)
            if (strcmp(key, block_keys[k]) == 0)
                break;
        if (block_keys[k] == NULL)
            return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[i],
                                    "block has no keyword '%.60s' (its keywords are W1, b1, "
                                    "act, W2, b2, skip, place, outer)", key);
        have[k] = i;
    }
    if (have[0] < 0)
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->loc,
                                "block needs W1 = MATRIX; usage: %s", usage);
    if (have[3] < 0 && have[2] >= 0)
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[have[2]],
                                "act needs W2: without W2 the branch is F(u) = W1 u + b1 "
                                "(for y = relu(W x) write skip = none, place = post)");
    if (have[3] < 0 && have[4] >= 0)
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[have[4]],
                                "b2 needs W2: without W2 the branch is F(u) = W1 u + b1");

    rj_block_init(b);
    st = block_mat(b->W1, c, have[0], 0);
    if (st == RJ_OK && have[1] >= 0)
        st = block_mat(b->b1, c, have[1], 1);
    if (st == RJ_OK && have[3] >= 0) {
        b->two_layer = 1;
        st = block_mat(b->W2, c, have[3], 0);
    }
    if (st == RJ_OK && have[4] >= 0)
        st = block_mat(b->b2, c, have[4], 1);
    if (st == RJ_OK && have[2] >= 0 && !atom_get_act(b->act, c->args[have[2]]))
        st = wrong_kind(c->err, arg_loc(c, have[2]), "act",
                        "an activation (relu, leaky_relu(a), identity, tanh, sigmoid)",
                        c->args[have[2]]);
    if (st == RJ_OK && have[5] >= 0) {
        const rj_val_struct *v = c->args[have[5]];
        if (atom_is(v, "identity"))
            b->skip = RJ_SKIP_IDENTITY;
        else if (atom_is(v, "none"))
            b->skip = RJ_SKIP_NONE;
        else if (atom_is(v, "scaled")) {
            b->skip = RJ_SKIP_SCALED;
            fmpq_set(b->alpha, v->num);
        } else if (atom_is(v, "project")) {
            b->skip = RJ_SKIP_PROJECT;
            fmpq_mat_clear(b->Ws);
            fmpq_mat_init(b->Ws, fmpq_mat_nrows(v->mat), fmpq_mat_ncols(v->mat));
            fmpq_mat_set(b->Ws, v->mat);
        } else
            st = wrong_kind(c->err, arg_loc(c, have[5]), "skip",
                            "identity, none, scaled(a) or project(Ws)", v);
    }
    if (st == RJ_OK && have[6] >= 0) {
        const rj_val_struct *v = c->args[have[6]];
        if (atom_is(v, "none"))
            b->place = RJ_PLACE_NONE;
        else if (atom_is(v, "pre"))
            b->place = RJ_PLACE_PRE;
        else if (atom_is(v, "post"))
            b->place = RJ_PLACE_POST;
        else
            st = wrong_kind(c->err, arg_loc(c, have[6]), "place", "none, pre or post", v);
    }
    if (st == RJ_OK && have[7] >= 0) {
        if (b->place == RJ_PLACE_NONE)
            st = rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[have[7]],
                                  "outer needs place = pre or place = post");
        else if (!atom_get_act(b->outer, c->args[have[7]]))
            st = wrong_kind(c->err, arg_loc(c, have[7]), "outer",
                            "an activation (relu, leaky_relu(a), identity, tanh, sigmoid)",
                            c->args[have[7]]);
    }
    if (st == RJ_OK) {
        st = rj_block_validate(b, c->hint, c->err);
        if (st != RJ_OK)
            st = relocate(c->err, st, c->e->loc, "");
    }
    if (st == RJ_OK) {
        rj_val_reset(out);
        out->kind = RJ_VAL_BLOCK;
        rj_block_set(out->block, b);
    }
    rj_block_clear(b);
    return st;
}

static slong
block_entries(const rj_block_struct *b)
{
    return fmpq_mat_nrows(b->W1) * fmpq_mat_ncols(b->W1)
           + fmpq_mat_nrows(b->b1) * fmpq_mat_ncols(b->b1)
           + fmpq_mat_nrows(b->W2) * fmpq_mat_ncols(b->W2)
           + fmpq_mat_nrows(b->b2) * fmpq_mat_ncols(b->b2)
           + fmpq_mat_nrows(b->Ws) * fmpq_mat_ncols(b->Ws) + 1;
}

static void
net_size(const rj_val_struct *v, double *depth, double *entries)
{
    slong i;
    if (v->kind == RJ_VAL_BLOCK) {
        *depth = 1;
        *entries = (double) block_entries(v->block);
    } else {
        *depth = (double) v->net->len;
        *entries = 0;
        for (i = 0; i < v->net->len; i++)
            *entries += (double) block_entries(v->net->blocks + i);
    }
}

static int
size_limits(call_t *c, double depth, double entries)
{
    if (depth > (double) RJ_MAX_DEPTH)
        return rj_error_set_loc(c->err, RJ_ERR_LIMIT, c->e->loc,
                                "network depth %.0f exceeds the limit RJ_MAX_DEPTH = %d",
                                depth, RJ_MAX_DEPTH);
    if (entries > (double) RJ_MAX_ENTRIES)
        return rj_error_set_loc(c->err, RJ_ERR_LIMIT, c->e->loc,
                                "network with %.0f weight entries exceeds the limit %ld",
                                entries, (long) RJ_MAX_ENTRIES);
    return RJ_OK;
}

static int
bi_net(rj_val_t out, call_t *c)
{
    slong i, n = c->e->nargs;
    double depth = 0, entries = 0, d, en;
    rj_net_t net;
    int st = check_args(c, 1, RJ_MAX_DEPTH, "net(B1, B2, repeat(B, L), N, ...)");
    if (st != RJ_OK)
        return st;
    for (i = 0; i < n; i++) {
        if (c->args[i]->kind != RJ_VAL_BLOCK && c->args[i]->kind != RJ_VAL_NET)
            return wrong_kind(c->err, arg_loc(c, i), "net", "a block or a network",
                              c->args[i]);
        net_size(c->args[i], &d, &en);
        depth += d;
        entries += en;
    }
    st = size_limits(c, depth, entries);   /* before building anything */
    if (st != RJ_OK)
        return st;
    rj_net_init(net);
    for (i = 0; i < n; i++) {
        if (i == 0 && c->args[0]->kind == RJ_VAL_NET) {
            rj_net_struct t = *net;      /* the arguments are ours: move, not copy */
            *net = *c->args[0]->net;
            *c->args[0]->net = t;
        } else if (c->args[i]->kind == RJ_VAL_BLOCK)
            rj_net_append(net, c->args[i]->block,
                          c->e->args[i]->kind == RJ_EXPR_IDENT ? c->e->args[i]->name : NULL);
        else
            rj_net_append_net(net, c->args[i]->net);
    }
    st = rj_net_validate(net, c->err);
    if (st != RJ_OK)
        st = relocate(c->err, st, c->e->loc, "");
    else {
        rj_val_reset(out);
        out->kind = RJ_VAL_NET;
        rj_net_clear(out->net);
        *out->net = *net;
        rj_net_init(net);
    }
    rj_net_clear(net);
    return st;
}

static int
bi_repeat(rj_val_t out, call_t *c)
{
    slong i, L;
    double d, en;
    rj_net_t net;
    const char *name;
    int st = check_args(c, 2, 2, "repeat(B, L) with B a block or a network");
    if (st != RJ_OK)
        return st;
    if (c->args[0]->kind != RJ_VAL_BLOCK && c->args[0]->kind != RJ_VAL_NET)
        return wrong_kind(c->err, arg_loc(c, 0), "repeat", "a block or a network", c->args[0]);
    st = rj_val_get_si(&L, c->args[1], 1, RJ_MAX_DEPTH, 1, "the count of repeat(B, L)", NULL,
                       arg_loc(c, 1), c->err);
    if (st != RJ_OK)
        return st;
    net_size(c->args[0], &d, &en);
    st = size_limits(c, d * (double) L, en * (double) L);   /* before building */
    if (st != RJ_OK)
        return st;
    name = c->e->args[0]->kind == RJ_EXPR_IDENT ? c->e->args[0]->name : NULL;
    rj_net_init(net);
    for (i = 0; i < L; i++) {
        if (c->args[0]->kind == RJ_VAL_BLOCK)
            rj_net_append(net, c->args[0]->block, name);
        else
            rj_net_append_net(net, c->args[0]->net);
    }
    st = rj_net_validate(net, c->err);
    if (st != RJ_OK)
        st = relocate(c->err, st, c->e->loc, "repeat: ");
    else {
        rj_val_reset(out);
        out->kind = RJ_VAL_NET;
        rj_net_clear(out->net);
        *out->net = *net;
        rj_net_init(net);
    }
    rj_net_clear(net);
    return st;
}

static const struct {
    const char *name;
    builtin_fn fn;
} builtins[] = {
    { "diag", bi_diag },
    { "identity", bi_identity },
    { "zeros", bi_zeros },
    { "load", bi_load },
    { "rows", bi_rows_cols },
    { "cols", bi_rows_cols },
    { "leaky_relu", bi_atom },
    { "scaled", bi_atom },
    { "project", bi_atom },
    { "block", bi_block },
    { "net", bi_net },
    { "repeat", bi_repeat },
    { NULL, NULL }
};

static int
builtin_find(const char *name)
{
    int i;
    for (i = 0; builtins[i].name != NULL; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return i;
    return -1;
}

/* NAME(args) with NAME neither a function nor a builtin but bound to a
   polynomial (or an extension value that lifts operations, which may stand for
   polynomials): compose(NAME, args), the rule the parser uses for E(args).
   Its operands are then the value and the arguments. */
static int
is_value_call(const rj_expr_struct *e, rj_env_t env)
{
    rj_val_struct *v;
    if (rj_env_find_function(env, e->name, NULL) != NULL || builtin_find(e->name) >= 0)
        return 0;
    v = rj_env_lookup(env, e->name);
    return v != NULL
           && (v->kind == RJ_VAL_POLY || (v->kind == RJ_VAL_EXT && v->ops->lift != NULL))
           && rj_env_find_function(env, "compose", NULL) != NULL;
}

static int
call_registered(rj_val_t out, const rj_func_def *def, void *ctx, const rj_expr_struct *e,
                rj_val_struct *const *vals, slong n, rj_env_t env, rj_error_t err)
{
    rj_call_struct c;
    slong i;
    for (i = 0; i < e->nargs; i++)
        if (e->argnames != NULL && e->argnames[i] != NULL)
            return rj_error_set_loc(err, RJ_ERR_INPUT, e->argnamelocs[i],
                                    "%s takes no keyword arguments (found '%.60s = ...')",
                                    e->name, e->argnames[i]);
    if (n < def->min_args || n > def->max_args) {
        slong m = n < def->min_args ? def->min_args : def->max_args;
        return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                                "%s takes %s%ld argument%s, found %ld; usage: %s", def->name,
                                def->min_args == def->max_args ? ""
                                : n < def->min_args ? "at least " : "at most ",
                                (long) m, m == 1 ? "" : "s", (long) n, def->usage);
    }
    c.name = e->name;
    c.a = vals;
    c.n = n;
    c.loc = e->loc;
    c.def = def;
    c.ctx = ctx;
    return def->fn(out, &c, env, err);
}

int
rj_env_call(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
            rj_env_t env, rj_error_t err)
{
    void *ctx = NULL;
    const rj_func_def *def = rj_env_find_function(env, e->name, &ctx);
    if (def == NULL && is_value_call(e, env))
        def = rj_env_find_function(env, "compose", &ctx);
    if (def == NULL)
        return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "unknown function '%.60s'",
                                e->name);
    return call_registered(out, def, ctx, e, vals, n, env, err);
}

static int
apply_call(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
           rj_env_t env, const char *hint, rj_error_t err)
{
    int i;
    call_t c;
    if (rj_env_find_function(env, e->name, NULL) != NULL || is_value_call(e, env))
        return rj_env_call(out, e, vals, n, env, err);
    i = builtin_find(e->name);
    if (i >= 0) {
        c.e = e;
        c.args = vals;
        c.env = env;
        c.hint = hint;
        c.err = err;
        return builtins[i].fn(out, &c);
    }
    if (is_bare_atom(e->name))
        return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                                "'%.60s' is an atom (an activation, skip or placement), not "
                                "a function: use it as act = %.60s", e->name, e->name);
    if (rj_env_lookup(env, e->name) != NULL)
        return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                                "'%.60s' is a defined value, not a function", e->name);
    return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "unknown function '%.60s'", e->name);
}

/* ---------------------------------------------------------------- expressions */

/* RJ_MATRIX_FUNC(rows, cols, entries...) */
static int
call_matrix_func(rj_val_t out, const rj_func_def *def, void *ctx, const rj_expr_struct *e,
                 slong rows, slong cols, rj_val_struct *const *vals, rj_env_t env,
                 rj_error_t err)
{
    slong n = rows * cols;
    rj_val_struct **w = flint_malloc((n + 2) * sizeof(rj_val_struct *));
    rj_val_t r, c;
    int st;
    rj_val_init(r);
    rj_val_init(c);
    r->kind = c->kind = RJ_VAL_NUM;
    fmpq_set_si(r->num, rows, 1);
    fmpq_set_si(c->num, cols, 1);
    w[0] = r;
    w[1] = c;
    memcpy(w + 2, vals, n * sizeof(rj_val_struct *));
    st = call_registered(out, def, ctx, e, w, n + 2, env, err);
    rj_val_clear(r);
    rj_val_clear(c);
    flint_free(w);
    return st;
}

static int
apply_matrix(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
             rj_env_t env, rj_error_t err)
{
    slong i, k = e->cols;
    fmpq_mat_t A;
    void *ctx = NULL;
    const rj_func_def *def;
    for (i = 0; i < n && vals[i]->kind == RJ_VAL_NUM; i++)
        ;
    if (i < n && (def = rj_env_find_function(env, RJ_MATRIX_FUNC, &ctx)) != NULL)
        return call_matrix_func(out, def, ctx, e, e->rows, k, vals, env, err);
    if (i < n) {
        char d[120], pos[64];
        rj_val_describe(d, sizeof(d), vals[i]);
        if (k == 1)
            snprintf(pos, sizeof(pos), "entry %ld", (long) (i + 1));
        else
            snprintf(pos, sizeof(pos), "entry (%ld, %ld)", (long) (i / k + 1),
                     (long) (i % k + 1));
        return rj_error_set_loc(err, RJ_ERR_INPUT, e->args[i]->loc,
                                "matrix entries must be numbers: %s is %s", pos, d);
    }
    fmpq_mat_init(A, e->rows, k);
    for (i = 0; i < n; i++)
        fmpq_set(A->rows[i / k] + i % k, vals[i]->num);
    rj_val_set_fmpq_mat(out, A);
    fmpq_mat_clear(A);
    return RJ_OK;
}

static int
apply_index(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
            rj_error_t err)
{
    const rj_val_struct *a = vals[0];
    slong i = 0, j = 0, r, k;
    int st;
    char of[64];
    if (a->kind == RJ_VAL_EXT)
        return a->ops->index != NULL
               ? a->ops->index(out, a, vals[1], n == 3 ? vals[2] : NULL, e->loc, err)
               : rj_val_refuse(err, e->loc, "indexing", a);
    if (a->kind != RJ_VAL_MAT)
        return wrong_kind(err, e->loc, "indexing", "a matrix or a vector", a);
    r = fmpq_mat_nrows(a->mat);
    k = fmpq_mat_ncols(a->mat);
    if (n == 2) {
        if (r != 1 && k != 1)
            return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                                    "one index needs a vector, but this is a %ld x %ld "
                                    "matrix: write A[i, j]", (long) r, (long) k);
        snprintf(of, sizeof(of), "a vector of length %ld", (long) (r * k));
        st = rj_val_get_si(&i, vals[1], 1, r * k, 0, "index", of, e->args[1]->loc, err);
        if (st == RJ_OK)
            rj_val_set_fmpq(out, k == 1 ? fmpq_mat_entry(a->mat, i - 1, 0)
                                        : fmpq_mat_entry(a->mat, 0, i - 1));
        return st;
    }
    snprintf(of, sizeof(of), "a %ld x %ld matrix", (long) r, (long) k);
    st = rj_val_get_si(&i, vals[1], 1, r, 0, "row index", of, e->args[1]->loc, err);
    if (st == RJ_OK)
        st = rj_val_get_si(&j, vals[2], 1, k, 0, "column index", of, e->args[2]->loc, err);
    if (st == RJ_OK)
        rj_val_set_fmpq(out, fmpq_mat_entry(a->mat, i - 1, j - 1));
    return st;
}

static int
apply_transpose(rj_val_t out, const rj_expr_struct *e, const rj_val_struct *a,
                rj_error_t err)
{
    fmpq_mat_t T;
    if (a->kind == RJ_VAL_NUM) {
        rj_val_set(out, a);
        return RJ_OK;
    }
    if (a->kind == RJ_VAL_EXT)
        return a->ops->transpose != NULL ? a->ops->transpose(out, a, e->loc, err)
                                         : rj_val_refuse(err, e->loc, "transpose '", a);
    if (a->kind != RJ_VAL_MAT)
        return wrong_kind(err, e->loc, "transpose '", "a matrix", a);
    fmpq_mat_init(T, fmpq_mat_ncols(a->mat), fmpq_mat_nrows(a->mat));
    fmpq_mat_transpose(T, a->mat);
    rj_val_set_fmpq_mat(out, T);
    fmpq_mat_clear(T);
    return RJ_OK;
}

static int
apply(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
      rj_env_t env, const char *hint, rj_error_t err)
{
    slong i;
    int st;
    rj_val_t r;
    for (i = 0; i < n; i++)
        if (vals[i]->kind == RJ_VAL_EXT && vals[i]->ops->lift != NULL)
            return vals[i]->ops->lift(out, e, vals, n, env, err);
    rj_val_init(r);
    switch (e->kind) {
    case RJ_EXPR_CALL:
        st = apply_call(r, e, vals, n, env, hint, err);
        break;
    case RJ_EXPR_MATRIX:
        st = apply_matrix(r, e, vals, n, env, err);
        break;
    case RJ_EXPR_BINOP:
        st = rj_val_binop(r, e->op, vals[0], vals[1], &env->limits, e->loc, err);
        break;
    case RJ_EXPR_SUM:
        st = rj_val_binop(r, '+', vals[0], vals[1], &env->limits, e->args[2]->loc, err);
        break;
    case RJ_EXPR_PROD:                  /* later factors on the left */
        st = rj_val_binop(r, '*', vals[1], vals[0], &env->limits, e->args[2]->loc, err);
        break;
    case RJ_EXPR_NEG:
        st = rj_val_neg(r, vals[0], e->loc, err);
        break;
    case RJ_EXPR_TRANSPOSE:
        st = apply_transpose(r, e, vals[0], err);
        break;
    case RJ_EXPR_INDEX:
        st = apply_index(r, e, vals, n, err);
        break;
    default:
        st = rj_error_set_loc(err, RJ_ERR_INTERNAL, e->loc, "no operation to apply for "
                              "expression kind %d", (int) e->kind);
    }
    if (st == RJ_OK)
        rj_val_swap(out, r);
    rj_val_clear(r);
    return st;
}

int
rj_eval_apply(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
              rj_env_t env, rj_error_t err)
{
    return apply(out, e, vals, n, env, NULL, err);
}

/* Evaluate e's operands, then apply its operation. */
static int
eval_node(rj_val_t out, const rj_expr_struct *e, rj_env_t env, const char *hint,
          rj_error_t err)
{
    slong i, n = e->nargs, off = 0;
    rj_val_struct *v;
    rj_val_struct **p;
    int st = RJ_OK;

    if (e->kind == RJ_EXPR_MATRIX
        && (double) e->rows * (double) e->cols > (double) RJ_MAX_ENTRIES)
        return rj_error_set_loc(err, RJ_ERR_LIMIT, e->loc,
                                "matrix literal with %ld x %ld entries exceeds the limit %ld",
                                (long) e->rows, (long) e->cols, (long) RJ_MAX_ENTRIES);
    if (e->kind == RJ_EXPR_CALL && is_value_call(e, env))
        off = 1;                        /* the called value comes first */
    v = flint_malloc(FLINT_MAX(n + off, 1) * sizeof(rj_val_struct));
    p = flint_malloc(FLINT_MAX(n + off, 1) * sizeof(rj_val_struct *));
    for (i = 0; i < n + off; i++) {
        rj_val_init(v + i);
        p[i] = v + i;
    }
    if (off)
        rj_val_set(v, rj_env_lookup(env, e->name));
    for (i = 0; i < n && st == RJ_OK; i++)
        st = eval_rec(v + off + i, e->args[i], env, NULL, err);
    if (st == RJ_OK)
        st = apply(out, e, p, n + off, env, hint, err);
    for (i = 0; i < n + off; i++)
        rj_val_clear(v + i);
    flint_free(v);
    flint_free(p);
    return st;
}

static int
eval_sumprod(rj_val_t out, const rj_expr_struct *e, rj_env_t env, rj_error_t err)
{
    rj_val_t lo, hi, acc, term, kv;
    rj_val_struct *step[2];
    slong a, b, k;
    int st, is_sum = e->kind == RJ_EXPR_SUM;
    const char *w = is_sum ? "sum" : "prod";
    char what[80];

    rj_val_init(lo);
    rj_val_init(hi);
    rj_val_init(acc);
    rj_val_init(term);
    rj_val_init(kv);
    st = eval_rec(lo, e->args[0], env, NULL, err);
    if (st == RJ_OK)
        st = eval_rec(hi, e->args[1], env, NULL, err);
    snprintf(what, sizeof(what), "the lower end of the %s's range", w);
    if (st == RJ_OK)
        st = rj_val_get_si(&a, lo, -(WORD(1) << 60), WORD(1) << 60, 1, what, NULL,
                           e->args[0]->loc, err);
    snprintf(what, sizeof(what), "the upper end of the %s's range", w);
    if (st == RJ_OK)
        st = rj_val_get_si(&b, hi, -(WORD(1) << 60), WORD(1) << 60, 1, what, NULL,
                           e->args[1]->loc, err);
    if (st == RJ_OK)
        st = rj_limits_check_terms(&env->limits, (double) b - a + 1, w, e->loc, err);
    if (st != RJ_OK)
        goto done;
    acc->kind = RJ_VAL_NUM;                 /* empty sum 0, empty product 1 */
    fmpq_set_si(acc->num, is_sum ? 0 : 1, 1);
    step[0] = acc;
    step[1] = term;
    for (k = a; k <= b && st == RJ_OK; k++) {
        rj_val_reset(kv);
        kv->kind = RJ_VAL_NUM;
        fmpq_set_si(kv->num, k, 1);
        rj_env_push(env, e->name, kv);
        st = eval_rec(term, e->args[2], env, NULL, err);
        rj_env_unbind(env, e->name);
        if (st != RJ_OK)
            break;
        if (k == a)
            rj_val_swap(acc, term);
        else                                /* the node's operation: one step */
            st = apply(acc, e, step, 2, env, NULL, err);
    }
    if (st == RJ_OK)
        rj_val_swap(out, acc);
done:
    rj_val_clear(lo);
    rj_val_clear(hi);
    rj_val_clear(acc);
    rj_val_clear(term);
    rj_val_clear(kv);
    return st;
}

static int
eval_rec(rj_val_t out, const rj_expr_struct *e, rj_env_t env, const char *hint,
         rj_error_t err)
{
    rj_val_t r;
    int st = RJ_OK;
    rj_val_struct *v;

    rj_val_init(r);
    switch (e->kind) {
    case RJ_EXPR_NUM:
        rj_val_set_fmpq(r, e->num);
        break;
    case RJ_EXPR_STRING:
        r->kind = RJ_VAL_STRING;
        r->str = rj_strdup(e->str != NULL ? e->str : "");
        break;
    case RJ_EXPR_IDENT:
        v = rj_env_lookup(env, e->name);
        if (v != NULL)
            rj_val_set(r, v);
        else if (is_bare_atom(e->name))
            set_atom(r, e->name);
        else if (strcmp(e->name, "leaky_relu") == 0 || strcmp(e->name, "scaled") == 0)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "'%s' needs its parameter: "
                                  "%s(a)", e->name, e->name);
        else if (strcmp(e->name, "project") == 0)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "'project' needs its matrix: "
                                  "project(Ws)");
        else
            st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "undefined name '%.60s'",
                                  e->name);
        break;
    case RJ_EXPR_CALL:
    case RJ_EXPR_MATRIX:
    case RJ_EXPR_BINOP:
    case RJ_EXPR_NEG:
    case RJ_EXPR_TRANSPOSE:
    case RJ_EXPR_INDEX:
        st = eval_node(r, e, env, hint, err);
        break;
    case RJ_EXPR_SUM:
    case RJ_EXPR_PROD:
        st = eval_sumprod(r, e, env, err);
        break;
    case RJ_EXPR_CMP:
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                              "a comparison is a formula, not a value: it belongs in a claim");
        break;
    case RJ_EXPR_AND:
    case RJ_EXPR_OR:
    case RJ_EXPR_NOT:
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                              "'%s' combines formulas, which belong in a claim, not in a "
                              "value", e->kind == RJ_EXPR_AND ? "and"
                                       : e->kind == RJ_EXPR_OR ? "or" : "not");
        break;
    case RJ_EXPR_FORALL:
    case RJ_EXPR_FORALL_RANDOM:
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                              "'forall' makes a formula, which belongs in a claim, not in "
                              "a value");
        break;
    default:
        st = rj_error_set_loc(err, RJ_ERR_INTERNAL, e->loc, "unknown expression kind %d",
                              (int) e->kind);
    }
    if (st == RJ_OK)
        rj_val_swap(out, r);
    rj_val_clear(r);
    return st;
}

int
rj_eval(rj_val_t out, const rj_expr_struct *e, rj_env_t env, rj_error_t err)
{
    return eval_rec(out, e, env, NULL, err);
}

/* Bind v's contents to name without copying them (v is left NONE or holding
   the old value); a deep network is then held once, not twice. */
static void
env_bind_move(rj_env_t env, const char *name, rj_val_t v)
{
    rj_val_struct *w = rj_env_lookup(env, name);
    if (w == NULL) {
        rj_val_t empty;
        rj_val_init(empty);
        rj_env_push(env, name, empty);
        rj_val_clear(empty);
        w = rj_env_lookup(env, name);
    }
    rj_val_swap(w, v);
}

int
rj_eval_defs(rj_env_t env, const rj_prog_t prog, rj_error_t err)
{
    slong i;
    rj_val_t v;
    int st = RJ_OK;
    rj_val_init(v);
    for (i = 0; i < prog->len && st == RJ_OK; i++) {
        const rj_stmt_struct *s = prog->stmts + i;
        if (s->kind != RJ_STMT_LET)
            continue;
        st = eval_rec(v, s->expr, env, s->name, err);
        if (st == RJ_OK)
            env_bind_move(env, s->name, v);
    }
    rj_val_clear(v);
    return st;
}

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
    const char *slash;
    rj_val_struct *v;
    char d[120];
    slong width = -1;
    int st;

    rj_prog_init(prog);
    rj_env_init(env);
    rj_net_init(N);
    fmpq_mat_init(X, 0, 0);
    slash = strrchr(path, '/');
    if (slash != NULL) {
        dir = flint_malloc(slash - path + 2);
        if (slash == path)
            strcpy(dir, "/");
        else {
            memcpy(dir, path, slash - path);
            dir[slash - path] = '\0';
        }
    } else
        dir = rj_strdup(".");
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
