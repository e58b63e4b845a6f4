/* Check suite for src/symbolic and the quantifiers over matrices
 * (src/claims/symbolic*.c), each result held against an independent
 * computation: normal forms against the same expression computed directly on
 * random integer matrices with fmpq_mat; polynomial determinants, charpolys
 * and adjugates against FLINT's fmpq_mat ones at random points; every PROVED
 * identity against exact instances; mutated claims (a factor dropped, an
 * order swapped, a transpose removed) must never be PROVED, and every
 * REFUTED witness is decided again by the plain evaluator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static ulong seed;

/* ---------------------------------------------------------------- helpers */

#define NSYM 3

static const char *const sym_names[NSYM] = { "A", "B", "C" };

/* A random expression run twice: on the free algebra (p) and directly on the
   n x n matrices mats (M), step by step with the same random choices. */
static void
random_expr(rj_sym_t p, fmpq_mat_t M, flint_rand_t st, const fmpq_mat_struct *mats,
            slong n, int depth)
{
    slong r = (slong) n_randint(st, depth > 0 ? 7 : 2);
    if (r <= 1) {                       /* a leaf: a symbol, maybe transposed, or c I */
        slong s = (slong) n_randint(st, NSYM + 1);
        if (s == NSYM) {
            fmpq_t c;
            fmpq_init(c);
            fmpq_set_si(c, (slong) n_randint(st, 7) - 3, 1);
            rj_sym_set_fmpq(p, c);
            fmpq_mat_one(M);
            fmpq_mat_scalar_mul_fmpq(M, M, c);
            fmpq_clear(c);
        } else {
            int t = (int) n_randint(st, 2);
            rj_sym_set_symbol(p, s, t);
            if (t)
                fmpq_mat_transpose(M, mats + s);
            else
                fmpq_mat_set(M, mats + s);
        }
        return;
    }
    {
        rj_sym_t a, b;
        fmpq_mat_t A, B;
        rj_error_t err;
        rj_sym_init(a);
        rj_sym_init(b);
        fmpq_mat_init(A, n, n);
        fmpq_mat_init(B, n, n);
        rj_error_init(err);
        random_expr(a, A, st, mats, n, depth - 1);
        random_expr(b, B, st, mats, n, depth - 1);
        switch (r) {
        case 2:
            ck_assert_int_eq(rj_sym_add(p, a, b, NULL, err), RJ_OK);
            fmpq_mat_add(M, A, B);
            break;
        case 3:
            ck_assert_int_eq(rj_sym_sub(p, a, b, NULL, err), RJ_OK);
            fmpq_mat_sub(M, A, B);
            break;
        case 4:
        case 5:
            ck_assert_int_eq(rj_sym_mul(p, a, b, NULL, err), RJ_OK);
            fmpq_mat_mul(M, A, B);
            break;
        default:
            rj_sym_transpose(p, a);
            fmpq_mat_transpose(M, A);
        }
        rj_sym_clear(a);
        rj_sym_clear(b);
        fmpq_mat_clear(A);
        fmpq_mat_clear(B);
    }
}

static fmpq_mat_struct *
random_mats(flint_rand_t st, slong k, slong n, slong bound)
{
    slong i;
    fmpq_mat_struct *m = flint_malloc(k * sizeof(fmpq_mat_struct));
    for (i = 0; i < k; i++) {
        fmpq_mat_init(m + i, n, n);
        rj_test_randmat(m + i, st, bound, 1);
    }
    return m;
}

static void
free_mats(fmpq_mat_struct *m, slong k)
{
    slong i;
    for (i = 0; i < k; i++)
        fmpq_mat_clear(m + i);
    flint_free(m);
}

/* Decide one formula with the claim checker. */
static rj_verdict_kind
decide(const char *defs, const char *formula, char **evidence)
{
    rj_prog_t prog;
    rj_env_t env;
    rj_error_t err;
    rj_verdict_kind v = RJ_VERDICT_ERROR;
    char *text = flint_malloc(strlen(defs) + strlen(formula) + 64), buf[1024];
    char *ev = NULL;
    int st;
    sprintf(text, "%sclaim c \"t\" expect PROVED: %s\n", defs, formula);
    rj_prog_init(prog);
    rj_error_init(err);
    st = rj_parse_string(prog, text, "formula", err);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(st == RJ_OK, "parse of '%s' failed: %s", text, buf);
    rj_claims_env_init(env, NULL);
    st = rj_eval_defs(env, prog, err);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(st == RJ_OK, "definitions '%s' failed: %s", defs, buf);
    st = rj_claims_decide(&v, &ev, NULL, prog->stmts[prog->len - 1].expr, env, err);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(st == RJ_OK, "'%s': %s", formula, buf);
    if (evidence != NULL)
        *evidence = ev;
    else
        flint_free(ev);
    rj_claims_env_clear(env);
    rj_prog_clear(prog);
    flint_free(text);
    return v;
}

/* The witness of a REFUTED quantifier "J = [[..]], K = [[..]] (integer m x m
   ...", as `let` definitions of the printed matrices and I = identity(m). */
static void
witness_defs(char *defs, size_t size, const char *ev, const char *const *names, slong k)
{
    char *cut, *w = rj_strdup(ev);
    slong i, m = 0;
    size_t len = 0;
    cut = strstr(w, " (integer ");
    ck_assert_msg(cut != NULL, "no witness in '%s'", ev);
    ck_assert_int_eq(sscanf(cut, " (integer %ld", &m), 1);
    *cut = '\0';
    len += snprintf(defs + len, size - len, "let I = identity(%ld)\n", (long) m);
    for (i = k - 1; i >= 0; i--) {      /* the names appear in order: cut from the end */
        char key[64];
        char *at;
        snprintf(key, sizeof(key), "%s%s = ", i > 0 ? ", " : "", names[i]);
        at = i > 0 ? strstr(w, key) : w;
        ck_assert_msg(at != NULL && (i > 0 || strncmp(w, key, strlen(key)) == 0),
                      "witness '%s' lacks %s", ev, names[i]);
        len += snprintf(defs + len, size - len, "let %s\n", at + (i > 0 ? 2 : 0));
        ck_assert(len < size);
        *at = '\0';
    }
    flint_free(w);
}

/* Decide `body` again with only those definitions, by the plain evaluator:
   it must be REFUTED. */
static void
recheck_witness(const char *ev, const char *const *names, slong k, const char *body)
{
    char defs[8192], *ev2 = NULL;
    rj_verdict_kind v2;
    witness_defs(defs, sizeof(defs), ev, names, k);
    v2 = decide(defs, body, &ev2);
    ck_assert_msg(v2 == RJ_VERDICT_REFUTED, "witness of %s: %s: %s", body, defs, ev2);
    flint_free(ev2);
}

/* The formula is UNDECIDED and its evidence names part (a limit, a rule). */
static void
expect_undecided(const char *formula, const char *part)
{
    char *ev = NULL;
    ck_assert_msg(decide("", formula, &ev) == RJ_VERDICT_UNDECIDED, "'%s': %s", formula, ev);
    ck_assert_msg(strstr(ev, part) != NULL, "'%s': %s", formula, ev);
    flint_free(ev);
}

/* ---------------------------------------------------------------- tests */

/* Normal forms of random expressions, evaluated at random integer matrices,
   equal the same expressions computed directly on those matrices. */
START_TEST(test_normal_form_vs_direct)
{
    flint_rand_t st;
    slong iter, iters = rj_test_iters(300);
    rj_test_randinit(st, seed);
    for (iter = 0; iter < iters; iter++) {
        slong n = 1 + (slong) n_randint(st, 4);
        fmpq_mat_struct *mats = random_mats(st, NSYM, n, 5);
        fmpq_mat_t M, E;
        rj_sym_t p, q;
        rj_error_t err;
        char *s;
        fmpq_mat_init(M, n, n);
        fmpq_mat_init(E, n, n);
        rj_sym_init(p);
        rj_sym_init(q);
        rj_error_init(err);
        random_expr(p, M, st, mats, n, 4);
        ck_assert_int_eq(rj_sym_evaluate_fmpq_mat(E, p, mats, NSYM, n, err), RJ_OK);
        s = rj_sym_get_str(p, sym_names);
        RJ_CHECK(fmpq_mat_equal(E, M), seed, "case %ld: normal form %s disagrees with the "
                 "direct evaluation at %ld x %ld", (long) iter, s, (long) n, (long) n);
        /* the normal form is canonical: transposing twice gives it back */
        rj_sym_transpose(q, p);
        rj_sym_transpose(q, q);
        RJ_CHECK(rj_sym_equal(p, q), seed, "case %ld: p'' != p for %s", (long) iter, s);
        /* and p - p is 0 */
        ck_assert_int_eq(rj_sym_sub(q, p, p, NULL, err), RJ_OK);
        RJ_CHECK(rj_sym_is_zero(q), seed, "case %ld: p - p != 0 for %s", (long) iter, s);
        flint_free(s);
        rj_sym_clear(p);
        rj_sym_clear(q);
        fmpq_mat_clear(M);
        fmpq_mat_clear(E);
        free_mats(mats, NSYM);
    }
    flint_randclear(st);
}
END_TEST

/* prod_{l=L..1} (I + J_l) by products in the free algebra equals the sum of
   the 2^L subset words formed directly, and both hold on random matrices. */
START_TEST(test_expansion_identity)
{
    flint_rand_t st;
    slong L;
    rj_test_randinit(st, seed + 1);
    for (L = 1; L <= 7; L++) {
        rj_sym_t prod, sub, f, one;
        fmpq_t c1;
        slong **words = flint_malloc((WORD(1) << L) * sizeof(slong *)), *lens, l, nw = 0, n;
        ulong mask;
        rj_error_t err;
        fmpq_mat_struct *mats;
        fmpq_mat_t D, E, T;
        lens = flint_malloc((WORD(1) << L) * sizeof(slong));
        rj_sym_init(prod);
        rj_sym_init(sub);
        rj_sym_init(f);
        rj_sym_init(one);
        fmpq_init(c1);
        fmpq_one(c1);
        rj_error_init(err);
        rj_sym_set_fmpq(prod, c1);
        rj_sym_set_fmpq(one, c1);
        for (l = 0; l < L; l++) {
            rj_sym_set_symbol(f, l, 0);
            ck_assert_int_eq(rj_sym_add(f, one, f, NULL, err), RJ_OK);
            ck_assert_int_eq(rj_sym_mul(prod, f, prod, NULL, err), RJ_OK);
        }
        for (mask = 0; mask < (UWORD(1) << L); mask++) {
            slong c = 0;
            words[nw] = flint_malloc(L * sizeof(slong));
            for (l = L - 1; l >= 0; l--)
                if (mask & (UWORD(1) << l))
                    words[nw][c++] = 2 * l;
            lens[nw++] = c;
        }
        ck_assert_int_eq(rj_sym_set_words(sub, (const slong *const *) words, lens, nw, NULL,
                                          err), RJ_OK);
        ck_assert_msg(rj_sym_equal(prod, sub), "L = %ld: product != subset sum", (long) L);
        ck_assert_int_eq(prod->len, WORD(1) << L);
        /* exact instance, computed by fmpq_mat directly */
        n = L / 2 + 1;
        mats = random_mats(st, L, n, 4);
        fmpq_mat_init(D, n, n);
        fmpq_mat_init(E, n, n);
        fmpq_mat_init(T, n, n);
        fmpq_mat_one(D);
        for (l = 0; l < L; l++) {
            fmpq_mat_one(T);
            fmpq_mat_add(T, T, mats + l);
            fmpq_mat_mul(D, T, D);
        }
        ck_assert_int_eq(rj_sym_evaluate_fmpq_mat(E, sub, mats, L, n, err), RJ_OK);
        RJ_CHECK(fmpq_mat_equal(D, E), seed, "L = %ld: the expansion fails on an instance",
                 (long) L);
        for (l = 0; l < nw; l++)
            flint_free(words[l]);
        flint_free(words);
        flint_free(lens);
        free_mats(mats, L);
        fmpq_mat_clear(D);
        fmpq_mat_clear(E);
        fmpq_mat_clear(T);
        rj_sym_clear(prod);
        rj_sym_clear(sub);
        rj_sym_clear(f);
        rj_sym_clear(one);
        fmpq_clear(c1);
    }
    flint_randclear(st);
}
END_TEST

/* det, charpoly and adjugate of generic matrices, evaluated at random integer
   points, against FLINT's fmpq_mat_det / fmpq_mat_charpoly and adj(A) A =
   det(A) I. */
START_TEST(test_pmat_vs_fmpq_mat)
{
    flint_rand_t st;
    slong n, iter;
    rj_test_randinit(st, seed + 2);
    for (n = 1; n <= 4; n++) {
        fmpq_mpoly_ctx_t ctx;
        rj_pmat_t A, adj;
        fmpq_mpoly_t det, cp;
        rj_error_t err;
        rj_error_init(err);
        ck_assert_int_eq(rj_pmat_ctx_init(ctx, 1, n, err), RJ_OK);
        rj_pmat_init(A, 0, 0, ctx);
        rj_pmat_init(adj, 0, 0, ctx);
        fmpq_mpoly_init(det, ctx);
        fmpq_mpoly_init(cp, ctx);
        rj_pmat_set_generic(A, 0, 0, n, ctx);
        ck_assert_int_eq(rj_pmat_det(det, A, ctx, err), RJ_OK);
        ck_assert_int_eq(rj_pmat_charpoly(cp, A, ctx, err), RJ_OK);
        ck_assert_int_eq(rj_pmat_adjugate(adj, A, ctx, err), RJ_OK);
        for (iter = 0; iter < rj_test_iters(20); iter++) {
            slong nv = fmpq_mpoly_ctx_nvars(ctx), i, j;
            fmpq *pt = _fmpq_vec_init(nv);
            fmpq **ptp = flint_malloc(nv * sizeof(fmpq *));
            fmpq_mat_t M, ADJ, P;
            fmpq_poly_t ref;
            fmpq_t d, dref, tval, cv, cref;
            fmpq_mat_init(M, n, n);
            fmpq_mat_init(ADJ, n, n);
            fmpq_mat_init(P, n, n);
            fmpq_poly_init(ref);
            fmpq_init(d);
            fmpq_init(dref);
            fmpq_init(tval);
            fmpq_init(cv);
            fmpq_init(cref);
            rj_test_randmat(M, st, 9, 4);
            for (i = 0; i < n; i++)
                for (j = 0; j < n; j++)
                    fmpq_set(pt + i * n + j, fmpq_mat_entry(M, i, j));
            rj_test_randq(tval, st, 9, 2);
            fmpq_set(pt + nv - 1, tval);
            for (i = 0; i < nv; i++)
                ptp[i] = pt + i;
            ck_assert(fmpq_mpoly_evaluate_all_fmpq(d, det, ptp, ctx));
            fmpq_mat_det(dref, M);
            RJ_CHECK(fmpq_equal(d, dref), seed, "n = %ld: det disagrees", (long) n);
            ck_assert(fmpq_mpoly_evaluate_all_fmpq(cv, cp, ptp, ctx));
            fmpq_mat_charpoly(ref, M);
            fmpq_poly_evaluate_fmpq(cref, ref, tval);
            RJ_CHECK(fmpq_equal(cv, cref), seed, "n = %ld: charpoly disagrees", (long) n);
            for (i = 0; i < n * n; i++)
                ck_assert(fmpq_mpoly_evaluate_all_fmpq(fmpq_mat_entry(ADJ, i / n, i % n),
                                                       adj->e + i, ptp, ctx));
            fmpq_mat_mul(P, ADJ, M);
            for (i = 0; i < n; i++)
                for (j = 0; j < n; j++) {
                    const fmpq *e = fmpq_mat_entry(P, i, j);
                    RJ_CHECK(i == j ? fmpq_equal(e, dref) : fmpq_is_zero(e), seed,
                             "n = %ld: adj(A) A != det(A) I", (long) n);
                }
            _fmpq_vec_clear(pt, nv);
            flint_free(ptp);
            fmpq_mat_clear(M);
            fmpq_mat_clear(ADJ);
            fmpq_mat_clear(P);
            fmpq_poly_clear(ref);
            fmpq_clear(d);
            fmpq_clear(dref);
            fmpq_clear(tval);
            fmpq_clear(cv);
            fmpq_clear(cref);
        }
        rj_pmat_clear(A, ctx);
        rj_pmat_clear(adj, ctx);
        fmpq_mpoly_clear(det, ctx);
        fmpq_mpoly_clear(cp, ctx);
        fmpq_mpoly_ctx_clear(ctx);
    }
    flint_randclear(st);
}
END_TEST

