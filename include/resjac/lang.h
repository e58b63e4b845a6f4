/* resjac: the model and claim language (syntax in proofs/LANGUAGE.md).
 *
 * A file is a sequence of statements:
 *   let NAME = EXPR                         a definition (matrix, vector, number,
 *                                           block, network, activation, ...)
 *   claim NAME "REF" expect VERDICT [note "TEXT"]: FORMULA
 *   claim NAME ["REF"] [note "TEXT"]: FORMULA   exploratory: no expected verdict
 * Parsing gives an AST (rj_prog_t); evaluation turns expressions into values
 * (rj_val_t).  The language has one evaluator (rj_eval): it evaluates
 * literals, arithmetic, sum/prod and the model constructors (block, net,
 * repeat, load, diag, identity, ...).  Other modules (claims) add functions
 * through a table registered in the environment (rj_env_add_functions) and
 * value kinds through one extension kind (RJ_VAL_EXT with an operations
 * table, rj_val_ops), so data flows one way: model -> layers -> claims. */
#ifndef RESJAC_LANG_H
#define RESJAC_LANG_H

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>
#include <flint/fmpq_poly.h>

#include "resjac/error.h"
#include "resjac/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- AST */

/* The kinds of syntax-tree nodes, with the fields of rj_expr_struct that
   each one uses. */
typedef enum {
    RJ_EXPR_NUM,      /* exact rational literal: num */
    RJ_EXPR_STRING,   /* "text": str */
    RJ_EXPR_IDENT,    /* name */
    RJ_EXPR_CALL,     /* name(args, key = args) ; argnames[i] NULL for positional.
                         E(args) with E a call or a parenthesised expression, as in
                         charpoly(J)(t - 1), is parsed as compose(E, args). */
    RJ_EXPR_MATRIX,   /* [[a, b], [c, d]] : rows x cols entries in args, row-major;
                         [a, b] is a column vector (rows = n, cols = 1) */
    RJ_EXPR_BINOP,    /* op in + - * / ^ ; args[0], args[1] */
    RJ_EXPR_NEG,      /* unary minus: args[0] */
    RJ_EXPR_TRANSPOSE,/* postfix ': args[0] */
    RJ_EXPR_INDEX,    /* args[0][args[1]] or args[0][args[1], args[2]] (1-based) */
    RJ_EXPR_CMP,      /* op: RJ_CMP_*; args[0], args[1]; args[2] tolerance for ~= */
    RJ_EXPR_AND,      /* args[0..nargs-1] */
    RJ_EXPR_OR,
    RJ_EXPR_NOT,
    RJ_EXPR_FORALL,   /* forall name in args[0] .. args[1] : args[2]   (integer range) */
    RJ_EXPR_FORALL_RANDOM, /* forall name in CALL(args[0]) : args[1]
                              args[0] is a RJ_EXPR_CALL (e.g. random(...)) describing
                              a seeded random family; sampled, never proves */
    RJ_EXPR_SUM,      /* sum(name in args[0] .. args[1] : args[2]) */
    RJ_EXPR_PROD      /* prod(name in args[0] .. args[1] : args[2]) ordered, l = hi first:
                         prod(l in 1..L : A_l) = A_L ... A_1  (later factors on the left) */
} rj_expr_kind;

/* The comparison of an RJ_EXPR_CMP node (its op): == != <= >= < > ~=. */
typedef enum {
    RJ_CMP_EQ, RJ_CMP_NE, RJ_CMP_LE, RJ_CMP_GE, RJ_CMP_LT, RJ_CMP_GT,
    RJ_CMP_APPROX      /* a ~= b within tol */
} rj_cmp_kind;

/* A node of the syntax tree made by the parser.  A node owns its strings,
   its number and its children (args, argnames, argnamelocs); rj_expr_free
   frees the whole tree. */
