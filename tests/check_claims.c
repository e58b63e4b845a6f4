/* Check suite for src/claims: the verdicts of the claim checker.
 *
 * Soundness first: the lesson's true claims come out PROVED; deliberately
 * false variants (wrong sign, off-by-one counts, a wrong matrix entry, pre/post
 * swapped, a bound tightened past the truth) come out REFUTED and never PROVED;
 * claims at ReLU ties that need a convention come out UNDECIDED naming it;
 * sampled claims are never PROVED; bad claims give located ERRORs.  Random
 * blocks and points hold the checker against the exact layer computed
 * directly.  Claim texts are inline or in tests/claims/ ($srcdir). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static ulong seed;

/* ---------------------------------------------------------------- helpers */

static const char *
srcdir(void)
{
    const char *s = getenv("srcdir");
    return s != NULL && s[0] != '\0' ? s : ".";
}

/* Parse text and check every claim. */
static void
run_text(rj_claim_results_t res, const char *text)
{
    rj_prog_t prog;
    rj_error_t err;
    char buf[1024];
    int st;
    rj_prog_init(prog);
    rj_error_init(err);
    st = rj_parse_string(prog, text, "test.rj", err);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(st == RJ_OK, "parse failed: %s", buf);
    st = rj_claims_check_prog(res, prog, NULL, NULL, err);
    ck_assert_int_eq(st, RJ_OK);
    rj_prog_clear(prog);
}

static void
run_file(rj_claim_results_t res, const char *name)
{
    char path[1024], buf[1024];
    rj_error_t err;
    int st;
    snprintf(path, sizeof(path), "%s/tests/claims/%s", srcdir(), name);
    rj_error_init(err);
    st = rj_claims_check_file(res, path, NULL, err);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(st == RJ_OK, "%s: %s", path, buf);
}

static const rj_claim_result_struct *
find(const rj_claim_results_t res, const char *name)
{
    slong i;
    for (i = 0; i < res->len; i++)
        if (strcmp(res->items[i].name, name) == 0)
            return res->items + i;
    ck_abort_msg("no claim named %s", name);
    return NULL;
}

static void
print_result(const rj_claim_result_struct *r)
{
    fprintf(stderr, "  %s:%d:%d %s: %s (expected %s): %s\n", r->file, r->line, r->col,
            r->name, rj_verdict_name(r->verdict), rj_verdict_name(r->expect),
            r->evidence != NULL ? r->evidence : "");
}

/* Every claim's verdict is the one its text expects. */
static void
assert_all_pass(const rj_claim_results_t res, const char *what)
{
    slong i;
    for (i = 0; i < res->len; i++)
        if (!res->items[i].passed)
            print_result(res->items + i);
    ck_assert_msg(res->failed == 0, "%s: %ld claims did not get their expected verdict", what,
                  (long) res->failed);
    ck_assert_int_eq(res->passed, res->len);
}

static void
assert_verdict(const rj_claim_results_t res, const char *name, rj_verdict_kind v,
               const char *evidence_part)
{
    const rj_claim_result_struct *r = find(res, name);
    if (r->verdict != v)
        print_result(r);
    ck_assert_msg(r->verdict == v, "%s: %s, expected %s", name, rj_verdict_name(r->verdict),
                  rj_verdict_name(v));
    if (evidence_part != NULL)
        ck_assert_msg(r->evidence != NULL && strstr(r->evidence, evidence_part) != NULL,
                      "%s: evidence '%s' lacks '%s'", name, r->evidence, evidence_part);
}

/* Decide one formula in env. */
static rj_verdict_kind
decide(rj_env_t env, const char *formula, char **evidence)
{
    rj_prog_t prog;
    rj_error_t err;
    rj_verdict_kind v;
    char *text = flint_malloc(strlen(formula) + 64), buf[1024];
    char *ev = NULL;
    int st;
    sprintf(text, "claim c \"t\" expect PROVED: %s\n", formula);
    rj_prog_init(prog);
    rj_error_init(err);
    st = rj_parse_string(prog, text, "formula", err);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(st == RJ_OK, "parse of '%s' failed: %s", formula, buf);
    st = rj_claims_decide(&v, &ev, NULL, prog->stmts[0].expr, env, err);
    ck_assert_int_eq(st, RJ_OK);
    if (evidence != NULL)
        *evidence = ev;
    else
        flint_free(ev);
    rj_prog_clear(prog);
    flint_free(text);
    return v;
}

/* Decide one formula in env and check its verdict (the evidence on failure). */
static void
expect_verdict(rj_env_t env, const char *formula, rj_verdict_kind want)
{
    char *ev;
    rj_verdict_kind v = decide(env, formula, &ev);
    ck_assert_msg(v == want, "%s: %s, expected %s: %s", formula, rj_verdict_name(v),
                  rj_verdict_name(want), ev);
    flint_free(ev);
}

static void
bind_mat(rj_env_t env, const char *name, const fmpq_mat_t A)
{
    rj_val_t v;
    rj_val_init(v);
    rj_val_set_fmpq_mat(v, A);
    rj_env_bind(env, name, v);
    rj_val_clear(v);
}

static void
bind_block(rj_env_t env, const char *name, const rj_block_t b)
{
    rj_val_t v;
    rj_val_init(v);
    v->kind = RJ_VAL_BLOCK;
    rj_block_set(v->block, b);
    rj_env_bind(env, name, v);
    rj_val_clear(v);
}

static void
bind_net(rj_env_t env, const char *name, const rj_net_t net)
{
    rj_val_t v;
    rj_val_init(v);
    v->kind = RJ_VAL_NET;
    rj_net_set(v->net, net);
    rj_env_bind(env, name, v);
    rj_val_clear(v);
}

/* Evaluate definitions into env (the language's evaluator, with the claim
   functions registered). */
static void
bind_defs(rj_env_t env, const char *text)
{
    rj_prog_t prog;
    rj_error_t err;
    char buf[1024];
    int st;
    rj_prog_init(prog);
    rj_error_init(err);
    st = rj_parse_string(prog, text, "defs", err);
    if (st == RJ_OK)
        st = rj_eval_defs(env, prog, err);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(st == RJ_OK, "%s: %s", text, buf);
    rj_prog_clear(prog);
}

/* ---------------------------------------------------------------- the lesson */

START_TEST(test_lesson_true_claims_proved)
{
    rj_claim_results_t res;
    slong i;
    rj_claim_results_init(res);
    run_file(res, "lesson_true.rj");
    assert_all_pass(res, "lesson_true.rj");
    for (i = 0; i < res->len; i++)
        ck_assert(res->items[i].verdict == RJ_VERDICT_PROVED
                  || res->items[i].verdict == RJ_VERDICT_NOT_REFUTED);
    rj_claim_results_clear(res);
}
END_TEST

START_TEST(test_lesson_false_variants_refuted)
{
    rj_claim_results_t res;
    slong i;
    rj_claim_results_init(res);
    run_file(res, "lesson_false.rj");
    ck_assert_int_ge(res->len, 15);
    for (i = 0; i < res->len; i++) {
        if (res->items[i].verdict == RJ_VERDICT_PROVED)
            print_result(res->items + i);
        ck_assert_msg(res->items[i].verdict != RJ_VERDICT_PROVED, "false claim %s PROVED",
                      res->items[i].name);
    }
    assert_all_pass(res, "lesson_false.rj");
    /* counterexamples are printed: the case, the witness, the values */
    assert_verdict(res, "count_total", RJ_VERDICT_REFUTED, "L = 1: lhs = 2, rhs = 4");
    assert_verdict(res, "example2_lesson", RJ_VERDICT_REFUTED,
                   "J = [[-1/10, 0, 0], [0, -1/10, 0], [0, 0, -1/10]]");
    assert_verdict(res, "entry_jacobian", RJ_VERDICT_REFUTED, "entry (2, 2) differs");
    rj_claim_results_clear(res);
}
END_TEST

/* The same false variants written inline, each one the minimal change of a
   PROVED claim: the pair must split into PROVED / REFUTED. */
START_TEST(test_true_false_pairs)
{
    static const char *pairs[][2] = {
        { "paths(10) == 1024", "paths(10) == 1023" },
        { "paths(10, 3) == 120", "paths(10, 3) == 121" },
        { "binomial(1000, 1) == 1000", "binomial(1000, 1) == 999" },
        { "digits(2^1000) == 302", "digits(2^1000) == 303" },
        { "round_log10(2^1000) == 301", "round_log10(2^1000) == 302" },
        { "floor_log2(2^1000 - 1) == 999", "floor_log2(2^1000 - 1) == 1000" },
        { "10^301 <= 2^1000", "10^302 <= 2^1000" },
        { "jacobian(Post, x3) == diag(0, 2)", "jacobian(Post, x3) == diag(0, -2)" },
        { "jacobian(Pre, x3) == diag(1, 2)", "jacobian(Post, x3) == diag(1, 2)" },
        { "forward(Post, x3) == [0, 2]", "forward(Pre, x3) == [0, 2]" },
        { "norm1(Z) <= 1/10", "norm1(Z) < 1/10" },
        { "normfro2(Z) == 1/100", "normfro2(Z) == 1/99" },
        { "trace(Z) == 1/10 and det(Z) == 0", "det(Z) == 1/10" },
        { "norm2(Z) == 1/10", "norm2(Z) == 1/11" },
        { "sigma_min(identity(3) + Z) == 1", "sigma_min(identity(3) + Z) > 1" },
        { "charpoly(Z) == t^3 - 1/10 * t^2", "charpoly(Z) == t^3 + 1/10 * t^2" },
        { "sqrt(2) > 1414/1000", "sqrt(2) > 1415/1000" },
        { "forall k in 1..30: paths(k, k) == 1", "forall k in 1..30: paths(k, k) == k" },
    };
    const char *defs =
        "let W = identity(2)\n"
        "let x3 = [-1, 1]\n"
        "let Post = block(W1 = W, W2 = W, place = post)\n"
        "let Pre = block(W1 = W, W2 = W, place = pre)\n"
        "let Z = [[1/10, 0, 0], [0, 0, 0], [0, 0, 0]]\n";
    size_t i;
    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        rj_claim_results_t res;
        char text[2048];
        snprintf(text, sizeof(text),
                 "%sclaim good \"t\" expect PROVED:\n    %s\nclaim bad \"t\" expect REFUTED:\n"
                 "    %s\n", defs, pairs[i][0], pairs[i][1]);
        rj_claim_results_init(res);
        run_text(res, text);
        assert_verdict(res, "good", RJ_VERDICT_PROVED, NULL);
        assert_verdict(res, "bad", RJ_VERDICT_REFUTED, NULL);
        rj_claim_results_clear(res);
    }
}
END_TEST

/* ---------------------------------------------------------------- random blocks */

/* jacobian(B, x) against the exact layer: the true matrix is PROVED, any
   single-entry change REFUTED, skip + branch = jacobian PROVED. */
START_TEST(test_random_blocks_against_exact)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(40), tested = 0;
    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        rj_env_t env;
        rj_block_t b;
        rj_net_t net;
        fmpq_mat_t x, J, M;
        rj_ties_t ties;
        rj_tie_policy pol = { RJ_TIE_RIGHT, 0 };
        rj_error_t err;
        slong w = 1 + n_randint(st, 3), h = n_randint(st, 4), i, j;
        int place = n_randint(st, 3), act = n_randint(st, 3), outer = n_randint(st, 3);
        rj_verdict_kind v;
        char *ev;

        rj_block_init(b);
        rj_net_init(net);
        rj_ties_init(ties);
        rj_error_init(err);
        fmpq_mat_init(x, w, 1);
        fmpq_mat_init(J, w, w);
        fmpq_mat_init(M, w, w);
        rj_test_randblock(b, st, w, h, w, n_randint(st, 2) ? RJ_SKIP_IDENTITY : RJ_SKIP_SCALED,
                          place, act, outer, n_randint(st, 2), 7, 6);
        rj_test_randmat(x, st, 13, 5);
        ck_assert_int_eq(rj_block_validate(b, "B", err), RJ_OK);
        rj_net_append(net, b, NULL);
        ck_assert_int_eq(rj_exact_jacobian(J, ties, net, x, pol, err), RJ_OK);
        if (ties->len == 0) {
            tested++;
            rj_claims_env_init(env, NULL);
            bind_block(env, "B", b);
            bind_mat(env, "x", x);
            bind_mat(env, "M", J);
            /* xe: x as an enclosure matrix (forward of a tanh block whose
               branch is zero) */
            bind_defs(env, "let xe = forward(block(W1 = 0 * x * x', act = tanh, "
                           "W2 = 0 * x * x'), x)\n");
            ck_assert_int_eq(rj_env_lookup(env, "xe")->kind, RJ_VAL_EXT);
            v = decide(env, "jacobian(B, x) == M", &ev);
            RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "case %ld: true Jacobian: %s: %s",
                     (long) iter, rj_verdict_name(v), ev);
            flint_free(ev);
            v = decide(env, "skip_part(B, x) + branch_part(B, x) == M and expand(B, x) == M",
                       NULL);
            RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "case %ld: parts", (long) iter);
            v = decide(env, "jacobian(B, x) != M", NULL);
            RJ_CHECK(v == RJ_VERDICT_REFUTED, seed, "case %ld: != of equal", (long) iter);
            /* the precise layer (reached through an enclosed point) against
               the exact layer: its enclosures contain the exact values */
            v = decide(env, "normfro2(jacobian(B, xe) - M) <= 10^-60 and "
                            "normfro2(forward(B, xe) - forward(B, x)) <= 10^-60 and "
                            "normfro2(skip_part(B, xe) - skip_part(B, x)) <= 10^-60", &ev);
            RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "case %ld: precise against exact: %s: %s",
                     (long) iter, rj_verdict_name(v), ev);
            flint_free(ev);
            /* a wrong entry */
            i = n_randint(st, w);
            j = n_randint(st, w);
            fmpq_mat_set(M, J);
            fmpq_add_si(fmpq_mat_entry(M, i, j), fmpq_mat_entry(M, i, j), 1);
            bind_mat(env, "M", M);
            v = decide(env, "jacobian(B, x) == M", &ev);
            RJ_CHECK(v == RJ_VERDICT_REFUTED, seed, "case %ld: wrong entry (%ld, %ld): %s: %s",
                     (long) iter, (long) i, (long) j, rj_verdict_name(v), ev);
            flint_free(ev);
            /* a wrong sign of the whole matrix (unless it is zero) */
            if (!fmpq_mat_is_zero(J)) {
                fmpq_mat_neg(M, J);
                bind_mat(env, "M", M);
                v = decide(env, "jacobian(B, x) == M", NULL);
                RJ_CHECK(v == RJ_VERDICT_REFUTED, seed, "case %ld: wrong sign", (long) iter);
            }
            rj_claims_env_clear(env);
        }
        rj_block_clear(b);
        rj_net_clear(net);
        rj_ties_clear(ties);
        fmpq_mat_clear(x);
        fmpq_mat_clear(J);
        fmpq_mat_clear(M);
    }
    ck_assert_int_gt(tested, n / 4);
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- ties */

