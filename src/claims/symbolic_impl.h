/* resjac claims: symbolic matrices as values of the language (internal;
 * every non-static name starts with cl_).  proofs/symbolic.md is the argument.
 *
 * forall J, K in matrices: F        (J, K: square matrices of any one size)
 * forall J in matrices(n, n): F     (n x n)
 * forall J_1..J_L in matrices: F    (a family; J[l] and J_1, J_2, ... in F)
 * bind the names to symbols of the symbolic layer (resjac/symbolic.h) in one
 * scope (cl_symscope), with I the identity.  Their values are the language's
 * extension kind cl_sym_ops: an element of the free algebra with transpose,
 * a family of symbols, or -- at a fixed size -- a matrix (or a scalar) of
 * polynomials in the entries.  The quantifier (symbolic_forall.c) decides the
 * body once on symbols: PROVED when it holds there; otherwise it looks for a
 * counterexample among integer matrices and REFUTES only with one that it has
 * printed, read back and decided again with plain exact arithmetic. */
#ifndef RESJAC_CLAIMS_SYMBOLIC_IMPL_H
#define RESJAC_CLAIMS_SYMBOLIC_IMPL_H

#include "claims_impl.h"
#include "resjac/symbolic.h"

typedef struct {
    slong nsym;
    char **names;              /* symbol s is names[s] ("J", "J_2", ...) */
    slong n;                   /* the size; 0: every size */
    int has_mctx;              /* n > 0: the generic matrices' context */
    char *no_mctx;             /* n > 0 without it: why (its limit) */
    fmpq_mpoly_ctx_t mctx;
    char **varnames;           /* the entry variables' names ("J[1,2]", ..., "t") */
    rj_sym_limits lim;
    slong maxdeg;              /* the largest degree of an element formed */
    struct cl_symjac *jac;     /* points and derivative symbols (symbolic_jac.c), or NULL */
} cl_symscope;

/* Set up / free a scope of nsym symbols named names (copied) of size n (0:
   every size).  RJ_ERR_LIMIT when the symbols are past their limit; past the
   limit of entry variables the scope has no context (has_mctx = 0), and
   what needs the entries is RJ_ERR_DOMAIN naming the limit. */
int cl_symscope_init(cl_symscope *sc, const char *const *names, slong nsym, slong n,
                     rj_error_t err);
void cl_symscope_clear(cl_symscope *sc);

extern const rj_val_ops cl_sym_ops;
int cl_val_is_sym(const rj_val_struct *v);
/* v = symbol s of sc; I (the identity, c = 1); the family of symbols
   base..base+len-1; the concrete family of len matrices (copied). */
void cl_sym_set_symbol(rj_val_t v, cl_symscope *sc, slong s);
void cl_sym_set_identity(rj_val_t v, cl_symscope *sc);
void cl_sym_set_family(rj_val_t v, cl_symscope *sc, slong base, slong len);
void cl_sym_set_concrete_family(rj_val_t v, const fmpq_mat_struct *mats, slong len);

/* The claim functions adjugate(A) and path_terms(J[, k]) (in functions.c's
   table): exact on matrices and concrete families, symbolic on symbols. */
