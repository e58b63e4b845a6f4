/* resjac: writing named float tensors as safetensors or npz files (see
 * rj_tensors_save in include/resjac/model.h).
 *
 * Both formats are written by streaming the tensors' bytes, little-endian
 * whatever the machine, through one sink that also keeps the CRC-32 (the
 * zip polynomial 0xEDB88320, reflected, as the zip format defines it) and the
 * count of bytes.  An npz member needs its CRC in the local header that
 * precedes its data, so each member's bytes are streamed twice: once to
 * count and checksum, once to write. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "resjac/model.h"

/* ---------------------------------------------------------------- the list */

void
rj_tensors_init(rj_tensors_t t)
{
    t->len = t->alloc = 0;
    t->items = NULL;
}

void
rj_tensors_clear(rj_tensors_t t)
{
    slong i;
    for (i = 0; i < t->len; i++)
        flint_free(t->items[i].name);
    flint_free(t->items);
    rj_tensors_init(t);
}

void
rj_tensors_push(rj_tensors_t t, const char *name, int ndim, const slong *dims,
                const void *data)
{
    rj_tensor_struct *x;
    int k;
    if (t->len == t->alloc) {
        t->alloc = FLINT_MAX(16, 2 * t->alloc);
        t->items = flint_realloc(t->items, t->alloc * sizeof(rj_tensor_struct));
    }
    x = t->items + t->len++;
    x->name = rj_strdup(name);
    x->ndim = ndim;
    for (k = 0; k < RJ_TENSOR_MAX_DIMS; k++)
        x->dims[k] = k < ndim ? dims[k] : 1;
    x->data = data;
}

static slong
tensor_count(const rj_tensor_struct *x)
{
    slong n = 1;
    int k;
    for (k = 0; k < x->ndim; k++)
        n *= x->dims[k];
    return n;
}

int
rj_tensors_file_kind(const char *path)
{
    size_t n = strlen(path);
    if (n > 12 && strcmp(path + n - 12, ".safetensors") == 0)
        return 1;
    if (n > 4 && strcmp(path + n - 4, ".npz") == 0)
        return 2;
    return 0;
}

int
rj_tensors_check_path(const char *path, rj_error_t err)
{
    rj_loc_t loc = { path, 0, 0 };
    struct stat sb;
    char *dir;
    int ok;
    if (rj_tensors_file_kind(path) == 0)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "a tensor file name ends in "
                                ".safetensors or .npz");
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))      /* rename would fail, after the work */
        return rj_error_set_loc(err, RJ_ERR_IO, loc, "is a directory");
    dir = rj_path_dir(path);
    ok = access(dir, W_OK | X_OK) == 0;
    if (!ok) {
        int e = errno;
        rj_error_set_loc(err, RJ_ERR_IO, loc, "cannot write in the directory %.200s: %s", dir,
                         strerror(e));
    }
    flint_free(dir);
    return ok ? RJ_OK : RJ_ERR_IO;
}

/* ---------------------------------------------------------------- the sink */

typedef struct {
    FILE *f;                      /* NULL: count and checksum only */
    uint32_t crc;                 /* running CRC-32, pre- and post-inverted */
    uint64_t count;
    int bad;
} sink_t;

static uint32_t crc_table[256];

