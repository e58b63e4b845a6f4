/* resjac claims: the context of a claim check -- options, the interned ReLU
 * ties (a hash of network, point and place), the ties each open case met
 * (values carry their own tie keys: src/claims/cval.c). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

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
}

void
cl_ctx_clear(cl_ctx *ctx)
{
    slong i;
    for (i = 0; i < ctx->ntie; i++)
        flint_free(ctx->ties[i].label);
    flint_free(ctx->ties);
    flint_free(ctx->funcs);
    flint_free(ctx->tie_index);
    flint_free(ctx->case_ties);
    flint_free(ctx->case_prev);
    cl_net_cache_clear(ctx);
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
    t->label = rj_strdup(label);
    t->case_mark = 0;
    t->dropped_claim = 0;
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
    cl_tie *t = ctx->ties + tie;
    if (ctx->case_id == 0 || t->case_mark == ctx->case_id)
        return;
    if (ctx->ncase_ties == ctx->acase_ties) {
        ctx->acase_ties = FLINT_MAX(16, 2 * ctx->acase_ties);
        ctx->case_ties = flint_realloc(ctx->case_ties, ctx->acase_ties * sizeof(slong));
        ctx->case_prev = flint_realloc(ctx->case_prev, ctx->acase_ties * sizeof(ulong));
    }
    ctx->case_ties[ctx->ncase_ties] = tie;
    ctx->case_prev[ctx->ncase_ties++] = t->case_mark;
    t->case_mark = ctx->case_id;
}

void
cl_case_begin(cl_ctx *ctx, cl_case_mark *outer)
{
    outer->start = ctx->case_start;
    outer->id = ctx->case_id;
    ctx->case_start = ctx->ncase_ties;
    ctx->case_id = ++ctx->case_counter;
}

slong
cl_case_end(cl_ctx *ctx, const cl_case_mark *outer)
{
    slong i, k = ctx->case_start, n = ctx->ncase_ties - ctx->case_start;
    /* the ties met here are met by the enclosing case: they join its list
       unless they were on it already (their mark before this case was its) */
    for (i = ctx->case_start; i < ctx->ncase_ties; i++) {
        slong t = ctx->case_ties[i];
        ctx->ties[t].case_mark = outer->id;
        if (outer->id != 0 && ctx->case_prev[i] != outer->id) {
            ctx->case_ties[k] = t;
            ctx->case_prev[k++] = ctx->case_prev[i];
        }
    }
    ctx->ncase_ties = outer->id != 0 ? k : ctx->case_start;
    ctx->case_start = outer->start;
    ctx->case_id = outer->id;
    return n;
}

void
cl_ctx_new_claim(cl_ctx *ctx)
{
    ctx->cases = 0;
    ctx->claims++;
}

void
cl_note_convention(char **ev, slong n0, slong n1, slong dropped)
{
    slong c;
    if (dropped > 0) {
        char *s = cl_printf("%s [%ld ReLU tie%s not enumerated for the Jacobian: %s argument's "
                            "row of the Jacobian so far is 0 under every choice, so the "
                            "Jacobian does not depend on %s (proofs/ties.md section 8)]",
                            *ev != NULL ? *ev : "", (long) dropped, dropped == 1 ? "" : "s",
                            dropped == 1 ? "its" : "each one's", dropped == 1 ? "it" : "them");
        flint_free(*ev);
        *ev = s;
    }
    for (c = 0; c < 2; c++) {
        slong n = c == 0 ? n0 : n1;
        char *s;
        if (n <= 0)
            continue;
        s = cl_printf("%s [by convention: ReLU'(0) = %ld at %ld tie%s, as jacobian(N, x, %ld) "
                      "asks%s; the verdict rests on it, not on the Clarke set]",
                      *ev != NULL ? *ev : "", (long) c, (long) n, n == 1 ? "" : "s", (long) c,
                      c == 0 ? " (PyTorch's and JAX's rule)" : "");
        flint_free(*ev);
        *ev = s;
    }
}
