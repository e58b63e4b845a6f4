/* resjac: the language's lexer (see src/model/lex.h and proofs/LANGUAGE.md). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <flint/fmpz.h>

#include "resjac/lang.h"
#include "lex.h"

void
_rj_toks_init(rj_toks_t t)
{
    t->len = t->alloc = 0;
    t->toks = NULL;
    t->first_line = 1;
}

void
_rj_toks_clear(rj_toks_t t)
{
    slong i;
    for (i = 0; i < t->len; i++) {
        flint_free(t->toks[i].text);
        fmpq_clear(t->toks[i].num);
    }
    flint_free(t->toks);
    _rj_toks_init(t);
}

static rj_tok_struct *
push(rj_toks_t t, rj_tok_kind kind, int line, int col)
{
    rj_tok_struct *k;
    if (t->len == t->alloc) {
        t->alloc = FLINT_MAX(64, 2 * t->alloc);
        t->toks = flint_realloc(t->toks, t->alloc * sizeof(rj_tok_struct));
    }
    k = t->toks + t->len++;
    k->kind = kind;
    k->line = line;
    k->col = col;
    k->text = NULL;
    fmpq_init(k->num);
    return k;
}

const char *
_rj_tok_kind_str(rj_tok_kind k)
{
    switch (k) {
    case RJ_TOK_EOF: return "end of file";
    case RJ_TOK_EOS: return "end of statement";
    case RJ_TOK_IDENT: return "a name";
    case RJ_TOK_NUM: return "a number";
    case RJ_TOK_STRING: return "a string";
    case RJ_TOK_LPAREN: return "'('";
    case RJ_TOK_RPAREN: return "')'";
    case RJ_TOK_LBRACK: return "'['";
    case RJ_TOK_RBRACK: return "']'";
    case RJ_TOK_COMMA: return "','";
    case RJ_TOK_COLON: return "':'";
    case RJ_TOK_DOTDOT: return "'..'";
    case RJ_TOK_ASSIGN: return "'='";
    case RJ_TOK_EQ: return "'=='";
    case RJ_TOK_NE: return "'!='";
    case RJ_TOK_LE: return "'<='";
    case RJ_TOK_GE: return "'>='";
    case RJ_TOK_LT: return "'<'";
    case RJ_TOK_GT: return "'>'";
    case RJ_TOK_APPROX: return "'~='";
    case RJ_TOK_PLUS: return "'+'";
    case RJ_TOK_MINUS: return "'-'";
    case RJ_TOK_STAR: return "'*'";
    case RJ_TOK_SLASH: return "'/'";
    case RJ_TOK_CARET: return "'^'";
    case RJ_TOK_QUOTE: return "'''";
    default: return "a token";
    }
}

/* Length of the well-formed UTF-8 sequence at p (0 if malformed), and its
   code point. */
static int
utf8_seq(const unsigned char *p, uint32_t *cp)
{
    int n, i;
    uint32_t c;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    } else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2; c = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3; c = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4; c = p[0] & 0x07;
    } else
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff))
        || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* The ASCII spelling of a few symbols people type from the lesson. */
static const char *
ascii_hint(uint32_t cp)
{
    switch (cp) {
    case 0x2264: return "'<='";
    case 0x2265: return "'>='";
    case 0x2260: return "'!='";
    case 0x2248: return "'~= ... within TOL'";
    case 0x00d7: case 0x00b7: case 0x22c5: return "'*'";
    case 0x2212: case 0x2013: return "'-'";
    case 0x03a3: case 0x2211: return "'sum(k in a..b: E)'";
    case 0x220f: return "'prod(l in a..b: E)'";
    case 0x2200: return "'forall'";
    case 0x2032: case 0x1d40: return "''' (transpose)";
    case 0x00b2: return "'^2'";
    case 0x2227: return "'and'";
    case 0x2228: return "'or'";
    case 0x00ac: return "'not'";
    case 0x03c3: return "'sigma' (a name)";
    case 0x03b1: return "'alpha' (a name)";
    case 0x201c: case 0x201d: return "'\"'";
    default: return NULL;
    }
}

static int
lex_error(rj_error_t err, int status, const char *file, int line, int col,
          const char *fmt, const char *a, const char *b)
{
    rj_loc_t loc;
    loc.file = file;
    loc.line = line;
    loc.col = col;
    return rj_error_set_loc(err, status, loc, fmt, a, b);
}

