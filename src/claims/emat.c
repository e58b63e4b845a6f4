/* resjac claims: enclosure matrices (RJ_VAL_EMAT), the values of the network
 * functions at tanh and sigmoid networks (the precise layer encloses them).
 *
 * An enclosure matrix holds, for every entry, an interval [lo, hi] (MPFR) that
 * contains the true entry.  Every operation here is interval arithmetic with
 * directed rounding: a lower end is computed rounding down (MPFR_RNDD), an
 * upper end rounding up (MPFR_RNDU), and MPFR rounds correctly, so
 *   - a sum of intervals [a, b] + [c, d] is within [RNDD(a + c), RNDU(b + d)];
 *   - a product of intervals lies between the smallest and the largest of the
 *     four end products (a bilinear function takes its extremes at corners);
 *     each end product is rounded outward;
 *   - |[a, b]|, [a, b]^2 and sqrt are monotone on each side of 0.
 * Hence the true result of an operation on any matrices inside its operands
 * lies inside its result (the inclusion property of interval arithmetic;
 * proofs/precise-bounds.md [PB 1] for the entrywise view).  Spectral norms go
 * through the precise layer's certified bounds (rj_imat_norm2_lower/upper,
 * rj_imat_sigma_min_lower/upper [PB 5, 6]). */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ shapes and entries */

int
cl_is_matlike(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM || v->kind == RJ_VAL_MAT || v->kind == RJ_VAL_ENCL
           || v->kind == RJ_VAL_EMAT;
}

slong
cl_val_rows(const rj_val_struct *v)
{
    if (v->kind == RJ_VAL_MAT)
        return fmpq_mat_nrows(v->mat);
    if (v->kind == RJ_VAL_EMAT)
        return v->erows;
    return 1;
}

slong
cl_val_cols(const rj_val_struct *v)
{
    if (v->kind == RJ_VAL_MAT)
        return fmpq_mat_ncols(v->mat);
    if (v->kind == RJ_VAL_EMAT)
        return v->ecols;
    return 1;
}

int
cl_val_entry_itv(mpfr_t lo, mpfr_t hi, fmpq_t q, const rj_val_struct *v, slong i, slong j)
{
    const fmpq *e = NULL;
    if (v->kind == RJ_VAL_NUM)
        e = v->num;
    else if (v->kind == RJ_VAL_MAT)
        e = fmpq_mat_entry(v->mat, i, j);
    if (e != NULL) {
        fmpq_get_mpfr(lo, e, MPFR_RNDD);
        fmpq_get_mpfr(hi, e, MPFR_RNDU);
        if (q != NULL)
            fmpq_set(q, e);
        return 1;
    }
    if (v->kind == RJ_VAL_ENCL) {
        mpfr_set(lo, v->lo, MPFR_RNDD);
        mpfr_set(hi, v->hi, MPFR_RNDU);
    } else {
        mpfr_set(lo, v->elo + i * v->ecols + j, MPFR_RNDD);
        mpfr_set(hi, v->ehi + i * v->ecols + j, MPFR_RNDU);
    }
    return 0;
}

void
cl_emat_init_set(rj_val_t out, slong r, slong c, slong prec)
{
    slong k, n = r * c;
    rj_val_reset(out);
    out->kind = RJ_VAL_EMAT;
    out->erows = r;
    out->ecols = c;
    out->elo = flint_malloc(FLINT_MAX(n, 1) * sizeof(__mpfr_struct));
    out->ehi = flint_malloc(FLINT_MAX(n, 1) * sizeof(__mpfr_struct));
    for (k = 0; k < n; k++) {
        mpfr_init2(out->elo + k, prec);
        mpfr_init2(out->ehi + k, prec);
        mpfr_set_zero(out->elo + k, 1);
        mpfr_set_zero(out->ehi + k, 1);
    }
}

#define LO(v, i, j) ((v)->elo + (i) * (v)->ecols + (j))
#define HI(v, i, j) ((v)->ehi + (i) * (v)->ecols + (j))

