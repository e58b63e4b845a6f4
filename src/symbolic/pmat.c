/* resjac symbolic layer: matrices of polynomials in the entries of generic
 * matrices (include/resjac/symbolic.h; proofs/symbolic.md [SY 3]).
 *
 * Symbol s of size n is the matrix of the variables x_{s,i,j} (variable
 * number s n^2 + i n + j); the last variable of the context is t.  Products
 * are the schoolbook n^3 polynomial multiply-adds; the determinant is the
 * cofactor expansion along the first row (n! products of n entries, hence
 * the size limit RJ_PMAT_MAX_SIZE), so it needs no division and is exact over
 * any commutative ring; charpoly is det(t I - A); the adjugate's entry (i, j)
 * is (-1)^(i+j) times the minor without row j and column i. */
#include <string.h>

#include "resjac/symbolic.h"

int
rj_pmat_ctx_init(fmpq_mpoly_ctx_t ctx, slong nsym, slong n, rj_error_t err)
{
    double v = (double) nsym * n * n + 1;
    if (v > RJ_PMAT_MAX_VARS)
        return rj_error_set(err, RJ_ERR_LIMIT, "%ld symbols of size %ld x %ld need %.0f entry "
                            "variables: more than the limit of %d", (long) nsym, (long) n,
                            (long) n, v, RJ_PMAT_MAX_VARS);
    fmpq_mpoly_ctx_init(ctx, (slong) v, ORD_LEX);
    return RJ_OK;
}

slong
rj_pmat_ctx_tvar(const fmpq_mpoly_ctx_t ctx)
{
    return fmpq_mpoly_ctx_nvars(ctx) - 1;
}

void
rj_pmat_init(rj_pmat_t A, slong rows, slong cols, const fmpq_mpoly_ctx_t ctx)
{
    slong i;
    A->rows = rows;
    A->cols = cols;
    A->e = flint_malloc(FLINT_MAX(rows * cols, 1) * sizeof(fmpq_mpoly_struct));
    for (i = 0; i < rows * cols; i++)
        fmpq_mpoly_init(A->e + i, ctx);
}

void
rj_pmat_clear(rj_pmat_t A, const fmpq_mpoly_ctx_t ctx)
{
    slong i;
    for (i = 0; i < A->rows * A->cols; i++)
        fmpq_mpoly_clear(A->e + i, ctx);
    flint_free(A->e);
}

void
rj_pmat_swap(rj_pmat_t A, rj_pmat_t B)
{
    rj_pmat_struct t = *A;
    *A = *B;
    *B = t;
}

void
rj_pmat_set(rj_pmat_t A, const rj_pmat_t B, const fmpq_mpoly_ctx_t ctx)
{
    rj_pmat_t C;
    slong i;
    if (A == B)
        return;
    rj_pmat_init(C, B->rows, B->cols, ctx);
    for (i = 0; i < B->rows * B->cols; i++)
        fmpq_mpoly_set(C->e + i, B->e + i, ctx);
    rj_pmat_swap(A, C);
    rj_pmat_clear(C, ctx);
}

void
rj_pmat_set_fmpq_mat(rj_pmat_t A, const fmpq_mat_t M, const fmpq_mpoly_ctx_t ctx)
{
    rj_pmat_t C;
    slong i, j, c = fmpq_mat_ncols(M);
    rj_pmat_init(C, fmpq_mat_nrows(M), c, ctx);
    for (i = 0; i < C->rows; i++)
        for (j = 0; j < c; j++)
            fmpq_mpoly_set_fmpq(C->e + i * c + j, fmpq_mat_entry(M, i, j), ctx);
    rj_pmat_swap(A, C);
    rj_pmat_clear(C, ctx);
}

void
rj_pmat_set_generic(rj_pmat_t A, slong s, int t, slong n, const fmpq_mpoly_ctx_t ctx)
{
    rj_pmat_t C;
    slong i, j;
    rj_pmat_init(C, n, n, ctx);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            fmpq_mpoly_gen(C->e + i * n + j, s * n * n + (t ? j * n + i : i * n + j), ctx);
    rj_pmat_swap(A, C);
    rj_pmat_clear(C, ctx);
}

