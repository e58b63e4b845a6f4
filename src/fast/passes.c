/* resjac fast core: the workspace and the passes over a network (forward,
 * backward, Jacobians by reverse and forward mode, path-length-resolved
 * backward).  The typed work is in kernels_impl.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <flint/fmpz.h>

#include "fast_internal.h"

#define ALIGN_ELEMS 16

/* live lengths from which rj_fast_graded_compact compacts a block (tuned on
   the benchmark's shapes; any value gives the same components) */
#define FAST_COMPACT_MIN_LENGTHS 8

void
rj_fast_work_init(rj_fast_work_t w)
{
    memset(w, 0, sizeof(rj_fast_work_struct));
}

void
rj_fast_work_clear(rj_fast_work_t w)
{
    free(w->mem);
    free(w->off_h);
    free(w->off_a);
    free(w->off_z);
    free(w->off_p);
    rj_fast_work_init(w);
}

void *
fast_work_ptr(const rj_fast_work_t w, slong off)
{
    if (off < 0)
        return NULL;
    return (char *) w->mem + (size_t) off * rj_fast_dtype_size(w->dtype);
}

/* reserve n elements at *top, aligned */
static slong
take(double *top, double n)
{
    slong off = (slong) *top;
    double m = ceil(n / ALIGN_ELEMS) * ALIGN_ELEMS;
    *top += m > 0 ? m : ALIGN_ELEMS;
    return off;
}

int
rj_fast_work_reserve(rj_fast_work_t w, const rj_fast_net_t net, slong batch, slong rows,
                     int flags, rj_error_t err)
{
    slong l, L = net->len;
    double top = 0, B = (double) batch, maxw, maxh = 1, cap, bytes;
    size_t es = rj_fast_dtype_size(net->dtype);

    rj_fast_work_clear(w);
    if (batch < 1 || rows < 1)
        return rj_error_set(err, RJ_ERR_INPUT, "batch (%ld) and rows (%ld) must be >= 1",
                            (long) batch, (long) rows);
    if (L > 0 && (net->blocks == NULL || net->params == NULL))
        return rj_error_set(err, RJ_ERR_INPUT, "the float network is empty");
    maxw = (double) FLINT_MAX(1, FLINT_MAX(net->max_width, net->n_in));
    for (l = 0; l < L; l++)
        maxh = FLINT_MAX(maxh, (double) net->blocks[l].n_hidden);
    w->off_h = malloc((L + 1) * sizeof(slong));
    w->off_a = malloc((L + 1) * sizeof(slong));
    w->off_z = malloc((L + 1) * sizeof(slong));
    w->off_p = malloc((L + 1) * sizeof(slong));
    if (w->off_h == NULL || w->off_a == NULL || w->off_z == NULL || w->off_p == NULL) {
        rj_fast_work_clear(w);
        return rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
    }
    w->off_h[0] = take(&top, B * net->n_in);
    for (l = 0; l < L; l++) {
        const rj_fast_block_struct *b = net->blocks + l;
        w->off_h[l + 1] = take(&top, B * b->n_out);
        w->off_a[l] = w->off_z[l] = w->off_p[l] = -1;
        if (b->two_layer) {
            w->off_a[l] = take(&top, B * b->n_hidden);
            if ((flags & RJ_FAST_KEEP_PRE) || !fast_deriv_from_output(b->act, b->act_slope))
                w->off_z[l] = take(&top, B * b->n_hidden);
        }
        if (b->place == RJ_PLACE_POST
            && ((flags & RJ_FAST_KEEP_PRE)
                || !fast_deriv_from_output(b->outer, b->outer_slope)))
            w->off_p[l] = take(&top, B * b->n_out);
    }
    w->s_u = take(&top, B * maxw);
    w->s_d0 = take(&top, B * maxw);
    w->s_d1 = take(&top, B * maxh);
    w->s_d2 = take(&top, B * maxw);
    cap = B * (double) rows;
    w->s_g0 = take(&top, cap * maxw);
    w->s_g1 = take(&top, cap * maxw);
    w->s_gp = take(&top, cap * maxw);
    w->s_t0 = take(&top, cap * maxh);
    w->s_t = take(&top, cap * maxh);
    w->s_gu = take(&top, cap * maxw);
    w->s_v = w->s_w = w->s_q = w->s_k = w->s_tt = w->s_cw = w->s_ci = -1;
    if (flags & RJ_FAST_GRADED) {
        double kr = (double) (L + 1) * cap;
        w->s_v = take(&top, kr * maxw);
        w->s_w = take(&top, kr * maxw);
        w->s_q = take(&top, kr * maxw);
        w->s_k = take(&top, kr * maxw);
        w->s_tt = take(&top, kr * maxh);
        w->s_cw = take(&top, 3 * maxh * maxw);
        w->s_ci = take(&top, ceil((maxh + maxw) * (double) sizeof(slong) / (double) es));
    }
    bytes = top * (double) es;
    if (bytes > (double) RJ_FAST_MAX_BYTES) {
        rj_fast_work_clear(w);
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "workspace of %.3g bytes exceeds the limit %zu (batch %ld, "
                            "%ld rows per point, depth %ld, width %.0f)", bytes,
                            (size_t) RJ_FAST_MAX_BYTES, (long) batch, (long) rows,
                            (long) L, maxw);
    }
    if (posix_memalign(&w->mem, 64, (size_t) bytes) != 0) {
        w->mem = NULL;
        rj_fast_work_clear(w);
        return rj_error_set(err, RJ_ERR_MEMORY, "cannot allocate a workspace of %.3g bytes",
                            bytes);
    }
    w->bytes = (size_t) bytes;
    w->dtype = net->dtype;
    w->len = L;
    w->batch = batch;
    w->batch_now = 0;
    w->rows = rows;
    w->flags = flags;
    w->cap_rows = batch * rows;
    return RJ_OK;
}

