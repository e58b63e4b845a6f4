/* resjac claims: quantifiers over every depth L (proofs/symbolic.md, SY 6).
 *
 * forall L in naturals: F        every L >= 0
 * forall L in a..inf: F          every L >= a
 * decide F in three steps:
 *   1. the scan: F is decided with exact arithmetic for L = L0, L0 + 1, ...,
 *      up to L0 + 40 (further when step 3 needs it); the first L where F is
 *      REFUTED refutes the claim (decided twice, as forall a..b does);
 *   2. F, a conjunction of equations, is read as binomial sums: each side is
 *      a linear combination of sums sum(k in 0..L: t) and terms free of k,
 *      t = p(L, k) / q(L) * binomial(L, k)^m * a^k * b^L * binomial(2L, L)^e
 *      (paths(L, k) is binomial(L, k), paths(L) is 2^L, binomial(L, m) for a
 *      constant m a polynomial in L); each equation becomes one problem
 *      sum_k F(L, k) = 1 (or = 0) of the symbolic layer (resjac/symbolic.h);
 *   3. a WZ certificate is looked for and verified by exact polynomial
 *      arithmetic (rj_wz_certificate, rj_wz_verify); it proves the equation for
 *      L >= L1, past every integer root of the denominators, and the scan
 *      covers L0..L1 exactly.
 * Without a certificate and a failing L the claim is UNDECIDED, naming what
 * was tried; the scan never proves. */
#include <string.h>

#include "symbolic_impl.h"

#define CL_DEPTH_SCAN 40           /* L0..L0 + 40 decided exactly */
#define CL_DEPTH_MAX_BASE 1000     /* L1 - L0 at most this */
#define CL_DEPTH_MAX_POW 64        /* X^n with a constant n: |n| at most this */

int
cl_is_depth_forall(const rj_expr_struct *f)
{
    if (f->kind == RJ_EXPR_FORALL_RANDOM)
        return f->args[0]->kind == RJ_EXPR_CALL && strcmp(f->args[0]->name, "naturals") == 0;
    return f->kind == RJ_EXPR_FORALL && f->args[1]->kind == RJ_EXPR_IDENT
           && strcmp(f->args[1]->name, "inf") == 0;
}

/* ------------------------------------------------------------ terms */

/* num / den * binomial(L, k)^binom * a^k * b^L * binomial(2 L, L)^cen; den
   in L alone, nonzero. */
typedef struct {
    fmpq_mpoly_t num, den;
    slong binom, cen;
    fmpq_t a, b;
} hterm;

/* A side: sum(k in 0..L: s) (when has_sum) + c, c free of k. */
typedef struct {
    int has_sum;
    hterm s, c;
} hexpr;

typedef struct {
    fmpq_mpoly_ctx_t ctx;
    const char *Lname;
    const char *kname;             /* the sum's variable, NULL outside a sum */
    rj_env_struct *env;
    cl_ctx *cctx;
    char *why;                     /* why the claim is not of this form */
    slong scan_last;               /* the scan decided the claim up to this L */
    fmpq_mpoly_t dens;             /* the product of every divisor met (in L) */
} tr_state;

static void
ht_init(hterm *h, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_init(h->num, ctx);
    fmpq_mpoly_init(h->den, ctx);
    fmpq_mpoly_one(h->den, ctx);
    h->binom = 0;
    h->cen = 0;
    fmpq_init(h->a);
    fmpq_init(h->b);
    fmpq_one(h->a);
    fmpq_one(h->b);
}

static void
ht_clear(hterm *h, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_clear(h->num, ctx);
    fmpq_mpoly_clear(h->den, ctx);
    fmpq_clear(h->a);
    fmpq_clear(h->b);
}

static void
ht_set(hterm *h, const hterm *x, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_set(h->num, x->num, ctx);
    fmpq_mpoly_set(h->den, x->den, ctx);
    h->binom = x->binom;
    h->cen = x->cen;
    fmpq_set(h->a, x->a);
    fmpq_set(h->b, x->b);
}

static void
ht_zero(hterm *h, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_zero(h->num, ctx);
    fmpq_mpoly_one(h->den, ctx);
    h->binom = 0;
    h->cen = 0;
    fmpq_one(h->a);
    fmpq_one(h->b);
}

static void
hx_init(hexpr *x, const fmpq_mpoly_ctx_t ctx)
{
    x->has_sum = 0;
    ht_init(&x->s, ctx);
    ht_init(&x->c, ctx);
}

static void
hx_clear(hexpr *x, const fmpq_mpoly_ctx_t ctx)
{
    ht_clear(&x->s, ctx);
    ht_clear(&x->c, ctx);
}

static int
refuse(tr_state *T, const char *fmt, const char *arg)
{
    if (T->why == NULL)
        T->why = cl_printf(fmt, arg);
    return 0;
}

/* r = x * y (r may be x or y). */
static int
ht_mul(tr_state *T, hterm *r, const hterm *x, const hterm *y)
{
    if (x->binom + y->binom > RJ_WZ_MAX_POWER || FLINT_ABS(x->cen + y->cen) > RJ_WZ_MAX_POWER)
        return refuse(T, "%s: a power of binomials above the limit of 4",
                      "binomial(L, k)");
    fmpq_mpoly_mul(r->num, x->num, y->num, T->ctx);
    fmpq_mpoly_mul(r->den, x->den, y->den, T->ctx);
    r->binom = x->binom + y->binom;
    r->cen = x->cen + y->cen;
    fmpq_mul(r->a, x->a, y->a);
    fmpq_mul(r->b, x->b, y->b);
    return 1;
}

