/* resjac: recursive-descent parser for the model and claim language
 * (grammar in proofs/LANGUAGE.md; AST in include/resjac/lang.h).
 *
 *   program  := { statement EOS }
 *   statement:= 'let' NAME '=' expr
 *              | 'include' STRING       (the file's statements, read in place)
 *              | 'claim' NAME [STRING ['expect' VERDICT]] ['note' STRING] ':' formula
 *                (without 'expect' the claim is exploratory)
 *   formula  := conj { 'or' conj }
 *   conj     := neg { 'and' neg }
 *   neg      := 'not' neg | 'forall' names 'in' (expr '..' expr | call | 'matrices')
 *               ':' formula
 *   names    := NAME {',' NAME} | NAME_1 '..' NAME_(NUMBER | NAME)  (a family)
 *              | expr [ CMP expr ] | expr '~=' expr 'within' expr
 *   expr     := term { ('+' | '-') term }
 *   term     := unary { ('*' | '/') unary }
 *   unary    := '-' unary | power
 *   power    := postfix [ '^' unary ]                 (right associative)
 *   postfix  := primary { ''' | '[' expr [',' expr] ']' | '(' args ')' }
 *   primary  := NUMBER | STRING | NAME | NAME '(' args ')' | '(' formula ')'
 *              | '(' formula ',' formula {',' formula} ')'     (a tuple: a column
 *                                                   vector, as kernel = (3, 3))
 *              | '[' expr {',' expr} ']' | '[' row {',' row} ']'
 *              | ('sum' | 'prod') '(' NAME 'in' expr '..' expr ':' expr ')'
 *   args     := [ arg { ',' arg } ],  arg := [NAME '='] formula
 *
 * A call applied to a value that is not a plain name, E(a, ...) with E itself
 * a call or a parenthesised expression (e.g. charpoly(J)(t - 1)), is read as
 * compose(E, a, ...). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resjac/lang.h"
#include "lex.h"

/* Nesting of brackets/unary operators the parser accepts, and the depth of an
   expression tree (evaluation recurses on it). */
#define RJ_MAX_NESTING 200
#define RJ_MAX_EXPR_DEPTH 1000

/* ---------------------------------------------------------------- AST */

static rj_expr_ptr
expr_new(rj_expr_kind kind, rj_loc_t loc)
{
    rj_expr_ptr e = flint_malloc(sizeof(rj_expr_struct));
    memset(e, 0, sizeof(rj_expr_struct));
    e->kind = kind;
    e->loc = loc;
    fmpq_init(e->num);
    return e;
}

/* Append argument a, named argname (NULL: positional) at nameloc. */
static void
expr_add_named(rj_expr_ptr e, rj_expr_ptr a, const char *argname, rj_loc_t nameloc)
{
    /* capacity 4, 8, 16, ...: full when nargs is 0 or a power of two >= 4, so a
       literal of a million entries is built in linear time (a realloc that
       moves the block each time made it quadratic) */
    slong n = e->nargs;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        slong cap = FLINT_MAX(4, 2 * n);
        e->args = flint_realloc(e->args, cap * sizeof(rj_expr_ptr));
        e->argnames = flint_realloc(e->argnames, cap * sizeof(char *));
        e->argnamelocs = flint_realloc(e->argnamelocs, cap * sizeof(rj_loc_t));
    }
    e->args[e->nargs] = a;
    e->argnames[e->nargs] = rj_strdup(argname);
    e->argnamelocs[e->nargs] = argname != NULL ? nameloc : a->loc;
    e->nargs++;
}

static void
expr_add_arg(rj_expr_ptr e, rj_expr_ptr a, const char *argname)
{
    expr_add_named(e, a, argname, a->loc);
}

/* Free one node, not its children. */
static void
expr_free_node(rj_expr_ptr e)
{
    slong i;
    if (e->argnames != NULL)
        for (i = 0; i < e->nargs; i++)
            flint_free(e->argnames[i]);
    flint_free(e->argnames);
    flint_free(e->argnamelocs);
    flint_free(e->args);
    flint_free(e->name);
    flint_free(e->str);
    fmpq_clear(e->num);
    flint_free(e);
}

/* Iterative, so that no input can exhaust the stack. */
void
rj_expr_free(rj_expr_ptr e)
{
    rj_expr_ptr *stack;
    slong n = 0, alloc = 16, i;
    if (e == NULL)
        return;
    stack = flint_malloc(alloc * sizeof(rj_expr_ptr));
    stack[n++] = e;
    while (n > 0) {
        rj_expr_ptr x = stack[--n];
        for (i = 0; i < x->nargs; i++) {
            if (x->args[i] == NULL)
                continue;
            if (n == alloc) {
                alloc *= 2;
                stack = flint_realloc(stack, alloc * sizeof(rj_expr_ptr));
            }
            stack[n++] = x->args[i];
        }
        expr_free_node(x);
    }
    flint_free(stack);
}

/* Depth of the tree (a single node has depth 1), iteratively. */
static slong
expr_depth(const rj_expr_struct *e)
{
    const rj_expr_struct **stack;
    slong *depth;
    slong n = 0, alloc = 16, i, best = 0;
    stack = flint_malloc(alloc * sizeof(*stack));
    depth = flint_malloc(alloc * sizeof(slong));
    stack[n] = e;
    depth[n++] = 1;
    while (n > 0) {
        const rj_expr_struct *x = stack[--n];
        slong d = depth[n];
        best = FLINT_MAX(best, d);
        for (i = 0; i < x->nargs; i++) {
            if (x->args[i] == NULL)
                continue;
            if (n == alloc) {
                alloc *= 2;
                stack = flint_realloc(stack, alloc * sizeof(*stack));
                depth = flint_realloc(depth, alloc * sizeof(slong));
            }
            stack[n] = x->args[i];
            depth[n++] = d + 1;
        }
    }
    flint_free(stack);
    flint_free(depth);
    return best;
}

const char *
rj_verdict_name(rj_verdict_kind v)
{
    switch (v) {
    case RJ_VERDICT_PROVED: return "PROVED";
    case RJ_VERDICT_REFUTED: return "REFUTED";
    case RJ_VERDICT_NOT_REFUTED: return "NOT_REFUTED";
    case RJ_VERDICT_UNDECIDED: return "UNDECIDED";
    case RJ_VERDICT_ERROR: return "ERROR";
    default: return "UNKNOWN";
    }
}

void
rj_prog_init(rj_prog_t prog)
{
    prog->file = NULL;
    prog->len = prog->alloc = 0;
    prog->stmts = NULL;
    prog->nfiles = 0;
    prog->files = NULL;
}