START_TEST(test_ties_need_a_convention)
{
    rj_claim_results_t res;
    const char *text =
        "let T = block(W1 = [[1]], W2 = [[1]])\n"          /* J = 1 + d, d in {0, 1} */
        "let T3 = block(W1 = [[1]], W2 = [[-1]])\n"        /* J = 1 - d */
        "let T2 = block(W1 = [[2]], W2 = [[1/2]])\n"       /* the same function as T */
        "let z = [0]\n"
        "claim right \"§6\" expect UNDECIDED:\n    jacobian(T, z) == [[2]]\n"
        "claim left \"§6\" expect UNDECIDED:\n    jacobian(T, z) == [[1]]\n"
        "claim every \"§6\" expect PROVED:\n    jacobian(T, z) >= [[1]] and jacobian(T, z) <= 2\n"
        "claim none \"§6\" expect REFUTED:\n    jacobian(T, z) == [[3]]\n"
        "claim same_choice \"§3\" expect PROVED:\n"
        "    jacobian(T, z) == skip_part(T, z) + branch_part(T, z)\n"
        "claim same_net \"§3\" expect PROVED:\n    jacobian(T, z) == jacobian(net(T), z)\n"
        "claim other_net \"§3\" expect UNDECIDED:\n    jacobian(T, z) == jacobian(T2, z)\n"
        "let J = jacobian(T, z)\n"
        "claim let_keeps_choice \"§3\" expect PROVED:\n"
        "    J == skip_part(T, z) + branch_part(T, z) and J[1, 1] >= 1\n"
        /* (1 + c)^2 == (1 + c)^2 holds for every c, but a product of two
           choice-dependent values is not multilinear: the vertices c in {0, 1}
           do not show it for c in (0, 1) */
        "claim let_square_not_multilinear \"§3\" expect UNDECIDED:\n    J * J == J^2\n"
        "claim let_convention \"§6\" expect UNDECIDED:\n    J - identity(1) == [[1]]\n"
        "claim mixed_only \"§6\" expect UNDECIDED:\n    jacobian(T, z) + jacobian(T3, z) == [[3]]\n"
        "claim not_mixed \"§6\" expect UNDECIDED:\n    jacobian(T, z) + jacobian(T3, z) == [[2]]\n"
        "let Q = block(W1 = [[1]], W2 = [[-1]], place = post)\n"
        "claim outer_tie_irrelevant \"§6\" expect PROVED:\n    jacobian(Q, [1]) == [[0]]\n"
        "claim graded_tie \"§4\" expect UNDECIDED:\n    graded(net(T, T), z, 2) == zeros(1, 1)\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "ties");
    assert_verdict(res, "right", RJ_VERDICT_UNDECIDED, "ReLU'(0) = 1");
    assert_verdict(res, "right", RJ_VERDICT_UNDECIDED, "block 1 inner relu, unit 1");
    assert_verdict(res, "left", RJ_VERDICT_UNDECIDED, "holds with the left derivative");
    assert_verdict(res, "mixed_only", RJ_VERDICT_UNDECIDED, "only for mixed");
    assert_verdict(res, "not_mixed", RJ_VERDICT_UNDECIDED, "fails for the mixed choice");
    assert_verdict(res, "none", RJ_VERDICT_REFUTED, "fails for all 2 one-sided choices");
    rj_claim_results_clear(res);
}
END_TEST

START_TEST(test_tie_limit_undecided)
{
    rj_claim_results_t res;
    rj_claims_opts opts;
    rj_prog_t prog;
    rj_error_t err;
    /* twelve ReLU units at 0: 2^12 choices exceed the limit of 10 ties */
    const char *text =
        "let T = block(W1 = identity(12), W2 = identity(12))\n"
        "claim many \"§6\" expect UNDECIDED:\n    jacobian(T, zeros(12, 1)) == identity(12)\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_verdict(res, "many", RJ_VERDICT_UNDECIDED, "RJ_CLAIMS_MAX_TIES");
    rj_claim_results_clear(res);
    /* a lower limit through the options */
    rj_claims_opts_default(&opts);
    opts.max_ties = 1;
    rj_prog_init(prog);
    rj_error_init(err);
    ck_assert_int_eq(rj_parse_string(prog,
                                     "let T = block(W1 = identity(2), W2 = identity(2))\n"
                                     "claim two \"§6\" expect UNDECIDED:\n"
                                     "    jacobian(T, [0, 0]) >= zeros(2, 2)\n", "t", err),
                     RJ_OK);
    rj_claim_results_init(res);
    ck_assert_int_eq(rj_claims_check_prog(res, prog, NULL, &opts, err), RJ_OK);
    assert_verdict(res, "two", RJ_VERDICT_UNDECIDED, "limit of 1 ties");
    rj_claim_results_clear(res);
    rj_prog_clear(prog);
}
END_TEST

/* ---------------------------------------------------------------- sampling */

START_TEST(test_random_families_never_prove)
{
    static const char *cases[][2] = {
        /* family, a body true for every member */
        { "rows = 3, norm = 1, bound = 1/10", "norm1(J) <= 1/10" },
        { "rows = 3, norm = inf, bound = 1/10", "norminf(J) <= 1/10" },
        { "rows = 4, norm = fro, bound = 1/10", "normfro2(J) <= 1/100" },
        { "rows = 3, norm = 2, bound = 1/10", "norm2(J) <= 1/10" },
        { "rows = 2, cols = 3, norm = 2, bound = 1/2", "normfro2(J) <= 3/4" },
        { "rows = 3, norm = 1, bound = 1/10, strict = 1", "norm1(J) < 1/10" },
        { "rows = 1, norm = fro, bound = 7", "normfro2(J) <= 49" },
        { "rows = 3, cols = 1, norm = fro, bound = 1", "sigma_min(identity(3) + J * J') >= 1/2" },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rj_env_t env;
        char f[512], *ev;
        rj_verdict_kind v;
        rj_claims_env_init(env, NULL);
        snprintf(f, sizeof(f), "forall J in random(%s, seed = %lu, count = 30): %s", cases[i][0],
                 (unsigned long) (seed % 1000), cases[i][1]);
        v = decide(env, f, &ev);
        RJ_CHECK(v == RJ_VERDICT_NOT_REFUTED, seed, "%s: %s: %s", f, rj_verdict_name(v), ev);
        ck_assert(strstr(ev, "no counterexample among 44 cases") != NULL);
        flint_free(ev);
        /* negation and conjunction with a proved claim do not prove either */
        snprintf(f, sizeof(f), "not (forall J in random(%s, seed = 1, count = 5): %s)",
                 cases[i][0], cases[i][1]);
        v = decide(env, f, NULL);
        ck_assert_int_eq(v, RJ_VERDICT_UNDECIDED);
        snprintf(f, sizeof(f), "1 == 1 and forall J in random(%s, seed = 1, count = 5): %s",
                 cases[i][0], cases[i][1]);
        ck_assert_int_eq(decide(env, f, NULL), RJ_VERDICT_NOT_REFUTED);
        snprintf(f, sizeof(f), "1 == 1 or forall J in random(%s, seed = 1, count = 5): %s",
                 cases[i][0], cases[i][1]);
        ck_assert_int_eq(decide(env, f, NULL), RJ_VERDICT_PROVED);
        rj_claims_env_clear(env);
    }
}
END_TEST

/* The boundary of each family is reached exactly, so bounds tightened past it
   are refuted, and the witness printed is a member of the family. */
START_TEST(test_random_family_boundaries)
{
    static const char *cases[][2] = {
        { "rows = 3, norm = 1, bound = 1/10", "norm1(J) < 1/10" },
        { "rows = 3, norm = inf, bound = 1/10", "norminf(J) < 1/10" },
        { "rows = 4, norm = fro, bound = 1/10", "normfro2(J) < 1/100" },
        { "rows = 3, norm = 2, bound = 1/10", "norm2(J) < 1/10" },
        { "rows = 3, norm = 2, bound = 1/10", "det(identity(3) + J) > 1" },
        { "rows = 2, norm = 2, bound = 1/10", "trace(J) >= 0" },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rj_env_t env;
        char f[512], *ev;
        rj_verdict_kind v;
        rj_claims_env_init(env, NULL);
        snprintf(f, sizeof(f), "forall J in random(%s, seed = %lu, count = 20): %s",
                 cases[i][0], (unsigned long) (seed % 1000), cases[i][1]);
        v = decide(env, f, &ev);
        RJ_CHECK(v == RJ_VERDICT_REFUTED, seed, "%s: %s: %s", f, rj_verdict_name(v), ev);
        ck_assert(strncmp(ev, "J = [[", 6) == 0 || strncmp(ev, "J = [", 5) == 0);
        flint_free(ev);
        rj_claims_env_clear(env);
    }
}
END_TEST

/* ---------------------------------------------------------------- approximate, enclosures */

START_TEST(test_approximate_and_enclosures)
{
    rj_claim_results_t res;
    const char *text =
        "claim a1 \"t\" expect NOT_REFUTED:\n    1/3 ~= 0.33 within 0.01\n"
        "claim a2 \"t\" expect REFUTED:\n    1/3 ~= 0.3 within 0.01\n"
        "claim a3 \"t\" expect NOT_REFUTED:\n    [1/3, 2/3] ~= [0.33, 0.67] within 0.01\n"
        "claim a4 \"t\" expect NOT_REFUTED:\n    1/2 ~= 1/2 within 0\n"
        "claim a5 \"t\" expect UNDECIDED:\n    not (1/3 ~= 0.33 within 0.01)\n"
        "claim e1 \"t\" expect PROVED:\n    sqrt(2) > 1.414 and sqrt(2) < 1.415\n"
        "claim e2 \"t\" expect REFUTED:\n    sqrt(2) < 1.414\n"
        "claim e3 \"t\" expect REFUTED:\n    sqrt(2) == 1.4142135623730951\n"
        "claim e4 \"t\" expect PROVED:\n    sqrt(9/4) == 3/2 and normfro([[3, 4]]) == 5\n"
        "claim e5 \"t\" expect PROVED:\n    log2(2^1000) == 1000 and log10(10^5) == 5\n"
        "claim e6 \"t\" expect NOT_REFUTED:\n    log10(2^1000) ~= 301 within 0.05\n"
        "claim e7 \"t\" expect REFUTED:\n    log10(2^1000) ~= 301 within 0.01\n"
        "claim e8 \"t\" expect PROVED:\n    norm2([[1, 2], [3, 4]]) > 5 and norm2([[1, 2], [3, 4]]) < 5.5\n"
        "claim e9 \"t\" expect PROVED:\n    sigma_min(diag(3, -1/2)) == 1/2 and sigma_min([[1, 1], [1, 1]]) == 0\n"
        "claim e10 \"t\" expect UNDECIDED:\n    norm2([[1, 2], [3, 4]]) <= 5.4649857042190426\n"
        "claim e11 \"t\" expect PROVED:\n    sigma_min([[2, 1], [1, 2]]) > 0.99 and sigma_min([[2, 1], [1, 2]]) < 1.01\n"
        "claim e12 \"t\" expect PROVED:\n    norm2([[1, 2], [3, 4]]) * 2 > 10 and sqrt(2) * sqrt(2) < 2.0001\n"
        "claim e14 \"t\" expect UNDECIDED:\n    sigma_min(identity(3) + [[1, 1, 1], [1, 1, 1], [1, 1, 1]]) >= 1\n"
        "claim e15 \"t\" expect UNDECIDED:\n    sqrt(2) * sqrt(2) == 2\n"
        "claim e13 \"t\" expect PROVED:\n    abs(-3/4) == 3/4 and max(1, 5/2, -7) == 5/2 and min([[3, -2], [0, 1]]) == -2\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "approximate and enclosures");
    assert_verdict(res, "a1", RJ_VERDICT_NOT_REFUTED, "never PROVED");
    assert_verdict(res, "e10", RJ_VERDICT_UNDECIDED, "overlap");
    rj_claim_results_clear(res);
}
END_TEST

/* ---------------------------------------------------------------- ties: the Clarke box */

/* Regression (report of the proofs author, item 1): claims that hold at the
   one-sided choices ReLU'(0) in {0, 1} but fail at ReLU'(0) = 1/2 were PROVED.
   J = jacobian of relu(x) at [0, 1] is diag(c, 1), c in [0, 1]. */
START_TEST(test_ties_clarke_box_not_vertices)
{
    rj_claim_results_t res;
    slong i;
    const char *text =
        "let R = block(W1 = identity(2), skip = none, place = post)\n"
        "let J = jacobian(R, [0, 1])\n"
        /* the three examples of the report: not PROVED */
        "claim square \"t\" expect UNDECIDED:\n"
        "    jacobian(R, [0, 1]) * jacobian(R, [0, 1]) == jacobian(R, [0, 1])\n"
        "claim c_one_minus_c \"t\" expect UNDECIDED:\n"
        "    jacobian(R, [0, 1])[1, 1] * (1 - jacobian(R, [0, 1])[1, 1]) == 0\n"
        "claim norm_from_below \"t\" expect UNDECIDED:\n"
        "    norm1(jacobian(R, [0, 1]) - diag(1/2, 1)) >= 1/2\n"
        /* more that hold at both vertices only */
        "claim ne_center \"t\" expect UNDECIDED:\n    J != diag(1/2, 1)\n"
        "claim abs_below \"t\" expect UNDECIDED:\n    abs(J[1, 1] - 1/2) >= 1/2\n"
        "claim det_not_lin \"t\" expect UNDECIDED:\n    det(J) == J[1, 1]\n"
        "claim or_split \"t\" expect UNDECIDED:\n    J[1, 1] == 0 or J[1, 1] == 1\n"
        /* fails at both vertices, holds at 1/2: not REFUTED either */
        "claim only_center \"t\" expect UNDECIDED:\n    J == diag(1/2, 1)\n"
        /* true multilinear claims: still PROVED */
        "claim lin_eq \"t\" expect PROVED:\n"
        "    J == skip_part(R, [0, 1]) + branch_part(R, [0, 1]) and J' == J\n"
        "claim lin_scaled \"t\" expect PROVED:\n"
        "    2 * J - J == J and J * identity(2) == J and (J / 2)[2, 2] == 1/2\n"
        "claim lin_range \"t\" expect PROVED:\n    J[1, 1] >= 0 and J[1, 1] <= 1 and J <= identity(2)\n"
        "claim convex_upper \"t\" expect PROVED:\n"
        "    norm1(J - diag(1/2, 1)) <= 1/2 and normfro2(J) <= 2 and norm2(J) <= 1 and "
        "abs(J[1, 1] - 1/2) <= 1/2\n"
        "claim concave_lower \"t\" expect PROVED:\n    0 <= min(J[1, 1], 1) and 1 >= max(J)\n"
        "claim disjoint_product \"t\" expect PROVED:\n"
        "    jacobian(R, [0, 1]) * jacobian(R, [0, 2]) <= identity(2)\n"
        /* false for every c in [0, 1]: REFUTED */
        "claim wrong_entry \"t\" expect REFUTED:\n    J == diag(2, 1)\n"
        "claim norm_too_big \"t\" expect REFUTED:\n    norm1(J) > 1\n";
    rj_claim_results_init(res);
    run_text(res, text);
    for (i = 0; i < res->len; i++)
        if (res->items[i].expect != RJ_VERDICT_PROVED)
            ck_assert_msg(res->items[i].verdict != RJ_VERDICT_PROVED, "%s PROVED",
                          res->items[i].name);
    assert_all_pass(res, "Clarke box");
    assert_verdict(res, "square", RJ_VERDICT_UNDECIDED, "fails at ReLU'(0) = 1/2");
    assert_verdict(res, "c_one_minus_c", RJ_VERDICT_UNDECIDED, "lhs = 1/4, rhs = 0");
    assert_verdict(res, "norm_from_below", RJ_VERDICT_UNDECIDED, "fails at ReLU'(0) = 1/2");
    assert_verdict(res, "det_not_lin", RJ_VERDICT_UNDECIDED,
                   "not multilinear in the tie choices, so the vertices do not cover the "
                   "Clarke set [0,1]");
    assert_verdict(res, "only_center", RJ_VERDICT_UNDECIDED, "holds at ReLU'(0) = 1/2");
    assert_verdict(res, "lin_eq", RJ_VERDICT_PROVED, "every ReLU'(0) in [0, 1]");
    rj_claim_results_clear(res);
}
END_TEST

