/* resjac symbolic layer: binomial sums in the depth L, for every L, by a WZ
 * certificate (proofs/symbolic.md, SY 6).
 *
 * A problem (P, a, beta, Q) stands for the summand
 *     F(L, k) = P(L, k) C(L, k) a^k beta^L / Q(L)
 * with P in Q[L, k], Q in Q[L] nonzero, a, beta nonzero rationals and
 * C(L, k) = 0 outside 0 <= k <= L.  A certificate is a polynomial v(L, k):
 * with G(L, k) = C(L, k - 1) a^k beta^L v(L, k) / (Q(L) Q(L + 1)) it makes
 * F(L + 1, k) - F(L, k) = G(L, k + 1) - G(L, k) for every integer k, so that
 * sum_k F(L, k) does not change with L.  Dividing that identity by
 * kappa(L, k) a^k beta^L, kappa = L! / (k! (L + 1 - k)!), and multiplying by
 * Q(L) Q(L + 1) gives the polynomial identity [SY 6, (W)]
 *     beta (L + 1) P(L + 1, k) Q(L) - (L + 1 - k) P(L, k) Q(L + 1)
 *         = a (L + 1 - k) v(L, k + 1) - k v(L, k),
 * linear in v.  rj_wz_certificate solves it by undetermined coefficients
 * (exact linear algebra over Q) and rj_wz_verify checks it again from scratch:
 * the verdict rests on the check, not on the solver. */
#include <string.h>

#include <flint/fmpq_poly.h>
#include <flint/fmpz_poly.h>
#include <flint/fmpz_poly_factor.h>

#include "resjac/symbolic.h"

void
rj_wz_ctx_init(fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_ctx_init(ctx, 2, ORD_LEX);
}

/* A = B(L + dl, k + dk). */
static void
shift(fmpq_mpoly_t A, const fmpq_mpoly_t B, slong dl, slong dk, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_struct g[2], *gp[2];
    slong i;
    for (i = 0; i < 2; i++) {
        fmpq_mpoly_init(g + i, ctx);
        fmpq_mpoly_gen(g + i, i, ctx);
        fmpq_mpoly_add_si(g + i, g + i, i == 0 ? dl : dk, ctx);
        gp[i] = g + i;
    }
    /* degrees are bounded by RJ_WZ_MAX_DEGREE: the composition cannot fail */
    fmpq_mpoly_compose_fmpq_mpoly(A, B, gp, ctx, ctx);
    for (i = 0; i < 2; i++)
        fmpq_mpoly_clear(g + i, ctx);
}

/* c0 + c1 L + c2 k */
static void
linear(fmpq_mpoly_t A, slong c0, slong c1, slong c2, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t t;
    fmpq_mpoly_init(t, ctx);
    fmpq_mpoly_set_si(A, c0, ctx);
    fmpq_mpoly_gen(t, 0, ctx);
    fmpq_mpoly_scalar_mul_si(t, t, c1, ctx);
    fmpq_mpoly_add(A, A, t, ctx);
    fmpq_mpoly_gen(t, 1, ctx);
    fmpq_mpoly_scalar_mul_si(t, t, c2, ctx);
    fmpq_mpoly_add(A, A, t, ctx);
    fmpq_mpoly_clear(t, ctx);
}

/* The left side of (W). */
static void
wz_lhs(fmpq_mpoly_t out, const fmpq_mpoly_t P, const fmpq_t beta, const fmpq_mpoly_t Q,
       const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t s, t, u;
    fmpq_mpoly_init(s, ctx);
    fmpq_mpoly_init(t, ctx);
    fmpq_mpoly_init(u, ctx);
    shift(s, P, 1, 0, ctx);                     /* P(L + 1, k) */
    linear(u, 1, 1, 0, ctx);                    /* L + 1 */
    fmpq_mpoly_mul(s, s, u, ctx);
    fmpq_mpoly_mul(s, s, Q, ctx);
    fmpq_mpoly_scalar_mul_fmpq(s, s, beta, ctx);
    shift(t, Q, 1, 0, ctx);                     /* Q(L + 1) */
    fmpq_mpoly_mul(t, t, P, ctx);
    linear(u, 1, 1, -1, ctx);                   /* L + 1 - k */
    fmpq_mpoly_mul(t, t, u, ctx);
    fmpq_mpoly_sub(out, s, t, ctx);
    fmpq_mpoly_clear(s, ctx);
    fmpq_mpoly_clear(t, ctx);
    fmpq_mpoly_clear(u, ctx);
}

