/* resjac: the parts with denominators cleared block by block (any rationals;
   see exact_internal.h). */
#include <flint/fmpq_mat.h>

#include "exact_internal.h"

/* Scale num (whose denominator is d) to the denominator D, a multiple of d. */
static void
rescale(fmpz_mat_t num, const fmpz_t d, const fmpz_t D)
{
    fmpz_t f;
    fmpz_init(f);
    fmpz_divexact(f, D, d);
    if (!fmpz_is_one(f))
        fmpz_mat_scalar_mul_fmpz(num, num, f);
    fmpz_clear(f);
}

void
_rj_cleared_init(_rj_cleared_struct *c, const rj_exact_parts_t p)
{
    slong l, n = FLINT_MAX(p->len, 1);
    fmpz_t dS, dR;

    c->len = p->len;
    c->S = flint_malloc(n * sizeof(fmpz_mat_struct));
    c->R = flint_malloc(n * sizeof(fmpz_mat_struct));
    c->den = _fmpz_vec_init(n);
    c->S_one = flint_malloc(n * sizeof(int));
    fmpz_init(dS);
    fmpz_init(dR);
    for (l = 0; l < p->len; l++) {
        fmpz_mat_init(c->S + l, fmpq_mat_nrows(p->S + l), fmpq_mat_ncols(p->S + l));
        fmpz_mat_init(c->R + l, fmpq_mat_nrows(p->R + l), fmpq_mat_ncols(p->R + l));
        fmpq_mat_get_fmpz_mat_matwise(c->S + l, dS, p->S + l);
        fmpq_mat_get_fmpz_mat_matwise(c->R + l, dR, p->R + l);
        fmpz_lcm(c->den + l, dS, dR);
        rescale(c->S + l, dS, c->den + l);
        rescale(c->R + l, dR, c->den + l);
        c->S_one[l] = fmpq_mat_is_square(p->S + l) && fmpq_mat_is_one(p->S + l);
    }
    fmpz_clear(dS);
    fmpz_clear(dR);
}

void
_rj_cleared_clear(_rj_cleared_struct *c)
{
    slong l;
    for (l = 0; l < c->len; l++) {
        fmpz_mat_clear(c->S + l);
        fmpz_mat_clear(c->R + l);
    }
    flint_free(c->S);
    flint_free(c->R);
    _fmpz_vec_clear(c->den, FLINT_MAX(c->len, 1));
    flint_free(c->S_one);
}

void
_rj_cleared_den(fmpz_t D, const _rj_cleared_struct *c)
{
    slong l;
    fmpz_one(D);
    for (l = 0; l < c->len; l++)
        fmpz_mul(D, D, c->den + l);
}

void
_rj_cleared_mul_S(fmpz_mat_t C, const _rj_cleared_struct *c, slong l, const fmpz_mat_t B)
{
    if (c->S_one[l])
        fmpz_mat_scalar_mul_fmpz(C, B, c->den + l);
    else
        fmpz_mat_mul(C, c->S + l, B);
}
