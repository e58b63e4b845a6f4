/* resjac: the language's layer builders and general blocks (issue 11):
 *   dense(W, b), conv2d(K, b, kernel = k | [kh, kw], stride, padding, dilation,
 *   groups), affine(scale, shift), batchnorm(gamma, beta, mean, var, eps),
 *   layernorm(gamma, beta, eps), avgpool(kernel, stride, padding),
 *   maxpool(kernel, stride, padding, dilation), global_avgpool, flatten,
 *   softplus(beta), elu(alpha), and
 *   block(branch = [layer, ...], skip = ..., place = ..., outer = ...,
 *         shape = [C, H, W]).
 * A layer is an extension value (one rj_val_ops table, "layer"); a list
 * literal of layers and activations is a list value; project([layers]) is a
 * projection skip given by its layers.  Every shape is checked by the model
 * (rj_block_validate), its message located at the call (proofs/LANGUAGE.md). */
#include <stdio.h>
#include <string.h>

#include "resjac/lang.h"
#include "lang_internal.h"

/* ---------------------------------------------------------------- the value */

/* A layer value holds one layer (project = 0) or a projection skip given by
   its layers (project = 1). */
typedef struct {
    int project;
    rj_seq_t seq;
} layer_data;

static void
ld_free(void *p)
{
    layer_data *d = p;
    rj_seq_clear(d->seq);
    flint_free(d);
}

static void *
ld_copy(const void *p)
{
    const layer_data *d = p;
    layer_data *e = flint_malloc(sizeof(layer_data));
    e->project = d->project;
    rj_seq_init(e->seq);
    rj_seq_set(e->seq, d->seq);
    return e;
}

static void
ld_name(char *buf, int len, const layer_data *d)
{
    if (d->project)
        snprintf(buf, len, "project(%ld layer%s)", (long) d->seq->len,
                 d->seq->len == 1 ? "" : "s");
    else
        rj_layer_name(buf, len, d->seq->layers);
}

static char *
ld_print(const rj_val_struct *v, slong maxlen)
{
    char buf[200];
    (void) maxlen;
    ld_name(buf, sizeof(buf), v->data);
    return rj_strdup(buf);
}

static void
ld_describe(char *buf, int len, const rj_val_struct *v)
{
    char nm[160];
    ld_name(nm, sizeof(nm), v->data);
    snprintf(buf, len, "the %s %s", ((const layer_data *) v->data)->project ? "skip" : "layer",
             nm);
}

static const rj_val_ops layer_ops = {
    "layer", ld_free, ld_copy, ld_print, ld_describe,
    NULL, NULL, NULL, NULL, NULL, NULL
};

static int
is_layer(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_EXT && v->ops == &layer_ops;
}

static const layer_data *
layer_of(const rj_val_struct *v)
{
    return is_layer(v) ? v->data : NULL;
}

/* out becomes a layer value holding a copy of L (project 0) or a projection
   of the layers s (project 1). */
static void
set_layers(rj_val_t out, const rj_seq_t s, int project)
{
    layer_data *d = flint_malloc(sizeof(layer_data));
    d->project = project;
    rj_seq_init(d->seq);
    rj_seq_set(d->seq, s);
    rj_val_reset(out);
    rj_val_set_ext(out, &layer_ops, d);
}

static void
set_layer(rj_val_t out, const rj_layer_struct *L)
{
    rj_seq_t s;
    rj_seq_init(s);
    rj_seq_push(s, L);
    set_layers(out, s, 0);
    rj_seq_clear(s);
}

/* ---------------------------------------------------------------- lists */

/* Whether v can stand in a list of layers: a layer, or an atom (an
   activation, or flatten / global_avgpool). */
static int
list_item_ok(const rj_val_struct *v)
{
    return (is_layer(v) && !((const layer_data *) v->data)->project) || v->kind == RJ_VAL_ATOM;
}

