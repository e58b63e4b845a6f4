/* resjac check: decide the claims of resjac files (the claims module).
 *
 *   resjac check [FILE...] [--json] [--quiet] [--exact] [--report OUT.md] [-e FORMULA]
 *
 * A FILE ending in .md or .markdown is a Markdown lesson: its ```resjac
 * blocks are the program (rj_lesson_t), and every location is the lesson's
 * own line and column; --report writes the lesson back (Markdown, or HTML
 * for a .html name) with the verdicts beside the claims.  -e decides one
 * formula after the FILEs' definitions.
 * Without FILE it checks the bundled proofs: every .rj file (and every
 * Markdown lesson whose name starts with a digit, 01-block.md) in the
 * directory $RESJAC_PROOFS_DIR, else the installed $(pkgdatadir)/proofs when
 * this binary is the installed one, else the proofs/ of the build tree that
 * holds it (see proofs_dir).
 *
 * Output: one line per claim
 *     VERDICT      name  [reference]  evidence
 * followed by "  expected X" when the verdict is not the expected one, and the
 * summary line "N passed, N failed" alone on the last line, with ", K exploratory"
 * when claims without `expect` were decided (a file that cannot
 * be read or parsed counts as one failure; its located message goes to
 * stderr).  A definition (`let`) whose evaluation fails gets its own line at
 * its place, "ERROR  NAME  [let]  the definition failed: FILE:LINE:COL: ...",
 * and counts as one failure, whether or not a claim uses it.  With several files each file's claims follow a "# FILE" line.
 * --quiet prints only the claims that failed and the summary; --json prints
 * the same as one JSON object.
 * Exit status: 0 every claim passed (exploratory claims, whatever their
 * verdict, never fail); 1 some claim failed; 2 bad input: usage, a file that
 * cannot be read or parsed, a definition that failed, a claim whose verdict is
 * ERROR, or a report that cannot be written. */
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"

/* Install paths only (Makefile.am): no source or build directory is compiled
   into the binary. */
#ifndef RJ_PROOFS_INSTDIR
#define RJ_PROOFS_INSTDIR "proofs"
#endif
#ifndef RJ_BINDIR
#define RJ_BINDIR ""
#endif

static const char *usage =
    "usage: resjac check [FILE...] [--json] [--quiet] [--exact] [--report OUT.md]\n"
    "                    [-e FORMULA]\n"
    "\n"
    "Decide every claim in the resjac files (proofs/LANGUAGE.md) and compare each\n"
    "verdict with the one its author expects.  Without FILE: the bundled proofs\n"
    "(every *.rj, and every *.md whose name starts with a digit, in\n"
    "$RESJAC_PROOFS_DIR, else the installed or source proofs/).\n"
    "A FILE ending in .md or .markdown is a Markdown lesson: its ```resjac blocks,\n"
    "in order, are one program (names carry across blocks; other code blocks are\n"
    "text), and messages give the lesson's own line and column.\n"
    "A claim without `expect` is exploratory: its verdict is printed and counted\n"
    "apart (\"N passed, 0 failed, K exploratory\"), never as passed or failed.\n"
    "\n"
    "  --json           print the results as one JSON object; each claim's \"data\"\n"
    "                   gives its counterexample or quoted case as values\n"
    "                   (bindings, lhs, rhs; exact numbers as strings, matrices as\n"
    "                   rows, enclosures as [lo, hi]): proofs/json-schema.md\n"
    "  --quiet          print only the claims that failed (and exploratory ones),\n"
    "                   and the summary\n"
    "  --exact          after each claim, its values in full: the quantifier\n"
    "                   bindings and both sides of the comparison its evidence\n"
    "                   quotes (the text shows a number of many digits as\n"
    "                   ~0.0249081884965753 (exact: --exact))\n"
    "  --report OUT.md  with one Markdown FILE: write the lesson to OUT.md with each\n"
    "                   claim's verdict and evidence in a quote after its block\n"
    "                   (written whole through a temporary file, or not at all);\n"
    "                   OUT.html: the same as a web page (the lesson's text as\n"
    "                   written, not rendered, with coloured verdict boxes)\n"
    "  -e FORMULA       decide FORMULA (what follows a claim's ':'), exploratory,\n"
    "                   after the definitions of the FILEs (their claims are not\n"
    "                   decided), e.g.\n"
    "                   resjac check model.rj -e 'rows(jacobian(net, x)) == 2'\n"
    "\n"
    "random_net(\"SPEC\", SEED) in a claim is the random network resjac grad\n"
    "builds from SPEC and SEED, its float weights taken exactly: W1 ~\n"
    "N(0, 2/fan_in), the last branch layer scaled by 1/sqrt(depth) (W2 ~\n"
    "N(0, 2 scale^2/(hidden depth))); see the help of resjac grad.\n"
    "\n"
    "Verdicts: PROVED (exact or rigorous for every case), REFUTED (with a\n"
    "re-verified counterexample), NOT_REFUTED (sampled or approximate, never a\n"
    "proof), UNDECIDED (the method cannot decide; says why), ERROR (bad claim,\n"
    "or a definition that failed: one line each, counted as failed).\n"
    "Exit status: 0 all passed (exploratory claims never fail), 1 some claim\n"
    "failed, 2 bad input (an ERROR verdict, also under -e) or a report not written.\n";

