/* resjac grad: the fast core on a model file or a random network: float
 * gradients, per-layer norms, weight-gradient norms, and per path length. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cblas.h>

#include "cli.h"
#include "cmd.h"

#define CLI_MAX_SERIES 8
#define CLI_MAX_BATCH 65536

static const char *grad_help =
    "usage: resjac grad MODEL [options]\n"
    "       resjac grad --random DEPTH,WIDTH[,KIND][,key=value...] [options]\n"
    "\n"
    "Float gradients of a residual network (OpenBLAS): the input gradient of\n"
    "f = dy . y at the model's point(s), the gradient norm at every layer h_l,\n"
    "the norm of every block's weight gradient, and with --graded the gradient\n"
    "split exactly by path length k (number of residual branches taken):\n"
    "its norm, the number of paths C(L, k) and the mean norm per path.\n"
    "\n"
    "options:\n"
    "  --net NAME         network in MODEL (default net)\n"
    "  --at NAME          point in MODEL (default x): a column vector, or a\n"
    "                     matrix with one point per column (a batch)\n"
    "  --random SPEC      a random network instead of MODEL; may be given up to 8\n"
    "                     times to compare networks (one series each).  SPEC is\n"
    "                     DEPTH,WIDTH[,KIND][,key=value...], KIND one of\n"
    "                       pre (default)  y = x + W2 act(W1 sigma(x))\n"
    "                       post           y = sigma(x + W2 act(W1 x))\n"
    "                       plain          y = sigma(W2 act(W1 x))   (no skip)\n"
    "                       none           y = x + W2 act(W1 x)\n"
    "                       linear         y = x + W1 x\n"
    "                       scaled         y = alpha x + W2 act(W1 sigma(x))\n"
    "                     keys: act=, outer= (identity, relu, leaky_relu, tanh,\n"
    "                     sigmoid), slope=, hidden=, scale= (last branch layer;\n"
    "                     0: identity init, small: near-identity), alpha=, bias=0|1\n"
    "                     Weights: W1 ~ N(0, 2/fan_in) (He); the last branch layer\n"
    "                     W2 ~ N(0, 2 scale^2 / (hidden depth)) -- every residual\n"
    "                     branch is scaled by 1/sqrt(depth), so the sum over the\n"
    "                     blocks stays O(1); linear: W1 ~ N(0, scale^2/(width\n"
    "                     depth)); plain (no skip): no 1/depth; biases N(0, 0.01^2)\n"
    "  --seed N           seed of random networks and inputs (default 1)\n"
    "  --batch B          random inputs per random network (default 1, <= 65536)\n"
    "  --dy ones|random   the cotangent dy (default ones)\n"
    "  --dtype f32|f64    float type (default f64)\n"
    "  --graded           also the path-length-resolved gradient\n"
    "  --threads N        threads of OpenBLAS and of resjac's own graded pass\n"
    "                     (default: OPENBLAS_NUM_THREADS for OpenBLAS, one per\n"
    "                     online processor for resjac; 1..64; OpenBLAS gets at\n"
    "                     most the online processors)\n"
    "  --save FILE        also write the input gradient (\"input\") and every\n"
    "                     parameter gradient, under PyTorch's names (name = \"...\"\n"
    "                     in MODEL) and shapes, to FILE.safetensors or FILE.npz\n"
    "                     (MODEL only; written to a temporary file, then renamed)\n"
    "  --json             JSON output (with the input gradient, one vector per point)\n"
    "  --csv              CSV output (one row per layer or path length)\n"
    "  --plot FILE.svg    write FILE.csv and, when gnuplot is installed, the\n"
    "                     picture FILE.svg (norm per layer, or per path length\n"
    "                     with --graded)\n"
    "\n"
    "Exit status: 0 success, 2 bad input, usage or a limit (depth <= 1000000,\n"
    "width <= 65536, workspace within the memory budget, checked before any work).\n";

static int
have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char buf[4096];
    const char *p = path;
    if (path == NULL)
        return 0;
    while (*p) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t) (e - p) : strlen(p);
        if (n > 0 && n < sizeof(buf) - 10) {
            memcpy(buf, p, n);
            strcpy(buf + n, "/gnuplot");
            if (access(buf, X_OK) == 0)
                return 1;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static void
setd(void *p, slong i, double v, rj_fast_dtype t)
{
    if (t == RJ_FAST_F32)
        ((float *) p)[i] = (float) v;
    else
        ((double *) p)[i] = v;
}

/* ------------------------------------------------------------ grad */

