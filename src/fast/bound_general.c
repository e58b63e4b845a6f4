/* resjac fast core: the error bound of general blocks, layer by layer
 * ([FE 10] of proofs/fast-error-bound.md): each layer's forward and backward
 * step bounded the way [FE 4], [FE 5] bound the shorthand block's, the
 * float values replayed with the kernels' own per-layer functions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bound_internal.h"

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

/* ------------------------------------------------------------ layer norm */

/* x rounded to the dtype: a +, -, *, / or sqrt of dtype values computed in
   double and rounded to float is the float operation's result (double
   rounding is innocuous for these operations since 53 >= 2 * 24 + 2), so
   the kernel's float steps are replayed bit for bit */
static double
rnd(double x, const bctx *c)
{
    return c->t == RJ_FAST_F32 ? (double) (float) x : x;
}

/* (1 - 2^-53)^-D <= exp(2^-4 (1 + 2^-40)) < 1.07 for every rounding depth D <=
   2^49 the bound accepts [FE 8]: a bound that enters a subtraction or a
   denominator (where the final factor F cannot repair its rounding) is
   multiplied by this first */
#define LN_DEPTH_PAD 1.07

/* The layer norm's statistics at one float point row x (n entries, bound ex
   on |x - x_exact|), replayed as the kernel computes them (ln_stats,
   ln_forward), and the bounds of [FE 10] "layernorm":
   m, r, nb the float mean, rstd, -rstd mean; xh[i] the float normalised
   entries; em >= |m - M(x)|, er >= |r - R(x)| (M, R the exact mean and rstd
   of the float row x); Rup >= R(x_t) on the segment from x to x_exact;
   rms = sqrt(mean ex^2), me = mean ex (upper); exh[i] >= |xh[i] - XH(x_exact)_i|.
   Returns 0 when the requirement v > 2 e_v or rho_r < 1/2 fails, or a bound
   is not finite (then nothing is claimed). */
typedef struct {
    double m, r, nb, em, er, Rup, rms, me;
} ln_info;

