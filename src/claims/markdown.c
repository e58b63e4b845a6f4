/* resjac claims: Markdown lessons -- the resjac blocks of a Markdown file read
 * as one program, and the lesson written back with the verdicts beside the
 * claims (see include/resjac/claims.h).
 *
 * Fences are found line by line, as CommonMark does for the cases a lesson
 * meets: a fence is a run of at least three '`' or '~' after at most three
 * spaces; a backtick fence's info string holds no '`'; a block ends at a
 * line of the same character, at least as long as the opening run, after at
 * most three spaces, with nothing but blanks after it.  Lines inside a block
 * are never fences of their own, but a ```resjac line inside a block opened by
 * the same fence (a missing closing fence, most likely) is an error.  A resjac
 * block is parsed as the lines of the Markdown file (rj_parse_string_at), so
 * every location is the lesson's own line and column: the block must start
 * at column 1, where the language wants its statements.
 *
 * The HTML report shows the lesson's text as written (in <pre>, escaped: no
 * Markdown is rendered), the results of each block in a box after it. */
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

void
rj_lesson_init(rj_lesson_t lesson)
{
    lesson->file = NULL;
    lesson->text = NULL;
    lesson->len = lesson->alloc = 0;
    lesson->blocks = NULL;
}

void
rj_lesson_clear(rj_lesson_t lesson)
{
    flint_free(lesson->file);
    flint_free(lesson->text);
    flint_free(lesson->blocks);
    rj_lesson_init(lesson);
}

int
rj_claims_is_markdown(const char *path)
{
    size_t n = strlen(path);
    return (n > 3 && strcmp(path + n - 3, ".md") == 0)
        || (n > 9 && strcmp(path + n - 9, ".markdown") == 0);
}

/* A fence line: its indent, character, run length and where its info string
   starts (all 0 when the line is no fence). */
typedef struct {
    int indent;
    char ch;
    long run;
    const char *info;
} fence_t;

/* Read the line at p (ending at '\n' or the end, at eol) as a fence. */
static fence_t
fence_at(const char *p, const char *eol)
{
    fence_t f = { 0, 0, 0, NULL };
    const char *q = p, *r;
    while (q < eol && *q == ' ' && q - p < 4)
        q++;
    if (q - p > 3 || q == eol || (*q != '`' && *q != '~'))
        return f;
    for (r = q; r < eol && *r == *q; r++)
        ;
    if (r - q < 3)
        return f;
    if (*q == '`' && memchr(r, '`', eol - r) != NULL)
        return f;                       /* inline code, not a fence */
    f.indent = (int) (q - p);
    f.ch = *q;
    f.run = r - q;
    f.info = r;
    return f;
}

/* 1 if the fence's info string is "resjac" (its first word). */
static int
fence_is_resjac(const fence_t *f, const char *eol)
{
    const char *s = f->info;
    while (s < eol && (*s == ' ' || *s == '\t'))
        s++;
    return eol - s >= 6 && strncmp(s, "resjac", 6) == 0
        && (eol - s == 6 || s[6] == ' ' || s[6] == '\t' || s[6] == '\r' || s[6] == '{');
}

/* 1 if the line closes a block opened by open: the same character, a run at
   least as long, nothing after it but blanks. */
