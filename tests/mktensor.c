/* resjac tests: write safetensors and .npz files from the command line, for
 * the shell tests and the load-time measurement (no numpy needed).
 *   mktensor st OUT NAME=DTYPE:SHAPE:V1,V2,... ...          a safetensors file
 *   mktensor npz OUT [deflate] NAME=DTYPE:SHAPE:V1,... ...  an .npz of .npy members
 *   mktensor big OUT MB                                      about MB megabytes of F32
 *                                                            tensors (ResNet-18 shapes)
 * DTYPE is F64, F32, I64, I32, U8 or BOOL; SHAPE is 2x3, 4 or s (a scalar);
 * values are decimal and must fit the dtype (F32 rounds to nearest). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensorfile.h"

#define MAXT 64

static void
die(const char *msg, const char *arg)
{
    fprintf(stderr, "mktensor: %s: %s\n", msg, arg);
    exit(2);
}

static int
item_size(const char *dt)
{
    if (strcmp(dt, "F64") == 0 || strcmp(dt, "I64") == 0)
        return 8;
    if (strcmp(dt, "F32") == 0 || strcmp(dt, "I32") == 0)
        return 4;
    if (strcmp(dt, "U8") == 0 || strcmp(dt, "BOOL") == 0)
        return 1;
    return 0;
}

static const char *
npy_descr(const char *dt)
{
    return strcmp(dt, "F64") == 0 ? "<f8" : strcmp(dt, "F32") == 0 ? "<f4"
           : strcmp(dt, "I64") == 0 ? "<i8" : strcmp(dt, "I32") == 0 ? "<i4"
           : strcmp(dt, "U8") == 0 ? "|u1" : "|b1";
}

/* NAME=DTYPE:SHAPE:VALUES into t (strings point into spec, which is changed);
   returns t's data, malloc'd, for the caller to free. */
static unsigned char *
parse_spec(rj_test_tensor *t, char *spec)
{
    char *eq = strchr(spec, '='), *c1 = NULL, *c2 = NULL, *p, *end;
    rj_test_buf b = { NULL, 0, 0 };
    size_t count = 1, n = 0;
    int size;
    if (eq == NULL || (c1 = strchr(eq, ':')) == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
        die("expected NAME=DTYPE:SHAPE:VALUES", spec);
    *eq = *c1 = *c2 = '\0';
    t->name = spec;
    t->dtype = eq + 1;
    size = item_size(t->dtype);
    if (size == 0)
        die("unknown dtype", t->dtype);
    t->nd = 0;
    if (strcmp(c1 + 1, "s") != 0)
        for (p = c1 + 1; *p != '\0'; p = *end == 'x' ? end + 1 : end) {
            if (t->nd == 8)
                die("too many dimensions", c1 + 1);
            t->dims[t->nd] = strtoll(p, &end, 10);
            if (end == p)
                die("bad shape", c1 + 1);
            count *= (size_t) t->dims[t->nd++];
        }
    for (p = c2 + 1; *p != '\0'; p = *end == ',' ? end + 1 : end) {
        double d = strtod(p, &end);
        float g = (float) d;
        if (end == p)
            die("bad value", p);
        if (size == 8 && t->dtype[0] == 'F')
            rj_test_buf_add(&b, &d, 8);
        else if (size == 4 && t->dtype[0] == 'F')
            rj_test_buf_add(&b, &g, 4);
        else
            rj_test_buf_le(&b, (uint64_t) (int64_t) d, size);
        n++;
    }
    if (n != count)
        die("the number of values does not match the shape", t->name);
    t->data = b.data;
    t->nbytes = b.len;
    return b.data;
}

/* About mb megabytes of F32 tensors with ResNet-18's conv shapes, values k/256. */
static int
write_big(const char *out, double mb)
{
    static const long long shapes[][4] = {
        { 64, 3, 7, 7 }, { 64, 64, 3, 3 }, { 128, 64, 3, 3 }, { 128, 128, 3, 3 },
        { 256, 128, 3, 3 }, { 256, 256, 3, 3 }, { 512, 256, 3, 3 }, { 512, 512, 3, 3 },
    };
    rj_test_tensor t[MAXT];
    rj_test_buf b = { NULL, 0, 0 };
    char *names[MAXT];
    float *vals[MAXT];
    double total = 0;
    int n = 0, k;
    size_t i;
    while (total < mb * 1e6 && n < MAXT) {
        const long long *s = shapes[n % 8];
        size_t count = (size_t) (s[0] * s[1] * s[2] * s[3]);
        float *v = vals[n] = malloc(count * 4);
        for (i = 0; i < count; i++)
            v[i] = (float) ((long) ((i * 2654435761u) % 511) - 255) / 256.0f;
        names[n] = malloc(40);
        snprintf(names[n], 40, "layer%d.conv.weight", n);
        t[n].name = names[n];
        t[n].dtype = "F32";
        t[n].nd = 4;
        for (k = 0; k < 4; k++)
            t[n].dims[k] = s[k];
        t[n].data = (const unsigned char *) v;
        t[n].nbytes = count * 4;
        total += (double) t[n].nbytes;
        n++;
    }
    rj_test_safetensors(&b, t, n, "\"__metadata__\": {\"format\": \"pt\"}");
    rj_test_buf_write(&b, out);
    printf("%d tensors, %.1f MB\n", n, (double) b.len / 1e6);
    for (k = 0; k < n; k++) {
        free(names[k]);
        free(vals[k]);
    }
    free(b.data);
    return 0;
}

int
main(int argc, char **argv)
{
    rj_test_tensor t[MAXT];
    rj_test_member m[MAXT];
    rj_test_buf npy[MAXT], out = { NULL, 0, 0 };
    unsigned char *owned[MAXT];
    char *mnames[MAXT];
    int i, n = 0, first = 3, deflate = 0;
    if (argc < 3)
        die("usage", "mktensor st|npz|big OUT ...");
    if (strcmp(argv[1], "big") == 0)
        return write_big(argv[2], argc > 3 ? atof(argv[3]) : 50);
    if (strcmp(argv[1], "npz") == 0 && argc > 3 && strcmp(argv[3], "deflate") == 0) {
        deflate = 1;
        first = 4;
    }
    for (i = first; i < argc && n < MAXT; i++) {
        owned[n] = parse_spec(t + n, argv[i]);
        n++;
    }
    if (strcmp(argv[1], "st") == 0)
        rj_test_safetensors(&out, t, n, NULL);
    else if (strcmp(argv[1], "npz") == 0) {
        for (i = 0; i < n; i++) {
            char *name = malloc(strlen(t[i].name) + 5);
            sprintf(name, "%s.npy", t[i].name);
            memset(npy + i, 0, sizeof(npy[i]));
            rj_test_npy(npy + i, t + i, npy_descr(t[i].dtype));
            mnames[i] = name;
            m[i].name = name;
            m[i].data = npy[i].data;
            m[i].len = npy[i].len;
        }
        rj_test_zip(&out, m, n, deflate ? 8 : 0);
        for (i = 0; i < n; i++) {
            free(mnames[i]);
            free(npy[i].data);
        }
    } else
        die("unknown format", argv[1]);
    rj_test_buf_write(&out, argv[2]);
    for (i = 0; i < n; i++)
        free(owned[i]);
    free(out.data);
    return 0;
}
