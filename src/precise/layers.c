/* resjac precise layer: general blocks (layer sequences, resjac/model.h) at an
 * input enclosure [PB 9].
 *
 * A pass carries the value u of the current layer (a column) and, when
 * derivatives are wanted, a matrix M enclosing du/dx V (V the block input's
 * direction matrix: the identity for the parts S, R, a few columns for a
 * Jacobian-vector product).  Each layer maps (u, M) to (layer(u), J(u) M);
 * affine layers apply their linear part to M, the others their Jacobian at u
 * (an activation's derivative enclosures, a max pool's selected rows, the
 * layer norm's (gamma/sigma)(I - 11^T/n - z z^T/n)).  Ties (possible relu
 * kinks, elu kinks, max pool windows whose largest entries overlap) are
 * reported in the model's order with the branch layer's index. */
#include <math.h>
#include <flint/fmpq.h>

#include "precise_internal.h"

/* ------------------------------------------------------------ converted layers */

static void
wlayer_init(rjp_wlayer_struct *w, const rj_layer_struct *L, slong prec)
{
    w->L = L;
    rj_imat_init(w->W, 0, 0, prec);
    rj_imat_init(w->b, 0, 0, prec);
    rj_imat_init(w->s, 0, 0, prec);
    rj_imat_init(w->t, 0, 0, prec);
}

static void
wlayer_clear(rjp_wlayer_struct *w)
{
    rj_imat_clear(w->W);
    rj_imat_clear(w->b);
    rj_imat_clear(w->s);
    rj_imat_clear(w->t);
}

/* batchnorm as y = s u + t per channel: s = gamma / sqrt(var + eps),
   t = beta - mean s, each enclosed (var + eps > 0, checked by the model). */
static void
wlayer_set_batchnorm(rjp_wlayer_struct *w, slong prec)
{
    const rj_layer_struct *L = w->L;
    slong c, C = fmpq_mat_nrows(L->var);
    rj_itv_t a, b;
    fmpq_t q;
    rj_itv_init(a, prec);
    rj_itv_init(b, prec);
    fmpq_init(q);
    rj_imat_reshape(w->s, C, 1, prec);
    rj_imat_reshape(w->t, C, 1, prec);
    for (c = 0; c < C; c++) {
        fmpq_add(q, fmpq_mat_entry(L->var, c, 0), L->eps);
        rj_itv_set_fmpq(a, q);
        mpfr_sqrt(a->lo, a->lo, MPFR_RNDD);
        mpfr_sqrt(a->hi, a->hi, MPFR_RNDU);
        if (fmpq_mat_nrows(L->scale) > 0)
            rj_itv_set_fmpq(b, fmpq_mat_entry(L->scale, c, 0));
        else
            fmpq_one(q), rj_itv_set_fmpq(b, q);
        rj_itv_div(a, b, a);                            /* s */
        rj_imat_set_itv(w->s, c, 0, a);
        rj_itv_set_fmpq(b, fmpq_mat_entry(L->mean, c, 0));
        rj_itv_mul(b, b, a);
        if (fmpq_mat_nrows(L->shift) > 0) {
            rj_itv_set_fmpq(a, fmpq_mat_entry(L->shift, c, 0));
            rj_itv_sub(b, a, b);
        } else {
            rj_itv_neg(b, b);
        }
        rj_imat_set_itv(w->t, c, 0, b);                 /* t */
    }
    fmpq_clear(q);
    rj_itv_clear(a);
    rj_itv_clear(b);
}

static void
wlayer_set(rjp_wlayer_struct *w, slong prec)
{
    const rj_layer_struct *L = w->L;
    switch (L->kind) {
    case RJ_LAYER_DENSE:
    case RJ_LAYER_CONV2D:
        rj_imat_set_fmpq_mat(w->W, L->W, prec);
        rj_imat_set_fmpq_mat(w->b, L->b, prec);
        break;
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_LAYERNORM:
        rj_imat_set_fmpq_mat(w->s, L->scale, prec);
        rj_imat_set_fmpq_mat(w->t, L->shift, prec);
        break;
    case RJ_LAYER_BATCHNORM:
        wlayer_set_batchnorm(w, prec);
        break;
    default:
        break;
    }
}