/* True identities and their mutants through the claim checker: the identity
   PROVED, each mutant never PROVED but REFUTED with a witness that the plain
   evaluator refutes again. */
typedef struct {
    const char *quant;          /* "forall J, K in matrices: " */
    const char *names[4];
    slong k;
    const char *body;
    const char *mutants[3];     /* a factor dropped, an order swapped, a transpose removed */
} ident_case;

static const ident_case idents[] = {
    { "forall J, K in matrices: ", { "J", "K" }, 2, "(J * K)' == K' * J'",
      { "(J * K)' == K'", "(J * K)' == J' * K'", "(J * K)' == K * J'" } },
    { "forall J_1..J_3 in matrices: ", { "J_1", "J_2", "J_3" }, 3,
      "prod(l in 1..3: I + J[l]) == path_terms(J)",
      { "(I + J_3) * (I + J_1) == I + J_1 + J_2 + J_3 + J_2 * J_1 + J_3 * J_1 + J_3 * J_2 "
        "+ J_3 * J_2 * J_1",
        "(I + J_3) * (I + J_2) * (I + J_1) == I + J_1 + J_2 + J_3 + J_1 * J_2 + J_3 * J_1 + "
        "J_3 * J_2 + J_3 * J_2 * J_1",
        "(J_3 * J_2 * J_1)' == J_1' * J_2 * J_3'" } },
    { "forall J, K in matrices: ", { "J", "K" }, 2, "(I + J) * (I + K) == I + J + K + J * K",
      { "(I + J) * (I + K) == I + J + K", "(I + J) * (I + K) == I + J + K + K * J",
        "(I + J') * (I + K) == I + J + K + J * K" } },
    { "forall J in matrices(3, 3): ", { "J" }, 1,
      "charpoly(I + J) == compose(charpoly(J), t - 1)",
      { "charpoly(I + J) == charpoly(J)", "charpoly(I + J) == compose(charpoly(J), t + 1)",
        "charpoly(J * J') == charpoly(J * J)" } },
    { "forall J, K in matrices(2, 2): ", { "J", "K" }, 2, "det(J * K') == det(J) * det(K)",
      { "det(J * K') == det(J)", "det(J - K) == det(K - J) + 1",
        "trace(J * K') == trace(J * K)" } },
};

START_TEST(test_identities_and_mutants)
{
    slong i, j;
    for (i = 0; i < (slong) (sizeof(idents) / sizeof(idents[0])); i++) {
        const ident_case *c = idents + i;
        char f[1024], *ev = NULL;
        rj_verdict_kind v;
        snprintf(f, sizeof(f), "%s%s", c->quant, c->body);
        v = decide("", f, &ev);
        ck_assert_msg(v == RJ_VERDICT_PROVED, "'%s': %s (%s)", f, rj_verdict_name(v), ev);
        flint_free(ev);
        for (j = 0; j < 3; j++) {
            snprintf(f, sizeof(f), "%s%s", c->quant, c->mutants[j]);
            v = decide("", f, &ev);
            ck_assert_msg(v == RJ_VERDICT_REFUTED, "mutant '%s': %s (%s)", f,
                          rj_verdict_name(v), ev);
            recheck_witness(ev, c->names, c->k, c->mutants[j]);
            flint_free(ev);
        }
    }
}
END_TEST

/* Every PROVED identity holds on exact instances computed by the plain
   evaluator (the same formula with integer matrices bound by let). */
START_TEST(test_proved_hold_on_instances)
{
    flint_rand_t st;
    slong i, iter, s;
    rj_test_randinit(st, seed + 3);
    for (i = 0; i < (slong) (sizeof(idents) / sizeof(idents[0])); i++) {
        const ident_case *c = idents + i;
        slong n = strstr(c->quant, "(2, 2)") ? 2 : strstr(c->quant, "(3, 3)") ? 3 : 0;
        for (iter = 0; iter < rj_test_iters(5); iter++) {
            slong m = n > 0 ? n : 1 + (slong) n_randint(st, 4);
            char defs[8192];
            slong len = snprintf(defs, sizeof(defs), "let I = identity(%ld)\n", (long) m);
            fmpq_mat_struct *mats = random_mats(st, c->k, m, 6);
            for (s = 0; s < c->k; s++) {
                rj_val_t v;
                char *ms;
                rj_val_init(v);
                rj_val_set_fmpq_mat(v, mats + s);
                ms = rj_val_get_str(v);
                len += snprintf(defs + len, sizeof(defs) - len, "let %s = %s\n", c->names[s],
                                ms);
                flint_free(ms);
                rj_val_clear(v);
            }
            if (c->k == 3 && strcmp(c->names[0], "J_1") == 0) {
                /* the family: path_terms(J) by the brute sum over subsets */
                RJ_CHECK(decide(defs, "(I + J_3) * (I + J_2) * (I + J_1) == I + J_1 + J_2 + "
                                "J_3 + J_2 * J_1 + J_3 * J_1 + J_3 * J_2 + J_3 * J_2 * J_1",
                                NULL) == RJ_VERDICT_PROVED, seed, "expansion instance");
            } else
                RJ_CHECK(decide(defs, c->body, NULL) == RJ_VERDICT_PROVED, seed,
                         "'%s' fails on an instance of size %ld", c->body, (long) m);
            free_mats(mats, c->k);
        }
    }
    flint_randclear(st);
}
END_TEST

/* Identities true only at one size: decided by the polynomial entries there,
   refuted at a larger size and for every size. */
START_TEST(test_fixed_size_only)
{
    char *ev = NULL;
    const char *body = "(J * K - K * J)^2 * M == M * (J * K - K * J)^2";
    const char *names[3] = { "J", "K", "M" };
    char f[512];
    snprintf(f, sizeof(f), "forall J, K, M in matrices(2, 2): %s", body);
    ck_assert_int_eq(decide("", f, NULL), RJ_VERDICT_PROVED);
    snprintf(f, sizeof(f), "forall J, K, M in matrices(3, 3): %s", body);
    ck_assert_int_eq(decide("", f, &ev), RJ_VERDICT_REFUTED);
    recheck_witness(ev, names, 3, body);
    flint_free(ev);
    snprintf(f, sizeof(f), "forall J, K, M in matrices: %s", body);
    ck_assert_int_eq(decide("", f, &ev), RJ_VERDICT_REFUTED);
    recheck_witness(ev, names, 3, body);
    flint_free(ev);
    /* Cayley-Hamilton at n = 2, 3, 4 */
    ck_assert_int_eq(decide("", "forall J in matrices(2, 2): charpoly(J)(J) == 0 * J", NULL),
                     RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall J in matrices(4, 4): charpoly(J)(J) == 0 * J", NULL),
                     RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall J in matrices(3, 3): charpoly(J)(J) == J", &ev),
                     RJ_VERDICT_REFUTED);
    flint_free(ev);
}
END_TEST

/* Limits: checked before the work, out unchanged; in a claim, UNDECIDED
   naming the limit. */
START_TEST(test_limits)
{
    rj_sym_t p, q, r;
    rj_sym_limits lim;
    rj_error_t err;
    fmpq_mpoly_ctx_t ctx;
    rj_pmat_t A;
    fmpq_mpoly_t d;
    rj_sym_init(p);
    rj_sym_init(q);
    rj_sym_init(r);
    rj_error_init(err);
    rj_sym_limits_default(&lim);
    lim.max_degree = 4;
    rj_sym_set_symbol(p, 0, 0);
    ck_assert_int_eq(rj_sym_pow_ui(q, p, 4, &lim, err), RJ_OK);
    rj_sym_set(r, q);
    ck_assert_int_eq(rj_sym_mul(q, q, p, &lim, err), RJ_ERR_LIMIT);
    ck_assert(rj_sym_equal(q, r));                  /* unchanged */
    ck_assert_int_eq(rj_sym_pow_ui(q, p, 5, &lim, err), RJ_ERR_LIMIT);
    lim.max_degree = 10;
    lim.max_terms = 3;
    rj_sym_set_symbol(q, 1, 0);
    ck_assert_int_eq(rj_sym_add(r, p, q, &lim, err), RJ_OK);       /* 2 terms */
    ck_assert_int_eq(rj_sym_mul(q, r, r, &lim, err), RJ_ERR_LIMIT); /* 4 > 3 */
    lim.max_symbols = 1;
    ck_assert_int_eq(rj_sym_add(q, r, r, &lim, err), RJ_ERR_LIMIT);
    ck_assert_int_eq(rj_pmat_ctx_init(ctx, 100, 4, err), RJ_ERR_LIMIT);
    ck_assert_int_eq(rj_pmat_ctx_init(ctx, 1, 7, err), RJ_OK);
    rj_pmat_init(A, 0, 0, ctx);
    fmpq_mpoly_init(d, ctx);
    rj_pmat_set_generic(A, 0, 0, 7, ctx);
    ck_assert_int_eq(rj_pmat_det(d, A, ctx, err), RJ_ERR_LIMIT);
    fmpq_mpoly_clear(d, ctx);
    rj_pmat_clear(A, ctx);
    fmpq_mpoly_ctx_clear(ctx);
    /* in claims: UNDECIDED with the limit named */
    expect_undecided("forall J in matrices: J^40 == J^40", "limit");
    expect_undecided("forall J in matrices(7, 7): det(J) == det(J')", "limit");
    /* past the entry variables' limit the free algebra still proves, the
       entries' functions are undecided */
    ck_assert_int_eq(decide("", "forall J, K, M, N, P in matrices(15, 15): (J * K * M)' == "
                            "M' * K' * J'", NULL), RJ_VERDICT_PROVED);
    expect_undecided("forall J, K, M, N, P in matrices(15, 15): det(J * K) == "
                     "det(K * J)", "limit of 1024");
    expect_undecided("forall J_1..J_200 in matrices: J_1 == J_1", "limit");
    rj_sym_clear(p);
    rj_sym_clear(q);
    rj_sym_clear(r);
}
END_TEST

/* Bad input: located errors from the parser and the quantifier. */
static void
expect_error(const char *text, const char *part)
{
    rj_claim_results_t res;
    rj_prog_t prog;
    rj_error_t err;
    char buf[1024];
    int st;
    rj_prog_init(prog);
    rj_error_init(err);
    rj_claim_results_init(res);
    st = rj_parse_string(prog, text, "bad.rj", err);
    if (st == RJ_OK) {
        ck_assert_int_eq(rj_claims_check_prog(res, prog, NULL, NULL, err), RJ_OK);
        ck_assert_int_eq(res->len, 1);
        ck_assert_msg(res->items[0].verdict == RJ_VERDICT_ERROR, "'%s': %s", text,
                      rj_verdict_name(res->items[0].verdict));
        ck_assert_msg(strstr(res->items[0].evidence, part) != NULL, "'%s': %s", text,
                      res->items[0].evidence);
    } else {
        rj_error_format(buf, sizeof(buf), err);
        ck_assert_msg(strstr(buf, part) != NULL && strstr(buf, "bad.rj:1:") != NULL,
                      "'%s': %s", text, buf);
    }
    rj_claim_results_clear(res);
    rj_prog_clear(prog);
}

START_TEST(test_bad_input)
{
    expect_error("claim c \"r\" expect PROVED: forall J_1..K_3 in matrices: J_1 == J_1\n",
                 "family");
    expect_error("claim c \"r\" expect PROVED: forall J_1..J_3 in random(rows = 2): J_1 == J_1\n",
                 "matrices");
    expect_error("claim c \"r\" expect PROVED: forall J in matrices(2, 3): J == J\n",
                 "square");
    expect_error("claim c \"r\" expect PROVED: forall J in matrices(2, 2): forall K in "
                 "matrices(3, 3): J == J\n", "one size");
    expect_error("claim c \"r\" expect PROVED: forall J in matrices: J == J and forall K in "
                 "matrices: K == K\n", "follow it directly");
    expect_error("claim c \"r\" expect PROVED: forall J in matrices: J + 1 == J\n",
                 "c * I");
    expect_error("claim c \"r\" expect PROVED: forall J in matrices(size = 2): J == J\n",
                 "unknown key");
    /* regression: a function of a family while counterexamples were tried
       (the family then concrete) dereferenced a missing scope */
    expect_error("claim c \"r\" expect PROVED: forall J_1..J_2 in matrices: det(J) == 0\n",
                 "family");
}
END_TEST

/* forall a, b in D: F is forall a in D: forall b in D: F, for every kind of
   domain (each name gets its own copy of D). */
