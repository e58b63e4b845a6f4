/* resjac precise layer: helpers shared by the files of src/precise (not exported). */
#ifndef RESJAC_PRECISE_INTERNAL_H
#define RESJAC_PRECISE_INTERNAL_H

#include <mpfr.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>

#include "resjac/precise.h"

/* rad += 2^(EXP(mid) - PREC(mid)), an upper bound on the error of a
   round-to-nearest result `mid` whose ternary value is `inexact` [PB 1]. */
void _rjp_rad_add_ulp(mpfr_t rad, const mpfr_t mid, int inexact);

/* q = x exactly (x finite). */
void _rjp_fmpq_set_mpfr(fmpq_t q, const mpfr_t x);

/* An upper bound on the product X Y of nonnegative matrices (row major, X is
   r x m, Y is m x c, entries given as MPFR numbers >= 0), added to C (r x c,
   RJ_RAD_PREC) rounding upward: one double-precision gemm on scaled data,
   enlarged by Higham's gamma_m [PB 3].  X, Y are arrays of pointers to allow
   strided views: X[i*m + k], Y[k*c + j]. */
void _rjp_nonneg_mul_add_upper(mpfr_ptr C, mpfr_srcptr const *X, mpfr_srcptr const *Y,
                              slong r, slong m, slong c);

/* Scalar midpoint-radius operations (rad at RJ_RAD_PREC, rounded up). */
void _rjp_mr_mul(mpfr_t zm, mpfr_t zr, const mpfr_t xm, const mpfr_t xr,
                const mpfr_t ym, const mpfr_t yr);
void _rjp_mr_add(mpfr_t zm, mpfr_t zr, const mpfr_t xm, const mpfr_t xr,
                const mpfr_t ym, const mpfr_t yr);

void _rjp_rad_init(mpfr_t r);    /* RJ_RAD_PREC bits, 0 */

/* A temporary of RJ_RAD_PREC bits on the stack (MPFR's custom interface: no
   allocation).  Never mpfr_clear it, never mpfr_swap it with another number. */
#define RJP_RAD_TMP(x) \
    mp_limb_t x##_limbs[(RJ_RAD_PREC + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS]; \
    mpfr_t x; \
    mpfr_custom_init(x##_limbs, RJ_RAD_PREC); \
    mpfr_custom_init_set(x, MPFR_ZERO_KIND, 0, RJ_RAD_PREC, x##_limbs)

/* z = round(x 2^shift) to the nearest integer (x finite); returns 1 if that
   lost bits (error at most 1/2), 0 if exact.  tmp is scratch. */
int _rjp_get_fmpz_scaled(fmpz_t z, mpfr_srcptr x, slong shift, mpz_t tmp);

/* Guard bits for a balanced product of n factors. */
slong _rjp_prod_guard(slong n);

/* Double-precision one-sided Jacobi SVD of a (r x c, r >= c, row major,
   overwritten with W = A V whose columns are nearly orthogonal); V (c x c)
   receives the right singular vectors.  Plain floating point: every use is
   certified afterwards. */
void _rjp_jacobi_svd_d(double *a, double *v, slong r, slong c);

/* z = [f(lo) rounded down, f(hi) rounded up] for an increasing f with
   MPFR's signature (correctly rounded): an enclosure of f over x [PB 2.1]. */
void _rjp_itv_increasing(rj_itv_t z, const rj_itv_t x,
                         int (*f)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t));

/* rj_itv_act for gelu, gelu_tanh, silu, softplus and elu (smooth.c,
   [PB 2.4 - 2.7]): returns 1 when act is one of them (y, dy filled as
   rj_itv_act says; *tie = 1 for elu with alpha != 1 over an x containing 0,
   its kink), else 0 (nothing done). */
int _rjp_itv_act_smooth(rj_itv_t y, rj_itv_t dy, int *tie, const rj_act_t act,
                        const rj_itv_t x);

/* One layer of a general block converted at one precision: W, b (dense,
   conv2d); s, t (affine: scale, shift; batchnorm: y = s u + t per channel
   with s = gamma / sqrt(var + eps), t = beta - mean s enclosed; layernorm:
   gamma, beta per entry); 0x0 where unused.  L points to the layer. */
typedef struct {
    const rj_layer_struct *L;
    rj_imat_t W, b, s, t;
} rjp_wlayer_struct;

/* The weights of one validated block converted to enclosures at one precision
   (rj_imat_set_fmpq_mat): W1, W2, Ws, b1, b2 (0x0 where the block has none),
   alpha as a 1x1 enclosure (the diagonal of a scaled skip's S) and as an
   interval (its product with x); a general block's layers in branch and proj
   (NULL for a shorthand block).  blk points to the block (not owned). */
typedef struct rjp_wblock_s {
    const rj_block_struct *blk;
    rj_imat_t W1, W2, Ws, b1, b2, alpha;
    rj_itv_t alpha_itv;
    rjp_wlayer_struct *branch, *proj;
} rjp_wblock_struct;
typedef rjp_wblock_struct rjp_wblock_t[1];

void _rjp_wblock_init(rjp_wblock_t w, slong prec);
void _rjp_wblock_clear(rjp_wblock_t w);
void _rjp_wblock_set(rjp_wblock_t w, const rj_block_t blk, slong prec);
/* rj_precise_block from converted weights (w converted at prec). */
int _rjp_wblock_eval(rj_imat_t y, rj_imat_t S, rj_imat_t R, rj_ties_t ties,
                     const rjp_wblock_t w, slong index, const rj_imat_t x, slong prec,
                     rj_error_t err);

/* y = the block at x and JV = J(x) V (V: n_in x N enclosures of directions),
   ties of the derivative pass appended (block.c).  A general block carries V
   through its layers (memory O(width N)); a shorthand block forms S, R. */
int _rjp_wblock_jvp(rj_imat_t y, rj_imat_t JV, rj_ties_t ties, const rjp_wblock_t w,
                    slong index, const rj_imat_t x, const rj_imat_t V, slong prec,
                    rj_error_t err);

/* Activation entrywise on the column u (in place); d (may be NULL) gets the
   column of derivative enclosures; each possible tie is reported (ties may
   be NULL) with `where` and `layer` as rj_ties_push_layer takes them. */
void _rjp_act_column(rj_imat_t u, rj_imat_t d, const rj_act_struct *act,
                     rj_ties_struct *ties, slong block, int where, slong layer, slong prec);

/* layers.c: the layers of a general block (w->blk) converted at prec, and
   freed. */
void _rjp_wblock_set_general(rjp_wblock_t w, slong prec);
void _rjp_wblock_clear_general(rjp_wblock_t w);
/* A general block at x (checked by the caller): y, and S, R the skip and
   branch parts of J V (V NULL: the identity, so S, R are the parts S_l, R_l);
   any of y, S, R may be NULL; ties as the model orders them [PB 9]. */
void _rjp_general_eval(rj_imat_t y, rj_imat_t S, rj_imat_t R, rj_ties_t ties,
                       const rjp_wblock_t w, slong index, const rj_imat_t x,
                       const rj_imat_t V, slong prec);

#endif
