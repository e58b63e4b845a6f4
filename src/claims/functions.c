/* resjac claims: the table of claim functions every call goes through
 * (proofs/LANGUAGE.md lists them), the dependence rules on the tie choices
 * (proofs/ties.md, section 3), the dispatch (cl_call, cl_builtin_call) and
 * the argument helpers the functions share.  The functions themselves are in
 * fn_count.c (paths, binomial, digits, logs), fn_scalar.c (sqrt, abs, min,
 * max), fn_matrix.c (exact matrix functions and norms), fn_poly.c
 * (polynomials), net_functions.c, spectral.c and random_net.c. */
#include <string.h>

#include "claims_impl.h"
#include "symbolic_impl.h"

/* network functions (src/claims/net_functions.c) and spectral ones
   (src/claims/spectral.c) */
typedef int (*cl_bfn)(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
                      rj_error_t err);
/* (declared in claims_impl.h) */

/* ------------------------------------------------------------ argument helpers */

int
cl_bad_arg(const cl_args *b, slong i, const char *expected, rj_error_t err)
{
    char d[120];
    rj_val_describe(d, sizeof(d), b->a[i]);
    return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "%s: argument %ld must be %s, found %s",
                            b->name, (long) (i + 1), expected, d);
}

/* A matrix argument; a number counts as a 1 x 1 matrix. */
int
cl_arg_mat(fmpq_mat_t A, const cl_args *b, slong i, int square, rj_error_t err)
{
    const rj_val_struct *v = b->a[i];
    if (v->kind == RJ_VAL_NUM) {
        fmpq_mat_clear(A);
        fmpq_mat_init(A, 1, 1);
        fmpq_set(fmpq_mat_entry(A, 0, 0), v->num);
        return RJ_OK;
    }
    if (v->kind != RJ_VAL_MAT)
        return cl_bad_arg(b, i, square ? "a square matrix" : "a matrix", err);
    if (square && fmpq_mat_nrows(v->mat) != fmpq_mat_ncols(v->mat))
        return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc,
                                "%s: argument %ld must be a square matrix, found a %ld x %ld "
                                "matrix", b->name, (long) (i + 1),
                                (long) fmpq_mat_nrows(v->mat), (long) fmpq_mat_ncols(v->mat));
    fmpq_mat_clear(A);
    fmpq_mat_init_set(A, v->mat);
    return RJ_OK;
}

int
cl_arg_num(fmpq_t q, const cl_args *b, slong i, rj_error_t err)
{
    if (b->a[i]->kind != RJ_VAL_NUM)
        return cl_bad_arg(b, i, "a number", err);
    fmpq_set(q, b->a[i]->num);
    return RJ_OK;
}

int
cl_arg_si(slong *k, const cl_args *b, slong i, slong lo, slong hi, int hi_is_limit,
          const char *what, rj_error_t err)
{
    char w[120];
    snprintf(w, sizeof(w), "%s: %s", b->name, what);
    return rj_val_get_si(k, b->a[i], lo, hi, hi_is_limit, w, NULL, b->loc, err);
}

/* A non-negative integer of at most `hi` (<= WORD_MAX). */
int
cl_arg_count(ulong *n, const cl_args *b, slong i, ulong hi, const char *what, rj_error_t err)
{
    slong k;
    int st = cl_arg_si(&k, b, i, 0, (slong) hi, 1, what, err);
    if (st == RJ_OK)
        *n = (ulong) k;
    return st;
}

int
cl_arg_positive(fmpq_t q, const cl_args *b, slong i, rj_error_t err)
{
    int st = cl_arg_num(q, b, i, err);
    if (st == RJ_OK && fmpq_sgn(q) <= 0)
        return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "%s: argument %ld must be > 0",
                                b->name, (long) (i + 1));
    return st;
}

/* ------------------------------------------------------------ the table */

/* How a function's value depends on the tie choices of its arguments
   (proofs/ties.md, section 3). */
enum {
    DR_ANY,      /* unknown (det, inverse, charpoly, powers, ...) */
    DR_KEEP,     /* linear in the argument: keeps its dependence (transpose, trace) */
    DR_NORM,     /* a norm (convex) of a multilinear argument: coordinate-wise convex */
    DR_MAX,      /* max of convex entries: convex */
    DR_MIN       /* min of concave entries: concave */
};

typedef struct {
    const char *name;
    int min, max;        /* positional arguments */
    int ties;            /* a network function: may return a choice set or an
                            enclosure matrix */
    int dep;             /* DR_* */
    cl_bfn fn;
    const char *usage;
} builtin_t;

