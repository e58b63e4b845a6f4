/* resjac claims: enclosure matrices, the values of the network functions at
 * tanh and sigmoid networks (the precise layer encloses them).
 *
 * An enclosure matrix is the language's extension value (RJ_VAL_EXT, lang.h)
 * whose operations table is cl_emat_ops and whose data is one of the precise
 * layer's midpoint-radius matrices (rj_imat): entry (i, j) holds every real in
 * [mid - rad, mid + rad].  Every operation here is an operation of the precise
 * layer (rj_imat_add, rj_imat_mul, rj_imat_scalar_mul_itv, the norms of
 * src/precise/norms.c), each of which returns an enclosure of the true result
 * for every matrix inside its operands [PB 1, 3, 5, 6]; this file only checks
 * shapes, converts exact operands (rj_imat_set_fmpq_mat, rj_itv_set_fmpq:
 * outward rounding) and refuses a result that is not finite
 * (RJ_ENCL_NONFINITE_MSG): a NaN or infinite end is no enclosure a verdict
 * may rest on. */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

static const rj_imat_struct *
imat_of(const rj_val_struct *v)
{
    return v->data;
}

int
cl_val_is_emat(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_EXT && v->ops == &cl_emat_ops;
}

const rj_imat_struct *
cl_emat_imat(const rj_val_struct *v)
{
    return imat_of(v);
}

/* ------------------------------------------------------------ shapes and entries */

int
cl_is_matlike(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM || v->kind == RJ_VAL_MAT || rj_claims_val_is_encl(v)
           || cl_val_is_emat(v);
}

slong
cl_val_rows(const rj_val_struct *v)
{
    if (v->kind == RJ_VAL_MAT)
        return fmpq_mat_nrows(v->mat);
    if (cl_val_is_emat(v))
        return imat_of(v)->r;
    return 1;
}

slong
cl_val_cols(const rj_val_struct *v)
{
    if (v->kind == RJ_VAL_MAT)
        return fmpq_mat_ncols(v->mat);
    if (cl_val_is_emat(v))
        return imat_of(v)->c;
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
    if (rj_claims_val_is_encl(v)) {
        mpfr_set(lo, rj_claims_val_encl(v)->lo, MPFR_RNDD);
        mpfr_set(hi, rj_claims_val_encl(v)->hi, MPFR_RNDU);
    } else {
        const rj_imat_struct *A = imat_of(v);
        mpfr_sub(lo, rj_imat_mid(A, i, j), rj_imat_rad(A, i, j), MPFR_RNDD);
        mpfr_add(hi, rj_imat_mid(A, i, j), rj_imat_rad(A, i, j), MPFR_RNDU);
    }
    return 0;
}

/* The working precision of an operation: the largest of the operands'. */
static slong
val_prec(const rj_val_struct *v)
{
    if (cl_val_is_emat(v))
        return imat_of(v)->prec;
    return cl_encl_prec(v);
}

void
cl_emat_get_imat(rj_imat_struct *A, const rj_val_struct *v, slong prec)
{
    slong i, j, r = cl_val_rows(v), c = cl_val_cols(v);
    if (cl_val_is_emat(v)) {
        rj_imat_set(A, imat_of(v));
        return;
    }
    if (v->kind == RJ_VAL_MAT) {
        rj_imat_set_fmpq_mat(A, v->mat, prec);
        return;
    }
    rj_imat_reshape(A, r, c, prec);
    {
        rj_itv_t x;
        rj_itv_init(x, prec);
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++) {
                cl_val_entry_itv(x->lo, x->hi, NULL, v, i, j);
                rj_imat_set_itv(A, i, j, x);   /* a ball containing x */
            }
        rj_itv_clear(x);
    }
}

/* ------------------------------------------------------------ the value */

static int
imat_finite(const rj_imat_struct *A)
{
    slong i;
    for (i = 0; i < A->r * A->c; i++)
        if (!mpfr_number_p(A->mid + i) || !mpfr_number_p(A->rad + i))
            return 0;
    return 1;
}

