/* resjac fast core: the layers of general blocks (resjac/model.h, "layers"),
 * written once for T = float and T = double.  Included by kernels_impl.h
 * (T, FN, gemm, the row helpers and the activations are its own).
 *
 * Rows.  Every function works on rows of width size(shape) in NCHW order.
 * Value rows (forward) are points; cotangent and tangent rows follow the
 * convention of the passes: row r belongs to point (r / sub) mod B, and the
 * stored values of that point (the layer's input) decide the data-dependent
 * layers (activations, max pooling, layer norm).
 *
 * Order of operations (proofs/fast-error-bound.md [FE 10] records it; what
 * the eval-mode CPU kernels of PyTorch compute):
 *   DENSE      bias rows first, then the gemm accumulates onto them (as the
 *              shorthand block does), so (dense, act, dense) gives the
 *              shorthand's bits;
 *   CONV2D     per group and chunk of points, im2col of the points side by
 *              side then one gemm (C_out/groups x chunk*P x C_in/groups*kh*kw)
 *              onto the bias rows;
 *   AFFINE     x * scale + shift, two roundings;
 *   BATCHNORM  PyTorch's eval-mode fold: a = (1 / sqrt(var + eps)) * gamma,
 *              c = beta - mean * a per channel, then y = x * a + c (no fused
 *              multiply-add);
 *   LAYERNORM  mean and variance by plain sums in the dtype (PyTorch sums in
 *              a cascade: the moments may differ in the last bits),
 *              rstd = 1 / sqrt(var + eps), then y = (x * rstd + (-rstd * mean))
 *              * gamma + beta, the order of PyTorch's kernel;
 *   AVGPOOL    window sum in row-major order, divided by kh * kw (padding
 *              counted), as PyTorch;
 *   MAXPOOL    window scanned in row-major order, a value wins only when
 *              strictly larger (or NaN): the first maximum, as PyTorch;
 *   GAP        the sum divided by H, then by W (PyTorch's adaptive pool). */

#define LPAR(c, off) ((off) >= 0 ? (const T *) (c)->pbase + (off) : (const T *) NULL)

/* stored output of layer j of the block (or the PRE input for
   j = nbranch + nproj) */
static T *
FN(gslot)(const fast_ctx *c, slong j)
{
    return c->goff[j] >= 0 ? (T *) c->wbase + c->goff[j] : NULL;
}

static slong
FN(shape_n)(rj_shape s)
{
    return s.c * s.h * s.w;
}

/* ------------------------------------------------------------ conv2d */

/* The outputs o (0 <= o < n_out) along one axis whose input o stride + off
   lies inside 0 .. n_in - 1, for one kernel offset (off = kernel index *
   dilation - padding): lo <= o < hi, hi >= lo.  Computed once per kernel
   row and column, so that im2col and col2im copy (or add) one rectangle and
   write the padding's zeros apart, without a test per entry. */
static void
FN(conv_span)(slong *lo, slong *hi, slong off, slong stride, slong n_in, slong n_out)
{
    /* smallest o with o stride + off >= 0, and one past the largest with
       o stride + off <= n_in - 1 (integer division rounds toward zero: the
       ceilings are taken on nonnegative numerators) */
    slong a = off >= 0 ? 0 : (-off + stride - 1) / stride;
    slong z = n_in - 1 - off < 0 ? 0 : (n_in - 1 - off) / stride + 1;
    *lo = a < n_out ? a : n_out;
    *hi = z < n_out ? z : n_out;
    if (*hi < *lo)
        *hi = *lo;
}

/* col (Kc x P, rows ld apart) of point x, group g: entry ((ci kh + a) kw + b,
   oi Wo + oj) is x[g cin_g + ci, oi sh - ph + a dh, oj sw - pw + b dw], 0 in
   the padding */
static void
FN(im2col)(T *restrict col, slong ld, const T *restrict x, const rj_fast_layer_struct *L,
           slong g)
{
    slong cin_g = L->in.c / L->groups, H = L->in.h, W = L->in.w;
    slong Ho = L->out.h, Wo = L->out.w, sh = L->sh, sw = L->sw, ci, a, bb, oi, oj;
    for (a = 0; a < L->kh; a++) {
        slong ilo, ihi, ioff = a * L->dh - L->ph;
        FN(conv_span)(&ilo, &ihi, ioff, sh, H, Ho);
        for (bb = 0; bb < L->kw; bb++) {
            slong lo, hi, off = bb * L->dw - L->pw;
            FN(conv_span)(&lo, &hi, off, sw, W, Wo);
            for (ci = 0; ci < cin_g; ci++) {
                const T *xc = x + (g * cin_g + ci) * H * W;
                T *row = col + ((ci * L->kh + a) * L->kw + bb) * ld;
                memset(row, 0, ilo * Wo * sizeof(T));
                memset(row + ihi * Wo, 0, (Ho - ihi) * Wo * sizeof(T));
                for (oi = ilo; oi < ihi; oi++) {
                    T *r = row + oi * Wo;
                    /* input row oi sh + ioff, from column lo sw + off on */
                    const T *xr = xc + (oi * sh + ioff) * W + lo * sw + off;
                    for (oj = 0; oj < lo; oj++)
                        r[oj] = 0;
                    if (sw == 1)
                        memcpy(r + lo, xr, (hi - lo) * sizeof(T));
                    else
                        for (oj = lo; oj < hi; oj++)
                            r[oj] = xr[(oj - lo) * sw];
                    for (oj = hi; oj < Wo; oj++)
                        r[oj] = 0;
                }
            }
        }
    }
}