typedef struct rj_expr_struct {
    rj_expr_kind kind;
    rj_loc_t loc;                 /* where the expression starts */
    int op;                       /* BINOP: '+', '-', '*', '/', '^'; CMP: rj_cmp_kind */
    fmpq_t num;                   /* NUM */
    char *name;                   /* IDENT, CALL, bound variable of FORALL/SUM/PROD */
    char *str;                    /* STRING */
    slong nargs;
    struct rj_expr_struct **args;
    char **argnames;              /* CALL keyword names (NULL entries: positional) */
    rj_loc_t *argnamelocs;        /* CALL: where each keyword name stands */
    slong rows, cols;             /* MATRIX */
} rj_expr_struct;
typedef rj_expr_struct *rj_expr_ptr;

void rj_expr_free(rj_expr_ptr e);  /* recursive; NULL is fine */

/* A statement is `let name = expr` or `claim name "ref" [expect V]: formula`. */
typedef enum { RJ_STMT_LET, RJ_STMT_CLAIM } rj_stmt_kind;

/* Verdicts a claim can have (and that its author expects). */
typedef enum {
    RJ_VERDICT_PROVED = 0,
    RJ_VERDICT_REFUTED,
    RJ_VERDICT_NOT_REFUTED,
    RJ_VERDICT_UNDECIDED,
    RJ_VERDICT_ERROR
} rj_verdict_kind;

/* The one spelling of a verdict, in files, text and JSON alike: "PROVED",
   "REFUTED", "NOT_REFUTED", "UNDECIDED", "ERROR". */
const char *rj_verdict_name(rj_verdict_kind v);

/* One statement of a program, where it starts, and its parts (owned by the
   program). */
typedef struct {
    rj_stmt_kind kind;
    rj_loc_t loc;
    char *name;
    rj_expr_ptr expr;             /* LET: value; CLAIM: formula */
    char *ref;                    /* CLAIM: lesson reference, e.g. "Example 3" */
    rj_verdict_kind expect;       /* CLAIM */
    char *note;                   /* CLAIM: optional note, else NULL */
    int exploratory;              /* CLAIM without `expect`: expect is unused, the
                                     verdict is reported and counted apart */
    const char *dir;              /* the directory of the included file the statement
                                     was read from (load() paths are relative to
                                     it), or NULL for the program's own file */
} rj_stmt_struct;

/* A parsed file: its statements in order.  It owns them, their syntax trees
   and the file name that their locations point into. */
typedef struct {
    char *file;                   /* owned copy of the file name (locations point here) */
    slong len, alloc;
    rj_stmt_struct *stmts;
    slong nfiles;                 /* the files read by `include` (see below) */
    struct rj_prog_file_struct *files;
} rj_prog_struct;
typedef rj_prog_struct rj_prog_t[1];

/* `include "other.rj"` (a statement at column 1) reads the file at that path,
   relative to the directory of the including file (for a Markdown lesson:
   the .md file's), and parses its statements into the program in place of
   the include, so that its definitions are visible after it and its claims
   are checked and reported like the program's own, located in the included
   file.  Each file enters a program once: a second include of the same file
   (the same real path) adds nothing.  An include of a file that is still
   being read (a cycle) and nesting deeper than RJ_MAX_INCLUDE_DEPTH are
   errors located at the include; every error inside an included file is
   located there and says "(included from a.rj:3:1, from ...)".  One entry
   per included file, owned by the program: */
#define RJ_MAX_INCLUDE_DEPTH 16
typedef struct rj_prog_file_struct {
    char *path;                   /* as written, joined to the including file's
                                     directory (locations of its statements point here) */
    char *real;                   /* its real path (realpath), for cycles and
                                     include-once */
    char *dir;                    /* its directory (rj_stmt_struct.dir) */
    rj_loc_t from;                /* the include statement (in the including file) */
} rj_prog_file_struct;

/* When err is located in a file that prog included, add to its message where
   that file was included from: " (included from a.rj:3:1, from b.rj:1:1)". */
void rj_prog_note_include(const rj_prog_t prog, rj_error_t err);
/* Where loc enters prog's own file: loc itself when it is there, else the
   outermost include through which loc's file came in. */
rj_loc_t rj_prog_top_loc(const rj_prog_t prog, rj_loc_t loc);

/* init: an empty program.  clear: frees every statement and the file name
   (locations into it become invalid) and leaves prog empty. */
void rj_prog_init(rj_prog_t prog);
void rj_prog_clear(rj_prog_t prog);

