/* resjac: the fast core (OpenBLAS).  Float residual networks: batched forward
 * and backward passes, full Jacobians, path-length-resolved gradients, random
 * networks, and the a-priori error bound of a float Jacobian.  The checks that
 * hold this layer against the exact and precise ones are in resjac/xval.h.
 *
 * A float network (rj_fast_net_t) is converted from the exact model (rj_net_t),
 * every weight rounded to nearest in float32 or float64.  All parameters live
 * in one contiguous row-major buffer; matrices keep the model's orientation
 * (W1 is n_hidden x n_in, W2 is n_out x n_hidden, Ws is n_out x n_in).
 *
 * Batches are row-major: a batch of B points of width n is a B x n matrix, one
 * point per row.  Buffers passed as `void *` hold float when the network's
 * dtype is RJ_FAST_F32 and double when it is RJ_FAST_F64.
 *
 * Conventions of the float layer:
 *   - the derivative of relu / leaky_relu at an exact 0 is taken from the left
 *     (0 for relu, the slope for leaky_relu): the exact layer's RJ_TIE_LEFT;
 *   - sigmoid(z) is computed as 1 / (1 + exp(-z)), tanh with the C library;
 *   - a block is  y = S x + F(u),  u = sigma(x) for RJ_PLACE_PRE, else u = x,
 *     then y = sigma(y) for RJ_PLACE_POST (resjac/model.h);
 *   - gemm goes through cblas_sgemm / cblas_dgemm; no function allocates
 *     memory after rj_fast_work_reserve;
 *   - general blocks (layer sequences, resjac/model.h) take every layer of
 *     the model: values between layers are NCHW rows of C*H*W entries;
 *     conv2d runs as im2col + one gemm per group and chunk of points; batchnorm (eval
 *     mode) and layernorm in PyTorch's CPU order of operations; max pooling
 *     passes the cotangent to the first maximum of its window (PyTorch);
 *     the parameter gradients of a batchnorm layer include its running mean
 *     and variance (PyTorch keeps them as buffers without gradient);
 *   - gelu (erf form), gelu_tanh, silu, elu as PyTorch computes them;
 *     softplus is the mathematical log(1 + exp(beta x)) / beta, without
 *     PyTorch's switch to x at beta x > 20; elu and relu take the left
 *     derivative at 0.  Details and the error bound of every layer:
 *     proofs/fast-error-bound.md [FE 10].
 *
 * Cotangent rows.  Backward passes work on R = B * m rows of cotangent (row)
 * vectors, m per point: row r belongs to point r / m.  A gradient has m = 1,
 * a full Jacobian m = n_out (all rows of J at once).  The graded pass adds a
 * path-length index in front: (L + 1) x R rows.
 *
 * Error bounds: the a-priori forward error analysis of these computations is in
 * proofs/fast-error-bound.md, cited below as [FE n]. */
#ifndef RESJAC_FAST_H
#define RESJAC_FAST_H

#include <stddef.h>
#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>

#include "resjac/error.h"
#include "resjac/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The float type a fast network and its passes compute in. */
typedef enum { RJ_FAST_F32 = 0, RJ_FAST_F64 = 1 } rj_fast_dtype;

/* sizeof(float) or sizeof(double). */
size_t rj_fast_dtype_size(rj_fast_dtype t);
/* "f32" / "f64". */
const char *rj_fast_dtype_name(rj_fast_dtype t);

/* most threads the passes run in parallel themselves */
#define RJ_FAST_MAX_THREADS 64

/* ------------------------------------------------------------ networks */

/* One layer of a general block (resjac/model.h, "layers"), in float.  Shapes
   and window parameters are the model's (pool strides resolved: never 0);
   parameters are offsets into the network's buffer, -1 when absent:
     DENSE, CONV2D  W (Wr x Wc, the model's orientation), b (Wr entries);
     AFFINE         scale, shift (in.c entries; shift optional);
     BATCHNORM      scale = gamma, shift = beta (optional: 1 and 0), mean, var
                    (in.c entries each);
     LAYERNORM      scale = gamma, shift = beta (C*H*W entries, optional).
   `param` is the activation's parameter rounded to the dtype (leaky_relu
   slope, softplus beta, elu alpha; else 0); `eps` the normalisation's eps
   rounded to the dtype. */
