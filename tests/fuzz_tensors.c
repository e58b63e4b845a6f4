/* Fuzz targets for the tensor-file readers: the input bytes are written to a
 * file and read as a safetensors file (built with -DRJ_FUZZ_SAFETENSORS), an
 * .npz archive (-DRJ_FUZZ_NPZ) or whichever the first bytes say (neither),
 * then every tensor of a valid index is read, under a lowered memory limit.
 * Nothing may crash, leak or read out of bounds; every failure must be a
 * status with a message; a valid index lies inside the file.
 *
 * libFuzzer build (tools/fuzz.sh does this, with seeds written by
 * tests/mktensor), from the top of the source tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DRJ_FUZZ_NPZ -Iinclude -I. \
 *       $(pkg-config --cflags mpfr openblas jansson zlib) -o fuzz_npz \
 *       tests/fuzz_tensors.c $(find src -name '*.c') \
 *       $(pkg-config --libs mpfr openblas jansson zlib) -lflint -lgmp -lm
 *
 * Built with -DRJ_FUZZ_STANDALONE (tests/fuzz_tensors_run, part of make check)
 * it has its own main: it writes a few valid files (tests/tensorfile.c) and
 * runs the entry point on each, on every prefix of each, and on each with
 * every single byte changed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resjac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_path[64];
static long opened;            /* inputs whose index was valid (standalone report) */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rj_tensor_file_t tf;
    rj_error_t err;
    FILE *f;
    slong i;
    int st;

    if (size > (1 << 20))
        return 0;
    if (fuzz_path[0] == '\0') {
        int fd;
        /* memory-backed when the machine has /dev/shm: thousands of files */
        strcpy(fuzz_path, access("/dev/shm", W_OK) == 0 ? "/dev/shm/rj-fuzz-tensors-XXXXXX"
                                                        : "/tmp/rj-fuzz-tensors-XXXXXX");
        fd = mkstemp(fuzz_path);
        if (fd < 0)
            abort();
        close(fd);
    }
    f = fopen(fuzz_path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    rj_set_max_bytes((size_t) 64 << 20);
    rj_tensor_file_init(tf);
    rj_error_init(err);
#if defined(RJ_FUZZ_NPZ)
    st = rj_npz_open(tf, fuzz_path, err);
#elif defined(RJ_FUZZ_SAFETENSORS)
    st = rj_safetensors_open(tf, fuzz_path, err);
#else
    st = rj_tensor_file_open(tf, fuzz_path, err);
#endif
    if (st != RJ_OK && (err->msg[0] == '\0' || tf->n != 0))
        abort();                /* a refusal must say why and leave tf empty */
    opened += st == RJ_OK;
    for (i = 0; i < tf->n; i++) {
        fmpq_mat_t A;
        if (tf->entries[i].offset > size || tf->entries[i].size > size - tf->entries[i].offset)
            abort();            /* the index points outside the file */
        fmpq_mat_init(A, 0, 0);
        rj_error_init(err);
        if (rj_tensor_file_get(A, tf, i, err) != RJ_OK && err->msg[0] == '\0')
            abort();
        fmpq_mat_clear(A);
    }
    rj_tensor_file_clear(tf);
    rj_set_max_bytes(0);
    return 0;
}

#ifdef RJ_FUZZ_STANDALONE
#include "tensorfile.h"

/* The input, every prefix of it, and it with each byte changed (three ways). */
static long
run_variants(const rj_test_buf *b)
{
    unsigned char *v = malloc(b->len);
    static const unsigned char flips[3] = { 0x01, 0x80, 0xff };
    long runs = 0;
    size_t i;
    int k;
    LLVMFuzzerTestOneInput(b->data, b->len);
    for (i = 0; i < b->len; i++, runs++)
        LLVMFuzzerTestOneInput(b->data, i);
    for (i = 0; i < b->len; i++)
        for (k = 0; k < 3; k++, runs++) {
            memcpy(v, b->data, b->len);
            v[i] ^= flips[k];
            LLVMFuzzerTestOneInput(v, b->len);
        }
    free(v);
    return runs + 1;
}

int
main(void)
{
    static const double w[6] = { 1, -0.5, 0.25, 2, 3, 1e-300 };
    static const unsigned char h[4] = { 0x00, 0x3c, 0x01, 0x80 };
    rj_test_tensor t[3] = {
        { "w", "F64", 2, { 2, 3 }, (const unsigned char *) w, sizeof(w) },
        { "h", "F16", 1, { 2 }, h, sizeof(h) },
        { "b", "BOOL", 0, { 0 }, h + 2, 1 },
    };
    rj_test_buf st = { NULL, 0, 0 }, npy[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
    long runs = 0;
    int method;
    rj_test_safetensors(&st, t, 3, "\"__metadata__\": {\"format\": \"pt\"}");
    runs += run_variants(&st);
    rj_test_npy(npy, t, "<f8");
    rj_test_npy(npy + 1, t + 1, "<f2");
    for (method = 0; method <= 8; method += 8) {
        rj_test_member m[2] = { { "w.npy", npy[0].data, npy[0].len },
                                { "h.npy", npy[1].data, npy[1].len } };
        rj_test_buf z = { NULL, 0, 0 };
        rj_test_zip(&z, m, 2, method);
        runs += run_variants(&z);
        free(z.data);
    }
    free(st.data);
    free(npy[0].data);
    free(npy[1].data);
    unlink(fuzz_path);
    printf("fuzz_tensors_run: %ld inputs (%ld valid indexes), no crash\n", runs, opened);
    if (opened < 3)             /* the three valid files at least */
        return 1;
    flint_cleanup_master();
    return 0;
}
#endif