/* Random multilinear claims at ties: jacobian(N, x) == skip + branch (one
   block) and jacobian == expand == subsets_sum are PROVED; J * J == J^2 is
   never PROVED when J depends on a tie. */
/* Indexing an enclosure matrix reads its indices with the language's one
   reader: out of range and non-integer indices get the messages of exact
   matrices, with the kind of matrix named. */
START_TEST(test_enclosure_index_messages)
{
    static const char *text =
        "let T = block(W1 = [[1, 0], [0, 1]], act = tanh, W2 = [[1, 0], [0, 1]])\n"
        "let J = jacobian(T, [0, 0])\n"
        "let E = [[2, 0], [0, 2]]\n"
        "claim in_range \"x\" expect PROVED:\n    J[1, 1] > 1\n"
        "claim enclosure_row \"x\" expect PROVED:\n    J[3, 1] > 1\n"
        "claim exact_row \"x\" expect PROVED:\n    E[3, 1] > 1\n"
        "claim enclosure_half \"x\" expect PROVED:\n    J[1/2, 1] > 1\n"
        "claim exact_half \"x\" expect PROVED:\n    E[1/2, 1] > 1\n";
    rj_claim_results_t res;
    rj_claim_results_init(res);
    run_text(res, text);
    ck_assert_int_eq(res->len, 5);
    ck_assert_int_eq(res->items[0].verdict, RJ_VERDICT_PROVED);
    ck_assert_int_eq(res->items[1].verdict, RJ_VERDICT_ERROR);
    ck_assert_int_eq(res->items[2].verdict, RJ_VERDICT_ERROR);
    ck_assert_msg(strstr(res->items[1].evidence,
                         "row index 3 is out of range 1..2 (a 2 x 2 enclosure matrix)") != NULL,
                  "%s", res->items[1].evidence);
    ck_assert_msg(strstr(res->items[2].evidence,
                         "row index 3 is out of range 1..2 (a 2 x 2 matrix)") != NULL,
                  "%s", res->items[2].evidence);
    ck_assert_int_eq(res->items[3].verdict, RJ_VERDICT_ERROR);
    ck_assert_int_eq(res->items[4].verdict, RJ_VERDICT_ERROR);
    ck_assert_msg(strstr(res->items[3].evidence, "row index must be an integer, found 1/2")
                  != NULL, "%s", res->items[3].evidence);
    ck_assert_msg(strstr(res->items[4].evidence, "row index must be an integer, found 1/2")
                  != NULL, "%s", res->items[4].evidence);
    rj_claim_results_clear(res);
}
END_TEST

START_TEST(test_ties_random_multilinear)
{
    flint_rand_t st;
    slong iter, n = rj_test_iters(30), tied = 0;
    rj_test_randinit(st, seed);
    for (iter = 0; iter < n; iter++) {
        rj_env_t env;
        rj_block_t b;
        fmpq_mat_t x;
        rj_error_t err;
        slong w = 1 + n_randint(st, 3), i;
        rj_verdict_kind v;
        char *ev;
        rj_block_init(b);
        rj_error_init(err);
        fmpq_mat_init(x, w, 1);
        rj_test_randblock(b, st, w, 1 + n_randint(st, 3), w, RJ_SKIP_IDENTITY,
                          n_randint(st, 3), 1, 1, 0, 3, 1);
        /* small integer points: ties are common */
        for (i = 0; i < w; i++)
            fmpq_set_si(fmpq_mat_entry(x, i, 0), (slong) n_randint(st, 3) - 1, 1);
        ck_assert_int_eq(rj_block_validate(b, "B", err), RJ_OK);
        rj_claims_env_init(env, NULL);
        bind_block(env, "B", b);
        bind_mat(env, "x", x);
        v = decide(env, "jacobian(B, x) == skip_part(B, x) + branch_part(B, x) and "
                        "expand(B, x) == jacobian(B, x) and subsets_sum(B, x) == jacobian(B, x)"
                        " and graded(B, x, 0) + graded(B, x, 1) == jacobian(B, x)", &ev);
        RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "case %ld: %s: %s", (long) iter,
                 rj_verdict_name(v), ev);
        tied += strstr(ev, "ReLU tie") != NULL;
        flint_free(ev);
        v = decide(env, "jacobian(B, x) * jacobian(B, x) == jacobian(B, x)^2", &ev);
        if (strstr(ev, "[ReLU tie") != NULL)
            RJ_CHECK(v == RJ_VERDICT_UNDECIDED, seed, "case %ld: square at a tie: %s: %s",
                     (long) iter, rj_verdict_name(v), ev);
        else
            RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "case %ld: square: %s: %s", (long) iter,
                     rj_verdict_name(v), ev);
        flint_free(ev);
        rj_claims_env_clear(env);
        rj_block_clear(b);
        fmpq_mat_clear(x);
    }
    ck_assert_int_gt(tied, 0);
    flint_randclear(st);
}
END_TEST

/* Regression (report item 2): ties at the same place of two points are told
   apart by their labels (the point and the call). */
START_TEST(test_tie_labels_name_the_point)
{
    rj_claim_results_t res;
    const char *text =
        "let R = block(W1 = identity(2), skip = none, place = post)\n"
        "claim two_points \"t\" expect UNDECIDED:\n"
        "    jacobian(R, [0, 1]) == jacobian(R, [0, 2])\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "labels");
    assert_verdict(res, "two_points", RJ_VERDICT_UNDECIDED,
                   "unit 1, at [0, 1] (first met by jacobian at test.rj:3:5); block 1 outer "
                   "relu (post), unit 1, at [0, 2] (first met by jacobian at test.rj:3:28)");
    rj_claim_results_clear(res);
}
END_TEST

/* Issue 14c: an enclosure matrix plus or minus a number is entrywise under
   the rule of exact matrices: x as an enclosure matrix (the forward of a
   tanh block whose branch is zero) against the exact x - c * ones(n). */
START_TEST(test_emat_broadcast)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 140);
    for (it = 0; it < rj_test_iters(12); it++) {
        slong n = 2 + n_randint(st, 3);
        fmpq_mat_t x;
        fmpq_t c;
        rj_env_t env;
        rj_val_t cv;
        rj_verdict_kind v;
        char *ev = NULL;
        fmpq_mat_init(x, n, 1);
        fmpq_init(c);
        rj_test_randmat(x, st, 13, 5);
        rj_test_randq(c, st, 9, 4);
        rj_claims_env_init(env, NULL);
        rj_val_init(cv);
        bind_mat(env, "x", x);
        rj_val_set_fmpq(cv, c);
        rj_env_bind(env, "c", cv);
        bind_defs(env, "let Z = block(W1 = 0 * x * x', act = tanh, W2 = 0 * x * x')\n"
                       "let xe = forward(Z, x)\nlet Je = jacobian(Z, x)\n");
        v = decide(env, "normfro2((xe - c) - (x - c * ones(rows(x)))) <= 10^-60 and "
                        "normfro2((c - xe) - (c * ones(rows(x)) - x)) <= 10^-60 and "
                        "normfro2((xe + c) - (x + c * ones(rows(x)))) <= 10^-60", &ev);
        RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "case %ld: %s: %s", (long) it,
                 rj_verdict_name(v), ev);
        flint_free(ev);
        /* a square enclosure matrix: only c = 0 is unambiguous */
        v = decide(env, "normfro2(Je - 0 - identity(rows(x))) <= 10^-60", NULL);
        ck_assert_int_eq(v, RJ_VERDICT_PROVED);
        v = decide(env, "Je - 1 == Je", &ev);
        RJ_CHECK(v == RJ_VERDICT_ERROR && strstr(ev, "ambiguous") != NULL, seed,
                 "square enclosure matrix - 1: %s: %s", rj_verdict_name(v), ev);
        flint_free(ev);
        rj_val_clear(cv);
        rj_claims_env_clear(env);
        fmpq_mat_clear(x);
        fmpq_clear(c);
    }
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- tanh and sigmoid */

/* Networks with tanh or sigmoid are enclosed by the precise layer: claims
   that an enclosure settles are decided (report item 3). */
START_TEST(test_tanh_enclosures)
{
    rj_claim_results_t res;
    const char *text =
        "let Bt = block(W1 = [[1]], act = tanh, W2 = [[1]])\n"
        "let Bs = block(W1 = [[2]], act = sigmoid, W2 = [[1]])\n"
        "let A = [[1/2, -1], [1, 1/3]]\n"
        "let C = [[1, 1/2], [-1/4, 1]]\n"
        "let BT = block(W1 = A, act = tanh, W2 = C)\n"
        "let T = block(W1 = A, skip = none, place = post, outer = tanh)\n"
        "let x = [1/2, -1]\n"
        "let Jt = jacobian(Bt, [1])\n"
        "claim tanh_jacobian_refuted \"P1\" expect REFUTED:\n    jacobian(Bt, [1]) == [[1]]\n"
        "claim tanh_let \"P1\" expect PROVED:\n    Jt > 1.41 and Jt < 1.42 and Jt[1] < 1.42\n"
        /* tanh'(1) = 1 - tanh(1)^2 = 0.41997...: 1 + tanh'(1) */
        "claim tanh_value \"P1\" expect PROVED:\n"
        "    abs(Jt[1, 1] - 1.4199743416140260693944) <= 10^-20\n"
        "claim tanh_eq_undecided \"P1\" expect UNDECIDED:\n    Jt == Jt\n"
        "claim sigmoid_forward \"P1\" expect PROVED:\n"
        "    abs(forward(Bs, [0])[1] - 1/2) <= 10^-30 and forward(Bs, 0) >= [0.4999]\n"
        "claim sigmoid_approx \"P1\" expect NOT_REFUTED:\n"
        "    forward(Bs, 0) ~= [1/2] within 10^-20\n"
        "claim tanh_formula \"P1\" expect PROVED:\n"
        "    normfro2(jacobian(BT, x) - (identity(2) + C * (identity(2) - diag(forward(T, x))^2)"
        " * A)) <= 10^-60\n"
        "claim tanh_parts \"P1\" expect PROVED:\n"
        "    normfro2(jacobian(BT, x) - skip_part(BT, x) - branch_part(BT, x)) <= 10^-60 and "
        "skip_part(BT, x) - identity(2) <= 0 and norminf(expand(BT, x) - jacobian(BT, x)) < 10^-30\n"
        "claim tanh_graded \"P1\" expect PROVED:\n"
        "    norm1(graded(net(BT, BT), x, 0) - identity(2)) <= 10^-30\n"
        "claim tanh_chain \"P1\" expect PROVED:\n"
        "    normfro(forward(BT, forward(BT, x)) - forward(net(BT, BT), x)) <= 10^-30\n"
        "claim tanh_bound \"P1\" expect PROVED:\n"
        "    norm1(jacobian(BT, x) - identity(2)) <= norm1(C) * norm1(A) and "
        "norm2(branch_part(BT, x)) < norm2(C) * norm2(A) and sigma_min(jacobian(BT, x)) > 0\n"
        "claim tanh_or_true \"P1\" expect PROVED:\n    Jt == Jt or 1 == 1\n"
        "claim tanh_and_false \"P1\" expect REFUTED:\n    Jt == Jt and 1 == 2\n"
        /* what an enclosure cannot give: UNDECIDED, not ERROR */
        "claim tanh_det \"P1\" expect UNDECIDED:\n    det(jacobian(BT, x)) > 0\n"
        "claim tanh_charpoly \"P1\" expect UNDECIDED:\n    charpoly(jacobian(BT, x)) == t^2\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "tanh");
    assert_verdict(res, "tanh_jacobian_refuted", RJ_VERDICT_REFUTED, "rigorous enclosures");
    assert_verdict(res, "tanh_eq_undecided", RJ_VERDICT_UNDECIDED, "overlap");
    assert_verdict(res, "tanh_det", RJ_VERDICT_UNDECIDED, "enclosure");
    rj_claim_results_clear(res);
}
END_TEST

/* An enclosure matrix is an extension value (RJ_VAL_EXT): the language's
   copy, print, describe, arithmetic, negation, transpose and indexing reach
   it through its operations table, and each result still contains the true
   value, 1 + tanh'(1) = 1.41997434161402606939... */
/* ---------------------------------------------------------------- enclosures:
   the claims' extension value (rj_claims_encl_ops, data a precise-layer
   interval), its arithmetic the precise layer's rj_itv operations. */

/* Exact value of a finite MPFR number: m 2^e. */
static void
q_from_mpfr(fmpq_t q, const mpfr_t x)
{
    mpz_t m;
    fmpz_t z;
    mpfr_exp_t e;
    mpz_init(m);
    fmpz_init(z);
    e = mpfr_get_z_2exp(m, x);
    fmpz_set_mpz(z, m);
    fmpq_set_fmpz(q, z);
    if (e >= 0)
        fmpq_mul_2exp(q, q, e);
    else
        fmpq_div_2exp(q, q, -e);
    mpz_clear(m);
    fmpz_clear(z);
}

/* v = the enclosure [lo, hi] of q (rounded outward) at prec. */
static void
set_encl_fmpq(rj_val_t v, const fmpq_t q, slong prec)
{
    rj_itv_t x;
    rj_itv_init(x, prec);
    rj_itv_set_fmpq(x, q);
    rj_claims_val_set_encl(v, x);
    rj_itv_clear(x);
}

START_TEST(test_encl_copy)
{
    /* an enclosure copy keeps precision and ends, and owns its interval */
    rj_val_t a, b;
    rj_itv_t x;
    char d[120];
    rj_val_init(a);
    rj_val_init(b);
    rj_itv_init(x, 200);
    mpfr_set_ui(x->lo, 1, MPFR_RNDD);
    mpfr_set_ui(x->hi, 3, MPFR_RNDU);
    mpfr_div_ui(x->lo, x->lo, 3, MPFR_RNDD);
    mpfr_div_ui(x->hi, x->hi, 7, MPFR_RNDU);
    rj_claims_val_set_encl(a, x);
    ck_assert_int_eq(a->kind, RJ_VAL_EXT);
    ck_assert(rj_claims_val_is_encl(a));
    rj_val_set(b, a);
    ck_assert(rj_claims_val_is_encl(b) && b->data != a->data);
    ck_assert_int_eq(mpfr_get_prec(rj_claims_val_encl(b)->lo), 200);
    ck_assert(mpfr_equal_p(rj_claims_val_encl(b)->lo, x->lo)
              && mpfr_equal_p(rj_claims_val_encl(b)->hi, x->hi));
    rj_val_describe(d, sizeof(d), b);
    ck_assert_str_eq(d, "an enclosure");
    rj_val_reset(a);                      /* b does not share a's interval */
    ck_assert(mpfr_equal_p(rj_claims_val_encl(b)->lo, x->lo));
    rj_itv_clear(x);
    rj_val_clear(a);
    rj_val_clear(b);
}
END_TEST

