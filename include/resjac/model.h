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

#include <stdint.h>

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
/* Memory limit of a run, in bytes: the workspace of a fast pass, the matrices
   of a precise (MPFR) pass, and -- once rj_memory_track is on -- everything
   FLINT, GMP and MPFR hold at once (numbers, matrices, the values bound in an
   environment).  Each layer estimates what it needs from the shapes and the
   precision and returns RJ_ERR_LIMIT before allocating when the estimate is
   over.  This is the one place the limit lives: rj_max_bytes() is the value
   set by rj_set_max_bytes, else RJ_MAX_BYTES_DEFAULT (the library reads
   nothing from the machine or the environment by itself; the tool sets
   --max-memory, RESJAC_MAX_MEMORY or rj_max_bytes_for_machine()). */
#define RJ_MAX_BYTES_DEFAULT (((size_t) 8) << 30)
#define RJ_MAX_BYTES (rj_max_bytes())
size_t rj_max_bytes(void);
/* Set the limit (0: back to the default). */
void rj_set_max_bytes(size_t bytes);
/* A safe share of this machine: half the physical memory (sysconf), at most
   RJ_MAX_BYTES_DEFAULT and at most 3/4 of an address-space or data-segment
   limit (ulimit -v). */
size_t rj_max_bytes_for_machine(void);
/* Route FLINT's (__flint_set_memory_functions) and GMP's (hence MPFR's)
   allocations through a counter of the bytes they hold: an allocation that
   would take the total over rj_max_bytes() calls over(request, in_use,
   limit) instead -- the tool's handler reports it and exits 2, so that
   FLINT's own out-of-memory abort (which prints to stdout and can recurse)
   is never reached.  over may be NULL (the allocation then fails as
   malloc's would).  Call before any FLINT, GMP or MPFR allocation: memory
   allocated before it must not be freed after it. */
void rj_memory_track(void (*over)(size_t request, size_t in_use, size_t limit));
/* Bytes FLINT, GMP and MPFR hold now (0 without rj_memory_track). */
size_t rj_memory_in_use(void);
/* The definition being evaluated (rj_eval_defs sets it), for a report of the
   memory limit; loc.file NULL when none.  The file name is not copied. */
void rj_memory_set_where(rj_loc_t loc);
rj_loc_t rj_memory_where(void);

/* The activations a block can use. */
typedef enum {
    RJ_ACT_IDENTITY = 0,
    RJ_ACT_RELU,
    RJ_ACT_LEAKY_RELU, /* x for x > 0, a*x for x < 0; a in `slope` */
    RJ_ACT_TANH,
    RJ_ACT_SIGMOID,
    RJ_ACT_GELU,       /* x * Phi(x) = x/2 * (1 + erf(x/sqrt(2)))  (the erf form) */
    RJ_ACT_GELU_TANH,  /* x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
                          (PyTorch's approximate = 'tanh'; 0.044715 = 44715/10^6) */
    RJ_ACT_SOFTPLUS,   /* log(1 + exp(beta x)) / beta; beta > 0 in `param`
                          (the mathematical function: no linear threshold) */
    RJ_ACT_SILU,       /* x * sigmoid(x) */
    RJ_ACT_ELU         /* x for x > 0, alpha (exp(x) - 1) for x <= 0; alpha > 0 in
                          `param` */
} rj_act_kind;

/* An activation with its parameter (exact). */
typedef struct {
    rj_act_kind kind;
    fmpq_t slope; /* leaky_relu only; 0 otherwise */
    fmpq_t param; /* softplus: beta (default 1); elu: alpha (default 1); else 0 */
} rj_act_struct;
typedef rj_act_struct rj_act_t[1];

/* init: the identity; clear: frees the slope; set: a = b (b may be a). */
void rj_act_init(rj_act_t a);          /* identity */
void rj_act_clear(rj_act_t a);
void rj_act_set(rj_act_t a, const rj_act_t b);
/* Set a to kind with its default parameters (leaky_relu: slope 1/100,
   softplus: beta 1, elu: alpha 1). */
