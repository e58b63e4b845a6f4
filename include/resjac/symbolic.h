/* resjac: the symbolic layer (src/symbolic), a peer of paths, exact, precise
 * and fast.  Arguments in proofs/symbolic.md ([SY n] below).
 *
 * 1. The free algebra over Q with transpose (rj_sym_t).  Its elements are
 *    finite sums c_1 w_1 + ... + c_r w_r of words w in letters: a letter is a
 *    matrix symbol s (0, 1, ...) or its transpose s'; the empty word is I.
 *    Products concatenate words; the transpose reverses a word and toggles
 *    every letter's transpose ((AB)' = B'A', A'' = A, I' = I).  An element is
 *    kept in normal form: coefficients nonzero fmpq, words distinct, sorted by
 *    length, then letter by letter (letter code 2 s + t, t = 1 for s').  Two
 *    elements are equal as identities of square matrices of every size
 *    exactly when their normal forms are equal [SY 1, SY 2].
 *
 * 2. Matrices of polynomials in the entries (rj_pmat_t): for a fixed size n,
 *    symbol s stands for the generic matrix whose entry (i, j) is the variable
 *    number s n^2 + i n + j of a fmpq_mpoly context with nsym n^2 + 1
 *    variables; the last variable is t, the variable of characteristic
 *    polynomials.  An identity of n x n matrices holds for all entries exactly
 *    when the polynomial entries of both sides are equal [SY 3].
 *
 * Ownership: types are caller-allocated (init/clear); outputs come first and
 * may alias inputs unless a comment says otherwise.  Errors: RJ_ERR_LIMIT when
 * a result would pass a limit of rj_sym_limits (checked on an upper bound
 * before the work), RJ_ERR_INPUT for shapes that do not fit; out is then
 * unchanged. */
#ifndef RESJAC_SYMBOLIC_H
#define RESJAC_SYMBOLIC_H

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpq_poly.h>
/* <complex.h> (which cblas.h may include) defines the macro I, a parameter
   name in FLINT's mpoly headers: hide it while they are read. */
#ifdef I
#define RJ_SYMBOLIC_HID_I
#pragma push_macro("I")
#undef I
#endif
#include <flint/fmpq_poly.h>
#include <flint/fmpq_mpoly.h>
#ifdef RJ_SYMBOLIC_HID_I
#pragma pop_macro("I")
#undef RJ_SYMBOLIC_HID_I
#endif

#include "resjac/error.h"
#include "resjac/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- limits */

/* max_degree: the length of a word; max_symbols: distinct symbols; max_terms:
   the terms of one element (and of one product before combining). */
typedef struct {
    slong max_degree;
    slong max_symbols;
    slong max_terms;
} rj_sym_limits;

/* Default limit on the length of a word (the degree of a normal form),
   checked before a product or power is formed: RJ_ERR_LIMIT past it. */
#define RJ_SYM_MAX_DEGREE 32
/* Default limit on the number of distinct matrix symbols of one claim. */
#define RJ_SYM_MAX_SYMBOLS 128
/* Default limit on the terms of one normal form, checked before a sum or
   product is formed (the product's term count is bounded by the product of
   the factors' counts). */
#define RJ_SYM_MAX_TERMS 200000

/* Fill lim with the three defaults above; cannot fail. */
void rj_sym_limits_default(rj_sym_limits *lim);

/* ---------------------------------------------------------------- free algebra */

/* One term of a normal form: a nonzero rational coefficient times a word of
   len letters; letter 2 s + t is symbol s, transposed when t = 1; the empty
   word is I.  Owned by the rj_sym_struct that holds it. */
typedef struct {
    fmpq_t coeff;
    slong len;
    slong *w;            /* len letters, code 2 s + t */
} rj_sym_term_struct;

/* An element of the free algebra over Q with transpose, in normal form: its
   terms sorted by word (shorter words first, then letter by letter), words
   distinct, coefficients nonzero.  Two elements are equal exactly when their
   normal forms are the same (proofs/symbolic.md, SY 1). */
typedef struct {
    slong len, alloc;
    rj_sym_term_struct *terms;    /* normal form: sorted, distinct, nonzero */
} rj_sym_struct;
/* An element passed by reference, in the FLINT style. */
typedef rj_sym_struct rj_sym_t[1];

