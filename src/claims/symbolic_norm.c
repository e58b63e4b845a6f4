/* resjac claims: norm inequalities under hypotheses (proofs/symbolic.md, SY 5).
 *
 *   forall e in reals(0 < e, e < 1):              a real symbol in an interval
 *   forall J_1..J_L in matrices(norm2 <= e):      hypotheses on the matrices
 *       sigma_min(prod(l in 1..L: I + J[l])) >= (1 - e)^L
 *
 * Hypotheses: normX <= b or normX < b (X in 1, inf, 2, fro) and sigma_min >= b
 * or > b, b a number or a polynomial in the real symbol.  A strict hypothesis
 * is used as the non-strict one by the rules (sound: it is weaker).
 *
 * 1. Rules [SY 5.1].  Every matrix subterm gets upper bounds of its 1-, inf-,
 *    2- and Frobenius norms and a lower bound of sigma_min, polynomials in e;
 *    every scalar subterm an interval [lo, hi] with polynomial ends.  A
 *    comparison a <= b (a < b, >=, >) holds when hi(a) <= lo(b) (< for the
 *    strict ones) for every e of the interval: one polynomial sign condition,
 *    decided exactly by Sturm sequences (rj_sym_poly_nonneg, [SY 5.3]).  All
 *    comparisons holding: PROVED.
 * 2. Witnesses [SY 5.2].  Otherwise the names are bound to 1 x 1 matrices
 *    [x] with |x| at the hypotheses' bound (J = +-b I at size 1, where every
 *    norm named above and sigma_min equal |x|), then to rank-one 2 x 2
 *    matrices x E_12 (norms |x|, sigma_min 0), and e to rational points of
 *    its interval (where the reduced inequality failed first); the hypotheses
 *    are checked on them exactly, the body is decided by the plain exact
 *    evaluator, and a REFUTED case is printed, read back and decided again
 *    before it refutes the claim.
 * 3. Otherwise UNDECIDED, showing the reduced inequality or the missing rule. */
#include <string.h>

#include "symbolic_impl.h"

enum { NK_1, NK_INF, NK_2, NK_FRO, NK_N };
static const char *const nk_name[NK_N] = { "norm1", "norminf", "norm2", "normfro" };

/* Bounds of one subterm (all polynomials in the real symbol x). */
typedef struct {
    int ismat;
    int exact;                 /* scalar: lo == hi is its value */
    int has_lo, has_hi;
    fmpq_poly_t lo, hi;
    int has_nub[NK_N];         /* matrix: ||A||_k <= nub[k] */
    fmpq_poly_t nub[NK_N];
    int has_slo;               /* matrix: sigma_min(A) >= slo */
    fmpq_poly_t slo;
    int split;                 /* matrix: A = idc I + R, ||R||_k <= rn[k] */
    fmpq_poly_t idc;
    int has_rn[NK_N];
    fmpq_poly_t rn[NK_N];
} nb;

#define NB_MAX_STEPS 200000     /* prod / sum steps of one claim */
#define NB_NF_TERMS 4096        /* terms of a normal form tried for a norm's argument */

typedef struct {
    const cl_symq *q;          /* NULL: a scalar formula only */
    rj_sym_interval_t range;   /* the real symbol's range (the line when none) */
    const char *rname;         /* its name, NULL when none is in scope */
    nb *sym;                   /* per symbol: its hypotheses' bounds */
    rj_env_struct *env;
    cl_ctx *ctx;
    slong steps;
    char *why;                 /* the first missing rule, or the reduced inequality */
    char *shown;               /* the first reduced inequality proved */
    int have_bad;              /* bad: a value of x where a reduced inequality failed */
    fmpq_t bad;
} walk;

static void
nb_init(nb *a)
{
    slong k;
    memset(a, 0, sizeof(*a));
    fmpq_poly_init(a->lo);
    fmpq_poly_init(a->hi);
    fmpq_poly_init(a->slo);
    fmpq_poly_init(a->idc);
    for (k = 0; k < NK_N; k++) {
        fmpq_poly_init(a->nub[k]);
        fmpq_poly_init(a->rn[k]);
    }
}

static void
nb_clear(nb *a)
{
    slong k;
    fmpq_poly_clear(a->lo);
    fmpq_poly_clear(a->hi);
    fmpq_poly_clear(a->slo);
    fmpq_poly_clear(a->idc);
    for (k = 0; k < NK_N; k++) {
        fmpq_poly_clear(a->nub[k]);
        fmpq_poly_clear(a->rn[k]);
    }
}

static void
nb_set(nb *a, const nb *b)
{
    slong k;
    a->ismat = b->ismat;
    a->exact = b->exact;
    a->has_lo = b->has_lo;
    a->has_hi = b->has_hi;
    a->has_slo = b->has_slo;
    fmpq_poly_set(a->lo, b->lo);
    fmpq_poly_set(a->hi, b->hi);
    fmpq_poly_set(a->slo, b->slo);
    a->split = b->split;
    fmpq_poly_set(a->idc, b->idc);
    for (k = 0; k < NK_N; k++) {
        a->has_nub[k] = b->has_nub[k];
        fmpq_poly_set(a->nub[k], b->nub[k]);
        a->has_rn[k] = b->has_rn[k];
        fmpq_poly_set(a->rn[k], b->rn[k]);
    }
}

static void
nb_reset(nb *a, int ismat)
{
    slong k;
    a->ismat = ismat;
    a->exact = a->has_lo = a->has_hi = a->has_slo = a->split = 0;
    for (k = 0; k < NK_N; k++)
        a->has_nub[k] = a->has_rn[k] = 0;
}

static void
nb_exact(nb *a, const fmpq_poly_t p)
{
    nb_reset(a, 0);
    a->exact = a->has_lo = a->has_hi = 1;
    fmpq_poly_set(a->lo, p);
    fmpq_poly_set(a->hi, p);
}

/* The identity: every operator norm 1, sigma_min 1 [R1]. */
static void
nb_identity(nb *a)
{
    slong k;
    nb_reset(a, 1);
    fmpq_poly_one(a->nub[NK_1]);
    fmpq_poly_one(a->nub[NK_INF]);
    fmpq_poly_one(a->nub[NK_2]);
    a->has_nub[NK_1] = a->has_nub[NK_INF] = a->has_nub[NK_2] = 1;
    fmpq_poly_one(a->slo);
    a->has_slo = 1;
    a->split = 1;
    fmpq_poly_one(a->idc);
    for (k = 0; k < NK_N; k++) {
        fmpq_poly_zero(a->rn[k]);
        a->has_rn[k] = 1;
    }
}