static int
non_ascii_error(const unsigned char *p, const char *file, int line, int col,
                rj_error_t err)
{
    uint32_t cp;
    char what[64];
    const char *hint;
    int n = utf8_seq(p, &cp);
    if (n == 0) {
        snprintf(what, sizeof(what), "0x%02X", (unsigned) p[0]);
        return lex_error(err, RJ_ERR_INPUT, file, line, col,
                         "byte %s is not ASCII (and not valid UTF-8): the language is "
                         "plain ASCII%s", what, "");
    }
    snprintf(what, sizeof(what), "U+%04X", (unsigned) cp);
    hint = ascii_hint(cp);
    if (hint != NULL)
        return lex_error(err, RJ_ERR_INPUT, file, line, col,
                         "character %s is not ASCII: the language is plain ASCII "
                         "(UTF-8 only inside strings and comments); write %s", what, hint);
    return lex_error(err, RJ_ERR_INPUT, file, line, col,
                     "character %s is not ASCII: the language is plain ASCII "
                     "(UTF-8 only inside strings and comments)%s", what, "");
}

static int
is_ident_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int
is_ident_char(int c)
{
    return is_ident_start(c) || is_digit(c);
}

/* Value of digits * 10^exp10 as a canonical fraction. */
static void
decimal_value(fmpq_t q, const char *digits, slong exp10)
{
    fmpz_t p;
    fmpz_init(p);
    fmpz_set_str(fmpq_numref(q), digits, 10);
    fmpz_one(fmpq_denref(q));
    if (exp10 > 0) {
        fmpz_set_ui(p, 10);
        fmpz_pow_ui(p, p, (ulong) exp10);
        fmpz_mul(fmpq_numref(q), fmpq_numref(q), p);
    } else if (exp10 < 0) {
        fmpz_set_ui(fmpq_denref(q), 10);
        fmpz_pow_ui(fmpq_denref(q), fmpq_denref(q), (ulong) (-exp10));
        fmpq_canonicalise(q);
    }
    fmpz_clear(p);
}

/* Is the line starting at p (after blank and comment lines) indented?  Returns
   1 for an indented content line, 0 for a content line at column 1 or the end
   of the text.  Every line start between p and that content line has the same
   answer, so the scan is remembered in *seen (the start of the content line, or
   of the end of the text) and *ans: a later call from a line start at or
   before *seen answers at once, and the lexer stays linear in the text however
   many blank or comment lines follow each other. */
static int
next_content_indented(const char *p, const char **seen, int *ans)
{
    const char *r;
    if (*seen != NULL && p <= *seen)
        return *ans;
    for (;;) {
        r = p;
        while (*r == ' ' || *r == '\t' || *r == '\r')
            r++;
        if (*r == '#') {
            while (*r != '\0' && *r != '\n')
                r++;
        }
        if (*r == '\n') {
            p = r + 1;
            continue;
        }
        *seen = p;
        *ans = (*r != '\0') && r != p && (*p == ' ' || *p == '\t');
        return *ans;
    }
}