void rj_sym_init(rj_sym_t p);                 /* 0 */
/* Free the terms of p; p may then be initialised again. */
void rj_sym_clear(rj_sym_t p);
/* p = q (a deep copy; p may be q). */
void rj_sym_set(rj_sym_t p, const rj_sym_t q);
/* Exchange p and q in constant time. */
void rj_sym_swap(rj_sym_t p, rj_sym_t q);
/* p = 0 (no terms). */
void rj_sym_zero(rj_sym_t p);
/* p = c I. */
void rj_sym_set_fmpq(rj_sym_t p, const fmpq_t c);
/* p = the symbol s (transposed when t is 1). */
void rj_sym_set_symbol(rj_sym_t p, slong s, int t);

/* 1 if p is 0, else 0. */
int rj_sym_is_zero(const rj_sym_t p);
/* 1 if p and q have the same normal form (so p = q for matrices of every
   size), else 0. */
int rj_sym_equal(const rj_sym_t p, const rj_sym_t q);
/* The longest word's length (0 for scalars and for 0). */
slong rj_sym_degree(const rj_sym_t p);
/* 1 + the largest symbol met (0 when none). */
slong rj_sym_nsymbols(const rj_sym_t p);
/* 1 and c = the scalar when p is c I (c = 0 for p = 0); else 0. */
int rj_sym_get_scalar(fmpq_t c, const rj_sym_t p);

/* p = a + b, a - b, -a, c a, a', a b, a^k.  lim NULL: the defaults. */
int rj_sym_add(rj_sym_t p, const rj_sym_t a, const rj_sym_t b, const rj_sym_limits *lim,
               rj_error_t err);
int rj_sym_sub(rj_sym_t p, const rj_sym_t a, const rj_sym_t b, const rj_sym_limits *lim,
               rj_error_t err);
void rj_sym_neg(rj_sym_t p, const rj_sym_t a);
void rj_sym_scalar_mul(rj_sym_t p, const rj_sym_t a, const fmpq_t c);
void rj_sym_transpose(rj_sym_t p, const rj_sym_t a);
int rj_sym_mul(rj_sym_t p, const rj_sym_t a, const rj_sym_t b, const rj_sym_limits *lim,
               rj_error_t err);
int rj_sym_pow_ui(rj_sym_t p, const rj_sym_t a, ulong k, const rj_sym_limits *lim,
                  rj_error_t err);

/* p = w_0 + ... + w_(n-1), the sum of n words (letter codes 2 s + t; word i
   has lens[i] letters), each with coefficient 1, in normal form.  Limits as
   for products. */
int rj_sym_set_words(rj_sym_t p, const slong *const *words, const slong *lens, slong n,
                     const rj_sym_limits *lim, rj_error_t err);

/* "J*K' - 2*I"; names[s] names symbol s (at least rj_sym_nsymbols(p) of them).
   flint_malloc'd. */
char *rj_sym_get_str(const rj_sym_t p, const char *const *names);

/* out = p at the n x n matrices mats[0..nsym-1] (symbol s := mats[s], s' :=
   its transpose, I := the identity), by plain fmpq_mat arithmetic; out is
   initialised by the caller (any shape; it is resized). */
int rj_sym_evaluate_fmpq_mat(fmpq_mat_t out, const rj_sym_t p, const fmpq_mat_struct *mats,
                             slong nsym, slong n, rj_error_t err);

/* ---------------------------------------------------------------- polynomial matrices */

/* A matrix of polynomials (fmpq_mpoly) in the entries of generic matrices,
   all in one context (rj_pmat_ctx_init) that the caller keeps alive for the
   matrix's life; the matrix owns its entries. */
typedef struct {
    slong rows, cols;
    fmpq_mpoly_struct *e;         /* rows * cols, row-major */
} rj_pmat_struct;
/* A polynomial matrix passed by reference, in the FLINT style. */
typedef rj_pmat_struct rj_pmat_t[1];

/* The context of generic n x n matrices for nsym symbols: nsym n^2 + 1
   variables (the last is t).  RJ_ERR_LIMIT when nsym n^2 + 1 > max_vars. */