/* Parse text (NUL-terminated) from a file called `file` (used in locations).
   On error fills err with file:line:column and what was expected; prog is
   then left empty. */
int rj_parse_string(rj_prog_t prog, const char *text, const char *file, rj_error_t err);
/* Read and parse a file. */
int rj_parse_file(rj_prog_t prog, const char *path, rj_error_t err);
/* Read the text of a model or claim file as rj_parse_file does (a regular
   file, read to its end under the size limit, no NUL byte): on RJ_OK *text is
   the NUL-terminated text, freed by the caller with flint_free; on error
   *text is NULL and err is located at the file (or the NUL byte). */
int rj_parse_read_text(char **text, const char *path, rj_error_t err);
/* Parse text as the lines first_line (>= 1), first_line + 1, ... of `file`
   (code embedded in a larger file, such as the resjac blocks of a Markdown
   lesson): every location and error names the line in that file, and the
   column as written, and the end of the text is "the end of the block".  The
   statements are appended to prog; prog's file name is
   set to `file` when prog has none (an rj_prog_init'ed prog), else `file` is
   ignored and prog's name is used.  On error prog is left empty. */
int rj_parse_string_at(rj_prog_t prog, const char *text, const char *file, int first_line,
                       rj_error_t err);
/* Parse text as one formula (what follows the ':' of a claim), for a formula
   given on the command line.  On RJ_OK *out is the formula (free it with
   rj_expr_free); its locations point at the string `file`, which must outlive
   it.  On error *out is NULL and err says where. */
int rj_parse_formula(rj_expr_ptr *out, const char *text, const char *file, rj_error_t err);

/* ---------------------------------------------------------------- limits */

/* The limits of evaluation, in one place.  rj_env_init sets the defaults
   below, rj_claims_opts overrides them (resjac/claims.h), and every evaluator
   reads them from the environment: rj_eval, rj_val_binop (lim; NULL means the
   defaults) and the claims checker's own terms and functions.  Each is checked
   before the work, on an estimate that is an upper bound.
     max_terms  terms of one sum(k in a..b: ...) or prod(...);
     max_bits   the size of a number: bits of the numerator and of the
                denominator of every number a result holds (powers, products
                of numbers and of matrices' entries, paths(L), binomial(n, k),
                ...).  One message form: "numbers too large: WHAT would need
                about B bits (limit max_bits = M)".
   Fixed limits: the degree of a polynomial result and the multiply-adds of one
   matrix product (rows * inner * cols, times log2(k) for A^k). */
#define RJ_MAX_TERMS 1000000
#define RJ_MAX_NUM_BITS (WORD(1) << 24)
#define RJ_MAX_POLY_DEGREE (WORD(1) << 20)
#define RJ_MAX_MUL_WORK (1.0 * (1L << 33))

/* Most tokens in one statement (a 2^20-entry literal has twice as many).  The
   lexer refuses the token after it, located, before the parser builds a tree
   for it: the tree, and its evaluation, are then bounded by the statement
   (a 50 MB `let a = 1+1+...` is refused after 2 million tokens, not after
   11 GB).  Larger data belongs in load("w.npy"). */
#define RJ_MAX_STMT_TOKENS (WORD(1) << 21)

/* Work: every number whose size rj_limits_check_bits checks is also charged,
   B bits at B * max(1, log2 B) units (about the bit operations of making it by
   multiplication), to a counter that lives in the environment (one per
   environment: a file's definitions and claims share it); over max_work the
   check fails with RJ_ERR_LIMIT, located, naming max_work.  A forall also
   refuses early when its cases so far, projected over its range, would pass
   the limit (src/claims/forall.c).  2^33 units are about ten seconds of
   binomials (measured: 2e10 units, forall k in 1..10000: paths(10^7, k), 25 s);
   the bundled proofs' largest file uses 5e7. */
#define RJ_MAX_WORK (1.0 * (WORD(1) << 33))

/* The two limits that can be changed (see above). */
typedef struct {
    slong max_terms;
    slong max_bits;
    double max_work;              /* units, see RJ_MAX_WORK */
    double *work;                 /* the counter charged (NULL: none) */
} rj_limits;