START_TEST(test_encl_in_the_language)
{
    /* an enclosure through the evaluator: with an exact matrix it is an
       enclosure matrix operation, in either order; it is no function */
    rj_env_t env;
    char *ev = NULL;
    rj_claims_env_init(env, NULL);
    bind_defs(env, "let s = sqrt(2)\nlet A = [[1, 2], [3, 4]]\n");
    ck_assert(rj_claims_val_is_encl(rj_env_lookup(env, "s")));
    ck_assert_int_eq(decide(env, "(s * A)[1, 2] > 2.828 and (A * s)[2, 1] < 4.243 and "
                                 "(A / s)[2, 2] > 2.828 and (s + 1) * (s - 1) > 0.99 and "
                                 "abs(-s) > 1.414 and -s < -1.414 and s^-2 < 0.5001", NULL),
                     RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide(env, "(s * A)[1, 2] > 2.829", NULL), RJ_VERDICT_REFUTED);
    ck_assert_int_eq(decide(env, "s(2) == 1", &ev), RJ_VERDICT_ERROR);
    ck_assert_msg(strstr(ev, "'s' is a defined value, not a function") != NULL, "%s", ev);
    flint_free(ev);
    rj_claims_env_clear(env);
}
END_TEST

START_TEST(test_encl_arith)
{
    /* interval ops on [1/3 rounded out] contain the exact rational results */
    rj_val_t a, b, r;
    rj_error_t err;
    rj_loc_t loc = { "x", 1, 1 };
    fmpq_t q, third;
    rj_itv_t y;
    char *s;
    int op;
    rj_val_init(a);
    rj_val_init(b);
    rj_val_init(r);
    rj_error_init(err);
    fmpq_init(q);
    fmpq_init(third);
    fmpq_set_si(third, -1, 3);
    set_encl_fmpq(a, third, RJ_ENCL_PREC);
    fmpq_set_si(q, 7, 5);
    rj_val_set_fmpq(b, q);
    for (op = 0; op < 5; op++) {
        int c = "+-*/^"[op];
        fmpq_t ex;
        fmpq_init(ex);
        if (c == '^')
            fmpq_set_si(q, 3, 1), rj_val_set_fmpq(b, q);
        ck_assert_int_eq(rj_val_binop(r, c, a, b, NULL, loc, err), RJ_OK);
        ck_assert(rj_claims_val_is_encl(r));
        switch (c) {
        case '+': fmpq_add(ex, third, b->num); break;
        case '-': fmpq_sub(ex, third, b->num); break;
        case '*': fmpq_mul(ex, third, b->num); break;
        case '/': fmpq_div(ex, third, b->num); break;
        case '^': fmpq_pow_si(ex, third, 3); break;
        }
        /* lo <= ex <= hi, checked with exact rationals */
        {
            fmpq_t lo, hi;
            fmpq_init(lo);
            fmpq_init(hi);
            q_from_mpfr(lo, rj_claims_val_encl(r)->lo);
            q_from_mpfr(hi, rj_claims_val_encl(r)->hi);
            ck_assert_msg(fmpq_cmp(lo, ex) <= 0 && fmpq_cmp(ex, hi) <= 0, "op %c", c);
            ck_assert(mpfr_cmp(rj_claims_val_encl(r)->lo, rj_claims_val_encl(r)->hi) < 0);
            fmpq_clear(lo);
            fmpq_clear(hi);
        }
        /* the number on the left: the same enclosure for + and * */
        if (c == '+' || c == '*') {
            rj_val_t r2;
            rj_val_init(r2);
            ck_assert_int_eq(rj_val_binop(r2, c, b, a, NULL, loc, err), RJ_OK);
            ck_assert(mpfr_equal_p(rj_claims_val_encl(r2)->lo, rj_claims_val_encl(r)->lo)
                      && mpfr_equal_p(rj_claims_val_encl(r2)->hi, rj_claims_val_encl(r)->hi));
            rj_val_clear(r2);
        }
        fmpq_clear(ex);
    }
    /* division by an enclosure containing 0 */
    rj_itv_init(y, RJ_ENCL_PREC);
    mpfr_set_si(y->lo, -1, MPFR_RNDD);
    mpfr_set_si(y->hi, 1, MPFR_RNDU);
    rj_claims_val_set_encl(b, y);
    ck_assert_int_eq(rj_val_binop(r, '/', a, b, NULL, loc, err), RJ_ERR_DOMAIN);
    ck_assert_int_eq(rj_val_binop(r, '^', b, b, NULL, loc, err), RJ_ERR_INPUT);   /* not integer */
    fmpq_set_si(q, -2, 1);
    rj_val_set_fmpq(r, q);
    ck_assert_int_eq(rj_val_binop(r, '^', b, r, NULL, loc, err), RJ_ERR_DOMAIN);  /* 1/[-1,1]^2 */
    fmpq_set_si(q, 2, 1);
    rj_val_set_fmpq(r, q);
    ck_assert_int_eq(rj_val_binop(r, '^', b, r, NULL, loc, err), RJ_OK);         /* [0, 1] */
    ck_assert(mpfr_zero_p(rj_claims_val_encl(r)->lo)
              && mpfr_cmp_ui(rj_claims_val_encl(r)->hi, 1) == 0);
    /* division by the number 0 is the input's error */
    fmpq_zero(q);
    rj_val_set_fmpq(r, q);
    ck_assert_int_eq(rj_val_binop(r, '/', a, r, NULL, loc, err), RJ_ERR_INPUT);
    /* negation swaps the ends */
    ck_assert_int_eq(rj_val_neg(r, a, loc, err), RJ_OK);
    ck_assert(mpfr_cmp(rj_claims_val_encl(r)->lo, rj_claims_val_encl(a)->hi) != 0
              && mpfr_sgn(rj_claims_val_encl(r)->lo) > 0);
    {
        fmpq_t lo;
        fmpq_init(lo);
        q_from_mpfr(lo, rj_claims_val_encl(r)->lo);
        fmpq_neg(lo, lo);
        q_from_mpfr(q, rj_claims_val_encl(a)->hi);
        ck_assert(fmpq_equal(lo, q));          /* -a's lower end is exactly -(a's upper) */
        fmpq_clear(lo);
    }
    /* printed with both ends rounded outward */
    s = rj_val_get_str(a);
    ck_assert_str_eq(s, "[-0.33333333333333334, -0.33333333333333333]");
    flint_free(s);
    s = rj_val_get_str_short(a, 40);
    ck_assert_str_eq(s, "[-0.333333333334, -0.333333333333]");
    flint_free(s);
    /* an enclosure and a polynomial: refused, naming both */
    rj_val_reset(r);
    r->kind = RJ_VAL_POLY;
    ck_assert_int_eq(rj_val_binop(b, '+', a, r, NULL, loc, err), RJ_ERR_INPUT);
    ck_assert_str_eq(err->msg, "cannot add an enclosure and a polynomial");
    /* past MPFR's exponent range: no enclosure (RJ_ENCL_NONFINITE_MSG) */
    mpfr_set_ui_2exp(y->lo, 1, mpfr_get_emax() - 2, MPFR_RNDD);
    mpfr_set_ui_2exp(y->hi, 1, mpfr_get_emax() - 2, MPFR_RNDU);
    rj_claims_val_set_encl(b, y);
    fmpq_set_si(q, 16, 1);
    rj_val_set_fmpq(r, q);
    ck_assert_int_eq(rj_val_binop(r, '*', b, r, NULL, loc, err), RJ_ERR_DOMAIN);
    ck_assert_str_eq(err->msg, RJ_ENCL_NONFINITE_MSG);
    rj_itv_clear(y);
    fmpq_clear(q);
    fmpq_clear(third);
    rj_val_clear(a);
    rj_val_clear(b);
    rj_val_clear(r);
}
END_TEST

START_TEST(test_enclosure_matrix_is_an_extension)
{
    rj_env_t env;
    rj_val_t c, r, two;
    rj_error_t err;
    rj_loc_t loc = { "t", 1, 1 };
    char d[120], *s;
    const rj_val_struct *J;
    rj_claims_env_init(env, NULL);
    rj_error_init(err);
    bind_defs(env, "let Bt = block(W1 = [[1]], act = tanh, W2 = [[1]])\n"
                   "let J = jacobian(Bt, [1])\n"
                   "let A = jacobian(block(W1 = [[1/2, -1], [1, 1/3]], act = tanh, "
                   "W2 = [[1, 1/2], [-1/4, 1]]), [1/2, -1])\n");
    J = rj_env_lookup(env, "J");
    ck_assert_int_eq(J->kind, RJ_VAL_EXT);
    rj_val_init(c);
    rj_val_init(r);
    rj_val_init(two);
    rj_val_set(c, J);
    ck_assert(c->data != NULL && c->data != J->data && c->ops == J->ops);
    rj_val_describe(d, sizeof(d), c);
    ck_assert_str_eq(d, "a 1 x 1 enclosure matrix");
    s = rj_val_get_str(c);
    ck_assert_msg(strncmp(s, "[1.41997434161", 14) == 0, "%s", s);
    flint_free(s);
    fmpq_set_si(two->num, 2, 1);
    two->kind = RJ_VAL_NUM;
    ck_assert_int_eq(rj_val_binop(r, '*', two, c, NULL, loc, err), RJ_OK);
    ck_assert_int_eq(r->kind, RJ_VAL_EXT);
    s = rj_val_get_str(r);
    ck_assert_msg(strncmp(s, "[2.83994868322", 14) == 0, "%s", s);
    flint_free(s);
    ck_assert_int_eq(rj_val_neg(r, r, loc, err), RJ_OK);
    s = rj_val_get_str(r);
    ck_assert_msg(strncmp(s, "[-2.83994868323", 15) == 0, "%s", s);
    flint_free(s);
    /* through the language's evaluator: transpose and indexing */
    ck_assert_int_eq(decide(env, "abs(A'[2, 1] - A[1, 2]) < 10^-30 and "
                                 "abs(A'[1, 2] - A[2, 1]) < 10^-30 and (-A)[1, 1] < 0", NULL),
                     RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide(env, "abs(A'[2, 1] - A[2, 1]) < 10^-30", NULL),
                     RJ_VERDICT_REFUTED);
    rj_val_clear(c);
    rj_val_clear(r);
    rj_val_clear(two);
    rj_claims_env_clear(env);
}
END_TEST

/* Regression (issue 10): the note "N ReLU ties met; every ReLU'(0) ... gives
   this value" was attached to a claim's evidence whenever any case of the
   claim met a tie, also when the case the evidence quotes met none. */
START_TEST(test_tie_note_only_where_met)
{
    rj_claim_results_t res;
    const char *text =
        "let B = block(W1 = 1, act = relu, W2 = 1)\n"
        /* k = 0 meets the tie at 0 and holds; k = 1 meets none and fails */
        "claim some_cases \"t\" expect REFUTED:\n"
        "    forall k in 0..1: jacobian(B, k) >= 1 and k < 1\n"
        /* the last case, quoted, meets none */
        "claim last_none \"t\" expect PROVED:\n    forall k in 0..1: jacobian(B, k) >= 1\n"
        /* the last case meets the tie, which does not change S */
        "claim last_met \"t\" expect PROVED:\n    forall k in 0..1: skip_part(B, 1 - k) == 1\n"
        "claim met \"t\" expect PROVED:\n    skip_part(B, 0) == 1\n"
        "claim none \"t\" expect PROVED:\n    skip_part(B, 1) == 1\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "tie notes");
    ck_assert_msg(strstr(find(res, "some_cases")->evidence, "ReLU tie") == NULL, "%s",
                  find(res, "some_cases")->evidence);
    ck_assert_msg(strstr(find(res, "last_none")->evidence, "ReLU tie") == NULL, "%s",
                  find(res, "last_none")->evidence);
    ck_assert_msg(strstr(find(res, "none")->evidence, "ReLU tie") == NULL, "%s",
                  find(res, "none")->evidence);
    assert_verdict(res, "last_met", RJ_VERDICT_PROVED, "k = 1: both sides = [1] [1 ReLU tie met");
    assert_verdict(res, "met", RJ_VERDICT_PROVED, "[1 ReLU tie met; every ReLU'(0)");
    rj_claim_results_clear(res);
}
END_TEST

/* ---------------------------------------------------------------- exponent range */

/* Regression (issue 10, false PROVED at non-finite enclosures): a tanh network
   whose Jacobian leaves MPFR's exponent range gave norm2(J) < 1 PROVED (lhs
   [0, 0]), J*2 == J*3 PROVED ([inf] against [inf]) and sigma_min(J) > 2^1000
   REFUTED.  Every function and both kinds of comparison, applied to a value
   past the range (J itself, or K*K for a finite K near the top of the range),
   and every function whose result leaves the range, must give UNDECIDED
   saying why, and no evidence may show a NaN. */
START_TEST(test_exponent_range_undecided)
{
    static const char *fns[] = {
        "norm1(X) < 1", "norminf(X) < 1", "normfro(X) < 1", "normfro2(X) < 1",
        "norm2(X) < 1", "sigma_min(X) > 2^1000", "trace(X) < 1", "abs(X) < 1",
        "max(X) < 1", "min(X) < 1", "X^2 < 1", "X/3 < 1", "1 - X < 1",
        "X*2 == X*3", "X != X*2", "X < X*2", "X <= X*2", "X > X*2", "X >= X*2",
        "X[1] < 1", "X' < 1" };
    /* J: not finite where the precise layer makes it; K*K: finite K, the
       product past the range */
    static const char *vals[] = { "jacobian(N, 1)", "(K*K)" };
    /* finite arguments, results past the range */
    static const char *over[] = {
        "normfro2(K) > 1", "norm2(K) > 1", "K^2 > 1", "K*K > 1", "s*s > 1", "s^2 > 1",
        "s/(1/s) > 1", "s*s == s*s", "norm1(K)*norm1(K) > 1" };
    rj_claim_results_t res;
    char *text, claim[200];
    size_t i, j, len = 0, alloc = 1 << 16;
    text = flint_malloc(alloc);
    len += sprintf(text, "let B = block(W1 = 2^500000, skip = none)\n"
                         "let T = block(W1 = 1, act = tanh, W2 = 1)\n"
                         "let N = net(repeat(B, 2200), T)\n"
                         "let K = jacobian(net(repeat(B, 2000), T), 0)\n"
                         "let s = norm1(K)\n"
                         "claim finite \"t\" expect PROVED:\n    K > 2^500000 and s > 2^500000\n");
    for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++)
        for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
            const char *f = fns[i];
            char *o = claim;
            o += sprintf(o, "claim v%zu_%zu \"t\" expect UNDECIDED:\n    ", j, i);
            for (; *f != '\0'; f++)
                o += *f == 'X' ? sprintf(o, "%s", vals[j]) : sprintf(o, "%c", *f);
            len += sprintf(text + len, "%s\n", claim);
        }
    for (i = 0; i < sizeof(over) / sizeof(over[0]); i++)
        len += sprintf(text + len, "claim o%zu \"t\" expect UNDECIDED:\n    %s\n", i, over[i]);
    ck_assert(len < alloc);
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "exponent range");
    for (i = 0; i < (size_t) res->len; i++) {
        const rj_claim_result_struct *r = res->items + i;
        if (strcmp(r->name, "finite") == 0)
            continue;
        ck_assert_msg(strstr(r->evidence, "not finite") != NULL, "%s: %s", r->name,
                      r->evidence);
        ck_assert_msg(strstr(r->evidence, "nan") == NULL, "%s: %s", r->name, r->evidence);
    }
    rj_claim_results_clear(res);
    flint_free(text);
}
END_TEST

/* ---------------------------------------------------------------- bad input */