/* Any matlike value as an enclosure matrix (numbers and enclosures 1 x 1). */
static void
to_emat(rj_val_t out, const rj_val_struct *v, slong prec)
{
    slong r = cl_val_rows(v), c = cl_val_cols(v), i, j;
    cl_emat_init_set(out, r, c, prec);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            cl_val_entry_itv(LO(out, i, j), HI(out, i, j), NULL, v, i, j);
}

void
cl_emat_set_imat(rj_val_t out, const rj_imat_struct *A)
{
    slong i, j;
    rj_itv_t x;
    rj_val_t t;
    rj_val_init(t);
    rj_itv_init(x, A->prec);
    cl_emat_init_set(t, A->r, A->c, A->prec);
    for (i = 0; i < A->r; i++)
        for (j = 0; j < A->c; j++) {
            rj_imat_get_itv(x, A, i, j);      /* [mid - rad, mid + rad] outward */
            mpfr_set(LO(t, i, j), x->lo, MPFR_RNDD);
            mpfr_set(HI(t, i, j), x->hi, MPFR_RNDU);
        }
    rj_val_swap(out, t);
    rj_itv_clear(x);
    rj_val_clear(t);
}

void
cl_emat_get_imat(rj_imat_struct *A, const rj_val_struct *v, slong prec)
{
    slong r = cl_val_rows(v), c = cl_val_cols(v), i, j;
    rj_itv_t x;
    rj_itv_init(x, prec);
    rj_imat_reshape(A, r, c, prec);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            cl_val_entry_itv(x->lo, x->hi, NULL, v, i, j);
            rj_imat_set_itv(A, i, j, x);      /* a midpoint-radius ball containing x */
        }
    rj_itv_clear(x);
}

void
cl_val_describe(char *buf, int len, const rj_val_struct *v)
{
    if (v->kind == RJ_VAL_EMAT)
        snprintf(buf, len, "a %ld x %ld enclosure matrix", (long) v->erows, (long) v->ecols);
    else
        rj_val_describe(buf, len, v);
}

/* ------------------------------------------------------------ interval kernels */

/* [lo, hi] (+)= [alo, ahi] * [blo, bhi] (accumulate when acc); t1, t2 scratch. */
static void
itv_addmul(mpfr_t lo, mpfr_t hi, const mpfr_t alo, const mpfr_t ahi, const mpfr_t blo,
           const mpfr_t bhi, int acc, mpfr_t t1, mpfr_t t2)
{
    /* smallest of the four corner products rounded down, largest rounded up */
    mpfr_mul(t1, alo, blo, MPFR_RNDD);
    mpfr_mul(t2, alo, bhi, MPFR_RNDD);
    mpfr_min(t1, t1, t2, MPFR_RNDD);
    mpfr_mul(t2, ahi, blo, MPFR_RNDD);
    mpfr_min(t1, t1, t2, MPFR_RNDD);
    mpfr_mul(t2, ahi, bhi, MPFR_RNDD);
    mpfr_min(t1, t1, t2, MPFR_RNDD);
    if (acc)
        mpfr_add(lo, lo, t1, MPFR_RNDD);
    else
        mpfr_set(lo, t1, MPFR_RNDD);
    mpfr_mul(t1, alo, blo, MPFR_RNDU);
    mpfr_mul(t2, alo, bhi, MPFR_RNDU);
    mpfr_max(t1, t1, t2, MPFR_RNDU);
    mpfr_mul(t2, ahi, blo, MPFR_RNDU);
    mpfr_max(t1, t1, t2, MPFR_RNDU);
    mpfr_mul(t2, ahi, bhi, MPFR_RNDU);
    mpfr_max(t1, t1, t2, MPFR_RNDU);
    if (acc)
        mpfr_add(hi, hi, t1, MPFR_RNDU);
    else
        mpfr_set(hi, t1, MPFR_RNDU);
}