int
rj_pmat_equal(const rj_pmat_t A, const rj_pmat_t B, const fmpq_mpoly_ctx_t ctx)
{
    slong i;
    if (A->rows != B->rows || A->cols != B->cols)
        return 0;
    for (i = 0; i < A->rows * A->cols; i++)
        if (!fmpq_mpoly_equal(A->e + i, B->e + i, ctx))
            return 0;
    return 1;
}

int
rj_pmat_add(rj_pmat_t C, const rj_pmat_t A, const rj_pmat_t B, int sub,
            const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    slong i;
    if (A->rows != B->rows || A->cols != B->cols)
        return rj_error_set(err, RJ_ERR_INPUT, "cannot %s a %ld x %ld and a %ld x %ld matrix",
                            sub ? "subtract" : "add", (long) A->rows, (long) A->cols,
                            (long) B->rows, (long) B->cols);
    if (C != A && C != B) {
        rj_pmat_clear(C, ctx);
        rj_pmat_init(C, A->rows, A->cols, ctx);
    }
    for (i = 0; i < A->rows * A->cols; i++) {
        if (sub)
            fmpq_mpoly_sub(C->e + i, A->e + i, B->e + i, ctx);
        else
            fmpq_mpoly_add(C->e + i, A->e + i, B->e + i, ctx);
    }
    return RJ_OK;
}

int
rj_pmat_mul(rj_pmat_t C, const rj_pmat_t A, const rj_pmat_t B, const fmpq_mpoly_ctx_t ctx,
            rj_error_t err)
{
    rj_pmat_t R;
    fmpq_mpoly_t p;
    slong i, j, k;
    if (A->cols != B->rows)
        return rj_error_set(err, RJ_ERR_INPUT, "cannot multiply a %ld x %ld by a %ld x %ld "
                            "matrix", (long) A->rows, (long) A->cols, (long) B->rows,
                            (long) B->cols);
    rj_pmat_init(R, A->rows, B->cols, ctx);
    fmpq_mpoly_init(p, ctx);
    for (i = 0; i < A->rows; i++)
        for (j = 0; j < B->cols; j++)
            for (k = 0; k < A->cols; k++) {
                fmpq_mpoly_mul(p, A->e + i * A->cols + k, B->e + k * B->cols + j, ctx);
                fmpq_mpoly_add(R->e + i * R->cols + j, R->e + i * R->cols + j, p, ctx);
            }
    rj_pmat_swap(C, R);
    rj_pmat_clear(R, ctx);
    fmpq_mpoly_clear(p, ctx);
    return RJ_OK;
}

void
rj_pmat_scalar_mul(rj_pmat_t C, const rj_pmat_t A, const fmpq_mpoly_t c,
                   const fmpq_mpoly_ctx_t ctx)
{
    slong i;
    rj_pmat_set(C, A, ctx);
    for (i = 0; i < C->rows * C->cols; i++)
        fmpq_mpoly_mul(C->e + i, C->e + i, c, ctx);
}

void
rj_pmat_transpose(rj_pmat_t C, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx)
{
    rj_pmat_t R;
    slong i, j;
    rj_pmat_init(R, A->cols, A->rows, ctx);
    for (i = 0; i < A->rows; i++)
        for (j = 0; j < A->cols; j++)
            fmpq_mpoly_set(R->e + j * A->rows + i, A->e + i * A->cols + j, ctx);
    rj_pmat_swap(C, R);
    rj_pmat_clear(R, ctx);
}