static int
ln_prepare(ln_info *I, double *xh, double *exh, const double *x, const double *ex, slong n,
           const rj_fast_layer_struct *L, const bctx *c)
{
    double s = 0, q = 0, A = 0, D2 = 0, eq = 0, var, eps = rnd(L->eps, c), v, sq;
    double evar, ev, rv, rs, ri, lo, slo, den, se = 0, se2 = 0, dn = (double) n, sqn;
    slong i;
    /* the kernel's sums, in its order (the float values in exh for now) */
    for (i = 0; i < n; i++)
        s = rnd(s + x[i], c);
    I->m = rnd(s / dn, c);
    for (i = 0; i < n; i++) {
        double d = rnd(x[i] - I->m, c);
        exh[i] = d;
        q = rnd(q + rnd(d * d, c), c);
    }
    var = rnd(q / dn, c);
    v = rnd(var + eps, c);
    sq = rnd(sqrt(v), c);
    I->r = rnd(1 / sq, c);
    I->nb = rnd(-(I->r * I->m), c);
    for (i = 0; i < n; i++)
        xh[i] = rnd(rnd(x[i] * I->r, c) + I->nb, c);
    /* the mean: a sum of n terms then a division, gamma_{n+1} [FE 1] */
    for (i = 0; i < n; i++)
        A += fabs(x[i]);
    I->em = mu(gam(c, n + 1), up(A / dn)) + c->eta;
    /* d_i = fl(x_i - m) within e_d = em + u |x_i - m| of x_i - M; its
       square: |d^2 - (x_i - M)^2| <= e_d (2 |d| + e_d), one rounding, and
       the sum of the n rounded squares: gamma_{n+1} sum d^2 + (n + 1) eta */
    for (i = 0; i < n; i++) {
        double d = exh[i], ed = I->em + mu(c->u, fabs(x[i]) + fabs(I->m));
        eq += mu(ed, 2 * fabs(d) + ed);
        D2 += d * d;
    }
    eq += mu(gam(c, n + 1), D2) + (dn + 1) * c->eta;
    /* var = fl(q / n), v = fl(var + eps_hat) with |eps_hat - eps| <= c2 eps_hat [FE 2] */
    evar = up(eq / dn) + mu(c->u, up(q / dn)) + c->eta;
    ev = (evar + mu(c->c2, eps) + mu(2 * c->u, v)) * LN_DEPTH_PAD;
    if (!(v > 2 * ev) || !(eps >= 0))
        return 0;
    /* relative errors through sqrt and the reciprocal, as for batchnorm */
    rv = up(ev / (v - ev) * (1 + 0x1p-50));
    rs = up(rv + c->u + rv * c->u);
    ri = up((rs + c->u) / (1 - rs) * (1 + 0x1p-50));
    if (!(ri < 0.5))
        return 0;
    I->er = (up(mu(ri, I->r) / (1 - ri)) + c->eta) * LN_DEPTH_PAD;
    /* the moments of the input's error */
    for (i = 0; i < n; i++) {
        se += ex[i];
        se2 += mu(ex[i], ex[i]);
    }
    I->me = up(se / dn);
    I->rms = up(sqrt(up(se2 / dn))) * LN_DEPTH_PAD;
    /* sqrt(V(x)) >= sqrt(1 / (r + er)^2 - eps_up); on the segment the
       standard deviation moves by at most rms (a seminorm), so R(x_t) <=
       Rup = 1 / sqrt(slo^2 + eps_lo) */
    lo = 1 / ((I->r + I->er) * (I->r + I->er) * (1 + 0x1p-40)) * (1 - 0x1p-40)
         - up(eps * (1 + c->c2));
    slo = lo > 0 ? sqrt(lo) * (1 - 0x1p-40) - I->rms * (1 + 0x1p-40) : 0;
    if (slo < 0)
        slo = 0;
    den = (slo * slo * (1 - 0x1p-40) + eps * (1 - c->c2)) * (1 - 0x1p-40);
    if (!(den > 0))
        return 0;
    I->Rup = up(1 / sqrt(den));
    /* exh: the kernel's rounding at x (xh = fl(fl(x r) + nb)) plus the move of
       the exact XH from x to x_exact: |XH(x) - XH(x_exact)|_i <= Rup (e_i + me
       + X_i rms), |XH_t|_i <= X_i = min(sqrt n, Rup (|x_i - m| + em + e_i + me)) */
    sqn = up(sqrt(dn));
    for (i = 0; i < n; i++) {
        double Xi = mu(I->Rup, up(fabs(x[i] - I->m)) + I->em + ex[i] + I->me);
        if (Xi > sqn)
            Xi = sqn;
        exh[i] = mu(fabs(x[i]), I->er) + mu(I->er, fabs(I->m)) + mu(I->r + I->er, I->em)
                 + mu(c->u, fabs(I->r) * fabs(I->m)) + mu(gam(c, 2), fabs(x[i]) * I->r
                                                             + fabs(I->nb))
                 + 3 * c->eta + mu(I->Rup, ex[i] + I->me + mu(Xi, I->rms));
    }
    for (i = 0; i < n; i++)
        if (!isfinite(exh[i]))
            return 0;
    return 1;
}

