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


/* ------------------------------------------------------------ numbers in evidence */

char *
cl_q_text(const fmpq_t q, slong maxlen)
{
    char *s;
    mpfr_t f;
    if (fmpz_sizeinbase(fmpq_numref(q), 10) + fmpz_sizeinbase(fmpq_denref(q), 10) + 2
        <= (size_t) maxlen)
        return fmpq_get_str(NULL, 10, q);
    s = rj_fmpq_get_str_short(q, maxlen);
    if (s[0] != '~')
        return s;                       /* exact in a short form: +-10^k, 2^-k */
    flint_free(s);
    mpfr_init2(f, 64);
    fmpq_get_mpfr(f, q, MPFR_RNDN);
    s = NULL;
    {
        char *t = NULL;
        mpfr_asprintf(&t, "~%.17Rg (exact: --exact)", f);
        s = rj_strdup(t);
        mpfr_free_str(t);
    }
    mpfr_clear(f);
    return s;
}

/* A matrix with every entry in cl_q_text's form, cut after about maxlen
   characters; column vectors as [a, b], others as [[a, b], [c, d]]. */
static char *
mat_text(const fmpq_mat_t A, slong maxlen)
{
    slong i, j, r = fmpq_mat_nrows(A), c = fmpq_mat_ncols(A);
    slong elen = FLINT_MAX(24, maxlen / 4);
    cl_sbuf b;
    cl_sb_init(&b);
    if (r == 0 || c == 0) {
        cl_sb_printf(&b, "(empty %ld x %ld matrix)", (long) r, (long) c);
        return cl_sb_take(&b);
    }
    cl_sb_puts(&b, "[");
    for (i = 0; i < r; i++) {
        if (c > 1)
            cl_sb_puts(&b, i > 0 ? ", [" : "[");
        for (j = 0; j < c; j++) {
            char *t;
            if (j > 0 || (c == 1 && i > 0))
                cl_sb_puts(&b, ", ");
            if (b.len > maxlen) {
                cl_sb_printf(&b, "... (a %ld x %ld matrix)%s", (long) r, (long) c,
                             c > 1 ? "]]" : "]");
                return cl_sb_take(&b);
            }
            t = cl_q_text(fmpq_mat_entry(A, i, j), elen);
            cl_sb_puts(&b, t);
            flint_free(t);
        }
        if (c > 1)
            cl_sb_puts(&b, "]");
    }
    cl_sb_puts(&b, "]");
    return cl_sb_take(&b);
}

char *
cl_val_text(const rj_val_struct *v, slong maxlen)
{
    if (v->kind == RJ_VAL_NUM)
        return cl_q_text(v->num, maxlen);
    if (v->kind == RJ_VAL_MAT)
        return mat_text(v->mat, maxlen);
    return rj_val_get_str_short(v, maxlen);
}