static int
is_dir(const char *p)
{
    struct stat sb;
    return p != NULL && p[0] != '\0' && stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* 1 if a directory entry's name is a proof file's: *.rj, not hidden, or a
   Markdown lesson whose name starts with a digit (the other Markdown files of
   proofs/ are its documentation). */
static int
is_proof_name(const char *name)
{
    size_t len = strlen(name);
    if (name[0] == '.')
        return 0;
    return (len > 3 && strcmp(name + len - 3, ".rj") == 0)
        || (name[0] >= '0' && name[0] <= '9' && rj_claims_is_markdown(name));
}

/* 1 if dir holds a proof file. */
static int
has_proofs(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int found = 0;
    if (d == NULL)
        return 0;
    while (!found && (de = readdir(d)) != NULL)
        found = is_proof_name(de->d_name);
    closedir(d);
    return found;
}

/* The bundled proofs' directory, into buf (PATH_MAX bytes):
   1. $RESJAC_PROOFS_DIR;
   2. the installed proofs, when this binary is the one installed in RJ_BINDIR,
      also when it was installed under a staging root (`make install
      DESTDIR=ROOT`: the binary lives in ROOT/RJ_BINDIR, the proofs in
      ROOT/RJ_PROOFS_INSTDIR);
   3. in a build tree, the proofs/ beside the binary (or beside libtool's
      .libs/ that holds it): the source tree's proofs when the build is in the
      source tree (a build elsewhere sets RESJAC_PROOFS_DIR or names the files);
   4. else RJ_PROOFS_INSTDIR, which the caller's message then names. */
static const char *
proofs_dir(char *buf)
{
    char exe[PATH_MAX], bindir[PATH_MAX], *slash;
    const char *e = getenv("RESJAC_PROOFS_DIR");
    size_t n, nb = strlen(RJ_BINDIR);
    ssize_t len;
    if (e != NULL && e[0] != '\0')
        return e;
    len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0)
        return RJ_PROOFS_INSTDIR;
    exe[len] = '\0';
    slash = strrchr(exe, '/');
    if (slash == NULL)
        return RJ_PROOFS_INSTDIR;
    *slash = '\0';                    /* exe is now the binary's directory */
    n = strlen(exe);
    if (nb > 0 && realpath(RJ_BINDIR, bindir) != NULL && strcmp(exe, bindir) == 0
        && is_dir(RJ_PROOFS_INSTDIR))
        return RJ_PROOFS_INSTDIR;
    if (nb > 0 && n > nb && strcmp(exe + n - nb, RJ_BINDIR) == 0) {
        snprintf(buf, PATH_MAX, "%.*s%s", (int) (n - nb), exe, RJ_PROOFS_INSTDIR);
        if (is_dir(buf))
            return buf;
    }
    if (n >= 6 && strcmp(exe + n - 6, "/.libs") == 0)
        exe[n - 6] = '\0';
    snprintf(buf, PATH_MAX, "%s/proofs", exe);
    if (has_proofs(buf))
        return buf;
    return RJ_PROOFS_INSTDIR;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every *.rj in dir, sorted; returns the count (-1 if dir cannot be read). */
static long
list_proofs(char ***out, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **v = NULL;
    long n = 0, alloc = 0;
    if (d == NULL)
        return -1;
    while ((de = readdir(d)) != NULL) {
        if (is_proof_name(de->d_name)) {
            size_t m = strlen(dir) + strlen(de->d_name) + 2;
            if (n == alloc) {
                alloc = alloc ? 2 * alloc : 16;
                v = realloc(v, alloc * sizeof(char *));
            }
            v[n] = malloc(m);
            snprintf(v[n], m, "%s/%s", dir, de->d_name);
            n++;
        }
    }
    closedir(d);
    if (n > 0)
        qsort(v, n, sizeof(char *), cmp_str);
    *out = v;
    return n;
}

/* A VALUE of the evidence data (proofs/json-schema.md) in the language's
   notation, every number exact. */
static void
print_data_value(const json_t *v)
{
    size_t i;
    json_t *x;
    if (json_is_string(v))
        fputs(json_string_value(v), stdout);
    else if (json_is_boolean(v))
        fputs(json_is_true(v) ? "true" : "false", stdout);
    else if (json_is_array(v)) {
        /* a column vector as the literal that makes it: [a, b] */
        int column = json_array_size(v) > 0;
        json_array_foreach(v, i, x)
            if (!json_is_array(x) || json_array_size(x) != 1
                || !json_is_string(json_array_get(x, 0)))
                column = 0;
        putchar('[');
        json_array_foreach(v, i, x) {
            if (i > 0)
                fputs(", ", stdout);
            print_data_value(column ? json_array_get(x, 0) : x);
        }
        putchar(']');
    } else if (json_is_object(v) && json_object_get(v, "polynomial") != NULL) {
        fputs("polynomial with coefficients ", stdout);
        print_data_value(json_object_get(v, "polynomial"));
    } else if (json_is_object(v) && json_object_get(v, "text") != NULL)
        print_data_value(json_object_get(v, "text"));
    else if (json_is_object(v) && json_object_get(v, "omitted") != NULL)
        printf("(a %lld x %lld matrix, not printed)",
               (long long) json_integer_value(json_object_get(v, "rows")),
               (long long) json_integer_value(json_object_get(v, "cols")));
    else
        fputs("null", stdout);
}

/* Before an item of a "  WHAT: a; b; c" line: the label first, then "; ". */
static void
item_sep(int *n, const char *what)
{
    if ((*n)++ == 0)
        printf("  %s: ", what);
    else
        fputs("; ", stdout);
}

/* The exact values of one CASE: its bindings and its two sides on one
   "  exact: ..." line, then the cases under `not` and the parts. */
static void
print_data_case(const json_t *cs, const char *what)
{
    const char *key;
    json_t *v, *p;
    size_t i;
    int n = 0;
    json_object_foreach(json_object_get(cs, "bindings"), key, v) {
        item_sep(&n, what);
        printf("%s = ", key);
        print_data_value(v);
    }
    if (json_object_get(cs, "op") != NULL) {
        item_sep(&n, what);
        fputs("lhs = ", stdout);
        print_data_value(json_object_get(cs, "lhs"));
        fputs("; rhs = ", stdout);
        print_data_value(json_object_get(cs, "rhs"));
        if (json_object_get(cs, "tolerance") != NULL) {
            fputs("; tolerance ", stdout);
            print_data_value(json_object_get(cs, "tolerance"));
        }
    } else if (json_object_get(cs, "value") != NULL) {
        item_sep(&n, what);
        print_data_value(json_object_get(cs, "value"));
    }
    if (n > 0)
        putchar('\n');
    if (json_object_get(cs, "not") != NULL)
        print_data_case(json_object_get(cs, "not"), "exact, under not");
    json_array_foreach(json_object_get(cs, "parts"), i, p)
        print_data_case(p, "exact, a part");
}

static json_t *result_data_json(const rj_claim_result_struct *r);

static void
print_result(const rj_claim_result_struct *r, int name_w, int quiet, int exact)
{
    if (quiet && r->passed)
        return;
    printf("%-11s  %-*s  [%s]  %s\n", rj_verdict_name(r->verdict), name_w, r->name, r->ref,
           r->evidence != NULL ? r->evidence : "");
    if (!r->passed && !r->is_definition && !r->exploratory)
        printf("  expected %s\n", rj_verdict_name(r->expect));
    if (exact && r->data != NULL) {
        json_t *d = result_data_json(r);
        json_t *cs = json_object_get(d, "counterexample");
        print_data_case(cs != NULL ? cs : json_object_get(d, "case"), "exact");
        json_decref(d);
    }
}

/* The claim's evidence as data (the library's JSON text, proofs/json-schema.md),
   or null. */
static json_t *
result_data_json(const rj_claim_result_struct *r)
{
    json_error_t jerr;
    json_t *d;
    if (r->data == NULL)
        return json_null();
    d = json_loads(r->data, JSON_DECODE_ANY, &jerr);
    if (d == NULL) {
        /* the library wrote it: a failure here is a bug, shown, not hidden */
        d = json_object();
        json_object_set_new(d, "error", json_string(jerr.text));
    }
    return d;
}

static json_t *
result_json(const rj_claim_result_struct *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(r->is_definition ? "definition" : "claim"));
    json_object_set_new(o, "file", json_string(r->file));
    json_object_set_new(o, "line", json_integer(r->line));
    json_object_set_new(o, "col", json_integer(r->col));
    json_object_set_new(o, "name", json_string(r->name));
    json_object_set_new(o, "ref", json_string(r->ref));
    json_object_set_new(o, "note", r->note != NULL ? json_string(r->note) : json_null());
    json_object_set_new(o, "expected", r->is_definition || r->exploratory
                                           ? json_null()
                                           : json_string(rj_verdict_name(r->expect)));
    json_object_set_new(o, "exploratory", json_boolean(r->exploratory));
    json_object_set_new(o, "verdict", json_string(rj_verdict_name(r->verdict)));
    json_object_set_new(o, "evidence", json_string(r->evidence != NULL ? r->evidence : ""));
    json_object_set_new(o, "data", result_data_json(r));
    json_object_set_new(o, "cases", json_integer(r->cases));
    json_object_set_new(o, "passed", json_boolean(r->passed));
    return o;
}