START_TEST(test_malformed_files_are_located)
{
    rj_claim_results_t res;
    rj_error_t err;
    char path[1024];
    int st;
    slong i;

    /* a parse error: the file's status, with line and column */
    snprintf(path, sizeof(path), "%s/tests/claims/bad_syntax.rj", srcdir());
    rj_claim_results_init(res);
    rj_error_init(err);
    st = rj_claims_check_file(res, path, NULL, err);
    ck_assert_int_eq(st, RJ_ERR_INPUT);
    ck_assert_int_gt(err->line, 0);
    ck_assert_int_gt(err->col, 0);
    ck_assert(strstr(err->file, "bad_syntax.rj") != NULL);
    ck_assert_int_eq(res->len, 0);
    rj_claim_results_clear(res);

    /* bad claims: ERROR with file:line:col, the good claim unaffected */
    rj_claim_results_init(res);
    run_file(res, "bad_claims.rj");
    for (i = 0; i < res->len; i++) {
        const rj_claim_result_struct *r = res->items + i;
        if (strcmp(r->name, "still_fine") == 0)
            ck_assert_int_eq(r->verdict, RJ_VERDICT_PROVED);
        else {
            ck_assert_msg(r->verdict == RJ_VERDICT_ERROR, "%s: %s", r->name,
                          rj_verdict_name(r->verdict));
            ck_assert_msg(strstr(r->evidence, "bad_claims.rj:") != NULL, "%s: unlocated: %s",
                          r->name, r->evidence);
        }
    }
    assert_verdict(res, "uses_bad_definition", RJ_VERDICT_ERROR, "bad_claims.rj:3:");
    assert_verdict(res, "unknown_name", RJ_VERDICT_ERROR, "bad_claims.rj:7:");
    assert_verdict(res, "range_too_large", RJ_VERDICT_ERROR, "RJ_CLAIMS_MAX_RANGE");
    rj_claim_results_clear(res);

    /* a missing file */
    rj_claim_results_init(res);
    rj_error_init(err);
    st = rj_claims_check_file(res, "/nonexistent/none.rj", NULL, err);
    ck_assert_int_ne(st, RJ_OK);
    rj_claim_results_clear(res);
}
END_TEST

START_TEST(test_bad_claims_inline)
{
    static const char *bad[] = {
        "jacobian(A, [1, 2, 3]) == A",                 /* not a network */
        "jacobian(B, [1, 2, 3]) == A",                 /* wrong point length */
        "skip_part(net(B, B), [1, 2]) == A",           /* needs the block number */
        "graded(B, [1, 2], -1) == A",
        "paths(-1) == 1",
        "binomial(1/2, 1) == 1",
        "digits(1/3) == 1",
        "det([[1, 2]]) == 0",
        "inverse([[1, 1], [1, 1]]) == A",
        "B == A",                                      /* a block compared */
        "charpoly(A) <= t",                            /* polynomials have no order */
        "forall J in random(rows = 2, norm = 3, bound = 1): J == J",
        "forall J in random(rows = 2, norm = fro): J == J",
        "forall J in random(rows = 2, norm = fro, bound = 1, colour = 2): J == J",
        "forall J in normal(rows = 2): J == J",
        "forall k in 1..1/2: k == k",
        "1 ~= 1 within -1",
        "jacobian(B, [1, 2]) == A within",
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rj_prog_t prog;
        rj_claim_results_t res;
        rj_error_t err;
        char text[1024];
        snprintf(text, sizeof(text),
                 "let A = [[1, 2], [3, 4]]\nlet B = block(W1 = A, W2 = A)\n"
                 "claim c \"t\" expect PROVED:\n    %s\n", bad[i]);
        rj_prog_init(prog);
        rj_error_init(err);
        if (rj_parse_string(prog, text, "bad.rj", err) != RJ_OK) {
            ck_assert_int_gt(err->line, 0);      /* a located parse error */
            rj_prog_clear(prog);
            continue;
        }
        rj_claim_results_init(res);
        ck_assert_int_eq(rj_claims_check_prog(res, prog, NULL, NULL, err), RJ_OK);
        ck_assert_int_eq(res->len, 1);
        if (res->items[0].verdict != RJ_VERDICT_ERROR)
            print_result(res->items);
        ck_assert_msg(res->items[0].verdict == RJ_VERDICT_ERROR, "%s: %s", bad[i],
                      rj_verdict_name(res->items[0].verdict));
        ck_assert_msg(strstr(res->items[0].evidence, "bad.rj:4:") != NULL
                      || strstr(res->items[0].evidence, "bad.rj:") != NULL,
                      "%s: unlocated: %s", bad[i], res->items[0].evidence);
        rj_claim_results_clear(res);
        rj_prog_clear(prog);
    }
}
END_TEST

/* ---------------------------------------------------------------- definitions */

START_TEST(test_definitions_in_order)
{
    rj_claim_results_t res;
    const char *text =
        "claim before \"t\" expect PROVED:\n    a == 1\n"
        "let a = 1\n"
        "claim after \"t\" expect PROVED:\n    a == 1\n"
        "let a = 2\n"
        "claim redefined \"t\" expect PROVED:\n    a == 2\n"
        "let a = [1, 2] * [1, 2]\n"
        "claim failed_redefinition \"t\" expect PROVED:\n    a == 2\n"
        "let a = 3\n"
        "claim recovered \"t\" expect PROVED:\n    a == 3\n"
        "let t = 5\n"
        "claim t_shadowed \"t\" expect PROVED:\n    t == 5\n"
        "let k = 100\n"
        "claim bound_var_shadows \"t\" expect PROVED:\n    forall k in 1..3: k <= 3\n"
        "claim outer_after_forall \"t\" expect PROVED:\n    (forall k in 1..3: k <= 3) and k == 100\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_verdict(res, "before", RJ_VERDICT_ERROR, "test.rj:2:");
    assert_verdict(res, "after", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "redefined", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "failed_redefinition", RJ_VERDICT_ERROR, "whose definition failed");
    assert_verdict(res, "recovered", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "t_shadowed", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "bound_var_shadows", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "outer_after_forall", RJ_VERDICT_PROVED, NULL);
    ck_assert_int_eq(find(res, "before")->line, 1);
    ck_assert_int_eq(find(res, "before")->col, 1);
    rj_claim_results_clear(res);
}
END_TEST

/* Regression (report item 6): a definition that fails is bad input even when
   no claim uses it -- one ERROR result of its own, counted as failed; a
   definition broken only through another is not reported twice; one the
   method cannot compute (too many ties) is not bad input. */
START_TEST(test_failed_definitions_reported)
{
    rj_claim_results_t res;
    const rj_claim_result_struct *r;
    const char *text =
        "let ok = 1\n"
        "let bad = [1, 2] * [1, 2]\n"
        "let worse = bad + 1\n"
        "let B = block(W1 = identity(12), W2 = identity(12))\n"
        "let many = jacobian(B, zeros(12, 1))\n"
        "claim fine \"t\" expect PROVED:\n    ok == 1\n";
    rj_claim_results_init(res);
    run_text(res, text);
    ck_assert_int_eq(res->len, 2);
    r = find(res, "bad");
    ck_assert_int_eq(r->is_definition, 1);
    ck_assert_int_eq(r->verdict, RJ_VERDICT_ERROR);
    ck_assert_int_eq(r->passed, 0);
    ck_assert_int_eq(r->line, 2);
    ck_assert_msg(strstr(r->evidence, "test.rj:2:") != NULL, "unlocated: %s", r->evidence);
    ck_assert_int_eq(find(res, "fine")->verdict, RJ_VERDICT_PROVED);
    ck_assert_int_eq(res->passed, 1);
    ck_assert_int_eq(res->failed, 1);
    rj_claim_results_clear(res);
}
END_TEST

/* Regression (report item 8): the evidence of a refuted `not P or Q` says
   that the negated formula holds, so its margin is not read as the claim's. */
START_TEST(test_negation_evidence)
{
    rj_claim_results_t res;
    const char *text =
        "claim c \"t\" expect REFUTED:\n    not (39/40 < 1) or 2 <= 1\n"
        "claim d \"t\" expect PROVED:\n    not (1 < 1/2)\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "negation");
    assert_verdict(res, "c", RJ_VERDICT_REFUTED,
                   "(alternative 1 of 2) not (...) is false: the negated formula holds: "
                   "lhs = 39/40, rhs = 1 (margin 1/40)");
    assert_verdict(res, "d", RJ_VERDICT_PROVED, "not (...) is true: the negated formula fails");
    rj_claim_results_clear(res);
}
END_TEST

/* Valid claims that got ERROR before the one evaluator: a tie-dependent point
   into a network function that meets ties (a method limit: UNDECIDED), max
   and min of several enclosures, a matrix literal of enclosures, the inverse
   of an exact matrix, a tie-dependent polynomial called by name.  Each bound
   is checked from both sides against the true value. */
START_TEST(test_valid_claims_get_verdicts)
{
    rj_claim_results_t res;
    rj_claim_results_init(res);
    run_text(res,
             "let T = block(W1 = [[1]], W2 = [[1]])\n"
             "let J = jacobian(T, [0])\n"
             "let p = charpoly(J)\n"
             "let A = [[2, 1], [1, 1]]\n"
             "claim nested \"x\" expect UNDECIDED: jacobian(T, J - [1]) == jacobian(T, J - [1])\n"
             "claim max3 \"x\" expect PROVED: max(sqrt(2), sqrt(3), 1) > 1732/1000 and "
             "max(sqrt(3), sqrt(2)) < 1733/1000\n"
             "claim min2 \"x\" expect PROVED: min(sqrt(2), [2, 3]) > 1414/1000 and "
             "min(sqrt(3), sqrt(2)) < 1415/1000\n"
             "claim lit \"x\" expect PROVED: [sqrt(2), sqrt(3)][2] > 1732/1000 and "
             "[sqrt(2), sqrt(3)][2] < 1733/1000 and normfro2([sqrt(2), sqrt(3)]) > 4999/1000 "
             "and normfro2([sqrt(2), sqrt(3)]) < 5001/1000\n"
             "claim inv \"x\" expect PROVED: A^-1 * A == identity(2) and A^-2 * A^2 == "
             "identity(2) and A^-1 == [[1, -1], [-1, 2]]\n"
             "claim sing \"x\" expect PROVED: [[1, 2], [2, 4]]^-1 == A\n"
             "claim pcall \"x\" expect UNDECIDED: p(2) == 5\n"
             "claim pcall2 \"x\" expect UNDECIDED: p(2) == 2 - trace(J) and p(J) == zeros(1, 1)\n"
             "claim emat \"x\" expect PROVED: norm2(sqrt(2) * [1, 2]) > 3162/1000 and "
             "norm2([1, 2] * sqrt(2)) < 3163/1000\n"
             "claim etie \"x\" expect PROVED: norm2(sqrt(2) * J) < 2829/1000\n");
    assert_verdict(res, "nested", RJ_VERDICT_UNDECIDED, "nested tie choices are not supported");
    assert_verdict(res, "max3", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "min2", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "lit", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "inv", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "sing", RJ_VERDICT_ERROR, "singular");
    assert_verdict(res, "pcall", RJ_VERDICT_UNDECIDED, "fails at every one-sided choice");
    /* charpoly is not known to be multilinear in the choices: the vertices
       alone prove nothing */
    assert_verdict(res, "pcall2", RJ_VERDICT_UNDECIDED, "holds at every one-sided choice");
    /* an enclosure times an exact matrix is an enclosure matrix, with or
       without ties (with ties it was one before; without, ERROR) */
    assert_verdict(res, "emat", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "etie", RJ_VERDICT_PROVED, "holds for all 2 one-sided choices");
    rj_claim_results_clear(res);
}
END_TEST

/* The claim functions through the language's own rj_eval: a value at a ReLU
   tie is a choice value (an extension value) with one item per one-sided
   choice, and every operation on it -- bound by name, in a sum, in a matrix
   literal -- pairs the items of one and the same tie. */
START_TEST(test_eval_choice_values)
{
    rj_env_t env;
    rj_prog_t prog;
    rj_error_t err;
    rj_val_t v;
    char d[120], *s;
    rj_claims_env_init(env, NULL);
    rj_prog_init(prog);
    rj_error_init(err);
    rj_val_init(v);
    ck_assert_int_eq(rj_parse_string(prog, "let T = block(W1 = [[1]], W2 = [[1]])\n"
                                           "let J = jacobian(T, [0])\nlet n = paths(5)\n"
                                           "let K = J + J\nlet S = sum(k in 1..3: k * J)\n"
                                           "let M = [J[1, 1], 1]\nlet D = J - J\n",
                                     "h", err), RJ_OK);
    ck_assert_int_eq(rj_eval_defs(env, prog, err), RJ_OK);
    ck_assert_int_eq(rj_env_lookup(env, "J")->kind, RJ_VAL_EXT);
    rj_val_describe(d, sizeof(d), rj_env_lookup(env, "J"));
    ck_assert_str_eq(d, "a choice set of 2 values (a ReLU tie)");
    s = rj_val_get_str(rj_env_lookup(env, "J"));
    ck_assert_str_eq(s, "one of {[1], [2]}");
    flint_free(s);
    s = rj_val_get_str(rj_env_lookup(env, "K"));       /* paired: not 4 combinations */
    ck_assert_str_eq(s, "one of {[2], [4]}");
    flint_free(s);
    s = rj_val_get_str(rj_env_lookup(env, "S"));       /* 1 J + 2 J + 3 J */
    ck_assert_str_eq(s, "one of {[6], [12]}");
    flint_free(s);
    s = rj_val_get_str(rj_env_lookup(env, "M"));
    ck_assert_str_eq(s, "one of {[1, 1], [2, 1]}");
    flint_free(s);
    /* the same tie on both sides: J - J does not depend on it */
    ck_assert_int_eq(rj_env_lookup(env, "D")->kind, RJ_VAL_MAT);
    ck_assert(fmpq_mat_is_zero(rj_env_lookup(env, "D")->mat));
    ck_assert(fmpq_equal_si(rj_env_lookup(env, "n")->num, 32));
    ck_assert(rj_claims_is_function("jacobian"));
    ck_assert(!rj_claims_is_function("block"));
    rj_val_clear(v);
    rj_prog_clear(prog);
    rj_claims_env_clear(env);
}
END_TEST

/* ---------------------------------------------------------------- real float networks */

static int
act_equal(const rj_act_t a, const rj_act_t b)
{
    return a->kind == b->kind && fmpq_equal(a->slope, b->slope);
}

/* Entry by entry: every matrix, kind and parameter of the two blocks. */
static int
block_equal(const rj_block_struct *a, const rj_block_struct *b)
{
    return a->n_in == b->n_in && a->n_hidden == b->n_hidden && a->n_out == b->n_out
        && a->skip == b->skip && a->two_layer == b->two_layer && a->place == b->place
        && fmpq_mat_equal(a->Ws, b->Ws) && fmpq_equal(a->alpha, b->alpha)
        && fmpq_mat_equal(a->W1, b->W1) && fmpq_mat_equal(a->b1, b->b1)
        && fmpq_mat_equal(a->W2, b->W2) && fmpq_mat_equal(a->b2, b->b2)
        && act_equal(a->act, b->act) && act_equal(a->outer, b->outer);
}

/* The exact model of the seeded fast network, built directly in C. */
static void
direct_random_net(rj_net_t net, const char *spec_text, ulong s, rj_fast_dtype dtype)
{
    rj_fast_random_t spec;
    rj_fast_net_t f;
    rj_error_t err;
    rj_error_init(err);
    rj_fast_net_init(f);
    ck_assert_int_eq(rj_fast_random_parse(spec, spec_text, err), RJ_OK);
    ck_assert_int_eq(rj_fast_net_random(f, spec, s, dtype, err), RJ_OK);
    rj_fast_net_get_net(net, f);
    rj_fast_net_clear(f);
}

/* random_net("SPEC", SEED) is exactly the model of the fast core's network of
   the same seed (every block, entry by entry), for every kind, both dtypes,
   biases, tanh; random_point is rj_fast_randn taken exactly; and a claim on
   the network is decided the same way twice and agrees with the network
   built directly. */
