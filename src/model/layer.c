/* resjac: layers and layer sequences of general blocks, with their shapes
   (see include/resjac/model.h). */
#include <stdio.h>
#include <string.h>

#include "resjac/model.h"

slong
rj_shape_size(rj_shape s)
{
    return s.c * s.h * s.w;
}

void
rj_shape_name(char *buf, int len, rj_shape s)
{
    if (len <= 0)
        return;
    if (s.h == 1 && s.w == 1)
        snprintf(buf, len, "%ld", (long) s.c);
    else
        snprintf(buf, len, "%ld x %ld x %ld", (long) s.c, (long) s.h, (long) s.w);
}

/* ---------------------------------------------------------------- one layer */

void
rj_layer_init(rj_layer_struct *L, rj_layer_kind kind)
{
    memset(L, 0, sizeof(*L));
    L->kind = kind;
    fmpq_mat_init(L->W, 0, 0);
    fmpq_mat_init(L->b, 0, 0);
    fmpq_mat_init(L->scale, 0, 0);
    fmpq_mat_init(L->shift, 0, 0);
    fmpq_mat_init(L->mean, 0, 0);
    fmpq_mat_init(L->var, 0, 0);
    fmpq_init(L->eps);
    fmpq_set_si(L->eps, 1, 100000);
    L->sh = L->sw = (kind == RJ_LAYER_AVGPOOL || kind == RJ_LAYER_MAXPOOL) ? 0 : 1;
    L->dh = L->dw = 1;
    L->groups = 1;
    rj_act_init(L->act);
}

void
rj_layer_clear(rj_layer_struct *L)
{
    fmpq_mat_clear(L->W);
    fmpq_mat_clear(L->b);
    fmpq_mat_clear(L->scale);
    fmpq_mat_clear(L->shift);
    fmpq_mat_clear(L->mean);
    fmpq_mat_clear(L->var);
    fmpq_clear(L->eps);
    rj_act_clear(L->act);
    flint_free(L->name);
    L->name = NULL;
}

static void
copy_mat(fmpq_mat_t A, const fmpq_mat_t B)
{
    if (fmpq_mat_nrows(A) != fmpq_mat_nrows(B) || fmpq_mat_ncols(A) != fmpq_mat_ncols(B)) {
        fmpq_mat_clear(A);
        fmpq_mat_init(A, fmpq_mat_nrows(B), fmpq_mat_ncols(B));
    }
    fmpq_mat_set(A, B);
}

void
rj_layer_set(rj_layer_struct *L, const rj_layer_struct *M)
{
    if (L == M)
        return;
    L->kind = M->kind;
    L->in = M->in;
    L->out = M->out;
    copy_mat(L->W, M->W);
    copy_mat(L->b, M->b);
    copy_mat(L->scale, M->scale);
    copy_mat(L->shift, M->shift);
    copy_mat(L->mean, M->mean);
    copy_mat(L->var, M->var);
    fmpq_set(L->eps, M->eps);
    L->kh = M->kh;
    L->kw = M->kw;
    L->sh = M->sh;
    L->sw = M->sw;
    L->ph = M->ph;
    L->pw = M->pw;
    L->dh = M->dh;
    L->dw = M->dw;
    L->groups = M->groups;
    rj_act_set(L->act, M->act);
    flint_free(L->name);
    L->name = rj_strdup(M->name);
}

static const char *
kind_word(rj_layer_kind k)
{
    switch (k) {
    case RJ_LAYER_DENSE: return "dense";
    case RJ_LAYER_CONV2D: return "conv2d";
    case RJ_LAYER_AFFINE: return "affine";
    case RJ_LAYER_BATCHNORM: return "batchnorm";
    case RJ_LAYER_LAYERNORM: return "layernorm";
    case RJ_LAYER_AVGPOOL: return "avgpool";
    case RJ_LAYER_MAXPOOL: return "maxpool";
    case RJ_LAYER_GAP: return "global_avgpool";
    case RJ_LAYER_FLATTEN: return "flatten";
    case RJ_LAYER_ACT: return "activation";
    default: return "unknown layer";
    }
}