int
_rj_lang_layer_list(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals,
                    slong n, rj_error_t err)
{
    slong i, bad = -1;
    int layer = 0;
    if (e->cols != 1 || n < 1)
        return 0;
    for (i = 0; i < n; i++) {
        if (list_item_ok(vals[i]))
            layer = 1;
        else if (bad < 0)
            bad = i;
    }
    if (!layer)
        return 0;
    if (bad >= 0) {
        char d[120];
        rj_val_describe(d, sizeof(d), vals[bad]);
        rj_error_set_loc(err, RJ_ERR_INPUT, e->args[bad]->loc,
                         "a list of layers: item %ld is %s, not a layer (dense(...), "
                         "conv2d(...), relu, ...)", (long) bad + 1, d);
        return -1;
    }
    rj_val_reset(out);
    out->kind = RJ_VAL_LIST;
    out->items = flint_malloc(n * sizeof(rj_val_struct));
    for (i = 0; i < n; i++) {
        rj_val_init(out->items + i);
        rj_val_set(out->items + i, vals[i]);
    }
    out->len = n;
    return 1;
}

/* ---------------------------------------------------------------- arguments */

typedef struct {
    const rj_expr_struct *e;
    rj_val_struct *const *args;
    rj_error_struct *err;
    const char *usage;
    const char *const *names;   /* the parameters, in positional order */
    slong at[12];               /* argument index of each parameter, or -1 */
} lcall;

/* Match the arguments of the call to the parameters: positional ones in order,
   then keywords by name; each parameter at most once. */
static int
match_args(lcall *c)
{
    slong i, k, n = c->e->nargs, np = 0, npos;
    int named = 0;
    while (c->names[np] != NULL)
        np++;
    /* name = "..." is a keyword only */
    npos = np > 0 && strcmp(c->names[np - 1], "name") == 0 ? np - 1 : np;
    for (k = 0; k < np; k++)
        c->at[k] = -1;
    for (i = 0; i < n; i++) {
        const char *key = c->e->argnames[i];
        if (key == NULL) {
            if (named)
                return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->args[i]->loc,
                                        "%s: a positional argument after a keyword "
                                        "argument; usage: %s", c->e->name, c->usage);
            if (i >= npos)
                return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->args[i]->loc,
                                        "%s takes at most %ld arguments, found %ld; usage: %s",
                                        c->e->name, (long) npos, (long) n, c->usage);
            c->at[i] = i;
            continue;
        }
        named = 1;
        for (k = 0; k < np; k++)
            if (strcmp(key, c->names[k]) == 0)
                break;
        if (k == np)
            return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[i],
                                    "%s has no parameter '%.60s'; usage: %s", c->e->name, key,
                                    c->usage);
        if (c->at[k] >= 0)
            return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[i],
                                    "%s: '%s' is given twice", c->e->name, key);
        c->at[k] = i;
    }
    return RJ_OK;
}

static int
need(lcall *c, slong k)
{
    if (c->at[k] >= 0)
        return RJ_OK;
    return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->loc, "%s needs %s; usage: %s",
                            c->e->name, c->names[k], c->usage);
}

static rj_loc_t
loc_of(lcall *c, slong k)
{
    return c->e->args[c->at[k]]->loc;
}

/* The value of parameter k, or NULL when it is not given; `what` gets
   "f(name = ...)" for messages. */
static const rj_val_struct *
arg_of(lcall *c, slong k, char *what, int len)
{
    if (c->at[k] < 0)
        return NULL;
    snprintf(what, len, "%s(%s = ...)", c->e->name, c->names[k]);
    return c->args[c->at[k]];
}

/* Parameter k as a matrix (a number is 1 x 1); column: it must be a column
   vector (a number is a 1 x 1 column).  Absent: M unchanged. */
