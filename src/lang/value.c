/* resjac: values of the language and the environment (see include/resjac/lang.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mpfr.h>

#include "resjac/lang.h"

/* ---------------------------------------------------------------- values */

void
rj_val_init(rj_val_t v)
{
    v->kind = RJ_VAL_NONE;
    v->b = 0;
    fmpq_init(v->num);
    fmpq_mat_init(v->mat, 0, 0);
    fmpq_poly_init(v->poly);
    v->str = NULL;
    rj_block_init(v->block);
    rj_net_init(v->net);
    v->len = 0;
    v->items = NULL;
    v->ops = NULL;
    v->data = NULL;
}

void
rj_val_clear(rj_val_t v)
{
    slong i;
    fmpq_clear(v->num);
    fmpq_mat_clear(v->mat);
    fmpq_poly_clear(v->poly);
    flint_free(v->str);
    rj_block_clear(v->block);
    rj_net_clear(v->net);
    for (i = 0; i < v->len; i++)
        rj_val_clear(v->items + i);
    flint_free(v->items);
    if (v->data != NULL)
        v->ops->free(v->data);
}

void
rj_val_reset(rj_val_t v)
{
    rj_val_clear(v);
    rj_val_init(v);
}

void
rj_val_swap(rj_val_t v, rj_val_t w)
{
    rj_val_struct t = *v;
    *v = *w;
    *w = t;
}

/* Deep copy of every field (whatever the kind), so that no part of v shares
   memory with w.  v == w is allowed. */
void
rj_val_set(rj_val_t v, const rj_val_t w)
{
    rj_val_t t;
    slong i;
    if (v == w)
        return;
    rj_val_init(t);
    t->kind = w->kind;
    t->b = w->b;
    fmpq_set(t->num, w->num);
    fmpq_mat_clear(t->mat);
    fmpq_mat_init(t->mat, fmpq_mat_nrows(w->mat), fmpq_mat_ncols(w->mat));
    fmpq_mat_set(t->mat, w->mat);
    fmpq_poly_set(t->poly, w->poly);
    t->str = rj_strdup(w->str);
    rj_block_set(t->block, w->block);
    rj_net_set(t->net, w->net);
    if (w->len > 0) {
        t->items = flint_malloc(w->len * sizeof(rj_val_struct));
        for (i = 0; i < w->len; i++) {
            rj_val_init(t->items + i);
            rj_val_set(t->items + i, w->items + i);
        }
        t->len = w->len;
    }
    t->ops = w->ops;
    if (w->data != NULL)
        t->data = w->ops->copy(w->data);
    rj_val_swap(v, t);
    rj_val_clear(t);
}

void
rj_val_set_fmpq(rj_val_t v, const fmpq_t q)
{
    fmpq_t t;
    fmpq_init(t);
    fmpq_set(t, q);           /* q may live inside v */
    rj_val_reset(v);
    v->kind = RJ_VAL_NUM;
    fmpq_swap(v->num, t);
    fmpq_clear(t);
}

void
rj_val_set_fmpq_mat(rj_val_t v, const fmpq_mat_t A)
{
    fmpq_mat_t t;
    fmpq_mat_init(t, fmpq_mat_nrows(A), fmpq_mat_ncols(A));
    fmpq_mat_set(t, A);       /* A may live inside v */
    rj_val_reset(v);
    v->kind = RJ_VAL_MAT;
    fmpq_mat_swap(v->mat, t);
    fmpq_mat_clear(t);
}

void
rj_val_set_bool(rj_val_t v, int b)
{
    rj_val_reset(v);
    v->kind = RJ_VAL_BOOL;
    v->b = b != 0;
}

void
rj_val_set_ext(rj_val_t v, const rj_val_ops *ops, void *data)
{
    rj_val_reset(v);
    v->kind = RJ_VAL_EXT;
    v->ops = ops;
    v->data = data;
}

const char *
rj_val_kind_name(rj_val_kind k)
{
    switch (k) {
    case RJ_VAL_NONE: return "nothing";
    case RJ_VAL_BOOL: return "truth value";
    case RJ_VAL_NUM: return "number";
    case RJ_VAL_MAT: return "matrix";
    case RJ_VAL_POLY: return "polynomial";
    case RJ_VAL_ATOM: return "atom";
    case RJ_VAL_BLOCK: return "block";
    case RJ_VAL_NET: return "network";
    case RJ_VAL_STRING: return "string";
    case RJ_VAL_LIST: return "list";
    case RJ_VAL_EXT: return "extension value";
    default: return "unknown value";
    }
}

