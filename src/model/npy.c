/* resjac: NumPy .npy import (exact) and float64 export.
 *
 * Format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a minor
 * version byte, the header length (2 bytes little-endian for version 1, 4 bytes
 * for versions 2 and 3), then an ASCII Python dict literal
 *     {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and ended by '\n', then the raw data in C order.
 *
 * Accepted: descr '<f8', '<f4', '<f2', '<i1'..'<i8', '<u1'..'<u8', '|b1' ('='
 * and '|' and no order character are read as little-endian, which is the
 * order of every platform resjac builds on: numpy itself writes '<'); any number of dimensions up to NPY_MAX_DIMS in C order
 * (0-d becomes 1 x 1, 1-d a column vector, n-d with n >= 2 the matrix
 * dims[0] x (dims[1] * ... * dims[n-1]): row i holds the C-order entries
 * A[i, ...], so a PyTorch conv weight C_out x C_in x kh x kw becomes the
 * kernel matrix of a conv2d layer).  Each value is converted exactly (the
 * shape rule and the decoding are shared with the safetensors and .npz
 * readers: tensor.c).  rj_npy_load reads the file into memory (its size
 * checked first) and parses the buffer as rj_npy_load_buffer does. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resjac/model.h"
#include "tensor_internal.h"

#define NPY_MAX_HEADER (1L << 20)
#define NPY_MAX_DIMS 32

/* ---------------------------------------------------------------- header dict */

typedef struct {
    const char *p, *end;
} hdr_t;

static void
skip_ws(hdr_t *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n'
                             || *h->p == '\r'))
        h->p++;
}

/* A Python string literal in ' or " quotes, without escapes; into buf. */
static int
py_str(hdr_t *h, char *buf, int len)
{
    char q;
    int n = 0;
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
        return 0;
    q = *h->p++;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\' || n + 1 >= len)
            return 0;
        buf[n++] = *h->p++;
    }
    if (h->p >= h->end)
        return 0;
    h->p++;
    buf[n] = '\0';
    return 1;
}

static int
py_word(hdr_t *h, const char *w)
{
    size_t n = strlen(w);
    if ((size_t) (h->end - h->p) >= n && memcmp(h->p, w, n) == 0) {
        h->p += n;
        return 1;
    }
    return 0;
}

/* shape tuple: (), (n,), (r, c), ... ; returns ndim or -1; dims > 2 counted. */
static int
py_shape(hdr_t *h, long long *dims, int maxd, int *too_big)
{
    int nd = 0;
    if (h->p >= h->end || *h->p != '(')
        return -1;
    h->p++;
    for (;;) {
        long long v = 0;
        int digits = 0;
        skip_ws(h);
        if (h->p < h->end && *h->p == ')') {
            h->p++;
            return nd;
        }
        while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
            if (v > (1LL << 40))
                *too_big = 1;
            else
                v = 10 * v + (*h->p - '0');
            h->p++;
            digits++;
        }
        if (digits == 0)
            return -1;
        if (h->p < h->end && *h->p == 'L')     /* Python 2 long */
            h->p++;
        if (nd < maxd)
            dims[nd] = v;
        nd++;
        skip_ws(h);
        if (h->p < h->end && *h->p == ',') {
            h->p++;
            continue;
        }
        if (h->p < h->end && *h->p == ')') {
            h->p++;
            return nd;
        }
        return -1;
    }
}

/* ---------------------------------------------------------------- load */

static uint32_t
le32(const unsigned char *b)
{
    return (uint32_t) b[0] | ((uint32_t) b[1] << 8) | ((uint32_t) b[2] << 16)
           | ((uint32_t) b[3] << 24);
}

/* The dtype a descr names ('<f8', '|u1', '|b1', ...), or -1. */
static int
npy_dtype(const char *t)
{
    static const char *const names[RJ_DT_COUNT] = {
        "f8", "f4", "f2", NULL, "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"
    };
    int i;
    for (i = 0; i < RJ_DT_COUNT; i++)
        if (names[i] != NULL && strcmp(t, names[i]) == 0)
            return i;
    return -1;
}

/* The .npy held in buf[0..n-1], a prefix of an array file of `total` bytes
   (n < total only when total is over what any accepted array takes, so that
   the shape check refuses it before the data is needed). */