const void *
rj_fast_work_h(const rj_fast_work_t w, slong l)
{
    if (w->mem == NULL || l < 0 || l > w->len)
        return NULL;
    return fast_work_ptr(w, w->off_h[l]);
}

void
fast_ctx_set(fast_ctx *c, const rj_fast_net_t net, const rj_fast_work_t w, slong l)
{
    const rj_fast_block_struct *b = net->blocks + l;
    c->blk = b;
    c->W1 = fast_param_ptr(net, b->W1);
    c->b1 = fast_param_ptr(net, b->b1);
    c->W2 = fast_param_ptr(net, b->W2);
    c->b2 = fast_param_ptr(net, b->b2);
    c->Ws = fast_param_ptr(net, b->Ws);
    c->H = fast_work_ptr(w, w->off_h[l]);
    c->Hout = fast_work_ptr(w, w->off_h[l + 1]);
    c->A = fast_work_ptr(w, w->off_a[l]);
    c->Z = fast_work_ptr(w, w->off_z[l]);
    c->P = fast_work_ptr(w, w->off_p[l]);
    c->B = w->batch_now;
}

void
fast_scratch_set(fast_scratch *s, const rj_fast_work_t w)
{
    s->U = fast_work_ptr(w, w->s_u);
    s->Dpre = fast_work_ptr(w, w->s_d0);
    s->Dact = fast_work_ptr(w, w->s_d1);
    s->Dpost = fast_work_ptr(w, w->s_d2);
    s->Gp = fast_work_ptr(w, w->s_gp);
    s->T0 = fast_work_ptr(w, w->s_t0);
    s->Tm = fast_work_ptr(w, w->s_t);
    s->GU = fast_work_ptr(w, w->s_gu);
}

static int
check_work(const rj_fast_work_t w, const rj_fast_net_t net, rj_error_t err)
{
    if (w->mem == NULL || w->len != net->len || w->dtype != net->dtype)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the workspace was not reserved for this network "
                            "(rj_fast_work_reserve)");
    return RJ_OK;
}

int
fast_check_forward_done(const rj_fast_work_t w, const rj_fast_net_t net, rj_error_t err)
{
    int st = check_work(w, net, err);
    if (st != RJ_OK)
        return st;
    if (w->batch_now < 1)
        return rj_error_set(err, RJ_ERR_INPUT, "no forward pass on this workspace yet");
    return RJ_OK;
}

