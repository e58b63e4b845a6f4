/* Tests of the fast core (src/fast): float32 vs float64 within their bounds,
 * graded components (against the exact expansion, compacted vs uncompacted,
 * every kernel ISA, summing to the gradient), reverse vs forward mode vs one
 * backward per row, weight gradients (against exact difference quotients and
 * central differences), conversions, random networks, limits.  The float
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
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20240611);
    return rj_test_run(fast_suite());
}
