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

#include "bound_internal.h"

/* gelu_tanh's tanh factor at a float argument x: the bound on
   |fl(tanh(inner_hat)) - tanh(inner)|, inner = sqrt(2/pi) (x + 0.044715 x^3)
   computed with at most 6 roundings of terms of one sign and |tanh'| <= 1
   [FE 10] */
static double
gelu_tanh_et(const bctx *c, double x)
{
    double ax = fabs(x);
    return up(8 * c->u + mu(up(gam(c, 7) * 0.7980), ax + 0.0448 * ax * ax * ax));
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
    case RJ_ACT_GELU:   /* fl(fl(x/2) fl(1 + erf(fl(x c)))), |erf| <= 1 [FE 10] */
        return mu(fabs(x), up(5.1 * c->u + 0.85 * c->u * fabs(x))) + mu(c->u, fabs(y))
               + 2 * c->eta;
    case RJ_ACT_GELU_TANH:  /* x/2 (1 + tanh(inner)) [FE 10] */
        return mu(0.5 * fabs(x), gelu_tanh_et(c, x) + 2.1 * c->u) + mu(c->u, fabs(y))
               + 2 * c->eta;
    case RJ_ACT_SOFTPLUS: {
        /* (max(b, 0) + log1p(exp(-|b|))) / beta, b = fl(beta x) [FE 10] */
        double ib = up(4 * (1 + 1 / fabs(slope)));
        return mu(up(30 * c->u + 2 * c->c2), fabs(y))
               + mu(up((c->c2 + c->u) * (1 + 4 * c->u + c->c2)), fabs(x)) + mu(c->eta, ib);
    }
    case RJ_ACT_SILU:   /* x / (1 + exp(-x)): sigmoid's three roundings [FE 10] */
        return mu(8 * c->u, fabs(y)) + c->tiny_sig + c->eta;
    case RJ_ACT_ELU:    /* alpha expm1(x) for x <= 0 [FE 10] */
        return x > 0 ? 0 : mu(up((10 * c->u + c->c2) * (1 + 32 * c->u)), fabs(y))
                               + 2 * c->eta;
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
    case RJ_ACT_ELU:
        return up(FLINT_MAX(1.0, fabs(slope) * c->c1));
    case RJ_ACT_SIGMOID:
        return 0.25;
    case RJ_ACT_SILU:   /* max |silu'| = 1.0998... */
        return 1.1;
    case RJ_ACT_GELU_TANH:  /* max |gelu_tanh'| = 1.1289... */
        return 1.13;
    case RJ_ACT_GELU:   /* max |gelu'| = 1.1289... */
        return 1.13;
    default:
        return 1;
    }
}

static int
act_has_kink(rj_act_kind k, double slope)
{
    return k == RJ_ACT_RELU || (k == RJ_ACT_LEAKY_RELU && slope != 1) || k == RJ_ACT_ELU;
}

/* Bound on |d_hat - act'(exact argument)| for a derivative the kernel computed
   as d_hat, at a float argument with bound epre and float value y = act(x)
   ([FE 7]); piecewise-linear units must be certified separately. */
