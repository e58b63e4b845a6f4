/* resjac: the precise layer (MPFR).  Rigorous enclosures at any precision.
 *
 * Every function here returns enclosures: the true value lies in the returned
 * set, always (never "approximately").  The argument behind each bound is
 * written in proofs/precise-bounds.md; the code cites its sections as [PB n].
 *
 * Three representations:
 *   rj_itv_t   a real interval [lo, hi] (two MPFR numbers, lo <= hi);
 *   rj_imat_t  a midpoint-radius matrix: entry (i,j) is the set
 *              { mid_ij + e : |e| <= rad_ij }, mid at the working precision,
 *              rad a small-precision upper bound (RJ_RAD_PREC bits);
 *   rj_nmat_t  a normwise ball: { M*2^exp + E : ||E||_2 <= eps } with M an
 *              exact integer matrix (a common power-of-two scale) and one radius
 *              for the whole matrix.  Products of many factors keep the error
 *              small because the radius is propagated with norm bounds, not
 *              entrywise (the wrapping effect), and products are balanced trees
 *              [PB 4].
 *
 * Conventions (FLINT/Arb): outputs first, then inputs, then prec.  Unless a
 * function says otherwise, outputs may alias inputs.  prec is the precision in
 * bits of midpoints (RJ_PRECISE_PREC_MIN .. RJ_PRECISE_PREC_MAX); functions that
 * can fail return a status (resjac/error.h) and fill err.  The network
 * Jacobian order is the model's: J = J_L ... J_1 (block 1 rightmost). */
#ifndef RESJAC_PRECISE_H
#define RESJAC_PRECISE_H

#include <flint/flint.h>
#include <flint/fmpz_mat.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>
#include <mpfr.h>

#include "resjac/error.h"
#include "resjac/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The working precisions (bits) the layer accepts (rj_precise_check_prec). */
#define RJ_PRECISE_PREC_MIN 16
#define RJ_PRECISE_PREC_MAX 262144
#define RJ_RAD_PREC 30                 /* precision of radii and norm bounds */
#define RJ_PRECISE_GRADED_MAX_L 4096   /* graded expansion: O(L^2) products */
#define RJ_PRECISE_MAX_WIDTH 4096      /* widths of networks this layer takes */
#define RJ_PRECISE_CHAIN_MAX_L 64      /* up to this depth the entrywise interval
                                          chain is also run and intersected */

/* Check prec against [RJ_PRECISE_PREC_MIN, RJ_PRECISE_PREC_MAX]; RJ_ERR_LIMIT
   with a message naming the limit otherwise. */
int rj_precise_check_prec(slong prec, rj_error_t err);

/* Memory.  Every function below that takes a network or stored parts
   estimates its peak memory from the widths, the depth and the working
   precision before any work (an upper bound, calibrated in src/precise/net.c)
   and returns RJ_ERR_LIMIT when it is over RJ_MAX_BYTES (resjac/model.h), with
   a message naming the need, the limit and what lowers the need.  The
   functions returning void (rj_imat_*, rj_nmat_*, norms) trust their caller:
   a caller that builds its own matrices checks them here first.
   rj_imat_bytes is the storage of an r x c rj_imat_t at prec;
   rj_precise_check_memory checks `count` such matrices. */
double rj_imat_bytes(slong r, slong c, slong prec);
int rj_precise_check_memory(slong count, slong r, slong c, slong prec, rj_error_t err);

/* ------------------------------------------------------------ intervals */

/* A closed interval [lo, hi] of reals with MPFR endpoints; every operation
   rounds lo down and hi up, so the true value stays inside. */
typedef struct {
    mpfr_t lo, hi;
} rj_itv_struct;
typedef rj_itv_struct rj_itv_t[1];

/* Life cycle: init at prec bits, clear frees the endpoints; set copies y
   rounded outward to x's precision (y may be x); set_fmpq encloses q. */