/* x[i ldx + j] += r[i ldr + j] for i < nr, j < nc (the stride-1 col2im
   rectangle; vectorised) */
VEC_CLONES static void
FN(rect_acc)(T *restrict x, slong ldx, const T *restrict r, slong ldr, slong nr, slong nc)
{
    slong i, j;
    for (i = 0; i < nr; i++)
        for (j = 0; j < nc; j++)
            x[i * ldx + j] += r[i * ldr + j];
}

/* x += the columns of col (rows ld apart) back at their places (the
   transpose of im2col; every entry of x receives its terms in the order of
   (ci, a, b), as the loops below run them) */
static void
FN(col2im_add)(T *restrict x, const T *restrict col, slong ld, const rj_fast_layer_struct *L,
               slong g)
{
    slong cin_g = L->in.c / L->groups, H = L->in.h, W = L->in.w;
    slong Ho = L->out.h, Wo = L->out.w, sh = L->sh, sw = L->sw, ci, a, bb, oi, oj;
    for (ci = 0; ci < cin_g; ci++) {
        T *xc = x + (g * cin_g + ci) * H * W;
        for (a = 0; a < L->kh; a++) {
            slong ilo, ihi, ioff = a * L->dh - L->ph;
            FN(conv_span)(&ilo, &ihi, ioff, sh, H, Ho);
            for (bb = 0; bb < L->kw; bb++) {
                const T *row = col + ((ci * L->kh + a) * L->kw + bb) * ld;
                slong lo, hi, off = bb * L->dw - L->pw;
                FN(conv_span)(&lo, &hi, off, sw, W, Wo);
                if (ihi == ilo || hi == lo)
                    continue;
                if (sw == 1) {
                    FN(rect_acc)(xc + (ilo * sh + ioff) * W + lo + off, sh * W,
                                 row + ilo * Wo + lo, Wo, ihi - ilo, hi - lo);
                    continue;
                }
                for (oi = ilo; oi < ihi; oi++) {
                    T *xr = xc + (oi * sh + ioff) * W + lo * sw + off;
                    const T *r = row + oi * Wo;
                    for (oj = lo; oj < hi; oj++)
                        xr[(oj - lo) * sw] += r[oj];
                }
            }
        }
    }
}

/* The rows are taken FAST_CONV_CHUNK at a time: their columns side by side
   (Kc x n P) so that each group is one gemm over the chunk, the points'
   outputs (C_out/groups x n P) then moved to their rows.  col holds
   FAST_CONV_CHUNK im2col buffers, ybuf FAST_CONV_CHUNK outputs of a group. */

/* Y = conv(X) (+ bias) on R rows */
static void
FN(conv_rows)(T *Y, const T *X, slong R, const rj_fast_layer_struct *L, const T *W,
              const T *bias, T *col, T *ybuf)
{
    slong G = L->groups, cin_g = L->in.c / G, cog = L->out.c / G;
    slong Kc = cin_g * L->kh * L->kw, P = L->out.h * L->out.w;
    slong nin = FN(shape_n)(L->in), nout = FN(shape_n)(L->out), r0, r, g, co, p, n;
    for (r0 = 0; r0 < R; r0 += n) {
        n = R - r0 < FAST_CONV_CHUNK ? R - r0 : FAST_CONV_CHUNK;
        for (g = 0; g < G; g++) {
            for (r = 0; r < n; r++)
                FN(im2col)(col + r * P, n * P, X + (r0 + r) * nin, L, g);
            for (co = 0; co < cog; co++)
                for (p = 0; p < n * P; p++)
                    ybuf[co * n * P + p] = bias != NULL ? bias[g * cog + co] : (T) 0;
            FN(gemm)(0, 0, cog, n * P, Kc, W + g * cog * Kc, Kc, col, n * P, 1, ybuf, n * P);
            for (r = 0; r < n; r++)
                for (co = 0; co < cog; co++)
                    memcpy(Y + (r0 + r) * nout + (g * cog + co) * P, ybuf + co * n * P + r * P,
                           P * sizeof(T));
        }
    }
}

/* Gin = G conv^T on R rows; with dW (the rows' points' inputs X) also
   dW = sum_r G_r col_r^T; db = the sum of G over rows and positions */
