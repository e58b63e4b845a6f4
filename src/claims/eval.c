/* resjac claims: evaluating terms whose values may depend on ReLU tie choices,
 * the call hook, and the claims environment.
 *
 * Most terms go straight to the model's rj_eval (its call hook reaches the
 * claim functions).  A term that may meet a choice set -- a call of a function
 * that enumerates ReLU ties, or a name bound to a choice set -- is walked here
 * instead: its parts are evaluated to cvals and each operation is applied to
 * every combination of choices (cl_cval_map), using the model's own operations
 * (rj_val_binop, rj_val_neg, and rj_eval on a copy of the node whose operands
 * are temporaries bound to the operand values), so the language means the same
 * thing on both paths.  Enclosure matrices (values of tanh and sigmoid
 * networks), which the model does not know, are handled here (src/claims/encl_matrix.c).
 *
 * Each operation also says how its result depends on the tie choices over the
 * whole Clarke box (op_dep, proofs/ties.md section 3): sums, differences,
 * scalar multiples, transposes, indexing and products with choice-free values
 * keep a multilinear value multilinear; a product of two values that share a
 * tie, a power, det, inverse, ... do not. */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ which path */

int
cl_needs_own(const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx)
{
    slong i;
    if (e == NULL)
        return 0;
    if (e->kind == RJ_EXPR_IDENT) {
        rj_val_struct *v = rj_env_lookup(env, e->name);
        return v != NULL && (cl_val_is_choice_set(v) || cl_val_is_emat(v));
    }
    if (e->kind == RJ_EXPR_CALL) {
        int w = cl_builtin_find(e->name, NULL);
        if (w >= 0 && cl_builtin_has_ties(w))
            return 1;
    }
    for (i = 0; i < e->nargs; i++)
        if (cl_needs_own(e->args[i], env, ctx))
            return 1;
    return 0;
}

/* Keys for a choice set whose origin is unknown: independent anonymous ties. */
static int
anon_keys(cl_cval_t c, cl_ctx *ctx, rj_loc_t loc, rj_error_t err)
{
    slong k = 0, i;
    while (k < 62 && (WORD(1) << k) < c->v->len)
        k++;
    if (k == 0 || (WORD(1) << k) != c->v->len || k > ctx->opts.max_ties)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "a choice set of %ld values that does not come from ReLU ties "
                                "met by this checker", (long) c->v->len);
    flint_free(c->keys);
    c->keys = flint_malloc(k * sizeof(slong));
    c->nkeys = k;
    ctx->anon_counter++;
    for (i = 0; i < k; i++)
        c->keys[i] = cl_tie_intern(ctx, ctx->anon_counter, UWORD(0xA11A11), i, 0, 0,
                                   "a ReLU tie of a value computed elsewhere");
    /* interned in order: increasing indices, so sorted; how the value depends
       on them is not known */
    c->dep = CL_DEP_ANY;
    c->has_center = 0;
    return RJ_OK;
}

/* ------------------------------------------------------------ operations */

typedef struct {
    const rj_expr_struct *e;
    int which;            /* builtin index (for calls) */
} op_data;

static int
op_binop(cl_cval_t out, rj_val_struct **v, slong n, void *data, cl_ctx *ctx,
         rj_env_struct *env, rj_error_t err)
{
    const rj_expr_struct *e = ((op_data *) data)->e;
    return cl_val_binop(out->v, e->op, v[0], v[1], &env->limits, e->loc, err);
}

static int
op_sum_step(cl_cval_t out, rj_val_struct **v, slong n, void *data, cl_ctx *ctx,
            rj_env_struct *env, rj_error_t err)
{
    const rj_expr_struct *e = ((op_data *) data)->e;
    if (e->kind == RJ_EXPR_SUM)
        return cl_val_binop(out->v, '+', v[0], v[1], &env->limits, e->args[2]->loc, err);
    /* prod: later factors on the left */
    return cl_val_binop(out->v, '*', v[1], v[0], &env->limits, e->args[2]->loc, err);
}

static int
op_neg(cl_cval_t out, rj_val_struct **v, slong n, void *data, cl_ctx *ctx,
       rj_env_struct *env, rj_error_t err)
{
    const rj_expr_struct *e = ((op_data *) data)->e;
    return rj_val_neg(out->v, v[0], e->loc, err);
}