void rj_act_set_kind(rj_act_t a, rj_act_kind kind);
/* Piecewise linear: identity, relu, leaky_relu (exact layer can take it). */
int rj_act_is_piecewise_linear(const rj_act_t a);
/* "relu", "leaky_relu(1/100)", "elu(1)", ... written into buf. */
void rj_act_name(char *buf, int len, const rj_act_t a);
/* The activation named s ("relu", "gelu", "gelu_tanh", "softplus", "silu",
   "elu", ...; parameters at their defaults): RJ_OK, or RJ_ERR_INPUT when s
   names no activation (a is unchanged). */
int rj_act_from_name(rj_act_t a, const char *s);

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

/* ------------------------------------------------------------ layers

   A general block's branch, and its projection skip, is a sequence of layers.
   Values between layers are tensors of shape C x H x W held as one column
   vector of C*H*W entries in PyTorch's NCHW order (batch 1): entry
   (c, i, j) is row (c*H + i)*W + j.  A plain vector of width n has shape
   n x 1 x 1.  Every layer maps its input shape to an output shape;
   rj_seq_validate fills both from the block's input shape.

   Layers and their definitions (u the input, y the output):
     DENSE      y = W u + b, u taken flat (any input shape); W is m x (C*H*W),
                b an m x 1 column or 0x0; output m x 1 x 1.
     CONV2D     PyTorch's Conv2d: W holds the kernel K of shape
                C_out x (C_in/groups) x kh x kw as a C_out x (C_in/groups*kh*kw)
                matrix (row co, column (ci*kh + a)*kw + b, ci within the group);
                b a C_out x 1 column or 0x0; stride (sh, sw), zero padding
                (ph, pw), dilation (dh, dw), groups; output
                C_out x Ho x Wo with Ho = (H + 2ph - dh(kh-1) - 1)/sh + 1 (floor).
     AFFINE     per channel: y[c,i,j] = scale[c] u[c,i,j] + shift[c]
                (scale, shift: C x 1; shift may be 0x0).
     BATCHNORM  eval mode: y[c,i,j] = (u[c,i,j] - mean[c]) / sqrt(var[c] + eps)
                * scale[c] + shift[c]  (scale = gamma, shift = beta; C x 1 each,
                var[c] + eps > 0).
     LAYERNORM  over all C*H*W entries: mu = mean(u), s2 = mean((u - mu)^2),
                y = (u - mu) / sqrt(s2 + eps) * scale + shift  (scale = gamma,
                shift = beta: C*H*W x 1 each, or 0x0 for no affine part).
     AVGPOOL    kernel (kh, kw), stride (sh, sw), zero padding (ph, pw), the
                padding counted in the divisor (PyTorch's count_include_pad,
                floor mode).
     MAXPOOL    kernel, stride, padding (padding never wins: -inf), dilation;
                piecewise linear, a tie (several maxima) is a Clarke set.
     GAP        global average pool: C x H x W -> C x 1 x 1.
     FLATTEN    C x H x W -> (C*H*W) x 1 x 1; the data is unchanged.
     ACT        the activation `act` entrywise; shape unchanged. */
typedef enum {
    RJ_LAYER_DENSE = 0,
    RJ_LAYER_CONV2D,
    RJ_LAYER_AFFINE,
    RJ_LAYER_BATCHNORM,
    RJ_LAYER_LAYERNORM,
    RJ_LAYER_AVGPOOL,
    RJ_LAYER_MAXPOOL,
    RJ_LAYER_GAP,
    RJ_LAYER_FLATTEN,
    RJ_LAYER_ACT
} rj_layer_kind;

/* The shape of a value between layers: c channels of h x w. */
typedef struct {
    slong c, h, w;
} rj_shape;

/* Entries of a shape, c*h*w. */
slong rj_shape_size(rj_shape s);
/* "16 x 32 x 32", or "64" for a plain vector (h = w = 1), into buf. */
void rj_shape_name(char *buf, int len, rj_shape s);

/* One layer: its kind, its shapes and the parameters its kind uses (exact,
   owned by the layer; the others stay empty). */