static int
get_mat(fmpq_mat_t M, lcall *c, slong k, int column)
{
    const rj_val_struct *v;
    char what[80];
    if ((v = arg_of(c, k, what, sizeof(what))) == NULL)
        return RJ_OK;
    fmpq_mat_clear(M);
    if (v->kind == RJ_VAL_NUM) {
        fmpq_mat_init(M, 1, 1);
        fmpq_set(fmpq_mat_entry(M, 0, 0), v->num);
        return RJ_OK;
    }
    fmpq_mat_init(M, 0, 0);
    if (v->kind != RJ_VAL_MAT)
        return _rj_lang_wrong_kind(c->err, loc_of(c, k), what,
                                   column ? "a column vector" : "a matrix", v);
    if (column && fmpq_mat_ncols(v->mat) != 1)
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, loc_of(c, k),
                                "%s: expected a column vector, found a %ld x %ld matrix", what,
                                (long) fmpq_mat_nrows(v->mat), (long) fmpq_mat_ncols(v->mat));
    fmpq_mat_clear(M);
    fmpq_mat_init(M, fmpq_mat_nrows(v->mat), fmpq_mat_ncols(v->mat));
    fmpq_mat_set(M, v->mat);
    return RJ_OK;
}

/* Parameter k as a pair of integers in [lo, RJ_MAX_WIDTH]: a number n is
   (n, n), a vector [a, b] is (a, b).  Absent: a, b unchanged. */
static int
get_pair(slong *a, slong *b, lcall *c, slong k, slong lo)
{
    const rj_val_struct *v;
    char what[80];
    int st;
    if ((v = arg_of(c, k, what, sizeof(what))) == NULL)
        return RJ_OK;
    if (v->kind == RJ_VAL_MAT && fmpq_mat_nrows(v->mat) * fmpq_mat_ncols(v->mat) == 2) {
        rj_val_t t;
        rj_val_init(t);
        rj_val_set_fmpq(t, fmpq_mat_entry(v->mat, 0, 0));
        st = rj_val_get_si(a, t, lo, RJ_MAX_WIDTH, 1, what, NULL, loc_of(c, k), c->err);
        if (st == RJ_OK) {
            const fmpq *q = fmpq_mat_nrows(v->mat) == 2 ? fmpq_mat_entry(v->mat, 1, 0)
                                                         : fmpq_mat_entry(v->mat, 0, 1);
            rj_val_set_fmpq(t, q);
            st = rj_val_get_si(b, t, lo, RJ_MAX_WIDTH, 1, what, NULL, loc_of(c, k), c->err);
        }
        rj_val_clear(t);
        return st;
    }
    if (v->kind != RJ_VAL_NUM)
        return _rj_lang_wrong_kind(c->err, loc_of(c, k), what,
                                   "an integer or a pair [a, b] of integers", v);
    st = rj_val_get_si(a, v, lo, RJ_MAX_WIDTH, 1, what, NULL, loc_of(c, k), c->err);
    *b = *a;
    return st;
}

static int
get_num(fmpq_t q, lcall *c, slong k, int positive)
{
    const rj_val_struct *v;
    char what[80];
    if ((v = arg_of(c, k, what, sizeof(what))) == NULL)
        return RJ_OK;
    if (v->kind != RJ_VAL_NUM)
        return _rj_lang_wrong_kind(c->err, loc_of(c, k), what, "a number", v);
    if (positive && fmpq_sgn(v->num) <= 0)
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, loc_of(c, k), "%s must be positive",
                                what);
    fmpq_set(q, v->num);
    return RJ_OK;
}

int
_rj_lang_get_name(char **name, const rj_val_struct *v, rj_loc_t loc, const char *what,
                  rj_error_t err)
{
    int st;
    if (v->kind != RJ_VAL_STRING)
        return _rj_lang_wrong_kind(err, loc, what, "a name in quotes (\"layer1.0.conv1\")", v);
    st = rj_name_check(v->str, what, err);
    if (st != RJ_OK)
        return _rj_lang_relocate(err, st, loc, "");
    flint_free(*name);
    *name = rj_strdup(v->str);
    return RJ_OK;
}

/* The `name` parameter of the call, when given, into *name. */
static int
get_name(char **name, lcall *c)
{
    slong k;
    char what[80];
    for (k = 0; c->names[k] != NULL; k++)
        if (strcmp(c->names[k], "name") == 0)
            break;
    if (c->names[k] == NULL || arg_of(c, k, what, sizeof(what)) == NULL)
        return RJ_OK;
    return _rj_lang_get_name(name, c->args[c->at[k]], loc_of(c, k), what, c->err);
}

