/* resjac symbolic layer: binomial sums in the depth L, for every L, by a WZ
 * certificate (proofs/symbolic.md, SY 6).
 *
 * A problem (rj_wz_problem_t) stands for the summand
 *     F(L, k) = P(L, k) C(L, k)^m a^k beta^L C(2L, L)^e / Q(L)
 * with P in Q[L, k], Q in Q[L] nonzero, a, beta nonzero rationals, m >= 1,
 * and C(L, k) = 0 outside 0 <= k <= L.  With H(L) = C(2L, L)^e, H(L + 1) =
 * (hn / hd)(L) H(L), hn / hd = ((4L + 2) / (L + 1))^e.  A certificate is a
 * polynomial v(L, k): with G(L, k) = C(L, k - 1)^m a^k beta^L H(L) v(L, k) /
 * (Q(L) Q(L + 1) hd(L)) it makes F(L + 1, k) - F(L, k) = G(L, k + 1) - G(L, k)
 * for every integer k, so that sum_k F(L, k) does not change with L.
 * Dividing that identity by kappa(L, k)^m a^k beta^L H(L), kappa = L! / (k!
 * (L + 1 - k)!), and multiplying by Q(L) Q(L + 1) hd(L) gives the polynomial
 * identity [SY 6, (W)]
 *     beta hn (L + 1)^m P(L + 1, k) Q(L) - hd (L + 1 - k)^m P(L, k) Q(L + 1)
 *         = a (L + 1 - k)^m v(L, k + 1) - k^m v(L, k),
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

void
rj_wz_problem_init(rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_init(pb->P, ctx);
    fmpq_mpoly_init(pb->Q, ctx);
    fmpq_mpoly_one(pb->Q, ctx);
    fmpq_init(pb->a);
    fmpq_init(pb->beta);
    fmpq_one(pb->a);
    fmpq_one(pb->beta);
    pb->m = 1;
    pb->e = 0;
}

void
rj_wz_problem_clear(rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_clear(pb->P, ctx);
    fmpq_mpoly_clear(pb->Q, ctx);
    fmpq_clear(pb->a);
    fmpq_clear(pb->beta);
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

/* A = (c0 + c1 L + c2 k)^n. */
static void
linear_pow(fmpq_mpoly_t A, slong c0, slong c1, slong c2, ulong n, const fmpq_mpoly_ctx_t ctx)
{
    linear(A, c0, c1, c2, ctx);
    fmpq_mpoly_pow_ui(A, A, n, ctx);
}

/* hn / hd = H(L + 1) / H(L) for H = C(2L, L)^e. */
static void
hratio(fmpq_mpoly_t hn, fmpq_mpoly_t hd, slong e, const fmpq_mpoly_ctx_t ctx)
{
    linear_pow(hn, 2, 4, 0, (ulong) FLINT_ABS(e), ctx);
    linear_pow(hd, 1, 1, 0, (ulong) FLINT_ABS(e), ctx);
    if (e < 0)
        fmpq_mpoly_swap(hn, hd, ctx);
}

/* The left side of (W). */
static void
wz_lhs(fmpq_mpoly_t out, const rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t s, t, u, hn, hd;
    fmpq_mpoly_init(s, ctx);
    fmpq_mpoly_init(t, ctx);
    fmpq_mpoly_init(u, ctx);
    fmpq_mpoly_init(hn, ctx);
    fmpq_mpoly_init(hd, ctx);
    hratio(hn, hd, pb->e, ctx);
    shift(s, pb->P, 1, 0, ctx);                 /* P(L + 1, k) */
    linear_pow(u, 1, 1, 0, (ulong) pb->m, ctx); /* (L + 1)^m */
    fmpq_mpoly_mul(s, s, u, ctx);
    fmpq_mpoly_mul(s, s, pb->Q, ctx);
    fmpq_mpoly_mul(s, s, hn, ctx);
    fmpq_mpoly_scalar_mul_fmpq(s, s, pb->beta, ctx);
    shift(t, pb->Q, 1, 0, ctx);                 /* Q(L + 1) */
    fmpq_mpoly_mul(t, t, pb->P, ctx);
    fmpq_mpoly_mul(t, t, hd, ctx);
    linear_pow(u, 1, 1, -1, (ulong) pb->m, ctx);        /* (L + 1 - k)^m */
    fmpq_mpoly_mul(t, t, u, ctx);
    fmpq_mpoly_sub(out, s, t, ctx);
    fmpq_mpoly_clear(s, ctx);
    fmpq_mpoly_clear(t, ctx);
    fmpq_mpoly_clear(u, ctx);
    fmpq_mpoly_clear(hn, ctx);
    fmpq_mpoly_clear(hd, ctx);
}