typedef struct {
    rj_layer_kind kind;
    rj_shape in, out;        /* filled by rj_seq_validate */
    fmpq_mat_t W, b;         /* DENSE, CONV2D (see above); else 0x0 */
    fmpq_mat_t scale, shift; /* AFFINE, BATCHNORM, LAYERNORM; else 0x0 */
    fmpq_mat_t mean, var;    /* BATCHNORM; else 0x0 */
    fmpq_t eps;              /* BATCHNORM, LAYERNORM (default 1/100000) */
    slong kh, kw;            /* CONV2D: from W and in.c; pools: the kernel */
    slong sh, sw, ph, pw, dh, dw; /* stride (default 1; pools: the kernel),
                                     padding (0), dilation (1) */
    slong groups;            /* CONV2D (default 1) */
    rj_act_t act;            /* ACT */
    char *name;              /* the layer's parameter name, as PyTorch's module path
                                ("layer1.0.conv1"; the language's name = "..."), owned;
                                NULL: the default (rj_net_param_name) */
} rj_layer_struct;

/* Initialise L as an empty layer of the given kind with the defaults above
   (pools: stride = kernel once the kernel is set, i.e. sh = sw = 0 means
   "as the kernel"). */
void rj_layer_init(rj_layer_struct *L, rj_layer_kind kind);
void rj_layer_clear(rj_layer_struct *L);
/* L becomes a copy of M (L is initialised). */
void rj_layer_set(rj_layer_struct *L, const rj_layer_struct *M);
/* "dense 64 -> 128", "conv2d 16 -> 32, 3x3, stride 2, pad 1", "relu",
   "batchnorm(16)", ... into buf. */
void rj_layer_name(char *buf, int len, const rj_layer_struct *L);
/* 1 if the layer is affine (DENSE, CONV2D, AFFINE, BATCHNORM, GAP, FLATTEN,
   AVGPOOL, an identity ACT), else 0. */
int rj_layer_is_affine(const rj_layer_struct *L);
/* 1 if the layer is piecewise linear (affine layers, MAXPOOL, ACT with a
   piecewise-linear activation).  BATCHNORM counts (it is affine). */
int rj_layer_is_piecewise_linear(const rj_layer_struct *L);
/* 1 if the layer's function maps rationals to rationals with the layer's
   parameters as they are: piecewise-linear layers, and BATCHNORM when every
   var[c] + eps is the square of a rational.  Otherwise 0 and, when why is
   not NULL, a reason ("batchnorm: sqrt(var + eps) is irrational for channel
   3", "layernorm needs a square root", "gelu is not rational") in why. */
int rj_layer_is_rational(const rj_layer_struct *L, char *why, int len);

/* A sequence of layers. */
typedef struct {
    slong len, alloc;
    rj_layer_struct *layers;
} rj_seq_struct;
typedef rj_seq_struct rj_seq_t[1];

/* init: the empty sequence.  clear: frees every layer and leaves s empty.
   set: s becomes a deep copy of t (t may be s).  None of them fails. */
void rj_seq_init(rj_seq_t s);
void rj_seq_clear(rj_seq_t s);
void rj_seq_set(rj_seq_t s, const rj_seq_t t);
/* Append a copy of L. */
void rj_seq_push(rj_seq_t s, const rj_layer_struct *L);
/* Check every layer of s against the shape flowing into it, starting from
   `in`, and fill each layer's in/out shapes (and kh, kw of CONV2D layers, pool
   strides left at 0).  On a mismatch fill err with a message naming `lab`
   (the block's label), `part` ("branch" or "projection"), the layer's 1-based
   number and name, and both shapes.  *out gets the final shape (in when s is
   empty).  Widths over RJ_MAX_WIDTH are RJ_ERR_LIMIT.  Returns a status. */
int rj_seq_validate(rj_seq_t s, rj_shape in, rj_shape *out, const char *lab,
                    const char *part, rj_error_t err);