static rjp_wlayer_struct *
wseq_new(const rj_seq_t s, slong prec)
{
    slong i;
    rjp_wlayer_struct *w = flint_malloc(FLINT_MAX(s->len, 1) * sizeof(rjp_wlayer_struct));
    for (i = 0; i < s->len; i++) {
        wlayer_init(w + i, s->layers + i, prec);
        wlayer_set(w + i, prec);
    }
    return w;
}

void
_rjp_wblock_set_general(rjp_wblock_t w, slong prec)
{
    const rj_block_struct *b = w->blk;
    w->branch = wseq_new(b->branch, prec);
    w->proj = wseq_new(b->proj, prec);
}

void
_rjp_wblock_clear_general(rjp_wblock_t w)
{
    slong i;
    if (w->branch != NULL) {
        for (i = 0; i < w->blk->branch->len; i++)
            wlayer_clear(w->branch + i);
        for (i = 0; i < w->blk->proj->len; i++)
            wlayer_clear(w->proj + i);
        flint_free(w->branch);
        flint_free(w->proj);
    }
    w->branch = w->proj = NULL;
}

/* ------------------------------------------------------------ entries */

/* A[i, j] = B[k, l] (rounded to A's precision, the error in the radius). */
static void
ent_copy(rj_imat_t A, slong i, slong j, const rj_imat_t B, slong k, slong l)
{
    int inex = mpfr_set(rj_imat_mid(A, i, j), rj_imat_mid(B, k, l), MPFR_RNDN);
    mpfr_set(rj_imat_rad(A, i, j), rj_imat_rad(B, k, l), MPFR_RNDU);
    _rjp_rad_add_ulp(rj_imat_rad(A, i, j), rj_imat_mid(A, i, j), inex);
}

static void
ent_zero(rj_imat_t A, slong i, slong j)
{
    mpfr_set_zero(rj_imat_mid(A, i, j), 1);
    mpfr_set_zero(rj_imat_rad(A, i, j), 1);
}

/* The column of n entries holding v[c] at every entry of channel c (c of n / C
   entries each). */
static void
per_channel(rj_imat_t d, const rj_imat_t v, slong n, slong prec)
{
    slong i, hw = n / v->r;
    rj_imat_reshape(d, n, 1, prec);
    for (i = 0; i < n; i++)
        ent_copy(d, i, 0, v, i / hw, 0);
}

/* ------------------------------------------------------------ linear layers */

/* out = K (im2col of in) for the convolution of L on the N columns of in
   (rows C_in*H*W), without bias: output row (co*Ho + i)*Wo + j, column n.
   The patches of nb columns at a time form a (C_in/groups * kh * kw) x
   (Ho*Wo*nb) matrix whose product with the group's kernel rows is, in row
   major order, exactly the output rows of the group for those columns. */