/* The right side of (W) for v. */
static void
wz_rhs(fmpq_mpoly_t out, const fmpq_mpoly_t v, const rj_wz_problem_t pb,
       const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t s, t, u;
    fmpq_mpoly_init(s, ctx);
    fmpq_mpoly_init(t, ctx);
    fmpq_mpoly_init(u, ctx);
    shift(s, v, 0, 1, ctx);                     /* v(L, k + 1) */
    linear_pow(u, 1, 1, -1, (ulong) pb->m, ctx);
    fmpq_mpoly_mul(s, s, u, ctx);
    fmpq_mpoly_scalar_mul_fmpq(s, s, pb->a, ctx);
    linear_pow(u, 0, 0, 1, (ulong) pb->m, ctx);         /* k^m */
    fmpq_mpoly_mul(t, v, u, ctx);
    fmpq_mpoly_sub(out, s, t, ctx);
    fmpq_mpoly_clear(s, ctx);
    fmpq_mpoly_clear(t, ctx);
    fmpq_mpoly_clear(u, ctx);
}

static int
check_problem(const rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    if (fmpq_is_zero(pb->a) || fmpq_is_zero(pb->beta) || fmpq_mpoly_is_zero(pb->Q, ctx)
        || fmpq_mpoly_degree_si(pb->Q, 1, ctx) > 0 || pb->m < 1)
        return rj_error_set(err, RJ_ERR_INPUT, "a binomial sum needs nonzero a, beta, m >= 1 "
                            "and a nonzero Q(L) free of k");
    if (fmpq_mpoly_degree_si(pb->P, 0, ctx) > RJ_WZ_MAX_DEGREE
        || fmpq_mpoly_degree_si(pb->P, 1, ctx) > RJ_WZ_MAX_DEGREE
        || fmpq_mpoly_degree_si(pb->Q, 0, ctx) > RJ_WZ_MAX_DEGREE
        || pb->m > RJ_WZ_MAX_POWER || FLINT_ABS(pb->e) > RJ_WZ_MAX_POWER)
        return rj_error_set(err, RJ_ERR_LIMIT, "the summand's polynomial parts have degree "
                            "above the limit of %d in L or k, or a binomial power above %d",
                            RJ_WZ_MAX_DEGREE, RJ_WZ_MAX_POWER);
    return RJ_OK;
}

int
rj_wz_verify(const fmpq_mpoly_t v, const rj_wz_problem_t pb, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t l, r;
    int eq;
    fmpq_mpoly_init(l, ctx);
    fmpq_mpoly_init(r, ctx);
    wz_lhs(l, pb, ctx);
    wz_rhs(r, v, pb, ctx);
    eq = fmpq_mpoly_equal(l, r, ctx);
    fmpq_mpoly_clear(l, ctx);
    fmpq_mpoly_clear(r, ctx);
    return eq;
}

