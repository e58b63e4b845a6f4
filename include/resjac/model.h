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

#include <stdio.h>
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

/* The activations a block can use. */
typedef enum {
    RJ_ACT_IDENTITY = 0,
    RJ_ACT_RELU,
    RJ_ACT_LEAKY_RELU, /* x for x > 0, a*x for x < 0; a in `slope` */
    RJ_ACT_TANH,
    RJ_ACT_SIGMOID
} rj_act_kind;

/* An activation with its parameter (exact). */
typedef struct {
    rj_act_kind kind;
    fmpq_t slope; /* leaky_relu only; 0 otherwise */
} rj_act_struct;
typedef rj_act_struct rj_act_t[1];

/* init: the identity; clear: frees the slope; set: a = b (b may be a). */
void rj_act_init(rj_act_t a);          /* identity */
void rj_act_clear(rj_act_t a);
void rj_act_set(rj_act_t a, const rj_act_t b);
/* Piecewise linear: identity, relu, leaky_relu (exact layer can take it). */
int rj_act_is_piecewise_linear(const rj_act_t a);
/* "relu", "leaky_relu(1/100)", ... written into buf. */
void rj_act_name(char *buf, int len, const rj_act_t a);

/* The skip part S of a block y = S u + F(u). */
typedef enum {
    RJ_SKIP_IDENTITY = 0,
    RJ_SKIP_PROJECT,  /* matrix Ws, n_out x n_in */
    RJ_SKIP_SCALED,   /* alpha * I */
    RJ_SKIP_NONE      /* plain layer: S = 0 */
} rj_skip_kind;

/* Where a block's outer activation sigma stands: none; PRE, y = S x + F(sigma(x))
   (pre-activation); POST, y = sigma(S x + F(x)) (post-activation). */
typedef enum {
    RJ_PLACE_NONE = 0,
    RJ_PLACE_PRE,
    RJ_PLACE_POST
} rj_place_kind;

/* One general block, with exact weights it owns: skip part S (identity,
   projection Ws, alpha I or none) plus branch F (one layer, or two around an
   inner activation), and the outer activation at its placement.
   rj_block_validate checks and completes the widths. */
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

/* Life cycle: init (below), clear frees every matrix and number, set makes b
   a deep copy of c (c may be b).  None of them fails. */
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
    ulong id[2];     /* running hash of the blocks appended, updated by
                        rj_net_append (rj_net_point_id) */
} rj_net_struct;
typedef rj_net_struct rj_net_t[1];

/* init: the empty network (no blocks).  clear: frees every block and name
   and leaves net empty.  set: net becomes a deep copy of src, with the same
   identity (src may be net).  None of them fails. */
void rj_net_init(rj_net_t net);
void rj_net_clear(rj_net_t net);
void rj_net_set(rj_net_t net, const rj_net_t src);
/* Append a copy of blk; name may be NULL. */
void rj_net_append(rj_net_t net, const rj_block_t blk, const char *name);
/* Append every block of src. */
void rj_net_append_net(rj_net_t net, const rj_net_t src);
/* Check that consecutive widths agree; on a mismatch name both blocks and
   both shapes.  Also checks RJ_MAX_DEPTH, that every block has passed
   rj_block_validate, and that the network has a block.

   Valid networks.  The model is the one place where shapes are checked: a
   network is valid when every block has passed rj_block_validate and the
   network rj_net_validate (the language's block(), net() and model files,
   and the tools, build networks only that way; rj_fast_net_get_net fills the
   widths of the float network it copies).  Every function of a layer
   (exact, precise, fast) that takes an rj_net_t requires a valid network and
   does not check its shapes again: W1, b1, W2, b2 and Ws fit each other,
   widths are at most RJ_MAX_WIDTH, consecutive widths chain, the depth is at
   most RJ_MAX_DEPTH, skip and placement kinds are known.  (The layers need
   no more of the language's rules: a network of no blocks, or a skip = none
   block that changes the width, computes as the formulas say.)  A layer
   checks only what depends on its own inputs and method: the point against
   the network (rj_net_check_point, one message for every layer), the
   activations it can take (domain), its precision and memory limits. */