int
cl_val_check_finite(const rj_val_struct *v, rj_loc_t loc, rj_error_t err)
{
    slong i;
    int ok = 1;
    if (rj_claims_val_is_encl(v))
        ok = rj_itv_is_finite(rj_claims_val_encl(v));
    else if (cl_val_is_emat(v))
        ok = imat_finite(imat_of(v));
    else if (v->kind == RJ_VAL_LIST)
        for (i = 0; i < v->len; i++) {
            int st = cl_val_check_finite(v->items + i, loc, err);
            if (st != RJ_OK)
                return st;
        }
    if (ok)
        return RJ_OK;
    return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "%s", RJ_ENCL_NONFINITE_MSG);
}

/* out = an enclosure matrix holding A (moved out of A, which is left 0 x 0);
   RJ_ERR_DOMAIN when A is not finite. */
static int
emat_take(rj_val_t out, rj_imat_t A, rj_loc_t loc, rj_error_t err)
{
    rj_imat_struct *d;
    if (!imat_finite(A))
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "%s", RJ_ENCL_NONFINITE_MSG);
    d = flint_malloc(sizeof(rj_imat_struct));
    rj_imat_init(d, 0, 0, A->prec);
    rj_imat_swap(d, A);
    rj_val_set_ext(out, &cl_emat_ops, d);
    return RJ_OK;
}

int
cl_emat_set_imat(rj_val_t out, const rj_imat_t A, rj_loc_t loc, rj_error_t err)
{
    rj_imat_t T;
    int st;
    rj_imat_init(T, 0, 0, A->prec);
    rj_imat_set(T, A);
    st = emat_take(out, T, loc, err);
    rj_imat_clear(T);
    return st;
}

static void
emat_free(void *data)
{
    rj_imat_clear(data);
    flint_free(data);
}

static void *
emat_copy(const void *data)
{
    const rj_imat_struct *A = data;
    rj_imat_struct *d = flint_malloc(sizeof(rj_imat_struct));
    rj_imat_init(d, 0, 0, A->prec);
    rj_imat_set(d, A);
    return d;
}

static void
emat_describe(char *buf, int len, const rj_val_struct *v)
{
    snprintf(buf, len, "a %ld x %ld enclosure matrix", (long) imat_of(v)->r,
             (long) imat_of(v)->c);
}

static void
sb_emat(cl_sbuf *b, const rj_val_struct *v, slong maxlen)
{
    const rj_imat_struct *A = imat_of(v);
    slong i, j, r = A->r, c = A->c;
    mpfr_t lo, hi;
    if (r == 0 || c == 0) {
        cl_sb_printf(b, "zeros(%ld, %ld)", (long) r, (long) c);
        return;
    }
    mpfr_init2(lo, A->prec + 2);
    mpfr_init2(hi, A->prec + 2);
    cl_sb_puts(b, "[");
    for (i = 0; i < r; i++) {
        if (c > 1)
            cl_sb_puts(b, i > 0 ? ", [" : "[");
        for (j = 0; j < c; j++) {
            char sl[100], sh[100];
            if (i + j > 0 && (c == 1 || j > 0))
                cl_sb_puts(b, ", ");
            if (maxlen > 0 && b->len > maxlen) {
                cl_sb_printf(b, "... (a %ld x %ld enclosure matrix)", (long) r, (long) c);
                cl_sb_puts(b, c > 1 ? "]]" : "]");
                goto done;
            }
            /* the two ends rounded outward (the printed intervals contain the
               enclosure); one number when they print the same */
            cl_val_entry_itv(lo, hi, NULL, v, i, j);
            mpfr_snprintf(sl, sizeof(sl), "%.12RDg", lo);
            mpfr_snprintf(sh, sizeof(sh), "%.12RUg", hi);
            if (strcmp(sl, sh) == 0)
                cl_sb_puts(b, sl);
            else
                cl_sb_printf(b, "%s..%s", sl, sh);
        }
        if (c > 1)
            cl_sb_puts(b, "]");
    }
    cl_sb_puts(b, "]");
done:
    mpfr_clear(lo);
    mpfr_clear(hi);
}

static char *
emat_print(const rj_val_struct *v, slong maxlen)
{
    cl_sbuf b;
    cl_sb_init(&b);
    sb_emat(&b, v, maxlen);
    return cl_sb_take(&b);
}

