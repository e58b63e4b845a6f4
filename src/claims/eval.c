/* resjac claims: how the claim functions and the claims' values enter the
 * language's one evaluator (rj_eval, src/lang/eval.c).
 *
 * - The claim functions are a table registered in the environment
 *   (rj_claims_env_init); the evaluator calls them with evaluated arguments.
 * - A value that depends on the derivative chosen at ReLU ties is an extension
 *   value (cl_choice_ops, src/claims/cval.c) carrying its tie keys.  When an
 *   operand of a node is one, the evaluator hands the node to cl_choice_lift,
 *   which applies the node's operation (rj_eval_apply) to every combination
 *   of choices, pairing items by their shared keys (cl_cval_map), so the
 *   language means the same thing with and without ties.
 * - Enclosure matrices (values of tanh and sigmoid networks) lift the nodes
 *   the language cannot apply to them: matrix literals, diag, rows, cols.
 *
 * Each lifted operation also says how its result depends on the tie choices
 * over the whole Clarke box (op_dep, proofs/ties.md section 3): sums,
 * differences, scalar multiples, transposes, indexing and products with
 * choice-free values keep a multilinear value multilinear; a product of two
 * values that share a tie, a power, det, inverse, ... do not. */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ dependence on the ties */

/* +1 if every entry of a choice-free value is >= 0, -1 if every entry is
   <= 0, 0 otherwise. */
static int
val_sign(const rj_val_struct *v)
{
    slong i, j, r = cl_val_rows(v), c = cl_val_cols(v);
    int pos = 1, neg = 1;
    mpfr_t lo, hi;
    if (!cl_is_matlike(v))
        return 0;
    mpfr_init2(lo, 64);
    mpfr_init2(hi, 64);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            cl_val_entry_itv(lo, hi, NULL, v, i, j);
            pos &= mpfr_sgn(lo) >= 0;
            neg &= mpfr_sgn(hi) <= 0;
        }
    mpfr_clear(lo);
    mpfr_clear(hi);
    return pos ? 1 : neg ? -1 : 0;
}

/* d scaled by a choice-free value s (s d, d s or d / s): a multilinear value
   stays multilinear; convexity survives a factor >= 0 and flips for <= 0. */
static int
dep_scale(int d, const rj_val_struct *s)
{
    int sg;
    if (d == CL_DEP_LIN)
        return CL_DEP_LIN;
    sg = val_sign(s);
    return sg > 0 ? d : sg < 0 ? cl_dep_neg(d) : CL_DEP_ANY;
}

static int
keys_disjoint(const cl_cval_struct *a, const cl_cval_struct *b)
{
    slong i = 0, j = 0;
    while (i < a->nkeys && j < b->nkeys) {
        if (a->keys[i] == b->keys[j])
            return 0;
        if (a->keys[i] < b->keys[j])
            i++;
        else
            j++;
    }
    return 1;
}

/* a * b: a product with a choice-free factor scales; a product of two
   multilinear values in disjoint ties is multilinear (each c_i still enters
   once); a product of values sharing a tie (c_i^2) is not. */
static int
dep_mul(const cl_cval_struct *a, const cl_cval_struct *b)
{
    if (a->nkeys == 0)
        return dep_scale(b->dep, a->v);
    if (b->nkeys == 0)
        return dep_scale(a->dep, b->v);
    if (a->dep == CL_DEP_LIN && b->dep == CL_DEP_LIN && keys_disjoint(a, b))
        return CL_DEP_LIN;
    return CL_DEP_ANY;
}

/* Entry by entry (a matrix literal, diag): the common kind of the entries. */
static int
dep_entries(cl_cval_struct **cv, slong n)
{
    slong i;
    int d = CL_DEP_LIN;
    for (i = 0; i < n; i++)
        if (cv[i]->nkeys > 0 && cv[i]->dep != CL_DEP_LIN)
            d = d == CL_DEP_LIN || d == cv[i]->dep ? cv[i]->dep : CL_DEP_ANY;
    return d;
}

static int
dep_binop(int op, cl_cval_struct *a, cl_cval_struct *b)
{
    switch (op) {
    case '+': return cl_dep_add(a->dep, b->dep);
    case '-': return cl_dep_add(a->dep, cl_dep_neg(b->dep));
    case '*': return dep_mul(a, b);
    case '/': return b->nkeys == 0 ? dep_scale(a->dep, b->v) : CL_DEP_ANY;
    case '^':
        /* A^0 and A^1 only */
        if (b->nkeys == 0 && cl_val_is_int(b->v) && fmpz_cmp_ui(fmpq_numref(b->v->num), 1) <= 0
            && fmpz_sgn(fmpq_numref(b->v->num)) >= 0)
            return fmpz_is_zero(fmpq_numref(b->v->num)) ? CL_DEP_LIN : a->dep;
        return CL_DEP_ANY;
    default: return CL_DEP_ANY;
    }
}