START_TEST(test_random_net_is_the_float_network)
{
    static const char *specs[] = {
        "3,6,plain", "3,4,post", "3,4,pre", "3,4,none", "2,5,linear",
        "2,3,scaled,alpha=0.5", "4,3,pre,scale=0", "2,4,post,bias=1,hidden=6",
        "2,3,pre,act=tanh", "3,3,none,act=leaky_relu,slope=0.125", "1,2,pre,scale=0.01",
    };
    slong iters = rj_test_iters(2), it;
    size_t i;
    for (it = 0; it < iters; it++)
        for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
            ulong s = seed + 101 * it + i;
            int f32 = (it + i) % 2;
            rj_env_t env;
            rj_net_t direct;
            const rj_val_struct *v;
            char defs[512], *ev1 = NULL, *ev2 = NULL;
            slong l, n;
            double d[8];
            rj_verdict_kind v1, v2;

            rj_claims_env_init(env, NULL);
            rj_net_init(direct);
            direct_random_net(direct, specs[i], s, f32 ? RJ_FAST_F32 : RJ_FAST_F64);
            n = rj_net_width_in(direct);
            snprintf(defs, sizeof(defs),
                     "let N = random_net(\"%s\", %lu%s)\nlet x = random_point(%ld, %lu)\n",
                     specs[i], (unsigned long) s, f32 ? ", \"f32\"" : "", (long) n,
                     (unsigned long) (s + 7));
            bind_defs(env, defs);
            v = rj_env_lookup(env, "N");
            RJ_CHECK(v != NULL && v->kind == RJ_VAL_NET, s, "%s: not a network", specs[i]);
            RJ_CHECK(v->net->len == direct->len, s, "%s: %ld blocks, expected %ld", specs[i],
                     (long) v->net->len, (long) direct->len);
            for (l = 0; l < direct->len; l++)
                RJ_CHECK(block_equal(v->net->blocks + l, direct->blocks + l), s,
                         "%s: block %ld differs from the fast core's", specs[i],
                         (long) (l + 1));
            /* the point: float64 normals, each taken exactly */
            rj_fast_randn(d, n, s + 7);
            v = rj_env_lookup(env, "x");
            ck_assert_int_eq(v->kind, RJ_VAL_MAT);
            ck_assert_int_eq(fmpq_mat_nrows(v->mat), n);
            for (l = 0; l < n; l++) {
                fmpq_t q;
                fmpq_init(q);
                rj_fmpq_set_d_exact(q, d[l]);
                RJ_CHECK(fmpq_equal(q, fmpq_mat_entry(v->mat, l, 0)), s,
                         "%s: random_point entry %ld", specs[i], (long) (l + 1));
                fmpq_clear(q);
            }
            /* a claim decided twice gives the same verdict and evidence, and the
               network built directly has the same Jacobian */
            {
                rj_val_t dv;
                rj_val_init(dv);
                dv->kind = RJ_VAL_NET;
                rj_net_set(dv->net, direct);
                rj_env_bind(env, "D", dv);
                rj_val_clear(dv);
            }
            v1 = decide(env, "normfro2(forward(N, x) - x) <= normfro2(x)", &ev1);
            v2 = decide(env, "normfro2(forward(N, x) - x) <= normfro2(x)", &ev2);
            RJ_CHECK(v1 == v2 && strcmp(ev1, ev2) == 0, s, "%s: decided %s then %s", specs[i],
                     rj_verdict_name(v1), rj_verdict_name(v2));
            RJ_CHECK(v1 == RJ_VERDICT_PROVED || v1 == RJ_VERDICT_REFUTED, s, "%s: %s: %s",
                     specs[i], rj_verdict_name(v1), ev1);
            ck_assert_int_eq(decide(env, "forward(N, x) == forward(D, x)", NULL),
                             strstr(specs[i], "tanh") != NULL ? RJ_VERDICT_UNDECIDED
                                                              : RJ_VERDICT_PROVED);
            if (strstr(specs[i], "tanh") == NULL) {
                /* a narrow plain net may die (every unit of a layer inactive) and
                   meet more ReLU ties than the checker enumerates: UNDECIDED for
                   that reason only */
                char *ev = NULL;
                rj_verdict_kind vj = decide(env, "jacobian(N, x) == jacobian(D, x)", &ev);
                RJ_CHECK(vj == RJ_VERDICT_PROVED
                         || (vj == RJ_VERDICT_UNDECIDED && strstr(ev, "ReLU ties") != NULL),
                         s, "%s: jacobian(N, x) == jacobian(D, x): %s: %s", specs[i],
                         rj_verdict_name(vj), ev);
                flint_free(ev);
            }
            flint_free(ev1);
            flint_free(ev2);
            rj_net_clear(direct);
            rj_claims_env_clear(env);
        }
}
END_TEST

/* A different seed is a different network; f32 and f64 networks of one seed
   differ (rounding) unless the weights are exactly representable. */
