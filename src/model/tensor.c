/* resjac: what the tensor readers share (see tensor_internal.h): element
 * types, the shape -> matrix rule, the exact decoding of raw little-endian
 * data, the memory check before a tensor is read.
 *
 * Exactness: every element type is a dyadic rational.  Integers are set as
 * they are (64-bit ones through fmpz, never through a double).  float64 and
 * float32 are read through a double (float32 -> double is exact) and
 * rj_fmpq_set_d_exact.  A float16 is s * m * 2^(e - 25) with an 11-bit m
 * (normal: 1024 + fraction, 1 <= e <= 30) or s * fraction * 2^-24
 * (subnormal, e = 0); both are doubles exactly and ldexp of an integer below
 * 2^11 by an exponent in [-24, 5] is exact.  A bfloat16 is the upper half of a
 * float32: its bits shifted left by 16 are that float32 exactly. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "tensor_internal.h"

static const struct {
    const char *name;
    int size;
} dtypes[RJ_DT_COUNT] = {
    { "F64", 8 }, { "F32", 4 }, { "F16", 2 }, { "BF16", 2 },
    { "I8", 1 }, { "I16", 2 }, { "I32", 4 }, { "I64", 8 },
    { "U8", 1 }, { "U16", 2 }, { "U32", 4 }, { "U64", 8 },
    { "BOOL", 1 },
};

int
_rj_tensor_dtype_size(int dt)
{
    return dtypes[dt].size;
}

const char *
_rj_tensor_dtype_name(int dt)
{
    return dtypes[dt].name;
}

int
_rj_tensor_dtype_from_name(const char *s)
{
    int i;
    for (i = 0; i < RJ_DT_COUNT; i++)
        if (strcmp(dtypes[i].name, s) == 0)
            return i;
    return -1;
}

int
_rj_tensor_error(rj_error_t err, int status, const char *path, const char *fmt, ...)
{
    char msg[RJ_ERROR_MSG_LEN];
    va_list ap;
    rj_loc_t loc;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    loc.file = path;
    loc.line = 0;
    loc.col = 0;
    return rj_error_set_loc(err, status, loc, "%s", msg);
}

int
_rj_tensor_count(uint64_t *count, const long long *dims, int nd)
{
    uint64_t c = 1;
    int k;
    for (k = 0; k < nd; k++) {
        if (dims[k] < 0 || dims[k] > (1LL << 40))
            return 1;
        if (dims[k] != 0 && c > (UINT64_C(1) << 62) / (uint64_t) dims[k])
            return 1;
        c *= (uint64_t) dims[k];
    }
    *count = c;
    return 0;
}

int
_rj_tensor_shape(slong *rows, slong *cols, const long long *dims, int nd, int too_big,
                 const char *path, const char *what, rj_error_t err)
{
    uint64_t rest = 1, all;
    char shape[96];
    int k, len;

    if (nd > RJ_TENSOR_MAX_DIMS)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "%s has %d dimensions; resjac reads "
                                "at most %d", what, nd, RJ_TENSOR_MAX_DIMS);
    for (k = 0; k < nd; k++)
        if (dims[k] < 0 || dims[k] > (1LL << 40))
            too_big = 1;
    if (too_big)
        snprintf(shape, sizeof(shape), "with a dimension above 2^40");
    else if (_rj_tensor_count(&all, dims, nd)
             || (nd >= 2 && _rj_tensor_count(&rest, dims + 1, nd - 1))) {
        too_big = 1;
        snprintf(shape, sizeof(shape), "with more than 2^62 elements");
    } else {
        *rows = nd == 0 ? 1 : (slong) dims[0];
        *cols = nd <= 1 ? 1 : (slong) rest;
        len = snprintf(shape, sizeof(shape), "of shape (");
        for (k = 0; k < nd && len < 70; k++)
            len += snprintf(shape + len, sizeof(shape) - len, "%s%lld", k ? ", " : "",
                            dims[k]);
        if (nd > 2)
            snprintf(shape + len, sizeof(shape) - len, "%s) read as %ld x %ld",
                     k < nd ? ", ..." : "", (long) *rows, (long) *cols);
        else
            snprintf(shape + len, sizeof(shape) - len, "%s)", nd == 1 ? "," : "");
    }
    if (too_big || *rows > RJ_MAX_WIDTH || *cols > RJ_MAX_WIDTH
        || (double) *rows * (double) *cols > (double) RJ_MAX_ENTRIES)
        return _rj_tensor_error(err, RJ_ERR_LIMIT, path, "%s %s exceeds the limits "
                                "(dimensions at most %d, at most %ld entries)", what, shape,
                                RJ_MAX_WIDTH, (long) RJ_MAX_ENTRIES);
    if (*rows == 0 || *cols == 0)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "%s is empty (its shape has a 0)",
                                what);
    return RJ_OK;
}

int
_rj_tensor_check_memory(slong rows, slong cols, size_t raw, const char *path,
                        const char *what, rj_error_t err)
{
    double need = (double) raw + (double) rows * (double) cols * (double) sizeof(fmpq)
                  + (double) rows * (double) sizeof(fmpq *);
    size_t limit = rj_max_bytes(), used = rj_memory_in_use();
    double left = used < limit ? (double) (limit - used) : 0;
    if (need > left)
        return _rj_tensor_error(err, RJ_ERR_LIMIT, path, "%s needs about %.0f MB to read "
                                "(%ld x %ld exact entries from %.0f MB of data), over the "
                                "memory limit (%.0f MB, %.0f MB in use; see --max-memory)",
                                what, need / 1e6, (long) rows, (long) cols, (double) raw / 1e6,
                                (double) limit / 1e6, (double) used / 1e6);
    return RJ_OK;
}

static uint64_t
le_bytes(const unsigned char *b, int n)
{
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

/* The float element p as a double (exact), for the float types. */
static double
float_value(const unsigned char *p, int dt)
{
    uint64_t u;
    double d;
    float g;
    uint32_t w;
    int e, m;
    switch (dt) {
    case RJ_DT_F64:
        u = le_bytes(p, 8);
        memcpy(&d, &u, 8);
        return d;
    case RJ_DT_F32:
    case RJ_DT_BF16:
        w = dt == RJ_DT_F32 ? (uint32_t) le_bytes(p, 4) : (uint32_t) le_bytes(p, 2) << 16;
        memcpy(&g, &w, 4);
        return (double) g;
    default:                                    /* F16 */
        u = le_bytes(p, 2);
        e = (int) ((u >> 10) & 31);
        m = (int) (u & 1023);
        if (e == 31)
            d = m != 0 ? NAN : INFINITY;
        else if (e == 0)
            d = ldexp((double) m, -24);
        else
            d = ldexp((double) (1024 + m), e - 25);
        return (u >> 15) ? -d : d;
    }
}

