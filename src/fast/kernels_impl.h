/* resjac fast core: the typed kernels, written once for T = float and
 * T = double.  Included by kernels_s.c and kernels_d.c with
 *   T      the float type,        SFX   s or d,
 *   GEMM   cblas_sgemm / dgemm,   TANH, EXP  tanhf/tanh, expf/exp.
 *
 * The order of every floating-point operation here is the one analysed in
 * proofs/fast-error-bound.md ([FE 4] forward, [FE 5] backward); change one
 * and the other together. */

/* Elementwise loops: restrict pointers (no aliasing) and one clone per
   vector ISA, chosen at load time (ifunc), so the loops vectorize without
   build flags.  Rounding is unaffected: the same IEEE operations, no FMA
   contraction is assumed or excluded by the bound ([FE 1]). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VEC_CLONES __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define VEC_CLONES
#endif

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SFX)

/* C = A op(B) (+ C when beta = 1), row-major. */
static void
FN(gemm)(int transA, int transB, slong M, slong N, slong K, const T *A, slong lda,
         const T *B, slong ldb, T beta, T *C, slong ldc)
{
    if (M == 0 || N == 0)
        return;
    if (K == 0) {
        slong i, j;
        if (beta == 0)
            for (i = 0; i < M; i++)
                for (j = 0; j < N; j++)
                    C[i * ldc + j] = 0;
        return;
    }
    GEMM(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
         transB ? CblasTrans : CblasNoTrans, (blasint) M, (blasint) N, (blasint) K,
         (T) 1, A, (blasint) lda, B, (blasint) ldb, beta, C, (blasint) ldc);
}

VEC_CLONES void
FN(fast_act)(T *y, const T *x, slong n, rj_act_kind kind, T slope)
{
    slong i;
    switch (kind) {
    case RJ_ACT_IDENTITY:
        if (y != x)
            memcpy(y, x, n * sizeof(T));
        break;
    case RJ_ACT_RELU:
        for (i = 0; i < n; i++)
            y[i] = x[i] > 0 ? x[i] : (T) 0;
        break;
    case RJ_ACT_LEAKY_RELU:
        for (i = 0; i < n; i++)
            y[i] = x[i] > 0 ? x[i] : slope * x[i];
        break;
    case RJ_ACT_TANH:
        for (i = 0; i < n; i++)
            y[i] = TANH(x[i]);
        break;
    case RJ_ACT_SIGMOID:
        for (i = 0; i < n; i++)
            y[i] = (T) 1 / ((T) 1 + EXP(-x[i]));
        break;
    default: /* other kinds are refused by rj_fast_net_set_net */
        break;
    }
}

/* d = act'(z) where v = z (v_is_output = 0) or v = act(z) (v_is_output = 1;
   not for leaky_relu with a negative slope).  Kinks take the left
   derivative. */
VEC_CLONES void
FN(fast_deriv)(T *restrict d, const T *restrict v, slong n, rj_act_kind kind, T slope,
               int v_is_output)
{
    slong i;
    switch (kind) {
    case RJ_ACT_IDENTITY:
        for (i = 0; i < n; i++)
            d[i] = 1;
        break;
    case RJ_ACT_RELU:
        for (i = 0; i < n; i++)
            d[i] = v[i] > 0 ? (T) 1 : (T) 0;
        break;
    case RJ_ACT_LEAKY_RELU:
        for (i = 0; i < n; i++)
            d[i] = v[i] > 0 ? (T) 1 : slope;
        break;
    case RJ_ACT_TANH:
        for (i = 0; i < n; i++) {
            T t = v_is_output ? v[i] : TANH(v[i]);
            d[i] = (T) 1 - t * t;
        }
        break;
    case RJ_ACT_SIGMOID:
        for (i = 0; i < n; i++) {
            T s = v_is_output ? v[i] : (T) 1 / ((T) 1 + EXP(-v[i]));
            d[i] = s * ((T) 1 - s);
        }
        break;
    default: /* other kinds are refused by rj_fast_net_set_net */
        break;
    }
}