typedef struct {
    rj_layer_kind kind;
    rj_shape in, out;
    slong kh, kw, sh, sw, ph, pw, dh, dw, groups;
    rj_act_kind act;
    double param;
    double eps;
    slong W, b, scale, shift, mean, var;
    slong Wr, Wc;
} rj_fast_layer_struct;

/* One block of a float network: the model's general block (resjac/model.h)
   with its parameters stored in the network's one buffer. */
typedef struct {
    slong n_in, n_hidden, n_out;  /* n_hidden = 0 for a one-layer branch */
    rj_skip_kind skip;
    rj_place_kind place;
    int two_layer;
    rj_act_kind act, outer;       /* inner and outer (pre/post) activations */
    double act_slope, outer_slope;/* the activations' parameters rounded to the
                                     dtype: leaky_relu slope, softplus beta,
                                     elu alpha (rj_fast_layer_struct.param) */
    double alpha;                 /* RJ_SKIP_SCALED factor, rounded to the dtype */
    /* offsets of the parameters in the network's buffer (in elements), or -1
       when absent.  W1 rows = n_hidden (two-layer) or n_out (one-layer). */
    slong W1, b1, W2, b2, Ws;
    slong nparams;                /* number of parameters of this block */
    slong first;                  /* offset of the block's first parameter */
    /* The general form (resjac/model.h): general = 1 when the branch is the
       layer sequence layers[0 .. nbranch - 1] and a RJ_SKIP_PROJECT skip is
       layers[nbranch .. nbranch + nproj - 1] (owned by the network); then
       two_layer = 0, n_hidden = 0, W1, b1, W2, b2, Ws are -1 and act is
       unused.  n_in, n_out are the sizes of the block's tensor shapes. */
    int general;
    slong nbranch, nproj;
    rj_fast_layer_struct *layers;
    rj_shape in_shape, out_shape; /* general blocks: the tensor shapes */
} rj_fast_block_struct;

/* A float residual network: L blocks and one buffer of nparams parameters
   in the dtype, both owned by the network. */
typedef struct {
    rj_fast_dtype dtype;
    slong len;                    /* number of blocks L */
    rj_fast_block_struct *blocks;
    void *params;                 /* nparams floats or doubles */
    slong nparams;
    slong n_in, n_out;            /* network input and output width */
    slong max_width;              /* max over every n_in, n_hidden, n_out */
    /* conversion from the exact model: 1 when every parameter was exactly
       representable in the dtype (no rounding), 0 when some was rounded to
       nearest (relative error at most u, [FE 2]); -1 when the network was not
       converted from an exact one (random networks: the float weights are the
       definition). */
    int exact_conv;
    char **names;                 /* per-block names (owned; entries may be NULL) */
} rj_fast_net_struct;
typedef rj_fast_net_struct rj_fast_net_t[1];

/* init: an empty f64 network (no blocks, nothing allocated, exact_conv -1).
   clear: frees blocks, parameters and names and leaves net empty again. */
void rj_fast_net_init(rj_fast_net_t net);
void rj_fast_net_clear(rj_fast_net_t net);

/* Convert a valid exact network (resjac/model.h: its shapes, widths and
   depth are the model's checks, not repeated here), each weight rounded to
   nearest (ties to even) in the dtype.  A weight whose magnitude overflows the
   dtype or is nonzero below its normal range is RJ_ERR_DOMAIN naming the block
   (the relative error bound of [FE 2] would not hold); more parameters than
   RJ_MAX_BYTES (resjac/model.h) is RJ_ERR_LIMIT.  net is replaced. */
int rj_fast_net_set_net(rj_fast_net_t net, const rj_net_t src, rj_fast_dtype dtype,
                        rj_error_t err);

/* Copy src into net in another (or the same) dtype, rounding to nearest;
   exact_conv becomes -1 (the source is a float network). */