typedef struct {
    char label[160];
    slong L, B, n_in;
    double *hnorm;      /* L + 1 */
    double *wnorm;      /* L */
    double *knorm;      /* L + 1 (graded) */
    double *kmean;      /* L + 1 */
    double *klog10c;    /* L + 1 */
    double gnorm;       /* ||dX|| */
    double *dx;         /* B x n_in, the input gradient (one point per row) */
} grad_series;

static void
series_clear(grad_series *s)
{
    free(s->hnorm);
    free(s->wnorm);
    free(s->knorm);
    free(s->kmean);
    free(s->klog10c);
    free(s->dx);
}

/* Run the passes on one network; X is B x n_in (double).  s->dx gets the
   input gradient; when keep is not NULL, the input and parameter gradients
   are also left, in f's dtype, in the caller's buffers keep[0] (B x n_in)
   and keep[1] (f->nparams). */
static int
grad_run(grad_series *s, const rj_fast_net_t f, const double *X, slong B, int dy_random,
         ulong seed, int graded, void *const *keep, rj_error_t err)
{
    rj_fast_work_t w;
    slong L = f->len, n_in = f->n_in, n_out = f->n_out, i;
    size_t es = rj_fast_dtype_size(f->dtype);
    void *x = NULL, *dy = NULL, *dx = NULL, *dp = NULL, *G = NULL;
    double *tmp = NULL;
    int st;
    rj_fast_work_init(w);
    s->L = L;
    s->B = B;
    s->n_in = n_in;
    /* limits, work and memory before work.  The graded pass is quadratic in
       the depth by nature (every block updates the grades of every path
       length): about (L + 1) / 2 grades meet each block, each a backward
       pass of B rows through it, ~ one multiply-add per parameter and row;
       their total is held to the work limit (RJ_MAX_WORK), a few seconds */
    if (graded && (double) (L + 1) / 2 * (double) B * (double) f->nparams > RJ_MAX_WORK)
        return rj_error_set(err, RJ_ERR_LIMIT, "--graded: about %.3g multiply-adds for a "
                            "depth-%ld network of %ld parameters, batch %ld (the graded pass is "
                            "quadratic in the depth), over the work limit %.3g (RJ_MAX_WORK)",
                            (double) (L + 1) / 2 * (double) B * (double) f->nparams, (long) L,
                            (long) f->nparams, (long) B, RJ_MAX_WORK);
    st = rj_fast_work_reserve(w, f, B, 1, graded ? RJ_FAST_GRADED : 0, err);
    if (st != RJ_OK)
        return st;
    if (graded && (double) (L + 1) * B * n_in * es > (double) RJ_MAX_BYTES) {
        rj_fast_work_clear(w);
        return rj_error_set(err, RJ_ERR_LIMIT, "graded output exceeds %zu bytes (RJ_MAX_BYTES)",
                            (size_t) RJ_MAX_BYTES);
    }
    x = malloc(B * n_in * es);
    dy = malloc(B * n_out * es);
    dx = keep != NULL ? keep[0] : malloc(B * n_in * es);
    dp = keep != NULL ? keep[1] : malloc((f->nparams > 0 ? f->nparams : 1) * es);
    tmp = malloc(B * n_out * sizeof(double));
    s->hnorm = calloc(L + 1, sizeof(double));
    s->wnorm = calloc(L + 1, sizeof(double));
    s->dx = malloc(B * n_in * sizeof(double));
    if (graded) {
        G = malloc((L + 1) * B * n_in * es);
        s->knorm = calloc(L + 1, sizeof(double));
        s->kmean = calloc(L + 1, sizeof(double));
        s->klog10c = calloc(L + 1, sizeof(double));
    }
    if (x == NULL || dy == NULL || dx == NULL || dp == NULL || tmp == NULL
        || s->hnorm == NULL || s->wnorm == NULL || s->dx == NULL
        || (graded && (G == NULL || s->knorm == NULL || s->kmean == NULL
                       || s->klog10c == NULL))) {
        st = rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
        goto done;
    }
    for (i = 0; i < B * n_in; i++)
        setd(x, i, X[i], f->dtype);
    if (dy_random)
        rj_fast_randn(tmp, B * n_out, seed + 1000003);
    for (i = 0; i < B * n_out; i++)
        setd(dy, i, dy_random ? tmp[i] : 1.0, f->dtype);
    if ((st = rj_fast_forward(NULL, w, f, x, B, err)) != RJ_OK)
        goto done;
    if ((st = rj_fast_backward(dx, dp, s->hnorm, s->wnorm, w, f, dy, err)) != RJ_OK)
        goto done;
    s->gnorm = s->hnorm[0];
    for (i = 0; i < B * n_in; i++)
        s->dx[i] = f->dtype == RJ_FAST_F32 ? (double) ((const float *) dx)[i]
                                          : ((const double *) dx)[i];
    if (graded) {
        if ((st = rj_fast_graded_compact(G, s->knorm, w, f, dy, 1, err)) != RJ_OK)
            goto done;
        rj_fast_graded_summary(s->kmean, s->klog10c, s->knorm, L);
    }
    for (i = 0; i <= L; i++)
        if (!isfinite(s->hnorm[i])) {
            st = rj_error_set(err, RJ_ERR_DOMAIN,
                              "the %s gradient overflows at h_%ld (inf or nan)",
                              rj_fast_dtype_name(f->dtype), (long) i);
            goto done;
        }
    /* the parameter gradients too: an activation that overflows leaves every
       h_l gradient finite but its weights' gradient inf, which --json would
       drop and --save would write */
    for (i = 0; i < L; i++)
        if (!isfinite(s->wnorm[i])) {
            st = rj_error_set(err, RJ_ERR_DOMAIN,
                              "the %s gradient of block %ld's parameters overflows (inf or "
                              "nan)", rj_fast_dtype_name(f->dtype), (long) i + 1);
            goto done;
        }
    st = RJ_OK;
done:
    free(x);
    free(dy);
    if (keep == NULL) {
        free(dx);
        free(dp);
    }
    free(G);
    free(tmp);
    rj_fast_work_clear(w);
    return st;
}

