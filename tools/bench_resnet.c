/* resjac benchmark of real residual networks (not a test).  Prints key=value
 * lines that tools/bench_resnet.sh sets beside the same work in PyTorch
 * (tools/bench_resnet.py).
 *
 *   fast REPS [DIR]   ResNet-20 for CIFAR in the fast core: stem conv3x3-BN-relu,
 *                     3 stages x 3 post-activation basic blocks (conv3x3-BN-relu-
 *                     conv3x3-BN + skip, relu), 16/32/64 channels, stride-2
 *                     projection shortcuts (conv1x1 stride 2 + BN), global
 *                     average pool, dense 64 -> 10; 32x32 input, batch 128,
 *                     float32, eval-mode BatchNorm.  Times forward + backward
 *                     (input and every parameter gradient), the same-shape
 *                     sgemm rate of the products the convolutions lower to,
 *                     and the peak resident size of this process.  With DIR,
 *                     writes the weights (in construction order), the input,
 *                     the cotangent and resjac's output and input gradient
 *                     as raw float32 for bench_resnet.py, which builds the
 *                     same network from them.
 *   graded REPS       the path-length-resolved gradient of the same network
 *                     (rj_fast_graded) as a multiple of one backward pass.
 *   exact REPS        the exact Jacobian of a small conv net (2 pre-activation
 *                     blocks BN-relu-conv3x3-BN-relu-conv3x3 + identity, 4
 *                     channels, 8x8, dyadic float32 weights): CPU seconds and
 *                     the bits of its largest denominator and numerator.
 *   precise           the precise enclosure of J v for a CIFAR-size pre-
 *                     activation block (16 x 32 x 32, BN-relu-conv3x3-BN-relu-
 *                     conv3x3 + identity) at 64 and 128 bits: seconds and the
 *                     bits of accuracy (-log2 of the largest radius relative
 *                     to the largest midpoint). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <cblas.h>

#include "resjac.h"
#include "bench_timing.h"

/* chunk of points the fast core's convolution lowers side by side (the
   FAST_CONV_CHUNK of src/fast, an internal constant: keep in step) */
#define BENCH_CONV_CHUNK 16

static void
die(const rj_error_t err)
{
    fprintf(stderr, "bench_resnet: %s\n", err->msg);
    exit(2);
}

static void
peak_rss(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss_mb=%.1f\n", ru.ru_maxrss / 1024.0);
}

/* ------------------------------------------------------------ building nets */

/* The parameter generator: every parameter drawn in float64 from its own
   seed, rounded to float32 (so the exact model holds the float32 values the
   fast network and PyTorch use) and, when dump is open, written there in
   construction order. */
typedef struct {
    ulong seed;
    FILE *dump;
    /* the convolutions' shapes, for the same-shape gemm rate */
    slong nconv;
    slong conv_cout[32], conv_k[32], conv_p[32];
} gen_t;

/* n float32-rounded values N(0, 1) * scale + shift, into q (n x 1 or the
   given shape r x c, row-major) */
static void
gen_fill(gen_t *g, fmpq_mat_t q, slong r, slong c, double scale, double shift, int absval)
{
    double *v = malloc(r * c * sizeof(double));
    slong i;
    rj_fast_randn(v, r * c, g->seed++);
    fmpq_mat_clear(q);
    fmpq_mat_init(q, r, c);
    for (i = 0; i < r * c; i++) {
        float f = (float) ((absval ? fabs(v[i]) : v[i]) * scale + shift);
        rj_fmpq_set_d_exact(q->entries + i, (double) f);
        if (g->dump != NULL && fwrite(&f, sizeof f, 1, g->dump) != 1) {
            fprintf(stderr, "bench_resnet: cannot write the weights\n");
            exit(2);
        }
    }
    free(v);
}

/* conv k x k, cin -> cout, stride, padding k / 2, no bias; He's N(0, 2/fan_in) */
static void
add_conv(rj_seq_t s, gen_t *g, slong cin, slong cout, slong k, slong stride, slong Ho)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_CONV2D);
    gen_fill(g, L.W, cout, cin * k * k, sqrt(2.0 / (cin * k * k)), 0, 0);
    L.kh = L.kw = k;
    L.ph = L.pw = k / 2;
    L.sh = L.sw = stride;
    rj_seq_push(s, &L);
    rj_layer_clear(&L);
    if (g->nconv < 32) {
        g->conv_cout[g->nconv] = cout;
        g->conv_k[g->nconv] = cin * k * k;
        g->conv_p[g->nconv] = Ho * Ho;
        g->nconv++;
    }
}