void
rj_layer_name(char *buf, int len, const rj_layer_struct *L)
{
    if (len <= 0)
        return;
    switch (L->kind) {
    case RJ_LAYER_ACT:
        rj_act_name(buf, len, L->act);
        break;
    case RJ_LAYER_DENSE:
        snprintf(buf, len, "dense %ld -> %ld", (long) fmpq_mat_ncols(L->W),
                 (long) fmpq_mat_nrows(L->W));
        break;
    case RJ_LAYER_CONV2D:
        snprintf(buf, len, "conv2d %ld -> %ld, %ldx%ld, stride %ld, padding %ld",
                 (long) L->in.c, (long) fmpq_mat_nrows(L->W), (long) L->kh, (long) L->kw,
                 (long) L->sh, (long) L->ph);
        break;
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_MAXPOOL:
        snprintf(buf, len, "%s %ldx%ld, stride %ld", kind_word(L->kind), (long) L->kh,
                 (long) L->kw, (long) (L->sh > 0 ? L->sh : L->kh));
        break;
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
        snprintf(buf, len, "%s(%ld)", kind_word(L->kind),
                 (long) fmpq_mat_nrows(L->kind == RJ_LAYER_BATCHNORM ? L->var : L->scale));
        break;
    default:
        snprintf(buf, len, "%s", kind_word(L->kind));
        break;
    }
}

int
rj_layer_is_affine(const rj_layer_struct *L)
{
    switch (L->kind) {
    case RJ_LAYER_DENSE:
    case RJ_LAYER_CONV2D:
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_GAP:
    case RJ_LAYER_FLATTEN:
        return 1;
    case RJ_LAYER_ACT:
        return L->act->kind == RJ_ACT_IDENTITY
               || (L->act->kind == RJ_ACT_LEAKY_RELU && fmpq_is_one(L->act->slope));
    default:
        return 0;
    }
}

int
rj_layer_is_piecewise_linear(const rj_layer_struct *L)
{
    if (rj_layer_is_affine(L) || L->kind == RJ_LAYER_MAXPOOL)
        return 1;
    return L->kind == RJ_LAYER_ACT && rj_act_is_piecewise_linear(L->act);
}

/* 1 if q >= 0 is the square of a rational. */
static int
fmpq_is_square_nonneg(const fmpq_t q)
{
    return fmpq_sgn(q) >= 0 && fmpz_is_square(fmpq_numref(q))
           && fmpz_is_square(fmpq_denref(q));
}

static int
fmpq_is_positive(const fmpq_t q)
{
    return fmpq_sgn(q) > 0;
}

/* The first channel c (0-based) of a batchnorm layer whose var[c] + eps fails
   ok, or -1.  Kept out of line: inlined into rj_seq_validate, GCC 12 takes
   L->eps for an 8-byte object and warns (-Wstringop-overread). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static slong
bn_first_failing(const rj_layer_struct *L, int (*ok)(const fmpq_t))
{
    slong c, n = fmpq_mat_nrows(L->var), bad = -1;
    fmpq_t t;
    fmpq_init(t);
    for (c = 0; c < n && bad < 0; c++) {
        fmpq_add(t, fmpq_mat_entry(L->var, c, 0), L->eps);
        if (!ok(t))
            bad = c;
    }
    fmpq_clear(t);
    return bad;
}

int
rj_layer_is_rational(const rj_layer_struct *L, char *why, int len)
{
    char name[64];
    if (L->kind == RJ_LAYER_BATCHNORM) {
        slong c = bn_first_failing(L, fmpq_is_square_nonneg);
        if (c >= 0 && why != NULL && len > 0)
            snprintf(why, len, "batchnorm: sqrt(var + eps) is irrational for channel %ld",
                     (long) c + 1);
        return c < 0;
    }
    if (rj_layer_is_piecewise_linear(L))
        return 1;
    if (why != NULL && len > 0) {
        if (L->kind == RJ_LAYER_LAYERNORM)
            snprintf(why, len, "layernorm divides by a square root");
        else {
            rj_layer_name(name, sizeof(name), L);
            snprintf(why, len, "%s leaves the rationals", name);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- sequences */

void
rj_seq_init(rj_seq_t s)
{
    s->len = s->alloc = 0;
    s->layers = NULL;
}

void
rj_seq_clear(rj_seq_t s)
{
    slong i;
    for (i = 0; i < s->len; i++)
        rj_layer_clear(s->layers + i);
    flint_free(s->layers);
    s->layers = NULL;
    s->len = s->alloc = 0;
}

void
rj_seq_push(rj_seq_t s, const rj_layer_struct *L)
{
    if (s->len == s->alloc) {
        s->alloc = FLINT_MAX(4, 2 * s->alloc);
        s->layers = flint_realloc(s->layers, s->alloc * sizeof(rj_layer_struct));
    }
    rj_layer_init(s->layers + s->len, L->kind);
    rj_layer_set(s->layers + s->len, L);
    s->len++;
}

