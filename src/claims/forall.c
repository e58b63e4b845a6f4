/* resjac claims: quantifiers.
 *
 * forall k in a..b: F
 *     Decided exhaustively, case by case (at most opts.max_range cases):
 *     TRUE when every case is PROVED; FALSE at the first REFUTED case, which
 *     is decided a second time with k bound afresh before it is reported
 *     ("k = 7: ..."); otherwise UNKNOWN (some case undecided) or WEAK (every
 *     case survived, some only sampled or approximately).  Each case is reduced
 *     over its own ReLU tie choices: a case is REFUTED only when it fails for
 *     every choice, so a refuted case refutes the claim under every convention.
 *     Limits, checked before each case is decided: nested quantifiers multiply
 *     (the cases of every enclosing forall times this one's are at most
 *     opts.max_range, or opts.max_samples when the innermost is a random
 *     family), and the work of the cases (rj_limits, RJ_MAX_WORK): after each
 *     case the work so far, averaged over the cases done and projected over
 *     the whole range, must fit what is left of max_work -- so a range of
 *     growing cases (paths(10^7, k) for k up to 10^5) is refused after its
 *     first few hundred cheap cases, not after an hour.
 *
 * forall J in random(rows = r, cols = c, norm = N, bound = B, seed = s,
 *                    count = n [, strict = 1]): F
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
 *     A sample can refute (FALSE, with the matrix printed, read back from its
 *     printed form and decided again), never prove: when every case survives
 *     the result is WEAK (NOT REFUTED) with the number of cases.  The family
 *     itself is src/claims/random_family.c. */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ integer ranges */

static int
int_bound(fmpz_t k, const rj_expr_struct *e, const char *what, rj_env_struct *env,
          cl_ctx *ctx, rj_error_t err)
{
    rj_val_t v;
    int st;
    rj_val_init(v);
    st = cl_eval_plain(v, e, env, ctx, err);
    if (st == RJ_OK && !cl_val_is_int(v)) {
        char d[120];
        rj_val_describe(d, sizeof(d), v);
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "%s must be an integer, found %s",
                              what, v->kind == RJ_VAL_NUM ? "a fraction" : d);
    }
    if (st == RJ_OK)
        fmpz_set(k, fmpq_numref(v->num));
    rj_val_clear(v);
    return st;
}

/* Prefix err's message with the case. */
static int
in_case(rj_error_t err, int st, const char *var, const char *val)
{
    char msg[RJ_ERROR_MSG_LEN];
    snprintf(msg, sizeof(msg), "%s", err->msg);
    snprintf(err->msg, sizeof(err->msg), "in the case %.60s = %.160s: %.260s", var, val, msg);
    return st;
}

/* RJ_ERR_LIMIT at f when the cases of the enclosing foralls times n, this
   quantifier's, exceed max (what: "RJ_CLAIMS_MAX_RANGE"). */
static int
nested_limit(const rj_expr_struct *f, const cl_ctx *ctx, double n, slong max, const char *what,
             rj_error_t err)
{
    double outer = ctx->outer_cases > 0 ? ctx->outer_cases : 1;
    if (outer * n <= (double) max)
        return RJ_OK;
    return rj_error_set_loc(err, RJ_ERR_LIMIT, f->loc,
                            "forall %s: nested quantifiers give %.0f cases in all (%.0f of the "
                            "enclosing foralls times %.0f of this one), over the limit of %ld "
                            "cases (%s)", f->name, outer * n, outer, n, (long) max, what);
}

/* The projected work of a quantifier after `done` of its `total` cases
   (rj_limits_check_projection), named "forall NAME". */
static int
work_projection(const rj_expr_struct *f, const rj_limits *lim, double start, slong done,
                slong total, rj_error_t err)
{
    char what[80];
    snprintf(what, sizeof(what), "forall %.60s", f->name);
    return rj_limits_check_projection(lim, start, done, total, what, "cases", f->loc, err);
}

