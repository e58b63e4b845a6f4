/* resjac: arithmetic on values: exact numbers, matrices and polynomials (see
 * rj_val_binop in lang.h).  Values other modules add (RJ_VAL_EXT) do their own
 * arithmetic through their rj_val_ops. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <flint/fmpz_mat.h>

#include "resjac/lang.h"

static void
describe(char *buf, int len, const rj_val_struct *v)
{
    switch (v->kind) {
    case RJ_VAL_MAT:
        snprintf(buf, len, "a %ld x %ld matrix", (long) fmpq_mat_nrows(v->mat),
                 (long) fmpq_mat_ncols(v->mat));
        break;
    case RJ_VAL_NUM: snprintf(buf, len, "a number"); break;
    case RJ_VAL_ATOM: snprintf(buf, len, "the atom %s", v->str != NULL ? v->str : "?"); break;
    case RJ_VAL_BLOCK:
        snprintf(buf, len, "a block (%ld -> %ld)", (long) v->block->n_in,
                 (long) v->block->n_out);
        break;
    case RJ_VAL_NET:
        snprintf(buf, len, "a network of %ld blocks", (long) v->net->len);
        break;
    case RJ_VAL_EXT: v->ops->describe(buf, len, v); break;
    case RJ_VAL_POLY: snprintf(buf, len, "a polynomial"); break;
    case RJ_VAL_BOOL: snprintf(buf, len, "a truth value"); break;
    case RJ_VAL_STRING: snprintf(buf, len, "a string"); break;
    case RJ_VAL_LIST:
        snprintf(buf, len, "a list of %ld values", (long) v->len);
        break;
    default: snprintf(buf, len, "nothing"); break;
    }
}

void
rj_val_describe(char *buf, int len, const rj_val_t v)
{
    describe(buf, len, v);
}

int
rj_val_refuse(rj_error_t err, rj_loc_t loc, const char *what, const rj_val_t v)
{
    char d[120];
    describe(d, sizeof(d), v);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s cannot take %s", what, d);
}

/* ---------------------------------------------------------------- exact */

static int
kind_error(rj_error_t err, rj_loc_t loc, const char *verb, const char *prep,
           const rj_val_struct *a, const rj_val_struct *b, const char *extra)
{
    char da[120], db[120];
    describe(da, sizeof(da), a);
    describe(db, sizeof(db), b);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot %s %s %s %s%s", verb, da, prep,
                            db, extra);
}

/* ---------------------------------------------------------------- limits */

void
rj_limits_default(rj_limits *lim)
{
    lim->max_terms = RJ_MAX_TERMS;
    lim->max_bits = RJ_MAX_NUM_BITS;
    lim->max_work = RJ_MAX_WORK;
    lim->work = NULL;
}


/* RJ_ERR_LIMIT at loc when need > max; fmt takes what, need and max. */
static int
over_limit(rj_error_t err, rj_loc_t loc, double need, slong max, const char *fmt,
           const char *what)
{
    if (need <= (double) max)
        return RJ_OK;
    return rj_error_set_loc(err, RJ_ERR_LIMIT, loc, fmt, what, need, (long) max);
}

int
rj_limits_check_terms(const rj_limits *lim, double terms, const char *what, rj_loc_t loc,
                      rj_error_t err)
{
    return over_limit(err, loc, terms, lim != NULL ? lim->max_terms : RJ_MAX_TERMS,
                      "%s over %.0f terms exceeds the limit %ld (max_terms)", what);
}

int
rj_limits_check_bits(const rj_limits *lim, double bits, const char *what, rj_loc_t loc,
                     rj_error_t err)
{
    int st = over_limit(err, loc, bits, lim != NULL ? lim->max_bits : RJ_MAX_NUM_BITS,
                        "numbers too large: %s would need about %.3g bits (limit max_bits = "
                        "%ld)", what);
    if (st == RJ_OK && lim != NULL && lim->work != NULL) {
        double w = bits > 2 ? bits * log2(bits) : 1;
        *lim->work += w;
        if (*lim->work > lim->max_work)
            return rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                                    "work limit reached at %s (about %.3g bits): the work "
                                    "done so far, about %.3g units, exceeds max_work = %.3g "
                                    "(RJ_MAX_WORK)", what, bits, *lim->work, lim->max_work);
    }
    return st;
}