/* |[lo, hi]| as an interval (into alo, ahi). */
static void
itv_abs(mpfr_t alo, mpfr_t ahi, const mpfr_t lo, const mpfr_t hi)
{
    if (mpfr_sgn(lo) >= 0) {
        mpfr_set(alo, lo, MPFR_RNDD);
        mpfr_set(ahi, hi, MPFR_RNDU);
    } else if (mpfr_sgn(hi) <= 0) {
        mpfr_neg(alo, hi, MPFR_RNDD);
        mpfr_neg(ahi, lo, MPFR_RNDU);
    } else {
        mpfr_neg(ahi, lo, MPFR_RNDU);
        if (mpfr_cmp(hi, ahi) > 0)
            mpfr_set(ahi, hi, MPFR_RNDU);
        mpfr_set_zero(alo, 1);
    }
}

/* A NaN end (inf - inf, 0 * inf) widens to the whole line: still an enclosure. */
static void
fix_nan(mpfr_t lo, mpfr_t hi)
{
    if (mpfr_nan_p(lo))
        mpfr_set_inf(lo, -1);
    if (mpfr_nan_p(hi))
        mpfr_set_inf(hi, 1);
}

/* ------------------------------------------------------------ arithmetic */

static int
is_scalar(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM || v->kind == RJ_VAL_ENCL;
}

static int
shape_error(rj_error_t err, rj_loc_t loc, const char *what, const rj_val_struct *a,
            const rj_val_struct *b)
{
    char da[120], db[120];
    cl_val_describe(da, sizeof(da), a);
    cl_val_describe(db, sizeof(db), b);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "shape mismatch: cannot %s %s and %s",
                            what, da, db);
}

/* out = A B (matrices), entrywise interval dot products; out may alias. */
static void
emat_mul(rj_val_t out, const rj_val_struct *A, const rj_val_struct *B, slong prec)
{
    slong r = A->erows, n = A->ecols, c = B->ecols, i, j, k;
    mpfr_t t1, t2;
    rj_val_t C;
    rj_val_init(C);
    mpfr_init2(t1, prec);
    mpfr_init2(t2, prec);
    cl_emat_init_set(C, r, c, prec);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            for (k = 0; k < n; k++)
                itv_addmul(LO(C, i, j), HI(C, i, j), LO(A, i, k), HI(A, i, k), LO(B, k, j),
                           HI(B, k, j), k > 0, t1, t2);
            fix_nan(LO(C, i, j), HI(C, i, j));
        }
    rj_val_swap(out, C);
    mpfr_clear(t1);
    mpfr_clear(t2);
    rj_val_clear(C);
}

/* out = s A for an interval scalar s (a 1 x 1 enclosure matrix). */
static void
emat_scale(rj_val_t out, const rj_val_struct *s, const rj_val_struct *A, slong prec)
{
    slong i, n = A->erows * A->ecols;
    mpfr_t t1, t2;
    rj_val_t C;
    rj_val_init(C);
    mpfr_init2(t1, prec);
    mpfr_init2(t2, prec);
    cl_emat_init_set(C, A->erows, A->ecols, prec);
    for (i = 0; i < n; i++) {
        itv_addmul(C->elo + i, C->ehi + i, s->elo, s->ehi, A->elo + i, A->ehi + i, 0, t1, t2);
        fix_nan(C->elo + i, C->ehi + i);
    }
    rj_val_swap(out, C);
    mpfr_clear(t1);
    mpfr_clear(t2);
    rj_val_clear(C);
}

static int
emat_pow(rj_val_t out, const rj_val_struct *A, const rj_val_struct *e, slong prec,
         rj_loc_t loc, rj_error_t err)
{
    slong k, n = A->erows, i;
    rj_val_t P, B;
    if (e->kind != RJ_VAL_NUM || !fmpz_is_one(fmpq_denref(e->num))
        || fmpz_sgn(fmpq_numref(e->num)) < 0 || fmpz_bits(fmpq_numref(e->num)) > 20)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "the power of an enclosure matrix needs an integer exponent "
                                "in 0..2^20");
    if (A->erows != A->ecols)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "a power needs a square matrix, found a %ld x %ld enclosure "
                                "matrix", (long) A->erows, (long) A->ecols);
    k = fmpz_get_si(fmpq_numref(e->num));
    rj_val_init(P);
    rj_val_init(B);
    cl_emat_init_set(P, n, n, prec);
    for (i = 0; i < n; i++) {
        mpfr_set_ui(LO(P, i, i), 1, MPFR_RNDD);
        mpfr_set_ui(HI(P, i, i), 1, MPFR_RNDU);
    }
    rj_val_set(B, A);
    /* binary powering: each product encloses the product of any members, so
       P encloses A^k for every A inside */
    while (k > 0) {
        if (k & 1)
            emat_mul(P, P, B, prec);
        k >>= 1;
        if (k > 0)
            emat_mul(B, B, B, prec);
    }
    rj_val_swap(out, P);
    rj_val_clear(P);
    rj_val_clear(B);
    return RJ_OK;
}