/* r = 1 / x for x free of k and of binomials, nonzero. */
static int
ht_inv(tr_state *T, hterm *r, const hterm *x)
{
    if (x->binom || fmpq_mpoly_degree_si(x->num, 1, T->ctx) > 0 || !fmpq_is_one(x->a))
        return refuse(T, "%s: only a divisor free of the summation variable and of "
                      "binomials is supported", "division");
    if (fmpq_mpoly_is_zero(x->num, T->ctx))
        return refuse(T, "%s: a division by zero", "division");
    /* kept even when the quotient later cancels: the claim is undefined
       where a divisor vanishes, so L1 must pass its roots */
    fmpq_mpoly_mul(T->dens, T->dens, x->num, T->ctx);
    {
        fmpq_mpoly_t n, d;
        fmpq_mpoly_init(n, T->ctx);
        fmpq_mpoly_init(d, T->ctx);
        fmpq_mpoly_set(n, x->den, T->ctx);
        fmpq_mpoly_set(d, x->num, T->ctx);
        fmpq_mpoly_swap(r->num, n, T->ctx);
        fmpq_mpoly_swap(r->den, d, T->ctx);
        fmpq_mpoly_clear(n, T->ctx);
        fmpq_mpoly_clear(d, T->ctx);
    }
    r->binom = 0;
    r->cen = -x->cen;
    fmpq_one(r->a);
    fmpq_inv(r->b, x->b);
    return 1;
}

/* r = x + sign y; terms that are not rational multiples of one another are
   refused (a sum of two hypergeometric terms of different kinds). */
static int
ht_add(tr_state *T, hterm *r, const hterm *x, const hterm *y, int sign)
{
    fmpq_mpoly_t t;
    if (fmpq_mpoly_is_zero(y->num, T->ctx)) {
        ht_set(r, x, T->ctx);
        return 1;
    }
    if (fmpq_mpoly_is_zero(x->num, T->ctx)) {
        ht_set(r, y, T->ctx);
        if (sign < 0)
            fmpq_mpoly_neg(r->num, r->num, T->ctx);
        return 1;
    }
    if (x->binom != y->binom || x->cen != y->cen || !fmpq_equal(x->a, y->a)
        || !fmpq_equal(x->b, y->b))
        return refuse(T, "%s: terms with different binomial or exponential factors are "
                      "added", "a sum of unlike terms");
    fmpq_mpoly_init(t, T->ctx);
    fmpq_mpoly_mul(t, y->num, x->den, T->ctx);
    if (sign < 0)
        fmpq_mpoly_neg(t, t, T->ctx);
    fmpq_mpoly_mul(r->num, x->num, y->den, T->ctx);
    fmpq_mpoly_add(r->num, r->num, t, T->ctx);
    fmpq_mpoly_mul(r->den, x->den, y->den, T->ctx);
    r->binom = x->binom;
    r->cen = x->cen;
    fmpq_set(r->a, x->a);
    fmpq_set(r->b, x->b);
    fmpq_mpoly_clear(t, T->ctx);
    if (fmpq_mpoly_is_zero(r->num, T->ctx))
        ht_zero(r, T->ctx);
    return 1;
}

/* The rational constant of h when h is one (no L, k, binomial or powers). */
static int
ht_const(fmpq_t c, const hterm *h, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_t d;
    int ok;
    if (h->binom || h->cen || !fmpq_is_one(h->a) || !fmpq_is_one(h->b)
        || !fmpq_mpoly_is_fmpq(h->num, ctx) || !fmpq_mpoly_is_fmpq(h->den, ctx))
        return 0;
    fmpq_init(d);
    fmpq_mpoly_get_fmpq(c, h->num, ctx);
    fmpq_mpoly_get_fmpq(d, h->den, ctx);
    ok = !fmpq_is_zero(d);
    if (ok)
        fmpq_div(c, c, d);
    fmpq_clear(d);
    return ok;
}

/* ------------------------------------------------------------ translation */

static int mentions(const rj_expr_struct *e, const char *name);

static int
mentions(const rj_expr_struct *e, const char *name)
{
    slong i;
    if (name == NULL)
        return 0;
    if (e->kind == RJ_EXPR_IDENT && strcmp(e->name, name) == 0)
        return 1;
    for (i = 0; i < e->nargs; i++)
        if (mentions(e->args[i], name))
            return 1;
    return 0;
}

static int is_ident(const rj_expr_struct *e, const char *name)
{
    return name != NULL && e->kind == RJ_EXPR_IDENT && strcmp(e->name, name) == 0;
}

static int tr_expr(tr_state *T, hexpr *out, const rj_expr_struct *e);
static int is_two_L(tr_state *T, const rj_expr_struct *e);
static void times_binomial_L(hterm *h, slong j, slong pw, const fmpq_mpoly_ctx_t ctx);

static int
positional(const rj_expr_struct *call)
{
    slong i;
    for (i = 0; call->argnames != NULL && i < call->nargs; i++)
        if (call->argnames[i] != NULL)
            return 0;
    return 1;
}

