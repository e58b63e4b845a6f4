/* resjac: NumPy .npy import (exact) and float64 export.
 *
 * Format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a minor
 * version byte, the header length (2 bytes little-endian for version 1, 4 bytes
 * for versions 2 and 3), then an ASCII Python dict literal
 *     {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
 * padded with spaces and ended by '\n', then the raw data in C order.
 *
 * Accepted: descr '<f8' / '<f4' ('=' and '|' and no order character are read as
 * little-endian, which is the order of every platform resjac builds on: numpy
 * itself writes '<'); any number of dimensions up to NPY_MAX_DIMS in C order
 * (0-d becomes 1 x 1, 1-d a column vector, n-d with n >= 2 the matrix
 * dims[0] x (dims[1] * ... * dims[n-1]): row i holds the C-order entries
 * A[i, ...], so a PyTorch conv weight C_out x C_in x kh x kw becomes the
 * kernel matrix of a conv2d layer).  Each value is converted exactly: a finite float32 or
 * float64 is a dyadic rational m * 2^e, and rj_fmpq_set_d_exact reads m and e
 * from the bits (float32 -> double is exact, so float32 goes through double). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resjac/model.h"

#define NPY_MAX_HEADER (1L << 20)
#define NPY_MAX_DIMS 32

static int
npy_error(rj_error_t err, int status, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
npy_error(rj_error_t err, int status, const char *path, const char *fmt, ...)
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

static uint64_t
le64(const unsigned char *b)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

static uint32_t
le32(const unsigned char *b)
{
    return (uint32_t) b[0] | ((uint32_t) b[1] << 8) | ((uint32_t) b[2] << 16)
           | ((uint32_t) b[3] << 24);
}

int
rj_npy_load(fmpq_mat_t out, const char *path, rj_error_t err)
{
    FILE *f;
    unsigned char pre[12];
    char *hdr = NULL;
    unsigned char *data = NULL;
    size_t got, hlen, lenbytes, nbytes;
    char descr[32], key[64];
    int have_descr = 0, have_fortran = 0, have_shape = 0, fortran = 0, nd = 0;
    int too_big = 0, item;
    long long dims[NPY_MAX_DIMS] = { 1, 1 };
    slong rows, cols, i;
    hdr_t h;
    fmpq_mat_t A;
    int st = RJ_OK;

    st = rj_file_open_read(&f, path, "a .npy file", err);
    if (st != RJ_OK)
        return st;

    got = fread(pre, 1, 10, f);
    if (got < 8 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        st = npy_error(err, RJ_ERR_INPUT, path,
                       "not a .npy file: it does not start with the \\x93NUMPY magic");
        goto done;
    }
    if (pre[6] != 1 && pre[6] != 2 && pre[6] != 3) {
        st = npy_error(err, RJ_ERR_INPUT, path, "unsupported .npy format version %d.%d",
                       pre[6], pre[7]);
        goto done;
    }
    lenbytes = pre[6] == 1 ? 2 : 4;
    if (lenbytes == 4)
        got += fread(pre + 10, 1, 2, f);
    if (got < 8 + lenbytes) {
        st = npy_error(err, RJ_ERR_INPUT, path, "truncated .npy header (file ends after %lu "
                       "bytes)", (unsigned long) got);
        goto done;
    }
    hlen = lenbytes == 2 ? (size_t) (pre[8] | (pre[9] << 8)) : (size_t) le32(pre + 8);
    if (hlen > NPY_MAX_HEADER) {
        st = npy_error(err, RJ_ERR_INPUT, path, "implausible .npy header length %lu",
                       (unsigned long) hlen);
        goto done;
    }
    hdr = malloc(hlen + 1);
    if (hdr == NULL) {
        st = npy_error(err, RJ_ERR_MEMORY, path, "out of memory reading the header");
        goto done;
    }
    got = fread(hdr, 1, hlen, f);
    if (got < hlen) {
        st = npy_error(err, RJ_ERR_INPUT, path, "truncated .npy header: expected %lu bytes, "
                       "found %lu", (unsigned long) hlen, (unsigned long) got);
        goto done;
    }
    hdr[hlen] = '\0';

    /* the dict */
    h.p = hdr;
    h.end = hdr + hlen;
    skip_ws(&h);
    if (h.p >= h.end || *h.p != '{') {
        st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected '{'");
        goto done;
    }
    h.p++;
    for (;;) {
        skip_ws(&h);
        if (h.p < h.end && *h.p == '}') {
            h.p++;
            break;
        }
        if (!py_str(&h, key, sizeof(key))) {
            st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected a key "
                           "in quotes at byte %ld of the header", (long) (h.p - hdr));
            goto done;
        }
        skip_ws(&h);
        if (h.p >= h.end || *h.p != ':') {
            st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected ':' "
                           "after '%s'", key);
            goto done;
        }
        h.p++;
        skip_ws(&h);
        if (strcmp(key, "descr") == 0) {
            if (!py_str(&h, descr, sizeof(descr))) {
                st = npy_error(err, RJ_ERR_INPUT, path, "unsupported dtype: 'descr' is not a "
                               "simple type string (structured arrays are not supported; "
                               "use float64 '<f8' or float32 '<f4')");
                goto done;
            }
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (py_word(&h, "True"))
                fortran = 1;
            else if (py_word(&h, "False"))
                fortran = 0;
            else {
                st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: "
                               "'fortran_order' must be True or False");
                goto done;
            }
            have_fortran = 1;
        } else if (strcmp(key, "shape") == 0) {
            nd = py_shape(&h, dims, NPY_MAX_DIMS, &too_big);
            if (nd < 0) {
                st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: 'shape' "
                               "must be a tuple of integers");
                goto done;
            }
            have_shape = 1;
        } else {
            st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: unknown key "
                           "'%s'", key);
            goto done;
        }
        skip_ws(&h);
        if (h.p < h.end && *h.p == ',') {
            h.p++;
            continue;
        }
        if (h.p < h.end && *h.p == '}') {
            h.p++;
            break;
        }
        st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: expected ',' or "
                       "'}' after '%s'", key);
        goto done;
    }
    skip_ws(&h);
    if (h.p != h.end || !have_descr || !have_fortran || !have_shape) {
        st = npy_error(err, RJ_ERR_INPUT, path, "malformed .npy header: %s",
                       h.p != h.end ? "text after the dict"
                       : "it needs 'descr', 'fortran_order' and 'shape'");
        goto done;
    }

    /* dtype */
    {
        const char *t = descr;
        if (*t == '<' || *t == '=' || *t == '|')
            t++;
        else if (*t == '>') {
            st = npy_error(err, RJ_ERR_INPUT, path, "big-endian dtype '%s' is not supported "
                           "(save with arr.astype('<f8'))", descr);
            goto done;
        }
        if (strcmp(t, "f8") == 0)
            item = 8;
        else if (strcmp(t, "f4") == 0)
            item = 4;
        else {
            st = npy_error(err, RJ_ERR_INPUT, path, "unsupported dtype '%s': resjac reads "
                           "float64 ('<f8') and float32 ('<f4') arrays", descr);
            goto done;
        }
    }
    if (fortran) {
        st = npy_error(err, RJ_ERR_INPUT, path, "Fortran-order arrays are not supported "
                       "(save with np.ascontiguousarray(arr))");
        goto done;
    }
    if (nd > NPY_MAX_DIMS) {
        st = npy_error(err, RJ_ERR_INPUT, path, "array has %d dimensions; resjac reads "
                       "at most %d", nd, NPY_MAX_DIMS);
        goto done;
    }
    if (nd == 0)
        rows = cols = 1;
    else if (nd == 1) {
        rows = (slong) dims[0];
        cols = 1;
    } else {
        double prod = 1;
        int k;
        for (k = 1; k < nd; k++)
            prod *= (double) dims[k];
        if (prod > (double) (1LL << 40))
            too_big = 1;
        rows = (slong) dims[0];
        cols = too_big ? 0 : (slong) prod;
    }
    if (too_big || rows > RJ_MAX_WIDTH || cols > RJ_MAX_WIDTH
        || (double) rows * (double) cols > (double) RJ_MAX_ENTRIES) {
        char shape[64];
        if (too_big)
            snprintf(shape, sizeof(shape), "with a dimension above 2^40");
        else if (nd == 1)
            snprintf(shape, sizeof(shape), "of shape (%lld,)", dims[0]);
        else if (nd == 2)
            snprintf(shape, sizeof(shape), "of shape (%lld, %lld)", dims[0], dims[1]);
        else
            snprintf(shape, sizeof(shape), "of %d dimensions read as %ld x %ld", nd,
                     (long) rows, (long) cols);
        st = npy_error(err, RJ_ERR_LIMIT, path, "array %s exceeds the limits (dimensions "
                       "at most %d, at most %ld entries)", shape, RJ_MAX_WIDTH,
                       (long) RJ_MAX_ENTRIES);
        goto done;
    }
    if (rows == 0 || cols == 0) {
        st = npy_error(err, RJ_ERR_INPUT, path, "array is empty (shape has a 0)");
        goto done;
    }

    /* data */
    nbytes = (size_t) rows * (size_t) cols * (size_t) item;
    data = malloc(nbytes);
    if (data == NULL) {
        st = npy_error(err, RJ_ERR_MEMORY, path, "out of memory reading %lu bytes",
                       (unsigned long) nbytes);
        goto done;
    }
    got = fread(data, 1, nbytes, f);
    if (got < nbytes) {
        st = npy_error(err, RJ_ERR_INPUT, path, "truncated data: shape (%ld, %ld) of "
                       "%d-byte floats needs %lu bytes, the file has %lu",
                       (long) rows, (long) cols, item, (unsigned long) nbytes,
                       (unsigned long) got);
        goto done;
    }
    if (fgetc(f) != EOF) {
        st = npy_error(err, RJ_ERR_INPUT, path, "unexpected bytes after the %lu bytes of "
                       "data (is the shape in the header right?)", (unsigned long) nbytes);
        goto done;
    }

    fmpq_mat_init(A, rows, cols);
    for (i = 0; i < rows * cols; i++) {
        double d;
        if (item == 8) {
            uint64_t u = le64(data + 8 * i);
            memcpy(&d, &u, 8);
        } else {
            uint32_t u = le32(data + 4 * i);
            float g;
            memcpy(&g, &u, 4);
            d = (double) g;      /* exact */
        }
        if (d != d || d - d != 0) {
            st = npy_error(err, RJ_ERR_INPUT, path, "%s at flat index %ld (row %ld, column "
                           "%ld, counting from 0 as numpy does): weights must be finite",
                           d != d ? "NaN" : d > 0 ? "+Inf" : "-Inf", (long) i,
                           (long) (i / cols), (long) (i % cols));
            break;
        }
        rj_fmpq_set_d_exact(fmpq_mat_entry(A, i / cols, i % cols), d);
    }
    if (st == RJ_OK)
        fmpq_mat_swap(out, A);
    fmpq_mat_clear(A);

done:
    free(hdr);
    free(data);
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
        return npy_error(err, RJ_ERR_INPUT, path, "negative shape (%ld, %ld)", (long) rows,
                         (long) cols);
    n = (size_t) snprintf(dict, sizeof(dict),
                          "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %ld), }",
                          (long) rows, (long) cols);
    total = 10 + n + 1;                         /* + the final '\n' */
    pad = (64 - total % 64) % 64;
    f = fopen(path, "wb");
    if (f == NULL)
        return npy_error(err, RJ_ERR_IO, path, "cannot write: %s", strerror(errno));
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
        return npy_error(err, RJ_ERR_IO, path, "write error: %s", strerror(errno));
    return RJ_OK;
}