/* eval-mode BatchNorm: gamma ~ 1 + N/10, beta, mean ~ N/10, var ~ 1 + |N|/10 */
static void
add_bn(rj_seq_t s, gen_t *g, slong C)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_BATCHNORM);
    gen_fill(g, L.scale, C, 1, 0.1, 1, 0);
    gen_fill(g, L.shift, C, 1, 0.1, 0, 0);
    gen_fill(g, L.mean, C, 1, 0.1, 0, 0);
    gen_fill(g, L.var, C, 1, 0.1, 1, 1);
    rj_seq_push(s, &L);
    rj_layer_clear(&L);
}

static void
add_plain(rj_seq_t s, rj_layer_kind kind)
{
    rj_layer_struct L;
    rj_layer_init(&L, kind);
    if (kind == RJ_LAYER_ACT)
        rj_act_set_kind(L.act, RJ_ACT_RELU);
    rj_seq_push(s, &L);
    rj_layer_clear(&L);
}

static void
push_block(rj_net_t net, rj_block_t b)
{
    rj_error_t err;
    rj_error_init(err);
    if (rj_block_validate(b, NULL, err) != RJ_OK)
        die(err);
    rj_net_append(net, b, NULL);
    rj_block_clear(b);
}

/* ResNet-20 for CIFAR (see the top of the file); per stage `nblocks` basic
   blocks, input 3 x H x H */
static void
make_resnet(rj_net_t net, gen_t *g, slong nblocks, slong H)
{
    rj_shape in = {3, 0, 0};
    rj_block_t b;
    slong s, j, C = 16;
    in.h = in.w = H;
    /* stem: conv3x3 3 -> 16, BN, relu, no skip */
    rj_block_init_general(b, in);
    add_conv(b->branch, g, 3, 16, 3, 1, H);
    add_bn(b->branch, g, 16);
    add_plain(b->branch, RJ_LAYER_ACT);
    b->skip = RJ_SKIP_NONE;
    push_block(net, b);
    in.c = 16;
    for (s = 0; s < 3; s++, C *= 2)
        for (j = 0; j < nblocks; j++) {
            slong stride = s > 0 && j == 0 ? 2 : 1, cin = in.c, Ho = in.h / stride;
            rj_block_init_general(b, in);
            add_conv(b->branch, g, cin, C, 3, stride, Ho);
            add_bn(b->branch, g, C);
            add_plain(b->branch, RJ_LAYER_ACT);
            add_conv(b->branch, g, C, C, 3, 1, Ho);
            add_bn(b->branch, g, C);
            if (stride == 2) {
                b->skip = RJ_SKIP_PROJECT;
                add_conv(b->proj, g, cin, C, 1, 2, Ho);
                add_bn(b->proj, g, C);
            }
            b->place = RJ_PLACE_POST;
            push_block(net, b);
            in.c = C;
            in.h = in.w = Ho;
        }
    /* head: global average pool, dense 64 -> 10 with bias, no skip */
    rj_block_init_general(b, in);
    add_plain(b->branch, RJ_LAYER_GAP);
    {
        rj_layer_struct L;
        rj_layer_init(&L, RJ_LAYER_DENSE);
        gen_fill(g, L.W, 10, in.c, 1.0 / sqrt((double) in.c), 0, 0);
        gen_fill(g, L.b, 10, 1, 0.01, 0, 0);
        rj_seq_push(b->branch, &L);
        rj_layer_clear(&L);
    }
    b->skip = RJ_SKIP_NONE;
    push_block(net, b);
}

static void
write_f32(const char *dir, const char *name, const float *f, slong n)
{
    char path[4096];
    FILE *o;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    o = fopen(path, "wb");
    if (o == NULL || fwrite(f, sizeof(float), n, o) != (size_t) n || fclose(o) != 0) {
        fprintf(stderr, "bench_resnet: cannot write %s\n", path);
        exit(2);
    }
}