/* One general block, with exact weights it owns: skip part S (identity,
   projection, alpha I or none) plus branch F (one layer, two around an inner
   activation, or a layer sequence: see `general` below), and the outer
   activation at its placement.  rj_block_validate checks and completes the
   widths and shapes. */
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
    /* The general form.  general = 1: the branch F is the layer sequence
       `branch` and a RJ_SKIP_PROJECT skip is the sequence `proj` (affine
       layers only: dense, conv2d, affine, batchnorm, avgpool, gap, flatten);
       W1, b1, W2, b2, Ws are then 0x0 and two_layer = 0; in/out are the
       block's tensor shapes, n_in, n_out their sizes.  general = 0: the
       shorthand above (W1, act, W2), read as the branch dense(W1, b1), act,
       dense(W2, b2) (or dense(W1, b1)) and the projection dense(Ws); its
       sequences stay empty (no second copy of the weights) and its shapes
       are n x 1 x 1 (rj_block_in_shape, rj_block_out_shape answer for both
       forms). */
    int general;
    rj_seq_t branch;
    rj_seq_t proj;
    rj_shape in, out;
    char *name;                   /* the block's parameter name (block(name = "...")),
                                     owned; NULL: the default "blocks.<l>" */
} rj_block_struct;
typedef rj_block_struct rj_block_t[1];

/* Life cycle: init (below), clear frees every matrix and number, set makes b
   a deep copy of c (c may be b).  None of them fails. */
void rj_block_init(rj_block_t b);   /* empty: 0x0, identity skip, one layer,
                                       act = outer = relu (the language's defaults) */
void rj_block_clear(rj_block_t b);
void rj_block_set(rj_block_t b, const rj_block_t c);
/* The input and output shapes of a valid block of either form. */
rj_shape rj_block_in_shape(const rj_block_struct *b);
rj_shape rj_block_out_shape(const rj_block_struct *b);
/* A general block (general = 1) of input shape `in` with empty sequences,
   identity skip, placement none, outer relu.  The caller fills branch, proj,
   skip, alpha, place and outer, then calls rj_block_validate. */
void rj_block_init_general(rj_block_t b, rj_shape in);
/* Check every shape and fill the derived fields.  Shorthand (general = 0):
   W1, b1, W2, b2, Ws against each other; fills n_in, n_hidden, n_out from
   W1/W2 and the shapes.  General: branch
   (and proj) by rj_seq_validate from `in`; the skip must give the branch's
   output shape (identity and scaled: the input shape; project: proj's output
   shape; none: any); fills out, n_in, n_out (n_hidden = 0).  On a mismatch fill err with a message naming
   `name` (the block's name, may be NULL) and both shapes; returns a status. */
int rj_block_validate(rj_block_t b, const char *name, rj_error_t err);
/* Parameter names.  A name is 1 to RJ_MAX_NAME_LEN characters among letters,
   digits, '_', '.' and '-' (PyTorch's module paths): rj_name_check says
   RJ_ERR_INPUT otherwise, naming `what`.  The parameters of block l (0-based)
   of a network are named after PyTorch's state dict:
     a layer of a general block's branch: NAME.weight and NAME.bias, NAME the
       layer's name or else PREFIX.branch.<j> (j its 0-based place in the
       branch); a projection layer likewise, PREFIX.proj.<j>;
     dense and conv2d: weight = W, bias = b; affine: weight = scale, bias =
       shift; batchnorm and layernorm: weight = gamma, bias = beta (a
       batchnorm's running mean and var are buffers, named by no gradient);
     a shorthand block: PREFIX.W1, PREFIX.b1, PREFIX.W2, PREFIX.b2, PREFIX.Ws;
   PREFIX is the block's name, or else "blocks.<l>" (rj_net_param_name). */
#define RJ_MAX_NAME_LEN 200
int rj_name_check(const char *name, const char *what, rj_error_t err);

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
/* The name (see rj_name_check) of parameter `param` ("weight", "bias", "W1", ...) of
   layer j of block l's branch (proj = 0) or projection (proj = 1); j is
   ignored for a shorthand block.  Written into buf (len bytes). */
