/* resjac fast core: the workspace and the passes over a network (forward,
 * backward, Jacobians by reverse and forward mode, path-length-resolved
 * backward).  The typed work is in kernels_impl.h. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <flint/fmpz.h>

#include "fast_internal.h"

#define ALIGN_ELEMS 16

/* threads of the passes that resjac runs in parallel itself (0: one per
   online processor) */
static int fast_num_threads = 0;

void
rj_fast_set_num_threads(int t)
{
    fast_num_threads = t < 0 ? 0 : (t > RJ_FAST_MAX_THREADS ? RJ_FAST_MAX_THREADS : t);
}

int
rj_fast_get_num_threads(void)
{
    long c;
    if (fast_num_threads > 0)
        return fast_num_threads;
    c = sysconf(_SC_NPROCESSORS_ONLN);
    return c < 1 ? 1 : (c > RJ_FAST_MAX_THREADS ? RJ_FAST_MAX_THREADS : (int) c);
}

/* 1 if every block of net is one that the compacted pass handles */
static int
graded_all_compactable(const rj_fast_net_t net)
{
    slong l;
    for (l = 0; l < net->len; l++)
        if (!fast_graded_compactable(net->blocks + l))
            return 0;
    return net->len > 0;
}

/* elements of the compacted graded pass's scratch: every block's transposed
   weights (2 n n_hidden per block: as many as the network's weight
   matrices; none when a block is not compactable); then per thread a
   hmax x ldv product (aligned: ldv fills whole lines) and 2 hmax + 3 wmax
   indices, rounded to ALIGN_ELEMS so that every thread's product stays
   aligned */
static double
graded_rt_shared(const rj_fast_net_t net)
{
    double e = 0;
    slong l;
    for (l = 0; l < net->len; l++) {
        if (!fast_graded_compactable(net->blocks + l))
            return 0;       /* the batched pass runs instead */
        e += 2 * (double) net->n_in * (double) net->blocks[l].n_hidden;
    }
    return ceil(e / ALIGN_ELEMS) * ALIGN_ELEMS;
}

static double
graded_rt_stride(double hmax, double wmax, double ldv, size_t es)
{
    double e = hmax * ldv + ceil((2 * hmax + 3 * wmax) * (double) sizeof(slong) / (double) es);
    return ceil(e / ALIGN_ELEMS) * ALIGN_ELEMS;
}

/* row stride (in elements) of the transposed per-row layout of the compacted
   graded pass: L + 2 lengths rounded up to a 64-byte line */