static int
npy_parse(fmpq_mat_t out, const unsigned char *buf, size_t n, size_t total, const char *path,
          rj_error_t err)
{
    size_t hlen, lenbytes, nbytes, start;
    char descr[32], key[64];
    int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0, nd = 0;
    int too_big = 0, dt, st;
    long long dims[NPY_MAX_DIMS] = { 1, 1 };
    slong rows, cols;
    hdr_t h;
    const char *hdr;

    if (n < 8 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path,
                         "not a .npy file: it does not start with the \\x93NUMPY magic");
    if (buf[6] != 1 && buf[6] != 2 && buf[6] != 3)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "unsupported .npy format version %d.%d",
                         buf[6], buf[7]);
    lenbytes = buf[6] == 1 ? 2 : 4;
    if (n < 8 + lenbytes)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "truncated .npy header (file ends after %lu "
                         "bytes)", (unsigned long) n);
    hlen = lenbytes == 2 ? (size_t) (buf[8] | (buf[9] << 8)) : (size_t) le32(buf + 8);
    if (hlen > NPY_MAX_HEADER)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "implausible .npy header length %lu",
                         (unsigned long) hlen);
    start = 8 + lenbytes;
    if (n - start < hlen)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "truncated .npy header: expected %lu bytes, "
                         "found %lu", (unsigned long) hlen, (unsigned long) (n - start));
    hdr = (const char *) buf + start;

    /* the dict */
    h.p = hdr;
    h.end = hdr + hlen;
    skip_ws(&h);
    if (h.p >= h.end || *h.p != '{')
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected '{'");
    h.p++;
    for (;;) {
        skip_ws(&h);
        if (h.p < h.end && *h.p == '}') {
            h.p++;
            break;
        }
        if (!py_str(&h, key, sizeof(key)))
            return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected a key "
                             "in quotes at byte %ld of the header", (long) (h.p - hdr));
        skip_ws(&h);
        if (h.p >= h.end || *h.p != ':')
            return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected ':' "
                             "after '%s'", key);
        h.p++;
        skip_ws(&h);
        if (strcmp(key, "descr") == 0) {
            if (!py_str(&h, descr, sizeof(descr)))
                return _rj_tensor_error(err, RJ_ERR_INPUT, path, "unsupported dtype: 'descr' is not "
                                 "a simple type string (structured arrays are not supported; "
                                 "use float64 '<f8' or float32 '<f4')");
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (py_word(&h, "True"))
                fortran = 1;
            else if (py_word(&h, "False"))
                fortran = 0;
            else
                return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: "
                                 "'fortran_order' must be True or False");
            have_fortran = 1;
        } else if (strcmp(key, "shape") == 0) {
            nd = py_shape(&h, dims, NPY_MAX_DIMS, &too_big);
            if (nd < 0)
                return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: 'shape' "
                                 "must be a tuple of integers");
            have_shape = 1;
        } else
            return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: unknown key "
                             "'%s'", key);
        skip_ws(&h);
        if (h.p < h.end && *h.p == ',') {
            h.p++;
            continue;
        }
        if (h.p < h.end && *h.p == '}') {
            h.p++;
            break;
        }
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected ',' or "
                         "'}' after '%s'", key);
    }
    skip_ws(&h);
    if (h.p != h.end || !have_descr || !have_fortran || !have_shape)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed .npy header: %s",
                         h.p != h.end ? "text after the dict"
                         : "it needs 'descr', 'fortran_order' and 'shape'");

    /* dtype */
    {
        const char *t = descr;
        if (*t == '<' || *t == '=' || *t == '|')
            t++;
        else if (*t == '>' && strcmp(t, ">i1") != 0 && strcmp(t, ">u1") != 0
                 && strcmp(t, ">b1") != 0)
            return _rj_tensor_error(err, RJ_ERR_INPUT, path, "big-endian dtype '%s' is not "
                             "supported (save with arr.astype('<f8'))", descr);
        else if (*t == '>')
            t++;
        dt = npy_dtype(t);
        if (dt < 0)
            return _rj_tensor_error(err, RJ_ERR_INPUT, path, "unsupported dtype '%s': resjac reads "
                             "float64, float32, float16, integer and bool arrays ('<f8', "
                             "'<f4', '<f2', '<i8' ... '|u1', '|b1')", descr);
    }
    if (fortran)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "Fortran-order arrays are not supported "
                         "(save with np.ascontiguousarray(arr))");
    st = _rj_tensor_shape(&rows, &cols, dims, nd, too_big, path, "array", err);
    if (st != RJ_OK)
        return st;

    /* data */
    start += hlen;
    nbytes = (size_t) rows * (size_t) cols * (size_t) _rj_tensor_dtype_size(dt);
    if (total - start < nbytes)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "truncated data: shape (%ld, %ld) of "
                         "%d-byte elements needs %lu bytes, the file has %lu",
                         (long) rows, (long) cols, _rj_tensor_dtype_size(dt),
                         (unsigned long) nbytes, (unsigned long) (total - start));
    if (total - start > nbytes)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "unexpected bytes after the %lu bytes of "
                         "data (is the shape in the header right?)", (unsigned long) nbytes);
    if (n < total)      /* not reached: an accepted shape fits in what was read */
        return _rj_tensor_error(err, RJ_ERR_INTERNAL, path, "array data not read");
    st = _rj_tensor_check_memory(rows, cols, 0, path, "array", err);
    if (st != RJ_OK)
        return st;
    return _rj_tensor_decode(out, buf + start, dt, rows, cols, path, "array", err);
}

