/* resjac claims: growing strings (cl_sbuf), formatted copies and cuts, and
 * locating errors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ strings */

void
cl_sb_init(cl_sbuf *b)
{
    b->s = NULL;
    b->len = b->alloc = 0;
}

void
cl_sb_clear(cl_sbuf *b)
{
    flint_free(b->s);
    cl_sb_init(b);
}

static void
sb_reserve(cl_sbuf *b, slong extra)
{
    if (b->len + extra + 1 > b->alloc) {
        b->alloc = FLINT_MAX(2 * b->alloc, b->len + extra + 64);
        b->s = flint_realloc(b->s, b->alloc);
    }
}

void
cl_sb_puts(cl_sbuf *b, const char *s)
{
    slong n = strlen(s);
    sb_reserve(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static void
sb_vprintf(cl_sbuf *b, const char *fmt, va_list ap)
{
    va_list aq;
    int n;
    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return;
    sb_reserve(b, n);
    vsnprintf(b->s + b->len, n + 1, fmt, ap);
    b->len += n;
}

void
cl_sb_printf(cl_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

char *
cl_sb_take(cl_sbuf *b)
{
    char *s;
    if (b->s == NULL)
        cl_sb_puts(b, "");
    s = b->s;
    cl_sb_init(b);
    return s;
}

char *
cl_printf(const char *fmt, ...)
{
    cl_sbuf b;
    va_list ap;
    cl_sb_init(&b);
    cl_sb_puts(&b, "");
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    return cl_sb_take(&b);
}

int
cl_locate(rj_error_t err, int status, rj_loc_t loc)
{
    if (err != NULL && err->line == 0 && loc.line > 0) {
        char msg[RJ_ERROR_MSG_LEN];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        rj_error_set_loc(err, status, loc, "%s", msg);
    }
    if (err != NULL)
        err->status = status;
    return status;
}