/* ---------------------------------------------------------------- builders */

static const char *const dense_names[] = { "W", "b", "name", NULL };
static const char *const conv_names[] = { "K", "b", "kernel", "stride", "padding", "dilation",
                                          "groups", "name", NULL };
static const char *const affine_names[] = { "scale", "shift", "name", NULL };
static const char *const bn_names[] = { "gamma", "beta", "mean", "var", "eps", "name", NULL };
static const char *const ln_names[] = { "gamma", "beta", "eps", "name", NULL };
static const char *const pool_names[] = { "kernel", "stride", "padding", "dilation", "name",
                                          NULL };
static const char *const none_names[] = { "name", NULL };
static const char *const param_names[] = { "a", "name", NULL };

static int
build_layer(rj_layer_struct *L, lcall *c)
{
    const char *f = c->e->name;
    int st = RJ_OK;
    if (strcmp(f, "dense") == 0) {
        rj_layer_init(L, RJ_LAYER_DENSE);
        if ((st = need(c, 0)) == RJ_OK && (st = get_mat(L->W, c, 0, 0)) == RJ_OK)
            st = get_mat(L->b, c, 1, 1);
    } else if (strcmp(f, "conv2d") == 0) {
        rj_layer_init(L, RJ_LAYER_CONV2D);
        if ((st = need(c, 0)) == RJ_OK && (st = need(c, 2)) == RJ_OK
            && (st = get_mat(L->W, c, 0, 0)) == RJ_OK && (st = get_mat(L->b, c, 1, 1)) == RJ_OK
            && (st = get_pair(&L->kh, &L->kw, c, 2, 1)) == RJ_OK
            && (st = get_pair(&L->sh, &L->sw, c, 3, 1)) == RJ_OK
            && (st = get_pair(&L->ph, &L->pw, c, 4, 0)) == RJ_OK
            && (st = get_pair(&L->dh, &L->dw, c, 5, 1)) == RJ_OK) {
            slong g2;
            st = get_pair(&L->groups, &g2, c, 6, 1);
        }
    } else if (strcmp(f, "affine") == 0) {
        rj_layer_init(L, RJ_LAYER_AFFINE);
        if ((st = need(c, 0)) == RJ_OK && (st = get_mat(L->scale, c, 0, 1)) == RJ_OK)
            st = get_mat(L->shift, c, 1, 1);
    } else if (strcmp(f, "batchnorm") == 0) {
        rj_layer_init(L, RJ_LAYER_BATCHNORM);
        if ((st = need(c, 2)) == RJ_OK && (st = need(c, 3)) == RJ_OK
            && (st = get_mat(L->scale, c, 0, 1)) == RJ_OK
            && (st = get_mat(L->shift, c, 1, 1)) == RJ_OK
            && (st = get_mat(L->mean, c, 2, 1)) == RJ_OK
            && (st = get_mat(L->var, c, 3, 1)) == RJ_OK)
            st = get_num(L->eps, c, 4, 0);
    } else if (strcmp(f, "layernorm") == 0) {
        rj_layer_init(L, RJ_LAYER_LAYERNORM);
        if ((st = get_mat(L->scale, c, 0, 1)) == RJ_OK
            && (st = get_mat(L->shift, c, 1, 1)) == RJ_OK)
            st = get_num(L->eps, c, 2, 1);
    } else if (strcmp(f, "avgpool") == 0 || strcmp(f, "maxpool") == 0) {
        int mx = f[0] == 'm';
        rj_layer_init(L, mx ? RJ_LAYER_MAXPOOL : RJ_LAYER_AVGPOOL);
        if (!mx && c->at[3] >= 0)
            return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->argnamelocs[c->at[3]],
                                    "avgpool has no dilation; usage: %s", c->usage);
        if ((st = need(c, 0)) == RJ_OK && (st = get_pair(&L->kh, &L->kw, c, 0, 1)) == RJ_OK
            && (st = get_pair(&L->sh, &L->sw, c, 1, 1)) == RJ_OK
            && (st = get_pair(&L->ph, &L->pw, c, 2, 0)) == RJ_OK)
            st = get_pair(&L->dh, &L->dw, c, 3, 1);
    } else if (strcmp(f, "global_avgpool") == 0)
        rj_layer_init(L, RJ_LAYER_GAP);
    else
        rj_layer_init(L, RJ_LAYER_FLATTEN);
    return st;
}

