/* resjac: the layers of general blocks in the exact layer (issue 11): each
 * layer's value at a rational point and its Jacobian applied to a matrix,
 * for the layers whose values stay rational (include/resjac/model.h gives
 * the definitions; rj_layer_is_rational says which).
 *
 * Every layer is u -> A u + c on a piece: A is fixed for the affine layers
 * (dense, conv2d, affine, batchnorm with rational 1/sqrt(var + eps), avgpool,
 * global_avgpool, flatten), a diagonal of one-sided derivatives for
 * relu/leaky_relu, and a row selection for maxpool.  The forward pass records
 * what fixes the piece (the `d` column of a layer); the Jacobian applies A to
 * the columns of a matrix.
 *
 * Maxpool record: d is n_out x (3 + kh kw), per output (selected, last,
 * count, m_0, ..., m_{count-1}): the flat input index of the maximum the
 * Jacobian row selects (the first after the forward pass), of the last
 * maximum, how many entries reach the maximum, and the indices m_j of those
 * maxima in window order (row by row).  A window with count k > 1 is a tie:
 * its Clarke set is the convex hull of the k selections e_{m_j}^T, the
 * simplex.  It is recorded as k - 1 ties of one output, stages 0 .. k - 2,
 * each one choice bit b_s, which select by "stick breaking" (proofs/ties.md
 * section 9): stage s on the left (b_s = 0) takes m_s when every earlier
 * stage was on the right; all on the right take m_{k-1}.  The row is then
 *   (1 - b_0) e_{m_0} + b_0 (1 - b_1) e_{m_1} + ... + b_0 ... b_{k-2} e_{m_{k-1}},
 * multilinear in the bits, and the image of the cube [0, 1]^{k-1} is the
 * whole simplex, so the ties' choices enumerate the Clarke set exactly as a
 * relu's do.  The left convention (all bits 0) is the first maximum
 * (PyTorch's), the right one the last; two maxima are one tie, first or
 * last. */
#include <string.h>

#include <flint/fmpq_mat.h>
#include <flint/fmpq_vec.h>

#include "resjac/exact.h"
#include "exact_internal.h"

/* One-sided derivatives of a at its kink 0 differ (a tie is a real choice). */
static int
act_has_kink(const rj_act_struct *a)
{
    return a->kind == RJ_ACT_RELU || (a->kind == RJ_ACT_LEAKY_RELU && !fmpq_is_one(a->slope));
}

void
_rj_exact_act_side(fmpq_t d, const rj_act_struct *a, int right)
{
    if (right || a->kind == RJ_ACT_IDENTITY)
        fmpq_one(d);
    else if (a->kind == RJ_ACT_RELU)
        fmpq_zero(d);
    else
        fmpq_set(d, a->slope);
}

void
_rj_exact_act_vec(fmpq_mat_t v, fmpq_mat_t d, const rj_act_struct *a, rj_ties_struct *ties,
                  slong block, int where, slong layer)
{
    slong i;
    if (d != NULL)
        _rj_fmpq_mat_reshape(d, fmpq_mat_nrows(v), 1);
    for (i = 0; i < fmpq_mat_nrows(v); i++) {
        fmpq *z = fmpq_mat_entry(v, i, 0);
        int sgn = fmpq_sgn(z);
        if (sgn == 0 && act_has_kink(a))
            rj_ties_push_layer(ties, block, where, layer, i);
        if (d != NULL)
            _rj_exact_act_side(fmpq_mat_entry(d, i, 0), a, sgn >= 0);
        if (sgn < 0 && a->kind == RJ_ACT_RELU)
            fmpq_zero(z);
        else if (sgn < 0 && a->kind == RJ_ACT_LEAKY_RELU)
            fmpq_mul(z, z, a->slope);
    }
}

/* ---------------------------------------------------------------- affine parts */

/* Per channel scale s[c] and shift t[c] of an AFFINE or BATCHNORM layer:
   y = s[c] u + t[c].  Batchnorm: s = gamma / sqrt(var + eps) (rational: the
   caller has checked rj_layer_is_rational), t = beta - mean s; an absent
   gamma is 1, an absent shift 0. */