/* out = x * y: at most one factor holds a sum. */
static int
hx_mul(tr_state *T, hexpr *out, const hexpr *x, const hexpr *y)
{
    hexpr r;
    int ok = 1;
    if (x->has_sum && y->has_sum)
        return refuse(T, "%s: a product of two sums over k is not a single binomial sum",
                      "sum(...) * sum(...)");
    hx_init(&r, T->ctx);
    r.has_sum = x->has_sum || y->has_sum;
    if (x->has_sum)
        ok = ht_mul(T, &r.s, &x->s, &y->c);
    else if (y->has_sum)
        ok = ht_mul(T, &r.s, &x->c, &y->s);
    ok = ok && ht_mul(T, &r.c, &x->c, &y->c);
    if (ok) {
        out->has_sum = r.has_sum;
        ht_set(&out->s, &r.s, T->ctx);
        ht_set(&out->c, &r.c, T->ctx);
    }
    hx_clear(&r, T->ctx);
    return ok;
}

static int
hx_add(tr_state *T, hexpr *out, const hexpr *x, const hexpr *y, int sign)
{
    hterm zero;
    int ok;
    ht_init(&zero, T->ctx);
    ht_zero(&zero, T->ctx);
    ok = ht_add(T, &out->s, x->has_sum ? &x->s : &zero, y->has_sum ? &y->s : &zero, sign)
         && ht_add(T, &out->c, &x->c, &y->c, sign);
    out->has_sum = x->has_sum || y->has_sum;
    ht_clear(&zero, T->ctx);
    return ok;
}

/* An exponent c0 + c1 L + c2 k with integer coefficients. */
static int
linear_exponent(slong c[3], const hterm *h, const fmpq_mpoly_ctx_t ctx)
{
    slong t, e[2];
    fmpq_t q;
    int ok = 1;
    c[0] = c[1] = c[2] = 0;
    if (h->binom || h->cen || !fmpq_is_one(h->a) || !fmpq_is_one(h->b)
        || !fmpq_mpoly_is_one(h->den, ctx)
        || fmpq_mpoly_total_degree_si(h->num, ctx) > 1)
        return 0;
    fmpq_init(q);
    for (t = 0; t < fmpq_mpoly_length(h->num, ctx) && ok; t++) {
        fmpq_mpoly_get_term_coeff_fmpq(q, h->num, t, ctx);
        fmpq_mpoly_get_term_exp_si(e, h->num, t, ctx);
        ok = fmpz_is_one(fmpq_denref(q)) && fmpz_bits(fmpq_numref(q)) <= 10;
        if (ok)
            c[e[0] == 1 ? 1 : (e[1] == 1 ? 2 : 0)] = fmpz_get_si(fmpq_numref(q));
    }
    fmpq_clear(q);
    return ok;
}

static int
tr_power(tr_state *T, hexpr *out, const rj_expr_struct *e)
{
    hexpr x, y;
    fmpq_t n, base;
    slong c[3], i;
    int ok;
    hx_init(&x, T->ctx);
    hx_init(&y, T->ctx);
    fmpq_init(n);
    fmpq_init(base);
    ok = tr_expr(T, &x, e->args[0]) && tr_expr(T, &y, e->args[1]);
    if (ok && y.has_sum)
        ok = refuse(T, "%s: a sum in an exponent", "^");
    if (ok && ht_const(n, &y.c, T->ctx)) {
        /* X^n, n a constant integer */
        if (!fmpz_is_one(fmpq_denref(n)) || fmpz_bits(fmpq_numref(n)) > 7
            || FLINT_ABS(fmpz_get_si(fmpq_numref(n))) > CL_DEPTH_MAX_POW)
            ok = refuse(T, "%s: a constant exponent must be an integer of size at most 64",
                        "^");
        else {
            slong k = fmpz_get_si(fmpq_numref(n));
            hexpr r;
            hx_init(&r, T->ctx);
            fmpq_mpoly_one(r.c.num, T->ctx);
            if (k < 0 && x.has_sum)
                ok = refuse(T, "%s: a sum over k to a negative power", "^");
            else if (k < 0)
                ok = ht_inv(T, &x.c, &x.c);
            for (i = 0; i < FLINT_ABS(k) && ok; i++)
                ok = hx_mul(T, &r, &r, &x);
            if (ok) {
                out->has_sum = r.has_sum;
                ht_set(&out->s, &r.s, T->ctx);
                ht_set(&out->c, &r.c, T->ctx);
            }
            hx_clear(&r, T->ctx);
        }
    } else if (ok) {
        /* c^(c0 + c1 L + c2 k), c a nonzero constant */
        if (x.has_sum || !ht_const(base, &x.c, T->ctx) || fmpq_is_zero(base))
            ok = refuse(T, "%s: a power with a variable exponent needs a nonzero constant "
                        "base", "^");
        else if (!linear_exponent(c, &y.c, T->ctx))
            ok = refuse(T, "%s: a variable exponent must be c0 + c1 L + c2 k with small "
                        "integers", "^");
        else {
            out->has_sum = 0;
            ht_zero(&out->s, T->ctx);
            ht_zero(&out->c, T->ctx);
            fmpq_pow_si(n, base, c[0]);
            fmpq_mpoly_set_fmpq(out->c.num, n, T->ctx);
            fmpq_pow_si(out->c.b, base, c[1]);
            fmpq_pow_si(out->c.a, base, c[2]);
        }
    }
    fmpq_clear(n);
    fmpq_clear(base);
    hx_clear(&x, T->ctx);
    hx_clear(&y, T->ctx);
    return ok;
}