/* softplus(beta), elu(alpha): the activation atom with its parameter. */
static int
build_param_act(rj_val_t out, lcall *c)
{
    int st;
    fmpq_t q;
    char *name = NULL;
    if ((st = need(c, 0)) != RJ_OK)
        return st;
    /* an activation has no parameters to name: the name is checked, not kept */
    if ((st = get_name(&name, c)) != RJ_OK)
        return st;
    flint_free(name);
    fmpq_init(q);
    st = get_num(q, c, 0, 1);
    if (st == RJ_OK) {
        _rj_lang_set_atom(out, c->e->name);
        fmpq_set(out->num, q);
    }
    fmpq_clear(q);
    return st;
}

static const struct {
    const char *name;
    const char *const *params;
    const char *usage;
} layer_builders[] = {
    { "dense", dense_names, "dense(W, b, name = \"fc\")" },
    { "conv2d", conv_names, "conv2d(K, b, kernel = 3 or [kh, kw], stride = 1, padding = 0, "
                            "dilation = 1, groups = 1)" },
    { "affine", affine_names, "affine(scale, shift)" },
    { "batchnorm", bn_names, "batchnorm(gamma, beta, mean, var, eps = 1/100000)" },
    { "layernorm", ln_names, "layernorm(gamma, beta, eps = 1/100000)" },
    { "avgpool", pool_names, "avgpool(kernel, stride = kernel, padding = 0)" },
    { "maxpool", pool_names, "maxpool(kernel, stride = kernel, padding = 0, dilation = 1)" },
    { "global_avgpool", none_names, "global_avgpool" },
    { "flatten", none_names, "flatten" },
    { "softplus", param_names, "softplus(beta), beta > 0" },
    { "elu", param_names, "elu(alpha), alpha > 0" },
    { NULL, NULL, NULL }
};

int
_rj_lang_layer_find(const char *name)
{
    int i;
    for (i = 0; layer_builders[i].name != NULL; i++)
        if (strcmp(layer_builders[i].name, name) == 0)
            return i;
    return -1;
}

int
_rj_lang_layer_call(rj_val_t out, int i, const rj_expr_struct *e, rj_val_struct *const *vals,
                    rj_error_t err)
{
    lcall c;
    rj_layer_struct L;
    int st;
    c.e = e;
    c.args = vals;
    c.err = err;
    c.usage = layer_builders[i].usage;
    c.names = layer_builders[i].params;
    if ((st = match_args(&c)) != RJ_OK)
        return st;
    if (layer_builders[i].params == param_names)
        return build_param_act(out, &c);
    st = build_layer(&L, &c);
    if (st == RJ_OK)
        st = get_name(&L.name, &c);
    if (st == RJ_OK)
        set_layer(out, &L);
    rj_layer_clear(&L);
    return st;
}

/* ---------------------------------------------------------------- sequences */

/* The layer an item of a list stands for: a layer value, an activation atom,
   or the atoms flatten and global_avgpool. */
static int
item_layer(rj_layer_struct *L, const rj_val_struct *v, rj_loc_t loc, const char *what,
           rj_error_t err)
{
    if (is_layer(v) && !layer_of(v)->project) {
        rj_layer_init(L, layer_of(v)->seq->layers[0].kind);
        rj_layer_set(L, layer_of(v)->seq->layers);
        return RJ_OK;
    }
    if (v->kind == RJ_VAL_ATOM && strcmp(v->str, "flatten") == 0) {
        rj_layer_init(L, RJ_LAYER_FLATTEN);
        return RJ_OK;
    }
    if (v->kind == RJ_VAL_ATOM && strcmp(v->str, "global_avgpool") == 0) {
        rj_layer_init(L, RJ_LAYER_GAP);
        return RJ_OK;
    }
    rj_layer_init(L, RJ_LAYER_ACT);
    if (_rj_lang_atom_get_act(L->act, v))
        return RJ_OK;
    rj_layer_clear(L);
    return _rj_lang_wrong_kind(err, loc, what,
                               "a layer (dense(...), conv2d(...), batchnorm(...), relu, ...)",
                               v);
}