static int
op_builtin(cl_cval_t out, rj_val_struct **v, slong n, void *data, cl_ctx *ctx,
           rj_env_struct *env, rj_error_t err)
{
    op_data *d = data;
    cl_args b;
    b.name = d->e->name;
    b.a = v;
    b.n = n;
    b.loc = d->e->loc;
    return cl_builtin_call(out, d->which, &b, ctx, env, err);
}

/* Transposes, indexing, diag, rows, cols and matrix literals of enclosure
   matrices (and literals with enclosure entries), which the model does not
   know; RJ_NOT_HANDLED otherwise. */
static int
synth_emat(cl_cval_t out, const rj_expr_struct *e, rj_val_struct **v, slong n, cl_ctx *ctx,
           rj_error_t err)
{
    slong i;
    int emat = 0, encl = 0, plain = 1;
    for (i = 0; i < n; i++) {
        emat |= cl_val_is_emat(v[i]);
        encl |= v[i]->kind == RJ_VAL_ENCL;
        plain &= v[i]->kind == RJ_VAL_NUM || v[i]->kind == RJ_VAL_ENCL
                 || (cl_val_is_emat(v[i]) && cl_val_rows(v[i]) == 1 && cl_val_cols(v[i]) == 1);
    }
    if (e->kind == RJ_EXPR_MATRIX && (emat || encl) && plain)
        return cl_emat_literal(out->v, v, e->rows, e->cols, ctx->prec, e->loc, err);
    if (!emat || e->kind == RJ_EXPR_TRANSPOSE || e->kind == RJ_EXPR_INDEX)
        return RJ_NOT_HANDLED;      /* the language calls the value's operations */
    if (e->kind == RJ_EXPR_CALL && n == 1 && strcmp(e->name, "diag") == 0)
        return cl_emat_diag(out->v, v[0], e->loc, err);
    if (e->kind == RJ_EXPR_CALL && n == 1
        && (strcmp(e->name, "rows") == 0 || strcmp(e->name, "cols") == 0)) {
        cl_val_set_si(out->v, e->name[0] == 'r' ? cl_val_rows(v[0]) : cl_val_cols(v[0]));
        return RJ_OK;
    }
    for (i = 0; i < n && !cl_val_is_emat(v[i]); i++)
        ;
    {
        char d[120];
        rj_val_describe(d, sizeof(d), v[i]);
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc,
                                "%s cannot take %s: enclosure matrices (values of tanh or "
                                "sigmoid networks) take only + - * / ^, ', indexing, diag, "
                                "rows, cols, norms, sigma_min, trace, abs, min and max",
                                e->kind == RJ_EXPR_CALL ? e->name : "this expression", d);
    }
}

/* rj_eval on a copy of e whose operands are temporaries holding v[0..n-1]. */
static int
op_synth(cl_cval_t out, rj_val_struct **v, slong n, void *data, cl_ctx *ctx,
         rj_env_struct *env, rj_error_t err)
{
    const rj_expr_struct *e = ((op_data *) data)->e;
    rj_expr_struct copy = *e;
    rj_expr_struct *ids = flint_malloc(FLINT_MAX(n, 1) * sizeof(rj_expr_struct));
    rj_expr_ptr *argv = flint_malloc(FLINT_MAX(n, 1) * sizeof(rj_expr_ptr));
    char (*names)[32] = flint_malloc(FLINT_MAX(n, 1) * sizeof(*names));
    slong i;
    int st = synth_emat(out, e, v, n, ctx, err);

    if (st != RJ_NOT_HANDLED) {
        flint_free(ids);
        flint_free(argv);
        flint_free(names);
        return st;
    }
    for (i = 0; i < n; i++) {
        memset(ids + i, 0, sizeof(rj_expr_struct));
        ids[i].kind = RJ_EXPR_IDENT;
        ids[i].loc = e->args[i]->loc;
        fmpq_init(ids[i].num);
        snprintf(names[i], sizeof(names[i]), "%%rj%lu", (unsigned long) ctx->tmp_counter++);
        ids[i].name = names[i];
        argv[i] = ids + i;
        rj_env_push(env, names[i], v[i]);
    }
    copy.args = argv;
    st = rj_eval(out->v, &copy, env, err);
    for (i = n - 1; i >= 0; i--) {
        rj_env_unbind(env, names[i]);
        fmpq_clear(ids[i].num);
    }
    flint_free(ids);
    flint_free(argv);
    flint_free(names);
    return st;
}

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