/* ---------------------------------------------------------------- printing */

typedef struct {
    char *s;
    size_t len, alloc;
} sbuf_t;

static void
sb_add(sbuf_t *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->alloc) {
        b->alloc = FLINT_MAX(2 * b->alloc, b->len + n + 64);
        b->s = flint_realloc(b->s, b->alloc);
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static void
sb_printf(sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(sbuf_t *b, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sb_add(b, buf);
}

static void
sb_fmpq(sbuf_t *b, const fmpq_t q)
{
    char *s = fmpq_get_str(NULL, 10, q);
    sb_add(b, s);
    flint_free(s);
}

char *
rj_fmpq_get_str_short(const fmpq *q, slong maxlen)
{
    slong nd, dd;
    mpfr_t f;
    char buf[160];
    size_t n;
    char *s;

    nd = fmpz_sizeinbase(fmpq_numref(q), 10);
    dd = fmpz_sizeinbase(fmpq_denref(q), 10);
    if (nd + dd + 2 <= maxlen)
        return fmpq_get_str(NULL, 10, q);
    /* +-b^k and +-1/b^k for b = 10, 2: exactly, in that form */
    if (fmpz_is_pm1(fmpq_numref(q)) || fmpz_is_one(fmpq_denref(q))) {
        const fmpz *m = fmpz_is_one(fmpq_denref(q)) ? fmpq_numref(q) : fmpq_denref(q);
        int neg = fmpz_sgn(fmpq_numref(q)) < 0, base, found = 0;
        for (base = 10; base >= 2 && !found; base -= 8) {
            fmpz_t a, p;
            slong k;
            fmpz_init(a);
            fmpz_init(p);
            fmpz_abs(a, m);
            k = fmpz_sizeinbase(a, base) - 1;
            fmpz_set_ui(p, base);
            fmpz_pow_ui(p, p, k);
            if (fmpz_equal(a, p)) {
                snprintf(buf, sizeof(buf), "%s%d^%s%ld", neg ? "-" : "", base,
                         fmpz_is_one(fmpq_denref(q)) ? "" : "-", (long) k);
                found = 1;
            }
            fmpz_clear(a);
            fmpz_clear(p);
        }
        if (found)
            goto done;
    }
    mpfr_init2(f, 64);
    fmpq_get_mpfr(f, q, MPFR_RNDN);
    if (fmpz_is_one(fmpq_denref(q)))
        mpfr_snprintf(buf, sizeof(buf), "~%.17Rg (an integer of %ld digits)", f, (long) nd);
    else
        mpfr_snprintf(buf, sizeof(buf), "~%.17Rg (a fraction of %ld/%ld digits)", f,
                      (long) nd, (long) dd);
    mpfr_clear(f);
done:
    n = strlen(buf);
    s = flint_malloc(n + 1);
    memcpy(s, buf, n + 1);
    return s;
}

/* Column vectors print as [a, b] (the literal that makes them), other
   matrices as [[a, b], [c, d]].  entry_len > 0: each entry in about that many
   characters; maxlen > 0: stop after about maxlen characters. */
static void
sb_mat(sbuf_t *b, const fmpq_mat_t A, slong entry_len, slong maxlen)
{
    slong i, j, r = fmpq_mat_nrows(A), c = fmpq_mat_ncols(A);
    size_t start = b->len;
    if (r == 0 || c == 0) {
        sb_printf(b, "(empty %ld x %ld matrix)", (long) r, (long) c);
        return;
    }
    sb_add(b, "[");
    for (i = 0; i < r; i++) {
        if (c > 1)
            sb_add(b, i > 0 ? ", [" : "[");
        for (j = 0; j < c; j++) {
            char *t;
            if (j > 0 || (c == 1 && i > 0))
                sb_add(b, ", ");
            if (maxlen > 0 && (slong) (b->len - start) > maxlen) {
                sb_printf(b, "... (a %ld x %ld matrix)", (long) r, (long) c);
                sb_add(b, c > 1 ? "]]" : "]");
                return;
            }
            t = entry_len > 0 ? rj_fmpq_get_str_short(fmpq_mat_entry(A, i, j), entry_len)
                              : fmpq_get_str(NULL, 10, fmpq_mat_entry(A, i, j));
            sb_add(b, t);
            flint_free(t);
        }
        if (c > 1)
            sb_add(b, "]");
    }
    sb_add(b, "]");
}

static void
sb_act(sbuf_t *b, const rj_act_t a)
{
    char buf[256];
    rj_act_name(buf, sizeof(buf), a);
    sb_add(b, buf);
}

static void
sb_block(sbuf_t *b, const rj_block_t B)
{
    if (B->general) {          /* block 2 x 4 x 4 -> 2 x 4 x 4 (branch relu, conv2d ...) */
        char s1[64], s2[64], nm[160];
        slong i;
        rj_shape_name(s1, sizeof(s1), B->in);
        rj_shape_name(s2, sizeof(s2), B->out);
        sb_printf(b, "block %s -> %s (branch ", s1, s2);
        for (i = 0; i < B->branch->len; i++) {
            rj_layer_name(nm, sizeof(nm), B->branch->layers + i);
            sb_printf(b, "%s%s", i > 0 ? ", " : "", nm);
        }
    } else
        sb_printf(b, "block %ld -> %ld (", (long) B->n_in, (long) B->n_out);
    if (B->general)
        ;
    else if (B->two_layer) {
        sb_printf(b, "two layers, hidden width %ld, act ", (long) B->n_hidden);
        sb_act(b, B->act);
    } else
        sb_add(b, "one layer");
    if (!fmpq_mat_is_empty(B->b1) || !fmpq_mat_is_empty(B->b2))
        sb_add(b, ", biases");
    switch (B->skip) {
    case RJ_SKIP_IDENTITY: sb_add(b, ", skip identity"); break;
    case RJ_SKIP_NONE: sb_add(b, ", skip none"); break;
    case RJ_SKIP_PROJECT:
        if (B->general)
            sb_printf(b, ", skip project(%ld layer%s)", (long) B->proj->len,
                      B->proj->len == 1 ? "" : "s");
        else
            sb_printf(b, ", skip project(%ld x %ld)", (long) fmpq_mat_nrows(B->Ws),
                      (long) fmpq_mat_ncols(B->Ws));
        break;
    case RJ_SKIP_SCALED:
        sb_add(b, ", skip scaled(");
        sb_fmpq(b, B->alpha);
        sb_add(b, ")");
        break;
    }
    if (B->place != RJ_PLACE_NONE) {
        sb_add(b, B->place == RJ_PLACE_PRE ? ", place pre, outer " : ", place post, outer ");
        sb_act(b, B->outer);
    }
    sb_add(b, ")");
}

static void
sb_val(sbuf_t *b, const rj_val_struct *v, slong maxlen)
{
    slong i, elen = maxlen > 0 ? FLINT_MAX(24, maxlen / 4) : 0;
    size_t start = b->len;
    char *t;
    switch (v->kind) {
    case RJ_VAL_NONE: sb_add(b, "(nothing)"); break;
    case RJ_VAL_BOOL: sb_add(b, v->b ? "true" : "false"); break;
    case RJ_VAL_NUM:
        t = maxlen > 0 ? rj_fmpq_get_str_short(v->num, FLINT_MAX(elen, maxlen))
                       : fmpq_get_str(NULL, 10, v->num);
        sb_add(b, t);
        flint_free(t);
        break;
    case RJ_VAL_MAT: sb_mat(b, v->mat, elen, maxlen); break;
    case RJ_VAL_POLY:
        t = fmpq_poly_get_str_pretty(v->poly, "t");
        sb_add(b, t);
        flint_free(t);
        break;
    case RJ_VAL_ATOM:
        sb_add(b, v->str != NULL ? v->str : "?");
        if (v->str != NULL && (strcmp(v->str, "leaky_relu") == 0
                               || strcmp(v->str, "scaled") == 0
                               || (fmpq_sgn(v->num) > 0 && (strcmp(v->str, "softplus") == 0
                                                           || strcmp(v->str, "elu") == 0)))) {
            sb_add(b, "(");
            t = fmpq_get_str(NULL, 10, v->num);
            sb_add(b, t);
            flint_free(t);
            sb_add(b, ")");
        } else if (v->str != NULL && strcmp(v->str, "project") == 0) {
            sb_add(b, "(");
            sb_mat(b, v->mat, 0, 0);
            sb_add(b, ")");
        }
        break;
    case RJ_VAL_BLOCK: sb_block(b, v->block); break;
    case RJ_VAL_NET:
        sb_printf(b, "network of %ld block%s, %ld -> %ld", (long) v->net->len,
                  v->net->len == 1 ? "" : "s", (long) rj_net_width_in(v->net),
                  (long) rj_net_width_out(v->net));
        break;
    case RJ_VAL_STRING:
        sb_add(b, "\"");
        sb_add(b, v->str != NULL ? v->str : "");
        sb_add(b, "\"");
        break;
    case RJ_VAL_LIST:
        sb_add(b, "(");
        for (i = 0; i < v->len; i++) {
            if (i > 0)
                sb_add(b, ", ");
            if (maxlen > 0 && (slong) (b->len - start) > maxlen) {
                sb_add(b, "...");
                break;
            }
            sb_val(b, v->items + i, maxlen > 0 ? FLINT_MAX(40, maxlen / 2) : 0);
        }
        sb_add(b, ")");
        break;
    case RJ_VAL_EXT:
        t = v->ops->print(v, maxlen);
        sb_add(b, t);
        flint_free(t);
        break;
    default: sb_add(b, "(unknown value)"); break;
    }
}

char *
rj_val_get_str(const rj_val_t v)
{
    sbuf_t b = { NULL, 0, 0 };
    sb_add(&b, "");
    sb_val(&b, v, 0);
    return b.s;
}

char *
rj_val_get_str_short(const rj_val_t v, slong maxlen)
{
    sbuf_t b = { NULL, 0, 0 };
    sb_add(&b, "");
    sb_val(&b, v, maxlen);
    return maxlen > 0 ? rj_str_cut(b.s, maxlen + 40) : b.s;
}

char *
rj_str_cut(char *s, slong maxlen)
{
    slong n;
    if (s == NULL || (slong) strlen(s) <= maxlen)
        return s;
    n = maxlen;
    /* do not cut inside a UTF-8 sequence */
    while (n > 0 && (((unsigned char) s[n]) & 0xC0) == 0x80)
        n--;
    s = flint_realloc(s, n + 5);
    memcpy(s + n, " ...", 5);
    return s;
}

/* ---------------------------------------------------------------- environment */

void
rj_env_init(rj_env_t env)
{
    env->len = env->alloc = 0;
    env->names = NULL;
    env->vals = NULL;
    env->dir = NULL;
    env->nfuncs = 0;
    env->funcs = NULL;
    rj_limits_default(&env->limits);
    env->work = 0;
    env->limits.work = &env->work;
    env->nbuckets = 0;
    env->heads = NULL;
    env->next = NULL;
}

void
rj_env_clear(rj_env_t env)
{
    slong i;
    for (i = 0; i < env->len; i++) {
        flint_free(env->names[i]);
        rj_val_clear(env->vals + i);
    }
    flint_free(env->names);
    flint_free(env->vals);
    flint_free(env->funcs);
    flint_free(env->heads);
    flint_free(env->next);
    env->nbuckets = 0;
    env->heads = NULL;
    env->next = NULL;
    env->len = env->alloc = 0;
    env->names = NULL;
    env->vals = NULL;
    env->nfuncs = 0;
    env->funcs = NULL;
}

void
rj_env_add_functions(rj_env_t env, const rj_func_def *table, void *ctx)
{
    env->funcs = flint_realloc(env->funcs, (env->nfuncs + 1) * sizeof(rj_func_table));
    env->funcs[env->nfuncs].table = table;
    env->funcs[env->nfuncs].ctx = ctx;
    env->nfuncs++;
}

const rj_func_def *
rj_env_find_function(rj_env_t env, const char *name, void **ctx)
{
    slong t;
    const rj_func_def *d;
    for (t = env->nfuncs - 1; t >= 0; t--)
        for (d = env->funcs[t].table; d->name != NULL; d++)
            if (strcmp(d->name, name) == 0) {
                if (ctx != NULL)
                    *ctx = env->funcs[t].ctx;
                return d;
            }
    return NULL;
}

void *
rj_env_functions_ctx(rj_env_t env, const rj_func_def *table)
{
    slong t;
    for (t = env->nfuncs - 1; t >= 0; t--)
        if (env->funcs[t].table == table)
            return env->funcs[t].ctx;
    return NULL;
}

/* Name lookup is a chained hash: each binding i is on the chain of its name's
   bucket, newest first, so the first match on a chain is the binding in force
   (a shadowing push hides the older one behind it).  Binding, looking up and
   removing the newest binding cost O(1) on average; the table doubles with the
   bindings (O(len) to rebuild) and is rebuilt when a binding other than the
   newest is removed (the indices after it move).  10^6 lets: linear. */
static ulong
env_hash(const char *name)
{
    ulong h = UWORD(14695981039346656037);      /* FNV-1a */
    for (; *name != '\0'; name++)
        h = (h ^ (unsigned char) *name) * UWORD(1099511628211);
    return h;
}

static void
env_link(rj_env_t env, slong i)
{
    slong b = (slong) (env_hash(env->names[i]) & (ulong) (env->nbuckets - 1));
    env->next[i] = env->heads[b];
    env->heads[b] = i;
}

/* Rebuild the chains for nbuckets buckets (a power of two). */
static void
env_rehash(rj_env_t env, slong nbuckets)
{
    slong i;
    env->nbuckets = nbuckets;
    env->heads = flint_realloc(env->heads, nbuckets * sizeof(slong));
    for (i = 0; i < nbuckets; i++)
        env->heads[i] = -1;
    for (i = 0; i < env->len; i++)
        env_link(env, i);
}

static slong
env_find(const rj_env_t env, const char *name)
{
    slong i;
    if (env->nbuckets == 0)
        return -1;
    for (i = env->heads[env_hash(name) & (ulong) (env->nbuckets - 1)]; i >= 0;
         i = env->next[i])
        if (strcmp(env->names[i], name) == 0)
            return i;
    return -1;
}

void
rj_env_push(rj_env_t env, const char *name, const rj_val_t v)
{
    rj_val_t t;
    rj_val_init(t);
    rj_val_set(t, v);          /* v may point into env->vals */
    if (env->len == env->alloc) {
        env->alloc = FLINT_MAX(16, 2 * env->alloc);
        env->names = flint_realloc(env->names, env->alloc * sizeof(char *));
        env->vals = flint_realloc(env->vals, env->alloc * sizeof(rj_val_struct));
        env->next = flint_realloc(env->next, env->alloc * sizeof(slong));
    }
    env->names[env->len] = rj_strdup(name);
    env->vals[env->len] = *t;  /* moves t's contents */
    env->len++;
    if (env->nbuckets < env->alloc)
        env_rehash(env, env->alloc);      /* alloc is 16 * 2^j */
    else
        env_link(env, env->len - 1);
}

void
rj_env_bind(rj_env_t env, const char *name, const rj_val_t v)
{
    slong i = env_find(env, name);
    if (i >= 0)
        rj_val_set(env->vals + i, v);
    else
        rj_env_push(env, name, v);
}

void
rj_env_unbind(rj_env_t env, const char *name)
{
    slong i = env_find(env, name), b;
    if (i < 0)
        return;
    b = (slong) (env_hash(name) & (ulong) (env->nbuckets - 1));   /* name may be names[i] */
    flint_free(env->names[i]);
    rj_val_clear(env->vals + i);
    memmove(env->names + i, env->names + i + 1, (env->len - i - 1) * sizeof(char *));
    memmove(env->vals + i, env->vals + i + 1, (env->len - i - 1) * sizeof(rj_val_struct));
    env->len--;
    if (i == env->len)
        env->heads[b] = env->next[i];     /* the newest binding heads its chain */
    else
        env_rehash(env, env->nbuckets);
}

rj_val_struct *
rj_env_lookup(rj_env_t env, const char *name)
{
    slong i = env_find(env, name);
    return i >= 0 ? env->vals + i : NULL;
}
