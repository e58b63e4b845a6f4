/* resjac fast core: float networks -- conversion from and to the exact model,
 * labels.  Rounding to nearest is done by MPFR at the dtype's precision
 * ([FE 2]); weights that leave the dtype's normal range are refused. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>

#include "fast_internal.h"

size_t
rj_fast_dtype_size(rj_fast_dtype t)
{
    return t == RJ_FAST_F32 ? sizeof(float) : sizeof(double);
}

const char *
rj_fast_dtype_name(rj_fast_dtype t)
{
    return t == RJ_FAST_F32 ? "f32" : "f64";
}

void
rj_fast_net_init(rj_fast_net_t net)
{
    memset(net, 0, sizeof(rj_fast_net_struct));
    net->dtype = RJ_FAST_F64;
    net->exact_conv = -1;
}

void
rj_fast_net_clear(rj_fast_net_t net)
{
    slong l;
    if (net->names != NULL) {
        for (l = 0; l < net->len; l++)
            free(net->names[l]);
        free(net->names);
    }
    free(net->blocks);
    free(net->params);
    rj_fast_net_init(net);
}

const void *
fast_param_ptr(const rj_fast_net_t net, slong off)
{
    if (off < 0)
        return NULL;
    return (const char *) net->params + off * rj_fast_dtype_size(net->dtype);
}

/* Lay out the parameters of every block (offsets, counts) and allocate the
   arrays; blocks[] must have shapes and kinds filled in. */
int
fast_net_layout(rj_fast_net_t net, rj_error_t err)
{
    slong l, off = 0, maxw = 0;
    size_t es = rj_fast_dtype_size(net->dtype);
    for (l = 0; l < net->len; l++) {
        rj_fast_block_struct *b = net->blocks + l;
        slong w1r = fast_w1_rows(b);
        slong start = off;
        b->W1 = off;
        off += w1r * b->n_in;
        if (b->b1 >= 0) {
            b->b1 = off;
            off += w1r;
        }
        if (b->two_layer) {
            b->W2 = off;
            off += b->n_out * b->n_hidden;
            if (b->b2 >= 0) {
                b->b2 = off;
                off += b->n_out;
            }
        } else {
            b->W2 = -1;
            b->b2 = -1;
        }
        if (b->skip == RJ_SKIP_PROJECT) {
            b->Ws = off;
            off += b->n_out * b->n_in;
        } else {
            b->Ws = -1;
        }
        b->nparams = off - start;
        maxw = FLINT_MAX(maxw, FLINT_MAX(b->n_in, FLINT_MAX(b->n_out, b->n_hidden)));
        if ((double) off * es > (double) RJ_MAX_BYTES)
            return rj_error_set(err, RJ_ERR_LIMIT,
                                "network parameters exceed %zu bytes (RJ_MAX_BYTES)",
                                (size_t) RJ_MAX_BYTES);
    }
    net->nparams = off;
    net->max_width = maxw;
    if (net->len > 0) {
        net->n_in = net->blocks[0].n_in;
        net->n_out = net->blocks[net->len - 1].n_out;
    }
    net->params = calloc(off > 0 ? off : 1, es);
    if (net->params == NULL)
        return rj_error_set(err, RJ_ERR_MEMORY, "cannot allocate %ld parameters",
                            (long) off);
    return RJ_OK;
}

/* Round q to nearest in the dtype; *exact receives 0 when rounding happened.
   Returns 0, or 1 when the value leaves the normal range. */
static int
fast_round_fmpq(double *out, int *exact, const fmpq_t q, rj_fast_dtype dtype, mpfr_t tmp)
{
    int t;
    mpfr_exp_t e;
    if (fmpq_is_zero(q)) {
        *out = 0;
        return 0;
    }
    t = fmpq_get_mpfr(tmp, q, MPFR_RNDN);
    if (t != 0)
        *exact = 0;
    e = mpfr_get_exp(tmp);   /* |tmp| in [2^(e-1), 2^e) */
    if (dtype == RJ_FAST_F32) {
        if (e > FLT_MAX_EXP || e - 1 < FLT_MIN_EXP - 1)
            return 1;
    } else {
        if (e > DBL_MAX_EXP || e - 1 < DBL_MIN_EXP - 1)
            return 1;
    }
    *out = mpfr_get_d(tmp, MPFR_RNDN);  /* exact: tmp has the dtype's precision */
    return 0;
}