int
cl_emat_equal(const rj_val_struct *a, const rj_val_struct *b)
{
    const rj_imat_struct *A = imat_of(a), *B = imat_of(b);
    slong i;
    if (A->r != B->r || A->c != B->c)
        return 0;
    for (i = 0; i < A->r * A->c; i++)
        if (!mpfr_equal_p(A->mid + i, B->mid + i) || !mpfr_equal_p(A->rad + i, B->rad + i))
            return 0;
    return 1;
}

/* ------------------------------------------------------------ arithmetic */

static int
is_scalar(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM || rj_claims_val_is_encl(v);
}

static int
shape_error(rj_error_t err, rj_loc_t loc, const char *what, const rj_val_struct *a,
            const rj_val_struct *b)
{
    char da[120], db[120];
    rj_val_describe(da, sizeof(da), a);
    rj_val_describe(db, sizeof(db), b);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "shape mismatch: cannot %s %s and %s",
                            what, da, db);
}

/* A scalar operand as an interval at prec. */
static void
scalar_itv(rj_itv_t x, const rj_val_struct *v)
{
    cl_val_entry_itv(x->lo, x->hi, NULL, v, 0, 0);
}

static int
emat_pow(rj_imat_t P, const rj_imat_t A, const rj_val_struct *e, slong prec, rj_loc_t loc,
         rj_error_t err)
{
    slong k;
    rj_imat_t B;
    if (e->kind != RJ_VAL_NUM || !fmpz_is_one(fmpq_denref(e->num))
        || fmpz_sgn(fmpq_numref(e->num)) < 0 || fmpz_bits(fmpq_numref(e->num)) > 20)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "the power of an enclosure matrix needs an integer exponent "
                                "in 0..2^20");
    if (A->r != A->c)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "a power needs a square matrix, found a %ld x %ld enclosure "
                                "matrix", (long) A->r, (long) A->c);
    k = fmpz_get_si(fmpq_numref(e->num));
    rj_imat_reshape(P, A->r, A->c, prec);
    rj_imat_one(P);
    rj_imat_init(B, 0, 0, prec);
    rj_imat_set(B, A);
    /* binary powering: each product encloses the product of any members
       [PB 3], so P encloses A^k for every A inside */
    while (k > 0) {
        if (k & 1)
            rj_imat_mul(P, P, B, prec);
        k >>= 1;
        if (k > 0)
            rj_imat_mul(B, B, B, prec);
    }
    rj_imat_clear(B);
    return RJ_OK;
}

/* S (the 1 x 1 of a number or an enclosure) becomes M's shape with that
   value in every entry, when rj_broadcast_check allows it. */
static int
emat_broadcast(rj_imat_t S, const rj_imat_t M, int op, slong prec, rj_loc_t loc,
               rj_error_t err)
{
    rj_imat_t T;
    slong i;
    int zero = mpfr_zero_p(S->mid) && mpfr_zero_p(S->rad);
    int st = rj_broadcast_check(M->r, M->c, zero, op, loc, err);
    if (st != RJ_OK)
        return st;
    rj_imat_init(T, M->r, M->c, prec);
    for (i = 0; i < M->r * M->c; i++) {
        mpfr_set(T->mid + i, S->mid, MPFR_RNDN);     /* same precision: exact */
        mpfr_set(T->rad + i, S->rad, MPFR_RNDU);
    }
    rj_imat_swap(S, T);
    rj_imat_clear(T);
    return RJ_OK;
}

/* op on a, b where one of them is an enclosure matrix (the other a number,
   exact matrix, enclosure or enclosure matrix): the language's binop for this
   kind (rj_val_ops.binop). */
