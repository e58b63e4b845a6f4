/* resjac: tests of the tensor-file readers (safetensors, .npz) and of load /
 * tensors in the language.  Every file is written here, byte by byte
 * (tests/tensorfile.c), and every expected value is computed here from the
 * bit pattern with FLINT (sign, exponent, mantissa of the IEEE format; two's
 * complement for integers), not by the reader's own route (doubles, ldexp).
 * Malformed files must give a status, a message naming the file and the
 * tensor, and leave the output unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tensorfile.h"

/* ---------------------------------------------------------------- expected values */

typedef struct {
    const char *st;             /* safetensors name */
    const char *npy;            /* numpy descr (NULL: none) */
    int size;
    int ebits, mbits;           /* floats; 0 for integers */
    int is_signed;
} dtype_info;

static const dtype_info dtypes[] = {
    { "F64", "<f8", 8, 11, 52, 1 }, { "F32", "<f4", 4, 8, 23, 1 },
    { "F16", "<f2", 2, 5, 10, 1 }, { "BF16", NULL, 2, 8, 7, 1 },
    { "I8", "|i1", 1, 0, 0, 1 }, { "I16", "<i2", 2, 0, 0, 1 },
    { "I32", "<i4", 4, 0, 0, 1 }, { "I64", "<i8", 8, 0, 0, 1 },
    { "U8", "|u1", 1, 0, 0, 0 }, { "U16", "<u2", 2, 0, 0, 0 },
    { "U32", "<u4", 4, 0, 0, 0 }, { "U64", "<u8", 8, 0, 0, 0 },
    { "BOOL", "|b1", 1, 0, 0, 0 },
};
#define NDTYPES ((int) (sizeof(dtypes) / sizeof(dtypes[0])))

static uint64_t
get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    while (n-- > 0)
        v = (v << 8) | p[n];
    return v;
}

/* The value of the element at p as the format defines it; 0 for NaN/Inf. */
static int
expected_value(fmpq_t q, const unsigned char *p, const dtype_info *d)
{
    uint64_t u = get_le(p, d->size);
    if (d->ebits > 0) {
        int bits = d->size == 2 && d->ebits == 8 ? 16 : 8 * d->size;
        uint64_t emax = (UINT64_C(1) << d->ebits) - 1;
        uint64_t E = (u >> d->mbits) & emax, M = u & ((UINT64_C(1) << d->mbits) - 1);
        slong bias = (1L << (d->ebits - 1)) - 1, ex;
        if (E == emax)
            return 0;
        fmpz_set_ui(fmpq_numref(q), E == 0 ? M : M + (UINT64_C(1) << d->mbits));
        fmpz_one(fmpq_denref(q));
        ex = (E == 0 ? 1 : (slong) E) - bias - d->mbits;
        if (ex >= 0)
            fmpq_mul_2exp(q, q, ex);
        else
            fmpq_div_2exp(q, q, -ex);
        if ((u >> (bits - 1)) & 1)
            fmpq_neg(q, q);
        return 1;
    }
    fmpq_set_ui(q, u, 1);
    if (d->is_signed && ((u >> (8 * d->size - 1)) & 1)) {
        fmpz_t t;
        fmpz_init(t);
        fmpz_one(t);
        fmpz_mul_2exp(t, t, 8 * d->size);
        fmpz_sub(fmpq_numref(q), fmpq_numref(q), t);
        fmpz_clear(t);
    }
    return 1;
}

/* A random finite element of d into p. */
static void
random_element(unsigned char *p, const dtype_info *d, flint_rand_t st)
{
    fmpq_t q;
    int k;
    fmpq_init(q);
    do {
        for (k = 0; k < d->size; k++)
            p[k] = (unsigned char) n_randint(st, 256);
        if (strcmp(d->st, "BOOL") == 0)
            p[0] &= 1;
        /* now and then a special pattern: zero, subnormal, extreme */
        if (n_randint(st, 6) == 0) {
            memset(p, 0, d->size);
            p[0] = (unsigned char) n_randint(st, 2);
        }
    } while (!expected_value(q, p, d));
    fmpq_clear(q);
}

