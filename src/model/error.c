/* resjac: error reports (see include/resjac/error.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/flint.h>

#include "resjac/error.h"

char *
rj_strdup(const char *s)
{
    size_t n;
    char *t;
    if (s == NULL)
        return NULL;
    n = strlen(s);
    t = flint_malloc(n + 1);
    memcpy(t, s, n + 1);
    return t;
}

void
rj_error_init(rj_error_t err)
{
    memset(err, 0, sizeof(rj_error_struct));
}

static int
error_vset(rj_error_t err, int status, rj_loc_t loc, const char *fmt, va_list ap)
{
    if (err == NULL)
        return status;
    err->status = status;
    if (loc.file != NULL)
        snprintf(err->file, sizeof(err->file), "%s", loc.file);
    else
        err->file[0] = '\0';
    err->line = loc.line;
    err->col = loc.col;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return status;
}

int
rj_error_set(rj_error_t err, int status, const char *fmt, ...)
{
    va_list ap;
    rj_loc_t none = { NULL, 0, 0 };
    va_start(ap, fmt);
    status = error_vset(err, status, none, fmt, ap);
    va_end(ap);
    return status;
}

int
rj_error_set_loc(rj_error_t err, int status, rj_loc_t loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    status = error_vset(err, status, loc, fmt, ap);
    va_end(ap);
    return status;
}

void
rj_error_format(char *buf, int len, const rj_error_t err)
{
    if (err->file[0] != '\0' && err->line > 0 && err->col > 0)
        snprintf(buf, len, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
    else if (err->file[0] != '\0' && err->line > 0)
        snprintf(buf, len, "%s:%d: %s", err->file, err->line, err->msg);
    else if (err->file[0] != '\0')
        snprintf(buf, len, "%s: %s", err->file, err->msg);
    else
        snprintf(buf, len, "%s", err->msg);
}

const char *
rj_status_name(int status)
{
    switch (status) {
    case RJ_OK: return "ok";
    case RJ_ERR_INPUT: return "bad input";
    case RJ_ERR_LIMIT: return "limit exceeded";
    case RJ_ERR_MEMORY: return "out of memory";
    case RJ_ERR_DOMAIN: return "outside this layer's domain";
    case RJ_ERR_IO: return "input/output error";
    default: return "internal error";
    }
}

void
rj_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "resjac: internal invariant failed: %s (%s:%d)\n", cond, file, line);
    abort();
}