int
cl_emat_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
              slong prec, rj_loc_t loc, rj_error_t err)
{
    rj_val_t A, B;
    int st = RJ_OK;
    int ea = a->kind == RJ_VAL_EMAT, eb = b->kind == RJ_VAL_EMAT;
    int mixed = (a->kind == RJ_VAL_ENCL && b->kind == RJ_VAL_MAT)
                || (a->kind == RJ_VAL_MAT && b->kind == RJ_VAL_ENCL);
    if (!ea && !eb && !mixed)
        return RJ_NOT_HANDLED;
    if (!cl_is_matlike(a) || !cl_is_matlike(b)) {
        char da[120], db[120];
        cl_val_describe(da, sizeof(da), a);
        cl_val_describe(db, sizeof(db), b);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot apply '%c' to %s and %s",
                                op, da, db);
    }
    if (op == '^') {
        if (!ea)
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "an exponent must be an integer, not an enclosure");
        return emat_pow(out, a, b, prec, loc, err);
    }
    rj_val_init(A);
    rj_val_init(B);
    to_emat(A, a, prec);
    to_emat(B, b, prec);
    if (op == '+' || op == '-') {
        slong i, n = A->erows * A->ecols;
        if (is_scalar(a) != is_scalar(b) || A->erows != B->erows || A->ecols != B->ecols) {
            st = shape_error(err, loc, op == '+' ? "add" : "subtract", a, b);
            goto done;
        }
        for (i = 0; i < n; i++) {
            if (op == '+') {
                mpfr_add(A->elo + i, A->elo + i, B->elo + i, MPFR_RNDD);
                mpfr_add(A->ehi + i, A->ehi + i, B->ehi + i, MPFR_RNDU);
            } else {
                /* [a, b] - [c, d] = [a - d, b - c] */
                mpfr_sub(A->elo + i, A->elo + i, B->ehi + i, MPFR_RNDD);
                mpfr_sub(A->ehi + i, A->ehi + i, B->elo + i, MPFR_RNDU);
            }
            fix_nan(A->elo + i, A->ehi + i);
        }
        rj_val_swap(out, A);
    } else if (op == '*') {
        if (is_scalar(a))
            emat_scale(out, A, B, prec);
        else if (is_scalar(b))
            emat_scale(out, B, A, prec);
        else if (A->ecols != B->erows)
            st = shape_error(err, loc, "multiply", a, b);
        else if ((double) A->erows * A->ecols * B->ecols > RJ_MAX_MUL_WORK)
            st = rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                                  "an enclosure matrix product of %ld x %ld by %ld x %ld "
                                  "exceeds the work limit", (long) A->erows, (long) A->ecols,
                                  (long) B->erows, (long) B->ecols);
        else
            emat_mul(out, A, B, prec);
    } else if (op == '/') {
        if (!is_scalar(b))
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "division is by a number only");
        else if (mpfr_sgn(B->elo) <= 0 && mpfr_sgn(B->ehi) >= 0)
            st = b->kind == RJ_VAL_NUM
                     ? rj_error_set_loc(err, RJ_ERR_INPUT, loc, "division by zero")
                     : rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                                        "division by an enclosure that contains 0");
        else {
            /* 1/[c, d] = [RNDD(1/d), RNDU(1/c)] when 0 is outside [c, d] */
            mpfr_t t;
            mpfr_init2(t, prec);
            mpfr_ui_div(t, 1, B->ehi, MPFR_RNDD);
            mpfr_ui_div(B->ehi, 1, B->elo, MPFR_RNDU);
            mpfr_set(B->elo, t, MPFR_RNDD);
            mpfr_clear(t);
            emat_scale(out, B, A, prec);
        }
    } else
        st = rj_error_set_loc(err, RJ_ERR_INTERNAL, loc, "bad operator");