static void
channel_coeffs(fmpq *s, fmpq *t, const rj_layer_struct *L)
{
    slong c, C = L->in.c;
    fmpq_t r;
    fmpz_t q;
    fmpq_init(r);
    fmpz_init(q);
    for (c = 0; c < C; c++) {
        if (fmpq_mat_nrows(L->scale) > 0)
            fmpq_set(s + c, fmpq_mat_entry(L->scale, c, 0));
        else
            fmpq_one(s + c);
        if (fmpq_mat_nrows(L->shift) > 0)
            fmpq_set(t + c, fmpq_mat_entry(L->shift, c, 0));
        else
            fmpq_zero(t + c);
        if (L->kind == RJ_LAYER_BATCHNORM) {
            /* sqrt(var + eps) = sqrt(p)/sqrt(q), both squares */
            fmpq_add(r, fmpq_mat_entry(L->var, c, 0), L->eps);
            fmpz_sqrt(q, fmpq_numref(r));
            fmpz_swap(q, fmpq_numref(r));
            fmpz_sqrt(q, fmpq_denref(r));
            fmpz_swap(q, fmpq_denref(r));
            fmpq_div(s + c, s + c, r);
            fmpq_mul(r, fmpq_mat_entry(L->mean, c, 0), s + c);
            fmpq_sub(t + c, t + c, r);
        }
    }
    fmpz_clear(q);
    fmpq_clear(r);
}

/* out[r, :] += w * M[k, :] */
static void
row_addmul(fmpq_mat_t out, slong r, const fmpq_t w, const fmpq_mat_t M, slong k)
{
    slong j;
    for (j = 0; j < fmpq_mat_ncols(M); j++)
        fmpq_addmul(fmpq_mat_entry(out, r, j), w, fmpq_mat_entry(M, k, j));
}

/* The linear part of a conv2d layer applied to every column of M. */
static void
conv_apply(fmpq_mat_t out, const rj_layer_struct *L, const fmpq_mat_t M)
{
    slong H = L->in.h, W = L->in.w, Ho = L->out.h, Wo = L->out.w;
    slong co, Co = L->out.c, cin_g = L->in.c / L->groups, cout_g = Co / L->groups;
    slong oh, ow, ci, a, b;
    fmpq_mat_zero(out);
    for (co = 0; co < Co; co++) {
        slong g = co / cout_g;
        for (ci = 0; ci < cin_g; ci++)
            for (a = 0; a < L->kh; a++)
                for (b = 0; b < L->kw; b++) {
                    const fmpq *w = fmpq_mat_entry(L->W, co, (ci * L->kh + a) * L->kw + b);
                    if (fmpq_is_zero(w))
                        continue;
                    for (oh = 0; oh < Ho; oh++) {
                        slong ih = oh * L->sh - L->ph + a * L->dh;
                        if (ih < 0 || ih >= H)
                            continue;
                        for (ow = 0; ow < Wo; ow++) {
                            slong iw = ow * L->sw - L->pw + b * L->dw;
                            if (iw < 0 || iw >= W)
                                continue;
                            row_addmul(out, (co * Ho + oh) * Wo + ow, w, M,
                                       ((g * cin_g + ci) * H + ih) * W + iw);
                        }
                    }
                }
    }
}

/* Pool stride (0 means the kernel). */
static slong
pool_sh(const rj_layer_struct *L)
{
    return L->sh > 0 ? L->sh : L->kh;
}

static slong
pool_sw(const rj_layer_struct *L)
{
    return L->sw > 0 ? L->sw : L->kw;
}

/* avgpool (padding counted in the divisor kh*kw) on every column of M. */
static void
avgpool_apply(fmpq_mat_t out, const rj_layer_struct *L, const fmpq_mat_t M)
{
    slong H = L->in.h, W = L->in.w, Ho = L->out.h, Wo = L->out.w, c, oh, ow, a, b, j;
    fmpq_t w;
    fmpq_init(w);
    fmpq_set_si(w, 1, L->kh * L->kw);
    fmpq_mat_zero(out);
    for (c = 0; c < L->in.c; c++)
        for (oh = 0; oh < Ho; oh++)
            for (ow = 0; ow < Wo; ow++) {
                slong r = (c * Ho + oh) * Wo + ow;
                for (a = 0; a < L->kh; a++)
                    for (b = 0; b < L->kw; b++) {
                        slong ih = oh * pool_sh(L) - L->ph + a, iw = ow * pool_sw(L) - L->pw + b;
                        if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                            for (j = 0; j < fmpq_mat_ncols(M); j++)
                                fmpq_add(fmpq_mat_entry(out, r, j), fmpq_mat_entry(out, r, j),
                                         fmpq_mat_entry(M, (c * H + ih) * W + iw, j));
                    }
                for (j = 0; j < fmpq_mat_ncols(M); j++)
                    fmpq_mul(fmpq_mat_entry(out, r, j), fmpq_mat_entry(out, r, j), w);
            }
    fmpq_clear(w);
}

