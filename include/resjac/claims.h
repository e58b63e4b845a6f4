/* resjac: the claims module -- deciding the claims of a resjac file.
 *
 * A claim is `claim NAME "REF" expect VERDICT: FORMULA` (proofs/LANGUAGE.md),
 * or, exploratory, `claim NAME ["REF"]: FORMULA` (reported, counted apart).
 * The checker evaluates the file's definitions in order (a claim sees the lets
 * before it) and decides every claim with a verdict (rj_verdict_kind):
 *
 *   PROVED       decided by exact arithmetic, or by a rigorous enclosure lying
 *                wholly on one side, for every case of the claim's domain and,
 *                at ReLU ties, for every derivative in the Clarke interval
 *                [0, 1]: the one-sided choices 0 and 1 are checked, and they
 *                cover the interval only for claims multilinear (or convex in
 *                the right direction) in the tie derivatives, proofs/ties.md;
 *   REFUTED      false, with a concrete counterexample that the checker
 *                re-verifies (a quantifier's witness is printed, read back from
 *                its printed form and decided again) and prints;
 *   NOT REFUTED  a sampled universal claim (forall over random(...)) that
 *                survived every case, or an approximate claim (~= within) that
 *                holds; never counted as proved;
 *   UNDECIDED    the method cannot decide: an enclosure that straddles the
 *                bound, a function that needs exact values given an enclosure,
 *                too many ReLU ties, or a claim about "the Jacobian" at a ReLU
 *                tie that holds for some choices only (the evidence names the
 *                convention it needs, e.g. "fails at ReLU'(0) = 1/2") or that
 *                holds at the one-sided choices but is not multilinear in them;
 *   ERROR        a bad claim (unknown name, shape mismatch, a limit exceeded,
 *                a failed definition), with file:line:col.
 *
 * A claim passes when its verdict equals the verdict its author expects.
 *
 * The claim functions (jacobian, skip_part, branch_part, forward, expand,
 * graded, subsets_sum, paths, binomial, digits, norms, charpoly, ...) are added
 * to the language as a table of functions registered in the environment
 * (rj_claims_env_init, rj_env_add_functions);
 * proofs/LANGUAGE.md lists them.  Networks with tanh or sigmoid are computed by
 * the precise layer: their values are enclosure matrices (an RJ_VAL_EXT value). */
#ifndef RESJAC_CLAIMS_H
#define RESJAC_CLAIMS_H

#include <flint/flint.h>

#include "resjac/error.h"
#include "resjac/lang.h"
#include "resjac/precise.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default limits (each can be lowered or raised through rj_claims_opts).
   max_terms and max_bits are the language's limits (rj_limits, resjac/lang.h):
   rj_claims_env_init puts them into the environment, where every evaluator
   reads them. */
#define RJ_CLAIMS_MAX_TIES 10        /* ReLU ties whose one-sided choices are
                                        enumerated together: 2^10 choices */
#define RJ_CLAIMS_MAX_RANGE 100000   /* cases of `forall k in a..b` */
#define RJ_CLAIMS_MAX_SAMPLES 20000  /* count of a random(...) family */
#define RJ_CLAIMS_MAX_TERMS RJ_MAX_TERMS  /* terms of sum(...) and prod(...) */
#define RJ_CLAIMS_MAX_PREC 4096      /* enclosure precision escalation cap (bits) */
#define RJ_CLAIMS_MAX_BITS RJ_MAX_NUM_BITS  /* size of a number, in bits */

/* The limits one check works under, one field per RJ_CLAIMS_MAX_* above
   (rj_claims_opts_default fills them).  The checker clamps max_ties to
   0..24 and raises max_prec to at least the starting enclosure precision. */
typedef struct {
    slong max_ties;
    slong max_range;
    slong max_samples;
    slong max_terms;
    slong max_prec;
    slong max_bits;
} rj_claims_opts;

/* Fill opts with the defaults above. */
void rj_claims_opts_default(rj_claims_opts *opts);

