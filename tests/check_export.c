/* resjac tests (issue 12b): `include "file.rj"`, the name = "..." option and
 * the parameter names of a network, and the gradient files written for
 * PyTorch users (safetensors, npz) read back by decoders written here. */
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
    suite_add_tcase(s, tc);
    rc = rj_test_run(s);
    rj_test_tmp_remove();
    return rc;
}