/* The report: the target and the temporary file beside it that is renamed to
   it when the report is complete (tmp[0] == '\0': none). */
typedef struct {
    const char *path;
    char tmp[PATH_MAX + 16];
} report_t;

/* 1 if path names an HTML file (.html, .htm). */
static int
is_html(const char *path)
{
    size_t n = strlen(path);
    return (n > 5 && strcmp(path + n - 5, ".html") == 0)
        || (n > 4 && strcmp(path + n - 4, ".htm") == 0);
}

/* Validate the report's path before any work: a Markdown name, not the
   lesson itself, not a directory, and a temporary file can be created beside
   it (kept, to be filled by report_write).  RJ_EXIT_OK or a message. */
static int
report_open(report_t *rep, const char *lesson)
{
    struct stat sl, sr;
    int fd;
    rep->tmp[0] = '\0';
    if (!rj_claims_is_markdown(rep->path) && !is_html(rep->path))
        return cli_usage_error("check", "--report: the report is Markdown or HTML: its name "
                               "must end in .md, .markdown, .html or .htm, got '%s'",
                               rep->path);
    if (strlen(rep->path) >= PATH_MAX)
        return cli_usage_error("check", "--report: the file name is too long");
    if (stat(rep->path, &sr) == 0) {
        if (S_ISDIR(sr.st_mode))
            return cli_usage_error("check", "--report: cannot write %s: it is a directory",
                                   rep->path);
        if (stat(lesson, &sl) == 0 && sl.st_dev == sr.st_dev && sl.st_ino == sr.st_ino)
            return cli_usage_error("check", "--report: %s is the lesson itself; write the "
                                   "report to another file", rep->path);
    }
    snprintf(rep->tmp, sizeof(rep->tmp), "%s.tmpXXXXXX", rep->path);
    fd = mkstemp(rep->tmp);
    if (fd < 0) {
        int e = errno;
        rep->tmp[0] = '\0';
        return cli_usage_error("check", "--report: cannot write %s: %s", rep->path,
                               strerror(e));
    }
    {
        mode_t m = umask(0);     /* mkstemp gives 0600: the report gets 0666 & ~umask */
        umask(m);
        if (fchmod(fd, 0666 & ~m) != 0) {
            /* keep 0600: the report is still written */
        }
    }
    close(fd);
    return RJ_EXIT_OK;
}