/* out = in * D row by row: row r uses derivative row (r / sub) mod B. */
static void
FN(row_mul)(T *restrict o, const T *restrict a, const T *restrict d, slong n)
{
    slong j;
    for (j = 0; j < n; j++)
        o[j] = a[j] * d[j];
}

VEC_CLONES static void
FN(row_mul_inplace)(T *restrict o, const T *restrict d, slong n)
{
    slong j;
    for (j = 0; j < n; j++)
        o[j] = o[j] * d[j];
}

/* out = in * D row by row: row r uses derivative row (r / sub) mod B;
   out may equal in. */
VEC_CLONES static void
FN(rows_mul)(T *out, const T *in, const T *D, slong R, slong n, slong sub, slong B)
{
    slong r;
    for (r = 0; r < R; r++) {
        const T *d = D + ((r / sub) % B) * n;
        if (out == in)
            FN(row_mul_inplace)(out + r * n, d, n);
        else
            FN(row_mul)(out + r * n, in + r * n, d, n);
    }
}

/* out = in * D + G (the PRE derivative and the identity skip, fused). */
VEC_CLONES static void
FN(rows_mul_add)(T *restrict out, const T *restrict in, const T *restrict D,
                 const T *restrict G, slong R, slong n, slong sub, slong B)
{
    slong r, j;
    for (r = 0; r < R; r++) {
        const T *restrict d = D + ((r / sub) % B) * n;
        const T *restrict a = in + r * n, *restrict g = G + r * n;
        T *restrict o = out + r * n;
        for (j = 0; j < n; j++)
            o[j] = a[j] * d[j] + g[j];
    }
}

/* out = a + b (the identity skip without PRE, the graded combine) */
VEC_CLONES static void
FN(vec_add)(T *restrict out, const T *restrict a, const T *restrict b, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

/* rows of C += b (bias broadcast) */
static void
FN(add_bias)(T *C, const T *b, slong R, slong n)
{
    slong r, j;
    for (r = 0; r < R; r++)
        for (j = 0; j < n; j++)
            C[r * n + j] += b[j];
}

static void
FN(colsum)(T *s, const T *A, slong R, slong n)
{
    slong r, j;
    for (j = 0; j < n; j++)
        s[j] = 0;
    for (r = 0; r < R; r++)
        for (j = 0; j < n; j++)
            s[j] += A[r * n + j];
}

double
FN(fast_sumsq)(const T *x, slong n)
{
    double s = 0;
    slong i;
    for (i = 0; i < n; i++)
        s += (double) x[i] * (double) x[i];
    return s;
}

/* Y = S h (+ b) , the skip part and the last bias; [FE 4] steps Y0, Y1. */
static void
FN(skip_forward)(T *Y, const T *H, slong R, const rj_fast_block_struct *b, const T *Ws)
{
    slong i, n = R * b->n_out;
    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
        memcpy(Y, H, n * sizeof(T));
        break;
    case RJ_SKIP_SCALED: {
        T a = (T) b->alpha;
        for (i = 0; i < n; i++)
            Y[i] = a * H[i];
        break;
    }
    case RJ_SKIP_PROJECT:
        FN(gemm)(0, 1, R, b->n_out, b->n_in, H, b->n_in, Ws, b->n_in, 0, Y, b->n_out);
        break;
    case RJ_SKIP_NONE:
        memset(Y, 0, n * sizeof(T));
        break;
    }
}

/* Forward step of one block over B points ([FE 4]):
     u = sigma(h) (PRE) or h;
     z = b1 + u W1^T, a = act(z)              (two-layer)
     y = S h; y += b_last; y += a W2^T        (or u W1^T, one-layer)
     p = y; y = sigma(p)                      (POST)
   U is scratch for u (B x n_in). */
