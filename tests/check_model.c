/* Tests of src/model: blocks and networks (built through the language's
 * builtins and through the API), their validation and labels, .npy import,
 * the point check.  Every check compares against a computation done a
 * different way (hand-built bytes and frexp/ldexp for .npy, direct FLINT calls,
 * the messages of the other layers). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flint/fmpz_mat.h>

#include "testutil.h"

static ulong seed;

START_TEST(test_blocks_nets)
{
    const char *text =
        "let A = [[1, 2], [3, 4]]\n"
        "let C = [[1, 0], [0, -1]]\n"
        "let Ws = [[1, 0], [0, 1], [1, 1]]\n"
        "let B = block(W1 = A, act = relu, W2 = C)\n"
        "let P = block(W1 = [[1, 1]], W2 = [[1], [2], [3]], skip = project(Ws),\n"
        "              b1 = [7], b2 = [1, 2, 3])\n"
        "let Q = block(W1 = A, act = relu, W2 = C, place = post)\n"
        "let R = block(W1 = A, act = identity, W2 = C, place = pre, outer = leaky_relu(1/3))\n"
        "let V = block(W1 = [[1/3, 0], [0, 1]], skip = none, place = post)\n"
        "let S = block(W1 = A, skip = scaled(1/2))\n"
        "let T = block(W1 = A, act = tanh, W2 = C)\n"
        "let N = net(B, repeat(Q, 3), R)\n"
        "let M = net(N, V, repeat(net(S, B), 2), P)\n";
    rj_prog_t prog;
    rj_env_t env;
    rj_error_t err;
    rj_val_struct *v;
    rj_prog_init(prog);
    rj_env_init(env);
    rj_error_init(err);
    ck_assert_int_eq(rj_parse_string(prog, text, "b.rj", err), RJ_OK);
    ck_assert_msg(rj_eval_defs(env, prog, err) == RJ_OK, "%d:%d %s", err->line, err->col,
                  err->msg);

    v = rj_env_lookup(env, "B");
    ck_assert(v->kind == RJ_VAL_BLOCK);
    ck_assert(v->block->two_layer);
    ck_assert_int_eq(v->block->n_in, 2);
    ck_assert_int_eq(v->block->n_hidden, 2);
    ck_assert_int_eq(v->block->n_out, 2);
    ck_assert(v->block->act->kind == RJ_ACT_RELU);
    ck_assert(v->block->skip == RJ_SKIP_IDENTITY);
    ck_assert(v->block->place == RJ_PLACE_NONE);
    ck_assert(fmpq_equal_si(fmpq_mat_entry(v->block->W1, 1, 0), 3));
    ck_assert(fmpq_equal_si(fmpq_mat_entry(v->block->W2, 1, 1), -1));
    ck_assert(fmpq_mat_is_empty(v->block->b1));
    ck_assert(rj_block_is_piecewise_linear(v->block));
    ck_assert(rj_block_is_dyadic(v->block));

    v = rj_env_lookup(env, "P");
    ck_assert(v->block->skip == RJ_SKIP_PROJECT);
    ck_assert_int_eq(v->block->n_in, 2);
    ck_assert_int_eq(v->block->n_hidden, 1);
    ck_assert_int_eq(v->block->n_out, 3);
    ck_assert(fmpq_equal_si(fmpq_mat_entry(v->block->Ws, 2, 1), 1));
    ck_assert(fmpq_equal_si(fmpq_mat_entry(v->block->b2, 2, 0), 3));
    ck_assert(fmpq_equal_si(fmpq_mat_entry(v->block->b1, 0, 0), 7));

    v = rj_env_lookup(env, "R");
    ck_assert(v->block->place == RJ_PLACE_PRE);
    ck_assert(v->block->outer->kind == RJ_ACT_LEAKY_RELU);
    ck_assert(v->block->act->kind == RJ_ACT_IDENTITY);
    {
        fmpq_t t;
        fmpq_init(t);
        fmpq_set_si(t, 1, 3);
        ck_assert(fmpq_equal(v->block->outer->slope, t));
        fmpq_clear(t);
    }
    ck_assert(rj_block_is_piecewise_linear(v->block));
    ck_assert(!rj_block_is_dyadic(v->block));     /* slope 1/3 */

    v = rj_env_lookup(env, "V");
    ck_assert(!v->block->two_layer);
    ck_assert_int_eq(v->block->n_hidden, 0);
    ck_assert(v->block->skip == RJ_SKIP_NONE);
    ck_assert(v->block->place == RJ_PLACE_POST);
    ck_assert(v->block->outer->kind == RJ_ACT_RELU);
    ck_assert(!rj_block_is_dyadic(v->block));

    v = rj_env_lookup(env, "S");
    ck_assert(v->block->skip == RJ_SKIP_SCALED);
    ck_assert(fmpq_equal_si(v->block->alpha, 1) == 0);
    v = rj_env_lookup(env, "T");
    ck_assert(!rj_block_is_piecewise_linear(v->block));

    v = rj_env_lookup(env, "N");
    ck_assert(v->kind == RJ_VAL_NET);
    ck_assert_int_eq(v->net->len, 5);
    ck_assert_str_eq(v->net->names[0], "B");
    ck_assert_str_eq(v->net->names[3], "Q");
    ck_assert_str_eq(v->net->names[4], "R");
    ck_assert(v->net->blocks[2].place == RJ_PLACE_POST);
    ck_assert(rj_net_validate(v->net, err) == RJ_OK);

    v = rj_env_lookup(env, "M");
    ck_assert_int_eq(v->net->len, 5 + 1 + 4 + 1);
    ck_assert_str_eq(v->net->names[6], "S");
    ck_assert_str_eq(v->net->names[7], "B");
    ck_assert_str_eq(v->net->names[8], "S");
    ck_assert_int_eq(rj_net_width_in(v->net), 2);
    ck_assert_int_eq(rj_net_width_out(v->net), 3);
    ck_assert_int_eq(rj_net_max_width(v->net), 3);
    ck_assert(rj_net_is_piecewise_linear(v->net));
    ck_assert(!rj_net_is_dyadic(v->net));

    rj_env_clear(env);
    rj_prog_clear(prog);
}
END_TEST