int
rj_limits_check_projection(const rj_limits *lim, double start, slong done, slong total,
                           const char *what, const char *units, rj_loc_t loc, rj_error_t err)
{
    double used, proj;
    if (lim == NULL || lim->work == NULL || done <= 0 || done >= total)
        return RJ_OK;
    used = *lim->work - start;
    proj = used / (double) done * (double) total;
    if (proj <= lim->max_work - start)
        return RJ_OK;
    return rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                            "%s: the first %ld of %ld %s took about %.3g units of work; all of "
                            "them would need about %.3g, over the work limit max_work = %.3g "
                            "(RJ_MAX_WORK)", what, (long) done, (long) total, units, used, proj,
                            lim->max_work);
}

/* An upper bound on log2|z| (0 for z = 0): z = d 2^e with d truncated to 53
   bits, so |z| < (|d| + 2^-52) 2^e. */
static double
fmpz_log2_upper(const fmpz_t z)
{
    slong e;
    double d;
    if (fmpz_is_zero(z))
        return 0;
    d = fabs(fmpz_get_d_2exp(&e, z));
    return (double) e + log2(d + 0x1p-52);
}

/* Bits of a positive integer below 2^x: at most floor(x) + 1; the factor
   1 + 2^-40 covers the double rounding of the sums and products that gave x. */
static double
bits_below(double x)
{
    return floor(x * (1 + 0x1p-40)) + 1;
}

/* Bits of the numbers of a^k (a = n/d in lowest terms, |k| >= 1): numerator
   and denominator are some |m|^|k| < 2^(|k| log2|m|). */
static double
pow_bits(const fmpq_t a, slong k)
{
    double l = FLINT_MAX(fmpz_log2_upper(fmpq_numref(a)), fmpz_log2_upper(fmpq_denref(a)));
    return bits_below((double) FLINT_ABS(k) * l);
}

/* Bits of the numbers of a op b for two numbers a = na/da, b = nb/db: a b and
   a / b multiply numerators and denominators, a +- b = (na db +- nb da) / (da db)
   (before reduction, which only shrinks them).  Not inlined: inlined into
   rj_val_binop it sets off a false -Wstringop-overread of GCC 12 on val_pow. */
static double __attribute__((noinline))
num_op_bits(int op, const fmpq_t a, const fmpq_t b)
{
    double na = fmpz_log2_upper(fmpq_numref(a)), da = fmpz_log2_upper(fmpq_denref(a));
    double nb = fmpz_log2_upper(fmpq_numref(b)), db = fmpz_log2_upper(fmpq_denref(b));
    switch (op) {
    case '*':
        return bits_below(FLINT_MAX(na + nb, da + db));
    case '/':
        return bits_below(FLINT_MAX(na + db, da + nb));
    default:
        return bits_below(FLINT_MAX(FLINT_MAX(na + db, nb + da) + 1, da + db));
    }
}

static double
mat_height(const fmpq_mat_t A)
{
    slong i, j;
    flint_bitcnt_t h = 0, t;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++) {
            t = fmpq_height_bits(fmpq_mat_entry(A, i, j));
            if (t > h)
                h = t;
        }
    return (double) h;
}

static double
poly_height(const fmpq_poly_t p)
{
    slong i;
    flint_bitcnt_t h = 0, t;
    for (i = 0; i < fmpq_poly_length(p); i++) {
        t = fmpz_bits(p->coeffs + i);
        if (t > h)
            h = t;
    }
    return (double) h + (double) fmpz_bits(p->den);
}

