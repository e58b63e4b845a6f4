/* resjac symbolic layer: the sign of a univariate rational polynomial on an
 * interval, decided exactly (proofs/symbolic.md, SY 5.3).
 *
 * The norm rules of src/claims/symbolic_norm.c reduce a claim to "p(e) >= 0
 * (or > 0) for every e in R", p in Q[e].  Decided with Sturm sequences over
 * Q (fmpq_poly remainders), written here: FLINT 2.9 counts the real roots of
 * a polynomial on the whole line (fmpz_poly_num_real_roots_sturm) but not on
 * an interval.
 *
 *   N(x) = number of distinct roots <= x of a squarefree r
 *        = V(-inf) - V(x),  V(x) the sign changes of the Sturm sequence of r
 *          at x, zeros dropped (right-continuous, so valid at roots too);
 *   p >= 0 on R (R not a point) <=> the factors of odd multiplicity of p
 *          have no root inside R and p > 0 at one interior point;
 *   p > 0 on R <=> p has no root in R and p > 0 at one point of R.
 * The cost: a remainder sequence of deg p steps; deg p is checked against
 * RJ_SYM_MAX_POLY_DEGREE before the work. */
#include <flint/fmpz_poly.h>
#include <flint/fmpz_poly_factor.h>
#include <flint/fmpq_poly.h>

#include "resjac/symbolic.h"

void
rj_sym_interval_init(rj_sym_interval_t R)
{
    fmpq_init(R->lo);
    fmpq_init(R->hi);
    R->has_lo = R->has_hi = 0;
    R->lo_closed = R->hi_closed = 0;
}

void
rj_sym_interval_clear(rj_sym_interval_t R)
{
    fmpq_clear(R->lo);
    fmpq_clear(R->hi);
}

int
rj_sym_interval_contains(const rj_sym_interval_t R, const fmpq_t x)
{
    if (R->has_lo) {
        int c = fmpq_cmp(x, R->lo);
        if (c < 0 || (c == 0 && !R->lo_closed))
            return 0;
    }
    if (R->has_hi) {
        int c = fmpq_cmp(x, R->hi);
        if (c > 0 || (c == 0 && !R->hi_closed))
            return 0;
    }
    return 1;
}

/* A point strictly inside R (R with lo < hi when both are finite). */
static void
interior_point(fmpq_t x, const rj_sym_interval_t R)
{
    if (R->has_lo && R->has_hi) {
        fmpq_add(x, R->lo, R->hi);
        fmpq_div_2exp(x, x, 1);
    } else if (R->has_lo)
        fmpq_add_si(x, R->lo, 1);
    else if (R->has_hi)
        fmpq_sub_si(x, R->hi, 1);
    else
        fmpq_zero(x);
}

/* ---------------------------------------------------------------- Sturm */

typedef struct {
    slong len;
    fmpq_poly_struct *s;
} sturm_seq;

static void
sturm_init(sturm_seq *S, const fmpq_poly_t r)
{
    slong d = fmpq_poly_degree(r), k;
    fmpq_t c;
    fmpq_init(c);
    S->s = flint_malloc((d + 2) * sizeof(fmpq_poly_struct));
    for (k = 0; k < d + 2; k++)
        fmpq_poly_init(S->s + k);
    fmpq_poly_set(S->s, r);
    fmpq_poly_derivative(S->s + 1, r);
    S->len = fmpq_poly_is_zero(S->s + 1) ? 1 : 2;
    while (S->len < d + 2) {
        fmpq_poly_rem(S->s + S->len, S->s + S->len - 2, S->s + S->len - 1);
        if (fmpq_poly_is_zero(S->s + S->len))
            break;
        fmpq_poly_neg(S->s + S->len, S->s + S->len);
        /* divided by its (positive) content: the signs, so the sign
           changes, are those of the remainder; the coefficients stay small */
        fmpq_poly_content(c, S->s + S->len);
        fmpq_poly_scalar_div_fmpq(S->s + S->len, S->s + S->len, c);
        S->len++;
    }
    S->len = FLINT_MIN(S->len, d + 2);
    for (k = S->len; k < d + 2; k++)
        fmpq_poly_clear(S->s + k);
    fmpq_clear(c);
}

static void
sturm_clear(sturm_seq *S)
{
    slong k;
    for (k = 0; k < S->len; k++)
        fmpq_poly_clear(S->s + k);
    flint_free(S->s);
}

/* Sign changes at x (inf = +1 / -1: at +-infinity). */
static slong
sturm_changes(const sturm_seq *S, const fmpq_t x, int inf)
{
    slong k, v = 0;
    int last = 0, sg;
    fmpq_t y;
    fmpq_init(y);
    for (k = 0; k < S->len; k++) {
        if (inf != 0) {
            sg = fmpz_sgn(fmpq_poly_numref(S->s + k) + fmpq_poly_degree(S->s + k));
            if (inf < 0 && (fmpq_poly_degree(S->s + k) & 1))
                sg = -sg;
        } else {
            fmpq_poly_evaluate_fmpq(y, S->s + k, x);
            sg = fmpq_sgn(y);
        }
        if (sg != 0) {
            if (last != 0 && sg != last)
                v++;
            last = sg;
        }
    }
    fmpq_clear(y);
    return v;
}

