/* Tests of the fast core (src/fast): float32 vs float64 within their bounds,
 * graded components (against the exact expansion, compacted vs uncompacted,
 * every kernel ISA, summing to the gradient), reverse vs forward mode vs one
 * backward per row, weight gradients (against exact difference quotients and
 * central differences), conversions, random networks, limits; general
 * blocks (layer sequences): conv2d against nested loops, the piecewise-linear
 * and affine layers against an exact fmpq evaluation, every layer against
 * finite differences and forward mode, the
 * shorthand block bit for bit, max-pool ties, the error bound of every
 * bounded layer against the exact values.  The float
 * layer held against the exact and precise layers block by block, and the
 * bracketing check at ties, are tests of src/xval (tests/check_xval.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static ulong seed;

/* float32 and float64 both within their bounds of one exact J, so within the
   sum of the bounds of each other. */
START_TEST(test_f32_vs_f64)
{
    flint_rand_t st;
    slong it, i;
    rj_test_randinit(st, seed + 13);
    for (it = 0; it < rj_test_iters(40); it++) {
        rj_net_t net;
        fmpq_mat_t x;
        rj_fast_net_t f32, f64;
        rj_fast_bound_t b32, b64;
        rj_error_t err;
        rj_net_init(net);
        rj_test_randnet_pl(net, st, 1 + n_randint(st, 6), 100, 30, 1, 0);
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, rj_net_width_in(net), 100, 30);
        rj_error_init(err);
        rj_fast_net_init(f32);
        rj_fast_net_init(f64);
        rj_fast_bound_init(b32);
        rj_fast_bound_init(b64);
        ck_assert_int_eq(rj_fast_net_set_net(f32, net, RJ_FAST_F32, err), RJ_OK);
        ck_assert_int_eq(rj_fast_net_set_net(f64, net, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(f32->exact_conv, 0);
        ck_assert_int_eq(rj_fast_jacobian_bound(b32, f32, x, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian_bound(b64, f64, x, err), RJ_OK);
        if (b32->certified && b64->certified)
            for (i = 0; i < b32->n_out * b32->n_in; i++) {
                double d = fabs(b32->J[i] - b64->J[i]);
                RJ_CHECK(d <= (b32->E[i] + b64->E[i]) * (1 + 0x1p-50), seed,
                         "iteration %ld entry %ld: f32 %.9g vs f64 %.17g beyond %g + %g",
                         (long) it, (long) i, b32->J[i], b64->J[i], b32->E[i], b64->E[i]);
                /* the f32 bound is about 2^29 times the f64 one, and the f32
                   error is real: not below the f64 bound by accident */
                RJ_CHECK(b32->E[i] >= b64->E[i], seed, "f32 bound below f64 bound");
            }
        rj_fast_bound_clear(b32);
        rj_fast_bound_clear(b64);
        rj_fast_net_clear(f32);
        rj_fast_net_clear(f64);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* ------------------------------------------------------------ graded */

/* Graded float (Jacobian rows, m = n_out) vs rj_expand_graded: within
   2 gamma_N A_k where A_k is the graded expansion of |S_l|, |R_l| (a
   first-order bound for products of N-term sums), and components summing to
   the Jacobian.  compact = 1: networks of compactable blocks only, through
   rj_fast_graded_compact (its own per-row pass), which must also give the
   same bits with one thread as with three. */
static void
graded_vs_exact(int compact)
{
    flint_rand_t st;
    slong it, k, i;
    rj_test_randinit(st, seed + 17 + compact);
    for (it = 0; it < rj_test_iters(30); it++) {
        rj_net_t net;
        fmpq_mat_t x;
        rj_fast_net_t f;
        rj_fast_work_t w;
        rj_fast_bound_t b;
        rj_exact_parts_t parts, aparts;
        rj_error_t err;
        rj_tie_policy pol = {RJ_TIE_LEFT, 0};
        slong L = 1 + n_randint(st, 6), n_in, n_out, N = 8, l;
        fmpq_mat_struct *G, *A;
        double *xd, *Gf, *I, *norms, gN;
        fmpq_t d, e;
        rj_net_init(net);
        if (compact)
            L = 1 + n_randint(st, 12);
        rj_test_randnet_pl(net, st, L, 40, 64, 1, compact);
        n_in = rj_net_width_in(net);
        n_out = rj_net_width_out(net);
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, n_in, 40, 64);
        rj_error_init(err);
        rj_fast_net_init(f);
        rj_fast_work_init(w);
        rj_fast_bound_init(b);
        rj_exact_parts_init(parts);
        rj_exact_parts_init(aparts);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
        /* skip the (rare) cases with a kink within rounding of its argument */
        ck_assert_int_eq(rj_fast_jacobian_bound(b, f, x, err), RJ_OK);
        if (!b->certified)
            goto next;
        ck_assert_int_eq(rj_exact_parts(parts, NULL, net, x, pol, err), RJ_OK);
        ck_assert_int_eq(rj_exact_parts(aparts, NULL, net, x, pol, err), RJ_OK);
        for (l = 0; l < L; l++) {
            slong r, c;
            for (r = 0; r < fmpq_mat_nrows(aparts->S + l); r++)
                for (c = 0; c < fmpq_mat_ncols(aparts->S + l); c++) {
                    fmpq_abs(fmpq_mat_entry(aparts->S + l, r, c),
                             fmpq_mat_entry(aparts->S + l, r, c));
                    fmpq_abs(fmpq_mat_entry(aparts->R + l, r, c),
                             fmpq_mat_entry(aparts->R + l, r, c));
                }
            N += f->blocks[l].n_in + f->blocks[l].n_hidden + f->blocks[l].n_out + 8;
        }
        G = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
        A = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
        for (k = 0; k <= L; k++) {
            fmpq_mat_init(G + k, n_out, n_in);
            fmpq_mat_init(A + k, n_out, n_in);
        }
        ck_assert_int_eq(rj_expand_graded(G, parts, err), RJ_OK);
        ck_assert_int_eq(rj_expand_graded(A, aparts, err), RJ_OK);
        xd = malloc(n_in * sizeof(double));
        for (i = 0; i < n_in; i++)
            xd[i] = fmpq_get_d(fmpq_mat_entry(x, i, 0));   /* dyadic: exact */
        Gf = malloc((L + 1) * n_out * n_in * sizeof(double));
        I = calloc(n_out * n_out, sizeof(double));
        norms = malloc((L + 1) * sizeof(double));
        for (i = 0; i < n_out; i++)
            I[i * n_out + i] = 1;
        ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, n_out, RJ_FAST_GRADED, err), RJ_OK);
        ck_assert_int_eq(rj_fast_forward(NULL, w, f, xd, 1, err), RJ_OK);
        if (compact) {
            double *G1 = malloc((L + 1) * n_out * n_in * sizeof(double));
            rj_fast_set_num_threads(1);
            ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, n_out, RJ_FAST_GRADED, err), RJ_OK);
            ck_assert_int_eq(rj_fast_forward(NULL, w, f, xd, 1, err), RJ_OK);
            ck_assert_int_eq(rj_fast_graded_compact(G1, norms, w, f, I, n_out, err), RJ_OK);
            rj_fast_set_num_threads(3);
            ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, n_out, RJ_FAST_GRADED, err), RJ_OK);
            ck_assert_int_eq(rj_fast_forward(NULL, w, f, xd, 1, err), RJ_OK);
            ck_assert_int_eq(w->nthreads, 3);
            ck_assert_int_eq(rj_fast_graded_compact(Gf, norms, w, f, I, n_out, err), RJ_OK);
            rj_fast_set_num_threads(0);
            RJ_CHECK(memcmp(G1, Gf, (L + 1) * n_out * n_in * sizeof(double)) == 0, seed,
                     "iteration %ld: compacted components differ between 1 and 3 threads",
                     (long) it);
            free(G1);
        } else
            ck_assert_int_eq(rj_fast_graded(Gf, norms, w, f, I, n_out, err), RJ_OK);
        gN = 2 * N * 0x1p-53 / (1 - N * 0x1p-53);
        fmpq_init(d);
        fmpq_init(e);
        for (k = 0; k <= L; k++)
            for (i = 0; i < n_out * n_in; i++) {
                slong r = i / n_in, c = i % n_in;
                double a = fmpq_get_d(fmpq_mat_entry(A + k, r, c));
                double tol = 2 * gN * a * (1 + 1e-10) + 1e-300;
                rj_fmpq_set_d_exact(d, Gf[k * n_out * n_in + i]);
                fmpq_sub(d, d, fmpq_mat_entry(G + k, r, c));
                fmpq_abs(d, d);
                rj_fmpq_set_d_exact(e, tol);
                if (fmpq_cmp(d, e) > 0) {
                    rj_test_print_net(net);
                    rj_test_print_mat("x", x);
                    rj_test_print_mat("G_k exact", G + k);
                }
                RJ_CHECK(fmpq_cmp(d, e) <= 0, seed,
                         "iteration %ld: graded G_%ld[%ld][%ld] = %.17g, exact %.17g, "
                         "tolerance %g", (long) it, (long) k, (long) r, (long) c,
                         Gf[k * n_out * n_in + i],
                         fmpq_get_d(fmpq_mat_entry(G + k, r, c)), tol);
            }
        /* components sum to the Jacobian (within both bounds) */
        for (i = 0; i < n_out * n_in; i++) {
            double s = 0, sa = 0;
            for (k = 0; k <= L; k++) {
                s += Gf[k * n_out * n_in + i];
                sa += fabs(Gf[k * n_out * n_in + i]);
            }
            RJ_CHECK(fabs(s - b->J[i]) <= b->E[i] + (2 * gN + (L + 1) * 0x1p-52) * sa * 2
                                             + 1e-300,
                     seed, "iteration %ld: sum of graded components %.17g vs J %.17g",
                     (long) it, s, b->J[i]);
        }
        fmpq_clear(d);
        fmpq_clear(e);
        for (k = 0; k <= L; k++) {
            fmpq_mat_clear(G + k);
            fmpq_mat_clear(A + k);
        }
        flint_free(G);
        flint_free(A);
        free(xd);
        free(Gf);
        free(I);
        free(norms);
    next:
        rj_exact_parts_clear(parts);
        rj_exact_parts_clear(aparts);
        rj_fast_bound_clear(b);
        rj_fast_work_clear(w);
        rj_fast_net_clear(f);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    flint_randclear(st);
}

START_TEST(test_graded_vs_exact)
{
    graded_vs_exact(0);
}
END_TEST

/* the compacted pass on networks where it runs on its own */
START_TEST(test_graded_compact_vs_exact)
{
    graded_vs_exact(1);
}
END_TEST

/* rj_fast_graded_compact against rj_fast_graded on the same workspace: the
   same sums minus exact-zero terms, so within rounding of the summation order
   (gamma of the inner dimension times the sum of absolute terms is bounded by
   tol times the larger absolute component, checked loosely here) and exactly
   zero wherever the uncompacted result is exactly zero because of a mask. */
static void
check_compact_agrees(const void *Gt, const double *norms, rj_fast_work_t w,
                     const rj_fast_net_t f, const void *dyt, slong m, slong L, slong rn,
                     rj_fast_dtype t, const char *what)
{
    size_t es = rj_fast_dtype_size(t);
    void *Gc = malloc((L + 1) * rn * es);
    double *nc = malloc((L + 1) * sizeof(double));
    double tol = t == RJ_FAST_F32 ? 1e-4 : 1e-12, scale = 0;
    slong i, k;
    rj_error_t err;
    rj_error_init(err);
    ck_assert_int_eq(rj_fast_graded_compact(Gc, nc, w, f, dyt, m, err), RJ_OK);
    for (i = 0; i < (L + 1) * rn; i++)
        scale = fmax(scale, fabs(rj_test_getd(Gt, i, t)));
    for (k = 0; k <= L; k++) {
        RJ_CHECK(fabs(nc[k] - norms[k]) <= tol * (norms[k] + 1e-300) + tol * 1e-3 * scale,
                 seed, "%s (%s): compacted norm of length %ld %.17g vs %.17g", what,
                 rj_fast_dtype_name(t), (long) k, nc[k], norms[k]);
        for (i = 0; i < rn; i++) {
            double a = rj_test_getd(Gt, k * rn + i, t), c = rj_test_getd(Gc, k * rn + i, t);
            RJ_CHECK(fabs(a - c) <= tol * (fabs(a) + 1e-3 * scale), seed,
                     "%s (%s): compacted G_%ld[%ld] = %.17g, uncompacted %.17g", what,
                     rj_fast_dtype_name(t), (long) k, (long) i, c, a);
        }
    }
    free(Gc);
    free(nc);
}

/* Graded gradient of random float networks (every kind, tanh and sigmoid
   included): the components sum to the gradient of rj_fast_backward. */
