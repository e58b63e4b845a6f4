/* resjac tests: writers of safetensors, .npy and .npz (zip) bytes, written
 * from the file formats' descriptions and independent of the readers in
 * src/model (their own CRC-32, their own JSON text, zlib only to deflate).
 * Used by tests/check_readers.c and tests/mktensor.c. */
#ifndef RESJAC_TEST_TENSORFILE_H
#define RESJAC_TEST_TENSORFILE_H

#include <stddef.h>
#include <stdint.h>

/* A growing byte buffer (free data with free). */
typedef struct {
    unsigned char *data;
    size_t len, alloc;
} rj_test_buf;

void rj_test_buf_add(rj_test_buf *b, const void *p, size_t n);
void rj_test_buf_le(rj_test_buf *b, uint64_t v, int nbytes);
/* Write b to path (exits on failure). */
void rj_test_buf_write(const rj_test_buf *b, const char *path);

/* One tensor: name, safetensors dtype ("F32"), shape, raw little-endian data. */
typedef struct {
    const char *name;
    const char *dtype;
    int nd;
    long long dims[8];
    const unsigned char *data;
    size_t nbytes;
} rj_test_tensor;

/* A safetensors file: the header lists the tensors in order with contiguous
   data_offsets, then `extra` (NULL or text such as "\"__metadata__\": {}"),
   padded with spaces to a multiple of 8; then the data. */
void rj_test_safetensors(rj_test_buf *out, const rj_test_tensor *t, int n, const char *extra);
/* A .npy file (version 1) of tensor t with numpy descr ('<f4', '|b1'). */
void rj_test_npy(rj_test_buf *out, const rj_test_tensor *t, const char *descr);

/* One zip member. */
typedef struct {
    const char *name;
    const unsigned char *data;
    size_t len;
} rj_test_member;

/* A zip archive of the members, method 0 (stored) or 8 (deflated). */
void rj_test_zip(rj_test_buf *out, const rj_test_member *m, int n, int method);
/* CRC-32 (IEEE 802.3, bitwise). */
uint32_t rj_test_crc32(const unsigned char *p, size_t n);
/* Offset of the first central-directory header in a zip buffer (or -1). */
long rj_test_zip_central(const rj_test_buf *b);

#endif