void
rj_prog_clear(rj_prog_t prog)
{
    slong i;
    for (i = 0; i < prog->len; i++) {
        rj_stmt_struct *s = prog->stmts + i;
        flint_free(s->name);
        rj_expr_free(s->expr);
        flint_free(s->ref);
        flint_free(s->note);
    }
    flint_free(prog->stmts);
    flint_free(prog->file);
    for (i = 0; i < prog->nfiles; i++) {
        flint_free(prog->files[i].path);
        flint_free(prog->files[i].real);
        flint_free(prog->files[i].dir);
    }
    flint_free(prog->files);
    rj_prog_init(prog);
}

static rj_stmt_struct *
prog_push(rj_prog_t prog)
{
    rj_stmt_struct *s;
    if (prog->len == prog->alloc) {
        prog->alloc = FLINT_MAX(16, 2 * prog->alloc);
        prog->stmts = flint_realloc(prog->stmts, prog->alloc * sizeof(rj_stmt_struct));
    }
    s = prog->stmts + prog->len++;
    memset(s, 0, sizeof(rj_stmt_struct));
    return s;
}

/* ---------------------------------------------------------------- parser */

/* The files being read by one parse, outermost first: their real paths
   (NULL when unknown, as for text that is no file), for include cycles. */
typedef struct {
    const char *real[RJ_MAX_INCLUDE_DEPTH + 1];
    const char *path[RJ_MAX_INCLUDE_DEPTH + 1];
    int depth;         /* entries in use: 1 + the nesting of includes */
} include_stack;

typedef struct {
    rj_tok_struct *toks;
    slong pos;
    const char *file;
    rj_error_struct *err;
    int nesting;
    int embedded;      /* the text is a block of a larger file (rj_parse_string_at) */
    const char *dir;   /* an included file's directory (rj_stmt_struct.dir), else NULL */
    include_stack *inc;
} parser_t;

static const char *keywords[] = {
    "let", "claim", "and", "or", "not", "forall", "in", "within", NULL
};

static int
is_keyword(const char *s)
{
    int i;
    for (i = 0; keywords[i] != NULL; i++)
        if (strcmp(s, keywords[i]) == 0)
            return 1;
    return 0;
}

static rj_tok_struct *
peek(parser_t *P)
{
    return P->toks + P->pos;
}

static rj_tok_struct *
peek_at(parser_t *P, slong k)
{
    slong i;
    for (i = 0; i < k; i++)
        if (P->toks[P->pos + i].kind == RJ_TOK_EOF)
            return P->toks + P->pos + i;
    return P->toks + P->pos + k;
}

static rj_tok_struct *
advance(parser_t *P)
{
    rj_tok_struct *t = P->toks + P->pos;
    if (t->kind != RJ_TOK_EOF)
        P->pos++;
    return t;
}

static rj_loc_t
tok_loc(parser_t *P, const rj_tok_struct *t)
{
    rj_loc_t loc;
    loc.file = P->file;
    loc.line = t->line;
    loc.col = t->col;
    return loc;
}

static int
is_word(const rj_tok_struct *t, const char *w)
{
    return t->kind == RJ_TOK_IDENT && strcmp(t->text, w) == 0;
}

/* "'x'", "a number 3/4", "end of line", ... */
static void
tok_describe(char *buf, int len, const rj_tok_struct *t)
{
    switch (t->kind) {
    case RJ_TOK_IDENT:
        if (is_keyword(t->text))
            snprintf(buf, len, "keyword '%.60s'", t->text);
        else
            snprintf(buf, len, "'%.60s'", t->text);
        break;
    case RJ_TOK_NUM: {
        char *s = fmpq_get_str(NULL, 10, t->num);
        if (strlen(s) <= 40)
            snprintf(buf, len, "the number %s", s);
        else
            snprintf(buf, len, "a number");
        flint_free(s);
        break;
    }
    case RJ_TOK_STRING: snprintf(buf, len, "a string \"%.40s\"", t->text); break;
    case RJ_TOK_EOS: snprintf(buf, len, "end of line"); break;
    default: snprintf(buf, len, "%s", _rj_tok_kind_str(t->kind)); break;
    }
}