static void
graded_sums_to_gradient(void)
{
    static const char *specs[] = {
        "6,8,pre", "6,8,post", "5,8,plain", "6,8,none,act=tanh", "6,8,linear",
        "6,8,scaled,alpha=0.5,act=sigmoid,bias=1", "7,8,pre,act=leaky_relu,slope=0.1",
        "6,8,post,act=tanh,outer=sigmoid,bias=1", "4,8,pre,hidden=5,scale=0",
        "20,8,pre", "20,8,pre,hidden=5,bias=1"};
    slong si, it;
    for (si = 0; si < (slong) (sizeof(specs) / sizeof(specs[0])); si++)
        for (it = 0; it < 2; it++) {
            rj_fast_random_t sp;
            rj_fast_net_t f;
            rj_fast_work_t w;
            rj_error_t err;
            rj_fast_dtype t = it ? RJ_FAST_F32 : RJ_FAST_F64;
            slong B = 3, L, n, i, k;
            double *x, *dy, *G, *norms, *dx, *hn;
            void *xt, *dyt, *Gt, *dxt;
            size_t es = rj_fast_dtype_size(t);
            double tol = t == RJ_FAST_F32 ? 1e-4 : 1e-12;
            rj_error_init(err);
            ck_assert_int_eq(rj_fast_random_parse(sp, specs[si], err), RJ_OK);
            rj_fast_net_init(f);
            rj_fast_work_init(w);
            RJ_CHECK(rj_fast_net_random(f, sp, seed + si, t, err) == RJ_OK, seed, "%s",
                     err->msg);
            L = f->len;
            n = f->n_in;
            x = malloc(B * n * sizeof(double));
            dy = malloc(B * n * sizeof(double));
            G = calloc((L + 1) * B * n, sizeof(double));
            norms = malloc((L + 1) * sizeof(double));
            dx = malloc(B * n * sizeof(double));
            hn = malloc((L + 1) * sizeof(double));
            xt = malloc(B * n * es);
            dyt = malloc(B * n * es);
            dxt = malloc(B * n * es);
            Gt = malloc((L + 1) * B * n * es);
            rj_fast_randn(x, B * n, seed + 100 + si);
            rj_fast_randn(dy, B * n, seed + 200 + si);
            for (i = 0; i < B * n; i++) {
                rj_test_setd(xt, i, x[i], t);
                rj_test_setd(dyt, i, dy[i], t);
            }
            ck_assert_int_eq(rj_fast_work_reserve(w, f, B, 1, RJ_FAST_GRADED, err), RJ_OK);
            ck_assert_int_eq(rj_fast_forward(NULL, w, f, xt, B, err), RJ_OK);
            ck_assert_int_eq(rj_fast_backward(dxt, NULL, hn, NULL, w, f, dyt, err), RJ_OK);
            ck_assert_int_eq(rj_fast_graded(Gt, norms, w, f, dyt, 1, err), RJ_OK);
            check_compact_agrees(Gt, norms, w, f, dyt, 1, L, B * n, t, specs[si]);
            for (i = 0; i < B * n; i++) {
                double s = 0, sa = 0;
                for (k = 0; k <= L; k++) {
                    double g = rj_test_getd(Gt, k * B * n + i, t);
                    s += g;
                    sa += fabs(g);
                }
                dx[i] = rj_test_getd(dxt, i, t);
                RJ_CHECK(fabs(s - dx[i]) <= tol * (sa + fabs(dx[i]) + 1e-30), seed,
                         "%s (%s), entry %ld: sum of components %.17g vs gradient %.17g",
                         specs[si], rj_fast_dtype_name(t), (long) i, s, dx[i]);
            }
            /* plain nets (no skip): only the all-branch path survives */
            if (f->blocks[0].skip == RJ_SKIP_NONE)
                for (k = 0; k < L; k++)
                    RJ_CHECK(norms[k] == 0, seed, "%s: plain net has length %ld", specs[si],
                             (long) k);
            /* hnorms[0] is the norm of dX */
            {
                double s = 0;
                for (i = 0; i < B * n; i++)
                    s += dx[i] * dx[i];
                RJ_CHECK(fabs(sqrt(s) - hn[0]) <= 1e-6 * (hn[0] + 1e-30), seed,
                         "hnorms[0] %g vs ||dX|| %g", hn[0], sqrt(s));
            }
            free(x);
            free(dy);
            free(G);
            free(norms);
            free(dx);
            free(hn);
            free(xt);
            free(dyt);
            free(dxt);
            free(Gt);
            rj_fast_work_clear(w);
            rj_fast_net_clear(f);
        }
}

START_TEST(test_graded_sums_to_gradient)
{
    graded_sums_to_gradient();
}
END_TEST

/* Every instance of the compacted pass's kernel (RJ_FAST_ISA asks for a
   narrower one than the processor runs), f64 and f32: against the exact
   expansion and against the uncompacted pass. */
START_TEST(test_graded_compact_every_isa)
{
    static const char *isa[3] = {"sse", "avx2", "avx512"};
    int k;
    for (k = 0; k < 3; k++) {
        ck_assert_int_eq(setenv("RJ_FAST_ISA", isa[k], 1), 0);
        graded_vs_exact(1);
        graded_sums_to_gradient();
    }
    unsetenv("RJ_FAST_ISA");
}
END_TEST

/* ------------------------------------------------------------ Jacobian variants */

/* Batched reverse mode vs forward mode vs one backward pass per row. */
START_TEST(test_jacobian_variants)
{
    static const char *specs[] = {
        "5,6,pre", "5,6,post,bias=1", "4,6,plain", "5,6,none,act=tanh", "5,6,linear",
        "5,6,scaled,alpha=0.7,act=sigmoid,outer=tanh", "5,6,pre,act=leaky_relu,slope=-0.2",
        "5,6,post,act=leaky_relu,outer=leaky_relu,slope=-0.5,bias=1"};
    slong si;
    for (si = 0; si < (slong) (sizeof(specs) / sizeof(specs[0])); si++) {
        rj_fast_random_t sp;
        rj_fast_net_t f;
        rj_fast_work_t w;
        rj_error_t err;
        slong B = 3, n, i, r, b;
        double *x, *J1, *J2, *dy, *dx, maxabs = 0;
        rj_error_init(err);
        ck_assert_int_eq(rj_fast_random_parse(sp, specs[si], err), RJ_OK);
        rj_fast_net_init(f);
        rj_fast_work_init(w);
        ck_assert_int_eq(rj_fast_net_random(f, sp, seed + 31 * si, RJ_FAST_F64, err), RJ_OK);
        n = f->n_in;
        x = malloc(B * n * sizeof(double));
        J1 = malloc(B * n * n * sizeof(double));
        J2 = malloc(B * n * n * sizeof(double));
        dy = malloc(B * n * sizeof(double));
        dx = malloc(B * n * sizeof(double));
        rj_fast_randn(x, B * n, seed + 7 * si);
        ck_assert_int_eq(rj_fast_work_reserve(w, f, B, n, 0, err), RJ_OK);
        ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, B, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian(J1, w, f, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian_fwd(J2, w, f, err), RJ_OK);
        for (i = 0; i < B * n * n; i++)
            maxabs = fmax(maxabs, fabs(J1[i]));
        for (i = 0; i < B * n * n; i++)
            RJ_CHECK(fabs(J1[i] - J2[i]) <= 1e-12 * (maxabs + 1), seed,
                     "%s: reverse %.17g vs forward mode %.17g at %ld", specs[si], J1[i],
                     J2[i], (long) i);
        /* one backward per row: row r of every point's J */
        for (r = 0; r < n; r++) {
            memset(dy, 0, B * n * sizeof(double));
            for (b = 0; b < B; b++)
                dy[b * n + r] = 1;
            ck_assert_int_eq(rj_fast_backward(dx, NULL, NULL, NULL, w, f, dy, err), RJ_OK);
            for (b = 0; b < B; b++)
                for (i = 0; i < n; i++)
                    RJ_CHECK(fabs(dx[b * n + i] - J1[(b * n + r) * n + i])
                                 <= 1e-12 * (maxabs + 1),
                             seed, "%s: backward row %ld %.17g vs batched %.17g", specs[si],
                             (long) r, dx[b * n + i], J1[(b * n + r) * n + i]);
        }
        free(x);
        free(J1);
        free(J2);
        free(dy);
        free(dx);
        rj_fast_work_clear(w);
        rj_fast_net_clear(f);
    }
}
END_TEST

/* Weight gradients against central differences of c . f (smooth net, f64). */
START_TEST(test_weight_gradients)
{
    static const char *specs[] = {"3,5,pre,act=tanh,outer=tanh,bias=1",
                                  "3,5,post,act=sigmoid,outer=tanh,bias=1",
                                  "3,5,scaled,alpha=0.5,act=tanh,outer=sigmoid,bias=1"};
    slong si;
    for (si = 0; si < 3; si++) {
        rj_fast_random_t sp;
        rj_fast_net_t f;
        rj_fast_work_t w;
        rj_error_t err;
        slong B = 2, n, p;
        double *x, *c, *y, *dp, *wn;
        rj_error_init(err);
        ck_assert_int_eq(rj_fast_random_parse(sp, specs[si], err), RJ_OK);
        rj_fast_net_init(f);
        rj_fast_work_init(w);
        ck_assert_int_eq(rj_fast_net_random(f, sp, seed + si, RJ_FAST_F64, err), RJ_OK);
        n = f->n_in;
        x = malloc(B * n * sizeof(double));
        c = malloc(B * n * sizeof(double));
        y = malloc(B * n * sizeof(double));
        dp = malloc(f->nparams * sizeof(double));
        wn = malloc(f->len * sizeof(double));
        rj_fast_randn(x, B * n, seed + 3);
        rj_fast_randn(c, B * n, seed + 4);
        ck_assert_int_eq(rj_fast_work_reserve(w, f, B, 1, 0, err), RJ_OK);
        ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, B, err), RJ_OK);
        ck_assert_int_eq(rj_fast_backward(NULL, dp, NULL, wn, w, f, c, err), RJ_OK);
        for (p = 0; p < f->nparams; p += 1 + p % 3) {
            double *wp = (double *) f->params + p, w0 = *wp, hstep = 1e-6, fp = 0, fm = 0, fd;
            slong i;
            *wp = w0 + hstep;
            rj_fast_forward(y, w, f, x, B, err);
            for (i = 0; i < B * n; i++)
                fp += c[i] * y[i];
            *wp = w0 - hstep;
            rj_fast_forward(y, w, f, x, B, err);
            for (i = 0; i < B * n; i++)
                fm += c[i] * y[i];
            *wp = w0;
            fd = (fp - fm) / (2 * hstep);
            RJ_CHECK(fabs(fd - dp[p]) <= 1e-6 * (1 + fabs(fd)), seed,
                     "%s: parameter %ld: gradient %.12g, central difference %.12g", specs[si],
                     (long) p, dp[p], fd);
        }
        free(x);
        free(c);
        free(y);
        free(dp);
        free(wn);
        rj_fast_work_clear(w);
        rj_fast_net_clear(f);
    }
}
END_TEST

/* The exact entry of net behind parameter p of its float copy f (same
   layout as fast_net_layout: W1, b1, W2, b2, Ws per block, row-major). */
static fmpq *
exact_param(rj_net_t net, const rj_fast_net_t f, slong p)
{
    slong l;
    for (l = 0; l < f->len; l++) {
        const rj_fast_block_struct *fb = f->blocks + l;
        rj_block_struct *b = net->blocks + l;
        const fmpq_mat_struct *m[5] = {b->W1, b->b1, b->W2, b->b2, b->Ws};
        slong off[5] = {fb->W1, fb->b1, fb->W2, fb->b2, fb->Ws}, k;
        for (k = 0; k < 5; k++) {
            slong r = fmpq_mat_nrows(m[k]), c = fmpq_mat_ncols(m[k]);
            if (off[k] >= 0 && p >= off[k] && p < off[k] + r * c)
                return fmpq_mat_entry(m[k], (p - off[k]) / c, (p - off[k]) % c);
        }
    }
    return NULL;
}

/* c . f(x) for the exact net, with entry e moved by t (e may be NULL) */
static void
exact_loss(fmpq_t L, rj_net_t net, fmpq *e, const fmpq_t t, const fmpq_mat_t x,
           const fmpq_mat_t c)
{
    fmpq_mat_t y;
    rj_error_t err;
    fmpq_mat_init(y, 0, 0);
    rj_error_init(err);
    if (e != NULL)
        fmpq_add(e, e, t);
    ck_assert_int_eq(rj_exact_forward(y, net, x, err), RJ_OK);
    if (e != NULL)
        fmpq_sub(e, e, t);
    rj_test_dot(L, c, y);
    fmpq_mat_clear(y);
}

/* Weight gradients of piecewise-linear networks of every block kind against
   the exact layer: c . f(x) is piecewise linear in any one parameter (the
   parameter enters its block affinely, the rest of the network is piecewise
   linear), so away from a kink the exact difference quotient at a small
   dyadic step is the derivative; it is used when the quotients at t, t/2 and
   -t agree exactly (no kink within t), and the float gradient of
   rj_fast_backward must match it to rounding. */