/* s gets the layers of v: a list of layers, or one layer. */
static int
seq_from_val(rj_seq_t s, const rj_val_struct *v, rj_loc_t loc, const char *what,
             rj_error_t err)
{
    slong i, n = v->kind == RJ_VAL_LIST ? v->len : 1;
    int st = RJ_OK;
    for (i = 0; i < n && st == RJ_OK; i++) {
        rj_layer_struct L;
        char w[120];
        if (v->kind == RJ_VAL_LIST)
            snprintf(w, sizeof(w), "%s, item %ld", what, (long) i + 1);
        else
            snprintf(w, sizeof(w), "%s", what);
        st = item_layer(&L, v->kind == RJ_VAL_LIST ? v->items + i : v, loc, w, err);
        if (st == RJ_OK) {
            rj_seq_push(s, &L);
            rj_layer_clear(&L);
        }
    }
    return st;
}

int
_rj_lang_project_layers(rj_val_t out, const rj_val_struct *v, rj_loc_t loc, rj_error_t err)
{
    rj_seq_t s;
    int st;
    rj_seq_init(s);
    st = seq_from_val(s, v, loc, "project", err);
    if (st == RJ_OK)
        set_layers(out, s, 1);
    rj_seq_clear(s);
    return st;
}

slong
_rj_lang_block_entries(const rj_block_struct *b)
{
    slong i, k, n = 1;
    const rj_seq_struct *seqs[2];
    seqs[0] = b->branch;
    seqs[1] = b->proj;
    for (k = 0; k < 2; k++)
        for (i = 0; i < seqs[k]->len; i++) {
            const rj_layer_struct *L = seqs[k]->layers + i;
            n += fmpq_mat_nrows(L->W) * fmpq_mat_ncols(L->W) + fmpq_mat_nrows(L->b)
                 + fmpq_mat_nrows(L->scale) + fmpq_mat_nrows(L->shift)
                 + fmpq_mat_nrows(L->mean) + fmpq_mat_nrows(L->var) + 1;
        }
    return n;
}

/* ---------------------------------------------------------------- general block */

static const char *const gblock_names[] = { "branch", "skip", "place", "outer", "shape",
                                            "name", NULL };

/* The input shape: shape = [C, H, W] or n (n x 1 x 1); else a first dense
   layer's columns (a flat input). */
static int
block_shape(rj_shape *in, lcall *c, const rj_seq_t branch)
{
    const rj_val_struct *v;
    slong d[3], k, n;
    int st;
    char what[] = "block(shape = ...)";
    if (c->at[4] < 0) {
        if (branch->len > 0 && branch->layers[0].kind == RJ_LAYER_DENSE
            && fmpq_mat_ncols(branch->layers[0].W) > 0) {
            in->c = fmpq_mat_ncols(branch->layers[0].W);
            in->h = in->w = 1;
            return RJ_OK;
        }
        return rj_error_set_loc(c->err, RJ_ERR_INPUT, c->e->loc,
                                "block needs the shape of its input, shape = [C, H, W] "
                                "(or shape = n for a vector), unless its first layer is "
                                "dense");
    }
    v = c->args[c->at[4]];
    if (v->kind == RJ_VAL_NUM) {
        st = rj_val_get_si(&in->c, v, 1, RJ_MAX_WIDTH, 1, what, NULL, loc_of(c, 4), c->err);
        in->h = in->w = 1;
        return st;
    }
    n = v->kind == RJ_VAL_MAT ? fmpq_mat_nrows(v->mat) * fmpq_mat_ncols(v->mat) : 0;
    if (n != 3)
        return _rj_lang_wrong_kind(c->err, loc_of(c, 4), what,
                                   "[C, H, W] (channels, height, width) or a width n", v);
    for (k = 0; k < 3; k++) {
        rj_val_t t;
        rj_val_init(t);
        rj_val_set_fmpq(t, fmpq_mat_ncols(v->mat) == 1 ? fmpq_mat_entry(v->mat, k, 0)
                                                       : fmpq_mat_entry(v->mat, 0, k));
        st = rj_val_get_si(d + k, t, 1, RJ_MAX_WIDTH, 1, what, NULL, loc_of(c, 4), c->err);
        rj_val_clear(t);
        if (st != RJ_OK)
            return st;
    }
    in->c = d[0];
    in->h = d[1];
    in->w = d[2];
    return RJ_OK;
}