static void
crc_table_init(void)
{
    uint32_t i, c;
    int k;
    if (crc_table[1] != 0)
        return;
    for (i = 0; i < 256; i++) {
        c = i;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static void
sink_start(sink_t *s, FILE *f)
{
    crc_table_init();
    s->f = f;
    s->crc = 0xFFFFFFFFu;
    s->count = 0;
    s->bad = 0;
}

static uint32_t
sink_crc(const sink_t *s)
{
    return s->crc ^ 0xFFFFFFFFu;
}

static void
sink_bytes(sink_t *s, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++)
        s->crc = crc_table[(s->crc ^ b[i]) & 0xff] ^ (s->crc >> 8);
    s->count += n;
    if (s->f != NULL && n > 0 && fwrite(p, 1, n, s->f) != n)
        s->bad = 1;
}

/* v as `width` bytes, little-endian. */
static void
sink_le(sink_t *s, uint64_t v, int width)
{
    unsigned char b[8];
    int k;
    for (k = 0; k < width; k++)
        b[k] = (unsigned char) (v >> (8 * k));
    sink_bytes(s, b, width);
}

/* The n floats (f64: doubles) at data, little-endian, bit for bit. */
static void
sink_floats(sink_t *s, const void *data, slong n, int f64)
{
    unsigned char buf[4096];
    size_t used = 0, w = f64 ? 8 : 4;
    slong i;
    int k;
    for (i = 0; i < n; i++) {
        uint64_t u;
        if (f64) {
            memcpy(&u, (const double *) data + i, 8);
        } else {
            uint32_t v;
            memcpy(&v, (const float *) data + i, 4);
            u = v;
        }
        for (k = 0; k < (int) w; k++)
            buf[used++] = (unsigned char) (u >> (8 * k));
        if (used + 8 > sizeof(buf)) {
            sink_bytes(s, buf, used);
            used = 0;
        }
    }
    sink_bytes(s, buf, used);
}

/* ---------------------------------------------------------------- text */

/* A growing NUL-terminated string. */
typedef struct {
    char *s;
    size_t len, alloc;
} text_t;

static void
text_add(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
text_add(text_t *t, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + n + 1 > t->alloc) {
        t->alloc = FLINT_MAX(2 * t->alloc, t->len + n + 256);
        t->s = flint_realloc(t->s, t->alloc);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, n + 1, fmt, ap);
    va_end(ap);
    t->len += n;
}

/* Append n raw bytes. */
static void
text_bytes(text_t *t, const void *p, size_t n)
{
    if (t->len + n + 1 > t->alloc) {
        t->alloc = FLINT_MAX(2 * t->alloc, t->len + n + 256);
        t->s = flint_realloc(t->s, t->alloc);
    }
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* The shape as JSON ("[2, 3]") or as a Python tuple ("(2, 3)", "(3,)"). */
static void
text_shape(text_t *t, const rj_tensor_struct *x, int python)
{
    int k;
    text_add(t, python ? "(" : "[");
    for (k = 0; k < x->ndim; k++)
        text_add(t, k == 0 ? "%ld" : ", %ld", (long) x->dims[k]);
    text_add(t, python ? (x->ndim == 1 ? ",)" : ")") : "]");
}

/* ---------------------------------------------------------------- formats */

static void
write_safetensors(sink_t *s, const rj_tensors_t t, int f64)
{
    text_t h = { NULL, 0, 0 };
    slong i;
    uint64_t off = 0, w = f64 ? 8 : 4;
    text_add(&h, "{");
    for (i = 0; i < t->len; i++) {
        const rj_tensor_struct *x = t->items + i;
        uint64_t n = (uint64_t) tensor_count(x) * w;
        text_add(&h, "%s\"%s\": {\"dtype\": \"%s\", \"shape\": ", i == 0 ? "" : ", ", x->name,
                 f64 ? "F64" : "F32");
        text_shape(&h, x, 0);
        text_add(&h, ", \"data_offsets\": [%llu, %llu]}", (unsigned long long) off,
                 (unsigned long long) (off + n));
        off += n;
    }
    text_add(&h, "}");
    while (h.len % 8 != 0)        /* the data start 8-byte aligned */
        text_add(&h, " ");
    sink_le(s, h.len, 8);
    sink_bytes(s, h.s, h.len);
    for (i = 0; i < t->len; i++)
        sink_floats(s, t->items[i].data, tensor_count(t->items + i), f64);
    flint_free(h.s);
}

/* The .npy header of x: magic, version 1.0, the length, the dictionary,
   padded with spaces and a final newline to a multiple of 64 bytes. */
static void
npy_header(text_t *h, const rj_tensor_struct *x, int f64)
{
    text_t d = { NULL, 0, 0 };
    unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
    size_t total;
    text_add(&d, "{'descr': '%s', 'fortran_order': False, 'shape': ", f64 ? "<f8" : "<f4");
    text_shape(&d, x, 1);
    text_add(&d, ", }");
    total = 10 + d.len + 1;
    while (total % 64 != 0) {
        text_add(&d, " ");
        total++;
    }
    text_add(&d, "\n");
    pre[8] = (unsigned char) (d.len & 0xff);
    pre[9] = (unsigned char) (d.len >> 8);
    h->len = 0;
    text_bytes(h, pre, 10);
    text_bytes(h, d.s, d.len);
    flint_free(d.s);
}

/* A zip record's fixed fields (local header or central directory entry). */
static void
zip_entry_fields(sink_t *s, uint32_t crc, uint64_t size, size_t name_len)
{
    sink_le(s, 20, 2);            /* version needed: 2.0 */
    sink_le(s, 0, 2);             /* flags */
    sink_le(s, 0, 2);             /* method: stored */
    sink_le(s, 0, 2);             /* time 00:00:00 */
    sink_le(s, (1 << 5) | 1, 2);  /* date 1980-01-01 */
    sink_le(s, crc, 4);
    sink_le(s, size, 4);          /* compressed size */
    sink_le(s, size, 4);          /* uncompressed size */
    sink_le(s, name_len, 2);
    sink_le(s, 0, 2);             /* extra field length */
}

static void
write_npz(sink_t *s, const rj_tensors_t t, int f64)
{
    text_t h = { NULL, 0, 0 }, name = { NULL, 0, 0 };
    uint32_t *crc = flint_malloc(FLINT_MAX(t->len, 1) * sizeof(uint32_t));
    uint64_t *size = flint_malloc(FLINT_MAX(t->len, 1) * sizeof(uint64_t));
    uint64_t *at = flint_malloc(FLINT_MAX(t->len, 1) * sizeof(uint64_t));
    uint64_t cd_start, cd_end;
    slong i;
    for (i = 0; i < t->len; i++) {
        const rj_tensor_struct *x = t->items + i;
        sink_t c;
        npy_header(&h, x, f64);
        sink_start(&c, NULL);                 /* the member's CRC and size first */
        sink_bytes(&c, h.s, h.len);
        sink_floats(&c, x->data, tensor_count(x), f64);
        crc[i] = sink_crc(&c);
        size[i] = c.count;
        at[i] = s->count;
        name.len = 0;
        text_add(&name, "%s.npy", x->name);
        sink_le(s, 0x04034b50u, 4);           /* local file header */
        zip_entry_fields(s, crc[i], size[i], name.len);
        sink_bytes(s, name.s, name.len);
        sink_bytes(s, h.s, h.len);
        sink_floats(s, x->data, tensor_count(x), f64);
    }
    cd_start = s->count;
    for (i = 0; i < t->len; i++) {
        name.len = 0;
        text_add(&name, "%s.npy", t->items[i].name);
        sink_le(s, 0x02014b50u, 4);           /* central directory entry */
        sink_le(s, 20, 2);                    /* made by: 2.0 */
        zip_entry_fields(s, crc[i], size[i], name.len);
        sink_le(s, 0, 2);                     /* comment length */
        sink_le(s, 0, 2);                     /* disk */
        sink_le(s, 0, 2);                     /* internal attributes */
        sink_le(s, 0, 4);                     /* external attributes */
        sink_le(s, at[i], 4);
        sink_bytes(s, name.s, name.len);
    }
    cd_end = s->count;
    sink_le(s, 0x06054b50u, 4);               /* end of central directory */
    sink_le(s, 0, 2);
    sink_le(s, 0, 2);
    sink_le(s, t->len, 2);
    sink_le(s, t->len, 2);
    sink_le(s, cd_end - cd_start, 4);
    sink_le(s, cd_start, 4);
    sink_le(s, 0, 2);
    flint_free(h.s);
    flint_free(name.s);
    flint_free(crc);
    flint_free(size);
    flint_free(at);
}

/* ---------------------------------------------------------------- checks */

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

int
rj_tensors_check(const char *path, const rj_tensors_t t, int f64, rj_error_t err)
{
    rj_loc_t loc = { path, 0, 0 };
    const char **names;
    double bytes = 22;
    slong i;
    int k, kind = rj_tensors_file_kind(path), st = RJ_OK;
    if (kind == 0)
        return rj_tensors_check_path(path, err);
    if (kind == 2 && t->len > 65535)
        return rj_error_set_loc(err, RJ_ERR_LIMIT, loc, "an npz file of %ld tensors (more "
                                "than 65535) would need zip64", (long) t->len);
    for (i = 0; i < t->len; i++) {
        const rj_tensor_struct *x = t->items + i;
        double n = 1;
        char what[80];
        snprintf(what, sizeof(what), "tensor %ld", (long) i + 1);
        if ((st = rj_name_check(x->name, what, err)) != RJ_OK)
            return rj_error_set_loc(err, st, loc, "%s", err->msg);
        if (x->ndim < 1 || x->ndim > RJ_TENSOR_MAX_DIMS)
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "tensor '%.80s' has %d dimensions "
                                    "(1 to %d)", x->name, x->ndim, RJ_TENSOR_MAX_DIMS);
        for (k = 0; k < x->ndim; k++) {
            if (x->dims[k] < 0)
                return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "tensor '%.80s': dimension "
                                        "%d is negative", x->name, k + 1);
            n *= (double) x->dims[k];
        }
        bytes += n * (f64 ? 8 : 4) + 2 * (46.0 + strlen(x->name) + 4) + 128;
    }
    if (kind == 2 && bytes >= 4294967295.0)
        return rj_error_set_loc(err, RJ_ERR_LIMIT, loc, "an npz file of about %.3g bytes "
                                "(4 GiB or more) would need zip64; write .safetensors", bytes);
    names = flint_malloc(FLINT_MAX(t->len, 1) * sizeof(char *));
    for (i = 0; i < t->len; i++)
        names[i] = t->items[i].name;
    qsort(names, t->len, sizeof(char *), cmp_names);
    for (i = 1; i < t->len; i++)
        if (strcmp(names[i - 1], names[i]) == 0) {
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "two tensors are named '%.80s' "
                                  "(give the layers distinct names with name = \"...\")",
                                  names[i]);
            break;
        }
    flint_free(names);
    return st;
}