START_TEST(test_weight_gradients_exact)
{
    flint_rand_t st;
    slong it, compared = 0;
    rj_test_randinit(st, seed + 19);
    for (it = 0; it < rj_test_iters(30); it++) {
        rj_net_t net;
        fmpq_mat_t x, c;
        rj_fast_net_t f;
        rj_fast_work_t w;
        rj_error_t err;
        fmpq_t L0, L1, q1, q2, q3, t;
        rj_fast_dtype dt = it % 2 ? RJ_FAST_F32 : RJ_FAST_F64;
        size_t es = rj_fast_dtype_size(dt);
        double tol = dt == RJ_FAST_F64 ? 1e-12 : 1e-5;
        void *xd, *cd, *dp;
        slong p, i, n_in, n_out;
        rj_net_init(net);
        rj_test_randnet_pl(net, st, 1 + n_randint(st, 4), 40, 64, 1, 0);
        n_in = rj_net_width_in(net);
        n_out = rj_net_width_out(net);
        fmpq_mat_init(x, 0, 0);
        fmpq_mat_init(c, 0, 0);
        rj_test_randpoint(x, st, n_in, 40, 64);
        rj_test_randpoint(c, st, n_out, 40, 64);
        rj_error_init(err);
        rj_fast_net_init(f);
        rj_fast_work_init(w);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, dt, err), RJ_OK);
        xd = malloc(n_in * es);
        cd = malloc(n_out * es);
        dp = malloc(f->nparams * es);
        for (i = 0; i < n_in; i++)      /* small dyadics: exact in both types */
            rj_test_setd(xd, i, fmpq_get_d(fmpq_mat_entry(x, i, 0)), dt);
        for (i = 0; i < n_out; i++)
            rj_test_setd(cd, i, fmpq_get_d(fmpq_mat_entry(c, i, 0)), dt);
        ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, 1, 0, err), RJ_OK);
        ck_assert_int_eq(rj_fast_forward(NULL, w, f, xd, 1, err), RJ_OK);
        ck_assert_int_eq(rj_fast_backward(NULL, dp, NULL, NULL, w, f, cd, err), RJ_OK);
        fmpq_init(L0);
        fmpq_init(L1);
        fmpq_init(q1);
        fmpq_init(q2);
        fmpq_init(q3);
        fmpq_init(t);
        exact_loss(L0, net, NULL, t, x, c);
        for (p = 0; p < f->nparams; p++) {
            fmpq *e = exact_param(net, f, p);
            double q;
            RJ_CHECK(e != NULL, seed, "parameter %ld has no exact entry", (long) p);
            /* quotients at t = 2^-30, t/2 and -t */
            fmpq_set_si(t, 1, 1);
            fmpq_div_2exp(t, t, 30);
            exact_loss(L1, net, e, t, x, c);
            fmpq_sub(q1, L1, L0);
            fmpq_div(q1, q1, t);
            fmpq_div_2exp(t, t, 1);
            exact_loss(L1, net, e, t, x, c);
            fmpq_sub(q2, L1, L0);
            fmpq_div(q2, q2, t);
            fmpq_mul_2exp(t, t, 1);
            fmpq_neg(t, t);
            exact_loss(L1, net, e, t, x, c);
            fmpq_sub(q3, L1, L0);
            fmpq_div(q3, q3, t);
            if (!fmpq_equal(q1, q2) || !fmpq_equal(q1, q3))
                continue;       /* a kink within 2^-30 of this parameter */
            q = fmpq_get_d(q1);
            compared++;
            RJ_CHECK(fabs(rj_test_getd(dp, p, dt) - q) <= tol * (1 + fabs(q)), seed,
                     "iteration %ld (%s): parameter %ld: float gradient %.17g, exact %.17g",
                     (long) it, rj_fast_dtype_name(dt), (long) p, rj_test_getd(dp, p, dt), q);
        }
        fmpq_clear(L0);
        fmpq_clear(L1);
        fmpq_clear(q1);
        fmpq_clear(q2);
        fmpq_clear(q3);
        fmpq_clear(t);
        free(xd);
        free(cd);
        free(dp);
        rj_fast_work_clear(w);
        rj_fast_net_clear(f);
        fmpq_mat_clear(x);
        fmpq_mat_clear(c);
        rj_net_clear(net);
    }
    RJ_CHECK(compared > 20 * rj_test_iters(30) / 2, seed,
             "only %ld parameters away from kinks", (long) compared);
    flint_randclear(st);
}
END_TEST

/* ------------------------------------------------------------ conversions, misc */

START_TEST(test_convert_roundtrip)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 37);
    for (it = 0; it < rj_test_iters(20); it++) {
        rj_net_t net, back;
        rj_fast_net_t f;
        rj_error_t err;
        slong l;
        rj_net_init(net);
        rj_net_init(back);
        rj_test_randnet_pl(net, st, 1 + n_randint(st, 4), 100, 64, 1, 0);
        rj_error_init(err);
        rj_fast_net_init(f);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(f->exact_conv, 1);   /* dyadic with few bits */
        rj_fast_net_get_net(back, f);
        ck_assert_int_eq(back->len, net->len);
        for (l = 0; l < net->len; l++) {
            RJ_CHECK(fmpq_mat_equal(back->blocks[l].W1, net->blocks[l].W1), seed,
                     "W1 of block %ld changed in the round trip", (long) l + 1);
            if (net->blocks[l].two_layer)
                RJ_CHECK(fmpq_mat_equal(back->blocks[l].W2, net->blocks[l].W2), seed,
                         "W2 of block %ld changed", (long) l + 1);
        }
        rj_fast_net_clear(f);
        rj_net_clear(net);
        rj_net_clear(back);
    }
    flint_randclear(st);
}
END_TEST

START_TEST(test_random_parse_errors)
{
    rj_fast_random_t sp;
    rj_error_t err;
    rj_error_init(err);
    ck_assert_int_eq(rj_fast_random_parse(sp, "10,16,pre,act=tanh,scale=0.5", err), RJ_OK);
    ck_assert_int_eq(sp->depth, 10);
    ck_assert_int_eq(sp->act, RJ_ACT_TANH);
    ck_assert_int_eq(rj_fast_random_parse(sp, "10", err), RJ_ERR_INPUT);
    ck_assert_int_eq(rj_fast_random_parse(sp, "10,0", err), RJ_ERR_INPUT);
    ck_assert(strstr(err->msg, "WIDTH") != NULL);
    ck_assert_int_eq(rj_fast_random_parse(sp, "10,8,foo", err), RJ_ERR_INPUT);
    ck_assert(strstr(err->msg, "KIND") != NULL);
    ck_assert_int_eq(rj_fast_random_parse(sp, "10,8,pre,act=cosh", err), RJ_ERR_INPUT);
    ck_assert(strstr(err->msg, "act") != NULL);
    ck_assert_int_eq(rj_fast_random_parse(sp, "10,8,pre,frob=1", err), RJ_ERR_INPUT);
    ck_assert(strstr(err->msg, "frob") != NULL);
    ck_assert_int_eq(rj_fast_random_parse(sp, "2000000,8", err), RJ_ERR_INPUT);
}
END_TEST

/* The identity init (scale = 0) gives J = I exactly, at every depth; the
   linear residual net's E tr(J^T J)/N tracks (1 + s^2/L)^L. */
START_TEST(test_random_identity_and_linear)
{
    rj_fast_random_t sp;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    slong n = 16, i, j, trial, trials = 8;
    double *x, *J, acc = 0, expect;
    rj_error_init(err);
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    x = malloc(n * sizeof(double));
    J = malloc(n * n * sizeof(double));
    rj_fast_randn(x, n, seed);
    ck_assert_int_eq(rj_fast_random_parse(sp, "50,16,pre,scale=0", err), RJ_OK);
    ck_assert_int_eq(rj_fast_net_random(f, sp, seed, RJ_FAST_F64, err), RJ_OK);
    ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, n, 0, err), RJ_OK);
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, 1, err), RJ_OK);
    ck_assert_int_eq(rj_fast_jacobian(J, w, f, err), RJ_OK);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            RJ_CHECK(J[i * n + j] == (i == j), seed, "identity init: J[%ld][%ld] = %g",
                     (long) i, (long) j, J[i * n + j]);
    /* linear: L = 20, scale 1: E tr(J^T J)/N = (1 + 1/20)^20 = 2.6533 */
    ck_assert_int_eq(rj_fast_random_parse(sp, "20,16,linear,scale=1", err), RJ_OK);
    for (trial = 0; trial < trials; trial++) {
        double s = 0;
        ck_assert_int_eq(rj_fast_net_random(f, sp, seed + trial, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, n, 0, err), RJ_OK);
        ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, 1, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian(J, w, f, err), RJ_OK);
        for (i = 0; i < n * n; i++)
            s += J[i] * J[i];
        acc += s / n;
    }
    acc /= trials;
    expect = pow(1 + 1.0 / 20, 20);
    /* the Monte-Carlo mean of 8 nets of width 16 is within 25 % */
    RJ_CHECK(fabs(acc - expect) < 0.25 * expect, seed, "linear net: %g vs %g", acc, expect);
    free(x);
    free(J);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
}
END_TEST

START_TEST(test_limits_and_errors)
{
    rj_fast_random_t sp;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    double x[4] = {0};
    rj_error_init(err);
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    ck_assert_int_eq(rj_fast_random_parse(sp, "3,4,pre", err), RJ_OK);
    ck_assert_int_eq(rj_fast_net_random(f, sp, 1, RJ_FAST_F64, err), RJ_OK);
    /* no reservation */
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, 1, err), RJ_ERR_INPUT);
    ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, 1, 0, err), RJ_OK);
    /* backward before forward */
    ck_assert_int_eq(rj_fast_backward(x, NULL, NULL, NULL, w, f, x, err), RJ_ERR_INPUT);
    /* batch beyond the reservation */
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, 2, err), RJ_ERR_INPUT);
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, 1, err), RJ_OK);
    /* Jacobian needs n_out rows */
    ck_assert_int_eq(rj_fast_jacobian(x, w, f, err), RJ_ERR_INPUT);
    ck_assert_int_eq(rj_fast_graded(x, NULL, w, f, x, 1, err), RJ_ERR_INPUT);
    /* memory limit checked before allocating */
    ck_assert_int_eq(rj_fast_random_parse(sp, "1000,65536,pre", err), RJ_OK);
    ck_assert_int_eq(rj_fast_net_random(f, sp, 1, RJ_FAST_F32, err), RJ_ERR_LIMIT);
    ck_assert_msg(strstr(err->msg, "RJ_MAX_BYTES") != NULL, "%s", err->msg);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
}
END_TEST

START_TEST(test_log_binomial)
{
    double mean[55], lc[55], norms[55];
    slong k;
    ck_assert(fabs(rj_fast_log_binomial(54, 27) - log(1946939425648112.0)) < 1e-12);
    ck_assert(fabs(rj_fast_log_binomial(5000, 2500) - (lgamma(5001) - 2 * lgamma(2501)))
              < 1e-6);
    for (k = 0; k <= 54; k++)
        norms[k] = 1;
    rj_fast_graded_summary(mean, lc, norms, 54);
    ck_assert(fabs(mean[1] - 1.0 / 54) < 1e-15);
    ck_assert(fabs(lc[0]) < 1e-15);
}
END_TEST

/* ------------------------------------------------------------ general blocks
   (layer sequences).  Networks are built through the model's C API; the
   references below are the test's own code: a direct nested-loop
   convolution in double, an exact evaluation in fmpq, central differences,
   and the shorthand block. */

/* one layer of kind k appended to s (the caller fills parameters first) */
static void
gl_push(rj_seq_t s, rj_layer_struct *L)
{
    rj_seq_push(s, L);
    rj_layer_clear(L);
}

/* denominator of the random parameters below (8: dyadic, few bits) */
static slong gl_den = 8;

/* random column / matrix entries k/gl_den, |k| <= gl_den */
static void
gl_rand(fmpq_mat_t A, flint_rand_t st, slong r, slong c)
{
    fmpq_mat_clear(A);
    fmpq_mat_init(A, r, c);
    rj_test_randmat(A, st, gl_den, gl_den);
}

/* a batchnorm layer of C channels whose var + eps is the square of a
   rational s = k/8 (the exact layer's case): var = s^2 - eps */
static void
gl_bn_square(rj_seq_t s, flint_rand_t st, slong C)
{
    rj_layer_struct L;
    slong i;
    rj_layer_init(&L, RJ_LAYER_BATCHNORM);
    gl_rand(L.scale, st, C, 1);
    gl_rand(L.shift, st, C, 1);
    gl_rand(L.mean, st, C, 1);
    fmpq_mat_clear(L.var);
    fmpq_mat_init(L.var, C, 1);
    for (i = 0; i < C; i++) {
        fmpq *v = fmpq_mat_entry(L.var, i, 0);
        fmpq_set_si(v, 1 + (slong) n_randint(st, 12), 8);
        fmpq_mul(v, v, v);
        fmpq_sub(v, v, L.eps);
        if (fmpq_is_zero(fmpq_mat_entry(L.scale, i, 0)))
            fmpq_one(fmpq_mat_entry(L.scale, i, 0));
    }
    gl_push(s, &L);
}

static void
gl_conv(rj_seq_t s, flint_rand_t st, slong cin, slong cout, slong kh, slong kw, slong sh,
        slong ph, slong dh, slong groups, int bias)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_CONV2D);
    gl_rand(L.W, st, cout, cin / groups * kh * kw);
    if (bias)
        gl_rand(L.b, st, cout, 1);
    L.kh = kh;
    L.kw = kw;
    L.sh = L.sw = sh;
    L.ph = L.pw = ph;
    L.dh = L.dw = dh;
    L.groups = groups;
    gl_push(s, &L);
}

static void
gl_dense(rj_seq_t s, flint_rand_t st, slong n, slong m, int bias)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_DENSE);
    gl_rand(L.W, st, m, n);
    if (bias)
        gl_rand(L.b, st, m, 1);
    gl_push(s, &L);
}

static void
gl_act(rj_seq_t s, rj_act_kind k)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_ACT);
    rj_act_set_kind(L.act, k);
    if (k == RJ_ACT_LEAKY_RELU)
        fmpq_set_si(L.act->slope, -1, 4);
    if (k == RJ_ACT_SOFTPLUS)
        fmpq_set_si(L.act->param, 3, 2);
    if (k == RJ_ACT_ELU)
        fmpq_set_si(L.act->param, 1, 2);
    gl_push(s, &L);
}

/* pools (kernel k, stride sh, padding ph, dilation dh), gap, flatten */
static void
gl_pool(rj_seq_t s, rj_layer_kind kind, slong k, slong sh, slong ph, slong dh)
{
    rj_layer_struct L;
    rj_layer_init(&L, kind);
    L.kh = L.kw = k;
    L.sh = L.sw = sh;
    L.ph = L.pw = ph;
    L.dh = L.dw = dh;
    gl_push(s, &L);
}