void rj_net_param_name(char *buf, int len, const rj_net_t net, slong l, int proj, slong j,
                       const char *param);

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
    slong layer;  /* the tie's layer in the block's `branch` (0-based), or -1
                     for the outer activation (where = 1).  Shorthand blocks:
                     the inner activation is layer 1.  A general block's ties
                     have where = 0 for every branch layer and are told apart
                     by `layer`; they follow the order contract below with
                     "the inner activation" read as "the branch's layers in
                     order". */
    slong stage;  /* 0, except at a maxpool output whose window has k >= 2
                     maxima: the exact layer records it as k - 1 ties of that
                     output, stages 0 .. k - 2 (resjac/exact.h); the
                     precise layer records one possible tie, stage 0 */
} rj_tie_struct;

/* The ties met at one point.  Order contract: every layer that reports ties
   appends them in the order the block forms above evaluate the activations,
     block by block from block 1 (the input side) to block L;
     within a block: the outer activation of a PRE block, then the inner
     activation of the branch (a general block: its branch layers in order),
     then the outer activation of a POST block;
     within one activation: units ascending; within a maxpool layer: outputs
     ascending (a maxpool tie is an output whose window has several maxima,
     unit = the output's index; k maxima are k - 1 ties of that output, by
     stage ascending, see resjac/exact.h).
   So "tie number i" names the same unit in every layer's list, and the exact
   layer's RJ_TIE_CHOICE bit i (resjac/exact.h) addresses tie number i.  The
   exact layer reports a tie where an argument is exactly 0; the precise layer
   where an enclosure contains 0 (a possible tie; in the passes that compute
   derivatives), so at one point the exact list without its ties of stage
   above 0 is a subsequence of the precise one, in the same order.  Which side a
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
/* The same with the branch layer given (general blocks; where = 0 for a
   branch layer, 1 for the outer activation with layer = -1).  rj_ties_push
   records layer 1 for where = 0 and -1 for where = 1 (the shorthand). */
void rj_ties_push_layer(rj_ties_t t, slong block, int where, slong layer, slong unit);

/* What tie t of net sits on, for messages: a general block's branch layer by
   its name ("relu", "maxpool 2x2, stride 2"), else the activation
   (the inner act or the outer sigma: "relu", "leaky_relu(1/100)"). */
void rj_tie_layer_name(char *buf, int len, const rj_net_t net, const rj_tie_struct *t);
/* 1 if tie t sits on a branch layer of a general block (t->layer names it). */
int rj_tie_is_branch_layer(const rj_net_t net, const rj_tie_struct *t);

/* Open a file for reading (*f; the caller fcloses it) only when it is a
   regular file: a directory, device, FIFO or socket is refused with RJ_ERR_IO
   and a message at path naming `kind` ("a model or claim file"), and a FIFO
   is refused without waiting for a writer.  *f is NULL on failure. */
int rj_file_open_read(FILE **f, const char *path, const char *kind, rj_error_t err);

/* The directory part of path, flint_malloc'd: "." when path has no '/', "/"
   for a file in the root.  The one place paths of input files are split. */
char *rj_path_dir(const char *path);
/* rel read relative to the directory dir (flint_malloc'd): rel itself when it
   is absolute or dir is NULL, empty or "."; else "dir/rel". */
char *rj_path_join(const char *dir, const char *rel);

/* .npy import: a float64, float32, float16, integer or bool ('<f8', '<f4',
   '<f2', '<i1'..'<i8', '<u1'..'<u8', '|b1') C-order array of any
   dimension up to 32 (0-d becomes 1 x 1, 1-d a column vector, n-d the matrix
   dim0 x (dim1 * ... * dim(n-1)) in C order, so a PyTorch conv weight
   C_out x C_in x kh x kw is the kernel matrix of a conv2d layer) read into an
   exact fmpq matrix,
   each float converted exactly to its dyadic rational.  Rejects other dtypes,
   Fortran order, truncated files, NaN and Inf with a message naming the file
   (and for NaN/Inf the flat index).  out is left unchanged on failure. */
int rj_npy_load(fmpq_mat_t out, const char *path, rj_error_t err);