START_TEST(test_several_names)
{
    static const char *const pairs[][2] = {
        { "forall a, b in 1..3: a * b == b * a",
          "forall a in 1..3: forall b in 1..3: a * b == b * a" },
        { "forall a, b in 1..3: a <= b", "forall a in 1..3: forall b in 1..3: a <= b" },
        { "forall J, K in random(rows = 2, norm = fro, bound = 1, count = 3): J + K == K + J",
          "forall J in random(rows = 2, norm = fro, bound = 1, count = 3): forall K in "
          "random(rows = 2, norm = fro, bound = 1, count = 3): J + K == K + J" },
        { "forall J, K in matrices: J * K == K * J",
          "forall J in matrices: forall K in matrices: J * K == K * J" },
    };
    slong i;
    for (i = 0; i < (slong) (sizeof(pairs) / sizeof(pairs[0])); i++) {
        char *e1 = NULL, *e2 = NULL;
        rj_verdict_kind v1 = decide("", pairs[i][0], &e1), v2 = decide("", pairs[i][1], &e2);
        ck_assert_msg(v1 == v2 && strcmp(e1, e2) == 0, "'%s': %s (%s) but '%s': %s (%s)",
                      pairs[i][0], rj_verdict_name(v1), e1, pairs[i][1], rj_verdict_name(v2),
                      e2);
        flint_free(e1);
        flint_free(e2);
    }
    ck_assert_int_eq(decide("", pairs[1][0], NULL), RJ_VERDICT_REFUTED);
}
END_TEST

/* ------------------------------------------------ mutations of the bundled claims */

static const char *
srcdir(void)
{
    const char *s = getenv("srcdir");
    return s != NULL ? s : ".";
}

typedef struct {
    rj_expr_struct *parent;
    slong idx;
    int kind;               /* 0: drop a transpose, 1: swap a product, 2, 3: keep one factor */
} mut_site;

static void
collect_sites(mut_site *sites, slong *n, slong max, rj_expr_struct *e)
{
    slong i;
    for (i = 0; i < e->nargs; i++) {
        rj_expr_struct *c = e->args[i];
        if (c->kind == RJ_EXPR_TRANSPOSE && *n < max)
            sites[(*n)++] = (mut_site) { e, i, 0 };
        if (c->kind == RJ_EXPR_BINOP && c->op == '*') {
            int k;
            for (k = 1; k <= 3 && *n < max; k++)
                sites[(*n)++] = (mut_site) { e, i, k };
        }
        collect_sites(sites, n, max, c);
    }
}

/* Apply (undo = 0) or undo (undo = 1) a mutation. */
static void
mutate(const mut_site *m, int undo, rj_expr_struct **saved)
{
    rj_expr_struct *c = m->parent->args[m->idx], *t;
    switch (m->kind) {
    case 0:
    case 2:
    case 3:
        if (!undo) {
            *saved = c;
            m->parent->args[m->idx] = c->args[m->kind == 3 ? 1 : 0];
        } else
            m->parent->args[m->idx] = *saved;
        break;
    default:
        t = c->args[0];
        c->args[0] = c->args[1];
        c->args[1] = t;
    }
}

/* The names and size of the chain of matrix quantifiers at f; its body. */
static const rj_expr_struct *
chain_of(const rj_expr_struct *f, char names[][32], slong *k, slong *n)
{
    *k = 0;
    *n = 0;
    while (f->kind == RJ_EXPR_FORALL_RANDOM && strcmp(f->args[0]->name, "matrices") == 0) {
        const rj_expr_struct *call = f->args[0];
        slong i, fam = -1, l;
        for (i = 0; i < call->nargs; i++) {
            slong v = fmpz_get_si(fmpq_numref(call->args[i]->num));
            if (call->argnames[i] != NULL)
                fam = v;
            else
                *n = v;
        }
        for (l = 0; l < FLINT_MAX(fam, 1); l++) {
            if (fam < 0)
                snprintf(names[*k], 32, "%s", f->name);
            else
                snprintf(names[*k], 32, "%s_%ld", f->name, (long) (l + 1));
            (*k)++;
        }
        f = f->args[1];
    }
    return f;
}

/* The body holds on random integer instances (plain evaluation). */
static int
holds_on_instances(const rj_expr_struct *body, char names[][32], slong k, slong n,
                   flint_rand_t st)
{
    slong iter, s;
    for (iter = 0; iter < 3; iter++) {
        slong m = n > 0 ? n : 1 + (slong) n_randint(st, 4);
        rj_env_t env;
        rj_val_t v;
        rj_error_t err;
        rj_verdict_kind vk;
        char *ev = NULL;
        fmpq_mat_struct *mats = random_mats(st, k + 1, m, 5);
        rj_claims_env_init(env, NULL);
        rj_val_init(v);
        rj_error_init(err);
        fmpq_mat_one(mats + k);
        rj_val_set_fmpq_mat(v, mats + k);
        rj_env_bind(env, "I", v);
        for (s = 0; s < k; s++) {
            rj_val_set_fmpq_mat(v, mats + s);
            rj_env_bind(env, names[s], v);
        }
        ck_assert_int_eq(rj_claims_decide(&vk, &ev, NULL, body, env, err), RJ_OK);
        flint_free(ev);
        rj_val_clear(v);
        rj_claims_env_clear(env);
        free_mats(mats, k + 1);
        if (vk != RJ_VERDICT_PROVED)
            return 0;
    }
    return 1;
}

/* Every PROVED claim of proofs/12-symbolic.rj whose formula is a chain of
   matrix quantifiers, mutated at every transpose and product (transpose
   dropped, factors swapped, a factor dropped): a mutant PROVED must hold on
   exact instances (an equivalent mutation, such as swapping a scalar), each
   REFUTED one's witness is decided again by the plain evaluator, and each
   claim has refuted mutants. */
/* f decided in a fresh claims environment (with name = L bound when name is
   not NULL); the verdict, *ev its evidence. */
static rj_verdict_kind
decide_claim(char **ev, const rj_expr_struct *f, const char *name, slong L)
{
    rj_env_t env;
    rj_error_t err;
    rj_verdict_kind v;
    rj_claims_env_init(env, NULL);
    rj_error_init(err);
    if (name != NULL) {
        rj_val_t lv;
        rj_val_init(lv);
        lv->kind = RJ_VAL_NUM;
        fmpq_set_si(lv->num, L, 1);
        rj_env_push(env, name, lv);
        rj_val_clear(lv);
    }
    ck_assert_int_eq(rj_claims_decide(&v, ev, NULL, f, env, err), RJ_OK);
    rj_claims_env_clear(env);
    return v;
}

