/* resjac: the sum over all 2^L subsets T of the path products
 * P_L ... P_1 (P_l = R_l for l in T, S_l otherwise), enumerated depth first
 * from block 1 (the rightmost factor) so that paths sharing their first blocks
 * share the partial product: stack[l] = P_l ... P_1 is computed once for all
 * 2^(L-l) paths that extend it: at most 2^(L+1) - 2 matrix products in all
 * (products with an identity skip part are skipped or become scalings). */
#include <flint/fmpq_mat.h>
#include <flint/fmpz_mat.h>

#include "exact_internal.h"

static int
check_subsets(const rj_exact_parts_t parts, rj_error_t err)
{
    int st;
    if ((st = _rj_parts_check(parts, "subset sum", err)) != RJ_OK)
        return st;
    if (parts->len > RJ_SUBSETS_MAX_L)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "subset sum: the network has L = %ld blocks, 2^%ld paths; "
                            "enumerating every subset is limited to L <= %d "
                            "(RJ_SUBSETS_MAX_L): use the direct or graded expansion",
                            (long) parts->len, (long) parts->len, RJ_SUBSETS_MAX_L);
    return RJ_OK;
}

/* ---------------------------------------------------------------- rational */

typedef struct {
    const rj_exact_parts_struct *p;
    fmpq_mat_struct *stack;   /* stack[l] = product of the first l factors */
    fmpq_mat_struct *acc;
} qdfs_t;

static void
qdfs(qdfs_t *s, slong l)
{
    int side;
    if (l == s->p->len) {
        fmpq_mat_add(s->acc, s->acc, s->stack + l);
        return;
    }
    for (side = 0; side < 2; side++) {
        const fmpq_mat_struct *F = side ? s->p->R + l : s->p->S + l;
        if (l == 0)
            fmpq_mat_set(s->stack + 1, F);
        else
            fmpq_mat_mul(s->stack + l + 1, F, s->stack + l);
        qdfs(s, l + 1);
    }
}

