/* resjac claims: enclosures, the real values the claims compute rigorously
 * (square roots, norms, entries of enclosure matrices).
 *
 * An enclosure is the language's extension value (RJ_VAL_EXT, lang.h) whose
 * operations table is rj_claims_encl_ops and whose data is one of the precise
 * layer's intervals (rj_itv) [lo, hi].  Its arithmetic is the precise layer's
 * (rj_itv_add, rj_itv_mul, rj_itv_pow_si, ...: every end rounded outward), so
 * the result holds the operation's value at any points of the operands; with
 * an exact matrix or an enclosure matrix it is an enclosure matrix operation
 * (encl_matrix.c).  A result with a NaN or infinite end is refused
 * (RJ_ERR_DOMAIN, RJ_ENCL_NONFINITE_MSG): no verdict may rest on it. */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

int
rj_claims_val_is_encl(const rj_val_t v)
{
    return v->kind == RJ_VAL_EXT && v->ops == &rj_claims_encl_ops;
}

const rj_itv_struct *
rj_claims_val_encl(const rj_val_t v)
{
    return v->data;
}

void
rj_claims_val_set_encl(rj_val_t v, const rj_itv_t x)
{
    rj_itv_struct *d = flint_malloc(sizeof(rj_itv_struct));
    rj_itv_init(d, mpfr_get_prec(x->lo));
    mpfr_set(d->lo, x->lo, MPFR_RNDD);
    mpfr_set(d->hi, x->hi, MPFR_RNDU);
    rj_val_set_ext(v, &rj_claims_encl_ops, d);
}

void
cl_val_set_encl(rj_val_t v, const mpfr_t lo, const mpfr_t hi, slong prec)
{
    rj_itv_t x;
    rj_itv_init(x, prec);
    mpfr_set(x->lo, lo, MPFR_RNDD);
    mpfr_set(x->hi, hi, MPFR_RNDU);
    rj_claims_val_set_encl(v, x);
    rj_itv_clear(x);
}

slong
cl_encl_prec(const rj_val_struct *v)
{
    return rj_claims_val_is_encl(v)
               ? FLINT_MAX(RJ_ENCL_PREC, (slong) mpfr_get_prec(rj_claims_val_encl(v)->lo))
               : RJ_ENCL_PREC;
}

static void
encl_free(void *data)
{
    rj_itv_clear(data);
    flint_free(data);
}

static void *
encl_copy(const void *data)
{
    const rj_itv_struct *x = data;
    rj_itv_struct *d = flint_malloc(sizeof(rj_itv_struct));
    rj_itv_init(d, mpfr_get_prec(x->lo));
    mpfr_set(d->lo, x->lo, MPFR_RNDN);   /* same precision: exact */
    mpfr_set(d->hi, x->hi, MPFR_RNDN);
    return d;
}

/* "[lo, hi]", the ends rounded outward (the printed interval contains the
   enclosure): 12 digits for messages and evidence, 17 in full. */
static char *
encl_print(const rj_val_struct *v, slong maxlen)
{
    const rj_itv_struct *x = rj_claims_val_encl(v);
    char buf[200];
    if (maxlen > 0)
        mpfr_snprintf(buf, sizeof(buf), "[%.12RDg, %.12RUg]", x->lo, x->hi);
    else
        mpfr_snprintf(buf, sizeof(buf), "[%.17RDg, %.17RUg]", x->lo, x->hi);
    return rj_strdup(buf);
}

static void
encl_describe(char *buf, int len, const rj_val_struct *v)
{
    (void) v;
    snprintf(buf, len, "an enclosure");
}

/* out = x (taken over) when finite, else RJ_ERR_DOMAIN at loc. */
static int
encl_take(rj_val_t out, rj_itv_t x, rj_loc_t loc, rj_error_t err)
{
    if (!rj_itv_is_finite(x))
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "%s", RJ_ENCL_NONFINITE_MSG);
    rj_claims_val_set_encl(out, x);
    return RJ_OK;
}

static int
is_scalar(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM || rj_claims_val_is_encl(v);
}

