/* resjac: safetensors reader (see resjac/model.h, "tensor files").
 *
 * Layout: bytes 0..7 hold N (little-endian), bytes 8..8+N-1 a JSON object
 * (parsed with jansson, duplicate keys refused), the rest is the data
 * buffer; a tensor's "data_offsets" [b, e] are relative to the start of the
 * data buffer.  Everything the index says is checked here, before any
 * tensor is read, so that rj_tensor_file_get only reads bytes inside the
 * data buffer:
 *   N <= file size - 8 and N <= RJ_TENSOR_MAX_HEADER;
 *   dtype one of the thirteen resjac reads, shape at most
 *   RJ_TENSOR_MAX_DIMS integers in [0, 2^40] whose product fits in 2^62;
 *   0 <= b <= e <= data size and e - b = product * item size;
 *   sorted by b, each tensor ends where (or before) the next begins
 *   (empty tensors excepted). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tensor_internal.h"

/* Tensor i of a header: dtype, shape, offsets checked; msg names it. */
static int
st_entry(rj_tensor_entry_struct *t, const char *key, json_t *obj, uint64_t data_size,
         uint64_t data_start, const char *path, rj_error_t err)
{
    json_t *dt, *shape, *offs, *v;
    const char *k;
    uint64_t count, b, e;
    size_t i;
    int item;

    if (!json_is_object(obj))
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': its header entry "
                                "is not an object with dtype, shape and data_offsets", key);
    json_object_foreach(obj, k, v) {
        if (strcmp(k, "dtype") != 0 && strcmp(k, "shape") != 0
            && strcmp(k, "data_offsets") != 0)
            return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': unexpected "
                                    "key '%.60s' in its header entry", key, k);
    }
    dt = json_object_get(obj, "dtype");
    shape = json_object_get(obj, "shape");
    offs = json_object_get(obj, "data_offsets");
    if (!json_is_string(dt) || !json_is_array(shape) || !json_is_array(offs))
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': its header entry "
                                "needs \"dtype\" (a string), \"shape\" (a list) and "
                                "\"data_offsets\" (a list)", key);
    t->dtype = _rj_tensor_dtype_from_name(json_string_value(dt));
    if (t->dtype < 0)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': unsupported dtype "
                                "'%.20s' (resjac reads F64, F32, F16, BF16, I8..I64, U8..U64 "
                                "and BOOL)", key, json_string_value(dt));
    if (json_array_size(shape) > RJ_TENSOR_MAX_DIMS)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s' has %lu dimensions; "
                                "resjac reads at most %d", key,
                                (unsigned long) json_array_size(shape), RJ_TENSOR_MAX_DIMS);
    t->nd = (int) json_array_size(shape);
    json_array_foreach(shape, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': shape entry %lu "
                                    "is not a non-negative integer", key, (unsigned long) i);
        t->dims[i] = (long long) json_integer_value(v);
    }
    if (_rj_tensor_count(&count, t->dims, t->nd))
        return _rj_tensor_error(err, RJ_ERR_LIMIT, path, "tensor '%.100s': its shape has a "
                                "dimension above 2^40 or more than 2^62 elements", key);
    if (json_array_size(offs) != 2 || !json_is_integer(json_array_get(offs, 0))
        || !json_is_integer(json_array_get(offs, 1))
        || json_integer_value(json_array_get(offs, 0)) < 0
        || json_integer_value(json_array_get(offs, 1)) < 0)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': data_offsets must "
                                "be two non-negative integers [begin, end]", key);
    b = (uint64_t) json_integer_value(json_array_get(offs, 0));
    e = (uint64_t) json_integer_value(json_array_get(offs, 1));
    if (b > e || e > data_size)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': data_offsets "
                                "[%llu, %llu] %s (the data has %llu bytes)", key,
                                (unsigned long long) b, (unsigned long long) e,
                                b > e ? "end before they begin" : "run past the end of the file",
                                (unsigned long long) data_size);
    item = _rj_tensor_dtype_size(t->dtype);
    if (count > UINT64_MAX / (uint64_t) item || count * (uint64_t) item != e - b)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "tensor '%.100s': data_offsets "
                                "[%llu, %llu] hold %llu bytes, but its shape needs %llu "
                                "elements of %d bytes", key, (unsigned long long) b,
                                (unsigned long long) e, (unsigned long long) (e - b),
                                (unsigned long long) count, item);
    t->offset = data_start + b;
    t->size = e - b;
    return RJ_OK;
}