/* A random tensor of dtype d: 0 to 4 dimensions of 1 to 3; data malloc'd. */
static void
random_tensor(rj_test_tensor *t, const dtype_info *d, const char *name, flint_rand_t st)
{
    size_t count = 1, i;
    unsigned char *data;
    int k;
    t->name = name;
    t->dtype = d->st;
    t->nd = (int) n_randint(st, 5);
    for (k = 0; k < t->nd; k++) {
        t->dims[k] = 1 + (long long) n_randint(st, 3);
        count *= (size_t) t->dims[k];
    }
    t->nbytes = count * d->size;
    data = malloc(t->nbytes);
    for (i = 0; i < count; i++)
        random_element(data + i * d->size, d, st);
    t->data = data;
}

/* Check A against the tensor's expected matrix (shape rule: 0-d 1 x 1, 1-d a
   column, n-d dims[0] x rest). */
static void
check_tensor(const fmpq_mat_t A, const rj_test_tensor *t, const dtype_info *d, ulong seed)
{
    slong rows = t->nd == 0 ? 1 : t->dims[0], cols = 1, i;
    fmpq_t q;
    int k;
    for (k = 1; k < t->nd; k++)
        cols *= t->dims[k];
    RJ_CHECK(fmpq_mat_nrows(A) == rows && fmpq_mat_ncols(A) == cols, seed,
             "%s (%s): %ld x %ld, expected %ld x %ld", t->name, d->st,
             (long) fmpq_mat_nrows(A), (long) fmpq_mat_ncols(A), (long) rows, (long) cols);
    fmpq_init(q);
    for (i = 0; i < rows * cols; i++) {
        expected_value(q, t->data + i * d->size, d);
        if (!fmpq_equal(q, fmpq_mat_entry(A, i / cols, i % cols))) {
            fprintf(stderr, "%s (%s) entry %ld: bits %llx\n", t->name, d->st, (long) i,
                    (unsigned long long) get_le(t->data + i * d->size, d->size));
            RJ_CHECK(0, seed, "%s: inexact value at %ld", t->name, (long) i);
        }
    }
    fmpq_clear(q);
}

/* ---------------------------------------------------------------- exact values */

START_TEST(test_safetensors_exact)
{
    ulong seed = rj_test_seed(1201);
    flint_rand_t st;
    slong it, iters = rj_test_iters(20);
    char path[512], names[NDTYPES][32];
    rj_test_tensor t[NDTYPES];
    int i;
    rj_test_randinit(st, seed);
    rj_test_tmp_path(path, sizeof(path), "all.safetensors");
    for (it = 0; it < iters; it++) {
        rj_test_buf b = { NULL, 0, 0 };
        rj_tensor_file_t tf;
        rj_error_t err;
        fmpq_mat_t A;
        for (i = 0; i < NDTYPES; i++) {
            snprintf(names[i], sizeof(names[i]), "layer%d.%s.weight", i, dtypes[i].st);
            random_tensor(t + i, dtypes + i, names[i], st);
        }
        rj_test_safetensors(&b, t, NDTYPES, it % 2 ? "\"__metadata__\": {\"format\": \"pt\"}"
                                                   : NULL);
        rj_test_buf_write(&b, path);
        rj_tensor_file_init(tf);
        rj_error_init(err);
        RJ_CHECK(rj_tensor_file_open(tf, path, err) == RJ_OK, seed, "open: %s", err->msg);
        ck_assert_int_eq(tf->n, NDTYPES);
        ck_assert_int_eq(tf->format, RJ_TENSOR_SAFETENSORS);
        fmpq_mat_init(A, 0, 0);
        for (i = 0; i < NDTYPES; i++) {
            slong k = rj_tensor_file_find(tf, names[i]);
            RJ_CHECK(k >= 0, seed, "%s not found", names[i]);
            RJ_CHECK(rj_tensor_file_get(A, tf, k, err) == RJ_OK, seed, "get %s: %s",
                     names[i], err->msg);
            check_tensor(A, t + i, dtypes + i, seed);
            /* the one-call route gives the same */
            RJ_CHECK(rj_tensor_load(A, path, names[i], err) == RJ_OK, seed, "load: %s",
                     err->msg);
            check_tensor(A, t + i, dtypes + i, seed);
        }
        fmpq_mat_clear(A);
        rj_tensor_file_clear(tf);
        for (i = 0; i < NDTYPES; i++)
            free((void *) (size_t) t[i].data);      /* malloc'd by random_tensor */
        free(b.data);
    }
    flint_randclear(st);
}
END_TEST