/* The right side of (W) for v. */
static void
wz_rhs(fmpq_mpoly_t out, const fmpq_mpoly_t v, const fmpq_t a, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t s, t, u;
    fmpq_mpoly_init(s, ctx);
    fmpq_mpoly_init(t, ctx);
    fmpq_mpoly_init(u, ctx);
    shift(s, v, 0, 1, ctx);                     /* v(L, k + 1) */
    linear(u, 1, 1, -1, ctx);
    fmpq_mpoly_mul(s, s, u, ctx);
    fmpq_mpoly_scalar_mul_fmpq(s, s, a, ctx);
    linear(u, 0, 0, 1, ctx);                    /* k */
    fmpq_mpoly_mul(t, v, u, ctx);
    fmpq_mpoly_sub(out, s, t, ctx);
    fmpq_mpoly_clear(s, ctx);
    fmpq_mpoly_clear(t, ctx);
    fmpq_mpoly_clear(u, ctx);
}

static int
check_problem(const fmpq_mpoly_t P, const fmpq_t a, const fmpq_t beta, const fmpq_mpoly_t Q,
              const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    if (fmpq_is_zero(a) || fmpq_is_zero(beta) || fmpq_mpoly_is_zero(Q, ctx)
        || fmpq_mpoly_degree_si(Q, 1, ctx) > 0)
        return rj_error_set(err, RJ_ERR_INPUT, "a binomial sum needs nonzero a, beta and a "
                            "nonzero Q(L) free of k");
    if (fmpq_mpoly_degree_si(P, 0, ctx) > RJ_WZ_MAX_DEGREE
        || fmpq_mpoly_degree_si(P, 1, ctx) > RJ_WZ_MAX_DEGREE
        || fmpq_mpoly_degree_si(Q, 0, ctx) > RJ_WZ_MAX_DEGREE)
        return rj_error_set(err, RJ_ERR_LIMIT, "the summand's polynomial parts have degree "
                            "above the limit of %d in L or k", RJ_WZ_MAX_DEGREE);
    return RJ_OK;
}

int
rj_wz_verify(const fmpq_mpoly_t v, const fmpq_mpoly_t P, const fmpq_t a, const fmpq_t beta,
             const fmpq_mpoly_t Q, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t l, r;
    int eq;
    fmpq_mpoly_init(l, ctx);
    fmpq_mpoly_init(r, ctx);
    wz_lhs(l, P, beta, Q, ctx);
    wz_rhs(r, v, a, ctx);
    eq = fmpq_mpoly_equal(l, r, ctx);
    fmpq_mpoly_clear(l, ctx);
    fmpq_mpoly_clear(r, ctx);
    return eq;
}

