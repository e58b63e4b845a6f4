/* Check suite for Markdown lessons, exploratory claims and formulas given
 * alone (src/claims/markdown.c, src/claims/check.c, rj_parse_string_at,
 * rj_parse_formula; issue 14).
 *
 * The lesson reader is held against a second way of reading the same program:
 * the test writes random lessons (prose, code blocks of other languages,
 * indented code, resjac blocks with ``` or ~~~ fences) and, beside each, the
 * same text with every line outside the resjac blocks blanked, parsed as a
 * plain resjac file.  Both must give the same statements at the same lines
 * and columns, and the same located error when a block holds one.  The
 * report must be the lesson plus quotes, and exploratory claims must get the
 * verdicts the same formulas get with `expect`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static ulong seed;

/* ---------------------------------------------------------------- helpers */

/* A line of the lesson: into md, and into code when it belongs to a resjac
   block (else code gets an empty line). */
static void
line_add(FILE *md, FILE *code, const char *line, int in_code)
{
    fprintf(md, "%s\n", line);
    fprintf(code, "%s\n", in_code ? line : "");
}

/* The same tree shape and locations. */
static void
expr_same(const rj_expr_struct *a, const rj_expr_struct *b, const char *what)
{
    slong i;
    ck_assert_msg(a != NULL && b != NULL, "%s: a missing expression", what);
    ck_assert_msg(a->kind == b->kind && a->nargs == b->nargs, "%s: trees differ", what);
    ck_assert_msg(a->loc.line == b->loc.line && a->loc.col == b->loc.col,
                  "%s: expression at %d:%d, expected %d:%d (seed %lu)", what, a->loc.line,
                  a->loc.col, b->loc.line, b->loc.col, seed);
    for (i = 0; i < a->nargs; i++)
        if (a->args[i] != NULL || b->args[i] != NULL)
            expr_same(a->args[i], b->args[i], what);
}

static const char *statements[] = {
    "let W = [[1, -1/2], [1/2, 1]]",
    "let x = [2, 1]\nlet y = [1,\n     -3]",
    "let B = block(W1 = W, act = relu,\n    W2 = W)",
    "claim c{N} \"§2\" expect PROVED:\n    jacobian(B, x) == identity(2) + W * diag(1, 1) * W",
    "claim e{N}:\n    forall k in 1..3: sum(j in 0..k: paths(k, j)) == paths(k)",
    "claim f{N} \"Q\" note \"exploratory, with a note\":\n    norminf(W) <= 3/2",
    "# a comment line\nlet z = (1 +\n  2) * 3   # continued inside brackets",
};
#define NSTATEMENTS ((int) (sizeof(statements) / sizeof(statements[0])))

/* Append statement k (its {N} replaced by n) as lines of a resjac block. */
static void
statement_add(FILE *md, FILE *code, int k, int n)
{
    char buf[400], *line, *save = NULL;
    const char *s = statements[k];
    const char *mark = strstr(s, "{N}");
    if (mark != NULL)
        snprintf(buf, sizeof(buf), "%.*s%d%s", (int) (mark - s), s, n, mark + 3);
    else
        snprintf(buf, sizeof(buf), "%s", s);
    for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        line_add(md, code, line, 1);
    }
}

/* A random lesson into md and its blanked form into code; with err_block >=
   0, a bad line is put at the start of that resjac block.  Returns the number
   of resjac blocks. */