int
rj_tensors_save(const char *path, const rj_tensors_t t, int f64, rj_error_t err)
{
    rj_loc_t loc = { path, 0, 0 };
    int kind = rj_tensors_file_kind(path), fd, st, k;
    char *tmp;
    size_t n;
    FILE *f;
    sink_t s;

    if ((st = rj_tensors_check(path, t, f64, err)) != RJ_OK)
        return st;
    /* a new file of a fresh name next to path (O_EXCL), with the mode the
       user's umask gives a new file (mkstemp would give 0600) */
    n = strlen(path) + 48;
    tmp = flint_malloc(n);
    fd = -1;
    for (k = 0; k < 100 && fd < 0; k++) {
        snprintf(tmp, n, "%s.tmp-%ld-%d", path, (long) getpid(), k);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0 || (f = fdopen(fd, "wb")) == NULL) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        flint_free(tmp);
        return rj_error_set_loc(err, RJ_ERR_IO, loc, "cannot write: %s", strerror(e));
    }
    sink_start(&s, f);
    if (kind == 1)
        write_safetensors(&s, t, f64);
    else
        write_npz(&s, t, f64);
    if (fclose(f) != 0)
        s.bad = 1;
    if (s.bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        flint_free(tmp);
        return rj_error_set_loc(err, RJ_ERR_IO, loc, "write error: %s", strerror(e));
    }
    flint_free(tmp);
    return RJ_OK;
}