/* Remove the temporary file, if any (no report). */
static void
report_abandon(report_t *rep)
{
    if (rep->tmp[0] != '\0')
        unlink(rep->tmp);
    rep->tmp[0] = '\0';
}

/* Write text to the temporary file and rename it to the report. */
static int
report_write(report_t *rep, const char *text)
{
    FILE *f = fopen(rep->tmp, "w");
    int ok = f != NULL && fputs(text, f) >= 0;
    int e;
    ok = (f != NULL && fclose(f) == 0) && ok;
    ok = ok && rename(rep->tmp, rep->path) == 0;
    e = errno;
    if (!ok) {
        report_abandon(rep);
        fprintf(stderr, "resjac check: --report: cannot write %s: %s\n", rep->path,
                strerror(e));
        return RJ_EXIT_USAGE;
    }
    rep->tmp[0] = '\0';
    return RJ_EXIT_OK;
}

/* Print a file's results (or put them in the JSON arrays); returns 1 when one
   of them is an ERROR (bad input). */
static int
show_results(const rj_claim_results_t res, const char *file, int header, int quiet,
             int exact, json_t *jfiles, json_t *jclaims)
{
    slong j;
    int name_w = 1, any_error = 0;
    for (j = 0; j < res->len; j++) {
        int w = (int) strlen(res->items[j].name);
        if (w > name_w)
            name_w = w;
        if (res->items[j].verdict == RJ_VERDICT_ERROR)
            any_error = 1;
    }
    if (jfiles != NULL) {
        json_t *f = json_object();
        json_object_set_new(f, "file", json_string(file));
        json_object_set_new(f, "error", json_null());
        json_object_set_new(f, "passed", json_integer(res->passed));
        json_object_set_new(f, "failed", json_integer(res->failed));
        json_object_set_new(f, "exploratory", json_integer(res->exploratory));
        json_array_append_new(jfiles, f);
        for (j = 0; j < res->len; j++)
            json_array_append_new(jclaims, result_json(res->items + j));
    } else {
        if (header && (!quiet || res->failed > 0 || res->exploratory > 0))
            printf("# %s\n", file);
        for (j = 0; j < res->len; j++)
            print_result(res->items + j, name_w, quiet, exact);
    }
    return any_error;
}