static int
random_lesson(FILE *md, FILE *code, flint_rand_t st, int err_block)
{
    int nblocks = 0, seg, nseg = 3 + (int) n_randint(st, 8), named = 0;
    for (seg = 0; seg < nseg || nblocks <= err_block; seg++) {
        int kind = (int) n_randint(st, 6), i;
        switch (kind) {
        case 0:
            line_add(md, code, "Some prose with `inline code` and ```three``` ticks.", 0);
            line_add(md, code, "", 0);
            break;
        case 1:
            line_add(md, code, "```python", 0);
            line_add(md, code, "let broken = = in python's block", 0);
            line_add(md, code, "~~~", 0);
            line_add(md, code, "```", 0);
            break;
        case 2:
            line_add(md, code, "    ```resjac", 0);
            line_add(md, code, "    indented code: text, not a block", 0);
            line_add(md, code, "", 0);
            break;
        default: {
            const char *open = kind == 3 ? "~~~resjac"
                             : kind == 4 ? "````resjac extra" : "```resjac";
            const char *close = kind == 3 ? "~~~~" : kind == 4 ? "````" : "```";
            line_add(md, code, open, 0);
            if (nblocks == err_block)
                line_add(md, code, "let bad = [1, 2] + * 3", 1);
            for (i = 0; i < 1 + (int) n_randint(st, 3); i++) {
                if (kind == 4 && i == 0)
                    line_add(md, code, "# ```: too short to close ````", 1);
                statement_add(md, code, (int) n_randint(st, NSTATEMENTS), named++);
                if (n_randint(st, 2))
                    line_add(md, code, "", 1);
            }
            line_add(md, code, close, 0);
            nblocks++;
            break;
        }
        }
    }
    return nblocks;
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_lesson_locations_as_blanked_file)
{
    flint_rand_t st;
    slong iter, iters = rj_test_iters(60);
    rj_test_randinit(st, seed);
    for (iter = 0; iter < iters; iter++) {
        char *md = NULL, *code = NULL;
        size_t md_len, code_len;
        FILE *fmd = open_memstream(&md, &md_len), *fcode = open_memstream(&code, &code_len);
        rj_lesson_t lesson;
        rj_prog_t a, b;
        rj_error_t ea, eb;
        int err_block = n_randint(st, 3) == 0 ? (int) n_randint(st, 3) : -1;
        int sa, sb, nblocks;
        slong i;
        nblocks = random_lesson(fmd, fcode, st, err_block);
        fclose(fmd);
        fclose(fcode);
        rj_lesson_init(lesson);
        rj_prog_init(a);
        rj_prog_init(b);
        rj_error_init(ea);
        rj_error_init(eb);
        ck_assert_int_eq(rj_lesson_set_str(lesson, md, "lesson.md", ea), RJ_OK);
        ck_assert_int_eq(lesson->len, nblocks);
        sa = rj_lesson_parse(a, lesson, ea);
        sb = rj_parse_string(b, code, "lesson.md", eb);
        ck_assert_msg(sa == sb, "seed %lu iter %ld: status %d, blanked file %d (%s / %s)",
                      seed, (long) iter, sa, sb, ea->msg, eb->msg);
        if (err_block >= 0) {
            ck_assert_int_ne(sa, RJ_OK);
            ck_assert_int_eq(ea->line, eb->line);
            ck_assert_int_eq(ea->col, eb->col);
            ck_assert_str_eq(ea->msg, eb->msg);
            /* the bad line is the first of its block: the line after its fence */
            ck_assert_int_eq(ea->line, lesson->blocks[err_block].open_line + 1);
            ck_assert_str_eq(ea->file, "lesson.md");
        } else {
            ck_assert_msg(sa == RJ_OK, "seed %lu: %s", seed, ea->msg);
            ck_assert_int_eq(a->len, b->len);
            for (i = 0; i < a->len; i++) {
                const rj_stmt_struct *x = a->stmts + i, *y = b->stmts + i;
                ck_assert_str_eq(x->name, y->name);
                ck_assert_int_eq(x->kind, y->kind);
                ck_assert_int_eq(x->exploratory, y->exploratory);
                ck_assert_int_eq(x->loc.line, y->loc.line);
                ck_assert_int_eq(x->loc.col, y->loc.col);
                ck_assert_str_eq(x->loc.file, "lesson.md");
                expr_same(x->expr, y->expr, x->name);
            }
        }
        rj_prog_clear(a);
        rj_prog_clear(b);
        rj_lesson_clear(lesson);
        free(md);
        free(code);
    }
    flint_randclear(st);
}
END_TEST

/* The status and location of reading text as a lesson. */
static int
fence_case(const char *text, int line, int col, const char *msg, slong nblocks)
{
    rj_lesson_t lesson;
    rj_error_t err;
    int st;
    rj_lesson_init(lesson);
    rj_error_init(err);
    st = rj_lesson_set_str(lesson, text, "f.md", err);
    if (line > 0) {
        ck_assert_msg(st == RJ_ERR_INPUT, "no error for:\n%s", text);
        ck_assert_int_eq(err->line, line);
        ck_assert_int_eq(err->col, col);
        ck_assert_msg(strstr(err->msg, msg) != NULL, "message '%s' lacks '%s'", err->msg, msg);
        ck_assert_int_eq(lesson->len, 0);
    } else {
        ck_assert_msg(st == RJ_OK, "%s:\n%s", err->msg, text);
        ck_assert_int_eq(lesson->len, nblocks);
    }
    rj_lesson_clear(lesson);
    return st;
}