/* h *= C(L, j)^pw as the polynomial (L (L - 1) ... (L - j + 1) / j!)^pw,
   which is C(L, j)^pw for every integer L >= 0 (both are 0 when L < j). */
static void
times_binomial_L(hterm *h, slong j, slong pw, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t f, g;
    slong i;
    fmpq_mpoly_init(f, ctx);
    fmpq_mpoly_init(g, ctx);
    fmpq_mpoly_one(g, ctx);
    for (i = 0; i < j; i++) {
        fmpq_mpoly_gen(f, 0, ctx);
        fmpq_mpoly_sub_si(f, f, i, ctx);
        fmpq_mpoly_scalar_div_si(f, f, i + 1, ctx);
        fmpq_mpoly_mul(g, g, f, ctx);
    }
    fmpq_mpoly_pow_ui(g, g, (ulong) pw, ctx);
    fmpq_mpoly_mul(h->num, h->num, g, ctx);
    fmpq_mpoly_clear(f, ctx);
    fmpq_mpoly_clear(g, ctx);
}

/* sum(k in m..L: t), m a constant 0..64: the sum over 0..L less the terms
   k = 0..m-1 when t has a factor C(L, k) (for L < m - 1 both sides are 0:
   the range m..L is empty and C(L, j) = 0 for j > L). */
static int
tr_sum(tr_state *T, hexpr *out, const rj_expr_struct *e)
{
    hexpr b;
    hterm tj;
    fmpq_t lo, aj;
    const char *saved = T->kname;
    slong m = 0, j;
    int ok;
    if (T->kname != NULL)
        return refuse(T, "%s: nested sums are not supported", "sum");
    if (strcmp(e->name, T->Lname) == 0)
        return refuse(T, "%s: the summation variable hides the depth L", "sum");
    fmpq_init(lo);
    fmpq_init(aj);
    hx_init(&b, T->ctx);
    ht_init(&tj, T->ctx);
    ok = tr_expr(T, &b, e->args[0]) && !b.has_sum && ht_const(lo, &b.c, T->ctx)
         && fmpz_is_one(fmpq_denref(lo)) && fmpz_sgn(fmpq_numref(lo)) >= 0
         && fmpz_cmp_si(fmpq_numref(lo), CL_DEPTH_MAX_POW) <= 0
         && is_ident(e->args[1], T->Lname);
    if (!ok)
        ok = refuse(T, "%s: only sums over k in m..L, m a constant integer 0..64, are "
                    "supported", "sum");
    else
        m = fmpz_get_si(fmpq_numref(lo));
    if (ok) {
        T->kname = e->name;
        ok = tr_expr(T, &b, e->args[2]);
        T->kname = saved;
    }
    if (ok && b.has_sum)
        ok = refuse(T, "%s: nested sums are not supported", "sum");
    if (ok && m > 0 && b.c.binom == 0)
        ok = refuse(T, "%s: a sum from m > 0 needs a factor binomial(L, k)", "sum");
    if (ok) {
        out->has_sum = 1;
        ht_set(&out->s, &b.c, T->ctx);
        ht_zero(&out->c, T->ctx);
    }
    for (j = 0; j < m && ok; j++) {
        /* tj = t(L, j), a term free of k */
        ht_set(&tj, &b.c, T->ctx);
        fmpq_set_si(lo, j, 1);
        fmpq_mpoly_evaluate_one_fmpq(tj.num, tj.num, 1, lo, T->ctx);
        fmpq_pow_si(aj, tj.a, j);
        fmpq_mpoly_scalar_mul_fmpq(tj.num, tj.num, aj, T->ctx);
        fmpq_one(tj.a);
        times_binomial_L(&tj, j, tj.binom, T->ctx);
        tj.binom = 0;
        ok = ht_add(T, &out->c, &out->c, &tj, -1);
    }
    ht_clear(&tj, T->ctx);
    fmpq_clear(aj);
    fmpq_clear(lo);
    hx_clear(&b, T->ctx);
    return ok;
}

/* 1 when e is the polynomial 2 L (as 2 * L, L + L, ...). */
static int
is_two_L(tr_state *T, const rj_expr_struct *e)
{
    hexpr x;
    fmpq_mpoly_t t;
    char *saved = T->why;
    int ok;
    hx_init(&x, T->ctx);
    fmpq_mpoly_init(t, T->ctx);
    T->why = NULL;
    ok = tr_expr(T, &x, e) && !x.has_sum && !x.c.binom && !x.c.cen && fmpq_is_one(x.c.a)
         && fmpq_is_one(x.c.b) && fmpq_mpoly_is_one(x.c.den, T->ctx);
    if (ok) {
        fmpq_mpoly_gen(t, 0, T->ctx);
        fmpq_mpoly_scalar_mul_si(t, t, 2, T->ctx);
        ok = fmpq_mpoly_equal(t, x.c.num, T->ctx);
    }
    flint_free(T->why);
    T->why = saved;
    fmpq_mpoly_clear(t, T->ctx);
    hx_clear(&x, T->ctx);
    return ok;
}

