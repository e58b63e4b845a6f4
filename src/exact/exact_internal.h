/* resjac: helpers shared by the files of src/exact (not installed, not
   exported: names start with _rj_). */
#ifndef RESJAC_EXACT_INTERNAL_H
#define RESJAC_EXACT_INTERNAL_H

#include <flint/fmpz.h>
#include <flint/fmpz_mat.h>

#include "resjac/exact.h"

/* Dyadic parts as integer matrices with power-of-two scales:
   S_l = S[l] / 2^eS[l] and R_l = R[l] / 2^eR[l], each exponent the least one
   that makes the matrix integral (the largest exponent of its denominators).
   A product of such matrices is the product of the integer matrices over 2 to
   the sum of the exponents, so every product and sum below is an fmpz_mat
   operation plus shifts; no gcd is taken until the end. */
typedef struct {
    slong len;
    fmpz_mat_struct *S;
    fmpz_mat_struct *R;
    slong *eS;
    slong *eR;
    int *S_one;        /* S_l is the identity (identity skip outside post): the
                          expansions skip the product with it */
} _rj_dyadic_struct;

/* Only for parts with rj_exact_parts_is_dyadic. */
void _rj_dyadic_init(_rj_dyadic_struct *d, const rj_exact_parts_t p);
void _rj_dyadic_clear(_rj_dyadic_struct *d);

/* Z / 2^e with Z an integer matrix: remove the largest power of two (at most
   2^e) that divides every entry, lowering e by as much; a zero Z gets e = 0.
   Z may be a window. */
void _rj_dyadic_normalise(fmpz_mat_t Z, slong *e);
/* A = Z / 2^e entry by entry, canonical (Z may be a window; A has Z's shape). */
void _rj_fmpq_mat_set_dyadic(fmpq_mat_t A, const fmpz_mat_t Z, slong e);
/* D += A * 2^s, entrywise (s >= 0; D and A may be windows of equal shape). */
void _rj_fmpz_mat_addmul_2exp(fmpz_mat_t D, const fmpz_mat_t A, slong s);

/* Width entering block l (l = len: the output width). */
slong _rj_parts_width(const rj_exact_parts_t p, slong l);

/* Check that parts hold a computed point with consistent shapes: S_l and R_l
   are n_{l+1} x n_l.  `what` names the caller in the message. */
int _rj_parts_check(const rj_exact_parts_t p, const char *what, rj_error_t err);
/* The same, and that the parts are dyadic (RJ_ERR_DOMAIN otherwise: the
   dyadic variants do not handle other rationals). */
int _rj_parts_check_dyadic(const rj_exact_parts_t p, const char *what, rj_error_t err);

/* Any rational parts with denominators cleared block by block: den[l] is the
   least common multiple of the denominators of S_l and R_l, and
   S[l] = den[l] S_l, R[l] = den[l] R_l are integer matrices.  S_l and R_l
   share the scale, so every path product, whichever part each block takes,
   is (the same product of the integer matrices) / (den[0] ... den[L-1]): sums
   of path products need no alignment, and a result is divided (and reduced)
   once at the end. */
typedef struct {
    slong len;
    fmpz_mat_struct *S;
    fmpz_mat_struct *R;
    fmpz *den;
    int *S_one;        /* S_l is the identity: S[l] = den[l] I, a scalar product */
} _rj_cleared_struct;

void _rj_cleared_init(_rj_cleared_struct *c, const rj_exact_parts_t p);
void _rj_cleared_clear(_rj_cleared_struct *c);
/* den[0] * ... * den[len-1]. */
void _rj_cleared_den(fmpz_t D, const _rj_cleared_struct *c);
/* C = S[l] B, using the scalar when S_l is the identity (C not aliased). */
void _rj_cleared_mul_S(fmpz_mat_t C, const _rj_cleared_struct *c, slong l,
                       const fmpz_mat_t B);

/* Reshape A to r x c if it has another shape (contents are then zero). */
void _rj_fmpq_mat_reshape(fmpq_mat_t A, slong r, slong c);

/* ---- layers of general blocks (layers.c) */

/* d = a'(z) on the side given (right: 1 at a kink; left: 0 for relu, the
   slope for leaky_relu). */
void _rj_exact_act_side(fmpq_t d, const rj_act_struct *a, int right);
/* Apply a entrywise to the column v in place; d (may be NULL) gets a'(v),
   the right side at a kink, where the tie (block, where, layer, unit) is
   appended to ties (may be NULL). */
void _rj_exact_act_vec(fmpq_mat_t v, fmpq_mat_t d, const rj_act_struct *a,
                       rj_ties_struct *ties, slong block, int where, slong layer);
/* y = L(u) for a layer the exact layer takes, with its record d (ACT: the
   derivative column; MAXPOOL: n_out x (3 + kh kw), per output the selected
   maximum (the first), the last, the count k, then the k maxima's input
   indices in window order; others 0x0)
   and its ties appended (block, branch layer `layer`).  y is reshaped. */
void _rj_exact_layer_forward(fmpq_mat_t y, fmpq_mat_t d, const rj_layer_struct *L,
                             const fmpq_mat_t u, rj_ties_struct *ties, slong block,
                             slong layer);
/* out = J_L M (L's Jacobian on its piece, from the record d) for M with
   rows = L's input size; out is reshaped, not aliased with M. */
void _rj_exact_layer_apply(fmpq_mat_t out, const rj_layer_struct *L, const fmpq_mat_t d,
                           const fmpq_mat_t M);
/* A maxpool record's output r selects its j-th maximum in window order
   (0 <= j < count). */
void _rj_exact_maxpool_select(fmpq_mat_t d, slong r, slong j);
/* The number of maxima of a maxpool record's output r. */
slong _rj_exact_maxpool_count(const fmpq_mat_t d, slong r);

#endif