/* How the result of e's operation on the operand values cv depends on the tie
   choices (proofs/ties.md, section 3). */
static int
op_dep(const rj_expr_struct *e, cl_cval_struct **cv, slong n, rj_env_struct *env)
{
    slong i;
    int keyed = 0;
    const rj_func_def *def;
    for (i = 0; i < n; i++)
        keyed |= cv[i]->nkeys > 0;
    if (!keyed)
        return CL_DEP_LIN;
    switch (e->kind) {
    case RJ_EXPR_BINOP: return dep_binop(e->op, cv[0], cv[1]);
    case RJ_EXPR_SUM: return dep_binop('+', cv[0], cv[1]);
    case RJ_EXPR_PROD: return dep_binop('*', cv[1], cv[0]);
    case RJ_EXPR_NEG: return cl_dep_neg(cv[0]->dep);
    case RJ_EXPR_TRANSPOSE: return cv[0]->dep;
    case RJ_EXPR_INDEX:
        for (i = 1; i < n; i++)
            if (cv[i]->nkeys > 0)
                return CL_DEP_ANY;
        return cv[0]->dep;
    case RJ_EXPR_MATRIX: return dep_entries(cv, n);
    case RJ_EXPR_CALL:
        def = rj_env_find_function(env, e->name, NULL);
        if (def != NULL && def->fn == cl_call && n <= 16) {
            int deps[16], keys[16];
            for (i = 0; i < n; i++) {
                deps[i] = cv[i]->dep;
                keys[i] = cv[i]->nkeys > 0;
            }
            return cl_builtin_dep(def->rule, deps, keys, n);
        }
        /* the language's functions: diag places entries, rows/cols are shapes */
        if (def == NULL && (strcmp(e->name, "rows") == 0 || strcmp(e->name, "cols") == 0))
            return CL_DEP_LIN;
        if (def == NULL && strcmp(e->name, "diag") == 0)
            return dep_entries(cv, n);
        return CL_DEP_ANY;
    default:
        return CL_DEP_ANY;
    }
}

/* ------------------------------------------------------------ lifting */

/* One combination: the language's own operation on plain operands. */
static int
op_apply(cl_cval_t out, rj_val_struct **v, slong n, const void *data, cl_ctx *ctx,
         rj_env_struct *env, rj_error_t err)
{
    int st = rj_eval_apply(out->v, data, v, n, env, err);
    if (st == RJ_OK && cl_val_is_choice(out->v)) {
        cl_cval_t c;             /* a function that met ties of its own */
        cl_cval_init(c);
        cl_cval_set_val(c, out->v);
        cl_cval_swap(out, c);
        cl_cval_clear(c);
    }
    return st;
}

int
cl_choice_lift(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
               rj_env_struct *env, rj_error_t err)
{
    cl_ctx *ctx = cl_env_ctx(env), tmp;
    cl_cval_struct *cv = flint_malloc(FLINT_MAX(n, 1) * sizeof(cl_cval_struct));
    cl_cval_struct **in = flint_malloc(FLINT_MAX(n, 1) * sizeof(cl_cval_struct *));
    cl_cval_t r;
    slong i;
    int st;
    if (ctx == NULL) {
        cl_ctx_init(&tmp, NULL);
        ctx = &tmp;
    }
    for (i = 0; i < n; i++) {
        cl_cval_init(cv + i);
        cl_cval_set_val(cv + i, vals[i]);
        in[i] = cv + i;
    }
    cl_cval_init(r);
    st = cl_cval_map(r, in, n, op_apply, e, op_dep(e, in, n, env), ctx, env, e->loc,
                     err);
    if (st == RJ_OK)
        cl_cval_get_val(out, r);
    cl_cval_clear(r);
    for (i = 0; i < n; i++)
        cl_cval_clear(cv + i);
    flint_free(cv);
    flint_free(in);
    if (ctx == &tmp)
        cl_ctx_clear(&tmp);
    return st;
}