int
rj_wz_certificate(int *found, fmpq_mpoly_t v, const fmpq_mpoly_t P, const fmpq_t a,
                  const fmpq_t beta, const fmpq_mpoly_t Q, const fmpq_mpoly_ctx_t ctx,
                  rj_error_t err)
{
    fmpq_mpoly_t lhs, m, img;
    fmpq_mat_t A, B, X;
    slong dk, dl, DL, DK, nu, nr, i, j, t, e[2];
    fmpq_t c;
    int st = check_problem(P, a, beta, Q, ctx, err);
    *found = 0;
    if (st != RJ_OK)
        return st;
    fmpq_mpoly_init(lhs, ctx);
    wz_lhs(lhs, P, beta, Q, ctx);
    if (fmpq_mpoly_is_zero(lhs, ctx)) {         /* F(L + 1, k) = F(L, k): v = 0 */
        fmpq_mpoly_zero(v, ctx);
        *found = 1;
        fmpq_mpoly_clear(lhs, ctx);
        return RJ_OK;
    }
    /* deg_k: the right side of (W) has degree deg v + 1 in k unless a = -1
       (then the top terms may cancel): allow two more; deg_L as the left side */
    dk = FLINT_MAX(fmpq_mpoly_degree_si(lhs, 1, ctx), 0) + 1;
    dl = FLINT_MAX(fmpq_mpoly_degree_si(lhs, 0, ctx), 0);
    DK = FLINT_MAX(dk + 1, fmpq_mpoly_degree_si(lhs, 1, ctx));
    DL = FLINT_MAX(dl + 1, fmpq_mpoly_degree_si(lhs, 0, ctx));
    nu = (dk + 1) * (dl + 1);
    nr = (DK + 1) * (DL + 1);
    fmpq_mpoly_init(m, ctx);
    fmpq_mpoly_init(img, ctx);
    fmpq_init(c);
    fmpq_mat_init(A, nr, nu);
    fmpq_mat_init(B, nr, 1);
    fmpq_mat_init(X, nu, 1);
    /* column i L-degree, k-degree: the image of the monomial under the right side */
    for (i = 0; i <= dl; i++)
        for (j = 0; j <= dk; j++) {
            ulong ex[2];
            ex[0] = (ulong) i;
            ex[1] = (ulong) j;
            fmpq_mpoly_zero(m, ctx);
            fmpq_set_si(c, 1, 1);
            fmpq_mpoly_set_coeff_fmpq_ui(m, c, ex, ctx);
            wz_rhs(img, m, a, ctx);
            for (t = 0; t < fmpq_mpoly_length(img, ctx); t++) {
                fmpq_mpoly_get_term_exp_si(e, img, t, ctx);
                fmpq_mpoly_get_term_coeff_fmpq(c, img, t, ctx);
                fmpq_set(fmpq_mat_entry(A, e[0] * (DK + 1) + e[1], i * (dk + 1) + j), c);
            }
        }
    for (t = 0; t < fmpq_mpoly_length(lhs, ctx); t++) {
        fmpq_mpoly_get_term_exp_si(e, lhs, t, ctx);
        fmpq_mpoly_get_term_coeff_fmpq(c, lhs, t, ctx);
        fmpq_set(fmpq_mat_entry(B, e[0] * (DK + 1) + e[1], 0), c);
    }
    if (fmpq_mat_can_solve_fraction_free(X, A, B)) {
        fmpq_mpoly_zero(v, ctx);
        for (i = 0; i <= dl; i++)
            for (j = 0; j <= dk; j++) {
                ulong ex[2];
                ex[0] = (ulong) i;
                ex[1] = (ulong) j;
                fmpq_mpoly_set_coeff_fmpq_ui(v, fmpq_mat_entry(X, i * (dk + 1) + j, 0), ex,
                                             ctx);
            }
        /* the solver found it; the identity decides */
        *found = rj_wz_verify(v, P, a, beta, Q, ctx);
    }
    fmpq_mat_clear(A);
    fmpq_mat_clear(B);
    fmpq_mat_clear(X);
    fmpq_clear(c);
    fmpq_mpoly_clear(m, ctx);
    fmpq_mpoly_clear(img, ctx);
    fmpq_mpoly_clear(lhs, ctx);
    return RJ_OK;
}