int
_rj_tensor_decode(fmpq_mat_t out, const unsigned char *data, int dt, slong rows,
                  slong cols, const char *path, const char *what, rj_error_t err)
{
    int size = dtypes[dt].size, st = RJ_OK;
    slong i, n = rows * cols;
    fmpq_mat_t A;

    fmpq_mat_init(A, rows, cols);
    for (i = 0; i < n && st == RJ_OK; i++) {
        const unsigned char *p = data + (size_t) i * size;
        fmpq *q = fmpq_mat_entry(A, i / cols, i % cols);
        uint64_t u = le_bytes(p, size);
        double d;
        switch (dt) {
        case RJ_DT_F64:
        case RJ_DT_F32:
        case RJ_DT_F16:
        case RJ_DT_BF16:
            d = float_value(p, dt);
            if (d != d || d - d != 0)
                st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "%s: %s at flat index %ld "
                                      "(row %ld, column %ld, counting from 0): weights must "
                                      "be finite", what,
                                      d != d ? "NaN" : d > 0 ? "+Inf" : "-Inf", (long) i,
                                      (long) (i / cols), (long) (i % cols));
            else
                rj_fmpq_set_d_exact(q, d);
            break;
        case RJ_DT_I8:
        case RJ_DT_I16:
        case RJ_DT_I32:
        case RJ_DT_I64:
            if (size < 8 && (u >> (8 * size - 1)) & 1)     /* sign-extend */
                u |= ~UINT64_C(0) << (8 * size);
            fmpz_set_si(fmpq_numref(q), (slong) (int64_t) u);
            break;
        case RJ_DT_BOOL:
            if (u > 1)
                st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "%s: boolean at flat index "
                                      "%ld is the byte %d, neither 0 nor 1", what, (long) i,
                                      (int) u);
            /* fall through */
        default:                                /* unsigned */
            fmpz_set_ui(fmpq_numref(q), (ulong) u);
        }
    }
    if (st == RJ_OK)
        fmpq_mat_swap(out, A);
    fmpq_mat_clear(A);
    return st;
}