/* affine (C channels), batchnorm (C), layernorm (n entries) */
static void
gl_norm(rj_seq_t s, flint_rand_t st, rj_layer_kind kind, slong n, int with_shift)
{
    rj_layer_struct L;
    slong i;
    rj_layer_init(&L, kind);
    gl_rand(L.scale, st, n, 1);
    for (i = 0; i < n; i++)   /* no zero scale: a relu after it would sit at its kink */
        if (fmpq_is_zero(fmpq_mat_entry(L.scale, i, 0)))
            fmpq_one(fmpq_mat_entry(L.scale, i, 0));
    if (with_shift)
        gl_rand(L.shift, st, n, 1);
    if (kind == RJ_LAYER_BATCHNORM) {
        gl_rand(L.mean, st, n, 1);
        gl_rand(L.var, st, n, 1);
        for (i = 0; i < n; i++) {
            fmpq_abs(fmpq_mat_entry(L.var, i, 0), fmpq_mat_entry(L.var, i, 0));
            fmpq_add_si(fmpq_mat_entry(L.var, i, 0), fmpq_mat_entry(L.var, i, 0), 1);
        }
    }
    if (kind == RJ_LAYER_LAYERNORM)
        fmpq_set_si(L.eps, 1, 100);
    gl_push(s, &L);
}

/* a general block from the branch (and projection) in *br (*pr), validated
   and appended to net; the sequences are consumed */
static void
gl_block(rj_net_t net, rj_shape in, rj_seq_t br, rj_seq_t pr, rj_skip_kind skip,
         rj_place_kind place, rj_act_kind outer)
{
    rj_block_t b;
    rj_error_t err;
    char msg[512];
    int st;
    rj_error_init(err);
    rj_block_init_general(b, in);
    rj_seq_set(b->branch, br);
    if (pr != NULL)
        rj_seq_set(b->proj, pr);
    b->skip = skip;
    b->place = place;
    rj_act_set_kind(b->outer, outer);
    st = rj_block_validate(b, NULL, err);
    rj_error_format(msg, sizeof(msg), err);
    ck_assert_msg(st == RJ_OK, "block: %s", msg);
    rj_net_append(net, b, NULL);
    rj_block_clear(b);
    rj_seq_clear(br);
    rj_seq_init(br);
    if (pr != NULL) {
        rj_seq_clear(pr);
        rj_seq_init(pr);
    }
}

/* a float buffer from doubles */
static void *
gl_buf(const double *x, slong n, rj_fast_dtype t)
{
    void *p = malloc((n > 0 ? n : 1) * rj_fast_dtype_size(t));
    slong i;
    for (i = 0; i < n; i++)
        rj_test_setd(p, i, x[i], t);
    return p;
}

static double
gl_q(const fmpq_mat_t A, slong i, slong j)
{
    return fmpq_get_d(fmpq_mat_entry(A, i, j));
}

/* The convolution of one point by nested loops (double): y = conv(x) + b */
static void
direct_conv(double *y, const double *x, const rj_layer_struct *L)
{
    slong G = L->groups, cig = L->in.c / G, cog = L->out.c / G;
    slong co, oi, oj, ci, a, bb;
    for (co = 0; co < L->out.c; co++)
        for (oi = 0; oi < L->out.h; oi++)
            for (oj = 0; oj < L->out.w; oj++) {
                double s = fmpq_mat_nrows(L->b) > 0 ? gl_q(L->b, co, 0) : 0;
                slong g = co / cog;
                for (ci = 0; ci < cig; ci++)
                    for (a = 0; a < L->kh; a++)
                        for (bb = 0; bb < L->kw; bb++) {
                            slong ii = oi * L->sh - L->ph + a * L->dh;
                            slong jj = oj * L->sw - L->pw + bb * L->dw;
                            if (ii < 0 || ii >= L->in.h || jj < 0 || jj >= L->in.w)
                                continue;
                            s += gl_q(L->W, co, (ci * L->kh + a) * L->kw + bb)
                                 * x[((g * cig + ci) * L->in.h + ii) * L->in.w + jj];
                        }
                y[(co * L->out.h + oi) * L->out.w + oj] = s;
            }
}

/* dx = dy conv^T, dK += dy x, db += dy by nested loops (one point) */
static void
direct_conv_back(double *dx, double *dK, double *db, const double *dy, const double *x,
                 const rj_layer_struct *L)
{
    slong G = L->groups, cig = L->in.c / G, cog = L->out.c / G;
    slong co, oi, oj, ci, a, bb;
    for (co = 0; co < L->out.c; co++)
        for (oi = 0; oi < L->out.h; oi++)
            for (oj = 0; oj < L->out.w; oj++) {
                double g = dy[(co * L->out.h + oi) * L->out.w + oj];
                slong gr = co / cog;
                db[co] += g;
                for (ci = 0; ci < cig; ci++)
                    for (a = 0; a < L->kh; a++)
                        for (bb = 0; bb < L->kw; bb++) {
                            slong ii = oi * L->sh - L->ph + a * L->dh;
                            slong jj = oj * L->sw - L->pw + bb * L->dw;
                            slong k = (ci * L->kh + a) * L->kw + bb, xi;
                            if (ii < 0 || ii >= L->in.h || jj < 0 || jj >= L->in.w)
                                continue;
                            xi = ((gr * cig + ci) * L->in.h + ii) * L->in.w + jj;
                            dx[xi] += gl_q(L->W, co, k) * g;
                            dK[co * fmpq_mat_ncols(L->W) + k] += g * x[xi];
                        }
            }
}

/* conv2d forward, input gradient and kernel/bias gradients against the
   nested loops, over a grid of stride, padding, dilation and groups, in f64
   and f32, with the same values along both axes and (as = 1) different ones
   (the im2col / col2im spans are computed per axis).  Every value is a dyadic
   k/64 of few bits and every sum has few terms, so both computations are
   exact: they must agree bit for bit. */
START_TEST(test_conv_vs_direct)
{
    flint_rand_t st;
    slong sh, ph, dh, gi, t, as;
    static const slong groups[] = {1, 2, 4};
    rj_test_randinit(st, seed + 101);
    for (as = 0; as < 2; as++)
    for (t = 0; t < 2; t++)
        for (sh = 1; sh <= 2; sh++)
            for (ph = 0; ph <= 2; ph++)
                for (dh = 1; dh <= 2; dh++)
                    for (gi = 0; gi < 3; gi++) {
                        rj_fast_dtype dt = t == 0 ? RJ_FAST_F64 : RJ_FAST_F32;
                        slong G = groups[gi], cin = 4, cout = 4 * (1 + (gi == 1)), B = 2;
                        slong kh = 3 - (ph == 0 && dh == 2), H = 7, W = 6, i, r;
                        rj_shape in = {cin, H, W};
                        rj_net_t net;
                        rj_seq_t br;
                        rj_fast_net_t f;
                        rj_fast_work_t w;
                        rj_error_t err;
                        const rj_layer_struct *L;
                        slong n_in, n_out, np;
                        double *x, *yd, *dy, *dxd, *dK, *db;
                        void *xb, *yb, *dyb, *dxb, *dpb;
                        rj_net_init(net);
                        rj_seq_init(br);
                        rj_error_init(err);
                        gl_conv(br, st, cin, cout, kh, kh, sh, ph, dh, G, 1);
                        if (as) {   /* width axis: the other stride, padding, dilation */
                            br->layers[0].sw = 3 - sh;
                            br->layers[0].pw = 2 - ph;
                            br->layers[0].dw = 3 - dh;
                        }
                        gl_block(net, in, br, NULL, RJ_SKIP_NONE, RJ_PLACE_NONE,
                                 RJ_ACT_RELU);
                        rj_seq_clear(br);
                        L = net->blocks[0].branch->layers;
                        n_in = rj_shape_size(L->in);
                        n_out = rj_shape_size(L->out);
                        rj_fast_net_init(f);
                        rj_fast_work_init(w);
                        ck_assert_int_eq(rj_fast_net_set_net(f, net, dt, err), RJ_OK);
                        ck_assert_int_eq(f->exact_conv, 1);
                        np = f->nparams;
                        ck_assert_int_eq(np, fmpq_mat_nrows(L->W) * fmpq_mat_ncols(L->W)
                                                 + cout);
                        x = malloc(B * n_in * sizeof(double));
                        dxd = calloc(B * n_in, sizeof(double));
                        yd = malloc(B * n_out * sizeof(double));
                        dy = malloc(B * n_out * sizeof(double));
                        dK = calloc(np, sizeof(double));
                        db = dK + fmpq_mat_nrows(L->W) * fmpq_mat_ncols(L->W);
                        for (i = 0; i < B * n_in; i++)
                            x[i] = (double) ((slong) n_randint(st, 17) - 8) / 8;
                        for (i = 0; i < B * n_out; i++)
                            dy[i] = (double) ((slong) n_randint(st, 17) - 8) / 8;
                        xb = gl_buf(x, B * n_in, dt);
                        dyb = gl_buf(dy, B * n_out, dt);
                        yb = malloc(B * n_out * sizeof(double));
                        dxb = malloc(B * n_in * sizeof(double));
                        dpb = malloc(np * sizeof(double));
                        ck_assert_int_eq(rj_fast_work_reserve(w, f, B, 1, 0, err), RJ_OK);
                        ck_assert_int_eq(rj_fast_forward(yb, w, f, xb, B, err), RJ_OK);
                        ck_assert_int_eq(rj_fast_backward(dxb, dpb, NULL, NULL, w, f, dyb,
                                                          err), RJ_OK);
                        for (r = 0; r < B; r++) {
                            direct_conv(yd + r * n_out, x + r * n_in, L);
                            direct_conv_back(dxd + r * n_in, dK, db, dy + r * n_out,
                                             x + r * n_in, L);
                        }
                        for (i = 0; i < B * n_out; i++)
                            RJ_CHECK(rj_test_getd(yb, i, dt) == yd[i], seed,
                                     "conv stride %ld,%ld pad %ld dil %ld groups %ld %s: y[%ld] "
                                     "%.17g vs direct %.17g", (long) sh, (long) L->sw,
                                     (long) ph, (long) dh,
                                     (long) G, rj_fast_dtype_name(dt), (long) i,
                                     rj_test_getd(yb, i, dt), yd[i]);
                        for (i = 0; i < B * n_in; i++)
                            RJ_CHECK(rj_test_getd(dxb, i, dt) == dxd[i], seed,
                                     "conv stride %ld,%ld pad %ld dil %ld groups %ld: dx[%ld] "
                                     "%.17g vs direct %.17g", (long) sh, (long) L->sw,
                                     (long) ph, (long) dh,
                                     (long) G, (long) i, rj_test_getd(dxb, i, dt), dxd[i]);
                        for (i = 0; i < np; i++)
                            RJ_CHECK(rj_test_getd(dpb, i, dt) == dK[i], seed,
                                     "conv stride %ld pad %ld dil %ld groups %ld: dparam[%ld] "
                                     "%.17g vs direct %.17g", (long) sh, (long) ph, (long) dh,
                                     (long) G, (long) i, rj_test_getd(dpb, i, dt), dK[i]);
                        free(x);
                        free(dxd);
                        free(yd);
                        free(dy);
                        free(dK);
                        free(xb);
                        free(dyb);
                        free(yb);
                        free(dxb);
                        free(dpb);
                        rj_fast_work_clear(w);
                        rj_fast_net_clear(f);
                        rj_net_clear(net);
                    }
    flint_randclear(st);
}
END_TEST

/* Float checks of one general network in f64: the Jacobian by reverse mode,
   by forward mode and by central differences of the forward pass; the
   parameter gradient of c . f against central differences in each
   parameter; the graded components summing to the gradient.  Tolerance
   tests of the float code against itself (sanity, not proofs). */
