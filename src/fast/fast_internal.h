/* resjac fast core: internal declarations shared by the files of src/fast.
 *
 * The typed kernels (float and double) are written once in kernels_impl.h and
 * compiled twice (kernels_s.c, kernels_d.c), FLINT-style; their names end in
 * _s and _d.  None of them is exported (no rj_ prefix). */
#ifndef RESJAC_FAST_INTERNAL_H
#define RESJAC_FAST_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include "resjac/fast.h"

/* Everything a block's passes read: the block, its parameters and the stored
   forward values of one batch. */
typedef struct {
    const rj_fast_block_struct *blk;
    const void *W1, *b1, *W2, *b2, *Ws;   /* NULL when absent */
    const void *H;      /* input h_{l-1}, B x n_in */
    const void *Hout;   /* output h_l, B x n_out */
    void *A;            /* hidden activations act(z1), B x n_hidden (two-layer) */
    void *Z;            /* hidden pre-activations z1, or NULL when not stored */
    void *P;            /* POST pre-activations, or NULL when not stored */
    slong B;            /* points */
    /* general blocks: the stored output of layer j (B x size of its output)
       at element offset goff[j] of wbase, j < nbranch + nproj, and
       goff[nbranch + nproj] the PRE input u = sigma(h) (or -1) */
    char *wbase;
    const slong *goff;
    const char *pbase;  /* the network's parameters */
} fast_ctx;

/* Scratch of a backward / tangent step.  Every intermediate has its own
   buffer so that the error bound can read it afterwards ([FE 5]). */
typedef struct {
    void *U;            /* sigma(h) for PRE, B x n_in */
    void *Dpre, *Dact, *Dpost;   /* derivative rows, B x width */
    void *Gp;           /* cotangent after the POST derivative (R x n_out) */
    void *T0;           /* Gp W2 (R x n_hidden) */
    void *Tm;           /* T0 times the inner derivative */
    void *GU;           /* Tm W1 (R x n_in) */
    /* general blocks: two row buffers for the layer-by-layer passes (xcap
       rows of max width), the im2col buffer of one point, the derivative
       rows of an activation layer (B x max width), per-channel factors
       (4 x max width) */
    void *X0, *X1, *Col, *Dl, *Sm;
    void *Cy;           /* FAST_CONV_CHUNK outputs of one conv group */
} fast_scratch;

/* points whose im2col columns one conv gemm takes side by side */
#define FAST_CONV_CHUNK 16

/* Where the step's pointers ended up (aliases resolved). */
typedef struct {
    const void *Gp;     /* = Gout when there is no POST derivative */
    const void *T0, *Tm;/* NULL for one-layer branches (Tm = Gp then) */
    const void *GU;
    const void *Dpre, *Dact, *Dpost;  /* NULL when not used */
} fast_trace;

#define FAST_DECL(SFX, T) \
void fast_act_##SFX(T *y, const T *x, slong n, rj_act_kind kind, T slope); \
void fast_deriv_##SFX(T *d, const T *v, slong n, rj_act_kind kind, T slope, int v_is_output); \
void fast_block_forward_##SFX(T *Y, T *U, const fast_ctx *c); \
void fast_gen_forward_##SFX(T *Y, fast_scratch *s, const fast_ctx *c); \
void fast_gen_layer_forward_##SFX(T *Y, const T *X, slong B, const rj_fast_layer_struct *L, \
                                  const fast_ctx *cx, fast_scratch *s); \
void fast_gen_layer_vjp_##SFX(T *Y, const T *G, slong R, slong sub, slong B, const T *Xv, \
                              const T *Yv, const rj_fast_layer_struct *L, const fast_ctx *cx, \
                              fast_scratch *s); \
void fast_block_backward_##SFX(T *Gin, fast_trace *tr, fast_scratch *s, T *dparams, \
                               const T *Gout, slong R, slong sub, const fast_ctx *c); \
void fast_block_tangent_##SFX(T *Tout, fast_scratch *s, const T *Tin, slong R, slong sub, \
                              const fast_ctx *c); \
void fast_block_graded_##SFX(T *Vnew, slong *kmin, slong *kmax, T *V, T *Q, T *K, T *TT, \
                             fast_scratch *s, slong R, slong sub, const fast_ctx *c); \
void fast_graded_rows_##SFX(T *VT, slong ldv, slong r0, slong r1, slong sub, T *TT, \
                            T *WT, slong *idx, int t, int nt, pthread_barrier_t *bar, \
                            const rj_fast_net_struct *net, \
                            const rj_fast_work_struct *w); \
double fast_sumsq_##SFX(const T *x, slong n);

FAST_DECL(s, float)
FAST_DECL(d, double)

/* Lay out the parameters of net's blocks (shapes and kinds filled in):
   offsets, counts, widths; allocates params (zeroed). */
int fast_net_layout(rj_fast_net_t net, rj_error_t err);

/* Fill c for block l of net from w's stored batch. */
void fast_ctx_set(fast_ctx *c, const rj_fast_net_t net, const rj_fast_work_t w, slong l);
/* Scratch pointers of w. */
void fast_scratch_set(fast_scratch *s, const rj_fast_work_t w);

/* Pointer to element offset off of w's memory. */
void *fast_work_ptr(const rj_fast_work_t w, slong off);
/* Pointer to element off of net's parameters (NULL for off < 0). */
const void *fast_param_ptr(const rj_fast_net_t net, slong off);

/* Checks shared by the passes. */
int fast_check_forward_done(const rj_fast_work_t w, const rj_fast_net_t net, rj_error_t err);

/* rj_block_label of block l of net with its name. */
static inline void
fast_block_label(char *buf, int len, const rj_fast_net_t net, slong l)
{
    rj_block_label(buf, len, l,
                   net->names != NULL && l >= 0 && l < net->len ? net->names[l] : NULL);
}

/* rows of W1 */
static inline slong fast_w1_rows(const rj_fast_block_struct *b)
{
    return b->two_layer ? b->n_hidden : b->n_out;
}

/* 1 if act's derivative can be read from its output (relu, leaky with slope
   >= 0, identity, tanh, sigmoid), so the pre-activation need not be kept. */
static inline int fast_deriv_from_output(rj_act_kind k, double slope)
{
    return k <= RJ_ACT_SIGMOID && !(k == RJ_ACT_LEAKY_RELU && slope < 0);
}

/* Elements of the im2col buffer of one point and one group of a CONV2D
   layer, and of one group's output of one point (0 for other layers). */
static inline slong fast_layer_col_size(const rj_fast_layer_struct *L)
{
    return L->kind == RJ_LAYER_CONV2D
               ? (L->in.c / L->groups) * L->kh * L->kw * L->out.h * L->out.w : 0;
}

static inline slong fast_layer_cy_size(const rj_fast_layer_struct *L)
{
    return L->kind == RJ_LAYER_CONV2D ? (L->out.c / L->groups) * L->out.h * L->out.w : 0;
}

/* 1 if the compacted graded pass (fast_graded_rows) handles b: PRE, relu outer and inner
   activations, two layers, identity skip. */
static inline int fast_graded_compactable(const rj_fast_block_struct *b)
{
    return b->two_layer && b->place == RJ_PLACE_PRE && b->outer == RJ_ACT_RELU
           && b->act == RJ_ACT_RELU && b->skip == RJ_SKIP_IDENTITY;
}

#endif