/* A loop's work so far, projected: RJ_ERR_LIMIT at loc when the `done` of
   `total` iterations (units: "cases", "terms") that took *lim->work - start
   units, averaged and projected over all of them, would pass what was left
   of lim->max_work at start.  what names the loop ("forall k", "sum over
   k").  Checked between iterations, so a loop of growing cost is refused
   after its first cheap ones. */
int rj_limits_check_projection(const rj_limits *lim, double start, slong done, slong total,
                               const char *what, const char *units, rj_loc_t loc,
                               rj_error_t err);
/* Fill lim with the defaults above. */
void rj_limits_default(rj_limits *lim);
/* RJ_ERR_LIMIT at loc when `terms` is over lim->max_terms (what: "sum", "prod"). */
int rj_limits_check_terms(const rj_limits *lim, double terms, const char *what, rj_loc_t loc,
                          rj_error_t err);
/* RJ_ERR_LIMIT at loc when `bits`, an upper bound on the bits of a result's
   numbers, is over lim->max_bits (what names the result: "the power",
   "paths(L)"), or when charging its work (RJ_MAX_WORK) passes lim->max_work. */
int rj_limits_check_bits(const rj_limits *lim, double bits, const char *what, rj_loc_t loc,
                         rj_error_t err);

/* ---------------------------------------------------------------- values */

/* The kinds of values the language computes with (rj_val_struct.kind). */
typedef enum {
    RJ_VAL_NONE = 0,
    RJ_VAL_BOOL,
    RJ_VAL_NUM,       /* exact rational */
    RJ_VAL_MAT,       /* exact rational matrix (vectors are n x 1) */
    RJ_VAL_POLY,      /* exact rational polynomial */
    RJ_VAL_ATOM,      /* relu, tanh, identity, none, pre, post, leaky_relu(a),
                         scaled(a), project(W): name in str, parameter in num/mat */
    RJ_VAL_BLOCK,
    RJ_VAL_NET,
    RJ_VAL_STRING,
    RJ_VAL_LIST,      /* list of values */
    RJ_VAL_EXT        /* a value another module adds: data, handled through ops */
} rj_val_kind;

struct rj_val_struct;
struct rj_env_struct;

/* The operations of an extension value (RJ_VAL_EXT).  The module that adds the
   kind defines one table and makes values with rj_val_set_ext; the language
   (free, copy, print, describe, arithmetic, transpose, indexing) calls through
   the table and never learns what data is.  binop is called when a or b (or
   both) is an extension of this table (the other side may be any value; an
   unsupported one is the module's error); neg, transpose, index when a is.
   index's j is NULL for v[i].  Each returns a status and leaves out unchanged
   on failure; out may alias an operand.  compare may be NULL (then formulas
   compare the value by the module's own means): it sets *tv to 1 (holds),
   0 (fails) or -1 (undecided) for a op b, op an rj_cmp_kind.  Any entry but
   name, free, copy, print and describe may be NULL: the operation is then
   refused with a message naming the kind.

   lift, when not NULL, takes over every operation of the evaluator that has
   an operand of this kind: e is the node (CALL, MATRIX, BINOP, NEG, TRANSPOSE,
   INDEX, or SUM/PROD for one accumulation step, see rj_eval_apply), vals its
   n operand values.  A module whose values stand for several plain values
   (one per choice, say) maps the operation over them by calling
   rj_eval_apply on plain operands. */