/* Direct API: random blocks of every kind validate; breaking one shape gives a
   message naming the block and both shapes. */
START_TEST(test_block_validate_api)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 2);
    for (it = 0; it < rj_test_iters(200); it++) {
        slong n_in = 1 + n_randint(st, 4), h = n_randint(st, 4), n_out;
        int skip = (int) n_randint(st, 4), place = (int) n_randint(st, 3);
        rj_block_t b, c;
        rj_net_t net;
        rj_error_t err;
        char shape[64];
        n_out = skip == RJ_SKIP_PROJECT ? 1 + (slong) n_randint(st, 4) : n_in;
        rj_block_init(b);
        rj_block_init(c);
        rj_error_init(err);
        rj_test_randblock(b, st, n_in, h, n_out, skip, place, RJ_ACT_RELU, RJ_ACT_LEAKY_RELU,
                          (int) n_randint(st, 2), 5, 4);
        b->n_in = b->n_hidden = b->n_out = -1;    /* validate fills them */
        RJ_CHECK(rj_block_validate(b, "blk", err) == RJ_OK, seed, "valid block rejected: %s",
                 err->msg);
        RJ_CHECK(b->n_in == n_in && b->n_out == n_out && b->n_hidden == h, seed,
                 "widths %ld %ld %ld", (long) b->n_in, (long) b->n_hidden, (long) b->n_out);
        rj_block_set(c, b);
        /* break W1's column count: when W2 exists its shape stays valid, so the
           message must mention W1's new shape and the shape it clashes with */
        fmpq_mat_clear(c->W1);
        fmpq_mat_init(c->W1, fmpq_mat_nrows(b->W1), n_in + 1);
        if (skip == RJ_SKIP_PROJECT) {
            RJ_CHECK(rj_block_validate(c, "blk", err) == RJ_ERR_INPUT, seed, "not caught");
            snprintf(shape, sizeof(shape), "Ws is %ld x %ld", (long) n_out, (long) n_in);
            RJ_CHECK(strstr(err->msg, shape) != NULL && strstr(err->msg, "'blk'") != NULL,
                     seed, "message: %s", err->msg);
        } else {
            RJ_CHECK(rj_block_validate(c, "blk", err) == RJ_ERR_INPUT, seed, "not caught");
            snprintf(shape, sizeof(shape), "%ld x %ld", (long) fmpq_mat_nrows(b->W1),
                     (long) (n_in + 1));
            RJ_CHECK(strstr(err->msg, shape) != NULL && strstr(err->msg, "'blk'") != NULL,
                     seed, "message: %s", err->msg);
        }
        /* a net of the block twice validates iff widths chain */
        rj_net_init(net);
        rj_net_append(net, b, "first");
        rj_net_append(net, net->blocks + 0, net->names[0]);   /* aliasing append */
        rj_net_append_net(net, net);                          /* aliasing append_net */
        ck_assert_int_eq(net->len, 4);
        ck_assert_str_eq(net->names[3], "first");
        RJ_CHECK((rj_net_validate(net, err) == RJ_OK) == (n_in == n_out), seed,
                 "net validation wrong for %ld -> %ld: %s", (long) n_in, (long) n_out,
                 err->msg);
        if (n_in != n_out)
            RJ_CHECK(strstr(err->msg, "block 1 ('first'") != NULL, seed, "%s", err->msg);
        rj_net_clear(net);
        rj_block_clear(b);
        rj_block_clear(c);
    }
    flint_randclear(st);
}
END_TEST

/* One label for a block in every layer's messages: the forms of
   rj_block_label, and the model's, the exact layer's and the fast layer's
   messages about one block all carrying rj_net_block_label's text (the fast
   layer wrote "block 2 (big)" and the model "block 2 ('big', 1 -> 1)"). */
