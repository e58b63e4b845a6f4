/* resjac: dyadic parts as integer matrices with power-of-two scales, and the
   checks every expansion starts with. */
#include <flint/fmpq_mat.h>

#include "exact_internal.h"

slong
_rj_parts_width(const rj_exact_parts_t p, slong l)
{
    return fmpq_mat_nrows(p->h + l);
}

void
_rj_fmpq_mat_reshape(fmpq_mat_t A, slong r, slong c)
{
    if (fmpq_mat_nrows(A) != r || fmpq_mat_ncols(A) != c) {
        fmpq_mat_clear(A);
        fmpq_mat_init(A, r, c);
    }
}

int
_rj_parts_check(const rj_exact_parts_t p, const char *what, rj_error_t err)
{
    slong l;

    if (p->h == NULL)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "%s: the parts hold no point (compute them with "
                            "rj_exact_parts first)", what);
    for (l = 0; l < p->len; l++) {
        slong r = _rj_parts_width(p, l + 1), c = _rj_parts_width(p, l);
        if (fmpq_mat_nrows(p->S + l) != r || fmpq_mat_ncols(p->S + l) != c
            || fmpq_mat_nrows(p->R + l) != r || fmpq_mat_ncols(p->R + l) != c)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: block %ld's parts are S %ldx%ld, R %ldx%ld, "
                                "but the block maps width %ld to %ld", what,
                                (long) (l + 1),
                                (long) fmpq_mat_nrows(p->S + l),
                                (long) fmpq_mat_ncols(p->S + l),
                                (long) fmpq_mat_nrows(p->R + l),
                                (long) fmpq_mat_ncols(p->R + l), (long) c, (long) r);
    }
    return RJ_OK;
}

int
_rj_parts_check_dyadic(const rj_exact_parts_t p, const char *what, rj_error_t err)
{
    int st = _rj_parts_check(p, what, err);
    if (st == RJ_OK && !rj_exact_parts_is_dyadic(p))
        return rj_error_set(err, RJ_ERR_DOMAIN,
                            "%s: the dyadic variant needs every entry of S_l, R_l to be "
                            "p/2^k; use the rational variant", what);
    return st;
}

static int
den_is_pow2(const fmpz_t d)
{
    return fmpz_val2(d) + 1 == fmpz_bits(d);
}

int
rj_exact_parts_is_dyadic(const rj_exact_parts_t p)
{
    slong l, i, j;
    const fmpq_mat_struct *M;
    int which;

    for (l = 0; l < p->len; l++)
        for (which = 0; which < 2; which++) {
            M = which ? p->R + l : p->S + l;
            for (i = 0; i < fmpq_mat_nrows(M); i++)
                for (j = 0; j < fmpq_mat_ncols(M); j++)
                    if (!den_is_pow2(fmpq_mat_entry_den(M, i, j)))
                        return 0;
        }
    return 1;
}

/* For a dyadic matrix the least common denominator is the largest power of
   two among the denominators. */
static void
get_dyadic(fmpz_mat_t Z, slong *e, const fmpq_mat_t A)
{
    fmpz_t den;
    fmpz_init(den);
    fmpz_mat_init(Z, fmpq_mat_nrows(A), fmpq_mat_ncols(A));
    fmpq_mat_get_fmpz_mat_matwise(Z, den, A);
    RJ_ASSERT(den_is_pow2(den));
    *e = fmpz_val2(den);
    fmpz_clear(den);
}

void
_rj_dyadic_init(_rj_dyadic_struct *d, const rj_exact_parts_t p)
{
    slong l, n = FLINT_MAX(p->len, 1);

    d->len = p->len;
    d->S = flint_malloc(n * sizeof(fmpz_mat_struct));
    d->R = flint_malloc(n * sizeof(fmpz_mat_struct));
    d->eS = flint_malloc(n * sizeof(slong));
    d->eR = flint_malloc(n * sizeof(slong));
    d->S_one = flint_malloc(n * sizeof(int));
    for (l = 0; l < p->len; l++) {
        get_dyadic(d->S + l, d->eS + l, p->S + l);
        get_dyadic(d->R + l, d->eR + l, p->R + l);
        d->S_one[l] = d->eS[l] == 0 && fmpz_mat_is_square(d->S + l)
                      && fmpz_mat_is_one(d->S + l);
    }
}

void
_rj_dyadic_clear(_rj_dyadic_struct *d)
{
    slong l;
    for (l = 0; l < d->len; l++) {
        fmpz_mat_clear(d->S + l);
        fmpz_mat_clear(d->R + l);
    }
    flint_free(d->S);
    flint_free(d->R);
    flint_free(d->eS);
    flint_free(d->eR);
    flint_free(d->S_one);
}

void
_rj_dyadic_normalise(fmpz_mat_t Z, slong *e)
{
    slong i, j, v = *e;
    int zero = 1;

    for (i = 0; i < fmpz_mat_nrows(Z); i++)
        for (j = 0; j < fmpz_mat_ncols(Z); j++)
            if (!fmpz_is_zero(fmpz_mat_entry(Z, i, j))) {
                zero = 0;
                if (v == 0)
                    return;             /* nothing to remove */
                v = FLINT_MIN(v, (slong) fmpz_val2(fmpz_mat_entry(Z, i, j)));
            }
    if (zero) {
        *e = 0;
        return;
    }
    if (v > 0) {
        for (i = 0; i < fmpz_mat_nrows(Z); i++)
            for (j = 0; j < fmpz_mat_ncols(Z); j++)
                fmpz_fdiv_q_2exp(fmpz_mat_entry(Z, i, j), fmpz_mat_entry(Z, i, j), v);
        *e -= v;
    }
}

void
_rj_fmpq_mat_set_dyadic(fmpq_mat_t A, const fmpz_mat_t Z, slong e)
{
    slong i, j, v;
    for (i = 0; i < fmpz_mat_nrows(Z); i++)
        for (j = 0; j < fmpz_mat_ncols(Z); j++) {
            const fmpz *z = fmpz_mat_entry(Z, i, j);
            fmpq *q = fmpq_mat_entry(A, i, j);
            if (fmpz_is_zero(z)) {
                fmpq_zero(q);
                continue;
            }
            v = FLINT_MIN(e, (slong) fmpz_val2(z));
            fmpz_fdiv_q_2exp(fmpq_numref(q), z, v);    /* exact: 2^v divides z */
            fmpz_one(fmpq_denref(q));
            fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), e - v);
        }
}

void
_rj_fmpz_mat_addmul_2exp(fmpz_mat_t D, const fmpz_mat_t A, slong s)
{
    slong i, j;
    fmpz_t t;
    if (s == 0) {
        for (i = 0; i < fmpz_mat_nrows(A); i++)
            for (j = 0; j < fmpz_mat_ncols(A); j++)
                fmpz_add(fmpz_mat_entry(D, i, j), fmpz_mat_entry(D, i, j),
                         fmpz_mat_entry(A, i, j));
        return;
    }
    fmpz_init(t);
    for (i = 0; i < fmpz_mat_nrows(A); i++)
        for (j = 0; j < fmpz_mat_ncols(A); j++) {
            fmpz_mul_2exp(t, fmpz_mat_entry(A, i, j), s);
            fmpz_add(fmpz_mat_entry(D, i, j), fmpz_mat_entry(D, i, j), t);
        }
    fmpz_clear(t);
}
