/* resjac: what the tensor readers of src/model share (npy.c, safetensors.c,
   npz.c, tensor.c): element types, the shape -> matrix rule, the exact
   decoding of raw little-endian data and the memory check.  Not installed,
   not exported: names start with _rj_tensor_. */
#ifndef RESJAC_TENSOR_INTERNAL_H
#define RESJAC_TENSOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "resjac/model.h"

#define RJ_TENSOR_MAX_DIMS 32

/* Element types, each read exactly (floats as their dyadic values). */
typedef enum {
    RJ_DT_F64 = 0, RJ_DT_F32, RJ_DT_F16, RJ_DT_BF16,
    RJ_DT_I8, RJ_DT_I16, RJ_DT_I32, RJ_DT_I64,
    RJ_DT_U8, RJ_DT_U16, RJ_DT_U32, RJ_DT_U64,
    RJ_DT_BOOL,
    RJ_DT_COUNT
} rj_dtype;

/* Bytes per element of dt. */
int _rj_tensor_dtype_size(int dt);
/* The safetensors spelling of dt ("F64", "BF16", "BOOL"). */
const char *_rj_tensor_dtype_name(int dt);
/* The dtype whose safetensors spelling is s, or -1. */
int _rj_tensor_dtype_from_name(const char *s);

/* A located error at file path (line 0): the readers' one error path. */
int _rj_tensor_error(rj_error_t err, int status, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The matrix a tensor of shape dims[0..nd-1] becomes: 0-d 1 x 1, 1-d a column,
   n-d dims[0] x (dims[1] * ... * dims[nd-1]) in C order.  Checks each
   dimension (at most 2^40; too_big set by a caller that already saw a larger
   one), the products without overflow, RJ_MAX_WIDTH and RJ_MAX_ENTRIES
   (RJ_ERR_LIMIT) and an empty shape (RJ_ERR_INPUT), naming `what` (the tensor)
   in a message at path.  *count is the number of elements (product of all
   dims, 0 allowed when allow_empty). */
int _rj_tensor_shape(slong *rows, slong *cols, const long long *dims, int nd, int too_big,
                     const char *path, const char *what, rj_error_t err);

/* Number of elements of a shape with overflow check: 0 when it fits in
   2^62 (*count set), 1 when it overflows. */
int _rj_tensor_count(uint64_t *count, const long long *dims, int nd);

/* RJ_ERR_LIMIT when holding a rows x cols exact matrix decoded from `raw`
   bytes (both at once) would pass what is left of rj_max_bytes(). */
int _rj_tensor_check_memory(slong rows, slong cols, size_t raw, const char *path,
                            const char *what, rj_error_t err);

/* out = the rows x cols matrix of the rows * cols elements of type dt at data
   (little-endian, C order), exactly.  NaN and infinities are refused naming
   `what` and the flat index.  out unchanged on failure. */
int _rj_tensor_decode(fmpq_mat_t out, const unsigned char *data, int dt, slong rows,
                      slong cols, const char *path, const char *what, rj_error_t err);

/* Read the n bytes at offset off of the open file f into a new buffer
   (*buf, the caller frees it); RJ_ERR_INPUT naming `what` when the file is
   shorter. */
int _rj_tensor_read_at(unsigned char **buf, FILE *f, uint64_t off, uint64_t n,
                       const char *path, const char *what, rj_error_t err);

/* Size of the open file f in bytes (-1 on failure). */
long long _rj_tensor_file_size(FILE *f);



/* RJ_ERR_INPUT naming two tensors when the byte ranges [offset, offset +
   size) of two non-empty entries of tf intersect. */
int _rj_tensor_check_overlaps(const rj_tensor_file_struct *tf, const char *path,
                              rj_error_t err);

/* tf = T (moved: T is left empty), with a copy of path and the format. */
void _rj_tensor_file_take(rj_tensor_file_struct *tf, rj_tensor_file_struct *T,
                          const char *path, int format);

/* Tensor i of an .npz index (npz.c), as rj_tensor_file_get. */
int _rj_npz_get(fmpq_mat_t out, const rj_tensor_file_struct *tf, slong i, rj_error_t err);
#endif