START_TEST(test_block_label)
{
    char buf[64], lab[64];
    rj_net_t net;
    rj_block_t b;
    rj_error_t err;
    rj_fast_net_t f;
    fmpq_mat_t x, y;
    rj_block_label(buf, sizeof(buf), 2, "B");
    ck_assert_str_eq(buf, "block 3 ('B')");
    rj_block_label(buf, sizeof(buf), 2, NULL);
    ck_assert_str_eq(buf, "block 3");
    rj_block_label(buf, sizeof(buf), 2, "");
    ck_assert_str_eq(buf, "block 3");
    rj_block_label(buf, sizeof(buf), -1, "B");
    ck_assert_str_eq(buf, "block 'B'");
    rj_block_label(buf, sizeof(buf), -1, NULL);
    ck_assert_str_eq(buf, "block");
    rj_block_label(buf, 8, 2, "a long name");              /* truncated to 7 chars */
    ck_assert_str_eq(buf, "block 3");

    /* block 1 unnamed, block 2 'big': W1 = 2^200 (beyond float32) after a
       tanh pre-activation (beyond the exact layer) */
    rj_error_init(err);
    rj_net_init(net);
    rj_block_init(b);
    fmpq_mat_clear(b->W1);
    fmpq_mat_init(b->W1, 1, 1);
    fmpq_one(fmpq_mat_entry(b->W1, 0, 0));
    ck_assert_int_eq(rj_block_validate(b, NULL, err), RJ_OK);
    rj_net_append(net, b, NULL);
    fmpq_mul_2exp(fmpq_mat_entry(b->W1, 0, 0), fmpq_mat_entry(b->W1, 0, 0), 200);
    b->place = RJ_PLACE_PRE;
    b->outer->kind = RJ_ACT_TANH;
    ck_assert_int_eq(rj_block_validate(b, "big", err), RJ_OK);
    rj_net_append(net, b, "big");
    rj_net_block_label(lab, sizeof(lab), net, 1);
    ck_assert_str_eq(lab, "block 2 ('big')");
    rj_net_block_label(buf, sizeof(buf), net, 0);
    ck_assert_str_eq(buf, "block 1");

    rj_fast_net_init(f);
    ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F32, err), RJ_ERR_DOMAIN);
    ck_assert_msg(strstr(err->msg, lab) != NULL, "fast: %s", err->msg);
    rj_fast_net_clear(f);

    fmpq_mat_init(x, 1, 1);
    fmpq_mat_init(y, 0, 0);
    ck_assert_int_eq(rj_exact_forward(y, net, x, err), RJ_ERR_DOMAIN);
    ck_assert_msg(strstr(err->msg, lab) != NULL, "exact: %s", err->msg);
    fmpq_mat_clear(x);
    fmpq_mat_clear(y);

    /* the model's width check names both blocks the same way */
    fmpq_mat_clear(b->W1);
    fmpq_mat_init(b->W1, 2, 2);
    b->place = RJ_PLACE_NONE;
    ck_assert_int_eq(rj_block_validate(b, "wide", err), RJ_OK);
    rj_net_append(net, b, "wide");
    ck_assert_int_eq(rj_net_validate(net, err), RJ_ERR_INPUT);
    rj_net_block_label(buf, sizeof(buf), net, 2);
    ck_assert_msg(strstr(err->msg, lab) != NULL && strstr(err->msg, buf) != NULL,
                  "model: %s", err->msg);
    rj_block_clear(b);
    rj_net_clear(net);
}
END_TEST

/* ---------------------------------------------------------------- .npy */

/* Write a .npy by hand: header dict text as given, then the data bytes. */
static void
write_npy(const char *path, int version, const char *dict, const void *data, size_t nbytes,
          long cut)
{
    FILE *f = fopen(path, "wb");
    size_t hl = strlen(dict), pre = version == 1 ? 10 : 12, pad, total;
    unsigned char h[12];
    size_t i;
    ck_assert(f != NULL);
    pad = (64 - (pre + hl + 1) % 64) % 64;
    total = hl + pad + 1;
    memcpy(h, "\x93NUMPY", 6);
    h[6] = (unsigned char) version;
    h[7] = 0;
    if (version == 1) {
        h[8] = (unsigned char) (total & 0xff);
        h[9] = (unsigned char) (total >> 8);
    } else {
        h[8] = (unsigned char) (total & 0xff);
        h[9] = (unsigned char) ((total >> 8) & 0xff);
        h[10] = (unsigned char) ((total >> 16) & 0xff);
        h[11] = (unsigned char) (total >> 24);
    }
    {
        /* assemble, then write possibly truncated */
        size_t n = pre + total + nbytes;
        unsigned char *buf = malloc(n);
        memcpy(buf, h, pre);
        memcpy(buf + pre, dict, hl);
        for (i = 0; i < pad; i++)
            buf[pre + hl + i] = ' ';
        buf[pre + hl + pad] = '\n';
        if (nbytes > 0)
            memcpy(buf + pre + total, data, nbytes);
        if (cut >= 0 && (size_t) cut < n)
            n = (size_t) cut;
        ck_assert(fwrite(buf, 1, n, f) == n);
        free(buf);
    }
    fclose(f);
}

static void
le_bytes64(unsigned char *out, uint64_t u)
{
    int k;
    for (k = 0; k < 8; k++)
        out[k] = (unsigned char) (u >> (8 * k));
}

static void
le_bytes32(unsigned char *out, uint32_t u)
{
    int k;
    for (k = 0; k < 4; k++)
        out[k] = (unsigned char) (u >> (8 * k));
}

/* Independent exact value of a finite double: frexp splits d = f 2^e with
   1/2 <= |f| < 1, and f 2^53 is an integer. */
static void
ref_from_double(fmpq_t q, double d)
{
    int e;
    double f;
    int64_t m;
    if (d == 0) {
        fmpq_zero(q);
        return;
    }
    f = frexp(d, &e);
    m = (int64_t) ldexp(f, 53);
    ck_assert((double) m == ldexp(f, 53));
    fmpq_set_si(q, m, 1);
    if (e - 53 >= 0)
        fmpq_mul_2exp(q, q, e - 53);
    else
        fmpq_div_2exp(q, q, 53 - e);
}

