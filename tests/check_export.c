/* resjac tests (issue 12b): `include "file.rj"`, the name = "..." option and
 * the parameter names of a network, and the gradient files written for
 * PyTorch users (safetensors, npz) read back by decoders written here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

static void
write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Parse the file at path and evaluate its definitions in a fresh environment
   whose directory is the file's (as the tools do); returns the status. */
static int
eval_file(rj_env_t env, rj_prog_t prog, const char *path, rj_error_t err)
{
    char *dir = rj_path_dir(path);
    int st;
    rj_prog_clear(prog);
    st = rj_parse_file(prog, path, err);
    env->dir = dir;
    if (st == RJ_OK)
        st = rj_eval_defs(env, prog, err);
    env->dir = NULL;
    flint_free(dir);
    return st;
}

/* The network `net` and point `x` of a model file, by rj_model_load. */
static void
load_model(rj_net_t net, fmpq_mat_t x, const char *path)
{
    rj_error_t err;
    rj_error_init(err);
    ck_assert_msg(rj_model_load(net, x, path, "net", "x", err) == RJ_OK, "%s: %s", path,
                  err->msg);
}

/* ------------------------------------------------------------ include */

/* One model written in one file, and the same model split over three files
   in two directories (a diamond: two files include a third), give equal
   networks and points; loads in an included file are relative to it. */
START_TEST(test_include_same_model)
{
    char one[512], main_rj[512], sub[512], p[512], npy[512];
    double w[4] = { 0.5, -0.25, 3.0, 1.0 / 1024 };
    rj_net_t n1, n2;
    fmpq_mat_t x1, x2;
    rj_prog_t prog;
    rj_error_t err;
    rj_error_init(err);
    rj_net_init(n1);
    rj_net_init(n2);
    fmpq_mat_init(x1, 0, 0);
    fmpq_mat_init(x2, 0, 0);
    rj_prog_init(prog);

    rj_test_tmp_path(sub, sizeof(sub), "inc");
    mkdir(sub, 0700);
    rj_test_tmp_path(npy, sizeof(npy), "inc/w.npy");
    ck_assert_int_eq(rj_npy_save_d(npy, w, 2, 2, err), RJ_OK);
    rj_test_tmp_path(one, sizeof(one), "w.npy");
    ck_assert_int_eq(rj_npy_save_d(one, w, 2, 2, err), RJ_OK);

    rj_test_tmp_path(one, sizeof(one), "one.rj");
    write_text(one, "let W = load(\"w.npy\")\n"
                    "let c = 3/7\n"
                    "let B = block(W1 = W, act = relu, W2 = c * W', skip = identity)\n"
                    "let net = net(B, B)\n"
                    "let x = [1, -c]\n");
    rj_test_tmp_path(p, sizeof(p), "inc/weights.rj");
    write_text(p, "include \"consts.rj\"\nlet W = load(\"w.npy\")\n");
    rj_test_tmp_path(p, sizeof(p), "inc/consts.rj");
    write_text(p, "let c = 3/7\n");
    rj_test_tmp_path(p, sizeof(p), "inc/block.rj");
    write_text(p, "include \"consts.rj\"\ninclude \"weights.rj\"\n"
                  "let B = block(W1 = W, act = relu, W2 = c * W', skip = identity)\n");
    rj_test_tmp_path(main_rj, sizeof(main_rj), "main.rj");
    write_text(main_rj, "include \"inc/weights.rj\"\n"
                        "include \"inc/block.rj\"\n"
                        "let net = net(B, B)\n"
                        "let x = [1, -c]\n");
    load_model(n1, x1, one);
    load_model(n2, x2, main_rj);
    ck_assert(rj_net_equal(n1, n2));
    ck_assert(fmpq_mat_equal(x1, x2));

    /* each file enters once: c, W (weights.rj), B, net, x */
    ck_assert_int_eq(rj_parse_file(prog, main_rj, err), RJ_OK);
    ck_assert_int_eq(prog->len, 5);
    ck_assert_int_eq(prog->nfiles, 3);
    /* statements are located in their own files */
    ck_assert(strstr(prog->stmts[0].loc.file, "inc/consts.rj") != NULL);
    ck_assert_int_eq(prog->stmts[0].loc.line, 1);
    ck_assert(strstr(prog->stmts[1].loc.file, "inc/weights.rj") != NULL);
    ck_assert_int_eq(prog->stmts[1].loc.line, 2);
    ck_assert_str_eq(prog->stmts[4].loc.file, main_rj);
    ck_assert(prog->stmts[4].dir == NULL);
    ck_assert(prog->stmts[1].dir != NULL && strstr(prog->stmts[1].dir, "/inc") != NULL);

    rj_prog_clear(prog);
    fmpq_mat_clear(x1);
    fmpq_mat_clear(x2);
    rj_net_clear(n1);
    rj_net_clear(n2);
}
END_TEST

