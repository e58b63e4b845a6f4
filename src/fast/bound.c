/* resjac fast core: the float Jacobian with an a-priori error bound computed in
 * the same pass (running error analysis with absolute values).  The argument,
 * step by step, is proofs/fast-error-bound.md; [FE n] cites its sections.
 *
 * The float computation is the library's own: rj_fast_forward on one point,
 * then the per-block backward kernel on n_out rows (exactly what
 * rj_fast_jacobian does), with every intermediate kept in its own buffer.
 * The bound is evaluated in double with round-to-nearest; every bound
 * quantity is a sum of products of nonnegative numbers, so its computed value
 * is at least (1 - 2^-53)^D times the true value, D the rounding depth, once
 * each product has 2^-1074 added (underflow) -- [FE 8].  A single factor
 * F = 1 + (D + 2) 2^-51 applied at the end makes the bound rigorous. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <mpfr.h>

#include "fast_internal.h"

#define ETA_D 0x1p-1074

typedef struct {
    rj_fast_dtype t;
    double u;       /* unit roundoff of the dtype [FE 1] */
    double eta;     /* smallest positive subnormal of the dtype */
    double dconv;   /* relative conversion error of the weights: 0 or u [FE 2] */
    double c1;      /* 1 + 2 dconv, upper */
    double c2;      /* 2 dconv */
    double tiny_sig;/* absolute error of sigmoid when exp(-z) overflows [FE 6] */
} bctx;

/* A constant computed from a few roundings, pushed up to an upper bound. */
static double
up(double x)
{
    return x * (1 + 0x1p-40);
}

/* gamma_k = k u / (1 - k u) <= k u (1 + 2 k u) for k u <= 1/2 [FE 1] */
static double
gam(const bctx *c, slong k)
{
    double ku = (double) k * c->u;
    return up(ku * (1 + 2 * ku));
}

static double
getv(const void *p, slong i, rj_fast_dtype t)
{
    return t == RJ_FAST_F32 ? (double) ((const float *) p)[i] : ((const double *) p)[i];
}

/* nonnegative product pushed past underflow [FE 8] */
static inline double
mu(double a, double b)
{
    return a * b + ETA_D;
}

/* Activation evaluation error at a float argument whose float result is y
   ([FE 6]); a the rounded slope. */
static double
act_rho(const bctx *c, rj_act_kind k, double slope, double x, double y)
{
    switch (k) {
    case RJ_ACT_IDENTITY:
    case RJ_ACT_RELU:
        return 0;
    case RJ_ACT_LEAKY_RELU:
        return x > 0 ? 0 : mu(up(c->u + c->c2), fabs(slope) * fabs(x)) + c->eta;
    case RJ_ACT_TANH:
        return mu(8 * c->u, fabs(y)) + c->eta;
    case RJ_ACT_SIGMOID:
        return mu(8 * c->u, fabs(y)) + c->tiny_sig + c->eta;
    default: /* no bound known: infinite, so nothing is certified */
        break;
    }
    return INFINITY;
}

static double
act_lip(const bctx *c, rj_act_kind k, double slope)
{
    switch (k) {
    case RJ_ACT_LEAKY_RELU:
        return up(FLINT_MAX(1.0, fabs(slope) * c->c1));
    case RJ_ACT_SIGMOID:
        return 0.25;
    default:
        return 1;
    }
}

static int
act_has_kink(rj_act_kind k, double slope)
{
    return k == RJ_ACT_RELU || (k == RJ_ACT_LEAKY_RELU && slope != 1);
}

/* Bound on |d_hat - act'(exact argument)| for a derivative the kernel computed
   as d_hat, at a float argument with bound epre and float value y = act(x)
   ([FE 7]); piecewise-linear units must be certified separately. */
static double
deriv_err(const bctx *c, rj_act_kind k, double slope, double dhat, double x, double y,
          double epre)
{
    switch (k) {
    case RJ_ACT_IDENTITY:
    case RJ_ACT_RELU:
        return 0;
    case RJ_ACT_LEAKY_RELU:
        return dhat == 1 ? 0 : mu(c->c2, fabs(slope));
    case RJ_ACT_TANH:
        return 2 * c->u + c->eta + 2 * act_rho(c, k, slope, x, y) + mu(0.7699, epre);
    case RJ_ACT_SIGMOID:
        return c->u + c->eta + act_rho(c, k, slope, x, y) + mu(0.0963, epre);
    default: /* no bound known: infinite, so nothing is certified */
        break;
    }
    return INFINITY;
}

/* y_j (+)= sum_i |W_ji| x_i + cols * eta_d, W typed rows x cols [FE 8] */
static void
absmatvec(double *y, const void *W, slong rows, slong cols, const double *x,
          rj_fast_dtype t)
{
    slong i, j;
    for (j = 0; j < rows; j++) {
        double s = 0;
        for (i = 0; i < cols; i++)
            s += fabs(getv(W, j * cols + i, t)) * x[i];
        y[j] = s + (double) cols * ETA_D;
    }
}

/* C = A |W| for nonnegative A (R x k) and typed W (k x n): dgemm plus k eta_d
   per entry [FE 8]; Wabs is scratch of k * n doubles. */
static void
absgemm(double *C, const double *A, slong R, slong k, const void *W, slong n,
        rj_fast_dtype t, double *Wabs)
{
    slong i;
    for (i = 0; i < k * n; i++)
        Wabs[i] = fabs(getv(W, i, t));
    if (R > 0 && n > 0 && k > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint) R, (blasint) n,
                    (blasint) k, 1.0, A, (blasint) k, Wabs, (blasint) n, 0.0, C,
                    (blasint) n);
    else
        memset(C, 0, R * n * sizeof(double));
    for (i = 0; i < R * n; i++)
        C[i] += (double) k * ETA_D;
}

void
rj_fast_bound_init(rj_fast_bound_t b)
{
    memset(b, 0, sizeof(rj_fast_bound_struct));
    b->unc_block = -1;
    b->unbounded_block = -1;
    b->certified = 1;
}

void
rj_fast_bound_clear(rj_fast_bound_t b)
{
    slong l;
    if (b->h != NULL)
        for (l = 0; l <= b->len; l++) {
            free(b->h[l]);
            free(b->eh[l]);
            free(b->G[l]);
            free(b->EG[l]);
        }
    free(b->h);
    free(b->eh);
    free(b->G);
    free(b->EG);
    free(b->width);
    rj_fast_bound_init(b);
}

static void
uncertain(rj_fast_bound_t b, slong block, int where, slong unit, double v, double e)
{
    if (b->certified) {
        b->certified = 0;
        b->unc_block = block;
        b->unc_where = where;
        b->unc_unit = unit;
        b->unc_value = v;
        b->unc_bound = e;
    }
}

static int
all_finite(const void *p, slong n, rj_fast_dtype t)
{
    slong i;
    for (i = 0; i < n; i++)
        if (!isfinite(getv(p, i, t)))
            return 0;
    return 1;
}

static int
bound_alloc(rj_fast_bound_t b, const rj_fast_net_t net)
{
    slong l, L = net->len;
    double bytes = 0;
    b->len = L;
    b->n_in = net->n_in;
    b->n_out = net->n_out;
    b->dtype = net->dtype;
    b->width = malloc((L + 1) * sizeof(slong));
    b->h = calloc(L + 1, sizeof(double *));
    b->eh = calloc(L + 1, sizeof(double *));
    b->G = calloc(L + 1, sizeof(double *));
    b->EG = calloc(L + 1, sizeof(double *));
    if (b->width == NULL || b->h == NULL || b->eh == NULL || b->G == NULL || b->EG == NULL)
        return RJ_ERR_MEMORY;
    for (l = 0; l <= L; l++) {
        b->width[l] = l == 0 ? net->n_in : net->blocks[l - 1].n_out;
        bytes += 16.0 * b->width[l] * (1 + net->n_out);
    }
    if (bytes > (double) RJ_MAX_BYTES)
        return RJ_ERR_LIMIT;
    for (l = 0; l <= L; l++) {
        slong w = b->width[l];
        b->h[l] = calloc(w, sizeof(double));
        b->eh[l] = calloc(w, sizeof(double));
        b->G[l] = calloc(net->n_out * w, sizeof(double));
        b->EG[l] = calloc(net->n_out * w, sizeof(double));
        if (b->h[l] == NULL || b->eh[l] == NULL || b->G[l] == NULL || b->EG[l] == NULL)
            return RJ_ERR_MEMORY;
    }
    b->J = b->G[0];
    b->E = b->EG[0];
    return RJ_OK;
}

/* Rounding depth budget of the whole bound computation [FE 8]:
   S bounds the depth of the forward bounds and of one block's own backward
   work; the backward pass adds at most S per block (products with derivative
   errors carry forward depths), so (L + 2) S bounds every depth. */
static double
depth_budget(const rj_fast_net_t net)
{
    slong l;
    double S = 64;
    for (l = 0; l < net->len; l++) {
        const rj_fast_block_struct *bl = net->blocks + l;
        S += 8.0 * (bl->n_in + bl->n_hidden + bl->n_out + 32);
        if (bl->general) {
            /* [FE 10]: every layer's sums (at most its input entries, or its
               taps, plus a few roundings) */
            slong j;
            for (j = 0; j < bl->nbranch + bl->nproj; j++) {
                const rj_fast_layer_struct *Ly = bl->layers + j;
                S += 8.0 * ((double) rj_shape_size(Ly->in) + (double) rj_shape_size(Ly->out)
                            + (double) (Ly->Wc + Ly->Wr) + (double) (Ly->kh * Ly->kw) + 32);
            }
        }
    }
    return ((double) net->len + 2) * S;
}

