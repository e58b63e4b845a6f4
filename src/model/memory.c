/* resjac: the memory limit of a run (RJ_MAX_BYTES, resjac/model.h) and the
 * counting allocator behind FLINT, GMP and MPFR.
 *
 * Every block the counting allocator hands out carries a 16-byte header with
 * its size, so free and realloc know what they give back without asking the
 * caller (FLINT's free has no size; GMP's sizes are not always the allocated
 * ones).  The count is atomic: the fast layer's threads never allocate through
 * FLINT, but nothing here depends on that. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <gmp.h>

#include "resjac/model.h"

static size_t max_bytes_set;           /* 0: the default */
static size_t in_use;
static void (*over_handler)(size_t request, size_t in_use, size_t limit);
static rj_loc_t where;

#define HEADER 16                      /* keeps the 16-byte alignment of malloc */

size_t
rj_max_bytes_for_machine(void)
{
    size_t m = RJ_MAX_BYTES_DEFAULT;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    struct rlimit rl;
    if (pages > 0 && psize > 0)
        m = FLINT_MIN(m, (size_t) ((double) pages * (double) psize / 2));
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        m = FLINT_MIN(m, (size_t) (rl.rlim_cur / 4 * 3));
    if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        m = FLINT_MIN(m, (size_t) (rl.rlim_cur / 4 * 3));
    return m;
}

size_t
rj_max_bytes(void)
{
    return max_bytes_set != 0 ? max_bytes_set : RJ_MAX_BYTES_DEFAULT;
}

void
rj_set_max_bytes(size_t bytes)
{
    max_bytes_set = bytes;
}

size_t
rj_memory_in_use(void)
{
    return __atomic_load_n(&in_use, __ATOMIC_RELAXED);
}

void
rj_memory_set_where(rj_loc_t loc)
{
    where = loc;
}

rj_loc_t
rj_memory_where(void)
{
    return where;
}

/* Take n more bytes into the count, or refuse (0) when the total would pass
   the limit and there is a handler (which does not return) or none. */
static int
take(size_t n)
{
    size_t now = __atomic_add_fetch(&in_use, n, __ATOMIC_RELAXED);
    if (now <= rj_max_bytes() && now >= n)
        return 1;
    __atomic_sub_fetch(&in_use, n, __ATOMIC_RELAXED);
    if (over_handler != NULL)
        over_handler(n, rj_memory_in_use(), rj_max_bytes());
    return 0;
}

static void
give(size_t n)
{
    __atomic_sub_fetch(&in_use, n, __ATOMIC_RELAXED);
}

static void *
count_alloc(size_t n, int zero)
{
    unsigned char *p;
    if (n > SIZE_MAX - HEADER || !take(n + HEADER))
        return NULL;
    p = zero ? calloc(1, n + HEADER) : malloc(n + HEADER);
    if (p == NULL) {
        give(n + HEADER);
        if (over_handler != NULL)
            over_handler(n, rj_memory_in_use(), rj_max_bytes());
        return NULL;
    }
    memcpy(p, &n, sizeof(size_t));
    return p + HEADER;
}

static void *
count_malloc(size_t n)
{
    return count_alloc(n, 0);
}

static void
count_free(void *q)
{
    unsigned char *p = q;
    size_t n;
    if (p == NULL)
        return;
    p -= HEADER;
    memcpy(&n, p, sizeof(size_t));
    give(n + HEADER);
    free(p);
}

static void *
count_realloc(void *q, size_t n)
{
    unsigned char *p = q, *r;
    size_t old;
    if (p == NULL)
        return count_malloc(n);
    p -= HEADER;
    memcpy(&old, p, sizeof(size_t));
    if (n > old && (n > SIZE_MAX - HEADER || !take(n - old)))
        return NULL;
    r = realloc(p, n + HEADER);
    if (r == NULL) {
        if (n > old)
            give(n - old);
        if (over_handler != NULL)
            over_handler(n, rj_memory_in_use(), rj_max_bytes());
        return NULL;
    }
    if (n < old)
        give(old - n);
    memcpy(r, &n, sizeof(size_t));
    return r + HEADER;
}

static void *
count_calloc(size_t k, size_t size)
{
    if (size != 0 && k > SIZE_MAX / size)
        return NULL;
    return count_alloc(k * size, 1);
}

static void *
gmp_realloc(void *q, size_t old, size_t n)
{
    (void) old;
    return count_realloc(q, n);
}

static void
gmp_free(void *q, size_t n)
{
    (void) n;
    count_free(q);
}

void
rj_memory_track(void (*over)(size_t request, size_t in_use, size_t limit))
{
    over_handler = over;
    __flint_set_memory_functions(count_malloc, count_calloc, count_realloc, count_free);
    mp_set_memory_functions(count_malloc, gmp_realloc, gmp_free);
}