/* How the result of e (applied to the operand values cv) depends on the tie
   choices (proofs/ties.md, section 3). */
static int
op_dep(const rj_expr_struct *e, int which, cl_cval_struct **cv, slong n)
{
    slong i;
    int keyed = 0, d;
    for (i = 0; i < n; i++)
        keyed |= cv[i]->nkeys > 0;
    if (!keyed)
        return CL_DEP_LIN;
    switch (e->kind) {
    case RJ_EXPR_BINOP:
        switch (e->op) {
        case '+': return cl_dep_add(cv[0]->dep, cv[1]->dep);
        case '-': return cl_dep_add(cv[0]->dep, cl_dep_neg(cv[1]->dep));
        case '*': return dep_mul(cv[0], cv[1]);
        case '/':
            return cv[1]->nkeys == 0 ? dep_scale(cv[0]->dep, cv[1]->v) : CL_DEP_ANY;
        case '^':
            /* A^0 and A^1 only */
            if (cv[1]->nkeys == 0 && cl_val_is_int(cv[1]->v)
                && fmpz_cmp_ui(fmpq_numref(cv[1]->v->num), 1) <= 0
                && fmpz_sgn(fmpq_numref(cv[1]->v->num)) >= 0)
                return fmpz_is_zero(fmpq_numref(cv[1]->v->num)) ? CL_DEP_LIN : cv[0]->dep;
            return CL_DEP_ANY;
        default: return CL_DEP_ANY;
        }
    case RJ_EXPR_NEG:
        return cl_dep_neg(cv[0]->dep);
    case RJ_EXPR_TRANSPOSE:
        return cv[0]->dep;
    case RJ_EXPR_INDEX:
        for (i = 1; i < n; i++)
            if (cv[i]->nkeys > 0)
                return CL_DEP_ANY;
        return cv[0]->dep;
    case RJ_EXPR_MATRIX:
        /* entry by entry: the common kind of the entries */
        d = CL_DEP_LIN;
        for (i = 0; i < n; i++)
            if (cv[i]->nkeys > 0 && cv[i]->dep != CL_DEP_LIN)
                d = d == CL_DEP_LIN || d == cv[i]->dep ? cv[i]->dep : CL_DEP_ANY;
        return d;
    case RJ_EXPR_CALL:
        if (which == -1) {
            /* the model's functions: diag places entries, rows/cols are shapes */
            if (strcmp(e->name, "rows") == 0 || strcmp(e->name, "cols") == 0)
                return CL_DEP_LIN;
            if (strcmp(e->name, "diag") == 0) {
                d = CL_DEP_LIN;
                for (i = 0; i < n; i++)
                    if (cv[i]->nkeys > 0 && cv[i]->dep != CL_DEP_LIN)
                        d = d == CL_DEP_LIN || d == cv[i]->dep ? cv[i]->dep : CL_DEP_ANY;
                return d;
            }
            return CL_DEP_ANY;
        } else {
            int deps[16], keys[16];
            if (n > 16)
                return CL_DEP_ANY;
            for (i = 0; i < n; i++) {
                deps[i] = cv[i]->dep;
                keys[i] = cv[i]->nkeys > 0;
            }
            return cl_builtin_dep(which, deps, keys, n);
        }
    default:
        return CL_DEP_ANY;
    }
}

/* ------------------------------------------------------------ evaluation */

static int
eval_children(cl_cval_struct **cv, const rj_expr_struct *e, slong n, rj_env_struct *env,
              cl_ctx *ctx, rj_error_t err)
{
    slong i;
    int st = RJ_OK;
    for (i = 0; i < n; i++) {
        cv[i] = flint_malloc(sizeof(cl_cval_struct));
        cl_cval_init(cv[i]);
    }
    for (i = 0; i < n && st == RJ_OK; i++)
        st = cl_eval(cv[i], e->args[i], env, ctx, err);
    return st;
}

static void
free_children(cl_cval_struct **cv, slong n)
{
    slong i;
    for (i = 0; i < n; i++) {
        cl_cval_clear(cv[i]);
        flint_free(cv[i]);
    }
    flint_free(cv);
}

static int
get_int_bound(slong *k, const rj_expr_struct *e, const char *what, rj_env_struct *env,
              cl_ctx *ctx, rj_error_t err)
{
    rj_val_t v;
    int st;
    rj_val_init(v);
    st = cl_eval_plain(v, e, env, ctx, err);
    if (st == RJ_OK)
        st = rj_val_get_si(k, v, -(WORD(1) << 60), WORD(1) << 60, 1, what, NULL, e->loc, err);
    rj_val_clear(v);
    return st;
}

