/* resjac claims module: internal declarations (not installed; every
 * non-static name here starts with cl_).
 *
 * Values that depend on derivative choices at ReLU ties.  A tie is one unit of
 * one activation of one block of a given network at a given point; ties are
 * interned in the context (cl_ctx.ties) and referred to by their index.
 * A cl_cval is a value with the sorted list of ties ("keys") it depends on:
 * with k keys it is a choice-set list of 2^k items, item number `mask` being
 * the value when key i takes its right derivative iff bit i of mask is set.
 * Combining two cvals pairs items by their shared keys, so that
 *   jacobian(B, x) == skip_part(B, x) + branch_part(B, x)
 * compares the items of one and the same choice; values from different
 * networks or points are independent (every combination is tried), which can
 * only make a verdict weaker, never wrongly PROVED.  Formulas give per-choice
 * truth values (cl_cres).
 *
 * The one-sided choices are the vertices of the Clarke box [0, 1]^k of the
 * derivatives at the k ties.  Each cval also records how it depends on the
 * choices over the whole box (dep: multilinear, coordinate-wise convex or
 * concave, or unknown) and its value at the centre c = (1/2, ..., 1/2); a
 * claim that holds at every vertex is PROVED only when that dependence shows
 * the vertices cover the box (proofs/ties.md). */
#ifndef RESJAC_CLAIMS_IMPL_H
#define RESJAC_CLAIMS_IMPL_H

#include <stdarg.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpq_poly.h>
#include <mpfr.h>

#include "resjac/error.h"
#include "resjac/model.h"
#include "resjac/lang.h"
#include "resjac/exact.h"
#include "resjac/claims.h"
#include "resjac/precise.h"

/* ------------------------------------------------------------ strings (sbuf.c) */

typedef struct {
    char *s;
    slong len, alloc;
} cl_sbuf;

