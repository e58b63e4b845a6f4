/* resjac check --json: the evidence as data (proofs/json-schema.md).
 *
 * Runs the resjac binary on tests/claims/evidence_data.rj, parses its output
 * with jansson and holds every claim's data against a second computation:
 * the claim's comparison is evaluated again in a fresh environment with only
 * the bindings the data gives, the two sides must be the data's lhs and rhs
 * exactly, and the comparison, decided here on the data's values with FLINT
 * and MPFR (not by the checker), must fail for a counterexample and hold for
 * a proved case.  Also the shape of the output: every claim object's keys,
 * and one spelling of the verdict names in "verdict" and "expected". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mpfr.h>

#include "testutil.h"

/* The exact or interval value of a JSON VALUE: a number, a matrix, or an
   enclosure [lo, hi] read with outward rounding. */
typedef struct {
    int kind;                 /* 0 number, 1 matrix, 2 enclosure */
    fmpq_t q;
    fmpq_mat_t A;
    mpfr_t lo, hi;
} jval;

static void
jval_init(jval *v)
{
    v->kind = -1;
    fmpq_init(v->q);
    fmpq_mat_init(v->A, 0, 0);
    mpfr_init2(v->lo, 256);
    mpfr_init2(v->hi, 256);
}

static void
jval_clear(jval *v)
{
    fmpq_clear(v->q);
    fmpq_mat_clear(v->A);
    mpfr_clear(v->lo);
    mpfr_clear(v->hi);
}

static int
read_q(fmpq_t q, const json_t *s)
{
    return json_is_string(s) && fmpq_set_str(q, json_string_value(s), 10) == 0;
}

static int
jval_read(jval *v, const json_t *j)
{
    size_t i, k, r, c;
    if (json_is_string(j)) {
        v->kind = 0;
        return read_q(v->q, j);
    }
    if (!json_is_array(j) || json_array_size(j) == 0)
        return 0;
    if (json_is_string(json_array_get(j, 0))) {
        /* an enclosure: two decimal strings */
        v->kind = 2;
        return json_array_size(j) == 2
               && mpfr_set_str(v->lo, json_string_value(json_array_get(j, 0)), 10,
                               MPFR_RNDD) == 0
               && mpfr_set_str(v->hi, json_string_value(json_array_get(j, 1)), 10,
                               MPFR_RNDU) == 0
               && mpfr_cmp(v->lo, v->hi) <= 0;
    }
    r = json_array_size(j);
    c = json_array_size(json_array_get(j, 0));
    v->kind = 1;
    fmpq_mat_clear(v->A);
    fmpq_mat_init(v->A, r, c);
    for (i = 0; i < r; i++) {
        const json_t *row = json_array_get(j, i);
        if (!json_is_array(row) || json_array_size(row) != c)
            return 0;
        for (k = 0; k < c; k++)
            if (!read_q(fmpq_mat_entry(v->A, i, k), json_array_get(row, k)))
                return 0;
    }
    return 1;
}

/* The data's value as a language value (numbers and matrices). */
static void
jval_get_val(rj_val_t out, const jval *v)
{
    if (v->kind == 0)
        rj_val_set_fmpq(out, v->q);
    else
        rj_val_set_fmpq_mat(out, v->A);
}

/* 1 if the evaluated value is exactly the data's. */
static int
same_value(const rj_val_t e, const jval *v)
{
    if (v->kind == 0)
        return e->kind == RJ_VAL_NUM && fmpq_equal(e->num, v->q);
    if (v->kind == 1)
        return e->kind == RJ_VAL_MAT && fmpq_mat_equal(e->mat, v->A);
    return e->kind == RJ_VAL_EXT;       /* an enclosure: its ends are checked below */
}

/* Entry (i, j) of a value as an interval [lo, hi] (a number stands for every
   entry). */
static void
entry(mpfr_t lo, mpfr_t hi, const jval *v, slong i, slong j)
{
    if (v->kind == 2) {
        mpfr_set(lo, v->lo, MPFR_RNDD);
        mpfr_set(hi, v->hi, MPFR_RNDU);
    } else {
        mpq_t t;
        mpq_init(t);
        fmpq_get_mpq(t, v->kind == 0 ? v->q : fmpq_mat_entry(v->A, i, j));
        mpfr_set_q(lo, t, MPFR_RNDD);
        mpfr_set_q(hi, t, MPFR_RNDU);
        mpq_clear(t);
    }
}