static int
fence_closes(const fence_t *f, const fence_t *open, const char *eol)
{
    const char *s;
    if (f->ch != open->ch || f->run < open->run)
        return 0;
    for (s = f->info; s < eol; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r')
            return 0;
    return 1;
}

/* RJ_ERR_INPUT at line:col of the lesson, the lesson left empty. */
static int
fence_error(rj_lesson_t lesson, rj_error_t err, int line, int col, const char *msg)
{
    rj_loc_t loc;
    loc.file = lesson->file;
    loc.line = line;
    loc.col = col;
    rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s", msg);
    rj_lesson_clear(lesson);
    return RJ_ERR_INPUT;
}

int
rj_lesson_set_str(rj_lesson_t lesson, const char *text, const char *file, rj_error_t err)
{
    const char *p, *eol;
    fence_t open = { 0, 0, 0, NULL };
    int line = 1, open_line = 0, open_resjac = 0, hidden_line = 0;
    rj_lesson_block *b = NULL;

    rj_lesson_clear(lesson);
    lesson->file = rj_strdup(file != NULL ? file : "<input>");
    lesson->text = rj_strdup(text);
    for (p = lesson->text; *p != '\0'; p = *eol == '\n' ? eol + 1 : eol, line++) {
        fence_t f;
        eol = strchr(p, '\n');
        if (eol == NULL)
            eol = p + strlen(p);
        f = fence_at(p, eol);
        if (open.ch == 0) {
            if (f.ch == 0)
                continue;
            open = f;
            open_line = line;
            open_resjac = fence_is_resjac(&f, eol);
            if (open_resjac && f.indent > 0)
                return fence_error(lesson, err, line, f.indent + 1, "a resjac block's fence "
                                   "must start at column 1, as its statements do (not "
                                   "indented, not inside a list item)");
            if (open_resjac) {
                if (lesson->len == lesson->alloc) {
                    lesson->alloc = FLINT_MAX(8, 2 * lesson->alloc);
                    lesson->blocks = flint_realloc(lesson->blocks,
                                                   lesson->alloc * sizeof(rj_lesson_block));
                }
                b = lesson->blocks + lesson->len++;
                b->open_line = line;
                b->start = (*eol == '\n' ? eol + 1 : eol) - lesson->text;
            }
        } else if (f.ch != 0 && fence_closes(&f, &open, eol)) {
            if (open_resjac) {
                b->close_line = line;
                b->end = p - lesson->text;
                b->after = (*eol == '\n' ? eol + 1 : eol) - lesson->text;
            }
            open.ch = 0;
            hidden_line = 0;
        } else if (!open_resjac && f.ch != 0 && f.indent == 0 && fence_is_resjac(&f, eol)) {
            if (f.ch == open.ch && f.run == open.run) {
                /* not an example shown inside a longer or other fence: the
                   block above lacks its closing fence, and the resjac
                   block's own would close it, its claims skipped */
                char msg[200];
                snprintf(msg, sizeof(msg), "this resjac fence is inside the code block "
                         "opened at line %d, which is not closed before it", open_line);
                return fence_error(lesson, err, line, 1, msg);
            }
            if (hidden_line == 0)
                hidden_line = line;
        }
    }
    if (open.ch != 0 && open_resjac)
        return fence_error(lesson, err, open_line, 1, "the resjac block opened here is "
                           "never closed (expected a closing fence line such as ```)");
    if (open.ch != 0 && hidden_line > 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "the code block opened here is never closed, so the "
                 "resjac block at line %d is read as its text and not checked", hidden_line);
        return fence_error(lesson, err, open_line, open.indent + 1, msg);
    }
    return RJ_OK;
}

int
rj_lesson_read(rj_lesson_t lesson, const char *path, rj_error_t err)
{
    char *text;
    int st = rj_parse_read_text(&text, path, err);
    rj_lesson_clear(lesson);
    if (st != RJ_OK)
        return st;
    st = rj_lesson_set_str(lesson, text, path, err);
    flint_free(text);
    return st;
}

int
rj_lesson_parse(rj_prog_t prog, const rj_lesson_t lesson, rj_error_t err)
{
    slong i;
    int st = RJ_OK;
    rj_prog_clear(prog);
    prog->file = rj_strdup(lesson->file != NULL ? lesson->file : "<input>");
    for (i = 0; i < lesson->len && st == RJ_OK; i++) {
        const rj_lesson_block *b = lesson->blocks + i;
        char *code = flint_malloc(b->end - b->start + 1);
        memcpy(code, lesson->text + b->start, b->end - b->start);
        code[b->end - b->start] = '\0';
        st = rj_parse_string_at(prog, code, lesson->file, b->open_line + 1, err);
        flint_free(code);
    }
    return st;
}

/* ------------------------------------------------------------ the report */

/* s as a Markdown code span on one line: line breaks become spaces, and the
   delimiter is one backtick more than the longest run inside. */