static int
eval_sumprod(cl_cval_t out, const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx,
             rj_error_t err)
{
    slong a, b, k;
    int st, is_sum = e->kind == RJ_EXPR_SUM;
    cl_cval_t acc, term;
    rj_val_t kv;
    op_data d;

    st = get_int_bound(&a, e->args[0], "the lower end of the range", env, ctx, err);
    if (st == RJ_OK)
        st = get_int_bound(&b, e->args[1], "the upper end of the range", env, ctx, err);
    if (st != RJ_OK)
        return st;
    if ((st = rj_limits_check_terms(&env->limits, (double) b - a + 1, is_sum ? "sum" : "prod",
                                    e->loc, err)) != RJ_OK)
        return st;
    cl_cval_init(acc);
    cl_cval_init(term);
    rj_val_init(kv);
    cl_val_set_si(acc->v, is_sum ? 0 : 1);       /* empty sum 0, empty product 1 */
    d.e = e;
    d.which = -1;
    for (k = a; k <= b && st == RJ_OK; k++) {
        cl_val_set_si(kv, k);
        cl_scope_push(env, ctx, e->name, kv);
        st = cl_eval(term, e->args[2], env, ctx, err);
        cl_scope_pop(env, ctx, e->name);
        if (st != RJ_OK)
            break;
        if (k == a)
            cl_cval_swap(acc, term);
        else {
            cl_cval_struct *in[2];
            cl_cval_t r;
            cl_cval_init(r);
            in[0] = acc;
            in[1] = term;
            st = cl_cval_map(r, in, 2, op_sum_step, &d,
                             is_sum ? cl_dep_add(acc->nkeys ? acc->dep : CL_DEP_LIN,
                                                 term->nkeys ? term->dep : CL_DEP_LIN)
                                    : dep_mul(term, acc),
                             ctx, env, e->loc, err);
            if (st == RJ_OK)
                cl_cval_swap(acc, r);
            cl_cval_clear(r);
        }
    }
    if (st == RJ_OK)
        cl_cval_swap(out, acc);
    cl_cval_clear(acc);
    cl_cval_clear(term);
    rj_val_clear(kv);
    return st;
}

int
cl_eval(cl_cval_t out, const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx,
        rj_error_t err)
{
    cl_cval_struct **cv = NULL;
    slong n = e->nargs;
    op_data d;
    int st = RJ_OK;

    d.e = e;
    d.which = -1;
    if (!cl_needs_own(e, env, ctx)) {
        flint_free(out->keys);
        out->keys = NULL;
        out->nkeys = 0;
        st = rj_eval(out->v, e, env, err);
        if (st == RJ_OK && cl_val_is_choice_set(out->v))
            st = anon_keys(out, ctx, e->loc, err);
        return st;
    }
    switch (e->kind) {
    case RJ_EXPR_IDENT: {
        rj_val_struct *v = rj_env_lookup(env, e->name);
        const cl_bound *bd = cl_bound_lookup(ctx, e->name);
        cl_cval_set_plain(out, v);
        if (!cl_val_is_choice_set(v))
            return RJ_OK;                 /* an enclosure matrix */
        if (bd != NULL && bd->nkeys > 0 && (WORD(1) << bd->nkeys) == v->len) {
            out->keys = flint_malloc(bd->nkeys * sizeof(slong));
            memcpy(out->keys, bd->keys, bd->nkeys * sizeof(slong));
            out->nkeys = bd->nkeys;
            out->dep = bd->dep;
            if (bd->has_center) {
                rj_val_set(out->center, bd->center);
                out->has_center = 1;
            }
        } else
            st = anon_keys(out, ctx, e->loc, err);
        return st;
    }
    case RJ_EXPR_SUM:
    case RJ_EXPR_PROD:
        return eval_sumprod(out, e, env, ctx, err);
    case RJ_EXPR_CALL:
    case RJ_EXPR_BINOP:
    case RJ_EXPR_NEG:
    case RJ_EXPR_TRANSPOSE:
    case RJ_EXPR_INDEX:
    case RJ_EXPR_MATRIX:
        break;
    default:
        /* formulas in a value, strings, numbers: the model's message */
        return rj_eval(out->v, e, env, err);
    }
    cv = flint_malloc(FLINT_MAX(n, 1) * sizeof(cl_cval_struct *));
    st = eval_children(cv, e, n, env, ctx, err);
    if (st == RJ_OK) {
        cl_cval_fn fn = op_synth;
        if (e->kind == RJ_EXPR_CALL) {
            d.which = cl_builtin_find(e->name, env);
            if (d.which != -1) {
                slong i;
                for (i = 0; i < n && st == RJ_OK; i++)
                    if (e->argnames != NULL && e->argnames[i] != NULL)
                        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->argnamelocs[i],
                                              "%s takes no keyword arguments (found "
                                              "'%.60s = ...')", e->name, e->argnames[i]);
                fn = op_builtin;
            }
        } else if (e->kind == RJ_EXPR_BINOP)
            fn = op_binop;
        else if (e->kind == RJ_EXPR_NEG)
            fn = op_neg;
        if (st == RJ_OK)
            st = cl_cval_map(out, cv, n, fn, &d, op_dep(e, d.which, cv, n), ctx, env,
                             e->loc, err);
    }
    free_children(cv, n);
    return st;
}