/* E_out = E_in (|D| + e_D) + |G| e_D (+ u |G||D| + eta unless D is 0 or 1):
   the bound after multiplying R rows G (typed, R x n, bound E_in) by the
   derivative row D (typed, n) whose error is e_D [FE 5.1]. */
static void
mask_step(double *Eout, const void *G, const double *Ein, const void *D, const double *eD,
          slong R, slong n, const bctx *c)
{
    slong r, j;
    for (j = 0; j < n; j++) {
        double d = fabs(getv(D, j, c->t)), ed = eD[j];
        int exact01 = d == 0 || d == 1;
        for (r = 0; r < R; r++) {
            double g = fabs(getv(G, r * n + j, c->t));
            double e = mu(Ein[r * n + j], d + ed) + mu(g, ed);
            if (!exact01)
                e += mu(c->u, g * d) + c->eta;
            Eout[r * n + j] = e;
        }
    }
}

/* E_out = (g_k + 2d) |G| |W| + (1 + 2d) E_in |W| + k eta, the bound after the
   product G W (G typed R x k, W typed k x n) [FE 5.2]. */
static void
gemm_step(double *Eout, const void *G, const double *Ein, slong R, slong k, const void *W,
          slong n, const bctx *c, double *M, double *Wabs)
{
    slong i;
    double g1 = up(gam(c, k) + c->c2);
    for (i = 0; i < R * k; i++)
        M[i] = mu(g1, fabs(getv(G, i, c->t))) + mu(c->c1, Ein[i]);
    absgemm(Eout, M, R, k, W, n, c->t, Wabs);
    for (i = 0; i < R * n; i++)
        Eout[i] += (double) k * c->eta;
}

typedef struct {
    double *ez;   /* per block: bound of the hidden pre-activation z (two-layer) */
    double *ey;   /* per block: bound of y before the outer activation */
} blk_bounds;

/* Bound after a (float) activation at float argument v with bound e
   [FE 4.1, FE 3]: at a kink whose side is certified the float and the exact
   value are on the same linear piece: relu on the left gives 0 in both
   (error 0), otherwise the piece's slope carries e.  *cert receives 0 when
   a kink cannot be certified (then the Lipschitz bound is used). */
static double
act_err(int *cert, const bctx *c, rj_act_kind k, double slope, double v, double y, double e,
        double F)
{
    double rho = act_rho(c, k, slope, v, y);
    *cert = 1;
    if (act_has_kink(k, slope)) {
        if (e == 0 || fabs(v) > e * F) {
            if (v > 0)
                return e;
            if (k == RJ_ACT_RELU)
                return 0;
            return rho + mu(up(fabs(slope) * c->c1), e);
        }
        *cert = 0;
    }
    return rho + mu(act_lip(c, k, slope), e);
}

/* Forward bound of block l [FE 4]: from h[l], eh[l] to h[l + 1], eh[l + 1];
   certifies every kink met. */
