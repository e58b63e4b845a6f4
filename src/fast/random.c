/* resjac fast core: random networks from a seed (xoshiro256**, Box-Muller),
 * and the parser of the --random specification. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fast_internal.h"

typedef struct {
    ulong s[4];
    int have;
    double spare;
} fast_rng;

static ulong
splitmix64(ulong *x)
{
    ulong z = (*x += 0x9E3779B97F4A7C15UL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

static void
rng_seed(fast_rng *r, ulong seed)
{
    ulong x = seed;
    int i;
    for (i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->have = 0;
}

static ulong
rotl(ulong x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static ulong
rng_next(fast_rng *r)
{
    ulong *s = r->s;
    ulong result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* uniform in (0, 1) */
static double
rng_unif(fast_rng *r)
{
    return ((rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

static double
rng_normal(fast_rng *r)
{
    double u1, u2, rad;
    if (r->have) {
        r->have = 0;
        return r->spare;
    }
    u1 = rng_unif(r);
    u2 = rng_unif(r);
    rad = sqrt(-2.0 * log(u1));
    r->spare = rad * sin(2 * M_PI * u2);
    r->have = 1;
    return rad * cos(2 * M_PI * u2);
}

void
rj_fast_randn(double *x, slong n, ulong seed)
{
    fast_rng r;
    slong i;
    rng_seed(&r, seed);
    for (i = 0; i < n; i++)
        x[i] = rng_normal(&r);
}

void
rj_fast_random_init(rj_fast_random_t spec)
{
    spec->depth = 10;
    spec->width = 16;
    spec->hidden = 16;
    spec->skip = RJ_SKIP_IDENTITY;
    spec->place = RJ_PLACE_PRE;
    spec->act = RJ_ACT_RELU;
    spec->outer = RJ_ACT_RELU;
    spec->slope = 0.01;
    spec->scale = 1;
    spec->alpha = 1;
    spec->bias = 0;
}

static int
parse_act(rj_act_kind *k, const char *s)
{
    if (strcmp(s, "identity") == 0)
        *k = RJ_ACT_IDENTITY;
    else if (strcmp(s, "relu") == 0)
        *k = RJ_ACT_RELU;
    else if (strcmp(s, "leaky_relu") == 0 || strcmp(s, "leaky") == 0)
        *k = RJ_ACT_LEAKY_RELU;
    else if (strcmp(s, "tanh") == 0)
        *k = RJ_ACT_TANH;
    else if (strcmp(s, "sigmoid") == 0)
        *k = RJ_ACT_SIGMOID;
    else
        return 0;
    return 1;
}

static int
parse_slong(slong *out, const char *s, slong lo, slong hi)
{
    char *end;
    long v;
    errno = 0;
    if (*s == '\0')
        return 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int
parse_double(double *out, const char *s)
{
    char *end;
    double v;
    errno = 0;
    if (*s == '\0')
        return 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

int
rj_fast_random_parse(rj_fast_random_t spec, const char *text, rj_error_t err)
{
    static const char *const keys[] = { "act", "outer", "slope", "hidden", "scale", "alpha",
                                        "bias" };
    char buf[1024], seen[7] = { 0 };
    char *field, *next;
    int i = 0, hidden_set = 0, outer_set = 0;
    if (strlen(text) >= sizeof(buf))
        return rj_error_set(err, RJ_ERR_INPUT, "random network specification too long");
    strcpy(buf, text);
    rj_fast_random_init(spec);
    /* fields separated by single commas: an empty field is an error, not
       skipped, and a key given twice is refused (neither wins silently) */
    for (field = buf; field != NULL; field = next, i++) {
        char *eq;
        slong kk;
        next = strchr(field, ',');
        if (next != NULL)
            *next++ = '\0';
        if (field[0] == '\0')
            return rj_error_set(err, RJ_ERR_INPUT, "random: field %d of '%s' is empty", i + 1,
                                text);
        eq = strchr(field, '=');
        if (eq != NULL) {
            for (kk = 0; kk < 7; kk++)
                if ((size_t) (eq - field) == strlen(keys[kk])
                    && strncmp(field, keys[kk], eq - field) == 0)
                    break;
            if (kk < 7 && seen[kk]++)
                return rj_error_set(err, RJ_ERR_INPUT, "random: key '%s' is given twice in "
                                    "'%s'", keys[kk], text);
        }
        if (i == 0) {
            if (!parse_slong(&spec->depth, field, 0, RJ_MAX_DEPTH))
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "random DEPTH: expected an integer in [0, %d], got '%s'",
                                    RJ_MAX_DEPTH, field);
        } else if (i == 1) {
            if (!parse_slong(&spec->width, field, 1, RJ_MAX_WIDTH))
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "random WIDTH: expected an integer in [1, %d], got '%s'",
                                    RJ_MAX_WIDTH, field);
        } else if (i == 2 && eq == NULL) {
            spec->skip = RJ_SKIP_IDENTITY;
            spec->hidden = -1;
            if (strcmp(field, "pre") == 0)
                spec->place = RJ_PLACE_PRE;
            else if (strcmp(field, "post") == 0)
                spec->place = RJ_PLACE_POST;
            else if (strcmp(field, "plain") == 0) {
                spec->place = RJ_PLACE_POST;
                spec->skip = RJ_SKIP_NONE;
            } else if (strcmp(field, "none") == 0)
                spec->place = RJ_PLACE_NONE;
            else if (strcmp(field, "linear") == 0) {
                spec->place = RJ_PLACE_NONE;
                spec->hidden = 0;
                spec->act = RJ_ACT_IDENTITY;
                hidden_set = 1;
            } else if (strcmp(field, "scaled") == 0) {
                spec->place = RJ_PLACE_PRE;
                spec->skip = RJ_SKIP_SCALED;
            } else
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "random KIND: expected pre, post, plain, none, linear "
                                    "or scaled, got '%s'", field);
        } else if (eq == NULL) {
            return rj_error_set(err, RJ_ERR_INPUT,
                                "random: expected key=value, got '%s'", field);
        } else {
            const char *key = field, *val = eq + 1;
            *eq = '\0';
            if (strcmp(key, "act") == 0) {
                if (!parse_act(&spec->act, val))
                    return rj_error_set(err, RJ_ERR_INPUT,
                                        "random act: unknown activation '%s'", val);
            } else if (strcmp(key, "outer") == 0) {
                if (!parse_act(&spec->outer, val))
                    return rj_error_set(err, RJ_ERR_INPUT,
                                        "random outer: unknown activation '%s'", val);
                outer_set = 1;
            } else if (strcmp(key, "slope") == 0) {
                if (!parse_double(&spec->slope, val))
                    return rj_error_set(err, RJ_ERR_INPUT,
                                        "random slope: expected a number, got '%s'", val);
            } else if (strcmp(key, "hidden") == 0) {
                if (!parse_slong(&spec->hidden, val, 0, RJ_MAX_WIDTH))
                    return rj_error_set(err, RJ_ERR_INPUT,
                                        "random hidden: expected an integer in [0, %d], "
                                        "got '%s'", RJ_MAX_WIDTH, val);
                hidden_set = 1;
            } else if (strcmp(key, "scale") == 0) {
                if (!parse_double(&spec->scale, val) || spec->scale < 0)
                    return rj_error_set(err, RJ_ERR_INPUT,
                                        "random scale: expected a number >= 0, got '%s'",
                                        val);
            } else if (strcmp(key, "alpha") == 0) {
                if (!parse_double(&spec->alpha, val))
                    return rj_error_set(err, RJ_ERR_INPUT,
                                        "random alpha: expected a number, got '%s'", val);
                spec->skip = RJ_SKIP_SCALED;
            } else if (strcmp(key, "bias") == 0) {
                if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
                    return rj_error_set(err, RJ_ERR_INPUT,
                                        "random bias: expected 0 or 1, got '%s'", val);
                spec->bias = val[0] == '1';
            } else {
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "random: unknown key '%s' (act, outer, slope, hidden, "
                                    "scale, alpha, bias)", key);
            }
        }
    }
    if (i < 2)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "random: expected DEPTH,WIDTH[,KIND][,key=value...], got '%s'",
                            text);
    if (!hidden_set)
        spec->hidden = spec->width;
    if (!outer_set)
        spec->outer = spec->act == RJ_ACT_IDENTITY ? RJ_ACT_RELU : spec->act;
    return RJ_OK;
}