static void
ref_from_float(fmpq_t q, float g)
{
    int e;
    float f;
    int32_t m;
    if (g == 0) {
        fmpq_zero(q);
        return;
    }
    f = frexpf(g, &e);
    m = (int32_t) ldexpf(f, 24);
    fmpq_set_si(q, m, 1);
    if (e - 24 >= 0)
        fmpq_mul_2exp(q, q, e - 24);
    else
        fmpq_div_2exp(q, q, 24 - e);
}

/* The rational also rounds back to the same double (third check, MPFR). */
static int
rounds_back(const fmpq_t q, double d)
{
    mpfr_t r;
    int ok;
    mpfr_init2(r, 53);
    fmpq_get_mpfr(r, q, MPFR_RNDN);
    ok = mpfr_get_d(r, MPFR_RNDN) == d;      /* -0.0 == 0.0: the sign of 0 is not a value */
    mpfr_clear(r);
    return ok;
}

static uint64_t
rand_bits64(flint_rand_t st)
{
    uint64_t u = ((uint64_t) n_randlimb(st) << 32) ^ (uint64_t) n_randlimb(st);
    switch (n_randint(st, 4)) {               /* bias towards the edges */
    case 0: u &= UINT64_C(0x800fffffffffffff); break;           /* subnormal */
    case 1: u = (u & UINT64_C(0x800fffffffffffff)) | UINT64_C(0x7fe0000000000000); break;
    default: break;
    }
    if (((u >> 52) & 0x7ff) == 0x7ff)
        u &= ~(UINT64_C(1) << 62);            /* keep it finite */
    return u;
}