/* Errors inside included files keep the included file's name, line and
   column, and say where it was included from, outermost last. */
START_TEST(test_include_errors)
{
    char a[512], b[512], c[512], p[512], want[2048];
    rj_prog_t prog;
    rj_env_t env;
    rj_error_t err;
    slong k;
    rj_error_init(err);
    rj_prog_init(prog);

    rj_test_tmp_path(a, sizeof(a), "ea.rj");
    rj_test_tmp_path(b, sizeof(b), "eb.rj");
    rj_test_tmp_path(c, sizeof(c), "ec.rj");
    write_text(a, "let one = 1\n\ninclude \"eb.rj\"\n");
    write_text(b, "# b\ninclude \"ec.rj\"\n");

    /* a syntax error two files deep */
    write_text(c, "let ok = 2\nlet bad = (1 +\n");
    ck_assert_int_ne(rj_parse_file(prog, a, err), RJ_OK);
    ck_assert_str_eq(err->file, c);
    ck_assert_int_eq(err->line, 3);
    snprintf(want, sizeof(want), "(included from %s:2:1, from %s:3:1)", b, a);
    ck_assert_msg(strstr(err->msg, want) != NULL, "%s", err->msg);
    ck_assert_int_eq(prog->len, 0);

    /* an evaluation error there: located the same way */
    write_text(c, "let ok = 2\nlet bad = ok + nothing\n");
    ck_assert_int_eq(rj_parse_file(prog, a, err), RJ_OK);
    rj_env_init(env);
    ck_assert_int_eq(eval_file(env, prog, a, err), RJ_ERR_INPUT);
    ck_assert_str_eq(err->file, c);
    ck_assert_int_eq(err->line, 2);
    ck_assert_int_eq(err->col, 16);
    ck_assert(strstr(err->msg, "undefined name 'nothing'") != NULL);
    ck_assert_msg(strstr(err->msg, want) != NULL, "%s", err->msg);
    rj_env_clear(env);

    /* a cycle: located at the include that closes it */
    write_text(c, "include \"ea.rj\"\n");
    ck_assert_int_eq(rj_parse_file(prog, a, err), RJ_ERR_INPUT);
    ck_assert_str_eq(err->file, c);
    ck_assert_int_eq(err->line, 1);
    ck_assert_int_eq(err->col, 1);
    ck_assert_msg(strstr(err->msg, "include cycle") != NULL, "%s", err->msg);

    /* a missing file: located at its name */
    write_text(c, "let z = 0\n  \ninclude \"missing.rj\"\n");
    ck_assert_int_eq(rj_parse_file(prog, a, err), RJ_ERR_IO);
    ck_assert_str_eq(err->file, c);
    ck_assert_int_eq(err->line, 3);
    ck_assert_int_eq(err->col, 9);
    ck_assert(strstr(err->msg, "cannot include \"missing.rj\"") != NULL);

    /* nesting: 16 levels below the program are accepted, 17 refused */
    for (k = 0; k <= 17; k++) {
        char text[128];
        rj_test_tmp_path(p, sizeof(p), "");
        snprintf(p + strlen(p), sizeof(p) - strlen(p), "deep%ld.rj", (long) k);
        if (k < 17)
            snprintf(text, sizeof(text), "include \"deep%ld.rj\"\nlet v%ld = %ld\n",
                     (long) k + 1, (long) k, (long) k);
        else
            snprintf(text, sizeof(text), "let v%ld = %ld\n", (long) k, (long) k);
        write_text(p, text);
    }
    rj_test_tmp_path(p, sizeof(p), "deep1.rj");
    ck_assert_msg(rj_parse_file(prog, p, err) == RJ_OK, "%s", err->msg);
    ck_assert_int_eq(prog->len, 17);
    ck_assert_int_eq(prog->nfiles, 16);
    rj_test_tmp_path(p, sizeof(p), "deep0.rj");
    ck_assert_int_eq(rj_parse_file(prog, p, err), RJ_ERR_LIMIT);
    ck_assert(strstr(err->msg, "nested deeper than 16") != NULL);
    ck_assert(strstr(err->file, "deep16.rj") != NULL);

    rj_prog_clear(prog);
}
END_TEST