typedef struct {
    const char *name;                                   /* "enclosure matrix" */
    void (*free)(void *data);
    void *(*copy)(const void *data);
    char *(*print)(const struct rj_val_struct *v, slong maxlen);   /* flint_malloc'd;
                                                     maxlen as rj_val_get_str_short */
    void (*describe)(char *buf, int len, const struct rj_val_struct *v);
    int (*binop)(struct rj_val_struct *out, int op, const struct rj_val_struct *a,
                 const struct rj_val_struct *b, rj_loc_t loc, rj_error_t err);
    int (*neg)(struct rj_val_struct *out, const struct rj_val_struct *a, rj_loc_t loc,
               rj_error_t err);
    int (*transpose)(struct rj_val_struct *out, const struct rj_val_struct *a, rj_loc_t loc,
                     rj_error_t err);
    int (*index)(struct rj_val_struct *out, const struct rj_val_struct *a,
                 const struct rj_val_struct *i, const struct rj_val_struct *j, rj_loc_t loc,
                 rj_error_t err);
    int (*compare)(int *tv, int op, const struct rj_val_struct *a,
                   const struct rj_val_struct *b, rj_loc_t loc, rj_error_t err);
    int (*lift)(struct rj_val_struct *out, const struct rj_expr_struct *e,
                struct rj_val_struct *const *vals, slong n, struct rj_env_struct *env,
                rj_error_t err);
} rj_val_ops;

/* A value of the language: kind says which fields hold it (the others are
   initialised and empty).  A value owns everything it holds; rj_val_t is the
   one-element array functions take. */
typedef struct rj_val_struct {
    rj_val_kind kind;
    int b;                        /* BOOL */
    fmpq_t num;                   /* NUM, ATOM parameter */
    fmpq_mat_t mat;               /* MAT, ATOM parameter (project) */
    fmpq_poly_t poly;             /* POLY */
    char *str;                    /* STRING, ATOM name */
    rj_block_t block;             /* BLOCK */
    rj_net_t net;                 /* NET */
    slong len;                    /* LIST */
    struct rj_val_struct *items;  /* LIST */
    const rj_val_ops *ops;        /* EXT: the kind's operations */
    void *data;                   /* EXT: owned, freed and copied through ops */
} rj_val_struct;
typedef rj_val_struct rj_val_t[1];

/* Life cycle: init makes NONE; clear frees everything v holds (v must be
   initialised again before reuse); set makes v a deep copy of w (w may be
   v); swap exchanges two values without copying; reset frees the contents
   and leaves NONE.  None of them fails. */
void rj_val_init(rj_val_t v);     /* NONE; every field initialised */
void rj_val_clear(rj_val_t v);
void rj_val_set(rj_val_t v, const rj_val_t w);     /* deep copy */
void rj_val_swap(rj_val_t v, rj_val_t w);
void rj_val_reset(rj_val_t v);    /* back to NONE, freeing contents */
const char *rj_val_kind_name(rj_val_kind k);       /* "matrix", "number", ... */
/* Human-readable form ("[[1, 0], [0, 2]]", "3/4", "[0.1, 0.2]"); malloc'd, the
   caller frees it with flint_free. */
char *rj_val_get_str(const rj_val_t v);
/* The same in about maxlen characters at most (maxlen > 0), for messages and
   evidence: long numbers approximately ("~1.2345 (an integer of 40
   digits)", exactly as +-10^k or 2^k when they are such), long matrices and
   lists cut ("..."), extension values as their ops->print makes them, the
   whole cut near maxlen + 40 characters; maxlen 0 is rj_val_get_str. */
char *rj_val_get_str_short(const rj_val_t v, slong maxlen);
/* A rational in about maxlen characters: exactly when it fits, else as above. */
char *rj_fmpq_get_str_short(const fmpq *q, slong maxlen);
/* Cut s (flint_malloc'd, may be NULL) to at most maxlen bytes plus " ...",
   never inside a UTF-8 sequence; returns the (reallocated) string. */
char *rj_str_cut(char *s, slong maxlen);
/* Set v to a number / matrix / truth value (q or A may live inside v). */
void rj_val_set_fmpq(rj_val_t v, const fmpq_t q);
void rj_val_set_fmpq_mat(rj_val_t v, const fmpq_mat_t A);
void rj_val_set_bool(rj_val_t v, int b);
/* Make v an extension value holding data (taken over: ops->free frees it). */
void rj_val_set_ext(rj_val_t v, const rj_val_ops *ops, void *data);
/* "a 2 x 3 matrix", "a number", "the atom relu", ... for messages. */
void rj_val_describe(char *buf, int len, const rj_val_t v);
/* RJ_ERR_INPUT at loc: "WHAT cannot take <v described>". */
int rj_val_refuse(rj_error_t err, rj_loc_t loc, const char *what, const rj_val_t v);