#define RJ_PMAT_MAX_VARS 1024
#define RJ_PMAT_MAX_SIZE 6        /* det, charpoly, adjugate by cofactors: n! terms */
int rj_pmat_ctx_init(fmpq_mpoly_ctx_t ctx, slong nsym, slong n, rj_error_t err);
/* The index of the variable t in such a context. */
slong rj_pmat_ctx_tvar(const fmpq_mpoly_ctx_t ctx);

void rj_pmat_init(rj_pmat_t A, slong rows, slong cols, const fmpq_mpoly_ctx_t ctx);  /* 0 */
/* Free the entries of A (made in ctx). */
void rj_pmat_clear(rj_pmat_t A, const fmpq_mpoly_ctx_t ctx);
/* A = B, reshaped to B's shape (A may be B). */
void rj_pmat_set(rj_pmat_t A, const rj_pmat_t B, const fmpq_mpoly_ctx_t ctx);
/* Exchange A and B in constant time. */
void rj_pmat_swap(rj_pmat_t A, rj_pmat_t B);
/* A = the constant matrix M (A of M's shape after the call). */
void rj_pmat_set_fmpq_mat(rj_pmat_t A, const fmpq_mat_t M, const fmpq_mpoly_ctx_t ctx);
/* A = the generic n x n matrix of symbol s (transposed when t is 1). */
void rj_pmat_set_generic(rj_pmat_t A, slong s, int t, slong n, const fmpq_mpoly_ctx_t ctx);
int rj_pmat_equal(const rj_pmat_t A, const rj_pmat_t B, const fmpq_mpoly_ctx_t ctx);
/* A + B, A - B (same shapes), A B (A->cols == B->rows), c A for a polynomial
   c, A'.  RJ_ERR_INPUT on shapes. */
int rj_pmat_add(rj_pmat_t C, const rj_pmat_t A, const rj_pmat_t B, int sub,
                const fmpq_mpoly_ctx_t ctx, rj_error_t err);
int rj_pmat_mul(rj_pmat_t C, const rj_pmat_t A, const rj_pmat_t B, const fmpq_mpoly_ctx_t ctx,
                rj_error_t err);
void rj_pmat_scalar_mul(rj_pmat_t C, const rj_pmat_t A, const fmpq_mpoly_t c,
                        const fmpq_mpoly_ctx_t ctx);
void rj_pmat_transpose(rj_pmat_t C, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx);
/* p evaluated at the generic n x n matrices of the context's symbols. */
int rj_pmat_set_sym(rj_pmat_t A, const rj_sym_t p, slong n, const fmpq_mpoly_ctx_t ctx,
                    const rj_sym_limits *lim, rj_error_t err);
/* Square A (n <= RJ_PMAT_MAX_SIZE, else RJ_ERR_LIMIT): its determinant by
   cofactor expansion, its trace, its characteristic polynomial det(t I - A)
   in the variable t, its adjugate (adj(A) A = det(A) I).  A must not contain
   t for charpoly. */
int rj_pmat_det(fmpq_mpoly_t d, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx, rj_error_t err);
int rj_pmat_trace(fmpq_mpoly_t d, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx,
                  rj_error_t err);
int rj_pmat_charpoly(fmpq_mpoly_t d, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx,
                     rj_error_t err);
int rj_pmat_adjugate(rj_pmat_t C, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx,
                     rj_error_t err);
/* C = p(A) for a polynomial p in t whose coefficients are polynomials in the
   entries (Horner's rule), A square. */
int rj_pmat_poly_apply(rj_pmat_t C, const fmpq_mpoly_t p, const rj_pmat_t A,
                       const fmpq_mpoly_ctx_t ctx, rj_error_t err);

/* ---------------------------------------------------------------- block Jacobians (jac.c) */

/* p = a with every letter s' of a symmetric symbol s (sym[s] != 0, s < nsym)
   replaced by s, in normal form: the quotient by D' = D that diagonal
   symbols (activation derivatives) satisfy [SY 4].  p may be a. */
int rj_sym_symmetrise(rj_sym_t p, const rj_sym_t a, const char *sym, slong nsym,
                      const rj_sym_limits *lim, rj_error_t err);