void
FN(fast_block_forward)(T *Y, T *U, const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    const T *H = (const T *) c->H;
    const T *u = H, *last_in;
    const T *last_W, *last_b;
    slong B = c->B, k;

    if (b->place == RJ_PLACE_PRE && b->outer != RJ_ACT_IDENTITY) {
        FN(fast_act)(U, H, B * b->n_in, b->outer, (T) b->outer_slope);
        u = U;
    }
    if (b->two_layer) {
        slong h = b->n_hidden;
        T *A = (T *) c->A;
        T *Z = c->Z != NULL ? (T *) c->Z : A;
        if (c->b1 != NULL) {
            slong r;
            for (r = 0; r < B; r++)
                memcpy(Z + r * h, c->b1, h * sizeof(T));
            FN(gemm)(0, 1, B, h, b->n_in, u, b->n_in, (const T *) c->W1, b->n_in, 1, Z, h);
        } else {
            FN(gemm)(0, 1, B, h, b->n_in, u, b->n_in, (const T *) c->W1, b->n_in, 0, Z, h);
        }
        FN(fast_act)(A, Z, B * h, b->act, (T) b->act_slope);
        last_in = A;
        last_W = (const T *) c->W2;
        last_b = (const T *) c->b2;
        k = h;
    } else {
        last_in = u;
        last_W = (const T *) c->W1;
        last_b = (const T *) c->b1;
        k = b->n_in;
    }
    FN(skip_forward)(Y, H, B, b, (const T *) c->Ws);
    if (last_b != NULL)
        FN(add_bias)(Y, last_b, B, b->n_out);
    FN(gemm)(0, 1, B, b->n_out, k, last_in, k, last_W, k, 1, Y, b->n_out);
    if (b->place == RJ_PLACE_POST) {
        if (c->P != NULL)
            memcpy(c->P, Y, B * b->n_out * sizeof(T));
        FN(fast_act)(Y, Y, B * b->n_out, b->outer, (T) b->outer_slope);
    }
}

/* Derivative rows of a block's activations, from the stored values. */
static void
FN(block_derivs)(fast_scratch *s, const fast_ctx *c, int need_u)
{
    const rj_fast_block_struct *b = c->blk;
    slong B = c->B;
    if (b->place == RJ_PLACE_POST) {
        if (c->P != NULL)
            FN(fast_deriv)((T *) s->Dpost, (const T *) c->P, B * b->n_out, b->outer,
                           (T) b->outer_slope, 0);
        else
            FN(fast_deriv)((T *) s->Dpost, (const T *) c->Hout, B * b->n_out, b->outer,
                           (T) b->outer_slope, 1);
    }
    if (b->two_layer) {
        if (c->Z != NULL)
            FN(fast_deriv)((T *) s->Dact, (const T *) c->Z, B * b->n_hidden, b->act,
                           (T) b->act_slope, 0);
        else
            FN(fast_deriv)((T *) s->Dact, (const T *) c->A, B * b->n_hidden, b->act,
                           (T) b->act_slope, 1);
    }
    if (b->place == RJ_PLACE_PRE) {
        int smooth = b->outer == RJ_ACT_TANH || b->outer == RJ_ACT_SIGMOID;
        if (smooth || need_u)
            FN(fast_act)((T *) s->U, (const T *) c->H, B * b->n_in, b->outer,
                         (T) b->outer_slope);
        if (smooth)
            FN(fast_deriv)((T *) s->Dpre, (const T *) s->U, B * b->n_in, b->outer,
                           (T) b->outer_slope, 1);
        else
            FN(fast_deriv)((T *) s->Dpre, (const T *) c->H, B * b->n_in, b->outer,
                           (T) b->outer_slope, 0);
    }
}

/* Backward step of one block on R cotangent rows (row r of point
   (r / sub) mod B), [FE 5]:
     gp = g * sigma'(p)              (POST; else gp = g)
     t0 = gp W2, tm = t0 * act'(z)   (two-layer; else tm = gp)
     gu = tm W1
     gin = gu * sigma'(h) + gp S     (sigma' for PRE only; S by kind)
   With dparams (gradient mode: sub = 1, R = B) also the weight gradients of
   the block, at the block's offsets relative to dparams. */