void rj_itv_init(rj_itv_t x, slong prec);           /* [0, 0] */
void rj_itv_clear(rj_itv_t x);
void rj_itv_set(rj_itv_t x, const rj_itv_t y);      /* outward rounded to x's prec */
void rj_itv_set_fmpq(rj_itv_t x, const fmpq_t q);   /* [RNDD(q), RNDU(q)] */
/* [mid - rad, mid + rad] rounded outward. */
void rj_itv_set_mid_rad(rj_itv_t x, const mpfr_t mid, const mpfr_t rad);
/* mid (nearest) and an upper bound rad with [lo, hi] within [mid-rad, mid+rad]. */
void rj_itv_get_mid_rad(mpfr_t mid, mpfr_t rad, const rj_itv_t x);
int rj_itv_contains_fmpq(const rj_itv_t x, const fmpq_t q);
int rj_itv_contains_mpfr(const rj_itv_t x, const mpfr_t v);
int rj_itv_overlaps(const rj_itv_t x, const rj_itv_t y);
/* hi - lo rounded up (into w, any precision). */
void rj_itv_width(mpfr_t w, const rj_itv_t x);
/* 1 when both ends are finite (no NaN, no infinity). */
int rj_itv_is_finite(const rj_itv_t x);
/* Arithmetic at z's precision, each end rounded outward, so z contains
   x op y for every member of x and y.  rj_itv_div needs 0 outside y,
   rj_itv_pow_si (x^k) needs 0 outside x when k < 0 (the caller checks).
   z may alias x or y.  A result may have a NaN or infinite end (an
   exponent out of MPFR's range, inf - inf): see rj_itv_is_finite. */
void rj_itv_neg(rj_itv_t z, const rj_itv_t x);
void rj_itv_abs(rj_itv_t z, const rj_itv_t x);       /* {|t| : t in x} */
void rj_itv_add(rj_itv_t z, const rj_itv_t x, const rj_itv_t y);
void rj_itv_sub(rj_itv_t z, const rj_itv_t x, const rj_itv_t y);
void rj_itv_mul(rj_itv_t z, const rj_itv_t x, const rj_itv_t y);
void rj_itv_div(rj_itv_t z, const rj_itv_t x, const rj_itv_t y);
void rj_itv_pow_si(rj_itv_t z, const rj_itv_t x, slong k);

/* Enclosures of tanh and sigmoid and their derivatives over x, at y's
   precision (monotonicity and directed rounding [PB 2]). */
void rj_itv_tanh(rj_itv_t y, const rj_itv_t x);
void rj_itv_sigmoid(rj_itv_t y, const rj_itv_t x);
void rj_itv_tanh_deriv(rj_itv_t y, const rj_itv_t x);     /* 1 - tanh^2 */
void rj_itv_sigmoid_deriv(rj_itv_t y, const rj_itv_t x);  /* s (1 - s) */

/* The activation and its derivative over x: y contains act(t) and dy contains
   the (Clarke generalised) derivative at every t in x.  For relu/leaky_relu
   over an x containing 0 the derivative is the hull [0, 1] (or [a, 1]) and
   *tie is set to 1 (a possible tie), else 0; likewise elu(alpha), alpha != 1,
   whose derivative jumps from alpha to 1 at 0.  Every kind of the model:
   tanh, sigmoid [PB 2.1-2.2]; gelu (erf form), gelu_tanh and silu, which are
   not monotone, by monotone pieces certified from an enclosure of the next
   derivative and the mean-value form where they turn [PB 2.4-2.6]; softplus
   and elu [PB 2.7].  y or dy may be NULL; a non-finite x gives
   [-inf, +inf]. */
void rj_itv_act(rj_itv_t y, rj_itv_t dy, int *tie, const rj_act_t act,
                const rj_itv_t x);

/* ------------------------------------------------------------ midpoint-radius matrices */

/* An r x c matrix of midpoint-radius balls: entry (i, j) is
   [mid - rad, mid + rad], mid at prec bits, rad an upper bound at
   RJ_RAD_PREC bits.  The matrix owns its storage; rj_imat_mid, rj_imat_rad,
   rj_imat_nrows and rj_imat_ncols address an entry and the shape. */
typedef struct {
    slong r, c;
    slong prec;       /* precision of the midpoints */
    mpfr_ptr mid;     /* r*c entries, row major */
    mpfr_ptr rad;     /* r*c entries, RJ_RAD_PREC bits, >= 0 */
    mp_limb_t *limbs; /* storage of every entry (MPFR custom interface): entries
                         are never cleared, swapped out or re-precisioned */
} rj_imat_struct;
typedef rj_imat_struct rj_imat_t[1];

/* The midpoint and the radius of entry (i, j) (0-based; mpfr_ptr, no bounds
   check), and the shape. */