/* a batch of n float32 N(0, 1) values from a seed, written to DIR/name */
static float *
batch_randn(slong n, ulong seed, const char *dir, const char *name)
{
    double *v = malloc(n * sizeof(double));
    float *f = malloc(n * sizeof(float));
    slong i;
    rj_fast_randn(v, n, seed);
    for (i = 0; i < n; i++)
        f[i] = (float) v[i];
    free(v);
    if (dir != NULL)
        write_f32(dir, name, f, n);
    return f;
}


/* ------------------------------------------------------------ ResNet-20, fast */

/* Seconds of one run of the gemms the convolutions of g lower to, for B
   points in chunks of BENCH_CONV_CHUNK: per conv and chunk, forward
   (cout x N x K), input gradient (K x N x cout) and kernel gradient
   (cout x K x N) with N = chunk P.  *flops receives their floating-point
   operations. */
static double
sgemm_conv_seconds(const gen_t *g, slong B, double *flops)
{
    slong i, c, q = BENCH_CONV_CHUNK, maxa = 0, maxb = 0, maxc = 0;
    float *Wk, *col, *Y, *dW;
    double t0;
    *flops = 0;
    for (c = 0; c < g->nconv; c++) {
        slong K = g->conv_k[c], N = q * g->conv_p[c], co = g->conv_cout[c];
        maxa = FLINT_MAX(maxa, co * K);
        maxb = FLINT_MAX(maxb, K * N);
        maxc = FLINT_MAX(maxc, co * N);
        *flops += (double) (B / q) * 3 * 2.0 * co * K * N;
    }
    Wk = malloc(maxa * sizeof(float));
    dW = malloc(maxa * sizeof(float));
    col = malloc(maxb * sizeof(float));
    Y = malloc(maxc * sizeof(float));
    for (i = 0; i < maxa; i++)
        Wk[i] = (float) ((i % 5) - 2) / 16;
    for (i = 0; i < maxb; i++)
        col[i] = (float) ((i % 7) - 3) / 8;
    for (i = 0; i < maxc; i++)
        Y[i] = (float) ((i % 3) - 1) / 4;
    t0 = bench_now();
    for (c = 0; c < g->nconv; c++) {
        slong K = g->conv_k[c], N = q * g->conv_p[c], co = g->conv_cout[c];
        for (i = 0; i < B / q; i++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, co, N, K, 1, Wk, K, col, N,
                        0, Y, N);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, co, 1, Wk, K, Y, N, 0,
                        col, N);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, co, K, N, 1, Y, N, col, N, 1,
                        dW, K);
        }
    }
    t0 = bench_now() - t0;
    free(Wk);
    free(dW);
    free(col);
    free(Y);
    return t0;
}

/* The float32 ResNet-20 (weights from seed 1000, written to DIR/weights.f32
   when dir is not NULL) in f, with w reserved for batches of B points and the
   given rj_fast_work_reserve flags; g records the convolutions' shapes. */
static void
resnet_fast(rj_fast_net_t f, rj_fast_work_t w, gen_t *g, slong B, int flags,
            const char *dir)
{
    rj_net_t net;
    rj_error_t err;
    g->seed = 1000;
    if (dir != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/weights.f32", dir);
        g->dump = fopen(path, "wb");
        if (g->dump == NULL) {
            fprintf(stderr, "bench_resnet: cannot write %s\n", path);
            exit(2);
        }
    }
    rj_error_init(err);
    rj_net_init(net);
    make_resnet(net, g, 3, 32);
    if (g->dump != NULL && fclose(g->dump) != 0) {
        fprintf(stderr, "bench_resnet: cannot write the weights\n");
        exit(2);
    }
    g->dump = NULL;
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    if (rj_fast_net_set_net(f, net, RJ_FAST_F32, err) != RJ_OK
        || rj_fast_work_reserve(w, f, B, 1, flags, err) != RJ_OK)
        die(err);
    rj_net_clear(net);
}