START_TEST(test_npy_exact)
{
    static const uint64_t specials[] = {
        UINT64_C(0x0000000000000000), UINT64_C(0x8000000000000000),    /* +0, -0 */
        UINT64_C(0x0000000000000001), UINT64_C(0x8000000000000001),    /* min subnormal */
        UINT64_C(0x000fffffffffffff), UINT64_C(0x0010000000000000),    /* max sub, min normal */
        UINT64_C(0x7fefffffffffffff), UINT64_C(0xffefffffffffffff),    /* +-max */
        UINT64_C(0x3fb999999999999a),                                  /* 0.1 */
        UINT64_C(0x3ff0000000000000), UINT64_C(0x4000000000000000),
    };
    flint_rand_t st;
    char path[512];
    slong it, i, n, rows, cols;
    fmpq_t q, r;
    fmpz_t z;
    fmpq_mat_t A;
    rj_error_t err;
    char dict[200];

    fmpq_init(q);
    fmpq_init(r);
    fmpz_init(z);
    fmpq_mat_init(A, 0, 0);
    rj_error_init(err);
    rj_test_randinit(st, seed + 3);
    rj_test_tmp_path(path, sizeof(path), "x.npy");

    /* exact known values, independent of any conversion routine */
    {
        double d;
        uint64_t u = 1;
        memcpy(&d, &u, 8);
        rj_fmpq_set_d_exact(q, d);
        fmpq_one(r);
        fmpq_div_2exp(r, r, 1074);
        ck_assert(fmpq_equal(q, r));                       /* 2^-1074 */
        u = UINT64_C(0x7fefffffffffffff);
        memcpy(&d, &u, 8);
        rj_fmpq_set_d_exact(q, d);
        fmpz_one(z);
        fmpz_mul_2exp(z, z, 53);
        fmpz_sub_ui(z, z, 1);
        fmpz_mul_2exp(z, z, 971);
        fmpq_set_fmpz(r, z);
        ck_assert(fmpq_equal(q, r));                       /* (2^53 - 1) 2^971 */
        rj_fmpq_set_d_exact(q, 0.1);
        fmpq_set_si(r, 3602879701896397, 1);
        fmpq_div_2exp(r, r, 55);
        ck_assert(fmpq_equal(q, r));
    }

    for (it = 0; it < rj_test_iters(40); it++) {
        /* the first file is float64, 3 x 4, and holds the special values */
        int f32 = it == 0 ? 0 : (int) n_randint(st, 2), version = 1 + (int) n_randint(st, 3);
        int nd = it == 0 ? 2 : (int) n_randint(st, 5), k;
        slong dims[4];
        char shp[128];
        const char *order = (const char *[]) { "<", "=", "|", "" }[n_randint(st, 4)];
        unsigned char *bytes;
        double *vals;
        rows = nd == 0 ? 1 : it == 0 ? 3 : 1 + (slong) n_randint(st, 5);
        cols = nd == 2 ? (it == 0 ? 4 : 1 + (slong) n_randint(st, 5)) : 1;
        /* n-d, n >= 3: rows x (product of the other dimensions) */
        dims[0] = rows;
        dims[1] = cols;
        for (k = 2; k < nd; k++) {
            dims[k] = 1 + (slong) n_randint(st, 3);
            cols *= dims[k];
        }
        shp[0] = '\0';
        for (k = 0; k < nd; k++)
            snprintf(shp + strlen(shp), sizeof(shp) - strlen(shp), "%ld, ", (long) dims[k]);
        n = rows * cols;
        bytes = malloc(8 * n);
        vals = malloc(sizeof(double) * n);
        for (i = 0; i < n; i++) {
            if (f32) {
                uint32_t u = (uint32_t) n_randlimb(st);
                float g;
                if (i < 4)
                    u = (uint32_t[]) { 0x00000001u, 0x80000000u, 0x7f7fffffu, 0x00800000u }[i];
                if (((u >> 23) & 0xff) == 0xff)
                    u &= ~(1u << 30);
                memcpy(&g, &u, 4);
                le_bytes32(bytes + 4 * i, u);
                vals[i] = g;
            } else {
                uint64_t u = (size_t) i < sizeof(specials) / sizeof(specials[0]) && it == 0
                             ? specials[i] : rand_bits64(st);
                double d;
                memcpy(&d, &u, 8);
                le_bytes64(bytes + 8 * i, u);
                vals[i] = d;
            }
        }
        if (nd == 0)
            snprintf(dict, sizeof(dict), "{'descr': '%sf%d', 'fortran_order': False, "
                     "'shape': (), }", order, f32 ? 4 : 8);
        else if (nd == 1)
            snprintf(dict, sizeof(dict), "{'descr': '%sf%d', 'fortran_order': False, "
                     "'shape': (%ld,), }", order, f32 ? 4 : 8, (long) rows);
        else
            snprintf(dict, sizeof(dict), "{'shape': (%s), 'fortran_order': False, "
                     "'descr': '%sf%d'}", shp, order, f32 ? 4 : 8);
        write_npy(path, version, dict, bytes, (f32 ? 4 : 8) * n, -1);
        RJ_CHECK(rj_npy_load(A, path, err) == RJ_OK, seed, "load failed: %s (%s)", err->msg,
                 dict);
        RJ_CHECK(fmpq_mat_nrows(A) == rows && fmpq_mat_ncols(A) == cols, seed,
                 "shape %ld x %ld, expected %ld x %ld (%s)", (long) fmpq_mat_nrows(A),
                 (long) fmpq_mat_ncols(A), (long) rows, (long) cols, dict);
        for (i = 0; i < n; i++) {
            if (f32)
                ref_from_float(r, (float) vals[i]);
            else
                ref_from_double(r, vals[i]);
            if (!fmpq_equal(fmpq_mat_entry(A, i / cols, i % cols), r)
                || !rounds_back(r, vals[i])) {
                fprintf(stderr, "value %a (float32 %d), index %ld\n", vals[i], f32, (long) i);
                RJ_CHECK(0, seed, "inexact .npy conversion");
            }
        }
        /* round trip through rj_npy_save_d (2-d float64) */
        {
            char p2[512];
            rj_test_tmp_path(p2, sizeof(p2), "rt.npy");
            ck_assert_int_eq(rj_npy_save_d(p2, vals, rows, cols, err), RJ_OK);
            {
                fmpq_mat_t B;
                fmpq_mat_init(B, 0, 0);
                ck_assert_int_eq(rj_npy_load(B, p2, err), RJ_OK);
                RJ_CHECK(fmpq_mat_equal(A, B), seed, "save/load round trip differs");
                fmpq_mat_clear(B);
            }
        }
        free(bytes);
        free(vals);
    }
    flint_randclear(st);

    /* random doubles: library conversion vs frexp reference */
    rj_test_randinit(st, seed + 4);
    for (it = 0; it < rj_test_iters(20000); it++) {
        uint64_t u = rand_bits64(st);
        double d;
        memcpy(&d, &u, 8);
        rj_fmpq_set_d_exact(q, d);
        ref_from_double(r, d);
        if (!fmpq_equal(q, r) || !rounds_back(q, d)) {
            fprintf(stderr, "double %a (bits %016llx)\n", d, (unsigned long long) u);
            RJ_CHECK(0, seed, "rj_fmpq_set_d_exact inexact");
        }
    }
    flint_randclear(st);
    fmpq_mat_clear(A);
    fmpq_clear(q);
    fmpq_clear(r);
    fmpz_clear(z);
}
END_TEST

typedef struct {
    const char *dict;
    int version;
    int item;        /* bytes per value written */
    int n;           /* values written */
    int bad_index;   /* -1, or the index that gets a NaN/Inf pattern */
    int inf;         /* 1: Inf instead of NaN */
    long cut;        /* truncate the file to this many bytes (-1: no) */
    int status;
    const char *msg;
} npy_bad;