static void
gap_apply(fmpq_mat_t out, const rj_layer_struct *L, const fmpq_mat_t M)
{
    slong hw = L->in.h * L->in.w, c, k, j;
    fmpq_t w;
    fmpq_init(w);
    fmpq_set_si(w, 1, hw);
    fmpq_mat_zero(out);
    for (c = 0; c < L->in.c; c++)
        for (k = 0; k < hw; k++)
            row_addmul(out, c, w, M, c * hw + k);
    for (c = 0; c < L->in.c; c++)
        for (j = 0; j < fmpq_mat_ncols(M); j++)
            fmpq_canonicalise(fmpq_mat_entry(out, c, j));
    fmpq_clear(w);
}

/* Rows of M scaled per channel: out[(c, i, j), :] = s[c] M[(c, i, j), :]. */
static void
channel_scale(fmpq_mat_t out, const rj_layer_struct *L, const fmpq *s, const fmpq_mat_t M)
{
    slong hw = L->in.h * L->in.w, r, j;
    for (r = 0; r < fmpq_mat_nrows(M); r++)
        for (j = 0; j < fmpq_mat_ncols(M); j++)
            fmpq_mul(fmpq_mat_entry(out, r, j), fmpq_mat_entry(M, r, j), s + r / hw);
}

void
_rj_exact_layer_apply(fmpq_mat_t out, const rj_layer_struct *L, const fmpq_mat_t d,
                      const fmpq_mat_t M)
{
    slong r, j, m = fmpq_mat_ncols(M);
    _rj_fmpq_mat_reshape(out, rj_shape_size(L->out), m);
    switch (L->kind) {
    case RJ_LAYER_DENSE:
        fmpq_mat_mul(out, L->W, M);
        break;
    case RJ_LAYER_CONV2D:
        conv_apply(out, L, M);
        break;
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM: {
        fmpq *s = _fmpq_vec_init(L->in.c), *t = _fmpq_vec_init(L->in.c);
        channel_coeffs(s, t, L);
        channel_scale(out, L, s, M);
        _fmpq_vec_clear(s, L->in.c);
        _fmpq_vec_clear(t, L->in.c);
        break;
    }
    case RJ_LAYER_AVGPOOL:
        avgpool_apply(out, L, M);
        break;
    case RJ_LAYER_GAP:
        gap_apply(out, L, M);
        break;
    case RJ_LAYER_FLATTEN:
        fmpq_mat_set(out, M);
        break;
    case RJ_LAYER_ACT:       /* diag(d) M */
        for (r = 0; r < fmpq_mat_nrows(M); r++)
            for (j = 0; j < m; j++)
                fmpq_mul(fmpq_mat_entry(out, r, j), fmpq_mat_entry(M, r, j),
                         fmpq_mat_entry(d, r, 0));
        break;
    case RJ_LAYER_MAXPOOL:   /* row r of out = row d[r, 0] of M */
        for (r = 0; r < fmpq_mat_nrows(out); r++) {
            slong k = fmpz_get_si(fmpq_numref(fmpq_mat_entry(d, r, 0)));
            for (j = 0; j < m; j++)
                if (k >= 0)
                    fmpq_set(fmpq_mat_entry(out, r, j), fmpq_mat_entry(M, k, j));
                else
                    fmpq_zero(fmpq_mat_entry(out, r, j));
        }
        break;
    default:
        break;       /* refused before any work (parts.c check_net) */
    }
}

/* The bias c of an affine layer's u -> A u + c, added to y. */
static void
add_layer_bias(fmpq_mat_t y, const rj_layer_struct *L)
{
    slong r, n = fmpq_mat_nrows(y);
    if (L->kind == RJ_LAYER_DENSE && fmpq_mat_nrows(L->b) > 0)
        fmpq_mat_add(y, y, L->b);
    else if (L->kind == RJ_LAYER_CONV2D && fmpq_mat_nrows(L->b) > 0) {
        slong hw = L->out.h * L->out.w;
        for (r = 0; r < n; r++)
            fmpq_add(fmpq_mat_entry(y, r, 0), fmpq_mat_entry(y, r, 0),
                     fmpq_mat_entry(L->b, r / hw, 0));
    } else if (L->kind == RJ_LAYER_AFFINE || L->kind == RJ_LAYER_BATCHNORM) {
        slong hw = L->in.h * L->in.w;
        fmpq *s = _fmpq_vec_init(L->in.c), *t = _fmpq_vec_init(L->in.c);
        channel_coeffs(s, t, L);
        for (r = 0; r < n; r++)
            fmpq_add(fmpq_mat_entry(y, r, 0), fmpq_mat_entry(y, r, 0), t + r / hw);
        _fmpq_vec_clear(s, L->in.c);
        _fmpq_vec_clear(t, L->in.c);
    }
}