/* ------------------------------------------------------------ names */

/* Default and given names of a network's parameters. */
START_TEST(test_param_names)
{
    char path[512], buf[300];
    rj_net_t net;
    fmpq_mat_t x;
    rj_error_t err;
    rj_error_init(err);
    rj_net_init(net);
    fmpq_mat_init(x, 0, 0);
    rj_test_tmp_path(path, sizeof(path), "names.rj");
    write_text(path,
               "let S = block(W1 = [[1, 0], [0, 1]], b1 = [1, 1], act = relu, "
               "W2 = [[1, 0], [0, 1]])\n"
               "let T = block(W1 = [[1, 0], [0, 1]], name = \"stem\")\n"
               "let G = block(branch = [dense([[1, 2], [3, 4]], [1, 2], name = \"fc1\"), relu, "
               "affine([1, 2], [0, 1])], skip = project([dense([[1, 0], [0, 1]])]), "
               "name = \"layer1.0\")\n"
               "let net = net(S, T, G)\n"
               "let x = [1, 2]\n");
    load_model(net, x, path);
    rj_net_param_name(buf, sizeof(buf), net, 0, 0, 0, "W1");
    ck_assert_str_eq(buf, "blocks.0.W1");
    rj_net_param_name(buf, sizeof(buf), net, 1, 0, 0, "b1");
    ck_assert_str_eq(buf, "stem.b1");
    rj_net_param_name(buf, sizeof(buf), net, 2, 0, 0, "weight");
    ck_assert_str_eq(buf, "fc1.weight");
    rj_net_param_name(buf, sizeof(buf), net, 2, 0, 2, "bias");
    ck_assert_str_eq(buf, "layer1.0.branch.2.bias");
    rj_net_param_name(buf, sizeof(buf), net, 2, 1, 0, "weight");
    ck_assert_str_eq(buf, "layer1.0.proj.0.weight");

    ck_assert_int_eq(rj_name_check("layer1.0.conv1", "t", err), RJ_OK);
    ck_assert_int_eq(rj_name_check("", "t", err), RJ_ERR_INPUT);
    ck_assert_int_eq(rj_name_check("a\"b", "t", err), RJ_ERR_INPUT);
    ck_assert_int_eq(rj_name_check("a b", "t", err), RJ_ERR_INPUT);
    fmpq_mat_clear(x);
    rj_net_clear(net);
}
END_TEST