static void
check_general_net(const rj_net_t net, const char *what, ulong s)
{
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    char msg[512];
    slong B = 2, n, m, i, j, k, b, L = net->len, np;
    double *x, *J1, *J2, *yp, *ym, *c, *dp, *G, *gx, scale = 1, h = 1e-5;
    int st;
    rj_error_init(err);
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    st = rj_fast_net_set_net(f, net, RJ_FAST_F64, err);
    rj_error_format(msg, sizeof(msg), err);
    ck_assert_msg(st == RJ_OK, "%s: %s", what, msg);
    n = f->n_in;
    m = f->n_out;
    np = f->nparams;
    x = malloc(B * n * sizeof(double));
    J1 = malloc(B * m * n * sizeof(double));
    J2 = malloc(B * m * n * sizeof(double));
    yp = malloc(B * m * sizeof(double));
    ym = malloc(B * m * sizeof(double));
    c = malloc(B * m * sizeof(double));
    dp = malloc((np + 1) * sizeof(double));
    G = malloc((L + 1) * B * n * sizeof(double));
    gx = malloc(B * n * sizeof(double));
    rj_fast_randn(x, B * n, s);
    rj_fast_randn(c, B * m, s + 1);
    ck_assert_int_eq(rj_fast_work_reserve(w, f, B, n > m ? n : m, RJ_FAST_GRADED, err), RJ_OK);
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, B, err), RJ_OK);
    ck_assert_int_eq(rj_fast_jacobian(J1, w, f, err), RJ_OK);
    ck_assert_int_eq(rj_fast_jacobian_fwd(J2, w, f, err), RJ_OK);
    for (i = 0; i < B * m * n; i++)
        scale = fmax(scale, fabs(J1[i]));
    for (i = 0; i < B * m * n; i++)
        RJ_CHECK(fabs(J1[i] - J2[i]) <= 1e-12 * scale, seed,
                 "%s: reverse %.17g vs forward mode %.17g at %ld", what, J1[i], J2[i],
                 (long) i);
    /* central differences in each input entry (all points at once) */
    for (j = 0; j < n; j++) {
        for (b = 0; b < B; b++)
            x[b * n + j] += h;
        ck_assert_int_eq(rj_fast_forward(yp, w, f, x, B, err), RJ_OK);
        for (b = 0; b < B; b++)
            x[b * n + j] -= 2 * h;
        ck_assert_int_eq(rj_fast_forward(ym, w, f, x, B, err), RJ_OK);
        for (b = 0; b < B; b++)
            x[b * n + j] += h;
        for (b = 0; b < B; b++)
            for (i = 0; i < m; i++) {
                double fd = (yp[b * m + i] - ym[b * m + i]) / (2 * h);
                double jv = J1[(b * m + i) * n + j];
                RJ_CHECK(fabs(fd - jv) <= 1e-5 * scale, seed,
                         "%s: point %ld J[%ld][%ld] = %.12g, central difference %.12g",
                         what, (long) b, (long) i, (long) j, jv, fd);
            }
    }
    /* parameter gradient of sum_b c_b . f(x_b) */
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, B, err), RJ_OK);
    ck_assert_int_eq(rj_fast_backward(gx, dp, NULL, NULL, w, f, c, err), RJ_OK);
    for (k = 0; k < np; k++) {
        double *p = (double *) f->params + k, save = *p, sp = 0, sm = 0, fd;
        *p = save + h;
        ck_assert_int_eq(rj_fast_forward(yp, w, f, x, B, err), RJ_OK);
        *p = save - h;
        ck_assert_int_eq(rj_fast_forward(ym, w, f, x, B, err), RJ_OK);
        *p = save;
        for (i = 0; i < B * m; i++) {
            sp += c[i] * yp[i];
            sm += c[i] * ym[i];
        }
        fd = (sp - sm) / (2 * h);
        RJ_CHECK(fabs(fd - dp[k]) <= 1e-5 * (1 + fabs(fd)) * scale, seed,
                 "%s: parameter %ld gradient %.12g, central difference %.12g", what,
                 (long) k, dp[k], fd);
    }
    /* graded components sum to the input gradient */
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, B, err), RJ_OK);
    ck_assert_int_eq(rj_fast_graded(G, NULL, w, f, c, 1, err), RJ_OK);
    for (i = 0; i < B * n; i++) {
        double sum = 0;
        for (k = 0; k <= L; k++)
            sum += G[k * B * n + i];
        RJ_CHECK(fabs(sum - gx[i]) <= 1e-12 * scale * (1 + fabs(gx[i])), seed,
                 "%s: graded components sum to %.17g, gradient %.17g", what, sum, gx[i]);
    }
    free(x);
    free(J1);
    free(J2);
    free(yp);
    free(ym);
    free(c);
    free(dp);
    free(G);
    free(gx);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
}

/* Every layer kind and every activation in general blocks of every skip
   and placement. */
START_TEST(test_general_layers_fd)
{
    flint_rand_t st;
    rj_seq_t br, pr;
    rj_net_t net;
    rj_act_kind k;
    rj_shape s2 = {2, 6, 6}, v6 = {6, 1, 1};
    rj_test_randinit(st, seed + 103);
    rj_seq_init(br);
    rj_seq_init(pr);

    /* pre-activation conv block: BN, relu, conv, BN, relu, conv; identity skip */
    rj_net_init(net);
    gl_norm(br, st, RJ_LAYER_BATCHNORM, 2, 1);
    gl_act(br, RJ_ACT_RELU);
    gl_conv(br, st, 2, 4, 3, 3, 1, 1, 1, 1, 0);
    gl_norm(br, st, RJ_LAYER_BATCHNORM, 4, 1);
    gl_act(br, RJ_ACT_RELU);
    gl_conv(br, st, 4, 2, 3, 3, 1, 1, 1, 2, 1);
    gl_block(net, s2, br, NULL, RJ_SKIP_IDENTITY, RJ_PLACE_NONE, RJ_ACT_RELU);
    /* post-activation block with a stride-2 projection (conv 1x1 + BN) */
    gl_conv(br, st, 2, 4, 3, 3, 2, 1, 1, 1, 0);
    gl_norm(br, st, RJ_LAYER_BATCHNORM, 4, 0);
    gl_act(br, RJ_ACT_RELU);
    gl_conv(br, st, 4, 4, 3, 3, 1, 1, 1, 1, 1);
    gl_norm(br, st, RJ_LAYER_AFFINE, 4, 1);
    gl_conv(pr, st, 2, 4, 1, 1, 2, 0, 1, 1, 0);
    gl_norm(pr, st, RJ_LAYER_BATCHNORM, 4, 1);
    gl_block(net, s2, br, pr, RJ_SKIP_PROJECT, RJ_PLACE_POST, RJ_ACT_RELU);
    check_general_net(net, "conv blocks", seed + 1);
    rj_net_clear(net);

    /* pools, gap, flatten, dense; no skip; then a pre-LayerNorm MLP block */
    rj_net_init(net);
    gl_pool(br, RJ_LAYER_MAXPOOL, 3, 1, 1, 1);
    gl_pool(br, RJ_LAYER_AVGPOOL, 2, 2, 0, 1);
    gl_pool(br, RJ_LAYER_MAXPOOL, 2, 1, 0, 2);
    gl_pool(br, RJ_LAYER_GAP, 1, 1, 0, 1);
    gl_pool(br, RJ_LAYER_FLATTEN, 1, 1, 0, 1);
    gl_dense(br, st, 2, 6, 1);
    gl_block(net, s2, br, NULL, RJ_SKIP_NONE, RJ_PLACE_NONE, RJ_ACT_RELU);
    gl_norm(br, st, RJ_LAYER_LAYERNORM, 6, 1);
    gl_dense(br, st, 6, 5, 1);
    gl_act(br, RJ_ACT_GELU);
    gl_dense(br, st, 5, 6, 1);
    gl_block(net, v6, br, NULL, RJ_SKIP_IDENTITY, RJ_PLACE_NONE, RJ_ACT_RELU);
    gl_norm(br, st, RJ_LAYER_LAYERNORM, 6, 0);
    gl_dense(br, st, 6, 6, 0);
    gl_block(net, v6, br, NULL, RJ_SKIP_SCALED, RJ_PLACE_PRE, RJ_ACT_TANH);
    check_general_net(net, "pools and layer norm", seed + 2);
    rj_net_clear(net);

    /* every activation inside a branch, and as the outer one */
    for (k = RJ_ACT_IDENTITY; k <= RJ_ACT_ELU; k++) {
        char what[64];
        rj_net_init(net);
        gl_dense(br, st, 6, 7, 1);
        gl_act(br, k);
        gl_dense(br, st, 7, 6, 1);
        gl_block(net, v6, br, NULL, RJ_SKIP_IDENTITY, RJ_PLACE_PRE, k);
        gl_dense(br, st, 6, 6, 1);
        gl_act(br, k);
        gl_block(net, v6, br, NULL, RJ_SKIP_IDENTITY, RJ_PLACE_POST, k);
        snprintf(what, sizeof(what), "activation %d", (int) k);
        check_general_net(net, what, seed + 10 + k);
        rj_net_clear(net);
    }
    rj_seq_clear(br);
    rj_seq_clear(pr);
    flint_randclear(st);
}
END_TEST

/* run forward, backward (with parameter gradients), Jacobian and graded
   pass of f at x; outputs concatenated into out (bytes) */
static size_t
gl_run_all(char *out, const rj_fast_net_t f, const void *x, const void *c, slong B)
{
    rj_fast_work_t w;
    rj_error_t err;
    size_t es = rj_fast_dtype_size(f->dtype), o = 0;
    slong n = f->n_in, m = f->n_out, L = f->len;
    rj_error_init(err);
    rj_fast_work_init(w);
    ck_assert_int_eq(rj_fast_work_reserve(w, f, B, m, RJ_FAST_GRADED, err), RJ_OK);
    ck_assert_int_eq(rj_fast_forward(out, w, f, x, B, err), RJ_OK);
    o += B * m * es;
    ck_assert_int_eq(rj_fast_backward(out + o, out + o + B * n * es, NULL, NULL, w, f, c, err),
                     RJ_OK);
    o += (B * n + f->nparams) * es;
    ck_assert_int_eq(rj_fast_jacobian(out + o, w, f, err), RJ_OK);
    o += B * m * n * es;
    ck_assert_int_eq(rj_fast_graded(out + o, NULL, w, f, c, 1, err), RJ_OK);
    o += (L + 1) * B * n * es;
    rj_fast_work_clear(w);
    return o;
}

/* The shorthand block (W1, act, W2) and the general block (dense(W1, b1),
   act, dense(W2, b2)) give the same bits: outputs, input and parameter
   gradients, Jacobians, graded components; every placement and activation,
   f32 and f64. */
START_TEST(test_shorthand_vs_general_bits)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 107);
    for (it = 0; it < rj_test_iters(24); it++) {
        rj_net_t a, g;
        rj_fast_net_t fa, fg;
        rj_error_t err;
        slong L = 1 + n_randint(st, 3), l, n = 2 + n_randint(st, 6), B = 3, i;
        rj_fast_dtype dt = it % 2 ? RJ_FAST_F32 : RJ_FAST_F64;
        double *xd, *cd;
        void *x, *c;
        char *oa, *og;
        size_t sa, sg, cap;
        rj_error_init(err);
        rj_net_init(a);
        rj_net_init(g);
        for (l = 0; l < L; l++) {
            rj_block_t b;
            rj_seq_t br;
            rj_layer_struct Ly;
            int act = (int) n_randint(st, RJ_ACT_ELU + 1);
            int outer = (int) n_randint(st, RJ_ACT_ELU + 1);
            int place = (int) n_randint(st, 3);
            rj_shape in = {n, 1, 1};
            rj_block_init(b);
            rj_test_randblock(b, st, n, 1 + n_randint(st, 6), n, RJ_SKIP_IDENTITY, place,
                              RJ_ACT_RELU, RJ_ACT_RELU, (int) n_randint(st, 2), 8, 8);
            rj_act_set_kind(b->act, (rj_act_kind) act);
            rj_act_set_kind(b->outer, (rj_act_kind) outer);
            ck_assert_int_eq(rj_block_validate(b, NULL, err), RJ_OK);
            rj_net_append(a, b, NULL);
            rj_seq_init(br);
            rj_layer_init(&Ly, RJ_LAYER_DENSE);
            fmpq_mat_clear(Ly.W);
            fmpq_mat_init_set(Ly.W, b->W1);
            fmpq_mat_clear(Ly.b);
            fmpq_mat_init_set(Ly.b, b->b1);
            gl_push(br, &Ly);
            rj_layer_init(&Ly, RJ_LAYER_ACT);
            rj_act_set(Ly.act, b->act);
            gl_push(br, &Ly);
            rj_layer_init(&Ly, RJ_LAYER_DENSE);
            fmpq_mat_clear(Ly.W);
            fmpq_mat_init_set(Ly.W, b->W2);
            fmpq_mat_clear(Ly.b);
            fmpq_mat_init_set(Ly.b, b->b2);
            gl_push(br, &Ly);
            gl_block(g, in, br, NULL, RJ_SKIP_IDENTITY, (rj_place_kind) place,
                     (rj_act_kind) outer);
            rj_seq_clear(br);
            rj_block_clear(b);
        }
        rj_fast_net_init(fa);
        rj_fast_net_init(fg);
        ck_assert_int_eq(rj_fast_net_set_net(fa, a, dt, err), RJ_OK);
        ck_assert_int_eq(rj_fast_net_set_net(fg, g, dt, err), RJ_OK);
        ck_assert_int_eq(fa->nparams, fg->nparams);
        xd = malloc(B * n * sizeof(double));
        cd = malloc(B * n * sizeof(double));
        rj_fast_randn(xd, B * n, seed + it);
        rj_fast_randn(cd, B * n, seed + 1000 + it);
        x = gl_buf(xd, B * n, dt);
        c = gl_buf(cd, B * n, dt);
        cap = (size_t) (B * n * (3 + n + L + 1) + fa->nparams) * sizeof(double);
        oa = malloc(cap);
        og = malloc(cap);
        sa = gl_run_all(oa, fa, x, c, B);
        sg = gl_run_all(og, fg, x, c, B);
        ck_assert_uint_eq(sa, sg);
        for (i = 0; i < (slong) sa; i++)
            RJ_CHECK(oa[i] == og[i], seed,
                     "iteration %ld (%s): shorthand and general differ at byte %ld of %ld "
                     "(n %ld, L %ld, %ld parameters, batch %ld: outputs, input and parameter "
                     "gradients, Jacobians, graded)",
                     (long) it, rj_fast_dtype_name(dt), (long) i, (long) sa, (long) n,
                     (long) L, (long) fa->nparams, (long) B);
        free(xd);
        free(cd);
        free(x);
        free(c);
        free(oa);
        free(og);
        rj_fast_net_clear(fa);
        rj_fast_net_clear(fg);
        rj_net_clear(a);
        rj_net_clear(g);
    }
    flint_randclear(st);
}
END_TEST

/* Max pooling at a tie: the cotangent goes to the first maximum of the
   window in row-major order (PyTorch's choice), nowhere else. */