/* Nodes with an enclosure matrix operand (and no choice value). */
int
cl_emat_lift(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
             rj_env_struct *env, rj_error_t err)
{
    cl_ctx *ctx = cl_env_ctx(env);
    slong i, prec = ctx != NULL ? ctx->prec : RJ_ENCL_PREC;
    char d[120];
    for (i = 0; i < n; i++)
        if (cl_val_is_choice(vals[i]))
            return cl_choice_lift(out, e, vals, n, env, err);
    switch (e->kind) {
    case RJ_EXPR_BINOP:
        return cl_val_binop(out, e->op, vals[0], vals[1], &env->limits, e->loc, err);
    case RJ_EXPR_SUM:
        return cl_val_binop(out, '+', vals[0], vals[1], &env->limits, e->args[2]->loc, err);
    case RJ_EXPR_PROD:
        return cl_val_binop(out, '*', vals[1], vals[0], &env->limits, e->args[2]->loc, err);
    case RJ_EXPR_NEG:
        return rj_val_neg(out, vals[0], e->loc, err);
    case RJ_EXPR_TRANSPOSE:
        return vals[0]->ops->transpose(out, vals[0], e->loc, err);
    case RJ_EXPR_INDEX:
        if (cl_val_is_emat(vals[0]))
            return vals[0]->ops->index(out, vals[0], vals[1], n == 3 ? vals[2] : NULL, e->loc,
                                       err);
        for (i = 1; i < n && !cl_val_is_emat(vals[i]); i++)
            ;
        return rj_val_refuse(err, e->args[i]->loc, "an index", vals[i]);
    case RJ_EXPR_MATRIX:
        return cl_emat_literal(out, vals, e->rows, e->cols, prec, e->loc, err);
    case RJ_EXPR_CALL:
        if (rj_env_find_function(env, e->name, NULL) != NULL)
            return rj_env_call(out, e, vals, n, env, err);
        if (n == 1 && strcmp(e->name, "diag") == 0)
            return cl_emat_diag(out, vals[0], e->loc, err);
        if (n == 1 && (strcmp(e->name, "rows") == 0 || strcmp(e->name, "cols") == 0)) {
            cl_val_set_si(out, e->name[0] == 'r' ? cl_val_rows(vals[0]) : cl_val_cols(vals[0]));
            return RJ_OK;
        }
        break;
    default:
        break;
    }
    for (i = 0; i < n && !cl_val_is_emat(vals[i]); i++)
        ;
    rj_val_describe(d, sizeof(d), vals[i]);
    return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc,
                            "%s cannot take %s: enclosure matrices (values of tanh or "
                            "sigmoid networks) take only + - * / ^, ', indexing, diag, "
                            "rows, cols, norms, sigma_min, trace, abs, min and max",
                            e->kind == RJ_EXPR_CALL ? e->name : "this expression", d);
}

/* ------------------------------------------------------------ terms */

int
cl_eval(cl_cval_t out, const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx,
        rj_error_t err)
{
    rj_val_t v;
    int st;
    rj_val_init(v);
    st = rj_eval(v, e, env, err);
    if (st == RJ_OK)
        cl_cval_set_val(out, v);
    rj_val_clear(v);
    return st;
}

int
cl_eval_plain(rj_val_t out, const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx,
              rj_error_t err)
{
    int st = rj_eval(out, e, env, err);
    if (st == RJ_OK && cl_val_is_choice(out))
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                              "this value depends on the derivative chosen at a ReLU tie; "
                              "it can only be compared, not used here");
    return st;
}

/* ------------------------------------------------------------ environment */

cl_ctx *
cl_env_ctx(rj_env_struct *env)
{
    void *ctx = NULL;
    const rj_func_def *d;
    if (env == NULL)
        return NULL;
    d = rj_env_find_function(env, "jacobian", &ctx);
    return d != NULL && d->fn == cl_call ? ctx : NULL;
}

void
rj_claims_env_init(rj_env_t env, const rj_claims_opts *opts)
{
    cl_ctx *ctx = flint_malloc(sizeof(cl_ctx));
    rj_val_t t;
    cl_ctx_init(ctx, opts);
    rj_env_init(env);
    ctx->funcs = cl_func_defs();
    rj_env_add_functions(env, ctx->funcs, ctx);
    env->limits.max_terms = ctx->opts.max_terms;   /* the language's limits */
    env->limits.max_bits = ctx->opts.max_bits;
    /* the polynomial variable t */
    rj_val_init(t);
    t->kind = RJ_VAL_POLY;
    fmpq_poly_set_coeff_si(t->poly, 1, 1);
    rj_env_bind(env, "t", t);
    rj_val_clear(t);
}

void
rj_claims_env_clear(rj_env_t env)
{
    cl_ctx *ctx = cl_env_ctx(env);
    rj_env_clear(env);
    if (ctx != NULL) {
        cl_ctx_clear(ctx);
        flint_free(ctx);
    }
}