static void
conv_apply(rj_imat_t out, const rjp_wlayer_struct *w, const rj_imat_t in, slong prec)
{
    const rj_layer_struct *L = w->L;
    slong N = in->c, G = L->groups, cg = L->in.c / G, og = L->out.c / G;
    slong Ho = L->out.h, Wo = L->out.w, H = L->in.h, Wi = L->in.w;
    slong kg = cg * L->kh * L->kw, hw = Ho * Wo, nb, n0, g;
    rj_imat_t cols, Kg, P;

    /* columns per chunk: the patch matrix holds about as many entries as in */
    nb = FLINT_MAX(1, FLINT_MIN(N, (in->r * N) / FLINT_MAX(1, kg * hw)));
    rj_imat_reshape(out, L->out.c * hw, N, prec);
    rj_imat_init(cols, 0, 0, prec);
    rj_imat_init(Kg, og, kg, w->W->prec);
    rj_imat_init(P, 0, 0, prec);
    for (g = 0; g < G; g++) {
        slong r, k;
        for (r = 0; r < og; r++)
            for (k = 0; k < kg; k++)
                ent_copy(Kg, r, k, w->W, g * og + r, k);
        for (n0 = 0; n0 < N; n0 += nb) {
            slong m = FLINT_MIN(nb, N - n0), ci, a, b, i, j, n;
            rj_imat_reshape(cols, kg, hw * m, prec);
            for (ci = 0; ci < cg; ci++)
                for (a = 0; a < L->kh; a++)
                    for (b = 0; b < L->kw; b++) {
                        slong row = (ci * L->kh + a) * L->kw + b;
                        for (i = 0; i < Ho; i++)
                            for (j = 0; j < Wo; j++) {
                                slong y = i * L->sh - L->ph + a * L->dh;
                                slong x = j * L->sw - L->pw + b * L->dw;
                                slong src = ((g * cg + ci) * H + y) * Wi + x;
                                int inside = y >= 0 && y < H && x >= 0 && x < Wi;
                                for (n = 0; n < m; n++) {
                                    if (inside)
                                        ent_copy(cols, row, (i * Wo + j) * m + n, in, src, n0 + n);
                                    else
                                        ent_zero(cols, row, (i * Wo + j) * m + n);
                                }
                            }
                    }
            rj_imat_mul(P, Kg, cols, prec);
            for (r = 0; r < og; r++)
                for (k = 0; k < hw; k++)
                    for (n = 0; n < m; n++)
                        ent_copy(out, (g * og + r) * hw + k, n0 + n, P, r, k * m + n);
        }
    }
    rj_imat_clear(cols);
    rj_imat_clear(Kg);
    rj_imat_clear(P);
}

/* out = the average pool (or global average pool) of the N columns of in:
   each output the sum of its window's entries (padding counts as 0 in the
   divisor kh * kw, PyTorch's count_include_pad) divided by the window size. */
static void
avgpool_apply(rj_imat_t out, const rj_layer_struct *L, const rj_imat_t in, slong prec)
{
    int gap = L->kind == RJ_LAYER_GAP;
    slong kh = gap ? L->in.h : L->kh, kw = gap ? L->in.w : L->kw;
    slong sh = gap ? 1 : (L->sh > 0 ? L->sh : L->kh), sw = gap ? 1 : (L->sw > 0 ? L->sw : L->kw);
    slong ph = gap ? 0 : L->ph, pw = gap ? 0 : L->pw;
    slong C = L->in.c, H = L->in.h, Wi = L->in.w, Ho = L->out.h, Wo = L->out.w, N = in->c;
    slong c, i, j, a, b, n;
    rj_itv_t s, e, k;
    rj_itv_init(s, prec);
    rj_itv_init(e, prec);
    rj_itv_init(k, prec);
    mpfr_set_si(k->lo, kh * kw, MPFR_RNDD);
    mpfr_set_si(k->hi, kh * kw, MPFR_RNDU);
    rj_imat_reshape(out, C * Ho * Wo, N, prec);
    for (c = 0; c < C; c++)
        for (i = 0; i < Ho; i++)
            for (j = 0; j < Wo; j++)
                for (n = 0; n < N; n++) {
                    mpfr_set_zero(s->lo, 1);
                    mpfr_set_zero(s->hi, 1);
                    for (a = 0; a < kh; a++)
                        for (b = 0; b < kw; b++) {
                            slong y = i * sh - ph + a, x = j * sw - pw + b;
                            if (y < 0 || y >= H || x < 0 || x >= Wi)
                                continue;
                            rj_imat_get_itv(e, in, (c * H + y) * Wi + x, n);
                            rj_itv_add(s, s, e);
                        }
                    rj_itv_div(s, s, k);
                    rj_imat_set_itv(out, (c * Ho + i) * Wo + j, n, s);
                }
    rj_itv_clear(s);
    rj_itv_clear(e);
    rj_itv_clear(k);
}

/* out = the linear part of an affine layer applied to in (N columns); with
   bias = 1 (values) its constant part is added too. */