static int
fast_set_value(void *params, slong off, const fmpq_t q, rj_fast_dtype dtype, int *exact,
               mpfr_t tmp, const rj_fast_net_t net, slong l, const char *what,
               rj_error_t err)
{
    double d;
    if (fast_round_fmpq(&d, exact, q, dtype, tmp)) {
        char lab[300];
        fast_block_label(lab, sizeof(lab), net, l);
        return rj_error_set(err, RJ_ERR_DOMAIN,
                            "%s: %s has a value outside the normal range of %s "
                            "(overflow or below %s's smallest normal number)",
                            lab, what, rj_fast_dtype_name(dtype),
                            rj_fast_dtype_name(dtype));
    }
    if (dtype == RJ_FAST_F32)
        ((float *) params)[off] = (float) d;
    else
        ((double *) params)[off] = d;
    return RJ_OK;
}

static int
fast_set_mat(void *params, slong off, const fmpq_mat_t M, rj_fast_dtype dtype, int *exact,
             mpfr_t tmp, const rj_fast_net_t net, slong l, const char *what,
             rj_error_t err)
{
    slong i, j, c = fmpq_mat_ncols(M);
    for (i = 0; i < fmpq_mat_nrows(M); i++)
        for (j = 0; j < c; j++) {
            int st = fast_set_value(params, off + i * c + j, fmpq_mat_entry(M, i, j),
                                    dtype, exact, tmp, net, l, what, err);
            if (st != RJ_OK)
                return st;
        }
    return RJ_OK;
}

static int
mat_empty(const fmpq_mat_t A)
{
    return fmpq_mat_nrows(A) == 0 || fmpq_mat_ncols(A) == 0;
}

/* Shapes and kinds of one block of a valid network (resjac/model.h: the model
   checked the shapes). */
static void
fast_block_fill(rj_fast_block_struct *fb, const rj_block_struct *b)
{
    slong n_in = fmpq_mat_ncols(b->W1);
    slong h = b->two_layer ? fmpq_mat_nrows(b->W1) : 0;
    slong n_out = b->two_layer ? fmpq_mat_nrows(b->W2) : fmpq_mat_nrows(b->W1);
    fb->n_in = n_in;
    fb->n_out = n_out;
    fb->n_hidden = h;
    fb->two_layer = b->two_layer != 0;
    fb->skip = b->skip;
    fb->place = b->place;
    fb->act = b->two_layer ? b->act->kind : RJ_ACT_IDENTITY;
    fb->outer = b->place == RJ_PLACE_NONE ? RJ_ACT_IDENTITY : b->outer->kind;
    fb->b1 = mat_empty(b->b1) ? -1 : 0;
    fb->b2 = b->two_layer && !mat_empty(b->b2) ? 0 : -1;
}