/* Arithmetic as the language does it: op is '+', '-', '*', '/' or '^'.
   Numbers, matrices (shapes checked; scalar * matrix; matrix / number; square
   matrix ^ k, k >= 0), polynomials (with numbers; / by a number; ^ k >= 0) are
   exact.  When a or b is an extension value (an enclosure, say), its
   ops->binop does the work.
   Errors name both operands' shapes and carry loc.  out may alias a or b; out
   is unchanged on failure. */
int rj_val_binop(rj_val_t out, int op, const rj_val_t a, const rj_val_t b,
                 const rj_limits *lim, rj_loc_t loc, rj_error_t err);
/* A rows x cols matrix plus or minus (op) a number is entrywise, the number
   standing for every entry (x - mu), where that is the only reading: RJ_OK,
   unless the matrix is square of size > 1 and the number is not 0 (it could
   be A + c I): then RJ_ERR_INPUT at loc naming both spellings.  The one rule
   of every matrix kind (exact matrices here, enclosure matrices in claims). */
int rj_broadcast_check(slong rows, slong cols, int number_is_zero, int op, rj_loc_t loc,
                       rj_error_t err);
/* An integer argument: *out = v when v is an integer in [lo, hi], else an
   error at loc naming `what` and v: "WHAT must be an integer, found X"
   (RJ_ERR_INPUT); then, when hi is a limit (hi_is_limit = 1), "WHAT must be at
   least LO, found N" (RJ_ERR_INPUT) or "WHAT = N exceeds the limit HI"
   (RJ_ERR_LIMIT); otherwise (an index, a block number) "WHAT N is out of range
   LO..HI (OF)" (RJ_ERR_INPUT, " (OF)" only when of is not NULL).  The one
   reader of integer arguments of the language and of the claims functions. */
int rj_val_get_si(slong *out, const rj_val_t v, slong lo, slong hi, int hi_is_limit,
                  const char *what, const char *of, rj_loc_t loc, rj_error_t err);
/* -a for a number, matrix, polynomial or extension value. */
int rj_val_neg(rj_val_t out, const rj_val_t a, rj_loc_t loc, rj_error_t err);

/* ---------------------------------------------------------------- evaluation */

/* Functions that other modules add to the language.  A module defines a table
   of rj_func_def (ended by an entry whose name is NULL) and registers it in an
   environment with a context of its own (rj_env_add_functions); the evaluator
   looks a called name up there before the language's own builtins, checks the
   number of arguments and refuses keyword arguments, and calls fn with the
   evaluated arguments.  rule is the module's own (say, how the result depends
   on choices); the language never reads it. */
struct rj_func_def;

/* One call of a registered function, as fn receives it; nothing in it is
   owned by the callee. */
typedef struct {
    const char *name;             /* the function called */
    struct rj_val_struct *const *a;   /* the n evaluated arguments */
    slong n;
    rj_loc_t loc;                 /* where the call stands */
    const struct rj_func_def *def;
    void *ctx;                    /* the context registered with the table */
} rj_call_struct;

/* A registered function: sets out (initialised by the evaluator) from
   call->a and returns a status, filling err on failure. */
typedef int (*rj_func_fn)(struct rj_val_struct *out, const rj_call_struct *call,
                          struct rj_env_struct *env, rj_error_t err);

/* One entry of a module's function table: name, the accepted number of
   arguments min_args..max_args, the module's rule, the function and its
   usage for messages. */
typedef struct rj_func_def {
    const char *name;
    slong min_args, max_args;
    int rule;
    rj_func_fn fn;
    const char *usage;            /* "jacobian(N, x)", for messages */
} rj_func_def;

/* A registered table and its context (the env holds these, not copies of
   the tables: a table must outlive the environment). */
typedef struct {
    const rj_func_def *table;
    void *ctx;
} rj_func_table;

/* An environment: the bindings of names to values (owned), the directory
   that load() reads from (not owned), the registered function tables and the
   limits of evaluation. */
