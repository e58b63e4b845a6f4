/* resjac: the language's builtins: the constructors diag, identity, zeros, ones,
 * load, tensors, rows, cols, the parametrised atoms, block, net and repeat (see
 * include/resjac/lang.h and proofs/LANGUAGE.md). */
#include <stdio.h>
#include <string.h>

#include "resjac/lang.h"
#include "lang_internal.h"

/* Move err's message to loc, keeping its status and text. */
int
_rj_lang_relocate(rj_error_t err, int status, rj_loc_t loc, const char *prefix)
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

/* ---------------------------------------------------------------- atoms */

static const char *bare_atoms[] = {
    "relu", "tanh", "sigmoid", "identity", "none", "pre", "post",
    /* issue 11: activations and parameterless layers */
    "gelu", "gelu_tanh", "softplus", "silu", "elu", "flatten", "global_avgpool", NULL
};

int
_rj_lang_is_bare_atom(const char *s)
{
    int i;
    for (i = 0; bare_atoms[i] != NULL; i++)
        if (strcmp(s, bare_atoms[i]) == 0)
            return 1;
    return 0;
}

void
_rj_lang_set_atom(rj_val_t v, const char *name)
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
int
_rj_lang_atom_get_act(rj_act_t a, const rj_val_struct *v)
{
    if (v->kind != RJ_VAL_ATOM)
        return 0;
    if (atom_is(v, "softplus") || atom_is(v, "elu")) {
        rj_act_from_name(a, v->str);     /* parameter 1 unless given (> 0) */
        if (fmpq_sgn(v->num) > 0)
            fmpq_set(a->param, v->num);
        return 1;
    }
    if (atom_is(v, "gelu") || atom_is(v, "gelu_tanh") || atom_is(v, "silu"))
        return rj_act_from_name(a, v->str) == RJ_OK;
    fmpq_zero(a->param);
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
            return _rj_lang_wrong_kind(c->err, arg_loc(c, i), "diag entry",
                                       n == 1 ? "a number or a vector" : "a number",
                                       c->args[i]);
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

/* The shape of zeros(r, c), ones(r, c) and ones(n) (a column, n x 1). */
static int
filled_shape(slong *r, slong *k, call_t *c, int one_arg)
{
    const char *what = one_arg ? "ones(rows, cols) or ones(n)" : "zeros(rows, cols)";
    int st = check_args(c, one_arg ? 1 : 2, 2, what);
    *k = 1;
    if (st == RJ_OK)
        st = rj_val_get_si(r, c->args[0], 1, RJ_MAX_WIDTH, 1, one_arg ? "rows of ones(r, c)"
                           : "rows of zeros(r, c)", NULL, arg_loc(c, 0), c->err);
    if (st == RJ_OK && c->e->nargs == 2)
        st = rj_val_get_si(k, c->args[1], 1, RJ_MAX_WIDTH, 1, one_arg ? "cols of ones(r, c)"
                           : "cols of zeros(r, c)", NULL, arg_loc(c, 1), c->err);
    if (st == RJ_OK)
        st = check_entries(c, *r, *k);
    return st;
}

static int
bi_zeros(rj_val_t out, call_t *c)
{
    slong r, k;
    int st = filled_shape(&r, &k, c, 0);
    if (st != RJ_OK)
        return st;
    set_mat_size(out, r, k);
    return RJ_OK;
}

/* ones(r, c): every entry 1; ones(n): the column of n ones. */
static int
bi_ones(rj_val_t out, call_t *c)
{
    slong r, k, i, j;
    int st = filled_shape(&r, &k, c, 1);
    if (st != RJ_OK)
        return st;
    set_mat_size(out, r, k);
    for (i = 0; i < r; i++)
        for (j = 0; j < k; j++)
            fmpq_one(fmpq_mat_entry(out->mat, i, j));
    return RJ_OK;
}

/* A file name argument, relative to the directory of the model file;
   flint_malloc'd. */
static char *
file_path(const char *f, const char *dir)
{
    size_t n = strlen(f) + (dir != NULL ? strlen(dir) : 0) + 2;
    char *path = flint_malloc(n);
    if (f[0] != '/' && dir != NULL && dir[0] != '\0')
        snprintf(path, n, "%s/%s", dir, f);
    else
        snprintf(path, n, "%s", f);
    return path;
}

/* load("x.npy"), load("f.safetensors", "name"), load("f.npz", "name"). */
static int
bi_load(rj_val_t out, call_t *c)
{
    char *path;
    fmpq_mat_t A;
    int st = check_args(c, 1, 2, "load(\"file.npy\") or load(\"file.safetensors\", "
                        "\"tensor name\")");
    if (st != RJ_OK)
        return st;
    if (c->args[0]->kind != RJ_VAL_STRING)
        return _rj_lang_wrong_kind(c->err, arg_loc(c, 0), "load", "a file name in quotes",
                                   c->args[0]);
    if (c->e->nargs == 2 && c->args[1]->kind != RJ_VAL_STRING)
        return _rj_lang_wrong_kind(c->err, arg_loc(c, 1), "load", "a tensor name in quotes",
                                   c->args[1]);
    path = file_path(c->args[0]->str, c->env->dir);
    fmpq_mat_init(A, 0, 0);
    if (c->e->nargs == 2)
        st = rj_tensor_load(A, path, c->args[1]->str, c->err);
    else
        st = rj_npy_load(A, path, c->err);
    if (st != RJ_OK) {
        char prefix[300];
        snprintf(prefix, sizeof(prefix), "cannot load %.200s: ", path);
        flint_free(path);
        fmpq_mat_clear(A);
        return _rj_lang_relocate(c->err, st, c->e->loc, prefix);
    }
    flint_free(path);
    rj_val_reset(out);
    out->kind = RJ_VAL_MAT;
    fmpq_mat_swap(out->mat, A);
    fmpq_mat_clear(A);
    return RJ_OK;
}

/* tensors("f.safetensors") or tensors("f.npz"): the whole file (tensors.c). */
static int
bi_tensors(rj_val_t out, call_t *c)
{
    char *path;
    int st = check_args(c, 1, 1, "tensors(\"file.safetensors\") or tensors(\"file.npz\")");
    if (st != RJ_OK)
        return st;
    if (c->args[0]->kind != RJ_VAL_STRING)
        return _rj_lang_wrong_kind(c->err, arg_loc(c, 0), "tensors", "a file name in quotes",
                                   c->args[0]);
    path = file_path(c->args[0]->str, c->env->dir);
    st = _rj_lang_tensors(out, path, c->e->loc, c->err);
    flint_free(path);
    return st;
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
        return _rj_lang_wrong_kind(c->err, arg_loc(c, 0), c->e->name, "a matrix", c->args[0]);
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
        if (c->args[0]->kind == RJ_VAL_LIST || c->args[0]->kind == RJ_VAL_EXT)
            return _rj_lang_project_layers(out, c->args[0], arg_loc(c, 0), c->err);
        if (c->args[0]->kind != RJ_VAL_MAT)
            return _rj_lang_wrong_kind(c->err, arg_loc(c, 0), "project",
                                       "a matrix or a list of layers", c->args[0]);
        _rj_lang_set_atom(out, name);
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
        return _rj_lang_wrong_kind(c->err, arg_loc(c, 0), name, "a number", c->args[0]);
    _rj_lang_set_atom(out, name);
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
        return _rj_lang_wrong_kind(c->err, arg_loc(c, i), what, vector ? "a column vector"
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

/* skip, place and outer of a block of either form (NULL: not given; each
   loc where its value stands, outer_key where `outer` is written).  A
   projection of a general block is its layers: project(W) is dense(W). */
int
_rj_lang_block_opts(rj_block_t b, const rj_val_struct *skip, rj_loc_t skip_loc,
                    const rj_val_struct *place, rj_loc_t place_loc,
                    const rj_val_struct *outer, rj_loc_t outer_loc, rj_loc_t outer_key,
                    rj_error_t err)
{
    if (skip != NULL) {
        const rj_val_struct *v = skip;
        if (atom_is(v, "identity"))
            b->skip = RJ_SKIP_IDENTITY;
        else if (atom_is(v, "none"))
            b->skip = RJ_SKIP_NONE;
        else if (atom_is(v, "scaled")) {
            b->skip = RJ_SKIP_SCALED;
            fmpq_set(b->alpha, v->num);
        } else if (atom_is(v, "project") && b->general) {
            rj_layer_struct L;
            b->skip = RJ_SKIP_PROJECT;
            rj_layer_init(&L, RJ_LAYER_DENSE);
            fmpq_mat_clear(L.W);
            fmpq_mat_init(L.W, fmpq_mat_nrows(v->mat), fmpq_mat_ncols(v->mat));
            fmpq_mat_set(L.W, v->mat);
            rj_seq_push(b->proj, &L);
            rj_layer_clear(&L);
        } else if (atom_is(v, "project")) {
            b->skip = RJ_SKIP_PROJECT;
            fmpq_mat_clear(b->Ws);
            fmpq_mat_init(b->Ws, fmpq_mat_nrows(v->mat), fmpq_mat_ncols(v->mat));
            fmpq_mat_set(b->Ws, v->mat);
        } else if (b->general && _rj_lang_get_project(b->proj, v)) {
            b->skip = RJ_SKIP_PROJECT;
        } else
            return _rj_lang_wrong_kind(err, skip_loc, "skip",
                                       b->general ? "identity, none, scaled(a), project(Ws) "
                                                    "or project([layer, ...])"
                                                  : "identity, none, scaled(a) or "
                                                    "project(Ws)", v);
    }
    if (place != NULL) {
        const rj_val_struct *v = place;
        if (atom_is(v, "none"))
            b->place = RJ_PLACE_NONE;
        else if (atom_is(v, "pre"))
            b->place = RJ_PLACE_PRE;
        else if (atom_is(v, "post"))
            b->place = RJ_PLACE_POST;
        else
            return _rj_lang_wrong_kind(err, place_loc, "place", "none, pre or post", v);
    }
    if (outer != NULL) {
        if (b->place == RJ_PLACE_NONE)
            return rj_error_set_loc(err, RJ_ERR_INPUT, outer_key,
                                    "outer needs place = pre or place = post");
        if (!_rj_lang_atom_get_act(b->outer, outer))
            return _rj_lang_wrong_kind(err, outer_loc, "outer",
                                       "an activation (relu, leaky_relu(a), identity, tanh, "
                                       "sigmoid, gelu, ...)", outer);
    }
    return RJ_OK;
}

static const char *block_keys[] = { "W1", "b1", "act", "W2", "b2", "skip", "place", "outer",
                                    "name", NULL };

static int
bi_block(rj_val_t out, call_t *c)
{
    rj_block_t b;
    slong i, n = c->e->nargs;
    slong have[9];
    int st = RJ_OK, k;
    const char *usage = "block(W1 = A, b1 = v, act = relu, W2 = C, b2 = w, "
                        "skip = identity, place = none, outer = relu, name = \"blk\")";

    for (i = 0; i < n; i++)      /* the general form: block(branch = [layers], ...) */
        if (c->e->argnames[i] != NULL && strcmp(c->e->argnames[i], "branch") == 0)
            return _rj_lang_block_general(out, c->e, c->args, c->hint, c->err);
    for (k = 0; k < 9; k++)
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
                                    "act, W2, b2, skip, place, outer, name; or branch, skip, "
                                    "place, outer, shape, name)", key);
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
    if (st == RJ_OK && have[2] >= 0 && !_rj_lang_atom_get_act(b->act, c->args[have[2]]))
        st = _rj_lang_wrong_kind(c->err, arg_loc(c, have[2]), "act",
                                 "an activation (relu, leaky_relu(a), identity, tanh, sigmoid)",
                                 c->args[have[2]]);
    if (st == RJ_OK)
        st = _rj_lang_block_opts(b, have[5] >= 0 ? c->args[have[5]] : NULL,
                                 have[5] >= 0 ? arg_loc(c, have[5]) : c->e->loc,
                                 have[6] >= 0 ? c->args[have[6]] : NULL,
                                 have[6] >= 0 ? arg_loc(c, have[6]) : c->e->loc,
                                 have[7] >= 0 ? c->args[have[7]] : NULL,
                                 have[7] >= 0 ? arg_loc(c, have[7]) : c->e->loc,
                                 have[7] >= 0 ? c->e->argnamelocs[have[7]] : c->e->loc,
                                 c->err);
    if (st == RJ_OK && have[8] >= 0)
        st = _rj_lang_get_name(&b->name, c->args[have[8]], arg_loc(c, have[8]),
                               "block(name = ...)", c->err);
    return _rj_lang_block_finish(out, b, st, c->hint, c->e->loc, c->err);
}

int
_rj_lang_block_finish(rj_val_t out, rj_block_t b, int st, const char *hint, rj_loc_t loc,
                      rj_error_t err)
{
    if (st == RJ_OK && (st = rj_block_validate(b, hint, err)) != RJ_OK)
        st = _rj_lang_relocate(err, st, loc, "");
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
    if (b->general)
        return _rj_lang_block_entries(b);
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
            return _rj_lang_wrong_kind(c->err, arg_loc(c, i), "net", "a block or a network",
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
        st = _rj_lang_relocate(c->err, st, c->e->loc, "");
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
        return _rj_lang_wrong_kind(c->err, arg_loc(c, 0), "repeat", "a block or a network",
                                   c->args[0]);
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
        st = _rj_lang_relocate(c->err, st, c->e->loc, "repeat: ");
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
    { "ones", bi_ones },
    { "load", bi_load },
    { "tensors", bi_tensors },
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

int
_rj_lang_builtin_find(const char *name)
{
    int i, k;
    for (i = 0; builtins[i].name != NULL; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return i;
    if ((k = _rj_lang_layer_find(name)) >= 0)    /* the layer builders (layers.c) */
        return i + k;
    return -1;
}

int
_rj_lang_builtin_call(rj_val_t out, int i, const rj_expr_struct *e, rj_val_struct *const *vals,
                      rj_env_t env, const char *hint, rj_error_t err)
{
    call_t c;
    c.e = e;
    c.args = vals;
    c.env = env;
    c.hint = hint;
    c.err = err;
    if (i >= (int) (sizeof(builtins) / sizeof(builtins[0])) - 1)
        return _rj_lang_layer_call(out, i - (int) (sizeof(builtins) / sizeof(builtins[0])) + 1,
                                   e, vals, err);
    return builtins[i].fn(out, &c);
}