/* Forward bound of a layer norm [FE 10]: y = fl(fl(xh gamma) + beta). */
static void
ln_fwd(double *ey, const rj_fast_layer_struct *L, const double *x, const double *ex,
       const double *y, const fast_ctx *cx, const bctx *c)
{
    slong n = rj_shape_size(L->in), i;
    const void *gm = parp(cx, L->scale, c), *bt = parp(cx, L->shift, c);
    double *xh = malloc(n * sizeof(double)), *exh = malloc(n * sizeof(double));
    ln_info I;
    if (xh == NULL || exh == NULL) {
        for (i = 0; i < n; i++)
            ey[i] = INFINITY;
        free(xh);
        free(exh);
        return;
    }
    if (!ln_prepare(&I, xh, exh, x, ex, n, L, c)) {
        /* the requirement fails: |XH_i| <= sqrt(n - 1) always ((x_i - M)^2
           <= (n - 1) V), so |y_hat - y| <= |y_hat| + c1 (|gamma_hat| sqrt n
           + |beta_hat|), finite (no +inf enters the later layers) */
        double sqn = up(sqrt((double) n));
        for (i = 0; i < n; i++)
            ey[i] = fabs(y[i]) + mu(c->c1, (gm != NULL ? mu(fabs(getv(gm, i, c->t)), sqn) : sqn)
                                               + (bt != NULL ? fabs(getv(bt, i, c->t)) : 0));
        free(xh);
        free(exh);
        return;
    }
    for (i = 0; i < n; i++) {
        double e = exh[i];
        if (gm != NULL) {
            double g = fabs(getv(gm, i, c->t));
            e = mu(mu(c->c1, g), e) + mu(c->c2 + c->u, fabs(xh[i]) * g) + c->eta;
        }
        if (bt != NULL)
            e += mu(c->c2, fabs(getv(bt, i, c->t))) + mu(2 * c->u, fabs(y[i]));
        ey[i] = e;
    }
    free(xh);
    free(exh);
}

/* Backward bound of a layer norm on R rows [FE 10]: the kernel's
   gi = g gamma, m1 = fl(sum gi / n), m2 = fl(sum fl(gi xh) / n),
   y = fl(r fl(fl(gi - m1) - fl(xh m2))), replayed; each step's error from
   the errors of its operands and its own roundings, against the exact
   R (G gamma - mean(G gamma) - XH mean(G gamma XH)) at the exact point. */
static void
ln_bwd(double *Ein, const void *Gh, const double *E, slong R, const rj_fast_layer_struct *L,
       const double *x, const double *ex, const fast_ctx *cx, const bctx *c)
{
    slong n = rj_shape_size(L->in), i, r;
    const void *gm = parp(cx, L->scale, c);
    double *xh = malloc(n * sizeof(double)), *exh = malloc(n * sizeof(double));
    double *gi = malloc(n * sizeof(double)), *eg = malloc(n * sizeof(double));
    double dn = (double) n, gn = gam(c, n + 1), g2 = gam(c, 2), eR = 0, eps, Rb = INFINITY;
    int ok;
    ln_info I;
    if (xh == NULL || exh == NULL || gi == NULL || eg == NULL) {
        for (i = 0; i < R * n; i++)
            Ein[i] = INFINITY;
        goto done;
    }
    ok = ln_prepare(&I, xh, exh, x, ex, n, L, c);
    /* |r - R(x_exact)| <= er + Rup^2 rms: |dR/dt| <= R_t^2 mean |XH_t| |e| <= R_t^2 rms */
    if (ok)
        eR = I.er + mu(mu(I.Rup, I.Rup), I.rms);
    /* without the requirement (m, r, nb, xh are still the kernel's): R <= Rb =
       1 / sqrt(eps) bounds the exact rstd, +inf when eps_hat = 0 */
    eps = rnd(L->eps, c);
    if (!ok && eps > 0)
        Rb = up(1 / sqrt(eps * (1 - c->c2) * (1 - 0x1p-40)));
    for (r = 0; r < R; r++) {
        const double *Er = E + r * n;
        double s1 = 0, s2 = 0, a1 = 0, a2 = 0, es1 = 0, es2 = 0, m1, m2, em1, em2;
        for (i = 0; i < n; i++) {
            double g = getv(Gh, r * n + i, c->t);
            if (gm != NULL) {
                double ga = getv(gm, i, c->t);
                gi[i] = rnd(g * ga, c);
                eg[i] = mu(mu(c->c1, fabs(ga)), Er[i]) + mu(c->c2 + c->u, fabs(g) * fabs(ga))
                        + c->eta;
            } else {
                gi[i] = g;
                eg[i] = Er[i];
            }
        }
        for (i = 0; i < n; i++) {
            double p = rnd(gi[i] * xh[i], c);
            s1 = rnd(s1 + gi[i], c);
            s2 = rnd(s2 + p, c);
            a1 += fabs(gi[i]);
            a2 += fabs(p);
            es1 += eg[i];
            es2 += mu(eg[i], fabs(xh[i])) + mu(fabs(gi[i]) + eg[i], exh[i])
                   + mu(c->u, fabs(gi[i]) * fabs(xh[i])) + c->eta;
        }
        m1 = rnd(s1 / dn, c);
        m2 = rnd(s2 / dn, c);
        if (!ok) {
            /* |(G J)_i| <= Rb (|G'_i| + mean |G'| + sqrt n rms G'), |XH_i| <=
               sqrt(n - 1), mean(|G'| |XH|) <= rms G' rms XH <= rms G', and
               |G'_i| <= a_i = c1 |gamma_hat| (|g_i| + E_i); the error is at most
               |float| + that bound */
            double sa = 0, sa2 = 0, ma, ra;
            for (i = 0; i < n; i++) {
                double ga = gm != NULL ? mu(c->c1, fabs(getv(gm, i, c->t))) : 1;
                eg[i] = mu(ga, fabs(getv(Gh, r * n + i, c->t)) + Er[i]);
                sa += eg[i];
                sa2 += mu(eg[i], eg[i]);
            }
            ma = up(sa / dn);
            ra = mu(up(sqrt(up(sa2 / dn))), up(sqrt(dn)));
            for (i = 0; i < n; i++) {
                double cc = rnd(rnd(gi[i] - m1, c) - rnd(xh[i] * m2, c), c);
                Ein[r * n + i] = fabs(rnd(I.r * cc, c)) + mu(Rb, eg[i] + ma + ra);
            }
            continue;
        }
        em1 = up(es1 / dn) + mu(gn, up(a1 / dn)) + c->eta;
        em2 = up(es2 / dn) + mu(gn, up(a2 / dn)) + c->eta;
        for (i = 0; i < n; i++) {
            double cc = rnd(rnd(gi[i] - m1, c) - rnd(xh[i] * m2, c), c);
            double ec = eg[i] + em1 + mu(exh[i], fabs(m2)) + mu(fabs(xh[i]) + exh[i], em2)
                        + mu(g2, fabs(gi[i]) + fabs(m1) + fabs(xh[i]) * fabs(m2)) + c->eta;
            Ein[r * n + i] = mu(eR, fabs(cc)) + mu(I.r + eR, ec) + mu(c->u, I.r * fabs(cc))
                             + c->eta;
        }
    }
done:
    free(xh);
    free(exh);
    free(gi);
    free(eg);
}