static void
put_code_span(cl_sbuf *sb, const char *s)
{
    long run = 0, longest = 0, k;
    const char *q;
    char *flat = rj_strdup(s), *c;
    for (c = flat; *c != '\0'; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    for (q = flat; *q != '\0'; q++) {
        run = *q == '`' ? run + 1 : 0;
        longest = FLINT_MAX(longest, run);
    }
    for (k = 0; k <= longest; k++)
        cl_sb_puts(sb, "`");
    cl_sb_puts(sb, " ");
    cl_sb_puts(sb, flat);
    cl_sb_puts(sb, " ");
    for (k = 0; k <= longest; k++)
        cl_sb_puts(sb, "`");
    flint_free(flat);
}

/* The first len bytes of s with &, <, > and " escaped for HTML. */
static void
put_html(cl_sbuf *sb, const char *s, long len)
{
    long i, from = 0;
    for (i = 0; i < len; i++) {
        const char *esc = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;"
                        : s[i] == '>' ? "&gt;" : s[i] == '"' ? "&quot;" : NULL;
        if (esc != NULL) {
            cl_sb_printf(sb, "%.*s%s", (int) (i - from), s + from, esc);
            from = i + 1;
        }
    }
    cl_sb_printf(sb, "%.*s", (int) (len - from), s + from);
}

/* Whether r passed, as the report says it, and its class in HTML. */
static const char *
result_status(const rj_claim_result_struct *r, const char **cls)
{
    if (r->is_definition || r->verdict == RJ_VERDICT_ERROR) {
        *cls = "failed";
        return "failed (bad input)";
    }
    if (r->exploratory) {
        *cls = "exploratory";
        return "exploratory";
    }
    *cls = r->passed ? "passed" : "failed";
    return r->passed ? "passed" : "FAILED";
}

static void
put_result(cl_sbuf *sb, const rj_claim_result_struct *r, const char *file, int html)
{
    const char *cls, *status = result_status(r, &cls);
    const char *ev = r->evidence != NULL ? r->evidence : "";
    if (html) {
        cl_sb_printf(sb, "<div class=\"rj %s\"><b>%s</b> <code>", cls,
                     rj_verdict_name(r->verdict));
        put_html(sb, r->name, (long) strlen(r->name));
        cl_sb_puts(sb, "</code>");
        if (r->ref[0] != '\0') {
            cl_sb_puts(sb, " [");
            put_html(sb, r->ref, (long) strlen(r->ref));
            cl_sb_puts(sb, "]");
        }
    } else {
        cl_sb_printf(sb, "> **%s** `%s`", rj_verdict_name(r->verdict), r->name);
        if (r->ref[0] != '\0')
            cl_sb_printf(sb, " [%s]", r->ref);
    }
    if (r->file != NULL && strcmp(r->file, file) != 0) {
        /* a claim of an included file: where it stands there */
        cl_sb_puts(sb, " (");
        if (html)
            put_html(sb, r->file, (long) strlen(r->file));
        else
            cl_sb_puts(sb, r->file);
        cl_sb_printf(sb, " line %d): %s", r->line, status);
    } else
        cl_sb_printf(sb, " (line %d): %s", r->line, status);
    if (!r->passed && !r->exploratory && !r->is_definition)
        cl_sb_printf(sb, ", expected %s", rj_verdict_name(r->expect));
    if (ev[0] != '\0') {
        cl_sb_puts(sb, " -- ");
        if (html) {
            cl_sb_puts(sb, "<code>");
            put_html(sb, ev, (long) strlen(ev));
            cl_sb_puts(sb, "</code>");
        } else
            put_code_span(sb, ev);
    }
    cl_sb_puts(sb, html ? "</div>\n" : "\n");
}

/* Bytes [from, to) of the lesson: as they are, or escaped in a <pre>. */
static void
put_text(cl_sbuf *sb, const rj_lesson_t lesson, long from, long to, int html)
{
    if (from >= to)
        return;
    if (html) {
        cl_sb_puts(sb, "<pre>");
        put_html(sb, lesson->text + from, to - from);
        cl_sb_puts(sb, "</pre>\n");
        return;
    }
    cl_sb_printf(sb, "%.*s", (int) (to - from), lesson->text + from);
    if (lesson->text[to - 1] != '\n')
        cl_sb_puts(sb, "\n");
}

static char *
lesson_report(const rj_lesson_t lesson, const rj_claim_results_t res, int html)
{
    cl_sbuf sb;
    slong i, j = 0;
    long done = 0;
    cl_sb_init(&sb);
    if (html) {
        cl_sb_puts(&sb, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>"
                        "resjac check: ");
        put_html(&sb, lesson->file, (long) strlen(lesson->file));
        cl_sb_puts(&sb, "</title>\n<style>pre { background: #f6f6f6; padding: 0.5em } "
                        "div.rj { margin: 0.3em 0; padding: 0.3em 0.6em; "
                        "border-left: 0.4em solid } div.passed { border-color: #2a2 } "
                        "div.failed { border-color: #d22 } div.exploratory { "
                        "border-color: #888 }</style>\n</head><body>\n");
    }
    for (i = 0; i < lesson->len; i++) {
        const rj_lesson_block *b = lesson->blocks + i;
        slong first = j;
        /* the results in this block: they come in file order (a claim of an
           included file at the line of its include) */
        while (j < res->len && (res->items[j].top_line > 0 ? res->items[j].top_line
                                                           : res->items[j].line) < b->close_line)
            j++;
        if (j == first)
            continue;
        put_text(&sb, lesson, done, b->after, html);
        done = b->after;
        cl_sb_puts(&sb, html ? "" : "\n");
        for (; first < j; first++) {
            put_result(&sb, res->items + first, lesson->file, html);
            if (!html && first + 1 < j)
                cl_sb_puts(&sb, ">\n");
        }
        cl_sb_puts(&sb, html ? "" : "\n");
    }
    put_text(&sb, lesson, done, (long) strlen(lesson->text), html);
    if (html)
        cl_sb_printf(&sb, "<div class=\"rj %s\"><b>resjac check:</b> ",
                     res->failed > 0 ? "failed" : "passed");
    else
        cl_sb_puts(&sb, "\n> **resjac check:** ");
    cl_sb_printf(&sb, "%ld passed, %ld failed", (long) res->passed, (long) res->failed);
    if (res->exploratory > 0)
        cl_sb_printf(&sb, ", %ld exploratory", (long) res->exploratory);
    cl_sb_puts(&sb, html ? "</div>\n</body></html>\n" : "\n");
    return cl_sb_take(&sb);
}

char *
rj_lesson_report(const rj_lesson_t lesson, const rj_claim_results_t res)
{
    return lesson_report(lesson, res, 0);
}

char *
rj_lesson_report_html(const rj_lesson_t lesson, const rj_claim_results_t res)
{
    return lesson_report(lesson, res, 1);
}