/* float16 and bfloat16 patterns decoded by hand (the values are in the test). */
START_TEST(test_half_by_hand)
{
    /* F16: 1.0, -2.0, 65504 (largest), 2^-24 (smallest subnormal), 2^-14
       (smallest normal), 1/3 rounded (0x3555 = 1365/4096); BF16: 1.0, -3.5 */
    static const unsigned char f16[] = { 0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00,
                                         0x00, 0x04, 0x55, 0x35 };
    static const unsigned char bf16[] = { 0x80, 0x3f, 0x60, 0xc0 };
    static const long num[] = { 1, -2, 65504, 1, 1, 1365 }, den[] = { 1, 1, 1, 1L << 24,
                                                                     1L << 14, 4096 };
    rj_test_tensor t[2] = {
        { "h", "F16", 1, { 6 }, f16, sizeof(f16) },
        { "b", "BF16", 2, { 1, 2 }, bf16, sizeof(bf16) },
    };
    rj_test_buf b = { NULL, 0, 0 };
    char path[512];
    rj_error_t err;
    fmpq_mat_t A;
    int i;
    rj_test_tmp_path(path, sizeof(path), "half.safetensors");
    rj_test_safetensors(&b, t, 2, NULL);
    rj_test_buf_write(&b, path);
    free(b.data);
    fmpq_mat_init(A, 0, 0);
    ck_assert_int_eq(rj_tensor_load(A, path, "h", err), RJ_OK);
    ck_assert_int_eq(fmpq_mat_nrows(A), 6);
    for (i = 0; i < 6; i++)
        ck_assert_msg(fmpz_equal_si(fmpq_mat_entry_num(A, i, 0), num[i])
                      && fmpz_equal_si(fmpq_mat_entry_den(A, i, 0), den[i]), "F16 entry %d", i);
    ck_assert_int_eq(rj_tensor_load(A, path, "b", err), RJ_OK);
    ck_assert(fmpq_mat_nrows(A) == 1 && fmpq_mat_ncols(A) == 2);
    ck_assert(fmpz_equal_si(fmpq_mat_entry_num(A, 0, 0), 1));
    ck_assert(fmpz_equal_si(fmpq_mat_entry_num(A, 0, 1), -7)
              && fmpz_equal_si(fmpq_mat_entry_den(A, 0, 1), 2));
    fmpq_mat_clear(A);
}
END_TEST

/* A safetensors header of 0x4b50 bytes: the file starts "PK" like a zip
   (regression: it was read as an .npz). */
START_TEST(test_safetensors_starting_pk)
{
    static const float v[2] = { 0.5f, -8 };
    rj_test_buf b = { NULL, 0, 0 };
    const char *h = "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}";
    char path[512];
    rj_error_t err;
    fmpq_mat_t A;
    size_t k;
    rj_test_buf_le(&b, 0x4b50, 8);
    rj_test_buf_add(&b, h, strlen(h));
    for (k = strlen(h); k < 0x4b50; k++)
        rj_test_buf_add(&b, " ", 1);
    rj_test_buf_add(&b, v, sizeof(v));
    ck_assert(b.data[0] == 'P' && b.data[1] == 'K');
    rj_test_tmp_path(path, sizeof(path), "pk.safetensors");
    rj_test_buf_write(&b, path);
    free(b.data);
    fmpq_mat_init(A, 0, 0);
    ck_assert_msg(rj_tensor_load(A, path, "w", err) == RJ_OK, "%s", err->msg);
    ck_assert(fmpq_mat_nrows(A) == 2 && fmpz_equal_si(fmpq_mat_entry_num(A, 1, 0), -8));
    fmpq_mat_clear(A);
}
END_TEST

/* ---------------------------------------------------------------- malformed */

/* Write b (then free it) to path and open it (tensor NULL) or load tensor
   from it under the memory limit max_bytes (0: the default): the status must
   be `status`, the message must hold msg and name the file, and nothing
   must come out (A keeps its 1 x 1 matrix [42]). */
static void
expect_refusal(rj_test_buf *b, const char *path, const char *tensor, size_t max_bytes,
               int status, const char *msg, fmpq_mat_t A, size_t i)
{
    rj_tensor_file_t tf;
    rj_error_t err;
    char buf[1024];
    int st;
    rj_test_buf_write(b, path);
    free(b->data);
    rj_set_max_bytes(max_bytes);
    rj_error_init(err);
    rj_tensor_file_init(tf);
    if (tensor == NULL)
        st = rj_tensor_file_open(tf, path, err);
    else
        st = rj_tensor_load(A, path, tensor, err);
    rj_set_max_bytes(0);
    ck_assert_msg(st == status, "case %zu: status %d, expected %d (%s)", i, st, status,
                  err->msg);
    ck_assert_msg(strstr(err->msg, msg) != NULL, "case %zu: '%s' lacks '%s'", i, err->msg,
                  msg);
    rj_error_format(buf, sizeof(buf), err);
    ck_assert_msg(strstr(buf, path) != NULL, "case %zu: '%s' does not name the file", i, buf);
    ck_assert(tf->n == 0 && tf->entries == NULL);
    ck_assert(fmpq_mat_nrows(A) == 1 && fmpq_mat_ncols(A) == 1
              && fmpq_equal_si(fmpq_mat_entry(A, 0, 0), 42));
}