static void
forward_block(rj_fast_bound_t b, blk_bounds *bb, slong *unc_max, const rj_fast_net_t net,
              const rj_fast_work_t w, slong l, const bctx *c, double F, void *tmp_t,
              double *v1, double *v2, double *v3, double *v4, double *v5, double *v6)
{
    const rj_fast_block_struct *bl = net->blocks + l;
    fast_ctx cx;
    const double *hh = b->h[l], *eh = b->eh[l];
    const double *xl, *exl, *ul, *eul;
    const void *Wl, *bb_last;
    slong i, j, k, ni = bl->n_in, no = bl->n_out, nh = bl->n_hidden;
    double gk, gcon;

    fast_ctx_set(&cx, net, w, l);
    /* u = sigma(h) (PRE), recomputed by the kernel's own function [FE 4.1] */
    if (bl->place == RJ_PLACE_PRE && bl->outer != RJ_ACT_IDENTITY) {
        if (c->t == RJ_FAST_F32)
            fast_act_s((float *) tmp_t, (const float *) cx.H, ni, bl->outer,
                       (float) bl->outer_slope);
        else
            fast_act_d((double *) tmp_t, (const double *) cx.H, ni, bl->outer,
                       bl->outer_slope);
        for (i = 0; i < ni; i++) {
            double uh = getv(tmp_t, i, c->t);
            int cert;
            v1[i] = fabs(uh);
            v2[i] = act_err(&cert, c, bl->outer, bl->outer_slope, hh[i], uh, eh[i], F);
            if (!cert) {
                uncertain(b, l, 1, i, hh[i], eh[i] * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
        }
    } else {
        for (i = 0; i < ni; i++) {
            v1[i] = fabs(hh[i]);
            v2[i] = eh[i];
        }
    }
    ul = v1;
    eul = v2;
    if (bl->two_layer) {
        /* z = b1 + u W1^T [FE 4.2] */
        gk = up(gam(c, ni + 1) + c->c2);
        absmatvec(v3, cx.W1, nh, ni, ul, c->t);
        absmatvec(v4, cx.W1, nh, ni, eul, c->t);
        for (j = 0; j < nh; j++) {
            double bj = cx.b1 != NULL ? fabs(getv(cx.b1, j, c->t)) : 0;
            double ez = mu(gk, v3[j] + bj) + mu(c->c1, v4[j]) + (double) (ni + 1) * c->eta;
            double zj = getv(cx.Z, j, c->t), aj = getv(cx.A, j, c->t);
            int cert;
            bb->ez[j] = ez;
            v5[j] = fabs(aj);
            v6[j] = act_err(&cert, c, bl->act, bl->act_slope, zj, aj, ez, F);
            if (!cert) {
                uncertain(b, l, 0, j, zj, ez * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
        }
        xl = v5;
        exl = v6;
        Wl = cx.W2;
        bb_last = cx.b2;
        k = nh;
    } else {
        xl = ul;
        exl = eul;
        Wl = cx.W1;
        bb_last = cx.b1;
        k = ni;
    }
    /* y = S h; y += b; y += x W^T [FE 4.3] */
    gk = gam(c, k + 2);
    gcon = up(gk + c->c2);
    absmatvec(v3, Wl, no, k, xl, c->t);      /* |W| |x| */
    absmatvec(v4, Wl, no, k, exl, c->t);     /* |W| e_x */
    /* v1: |Y0| upper, v2: error of Y0 (v1, v2 are free again) */
    switch (bl->skip) {
    case RJ_SKIP_IDENTITY:
        for (j = 0; j < no; j++) {
            v1[j] = fabs(hh[j]);
            v2[j] = eh[j];
        }
        break;
    case RJ_SKIP_SCALED: {
        double a = fabs(bl->alpha);
        for (j = 0; j < no; j++) {
            v1[j] = mu(up(a * (1 + c->u)), fabs(hh[j])) + c->eta;
            v2[j] = mu(up((c->u + c->c2) * a), fabs(hh[j])) + c->eta
                    + mu(up(c->c1 * a), eh[j]);
        }
        break;
    }
    case RJ_SKIP_PROJECT: {
        double gs = gam(c, ni);
        for (i = 0; i < ni; i++)
            v6[i] = fabs(hh[i]);
        absmatvec(v5, cx.Ws, no, ni, v6, c->t);   /* |Ws| |h| */
        absmatvec(v6, cx.Ws, no, ni, eh, c->t);   /* |Ws| e_h (v6 read before) */
        for (j = 0; j < no; j++) {
            v1[j] = mu(up(1 + gs), v5[j]) + (double) ni * c->eta;
            v2[j] = mu(up(gs + c->c2), v5[j]) + (double) ni * c->eta + mu(c->c1, v6[j]);
        }
        break;
    }
    case RJ_SKIP_NONE:
        for (j = 0; j < no; j++)
            v1[j] = v2[j] = 0;
        break;
    }
    for (j = 0; j < no; j++) {
        double bj = bb_last != NULL ? fabs(getv(bb_last, j, c->t)) : 0;
        double ey = mu(gcon, v3[j] + bj) + mu(gk, v1[j]) + v2[j] + mu(c->c1, v4[j])
                    + (double) (k + 2) * c->eta;
        double yo = getv(cx.Hout, j, c->t);
        bb->ey[j] = ey;
        b->h[l + 1][j] = yo;
        if (bl->place == RJ_PLACE_POST) {
            double pj = getv(cx.P, j, c->t);
            int cert;
            b->eh[l + 1][j] = act_err(&cert, c, bl->outer, bl->outer_slope, pj, yo, ey, F);
            if (!cert) {
                uncertain(b, l, 1, j, pj, ey * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
        } else {
            b->eh[l + 1][j] = ey;
        }
    }
}

/* Backward bound of block l [FE 5]: Enext (R x n_in) from Ecur (R x n_out),
   the kernel's trace tr and the rows Gout it started from. */
static void
backward_block(double *Enext, const double *Ecur, const void *Gout, const fast_trace *tr,
               const blk_bounds *bb, const rj_fast_bound_t b, const rj_fast_net_t net,
               const rj_fast_work_t w, slong l, slong R, const bctx *c, void *tmp_t,
               double *Ep, double *ET0, double *ETm, double *EGU, double *M, double *Wabs,
               double *ed)
{
    const rj_fast_block_struct *bl = net->blocks + l;
    slong ni = bl->n_in, no = bl->n_out, nh = bl->n_hidden, w1r = fast_w1_rows(bl);
    slong i, j, r;
    fast_ctx cx;
    const double *EpP = Ecur, *ETmP;
    const void *Tm;
    double *Em = ETm;   /* reused after the branch */

    fast_ctx_set(&cx, net, w, l);
    /* gp = g * sigma'(p) [FE 5.1] */
    if (bl->place == RJ_PLACE_POST) {
        for (j = 0; j < no; j++)
            ed[j] = deriv_err(c, bl->outer, bl->outer_slope, getv(tr->Dpost, j, c->t),
                              getv(cx.P, j, c->t), getv(cx.Hout, j, c->t), bb->ey[j]);
        mask_step(Ep, Gout, Ecur, tr->Dpost, ed, R, no, c);
        EpP = Ep;
    }
    /* branch [FE 5.2] */
    if (bl->two_layer) {
        gemm_step(ET0, tr->Gp, EpP, R, no, cx.W2, nh, c, M, Wabs);
        for (j = 0; j < nh; j++)
            ed[j] = deriv_err(c, bl->act, bl->act_slope, getv(tr->Dact, j, c->t),
                              getv(cx.Z, j, c->t), getv(cx.A, j, c->t), bb->ez[j]);
        mask_step(ETm, tr->T0, ET0, tr->Dact, ed, R, nh, c);
        ETmP = ETm;
        Tm = tr->Tm;
    } else {
        ETmP = EpP;
        Tm = tr->Gp;
    }
    gemm_step(EGU, Tm, ETmP, R, w1r, cx.W1, ni, c, M, Wabs);
    /* PRE derivative: Em = EGU (|D| + e_D) + |GU| e_D, without rounding [FE 5.3] */
    if (bl->place == RJ_PLACE_PRE) {
        int smooth = bl->outer == RJ_ACT_TANH || bl->outer == RJ_ACT_SIGMOID;
        if (smooth) {
            if (c->t == RJ_FAST_F32)
                fast_act_s((float *) tmp_t, (const float *) cx.H, ni, bl->outer,
                           (float) bl->outer_slope);
            else
                fast_act_d((double *) tmp_t, (const double *) cx.H, ni, bl->outer,
                           bl->outer_slope);
        }
        for (i = 0; i < ni; i++)
            ed[i] = deriv_err(c, bl->outer, bl->outer_slope, getv(tr->Dpre, i, c->t),
                              b->h[l][i], smooth ? getv(tmp_t, i, c->t) : 0, b->eh[l][i]);
    }
    for (r = 0; r < R; r++)
        for (i = 0; i < ni; i++) {
            double gu = fabs(getv(tr->GU, r * ni + i, c->t));
            double d = 1, e = 0, em, mabs, rnd = 0;
            if (bl->place == RJ_PLACE_PRE) {
                d = fabs(getv(tr->Dpre, i, c->t));
                e = ed[i];
            }
            em = mu(EGU[r * ni + i], d + e) + mu(gu, e);
            mabs = mu(gu, d);
            if (!(d == 0 || d == 1)) {
                rnd = mu(c->u, mabs) + c->eta;
                mabs = mu(mabs, 1 + 2 * c->u) + c->eta;
            }
            Em[r * ni + i] = em;
            M[r * ni + i] = mabs;   /* |m| upper */
            Enext[r * ni + i] = rnd;
        }
    /* skip [FE 5.4] */
    switch (bl->skip) {
    case RJ_SKIP_IDENTITY: {
        double g2 = gam(c, 2);
        for (i = 0; i < R * ni; i++) {
            double gp = fabs(getv(tr->Gp, i, c->t));
            /* fused gin = gu d + gp: covers the product's rounding too */
            Enext[i] = Em[i] + EpP[i] + mu(g2, M[i] + gp) + 2 * c->eta;
        }
        break;
    }
    case RJ_SKIP_SCALED: {
        double g2 = gam(c, 2), a = fabs(bl->alpha);
        for (i = 0; i < R * ni; i++) {
            double gp = fabs(getv(tr->Gp, i, c->t));
            Enext[i] = Em[i] + Enext[i] + mu(up(c->c1 * a), EpP[i]) + mu(up(c->c2 * a), gp)
                       + mu(g2, M[i] + mu(a, gp)) + 2 * c->eta;
        }
        break;
    }
    case RJ_SKIP_PROJECT: {
        double gs = gam(c, no + 1), g1 = up(gs + c->c2);
        for (i = 0; i < R * no; i++)
            ET0[i] = mu(g1, fabs(getv(tr->Gp, i, c->t))) + mu(c->c1, EpP[i]);
        absgemm(EGU, ET0, R, no, cx.Ws, ni, c->t, Wabs);
        for (i = 0; i < R * ni; i++)
            Enext[i] = Em[i] + Enext[i] + mu(gs, M[i]) + EGU[i] + (double) (no + 1) * c->eta;
        break;
    }
    case RJ_SKIP_NONE:
        for (i = 0; i < R * ni; i++)
            Enext[i] = Em[i] + Enext[i];
        break;
    }
}

/* ------------------------------------------------------------ general blocks
   [FE 10]: the layers of a general block, each with its forward and
   backward step bounded the way [FE 4], [FE 5] bound the shorthand's; the
   float values are replayed layer by layer with the kernels' own functions
   (fast_gen_layer_forward, fast_gen_layer_vjp), so they are the passes'
   bits. */

/* per general block: the float values (typed and as doubles) and bounds of
   every position: branch p = 0 (u), p = j + 1 (output of layer j); the
   projection's likewise (p = 0: h) */
typedef struct {
    slong nb, np;
    void **bt, **pt;        /* typed, owned unless pointing at the workspace */
    int *bown, *pown;
    double **bv, **be, **pv, **pe;
} gen_bounds;

/* the float value of entry i of a typed buffer of dtype c->t, and storing
   a product or sum computed in double back to it (one rounding: the dtype's
   own operation, [FE 1]) */
static void
setv(void *p, slong i, double v, rj_fast_dtype t)
{
    if (t == RJ_FAST_F32)
        ((float *) p)[i] = (float) v;
    else
        ((double *) p)[i] = v;
}

/* a layer parameter of the block of cx (NULL when absent) */
static const void *
parp(const fast_ctx *cx, slong off, const bctx *c)
{
    return off < 0 ? NULL : cx->pbase + (size_t) off * rj_fast_dtype_size(c->t);
}

/* y_o = sum |K| x over the taps of conv layer L (transpose = 0: x input-
   shaped, y output-shaped; 1: the transpose), plus the term count times
   eta_d [FE 8]; R rows */
static void
absconv(double *y, const double *x, slong R, const rj_fast_layer_struct *L, const void *K,
        rj_fast_dtype t, int transpose)
{
    slong G = L->groups, cig = L->in.c / G, cog = L->out.c / G, taps = cig * L->kh * L->kw;
    slong H = L->in.h, W = L->in.w, Ho = L->out.h, Wo = L->out.w;
    slong nin = L->in.c * H * W, nout = L->out.c * Ho * Wo, r, co, oi, oj, ci, a, bb;
    for (r = 0; r < R; r++) {
        double *yr = y + r * (transpose ? nin : nout);
        const double *xr = x + r * (transpose ? nout : nin);
        memset(yr, 0, (transpose ? nin : nout) * sizeof(double));
        for (co = 0; co < L->out.c; co++)
            for (oi = 0; oi < Ho; oi++)
                for (oj = 0; oj < Wo; oj++) {
                    slong o = (co * Ho + oi) * Wo + oj, g = co / cog;
                    double s = 0;
                    for (ci = 0; ci < cig; ci++)
                        for (a = 0; a < L->kh; a++)
                            for (bb = 0; bb < L->kw; bb++) {
                                slong ii = oi * L->sh - L->ph + a * L->dh;
                                slong jj = oj * L->sw - L->pw + bb * L->dw, xi;
                                double k;
                                if (ii < 0 || ii >= H || jj < 0 || jj >= W)
                                    continue;
                                xi = ((g * cig + ci) * H + ii) * W + jj;
                                k = fabs(getv(K, co * taps + (ci * L->kh + a) * L->kw + bb, t));
                                if (transpose)
                                    yr[xi] += k * xr[o];
                                else
                                    s += k * xr[xi];
                            }
                    if (!transpose)
                        yr[o] = s;
                }
        for (co = 0; co < (transpose ? nin : nout); co++)
            yr[co] += (double) (taps * cog) * ETA_D;
    }
}

/* Per channel of an AFFINE or BATCHNORM layer: the factor a the kernel
   computes (replayed in the dtype), a bound ea on |a - A| for the exact
   factor A, the offset cc and a bound ec on |cc - C|.  BATCHNORM:
   A = gamma / sqrt(var + eps), C = beta - mean A, computed by the kernel
   as a = (1 / sqrt(var + eps)) gamma, c = beta - mean a; each converted
   parameter within c2 |p| of the exact one [FE 2]. */
static void
chan_coeffs(double *a, double *ea, double *cc, double *ec, const rj_fast_layer_struct *L,
            const fast_ctx *cx, const bctx *c)
{
    slong C = L->in.c, k;
    const void *sc = parp(cx, L->scale, c), *sf = parp(cx, L->shift, c);
    for (k = 0; k < C; k++) {
        double s = sc != NULL ? getv(sc, k, c->t) : 1, t = sf != NULL ? getv(sf, k, c->t) : 0;
        if (L->kind == RJ_LAYER_AFFINE) {
            a[k] = s;
            ea[k] = mu(c->c2, fabs(s));
            cc[k] = t;
            ec[k] = mu(c->c2, fabs(t));
            continue;
        }
        {
            double var = getv(parp(cx, L->var, c), k, c->t);
            double mean = getv(parp(cx, L->mean, c), k, c->t);
            double v, sq, inv, ev, rv, rs, ri, ra, m;
            if (c->t == RJ_FAST_F32) {
                float vf = (float) var + (float) L->eps;
                float sf32 = sqrtf(vf), inf = 1.0f / sf32;
                float af = sc != NULL ? inf * (float) s : inf;
                float mf = (float) mean * af;
                v = vf;
                sq = sf32;
                inv = inf;
                a[k] = af;
                cc[k] = sf != NULL ? (double) ((float) t - mf) : (double) -mf;
                m = mf;
            } else {
                v = var + L->eps;
                sq = sqrt(v);
                inv = 1.0 / sq;
                a[k] = sc != NULL ? inv * s : inv;
                m = mean * a[k];
                cc[k] = sf != NULL ? t - m : -m;
            }
            (void) sq;
            (void) inv;
            /* |v - (var + eps)| <= ev; relative errors of sqrt, 1/., * gamma */
            ev = mu(c->c2, fabs(var) + fabs(L->eps)) + mu(c->u, fabs(v)) + c->eta;
            if (!(v > 2 * ev)) {
                ea[k] = ec[k] = INFINITY;
                continue;
            }
            rv = up(ev / (v - ev) * (1 + 0x1p-50));
            rs = up(rv + c->u + rv * c->u);
            ri = up((rs + c->u) / (1 - rs) * (1 + 0x1p-50));
            ra = up((1 + ri) * (1 + c->u) * (1 + c->c2) - 1 + 0x1p-50);
            if (!(ra < 0.5)) {
                ea[k] = ec[k] = INFINITY;
                continue;
            }
            ea[k] = up(mu(ra, fabs(a[k])) / (1 - ra)) + c->eta;
            ec[k] = mu(c->c2, fabs(t)) + mu(c->c2, fabs(mean) * fabs(a[k]))
                    + mu(mu(c->c1, ea[k]), fabs(mean)) + mu(gam(c, 2), fabs(t) + fabs(m))
                    + 2 * c->eta;
        }
    }
}

/* the window geometry of a pool: input index of tap (a, b) of output o, or
   -1 in the padding */
static slong
pool_tap(const rj_fast_layer_struct *L, slong o, slong a, slong bb)
{
    slong Ho = L->out.h, Wo = L->out.w, c = o / (Ho * Wo), oi = (o / Wo) % Ho, oj = o % Wo;
    slong ii = oi * L->sh - L->ph + a * L->dh, jj = oj * L->sw - L->pw + bb * L->dw;
    if (ii < 0 || ii >= L->in.h || jj < 0 || jj >= L->in.w)
        return -1;
    return (c * L->in.h + ii) * L->in.w + jj;
}

/* most windows an input entry of a pool lies in */
static slong
pool_overlap(const rj_fast_layer_struct *L)
{
    return ((L->dh * (L->kh - 1)) / L->sh + 1) * ((L->dw * (L->kw - 1)) / L->sw + 1);
}

/* the float first maximum of window o (the kernel's rule) */
static slong
pool_argmax(const rj_fast_layer_struct *L, const double *x, slong o)
{
    slong a, bb, best = -1;
    for (a = 0; a < L->kh; a++)
        for (bb = 0; bb < L->kw; bb++) {
            slong i = pool_tap(L, o, a, bb);
            if (i >= 0 && (best < 0 || x[i] > x[best]))
                best = i;
        }
    return best;
}

/* Forward bound of one layer of a general block [FE 10]: ey (output) from
   the float input x with bound ex and the float output y.  Kinks (relu,
   leaky_relu) and max-pool selections are certified; a failure is reported
   as uncertain (block l, where 0, unit = the entry within the layer). */
static void
gen_layer_fwd(double *ey, const rj_fast_layer_struct *L, const double *x, const double *ex,
              const double *y, const fast_ctx *cx, const bctx *c, double F,
              rj_fast_bound_t b, slong l, slong *unc_max, double *t1, double *t2, double *t3)
{
    slong nin = rj_shape_size(L->in), nout = rj_shape_size(L->out), i, o, a, bb;
    switch (L->kind) {
    case RJ_LAYER_DENSE:
    case RJ_LAYER_CONV2D: {
        const void *W = parp(cx, L->W, c), *bias = parp(cx, L->b, c);
        slong k = L->kind == RJ_LAYER_DENSE ? nin : L->Wc;
        double gk = up(gam(c, k + 1) + c->c2);
        for (i = 0; i < nin; i++)
            t3[i] = fabs(x[i]);
        if (L->kind == RJ_LAYER_DENSE) {
            absmatvec(t1, W, nout, nin, t3, c->t);
            absmatvec(t2, W, nout, nin, ex, c->t);
        } else {
            absconv(t1, t3, 1, L, W, c->t, 0);
            absconv(t2, ex, 1, L, W, c->t, 0);
        }
        for (o = 0; o < nout; o++) {
            double bj = bias != NULL ? fabs(getv(bias, L->kind == RJ_LAYER_DENSE ? o
                                                       : o / (L->out.h * L->out.w), c->t)) : 0;
            ey[o] = mu(gk, t1[o] + bj) + mu(c->c1, t2[o]) + (double) (k + 1) * c->eta;
        }
        break;
    }
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM: {
        slong C = L->in.c, HW = L->in.h * L->in.w, ch;
        double g2 = gam(c, 2);
        chan_coeffs(t1, t2, t3, t3 + C, L, cx, c);
        for (ch = 0; ch < C; ch++)
            for (i = ch * HW; i < (ch + 1) * HW; i++)
                ey[i] = mu(fabs(t1[ch]) + t2[ch], ex[i]) + mu(t2[ch], fabs(x[i])) + t3[C + ch]
                        + mu(g2, fabs(x[i]) * fabs(t1[ch]) + fabs(t3[ch])) + 2 * c->eta;
        break;
    }
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_GAP: {
        int gap = L->kind == RJ_LAYER_GAP;
        slong m = gap ? nin / L->in.c : L->kh * L->kw;
        double inv = up(1.0 / (double) m), gm = gam(c, m + 2);
        for (o = 0; o < nout; o++) {
            double S = 0, E = 0;
            if (gap)
                for (i = o * m; i < (o + 1) * m; i++) {
                    S += fabs(x[i]);
                    E += ex[i];
                }
            else
                for (a = 0; a < L->kh; a++)
                    for (bb = 0; bb < L->kw; bb++) {
                        slong t = pool_tap(L, o, a, bb);
                        if (t >= 0) {
                            S += fabs(x[t]);
                            E += ex[t];
                        }
                    }
            ey[o] = mu(E + mu(gm, S), inv) + c->eta;
        }
        break;
    }
    case RJ_LAYER_MAXPOOL:
        /* max is 1-Lipschitz in the sup norm; the selection is certified
           when the float maximum beats every other entry by more than both
           bounds, or when no entry carries an error (then x is exact) */
        for (o = 0; o < nout; o++) {
            slong k = pool_argmax(L, x, o);
            int cert = 1;
            double e = 0;
            for (a = 0; a < L->kh; a++)
                for (bb = 0; bb < L->kw; bb++) {
                    slong t = pool_tap(L, o, a, bb);
                    if (t >= 0)
                        e = FLINT_MAX(e, ex[t]);
                }
            if (e > 0)
                for (a = 0; a < L->kh; a++)
                    for (bb = 0; bb < L->kw; bb++) {
                        slong t = pool_tap(L, o, a, bb);
                        double d;
                        if (t < 0 || t == k)
                            continue;
                        d = x[k] - x[t];
                        if (!(d - fabs(d) * 0x1p-52 > (ex[k] + ex[t]) * F))
                            cert = 0;
                    }
            if (!cert) {
                uncertain(b, l, 0, o, x[k], e * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
            ey[o] = e;
        }
        break;
    case RJ_LAYER_FLATTEN:
        memcpy(ey, ex, nin * sizeof(double));
        break;
    case RJ_LAYER_ACT:
        for (i = 0; i < nin; i++) {
            int cert;
            ey[i] = act_err(&cert, c, L->act, L->param, x[i], y[i], ex[i], F);
            if (!cert) {
                uncertain(b, l, 0, i, x[i], ex[i] * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
        }
        break;
    default:    /* layer norm: no bound [FE 10] */
        for (o = 0; o < nout; o++)
            ey[o] = INFINITY;
        break;
    }
}

/* Backward bound of one layer on R rows [FE 10]: Ein (input-shaped) from
   the float cotangent rows Gh (typed, output-shaped) with bound E; x, ex,
   xt, yt the layer's float input (doubles and typed), its bound, its typed
   output; D is typed scratch of the input width. */
static void
gen_layer_bwd(double *Ein, const void *Gh, const double *E, slong R,
              const rj_fast_layer_struct *L, const double *x, const double *ex,
              const void *xt, const void *yt, const fast_ctx *cx, const bctx *c,
              double *M, double *Wabs, double *t1, void *D)
{
    slong nin = rj_shape_size(L->in), nout = rj_shape_size(L->out), r, i, o, a, bb;
    switch (L->kind) {
    case RJ_LAYER_DENSE:
        gemm_step(Ein, Gh, E, R, nout, parp(cx, L->W, c), nin, c, M, Wabs);
        break;
    case RJ_LAYER_CONV2D: {
        slong k = (L->out.c / L->groups) * L->kh * L->kw;
        double g1 = up(gam(c, k) + c->c2);
        for (i = 0; i < R * nout; i++)
            M[i] = mu(g1, fabs(getv(Gh, i, c->t))) + mu(c->c1, E[i]);
        absconv(Ein, M, R, L, parp(cx, L->W, c), c->t, 1);
        for (i = 0; i < R * nin; i++)
            Ein[i] += (double) k * c->eta;
        break;
    }
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM: {
        slong C = L->in.c, HW = L->in.h * L->in.w, ch;
        chan_coeffs(t1, t1 + C, t1 + 2 * C, t1 + 3 * C, L, cx, c);
        for (r = 0; r < R; r++)
            for (ch = 0; ch < C; ch++)
                for (i = r * nin + ch * HW; i < r * nin + (ch + 1) * HW; i++) {
                    double g = fabs(getv(Gh, i, c->t)), av = fabs(t1[ch]), ea = t1[C + ch];
                    Ein[i] = mu(E[i], av + ea) + mu(g, ea) + mu(c->u, g * av) + c->eta;
                }
        break;
    }
    case RJ_LAYER_AVGPOOL:
    case RJ_LAYER_MAXPOOL: {
        int mx = L->kind == RJ_LAYER_MAXPOOL;
        slong m = pool_overlap(L);
        double inv = mx ? 1 : up(1.0 / (double) (L->kh * L->kw));
        double gm = gam(c, m + 1);
        for (i = 0; i < R * nin; i++)
            Ein[i] = 0;
        for (r = 0; r < R; r++)
            for (o = 0; o < nout; o++) {
                double g = fabs(getv(Gh, r * nout + o, c->t)), e = E[r * nout + o];
                double t = mu(e + mu(gm, g), inv) + (double) m * c->eta;
                if (mx)
                    Ein[r * nin + pool_argmax(L, x, o)] += t;
                else
                    for (a = 0; a < L->kh; a++)
                        for (bb = 0; bb < L->kw; bb++) {
                            slong q = pool_tap(L, o, a, bb);
                            if (q >= 0)
                                Ein[r * nin + q] += t;
                        }
            }
        break;
    }
    case RJ_LAYER_GAP: {
        slong HW = nin / L->in.c;
        double inv = up(1.0 / (double) HW), g2 = gam(c, 2);
        for (r = 0; r < R; r++)
            for (i = 0; i < nin; i++) {
                slong q = r * nout + i / HW;
                Ein[r * nin + i] = mu(E[q] + mu(g2, fabs(getv(Gh, q, c->t))), inv) + c->eta;
            }
        break;
    }
    case RJ_LAYER_FLATTEN:
        memcpy(Ein, E, R * nin * sizeof(double));
        break;
    case RJ_LAYER_ACT: {
        int from_out = fast_deriv_from_output(L->act, L->param);
        if (c->t == RJ_FAST_F32)
            fast_deriv_s((float *) D, (const float *) (from_out ? yt : xt), nin, L->act,
                         (float) L->param, from_out);
        else
            fast_deriv_d((double *) D, (const double *) (from_out ? yt : xt), nin, L->act,
                         L->param, from_out);
        for (i = 0; i < nin; i++)
            t1[i] = deriv_err(c, L->act, L->param, getv(D, i, c->t), x[i], getv(yt, i, c->t),
                              ex[i]);
        mask_step(Ein, Gh, E, D, t1, R, nin, c);
        break;
    }
    default:
        for (i = 0; i < R * nin; i++)
            Ein[i] = INFINITY;
        break;
    }
}

static void
gen_bounds_clear(gen_bounds *g)
{
    slong j;
    for (j = 0; j <= g->nb && g->bv != NULL; j++) {
        if (g->bown != NULL && g->bown[j])
            free(g->bt[j]);
        free(g->bv[j]);
        free(g->be[j]);
    }
    for (j = 0; j <= g->np && g->pv != NULL; j++) {
        if (g->pown != NULL && g->pown[j])
            free(g->pt[j]);
        free(g->pv[j]);
        free(g->pe[j]);
    }
    free(g->bt);
    free(g->pt);
    free(g->bown);
    free(g->pown);
    free(g->bv);
    free(g->be);
    free(g->pv);
    free(g->pe);
    memset(g, 0, sizeof(*g));
}

/* the values of positions 1 .. n of a sequence (layers L[0 .. n - 1], input
   at position 0 set by the caller), replayed by the kernel's function, with
   their forward bounds; returns 0, -1 when out of memory, -2 when a value
   is not finite */
static int
gen_seq_fwd(void **tt, int *own, double **vv, double **ee, const rj_fast_layer_struct *Ls,
            slong n, fast_ctx *cx, fast_scratch *s, const bctx *c, double F,
            rj_fast_bound_t b, slong l, slong *unc_max, double *t1, double *t2, double *t3)
{
    slong j, i;
    size_t es = rj_fast_dtype_size(c->t);
    for (j = 0; j < n; j++) {
        const rj_fast_layer_struct *L = Ls + j;
        slong no = rj_shape_size(L->out);
        tt[j + 1] = malloc(no * es);
        own[j + 1] = 1;
        vv[j + 1] = malloc(no * sizeof(double));
        ee[j + 1] = malloc(no * sizeof(double));
        if (tt[j + 1] == NULL || vv[j + 1] == NULL || ee[j + 1] == NULL)
            return -1;
        if (c->t == RJ_FAST_F32)
            fast_gen_layer_forward_s((float *) tt[j + 1], (const float *) tt[j], 1, L, cx, s);
        else
            fast_gen_layer_forward_d((double *) tt[j + 1], (const double *) tt[j], 1, L, cx,
                                     s);
        if (!all_finite(tt[j + 1], no, c->t))
            return -2;
        for (i = 0; i < no; i++)
            vv[j + 1][i] = getv(tt[j + 1], i, c->t);
        gen_layer_fwd(ee[j + 1], L, vv[j], ee[j], vv[j + 1], cx, c, F, b, l, unc_max, t1, t2,
                      t3);
    }
    return 0;
}

/* Forward bound of general block l [FE 10]: h[l + 1], eh[l + 1] and the
   bound ey of the POST argument, keeping every position's values in g.
   t1..t3 are scratch of the widest layer (4 times its channels at least).
   Returns RJ_OK, RJ_ERR_MEMORY, or RJ_ERR_DOMAIN when a value inside the
   block is not finite. */
static int
gen_forward_block(gen_bounds *g, rj_fast_bound_t b, blk_bounds *bb, slong *unc_max,
                  const rj_fast_net_t net, const rj_fast_work_t w, slong l, const bctx *c,
                  double F, double *t1, double *t2, double *t3)
{
    const rj_fast_block_struct *bl = net->blocks + l;
    slong nb = bl->nbranch, np = bl->nproj, ni = bl->n_in, no = bl->n_out, i, j;
    size_t es = rj_fast_dtype_size(c->t);
    const double *y0, *ey0;
    fast_ctx cx;
    fast_scratch s;
    fast_ctx_set(&cx, net, w, l);
    fast_scratch_set(&s, w);
    g->nb = nb;
    g->np = np;
    g->bt = calloc(nb + 1, sizeof(void *));
    g->pt = calloc(np + 1, sizeof(void *));
    g->bown = calloc(nb + 1, sizeof(int));
    g->pown = calloc(np + 1, sizeof(int));
    g->bv = calloc(nb + 1, sizeof(double *));
    g->be = calloc(nb + 1, sizeof(double *));
    g->pv = calloc(np + 1, sizeof(double *));
    g->pe = calloc(np + 1, sizeof(double *));
    if (g->bt == NULL || g->pt == NULL || g->bown == NULL || g->pown == NULL || g->bv == NULL
        || g->be == NULL || g->pv == NULL || g->pe == NULL)
        return RJ_ERR_MEMORY;
    g->bv[0] = malloc(ni * sizeof(double));
    g->be[0] = malloc(ni * sizeof(double));
    g->pv[0] = malloc(ni * sizeof(double));
    g->pe[0] = malloc(ni * sizeof(double));
    if (g->bv[0] == NULL || g->be[0] == NULL || g->pv[0] == NULL || g->pe[0] == NULL)
        return RJ_ERR_MEMORY;
    /* u = sigma(h) (PRE), by the kernel's function [FE 4.1] */
    g->pt[0] = malloc(ni * es);
    g->pown[0] = 1;
    if (g->pt[0] == NULL)
        return RJ_ERR_MEMORY;
    memcpy(g->pt[0], cx.H, ni * es);
    memcpy(g->pv[0], b->h[l], ni * sizeof(double));
    memcpy(g->pe[0], b->eh[l], ni * sizeof(double));
    if (bl->place == RJ_PLACE_PRE && bl->outer != RJ_ACT_IDENTITY) {
        g->bt[0] = malloc(ni * es);
        g->bown[0] = 1;
        if (g->bt[0] == NULL)
            return RJ_ERR_MEMORY;
        if (c->t == RJ_FAST_F32)
            fast_act_s((float *) g->bt[0], (const float *) cx.H, ni, bl->outer,
                       (float) bl->outer_slope);
        else
            fast_act_d((double *) g->bt[0], (const double *) cx.H, ni, bl->outer,
                       bl->outer_slope);
        for (i = 0; i < ni; i++) {
            int cert;
            g->bv[0][i] = getv(g->bt[0], i, c->t);
            g->be[0][i] = act_err(&cert, c, bl->outer, bl->outer_slope, b->h[l][i],
                                  g->bv[0][i], b->eh[l][i], F);
            if (!cert) {
                uncertain(b, l, 1, i, b->h[l][i], b->eh[l][i] * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
        }
    } else {
        g->bt[0] = g->pt[0];    /* owned by pt */
        memcpy(g->bv[0], b->h[l], ni * sizeof(double));
        memcpy(g->be[0], b->eh[l], ni * sizeof(double));
    }
    /* the branch up to its last layer when that one is dense (fused with
       the skip, below); the projection whole */
    j = nb > 0 && bl->layers[nb - 1].kind == RJ_LAYER_DENSE ? nb - 1 : nb;
    if ((i = gen_seq_fwd(g->bt, g->bown, g->bv, g->be, bl->layers, j, &cx, &s, c, F, b, l,
                         unc_max, t1, t2, t3)) != 0)
        return i == -2 ? RJ_ERR_DOMAIN : RJ_ERR_MEMORY;
    for (i = j + 1; i <= nb; i++) {
        g->bv[i] = calloc(1, sizeof(double));
        g->be[i] = calloc(1, sizeof(double));
    }
    if (bl->skip == RJ_SKIP_PROJECT
        && (i = gen_seq_fwd(g->pt, g->pown, g->pv, g->pe, bl->layers + nb, np, &cx, &s, c, F,
                            b, l, unc_max, t1, t2, t3)) != 0)
        return i == -2 ? RJ_ERR_DOMAIN : RJ_ERR_MEMORY;
    /* the skip part Y0 and its bound: t1 = |Y0| (upper), t2 = its error */
    switch (bl->skip) {
    case RJ_SKIP_IDENTITY:
    case RJ_SKIP_PROJECT:
        y0 = bl->skip == RJ_SKIP_IDENTITY ? b->h[l] : g->pv[np];
        ey0 = bl->skip == RJ_SKIP_IDENTITY ? b->eh[l] : g->pe[np];
        for (i = 0; i < no; i++) {
            t1[i] = fabs(y0[i]);
            t2[i] = ey0[i];
        }
        break;
    case RJ_SKIP_SCALED: {
        double a = fabs(bl->alpha);
        for (i = 0; i < no; i++) {
            t1[i] = mu(up(a * (1 + c->u)), fabs(b->h[l][i])) + c->eta;
            t2[i] = mu(up((c->u + c->c2) * a), fabs(b->h[l][i])) + c->eta
                    + mu(up(c->c1 * a), b->eh[l][i]);
        }
        break;
    }
    case RJ_SKIP_NONE:
        for (i = 0; i < no; i++)
            t1[i] = t2[i] = 0;
        break;
    }
    fast_ctx_set(&cx, net, w, l);
    if (j < nb) {
        /* y = Y0; y += b; y += x W^T [FE 4.3] */
        const rj_fast_layer_struct *L = bl->layers + nb - 1;
        const void *W = parp(&cx, L->W, c), *bias = parp(&cx, L->b, c);
        slong k = L->Wc;
        double gk = gam(c, k + 2), gcon = up(gk + c->c2);
        for (i = 0; i < k; i++)
            t3[i] = fabs(g->bv[nb - 1][i]);
        absmatvec(bb->ey, W, no, k, t3, c->t);              /* |W| |x| */
        absmatvec(t3, W, no, k, g->be[nb - 1], c->t);       /* |W| e_x */
        for (i = 0; i < no; i++) {
            double bi = bias != NULL ? fabs(getv(bias, i, c->t)) : 0;
            bb->ey[i] = mu(gcon, bb->ey[i] + bi) + mu(gk, t1[i]) + t2[i] + mu(c->c1, t3[i])
                        + (double) (k + 2) * c->eta;
        }
    } else {
        /* y = Y0 + F: one rounding */
        for (i = 0; i < no; i++)
            bb->ey[i] = t2[i] + g->be[nb][i] + mu(c->u, t1[i] + fabs(g->bv[nb][i])) + c->eta;
    }
    for (i = 0; i < no; i++) {
        double yo = getv(cx.Hout, i, c->t);
        b->h[l + 1][i] = yo;
        if (bl->place == RJ_PLACE_POST) {
            double pj = getv(cx.P, i, c->t);
            int cert;
            b->eh[l + 1][i] = act_err(&cert, c, bl->outer, bl->outer_slope, pj, yo, bb->ey[i],
                                      F);
            if (!cert) {
                uncertain(b, l, 1, i, pj, bb->ey[i] * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
        } else {
            b->eh[l + 1][i] = bb->ey[i];
        }
    }
    return RJ_OK;
}

/* Cotangent rows through layers n - 1 .. 0 of a sequence (values in tt/vv/ee
   from gen_seq_fwd): on entry Gc (typed) and Ec hold the rows at the
   sequence's output; on return they hold the rows at its input (the buffers
   are swapped with Go / Eo as needed: the pointers are updated). */
static void
gen_seq_bwd(void **Gc, double **Ec, void **Go, double **Eo, slong R,
            const rj_fast_layer_struct *Ls, slong n, void **tt, double **vv, double **ee,
            const fast_ctx *cx, fast_scratch *s, const bctx *c, double *M, double *Wabs,
            double *t1, void *D)
{
    slong j;
    for (j = n - 1; j >= 0; j--) {
        const rj_fast_layer_struct *L = Ls + j;
        void *tp;
        double *ep;
        if (c->t == RJ_FAST_F32)
            fast_gen_layer_vjp_s((float *) *Go, (const float *) *Gc, R, R, 1,
                                 (const float *) tt[j], (const float *) tt[j + 1], L, cx, s);
        else
            fast_gen_layer_vjp_d((double *) *Go, (const double *) *Gc, R, R, 1,
                                 (const double *) tt[j], (const double *) tt[j + 1], L, cx, s);
        gen_layer_bwd(*Eo, *Gc, *Ec, R, L, vv[j], ee[j], tt[j], tt[j + 1], cx, c, M, Wabs, t1,
                      D);
        tp = *Gc;
        *Gc = *Go;
        *Go = tp;
        ep = *Ec;
        *Ec = *Eo;
        *Eo = ep;
    }
}

/* Backward bound of general block l [FE 10]: Enext (R x n_in) from Ecur
   (R x n_out) and the rows Gout the kernel started from; the kernel's steps
   replayed with their intermediates.  Returns RJ_OK or RJ_ERR_MEMORY. */
static int
gen_backward_block(double *Enext, const double *Ecur, const void *Gout, const gen_bounds *g,
                   const blk_bounds *bb, const rj_fast_bound_t b, const rj_fast_net_t net,
                   const rj_fast_work_t w, slong l, slong R, const bctx *c, double *M,
                   double *Wabs, double *t1)
{
    const rj_fast_block_struct *bl = net->blocks + l;
    slong ni = bl->n_in, no = bl->n_out, maxw = FLINT_MAX(net->max_width, 1), i, r;
    size_t es = rj_fast_dtype_size(c->t);
    void *Gp = malloc(R * maxw * es), *Ga = malloc(R * maxw * es), *Gb = malloc(R * maxw * es);
    void *D = malloc(maxw * es), *Sg = NULL;
    double *Ep = malloc(R * maxw * sizeof(double)), *Ea = malloc(R * maxw * sizeof(double));
    double *Eb = malloc(R * maxw * sizeof(double)), *ES = NULL, *ed = malloc(maxw * sizeof(double));
    double g2 = gam(c, 2);
    void *Gc, *Go;
    double *Ec, *Eo;
    fast_ctx cx;
    fast_scratch s;
    int st = RJ_OK;
    if (Gp == NULL || Ga == NULL || Gb == NULL || D == NULL || Ep == NULL || Ea == NULL
        || Eb == NULL || ed == NULL) {
        st = RJ_ERR_MEMORY;
        goto done;
    }
    fast_ctx_set(&cx, net, w, l);
    fast_scratch_set(&s, w);
    /* gp = g * sigma'(p) [FE 5.1], the derivative as the kernel reads it */
    if (bl->place == RJ_PLACE_POST) {
        int from_out = fast_deriv_from_output(bl->outer, bl->outer_slope);
        const void *src = from_out ? cx.Hout : cx.P;
        if (c->t == RJ_FAST_F32)
            fast_deriv_s((float *) D, (const float *) src, no, bl->outer,
                         (float) bl->outer_slope, from_out);
        else
            fast_deriv_d((double *) D, (const double *) src, no, bl->outer, bl->outer_slope,
                         from_out);
        for (i = 0; i < no; i++)
            ed[i] = deriv_err(c, bl->outer, bl->outer_slope, getv(D, i, c->t),
                              getv(cx.P, i, c->t), getv(cx.Hout, i, c->t), bb->ey[i]);
        mask_step(Ep, Gout, Ecur, D, ed, R, no, c);
        for (r = 0; r < R; r++)
            for (i = 0; i < no; i++)
                setv(Gp, r * no + i, getv(Gout, r * no + i, c->t) * getv(D, i, c->t), c->t);
    } else {
        memcpy(Gp, Gout, R * no * es);
        memcpy(Ep, Ecur, R * no * sizeof(double));
    }
    /* the branch: GU in Gc, its bound in Ec */
    Gc = Ga;
    Go = Gb;
    Ec = Ea;
    Eo = Eb;
    memcpy(Gc, Gp, R * no * es);
    memcpy(Ec, Ep, R * no * sizeof(double));
    gen_seq_bwd(&Gc, &Ec, &Go, &Eo, R, bl->layers, bl->nbranch, g->bt, g->bv, g->be, &cx, &s,
                c, M, Wabs, t1, D);
    /* the skip part: Sg (typed) and ES */
    switch (bl->skip) {
    case RJ_SKIP_IDENTITY:
        Sg = Gp;
        ES = Ep;
        break;
    case RJ_SKIP_SCALED: {
        double a = fabs(bl->alpha);
        Sg = malloc(R * ni * es);
        ES = malloc(R * ni * sizeof(double));
        if (Sg == NULL || ES == NULL) {
            st = RJ_ERR_MEMORY;
            goto done;
        }
        for (i = 0; i < R * ni; i++) {
            setv(Sg, i, bl->alpha * getv(Gp, i, c->t), c->t);
            ES[i] = mu(up(c->c1 * a), Ep[i]) + mu(up((c->u + c->c2) * a),
                                                  fabs(getv(Gp, i, c->t))) + c->eta;
        }
        break;
    }
    case RJ_SKIP_PROJECT: {
        /* the projection's rows, through the buffers the branch has left */
        void *Pc, *Po;
        double *Qc, *Qo;
        void *Gs = malloc(R * maxw * es);
        double *Es = malloc(R * maxw * sizeof(double));
        if (Gs == NULL || Es == NULL) {
            free(Gs);
            free(Es);
            st = RJ_ERR_MEMORY;
            goto done;
        }
        memcpy(Gs, Gp, R * no * es);
        memcpy(Es, Ep, R * no * sizeof(double));
        Pc = Gs;
        Qc = Es;
        Po = Go;
        Qo = Eo;
        gen_seq_bwd(&Pc, &Qc, &Po, &Qo, R, bl->layers + bl->nbranch, bl->nproj, g->pt, g->pv,
                    g->pe, &cx, &s, c, M, Wabs, t1, D);
        /* Pc / Qc hold the result: copy out (they may be Gs or Go) */
        Sg = malloc(R * ni * es);
        ES = malloc(R * ni * sizeof(double));
        if (Sg != NULL && ES != NULL) {
            memcpy(Sg, Pc, R * ni * es);
            memcpy(ES, Qc, R * ni * sizeof(double));
        }
        free(Gs);
        free(Es);
        if (Sg == NULL || ES == NULL) {
            st = RJ_ERR_MEMORY;
            goto done;
        }
        break;
    }
    case RJ_SKIP_NONE:
        break;
    }
    /* PRE derivative (as the kernel reads it) and the combine
       gin = s + gu d: E = E_S + EGU (|d| + e_d) + |gu| e_d + g2 (|s| + |gu d|) */
    if (bl->place == RJ_PLACE_PRE) {
        int from_out = bl->outer == RJ_ACT_TANH || bl->outer == RJ_ACT_SIGMOID;
        const void *src = from_out ? g->bt[0] : cx.H;
        if (c->t == RJ_FAST_F32)
            fast_deriv_s((float *) D, (const float *) src, ni, bl->outer,
                         (float) bl->outer_slope, from_out);
        else
            fast_deriv_d((double *) D, (const double *) src, ni, bl->outer, bl->outer_slope,
                         from_out);
        for (i = 0; i < ni; i++)
            ed[i] = deriv_err(c, bl->outer, bl->outer_slope, getv(D, i, c->t), b->h[l][i],
                              g->bv[0][i], b->eh[l][i]);
    }
    for (r = 0; r < R; r++)
        for (i = 0; i < ni; i++) {
            slong q = r * ni + i;
            double gu = fabs(getv(Gc, q, c->t)), d = 1, e = 0, sv = 0, es_ = 0;
            if (bl->place == RJ_PLACE_PRE) {
                d = fabs(getv(D, i, c->t));
                e = ed[i];
            }
            if (Sg == NULL) {
                /* no skip: gin = 0 + gu d, one rounding (none without PRE) */
                Enext[q] = mu(Ec[q], d + e) + mu(gu, e)
                           + (bl->place == RJ_PLACE_PRE ? mu(c->u, mu(gu, d)) + c->eta : 0);
                continue;
            }
            sv = fabs(getv(Sg, q, c->t));
            es_ = ES[q];
            Enext[q] = es_ + mu(Ec[q], d + e) + mu(gu, e) + mu(g2, sv + mu(gu, d))
                       + 2 * c->eta;
        }
done:
    if (bl->skip == RJ_SKIP_SCALED || bl->skip == RJ_SKIP_PROJECT) {
        free(Sg);
        free(ES);
    }
    free(Gp);
    free(Ga);
    free(Gb);
    free(D);
    free(Ep);
    free(Ea);
    free(Eb);
    free(ed);
    return st;
}

/* 1 if block bl has a written bound: its activations are identity, relu,
   leaky_relu, tanh or sigmoid ([FE 3-7]) and, for a general block, it has
   no layernorm ([FE 10]).  Layer norm and the activations gelu, gelu_tanh,
   softplus, silu, elu have none yet. */
static int
block_bounded(const rj_fast_block_struct *bl)
{
    slong j;
    if (bl->outer > RJ_ACT_SIGMOID)
        return 0;
    if (!bl->general)
        return bl->act <= RJ_ACT_SIGMOID;
    for (j = 0; j < bl->nbranch + bl->nproj; j++)
        if (bl->layers[j].kind == RJ_LAYER_LAYERNORM
            || (bl->layers[j].kind == RJ_LAYER_ACT && bl->layers[j].act > RJ_ACT_SIGMOID))
            return 0;
    return 1;
}

/* The float J, h_l and G_l of a network with a block that has no written
   bound: the same passes, every bound +inf ([FE 10]: nothing is certified
   beyond what is proved).  x_t is the point in the dtype. */
static int
bound_unbounded(rj_fast_bound_t b, const rj_fast_net_t net, const void *x_t, slong first,
                rj_error_t err)
{
    slong L = net->len, n_out = net->n_out, l, i;
    size_t es = rj_fast_dtype_size(net->dtype);
    rj_fast_work_t w;
    fast_scratch s;
    void *Gcur, *Goth, *tp;
    int st;
    rj_fast_work_init(w);
    st = rj_fast_work_reserve(w, net, 1, n_out, 0, err);
    if (st == RJ_OK)
        st = rj_fast_forward(NULL, w, net, x_t, 1, err);
    if (st != RJ_OK) {
        rj_fast_work_clear(w);
        return st;
    }
    b->unbounded_block = first;
    for (l = 0; l <= L; l++) {
        const void *h = rj_fast_work_h(w, l);
        for (i = 0; i < b->width[l]; i++) {
            b->h[l][i] = getv(h, i, net->dtype);
            b->eh[l][i] = INFINITY;
        }
        for (i = 0; i < n_out * b->width[l]; i++)
            b->EG[l][i] = INFINITY;
    }
    fast_scratch_set(&s, w);
    Gcur = fast_work_ptr(w, w->s_g0);
    Goth = fast_work_ptr(w, w->s_g1);
    memset(Gcur, 0, n_out * n_out * es);
    for (i = 0; i < n_out; i++) {
        if (net->dtype == RJ_FAST_F32)
            ((float *) Gcur)[i * n_out + i] = 1;
        else
            ((double *) Gcur)[i * n_out + i] = 1;
        b->G[L][i * n_out + i] = 1;
    }
    for (l = L - 1; l >= 0; l--) {
        fast_ctx cx;
        fast_trace tr;
        fast_ctx_set(&cx, net, w, l);
        if (net->dtype == RJ_FAST_F32)
            fast_block_backward_s((float *) Goth, &tr, &s, NULL, (const float *) Gcur, n_out,
                                  n_out, &cx);
        else
            fast_block_backward_d((double *) Goth, &tr, &s, NULL, (const double *) Gcur,
                                  n_out, n_out, &cx);
        for (i = 0; i < n_out * b->width[l]; i++)
            b->G[l][i] = getv(Goth, i, net->dtype);
        tp = Gcur;
        Gcur = Goth;
        Goth = tp;
    }
    rj_fast_work_clear(w);
    return RJ_OK;
}

int
rj_fast_jacobian_bound(rj_fast_bound_t b, const rj_fast_net_t net, const fmpq_mat_t x,
                       rj_error_t err)
{
    slong L = net->len, n_in = net->n_in, n_out = net->n_out, l, i;
    slong maxw = FLINT_MAX(1, FLINT_MAX(net->max_width, n_in)), R = n_out;
    int st = RJ_OK, xexact = 1;
    double F, D;
    bctx c;
    rj_fast_work_t w;
    void *x_t = NULL, *tmp_t = NULL;
    double *v[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    double *Ep = NULL, *ET0 = NULL, *ETm = NULL, *EGU = NULL, *M = NULL, *Wabs = NULL;
    double *ed = NULL;
    blk_bounds *bb = NULL;
    gen_bounds *gb = NULL;
    double wab;
    size_t es = rj_fast_dtype_size(net->dtype);
    char lab[300];
    slong unc_max = -1, unbounded;
    mpfr_t q;

    rj_fast_bound_clear(b);
    rj_fast_work_init(w);
    if (L < 1 || n_in < 1)
        return rj_error_set(err, RJ_ERR_INPUT, "the network has no blocks");
    fast_block_label(lab, sizeof(lab), net, 0);
    if ((st = rj_point_check(fmpq_mat_nrows(x), fmpq_mat_ncols(x), n_in, lab, err)) != RJ_OK)
        return st;

    c.t = net->dtype;
    c.u = net->dtype == RJ_FAST_F32 ? 0x1p-24 : 0x1p-53;
    c.eta = net->dtype == RJ_FAST_F32 ? 0x1p-149 : 0x1p-1074;
    c.dconv = net->exact_conv == 0 ? c.u : 0;
    c.c1 = up(1 + 2 * c.dconv);
    c.c2 = up(2 * c.dconv);
    c.tiny_sig = net->dtype == RJ_FAST_F32 ? 0x1p-120 : 0x1p-1000;
    D = depth_budget(net);
    /* |W| scratch: the largest dense matrix (shorthand blocks: maxw^2) */
    for (l = 0, wab = 1; l < L; l++) {
        const rj_fast_block_struct *bl = net->blocks + l;
        slong j;
        if (!bl->general)
            wab = FLINT_MAX(wab, (double) maxw * maxw);
        for (j = 0; bl->general && j < bl->nbranch + bl->nproj; j++)
            if (bl->layers[j].kind == RJ_LAYER_DENSE)
                wab = FLINT_MAX(wab, (double) bl->layers[j].Wr * bl->layers[j].Wc);
    }
    if (D > 0x1p49 || wab > (double) RJ_MAX_BYTES / 8)
        return rj_error_set(err, RJ_ERR_LIMIT, "network too large for the error bound");
    F = 1 + (D + 2) * 0x1p-51;   /* exact: D is an integer < 2^49 [FE 8] */

    st = bound_alloc(b, net);
    if (st != RJ_OK) {
        rj_fast_bound_clear(b);
        return rj_error_set(err, st, "the bound needs more than %zu bytes (RJ_MAX_BYTES) or memory ran out",
                            (size_t) RJ_MAX_BYTES);
    }
    for (l = 0; l < L; l++)
        if (!block_bounded(net->blocks + l))
            break;
    unbounded = l < L ? l : -1;
    if (unbounded < 0) {
        st = rj_fast_work_reserve(w, net, 1, n_out, RJ_FAST_KEEP_PRE, err);
        if (st != RJ_OK)
            goto done;
    }

    x_t = malloc(n_in * es);
    tmp_t = malloc(maxw * es);
    for (i = 0; i < 6; i++)
        v[i] = malloc(4 * maxw * sizeof(double));
    Ep = malloc(R * maxw * sizeof(double));
    ET0 = malloc(R * maxw * sizeof(double));
    ETm = malloc(R * maxw * sizeof(double));
    EGU = malloc(R * maxw * sizeof(double));
    M = malloc(R * maxw * sizeof(double));
    Wabs = malloc((size_t) wab * sizeof(double));
    ed = malloc(maxw * sizeof(double));
    bb = calloc(L, sizeof(blk_bounds));
    gb = calloc(L, sizeof(gen_bounds));
    if (x_t == NULL || tmp_t == NULL || v[0] == NULL || v[1] == NULL || v[2] == NULL
        || v[3] == NULL || v[4] == NULL || v[5] == NULL || Ep == NULL || ET0 == NULL
        || ETm == NULL || EGU == NULL || M == NULL || Wabs == NULL || ed == NULL
        || bb == NULL || gb == NULL) {
        st = rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
        goto done;
    }
    for (l = 0; l < L; l++) {
        bb[l].ez = malloc((net->blocks[l].n_hidden + 1) * sizeof(double));
        bb[l].ey = malloc(net->blocks[l].n_out * sizeof(double));
        if (bb[l].ez == NULL || bb[l].ey == NULL) {
            st = rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
            goto done;
        }
    }

    /* the point, rounded to nearest [FE 2] */
    mpfr_init2(q, net->dtype == RJ_FAST_F32 ? FLT_MANT_DIG : DBL_MANT_DIG);
    for (i = 0; i < n_in; i++) {
        const fmpq *xi = fmpq_mat_entry(x, i, 0);
        double d = 0;
        if (!fmpq_is_zero(xi)) {
            mpfr_exp_t e;
            if (fmpq_get_mpfr(q, xi, MPFR_RNDN) != 0)
                xexact = 0;
            e = mpfr_get_exp(q);
            if ((net->dtype == RJ_FAST_F32 && (e > FLT_MAX_EXP || e - 1 < FLT_MIN_EXP - 1))
                || (net->dtype == RJ_FAST_F64
                    && (e > DBL_MAX_EXP || e - 1 < DBL_MIN_EXP - 1))) {
                mpfr_clear(q);
                st = rj_error_set(err, RJ_ERR_DOMAIN,
                                  "x[%ld] is outside the normal range of %s", (long) i + 1,
                                  rj_fast_dtype_name(net->dtype));
                goto done;
            }
            d = mpfr_get_d(q, MPFR_RNDN);
        }
        if (net->dtype == RJ_FAST_F32)
            ((float *) x_t)[i] = (float) d;
        else
            ((double *) x_t)[i] = d;
    }
    mpfr_clear(q);

    if (unbounded >= 0) {
        st = bound_unbounded(b, net, x_t, unbounded, err);
        goto done;
    }
    st = rj_fast_forward(NULL, w, net, x_t, 1, err);
    if (st != RJ_OK)
        goto done;

    /* forward [FE 4] */
    for (i = 0; i < n_in; i++) {
        b->h[0][i] = getv(x_t, i, c.t);
        b->eh[0][i] = xexact ? 0 : mu(2 * c.u, fabs(b->h[0][i])) + c.eta;
    }
    for (l = 0; l < L; l++) {
        fast_ctx cx;
        const rj_fast_block_struct *bl = net->blocks + l;
        fast_ctx_set(&cx, net, w, l);
        if (!all_finite(cx.Hout, bl->n_out, c.t)
            || (cx.A != NULL && !all_finite(cx.A, bl->n_hidden, c.t))
            || (cx.Z != NULL && !all_finite(cx.Z, bl->n_hidden, c.t))
            || (cx.P != NULL && !all_finite(cx.P, bl->n_out, c.t))) {
            fast_block_label(lab, sizeof(lab), net, l);
            st = rj_error_set(err, RJ_ERR_DOMAIN,
                              "%s: the %s forward pass overflows (inf or nan); no bound",
                              lab, rj_fast_dtype_name(c.t));
            goto done;
        }
        if (bl->general) {
            st = gen_forward_block(gb + l, b, bb + l, &unc_max, net, w, l, &c, F, v[0], v[1],
                                   v[2]);
            if (st != RJ_OK) {
                fast_block_label(lab, sizeof(lab), net, l);
                st = st == RJ_ERR_DOMAIN
                         ? rj_error_set(err, st, "%s: the %s forward pass overflows inside the "
                                                 "block (inf or nan); no bound",
                                        lab, rj_fast_dtype_name(c.t))
                         : rj_error_set(err, st, "out of memory");
                goto done;
            }
            continue;
        }
        forward_block(b, bb + l, &unc_max, net, w, l, &c, F, tmp_t, v[0], v[1], v[2], v[3],
                      v[4], v[5]);
    }

    /* backward [FE 5]: the kernel of rj_fast_jacobian, block by block */
    {
        fast_scratch s;
        void *Gcur = fast_work_ptr(w, w->s_g0), *Goth = fast_work_ptr(w, w->s_g1), *tp;
        fast_scratch_set(&s, w);
        memset(Gcur, 0, R * n_out * es);
        for (i = 0; i < n_out; i++) {
            if (c.t == RJ_FAST_F32)
                ((float *) Gcur)[i * n_out + i] = 1;
            else
                ((double *) Gcur)[i * n_out + i] = 1;
            b->G[L][i * n_out + i] = 1;
        }
        for (l = L - 1; l >= 0; l--) {
            const rj_fast_block_struct *bl = net->blocks + l;
            fast_ctx cx;
            fast_trace tr;
            fast_ctx_set(&cx, net, w, l);
            if (c.t == RJ_FAST_F32)
                fast_block_backward_s((float *) Goth, &tr, &s, NULL, (const float *) Gcur, R,
                                      R, &cx);
            else
                fast_block_backward_d((double *) Goth, &tr, &s, NULL, (const double *) Gcur,
                                      R, R, &cx);
            if (!all_finite(Goth, R * bl->n_in, c.t)) {
                fast_block_label(lab, sizeof(lab), net, l);
                st = rj_error_set(err, RJ_ERR_DOMAIN,
                                  "%s: the %s backward pass overflows (inf or nan); no bound",
                                  lab, rj_fast_dtype_name(c.t));
                goto done;
            }
            if (bl->general) {
                if (gen_backward_block(b->EG[l], b->EG[l + 1], Gcur, gb + l, bb + l, b, net, w,
                                       l, R, &c, M, Wabs, v[3]) != RJ_OK) {
                    st = rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
                    goto done;
                }
            } else
            backward_block(b->EG[l], b->EG[l + 1], Gcur, &tr, bb + l, b, net, w, l, R, &c,
                           tmp_t, Ep, ET0, ETm, EGU, M, Wabs, ed);
            for (i = 0; i < R * bl->n_in; i++)
                b->G[l][i] = getv(Goth, i, c.t);
            tp = Gcur;
            Gcur = Goth;
            Goth = tp;
        }
    }

    /* the bound's own rounding: one factor F [FE 8]; uncertain masks void the
       partial Jacobians that contain them */
    for (l = 0; l <= L; l++) {
        slong wl = b->width[l];
        for (i = 0; i < wl; i++)
            b->eh[l][i] = mu(b->eh[l][i], F);
        for (i = 0; i < n_out * wl; i++)
            b->EG[l][i] = l <= unc_max ? INFINITY : mu(b->EG[l][i], F);
    }
done:
    free(x_t);
    free(tmp_t);
    for (i = 0; i < 6; i++)
        free(v[i]);
    free(Ep);
    free(ET0);
    free(ETm);
    free(EGU);
    free(M);
    free(Wabs);
    free(ed);
    if (bb != NULL) {
        for (l = 0; l < L; l++) {
            free(bb[l].ez);
            free(bb[l].ey);
        }
        free(bb);
    }
    if (gb != NULL) {
        for (l = 0; l < L; l++)
            gen_bounds_clear(gb + l);
        free(gb);
    }
    rj_fast_work_clear(w);
    if (st != RJ_OK)
        rj_fast_bound_clear(b);
    return st;
}