/* a op b decided on the data's values alone: 1 holds for every entry, 0
   fails (for some entry; for != every entry is equal), -1 cannot tell. */
static int
decide_here(const char *op, const jval *a, const jval *b, const fmpq_t tol)
{
    slong r = 1, c = 1, i, j;
    int all_hold = 1, any_fail = 0, unknown = 0, any_ne = 0;
    mpfr_t alo, ahi, blo, bhi, t;
    const jval *m = a->kind == 1 ? a : b->kind == 1 ? b : NULL;
    if (m != NULL) {
        r = fmpq_mat_nrows(m->A);
        c = fmpq_mat_ncols(m->A);
    }
    mpfr_inits2(256, alo, ahi, blo, bhi, t, (mpfr_ptr) 0);
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            int hold = -1;
            entry(alo, ahi, a, i, j);
            entry(blo, bhi, b, i, j);
            if (strcmp(op, "<=") == 0)
                hold = mpfr_cmp(ahi, blo) <= 0 ? 1 : mpfr_cmp(alo, bhi) > 0 ? 0 : -1;
            else if (strcmp(op, "<") == 0)
                hold = mpfr_cmp(ahi, blo) < 0 ? 1 : mpfr_cmp(alo, bhi) >= 0 ? 0 : -1;
            else if (strcmp(op, ">=") == 0)
                hold = mpfr_cmp(alo, bhi) >= 0 ? 1 : mpfr_cmp(ahi, blo) < 0 ? 0 : -1;
            else if (strcmp(op, ">") == 0)
                hold = mpfr_cmp(alo, bhi) > 0 ? 1 : mpfr_cmp(ahi, blo) <= 0 ? 0 : -1;
            else if (strcmp(op, "==") == 0 || strcmp(op, "!=") == 0) {
                int eq = mpfr_equal_p(alo, ahi) && mpfr_equal_p(blo, bhi)
                         && mpfr_equal_p(alo, blo);
                int ne = mpfr_cmp(ahi, blo) < 0 || mpfr_cmp(alo, bhi) > 0;
                hold = eq ? 1 : ne ? 0 : -1;
                if (ne)
                    any_ne = 1;
            } else if (strcmp(op, "~=") == 0) {
                /* |a - b| <= tol, from the ends: max distance and min distance */
                mpq_t tq;
                mpfr_t dmax, dmin;
                mpfr_inits2(256, dmax, dmin, (mpfr_ptr) 0);
                mpfr_sub(dmax, ahi, blo, MPFR_RNDU);
                mpfr_sub(t, bhi, alo, MPFR_RNDU);
                mpfr_max(dmax, dmax, t, MPFR_RNDU);
                mpfr_sub(dmin, alo, bhi, MPFR_RNDD);
                mpfr_sub(t, blo, ahi, MPFR_RNDD);
                mpfr_max(dmin, dmin, t, MPFR_RNDD);
                mpq_init(tq);
                fmpq_get_mpq(tq, tol);
                hold = mpfr_cmp_q(dmax, tq) <= 0 ? 1 : mpfr_cmp_q(dmin, tq) > 0 ? 0 : -1;
                mpq_clear(tq);
                mpfr_clears(dmax, dmin, (mpfr_ptr) 0);
            }
            if (hold != 1)
                all_hold = 0;
            if (hold == 0)
                any_fail = 1;
            if (hold < 0)
                unknown = 1;
        }
    mpfr_clears(alo, ahi, blo, bhi, t, (mpfr_ptr) 0);
    if (strcmp(op, "!=") == 0)
        return any_ne ? 1 : all_hold ? 0 : -1;
    if (any_fail)
        return 0;
    return all_hold && !unknown ? 1 : -1;
}

/* The output of `resjac check --json FILE`, parsed. */
static json_t *
run_check_json(const char *file)
{
    const char *bin = getenv("RESJAC") != NULL ? getenv("RESJAC") : "./resjac";
    char cmd[2048], *buf = NULL;
    size_t len = 0, alloc = 0, n;
    FILE *p;
    json_t *j;
    json_error_t jerr;
    snprintf(cmd, sizeof(cmd), "'%s' check --json '%s'", bin, file);
    p = popen(cmd, "r");
    ck_assert_msg(p != NULL, "cannot run %s", cmd);
    do {
        if (len + 4096 > alloc) {
            alloc = 2 * alloc + 4096;
            buf = realloc(buf, alloc);
        }
        n = fread(buf + len, 1, alloc - len - 1, p);
        len += n;
    } while (n > 0);
    buf[len] = '\0';
    ck_assert_msg(pclose(p) == 0, "%s did not exit 0", cmd);
    j = json_loads(buf, 0, &jerr);
    ck_assert_msg(j != NULL, "the output of %s is not JSON: %s", cmd, jerr.text);
    free(buf);
    return j;
}