/* Error at token t: "<what>, found <t>". */
static void
expected(parser_t *P, const rj_tok_struct *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
expected(parser_t *P, const rj_tok_struct *t, const char *fmt, ...)
{
    char what[300], found[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (t->kind == RJ_TOK_EOF && P->embedded)
        snprintf(found, sizeof(found), "the end of the block");
    else
        tok_describe(found, sizeof(found), t);
    rj_error_set_loc(P->err, RJ_ERR_INPUT, tok_loc(P, t), "%s, found %s", what, found);
}

static rj_expr_ptr parse_formula(parser_t *P);
static rj_expr_ptr parse_expr(parser_t *P);
static rj_expr_ptr parse_unary(parser_t *P);

static int
enter(parser_t *P, const rj_tok_struct *t)
{
    if (++P->nesting > RJ_MAX_NESTING) {
        rj_error_set_loc(P->err, RJ_ERR_LIMIT, tok_loc(P, t),
                         "expression nested deeper than %d levels", RJ_MAX_NESTING);
        return 0;
    }
    return 1;
}

static void
leave(parser_t *P)
{
    P->nesting--;
}

/* After `name (` : arguments up to the matching ')'.  call->loc is set. */
static int
parse_args(parser_t *P, rj_expr_ptr call, const rj_tok_struct *open, const char *what)
{
    int seen_kw = 0;
    if (peek(P)->kind == RJ_TOK_RPAREN) {
        advance(P);
        return 1;
    }
    for (;;) {
        rj_tok_struct *t = peek(P);
        const char *kw = NULL;
        rj_loc_t kwloc = tok_loc(P, t);
        rj_expr_ptr a;
        if (t->kind == RJ_TOK_IDENT && peek_at(P, 1)->kind == RJ_TOK_ASSIGN) {
            slong i;
            if (is_keyword(t->text)) {
                expected(P, t, "expected an argument name");
                return 0;
            }
            for (i = 0; i < call->nargs; i++)
                if (call->argnames[i] != NULL && strcmp(call->argnames[i], t->text) == 0) {
                    rj_error_set_loc(P->err, RJ_ERR_INPUT, tok_loc(P, t),
                                     "argument '%.60s' given twice (first at %d:%d)",
                                     t->text, call->argnamelocs[i].line,
                                     call->argnamelocs[i].col);
                    return 0;
                }
            kw = t->text;
            advance(P);
            advance(P);
            seen_kw = 1;
        } else if (seen_kw && t->kind != RJ_TOK_RPAREN) {
            rj_error_set_loc(P->err, RJ_ERR_INPUT, tok_loc(P, t),
                             "positional argument after keyword arguments in the %s opened "
                             "at %d:%d", what, open->line, open->col);
            return 0;
        }
        a = parse_formula(P);
        if (a == NULL)
            return 0;
        expr_add_named(call, a, kw, kwloc);
        t = peek(P);
        if (t->kind == RJ_TOK_COMMA) {
            advance(P);
            continue;
        }
        if (t->kind == RJ_TOK_RPAREN) {
            advance(P);
            return 1;
        }
        expected(P, t, "expected ',' or ')' to close the %s opened at %d:%d", what,
                 open->line, open->col);
        return 0;
    }
}

/* sum(k in a..b: E) / prod(...), after the name; '(' is next. */
static rj_expr_ptr
parse_sumprod(parser_t *P, const rj_tok_struct *name)
{
    rj_tok_struct *open = advance(P), *t;
    rj_expr_ptr e, lo, hi, body;
    const char *w = name->text;
    e = expr_new(strcmp(w, "sum") == 0 ? RJ_EXPR_SUM : RJ_EXPR_PROD, tok_loc(P, name));
    t = advance(P);                  /* the bound variable (checked by the caller) */
    e->name = rj_strdup(t->text);
    advance(P);                      /* in */
    lo = parse_expr(P);
    if (lo == NULL)
        goto fail;
    expr_add_arg(e, lo, NULL);
    if (peek(P)->kind != RJ_TOK_DOTDOT) {
        expected(P, peek(P), "expected '..' in the range of the %s opened at %d:%d", w,
                 open->line, open->col);
        goto fail;
    }
    advance(P);
    hi = parse_expr(P);
    if (hi == NULL)
        goto fail;
    expr_add_arg(e, hi, NULL);
    if (peek(P)->kind != RJ_TOK_COLON) {
        expected(P, peek(P), "expected ':' after the range of the %s opened at %d:%d", w,
                 open->line, open->col);
        goto fail;
    }
    advance(P);
    body = parse_expr(P);
    if (body == NULL)
        goto fail;
    expr_add_arg(e, body, NULL);
    if (peek(P)->kind != RJ_TOK_RPAREN) {
        expected(P, peek(P), "expected ')' to close the %s opened at %d:%d", w, open->line,
                 open->col);
        goto fail;
    }
    advance(P);
    return e;
fail:
    rj_expr_free(e);
    return NULL;
}

/* A bracketed list of expressions up to ']'; the '[' is consumed.  Entries are
   appended to m. */
static int
parse_row(parser_t *P, rj_expr_ptr m, const rj_tok_struct *open, const char *what,
          slong *count)
{
    *count = 0;
    if (peek(P)->kind == RJ_TOK_RBRACK) {
        expected(P, peek(P), "expected an entry (a %s cannot be empty; use zeros(r, c))",
                 what);
        return 0;
    }
    for (;;) {
        rj_tok_struct *t;
        rj_expr_ptr a = parse_expr(P);
        if (a == NULL)
            return 0;
        expr_add_arg(m, a, NULL);
        (*count)++;
        t = peek(P);
        if (t->kind == RJ_TOK_COMMA) {
            advance(P);
            continue;
        }
        if (t->kind == RJ_TOK_RBRACK) {
            advance(P);
            return 1;
        }
        expected(P, t, "expected ',' or ']' to close the %s opened at %d:%d", what,
                 open->line, open->col);
        return 0;
    }
}

static rj_expr_ptr
parse_matrix(parser_t *P)
{
    rj_tok_struct *open = advance(P), *t;
    rj_expr_ptr m = expr_new(RJ_EXPR_MATRIX, tok_loc(P, open));
    slong n;
    if (peek(P)->kind != RJ_TOK_LBRACK) {
        if (!parse_row(P, m, open, "vector", &n))
            goto fail;
        m->rows = n;
        m->cols = 1;
        return m;
    }
    for (;;) {
        rj_tok_struct *row = peek(P);
        if (row->kind != RJ_TOK_LBRACK) {
            expected(P, row, "expected '[' to start row %ld of the matrix opened at %d:%d",
                     (long) (m->rows + 1), open->line, open->col);
            goto fail;
        }
        if (!enter(P, row))
            goto fail;
        advance(P);
        if (!parse_row(P, m, row, "matrix row", &n)) {
            leave(P);
            goto fail;
        }
        leave(P);
        if (m->rows == 0)
            m->cols = n;
        else if (n != m->cols) {
            rj_error_set_loc(P->err, RJ_ERR_INPUT, tok_loc(P, row),
                             "row %ld of the matrix opened at %d:%d has %ld entries but "
                             "row 1 has %ld (rows must have equal length)",
                             (long) (m->rows + 1), open->line, open->col, (long) n,
                             (long) m->cols);
            goto fail;
        }
        m->rows++;
        t = peek(P);
        if (t->kind == RJ_TOK_COMMA) {
            advance(P);
            continue;
        }
        if (t->kind == RJ_TOK_RBRACK) {
            advance(P);
            return m;
        }
        expected(P, t, "expected ',' or ']' to close the matrix opened at %d:%d",
                 open->line, open->col);
        goto fail;
    }
fail:
    rj_expr_free(m);
    return NULL;
}

static rj_expr_ptr
parse_primary(parser_t *P)
{
    rj_tok_struct *t = peek(P);
    rj_expr_ptr e;

    switch (t->kind) {
    case RJ_TOK_NUM:
        advance(P);
        e = expr_new(RJ_EXPR_NUM, tok_loc(P, t));
        fmpq_set(e->num, t->num);
        return e;
    case RJ_TOK_STRING:
        advance(P);
        e = expr_new(RJ_EXPR_STRING, tok_loc(P, t));
        e->str = rj_strdup(t->text);
        return e;
    case RJ_TOK_IDENT:
        if (is_keyword(t->text)) {
            expected(P, t, "expected an expression");
            return NULL;
        }
        advance(P);
        if (peek(P)->kind != RJ_TOK_LPAREN) {
            e = expr_new(RJ_EXPR_IDENT, tok_loc(P, t));
            e->name = rj_strdup(t->text);
            return e;
        }
        if (!enter(P, peek(P)))
            return NULL;
        if ((strcmp(t->text, "sum") == 0 || strcmp(t->text, "prod") == 0)
            && peek_at(P, 1)->kind == RJ_TOK_IDENT && is_word(peek_at(P, 2), "in")) {
            if (is_keyword(peek_at(P, 1)->text)) {
                expected(P, peek_at(P, 1), "expected the %s's bound variable", t->text);
                leave(P);
                return NULL;
            }
            e = parse_sumprod(P, t);
        } else {
            rj_tok_struct *open = advance(P);
            e = expr_new(RJ_EXPR_CALL, tok_loc(P, t));
            e->name = rj_strdup(t->text);
            if (!parse_args(P, e, open, "call")) {
                rj_expr_free(e);
                e = NULL;
            }
        }
        leave(P);
        return e;
    case RJ_TOK_LPAREN: {
        rj_tok_struct *open = t;
        if (!enter(P, t))
            return NULL;
        advance(P);
        e = parse_formula(P);
        if (e != NULL && peek(P)->kind == RJ_TOK_COMMA) {
            /* (a, b, ...): the column vector [a, b, ...] */
            rj_expr_ptr m = expr_new(RJ_EXPR_MATRIX, tok_loc(P, open));
            expr_add_arg(m, e, NULL);
            while (e != NULL && peek(P)->kind == RJ_TOK_COMMA) {
                advance(P);
                e = parse_formula(P);
                if (e != NULL)
                    expr_add_arg(m, e, NULL);
            }
            m->rows = m->nargs;
            m->cols = 1;
            if (e == NULL) {
                rj_expr_free(m);
                leave(P);
                return NULL;
            }
            e = m;
        }
        leave(P);
        if (e == NULL)
            return NULL;
        if (peek(P)->kind != RJ_TOK_RPAREN) {
            expected(P, peek(P), "expected ')' to close the '(' opened at %d:%d",
                     open->line, open->col);
            rj_expr_free(e);
            return NULL;
        }
        advance(P);
        return e;
    }
    case RJ_TOK_LBRACK:
        if (!enter(P, t))
            return NULL;
        e = parse_matrix(P);
        leave(P);
        return e;
    default:
        expected(P, t, "expected an expression");
        return NULL;
    }
}

static rj_expr_ptr
parse_postfix(parser_t *P)
{
    rj_tok_struct *start = peek(P);
    rj_expr_ptr e = parse_primary(P), x;
    int callable = e != NULL && (e->kind == RJ_EXPR_CALL || start->kind == RJ_TOK_LPAREN);
    while (e != NULL) {
        rj_tok_struct *t = peek(P);
        if (t->kind == RJ_TOK_QUOTE) {
            advance(P);
            x = expr_new(RJ_EXPR_TRANSPOSE, e->loc);
            expr_add_arg(x, e, NULL);
            e = x;
            callable = 0;
        } else if (t->kind == RJ_TOK_LBRACK) {
            rj_expr_ptr i;
            advance(P);
            x = expr_new(RJ_EXPR_INDEX, e->loc);
            expr_add_arg(x, e, NULL);
            e = x;
            if (!enter(P, t))
                goto fail;
            i = parse_expr(P);
            leave(P);
            if (i == NULL)
                goto fail;
            expr_add_arg(e, i, NULL);
            if (peek(P)->kind == RJ_TOK_COMMA) {
                advance(P);
                if (!enter(P, t))
                    goto fail;
                i = parse_expr(P);
                leave(P);
                if (i == NULL)
                    goto fail;
                expr_add_arg(e, i, NULL);
            }
            if (peek(P)->kind != RJ_TOK_RBRACK) {
                expected(P, peek(P), "expected %s']' to close the index opened at %d:%d",
                         e->nargs == 2 ? "',' or " : "", t->line, t->col);
                goto fail;
            }
            advance(P);
            callable = 0;
        } else if (t->kind == RJ_TOK_LPAREN && callable) {
            /* E(args) with E not a plain name: compose(E, args) */
            x = expr_new(RJ_EXPR_CALL, e->loc);
            x->name = rj_strdup("compose");
            expr_add_arg(x, e, NULL);
            e = x;
            if (!enter(P, t))
                goto fail;
            advance(P);
            if (!parse_args(P, e, t, "call")) {
                leave(P);
                goto fail;
            }
            leave(P);
        } else
            break;
    }
    return e;
fail:
    rj_expr_free(e);
    return NULL;
}

static rj_expr_ptr
binop(int op, rj_expr_ptr a, rj_expr_ptr b)
{
    rj_expr_ptr x = expr_new(RJ_EXPR_BINOP, a->loc);
    x->op = op;
    expr_add_arg(x, a, NULL);
    expr_add_arg(x, b, NULL);
    return x;
}

static rj_expr_ptr
parse_power(parser_t *P)
{
    rj_expr_ptr e = parse_postfix(P), b;
    rj_tok_struct *t;
    if (e == NULL)
        return NULL;
    t = peek(P);
    if (t->kind != RJ_TOK_CARET)
        return e;
    advance(P);
    if (!enter(P, t)) {
        rj_expr_free(e);
        return NULL;
    }
    b = parse_unary(P);
    leave(P);
    if (b == NULL) {
        rj_expr_free(e);
        return NULL;
    }
    return binop('^', e, b);
}

static rj_expr_ptr
parse_unary(parser_t *P)
{
    rj_tok_struct *t = peek(P);
    rj_expr_ptr a, e;
    if (t->kind != RJ_TOK_MINUS)
        return parse_power(P);
    advance(P);
    if (!enter(P, t))
        return NULL;
    a = parse_unary(P);
    leave(P);
    if (a == NULL)
        return NULL;
    e = expr_new(RJ_EXPR_NEG, tok_loc(P, t));
    expr_add_arg(e, a, NULL);
    return e;
}

/* A chain a + b + ... of `chain` operands is a tree at least that deep:
   refuse it at the operator that passes the depth limit, while building, not
   after a tree of millions of nodes (statement() checks the whole tree). */
static int
chain_ok(parser_t *P, const rj_tok_struct *op, slong chain)
{
    if (chain <= RJ_MAX_EXPR_DEPTH)
        return 1;
    rj_error_set_loc(P->err, RJ_ERR_LIMIT, tok_loc(P, op),
                     "expression nested deeper than %d levels: a chain of more than %d "
                     "operands (split it with let)", RJ_MAX_EXPR_DEPTH, RJ_MAX_EXPR_DEPTH);
    return 0;
}

static rj_expr_ptr
parse_term(parser_t *P)
{
    rj_expr_ptr e = parse_unary(P), b;
    slong chain = 1;
    while (e != NULL) {
        rj_tok_struct *t = peek(P);
        int op;
        if (t->kind == RJ_TOK_STAR)
            op = '*';
        else if (t->kind == RJ_TOK_SLASH)
            op = '/';
        else
            break;
        if (!chain_ok(P, t, ++chain)) {
            rj_expr_free(e);
            return NULL;
        }
        advance(P);
        b = parse_unary(P);
        if (b == NULL) {
            rj_expr_free(e);
            return NULL;
        }
        e = binop(op, e, b);
    }
    return e;
}

static rj_expr_ptr
parse_expr(parser_t *P)
{
    rj_expr_ptr e = parse_term(P), b;
    slong chain = 1;
    while (e != NULL) {
        rj_tok_struct *t = peek(P);
        int op;
        if (t->kind == RJ_TOK_PLUS)
            op = '+';
        else if (t->kind == RJ_TOK_MINUS)
            op = '-';
        else
            break;
        if (!chain_ok(P, t, ++chain)) {
            rj_expr_free(e);
            return NULL;
        }
        advance(P);
        b = parse_term(P);
        if (b == NULL) {
            rj_expr_free(e);
            return NULL;
        }
        e = binop(op, e, b);
    }
    return e;
}

static int
cmp_of(const rj_tok_struct *t)
{
    switch (t->kind) {
    case RJ_TOK_EQ: return RJ_CMP_EQ;
    case RJ_TOK_NE: return RJ_CMP_NE;
    case RJ_TOK_LE: return RJ_CMP_LE;
    case RJ_TOK_GE: return RJ_CMP_GE;
    case RJ_TOK_LT: return RJ_CMP_LT;
    case RJ_TOK_GT: return RJ_CMP_GT;
    case RJ_TOK_APPROX: return RJ_CMP_APPROX;
    default: return -1;
    }
}

static rj_expr_ptr
parse_comparison(parser_t *P)
{
    rj_expr_ptr a = parse_expr(P), b, e;
    rj_tok_struct *t;
    int op;
    if (a == NULL)
        return NULL;
    t = peek(P);
    op = cmp_of(t);
    if (op < 0) {
        if (is_word(t, "within"))
            expected(P, t, "'within' belongs to an approximate comparison E1 ~= E2 "
                           "within TOL; expected an operator or the end of the formula");
        else
            return a;
        rj_expr_free(a);
        return NULL;
    }
    advance(P);
    b = parse_expr(P);
    if (b == NULL) {
        rj_expr_free(a);
        return NULL;
    }
    e = expr_new(RJ_EXPR_CMP, a->loc);
    e->op = op;
    expr_add_arg(e, a, NULL);
    expr_add_arg(e, b, NULL);
    if (op == RJ_CMP_APPROX) {
        rj_expr_ptr tol;
        if (!is_word(peek(P), "within")) {
            expected(P, peek(P), "expected 'within TOL' after the '~=' at %d:%d "
                                 "(an approximate comparison states its tolerance)",
                     t->line, t->col);
            rj_expr_free(e);
            return NULL;
        }
        advance(P);
        tol = parse_expr(P);
        if (tol == NULL) {
            rj_expr_free(e);
            return NULL;
        }
        expr_add_arg(e, tol, NULL);
    } else if (is_word(peek(P), "within")) {
        expected(P, peek(P), "'within' belongs to '~=' only; expected the end of the "
                             "comparison at %d:%d", t->line, t->col);
        rj_expr_free(e);
        return NULL;
    }
    if (cmp_of(peek(P)) >= 0) {
        expected(P, peek(P), "comparisons do not chain (write 'a < b and b < c'); "
                             "expected the end of the comparison at %d:%d", t->line, t->col);
        rj_expr_free(e);
        return NULL;
    }
    return e;
}

/* A deep copy of e (for the domain of each name of forall a, b in D). */
static rj_expr_ptr
expr_dup(const rj_expr_struct *e)
{
    rj_expr_ptr c = expr_new(e->kind, e->loc);
    slong i;
    c->op = e->op;
    fmpq_set(c->num, e->num);
    c->name = rj_strdup(e->name);
    c->str = rj_strdup(e->str);
    c->rows = e->rows;
    c->cols = e->cols;
    for (i = 0; i < e->nargs; i++)
        expr_add_named(c, expr_dup(e->args[i]),
                       e->argnames != NULL ? e->argnames[i] : NULL,
                       e->argnamelocs != NULL ? e->argnamelocs[i] : e->args[i]->loc);
    return c;
}

#define RJ_MAX_FORALL_NAMES 16

/* The family J_1..J_L after 'forall': first is "J_1"; the token after '..'
   must be J_ followed by a number or a name; sets *base ("J") and *upper. */
static int
parse_family(parser_t *P, const rj_tok_struct *first, char **base, rj_expr_ptr *upper)
{
    rj_tok_struct *t;
    size_t n = strlen(first->text);
    const char *rest;
    advance(P);                                   /* '..' */
    t = peek(P);
    if (n < 3 || strcmp(first->text + n - 2, "_1") != 0 || t->kind != RJ_TOK_IDENT
        || strncmp(t->text, first->text, n - 1) != 0 || t->text[n - 1] == '\0') {
        expected(P, t, "expected a family of matrices such as 'forall J_1..J_L in matrices' "
                       "(the first name ends in _1, the last has the same stem)");
        return 0;
    }
    advance(P);
    rest = t->text + n - 1;
    if (rest[0] >= '0' && rest[0] <= '9') {
        *upper = expr_new(RJ_EXPR_NUM, tok_loc(P, t));
        fmpz_set_str(fmpq_numref((*upper)->num), rest, 10);
    } else {
        *upper = expr_new(RJ_EXPR_IDENT, tok_loc(P, t));
        (*upper)->name = rj_strdup(rest);
    }
    *base = flint_malloc(n - 1);
    memcpy(*base, first->text, n - 2);
    (*base)[n - 2] = '\0';
    return 1;
}

/* forall NAME {',' NAME} in DOMAIN ':' formula, and forall J_1..J_L in
   matrices...: several names become nested quantifiers, each over a copy of
   the domain; `matrices` alone is the call matrices(); a family is the call
   with the key family = L (proofs/symbolic.md). */
static rj_expr_ptr
parse_forall(parser_t *P)
{
    rj_tok_struct *fa = advance(P), *t, *names[RJ_MAX_FORALL_NAMES], *last = NULL;
    rj_expr_ptr e = NULL, lo, hi = NULL, body, upper = NULL;
    rj_loc_t uloc = tok_loc(P, fa);
    char *base = NULL;
    slong nn = 0, i;
    for (;;) {
        t = peek(P);
        if (t->kind != RJ_TOK_IDENT || is_keyword(t->text)) {
            expected(P, t, "expected the bound variable's name after 'forall'");
            goto fail;
        }
        if (nn == RJ_MAX_FORALL_NAMES) {
            expected(P, t, "more than %d names in one 'forall'", RJ_MAX_FORALL_NAMES);
            goto fail;
        }
        names[nn++] = advance(P);
        if (nn == 1 && peek(P)->kind == RJ_TOK_DOTDOT) {
            uloc = tok_loc(P, peek_at(P, 1));
            if (!parse_family(P, t, &base, &upper))
                goto fail;
            last = P->toks + P->pos - 1;          /* J_L */
            break;
        }
        if (peek(P)->kind != RJ_TOK_COMMA)
            break;
        advance(P);
    }
    t = names[nn - 1];
    if (!is_word(peek(P), "in")) {
        expected(P, peek(P), "expected 'in' after 'forall %.60s'", t->text);
        goto fail;
    }
    advance(P);
    lo = parse_expr(P);
    if (lo == NULL)
        goto fail;
    if (lo->kind == RJ_EXPR_IDENT && strcmp(lo->name, "matrices") == 0)
        lo->kind = RJ_EXPR_CALL;                  /* matrices = matrices() */
    if (peek(P)->kind == RJ_TOK_DOTDOT && upper == NULL) {
        advance(P);
        hi = parse_expr(P);
        if (hi == NULL) {
            rj_expr_free(lo);
            goto fail;
        }
    } else if (lo->kind != RJ_EXPR_CALL
               || (upper != NULL && strcmp(lo->name, "matrices") != 0)) {
        if (upper != NULL)
            expected(P, peek(P), "expected 'matrices' or 'matrices(n, n)' after 'forall "
                                 "%.60s..%.60s in'", t->text, last->text);
        else
            expected(P, peek(P), "expected '..' (an integer range a..b) or a family such as "
                                 "random(...) or matrices after 'forall %.60s in'", t->text);
        rj_expr_free(lo);
        goto fail;
    }
    if (upper != NULL) {
        expr_add_named(lo, upper, "family", uloc);
        upper = NULL;
    }
    if (peek(P)->kind != RJ_TOK_COLON) {
        expected(P, peek(P), "expected ':' before the body of the 'forall' at %d:%d",
                 fa->line, fa->col);
        rj_expr_free(lo);
        rj_expr_free(hi);
        goto fail;
    }
    advance(P);
    body = parse_formula(P);
    if (body == NULL) {
        rj_expr_free(lo);
        rj_expr_free(hi);
        goto fail;
    }
    for (i = nn - 1; i >= 0; i--) {
        e = expr_new(hi != NULL ? RJ_EXPR_FORALL : RJ_EXPR_FORALL_RANDOM, tok_loc(P, fa));
        expr_add_arg(e, i > 0 ? expr_dup(lo) : lo, NULL);
        if (hi != NULL)
            expr_add_arg(e, i > 0 ? expr_dup(hi) : hi, NULL);
        e->name = rj_strdup(base != NULL ? base : names[i]->text);
        expr_add_arg(e, body, NULL);
        body = e;
    }
    flint_free(base);
    return e;
fail:
    flint_free(base);
    rj_expr_free(upper);
    return NULL;
}

static rj_expr_ptr
parse_neg(parser_t *P)
{
    rj_tok_struct *t = peek(P);
    rj_expr_ptr a, e;
    if (is_word(t, "forall")) {
        if (!enter(P, t))
            return NULL;
        e = parse_forall(P);
        leave(P);
        return e;
    }
    if (!is_word(t, "not"))
        return parse_comparison(P);
    advance(P);
    if (!enter(P, t))
        return NULL;
    a = parse_neg(P);
    leave(P);
    if (a == NULL)
        return NULL;
    e = expr_new(RJ_EXPR_NOT, tok_loc(P, t));
    expr_add_arg(e, a, NULL);
    return e;
}

/* conj / disj: flat lists */
static rj_expr_ptr
parse_conj(parser_t *P)
{
    rj_expr_ptr e = parse_neg(P), b, x = NULL;
    while (e != NULL && is_word(peek(P), "and")) {
        advance(P);
        b = parse_neg(P);
        if (b == NULL) {
            rj_expr_free(x != NULL ? x : e);
            return NULL;
        }
        if (x == NULL) {
            x = expr_new(RJ_EXPR_AND, e->loc);
            expr_add_arg(x, e, NULL);
        }
        expr_add_arg(x, b, NULL);
    }
    return x != NULL ? x : e;
}

static rj_expr_ptr
parse_formula(parser_t *P)
{
    rj_expr_ptr e = parse_conj(P), b, x = NULL;
    while (e != NULL && is_word(peek(P), "or")) {
        advance(P);
        b = parse_conj(P);
        if (b == NULL) {
            rj_expr_free(x != NULL ? x : e);
            return NULL;
        }
        if (x == NULL) {
            x = expr_new(RJ_EXPR_OR, e->loc);
            expr_add_arg(x, e, NULL);
        }
        expr_add_arg(x, b, NULL);
    }
    return x != NULL ? x : e;
}

static int parse_into(rj_prog_t prog, const char *text, const char *file, const char *dir,
                      int first_line, int embedded, include_stack *inc, rj_error_t err);

/* Add to err's message that the file it names was included at `at`: the
   first note opens " (included from F:L:C", later ones (outer files) add
   ", from F:L:C" inside the same parentheses. */
static void
note_from(rj_error_t err, rj_loc_t at)
{
    static const char mark[] = " (included from ";
    char buf[RJ_ERROR_MSG_LEN];
    size_t n;
    if (err == NULL)
        return;
    n = strlen(err->msg);
    if (n > 0 && err->msg[n - 1] == ')' && strstr(err->msg, mark) != NULL) {
        err->msg[n - 1] = '\0';
        snprintf(buf, sizeof(buf), "%.400s, from %.80s:%d:%d)", err->msg, at.file, at.line,
                 at.col);
    } else
        snprintf(buf, sizeof(buf), "%.400s%s%.80s:%d:%d)", err->msg, mark, at.file, at.line,
                 at.col);
    memcpy(err->msg, buf, sizeof(buf));
}

void
rj_prog_note_include(const rj_prog_t prog, rj_error_t err)
{
    const char *file = err->file;
    slong i, steps;
    /* each step goes one file out; nfiles steps reach the program's own file */
    for (steps = 0; steps < prog->nfiles; steps++) {
        for (i = 0; i < prog->nfiles; i++)
            if (strcmp(prog->files[i].path, file) == 0)
                break;
        if (i == prog->nfiles)
            return;
        note_from(err, prog->files[i].from);
        file = prog->files[i].from.file;
    }
}

rj_loc_t
rj_prog_top_loc(const rj_prog_t prog, rj_loc_t loc)
{
    slong i, steps;
    for (steps = 0; steps < prog->nfiles && loc.file != NULL; steps++) {
        for (i = 0; i < prog->nfiles; i++)
            if (prog->files[i].path == loc.file || strcmp(prog->files[i].path, loc.file) == 0)
                break;
        if (i == prog->nfiles)
            break;
        loc = prog->files[i].from;
    }
    return loc;
}

/* `include "FILE"` (the keyword is next, then the string): read FILE,
   relative to the directory of the file being parsed, into prog in place. */
static int
parse_include(parser_t *P, rj_prog_t prog)
{
    rj_tok_struct *t = advance(P), *f = advance(P);
    rj_loc_t at = tok_loc(P, t), fat = tok_loc(P, f);
    include_stack *inc = P->inc;
    rj_prog_file_struct *pf;
    char *dir, *path, *real, *text, chain[300];
    const char *ppath;
    slong i;
    int st, k;

    if (peek(P)->kind != RJ_TOK_EOS && peek(P)->kind != RJ_TOK_EOF) {
        expected(P, peek(P), "expected the end of the statement after include \"%.60s\"",
                 f->text);
        return 0;
    }
    advance(P);
    if (f->text[0] == '\0') {
        rj_error_set_loc(P->err, RJ_ERR_INPUT, fat, "include needs a file name");
        return 0;
    }
    dir = rj_path_dir(P->file);
    path = rj_path_join(dir, f->text);
    flint_free(dir);
    real = realpath(path, NULL);
    if (real == NULL) {
        rj_error_set_loc(P->err, RJ_ERR_IO, fat, "cannot include \"%.80s\" (%.120s): %s",
                         f->text, path, strerror(errno));
        flint_free(path);
        return 0;
    }
    for (k = 0; k < inc->depth; k++)
        if (inc->real[k] != NULL && strcmp(inc->real[k], real) == 0) {
            chain[0] = '\0';
            for (; k < inc->depth; k++)
                snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "%.60s -> ",
                         inc->path[k]);
            rj_error_set_loc(P->err, RJ_ERR_INPUT, at, "include cycle: %s%.60s", chain,
                             path);
            free(real);
            flint_free(path);
            return 0;
        }
    for (i = 0; i < prog->nfiles; i++)
        if (strcmp(prog->files[i].real, real) == 0) {
            /* already part of the program: each file enters once */
            free(real);
            flint_free(path);
            return 1;
        }
    if (inc->depth > RJ_MAX_INCLUDE_DEPTH) {
        rj_error_set_loc(P->err, RJ_ERR_LIMIT, at, "includes nested deeper than %d files "
                         "(limit RJ_MAX_INCLUDE_DEPTH)", RJ_MAX_INCLUDE_DEPTH);
        free(real);
        flint_free(path);
        return 0;
    }
    st = rj_parse_read_text(&text, path, P->err);
    if (st != RJ_OK) {
        char msg[RJ_ERROR_MSG_LEN];
        snprintf(msg, sizeof(msg), "%s", P->err->msg);
        if (P->err->line == 0)
            rj_error_set_loc(P->err, st, fat, "cannot include \"%.80s\": %.300s", f->text,
                             msg);
        else
            note_from(P->err, at);
        free(real);
        flint_free(path);
        return 0;
    }
    prog->files = flint_realloc(prog->files, (prog->nfiles + 1) * sizeof(rj_prog_file_struct));
    pf = prog->files + prog->nfiles++;
    pf->path = path;
    pf->real = rj_strdup(real);
    pf->dir = rj_path_dir(path);
    pf->from = at;
    free(real);
    ppath = pf->path;
    inc->real[inc->depth] = pf->real;
    inc->path[inc->depth] = ppath;
    inc->depth++;
    st = parse_into(prog, text, ppath, pf->dir, 1, 0, inc, P->err);
    inc->depth--;
    flint_free(text);
    if (st != RJ_OK) {
        note_from(P->err, at);
        return 0;
    }
    return 1;
}

static const char *verdict_words[] = { "PROVED", "REFUTED", "NOT_REFUTED", "UNDECIDED" };

static int
parse_statement(parser_t *P, rj_prog_t prog)
{
    rj_tok_struct *t = peek(P), *n;
    rj_stmt_struct *s;

    if (t->col != 1) {
        rj_error_set_loc(P->err, RJ_ERR_INPUT, tok_loc(P, t),
                         "expected a statement ('let' or 'claim') at column 1; an indented "
                         "line continues the statement before it, and there is none");
        return 0;
    }
    if (is_word(t, "include") && peek_at(P, 1)->kind == RJ_TOK_STRING)
        return parse_include(P, prog);
    if (!is_word(t, "let") && !is_word(t, "claim")) {
        expected(P, t, "expected 'let' or 'claim' at the start of a statement");
        return 0;
    }
    advance(P);
    n = peek(P);
    if (n->kind != RJ_TOK_IDENT || is_keyword(n->text)) {
        expected(P, n, "expected a name after '%s'", t->text);
        return 0;
    }
    advance(P);
    s = prog_push(prog);
    s->loc = tok_loc(P, t);
    s->name = rj_strdup(n->text);
    s->dir = P->dir;

    if (is_word(t, "let")) {
        s->kind = RJ_STMT_LET;
        if (peek(P)->kind != RJ_TOK_ASSIGN) {
            expected(P, peek(P), "expected '=' after 'let %.60s'", n->text);
            return 0;
        }
        advance(P);
        s->expr = parse_expr(P);
    } else {
        rj_tok_struct *v;
        int i;
        s->kind = RJ_STMT_CLAIM;
        /* `claim NAME ["REF" [expect VERDICT]]`: without `expect` the claim is
           exploratory (its verdict is reported, never counted); a claim that
           expects a verdict names its lesson reference */
        if (peek(P)->kind == RJ_TOK_STRING)
            s->ref = rj_strdup(advance(P)->text);
        else if (is_word(peek(P), "expect")) {
            expected(P, peek(P), "expected the lesson reference as a string after "
                                 "'claim %.60s' (e.g. \"Example 3\"): a claim that "
                                 "expects a verdict names its reference", n->text);
            return 0;
        }
        s->exploratory = 1;
        if (s->ref != NULL && is_word(peek(P), "expect")) {
            advance(P);
            v = peek(P);
            for (i = 0; i < 4; i++)
                if (is_word(v, verdict_words[i]))
                    break;
            if (i == 4) {
                expected(P, v, "expected a verdict (PROVED, REFUTED, NOT_REFUTED or "
                               "UNDECIDED)");
                return 0;
            }
            s->expect = (rj_verdict_kind) i;
            s->exploratory = 0;
            advance(P);
        } else if (s->ref != NULL && peek(P)->kind != RJ_TOK_COLON
                   && !is_word(peek(P), "note")) {
            expected(P, peek(P), "expected 'expect' and a verdict, 'note \"...\"' or ':' "
                                 "after the reference");
            return 0;
        }
        if (is_word(peek(P), "note")) {
            advance(P);
            if (peek(P)->kind != RJ_TOK_STRING) {
                expected(P, peek(P), "expected a string after 'note'");
                return 0;
            }
            s->note = rj_strdup(advance(P)->text);
        }
        if (peek(P)->kind != RJ_TOK_COLON) {
            expected(P, peek(P), "expected ':' before the claim's formula%s",
                     s->note == NULL ? " (or 'note \"...\"')" : "");
            return 0;
        }
        advance(P);
        s->expr = parse_formula(P);
    }
    if (s->expr == NULL)
        return 0;
    if (peek(P)->kind != RJ_TOK_EOS) {
        if (s->kind == RJ_STMT_LET && cmp_of(peek(P)) >= 0)
            expected(P, peek(P), "expected the end of the definition (comparisons belong "
                                 "in claims)");
        else if (peek(P)->kind == RJ_TOK_RPAREN || peek(P)->kind == RJ_TOK_RBRACK)
            expected(P, peek(P), "expected the end of the statement (no bracket is open)");
        else
            expected(P, peek(P), "expected an operator or the end of the statement");
        return 0;
    }
    advance(P);
    if (expr_depth(s->expr) > RJ_MAX_EXPR_DEPTH) {
        rj_error_set_loc(P->err, RJ_ERR_LIMIT, s->loc,
                         "expression of '%.60s' is nested deeper than %d levels (split it "
                         "with let)", s->name, RJ_MAX_EXPR_DEPTH);
        return 0;
    }
    return 1;
}

/* Lex text (toks initialised) as the lines first_line, ... of file and set
   P up to parse the tokens. */
static int
parser_start(parser_t *P, rj_toks_t toks, const char *text, const char *file,
             int first_line, rj_error_t err)
{
    int status;
    toks->first_line = first_line;
    status = _rj_lex(toks, text, file, err);
    P->toks = toks->toks;
    P->pos = 0;
    P->file = file;
    P->err = err;
    P->nesting = 0;
    P->embedded = 0;
    P->dir = NULL;
    P->inc = NULL;
    return status;
}

/* Parse text as the lines first_line, ... of file and append its statements
   to prog (embedded: the text is a block of that file; dir: an included
   file's directory, NULL for the program's own; inc: the files being read). */
static int
parse_into(rj_prog_t prog, const char *text, const char *file, const char *dir,
           int first_line, int embedded, include_stack *inc, rj_error_t err)
{
    rj_toks_t toks;
    parser_t P;
    int status;

    _rj_toks_init(toks);
    status = parser_start(&P, toks, text, file, first_line, err);
    P.embedded = embedded;
    P.dir = dir;
    P.inc = inc;
    if (status == RJ_OK) {
        while (peek(&P)->kind != RJ_TOK_EOF) {
            if (peek(&P)->kind == RJ_TOK_EOS) {
                advance(&P);
                continue;
            }
            if (!parse_statement(&P, prog)) {
                status = err != NULL && err->status != RJ_OK ? err->status : RJ_ERR_INPUT;
                break;
            }
        }
    }
    _rj_toks_clear(toks);
    return status;
}

static int
parse_text(rj_prog_t prog, const char *text, const char *file, int first_line, int embedded,
           rj_error_t err)
{
    include_stack inc;
    char *real;
    int status;
    if (prog->file == NULL)
        prog->file = rj_strdup(file != NULL ? file : "<input>");
    real = realpath(prog->file, NULL);     /* NULL: text that is no file */
    inc.real[0] = real;
    inc.path[0] = prog->file;
    inc.depth = 1;
    status = parse_into(prog, text, prog->file, NULL, first_line, embedded, &inc, err);
    free(real);
    if (status != RJ_OK)
        rj_prog_clear(prog);
    return status;
}

int
rj_parse_string(rj_prog_t prog, const char *text, const char *file, rj_error_t err)
{
    rj_prog_clear(prog);
    return parse_text(prog, text, file, 1, 0, err);
}

int
rj_parse_string_at(rj_prog_t prog, const char *text, const char *file, int first_line,
                   rj_error_t err)
{
    return parse_text(prog, text, file, first_line, 1, err);
}

int
rj_parse_formula(rj_expr_ptr *out, const char *text, const char *file, rj_error_t err)
{
    rj_toks_t toks;
    parser_t P;
    rj_expr_ptr e = NULL;
    int status;

    *out = NULL;
    _rj_toks_init(toks);
    status = parser_start(&P, toks, text, file, 1, err);
    if (status == RJ_OK) {
        while (peek(&P)->kind == RJ_TOK_EOS)
            advance(&P);
        if (peek(&P)->kind == RJ_TOK_EOF) {
            expected(&P, peek(&P), "expected a formula");
        } else if ((e = parse_formula(&P)) != NULL) {
            while (peek(&P)->kind == RJ_TOK_EOS)
                advance(&P);
            if (peek(&P)->kind != RJ_TOK_EOF)
                expected(&P, peek(&P), "expected an operator or the end of the formula");
            else if (expr_depth(e) > RJ_MAX_EXPR_DEPTH)
                rj_error_set_loc(err, RJ_ERR_LIMIT, e->loc, "the formula is nested deeper "
                                 "than %d levels", RJ_MAX_EXPR_DEPTH);
            else
                *out = e;
        }
        if (*out == NULL)
            status = err != NULL && err->status != RJ_OK ? err->status : RJ_ERR_INPUT;
    }
    if (*out == NULL)
        rj_expr_free(e);
    _rj_toks_clear(toks);
    return status;
}

/* Largest model/claim file read (bytes). */
#define RJ_MAX_FILE_SIZE (64L << 20)
#define RJ_READ_CHUNK (64L << 10)

int
rj_parse_file(rj_prog_t prog, const char *path, rj_error_t err)
{
    char *buf;
    int status;
    rj_prog_clear(prog);
    status = rj_parse_read_text(&buf, path, err);
    if (status != RJ_OK)
        return status;
    status = rj_parse_string(prog, buf, path, err);
    flint_free(buf);
    return status;
}

int
rj_parse_read_text(char **text, const char *path, rj_error_t err)
{
    FILE *f;
    char *buf;
    long size;
    size_t got, i;
    int status;

    *text = NULL;
    status = rj_file_open_read(&f, path, "a model or claim file", err);
    if (status != RJ_OK)
        return status;
    /* read to the end (a size from stat or ftell is 0 for files such as
       /proc's), refusing more than the limit */
    buf = flint_malloc(RJ_READ_CHUNK + 1);
    got = 0;
    size = RJ_READ_CHUNK;
    for (;;) {
        size_t n = fread(buf + got, 1, (size_t) size - got, f);
        got += n;
        if (n == 0 || ferror(f))
            break;
        if (got == (size_t) size) {
            if (size > RJ_MAX_FILE_SIZE)
                break;
            size = FLINT_MIN(2 * size, RJ_MAX_FILE_SIZE + 1);
            buf = flint_realloc(buf, size + 1);
        }
    }
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        flint_free(buf);
        return rj_error_set_loc(err, RJ_ERR_IO, (rj_loc_t) { path, 0, 0 },
                                "read error: %s", strerror(e));
    }
    fclose(f);
    if (got > (size_t) RJ_MAX_FILE_SIZE) {
        flint_free(buf);
        return rj_error_set_loc(err, RJ_ERR_LIMIT, (rj_loc_t) { path, 0, 0 },
                                "file of more than %ld bytes exceeds the limit of %ld bytes",
                                RJ_MAX_FILE_SIZE, RJ_MAX_FILE_SIZE);
    }
    buf[got] = '\0';
    for (i = 0; i < got; i++) {
        if (buf[i] == '\0') {
            int line = 1, col = 1;
            size_t j;
            for (j = 0; j < i; j++) {
                if (buf[j] == '\n') {
                    line++;
                    col = 1;
                } else
                    col++;
            }
            flint_free(buf);
            return rj_error_set_loc(err, RJ_ERR_INPUT, (rj_loc_t) { path, line, col },
                                    "NUL byte in the file (not a text file?)");
        }
    }
    *text = buf;
    return RJ_OK;
}
