/* resjac tests: writers of safetensors, .npy and .npz bytes (tensorfile.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tensorfile.h"

void
rj_test_buf_add(rj_test_buf *b, const void *p, size_t n)
{
    if (b->len + n > b->alloc) {
        b->alloc = 2 * (b->len + n) + 64;
        b->data = realloc(b->data, b->alloc);
        if (b->data == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(99);
        }
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void
rj_test_buf_le(rj_test_buf *b, uint64_t v, int nbytes)
{
    unsigned char c[8];
    int i;
    for (i = 0; i < nbytes; i++)
        c[i] = (unsigned char) (v >> (8 * i));
    rj_test_buf_add(b, c, nbytes);
}

void
rj_test_buf_write(const rj_test_buf *b, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(99);
    }
}

static void
add_str(rj_test_buf *b, const char *s)
{
    rj_test_buf_add(b, s, strlen(s));
}

void
rj_test_safetensors(rj_test_buf *out, const rj_test_tensor *t, int n, const char *extra)
{
    rj_test_buf h = { NULL, 0, 0 };
    char num[64];
    size_t off = 0;
    int i, k;
    add_str(&h, "{");
    for (i = 0; i < n; i++) {
        add_str(&h, i ? ", \"" : "\"");
        add_str(&h, t[i].name);
        add_str(&h, "\": {\"dtype\": \"");
        add_str(&h, t[i].dtype);
        add_str(&h, "\", \"shape\": [");
        for (k = 0; k < t[i].nd; k++) {
            snprintf(num, sizeof(num), "%s%lld", k ? ", " : "", t[i].dims[k]);
            add_str(&h, num);
        }
        snprintf(num, sizeof(num), "], \"data_offsets\": [%lu, %lu]}", (unsigned long) off,
                 (unsigned long) (off + t[i].nbytes));
        add_str(&h, num);
        off += t[i].nbytes;
    }
    if (extra != NULL) {
        add_str(&h, n ? ", " : "");
        add_str(&h, extra);
    }
    add_str(&h, "}");
    while (h.len % 8 != 0)
        add_str(&h, " ");
    rj_test_buf_le(out, h.len, 8);
    rj_test_buf_add(out, h.data, h.len);
    for (i = 0; i < n; i++)
        rj_test_buf_add(out, t[i].data, t[i].nbytes);
    free(h.data);
}

void
rj_test_npy(rj_test_buf *out, const rj_test_tensor *t, const char *descr)
{
    char dict[400];
    size_t len = 0, pad;
    int k;
    len = (size_t) snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': False, "
                            "'shape': (", descr);
    for (k = 0; k < t->nd; k++)
        len += (size_t) snprintf(dict + len, sizeof(dict) - len, "%lld%s", t->dims[k],
                                 t->nd == 1 ? "," : k + 1 < t->nd ? ", " : "");
    len += (size_t) snprintf(dict + len, sizeof(dict) - len, "), }");
    pad = (64 - (10 + len + 1) % 64) % 64;
    rj_test_buf_add(out, "\x93NUMPY\x01\x00", 8);
    rj_test_buf_le(out, len + pad + 1, 2);
    rj_test_buf_add(out, dict, len);
    while (pad-- > 0)
        add_str(out, " ");
    add_str(out, "\n");
    rj_test_buf_add(out, t->data, t->nbytes);
}

uint32_t
rj_test_crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return c ^ 0xffffffffu;
}

/* Raw deflate of p[0..n-1] into out. */
static void
deflate_raw(rj_test_buf *out, const unsigned char *p, size_t n)
{
    z_stream z;
    unsigned char chunk[4096];
    int r;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        exit(99);
    z.next_in = (unsigned char *) (size_t) p;
    z.avail_in = (uInt) n;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof(chunk);
        r = deflate(&z, Z_FINISH);
        rj_test_buf_add(out, chunk, sizeof(chunk) - z.avail_out);
    } while (r == Z_OK);
    deflateEnd(&z);
}

void
rj_test_zip(rj_test_buf *out, const rj_test_member *m, int n, int method)
{
    rj_test_buf cd = { NULL, 0, 0 };
    int i;
    for (i = 0; i < n; i++) {
        rj_test_buf body = { NULL, 0, 0 };
        uint32_t crc = rj_test_crc32(m[i].data, m[i].len);
        size_t off = out->len, nl = strlen(m[i].name);
        if (method == 8)
            deflate_raw(&body, m[i].data, m[i].len);
        else
            rj_test_buf_add(&body, m[i].data, m[i].len);
        /* local file header */
        rj_test_buf_le(out, 0x04034b50, 4);
        rj_test_buf_le(out, 20, 2);                  /* version needed */
        rj_test_buf_le(out, 0, 2);                   /* flags */
        rj_test_buf_le(out, method, 2);
        rj_test_buf_le(out, 0, 4);                   /* time, date */
        rj_test_buf_le(out, crc, 4);
        rj_test_buf_le(out, body.len, 4);
        rj_test_buf_le(out, m[i].len, 4);
        rj_test_buf_le(out, nl, 2);
        rj_test_buf_le(out, 0, 2);                   /* extra length */
        rj_test_buf_add(out, m[i].name, nl);
        rj_test_buf_add(out, body.data, body.len);
        /* its central directory entry */
        rj_test_buf_le(&cd, 0x02014b50, 4);
        rj_test_buf_le(&cd, 20, 2);                  /* made by */
        rj_test_buf_le(&cd, 20, 2);
        rj_test_buf_le(&cd, 0, 2);
        rj_test_buf_le(&cd, method, 2);
        rj_test_buf_le(&cd, 0, 4);
        rj_test_buf_le(&cd, crc, 4);
        rj_test_buf_le(&cd, body.len, 4);
        rj_test_buf_le(&cd, m[i].len, 4);
        rj_test_buf_le(&cd, nl, 2);
        rj_test_buf_le(&cd, 0, 2);                   /* extra */
        rj_test_buf_le(&cd, 0, 2);                   /* comment */
        rj_test_buf_le(&cd, 0, 2);                   /* disk */
        rj_test_buf_le(&cd, 0, 2);                   /* internal attributes */
        rj_test_buf_le(&cd, 0, 4);                   /* external attributes */
        rj_test_buf_le(&cd, off, 4);
        rj_test_buf_add(&cd, m[i].name, nl);
        free(body.data);
    }
    {
        size_t cd_off = out->len;
        rj_test_buf_add(out, cd.data, cd.len);
        rj_test_buf_le(out, 0x06054b50, 4);
        rj_test_buf_le(out, 0, 2);
        rj_test_buf_le(out, 0, 2);
        rj_test_buf_le(out, n, 2);
        rj_test_buf_le(out, n, 2);
        rj_test_buf_le(out, cd.len, 4);
        rj_test_buf_le(out, cd_off, 4);
        rj_test_buf_le(out, 0, 2);
    }
    free(cd.data);
}

long
rj_test_zip_central(const rj_test_buf *b)
{
    size_t i;
    for (i = 0; i + 4 <= b->len; i++)
        if (memcmp(b->data + i, "PK\x01\x02", 4) == 0)
            return (long) i;
    return -1;
}