int
rj_expand_subsets_rational(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, L = parts->len, n0;
    qdfs_t s;
    int st;

    if ((st = check_subsets(parts, err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    _rj_fmpq_mat_reshape(P, _rj_parts_width(parts, L), n0);
    s.p = parts;
    s.acc = P;
    fmpq_mat_zero(P);
    s.stack = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
    for (l = 0; l <= L; l++)
        fmpq_mat_init(s.stack + l, _rj_parts_width(parts, l), n0);
    fmpq_mat_one(s.stack + 0);
    qdfs(&s, 0);
    for (l = 0; l <= L; l++)
        fmpq_mat_clear(s.stack + l);
    flint_free(s.stack);
    return RJ_OK;
}

/* ---------------------------------------------------------------- dyadic */

/* The partial product after l blocks is Q / 2^e; products for block l go to
   stack[l + 1], except that an identity S_l passes Q on unchanged.  Every path
   product is added to acc / 2^eA with eA = sum of max(eS_l, eR_l), the largest
   exponent a path can have, so each leaf is shifted into place without
   realigning acc. */
typedef struct {
    const _rj_dyadic_struct *d;
    fmpz_mat_struct *stack;
    fmpz_mat_struct *acc;
    slong eA;
} zdfs_t;

static void
zdfs(zdfs_t *s, slong l, const fmpz_mat_struct *Q, slong e)
{
    const _rj_dyadic_struct *d = s->d;
    if (l == d->len) {
        _rj_fmpz_mat_addmul_2exp(s->acc, Q, s->eA - e);
        return;
    }
    /* skip part */
    if (d->S_one[l]) {
        zdfs(s, l + 1, Q, e);
    } else {
        fmpz_mat_mul(s->stack + l + 1, d->S + l, Q);
        zdfs(s, l + 1, s->stack + l + 1, e + d->eS[l]);
    }
    /* branch part */
    fmpz_mat_mul(s->stack + l + 1, d->R + l, Q);
    zdfs(s, l + 1, s->stack + l + 1, e + d->eR[l]);
}

int
rj_expand_subsets_dyadic(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, L = parts->len, n0;
    _rj_dyadic_struct d;
    zdfs_t s;
    fmpz_mat_t acc;
    int st;

    if ((st = check_subsets(parts, err)) != RJ_OK)
        return st;
    if ((st = _rj_parts_check_dyadic(parts, "subset sum", err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    _rj_dyadic_init(&d, parts);
    fmpz_mat_init(acc, _rj_parts_width(parts, L), n0);
    s.d = &d;
    s.acc = acc;
    s.eA = 0;
    for (l = 0; l < L; l++)
        s.eA += FLINT_MAX(d.eS[l], d.eR[l]);
    s.stack = flint_malloc((L + 1) * sizeof(fmpz_mat_struct));
    for (l = 0; l <= L; l++)
        fmpz_mat_init(s.stack + l, _rj_parts_width(parts, l), n0);
    fmpz_mat_one(s.stack + 0);
    zdfs(&s, 0, s.stack + 0, 0);
    _rj_dyadic_normalise(acc, &s.eA);
    _rj_fmpq_mat_reshape(P, fmpz_mat_nrows(acc), n0);
    _rj_fmpq_mat_set_dyadic(P, acc, s.eA);
    for (l = 0; l <= L; l++)
        fmpz_mat_clear(s.stack + l);
    flint_free(s.stack);
    fmpz_mat_clear(acc);
    _rj_dyadic_clear(&d);
    return RJ_OK;
}

/* ---------------------------------------------------------------- cleared */

/* stack[l] is the partial product of the first l integer factors; every path
   product has the denominator den[0] ... den[L-1], so leaves add up as they
   are. */
typedef struct {
    const _rj_cleared_struct *c;
    fmpz_mat_struct *stack;
    fmpz_mat_struct *acc;
} cdfs_t;

static void
cdfs(cdfs_t *s, slong l)
{
    if (l == s->c->len) {
        fmpz_mat_add(s->acc, s->acc, s->stack + l);
        return;
    }
    _rj_cleared_mul_S(s->stack + l + 1, s->c, l, s->stack + l);
    cdfs(s, l + 1);
    fmpz_mat_mul(s->stack + l + 1, s->c->R + l, s->stack + l);
    cdfs(s, l + 1);
}

int
rj_expand_subsets_cleared(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    slong l, L = parts->len, n0;
    _rj_cleared_struct c;
    cdfs_t s;
    fmpz_mat_t acc;
    fmpz_t D;
    int st;

    if ((st = check_subsets(parts, err)) != RJ_OK)
        return st;
    n0 = _rj_parts_width(parts, 0);
    _rj_cleared_init(&c, parts);
    fmpz_mat_init(acc, _rj_parts_width(parts, L), n0);
    s.c = &c;
    s.acc = acc;
    s.stack = flint_malloc((L + 1) * sizeof(fmpz_mat_struct));
    for (l = 0; l <= L; l++)
        fmpz_mat_init(s.stack + l, _rj_parts_width(parts, l), n0);
    fmpz_mat_one(s.stack + 0);
    cdfs(&s, 0);
    fmpz_init(D);
    _rj_cleared_den(D, &c);
    _rj_fmpq_mat_reshape(P, fmpz_mat_nrows(acc), n0);
    fmpq_mat_set_fmpz_mat_div_fmpz(P, acc, D);
    fmpz_clear(D);
    for (l = 0; l <= L; l++)
        fmpz_mat_clear(s.stack + l);
    flint_free(s.stack);
    fmpz_mat_clear(acc);
    _rj_cleared_clear(&c);
    return RJ_OK;
}

int
rj_expand_subsets(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err)
{
    if (parts->h != NULL && rj_exact_parts_is_dyadic(parts))
        return rj_expand_subsets_dyadic(P, parts, err);
    return rj_expand_subsets_cleared(P, parts, err);
}