int rj_fast_net_set_fast(rj_fast_net_t net, const rj_fast_net_t src, rj_fast_dtype dtype,
                         rj_error_t err);

/* The exact network whose weights are the float weights (each float is a
   dyadic rational, converted exactly).  dst is replaced. */
void rj_fast_net_get_net(rj_net_t dst, const rj_fast_net_t src);

/* ------------------------------------------------------------ random networks */

/* The specification of a random float network (rj_fast_random_init gives
   the defaults, rj_fast_random_parse reads `resjac grad --random` SPECs). */
typedef struct {
    slong depth, width;
    slong hidden;          /* branch hidden width; 0 = one-layer branch */
    rj_skip_kind skip;
    rj_place_kind place;
    rj_act_kind act;       /* inner activation */
    rj_act_kind outer;     /* outer (pre/post) activation */
    double slope;          /* leaky_relu slope (both activations) */
    double scale;          /* std multiplier of the branch's last layer;
                              0 gives F = 0 exactly (the identity init),
                              small values the near-identity init F ~ 0 */
    double alpha;          /* RJ_SKIP_SCALED factor */
    int bias;              /* 1: biases N(0, 0.01^2); 0: no biases */
} rj_fast_random_struct;
typedef rj_fast_random_struct rj_fast_random_t[1];

/* Defaults: depth 10, width 16, hidden = width, pre-activation relu blocks,
   identity skip, scale 1, alpha 1, slope 1/100, no biases. */
void rj_fast_random_init(rj_fast_random_t spec);

/* Parse "DEPTH,WIDTH[,KIND][,key=value...]": KIND is one of
     pre     y = x + W2 act(W1 sigma(x))        (He et al. 2016, identity mappings)
     post    y = sigma(x + W2 act(W1 x))        (the original ResNet block)
     plain   y = sigma(W2 act(W1 x))            (no skip)
     none    y = x + W2 act(W1 x)               (no outer activation)
     linear  y = x + W1 x                       (one layer, no activation)
     scaled  y = alpha x + W2 act(W1 sigma(x))  (pre-activation, scaled skip)
   and keys are act=, outer= (identity|relu|leaky_relu|tanh|sigmoid), slope=,
   hidden=, scale=, alpha=, bias=0|1.  Limits: depth <= RJ_MAX_DEPTH,
   width and hidden <= RJ_MAX_WIDTH.  Errors name the offending field. */
int rj_fast_random_parse(rj_fast_random_t spec, const char *text, rj_error_t err);

/* A random network from a seed: W1 ~ N(0, 2/fan_in) (He), W2 ~
   N(0, 2 scale^2 / (n_hidden depth)); a one-layer branch W1 ~
   N(0, scale^2 / (width depth)) (the linear residual net of REFERENCES:
   E tr(J^T J)/N = (1 + scale^2/depth)^depth); without a skip the factor
   1/depth is dropped.  Generated in
   float64 from the seed (xoshiro256**, Box-Muller) then rounded to the dtype,
   so an f32 and an f64 network from one seed agree to rounding. */
int rj_fast_net_random(rj_fast_net_t net, const rj_fast_random_t spec, ulong seed,
                       rj_fast_dtype dtype, rj_error_t err);

/* Standard normal numbers from a seed (the same generator): n values into x
   (float64), for inputs of experiments and tests. */
void rj_fast_randn(double *x, slong n, ulong seed);

/* Threads of the passes that resjac runs in parallel itself (the compacted
   graded pass; OpenBLAS keeps its own setting).  0 (the default): one per
   online processor; at most RJ_FAST_MAX_THREADS.  A workspace takes the value
   current when it is reserved.  Not thread-safe (set it before work). */
void rj_fast_set_num_threads(int t);
int rj_fast_get_num_threads(void);

/* ------------------------------------------------------------ workspace */

/* Flags of rj_fast_work_reserve (or-ed together). */
enum {
    RJ_FAST_KEEP_PRE = 1,   /* also store every pre-activation (error bounds) */
    RJ_FAST_GRADED = 2      /* reserve the buffers of rj_fast_graded */
};