void cl_sb_init(cl_sbuf *b);
void cl_sb_clear(cl_sbuf *b);
void cl_sb_puts(cl_sbuf *b, const char *s);
void cl_sb_printf(cl_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string (never NULL), handed over: the caller frees it with flint_free;
   b is left empty and may be reused. */
char *cl_sb_take(cl_sbuf *b);
char *cl_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Numbers and values in evidence text: exact when the digits fit in about
   maxlen characters (or as +-10^k, 2^-k), else a short decimal
   "~0.024908188496575300 (exact: --exact)" -- the exact value is in the
   evidence data (evdata.c), which `resjac check --exact` prints. */
char *cl_q_text(const fmpq_t q, slong maxlen);
char *cl_val_text(const struct rj_val_struct *v, slong maxlen);

/* ------------------------------------------------------------ evidence as data
   (evdata.c): JSON text of a decided case, "bindings" its first member (the
   schema is at the top of evdata.c and in proofs/json-schema.md).  Every
   function returns a new string (flint_malloc'd), NULL when an input is NULL. */

/* s as a quoted JSON string; a value as JSON (numbers exact strings, matrices
   rows of them, enclosures ["lo", "hi"] rounded outward). */
void cl_json_str(cl_sbuf *b, const char *s);
void cl_json_val(cl_sbuf *b, const struct rj_val_struct *v);
/* {"bindings": {}, "op": op, "lhs": a, "rhs": b[, "tolerance": tol]} */
char *cl_data_cmp(const char *op, const struct rj_val_struct *a,
                  const struct rj_val_struct *b, const fmpq_t tol);
/* {"bindings": {}, key: inner} */
char *cl_data_wrap(const char *key, const char *inner);
/* {"bindings": {}, "parts": [a, b]} (a or b alone when the other is NULL) */
char *cl_data_pair(const char *a, const char *b);
/* data with the member key: json added after its bindings. */
char *cl_data_add(const char *data, const char *key, const char *json);
/* data with name = v added in front of its bindings. */
char *cl_data_bind(const char *data, const char *name, const struct rj_val_struct *v);

/* ------------------------------------------------------------ context (ties.c) */

typedef struct {
    ulong h0, h1;        /* hash of the network and point (or an anonymous id) */
    slong block;         /* the tie within them */
    int where;
    slong unit;
    char *label;         /* "block 2 (B) inner relu, unit 1" */
    ulong case_mark;     /* the innermost case that met it (cl_case_begin) */
    slong dropped_claim; /* the claim (cl_ctx.claims) that last counted it as not
                            enumerated for a Jacobian, or 0 */
} cl_tie;

typedef struct {
    rj_claims_opts opts;
    slong prec;                 /* enclosure precision in bits */
    int straddled;              /* an enclosure comparison could not decide */
    double straddle_width;      /* log2 of the widest such enclosure */
    int want_data;              /* 1: comparisons write their evidence data (evdata.c);
                                   0 while deciding cases whose data no one will
                                   report (a quantifier's cases but the last) */
    slong ntie, atie;
    cl_tie *ties;
    slong *tie_index;           /* open-addressing hash of ties, -1 empty */
    slong tie_index_size;       /* a power of two, > 2 ntie */
    rj_func_def *funcs;         /* the claim functions as the language sees them */
    slong cases;                /* quantifier cases examined in this claim */
    slong *case_ties;           /* ties met by the open cases, innermost last */
    ulong *case_prev;           /* each one's case_mark before it was added */
    slong ncase_ties, acase_ties;
    slong case_start;           /* where the innermost open case's ties start */
    ulong case_id, case_counter;    /* the innermost open case (0: none) */
    int depth;                  /* nesting of quantifiers being decided */
    double outer_cases;         /* cases of the enclosing foralls, multiplied
                                   (0: none); forall.c limits the product */
    struct cl_net_cache_s *net_cache;   /* the network last converted by the
                                           precise layer (net_functions.c) */
    slong conv_ties[2];         /* ties met by jacobian(N, x, c) under the
                                   convention ReLU'(0) = c, c = 0, 1 (the
                                   evidence names it: cl_decide_case) */
    slong claims;               /* claims started (cl_ctx_new_claim) */
    slong dropped_ties;         /* ties jacobian(N, x) did not enumerate: its value
                                   cannot depend on them (proofs/ties.md 8) */
} cl_ctx;

/* Free ctx->net_cache (net_functions.c; cl_ctx_clear calls it). */
void cl_net_cache_clear(cl_ctx *ctx);

void cl_ctx_init(cl_ctx *ctx, const rj_claims_opts *opts);
void cl_ctx_clear(cl_ctx *ctx);
/* Intern a tie, returning its index (hash lookup); label is kept from the
   first call that met it. */
slong cl_tie_intern(cl_ctx *ctx, ulong h0, ulong h1, slong block, int where, slong unit,
                    const char *label);
/* The innermost open case met the tie (no effect outside a case). */
void cl_note_seen(cl_ctx *ctx, slong tie);
/* Start a new claim: no quantifier cases. */
void cl_ctx_new_claim(cl_ctx *ctx);
/* Append to the evidence *ev (flint_malloc'd) the convention a case rested
   on: n0 (n1) ties met by jacobian(N, x, 0) (jacobian(N, x, 1)); and the
   number of ties jacobian(N, x) dropped as unable to change it. */
void cl_note_convention(char **ev, slong n0, slong n1, slong dropped);
/* A case is a claim or one case of a quantifier.  cl_case_begin opens one
   inside the current (saving it in *outer); cl_case_end closes it, returning
   the number of distinct ties it met, which count as met by the enclosing
   case too. */
typedef struct {
    slong start;
    ulong id;
} cl_case_mark;
void cl_case_begin(cl_ctx *ctx, cl_case_mark *outer);
slong cl_case_end(cl_ctx *ctx, const cl_case_mark *outer);
/* The context of an environment made by rj_claims_env_init (NULL otherwise). */
cl_ctx *cl_env_ctx(rj_env_struct *env);

/* ------------------------------------------------------------ values (cval.c) */

/* How a value depends on the tie choices c in the Clarke box [0, 1]^k, entry
   by entry (proofs/ties.md):
     CL_DEP_LIN  multilinear (affine in each c_i; a value without keys too);
     CL_DEP_CVX  convex in each c_i separately (e.g. a norm of a multilinear
                 matrix): its maximum over the box is at a vertex;
     CL_DEP_CCV  concave in each c_i: its minimum is at a vertex;
     CL_DEP_ANY  unknown (a product of two choice-dependent values, a power,
                 det, inverse, ...): the vertices say nothing about the box. */
enum { CL_DEP_LIN = 0, CL_DEP_CVX = 1, CL_DEP_CCV = 2, CL_DEP_ANY = 3 };

/* The dependence of a + b, and of -a (CVX and CCV swap). */
int cl_dep_add(int da, int db);
int cl_dep_neg(int d);

typedef struct {
    rj_val_t v;
    slong nkeys;
    slong *keys;
    int dep;              /* CL_DEP_*; CL_DEP_LIN when nkeys == 0 */
    int has_center;       /* nkeys > 0: center holds the value at c = (1/2, ..., 1/2) */
    rj_val_t center;
} cl_cval_struct;
typedef cl_cval_struct cl_cval_t[1];

void cl_cval_init(cl_cval_t c);
void cl_cval_clear(cl_cval_t c);
void cl_cval_swap(cl_cval_t a, cl_cval_t b);
void cl_cval_set(cl_cval_t a, const cl_cval_t b);
void cl_cval_set_plain(cl_cval_t c, const rj_val_t v);
/* Item of c for a choice mask over the key list U (c's keys are a subset). */
const rj_val_struct *cl_cval_item(const cl_cval_t c, ulong maskU, const slong *U, slong nU);
/* Make c the choice set over the sorted keys U with items[mask] (2^nU values,
   moved out of items), depending on them as dep, with the centre value center
   (moved out; NULL: unknown).  When dep is CL_DEP_LIN, keys that no item
   depends on are dropped (a multilinear function equal at the two ends of
   every edge along c_i does not depend on c_i). */
void cl_cval_set_choices(cl_cval_t c, const slong *U, slong nU, rj_val_struct *items,
                         int dep, rj_val_struct *center);
/* The value at the centre: c->v without keys, else the centre or NULL. */
const rj_val_struct *cl_cval_center(const cl_cval_t c);
/* The centre of a multilinear choice set: the mean of its 2^k vertex items
   (multilinear interpolation at c = 1/2).  Returns 0 when the items cannot be
   averaged. */
int cl_val_mean(rj_val_t out, const rj_val_struct *items, slong len);
/* Sorted union of sorted key lists (*U flint_malloc'd; may be NULL when 0). */
slong cl_keys_union(slong **U, const slong *a, slong na, const slong *b, slong nb);
/* Project a mask over U onto the sub-list K. */
ulong cl_keys_project(ulong maskU, const slong *U, slong nU, const slong *K, slong nK);

/* Apply fn to every combination of items of the inputs (paired by keys), and
   to their centres; the result depends on the choices as dep (the caller's
   judgement of fn, proofs/ties.md).  fn's result may itself depend on ties
   only when no input does. */
typedef int (*cl_cval_fn)(cl_cval_t out, rj_val_struct **vals, slong n, const void *data,
                          cl_ctx *ctx, rj_env_struct *env, rj_error_t err);
int cl_cval_map(cl_cval_t out, cl_cval_struct **in, slong n, cl_cval_fn fn, const void *data,
                int dep, cl_ctx *ctx, rj_env_struct *env, rj_loc_t loc, rj_error_t err);

/* Value helpers. */
void cl_val_set_si(rj_val_t v, slong n);
void cl_val_set_fmpz(rj_val_t v, const fmpz_t z);
void cl_val_set_poly(rj_val_t v, const fmpq_poly_t p);
/* A list of len NONE items. */
void cl_val_set_list(rj_val_t v, slong len);
int cl_val_equal(const rj_val_struct *a, const rj_val_struct *b);

/* A value that depends on ReLU tie choices is the language's extension value
   with the operations cl_choice_ops and as data a cl_cval with keys (its
   items, dependence and centre): it carries its keys through bindings,
   quantifier scopes and function results.  Its lift (cl_choice_lift) maps
   every operation of the evaluator over the combinations of choices. */
extern const rj_val_ops cl_choice_ops;
int cl_val_is_choice(const rj_val_struct *v);
/* c = a copy of v: a choice value's keys, items, dependence and centre, or a
   plain value without keys. */
void cl_cval_set_val(cl_cval_t c, const rj_val_struct *v);
/* v = c as a value (a choice value when c has keys); c is left without
   keys and NONE. */
void cl_cval_get_val(rj_val_t v, cl_cval_t c);
int cl_choice_lift(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
                   rj_env_struct *env, rj_error_t err);
int cl_val_is_int(const rj_val_struct *v);

/* Give err the location loc when it has none; returns status. */
int cl_locate(rj_error_t err, int status, rj_loc_t loc);

/* ------------------------------------------------------------ evaluation */

/* Evaluate a term (not a formula) with rj_eval, as a cval. */
int cl_eval(cl_cval_t out, const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx,
            rj_error_t err);
/* Evaluate and require a plain value (no tie choices). */
int cl_eval_plain(rj_val_t out, const rj_expr_struct *e, rj_env_struct *env, cl_ctx *ctx,
                  rj_error_t err);

/* The claim functions (src/claims/functions.c, net_functions.c, spectral.c,
   random_net.c). */
typedef struct {
    const char *name;
    rj_val_struct *const *a;
    slong n;
    rj_loc_t loc;
} cl_args;
/* Integer argument i of a claim function in lo..hi (rj_val_get_si, its
   message prefixed by the function's name: "paths: the depth L ..."). */
int cl_arg_si(slong *k, const cl_args *b, slong i, slong lo, slong hi, int hi_is_limit,
              const char *what, rj_error_t err);
/* The other argument checks of the claim functions (functions.c): an error
   naming the function, the argument and what it must be; a matrix (a number
   counts as 1 x 1; square: it must be square); a number; a non-negative
   integer of at most hi (<= WORD_MAX); a number > 0. */
int cl_bad_arg(const cl_args *b, slong i, const char *expected, rj_error_t err);
int cl_arg_mat(fmpq_mat_t A, const cl_args *b, slong i, int square, rj_error_t err);
int cl_arg_num(fmpq_t q, const cl_args *b, slong i, rj_error_t err);
int cl_arg_count(ulong *n, const cl_args *b, slong i, ulong hi, const char *what,
                 rj_error_t err);
int cl_arg_positive(fmpq_t q, const cl_args *b, slong i, rj_error_t err);
/* Index of the function called name, -1 if none. */
int cl_builtin_find(const char *name);
/* The claim functions as the language's table (flint_malloc'd; rule: the
   index for cl_builtin_call), and the one rj_func_fn they all have. */
rj_func_def *cl_func_defs(void);
int cl_call(rj_val_t out, const rj_call_struct *call, rj_env_struct *env, rj_error_t err);
/* How the result of builtin `which` depends on the tie choices, from the
   dependences of its n arguments (proofs/ties.md); keyed[i]: argument i has
   keys. */
/* The functions of src/claims/net_functions.c, spectral.c, random_net.c. */
int cl_fn_jacobian(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_skip_part(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_branch_part(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_expand(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_graded(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_subsets_sum(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_forward(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_jvp(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_norm2(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_sigma_min(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_random_net(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_random_point(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
/* The functions of src/claims/fn_count.c, fn_scalar.c, fn_matrix.c, fn_poly.c. */
int cl_fn_paths(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_binomial(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_digits(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_floor_log(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_log(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_sqrt(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_abs(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_minmax(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_norm_exact(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_square(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_rank(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_transpose(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_matrix(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_compose(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_degree(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_fn_coeff(cl_cval_t, const cl_args *, cl_ctx *, rj_env_struct *, rj_error_t);
int cl_builtin_dep(int which, const int *deps, const int *keyed, slong n);
int cl_builtin_call(cl_cval_t out, int which, const cl_args *b, cl_ctx *ctx,
                    rj_env_struct *env, rj_error_t err);
/* p(x): evaluation at a number or a square matrix, composition with a
   polynomial, enclosure at an enclosure. */
int cl_poly_apply(rj_val_t out, const fmpq_poly_t p, const rj_val_struct *x, rj_loc_t loc,
                  rj_error_t err);

/* r >= sqrt(q) for q >= 0, exact (returns 1) when q is the square of a
   rational; else r - sqrt(q) <= sqrt(q) 2^-60 roughly. */
int cl_sqrt_upper(fmpq_t r, const fmpq_t q);
/* sqrt(q) (q >= 0) as a number when exact, else an enclosure at precision prec. */
void cl_val_sqrt(rj_val_t out, const fmpq_t q, slong prec);
/* ------------------------------------------------------------ enclosures
   (src/claims/encl.c; the public part is in resjac/claims.h). */

/* v = the enclosure [lo, hi] rounded outward to prec. */
void cl_val_set_encl(rj_val_t v, const mpfr_t lo, const mpfr_t hi, slong prec);
/* The working precision of an operation on v: RJ_ENCL_PREC, or an
   enclosure's own precision when larger. */
slong cl_encl_prec(const rj_val_struct *v);

/* ------------------------------------------------------------ enclosure matrices
   (src/claims/encl_matrix.c).  The language's extension value (RJ_VAL_EXT)
   with the operations cl_emat_ops and as data a precise-layer rj_imat: every
   operation is the precise layer's, so the true result of the operation on
   any matrices inside the operands lies inside the result; a result that is
   not finite is RJ_ERR_DOMAIN. */

extern const rj_val_ops cl_emat_ops;
/* 1 if v is an enclosure matrix; its matrix (valid while v is). */
int cl_val_is_emat(const rj_val_struct *v);
const rj_imat_struct *cl_emat_imat(const rj_val_struct *v);
/* A value that is a matrix of some kind: numbers (1 x 1), matrices, enclosures
   (1 x 1), enclosure matrices. */
int cl_is_matlike(const rj_val_struct *v);
slong cl_val_rows(const rj_val_struct *v);
slong cl_val_cols(const rj_val_struct *v);
/* Entry (i, j) of a matlike value as an interval (lo, hi initialised by the
   caller; rounded outward to their precision); returns 1 when it is exact
   (an exact rational, written to q if q is not NULL). */
int cl_val_entry_itv(mpfr_t lo, mpfr_t hi, fmpq_t q, const rj_val_struct *v, slong i,
                     slong j);
/* out = an enclosure matrix holding a copy of A; RJ_ERR_DOMAIN at loc when A
   is not finite. */
int cl_emat_set_imat(rj_val_t out, const rj_imat_t A, rj_loc_t loc, rj_error_t err);
/* Any matlike value as a midpoint-radius matrix (A reshaped; exact entries
   rounded outward to prec). */
void cl_emat_get_imat(rj_imat_struct *A, const rj_val_struct *v, slong prec);
/* RJ_OK when every enclosure in v (an enclosure, enclosure matrix or a list
   of them) has finite ends; else RJ_ERR_DOMAIN with RJ_ENCL_NONFINITE_MSG at
   loc: a NaN or infinite end is no enclosure a verdict may rest on. */
int cl_val_check_finite(const rj_val_struct *v, rj_loc_t loc, rj_error_t err);
/* The language's arithmetic (rj_val_binop), refusing a result that is not
   finite;
   lim: the limits (NULL: the defaults). */
int cl_val_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
                 const rj_limits *lim, rj_loc_t loc, rj_error_t err);
/* diag(v) of an enclosure vector. */
int cl_emat_diag(rj_val_t out, const rj_val_struct *v, rj_loc_t loc, rj_error_t err);
/* A matrix literal whose entries are numbers, enclosures and 1 x 1 enclosure
   matrices (RJ_ERR_INPUT at loc for any other entry). */
int cl_emat_literal(rj_val_t out, rj_val_struct *const *entries, slong rows, slong cols,
                    slong prec, rj_loc_t loc, rj_error_t err);
/* The lift of enclosure matrices: matrix literals, diag, rows and cols, and
   claim functions; choice values first (cl_choice_lift). */
int cl_emat_lift(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
                 rj_env_struct *env, rj_error_t err);
/* Norms and other scalar functions of an enclosure matrix: name is norm1,
   norminf, normfro2, normfro, norm2, sigma_min, trace, abs, max, min. */
int cl_emat_function(rj_val_t out, const char *name, const rj_val_struct *a, slong prec,
                     rj_loc_t loc, rj_error_t err);
/* Exact equality of two enclosure matrices. */
int cl_emat_equal(const rj_val_struct *a, const rj_val_struct *b);

/* Exact matrix norms. */
void cl_norm1(fmpq_t r, const fmpq_mat_t A);
void cl_norminf(fmpq_t r, const fmpq_mat_t A);
void cl_normfro2(fmpq_t r, const fmpq_mat_t A);
slong cl_mat_rank(const fmpq_mat_t A);

/* ------------------------------------------------------------ formulas (formula.c,
   compare.c, clarke.c, verdict.c, forall.c) */

enum { CL_TRUE = 0, CL_FALSE = 1, CL_WEAK = 2, CL_UNKNOWN = 3 };

/* Per-choice truth values of a formula, with evidence for each choice, and
   what is known over the whole Clarke box (proofs/ties.md). */
typedef struct {
    slong nkeys;
    slong *keys;
    signed char *tv;      /* 2^nkeys */
    char **ev;            /* 2^nkeys strings (owned) */
    char **data;          /* 2^nkeys JSON texts of the same cases, or NULL (owned) */
    int box_true;         /* shown TRUE for every c in [0, 1]^nkeys */
    int box_false;        /* shown FALSE for every c in [0, 1]^nkeys */
    signed char ctv;      /* truth value at the centre c = (1/2, ..., 1/2) (nkeys > 0;
                             CL_UNKNOWN when it could not be evaluated) */
    char *cev;            /* its evidence, or NULL */
} cl_cres_struct;
typedef cl_cres_struct cl_cres_t[1];

void cl_cres_init(cl_cres_t r);
void cl_cres_clear(cl_cres_t r);
void cl_cres_swap(cl_cres_t a, cl_cres_t b);
void cl_cres_set_scalar(cl_cres_t r, int tv, char *ev);  /* takes ev */
void cl_cres_set_scalar_data(cl_cres_t r, int tv, char *ev, char *data);  /* takes both */
/* Make r a result over the keys U (every choice CL_UNKNOWN, no evidence). */
void cl_cres_reset(cl_cres_t r, const slong *U, slong nU);
/* 1 if every choice / some choice of r has truth value tv. */
int cl_cres_all_are(const cl_cres_t r, int tv);
int cl_cres_any_are(const cl_cres_t r, int tv);
/* "the method cannot compute this: <err>" (flint_malloc'd): the evidence of
   an UNDECIDED that a RJ_ERR_DOMAIN status stands for. */
char *cl_domain_evidence(const rj_error_t err);

/* Decide a formula (src/claims/formula.c). */
int cl_decide_formula(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                      cl_ctx *ctx, rj_error_t err);
/* Decide a comparison for every choice of its ties, escalating the enclosure
   precision by the precise layer's rule (src/claims/compare.c). */
int cl_decide_cmp(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
                  rj_error_t err);
/* Given that `a op b` holds (fails) at every vertex of the Clarke box over the
   keys U: does it hold (fail) on the whole box?  (src/claims/clarke.c,
   proofs/ties.md section 4) */
int cl_proved_on_box(int op, const cl_cval_t a, const cl_cval_t b, const slong *U, slong nU,
                     slong p);
int cl_refuted_on_box(int op, const cl_cval_t a, const cl_cval_t b, const fmpq_t tol,
                      const slong *U, slong nU, slong p);
/* Reduce per-choice truth values to one verdict and its evidence
   (flint_malloc'd; src/claims/verdict.c). */
rj_verdict_kind cl_reduce(char **evidence, char **data, const cl_cres_t r, cl_ctx *ctx);
/* Decide f as one case: decide, then reduce over the tie choices met; data
   (may be NULL) gets the JSON text of the case the evidence quotes, or NULL. */
int cl_decide_case(rj_verdict_kind *v, char **ev, char **data, const rj_expr_struct *f,
                   rj_env_struct *env, cl_ctx *ctx, rj_error_t err);
/* A quantifier's case: f decided with name bound to kv (cl_decide_case); *bd
   (may be NULL) gets the case's data with the binding in front, when want and
   the enclosing claim wants data (ctx->want_data).  cl_case_data_again gives
   a case decided without data its data, deciding it once more (ctx->cases
   unchanged); nothing when *bd is set or no data is wanted. */
int cl_decide_case_bound(rj_verdict_kind *v, char **ev, char **bd, const rj_expr_struct *f,
                         const char *name, const rj_val_struct *kv, int want,
                         rj_env_struct *env, cl_ctx *ctx, rj_error_t err);
int cl_case_data_again(char **bd, const rj_expr_struct *f, const char *name,
                       const rj_val_struct *kv, rj_env_struct *env, cl_ctx *ctx,
                       rj_error_t err);
/* Quantifiers (src/claims/forall.c). */
int cl_decide_forall(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                     cl_ctx *ctx, rj_error_t err);
int cl_decide_forall_random(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                            cl_ctx *ctx, rj_error_t err);

/* The random families of forall J in random(...) (src/claims/random_family.c):
   r x c exact matrices J with ||J||_norm <= bound (< with strict), first
   CL_RFAMILY_STRUCTURED structured candidates, then count seeded random ones. */
typedef struct {
    slong rows, cols, count;
    int norm, strict;
    fmpq_t bound;       /* initialised by the caller */
    ulong seed;
} cl_rfamily;
#define CL_RFAMILY_STRUCTURED 14
/* The keys of random(rows = r, cols = c, norm = N, bound = B, seed = s,
   count = n [, strict = 1]) into s. */
int cl_rfamily_parse(cl_rfamily *s, const rj_expr_struct *call, rj_env_struct *env,
                     cl_ctx *ctx, rj_error_t err);
/* Candidate number idx (label names it); state draws the random ones. */
void cl_rfamily_candidate(fmpq_mat_t A, char *label, int len, const cl_rfamily *s,
                          slong idx, flint_rand_t state);
/* 1 if A satisfies the family's norm bound (checked exactly). */
int cl_rfamily_within(const fmpq_mat_t A, const cl_rfamily *s);
const char *cl_rfamily_norm_name(int norm);      /* "1", "inf", "fro", "2" */

#define CL_EV_LEN 600       /* evidence strings are cut near this length */
#define CL_VAL_LEN 240      /* one value inside evidence */

#endif
