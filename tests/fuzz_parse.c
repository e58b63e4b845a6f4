/* Fuzz target for the resjac language front end: parse, evaluate the
 * definitions and decide every claim of an arbitrary input, under lowered
 * limits so that each input takes little time.  Nothing may crash, leak or
 * read out of bounds; every failure must be a status with a message.
 *
 * libFuzzer build (tools/fuzz.sh does this and runs it for a bounded time on a
 * corpus of the proof files and tests/claims), from the top of the source tree:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -I. \
 *       $(pkg-config --cflags mpfr openblas) \
 *       -o fuzz_parse tests/fuzz_parse.c $(find src -name '*.c') \
 *       $(pkg-config --libs mpfr openblas) -lflint -lgmp -lm
 *   mkdir corpus && find proofs tests/claims -name '*.rj' -exec cp {} corpus \;
 *   ./fuzz_parse -max_total_time=60 -max_len=4096 -timeout=10 corpus
 *
 * Built with -DRJ_FUZZ_STANDALONE (tests/fuzz_parse_run, part of make check) it
 * has its own main: the entry point runs once on every file named on the
 * command line, or else on every .rj and .md file in $srcdir/tests/claims and
 * $srcdir/proofs and on a few built-in inputs.  Every input is also read as a
 * Markdown lesson (its resjac blocks found and parsed, a report written). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resjac.h"

#define FUZZ_MAX_LEN (1 << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    rj_prog_t prog;
    rj_error_t err;
    rj_claims_opts opts;

    if (size > FUZZ_MAX_LEN)
        return 0;
    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    rj_claims_opts_default(&opts);
    opts.max_ties = 6;
    opts.max_range = 200;
    opts.max_samples = 10;
    opts.max_terms = 200;
    opts.max_prec = 512;
    opts.max_bits = 20000;

    rj_prog_init(prog);
    rj_error_init(err);
    if (rj_parse_string(prog, text, "fuzz.rj", err) == RJ_OK) {
        rj_claim_results_t res;
        rj_env_t env;
        slong i;
        /* the language's evaluation of the definitions, with the claim functions */
        rj_claims_env_init(env, &opts);
        rj_error_init(err);
        (void) rj_eval_defs(env, prog, err);
        rj_claims_env_clear(env);
        /* the checker */
        rj_claim_results_init(res);
        rj_error_init(err);
        (void) rj_claims_check_prog(res, prog, "/nonexistent-resjac-fuzz", &opts, err);
        for (i = 0; i < res->len; i++)
            if (res->items[i].evidence == NULL || res->items[i].name == NULL)
                abort();
        rj_claim_results_clear(res);
    } else if (err->status == RJ_OK || err->msg[0] == '\0')
        abort();           /* a failed parse must say why */
    rj_prog_clear(prog);
    /* the same input as a Markdown lesson: its blocks found, parsed, and the
       report written (with no results) */
    {
        rj_lesson_t lesson;
        rj_claim_results_t none;
        char *rep;
        rj_lesson_init(lesson);
        rj_claim_results_init(none);
        rj_error_init(err);
        if (rj_lesson_set_str(lesson, text, "fuzz.md", err) == RJ_OK) {
            rep = rj_lesson_report(lesson, none);
            flint_free(rep);
            if (rj_lesson_parse(prog, lesson, err) != RJ_OK
                && (err->status == RJ_OK || err->msg[0] == '\0'))
                abort();
            rj_prog_clear(prog);
        } else if (err->status == RJ_OK || err->msg[0] == '\0')
            abort();
        rj_lesson_clear(lesson);
    }
    free(text);
    return 0;
}

#ifdef RJ_FUZZ_STANDALONE
#include <dirent.h>

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL) {
        fprintf(stderr, "fuzz_parse_run: cannot open %s\n", path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > FUZZ_MAX_LEN) {
        fclose(f);
        return 0;
    }
    buf = malloc(n + 1);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        fclose(f);
        free(buf);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput((const uint8_t *) buf, (size_t) n);
    free(buf);
    return 0;
}

static int
run_dir(const char *dir, long *count)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int bad = 0;
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if ((len > 3 && strcmp(de->d_name + len - 3, ".rj") == 0)
            || rj_claims_is_markdown(de->d_name)) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            bad |= run_file(path);
            (*count)++;
        }
    }
    closedir(d);
    return bad;
}

int
main(int argc, char **argv)
{
    static const char *inputs[] = {
        "",
        "\n\n#\n",
        "let",
        "claim",
        "claim c \"r\" expect PROVED:",
        "claim c \"r\" expect PROVED: 1 == 1 and\n",
        "claim c \"r\" expect MAYBE: 1 == 1\n",
        "let a = [[1, 2], [3]]\n",
        "let a = ((((((((((1))))))))))\nclaim c \"r\" expect PROVED: a == 1\n",
        "claim c \"r\" expect PROVED: forall k in 1..5: forall j in k..5: paths(j, k) >= 0\n",
        "claim c \"r\" expect PROVED: forall J in random(rows = 2, norm = 2, bound = 1): J == J\n",
        "let T = block(W1 = [[1]], W2 = [[1]])\nclaim c \"r\" expect UNDECIDED: "
        "jacobian(T, [0]) == [[2]]\n",
        "let T = block(W1 = identity(9), W2 = identity(9))\nclaim c \"r\" expect PROVED: "
        "jacobian(T, zeros(9, 1)) == jacobian(T, zeros(9, 1))\n",
        "claim c \"r\" expect PROVED: paths(100000000) == 0\n",
        "claim c \"r\" expect PROVED: binomial(100000000, 50000000) == 0\n",
        "claim c \"r\" expect PROVED: sum(k in 1..100000: k) == 0\n",
        "claim c \"r\" expect PROVED: log2(0) == 1\n",
        "claim c \"r\" expect PROVED: charpoly(zeros(0, 0)) == 1\n",
        "claim c \"r\" expect PROVED: t(t) == t\n",
        "let p = t^2\nclaim c \"r\" expect PROVED: p([[1, 2], [3, 4]]) == p(p)\n",
        "claim c \"r\" expect PROVED: sqrt(2) ~= 1 within 1/0\n",
        "claim c \"r\" expect PROVED: norm2(zeros(3, 3)) == sigma_min([[0]])\n",
        "claim c: 1 == 1\nclaim d \"r\" note \"n\": 1 == 2\n",
        "```resjac\nlet a = (1 +\n```\n~~~resjac\n  2)\n~~~\n```resjac\n",
        "````resjac\n```\n````\n```python\n```resjac\n```\n   ~~~resjac\n~~~\n",
        NULL
    };
    long count = 0, i;
    int bad = 0;
    if (argc > 1) {
        for (i = 1; i < argc; i++)
            bad |= run_file(argv[i]);
        count = argc - 1;
    } else {
        const char *src = getenv("srcdir");
        char dir[4096];
        if (src == NULL || src[0] == '\0')
            src = ".";
        snprintf(dir, sizeof(dir), "%s/tests/claims", src);
        bad |= run_dir(dir, &count);
        snprintf(dir, sizeof(dir), "%s/proofs", src);
        bad |= run_dir(dir, &count);
        for (i = 0; inputs[i] != NULL; i++, count++)
            LLVMFuzzerTestOneInput((const uint8_t *) inputs[i], strlen(inputs[i]));
    }
    printf("fuzz_parse_run: %ld inputs, no crash\n", count);
    flint_cleanup();
    return bad;
}
#endif