/* A label as a CSV field: in double quotes, a quote doubled. */
static void
csv_label(FILE *out, const char *label)
{
    fputc('"', out);
    for (; *label != '\0'; label++) {
        if (*label == '"')
            fputc('"', out);
        fputc(*label, out);
    }
    fputs("\",", out);
}

/* v as JSON: a number when finite, else "inf", "-inf" or "nan" (as resjac
   xval writes an infinite bound); json_real would give NULL, and the key
   or array entry would silently go missing. */
static json_t *
json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_string(v != v ? "nan" : v > 0 ? "inf" : "-inf");
}

static void
write_csv(FILE *out, const grad_series *S, int ns, int graded)
{
    int si;
    slong l, k;
    if (!graded) {
        fprintf(out, "net,layer,grad_norm,weight_grad_norm\n");
        for (si = 0; si < ns; si++)
            for (l = 0; l <= S[si].L; l++) {
                csv_label(out, S[si].label);
                fprintf(out, "%ld,%.17g,", (long) l, S[si].hnorm[l]);
                if (l > 0)
                    fprintf(out, "%.17g\n", S[si].wnorm[l - 1]);
                else
                    fprintf(out, "\n");
            }
    } else {
        fprintf(out, "net,path_length,grad_norm,log10_paths,mean_norm_per_path\n");
        for (si = 0; si < ns; si++)
            for (k = 0; k <= S[si].L; k++) {
                csv_label(out, S[si].label);
                fprintf(out, "%ld,%.17g,%.17g,%.17g\n", (long) k, S[si].knorm[k],
                        S[si].klog10c[k], S[si].kmean[k]);
            }
    }
}

/* ------------------------------------------------------------ --plot files
 *
 * --plot FILE.svg writes FILE.csv and FILE.svg.  No name given by the user
 * (the plot's, the model's) is ever written into the gnuplot script: both
 * files are made under fixed names, data.csv and plot.svg, in a private
 * directory that mkdtemp creates next to FILE.svg (same file system), with
 * gnuplot started there (fork, chdir, exec: no shell); the titles in the
 * script are the labels with every character outside [A-Za-z0-9 ,.=_+-]
 * replaced.  When both are complete they are renamed into place, the SVG
 * first; when there is no SVG (gnuplot missing or failing) an old FILE.svg is
 * removed, so a new CSV never stands beside a stale picture.  The directory
 * and whatever is in it are removed on every exit: at exit, and on SIGINT,
 * SIGTERM and SIGHUP (then the signal is raised again, for its usual exit
 * status), killing a running gnuplot first. */

static char plot_dir[4096 + 32];        /* "" when there is none */
static char plot_dir_csv[4096 + 64], plot_dir_svg[4096 + 64];
static volatile pid_t plot_child;

/* Async-signal-safe: unlink, rmdir, kill only. */
static void
plot_dir_remove(void)
{
    if (plot_child > 0)
        kill(plot_child, SIGKILL);
    if (plot_dir[0] == '\0')
        return;
    unlink(plot_dir_csv);
    unlink(plot_dir_svg);
    rmdir(plot_dir);
    plot_dir[0] = '\0';
}

