/* resjac claims: checking a file -- definitions in order, every claim decided
 * (see include/resjac/claims.h). */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ results */

void
rj_claim_results_init(rj_claim_results_t res)
{
    res->len = res->alloc = 0;
    res->items = NULL;
    res->passed = res->failed = res->exploratory = 0;
}

void
rj_claim_results_clear(rj_claim_results_t res)
{
    slong i;
    for (i = 0; i < res->len; i++) {
        rj_claim_result_struct *r = res->items + i;
        flint_free(r->file);
        flint_free(r->name);
        flint_free(r->ref);
        flint_free(r->note);
        flint_free(r->evidence);
        flint_free(r->data);
    }
    flint_free(res->items);
    rj_claim_results_init(res);
}

static rj_claim_result_struct *
results_add(rj_claim_results_t res)
{
    rj_claim_result_struct *r;
    if (res->len == res->alloc) {
        res->alloc = FLINT_MAX(16, 2 * res->alloc);
        res->items = flint_realloc(res->items, res->alloc * sizeof(rj_claim_result_struct));
    }
    r = res->items + res->len++;
    memset(r, 0, sizeof(rj_claim_result_struct));
    return r;
}

/* ------------------------------------------------------------ failed definitions */

typedef struct {
    char *name;
    int status;
    char *msg;        /* "file:line:col: message" of the root failure */
} broken_t;

typedef struct {
    slong len, alloc;
    broken_t *items;
} broken_list;

static broken_t *
broken_find(broken_list *bl, const char *name)
{
    slong i;
    for (i = 0; i < bl->len; i++)
        if (strcmp(bl->items[i].name, name) == 0)
            return bl->items + i;
    return NULL;
}

static void
broken_remove(broken_list *bl, const char *name)
{
    broken_t *b = broken_find(bl, name);
    if (b != NULL) {
        flint_free(b->name);
        flint_free(b->msg);
        *b = bl->items[--bl->len];
    }
}

static void
broken_add(broken_list *bl, const char *name, int status, const char *msg)
{
    broken_t *b;
    /* msg may belong to an entry of bl (a definition that uses a broken one,
       possibly its own earlier binding): copy it before removing or growing */
    char *m = rj_strdup(msg);
    broken_remove(bl, name);
    if (bl->len == bl->alloc) {
        bl->alloc = FLINT_MAX(8, 2 * bl->alloc);
        bl->items = flint_realloc(bl->items, bl->alloc * sizeof(broken_t));
    }
    b = bl->items + bl->len++;
    b->name = rj_strdup(name);
    b->status = status;
    b->msg = m;
}

static void
broken_clear(broken_list *bl)
{
    slong i;
    for (i = 0; i < bl->len; i++) {
        flint_free(bl->items[i].name);
        flint_free(bl->items[i].msg);
    }
    flint_free(bl->items);
}

/* The first name used by e (not bound inside it) whose definition failed. */
typedef struct {
    const char **names;
    slong len, alloc;
} scope_t;

static int
in_scope(const scope_t *s, const char *name)
{
    slong i;
    for (i = 0; i < s->len; i++)
        if (strcmp(s->names[i], name) == 0)
            return 1;
    return 0;
}

static broken_t *
uses_broken(const rj_expr_struct *e, broken_list *bl, scope_t *s)
{
    slong i, body = -1;
    broken_t *b = NULL;
    if (e == NULL || bl->len == 0)
        return NULL;
    if ((e->kind == RJ_EXPR_IDENT || e->kind == RJ_EXPR_CALL) && e->name != NULL
        && !in_scope(s, e->name) && (b = broken_find(bl, e->name)) != NULL)
        return b;
    if (e->kind == RJ_EXPR_FORALL || e->kind == RJ_EXPR_FORALL_RANDOM
        || e->kind == RJ_EXPR_SUM || e->kind == RJ_EXPR_PROD)
        body = e->nargs - 1;          /* the bound variable is visible in the body */
    for (i = 0; i < e->nargs && b == NULL; i++) {
        if (i == body) {
            if (s->len == s->alloc) {
                s->alloc = FLINT_MAX(8, 2 * s->alloc);
                s->names = flint_realloc(s->names, s->alloc * sizeof(char *));
            }
            s->names[s->len++] = e->name;
            b = uses_broken(e->args[i], bl, s);
            s->len--;
        } else
            b = uses_broken(e->args[i], bl, s);
    }
    return b;
}