int
rj_safetensors_open(rj_tensor_file_t tf, const char *path, rj_error_t err)
{
    FILE *f;
    unsigned char pre[8], *hdr = NULL;
    long long fsize;
    uint64_t hlen, data_size, i;
    json_t *root = NULL, *v;
    json_error_t jerr;
    const char *key;
    rj_tensor_file_t T;
    size_t n;
    int st;

    st = rj_file_open_read(&f, path, "a safetensors file", err);
    if (st != RJ_OK)
        return st;
    rj_tensor_file_init(T);
    fsize = _rj_tensor_file_size(f);
    if (fsize < 8 || fread(pre, 1, 8, f) != 8) {
        st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "not a safetensors file: shorter than "
                              "its 8-byte header length");
        goto done;
    }
    hlen = 0;
    for (i = 8; i-- > 0;)
        hlen = (hlen << 8) | pre[i];
    if (hlen > (uint64_t) fsize - 8 || hlen < 2) {
        st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "not a safetensors file: its header "
                              "length %llu does not fit in the file (%lld bytes)",
                              (unsigned long long) hlen, fsize);
        goto done;
    }
    if (hlen > RJ_TENSOR_MAX_HEADER || hlen > rj_max_bytes() / 4) {
        st = _rj_tensor_error(err, RJ_ERR_LIMIT, path, "safetensors header of %llu bytes "
                              "exceeds the limit (%llu bytes)", (unsigned long long) hlen,
                              (unsigned long long) FLINT_MIN(RJ_TENSOR_MAX_HEADER,
                                                             rj_max_bytes() / 4));
        goto done;
    }
    st = _rj_tensor_read_at(&hdr, f, 8, hlen, path, "safetensors header", err);
    if (st != RJ_OK)
        goto done;
    data_size = (uint64_t) fsize - 8 - hlen;
    root = json_loadb((const char *) hdr, (size_t) hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL || !json_is_object(root)) {
        st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed safetensors header: %s%s "
                              "(at byte %d of the header)",
                              root == NULL ? "" : "not a JSON object",
                              root == NULL ? jerr.text : "",
                              root == NULL ? jerr.position : 0);
        goto done;
    }
    n = json_object_size(root);
    if ((double) n * sizeof(rj_tensor_entry_struct) > (double) rj_max_bytes() / 4) {
        st = _rj_tensor_error(err, RJ_ERR_LIMIT, path, "safetensors header lists %lu tensors, "
                              "over the memory limit", (unsigned long) n);
        goto done;
    }
    T->entries = flint_calloc(n > 0 ? n : 1, sizeof(rj_tensor_entry_struct));
    json_object_foreach(root, key, v) {
        if (strcmp(key, "__metadata__") == 0) {
            if (!json_is_object(v)) {
                st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "malformed safetensors "
                                      "header: \"__metadata__\" is not an object");
                goto done;
            }
            continue;
        }
        st = st_entry(T->entries + T->n, key, v, data_size, 8 + hlen, path, err);
        if (st != RJ_OK)
            goto done;
        T->entries[T->n].name = rj_strdup(key);
        T->n++;
    }
    st = _rj_tensor_check_overlaps(T, path, err);
    if (st == RJ_OK)
        _rj_tensor_file_take(tf, T, path, RJ_TENSOR_SAFETENSORS);
done:
    rj_tensor_file_clear(T);
    json_decref(root);
    free(hdr);
    fclose(f);
    return st;
}
