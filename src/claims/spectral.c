/* resjac claims: the spectral norm and the smallest singular value.
 *
 *   norm2(A)      = sigma_max(A)
 *   sigma_min(A)  = sigma_min(A), the min(rows, cols)-th singular value
 *
 * Exact where the answer is simple: a vector (its only singular value is its
 * Euclidean length), a matrix with at most one nonzero entry in every row and
 * column (its singular values are the absolute values of those entries, and
 * zeros), a rank-deficient matrix (sigma_min = 0, decided by an exact rank).
 * Otherwise an enclosure from the precise layer:
 *   norm2:     [rj_imat_norm2_lower, rj_imat_norm2_upper] of A [PB 5];
 *   sigma_min: with k = min(rows, cols), G = A A^T or A^T A (k x k, invertible
 *              because rank A = k) and sigma_min(A)^2 = lambda_min(G)
 *              = 1 / ||G^-1||_2, G^-1 computed exactly; for square A directly
 *              sigma_min(A) = 1 / ||A^-1||_2.  So an enclosure [l, u] of the
 *              norm of the exact inverse gives [1/u, 1/l] (square roots for
 *              G), intersected with rj_imat_sigma_min_lower [PB 6]. */
#include <string.h>

#include "claims_impl.h"
#include "resjac/precise.h"

static int
arg_matrix(fmpq_mat_t A, const cl_args *b, rj_error_t err)
{
    const rj_val_struct *v = b->a[0];
    char d[120];
    if (v->kind == RJ_VAL_NUM) {
        fmpq_mat_clear(A);
        fmpq_mat_init(A, 1, 1);
        fmpq_set(fmpq_mat_entry(A, 0, 0), v->num);
        return RJ_OK;
    }
    if (v->kind == RJ_VAL_MAT && fmpq_mat_nrows(v->mat) > 0 && fmpq_mat_ncols(v->mat) > 0) {
        fmpq_mat_clear(A);
        fmpq_mat_init_set(A, v->mat);
        return RJ_OK;
    }
    rj_val_describe(d, sizeof(d), v);
    return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc, "%s: expected a matrix, found %s",
                            b->name, d);
}

/* 1 if every row and every column has at most one nonzero entry; then
   |nonzero entries| (and zeros) are the singular values.  Sets mx to the
   largest absolute entry and mn to sigma_min (0 when a row or column of the
   k = min(r, c) needed is missing). */
static int
monomial(fmpq_t mx, fmpq_t mn, const fmpq_mat_t A)
{
    slong r = fmpq_mat_nrows(A), c = fmpq_mat_ncols(A), i, j, nz = 0;
    slong *rowc = flint_calloc(r, sizeof(slong)), *colc = flint_calloc(c, sizeof(slong));
    int ok = 1;
    fmpq_t a;
    fmpq_init(a);
    fmpq_zero(mx);
    fmpq_zero(mn);
    for (i = 0; i < r && ok; i++)
        for (j = 0; j < c && ok; j++)
            if (!fmpq_is_zero(fmpq_mat_entry(A, i, j))) {
                if (++rowc[i] > 1 || ++colc[j] > 1)
                    ok = 0;
                fmpq_abs(a, fmpq_mat_entry(A, i, j));
                if (fmpq_cmp(a, mx) > 0)
                    fmpq_set(mx, a);
                if (nz == 0 || fmpq_cmp(a, mn) < 0)
                    fmpq_set(mn, a);
                nz++;
            }
    if (ok && nz < FLINT_MIN(r, c))
        fmpq_zero(mn);    /* fewer nonzero singular values than min(r, c) */
    fmpq_clear(a);
    flint_free(rowc);
    flint_free(colc);
    return ok;
}

/* sqrt(q) as a number when exact, else an enclosure. */
/* [l, u] enclosing ||Q||_2 (precise layer). */
static void
norm2_encl(mpfr_t l, mpfr_t u, const fmpq_mat_t Q, slong prec)
{
    rj_imat_t M;
    rj_imat_init(M, 0, 0, prec);
    rj_imat_set_fmpq_mat(M, Q, prec);
    rj_imat_norm2_lower(l, M);
    rj_imat_norm2_upper(u, M);
    rj_imat_clear(M);
}