START_TEST(test_bundled_mutants)
{
    rj_prog_t prog;
    rj_error_t err;
    char path[4096];
    flint_rand_t st;
    slong i, j, claims = 0, total = 0, refuted = 0, proved = 0;
    rj_test_randinit(st, seed + 4);
    snprintf(path, sizeof(path), "%s/proofs/12-symbolic.rj", srcdir());
    rj_prog_init(prog);
    rj_error_init(err);
    ck_assert_int_eq(rj_parse_file(prog, path, err), RJ_OK);
    for (i = 0; i < prog->len; i++) {
        rj_stmt_struct *c = prog->stmts + i;
        mut_site sites[64];
        slong ns = 0, k, n, nref = 0;
        char names[16][32];
        const rj_expr_struct *body;
        if (c->kind != RJ_STMT_CLAIM || c->expect != RJ_VERDICT_PROVED
            || !(c->expr->kind == RJ_EXPR_FORALL_RANDOM
                 && strcmp(c->expr->args[0]->name, "matrices") == 0))
            continue;
        body = chain_of(c->expr, names, &k, &n);
        claims++;
        collect_sites(sites, &ns, 64, c->expr);
        for (j = 0; j < ns; j++) {
            rj_verdict_kind v;
            rj_expr_struct *saved = NULL;
            char *ev = NULL;
            mutate(sites + j, 0, &saved);
            v = decide_claim(&ev, c->expr, NULL, 0);
            total++;
            if (v == RJ_VERDICT_PROVED) {
                proved++;
                RJ_CHECK(holds_on_instances(body, names, k, n, st), seed,
                         "claim %s, mutant %ld: PROVED but fails on an instance", c->name,
                         (long) j);
            } else if (v == RJ_VERDICT_REFUTED) {
                const char *nm[16];
                char defs[8192], *ev2 = NULL;
                rj_verdict_kind v2;
                rj_env_t e2;
                rj_prog_t p2;
                slong q;
                for (q = 0; q < k; q++)
                    nm[q] = names[q];
                refuted++;
                nref++;
                /* the witness, decided again on the plain body */
                witness_defs(defs, sizeof(defs), ev, nm, k);
                rj_prog_init(p2);
                ck_assert_int_eq(rj_parse_string(p2, defs, "witness", err), RJ_OK);
                rj_claims_env_init(e2, NULL);
                ck_assert_int_eq(rj_eval_defs(e2, p2, err), RJ_OK);
                ck_assert_int_eq(rj_claims_decide(&v2, &ev2, NULL, body, e2, err), RJ_OK);
                RJ_CHECK(v2 == RJ_VERDICT_REFUTED, seed, "claim %s, mutant %ld: the witness "
                         "is not refuted again: %s", c->name, (long) j, ev2);
                flint_free(ev2);
                rj_claims_env_clear(e2);
                rj_prog_clear(p2);
            }
            flint_free(ev);
            mutate(sites + j, 1, &saved);
        }
        ck_assert_msg(nref > 0, "claim %s: no mutant refuted", c->name);
    }
    fprintf(stderr, "bundled mutants: %ld claims, %ld mutants, %ld REFUTED, %ld PROVED "
            "(equivalent, checked on instances)\n", (long) claims, (long) total,
            (long) refuted, (long) proved);
    ck_assert(claims >= 4);
    rj_prog_clear(prog);
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- block Jacobians [SY 4] */

/* diag(act'(z)) computed here from the sign of z, a tie (z = 0) taken from
   the side `right` (1) or left (0), as the exact layer's RJ_TIE_RIGHT / LEFT. */
static void
test_act_diag(fmpq_mat_t D, const rj_act_t a, const fmpq_mat_t z, int right, int *tie)
{
    slong i;
    fmpq_mat_zero(D);
    for (i = 0; i < fmpq_mat_nrows(z); i++) {
        int sg = fmpq_sgn(fmpq_mat_entry(z, i, 0));
        fmpq *d = fmpq_mat_entry(D, i, i);
        if (sg == 0)
            *tie = 1;
        if (a->kind == RJ_ACT_IDENTITY || sg > 0 || (sg == 0 && right))
            fmpq_one(d);
        else if (a->kind == RJ_ACT_LEAKY_RELU)
            fmpq_set(d, a->slope);
    }
}

static void
test_act_apply(fmpq_mat_t y, const rj_act_t a, const fmpq_mat_t z)
{
    slong i;
    fmpq_mat_set(y, z);
    for (i = 0; i < fmpq_mat_nrows(y); i++) {
        fmpq *v = fmpq_mat_entry(y, i, 0);
        if (fmpq_sgn(v) < 0 && a->kind == RJ_ACT_RELU)
            fmpq_zero(v);
        else if (fmpq_sgn(v) < 0 && a->kind == RJ_ACT_LEAKY_RELU)
            fmpq_mul(v, v, a->slope);
    }
}

/* The symbolic Jacobian of every kind of block (placement, skip, one or two
   layers, relu / leaky_relu / identity inside and outside, with or without
   bias), instantiated with random integer weights and points -- with D_in,
   D_out computed here from the forward pass -- equals the exact layer's
   Jacobian, away from ties and at ties under both one-sided conventions (two
   points of the Clarke set). */
START_TEST(test_block_jacobian_vs_exact)
{
    flint_rand_t st;
    slong it, ties = 0, cases = 0;
    rj_test_randinit(st, seed + 10);
    for (it = 0; it < 600; it++) {
        slong m = 1 + n_randint(st, 4), s;
        int skip = n_randint(st, 4), place = n_randint(st, 3), two = n_randint(st, 2);
        int act = n_randint(st, 3), outer = n_randint(st, 3), bias = n_randint(st, 2);
        int right, tie = 0;
        rj_block_t b;
        rj_net_t net;
        rj_sym_block_t sb;
        rj_sym_t J;
        rj_error_t err;
        fmpq_mat_struct mats[5];
        fmpq_mat_t x, u, z, h, sx, Je, Js;
        rj_tie_policy pol;
        rj_block_init(b);
        rj_test_randblock(b, st, m, two ? m : 0, m, skip, place, act, outer, bias, 2, 1);
        rj_net_init(net);
        rj_net_append(net, b, NULL);
        rj_sym_block_init(sb);
        sb->place = place;
        sb->skip = skip;
        sb->two_layer = two;
        rj_sym_set_symbol(sb->W1, 0, 0);
        rj_sym_set_symbol(sb->W2, 1, 0);
        rj_sym_set_symbol(sb->P, 2, 0);
        fmpq_set(sb->alpha, b->alpha);
        rj_sym_init(J);
        rj_error_init(err);
        ck_assert_int_eq(rj_sym_block_jacobian(J, NULL, NULL, sb, 3, 4, NULL, err), RJ_OK);
        for (s = 0; s < 5; s++)
            fmpq_mat_init(mats + s, m, m);
        fmpq_mat_set(mats + 0, b->W1);
        if (two)
            fmpq_mat_set(mats + 1, b->W2);
        if (skip == RJ_SKIP_PROJECT)
            fmpq_mat_set(mats + 2, b->Ws);
        fmpq_mat_init(x, m, 1);
        fmpq_mat_init(u, m, 1);
        fmpq_mat_init(z, m, 1);
        fmpq_mat_init(h, m, 1);
        fmpq_mat_init(sx, m, 1);
        fmpq_mat_init(Je, m, m);
        fmpq_mat_init(Js, m, m);
        /* x = 0 every few cases: every pre-activation without bias is a tie */
        if (it % 5 != 0)
            rj_test_randmat(x, st, 2, 1);
        for (right = 0; right < 2; right++) {
            /* the forward pass, by hand */
            if (place == RJ_PLACE_PRE) {
                test_act_apply(u, b->outer, x);
                test_act_diag(mats + 4, b->outer, x, right, &tie);
            } else
                fmpq_mat_set(u, x);
            fmpq_mat_mul(z, b->W1, u);
            if (bias)
                fmpq_mat_add(z, z, b->b1);
            if (two) {
                test_act_diag(mats + 3, b->act, z, right, &tie);
                test_act_apply(h, b->act, z);
                fmpq_mat_mul(z, b->W2, h);
                if (bias)
                    fmpq_mat_add(z, z, b->b2);
            }
            if (skip == RJ_SKIP_IDENTITY)
                fmpq_mat_set(sx, x);
            else if (skip == RJ_SKIP_SCALED)
                fmpq_mat_scalar_mul_fmpq(sx, x, b->alpha);
            else if (skip == RJ_SKIP_PROJECT)
                fmpq_mat_mul(sx, b->Ws, x);
            else
                fmpq_mat_zero(sx);
            fmpq_mat_add(z, z, sx);
            if (place == RJ_PLACE_POST)
                test_act_diag(mats + 4, b->outer, z, right, &tie);
            ck_assert_int_eq(rj_sym_evaluate_fmpq_mat(Js, J, mats, 5, m, err), RJ_OK);
            pol.mode = right ? RJ_TIE_RIGHT : RJ_TIE_LEFT;
            pol.choice = 0;
            ck_assert_int_eq(rj_exact_jacobian(Je, NULL, net, x, pol, err), RJ_OK);
            if (!fmpq_mat_equal(Je, Js)) {
                char *str = rj_sym_get_str(J, (const char *const[]) { "W1", "W2", "P", "Din",
                                                                        "Dout" });
                fprintf(stderr, "symbolic %s\n", str);
                flint_free(str);
                rj_test_print_mat("x", x);
                rj_test_print_mat("exact", Je);
                rj_test_print_mat("symbolic", Js);
                rj_test_print_net(net);
            }
            RJ_CHECK(fmpq_mat_equal(Je, Js), seed, "case %ld (place %d skip %d two %d, %s)",
                     (long) it, place, skip, two, right ? "right" : "left");
            cases++;
        }
        ties += tie;
        for (s = 0; s < 5; s++)
            fmpq_mat_clear(mats + s);
        fmpq_mat_clear(x);
        fmpq_mat_clear(u);
        fmpq_mat_clear(z);
        fmpq_mat_clear(h);
        fmpq_mat_clear(sx);
        fmpq_mat_clear(Je);
        fmpq_mat_clear(Js);
        rj_sym_clear(J);
        rj_sym_block_clear(sb);
        rj_net_clear(net);
        rj_block_clear(b);
    }
    fprintf(stderr, "block Jacobians: %ld instances, %ld blocks at a tie\n", (long) cases,
            (long) ties);
    ck_assert(ties > 50);
    flint_randclear(st);
}
END_TEST

/* ------------------------------------------------ norm rules (SY 5) */

/* p = c prod (x - r_i)^(m_i) (times x^2 + 1 when q), the roots known. */
static void
poly_from_roots(fmpq_poly_t p, const fmpq *r, const slong *m, slong k, slong c, int q)
{
    fmpq_poly_t f;
    slong i, j;
    fmpq_poly_init(f);
    fmpq_poly_set_si(p, c);
    for (i = 0; i < k; i++)
        for (j = 0; j < m[i]; j++) {
            fmpq_t mr;
            fmpq_init(mr);
            fmpq_neg(mr, r + i);
            fmpq_poly_set_coeff_si(f, 1, 1);
            fmpq_poly_set_coeff_fmpq(f, 0, mr);
            fmpq_poly_mul(p, p, f);
            fmpq_clear(mr);
        }
    if (q) {
        fmpq_poly_zero(f);
        fmpq_poly_set_coeff_si(f, 2, 1);
        fmpq_poly_set_coeff_si(f, 0, 1);
        fmpq_poly_mul(p, p, f);
    }
    fmpq_poly_clear(f);
}

/* The sign of p on I from its known roots: p >= 0 (> 0 if strict) at every
   root in I, at the points halfway between consecutive points of (roots in
   I, finite ends), at the finite ends, and beyond the last root inside an
   unbounded end (one more point). */
static int
nonneg_by_roots(const fmpq_poly_t p, const fmpq *r, slong k, const rj_sym_interval_t I,
                int strict)
{
    fmpq *pts = flint_malloc((2 * k + 8) * sizeof(fmpq));
    slong n = 0, i, j, npts;
    fmpq_t y, t;
    int ok = 1;
    for (i = 0; i < 2 * k + 8; i++)
        fmpq_init(pts + i);
    fmpq_init(y);
    fmpq_init(t);
    for (i = 0; i < k; i++)
        if (rj_sym_interval_contains(I, r + i))
            fmpq_set(pts + n++, r + i);
    if (I->has_lo)
        fmpq_set(pts + n++, I->lo);
    if (I->has_hi)
        fmpq_set(pts + n++, I->hi);
    /* sort */
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (fmpq_cmp(pts + j, pts + i) < 0)
                fmpq_swap(pts + i, pts + j);
    npts = n;
    for (i = 0; i + 1 < npts; i++) {
        fmpq_add(pts + n, pts + i, pts + i + 1);
        fmpq_div_2exp(pts + n, pts + n, 1);
        n++;
    }
    if (npts == 0)
        fmpq_zero(pts + n++);
    else {
        if (!I->has_lo)
            fmpq_sub_si(pts + n++, pts + 0, 1);
        if (!I->has_hi)
            fmpq_add_si(pts + n++, pts + npts - 1, 1);
    }
    for (i = 0; i < n && ok; i++) {
        if (!rj_sym_interval_contains(I, pts + i))
            continue;
        fmpq_poly_evaluate_fmpq(y, p, pts + i);
        ok = strict ? fmpq_sgn(y) > 0 : fmpq_sgn(y) >= 0;
    }
    for (i = 0; i < 2 * k + 8; i++)
        fmpq_clear(pts + i);
    flint_free(pts);
    fmpq_clear(y);
    fmpq_clear(t);
    return ok;
}

/* rj_sym_poly_nonneg (Sturm sequences) against the sign read off known
   roots; the roots counted against the known distinct roots in I; a failing
   point returned lies in I and fails. */
START_TEST(test_poly_sign_vs_roots)
{
    flint_rand_t st;
    slong iter, iters = rj_test_iters(400);
    rj_test_randinit(st, seed + 7);
    for (iter = 0; iter < iters; iter++) {
        slong k = (slong) n_randint(st, 5), i, j, m[5], distinct = 0;
        fmpq r[5];
        fmpq_poly_t p;
        fmpq_t x;
        rj_sym_interval_t I;
        rj_error_t err;
        int strict = (int) n_randint(st, 2), holds, found, want;
        fmpq_poly_init(p);
        fmpq_init(x);
        rj_sym_interval_init(I);
        rj_error_init(err);
        for (i = 0; i < k; i++) {
            fmpq_init(r + i);
            fmpq_set_si(r + i, (slong) n_randint(st, 13) - 6, 1 + n_randint(st, 3));
            m[i] = 1 + (slong) n_randint(st, 3);
        }
        poly_from_roots(p, r, m, k, n_randint(st, 2) ? 3 : -2, (int) n_randint(st, 2));
        if (n_randint(st, 4)) {
            I->has_lo = 1;
            fmpq_set_si(I->lo, (slong) n_randint(st, 9) - 5, 1 + n_randint(st, 2));
            I->lo_closed = (int) n_randint(st, 2);
        }
        if (n_randint(st, 4)) {
            I->has_hi = 1;
            fmpq_set_si(I->hi, (slong) n_randint(st, 9) - 3, 1 + n_randint(st, 2));
            I->hi_closed = (int) n_randint(st, 2);
        }
        if (I->has_lo && I->has_hi && fmpq_cmp(I->lo, I->hi) >= 0)
            fmpq_add_si(I->hi, I->lo, 1);
        ck_assert_int_eq(rj_sym_poly_nonneg(&holds, x, &found, p, I, strict, err), RJ_OK);
        want = nonneg_by_roots(p, r, k, I, strict);
        RJ_CHECK(holds == want, seed, "iter %ld: Sturm says %d, the roots say %d", (long) iter,
                 holds, want);
        if (!holds && found) {
            fmpq_t y;
            fmpq_init(y);
            fmpq_poly_evaluate_fmpq(y, p, x);
            RJ_CHECK(rj_sym_interval_contains(I, x) && (fmpq_sgn(y) < 0
                                                         || (strict && fmpq_is_zero(y))),
                     seed, "iter %ld: the failing point does not fail", (long) iter);
            fmpq_clear(y);
        }
        for (i = 0; i < k; i++) {
            for (j = 0; j < i && !fmpq_equal(r + i, r + j); j++)
                ;
            distinct += j == i && rj_sym_interval_contains(I, r + i);
        }
        RJ_CHECK(rj_sym_poly_count_roots(p, I) == distinct, seed, "iter %ld: %ld roots "
                 "counted, %ld known", (long) iter, (long) rj_sym_poly_count_roots(p, I),
                 (long) distinct);
        for (i = 0; i < k; i++)
            fmpq_clear(r + i);
        fmpq_poly_clear(p);
        fmpq_clear(x);
        rj_sym_interval_clear(I);
    }
    /* the degree limit, checked first */
    {
        fmpq_poly_t p;
        fmpq_t x;
        rj_sym_interval_t I;
        rj_error_t err;
        int holds, found;
        fmpq_poly_init(p);
        fmpq_init(x);
        rj_sym_interval_init(I);
        rj_error_init(err);
        fmpq_poly_set_coeff_si(p, RJ_SYM_MAX_POLY_DEGREE + 1, 1);
        ck_assert_int_eq(rj_sym_poly_nonneg(&holds, x, &found, p, I, 0, err), RJ_ERR_LIMIT);
        ck_assert(strstr(err->msg, "limit") != NULL);
        fmpq_poly_clear(p);
        fmpq_clear(x);
        rj_sym_interval_clear(I);
    }
    flint_randclear(st);
}
END_TEST


/* Depth mutants: a number n in the claim made n + 1, a '+' made '-' (and
   back), or the '*' mutants above.  Walks e; sites[...].kind 4 and 5. */
static void
collect_depth_sites(mut_site *sites, slong *n, slong max, rj_expr_struct *e)
{
    slong i;
    for (i = 0; i < e->nargs; i++) {
        rj_expr_struct *c = e->args[i];
        if (c->kind == RJ_EXPR_NUM && *n < max)
            sites[(*n)++] = (mut_site) { e, i, 4 };
        if (c->kind == RJ_EXPR_BINOP && (c->op == '+' || c->op == '-') && *n < max)
            sites[(*n)++] = (mut_site) { e, i, 5 };
    }
    collect_sites(sites, n, max, e);
    for (i = 0; i < e->nargs; i++)
        if (e->args[i]->kind != RJ_EXPR_BINOP || e->args[i]->op != '*')
            collect_depth_sites(sites, n, max, e->args[i]);
}

static void
mutate_depth(const mut_site *m, int undo, rj_expr_struct **saved)
{
    rj_expr_struct *c = m->parent->args[m->idx];
    if (m->kind == 4)
        fmpq_add_si(c->num, c->num, undo ? -1 : 1);
    else if (m->kind == 5)
        c->op = c->op == '+' ? '-' : '+';
    else
        mutate(m, undo, saved);
}

/* Mutants of the bundled depth claims (proofs/15-depth-identities.rj) are
   never PROVED unless they hold: a PROVED mutant is decided again case by
   case for L = L0..L0 + 60 by the plain evaluator (a second computation); and
   every claim has a mutant that is REFUTED. */
START_TEST(test_depth_mutants)
{
    rj_prog_t prog;
    rj_error_t err;
    char path[4096];
    slong i, j, claims = 0, total = 0, refuted = 0, proved = 0;
    snprintf(path, sizeof(path), "%s/proofs/15-depth-identities.rj", srcdir());
    rj_prog_init(prog);
    rj_error_init(err);
    ck_assert_int_eq(rj_parse_file(prog, path, err), RJ_OK);
    for (i = 0; i < prog->len; i++) {
        rj_stmt_struct *c = prog->stmts + i;
        mut_site sites[256];
        slong ns = 0, nref = 0, L0;
        rj_expr_struct *body;
        if (c->kind != RJ_STMT_CLAIM || c->expect != RJ_VERDICT_PROVED)
            continue;
        ck_assert(c->expr->kind == RJ_EXPR_FORALL || c->expr->kind == RJ_EXPR_FORALL_RANDOM);
        body = c->expr->args[c->expr->nargs - 1];
        L0 = c->expr->kind == RJ_EXPR_FORALL ? fmpz_get_si(fmpq_numref(c->expr->args[0]->num))
                                             : 0;
        claims++;
        collect_depth_sites(sites, &ns, 256, body);
        for (j = 0; j < ns; j++) {
            rj_verdict_kind v;
            rj_expr_struct *saved = NULL;
            char *ev = NULL;
            mutate_depth(sites + j, 0, &saved);
            v = decide_claim(&ev, c->expr, NULL, 0);
            total++;
            if (v == RJ_VERDICT_PROVED) {
                slong L;
                proved++;
                for (L = L0; L <= L0 + 60; L++) {
                    char *ev2 = NULL;
                    RJ_CHECK(decide_claim(&ev2, body, c->expr->name, L) == RJ_VERDICT_PROVED,
                             seed, "claim %s, mutant %ld: PROVED for every L but fails at "
                             "L = %ld: %s", c->name, (long) j, (long) L, ev2);
                    flint_free(ev2);
                }
            } else if (v == RJ_VERDICT_REFUTED) {
                refuted++;
                nref++;
            }
            flint_free(ev);
            mutate_depth(sites + j, 1, &saved);
        }
        ck_assert_msg(nref > 0, "claim %s: no mutant refuted", c->name);
    }
    fprintf(stderr, "depth mutants: %ld claims, %ld mutants, %ld REFUTED, %ld PROVED "
            "(equivalent, checked for 61 depths)\n", (long) claims, (long) total,
            (long) refuted, (long) proved);
    ck_assert(claims >= 8);
    rj_prog_clear(prog);
}
END_TEST

/* A family of concrete matrices for the test's own evaluation (J[l]): an
   extension value with only indexing, independent of src/claims. */
typedef struct {
    slong len;
    fmpq_mat_struct *m;
} tfam;

static void
tfam_free(void *d)
{
    tfam *f = d;
    slong i;
    for (i = 0; i < f->len; i++)
        fmpq_mat_clear(f->m + i);
    flint_free(f->m);
    flint_free(f);
}

static void *
tfam_copy(const void *d)
{
    const tfam *f = d;
    tfam *c = flint_malloc(sizeof(tfam));
    slong i;
    c->len = f->len;
    c->m = flint_malloc(FLINT_MAX(f->len, 1) * sizeof(fmpq_mat_struct));
    for (i = 0; i < f->len; i++)
        fmpq_mat_init_set(c->m + i, f->m + i);
    return c;
}

static char *
tfam_print(const rj_val_struct *v, slong maxlen)
{
    (void) v;
    (void) maxlen;
    return rj_strdup("a test family");
}

static void
tfam_describe(char *buf, int len, const rj_val_struct *v)
{
    (void) v;
    snprintf(buf, len, "a test family");
}

static int
tfam_index(rj_val_struct *out, const rj_val_struct *a, const rj_val_struct *i,
           const rj_val_struct *j, rj_loc_t loc, rj_error_t err)
{
    const tfam *f = a->data;
    slong k;
    int st = rj_val_get_si(&k, i, 1, f->len, 0, "index", "a test family", loc, err);
    (void) j;
    if (st == RJ_OK) {
        rj_val_t r;
        rj_val_init(r);
        rj_val_set_fmpq_mat(r, f->m + k - 1);
        rj_val_swap(out, r);
        rj_val_clear(r);
    }
    return st;
}

static const rj_val_ops tfam_ops = {
    "test family", tfam_free, tfam_copy, tfam_print, tfam_describe, NULL, NULL, NULL,
    tfam_index, NULL, NULL
};

static void
bind_num(rj_env_t env, const char *name, const fmpq_t q)
{
    rj_val_t v;
    rj_val_init(v);
    rj_val_set_fmpq(v, q);
    rj_env_bind(env, name, v);
    rj_val_clear(v);
}

static void
eval_num(fmpq_t q, const rj_expr_struct *e, rj_env_t env)
{
    rj_val_t v;
    rj_error_t err;
    rj_val_init(v);
    rj_error_init(err);
    ck_assert_int_eq(rj_eval(v, e, env, err), RJ_OK);
    ck_assert_int_eq(v->kind, RJ_VAL_NUM);
    fmpq_set(q, v->num);
    rj_val_clear(v);
}

/* The bounds of reals(...) as [lo, hi] (lo = -inf, hi = +inf: has_* 0). */
static void
reals_interval(rj_sym_interval_t I, const rj_expr_struct *f, rj_env_t env)
{
    slong i;
    fmpq_t q;
    fmpq_init(q);
    for (i = 0; i < f->args[0]->nargs; i++) {
        const rj_expr_struct *h = f->args[0]->args[i];
        int side = h->args[0]->kind == RJ_EXPR_IDENT && strcmp(h->args[0]->name, f->name) == 0
                   ? 0 : 1;
        int lower = side == 0 ? (h->op == RJ_CMP_GT || h->op == RJ_CMP_GE)
                              : (h->op == RJ_CMP_LT || h->op == RJ_CMP_LE);
        eval_num(q, h->args[1 - side], env);
        if (lower) {
            I->has_lo = 1;
            fmpq_set(I->lo, q);
            I->lo_closed = h->op == RJ_CMP_GE || h->op == RJ_CMP_LE;
        } else {
            I->has_hi = 1;
            fmpq_set(I->hi, q);
            I->hi_closed = h->op == RJ_CMP_GE || h->op == RJ_CMP_LE;
        }
    }
    fmpq_clear(q);
}

/* A random n x n matrix within the hypotheses of call (norms <= b or < b):
   integer entries scaled by b / max(||A||_1, ||A||_inf, max(1, ||A||_F^2))
   (>= ||A||_F >= ||A||_2), times k/4, k in 1..4 (times 99/100 when strict). */
static void
random_within(fmpq_mat_t A, const rj_expr_struct *call, rj_env_t env, flint_rand_t st)
{
    slong i, j, k, n = fmpq_mat_nrows(A);
    fmpq_t b, q, s, acc;
    int have = 0, strict = 0;
    fmpq_init(b);
    fmpq_init(q);
    fmpq_init(s);
    fmpq_init(acc);
    for (i = 0; i < call->nargs; i++) {
        const rj_expr_struct *h = call->args[i];
        if (h->kind != RJ_EXPR_CMP)
            continue;
        ck_assert_msg(strcmp(h->args[0]->name, "sigma_min") != 0, "no sigma_min hypotheses here");
        eval_num(q, h->args[1], env);
        if (!have || fmpq_cmp(q, b) < 0)
            fmpq_set(b, q);
        strict |= h->op == RJ_CMP_LT;
        have = 1;
    }
    rj_test_randmat(A, st, 5, 1);
    fmpq_one(s);                                     /* the scale's denominator */
    for (k = 0; k < 2 * n; k++) {                    /* ||A||_1, then ||A||_inf */
        fmpq_zero(acc);
        for (i = 0; i < n; i++) {
            fmpq_abs(q, k < n ? fmpq_mat_entry(A, i, k) : fmpq_mat_entry(A, k - n, i));
            fmpq_add(acc, acc, q);
        }
        if (fmpq_cmp(acc, s) > 0)
            fmpq_set(s, acc);
    }
    fmpq_zero(acc);                                  /* ||A||_F^2 */
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            fmpq_mul(q, fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j));
            fmpq_add(acc, acc, q);
        }
    if (fmpq_cmp(acc, s) > 0)
        fmpq_set(s, acc);
    fmpq_div(q, have ? b : s, s);
    /* k/4, or k/5 <= 4/5 strictly inside a strict bound */
    fmpq_set_si(s, 1 + (slong) n_randint(st, 4), strict ? 5 : 4);
    fmpq_mul(q, q, s);
    fmpq_mat_scalar_mul_fmpq(A, A, q);
    fmpq_clear(b);
    fmpq_clear(q);
    fmpq_clear(s);
    fmpq_clear(acc);
}