int
rj_pmat_set_sym(rj_pmat_t A, const rj_sym_t p, slong n, const fmpq_mpoly_ctx_t ctx,
                const rj_sym_limits *lim, rj_error_t err)
{
    rj_pmat_t acc, w, g;
    fmpq_mpoly_t c;
    slong i, j, nsym = rj_sym_nsymbols(p);
    rj_sym_limits def;
    int st = RJ_OK;
    if (lim == NULL) {
        rj_sym_limits_default(&def);
        lim = &def;
    }
    if ((double) nsym * n * n + 1 > fmpq_mpoly_ctx_nvars(ctx))
        return rj_error_set(err, RJ_ERR_INPUT, "the context has too few variables for %ld "
                            "symbols of size %ld", (long) nsym, (long) n);
    if ((double) p->len * rj_sym_degree(p) > (double) lim->max_terms)
        return rj_error_set(err, RJ_ERR_LIMIT, "expanding %ld words into %ld x %ld matrices: "
                            "more than the limit of %ld terms", (long) p->len, (long) n,
                            (long) n, (long) lim->max_terms);
    rj_pmat_init(acc, n, n, ctx);
    rj_pmat_init(w, n, n, ctx);
    rj_pmat_init(g, n, n, ctx);
    fmpq_mpoly_init(c, ctx);
    for (i = 0; i < p->len && st == RJ_OK; i++) {
        const rj_sym_term_struct *t = p->terms + i;
        fmpq_mpoly_set_fmpq(c, t->coeff, ctx);
        rj_pmat_clear(w, ctx);
        rj_pmat_init(w, n, n, ctx);
        for (j = 0; j < n; j++)
            fmpq_mpoly_set(w->e + j * n + j, c, ctx);
        for (j = 0; j < t->len && st == RJ_OK; j++) {
            rj_pmat_set_generic(g, t->w[j] / 2, t->w[j] & 1, n, ctx);
            st = rj_pmat_mul(w, w, g, ctx, err);
        }
        if (st == RJ_OK)
            st = rj_pmat_add(acc, acc, w, 0, ctx, err);
    }
    if (st == RJ_OK)
        rj_pmat_swap(A, acc);
    rj_pmat_clear(acc, ctx);
    rj_pmat_clear(w, ctx);
    rj_pmat_clear(g, ctx);
    fmpq_mpoly_clear(c, ctx);
    return st;
}

/* ------------------------------------------------------------ determinants */

static int
check_square(const rj_pmat_t A, const char *what, rj_error_t err)
{
    if (A->rows != A->cols)
        return rj_error_set(err, RJ_ERR_INPUT, "%s needs a square matrix, found %ld x %ld",
                            what, (long) A->rows, (long) A->cols);
    if (A->rows > RJ_PMAT_MAX_SIZE)
        return rj_error_set(err, RJ_ERR_LIMIT, "%s of a symbolic %ld x %ld matrix: more than "
                            "the limit of size %d (cofactor expansion has n! terms)", what,
                            (long) A->rows, (long) A->cols, RJ_PMAT_MAX_SIZE);
    return RJ_OK;
}

/* d = det of the submatrix of A on rows rows[0..k-1] and the columns whose
   bit is clear in `used`, expanded along its first row. */
static void
det_rec(fmpq_mpoly_t d, const rj_pmat_t A, const slong *rows, slong k, ulong used,
        const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t m, p;
    slong j, n = A->cols;
    int sign = 1;
    if (k == 0) {
        fmpq_mpoly_one(d, ctx);
        return;
    }
    fmpq_mpoly_init(m, ctx);
    fmpq_mpoly_init(p, ctx);
    fmpq_mpoly_zero(d, ctx);
    for (j = 0; j < n; j++) {
        const fmpq_mpoly_struct *a;
        if (used & (UWORD(1) << j))
            continue;
        a = A->e + rows[0] * n + j;
        if (!fmpq_mpoly_is_zero(a, ctx)) {
            det_rec(m, A, rows + 1, k - 1, used | (UWORD(1) << j), ctx);
            fmpq_mpoly_mul(p, a, m, ctx);
            if (sign > 0)
                fmpq_mpoly_add(d, d, p, ctx);
            else
                fmpq_mpoly_sub(d, d, p, ctx);
        }
        sign = -sign;
    }
    fmpq_mpoly_clear(m, ctx);
    fmpq_mpoly_clear(p, ctx);
}