int
cl_decide_forall(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
                 rj_error_t err)
{
    fmpz_t a, b, n, kz;
    slong i, nund = 0, nweak = 0, total;
    double outer = ctx->outer_cases, work0 = env->limits.work != NULL ? *env->limits.work : 0;
    char *first_und = NULL, *first_weak = NULL, *last_ev = NULL, *sa = NULL, *sb = NULL;
    char *first_und_d = NULL, *first_weak_d = NULL, *last_d = NULL;
    rj_val_t kv;
    int st, refuted = 0;
    const rj_expr_struct *body = f->args[2];

    fmpz_init(a);
    fmpz_init(b);
    fmpz_init(n);
    fmpz_init(kz);
    rj_val_init(kv);
    st = int_bound(a, f->args[0], "the lower end of the range", env, ctx, err);
    if (st == RJ_OK)
        st = int_bound(b, f->args[1], "the upper end of the range", env, ctx, err);
    if (st != RJ_OK)
        goto done;
    fmpz_sub(n, b, a);
    fmpz_add_ui(n, n, 1);
    if (fmpz_sgn(n) <= 0) {
        char *lo = fmpz_get_str(NULL, 10, a), *hi = fmpz_get_str(NULL, 10, b);
        cl_cres_set_scalar(out, CL_TRUE, cl_printf("the range %s..%s is empty: holds "
                                                   "vacuously", lo, hi));
        flint_free(lo);
        flint_free(hi);
        goto done;
    }
    if (fmpz_cmp_si(n, ctx->opts.max_range) > 0) {
        char *sn = fmpz_get_str(NULL, 10, n);
        st = rj_error_set_loc(err, RJ_ERR_LIMIT, f->loc,
                              "forall %s in a..b: %s cases exceed the limit of %ld cases "
                              "decided exhaustively (RJ_CLAIMS_MAX_RANGE)", f->name, sn,
                              (long) ctx->opts.max_range);
        flint_free(sn);
        goto done;
    }
    /* The bounds may lie beyond a machine word (forall k in 2^64..2^64 + 1):
       the case value is a + i, computed as an fmpz, never a slong read off a
       and b (fmpz_get_si of a large bound is garbage: a case with the wrong k,
       or a loop that never runs and proves the claim vacuously).  Only the
       count n = b - a + 1 <= max_range needs to fit a word.  PROVED must mean
       that F held for every integer k in a..b (proofs/LANGUAGE.md, "forall k
       in a..b: F decides F for every integer k"). */
    total = fmpz_get_si(n);
    if ((st = nested_limit(f, ctx, (double) total, ctx->opts.max_range, "RJ_CLAIMS_MAX_RANGE",
                           err)) != RJ_OK)
        goto done;
    ctx->outer_cases = (outer > 0 ? outer : 1) * (double) total;
    sa = fmpz_get_str(NULL, 10, a);
    sb = fmpz_get_str(NULL, 10, b);
    for (i = 0; i < total && st == RJ_OK && !refuted; i++) {
        if (i > 0 && (st = work_projection(f, &env->limits, work0, i, total, err)) != RJ_OK)
            break;
        rj_verdict_kind v;
        char *ev = NULL, *num, *bd = NULL;
        fmpz_add_ui(kz, a, (ulong) i);
        num = fmpz_get_str(NULL, 10, kz);
        cl_val_set_fmpz(kv, kz);
        /* data only for the case that will be quoted if all hold: the last */
        st = cl_decide_case_bound(&v, &ev, &bd, body, f->name, kv, i == total - 1, env, ctx,
                                  err);
        ctx->cases++;
        if (st != RJ_OK) {
            in_case(err, st, f->name, num);
            flint_free(ev);
            flint_free(num);
            flint_free(bd);
            break;
        }
        if (v == RJ_VERDICT_REFUTED) {
            /* re-verify: bind k afresh and decide the case again */
            rj_verdict_kind v2;
            char *ev2 = NULL, *bd2 = NULL;
            slong saved = ctx->cases;
            cl_val_set_fmpz(kv, kz);
            st = cl_decide_case_bound(&v2, &ev2, &bd2, body, f->name, kv, 1, env, ctx,
                                      err);
            ctx->cases = saved;
            if (bd == NULL) {
                bd = bd2;             /* the data of the re-verified decision */
                bd2 = NULL;
            }
            flint_free(bd2);
            if (st == RJ_OK && v2 != RJ_VERDICT_REFUTED)
                st = rj_error_set_loc(err, RJ_ERR_INTERNAL, f->loc,
                                      "the counterexample %s = %s did not re-verify; this is a "
                                      "bug in resjac", f->name, num);
            if (st == RJ_OK) {
                cl_cres_set_scalar_data(out, CL_FALSE,
                                        rj_str_cut(cl_printf("%s = %s: %s", f->name, num, ev),
                                                   2 * CL_EV_LEN), bd);
                bd = NULL;
                refuted = 1;
            }
            flint_free(ev2);
        } else if (v == RJ_VERDICT_UNDECIDED) {
            if (nund++ == 0) {
                first_und = cl_printf("%s = %s: %s", f->name, num, ev);
                st = cl_case_data_again(&bd, body, f->name, kv, env, ctx, err);
                first_und_d = bd;
                bd = NULL;
            }
        } else if (v == RJ_VERDICT_NOT_REFUTED) {
            if (nweak++ == 0) {
                first_weak = cl_printf("%s = %s: %s", f->name, num, ev);
                st = cl_case_data_again(&bd, body, f->name, kv, env, ctx, err);
                first_weak_d = bd;
                bd = NULL;
            }
        } else {
            flint_free(last_ev);
            last_ev = cl_printf("%s = %s: %s", f->name, num, ev);
            flint_free(last_d);
            last_d = bd;
            bd = NULL;
        }
        flint_free(bd);
        flint_free(ev);
        flint_free(num);
    }
    if (st == RJ_OK && !refuted) {
        if (nund > 0)
            cl_cres_set_scalar_data(out, CL_UNKNOWN,
                                    rj_str_cut(cl_printf("%ld of %ld cases undecided, e.g. %s",
                                                         (long) nund, (long) total, first_und),
                                               2 * CL_EV_LEN), rj_strdup(first_und_d));
        else if (nweak > 0)
            cl_cres_set_scalar_data(out, CL_WEAK,
                                    rj_str_cut(cl_printf("all %ld cases %s = %s..%s survived, "
                                                         "%ld only sampled or approximately, "
                                                         "e.g. %s", (long) total, f->name, sa,
                                                         sb, (long) nweak, first_weak),
                                               2 * CL_EV_LEN), rj_strdup(first_weak_d));
        else
            cl_cres_set_scalar_data(out, CL_TRUE,
                                    rj_str_cut(cl_printf("all %ld cases %s = %s..%s hold; the "
                                                         "last: %s", (long) total, f->name,
                                                         sa, sb, last_ev != NULL ? last_ev : ""),
                                               2 * CL_EV_LEN), rj_strdup(last_d));
    }
done:
    ctx->outer_cases = outer;
    flint_free(first_und);
    flint_free(first_weak);
    flint_free(last_ev);
    flint_free(sa);
    flint_free(sb);
    flint_free(first_und_d);
    flint_free(first_weak_d);
    flint_free(last_d);
    fmpz_clear(a);
    fmpz_clear(b);
    fmpz_clear(n);
    fmpz_clear(kz);
    rj_val_clear(kv);
    return st;
}

