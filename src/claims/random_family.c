/* resjac claims: the random families of forall J in random(...).
 *
 * random(rows = r, cols = c, norm = N, bound = B, seed = s, count = n
 *        [, strict = 1])
 *     A family of exact rational r x c matrices J with ||J||_N <= B (< B with
 *     strict = 1), N one of 1, inf, fro, 2: first structured candidates (zero,
 *     +-B I, all-ones and checkerboard rank-one sign patterns, single entries,
 *     an alternating diagonal, nilpotent and skew sign patterns, a random
 *     rank-one sign matrix, a random sign matrix), then n seeded random
 *     matrices, half of them on the boundary.  Every candidate is scaled
 *     exactly: for 1 and inf by B / ||J|| (the bound is met exactly); for fro
 *     and 2 by B / m with m a rational upper bound of the norm --
 *       fro:  m >= sqrt(||J||_F^2)
 *       2:    m >= min(max |J_ij| if J has one nonzero per row and column,
 *                      sqrt(||J||_F^2), sqrt(||J||_1 ||J||_inf))
 *     (||J||_2 <= ||J||_F and ||J||_2^2 <= ||J||_1 ||J||_inf), exact whenever the
 *     square root is rational -- and then checked exactly against the bound.
 *     The quantifier (src/claims/forall.c) decides the claim's body at each
 *     candidate: a sample can refute, never prove. */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ random families */

enum { NORM_1, NORM_INF, NORM_FRO, NORM_2 };
static const char *norm_names[] = { "1", "inf", "fro", "2" };

const char *
cl_rfamily_norm_name(int norm)
{
    return norm_names[norm];
}

#define RANDOM_MAX_DIM 64

static int
spec_int(slong *out, const rj_expr_struct *e, const char *key, slong lo, slong hi,
         int hi_is_limit, rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    rj_val_t v;
    char what[64];
    int st;
    rj_val_init(v);
    snprintf(what, sizeof(what), "random(...): %s", key);
    st = cl_eval_plain(v, e, env, ctx, err);
    if (st == RJ_OK)    /* a size (rows, cols) or flag is a range; count, seed a limit */
        st = rj_val_get_si(out, v, lo, hi, hi_is_limit, what, NULL, e->loc, err);
    rj_val_clear(v);
    return st;
}