/* Q (free of k) as a univariate polynomial in L. */
static void
get_univariate(fmpq_poly_t q, const fmpq_mpoly_t Q, const fmpq_mpoly_ctx_t ctx)
{
    slong t, e[2];
    fmpq_t c, d;
    fmpq_init(c);
    fmpq_init(d);
    fmpq_poly_zero(q);
    for (t = 0; t < fmpq_mpoly_length(Q, ctx); t++) {
        fmpq_mpoly_get_term_exp_si(e, Q, t, ctx);
        fmpq_mpoly_get_term_coeff_fmpq(c, Q, t, ctx);
        fmpq_poly_get_coeff_fmpq(d, q, e[0]);
        fmpq_add(d, d, c);
        fmpq_poly_set_coeff_fmpq(q, e[0], d);
    }
    fmpq_clear(c);
    fmpq_clear(d);
}

int
rj_wz_regular_from(slong *L1, const fmpq_mpoly_t Q, slong L0, const fmpq_mpoly_ctx_t ctx,
                   rj_error_t err)
{
    fmpq_poly_t q;
    fmpz_poly_t z;
    fmpz_poly_factor_t fac;
    slong i;
    int st = RJ_OK;
    if (fmpq_mpoly_is_zero(Q, ctx) || fmpq_mpoly_degree_si(Q, 1, ctx) > 0)
        return rj_error_set(err, RJ_ERR_INPUT, "Q must be a nonzero polynomial in L alone");
    if (fmpq_mpoly_degree_si(Q, 0, ctx) > RJ_WZ_MAX_DEGREE)
        return rj_error_set(err, RJ_ERR_LIMIT, "a denominator of degree above the limit of %d",
                            RJ_WZ_MAX_DEGREE);
    *L1 = L0;
    fmpq_poly_init(q);
    fmpz_poly_init(z);
    fmpz_poly_factor_init(fac);
    get_univariate(q, Q, ctx);
    fmpq_poly_get_numerator(z, q);
    if (fmpz_poly_degree(z) > 0) {
        /* every integer root is the root of a linear factor c1 L + c0 */
        fmpz_poly_factor(fac, z);
        for (i = 0; i < fac->num && st == RJ_OK; i++) {
            const fmpz_poly_struct *f = fac->p + i;
            if (fmpz_poly_degree(f) == 1 && fmpz_divisible(f->coeffs, f->coeffs + 1)) {
                fmpz_t r;
                fmpz_init(r);
                fmpz_divexact(r, f->coeffs, f->coeffs + 1);
                fmpz_neg(r, r);
                if (!fmpz_fits_si(r) || fmpz_get_si(r) >= WORD_MAX / 2)
                    st = rj_error_set(err, RJ_ERR_LIMIT, "a denominator vanishes at a depth "
                                      "beyond a machine word");
                else if (fmpz_get_si(r) >= *L1)
                    *L1 = fmpz_get_si(r) + 1;
                fmpz_clear(r);
            }
        }
    }
    fmpz_poly_factor_clear(fac);
    fmpz_poly_clear(z);
    fmpq_poly_clear(q);
    return st;
}

int
rj_wz_sum_eval(fmpq_t s, const fmpq_mpoly_t P, const fmpq_t a, const fmpq_t beta,
               const fmpq_mpoly_t Q, ulong L, const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    fmpq_t x[2], t, q, ak;
    fmpq *xp[2];
    fmpz_t bin;
    ulong k;
    int st = check_problem(P, a, beta, Q, ctx, err);
    if (st != RJ_OK)
        return st;
    fmpq_init(x[0]);
    fmpq_init(x[1]);
    fmpq_init(t);
    fmpq_init(q);
    fmpq_init(ak);
    fmpz_init(bin);
    xp[0] = x[0];
    xp[1] = x[1];
    fmpq_set_ui(x[0], L, 1);
    fmpq_mpoly_evaluate_all_fmpq(q, Q, xp, ctx);
    if (fmpq_is_zero(q))
        st = rj_error_set(err, RJ_ERR_DOMAIN, "Q(%lu) = 0: the summand is undefined", L);
    fmpq_zero(s);
    fmpq_one(ak);
    for (k = 0; k <= L && st == RJ_OK; k++) {
        fmpq_set_ui(x[1], k, 1);
        fmpq_mpoly_evaluate_all_fmpq(t, P, xp, ctx);
        fmpz_bin_uiui(bin, L, k);
        fmpq_mul_fmpz(t, t, bin);
        fmpq_mul(t, t, ak);
        fmpq_add(s, s, t);
        fmpq_mul(ak, ak, a);
    }
    if (st == RJ_OK) {
        fmpq_pow_si(t, beta, (slong) L);
        fmpq_mul(s, s, t);
        fmpq_div(s, s, q);
    }
    fmpq_clear(x[0]);
    fmpq_clear(x[1]);
    fmpq_clear(t);
    fmpq_clear(q);
    fmpq_clear(ak);
    fmpz_clear(bin);
    return st;
}