/* Height of a value's numbers (numbers, matrices, polynomials; 0 otherwise). */
static double
val_height(const rj_val_struct *v)
{
    switch (v->kind) {
    case RJ_VAL_NUM: return (double) fmpq_height_bits(v->num);
    case RJ_VAL_MAT: return mat_height(v->mat);
    case RJ_VAL_POLY: return poly_height(v->poly);
    default: return 0;
    }
}

/* Exact operations grow heights: h(a + b) <= h(a) + h(b) + 1, h(a b) <= h(a) +
   h(b), and an entry of a matrix product, a sum of n products, has height at
   most n (h(a) + h(b)) + log2(n) + 1 (its denominator divides the product of
   the n denominators).  Polynomial products are sums of at most min(len)
   products likewise. */
static int
degree_limit(rj_error_t err, rj_loc_t loc, double degree)
{
    if (degree > (double) RJ_MAX_POLY_DEGREE)
        return rj_error_set_loc(err, RJ_ERR_LIMIT, loc, "polynomial degree too large: about "
                                "%.3g (limit %ld, RJ_MAX_POLY_DEGREE)", degree,
                                (long) RJ_MAX_POLY_DEGREE);
    return RJ_OK;
}

static int
size_limit(const rj_limits *lim, rj_error_t err, rj_loc_t loc, int op, const rj_val_struct *a,
           const rj_val_struct *b)
{
    double ha = val_height(a), hb = val_height(b), n = 1, bits;
    char what[40];
    int st;
    if (op == '*' && a->kind == RJ_VAL_MAT && b->kind == RJ_VAL_MAT)
        n = (double) fmpq_mat_ncols(a->mat);
    if (op == '*' && a->kind == RJ_VAL_POLY && b->kind == RJ_VAL_POLY)
        n = (double) FLINT_MIN(fmpq_poly_length(a->poly), fmpq_poly_length(b->poly));
    if (a->kind == RJ_VAL_NUM && b->kind == RJ_VAL_NUM)
        bits = num_op_bits(op, a->num, b->num);
    else
        bits = n * (ha + hb) + (n > 1 ? (double) FLINT_BIT_COUNT((ulong) n) : 0) + 1;
    snprintf(what, sizeof(what), "the result of '%c'", op);
    if ((st = rj_limits_check_bits(lim, bits, what, loc, err)) != RJ_OK)
        return st;
    if (op == '*' && a->kind == RJ_VAL_POLY && b->kind == RJ_VAL_POLY)
        return degree_limit(err, loc, (double) fmpq_poly_degree(a->poly)
                                      + fmpq_poly_degree(b->poly));
    return RJ_OK;
}