/* A residual block with symbolic weights, in the form of resjac/model.h:
   y = S x + F(x) (place none), S x + F(sigma(x)) (pre), sigma(S x + F(x))
   (post); F(u) = W2 act(W1 u + b1) + b2 (two_layer) or W1 u + b1; S = I, alpha I,
   P or 0 by skip.  Biases do not enter the Jacobian.  Owns W1, W2, P. */
typedef struct {
    rj_place_kind place;
    rj_skip_kind skip;
    int two_layer;
    rj_sym_t W1, W2, P;           /* W2 only when two_layer, P only for RJ_SKIP_PROJECT */
    fmpq_t alpha;                 /* RJ_SKIP_SCALED */
} rj_sym_block_struct;
typedef rj_sym_block_struct rj_sym_block_t[1];

/* A block with W1 = W2 = P = 0, identity skip, place none, one layer. */
void rj_sym_block_init(rj_sym_block_t b);
/* Free the elements of b; b may then be initialised again. */
void rj_sym_block_clear(rj_sym_block_t b);
/* b = c (a deep copy; b may be c). */
void rj_sym_block_set(rj_sym_block_t b, const rj_sym_block_t c);

/* The block's Jacobian by the chain rule, J = Sl + Rl with
     none: Sl = S,       Rl = JF
     pre:  Sl = S,       Rl = JF D_out
     post: Sl = D_out S, Rl = D_out JF,      JF = W2 D_in W1 (two_layer) or W1,
   D_in the symbol d_in and D_out the symbol d_out, or I where that is -1
   (an identity activation) [SY 4].  Any of J, Sl, Rl may be NULL. */
int rj_sym_block_jacobian(rj_sym_t J, rj_sym_t Sl, rj_sym_t Rl, const rj_sym_block_t b,
                          slong d_in, slong d_out, const rj_sym_limits *lim, rj_error_t err);

/* ---------------------------------------------------------------- sums in the depth L */

/* 3. Binomial sums in the depth L, for every L [SY 6] (src/symbolic/wz.c).
   Polynomials in L and k live in the context made by rj_wz_ctx_init: two
   variables, L (number 0) and k (number 1).  A problem is the summand
       F(L, k) = P(L, k) C(L, k)^m a^k beta^L C(2L, L)^e / Q(L):
   P in Q[L, k], Q a nonzero polynomial in L alone, a and beta nonzero
   rationals, 1 <= m and |e| at most RJ_WZ_MAX_POWER, C(L, k) = 0 outside
   0 <= k <= L.  RJ_ERR_INPUT when these do not hold, RJ_ERR_LIMIT when a
   degree of P or Q in L or k is above RJ_WZ_MAX_DEGREE or m, |e| above
   RJ_WZ_MAX_POWER (all checked before the work). */
#define RJ_WZ_MAX_DEGREE 12
#define RJ_WZ_MAX_POWER 4

/* One binomial sum: the summand P C(L, k)^m a^k beta^L C(2L, L)^e / Q, its
   fields owned by it (rj_wz_problem_init / rj_wz_problem_clear). */
typedef struct {
    fmpq_mpoly_t P, Q;         /* in the context of rj_wz_ctx_init */
    fmpq_t a, beta;
    slong m, e;
} rj_wz_problem_struct;
/* A problem passed by reference, in the FLINT style. */
typedef rj_wz_problem_struct rj_wz_problem_t[1];

/* ctx = the context of polynomials in L, k; clear with fmpq_mpoly_ctx_clear. */
void rj_wz_ctx_init(fmpq_mpoly_ctx_t ctx);
/* pb = the problem P = 0, Q = 1, a = beta = 1, m = 1, e = 0; the caller then
   sets the fields.  rj_wz_problem_clear frees it. */
void rj_wz_problem_init(rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx);
void rj_wz_problem_clear(rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx);

