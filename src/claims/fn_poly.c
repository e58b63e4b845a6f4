/* resjac claims: polynomials -- p(x) at a number, a square matrix, a
 * polynomial or an enclosure (cl_poly_apply), compose, degree, coeff. */
#include <math.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ polynomials */

int
cl_poly_apply(rj_val_t out, const fmpq_poly_t p, const rj_val_struct *x, rj_loc_t loc,
              rj_error_t err)
{
    slong i, d = fmpq_poly_degree(p);
    if (x->kind == RJ_VAL_NUM) {
        fmpq_t r;
        fmpq_init(r);
        fmpq_poly_evaluate_fmpq(r, p, x->num);
        rj_val_set_fmpq(out, r);
        fmpq_clear(r);
        return RJ_OK;
    }
    if (x->kind == RJ_VAL_POLY) {
        fmpq_poly_t r;
        fmpq_poly_init(r);
        fmpq_poly_compose(r, p, x->poly);
        cl_val_set_poly(out, r);
        fmpq_poly_clear(r);
        return RJ_OK;
    }
    if (x->kind == RJ_VAL_MAT) {
        slong n = fmpq_mat_nrows(x->mat);
        fmpq_mat_t R, T;
        fmpq_t c;
        if (n != fmpq_mat_ncols(x->mat))
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "a polynomial applies to a square matrix, found a %ld x "
                                    "%ld matrix", (long) n, (long) fmpq_mat_ncols(x->mat));
        fmpq_mat_init(R, n, n);
        fmpq_mat_init(T, n, n);
        fmpq_init(c);
        /* Horner: R = (...(c_d A + c_{d-1} I) A + ...) + c_0 I */
        for (i = d; i >= 0; i--) {
            slong j;
            fmpq_mat_mul(T, R, x->mat);
            fmpq_mat_swap(R, T);
            fmpq_poly_get_coeff_fmpq(c, p, i);
            for (j = 0; j < n; j++)
                fmpq_add(fmpq_mat_entry(R, j, j), fmpq_mat_entry(R, j, j), c);
        }
        rj_val_set_fmpq_mat(out, R);
        fmpq_mat_clear(R);
        fmpq_mat_clear(T);
        fmpq_clear(c);
        return RJ_OK;
    }
    if (rj_claims_val_is_encl(x)) {
        /* Horner with the model's outward-rounded enclosure arithmetic */
        rj_val_t acc, c;
        int st = RJ_OK;
        fmpq_t q;
        rj_val_init(acc);
        rj_val_init(c);
        fmpq_init(q);
        rj_val_set_fmpq(acc, q);
        for (i = d; i >= 0 && st == RJ_OK; i--) {
            st = rj_val_binop(acc, '*', acc, x, NULL, loc, err);
            fmpq_poly_get_coeff_fmpq(q, p, i);
            rj_val_set_fmpq(c, q);
            if (st == RJ_OK)
                st = rj_val_binop(acc, '+', acc, c, NULL, loc, err);
        }
        if (st == RJ_OK)
            rj_val_swap(out, acc);
        rj_val_clear(acc);
        rj_val_clear(c);
        fmpq_clear(q);
        return st;
    }
    {
        char dsc[120];
        rj_val_describe(dsc, sizeof(dsc), x);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "a polynomial applies to a number, a polynomial, a square "
                                "matrix or an enclosure, found %s", dsc);
    }
}

static int
arg_poly(fmpq_poly_t p, const cl_args *b, slong i, rj_error_t err)
{
    const rj_val_struct *v = b->a[i];
    if (v->kind == RJ_VAL_POLY)
        fmpq_poly_set(p, v->poly);
    else if (v->kind == RJ_VAL_NUM)
        fmpq_poly_set_fmpq(p, v->num);
    else
        return cl_bad_arg(b, i, "a polynomial", err);
    return RJ_OK;
}

int
cl_fn_compose(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
           rj_error_t err)
{
    fmpq_poly_t p;
    int st;
    fmpq_poly_init(p);
    st = arg_poly(p, b, 0, err);
    if (st == RJ_OK)
        st = cl_poly_apply(out->v, p, b->a[1], b->loc, err);
    fmpq_poly_clear(p);
    return st;
}

int
cl_fn_degree(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_poly_t p;
    int st;
    fmpq_poly_init(p);
    st = arg_poly(p, b, 0, err);
    if (st == RJ_OK)
        cl_val_set_si(out->v, fmpq_poly_degree(p));
    fmpq_poly_clear(p);
    return st;
}

int
cl_fn_coeff(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_poly_t p;
    ulong k;
    fmpq_t c;
    int st;
    fmpq_poly_init(p);
    fmpq_init(c);
    st = arg_poly(p, b, 0, err);
    if (st == RJ_OK)
        st = cl_arg_count(&k, b, 1, WORD_MAX / 2, "the power k", err);
    if (st == RJ_OK) {
        fmpq_poly_get_coeff_fmpq(c, p, k);
        rj_val_set_fmpq(out->v, c);
    }
    fmpq_poly_clear(p);
    fmpq_clear(c);
    return st;
}