START_TEST(test_npy_reject)
{
    static const npy_bad cases[] = {
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 1, 8, 6, 4, 0, -1,
          RJ_ERR_INPUT, "NaN at flat index 4 (row 1, column 1" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", 1, 8, 5, 0, 1, -1,
          RJ_ERR_INPUT, "Inf at flat index 0" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 1, 4, 4, 3, 0, -1,
          RJ_ERR_INPUT, "NaN at flat index 3" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 2, 4, 4, 2, 1, -1,
          RJ_ERR_INPUT, "Inf at flat index 2" },
        { "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", 1, 8, 4, -1, 0, -1,
          RJ_ERR_INPUT, "Fortran-order" },
        { "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 2), }", 1, 8, 4, -1, 0, -1,
          RJ_ERR_INPUT, "unsupported dtype '<c16'" },
        { "{'descr': '<f16', 'fortran_order': False, 'shape': (2,), }", 1, 2, 2, -1, 0, -1,
          RJ_ERR_INPUT, "unsupported dtype '<f16'" },
        { "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", 1, 8, 4, -1, 0, -1,
          RJ_ERR_INPUT, "big-endian" },
        { "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", 1, 8, 2, -1,
          0, -1, RJ_ERR_INPUT, "structured" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2, 2), }", 1, 8, 8, -1,
          0, -1, RJ_ERR_INPUT, "truncated data" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
          "1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }", 1, 8, 1,
          -1, 0, -1, RJ_ERR_INPUT, "33 dimensions" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 2), }", 1, 8, 0, -1, 0, -1,
          RJ_ERR_INPUT, "empty" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }", 1, 8, 8, -1, 0, -1,
          RJ_ERR_INPUT, "truncated data" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 1, 8, 3, -1, 0, -1,
          RJ_ERR_INPUT, "unexpected bytes after" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 1, 8, 2, -1, 0, 40,
          RJ_ERR_INPUT, "truncated .npy header" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 1, 8, 2, -1, 0, 9,
          RJ_ERR_INPUT, "truncated .npy header" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 1, 8, 2, -1, 0, 3,
          RJ_ERR_INPUT, "not a .npy file" },
        { "{'descr': '<f8', 'shape': (2,), }", 1, 8, 2, -1, 0, -1, RJ_ERR_INPUT,
          "needs 'descr', 'fortran_order' and 'shape'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", 1, 8, 2, -1, 0,
          -1, RJ_ERR_INPUT, "unknown key 'x'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 1), }", 1, 8, 0, -1, 0,
          -1, RJ_ERR_LIMIT, "exceeds the limits" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,) ", 1, 8, 2, -1, 0, -1,
          RJ_ERR_INPUT, "malformed .npy header" },
    };
    size_t i;
    char path[512];
    fmpq_mat_t A;
    rj_error_t err;
    rj_test_tmp_path(path, sizeof(path), "bad.npy");
    fmpq_mat_init(A, 1, 1);
    fmpq_set_si(fmpq_mat_entry(A, 0, 0), 42, 1);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const npy_bad *c = cases + i;
        unsigned char data[128];
        int k;
        char buf[1024];
        memset(data, 0, sizeof(data));
        for (k = 0; k < c->n; k++) {
            if (c->item == 8)
                le_bytes64(data + 8 * k, UINT64_C(0x3ff0000000000000) + k);
            else if (c->item == 4)
                le_bytes32(data + 4 * k, 0x3f800000u + k);
        }
        if (c->bad_index >= 0) {
            if (c->item == 8)
                le_bytes64(data + 8 * c->bad_index, c->inf ? UINT64_C(0xfff0000000000000)
                                                           : UINT64_C(0x7ff8000000000001));
            else
                le_bytes32(data + 4 * c->bad_index, c->inf ? 0x7f800000u : 0x7fc00000u);
        }
        write_npy(path, c->version, c->dict, data, (size_t) c->item * c->n, c->cut);
        rj_error_init(err);
        ck_assert_msg(rj_npy_load(A, path, err) == c->status, "case %zu: status %d (%s)", i,
                      err->status, err->msg);
        ck_assert_msg(strstr(err->msg, c->msg) != NULL, "case %zu: '%s' lacks '%s'", i,
                      err->msg, c->msg);
        rj_error_format(buf, sizeof(buf), err);
        ck_assert_msg(strstr(buf, path) != NULL, "case %zu: '%s' does not name the file", i,
                      buf);
        /* out unchanged on failure */
        ck_assert(fmpq_mat_nrows(A) == 1 && fmpq_mat_ncols(A) == 1
                  && fmpq_equal_si(fmpq_mat_entry(A, 0, 0), 42));
    }
    ck_assert_int_eq(rj_npy_load(A, "/nonexistent/dir/x.npy", err), RJ_ERR_IO);
    ck_assert(strstr(err->file, "/nonexistent/dir/x.npy") != NULL);
    fmpq_mat_clear(A);
}
END_TEST

/* ---------------------------------------------------------------- valid nets */

/* The model checks a point against a network once, with one message that
   every layer gives (the exact layer wrote its own, the fast bound "the point
   is 2x1, the network takes 3x1"): on random valid networks, the messages of
   rj_net_check_point, the exact layer and the fast layer's bound are the
   text written here, for a wrong width, a row vector and a too wide point. */
/* Layer shapes: the output extents are checked against PyTorch's formula
   written out here independently (floor((n + 2p - d(k-1) - 1)/s) + 1), for a
   grid of kernels, strides, paddings and dilations; a branch that does not
   return to the input shape is refused with a message naming block, layer
   and both shapes. */
static slong
torch_extent(slong n, slong k, slong s, slong p, slong d)
{
    double v = floor((double) (n + 2 * p - d * (k - 1) - 1) / (double) s) + 1;
    return (slong) v;
}