/* a^k (k < 0: for a matrix, the power of its inverse). */
static int
pow_k(rj_val_t out, const rj_val_struct *a, slong k, const rj_limits *lim, rj_loc_t loc,
      rj_error_t err)
{
    int st;
    switch (a->kind) {
    case RJ_VAL_NUM:
        if (k < 0 && fmpq_is_zero(a->num))
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "division by zero: 0 to a negative power");
        if (k != 0 && (st = rj_limits_check_bits(lim, pow_bits(a->num, k), "the power", loc,
                                                 err)) != RJ_OK)
            return st;
        rj_val_reset(out);
        out->kind = RJ_VAL_NUM;
        fmpq_pow_si(out->num, a->num, k);
        return RJ_OK;
    case RJ_VAL_MAT: {
        slong n = fmpq_mat_nrows(a->mat);
        const fmpq_mat_struct *A = a->mat;
        fmpq_mat_t B;
        fmpz_mat_t M;
        fmpz_t d;
        if (n != fmpq_mat_ncols(a->mat))
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "only a square matrix has powers; this one is %ld x %ld",
                                    (long) n, (long) fmpq_mat_ncols(a->mat));
        fmpz_mat_init(M, n, n);
        fmpz_init(d);
        fmpq_mat_init(B, n, n);
        fmpq_mat_get_fmpz_mat_matwise(M, d, A);
        st = RJ_OK;
        if (k < 0) {
            /* A^k = (A^-1)^|k|.  A^-1 = d M^-1 = d adj(M) / det(M), whose
               numbers have at most n (bits(max|M|) + log2 n) + bits(d) bits
               (Hadamard's bound) */
            st = rj_limits_check_bits(lim, (double) -k * ((double) n * ((double) FLINT_ABS(
                                               fmpz_mat_max_bits(M)) + FLINT_BIT_COUNT(n))
                                                          + fmpz_bits(d)),
                                      "the inverse's power", loc, err);
            if (st == RJ_OK && (double) n * n * n > RJ_MAX_MUL_WORK)
                st = rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                                      "the inverse of a %ld x %ld matrix exceeds the work "
                                      "limit of %.3g multiply-adds", (long) n, (long) n,
                                      RJ_MAX_MUL_WORK);
            if (st == RJ_OK && !fmpq_mat_inv(B, A))
                st = rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                      "the matrix is singular: it has no power %ld", (long) k);
            if (st == RJ_OK) {
                A = B;
                k = -k;
                fmpq_mat_get_fmpz_mat_matwise(M, d, A);
            }
        }
        /* entries of M^k are at most (n max|M|)^k; the denominator is d^k */
        if (st == RJ_OK)
            st = rj_limits_check_bits(lim, (double) k * ((double) FLINT_ABS(
                                               fmpz_mat_max_bits(M)) + FLINT_BIT_COUNT(n)
                                                         + fmpz_bits(d)),
                                      "the power", loc, err);
        if (st == RJ_OK && (double) n * n * n * (FLINT_BIT_COUNT((ulong) k) + 1)
                           > RJ_MAX_MUL_WORK)
            st = rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                                  "the power of a %ld x %ld matrix exceeds the work limit "
                                  "of %.3g multiply-adds", (long) n, (long) n,
                                  RJ_MAX_MUL_WORK);
        if (st == RJ_OK) {
            fmpz_mat_t P;
            fmpz_mat_init(P, n, n);
            fmpz_mat_pow(P, M, (ulong) k);
            fmpz_pow_ui(d, d, (ulong) k);
            rj_val_reset(out);
            out->kind = RJ_VAL_MAT;
            fmpq_mat_clear(out->mat);
            fmpq_mat_init(out->mat, n, n);
            fmpq_mat_set_fmpz_mat_div_fmpz(out->mat, P, d);
            fmpz_mat_clear(P);
        }
        fmpq_mat_clear(B);
        fmpz_mat_clear(M);
        fmpz_clear(d);
        return st;
    }
    case RJ_VAL_POLY: {
        slong i, h = 0;
        if (k < 0)
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                    "a polynomial power needs an exponent >= 0, found %ld",
                                    (long) k);
        for (i = 0; i < fmpq_poly_length(a->poly); i++)
            h = FLINT_MAX(h, (slong) fmpz_bits(a->poly->coeffs + i));
        st = rj_limits_check_bits(lim, (double) k * ((double) h + fmpz_bits(a->poly->den)
                                                     + FLINT_BIT_COUNT(fmpq_poly_length(
                                                           a->poly))),
                                  "the power", loc, err);
        if (st == RJ_OK)
            st = degree_limit(err, loc, (double) k * (double) fmpq_poly_degree(a->poly));
        if (st != RJ_OK)
            return st;
        {
            fmpq_poly_t r;
            fmpq_poly_init(r);
            fmpq_poly_pow(r, a->poly, (ulong) k);
            rj_val_reset(out);
            out->kind = RJ_VAL_POLY;
            fmpq_poly_swap(out->poly, r);
            fmpq_poly_clear(r);
        }
        return RJ_OK;
    }
    default:        /* val_pow reports the kinds */
        return rj_error_set_loc(err, RJ_ERR_INTERNAL, loc, "no power of this kind");
    }
}