int
cl_rfamily_parse(cl_rfamily *s, const rj_expr_struct *call, rj_env_struct *env, cl_ctx *ctx,
           rj_error_t err)
{
    slong i, have_rows = 0, have_cols = 0, have_bound = 0, have_norm = 0, v;
    int st = RJ_OK;
    const char *usage = "random(rows = r, cols = c, norm = 1|inf|fro|2, bound = B, seed = s, "
                        "count = n, strict = 0|1)";
    if (call->kind != RJ_EXPR_CALL || strcmp(call->name, "random") != 0)
        return rj_error_set_loc(err, RJ_ERR_INPUT, call->loc,
                                "forall ... in %s(...): the only family is %s",
                                call->kind == RJ_EXPR_CALL ? call->name : "?", usage);
    s->rows = s->cols = 0;
    s->count = 100;
    s->norm = NORM_FRO;
    s->strict = 0;
    s->seed = 1;
    for (i = 0; i < call->nargs && st == RJ_OK; i++) {
        const char *key = call->argnames != NULL ? call->argnames[i] : NULL;
        const rj_expr_struct *a = call->args[i];
        if (key == NULL)
            return rj_error_set_loc(err, RJ_ERR_INPUT, a->loc,
                                    "random takes keyword arguments only: %s", usage);
        if (strcmp(key, "rows") == 0) {
            st = spec_int(&s->rows, a, key, 1, RANDOM_MAX_DIM, 0, env, ctx, err);
            have_rows = 1;
        } else if (strcmp(key, "cols") == 0) {
            st = spec_int(&s->cols, a, key, 1, RANDOM_MAX_DIM, 0, env, ctx, err);
            have_cols = 1;
        } else if (strcmp(key, "count") == 0)
            st = spec_int(&s->count, a, key, 0, ctx->opts.max_samples, 1, env, ctx, err);
        else if (strcmp(key, "seed") == 0) {
            st = spec_int(&v, a, key, 0, WORD(1) << 62, 1, env, ctx, err);
            s->seed = (ulong) v;
        } else if (strcmp(key, "strict") == 0) {
            st = spec_int(&v, a, key, 0, 1, 0, env, ctx, err);
            s->strict = (int) v;
        } else if (strcmp(key, "norm") == 0) {
            const char *w = NULL;
            char buf[8];
            if (a->kind == RJ_EXPR_IDENT)
                w = a->name;
            else if (a->kind == RJ_EXPR_STRING)
                w = a->str;
            else if (a->kind == RJ_EXPR_NUM && fmpz_is_one(fmpq_denref(a->num))
                     && fmpz_cmp_ui(fmpq_numref(a->num), 9) <= 0
                     && fmpz_sgn(fmpq_numref(a->num)) > 0) {
                snprintf(buf, sizeof(buf), "%ld", (long) fmpz_get_si(fmpq_numref(a->num)));
                w = buf;
            }
            for (s->norm = 0; s->norm < 4; s->norm++)
                if (w != NULL && strcmp(w, norm_names[s->norm]) == 0)
                    break;
            if (s->norm == 4)
                st = rj_error_set_loc(err, RJ_ERR_INPUT, a->loc,
                                      "random(norm = ...) must be 1, inf, fro or 2");
            have_norm = 1;
        } else if (strcmp(key, "bound") == 0) {
            rj_val_t b;
            rj_val_init(b);
            st = cl_eval_plain(b, a, env, ctx, err);
            if (st == RJ_OK && (b->kind != RJ_VAL_NUM || fmpq_sgn(b->num) <= 0))
                st = rj_error_set_loc(err, RJ_ERR_INPUT, a->loc,
                                      "random(bound = ...) must be a number > 0");
            if (st == RJ_OK)
                fmpq_set(s->bound, b->num);
            rj_val_clear(b);
            have_bound = 1;
        } else
            st = rj_error_set_loc(err, RJ_ERR_INPUT, call->argnamelocs[i],
                                  "random has no keyword '%.40s': %s", key, usage);
    }
    if (st != RJ_OK)
        return st;
    if (!have_rows || !have_bound || !have_norm)
        return rj_error_set_loc(err, RJ_ERR_INPUT, call->loc,
                                "random needs rows, norm and bound: %s", usage);
    if (!have_cols)
        s->cols = s->rows;
    return RJ_OK;
}

/* 1 if every row and column has at most one nonzero; mx = the largest |entry|. */
static int
is_monomial(fmpq_t mx, const fmpq_mat_t A)
{
    slong r = fmpq_mat_nrows(A), c = fmpq_mat_ncols(A), i, j, cnt;
    fmpq_t t;
    fmpq_init(t);
    fmpq_zero(mx);
    for (i = 0; i < r; i++) {
        cnt = 0;
        for (j = 0; j < c; j++)
            if (!fmpq_is_zero(fmpq_mat_entry(A, i, j))) {
                cnt++;
                fmpq_abs(t, fmpq_mat_entry(A, i, j));
                if (fmpq_cmp(t, mx) > 0)
                    fmpq_set(mx, t);
            }
        if (cnt > 1)
            goto no;
    }
    for (j = 0; j < c; j++) {
        cnt = 0;
        for (i = 0; i < r; i++)
            cnt += !fmpq_is_zero(fmpq_mat_entry(A, i, j));
        if (cnt > 1)
            goto no;
    }
    fmpq_clear(t);
    return 1;
no:
    fmpq_clear(t);
    return 0;
}

