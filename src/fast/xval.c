/* resjac fast core: holding the float layer against the exact layer, block by
 * block, with the bound of rj_fast_jacobian_bound.  Comparisons are exact:
 * every double is a dyadic rational (rj_fmpq_set_d_exact). */
#include <math.h>
#include <string.h>

#include "fast_internal.h"

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

int
rj_fast_xval_exact(rj_fast_xval_report *rep, const rj_fast_bound_t b,
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
            rep->compared++;
            if (ratio > rep->max_ratio)
                rep->max_ratio = ratio;
            if (!ok && rep->ok) {
                rep->ok = 0;
                rep->block = l - 1;
                rep->stage = 0;
                rep->row = i;
                rep->col = 0;
                rep->observed = fmpq_get_d(t1);
                rep->bound = b->eh[l][i];
            }
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
                rep->compared++;
                if (ratio > rep->max_ratio)
                    rep->max_ratio = ratio;
                if (!ok && rep->ok) {
                    rep->ok = 0;
                    rep->block = l;
                    rep->stage = 1;
                    rep->row = i;
                    rep->col = j;
                    rep->observed = fmpq_get_d(t1);
                    rep->bound = b->EG[l][i * wl + j];
                }
            }
    }
    fmpq_mat_clear(P);
    fmpq_clear(t1);
    fmpq_clear(t2);
    return RJ_OK;
}