static void
FN(conv_vjp)(T *Gin, const T *Gr, slong R, slong sub, slong B, const rj_fast_layer_struct *L,
             const T *W, const T *X, T *dW, T *db, T *col, T *gbuf)
{
    slong G = L->groups, cin_g = L->in.c / G, cog = L->out.c / G;
    slong Kc = cin_g * L->kh * L->kw, P = L->out.h * L->out.w;
    slong nin = FN(shape_n)(L->in), nout = FN(shape_n)(L->out), r0, r, g, i, co, n;
    if (dW != NULL)
        for (i = 0; i < L->Wr * L->Wc; i++)
            dW[i] = 0;
    for (r = 0; r < R; r++)
        for (i = 0; i < nin; i++)
            Gin[r * nin + i] = 0;
    for (r0 = 0; r0 < R; r0 += n) {
        n = R - r0 < FAST_CONV_CHUNK ? R - r0 : FAST_CONV_CHUNK;
        for (g = 0; g < G; g++) {
            for (r = 0; r < n; r++)
                for (co = 0; co < cog; co++)
                    memcpy(gbuf + co * n * P + r * P, Gr + (r0 + r) * nout + (g * cog + co) * P,
                           P * sizeof(T));
            if (dW != NULL) {
                for (r = 0; r < n; r++)
                    FN(im2col)(col + r * P, n * P, X + (((r0 + r) / sub) % B) * nin, L, g);
                FN(gemm)(0, 1, cog, Kc, n * P, gbuf, n * P, col, n * P, 1, dW + g * cog * Kc,
                         Kc);
            }
            FN(gemm)(1, 0, Kc, n * P, cog, W + g * cog * Kc, Kc, gbuf, n * P, 0, col, n * P);
            for (r = 0; r < n; r++)
                FN(col2im_add)(Gin + (r0 + r) * nin, col + r * P, n * P, L, g);
        }
    }
    if (db != NULL) {
        slong p;
        for (co = 0; co < L->out.c; co++)
            db[co] = 0;
        for (r = 0; r < R; r++)
            for (co = 0; co < L->out.c; co++)
                for (p = 0; p < P; p++)
                    db[co] += Gr[r * nout + co * P + p];
    }
}

/* ------------------------------------------------------------ pools */

static slong
FN(pool_sh)(const rj_fast_layer_struct *L)
{
    return L->sh > 0 ? L->sh : L->kh;
}

static slong
FN(pool_sw)(const rj_fast_layer_struct *L)
{
    return L->sw > 0 ? L->sw : L->kw;
}

/* avgpool of R rows (transpose = 0), or its transpose added into Y (Y = X^T
   rows of the input shape, zeroed here; X rows of the output shape) */
static void
FN(avgpool_rows)(T *Y, const T *X, slong R, const rj_fast_layer_struct *L, int transpose)
{
    slong H = L->in.h, W = L->in.w, Ho = L->out.h, Wo = L->out.w, C = L->in.c;
    slong nin = C * H * W, nout = C * Ho * Wo, r, c, oi, oj, a, bb, i;
    slong sh = FN(pool_sh)(L), sw = FN(pool_sw)(L);
    T div = (T) (L->kh * L->kw);
    for (r = 0; r < R; r++) {
        if (transpose)
            for (i = 0; i < nin; i++)
                Y[r * nin + i] = 0;
        for (c = 0; c < C; c++)
            for (oi = 0; oi < Ho; oi++)
                for (oj = 0; oj < Wo; oj++) {
                    T s = 0;
                    if (transpose)
                        s = X[r * nout + (c * Ho + oi) * Wo + oj] / div;
                    for (a = 0; a < L->kh; a++) {
                        slong ii = oi * sh - L->ph + a;
                        if (ii < 0 || ii >= H)
                            continue;
                        for (bb = 0; bb < L->kw; bb++) {
                            slong jj = oj * sw - L->pw + bb;
                            if (jj < 0 || jj >= W)
                                continue;
                            if (transpose)
                                Y[r * nin + (c * H + ii) * W + jj] += s;
                            else
                                s += X[r * nin + (c * H + ii) * W + jj];
                        }
                    }
                    if (!transpose)
                        Y[r * nout + (c * Ho + oi) * Wo + oj] = s / div;
                }
    }
}

/* index (in the input row) of the first maximum of output entry o of the
   point row x; padding never wins */
static slong
FN(maxpool_arg)(const T *x, const rj_fast_layer_struct *L, slong o)
{
    slong H = L->in.h, W = L->in.w, Ho = L->out.h, Wo = L->out.w;
    slong c = o / (Ho * Wo), oi = (o / Wo) % Ho, oj = o % Wo, a, bb, best = -1;
    slong sh = FN(pool_sh)(L), sw = FN(pool_sw)(L);
    T m = 0;
    for (a = 0; a < L->kh; a++) {
        slong ii = oi * sh - L->ph + a * L->dh;
        if (ii < 0 || ii >= H)
            continue;
        for (bb = 0; bb < L->kw; bb++) {
            slong jj = oj * sw - L->pw + bb * L->dw, idx;
            if (jj < 0 || jj >= W)
                continue;
            idx = (c * H + ii) * W + jj;
            if (best < 0 || x[idx] > m || x[idx] != x[idx]) {
                best = idx;
                m = x[idx];
                if (m != m)
                    return best;
            }
        }
    }
    return best;
}

/* mode 0: Y = maxpool(X) on point rows; mode 1: tangent rows Y = X gathered
   at the maxima of the point rows Xv; mode 2: Y (input shape) = cotangent
   rows X scattered to the maxima */
static void
FN(maxpool_rows)(T *Y, const T *X, slong R, slong sub, slong B, const T *Xv,
                 const rj_fast_layer_struct *L, int mode)
{
    slong nin = FN(shape_n)(L->in), nout = FN(shape_n)(L->out), r, o, i;
    for (r = 0; r < R; r++) {
        const T *x = mode == 0 ? X + r * nin : Xv + ((r / sub) % B) * nin;
        if (mode == 2)
            for (i = 0; i < nin; i++)
                Y[r * nin + i] = 0;
        for (o = 0; o < nout; o++) {
            slong k = FN(maxpool_arg)(x, L, o);
            if (mode == 0)
                Y[r * nout + o] = x[k];
            else if (mode == 1)
                Y[r * nout + o] = X[r * nin + k];
            else
                Y[r * nin + k] += X[r * nout + o];
        }
    }
}