/* The result of one claim -- or of a failed definition, which makes the
   file bad input (is_definition = 1: verdict ERROR, never passed, evidence the
   located message).  Strings are owned by the result list. */
typedef struct {
    int is_definition;          /* 1: `let name = ...` whose evaluation failed */
    char *file;                 /* file the claim is in ("" when none) */
    int line, col;              /* where the claim (or definition) starts */
    char *name;
    char *ref;                  /* lesson reference, e.g. "Example 3" */
    char *note;                 /* the claim's note, or NULL */
    rj_verdict_kind expect;
    rj_verdict_kind verdict;
    char *evidence;             /* value, margin, counterexample or reason */
    char *data;                 /* the same evidence as data: JSON text (see
                                   rj_claims_decide_data), or NULL */
    slong cases;                /* cases examined by quantifiers (0: none) */
    int passed;                 /* verdict == expect */
    int exploratory;            /* a claim without `expect`: expect is unused and the
                                   claim counts in results' exploratory, neither
                                   passed nor failed, unless its verdict is ERROR
                                   (bad input: failed) */
    int top_line;               /* the line of the checked file where it enters: line,
                                   or, for a claim of an included file, the line of
                                   the outermost include that brought it in */
} rj_claim_result_struct;

/* The results of a check, in the order the claims appear: items[0..len),
   with the numbers of results that passed and failed.  The list owns the
   items and their strings. */
typedef struct {
    slong len, alloc;
    rj_claim_result_struct *items;
    slong passed, failed;
    slong exploratory;          /* exploratory claims with a verdict other than ERROR */
} rj_claim_results_struct;
typedef rj_claim_results_struct rj_claim_results_t[1];

/* init: an empty list.  clear: frees every item and its strings and leaves
   the list empty (it may be used again).  Never fail. */
void rj_claim_results_init(rj_claim_results_t res);
void rj_claim_results_clear(rj_claim_results_t res);

/* Decide every claim of a parsed program, appending one result per claim to
   res in file order.  dir is the directory load("...") paths are relative to
   (NULL: the current directory); opts NULL means the defaults.
   A definition that fails does not stop the check: it gets a result of its
   own (is_definition, verdict ERROR, counted as failed) at its place in the
   file, whether or not a claim uses it, and every later claim that uses it
   (directly or through other definitions) gets ERROR with the definition's
   file:line:col in its evidence.  A definition that needs what the method
   cannot do (RJ_ERR_DOMAIN: too many ReLU ties, ...) is not bad input: it
   gets no result of its own, and the claims that use it are UNDECIDED.
   Returns RJ_OK; other statuses only when something outside any claim failed
   (err then says what). */
int rj_claims_check_prog(rj_claim_results_t res, const rj_prog_t prog, const char *dir,
                         const rj_claims_opts *opts, rj_error_t err);

/* Parse the file at path and check it as above (load paths relative to the
   file's directory); a Markdown file (rj_claims_is_markdown) is read as a
   lesson, its resjac blocks being the program (see below).  A file that cannot be read or parsed returns its status
   (RJ_ERR_IO, RJ_ERR_INPUT) with file:line:col in err and appends nothing. */
int rj_claims_check_file(rj_claim_results_t res, const char *path,
                         const rj_claims_opts *opts, rj_error_t err);

/* Decide one formula in an environment set up by rj_claims_env_init (its
   definitions already bound).  On RJ_OK, *verdict is PROVED, REFUTED,
   NOT_REFUTED, UNDECIDED or ERROR and *evidence a string the caller frees
   with flint_free; *cases (may be NULL) gets the number of quantifier cases
   examined. */
int rj_claims_decide(rj_verdict_kind *verdict, char **evidence, slong *cases,
                     const rj_expr_struct *formula, rj_env_t env, rj_error_t err);