/* name = "..." errors are located at the name. */
START_TEST(test_name_errors)
{
    static const struct {
        const char *text;
        int col;
        const char *msg;
    } cases[] = {
        { "let L = dense([[1]], name = 3)\n", 29, "expected a name in quotes" },
        { "let L = dense([[1]], name = \"a b\")\n", 29, "is not a letter" },
        { "let L = dense([[1]], [1], \"fc\")\n", 27, "takes at most 2 arguments" },
        { "let B = block(W1 = [[1]], name = \"\")\n", 34, "cannot be empty" },
        { "let L = elu(1, name = \"b c\")\n", 23, "is not a letter" },
        { "let B = block(branch = [dense([[1]], name = \"a\"), relu, dense([[1]], name = "
          "\"a\")])\n", 9, "two layers are named \"a\"" },
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rj_prog_t prog;
        rj_env_t env;
        rj_error_t err;
        rj_error_init(err);
        rj_prog_init(prog);
        rj_env_init(env);
        ck_assert_int_eq(rj_parse_string(prog, cases[i].text, "n.rj", err), RJ_OK);
        ck_assert_int_eq(rj_eval_defs(env, prog, err), RJ_ERR_INPUT);
        ck_assert_msg(strstr(err->msg, cases[i].msg) != NULL, "case %zu: %s", i, err->msg);
        ck_assert_int_eq(err->line, 1);
        ck_assert_msg(err->col == cases[i].col, "case %zu: col %d", i, err->col);
        rj_env_clear(env);
        rj_prog_clear(prog);
    }
}
END_TEST

/* ------------------------------------------------------------ gradient files */

/* A model with every kind of parameter: a general block of conv2d (named),
   batchnorm (named), maxpool and an unnamed conv2d; a block of flatten,
   dense (named) and layernorm over 2 x 2 x 2; shorthand blocks with and
   without a projection; two points. */
static const char *grad_model =
    "let K1 = [[1/2, -1, 1/4, 1/8, 1, 0, -1/2, 1/4], [1, 1, 1, 1, -1, -1, -1, -1]]\n"
    "let B1 = block(branch = [conv2d(K1, [1/8, -1/8], kernel = 2, padding = 1, "
    "name = \"layer1.0.conv1\"), batchnorm([1, 2], [0, 1/2], [1/4, 0], [1, 3], "
    "name = \"layer1.0.bn1\"), relu, maxpool(2, stride = 1), conv2d([[1, 2], [3, -4]], "
    "kernel = 1)], shape = [2, 2, 2], name = \"layer1.0\")\n"
    "let B2 = block(branch = [layernorm([1, 2, 1, 2, 1, 2, 1, 2], [1/2, 1/4, 0, 0, 0, 0, 0, 1]), "
    "flatten, dense([[1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 0, 1, 0, 1, 0, 1], "
    "[1, 0, 1, 0, 1, 0, 1, 0], [1, 1, 1, 1, 1, 1, 1, 1], [1, -1, 1, -1, 1, -1, 1, -1], "
    "[0, 0, 1, 1, 0, 0, 1, 1], [2, 0, 0, 0, 0, 0, 0, 1], [0, 3, 0, 0, 0, 1, 0, 0]], "
    "name = \"fc\")], skip = none, shape = [2, 2, 2])\n"
    "let B3 = block(W1 = [[1, 2, 0, 0, 1, 0, 0, 1], [3, 4, 1, 1, 0, 0, 0, 0], "
    "[5, 6, 0, 0, 0, 0, 1, 0]], b1 = [1, 1, 1], act = relu, W2 = [[1, 0, 1], [0, 1, 1]], "
    "b2 = [0, 1], skip = project([[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0]]))\n"
    "let B4 = block(W1 = [[1/2, 1], [1, -1/4]], act = tanh, W2 = [[1, 1], [1, 0]], "
    "place = pre, name = \"head\")\n"
    "let net = net(B1, B2, B3, B4)\n"
    "let x = [[1, 2], [2, 1], [3, 0], [4, 1], [-1, 1], [-2, 1], [1/2, 1], [1/4, 1]]\n";

/* What the file must hold for one tensor: its name, shape, and data (in the
   network's dtype) taken from the gradients the fast layer returned, at the
   offsets its network states. */
typedef struct {
    char name[64];
    int ndim;
    slong dims[4];
    const unsigned char *data;
    slong count;
} want_t;