/* 1 when v is a WZ certificate of the problem: with hn / hd = ((4L + 2) /
   (L + 1))^e (= C(2L + 2, L + 1)^e / C(2L, L)^e) the polynomial identity (W)
       beta hn (L+1)^m P(L+1, k) Q(L) - hd (L+1-k)^m P(L, k) Q(L+1)
           = a (L+1-k)^m v(L, k+1) - k^m v(L, k)
   holds in Q[L, k] (checked by exact arithmetic), else 0.  With it, G(L, k) =
   C(L, k-1)^m a^k beta^L C(2L, L)^e v(L, k) / (Q(L) Q(L+1) hd(L)) satisfies
   F(L+1, k) - F(L, k) = G(L, k+1) - G(L, k) at every integer k, for every
   L >= 0 with Q(L) Q(L+1) != 0, and sum_k F(L, k) is the same for all such L
   [SY 6]. */
int rj_wz_verify(const fmpq_mpoly_t v, const rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx);

/* Look for a certificate v (degrees bounded by those of (W)'s left side) by
   undetermined coefficients; *found = 1 only when rj_wz_verify accepted it. */
int rj_wz_certificate(int *found, fmpq_mpoly_t v, const rj_wz_problem_t pb,
                      const fmpq_mpoly_ctx_t ctx, rj_error_t err);

/* *L1 = the smallest L1 >= L0 with Q(L) != 0 for every integer L >= L1 (one
   past the largest integer root, found by factoring Q over Z). */
int rj_wz_regular_from(slong *L1, const fmpq_mpoly_t Q, slong L0, const fmpq_mpoly_ctx_t ctx,
                       rj_error_t err);

/* s = sum_{k=0..L} F(L, k), term by term with exact rationals (RJ_ERR_DOMAIN
   when Q(L) = 0). */
int rj_wz_sum_eval(fmpq_t s, const rj_wz_problem_t pb, ulong L, const fmpq_mpoly_ctx_t ctx,
                   rj_error_t err);

/* The certificate R(L, k) = G / F = k^m v(L, k) / ((L+1-k)^m P(L, k) Q(L+1)
   hd(L)) as text in L and k (flint_malloc'd). */
char *rj_wz_certificate_str(const fmpq_mpoly_t v, const rj_wz_problem_t pb,
                            const fmpq_mpoly_ctx_t ctx);

/* A second method, independent of the certificate: c with sum_{k=0..L} p(k)
   C(L, k) = c(L) 2^L for every L >= 0, for a polynomial p, by writing p in
   falling factorials (Stirling numbers of the second kind) and sum_k
   k^(j falling) C(L, k) = L^(j falling) 2^(L - j).  c may alias nothing. */
void rj_wz_binomial_moment(fmpq_poly_t c, const fmpq_poly_t p);
/* ---------------------------------------------------------------- signs of polynomials
   (src/symbolic/norms.c; proofs/symbolic.md SY 5.3) */

/* An interval of the real line: lo < x (lo <= x when lo_closed) unless has_lo
   is 0 (unbounded below); likewise hi. */
typedef struct {
    fmpq_t lo, hi;
    int has_lo, has_hi, lo_closed, hi_closed;
} rj_sym_interval_struct;
typedef rj_sym_interval_struct rj_sym_interval_t[1];

/* R = the whole line (no ends). */
void rj_sym_interval_init(rj_sym_interval_t R);
/* Free the ends of R. */
void rj_sym_interval_clear(rj_sym_interval_t R);
/* 1 if x lies in R (closed ends included, open ends not), else 0. */
int rj_sym_interval_contains(const rj_sym_interval_t R, const fmpq_t x);

/* Degree limit of a polynomial whose sign is decided, checked first. */
#define RJ_SYM_MAX_POLY_DEGREE 512

/* The number of distinct real roots of p in R (0 for constants), by Sturm
   sequences over Q. */
slong rj_sym_poly_count_roots(const fmpq_poly_t p, const rj_sym_interval_t R);
/* *holds = 1 when p(x) >= 0 (strict: p(x) > 0) for every x in R, decided
   exactly; else *holds = 0 and, when *found, x is a point of R where it fails
   (p(x) < 0, strict: <= 0); found NULL: no such point is looked for.  RJ_ERR_LIMIT past RJ_SYM_MAX_POLY_DEGREE,
   RJ_ERR_INPUT for an empty R. */
int rj_sym_poly_nonneg(int *holds, fmpq_t x, int *found, const fmpq_poly_t p,
                       const rj_sym_interval_t R, int strict, rj_error_t err);

#ifdef __cplusplus
}
#endif

#endif