void
FN(fast_block_backward)(T *Gin, fast_trace *tr, fast_scratch *s, T *dparams,
                        const T *Gout, slong R, slong sub, const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    slong B = c->B, n_in = b->n_in, n_out = b->n_out;
    slong w1r = fast_w1_rows(b);
    const T *Gp = Gout, *Tm;
    T *GU = (T *) s->GU;
    int pre = b->place == RJ_PLACE_PRE;

    FN(block_derivs)(s, c, dparams != NULL && pre);
    tr->Dpost = tr->Dact = tr->Dpre = NULL;
    tr->T0 = tr->Tm = NULL;
    if (b->place == RJ_PLACE_POST) {
        FN(rows_mul)((T *) s->Gp, Gout, (const T *) s->Dpost, R, n_out, sub, B);
        Gp = (const T *) s->Gp;
        tr->Dpost = s->Dpost;
    }
    tr->Gp = Gp;
    if (b->two_layer) {
        slong h = b->n_hidden;
        FN(gemm)(0, 0, R, h, n_out, Gp, n_out, (const T *) c->W2, h, 0, (T *) s->T0, h);
        FN(rows_mul)((T *) s->Tm, (const T *) s->T0, (const T *) s->Dact, R, h, sub, B);
        Tm = (const T *) s->Tm;
        tr->T0 = s->T0;
        tr->Tm = s->Tm;
        tr->Dact = s->Dact;
    } else {
        Tm = Gp;
    }
    FN(gemm)(0, 0, R, n_in, w1r, Tm, w1r, (const T *) c->W1, n_in, 0, GU, n_in);
    tr->GU = GU;
    if (pre)
        tr->Dpre = s->Dpre;

    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
        if (pre)
            FN(rows_mul_add)(Gin, GU, (const T *) s->Dpre, Gp, R, n_in, sub, B);
        else
            FN(vec_add)(Gin, GU, Gp, R * n_in);
        break;
    case RJ_SKIP_SCALED: {
        T a = (T) b->alpha;
        slong i;
        if (pre)
            FN(rows_mul)(Gin, GU, (const T *) s->Dpre, R, n_in, sub, B);
        else
            memcpy(Gin, GU, R * n_in * sizeof(T));
        for (i = 0; i < R * n_in; i++)
            Gin[i] = Gin[i] + a * Gp[i];
        break;
    }
    case RJ_SKIP_PROJECT:
        if (pre)
            FN(rows_mul)(Gin, GU, (const T *) s->Dpre, R, n_in, sub, B);
        else
            memcpy(Gin, GU, R * n_in * sizeof(T));
        FN(gemm)(0, 0, R, n_in, n_out, Gp, n_out, (const T *) c->Ws, n_in, 1, Gin, n_in);
        break;
    case RJ_SKIP_NONE:
        if (pre)
            FN(rows_mul)(Gin, GU, (const T *) s->Dpre, R, n_in, sub, B);
        else
            memcpy(Gin, GU, R * n_in * sizeof(T));
        break;
    }

    if (dparams != NULL) {
        const T *u = pre && b->outer != RJ_ACT_IDENTITY ? (const T *) s->U
                                                         : (const T *) c->H;
        if (b->two_layer) {
            slong h = b->n_hidden;
            FN(gemm)(1, 0, n_out, h, R, Gp, n_out, (const T *) c->A, h, 0,
                     dparams + b->W2, h);
            if (b->b2 >= 0)
                FN(colsum)(dparams + b->b2, Gp, R, n_out);
        }
        FN(gemm)(1, 0, w1r, n_in, R, Tm, w1r, u, n_in, 0, dparams + b->W1, n_in);
        if (b->b1 >= 0)
            FN(colsum)(dparams + b->b1, Tm, R, w1r);
        if (b->skip == RJ_SKIP_PROJECT)
            FN(gemm)(1, 0, n_out, n_in, R, Gp, n_out, (const T *) c->H, n_in, 0,
                     dparams + b->Ws, n_in);
    }
}

/* Tangent (forward-mode) step: R tangent rows at the block input to R rows at
   its output, t_out = J_l t (as rows: t_out = t J_l^T). */