/* Distinct roots of the squarefree r in R (r nonzero). */
static slong
count_in(const sturm_seq *S, const fmpq_poly_t r, const rj_sym_interval_t R)
{
    fmpq_t z, y;
    slong vminus, nhi, nlo;
    fmpq_init(z);
    fmpq_init(y);
    vminus = sturm_changes(S, z, -1);
    nhi = vminus - (R->has_hi ? sturm_changes(S, R->hi, 0) : sturm_changes(S, z, 1));
    nlo = R->has_lo ? vminus - sturm_changes(S, R->lo, 0) : 0;
    if (R->has_hi && !R->hi_closed) {
        fmpq_poly_evaluate_fmpq(y, r, R->hi);
        nhi -= fmpq_is_zero(y);
    }
    if (R->has_lo && R->lo_closed) {
        fmpq_poly_evaluate_fmpq(y, r, R->lo);
        nlo -= fmpq_is_zero(y);
    }
    fmpq_clear(z);
    fmpq_clear(y);
    return nhi - nlo;
}

slong
rj_sym_poly_count_roots(const fmpq_poly_t p, const rj_sym_interval_t R)
{
    fmpq_poly_t g, d, r;
    sturm_seq S;
    slong n;
    if (fmpq_poly_degree(p) < 1)
        return 0;
    fmpq_poly_init(g);
    fmpq_poly_init(d);
    fmpq_poly_init(r);
    fmpq_poly_derivative(d, p);
    fmpq_poly_gcd(g, p, d);
    fmpq_poly_div(r, p, g);
    sturm_init(&S, r);
    n = count_in(&S, r, R);
    sturm_clear(&S);
    fmpq_poly_clear(g);
    fmpq_poly_clear(d);
    fmpq_poly_clear(r);
    return n;
}

/* The product of the factors of odd multiplicity of p (made monic in sign:
   its sign times *sc is the sign of p away from the other roots). */
static void
odd_part(fmpq_poly_t r, int *sc, const fmpq_poly_t p)
{
    fmpz_poly_t P, f;
    fmpz_poly_factor_t fac;
    slong i;
    fmpz_poly_init(P);
    fmpz_poly_init(f);
    fmpz_poly_factor_init(fac);
    fmpq_poly_get_numerator(P, p);
    fmpz_poly_factor_squarefree(fac, P);
    /* lead(p) = c prod lead(f_i)^(e_i): sign(c) from the leading terms */
    *sc = fmpz_sgn(fmpz_poly_lead(P));
    fmpz_poly_one(f);
    for (i = 0; i < fac->num; i++) {
        if (fac->exp[i] & 1) {
            fmpz_poly_mul(f, f, fac->p + i);
            *sc *= fmpz_sgn(fmpz_poly_lead(fac->p + i));
        }
    }
    /* the even factors have positive leading coefficients to an even power */
    fmpq_poly_set_fmpz_poly(r, f);
    fmpz_poly_factor_clear(fac);
    fmpz_poly_clear(f);
    fmpz_poly_clear(P);
}

/* Rational points of R near the roots of p and between them (bisection with
   root counts, at most 512 steps): a point where p < 0 (p <= 0 if strict)
   exists among them whenever the sign test failed for a reason other than a
   root of even multiplicity; best effort. */