/* A file that cannot be read or parsed: its message on stderr (and in JSON). */
static void
show_file_error(const rj_error_t err, const char *file, json_t *jfiles)
{
    char buf[1024];
    rj_error_format(buf, sizeof(buf), err);
    if (err->file[0] == '\0') {
        char tmp[1024];
        snprintf(tmp, sizeof(tmp), "%.400s: %.600s", file, buf);
        snprintf(buf, sizeof(buf), "%s", tmp);
    }
    fprintf(stderr, "resjac: %s\n", buf);
    if (jfiles != NULL) {
        json_t *f = json_object();
        json_object_set_new(f, "file", json_string(file));
        json_object_set_new(f, "error", json_string(buf));
        json_array_append_new(jfiles, f);
    }
}

/* Check one file: a lesson (kept in lesson when a report is wanted) or a
   resjac file.  Returns the status of reading and parsing it. */
static int
check_one(rj_claim_results_t res, const char *file, rj_lesson_t lesson, int keep_lesson,
          rj_error_t err)
{
    int st;
    if (!keep_lesson)
        return rj_claims_check_file(res, file, NULL, err);
    st = rj_lesson_read(lesson, file, err);
    if (st == RJ_OK)
        st = rj_claims_check_lesson(res, lesson, NULL, err);
    return st;
}

/* 1 when a result of res failed on an undefined name (for the hint that
   files are checked one by one). */
static int
has_undefined_name(const rj_claim_results_t res)
{
    slong k;
    for (k = 0; k < res->len; k++)
        if (res->items[k].evidence != NULL
            && strstr(res->items[k].evidence, "undefined name '") != NULL)
            return 1;
    return 0;
}