/* Record an uncertain unit of branch layer j of general block l (the first
   one met names its layer). */
static void
gen_uncertain(rj_fast_bound_t b, slong l, slong j, slong unit, double v, double e)
{
    if (b->certified)
        b->unc_layer = j;
    fast_bound_uncertain(b, l, 0, unit, v, e);
}

/* Forward bound of one layer of a general block [FE 10]: ey (output) from
   the float input x with bound ex and the float output y.  Kinks (relu,
   leaky_relu) and max-pool selections are certified; a failure is reported
   as uncertain (block l, where 0, branch layer j, unit = the entry within
   the layer). */
static void
gen_layer_fwd(double *ey, const rj_fast_layer_struct *L, const double *x, const double *ex,
              const double *y, const fast_ctx *cx, const bctx *c, double F,
              rj_fast_bound_t b, slong l, slong j, slong *unc_max, double *t1, double *t2,
              double *t3)
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
            fast_bound_absmatvec(t1, W, nout, nin, t3, c->t);
            fast_bound_absmatvec(t2, W, nout, nin, ex, c->t);
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
                gen_uncertain(b, l, j, o, x[k], e * F);
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
            ey[i] = fast_bound_act_err(&cert, c, L->act, L->param, x[i], y[i], ex[i], F);
            if (!cert) {
                gen_uncertain(b, l, j, i, x[i], ex[i] * F);
                *unc_max = FLINT_MAX(*unc_max, l);
            }
        }
        break;
    case RJ_LAYER_LAYERNORM:    /* +inf where the requirement fails [FE 10] */
        ln_fwd(ey, L, x, ex, y, cx, c);
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
        fast_bound_gemm_step(Ein, Gh, E, R, nout, parp(cx, L->W, c), nin, c, M, Wabs);
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
            t1[i] = fast_bound_deriv_err(c, L->act, L->param, getv(D, i, c->t), x[i],
                                         getv(yt, i, c->t), ex[i]);
        fast_bound_mask_step(Ein, Gh, E, D, t1, R, nin, c);
        break;
    }
    case RJ_LAYER_LAYERNORM:    /* +inf where the requirement fails [FE 10] */
        ln_bwd(Ein, Gh, E, R, L, x, ex, cx, c);
        break;
    }
}

