/* resjac: the direct product J_L ... J_1 with J_l = S_l + R_l. */
#include <flint/fmpq_mat.h>
#include <flint/fmpz_mat.h>

#include "exact_internal.h"

int
rj_expand_direct_rational(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, n0;
    fmpq_mat_t Q, J, T;
    int st;

    if ((st = _rj_parts_check(parts, "direct product", err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    fmpq_mat_init(Q, n0, n0);
    fmpq_mat_one(Q);
    for (l = 0; l < parts->len; l++) {
        fmpq_mat_init(J, fmpq_mat_nrows(parts->S + l), fmpq_mat_ncols(parts->S + l));
        fmpq_mat_init(T, fmpq_mat_nrows(parts->S + l), n0);
        fmpq_mat_add(J, parts->S + l, parts->R + l);
        fmpq_mat_mul(T, J, Q);
        fmpq_mat_swap(Q, T);
        fmpq_mat_clear(J);
        fmpq_mat_clear(T);
    }
    _rj_fmpq_mat_reshape(P, fmpq_mat_nrows(Q), n0);
    fmpq_mat_swap(P, Q);
    fmpq_mat_clear(Q);
    return RJ_OK;
}

/* Q / 2^e holds J_l ... J_1; J_{l+1} = (S' 2^(m - eS) + R' 2^(m - eR)) / 2^m
   with m = max(eS, eR). */
int
rj_expand_direct_dyadic(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, n0, e = 0, m;
    _rj_dyadic_struct d;
    fmpz_mat_t Q, J, T;
    int st;

    if ((st = _rj_parts_check_dyadic(parts, "direct product", err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    _rj_dyadic_init(&d, parts);
    fmpz_mat_init(Q, n0, n0);
    fmpz_mat_one(Q);
    for (l = 0; l < d.len; l++) {
        m = FLINT_MAX(d.eS[l], d.eR[l]);
        fmpz_mat_init(J, fmpz_mat_nrows(d.S + l), fmpz_mat_ncols(d.S + l));
        fmpz_mat_init(T, fmpz_mat_nrows(d.S + l), n0);
        _rj_fmpz_mat_addmul_2exp(J, d.S + l, m - d.eS[l]);
        _rj_fmpz_mat_addmul_2exp(J, d.R + l, m - d.eR[l]);
        fmpz_mat_mul(T, J, Q);
        fmpz_mat_swap(Q, T);
        e += m;
        _rj_dyadic_normalise(Q, &e);
        fmpz_mat_clear(J);
        fmpz_mat_clear(T);
    }
    _rj_fmpq_mat_reshape(P, fmpz_mat_nrows(Q), n0);
    _rj_fmpq_mat_set_dyadic(P, Q, e);
    fmpz_mat_clear(Q);
    _rj_dyadic_clear(&d);
    return RJ_OK;
}

int
rj_expand_direct_cleared(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, n0;
    _rj_cleared_struct c;
    fmpz_mat_t Q, J, T;
    fmpz_t D;
    int st;

    if ((st = _rj_parts_check(parts, "direct product", err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    _rj_cleared_init(&c, parts);
    fmpz_mat_init(Q, n0, n0);
    fmpz_mat_one(Q);
    for (l = 0; l < c.len; l++) {
        fmpz_mat_init(J, fmpz_mat_nrows(c.S + l), fmpz_mat_ncols(c.S + l));
        fmpz_mat_init(T, fmpz_mat_nrows(c.S + l), n0);
        fmpz_mat_add(J, c.S + l, c.R + l);
        fmpz_mat_mul(T, J, Q);
        fmpz_mat_swap(Q, T);
        fmpz_mat_clear(J);
        fmpz_mat_clear(T);
    }
    fmpz_init(D);
    _rj_cleared_den(D, &c);
    _rj_fmpq_mat_reshape(P, fmpz_mat_nrows(Q), n0);
    fmpq_mat_set_fmpz_mat_div_fmpz(P, Q, D);     /* canonical */
    fmpz_clear(D);
    fmpz_mat_clear(Q);
    _rj_cleared_clear(&c);
    return RJ_OK;
}

int
rj_expand_direct(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    if (parts->h != NULL && rj_exact_parts_is_dyadic(parts))
        return rj_expand_direct_dyadic(P, parts, err);
    return rj_expand_direct_cleared(P, parts, err);
}