int
rj_fast_forward(void *y, rj_fast_work_t w, const rj_fast_net_t net, const void *X,
                slong batch, rj_error_t err)
{
    slong l;
    size_t es = rj_fast_dtype_size(net->dtype);
    int st = check_work(w, net, err);
    if (st != RJ_OK)
        return st;
    if (batch < 1 || batch > w->batch)
        return rj_error_set(err, RJ_ERR_INPUT, "batch %ld outside the reserved [1, %ld]",
                            (long) batch, (long) w->batch);
    w->batch_now = batch;
    memcpy(fast_work_ptr(w, w->off_h[0]), X, (size_t) batch * net->n_in * es);
    for (l = 0; l < net->len; l++) {
        fast_ctx c;
        void *U = fast_work_ptr(w, w->s_u);
        fast_ctx_set(&c, net, w, l);
        if (net->dtype == RJ_FAST_F32)
            fast_block_forward_s((float *) c.Hout, (float *) U, &c);
        else
            fast_block_forward_d((double *) c.Hout, (double *) U, &c);
    }
    if (y != NULL)
        memcpy(y, fast_work_ptr(w, w->off_h[net->len]), (size_t) batch * net->n_out * es);
    return RJ_OK;
}

static double
sumsq(const void *x, slong n, rj_fast_dtype t)
{
    return t == RJ_FAST_F32 ? fast_sumsq_s((const float *) x, n)
                            : fast_sumsq_d((const double *) x, n);
}

/* R rows of cotangents from Gcur back through every block; the result is left
   in *out (one of w's two cotangent buffers). */
static void
backward_rows(void **out, double *hnorms, void *dparams, double *wnorms, rj_fast_work_t w,
              const rj_fast_net_t net, void *Gcur, slong R, slong sub)
{
    slong l;
    void *Gother = Gcur == fast_work_ptr(w, w->s_g0) ? fast_work_ptr(w, w->s_g1)
                                                     : fast_work_ptr(w, w->s_g0);
    fast_scratch s;
    fast_scratch_set(&s, w);
    if (hnorms != NULL)
        hnorms[net->len] = sqrt(sumsq(Gcur, R * net->n_out, net->dtype));
    for (l = net->len - 1; l >= 0; l--) {
        fast_ctx c;
        fast_trace tr;
        void *tmp;
        const rj_fast_block_struct *b = net->blocks + l;
        fast_ctx_set(&c, net, w, l);
        if (net->dtype == RJ_FAST_F32)
            fast_block_backward_s((float *) Gother, &tr, &s, (float *) dparams,
                                  (const float *) Gcur, R, sub, &c);
        else
            fast_block_backward_d((double *) Gother, &tr, &s, (double *) dparams,
                                  (const double *) Gcur, R, sub, &c);
        tmp = Gcur;
        Gcur = Gother;
        Gother = tmp;
        if (hnorms != NULL)
            hnorms[l] = sqrt(sumsq(Gcur, R * b->n_in, net->dtype));
        if (wnorms != NULL && dparams != NULL)
            wnorms[l] = sqrt(sumsq((char *) dparams
                                       + (size_t) b->W1 * rj_fast_dtype_size(net->dtype),
                                   b->nparams, net->dtype));
    }
    *out = Gcur;
}

int
rj_fast_backward(void *dX, void *dparams, double *hnorms, double *wnorms, rj_fast_work_t w,
                 const rj_fast_net_t net, const void *dY, rj_error_t err)
{
    slong B;
    size_t es = rj_fast_dtype_size(net->dtype);
    void *G0, *res;
    int st = fast_check_forward_done(w, net, err);
    if (st != RJ_OK)
        return st;
    B = w->batch_now;
    G0 = fast_work_ptr(w, w->s_g0);
    memcpy(G0, dY, (size_t) B * net->n_out * es);
    backward_rows(&res, hnorms, dparams, wnorms, w, net, G0, B, 1);
    if (dX != NULL)
        memcpy(dX, res, (size_t) B * net->n_in * es);
    return RJ_OK;
}