long long
_rj_tensor_file_size(FILE *f)
{
    long long n;
    if (fseeko(f, 0, SEEK_END) != 0)
        return -1;
    n = (long long) ftello(f);
    rewind(f);
    return n;
}

int
_rj_tensor_read_at(unsigned char **buf, FILE *f, uint64_t off, uint64_t n, const char *path,
                   const char *what, rj_error_t err)
{
    size_t got;
    *buf = NULL;
    if (fseeko(f, (off_t) off, SEEK_SET) != 0)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "%s: cannot seek to byte %llu "
                                "(truncated file?)", what, (unsigned long long) off);
    *buf = malloc(n > 0 ? (size_t) n : 1);
    if (*buf == NULL)
        return _rj_tensor_error(err, RJ_ERR_MEMORY, path, "%s: out of memory reading %llu "
                                "bytes", what, (unsigned long long) n);
    got = fread(*buf, 1, (size_t) n, f);
    if (got < n) {
        free(*buf);
        *buf = NULL;
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "%s: truncated: %llu bytes expected "
                                "at byte %llu, the file has %llu", what,
                                (unsigned long long) n, (unsigned long long) off,
                                (unsigned long long) got);
    }
    return RJ_OK;
}

/* ---------------------------------------------------------------- tensor files */

void
rj_tensor_file_init(rj_tensor_file_t tf)
{
    tf->path = NULL;
    tf->format = 0;
    tf->n = 0;
    tf->entries = NULL;
}

void
rj_tensor_file_clear(rj_tensor_file_t tf)
{
    slong i;
    for (i = 0; i < tf->n; i++)
        flint_free(tf->entries[i].name);
    flint_free(tf->entries);
    flint_free(tf->path);
    rj_tensor_file_init(tf);
}

void
_rj_tensor_file_take(rj_tensor_file_struct *tf, rj_tensor_file_struct *T, const char *path,
                     int format)
{
    T->path = rj_strdup(path);
    T->format = format;
    rj_tensor_file_clear(tf);
    *tf = *T;
    rj_tensor_file_init(T);
}

int
rj_tensor_file_open(rj_tensor_file_t tf, const char *path, rj_error_t err)
{
    FILE *f;
    unsigned char b[9] = { 0 };
    size_t got;
    int st = rj_file_open_read(&f, path, "a tensor file", err);
    if (st != RJ_OK)
        return st;
    got = fread(b, 1, 9, f);
    fclose(f);
    if (got >= 6 && memcmp(b, "\x93NUMPY", 6) == 0)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "this is a .npy file, which holds "
                                "one array: read it with load(\"file.npy\"), without a "
                                "tensor name");
    /* a safetensors header starts with '{' at byte 8 (its length, bytes 0..7,
       may well begin "PK": 0x4b50 is a multiple of 8); a zip has its
       compression method there, never '{' */
    if (got >= 2 && b[0] == 'P' && b[1] == 'K' && !(got == 9 && b[8] == '{'))
        return rj_npz_open(tf, path, err);
    return rj_safetensors_open(tf, path, err);
}

slong
rj_tensor_file_find(const rj_tensor_file_t tf, const char *name)
{
    slong i;
    size_t n = strlen(name);
    for (i = 0; i < tf->n; i++)
        if (strcmp(tf->entries[i].name, name) == 0)
            return i;
    if (tf->format == RJ_TENSOR_NPZ && n > 4 && strcmp(name + n - 4, ".npy") == 0)
        for (i = 0; i < tf->n; i++)
            if (strncmp(tf->entries[i].name, name, n - 4) == 0
                && tf->entries[i].name[n - 4] == '\0')
                return i;
    return -1;
}

/* A safetensors tensor: shape and memory checked, the bytes read, decoded. */
static int
safetensors_get(fmpq_mat_t out, const rj_tensor_file_t tf, slong i, rj_error_t err)
{
    const rj_tensor_entry_struct *t = tf->entries + i;
    char what[160];
    unsigned char *data = NULL;
    slong rows, cols;
    FILE *f;
    int st;
    snprintf(what, sizeof(what), "tensor '%.120s'", t->name);
    st = _rj_tensor_shape(&rows, &cols, t->dims, t->nd, 0, tf->path, what, err);
    if (st == RJ_OK)
        st = _rj_tensor_check_memory(rows, cols, (size_t) t->size, tf->path, what, err);
    if (st != RJ_OK)
        return st;
    st = rj_file_open_read(&f, tf->path, "a safetensors file", err);
    if (st != RJ_OK)
        return st;
    st = _rj_tensor_read_at(&data, f, t->offset, t->size, tf->path, what, err);
    fclose(f);
    if (st == RJ_OK)
        st = _rj_tensor_decode(out, data, t->dtype, rows, cols, tf->path, what, err);
    free(data);
    return st;
}

