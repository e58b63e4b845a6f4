/* resjac: the claims module -- deciding the claims of a resjac file.
 *
 * A claim is `claim NAME "REF" expect VERDICT: FORMULA` (proofs/LANGUAGE.md).
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
    slong cases;                /* cases examined by quantifiers (0: none) */
    int passed;                 /* verdict == expect */
} rj_claim_result_struct;

/* The results of a check, in the order the claims appear: items[0..len),
   with the numbers of results that passed and failed.  The list owns the
   items and their strings. */
typedef struct {
    slong len, alloc;
    rj_claim_result_struct *items;
    slong passed, failed;
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
   file's directory).  A file that cannot be read or parsed returns its status
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

#ifdef __cplusplus
}
#endif

#endif