static const char *
test_file(char *buf, size_t len)
{
    const char *srcdir = getenv("srcdir") != NULL ? getenv("srcdir") : ".";
    snprintf(buf, len, "%s/tests/claims/evidence_data.rj", srcdir);
    return buf;
}

static const rj_stmt_struct *
find_claim(const rj_prog_t prog, const char *name)
{
    slong i;
    for (i = 0; i < prog->len; i++)
        if (prog->stmts[i].kind == RJ_STMT_CLAIM && strcmp(prog->stmts[i].name, name) == 0)
            return prog->stmts + i;
    return NULL;
}

/* The comparison under the claim's quantifiers. */
static const rj_expr_struct *
comparison_of(const rj_expr_struct *f)
{
    while (f->kind == RJ_EXPR_FORALL || f->kind == RJ_EXPR_FORALL_RANDOM)
        f = f->args[f->nargs - 1];
    return f;
}

/* Evaluate the claim's two sides again from the data's bindings alone and
   compare them with the data's lhs and rhs; returns the comparison decided on
   the data's values. */
static int
recheck_case(const rj_prog_t prog, const char *name, const json_t *cs)
{
    const rj_stmt_struct *s = find_claim(prog, name);
    const rj_expr_struct *f;
    json_t *bind = json_object_get(cs, "bindings");
    const char *op = json_string_value(json_object_get(cs, "op")), *key;
    json_t *jv;
    jval a, b, w;
    fmpq_t tol;
    rj_env_t env;
    rj_error_t err;
    rj_val_t ea, eb;
    int st, res;

    ck_assert_msg(s != NULL, "%s: no such claim in the file", name);
    f = comparison_of(s->expr);
    ck_assert_msg(f->kind == RJ_EXPR_CMP, "%s: not a comparison", name);
    ck_assert_msg(json_is_object(bind) && op != NULL, "%s: a case needs bindings and op",
                  name);
    rj_claims_env_init(env, NULL);
    rj_error_init(err);
    ck_assert_int_eq(rj_eval_defs(env, prog, err), RJ_OK);
    jval_init(&a);
    jval_init(&b);
    jval_init(&w);
    fmpq_init(tol);
    json_object_foreach(bind, key, jv) {
        rj_val_t v;
        ck_assert_msg(jval_read(&w, jv) && w.kind != 2, "%s: binding %s unreadable", name,
                      key);
        rj_val_init(v);
        jval_get_val(v, &w);
        rj_env_push(env, key, v);
        rj_val_clear(v);
    }
    ck_assert_msg(jval_read(&a, json_object_get(cs, "lhs")), "%s: lhs unreadable", name);
    ck_assert_msg(jval_read(&b, json_object_get(cs, "rhs")), "%s: rhs unreadable", name);
    if (strcmp(op, "~=") == 0)
        ck_assert(read_q(tol, json_object_get(cs, "tolerance")));
    rj_val_init(ea);
    rj_val_init(eb);
    st = rj_eval(ea, f->args[0], env, err);
    ck_assert_msg(st == RJ_OK, "%s: lhs does not evaluate from the bindings: %s", name,
                  err->msg);
    st = rj_eval(eb, f->args[1], env, err);
    ck_assert_msg(st == RJ_OK, "%s: rhs does not evaluate from the bindings", name);
    ck_assert_msg(same_value(ea, &a), "%s: lhs re-evaluated differs from the data", name);
    ck_assert_msg(same_value(eb, &b), "%s: rhs re-evaluated differs from the data", name);
    res = decide_here(op, &a, &b, tol);
    rj_val_clear(ea);
    rj_val_clear(eb);
    jval_clear(&a);
    jval_clear(&b);
    jval_clear(&w);
    fmpq_clear(tol);
    rj_claims_env_clear(env);
    return res;
}

