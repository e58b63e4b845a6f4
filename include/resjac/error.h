/* resjac: status codes and error reports shared by every module.
 *
 * Every fallible library function returns an int status with one meaning across
 * the library and, when it fails, fills a caller-provided rj_error_t.  The library
 * never prints and never exits; the resjac tool maps statuses to messages and
 * exit codes (RJ_ERR_INPUT, RJ_ERR_LIMIT, RJ_ERR_MEMORY -> exit 2). */
#ifndef RESJAC_ERROR_H
#define RESJAC_ERROR_H

#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The statuses every fallible function returns (0 is success). */
enum {
    RJ_OK = 0,
    RJ_ERR_INPUT = 1,     /* bad input: file, syntax, shapes, numbers, options */
    RJ_ERR_LIMIT = 2,     /* a stated limit (depth, width, enumeration, precision) */
    RJ_ERR_MEMORY = 3,    /* allocation failed */
    RJ_ERR_DOMAIN = 4,    /* a layer cannot compute this (e.g. tanh in the exact layer) */
    RJ_ERR_IO = 5,        /* a file could not be read or written */
    RJ_ERR_INTERNAL = 6   /* an invariant failed: a bug in resjac */
};

/* Room for a message, NUL included; longer messages are cut. */
#define RJ_ERROR_MSG_LEN 512

/* Where in an input file something happened; line and column count from 1,
   0 means unknown. */
typedef struct {
    const char *file; /* not owned; may be NULL */
    int line;
    int col;
} rj_loc_t;

/* An error report, filled by the function that fails: its status, where in
   which input file (when known), and a message.  It holds no pointers: it
   can be copied and needs no clearing.  rj_error_t is the one-element array
   that every function takes. */
typedef struct {
    int status;
    char file[256];   /* "" when the error has no file */
    int line;         /* 0 when unknown */
    int col;          /* 0 when unknown */
    char msg[RJ_ERROR_MSG_LEN];
} rj_error_struct;

/* What functions take: a caller-allocated report (rj_error_struct). */
typedef rj_error_struct rj_error_t[1];

/* Reset to RJ_OK with an empty message. */
void rj_error_init(rj_error_t err);

/* Record a failure; returns status so callers can write
   `return rj_error_set(err, RJ_ERR_INPUT, "...")`.  err may be NULL. */
int rj_error_set(rj_error_t err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with a location in an input file. */
int rj_error_set_loc(rj_error_t err, int status, rj_loc_t loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Format "file:line:col: msg" (omitting the parts that are unknown) into buf. */
void rj_error_format(char *buf, int len, const rj_error_t err);

/* Short name of a status ("bad input", "limit exceeded", ...). */
const char *rj_status_name(int status);

/* A copy of s made with flint_malloc (flint_free it); NULL gives NULL.  The
   library's one string duplicator. */
char *rj_strdup(const char *s);

/* Internal invariants: free in release builds (-DNDEBUG), abort with a message
   otherwise.  Never used for conditions that bad input can cause.
   rj_assert_fail is declared and exported in both builds: the library's ABI
   does not depend on NDEBUG. */
void rj_assert_fail(const char *cond, const char *file, int line);
#ifdef NDEBUG
#define RJ_ASSERT(c) ((void) 0)
#else
#define RJ_ASSERT(c) ((c) ? (void) 0 : rj_assert_fail(#c, __FILE__, __LINE__))
#endif

#ifdef __cplusplus
}
#endif

#endif