typedef struct {
    const char *header;         /* JSON text (NULL: `raw` is the whole file) */
    size_t data;                /* bytes of data after the header (value 0x3c00...) */
    const char *raw;            /* the whole file when header is NULL */
    size_t rawlen;
    int status;
    const char *msg;            /* in the message */
    const char *tensor;         /* read this tensor (NULL: opening must fail) */
    size_t max_bytes;           /* memory limit (0: default) */
} st_bad;

START_TEST(test_safetensors_reject)
{
    static const st_bad cases[] = {
        { NULL, 0, "\x05\x00\x00", 3, RJ_ERR_INPUT, "shorter than its 8-byte header", NULL, 0 },
        { NULL, 0, "\xff\x00\x00\x00\x00\x00\x00\x00{}", 10, RJ_ERR_INPUT,
          "does not fit in the file", NULL, 0 },
        { NULL, 0, "\xff\xff\xff\xff\xff\xff\xff\xff{}", 10, RJ_ERR_INPUT,
          "does not fit in the file", NULL, 0 },
        { "{\"a\": ", 0, NULL, 0, RJ_ERR_INPUT, "malformed safetensors header", NULL, 0 },
        { "[1, 2]", 0, NULL, 0, RJ_ERR_INPUT, "not a JSON object", NULL, 0 },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, "
          "\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, NULL, 0,
          RJ_ERR_INPUT, "duplicate", NULL, 0 },
        { "{\"w\": {\"dtype\": \"C64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8, NULL, 0,
          RJ_ERR_INPUT, "tensor 'w': unsupported dtype 'C64'", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4, NULL,
          0, RJ_ERR_INPUT, "tensor 'w': shape entry 0", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4, NULL,
          0, RJ_ERR_INPUT, "tensor 'w': shape entry 0", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"x\": 1}}", 4,
          NULL, 0, RJ_ERR_INPUT, "tensor 'w': unexpected key 'x'", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, NULL, 0, RJ_ERR_INPUT,
          "tensor 'w': its header entry needs", NULL, 0 },
        { "{\"w\": [1, 2]}", 0, NULL, 0, RJ_ERR_INPUT, "tensor 'w': its header entry is not",
          NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4, NULL, 0,
          RJ_ERR_INPUT, "tensor 'w': data_offsets [0, 8] run past the end", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 0]}}", 8, NULL, 0,
          RJ_ERR_INPUT, "tensor 'w': data_offsets [8, 0] end before", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, NULL, 0,
          RJ_ERR_INPUT, "tensor 'w': data_offsets [0, 8] hold 8 bytes, but its shape needs 3",
          NULL, 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", 8, NULL,
          0, RJ_ERR_INPUT, "tensor 'w': data_offsets must be two", NULL, 0 },
        { "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
          "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, NULL,
          0, RJ_ERR_INPUT, "tensors 'a' and 'b' overlap", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F64\", \"shape\": [1099511627776, 1099511627776], "
          "\"data_offsets\": [0, 8]}}", 8, NULL, 0, RJ_ERR_LIMIT,
          "tensor 'w': its shape has a dimension above 2^40 or more than 2^62", NULL, 0 },
        { "{\"w\": {\"dtype\": \"F64\", \"shape\": [1073741824, 1073741824, 64], "
          "\"data_offsets\": [0, 8]}}", 8, NULL, 0, RJ_ERR_LIMIT, "tensor 'w': its shape",
          NULL, 0 },
        { "{\"w\": {\"dtype\": \"F16\", \"shape\": [2, 2], \"data_offsets\": [0, 8]}}", 8, NULL,
          0, RJ_ERR_INPUT, "tensor 'w': +Inf at flat index 3", "w", 0 },
        { "{\"w\": {\"dtype\": \"BOOL\", \"shape\": [2], \"data_offsets\": [0, 2]}}", 2, NULL,
          0, RJ_ERR_INPUT, "tensor 'w': boolean at flat index 0", "w", 0 },
        { "{\"w\": {\"dtype\": \"F16\", \"shape\": [70000], \"data_offsets\": [0, 140000]}}",
          140000, NULL, 0, RJ_ERR_LIMIT, "tensor 'w' of shape (70000,)", "w", 0 },
        { "{\"w\": {\"dtype\": \"F16\", \"shape\": [512, 512], \"data_offsets\": [0, 524288]}}",
          524288, NULL, 0, RJ_ERR_LIMIT, "tensor 'w' needs about", "w", 1 << 20 },
        { "{\"layer1.weight\": {\"dtype\": \"F16\", \"shape\": [1], \"data_offsets\": [0, 2]}, "
          "\"layer1.bias\": {\"dtype\": \"F16\", \"shape\": [1], \"data_offsets\": [2, 4]}}", 4,
          NULL, 0, RJ_ERR_INPUT, "no tensor named 'layer1.wieght' (the file has 2 tensors; "
          "the closest names: 'layer1.weight', 'layer1.bias')", "layer1.wieght", 0 },
        { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, "
          "\"__metadata__\": [1]}", 4, NULL, 0, RJ_ERR_INPUT, "\"__metadata__\" is not", NULL,
          0 },
    };
    size_t i, k;
    char path[512];
    fmpq_mat_t A;
    rj_error_t err;
    rj_test_tmp_path(path, sizeof(path), "bad.safetensors");
    fmpq_mat_init(A, 1, 1);
    fmpq_set_si(fmpq_mat_entry(A, 0, 0), 42, 1);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const st_bad *c = cases + i;
        rj_test_buf b = { NULL, 0, 0 };
        if (c->header == NULL)
            rj_test_buf_add(&b, c->raw, c->rawlen);
        else {
            rj_test_buf_le(&b, strlen(c->header), 8);
            rj_test_buf_add(&b, c->header, strlen(c->header));
            for (k = 0; k < c->data; k++)        /* F16 1.0 then +Inf; bool 2 */
                rj_test_buf_add(&b, k == 7 ? "\x7c" : k == 6 ? "\x00" : k % 2 ? "\x3c"
                                : strstr(c->header, "BOOL") ? "\x02" : "\x00", 1);
        }
        expect_refusal(&b, path, c->tensor, c->max_bytes, c->status, c->msg, A, i);
    }
    ck_assert_int_eq(rj_tensor_load(A, "/nonexistent/x.safetensors", "w", err), RJ_ERR_IO);
    fmpq_mat_clear(A);
}
END_TEST