START_TEST(test_random_net_seeds_differ)
{
    rj_env_t env;
    rj_claims_env_init(env, NULL);
    bind_defs(env, "let A = random_net(\"2,4,pre\", 1)\nlet B = random_net(\"2,4,pre\", 2)\n"
                   "let C = random_net(\"2,4,pre\", 1, \"f32\")\n"
                   "let x = random_point(4, 8)\n");
    ck_assert_int_eq(decide(env, "jacobian(A, x) != jacobian(B, x)", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide(env, "jacobian(A, x) != jacobian(C, x)", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide(env, "random_point(4, 8) == x", NULL), RJ_VERDICT_PROVED);
    ck_assert_int_eq(decide(env, "random_point(4, 9) == x", NULL), RJ_VERDICT_REFUTED);
    rj_claims_env_clear(env);
}
END_TEST

/* Bad specifications, seeds, dtypes and limits are located ERRORs that say
   what is wrong, in a claim and in a definition. */
START_TEST(test_random_net_bad_input_located)
{
    static const struct { const char *expr, *msg; } bad[] = {
        { "random_net(\"8,8,bogus\", 1)", "random KIND" },
        { "random_net(\"8\", 1)", "DEPTH,WIDTH" },
        { "random_net(\"0,8\", 1)", "at least 1" },
        { "random_net(\"8,0\", 1)", "random WIDTH" },
        { "random_net(\"8,8,pre,colour=2\", 1)", "unknown key" },
        { "random_net(\"8,8,pre,scale=-1\", 1)", "random scale" },
        { "random_net(\"1000000,65536\", 1)", "exceeds the limit" },
        { "random_net(\"8,8\", -1)", "seed" },
        { "random_net(\"8,8\", 1/2)", "seed" },
        { "random_net(\"8,8\", 2^64)", "seed" },
        { "random_net(\"8,8\", 1, \"f16\")", "dtype" },
        { "random_net(8, 1)", "specification in quotes" },
        { "random_net(\"8,8\")", "takes at least 2 arguments" },
        { "random_point(0, 1)", "length n" },
        { "random_point(100000, 1)", "length n" },
        { "random_point(3, -2)", "seed" },
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rj_claim_results_t res;
        const rj_claim_result_struct *r;
        char text[512];
        /* in a claim */
        snprintf(text, sizeof(text), "let a = 1\nclaim c \"t\" expect PROVED:\n    rows(%s) == 8\n",
                 bad[i].expr);
        rj_claim_results_init(res);
        run_text(res, text);
        r = find(res, "c");
        if (r->verdict != RJ_VERDICT_ERROR || strstr(r->evidence, "test.rj:3:") == NULL
            || strstr(r->evidence, bad[i].msg) == NULL)
            print_result(r);
        ck_assert_msg(r->verdict == RJ_VERDICT_ERROR, "%s: %s", bad[i].expr,
                      rj_verdict_name(r->verdict));
        ck_assert_msg(strstr(r->evidence, "test.rj:3:") != NULL, "%s: unlocated: %s",
                      bad[i].expr, r->evidence);
        ck_assert_msg(strstr(r->evidence, bad[i].msg) != NULL, "%s: '%s' lacks '%s'",
                      bad[i].expr, r->evidence, bad[i].msg);
        rj_claim_results_clear(res);
        /* in a definition: its own ERROR line, located */
        snprintf(text, sizeof(text), "let a = 1\nlet N = %s\n", bad[i].expr);
        rj_claim_results_init(res);
        run_text(res, text);
        r = find(res, "N");
        ck_assert_int_eq(r->is_definition, 1);
        ck_assert_int_eq(r->verdict, RJ_VERDICT_ERROR);
        ck_assert_msg(strstr(r->evidence, "test.rj:2:") != NULL, "%s: unlocated: %s",
                      bad[i].expr, r->evidence);
        rj_claim_results_clear(res);
    }
}
END_TEST

/* Bug (forall over bounds beyond a machine word): the case value was read off
   the bounds with fmpz_get_si, so `forall k in 2^64..2^64: k == 0` ran the
   case k = 0 and was PROVED, its true twin was REFUTED, and
   `forall k in 2^63 - 1..2^63: k < 0` ran no case at all and was PROVED
   vacuously.  The case value is now a + i as an fmpz. */
START_TEST(test_forall_range_beyond_a_word)
{
    rj_claim_results_t res;
    rj_claim_results_init(res);
    run_text(res, "claim big_false \"t\" expect REFUTED:\n"
                  "    forall k in 2^64..2^64: k == 0\n"
                  "claim big_true \"t\" expect PROVED:\n"
                  "    forall k in 2^64..2^64 + 1: k >= 2^64 and k <= 2^64 + 1\n"
                  "claim across_word \"t\" expect REFUTED:\n"
                  "    forall k in 2^63 - 1..2^63: k < 0\n"
                  "claim negative \"t\" expect REFUTED:\n"
                  "    forall k in -2^64 - 1..-2^64: k > -2^64\n"
                  "claim empty_far \"t\" expect PROVED:\n"
                  "    forall k in 2^64 + 1..2^64: k == 0\n");
    assert_verdict(res, "big_false", RJ_VERDICT_REFUTED, "k = 18446744073709551616");
    assert_verdict(res, "big_true", RJ_VERDICT_PROVED, "all 2 cases");
    assert_verdict(res, "across_word", RJ_VERDICT_REFUTED, "k = 9223372036854775807");
    assert_verdict(res, "negative", RJ_VERDICT_REFUTED, "k = -18446744073709551617");
    assert_verdict(res, "empty_far", RJ_VERDICT_PROVED, "holds vacuously");
    assert_all_pass(res, "forall beyond a word");
    rj_claim_results_clear(res);
}
END_TEST

/* ---------------------------------------------------------------- limits */

/* Parse text and check every claim under opts. */
static void
run_text_opts(rj_claim_results_t res, const char *text, const rj_claims_opts *opts)
{
    rj_prog_t prog;
    rj_error_t err;
    rj_prog_init(prog);
    rj_error_init(err);
    ck_assert_msg(rj_parse_string(prog, text, "test.rj", err) == RJ_OK, "parse: %s", err->msg);
    ck_assert_int_eq(rj_claims_check_prog(res, prog, NULL, opts, err), RJ_OK);
    rj_prog_clear(prog);
}

/* max_terms_ignored_on_model_path: rj_claims_opts.max_terms capped only the
   sums the claims evaluator took; a sum the model's evaluator took (nothing
   tie-dependent inside) ran up to its own 10^6 terms.  Both evaluators read
   the one limit now: with max_terms = 200, 201 terms are refused on either
   path and 200 are taken; with the defaults every claim is proved. */
START_TEST(test_max_terms_every_sum)
{
    const char *text =
        "let B = block(W1 = [[1]])\n"
        "claim model_201 \"t\" expect PROVED:\n    sum(k in 1..201: k) == 20301\n"
        "claim model_200 \"t\" expect PROVED:\n    sum(k in 1..200: k) == 20100\n"
        "claim model_prod \"t\" expect PROVED:\n    prod(k in 1..201: 1) == 1\n"
        "claim claims_201 \"t\" expect PROVED:\n"
        "    sum(k in 1..201: jacobian(B, [k])) == 402 * identity(1)\n"
        "claim claims_200 \"t\" expect PROVED:\n"
        "    sum(k in 1..200: jacobian(B, [k])) == 400 * identity(1)\n";
    rj_claim_results_t res;
    rj_claims_opts opts;
    rj_claim_results_init(res);
    run_text_opts(res, text, NULL);
    assert_all_pass(res, "max_terms defaults");
    rj_claim_results_clear(res);

    rj_claims_opts_default(&opts);
    opts.max_terms = 200;
    rj_claim_results_init(res);
    run_text_opts(res, text, &opts);
    assert_verdict(res, "model_201", RJ_VERDICT_ERROR,
                   "sum over 201 terms exceeds the limit 200 (max_terms)");
    assert_verdict(res, "model_prod", RJ_VERDICT_ERROR,
                   "prod over 201 terms exceeds the limit 200 (max_terms)");
    assert_verdict(res, "claims_201", RJ_VERDICT_ERROR,
                   "sum over 201 terms exceeds the limit 200 (max_terms)");
    assert_verdict(res, "model_200", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "claims_200", RJ_VERDICT_PROVED, NULL);
    rj_claim_results_clear(res);
}
END_TEST

/* limits_disagree: 2^(10^7) was refused ("exponent too large", 2^20) while
   paths(10^7) computed the same number (limit 10^7 on L), and 2^1000000 was
   refused while 2^500000 * 2^500000 was accepted; det(A) had no limit.  One
   limit on the size of a number (max_bits), checked on an upper bound of
   every result: each pair gets the same answer under the default and under
   lowered limits. */
START_TEST(test_one_size_limit)
{
    static const char *pairs[][2] = {
        { "paths(10^6)", "2^(10^6)" },
        { "paths(999999)", "2^999999" },
        { "2^1000000", "2^500000 * 2^500000" },
        { "2^999990", "2^499995 * 2^499995" },
        { "binomial(10^6, 1)", "10^6" },
        { "det([[2^600000, 0], [0, 2^600000]])", "2^600000 * 2^600000" },
    };
    const slong lims[] = { 0, 1000000, 1000100, 600000 };
    char text[1024];
    slong i, j;
    rj_claim_results_t res;
    rj_claims_opts opts;

    rj_claim_results_init(res);
    run_text(res, "claim same \"t\" expect PROVED:\n    paths(10^7) == 2^(10^7)\n"
                  "claim split \"t\" expect PROVED:\n    2^1000000 == 2^500000 * 2^500000\n");
    assert_all_pass(res, "one size limit, defaults");
    rj_claim_results_clear(res);

    for (j = 0; j < (slong) (sizeof(lims) / sizeof(lims[0])); j++) {
        rj_claims_opts_default(&opts);
        if (lims[j] > 0)
            opts.max_bits = lims[j];
        for (i = 0; i < (slong) (sizeof(pairs) / sizeof(pairs[0])); i++) {
            const rj_claim_result_struct *a, *b;
            snprintf(text, sizeof(text),
                     "claim a \"t\" expect PROVED:\n    %s > 0\n"
                     "claim b \"t\" expect PROVED:\n    %s > 0\n", pairs[i][0], pairs[i][1]);
            rj_claim_results_init(res);
            run_text_opts(res, text, &opts);
            a = find(res, "a");
            b = find(res, "b");
            if (a->verdict != b->verdict) {
                print_result(a);
                print_result(b);
            }
            ck_assert_msg(a->verdict == b->verdict, "max_bits %ld: %s and %s disagree",
                          (long) opts.max_bits, pairs[i][0], pairs[i][1]);
            ck_assert_msg(a->verdict == RJ_VERDICT_PROVED
                          || (a->verdict == RJ_VERDICT_ERROR
                              && strstr(a->evidence, "numbers too large") != NULL
                              && strstr(b->evidence, "numbers too large") != NULL),
                          "max_bits %ld: %s: %s", (long) opts.max_bits, pairs[i][0],
                          a->evidence);
            /* pairs 0 and 2 need 10^6 + 1 bits: refused at 10^6, taken above */
            if (i == 0 || i == 2)
                ck_assert_msg((a->verdict == RJ_VERDICT_PROVED)
                              == (opts.max_bits > 1000000 + 3),
                              "max_bits %ld: %s: %s", (long) opts.max_bits, pairs[i][0],
                              rj_verdict_name(a->verdict));
            rj_claim_results_clear(res);
        }
    }
}
END_TEST

/* ---------------------------------------------------------------- tie keys of a network read in place */

/* The network functions read N in place and take its identity from the model
   (rj_net_point_id, hashed when N is built), not from a copy hashed per call.
   Ties of one (N, x) must pair across calls and across copies of N (let,
   net(N), a block as a one-block network); ties of two different networks at
   the same place and point must stay independent: with shared keys
   2 jacobian(R1, 0) == jacobian(R2, 0) would hold choice by choice
   (2c == 2c) and be PROVED, though for c1 = 0, c2 = 1 it fails. */
START_TEST(test_net_identity_tie_keys)
{
    rj_claim_results_t res;
    const char *text =
        "let T = block(W1 = [[1]], W2 = [[1]])\n"
        "let N = net(T, block(W1 = [[1]], skip = none, place = post), T)\n"
        "let M = N\n"
        "let R1 = block(W1 = [[1]], skip = none, place = post)\n"
        "let R2 = block(W1 = [[2]], skip = none, place = post)\n"
        "let z = [0]\n"
        "claim pair_calls \"t\" expect PROVED:\n"
        "    forall k in 1..3: jacobian(N, z) == jacobian(N, z)\n"
        "claim pair_parts \"t\" expect PROVED:\n"
        "    jacobian(N, z) == expand(N, z) and jacobian(T, z) == skip_part(T, z) + branch_part(T, z)\n"
        "claim pair_copies \"t\" expect PROVED:\n"
        "    jacobian(N, z) == jacobian(M, z) and jacobian(N, z) == jacobian(net(N), z)\n"
        "claim pair_block \"t\" expect PROVED:\n    jacobian(R1, z) == jacobian(net(R1), z)\n"
        "claim own_net \"t\" expect PROVED:\n    2 * jacobian(R1, z) == 2 * jacobian(R1, z)\n"
        "claim other_net \"t\" expect UNDECIDED:\n    2 * jacobian(R1, z) == jacobian(R2, z)\n"
        "claim other_net_deep \"t\" expect UNDECIDED:\n"
        "    2 * jacobian(net(T, R1), z) == jacobian(net(T, R2), z)\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "net identity");
    rj_claim_results_clear(res);
}
END_TEST

/* ---------------------------------------------------------------- a limit met while escalating */

/* escalation_limit_error: when escalating an enclosure's precision met the
   precise layer's memory limit (RJ_ERR_LIMIT), the claim became ERROR.  A
   1 -> 1536 -> 1 tanh branch passes the memory check at the first precision
   (about 7.5 GB estimated, nothing of that allocated: the matrices are thin)
   and fails it at the next (8.7 GB > RJ_MAX_BYTES); x == x straddles, so the
   comparison escalates: the claim is UNDECIDED, naming the limit.  The same
   network at width 2048 fails the check at the first try: that stays ERROR. */
static char *
wide_tanh_claim(slong w, const char *expect)
{
    slong k;
    char *t = flint_malloc(40 * w + 400), *p = t;
    p += sprintf(p, "let N = block(W1 = [");
    for (k = 0; k < w; k++)
        p += sprintf(p, "%s[1/%ld]", k ? ", " : "", (long) (k + 2));
    p += sprintf(p, "], W2 = [[");
    for (k = 0; k < w; k++)
        p += sprintf(p, "%s1/%ld", k ? ", " : "", (long) (k + 3));
    sprintf(p, "]], act = tanh, skip = none)\nclaim wide \"t\" expect %s:\n"
            "    forward(N, [1]) == forward(N, [1])\n", expect);
    return t;
}

START_TEST(test_escalation_limit_undecided)
{
    rj_claim_results_t res;
    char *text = wide_tanh_claim(1536, "UNDECIDED");
    rj_claim_results_init(res);
    run_text(res, text);
    assert_verdict(res, "wide", RJ_VERDICT_UNDECIDED, "stopped: the precise layer needs");
    assert_verdict(res, "wide", RJ_VERDICT_UNDECIDED, "memory limit");
    assert_verdict(res, "wide", RJ_VERDICT_UNDECIDED, "cannot be decided");
    rj_claim_results_clear(res);
    flint_free(text);
    text = wide_tanh_claim(2048, "UNDECIDED");
    rj_claim_results_init(res);
    run_text(res, text);
    assert_verdict(res, "wide", RJ_VERDICT_ERROR, "memory limit");
    rj_claim_results_clear(res);
    flint_free(text);
}
END_TEST

/* ---------------------------------------------------------------- integer arguments */

/* random(...)'s integer keys are read by rj_val_get_si, and random_net's seed
   (wider than a slong) says what it found in rj_val_get_si's words: each
   message names the key and the value found (before: "must be an integer in
   1..64", without the value). */
START_TEST(test_random_integer_arguments_one_form)
{
    static const struct { const char *expr, *msg; } bad[] = {
        { "forall J in random(rows = 65, norm = 2, bound = 1, seed = 1, count = 2): J == J",
          "random(...): rows 65 is out of range 1..64" },
        { "forall J in random(rows = 2, norm = 2, bound = 1, seed = 1, count = 20001): J == J",
          "random(...): count = 20001 exceeds the limit 20000" },
        { "forall J in random(rows = 2, norm = 2, bound = 1, seed = 1/2, count = 2): J == J",
          "random(...): seed must be an integer, found 1/2" },
        { "rows(random_net(\"8,8\", 1/2)) == 8",
          "random_net: the seed (argument 2) must be an integer, found the number 1/2" },
        { "rows(random_point(3, -2)) == 3",
          "random_point: the seed (argument 2) -2 is out of range 0.." },
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rj_claim_results_t res;
        char text[512];
        snprintf(text, sizeof(text), "claim c \"t\" expect PROVED:\n    %s\n", bad[i].expr);
        rj_claim_results_init(res);
        run_text(res, text);
        assert_verdict(res, "c", RJ_VERDICT_ERROR, bad[i].msg);
        rj_claim_results_clear(res);
    }
}
END_TEST

/* ---------------------------------------------------------------- weights converted once */

/* The precise path keeps the last network it converted (its weights at one
   precision) for the next calls: an equal network at the same precision
   reuses it, any other network or precision converts anew.  N2 doubles N1's
   output weights (a tanh branch, positive weights, no skip), so
   forward(N1, x) < forward(N2, x) at every x > 0; had N2 reused N1's weights
   both sides would be one enclosure, and '<' undecided.  Alternating the two
   networks, and a copy of N1 (equal blocks: reuse), must give the same
   enclosures as a fresh conversion. */
START_TEST(test_precise_weights_reused_only_for_equal_nets)
{
    rj_claim_results_t res;
    const char *text =
        "let N1 = block(W1 = [[1/3], [1/5]], W2 = [[1/7, 1/9]], act = tanh, skip = none)\n"
        "let N2 = block(W1 = [[1/3], [1/5]], W2 = [[2/7, 2/9]], act = tanh, skip = none)\n"
        "let M = net(N1)\n"
        "claim alternate \"t\" expect PROVED:\n"
        "    forall k in 1..4: forward(N1, [k]) > 0 and forward(N1, [k]) < forward(N2, [k])\n"
        "claim copy \"t\" expect PROVED:\n"
        "    forall k in 1..4: forward(M, [k]) < forward(N2, [k]) and jacobian(M, [k]) > 0\n"
        "claim parts \"t\" expect PROVED:\n"
        "    branch_part(N1, [1]) < branch_part(N2, [1]) and jacobian(N1, [1]) < jacobian(N2, [1])\n";
    rj_claim_results_init(res);
    run_text(res, text);
    assert_all_pass(res, "weights converted once");
    rj_claim_results_clear(res);
}
END_TEST

/* issue 15: nested_forall_product_unbounded -- each range was limited alone,
   so forall i in 1..10^5: forall j in 1..10^5 (10^10 cases) was accepted.  The
   product is limited now: with max_range = 100, 10 x 10 nested cases are
   proved and count 100 cases, like one range of 100; 10 x 11 is refused like
   one range of 110, located at the inner forall, before any inner case runs;
   a random family inside a range counts its samples times the range. */
START_TEST(test_nested_forall_product_limited)
{
    const char *text =
        "claim nested_100 \"t\" expect PROVED:\n"
        "    forall i in 1..10: forall j in 1..10: i + j >= 2\n"
        "claim flat_100 \"t\" expect PROVED:\n    forall i in 1..100: i >= 1\n"
        "claim nested_110 \"t\" expect PROVED:\n"
        "    forall i in 1..10: forall j in 1..11: i + j >= 2\n"
        "claim flat_110 \"t\" expect PROVED:\n    forall i in 1..110: i >= 1\n"
        "claim random_in_range \"t\" expect NOT_REFUTED:\n"
        "    forall i in 1..3: forall J in random(rows = 1, cols = 1, norm = inf, bound = 1,\n"
        "        seed = 1, count = 60): norminf(J) <= 1\n";
    rj_claim_results_t res;
    rj_claims_opts opts;
    rj_claims_opts_default(&opts);
    opts.max_range = 100;
    opts.max_samples = 100;
    rj_claim_results_init(res);
    run_text_opts(res, text, &opts);
    assert_verdict(res, "nested_100", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "flat_100", RJ_VERDICT_PROVED, NULL);
    /* the nested claim counts its 10 outer cases besides the 100 inner ones */
    ck_assert_int_eq(find(res, "nested_100")->cases, find(res, "flat_100")->cases + 10);
    assert_verdict(res, "flat_110", RJ_VERDICT_ERROR, "RJ_CLAIMS_MAX_RANGE");
    assert_verdict(res, "nested_110", RJ_VERDICT_ERROR,
                   "nested quantifiers give 110 cases in all");
    ck_assert_int_le(find(res, "nested_110")->cases, 1);
    assert_verdict(res, "random_in_range", RJ_VERDICT_ERROR, "RJ_CLAIMS_MAX_SAMPLES");
    rj_claim_results_clear(res);
    /* with the default limits all of them are decided */
    rj_claim_results_init(res);
    run_text_opts(res, text, NULL);
    assert_all_pass(res, "nested foralls, default limits");
    rj_claim_results_clear(res);
}
END_TEST

/* issue 15: forall_paths_runs_an_hour -- forall k in 1..100000: paths(10^7, k)
   > 0 respected every limit and ran about 50 minutes.  The forall projects its
   work over its range and refuses, located, after a few hundred cheap cases;
   the first 300 cases of the same claim are proved, and 1..100000 with a cheap
   body is proved too (the projection counts work, not cases). */
START_TEST(test_forall_work_projected)
{
    const char *text =
        "claim paths_all \"t\" expect PROVED:\n"
        "    forall k in 1..100000: paths(10^7, k) > 0\n"
        "claim paths_300 \"t\" expect PROVED:\n"
        "    forall k in 1..300: paths(10^7, k) > 0\n"
        "claim cheap_all \"t\" expect PROVED:\n"
        "    forall k in 1..100000: k + 1 > k\n";
    rj_claim_results_t res;
    const rj_claim_result_struct *r;
    rj_claim_results_init(res);
    run_text_opts(res, text, NULL);
    assert_verdict(res, "paths_300", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "cheap_all", RJ_VERDICT_PROVED, NULL);
    assert_verdict(res, "paths_all", RJ_VERDICT_ERROR, "over the work limit max_work");
    assert_verdict(res, "paths_all", RJ_VERDICT_ERROR, "test.rj:2:5: forall k:");
    r = find(res, "paths_all");
    ck_assert_msg(r->cases < 5000, "refused after %ld cases", (long) r->cases);
    rj_claim_results_clear(res);
}
END_TEST

static rj_tie_policy
policy_of(rj_tie_mode mode)
{
    rj_tie_policy p;
    p.mode = mode;
    p.choice = 0;
    return p;
}

/* ---------------------------------------------------------------- conventions (issue 11) */

/* jacobian(N, x, 0) takes ReLU'(0) = 0 at every tie, PyTorch's rule
   (x > 0 ? 1 : 0), which the fast core's backward pass also follows: on
   random networks with dyadic weights k/4 and points whose pre-activations
   meet 0 (small integers), every float64 Jacobian entry is an exact dyadic
   (few short products), and the exact Jacobian under the convention equals
   it bit for bit: PROVED, with the convention named in the evidence.  The
   same claim over the Clarke set is not PROVED when the tie matters, and
   jacobian(N, x, 1) is the right side. */
START_TEST(test_relu_convention_pytorch)
{
    flint_rand_t st;
    slong it, met = 0;
    rj_test_randinit(st, seed + 21);
    for (it = 0; it < rj_test_iters(60); it++) {
        rj_net_t net;
        rj_fast_net_t f;
        rj_fast_work_t w;
        rj_error_t err;
        rj_env_t env;
        rj_ties_t ties;
        fmpq_mat_t x, M, JL, JR;
        double *xd, *J;
        slong n, m, i, j;
        char *ev;
        rj_verdict_kind v;

        rj_net_init(net);
        rj_test_randnet_pl(net, st, 1 + n_randint(st, 3), 2, 4, 1, 0);
        n = rj_net_width_in(net);
        m = rj_net_width_out(net);
        fmpq_mat_init(x, 0, 0);
        rj_test_randpoint(x, st, n, 1, 1);
        rj_error_init(err);
        rj_fast_net_init(f);
        rj_fast_work_init(w);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
        ck_assert_int_eq(rj_fast_work_reserve(w, f, 1, m, 0, err), RJ_OK);
        xd = malloc(n * sizeof(double));
        J = malloc(m * n * sizeof(double));
        for (i = 0; i < n; i++)
            xd[i] = fmpq_get_d(fmpq_mat_entry(x, i, 0));
        ck_assert_int_eq(rj_fast_forward(NULL, w, f, xd, 1, err), RJ_OK);
        ck_assert_int_eq(rj_fast_jacobian(J, w, f, err), RJ_OK);
        fmpq_mat_init(M, m, n);
        for (i = 0; i < m; i++)
            for (j = 0; j < n; j++)
                rj_fmpq_set_d_exact(fmpq_mat_entry(M, i, j), J[i * n + j]);
        /* the one-sided Jacobians, directly from the exact layer */
        fmpq_mat_init(JL, 0, 0);
        fmpq_mat_init(JR, 0, 0);
        rj_ties_init(ties);
        ck_assert_int_eq(rj_exact_jacobian(JL, ties, net, x, policy_of(RJ_TIE_LEFT), err), RJ_OK);
        ck_assert_int_eq(rj_exact_jacobian(JR, NULL, net, x, policy_of(RJ_TIE_RIGHT), err),
                         RJ_OK);

        rj_claims_env_init(env, NULL);
        bind_net(env, "N", net);
        bind_mat(env, "x", x);
        bind_mat(env, "M", M);
        v = decide(env, "jacobian(N, x, 0) == M", &ev);
        RJ_CHECK(v == RJ_VERDICT_PROVED, seed, "case %ld: jacobian(N, x, 0) vs the float "
                 "Jacobian: %s: %s", (long) it, rj_verdict_name(v), ev);
        if (ties->len > 0)
            ck_assert_msg(strstr(ev, "by convention: ReLU'(0) = 0 at") != NULL, "%s", ev);
        flint_free(ev);
        bind_mat(env, "M", JR);
        ck_assert_int_eq(decide(env, "jacobian(N, x, 1) == M", NULL), RJ_VERDICT_PROVED);
        if (!fmpq_mat_equal(JL, JR)) {      /* the tie matters */
            met++;
            bind_mat(env, "M", JL);
            v = decide(env, "jacobian(N, x) == M", &ev);
            RJ_CHECK(v != RJ_VERDICT_PROVED, seed, "case %ld: the Clarke claim was proved: %s",
                     (long) it, ev);
            flint_free(ev);
        }
        rj_claims_env_clear(env);
        rj_ties_clear(ties);
        fmpq_mat_clear(JL);
        fmpq_mat_clear(JR);
        fmpq_mat_clear(M);
        fmpq_mat_clear(x);
        free(xd);
        free(J);
        rj_fast_work_clear(w);
        rj_fast_net_clear(f);
        rj_net_clear(net);
    }
    flint_randclear(st);
    ck_assert_msg(met >= 5, "only %ld cases where a tie changes the Jacobian", (long) met);
}
END_TEST

/* Tie pruning in claims: a tie on a unit already gated to 0 (a post ReLU
   with a negative argument feeding a pre ReLU at 0) cannot change
   jacobian(N, x), which is then one value, PROVED equal to either
   convention with the evidence saying why the tie was not enumerated; the
   branch part of that block does depend on it and keeps it (UNDECIDED).
   Where the first ReLU is itself at its kink the second tie is not pruned
   and the Jacobian needs a convention. */
START_TEST(test_tie_pruning)
{
    rj_env_t env;
    char *ev;
    rj_verdict_kind v;
    rj_claims_env_init(env, NULL);
    bind_defs(env, "let A = block(W1 = identity(2), skip = none, place = post)\n"
                   "let B = block(W1 = [[1, 1], [1, 1]], act = relu, W2 = identity(2), "
                   "place = pre)\n"
                   "let N = net(A, B)\n");
    v = decide(env, "jacobian(N, [1, -1]) == jacobian(N, [1, -1], 1) and "
                    "jacobian(N, [1, -1]) == jacobian(N, [1, -1], 0)", &ev);
    ck_assert_msg(v == RJ_VERDICT_PROVED, "%s: %s", rj_verdict_name(v), ev);
    ck_assert_msg(strstr(ev, "1 ReLU tie not enumerated for the Jacobian") != NULL, "%s", ev);
    flint_free(ev);
    v = decide(env, "branch_part(N, [1, -1], 2) == branch_part(N, [1, -1], 2)", NULL);
    ck_assert_int_eq(v, RJ_VERDICT_PROVED);       /* same call, same ties */
    v = decide(env, "branch_part(N, [1, -1], 2) == [[1, 0], [1, 0]]", &ev);
    ck_assert_msg(v == RJ_VERDICT_UNDECIDED, "%s: %s", rj_verdict_name(v), ev);
    flint_free(ev);
    v = decide(env, "jacobian(N, [1, 0]) == jacobian(N, [1, 0], 0)", &ev);
    ck_assert_msg(v == RJ_VERDICT_UNDECIDED, "%s: %s", rj_verdict_name(v), ev);
    ck_assert_msg(strstr(ev, "not enumerated") == NULL, "%s", ev);
    flint_free(ev);
    rj_claims_env_clear(env);
}
END_TEST

/* A maxpool window with two maxima is a tie of two sides (a claim true for
   one maximum only needs a convention; one true for both is PROVED); with
   three or four maxima the choices run over every maximum (proofs/ties.md
   section 9): true for every selection is PROVED, false for every one
   REFUTED, true for some only UNDECIDED naming the stages; the conventions
   take the first maximum (0, PyTorch's) and the last (1). */
START_TEST(test_maxpool_tie_claims)
{
    rj_env_t env;
    char *ev;
    rj_verdict_kind v;
    rj_claims_env_init(env, NULL);
    bind_defs(env, "let B = block(branch = [maxpool(2)], skip = none, shape = (1, 2, 2))\n");
    v = decide(env, "jacobian(B, [1, 1, 0, 0]) == [[1, 0, 0, 0]]", NULL);
    ck_assert_int_eq(v, RJ_VERDICT_UNDECIDED);
    v = decide(env, "jacobian(B, [1, 1, 0, 0]) * [1, 1, 1, 1] == [1]", NULL);
    ck_assert_int_eq(v, RJ_VERDICT_PROVED);
    v = decide(env, "jacobian(B, [1, 1, 1, 0]) == [[1, 0, 0, 0]]", &ev);
    ck_assert_int_eq(v, RJ_VERDICT_UNDECIDED);
    ck_assert_msg(strstr(ev, "output 1, maximum 2") != NULL, "%s", ev);
    flint_free(ev);
    expect_verdict(env, "jacobian(B, [1, 1, 1, 0], 0) == [[1, 0, 0, 0]]", RJ_VERDICT_PROVED);
    expect_verdict(env, "jacobian(B, [1, 1, 1, 0], 1) == [[0, 0, 1, 0]]", RJ_VERDICT_PROVED);
    expect_verdict(env, "jacobian(B, [1, 1, 1, 0]) * [1, 1, 1, 1] == [1] and "
                        "jacobian(B, [1, 1, 1, 0]) * [0, 0, 0, 1] == [0]", RJ_VERDICT_PROVED);
    expect_verdict(env, "jacobian(B, [1, 1, 1, 0]) * [0, 0, 0, 1] == [1]", RJ_VERDICT_REFUTED);
    /* four maxima: the row is a point of the simplex, J [1, 2, 3, 4] in [1, 4] */
    expect_verdict(env, "jacobian(B, [2, 2, 2, 2]) * [1, 2, 3, 4] >= [1] and "
                        "jacobian(B, [2, 2, 2, 2]) * [1, 2, 3, 4] <= [4]", RJ_VERDICT_PROVED);
    expect_verdict(env, "jacobian(B, [2, 2, 2, 2]) * [1, 2, 3, 4] == [4]",
                   RJ_VERDICT_UNDECIDED);
    expect_verdict(env, "jacobian(B, [2, 2, 2, 2]) * [1, 2, 3, 4] < [1]", RJ_VERDICT_REFUTED);
    rj_claims_env_clear(env);
}
END_TEST


/* jvp(N, x, v), the precise layer's Jacobian-vector product, against two
   other computations: on piecewise-linear networks without ties, the exact
   J v of the exact layer (rj_exact_jacobian times v): PROVED within 2^-50,
   and REFUTED against J v with one entry moved by 1/1000; on networks with
   tanh/sigmoid, the precise layer's full Jacobian times v (jacobian(N, x) * v,
   rj_precise_jacobian: another pass): PROVED within 2^-40 where the precise
   Jacobian meets no possible tie. */
START_TEST(test_jvp_against_jacobian)
{
    flint_rand_t st;
    slong it, pl = 0, smooth = 0;
    rj_test_randinit(st, seed + 57);
    for (it = 0; it < rj_test_iters(40); it++) {
        rj_net_t net;
        rj_env_t env;
        rj_error_t err;
        rj_ties_t ties;
        fmpq_mat_t x, v, J, M;
        rj_imat_t Ji;
        slong n;
        char *ev;
        rj_verdict_kind vd;
        rj_net_init(net);
        n = rj_test_randnet(net, st, 1 + n_randint(st, 3), 4, 8, it % 2 ? 4 : 3,
                            it % 3 == 0 ? 3 : 5);
        fmpq_mat_init(x, 0, 0);
        fmpq_mat_init(v, 0, 0);
        rj_test_randpoint(x, st, n, 16, 7);
        rj_test_randpoint(v, st, n, 8, 4);
        rj_error_init(err);
        rj_ties_init(ties);
        fmpq_mat_init(J, 0, 0);
        fmpq_mat_init(M, 0, 0);
        rj_imat_init(Ji, 0, 0, 128);
        rj_claims_env_init(env, NULL);
        bind_net(env, "N", net);
        bind_mat(env, "x", x);
        bind_mat(env, "v", v);
        if (rj_net_is_piecewise_linear(net)) {
            ck_assert_int_eq(rj_exact_jacobian(J, ties, net, x, policy_of(RJ_TIE_LEFT), err),
                             RJ_OK);
            if (ties->len == 0) {
                fmpq_mat_clear(M);
                fmpq_mat_init(M, fmpq_mat_nrows(J), 1);
                fmpq_mat_mul(M, J, v);
                bind_mat(env, "M", M);
                vd = decide(env, "norminf(jvp(N, x, v) - M) < 2^-50", &ev);
                RJ_CHECK(vd == RJ_VERDICT_PROVED, seed, "case %ld: jvp vs exact J v: %s: %s",
                         (long) it, rj_verdict_name(vd), ev);
                flint_free(ev);
                {
                    fmpq_t d;
                    fmpq_init(d);
                    fmpq_set_si(d, 1, 1000);
                    fmpq_add(fmpq_mat_entry(M, 0, 0), fmpq_mat_entry(M, 0, 0), d);
                    fmpq_clear(d);
                }
                bind_mat(env, "M", M);
                vd = decide(env, "norminf(jvp(N, x, v) - M) < 2^-50", NULL);
                RJ_CHECK(vd == RJ_VERDICT_REFUTED, seed, "case %ld: jvp vs a wrong J v: %s",
                         (long) it, rj_verdict_name(vd));
                pl++;
            }
        } else {
            ck_assert_int_eq(rj_precise_jacobian_fmpq(Ji, ties, net, x, 128, err), RJ_OK);
            if (ties->len == 0) {
                vd = decide(env, "norminf(jvp(N, x, v) - jacobian(N, x) * v) < 2^-40", &ev);
                RJ_CHECK(vd == RJ_VERDICT_PROVED, seed, "case %ld: jvp vs jacobian * v: %s: %s",
                         (long) it, rj_verdict_name(vd), ev);
                flint_free(ev);
                smooth++;
            }
        }
        rj_claims_env_clear(env);
        rj_imat_clear(Ji);
        rj_ties_clear(ties);
        fmpq_mat_clear(x);
        fmpq_mat_clear(v);
        fmpq_mat_clear(J);
        fmpq_mat_clear(M);
        rj_net_clear(net);
    }
    flint_randclear(st);
    ck_assert_msg(pl >= 5 && smooth >= 5, "only %ld exact and %ld smooth cases", (long) pl,
                  (long) smooth);
}
END_TEST

/* More than FLINT_BITS = 64 ties, few of which can change the Jacobian: a
   post block whose unit 1 sits at 0 (a tie that matters) and whose other 69
   units are negative, then a post block meeting 70 zeros, 69 of them on units
   already gated (inert).  The choice word then addresses the 2 ties that
   matter and the later inert ones take the right side (RJ_TIE_CHOICE_FIRST):
   decided (this was an ERROR, "a tie choice word holds only 64 ties").  When
   a tie that matters lies past the 64th (a pre block whose 70 outer ties come
   first), the claim is UNDECIDED saying so, never decided on a guess. */
START_TEST(test_ties_past_the_choice_word)
{
    rj_env_t env;
    fmpq_mat_t x;
    slong i;
    char *ev;
    rj_verdict_kind v;
    rj_claims_env_init(env, NULL);
    bind_defs(env, "let A = block(W1 = identity(70), skip = none, place = post)\n"
                   "let P = block(W1 = identity(70), act = relu, W2 = identity(70), "
                   "place = pre)\n"
                   "let N = net(A, A)\n"
                   "let M = net(A, P)\n");
    fmpq_mat_init(x, 70, 1);
    for (i = 1; i < 70; i++)
        fmpq_set_si(fmpq_mat_entry(x, i, 0), -1, 1);
    bind_mat(env, "x", x);
    expect_verdict(env, "rows(jacobian(N, x)) == 70", RJ_VERDICT_PROVED);
    expect_verdict(env, "jacobian(N, x)[1, 1] <= 1 and jacobian(N, x)[2, 2] == 0",
                   RJ_VERDICT_PROVED);
    expect_verdict(env, "jacobian(N, x) == jacobian(N, x, 0)", RJ_VERDICT_UNDECIDED);
    v = decide(env, "rows(jacobian(M, x)) == 70", &ev);
    ck_assert_msg(v == RJ_VERDICT_UNDECIDED && strstr(ev, "lies past the 64 ties") != NULL,
                  "%s: %s", rj_verdict_name(v), ev);
    flint_free(ev);
    fmpq_mat_clear(x);
    rj_claims_env_clear(env);
}
END_TEST

static Suite *
claims_suite(void)
{
    Suite *s = suite_create("claims");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_lesson_true_claims_proved);
    tcase_add_test(tc, test_lesson_false_variants_refuted);
    tcase_add_test(tc, test_true_false_pairs);
    tcase_add_test(tc, test_random_blocks_against_exact);
    tcase_add_test(tc, test_ties_need_a_convention);
    tcase_add_test(tc, test_tie_limit_undecided);
    tcase_add_test(tc, test_random_families_never_prove);
    tcase_add_test(tc, test_random_family_boundaries);
    tcase_add_test(tc, test_approximate_and_enclosures);
    tcase_add_test(tc, test_ties_clarke_box_not_vertices);
    tcase_add_test(tc, test_ties_random_multilinear);
    tcase_add_test(tc, test_enclosure_index_messages);
    tcase_add_test(tc, test_tie_labels_name_the_point);
    tcase_add_test(tc, test_emat_broadcast);
    tcase_add_test(tc, test_tanh_enclosures);
    tcase_add_test(tc, test_exponent_range_undecided);
    tcase_add_test(tc, test_encl_copy);
    tcase_add_test(tc, test_encl_arith);
    tcase_add_test(tc, test_encl_in_the_language);
    tcase_add_test(tc, test_enclosure_matrix_is_an_extension);
    tcase_add_test(tc, test_tie_note_only_where_met);
    tcase_add_test(tc, test_malformed_files_are_located);
    tcase_add_test(tc, test_bad_claims_inline);
    tcase_add_test(tc, test_definitions_in_order);
    tcase_add_test(tc, test_failed_definitions_reported);
    tcase_add_test(tc, test_negation_evidence);
    tcase_add_test(tc, test_eval_choice_values);
    tcase_add_test(tc, test_valid_claims_get_verdicts);
    tcase_add_test(tc, test_random_net_is_the_float_network);
    tcase_add_test(tc, test_random_net_seeds_differ);
    tcase_add_test(tc, test_random_net_bad_input_located);
    tcase_add_test(tc, test_forall_range_beyond_a_word);
    tcase_add_test(tc, test_max_terms_every_sum);
    tcase_add_test(tc, test_one_size_limit);
    tcase_add_test(tc, test_net_identity_tie_keys);
    tcase_add_test(tc, test_escalation_limit_undecided);
    tcase_add_test(tc, test_random_integer_arguments_one_form);
    tcase_add_test(tc, test_precise_weights_reused_only_for_equal_nets);
    tcase_add_test(tc, test_nested_forall_product_limited);
    tcase_add_test(tc, test_forall_work_projected);
    tcase_add_test(tc, test_relu_convention_pytorch);
    tcase_add_test(tc, test_tie_pruning);
    tcase_add_test(tc, test_maxpool_tie_claims);
    tcase_add_test(tc, test_jvp_against_jacobian);
    tcase_add_test(tc, test_ties_past_the_choice_word);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(20240517);
    return rj_test_run(claims_suite());
}