int rj_net_validate(const rj_net_t net, rj_error_t err);
/* Check a point of rows x cols for net, before any work: it must be a column
   (cols = 1, rows >= 1), rows at most RJ_MAX_WIDTH (RJ_ERR_LIMIT), and rows
   the width block 1 takes (the columns of its W1; any width when net has no
   blocks).  The message names block 1 as rj_net_block_label does:
   "block 1 ('B') takes width 3 but the point has width 2".  Every layer
   checks its point with this function. */
int rj_net_check_point(const rj_net_t net, slong rows, slong cols, rj_error_t err);
/* The same check for a network held in another form (the fast layer's float
   networks): n_in is the width block 1 takes (n_in < 0: any width) and block1
   its label (rj_block_label). */
int rj_point_check(slong rows, slong cols, slong n_in, const char *block1, rj_error_t err);
/* The identity of (net, x), two words: equal networks (the same blocks; names
   do not count) at equal points have equal identities, and different ones
   differ unless 128-bit hashes collide.  The network's part is kept up to
   date by rj_net_append (so rj_net_set, rj_net_append_net and every
   builder of the language), which hashes each block once; here only x is
   hashed.  A network is changed only through these functions: writing into
   its blocks in place afterwards leaves a stale identity. */
void rj_net_point_id(ulong id[2], const rj_net_t net, const fmpq_mat_t x);
/* 1 if a and b have the same blocks (every weight, kind and activation; names
   do not count), else 0.  Different identities answer at once. */
int rj_net_equal(const rj_net_t a, const rj_net_t b);
slong rj_net_width_in(const rj_net_t net);
slong rj_net_width_out(const rj_net_t net);
slong rj_net_max_width(const rj_net_t net);
int rj_net_is_piecewise_linear(const rj_net_t net);
int rj_net_is_dyadic(const rj_net_t net);

/* Name of block l (0-based) for messages, as the tool counts (1-based):
   "block 3 ('name')", or "block 3" when name is NULL or empty; a block not
   (yet) placed in a network has l < 0: "block 'name'" or "block".  Every layer
   labels blocks with this one function.  buf has len bytes (truncated). */
void rj_block_label(char *buf, int len, slong l, const char *name);
/* rj_block_label of block l of net with its name. */
void rj_net_block_label(char *buf, int len, const rj_net_t net, slong l);

/* ------------------------------------------------------------ ties */

/* A tie: a piecewise-linear activation evaluated at its kink (relu, or
   leaky_relu with slope != 1, whose one-sided derivatives differ; identity
   and leaky_relu(1) have no kink and give no ties).  block is 0-based; where
   is 0 for the inner activation of a two-layer branch and 1 for the outer
   activation (RJ_PLACE_PRE: applied to the block's input; RJ_PLACE_POST:
   to S x + F(x)); unit is the 0-based entry of that activation's argument. */
typedef struct {
    slong block;
    int where;
    slong unit;
} rj_tie_struct;

/* The ties met at one point.  Order contract: every layer that reports ties
   appends them in the order the block forms above evaluate the activations,
     block by block from block 1 (the input side) to block L;
     within a block: the outer activation of a PRE block, then the inner
     activation of the branch, then the outer activation of a POST block;
     within one activation: units ascending.
   So "tie number i" names the same unit in every layer's list, and the exact
   layer's RJ_TIE_CHOICE bit i (resjac/exact.h) addresses tie number i.  The
   exact layer reports a tie where an argument is exactly 0; the precise layer
   where an enclosure contains 0 (a possible tie; in the passes that compute
   derivatives), so at one point the exact list is a subsequence of the
   precise one, in the same order.  Which side a
   layer takes at a tie never changes forward values, so the list does not
   depend on it. */
typedef struct {
    slong len, alloc;
    rj_tie_struct *ties;
} rj_ties_struct;
typedef rj_ties_struct rj_ties_t[1];

/* init: the empty list.  clear: frees it and leaves it empty. */
void rj_ties_init(rj_ties_t t);
void rj_ties_clear(rj_ties_t t);
/* Append one tie (in the order above; the caller walks the blocks in that
   order).  t may be NULL: nothing is recorded. */
void rj_ties_push(rj_ties_t t, slong block, int where, slong unit);

/* Open a file for reading (*f; the caller fcloses it) only when it is a
   regular file: a directory, device, FIFO or socket is refused with RJ_ERR_IO
   and a message at path naming `kind` ("a model or claim file"), and a FIFO
   is refused without waiting for a writer.  *f is NULL on failure. */
int rj_file_open_read(FILE **f, const char *path, const char *kind, rj_error_t err);

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