START_TEST(test_layer_shapes)
{
    rj_error_t err;
    slong k, st, p, d, n = 11;
    rj_shape in = { 3, n, n + 2 }, out;
    for (k = 1; k <= 3; k++)
        for (st = 1; st <= 3; st++)
            for (p = 0; p <= 1; p++)
                for (d = 1; d <= 2; d++) {
                    rj_seq_t s;
                    rj_layer_struct L;
                    int r;
                    rj_seq_init(s);
                    rj_layer_init(&L, RJ_LAYER_CONV2D);
                    fmpq_mat_clear(L.W);
                    fmpq_mat_init(L.W, 4, 3 * k * k);
                    L.kh = L.kw = k;
                    L.sh = L.sw = st;
                    L.ph = L.pw = p;
                    L.dh = L.dw = d;
                    rj_seq_push(s, &L);
                    rj_layer_clear(&L);
                    rj_error_init(err);
                    r = rj_seq_validate(s, in, &out, "block 1", "branch", err);
                    ck_assert_int_eq(r, RJ_OK);
                    ck_assert_int_eq(out.c, 4);
                    ck_assert_int_eq(out.h, torch_extent(n, k, st, p, d));
                    ck_assert_int_eq(out.w, torch_extent(n + 2, k, st, p, d));
                    /* pools: stride 0 means the kernel */
                    rj_seq_clear(s);
                    if (2 * p <= k) {
                        rj_layer_init(&L, RJ_LAYER_MAXPOOL);
                        L.kh = L.kw = k;
                        L.ph = L.pw = p;
                        L.dh = L.dw = d;
                        rj_seq_push(s, &L);
                        rj_layer_clear(&L);
                        r = rj_seq_validate(s, in, &out, "block 1", "branch", err);
                        ck_assert_int_eq(r, RJ_OK);
                        ck_assert_int_eq(out.c, 3);
                        ck_assert_int_eq(out.h, torch_extent(n, k, k, p, d));
                    }
                    rj_seq_clear(s);
                }

    /* a stride-2 conv branch with an identity skip: refused, named */
    {
        rj_block_t b;
        rj_layer_struct L;
        rj_shape in2 = { 2, 4, 4 };
        rj_block_init_general(b, in2);
        rj_layer_init(&L, RJ_LAYER_CONV2D);
        fmpq_mat_clear(L.W);
        fmpq_mat_init(L.W, 2, 2 * 9);
        L.kh = L.kw = 3;
        L.sh = L.sw = 2;
        L.ph = L.pw = 1;
        rj_seq_push(b->branch, &L);
        rj_layer_clear(&L);
        rj_error_init(err);
        ck_assert_int_eq(rj_block_validate(b, "B", err), RJ_ERR_INPUT);
        ck_assert_msg(strstr(err->msg, "block 'B'") != NULL
                      && strstr(err->msg, "2 x 4 x 4") != NULL
                      && strstr(err->msg, "2 x 2 x 2") != NULL, "%s", err->msg);
        /* the projection of the lesson's pitfall: a stride-2 1x1 conv */
        b->skip = RJ_SKIP_PROJECT;
        rj_layer_init(&L, RJ_LAYER_CONV2D);
        fmpq_mat_clear(L.W);
        fmpq_mat_init(L.W, 2, 2);
        L.kh = L.kw = 1;
        L.sh = L.sw = 2;
        rj_seq_push(b->proj, &L);
        rj_layer_clear(&L);
        ck_assert_int_eq(rj_block_validate(b, "B", err), RJ_OK);
        ck_assert_int_eq(b->n_in, 32);
        ck_assert_int_eq(b->n_out, 8);
        /* a wrong kernel: the layer is named */
        fmpq_mat_clear(b->branch->layers[0].W);
        fmpq_mat_init(b->branch->layers[0].W, 2, 17);
        ck_assert_int_eq(rj_block_validate(b, "B", err), RJ_ERR_INPUT);
        ck_assert_msg(strstr(err->msg, "branch layer 1 (conv2d") != NULL, "%s", err->msg);
        rj_block_clear(b);
    }
}
END_TEST

/* softplus(beta) and elu(alpha) need a positive parameter: refused when the
   block is built, naming the layer. */
START_TEST(test_act_param_positive)
{
    rj_block_t b;
    rj_layer_struct L;
    rj_error_t err;
    rj_shape in = { 3, 1, 1 };
    int k;
    for (k = 0; k < 2; k++) {
        rj_block_init_general(b, in);
        rj_layer_init(&L, RJ_LAYER_ACT);
        rj_act_set_kind(L.act, k == 0 ? RJ_ACT_SOFTPLUS : RJ_ACT_ELU);
        rj_seq_push(b->branch, &L);
        rj_error_init(err);
        ck_assert_int_eq(rj_block_validate(b, "A", err), RJ_OK);
        fmpq_set_si(b->branch->layers[0].act->param, k == 0 ? 0 : -1, 1);
        ck_assert_int_eq(rj_block_validate(b, "A", err), RJ_ERR_INPUT);
        ck_assert_msg(strstr(err->msg, "branch layer 1") != NULL
                      && strstr(err->msg, "must be positive") != NULL, "%s", err->msg);
        rj_layer_clear(&L);
        rj_block_clear(b);
    }
}
END_TEST

/* BatchNorm is rational exactly when every var + eps is a rational square. */
START_TEST(test_batchnorm_rational)
{
    rj_layer_struct L;
    char why[128];
    slong c;
    rj_layer_init(&L, RJ_LAYER_BATCHNORM);
    fmpq_mat_clear(L.var);
    fmpq_mat_init(L.var, 3, 1);
    fmpq_zero(L.eps);
    for (c = 0; c < 3; c++)
        fmpq_set_si(fmpq_mat_entry(L.var, c, 0), (c + 1) * (c + 1), 4);
    ck_assert(rj_layer_is_rational(&L, why, sizeof(why)));
    fmpq_set_si(fmpq_mat_entry(L.var, 2, 0), 2, 1);
    ck_assert(!rj_layer_is_rational(&L, why, sizeof(why)));
    ck_assert_msg(strstr(why, "channel 3") != NULL, "%s", why);
    rj_layer_clear(&L);
}
END_TEST

