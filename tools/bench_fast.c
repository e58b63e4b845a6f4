/* resjac benchmark of the fast core (not a test).  Prints key=value lines that
 * tools/bench_fast.sh puts beside the same work in PyTorch.
 *
 *   (a) forward + backward (input and weight gradients) of 100 pre-activation
 *       blocks y = x + W2 relu(W1 relu(x)), width 512, batch 256, float32,
 *       against sgemm on the same shapes and on 2048^3, measured in this run;
 *   (b) the path-length-resolved gradient of 54 such blocks, width 256,
 *       batch 64, float64 (forward pass included), compacted by the relu
 *       masks (rj_fast_graded_compact: rows split among resjac's threads)
 *       and not (rj_fast_graded: batched gemms on OpenBLAS's threads), with
 *       the operations the compacted pass performs and the dgemm rate of the
 *       uncompacted pass's mean product measured in this run;
 *   (c) a residual conv stage as in ResNet-20 for CIFAR (3 post-activation
 *       basic blocks conv3x3-BN-relu-conv3x3-BN + identity, 16 channels,
 *       32x32, batch 128, float32, eval-mode BatchNorm): forward + backward
 *       with input and parameter gradients, its convolution GFLOP/s beside
 *       the sgemm rate of the same per-point product shapes measured in this
 *       run (the lowering: im2col, one gemm per group over 16 points), and
 *       its path-length-resolved gradient as a multiple of one backward pass;
 *   (d) peak resident set size.
 *
 * usage: bench_fast [a|b|c|all] [REPS]   (all = a and b) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <cblas.h>

#include "resjac.h"
#include "bench_timing.h"

static void
die(const rj_error_t err)
{
    fprintf(stderr, "bench_fast: %s\n", err->msg);
    exit(2);
}

/* sgemm rate (GFLOP/s) for the three products of one block's passes */
static double
sgemm_block_rate(int reps, slong B, slong n)
{
    float *A = malloc(B * n * sizeof(float)), *W = malloc(n * n * sizeof(float));
    float *C = malloc(B * n * sizeof(float)), *D = malloc(n * n * sizeof(float));
    double *t = malloc(reps * sizeof(double)), r;
    int i, k;
    for (i = 0; i < B * n; i++)
        A[i] = (float) ((i % 7) - 3) / 8;
    for (i = 0; i < n * n; i++)
        W[i] = (float) ((i % 5) - 2) / 16;
    for (k = 0; k < reps; k++) {
        double t0 = bench_now();
        for (i = 0; i < 100; i++) {
            /* forward x W^T, backward g W, weight gradient g^T a: 2 each */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, n, n, 1, A, n, W, n, 0, C, n);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, n, n, 1, A, n, W, n, 0, C, n);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n, n, 1, A, n, W, n, 0, C, n);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, n, n, 1, A, n, W, n, 0, C, n);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, B, 1, A, n, C, n, 0, D, n);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, B, 1, A, n, C, n, 0, D, n);
        }
        t[k] = bench_now() - t0;
    }
    r = 100.0 * 6 * 2.0 * B * n * n / bench_median(t, reps) / 1e9;
    free(A);
    free(W);
    free(C);
    free(D);
    free(t);
    return r;
}

