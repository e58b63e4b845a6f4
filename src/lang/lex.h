/* resjac: the language's tokens (internal to src/model).
 *
 * The lexer turns a whole file into an array of tokens.  Statements end with
 * an RJ_TOK_EOS token: a line break ends a statement unless a '(' or '[' is
 * open or the next non-blank line is indented (LANGUAGE.md).  Blank lines and
 * comment lines never end or start anything. */
#ifndef RESJAC_MODEL_LEX_H
#define RESJAC_MODEL_LEX_H

#include <flint/fmpq.h>

#include "resjac/error.h"

typedef enum {
    RJ_TOK_EOF = 0,
    RJ_TOK_EOS,        /* end of statement (a line break at depth 0) */
    RJ_TOK_IDENT,
    RJ_TOK_NUM,
    RJ_TOK_STRING,
    RJ_TOK_LPAREN, RJ_TOK_RPAREN, RJ_TOK_LBRACK, RJ_TOK_RBRACK,
    RJ_TOK_COMMA, RJ_TOK_COLON, RJ_TOK_DOTDOT,
    RJ_TOK_ASSIGN,     /* = */
    RJ_TOK_EQ, RJ_TOK_NE, RJ_TOK_LE, RJ_TOK_GE, RJ_TOK_LT, RJ_TOK_GT, RJ_TOK_APPROX,
    RJ_TOK_PLUS, RJ_TOK_MINUS, RJ_TOK_STAR, RJ_TOK_SLASH, RJ_TOK_CARET,
    RJ_TOK_QUOTE       /* postfix ' (transpose) */
} rj_tok_kind;

typedef struct {
    rj_tok_kind kind;
    int line, col;
    char *text;        /* IDENT: the name; STRING: the contents (escapes done) */
    fmpq_t num;        /* NUM: the exact value */
} rj_tok_struct;

typedef struct {
    slong len, alloc;
    rj_tok_struct *toks;
    int first_line;    /* the line number of the text's first line (init: 1) */
} rj_toks_struct;
typedef rj_toks_struct rj_toks_t[1];

void _rj_toks_init(rj_toks_t t);
void _rj_toks_clear(rj_toks_t t);
/* Tokenise text; on error fills err (file:line:col) and returns a status. */
int _rj_lex(rj_toks_t t, const char *text, const char *file, rj_error_t err);
/* "')'", "end of line", ... for messages. */
const char *_rj_tok_kind_str(rj_tok_kind k);

/* Largest |exponent| accepted in scientific notation (1e100000 has 100001
   digits; beyond this a literal is a limit error, not a hang). */
#define RJ_MAX_LITERAL_EXP 100000

#endif