/* Print the witness, read it back, and decide the case again. */
static int
reverify(const rj_expr_struct *f, const fmpq_mat_t J, rj_env_struct *env, cl_ctx *ctx,
         rj_error_t err)
{
    rj_val_t w, back;
    char *s, *text;
    rj_prog_t p;
    rj_error_t e2;
    rj_verdict_kind v2;
    char *ev2 = NULL;
    int st;
    slong saved = ctx->cases;

    rj_val_init(w);
    rj_val_init(back);
    rj_val_set_fmpq_mat(w, J);
    s = rj_val_get_str(w);
    text = cl_printf("let witness = %s\n", s);
    rj_prog_init(p);
    rj_error_init(e2);
    st = rj_parse_string(p, text, "<witness>", e2);
    if (st == RJ_OK && (p->len != 1 || p->stmts[0].kind != RJ_STMT_LET))
        st = RJ_ERR_INTERNAL;
    if (st == RJ_OK)
        st = rj_eval(back, p->stmts[0].expr, env, e2);
    if (st != RJ_OK || !cl_val_equal(back, w)) {
        st = rj_error_set_loc(err, RJ_ERR_INTERNAL, f->loc,
                              "the printed counterexample does not read back as the same "
                              "matrix; this is a bug in resjac");
        goto done;
    }
    rj_env_push(env, f->name, back);
    st = cl_decide_case(&v2, &ev2, NULL, f->args[1], env, ctx, err);
    rj_env_unbind(env, f->name);
    if (st == RJ_OK && v2 != RJ_VERDICT_REFUTED)
        st = rj_error_set_loc(err, RJ_ERR_INTERNAL, f->loc,
                              "the counterexample read back from its printed form was not "
                              "refuted again (%s); this is a bug in resjac",
                              rj_verdict_name(v2));
done:
    ctx->cases = saved;
    flint_free(ev2);
    flint_free(s);
    flint_free(text);
    rj_prog_clear(p);
    rj_val_clear(w);
    rj_val_clear(back);
    return st;
}