void
FN(fast_block_tangent)(T *Tout, fast_scratch *s, const T *Tin, slong R, slong sub,
                       const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    slong B = c->B, n_in = b->n_in, n_out = b->n_out;
    const T *tu = Tin, *last_in;
    const T *last_W;
    slong k;

    FN(block_derivs)(s, c, 0);
    if (b->place == RJ_PLACE_PRE) {
        FN(rows_mul)((T *) s->Gp, Tin, (const T *) s->Dpre, R, n_in, sub, B);
        tu = (const T *) s->Gp;
    }
    if (b->two_layer) {
        slong h = b->n_hidden;
        FN(gemm)(0, 1, R, h, n_in, tu, n_in, (const T *) c->W1, n_in, 0, (T *) s->T0, h);
        FN(rows_mul)((T *) s->Tm, (const T *) s->T0, (const T *) s->Dact, R, h, sub, B);
        last_in = (const T *) s->Tm;
        last_W = (const T *) c->W2;
        k = h;
    } else {
        last_in = tu;
        last_W = (const T *) c->W1;
        k = n_in;
    }
    FN(skip_forward)(Tout, Tin, R, b, (const T *) c->Ws);
    FN(gemm)(0, 1, R, n_out, k, last_in, k, last_W, k, 1, Tout, n_out);
    if (b->place == RJ_PLACE_POST)
        FN(rows_mul)(Tout, Tout, (const T *) s->Dpost, R, n_out, sub, B);
}

/* Graded step: V holds the lengths kmin..kmax (K slices of R rows of width
   n_out, packed); on return Vnew holds the new range (slices of width n_in)
   and kmin, kmax are updated.  V is overwritten (POST derivative in place);
   Q, KS, TT are scratch of the same capacity. */
void
FN(fast_block_graded)(T *Vnew, slong *kmin, slong *kmax, T *V, T *Q, T *KS, T *TT,
                      fast_scratch *s, slong R, slong sub, const fast_ctx *c)
{
    const rj_fast_block_struct *b = c->blk;
    slong B = c->B, n_in = b->n_in, n_out = b->n_out;
    slong w1r = fast_w1_rows(b);
    slong K = *kmax - *kmin + 1, RK = K * R;
    slong k, nk0, nk1, slice = R * n_in;
    const T *Vp = V, *Tm, *Spart = NULL;

    FN(block_derivs)(s, c, 0);
    if (b->place == RJ_PLACE_POST)
        FN(rows_mul)(V, V, (const T *) s->Dpost, RK, n_out, sub, B);
    /* branch part of every live length: one gemm chain on K * R rows */
    if (b->two_layer) {
        slong h = b->n_hidden;
        FN(gemm)(0, 0, RK, h, n_out, Vp, n_out, (const T *) c->W2, h, 0, TT, h);
        FN(rows_mul)(TT, TT, (const T *) s->Dact, RK, h, sub, B);
        Tm = TT;
    } else {
        Tm = Vp;
    }
    FN(gemm)(0, 0, RK, n_in, w1r, Tm, w1r, (const T *) c->W1, n_in, 0, Q, n_in);
    /* the PRE derivative of Q is applied in the combine below (one pass) */
    /* skip part */
    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
        Spart = Vp;
        break;
    case RJ_SKIP_SCALED: {
        T a = (T) b->alpha;
        slong i;
        for (i = 0; i < RK * n_in; i++)
            KS[i] = a * Vp[i];
        Spart = KS;
        break;
    }
    case RJ_SKIP_PROJECT:
        FN(gemm)(0, 0, RK, n_in, n_out, Vp, n_out, (const T *) c->Ws, n_in, 0, KS, n_in);
        Spart = KS;
        break;
    case RJ_SKIP_NONE:
        Spart = NULL;
        break;
    }
    /* V'_k = S-part_k + Q_{k-1} */
    nk0 = Spart != NULL ? *kmin : *kmin + 1;
    nk1 = *kmax + 1;
    for (k = nk0; k <= nk1; k++) {
        T *out = Vnew + (k - nk0) * slice;
        int has_s = Spart != NULL && k <= *kmax;
        int has_q = k - 1 >= *kmin;
        const T *sp = has_s ? Spart + (k - *kmin) * slice : NULL;
        const T *qp = has_q ? Q + (k - 1 - *kmin) * slice : NULL;
        if (b->place == RJ_PLACE_PRE && has_q) {
            if (has_s)
                FN(rows_mul_add)(out, qp, (const T *) s->Dpre, sp, R, n_in, sub, B);
            else
                FN(rows_mul)(out, qp, (const T *) s->Dpre, R, n_in, sub, B);
        } else if (has_s && has_q)
            FN(vec_add)(out, sp, qp, slice);
        else if (has_s)
            memcpy(out, sp, slice * sizeof(T));
        else
            memcpy(out, qp, slice * sizeof(T));
    }
    *kmin = nk0;
    *kmax = nk1;
}