static int
find_bad_point(fmpq_t x, const fmpq_poly_t p, const rj_sym_interval_t R, int strict)
{
    fmpq_t a, b, m, y, B, q;
    fmpq_poly_t g, d, r;
    sturm_seq S;
    rj_sym_interval_t J;
    slong i, steps = 0, top = 0;
    fmpq stack[128];
    int found = 0;
    fmpq_init(a);
    fmpq_init(b);
    fmpq_init(m);
    fmpq_init(y);
    fmpq_init(B);
    fmpq_init(q);
    rj_sym_interval_init(J);
    fmpq_poly_init(g);
    fmpq_poly_init(d);
    fmpq_poly_init(r);
    fmpq_poly_derivative(d, p);
    fmpq_poly_gcd(g, p, d);
    fmpq_poly_div(r, p, g);             /* squarefree: its Sturm sequence, once */
    sturm_init(&S, r);
    /* Cauchy bound: every root lies in (-B, B) */
    fmpq_zero(B);
    for (i = 0; i < fmpq_poly_degree(p); i++) {
        fmpq_poly_get_coeff_fmpq(q, p, i);
        fmpq_abs(q, q);
        if (fmpq_cmp(q, B) > 0)
            fmpq_set(B, q);
    }
    fmpq_poly_get_coeff_fmpq(q, p, fmpq_poly_degree(p));
    fmpq_abs(q, q);
    if (!fmpq_is_zero(q))
        fmpq_div(B, B, q);
    fmpq_add_si(B, B, 1);
    fmpq_set(a, B);
    fmpq_neg(a, a);
    if (R->has_lo && fmpq_cmp(R->lo, a) > 0)
        fmpq_set(a, R->lo);
    fmpq_set(b, B);
    if (R->has_hi && fmpq_cmp(R->hi, b) < 0)
        fmpq_set(b, R->hi);
    for (i = 0; i < 128; i++)
        fmpq_init(stack + i);
    /* candidates: a, b, and endpoints and midpoints of the bisection */
    fmpq_set(stack + top++, a);
    fmpq_set(stack + top++, b);
    while (top >= 2 && !found && steps < 512) {
        fmpq_set(b, stack + --top);
        fmpq_set(a, stack + --top);
        steps++;
        fmpq_add(m, a, b);
        fmpq_div_2exp(m, m, 1);
        {
            fmpq *cand[3] = { a, b, m };
            for (i = 0; i < 3 && !found; i++) {
                if (!rj_sym_interval_contains(R, cand[i]))
                    continue;
                fmpq_poly_evaluate_fmpq(y, p, cand[i]);
                if (fmpq_sgn(y) < 0 || (strict && fmpq_is_zero(y))) {
                    fmpq_set(x, cand[i]);
                    found = 1;
                }
            }
        }
        if (found || fmpq_cmp(a, b) >= 0)
            break;
        fmpq_set(J->lo, a);
        fmpq_set(J->hi, b);
        J->has_lo = J->has_hi = 1;
        J->lo_closed = J->hi_closed = 1;
        if (fmpq_poly_degree(r) > 0 && count_in(&S, r, J) > 0 && top + 4 <= 128) {
            fmpq_set(stack + top++, m);
            fmpq_set(stack + top++, b);
            fmpq_set(stack + top++, a);
            fmpq_set(stack + top++, m);
        }
    }
    for (i = 0; i < 128; i++)
        fmpq_clear(stack + i);
    sturm_clear(&S);
    fmpq_poly_clear(g);
    fmpq_poly_clear(d);
    fmpq_poly_clear(r);
    rj_sym_interval_clear(J);
    fmpq_clear(a);
    fmpq_clear(b);
    fmpq_clear(m);
    fmpq_clear(y);
    fmpq_clear(B);
    fmpq_clear(q);
    return found;
}

int
rj_sym_poly_nonneg(int *holds, fmpq_t x, int *found, const fmpq_poly_t p,
                   const rj_sym_interval_t R, int strict, rj_error_t err)
{
    fmpq_t t, y;
    int ok;
    if (found != NULL)
        *found = 0;
    if (R->has_lo && R->has_hi) {
        int c = fmpq_cmp(R->lo, R->hi);
        if (c > 0 || (c == 0 && !(R->lo_closed && R->hi_closed)))
            return rj_error_set(err, RJ_ERR_INPUT, "an empty interval");
    }
    if (fmpq_poly_degree(p) > RJ_SYM_MAX_POLY_DEGREE)
        return rj_error_set(err, RJ_ERR_LIMIT, "a reduced inequality of degree %ld: more than "
                            "the limit of degree %d", (long) fmpq_poly_degree(p),
                            RJ_SYM_MAX_POLY_DEGREE);
    fmpq_init(t);
    fmpq_init(y);
    if (R->has_lo && R->has_hi && fmpq_equal(R->lo, R->hi))
        fmpq_set(t, R->lo);
    else
        interior_point(t, R);
    fmpq_poly_evaluate_fmpq(y, p, t);
    if (fmpq_poly_degree(p) < 1 || (R->has_lo && R->has_hi && fmpq_equal(R->lo, R->hi)))
        ok = strict ? fmpq_sgn(y) > 0 : fmpq_sgn(y) >= 0;
    else if (strict)
        ok = fmpq_sgn(y) > 0 && rj_sym_poly_count_roots(p, R) == 0;
    else {
        fmpq_poly_t r;
        rj_sym_interval_t J;
        sturm_seq S;
        int sc;
        fmpq_poly_init(r);
        rj_sym_interval_init(J);
        odd_part(r, &sc, p);
        /* the interior of R */
        fmpq_set(J->lo, R->lo);
        fmpq_set(J->hi, R->hi);
        J->has_lo = R->has_lo;
        J->has_hi = R->has_hi;
        if (fmpq_poly_degree(r) < 1)
            ok = sc > 0;
        else {
            sturm_init(&S, r);
            ok = count_in(&S, r, J) == 0;
            sturm_clear(&S);
            if (ok) {
                fmpq_poly_evaluate_fmpq(y, r, t);
                ok = sc * fmpq_sgn(y) > 0;
            }
        }
        rj_sym_interval_clear(J);
        fmpq_poly_clear(r);
    }
    *holds = ok;
    if (!ok && found != NULL) {
        fmpq_poly_evaluate_fmpq(y, p, t);
        if (fmpq_sgn(y) < 0 || (strict && fmpq_is_zero(y))) {
            fmpq_set(x, t);
            *found = 1;
        } else
            *found = find_bad_point(x, p, R, strict);
    }
    fmpq_clear(t);
    fmpq_clear(y);
    return RJ_OK;
}