START_TEST(test_maxpool_first_max)
{
    rj_seq_t br;
    rj_net_t net;
    rj_fast_net_t f;
    rj_fast_work_t w;
    rj_error_t err;
    rj_shape in = {1, 2, 4};
    double x[8] = {1, 3, 2, 2, 3, 0, 2, 1}, dy[2] = {1, 10}, y[2], dx[8];
    slong i;
    rj_error_init(err);
    rj_seq_init(br);
    rj_net_init(net);
    gl_pool(br, RJ_LAYER_MAXPOOL, 2, 2, 0, 1);
    gl_block(net, in, br, NULL, RJ_SKIP_NONE, RJ_PLACE_NONE, RJ_ACT_RELU);
    rj_seq_clear(br);
    rj_fast_net_init(f);
    rj_fast_work_init(w);
    ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
    ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, 1, 0, err), RJ_OK);
    ck_assert_int_eq(rj_fast_forward(y, w, f, x, 1, err), RJ_OK);
    ck_assert(y[0] == 3 && y[1] == 2);
    ck_assert_int_eq(rj_fast_backward(dx, NULL, NULL, NULL, w, f, dy, err), RJ_OK);
    /* window 1: x[0,1] = 3 and x[1,0] = 3 tie: the first, index 1, wins;
       window 2: x[0,2] = x[0,3] = x[1,2] = 2 tie: index 2 wins */
    for (i = 0; i < 8; i++)
        ck_assert_msg(dx[i] == (i == 1 ? 1 : i == 2 ? 10 : 0), "dx[%ld] = %g", (long) i,
                      dx[i]);
    rj_fast_work_clear(w);
    rj_fast_net_clear(f);
    rj_net_clear(net);
}
END_TEST

/* ------------------------------------------------------------ exact reference */

/* One layer on K stacked vectors of fmpq (vector 0 the value, the others
   tangents at it): y_v = layer(x_v) for v = 0, its linear part at x_0 for
   v > 0.  Piecewise-linear and affine layers only; kinks take the left
   derivative (RJ_TIE_LEFT), max pooling the first maximum. */
static void
ex_layer(fmpq *y, const fmpq *x, slong K, const rj_layer_struct *L)
{
    slong nin = rj_shape_size(L->in), nout = rj_shape_size(L->out), v, o, i;
    slong H = L->in.h, W = L->in.w, Ho = L->out.h, Wo = L->out.w;
    fmpq_t t;
    fmpq_init(t);
    for (v = 0; v < K; v++) {
        const fmpq *xv = x + v * nin, *x0 = x;
        fmpq *yv = y + v * nout;
        for (o = 0; o < nout; o++)
            fmpq_zero(yv + o);
        switch (L->kind) {
        case RJ_LAYER_DENSE:
            for (o = 0; o < nout; o++) {
                if (v == 0 && fmpq_mat_nrows(L->b) > 0)
                    fmpq_set(yv + o, fmpq_mat_entry(L->b, o, 0));
                for (i = 0; i < nin; i++)
                    fmpq_addmul(yv + o, fmpq_mat_entry(L->W, o, i), xv + i);
            }
            break;
        case RJ_LAYER_CONV2D: {
            slong cig = L->in.c / L->groups, cog = L->out.c / L->groups, co, oi, oj, ci, a, b;
            for (co = 0; co < L->out.c; co++)
                for (oi = 0; oi < Ho; oi++)
                    for (oj = 0; oj < Wo; oj++) {
                        fmpq *yo = yv + (co * Ho + oi) * Wo + oj;
                        if (v == 0 && fmpq_mat_nrows(L->b) > 0)
                            fmpq_set(yo, fmpq_mat_entry(L->b, co, 0));
                        for (ci = 0; ci < cig; ci++)
                            for (a = 0; a < L->kh; a++)
                                for (b = 0; b < L->kw; b++) {
                                    slong ii = oi * L->sh - L->ph + a * L->dh;
                                    slong jj = oj * L->sw - L->pw + b * L->dw;
                                    if (ii < 0 || ii >= H || jj < 0 || jj >= W)
                                        continue;
                                    fmpq_addmul(yo, fmpq_mat_entry(L->W, co, (ci * L->kh + a)
                                                                              * L->kw + b),
                                                xv + (((co / cog) * cig + ci) * H + ii) * W + jj);
                                }
                    }
            break;
        }
        case RJ_LAYER_AFFINE:
            for (o = 0; o < nout; o++) {
                slong c = o / (H * W);
                fmpq_mul(yv + o, xv + o, fmpq_mat_entry(L->scale, c, 0));
                if (v == 0 && fmpq_mat_nrows(L->shift) > 0)
                    fmpq_add(yv + o, yv + o, fmpq_mat_entry(L->shift, c, 0));
            }
            break;
        case RJ_LAYER_BATCHNORM:
            /* only when var + eps is a square: (x - mean) gamma / s + beta */
            for (o = 0; o < nout; o++) {
                slong c = o / (H * W);
                fmpq_t sq;
                fmpz_t rn, rd;
                fmpq_init(sq);
                fmpz_init(rn);
                fmpz_init(rd);
                fmpq_add(sq, fmpq_mat_entry(L->var, c, 0), L->eps);
                fmpz_sqrtrem(rn, rd, fmpq_numref(sq));
                ck_assert(fmpz_is_zero(rd));
                fmpz_sqrtrem(fmpq_denref(sq), rd, fmpq_denref(sq));
                ck_assert(fmpz_is_zero(rd));
                fmpz_set(fmpq_numref(sq), rn);
                if (v == 0)
                    fmpq_sub(yv + o, xv + o, fmpq_mat_entry(L->mean, c, 0));
                else
                    fmpq_set(yv + o, xv + o);
                fmpq_div(yv + o, yv + o, sq);
                if (fmpq_mat_nrows(L->scale) > 0)
                    fmpq_mul(yv + o, yv + o, fmpq_mat_entry(L->scale, c, 0));
                if (v == 0 && fmpq_mat_nrows(L->shift) > 0)
                    fmpq_add(yv + o, yv + o, fmpq_mat_entry(L->shift, c, 0));
                fmpq_clear(sq);
                fmpz_clear(rn);
                fmpz_clear(rd);
            }
            break;
        case RJ_LAYER_AVGPOOL:
        case RJ_LAYER_MAXPOOL: {
            slong sh = L->sh > 0 ? L->sh : L->kh, sw = L->sw > 0 ? L->sw : L->kw, a, b;
            for (o = 0; o < nout; o++) {
                slong c = o / (Ho * Wo), oi = (o / Wo) % Ho, oj = o % Wo, best = -1;
                for (a = 0; a < L->kh; a++)
                    for (b = 0; b < L->kw; b++) {
                        slong ii = oi * sh - L->ph + a * L->dh, jj = oj * sw - L->pw + b * L->dw;
                        slong idx = (c * H + ii) * W + jj;
                        if (ii < 0 || ii >= H || jj < 0 || jj >= W)
                            continue;
                        if (L->kind == RJ_LAYER_AVGPOOL)
                            fmpq_add(yv + o, yv + o, xv + idx);
                        else if (best < 0 || fmpq_cmp(x0 + idx, x0 + best) > 0)
                            best = idx;
                    }
                if (L->kind == RJ_LAYER_AVGPOOL) {
                    fmpq_set_si(t, L->kh * L->kw, 1);
                    fmpq_div(yv + o, yv + o, t);
                } else
                    fmpq_set(yv + o, xv + best);
            }
            break;
        }
        case RJ_LAYER_GAP:
            for (o = 0; o < nout; o++) {
                for (i = 0; i < H * W; i++)
                    fmpq_add(yv + o, yv + o, xv + o * H * W + i);
                fmpq_set_si(t, H * W, 1);
                fmpq_div(yv + o, yv + o, t);
            }
            break;
        case RJ_LAYER_FLATTEN:
            for (o = 0; o < nout; o++)
                fmpq_set(yv + o, xv + o);
            break;
        case RJ_LAYER_ACT:
            for (o = 0; o < nout; o++) {
                int pos = fmpq_sgn(x0 + o) > 0;
                if (L->act->kind == RJ_ACT_IDENTITY || pos)
                    fmpq_set(yv + o, xv + o);
                else if (L->act->kind == RJ_ACT_LEAKY_RELU)
                    fmpq_mul(yv + o, xv + o, L->act->slope);
            }
            break;
        default:
            ck_abort_msg("ex_layer: layer kind %d is not piecewise linear", (int) L->kind);
        }
    }
    fmpq_clear(t);
}

/* the outer activation of a block as a layer on n entries */
static void
ex_outer(fmpq *y, const fmpq *x, slong K, slong n, const rj_act_t a)
{
    rj_layer_struct L;
    rj_layer_init(&L, RJ_LAYER_ACT);
    rj_act_set(L.act, a);
    L.in.c = L.out.c = n;
    L.in.h = L.in.w = L.out.h = L.out.w = 1;
    ex_layer(y, x, K, &L);
    rj_layer_clear(&L);
}

/* fmpq vector helpers (FLINT 2.9 has none of these) */
static void
qv_set(fmpq *d, const fmpq *s, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_set(d + i, s + i);
}

static void
qv_add(fmpq *d, const fmpq *a, const fmpq *b, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_add(d + i, a + i, b + i);
}

static void
qv_scale(fmpq *d, const fmpq *s, slong n, const fmpq_t c)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_mul(d + i, s + i, c);
}

static void
qv_zero(fmpq *d, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_zero(d + i);
}

/* y (n_out) and J (n_out x n_in) of a network of general piecewise-linear
   blocks at x, exactly: the value and the n_in unit tangents carried
   together through every layer */
static void
ex_net(fmpq_mat_t y, fmpq_mat_t J, const rj_net_t net, const fmpq_mat_t x)
{
    slong n0 = fmpq_mat_nrows(x), K = 1 + n0, l, j, i, maxw = n0;
    fmpq *cur, *u, *a, *bf, *sk;
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        maxw = FLINT_MAX(maxw, b->n_in);
        for (j = 0; j < b->branch->len; j++)
            maxw = FLINT_MAX(maxw, rj_shape_size(b->branch->layers[j].out));
        for (j = 0; j < b->proj->len; j++)
            maxw = FLINT_MAX(maxw, rj_shape_size(b->proj->layers[j].out));
    }
    cur = _fmpq_vec_init(K * maxw);
    u = _fmpq_vec_init(K * maxw);
    a = _fmpq_vec_init(K * maxw);
    bf = _fmpq_vec_init(K * maxw);
    sk = _fmpq_vec_init(K * maxw);
    for (i = 0; i < n0; i++) {
        fmpq_set(cur + i, fmpq_mat_entry(x, i, 0));
        fmpq_one(cur + (1 + i) * n0 + i);
    }
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        slong ni = b->n_in, no = b->n_out, w = ni;
        fmpq *p = u, *q = a, *t;
        if (b->place == RJ_PLACE_PRE)
            ex_outer(u, cur, K, ni, b->outer);
        else
            qv_set(u, cur, K * ni);
        for (j = 0; j < b->branch->len; j++) {
            ex_layer(q, p, K, b->branch->layers + j);
            w = rj_shape_size(b->branch->layers[j].out);
            t = p;
            p = q;
            q = t;
        }
        qv_set(bf, p, K * w);
        /* the skip part into sk */
        qv_zero(sk, K * no);
        if (b->skip == RJ_SKIP_IDENTITY)
            qv_set(sk, cur, K * no);
        else if (b->skip == RJ_SKIP_SCALED)
            qv_scale(sk, cur, K * no, b->alpha);
        else if (b->skip == RJ_SKIP_PROJECT) {
            p = u;
            q = a;
            qv_set(p, cur, K * ni);
            for (j = 0; j < b->proj->len; j++) {
                ex_layer(q, p, K, b->proj->layers + j);
                t = p;
                p = q;
                q = t;
            }
            qv_set(sk, p, K * no);
        }
        qv_add(sk, sk, bf, K * no);
        if (b->place == RJ_PLACE_POST)
            ex_outer(cur, sk, K, no, b->outer);
        else
            qv_set(cur, sk, K * no);
    }
    {
        slong m = net->blocks[net->len - 1].n_out;
        fmpq_mat_clear(y);
        fmpq_mat_init(y, m, 1);
        fmpq_mat_clear(J);
        fmpq_mat_init(J, m, n0);
        for (i = 0; i < m; i++) {
            fmpq_set(fmpq_mat_entry(y, i, 0), cur + i);
            for (j = 0; j < n0; j++)
                fmpq_set(fmpq_mat_entry(J, i, j), cur + (1 + j) * m + i);
        }
    }
    _fmpq_vec_clear(cur, K * maxw);
    _fmpq_vec_clear(u, K * maxw);
    _fmpq_vec_clear(a, K * maxw);
    _fmpq_vec_clear(bf, K * maxw);
    _fmpq_vec_clear(sk, K * maxw);
}

/* per-channel normalisation of C channels: batchnorm with a rational square
   root (bn = 1) or affine (bn = 0: dyadic parameters stay exact in f64) */
static void
gl_chan(rj_seq_t s, flint_rand_t st, slong C, int bn)
{
    if (bn)
        gl_bn_square(s, st, C);
    else
        gl_norm(s, st, RJ_LAYER_AFFINE, C, 1);
}

/* The piecewise-linear test networks (input 2 x 4 x 4) appended to net:
   kind 0, conv blocks (pre-activation with groups and dilation; post-
   activation with a stride-2 projection; gap, flatten, dense); kind 1,
   pools (max with padding, avg, relu, conv; leaky pre-activation, max,
   flatten; a scaled dense block); kind 2, one normalisation alone. */