START_TEST(test_point_check_one_message)
{
    flint_rand_t st;
    slong it;
    rj_test_randinit(st, seed + 11);
    for (it = 0; it < rj_test_iters(40); it++) {
        rj_net_t net;
        rj_fast_net_t f;
        rj_fast_bound_t fb;
        rj_exact_parts_t p;
        rj_imat_t J;
        rj_error_t err, e2;
        fmpq_mat_t x, y;
        char want[200];
        slong L = 1 + n_randint(st, 4), l, n_in, rows, cols, k;
        int want_st;

        rj_net_init(net);
        rj_fast_net_init(f);
        rj_fast_bound_init(fb);
        rj_exact_parts_init(p);
        rj_imat_init(J, 0, 0, 64);
        rj_error_init(err);
        rj_error_init(e2);
        rj_test_randnet_pl(net, st, L, 3, 4, 1, 0);
        for (l = 0; l < L; l++)
            ck_assert_int_eq(rj_block_validate(net->blocks + l, net->names[l], err), RJ_OK);
        ck_assert_int_eq(rj_net_validate(net, err), RJ_OK);
        ck_assert_int_eq(rj_fast_net_set_net(f, net, RJ_FAST_F64, err), RJ_OK);
        n_in = rj_net_width_in(net);
        for (k = 0; k < 4; k++) {
            if (k == 0) {           /* the right width: accepted */
                rows = n_in;
                cols = 1;
                want_st = RJ_OK;
                want[0] = '\0';
            } else if (k == 1) {    /* another width */
                rows = n_in + 1 + n_randint(st, 3);
                cols = 1;
                want_st = RJ_ERR_INPUT;
                snprintf(want, sizeof(want), "block 1 ('b1') takes width %ld but the point "
                         "has width %ld", (long) n_in, (long) rows);
            } else if (k == 2) {    /* not a column */
                rows = 1;
                cols = n_in + 1;
                want_st = RJ_ERR_INPUT;
                snprintf(want, sizeof(want), "the point must be a column vector, got 1x%ld",
                         (long) cols);
            } else {                /* wider than any network */
                rows = RJ_MAX_WIDTH + 1;
                cols = 1;
                want_st = RJ_ERR_LIMIT;
                snprintf(want, sizeof(want), "the point has width %d; the limit is "
                         "RJ_MAX_WIDTH = %d", RJ_MAX_WIDTH + 1, RJ_MAX_WIDTH);
            }
            fmpq_mat_init(x, rows, cols);
            fmpq_mat_init(y, 0, 0);
            rj_error_init(err);
            RJ_CHECK(rj_net_check_point(net, rows, cols, err) == want_st
                     && strcmp(err->msg, want) == 0, seed, "model: '%s', wanted '%s'",
                     err->msg, want);
            if (want_st != RJ_OK) {
                RJ_CHECK(rj_exact_forward(y, net, x, e2) == want_st
                         && strcmp(e2->msg, want) == 0, seed, "exact forward: '%s'",
                         e2->msg);
                rj_error_init(e2);
                RJ_CHECK(rj_exact_parts(p, NULL, net, x, (rj_tie_policy) {RJ_TIE_RIGHT, 0},
                                        e2) == want_st
                         && strcmp(e2->msg, want) == 0, seed, "exact parts: '%s'", e2->msg);
                rj_error_init(e2);
                RJ_CHECK(rj_fast_jacobian_bound(fb, f, x, e2) == want_st
                         && strcmp(e2->msg, want) == 0, seed, "fast bound: '%s'", e2->msg);
                rj_error_init(e2);
                RJ_CHECK(rj_precise_forward_fmpq(J, net, x, 64, e2) == want_st
                         && strcmp(e2->msg, want) == 0, seed, "precise: '%s'", e2->msg);
            }
            fmpq_mat_clear(x);
            fmpq_mat_clear(y);
        }
        rj_fast_bound_clear(fb);
        rj_fast_net_clear(f);
        rj_exact_parts_clear(p);
        rj_imat_clear(J);
        rj_net_clear(net);
    }
    /* a network of no blocks takes any width */
    {
        rj_net_t net;
        rj_error_t err;
        rj_net_init(net);
        rj_error_init(err);
        ck_assert_int_eq(rj_net_check_point(net, 7, 1, err), RJ_OK);
        ck_assert_int_eq(rj_net_check_point(net, 7, 2, err), RJ_ERR_INPUT);
        rj_net_clear(net);
    }
    flint_randclear(st);
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *
model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_blocks_nets);
    tcase_add_test(tc, test_block_validate_api);
    tcase_add_test(tc, test_block_label);
    tcase_add_test(tc, test_npy_exact);
    tcase_add_test(tc, test_npy_reject);
    tcase_add_test(tc, test_layer_shapes);
    tcase_add_test(tc, test_batchnorm_rational);
    tcase_add_test(tc, test_act_param_positive);
    tcase_add_test(tc, test_point_check_one_message);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    int rc;
    seed = rj_test_seed(20240517);
    rj_test_tmp_setup("model");
    rc = rj_test_run(model_suite());
    rj_test_tmp_remove();
    return rc;
}