/* global average pool of R rows, or its transpose (Y input-shaped) */
static void
FN(gap_rows)(T *Y, const T *X, slong R, const rj_fast_layer_struct *L, int transpose)
{
    slong C = L->in.c, HW = L->in.h * L->in.w, r, c, p;
    T h = (T) L->in.h, w = (T) L->in.w;
    for (r = 0; r < R; r++)
        for (c = 0; c < C; c++) {
            if (transpose) {
                T v = X[r * C + c] / h / w;
                for (p = 0; p < HW; p++)
                    Y[r * C * HW + c * HW + p] = v;
            } else {
                T s = 0;
                for (p = 0; p < HW; p++)
                    s += X[r * C * HW + c * HW + p];
                Y[r * C + c] = s / h / w;
            }
        }
}

/* ------------------------------------------------------------ per channel */

/* Per-channel factor a and offset c of AFFINE / BATCHNORM into sm (2 C
   entries): BATCHNORM folded as PyTorch does in eval mode. */
static void
FN(channel_fold)(T *sm, const rj_fast_layer_struct *L, const fast_ctx *cx)
{
    slong C = L->in.c, c;
    const T *sc = LPAR(cx, L->scale), *sf = LPAR(cx, L->shift);
    T *a = sm, *o = sm + C;
    if (L->kind == RJ_LAYER_AFFINE) {
        for (c = 0; c < C; c++) {
            a[c] = sc[c];
            o[c] = sf != NULL ? sf[c] : (T) 0;
        }
        return;
    }
    for (c = 0; c < C; c++) {
        const T *mean = LPAR(cx, L->mean), *var = LPAR(cx, L->var);
        T inv = (T) 1 / SQRT(var[c] + (T) L->eps);
        a[c] = sc != NULL ? inv * sc[c] : inv;
        o[c] = sf != NULL ? sf[c] - mean[c] * a[c] : -(mean[c] * a[c]);
    }
}

/* Y = X a (+ o) channelwise on R rows */
static void
FN(channel_rows)(T *Y, const T *X, slong R, const rj_fast_layer_struct *L, const T *sm,
                 int add)
{
    slong C = L->in.c, HW = L->in.h * L->in.w, r, c, p;
    for (r = 0; r < R; r++)
        for (c = 0; c < C; c++) {
            const T *x = X + (r * C + c) * HW;
            T *y = Y + (r * C + c) * HW, a = sm[c], o = sm[C + c];
            if (add && !(L->kind == RJ_LAYER_AFFINE && L->shift < 0))
                for (p = 0; p < HW; p++)
                    y[p] = x[p] * a + o;
            else
                for (p = 0; p < HW; p++)
                    y[p] = x[p] * a;
        }
}

/* parameter gradients of AFFINE / BATCHNORM from cotangent rows G and the
   point rows X (rows are points: sub = 1) */
static void
FN(channel_grads)(T *dp, const T *G, const T *X, slong R, slong sub, slong B,
                  const rj_fast_layer_struct *L, const fast_ctx *cx, const T *sm)
{
    slong C = L->in.c, HW = L->in.h * L->in.w, r, c, p;
    for (c = 0; c < C; c++) {
        T s_gx = 0, s_g = 0, s_gxm = 0;
        T mean = 0, inv = 0;
        if (L->kind == RJ_LAYER_BATCHNORM) {
            mean = LPAR(cx, L->mean)[c];
            inv = (T) 1 / SQRT(LPAR(cx, L->var)[c] + (T) L->eps);
        }
        for (r = 0; r < R; r++) {
            const T *x = X + (((r / sub) % B) * C + c) * HW, *g = G + (r * C + c) * HW;
            for (p = 0; p < HW; p++) {
                s_g += g[p];
                s_gx += g[p] * x[p];
                s_gxm += g[p] * (x[p] - mean);
            }
        }
        if (L->kind == RJ_LAYER_AFFINE) {
            dp[L->scale + c] = s_gx;
            if (L->shift >= 0)
                dp[L->shift + c] = s_g;
        } else {
            /* y = (x - mean) inv gamma + beta: the derivatives in gamma, beta,
               mean and var (PyTorch keeps mean and var as buffers without
               gradient; they are given here all the same) */
            T gam = L->scale >= 0 ? LPAR(cx, L->scale)[c] : (T) 1;
            if (L->scale >= 0)
                dp[L->scale + c] = s_gxm * inv;
            if (L->shift >= 0)
                dp[L->shift + c] = s_g;
            dp[L->mean + c] = -(s_g * sm[c]);
            dp[L->var + c] = s_gxm * gam * (T) -0.5 * inv * inv * inv;
        }
    }
}

/* ------------------------------------------------------------ layer norm */

/* mean and rstd of one point row of n entries */
static void
FN(ln_stats)(T *mu, T *rstd, const T *x, slong n, T eps)
{
    slong i;
    T s = 0, q = 0, m;
    for (i = 0; i < n; i++)
        s += x[i];
    m = s / (T) n;
    for (i = 0; i < n; i++) {
        T d = x[i] - m;
        q += d * d;
    }
    *mu = m;
    *rstd = (T) 1 / SQRT(q / (T) n + eps);
}