/* m >= ||A||_norm, rational; returns 1 when m equals the norm. */
static int
measure(fmpq_t m, const fmpq_mat_t A, int norm)
{
    fmpq_t f, g, mx;
    int exact;
    if (norm == NORM_1) {
        cl_norm1(m, A);
        return 1;
    }
    if (norm == NORM_INF) {
        cl_norminf(m, A);
        return 1;
    }
    fmpq_init(f);
    fmpq_init(g);
    fmpq_init(mx);
    cl_normfro2(f, A);
    exact = cl_sqrt_upper(m, f);
    if (norm == NORM_2) {
        if (is_monomial(mx, A)) {
            fmpq_set(m, mx);       /* singular values are the |entries| */
            exact = 1;
        } else {
            cl_norm1(f, A);
            cl_norminf(g, A);
            fmpq_mul(f, f, g);
            cl_sqrt_upper(g, f);
            if (fmpq_cmp(g, m) < 0)
                fmpq_set(m, g);
            exact = 0;             /* an upper bound of the 2-norm only */
        }
    }
    fmpq_clear(f);
    fmpq_clear(g);
    fmpq_clear(mx);
    return exact;
}

/* Exact check of the family's bound: ||A|| <= B (< B when strict), for the
   2-norm through the sufficient bounds above. */
int
cl_rfamily_within(const fmpq_mat_t A, const cl_rfamily *s)
{
    fmpq_t m;
    int c, ok;
    fmpq_init(m);
    if (s->norm == NORM_FRO) {
        fmpq_t b2;
        fmpq_init(b2);
        cl_normfro2(m, A);
        fmpq_mul(b2, s->bound, s->bound);
        c = fmpq_cmp(m, b2);
        fmpq_clear(b2);
    } else {
        measure(m, A, s->norm);
        c = fmpq_cmp(m, s->bound);
    }
    ok = s->strict ? c < 0 : c <= 0;
    fmpq_clear(m);
    return ok;
}

/* Scale A to norm tau * bound (tau in (0, 1]); inexact measures give a
   factor rounded down to a short dyadic so that printed witnesses stay
   readable. */
static void
scale_to(fmpq_mat_t A, const cl_rfamily *s, const fmpq_t tau)
{
    fmpq_t m, c;
    int exact;
    fmpq_init(m);
    fmpq_init(c);
    exact = measure(m, A, s->norm);
    if (!fmpq_is_zero(m)) {
        fmpq_mul(c, s->bound, tau);
        fmpq_div(c, c, m);
        if (!exact || fmpz_bits(fmpq_denref(c)) > 40) {
            /* c' = floor(c 2^k) / 2^k <= c with about 24 significant bits */
            fmpz_t t;
            slong k = 24 - ((slong) fmpz_bits(fmpq_numref(c)) - (slong) fmpz_bits(fmpq_denref(c)));
            fmpz_init(t);
            if (k < 0)
                k = 0;
            fmpz_mul_2exp(t, fmpq_numref(c), k);
            fmpz_fdiv_q(t, t, fmpq_denref(c));
            fmpz_set(fmpq_numref(c), t);
            fmpz_one(fmpq_denref(c));
            fmpq_div_2exp(c, c, k);
            fmpz_clear(t);
        }
        if (s->strict) {
            fmpq_t q;
            fmpq_init(q);
            fmpq_set_si(q, (WORD(1) << 20) - 1, WORD(1) << 20);
            fmpq_mul(c, c, q);
            fmpq_clear(q);
        }
        fmpq_mat_scalar_mul_fmpq(A, A, c);
    }
    fmpq_clear(m);
    fmpq_clear(c);
}

static void
set_entries(fmpq_mat_t A, flint_rand_t state, int style)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++) {
            slong v;
            switch (style) {
            case 0: v = (slong) n_randint(state, 19) - 9; break;
            case 1: v = n_randint(state, 3) == 0 ? (slong) n_randint(state, 19) - 9 : 0; break;
            case 2: v = (slong) n_randint(state, 3) - 1; break;
            default: v = (slong) n_randint(state, 199) - 99; break;
            }
            fmpq_set_si(fmpq_mat_entry(A, i, j), v, 1);
        }
}