static int
no_rule(walk *W, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
no_rule(walk *W, const char *fmt, ...)
{
    if (W->why == NULL) {
        char buf[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        W->why = rj_strdup(buf);
    }
    return RJ_ERR_DOMAIN;
}

/* +1: p >= 0 on I; -1: p <= 0 on I; 0: neither (or past a limit). */
static int
sign_on(walk *W, const fmpq_poly_t p)
{
    int holds;
    fmpq_t x;
    fmpq_poly_t m;
    rj_error_t e2;
    fmpq_init(x);
    fmpq_poly_init(m);
    rj_error_init(e2);
    if (rj_sym_poly_nonneg(&holds, x, NULL, p, W->range, 0, e2) == RJ_OK && holds)
        holds = 1;
    else {
        fmpq_poly_neg(m, p);
        holds = rj_sym_poly_nonneg(&holds, x, NULL, m, W->range, 0, e2) == RJ_OK && holds ? -1 : 0;
    }
    fmpq_clear(x);
    fmpq_poly_clear(m);
    return holds;
}

static int
degree_ok(walk *W, slong d)
{
    if (d > RJ_SYM_MAX_POLY_DEGREE) {
        no_rule(W, "a bound of degree %ld in the real symbol: more than the limit of degree %d",
                (long) d, RJ_SYM_MAX_POLY_DEGREE);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ matrix rules */

/* The bound of kind k of symbol s, transposed when t (||A'||_1 = ||A||_inf,
   ||A'||_2 = ||A||_2, ||A'||_F = ||A||_F [R5]). */
static int
letter_bound(fmpq_poly_t out, const walk *W, slong s, int t, int k)
{
    int kk = t && k == NK_1 ? NK_INF : t && k == NK_INF ? NK_1 : k;
    if (!W->sym[s].has_nub[kk])
        return 0;
    fmpq_poly_set(out, W->sym[s].nub[kk]);
    return 1;
}

/* |p| for an exact scalar p: q >= |p| on I (upper) or q <= |p| (lower);
   0 when the sign of p is not fixed on I (lower: then q = 0). */
static int
poly_abs(fmpq_poly_t q, const fmpq_poly_t p, int upper, walk *W)
{
    int sg = fmpq_poly_is_zero(p) ? 1 : sign_on(W, p);
    if (sg > 0)
        fmpq_poly_set(q, p);
    else if (sg < 0)
        fmpq_poly_neg(q, p);
    else if (upper)
        return 0;
    else
        fmpq_poly_zero(q);
    return 1;
}

/* Take the smaller upper bounds and larger lower bound of a and b (both
   matrices) where that is decided on I. */
static void
mat_best(nb *a, const nb *b, walk *W)
{
    fmpq_poly_t d;
    slong k;
    fmpq_poly_init(d);
    for (k = 0; k < NK_N; k++) {
        if (!b->has_nub[k])
            continue;
        if (a->has_nub[k]) {
            fmpq_poly_sub(d, a->nub[k], b->nub[k]);
            if (sign_on(W, d) <= 0)
                continue;
        }
        fmpq_poly_set(a->nub[k], b->nub[k]);
        a->has_nub[k] = 1;
    }
    if (b->has_slo) {
        int take = !a->has_slo;
        if (!take) {
            fmpq_poly_sub(d, b->slo, a->slo);
            take = sign_on(W, d) > 0;
        }
        if (take) {
            fmpq_poly_set(a->slo, b->slo);
            a->has_slo = 1;
        }
    }
    if (!a->split && b->split) {
        a->split = 1;
        fmpq_poly_set(a->idc, b->idc);
        for (k = 0; k < NK_N; k++) {
            a->has_rn[k] = b->has_rn[k];
            fmpq_poly_set(a->rn[k], b->rn[k]);
        }
    }
    fmpq_poly_clear(d);
}

/* From A = c I + R: ||A|| <= |c| + ||R|| (triangle [R2], ||cI|| = |c| [R1,
   R4]; for the Frobenius norm only when c = 0: ||I||_F = sqrt(n)), and
   sigma_min(A) >= |c| - ||R||_2 [R7]; kept where better than a's own. */
static void
split_derive(nb *a, walk *W)
{
    nb t;
    fmpq_poly_t u, l;
    slong k;
    int hu, hl;
    if (!a->split)
        return;
    nb_init(&t);
    fmpq_poly_init(u);
    fmpq_poly_init(l);
    nb_reset(&t, 1);
    hu = poly_abs(u, a->idc, 1, W);
    hl = poly_abs(l, a->idc, 0, W);
    for (k = 0; k < NK_N; k++)
        if (a->has_rn[k] && hu && (k != NK_FRO || fmpq_poly_is_zero(a->idc))) {
            fmpq_poly_add(t.nub[k], u, a->rn[k]);
            t.has_nub[k] = 1;
        }
    if (a->has_rn[NK_2] && hl) {
        fmpq_poly_sub(t.slo, l, a->rn[NK_2]);
        t.has_slo = 1;
    }
    mat_best(a, &t, W);
    nb_clear(&t);
    fmpq_poly_clear(u);
    fmpq_poly_clear(l);
}

/* A normal form c_0 I + sum c_w w (w nonempty words): the split with c_0 and
   ||R|| <= sum |c_w| prod over the letters' bounds (triangle [R2],
   submultiplicativity [R3], ||cA|| = |c| ||A|| [R4], transposes [R5]). */
static void
nf_bounds(nb *out, const rj_sym_struct *p, walk *W)
{
    slong k, i, j;
    fmpq_poly_t acc, w, b;
    fmpq_t c;
    int ok;
    fmpq_poly_init(acc);
    fmpq_poly_init(w);
    fmpq_poly_init(b);
    fmpq_init(c);
    nb_reset(out, 1);
    out->split = 1;
    fmpq_poly_zero(out->idc);
    if (p->len > 0 && p->terms[0].len == 0)
        fmpq_poly_set_fmpq(out->idc, p->terms[0].coeff);
    for (k = 0; k < NK_N; k++) {
        ok = 1;
        fmpq_poly_zero(acc);
        for (i = 0; i < p->len && ok; i++) {
            const rj_sym_term_struct *t = p->terms + i;
            if (t->len == 0)
                continue;
            fmpq_abs(c, t->coeff);
            fmpq_poly_set_fmpq(w, c);
            for (j = 0; j < t->len && ok; j++) {
                ok = letter_bound(b, W, t->w[j] / 2, t->w[j] & 1, k);
                if (ok)
                    fmpq_poly_mul(w, w, b);
            }
            if (ok)
                fmpq_poly_add(acc, acc, w);
        }
        if (ok && degree_ok(W, fmpq_poly_degree(acc))) {
            fmpq_poly_swap(out->rn[k], acc);
            out->has_rn[k] = 1;
        }
    }
    split_derive(out, W);
    /* one letter c J or c J': sigma_min(cJ) = |c| sigma_min(J) and
       sigma_min(J') = sigma_min(J) (J square) [R0, R4] */
    if (p->len == 1 && p->terms[0].len == 1 && W->sym[p->terms[0].w[0] / 2].has_slo
        && sign_on(W, W->sym[p->terms[0].w[0] / 2].slo) > 0) {
        fmpq_abs(c, p->terms[0].coeff);
        fmpq_poly_scalar_mul_fmpq(w, W->sym[p->terms[0].w[0] / 2].slo, c);
        fmpq_poly_sub(b, w, out->slo);
        if (!out->has_slo || sign_on(W, b) > 0) {
            fmpq_poly_set(out->slo, w);
            out->has_slo = 1;
        }
    }
    fmpq_poly_clear(acc);
    fmpq_poly_clear(w);
    fmpq_poly_clear(b);
    fmpq_clear(c);
}

/* 1 if a is c I exactly (a split with a zero rest). */
static int
is_scalar_identity(const nb *a)
{
    slong k;
    if (!a->split)
        return 0;
    for (k = 0; k < NK_N; k++)
        if (!a->has_rn[k] || !fmpq_poly_is_zero(a->rn[k]))
            return 0;
    return 1;
}

/* out = a * b for matrices [R3], sigma_min(AB) >= sigma_min(A) sigma_min(B)
   when both lower bounds are >= 0 [R8]; split when one factor is c I:
   (aI + R)(bI + S) = ab I + (aS + bR + RS) with R or S zero (the general
   product's split is never better than the product rules and costs a
   polynomial sign decision per factor). */
static void
mat_mul(nb *out, const nb *a, const nb *b, walk *W)
{
    nb r;
    slong k;
    fmpq_poly_t ua, ub, t;
    nb_init(&r);
    nb_reset(&r, 1);
    for (k = 0; k < NK_N; k++)
        if (a->has_nub[k] && b->has_nub[k]
            && degree_ok(W, fmpq_poly_degree(a->nub[k]) + fmpq_poly_degree(b->nub[k]))) {
            fmpq_poly_mul(r.nub[k], a->nub[k], b->nub[k]);
            r.has_nub[k] = 1;
        }
    if (a->has_slo && b->has_slo && sign_on(W, a->slo) > 0 && sign_on(W, b->slo) > 0
        && degree_ok(W, fmpq_poly_degree(a->slo) + fmpq_poly_degree(b->slo))) {
        fmpq_poly_mul(r.slo, a->slo, b->slo);
        r.has_slo = 1;
    }
    fmpq_poly_init(ua);
    fmpq_poly_init(ub);
    fmpq_poly_init(t);
    if (a->split && b->split && (is_scalar_identity(a) || is_scalar_identity(b))
        && poly_abs(ua, a->idc, 1, W) && poly_abs(ub, b->idc, 1, W)) {
        r.split = 1;
        fmpq_poly_mul(r.idc, a->idc, b->idc);
        for (k = 0; k < NK_N; k++) {
            if (!a->has_rn[k] || !b->has_rn[k])
                continue;
            fmpq_poly_mul(r.rn[k], ua, b->rn[k]);
            fmpq_poly_mul(t, ub, a->rn[k]);
            fmpq_poly_add(r.rn[k], r.rn[k], t);
            fmpq_poly_mul(t, a->rn[k], b->rn[k]);
            fmpq_poly_add(r.rn[k], r.rn[k], t);
            r.has_rn[k] = degree_ok(W, fmpq_poly_degree(r.rn[k]));
        }
        split_derive(&r, W);
    }
    fmpq_poly_clear(ua);
    fmpq_poly_clear(ub);
    fmpq_poly_clear(t);
    nb_set(out, &r);
    nb_clear(&r);
}

/* out = a + b (sub: a - b) for matrices: triangle [R2]; sigma_min(A + B) >=
   sigma_min(A) - ||B||_2 (Weyl) [R7], the better of the two orders when it
   is decided; split: the identity parts add, the rests by the triangle. */
static void
mat_add(nb *out, const nb *a, const nb *b, int sub, walk *W)
{
    nb r;
    slong k;
    int h1 = a->has_slo && b->has_nub[NK_2], h2 = b->has_slo && a->has_nub[NK_2];
    nb_init(&r);
    nb_reset(&r, 1);
    for (k = 0; k < NK_N; k++)
        if (a->has_nub[k] && b->has_nub[k]) {
            fmpq_poly_add(r.nub[k], a->nub[k], b->nub[k]);
            r.has_nub[k] = 1;
        }
    if (h1 || h2) {
        fmpq_poly_t s1, s2, d;
        fmpq_poly_init(s1);
        fmpq_poly_init(s2);
        fmpq_poly_init(d);
        if (h1)
            fmpq_poly_sub(s1, a->slo, b->nub[NK_2]);
        if (h2)
            fmpq_poly_sub(s2, b->slo, a->nub[NK_2]);
        if (h1 && h2) {
            fmpq_poly_sub(d, s2, s1);
            if (sign_on(W, d) > 0)
                h1 = 0;
        }
        fmpq_poly_set(r.slo, h1 ? s1 : s2);
        r.has_slo = 1;
        fmpq_poly_clear(s1);
        fmpq_poly_clear(s2);
        fmpq_poly_clear(d);
    }
    if (a->split && b->split) {
        r.split = 1;
        if (sub)
            fmpq_poly_sub(r.idc, a->idc, b->idc);
        else
            fmpq_poly_add(r.idc, a->idc, b->idc);
        for (k = 0; k < NK_N; k++)
            if (a->has_rn[k] && b->has_rn[k]) {
                fmpq_poly_add(r.rn[k], a->rn[k], b->rn[k]);
                r.has_rn[k] = 1;
            }
        split_derive(&r, W);
    }
    nb_set(out, &r);
    nb_clear(&r);
}

/* |c| for a scalar c: a polynomial q with q >= |c| (upper) or q <= |c|
   (lower) on I; 0 when no rule. */
static int
abs_bound(fmpq_poly_t q, const nb *c, int upper, walk *W)
{
    if (c->has_lo && sign_on(W, c->lo) > 0) {           /* c >= lo >= 0 */
        if (upper && !c->has_hi)
            return 0;
        fmpq_poly_set(q, upper ? c->hi : c->lo);
        return 1;
    }
    if (c->has_hi && sign_on(W, c->hi) < 0) {           /* c <= hi <= 0 */
        if (upper && !c->has_lo)
            return 0;
        fmpq_poly_neg(q, upper ? c->lo : c->hi);
        return 1;
    }
    if (!upper) {
        fmpq_poly_zero(q);
        return 1;
    }
    return 0;
}

/* out = c A: ||cA|| = |c| ||A|| [R4], sigma_min(cA) = |c| sigma_min(A);
   split: c (dI + R) = cd I + cR. */
static void
mat_scale(nb *out, const nb *c, const nb *a, walk *W)
{
    nb r;
    fmpq_poly_t u, l;
    slong k;
    int hu, hl;
    nb_init(&r);
    fmpq_poly_init(u);
    fmpq_poly_init(l);
    nb_reset(&r, 1);
    hu = abs_bound(u, c, 1, W);
    hl = abs_bound(l, c, 0, W);
    for (k = 0; k < NK_N; k++)
        if (hu && a->has_nub[k]) {
            fmpq_poly_mul(r.nub[k], u, a->nub[k]);
            r.has_nub[k] = degree_ok(W, fmpq_poly_degree(r.nub[k]));
        }
    if (hl && a->has_slo && sign_on(W, a->slo) > 0) {
        fmpq_poly_mul(r.slo, l, a->slo);
        r.has_slo = 1;
    }
    if (a->split && c->exact) {
        r.split = 1;
        fmpq_poly_mul(r.idc, c->lo, a->idc);
        for (k = 0; k < NK_N; k++) {
            if (!a->has_rn[k])
                continue;
            if (fmpq_poly_is_zero(a->rn[k])) {
                fmpq_poly_zero(r.rn[k]);
                r.has_rn[k] = 1;
            } else if (hu) {
                fmpq_poly_mul(r.rn[k], u, a->rn[k]);
                r.has_rn[k] = degree_ok(W, fmpq_poly_degree(r.rn[k]));
            }
        }
        split_derive(&r, W);
    }
    nb_set(out, &r);
    nb_clear(&r);
    fmpq_poly_clear(u);
    fmpq_poly_clear(l);
}

static void
mat_transpose(nb *a)
{
    int t = a->has_nub[NK_1];
    fmpq_poly_swap(a->nub[NK_1], a->nub[NK_INF]);
    a->has_nub[NK_1] = a->has_nub[NK_INF];
    a->has_nub[NK_INF] = t;
    t = a->has_rn[NK_1];
    fmpq_poly_swap(a->rn[NK_1], a->rn[NK_INF]);
    a->has_rn[NK_1] = a->has_rn[NK_INF];
    a->has_rn[NK_INF] = t;
}

/* ------------------------------------------------------------ scalar rules */

static int
sc_mul(nb *out, const nb *a, const nb *b, walk *W)
{
    nb r;
    int ok = 1;
    nb_init(&r);
    nb_reset(&r, 0);
    if (a->exact && b->exact) {
        fmpq_poly_mul(r.lo, a->lo, b->lo);
        fmpq_poly_set(r.hi, r.lo);
        r.exact = r.has_lo = r.has_hi = 1;
    } else if (a->exact || b->exact) {
        const nb *c = a->exact ? a : b, *v = a->exact ? b : a;
        int s = sign_on(W, c->lo);
        if (s > 0) {
            r.has_lo = v->has_lo;
            r.has_hi = v->has_hi;
            fmpq_poly_mul(r.lo, c->lo, v->lo);
            fmpq_poly_mul(r.hi, c->lo, v->hi);
        } else if (s < 0) {
            r.has_lo = v->has_hi;
            r.has_hi = v->has_lo;
            fmpq_poly_mul(r.lo, c->lo, v->hi);
            fmpq_poly_mul(r.hi, c->lo, v->lo);
        } else
            ok = 0;
    } else if (a->has_lo && b->has_lo && sign_on(W, a->lo) > 0 && sign_on(W, b->lo) > 0) {
        fmpq_poly_mul(r.lo, a->lo, b->lo);
        r.has_lo = 1;
        if (a->has_hi && b->has_hi) {
            fmpq_poly_mul(r.hi, a->hi, b->hi);
            r.has_hi = 1;
        }
    } else
        ok = 0;
    if (ok && !degree_ok(W, FLINT_MAX(fmpq_poly_degree(r.lo), fmpq_poly_degree(r.hi))))
        ok = 0;
    if (ok)
        nb_set(out, &r);
    nb_clear(&r);
    return ok ? RJ_OK : no_rule(W, "a product of two scalars whose signs are not known");
}

static void
sc_add(nb *out, const nb *a, const nb *b, int sub)
{
    nb r;
    nb_init(&r);
    nb_reset(&r, 0);
    r.exact = a->exact && b->exact;
    if (!sub) {
        r.has_lo = a->has_lo && b->has_lo;
        r.has_hi = a->has_hi && b->has_hi;
        fmpq_poly_add(r.lo, a->lo, b->lo);
        fmpq_poly_add(r.hi, a->hi, b->hi);
    } else {
        r.has_lo = a->has_lo && b->has_hi;
        r.has_hi = a->has_hi && b->has_lo;
        fmpq_poly_sub(r.lo, a->lo, b->hi);
        fmpq_poly_sub(r.hi, a->hi, b->lo);
    }
    nb_set(out, &r);
    nb_clear(&r);
}

static void
sc_neg(nb *a)
{
    fmpq_poly_neg(a->lo, a->lo);
    fmpq_poly_neg(a->hi, a->hi);
    int t = a->has_lo;
    fmpq_poly_swap(a->lo, a->hi);
    a->has_lo = a->has_hi;
    a->has_hi = t;
}

/* ------------------------------------------------------------ the walk */

static int bound(nb *out, const rj_expr_struct *e, walk *W, rj_error_t err);

/* A constant nonnegative integer exponent. */
static int
int_exponent(slong *k, const nb *x, walk *W)
{
    fmpq_t c;
    int ok;
    fmpq_init(c);
    ok = !x->ismat && x->exact && fmpq_poly_degree(x->lo) < 1;
    if (ok) {
        fmpq_poly_get_coeff_fmpq(c, x->lo, 0);
        ok = fmpz_is_one(fmpq_denref(c)) && fmpz_sgn(fmpq_numref(c)) >= 0
             && fmpz_cmp_si(fmpq_numref(c), RJ_SYM_MAX_POLY_DEGREE) <= 0;
        if (ok)
            *k = fmpz_get_si(fmpq_numref(c));
    }
    fmpq_clear(c);
    return ok ? RJ_OK : no_rule(W, "an exponent that is not an integer >= 0 or is past the "
                                "limit of degree %d", RJ_SYM_MAX_POLY_DEGREE);
}

static int
nb_pow(nb *out, const nb *a, slong k, walk *W)
{
    nb r;
    slong i;
    int st = RJ_OK;
    nb_init(&r);
    if (a->ismat)
        nb_identity(&r);
    else {
        fmpq_poly_t one;
        fmpq_poly_init(one);
        fmpq_poly_one(one);
        nb_exact(&r, one);
        fmpq_poly_clear(one);
    }
    for (i = 0; i < k && st == RJ_OK; i++) {
        if (a->ismat)
            mat_mul(&r, &r, a, W);
        else
            st = sc_mul(&r, &r, a, W);
    }
    if (st == RJ_OK)
        nb_set(out, &r);
    nb_clear(&r);
    return st;
}

/* A value of the plain evaluator: a number, the real symbol, an element of
   the free algebra (a normal form within NB_NF_TERMS terms). */
static int
from_value(nb *out, const rj_val_struct *v, walk *W)
{
    const rj_sym_struct *p;
    fmpq_poly_t x;
    if (v->kind == RJ_VAL_NUM) {
        fmpq_poly_init(x);
        fmpq_poly_set_fmpq(x, v->num);
        nb_exact(out, x);
        fmpq_poly_clear(x);
        return RJ_OK;
    }
    if (v->kind == RJ_VAL_EXT && v->ops != NULL && strcmp(v->ops->name, "real symbol") == 0) {
        fmpq_poly_init(x);
        fmpq_poly_set_coeff_si(x, 1, 1);
        nb_exact(out, x);
        fmpq_poly_clear(x);
        return RJ_OK;
    }
    p = cl_sym_get_alg(v, NULL);
    if (p != NULL && W->q != NULL) {
        nf_bounds(out, p, W);
        return RJ_OK;
    }
    {
        char d[120];
        rj_val_describe(d, sizeof(d), v);
        return no_rule(W, "no norm rule for %s", d);
    }
}

/* e by the plain evaluator (with a small term limit for normal forms); when
   soft, every failure is "no rule" (the structural rules decide the term). */
static int
bound_plain(nb *out, const rj_expr_struct *e, int soft, walk *W, rj_error_t err)
{
    rj_val_t v;
    rj_error_t e2;
    slong saved = 0;
    int st;
    rj_val_init(v);
    rj_error_init(e2);
    if (W->q != NULL) {
        saved = W->q->sc->lim.max_terms;
        W->q->sc->lim.max_terms = FLINT_MIN(saved, NB_NF_TERMS);
    }
    st = cl_eval_plain(v, e, W->env, W->ctx, e2);
    if (W->q != NULL)
        W->q->sc->lim.max_terms = saved;
    if (st == RJ_OK)
        st = from_value(out, v, W);
    else if (!soft && (st == RJ_ERR_INPUT || st == RJ_ERR_INTERNAL || st == RJ_ERR_MEMORY)) {
        *err = *e2;                         /* a plain copy: it holds no pointers */
    } else {
        no_rule(W, "%s", e2->msg);
        st = RJ_ERR_DOMAIN;
    }
    rj_val_clear(v);
    return st;
}

/* A matrix argument: its normal form's bounds and the structural ones, the
   better of each. */
static int
bound_matrix_arg(nb *out, const rj_expr_struct *e, walk *W, rj_error_t err)
{
    nb a, b;
    int sa, sb;
    nb_init(&a);
    nb_init(&b);
    sa = bound(&a, e, W, err);
    if (sa != RJ_OK && sa != RJ_ERR_DOMAIN)
        goto done;
    {
        /* the normal form's failure is no missing rule to report */
        char *why = W->why;
        W->why = NULL;
        sb = e->kind == RJ_EXPR_BINOP || e->kind == RJ_EXPR_PROD || e->kind == RJ_EXPR_SUM
                 ? bound_plain(&b, e, 1, W, err) : RJ_ERR_DOMAIN;
        flint_free(W->why);
        W->why = why;
    }
    if (sb != RJ_OK && sb != RJ_ERR_DOMAIN) {
        sa = sb;
        goto done;
    }
    if (sa == RJ_OK && sb == RJ_OK && a.ismat && b.ismat)
        mat_best(&a, &b, W);
    else if (sa != RJ_OK && sb == RJ_OK) {
        nb_set(&a, &b);
        sa = RJ_OK;
    }
    if (sa == RJ_OK)
        nb_set(out, &a);
done:
    nb_clear(&a);
    nb_clear(&b);
    return sa;
}

/* norm1(A), ..., sigma_min(A): [lower, upper] from A's bounds; ||A||_2 >=
   sigma_min(A) [R9]. */
static int
bound_call(nb *out, const rj_expr_struct *e, walk *W, rj_error_t err)
{
    static const char *const names[] = { "norm1", "norminf", "norm2", "normfro", "normfro2",
                                         "sigma_min", NULL };
    nb a;
    int i, st;
    for (i = 0; names[i] != NULL && strcmp(names[i], e->name) != 0; i++)
        ;
    if (names[i] == NULL || e->nargs != 1)
        return bound_plain(out, e, 0, W, err);
    nb_init(&a);
    st = bound_matrix_arg(&a, e->args[0], W, err);
    if (st == RJ_OK && !a.ismat)
        st = no_rule(W, "%s of a scalar", e->name);
    if (st == RJ_OK) {
        int k = i == 4 ? NK_FRO : i == 5 ? NK_2 : i;
        /* sigma_min(A) >= slo holds whatever the sign of slo; 0 is better
           where slo <= 0 throughout */
        int lo_from_s = (i == 2 || i == 5) && a.has_slo && sign_on(W, a.slo) >= 0;
        nb_reset(out, 0);
        out->has_lo = 1;
        if (lo_from_s)
            fmpq_poly_set(out->lo, a.slo);
        else
            fmpq_poly_zero(out->lo);
        if (i == 4 && lo_from_s)
            fmpq_poly_zero(out->lo);
        if (a.has_nub[k]) {
            out->has_hi = 1;
            if (i == 4)
                fmpq_poly_mul(out->hi, a.nub[k], a.nub[k]);
            else
                fmpq_poly_set(out->hi, a.nub[k]);
        }
        if (!out->has_hi && i != 5)
            st = no_rule(W, "no rule bounds %s of this term (no hypothesis on the %s of its "
                         "matrices)", e->name, nk_name[k]);
    }
    nb_clear(&a);
    return st;
}

/* prod / sum (name in lo..hi: body), one bound per step. */
static int
bound_loop(nb *out, const rj_expr_struct *e, walk *W, rj_error_t err)
{
    rj_val_t lv;
    slong lo, hi, l;
    nb acc, t;
    int st, first = 1;
    rj_val_init(lv);
    st = cl_eval_plain(lv, e->args[0], W->env, W->ctx, err);
    if (st == RJ_OK)
        st = rj_val_get_si(&lo, lv, WORD_MIN / 4, WORD_MAX / 4, 0, "the lower bound", NULL,
                           e->loc, err);
    if (st == RJ_OK)
        st = cl_eval_plain(lv, e->args[1], W->env, W->ctx, err);
    if (st == RJ_OK)
        st = rj_val_get_si(&hi, lv, WORD_MIN / 4, WORD_MAX / 4, 0, "the upper bound", NULL,
                           e->loc, err);
    if (st != RJ_OK) {
        rj_val_clear(lv);
        return st;
    }
    if (hi >= lo && W->steps + (hi - lo + 1) > NB_MAX_STEPS) {
        rj_val_clear(lv);
        return no_rule(W, "more than the limit of %d steps of prod/sum", NB_MAX_STEPS);
    }
    nb_init(&acc);
    nb_init(&t);
    for (l = hi; l >= lo && st == RJ_OK; l--) {
        W->steps++;
        cl_val_set_si(lv, l);
        rj_env_push(W->env, e->name, lv);
        st = bound(&t, e->args[2], W, err);
        rj_env_unbind(W->env, e->name);
        if (st != RJ_OK)
            break;
        if (first)
            nb_set(&acc, &t);
        else if (acc.ismat != t.ismat)
            st = no_rule(W, "a prod/sum mixing scalars and matrices");
        else if (e->kind == RJ_EXPR_SUM)
            acc.ismat ? mat_add(&acc, &acc, &t, 0, W) : sc_add(&acc, &acc, &t, 0);
        else if (acc.ismat)
            mat_mul(&acc, &acc, &t, W);
        else
            st = sc_mul(&acc, &acc, &t, W);
        first = 0;
    }
    if (st == RJ_OK && first)
        st = no_rule(W, "an empty prod/sum");
    if (st == RJ_OK)
        nb_set(out, &acc);
    nb_clear(&acc);
    nb_clear(&t);
    rj_val_clear(lv);
    return st;
}

static int
bound(nb *out, const rj_expr_struct *e, walk *W, rj_error_t err)
{
    nb a, b;
    slong k = 0;
    int st = RJ_OK;
    switch (e->kind) {
    case RJ_EXPR_BINOP:
    case RJ_EXPR_NEG:
    case RJ_EXPR_TRANSPOSE:
        break;
    case RJ_EXPR_CALL:
        if (strcmp(e->name, "transpose") != 0)
            return bound_call(out, e, W, err);
        break;
    case RJ_EXPR_PROD:
    case RJ_EXPR_SUM:
        return bound_loop(out, e, W, err);
    default:
        return bound_plain(out, e, 0, W, err);
    }
    nb_init(&a);
    nb_init(&b);
    st = bound(&a, e->args[0], W, err);
    if (st == RJ_OK && e->kind == RJ_EXPR_BINOP)
        st = bound(&b, e->args[1], W, err);
    if (st != RJ_OK)
        goto done;
    if (e->kind == RJ_EXPR_NEG) {
        if (!a.ismat)
            sc_neg(&a);
        else if (a.split)                         /* -(cI + R) = (-c) I + (-R) */
            fmpq_poly_neg(a.idc, a.idc);
        nb_set(out, &a);
    } else if (e->kind != RJ_EXPR_BINOP) {            /* transpose */
        if (a.ismat)
            mat_transpose(&a);
        nb_set(out, &a);
    } else
        switch (e->op) {
        case '+':
        case '-':
            if (a.ismat != b.ismat)
                st = no_rule(W, "a sum of a matrix and a scalar");
            else if (a.ismat)
                mat_add(out, &a, &b, e->op == '-', W);
            else
                sc_add(out, &a, &b, e->op == '-');
            break;
        case '*':
            if (a.ismat && b.ismat)
                mat_mul(out, &a, &b, W);
            else if (a.ismat || b.ismat)
                mat_scale(out, a.ismat ? &b : &a, a.ismat ? &a : &b, W);
            else
                st = sc_mul(out, &a, &b, W);
            break;
        case '/':
            if (b.ismat || !b.exact || fmpq_poly_degree(b.lo) != 0)
                st = no_rule(W, "a division by anything but a nonzero number");
            else {
                fmpq_t c;
                fmpq_init(c);
                fmpq_poly_get_coeff_fmpq(c, b.lo, 0);
                fmpq_inv(c, c);
                fmpq_poly_set_fmpq(b.lo, c);
                fmpq_poly_set_fmpq(b.hi, c);
                fmpq_clear(c);
                if (a.ismat)
                    mat_scale(out, &b, &a, W);
                else
                    st = sc_mul(out, &a, &b, W);
            }
            break;
        case '^':
            st = int_exponent(&k, &b, W);
            if (st == RJ_OK)
                st = nb_pow(out, &a, k, W);
            break;
        default:
            st = no_rule(W, "no rule for '%c'", e->op);
        }
done:
    nb_clear(&a);
    nb_clear(&b);
    return st;
}

/* ------------------------------------------------------------ formulas */

static char *
poly_text(const fmpq_poly_t p, const walk *W)
{
    return fmpq_poly_get_str_pretty(p, W->rname != NULL ? W->rname : "e");
}

/* 1: the comparison holds for every value of the real symbol; 0: no rule
   decided it (W->why says why, or shows the reduced inequality). */
static int
decide_cmp(int *holds, const rj_expr_struct *f, walk *W, rj_error_t err)
{
    nb a, b;
    int op = f->op, st, ok, found;
    const nb *small, *big;
    fmpq_poly_t d;
    fmpq_t x;
    rj_error_t e2;
    *holds = 0;
    if (op == RJ_CMP_EQ && W->q != NULL) {
        /* an identity of the symbols: equal normal forms (SY 1) */
        rj_val_t u, v;
        rj_error_t e3;
        const rj_sym_struct *pu, *pv;
        rj_val_init(u);
        rj_val_init(v);
        rj_error_init(e3);
        if (cl_eval_plain(u, f->args[0], W->env, W->ctx, e3) == RJ_OK
            && cl_eval_plain(v, f->args[1], W->env, W->ctx, e3) == RJ_OK
            && (pu = cl_sym_get_alg(u, NULL)) != NULL && (pv = cl_sym_get_alg(v, NULL)) != NULL)
            *holds = rj_sym_equal(pu, pv);
        rj_val_clear(u);
        rj_val_clear(v);
        if (*holds && W->shown == NULL)
            W->shown = rj_strdup("an identity: equal normal forms (SY 1)");
        if (*holds)
            return RJ_OK;
    }
    if (op != RJ_CMP_LE && op != RJ_CMP_LT && op != RJ_CMP_GE && op != RJ_CMP_GT)
        return no_rule(W, "no norm rule decides ==, != or ~= (only <, <=, >=, >; == when both "
                       "sides have one normal form)");
    nb_init(&a);
    nb_init(&b);
    fmpq_poly_init(d);
    fmpq_init(x);
    rj_error_init(e2);
    st = bound(&a, f->args[0], W, err);
    if (st == RJ_OK)
        st = bound(&b, f->args[1], W, err);
    if (st != RJ_OK)
        goto done;
    if (a.ismat || b.ismat) {
        st = no_rule(W, "a comparison of matrices (compare their norms)");
        goto done;
    }
    small = op == RJ_CMP_LE || op == RJ_CMP_LT ? &a : &b;
    big = small == &a ? &b : &a;
    if (!small->has_hi || !big->has_lo) {
        st = no_rule(W, "no %s bound for one side", !small->has_hi ? "upper" : "lower");
        goto done;
    }
    fmpq_poly_sub(d, big->lo, small->hi);
    st = rj_sym_poly_nonneg(&ok, x, &found, d, W->range, op == RJ_CMP_LT || op == RJ_CMP_GT, e2);
    if (st == RJ_ERR_LIMIT) {
        st = no_rule(W, "%s", e2->msg);
        goto done;
    }
    if (st != RJ_OK) {
        st = rj_error_set_loc(err, st, f->loc, "%s", e2->msg);
        goto done;
    }
    if (ok) {
        *holds = 1;
        if (W->shown == NULL) {
            char *s1 = rj_str_cut(poly_text(small->hi, W), 120);
            char *s2 = rj_str_cut(poly_text(big->lo, W), 120);
            W->shown = cl_printf("%s %s %s", s1, op == RJ_CMP_LT || op == RJ_CMP_GT ? "<" : "<=",
                                 s2);
            flint_free(s1);
            flint_free(s2);
        }
    } else {
        char *s1 = rj_str_cut(poly_text(small->hi, W), 200);
        char *s2 = rj_str_cut(poly_text(big->lo, W), 200);
        char *xs = found ? cl_q_text(x, 60) : NULL;
        found = found && W->rname != NULL;
        no_rule(W, "the rules reduce it to %s %s %s%s%s%s, which fails%s%s", s1,
                op == RJ_CMP_LT || op == RJ_CMP_GT ? "<" : "<=", s2,
                W->rname != NULL ? " for every " : "", W->rname != NULL ? W->rname : "",
                W->rname != NULL ? " in the interval" : "", found ? " at " : "",
                found ? xs : "");
        if (found && !W->have_bad) {
            fmpq_set(W->bad, x);
            W->have_bad = 1;
        }
        flint_free(s1);
        flint_free(s2);
        flint_free(xs);
    }
done:
    nb_clear(&a);
    nb_clear(&b);
    fmpq_poly_clear(d);
    fmpq_clear(x);
    return st;
}

static int
decide_rules(int *holds, const rj_expr_struct *f, walk *W, rj_error_t err)
{
    slong i;
    int st, h;
    switch (f->kind) {
    case RJ_EXPR_CMP:
        return decide_cmp(holds, f, W, err);
    case RJ_EXPR_AND:
    case RJ_EXPR_OR:
        *holds = f->kind == RJ_EXPR_AND;
        for (i = 0; i < f->nargs; i++) {
            st = decide_rules(&h, f->args[i], W, err);
            if (st != RJ_OK && st != RJ_ERR_DOMAIN)
                return st;
            if (f->kind == RJ_EXPR_AND && !h) {
                *holds = 0;
                return RJ_OK;
            }
            if (f->kind == RJ_EXPR_OR && h) {
                *holds = 1;
                return RJ_OK;
            }
        }
        return RJ_OK;
    default:
        *holds = 0;
        return no_rule(W, "no norm rule for this formula (only comparisons joined by and/or)");
    }
}

/* ------------------------------------------------------------ hypotheses */

int
cl_symq_has_hyps(const rj_expr_struct *f)
{
    slong i;
    for (; cl_is_matrices_forall(f); f = f->args[1])
        for (i = 0; i < f->args[0]->nargs; i++)
            if (f->args[0]->args[i]->kind == RJ_EXPR_CMP)
                return 1;
    return 0;
}

static int
hyp_kind(const rj_expr_struct *h)
{
    static const char *const names[] = { "norm1", "norminf", "norm2", "normfro", "sigma_min",
                                         NULL };
    int i;
    if (h->args[0]->kind != RJ_EXPR_IDENT)
        return -1;
    for (i = 0; names[i] != NULL; i++)
        if (strcmp(names[i], h->args[0]->name) == 0)
            break;
    if (names[i] == NULL)
        return -1;
    if (i < 4 && (h->op == RJ_CMP_LE || h->op == RJ_CMP_LT))
        return i;
    if (i == 4 && (h->op == RJ_CMP_GE || h->op == RJ_CMP_GT))
        return i;
    return -1;
}

/* The hypotheses of every symbol as bounds [SY 5.1 R0]: normX <= b gives
   ||J||_X <= b, normfro <= b also ||J||_2 <= b, sigma_min >= b gives
   sigma_min(J) >= b. */
static int
read_hyps(walk *W, rj_error_t err)
{
    slong s, i;
    int st = RJ_OK;
    for (s = 0; s < W->q->sc->nsym && st == RJ_OK; s++) {
        const rj_expr_struct *call = W->q->dom[s];
        nb_reset(W->sym + s, 1);
        for (i = 0; i < call->nargs && st == RJ_OK; i++) {
            const rj_expr_struct *h = call->args[i];
            int k;
            nb v;
            if (h->kind != RJ_EXPR_CMP)
                continue;
            k = hyp_kind(h);
            if (k < 0)
                return rj_error_set_loc(err, RJ_ERR_INPUT, h->loc, "matrices: a hypothesis is "
                                        "norm1, norminf, norm2 or normfro <= b (or < b), or "
                                        "sigma_min >= b (or > b)");
            nb_init(&v);
            st = bound(&v, h->args[1], W, err);
            if (st == RJ_OK && (v.ismat || !v.exact))
                st = rj_error_set_loc(err, RJ_ERR_INPUT, h->args[1]->loc, "matrices: the "
                                      "bound of a hypothesis must be a number or a polynomial "
                                      "in the real symbol");
            if (st == RJ_ERR_DOMAIN)
                st = rj_error_set_loc(err, RJ_ERR_INPUT, h->args[1]->loc, "matrices: the bound "
                                      "of a hypothesis: %s", W->why);
            if (st == RJ_OK && k == 4) {
                fmpq_poly_set(W->sym[s].slo, v.lo);
                W->sym[s].has_slo = 1;
            } else if (st == RJ_OK) {
                fmpq_poly_set(W->sym[s].nub[k], v.lo);
                W->sym[s].has_nub[k] = 1;
                if (k == NK_FRO && !W->sym[s].has_nub[NK_2]) {
                    fmpq_poly_set(W->sym[s].nub[NK_2], v.lo);
                    W->sym[s].has_nub[NK_2] = 1;
                }
            }
            nb_clear(&v);
        }
    }
    return st;
}

/* ------------------------------------------------------------ witnesses */

/* At a value of the real symbol (bound in env): the largest |x| the upper
   hypotheses allow (*hu = 0: none), whether it is attained, and the smallest
   sigma_min allows; exact. */
static int
hyp_values(fmpq_t up, int *hu, int *up_strict, fmpq_t low, int *low_strict,
           const rj_expr_struct *call, walk *W, rj_error_t err)
{
    slong i;
    int st = RJ_OK;
    rj_val_t v;
    rj_val_init(v);
    *hu = 0;
    *up_strict = *low_strict = 0;
    fmpq_zero(low);
    for (i = 0; i < call->nargs && st == RJ_OK; i++) {
        const rj_expr_struct *h = call->args[i];
        int k;
        if (h->kind != RJ_EXPR_CMP)
            continue;
        k = hyp_kind(h);
        st = cl_eval_plain(v, h->args[1], W->env, W->ctx, err);
        if (st == RJ_OK && v->kind != RJ_VAL_NUM)
            st = RJ_ERR_DOMAIN;
        if (st != RJ_OK)
            break;
        if (k < 4) {
            int c = *hu ? fmpq_cmp(v->num, up) : -1;
            if (c < 0 || (c == 0 && h->op == RJ_CMP_LT)) {
                fmpq_set(up, v->num);
                *up_strict = h->op == RJ_CMP_LT;
            }
            *hu = 1;
        } else {
            int c = fmpq_cmp(v->num, low);
            if (c > 0 || (c == 0 && h->op == RJ_CMP_GT)) {
                fmpq_set(low, v->num);
                *low_strict = h->op == RJ_CMP_GT;
            }
        }
    }
    rj_val_clear(v);
    return st;
}

/* x = x * pct / 100 */
static void
scale_pct(fmpq_t x, slong pct)
{
    fmpq_t h;
    fmpq_init(h);
    fmpq_set_si(h, pct, 100);
    fmpq_mul(x, x, h);
    fmpq_clear(h);
}

/* The witness matrices as text: "J_1 = ... = J_L = [x]" when all are equal. */
static char *
witness_text(const cl_symq *q, const fmpq_mat_struct *mats)
{
    slong s, ns = q->sc->nsym;
    for (s = 1; s < ns && fmpq_mat_equal(mats + s, mats); s++)
        ;
    if (ns > 2 && s == ns && fmpq_mat_nrows(mats) == 1) {
        char *x = cl_q_text(fmpq_mat_entry(mats, 0, 0), 60);
        char *t = cl_printf("%s = ... = %s = [%s]", q->sc->names[0], q->sc->names[ns - 1], x);
        flint_free(x);
        return t;
    }
    return cl_symq_witness_str(q, mats);
}

#define NB_WIT_VALUES 10

/* Try the witnesses at the current value of the real symbol: every symbol
   [v] or, in the second pattern, signs alternating along the symbols; then
   the 2 x 2 rank-one matrices v E_12 (all symbols), and v E_12, v E_21
   alternating (every norm named is |v|, sigma_min is 0),
   v in +-b, +-3b/4, +-b/2, +-b/4 (b the upper bound of the hypotheses, +-b
   times 99/100 when strict; 1 when none) and +-s (s the sigma_min bound, times
   101/100 when strict).  The hypotheses are checked on [v] exactly (every
   norm named and sigma_min of [v] are |v|).  *found = 1 and out FALSE when
   one is refuted and re-verified. */
static int
try_witnesses(int *found, cl_cres_t out, const char *at, walk *W, rj_error_t err)
{
    static const slong pct[NB_WIT_VALUES] = { 100, -100, 75, -75, 50, -50, 25, -25, 0, 0 };
    const cl_symq *q = W->q;
    slong ns = q->sc->nsym, s, c, pat;
    fmpq_t up, low, ax;
    fmpq_mat_struct *mats;
    int st = RJ_OK, hu, us, ls, ok;
    fmpq_init(up);
    fmpq_init(low);
    fmpq_init(ax);
    mats = flint_malloc(FLINT_MAX(ns, 1) * sizeof(fmpq_mat_struct));
    for (s = 0; s < ns; s++)
        fmpq_mat_init(mats + s, 2, 2);
    *found = 0;
    for (pat = 0; pat < 4 && st == RJ_OK && !*found; pat++) {
        /* at a fixed size n (matrices(n, n)) the witnesses are n x n: x E_11
           and x E_12 (one nonzero entry: every norm |x|, sigma_min 0 for
           n > 1) */
        slong m = q->sc->n > 0 ? q->sc->n : pat < 2 ? 1 : 2;
        if ((pat & 1) && ns == 1)
            continue;                       /* alternation needs two symbols */
        if (pat >= 2 && m < 2)
            continue;
        for (s = 0; s < ns; s++) {
            fmpq_mat_clear(mats + s);
            fmpq_mat_init(mats + s, m, m);
        }
        for (c = 0; c < NB_WIT_VALUES && st == RJ_OK && !*found; c++) {
            rj_verdict_kind v;
            char *ev = NULL;
            ok = 1;
            for (s = 0; s < ns && ok; s++) {
                int alt = (pat & 1) && (s & 1);
                fmpq *x = pat < 2 ? fmpq_mat_entry(mats + s, 0, 0)
                                  : fmpq_mat_entry(mats + s, alt, 1 - alt);
                int cmp, neg;
                if (hyp_values(up, &hu, &us, low, &ls, q->dom[s], W, err) != RJ_OK) {
                    ok = 0;
                    break;
                }
                if (c < 8) {
                    if (hu)
                        fmpq_set(x, up);
                    else
                        fmpq_one(x);
                    if (us && c < 2)
                        scale_pct(x, 99);           /* a strict bound: just inside */
                    else
                        scale_pct(x, pct[c] < 0 ? -pct[c] : pct[c]);
                    neg = pct[c] < 0;
                } else {
                    fmpq_set(x, low);
                    if (ls)
                        scale_pct(x, 101);
                    neg = c == 9;
                }
                if (neg ^ (pat < 2 && alt))
                    fmpq_neg(x, x);
                fmpq_abs(ax, x);
                if (hu) {
                    cmp = fmpq_cmp(ax, up);
                    ok = cmp < 0 || (cmp == 0 && !us);
                }
                if (m > 1)
                    fmpq_zero(ax);                  /* sigma_min of x E_11, x E_12 */
                cmp = fmpq_cmp(ax, low);
                ok = ok && (cmp > 0 || (cmp == 0 && !ls));
            }
            if (!ok)
                continue;
            st = cl_symq_decide_at(&v, &ev, q, mats, m, W->env, W->ctx, err);
            if (st == RJ_OK && v == RJ_VERDICT_REFUTED) {
                st = cl_symq_reverify(q, mats, m, W->env, W->ctx, err);
                if (st == RJ_OK) {
                    char *w = witness_text(q, mats);
                    cl_cres_set_scalar(out, CL_FALSE,
                                       rj_str_cut(cl_printf("%s%s (%ld x %ld matrices within "
                                                            "the hypotheses, re-verified "
                                                            "exactly, SY 5.2): %s", at, w,
                                                            (long) m, (long) m, ev),
                                                  2 * CL_EV_LEN));
                    flint_free(w);
                    *found = 1;
                }
            }
            flint_free(ev);
        }
    }
    for (s = 0; s < ns; s++)
        fmpq_mat_clear(mats + s);
    flint_free(mats);
    fmpq_clear(up);
    fmpq_clear(low);
    fmpq_clear(ax);
    return st;
}

/* ------------------------------------------------------------ the real symbol */

typedef struct {
    char *name;
} realsym;

static void
rs_free(void *d)
{
    flint_free(((realsym *) d)->name);
    flint_free(d);
}

static void *
rs_copy(const void *d)
{
    realsym *c = flint_malloc(sizeof(realsym));
    c->name = rj_strdup(((const realsym *) d)->name);
    return c;
}

static char *
rs_print(const rj_val_struct *v, slong maxlen)
{
    (void) maxlen;
    return rj_strdup(((const realsym *) v->data)->name);
}

static void
rs_describe(char *buf, int len, const rj_val_struct *v)
{
    snprintf(buf, len, "the real symbol %s (only norm rules take it, SY 5)",
             ((const realsym *) v->data)->name);
}

/* Every operation of the plain evaluator on the symbol: no rule (the claim
   is UNDECIDED, not an error); only the rules of this file read it. */
static int
rs_lift(rj_val_struct *out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
        rj_env_struct *env, rj_error_t err)
{
    (void) out;
    (void) vals;
    (void) n;
    (void) env;
    return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc, "%s has no rule for a real symbol "
                            "(SY 5 takes + - * / ^ and norms)",
                            e->kind == RJ_EXPR_CALL ? e->name : "this operation");
}

static const rj_val_ops rs_ops = {
    "real symbol", rs_free, rs_copy, rs_print, rs_describe, NULL, NULL, NULL, NULL, NULL,
    rs_lift
};

/* ------------------------------------------------------------ deciding */

static void
walk_init(walk *W, const cl_symq *q, rj_env_struct *env, cl_ctx *ctx)
{
    rj_val_struct *r = rj_env_lookup(env, CL_REAL_MARK);
    slong s;
    memset(W, 0, sizeof(*W));
    W->q = q;
    W->env = env;
    W->ctx = ctx;
    rj_sym_interval_init(W->range);
    fmpq_init(W->bad);
    if (r != NULL && r->kind == RJ_VAL_EXT && r->ops == &rs_ops) {
        /* the marker holds the interval: see cl_decide_forall_reals */
        const realsym *d = r->data;
        rj_val_struct *iv = rj_env_lookup(env, "@real_interval");
        W->rname = d->name;
        if (iv != NULL && iv->kind == RJ_VAL_LIST && iv->len == 6) {
            W->range->has_lo = iv->items[0].b;
            fmpq_set(W->range->lo, iv->items[1].num);
            W->range->lo_closed = iv->items[2].b;
            W->range->has_hi = iv->items[3].b;
            fmpq_set(W->range->hi, iv->items[4].num);
            W->range->hi_closed = iv->items[5].b;
        }
    }
    if (q != NULL) {
        W->sym = flint_malloc(FLINT_MAX(q->sc->nsym, 1) * sizeof(nb));
        for (s = 0; s < q->sc->nsym; s++)
            nb_init(W->sym + s);
    }
}

static void
walk_clear(walk *W)
{
    slong s;
    if (W->q != NULL) {
        for (s = 0; s < W->q->sc->nsym; s++)
            nb_clear(W->sym + s);
        flint_free(W->sym);
    }
    rj_sym_interval_clear(W->range);
    fmpq_clear(W->bad);
    flint_free(W->why);
    flint_free(W->shown);
}

/* The values of the real symbol a witness is tried at: where a reduced
   inequality failed, the interval's middle, its closed ends, and points at
   1/100 of its length from each finite end. */
static slong
real_points(fmpq *pts, const walk *W)
{
    slong n = 0;
    fmpq_t len;
    fmpq_init(len);
    if (W->have_bad)
        fmpq_set(pts + n++, W->bad);
    if (W->range->has_lo && W->range->has_hi) {
        fmpq_sub(len, W->range->hi, W->range->lo);
        {
            fmpq_t h;
            fmpq_init(h);
            fmpq_set_si(h, 1, 100);
            fmpq_mul(len, len, h);
            fmpq_clear(h);
        }
        fmpq_add(pts + n, W->range->lo, W->range->hi);
        fmpq_div_2exp(pts + n, pts + n, 1);
        n++;
    } else
        fmpq_one(len);
    if (W->range->has_lo) {
        if (W->range->lo_closed)
            fmpq_set(pts + n++, W->range->lo);
        fmpq_add(pts + n++, W->range->lo, len);
    }
    if (W->range->has_hi) {
        if (W->range->hi_closed)
            fmpq_set(pts + n++, W->range->hi);
        fmpq_sub(pts + n++, W->range->hi, len);
    }
    if (!W->range->has_lo && !W->range->has_hi)
        fmpq_zero(pts + n++);
    fmpq_clear(len);
    return n;
}

int
cl_decide_norms(cl_cres_t out, const cl_symq *q, rj_env_struct *env, cl_ctx *ctx,
                rj_error_t err)
{
    walk W;
    int st, holds = 0, found = 0;
    fmpq pts[8];
    slong i, np;
    walk_init(&W, q, env, ctx);
    for (i = 0; i < 8; i++)
        fmpq_init(pts + i);
    st = read_hyps(&W, err);
    if (st == RJ_OK) {
        cl_symq_bind(q, NULL, 0, env);
        st = decide_rules(&holds, q->body, &W, err);
        cl_symq_unbind(q, env);
    }
    if (st == RJ_ERR_DOMAIN)
        st = RJ_OK;
    if (st != RJ_OK)
        goto done;
    if (holds) {
        cl_cres_set_scalar(out, CL_TRUE,
                           rj_str_cut(cl_printf("for square matrices of every size under the "
                                                "hypotheses%s%s, by the norm rules of SY 5; "
                                                "reduced to %s (decided exactly)",
                                                W.rname != NULL ? " and every " : "",
                                                W.rname != NULL ? W.rname : "", W.shown),
                                      2 * CL_EV_LEN));
        goto done;
    }
    if (W.rname == NULL) {
        /* an identity (SY 1-3) holds for all matrices, so under any hypotheses */
        rj_verdict_kind v;
        char *ev = NULL;
        st = cl_symq_decide_at(&v, &ev, q, NULL, 0, env, ctx, err);
        if (st == RJ_OK && v == RJ_VERDICT_PROVED) {
            cl_cres_set_scalar(out, CL_TRUE, rj_str_cut(cl_printf("for every square matrix, so "
                                                                  "under the hypotheses "
                                                                  "(SY 1-3): %s", ev),
                                                        2 * CL_EV_LEN));
            flint_free(ev);
            goto done;
        }
        flint_free(ev);
        if (st != RJ_OK)
            goto done;
    }
    np = W.rname != NULL ? real_points(pts, &W) : 1;
    for (i = 0; i < np && st == RJ_OK && !found; i++) {
        char *at = NULL;
        if (W.rname != NULL) {
            rj_val_t v;
            char *xs = cl_q_text(pts + i, 60);
            rj_val_init(v);
            v->kind = RJ_VAL_NUM;
            fmpq_set(v->num, pts + i);
            rj_env_push(env, W.rname, v);
            at = cl_printf("%s = %s, ", W.rname, xs);
            flint_free(xs);
            rj_val_clear(v);
        } else
            at = rj_strdup("");
        st = try_witnesses(&found, out, at, &W, err);
        if (W.rname != NULL)
            rj_env_unbind(env, W.rname);
        flint_free(at);
    }
    if (st == RJ_OK && !found)
        cl_cres_set_scalar(out, CL_UNKNOWN,
                           rj_str_cut(cl_printf("not proved: %s; no 1 x 1 or rank-one 2 x 2 "
                                                "witness within the hypotheses refutes it "
                                                "(SY 5)",
                                                W.why != NULL ? W.why : "no rule applies"),
                                      2 * CL_EV_LEN));
done:
    for (i = 0; i < 8; i++)
        fmpq_clear(pts + i);
    walk_clear(&W);
    return st;
}

/* ------------------------------------------------------------ forall e in reals(...) */

int
cl_is_reals_forall(const rj_expr_struct *f)
{
    return f->kind == RJ_EXPR_FORALL_RANDOM && f->args[0]->kind == RJ_EXPR_CALL
           && strcmp(f->args[0]->name, "reals") == 0;
}

/* reals(a < e, e <= b, ...): each argument compares the name with a number. */
static int
read_interval(rj_sym_interval_t R, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
              rj_error_t err)
{
    const rj_expr_struct *call = f->args[0];
    slong i;
    int st = RJ_OK;
    rj_val_t v;
    rj_val_init(v);
    for (i = 0; i < call->nargs && st == RJ_OK; i++) {
        const rj_expr_struct *h = call->args[i];
        int side, op, lower;
        if (h->kind != RJ_EXPR_CMP || h->op == RJ_CMP_EQ || h->op == RJ_CMP_NE
            || h->op == RJ_CMP_APPROX || (call->argnames != NULL && call->argnames[i] != NULL)) {
            st = rj_error_set_loc(err, RJ_ERR_INPUT, h->loc, "reals: each argument bounds the "
                                  "variable, as reals(0 < %s, %s <= 1)", f->name, f->name);
            break;
        }
        side = h->args[0]->kind == RJ_EXPR_IDENT && strcmp(h->args[0]->name, f->name) == 0 ? 0
               : h->args[1]->kind == RJ_EXPR_IDENT && strcmp(h->args[1]->name, f->name) == 0
               ? 1 : -1;
        if (side < 0) {
            st = rj_error_set_loc(err, RJ_ERR_INPUT, h->loc, "reals: each bound compares %s "
                                  "with a number", f->name);
            break;
        }
        st = cl_eval_plain(v, h->args[1 - side], env, ctx, err);
        if (st == RJ_OK && v->kind != RJ_VAL_NUM)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, h->args[1 - side]->loc, "reals: a bound "
                                  "must be a number");
        if (st != RJ_OK)
            break;
        op = h->op;
        /* e > a, e >= a, a < e, a <= e: lower bounds */
        lower = side == 0 ? (op == RJ_CMP_GT || op == RJ_CMP_GE)
                          : (op == RJ_CMP_LT || op == RJ_CMP_LE);
        /* several bounds on one side: the interval is their intersection,
           so the tighter one (at a tie, the open one) is kept */
        if (lower) {
            int c = R->has_lo ? fmpq_cmp(v->num, R->lo) : 1;
            int closed = op == RJ_CMP_GE || op == RJ_CMP_LE;
            if (c > 0 || (c == 0 && !closed)) {
                R->has_lo = 1;
                fmpq_set(R->lo, v->num);
                R->lo_closed = closed;
            }
        } else {
            int c = R->has_hi ? fmpq_cmp(v->num, R->hi) : -1;
            int closed = op == RJ_CMP_GE || op == RJ_CMP_LE;
            if (c < 0 || (c == 0 && !closed)) {
                R->has_hi = 1;
                fmpq_set(R->hi, v->num);
                R->hi_closed = closed;
            }
        }
    }
    if (st == RJ_OK && R->has_lo && R->has_hi) {
        int c = fmpq_cmp(R->lo, R->hi);
        if (c > 0 || (c == 0 && !(R->lo_closed && R->hi_closed)))
            st = rj_error_set_loc(err, RJ_ERR_INPUT, call->loc, "reals: an empty interval");
    }
    rj_val_clear(v);
    return st;
}

static void
push_interval(rj_env_struct *env, const rj_sym_interval_t R)
{
    rj_val_t v;
    slong i;
    rj_val_init(v);
    cl_val_set_list(v, 6);
    for (i = 0; i < 6; i++)
        v->items[i].kind = (i == 1 || i == 4) ? RJ_VAL_NUM : RJ_VAL_BOOL;
    v->items[0].b = R->has_lo;
    fmpq_set(v->items[1].num, R->lo);
    v->items[2].b = R->lo_closed;
    v->items[3].b = R->has_hi;
    fmpq_set(v->items[4].num, R->hi);
    v->items[5].b = R->hi_closed;
    rj_env_push(env, "@real_interval", v);
    rj_val_clear(v);
}

int
cl_decide_forall_reals(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                       cl_ctx *ctx, rj_error_t err)
{
    rj_sym_interval_t R;
    rj_val_t v;
    realsym *d;
    int st;
    if (rj_env_lookup(env, CL_REAL_MARK) != NULL)
        return rj_error_set_loc(err, RJ_ERR_INPUT, f->loc, "one real symbol at a time: a "
                                "'forall ... in reals' inside another is not taken");
    rj_sym_interval_init(R);
    st = read_interval(R, f, env, ctx, err);
    if (st != RJ_OK) {
        rj_sym_interval_clear(R);
        return st;
    }
    rj_val_init(v);
    d = flint_malloc(sizeof(realsym));
    d->name = rj_strdup(f->name);
    rj_val_set_ext(v, &rs_ops, d);
    rj_env_push(env, f->name, v);
    rj_env_push(env, CL_REAL_MARK, v);
    push_interval(env, R);
    if (cl_is_matrices_forall(f->args[1]))
        st = cl_decide_formula(out, f->args[1], env, ctx, err);
    else {
        /* a scalar formula in the real symbol: the rules, else the exact
           evaluator at the points of real_points */
        walk W;
        int holds = 0;
        walk_init(&W, NULL, env, ctx);
        st = decide_rules(&holds, f->args[1], &W, err);
        if (st == RJ_ERR_DOMAIN)
            st = RJ_OK;
        if (st == RJ_OK && holds)
            cl_cres_set_scalar(out, CL_TRUE,
                               rj_str_cut(cl_printf("for every %s in the interval: reduced to "
                                                    "%s (decided exactly, SY 5.3)", f->name,
                                                    W.shown), 2 * CL_EV_LEN));
        else if (st == RJ_OK) {
            fmpq pts[8];
            slong i, np;
            int found = 0;
            for (i = 0; i < 8; i++)
                fmpq_init(pts + i);
            np = real_points(pts, &W);
            for (i = 0; i < np && st == RJ_OK && !found; i++) {
                rj_val_t x;
                rj_verdict_kind vk;
                char *ev = NULL;
                rj_val_init(x);
                x->kind = RJ_VAL_NUM;
                fmpq_set(x->num, pts + i);
                rj_env_push(env, f->name, x);
                st = cl_decide_case(&vk, &ev, NULL, f->args[1], env, ctx, err);
                rj_env_unbind(env, f->name);
                if (st == RJ_OK && vk == RJ_VERDICT_REFUTED) {
                    char *xs = cl_q_text(pts + i, 60);
                    cl_cres_set_scalar(out, CL_FALSE, rj_str_cut(cl_printf("%s = %s (exact): %s",
                                                                           f->name, xs, ev),
                                                                 2 * CL_EV_LEN));
                    flint_free(xs);
                    found = 1;
                }
                flint_free(ev);
                rj_val_clear(x);
            }
            if (st == RJ_OK && !found)
                cl_cres_set_scalar(out, CL_UNKNOWN,
                                   rj_str_cut(cl_printf("not proved: %s; no point tried "
                                                        "refutes it", W.why != NULL ? W.why
                                                        : "no rule applies"), 2 * CL_EV_LEN));
            for (i = 0; i < 8; i++)
                fmpq_clear(pts + i);
        }
        walk_clear(&W);
    }
    rj_env_unbind(env, "@real_interval");
    rj_env_unbind(env, CL_REAL_MARK);
    rj_env_unbind(env, f->name);
    rj_val_clear(v);
    rj_sym_interval_clear(R);
    return st;
}