START_TEST(test_lesson_fences)
{
    fence_case("text\n```resjac\nlet a = 1\n", 2, 1, "never closed", 0);
    fence_case("text\n```resjac\nlet a = 1\n``", 2, 1, "never closed", 0);
    fence_case("````resjac\nlet a = 1\n```\n", 1, 1, "never closed", 0);
    fence_case("~~~resjac\nlet a = 1\n```\n", 1, 1, "never closed", 0);
    fence_case("a\n\n  ```resjac\nlet a = 1\n```\n", 3, 3, "column 1", 0);
    fence_case("```python\nx = 1\n```resjac\nlet a = 1\n```\n", 3, 1, "line 1", 0);
    fence_case("~~~python\nx = 1\n```resjac\nlet a = 1\n", 1, 1, "line 3", 0);
    /* an example shown inside a longer fence is text */
    fence_case("````markdown\n```resjac\nlet a = 1\n```\n````\n", 0, 0, NULL, 0);
    fence_case("  ~~~\nx = 1\n```resjac\n", 1, 3, "line 3", 0);
    /* left open with no resjac block hidden: Markdown's own rule, no error */
    fence_case("```resjac\nlet a = 1\n```\n```python\nx\n", 0, 0, NULL, 1);
    /* not fences: inline code, indented code, a closing line with text after */
    fence_case("```resjac``` inline\n    ```resjac\n", 0, 0, NULL, 0);
    fence_case("```resjac\nlet a = 1\n``` not a close\n```\n", 0, 0, NULL, 1);
    fence_case("```resjacx\nlet\n```\n```resjac\n```\n~~~ resjac {.x}\n~~~\n", 0, 0, NULL, 2);
    fence_case("```resjac\r\nlet a = 1\r\n```\r\n", 0, 0, NULL, 1);
    fence_case("", 0, 0, NULL, 0);
}
END_TEST

/* A block is a unit: a bracket left open at its end is an error at its
   closing fence, and an indented first line continues nothing. */
START_TEST(test_lesson_block_ends_statements)
{
    static const struct { const char *text; int line, col; const char *msg; } cases[] = {
        { "```resjac\nlet a = (1 +\n```\n```resjac\n  2)\n```\n", 3, 1,
          "found the end of the block" },
        { "```resjac\nlet a = 1 +\n```\n```resjac\n    2\n```\n", 2, 12,
          "found end of line" },
        { "```resjac\nlet a = 1\n```\n\n```resjac\n    + 2\n```\n", 6, 5, "column 1" },
    };
    slong i;
    for (i = 0; i < 3; i++) {
        rj_lesson_t lesson;
        rj_prog_t prog;
        rj_error_t err;
        rj_lesson_init(lesson);
        rj_prog_init(prog);
        rj_error_init(err);
        ck_assert_int_eq(rj_lesson_set_str(lesson, cases[i].text, "b.md", err), RJ_OK);
        ck_assert_int_ne(rj_lesson_parse(prog, lesson, err), RJ_OK);
        ck_assert_msg(err->line == cases[i].line && err->col == cases[i].col,
                      "case %ld: %d:%d %s", (long) i, err->line, err->col, err->msg);
        ck_assert_msg(strstr(err->msg, cases[i].msg) != NULL, "%s", err->msg);
        ck_assert_int_eq(prog->len, 0);
        rj_prog_clear(prog);
        rj_lesson_clear(lesson);
    }
}
END_TEST

/* Remove quote lines and blank lines. */
static char *
strip_quotes(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s != '\0') {
        const char *eol = strchr(s, '\n');
        size_t n = eol != NULL ? (size_t) (eol - s) : strlen(s);
        if (n > 0 && s[0] != '>') {
            memcpy(o, s, n);
            o += n;
            *o++ = '\n';
        }
        s += n + (eol != NULL);
    }
    *o = '\0';
    return out;
}