/* out = e as a combination of binomial sums and terms; 0 (T->why set) when e
   is not of that form. */
static int
tr_expr(tr_state *T, hexpr *out, const rj_expr_struct *e)
{
    hexpr x, y;
    int ok = 1;
    out->has_sum = 0;
    ht_zero(&out->s, T->ctx);
    ht_zero(&out->c, T->ctx);
    if (!mentions(e, T->Lname) && !mentions(e, T->kname)) {
        /* free of L and k: its exact value */
        rj_val_t v;
        rj_error_t e2;
        rj_val_init(v);
        rj_error_init(e2);
        if (cl_eval_plain(v, e, T->env, T->cctx, e2) != RJ_OK || v->kind != RJ_VAL_NUM)
            ok = refuse(T, "%s: a subexpression that is not a number", "the claim");
        else
            fmpq_mpoly_set_fmpq(out->c.num, v->num, T->ctx);
        rj_val_clear(v);
        return ok;
    }
    switch (e->kind) {
    case RJ_EXPR_IDENT:
        fmpq_mpoly_gen(out->c.num, is_ident(e, T->kname) ? 1 : 0, T->ctx);
        return 1;
    case RJ_EXPR_NEG:
        ok = tr_expr(T, out, e->args[0]);
        if (ok) {
            fmpq_mpoly_neg(out->s.num, out->s.num, T->ctx);
            fmpq_mpoly_neg(out->c.num, out->c.num, T->ctx);
        }
        return ok;
    case RJ_EXPR_SUM:
        return tr_sum(T, out, e);
    case RJ_EXPR_CALL:
        if ((strcmp(e->name, "binomial") == 0 || strcmp(e->name, "paths") == 0)
            && e->nargs == 2 && positional(e) && is_ident(e->args[0], T->Lname)
            && is_ident(e->args[1], T->kname)) {
            fmpq_mpoly_one(out->c.num, T->ctx);
            out->c.binom = 1;
            return 1;
        }
        if (strcmp(e->name, "binomial") == 0 && e->nargs == 2 && positional(e)
            && is_ident(e->args[1], T->Lname) && is_two_L(T, e->args[0])) {
            fmpq_mpoly_one(out->c.num, T->ctx);
            out->c.cen = 1;
            return 1;
        }
        if ((strcmp(e->name, "binomial") == 0 || strcmp(e->name, "paths") == 0)
            && e->nargs == 2 && positional(e) && is_ident(e->args[0], T->Lname)
            && !mentions(e->args[1], T->Lname) && !mentions(e->args[1], T->kname)) {
            /* C(L, m) = L (L - 1) ... (L - m + 1) / m! for a constant m >= 0, also
               for 0 <= L < m (both are 0) */
            hexpr m;
            fmpq_t c;
            int ok2;
            hx_init(&m, T->ctx);
            fmpq_init(c);
            ok2 = tr_expr(T, &m, e->args[1]) && ht_const(c, &m.c, T->ctx)
                  && fmpz_is_one(fmpq_denref(c)) && fmpz_sgn(fmpq_numref(c)) >= 0
                  && fmpz_cmp_si(fmpq_numref(c), CL_DEPTH_MAX_POW) <= 0;
            if (ok2) {
                fmpq_mpoly_one(out->c.num, T->ctx);
                times_binomial_L(&out->c, fmpz_get_si(fmpq_numref(c)), 1, T->ctx);
            } else
                refuse(T, "%s(L, m): m must be k or a constant integer 0..64", e->name);
            fmpq_clear(c);
            hx_clear(&m, T->ctx);
            return ok2;
        }
        if (strcmp(e->name, "paths") == 0 && e->nargs == 1 && positional(e)
            && is_ident(e->args[0], T->Lname)) {
            fmpq_mpoly_one(out->c.num, T->ctx);
            fmpq_set_si(out->c.b, 2, 1);
            return 1;
        }
        return refuse(T, "%s(...): only binomial(L, k), binomial(L, m), binomial(2 L, L), "
                      "paths(L, k), paths(L, m) and paths(L) are supported", e->name);
    case RJ_EXPR_BINOP:
        if (e->op == '^')
            return tr_power(T, out, e);
        hx_init(&x, T->ctx);
        hx_init(&y, T->ctx);
        ok = tr_expr(T, &x, e->args[0]) && tr_expr(T, &y, e->args[1]);
        if (ok && (e->op == '+' || e->op == '-'))
            ok = hx_add(T, out, &x, &y, e->op == '+' ? 1 : -1);
        else if (ok && e->op == '*')
            ok = hx_mul(T, out, &x, &y);
        else if (ok && e->op == '/') {
            if (y.has_sum)
                ok = refuse(T, "%s: a division by a sum over k", "/");
            else
                ok = ht_inv(T, &y.c, &y.c) && hx_mul(T, out, &x, &y);
        }
        hx_clear(&x, T->ctx);
        hx_clear(&y, T->ctx);
        return ok;
    default:
        return refuse(T, "%s: only numbers, L, k, + - * / ^, sum(k in 0..L: ...), "
                      "binomial(L, k) and paths are supported", "the claim");
    }
}

/* ------------------------------------------------------------ one equation */

/* Decide lhs == rhs for L >= L0 by a certificate: *proved = 1 with *ev; else
   T->why.  *need = the L up to which the scan must have checked the claim. */
