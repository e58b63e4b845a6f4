/* resjac: tensors("file.safetensors" | "file.npz"), a value holding a tensor
 * file's validated index (a dict from names to tensors): sd["name"] reads that
 * tensor into an exact matrix, as load("file", "name") does.  The value kind
 * is an extension (rj_val_ops): the evaluator only calls its index, print and
 * describe.  Tensors are read when indexed, so binding a large file costs
 * its index only; each read checks the memory limit first (resjac/model.h).
 * Copies share the index (reference counted: values are never used by two
 * threads at once). */
#include <stdio.h>
#include <string.h>

#include "resjac/lang.h"
#include "lang_internal.h"

typedef struct {
    slong refs;
    rj_tensor_file_t tf;
} tensors_data;

static void
td_free(void *data)
{
    tensors_data *d = data;
    if (--d->refs > 0)
        return;
    rj_tensor_file_clear(d->tf);
    flint_free(d);
}

static void *
td_copy(const void *data)
{
    tensors_data *d = (tensors_data *) (size_t) data;   /* shared, counted */
    d->refs++;
    return d;
}

static void
td_describe(char *buf, int len, const rj_val_struct *v)
{
    const tensors_data *d = v->data;
    snprintf(buf, len, "the tensor file \"%.100s\" (%ld tensor%s)", d->tf->path,
             (long) d->tf->n, d->tf->n == 1 ? "" : "s");
}

static char *
td_print(const rj_val_struct *v, slong maxlen)
{
    const tensors_data *d = v->data;
    char buf[300];
    snprintf(buf, sizeof(buf), "tensors(\"%.200s\")", d->tf->path);
    return rj_str_cut(rj_strdup(buf), maxlen > 0 ? maxlen : 300);
}

static int
td_index(rj_val_struct *out, const rj_val_struct *a, const rj_val_struct *i,
         const rj_val_struct *j, rj_loc_t loc, rj_error_t err)
{
    const tensors_data *d = a->data;
    char close[400];
    fmpq_mat_t A;
    slong k;
    int st;
    if (j != NULL)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "a tensor file takes one index, a "
                                "tensor name in quotes, as sd[\"layer1.weight\"]");
    if (i->kind != RJ_VAL_STRING)
        return _rj_lang_wrong_kind(err, loc, "indexing a tensor file",
                                   "a tensor name in quotes, as sd[\"layer1.weight\"]", i);
    k = rj_tensor_file_find(d->tf, i->str);
    if (k < 0) {
        rj_tensor_file_close_names(close, sizeof(close), d->tf, i->str, 4);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "no tensor named '%.100s' in "
                                "%.200s (it has %ld tensors%s%s)", i->str, d->tf->path,
                                (long) d->tf->n, d->tf->n > 0 ? "; the closest names: " : "",
                                close);
    }
    fmpq_mat_init(A, 0, 0);
    st = rj_tensor_file_get(A, d->tf, k, err);
    if (st == RJ_OK) {
        rj_val_reset(out);
        out->kind = RJ_VAL_MAT;
        fmpq_mat_swap(out->mat, A);
    } else {
        char prefix[300];
        snprintf(prefix, sizeof(prefix), "cannot load %.200s: ", d->tf->path);
        st = _rj_lang_relocate(err, st, loc, prefix);
    }
    fmpq_mat_clear(A);
    return st;
}

static const rj_val_ops tensors_ops = {
    "tensor file", td_free, td_copy, td_print, td_describe,
    NULL, NULL, NULL, td_index, NULL, NULL
};

int
_rj_lang_tensors(rj_val_t out, const char *path, rj_loc_t loc, rj_error_t err)
{
    tensors_data *d = flint_malloc(sizeof(tensors_data));
    int st;
    d->refs = 1;
    rj_tensor_file_init(d->tf);
    st = rj_tensor_file_open(d->tf, path, err);
    if (st != RJ_OK) {
        char prefix[300];
        flint_free(d);
        snprintf(prefix, sizeof(prefix), "cannot read %.200s: ", path);
        return _rj_lang_relocate(err, st, loc, prefix);
    }
    rj_val_set_ext(out, &tensors_ops, d);
    return RJ_OK;
}
