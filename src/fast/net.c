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
    if (net->blocks != NULL)
        for (l = 0; l < net->len; l++)
            free(net->blocks[l].layers);
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

/* Parameter offsets of a general block's layers from off (entries that
   are -1 stay absent, 0 means present); returns the next offset and raises
   *maxw to the widest tensor. */
static slong
fast_layers_layout(rj_fast_block_struct *b, slong off, slong *maxw)
{
    slong j;
    for (j = 0; j < b->nbranch + b->nproj; j++) {
        rj_fast_layer_struct *L = b->layers + j;
        slong C = L->in.c, n = rj_shape_size(L->in);
        slong per = L->kind == RJ_LAYER_LAYERNORM ? n : C;
#define FAST_TAKE(field, count) \
        if (L->field >= 0) {    \
            L->field = off;     \
            off += (count);     \
        }
        FAST_TAKE(W, L->Wr * L->Wc)
        FAST_TAKE(b, L->Wr)
        FAST_TAKE(scale, per)
        FAST_TAKE(shift, per)
        FAST_TAKE(mean, C)
        FAST_TAKE(var, C)
#undef FAST_TAKE
        *maxw = FLINT_MAX(*maxw, FLINT_MAX(n, rj_shape_size(L->out)));
    }
    *maxw = FLINT_MAX(*maxw, FLINT_MAX(b->n_in, b->n_out));
    return off;
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
        b->first = off;
        if (b->general) {
            off = fast_layers_layout(b, off, &maxw);
            b->nparams = off - start;
            if ((double) off * es > (double) RJ_MAX_BYTES)
                return rj_error_set(err, RJ_ERR_LIMIT,
                                    "network parameters exceed %zu bytes (RJ_MAX_BYTES)",
                                    (size_t) RJ_MAX_BYTES);
            continue;
        }
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

/* The activation's parameter (leaky_relu slope, softplus beta, elu alpha),
   or NULL when it has none. */
static const fmpq *
act_param(const rj_act_t a)
{
    switch (a->kind) {
    case RJ_ACT_LEAKY_RELU:
        return a->slope;
    case RJ_ACT_SOFTPLUS:
    case RJ_ACT_ELU:
        return a->param;
    default:
        return NULL;
    }
}

/* Shapes, kinds and present parameters of a general block (offsets 0 when
   present, -1 when absent; fast_layers_layout places them).  Returns 0, or
   -1 when out of memory. */
static int
fast_block_fill_general(rj_fast_block_struct *fb, const rj_block_struct *b)
{
    slong j, nb = b->branch->len, np = b->skip == RJ_SKIP_PROJECT ? b->proj->len : 0;
    fb->general = 1;
    fb->in_shape = b->in;
    fb->out_shape = b->out;
    fb->n_in = rj_shape_size(b->in);
    fb->n_out = rj_shape_size(b->out);
    fb->n_hidden = 0;
    fb->two_layer = 0;
    fb->skip = b->skip;
    fb->place = b->place;
    fb->act = RJ_ACT_IDENTITY;
    fb->outer = b->place == RJ_PLACE_NONE ? RJ_ACT_IDENTITY : b->outer->kind;
    fb->W1 = fb->b1 = fb->W2 = fb->b2 = fb->Ws = -1;
    fb->nbranch = nb;
    fb->nproj = np;
    fb->layers = calloc(nb + np > 0 ? nb + np : 1, sizeof(rj_fast_layer_struct));
    if (fb->layers == NULL)
        return -1;
    for (j = 0; j < nb + np; j++) {
        const rj_layer_struct *L = j < nb ? b->branch->layers + j : b->proj->layers + (j - nb);
        rj_fast_layer_struct *F = fb->layers + j;
        F->kind = L->kind;
        F->in = L->in;
        F->out = L->out;
        F->kh = L->kh;
        F->kw = L->kw;
        F->ph = L->ph;
        F->pw = L->pw;
        F->dh = L->dh;
        F->dw = L->dw;
        F->groups = L->groups;
        F->sh = L->sh > 0 ? L->sh : L->kh;
        F->sw = L->sw > 0 ? L->sw : L->kw;
        F->act = L->kind == RJ_LAYER_ACT ? L->act->kind : RJ_ACT_IDENTITY;
        F->Wr = fmpq_mat_nrows(L->W);
        F->Wc = fmpq_mat_ncols(L->W);
        F->W = L->kind == RJ_LAYER_DENSE || L->kind == RJ_LAYER_CONV2D ? 0 : -1;
        F->b = F->W >= 0 && !mat_empty(L->b) ? 0 : -1;
        F->scale = (L->kind == RJ_LAYER_AFFINE || L->kind == RJ_LAYER_BATCHNORM
                    || L->kind == RJ_LAYER_LAYERNORM) && !mat_empty(L->scale) ? 0 : -1;
        F->shift = (L->kind == RJ_LAYER_AFFINE || L->kind == RJ_LAYER_BATCHNORM
                    || L->kind == RJ_LAYER_LAYERNORM) && !mat_empty(L->shift) ? 0 : -1;
        F->mean = F->var = L->kind == RJ_LAYER_BATCHNORM ? 0 : -1;
    }
    return 0;
}

/* The parameters of a general block, rounded ([FE 2]). */
static int
fast_set_general(rj_fast_net_t net, slong l, const rj_block_struct *b, int *exact,
                 mpfr_t tmp, rj_error_t err)
{
    rj_fast_block_struct *fb = net->blocks + l;
    slong j, nb = fb->nbranch;
    int st = RJ_OK;
    for (j = 0; j < nb + fb->nproj && st == RJ_OK; j++) {
        const rj_layer_struct *L = j < nb ? b->branch->layers + j : b->proj->layers + (j - nb);
        rj_fast_layer_struct *F = fb->layers + j;
        const fmpq *p = L->kind == RJ_LAYER_ACT ? act_param(L->act) : NULL;
        char what[64];
        snprintf(what, sizeof(what), "%s layer %ld", j < nb ? "branch" : "projection",
                 (long) (j < nb ? j + 1 : j - nb + 1));
        if (F->W >= 0)
            st = fast_set_mat(net->params, F->W, L->W, net->dtype, exact, tmp, net, l, what,
                              err);
        if (st == RJ_OK && F->b >= 0)
            st = fast_set_mat(net->params, F->b, L->b, net->dtype, exact, tmp, net, l, what,
                              err);
        if (st == RJ_OK && F->scale >= 0)
            st = fast_set_mat(net->params, F->scale, L->scale, net->dtype, exact, tmp, net, l,
                              what, err);
        if (st == RJ_OK && F->shift >= 0)
            st = fast_set_mat(net->params, F->shift, L->shift, net->dtype, exact, tmp, net, l,
                              what, err);
        if (st == RJ_OK && F->mean >= 0)
            st = fast_set_mat(net->params, F->mean, L->mean, net->dtype, exact, tmp, net, l,
                              what, err);
        if (st == RJ_OK && F->var >= 0)
            st = fast_set_mat(net->params, F->var, L->var, net->dtype, exact, tmp, net, l,
                              what, err);
        if (st == RJ_OK && (p != NULL
                            || L->kind == RJ_LAYER_BATCHNORM || L->kind == RJ_LAYER_LAYERNORM)) {
            double d = 0;
            if (fast_round_fmpq(&d, exact, p != NULL ? p : L->eps, net->dtype, tmp)) {
                char lab[300];
                fast_block_label(lab, sizeof(lab), net, l);
                st = rj_error_set(err, RJ_ERR_DOMAIN, "%s: %s: %s outside the range of %s",
                                  lab, what, p != NULL ? "the activation's parameter" : "eps",
                                  rj_fast_dtype_name(net->dtype));
            }
            if (p != NULL)
                F->param = d;
            else
                F->eps = d;
        }
    }
    return st;
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
    for (l = 0; l < src->len; l++) {
        if (!src->blocks[l].general)
            fast_block_fill(net->blocks + l, src->blocks + l);
        else if (fast_block_fill_general(net->blocks + l, src->blocks + l) != 0) {
            rj_fast_net_clear(net);
            return rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
        }
    }
    st = fast_net_layout(net, err);
    if (st != RJ_OK)
        goto fail;

    mpfr_init2(tmp, dtype == RJ_FAST_F32 ? FLT_MANT_DIG : DBL_MANT_DIG);
    for (l = 0; l < src->len && st == RJ_OK; l++) {
        rj_fast_block_struct *fb = net->blocks + l;
        const rj_block_struct *b = src->blocks + l;
        double d;
        if (fb->general)
            st = fast_set_general(net, l, b, &exact, tmp, err);
        else
            st = fast_set_mat(net->params, fb->W1, b->W1, dtype, &exact, tmp, net, l, "W1",
                              err);
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
        if (!fb->general && act_param(b->act) != NULL && fb->act == b->act->kind) {
            if (fast_round_fmpq(&d, &exact, act_param(b->act), dtype, tmp)) {
                fast_block_label(lab, sizeof(lab), net, l);
                st = rj_error_set(err, RJ_ERR_DOMAIN, "%s: slope outside the range of %s",
                                  lab, rj_fast_dtype_name(dtype));
                break;
            }
            fb->act_slope = d;
        }
        if (fb->outer != RJ_ACT_IDENTITY && act_param(b->outer) != NULL) {
            if (fast_round_fmpq(&d, &exact, act_param(b->outer), dtype, tmp)) {
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
        const rj_fast_block_struct *sb = src->blocks + l;
        tmp->blocks[l] = *sb;
        tmp->blocks[l].layers = NULL;
        if (sb->general) {
            size_t nl = (size_t) (sb->nbranch + sb->nproj);
            tmp->blocks[l].layers = malloc((nl > 0 ? nl : 1) * sizeof(rj_fast_layer_struct));
            if (tmp->blocks[l].layers == NULL) {
                rj_fast_net_clear(tmp);
                return rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
            }
            memcpy(tmp->blocks[l].layers, sb->layers, nl * sizeof(rj_fast_layer_struct));
        }
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
            slong j;
            b->alpha = (float) b->alpha;
            b->act_slope = (float) b->act_slope;
            b->outer_slope = (float) b->outer_slope;
            for (j = 0; b->general && j < b->nbranch + b->nproj; j++) {
                b->layers[j].param = (float) b->layers[j].param;
                b->layers[j].eps = (float) b->layers[j].eps;
            }
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

/* the activation of kind k with the float parameter p (exact) */
static void
get_act(rj_act_t a, rj_act_kind k, double p)
{
    rj_act_set_kind(a, k);
    if (k == RJ_ACT_LEAKY_RELU)
        rj_fmpq_set_d_exact(a->slope, p);
    else if (k == RJ_ACT_SOFTPLUS || k == RJ_ACT_ELU)
        rj_fmpq_set_d_exact(a->param, p);
}

/* b (initialised here) becomes the exact general block of the float block fb */
static void
get_general(rj_block_t b, const rj_fast_block_struct *fb, const rj_fast_net_t src)
{
    slong j;
    rj_error_t e;
    rj_block_init_general(b, fb->in_shape);
    b->skip = fb->skip;
    b->place = fb->place;
    if (fb->place != RJ_PLACE_NONE)
        get_act(b->outer, fb->outer, fb->outer_slope);
    if (fb->skip == RJ_SKIP_SCALED)
        rj_fmpq_set_d_exact(b->alpha, fb->alpha);
    for (j = 0; j < fb->nbranch + fb->nproj; j++) {
        const rj_fast_layer_struct *F = fb->layers + j;
        rj_layer_struct L;
        slong per = F->kind == RJ_LAYER_LAYERNORM ? rj_shape_size(F->in) : F->in.c;
        rj_layer_init(&L, F->kind);
        L.kh = F->kh;
        L.kw = F->kw;
        L.sh = F->sh;
        L.sw = F->sw;
        L.ph = F->ph;
        L.pw = F->pw;
        L.dh = F->dh;
        L.dw = F->dw;
        L.groups = F->groups;
        if (F->W >= 0)
            get_mat(L.W, F->Wr, F->Wc, src, F->W);
        if (F->b >= 0)
            get_mat(L.b, F->Wr, 1, src, F->b);
        if (F->scale >= 0)
            get_mat(L.scale, per, 1, src, F->scale);
        if (F->shift >= 0)
            get_mat(L.shift, per, 1, src, F->shift);
        if (F->mean >= 0)
            get_mat(L.mean, per, 1, src, F->mean);
        if (F->var >= 0)
            get_mat(L.var, per, 1, src, F->var);
        if (F->kind == RJ_LAYER_BATCHNORM || F->kind == RJ_LAYER_LAYERNORM)
            rj_fmpq_set_d_exact(L.eps, F->eps);
        if (F->kind == RJ_LAYER_ACT)
            get_act(L.act, F->act, F->param);
        rj_seq_push(j < fb->nbranch ? b->branch : b->proj, &L);
        rj_layer_clear(&L);
    }
    /* the shapes are the float block's, so valid; this fills the derived
       fields */
    rj_error_init(e);
    rj_block_validate(b, NULL, e);
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
        if (fb->general) {
            get_general(b, fb, src);
            rj_net_append(out, b, src->names != NULL ? src->names[l] : NULL);
            rj_block_clear(b);
            continue;
        }
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