int
rj_tensor_file_get(fmpq_mat_t out, const rj_tensor_file_t tf, slong i, rj_error_t err)
{
    if (i < 0 || i >= tf->n)
        return _rj_tensor_error(err, RJ_ERR_INTERNAL, tf->path, "tensor number %ld out of "
                                "range 0..%ld", (long) i, (long) tf->n - 1);
    if (tf->format == RJ_TENSOR_NPZ)
        return _rj_npz_get(out, tf, i, err);
    return safetensors_get(out, tf, i, err);
}

/* Edit distance of a and b, each cut to 64 characters. */
static int
edit_distance(const char *a, const char *b)
{
    int la = (int) FLINT_MIN(strlen(a), 64), lb = (int) FLINT_MIN(strlen(b), 64);
    int d[65], i, j, prev, t;
    for (j = 0; j <= lb; j++)
        d[j] = j;
    for (i = 1; i <= la; i++) {
        prev = d[0];
        d[0] = i;
        for (j = 1; j <= lb; j++) {
            t = d[j];
            d[j] = FLINT_MIN(FLINT_MIN(d[j], d[j - 1]) + 1, prev + (a[i - 1] != b[j - 1]));
            prev = t;
        }
    }
    return d[lb];
}

void
rj_tensor_file_close_names(char *buf, int len, const rj_tensor_file_t tf, const char *name,
                           int most)
{
    int *dist, k, used = 0;
    slong i, best;
    buf[0] = '\0';
    if (tf->n == 0 || len <= 0)
        return;
    dist = flint_malloc(tf->n * sizeof(int));
    for (i = 0; i < tf->n; i++)
        dist[i] = edit_distance(name, tf->entries[i].name);
    for (k = 0; k < most && k < tf->n; k++) {
        best = -1;
        for (i = 0; i < tf->n; i++)
            if (dist[i] >= 0 && (best < 0 || dist[i] < dist[best]))
                best = i;
        dist[best] = -1;
        if (used < len)
            used += snprintf(buf + used, len - used, "%s'%.80s'", k ? ", " : "",
                             tf->entries[best].name);
    }
    flint_free(dist);
}

int
rj_tensor_load(fmpq_mat_t out, const char *path, const char *name, rj_error_t err)
{
    rj_tensor_file_t tf;
    char close[400];
    slong i;
    int st;
    rj_tensor_file_init(tf);
    st = rj_tensor_file_open(tf, path, err);
    if (st == RJ_OK) {
        i = rj_tensor_file_find(tf, name);
        if (i >= 0)
            st = rj_tensor_file_get(out, tf, i, err);
        else {
            rj_tensor_file_close_names(close, sizeof(close), tf, name, 4);
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "no tensor named '%.100s' (the "
                                  "file has %ld%s%s)", name, (long) tf->n,
                                  tf->n > 0 ? " tensors; the closest names: " : " tensors",
                                  close);
        }
    }
    rj_tensor_file_clear(tf);
    return st;
}

static int
cmp_offset(const void *a, const void *b)
{
    const rj_tensor_entry_struct *const *x = a, *const *y = b;
    return (*x)->offset < (*y)->offset ? -1 : (*x)->offset > (*y)->offset;
}

int
_rj_tensor_check_overlaps(const rj_tensor_file_struct *tf, const char *path, rj_error_t err)
{
    rj_tensor_entry_struct **s;
    const rj_tensor_entry_struct *last = NULL;
    slong i;
    int st = RJ_OK;
    if (tf->n < 2)
        return RJ_OK;
    s = flint_malloc(tf->n * sizeof(*s));
    for (i = 0; i < tf->n; i++)
        s[i] = tf->entries + i;
    qsort(s, tf->n, sizeof(*s), cmp_offset);
    for (i = 0; i < tf->n && st == RJ_OK; i++) {
        if (s[i]->size == 0)
            continue;
        if (last != NULL && s[i]->offset < last->offset + last->size)
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensors '%.100s' and '%.100s' "
                                  "overlap (their bytes in the file are shared)", last->name,
                                  s[i]->name);
        last = s[i];
    }
    flint_free(s);
    return st;
}
