/* resjac: evaluation of expressions (see include/resjac/lang.h and
 * proofs/LANGUAGE.md); the builtins are in builtins.c, model files in load.c. */
#include <stdio.h>
#include <string.h>

#include "resjac/lang.h"
#include "lang_internal.h"

static int eval_rec(rj_val_t out, const rj_expr_struct *e, rj_env_t env, const char *hint,
                    rj_error_t err);
static int apply(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
                 rj_env_t env, const char *hint, rj_error_t err);

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

int
_rj_lang_wrong_kind(rj_error_t err, rj_loc_t loc, const char *what, const char *expected,
                    const rj_val_struct *v)
{
    char d[120];
    rj_val_describe(d, sizeof(d), v);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s: expected %s, found %s", what,
                            expected, d);
}

/* NAME(args) with NAME neither a function nor a builtin but bound to a
   polynomial (or an extension value that lifts operations, which may stand for
   polynomials): compose(NAME, args), the rule the parser uses for E(args).
   Its operands are then the value and the arguments. */
static int
is_value_call(const rj_expr_struct *e, rj_env_t env)
{
    rj_val_struct *v;
    if (rj_env_find_function(env, e->name, NULL) != NULL || _rj_lang_builtin_find(e->name) >= 0)
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
    if (rj_env_find_function(env, e->name, NULL) != NULL || is_value_call(e, env))
        return rj_env_call(out, e, vals, n, env, err);
    i = _rj_lang_builtin_find(e->name);
    if (i >= 0)
        return _rj_lang_builtin_call(out, i, e, vals, env, hint, err);
    if (_rj_lang_is_bare_atom(e->name))
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
    int lst;
    fmpq_mat_t A;
    void *ctx = NULL;
    const rj_func_def *def;
    for (i = 0; i < n && vals[i]->kind == RJ_VAL_NUM; i++)
        ;
    if (i < n && (lst = _rj_lang_layer_list(out, e, vals, n, err)) != 0) /* [relu, ...] */
        return lst > 0 ? RJ_OK : RJ_ERR_INPUT;
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
        return _rj_lang_wrong_kind(err, e->loc, "indexing", "a matrix or a vector", a);
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
        return _rj_lang_wrong_kind(err, e->loc, "transpose '", "a matrix", a);
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

/* ------------------------------------------------------------ empty sums and products

   A sum over an empty range is the zero, a product the identity, of the shape
   its terms would have.  That shape is read off the body without a value of
   the bound variable k: k is a number; a part that does not mention k has the
   same value for every k and is evaluated once; numbers, names, matrix
   literals of numbers, + - * / ^, negation and transpose combine shapes as the
   arithmetic does (a number with a matrix under + and - is the matrix, as in
   the broadcast).  A part whose shape depends on k through a function call
   (identity(k), jacobian(...)) leaves the shape unknown: an empty sum is then
   the number 0, which is the zero of every shape (it adds, subtracts,
   multiplies and compares entrywise as the zero matrix does); an empty
   product is refused, since the number 1 is not an identity matrix. */

typedef struct {
    int known;          /* 0: unknown */
    int is_num;         /* a number; else a rows x cols matrix */
    slong rows, cols;
} body_shape;

/* 1 if e mentions the variable var outside a scope that binds it again. */
static int
mentions(const rj_expr_struct *e, const char *var)
{
    slong i, body = -1;
    if (e == NULL)
        return 0;
    if (e->kind == RJ_EXPR_IDENT && strcmp(e->name, var) == 0)
        return 1;
    if ((e->kind == RJ_EXPR_SUM || e->kind == RJ_EXPR_PROD || e->kind == RJ_EXPR_FORALL
         || e->kind == RJ_EXPR_FORALL_RANDOM) && e->name != NULL && strcmp(e->name, var) == 0)
        body = e->nargs - 1;
    for (i = 0; i < e->nargs; i++)
        if (i != body && mentions(e->args[i], var))
            return 1;
    return 0;
}

static void
shape_of_val(body_shape *s, const rj_val_struct *v)
{
    s->known = v->kind == RJ_VAL_NUM || v->kind == RJ_VAL_MAT;
    s->is_num = v->kind == RJ_VAL_NUM;
    s->rows = v->kind == RJ_VAL_MAT ? fmpq_mat_nrows(v->mat) : 1;
    s->cols = v->kind == RJ_VAL_MAT ? fmpq_mat_ncols(v->mat) : 1;
}

static int
infer_shape(body_shape *s, const rj_expr_struct *e, const char *var, rj_env_t env,
            rj_error_t err)
{
    body_shape a, b;
    slong i;
    int st;
    s->known = 0;
    s->is_num = 0;
    s->rows = s->cols = 1;
    if (e->kind == RJ_EXPR_NUM || (e->kind == RJ_EXPR_IDENT && strcmp(e->name, var) == 0)) {
        s->known = s->is_num = 1;
        return RJ_OK;
    }
    if (!mentions(e, var)) {
        /* the same value for every k: its shape is that value's */
        rj_val_t v;
        rj_val_init(v);
        st = eval_rec(v, e, env, NULL, err);
        if (st == RJ_OK)
            shape_of_val(s, v);
        rj_val_clear(v);
        return st;
    }
    switch (e->kind) {
    case RJ_EXPR_MATRIX:
        for (i = 0; i < e->nargs; i++) {
            if ((st = infer_shape(&a, e->args[i], var, env, err)) != RJ_OK)
                return st;
            if (!a.known || !a.is_num)
                return RJ_OK;
        }
        s->known = 1;
        s->rows = e->rows;
        s->cols = e->cols;
        return RJ_OK;
    case RJ_EXPR_NEG:
    case RJ_EXPR_TRANSPOSE:
        if ((st = infer_shape(s, e->args[0], var, env, err)) != RJ_OK)
            return st;
        if (e->kind == RJ_EXPR_TRANSPOSE) {
            slong t = s->rows;
            s->rows = s->cols;
            s->cols = t;
        }
        return RJ_OK;
    case RJ_EXPR_BINOP:
        if ((st = infer_shape(&a, e->args[0], var, env, err)) != RJ_OK
            || (st = infer_shape(&b, e->args[1], var, env, err)) != RJ_OK)
            return st;
        if (!a.known || !b.known)
            return RJ_OK;
        if (e->op == '^' || e->op == '/' || b.is_num)
            *s = a;                        /* a^k, a / c, a op c */
        else if (a.is_num)
            *s = b;                        /* c op B */
        else if (e->op == '*') {
            *s = a;
            s->cols = b.cols;
        } else
            *s = a;                        /* A +- B: the shapes must agree */
        return RJ_OK;
    default:
        return RJ_OK;                      /* depends on k through a call: unknown */
    }
}

/* out = the empty sum (zero) or product (identity) of the body's shape. */
static int
empty_sumprod(rj_val_t out, const rj_expr_struct *e, int is_sum, slong a, slong b,
              rj_env_t env, rj_error_t err)
{
    body_shape s;
    slong i;
    int st = infer_shape(&s, e->args[2], e->name, env, err);
    if (st != RJ_OK)
        return st;
    rj_val_reset(out);
    if (!s.known && !is_sum)
        return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                                "prod(%s in %ld..%ld: ...) has no factors, and the shape of "
                                "its factor depends on %s through a function call: it cannot "
                                "be told whether the empty product is the number 1 or an "
                                "identity matrix (an empty range is fine when the factor's "
                                "shape shows without %s: a number, A, A^%s, A + %s * B, a "
                                "matrix literal)", e->name, (long) a, (long) b, e->name, e->name,
                                e->name, e->name);
    if (!s.known || s.is_num) {
        out->kind = RJ_VAL_NUM;
        fmpq_set_si(out->num, is_sum ? 0 : 1, 1);
        return RJ_OK;
    }
    if (!is_sum && s.rows != s.cols)
        return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                                "prod(%s in %ld..%ld: ...) has no factors, and its factors are "
                                "%ld x %ld matrices: not square, so there is no identity to "
                                "give", e->name, (long) a, (long) b, (long) s.rows,
                                (long) s.cols);
    out->kind = RJ_VAL_MAT;
    fmpq_mat_clear(out->mat);
    fmpq_mat_init(out->mat, s.rows, s.cols);
    if (!is_sum)
        for (i = 0; i < s.rows; i++)
            fmpq_one(fmpq_mat_entry(out->mat, i, i));
    return RJ_OK;
}