static int
wz_equation(int *proved, char **ev, slong *need, tr_state *T, const rj_expr_struct *cmp,
            slong L0, rj_error_t err)
{
    hexpr l, r, d;
    rj_wz_problem_t pb;
    fmpq_mpoly_t v, q2;
    slong L1 = L0, L, e;
    int st = RJ_OK, found = 0, zero_target, ok;
    *proved = 0;
    hx_init(&l, T->ctx);
    hx_init(&r, T->ctx);
    hx_init(&d, T->ctx);
    rj_wz_problem_init(pb, T->ctx);
    fmpq_mpoly_init(v, T->ctx);
    fmpq_mpoly_init(q2, T->ctx);
    ok = tr_expr(T, &l, cmp->args[0]) && tr_expr(T, &r, cmp->args[1])
         && hx_add(T, &d, &l, &r, -1);
    if (!ok)
        goto done;
    /* d.s summed over k plus d.c is 0: sum_k d.s = -d.c */
    if (!d.has_sum || fmpq_mpoly_is_zero(d.s.num, T->ctx)) {
        if (!fmpq_mpoly_is_zero(d.c.num, T->ctx)) {
            refuse(T, "%s: the two sides differ as terms in L", "the equation");
            goto done;
        }
        /* equal as rational functions of L: true where both are defined */
        fmpq_mpoly_mul(q2, d.c.den, T->dens, T->ctx);
        st = rj_wz_regular_from(&L1, q2, L0, T->ctx, err);
        *need = FLINT_MAX(*need, L1);
        if (st == RJ_OK) {
            *proved = 1;
            *ev = cl_printf("both sides are the same function of L");
        }
        goto done;
    }
    if (!d.s.binom) {
        refuse(T, "%s: the summand has no factor binomial(L, k)", "sum");
        goto done;
    }
    zero_target = fmpq_mpoly_is_zero(d.c.num, T->ctx);
    pb->m = d.s.binom;
    fmpq_set(pb->a, d.s.a);
    if (zero_target) {
        fmpq_mpoly_set(pb->P, d.s.num, T->ctx);
        fmpq_mpoly_set(pb->Q, d.s.den, T->ctx);
        fmpq_set(pb->beta, d.s.b);
        pb->e = d.s.cen;
    } else {
        /* F = s / (-c) */
        fmpq_mpoly_mul(pb->P, d.s.num, d.c.den, T->ctx);
        fmpq_mpoly_mul(pb->Q, d.s.den, d.c.num, T->ctx);
        fmpq_mpoly_neg(pb->Q, pb->Q, T->ctx);
        fmpq_div(pb->beta, d.s.b, d.c.b);
        pb->e = d.s.cen - d.c.cen;
    }
    /* F is unchanged when P and Q are both multiplied by E(L); E = L, L (L - 1)
       let the certificate have a pole at L = 0, 1 (below L1, which grows) */
    for (e = 0; e < 3 && st == RJ_OK && !found; e++) {
        if (e > 0) {
            fmpq_mpoly_t lin;
            fmpq_mpoly_init(lin, T->ctx);
            fmpq_mpoly_gen(lin, 0, T->ctx);
            fmpq_mpoly_sub_si(lin, lin, e - 1, T->ctx);
            fmpq_mpoly_mul(pb->P, pb->P, lin, T->ctx);
            fmpq_mpoly_mul(pb->Q, pb->Q, lin, T->ctx);
            fmpq_mpoly_clear(lin, T->ctx);
        }
        st = rj_wz_certificate(&found, v, pb, T->ctx, err);
    }
    if (st == RJ_OK && found) {
        /* L1: past the integer roots of every denominator and of the closed form */
        fmpq_mpoly_mul(q2, pb->Q, d.c.den, T->ctx);
        fmpq_mpoly_mul(q2, q2, T->dens, T->ctx);
        st = rj_wz_regular_from(&L1, q2, L0, T->ctx, err);
    }
    if (st == RJ_ERR_LIMIT) {
        refuse(T, "%s", err->msg);
        st = RJ_OK;
        goto done;
    }
    if (st != RJ_OK)
        goto done;
    if (found && L1 - L0 > CL_DEPTH_MAX_BASE) {
        refuse(T, "%s: a denominator vanishes beyond L0 + 1000", "the equation");
        goto done;
    }
    if (!found) {
        refuse(T, "%s: no WZ certificate k^m v(L, k) / ((L + 1 - k)^m P Q(L + 1) hd(L)) with "
               "v a polynomial of the degrees (W) allows", "the equation");
        goto done;
    }
    /* the translation, held against the claim that the scan decided: sum_k F
       must be 1 (or 0) at L1..L1 + 3 (those of them the scan has decided; the
       quantifier proves only when it decided all four) */
    for (L = L1; L <= FLINT_MIN(L1 + 3, T->scan_last) && st == RJ_OK; L++) {
        fmpq_t s;
        fmpq_init(s);
        st = rj_wz_sum_eval(s, pb, (ulong) L, T->ctx, err);
        if (st == RJ_OK && !(zero_target ? fmpq_is_zero(s) : fmpq_is_one(s)))
            st = rj_error_set_loc(err, RJ_ERR_INTERNAL, cmp->loc, "the binomial sum read from "
                                  "the claim disagrees with the claim at L = %ld; this is a "
                                  "bug in resjac", (long) L);
        fmpq_clear(s);
    }
    if (st == RJ_OK) {
        char *R = rj_wz_certificate_str(v, pb, T->ctx);
        const char *names[2] = { "L", "k" };
        char *sp = fmpq_mpoly_get_str_pretty(pb->P, names, T->ctx);
        char *sq = fmpq_mpoly_get_str_pretty(pb->Q, names, T->ctx);
        char *sa = fmpq_get_str(NULL, 10, pb->a), *sb = fmpq_get_str(NULL, 10, pb->beta);
        char *sm = pb->m > 1 ? cl_printf("^%ld", (long) pb->m) : rj_strdup("");
        char *se = pb->e != 0 ? cl_printf(" C(2L, L)^%ld", (long) pb->e) : rj_strdup("");
        *proved = 1;
        *need = FLINT_MAX(*need, L1);
        *ev = cl_printf("F(L, k) = (%s) C(L, k)%s (%s)^k (%s)^L%s / (%s), sum_k F(L, k) = %d; "
                        "WZ certificate R(L, k) = %s verified by exact polynomial arithmetic, "
                        "so the sum is the same for all L >= %ld", sp, sm, sa, sb, se, sq,
                        zero_target ? 0 : 1, R, (long) L1);
        flint_free(R);
        flint_free(sp);
        flint_free(sq);
        flint_free(sa);
        flint_free(sb);
        flint_free(sm);
        flint_free(se);
    }
done:
    hx_clear(&l, T->ctx);
    hx_clear(&r, T->ctx);
    hx_clear(&d, T->ctx);
    rj_wz_problem_clear(pb, T->ctx);
    fmpq_mpoly_clear(v, T->ctx);
    fmpq_mpoly_clear(q2, T->ctx);
    return st;
}