done:
    rj_val_clear(A);
    rj_val_clear(B);
    return st;
}

int
cl_val_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
             slong prec, const rj_limits *lim, rj_loc_t loc, rj_error_t err)
{
    int st = cl_emat_binop(out, op, a, b, prec, loc, err);
    if (st == RJ_NOT_HANDLED)
        st = rj_val_binop(out, op, a, b, lim, loc, err);
    return st;
}

int
cl_emat_neg(rj_val_t out, const rj_val_struct *a)
{
    slong i, n = a->erows * a->ecols;
    rj_val_t C;
    rj_val_init(C);
    cl_emat_init_set(C, a->erows, a->ecols, RJ_ENCL_PREC);
    for (i = 0; i < n; i++) {
        mpfr_set_prec(C->elo + i, mpfr_get_prec(a->ehi + i));
        mpfr_set_prec(C->ehi + i, mpfr_get_prec(a->elo + i));
        mpfr_neg(C->elo + i, a->ehi + i, MPFR_RNDD);     /* exact: same precision */
        mpfr_neg(C->ehi + i, a->elo + i, MPFR_RNDU);
    }
    rj_val_swap(out, C);
    rj_val_clear(C);
    return RJ_OK;
}

int
cl_emat_transpose(rj_val_t out, const rj_val_struct *a)
{
    slong i, j;
    rj_val_t C;
    rj_val_init(C);
    cl_emat_init_set(C, a->ecols, a->erows, RJ_ENCL_PREC);
    for (i = 0; i < a->erows; i++)
        for (j = 0; j < a->ecols; j++) {
            mpfr_set_prec(LO(C, j, i), mpfr_get_prec(LO(a, i, j)));
            mpfr_set_prec(HI(C, j, i), mpfr_get_prec(HI(a, i, j)));
            mpfr_set(LO(C, j, i), LO(a, i, j), MPFR_RNDD);      /* exact */
            mpfr_set(HI(C, j, i), HI(a, i, j), MPFR_RNDU);
        }
    rj_val_swap(out, C);
    rj_val_clear(C);
    return RJ_OK;
}

static int
get_index(slong *k, const rj_val_struct *v, slong n, const char *what, rj_loc_t loc,
          rj_error_t err)
{
    if (v == NULL || v->kind != RJ_VAL_NUM || !fmpz_is_one(fmpq_denref(v->num))
        || fmpz_cmp_si(fmpq_numref(v->num), 1) < 0 || fmpz_cmp_si(fmpq_numref(v->num), n) > 0)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "the %s must be an integer in 1..%ld",
                                what, (long) n);
    *k = fmpz_get_si(fmpq_numref(v->num)) - 1;
    return RJ_OK;
}

int
cl_emat_index(rj_val_t out, const rj_val_struct *a, const rj_val_struct *i,
              const rj_val_struct *j, rj_loc_t loc, rj_error_t err)
{
    slong r = a->erows, c = a->ecols, ii = 0, jj = 0;
    int st;
    mpfr_srcptr lo, hi;
    if (j == NULL) {
        if (r != 1 && c != 1)
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "one index needs a vector, but this is a %ld x %ld "
                                    "enclosure matrix: write A[i, j]", (long) r, (long) c);
        st = get_index(c == 1 ? &ii : &jj, i, r * c, "index", loc, err);
    } else {
        st = get_index(&ii, i, r, "row index", loc, err);
        if (st == RJ_OK)
            st = get_index(&jj, j, c, "column index", loc, err);
    }
    if (st != RJ_OK)
        return st;
    lo = LO(a, ii, jj);
    hi = HI(a, ii, jj);
    cl_val_set_encl(out, lo, hi, FLINT_MAX(mpfr_get_prec(lo), mpfr_get_prec(hi)));
    return RJ_OK;
}