/* forward on point rows */
static void
FN(ln_forward)(T *Y, const T *X, slong R, const rj_fast_layer_struct *L, const fast_ctx *cx)
{
    slong n = FN(shape_n)(L->in), r, i;
    const T *gm = LPAR(cx, L->scale), *bt = LPAR(cx, L->shift);
    for (r = 0; r < R; r++) {
        const T *x = X + r * n;
        T *y = Y + r * n, mu, rs, nb;
        FN(ln_stats)(&mu, &rs, x, n, (T) L->eps);
        nb = -rs * mu;
        for (i = 0; i < n; i++) {
            T v = x[i] * rs + nb;
            if (gm != NULL)
                v = v * gm[i];
            if (bt != NULL)
                v = v + bt[i];
            y[i] = v;
        }
    }
}

/* tangent (transpose = 0) or cotangent (transpose = 1) rows through the
   layer norm at the point rows Xv:  J = diag(gamma) rstd (I - 1/n - xh xh^T / n)
   (proofs/fast-error-bound.md [FE 10]); with dp also dgamma, dbeta */
static void
FN(ln_rows)(T *Y, const T *X, slong R, slong sub, slong B, const T *Xv,
            const rj_fast_layer_struct *L, const fast_ctx *cx, int transpose, T *dp, T *xh)
{
    slong n = FN(shape_n)(L->in), r, i;
    const T *gm = LPAR(cx, L->scale);
    if (dp != NULL) {
        if (L->scale >= 0)
            for (i = 0; i < n; i++)
                dp[L->scale + i] = 0;
        if (L->shift >= 0)
            for (i = 0; i < n; i++)
                dp[L->shift + i] = 0;
    }
    for (r = 0; r < R; r++) {
        const T *x = Xv + ((r / sub) % B) * n, *g = X + r * n;
        T *y = Y + r * n, mu, rs, nb, m1 = 0, m2 = 0;
        FN(ln_stats)(&mu, &rs, x, n, (T) L->eps);
        nb = -rs * mu;
        for (i = 0; i < n; i++)
            xh[i] = x[i] * rs + nb;
        for (i = 0; i < n; i++) {
            T gi = transpose && gm != NULL ? g[i] * gm[i] : g[i];
            m1 += gi;
            m2 += gi * xh[i];
        }
        m1 = m1 / (T) n;
        m2 = m2 / (T) n;
        for (i = 0; i < n; i++) {
            T gi = transpose && gm != NULL ? g[i] * gm[i] : g[i];
            T v = rs * (gi - m1 - xh[i] * m2);
            y[i] = !transpose && gm != NULL ? v * gm[i] : v;
        }
        if (dp != NULL) {
            if (L->scale >= 0)
                for (i = 0; i < n; i++)
                    dp[L->scale + i] += g[i] * xh[i];
            if (L->shift >= 0)
                for (i = 0; i < n; i++)
                    dp[L->shift + i] += g[i];
        }
    }
}

/* ------------------------------------------------------------ one layer */

/* forward of one layer on B point rows */
static void
FN(layer_forward)(T *Y, const T *X, slong B, const rj_fast_layer_struct *L,
                  const fast_ctx *cx, fast_scratch *s)
{
    slong nin = FN(shape_n)(L->in), nout = FN(shape_n)(L->out), r;
    switch (L->kind) {
    case RJ_LAYER_DENSE: {
        const T *b = LPAR(cx, L->b);
        if (b != NULL)
            for (r = 0; r < B; r++)
                memcpy(Y + r * nout, b, nout * sizeof(T));
        FN(gemm)(0, 1, B, nout, nin, X, nin, LPAR(cx, L->W), nin, b != NULL ? 1 : 0, Y,
                 nout);
        break;
    }
    case RJ_LAYER_CONV2D:
        FN(conv_rows)(Y, X, B, L, LPAR(cx, L->W), LPAR(cx, L->b), (T *) s->Col, (T *) s->Cy);
        break;
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
        FN(channel_fold)((T *) s->Sm, L, cx);
        FN(channel_rows)(Y, X, B, L, (const T *) s->Sm, 1);
        break;
    case RJ_LAYER_LAYERNORM:
        FN(ln_forward)(Y, X, B, L, cx);
        break;
    case RJ_LAYER_AVGPOOL:
        FN(avgpool_rows)(Y, X, B, L, 0);
        break;
    case RJ_LAYER_MAXPOOL:
        FN(maxpool_rows)(Y, X, B, 1, B, NULL, L, 0);
        break;
    case RJ_LAYER_GAP:
        FN(gap_rows)(Y, X, B, L, 0);
        break;
    case RJ_LAYER_FLATTEN:
        memcpy(Y, X, B * nin * sizeof(T));
        break;
    case RJ_LAYER_ACT:
        FN(fast_act)(Y, X, B * nin, L->act, (T) L->param);
        break;
    }
}

/* derivative rows of an activation layer at the point rows Xv into s->Dl,
   read from the stored outputs Yv when the activation allows it (as the
   shorthand block does: the same bits) */