static void
bench_fast(int reps, const char *dir)
{
    slong B = 128;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    gen_t g;
    float *x, *dy, *y, *dx, *dp;
    double *t = malloc(reps * sizeof(double)), *tc = malloc(reps * sizeof(double));
    double *tg = malloc(reps * sizeof(double)), *sh = malloc(reps * sizeof(double));
    double med, gflop = 0, gsec;
    int k;
    memset(&g, 0, sizeof g);
    resnet_fast(f, w, &g, B, 0, dir);
    rj_error_init(err);
    x = batch_randn(B * f->n_in, 1, dir, "x.f32");
    dy = batch_randn(B * f->n_out, 2, dir, "dy.f32");
    y = malloc(B * f->n_out * sizeof(float));
    dx = malloc(B * f->n_in * sizeof(float));
    dp = malloc(f->nparams * sizeof(float));
    /* each pass followed by the gemms its convolutions lower to, at the
       same shapes: the share of the sgemm rate is taken pass by pass, so
       that a drift of the shared machine's load cancels */
    for (k = -1; k < reps; k++) {
        double t0 = bench_now(), c0 = bench_cpu_now();
        if (rj_fast_forward(y, w, f, x, B, err) != RJ_OK
            || rj_fast_backward(dx, dp, NULL, NULL, w, f, dy, err) != RJ_OK)
            die(err);
        t0 = bench_now() - t0;
        c0 = bench_cpu_now() - c0;
        gsec = sgemm_conv_seconds(&g, B, &gflop);
        if (k >= 0) {
            t[k] = t0;
            tc[k] = c0;
            tg[k] = gsec;
            sh[k] = gsec / t0;
        }
    }
    med = bench_median(t, reps);
    /* CPU seconds of all threads: with OPENBLAS_NUM_THREADS=1 the figure a
       loaded machine disturbs least */
    printf("fast_cpu_seconds=%.4f\n", bench_median(tc, reps));
    if (dir != NULL) {
        write_f32(dir, "y.f32", y, B * f->n_out);
        write_f32(dir, "dx.f32", dx, B * f->n_in);
    }
    gsec = bench_median(tg, reps);
    printf("fast_seconds=%.4f\n", med);
    printf("fast_params=%ld\n", (long) f->nparams);
    printf("fast_conv_gflop=%.3f\n", gflop / 1e9);
    printf("fast_conv_gflops=%.2f\n", gflop / med / 1e9);
    printf("fast_sgemm_seconds=%.4f\n", gsec);
    printf("fast_sgemm_shapes_gflops=%.2f\n", gflop / gsec / 1e9);
    printf("fast_share_of_sgemm=%.3f\n", bench_median(sh, reps));
    printf("fast_workspace_mb=%.1f\n", w->bytes / 1048576.0);
    peak_rss();
    free(x);
    free(dy);
    free(y);
    free(dx);
    free(dp);
    free(t);
    free(tc);
    free(tg);
    free(sh);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
}

static void
bench_graded(int reps)
{
    slong B = 128, i;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    gen_t g;
    float *x, *dy, *dx, *G;
    double *tb = malloc(reps * sizeof(double)), *tg = malloc(reps * sizeof(double));
    double *norms;
    int k;
    memset(&g, 0, sizeof g);
    resnet_fast(f, w, &g, B, RJ_FAST_GRADED, NULL);
    rj_error_init(err);
    x = batch_randn(B * f->n_in, 1, NULL, NULL);
    dy = batch_randn(B * f->n_out, 2, NULL, NULL);
    dx = malloc(B * f->n_in * sizeof(float));
    G = malloc((f->len + 1) * B * f->n_in * sizeof(float));
    norms = malloc((f->len + 1) * sizeof(double));
    if (rj_fast_forward(NULL, w, f, x, B, err) != RJ_OK)
        die(err);
    /* alternate one plain backward pass (input gradient) and the graded pass */
    for (k = -1; k < reps; k++) {
        double t0 = bench_now();
        if (rj_fast_backward(dx, NULL, NULL, NULL, w, f, dy, err) != RJ_OK)
            die(err);
        if (k >= 0)
            tb[k] = bench_now() - t0;
        t0 = bench_now();
        if (rj_fast_graded(G, norms, w, f, dy, 1, err) != RJ_OK)
            die(err);
        if (k >= 0)
            tg[k] = bench_now() - t0;
    }
    printf("graded_blocks=%ld\n", (long) f->len);
    {
        /* the recursion's own count: a block is applied once per path length
           live at it (V_k <- V_k S + V_{k-1} R from the top block down; a
           block without skip keeps only the lengths that took its branch),
           a backward pass applies each block once */
        slong l, kmin = 0, kmax = 0, apps = 0;
        for (l = f->len - 1; l >= 0; l--) {
            apps += kmax - kmin + 1;
            if (f->blocks[l].skip == RJ_SKIP_NONE)
                kmin++;
            kmax++;
        }
        printf("graded_block_applications=%ld\n", (long) apps);
    }
    printf("graded_backward_seconds=%.4f\n", bench_median(tb, reps));
    printf("graded_seconds=%.4f\n", bench_median(tg, reps));
    printf("graded_over_backward=%.2f\n", bench_median(tg, reps) / bench_median(tb, reps));
    {
        /* sum_k G_k is the input gradient: its largest difference to dx,
           relative to the largest |dx| (a consistency figure, not a test) */
        double md = 0, mx = 0;
        slong n = B * f->n_in, kk;
        for (i = 0; i < n; i++) {
            double s = 0;
            for (kk = 0; kk <= f->len; kk++)
                s += G[kk * n + i];
            md = fmax(md, fabs(s - dx[i]));
            mx = fmax(mx, fabs(dx[i]));
        }
        printf("graded_sum_vs_grad_rel=%.2e\n", md / mx);
    }
    peak_rss();
    free(x);
    free(dy);
    free(dx);
    free(G);
    free(norms);
    free(tb);
    free(tg);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
}