static void
linear_apply(rj_imat_t out, const rjp_wlayer_struct *w, const rj_imat_t in, int bias,
             slong prec)
{
    const rj_layer_struct *L = w->L;
    slong n = rj_shape_size(L->in);
    rj_imat_t d;
    switch (L->kind) {
    case RJ_LAYER_DENSE:
        rj_imat_mul(out, w->W, in, prec);
        if (bias && w->b->r > 0)
            rj_imat_add(out, out, w->b, prec);
        return;
    case RJ_LAYER_CONV2D:
        conv_apply(out, w, in, prec);
        if (bias && w->b->r > 0) {
            rj_imat_init(d, 0, 0, prec);
            per_channel(d, w->b, out->r, prec);
            rj_imat_add(out, out, d, prec);
            rj_imat_clear(d);
        }
        return;
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
        rj_imat_init(d, 0, 0, prec);
        per_channel(d, w->s, n, prec);
        rj_imat_mul_diag_left(out, d, in, prec);
        if (bias && w->t->r > 0) {
            per_channel(d, w->t, n, prec);
            rj_imat_add(out, out, d, prec);
        }
        rj_imat_clear(d);
        return;
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_GAP:
        avgpool_apply(out, L, in, prec);
        return;
    default:   /* flatten, identity activation */
        rj_imat_set(out, in);
        return;
    }
}

/* ------------------------------------------------------------ nonlinear layers */

void
_rjp_act_column(rj_imat_t u, rj_imat_t d, const rj_act_struct *act, rj_ties_struct *ties,
                slong block, int where, slong layer, slong prec)
{
    slong i;
    rj_itv_t x, y, dy;
    rj_itv_init(x, prec);
    rj_itv_init(y, prec);
    rj_itv_init(dy, prec);
    if (d != NULL)
        rj_imat_reshape(d, u->r, 1, prec);
    for (i = 0; i < u->r; i++) {
        int tie;
        rj_imat_get_itv(x, u, i, 0);
        rj_itv_act(y, d != NULL ? dy : NULL, &tie, act, x);
        rj_imat_set_itv(u, i, 0, y);
        if (d != NULL)
            rj_imat_set_itv(d, i, 0, dy);
        if (tie)
            rj_ties_push_layer(ties, block, where, layer, i);
    }
    rj_itv_clear(x);
    rj_itv_clear(y);
    rj_itv_clear(dy);
}

/* _rjp_act_column, and M <- diag(act'(u)) M when M is not NULL. */
static void
act_apply(rj_imat_t u, rj_imat_t M, const rj_act_struct *act, rj_ties_struct *ties,
          slong block, int where, slong layer, slong prec)
{
    rj_imat_t d;
    rj_imat_init(d, 0, 0, prec);
    _rjp_act_column(u, M != NULL ? d : NULL, act, ties, block, where, layer, prec);
    if (M != NULL)
        rj_imat_mul_diag_left(M, d, M, prec);
    rj_imat_clear(d);
}

/* Max pool: each output the interval max of its window (padding never
   wins); the derivative row selects the window entry that is largest.  The
   candidates are the entries whose upper end reaches the largest lower end:
   one candidate selects its row of M, several are a possible tie (reported)
   and the row is the entrywise hull of their rows, which holds every choice
   and every convex combination (the Clarke set) [PB 9]. */