int
rj_cmd_check(int argc, char **argv)
{
    int json = 0, quiet = 0, any_error = 0, rc;
    int exact = 0, undefined_hint = 0;
    long i, nfiles = 0, failed = 0, passed = 0, exploratory = 0;
    char **files = NULL, **listed = NULL;
    const char *formula_text = NULL;
    rj_expr_ptr formula = NULL;
    long nlisted = 0;
    json_t *jfiles = NULL, *jclaims = NULL;
    report_t rep;
    rj_lesson_t lesson;

    rep.path = NULL;
    rep.tmp[0] = '\0';
    files = malloc((argc + 1) * sizeof(char *));
    for (i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(usage, stdout);
            free(files);
            return RJ_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--quiet") == 0)
            quiet = 1;
        else if (strcmp(argv[i], "--exact") == 0)
            exact = 1;
        else if (strcmp(argv[i], "-e") == 0 || strcmp(argv[i], "--report") == 0) {
            const char **slot = argv[i][1] == 'e' ? &formula_text : &rep.path;
            if (i + 1 >= argc) {
                free(files);
                return cli_usage_error("check", "option %s needs a value", argv[i]);
            }
            if (*slot != NULL) {
                free(files);
                return cli_usage_error("check", "option %s is given more than once",
                                       argv[i]);
            }
            *slot = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            free(files);
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
        } else
            files[nfiles++] = argv[i];
    }
    /* every option validated before any work */
    if (rep.path != NULL) {
        if (formula_text != NULL) {
            free(files);
            return cli_usage_error("check", "--report and -e exclude each other");
        }
        if (nfiles != 1 || !rj_claims_is_markdown(files[0])) {
            free(files);
            return cli_usage_error("check", "--report needs exactly one Markdown FILE "
                                   "(.md or .markdown), the lesson to write back");
        }
        if ((rc = report_open(&rep, files[0])) != RJ_EXIT_OK) {
            free(files);
            return rc;
        }
    }
    if (formula_text != NULL) {
        rj_error_t err;
        rj_error_init(err);
        if (rj_parse_formula(&formula, formula_text, "-e", err) != RJ_OK) {
            free(files);
            return cli_fail(err);
        }
    }
    if (nfiles == 0 && formula == NULL) {
        char dirbuf[PATH_MAX];
        const char *dir = proofs_dir(dirbuf);
        nlisted = list_proofs(&listed, dir);
        if (nlisted <= 0) {
            fprintf(stderr, "resjac check: no proof files (*.rj) in %s%s (set "
                    "RESJAC_PROOFS_DIR or name the files)\n", dir,
                    nlisted < 0 ? " (cannot read the directory)" : "");
            free(files);
            free(listed);
            return RJ_EXIT_USAGE;
        }
        free(files);
        files = listed;
        nfiles = nlisted;
    }
    if (json) {
        jfiles = json_array();
        jclaims = json_array();
    }
    rj_lesson_init(lesson);
    for (i = 0; i < nfiles || (formula != NULL && i == 0); i++) {
        rj_claim_results_t res;
        rj_error_t err;
        int st;
        rj_claim_results_init(res);
        rj_error_init(err);
        if (formula != NULL)
            st = rj_claims_check_formula(res, formula, "-e", (const char *const *) files,
                                         nfiles, NULL, err);
        else
            st = check_one(res, files[i], lesson, rep.path != NULL, err);
        if (st != RJ_OK) {
            show_file_error(err, formula != NULL ? "-e" : files[i], jfiles);
            any_error = 1;
            failed++;
        } else {
            any_error |= show_results(res, formula != NULL ? "-e" : files[i],
                                      nfiles > 1 && formula == NULL, quiet, exact, jfiles,
                                      jclaims);
            if (nfiles > 1 && formula == NULL && !undefined_hint && has_undefined_name(res)) {
                /* files given together are still checked one by one */
                fprintf(stderr, "resjac check: %s uses a name it does not define; each file "
                        "is checked on its own: to use the definitions of another file, write "
                        "include \"that-file.rj\" in it\n", files[i]);
                undefined_hint = 1;
            }
            passed += res->passed;
            failed += res->failed;
            exploratory += res->exploratory;
            if (rep.path != NULL) {
                char *text = is_html(rep.path) ? rj_lesson_report_html(lesson, res)
                                               : rj_lesson_report(lesson, res);
                if (report_write(&rep, text) != RJ_EXIT_OK)
                    any_error = 1;
                flint_free(text);
            }
        }
        rj_claim_results_clear(res);
        if (formula != NULL)
            break;
    }
    report_abandon(&rep);     /* no report when the lesson could not be read */
    rj_lesson_clear(lesson);
    rj_expr_free(formula);
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "files", jfiles);
        json_object_set_new(o, "claims", jclaims);
        json_object_set_new(o, "passed", json_integer(passed));
        json_object_set_new(o, "failed", json_integer(failed));
        json_object_set_new(o, "exploratory", json_integer(exploratory));
        rc = cli_json_print(o);
        json_decref(o);
        if (rc != RJ_EXIT_OK)
            any_error = 1;
    } else if (exploratory > 0)
        printf("%ld passed, %ld failed, %ld exploratory\n", passed, failed, exploratory);
    else
        printf("%ld passed, %ld failed\n", passed, failed);
    fflush(stdout);
    if (listed != NULL) {
        for (i = 0; i < nlisted; i++)
            free(listed[i]);
        free(listed);
    } else
        free(files);
    if (any_error)
        return RJ_EXIT_USAGE;
    return failed > 0 ? RJ_EXIT_FAIL : RJ_EXIT_OK;
}