/* Candidate number idx of the family (structured ones first). */
void
cl_rfamily_candidate(fmpq_mat_t A, char *label, int len, const cl_rfamily *s, slong idx, flint_rand_t state)
{
    slong r = s->rows, c = s->cols, i, j, k = FLINT_MIN(r, c);
    fmpq_t tau;
    fmpq_init(tau);
    fmpq_one(tau);
    fmpq_mat_zero(A);
#define E(i, j, v) fmpq_set_si(fmpq_mat_entry(A, i, j), v, 1)
    switch (idx) {
    case 0: snprintf(label, len, "structured: zero"); break;
    case 1:
    case 2:
        for (i = 0; i < k; i++)
            E(i, i, idx == 1 ? 1 : -1);
        snprintf(label, len, "structured: %sbound * I", idx == 1 ? "" : "-");
        break;
    case 3:
    case 4:
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++)
                E(i, j, idx == 3 ? 1 : -1);
        snprintf(label, len, "structured: %sall ones (rank one)", idx == 3 ? "" : "-");
        break;
    case 5:
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++)
                E(i, j, (i + j) % 2 == 0 ? 1 : -1);
        snprintf(label, len, "structured: checkerboard signs (rank one)");
        break;
    case 6:
        for (i = 0; i < k; i++)
            E(i, i, i % 2 == 0 ? 1 : -1);
        snprintf(label, len, "structured: alternating diagonal");
        break;
    case 7:
        E(0, c - 1, 1);
        snprintf(label, len, "structured: single entry at (1, %ld)", (long) c);
        break;
    case 8:
        E(r - 1, 0, -1);
        snprintf(label, len, "structured: single negative entry at (%ld, 1)", (long) r);
        break;
    case 9:
        for (i = 0; i < r; i++)
            for (j = 0; j < c && j < i; j++)
                E(i, j, 1);
        if (r == 1)
            E(0, 0, 1);
        snprintf(label, len, "structured: strictly lower ones (nilpotent)");
        break;
    case 10:
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++)
                if (i != j)
                    E(i, j, i < j ? 1 : -1);
        if (r == 1 && c == 1)
            E(0, 0, -1);
        snprintf(label, len, "structured: skew signs");
        break;
    case 11: {
        /* random signs u v^T */
        slong *u = flint_malloc(r * sizeof(slong)), *v = flint_malloc(c * sizeof(slong));
        for (i = 0; i < r; i++)
            u[i] = n_randint(state, 2) ? 1 : -1;
        for (j = 0; j < c; j++)
            v[j] = n_randint(state, 2) ? 1 : -1;
        for (i = 0; i < r; i++)
            for (j = 0; j < c; j++)
                E(i, j, u[i] * v[j]);
        flint_free(u);
        flint_free(v);
        snprintf(label, len, "structured: random rank-one sign pattern");
        break;
    }
    case 12:
        set_entries(A, state, 2);
        snprintf(label, len, "structured: random signs");
        break;
    case 13:
        fmpq_set_si(tau, 1, 2);
        for (i = 0; i < k; i++)
            E(i, i, -1);
        snprintf(label, len, "structured: -bound/2 * I");
        break;
    default: {
        slong n = idx - CL_RFAMILY_STRUCTURED;
        set_entries(A, state, (int) (n % 4));
        if (fmpq_mat_is_zero(A))
            E(0, 0, 1);
        if (n % 2 == 1)
            fmpq_set_si(tau, 1 + (slong) n_randint(state, 16), 16);
        snprintf(label, len, "random #%ld, seed %lu", (long) (n + 1),
                 (unsigned long) s->seed);
        break;
    }
    }
#undef E
    scale_to(A, s, tau);
    fmpq_clear(tau);
}