static int
emat_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
           rj_loc_t loc, rj_error_t err)
{
    slong prec = FLINT_MAX(val_prec(a), val_prec(b));
    rj_imat_t A, B, C;
    rj_itv_t x;
    int st = RJ_OK;
    if (!cl_is_matlike(a) || !cl_is_matlike(b)) {
        char da[120], db[120];
        rj_val_describe(da, sizeof(da), a);
        rj_val_describe(db, sizeof(db), b);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot apply '%c' to %s and %s",
                                op, da, db);
    }
    if (op == '^' && !cl_val_is_emat(a))
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "an exponent must be an integer, not an enclosure");
    rj_imat_init(A, 0, 0, prec);
    rj_imat_init(B, 0, 0, prec);
    rj_imat_init(C, 0, 0, prec);
    rj_itv_init(x, prec);
    cl_emat_get_imat(A, a, prec);
    cl_emat_get_imat(B, b, prec);
    if (op == '^')
        st = emat_pow(C, A, b, prec, loc, err);
    else if (op == '+' || op == '-') {
        if (is_scalar(a) != is_scalar(b))
            /* a number (or an enclosure) for every entry, as rj_val_binop does */
            st = emat_broadcast(is_scalar(a) ? A : B, is_scalar(a) ? B : A, op, prec, loc,
                                err);
        if (st != RJ_OK)
            ;
        else if (A->r != B->r || A->c != B->c)
            st = shape_error(err, loc, op == '+' ? "add" : "subtract", a, b);
        else if (op == '+')
            rj_imat_add(C, A, B, prec);
        else
            rj_imat_sub(C, A, B, prec);
    } else if (op == '*') {
        if (is_scalar(a) || is_scalar(b)) {
            scalar_itv(x, is_scalar(a) ? a : b);
            rj_imat_scalar_mul_itv(C, is_scalar(a) ? B : A, x, prec);
        } else if (A->c != B->r)
            st = shape_error(err, loc, "multiply", a, b);
        else if ((double) A->r * A->c * B->c > RJ_MAX_MUL_WORK)
            st = rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                                  "an enclosure matrix product of %ld x %ld by %ld x %ld "
                                  "exceeds the work limit", (long) A->r, (long) A->c,
                                  (long) B->r, (long) B->c);
        else
            rj_imat_mul(C, A, B, prec);
    } else if (op == '/') {
        if (!is_scalar(b))
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "division is by a number only");
        else {
            scalar_itv(x, b);
            if (mpfr_sgn(x->lo) <= 0 && mpfr_sgn(x->hi) >= 0)
                st = b->kind == RJ_VAL_NUM
                         ? rj_error_set_loc(err, RJ_ERR_INPUT, loc, "division by zero")
                         : rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                                            "division by an enclosure that contains 0");
            else {
                rj_itv_pow_si(x, x, -1);         /* 0 is outside x */
                rj_imat_scalar_mul_itv(C, A, x, prec);
            }
        }
    } else
        st = rj_error_set_loc(err, RJ_ERR_INTERNAL, loc, "bad operator");
    if (st == RJ_OK)
        st = emat_take(out, C, loc, err);
    rj_imat_clear(A);
    rj_imat_clear(B);
    rj_imat_clear(C);
    rj_itv_clear(x);
    return st;
}

int
cl_val_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
             const rj_limits *lim, rj_loc_t loc, rj_error_t err)
{
    int st = rj_val_binop(out, op, a, b, lim, loc, err);
    if (st == RJ_OK)
        st = cl_val_check_finite(out, loc, err);
    return st;
}

/* -a (transpose 0) or a' (transpose 1): exact on midpoints and radii. */
static int
emat_unary(rj_val_t out, const rj_val_struct *a, int transpose, rj_loc_t loc,
           rj_error_t err)
{
    rj_imat_t C;
    int st;
    rj_imat_init(C, 0, 0, imat_of(a)->prec);
    if (transpose)
        rj_imat_transpose(C, imat_of(a));
    else
        rj_imat_neg(C, imat_of(a));
    st = emat_take(out, C, loc, err);
    rj_imat_clear(C);
    return st;
}

static int
emat_neg(rj_val_t out, const rj_val_struct *a, rj_loc_t loc, rj_error_t err)
{
    return emat_unary(out, a, 0, loc, err);
}

static int
emat_transpose(rj_val_t out, const rj_val_struct *a, rj_loc_t loc, rj_error_t err)
{
    return emat_unary(out, a, 1, loc, err);
}

/* A 1-based index in 1..n (the language's one reader, as for exact
   matrices), returned 0-based. */
static int
get_index(slong *k, const rj_val_struct *v, slong n, const char *what, const char *of,
          rj_loc_t loc, rj_error_t err)
{
    int st = rj_val_get_si(k, v, 1, n, 0, what, of, loc, err);
    if (st == RJ_OK)
        (*k)--;
    return st;
}