/* The equations of a conjunction, proved one by one. */
static int
wz_formula(int *proved, char **ev, slong *need, tr_state *T, const rj_expr_struct *f,
           slong L0, rj_error_t err)
{
    slong i;
    int st = RJ_OK;
    *proved = 0;
    if (f->kind == RJ_EXPR_CMP && f->op == RJ_CMP_EQ)
        return wz_equation(proved, ev, need, T, f, L0, err);
    if (f->kind != RJ_EXPR_AND) {
        refuse(T, "%s: only equations (==) and their conjunctions are proved for every L",
               "the claim");
        return RJ_OK;
    }
    for (i = 0; i < f->nargs && st == RJ_OK; i++) {
        char *e1 = NULL;
        int p1;
        st = wz_formula(&p1, &e1, need, T, f->args[i], L0, err);
        if (st == RJ_OK && !p1) {
            flint_free(e1);
            flint_free(*ev);
            *ev = NULL;
            return RJ_OK;
        }
        if (st == RJ_OK) {
            char *t = cl_printf("%s%s(%ld) %s", *ev != NULL ? *ev : "", *ev != NULL ? "; " : "",
                                (long) (i + 1), e1);
            flint_free(*ev);
            *ev = t;
        }
        flint_free(e1);
    }
    *proved = st == RJ_OK;
    return st;
}

/* ------------------------------------------------------------ the quantifier */

typedef struct {
    slong first_open;              /* the first L not PROVED by the scan, or -1 */
    char *open_ev, *open_d;
    int refuted;
    int limited;                   /* the scan stopped at a limit */
    slong last;                    /* the last L decided (L0 - 1 before any) */
} scan_state;

/* Step 1 for L = lo..hi: *out FALSE at the first L that is REFUTED (decided
   twice). */
static int
scan(scan_state *S, cl_cres_t out, const rj_expr_struct *f, const rj_expr_struct *body,
     slong L0, slong lo, slong hi, rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    rj_val_t kv;
    fmpz_t z;
    slong L;
    int st = RJ_OK;
    rj_val_init(kv);
    fmpz_init(z);
    for (L = lo; L <= hi && st == RJ_OK && !S->refuted; L++) {
        rj_verdict_kind v;
        char *ev = NULL, *bd = NULL;
        fmpz_set_si(z, L);
        cl_val_set_fmpz(kv, z);
        rj_error_t e2;
        rj_error_init(e2);
        st = cl_decide_case_bound(&v, &ev, &bd, body, f->name, kv, 1, env, ctx, e2);
        ctx->cases++;
        if (st == RJ_ERR_LIMIT) {
            /* a limit of the exact evaluation (terms, work, bits): the scan stops
               here and the claim can only be UNDECIDED below this L */
            if (S->first_open < 0) {
                S->first_open = L;
                S->open_ev = cl_printf("a limit of the exact evaluation: %s", e2->msg);
            }
            S->limited = 1;
            st = RJ_OK;
            break;
        }
        if (st != RJ_OK)
            err[0] = e2[0];
        else
            S->last = L;
        if (st == RJ_OK && v == RJ_VERDICT_REFUTED) {
            rj_verdict_kind v2;
            char *ev2 = NULL;
            slong saved = ctx->cases;
            st = cl_decide_case_bound(&v2, &ev2, NULL, body, f->name, kv, 0, env, ctx, err);
            ctx->cases = saved;
            if (st == RJ_OK && v2 != RJ_VERDICT_REFUTED)
                st = rj_error_set_loc(err, RJ_ERR_INTERNAL, f->loc, "the counterexample %s = "
                                      "%ld did not re-verify; this is a bug in resjac",
                                      f->name, (long) L);
            if (st == RJ_OK) {
                cl_cres_set_scalar_data(out, CL_FALSE,
                                        rj_str_cut(cl_printf("fails first at %s = %ld (the "
                                                             "smallest; %s = %ld.. tried in "
                                                             "order): %s", f->name, (long) L,
                                                             f->name, (long) L0, ev),
                                                   2 * CL_EV_LEN), bd);
                bd = NULL;
                S->refuted = 1;
            }
            flint_free(ev2);
        } else if (st == RJ_OK && v != RJ_VERDICT_PROVED && S->first_open < 0) {
            S->first_open = L;
            S->open_ev = ev;
            S->open_d = bd;
            ev = bd = NULL;
        }
        flint_free(ev);
        flint_free(bd);
    }
    rj_val_clear(kv);
    fmpz_clear(z);
    return st;
}

