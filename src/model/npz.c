/* resjac: .npz reader (see resjac/model.h, "tensor files").
 *
 * An .npz is a zip archive whose members are .npy files.  The index comes
 * from the central directory, found through the end-of-central-directory
 * record (the last "PK\5\6" whose comment runs exactly to the end of the
 * file).  Checked on opening, before any member is read:
 *   one disk only; no zip64 end record (archives over 4 GiB or 65535
 *   members are refused); the central directory inside the file, before the
 *   end record, at most RJ_TENSOR_MAX_HEADER bytes, its entries inside it;
 *   each member: not encrypted, method 0 (stored, compressed size =
 *   uncompressed size) or 8 (deflated), zip64 sizes and offset taken from
 *   its zip64 extra field when the 32-bit fields say 0xFFFFFFFF, a local
 *   header with the right signature inside the file, its data between the
 *   local header and the central directory; no two members' bytes (local
 *   header and data) shared (overlapping members are the classic zip bomb);
 *   no two members with the same name.
 * Reading a member: its compressed and uncompressed sizes are held against
 * the memory limit and against what any accepted array takes (a .npy header
 * of at most 1 MiB plus RJ_MAX_ENTRIES 8-byte elements) before anything is
 * allocated; raw deflate (zlib) inflates into exactly the declared size (more
 * output, or less, is an error); the CRC-32 of the result must match; then
 * the buffer is parsed by rj_npy_load_buffer. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tensor_internal.h"

#define EOCD_LEN 22
#define CD_LEN 46
#define LOCAL_LEN 30
#define MAX_COMMENT 65535
#define NPY_MOST ((uint64_t) 12 + (1 << 20) + (uint64_t) RJ_MAX_ENTRIES * 8)

static uint64_t
le(const unsigned char *b, int n)
{
    uint64_t v = 0;
    while (n-- > 0)
        v = (v << 8) | b[n];
    return v;
}

/* The zip64 extra field (id 1) of a central entry: the 8-byte values of the
   fields that were 0xFFFFFFFF, in the order usize, csize, offset. */
static int
zip64_extra(uint64_t *usize, uint64_t *csize, uint64_t *off, const unsigned char *x,
            size_t xlen)
{
    size_t p = 0;
    while (p + 4 <= xlen) {
        uint64_t id = le(x + p, 2), len = le(x + p + 2, 2), q = p + 4;
        if (p + 4 + len > xlen)
            return 0;
        if (id == 1) {
            uint64_t *f[3] = { usize, csize, off };
            int k;
            for (k = 0; k < 3; k++)
                if (*f[k] == 0xffffffffu) {
                    if (q + 8 > p + 4 + len)
                        return 0;
                    *f[k] = le(x + q, 8);
                    q += 8;
                }
            return 1;
        }
        p += 4 + len;
    }
    return 0;
}

static int
npz_refuse(rj_error_t err, const char *path, const char *what)
{
    return _rj_tensor_error(err, RJ_ERR_INPUT, path, "not a readable .npz: %s", what);
}

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* RJ_ERR_INPUT when two members have the same name (sorted, then neighbours). */
static int
duplicate_names(const rj_tensor_file_struct *T, const char *path, rj_error_t err)
{
    char **s = flint_malloc((T->n > 0 ? T->n : 1) * sizeof(char *));
    slong k;
    int st = RJ_OK;
    for (k = 0; k < T->n; k++)
        s[k] = T->entries[k].name;
    qsort(s, T->n, sizeof(char *), cmp_name);
    for (k = 1; k < T->n && st == RJ_OK; k++)
        if (strcmp(s[k], s[k - 1]) == 0)
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "two members named '%.100s.npy'",
                                  s[k]);
    flint_free(s);
    return st;
}