void
fast_bound_gen_clear(gen_bounds *g)
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
        if (!fast_bound_all_finite(tt[j + 1], no, c->t))
            return -2;
        for (i = 0; i < no; i++)
            vv[j + 1][i] = getv(tt[j + 1], i, c->t);
        gen_layer_fwd(ee[j + 1], L, vv[j], ee[j], vv[j + 1], cx, c, F, b, l, j, unc_max, t1,
                      t2, t3);
    }
    return 0;
}

/* Forward bound of general block l [FE 10]: h[l + 1], eh[l + 1] and the
   bound ey of the POST argument, keeping every position's values in g.
   t1..t3 are scratch of the widest layer (4 times its channels at least).
   Returns RJ_OK, RJ_ERR_MEMORY, or RJ_ERR_DOMAIN when a value inside the
   block is not finite. */
int
fast_bound_gen_forward(gen_bounds *g, rj_fast_bound_t b, blk_bounds *bb, slong *unc_max,
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
            g->be[0][i] = fast_bound_act_err(&cert, c, bl->outer, bl->outer_slope, b->h[l][i],
                                             g->bv[0][i], b->eh[l][i], F);
            if (!cert) {
                fast_bound_uncertain(b, l, 1, i, b->h[l][i], b->eh[l][i] * F);
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
        fast_bound_absmatvec(bb->ey, W, no, k, t3, c->t);              /* |W| |x| */
        fast_bound_absmatvec(t3, W, no, k, g->be[nb - 1], c->t);       /* |W| e_x */
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
            b->eh[l + 1][i] = fast_bound_act_err(&cert, c, bl->outer, bl->outer_slope, pj, yo,
                                                 bb->ey[i], F);
            if (!cert) {
                fast_bound_uncertain(b, l, 1, i, pj, bb->ey[i] * F);
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
int
fast_bound_gen_backward(double *Enext, const double *Ecur, const void *Gout,
                        const gen_bounds *g, const blk_bounds *bb, const rj_fast_bound_t b,
                        const rj_fast_net_t net, const rj_fast_work_t w, slong l, slong R,
                        const bctx *c, double *M, double *Wabs, double *t1)
{
    const rj_fast_block_struct *bl = net->blocks + l;
    slong ni = bl->n_in, no = bl->n_out, maxw = FLINT_MAX(net->max_width, 1), i, r;
    size_t es = rj_fast_dtype_size(c->t);
    void *Gp = malloc(R * maxw * es), *Ga = malloc(R * maxw * es), *Gb = malloc(R * maxw * es);
    void *D = malloc(maxw * es), *Sg = NULL;
    double *Ep = malloc(R * maxw * sizeof(double)), *Ea = malloc(R * maxw * sizeof(double));
    double *Eb = malloc(R * maxw * sizeof(double)), *ES = NULL;
    double *ed = malloc(maxw * sizeof(double));
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
            ed[i] = fast_bound_deriv_err(c, bl->outer, bl->outer_slope, getv(D, i, c->t),
                                         getv(cx.P, i, c->t), getv(cx.Hout, i, c->t),
                                         bb->ey[i]);
        fast_bound_mask_step(Ep, Gout, Ecur, D, ed, R, no, c);
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
            ed[i] = fast_bound_deriv_err(c, bl->outer, bl->outer_slope, getv(D, i, c->t),
                                         b->h[l][i], g->bv[0][i], b->eh[l][i]);
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