int
cl_emat_diag(rj_val_t out, const rj_val_struct *v, rj_loc_t loc, rj_error_t err)
{
    slong n, i;
    rj_val_t D;
    if (v->erows != 1 && v->ecols != 1)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "diag of a %ld x %ld enclosure matrix: give one vector",
                                (long) v->erows, (long) v->ecols);
    n = v->erows * v->ecols;
    rj_val_init(D);
    cl_emat_init_set(D, n, n, RJ_ENCL_PREC);
    for (i = 0; i < n; i++) {
        mpfr_set_prec(LO(D, i, i), mpfr_get_prec(v->elo + i));
        mpfr_set_prec(HI(D, i, i), mpfr_get_prec(v->ehi + i));
        mpfr_set(LO(D, i, i), v->elo + i, MPFR_RNDD);           /* exact */
        mpfr_set(HI(D, i, i), v->ehi + i, MPFR_RNDU);
    }
    rj_val_swap(out, D);
    rj_val_clear(D);
    return RJ_OK;
}

int
cl_emat_literal(rj_val_t out, rj_val_struct **entries, slong rows, slong cols, slong prec)
{
    slong i, j;
    rj_val_t D;
    rj_val_init(D);
    cl_emat_init_set(D, rows, cols, prec);
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++)
            cl_val_entry_itv(LO(D, i, j), HI(D, i, j), NULL, entries[i * cols + j], 0, 0);
    rj_val_swap(out, D);
    rj_val_clear(D);
    return RJ_OK;
}

/* ------------------------------------------------------------ functions */

/* Sum of |entries| of column (by_col) or row k, into [lo, hi]. */
static void
line_abs_sum(mpfr_t lo, mpfr_t hi, const rj_val_struct *A, slong k, int by_col, mpfr_t t1,
             mpfr_t t2)
{
    slong m = by_col ? A->erows : A->ecols, i;
    mpfr_set_zero(lo, 1);
    mpfr_set_zero(hi, 1);
    for (i = 0; i < m; i++) {
        slong r = by_col ? i : k, c = by_col ? k : i;
        itv_abs(t1, t2, LO(A, r, c), HI(A, r, c));
        mpfr_add(lo, lo, t1, MPFR_RNDD);
        mpfr_add(hi, hi, t2, MPFR_RNDU);
    }
}