static broken_t *
expr_uses_broken(const rj_expr_struct *e, broken_list *bl)
{
    scope_t s = { NULL, 0, 0 };
    broken_t *b = uses_broken(e, bl, &s);
    flint_free(s.names);
    return b;
}

/* ------------------------------------------------------------ definitions */

static int
eval_let(rj_env_t env, const rj_prog_t prog, slong i, rj_error_t err)
{
    rj_prog_struct view = *prog;  /* the one definition, evaluated by the language */
    view.len = view.alloc = 1;
    view.stmts = prog->stmts + i;
    return cl_locate(err, rj_eval_defs(env, &view, err), prog->stmts[i].loc);
}

/* ------------------------------------------------------------ the checker */

/* The checker's state across programs: the environment and the failed
   definitions. */
typedef struct {
    rj_env_t env;
    broken_list bl;
} checker_t;

static void
checker_init(checker_t *c, const rj_claims_opts *opts)
{
    rj_claims_env_init(c->env, opts);
    c->bl.len = c->bl.alloc = 0;
    c->bl.items = NULL;
}

static void
checker_clear(checker_t *c)
{
    broken_clear(&c->bl);
    rj_claims_env_clear(c->env);
}

/* Decide formula (or take the failure of the definition it uses) into r and
   count it in res. */
static void
checker_decide(checker_t *c, rj_claim_results_t res, rj_claim_result_struct *r,
               const rj_expr_struct *formula)
{
    rj_error_t e;
    broken_t *b = expr_uses_broken(formula, &c->bl);
    rj_error_init(e);
    if (b != NULL) {
        r->verdict = b->status == RJ_ERR_DOMAIN ? RJ_VERDICT_UNDECIDED : RJ_VERDICT_ERROR;
        r->evidence = cl_printf("uses '%s', whose definition %s: %s", b->name,
                                b->status == RJ_ERR_DOMAIN
                                    ? "asks what the method cannot compute"
                                    : "failed", b->msg);
    } else
        rj_claims_decide_data(&r->verdict, &r->evidence, &r->data, &r->cases, formula, c->env,
                              e);
    if (r->exploratory && r->verdict != RJ_VERDICT_ERROR) {
        r->passed = 0;
        res->exploratory++;
        return;
    }
    r->passed = !r->exploratory && r->verdict == r->expect;
    if (r->passed)
        res->passed++;
    else
        res->failed++;
}

/* Evaluate prog's definitions in order and, when claims is 1, decide its
   claims, appending the results to res. */
static void
checker_run(checker_t *c, rj_claim_results_t res, const rj_prog_t prog, const char *dir,
            int claims)
{
    slong i;
    char buf[RJ_ERROR_MSG_LEN + 400];

    c->env->dir = dir;
    for (i = 0; i < prog->len; i++) {
        const rj_stmt_struct *s = prog->stmts + i;
        rj_error_t e;
        broken_t *b;
        rj_error_init(e);
        rj_memory_set_where(s->loc);     /* for a report of the memory limit */
        if (s->kind == RJ_STMT_LET) {
            b = expr_uses_broken(s->expr, &c->bl);
            if (b != NULL) {
                broken_add(&c->bl, s->name, b->status, b->msg);
                rj_env_unbind(c->env, s->name);
            } else if (eval_let(c->env, prog, i, e) != RJ_OK) {
                rj_error_format(buf, sizeof(buf), e);
                broken_add(&c->bl, s->name, e->status, buf);
                rj_env_unbind(c->env, s->name);   /* no stale earlier value */
                if (e->status != RJ_ERR_DOMAIN) {
                    /* bad input whether or not a claim uses it */
                    rj_claim_result_struct *r = results_add(res);
                    r->is_definition = 1;
                    r->file = rj_strdup(s->loc.file != NULL ? s->loc.file : "");
                    r->line = s->loc.line;
                    r->col = s->loc.col;
                    r->top_line = rj_prog_top_loc(prog, s->loc).line;
                    r->name = rj_strdup(s->name);
                    r->ref = rj_strdup("let");
                    r->expect = RJ_VERDICT_ERROR;
                    r->verdict = RJ_VERDICT_ERROR;
                    r->evidence = cl_printf("the definition failed: %s", buf);
                    r->passed = 0;
                    res->failed++;
                }
            } else
                broken_remove(&c->bl, s->name);
        } else if (claims) {
            rj_claim_result_struct *r = results_add(res);
            r->file = rj_strdup(s->loc.file != NULL ? s->loc.file : "");
            r->line = s->loc.line;
            r->col = s->loc.col;
            r->top_line = rj_prog_top_loc(prog, s->loc).line;
            r->name = rj_strdup(s->name);
            r->ref = rj_strdup(s->ref != NULL ? s->ref : "");
            r->note = rj_strdup(s->note);
            r->expect = s->expect;
            r->exploratory = s->exploratory;
            c->env->dir = s->dir != NULL ? s->dir : dir;   /* an included file's loads */
            checker_decide(c, res, r, s->expr);
            c->env->dir = dir;
        }
    }
    rj_memory_set_where((rj_loc_t) { NULL, 0, 0 });
    c->env->dir = NULL;
}