int
rj_fast_net_set_net(rj_fast_net_t net, const rj_net_t src, rj_fast_dtype dtype,
                    rj_error_t err)
{
    slong l;
    int st = RJ_OK, exact = 1;
    mpfr_t tmp;
    char lab[300];

    rj_fast_net_clear(net);
    for (l = 0; l < src->len; l++) {
        const rj_block_struct *b = src->blocks + l;
        if (b->general || b->act->kind > RJ_ACT_SIGMOID
            || (b->place != RJ_PLACE_NONE && b->outer->kind > RJ_ACT_SIGMOID)) {
            rj_net_block_label(lab, sizeof(lab), src, l);
            return rj_error_set(err, RJ_ERR_DOMAIN,
                                "%s: the fast layer takes W1/act/W2 blocks with identity, "
                                "relu, leaky_relu, tanh or sigmoid only (layer sequences "
                                "and other activations: not yet)", lab);
        }
    }
    net->dtype = dtype;
    net->len = src->len;
    net->blocks = calloc(src->len > 0 ? src->len : 1, sizeof(rj_fast_block_struct));
    net->names = calloc(src->len > 0 ? src->len : 1, sizeof(char *));
    if (net->blocks == NULL || net->names == NULL) {
        rj_fast_net_clear(net);
        return rj_error_set(err, RJ_ERR_MEMORY, "cannot allocate %ld blocks",
                            (long) src->len);
    }
    for (l = 0; l < src->len; l++) {
        if (src->names != NULL && src->names[l] != NULL) {
            net->names[l] = strdup(src->names[l]);
            if (net->names[l] == NULL) {
                rj_fast_net_clear(net);
                return rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
            }
        }
    }
    for (l = 0; l < src->len; l++)
        fast_block_fill(net->blocks + l, src->blocks + l);
    st = fast_net_layout(net, err);
    if (st != RJ_OK)
        goto fail;

    mpfr_init2(tmp, dtype == RJ_FAST_F32 ? FLT_MANT_DIG : DBL_MANT_DIG);
    for (l = 0; l < src->len && st == RJ_OK; l++) {
        rj_fast_block_struct *fb = net->blocks + l;
        const rj_block_struct *b = src->blocks + l;
        double d;
        st = fast_set_mat(net->params, fb->W1, b->W1, dtype, &exact, tmp, net, l, "W1", err);
        if (st == RJ_OK && fb->b1 >= 0)
            st = fast_set_mat(net->params, fb->b1, b->b1, dtype, &exact, tmp, net, l, "b1",
                              err);
        if (st == RJ_OK && fb->two_layer)
            st = fast_set_mat(net->params, fb->W2, b->W2, dtype, &exact, tmp, net, l, "W2",
                              err);
        if (st == RJ_OK && fb->b2 >= 0)
            st = fast_set_mat(net->params, fb->b2, b->b2, dtype, &exact, tmp, net, l, "b2",
                              err);
        if (st == RJ_OK && fb->Ws >= 0)
            st = fast_set_mat(net->params, fb->Ws, b->Ws, dtype, &exact, tmp, net, l, "Ws",
                              err);
        if (st != RJ_OK)
            break;
        fb->alpha = 1;
        if (fb->skip == RJ_SKIP_SCALED) {
            if (fast_round_fmpq(&d, &exact, b->alpha, dtype, tmp)) {
                fast_block_label(lab, sizeof(lab), net, l);
                st = rj_error_set(err, RJ_ERR_DOMAIN, "%s: alpha outside the range of %s",
                                  lab, rj_fast_dtype_name(dtype));
                break;
            }
            fb->alpha = d;
        }
        fb->act_slope = fb->outer_slope = 0;
        if (fb->act == RJ_ACT_LEAKY_RELU) {
            if (fast_round_fmpq(&d, &exact, b->act->slope, dtype, tmp)) {
                fast_block_label(lab, sizeof(lab), net, l);
                st = rj_error_set(err, RJ_ERR_DOMAIN, "%s: slope outside the range of %s",
                                  lab, rj_fast_dtype_name(dtype));
                break;
            }
            fb->act_slope = d;
        }
        if (fb->outer == RJ_ACT_LEAKY_RELU) {
            if (fast_round_fmpq(&d, &exact, b->outer->slope, dtype, tmp)) {
                fast_block_label(lab, sizeof(lab), net, l);
                st = rj_error_set(err, RJ_ERR_DOMAIN, "%s: slope outside the range of %s",
                                  lab, rj_fast_dtype_name(dtype));
                break;
            }
            fb->outer_slope = d;
        }
    }
    mpfr_clear(tmp);
    if (st != RJ_OK)
        goto fail;
    net->exact_conv = exact;
    return RJ_OK;
fail:
    rj_fast_net_clear(net);
    net->dtype = dtype;
    return st;
}