/* The workspace of the passes over one network: every buffer in one
   allocation, reserved before the work (rj_fast_work_reserve) and reused by
   every pass.  It owns mem and the offset arrays. */
typedef struct {
    rj_fast_dtype dtype;
    slong len;
    slong batch;            /* reserved batch size B */
    slong batch_now;        /* batch of the last forward pass (0: none) */
    slong rows;             /* reserved cotangent rows per point m */
    int flags;
    size_t bytes;           /* bytes allocated */
    void *mem;              /* one allocation */
    /* element offsets into mem, per block */
    slong *off_h;           /* len + 1: h_l, B x width */
    slong *off_a;           /* len: hidden activations (two-layer), or -1 */
    slong *off_z;           /* len: hidden pre-activations when stored, or -1 */
    slong *off_p;           /* len: POST pre-activations when stored, or -1 */
    slong *g_base;          /* len: general blocks, the first index into off_g
                               (-1 for shorthand blocks) */
    slong *off_g;           /* per general block nbranch + nproj + 1 offsets:
                               every layer's output, then the PRE input (-1
                               when not stored) */
    slong s_x0, s_x1, s_col, s_dl, s_sm, s_cy;  /* general blocks' scratch (or -1) */
    /* scratch, element offsets */
    slong s_u, s_d0, s_d1, s_d2, s_g0, s_g1, s_gp, s_t0, s_t, s_gu;
    slong s_v, s_w, s_q, s_k, s_tt;   /* graded buffers (or -1) */
    slong s_vt, s_rt;       /* compacted graded pass: per-row blocks, scratch (-1: none) */
    int nthreads;           /* threads of the compacted graded pass (at reserve time) */
    slong cap_rows;         /* rows of the backward scratch buffers */
} rj_fast_work_struct;
typedef rj_fast_work_struct rj_fast_work_t[1];

/* init: an empty workspace (nothing reserved).  clear: frees everything
   reserved and leaves w empty, ready to be reserved again. */
void rj_fast_work_init(rj_fast_work_t w);
void rj_fast_work_clear(rj_fast_work_t w);

/* Allocate, once, every buffer that passes over net need for batches of up to
   `batch` points with up to `rows` cotangent rows per point (1 for gradients,
   n_out for rj_fast_jacobian, n_in for rj_fast_jacobian_fwd; with
   RJ_FAST_GRADED also for the graded pass).  Checks the sizes against
   RJ_MAX_BYTES (resjac/model.h) before allocating (RJ_ERR_LIMIT), and allocation failure is
   RJ_ERR_MEMORY.  Any previous reservation is released. */
int rj_fast_work_reserve(rj_fast_work_t w, const rj_fast_net_t net, slong batch,
                         slong rows, int flags, rj_error_t err);

/* The stored activations h_l (0 <= l <= len) of the last forward pass:
   batch x width, row-major, owned by w. */
const void *rj_fast_work_h(const rj_fast_work_t w, slong l);

/* ------------------------------------------------------------ passes */

/* Forward pass of `batch` points X (batch x n_in) through net.  Keeps every
   h_l once in w (and the hidden activations of two-layer branches); y
   (batch x n_out) receives the output unless NULL.  y must not alias X. */
int rj_fast_forward(void *y, rj_fast_work_t w, const rj_fast_net_t net, const void *X,
                    slong batch, rj_error_t err);

/* Backward pass after rj_fast_forward on the same w: cotangent dY
   (batch x n_out, one row per point) to the input gradient dX (batch x n_in;
   may be NULL), the weight gradients summed over the batch into dparams
   (net->nparams entries laid out like net->params; may be NULL), the
   Frobenius norm over the batch of the cotangent at each h_l into hnorms
   (len + 1 doubles, hnorms[len] = ||dY||; may be NULL) and the norm of each
   block's weight gradient into wnorms (len doubles; may be NULL, needs
   dparams).  No output may alias dY. */
int rj_fast_backward(void *dX, void *dparams, double *hnorms, double *wnorms,
                     rj_fast_work_t w, const rj_fast_net_t net, const void *dY,
                     rj_error_t err);