static void
maxpool_apply(rj_imat_t v, rj_imat_t M2, const rj_layer_struct *L, const rj_imat_t u,
              const rj_imat_t M, rj_ties_struct *ties, slong block, slong layer, slong prec)
{
    slong sh = L->sh > 0 ? L->sh : L->kh, sw = L->sw > 0 ? L->sw : L->kw;
    slong C = L->in.c, H = L->in.h, Wi = L->in.w, Ho = L->out.h, Wo = L->out.w;
    slong c, i, j, a, b, n, k, nt = L->kh * L->kw, *idx;
    rj_itv_t e, m, h;
    idx = flint_malloc(nt * sizeof(slong));
    rj_itv_init(e, prec);
    rj_itv_init(m, prec);
    rj_itv_init(h, prec);
    rj_imat_reshape(v, C * Ho * Wo, 1, prec);
    if (M != NULL)
        rj_imat_reshape(M2, C * Ho * Wo, M->c, prec);
    for (c = 0; c < C; c++)
        for (i = 0; i < Ho; i++)
            for (j = 0; j < Wo; j++) {
                slong o = (c * Ho + i) * Wo + j, cnt = 0, cand = 0, last = -1;
                for (a = 0; a < L->kh; a++)
                    for (b = 0; b < L->kw; b++) {
                        slong y = i * sh - L->ph + a * L->dh, x = j * sw - L->pw + b * L->dw;
                        if (y >= 0 && y < H && x >= 0 && x < Wi)
                            idx[cnt++] = (c * H + y) * Wi + x;
                    }
                if (cnt == 0) {
                    /* a dilated window wholly in the padding: the max is -inf
                       (PyTorch's value), a constant (its row of M stays 0);
                       non-finite, so it decides nothing downstream */
                    mpfr_set_inf(rj_imat_mid(v, o, 0), -1);
                    mpfr_set_zero(rj_imat_rad(v, o, 0), 1);
                    continue;
                }
                for (k = 0; k < cnt; k++) {
                    rj_imat_get_itv(e, u, idx[k], 0);
                    if (k == 0) {
                        rj_itv_set(m, e);
                    } else {
                        mpfr_max(m->lo, m->lo, e->lo, MPFR_RNDD);
                        mpfr_max(m->hi, m->hi, e->hi, MPFR_RNDU);
                    }
                }
                rj_imat_set_itv(v, o, 0, m);
                if (M == NULL)
                    continue;
                for (k = 0; k < cnt; k++) {
                    rj_imat_get_itv(e, u, idx[k], 0);
                    if (mpfr_greaterequal_p(e->hi, m->lo)) {
                        idx[cand++] = idx[k];
                        last = idx[k];
                    }
                }
                if (cand > 1)
                    rj_ties_push_layer(ties, block, 0, layer, o);
                for (n = 0; n < M->c; n++) {
                    rj_imat_get_itv(h, M, last, n);
                    for (k = 0; k < cand; k++) {
                        rj_imat_get_itv(e, M, idx[k], n);
                        if (mpfr_less_p(e->lo, h->lo))
                            mpfr_set(h->lo, e->lo, MPFR_RNDD);
                        if (mpfr_greater_p(e->hi, h->hi))
                            mpfr_set(h->hi, e->hi, MPFR_RNDU);
                    }
                    rj_imat_set_itv(M2, o, n, h);
                }
            }
    rj_itv_clear(e);
    rj_itv_clear(m);
    rj_itv_clear(h);
    flint_free(idx);
}

/* Layer norm over all n entries of u:
     mu = sum u / n, d = u - mu, s2 = sum d^2 / n, sigma = sqrt(s2 + eps),
     z = d / sigma, y = gamma z + beta,
   and M <- (gamma / sigma)(M - 1 (1^T M)/n - z (z^T M)/n), the Jacobian
   dy/du = diag(gamma / sigma)(I - 11^T/n - z z^T/n) applied to M, every
   quantity by interval arithmetic [PB 9]. */
