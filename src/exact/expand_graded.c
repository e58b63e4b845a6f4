/* resjac: the path-length components G_k = sum over |T| = k of the path
 * products, by dynamic programming over the blocks.  Before block l the
 * components of the first l blocks are G_0..G_l; appending block l gives
 *     G_k' = S_l G_k + R_l G_{k-1}        (G_{-1} = G_{l+1} = 0),
 * since a path of length k through the first l+1 blocks either takes the skip
 * of block l after a path of length k, or its branch after one of length k-1.
 * That is 2 (l + 1) matrix products for block l, L (L + 1) in all. */
#include <flint/fmpq_mat.h>
#include <flint/fmpz_mat.h>

#include "exact_internal.h"

static int
check_graded(const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, L = parts->len, n0, nmax = 0;
    int st;

    if ((st = _rj_parts_check(parts, "graded expansion", err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    for (l = 0; l <= L; l++)
        nmax = FLINT_MAX(nmax, _rj_parts_width(parts, l));
    /* G and the next G: 2 (L + 1) matrices of at most nmax x n0 entries */
    if ((double) 2 * (L + 1) * nmax * n0 > (double) RJ_EXACT_MAX_ENTRIES)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "graded expansion: %ld components of up to %ldx%ld entries "
                            "exceed the limit of %ld matrix entries (RJ_EXACT_MAX_ENTRIES)",
                            (long) (L + 1), (long) nmax, (long) n0,
                            (long) RJ_EXACT_MAX_ENTRIES);
    return RJ_OK;
}

static void
reshape_all(fmpq_mat_struct *G, slong L, slong r, slong c)
{
    slong k;
    for (k = 0; k <= L; k++)
        _rj_fmpq_mat_reshape(G + k, r, c);
}

int
rj_expand_graded_rational(fmpq_mat_struct *G, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, k, L = parts->len, n0, r;
    fmpq_mat_t T, U;
    int st;

    if ((st = check_graded(parts, err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    reshape_all(G, L, n0, n0);
    for (k = 0; k <= L; k++)
        fmpq_mat_zero(G + k);
    fmpq_mat_one(G + 0);
    for (l = 0; l < L; l++) {
        r = _rj_parts_width(parts, l + 1);
        fmpq_mat_init(U, r, n0);
        /* downwards, so that G_{k-1} is still the old one when G_k is written */
        for (k = l + 1; k >= 0; k--) {
            fmpq_mat_init(T, r, n0);
            if (k <= l)
                fmpq_mat_mul(T, parts->S + l, G + k);
            if (k >= 1) {
                fmpq_mat_mul(U, parts->R + l, G + k - 1);
                fmpq_mat_add(T, T, U);
            }
            fmpq_mat_swap(G + k, T);
            fmpq_mat_clear(T);
        }
        fmpq_mat_clear(U);
        /* components beyond l + 1 are zero; give them the new shape */
        for (k = l + 2; k <= L; k++)
            _rj_fmpq_mat_reshape(G + k, r, n0);
    }
    return RJ_OK;
}

/* The dyadic path keeps all components side by side in one integer matrix
   Z = [Z_0 | Z_1 | ... | Z_L] with G_k = Z_k / 2^e[k], so that each block
   costs two products S' Z and R' Z of a few large matrices (fmpz_mat_mul
   picks its multimodular and BLAS-backed algorithms by size).  Each component
   has its own exponent, normalised after every block, so G_k's integers are
   as short as its common denominator allows: with an identity skip (eS = 0)
   G_k carries only the branches' scales, about k eR bits, not L eR.
   The new component k gathers S' Z_k / 2^(e_k + eS) and R' Z_(k-1) /
   2^(e_(k-1) + eR), both shifted to the larger of the two exponents. */
int
rj_expand_graded_dyadic(fmpq_mat_struct *G, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, k, L = parts->len, n0, r, c, a, b;
    _rj_dyadic_struct d;
    fmpz_mat_t Z, Znew, A, B, win, src;
    slong *e, *enew;
    int st;

    if ((st = check_graded(parts, err)) != RJ_OK)
        return st;
    if ((st = _rj_parts_check_dyadic(parts, "graded expansion", err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    _rj_dyadic_init(&d, parts);
    e = flint_calloc(L + 2, sizeof(slong));
    enew = flint_calloc(L + 2, sizeof(slong));
    fmpz_mat_init(Z, n0, (L + 1) * n0);
    fmpz_mat_window_init(win, Z, 0, 0, n0, n0);
    fmpz_mat_one(win);
    fmpz_mat_window_clear(win);
    for (l = 0; l < L; l++) {
        r = _rj_parts_width(parts, l + 1);
        c = (l + 1) * n0;                     /* columns of G_0..G_l */
        fmpz_mat_init(Znew, r, (L + 1) * n0);
        fmpz_mat_init(A, r, c);
        fmpz_mat_init(B, r, c);
        fmpz_mat_window_init(src, Z, 0, 0, fmpz_mat_nrows(Z), c);
        if (d.S_one[l])
            fmpz_mat_set(A, src);
        else
            fmpz_mat_mul(A, d.S + l, src);
        fmpz_mat_mul(B, d.R + l, src);
        fmpz_mat_window_clear(src);
        for (k = 0; k <= l + 1; k++) {
            a = (k <= l) ? e[k] + d.eS[l] : -1;
            b = (k >= 1) ? e[k - 1] + d.eR[l] : -1;
            enew[k] = FLINT_MAX(a, b);
            fmpz_mat_window_init(win, Znew, 0, k * n0, r, (k + 1) * n0);
            if (k <= l) {
                fmpz_mat_window_init(src, A, 0, k * n0, r, (k + 1) * n0);
                _rj_fmpz_mat_addmul_2exp(win, src, enew[k] - a);
                fmpz_mat_window_clear(src);
            }
            if (k >= 1) {
                fmpz_mat_window_init(src, B, 0, (k - 1) * n0, r, k * n0);
                _rj_fmpz_mat_addmul_2exp(win, src, enew[k] - b);
                fmpz_mat_window_clear(src);
            }
            _rj_dyadic_normalise(win, enew + k);
            fmpz_mat_window_clear(win);
        }
        for (k = 0; k <= l + 1; k++)
            e[k] = enew[k];
        fmpz_mat_clear(A);
        fmpz_mat_clear(B);
        fmpz_mat_swap(Z, Znew);
        fmpz_mat_clear(Znew);
    }
    r = fmpz_mat_nrows(Z);
    reshape_all(G, L, r, n0);
    for (k = 0; k <= L; k++) {
        fmpz_mat_window_init(win, Z, 0, k * n0, r, (k + 1) * n0);
        _rj_fmpq_mat_set_dyadic(G + k, win, e[k]);
        fmpz_mat_window_clear(win);
    }
    flint_free(e);
    flint_free(enew);
    fmpz_mat_clear(Z);
    _rj_dyadic_clear(&d);
    return RJ_OK;
}

/* The cleared path: Z = [G_0 | ... | G_L] times den_0 ... den_{l-1}, one
   scale for all components, so block l is Z' = S' Z (into block k) + R' Z
   (into block k + 1) with no shifts; one division at the end. */
int
rj_expand_graded_cleared(fmpq_mat_struct *G, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, k, L = parts->len, n0, r, c;
    _rj_cleared_struct cl;
    fmpz_mat_t Z, Znew, A, win, src;
    fmpz_t D;
    int st;

    if ((st = check_graded(parts, err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    _rj_cleared_init(&cl, parts);
    fmpz_mat_init(Z, n0, (L + 1) * n0);
    fmpz_mat_window_init(win, Z, 0, 0, n0, n0);
    fmpz_mat_one(win);
    fmpz_mat_window_clear(win);
    for (l = 0; l < L; l++) {
        r = _rj_parts_width(parts, l + 1);
        c = (l + 1) * n0;                     /* columns of G_0..G_l */
        fmpz_mat_init(Znew, r, (L + 1) * n0);
        fmpz_mat_init(A, r, c);
        fmpz_mat_window_init(src, Z, 0, 0, fmpz_mat_nrows(Z), c);

        _rj_cleared_mul_S(A, &cl, l, src);    /* S_l G_k into block k */
        fmpz_mat_window_init(win, Znew, 0, 0, r, c);
        fmpz_mat_add(win, win, A);
        fmpz_mat_window_clear(win);

        fmpz_mat_mul(A, cl.R + l, src);       /* R_l G_k into block k + 1 */
        fmpz_mat_window_init(win, Znew, 0, n0, r, c + n0);
        fmpz_mat_add(win, win, A);
        fmpz_mat_window_clear(win);

        fmpz_mat_window_clear(src);
        fmpz_mat_clear(A);
        fmpz_mat_swap(Z, Znew);
        fmpz_mat_clear(Znew);
    }
    fmpz_init(D);
    _rj_cleared_den(D, &cl);
    r = fmpz_mat_nrows(Z);
    reshape_all(G, L, r, n0);
    for (k = 0; k <= L; k++) {
        fmpz_mat_window_init(win, Z, 0, k * n0, r, (k + 1) * n0);
        fmpq_mat_set_fmpz_mat_div_fmpz(G + k, win, D);
        fmpz_mat_window_clear(win);
    }
    fmpz_clear(D);
    fmpz_mat_clear(Z);
    _rj_cleared_clear(&cl);
    return RJ_OK;
}

int
rj_expand_graded(fmpq_mat_struct *G, const rj_exact_parts_t parts, rj_error_t err)
{
    if (parts->h != NULL && rj_exact_parts_is_dyadic(parts))
        return rj_expand_graded_dyadic(G, parts, err);
    return rj_expand_graded_cleared(G, parts, err);
}

/* prod (I + R) over L equal blocks: the factors commute, so the binomial
   theorem gives G_k = C(L, k) R^k.  The binomials come from the recurrence
   C(L, k+1) = C(L, k) (L - k) / (k + 1) (an exact division), one running
   fmpz: the exact layer stays a peer of src/paths (which counts paths the
   same way, rj_paths_counts) and needs no row of L + 1 counts. */
int
rj_expand_graded_commuting(fmpq_mat_struct *G, const fmpq_mat_t R, slong L, rj_error_t err)
{
    slong k, n = fmpq_mat_nrows(R);
    fmpq_mat_t P, T;
    fmpz_t c;

    if (n != fmpq_mat_ncols(R) || n < 1)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "commuting expansion: R must be square, got %ldx%ld",
                            (long) n, (long) fmpq_mat_ncols(R));
    if (L < 0 || L > RJ_MAX_DEPTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "commuting expansion: L = %ld is outside [0, %d] (RJ_MAX_DEPTH)",
                            (long) L, RJ_MAX_DEPTH);
    if ((double) (L + 2) * n * n > (double) RJ_EXACT_MAX_ENTRIES)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "commuting expansion: %ld components of %ldx%ld entries exceed "
                            "the limit of %ld matrix entries (RJ_EXACT_MAX_ENTRIES)",
                            (long) (L + 1), (long) n, (long) n,
                            (long) RJ_EXACT_MAX_ENTRIES);
    reshape_all(G, L, n, n);
    fmpz_init_set_ui(c, 1);               /* C(L, 0) */
    fmpq_mat_init(P, n, n);
    fmpq_mat_init(T, n, n);
    fmpq_mat_one(P);
    for (k = 0; k <= L; k++) {
        fmpq_mat_scalar_mul_fmpz(G + k, P, c);
        if (k < L) {
            fmpq_mat_mul(T, R, P);
            fmpq_mat_swap(P, T);
            fmpz_mul_ui(c, c, (ulong) (L - k));
            fmpz_divexact_ui(c, c, (ulong) (k + 1));
        }
    }
    fmpq_mat_clear(P);
    fmpq_mat_clear(T);
    fmpz_clear(c);
    return RJ_OK;
}