/* Peel the claim: an integer forall (a random L), a reals forall (a random
   e of its interval), the matrix quantifiers (random n x n matrices within
   their hypotheses, families bound as test families, I the identity):
   returns the body, decided afterwards in env. */
static const rj_expr_struct *
bind_instance(const rj_expr_struct *f, rj_env_t env, flint_rand_t st, slong n)
{
    fmpq_t q, a;
    fmpq_mat_t one;
    rj_val_t v;
    fmpq_init(q);
    fmpq_init(a);
    rj_val_init(v);
    if (f->kind == RJ_EXPR_FORALL) {
        fmpq_t hi;
        fmpq_init(hi);
        eval_num(a, f->args[0], env);
        eval_num(hi, f->args[1], env);
        fmpq_sub(q, hi, a);
        fmpq_add_si(q, a, (slong) n_randint(st, fmpz_get_ui(fmpq_numref(q)) + 1));
        bind_num(env, f->name, q);
        fmpq_clear(hi);
        f = f->args[2];
    }
    if (f->kind == RJ_EXPR_FORALL_RANDOM && strcmp(f->args[0]->name, "reals") == 0) {
        rj_sym_interval_t I;
        rj_sym_interval_init(I);
        reals_interval(I, f, env);
        do {
            slong k = 1 + (slong) n_randint(st, 7);
            if (I->has_lo && I->has_hi) {
                fmpq_sub(q, I->hi, I->lo);
                fmpq_mul_si(q, q, k);
                fmpq_div_2exp(q, q, 3);
                fmpq_add(q, q, I->lo);
            } else if (I->has_lo)
                fmpq_set_si(q, k, 4), fmpq_add(q, q, I->lo);
            else if (I->has_hi)
                fmpq_set_si(q, -k, 4), fmpq_add(q, q, I->hi);
            else
                fmpq_set_si(q, k - 4, 2);
        } while (!rj_sym_interval_contains(I, q));
        bind_num(env, f->name, q);
        rj_sym_interval_clear(I);
        f = f->args[1];
    }
    fmpq_mat_init(one, n, n);
    fmpq_mat_one(one);
    rj_val_set_fmpq_mat(v, one);
    rj_env_bind(env, "I", v);
    fmpq_mat_clear(one);
    while (f->kind == RJ_EXPR_FORALL_RANDOM && strcmp(f->args[0]->name, "matrices") == 0) {
        const rj_expr_struct *call = f->args[0];
        slong i, fam = -1;
        for (i = 0; i < call->nargs; i++)
            if (call->argnames[i] != NULL && strcmp(call->argnames[i], "family") == 0) {
                eval_num(q, call->args[i], env);
                fam = fmpz_get_si(fmpq_numref(q));
            }
        if (fam < 0) {
            fmpq_mat_t A;
            fmpq_mat_init(A, n, n);
            random_within(A, call, env, st);
            rj_val_set_fmpq_mat(v, A);
            rj_env_bind(env, f->name, v);
            fmpq_mat_clear(A);
        } else {
            tfam *d = flint_malloc(sizeof(tfam));
            char nm[64];
            d->len = fam;
            d->m = flint_malloc(FLINT_MAX(fam, 1) * sizeof(fmpq_mat_struct));
            for (i = 0; i < fam; i++) {
                fmpq_mat_init(d->m + i, n, n);
                random_within(d->m + i, call, env, st);
                rj_val_set_fmpq_mat(v, d->m + i);
                snprintf(nm, sizeof(nm), "%s_%ld", f->name, (long) (i + 1));
                rj_env_bind(env, nm, v);
            }
            rj_val_set_ext(v, &tfam_ops, d);
            rj_env_bind(env, f->name, v);
        }
        f = f->args[1];
    }
    fmpq_clear(q);
    fmpq_clear(a);
    rj_val_clear(v);
    return f;
}

/* The claims of proofs/14-norm-rules.rj, parsed. */
static void
parse_norm_claims(rj_prog_t prog)
{
    char path[4096];
    rj_error_t err;
    rj_error_init(err);
    snprintf(path, sizeof(path), "%s/proofs/14-norm-rules.rj", srcdir());
    ck_assert_int_eq(rj_parse_file(prog, path, err), RJ_OK);
}

/* Every PROVED claim of 14-norm-rules.rj holds on random exact instances
   within its hypotheses, decided by the plain evaluator (norm2 and sigma_min
   by the precise layer's enclosures): never REFUTED, and PROVED in most. */
START_TEST(test_norm_rules_instances)
{
    rj_prog_t prog;
    flint_rand_t st;
    slong i, iter, proved = 0, total = 0, claims = 0;
    rj_test_randinit(st, seed + 8);
    rj_prog_init(prog);
    parse_norm_claims(prog);
    for (i = 0; i < prog->len; i++) {
        rj_stmt_struct *c = prog->stmts + i;
        if (c->kind != RJ_STMT_CLAIM || c->expect != RJ_VERDICT_PROVED)
            continue;
        claims++;
        for (iter = 0; iter < rj_test_iters(3); iter++) {
            rj_env_t env;
            rj_error_t err;
            rj_verdict_kind v;
            char *ev = NULL, buf[1024];
            const rj_expr_struct *body;
            rj_claims_env_init(env, NULL);
            rj_error_init(err);
            body = bind_instance(c->expr, env, st, 1 + (slong) n_randint(st, 3));
            ck_assert_int_eq(rj_claims_decide(&v, &ev, NULL, body, env, err), RJ_OK);
            rj_error_format(buf, sizeof(buf), err);
            RJ_CHECK(v != RJ_VERDICT_REFUTED && v != RJ_VERDICT_ERROR, seed,
                     "claim %s: an instance within the hypotheses is %s: %s %s", c->name,
                     rj_verdict_name(v), ev, buf);
            proved += v == RJ_VERDICT_PROVED;
            total++;
            flint_free(ev);
            rj_claims_env_clear(env);
        }
    }
    fprintf(stderr, "norm rule instances: %ld claims, %ld instances, %ld PROVED\n",
            (long) claims, (long) total, (long) proved);
    ck_assert(claims >= 10);
    ck_assert_msg(2 * proved > total, "only %ld of %ld instances decided", (long) proved,
                  (long) total);
    rj_prog_clear(prog);
    flint_randclear(st);
}
END_TEST

/* The value of the text t (a number or a matrix literal) by the parser and
   the plain evaluator. */
static void
eval_text(rj_val_t v, const char *t, rj_env_t env)
{
    rj_prog_t prog;
    rj_error_t err;
    char *text = flint_malloc(strlen(t) + 16);
    sprintf(text, "let w = %s\n", t);
    rj_prog_init(prog);
    rj_error_init(err);
    ck_assert_msg(rj_parse_string(prog, text, "witness", err) == RJ_OK, "'%s'", t);
    ck_assert_int_eq(rj_eval(v, prog->stmts[0].expr, env, err), RJ_OK);
    rj_prog_clear(prog);
    flint_free(text);
}

/* A REFUTED norm claim's witness "[L = k: ][e = q, ]J = M, K_1 = ... = K_m =
   [y], ..." (M a matrix literal) bound in env by this test's own reading:
   the pieces split at ", " outside brackets, each value read by the
   parser; I the identity of the matrices' size. */