static void
poly_of(fmpq_poly_t p, const rj_val_struct *a)
{
    if (a->kind == RJ_VAL_POLY)
        fmpq_poly_set(p, a->poly);
    else
        fmpq_poly_set_fmpq(p, a->num);
}

static int
val_pow(rj_val_t out, const rj_val_struct *a, const rj_val_struct *b, const rj_limits *lim,
        rj_loc_t loc, rj_error_t err)
{
    slong k = 0;
    int st = rj_val_get_si(&k, b, -(WORD(1) << 62), WORD(1) << 62, 1, "the exponent", NULL,
                           loc, err);
    if (st == RJ_OK && a->kind != RJ_VAL_NUM && a->kind != RJ_VAL_MAT
        && a->kind != RJ_VAL_POLY)
        st = kind_error(err, loc, "raise", "to", a, b, " (powers are for numbers, square "
                        "matrices, polynomials and enclosures)");
    return st != RJ_OK ? st : pow_k(out, a, k, lim, loc, err);
}

int
rj_broadcast_check(slong rows, slong cols, int number_is_zero, int op, rj_loc_t loc,
                   rj_error_t err)
{
    if (rows == cols && rows > 1 && !number_is_zero)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                "'%c' of a %ld x %ld matrix and a number is ambiguous: write "
                                "A %c c * identity(%ld) for the scalar matrix, or A %c c * "
                                "ones(%ld, %ld) entrywise", op, (long) rows, (long) cols, op,
                                (long) rows, op, (long) rows, (long) cols);
    return RJ_OK;
}

/* A matrix plus or minus a number (either order), entrywise: the number
   stands for every entry, as it does in comparisons (x - mu with a scalar
   mu).  Only where that reading is the only one: a square matrix of size > 1
   and a nonzero number could as well mean A + c I, so it is refused with
   both spellings; for c = 0 and 1 x 1 matrices the readings agree. */
static int
broadcast(rj_val_t r, int op, const rj_val_struct *a, const rj_val_struct *b, rj_loc_t loc,
          rj_error_t err)
{
    const rj_val_struct *m = a->kind == RJ_VAL_MAT ? a : b;
    const fmpq *c = a->kind == RJ_VAL_MAT ? b->num : a->num;
    slong rows = fmpq_mat_nrows(m->mat), cols = fmpq_mat_ncols(m->mat), i, j;
    int st = rj_broadcast_check(rows, cols, fmpq_is_zero(c), op, loc, err);
    if (st != RJ_OK)
        return st;
    r->kind = RJ_VAL_MAT;
    fmpq_mat_clear(r->mat);
    fmpq_mat_init(r->mat, rows, cols);
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            fmpq *e = fmpq_mat_entry(r->mat, i, j);
            if (a->kind == RJ_VAL_MAT)
                (op == '+' ? fmpq_add : fmpq_sub)(e, fmpq_mat_entry(a->mat, i, j), c);
            else
                (op == '+' ? fmpq_add : fmpq_sub)(e, c, fmpq_mat_entry(b->mat, i, j));
        }
    return RJ_OK;
}