/* Full Jacobians at the points of the last forward pass, as one batched
   backward pass of batch * n_out rows (all rows of every J at once).
   J is batch x n_out x n_in (point-major, each J row-major).  Needs
   rows >= n_out in rj_fast_work_reserve. */
int rj_fast_jacobian(void *J, rj_fast_work_t w, const rj_fast_net_t net, rj_error_t err);

/* The same Jacobians by forward mode, column by column: batch * n_in tangent
   vectors pushed through the blocks (rows >= n_in).  An independent variant
   for tests; output layout as rj_fast_jacobian. */
int rj_fast_jacobian_fwd(void *J, rj_fast_work_t w, const rj_fast_net_t net,
                         rj_error_t err);

/* ------------------------------------------------------------ path lengths */

/* Path-length-resolved backward pass, exactly (no sampling).  With
   J_l = S_l + R_l (resjac/model.h), the cotangent rows dY (R = batch * m rows
   of width n_out, m per point) are carried backwards as L + 1 vectors per row,
   one per path length k (number of branches R_l taken):
       V_k <- V_k S_l + V_{k-1} R_l,
   the branch part of every nonzero length computed by one gemm chain on the
   (K * R) rows of the lengths still nonzero (lengths that are structurally
   zero are skipped).  On return G_k = sum over |T| = k of dY P_L ... P_1 for
   k = 0..L, stored in G as (L + 1) x R x n_in (k-major; lengths that stayed
   zero are written as zeros), and sum_k G_k is the input gradient.  norms
   (L + 1 doubles, may be NULL) receives ||G_k||_F over all rows.  Needs the
   forward pass on w, RJ_FAST_GRADED and rows >= m. */
int rj_fast_graded(void *G, double *norms, rj_fast_work_t w, const rj_fast_net_t net,
                   const void *dY, slong m, rj_error_t err);

/* The same components by the same recursion, compacted by the relu masks:
   when every block is a pre-activation block with relu outer and inner
   activations, two layers and the identity skip, each row is carried through
   all blocks on its own (rows split among rj_fast_get_num_threads() threads,
   taken when w was reserved) and its two branch products run only over the
   point's active hidden units A and active inputs I, reading W2[:, A] and
   W1[A, I] in place through index arrays (the other terms of every sum are
   exact zeros).  Other networks, and workspaces where the compacted pass's
   scratch (every row's components, a transposed copy of the weights) would
   exceed RJ_MAX_BYTES (resjac/model.h), take the pass of rj_fast_graded.  Same
   arguments, outputs and error bound ([FE 5]) as rj_fast_graded; the results
   agree with it up to the order of summation inside the products, and are
   independent of the number of threads.  The products' kernel is the widest
   the processor runs (AVX-512, AVX2 or SSE2); the environment variable
   RJ_FAST_ISA=sse or =avx2 asks for a narrower one (a diagnostic; other
   values are ignored). */
int rj_fast_graded_compact(void *G, double *norms, rj_fast_work_t w,
                           const rj_fast_net_t net, const void *dY, slong m,
                           rj_error_t err);

/* log C(L, k) (natural logarithm): exact binomial through FLINT for L <= 1000
   rounded to double, lgamma beyond.  A statistic for reports, not a bound. */
double rj_fast_log_binomial(slong L, slong k);

/* Per path length: mean norm per path norms[k] / C(L, k) (through logarithms,
   0 when the norm is 0) and log10 C(L, k); either output may be NULL. */
void rj_fast_graded_summary(double *mean_path, double *log10_count, const double *norms,
                            slong L);

/* ------------------------------------------------------------ error bound */