static void
set_identity_rows(void *G, slong B, slong n, rj_fast_dtype t)
{
    slong b, i;
    size_t es = rj_fast_dtype_size(t);
    memset(G, 0, (size_t) B * n * n * es);
    for (b = 0; b < B; b++)
        for (i = 0; i < n; i++) {
            slong idx = (b * n + i) * n + i;
            if (t == RJ_FAST_F32)
                ((float *) G)[idx] = 1;
            else
                ((double *) G)[idx] = 1;
        }
}

int
rj_fast_jacobian(void *J, rj_fast_work_t w, const rj_fast_net_t net, rj_error_t err)
{
    slong B, R;
    void *G0, *res;
    int st = fast_check_forward_done(w, net, err);
    if (st != RJ_OK)
        return st;
    B = w->batch_now;
    R = B * net->n_out;
    if (net->n_out > w->rows)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the Jacobian needs %ld rows per point, the workspace has %ld",
                            (long) net->n_out, (long) w->rows);
    G0 = fast_work_ptr(w, w->s_g0);
    set_identity_rows(G0, B, net->n_out, net->dtype);
    backward_rows(&res, NULL, NULL, NULL, w, net, G0, R, net->n_out);
    memcpy(J, res, (size_t) R * net->n_in * rj_fast_dtype_size(net->dtype));
    return RJ_OK;
}

int
rj_fast_jacobian_fwd(void *J, rj_fast_work_t w, const rj_fast_net_t net, rj_error_t err)
{
    slong B, R, l, b, i, j, n_in = net->n_in, n_out = net->n_out;
    void *Tcur, *Tother;
    fast_scratch s;
    int st = fast_check_forward_done(w, net, err);
    if (st != RJ_OK)
        return st;
    B = w->batch_now;
    R = B * n_in;
    if (n_in > w->rows)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "forward mode needs %ld rows per point, the workspace has %ld",
                            (long) n_in, (long) w->rows);
    fast_scratch_set(&s, w);
    Tcur = fast_work_ptr(w, w->s_g0);
    Tother = fast_work_ptr(w, w->s_g1);
    set_identity_rows(Tcur, B, n_in, net->dtype);
    for (l = 0; l < net->len; l++) {
        fast_ctx c;
        void *tmp;
        fast_ctx_set(&c, net, w, l);
        if (net->dtype == RJ_FAST_F32)
            fast_block_tangent_s((float *) Tother, &s, (const float *) Tcur, R, n_in, &c);
        else
            fast_block_tangent_d((double *) Tother, &s, (const double *) Tcur, R, n_in, &c);
        tmp = Tcur;
        Tcur = Tother;
        Tother = tmp;
    }
    for (b = 0; b < B; b++)
        for (i = 0; i < n_out; i++)
            for (j = 0; j < n_in; j++) {
                slong src = (b * n_in + j) * n_out + i, dst = (b * n_out + i) * n_in + j;
                if (net->dtype == RJ_FAST_F32)
                    ((float *) J)[dst] = ((const float *) Tcur)[src];
                else
                    ((double *) J)[dst] = ((const double *) Tcur)[src];
            }
    return RJ_OK;
}