int
_rj_lex(rj_toks_t t, const char *text, const char *file, rj_error_t err)
{
    const unsigned char *p = (const unsigned char *) text;
    const unsigned char *lstart = p;   /* start of the current line */
    int line = t->first_line, depth = 0, status = RJ_OK;
    const char *seen = NULL;           /* next_content_indented's memory */
    slong stmt_start = 0;              /* the current statement's first token */
    int seen_ans = 0;
    rj_tok_struct *k;

#define COL ((int) (p - lstart) + 1)

    for (;;) {
        int c = *p;
        int col = COL;
        if (t->len > 0 && t->toks[t->len - 1].kind == RJ_TOK_EOS)
            stmt_start = t->len;
        else if (t->len - stmt_start > RJ_MAX_STMT_TOKENS) {
            rj_tok_struct *s0 = t->toks + stmt_start;
            return rj_error_set_loc(err, RJ_ERR_LIMIT, (rj_loc_t) { file, s0->line, s0->col },
                                    "statement of more than %ld tokens (limit "
                                    "RJ_MAX_STMT_TOKENS; the token past it is at line %d): "
                                    "split it, or load large data with load(\"file.npy\")",
                                    (long) RJ_MAX_STMT_TOKENS, t->toks[t->len - 1].line);
        }
        if (c == '\0')
            break;
        if (c == ' ' || c == '\t' || c == '\r') {
            p++;
            continue;
        }
        if (c == '#') {
            while (*p != '\0' && *p != '\n') {
                if (*p >= 0x80) {
                    uint32_t cp;
                    int n = utf8_seq(p, &cp);
                    if (n == 0)
                        return non_ascii_error(p, file, line, COL, err);
                    p += n;
                } else
                    p++;
            }
            continue;
        }
        if (c == '\n') {
            p++;
            line++;
            lstart = p;
            if (depth > 0)
                continue;
            if (next_content_indented((const char *) p, &seen, &seen_ans))
                continue;
            if (t->len > 0 && t->toks[t->len - 1].kind != RJ_TOK_EOS)
                push(t, RJ_TOK_EOS, line - 1, col);
            continue;
        }
        if (c >= 0x80)
            return non_ascii_error(p, file, line, col, err);
        if (c < 0x20 || c == 0x7f) {
            char what[16];
            snprintf(what, sizeof(what), "0x%02X", (unsigned) c);
            return lex_error(err, RJ_ERR_INPUT, file, line, col,
                             "unexpected control character %s%s", what, "");
        }

        if (is_ident_start(c)) {
            const unsigned char *s = p;
            while (is_ident_char(*p))
                p++;
            k = push(t, RJ_TOK_IDENT, line, col);
            k->text = flint_malloc(p - s + 1);
            memcpy(k->text, s, p - s);
            k->text[p - s] = '\0';
            continue;
        }

        if (is_digit(c)) {
            const unsigned char *s = p;
            char *digits;
            slong nd = 0, frac = 0, ex = 0;
            int exsign = 1;
            while (is_digit(*p))
                p++;
            if (*p == '.' && p[1] != '.') {
                if (!is_digit(p[1]))
                    return lex_error(err, RJ_ERR_INPUT, file, line, COL + 1,
                                     "expected a digit after the decimal point%s%s", "", "");
                p++;
                while (is_digit(*p)) {
                    p++;
                    frac++;
                }
            }
            /* the mantissa's digits, without the point */
            digits = flint_malloc(p - s + 1);
            {
                const unsigned char *r;
                for (r = s; r < p; r++)
                    if (*r != '.')
                        digits[nd++] = (char) *r;
                digits[nd] = '\0';
            }
            if (*p == 'e' || *p == 'E') {
                const unsigned char *e = p;
                p++;
                if (*p == '+' || *p == '-') {
                    exsign = (*p == '-') ? -1 : 1;
                    p++;
                }
                if (!is_digit(*p)) {
                    flint_free(digits);
                    return lex_error(err, RJ_ERR_INPUT, file, line, (int) (e - lstart) + 1,
                                     "expected digits in the exponent after '%s'%s",
                                     (*e == 'e') ? "e" : "E", "");
                }
                while (is_digit(*p)) {
                    if (ex <= RJ_MAX_LITERAL_EXP)
                        ex = 10 * ex + (*p - '0');
                    p++;
                }
                if (ex > RJ_MAX_LITERAL_EXP) {
                    flint_free(digits);
                    return rj_error_set_loc(err, RJ_ERR_LIMIT,
                                            (rj_loc_t) { file, line, col },
                                            "exponent of the number literal exceeds the "
                                            "limit %d", RJ_MAX_LITERAL_EXP);
                }
            }
            if (is_ident_char(*p) || (*p == '.' && p[1] != '.')) {
                flint_free(digits);
                return rj_error_set_loc(err, RJ_ERR_INPUT, (rj_loc_t) { file, line, COL },
                                        "unexpected '%c' right after the number that starts "
                                        "at %d:%d", *p, line, col);
            }
            k = push(t, RJ_TOK_NUM, line, col);
            decimal_value(k->num, digits, exsign * ex - frac);
            flint_free(digits);
            continue;
        }

        if (c == '"') {
            const unsigned char *r = p + 1;
            char *buf;
            slong n = 0;
            /* first pass: find the end and check the contents */
            while (*r != '"') {
                if (*r == '\0' || *r == '\n')
                    return lex_error(err, RJ_ERR_INPUT, file, line, col,
                                     "unterminated string: expected '\"' before the end of "
                                     "the line%s%s", "", "");
                if (*r == '\\') {
                    if (r[1] != '"' && r[1] != '\\' && r[1] != 'n' && r[1] != 't') {
                        char what[8];
                        snprintf(what, sizeof(what), "\\%c", r[1] >= 0x20 && r[1] < 0x7f
                                                             ? r[1] : '?');
                        return lex_error(err, RJ_ERR_INPUT, file, line,
                                         (int) (r - lstart) + 1,
                                         "unknown escape '%s' in a string (use \\\", \\\\, "
                                         "\\n or \\t)%s", what, "");
                    }
                    r += 2;
                } else if (*r >= 0x80) {
                    uint32_t cp;
                    int m = utf8_seq(r, &cp);
                    if (m == 0)
                        return non_ascii_error(r, file, line, (int) (r - lstart) + 1, err);
                    r += m;
                } else if (*r < 0x20 && *r != '\t') {
                    char what[16];
                    snprintf(what, sizeof(what), "0x%02X", (unsigned) *r);
                    return lex_error(err, RJ_ERR_INPUT, file, line, (int) (r - lstart) + 1,
                                     "unexpected control character %s in a string%s",
                                     what, "");
                } else
                    r++;
            }
            buf = flint_malloc(r - p);
            for (p = p + 1; p < r; p++) {
                if (*p == '\\') {
                    p++;
                    buf[n++] = (*p == 'n') ? '\n' : (*p == 't') ? '\t' : (char) *p;
                } else
                    buf[n++] = (char) *p;
            }
            buf[n] = '\0';
            p = r + 1;
            k = push(t, RJ_TOK_STRING, line, col);
            k->text = buf;
            continue;
        }

        {
            rj_tok_kind kind;
            int len = 1;
            switch (c) {
            case '(': kind = RJ_TOK_LPAREN; depth++; break;
            case '[': kind = RJ_TOK_LBRACK; depth++; break;
            case ')': kind = RJ_TOK_RPAREN; if (depth > 0) depth--; break;
            case ']': kind = RJ_TOK_RBRACK; if (depth > 0) depth--; break;
            case ',': kind = RJ_TOK_COMMA; break;
            case ':': kind = RJ_TOK_COLON; break;
            case '+': kind = RJ_TOK_PLUS; break;
            case '-': kind = RJ_TOK_MINUS; break;
            case '*': kind = RJ_TOK_STAR; break;
            case '/': kind = RJ_TOK_SLASH; break;
            case '^': kind = RJ_TOK_CARET; break;
            case '\'': kind = RJ_TOK_QUOTE; break;
            case '.':
                if (p[1] != '.')
                    return lex_error(err, RJ_ERR_INPUT, file, line, col,
                                     "unexpected '.': ranges are written a..b and decimals "
                                     "need a leading digit (0.5)%s%s", "", "");
                kind = RJ_TOK_DOTDOT; len = 2;
                break;
            case '=':
                if (p[1] == '=') { kind = RJ_TOK_EQ; len = 2; } else kind = RJ_TOK_ASSIGN;
                break;
            case '!':
                if (p[1] != '=')
                    return lex_error(err, RJ_ERR_INPUT, file, line, col,
                                     "expected '!=' (write 'not F' for negation)%s%s", "", "");
                kind = RJ_TOK_NE; len = 2;
                break;
            case '<':
                if (p[1] == '=') { kind = RJ_TOK_LE; len = 2; } else kind = RJ_TOK_LT;
                break;
            case '>':
                if (p[1] == '=') { kind = RJ_TOK_GE; len = 2; } else kind = RJ_TOK_GT;
                break;
            case '~':
                if (p[1] != '=')
                    return lex_error(err, RJ_ERR_INPUT, file, line, col,
                                     "expected '~=' (approximately: E1 ~= E2 within TOL)%s%s",
                                     "", "");
                kind = RJ_TOK_APPROX; len = 2;
                break;
            default: {
                char what[8];
                snprintf(what, sizeof(what), "%c", c);
                return lex_error(err, RJ_ERR_INPUT, file, line, col,
                                 "unexpected character '%s'%s", what, "");
            }
            }
            push(t, kind, line, col);
            p += len;
        }
    }
    /* with a bracket still open the statement cannot end: the parser then
       reports the missing bracket at the end of the file */
    if (depth == 0 && t->len > 0 && t->toks[t->len - 1].kind != RJ_TOK_EOS)
        push(t, RJ_TOK_EOS, line, COL);
    push(t, RJ_TOK_EOF, line, COL);
#undef COL
    return status;
}
