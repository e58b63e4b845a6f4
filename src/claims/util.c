/* resjac claims: strings, the checking context, choice-dependent values and
 * printing (see src/claims/claims_impl.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ strings */

void
cl_sb_init(cl_sbuf *b)
{
    b->s = NULL;
    b->len = b->alloc = 0;
}

void
cl_sb_clear(cl_sbuf *b)
{
    flint_free(b->s);
    cl_sb_init(b);
}

static void
sb_reserve(cl_sbuf *b, slong extra)
{
    if (b->len + extra + 1 > b->alloc) {
        b->alloc = FLINT_MAX(2 * b->alloc, b->len + extra + 64);
        b->s = flint_realloc(b->s, b->alloc);
    }
}

void
cl_sb_puts(cl_sbuf *b, const char *s)
{
    slong n = strlen(s);
    sb_reserve(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static void
sb_vprintf(cl_sbuf *b, const char *fmt, va_list ap)
{
    va_list aq;
    int n;
    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return;
    sb_reserve(b, n);
    vsnprintf(b->s + b->len, n + 1, fmt, ap);
    b->len += n;
}

void
cl_sb_printf(cl_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

char *
cl_sb_take(cl_sbuf *b)
{
    char *s;
    if (b->s == NULL)
        cl_sb_puts(b, "");
    s = b->s;
    cl_sb_init(b);
    return s;
}

char *
cl_printf(const char *fmt, ...)
{
    cl_sbuf b;
    va_list ap;
    cl_sb_init(&b);
    cl_sb_puts(&b, "");
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    return cl_sb_take(&b);
}

char *
cl_str_cut(char *s, slong maxlen)
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

int
cl_locate(rj_error_t err, int status, rj_loc_t loc)
{
    if (err != NULL && err->line == 0 && loc.line > 0) {
        char msg[RJ_ERROR_MSG_LEN];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        rj_error_set_loc(err, status, loc, "%s", msg);
    }
    if (err != NULL)
        err->status = status;
    return status;
}

/* ------------------------------------------------------------ context */

void
rj_claims_opts_default(rj_claims_opts *opts)
{
    opts->max_ties = RJ_CLAIMS_MAX_TIES;
    opts->max_range = RJ_CLAIMS_MAX_RANGE;
    opts->max_samples = RJ_CLAIMS_MAX_SAMPLES;
    opts->max_terms = RJ_CLAIMS_MAX_TERMS;
    opts->max_prec = RJ_CLAIMS_MAX_PREC;
    opts->max_bits = RJ_CLAIMS_MAX_BITS;
}

void
cl_ctx_init(cl_ctx *ctx, const rj_claims_opts *opts)
{
    memset(ctx, 0, sizeof(cl_ctx));
    if (opts != NULL)
        ctx->opts = *opts;
    else
        rj_claims_opts_default(&ctx->opts);
    /* choice masks are words, with room to spare */
    ctx->opts.max_ties = FLINT_MAX(0, FLINT_MIN(ctx->opts.max_ties, 24));
    ctx->opts.max_prec = FLINT_MAX(ctx->opts.max_prec, RJ_ENCL_PREC);
    ctx->prec = RJ_ENCL_PREC;
    ctx->epoch = 1;             /* new ties have seen_epoch 0: not yet seen */
}

static void
bound_free(cl_bound *b)
{
    flint_free(b->name);
    flint_free(b->keys);
    if (b->center != NULL) {
        rj_val_clear(b->center);
        flint_free(b->center);
    }
}

void
cl_ctx_clear(cl_ctx *ctx)
{
    slong i;
    for (i = 0; i < ctx->ntie; i++)
        flint_free(ctx->ties[i].label);
    flint_free(ctx->ties);
    for (i = 0; i < ctx->nbound; i++)
        bound_free(ctx->bound + i);
    flint_free(ctx->bound);
    flint_free(ctx->tie_index);
    memset(ctx, 0, sizeof(cl_ctx));
}

static ulong
tie_hash(ulong h0, ulong h1, slong block, int where, slong unit)
{
    ulong h = h0 ^ (h1 * UWORD(0x9e3779b97f4a7c15));
    h ^= (ulong) block * UWORD(0xff51afd7ed558ccd) + (ulong) unit * UWORD(0xc4ceb9fe1a85ec53)
         + (ulong) where;
    return h ^ (h >> 29);
}

static void
tie_index_insert(cl_ctx *ctx, slong i)
{
    const cl_tie *t = ctx->ties + i;
    ulong m = ctx->tie_index_size - 1;
    ulong p = tie_hash(t->h0, t->h1, t->block, t->where, t->unit) & m;
    while (ctx->tie_index[p] >= 0)
        p = (p + 1) & m;
    ctx->tie_index[p] = i;
}

slong
cl_tie_intern(cl_ctx *ctx, ulong h0, ulong h1, slong block, int where, slong unit,
              const char *label)
{
    slong i;
    ulong m, p;
    cl_tie *t;
    if (ctx->tie_index_size > 0) {
        m = ctx->tie_index_size - 1;
        for (p = tie_hash(h0, h1, block, where, unit) & m; ctx->tie_index[p] >= 0;
             p = (p + 1) & m) {
            t = ctx->ties + ctx->tie_index[p];
            if (t->h0 == h0 && t->h1 == h1 && t->block == block && t->where == where
                && t->unit == unit)
                return ctx->tie_index[p];
        }
    }
    if (ctx->ntie == ctx->atie) {
        ctx->atie = FLINT_MAX(16, 2 * ctx->atie);
        ctx->ties = flint_realloc(ctx->ties, ctx->atie * sizeof(cl_tie));
    }
    t = ctx->ties + ctx->ntie;
    t->h0 = h0;
    t->h1 = h1;
    t->block = block;
    t->where = where;
    t->unit = unit;
    t->label = cl_strdup(label);
    t->seen_epoch = 0;
    i = ctx->ntie++;
    if (2 * ctx->ntie >= ctx->tie_index_size) {
        /* grow and rehash */
        slong k;
        ctx->tie_index_size = FLINT_MAX(64, 4 * ctx->ntie);
        flint_free(ctx->tie_index);
        ctx->tie_index = flint_malloc(ctx->tie_index_size * sizeof(slong));
        for (k = 0; k < ctx->tie_index_size; k++)
            ctx->tie_index[k] = -1;
        for (k = 0; k < ctx->ntie; k++)
            tie_index_insert(ctx, k);
    } else
        tie_index_insert(ctx, i);
    return i;
}

void
cl_note_seen(cl_ctx *ctx, slong tie)
{
    if (ctx->ties[tie].seen_epoch != ctx->epoch) {
        ctx->ties[tie].seen_epoch = ctx->epoch;
        ctx->nseen++;
    }
}

void
cl_ctx_new_claim(cl_ctx *ctx)
{
    ctx->epoch++;
    ctx->nseen = 0;
    ctx->cases = 0;
}

void
cl_bound_push(cl_ctx *ctx, const char *name, const slong *keys, slong nkeys, int dep,
              const rj_val_struct *center)
{
    cl_bound *b;
    if (ctx->nbound == ctx->abound) {
        ctx->abound = FLINT_MAX(16, 2 * ctx->abound);
        ctx->bound = flint_realloc(ctx->bound, ctx->abound * sizeof(cl_bound));
    }
    b = ctx->bound + ctx->nbound++;
    b->name = cl_strdup(name);
    b->nkeys = nkeys;
    b->keys = NULL;
    b->dep = nkeys > 0 ? dep : CL_DEP_LIN;
    b->has_center = 0;
    b->center = NULL;
    if (nkeys > 0) {
        b->keys = flint_malloc(nkeys * sizeof(slong));
        memcpy(b->keys, keys, nkeys * sizeof(slong));
        if (center != NULL) {
            b->center = flint_malloc(sizeof(rj_val_struct));
            rj_val_init(b->center);
            rj_val_set(b->center, center);
            b->has_center = 1;
        }
    }
}

void
cl_bound_pop(cl_ctx *ctx, const char *name)
{
    slong i;
    for (i = ctx->nbound - 1; i >= 0; i--)
        if (strcmp(ctx->bound[i].name, name) == 0) {
            bound_free(ctx->bound + i);
            memmove(ctx->bound + i, ctx->bound + i + 1,
                    (ctx->nbound - i - 1) * sizeof(cl_bound));
            ctx->nbound--;
            return;
        }
}

const cl_bound *
cl_bound_lookup(const cl_ctx *ctx, const char *name)
{
    slong i;
    for (i = ctx->nbound - 1; i >= 0; i--)
        if (strcmp(ctx->bound[i].name, name) == 0)
            return ctx->bound + i;
    return NULL;
}

void
cl_scope_push(rj_env_struct *env, cl_ctx *ctx, const char *name, const rj_val_t v)
{
    rj_env_push(env, name, v);
    cl_bound_push(ctx, name, NULL, 0, CL_DEP_LIN, NULL);
}

void
cl_scope_pop(rj_env_struct *env, cl_ctx *ctx, const char *name)
{
    rj_env_unbind(env, name);
    cl_bound_pop(ctx, name);
}

/* ------------------------------------------------------------ plain values */

void
cl_val_set_si(rj_val_t v, slong n)
{
    rj_val_reset(v);
    v->kind = RJ_VAL_NUM;
    fmpq_set_si(v->num, n, 1);
}

void
cl_val_set_fmpz(rj_val_t v, const fmpz_t z)
{
    fmpz_t t;
    fmpz_init_set(t, z);      /* z may live inside v */
    rj_val_reset(v);
    v->kind = RJ_VAL_NUM;
    fmpz_swap(fmpq_numref(v->num), t);
    fmpz_one(fmpq_denref(v->num));
    fmpz_clear(t);
}

void
cl_val_set_poly(rj_val_t v, const fmpq_poly_t p)
{
    fmpq_poly_t t;
    fmpq_poly_init(t);
    fmpq_poly_set(t, p);
    rj_val_reset(v);
    v->kind = RJ_VAL_POLY;
    fmpq_poly_swap(v->poly, t);
    fmpq_poly_clear(t);
}

void
cl_val_set_encl(rj_val_t v, const mpfr_t lo, const mpfr_t hi, slong prec)
{
    mpfr_t a, b;
    mpfr_init2(a, prec);
    mpfr_init2(b, prec);
    mpfr_set(a, lo, MPFR_RNDD);
    mpfr_set(b, hi, MPFR_RNDU);
    rj_val_reset(v);
    v->kind = RJ_VAL_ENCL;
    mpfr_swap(v->lo, a);
    mpfr_swap(v->hi, b);
    mpfr_clear(a);
    mpfr_clear(b);
}

void
cl_val_set_list(rj_val_t v, slong len, int is_choice_set)
{
    slong i;
    rj_val_reset(v);
    v->kind = RJ_VAL_LIST;
    v->items = flint_malloc(FLINT_MAX(len, 1) * sizeof(rj_val_struct));
    for (i = 0; i < len; i++)
        rj_val_init(v->items + i);
    v->len = len;
    v->is_choice_set = is_choice_set;
}

int
cl_val_is_choice_set(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_LIST && v->is_choice_set;
}

int
cl_val_is_int(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM && fmpz_is_one(fmpq_denref(v->num));
}

int
cl_val_equal(const rj_val_struct *a, const rj_val_struct *b)
{
    slong i;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case RJ_VAL_NONE: return 1;
    case RJ_VAL_BOOL: return a->b == b->b;
    case RJ_VAL_NUM: return fmpq_equal(a->num, b->num);
    case RJ_VAL_MAT:
        return fmpq_mat_nrows(a->mat) == fmpq_mat_nrows(b->mat)
               && fmpq_mat_ncols(a->mat) == fmpq_mat_ncols(b->mat)
               && fmpq_mat_equal(a->mat, b->mat);
    case RJ_VAL_POLY: return fmpq_poly_equal(a->poly, b->poly);
    case RJ_VAL_ENCL:
        return mpfr_equal_p(a->lo, b->lo) && mpfr_equal_p(a->hi, b->hi);
    case RJ_VAL_STRING:
        return a->str != NULL && b->str != NULL && strcmp(a->str, b->str) == 0;
    case RJ_VAL_EMAT:
        if (a->erows != b->erows || a->ecols != b->ecols)
            return 0;
        for (i = 0; i < a->erows * a->ecols; i++)
            if (!mpfr_equal_p(a->elo + i, b->elo + i) || !mpfr_equal_p(a->ehi + i, b->ehi + i))
                return 0;
        return 1;
    case RJ_VAL_LIST:
        if (a->len != b->len || a->is_choice_set != b->is_choice_set)
            return 0;
        for (i = 0; i < a->len; i++)
            if (!cl_val_equal(a->items + i, b->items + i))
                return 0;
        return 1;
    default:
        return 0;   /* atoms, blocks, networks: never merged */
    }
}

/* ------------------------------------------------------------ printing */

char *
cl_fmpq_str_short(const fmpq *q, slong maxlen)
{
    char *s;
    slong nd, dd;
    mpfr_t f;
    char buf[160];

    nd = fmpz_sizeinbase(fmpq_numref(q), 10);
    dd = fmpz_sizeinbase(fmpq_denref(q), 10);
    if (nd + dd + 2 <= maxlen)
        return fmpq_get_str(NULL, 10, q);
    /* +-b^k and +-1/b^k for b = 10, 2: exactly, in that form */
    if (fmpz_is_pm1(fmpq_numref(q)) || fmpz_is_one(fmpq_denref(q))) {
        const fmpz *m = fmpz_is_one(fmpq_denref(q)) ? fmpq_numref(q) : fmpq_denref(q);
        int neg = fmpz_sgn(fmpq_numref(q)) < 0, b;
        for (b = 10; b >= 2; b -= 8) {
            fmpz_t a, p;
            slong k;
            fmpz_init(a);
            fmpz_init(p);
            fmpz_abs(a, m);
            k = fmpz_sizeinbase(a, b) - 1;
            fmpz_set_ui(p, b);
            fmpz_pow_ui(p, p, k);
            if (fmpz_equal(a, p)) {
                fmpz_clear(a);
                fmpz_clear(p);
                return cl_printf("%s%d^%s%ld", neg ? "-" : "", b,
                                 fmpz_is_one(fmpq_denref(q)) ? "" : "-", (long) k);
            }
            fmpz_clear(a);
            fmpz_clear(p);
        }
    }
    mpfr_init2(f, 64);
    fmpq_get_mpfr(f, q, MPFR_RNDN);
    if (fmpz_is_one(fmpq_denref(q)))
        mpfr_snprintf(buf, sizeof(buf), "~%.17Rg (an integer of %ld digits)", f,
                      (long) (fmpz_sgn(fmpq_numref(q)) < 0 ? nd : nd));
    else
        mpfr_snprintf(buf, sizeof(buf), "~%.17Rg (a fraction of %ld/%ld digits)", f,
                      (long) nd, (long) dd);
    mpfr_clear(f);
    s = cl_strdup(buf);
    return s;
}

static void
sb_mat(cl_sbuf *b, const fmpq_mat_t A, slong entry_len, slong maxlen)
{
    slong i, j, r = fmpq_mat_nrows(A), c = fmpq_mat_ncols(A);
    if (r == 0 || c == 0) {
        cl_sb_printf(b, "zeros(%ld, %ld)", (long) r, (long) c);
        return;
    }
    cl_sb_puts(b, "[");
    for (i = 0; i < r; i++) {
        if (c > 1)
            cl_sb_puts(b, i > 0 ? ", [" : "[");
        for (j = 0; j < c; j++) {
            char *s;
            if (c == 1 && i > 0)
                cl_sb_puts(b, ", ");
            else if (j > 0)
                cl_sb_puts(b, ", ");
            if (maxlen > 0 && b->len > maxlen) {
                cl_sb_printf(b, "... (a %ld x %ld matrix)", (long) r, (long) c);
                cl_sb_puts(b, c > 1 ? "]]" : "]");
                return;
            }
            s = entry_len > 0 ? cl_fmpq_str_short(fmpq_mat_entry(A, i, j), entry_len)
                              : fmpq_get_str(NULL, 10, fmpq_mat_entry(A, i, j));
            cl_sb_puts(b, s);
            flint_free(s);
        }
        if (c > 1)
            cl_sb_puts(b, "]");
    }
    cl_sb_puts(b, "]");
}

/* An enclosure matrix entry by entry as lo..hi, rounded outward (the printed
   intervals contain the enclosures), with enough digits to show the width. */
static void
sb_emat(cl_sbuf *b, const rj_val_struct *v, slong maxlen)
{
    slong i, j, r = v->erows, c = v->ecols;
    if (r == 0 || c == 0) {
        cl_sb_printf(b, "zeros(%ld, %ld)", (long) r, (long) c);
        return;
    }
    cl_sb_puts(b, "[");
    for (i = 0; i < r; i++) {
        if (c > 1)
            cl_sb_puts(b, i > 0 ? ", [" : "[");
        for (j = 0; j < c; j++) {
            const __mpfr_struct *lo = v->elo + i * c + j, *hi = v->ehi + i * c + j;
            char sl[100], sh[100];
            if (i + j > 0 && (c == 1 || j > 0))
                cl_sb_puts(b, ", ");
            if (maxlen > 0 && b->len > maxlen) {
                cl_sb_printf(b, "... (a %ld x %ld enclosure matrix)", (long) r, (long) c);
                cl_sb_puts(b, c > 1 ? "]]" : "]");
                return;
            }
            /* the two ends rounded outward; one number when they print the same
               (then the enclosure is exactly that decimal) */
            mpfr_snprintf(sl, sizeof(sl), "%.12RDg", lo);
            mpfr_snprintf(sh, sizeof(sh), "%.12RUg", hi);
            if (strcmp(sl, sh) == 0)
                cl_sb_puts(b, sl);
            else
                cl_sb_printf(b, "%s..%s", sl, sh);
        }
        if (c > 1)
            cl_sb_puts(b, "]");
    }
    cl_sb_puts(b, "]");
}

static void
sb_val(cl_sbuf *b, const rj_val_struct *v, slong maxlen)
{
    slong i;
    slong elen = maxlen > 0 ? FLINT_MAX(24, maxlen / 4) : 0;
    char *s;
    switch (v->kind) {
    case RJ_VAL_NUM:
        s = elen > 0 ? cl_fmpq_str_short(v->num, FLINT_MAX(elen, maxlen))
                     : fmpq_get_str(NULL, 10, v->num);
        cl_sb_puts(b, s);
        flint_free(s);
        break;
    case RJ_VAL_MAT:
        sb_mat(b, v->mat, elen, maxlen);
        break;
    case RJ_VAL_POLY:
        s = fmpq_poly_get_str_pretty(v->poly, "t");
        cl_sb_puts(b, s);
        flint_free(s);
        break;
    case RJ_VAL_ENCL: {
        char buf[200];
        mpfr_snprintf(buf, sizeof(buf), "[%.12RDg, %.12RUg]", v->lo, v->hi);
        cl_sb_puts(b, buf);
        break;
    }
    case RJ_VAL_BOOL:
        cl_sb_puts(b, v->b ? "true" : "false");
        break;
    case RJ_VAL_EMAT:
        sb_emat(b, v, maxlen);
        break;
    case RJ_VAL_LIST:
        cl_sb_puts(b, v->is_choice_set ? "one of {" : "(");
        for (i = 0; i < v->len; i++) {
            if (i > 0)
                cl_sb_puts(b, ", ");
            if (maxlen > 0 && b->len > maxlen) {
                cl_sb_puts(b, "...");
                break;
            }
            sb_val(b, v->items + i, maxlen > 0 ? FLINT_MAX(40, maxlen / 2) : 0);
        }
        cl_sb_puts(b, v->is_choice_set ? "}" : ")");
        break;
    default:
        s = rj_val_get_str(v);
        cl_sb_puts(b, s);
        flint_free(s);
    }
}

char *
cl_val_str(const rj_val_struct *v)
{
    cl_sbuf b;
    cl_sb_init(&b);
    cl_sb_puts(&b, "");
    sb_val(&b, v, 0);
    return cl_sb_take(&b);
}

char *
cl_val_str_short(const rj_val_struct *v, slong maxlen)
{
    cl_sbuf b;
    cl_sb_init(&b);
    cl_sb_puts(&b, "");
    sb_val(&b, v, maxlen);
    return cl_str_cut(cl_sb_take(&b), maxlen + 40);
}

/* ------------------------------------------------------------ choice-dependent values */

int
cl_dep_neg(int d)
{
    return d == CL_DEP_CVX ? CL_DEP_CCV : d == CL_DEP_CCV ? CL_DEP_CVX : d;
}

/* Sums keep multilinearity and (same-sided) convexity: a multilinear term is
   both convex and concave in each c_i. */
int
cl_dep_add(int da, int db)
{
    if (da == CL_DEP_LIN)
        return db;
    if (db == CL_DEP_LIN || da == db)
        return da;
    return CL_DEP_ANY;
}

void
cl_cval_init(cl_cval_t c)
{
    rj_val_init(c->v);
    c->nkeys = 0;
    c->keys = NULL;
    c->dep = CL_DEP_LIN;
    c->has_center = 0;
    rj_val_init(c->center);
}

void
cl_cval_clear(cl_cval_t c)
{
    rj_val_clear(c->v);
    rj_val_clear(c->center);
    flint_free(c->keys);
}

void
cl_cval_swap(cl_cval_t a, cl_cval_t b)
{
    cl_cval_struct t = *a;
    *a = *b;
    *b = t;
}

void
cl_cval_set(cl_cval_t a, const cl_cval_t b)
{
    if (a == b)
        return;
    rj_val_set(a->v, b->v);
    rj_val_set(a->center, b->center);
    a->dep = b->dep;
    a->has_center = b->has_center;
    flint_free(a->keys);
    a->keys = NULL;
    a->nkeys = b->nkeys;
    if (b->nkeys > 0) {
        a->keys = flint_malloc(b->nkeys * sizeof(slong));
        memcpy(a->keys, b->keys, b->nkeys * sizeof(slong));
    }
}

void
cl_cval_set_plain(cl_cval_t c, const rj_val_t v)
{
    rj_val_set(c->v, v);
    flint_free(c->keys);
    c->keys = NULL;
    c->nkeys = 0;
    c->dep = CL_DEP_LIN;
    c->has_center = 0;
    rj_val_reset(c->center);
}

const rj_val_struct *
cl_cval_center(const cl_cval_t c)
{
    if (c->nkeys == 0)
        return c->v;
    return c->has_center ? c->center : NULL;
}

/* The value of a multilinear f at c = (1/2, ..., 1/2) is the mean of its
   2^k vertex values (proofs/ties.md, section 2). */
int
cl_val_mean(rj_val_t out, const rj_val_struct *items, slong len)
{
    rj_val_t acc, d;
    rj_error_t err;
    rj_loc_t loc = { NULL, 0, 0 };
    slong i, prec = RJ_ENCL_PREC;
    int st = RJ_OK;
    for (i = 0; i < len; i++)
        if (items[i].kind == RJ_VAL_EMAT && items[i].elo != NULL)
            prec = FLINT_MAX(prec, (slong) mpfr_get_prec(items[i].elo));
    rj_val_init(acc);
    rj_val_init(d);
    rj_error_init(err);
    rj_val_set(acc, items);
    for (i = 1; i < len && st == RJ_OK; i++)
        st = cl_val_binop(acc, '+', acc, items + i, prec, NULL, loc, err);
    cl_val_set_si(d, len);
    if (st == RJ_OK)
        st = cl_val_binop(acc, '/', acc, d, prec, NULL, loc, err);
    if (st == RJ_OK)
        rj_val_swap(out, acc);
    rj_val_clear(acc);
    rj_val_clear(d);
    return st == RJ_OK;
}

slong
cl_keys_union(slong **U, const slong *a, slong na, const slong *b, slong nb)
{
    slong i = 0, j = 0, n = 0;
    slong *u = flint_malloc(FLINT_MAX(na + nb, 1) * sizeof(slong));
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a[i] < b[j]))
            u[n++] = a[i++];
        else if (i >= na || b[j] < a[i])
            u[n++] = b[j++];
        else {
            u[n++] = a[i++];
            j++;
        }
    }
    *U = u;
    return n;
}