/* ------------------------------------------------------------ exact, precise */

/* pre-activation conv block on C x H x H: BN, relu, conv3x3, BN, relu,
   conv3x3 + identity */
static void
make_pre_block(rj_net_t net, gen_t *g, slong C, slong H)
{
    rj_shape in = {0, 0, 0};
    rj_block_t b;
    in.c = C;
    in.h = in.w = H;
    rj_block_init_general(b, in);
    add_bn(b->branch, g, C);
    add_plain(b->branch, RJ_LAYER_ACT);
    add_conv(b->branch, g, C, C, 3, 1, H);
    add_bn(b->branch, g, C);
    add_plain(b->branch, RJ_LAYER_ACT);
    add_conv(b->branch, g, C, C, 3, 1, H);
    push_block(net, b);
}

/* the rational BatchNorm of the exact layer: var + eps a square (var =
   (k/8)^2 - eps), gamma, beta, mean dyadic */
static void
make_rational_bn(rj_net_t net)
{
    slong l, j, c;
    for (l = 0; l < net->len; l++) {
        rj_seq_struct *s = net->blocks[l].branch;
        for (j = 0; j < s->len; j++) {
            rj_layer_struct *L = s->layers + j;
            if (L->kind != RJ_LAYER_BATCHNORM)
                continue;
            for (c = 0; c < L->var->r; c++) {
                fmpq_t q;
                fmpq_init(q);
                fmpq_set_si(q, (7 + (c + j + l) % 4) * (7 + (c + j + l) % 4), 64);
                fmpq_sub(fmpq_mat_entry(L->var, c, 0), q, L->eps);
                fmpq_clear(q);
            }
        }
    }
}

static void
point_fmpq(fmpq_mat_t x, slong n, ulong seed)
{
    double *v = malloc(n * sizeof(double));
    slong i;
    rj_fast_randn(v, n, seed);
    fmpq_mat_clear(x);
    fmpq_mat_init(x, n, 1);
    for (i = 0; i < n; i++)
        rj_fmpq_set_d_exact(fmpq_mat_entry(x, i, 0), (double) (float) v[i]);
    free(v);
}

static void
bench_exact(int reps)
{
    rj_net_t net;
    fmpq_mat_t x, J;
    rj_ties_t ties;
    rj_error_t err;
    rj_tie_policy pol = {RJ_TIE_LEFT, 0};
    gen_t g;
    double best = 1e300;
    slong i, nb = 0, db = 0;
    int r;
    memset(&g, 0, sizeof g);
    g.seed = 2000;
    rj_error_init(err);
    rj_net_init(net);
    make_pre_block(net, &g, 4, 8);
    make_pre_block(net, &g, 4, 8);
    make_rational_bn(net);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(J, 0, 0);
    point_fmpq(x, 4 * 8 * 8, 3);
    for (r = 0; r < reps; r++) {
        double t0 = bench_cpu_now();
        rj_ties_init(ties);
        if (rj_exact_jacobian(J, ties, net, x, pol, err) != RJ_OK)
            die(err);
        best = fmin(best, bench_cpu_now() - t0);
        if (r == reps - 1)
            printf("exact_ties=%ld\n", (long) ties->len);
        rj_ties_clear(ties);
    }
    for (i = 0; i < J->r * J->c; i++) {
        nb = FLINT_MAX(nb, fmpz_bits(fmpq_numref(J->entries + i)));
        db = FLINT_MAX(db, fmpz_bits(fmpq_denref(J->entries + i)));
    }
    printf("exact_jacobian=%ldx%ld\n", (long) J->r, (long) J->c);
    printf("exact_cpu_seconds=%.4f\n", best);
    printf("exact_max_num_bits=%ld\n", (long) nb);
    printf("exact_max_den_bits=%ld\n", (long) db);
    fmpq_mat_clear(x);
    fmpq_mat_clear(J);
    rj_net_clear(net);
}