int
rj_fast_net_set_fast(rj_fast_net_t net, const rj_fast_net_t src, rj_fast_dtype dtype,
                     rj_error_t err)
{
    slong l, i;
    int st;
    rj_fast_net_t tmp;
    rj_fast_net_init(tmp);
    tmp->dtype = dtype;
    tmp->len = src->len;
    tmp->blocks = calloc(src->len > 0 ? src->len : 1, sizeof(rj_fast_block_struct));
    tmp->names = calloc(src->len > 0 ? src->len : 1, sizeof(char *));
    if (tmp->blocks == NULL || tmp->names == NULL) {
        rj_fast_net_clear(tmp);
        return rj_error_set(err, RJ_ERR_MEMORY, "cannot allocate %ld blocks",
                            (long) src->len);
    }
    for (l = 0; l < src->len; l++) {
        tmp->blocks[l] = src->blocks[l];
        if (src->names != NULL && src->names[l] != NULL)
            tmp->names[l] = strdup(src->names[l]);
    }
    st = fast_net_layout(tmp, err);
    if (st != RJ_OK) {
        rj_fast_net_clear(tmp);
        return st;
    }
    for (i = 0; i < src->nparams; i++) {
        double v = src->dtype == RJ_FAST_F32 ? ((const float *) src->params)[i]
                                              : ((const double *) src->params)[i];
        if (dtype == RJ_FAST_F32)
            ((float *) tmp->params)[i] = (float) v;
        else
            ((double *) tmp->params)[i] = v;
    }
    for (l = 0; l < src->len; l++) {
        rj_fast_block_struct *b = tmp->blocks + l;
        if (dtype == RJ_FAST_F32) {
            b->alpha = (float) b->alpha;
            b->act_slope = (float) b->act_slope;
            b->outer_slope = (float) b->outer_slope;
        }
    }
    tmp->exact_conv = -1;
    rj_fast_net_clear(net);
    *net = *tmp;
    return RJ_OK;
}

static void
get_mat(fmpq_mat_t M, slong r, slong c, const rj_fast_net_t src, slong off)
{
    slong i, j;
    fmpq_mat_clear(M);
    fmpq_mat_init(M, r, c);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            double v = src->dtype == RJ_FAST_F32
                           ? ((const float *) src->params)[off + i * c + j]
                           : ((const double *) src->params)[off + i * c + j];
            rj_fmpq_set_d_exact(fmpq_mat_entry(M, i, j), v);
        }
}

void
rj_fast_net_get_net(rj_net_t dst, const rj_fast_net_t src)
{
    slong l;
    rj_net_t out;
    rj_net_init(out);
    for (l = 0; l < src->len; l++) {
        const rj_fast_block_struct *fb = src->blocks + l;
        rj_block_t b;
        slong w1r = fast_w1_rows(fb);
        rj_block_init(b);
        b->skip = fb->skip;
        b->place = fb->place;
        b->two_layer = fb->two_layer;
        get_mat(b->W1, w1r, fb->n_in, src, fb->W1);
        if (fb->b1 >= 0)
            get_mat(b->b1, w1r, 1, src, fb->b1);
        if (fb->two_layer) {
            get_mat(b->W2, fb->n_out, fb->n_hidden, src, fb->W2);
            if (fb->b2 >= 0)
                get_mat(b->b2, fb->n_out, 1, src, fb->b2);
            b->act->kind = fb->act;
            if (fb->act == RJ_ACT_LEAKY_RELU)
                rj_fmpq_set_d_exact(b->act->slope, fb->act_slope);
        }
        if (fb->skip == RJ_SKIP_PROJECT)
            get_mat(b->Ws, fb->n_out, fb->n_in, src, fb->Ws);
        if (fb->skip == RJ_SKIP_SCALED)
            rj_fmpq_set_d_exact(b->alpha, fb->alpha);
        b->outer->kind = fb->outer;
        if (fb->outer == RJ_ACT_LEAKY_RELU)
            rj_fmpq_set_d_exact(b->outer->slope, fb->outer_slope);
        b->n_in = fb->n_in;
        b->n_hidden = fb->n_hidden;
        b->n_out = fb->n_out;
        rj_net_append(out, b, src->names != NULL ? src->names[l] : NULL);
        rj_block_clear(b);
    }
    rj_net_clear(dst);
    *dst = *out;
}