/* The float Jacobian at one point together with an a-priori error bound:
   |J - J_exact| <= E entrywise, where J_exact is the Jacobian of the exact
   network rj_fast_net_set_net was given, at the exact point x, under the
   convention RJ_TIE_LEFT ([FE 3-7]).  The bound is computed in the same pass
   from absolute values of the float quantities (running error analysis,
   rounding of the bound's own arithmetic accounted for, [FE 8]).  It is
   rigorous for piecewise-linear activations given IEEE round-to-nearest
   arithmetic and a BLAS that sums each gemm entry in some order ([FE 1]);
   for tanh/sigmoid it also assumes the C library's tanh/exp within 2 ulp
   ([FE 1, A3]).

   Per-block values are kept so that a disagreement can be located: h[l] and
   eh[l] (l = 0..L) are the float forward values and their bounds; G[l], EG[l]
   are the float partial Jacobians dy/dh_l (n_out x width_l, G[L] = I) and their
   bounds.  When a relu/leaky_relu argument cannot be proved to have the sign
   of its float value (|value| <= its error bound, e.g. at a tie) the masks of
   the float and exact computations may differ and no bound holds: certified
   is then 0 and unc_* name the first such unit (block 0-based, where 0 inner,
   1 outer, unit 0-based); E is then set to +inf. */
typedef struct {
    slong len, n_in, n_out;
    rj_fast_dtype dtype;
    slong *width;          /* len + 1 widths of h_l */
    double **h, **eh;      /* len + 1 vectors */
    double **G, **EG;      /* len + 1 matrices n_out x width[l], row-major */
    double *J, *E;         /* = G[0], EG[0] */
    int certified;
    slong unc_block, unc_unit;
    int unc_where;
    slong unc_layer;       /* a general block's branch layer (0-based) that
                              holds the uncertain unit, else -1 (a shorthand
                              block, or an outer activation) */
    double unc_value, unc_bound;
    /* -1, or the first block that has no written bound (every layer and
       activation has one now, [FE 10], so -1; kept for a later layer);
       then J and G are the float values and every bound eh, EG, E is +inf,
       so no comparison is certified by it.  A layer norm whose requirement
       fails (v > 2 e_v, [FE 10]) gets +inf bounds without this.  The layers of
       general blocks are bounded ([FE 10]); their uncertain relu masks and
       max-pool selections are reported as above with the entry's index
       within its layer as unc_unit. */
    slong unbounded_block;
} rj_fast_bound_struct;
typedef rj_fast_bound_struct rj_fast_bound_t[1];

/* init: an empty bound (nothing allocated, certified 1, unc_block -1).
   clear: frees every per-block vector and matrix and leaves b empty. */
void rj_fast_bound_init(rj_fast_bound_t b);
void rj_fast_bound_clear(rj_fast_bound_t b);

/* Compute J and the bound for net (converted from an exact network; a random
   float network counts as exact in itself) at the exact point x (n_in x 1,
   rounded to nearest into the dtype and that rounding accounted for).
   Non-finite float values are RJ_ERR_DOMAIN naming the block. */
int rj_fast_jacobian_bound(rj_fast_bound_t b, const rj_fast_net_t net, const fmpq_mat_t x,
                           rj_error_t err);

/* ------------------------------------------------------------ gradient files */

/* The gradients that `resjac grad --save` writes, named and shaped as
   PyTorch names and shapes them, appended to t:
     "input": dX (batch x n_in floats of f's dtype, one point per row) as
       [batch, C, H, W] for block 1's input shape C x H x W, or [batch, n]
       for a vector (H = W = 1);
     every parameter gradient in dparams (laid out like f->params) under
       rj_net_param_name's names (resjac/model.h): dense weight [out, in],
       conv2d weight [C_out, C_in/groups, kh, kw], biases, affine and
       batchnorm vectors 1-D [C], layernorm's weight and bias [C, H, W] (1-D
       when H = W = 1), a shorthand block's W1, W2, Ws as matrices and b1,
       b2 1-D.
   Not listed: a batchnorm's running mean and var (buffers in PyTorch, no
   gradient there) and a scaled skip's alpha (a constant of the block).  f
   must be net converted by rj_fast_net_set_net (RJ_ERR_INPUT otherwise:
   the block structures differ).  t's data point into dX and dparams, which
   must outlive it. */
int rj_fast_grad_tensors(rj_tensors_t t, const rj_net_t net, const rj_fast_net_t f,
                         const void *dX, slong batch, const void *dparams, rj_error_t err);

#ifdef __cplusplus
}
#endif

#endif