static const T *
FN(layer_deriv)(const T *Xv, const T *Yv, slong B, const rj_fast_layer_struct *L,
                fast_scratch *s)
{
    int from_out = Yv != NULL && fast_deriv_from_output(L->act, L->param);
    FN(fast_deriv)((T *) s->Dl, from_out ? Yv : Xv, B * FN(shape_n)(L->in), L->act,
                   (T) L->param, from_out);
    return (const T *) s->Dl;
}

/* tangent rows Y = J X (transpose = 0; X input-shaped) or cotangent rows
   Y = X J (transpose = 1; X output-shaped) of one layer at the point rows
   Xv (Yv: its stored outputs, or NULL); dp (cotangent only, rows are points)
   receives the layer's parameter gradients */
static void
FN(layer_lin)(T *Y, const T *X, slong R, slong sub, slong B, const T *Xv, const T *Yv,
              const rj_fast_layer_struct *L, const fast_ctx *cx, fast_scratch *s,
              int transpose, T *dp)
{
    slong nin = FN(shape_n)(L->in), nout = FN(shape_n)(L->out);
    switch (L->kind) {
    case RJ_LAYER_DENSE:
        if (!transpose) {
            FN(gemm)(0, 1, R, nout, nin, X, nin, LPAR(cx, L->W), nin, 0, Y, nout);
            break;
        }
        FN(gemm)(0, 0, R, nin, nout, X, nout, LPAR(cx, L->W), nin, 0, Y, nin);
        if (dp != NULL) {
            FN(gemm)(1, 0, nout, nin, R, X, nout, Xv, nin, 0, dp + L->W, nin);
            if (L->b >= 0)
                FN(colsum)(dp + L->b, X, R, nout);
        }
        break;
    case RJ_LAYER_CONV2D:
        if (!transpose)
            FN(conv_rows)(Y, X, R, L, LPAR(cx, L->W), NULL, (T *) s->Col, (T *) s->Cy);
        else
            FN(conv_vjp)(Y, X, R, sub, B, L, LPAR(cx, L->W), Xv,
                         dp != NULL ? dp + L->W : NULL,
                         dp != NULL && L->b >= 0 ? dp + L->b : NULL, (T *) s->Col,
                         (T *) s->Cy);
        break;
    case RJ_LAYER_AFFINE:
    case RJ_LAYER_BATCHNORM:
        FN(channel_fold)((T *) s->Sm, L, cx);
        FN(channel_rows)(Y, X, R, L, (const T *) s->Sm, 0);
        if (dp != NULL)
            FN(channel_grads)(dp, X, Xv, R, sub, B, L, cx, (const T *) s->Sm);
        break;
    case RJ_LAYER_LAYERNORM:
        FN(ln_rows)(Y, X, R, sub, B, Xv, L, cx, transpose, dp, (T *) s->Sm);
        break;
    case RJ_LAYER_AVGPOOL:
        FN(avgpool_rows)(Y, X, R, L, transpose);
        break;
    case RJ_LAYER_MAXPOOL:
        FN(maxpool_rows)(Y, X, R, sub, B, Xv, L, transpose ? 2 : 1);
        break;
    case RJ_LAYER_GAP:
        FN(gap_rows)(Y, X, R, L, transpose);
        break;
    case RJ_LAYER_FLATTEN:
        memcpy(Y, X, R * nin * sizeof(T));
        break;
    case RJ_LAYER_ACT:
        FN(rows_mul)(Y, X, FN(layer_deriv)(Xv, Yv, B, L, s), R, nin, sub, B);
        break;
    }
}

/* ------------------------------------------------------------ sequences */

/* the point rows flowing into layer j of the block (j0: the sequence's first
   layer, whose input is X0) */
static const T *
FN(layer_input)(const fast_ctx *c, slong j, slong j0, const T *X0)
{
    return j == j0 ? X0 : (const T *) FN(gslot)(c, j - 1);
}

/* cotangent rows G (output-shaped) back through layers j1 - 1 .. j0 of the
   block into Out (R rows of the shape flowing into j0), the sequence's input
   being the point rows X0.  Ping-pong in s->X0 / s->X1; Out must be neither. */
static void
FN(seq_vjp)(T *Out, const T *G, slong R, slong sub, const fast_ctx *c, fast_scratch *s,
            slong j0, slong j1, const T *X0, T *dp)
{
    const rj_fast_layer_struct *Ls = c->blk->layers;
    const T *cur = G;
    slong j, B = c->B;
    if (j1 == j0)   /* an empty branch: the identity on n_in = n_out entries */
        memcpy(Out, G, R * c->blk->n_in * sizeof(T));
    for (j = j1 - 1; j >= j0; j--) {
        T *dst = j == j0 ? Out : (cur == (const T *) s->X0 ? (T *) s->X1 : (T *) s->X0);
        FN(layer_lin)(dst, cur, R, sub, B, FN(layer_input)(c, j, j0, X0), FN(gslot)(c, j),
                      Ls + j, c, s, 1, dp);
        cur = dst;
    }
}

/* tangent rows Tin (input-shaped) forward through layers j0 .. j1 - 1 into
   Out; same buffers as seq_vjp */