int
rj_fast_net_random(rj_fast_net_t net, const rj_fast_random_t spec, ulong seed,
                   rj_fast_dtype dtype, rj_error_t err)
{
    slong l, L = spec->depth, n = spec->width, h = spec->hidden;
    double bytes;
    fast_rng r;
    rj_fast_net_t tmp;

    if (L < 0 || L > RJ_MAX_DEPTH)
        return rj_error_set(err, RJ_ERR_LIMIT, "depth %ld outside [0, %d]", (long) L,
                            RJ_MAX_DEPTH);
    if (n < 1 || n > RJ_MAX_WIDTH || h < 0 || h > RJ_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT, "width %ld / hidden %ld outside [1, %d]",
                            (long) n, (long) h, RJ_MAX_WIDTH);
    bytes = (double) L * (2.0 * n * (h > 0 ? h : n) + 2.0 * n) * rj_fast_dtype_size(dtype);
    if (bytes > (double) RJ_MAX_BYTES)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "random network of %.3g bytes exceeds the limit %zu (RJ_MAX_BYTES)", bytes,
                            (size_t) RJ_MAX_BYTES);
    rj_fast_net_init(tmp);
    tmp->dtype = dtype;
    tmp->len = L;
    tmp->blocks = calloc(L > 0 ? L : 1, sizeof(rj_fast_block_struct));
    tmp->names = NULL;
    if (tmp->blocks == NULL)
        return rj_error_set(err, RJ_ERR_MEMORY, "cannot allocate %ld blocks", (long) L);
    for (l = 0; l < L; l++) {
        rj_fast_block_struct *b = tmp->blocks + l;
        b->n_in = b->n_out = n;
        b->n_hidden = h;
        b->two_layer = h > 0;
        b->skip = spec->skip;
        b->place = spec->place;
        b->act = b->two_layer ? spec->act : RJ_ACT_IDENTITY;
        b->outer = spec->place == RJ_PLACE_NONE ? RJ_ACT_IDENTITY : spec->outer;
        b->act_slope = b->act == RJ_ACT_LEAKY_RELU ? spec->slope : 0;
        b->outer_slope = b->outer == RJ_ACT_LEAKY_RELU ? spec->slope : 0;
        b->alpha = spec->skip == RJ_SKIP_SCALED ? spec->alpha : 1;
        if (dtype == RJ_FAST_F32) {
            b->act_slope = (float) b->act_slope;
            b->outer_slope = (float) b->outer_slope;
            b->alpha = (float) b->alpha;
        }
        b->b1 = spec->bias ? 0 : -1;
        b->b2 = spec->bias && b->two_layer ? 0 : -1;
    }
    {
        int st = fast_net_layout(tmp, err);
        if (st != RJ_OK) {
            rj_fast_net_clear(tmp);
            return st;
        }
    }
    rng_seed(&r, seed);
    for (l = 0; l < L; l++) {
        rj_fast_block_struct *b = tmp->blocks + l;
        slong w1r = fast_w1_rows(b), i;
        /* residual branches are scaled by 1/sqrt(L) so that the depth-L sum
           stays O(1); a plain layer (no skip) is not */
        double depth_f = b->skip == RJ_SKIP_NONE ? 1.0 : (double) L;
        double s1 = sqrt(2.0 / b->n_in);
        double s2 = b->two_layer ? spec->scale * sqrt(2.0 / (b->n_hidden * depth_f)) : 0;
        if (!b->two_layer)
            s1 = spec->scale * sqrt(1.0 / (b->n_in * depth_f));
#define PUT(off, v) do { if (dtype == RJ_FAST_F32) ((float *) tmp->params)[off] = (float) (v); \
                         else ((double *) tmp->params)[off] = (v); } while (0)
        for (i = 0; i < w1r * b->n_in; i++)
            PUT(b->W1 + i, s1 * rng_normal(&r));
        if (b->b1 >= 0)
            for (i = 0; i < w1r; i++)
                PUT(b->b1 + i, 0.01 * rng_normal(&r));
        if (b->two_layer) {
            for (i = 0; i < b->n_out * b->n_hidden; i++)
                PUT(b->W2 + i, s2 * rng_normal(&r));
            if (b->b2 >= 0)
                for (i = 0; i < b->n_out; i++)
                    PUT(b->b2 + i, 0.01 * rng_normal(&r));
        }
#undef PUT
    }
    tmp->exact_conv = -1;
    rj_fast_net_clear(net);
    *net = *tmp;
    return RJ_OK;
}