int
cl_decide_forall_random(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                        cl_ctx *ctx, rj_error_t err)
{
    cl_rfamily s;
    flint_rand_t state;
    fmpq_mat_t J;
    rj_val_t jv;
    slong idx, total, nund = 0;
    double outer, work0 = env->limits.work != NULL ? *env->limits.work : 0;
    char label[120], *first_und = NULL, *bs;
    int st, refuted = 0;
    char *first_und_d = NULL;       /* its evidence data */

    fmpq_init(s.bound);
    st = cl_rfamily_parse(&s, f->args[0], env, ctx, err);
    if (st != RJ_OK) {
        fmpq_clear(s.bound);
        return st;
    }
    total = CL_RFAMILY_STRUCTURED + s.count;
    st = nested_limit(f, ctx, (double) total, ctx->opts.max_samples + CL_RFAMILY_STRUCTURED,
                      "RJ_CLAIMS_MAX_SAMPLES", err);
    if (st != RJ_OK) {
        fmpq_clear(s.bound);
        return st;
    }
    outer = ctx->outer_cases;
    ctx->outer_cases = (outer > 0 ? outer : 1) * (double) total;
    flint_randinit(state);
    flint_randseed(state, s.seed * UWORD(2654435761) + 12345, s.seed ^ UWORD(0x5DEECE66D));
    fmpq_mat_init(J, s.rows, s.cols);
    rj_val_init(jv);
    for (idx = 0; idx < total && st == RJ_OK && !refuted; idx++) {
        rj_verdict_kind v;
        char *bd = NULL;
        char *ev = NULL;
        if (idx > 0 && (st = work_projection(f, &env->limits, work0, idx, total, err)) != RJ_OK)
            break;
        cl_rfamily_candidate(J, label, sizeof(label), &s, idx, state);
        if (!cl_rfamily_within(J, &s)) {
            st = rj_error_set_loc(err, RJ_ERR_INTERNAL, f->loc,
                                  "candidate '%s' violates the family's norm bound; this is a "
                                  "bug in resjac", label);
            break;
        }
        rj_val_set_fmpq_mat(jv, J);
        /* a surviving sample is never quoted: data only for the one that is */
        st = cl_decide_case_bound(&v, &ev, &bd, f->args[1], f->name, jv, 0, env, ctx, err);
        ctx->cases++;
        if (st != RJ_OK) {
            char *js = rj_val_get_str_short(jv, CL_VAL_LEN);
            in_case(err, st, f->name, js);
            flint_free(js);
        } else if (v == RJ_VERDICT_REFUTED) {
            st = reverify(f, J, env, ctx, err);
            if (st == RJ_OK)
                st = cl_case_data_again(&bd, f->args[1], f->name, jv, env, ctx, err);
            if (st == RJ_OK) {
                char *js = rj_str_cut(rj_val_get_str(jv), 4 * CL_EV_LEN);
                cl_cres_set_scalar_data(out, CL_FALSE,
                                        rj_str_cut(cl_printf("%s = %s (%s): %s", f->name, js,
                                                             label, ev), 6 * CL_EV_LEN), bd);
                bd = NULL;
                flint_free(js);
                refuted = 1;
            }
        } else if (v == RJ_VERDICT_UNDECIDED) {
            if (nund++ == 0) {
                char *js = rj_val_get_str_short(jv, CL_VAL_LEN);
                st = cl_case_data_again(&bd, f->args[1], f->name, jv, env, ctx, err);
                first_und = cl_printf("%s = %s (%s): %s", f->name, js, label, ev);
                first_und_d = bd;
                bd = NULL;
                flint_free(js);
            }
        }
        flint_free(bd);
        flint_free(ev);
    }
    bs = rj_fmpq_get_str_short(s.bound, 60);
    if (st == RJ_OK && !refuted) {
        if (nund > 0)
            cl_cres_set_scalar_data(out, CL_UNKNOWN,
                                    rj_str_cut(cl_printf("%ld of %ld sampled cases undecided, "
                                                         "e.g. %s", (long) nund, (long) total,
                                                         first_und), 2 * CL_EV_LEN),
                                    rj_strdup(first_und_d));
        else
            cl_cres_set_scalar(out, CL_WEAK,
                               cl_printf("no counterexample among %ld cases: %d structured "
                                         "(zero, +-bound*I, rank-one and sign patterns) and "
                                         "%ld random (seed %lu), %ld x %ld with ||%s||_%s %s %s; "
                                         "sampling never proves", (long) total, CL_RFAMILY_STRUCTURED,
                                         (long) s.count, (unsigned long) s.seed,
                                         (long) s.rows, (long) s.cols, f->name,
                                         cl_rfamily_norm_name(s.norm), s.strict ? "<" : "<=", bs));
    }
    ctx->outer_cases = outer;
    flint_free(bs);
    flint_free(first_und);
    flint_free(first_und_d);
    fmpq_mat_clear(J);
    rj_val_clear(jv);
    flint_randclear(state);
    fmpq_clear(s.bound);
    return st;
}