/* det of A without row skip_row and column skip_col (-1: none). */
static void
minor_det(fmpq_mpoly_t d, const rj_pmat_t A, slong skip_row, slong skip_col,
          const fmpq_mpoly_ctx_t ctx)
{
    slong rows[RJ_PMAT_MAX_SIZE], i, k = 0;
    for (i = 0; i < A->rows; i++)
        if (i != skip_row)
            rows[k++] = i;
    det_rec(d, A, rows, k, skip_col >= 0 ? UWORD(1) << skip_col : 0, ctx);
}

int
rj_pmat_det(fmpq_mpoly_t d, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    int st = check_square(A, "det", err);
    if (st == RJ_OK)
        minor_det(d, A, -1, -1, ctx);
    return st;
}

int
rj_pmat_trace(fmpq_mpoly_t d, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    slong i;
    if (A->rows != A->cols)
        return rj_error_set(err, RJ_ERR_INPUT, "trace needs a square matrix, found %ld x %ld",
                            (long) A->rows, (long) A->cols);
    fmpq_mpoly_zero(d, ctx);
    for (i = 0; i < A->rows; i++)
        fmpq_mpoly_add(d, d, A->e + i * A->cols + i, ctx);
    return RJ_OK;
}

int
rj_pmat_charpoly(fmpq_mpoly_t d, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx,
                 rj_error_t err)
{
    rj_pmat_t B;
    fmpq_mpoly_t t;
    slong i, n = A->rows;
    int st = check_square(A, "charpoly", err);
    if (st != RJ_OK)
        return st;
    rj_pmat_init(B, n, n, ctx);
    fmpq_mpoly_init(t, ctx);
    fmpq_mpoly_gen(t, rj_pmat_ctx_tvar(ctx), ctx);
    for (i = 0; i < n * n; i++)
        fmpq_mpoly_neg(B->e + i, A->e + i, ctx);
    for (i = 0; i < n; i++)
        fmpq_mpoly_add(B->e + i * n + i, B->e + i * n + i, t, ctx);
    minor_det(d, B, -1, -1, ctx);
    rj_pmat_clear(B, ctx);
    fmpq_mpoly_clear(t, ctx);
    return RJ_OK;
}

int
rj_pmat_adjugate(rj_pmat_t C, const rj_pmat_t A, const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    rj_pmat_t R;
    slong i, j, n = A->rows;
    int st = check_square(A, "adjugate", err);
    if (st != RJ_OK)
        return st;
    rj_pmat_init(R, n, n, ctx);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            minor_det(R->e + i * n + j, A, j, i, ctx);
            if ((i + j) & 1)
                fmpq_mpoly_neg(R->e + i * n + j, R->e + i * n + j, ctx);
        }
    rj_pmat_swap(C, R);
    rj_pmat_clear(R, ctx);
    return RJ_OK;
}

int
rj_pmat_poly_apply(rj_pmat_t C, const fmpq_mpoly_t p, const rj_pmat_t A,
                   const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    rj_pmat_t R;
    fmpq_mpoly_t c;
    slong tv = rj_pmat_ctx_tvar(ctx), k, i, n = A->rows;
    slong deg = fmpq_mpoly_degree_si(p, tv, ctx);
    ulong e;
    int st = RJ_OK;
    if (A->rows != A->cols)
        return rj_error_set(err, RJ_ERR_INPUT, "a polynomial applies to a square matrix, "
                            "found %ld x %ld", (long) A->rows, (long) A->cols);
    rj_pmat_init(R, n, n, ctx);
    fmpq_mpoly_init(c, ctx);
    /* Horner: R = (...((c_d A + c_{d-1}) A + ...) A + c_0 */
    for (k = deg; k >= 0 && st == RJ_OK; k--) {
        if (k < deg)
            st = rj_pmat_mul(R, R, A, ctx, err);
        e = (ulong) k;
        fmpq_mpoly_get_coeff_vars_ui(c, p, &tv, &e, 1, ctx);
        for (i = 0; i < n; i++)
            fmpq_mpoly_add(R->e + i * n + i, R->e + i * n + i, c, ctx);
    }
    if (st == RJ_OK)
        rj_pmat_swap(C, R);
    rj_pmat_clear(R, ctx);
    fmpq_mpoly_clear(c, ctx);
    return st;
}