static void
gl_pl_net(rj_net_t net, flint_rand_t st, int kind, int bn)
{
    rj_seq_t br, pr;
    rj_shape s4 = {2, 4, 4}, s2 = {4, 2, 2}, c2 = {2, 2, 2}, v2 = {2, 1, 1};
    rj_seq_init(br);
    rj_seq_init(pr);
    if (kind == 2) {
        gl_chan(br, st, 2, bn);
        gl_block(net, s4, br, NULL, RJ_SKIP_NONE, RJ_PLACE_NONE, RJ_ACT_RELU);
    } else if (kind == 0) {
        gl_chan(br, st, 2, bn);
        gl_act(br, RJ_ACT_RELU);
        gl_conv(br, st, 2, 2, 3, 3, 1, 1, 1, 1, 0);
        gl_norm(br, st, RJ_LAYER_AFFINE, 2, 1);
        gl_act(br, RJ_ACT_LEAKY_RELU);
        gl_conv(br, st, 2, 2, 3, 3, 1, 2, 2, 2, 1);
        gl_block(net, s4, br, NULL, RJ_SKIP_IDENTITY, RJ_PLACE_PRE, RJ_ACT_RELU);
        gl_conv(br, st, 2, 4, 3, 3, 2, 1, 1, 1, 0);
        gl_chan(br, st, 4, bn);
        gl_act(br, RJ_ACT_RELU);
        gl_conv(br, st, 4, 4, 3, 3, 1, 1, 1, 1, 1);
        gl_conv(pr, st, 2, 4, 1, 1, 2, 0, 1, 1, 0);
        gl_chan(pr, st, 4, bn);
        gl_block(net, s4, br, pr, RJ_SKIP_PROJECT, RJ_PLACE_POST, RJ_ACT_RELU);
        gl_pool(br, RJ_LAYER_GAP, 1, 1, 0, 1);
        gl_pool(br, RJ_LAYER_FLATTEN, 1, 1, 0, 1);
        gl_dense(br, st, 4, 3, 1);
        gl_block(net, s2, br, NULL, RJ_SKIP_NONE, RJ_PLACE_NONE, RJ_ACT_RELU);
    } else {
        gl_pool(br, RJ_LAYER_MAXPOOL, 3, 1, 1, 1);
        gl_pool(br, RJ_LAYER_AVGPOOL, 2, 2, 0, 1);
        gl_act(br, RJ_ACT_RELU);
        gl_conv(br, st, 2, 2, 3, 3, 1, 1, 1, 1, 1);
        gl_block(net, s4, br, NULL, RJ_SKIP_NONE, RJ_PLACE_NONE, RJ_ACT_RELU);
        gl_act(br, RJ_ACT_LEAKY_RELU);
        gl_pool(br, RJ_LAYER_MAXPOOL, 2, 1, 0, 1);
        gl_pool(br, RJ_LAYER_FLATTEN, 1, 1, 0, 1);
        gl_block(net, c2, br, NULL, RJ_SKIP_NONE, RJ_PLACE_PRE, RJ_ACT_RELU);
        gl_dense(br, st, 2, 4, 1);
        gl_act(br, RJ_ACT_RELU);
        gl_dense(br, st, 4, 2, 0);
        gl_block(net, v2, br, NULL, RJ_SKIP_SCALED, RJ_PLACE_PRE, RJ_ACT_LEAKY_RELU);
    }
    rj_seq_clear(br);
    rj_seq_clear(pr);
}

/* Piecewise-linear general networks with dyadic parameters and points of
   few bits (k/8): every float operation of the f64 pass is exact (products
   and sums of such dyadics stay far below 53 bits, the pools divide by
   powers of two), so the fast output and Jacobian must equal the exact ones
   computed above in fmpq -- the bound |fast - exact| <= 0 of an exact
   computation.  Ties (relu at 0, equal maxima) are frequent at such points
   and both sides take the left derivative and the first maximum. */
START_TEST(test_general_vs_exact)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 109);
    for (it = 0; it < rj_test_iters(12); it++) {
        rj_net_t net;
        fmpq_mat_t x, y, J;
        rj_fast_net_t f;
        rj_fast_work_t w;
        rj_error_t err;
        slong n, m, i, j;
        double *xd, *yf, *Jf;
        rj_net_init(net);
        rj_error_init(err);
        gl_pl_net(net, st, (int) (it % 3), 0);
        rj_fast_net_init(f);
        rj_fast_work_init(w);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
        n = f->n_in;
        m = f->n_out;
        fmpq_mat_init(x, n, 1);
        fmpq_mat_init(y, 0, 0);
        fmpq_mat_init(J, 0, 0);
        rj_test_randmat(x, st, 8, 8);
        xd = malloc(n * sizeof(double));
        yf = malloc(m * sizeof(double));
        Jf = malloc(m * n * sizeof(double));
        for (i = 0; i < n; i++)
            xd[i] = gl_q(x, i, 0);
        ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, m, 0, err), RJ_OK);
        ck_assert_int_eq(rj_fast_forward(yf, w, f, xd, 1, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian(Jf, w, f, err), RJ_OK);
        ex_net(y, J, net, x);
        for (i = 0; i < m; i++) {
            RJ_CHECK(yf[i] == gl_q(y, i, 0), seed, "iteration %ld: y[%ld] fast %.17g exact %.17g",
                     (long) it, (long) i, yf[i], gl_q(y, i, 0));
            for (j = 0; j < n; j++)
                RJ_CHECK(Jf[i * n + j] == gl_q(J, i, j), seed,
                         "iteration %ld: J[%ld][%ld] fast %.17g exact %.17g", (long) it,
                         (long) i, (long) j, Jf[i * n + j], gl_q(J, i, j));
        }
        free(xd);
        free(yf);
        free(Jf);
        fmpq_mat_clear(x);
        fmpq_mat_clear(y);
        fmpq_mat_clear(J);
        rj_fast_work_clear(w);
        rj_fast_net_clear(f);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST


/* A network with a layernorm and the new activations has a written bound
   ([FE 10]): rj_fast_jacobian_bound names no unbounded block, and J is the
   float Jacobian of rj_fast_jacobian.  And the float network
   converts back to an exact one (rj_fast_net_get_net) whose conversion
   gives the same parameters, layer by layer. */
START_TEST(test_general_bound_and_roundtrip)
{
    flint_rand_t st;
    rj_seq_t br;
    rj_net_t net, back;
    rj_fast_net_t f, g;
    rj_fast_bound_t bd;
    rj_fast_work_t w;
    rj_error_t err;
    rj_shape s3 = {2, 3, 3};
    fmpq_mat_t x;
    double *xd, *J;
    slong i, n, m;
    rj_test_randinit(st, seed + 113);
    rj_error_init(err);
    rj_seq_init(br);
    rj_net_init(net);
    rj_net_init(back);
    /* block 1: shorthand relu block; block 2 general (conv, BN, silu) */
    {
        rj_block_t b;
        rj_block_init(b);
        rj_test_randblock(b, st, 18, 5, 18, RJ_SKIP_IDENTITY, RJ_PLACE_PRE, RJ_ACT_RELU,
                          RJ_ACT_RELU, 1, 8, 8);
        ck_assert_int_eq(rj_block_validate(b, NULL, err), RJ_OK);
        rj_net_append(net, b, NULL);
        rj_block_clear(b);
    }
    gl_conv(br, st, 2, 2, 3, 3, 1, 1, 1, 1, 1);
    gl_norm(br, st, RJ_LAYER_BATCHNORM, 2, 1);
    gl_act(br, RJ_ACT_SILU);
    gl_norm(br, st, RJ_LAYER_LAYERNORM, 18, 1);
    gl_act(br, RJ_ACT_SOFTPLUS);
    gl_block(net, s3, br, NULL, RJ_SKIP_SCALED, RJ_PLACE_POST, RJ_ACT_ELU);
    rj_seq_clear(br);
    rj_fast_net_init(f);
    rj_fast_net_init(g);
    rj_fast_bound_init(bd);
    rj_fast_work_init(w);
    ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
    n = f->n_in;
    m = f->n_out;
    fmpq_mat_init(x, n, 1);
    rj_test_randmat(x, st, 8, 8);
    ck_assert_int_eq(rj_fast_jacobian_bound(bd, f, x, err), RJ_OK);
    ck_assert_int_eq(bd->unbounded_block, -1);
    xd = malloc(n * sizeof(double));
    J = malloc(m * n * sizeof(double));
    for (i = 0; i < n; i++)
        xd[i] = gl_q(x, i, 0);
    ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, m, 0, err), RJ_OK);
    ck_assert_int_eq(rj_fast_forward(NULL, w, f, xd, 1, err), RJ_OK);
    ck_assert_int_eq(rj_fast_jacobian(J, w, f, err), RJ_OK);
    for (i = 0; i < m * n; i++) {
        ck_assert(!(bd->E[i] < 0));
        ck_assert_msg(bd->J[i] == J[i], "bound's J[%ld] %.17g vs jacobian %.17g", (long) i,
                      bd->J[i], J[i]);
    }
    /* a shorthand-only network still gets its finite bound */
    {
        rj_fast_net_t f1;
        rj_fast_bound_t b1;
        rj_net_t one;
        rj_net_init(one);
        rj_net_append(one, net->blocks, NULL);
        rj_fast_net_init(f1);
        rj_fast_bound_init(b1);
        ck_assert_int_eq(rj_fast_net_set_net(f1, one, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian_bound(b1, f1, x, err), RJ_OK);
        ck_assert_int_eq(b1->unbounded_block, -1);
        if (b1->certified)
            for (i = 0; i < 18 * 18; i++)
                ck_assert(isfinite(b1->E[i]));
        rj_fast_bound_clear(b1);
        rj_fast_net_clear(f1);
        rj_net_clear(one);
    }
    /* round trip through the exact model, in f32 (parameters rounded once) */
    ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F32, err), RJ_OK);
    rj_fast_net_get_net(back, f);
    ck_assert_int_eq(back->len, 2);
    ck_assert_int_eq(back->blocks[1].general, 1);
    ck_assert_int_eq(back->blocks[1].branch->len, 5);
    ck_assert(back->blocks[1].in.c == 2 && back->blocks[1].in.h == 3
              && back->blocks[1].in.w == 3);
    ck_assert_int_eq(rj_fast_net_set_net(g, back, RJ_FAST_F32, err), RJ_OK);
    ck_assert_int_eq(g->exact_conv, 1);
    ck_assert_int_eq(g->nparams, f->nparams);
    ck_assert(memcmp(g->params, f->params, f->nparams * sizeof(float)) == 0);
    for (i = 0; i < 5; i++) {
        ck_assert(g->blocks[1].layers[i].param == f->blocks[1].layers[i].param);
        ck_assert(g->blocks[1].layers[i].eps == f->blocks[1].layers[i].eps);
    }
    /* and a copy in another dtype keeps the layers */
    ck_assert_int_eq(rj_fast_net_set_fast(g, f, RJ_FAST_F64, err), RJ_OK);
    ck_assert_int_eq(g->blocks[1].nbranch, 5);
    ck_assert(g->blocks[1].layers != f->blocks[1].layers);
    free(xd);
    free(J);
    fmpq_mat_clear(x);
    rj_fast_work_clear(w);
    rj_fast_bound_clear(bd);
    rj_fast_net_clear(f);
    rj_fast_net_clear(g);
    rj_net_clear(net);
    rj_net_clear(back);
    flint_randclear(st);
}
END_TEST


/* max over the n entries of |f_i - mid_i| / e_i (the precise enclosure A's
   midpoints, row-major; A at 200 bits is far narrower than any float error) */
static double
ln_ratio(const double *f, const double *e, const rj_imat_t A, slong n)
{
    mpfr_t d;
    double r = 0;
    slong i;
    mpfr_init2(d, 256);
    for (i = 0; i < n; i++) {
        mpfr_sub_d(d, A->mid + i, f[i], MPFR_RNDN);
        r = FLINT_MAX(r, fabs(mpfr_get_d(d, MPFR_RNDN)) / e[i]);
    }
    mpfr_clear(d);
    return r;
}

/* Layer norm [FE 10]: random general blocks with layer norms (with and
   without shift, parameters and points k/1000, so every conversion rounds)
   and the smooth activations (gelu, gelu_tanh, silu, softplus, elu, tanh,
   sigmoid), f32 and f64: the bound is finite, the float values and partial
   Jacobians meet the precise layer's enclosures (at 200 bits) within it, and
   the largest observed / bound ratio over h_1, h_2 and the Jacobian is not
   absurdly small (the bound is not loose by more than 10^3).  A kernel whose eps is dropped (the float
   net's eps set to 0) is caught at least once. */