static const builtin_t table[] = {
    { "jacobian", 2, 3, 1, DR_ANY, cl_fn_jacobian,
      "jacobian(N, x), or jacobian(N, x, c) with ReLU'(0) = c at every tie (c = 0: "
      "PyTorch's and JAX's convention; c = 1)" },
    { "skip_part", 2, 3, 1, DR_ANY, cl_fn_skip_part, "skip_part(B, x) or skip_part(N, x, l)" },
    { "branch_part", 2, 3, 1, DR_ANY, cl_fn_branch_part,
      "branch_part(B, x) or branch_part(N, x, l)" },
    { "expand", 2, 2, 1, DR_ANY, cl_fn_expand, "expand(N, x)" },
    { "graded", 3, 3, 1, DR_ANY, cl_fn_graded, "graded(N, x, k)" },
    { "subsets_sum", 2, 2, 1, DR_ANY, cl_fn_subsets_sum, "subsets_sum(N, x)" },
    { "forward", 2, 2, 1, DR_ANY, cl_fn_forward, "forward(N, x)" },
    { "jvp", 3, 3, 1, DR_ANY, cl_fn_jvp, "jvp(N, x, v)" },
    { "random_net", 2, 3, 0, DR_ANY, cl_fn_random_net,
      "random_net(\"DEPTH,WIDTH[,KIND][,key=value...]\", SEED) or "
      "random_net(SPEC, SEED, \"f32\")" },
    { "random_point", 2, 2, 0, DR_ANY, cl_fn_random_point, "random_point(n, SEED)" },
    { "paths", 1, 2, 0, DR_ANY, cl_fn_paths, "paths(L) or paths(L, k)" },
    { "binomial", 2, 2, 0, DR_ANY, cl_fn_binomial, "binomial(n, k)" },
    { "digits", 1, 1, 0, DR_ANY, cl_fn_digits, "digits(n)" },
    { "floor_log10", 1, 1, 0, DR_ANY, cl_fn_floor_log, "floor_log10(q)" },
    { "round_log10", 1, 1, 0, DR_ANY, cl_fn_floor_log, "round_log10(q)" },
    { "floor_log2", 1, 1, 0, DR_ANY, cl_fn_floor_log, "floor_log2(q)" },
    { "log2", 1, 1, 0, DR_ANY, cl_fn_log, "log2(q)" },
    { "log10", 1, 1, 0, DR_ANY, cl_fn_log, "log10(q)" },
    { "sqrt", 1, 1, 0, DR_ANY, cl_fn_sqrt, "sqrt(q)" },
    { "abs", 1, 1, 0, DR_NORM, cl_fn_abs, "abs(x)" },
    { "min", 1, 1000000, 0, DR_MIN, cl_fn_minmax, "min(a, b, ...) or min(A)" },
    { "max", 1, 1000000, 0, DR_MAX, cl_fn_minmax, "max(a, b, ...) or max(A)" },
    { "norm1", 1, 1, 0, DR_NORM, cl_fn_norm_exact, "norm1(A)" },
    { "norminf", 1, 1, 0, DR_NORM, cl_fn_norm_exact, "norminf(A)" },
    { "normfro2", 1, 1, 0, DR_NORM, cl_fn_norm_exact, "normfro2(A)" },
    { "normfro", 1, 1, 0, DR_NORM, cl_fn_norm_exact, "normfro(A)" },
    { "norm2", 1, 1, 0, DR_NORM, cl_fn_norm2, "norm2(A)" },
    { "sigma_min", 1, 1, 0, DR_ANY, cl_fn_sigma_min, "sigma_min(A)" },
    { "charpoly", 1, 1, 0, DR_ANY, cl_fn_square, "charpoly(A)" },
    { "trace", 1, 1, 0, DR_KEEP, cl_fn_square, "trace(A)" },
    { "det", 1, 1, 0, DR_ANY, cl_fn_square, "det(A)" },
    { "inverse", 1, 1, 0, DR_ANY, cl_fn_square, "inverse(A)" },
    { "rank", 1, 1, 0, DR_ANY, cl_fn_rank, "rank(A)" },
    { "transpose", 1, 1, 0, DR_KEEP, cl_fn_transpose, "transpose(A)" },
    { "compose", 2, 2, 0, DR_ANY, cl_fn_compose, "compose(p, q)" },
    { "degree", 1, 1, 0, DR_ANY, cl_fn_degree, "degree(p)" },
    { "coeff", 2, 2, 0, DR_ANY, cl_fn_coeff, "coeff(p, k)" },
    { "adjugate", 1, 1, 0, DR_ANY, cl_fn_adjugate, "adjugate(A)" },
    { "path_terms", 1, 2, 0, DR_ANY, cl_fn_path_terms, "path_terms(J) or path_terms(J, k)" },
    { RJ_MATRIX_FUNC, 3, 1 << 30, 0, DR_ANY, cl_fn_matrix, "[a, b, ...]" },
    { NULL, 0, 0, 0, 0, NULL, NULL }
};

