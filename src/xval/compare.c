/* resjac xval: holding the float layer against the exact and the precise
 * layers, block by block, with the bound of rj_fast_jacobian_bound.
 * Comparisons with the exact layer are exact (every double is a dyadic
 * rational: rj_fmpq_set_d_exact); with the precise layer they are interval
 * tests with the float set's endpoints rounded outwards. */
#include <math.h>
#include <string.h>
#include <mpfr.h>

#include "resjac/xval.h"

/* 1 if |f - q| <= e (exactly); ratio receives |f - q| / e as a double. */
static int
within(double *ratio, double f, const fmpq_t q, double e, fmpq_t t1, fmpq_t t2)
{
    if (isinf(e)) {
        *ratio = 0;
        return 1;
    }
    rj_fmpq_set_d_exact(t1, f);
    fmpq_sub(t1, t1, q);
    fmpq_abs(t1, t1);
    rj_fmpq_set_d_exact(t2, e);
    *ratio = e > 0 ? fmpq_get_d(t1) / e : (fmpq_is_zero(t1) ? 0 : INFINITY);
    return fmpq_cmp(t1, t2) <= 0;
}

/* count one comparison; the first failure names its place */
static void
record(rj_xval_report *rep, int ok, double ratio, slong block, int stage, slong row,
       slong col, double observed, double bound)
{
    rep->compared++;
    if (ratio > rep->max_ratio)
        rep->max_ratio = ratio;
    if (!ok && rep->ok) {
        rep->ok = 0;
        rep->block = block;
        rep->stage = stage;
        rep->row = row;
        rep->col = col;
        rep->observed = observed;
        rep->bound = bound;
    }
}

int
rj_xval_exact(rj_xval_report *rep, const rj_fast_bound_t b,
              const rj_exact_parts_t parts, rj_error_t err)
{
    slong L = b->len, l, i, j;
    fmpq_t t1, t2;
    fmpq_mat_t P, Jl, Pn;
    memset(rep, 0, sizeof(*rep));
    rep->ok = 1;
    rep->block = -1;
    if (parts->len != L)
        return rj_error_set(err, RJ_ERR_INPUT, "exact parts have %ld blocks, the bound %ld",
                            (long) parts->len, (long) L);
    fmpq_init(t1);
    fmpq_init(t2);
    /* forward values, from the input on */
    for (l = 0; l <= L; l++) {
        const fmpq_mat_struct *h = parts->h + l;
        if (fmpq_mat_nrows(h) != b->width[l]) {
            fmpq_clear(t1);
            fmpq_clear(t2);
            return rj_error_set(err, RJ_ERR_INPUT, "width of h_%ld differs: %ld vs %ld",
                                (long) l, (long) fmpq_mat_nrows(h), (long) b->width[l]);
        }
        for (i = 0; i < b->width[l]; i++) {
            double ratio;
            int ok = within(&ratio, b->h[l][i], fmpq_mat_entry(h, i, 0), b->eh[l][i], t1, t2);
            record(rep, ok, ratio, l - 1, 0, i, 0, ok ? 0 : fmpq_get_d(t1), b->eh[l][i]);
        }
    }
    /* partial Jacobians dy/dh_l = J_L ... J_{l+1}, from the output back */
    fmpq_mat_init(P, b->n_out, b->n_out);
    fmpq_mat_one(P);
    for (l = L - 1; l >= 0; l--) {
        slong wl = b->width[l];
        fmpq_mat_init(Jl, fmpq_mat_nrows(parts->S + l), fmpq_mat_ncols(parts->S + l));
        fmpq_mat_add(Jl, parts->S + l, parts->R + l);
        fmpq_mat_init(Pn, b->n_out, wl);
        fmpq_mat_mul(Pn, P, Jl);
        fmpq_mat_swap(P, Pn);
        fmpq_mat_clear(Pn);
        fmpq_mat_clear(Jl);
        for (i = 0; i < b->n_out; i++)
            for (j = 0; j < wl; j++) {
                double ratio;
                int ok = within(&ratio, b->G[l][i * wl + j], fmpq_mat_entry(P, i, j),
                                b->EG[l][i * wl + j], t1, t2);
                record(rep, ok, ratio, l, 1, i, j, ok ? 0 : fmpq_get_d(t1),
                       b->EG[l][i * wl + j]);
            }
    }
    fmpq_mat_clear(P);
    fmpq_clear(t1);
    fmpq_clear(t2);
    return RJ_OK;
}