static int
is_verdict_name(const char *s)
{
    static const char *names[] = { "PROVED", "REFUTED", "NOT_REFUTED", "UNDECIDED", "ERROR" };
    size_t i;
    for (i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

START_TEST(test_json_data_rechecked)
{
    char path[1024];
    json_t *out = run_check_json(test_file(path, sizeof(path))), *c;
    json_t *claims = json_object_get(out, "claims");
    rj_prog_t prog;
    rj_error_t err;
    size_t i;
    int refuted = 0, proved = 0, bound = 0;

    rj_prog_init(prog);
    rj_error_init(err);
    ck_assert_int_eq(rj_parse_file(prog, path, err), RJ_OK);
    ck_assert(json_is_array(claims) && json_array_size(claims) > 0);
    json_array_foreach(claims, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *verdict = json_string_value(json_object_get(c, "verdict"));
        const char *expected = json_string_value(json_object_get(c, "expected"));
        json_t *data = json_object_get(c, "data"), *cs;
        ck_assert_msg(is_verdict_name(verdict) && is_verdict_name(expected),
                      "%s: verdict '%s', expected '%s': not the file's spelling", name,
                      verdict, expected);
        ck_assert_msg(json_is_string(json_object_get(c, "evidence")), "%s: no evidence", name);
        ck_assert_msg(json_is_object(data), "%s: no data", name);
        if (strcmp(verdict, "REFUTED") == 0) {
            cs = json_object_get(data, "counterexample");
            ck_assert_msg(cs != NULL, "%s: REFUTED without a counterexample", name);
            ck_assert_msg(recheck_case(prog, name, cs) == 0,
                          "%s: the counterexample does not refute the claim", name);
            refuted++;
        } else {
            /* PROVED and NOT_REFUTED quote a case that holds, UNDECIDED one
               whose enclosures overlap */
            int want = strcmp(verdict, "UNDECIDED") == 0 ? -1 : 1;
            cs = json_object_get(data, "case");
            ck_assert_msg(cs != NULL, "%s: no case", name);
            ck_assert_msg(recheck_case(prog, name, cs) == want,
                          "%s: the quoted case does not give %s", name, verdict);
            proved++;
        }
        if (json_object_size(json_object_get(cs, "bindings")) > 0)
            bound++;
    }
    ck_assert_int_ge(refuted, 5);
    ck_assert_int_ge(proved, 4);
    ck_assert_int_ge(bound, 6);
    rj_prog_clear(prog);
    json_decref(out);
}
END_TEST

/* The bindings of the counterexample of claim `name` in out (NULL if none). */
static json_t *
counterexample_bindings(json_t *out, const char *name)
{
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(out, "claims"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
            return json_object_get(json_object_get(json_object_get(c, "data"),
                                                   "counterexample"), "bindings");
    }
    return NULL;
}

/* Nested quantifiers: the counterexample binds both variables, outer first. */
START_TEST(test_json_nested_bindings)
{
    char path[1024];
    json_t *out = run_check_json(test_file(path, sizeof(path)));
    json_t *b = counterexample_bindings(out, "pairs_small");
    ck_assert(b != NULL);
    ck_assert_int_eq(json_object_size(b), 2);
    ck_assert_str_eq(json_object_iter_key(json_object_iter(b)), "m");
    json_decref(out);
}
END_TEST


/* A symbolic claim refuted by integer matrices carries its witness in the
   data (I and every symbol bound to its matrix, as rows), which the loop above
   re-decides; before, the data had no bindings. */
START_TEST(test_json_symbolic_witness)
{
    char path[1024];
    json_t *out = run_check_json(test_file(path, sizeof(path)));
    json_t *b = counterexample_bindings(out, "symbolic_commute");
    json_t *J = json_object_get(b, "J"), *K = json_object_get(b, "K");
    ck_assert(json_is_array(J) && json_is_array(K) && json_array_size(J) > 0);
    ck_assert(json_is_array(json_array_get(J, 0)));
    ck_assert_int_eq(json_array_size(J), json_array_size(json_array_get(J, 0)));
    ck_assert(json_is_array(json_object_get(b, "I")));
    json_decref(out);
}
END_TEST

static Suite *
json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("evidence data");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_json_data_rechecked);
    tcase_add_test(tc, test_json_symbolic_witness);
    tcase_add_test(tc, test_json_nested_bindings);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return rj_test_run(json_suite());
}