static slong
want_add(want_t *w, slong n, const char *name, int ndim, slong d0, slong d1, slong d2,
         slong d3, const void *base, slong off, size_t es)
{
    slong k, d[4] = { d0, d1, d2, d3 };
    ck_assert_msg(off >= 0, "%s: no parameter at the expected place", name);
    snprintf(w[n].name, sizeof(w[n].name), "%s", name);
    w[n].ndim = ndim;
    w[n].count = 1;
    for (k = 0; k < 4; k++) {
        w[n].dims[k] = d[k];
        if (k < ndim)
            w[n].count *= d[k];
    }
    w[n].data = (const unsigned char *) base + off * es;
    return n + 1;
}

/* The tensors of grad_model, from the model's definition. */
static slong
grad_model_wants(want_t *w, const rj_fast_net_t f, const void *dX, slong B, const void *dp)
{
    size_t es = rj_fast_dtype_size(f->dtype);
    const rj_fast_block_struct *b = f->blocks;
    slong n = 0;
    n = want_add(w, n, "input", 4, B, 2, 2, 2, dX, 0, es);
    n = want_add(w, n, "layer1.0.conv1.weight", 4, 2, 2, 2, 2, dp, b[0].layers[0].W, es);
    n = want_add(w, n, "layer1.0.conv1.bias", 1, 2, 0, 0, 0, dp, b[0].layers[0].b, es);
    n = want_add(w, n, "layer1.0.bn1.weight", 1, 2, 0, 0, 0, dp, b[0].layers[1].scale, es);
    n = want_add(w, n, "layer1.0.bn1.bias", 1, 2, 0, 0, 0, dp, b[0].layers[1].shift, es);
    n = want_add(w, n, "layer1.0.branch.4.weight", 4, 2, 2, 1, 1, dp, b[0].layers[4].W, es);
    n = want_add(w, n, "blocks.1.branch.0.weight", 3, 2, 2, 2, 0, dp, b[1].layers[0].scale,
                 es);
    n = want_add(w, n, "blocks.1.branch.0.bias", 3, 2, 2, 2, 0, dp, b[1].layers[0].shift, es);
    n = want_add(w, n, "fc.weight", 2, 8, 8, 0, 0, dp, b[1].layers[2].W, es);
    n = want_add(w, n, "blocks.2.W1", 2, 3, 8, 0, 0, dp, b[2].W1, es);
    n = want_add(w, n, "blocks.2.b1", 1, 3, 0, 0, 0, dp, b[2].b1, es);
    n = want_add(w, n, "blocks.2.W2", 2, 2, 3, 0, 0, dp, b[2].W2, es);
    n = want_add(w, n, "blocks.2.b2", 1, 2, 0, 0, 0, dp, b[2].b2, es);
    n = want_add(w, n, "blocks.2.Ws", 2, 2, 8, 0, 0, dp, b[2].Ws, es);
    n = want_add(w, n, "head.W1", 2, 2, 2, 0, 0, dp, b[3].W1, es);
    n = want_add(w, n, "head.W2", 2, 2, 2, 0, 0, dp, b[3].W2, es);
    return n;
}

/* The whole file at path, its size in *len. */
static unsigned char *
read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n + 1);
    ck_assert(fread(buf, 1, n, f) == (size_t) n);
    fclose(f);
    *len = (size_t) n;
    return buf;
}

static uint64_t
le(const unsigned char *p, int width)
{
    uint64_t v = 0;
    int k;
    for (k = width - 1; k >= 0; k--)
        v = (v << 8) | p[k];
    return v;
}

/* The tensor's data as the file must store it: little-endian, bit for bit. */
static int
same_bytes(const unsigned char *file, const want_t *w, size_t es)
{
    slong i;
    size_t k;
    for (i = 0; i < w->count; i++) {
        uint64_t u = 0;
        if (es == 8)
            memcpy(&u, w->data + 8 * i, 8);
        else {
            uint32_t v;
            memcpy(&v, w->data + 4 * i, 4);
            u = v;
        }
        for (k = 0; k < es; k++)
            if (file[es * i + k] != (unsigned char) (u >> (8 * k)))
                return 0;
    }
    return 1;
}