#define rj_imat_mid(A, i, j) ((A)->mid + (i) * (A)->c + (j))
#define rj_imat_rad(A, i, j) ((A)->rad + (i) * (A)->c + (j))
#define rj_imat_nrows(A) ((A)->r)
#define rj_imat_ncols(A) ((A)->c)

/* Life cycle: init an r x c exact zero at prec; clear frees the storage. */
void rj_imat_init(rj_imat_t A, slong r, slong c, slong prec);   /* zero, exact */
void rj_imat_clear(rj_imat_t A);
/* Change shape and precision; contents become exact zeros. */
void rj_imat_reshape(rj_imat_t A, slong r, slong c, slong prec);
void rj_imat_swap(rj_imat_t A, rj_imat_t B);        /* exchange, no copying */
void rj_imat_set(rj_imat_t A, const rj_imat_t B);   /* copy (shape and prec of B) */
void rj_imat_zero(rj_imat_t A);
void rj_imat_one(rj_imat_t A);                      /* identity (square or not) */
/* Round Q to prec; radius 0 wherever the entry is representable. */
void rj_imat_set_fmpq_mat(rj_imat_t A, const fmpq_mat_t Q, slong prec);
/* 1 if every entry of Q lies in the corresponding entry of A (exact test). */
int rj_imat_contains_fmpq_mat(const rj_imat_t A, const fmpq_mat_t Q);
/* 1 if every pair of entries overlaps. */
int rj_imat_overlaps(const rj_imat_t A, const rj_imat_t B);
/* Entry (i, j) as an interval. */
void rj_imat_get_itv(rj_itv_t x, const rj_imat_t A, slong i, slong j);
void rj_imat_set_itv(rj_imat_t A, slong i, slong j, const rj_itv_t x);
/* C = the entrywise intersection of two enclosures of the same matrix (rounded
   outward); returns 0 if some pair of entries is disjoint (C is then A). */
int rj_imat_intersect(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec);
/* Largest radius (rounded up). */
void rj_imat_rad_max(mpfr_t r, const rj_imat_t A);
void rj_imat_transpose(rj_imat_t C, const rj_imat_t A);
void rj_imat_add(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec);
void rj_imat_sub(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec);
void rj_imat_neg(rj_imat_t C, const rj_imat_t A);
/* Rump's product [PB 3]: the midpoint product computed exactly on integers
   (per-row and per-column power-of-two scales) and rounded to prec, the radius
   |mid A| rad B + rad A (|mid B| + rad B) plus every rounding error, bounded
   upward with one double-precision product of nonnegative matrices. */
void rj_imat_mul(rj_imat_t C, const rj_imat_t A, const rj_imat_t B, slong prec);
/* C = diag(d) A and C = A diag(d) with d a column-vector enclosure. */
void rj_imat_mul_diag_left(rj_imat_t C, const rj_imat_t d, const rj_imat_t A, slong prec);
void rj_imat_mul_diag_right(rj_imat_t C, const rj_imat_t A, const rj_imat_t d, slong prec);
/* C = x A for an interval scalar x. */
void rj_imat_scalar_mul_itv(rj_imat_t C, const rj_imat_t A, const rj_itv_t x, slong prec);

/* Decimal strings of a midpoint ("%.*Re" style, digits enough for prec) and a
   radius (rounded up, 6 significant digits); flint_free them. */
char *rj_mpfr_get_str_mid(const mpfr_t x);
char *rj_mpfr_get_str_rad(const mpfr_t x);

/* ------------------------------------------------------------ normwise balls */

/* A normwise ball: the matrices M 2^exp + E with ||E||_2 <= eps.  Products of
   these are exact integer products plus a norm bound (cheaper than entrywise
   radii for long products).  The ball owns m and eps. */
typedef struct {
    fmpz_mat_t m;     /* integer midpoint */
    slong exp;        /* value = m * 2^exp */
    mpfr_t eps;       /* ||E||_2 <= eps, RJ_RAD_PREC bits */
} rj_nmat_struct;
typedef rj_nmat_struct rj_nmat_t[1];

/* Life cycle: init an r x c exact zero; clear frees it; swap exchanges
   without copying; set copies B (shape included; B may be A); one makes A
   the exact identity of its own shape. */