static slong
graded_ldv(slong L, size_t es)
{
    slong lanes = 64 / (slong) es;
    return (L + 2 + lanes - 1) / lanes * lanes;
}

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
    free(w->g_base);
    free(w->off_g);
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
    slong l, j, L = net->len, ng, gi = 0;
    int any_general = 0;
    double top = 0, B = (double) batch, maxw, maxh = 1, cap, bytes, maxcol = 1, maxcy = 1;
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
    w->g_base = malloc((L + 1) * sizeof(slong));
    for (l = 0, ng = 1; l < L; l++)
        if (net->blocks[l].general) {
            ng += net->blocks[l].nbranch + net->blocks[l].nproj + 1;
            any_general = 1;
            for (j = 0; j < net->blocks[l].nbranch + net->blocks[l].nproj; j++)
            {
                maxcol = FLINT_MAX(maxcol, (double) fast_layer_col_size(
                                               net->blocks[l].layers + j));
                maxcy = FLINT_MAX(maxcy, (double) fast_layer_cy_size(
                                             net->blocks[l].layers + j));
            }
        }
    w->off_g = malloc(ng * sizeof(slong));
    if (w->off_h == NULL || w->off_a == NULL || w->off_z == NULL || w->off_p == NULL
        || w->g_base == NULL || w->off_g == NULL) {
        rj_fast_work_clear(w);
        return rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
    }
    w->off_h[0] = take(&top, B * net->n_in);
    for (l = 0; l < L; l++) {
        const rj_fast_block_struct *b = net->blocks + l;
        w->off_h[l + 1] = take(&top, B * b->n_out);
        w->off_a[l] = w->off_z[l] = w->off_p[l] = w->g_base[l] = -1;
        if (b->general) {
            /* every layer's output (the branch's last dense layer and the
               projection's last layer write into h_{l+1}: not stored), the
               PRE input, the POST pre-activation */
            slong nl = b->nbranch + b->nproj;
            w->g_base[l] = gi;
            for (j = 0; j < nl; j++) {
                const rj_fast_layer_struct *Ly = b->layers + j;
                int unused = (j == b->nbranch - 1 && Ly->kind == RJ_LAYER_DENSE)
                             || (j == nl - 1 && j >= b->nbranch);
                w->off_g[gi + j] = unused ? -1
                                          : take(&top, B * (double) rj_shape_size(Ly->out));
            }
            w->off_g[gi + nl] = b->place == RJ_PLACE_PRE && b->outer != RJ_ACT_IDENTITY
                                    ? take(&top, B * b->n_in) : -1;
            gi += nl + 1;
            if (b->place == RJ_PLACE_POST)
                w->off_p[l] = take(&top, B * b->n_out);
            continue;
        }
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
    w->s_v = w->s_w = w->s_q = w->s_k = w->s_tt = w->s_vt = w->s_rt = -1;
    w->s_x0 = w->s_x1 = w->s_col = w->s_dl = w->s_sm = w->s_cy = -1;
    if (any_general) {
        /* the layer-by-layer passes run on the graded pass's K * R rows too */
        double xcap = (flags & RJ_FAST_GRADED) ? (double) (L + 1) * cap : cap;
        w->s_x0 = take(&top, xcap * maxw);
        w->s_x1 = take(&top, xcap * maxw);
        w->s_col = take(&top, maxcol * FAST_CONV_CHUNK);
        w->s_cy = take(&top, maxcy * FAST_CONV_CHUNK);
        w->s_dl = take(&top, B * maxw);
        w->s_sm = take(&top, 4 * maxw);
    }
    w->nthreads = rj_fast_get_num_threads();
    if (flags & RJ_FAST_GRADED) {
        double kr = (double) (L + 1) * cap, ldv = (double) graded_ldv(L, es);
        w->s_v = take(&top, kr * maxw);
        w->s_w = take(&top, kr * maxw);
        w->s_q = take(&top, kr * maxw);
        w->s_k = take(&top, kr * maxw);
        w->s_tt = take(&top, kr * maxh);
        /* compacted pass (only for nets it handles, and only when it fits
           under the limit; else rj_fast_graded_compact runs the batched
           pass): every row's n x ldv block, the transposed weights, and per
           thread a max n_hidden x ldv product and 2 max n_hidden + 3 n
           indices */
        if (graded_all_compactable(net)) {
            double vt = cap * maxw * ldv;
            double rt = graded_rt_shared(net) + w->nthreads * graded_rt_stride(maxh, maxw, ldv, es);
            if ((top + vt + rt + 2 * ALIGN_ELEMS) * (double) es <= (double) RJ_MAX_BYTES) {
                w->s_vt = take(&top, vt);
                w->s_rt = take(&top, rt);
            }
        }
    }
    bytes = top * (double) es;
    if (bytes > (double) RJ_MAX_BYTES) {
        rj_fast_work_clear(w);
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "workspace of %.3g bytes exceeds the limit %zu (RJ_MAX_BYTES; batch %ld, "
                            "%ld rows per point, depth %ld, width %.0f)", bytes,
                            (size_t) RJ_MAX_BYTES, (long) batch, (long) rows,
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
    c->wbase = (char *) w->mem;
    c->goff = b->general ? w->off_g + w->g_base[l] : NULL;
    c->pbase = (const char *) net->params;
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
    s->X0 = fast_work_ptr(w, w->s_x0);
    s->X1 = fast_work_ptr(w, w->s_x1);
    s->Col = fast_work_ptr(w, w->s_col);
    s->Dl = fast_work_ptr(w, w->s_dl);
    s->Sm = fast_work_ptr(w, w->s_sm);
    s->Cy = fast_work_ptr(w, w->s_cy);
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
    fast_scratch s;
    int st = check_work(w, net, err);
    if (st != RJ_OK)
        return st;
    if (batch < 1 || batch > w->batch)
        return rj_error_set(err, RJ_ERR_INPUT, "batch %ld outside the reserved [1, %ld]",
                            (long) batch, (long) w->batch);
    w->batch_now = batch;
    memcpy(fast_work_ptr(w, w->off_h[0]), X, (size_t) batch * net->n_in * es);
    fast_scratch_set(&s, w);
    for (l = 0; l < net->len; l++) {
        fast_ctx c;
        void *U = fast_work_ptr(w, w->s_u);
        void *Y = fast_work_ptr(w, w->off_h[l + 1]);   /* c.Hout, writable */
        fast_ctx_set(&c, net, w, l);
        if (net->blocks[l].general) {
            if (net->dtype == RJ_FAST_F32)
                fast_gen_forward_s((float *) Y, &s, &c);
            else
                fast_gen_forward_d((double *) Y, &s, &c);
        } else if (net->dtype == RJ_FAST_F32)
            fast_block_forward_s((float *) Y, (float *) U, &c);
        else
            fast_block_forward_d((double *) Y, (double *) U, &c);
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
                                       + (size_t) b->first * rj_fast_dtype_size(net->dtype),
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

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int go;                 /* set once the rows are assigned */
    pthread_barrier_t bar;
} graded_gate;

typedef struct {
    const rj_fast_net_struct *net;
    const rj_fast_work_struct *w;
    graded_gate *gate;
    void *VT, *TT, *WT;
    slong *idx;
    int t, nt;
    pthread_barrier_t *bar;
    slong ldv, r0, r1, sub;
} graded_rows_job;

static void *
graded_rows_thread(void *arg)
{
    const graded_rows_job *j = arg;
    if (j->gate != NULL && j->t > 0) {
        /* wait until the number of threads that started is known */
        pthread_mutex_lock(&j->gate->mu);
        while (!j->gate->go)
            pthread_cond_wait(&j->gate->cv, &j->gate->mu);
        pthread_mutex_unlock(&j->gate->mu);
    }
    if (j->net->dtype == RJ_FAST_F32)
        fast_graded_rows_s((float *) j->VT, j->ldv, j->r0, j->r1, j->sub, (float *) j->TT,
                           (float *) j->WT, j->idx, j->t, j->nt, j->bar, j->net, j->w);
    else
        fast_graded_rows_d((double *) j->VT, j->ldv, j->r0, j->r1, j->sub, (double *) j->TT,
                           (double *) j->WT, j->idx, j->t, j->nt, j->bar, j->net, j->w);
    return NULL;
}

/* The compacted pass (every block compactable): rows are independent through
   all blocks, so the threads split them; they meet once, after every
   block's weights are transposed (fast_graded_rows). */
static int
graded_rows_run(void *Vout, rj_fast_work_t w, const rj_fast_net_t net, const void *dY,
                slong R, slong m)
{
    slong L = net->len, n = net->n_in, r, i, k, per;
    size_t es = rj_fast_dtype_size(net->dtype);
    slong ldv = graded_ldv(L, es);
    slong wmax = (slong) FLINT_MAX(1, FLINT_MAX(net->max_width, net->n_in));
    slong hmax = 1, stride, shared;
    char *VT = fast_work_ptr(w, w->s_vt), *RT = fast_work_ptr(w, w->s_rt);
    graded_rows_job jobs[RJ_FAST_MAX_THREADS];
    pthread_t tid[RJ_FAST_MAX_THREADS];
    graded_gate gate;
    int t, nt, want;
    for (i = 0; i < L; i++)
        hmax = FLINT_MAX(hmax, net->blocks[i].n_hidden);
    memset(VT, 0, (size_t) R * n * ldv * es);
    for (r = 0; r < R; r++)
        for (i = 0; i < n; i++) {
            char *dst = VT + ((size_t) (r * n + i) * ldv) * es;
            memcpy(dst, (const char *) dY + (size_t) (r * n + i) * es, es);
        }
    shared = (slong) graded_rt_shared(net);
    stride = (slong) graded_rt_stride((double) hmax, (double) wmax, (double) ldv, es);
    want = (int) FLINT_MIN(w->nthreads, R);
    for (t = 0; t < want; t++) {
        char *base = RT + (size_t) (shared + t * stride) * es;
        jobs[t].net = net;
        jobs[t].w = w;
        jobs[t].gate = want > 1 ? &gate : NULL;
        jobs[t].VT = VT;
        jobs[t].WT = RT;
        jobs[t].TT = base;
        jobs[t].idx = (slong *) (base + (size_t) (hmax * ldv) * es);
        jobs[t].ldv = ldv;
        jobs[t].sub = m;
        jobs[t].t = t;
    }
    if (want > 1) {
        pthread_mutex_init(&gate.mu, NULL);
        pthread_cond_init(&gate.cv, NULL);
        gate.go = 0;
    }
    /* start what can be started; the rows are then split among them */
    for (nt = 1; nt < want; nt++)
        if (pthread_create(tid + nt, NULL, graded_rows_thread, jobs + nt) != 0)
            break;
    per = (R + nt - 1) / nt;
    for (t = 0; t < nt; t++) {
        jobs[t].nt = nt;
        jobs[t].bar = nt > 1 ? &gate.bar : NULL;
        jobs[t].r0 = FLINT_MIN(R, t * per);
        jobs[t].r1 = FLINT_MIN(R, (t + 1) * per);
    }
    if (want > 1) {
        if (nt > 1)
            pthread_barrier_init(&gate.bar, NULL, (unsigned) nt);
        pthread_mutex_lock(&gate.mu);
        gate.go = 1;
        pthread_cond_broadcast(&gate.cv);
        pthread_mutex_unlock(&gate.mu);
    }
    graded_rows_thread(jobs);
    for (t = 1; t < nt; t++)
        pthread_join(tid[t], NULL);
    if (want > 1) {
        if (nt > 1)
            pthread_barrier_destroy(&gate.bar);
        pthread_cond_destroy(&gate.cv);
        pthread_mutex_destroy(&gate.mu);
    }
    /* back to the layout of rj_fast_graded: (L + 1) x R x n */
    for (k = 0; k <= L; k++)
        for (r = 0; r < R; r++) {
            char *dst = (char *) Vout + (size_t) (k * R + r) * n * es;
            const char *src = VT + ((size_t) r * n * ldv + k) * es;
            if (es == sizeof(float))
                for (i = 0; i < n; i++)
                    ((float *) dst)[i] = ((const float *) src)[i * ldv];
            else
                for (i = 0; i < n; i++)
                    ((double *) dst)[i] = ((const double *) src)[i * ldv];
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
    if (compact && w->s_vt >= 0 && graded_all_compactable(net)) {
        st = graded_rows_run(G, w, net, dY, R, m);
        if (st != RJ_OK)
            return st;
        if (norms != NULL)
            for (k = 0; k <= L; k++)
                norms[k] = sqrt(sumsq((const char *) G + (size_t) k * R * net->n_in * es,
                                      R * net->n_in, net->dtype));
        return RJ_OK;
    }
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
        if (net->dtype == RJ_FAST_F32)
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
