/* resjac: the gradients of a float network as named tensors, for gradient
 * files (see rj_fast_grad_tensors in include/resjac/fast.h). */
#include <stdio.h>
#include <string.h>

#include "resjac/fast.h"

/* Append parameter `param` of block l (layer j of the branch or projection)
   when its offset is not -1: ndim dims, its data at offset off of dparams. */
static void
push_param(rj_tensors_t t, const rj_net_t net, slong l, int proj, slong j,
           const char *param, slong off, int ndim, const slong *dims, const char *dp,
           size_t es)
{
    char name[2 * RJ_MAX_NAME_LEN + 80];
    if (off < 0)
        return;
    rj_net_param_name(name, sizeof(name), net, l, proj, j, param);
    rj_tensors_push(t, name, ndim, dims, dp + off * es);
}

/* A per-channel or per-entry vector of shape s: 1-D [C] when H = W = 1 (or
   always, when flat), else [C, H, W]. */
static int
vec_dims(slong *d, rj_shape s, int flat)
{
    if (flat || (s.h == 1 && s.w == 1)) {
        d[0] = flat ? s.c : rj_shape_size(s);
        return 1;
    }
    d[0] = s.c;
    d[1] = s.h;
    d[2] = s.w;
    return 3;
}

/* The parameters of layer j (counted in its sequence) of a general block. */
static void
push_layer(rj_tensors_t t, const rj_net_t net, slong l, int proj, slong j,
           const rj_fast_layer_struct *L, const char *dp, size_t es)
{
    slong d[4];
    int nd;
    switch (L->kind) {
    case RJ_LAYER_DENSE:
        d[0] = L->Wr;
        d[1] = L->Wc;
        push_param(t, net, l, proj, j, "weight", L->W, 2, d, dp, es);
        push_param(t, net, l, proj, j, "bias", L->b, 1, d, dp, es);
        break;
    case RJ_LAYER_CONV2D:
        d[0] = L->Wr;
        d[1] = L->Wc / (L->kh * L->kw);
        d[2] = L->kh;
        d[3] = L->kw;
        push_param(t, net, l, proj, j, "weight", L->W, 4, d, dp, es);
        push_param(t, net, l, proj, j, "bias", L->b, 1, d, dp, es);
        break;
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
    case RJ_LAYER_LAYERNORM:
        nd = vec_dims(d, L->in, L->kind != RJ_LAYER_LAYERNORM);
        push_param(t, net, l, proj, j, "weight", L->scale, nd, d, dp, es);
        push_param(t, net, l, proj, j, "bias", L->shift, nd, d, dp, es);
        break;
    default:                      /* pools, flatten, activations: no parameters */
        break;
    }
}

int
rj_fast_grad_tensors(rj_tensors_t t, const rj_net_t net, const rj_fast_net_t f,
                     const void *dX, slong batch, const void *dparams, rj_error_t err)
{
    size_t es = rj_fast_dtype_size(f->dtype);
    const char *dp = dparams;
    slong l, j, d[4];
    rj_shape in;

    /* the block structures must be the ones rj_fast_net_set_net makes */
    if (net->len != f->len || net->len == 0)
        return rj_error_set(err, RJ_ERR_INPUT, "gradient tensors: the float network has %ld "
                            "blocks, the exact one %ld", (long) f->len, (long) net->len);
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        const rj_fast_block_struct *fb = f->blocks + l;
        if (b->general != fb->general
            || (b->general && (b->branch->len != fb->nbranch || b->proj->len != fb->nproj)))
            return rj_error_set(err, RJ_ERR_INPUT, "gradient tensors: block %ld of the float "
                                "network was not converted from the exact one", (long) l + 1);
    }
    in = rj_block_in_shape(net->blocks);
    d[0] = batch;
    if (in.h == 1 && in.w == 1) {
        d[1] = in.c;
        rj_tensors_push(t, "input", 2, d, dX);
    } else {
        d[1] = in.c;
        d[2] = in.h;
        d[3] = in.w;
        rj_tensors_push(t, "input", 4, d, dX);
    }
    for (l = 0; l < f->len; l++) {
        const rj_fast_block_struct *fb = f->blocks + l;
        if (fb->general) {
            for (j = 0; j < fb->nbranch + fb->nproj; j++) {
                int proj = j >= fb->nbranch;
                push_layer(t, net, l, proj, proj ? j - fb->nbranch : j, fb->layers + j, dp,
                           es);
            }
            continue;
        }
        d[0] = fb->two_layer ? fb->n_hidden : fb->n_out;
        d[1] = fb->n_in;
        push_param(t, net, l, 0, 0, "W1", fb->W1, 2, d, dp, es);
        push_param(t, net, l, 0, 0, "b1", fb->b1, 1, d, dp, es);
        d[0] = fb->n_out;
        d[1] = fb->n_hidden;
        push_param(t, net, l, 0, 0, "W2", fb->W2, 2, d, dp, es);
        push_param(t, net, l, 0, 0, "b2", fb->b2, 1, d, dp, es);
        d[1] = fb->n_in;
        push_param(t, net, l, 0, 0, "Ws", fb->Ws, 2, d, dp, es);
    }
    return RJ_OK;
}