double
fast_bound_deriv_err(const bctx *c, rj_act_kind k, double slope, double dhat, double x,
                     double y, double epre)
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
    case RJ_ACT_GELU: {
        /* d = fl(fl(0.5 fl(1 + erf(fl(x c)))) + fl(fl(x exp(fl(fl(-0.5 x) x))) k))
           [FE 10]: the first term as in the value; the second within
           w (u x^2 / 2 + 12u) with w = |x| exp(-x^2 (1 - u) / 2) / sqrt(2 pi)
           (|e^a - 1| <= |a| e^|a|); max |gelu''| = 2 phi(0) < 0.798 */
        double ax = fabs(x), w = up(ax * exp(-0.5 * ax * ax * (1 - c->u)) * 0.3990
                                    * (1 + 16 * c->u));
        (void) y;
        return mu(0.5, up(10.3 * c->u + 1.7 * c->u * ax))
               + mu(w, up((0.5 * c->u * ax * ax + 12 * c->u) * (1 + 8 * c->u)))
               + mu(c->u, fabs(dhat))
               + 6 * c->eta + mu(0.798, epre);
    }
    case RJ_ACT_GELU_TANH: {
        /* d = (1 + t)/2 + (x/2)(1 - t^2) k0 (1 + 3 k1 x^2) [FE 10] */
        double ax = fabs(x), et = gelu_tanh_et(c, x), g8 = gam(c, 8);
        double b = up((2 * et + et * et + 2 * c->u) * (1 + g8) + g8);
        (void) y;
        return mu(0.5, et + 2.1 * c->u)
               + mu(up(0.5 * ax * 0.7980 * (1 + 0.1342 * ax * ax)), b)
               + mu(c->u, fabs(dhat)) + 4 * c->eta + mu(0.81, epre);
    }
    case RJ_ACT_SOFTPLUS: {
        /* d = sigmoid(fl(beta x)): sigmoid's rounding, its argument's error
           e_b times max sigmoid' = 1/4, and beta/4 e_x [FE 10] */
        double eb = mu(up((c->c2 + c->u) * (1 + 4 * c->u)), fabs(slope) * fabs(x)) + c->eta;
        (void) y;
        return mu(8 * c->u, fabs(dhat)) + c->tiny_sig + c->eta + mu(0.25, eb)
               + mu(up(fabs(slope) * c->c1 / 4), epre);
    }
    case RJ_ACT_SILU: {
        /* d = s (1 + x (1 - s)), s = 1 / (1 + exp(-x)) [FE 10]: s_up bounds
           the exact and the float s, a = 1 + |x| bounds |1 + x (1 - s)| */
        double s = 1 / (1 + exp(-x));
        double su = FLINT_MIN(1.0, up(s * (1 + 16 * c->u)) + c->tiny_sig);
        double ax = fabs(x), a = up((1 + ax) * (1 + 4 * c->u));
        double es = mu(8 * c->u, su) + c->tiny_sig;
        (void) y;
        return up(mu(es, a) + mu(su, mu(ax, es) + mu(3 * c->u, ax) + mu(c->u, a))
                  + mu(c->u, mu(su, a)) + 4 * c->eta) + mu(0.51, epre);
    }
    case RJ_ACT_ELU:    /* 1 right of 0 (certified), alpha exp(x) left of it */
        return dhat == 1 && x > 0 ? 0
               : mu(up((10 * c->u + c->c2) * (1 + 32 * c->u)), fabs(dhat)) + 2 * c->eta
                     + mu(up(fabs(slope) * c->c1), epre);
    default: /* no bound known: infinite, so nothing is certified */
        break;
    }
    return INFINITY;
}