static void
FN(seq_jvp)(T *Out, const T *Tin, slong R, slong sub, const fast_ctx *c, fast_scratch *s,
            slong j0, slong j1, const T *X0)
{
    const rj_fast_layer_struct *Ls = c->blk->layers;
    const T *cur = Tin;
    slong j, B = c->B;
    if (j1 == j0)
        memcpy(Out, Tin, R * c->blk->n_in * sizeof(T));
    for (j = j0; j < j1; j++) {
        T *dst = j == j1 - 1 ? Out : (cur == (const T *) s->X0 ? (T *) s->X1 : (T *) s->X0);
        FN(layer_lin)(dst, cur, R, sub, B, FN(layer_input)(c, j, j0, X0), FN(gslot)(c, j),
                      Ls + j, c, s, 0, NULL);
        cur = dst;
    }
}

/* ------------------------------------------------------------ general blocks */

/* y = S h + F(u), u = sigma(h) (PRE) or h, then sigma (POST).  The branch's
   last layer, when dense, accumulates onto S h + b as the shorthand does. */
void
FN(fast_gen_forward)(T *Y, fast_scratch *s, const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    const T *H = (const T *) c->H, *u = H, *cur;
    slong B = c->B, nb = b->nbranch, np = b->nproj, j, i, n_out = b->n_out;
    int fused = 0;
    if (b->place == RJ_PLACE_PRE && b->outer != RJ_ACT_IDENTITY) {
        T *U = FN(gslot)(c, nb + np);
        FN(fast_act)(U, H, B * b->n_in, b->outer, (T) b->outer_slope);
        u = U;
    }
    if (b->skip == RJ_SKIP_PROJECT) {
        cur = H;
        for (j = nb; j < nb + np; j++) {
            T *dst = j == nb + np - 1 ? Y : FN(gslot)(c, j);
            FN(layer_forward)(dst, cur, B, b->layers + j, c, s);
            cur = dst;
        }
        if (np == 0)
            memcpy(Y, H, B * n_out * sizeof(T));
    } else {
        FN(skip_forward)(Y, H, B, b, NULL);
    }
    cur = u;
    for (j = 0; j < nb; j++) {
        const rj_fast_layer_struct *L = b->layers + j;
        if (j == nb - 1 && L->kind == RJ_LAYER_DENSE) {
            const T *bias = LPAR(c, L->b);
            slong nin = FN(shape_n)(L->in);
            if (bias != NULL)
                FN(add_bias)(Y, bias, B, n_out);
            FN(gemm)(0, 1, B, n_out, nin, cur, nin, LPAR(c, L->W), nin, 1, Y, n_out);
            fused = 1;
            break;
        }
        FN(layer_forward)(FN(gslot)(c, j), cur, B, L, c, s);
        cur = FN(gslot)(c, j);
    }
    if (!fused)
        for (i = 0; i < B * n_out; i++)
            Y[i] = Y[i] + cur[i];
    if (b->place == RJ_PLACE_POST) {
        memcpy(c->P, Y, B * n_out * sizeof(T));
        FN(fast_act)(Y, Y, B * n_out, b->outer, (T) b->outer_slope);
    }
}

/* the PRE input rows u of a general block */
static const T *
FN(gen_u)(const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    T *U = FN(gslot)(c, b->nbranch + b->nproj);
    return U != NULL ? (const T *) U : (const T *) c->H;
}

/* Out += In * D (the PRE derivative, rows by point) or Out += In */
static void
FN(add_rows_scaled)(T *Out, const T *In, const T *D, slong R, slong n, slong sub, slong B)
{
    slong r, j;
    for (r = 0; r < R; r++) {
        const T *in = In + r * n;
        T *o = Out + r * n;
        if (D != NULL) {
            const T *d = D + ((r / sub) % B) * n;
            for (j = 0; j < n; j++)
                o[j] = o[j] + in[j] * d[j];
        } else {
            for (j = 0; j < n; j++)
                o[j] = o[j] + in[j];
        }
    }
}

/* the skip's cotangent (or tangent) part: Out = V S (R rows) */
static void
FN(gen_skip_lin)(T *Out, const T *V, slong R, slong sub, const fast_ctx *c,
                 fast_scratch *s, int transpose, T *dp)
{
    const rj_fast_block_struct *b = c->blk;
    slong i, n = R * (transpose ? b->n_in : b->n_out);
    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
        memcpy(Out, V, n * sizeof(T));
        break;
    case RJ_SKIP_SCALED: {
        T a = (T) b->alpha;
        for (i = 0; i < n; i++)
            Out[i] = a * V[i];
        break;
    }
    case RJ_SKIP_NONE:
        memset(Out, 0, n * sizeof(T));
        break;
    case RJ_SKIP_PROJECT:
        if (b->nproj == 0)
            memcpy(Out, V, n * sizeof(T));
        else if (transpose)
            FN(seq_vjp)(Out, V, R, sub, c, s, b->nbranch, b->nbranch + b->nproj,
                        (const T *) c->H, dp);
        else
            FN(seq_jvp)(Out, V, R, sub, c, s, b->nbranch, b->nbranch + b->nproj,
                        (const T *) c->H);
        break;
    }
}

/* derivative rows of the outer activation: at P (POST) into s->Dpost, or at
   h (PRE) into s->Dpre */