/* Read a safetensors file by hand: the header's entries one by one. */
static void
check_safetensors(const char *path, const want_t *w, slong n, size_t es)
{
    size_t len, hlen;
    unsigned char *buf = read_all(path, &len);
    char *h;
    slong i, entries = 0;
    const char *p;
    hlen = (size_t) le(buf, 8);
    ck_assert(hlen % 8 == 0 && 8 + hlen <= len);
    h = malloc(hlen + 1);
    memcpy(h, buf + 8, hlen);
    h[hlen] = '\0';
    ck_assert_msg(h[0] == '{', "%s", h);
    for (p = h; (p = strstr(p, "data_offsets")) != NULL; p++)
        entries++;
    ck_assert_int_eq(entries, n);
    for (i = 0; i < n; i++) {
        char key[128], dtype[8], shape[128], want_shape[128];
        unsigned long long b, e;
        const char *q, *r;
        int k;
        snprintf(key, sizeof(key), "\"%.60s\": {", w[i].name);
        q = strstr(h, key);
        ck_assert_msg(q != NULL, "%s: no entry", w[i].name);
        q += strlen(key);
        ck_assert(sscanf(q, "\"dtype\": \"%7[^\"]\"", dtype) == 1);
        ck_assert_str_eq(dtype, es == 8 ? "F64" : "F32");
        q = strstr(q, "\"shape\": [");
        r = strchr(q, ']');
        ck_assert(q != NULL && r != NULL && r - q < 100);
        q += strlen("\"shape\": [");
        memcpy(shape, q, r - q);
        shape[r - q] = '\0';
        want_shape[0] = '\0';
        for (k = 0; k < w[i].ndim; k++)
            snprintf(want_shape + strlen(want_shape), sizeof(want_shape) - strlen(want_shape),
                     k ? ", %ld" : "%ld", (long) w[i].dims[k]);
        ck_assert_msg(strcmp(shape, want_shape) == 0, "%s: shape [%s], expected [%s]",
                      w[i].name, shape, want_shape);
        ck_assert(sscanf(strstr(r, "\"data_offsets\""), "\"data_offsets\": [%llu, %llu]", &b,
                         &e) == 2);
        ck_assert(e - b == w[i].count * es && 8 + hlen + e <= len);
        ck_assert_msg(same_bytes(buf + 8 + hlen + b, w + i, es), "%s: other data",
                      w[i].name);
    }
    free(h);
    free(buf);
}