/* ---------------------------------------------------------------- .npz */

/* The safetensors-exact test's tensors again, as .npy members of an .npz
   (every dtype numpy has: bfloat16 is not one), stored and deflated. */
START_TEST(test_npz_exact)
{
    ulong seed = rj_test_seed(1202);
    flint_rand_t st;
    slong it, iters = rj_test_iters(20);
    char path[512], names[NDTYPES][32], members[NDTYPES][40];
    rj_test_tensor t[NDTYPES];
    rj_test_member m[NDTYPES];
    rj_test_buf npy[NDTYPES];
    int i, n;
    rj_test_randinit(st, seed);
    rj_test_tmp_path(path, sizeof(path), "all.npz");
    for (it = 0; it < iters; it++) {
        rj_test_buf b = { NULL, 0, 0 };
        rj_tensor_file_t tf;
        rj_error_t err;
        fmpq_mat_t A;
        for (i = n = 0; i < NDTYPES; i++) {
            if (dtypes[i].npy == NULL)
                continue;
            snprintf(names[n], sizeof(names[n]), "layer%d.%s", i, dtypes[i].st);
            snprintf(members[n], sizeof(members[n]), "%s.npy", names[n]);
            random_tensor(t + n, dtypes + i, names[n], st);
            memset(npy + n, 0, sizeof(npy[n]));
            rj_test_npy(npy + n, t + n, dtypes[i].npy);
            m[n].name = members[n];
            m[n].data = npy[n].data;
            m[n].len = npy[n].len;
            n++;
        }
        rj_test_zip(&b, m, n, it % 2 ? 8 : 0);
        rj_test_buf_write(&b, path);
        rj_tensor_file_init(tf);
        RJ_CHECK(rj_tensor_file_open(tf, path, err) == RJ_OK, seed, "open: %s", err->msg);
        ck_assert_int_eq(tf->n, n);
        ck_assert_int_eq(tf->format, RJ_TENSOR_NPZ);
        fmpq_mat_init(A, 0, 0);
        for (i = 0; i < n; i++) {
            const dtype_info *d = dtypes;
            while (strcmp(d->st, t[i].dtype) != 0)
                d++;
            RJ_CHECK(rj_tensor_file_find(tf, members[i]) == i, seed, "%s", members[i]);
            RJ_CHECK(rj_tensor_load(A, path, names[i], err) == RJ_OK, seed, "load %s: %s",
                     names[i], err->msg);
            check_tensor(A, t + i, d, seed);
            free((void *) (size_t) t[i].data);
            free(npy[i].data);
        }
        fmpq_mat_clear(A);
        rj_tensor_file_clear(tf);
        free(b.data);
    }
    flint_randclear(st);
}
END_TEST