static double
sgemm_square_rate(int reps, slong n)
{
    float *A = malloc(n * n * sizeof(float)), *B = malloc(n * n * sizeof(float));
    float *C = malloc(n * n * sizeof(float));
    double *t = malloc(reps * sizeof(double)), r;
    int i, k;
    for (i = 0; i < n * n; i++) {
        A[i] = (float) ((i % 7) - 3) / 8;
        B[i] = (float) ((i % 5) - 2) / 16;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
    for (k = 0; k < reps; k++) {
        double t0 = bench_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
        t[k] = bench_now() - t0;
    }
    r = 2.0 * n * n * n / bench_median(t, reps) / 1e9;
    free(A);
    free(B);
    free(C);
    free(t);
    return r;
}

/* median seconds of reps forward + backward passes (input and weight
   gradients) of the float32 network f on a fixed batch of B points (after
   one warm-up pass) */
static double
time_fwd_bwd(rj_fast_work_t w, const rj_fast_net_t f, slong B, int reps)
{
    slong n = f->n_in, i;
    float *x = malloc(B * n * sizeof(float)), *dy = malloc(B * f->n_out * sizeof(float));
    float *dx = malloc(B * n * sizeof(float)), *dp = malloc(f->nparams * sizeof(float));
    double *t = malloc(reps * sizeof(double)), med;
    rj_error_t err;
    int k;
    rj_error_init(err);
    for (i = 0; i < B * n; i++)
        x[i] = (float) ((i * 7919) % 17 - 8) / 8;
    for (i = 0; i < B * f->n_out; i++)
        dy[i] = (float) ((i * 104729) % 13 - 6) / 6;
    for (k = -1; k < reps; k++) {
        double t0 = bench_now();
        if (rj_fast_forward(NULL, w, f, x, B, err) != RJ_OK
            || rj_fast_backward(dx, dp, NULL, NULL, w, f, dy, err) != RJ_OK)
            die(err);
        if (k >= 0)
            t[k] = bench_now() - t0;
    }
    med = bench_median(t, reps);
    free(x);
    free(dy);
    free(dx);
    free(dp);
    free(t);
    return med;
}

static void
bench_a(int reps)
{
    slong L = 100, n = 512, B = 256;
    rj_fast_random_t sp;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    double med, flops;
    rj_error_init(err);
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    if (rj_fast_random_parse(sp, "100,512,pre,act=relu,outer=relu", err) != RJ_OK
        || rj_fast_net_random(f, sp, 1, RJ_FAST_F32, err) != RJ_OK
        || rj_fast_work_reserve(w, f, B, 1, 0, err) != RJ_OK)
        die(err);
    med = time_fwd_bwd(w, f, B, reps);
    flops = (double) L * 6 * 2.0 * B * n * n;
    printf("a_seconds=%.4f\n", med);
    printf("a_gflops=%.1f\n", flops / med / 1e9);
    printf("a_sgemm_shapes_gflops=%.1f\n", sgemm_block_rate(reps, B, n));
    printf("a_sgemm_2048_gflops=%.1f\n", sgemm_square_rate(reps, 2048));
    printf("a_workspace_mb=%.1f\n", w->bytes / 1048576.0);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
}

/* dgemm rate (GFLOP/s) for the uncompacted graded pass's mean product:
   (K B) x n times n x n with K = (L + 1) / 2 live lengths */
static double
dgemm_graded_rate(int reps, slong KB, slong n)
{
    double *A = malloc(KB * n * sizeof(double)), *W = malloc(n * n * sizeof(double));
    double *C = malloc(KB * n * sizeof(double));
    double *t = malloc(reps * sizeof(double)), r;
    int i, k;
    for (i = 0; i < KB * n; i++)
        A[i] = (double) ((i % 7) - 3) / 8;
    for (i = 0; i < n * n; i++)
        W[i] = (double) ((i % 5) - 2) / 16;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, KB, n, n, 1, A, n, W, n, 0, C, n);
    for (k = 0; k < reps; k++) {
        double t0 = bench_now();
        for (i = 0; i < 20; i++)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, KB, n, n, 1, A, n, W, n, 0,
                        C, n);
        t[k] = bench_now() - t0;
    }
    r = 20 * 2.0 * KB * n * n / bench_median(t, reps) / 1e9;
    free(A);
    free(W);
    free(C);
    free(t);
    return r;
}

/* Floating-point operations of the forward pass and of the compacted graded
   pass of f at the point of w (from its relu masks): per block l and point,
   2 K (n |A| + |A| |I|) with K = L - l live lengths, A the active hidden
   units, I the active inputs; the forward pass 4 n h per point and block. */