/* The text of every <pre>...</pre> of an HTML report, entities undone. */
static char *
html_pre_text(const char *s)
{
    static const char *ent[][2] = {
        { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }
    };
    char *out = malloc(strlen(s) + 1), *o = out;
    const char *p = s, *end;
    while ((p = strstr(p, "<pre>")) != NULL) {
        p += 5;
        end = strstr(p, "</pre>");
        ck_assert(end != NULL);
        while (p < end) {
            int k, hit = 0;
            for (k = 0; k < 4 && !hit; k++) {
                size_t n = strlen(ent[k][0]);
                if (strncmp(p, ent[k][0], n) == 0) {
                    *o++ = ent[k][1][0];
                    p += n;
                    hit = 1;
                }
            }
            if (!hit)
                *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static slong
count_str(const char *s, const char *w)
{
    slong n = 0;
    while ((s = strstr(s, w)) != NULL) {
        n++;
        s += strlen(w);
    }
    return n;
}

START_TEST(test_lesson_report)
{
    const char *text =
        "# Lesson\n\nText with <b> & \"quotes\".\n\n```resjac\nlet W = [[1, 2], [3, 4]]\n```\n"
        "Between blocks, no blank line.\n"
        "```resjac\nclaim det \"§1\" expect PROVED:\n    det(W) == -2\n"
        "claim wrong \"§1\" expect PROVED:\n    det(W) == 2\n"
        "claim look:\n    trace(W) == 5\n```\n> a quote of the author\n"
        "```resjac\nlet bad = W * [1, 2, 3]\n```";
    rj_lesson_t lesson;
    rj_claim_results_t res;
    rj_error_t err;
    char *rep, *a, *b, line[200];
    slong i;
    rj_lesson_init(lesson);
    rj_claim_results_init(res);
    rj_error_init(err);
    ck_assert_int_eq(rj_lesson_set_str(lesson, text, "r.md", err), RJ_OK);
    ck_assert_int_eq(rj_claims_check_lesson(res, lesson, NULL, err), RJ_OK);
    ck_assert_int_eq(res->len, 4);
    ck_assert_int_eq(res->passed, 1);
    ck_assert_int_eq(res->failed, 2);     /* wrong, and the failed definition */
    ck_assert_int_eq(res->exploratory, 1);
    rep = rj_lesson_report(lesson, res);
    /* the lesson, with quotes added and nothing else */
    a = strip_quotes(rep);
    b = strip_quotes(text);
    ck_assert_str_eq(a, b);
    /* each result once, with its verdict */
    for (i = 0; i < res->len; i++) {
        snprintf(line, sizeof(line), "> **%s** `%s`", rj_verdict_name(res->items[i].verdict),
                 res->items[i].name);
        ck_assert_msg(count_str(rep, line) == 1, "'%s' not once in:\n%s", line, rep);
    }
    ck_assert_msg(strstr(rep, "FAILED, expected PROVED") != NULL, "%s", rep);
    ck_assert_msg(strstr(rep, "exploratory") != NULL, "%s", rep);
    ck_assert_msg(strstr(rep, "1 passed, 2 failed, 1 exploratory") != NULL, "%s", rep);
    /* the quotes follow the closing fence of the block with the claim */
    ck_assert_msg(strstr(rep, "    trace(W) == 5\n```\n\n> **PROVED** `det`") != NULL, "%s",
                  rep);
    free(a);
    free(b);
    flint_free(rep);
    /* HTML: the <pre> sections, unescaped, are the lesson; each result once */
    rep = rj_lesson_report_html(lesson, res);
    a = html_pre_text(rep);
    ck_assert_str_eq(a, text);
    for (i = 0; i < res->len; i++) {
        snprintf(line, sizeof(line), "<b>%s</b> <code>%s</code>",
                 rj_verdict_name(res->items[i].verdict), res->items[i].name);
        ck_assert_msg(count_str(rep, line) == 1, "'%s' not once in:\n%s", line, rep);
    }
    ck_assert_int_eq(count_str(rep, "<div class=\"rj failed\">"), 3);   /* 2 + summary */
    ck_assert_int_eq(count_str(rep, "<div class=\"rj exploratory\">"), 1);
    ck_assert_msg(strstr(rep, "&lt;b&gt; &amp; &quot;quotes&quot;") != NULL, "%s", rep);
    free(a);
    flint_free(rep);
    rj_claim_results_clear(res);
    rj_lesson_clear(lesson);
}
END_TEST

/* Exploratory claims get the verdicts the same formulas get with `expect`,
   and count apart. */
START_TEST(test_exploratory_counted_apart)
{
    static const char *formulas[] = {
        "det([[1, 2], [3, 4]]) == -2", "1 + 1 == 3",
        "forall J in random(rows = 2, cols = 2, norm = inf, bound = 1, seed = 3, count = 20): "
        "norminf(J) <= 1",
        "undefined_name == 1",
    };
    slong i;
    for (i = 0; i < 4; i++) {
        char text[600];
        rj_prog_t prog;
        rj_claim_results_t res;
        rj_error_t err;
        const rj_claim_result_struct *x, *y;
        snprintf(text, sizeof(text), "claim explored:\n    %s\nclaim expected \"r\" expect "
                 "PROVED:\n    %s\n", formulas[i], formulas[i]);
        rj_prog_init(prog);
        rj_claim_results_init(res);
        rj_error_init(err);
        ck_assert_int_eq(rj_parse_string(prog, text, "t.rj", err), RJ_OK);
        ck_assert(prog->stmts[0].exploratory && !prog->stmts[1].exploratory);
        ck_assert_int_eq(rj_claims_check_prog(res, prog, NULL, NULL, err), RJ_OK);
        x = res->items;
        y = res->items + 1;
        ck_assert_int_eq(x->verdict, y->verdict);
        ck_assert(x->exploratory && !x->passed);
        ck_assert_int_eq(res->passed, y->verdict == RJ_VERDICT_PROVED);
        if (x->verdict == RJ_VERDICT_ERROR) {
            /* bad input is never exploration */
            ck_assert_int_eq(res->exploratory, 0);
            ck_assert_int_eq(res->failed, 2);
        } else {
            ck_assert_int_eq(res->exploratory, 1);
            ck_assert_int_eq(res->failed, y->verdict != RJ_VERDICT_PROVED);
        }
        rj_claim_results_clear(res);
        rj_prog_clear(prog);
    }
}
END_TEST

/* The claim head: reference and `expect` optional together, `expect` never
   without the reference. */
START_TEST(test_claim_head_forms)
{
    static const struct { const char *text; int ok, line, col; } cases[] = {
        { "claim a:\n    1 == 1\n", 1, 0, 0 },
        { "claim a \"r\":\n    1 == 1\n", 1, 0, 0 },
        { "claim a \"r\" note \"n\":\n    1 == 1\n", 1, 0, 0 },
        { "claim a \"r\" expect PROVED note \"n\":\n    1 == 1\n", 1, 0, 0 },
        { "claim a expect PROVED:\n    1 == 1\n", 0, 1, 9 },
        { "claim a \"r\" PROVED:\n    1 == 1\n", 0, 1, 13 },
        { "claim a note \"n\":\n    1 == 1\n", 1, 0, 0 },
        { "claim a 3:\n    1 == 1\n", 0, 1, 9 },
    };
    slong i;
    for (i = 0; i < (slong) (sizeof(cases) / sizeof(cases[0])); i++) {
        rj_prog_t prog;
        rj_error_t err;
        int st;
        rj_prog_init(prog);
        rj_error_init(err);
        st = rj_parse_string(prog, cases[i].text, "h.rj", err);
        ck_assert_msg((st == RJ_OK) == cases[i].ok, "case %ld: %s", (long) i, err->msg);
        if (!cases[i].ok) {
            ck_assert_int_eq(err->line, cases[i].line);
            ck_assert_int_eq(err->col, cases[i].col);
        } else
            ck_assert_int_eq(prog->stmts[0].exploratory, strstr(cases[i].text, "expect") == NULL);
        rj_prog_clear(prog);
    }
}
END_TEST

/* A formula decided after a file's definitions gets the verdict it gets as a
   claim of that file. */
START_TEST(test_formula_after_files)
{
    const char *defs = "let W = [[1, -1/2], [1/2, 1]]\nlet x = [2, -1]\n"
                       "let B = block(W1 = W, act = relu, W2 = W)\n";
    static const char *formulas[] = {
        "jacobian(B, x) == identity(2) + jacobian(block(W1 = W, act = relu, W2 = W, "
        "skip = none), x)",
        "rows(jacobian(B, x)) == 3",
        "norminf(jacobian(B, x)) <= 2",
    };
    char dir[] = "/tmp/rj_mdXXXXXX", path[64], lpath[64];
    slong i;
    FILE *f;
    ck_assert(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/m.rj", dir);
    snprintf(lpath, sizeof(lpath), "%s/m.md", dir);
    for (i = 0; i < 3; i++) {
        rj_claim_results_t a, b, c;
        rj_error_t err;
        rj_expr_ptr e;
        const char *paths[1];
        f = fopen(path, "w");
        fprintf(f, "%sclaim c \"r\" expect PROVED:\n    %s\n", defs, formulas[i]);
        fclose(f);
        f = fopen(lpath, "w");
        fprintf(f, "Model:\n\n```resjac\n%s```\n", defs);
        fclose(f);
        rj_claim_results_init(a);
        rj_claim_results_init(b);
        rj_claim_results_init(c);
        rj_error_init(err);
        ck_assert_int_eq(rj_claims_check_file(a, path, NULL, err), RJ_OK);
        ck_assert_int_eq(rj_parse_formula(&e, formulas[i], "-e", err), RJ_OK);
        paths[0] = path;
        ck_assert_int_eq(rj_claims_check_formula(b, e, "-e", paths, 1, NULL, err), RJ_OK);
        paths[0] = lpath;
        ck_assert_int_eq(rj_claims_check_formula(c, e, "-e", paths, 1, NULL, err), RJ_OK);
        ck_assert_int_eq(b->len, 1);          /* the file's claim is not decided */
        ck_assert_int_eq(c->len, 1);
        ck_assert_int_eq(b->items[0].verdict, a->items[0].verdict);
        ck_assert_int_eq(c->items[0].verdict, a->items[0].verdict);
        ck_assert(b->items[0].exploratory);
        ck_assert_int_eq(b->passed + b->failed, 0);
        ck_assert_int_eq(b->exploratory, 1);
        ck_assert_str_eq(b->items[0].name, "-e");
        rj_expr_free(e);
        rj_claim_results_clear(a);
        rj_claim_results_clear(b);
        rj_claim_results_clear(c);
    }
    /* a definition that fails: its own ERROR, and the formula that uses it */
    {
        rj_claim_results_t b;
        rj_error_t err;
        rj_expr_ptr e;
        const char *paths[1];
        f = fopen(path, "w");
        fprintf(f, "let W = [[1, 2]] * [1, 2, 3]\n");
        fclose(f);
        rj_claim_results_init(b);
        rj_error_init(err);
        ck_assert_int_eq(rj_parse_formula(&e, "W == W", "-e", err), RJ_OK);
        paths[0] = path;
        ck_assert_int_eq(rj_claims_check_formula(b, e, "-e", paths, 1, NULL, err), RJ_OK);
        ck_assert_int_eq(b->len, 2);
        ck_assert(b->items[0].is_definition);
        ck_assert_int_eq(b->items[1].verdict, RJ_VERDICT_ERROR);
        ck_assert_int_eq(b->failed, 2);
        rj_expr_free(e);
        rj_claim_results_clear(b);
    }
    unlink(path);
    unlink(lpath);
    rmdir(dir);
}
END_TEST

START_TEST(test_parse_formula_located)
{
    static const struct { const char *text; int col; const char *msg; } cases[] = {
        { "", 1, "expected a formula" },
        { "1 == 1 2", 8, "end of the formula" },
        { "1 == (2", 8, "')'" },
        { "rows(x) == . 2", 12, "'.'" },
    };
    slong i;
    for (i = 0; i < 4; i++) {
        rj_expr_ptr e;
        rj_error_t err;
        rj_error_init(err);
        ck_assert_int_ne(rj_parse_formula(&e, cases[i].text, "-e", err), RJ_OK);
        ck_assert(e == NULL);
        ck_assert_str_eq(err->file, "-e");
        ck_assert_int_eq(err->line, 1);
        ck_assert_msg(err->col == cases[i].col, "'%s': column %d, expected %d", cases[i].text,
                      err->col, cases[i].col);
        ck_assert_msg(strstr(err->msg, cases[i].msg) != NULL, "%s", err->msg);
    }
}
END_TEST

static Suite *
markdown_suite(void)
{
    Suite *s = suite_create("markdown");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_lesson_locations_as_blanked_file);
    tcase_add_test(tc, test_lesson_fences);
    tcase_add_test(tc, test_lesson_block_ends_statements);
    tcase_add_test(tc, test_lesson_report);
    tcase_add_test(tc, test_exploratory_counted_apart);
    tcase_add_test(tc, test_claim_head_forms);
    tcase_add_test(tc, test_formula_after_files);
    tcase_add_test(tc, test_parse_formula_located);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    seed = rj_test_seed(14);
    return rj_test_run(markdown_suite());
}