int
rj_xval_meets_itv(double f, double e, const rj_itv_t x)
{
    mpfr_t lo, hi;
    int ok;
    if (isnan(f) || isnan(e) || e < 0)
        return 0;               /* not a set that holds anything */
    if (isinf(e) || mpfr_nan_p(x->lo) || mpfr_nan_p(x->hi))
        return 1;               /* no information on one side */
    mpfr_init2(lo, 64);
    mpfr_init2(hi, 64);
    mpfr_set_d(lo, f, MPFR_RNDD);
    mpfr_sub_d(lo, lo, e, MPFR_RNDD);
    mpfr_set_d(hi, f, MPFR_RNDU);
    mpfr_add_d(hi, hi, e, MPFR_RNDU);
    ok = mpfr_cmp(hi, x->lo) >= 0 && mpfr_cmp(lo, x->hi) <= 0;
    mpfr_clear(lo);
    mpfr_clear(hi);
    return ok;
}

/* distance from f to the enclosure x (0 inside), rounded to nearest: only
   reported */
static double
gap_to(double f, const rj_itv_t x)
{
    if (mpfr_cmp_d(x->lo, f) > 0)
        return mpfr_get_d(x->lo, MPFR_RNDN) - f;
    if (mpfr_cmp_d(x->hi, f) < 0)
        return f - mpfr_get_d(x->hi, MPFR_RNDN);
    return 0;
}

static void
note_precise(rj_xval_report *rep, double f, double e, const rj_itv_t x, slong block,
             int stage, slong row, slong col)
{
    double g = gap_to(f, x);
    record(rep, rj_xval_meets_itv(f, e, x), !isinf(e) && e > 0 ? g / e : 0, block, stage,
           row, col, g, e);
}

int
rj_xval_precise(rj_xval_report *rep, const rj_fast_bound_t b,
                const rj_precise_parts_t parts, slong prec, rj_error_t err)
{
    slong L = b->len, l, i, j;
    rj_itv_t x;
    rj_imat_t P, Jl, Pn;
    memset(rep, 0, sizeof(*rep));
    rep->ok = 1;
    rep->block = -1;
    if (parts->len != L)
        return rj_error_set(err, RJ_ERR_INPUT, "precise parts have %ld blocks, the bound %ld",
                            (long) parts->len, (long) L);
    for (l = 0; l <= L; l++)
        if (rj_imat_nrows(parts->h + l) != b->width[l])
            return rj_error_set(err, RJ_ERR_INPUT, "width of h_%ld differs: %ld vs %ld",
                                (long) l, (long) rj_imat_nrows(parts->h + l),
                                (long) b->width[l]);
    for (l = 0; l < L; l++)
        if (rj_imat_nrows(parts->S + l) != b->width[l + 1]
            || rj_imat_ncols(parts->S + l) != b->width[l]
            || rj_imat_nrows(parts->R + l) != b->width[l + 1]
            || rj_imat_ncols(parts->R + l) != b->width[l])
            return rj_error_set(err, RJ_ERR_INPUT, "parts of block %ld are not %ldx%ld",
                                (long) l + 1, (long) b->width[l + 1], (long) b->width[l]);
    rj_itv_init(x, prec);
    /* forward values, from the input on */
    for (l = 0; l <= L; l++)
        for (i = 0; i < b->width[l]; i++) {
            rj_imat_get_itv(x, parts->h + l, i, 0);
            note_precise(rep, b->h[l][i], b->eh[l][i], x, l - 1, 0, i, 0);
        }
    /* partial Jacobians dy/dh_l = J_L ... J_{l+1}, from the output back */
    rj_imat_init(P, b->n_out, b->n_out, prec);
    rj_imat_one(P);
    for (l = L - 1; l >= 0; l--) {
        slong wl = b->width[l];
        rj_imat_init(Jl, b->width[l + 1], wl, prec);
        rj_imat_add(Jl, parts->S + l, parts->R + l, prec);
        rj_imat_init(Pn, b->n_out, wl, prec);
        rj_imat_mul(Pn, P, Jl, prec);
        rj_imat_swap(P, Pn);
        rj_imat_clear(Pn);
        rj_imat_clear(Jl);
        for (i = 0; i < b->n_out; i++)
            for (j = 0; j < wl; j++) {
                rj_imat_get_itv(x, P, i, j);
                note_precise(rep, b->G[l][i * wl + j], b->EG[l][i * wl + j], x, l, 1, i, j);
            }
    }
    rj_imat_clear(P);
    rj_itv_clear(x);
    return RJ_OK;
}