/* A[i, j] / v[i] (1-based): an enclosure. */
static int
emat_index(rj_val_t out, const rj_val_struct *a, const rj_val_struct *i,
           const rj_val_struct *j, rj_loc_t loc, rj_error_t err)
{
    const rj_imat_struct *A = imat_of(a);
    slong r = A->r, c = A->c, ii = 0, jj = 0;
    int st;
    char of[80];
    if (j == NULL) {
        if (r != 1 && c != 1)
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "one index needs a vector, but this is a %ld x %ld "
                                    "enclosure matrix: write A[i, j]", (long) r, (long) c);
        snprintf(of, sizeof(of), "an enclosure vector of length %ld", (long) (r * c));
        st = get_index(c == 1 ? &ii : &jj, i, r * c, "index", of, loc, err);
    } else {
        snprintf(of, sizeof(of), "a %ld x %ld enclosure matrix", (long) r, (long) c);
        st = get_index(&ii, i, r, "row index", of, loc, err);
        if (st == RJ_OK)
            st = get_index(&jj, j, c, "column index", of, loc, err);
    }
    if (st == RJ_OK) {
        rj_itv_t x;
        rj_itv_init(x, A->prec + 2);
        rj_imat_get_itv(x, A, ii, jj);
        cl_val_set_encl(out, x->lo, x->hi, A->prec + 2);
        rj_itv_clear(x);
        st = cl_val_check_finite(out, loc, err);
    }
    return st;
}

const rj_val_ops cl_emat_ops = {
    "enclosure matrix", emat_free, emat_copy, emat_print, emat_describe, emat_binop,
    emat_neg, emat_transpose, emat_index, NULL, cl_emat_lift
};

int
cl_emat_diag(rj_val_t out, const rj_val_struct *v, rj_loc_t loc, rj_error_t err)
{
    const rj_imat_struct *V = imat_of(v);
    slong n, i;
    rj_imat_t D;
    rj_itv_t x;
    int st;
    if (V->r != 1 && V->c != 1)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "diag of a %ld x %ld enclosure matrix: give one vector",
                                (long) V->r, (long) V->c);
    n = V->r * V->c;
    rj_imat_init(D, n, n, V->prec);
    rj_itv_init(x, V->prec + 2);
    for (i = 0; i < n; i++) {
        rj_itv_set_mid_rad(x, V->mid + i, V->rad + i);
        rj_imat_set_itv(D, i, i, x);
    }
    st = emat_take(out, D, loc, err);
    rj_imat_clear(D);
    rj_itv_clear(x);
    return st;
}

int
cl_emat_literal(rj_val_t out, rj_val_struct *const *entries, slong rows, slong cols, slong prec,
                rj_loc_t loc, rj_error_t err)
{
    slong i, j;
    rj_imat_t D;
    rj_itv_t x;
    int st;
    for (i = 0; i < rows * cols; i++) {
        const rj_val_struct *v = entries[i];
        if (v->kind != RJ_VAL_NUM && !rj_claims_val_is_encl(v)
            && !(cl_val_is_emat(v) && imat_of(v)->r == 1 && imat_of(v)->c == 1)) {
            char d[120];
            rj_val_describe(d, sizeof(d), v);
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "matrix entries must be numbers "
                                    "or enclosures: entry (%ld, %ld) is %s",
                                    (long) (i / cols + 1), (long) (i % cols + 1), d);
        }
    }
    rj_imat_init(D, rows, cols, prec);
    rj_itv_init(x, prec);
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            cl_val_entry_itv(x->lo, x->hi, NULL, entries[i * cols + j], 0, 0);
            rj_imat_set_itv(D, i, j, x);
        }
    st = emat_take(out, D, loc, err);
    rj_imat_clear(D);
    rj_itv_clear(x);
    return st;
}

/* ------------------------------------------------------------ functions */