int
rj_npz_open(rj_tensor_file_t tf, const char *path, rj_error_t err)
{
    FILE *f;
    unsigned char *tail = NULL, *cd = NULL, loc[LOCAL_LEN];
    long long fsize;
    uint64_t tlen, eocd = 0, cd_off, cd_size, nent, p, i;
    uint64_t *local = NULL, *data = NULL;
    rj_tensor_file_t T;
    int st, found = 0;
    slong k;

    st = rj_file_open_read(&f, path, "an .npz file", err);
    if (st != RJ_OK)
        return st;
    rj_tensor_file_init(T);
    fsize = _rj_tensor_file_size(f);
    if (fsize < EOCD_LEN) {
        st = npz_refuse(err, path, "too short for a zip archive");
        goto done;
    }
    tlen = (uint64_t) FLINT_MIN(fsize, EOCD_LEN + MAX_COMMENT);
    st = _rj_tensor_read_at(&tail, f, (uint64_t) fsize - tlen, tlen, path, "the zip end record",
                            err);
    if (st != RJ_OK)
        goto done;
    for (p = tlen - EOCD_LEN + 1; p-- > 0;)
        if (memcmp(tail + p, "PK\x05\x06", 4) == 0 && p + EOCD_LEN + le(tail + p + 20, 2) == tlen) {
            eocd = (uint64_t) fsize - tlen + p;
            found = 1;
            break;
        }
    if (!found) {
        st = npz_refuse(err, path, "no zip end-of-central-directory record");
        goto done;
    }
    {
        const unsigned char *e = tail + (eocd - ((uint64_t) fsize - tlen));
        nent = le(e + 10, 2);
        cd_size = le(e + 12, 4);
        cd_off = le(e + 16, 4);
        if (le(e + 4, 2) != 0 || le(e + 6, 2) != 0 || le(e + 8, 2) != nent) {
            st = npz_refuse(err, path, "a multi-disk zip archive");
            goto done;
        }
        if (nent == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "zip64 archives (over 4 GiB or "
                                  "65535 members) are not supported");
            goto done;
        }
    }
    if (cd_off > eocd || cd_size > eocd - cd_off || cd_size < nent * CD_LEN) {
        st = npz_refuse(err, path, "the central directory's offset and size do not fit "
                        "in the file");
        goto done;
    }
    if (cd_size > RJ_TENSOR_MAX_HEADER) {
        st = _rj_tensor_error(err, RJ_ERR_LIMIT, path, "zip central directory of %llu bytes "
                              "exceeds the limit", (unsigned long long) cd_size);
        goto done;
    }
    st = _rj_tensor_read_at(&cd, f, cd_off, cd_size, path, "the zip central directory", err);
    if (st != RJ_OK)
        goto done;
    T->entries = flint_calloc(nent > 0 ? nent : 1, sizeof(rj_tensor_entry_struct));
    local = flint_calloc(nent > 0 ? nent : 1, sizeof(uint64_t));
    data = flint_calloc(nent > 0 ? nent : 1, sizeof(uint64_t));
    for (i = 0, p = 0; i < nent; i++) {
        rj_tensor_entry_struct *t = T->entries + i;
        const unsigned char *c = cd + p;
        uint64_t nlen, xlen, clen, flags, start, keep;
        char *name;
        if (p + CD_LEN > cd_size || memcmp(c, "PK\x01\x02", 4) != 0) {
            st = npz_refuse(err, path, "a malformed central directory entry");
            goto done;
        }
        flags = le(c + 8, 2);
        nlen = le(c + 28, 2);
        xlen = le(c + 30, 2);
        clen = le(c + 32, 2);
        if (p + CD_LEN + nlen + xlen + clen > cd_size) {
            st = npz_refuse(err, path, "a central directory entry runs past the directory");
            goto done;
        }
        name = flint_malloc(nlen + 1);
        memcpy(name, c + CD_LEN, nlen);
        name[nlen] = '\0';
        keep = nlen;            /* the bytes of the name kept: all, or all but ".npy" */
        if (nlen > 4 && strcmp(name + nlen - 4, ".npy") == 0)
            name[keep = nlen - 4] = '\0';
        t->name = name;
        T->n++;
        if (strlen(name) != keep) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "member %lu has a NUL byte in its "
                                  "name", (unsigned long) i);
            goto done;
        }
        t->method = (int) le(c + 10, 2);
        t->crc = (uint32_t) le(c + 16, 4);
        t->size = le(c + 20, 4);
        t->usize = le(c + 24, 4);
        local[i] = le(c + 42, 4);
        if ((t->size == 0xffffffffu || t->usize == 0xffffffffu || local[i] == 0xffffffffu)
            && !zip64_extra(&t->usize, &t->size, local + i, c + CD_LEN + nlen, xlen)) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy': zip64 sizes "
                                  "without a valid zip64 extra field", name);
            goto done;
        }
        if (flags & 0x41) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy' is encrypted",
                                  name);
            goto done;
        }
        if (t->method != 0 && t->method != 8) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy': unsupported "
                                  "compression method %d (resjac reads stored (0) and "
                                  "deflated (8) members)", name, t->method);
            goto done;
        }
        if (t->method == 0 && t->size != t->usize) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy' is stored "
                                  "but its sizes differ (%llu and %llu)", name,
                                  (unsigned long long) t->size,
                                  (unsigned long long) t->usize);
            goto done;
        }
        /* the local header: inside the file, before the central directory */
        if (local[i] > cd_off || cd_off - local[i] < LOCAL_LEN
            || fseeko(f, (off_t) local[i], SEEK_SET) != 0
            || fread(loc, 1, LOCAL_LEN, f) != LOCAL_LEN || memcmp(loc, "PK\x03\x04", 4) != 0) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy': no local "
                                  "header at byte %llu", name, (unsigned long long) local[i]);
            goto done;
        }
        start = local[i] + LOCAL_LEN + le(loc + 26, 2) + le(loc + 28, 2);
        if (start > cd_off || t->size > cd_off - start) {
            st = _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy': its %llu "
                                  "bytes at byte %llu run into the central directory", name,
                                  (unsigned long long) t->size, (unsigned long long) start);
            goto done;
        }
        t->offset = start;
        p += CD_LEN + nlen + xlen + clen;
    }
    /* no shared bytes: check [local header, end of data) of every member,
       then put the data ranges back */
    for (k = 0; k < T->n; k++) {
        data[k] = T->entries[k].offset;
        T->entries[k].size += data[k] - local[k];
        T->entries[k].offset = local[k];
    }
    st = _rj_tensor_check_overlaps(T, path, err);
    for (k = 0; k < T->n; k++) {
        T->entries[k].size -= data[k] - local[k];
        T->entries[k].offset = data[k];
    }
    if (st == RJ_OK)
        st = duplicate_names(T, path, err);
    if (st == RJ_OK)
        _rj_tensor_file_take(tf, T, path, RJ_TENSOR_NPZ);