char *
rj_wz_certificate_str(const fmpq_mpoly_t v, const fmpq_mpoly_t P, const fmpq_mpoly_t Q,
                      const fmpq_mpoly_ctx_t ctx)
{
    const char *names[2] = { "L", "k" };
    fmpq_mpoly_t q1;
    char *sv, *sp, *sq, *out;
    size_t n;
    fmpq_mpoly_init(q1, ctx);
    shift(q1, Q, 1, 0, ctx);
    sv = fmpq_mpoly_get_str_pretty(v, names, ctx);
    sp = fmpq_mpoly_get_str_pretty(P, names, ctx);
    sq = fmpq_mpoly_get_str_pretty(q1, names, ctx);
    n = strlen(sv) + strlen(sp) + strlen(sq) + 64;
    out = flint_malloc(n);
    flint_sprintf(out, "k*(%s) / ((L + 1 - k)*(%s)*(%s))", sv, sp, sq);
    flint_free(sv);
    flint_free(sp);
    flint_free(sq);
    fmpq_mpoly_clear(q1, ctx);
    return out;
}

void
rj_wz_binomial_moment(fmpq_poly_t c, const fmpq_poly_t p)
{
    slong n = fmpq_poly_degree(p), i, j;
    fmpz *S;                   /* S(i, j), Stirling numbers of the second kind */
    fmpq_poly_t ff, lin;
    fmpq_t s, t;
    fmpq_poly_zero(c);
    if (n < 0)
        return;
    S = _fmpz_vec_init((n + 1) * (n + 1));
    fmpz_one(S);
    for (i = 1; i <= n; i++)
        for (j = 1; j <= i; j++) {
            fmpz_mul_si(S + i * (n + 1) + j, S + (i - 1) * (n + 1) + j, j);
            fmpz_add(S + i * (n + 1) + j, S + i * (n + 1) + j, S + (i - 1) * (n + 1) + j - 1);
        }
    fmpq_poly_init(ff);
    fmpq_poly_init(lin);
    fmpq_init(s);
    fmpq_init(t);
    fmpq_poly_one(ff);                          /* L^(0 falling) */
    for (j = 0; j <= n; j++) {
        /* s_j = sum_i p_i S(i, j); sum_k k^(j falling) C(L, k) = L^(j falling) 2^(L - j) */
        fmpq_zero(s);
        for (i = j; i <= n; i++) {
            fmpq_poly_get_coeff_fmpq(t, p, i);
            fmpq_mul_fmpz(t, t, S + i * (n + 1) + j);
            fmpq_add(s, s, t);
        }
        fmpq_div_2exp(s, s, (ulong) j);
        fmpq_poly_scalar_mul_fmpq(lin, ff, s);
        fmpq_poly_add(c, c, lin);
        fmpq_poly_zero(lin);                    /* ff *= (L - j) */
        fmpq_poly_set_coeff_si(lin, 1, 1);
        fmpq_poly_set_coeff_si(lin, 0, -j);
        fmpq_poly_mul(ff, ff, lin);
    }
    fmpq_clear(s);
    fmpq_clear(t);
    fmpq_poly_clear(ff);
    fmpq_poly_clear(lin);
    _fmpz_vec_clear(S, (n + 1) * (n + 1));
}