void rj_nmat_init(rj_nmat_t A, slong r, slong c);     /* exact zero */
void rj_nmat_clear(rj_nmat_t A);
void rj_nmat_swap(rj_nmat_t A, rj_nmat_t B);
void rj_nmat_set(rj_nmat_t A, const rj_nmat_t B);
void rj_nmat_one(rj_nmat_t A);
/* Exact when every entry of Q is dyadic and fits in prec bits below the largest
   entry; otherwise rounded, with the error in eps. */
void rj_nmat_set_fmpq_mat(rj_nmat_t A, const fmpq_mat_t Q, slong prec);
/* Midpoints rounded to prec bits below the largest entry; eps >= ||rad||_2. */
void rj_nmat_set_imat(rj_nmat_t A, const rj_imat_t B, slong prec);
/* Entrywise enclosure: |E_ij| <= ||E||_2 <= eps [PB 1]. */
void rj_nmat_get_imat(rj_imat_t B, const rj_nmat_t A, slong prec);
void rj_nmat_transpose(rj_nmat_t C, const rj_nmat_t A);
/* Upper bound on ||M 2^exp||_2 (midpoint only): min(Frobenius, sqrt(||.||_1 ||.||_inf)). */
void rj_nmat_mid_norm2_upper(mpfr_t u, const rj_nmat_t A);
/* Exact integer product, rounded to prec bits below the largest entry;
   eps_C = |A| eps_B + eps_A |B| + eps_A eps_B + rounding [PB 4].
   C may not alias A or B. */
void rj_nmat_mul(rj_nmat_t C, const rj_nmat_t A, const rj_nmat_t B, slong prec);
void rj_nmat_add(rj_nmat_t C, const rj_nmat_t A, const rj_nmat_t B, slong prec);
/* F[n-1] ... F[1] F[0] as a balanced product tree (log2 n stack of partial
   products) [PB 4].  n >= 1; F is not modified. */
void rj_nmat_prod(rj_nmat_t P, const rj_nmat_struct *F, slong n, slong prec);
/* ||E||_2 / ||M||_2 bound from above (+inf when M is zero). */
void rj_nmat_rel_rad(mpfr_t r, const rj_nmat_t A);

/* Streaming product: push factors in order F_1, F_2, ... and get F_n ... F_1
   with the same balanced tree as rj_nmat_prod, in O(log n) memory. */
typedef struct {
    slong len, alloc;
    rj_nmat_struct *stack;
    slong *count;
    slong prec;
} rj_nmat_prod_struct;
typedef rj_nmat_prod_struct rj_nmat_prod_t[1];

/* init: an empty product whose partial products are rounded to prec bits;
   clear frees every partial product. */
void rj_nmat_prod_init(rj_nmat_prod_t s, slong prec);
void rj_nmat_prod_clear(rj_nmat_prod_t s);
void rj_nmat_prod_push(rj_nmat_prod_t s, const rj_nmat_t F);     /* copies F */
/* The product so far (identity of size n when nothing was pushed). */
void rj_nmat_prod_finish(rj_nmat_t P, rj_nmat_prod_t s, slong n);

/* ------------------------------------------------------------ norms [PB 5, 6] */

/* Enclosures [lo, hi] of the Frobenius, 1 and infinity norms. */
void rj_imat_norm_frob(rj_itv_t n, const rj_imat_t A);
void rj_imat_norm_1(rj_itv_t n, const rj_imat_t A);
void rj_imat_norm_inf(rj_itv_t n, const rj_imat_t A);
/* Upper bound u >= ||B||_2 for every B in A: a double-precision power
   iteration certified by a Rayleigh-quotient/Gershgorin bound on the
   Gram matrix, never worse than min(||.||_F, sqrt(||.||_1 ||.||_inf)) [PB 5]. */
void rj_imat_norm2_upper(mpfr_t u, const rj_imat_t A);
/* Lower bound l <= sigma_min(B) for every B in A (square): an approximate
   inverse X with ||I - X B||_2 <= d < 1 gives sigma_min(B) >= (1 - d)/||X||_2
   [PB 6].  l = 0 when nothing can be certified (returns 0 then, 1 otherwise). */
int rj_imat_sigma_min_lower(mpfr_t l, const rj_imat_t A);
/* Lower bound l <= ||B||_2 for every B in A (||B v|| / ||v|| for the proposed
   top singular vector v, [PB 5.3]). */
