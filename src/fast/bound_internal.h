/* resjac fast core: what the two files of the error bound share (bound.c:
 * shorthand blocks and the driver; bound_general.c: the layers of general
 * blocks).  The argument is proofs/fast-error-bound.md, cited [FE n]. */
#ifndef RESJAC_FAST_BOUND_INTERNAL_H
#define RESJAC_FAST_BOUND_INTERNAL_H

#include "fast_internal.h"

#define ETA_D 0x1p-1074

typedef struct {
    rj_fast_dtype t;
    double u;       /* unit roundoff of the dtype [FE 1] */
    double eta;     /* smallest positive subnormal of the dtype */
    double dconv;   /* relative conversion error of the weights: 0 or u [FE 2] */
    double c1;      /* 1 + 2 dconv, upper */
    double c2;      /* 2 dconv */
    double tiny_sig;/* absolute error of sigmoid when exp(-z) overflows [FE 6] */
} bctx;

/* A constant computed from a few roundings, pushed up to an upper bound. */
static inline double
up(double x)
{
    return x * (1 + 0x1p-40);
}

/* gamma_k = k u / (1 - k u) <= k u (1 + 2 k u) for k u <= 1/2 [FE 1] */
static inline double
gam(const bctx *c, slong k)
{
    double ku = (double) k * c->u;
    return up(ku * (1 + 2 * ku));
}

static inline double
getv(const void *p, slong i, rj_fast_dtype t)
{
    return t == RJ_FAST_F32 ? (double) ((const float *) p)[i] : ((const double *) p)[i];
}

/* nonnegative product pushed past underflow [FE 8] */
static inline double
mu(double a, double b)
{
    return a * b + ETA_D;
}

typedef struct {
    double *ez;   /* per block: bound of the hidden pre-activation z (two-layer) */
    double *ey;   /* per block: bound of y before the outer activation */
} blk_bounds;

/* per general block: the float values (typed and as doubles) and bounds of
   every position: branch p = 0 (u), p = j + 1 (output of layer j); the
   projection's likewise (p = 0: h) */
typedef struct {
    slong nb, np;
    void **bt, **pt;        /* typed, owned unless pointing at the workspace */
    int *bown, *pown;
    double **bv, **be, **pv, **pe;
} gen_bounds;

/* Shared steps (bound.c) */
double fast_bound_act_err(int *cert, const bctx *c, rj_act_kind k, double slope, double v,
                          double y, double e, double F);
double fast_bound_deriv_err(const bctx *c, rj_act_kind k, double slope, double dhat,
                            double x, double y, double epre);
void fast_bound_absmatvec(double *y, const void *W, slong rows, slong cols, const double *x,
                          rj_fast_dtype t);
void fast_bound_uncertain(rj_fast_bound_t b, slong block, int where, slong unit, double v,
                          double e);
int fast_bound_all_finite(const void *p, slong n, rj_fast_dtype t);
void fast_bound_mask_step(double *Eout, const void *G, const double *Ein, const void *D,
                          const double *eD, slong R, slong n, const bctx *c);
void fast_bound_gemm_step(double *Eout, const void *G, const double *Ein, slong R, slong k,
                          const void *W, slong n, const bctx *c, double *M, double *Wabs);

/* General blocks (bound_general.c, [FE 10]) */
int fast_bound_gen_forward(gen_bounds *g, rj_fast_bound_t b, blk_bounds *bb, slong *unc_max,
                           const rj_fast_net_t net, const rj_fast_work_t w, slong l,
                           const bctx *c, double F, double *t1, double *t2, double *t3);
int fast_bound_gen_backward(double *Enext, const double *Ecur, const void *Gout,
                            const gen_bounds *g, const blk_bounds *bb, const rj_fast_bound_t b,
                            const rj_fast_net_t net, const rj_fast_work_t w, slong l, slong R,
                            const bctx *c, double *M, double *Wabs, double *t1);
void fast_bound_gen_clear(gen_bounds *g);

#endif