/* The same from the n bytes of a .npy file held in memory (a member of an
   .npz archive, say); path names the source in messages ("w.npz, member
   'w.npy'").  rj_npy_load reads the file and calls this. */
int rj_npy_load_buffer(fmpq_mat_t out, const unsigned char *buf, size_t n, const char *path,
                       rj_error_t err);

/* ---------------------------------------------------------------- tensor files
   Files of named tensors, as PyTorch and numpy write them:
   - safetensors: an 8-byte little-endian header length N, N bytes of JSON
     {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]}, ...,
      "__metadata__": {...}} and the raw little-endian tensors; dtypes F64,
     F32, F16, BF16, I8, I16, I32, I64, U8, U16, U32, U64, BOOL;
   - .npz: a zip archive (stored or deflated members, zip64 sizes in the
     central directory accepted) of .npy files; member "w.npy" is tensor "w".
   Every value is taken exactly (a float is its dyadic rational; NaN and
   infinities are refused naming the tensor and the flat index).  A tensor
   becomes a matrix as rj_npy_load makes one (0-d 1 x 1, 1-d a column, n-d
   dim0 x (dim1 * ... * dim(n-1)) in C order).
   Opening reads and validates the whole index before any tensor is read:
   header length against the file size and a cap (RJ_TENSOR_MAX_HEADER), each
   tensor's dtype, shape (overflow-checked) and byte range (inside the data,
   of the size the shape needs, no two overlapping); for .npz the central
   directory (offsets and sizes inside the file, method stored or deflated,
   no encryption, no multi-disk archive).  Reading a tensor checks its shape
   against RJ_MAX_WIDTH / RJ_MAX_ENTRIES and its memory (raw bytes, for .npz
   also the compressed and uncompressed sizes, plus the exact matrix)
   against rj_max_bytes() before allocating; a deflated member is inflated
   to no more than its declared size and its CRC-32 is checked.  Every
   failure is a status with a message at the file naming the tensor
   (RJ_ERR_INPUT malformed, RJ_ERR_LIMIT too large, RJ_ERR_IO unreadable). */
#define RJ_TENSOR_MAX_DIMS 32
#define RJ_TENSOR_MAX_HEADER (((uint64_t) 100) << 20)
#define RJ_TENSOR_SAFETENSORS 1
#define RJ_TENSOR_NPZ 2

/* One tensor of a file's index. */
typedef struct {
    char *name;                   /* npz: the member name without ".npy" */
    int dtype, nd;                /* safetensors: the element type and shape */
    long long dims[RJ_TENSOR_MAX_DIMS];
    uint64_t offset, size;        /* safetensors: the data bytes [offset, offset + size)
                                     of the file; npz: the member's local header and
                                     compressed size */
    uint64_t usize;               /* npz: uncompressed size */
    uint32_t crc;                 /* npz: CRC-32 of the uncompressed member */
    int method;                   /* npz: 0 stored, 8 deflated */
} rj_tensor_entry_struct;

/* A validated index of a tensor file (init / clear pair; clear frees all). */
typedef struct {
    char *path;                   /* copied */
    int format;                   /* RJ_TENSOR_SAFETENSORS or RJ_TENSOR_NPZ */
    slong n;
    rj_tensor_entry_struct *entries;   /* in the file's order */
} rj_tensor_file_struct;
typedef rj_tensor_file_struct rj_tensor_file_t[1];

/* init: an empty index (no path, no tensors); clear: frees everything tf
   holds and leaves it empty. */
void rj_tensor_file_init(rj_tensor_file_t tf);
void rj_tensor_file_clear(rj_tensor_file_t tf);
/* Read and validate the index of the safetensors or .npz file at path (told
   apart by their first bytes: "PK" starts a zip); tf unchanged on failure. */
int rj_tensor_file_open(rj_tensor_file_t tf, const char *path, rj_error_t err);
int rj_safetensors_open(rj_tensor_file_t tf, const char *path, rj_error_t err);
int rj_npz_open(rj_tensor_file_t tf, const char *path, rj_error_t err);
/* The index of the tensor called name ("w" or "w.npy" for npz), or -1. */
slong rj_tensor_file_find(const rj_tensor_file_t tf, const char *name);
/* out = tensor i (0 <= i < tf->n) read from the file; out unchanged on
   failure. */