static int
graded_run(void *G, double *norms, rj_fast_work_t w, const rj_fast_net_t net,
           const void *dY, slong m, int compact, rj_error_t err)
{
    slong B, R, l, k, kmin = 0, kmax = 0, L = net->len;
    size_t es = rj_fast_dtype_size(net->dtype);
    void *V, *Vn, *Q, *KS, *TT;
    fast_scratch s;
    int st = fast_check_forward_done(w, net, err);
    if (st != RJ_OK)
        return st;
    if (!(w->flags & RJ_FAST_GRADED))
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the workspace was reserved without RJ_FAST_GRADED");
    if (m < 1 || m > w->rows)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "%ld cotangent rows per point, the workspace has %ld",
                            (long) m, (long) w->rows);
    B = w->batch_now;
    R = B * m;
    fast_scratch_set(&s, w);
    V = fast_work_ptr(w, w->s_v);
    Vn = fast_work_ptr(w, w->s_w);
    Q = fast_work_ptr(w, w->s_q);
    KS = fast_work_ptr(w, w->s_k);
    TT = fast_work_ptr(w, w->s_tt);
    memcpy(V, dY, (size_t) R * net->n_out * es);
    for (l = L - 1; l >= 0; l--) {
        fast_ctx c;
        void *tmp;
        fast_ctx_set(&c, net, w, l);
        /* with few live lengths the gathers cost more than the gemm flops
           they save; the batched step is used there */
        if (compact && fast_graded_compactable(c.blk)
            && kmax - kmin + 1 >= FAST_COMPACT_MIN_LENGTHS) {
            slong h = c.blk->n_hidden, mw = FLINT_MAX(c.blk->n_in, c.blk->n_out);
            char *cw = fast_work_ptr(w, w->s_cw);
            slong *idx = fast_work_ptr(w, w->s_ci);
            if (net->dtype == RJ_FAST_F32) {
                float *W = (float *) cw;
                fast_block_graded_compact_s((float *) Vn, &kmin, &kmax, (const float *) V,
                                            W, W + h * mw, W + 2 * h * mw, (float *) TT,
                                            (float *) Q, idx, R, m, &c);
            } else {
                double *W = (double *) cw;
                fast_block_graded_compact_d((double *) Vn, &kmin, &kmax,
                                            (const double *) V, W, W + h * mw,
                                            W + 2 * h * mw, (double *) TT, (double *) Q,
                                            idx, R, m, &c);
            }
        } else if (net->dtype == RJ_FAST_F32)
            fast_block_graded_s((float *) Vn, &kmin, &kmax, (float *) V, (float *) Q,
                                (float *) KS, (float *) TT, &s, R, m, &c);
        else
            fast_block_graded_d((double *) Vn, &kmin, &kmax, (double *) V, (double *) Q,
                                (double *) KS, (double *) TT, &s, R, m, &c);
        tmp = V;
        V = Vn;
        Vn = tmp;
    }
    for (k = 0; k <= L; k++) {
        char *dst = (char *) G + (size_t) k * R * net->n_in * es;
        if (k < kmin || k > kmax) {
            memset(dst, 0, (size_t) R * net->n_in * es);
            if (norms != NULL)
                norms[k] = 0;
        } else {
            const char *src = (const char *) V + (size_t) (k - kmin) * R * net->n_in * es;
            memcpy(dst, src, (size_t) R * net->n_in * es);
            if (norms != NULL)
                norms[k] = sqrt(sumsq(src, R * net->n_in, net->dtype));
        }
    }
    return RJ_OK;
}

int
rj_fast_graded(void *G, double *norms, rj_fast_work_t w, const rj_fast_net_t net,
               const void *dY, slong m, rj_error_t err)
{
    return graded_run(G, norms, w, net, dY, m, 0, err);
}

int
rj_fast_graded_compact(void *G, double *norms, rj_fast_work_t w, const rj_fast_net_t net,
                       const void *dY, slong m, rj_error_t err)
{
    return graded_run(G, norms, w, net, dY, m, 1, err);
}

double
rj_fast_log_binomial(slong L, slong k)
{
    if (k < 0 || k > L)
        return -INFINITY;
    if (L <= 1000) {
        fmpz_t c;
        slong e;
        double d, r;
        fmpz_init(c);
        fmpz_bin_uiui(c, (ulong) L, (ulong) k);
        d = fmpz_get_d_2exp(&e, c);
        r = log(d) + (double) e * M_LN2;
        fmpz_clear(c);
        return r;
    }
    return lgamma((double) L + 1) - lgamma((double) k + 1) - lgamma((double) (L - k) + 1);
}

void
rj_fast_graded_summary(double *mean_path, double *log10_count, const double *norms, slong L)
{
    slong k;
    for (k = 0; k <= L; k++) {
        double lc = rj_fast_log_binomial(L, k);
        if (log10_count != NULL)
            log10_count[k] = lc / M_LN10;
        if (mean_path != NULL)
            mean_path[k] = norms[k] > 0 ? exp(log(norms[k]) - lc) : 0;
    }
}