static void
bench_precise(void)
{
    rj_net_t net;
    fmpq_mat_t xq, vq;
    rj_error_t err;
    gen_t g;
    slong n = 16 * 32 * 32, precs[2] = {64, 128}, pi;
    memset(&g, 0, sizeof g);
    g.seed = 3000;
    rj_error_init(err);
    rj_net_init(net);
    make_pre_block(net, &g, 16, 32);
    fmpq_mat_init(xq, 0, 0);
    fmpq_mat_init(vq, 0, 0);
    point_fmpq(xq, n, 4);
    point_fmpq(vq, n, 5);
    for (pi = 0; pi < 2; pi++) {
        slong prec = precs[pi];
        rj_imat_t x, v, y, JV;
        rj_ties_t ties;
        mpfr_t rad, mid, m, r1;
        double t0, sec, rel;
        slong i;
        rj_imat_init(x, n, 1, prec);
        rj_imat_init(v, n, 1, prec);
        rj_imat_init(y, 0, 0, prec);
        rj_imat_init(JV, 0, 0, prec);
        rj_imat_set_fmpq_mat(x, xq, prec);
        rj_imat_set_fmpq_mat(v, vq, prec);
        rj_ties_init(ties);
        t0 = bench_cpu_now();
        if (rj_precise_jvp(y, JV, ties, net, x, v, prec, err) != RJ_OK)
            die(err);
        sec = bench_cpu_now() - t0;
        mpfr_inits2(prec, rad, mid, m, r1, (mpfr_ptr) 0);
        mpfr_set_zero(m, 1);
        for (i = 0; i < n; i++) {
            rj_itv_t e;
            rj_itv_init(e, prec);
            rj_imat_get_itv(e, JV, i, 0);
            rj_itv_get_mid_rad(mid, r1, e);
            mpfr_abs(mid, mid, MPFR_RNDN);
            mpfr_max(m, m, mid, MPFR_RNDN);
            rj_itv_clear(e);
        }
        rj_imat_rad_max(rad, JV);
        rel = mpfr_zero_p(rad) ? (double) prec
                               : mpfr_get_d(m, MPFR_RNDN) > 0
                                     ? -log2(mpfr_get_d(rad, MPFR_RNDU) / mpfr_get_d(m, MPFR_RNDN))
                                     : 0;
        printf("precise_prec%ld_cpu_seconds=%.3f\n", (long) prec, sec);
        printf("precise_prec%ld_bits=%.1f\n", (long) prec, rel);
        printf("precise_prec%ld_ties=%ld\n", (long) prec, (long) ties->len);
        mpfr_clears(rad, mid, m, r1, (mpfr_ptr) 0);
        rj_ties_clear(ties);
        rj_imat_clear(x);
        rj_imat_clear(v);
        rj_imat_clear(y);
        rj_imat_clear(JV);
    }
    printf("precise_block=16x32x32\n");
    fmpq_mat_clear(xq);
    fmpq_mat_clear(vq);
    rj_net_clear(net);
}

int
main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "fast";
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    if (reps < 1)
        reps = 1;
    if (strcmp(which, "fast") == 0)
        bench_fast(reps, argc > 3 ? argv[3] : NULL);
    else if (strcmp(which, "graded") == 0)
        bench_graded(reps);
    else if (strcmp(which, "exact") == 0)
        bench_exact(reps);
    else if (strcmp(which, "precise") == 0)
        bench_precise();
    else {
        fprintf(stderr, "usage: bench_resnet fast|graded|exact|precise [REPS] [DIR]\n");
        return 2;
    }
    flint_cleanup();
    return 0;
}