int rj_tensor_file_get(fmpq_mat_t out, const rj_tensor_file_t tf, slong i, rj_error_t err);
/* Up to `most` names of tf close to name (fewest edits first), quoted and
   separated by ", ", into buf ("" when tf is empty). */
void rj_tensor_file_close_names(char *buf, int len, const rj_tensor_file_t tf,
                                const char *name, int most);
/* Open, find and read one tensor: an unknown name is RJ_ERR_INPUT listing
   close names. */
int rj_tensor_load(fmpq_mat_t out, const char *path, const char *name, rj_error_t err);

/* Write a float64 .npy (used by tests and tools); values rounded to nearest. */
int rj_npy_save_d(const char *path, const double *data, slong rows, slong cols,
                  rj_error_t err);

/* ------------------------------------------------------------ tensor files

   Named float tensors written for PyTorch and NumPy users (resjac grad
   --save): a safetensors file (an 8-byte little-endian header length, a JSON
   header {"NAME": {"dtype": "F64", "shape": [...], "data_offsets": [b, e]},
   ...} padded with spaces to a multiple of 8 bytes, then the tensors' bytes
   in the order given, little-endian) or an npz file (an uncompressed zip of
   NAME.npy members, '<f8' or '<f4', C order, each with its CRC-32).  A list
   owns its names, not the data. */
typedef struct {
    char *name;                   /* rj_name_check's characters (owned) */
    int ndim;                     /* 1..RJ_TENSOR_MAX_DIMS */
    slong dims[RJ_TENSOR_MAX_DIMS];
    const void *data;             /* prod(dims) floats or doubles, C order (not owned) */
} rj_tensor_struct;

/* A list of tensors to write, items[0..len) in file order; it owns the
   names, not the data (rj_tensors_t is the one-element array functions take). */
typedef struct {
    slong len, alloc;
    rj_tensor_struct *items;
} rj_tensors_struct;
typedef rj_tensors_struct rj_tensors_t[1];

/* init: the empty list; clear: frees the names and the list. */
void rj_tensors_init(rj_tensors_t t);
void rj_tensors_clear(rj_tensors_t t);
/* Append the tensor name (copied) of shape dims[0..ndim) whose data (not
   copied) is at data; data must live until the list is written. */
void rj_tensors_push(rj_tensors_t t, const char *name, int ndim, const slong *dims,
                     const void *data);
/* The kind of tensor file path names by its ending: 1 for ".safetensors",
   2 for ".npz", else 0. */
int rj_tensors_file_kind(const char *path);
/* Check, before any work, that path can receive a tensor file: it ends in
   .safetensors or .npz, it is not a directory, and its directory exists
   and is writable.  Else
   RJ_ERR_INPUT (the ending) or RJ_ERR_IO with a message naming path. */
int rj_tensors_check_path(const char *path, rj_error_t err);
/* What rj_tensors_save checks before it writes anything, for a caller that
   checks before its own work: the ending of path, the names (rj_name_check,
   no two alike: RJ_ERR_INPUT naming the name), the shapes (1..4 dimensions,
   each >= 0) and the size (an npz file of 4 GiB or more, or of more than
   65535 tensors, would need zip64: RJ_ERR_LIMIT).  The data are not read. */
int rj_tensors_check(const char *path, const rj_tensors_t t, int f64, rj_error_t err);
/* Write t to path, as its ending says (rj_tensors_file_kind), every tensor in
   float64 (f64 = 1: data are doubles) or float32 (f64 = 0: floats), bit for
   bit, after rj_tensors_check.  The file is written to a temporary file in
   the same directory and renamed: on any failure path is untouched and no
   temporary file is left. */
int rj_tensors_save(const char *path, const rj_tensors_t t, int f64, rj_error_t err);

/* Exact conversion of one double (finite) to a rational. */
void rj_fmpq_set_d_exact(fmpq_t q, double d);

#ifdef __cplusplus
}
#endif

#endif