typedef struct rj_env_struct {
    slong len, alloc;
    char **names;
    rj_val_struct *vals;
    const char *dir;              /* directory that load("...") paths are relative to */
    slong nfuncs;                 /* registered function tables */
    rj_func_table *funcs;
    rj_limits limits;             /* rj_env_init: the defaults */
    double work;                  /* limits.work points here */
    slong nbuckets;               /* name lookup: a chained hash over the bindings; */
    slong *heads;                 /* heads[h] the newest binding whose name hashes to h, */
    slong *next;                  /* next[i] the next older one (-1 ends a chain) */
} rj_env_struct;
typedef rj_env_struct rj_env_t[1];

/* init: no bindings, no function tables, no directory, the default limits.
   clear: frees every binding and the list of tables; the limits and the
   directory stay as they were. */
void rj_env_init(rj_env_t env);
void rj_env_clear(rj_env_t env);
/* Bind (copy) a value; rebinding a name replaces it. */
void rj_env_bind(rj_env_t env, const char *name, const rj_val_t v);
/* Bind a copy of v as a new binding that shadows any earlier one of the same
   name (for bound variables); rj_env_unbind then uncovers the earlier one. */
void rj_env_push(rj_env_t env, const char *name, const rj_val_t v);
/* Remove the most recent binding of name (for bound variables). */
void rj_env_unbind(rj_env_t env, const char *name);
/* Pointer to the most recent binding's value or NULL; valid until the next
   bind/push/unbind. */
rj_val_struct *rj_env_lookup(rj_env_t env, const char *name);

/* Evaluate an expression (not a formula: comparisons/quantifiers are the claims
   module's) to a value.  Errors carry the expression's location. */
int rj_eval(rj_val_t out, const rj_expr_struct *e, rj_env_t env, rj_error_t err);

/* A matrix literal whose entries are not all numbers is handed to the
   registered function of this name (which no program can call by name) with
   the arguments (rows, cols, entries row-major), as E(args) is compose(E,
   args); without one it is an error. */
#define RJ_MATRIX_FUNC "[]"

/* Register a table of functions (see rj_func_def) with its context; tables
   registered later are looked up first.  The table is not copied. */
void rj_env_add_functions(rj_env_t env, const rj_func_def *table, void *ctx);
/* The registered function called name (NULL if none); *ctx (if ctx is not
   NULL) receives its table's context. */
const rj_func_def *rj_env_find_function(rj_env_t env, const char *name, void **ctx);
/* The context registered with table (NULL if table is not registered). */
void *rj_env_functions_ctx(rj_env_t env, const rj_func_def *table);

/* Apply the operation of node e to operand values, as rj_eval does after
   evaluating e's operands: e is RJ_EXPR_CALL (vals: the arguments), MATRIX
   (the entries, row-major), BINOP (two), NEG, TRANSPOSE (one), INDEX (the
   indexed value and one or two indices), or SUM / PROD for one step of the
   accumulation (vals: the sum so far and the next term; the next factor goes
   on the left of a product).  When an operand is an extension value whose
   ops->lift is not NULL, the first such operand's lift does the work.  Errors
   carry e's location.  The operands are not changed (except that net(...)
   may take its arguments' networks over). */
int rj_eval_apply(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
                  rj_env_t env, rj_error_t err);
/* Call the registered function e->name with vals, without lifting (for a
   module's lift that has done its own); RJ_ERR_INPUT if there is none. */
int rj_env_call(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
                rj_env_t env, rj_error_t err);

/* Evaluate every `let` of prog in order into env (claims are skipped). */
int rj_eval_defs(rj_env_t env, const rj_prog_t prog, rj_error_t err);

/* Load a model file: parse it, evaluate its definitions, and return the
   network named net_name and the point named point_name (a column vector whose
   length is the network's input width).  Either name may be NULL to skip it. */
int rj_model_load(rj_net_t net, fmpq_mat_t x, const char *path,
                  const char *net_name, const char *point_name, rj_error_t err);

/* The same, with the point allowed to be a matrix of points, one per column
   (a column vector is one point). */
int rj_model_load_points(rj_net_t net, fmpq_mat_t X, const char *path,
                         const char *net_name, const char *point_name, rj_error_t err);

#ifdef __cplusplus
}
#endif

#endif