/* rj_claims_decide, and *data (data may be NULL) the values the verdict
   rests on as JSON text (flint_free it; NULL for ERROR and when nothing was
   compared): {"counterexample": CASE} for REFUTED -- the re-verified case, its
   quantifier bindings with the two sides of the comparison that fails -- and
   {"case": CASE} for the other verdicts -- the case the evidence quotes.
   CASE is {"bindings": {NAME: VALUE, ...}, "op": "<=", "lhs": VALUE, "rhs":
   VALUE[, "tolerance": "p/q"]} (or "value", "not", "parts" for formulas that
   are terms, negations and connectives decided by two parts; "choice" names
   the one-sided choice at ReLU ties the values are for); VALUE is an
   exact number as a string "p/q", a matrix as an array of rows of such
   strings, an enclosure as ["lo", "hi"] with decimal ends rounded outward.
   The schema is proofs/json-schema.md. */
int rj_claims_decide_data(rj_verdict_kind *verdict, char **evidence, char **data,
                          slong *cases, const rj_expr_struct *formula, rj_env_t env,
                          rj_error_t err);

/* An environment with the claim functions: rj_env_init, the claim functions
   registered (rj_env_add_functions) with the checker's state as their
   context, and the polynomial variable `t` bound (a `let t = ...` replaces
   it).  opts NULL means the defaults.  Clear it with rj_claims_env_clear,
   never with rj_env_clear alone.

   In it, a value that depends on the derivative chosen at ReLU ties is an
   extension value (RJ_VAL_EXT, printed "one of {...}") holding 2^k items, one
   for every one-sided choice at the k ties it depends on, and the ties
   themselves: it keeps them when bound to a name, and every operation on it
   pairs the items of shared ties.  Ties that do not change the value are
   dropped, so a value every choice agrees on is a plain value.  Values of
   tanh or sigmoid networks are enclosure matrices (RJ_VAL_EXT).  Limits (too
   many ties) and what the method cannot compute (det of an enclosure, ...)
   return RJ_ERR_DOMAIN, which the checker reports as UNDECIDED with the
   message. */
void rj_claims_env_init(rj_env_t env, const rj_claims_opts *opts);
void rj_claims_env_clear(rj_env_t env);

/* 1 if name is one of the claim functions. */
int rj_claims_is_function(const char *name);

/* Enclosures: the real values the claims compute rigorously (square roots,
   norms, entries of enclosure matrices) are the language's extension value
   (RJ_VAL_EXT) with the operations rj_claims_encl_ops, whose data is a
   precise-layer interval [lo, hi] (rj_itv).  Their arithmetic (with numbers,
   enclosures, exact and enclosure matrices) is the precise layer's, rounded
   outward, so the result holds the operation's value at any points of the
   operands.  An operation whose enclosure has a NaN or infinite end (it left
   MPFR's exponent range, about 2^+-1.07e9, or met inf - inf) fails with
   RJ_ERR_DOMAIN and RJ_ENCL_NONFINITE_MSG, so that no verdict is ever drawn
   from it (claims report UNDECIDED). */
#define RJ_ENCL_PREC 128          /* default precision of enclosure values */
#define RJ_ENCL_NONFINITE_MSG "the enclosure of this value is not finite (it leaves MPFR's " \
    "exponent range of about 2^+-1.07e9, or meets inf - inf): no verdict can rest on it"
extern const rj_val_ops rj_claims_encl_ops;
/* 1 if v is an enclosure; its interval (valid while v is). */
int rj_claims_val_is_encl(const rj_val_t v);
const rj_itv_struct *rj_claims_val_encl(const rj_val_t v);
/* v = an enclosure holding a copy of x, at x's precision. */
void rj_claims_val_set_encl(rj_val_t v, const rj_itv_t x);