static double
graded_flops(const rj_fast_net_t f, const rj_fast_work_t w, slong B)
{
    slong L = f->len, l, p, i, j, n = f->n_in;
    double fl = 0;
    for (l = 0; l < L; l++) {
        const rj_fast_block_struct *b = f->blocks + l;
        const double *H = rj_fast_work_h(w, l), *W1 = (const double *) f->params + b->W1;
        const double *b1 = b->b1 >= 0 ? (const double *) f->params + b->b1 : NULL;
        slong h = b->n_hidden;
        for (p = 0; p < B; p++) {
            slong na = 0, ni = 0;
            for (i = 0; i < n; i++)
                ni += H[p * n + i] > 0;
            for (j = 0; j < h; j++) {
                double z = b1 != NULL ? b1[j] : 0;
                for (i = 0; i < n; i++)
                    if (H[p * n + i] > 0)
                        z += W1[j * n + i] * H[p * n + i];
                na += z > 0;
            }
            fl += 2.0 * (double) (L - l) * ((double) n * na + (double) na * ni)
                  + 4.0 * (double) n * h;
        }
    }
    return fl;
}

static void
bench_b(int reps)
{
    slong L = 54, n = 256, B = 64, i;
    rj_fast_random_t sp;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    double *x, *dy, *G, norms[55], *t = malloc(reps * sizeof(double)), med;
    double *tp = malloc(reps * sizeof(double));
    int k;
    rj_error_init(err);
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    if (rj_fast_random_parse(sp, "54,256,pre,act=relu,outer=relu", err) != RJ_OK
        || rj_fast_net_random(f, sp, 2, RJ_FAST_F64, err) != RJ_OK
        || rj_fast_work_reserve(w, f, B, 1, RJ_FAST_GRADED, err) != RJ_OK)
        die(err);
    x = malloc(B * n * sizeof(double));
    dy = malloc(B * n * sizeof(double));
    G = malloc((L + 1) * B * n * sizeof(double));
    rj_fast_randn(x, B * n, 3);
    for (i = 0; i < B * n; i++)
        dy[i] = 1;
    rj_fast_forward(NULL, w, f, x, B, err);
    rj_fast_graded(G, norms, w, f, dy, 1, err);
    rj_fast_graded_compact(G, norms, w, f, dy, 1, err);
    /* alternate the compacted and the uncompacted pass (same work, same
       results up to summation order: tests/check_fast.c) */
    for (k = 0; k < reps; k++) {
        double t0 = bench_now();
        if (rj_fast_forward(NULL, w, f, x, B, err) != RJ_OK
            || rj_fast_graded_compact(G, norms, w, f, dy, 1, err) != RJ_OK)
            die(err);
        t[k] = bench_now() - t0;
        t0 = bench_now();
        if (rj_fast_forward(NULL, w, f, x, B, err) != RJ_OK
            || rj_fast_graded(G, norms, w, f, dy, 1, err) != RJ_OK)
            die(err);
        tp[k] = bench_now() - t0;
    }
    med = bench_median(t, reps);
    printf("b_seconds=%.4f\n", med);
    printf("b_uncompacted_seconds=%.4f\n", bench_median(tp, reps));
    printf("b_norm_k17=%.6g\n", norms[17]);
    printf("b_workspace_mb=%.1f\n", w->bytes / 1048576.0);
    printf("b_threads=%d\n", w->nthreads);
    {
        double fl = graded_flops(f, w, B);
        printf("b_gflop=%.3f\n", fl / 1e9);
        printf("b_gflops=%.2f\n", fl / med / 1e9);
        printf("b_dgemm_gflops=%.2f\n", dgemm_graded_rate(reps, (L + 1) / 2 * B, n));
    }
    free(x);
    free(dy);
    free(G);
    free(t);
    free(tp);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
}

/* sgemm rate (GFLOP/s) of the three products of a 3x3 conv C -> C on an
   H x W map over a chunk of q points side by side (N = q HW), as the
   lowering runs them: forward (C x N x 9C), input gradient (9C x N x C, the
   kernel transposed), kernel gradient (C x 9C x N, the columns transposed),
   for `points` points */