int
cl_eval_plain(rj_val_t out, const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx,
              rj_error_t err)
{
    cl_cval_t c;
    int st;
    cl_cval_init(c);
    st = cl_eval(c, e, env, ctx, err);
    if (st == RJ_OK && c->nkeys > 0)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc,
                              "this value depends on the derivative chosen at a ReLU tie; "
                              "it can only be compared, not used here");
    if (st == RJ_OK)
        rj_val_swap(out, c->v);
    cl_cval_clear(c);
    return st;
}

/* ------------------------------------------------------------ the hook */

cl_ctx *
cl_env_ctx(rj_env_struct *env)
{
    if (env != NULL && env->hook == rj_claims_hook)
        return env->hook_ctx;
    return NULL;
}

int
rj_claims_hook(rj_val_t out, const char *name, rj_val_struct *args, char *const *argnames,
               slong nargs, rj_loc_t loc, struct rj_env_struct *env, rj_error_t err)
{
    cl_ctx *ctx = cl_env_ctx(env), tmp;
    int which = cl_builtin_find(name, env), st = RJ_OK;
    slong i;
    cl_cval_struct **cv;
    cl_cval_t r;
    rj_expr_struct call;
    op_data d;

    if (which == -1)
        return RJ_NOT_HANDLED;
    for (i = 0; i < nargs; i++)
        if (argnames != NULL && argnames[i] != NULL)
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "%s takes no keyword arguments (found '%.60s = ...')",
                                    name, argnames[i]);
    if (ctx == NULL) {
        cl_ctx_init(&tmp, NULL);
        ctx = &tmp;
    }
    cv = flint_malloc(FLINT_MAX(nargs, 1) * sizeof(cl_cval_struct *));
    for (i = 0; i < nargs; i++) {
        cv[i] = flint_malloc(sizeof(cl_cval_struct));
        cl_cval_init(cv[i]);
        rj_val_set(cv[i]->v, args + i);
        if (cl_val_is_choice_set(args + i) && st == RJ_OK)
            st = anon_keys(cv[i], ctx, loc, err);
    }
    memset(&call, 0, sizeof(call));
    call.kind = RJ_EXPR_CALL;
    call.loc = loc;
    call.name = (char *) name;
    d.e = &call;
    d.which = which;
    cl_cval_init(r);
    if (st == RJ_OK)
        st = cl_cval_map(r, cv, nargs, op_builtin, &d, CL_DEP_ANY, ctx, env, loc, err);
    if (st == RJ_OK)
        rj_val_swap(out, r->v);
    cl_cval_clear(r);
    free_children(cv, nargs);
    if (ctx == &tmp)
        cl_ctx_clear(&tmp);
    return st;
}

/* ------------------------------------------------------------ environment */

void
rj_claims_env_init(rj_env_t env, const rj_claims_opts *opts)
{
    cl_ctx *ctx = flint_malloc(sizeof(cl_ctx));
    rj_val_t t;
    cl_ctx_init(ctx, opts);
    rj_env_init(env);
    env->hook = rj_claims_hook;
    env->hook_ctx = ctx;
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
    if (ctx != NULL) {
        cl_ctx_clear(ctx);
        flint_free(ctx);
    }
    env->hook = NULL;
    env->hook_ctx = NULL;
    rj_env_clear(env);
}