enum { P_NONE, P_DATA, P_METHOD, P_ENCRYPT, P_CUT, P_CDOFF, P_LOCAL2, P_ZIP64, P_USIZE,
       P_USIZE_SMALL, P_CSIZE, P_DEFLATE, P_NOTZIP, P_NAMENUL };

typedef struct {
    int method, two, dup, junk;  /* deflate?  two members?  same name?  not a .npy? */
    int patch;
    uint64_t value;
    int status;
    const char *msg;
    const char *tensor;          /* read it (NULL: opening must fail) */
    size_t max_bytes;
} npz_bad;

static void
put_le(unsigned char *p, uint64_t v, int n)
{
    int i;
    for (i = 0; i < n; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

START_TEST(test_npz_reject)
{
    static const npz_bad cases[] = {
        { 0, 0, 0, 0, P_DATA, 0, RJ_ERR_INPUT, "member 'a.npy': CRC-32 mismatch", "a", 0 },
        { 8, 0, 0, 0, P_METHOD, 12, RJ_ERR_INPUT, "member 'a.npy': unsupported compression "
          "method 12", NULL, 0 },
        { 0, 0, 0, 0, P_ENCRYPT, 0, RJ_ERR_INPUT, "member 'a.npy' is encrypted", NULL, 0 },
        { 0, 0, 0, 0, P_CUT, 0, RJ_ERR_INPUT, "no zip end-of-central-directory", NULL, 0 },
        { 0, 0, 0, 0, P_CDOFF, 0, RJ_ERR_INPUT, "do not fit in the file", NULL, 0 },
        { 0, 1, 0, 0, P_LOCAL2, 0, RJ_ERR_INPUT, "tensors 'a' and 'b' overlap", NULL, 0 },
        { 0, 0, 0, 0, P_ZIP64, 0, RJ_ERR_INPUT, "zip64 archives", NULL, 0 },
        { 8, 0, 0, 0, P_USIZE, 1u << 31, RJ_ERR_LIMIT, "member 'a.npy': its 2147483648 "
          "uncompressed bytes exceed", "a", 0 },
        { 8, 0, 0, 0, P_USIZE, 100u << 20, RJ_ERR_LIMIT, "member 'a.npy' needs about", "a",
          1 << 20 },
        { 8, 0, 0, 0, P_USIZE_SMALL, 0, RJ_ERR_INPUT, "inflates to more than its declared",
          "a", 0 },
        { 0, 0, 0, 0, P_CSIZE, 0, RJ_ERR_INPUT, "stored but its sizes differ", NULL, 0 },
        { 8, 0, 0, 0, P_DEFLATE, 0, RJ_ERR_INPUT, "member 'a.npy': corrupt deflate data",
          "a", 0 },
        { 0, 1, 1, 0, P_NONE, 0, RJ_ERR_INPUT, "two members named 'a.npy'", NULL, 0 },
        { 8, 0, 0, 1, P_NONE, 0, RJ_ERR_INPUT, "member 'a.npy': not a .npy file", "a", 0 },
        { 0, 0, 0, 0, P_NOTZIP, 0, RJ_ERR_INPUT, "no zip end-of-central-directory", NULL, 0 },
        { 0, 1, 0, 0, P_NONE, 0, RJ_ERR_INPUT, "no tensor named 'c' (the file has 2 tensors; "
          "the closest names: 'a', 'b')", "c", 0 },
        /* "a\0npy": five bytes, not ending in ".npy", whose strlen is 5 - 4 */
        { 0, 0, 0, 0, P_NAMENUL, 0, RJ_ERR_INPUT, "member 0 has a NUL byte in its name", NULL,
          0 },
    };
    static const double vals[4] = { 1, 2, 3, 4 };
    rj_test_tensor t = { "x", "F64", 1, { 4 }, (const unsigned char *) vals, sizeof(vals) };
    size_t i;
    char path[512];
    fmpq_mat_t A;
    rj_error_t err;
    rj_test_buf npy = { NULL, 0, 0 };
    rj_test_npy(&npy, &t, "<f8");
    rj_test_tmp_path(path, sizeof(path), "bad.npz");
    fmpq_mat_init(A, 1, 1);
    fmpq_set_si(fmpq_mat_entry(A, 0, 0), 42, 1);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const npz_bad *c = cases + i;
        rj_test_member m[2] = { { "a.npy", npy.data, npy.len }, { "b.npy", npy.data, npy.len } };
        rj_test_buf b = { NULL, 0, 0 };
        unsigned char *cd, *eocd;
        if (c->dup)
            m[1].name = "a.npy";
        if (c->junk) {
            m[0].data = (const unsigned char *) "hello, not an array";
            m[0].len = 19;
        }
        rj_test_zip(&b, m, c->two ? 2 : 1, c->method);
        cd = b.data + rj_test_zip_central(&b);
        eocd = b.data + b.len - 22;
        switch (c->patch) {
        case P_DATA: b.data[30 + 5 + 70] ^= 1; break;         /* a data byte of a.npy */
        case P_METHOD: put_le(cd + 10, c->value, 2); break;
        case P_ENCRYPT: cd[8] |= 1; break;
        case P_CUT: b.len -= 10; break;
        case P_CDOFF: put_le(eocd + 16, b.len, 4); break;
        case P_LOCAL2: put_le(cd + 46 + 5 + 42, 0, 4); break;   /* b's local header = a's */
        case P_ZIP64: put_le(eocd + 8, 0xffff, 2); put_le(eocd + 10, 0xffff, 2); break;
        case P_USIZE: put_le(cd + 24, c->value, 4); break;
        case P_USIZE_SMALL: put_le(cd + 24, 10, 4); break;
        case P_CSIZE: put_le(cd + 20, npy.len - 1, 4); break;
        case P_DEFLATE: b.data[30 + 5] = 0xff; break;          /* block type 3: invalid */
        case P_NOTZIP: memcpy(b.data + b.len - 22, "XX", 2); break;
        case P_NAMENUL: b.data[30 + 1] = 0; cd[46 + 1] = 0; break;
        }
        expect_refusal(&b, path, c->tensor, c->max_bytes, c->status, c->msg, A, i);
    }
    /* and unpatched, both members read back */
    {
        rj_test_member m[2] = { { "a.npy", npy.data, npy.len }, { "b.npy", npy.data, npy.len } };
        rj_test_buf b = { NULL, 0, 0 };
        rj_test_zip(&b, m, 2, 8);
        rj_test_buf_write(&b, path);
        free(b.data);
        ck_assert_int_eq(rj_tensor_load(A, path, "b", err), RJ_OK);
        ck_assert(fmpq_mat_nrows(A) == 4 && fmpq_equal_si(fmpq_mat_entry(A, 3, 0), 4));
    }
    free(npy.data);
    fmpq_mat_clear(A);
}
END_TEST

/* ---------------------------------------------------------------- the language */

/* Evaluate text (in the temporary directory) and return the status. */
static int
eval_text(rj_env_t env, const char *text, rj_error_t err)
{
    rj_prog_t prog;
    int st;
    rj_prog_init(prog);
    env->dir = rj_test_tmp_dir();
    st = rj_parse_string(prog, text, "t.rj", err);
    if (st == RJ_OK)
        st = rj_eval_defs(env, prog, err);
    rj_prog_clear(prog);
    return st;
}

START_TEST(test_lang_load_tensors)
{
    /* conv weight 2 x 1 x 2 x 2 (F32) and a bias (F64), as a .npy and in a
       safetensors file: the same matrices */
    static const float w[8] = { 1, -0.5f, 0.25f, 2, 3, -1, 0.125f, 4 };
    static const double bias[2] = { 0.1, -3 };
    rj_test_tensor t[2] = {
        { "conv.weight", "F32", 4, { 2, 1, 2, 2 }, (const unsigned char *) w, sizeof(w) },
        { "conv.bias", "F64", 1, { 2 }, (const unsigned char *) bias, sizeof(bias) },
    };
    rj_test_buf b = { NULL, 0, 0 }, n1 = { NULL, 0, 0 }, n2 = { NULL, 0, 0 };
    char path[512];
    rj_env_t env;
    rj_error_t err;
    rj_val_struct *v1, *v2, *v3, *v4;
    rj_test_safetensors(&b, t, 2, NULL);
    rj_test_tmp_path(path, sizeof(path), "m.safetensors");
    rj_test_buf_write(&b, path);
    rj_test_npy(&n1, t, "<f4");
    rj_test_tmp_path(path, sizeof(path), "w.npy");
    rj_test_buf_write(&n1, path);
    rj_test_npy(&n2, t + 1, "<f8");
    rj_test_tmp_path(path, sizeof(path), "b.npy");
    rj_test_buf_write(&n2, path);
    rj_env_init(env);
    ck_assert_msg(eval_text(env, "let a = load(\"m.safetensors\", \"conv.weight\")\n"
                            "let b = load(\"w.npy\")\n"
                            "let sd = tensors(\"m.safetensors\")\n"
                            "let c = sd[\"conv.weight\"]\n"
                            "let sd2 = sd\n"
                            "let d = sd2[\"conv.bias\"]\n"
                            "let e = load(\"b.npy\")\n", err) == RJ_OK, "%s", err->msg);
    v1 = rj_env_lookup(env, "a");
    v2 = rj_env_lookup(env, "b");
    ck_assert(v1->kind == RJ_VAL_MAT && fmpq_mat_nrows(v1->mat) == 2
              && fmpq_mat_ncols(v1->mat) == 4);
    ck_assert(fmpq_mat_equal(v1->mat, v2->mat));
    v3 = rj_env_lookup(env, "c");
    ck_assert(fmpq_mat_equal(v1->mat, v3->mat));
    v3 = rj_env_lookup(env, "d");
    v4 = rj_env_lookup(env, "e");
    ck_assert(v3->kind == RJ_VAL_MAT && fmpq_mat_equal(v3->mat, v4->mat));
    /* errors: located at the call or the subscript, naming file and tensor */
    ck_assert_int_eq(eval_text(env, "let x = sd[\"conv.wieght\"]\n", err), RJ_ERR_INPUT);
    ck_assert_msg(strstr(err->msg, "no tensor named 'conv.wieght'") != NULL
                  && strstr(err->msg, "'conv.weight'") != NULL && err->line == 1
                  && err->col == 9, "%s at %d:%d", err->msg, err->line, err->col);
    ck_assert_int_eq(eval_text(env, "let x = sd[1]\n", err), RJ_ERR_INPUT);
    ck_assert_int_eq(eval_text(env, "let x = sd[\"conv.bias\", \"conv.weight\"]\n", err),
                     RJ_ERR_INPUT);
    ck_assert_msg(strstr(err->msg, "takes one index") != NULL, "%s", err->msg);
    ck_assert_int_eq(eval_text(env, "let x = sd + 1\n", err), RJ_ERR_INPUT);
    ck_assert_int_eq(eval_text(env, "\nlet x = load(\"m.safetensors\", \"nope\")\n", err),
                     RJ_ERR_INPUT);
    ck_assert_msg(strstr(err->msg, "m.safetensors") != NULL && err->line == 2, "%s",
                  err->msg);
    ck_assert_int_eq(eval_text(env, "let x = load(\"w.npy\", \"w\")\n", err), RJ_ERR_INPUT);
    ck_assert_msg(strstr(err->msg, "without a tensor name") != NULL, "%s", err->msg);
    ck_assert_int_eq(eval_text(env, "let x = tensors(\"missing.safetensors\")\n", err),
                     RJ_ERR_IO);
    ck_assert_int_eq(eval_text(env, "let x = load(\"m.safetensors\", 3)\n", err),
                     RJ_ERR_INPUT);
    rj_env_clear(env);
    free(b.data);
    free(n1.data);
    free(n2.data);
}
END_TEST

static Suite *
readers_suite(void)
{
    Suite *s = suite_create("readers");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_safetensors_exact);
    tcase_add_test(tc, test_half_by_hand);
    tcase_add_test(tc, test_safetensors_reject);
    tcase_add_test(tc, test_safetensors_starting_pk);
    tcase_add_test(tc, test_npz_exact);
    tcase_add_test(tc, test_npz_reject);
    tcase_add_test(tc, test_lang_load_tensors);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    int r;
    rj_test_tmp_setup("readers");
    r = rj_test_run(readers_suite());
    rj_test_tmp_remove();
    return r;
}