static const rj_expr_struct *
bind_witness(const rj_expr_struct *f, const char *ev, rj_env_t env)
{
    char *w = rj_strdup(ev), *cut = strstr(w, " matrices within"), *p = w, *piece;
    slong depth = 0;
    long m = 0;
    rj_val_t v;
    ck_assert_msg(cut != NULL, "no witness in '%s'", ev);
    while (cut > w && *cut != '(')
        cut--;
    ck_assert_msg(sscanf(cut, "(%ld x", &m) == 1 && m >= 1, "no size in '%s'", ev);
    *(cut - 1) = '\0';
    rj_val_init(v);
    if (f->kind == RJ_EXPR_FORALL) {
        long L;
        fmpq_t q;
        ck_assert_msg(sscanf(p, "%*s = %ld:", &L) == 1, "no L in '%s'", ev);
        fmpq_init(q);
        fmpq_set_si(q, L, 1);
        bind_num(env, f->name, q);
        fmpq_clear(q);
        p = strchr(p, ':') + 2;
        f = f->args[2];
    }
    {
        fmpq_mat_t one;
        fmpq_mat_init(one, m, m);
        fmpq_mat_one(one);
        rj_val_set_fmpq_mat(v, one);
        rj_env_bind(env, "I", v);
        fmpq_mat_clear(one);
    }
    if (f->kind == RJ_EXPR_FORALL_RANDOM && strcmp(f->args[0]->name, "reals") == 0)
        f = f->args[1];
    for (piece = p; *p != '\0' || piece != NULL; p++) {
        char *eq, *chain;
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        if (*p != '\0' && !(*p == ',' && depth == 0))
            continue;
        {
            int end = *p == '\0';
            *p = '\0';
            while (*piece == ' ')
                piece++;
            chain = strstr(piece, " = ... = ");
            eq = strstr(piece, " = ");
            ck_assert_msg(eq != NULL, "'%s' in '%s'", piece, ev);
            *eq = '\0';
            if (chain != NULL) {
                /* A_1 = ... = A_m = [x]: the whole family */
                char *last = chain + 9, *val = strstr(last, " = "), base[64], nm[160];
                long cnt, k;
                tfam *d = flint_malloc(sizeof(tfam));
                ck_assert(val != NULL);
                *val = '\0';
                ck_assert(sscanf(last, "%63[^_]_%ld", base, &cnt) == 2);
                eval_text(v, val + 3, env);
                ck_assert_int_eq(v->kind, RJ_VAL_MAT);
                d->len = cnt;
                d->m = flint_malloc(cnt * sizeof(fmpq_mat_struct));
                for (k = 0; k < cnt; k++) {
                    fmpq_mat_init_set(d->m + k, v->mat);
                    snprintf(nm, sizeof(nm), "%s_%ld", base, k + 1);
                    rj_env_bind(env, nm, v);
                }
                rj_val_set_ext(v, &tfam_ops, d);
                rj_env_bind(env, base, v);
            } else {
                eval_text(v, eq + 3, env);
                rj_env_bind(env, piece, v);
            }
            if (end)
                break;
            piece = p + 1;
        }
    }
    /* families of separately printed members: bind the family too */
    while (f->kind == RJ_EXPR_FORALL_RANDOM && strcmp(f->args[0]->name, "matrices") == 0) {
        char nm[160];
        if (rj_env_lookup(env, f->name) == NULL) {
            slong n = 0, k;
            tfam *d = flint_malloc(sizeof(tfam));
            do {
                snprintf(nm, sizeof(nm), "%s_%ld", f->name, (long) (n + 1));
            } while (rj_env_lookup(env, nm) != NULL && ++n);
            d->len = n;
            d->m = flint_malloc(FLINT_MAX(n, 1) * sizeof(fmpq_mat_struct));
            for (k = 0; k < n; k++) {
                snprintf(nm, sizeof(nm), "%s_%ld", f->name, (long) (k + 1));
                fmpq_mat_init_set(d->m + k, rj_env_lookup(env, nm)->mat);
            }
            rj_val_set_ext(v, &tfam_ops, d);
            rj_env_bind(env, f->name, v);
        }
        f = f->args[1];
    }
    rj_val_clear(v);
    flint_free(w);
    return f;
}

/* Decide claim expression f whole; when REFUTED, decide its body again at
   the printed witness with this test's own binding. */
static rj_verdict_kind
decide_norm_claim(const rj_expr_struct *f, const char *name)
{
    rj_env_t env;
    rj_error_t err;
    rj_verdict_kind v;
    char *ev = NULL;
    rj_claims_env_init(env, NULL);
    rj_error_init(err);
    ck_assert_int_eq(rj_claims_decide(&v, &ev, NULL, f, env, err), RJ_OK);
    rj_claims_env_clear(env);
    if (v == RJ_VERDICT_REFUTED) {
        rj_verdict_kind v2;
        char *ev2 = NULL;
        const rj_expr_struct *body;
        rj_claims_env_init(env, NULL);
        body = bind_witness(f, ev, env);
        ck_assert_int_eq(rj_claims_decide(&v2, &ev2, NULL, body, env, err), RJ_OK);
        RJ_CHECK(v2 == RJ_VERDICT_REFUTED, seed, "%s: the witness %s is not refuted again: %s",
                 name, ev, ev2);
        flint_free(ev2);
        rj_claims_env_clear(env);
    }
    flint_free(ev);
    return v;
}

/* Every REFUTED claim of 14-norm-rules.rj is refuted again at its printed
   witness; every PROVED claim mutated -- its bound tightened by 1 %, an
   exponent of the bound lowered by one (a factor dropped), a hypothesis
   loosened by 1 % -- is never PROVED when the claim is tight; REFUTED
   mutants are re-verified the same way. */
START_TEST(test_norm_rules_mutants)
{
    rj_prog_t prog;
    slong i, mutants = 0, refuted = 0;
    rj_prog_init(prog);
    parse_norm_claims(prog);
    for (i = 0; i < prog->len; i++) {
        rj_stmt_struct *c = prog->stmts + i;
        rj_expr_struct *f = c->expr, *g, *cmp[8], *hyp[8];
        slong ncmp = 0, nhyp = 0, j, m;
        if (c->kind != RJ_STMT_CLAIM)
            continue;
        if (c->expect == RJ_VERDICT_REFUTED) {
            ck_assert_int_eq(decide_norm_claim(f, c->name), RJ_VERDICT_REFUTED);
            continue;
        }
        if (c->expect != RJ_VERDICT_PROVED)
            continue;
        /* the comparisons of the body and the hypotheses */
        for (g = f; g->kind == RJ_EXPR_FORALL || g->kind == RJ_EXPR_FORALL_RANDOM;
             g = g->args[g->nargs - 1])
            if (g->kind == RJ_EXPR_FORALL_RANDOM && strcmp(g->args[0]->name, "matrices") == 0)
                for (j = 0; j < g->args[0]->nargs && nhyp < 8; j++)
                    if (g->args[0]->args[j]->kind == RJ_EXPR_CMP)
                        hyp[nhyp++] = g->args[0]->args[j];
        if (g->kind == RJ_EXPR_CMP)
            cmp[ncmp++] = g;
        else
            for (j = 0; j < g->nargs && ncmp < 8; j++)
                if (g->args[j]->kind == RJ_EXPR_CMP)
                    cmp[ncmp++] = g->args[j];
        for (m = 0; m < 2 * ncmp + nhyp; m++) {
            rj_expr_struct *site, *saved, *node, *factor;
            int which = m < 2 * ncmp ? (int) (m % 2) : 3;   /* 0 tighten, 1 exponent, 3 hyp */
            rj_verdict_kind v;
            if (which < 3) {
                rj_expr_struct *h = cmp[m / 2];
                int le = h->op == RJ_CMP_LE, ge = h->op == RJ_CMP_GE;
                if (!le && !ge)
                    continue;                   /* strict: 1 % of 0 is 0 */
                site = h;                       /* the bound is args[1] */
                if (which == 1) {
                    /* an exponent of the bound lowered by one */
                    node = site->args[1];
                    if (node->kind != RJ_EXPR_BINOP || node->op != '^'
                        || node->args[1]->kind != RJ_EXPR_NUM)
                        continue;
                    fmpq_sub_si(node->args[1]->num, node->args[1]->num, 1);
                    v = decide_norm_claim(f, c->name);
                    fmpq_add_si(node->args[1]->num, node->args[1]->num, 1);
                    /* lowering the exponent weakens an upper bound below 1: it
                       may stay PROVED on [0, 1]; above 1 it must not */
                    mutants++;
                    refuted += v == RJ_VERDICT_REFUTED;
                    continue;
                }
            } else
                site = hyp[m - 2 * ncmp];
            /* bound * (99/100 or 101/100): tighten the claim, loosen a hypothesis */
            saved = site->args[1];
            node = flint_malloc(sizeof(rj_expr_struct));
            factor = flint_malloc(sizeof(rj_expr_struct));
            memset(node, 0, sizeof(*node));
            memset(factor, 0, sizeof(*factor));
            fmpq_init(node->num);
            fmpq_init(factor->num);
            node->kind = RJ_EXPR_BINOP;
            node->op = '*';
            node->loc = saved->loc;
            node->nargs = 2;
            node->args = flint_malloc(2 * sizeof(rj_expr_struct *));
            node->args[0] = factor;
            node->args[1] = saved;
            factor->kind = RJ_EXPR_NUM;
            factor->loc = saved->loc;
            fmpq_set_si(factor->num, which == 3 || site->op == RJ_CMP_GE ? 101 : 99, 100);
            site->args[1] = node;
            v = decide_norm_claim(f, c->name);
            site->args[1] = saved;
            fmpq_clear(node->num);
            fmpq_clear(factor->num);
            flint_free(node->args);
            flint_free(node);
            flint_free(factor);
            mutants++;
            refuted += v == RJ_VERDICT_REFUTED;
            RJ_CHECK(v != RJ_VERDICT_PROVED, seed, "claim %s: the mutant %s is PROVED",
                     c->name, which == 3 ? "with a hypothesis loosened by 1 %"
                                         : "with its bound tightened by 1 %");
        }
    }
    fprintf(stderr, "norm rule mutants: %ld, %ld REFUTED\n", (long) mutants, (long) refuted);
    ck_assert(mutants >= 20 && refuted >= 10);
    rj_prog_clear(prog);
}
END_TEST

/* ---------------------------------------------------------------- sums in the depth L */

/* sum_{k=0..L} p(k) C(L, k), directly. */
static void
direct_moment(fmpq_t s, const fmpq_poly_t p, ulong L)
{
    fmpq_t t;
    fmpz_t b, kz;
    ulong k;
    fmpq_init(t);
    fmpz_init(b);
    fmpz_init(kz);
    fmpq_zero(s);
    for (k = 0; k <= L; k++) {
        fmpz_set_ui(kz, k);
        fmpq_poly_evaluate_fmpz(t, p, kz);
        fmpz_bin_uiui(b, L, k);
        fmpq_mul_fmpz(t, t, b);
        fmpq_add(s, s, t);
    }
    fmpq_clear(t);
    fmpz_clear(b);
    fmpz_clear(kz);
}

/* The WZ method's verdict on sum_k p(k) C(L, k) = c(L) 2^L for every L >= 0:
   PROVED with a verified certificate and the cases below L1 (and L1) exact,
   REFUTED at a failing L <= 40, else UNDECIDED.  *L1 is where it starts. */
static rj_verdict_kind
wz_moment_verdict(slong *L1, const fmpq_poly_t p, const fmpq_poly_t c,
                  const fmpq_mpoly_ctx_t ctx)
{
    rj_wz_problem_t pb;
    fmpq_mpoly_t v;
    fmpq_t s, r;
    fmpz_t Lz;
    slong i, L;
    int found = 0, st;
    rj_verdict_kind res = RJ_VERDICT_UNDECIDED;
    rj_error_t err;
    rj_wz_problem_init(pb, ctx);
    fmpq_mpoly_init(v, ctx);
    fmpq_init(s);
    fmpq_init(r);
    fmpz_init(Lz);
    rj_error_init(err);
    /* refute first: the smallest L in 0..40 where the sides differ */
    for (L = 0; L <= 40 && res == RJ_VERDICT_UNDECIDED; L++) {
        direct_moment(s, p, (ulong) L);
        fmpz_set_si(Lz, L);
        fmpq_poly_evaluate_fmpz(r, c, Lz);
        fmpq_mul_2exp(r, r, (ulong) L);
        if (!fmpq_equal(s, r))
            res = RJ_VERDICT_REFUTED;
    }
    if (res == RJ_VERDICT_UNDECIDED && !fmpq_poly_is_zero(c)) {
        fmpq_mpoly_zero(pb->Q, ctx);
        for (i = 0; i <= fmpq_poly_degree(p); i++) {
            ulong e[2] = { 0, (ulong) i };
            fmpq_poly_get_coeff_fmpq(s, p, i);
            fmpq_mpoly_set_coeff_fmpq_ui(pb->P, s, e, ctx);
        }
        for (i = 0; i <= fmpq_poly_degree(c); i++) {
            ulong e[2] = { (ulong) i, 0 };
            fmpq_poly_get_coeff_fmpq(s, c, i);
            fmpq_mpoly_set_coeff_fmpq_ui(pb->Q, s, e, ctx);
        }
        fmpq_set_si(pb->beta, 1, 2);
        st = rj_wz_regular_from(L1, pb->Q, 0, ctx, err);
        ck_assert_int_eq(st, RJ_OK);
        st = rj_wz_certificate(&found, v, pb, ctx, err);
        ck_assert_int_eq(st, RJ_OK);
        if (found) {
            ck_assert(rj_wz_verify(v, pb, ctx));
            ck_assert_int_eq(rj_wz_sum_eval(s, pb, (ulong) *L1, ctx, err), RJ_OK);
            /* the base case: the scan above covered L <= 40 */
            if (fmpq_is_one(s) && *L1 <= 40)
                res = RJ_VERDICT_PROVED;
        }
    }
    rj_wz_problem_clear(pb, ctx);
    fmpq_mpoly_clear(v, ctx);
    fmpq_clear(s);
    fmpq_clear(r);
    fmpz_clear(Lz);
    return res;
}

/* The WZ method and the Stirling-number method agree on generated identities
   sum_k p(k) C(L, k) = c(L) 2^L, true and perturbed; every PROVED one holds
   exactly for L = 0..40 (a direct sum, a third computation). */
START_TEST(test_wz_vs_stirling)
{
    flint_rand_t st;
    fmpq_mpoly_ctx_t ctx;
    fmpq_poly_t p, c, c2, t;
    fmpq_t q;
    slong iter, deg, i, L1, nproved = 0, nrefuted = 0;
    rj_test_randinit(st, seed + 5);
    rj_wz_ctx_init(ctx);
    fmpq_poly_init(p);
    fmpq_poly_init(c);
    fmpq_poly_init(c2);
    fmpq_poly_init(t);
    fmpq_init(q);
    for (iter = 0; iter < 60; iter++) {
        int perturb = iter % 2;
        rj_verdict_kind v;
        fmpq_poly_zero(p);
        deg = (slong) n_randint(st, 5);
        for (i = 0; i <= deg; i++) {
            rj_test_randq(q, st, 5, 3);
            fmpq_poly_set_coeff_fmpq(p, i, q);
        }
        if (fmpq_poly_is_zero(p))
            fmpq_poly_set_si(p, 1);
        rj_wz_binomial_moment(c, p);
        fmpq_poly_set(c2, c);
        if (perturb) {
            /* a factor or a term changed: c2 != c as polynomials */
            if (iter % 4 == 1) {
                fmpq_poly_set_coeff_si(t, 0, 0);
                fmpq_poly_zero(t);
                fmpq_poly_set_coeff_si(t, 1, 1);          /* c2 = c + L */
                fmpq_poly_add(c2, c2, t);
            } else {
                fmpq_set_si(q, 101, 100);                 /* c2 = 1.01 c */
                fmpq_poly_scalar_mul_fmpq(c2, c2, q);
            }
        }
        L1 = 0;
        v = wz_moment_verdict(&L1, p, c2, ctx);
        /* the second method's verdict: true exactly when c2 = c */
        RJ_CHECK(v == (fmpq_poly_equal(c, c2) ? RJ_VERDICT_PROVED : RJ_VERDICT_REFUTED),
                 seed, "case %ld: the WZ verdict %s disagrees with the Stirling method",
                 (long) iter, rj_verdict_name(v));
        if (v == RJ_VERDICT_PROVED) {
            slong L;
            nproved++;
            for (L = 0; L <= 40; L++) {
                fmpq_t s, r;
                fmpz_t Lz;
                fmpq_init(s);
                fmpq_init(r);
                fmpz_init(Lz);
                direct_moment(s, p, (ulong) L);
                fmpz_set_si(Lz, L);
                fmpq_poly_evaluate_fmpz(r, c2, Lz);
                fmpq_mul_2exp(r, r, (ulong) L);
                RJ_CHECK(fmpq_equal(s, r), seed, "case %ld: PROVED but false at L = %ld",
                         (long) iter, (long) L);
                fmpq_clear(s);
                fmpq_clear(r);
                fmpz_clear(Lz);
            }
        } else
            nrefuted++;
    }
    ck_assert_int_ge(nproved, 20);
    ck_assert_int_ge(nrefuted, 20);
    fmpq_poly_clear(p);
    fmpq_poly_clear(c);
    fmpq_poly_clear(c2);
    fmpq_poly_clear(t);
    fmpq_clear(q);
    fmpq_mpoly_ctx_clear(ctx);
    flint_randclear(st);
}
END_TEST