int cl_fn_adjugate(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_path_terms(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);

/* forall ... in matrices[(n, n)][(family = L)]: F (symbolic_forall.c). */
int cl_is_matrices_forall(const rj_expr_struct *f);
int cl_decide_forall_matrices(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                              cl_ctx *ctx, rj_error_t err);

/* symbolic_jac.c: blocks with symbolic weights at symbolic points [SY 4].
   The element of a free-algebra value (NULL for any other value) and its
   scope; v = the element p of sc (p is taken over, left 0). */
const rj_sym_struct *cl_sym_get_alg(const rj_val_struct *v, cl_symscope **sc);
void cl_sym_set_alg(rj_val_t v, cl_symscope *sc, rj_sym_t p);
/* matrices[(n, n)][(family = L)] of a quantifier (symbolic_forall.c). */
int cl_sym_read_domain(slong *n, slong *fam, const rj_expr_struct *call, rj_env_struct *env,
                       cl_ctx *ctx, rj_error_t err);
/* Shared with symbolic_jac.c (symbolic_forall.c): bind / unbind one
   quantified name -- a symbol, or a family and its symbols, first..first+
   max(fam, 1)-1 -- to symbols (mats NULL) or to the matrices mats[first..];
   A = integer entries in [-bound, bound]; back[i] = mats[i] (i < k) printed
   as `let` lines, read back through the parser and checked equal
   (RJ_ERR_INTERNAL when not: a bug), back initialised by the caller. */
void cl_sym_bind_var(rj_env_struct *env, const char *name, slong fam, slong first,
                     cl_symscope *sc, const fmpq_mat_struct *mats);
void cl_sym_unbind_var(rj_env_struct *env, const char *name, slong fam, slong first,
                       const cl_symscope *sc);
void cl_sym_fill_dense(fmpq_mat_t A, flint_rand_t state, slong bound);
int cl_sym_read_back(fmpq_mat_struct *back, const fmpq_mat_struct *mats, slong k,
                     rj_env_struct *env);
/* After a counterexample was read back (cl_sym_read_back) and, if that
   went well, decided again (verdict v2): st, or RJ_ERR_INTERNAL naming the
   bug when it did not read back or was not REFUTED again. */
int cl_sym_witness_status(int st, rj_verdict_kind v2, rj_loc_t loc, rj_error_t err);
/* p with D' = D for the scope's derivative symbols (nothing without them). */
void cl_symjac_normalise(rj_sym_struct *p, const cl_symscope *sc);
/* block, net, project: the calls a free-algebra value hands to symbolic_jac.c. */
int cl_symjac_is_call(const char *name);
int cl_symjac_call(rj_val_struct *out, const rj_expr_struct *e, rj_val_struct *const *vals,
                   slong n, rj_env_struct *env, rj_error_t err);
/* forall x in vectors, forall D_1..D_k in derivatives(x); a chain of
   quantifiers over matrices holding one of them is decided here. */
int cl_symjac_is_forall(const rj_expr_struct *f);
int cl_symjac_is_chain(const rj_expr_struct *f);
int cl_symjac_decide(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
                     rj_error_t err);
/* forall L in naturals: F and forall L in a..inf: F (symbolic_depth.c,
   proofs/symbolic.md SY 6). */
int cl_is_depth_forall(const rj_expr_struct *f);
int cl_decide_forall_depth(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                           cl_ctx *ctx, rj_error_t err);

/* ------------------------------------------------------------ norm rules
   (symbolic_norm.c; proofs/symbolic.md SY 5) */

/* A chain of quantifiers over matrices being decided (symbolic_forall.c):
   the body, the scope of its symbols, and dom[s], the matrices(...) call
   (with its hypotheses such as norm2 <= e) that bound symbol s. */
typedef struct {
    const rj_expr_struct *f, *body;
    const void *vars;          /* symbolic_forall.c's own description */
    slong nv;
    cl_symscope *sc;
    const rj_expr_struct **dom;
} cl_symq;

/* Bind the chain's names (to symbols: mats NULL; else to the m x m mats),
   and unbind them. */
void cl_symq_bind(const cl_symq *q, const fmpq_mat_struct *mats, slong m, rj_env_struct *env);
void cl_symq_unbind(const cl_symq *q, rj_env_struct *env);
/* The body decided at concrete matrices; a REFUTED case printed, read back
   and decided again (RJ_ERR_INTERNAL if it is not refuted again); the
   matrices as "J = [[...]], ..." (flint_malloc'd). */
int cl_symq_decide_at(rj_verdict_kind *v, char **ev, const cl_symq *q,
                      const fmpq_mat_struct *mats, slong m, rj_env_struct *env, cl_ctx *ctx,
                      rj_error_t err);
int cl_symq_reverify(const cl_symq *q, const fmpq_mat_struct *mats, slong m,
                     rj_env_struct *env, cl_ctx *ctx, rj_error_t err);
char *cl_symq_witness_str(const cl_symq *q, const fmpq_mat_struct *mats);

/* The env name bound while a real symbol (forall e in reals(...)) is in
   scope; not an identifier of the language. */
#define CL_REAL_MARK "@real"
/* 1 if a quantifier of the chain starting at f has a hypothesis. */
int cl_symq_has_hyps(const rj_expr_struct *f);
/* Decide q by the norm rules (PROVED), else by structured witnesses
   (REFUTED, re-verified), else UNDECIDED with the reduced inequality. */
int cl_decide_norms(cl_cres_t out, const cl_symq *q, rj_env_struct *env, cl_ctx *ctx,
                    rj_error_t err);
/* forall e in reals(lo < e, e <= hi): F */
int cl_is_reals_forall(const rj_expr_struct *f);
int cl_decide_forall_reals(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                           cl_ctx *ctx, rj_error_t err);

#endif