int
rj_val_binop(rj_val_t out, int op, const rj_val_t a, const rj_val_t b, const rj_limits *lim,
             rj_loc_t loc, rj_error_t err)
{
    rj_val_t r;
    int st = RJ_OK;
    rj_val_kind ka = a->kind, kb = b->kind;

    if (ka == RJ_VAL_EXT || kb == RJ_VAL_EXT) {
        const rj_val_struct *x = ka == RJ_VAL_EXT ? a : b;
        if (x->ops->binop == NULL)
            return rj_val_refuse(err, loc, "arithmetic", x);
        return x->ops->binop(out, op, a, b, loc, err);
    }
    rj_val_init(r);
    if (op == '^') {
        st = val_pow(r, a, b, lim, loc, err);
        goto done;
    }
    if (op == '/' && kb == RJ_VAL_NUM && fmpq_is_zero(b->num)
        && (ka == RJ_VAL_NUM || ka == RJ_VAL_MAT || ka == RJ_VAL_POLY)) {
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "division by zero");
        goto done;
    }
    if ((ka == RJ_VAL_NUM || ka == RJ_VAL_MAT || ka == RJ_VAL_POLY)
        && (kb == RJ_VAL_NUM || kb == RJ_VAL_MAT || kb == RJ_VAL_POLY)
        && (st = size_limit(lim, err, loc, op, a, b)) != RJ_OK)
        goto done;

    if (ka == RJ_VAL_NUM && kb == RJ_VAL_NUM) {
        r->kind = RJ_VAL_NUM;
        switch (op) {
        case '+': fmpq_add(r->num, a->num, b->num); break;
        case '-': fmpq_sub(r->num, a->num, b->num); break;
        case '*': fmpq_mul(r->num, a->num, b->num); break;
        case '/': fmpq_div(r->num, a->num, b->num); break;
        default: st = rj_error_set_loc(err, RJ_ERR_INTERNAL, loc, "bad operator");
        }
    } else if (ka == RJ_VAL_MAT && kb == RJ_VAL_MAT) {
        slong ar = fmpq_mat_nrows(a->mat), ac = fmpq_mat_ncols(a->mat);
        slong br = fmpq_mat_nrows(b->mat), bc = fmpq_mat_ncols(b->mat);
        if (op == '+' || op == '-') {
            if (ar != br || ac != bc) {
                st = rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                      "shape mismatch: cannot %s a %ld x %ld matrix and a "
                                      "%ld x %ld matrix", op == '+' ? "add" : "subtract",
                                      (long) ar, (long) ac, (long) br, (long) bc);
                goto done;
            }
            r->kind = RJ_VAL_MAT;
            fmpq_mat_clear(r->mat);
            fmpq_mat_init(r->mat, ar, ac);
            if (op == '+')
                fmpq_mat_add(r->mat, a->mat, b->mat);
            else
                fmpq_mat_sub(r->mat, a->mat, b->mat);
        } else if (op == '*') {
            if (ac != br) {
                st = rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                      "shape mismatch: cannot multiply a %ld x %ld matrix "
                                      "by a %ld x %ld matrix (%ld columns against %ld rows)",
                                      (long) ar, (long) ac, (long) br, (long) bc, (long) ac,
                                      (long) br);
                goto done;
            }
            if ((double) ar * (double) ac * (double) bc > RJ_MAX_MUL_WORK) {
                st = rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                                      "a %ld x %ld by %ld x %ld matrix product exceeds the "
                                      "work limit of %.3g multiply-adds", (long) ar,
                                      (long) ac, (long) br, (long) bc, RJ_MAX_MUL_WORK);
                goto done;
            }
            if ((double) ar * (double) bc > (double) RJ_MAX_ENTRIES) {
                st = rj_error_set_loc(err, RJ_ERR_LIMIT, loc,
                                      "the product would have %ld x %ld entries (limit %ld)",
                                      (long) ar, (long) bc, (long) RJ_MAX_ENTRIES);
                goto done;
            }
            r->kind = RJ_VAL_MAT;
            fmpq_mat_clear(r->mat);
            fmpq_mat_init(r->mat, ar, bc);
            fmpq_mat_mul(r->mat, a->mat, b->mat);
        } else {
            st = kind_error(err, loc, "divide", "by", a, b,
                            " (division is by a number only)");
        }
    } else if ((ka == RJ_VAL_NUM && kb == RJ_VAL_MAT && op == '*')
               || (ka == RJ_VAL_MAT && kb == RJ_VAL_NUM && (op == '*' || op == '/'))) {
        const rj_val_struct *m = ka == RJ_VAL_MAT ? a : b;
        const rj_val_struct *s = ka == RJ_VAL_MAT ? b : a;
        r->kind = RJ_VAL_MAT;
        fmpq_mat_clear(r->mat);
        fmpq_mat_init(r->mat, fmpq_mat_nrows(m->mat), fmpq_mat_ncols(m->mat));
        if (op == '*')
            fmpq_mat_scalar_mul_fmpq(r->mat, m->mat, s->num);
        else {
            fmpq_t inv;
            fmpq_init(inv);
            fmpq_inv(inv, s->num);
            fmpq_mat_scalar_mul_fmpq(r->mat, m->mat, inv);
            fmpq_clear(inv);
        }
    } else if ((op == '+' || op == '-')
               && ((ka == RJ_VAL_NUM && kb == RJ_VAL_MAT) || (ka == RJ_VAL_MAT && kb == RJ_VAL_NUM))) {
        st = broadcast(r, op, a, b, loc, err);
    } else if ((ka == RJ_VAL_POLY && (kb == RJ_VAL_POLY || kb == RJ_VAL_NUM))
               || (ka == RJ_VAL_NUM && kb == RJ_VAL_POLY)) {
        fmpq_poly_t p, q;
        if (op == '/' && kb != RJ_VAL_NUM) {
            st = kind_error(err, loc, "divide", "by", a, b,
                            " (a polynomial divides by a number only)");
            goto done;
        }
        fmpq_poly_init(p);
        fmpq_poly_init(q);
        poly_of(p, a);
        poly_of(q, b);
        r->kind = RJ_VAL_POLY;
        switch (op) {
        case '+': fmpq_poly_add(r->poly, p, q); break;
        case '-': fmpq_poly_sub(r->poly, p, q); break;
        case '*': fmpq_poly_mul(r->poly, p, q); break;
        case '/': fmpq_poly_scalar_div_fmpq(r->poly, p, b->num); break;
        }
        fmpq_poly_clear(p);
        fmpq_poly_clear(q);
    } else {
        const char *verb = op == '+' ? "add" : op == '-' ? "subtract"
                           : op == '*' ? "multiply" : "divide";
        const char *prep = op == '+' ? "and" : op == '-' ? "and" : "by";
        const char *extra = "";
        if ((ka == RJ_VAL_NUM && kb == RJ_VAL_MAT) || (ka == RJ_VAL_MAT && kb == RJ_VAL_NUM))
            extra = " (division is by a number only)";
        st = kind_error(err, loc, verb, prep, a, b, extra);
    }