int
rj_claims_check_prog(rj_claim_results_t res, const rj_prog_t prog, const char *dir,
                     const rj_claims_opts *opts, rj_error_t err)
{
    checker_t c;
    (void) err;
    checker_init(&c, opts);
    checker_run(&c, res, prog, dir, 1);
    checker_clear(&c);
    return RJ_OK;
}

/* Parse the file at path: a Markdown lesson's resjac blocks, or a resjac file. */
static int
parse_any(rj_prog_t prog, const char *path, rj_error_t err)
{
    rj_lesson_t lesson;
    int st;
    if (!rj_claims_is_markdown(path))
        return rj_parse_file(prog, path, err);
    rj_lesson_init(lesson);
    st = rj_lesson_read(lesson, path, err);
    if (st == RJ_OK)
        st = rj_lesson_parse(prog, lesson, err);
    rj_lesson_clear(lesson);
    return st;
}

/* Check prog, parsed from the file at path. */
static int
check_parsed(rj_claim_results_t res, const rj_prog_t prog, const char *path,
             const rj_claims_opts *opts, rj_error_t err)
{
    char *dir = rj_path_dir(path);
    int st = rj_claims_check_prog(res, prog, dir, opts, err);
    flint_free(dir);
    return st;
}

int
rj_claims_check_file(rj_claim_results_t res, const char *path, const rj_claims_opts *opts,
                     rj_error_t err)
{
    rj_prog_t prog;
    int st;
    rj_prog_init(prog);
    st = parse_any(prog, path, err);
    if (st == RJ_OK)
        st = check_parsed(res, prog, path, opts, err);
    rj_prog_clear(prog);
    return st;
}

int
rj_claims_check_lesson(rj_claim_results_t res, const rj_lesson_t lesson,
                       const rj_claims_opts *opts, rj_error_t err)
{
    rj_prog_t prog;
    int st;
    rj_prog_init(prog);
    st = rj_lesson_parse(prog, lesson, err);
    if (st == RJ_OK)
        st = check_parsed(res, prog, lesson->file, opts, err);
    rj_prog_clear(prog);
    return st;
}

int
rj_claims_check_formula(rj_claim_results_t res, const rj_expr_struct *formula,
                        const char *name, const char *const *paths, slong npaths,
                        const rj_claims_opts *opts, rj_error_t err)
{
    rj_prog_struct *progs = flint_malloc(FLINT_MAX(npaths, 1) * sizeof(rj_prog_struct));
    checker_t c;
    slong i;
    int st = RJ_OK;

    /* every file parsed before any work */
    for (i = 0; i < npaths; i++)
        rj_prog_init(progs + i);
    for (i = 0; i < npaths && st == RJ_OK; i++)
        st = parse_any(progs + i, paths[i], err);
    if (st == RJ_OK) {
        rj_claim_result_struct *r;
        checker_init(&c, opts);
        for (i = 0; i < npaths; i++) {
            char *dir = rj_path_dir(paths[i]);
            checker_run(&c, res, progs + i, dir, 0);
            flint_free(dir);
        }
        r = results_add(res);
        r->file = rj_strdup("");
        r->line = formula->loc.line;
        r->col = formula->loc.col;
        r->name = rj_strdup(name);
        r->ref = rj_strdup("");
        r->exploratory = 1;
        checker_decide(&c, res, r, formula);
        checker_clear(&c);
    }
    for (i = 0; i < npaths; i++)
        rj_prog_clear(progs + i);
    flint_free(progs);
    return st;
}