static const T *
FN(gen_outer_deriv)(fast_scratch *s, const fast_ctx *c, int post)
{
    const rj_fast_block_struct *b = c->blk;
    /* from the outputs where the shorthand reads them (the same bits): h_l
       after POST; u for a tanh or sigmoid PRE activation */
    int from_out = fast_deriv_from_output(b->outer, b->outer_slope);
    if (post) {
        FN(fast_deriv)((T *) s->Dpost, from_out ? (const T *) c->Hout : (const T *) c->P,
                       c->B * b->n_out, b->outer, (T) b->outer_slope, from_out);
        return (const T *) s->Dpost;
    }
    from_out = (b->outer == RJ_ACT_TANH || b->outer == RJ_ACT_SIGMOID)
               && FN(gslot)(c, b->nbranch + b->nproj) != NULL;
    FN(fast_deriv)((T *) s->Dpre, from_out ? FN(gen_u)(c) : (const T *) c->H,
                   c->B * b->n_in, b->outer, (T) b->outer_slope, from_out);
    return (const T *) s->Dpre;
}

/* backward step of a general block (the contract of fast_block_backward) */
static void
FN(gen_backward)(T *Gin, fast_scratch *s, T *dparams, const T *Gout, slong R, slong sub,
                 const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    const T *Gp = Gout, *D = NULL;
    slong B = c->B;
    if (b->place == RJ_PLACE_POST) {
        FN(rows_mul)((T *) s->Gp, Gout, FN(gen_outer_deriv)(s, c, 1), R, b->n_out, sub, B);
        Gp = (const T *) s->Gp;
    }
    FN(seq_vjp)((T *) s->GU, Gp, R, sub, c, s, 0, b->nbranch, FN(gen_u)(c), dparams);
    if (b->place == RJ_PLACE_PRE)
        D = FN(gen_outer_deriv)(s, c, 0);
    if (b->skip == RJ_SKIP_IDENTITY) {
        /* the shorthand's fused kernels (the same bits, contraction included) */
        if (D != NULL)
            FN(rows_mul_add)(Gin, (const T *) s->GU, D, Gp, R, b->n_in, sub, B);
        else
            FN(vec_add)(Gin, (const T *) s->GU, Gp, R * b->n_in);
        return;
    }
    FN(gen_skip_lin)(Gin, Gp, R, sub, c, s, 1, dparams);
    FN(add_rows_scaled)(Gin, (const T *) s->GU, D, R, b->n_in, sub, B);
}

/* tangent step of a general block */
static void
FN(gen_tangent)(T *Tout, fast_scratch *s, const T *Tin, slong R, slong sub, const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    const T *tu = Tin;
    slong B = c->B;
    if (b->place == RJ_PLACE_PRE) {
        FN(rows_mul)((T *) s->Gp, Tin, FN(gen_outer_deriv)(s, c, 0), R, b->n_in, sub, B);
        tu = (const T *) s->Gp;
    }
    FN(gen_skip_lin)(Tout, Tin, R, sub, c, s, 0, NULL);
    FN(seq_jvp)((T *) s->GU, tu, R, sub, c, s, 0, b->nbranch, FN(gen_u)(c));
    FN(add_rows_scaled)(Tout, (const T *) s->GU, NULL, R, b->n_out, sub, B);
    if (b->place == RJ_PLACE_POST)
        FN(rows_mul)(Tout, Tout, FN(gen_outer_deriv)(s, c, 1), R, b->n_out, sub, B);
}

/* graded step of a general block (the contract of fast_block_graded): the
   branch's vector-Jacobian product on all K * R rows of the live lengths at
   once, then the combine shared with the shorthand */
static void
FN(gen_graded)(T *Vnew, slong *kmin, slong *kmax, T *V, T *Q, T *KS, fast_scratch *s,
               slong R, slong sub, const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    slong RK = (*kmax - *kmin + 1) * R, B = c->B;
    const T *Spart = NULL, *D = NULL;
    if (b->place == RJ_PLACE_POST)
        FN(rows_mul)(V, V, FN(gen_outer_deriv)(s, c, 1), RK, b->n_out, sub, B);
    FN(seq_vjp)(Q, V, RK, sub, c, s, 0, b->nbranch, FN(gen_u)(c), NULL);
    if (b->skip == RJ_SKIP_IDENTITY)
        Spart = V;
    else if (b->skip != RJ_SKIP_NONE) {
        FN(gen_skip_lin)(KS, V, RK, sub, c, s, 1, NULL);
        Spart = KS;
    }
    if (b->place == RJ_PLACE_PRE)
        D = FN(gen_outer_deriv)(s, c, 0);
    FN(graded_combine)(Vnew, kmin, kmax, Spart, Q, D, R, b->n_in, sub, B);
}

#undef LPAR

/* ------------------------------------------------------------ for the bound */

/* One layer's forward on B point rows and its cotangent step on R rows,
   exactly as the passes run them (src/fast/bound.c replays a general block
   layer by layer to keep every intermediate). */
void
FN(fast_gen_layer_forward)(T *Y, const T *X, slong B, const rj_fast_layer_struct *L,
                           const fast_ctx *cx, fast_scratch *s)
{
    FN(layer_forward)(Y, X, B, L, cx, s);
}

void
FN(fast_gen_layer_vjp)(T *Y, const T *G, slong R, slong sub, slong B, const T *Xv,
                       const T *Yv, const rj_fast_layer_struct *L, const fast_ctx *cx,
                       fast_scratch *s)
{
    FN(layer_lin)(Y, G, R, sub, B, Xv, Yv, L, cx, s, 1, NULL);
}