int
rj_wz_certificate(int *found, fmpq_mpoly_t v, const rj_wz_problem_t pb,
                  const fmpq_mpoly_ctx_t ctx, rj_error_t err)
{
    fmpq_mpoly_t lhs, m, img;
    fmpq_mat_t A, B, X;
    slong dk, dl, DL, DK, nu, nr, i, j, t, e[2];
    fmpq_t c;
    int st = check_problem(pb, ctx, err);
    *found = 0;
    if (st != RJ_OK)
        return st;
    fmpq_mpoly_init(lhs, ctx);
    wz_lhs(lhs, pb, ctx);
    if (fmpq_mpoly_is_zero(lhs, ctx)) {         /* F(L + 1, k) = F(L, k): v = 0 */
        fmpq_mpoly_zero(v, ctx);
        *found = 1;
        fmpq_mpoly_clear(lhs, ctx);
        return RJ_OK;
    }
    /* deg_k: the right side of (W) has degree deg v + m in k unless a (-1)^m
       = 1 (then the top terms cancel and deg v may be one more): allow v one
       degree in k above the left side; in L, the right side has degree
       deg_L v + m at most and its top part in L cannot cancel (it is a L^m
       v_top(k + 1)), so deg_L v <= deg_L of the left side */
    dk = FLINT_MAX(fmpq_mpoly_degree_si(lhs, 1, ctx), 0) + 1;
    dl = FLINT_MAX(fmpq_mpoly_degree_si(lhs, 0, ctx), 0);
    DK = FLINT_MAX(dk + pb->m, fmpq_mpoly_degree_si(lhs, 1, ctx));
    DL = FLINT_MAX(dl + pb->m, fmpq_mpoly_degree_si(lhs, 0, ctx));
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
            wz_rhs(img, m, pb, ctx);
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
        *found = rj_wz_verify(v, pb, ctx);
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
rj_wz_sum_eval(fmpq_t s, const rj_wz_problem_t pb, ulong L, const fmpq_mpoly_ctx_t ctx,
               rj_error_t err)
{
    fmpq_t x[2], t, q, ak;
    fmpq *xp[2];
    fmpz_t bin;
    ulong k;
    int st = check_problem(pb, ctx, err);
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
    fmpq_mpoly_evaluate_all_fmpq(q, pb->Q, xp, ctx);
    if (fmpq_is_zero(q))
        st = rj_error_set(err, RJ_ERR_DOMAIN, "Q(%lu) = 0: the summand is undefined", L);
    fmpq_zero(s);
    fmpq_one(ak);
    for (k = 0; k <= L && st == RJ_OK; k++) {
        fmpq_set_ui(x[1], k, 1);
        fmpq_mpoly_evaluate_all_fmpq(t, pb->P, xp, ctx);
        fmpz_bin_uiui(bin, L, k);
        fmpz_pow_ui(bin, bin, (ulong) pb->m);
        fmpq_mul_fmpz(t, t, bin);
        fmpq_mul(t, t, ak);
        fmpq_add(s, s, t);
        fmpq_mul(ak, ak, pb->a);
    }
    if (st == RJ_OK) {
        fmpq_pow_si(t, pb->beta, (slong) L);
        fmpq_mul(s, s, t);
        fmpq_div(s, s, q);
        fmpz_bin_uiui(bin, 2 * L, L);           /* C(2L, L)^e */
        fmpz_pow_ui(bin, bin, (ulong) FLINT_ABS(pb->e));
        if (pb->e >= 0)
            fmpq_mul_fmpz(s, s, bin);
        else
            fmpq_div_fmpz(s, s, bin);
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
rj_wz_certificate_str(const fmpq_mpoly_t v, const rj_wz_problem_t pb,
                      const fmpq_mpoly_ctx_t ctx)
{
    const char *names[2] = { "L", "k" };
    fmpq_mpoly_t d, t, hn;
    char *sv, *sp, *sd, *out;
    size_t n;
    fmpq_mpoly_init(d, ctx);
    fmpq_mpoly_init(t, ctx);
    fmpq_mpoly_init(hn, ctx);
    hratio(hn, d, pb->e, ctx);                  /* d = hd(L) */
    shift(t, pb->Q, 1, 0, ctx);
    fmpq_mpoly_mul(d, d, t, ctx);               /* Q(L + 1) hd(L) */
    sv = fmpq_mpoly_get_str_pretty(v, names, ctx);
    sp = fmpq_mpoly_get_str_pretty(pb->P, names, ctx);
    sd = fmpq_mpoly_get_str_pretty(d, names, ctx);
    n = strlen(sv) + strlen(sp) + strlen(sd) + 80;
    out = flint_malloc(n);
    if (pb->m == 1)
        flint_sprintf(out, "k*(%s) / ((L + 1 - k)*(%s)*(%s))", sv, sp, sd);
    else
        flint_sprintf(out, "k^%wd*(%s) / ((L + 1 - k)^%wd*(%s)*(%s))", pb->m, sv, pb->m, sp,
                      sd);
    flint_free(sv);
    flint_free(sp);
    flint_free(sd);
    fmpq_mpoly_clear(d, ctx);
    fmpq_mpoly_clear(t, ctx);
    fmpq_mpoly_clear(hn, ctx);
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