int
cl_emat_function(rj_val_t out, const char *name, const rj_val_struct *a, slong prec,
                 rj_loc_t loc, rj_error_t err)
{
    rj_imat_t A;
    rj_itv_t n, x;
    slong i, len;
    int st = RJ_OK, scalar = 1;

    prec = FLINT_MAX(prec, val_prec(a));
    rj_imat_init(A, 0, 0, prec);
    rj_itv_init(n, prec);
    rj_itv_init(x, prec + 2);
    cl_emat_get_imat(A, a, prec);
    len = A->r * A->c;
    if (strcmp(name, "norm1") == 0)
        rj_imat_norm_1(n, A);
    else if (strcmp(name, "norminf") == 0)
        rj_imat_norm_inf(n, A);
    else if (strcmp(name, "normfro") == 0)
        rj_imat_norm_frob(n, A);
    else if (strcmp(name, "normfro2") == 0) {
        /* the Frobenius norm is >= 0: squaring its ends encloses its square */
        rj_imat_norm_frob(n, A);
        mpfr_sqr(n->lo, n->lo, MPFR_RNDD);
        mpfr_sqr(n->hi, n->hi, MPFR_RNDU);
    } else if (strcmp(name, "norm2") == 0) {
        rj_imat_norm2_lower(n->lo, A);
        rj_imat_norm2_upper(n->hi, A);
    } else if (strcmp(name, "sigma_min") == 0) {
        if (!rj_imat_sigma_min_lower(n->lo, A))
            mpfr_set_zero(n->lo, 1);
        rj_imat_sigma_min_upper(n->hi, A);
    } else if (strcmp(name, "trace") == 0) {
        if (A->r != A->c)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "trace: argument 1 must be a square "
                                  "matrix, found a %ld x %ld enclosure matrix", (long) A->r,
                                  (long) A->c);
        for (i = 0; i < A->r && st == RJ_OK; i++) {
            rj_imat_get_itv(x, A, i, i);
            mpfr_add(n->lo, n->lo, x->lo, MPFR_RNDD);
            mpfr_add(n->hi, n->hi, x->hi, MPFR_RNDU);
        }
    } else if (strcmp(name, "abs") == 0) {
        for (i = 0; i < len; i++) {
            rj_itv_set_mid_rad(x, A->mid + i, A->rad + i);
            rj_itv_abs(x, x);
            rj_itv_get_mid_rad(A->mid + i, A->rad + i, x);
        }
        scalar = 0;
    } else if (strcmp(name, "max") == 0 || strcmp(name, "min") == 0) {
        /* the largest entry lies between the largest lower end and the largest
           upper end (likewise the smallest) */
        int want_max = name[1] == 'a';
        if (len == 0)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s of no numbers", name);
        for (i = 0; i < len && st == RJ_OK; i++) {
            rj_itv_set_mid_rad(x, A->mid + i, A->rad + i);
            if (i == 0)
                rj_itv_set(n, x);
            else if (want_max) {
                mpfr_max(n->lo, n->lo, x->lo, MPFR_RNDD);
                mpfr_max(n->hi, n->hi, x->hi, MPFR_RNDU);
            } else {
                mpfr_min(n->lo, n->lo, x->lo, MPFR_RNDD);
                mpfr_min(n->hi, n->hi, x->hi, MPFR_RNDU);
            }
        }
    } else {
        char d[120];
        rj_val_describe(d, sizeof(d), a);
        st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                              "%s of %s: enclosure matrices (values of tanh or sigmoid "
                              "networks) take + - * / ^, ', indexing, diag, norm1, norminf, "
                              "normfro, normfro2, norm2, sigma_min, trace, abs, min and max",
                              name, d);
    }
    if (st == RJ_OK && !scalar && cl_val_is_emat(a))
        st = emat_take(out, A, loc, err);
    else if (st == RJ_OK && !scalar)
        rj_imat_get_itv(n, A, 0, 0);
    if (st == RJ_OK && scalar) {
        if (mpfr_sgn(n->lo) < 0 && (strncmp(name, "norm", 4) == 0 || name[0] == 's'))
            mpfr_set_zero(n->lo, 1);     /* norms and singular values are >= 0 */
        cl_val_set_encl(out, n->lo, n->hi, prec);
        st = cl_val_check_finite(out, loc, err);
    } else if (st == RJ_OK && !cl_val_is_emat(a)) {
        cl_val_set_encl(out, n->lo, n->hi, prec);
        st = cl_val_check_finite(out, loc, err);
    }
    rj_imat_clear(A);
    rj_itv_clear(n);
    rj_itv_clear(x);
    return st;
}