/* CRC-32 of the zip format, bit by bit (the library uses a table). */
static uint32_t
crc32_bits(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

/* Read an npz file by hand: the local headers in order, each member's CRC,
   its .npy header and data; then the central directory's count. */
static void
check_npz(const char *path, const want_t *w, slong n, size_t es)
{
    size_t len, at = 0;
    unsigned char *buf = read_all(path, &len);
    slong i;
    for (i = 0; i < n; i++) {
        const unsigned char *m;
        size_t size, nlen, hl;
        char name[128], dict[512], want_dict[256];
        int k;
        ck_assert(at + 30 <= len);
        ck_assert_msg(le(buf + at, 4) == 0x04034b50u, "member %ld: no local header", (long) i);
        ck_assert_int_eq(le(buf + at + 8, 2), 0);          /* stored */
        size = (size_t) le(buf + at + 18, 4);
        ck_assert_int_eq(size, le(buf + at + 22, 4));
        nlen = (size_t) le(buf + at + 26, 2);
        ck_assert(le(buf + at + 28, 2) == 0 && at + 30 + nlen + size <= len);
        memcpy(name, buf + at + 30, nlen);
        name[nlen] = '\0';
        snprintf(dict, sizeof(dict), "%.60s.npy", w[i].name);
        ck_assert_str_eq(name, dict);
        m = buf + at + 30 + nlen;
        ck_assert_msg(crc32_bits(m, size) == le(buf + at + 14, 4), "%s: CRC", name);
        ck_assert(memcmp(m, "\x93NUMPY\x01\x00", 8) == 0);
        hl = (size_t) le(m + 8, 2);
        ck_assert((10 + hl) % 64 == 0 && m[10 + hl - 1] == '\n');
        memcpy(dict, m + 10, hl);
        dict[hl] = '\0';
        snprintf(want_dict, sizeof(want_dict), "{'descr': '%s', 'fortran_order': False, "
                 "'shape': (", es == 8 ? "<f8" : "<f4");
        for (k = 0; k < w[i].ndim; k++)
            snprintf(want_dict + strlen(want_dict), sizeof(want_dict) - strlen(want_dict),
                     k ? ", %ld" : "%ld", (long) w[i].dims[k]);
        snprintf(want_dict + strlen(want_dict), sizeof(want_dict) - strlen(want_dict), "%s), }",
                 w[i].ndim == 1 ? "," : "");
        ck_assert_msg(strncmp(dict, want_dict, strlen(want_dict)) == 0, "%s: header %s", name,
                      dict);
        ck_assert(size == 10 + hl + w[i].count * es);
        ck_assert_msg(same_bytes(m + 10 + hl, w + i, es), "%s: other data", name);
        at += 30 + nlen + size;
    }
    /* the central directory follows; the end record counts n entries */
    ck_assert(le(buf + at, 4) == 0x02014b50u);
    ck_assert(len >= 22 && le(buf + len - 22, 4) == 0x06054b50u);
    ck_assert_int_eq(le(buf + len - 22 + 10, 2), n);
    ck_assert_int_eq(le(buf + len - 22 + 16, 4), at);
    free(buf);
}

/* The gradients of grad_model, in both dtypes, written in both formats and
   read back by the decoders above, bit for bit. */
START_TEST(test_grad_files)
{
    char model[512], out[512];
    rj_net_t net;
    fmpq_mat_t X;
    rj_error_t err;
    int dt;
    rj_error_init(err);
    rj_net_init(net);
    fmpq_mat_init(X, 0, 0);
    rj_test_tmp_path(model, sizeof(model), "grad.rj");
    write_text(model, grad_model);
    ck_assert_msg(rj_model_load_points(net, X, model, "net", "x", err) == RJ_OK, "%s",
                  err->msg);
    for (dt = 0; dt < 2; dt++) {
        rj_fast_dtype dtype = dt ? RJ_FAST_F64 : RJ_FAST_F32;
        size_t es = rj_fast_dtype_size(dtype);
        slong B = fmpq_mat_ncols(X), n_in = fmpq_mat_nrows(X), i, r, c, nw;
        rj_fast_net_t f;
        rj_fast_work_t w;
        rj_tensors_t t;
        void *x, *dy, *dx, *dp;
        want_t want[32];
        int fmt;
        rj_fast_net_init(f);
        rj_fast_work_init(w);
        rj_tensors_init(t);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, dtype, err), RJ_OK);
        ck_assert_int_eq(rj_fast_work_reserve(w, f, B, 1, 0, err), RJ_OK);
        x = malloc(B * n_in * es);
        dy = malloc(B * f->n_out * es);
        dx = malloc(B * n_in * es);
        dp = malloc(f->nparams * es);
        for (r = 0; r < n_in; r++)
            for (c = 0; c < B; c++)
                rj_test_setd(x, c * n_in + r, fmpq_get_d(fmpq_mat_entry(X, r, c)), dtype);
        for (i = 0; i < B * f->n_out; i++)
            rj_test_setd(dy, i, 1.0 + (double) i / 4, dtype);
        ck_assert_int_eq(rj_fast_forward(NULL, w, f, x, B, err), RJ_OK);
        ck_assert_int_eq(rj_fast_backward(dx, dp, NULL, NULL, w, f, dy, err), RJ_OK);
        ck_assert_int_eq(rj_fast_grad_tensors(t, net, f, dx, B, dp, err), RJ_OK);
        nw = grad_model_wants(want, f, dx, B, dp);
        ck_assert_int_eq(t->len, nw);
        for (fmt = 0; fmt < 2; fmt++) {
            rj_test_tmp_path(out, sizeof(out), fmt ? "g.npz" : "g.safetensors");
            ck_assert_msg(rj_tensors_save(out, t, dtype == RJ_FAST_F64, err) == RJ_OK, "%s",
                          err->msg);
            if (fmt)
                check_npz(out, want, nw, es);
            else
                check_safetensors(out, want, nw, es);
        }
        free(x);
        free(dy);
        free(dx);
        free(dp);
        rj_tensors_clear(t);
        rj_fast_work_clear(w);
        rj_fast_net_clear(f);
    }
    fmpq_mat_clear(X);
    rj_net_clear(net);
}
END_TEST