/* rj_sym_symmetrise: D' = D for a flagged symbol, other transposes kept; the
   result evaluated at a diagonal D equals the original. */
START_TEST(test_symmetrise)
{
    flint_rand_t st;
    slong it;
    const char flags[NSYM] = { 0, 1, 0 };
    rj_test_randinit(st, seed + 11);
    for (it = 0; it < 100; it++) {
        slong n = 1 + n_randint(st, 4), i;
        fmpq_mat_struct *mats = random_mats(st, NSYM, n, 5);
        fmpq_mat_t M, M1, M2;
        rj_sym_t p, q;
        rj_error_t err;
        for (i = 0; i < n * n; i++)      /* B diagonal */
            if (i / n != i % n)
                fmpq_zero(fmpq_mat_entry(mats + 1, i / n, i % n));
        fmpq_mat_init(M, n, n);
        fmpq_mat_init(M1, n, n);
        fmpq_mat_init(M2, n, n);
        rj_sym_init(p);
        rj_sym_init(q);
        rj_error_init(err);
        random_expr(p, M, st, mats, n, 4);
        ck_assert_int_eq(rj_sym_symmetrise(q, p, flags, NSYM, NULL, err), RJ_OK);
        for (i = 0; i < q->len; i++) {
            slong j;
            for (j = 0; j < q->terms[i].len; j++)
                ck_assert(q->terms[i].w[j] != 2 * 1 + 1);
        }
        ck_assert_int_eq(rj_sym_evaluate_fmpq_mat(M1, p, mats, NSYM, n, err), RJ_OK);
        ck_assert_int_eq(rj_sym_evaluate_fmpq_mat(M2, q, mats, NSYM, n, err), RJ_OK);
        RJ_CHECK(fmpq_mat_equal(M1, M2) && fmpq_mat_equal(M1, M), seed, "case %ld", (long) it);
        rj_sym_clear(p);
        rj_sym_clear(q);
        fmpq_mat_clear(M);
        fmpq_mat_clear(M1);
        fmpq_mat_clear(M2);
        free_mats(mats, NSYM);
    }
    flint_randclear(st);
}
END_TEST

typedef struct {
    const char *formula;
    rj_verdict_kind expect;
} jac_case;

#define JQ "forall A, C in matrices: forall x in vectors: forall D_1..D_2 in derivatives(x): "
#define JPRE "jacobian(block(W1 = A, act = relu, W2 = C, place = pre), x)"
#define JPOST "jacobian(block(W1 = A, act = leaky_relu(1/4), W2 = C, place = post), x)"
#define JNET "jacobian(net(block(W1 = A, act = relu, W2 = C), block(W1 = C, act = relu, " \
             "W2 = A)), x)"

/* Identities and their mutants (a factor dropped, the D order swapped, a
   transpose removed, the blocks' order swapped): the identities PROVED, the
   mutants REFUTED -- never PROVED -- by a witness that the plain evaluator,
   given only the printed values, refutes again. */
static const jac_case jac_cases[] = {
    { JQ JPRE " == I + C * D_2 * A * D_1", RJ_VERDICT_PROVED },
    { JQ JPRE " == I + C * A * D_1", RJ_VERDICT_REFUTED },
    { JQ JPRE " == I + C * D_1 * A * D_2", RJ_VERDICT_REFUTED },
    { JQ JPRE "' == I + D_1 * A' * D_2 * C'", RJ_VERDICT_PROVED },
    { JQ JPRE "' == I + D_1 * A' * D_2 * C", RJ_VERDICT_REFUTED },
    { JQ JPOST " == D_2 * (I + C * D_1 * A)", RJ_VERDICT_PROVED },
    { JQ JPOST " == D_2 + C * D_1 * A", RJ_VERDICT_REFUTED },
    { JQ JPOST " == D_1 * (I + C * D_2 * A)", RJ_VERDICT_REFUTED },
    { JQ JNET " == (I + A * D_2 * C) * (I + C * D_1 * A)", RJ_VERDICT_PROVED },
    { JQ JNET " == (I + C * D_1 * A) * (I + A * D_2 * C)", RJ_VERDICT_REFUTED },
    { JQ JNET " == I + A * D_2 * C + C * D_1 * A", RJ_VERDICT_REFUTED },
    { "forall A, C, P in matrices: forall x in vectors: forall D_1..D_1 in derivatives(x): "
      "jacobian(block(W1 = A, W2 = C, skip = project(P)), x) == P + C * D_1 * A",
      RJ_VERDICT_PROVED },
    { "forall A, C, P in matrices: forall x in vectors: forall D_1..D_1 in derivatives(x): "
      "jacobian(block(W1 = A, W2 = C, skip = project(P)), x) == P' + C * D_1 * A",
      RJ_VERDICT_REFUTED },
    { "forall A, C in matrices: forall x in vectors: "
      "skip_part(block(W1 = A, W2 = C, place = pre), x) == I", RJ_VERDICT_PROVED },
    { "forall A, C in matrices: forall x in vectors: forall D_1..D_2 in derivatives(x): "
      "skip_part(block(W1 = A, W2 = C, place = post), x) == I", RJ_VERDICT_REFUTED },
};

START_TEST(test_block_jacobian_claims)
{
    static const char *const names[] = { "A", "C", "x", "D_1", "D_2" };
    static const char *const names_p[] = { "A", "C", "P", "x", "D_1" };
    static const char *const names_s[] = { "A", "C", "x", "D_1", "D_2" };
    size_t i;
    for (i = 0; i < sizeof(jac_cases) / sizeof(jac_cases[0]); i++) {
        const jac_case *c = jac_cases + i;
        char *ev = NULL;
        rj_verdict_kind v = decide("", c->formula, &ev);
        ck_assert_msg(v == c->expect, "%s: %s, expected %s: %s", c->formula,
                      rj_verdict_name(v), rj_verdict_name(c->expect), ev);
        if (v == RJ_VERDICT_REFUTED) {
            /* the body after the last ': ' of the quantifiers */
            const char *body = strstr(c->formula, "derivatives(x): ");
            int proj = strstr(c->formula, "P in") != NULL;
            body = body != NULL ? body + strlen("derivatives(x): ")
                                : strstr(c->formula, "vectors: ") + strlen("vectors: ");
            recheck_witness(ev, proj ? names_p : strstr(c->formula, "skip_part") ? names_s
                                                                                   : names,
                            proj ? 4 + 1 : 5, body);
        }
        flint_free(ev);
    }
}
END_TEST

/* Limits of the method, checked before the work: UNDECIDED naming the limit
   (degree of the Jacobian of a deep net; derivative symbols past the limit
   of symbols), never PROVED; a claim naming too few derivatives is an error
   of the file. */
START_TEST(test_block_jacobian_limits)
{
    char f[4096];
    char *ev = NULL;
    slong i, len;
    rj_verdict_kind v;
    /* a true identity (N's Jacobian transposed twice) past the degree limit */
    len = snprintf(f, sizeof(f), "forall A in matrices: forall x in vectors: forall D_1..D_11 "
                   "in derivatives(x): jacobian(net(");
    for (i = 0; i < 11; i++)
        len += snprintf(f + len, sizeof(f) - len, "%sblock(W1 = A, W2 = A)", i ? ", " : "");
    len += snprintf(f + len, sizeof(f) - len, "), x)'' == jacobian(net(");
    for (i = 0; i < 11; i++)
        len += snprintf(f + len, sizeof(f) - len, "%sblock(W1 = A, W2 = A)", i ? ", " : "");
    snprintf(f + len, sizeof(f) - len, "), x)");
    v = decide("", f, &ev);
    ck_assert_msg(v == RJ_VERDICT_UNDECIDED && strstr(ev, "limit of degree 32") != NULL,
                  "%s: %s", rj_verdict_name(v), ev);
    flint_free(ev);
    /* the terms of a normal form: three blocks whose weights are sums of 8
       symbols, 65 terms each, 65^3 > 200000 (a true identity again) */
    len = snprintf(f, sizeof(f), "forall A, C, E, F, G, H, K, M in matrices: forall x in "
                   "vectors: forall D_1..D_3 in derivatives(x): ");
    for (i = 0; i < 6; i++)
        len += snprintf(f + len, sizeof(f) - len, "%sblock(W1 = A + C + E + F + G + H + K + M, "
                        "W2 = A + C + E + F + G + H + K + M)%s",
                        i == 0 ? "jacobian(net(" : i == 3 ? "), x)'' == jacobian(net(" : ", ",
                        i == 5 ? "), x)" : "");
    v = decide("", f, &ev);
    ck_assert_msg(v == RJ_VERDICT_UNDECIDED && strstr(ev, "limit of 200000 terms") != NULL,
                  "%s: %s", rj_verdict_name(v), ev);
    flint_free(ev);
    {
        /* one symbol past the scope's limit (with A: RJ_SYM_MAX_SYMBOLS + 1) */
        char g[300], lim[40];
        snprintf(g, sizeof(g), "forall A in matrices: forall x in vectors: forall D_1..D_%d in "
                 "derivatives(x): jacobian(block(W1 = A, W2 = A), x) == A * D_1 * A",
                 RJ_SYM_MAX_SYMBOLS);
        snprintf(lim, sizeof(lim), "limit of %d", RJ_SYM_MAX_SYMBOLS);
        v = decide("", g, &ev);
        ck_assert_msg(v == RJ_VERDICT_UNDECIDED && strstr(ev, lim) != NULL, "%s: %s",
                      rj_verdict_name(v), ev);
    }
    flint_free(ev);
    expect_error("claim c \"t\" expect PROVED: forall A in matrices: forall x in vectors: "
                 "forall D_1..D_1 in derivatives(x): "
                 "jacobian(block(W1 = A, W2 = A, place = pre), x) == I\n",
                 "more than the 1 activation derivatives");
    expect_error("claim c \"t\" expect PROVED: forall A in matrices: forall x in vectors: "
                 "forall D_1..D_1 in derivatives(y): jacobian(block(W1 = A), x) == A\n",
                 "y is not a point");
}
END_TEST

/* A certificate is accepted only when (W) holds: a changed one is rejected;
   the degree limit is checked before the work. */
START_TEST(test_wz_verify_rejects)
{
    fmpq_mpoly_ctx_t ctx;
    rj_wz_problem_t pb;
    fmpq_mpoly_t v, one;
    fmpq_t s;
    rj_error_t err;
    int found;
    slong L1, L;
    rj_wz_ctx_init(ctx);
    rj_wz_problem_init(pb, ctx);
    fmpq_mpoly_init(v, ctx);
    fmpq_mpoly_init(one, ctx);
    fmpq_init(s);
    rj_error_init(err);
    /* sum_k k C(L, k) = L 2^(L-1): P = 2 k, Q = L, beta = 1/2 */
    fmpq_mpoly_gen(pb->P, 1, ctx);
    fmpq_mpoly_scalar_mul_si(pb->P, pb->P, 2, ctx);
    fmpq_mpoly_gen(pb->Q, 0, ctx);
    fmpq_set_si(pb->beta, 1, 2);
    ck_assert_int_eq(rj_wz_certificate(&found, v, pb, ctx, err), RJ_OK);
    ck_assert(found);
    ck_assert(rj_wz_verify(v, pb, ctx));
    ck_assert_int_eq(rj_wz_regular_from(&L1, pb->Q, 0, ctx, err), RJ_OK);
    ck_assert_int_eq(L1, 1);
    fmpq_mpoly_one(one, ctx);
    fmpq_mpoly_add(v, v, one, ctx);
    ck_assert(!rj_wz_verify(v, pb, ctx));
    /* the wrong closed form L 2^L (beta = 1/4 on the same P) has no certificate */
    fmpq_set_si(pb->beta, 1, 4);
    ck_assert_int_eq(rj_wz_certificate(&found, v, pb, ctx, err), RJ_OK);
    ck_assert(!found);
    /* sum_k C(L, k)^2 = C(2L, L): m = 2, e = -1; its certificate, and the sum
       term by term is 1 for L = 0..30 */
    fmpq_mpoly_one(pb->P, ctx);
    fmpq_mpoly_one(pb->Q, ctx);
    fmpq_one(pb->beta);
    pb->m = 2;
    pb->e = -1;
    ck_assert_int_eq(rj_wz_certificate(&found, v, pb, ctx, err), RJ_OK);
    ck_assert(found);
    for (L = 0; L <= 30; L++) {
        ck_assert_int_eq(rj_wz_sum_eval(s, pb, (ulong) L, ctx, err), RJ_OK);
        ck_assert(fmpq_is_one(s));
    }
    /* ... but not for C(L, k)^3 (the Franel numbers have no such closed form) */
    pb->m = 3;
    ck_assert_int_eq(rj_wz_certificate(&found, v, pb, ctx, err), RJ_OK);
    ck_assert(!found);
    pb->m = RJ_WZ_MAX_POWER + 1;
    ck_assert_int_eq(rj_wz_certificate(&found, v, pb, ctx, err), RJ_ERR_LIMIT);
    pb->m = 1;
    fmpq_mpoly_gen(pb->P, 1, ctx);
    fmpq_mpoly_pow_ui(pb->P, pb->P, RJ_WZ_MAX_DEGREE + 1, ctx);
    ck_assert_int_eq(rj_wz_certificate(&found, v, pb, ctx, err), RJ_ERR_LIMIT);
    rj_wz_problem_clear(pb, ctx);
    fmpq_mpoly_clear(v, ctx);
    fmpq_mpoly_clear(one, ctx);
    fmpq_clear(s);
    fmpq_mpoly_ctx_clear(ctx);
}
END_TEST