/* ---------------------------------------------------------------- Markdown lessons
   A lesson is a Markdown file whose fenced code blocks with the info string
   `resjac` (a line ```resjac, or ~~~resjac, at column 1, up to a closing fence
   of the same character at least as long) hold the program: every such block,
   in order, is one program (names carry across blocks), each block parsed on
   its own with the lines and columns of the Markdown file, so a statement
   ends with its block.  Other fenced blocks (```python, ~~~) and indented
   code are text.  Errors: a resjac fence that is never closed, a resjac fence
   indented 1 to 3 spaces (its statements would not start at column 1), a
   resjac fence inside a block opened by the same fence (``` in ```: that
   block's closing fence is missing), and a block of another language left
   open that hides a resjac fence, each at the fence's line and column. */
typedef struct {
    int open_line;              /* the line of the opening fence */
    int close_line;             /* the line of the closing fence */
    long start, end;            /* the block's text: bytes [start, end) of text */
    long after;                 /* the byte after the closing fence's line */
} rj_lesson_block;

/* A Markdown lesson: its text and the resjac blocks found in it.  The lesson
   owns file, text and blocks (rj_lesson_clear frees them). */
typedef struct {
    char *file;                 /* the lesson's name (locations name it) */
    char *text;                 /* the whole Markdown text */
    slong len, alloc;
    rj_lesson_block *blocks;    /* the resjac blocks, in order */
} rj_lesson_struct;
/* The lesson passed by reference, in the FLINT style. */
typedef rj_lesson_struct rj_lesson_t[1];

/* An empty lesson (no text, no block); cannot fail. */
void rj_lesson_init(rj_lesson_t lesson);
/* Free everything the lesson owns; it may then be initialised again. */
void rj_lesson_clear(rj_lesson_t lesson);
/* Take a copy of text as the lesson called file and find its resjac blocks.
   On error (see above: RJ_ERR_INPUT, located) the lesson is left empty. */
int rj_lesson_set_str(rj_lesson_t lesson, const char *text, const char *file, rj_error_t err);
/* Read the file at path (as rj_parse_read_text) and find its blocks. */
int rj_lesson_read(rj_lesson_t lesson, const char *path, rj_error_t err);
/* Parse every resjac block into prog (emptied first), in order; locations
   name the lesson's file, line and column.  On error prog is left empty. */
int rj_lesson_parse(rj_prog_t prog, const rj_lesson_t lesson, rj_error_t err);
/* The lesson's text with the results placed beside the claims: after the
   closing fence of every block that holds claims (or failed definitions), a
   blockquote with one line per result (verdict, name, reference, whether it
   passed, the evidence as code), and a summary line at the end.  res are the
   results of checking this lesson (rj_claims_check_lesson).  The caller frees
   the string with flint_free. */
char *rj_lesson_report(const rj_lesson_t lesson, const rj_claim_results_t res);
/* The same as a standalone HTML page: the lesson's text as written (escaped,
   in <pre> sections, not rendered), each block's results after it in a box
   coloured by whether they passed, failed or are exploratory. */
char *rj_lesson_report_html(const rj_lesson_t lesson, const rj_claim_results_t res);
/* 1 if path names a Markdown file (it ends in .md or .markdown). */
int rj_claims_is_markdown(const char *path);

/* Parse and check the lesson as rj_claims_check_file does a resjac file
   (load paths relative to the lesson's directory). */
int rj_claims_check_lesson(rj_claim_results_t res, const rj_lesson_t lesson,
                           const rj_claims_opts *opts, rj_error_t err);

/* Decide one formula, as an exploratory claim called name (one result
   appended to res; its file is ""), after the definitions of the files at
   paths (npaths may be 0; Markdown lessons are read as above): their `let`s
   are evaluated in order, as in rj_claims_check_file (a failed definition
   gets its own ERROR result), and their claims are not decided.  load paths
   are relative to each file's directory, and to the current directory in the
   formula.  Returns a status other than RJ_OK when a file cannot be read or
   parsed (located in err; the formula is then not decided). */
int rj_claims_check_formula(rj_claim_results_t res, const rj_expr_struct *formula,
                            const char *name, const char *const *paths, slong npaths,
                            const rj_claims_opts *opts, rj_error_t err);

#ifdef __cplusplus
}
#endif

#endif