/* ------------------------------------------------------------ graded by rows */

/* The graded pass of rj_fast_graded_compact runs row by row in a transposed
   layout: row r keeps VT_r, n x ldv, entry [i][k] = component k of the
   cotangent at input i.  Per block ([FE 5] products, exact-zero terms left
   out, sums in another order):
       TT = W2[:, A]^T VT_r            (|A| x K)    A: active hidden units
       VT_r[I][k + 1] += (W1[A, I]^T TT)[k]         I: active inputs
   with no gathered copies: both products are read through index arrays by
   the kernel below, which comes in one instance per vector ISA with a tile
   sized to its registers (idx_kernel_impl.h), picked at run time.  (A tile
   of 64-byte vectors compiled for AVX2 spills its accumulators: the pass
   took 8.2 s instead of 0.42 s with the AVX2 instance, measured.) */
#define IDX_VB 16
#define IDX_MR 4
#define IDX_NV 3
#define IDX_ISA sse
#define IDX_TARGET
#include "idx_kernel_impl.h"
#if defined(__GNUC__) && defined(__x86_64__)
#define FAST_IDX_DISPATCH 1
#define IDX_VB 32
#define IDX_MR 4
#define IDX_NV 3
#define IDX_ISA avx2
#define IDX_TARGET __attribute__((target("avx2,fma")))
#include "idx_kernel_impl.h"
#define IDX_VB 64
#define IDX_MR 6
#define IDX_NV 4
#define IDX_ISA avx512
#define IDX_TARGET __attribute__((target("avx512f,fma")))
#include "idx_kernel_impl.h"
#endif

typedef void (*FN(idx_fn))(slong, slong, slong, const T *, const slong *, const slong *,
                           const T *, slong, T *, slong, const slong *);

/* The widest kernel this processor runs; RJ_FAST_ISA=sse|avx2|avx512 asks
   for a narrower one (a diagnostic: the tests run every instance). */
static FN(idx_fn)
FN(idx_pick)(void)
{
#ifdef FAST_IDX_DISPATCH
    const char *want = getenv("RJ_FAST_ISA");
    int w512, w256;
    __builtin_cpu_init();
    w512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    w256 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (want != NULL && strcmp(want, "sse") == 0)
        w512 = w256 = 0;
    else if (want != NULL && strcmp(want, "avx2") == 0)
        w512 = 0;
    if (w512)
        return CAT(FN(idx_kernel), avx512);
    if (w256)
        return CAT(FN(idx_kernel), avx2);
#endif
    return CAT(FN(idx_kernel), sse);
}

/* Dst (cols x rows) = Src^T (Src rows x cols, row-major), in 8 x 8 tiles:
   each tile reads 8 runs of 8 entries of Src and writes 8 runs of 8 entries
   of Dst. */
static void
FN(transpose)(T *restrict dst, const T *restrict src, slong rows, slong cols)
{
    slong i0, j0, i, j;
    for (i0 = 0; i0 < rows; i0 += 8)
        for (j0 = 0; j0 < cols; j0 += 8) {
            if (i0 + 8 <= rows && j0 + 8 <= cols) {
                T b[8][8];
#pragma GCC unroll 8
                for (i = 0; i < 8; i++)
#pragma GCC unroll 8
                    for (j = 0; j < 8; j++)
                        b[j][i] = src[(i0 + i) * cols + j0 + j];
#pragma GCC unroll 8
                for (j = 0; j < 8; j++)
#pragma GCC unroll 8
                    for (i = 0; i < 8; i++)
                        dst[(j0 + j) * rows + i0 + i] = b[j][i];
            } else
                for (i = i0; i < rows && i < i0 + 8; i++)
                    for (j = j0; j < cols && j < j0 + 8; j++)
                        dst[j * rows + i] = src[i * cols + j];
        }
}