/* Functions that take enclosure matrices (src/claims/encl_matrix.c). */
static int
takes_emat(const char *name)
{
    static const char *names[] = { "norm1", "norminf", "normfro2", "normfro", "norm2",
                                   "sigma_min", "trace", "abs", "max", "min", NULL };
    int i;
    for (i = 0; names[i] != NULL; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* Convex in each c_i: a norm (or |.|, squared Frobenius norm) of a function
   affine in c_i is convex in c_i; a max of convex functions is convex. */
int
cl_builtin_dep(int which, const int *deps, const int *keyed, slong n)
{
    slong i;
    int any = 0, lin = 1, cvx = 1, ccv = 1;
    for (i = 0; i < n; i++) {
        if (!keyed[i])
            continue;
        any = 1;
        lin &= deps[i] == CL_DEP_LIN;
        cvx &= deps[i] == CL_DEP_LIN || deps[i] == CL_DEP_CVX;
        ccv &= deps[i] == CL_DEP_LIN || deps[i] == CL_DEP_CCV;
    }
    if (!any)
        return CL_DEP_LIN;
    if (which < 0)
        return CL_DEP_ANY;
    switch (table[which].dep) {
    case DR_KEEP: return n == 1 ? deps[0] : CL_DEP_ANY;
    case DR_NORM: return n == 1 && lin ? CL_DEP_CVX : CL_DEP_ANY;
    case DR_MAX: return cvx ? CL_DEP_CVX : CL_DEP_ANY;
    case DR_MIN: return ccv ? CL_DEP_CCV : CL_DEP_ANY;
    default: return CL_DEP_ANY;
    }
}

int
cl_builtin_find(const char *name)
{
    int i;
    for (i = 0; table[i].name != NULL; i++)
        if (strcmp(table[i].name, name) == 0)
            return i;
    return -1;
}

int
rj_claims_is_function(const char *name)
{
    return cl_builtin_find(name) >= 0;
}

rj_func_def *
cl_func_defs(void)
{
    slong i, n = 0;
    rj_func_def *d;
    while (table[n].name != NULL)
        n++;
    d = flint_malloc((n + 1) * sizeof(rj_func_def));
    for (i = 0; i <= n; i++) {
        d[i].name = table[i].name;
        d[i].min_args = table[i].min;
        d[i].max_args = table[i].max;
        d[i].rule = (int) i;
        d[i].fn = i < n ? cl_call : NULL;
        d[i].usage = table[i].usage;
    }
    return d;
}

int
cl_builtin_call(cl_cval_t out, int which, const cl_args *b, cl_ctx *ctx,
                rj_env_struct *env, rj_error_t err)
{
    const builtin_t *t = table + which;
    int st;
    flint_free(out->keys);
    out->keys = NULL;
    out->nkeys = 0;
    if (!t->ties) {
        /* enclosure matrices (values of tanh/sigmoid networks) */
        slong i;
        for (i = 0; i < b->n; i++)
            if (cl_val_is_emat(b->a[i]))
                break;
        if (i < b->n) {
            if (strcmp(t->name, "transpose") == 0)
                st = b->a[0]->ops->transpose(out->v, b->a[0], b->loc, err);
            else if (b->n == 1 && takes_emat(t->name))
                st = cl_emat_function(out->v, t->name, b->a[0], ctx->prec, b->loc, err);
            else {
                char d[120];
                rj_val_describe(d, sizeof(d), b->a[i]);
                st = rj_error_set_loc(err, RJ_ERR_DOMAIN, b->loc,
                                      "%s cannot take %s (argument %ld): it needs exact "
                                      "values, and enclosures (values of tanh or sigmoid "
                                      "networks) take only + - * / ^, ', indexing, diag, "
                                      "norms, sigma_min, trace, abs, min and max", t->name,
                                      d, (long) (i + 1));
            }
            if (st == RJ_OK)
                st = cl_val_check_finite(out->v, b->loc, err);
            return cl_locate(err, st, b->loc);
        }
    }
    st = t->fn(out, b, ctx, env, err);
    if (st == RJ_OK)
        st = cl_val_check_finite(out->v, b->loc, err);
    return cl_locate(err, st, b->loc);
}

/* The claim functions as the language calls them: the result with tie keys
   becomes a choice value. */
int
cl_call(rj_val_t out, const rj_call_struct *call, rj_env_struct *env, rj_error_t err)
{
    cl_ctx *ctx = call->ctx;
    cl_args b;
    cl_cval_t r;
    int st;
    b.name = call->name;
    b.a = call->a;
    b.n = call->n;
    b.loc = call->loc;
    cl_cval_init(r);
    st = cl_builtin_call(r, call->def->rule, &b, ctx, env, err);
    if (st == RJ_OK)
        cl_cval_get_val(out, r);
    cl_cval_clear(r);
    return st;
}
