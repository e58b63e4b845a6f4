/* resjac claims: the exact matrix functions -- norms (norm1, norminf, normfro2,
 * normfro), det, inverse, charpoly, trace, rank, transpose -- and matrix
 * literals with enclosure entries.  Exact unless said otherwise (normfro is
 * an enclosure when the square root is irrational, fn_scalar.c). */
#include <math.h>
#include <string.h>

#include <flint/fmpz_mat.h>

#include "claims_impl.h"

/* rank by reduced row echelon form (fmpq_mat_rref returns it) */
static slong
mat_rank(const fmpq_mat_t A)
{
    fmpq_mat_t B;
    slong r;
    if (fmpq_mat_nrows(A) == 0 || fmpq_mat_ncols(A) == 0)
        return 0;
    fmpq_mat_init(B, fmpq_mat_nrows(A), fmpq_mat_ncols(A));
    r = fmpq_mat_rref(B, A);
    fmpq_mat_clear(B);
    return r;
}

slong cl_mat_rank(const fmpq_mat_t A) { return mat_rank(A); }

/* ------------------------------------------------------------ exact norms */

void
cl_norm1(fmpq_t r, const fmpq_mat_t A)
{
    slong i, j;
    fmpq_t s, a;
    fmpq_init(s);
    fmpq_init(a);
    fmpq_zero(r);
    for (j = 0; j < fmpq_mat_ncols(A); j++) {
        fmpq_zero(s);
        for (i = 0; i < fmpq_mat_nrows(A); i++) {
            fmpq_abs(a, fmpq_mat_entry(A, i, j));
            fmpq_add(s, s, a);
        }
        if (fmpq_cmp(s, r) > 0)
            fmpq_set(r, s);
    }
    fmpq_clear(s);
    fmpq_clear(a);
}

void
cl_norminf(fmpq_t r, const fmpq_mat_t A)
{
    slong i, j;
    fmpq_t s, a;
    fmpq_init(s);
    fmpq_init(a);
    fmpq_zero(r);
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        fmpq_zero(s);
        for (j = 0; j < fmpq_mat_ncols(A); j++) {
            fmpq_abs(a, fmpq_mat_entry(A, i, j));
            fmpq_add(s, s, a);
        }
        if (fmpq_cmp(s, r) > 0)
            fmpq_set(r, s);
    }
    fmpq_clear(s);
    fmpq_clear(a);
}

void
cl_normfro2(fmpq_t r, const fmpq_mat_t A)
{
    slong i, j;
    fmpq_zero(r);
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_addmul(r, fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j));
}

/* ------------------------------------------------------------ matrices */

int
cl_fn_norm_exact(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
              rj_error_t err)
{
    fmpq_mat_t A;
    fmpq_t r;
    int st;
    fmpq_mat_init(A, 0, 0);
    fmpq_init(r);
    st = cl_arg_mat(A, b, 0, 0, err);
    if (st == RJ_OK) {
        if (strcmp(b->name, "norm1") == 0)
            cl_norm1(r, A);
        else if (strcmp(b->name, "norminf") == 0)
            cl_norminf(r, A);
        else
            cl_normfro2(r, A);
        if (strcmp(b->name, "normfro") == 0)
            cl_val_sqrt(out->v, r, ctx->prec);
        else
            rj_val_set_fmpq(out->v, r);
    }
    fmpq_mat_clear(A);
    fmpq_clear(r);
    return st;
}

/* An upper bound on the bits of det(A), of the coefficients of charpoly(A)
   and (inverse) of the entries of A^-1, for A = M / d (M integer, n x n):
   a k x k minor of M is at most k^(k/2) max|M|^k (Hadamard), a coefficient of
   the characteristic polynomial a sum of at most 2^n of them, and each is
   divided by d^k; an entry of A^-1 is d times a minor over det(M). */
static double
square_bits(const fmpq_mat_t A, int inverse)
{
    slong n = fmpq_mat_nrows(A);
    fmpz_mat_t M;
    fmpz_t d;
    double bits;
    fmpz_mat_init(M, n, n);
    fmpz_init(d);
    fmpq_mat_get_fmpz_mat_matwise(M, d, A);
    bits = (double) n * (FLINT_ABS(fmpz_mat_max_bits(M)) + (double) fmpz_bits(d)
                         + 0.5 * log2((double) n + 1) + 1) + 1;
    fmpz_mat_clear(M);
    fmpz_clear(d);
    return inverse ? 2 * bits : bits;
}

int
cl_fn_square(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_mat_t A;
    char what[40];
    int st;
    fmpq_mat_init(A, 0, 0);
    st = cl_arg_mat(A, b, 0, 1, err);
    snprintf(what, sizeof(what), "%s(A)", b->name);
    if (st == RJ_OK && b->name[0] != 't')
        st = rj_limits_check_bits(&env->limits, square_bits(A, b->name[0] == 'i'), what,
                                  b->loc, err);
    if (st != RJ_OK)
        goto done;
    if (strcmp(b->name, "trace") == 0 || strcmp(b->name, "det") == 0) {
        fmpq_t q;
        fmpq_init(q);
        if (b->name[0] == 't')
            fmpq_mat_trace(q, A);
        else if (fmpq_mat_nrows(A) == 0)
            fmpq_one(q);
        else
            fmpq_mat_det(q, A);
        rj_val_set_fmpq(out->v, q);
        fmpq_clear(q);
    } else if (strcmp(b->name, "charpoly") == 0) {
        fmpq_poly_t p;
        fmpq_poly_init(p);
        if (fmpq_mat_nrows(A) == 0)
            fmpq_poly_one(p);
        else
            fmpq_mat_charpoly(p, A);
        cl_val_set_poly(out->v, p);
        fmpq_poly_clear(p);
    } else { /* inverse */
        fmpq_mat_t B;
        fmpq_mat_init(B, fmpq_mat_nrows(A), fmpq_mat_ncols(A));
        if (!fmpq_mat_inv(B, A))
            st = rj_error_set_loc(err, RJ_ERR_INPUT, b->loc,
                                  "inverse: the matrix is singular (det = 0)");
        else
            rj_val_set_fmpq_mat(out->v, B);
        fmpq_mat_clear(B);
    }
done:
    fmpq_mat_clear(A);
    return st;
}

int
cl_fn_rank(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    fmpq_mat_t A;
    int st;
    fmpq_mat_init(A, 0, 0);
    st = cl_arg_mat(A, b, 0, 0, err);
    if (st == RJ_OK)
        cl_val_set_si(out->v, mat_rank(A));
    fmpq_mat_clear(A);
    return st;
}

int
cl_fn_transpose(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
             rj_error_t err)
{
    fmpq_mat_t A, T;
    int st;
    fmpq_mat_init(A, 0, 0);
    st = cl_arg_mat(A, b, 0, 0, err);
    if (st == RJ_OK) {
        fmpq_mat_init(T, fmpq_mat_ncols(A), fmpq_mat_nrows(A));
        fmpq_mat_transpose(T, A);
        rj_val_set_fmpq_mat(out->v, T);
        fmpq_mat_clear(T);
    }
    fmpq_mat_clear(A);
    return st;
}

/* A matrix literal with enclosure entries (the language hands it over as
   RJ_MATRIX_FUNC(rows, cols, entries...)): an enclosure matrix. */
int
cl_fn_matrix(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    slong rows = fmpz_get_si(fmpq_numref(b->a[0]->num));
    slong cols = fmpz_get_si(fmpq_numref(b->a[1]->num));
    return cl_emat_literal(out->v, b->a + 2, rows, cols, ctx->prec, b->loc, err);
}