static void
plot_on_signal(int sig)
{
    plot_dir_remove();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Make the private directory next to target: RJ_EXIT_OK, or a message naming
   the option and the directory and RJ_EXIT_USAGE. */
static int
plot_dir_make(const char *target, const char *csvname, const char *cmd)
{
    static int registered = 0;
    const char *slash = strrchr(target, '/');
    struct stat sb;
    int len = slash == NULL ? 1 : (slash == target ? 1 : (int) (slash - target));
    const char *dir = slash == NULL ? "." : (slash == target ? "/" : target);
    if ((stat(target, &sb) == 0 && S_ISDIR(sb.st_mode))
        || (stat(csvname, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return cli_usage_error(cmd, "--plot: cannot write %s: it is a directory",
                               stat(target, &sb) == 0 && S_ISDIR(sb.st_mode) ? target
                                                                             : csvname);
    snprintf(plot_dir, sizeof(plot_dir), "%.*s/.resjac-plot-XXXXXX", len, dir);
    if (mkdtemp(plot_dir) == NULL) {
        int e = errno;
        plot_dir[0] = '\0';
        return cli_usage_error(cmd, "--plot: cannot write %s: %s (no private directory "
                               "beside it)", csvname, strerror(e));
    }
    snprintf(plot_dir_csv, sizeof(plot_dir_csv), "%s/data.csv", plot_dir);
    snprintf(plot_dir_svg, sizeof(plot_dir_svg), "%s/plot.svg", plot_dir);
    if (!registered) {
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
        struct sigaction sa, old;
        size_t k;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = plot_on_signal;
        sigemptyset(&sa.sa_mask);
        for (k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
            if (sigaction(sigs[k], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
                sigaction(sigs[k], &sa, NULL);     /* an ignored signal stays ignored */
        atexit(plot_dir_remove);
        registered = 1;
    }
    return RJ_EXIT_OK;
}

/* A label as a gnuplot title: only characters that no gnuplot string or
   command syntax gives a meaning to. */
static void
plot_title(char *buf, size_t len, const char *label)
{
    size_t i;
    for (i = 0; i + 1 < len && label[i] != '\0'; i++) {
        char c = label[i];
        buf[i] = ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || strchr(" ,.=_+-", c) != NULL) ? c : '_';
    }
    buf[i] = '\0';
}

/* The gnuplot script: fixed file names only. */
static void
plot_script(FILE *g, const grad_series *S, int ns, int graded)
{
    int si;
    long off = 0;
    slong xmax = 0;
    fprintf(g, "set terminal svg size 900,560 dynamic noenhanced\n");
    fprintf(g, "set output 'plot.svg'\n");
    fprintf(g, "set datafile separator ','\nset key outside right\nset logscale y\n"
               "set grid\n");
    if (graded) {
        fprintf(g, "set xlabel 'path length k (residual branches taken)'\n"
                   "set ylabel 'norm'\n"
                   "set title 'gradient per path length: sum over paths and mean per path'\n");
    } else {
        fprintf(g, "set xlabel 'layer l'\nset ylabel '||dL/dh_l||'\n"
                   "set title 'gradient norm per layer'\n");
    }
    for (si = 0; si < ns; si++)
        xmax = FLINT_MAX(xmax, S[si].L);
    fprintf(g, "set xrange [0:%ld]\n", (long) xmax);
    fprintf(g, "plot ");
    for (si = 0; si < ns; si++) {
        /* data lines of this series in the CSV (line 0 is the header) */
        long a = 1 + off, b = off + S[si].L + 1;
        char t[sizeof(S[si].label)];
        plot_title(t, sizeof(t), S[si].label);
        if (graded)
            fprintf(g, "%s'data.csv' every ::%ld::%ld using 2:($3>0?$3:1/0) with linespoints "
                       "title '%s: sum', 'data.csv' every ::%ld::%ld using 2:($5>0?$5:1/0) "
                       "with lines dashtype 2 title '%s: per path'",
                    si ? ", " : "", a, b, t, a, b, t);
        else
            fprintf(g, "%s'data.csv' every ::%ld::%ld using 2:($3>0?$3:1/0) with linespoints "
                       "title '%s'", si ? ", " : "", a, b, t);
        off += S[si].L + 1;
    }
    fprintf(g, "\n");
}

/* Run gnuplot in the private directory on the script: 0 when it exits 0 and
   plot.svg is there. */
static int
plot_svg(const grad_series *S, int ns, int graded)
{
    int fds[2], status = -1, werr;
    pid_t pid;
    FILE *g;
    struct stat sb;
    void (*old_pipe)(int);
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int nul = open("/dev/null", O_WRONLY);
        close(fds[1]);
        if (dup2(fds[0], STDIN_FILENO) < 0 || chdir(plot_dir) != 0)
            _exit(127);
        if (nul >= 0)
            dup2(nul, STDOUT_FILENO);
        execlp("gnuplot", "gnuplot", (char *) NULL);
        _exit(127);
    }
    plot_child = pid;
    close(fds[0]);
    old_pipe = signal(SIGPIPE, SIG_IGN);     /* a gnuplot that dies is an error here */
    g = fdopen(fds[1], "w");
    if (g != NULL) {
        plot_script(g, S, ns, graded);
        werr = ferror(g);
        werr = (fclose(g) != 0) || werr;
    } else {
        close(fds[1]);
        werr = 1;
    }
    signal(SIGPIPE, old_pipe);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    plot_child = 0;
    return !werr && WIFEXITED(status) && WEXITSTATUS(status) == 0
           && stat(plot_dir_svg, &sb) == 0 && S_ISREG(sb.st_mode) ? 0 : -1;
}

/* Write FILE.csv and FILE.svg (see above); RJ_EXIT_OK or RJ_EXIT_USAGE with a
   message naming the file. */
static int
plot_write(const char *svgname, const char *csvname, const grad_series *S, int ns,
           int graded)
{
    FILE *fo = fopen(plot_dir_csv, "w");
    int ok, e;
    if (fo != NULL)
        write_csv(fo, S, ns, graded);
    e = errno;
    ok = fo != NULL && !ferror(fo);
    if (fo != NULL) {
        errno = 0;
        ok = (fclose(fo) == 0) && ok;
        e = errno != 0 ? errno : e;
    }
    if (!ok) {
        fprintf(stderr, "resjac grad: --plot: cannot write %s: %s\n", csvname,
                e != 0 ? strerror(e) : "write error");
        return RJ_EXIT_USAGE;
    }
    if (!have_gnuplot()) {
        if ((unlink(svgname) != 0 && errno != ENOENT) || rename(plot_dir_csv, csvname) != 0) {
            fprintf(stderr, "resjac grad: --plot: cannot write %s: %s\n", csvname,
                    strerror(errno));
            return RJ_EXIT_USAGE;
        }
        fprintf(stderr, "resjac grad: gnuplot is not installed (Debian package "
                        "gnuplot-nox): wrote %s only, no %s\n", csvname, svgname);
        return RJ_EXIT_OK;
    }
    if (plot_svg(S, ns, graded) != 0) {
        int gone = unlink(svgname) == 0 || errno == ENOENT;
        if (gone && rename(plot_dir_csv, csvname) == 0)
            fprintf(stderr, "resjac grad: gnuplot failed; no %s, the data is in %s\n",
                    svgname, csvname);
        else
            fprintf(stderr, "resjac grad: gnuplot failed, and %s: %s\n",
                    gone ? csvname : svgname, strerror(errno));
        return RJ_EXIT_USAGE;
    }
    if (rename(plot_dir_svg, svgname) != 0) {
        fprintf(stderr, "resjac grad: --plot: cannot write %s: %s\n", svgname, strerror(errno));
        return RJ_EXIT_USAGE;
    }
    if (rename(plot_dir_csv, csvname) != 0) {
        e = errno;
        unlink(svgname);            /* no new picture beside old data */
        fprintf(stderr, "resjac grad: --plot: cannot write %s: %s\n", csvname, strerror(e));
        return RJ_EXIT_USAGE;
    }
    fprintf(stderr, "resjac grad: wrote %s and %s\n", svgname, csvname);
    return RJ_EXIT_OK;
}

/* A failure on one network, named: a message that has no file gets the model
   file (MODEL: ...) or the option (--random SPEC: ...). */
static int
grad_fail(rj_error_t err, const char *model, const char *spec)
{
    if (err->file[0] == '\0' && model == NULL) {
        char msg[RJ_ERROR_MSG_LEN];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        snprintf(err->msg, sizeof(err->msg), "--random %.100s: %.380s", spec, msg);
    }
    return cli_fail_model(err, model);
}

int
rj_cmd_grad(int argc, char **argv)
{
    const char *cmd = argv[0], *model = NULL, *net_name = "net", *at_name = "x";
    const char *randoms[CLI_MAX_SERIES], *plot = NULL, *save = NULL;
    int nrand = 0, graded = 0, json = 0, csv = 0, dy_random = 0, ns = 0, si, rc = RJ_EXIT_OK;
    unsigned long seed = 1, batch = 1, threads = 0;
    unsigned seen = 0;
    rj_fast_dtype dtype = RJ_FAST_F64;
    grad_series S[CLI_MAX_SERIES];
    char csvname[4096];
    rj_error_t err;
    int i;

    memset(S, 0, sizeof(S));
    rj_error_init(err);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a)) {
            fputs(grad_help, stdout);
            return RJ_EXIT_OK;
        } else if (strcmp(a, "--graded") == 0) {
            graded = 1;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--csv") == 0) {
            csv = 1;
        } else if (strcmp(a, "--net") == 0 || strcmp(a, "--at") == 0
                   || strcmp(a, "--random") == 0 || strcmp(a, "--dtype") == 0
                   || strcmp(a, "--plot") == 0 || strcmp(a, "--dy") == 0
                   || strcmp(a, "--save") == 0) {
            if (val == NULL)
                return cli_usage_error(cmd, "option %s needs a value", a);
            i++;
            if (strcmp(a, "--random") != 0
                && !cli_once(&seen, strcmp(a, "--net") == 0 ? 1 : strcmp(a, "--at") == 0 ? 2
                                    : strcmp(a, "--dtype") == 0 ? 4
                                    : strcmp(a, "--plot") == 0 ? 8
                                    : strcmp(a, "--save") == 0 ? 256 : 16, a, cmd))
                return RJ_EXIT_USAGE;
            if (strcmp(a, "--save") == 0)
                save = val;
            else if (strcmp(a, "--net") == 0)
                net_name = val;
            else if (strcmp(a, "--at") == 0)
                at_name = val;
            else if (strcmp(a, "--plot") == 0)
                plot = val;
            else if (strcmp(a, "--dy") == 0) {
                if (strcmp(val, "ones") == 0)
                    dy_random = 0;
                else if (strcmp(val, "random") == 0)
                    dy_random = 1;
                else
                    return cli_usage_error(cmd, "--dy: expected ones or random, got '%s'",
                                           val);
            } else if (strcmp(a, "--dtype") == 0) {
                int both = 0;
                if (!cli_parse_dtype(&dtype, &both, val, 0))
                    return cli_usage_error(cmd, "--dtype: expected f32 or f64, got '%s'",
                                           val);
            } else {
                if (nrand >= CLI_MAX_SERIES)
                    return cli_usage_error(cmd, "--random: at most %d networks",
                                           CLI_MAX_SERIES);
                randoms[nrand++] = val;
            }
        } else if (strcmp(a, "--seed") == 0) {
            if (!cli_once(&seen, 32, a, cmd)
                || !cli_parse_ulong(&seed, "--seed", val, 0, (unsigned long) -1, cmd))
                return RJ_EXIT_USAGE;
            i++;
        } else if (strcmp(a, "--batch") == 0) {
            if (!cli_once(&seen, 64, a, cmd)
                || !cli_parse_ulong(&batch, "--batch", val, 1, CLI_MAX_BATCH, cmd))
                return RJ_EXIT_USAGE;
            i++;
        } else if (strcmp(a, "--threads") == 0) {
            if (!cli_once(&seen, 128, a, cmd)
                || !cli_parse_ulong(&threads, "--threads", val, 1, RJ_FAST_MAX_THREADS, cmd))
                return RJ_EXIT_USAGE;
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (model == NULL) {
            model = a;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s' (the model is '%s')", a,
                                   model);
        }
    }
    if (json && csv)
        return cli_usage_error(cmd, "--json and --csv exclude each other");
    if ((model == NULL) == (nrand == 0))
        return cli_usage_error(cmd, model == NULL ? "missing the model file (or --random)"
                                                  : "give either MODEL or --random");
    if (save != NULL) {
        /* before any work: the name and the directory */
        if (model == NULL)
            return cli_usage_error(cmd, "--save needs a MODEL (the names of its parameters); "
                                   "not --random");
        if (rj_tensors_file_kind(save) == 0)
            return cli_usage_error(cmd, "--save: expected a file name ending in .safetensors "
                                   "or .npz, got '%s'", save);
        if (rj_tensors_check_path(save, err) != RJ_OK)
            return cli_usage_error(cmd, "--save: %s: %s", save, err->msg);
    }
    if (model != NULL && (seen & 64))
        return cli_usage_error(cmd, "--batch applies to --random networks only, not to "
                               "a MODEL");
    if (seen & 128) {
        /* OpenBLAS gets no more threads than online processors: more cannot
           run at once, and OpenBLAS, which cannot report a thread it failed
           to start, retries forever when a memory ulimit leaves no room for
           their buffers (issue 15).  resjac's own graded pass takes N: it
           runs with the threads it could start. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        int blas = (int) (cpus >= 1 && threads > (unsigned long) cpus ? cpus : (long) threads);
        rj_fast_set_num_threads((int) threads);
        openblas_set_num_threads(blas);
        if (openblas_get_num_threads() > blas)
            return cli_usage_error(cmd, "--threads %lu: OpenBLAS keeps %d threads", threads,
                                   openblas_get_num_threads());
    }
    if (plot != NULL) {
        size_t n = strlen(plot);
        if (n < 5 || strcmp(plot + n - 4, ".svg") != 0)
            return cli_usage_error(cmd, "--plot: expected a file name ending in .svg, got '%s'",
                                   plot);
        if (n >= sizeof(csvname))
            return cli_usage_error(cmd, "--plot: the file name is too long");
        /* before any work: the private directory next to FILE.svg */
        snprintf(csvname, sizeof(csvname), "%.*s.csv", (int) (n - 4), plot);
        if ((rc = plot_dir_make(plot, csvname, cmd)) != RJ_EXIT_OK)
            return rc;
    }

    if (model != NULL) {
        rj_net_t net;
        fmpq_mat_t X;
        rj_fast_net_t f;
        double *xd;
        void *keep[2] = { NULL, NULL };
        rj_tensors_t t;
        slong n, B, r, c;
        int st;
        rj_net_init(net);
        fmpq_mat_init(X, 0, 0);
        rj_fast_net_init(f);
        st = rj_model_load_points(net, X, model, net_name, at_name, err);
        if (st == RJ_OK)
            st = rj_net_validate(net, err);
        if (st == RJ_OK)
            st = rj_fast_net_set_net(f, net, dtype, err);
        if (st != RJ_OK) {
            rj_fast_net_clear(f);
            fmpq_mat_clear(X);
            rj_net_clear(net);
            return grad_fail(err, model, NULL);
        }
        n = fmpq_mat_nrows(X);
        B = fmpq_mat_ncols(X);
        if (n != f->n_in || B < 1 || B > CLI_MAX_BATCH) {
            rj_fast_net_clear(f);
            fmpq_mat_clear(X);
            rj_net_clear(net);
            return cli_usage_error(cmd, "the point '%s' is %ldx%ld; the network takes %ld "
                                   "rows (one column per batch item, at most %d)", at_name,
                                   (long) n, (long) B, (long) f->n_in, CLI_MAX_BATCH);
        }
        xd = malloc(B * n * sizeof(double));
        if (xd == NULL) {
            rj_fast_net_clear(f);
            fmpq_mat_clear(X);
            rj_net_clear(net);
            rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
            return grad_fail(err, model, NULL);
        }
        for (r = 0; r < n; r++)
            for (c = 0; c < B; c++)
                xd[c * n + r] = fmpq_get_d(fmpq_mat_entry(X, r, c));
        snprintf(S[0].label, sizeof(S[0].label), "%s", model);
        rj_tensors_init(t);
        st = RJ_OK;
        if (save != NULL) {
            /* every tensor named and checked before the work, written after it */
            size_t es = rj_fast_dtype_size(f->dtype);
            keep[0] = malloc(B * n * es);
            keep[1] = malloc((f->nparams > 0 ? f->nparams : 1) * es);
            if (keep[0] == NULL || keep[1] == NULL)
                st = rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
            if (st == RJ_OK)
                st = rj_fast_grad_tensors(t, net, f, keep[0], B, keep[1], err);
            if (st == RJ_OK)
                st = rj_tensors_check(save, t, dtype == RJ_FAST_F64, err);
        }
        if (st == RJ_OK)
            st = grad_run(S, f, xd, B, dy_random, seed, graded, save != NULL ? keep : NULL,
                          err);
        free(xd);
        if (st == RJ_OK && save != NULL)
            st = rj_tensors_save(save, t, dtype == RJ_FAST_F64, err);
        rj_tensors_clear(t);
        free(keep[0]);
        free(keep[1]);
        rj_fast_net_clear(f);
        fmpq_mat_clear(X);
        rj_net_clear(net);
        if (st != RJ_OK) {
            series_clear(S);
            return grad_fail(err, model, NULL);
        }
        ns = 1;
    } else {
        rj_fast_random_t sp[CLI_MAX_SERIES];
        /* parse every spec (limits) before any work */
        for (si = 0; si < nrand; si++)
            if (rj_fast_random_parse(sp[si], randoms[si], err) != RJ_OK)
                return cli_usage_error(cmd, "--random: %s", err->msg);
        for (si = 0; si < nrand; si++) {
            rj_fast_net_t f;
            double *xd;
            int st;
            rj_fast_net_init(f);
            st = rj_fast_net_random(f, sp[si], seed, dtype, err);
            if (st != RJ_OK) {
                rj_fast_net_clear(f);
                for (i = 0; i < ns; i++)
                    series_clear(S + i);
                return grad_fail(err, NULL, randoms[si]);
            }
            xd = malloc(batch * f->n_in * sizeof(double));
            if (xd == NULL) {
                rj_fast_net_clear(f);
                for (i = 0; i < ns; i++)
                    series_clear(S + i);
                rj_error_set(err, RJ_ERR_MEMORY, "out of memory");
                return grad_fail(err, NULL, randoms[si]);
            }
            rj_fast_randn(xd, batch * f->n_in, seed + 7);
            snprintf(S[si].label, sizeof(S[si].label), "%s", randoms[si]);
            st = grad_run(S + si, f, xd, batch, dy_random, seed, graded, NULL, err);
            free(xd);
            rj_fast_net_clear(f);
            ns = si + 1;
            if (st != RJ_OK) {
                for (i = 0; i < ns; i++)
                    series_clear(S + i);
                return grad_fail(err, NULL, randoms[si]);
            }
        }
    }

    /* output */
    if (json) {
        json_t *arr = json_array();
        for (si = 0; si < ns; si++) {
            json_t *o = json_object(), *h = json_array(), *wn = json_array();
            slong l;
            json_object_set_new(o, "net", json_string(S[si].label));
            json_object_set_new(o, "dtype", json_string(rj_fast_dtype_name(dtype)));
            json_object_set_new(o, "depth", json_integer(S[si].L));
            json_object_set_new(o, "batch", json_integer(S[si].B));
            json_object_set_new(o, "threads", json_integer(rj_fast_get_num_threads()));
            json_object_set_new(o, "input_grad_norm", json_real(S[si].gnorm));
            {
                /* the input gradient: one vector per point (issue 12) */
                json_t *g = json_array();
                slong p, k;
                for (p = 0; p < S[si].B; p++) {
                    json_t *v = json_array();
                    for (k = 0; k < S[si].n_in; k++)
                        json_array_append_new(v, json_real(S[si].dx[p * S[si].n_in + k]));
                    json_array_append_new(g, v);
                }
                json_object_set_new(o, "input_grad", g);
            }
            for (l = 0; l <= S[si].L; l++)
                json_array_append_new(h, json_real(S[si].hnorm[l]));
            for (l = 0; l < S[si].L; l++)
                json_array_append_new(wn, json_real(S[si].wnorm[l]));
            json_object_set_new(o, "grad_norm_per_layer", h);
            json_object_set_new(o, "weight_grad_norm_per_block", wn);
            if (graded) {
                json_t *ks = json_array();
                for (l = 0; l <= S[si].L; l++) {
                    json_t *k = json_object();
                    json_object_set_new(k, "k", json_integer(l));
                    json_object_set_new(k, "norm", json_num(S[si].knorm[l]));
                    json_object_set_new(k, "log10_paths", json_num(S[si].klog10c[l]));
                    json_object_set_new(k, "mean_norm_per_path", json_num(S[si].kmean[l]));
                    json_array_append_new(ks, k);
                }
                json_object_set_new(o, "path_lengths", ks);
            }
            json_array_append_new(arr, o);
        }
        rc = cli_json_print(arr);
        json_decref(arr);
    } else if (csv) {
        write_csv(stdout, S, ns, graded);
    } else {
        for (si = 0; si < ns; si++) {
            slong l;
            printf("%s: %ld block%s, batch %ld, %s; ||input gradient|| = %.6g\n", S[si].label,
                   (long) S[si].L, S[si].L == 1 ? "" : "s", (long) S[si].B, rj_fast_dtype_name(dtype), S[si].gnorm);
            printf("  %6s  %14s  %14s\n", "layer", "||dL/dh_l||", "||dL/dW_l||");
            for (l = 0; l <= S[si].L; l++) {
                if (l > 0)
                    printf("  %6ld  %14.6g  %14.6g\n", (long) l, S[si].hnorm[l],
                           S[si].wnorm[l - 1]);
                else
                    printf("  %6ld  %14.6g  %14s\n", (long) l, S[si].hnorm[l], "");
            }
            if (graded) {
                double tot = 0;
                for (l = 0; l <= S[si].L; l++)
                    tot += S[si].knorm[l];
                printf("  per path length k (exact, not sampled):\n");
                printf("  %6s  %14s  %12s  %14s  %8s\n", "k", "||sum_k||", "log10 C(L,k)",
                       "mean per path", "share");
                for (l = 0; l <= S[si].L; l++)
                    printf("  %6ld  %14.6g  %12.4f  %14.6g  %7.3f%%\n", (long) l,
                           S[si].knorm[l], S[si].klog10c[l], S[si].kmean[l],
                           tot > 0 ? 100 * S[si].knorm[l] / tot : 0.0);
            }
        }
    }
    if (plot != NULL) {
        int prc = plot_write(plot, csvname, S, ns, graded);
        plot_dir_remove();
        if (prc != RJ_EXIT_OK)
            rc = prc;
    }
    for (si = 0; si < ns; si++)
        series_clear(S + si);
    return rc;
}