static void
layernorm_apply(rj_imat_t u, rj_imat_t M, const rjp_wlayer_struct *w, slong prec)
{
    const rj_layer_struct *L = w->L;
    slong n = u->r, i, j;
    rj_itv_t t, e, mu, s2, sg, nn;
    rj_itv_struct *z;
    rj_itv_init(t, prec);
    rj_itv_init(e, prec);
    rj_itv_init(mu, prec);
    rj_itv_init(s2, prec);
    rj_itv_init(sg, prec);
    rj_itv_init(nn, prec);
    mpfr_set_si(nn->lo, n, MPFR_RNDD);
    mpfr_set_si(nn->hi, n, MPFR_RNDU);
    z = flint_malloc(n * sizeof(rj_itv_struct));
    for (i = 0; i < n; i++) {
        rj_itv_init(z + i, prec);
        rj_imat_get_itv(e, u, i, 0);
        rj_itv_add(mu, mu, e);
    }
    rj_itv_div(mu, mu, nn);
    for (i = 0; i < n; i++) {
        rj_imat_get_itv(e, u, i, 0);
        rj_itv_sub(z + i, e, mu);                  /* d_i */
        rj_itv_pow_si(e, z + i, 2);
        rj_itv_add(s2, s2, e);
    }
    rj_itv_div(s2, s2, nn);
    rj_itv_set_fmpq(e, L->eps);
    rj_itv_add(s2, s2, e);
    if (mpfr_sgn(s2->lo) < 0)                     /* s2 + eps >= eps > 0 */
        mpfr_set_zero(s2->lo, 1);
    mpfr_sqrt(sg->lo, s2->lo, MPFR_RNDD);
    mpfr_sqrt(sg->hi, s2->hi, MPFR_RNDU);
    for (i = 0; i < n; i++)
        rj_itv_div(z + i, z + i, sg);              /* z_i */
    if (M != NULL) {
        slong N = M->c;
        rj_itv_struct *r1 = flint_malloc(N * sizeof(rj_itv_struct));
        rj_itv_struct *r2 = flint_malloc(N * sizeof(rj_itv_struct));
        for (j = 0; j < N; j++) {
            rj_itv_init(r1 + j, prec);
            rj_itv_init(r2 + j, prec);
            for (i = 0; i < n; i++) {
                rj_imat_get_itv(e, M, i, j);
                rj_itv_add(r1 + j, r1 + j, e);
                rj_itv_mul(e, e, z + i);
                rj_itv_add(r2 + j, r2 + j, e);
            }
            rj_itv_div(r1 + j, r1 + j, nn);
            rj_itv_div(r2 + j, r2 + j, nn);
        }
        for (i = 0; i < n; i++) {
            /* g = gamma_i / sigma */
            if (w->s->r > 0)
                rj_imat_get_itv(t, w->s, i, 0);
            else
                mpfr_set_ui(t->lo, 1, MPFR_RNDD), mpfr_set_ui(t->hi, 1, MPFR_RNDU);
            rj_itv_div(t, t, sg);
            for (j = 0; j < N; j++) {
                rj_imat_get_itv(e, M, i, j);
                rj_itv_sub(e, e, r1 + j);
                rj_itv_mul(mu, z + i, r2 + j);        /* mu is free: scratch */
                rj_itv_sub(e, e, mu);
                rj_itv_mul(e, e, t);
                rj_imat_set_itv(M, i, j, e);
            }
        }
        for (j = 0; j < N; j++) {
            rj_itv_clear(r1 + j);
            rj_itv_clear(r2 + j);
        }
        flint_free(r1);
        flint_free(r2);
    }
    for (i = 0; i < n; i++) {
        if (w->s->r > 0) {
            rj_imat_get_itv(e, w->s, i, 0);
            rj_itv_mul(z + i, z + i, e);
        }
        if (w->t->r > 0) {
            rj_imat_get_itv(e, w->t, i, 0);
            rj_itv_add(z + i, z + i, e);
        }
        rj_imat_set_itv(u, i, 0, z + i);
        rj_itv_clear(z + i);
    }
    flint_free(z);
    rj_itv_clear(t);
    rj_itv_clear(e);
    rj_itv_clear(mu);
    rj_itv_clear(s2);
    rj_itv_clear(sg);
    rj_itv_clear(nn);
}

/* ------------------------------------------------------------ sequences and blocks */

/* Run the layers of w (len of them) on the value u and, when M is not NULL,
   on M (the enclosure of du/dx V); ties with where = 0 and the layer index. */