static double
sgemm_conv_rate(int reps, slong C, slong HW, slong points, slong q)
{
    slong K = 9 * C;
    float *Wk = malloc(C * K * sizeof(float)), *col;
    float *Y, *dW = malloc(C * K * sizeof(float));
    double *t = malloc(reps * sizeof(double)), r;
    slong i;
    int k;
    HW *= q;
    col = malloc(K * HW * sizeof(float));
    Y = malloc(C * HW * sizeof(float));
    for (i = 0; i < C * K; i++)
        Wk[i] = (float) ((i % 5) - 2) / 16;
    for (i = 0; i < K * HW; i++)
        col[i] = (float) ((i % 7) - 3) / 8;
    for (i = 0; i < C * HW; i++)
        Y[i] = (float) ((i % 3) - 1) / 4;
    for (k = 0; k < reps; k++) {
        double t0 = bench_now();
        for (i = 0; i < points / q; i++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, C, HW, K, 1, Wk, K, col,
                        HW, 0, Y, HW);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, HW, C, 1, Wk, K, Y, HW, 0,
                        col, HW);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, C, K, HW, 1, Y, HW, col, HW,
                        1, dW, K);
        }
        t[k] = bench_now() - t0;
    }
    r = (double) (points / q) * 3 * 2.0 * C * K * HW / bench_median(t, reps) / 1e9;
    free(Wk);
    free(col);
    free(Y);
    free(dW);
    free(t);
    return r;
}

/* one layer appended to s: a 3x3 conv C -> C (padding 1, no bias) with
   weights N(0, 2 / (9 C)) from the seed, or an eval-mode BatchNorm */
static void
stage_conv(rj_seq_t s, slong C, ulong seed)
{
    rj_layer_struct L;
    double *v = malloc(C * 9 * C * sizeof(double));
    slong i, j;
    rj_layer_init(&L, RJ_LAYER_CONV2D);
    fmpq_mat_clear(L.W);
    fmpq_mat_init(L.W, C, 9 * C);
    rj_fast_randn(v, C * 9 * C, seed);
    for (i = 0; i < C; i++)
        for (j = 0; j < 9 * C; j++)
            rj_fmpq_set_d_exact(fmpq_mat_entry(L.W, i, j),
                                (double) (float) (v[i * 9 * C + j] * sqrt(2.0 / (9 * C))));
    L.kh = L.kw = 3;
    L.ph = L.pw = 1;
    rj_seq_push(s, &L);
    rj_layer_clear(&L);
    free(v);
}

static void
stage_bn(rj_seq_t s, slong C)
{
    rj_layer_struct L;
    slong i;
    rj_layer_init(&L, RJ_LAYER_BATCHNORM);
    fmpq_mat_clear(L.scale);
    fmpq_mat_init(L.scale, C, 1);
    fmpq_mat_clear(L.shift);
    fmpq_mat_init(L.shift, C, 1);
    fmpq_mat_clear(L.mean);
    fmpq_mat_init(L.mean, C, 1);
    fmpq_mat_clear(L.var);
    fmpq_mat_init(L.var, C, 1);
    for (i = 0; i < C; i++) {
        fmpq_set_si(fmpq_mat_entry(L.scale, i, 0), 1 + i % 3, 2);
        fmpq_set_si(fmpq_mat_entry(L.shift, i, 0), (i % 5) - 2, 16);
        fmpq_set_si(fmpq_mat_entry(L.mean, i, 0), (i % 7) - 3, 32);
        fmpq_set_si(fmpq_mat_entry(L.var, i, 0), 1 + i % 4, 4);
    }
    rj_seq_push(s, &L);
    rj_layer_clear(&L);
}

