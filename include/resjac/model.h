/* resjac: the network model shared by every layer.
 *
 * One general block form carries every kind of residual block.  With input x
 * (n_in) and output y (n_out), a block has
 *   - a skip part S: identity (n_out = n_in), a projection matrix W_s (n_out x n_in),
 *     a scaled identity alpha*I, or none (a plain layer, S = 0);
 *   - a branch F(u) = W2 * act(W1*u + b1) + b2   (two layers), or
 *                F(u) = W1*u + b1                 (one layer: W2 absent);
 *     biases are optional;
 *   - a placement of the outer activation sigma (`outer`):
 *       RJ_PLACE_NONE: y = S x + F(x)
 *       RJ_PLACE_PRE:  y = S x + F(sigma(x))
 *       RJ_PLACE_POST: y = sigma(S x + F(x)).
 * Its Jacobian splits as J = S_l + R_l (the skip part and the branch part):
 *       NONE: S_l = S,            R_l = J_F(x)
 *       PRE:  S_l = S,            R_l = J_F(sigma(x)) * diag(sigma'(x))
 *       POST: S_l = D * S,        R_l = D * J_F(x),   D = diag(sigma'(S x + F(x)))
 * and a "path" through a network is a choice of S_l or R_l in every block.
 *
 * All weights are exact rationals (fmpq); float64/float32 imports are dyadic
 * rationals, converted exactly.  The precise and fast layers convert from here. */
#ifndef RESJAC_MODEL_H
#define RESJAC_MODEL_H

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>

#include "resjac/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hard limits, checked before any work starts. */
#define RJ_MAX_WIDTH 65536
#define RJ_MAX_DEPTH 1000000
/* Most matrix entries one value may hold: a single matrix, or all the weights
   of a network (W1, b1, W2, b2, Ws over its blocks); bounds memory. */
#define RJ_MAX_ENTRIES (1L << 25)
/* Memory limit of one computation, in bytes: the workspace of a fast pass, the
   matrices of a precise (MPFR) pass.  Each layer estimates what it needs from
   the shapes and the precision and returns RJ_ERR_LIMIT before allocating
   when the estimate is over; this is the one place to raise it. */
#define RJ_MAX_BYTES (((size_t) 8) << 30)

typedef enum {
    RJ_ACT_IDENTITY = 0,
    RJ_ACT_RELU,
    RJ_ACT_LEAKY_RELU, /* x for x > 0, a*x for x < 0; a in `slope` */
    RJ_ACT_TANH,
    RJ_ACT_SIGMOID
} rj_act_kind;

typedef struct {
    rj_act_kind kind;
    fmpq_t slope; /* leaky_relu only; 0 otherwise */
} rj_act_struct;
typedef rj_act_struct rj_act_t[1];

void rj_act_init(rj_act_t a);          /* identity */
void rj_act_clear(rj_act_t a);
void rj_act_set(rj_act_t a, const rj_act_t b);
/* Piecewise linear: identity, relu, leaky_relu (exact layer can take it). */
int rj_act_is_piecewise_linear(const rj_act_t a);
/* "relu", "leaky_relu(1/100)", ... written into buf. */
void rj_act_name(char *buf, int len, const rj_act_t a);

typedef enum {
    RJ_SKIP_IDENTITY = 0,
    RJ_SKIP_PROJECT,  /* matrix Ws, n_out x n_in */
    RJ_SKIP_SCALED,   /* alpha * I */
    RJ_SKIP_NONE      /* plain layer: S = 0 */
} rj_skip_kind;

typedef enum {
    RJ_PLACE_NONE = 0,
    RJ_PLACE_PRE,
    RJ_PLACE_POST
} rj_place_kind;

typedef struct {
    slong n_in, n_hidden, n_out;  /* n_hidden = rows of W1 when two_layer, else 0 */
    rj_skip_kind skip;
    fmpq_mat_t Ws;                /* RJ_SKIP_PROJECT: n_out x n_in; else 0x0 */
    fmpq_t alpha;                 /* RJ_SKIP_SCALED; else 1 */
    int two_layer;                /* 1: F = W2 act(W1 u + b1) + b2; 0: F = W1 u + b1 */
    fmpq_mat_t W1;                /* n_hidden x n_in (two_layer) or n_out x n_in */
    fmpq_mat_t b1;                /* column vector, or 0x0 when absent */
    fmpq_mat_t W2;                /* n_out x n_hidden when two_layer; else 0x0 */
    fmpq_mat_t b2;                /* column vector, or 0x0 when absent */
    rj_act_t act;                 /* inner activation of a two-layer branch */
    rj_place_kind place;
    rj_act_t outer;               /* sigma for PRE/POST placements */
} rj_block_struct;
typedef rj_block_struct rj_block_t[1];

void rj_block_init(rj_block_t b);   /* empty: 0x0, identity skip, one layer,
                                       act = outer = relu (the language's defaults) */
void rj_block_clear(rj_block_t b);
void rj_block_set(rj_block_t b, const rj_block_t c);
/* Check every shape (W1, b1, W2, b2, Ws against n_in/n_out) and fill n_in,
   n_hidden, n_out from W1/W2.  On a mismatch fill err with a message naming
   `name` (the block's name, may be NULL) and both shapes; returns a status. */
int rj_block_validate(rj_block_t b, const char *name, rj_error_t err);
/* 1 if every activation used by the block is piecewise linear. */
int rj_block_is_piecewise_linear(const rj_block_t b);
/* 1 if every weight (and alpha, slopes) is a dyadic rational p/2^k. */
int rj_block_is_dyadic(const rj_block_t b);

/* A network: blocks applied in order, h_l = block_l(h_{l-1}), h_0 = x. */
typedef struct {
    slong len;
    slong alloc;
    rj_block_struct *blocks;
    char **names;    /* per block name for messages (owned, may be NULL entries) */
} rj_net_struct;
typedef rj_net_struct rj_net_t[1];

void rj_net_init(rj_net_t net);
void rj_net_clear(rj_net_t net);
void rj_net_set(rj_net_t net, const rj_net_t src);
/* Append a copy of blk; name may be NULL. */
void rj_net_append(rj_net_t net, const rj_block_t blk, const char *name);
/* Append every block of src. */
void rj_net_append_net(rj_net_t net, const rj_net_t src);
/* Check that consecutive widths agree; on a mismatch name both blocks and
   both shapes.  Also checks RJ_MAX_DEPTH. */
int rj_net_validate(const rj_net_t net, rj_error_t err);
slong rj_net_width_in(const rj_net_t net);
slong rj_net_width_out(const rj_net_t net);
slong rj_net_max_width(const rj_net_t net);
int rj_net_is_piecewise_linear(const rj_net_t net);
int rj_net_is_dyadic(const rj_net_t net);

/* .npy import: a float64 ('<f8') or float32 ('<f4') C-order array of 1 or 2
   dimensions (1-d becomes a column vector) read into an exact fmpq matrix,
   each float converted exactly to its dyadic rational.  Rejects other dtypes,
   Fortran order, truncated files, NaN and Inf with a message naming the file
   (and for NaN/Inf the flat index).  out is left unchanged on failure. */
int rj_npy_load(fmpq_mat_t out, const char *path, rj_error_t err);

/* Write a float64 .npy (used by tests and tools); values rounded to nearest. */
int rj_npy_save_d(const char *path, const double *data, slong rows, slong cols,
                  rj_error_t err);

/* Exact conversion of one double (finite) to a rational. */
void rj_fmpq_set_d_exact(fmpq_t q, double d);

#ifdef __cplusplus
}
#endif

#endif