done:
    rj_tensor_file_clear(T);
    flint_free(local);
    flint_free(data);
    free(cd);
    free(tail);
    fclose(f);
    return st;
}

/* Inflate the raw deflate stream in[0..n-1] into exactly out[0..usize-1]. */
static int
inflate_exact(unsigned char *out, uint64_t usize, const unsigned char *in, uint64_t n,
              const char *path, const char *name, rj_error_t err)
{
    z_stream z;
    unsigned char extra[1];
    int r;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -15) != Z_OK)
        return _rj_tensor_error(err, RJ_ERR_MEMORY, path, "member '%.100s.npy': cannot start "
                                "zlib", name);
    z.next_in = (unsigned char *) (size_t) in;      /* zlib's API is not const */
    z.avail_in = (uInt) n;
    z.next_out = out;
    z.avail_out = (uInt) usize;
    r = inflate(&z, Z_FINISH);
    if (r == Z_BUF_ERROR && z.avail_out == 0) {     /* full: is there more? */
        z.next_out = extra;
        z.avail_out = 1;
        r = inflate(&z, Z_FINISH);
        if (z.avail_out == 0)
            r = Z_MEM_ERROR;
    }
    inflateEnd(&z);
    if (r == Z_MEM_ERROR)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy' inflates to "
                                "more than its declared %llu bytes", name,
                                (unsigned long long) usize);
    if (r != Z_STREAM_END || z.total_out != usize)
        return _rj_tensor_error(err, RJ_ERR_INPUT, path, "member '%.100s.npy': corrupt "
                                "deflate data (%s; %lu of %llu bytes)", name,
                                z.msg != NULL ? z.msg : r == Z_STREAM_END ? "ends early"
                                : "truncated", (unsigned long) z.total_out,
                                (unsigned long long) usize);
    return RJ_OK;
}

int
_rj_npz_get(fmpq_mat_t out, const rj_tensor_file_struct *tf, slong i, rj_error_t err)
{
    const rj_tensor_entry_struct *t = tf->entries + i;
    unsigned char *raw = NULL, *buf = NULL;
    char what[160];
    FILE *f;
    int st;
    snprintf(what, sizeof(what), "member '%.120s.npy'", t->name);
    if (t->usize > NPY_MOST)
        return _rj_tensor_error(err, RJ_ERR_LIMIT, tf->path, "%s: its %llu uncompressed bytes "
                                "exceed what any array resjac reads takes (%llu)", what,
                                (unsigned long long) t->usize, (unsigned long long) NPY_MOST);
    st = _rj_tensor_check_memory(0, 0, (size_t) (t->size + t->usize), tf->path, what, err);
    if (st != RJ_OK)
        return st;
    st = rj_file_open_read(&f, tf->path, "an .npz file", err);
    if (st != RJ_OK)
        return st;
    st = _rj_tensor_read_at(&raw, f, t->offset, t->size, tf->path, what, err);
    fclose(f);
    if (st == RJ_OK && t->method == 8) {
        buf = malloc(t->usize > 0 ? (size_t) t->usize : 1);
        if (buf == NULL)
            st = _rj_tensor_error(err, RJ_ERR_MEMORY, tf->path, "%s: out of memory", what);
        else
            st = inflate_exact(buf, t->usize, raw, t->size, tf->path, t->name, err);
    } else if (st == RJ_OK) {
        buf = raw;
        raw = NULL;
    }
    if (st == RJ_OK && (uint32_t) crc32(0L, buf, (uInt) t->usize) != t->crc)
        st = _rj_tensor_error(err, RJ_ERR_INPUT, tf->path, "%s: CRC-32 mismatch (the member "
                              "is damaged)", what);
    if (st == RJ_OK) {
        st = rj_npy_load_buffer(out, buf, (size_t) t->usize, tf->path, err);
        if (st != RJ_OK && err != NULL) {
            char msg[RJ_ERROR_MSG_LEN];
            memcpy(msg, err->msg, sizeof(msg));
            msg[sizeof(msg) - 200] = '\0';
            st = _rj_tensor_error(err, st, tf->path, "%s: %s", what, msg);
        }
    }
    free(raw);
    free(buf);
    return st;
}