done:
    if (st == RJ_OK)
        rj_val_swap(out, r);
    rj_val_clear(r);
    return st;
}

int
rj_val_neg(rj_val_t out, const rj_val_t a, rj_loc_t loc, rj_error_t err)
{
    rj_val_t r;
    char d[120];
    if (a->kind == RJ_VAL_EXT)
        return a->ops->neg != NULL ? a->ops->neg(out, a, loc, err)
                                   : rj_val_refuse(err, loc, "negation", a);
    rj_val_init(r);
    switch (a->kind) {
    case RJ_VAL_NUM:
        r->kind = RJ_VAL_NUM;
        fmpq_neg(r->num, a->num);
        break;
    case RJ_VAL_MAT:
        r->kind = RJ_VAL_MAT;
        fmpq_mat_clear(r->mat);
        fmpq_mat_init(r->mat, fmpq_mat_nrows(a->mat), fmpq_mat_ncols(a->mat));
        fmpq_mat_neg(r->mat, a->mat);
        break;
    case RJ_VAL_POLY:
        r->kind = RJ_VAL_POLY;
        fmpq_poly_neg(r->poly, a->poly);
        break;
    default:
        describe(d, sizeof(d), a);
        rj_val_clear(r);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot negate %s", d);
    }
    rj_val_swap(out, r);
    rj_val_clear(r);
    return RJ_OK;
}