void rj_imat_norm2_lower(mpfr_t l, const rj_imat_t A);
/* Upper bound u >= sigma_min(B) for every B in A (||B v|| / ||v|| for the
   proposed smallest singular vector, [PB 5.3]).  sigma_min of an r x c matrix
   is its min(r, c)-th singular value.
   The spectral bounds are certified at 64 bits from a double-precision SVD:
   they are tight to about 1e-14 relative whatever prec is (escalating the
   precision does not sharpen them further). */
void rj_imat_sigma_min_upper(mpfr_t u, const rj_imat_t A);

/* ------------------------------------------------------------ networks */

/* Per-block enclosures of forward values and Jacobian parts. */
typedef struct {
    slong len;
    slong prec;
    rj_imat_struct *h;    /* h[0] = x ... h[len]: column vectors */
    rj_imat_struct *S;    /* S_l enclosures, l = 0 .. len-1 */
    rj_imat_struct *R;    /* R_l enclosures */
    rj_ties_t ties;       /* possible ReLU ties met (order: rj_ties_t, model.h) */
} rj_precise_parts_struct;
typedef rj_precise_parts_struct rj_precise_parts_t[1];

/* init: empty parts (len 0, nothing allocated).  clear: frees every
   enclosure and the ties and leaves p empty, ready to be filled again. */
void rj_precise_parts_init(rj_precise_parts_t p);
void rj_precise_parts_clear(rj_precise_parts_t p);

/* One block at an input enclosure: output y, parts S and R (any may be NULL),
   possible ties appended to ties (may be NULL) with block index `index`.
   Both block forms: the shorthand (W1, act, W2) and a general block's layer
   sequences (every layer kind of resjac/model.h [PB 9]; a max pool window
   whose largest entries' enclosures overlap is a possible tie, reported with
   its branch layer and output unit, its Jacobian row the hull of the
   choices).
   blk must be a validated block (rj_block_validate, resjac/model.h): its
   shapes are not checked again.  Checked here: x against the width the block
   takes (rj_point_check, the message every layer gives) and the activations
   (RJ_ERR_INPUT for a kind this layer does not know, or softplus/elu with a
   parameter <= 0). */
int rj_precise_block(rj_imat_t y, rj_imat_t S, rj_imat_t R, rj_ties_t ties,
                     const rj_block_t blk, slong index, const rj_imat_t x,
                     slong prec, rj_error_t err);

/* Forward pass and S_l, R_l for every block at an enclosure x (an exact x has
   radius 0).  The forward pass runs at a raised working precision chosen from
   the weights so that the enclosures of h_l keep about prec bits [PB 7]. */
int rj_precise_parts(rj_precise_parts_t parts, const rj_net_t net, const rj_imat_t x,
                     slong prec, rj_error_t err);
int rj_precise_parts_fmpq(rj_precise_parts_t parts, const rj_net_t net,
                          const fmpq_mat_t x, slong prec, rj_error_t err);

/* The network output at x (forward pass only). */
int rj_precise_forward(rj_imat_t y, const rj_net_t net, const rj_imat_t x,
                       slong prec, rj_error_t err);
int rj_precise_forward_fmpq(rj_imat_t y, const rj_net_t net, const fmpq_mat_t x,
                            slong prec, rj_error_t err);

/* The network Jacobian J_L ... J_1 at x, streamed block by block into a
   balanced product (memory O(width^2 log L), parts are not stored).  Possible
   ties are appended to ties (may be NULL); at a possible tie the enclosure
   holds the Jacobian for every choice of the derivative in [0, 1]. */
int rj_precise_jacobian(rj_imat_t J, rj_ties_t ties, const rj_net_t net,
                        const rj_imat_t x, slong prec, rj_error_t err);
int rj_precise_jacobian_fmpq(rj_imat_t J, rj_ties_t ties, const rj_net_t net,
                             const fmpq_mat_t x, slong prec, rj_error_t err);
/* Jacobian-vector products: y = net(x) (y may be NULL) and JV = J(x) V =
   J_L ... J_1 V for V an enclosure of N directions (x's width x N, N >= 1),
   carried block by block: for networks of general blocks (layer sequences)
   memory is O(width N) and widths up to RJ_MAX_WIDTH are taken (a CIFAR-size
   16 x 32 x 32 block), where the parts and the Jacobian hold width x width
   matrices and stop at RJ_PRECISE_MAX_WIDTH; a shorthand block forms its
   parts.  Possible ties are appended to ties (may be NULL), as
   rj_precise_jacobian does; at a possible tie JV holds J V for every choice. */