void
rj_seq_set(rj_seq_t s, const rj_seq_t t)
{
    slong i;
    if (s == t)
        return;
    rj_seq_clear(s);
    for (i = 0; i < t->len; i++)
        rj_seq_push(s, t->layers + i);
}

#define MSHAPE(A) (long) fmpq_mat_nrows(A), (long) fmpq_mat_ncols(A)

/* A parameter column of n entries, or (optional) 0x0. */
static int
check_column(const fmpq_mat_t A, slong n, int optional, const char *what, const char *pre,
             rj_error_t err)
{
    if (optional && fmpq_mat_nrows(A) == 0 && fmpq_mat_ncols(A) == 0)
        return RJ_OK;
    if (fmpq_mat_nrows(A) != n || fmpq_mat_ncols(A) != 1)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: %s is %ld x %ld but must be a %ld x 1 "
                                               "column (one entry per %s)",
                            pre, what, MSHAPE(A), (long) n,
                            strcmp(what, "gamma") == 0 || strcmp(what, "beta") == 0 ? "entry"
                                                                                    : "channel");
    return RJ_OK;
}

/* Output extent of a window of k taps, stride s, dilation d, padding p over n
   entries (floor mode); < 1 when the window does not fit. */
static slong
window_out(slong n, slong k, slong s, slong p, slong d)
{
    slong span = d * (k - 1) + 1;
    if (n + 2 * p < span)
        return 0;
    return (n + 2 * p - span) / s + 1;
}