/* Refusals before anything is written: duplicate names, bad names and
   shapes, a bad ending, a missing directory; the file already there stays as
   it was and no temporary file is left. */
START_TEST(test_grad_files_refused)
{
    char out[512], dir[512];
    double a[3] = { 1, 2, 3 };
    slong d[2] = { 3, 1 }, dbad[1] = { -1 };
    rj_tensors_t t;
    rj_error_t err;
    size_t len;
    unsigned char *before;
    FILE *f;
    rj_error_init(err);
    rj_tensors_init(t);
    rj_test_tmp_path(dir, sizeof(dir), "refuse");
    mkdir(dir, 0700);
    rj_test_tmp_path(out, sizeof(out), "refuse/keep.npz");
    write_text(out, "old contents");
    rj_tensors_push(t, "a.weight", 1, d, a);
    rj_tensors_push(t, "b.weight", 2, d, a);
    ck_assert_int_eq(rj_tensors_save(out, t, 1, err), RJ_OK);
    rj_tensors_push(t, "a.weight", 1, d, a);
    ck_assert_int_eq(rj_tensors_save(out, t, 1, err), RJ_ERR_INPUT);
    ck_assert_msg(strstr(err->msg, "two tensors are named 'a.weight'") != NULL, "%s",
                  err->msg);
    rj_tensors_clear(t);
    rj_tensors_push(t, "bad name", 1, d, a);
    ck_assert_int_eq(rj_tensors_save(out, t, 1, err), RJ_ERR_INPUT);
    rj_tensors_clear(t);
    rj_tensors_push(t, "neg", 1, dbad, a);
    ck_assert_int_eq(rj_tensors_save(out, t, 1, err), RJ_ERR_INPUT);
    rj_tensors_clear(t);
    before = read_all(out, &len);
    ck_assert(len > 22);           /* the first save's file, not the old text */
    rj_test_tmp_path(dir, sizeof(dir), "refuse/x.npy");
    ck_assert_int_eq(rj_tensors_check_path(dir, err), RJ_ERR_INPUT);
    rj_test_tmp_path(dir, sizeof(dir), "refuse/no/such/x.npz");
    ck_assert_int_eq(rj_tensors_check_path(dir, err), RJ_ERR_IO);
    rj_tensors_push(t, "a", 1, d, a);
    ck_assert_int_eq(rj_tensors_save(dir, t, 1, err), RJ_ERR_IO);
    rj_tensors_clear(t);
    /* only keep.npz in the directory: no temporary file left */
    rj_test_tmp_path(dir, sizeof(dir), "refuse");
    {
        char cmd[700];
        snprintf(cmd, sizeof(cmd), "test \"$(ls '%s')\" = keep.npz", dir);
        ck_assert_int_eq(system(cmd), 0);
    }
    f = fopen(out, "rb");
    ck_assert(f != NULL);
    fclose(f);
    free(before);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("core");
    int rc;
    tcase_set_timeout(tc, 120);
    rj_test_tmp_setup("export");
    tcase_add_test(tc, test_include_same_model);
    tcase_add_test(tc, test_include_errors);
    tcase_add_test(tc, test_param_names);
    tcase_add_test(tc, test_name_errors);
    tcase_add_test(tc, test_grad_files);
    tcase_add_test(tc, test_grad_files_refused);
    suite_add_tcase(s, tc);
    rc = rj_test_run(s);
    rj_test_tmp_remove();
    return rc;
}