int rj_precise_jvp(rj_imat_t y, rj_imat_t JV, rj_ties_t ties, const rj_net_t net,
                   const rj_imat_t x, const rj_imat_t V, slong prec, rj_error_t err);
/* Products from stored parts. */
int rj_precise_expand_direct(rj_imat_t P, const rj_precise_parts_t parts, slong prec,
                             rj_error_t err);
/* G_0..G_L (L + 1 initialised matrices, reshaped here), G_k = the sum of path
   products with |T| = k; O(L^2) products, L <= RJ_PRECISE_GRADED_MAX_L. */
int rj_precise_expand_graded(rj_imat_struct *G, const rj_precise_parts_t parts,
                             slong prec, rj_error_t err);
/* The input gradient dL/dh_0 = J^T g for g = dL/dh_L (column vector of the
   output width): vector work only, J_l^T v block by block from the output. */
int rj_precise_grad(rj_imat_t v, const rj_precise_parts_t parts, const rj_imat_t g,
                    slong prec, rj_error_t err);
/* Same without stored parts: one forward pass keeps only the h_l, then each
   block's parts are recomputed on the way back (memory O(L width)). */
int rj_precise_grad_net(rj_imat_t v, const rj_net_t net, const rj_imat_t x,
                        const rj_imat_t g, slong prec, rj_error_t err);

/* ------------------------------------------------------------ a network converted once */

/* A valid network with the weights of every block converted once to
   enclosures (rj_imat_set_fmpq_mat) at the working precision wp of the
   forward pass for a precision prec [PB 7].  The rj_precise_net_* passes
   take it and convert nothing, so passes at one precision (the points of a
   family, a forward pass and a Jacobian) share one conversion.  It points to
   net (no copy): net must outlive it and stay unchanged.  The functions above
   that take an rj_net_t and prec compute the same enclosures, bit for bit,
   converting each block when the pass reaches it (so the Jacobian keeps
   memory O(width^2 log L); a converted network holds every block's weights). */
typedef struct {
    const rj_net_struct *net;     /* NULL: nothing set */
    slong prec;                   /* precision of the results */
    slong wp;                     /* working precision of the weights and of h_l */
    slong mats;                   /* storage of the weights, in width x width
                                     rj_imat_t at wp (counted by the memory checks) */
    struct rjp_wblock_s *blocks;  /* net->len converted blocks (internal);
                                     NULL: each converted when a pass reaches it */
} rj_precise_net_struct;
typedef rj_precise_net_struct rj_precise_net_t[1];

/* init: no network set.  clear: frees the converted blocks (never the
   network pn points to) and leaves pn with no network. */
void rj_precise_net_init(rj_precise_net_t pn);
void rj_precise_net_clear(rj_precise_net_t pn);
/* Convert every block of net (a valid network) for precision prec.  Checks
   prec, RJ_PRECISE_MAX_WIDTH and the memory of the weights with a pass
   (RJ_MAX_BYTES) before converting; on failure pn holds no network. */
int rj_precise_net_set(rj_precise_net_t pn, const rj_net_t net, slong prec, rj_error_t err);
/* rj_precise_forward, rj_precise_parts, rj_precise_jacobian and
   rj_precise_grad_net at pn->prec from the converted weights (x an enclosure
   of the point, e.g. an exact point converted at pn->wp). */
int rj_precise_net_forward(rj_imat_t y, const rj_precise_net_t pn, const rj_imat_t x,
                           rj_error_t err);
int rj_precise_net_parts(rj_precise_parts_t parts, const rj_precise_net_t pn,
                         const rj_imat_t x, rj_error_t err);
int rj_precise_net_jacobian(rj_imat_t J, rj_ties_t ties, const rj_precise_net_t pn,
                            const rj_imat_t x, rj_error_t err);
int rj_precise_net_grad(rj_imat_t v, const rj_precise_net_t pn, const rj_imat_t x,
                        const rj_imat_t g, rj_error_t err);
int rj_precise_net_jvp(rj_imat_t y, rj_imat_t JV, rj_ties_t ties, const rj_precise_net_t pn,
                       const rj_imat_t x, const rj_imat_t V, rj_error_t err);

/* ------------------------------------------------------------ deciding with escalation */

/* A quantity enclosed at a precision: fill `out` with an enclosure at prec.
   Returns a status. */