int
cl_decide_forall_depth(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                       cl_ctx *ctx, rj_error_t err)
{
    const rj_expr_struct *body = f->kind == RJ_EXPR_FORALL ? f->args[2] : f->args[1];
    tr_state T;
    scan_state S;
    slong L0 = 0, hi, need = 0;
    char *wev = NULL;
    int st = RJ_OK, proved = 0;
    if (f->kind == RJ_EXPR_FORALL) {
        rj_val_t v;
        rj_val_init(v);
        st = cl_eval_plain(v, f->args[0], env, ctx, err);
        if (st == RJ_OK)
            st = rj_val_get_si(&L0, v, 0, WORD(1) << 40, 1, "the lower end of a..inf", NULL,
                               f->args[0]->loc, err);
        rj_val_clear(v);
    } else if (f->args[0]->nargs != 0)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, f->args[0]->loc, "naturals takes no "
                              "arguments (for L >= a write forall L in a..inf)");
    if (st != RJ_OK)
        return st;
    memset(&T, 0, sizeof(T));
    memset(&S, 0, sizeof(S));
    S.first_open = -1;
    rj_wz_ctx_init(T.ctx);
    fmpq_mpoly_init(T.dens, T.ctx);
    fmpq_mpoly_one(T.dens, T.ctx);
    T.Lname = f->name;
    T.env = env;
    T.cctx = ctx;
    hi = L0 + CL_DEPTH_SCAN;
    S.last = L0 - 1;
    st = scan(&S, out, f, body, L0, L0, hi, env, ctx, err);
    if (st != RJ_OK || S.refuted)
        goto done;
    /* steps 2 and 3; when the certificate starts at L1 beyond the scan, the
       scan goes on to L1 + 3 and the reading is held against it again */
    T.scan_last = S.last;
    st = wz_formula(&proved, &wev, &need, &T, body, L0, err);
    if (st == RJ_OK && proved && need + 3 > S.last && !S.limited) {
        st = scan(&S, out, f, body, L0, hi + 1, need + 3, env, ctx, err);
        if (st == RJ_OK && !S.refuted && S.last >= need + 3) {
            flint_free(wev);
            wev = NULL;
            flint_free(T.why);
            T.why = NULL;
            fmpq_mpoly_one(T.dens, T.ctx);
            T.scan_last = S.last;
            st = wz_formula(&proved, &wev, &need, &T, body, L0, err);
        }
    }
    if (st != RJ_OK || S.refuted)
        goto done;
    if (S.last < need + 3)
        proved = 0;          /* the reading was not held against the scan at L1..L1+3 */
    hi = S.last;
    if (S.first_open >= 0 && (!proved || S.first_open < need))
        cl_cres_set_scalar_data(out, CL_UNKNOWN,
                                rj_str_cut(cl_printf("%s = %ld is not decided exactly (%s); %s",
                                                     f->name, (long) S.first_open, S.open_ev,
                                                     T.why != NULL ? T.why
                                                     : wev != NULL ? "a WZ certificate was "
                                                     "found, but the cases it starts from "
                                                     "were not all decided" : "no WZ "
                                                     "certificate"), 2 * CL_EV_LEN),
                                S.open_d);
    else if (proved) {
        cl_cres_set_scalar(out, CL_TRUE,
                           rj_str_cut(cl_printf("for every %s >= %ld [SY 6]: %s; %s = %ld..%ld "
                                                "decided exactly", f->name, (long) L0, wev,
                                                f->name, (long) L0, (long) hi),
                                      2 * CL_EV_LEN));
        flint_free(S.open_d);
    } else {
        cl_cres_set_scalar(out, CL_UNKNOWN,
                           rj_str_cut(cl_printf("no failing %s in %ld..%ld (decided exactly) "
                                                "and no WZ certificate: %s", f->name,
                                                (long) L0, (long) hi,
                                                T.why != NULL ? T.why : "not tried"),
                                      2 * CL_EV_LEN));
        flint_free(S.open_d);
    }
    S.open_d = NULL;
done:
    flint_free(S.open_d);
    flint_free(S.open_ev);
    flint_free(wev);
    flint_free(T.why);
    fmpq_mpoly_clear(T.dens, T.ctx);
    fmpq_mpoly_ctx_clear(T.ctx);
    return st;
}