int
_rj_lang_get_project(rj_seq_t s, const rj_val_struct *v)
{
    if (!is_layer(v) || !layer_of(v)->project)
        return 0;
    rj_seq_set(s, layer_of(v)->seq);
    return 1;
}

/* Two layers of one block with the same name would give their parameters
   the same names: refused, naming both places. */
static int
names_distinct(const rj_block_struct *b, rj_loc_t loc, rj_error_t err)
{
    const rj_seq_struct *seqs[2];
    slong i, j, k, m;
    seqs[0] = b->branch;
    seqs[1] = b->proj;
    for (k = 0; k < 2; k++)
        for (i = 0; i < seqs[k]->len; i++) {
            const char *a = seqs[k]->layers[i].name;
            if (a == NULL)
                continue;
            for (m = k; m < 2; m++)
                for (j = m == k ? i + 1 : 0; j < seqs[m]->len; j++)
                    if (seqs[m]->layers[j].name != NULL
                        && strcmp(a, seqs[m]->layers[j].name) == 0)
                        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                                "block: two layers are named \"%.60s\" "
                                                "(%s layer %ld and %s layer %ld); each "
                                                "layer's parameters need their own name", a,
                                                k ? "projection" : "branch", (long) i + 1,
                                                m ? "projection" : "branch", (long) j + 1);
        }
    return RJ_OK;
}

int
_rj_lang_block_general(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals,
                       const char *hint, rj_error_t err)
{
    lcall c;
    rj_block_t b;
    rj_seq_t branch;
    rj_shape in;
    slong i;
    int st;

    c.e = e;
    c.args = vals;
    c.err = err;
    c.usage = "block(branch = [layer, ...], skip = identity | none | scaled(a) | "
              "project(W) | project([layer, ...]), place = none | pre | post, outer = relu, "
              "shape = [C, H, W], name = \"layer1.0\")";
    c.names = gblock_names;
    for (i = 0; i < e->nargs; i++)
        if (e->argnames[i] == NULL)
            return rj_error_set_loc(err, RJ_ERR_INPUT, e->args[i]->loc,
                                    "block takes keyword arguments only; usage: %s", c.usage);
    if ((st = match_args(&c)) != RJ_OK)
        return st;
    rj_seq_init(branch);
    st = seq_from_val(branch, vals[c.at[0]], loc_of(&c, 0), "block(branch = ...)", err);
    if (st == RJ_OK)
        st = block_shape(&in, &c, branch);
    if (st != RJ_OK) {
        rj_seq_clear(branch);
        return st;
    }
    rj_block_init_general(b, in);
    rj_seq_set(b->branch, branch);
    rj_seq_clear(branch);
    st = _rj_lang_block_opts(b, c.at[1] >= 0 ? vals[c.at[1]] : NULL,
                             c.at[1] >= 0 ? loc_of(&c, 1) : e->loc,
                             c.at[2] >= 0 ? vals[c.at[2]] : NULL,
                             c.at[2] >= 0 ? loc_of(&c, 2) : e->loc,
                             c.at[3] >= 0 ? vals[c.at[3]] : NULL,
                             c.at[3] >= 0 ? loc_of(&c, 3) : e->loc,
                             c.at[3] >= 0 ? e->argnamelocs[c.at[3]] : e->loc, err);
    if (st == RJ_OK)
        st = get_name(&b->name, &c);
    if (st == RJ_OK)
        st = names_distinct(b, e->loc, err);
    return _rj_lang_block_finish(out, b, st, hint, e->loc, err);
}