int
rj_npy_load_buffer(fmpq_mat_t out, const unsigned char *buf, size_t n, const char *path,
                   rj_error_t err)
{
    return npy_parse(out, buf, n, n, path, err);
}

int
rj_npy_load(fmpq_mat_t out, const char *path, rj_error_t err)
{
    FILE *f;
    unsigned char *buf = NULL;
    long long size;
    size_t n, got;
    /* the most an accepted array's file holds: prefix, header, the data */
    const size_t most = 12 + NPY_MAX_HEADER + (size_t) RJ_MAX_ENTRIES * 8;
    int st = rj_file_open_read(&f, path, "a .npy file", err);
    if (st != RJ_OK)
        return st;
    size = _rj_tensor_file_size(f);
    if (size < 0) {
        fclose(f);
        return _rj_tensor_error(err, RJ_ERR_IO, path, "cannot tell the size of the file");
    }
    n = (size_t) size > most ? 12 + NPY_MAX_HEADER : (size_t) size;
    if ((size_t) size <= most)
        st = _rj_tensor_check_memory(0, 0, n, path, "the .npy file", err);
    if (st == RJ_OK) {
        buf = malloc(n > 0 ? n : 1);
        if (buf == NULL)
            st = _rj_tensor_error(err, RJ_ERR_MEMORY, path, "out of memory reading %lu bytes",
                           (unsigned long) n);
    }
    if (st == RJ_OK) {
        got = fread(buf, 1, n, f);
        if (got < n && (size_t) size <= most)
            size = (long long) got;      /* the file shrank: read what is there */
        st = npy_parse(out, buf, got, (size_t) size, path, err);
    }
    free(buf);
    fclose(f);
    return st;
}

/* ---------------------------------------------------------------- save */

int
rj_npy_save_d(const char *path, const double *data, slong rows, slong cols,
              rj_error_t err)
{
    FILE *f;
    char dict[200];
    unsigned char pre[10];
    size_t n, total, pad;
    slong i;
    int k, bad = 0;

    if (rows < 0 || cols < 0)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "negative shape (%ld, %ld)", (long) rows,
                         (long) cols);
    n = (size_t) snprintf(dict, sizeof(dict),
                          "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %ld), }",
                          (long) rows, (long) cols);
    total = 10 + n + 1;                         /* + the final '\n' */
    pad = (64 - total % 64) % 64;
    f = fopen(path, "wb");
    if (f == NULL)
        return _rj_tensor_error(err, RJ_ERR_IO, path, "cannot write: %s", strerror(errno));
    memcpy(pre, "\x93NUMPY\x01\x00", 8);
    pre[8] = (unsigned char) ((n + pad + 1) & 0xff);
    pre[9] = (unsigned char) ((n + pad + 1) >> 8);
    bad |= fwrite(pre, 1, 10, f) != 10;
    bad |= fwrite(dict, 1, n, f) != n;
    for (i = 0; i < (slong) pad; i++)
        bad |= fputc(' ', f) == EOF;
    bad |= fputc('\n', f) == EOF;
    for (i = 0; i < rows * cols && !bad; i++) {
        uint64_t u;
        unsigned char b[8];
        memcpy(&u, data + i, 8);
        for (k = 0; k < 8; k++)
            b[k] = (unsigned char) (u >> (8 * k));
        bad |= fwrite(b, 1, 8, f) != 8;
    }
    if (fclose(f) != 0)
        bad = 1;
    if (bad)
        return _rj_tensor_error(err, RJ_ERR_IO, path, "write error: %s", strerror(errno));
    return RJ_OK;
}