static void
bench_c(int reps)
{
    slong C = 16, H = 32, B = 128, l;
    rj_shape in = {16, 32, 32};
    rj_net_t net;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    double med, flops, rate;
    int k;
    rj_error_init(err);
    rj_net_init(net);
    for (l = 0; l < 3; l++) {
        rj_block_t b;
        rj_layer_struct act;
        rj_block_init_general(b, in);
        stage_conv(b->branch, C, 10 + 2 * l);
        stage_bn(b->branch, C);
        rj_layer_init(&act, RJ_LAYER_ACT);
        rj_act_set_kind(act.act, RJ_ACT_RELU);
        rj_seq_push(b->branch, &act);
        rj_layer_clear(&act);
        stage_conv(b->branch, C, 11 + 2 * l);
        stage_bn(b->branch, C);
        b->skip = RJ_SKIP_IDENTITY;
        b->place = RJ_PLACE_POST;
        rj_act_set_kind(b->outer, RJ_ACT_RELU);
        if (rj_block_validate(b, NULL, err) != RJ_OK)
            die(err);
        rj_net_append(net, b, NULL);
        rj_block_clear(b);
    }
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    if (rj_fast_net_set_net(f, net, RJ_FAST_F32, err) != RJ_OK
        || rj_fast_work_reserve(w, f, B, 1, 0, err) != RJ_OK)
        die(err);
    med = time_fwd_bwd(w, f, B, reps);
    /* 6 convolutions, each 2 C 9C HW per point forward and twice that
       backward (input and kernel gradients) */
    flops = 6.0 * 3 * 2.0 * C * 9 * C * H * H * B;
    rate = sgemm_conv_rate(reps, C, H * H, B, 16);
    printf("c_seconds=%.4f\n", med);
    printf("c_conv_gflops=%.2f\n", flops / med / 1e9);
    printf("c_sgemm_shapes_gflops=%.2f\n", rate);
    printf("c_share_of_sgemm=%.3f\n", flops / med / 1e9 / rate);
    printf("c_workspace_mb=%.1f\n", w->bytes / 1048576.0);
    /* the path-length-resolved gradient (4 lengths) against one plain
       backward pass (input gradient only), on a graded workspace */
    {
        slong n = f->n_in, i;
        float *x = malloc(B * n * sizeof(float)), *dy = malloc(B * n * sizeof(float));
        float *G = malloc((f->len + 1) * B * n * sizeof(float)), *dx = malloc(B * n * sizeof(float));
        double *tb = malloc(reps * sizeof(double)), *tg = malloc(reps * sizeof(double));
        for (i = 0; i < B * n; i++) {
            x[i] = (float) ((i * 7919) % 17 - 8) / 8;
            dy[i] = (float) ((i * 104729) % 13 - 6) / 6;
        }
        if (rj_fast_work_reserve(w, f, B, 1, RJ_FAST_GRADED, err) != RJ_OK
            || rj_fast_forward(NULL, w, f, x, B, err) != RJ_OK
            || rj_fast_graded(G, NULL, w, f, dy, 1, err) != RJ_OK)
            die(err);
        for (k = 0; k < reps; k++) {
            double t0 = bench_now();
            if (rj_fast_backward(dx, NULL, NULL, NULL, w, f, dy, err) != RJ_OK)
                die(err);
            tb[k] = bench_now() - t0;
            t0 = bench_now();
            if (rj_fast_graded(G, NULL, w, f, dy, 1, err) != RJ_OK)
                die(err);
            tg[k] = bench_now() - t0;
        }
        printf("c_backward_seconds=%.4f\n", bench_median(tb, reps));
        printf("c_graded_seconds=%.4f\n", bench_median(tg, reps));
        printf("c_graded_over_backward=%.2f\n", bench_median(tg, reps) / bench_median(tb, reps));
        free(x);
        free(dy);
        free(G);
        free(dx);
        free(tb);
        free(tg);
    }
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
    rj_net_clear(net);
}

int
main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    struct rusage ru;
    if (reps < 1)
        reps = 1;
    if (strcmp(which, "a") == 0 || strcmp(which, "all") == 0)
        bench_a(reps);
    if (strcmp(which, "b") == 0 || strcmp(which, "all") == 0)
        bench_b(reps);
    /* not in "all": tools/bench_fast.sh sets the peak memory of a and b
       beside PyTorch's */
    if (strcmp(which, "c") == 0)
        bench_c(reps);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss_mb=%.1f\n", ru.ru_maxrss / 1024.0);
    return 0;
}