/* Forward values of blocks with symbolic weights: y = F(x) + x PROVED for
   every block form, and the statement instantiated with random integer
   weights, biases and points holds under the plain exact evaluator; its
   mutants REFUTED by a witness the plain evaluator refutes again. */
START_TEST(test_block_forward_claims)
{
    static const char *const names[] = { "A", "C", "b", "x" };
    static const char *const places[] = { "none", "pre" };
    static const char *const acts[] = { "relu", "leaky_relu(1/3)", "identity", "tanh" };
    char f[2048], body[1024], *ev = NULL;
    rj_verdict_kind v;
    flint_rand_t st;
    slong p, a, t;
    rj_test_randinit(st, seed + 12);
    for (p = 0; p < 2; p++)
        for (a = 0; a < 4; a++) {
            snprintf(body, sizeof(body), "forward(block(W1 = A, b1 = b, act = %s, W2 = C, "
                     "place = %s), x) == forward(block(W1 = A, b1 = b, act = %s, W2 = C, "
                     "skip = none, place = %s), x) + x", acts[a], places[p], acts[a],
                     places[p]);
            snprintf(f, sizeof(f), "forall A, C in matrices: forall b, x in vectors: %s", body);
            v = decide("", f, &ev);
            ck_assert_msg(v == RJ_VERDICT_PROVED, "%s: %s", f, ev);
            flint_free(ev);
            for (t = 0; t < 4 && a != 3; t++) {       /* instances (tanh is not exact) */
                char defs[2048];
                slong m = 1 + n_randint(st, 4), i, len = 0;
                for (i = 0; i < 4; i++) {
                    fmpq_mat_t M;
                    rj_val_t val;
                    char *ms;
                    fmpq_mat_init(M, m, i < 2 ? m : 1);
                    rj_test_randmat(M, st, 5, 2);
                    rj_val_init(val);
                    rj_val_set_fmpq_mat(val, M);
                    ms = rj_val_get_str(val);
                    len += snprintf(defs + len, sizeof(defs) - len, "let %s = %s\n", names[i],
                                    ms);
                    flint_free(ms);
                    rj_val_clear(val);
                    fmpq_mat_clear(M);
                }
                v = decide(defs, body, &ev);
                RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "%s%s: %s", defs, body, ev);
                flint_free(ev);
            }
        }
    for (t = 0; t < 2; t++) {         /* the bias dropped; a post block is not F + x */
        snprintf(body, sizeof(body), "forward(block(W1 = A, b1 = b, W2 = C%s), x) == "
                 "forward(block(W1 = A, %sW2 = C, skip = none), x) + x",
                 t ? ", place = post" : "", t ? "b1 = b, " : "");
        snprintf(f, sizeof(f), "forall A, C in matrices: forall b, x in vectors: %s", body);
        v = decide("", f, &ev);
        ck_assert_msg(v == RJ_VERDICT_REFUTED, "%s: %s", f, ev);
        recheck_witness(ev, names, 4, body);
        flint_free(ev);
    }
    flint_randclear(st);
}
END_TEST

/* A random matrix expression in J, K, I as text (flint_malloc'd). */
static char *
random_norm_expr(flint_rand_t st, int depth)
{
    static const char *const leaves[] = { "J", "K", "J'", "K'", "I", "(-1/2 * I)" };
    static const char *const forms[] = { "(%s + %s)", "(%s - %s)", "(%s * %s)", "(%s * %s)",
                                         "(%s)'%s", "(-3/2 * %s)%s" };
    int r = (int) n_randint(st, depth > 0 ? 7 : 1);
    char *a, *b, *out;
    size_t len;
    if (r == 0)
        return rj_strdup(leaves[n_randint(st, 6)]);
    a = random_norm_expr(st, depth - 1);
    b = r >= 5 ? rj_strdup("") : random_norm_expr(st, depth - 1);
    len = strlen(a) + strlen(b) + 16;
    out = flint_malloc(len);
    snprintf(out, len, forms[r - 1], a, b);
    flint_free(a);
    flint_free(b);
    return out;
}

/* Random norm claims: each PROVED one holds on random exact instances
   within its hypotheses (decided by the plain evaluator, norm2 and
   sigma_min by the precise layer): the rules are sound on terms nobody
   chose. */
START_TEST(test_norm_rules_random_claims)
{
    static const char *const tails[] = { "norm2(%s) <= %s", "sigma_min(%s) >= %s",
                                         "normfro(%s) <= %s", "norm1(%s) <= %s" };
    static const char *const bounds[] = { "0", "1/4", "1/2", "1", "2", "4" };
    flint_rand_t st;
    slong iter, proved = 0, iters = rj_test_iters(150);
    rj_test_randinit(st, seed + 9);
    for (iter = 0; iter < iters; iter++) {
        char body[2300], formula[2600], *e = random_norm_expr(st, 3);
        rj_verdict_kind v;
        snprintf(body, sizeof(body), tails[n_randint(st, 4)], e, bounds[n_randint(st, 6)]);
        flint_free(e);
        snprintf(formula, sizeof(formula), "forall J, K in matrices(norm2 <= 1/2, normfro "
                 "<= 1/2, norm1 <= 1/2, norminf <= 1/2): %s", body);
        v = decide("", formula, NULL);
        RJ_CHECK(v != RJ_VERDICT_ERROR, seed, "'%s' is an ERROR", formula);
        if (v == RJ_VERDICT_PROVED) {
            rj_prog_t prog;
            rj_error_t err;
            char text[2800];
            slong k;
            proved++;
            snprintf(text, sizeof(text), "claim c \"t\": %s\n", formula);
            rj_prog_init(prog);
            rj_error_init(err);
            ck_assert_int_eq(rj_parse_string(prog, text, "random", err), RJ_OK);
            for (k = 0; k < 3; k++) {
                rj_env_t env;
                rj_verdict_kind v2;
                char *ev = NULL;
                const rj_expr_struct *b;
                rj_claims_env_init(env, NULL);
                b = bind_instance(prog->stmts[0].expr, env, st, 1 + (slong) n_randint(st, 3));
                ck_assert_int_eq(rj_claims_decide(&v2, &ev, NULL, b, env, err), RJ_OK);
                RJ_CHECK(v2 != RJ_VERDICT_REFUTED, seed, "'%s' PROVED but an instance "
                         "refutes it: %s", formula, ev);
                flint_free(ev);
                rj_claims_env_clear(env);
            }
            rj_prog_clear(prog);
        }
    }
    fprintf(stderr, "random norm claims: %ld, %ld PROVED (each checked on 3 instances)\n",
            (long) iters, (long) proved);
    ck_assert(proved * 10 >= iters);
    flint_randclear(st);
}
END_TEST

/* At a fixed size the witnesses have that size (a 1 x 1 one would not
   refute a claim about 3 x 3 matrices), and are read back. */
START_TEST(test_norm_rules_fixed_size)
{
    static const char *const claims[] = {
        "forall J in matrices(3, 3, norm2 <= 1): norm2(J * J) >= norm2(J)^2",
        "forall J in matrices(3, 3, norm2 <= 1/2): norm2(I + J) <= 5/4",
        "forall J, K in matrices(2, 2, norm1 <= 1/2): norm1(K * J) >= 1/8",
    };
    slong i;
    for (i = 0; i < 3; i++) {
        rj_prog_t prog;
        rj_error_t err;
        char text[512], *ev = NULL;
        snprintf(text, sizeof(text), "claim c \"t\": %s\n", claims[i]);
        rj_prog_init(prog);
        rj_error_init(err);
        ck_assert_int_eq(rj_parse_string(prog, text, "fixed", err), RJ_OK);
        ck_assert_int_eq(decide_norm_claim(prog->stmts[0].expr, claims[i]),
                         RJ_VERDICT_REFUTED);
        ck_assert_int_eq(decide("", claims[i], &ev), RJ_VERDICT_REFUTED);
        ck_assert_msg(strstr(ev, i < 2 ? "(3 x 3 matrices" : "(2 x 2 matrices") != NULL, "%s",
                      ev);
        flint_free(ev);
        rj_prog_clear(prog);
    }
}
END_TEST

/* -A negates the identity part of A's split c I + R: with c kept, -I + I + J
   got c = 2 and sigma_min(J) >= 1 was PROVED (J = [1/10] refutes it). */
START_TEST(test_norm_rules_negated_split)
{
    ck_assert_int_eq(decide("", "forall J in matrices(norm2 <= 1/10): sigma_min(-I + I + J) >= 1",
                            NULL), RJ_VERDICT_REFUTED);
    ck_assert_int_eq(decide("", "forall J in matrices(norm2 <= 1/10): "
                            "sigma_min(-(I + J) + 2 * I) >= 2", NULL), RJ_VERDICT_REFUTED);
    ck_assert_int_eq(decide("", "forall J in matrices(norm2 <= 1/10): sigma_min(-(I + J)) >= 9/10",
                            NULL), RJ_VERDICT_PROVED);
}
END_TEST

/* Two bounds on one side of reals(...) intersect: the later one replaced the
   earlier, so reals(e >= 1, e >= 0) was [0, inf) and e = 0 refuted the true
   norm2(J) <= e. */
START_TEST(test_norm_rules_interval_bounds_intersect)
{
    ck_assert_int_eq(decide("", "forall e in reals(e >= 1, e >= 0): forall J in "
                            "matrices(norm2 <= 1): norm2(J) <= e", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall e in reals(e <= 1, e <= 2, 0 <= e): forall J in "
                            "matrices(norm2 <= 1): norm2(e * J) <= 1", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall e in reals(e > 1, e >= 1): e > 1", NULL),
                     RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall e in reals(e <= 1, e <= 2, e >= 0): e < 1", NULL),
                     RJ_VERDICT_REFUTED);
}
END_TEST

/* A sigma_min hypothesis bounds its letter (R0): it was read but never
   used, so sigma_min(A) >= 1 under sigma_min >= 1 was UNDECIDED; a bound
   past it stays unproved. */
START_TEST(test_norm_rules_sigma_min_hypothesis)
{
    ck_assert_int_eq(decide("", "forall A in matrices(sigma_min >= 1): sigma_min(A) >= 1", NULL),
                     RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall A, B in matrices(sigma_min >= 1): "
                            "sigma_min(A * (-2 * B')) >= 2", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_ne(decide("", "forall A in matrices(sigma_min >= 1, norm2 <= 2): "
                            "sigma_min(A) >= 2", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_ne(decide("", "forall A, B in matrices(sigma_min >= 1, norm2 <= 2): "
                            "sigma_min(A + B) >= 1", NULL), RJ_VERDICT_PROVED);
}
END_TEST

/* Identities under hypotheses hold for all matrices (SY 1), alone or beside
   a norm bound; a false one is refuted within the hypotheses. */
START_TEST(test_norm_rules_identities)
{
    ck_assert_int_eq(decide("", "forall J, K in matrices(norm2 <= 1/2): (J * K)' == K' * J'",
                            NULL), RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall J, K in matrices(norm2 <= 1/2): (J * K)' == K' * J' "
                            "and norm2(J * K) <= 1/4", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide("", "forall J, K in matrices(norm2 <= 1/2): (J * K)' == J' * K' "
                            "and norm2(J * K) <= 1/4", NULL), RJ_VERDICT_REFUTED);
    ck_assert_int_eq(decide("", "forall J, K in matrices(norm2 <= 1/2): J * K == K * J", NULL),
                     RJ_VERDICT_REFUTED);
}
END_TEST

/* Limits before work and bad hypotheses: UNDECIDED naming the limit, or a
   located error. */
START_TEST(test_norm_rules_limits)
{
    expect_undecided("forall e in reals(0 <= e): forall J in matrices(norm2 <= e): "
                     "norm2(J^600) <= e^600", "limit");
    expect_undecided("forall J_1..J_200 in matrices(norm2 <= 1): norm2(J_1) <= 1", "limit");
    expect_error("claim c \"r\" expect PROVED: forall J in matrices(rank <= 1): norm2(J) <= 1\n",
                 "hypothesis");
    expect_error("claim c \"r\" expect PROVED: forall e in reals(1 < e, e < 0): e <= 1\n",
                 "empty");
    expect_error("claim c \"r\" expect PROVED: forall e in reals(0 < 1): e <= 1\n",
                 "compares e");
    expect_error("claim c \"r\" expect PROVED: forall J in matrices(norm2 <= K): norm2(J) "
                 "<= 1\n", "undefined name 'K'");
    /* a real symbol where no rule takes it: UNDECIDED, not an error */
    expect_undecided("forall e in reals(0 < e): forall J in matrices(norm2 <= e): "
                     "norm2(J) <= max(e, 1)", "no rule");
    /* no hypothesis on the norm asked for: UNDECIDED naming the missing rule */
    expect_undecided("forall J in matrices(norm1 <= 1): norm2(J) <= 1", "no rule");
}
END_TEST

static Suite *
symbolic_suite(void)
{
    Suite *s = suite_create("symbolic");
    TCase *tc = tcase_create("symbolic");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_normal_form_vs_direct);
    tcase_add_test(tc, test_expansion_identity);
    tcase_add_test(tc, test_pmat_vs_fmpq_mat);
    tcase_add_test(tc, test_identities_and_mutants);
    tcase_add_test(tc, test_proved_hold_on_instances);
    tcase_add_test(tc, test_fixed_size_only);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_bundled_mutants);
    tcase_add_test(tc, test_several_names);
    tcase_add_test(tc, test_block_jacobian_vs_exact);
    tcase_add_test(tc, test_symmetrise);
    tcase_add_test(tc, test_block_jacobian_claims);
    tcase_add_test(tc, test_block_jacobian_limits);
    tcase_add_test(tc, test_wz_vs_stirling);
    tcase_add_test(tc, test_wz_verify_rejects);
    tcase_add_test(tc, test_depth_mutants);
    tcase_add_test(tc, test_block_forward_claims);
    tcase_add_test(tc, test_poly_sign_vs_roots);
    tcase_add_test(tc, test_norm_rules_instances);
    tcase_add_test(tc, test_norm_rules_mutants);
    tcase_add_test(tc, test_norm_rules_limits);
    tcase_add_test(tc, test_norm_rules_random_claims);
    tcase_add_test(tc, test_norm_rules_fixed_size);
    tcase_add_test(tc, test_norm_rules_identities);
    tcase_add_test(tc, test_norm_rules_negated_split);
    tcase_add_test(tc, test_norm_rules_interval_bounds_intersect);
    tcase_add_test(tc, test_norm_rules_sigma_min_hypothesis);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20261203);
    return rj_test_run(symbolic_suite());
}