int
cl_fn_norm2(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
            rj_error_t err)
{
    fmpq_mat_t A;
    fmpq_t mx, mn, f;
    int st;
    fmpq_mat_init(A, 0, 0);
    fmpq_init(mx);
    fmpq_init(mn);
    fmpq_init(f);
    st = arg_matrix(A, b, err);
    if (st != RJ_OK)
        goto done;
    if (fmpq_mat_nrows(A) == 1 || fmpq_mat_ncols(A) == 1) {
        cl_normfro2(f, A);
        cl_val_sqrt(out->v, f, ctx->prec);
    } else if (monomial(mx, mn, A))
        rj_val_set_fmpq(out->v, mx);
    else {
        mpfr_t l, u;
        mpfr_init2(l, ctx->prec);
        mpfr_init2(u, ctx->prec);
        norm2_encl(l, u, A, ctx->prec);
        cl_val_set_encl(out->v, l, u, ctx->prec);
        mpfr_clear(l);
        mpfr_clear(u);
    }
done:
    fmpq_mat_clear(A);
    fmpq_clear(mx);
    fmpq_clear(mn);
    fmpq_clear(f);
    return st;
}

int
cl_fn_sigma_min(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
                rj_error_t err)
{
    fmpq_mat_t A, G, Gi, At;
    fmpq_t mx, mn, f;
    slong r, c, k;
    int st;
    fmpq_mat_init(A, 0, 0);
    fmpq_init(mx);
    fmpq_init(mn);
    fmpq_init(f);
    st = arg_matrix(A, b, err);
    if (st != RJ_OK)
        goto done;
    r = fmpq_mat_nrows(A);
    c = fmpq_mat_ncols(A);
    k = FLINT_MIN(r, c);
    if (r == 1 || c == 1) {
        cl_normfro2(f, A);
        cl_val_sqrt(out->v, f, ctx->prec);
    } else if (monomial(mx, mn, A))
        rj_val_set_fmpq(out->v, mn);
    else if (cl_mat_rank(A) < k) {
        fmpq_zero(f);
        rj_val_set_fmpq(out->v, f);
    } else {
        mpfr_t l, u, lo, hi, pl;
        slong p = ctx->prec;
        rj_imat_t M;
        mpfr_init2(l, p);
        mpfr_init2(u, p);
        mpfr_init2(lo, p);
        mpfr_init2(hi, p);
        mpfr_init2(pl, p);
        fmpq_mat_init(G, k, k);
        fmpq_mat_init(Gi, k, k);
        if (r == c)
            fmpq_mat_set(G, A);
        else {
            fmpq_mat_init(At, c, r);
            fmpq_mat_transpose(At, A);
            if (r < c)
                fmpq_mat_mul(G, A, At);
            else
                fmpq_mat_mul(G, At, A);
            fmpq_mat_clear(At);
        }
        fmpq_mat_inv(Gi, G);               /* rank A = k: G is invertible */
        norm2_encl(l, u, Gi, p);           /* l <= ||G^-1||_2 <= u, l may be 0 */
        mpfr_ui_div(lo, 1, u, MPFR_RNDD);
        if (mpfr_sgn(l) > 0)
            mpfr_ui_div(hi, 1, l, MPFR_RNDU);
        else
            mpfr_set_inf(hi, 1);
        if (r != c) {                      /* lambda_min(G) = sigma_min(A)^2 */
            mpfr_sqrt(lo, lo, MPFR_RNDD);
            mpfr_sqrt(hi, hi, MPFR_RNDU);
        }
        rj_imat_init(M, 0, 0, p);
        rj_imat_set_fmpq_mat(M, A, p);
        if (rj_imat_sigma_min_lower(pl, M) && mpfr_cmp(pl, lo) > 0)
            mpfr_set(lo, pl, MPFR_RNDD);
        rj_imat_clear(M);
        if (mpfr_inf_p(hi)) {
            /* sigma_min <= min over unit v of ||A v|| (c <= r) or of ||A^T v||
               (r < c): the smallest column or row length */
            fmpq_t s;
            slong i, j, outer = c <= r ? c : r, inner = c <= r ? r : c;
            fmpq_init(s);
            for (j = 0; j < outer; j++) {
                fmpq_zero(s);
                for (i = 0; i < inner; i++) {
                    const fmpq *e = c <= r ? fmpq_mat_entry(A, i, j) : fmpq_mat_entry(A, j, i);
                    fmpq_addmul(s, e, e);
                }
                if (j == 0 || fmpq_cmp(s, f) < 0)
                    fmpq_set(f, s);
            }
            fmpq_get_mpfr(hi, f, MPFR_RNDU);
            mpfr_sqrt(hi, hi, MPFR_RNDU);
            fmpq_clear(s);
        }
        cl_val_set_encl(out->v, lo, hi, p);
        fmpq_mat_clear(G);
        fmpq_mat_clear(Gi);
        mpfr_clear(l);
        mpfr_clear(u);
        mpfr_clear(lo);
        mpfr_clear(hi);
        mpfr_clear(pl);
    }
done:
    fmpq_mat_clear(A);
    fmpq_clear(mx);
    fmpq_clear(mn);
    fmpq_clear(f);
    return st;
}