/* maxpool forward: y and the record d (first, last, count per output); a
   window with several maxima is a tie (unit = the output's index). */
static void
maxpool_forward(fmpq_mat_t y, fmpq_mat_t d, const rj_layer_struct *L, const fmpq_mat_t u,
                rj_ties_struct *ties, slong block, slong layer)
{
    slong H = L->in.h, W = L->in.w, Ho = L->out.h, Wo = L->out.w, c, oh, ow, a, b;
    _rj_fmpq_mat_reshape(d, rj_shape_size(L->out), 3 + L->kh * L->kw);
    for (c = 0; c < L->in.c; c++)
        for (oh = 0; oh < Ho; oh++)
            for (ow = 0; ow < Wo; ow++) {
                slong r = (c * Ho + oh) * Wo + ow, first = -1, last = -1, count = 0;
                for (a = 0; a < L->kh; a++)
                    for (b = 0; b < L->kw; b++) {
                        slong ih = oh * pool_sh(L) - L->ph + a * L->dh;
                        slong iw = ow * pool_sw(L) - L->pw + b * L->dw, k;
                        int cmp;
                        if (ih < 0 || ih >= H || iw < 0 || iw >= W)
                            continue;       /* padding never wins */
                        k = (c * H + ih) * W + iw;
                        cmp = first < 0 ? 1
                                        : fmpq_cmp(fmpq_mat_entry(u, k, 0),
                                                   fmpq_mat_entry(u, first, 0));
                        if (cmp > 0) {
                            first = last = k;
                            count = 1;
                        } else if (cmp == 0) {
                            last = k;
                            count++;
                        }
                        if (cmp >= 0)
                            fmpq_set_si(fmpq_mat_entry(d, r, 2 + count), k, 1);
                    }
                if (first < 0) {            /* a window of padding only: 0, no input */
                    fmpq_zero(fmpq_mat_entry(y, r, 0));
                    fmpq_set_si(fmpq_mat_entry(d, r, 0), -1, 1);
                    continue;
                }
                fmpq_set(fmpq_mat_entry(y, r, 0), fmpq_mat_entry(u, first, 0));
                fmpq_set_si(fmpq_mat_entry(d, r, 0), first, 1);
                fmpq_set_si(fmpq_mat_entry(d, r, 1), last, 1);
                fmpq_set_si(fmpq_mat_entry(d, r, 2), count, 1);
                for (a = 0; a + 1 < count && ties != NULL; a++) {
                    rj_ties_push_layer(ties, block, 0, layer, r);
                    ties->ties[ties->len - 1].stage = a;
                }
            }
}

void
_rj_exact_layer_forward(fmpq_mat_t y, fmpq_mat_t d, const rj_layer_struct *L,
                        const fmpq_mat_t u, rj_ties_struct *ties, slong block, slong layer)
{
    _rj_fmpq_mat_reshape(y, rj_shape_size(L->out), 1);
    if (L->kind == RJ_LAYER_ACT) {
        fmpq_mat_set(y, u);
        _rj_exact_act_vec(y, d, L->act, ties, block, 0, layer);
    } else if (L->kind == RJ_LAYER_MAXPOOL)
        maxpool_forward(y, d, L, u, ties, block, layer);
    else {
        _rj_exact_layer_apply(y, L, d, u);
        add_layer_bias(y, L);
    }
}

void
_rj_exact_maxpool_select(fmpq_mat_t d, slong r, slong j)
{
    fmpq_set(fmpq_mat_entry(d, r, 0), fmpq_mat_entry(d, r, 3 + j));
}

slong
_rj_exact_maxpool_count(const fmpq_mat_t d, slong r)
{
    return fmpz_get_si(fmpq_numref(fmpq_mat_entry(d, r, 2)));
}