static int
layer_validate(rj_layer_struct *L, rj_shape in, const char *pre, rj_error_t err)
{
    char is[64];
    slong n = rj_shape_size(in);
    int st;

    rj_shape_name(is, sizeof(is), in);
    L->in = in;
    L->out = in;
    switch (L->kind) {
    case RJ_LAYER_DENSE:
        if (fmpq_mat_nrows(L->W) == 0 || fmpq_mat_ncols(L->W) != n)
            return rj_error_set(err, RJ_ERR_INPUT, "%s: W is %ld x %ld but the input has "
                                                   "shape %s (%ld entries): W needs %ld "
                                                   "columns",
                                pre, MSHAPE(L->W), is, (long) n, (long) n);
        if ((st = check_column(L->b, fmpq_mat_nrows(L->W), 1, "the bias", pre, err)) != RJ_OK)
            return st;
        L->out.c = fmpq_mat_nrows(L->W);
        L->out.h = L->out.w = 1;
        break;
    case RJ_LAYER_CONV2D: {
        slong cin_g, taps, co = fmpq_mat_nrows(L->W);
        if (L->groups < 1 || L->sh < 1 || L->sw < 1 || L->dh < 1 || L->dw < 1 || L->ph < 0
            || L->pw < 0 || L->kh < 1 || L->kw < 1)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: kernel, stride, dilation and groups must be positive "
                                "and padding non-negative", pre);
        if (in.c % L->groups != 0 || co % L->groups != 0 || co == 0)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: %ld input and %ld output channels are not divisible "
                                "into %ld groups", pre, (long) in.c, (long) co, (long) L->groups);
        cin_g = in.c / L->groups;
        taps = cin_g * L->kh * L->kw;
        if (fmpq_mat_ncols(L->W) != taps)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: the kernel holds %ld columns but the input has shape %s: "
                                "%ld channels per group x %ld x %ld needs %ld",
                                pre, (long) fmpq_mat_ncols(L->W), is, (long) cin_g,
                                (long) L->kh, (long) L->kw, (long) taps);
        if ((st = check_column(L->b, co, 1, "the bias", pre, err)) != RJ_OK)
            return st;
        L->out.c = co;
        L->out.h = window_out(in.h, L->kh, L->sh, L->ph, L->dh);
        L->out.w = window_out(in.w, L->kw, L->sw, L->pw, L->dw);
        if (L->out.h < 1 || L->out.w < 1)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: the %ldx%ld kernel (dilation %ld) does not fit the input "
                                "of shape %s with padding %ld",
                                pre, (long) L->kh, (long) L->kw, (long) L->dh, is, (long) L->ph);
        break;
    }
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
        if ((st = check_column(L->scale, in.c, L->kind == RJ_LAYER_BATCHNORM,
                               L->kind == RJ_LAYER_AFFINE ? "scale" : "gamma", pre, err))
            != RJ_OK)
            return st;
        if ((st = check_column(L->shift, in.c, 1,
                               L->kind == RJ_LAYER_AFFINE ? "shift" : "beta", pre, err))
            != RJ_OK)
            return st;
        if (L->kind == RJ_LAYER_BATCHNORM) {
            slong c;
            if ((st = check_column(L->mean, in.c, 0, "the running mean", pre, err)) != RJ_OK
                || (st = check_column(L->var, in.c, 0, "the running variance", pre, err))
                       != RJ_OK)
                return st;
            if ((c = bn_first_failing(L, fmpq_is_positive)) >= 0)
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "%s: var + eps must be positive, channel %ld has "
                                    "var + eps <= 0", pre, (long) c + 1);
        }
        break;
    case RJ_LAYER_LAYERNORM:
        if (fmpq_sgn(L->eps) <= 0)
            return rj_error_set(err, RJ_ERR_INPUT, "%s: eps must be positive", pre);
        if ((st = check_column(L->scale, n, 1, "gamma", pre, err)) != RJ_OK
            || (st = check_column(L->shift, n, 1, "beta", pre, err)) != RJ_OK)
            return st;
        break;
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_MAXPOOL: {
        slong sh = L->sh > 0 ? L->sh : L->kh, sw = L->sw > 0 ? L->sw : L->kw;
        if (L->kh < 1 || L->kw < 1 || L->sh < 0 || L->sw < 0 || L->ph < 0 || L->pw < 0
            || L->dh < 1 || L->dw < 1)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: kernel and dilation must be positive, stride and "
                                "padding non-negative", pre);
        if (2 * L->ph > L->kh || 2 * L->pw > L->kw)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: padding %ld is more than half the kernel %ld", pre,
                                (long) L->ph, (long) L->kh);
        if (L->kind == RJ_LAYER_AVGPOOL && (L->dh != 1 || L->dw != 1))
            return rj_error_set(err, RJ_ERR_INPUT, "%s: avgpool has no dilation", pre);
        L->out.h = window_out(in.h, L->kh, sh, L->ph, L->dh);
        L->out.w = window_out(in.w, L->kw, sw, L->pw, L->dw);
        if (L->out.h < 1 || L->out.w < 1)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: the %ldx%ld window does not fit the input of shape %s",
                                pre, (long) L->kh, (long) L->kw, is);
        break;
    }
    case RJ_LAYER_GAP:
        L->out.h = L->out.w = 1;
        break;
    case RJ_LAYER_FLATTEN:
        L->out.c = n;
        L->out.h = L->out.w = 1;
        break;
    case RJ_LAYER_ACT:
        if ((int) L->act->kind < RJ_ACT_IDENTITY || (int) L->act->kind > RJ_ACT_ELU)
            return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown activation", pre);
        if ((L->act->kind == RJ_ACT_SOFTPLUS || L->act->kind == RJ_ACT_ELU)
            && fmpq_sgn(L->act->param) <= 0)
            return rj_error_set(err, RJ_ERR_INPUT, "%s: the parameter (%s) must be positive",
                                pre, L->act->kind == RJ_ACT_ELU ? "alpha" : "beta");
        break;
    default:
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown layer kind", pre);
    }
    if (L->out.c > RJ_MAX_WIDTH || rj_shape_size(L->out) > RJ_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "%s: the output has %ld entries, over the limit RJ_MAX_WIDTH = %d",
                            pre, (long) rj_shape_size(L->out), RJ_MAX_WIDTH);
    return RJ_OK;
}

int
rj_seq_validate(rj_seq_t s, rj_shape in, rj_shape *out, const char *lab, const char *part,
                rj_error_t err)
{
    slong i;
    rj_shape cur = in;
    if (in.c < 1 || in.h < 1 || in.w < 1 || rj_shape_size(in) > RJ_MAX_WIDTH)
        return rj_error_set(err, in.c < 1 || in.h < 1 || in.w < 1 ? RJ_ERR_INPUT : RJ_ERR_LIMIT,
                            "%s: input shape %ld x %ld x %ld is empty or over the limit "
                            "RJ_MAX_WIDTH = %d entries",
                            lab, (long) in.c, (long) in.h, (long) in.w, RJ_MAX_WIDTH);
    for (i = 0; i < s->len; i++) {
        char pre[400], name[128];
        int st;
        rj_layer_struct *L = s->layers + i;
        L->in = cur;                 /* named with its input (conv2d's channels) */
        rj_layer_name(name, sizeof(name), L);
        snprintf(pre, sizeof(pre), "%s, %s layer %ld (%s)", lab, part, (long) i + 1, name);
        if ((st = layer_validate(L, cur, pre, err)) != RJ_OK)
            return st;
        cur = L->out;
    }
    *out = cur;
    return RJ_OK;
}