START_TEST(test_layernorm_bound_vs_precise)
{
    static const rj_act_kind acts[] = {RJ_ACT_GELU, RJ_ACT_GELU_TANH, RJ_ACT_SILU,
                                       RJ_ACT_SOFTPLUS, RJ_ACT_ELU, RJ_ACT_TANH,
                                       RJ_ACT_SIGMOID};
    flint_rand_t st;
    rj_shape s3 = {2, 3, 3};
    slong it, i, den = gl_den, caught = 0, iters = rj_test_iters(12);
    double worst[2] = {0, 0}, best[2] = {0, 0};
    rj_test_randinit(st, seed + 211);
    gl_den = 1000;
    for (it = 0; it < iters; it++) {
        rj_net_t net;
        rj_seq_t br;
        fmpq_mat_t x;
        rj_fast_net_t f;
        rj_fast_bound_t b;
        rj_precise_parts_t pp;
        rj_error_t err;
        rj_xval_report rep;
        rj_fast_dtype t = it % 2 ? RJ_FAST_F64 : RJ_FAST_F32;
        slong prec = 200, j;
        int s, k = (int) t == (int) RJ_FAST_F64;
        rj_error_init(err);
        rj_net_init(net);
        rj_seq_init(br);
        /* block 1: layernorm (shift or not), an activation, a conv */
        gl_norm(br, st, RJ_LAYER_LAYERNORM, 18, (int) n_randint(st, 2));
        gl_act(br, acts[n_randint(st, 7)]);
        gl_conv(br, st, 2, 2, 3, 3, 1, 1, 1, 1, 1);
        gl_block(net, s3, br, NULL, RJ_SKIP_IDENTITY, RJ_PLACE_NONE, RJ_ACT_IDENTITY);
        /* block 2: conv, activation, layernorm; a scaled skip, tanh after */
        gl_conv(br, st, 2, 2, 3, 3, 1, 1, 1, 1, 1);
        gl_act(br, acts[n_randint(st, 7)]);
        gl_norm(br, st, RJ_LAYER_LAYERNORM, 18, 1);
        gl_block(net, s3, br, NULL, RJ_SKIP_SCALED, RJ_PLACE_POST, RJ_ACT_TANH);
        rj_seq_clear(br);
        fmpq_mat_init(x, 18, 1);
        rj_test_randmat(x, st, 1000, 1000);
        rj_fast_net_init(f);
        rj_fast_bound_init(b);
        rj_precise_parts_init(pp);
        s = rj_fast_net_set_net(f, net, t, err);
        RJ_CHECK(s == RJ_OK, seed, "set_net: %s", err->msg);
        s = rj_fast_jacobian_bound(b, f, x, err);
        RJ_CHECK(s == RJ_OK, seed, "bound: %s", err->msg);
        ck_assert_int_eq(b->unbounded_block, -1);
        RJ_CHECK(b->certified, seed, "iteration %ld: uncertified", (long) it);
        for (i = 0; i < 18 * 18; i++)
            RJ_CHECK(isfinite(b->E[i]), seed, "iteration %ld: E[%ld] = %g", (long) it,
                     (long) i, b->E[i]);
        s = rj_precise_parts_fmpq(pp, net, x, prec, err);
        RJ_CHECK(s == RJ_OK, seed, "precise parts: %s", err->msg);
        s = rj_xval_precise(&rep, b, pp, prec, err);
        RJ_CHECK(s == RJ_OK, seed, "xval precise: %s", err->msg);
        RJ_CHECK(rep.ok, seed,
                 "iteration %ld (%s): float misses the precise enclosure at block %ld "
                 "stage %d entry (%ld,%ld): %g from it, bound %g", (long) it,
                 rj_fast_dtype_name(t), (long) rep.block + 1, rep.stage, (long) rep.row,
                 (long) rep.col, rep.observed, rep.bound);
        /* observed / bound for the block outputs h_1, h_2 and the Jacobian */
        {
            rj_imat_t PJ;
            double q;
            rj_imat_init(PJ, 18, 18, prec);
            s = rj_precise_jacobian_fmpq(PJ, NULL, net, x, prec, err);
            RJ_CHECK(s == RJ_OK, seed, "precise jacobian: %s", err->msg);
            q = FLINT_MAX(ln_ratio(b->J, b->E, PJ, 18 * 18),
                          FLINT_MAX(ln_ratio(b->h[1], b->eh[1], pp->h + 1, 18),
                                    ln_ratio(b->h[2], b->eh[2], pp->h + 2, 18)));
            RJ_CHECK(q <= 1, seed, "iteration %ld: observed / bound %g", (long) it, q);
            worst[k] = FLINT_MAX(worst[k], q);
            best[k] = it < 2 ? q : FLINT_MIN(best[k], q);
            rj_imat_clear(PJ);
        }
        /* the kernel without eps (the bound still assumes it) */
        for (j = 0; j < f->blocks[0].nbranch; j++)
            if (f->blocks[0].layers[j].kind == RJ_LAYER_LAYERNORM)
                f->blocks[0].layers[j].eps = 0;
        if (rj_fast_jacobian_bound(b, f, x, err) == RJ_OK
            && rj_xval_precise(&rep, b, pp, prec, err) == RJ_OK && !rep.ok)
            caught++;
        rj_precise_parts_clear(pp);
        rj_fast_bound_clear(b);
        rj_fast_net_clear(f);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    gl_den = den;
    printf("layernorm bound: observed / bound max %.3g (f32), %.3g (f64); "
           "min over nets %.3g, %.3g; eps dropped caught %ld of %ld\n",
           worst[0], worst[1], best[0], best[1], (long) caught, (long) iters);
    ck_assert(worst[0] > 1e-3 && worst[1] > 1e-3);
    ck_assert(caught > 0);
    flint_randclear(st);
}
END_TEST

/* |f - q| <= e exactly (f, e doubles, q rational) */
static int
gl_within(double f, const fmpq_t q, double e)
{
    fmpq_t d, ee;
    int ok;
    if (isinf(e))
        return 1;
    fmpq_init(d);
    fmpq_init(ee);
    rj_fmpq_set_d_exact(d, f);
    fmpq_sub(d, d, q);
    fmpq_abs(d, d);
    rj_fmpq_set_d_exact(ee, e);
    ok = fmpq_cmp(d, ee) <= 0;
    fmpq_clear(d);
    fmpq_clear(ee);
    return ok;
}

/* General blocks of piecewise-linear and affine layers (dense, conv2d with
   stride / padding / groups, affine, batchnorm with a rational square root,
   avg/max pool, gap, flatten, relu, leaky_relu) with parameters k/1000 (not
   dyadic: every conversion rounds) and points k/1000: the float output and
   Jacobian, f32 and f64, lie within the bound of rj_fast_jacobian_bound of
   the exact ones computed in fmpq by the test's own code [FE 10]. */
START_TEST(test_general_bound_vs_exact)
{
    flint_rand_t st;
    slong it, certified = 0, total = 0;
    rj_test_randinit(st, seed + 127);
    gl_den = 1000;
    for (it = 0; it < rj_test_iters(16); it++) {
        rj_net_t net;
        fmpq_mat_t x, y, J;
        rj_error_t err;
        slong n, m, i, j, L, t;
        rj_net_init(net);
        rj_error_init(err);
        gl_pl_net(net, st, (int) (it % 3), 1);
        n = rj_net_width_in(net);
        fmpq_mat_init(x, n, 1);
        fmpq_mat_init(y, 0, 0);
        fmpq_mat_init(J, 0, 0);
        rj_test_randmat(x, st, 1000, 1000);
        ex_net(y, J, net, x);
        m = fmpq_mat_nrows(y);
        L = net->len;
        for (t = 0; t < 2; t++) {
            rj_fast_net_t f;
            rj_fast_bound_t bd;
            rj_fast_net_init(f);
            rj_fast_bound_init(bd);
            ck_assert_int_eq(rj_fast_net_set_net(f, net, t ? RJ_FAST_F32 : RJ_FAST_F64, err),
                             RJ_OK);
            ck_assert_int_eq(f->exact_conv, 0);
            ck_assert_int_eq(rj_fast_jacobian_bound(bd, f, x, err), RJ_OK);
            ck_assert_int_eq(bd->unbounded_block, -1);
            total++;
            if (bd->certified) {
                certified++;
                for (i = 0; i < m; i++) {
                    RJ_CHECK(gl_within(bd->h[L][i], fmpq_mat_entry(y, i, 0), bd->eh[L][i]),
                             seed, "iteration %ld %s: y[%ld] %.17g, exact %.17g, bound %g",
                             (long) it, t ? "f32" : "f64", (long) i, bd->h[L][i],
                             gl_q(y, i, 0), bd->eh[L][i]);
                    for (j = 0; j < n; j++)
                        RJ_CHECK(gl_within(bd->J[i * n + j], fmpq_mat_entry(J, i, j),
                                           bd->E[i * n + j]),
                                 seed, "iteration %ld %s: J[%ld][%ld] %.17g, exact %.17g, "
                                 "bound %g", (long) it, t ? "f32" : "f64", (long) i, (long) j,
                                 bd->J[i * n + j], gl_q(J, i, j), bd->E[i * n + j]);
                }
                /* the bound is not vacuous: finite, and f32's above f64's scale */
                for (i = 0; i < m * n; i++)
                    ck_assert(isfinite(bd->E[i]));
            }
            rj_fast_bound_clear(bd);
            rj_fast_net_clear(f);
        }
        fmpq_mat_clear(x);
        fmpq_mat_clear(y);
        fmpq_mat_clear(J);
        rj_net_clear(net);
    }
    gl_den = 8;
    RJ_CHECK(certified * 2 >= total, seed, "only %ld of %ld bounds certified", (long) certified,
             (long) total);
    flint_randclear(st);
}
END_TEST


/* gelu, gelu_tanh, elu, silu and softplus ([FE 10]) in shorthand and
   general blocks, inside and outside: the f32 and f64 bounds are finite and the two Jacobians lie
   within the sum of their bounds of each other (both hold the exact one). */
START_TEST(test_smooth_bound_f32_vs_f64)
{
    flint_rand_t st;
    slong it, i, certified = 0;
    rj_test_randinit(st, seed + 131);
    gl_den = 1000;
    for (it = 0; it < rj_test_iters(20); it++) {
        rj_net_t net;
        rj_seq_t br;
        rj_shape v6 = {6, 1, 1};
        rj_block_t b;
        fmpq_mat_t x;
        rj_fast_net_t f32, f64;
        rj_fast_bound_t b32, b64;
        rj_error_t err;
        static const rj_act_kind kinds[] = {RJ_ACT_ELU, RJ_ACT_SILU, RJ_ACT_SOFTPLUS,
                                            RJ_ACT_GELU, RJ_ACT_GELU_TANH};
        rj_act_kind k = kinds[it % 5];
        rj_error_init(err);
        rj_net_init(net);
        rj_seq_init(br);
        rj_block_init(b);
        rj_test_randblock(b, st, 6, 5, 6, RJ_SKIP_IDENTITY, (int) (it % 3), RJ_ACT_RELU,
                          RJ_ACT_RELU, 1, 1000, 1000);
        rj_act_set_kind(b->act, k);
        rj_act_set_kind(b->outer, k);
        if (k == RJ_ACT_ELU)
            fmpq_set_si(b->outer->param, 3, 2);
        ck_assert_int_eq(rj_block_validate(b, NULL, err), RJ_OK);
        rj_net_append(net, b, NULL);
        rj_block_clear(b);
        gl_dense(br, st, 6, 7, 1);
        gl_act(br, k);
        gl_dense(br, st, 7, 6, 1);
        gl_block(net, v6, br, NULL, RJ_SKIP_IDENTITY, (rj_place_kind) ((it + 1) % 3), k);
        rj_seq_clear(br);
        fmpq_mat_init(x, 6, 1);
        rj_test_randmat(x, st, 1000, 1000);
        rj_fast_net_init(f32);
        rj_fast_net_init(f64);
        rj_fast_bound_init(b32);
        rj_fast_bound_init(b64);
        ck_assert_int_eq(rj_fast_net_set_net(f32, net, RJ_FAST_F32, err), RJ_OK);
        ck_assert_int_eq(rj_fast_net_set_net(f64, net, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian_bound(b32, f32, x, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian_bound(b64, f64, x, err), RJ_OK);
        ck_assert_int_eq(b32->unbounded_block, -1);
        if (b32->certified && b64->certified) {
            certified++;
            for (i = 0; i < 36; i++) {
                double d = fabs(b32->J[i] - b64->J[i]);
                ck_assert(isfinite(b32->E[i]) && isfinite(b64->E[i]));
                RJ_CHECK(d <= (b32->E[i] + b64->E[i]) * (1 + 0x1p-50), seed,
                         "iteration %ld entry %ld: f32 %.9g vs f64 %.17g beyond %g + %g",
                         (long) it, (long) i, b32->J[i], b64->J[i], b32->E[i], b64->E[i]);
            }
        }
        rj_fast_bound_clear(b32);
        rj_fast_bound_clear(b64);
        rj_fast_net_clear(f32);
        rj_fast_net_clear(f64);
        fmpq_mat_clear(x);
        rj_net_clear(net);
    }
    gl_den = 8;
    RJ_CHECK(certified * 2 >= rj_test_iters(20), seed, "only %ld certified", (long) certified);
    flint_randclear(st);
}
END_TEST

static Suite *
fast_suite(void)
{
    Suite *s = suite_create("fast");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_f32_vs_f64);
    tcase_add_test(tc, test_graded_vs_exact);
    tcase_add_test(tc, test_graded_compact_vs_exact);
    tcase_add_test(tc, test_graded_compact_every_isa);
    tcase_add_test(tc, test_graded_sums_to_gradient);
    tcase_add_test(tc, test_jacobian_variants);
    tcase_add_test(tc, test_weight_gradients);
    tcase_add_test(tc, test_weight_gradients_exact);
    tcase_add_test(tc, test_convert_roundtrip);
    tcase_add_test(tc, test_random_parse_errors);
    tcase_add_test(tc, test_random_identity_and_linear);
    tcase_add_test(tc, test_limits_and_errors);
    tcase_add_test(tc, test_log_binomial);
    tcase_add_test(tc, test_conv_vs_direct);
    tcase_add_test(tc, test_general_layers_fd);
    tcase_add_test(tc, test_shorthand_vs_general_bits);
    tcase_add_test(tc, test_maxpool_first_max);
    tcase_add_test(tc, test_general_vs_exact);
    tcase_add_test(tc, test_general_bound_and_roundtrip);
    tcase_add_test(tc, test_general_bound_vs_exact);
    tcase_add_test(tc, test_layernorm_bound_vs_precise);
    tcase_add_test(tc, test_smooth_bound_f32_vs_f64);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20240611);
    return rj_test_run(fast_suite());
}