/* Rows r0 <= r < r1 of the compacted graded pass through every block (all of
   them compactable, width n), thread t of nt: VT holds each row's n x ldv
   block (on entry column 0 = the cotangent, the rest 0).  WT (shared by the
   threads) receives every block's W2^T and W1^T (2 n n_hidden per block, in
   block order), so that both products read their weights along rows: the
   threads transpose blocks t, t + nt, ... and wait once at bar (NULL for one
   thread); from then on each runs its rows through all blocks alone.
   Per thread: TT of max n_hidden x ldv (64-byte aligned), idx of
   2 max n_hidden + 3 n entries.  Row r belongs to point (r / sub) mod B. */
void
FN(fast_graded_rows)(T *VT, slong ldv, slong r0, slong r1, slong sub, T *TT, T *WT,
                     slong *idx, int t, int nt, pthread_barrier_t *bar,
                     const rj_fast_net_struct *net, const rj_fast_work_struct *w)
{
    slong L = net->len, n = net->n_in, l, r, i, j, off;
    slong maxh = 0;
    FN(idx_fn) kern = FN(idx_pick)();
    for (l = 0; l < L; l++)
        maxh = net->blocks[l].n_hidden > maxh ? net->blocks[l].n_hidden : maxh;
    for (l = 0, off = 0; l < L; off += 2 * n * net->blocks[l].n_hidden, l++)
        if (l % nt == t) {
            fast_ctx c;
            slong h = net->blocks[l].n_hidden;
            fast_ctx_set(&c, net, w, l);
            FN(transpose)(WT + off, (const T *) c.W2, n, h);            /* h x n */
            FN(transpose)(WT + off + n * h, (const T *) c.W1, h, n);    /* n x h */
        }
    if (bar != NULL)
        pthread_barrier_wait(bar);
    {
        slong *ia = idx, *c2 = idx + maxh, *ii = idx + 2 * maxh, *c1 = ii + n,
              *rout = c1 + n;
        for (i = 0; i < n; i++)
            c1[i] = i;
        for (l = L - 1; l >= 0; l--) {
            fast_ctx c;
            slong h, K = L - l, ha = 0, ni = 0, p_prev = -1;
            const T *Aall, *Hall, *W2T, *W1T;
            fast_ctx_set(&c, net, w, l);
            h = c.blk->n_hidden;
            off -= 2 * n * h;
            W2T = WT + off;
            W1T = W2T + n * h;
            Aall = (const T *) c.A;
            Hall = (const T *) c.H;
            for (r = r0; r < r1; r++) {
                const T *a, *x;
                slong p = (r / sub) % c.B;
                T *V = VT + r * n * ldv;
                if (p != p_prev) {
                    a = Aall + p * h;
                    x = Hall + p * n;
                    for (j = 0, ha = 0; j < h; j++)
                        if (a[j] > 0) {
                            ia[ha] = j;
                            c2[ha++] = j * n;
                        }
                    for (i = 0, ni = 0; i < n; i++)
                        if (x[i] > 0) {
                            rout[ni] = i * ldv + 1;
                            ii[ni++] = i * h;
                        }
                    p_prev = p;
                }
                if (ha == 0 || ni == 0)
                    continue;
                /* TT = W2[:, A]^T V;  V[I][k + 1] += (W1[A, I]^T TT)[k] */
                kern(ha, K, n, W2T, c2, c1, V, ldv, TT, ldv, NULL);
                kern(ni, K, ha, W1T, ii, ia, TT, ldv, V, 0, rout);
            }
        }
    }
}

#undef FN
#undef CAT
#undef CAT_