ulong
cl_keys_project(ulong maskU, const slong *U, slong nU, const slong *K, slong nK)
{
    slong i, p = 0;
    ulong m = 0;
    for (i = 0; i < nK; i++) {
        while (p < nU && U[p] != K[i])
            p++;
        if (p < nU && ((maskU >> p) & 1))
            m |= UWORD(1) << i;
    }
    return m;
}

const rj_val_struct *
cl_cval_item(const cl_cval_t c, ulong maskU, const slong *U, slong nU)
{
    if (c->nkeys == 0)
        return c->v;
    return c->v->items + cl_keys_project(maskU, U, nU, c->keys, c->nkeys);
}

/* Insert a zero bit at position i of m. */
static ulong
insert_bit(ulong m, slong i)
{
    ulong low = m & ((UWORD(1) << i) - 1);
    return ((m >> i) << (i + 1)) | low;
}

void
cl_cval_set_choices(cl_cval_t c, const slong *U, slong nU, rj_val_struct *items, int dep,
                    rj_val_struct *center)
{
    slong n = nU, i, m, len = WORD(1) << nU;
    slong *keys = flint_malloc(FLINT_MAX(nU, 1) * sizeof(slong));
    rj_val_struct *cur = flint_malloc(len * sizeof(rj_val_struct));

    /* move the items into an array of our own */
    for (m = 0; m < len; m++) {
        cur[m] = items[m];
        rj_val_init(items + m);
    }
    memcpy(keys, U, nU * sizeof(slong));
    /* drop every key that no item depends on, when that shows the value does
       not depend on it anywhere in the box: only for multilinear values (a
       product such as c (1 - c) is 0 at both ends but not in between) */
    for (i = n - 1; i >= 0 && dep == CL_DEP_LIN; i--) {
        int same = 1;
        len = WORD(1) << n;
        for (m = 0; m < len && same; m++)
            if (!((m >> i) & 1) && !cl_val_equal(cur + m, cur + (m | (WORD(1) << i))))
                same = 0;
        if (!same)
            continue;
        {
            rj_val_struct *nxt = flint_malloc((len / 2) * sizeof(rj_val_struct));
            for (m = 0; m < len / 2; m++) {
                ulong src = insert_bit(m, i);
                nxt[m] = cur[src];
                rj_val_init(cur + src);
            }
            for (m = 0; m < len; m++)
                rj_val_clear(cur + m);
            flint_free(cur);
            cur = nxt;
        }
        memmove(keys + i, keys + i + 1, (n - i - 1) * sizeof(slong));
        n--;
    }
    flint_free(c->keys);
    c->keys = NULL;
    c->nkeys = 0;
    c->dep = CL_DEP_LIN;
    c->has_center = 0;
    rj_val_reset(c->center);
    len = WORD(1) << n;
    if (n == 0) {
        rj_val_swap(c->v, cur);
        flint_free(keys);
    } else {
        cl_val_set_list(c->v, len, 1);
        for (m = 0; m < len; m++)
            rj_val_swap(c->v->items + m, cur + m);
        c->keys = keys;
        c->nkeys = n;
        c->dep = dep;
        if (center != NULL && center->kind != RJ_VAL_NONE) {
            rj_val_swap(c->center, center);
            c->has_center = 1;
        }
    }
    for (m = 0; m < len; m++)
        rj_val_clear(cur + m);
    flint_free(cur);
}