static int
eval_sumprod(rj_val_t out, const rj_expr_struct *e, rj_env_t env, rj_error_t err)
{
    rj_val_t lo, hi, acc, term, kv;
    rj_val_struct *step[2];
    slong a, b, k;
    int st, is_sum = e->kind == RJ_EXPR_SUM;
    const char *w = is_sum ? "sum" : "prod";
    double work0;
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
    if (b < a) {
        st = empty_sumprod(acc, e, is_sum, a, b, env, err);
        if (st == RJ_OK)
            rj_val_swap(out, acc);
        goto done;
    }
    step[0] = acc;
    step[1] = term;
    work0 = env->limits.work != NULL ? *env->limits.work : 0;
    snprintf(what, sizeof(what), "%s over %.60s", w, e->name);
    for (k = a; k <= b && st == RJ_OK; k++) {
        /* nested sums multiply: the work so far, projected (issue 15) */
        st = rj_limits_check_projection(&env->limits, work0, k - a, b - a + 1, what, "terms",
                                        e->loc, err);
        if (st != RJ_OK)
            break;
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
        else if (_rj_lang_is_bare_atom(e->name))
            _rj_lang_set_atom(r, e->name);
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
    const char *dir = env->dir;
    int st = RJ_OK;
    rj_val_init(v);
    for (i = 0; i < prog->len && st == RJ_OK; i++) {
        const rj_stmt_struct *s = prog->stmts + i;
        if (s->kind != RJ_STMT_LET)
            continue;
        rj_memory_set_where(s->loc);     /* for a report of the memory limit */
        env->dir = s->dir != NULL ? s->dir : dir;   /* an included file's loads */
        st = eval_rec(v, s->expr, env, s->name, err);
        env->dir = dir;
        if (st == RJ_OK)
            env_bind_move(env, s->name, v);
        else
            rj_prog_note_include(prog, err);
    }
    rj_memory_set_where((rj_loc_t) { NULL, 0, 0 });
    rj_val_clear(v);
    return st;
}