typedef int (*rj_precise_encl_fn)(rj_itv_t out, void *ctx, slong prec, rj_error_t err);

/* The most precisions one decision tries. */
#define RJ_PRECISE_MAX_TRIES 24

/* The escalation rule [PB 8], the one every decision with escalation follows
   (rj_precise_decide_* here, the claim checker's comparisons): after a try at
   precision prec that left the comparison undecided, whose widest undecided
   enclosure had width about 2^w (w = -inf for a point, +inf when it is not
   finite), while the try before had 2^w_prev (+inf before the second try),
   the next precision to try, or 0 to stop and answer UNDECIDED.  It is 2 prec
   while 2 prec <= max_prec and the width shrank by at least
   RJ_PRECISE_ESCALATE_MIN_BITS bits since the try before: a bound whose width
   does not follow the precision (the spectral bounds are certified from a
   double-precision SVD) is not decided by more bits.  The rule only chooses
   how long to try: every enclosure is valid at every precision, so it never
   affects a verdict's soundness, only how often a comparison is decided. */
#define RJ_PRECISE_ESCALATE_MIN_BITS 8
slong rj_precise_next_prec(slong prec, slong max_prec, double w_prev, double w);

/* What a decision tried: each precision and the width of the enclosure it
   gave, for evidence and messages. */
typedef struct {
    slong tries;                          /* precisions tried */
    slong prec[RJ_PRECISE_MAX_TRIES];
    double width_log2[RJ_PRECISE_MAX_TRIES];  /* log2 of the enclosure width (-inf: 0) */
} rj_precise_report;

/* Decide  value <= bound  (bound exact): 1 proved (hi <= bound), 0 refuted
   (lo > bound), -1 undecided after trying prec, 2 prec, 4 prec, ... up to
   max_prec.  Returns -2 on an error (err filled).  report may be NULL. */
int rj_precise_decide_le(rj_precise_encl_fn f, void *ctx, const fmpq_t bound,
                         slong prec, slong max_prec, rj_precise_report *report,
                         rj_error_t err);
/* value >= bound, and value < bound (strict) likewise. */
int rj_precise_decide_ge(rj_precise_encl_fn f, void *ctx, const fmpq_t bound,
                         slong prec, slong max_prec, rj_precise_report *report,
                         rj_error_t err);
int rj_precise_decide_lt(rj_precise_encl_fn f, void *ctx, const fmpq_t bound,
                         slong prec, slong max_prec, rj_precise_report *report,
                         rj_error_t err);
/* Ready-made quantities for rj_precise_decide_*: ctx points to an
   rj_precise_ctx (a network, an exact point, and for the gradient an exact
   dL/dh_L).  Each fills out with an enclosure at prec. */
typedef struct {
    const rj_net_struct *net;
    const fmpq_mat_struct *x;
    const fmpq_mat_struct *g;     /* rj_precise_encl_grad_norm only */
    slong row, col;               /* rj_precise_encl_jacobian_entry only (0-based) */
} rj_precise_ctx;

/* Enclosures at prec, from the Jacobian J of ctx's network at ctx's point:
   norm2 the spectral norm ||J||_2 (between its certified lower and upper
   bounds), sigma_min the smallest singular value, norm_frob the Frobenius
   norm, grad_norm ||J^T g||_2 (RJ_ERR_INPUT when ctx->g is NULL),
   jacobian_entry the entry (row, col) (RJ_ERR_INPUT when outside J).  Errors
   of the Jacobian's pass (limits, precision) are returned as they are. */
int rj_precise_encl_norm2(rj_itv_t out, void *ctx, slong prec, rj_error_t err);
int rj_precise_encl_sigma_min(rj_itv_t out, void *ctx, slong prec, rj_error_t err);
int rj_precise_encl_norm_frob(rj_itv_t out, void *ctx, slong prec, rj_error_t err);
int rj_precise_encl_grad_norm(rj_itv_t out, void *ctx, slong prec, rj_error_t err);
int rj_precise_encl_jacobian_entry(rj_itv_t out, void *ctx, slong prec, rj_error_t err);

/* Compare an enclosure with a rational: -1 (hi < q), 1 (lo > q), 0 otherwise
   (q inside: undecided unless the interval is the point q, then 2). */
int rj_itv_cmp_fmpq(const rj_itv_t x, const fmpq_t q);

#ifdef __cplusplus
}
#endif

#endif