int
cl_cval_map(cl_cval_t out, cl_cval_struct **in, slong n, cl_cval_fn fn, void *data, int dep,
            cl_ctx *ctx, rj_env_struct *env, rj_loc_t loc, rj_error_t err)
{
    slong *U = NULL, nU = 0, i;
    rj_val_struct **vals;
    int st = RJ_OK;

    for (i = 0; i < n; i++)
        if (in[i]->nkeys > 0) {
            slong *V;
            slong nV = cl_keys_union(&V, U, nU, in[i]->keys, in[i]->nkeys);
            flint_free(U);
            U = V;
            nU = nV;
        }
    vals = flint_malloc(FLINT_MAX(n, 1) * sizeof(rj_val_struct *));
    if (nU == 0) {
        /* no choices: fn's value as it is (it may bring ties of its own) */
        for (i = 0; i < n; i++)
            vals[i] = in[i]->v;
        flint_free(out->keys);
        out->keys = NULL;
        out->nkeys = 0;
        out->dep = CL_DEP_LIN;
        out->has_center = 0;
        st = fn(out, vals, n, data, ctx, env, err);
    } else if (nU > ctx->opts.max_ties) {
        /* the method cannot enumerate them: UNDECIDED, not a bad claim */
        st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                              "this value depends on %ld ReLU ties: their %.0f one-sided "
                              "choices exceed the limit of %ld ties (RJ_CLAIMS_MAX_TIES)",
                              (long) nU, (double) (UWORD(1) << FLINT_MIN(nU, 62)),
                              (long) ctx->opts.max_ties);
    } else {
        slong len = WORD(1) << nU, m;
        rj_val_struct *items = flint_malloc(len * sizeof(rj_val_struct));
        cl_cval_t r;
        rj_val_t center;
        for (m = 0; m < len; m++)
            rj_val_init(items + m);
        rj_val_init(center);
        cl_cval_init(r);
        for (m = 0; m < len && st == RJ_OK; m++) {
            for (i = 0; i < n; i++)
                vals[i] = (rj_val_struct *) cl_cval_item(in[i], m, U, nU);
            st = fn(r, vals, n, data, ctx, env, err);
            if (st == RJ_OK && r->nkeys > 0)
                st = rj_error_set_loc(err, RJ_ERR_INPUT, loc,
                                      "a value at a ReLU tie was passed to a function that "
                                      "meets ReLU ties itself (nested tie choices are not "
                                      "supported)");
            if (st == RJ_OK)
                rj_val_swap(items + m, r->v);
        }
        if (st == RJ_OK) {
            /* the same operation at the centre of the box: an extra sample
               (proofs/ties.md); a failure there only leaves it unknown */
            int ok = 1;
            for (i = 0; i < n && ok; i++)
                ok = (vals[i] = (rj_val_struct *) cl_cval_center(in[i])) != NULL;
            if (ok) {
                rj_error_t e2;
                rj_error_init(e2);
                if (fn(r, vals, n, data, ctx, env, e2) == RJ_OK && r->nkeys == 0)
                    rj_val_swap(center, r->v);
            }
            cl_cval_set_choices(out, U, nU, items, dep, center);
        }
        cl_cval_clear(r);
        for (m = 0; m < len; m++)
            rj_val_clear(items + m);
        flint_free(items);
        rj_val_clear(center);
    }
    flint_free(vals);
    flint_free(U);
    return st;
}