/* y_j (+)= sum_i |W_ji| x_i + cols * eta_d, W typed rows x cols [FE 8] */
void
fast_bound_absmatvec(double *y, const void *W, slong rows, slong cols, const double *x,
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
    b->unc_layer = -1;
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

void
fast_bound_uncertain(rj_fast_bound_t b, slong block, int where, slong unit, double v,
                     double e)
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

int
fast_bound_all_finite(const void *p, slong n, rj_fast_dtype t)
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
   work; the backward pass adds at most S per product with a derivative or
   normalisation error (these carry forward depths): one per shorthand block,
   at most one per layer of a general block [FE 10].  So (L + 2 + m) S bounds
   every depth, m the number of layers of the general blocks. */
static double
depth_budget(const rj_fast_net_t net)
{
    slong l;
    double S = 64, m = 0;
    for (l = 0; l < net->len; l++) {
        const rj_fast_block_struct *bl = net->blocks + l;
        S += 8.0 * (bl->n_in + bl->n_hidden + bl->n_out + 32);
        if (bl->general) {
            /* [FE 10]: every layer's sums (at most its input entries, or its
               taps, plus a few roundings) */
            slong j;
            m += (double) (bl->nbranch + bl->nproj);
            for (j = 0; j < bl->nbranch + bl->nproj; j++) {
                const rj_fast_layer_struct *Ly = bl->layers + j;
                S += 8.0 * ((double) rj_shape_size(Ly->in) + (double) rj_shape_size(Ly->out)
                            + (double) (Ly->Wc + Ly->Wr) + (double) (Ly->kh * Ly->kw) + 32);
            }
        }
    }
    return ((double) net->len + 2 + m) * S;
}

/* E_out = E_in (|D| + e_D) + |G| e_D (+ u |G||D| + eta unless D is 0 or 1):
   the bound after multiplying R rows G (typed, R x n, bound E_in) by the
   derivative row D (typed, n) whose error is e_D [FE 5.1]. */
void
fast_bound_mask_step(double *Eout, const void *G, const double *Ein, const void *D,
                     const double *eD, slong R, slong n, const bctx *c)
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
void
fast_bound_gemm_step(double *Eout, const void *G, const double *Ein, slong R, slong k,
                     const void *W, slong n, const bctx *c, double *M, double *Wabs)
{
    slong i;
    double g1 = up(gam(c, k) + c->c2);
    for (i = 0; i < R * k; i++)
        M[i] = mu(g1, fabs(getv(G, i, c->t))) + mu(c->c1, Ein[i]);
    absgemm(Eout, M, R, k, W, n, c->t, Wabs);
    for (i = 0; i < R * n; i++)
        Eout[i] += (double) k * c->eta;
}


/* Bound after a (float) activation at float argument v with bound e
   [FE 4.1, FE 3]: at a kink whose side is certified the float and the exact
   value are on the same linear piece: relu on the left gives 0 in both
   (error 0), otherwise the piece's slope carries e.  *cert receives 0 when
   a kink cannot be certified (then the Lipschitz bound is used). */
double
fast_bound_act_err(int *cert, const bctx *c, rj_act_kind k, double slope, double v,
                   double y, double e, double F)
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
            v2[i] = fast_bound_act_err(&cert, c, bl->outer, bl->outer_slope, hh[i], uh, eh[i],
                                       F);
            if (!cert) {
                fast_bound_uncertain(b, l, 1, i, hh[i], eh[i] * F);
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
        fast_bound_absmatvec(v3, cx.W1, nh, ni, ul, c->t);
        fast_bound_absmatvec(v4, cx.W1, nh, ni, eul, c->t);
        for (j = 0; j < nh; j++) {
            double bj = cx.b1 != NULL ? fabs(getv(cx.b1, j, c->t)) : 0;
            double ez = mu(gk, v3[j] + bj) + mu(c->c1, v4[j]) + (double) (ni + 1) * c->eta;
            double zj = getv(cx.Z, j, c->t), aj = getv(cx.A, j, c->t);
            int cert;
            bb->ez[j] = ez;
            v5[j] = fabs(aj);
            v6[j] = fast_bound_act_err(&cert, c, bl->act, bl->act_slope, zj, aj, ez, F);
            if (!cert) {
                fast_bound_uncertain(b, l, 0, j, zj, ez * F);
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
    fast_bound_absmatvec(v3, Wl, no, k, xl, c->t);      /* |W| |x| */
    fast_bound_absmatvec(v4, Wl, no, k, exl, c->t);     /* |W| e_x */
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
        fast_bound_absmatvec(v5, cx.Ws, no, ni, v6, c->t);   /* |Ws| |h| */
        fast_bound_absmatvec(v6, cx.Ws, no, ni, eh, c->t);   /* |Ws| e_h (v6 read before) */
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
            b->eh[l + 1][j] = fast_bound_act_err(&cert, c, bl->outer, bl->outer_slope, pj, yo,
                                                 ey, F);
            if (!cert) {
                fast_bound_uncertain(b, l, 1, j, pj, ey * F);
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
            ed[j] = fast_bound_deriv_err(c, bl->outer, bl->outer_slope,
                                         getv(tr->Dpost, j, c->t), getv(cx.P, j, c->t),
                                         getv(cx.Hout, j, c->t), bb->ey[j]);
        fast_bound_mask_step(Ep, Gout, Ecur, tr->Dpost, ed, R, no, c);
        EpP = Ep;
    }
    /* branch [FE 5.2] */
    if (bl->two_layer) {
        fast_bound_gemm_step(ET0, tr->Gp, EpP, R, no, cx.W2, nh, c, M, Wabs);
        for (j = 0; j < nh; j++)
            ed[j] = fast_bound_deriv_err(c, bl->act, bl->act_slope, getv(tr->Dact, j, c->t),
                                         getv(cx.Z, j, c->t), getv(cx.A, j, c->t), bb->ez[j]);
        fast_bound_mask_step(ETm, tr->T0, ET0, tr->Dact, ed, R, nh, c);
        ETmP = ETm;
        Tm = tr->Tm;
    } else {
        ETmP = EpP;
        Tm = tr->Gp;
    }
    fast_bound_gemm_step(EGU, Tm, ETmP, R, w1r, cx.W1, ni, c, M, Wabs);
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
            ed[i] = fast_bound_deriv_err(c, bl->outer, bl->outer_slope,
                                         getv(tr->Dpre, i, c->t), b->h[l][i],
                                         smooth ? getv(tmp_t, i, c->t) : 0, b->eh[l][i]);
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

/* 1 if block bl has a written bound: every activation has one ([FE 3-7],
   [FE 10]); a general block's layers too (layernorm's bound is +inf only
   where its requirement fails, [FE 10]). */
static int
act_bounded(rj_act_kind k)
{
    return k <= RJ_ACT_ELU;   /* every activation [FE 3-7, 10] */
}

static int
block_bounded(const rj_fast_block_struct *bl)
{
    slong j;
    if (!act_bounded(bl->outer))
        return 0;
    if (!bl->general)
        return act_bounded(bl->act);
    for (j = 0; j < bl->nbranch + bl->nproj; j++)
        if (bl->layers[j].kind == RJ_LAYER_ACT && !act_bounded(bl->layers[j].act))
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
        if (!fast_bound_all_finite(cx.Hout, bl->n_out, c.t)
            || (cx.A != NULL && !fast_bound_all_finite(cx.A, bl->n_hidden, c.t))
            || (cx.Z != NULL && !fast_bound_all_finite(cx.Z, bl->n_hidden, c.t))
            || (cx.P != NULL && !fast_bound_all_finite(cx.P, bl->n_out, c.t))) {
            fast_block_label(lab, sizeof(lab), net, l);
            st = rj_error_set(err, RJ_ERR_DOMAIN,
                              "%s: the %s forward pass overflows (inf or nan); no bound",
                              lab, rj_fast_dtype_name(c.t));
            goto done;
        }
        if (bl->general) {
            st = fast_bound_gen_forward(gb + l, b, bb + l, &unc_max, net, w, l, &c, F, v[0],
                                        v[1], v[2]);
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
            if (!fast_bound_all_finite(Goth, R * bl->n_in, c.t)) {
                fast_block_label(lab, sizeof(lab), net, l);
                st = rj_error_set(err, RJ_ERR_DOMAIN,
                                  "%s: the %s backward pass overflows (inf or nan); no bound",
                                  lab, rj_fast_dtype_name(c.t));
                goto done;
            }
            if (bl->general) {
                if (fast_bound_gen_backward(b->EG[l], b->EG[l + 1], Gcur, gb + l, bb + l, b,
                                            net, w, l, R, &c, M, Wabs, v[3]) != RJ_OK) {
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
       partial Jacobians that contain them.  A NaN bound can only be a product
       0 * inf of a bound that does not hold (+inf, e.g. a layer norm whose
       requirement fails, [FE 10]) with a zero: it bounds nothing, so it is
       +inf (the statement then holds trivially) */
    for (l = 0; l <= L; l++) {
        slong wl = b->width[l];
        for (i = 0; i < wl; i++)
            b->eh[l][i] = isnan(b->eh[l][i]) ? INFINITY : mu(b->eh[l][i], F);
        for (i = 0; i < n_out * wl; i++)
            b->EG[l][i] = l <= unc_max || isnan(b->EG[l][i]) ? INFINITY
                                                             : mu(b->EG[l][i], F);
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
            fast_bound_gen_clear(gb + l);
        free(gb);
    }
    rj_fast_work_clear(w);
    if (st != RJ_OK)
        rj_fast_bound_clear(b);
    return st;
}