int
cl_emat_function(rj_val_t out, const char *name, const rj_val_struct *a, slong prec,
                 rj_loc_t loc, rj_error_t err)
{
    rj_val_t A;
    mpfr_t lo, hi, t1, t2, u1, u2;
    slong i, n;
    int st = RJ_OK;

    rj_val_init(A);
    to_emat(A, a, prec);
    n = A->erows * A->ecols;
    mpfr_init2(lo, prec);
    mpfr_init2(hi, prec);
    mpfr_init2(t1, prec);
    mpfr_init2(t2, prec);
    mpfr_init2(u1, prec);
    mpfr_init2(u2, prec);
    if (strcmp(name, "norm1") == 0 || strcmp(name, "norminf") == 0) {
        /* the largest line sum lies between the largest lower and upper ends */
        int by_col = name[4] == '1';
        slong m = by_col ? A->ecols : A->erows, k;
        mpfr_set_zero(lo, 1);
        mpfr_set_zero(hi, 1);
        for (k = 0; k < m; k++) {
            line_abs_sum(u1, u2, A, k, by_col, t1, t2);
            mpfr_max(lo, lo, u1, MPFR_RNDD);
            mpfr_max(hi, hi, u2, MPFR_RNDU);
        }
        cl_val_set_encl(out, lo, hi, prec);
    } else if (strcmp(name, "normfro2") == 0 || strcmp(name, "normfro") == 0) {
        mpfr_set_zero(lo, 1);
        mpfr_set_zero(hi, 1);
        for (i = 0; i < n; i++) {
            itv_abs(t1, t2, A->elo + i, A->ehi + i);
            mpfr_sqr(t1, t1, MPFR_RNDD);
            mpfr_sqr(t2, t2, MPFR_RNDU);
            mpfr_add(lo, lo, t1, MPFR_RNDD);
            mpfr_add(hi, hi, t2, MPFR_RNDU);
        }
        if (name[7] == '\0') {
            mpfr_sqrt(lo, lo, MPFR_RNDD);
            mpfr_sqrt(hi, hi, MPFR_RNDU);
        }
        cl_val_set_encl(out, lo, hi, prec);
    } else if (strcmp(name, "trace") == 0) {
        if (A->erows != A->ecols)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "trace: argument 1 must be a square "
                                  "matrix, found a %ld x %ld enclosure matrix",
                                  (long) A->erows, (long) A->ecols);
        else {
            mpfr_set_zero(lo, 1);
            mpfr_set_zero(hi, 1);
            for (i = 0; i < A->erows; i++) {
                mpfr_add(lo, lo, LO(A, i, i), MPFR_RNDD);
                mpfr_add(hi, hi, HI(A, i, i), MPFR_RNDU);
            }
            cl_val_set_encl(out, lo, hi, prec);
        }
    } else if (strcmp(name, "abs") == 0) {
        for (i = 0; i < n; i++) {
            itv_abs(t1, t2, A->elo + i, A->ehi + i);
            mpfr_set(A->elo + i, t1, MPFR_RNDD);
            mpfr_set(A->ehi + i, t2, MPFR_RNDU);
        }
        if (a->kind == RJ_VAL_EMAT)
            rj_val_swap(out, A);
        else
            cl_val_set_encl(out, A->elo, A->ehi, prec);
    } else if (strcmp(name, "max") == 0 || strcmp(name, "min") == 0) {
        /* the largest entry lies between the largest lower end and the largest
           upper end (likewise the smallest) */
        int want_max = name[1] == 'a';
        if (n == 0)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s of no numbers", name);
        else {
            mpfr_set(lo, A->elo, MPFR_RNDD);
            mpfr_set(hi, A->ehi, MPFR_RNDU);
            for (i = 1; i < n; i++) {
                if (want_max) {
                    mpfr_max(lo, lo, A->elo + i, MPFR_RNDD);
                    mpfr_max(hi, hi, A->ehi + i, MPFR_RNDU);
                } else {
                    mpfr_min(lo, lo, A->elo + i, MPFR_RNDD);
                    mpfr_min(hi, hi, A->ehi + i, MPFR_RNDU);
                }
            }
            cl_val_set_encl(out, lo, hi, prec);
        }
    } else if (strcmp(name, "norm2") == 0 || strcmp(name, "sigma_min") == 0) {
        rj_imat_t M;
        rj_imat_init(M, 0, 0, prec);
        cl_emat_get_imat(M, A, prec);
        if (name[0] == 'n') {
            rj_imat_norm2_lower(lo, M);
            rj_imat_norm2_upper(hi, M);
        } else {
            if (!rj_imat_sigma_min_lower(lo, M))
                mpfr_set_zero(lo, 1);
            rj_imat_sigma_min_upper(hi, M);
        }
        if (mpfr_sgn(lo) < 0)
            mpfr_set_zero(lo, 1);
        cl_val_set_encl(out, lo, hi, prec);
        rj_imat_clear(M);
    } else {
        char d[120];
        cl_val_describe(d, sizeof(d), a);
        st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                              "%s of %s: enclosure matrices (values of tanh or sigmoid "
                              "networks) take + - * / ^, ', indexing, diag, norm1, norminf, "
                              "normfro, normfro2, norm2, sigma_min, trace, abs, min and max",
                              name, d);
    }
    mpfr_clear(lo);
    mpfr_clear(hi);
    mpfr_clear(t1);
    mpfr_clear(t2);
    mpfr_clear(u1);
    mpfr_clear(u2);
    rj_val_clear(A);
    return st;
}