static void
seq_apply(rj_imat_t u, rj_imat_t M, const rjp_wlayer_struct *w, slong len,
          rj_ties_struct *ties, slong block, slong prec)
{
    slong i;
    rj_imat_t t;
    rj_imat_init(t, 0, 0, prec);
    for (i = 0; i < len; i++) {
        const rj_layer_struct *L = w[i].L;
        switch (L->kind) {
        case RJ_LAYER_ACT:
            act_apply(u, M, L->act, ties, block, 0, i, prec);
            break;
        case RJ_LAYER_MAXPOOL: {
            rj_imat_t v;
            rj_imat_init(v, 0, 0, prec);
            maxpool_apply(v, t, L, u, M, ties, block, i, prec);
            rj_imat_swap(u, v);
            if (M != NULL)
                rj_imat_swap(M, t);
            rj_imat_clear(v);
            break;
        }
        case RJ_LAYER_LAYERNORM:
            layernorm_apply(u, M, w + i, prec);
            break;
        default:
            linear_apply(t, w + i, u, 1, prec);
            rj_imat_swap(u, t);
            if (M != NULL) {
                linear_apply(t, w + i, M, 0, prec);
                rj_imat_swap(M, t);
            }
            break;
        }
    }
    rj_imat_clear(t);
}

/* A = V, or the n x n identity when V is NULL. */
static void
set_directions(rj_imat_t A, const rj_imat_t V, slong n, slong prec)
{
    if (V != NULL) {
        rj_imat_set(A, V);
    } else {
        rj_imat_reshape(A, n, n, prec);
        rj_imat_one(A);
    }
}

void
_rjp_general_eval(rj_imat_t y, rj_imat_t S, rj_imat_t R, rj_ties_t ties,
                  const rjp_wblock_t w, slong index, const rj_imat_t x, const rj_imat_t V,
                  slong prec)
{
    const rj_block_struct *b = w->blk;
    int want = (S != NULL || R != NULL);
    slong n_in = b->n_in, n_out = b->n_out, N = V != NULL ? V->c : n_in;
    rj_imat_t u, M, sx, Ms;

    rj_imat_init(u, 0, 0, prec);
    rj_imat_init(M, 0, 0, prec);
    rj_imat_init(sx, 0, 0, prec);
    rj_imat_init(Ms, 0, 0, prec);
    if (want)
        set_directions(M, V, n_in, prec);
    /* branch input: sigma(x) (pre) or x */
    rj_imat_set(u, x);
    if (b->place == RJ_PLACE_PRE)
        act_apply(u, want ? M : NULL, b->outer, ties, index, 1, -1, prec);
    seq_apply(u, want ? M : NULL, w->branch, b->branch->len, ties, index, prec);

    /* skip part: S x and S V */
    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
        rj_imat_set(sx, x);
        if (want)
            set_directions(Ms, V, n_in, prec);
        break;
    case RJ_SKIP_SCALED:
        rj_imat_scalar_mul_itv(sx, x, w->alpha_itv, prec);
        if (want) {
            set_directions(Ms, V, n_in, prec);
            rj_imat_scalar_mul_itv(Ms, Ms, w->alpha_itv, prec);
        }
        break;
    case RJ_SKIP_PROJECT:
        rj_imat_set(sx, x);
        if (want)
            set_directions(Ms, V, n_in, prec);
        seq_apply(sx, want ? Ms : NULL, w->proj, b->proj->len, NULL, index, prec);
        break;
    default:
        rj_imat_reshape(sx, n_out, 1, prec);
        if (want)
            rj_imat_reshape(Ms, n_out, N, prec);
        break;
    }
    rj_imat_add(u, sx, u, prec);
    if (b->place == RJ_PLACE_POST) {
        /* y = sigma(S x + F): both parts scaled by sigma' */
        rj_imat_t d;
        rj_imat_init(d, 0, 0, prec);
        _rjp_act_column(u, want ? d : NULL, b->outer, ties, index, 1, -1, prec);
        if (want) {
            rj_imat_mul_diag_left(M, d, M, prec);
            rj_imat_mul_diag_left(Ms, d, Ms, prec);
        }
        rj_imat_clear(d);
    }
    if (want) {
        if (R != NULL)
            rj_imat_swap(R, M);
        if (S != NULL)
            rj_imat_swap(S, Ms);
    }
    if (y != NULL)
        rj_imat_swap(y, u);
    rj_imat_clear(u);
    rj_imat_clear(M);
    rj_imat_clear(sx);
    rj_imat_clear(Ms);
}