static int
encl_kind_error(rj_error_t err, rj_loc_t loc, int op, const rj_val_struct *a,
                const rj_val_struct *b)
{
    char da[120], db[120];
    rj_val_describe(da, sizeof(da), a);
    rj_val_describe(db, sizeof(db), b);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot %s %s %s %s",
                            op == '+' ? "add" : op == '-' ? "subtract"
                            : op == '*' ? "multiply" : "divide", da,
                            op == '+' || op == '-' ? "and" : "by", db);
}

/* a^b: b an integer, a an enclosure (k < 0 needs 0 outside a). */
static int
encl_pow(rj_val_t out, const rj_val_struct *a, const rj_val_struct *b, rj_loc_t loc,
         rj_error_t err)
{
    slong k = 0;
    int st = rj_val_get_si(&k, b, -(WORD(1) << 62), WORD(1) << 62, 1, "the exponent", NULL,
                           loc, err);
    rj_itv_t x;
    if (st != RJ_OK)
        return st;
    if (!rj_claims_val_is_encl(a)) {
        char da[120], db[120];
        rj_val_describe(da, sizeof(da), a);
        rj_val_describe(db, sizeof(db), b);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot raise %s to %s (powers are "
                                "for numbers, square matrices, polynomials and enclosures)",
                                da, db);
    }
    if (k < 0 && mpfr_sgn(rj_claims_val_encl(a)->lo) <= 0
        && mpfr_sgn(rj_claims_val_encl(a)->hi) >= 0)
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                                "negative power of an enclosure that contains 0");
    rj_itv_init(x, cl_encl_prec(a));
    rj_itv_pow_si(x, rj_claims_val_encl(a), k);
    st = encl_take(out, x, loc, err);
    rj_itv_clear(x);
    return st;
}

static int
encl_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
           rj_loc_t loc, rj_error_t err)
{
    slong p = FLINT_MAX(cl_encl_prec(a), cl_encl_prec(b));
    rj_itv_t x, y, z;
    int st = RJ_OK;
    if (op == '^')
        return encl_pow(out, a, b, loc, err);
    if ((a->kind == RJ_VAL_MAT || cl_val_is_emat(a)) && is_scalar(b))
        return cl_emat_ops.binop(out, op, a, b, loc, err);
    if (is_scalar(a) && (b->kind == RJ_VAL_MAT || cl_val_is_emat(b)))
        return cl_emat_ops.binop(out, op, a, b, loc, err);
    if (!is_scalar(a) || !is_scalar(b))
        return encl_kind_error(err, loc, op, a, b);
    if (op == '/' && b->kind == RJ_VAL_NUM && fmpq_is_zero(b->num))
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "division by zero");
    rj_itv_init(x, p);
    rj_itv_init(y, p);
    rj_itv_init(z, p);
    cl_val_entry_itv(x->lo, x->hi, NULL, a, 0, 0);
    cl_val_entry_itv(y->lo, y->hi, NULL, b, 0, 0);
    switch (op) {
    case '+': rj_itv_add(z, x, y); break;
    case '-': rj_itv_sub(z, x, y); break;
    case '*': rj_itv_mul(z, x, y); break;
    case '/':
        if (mpfr_sgn(y->lo) <= 0 && mpfr_sgn(y->hi) >= 0)
            st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                                  "division by an enclosure that contains 0");
        else
            rj_itv_div(z, x, y);
        break;
    default: st = rj_error_set_loc(err, RJ_ERR_INTERNAL, loc, "bad enclosure operation");
    }
    if (st == RJ_OK)
        st = encl_take(out, z, loc, err);
    rj_itv_clear(x);
    rj_itv_clear(y);
    rj_itv_clear(z);
    return st;
}

static int
encl_neg(rj_val_t out, const rj_val_struct *a, rj_loc_t loc, rj_error_t err)
{
    rj_itv_t x;
    int st;
    rj_itv_init(x, cl_encl_prec(a));
    rj_itv_neg(x, rj_claims_val_encl(a));   /* exact at the same precision */
    st = encl_take(out, x, loc, err);
    rj_itv_clear(x);
    return st;
}

const rj_val_ops rj_claims_encl_ops = {
    "enclosure", encl_free, encl_copy, encl_print, encl_describe, encl_binop,
    encl_neg, NULL, NULL, NULL, NULL
};
