/* resjac: exact forward pass and Jacobian parts S_l, R_l of every block
 * (block forms in include/resjac/model.h, conventions in exact.h). */
#include <string.h>

#include <flint/fmpq_mat.h>
#include <flint/fmpq_vec.h>

#include "resjac/exact.h"
#include "exact_internal.h"

/* ------------------------------------------------------------------ parts */

void
rj_exact_parts_init(rj_exact_parts_t p)
{
    p->len = 0;
    p->h = NULL;
    p->S = NULL;
    p->R = NULL;
}

void
rj_exact_parts_clear(rj_exact_parts_t p)
{
    slong l;
    if (p->h != NULL) {
        for (l = 0; l <= p->len; l++)
            fmpq_mat_clear(p->h + l);
        for (l = 0; l < p->len; l++) {
            fmpq_mat_clear(p->S + l);
            fmpq_mat_clear(p->R + l);
        }
    }
    flint_free(p->h);
    flint_free(p->S);
    flint_free(p->R);
    rj_exact_parts_init(p);
}

/* ------------------------------------------------------------------ checks */

/* Widths of block b as its matrices give them. */
typedef struct {
    slong n_in, n_hidden, n_out;
} shape_t;

static const char *
act_kind_name(int kind)
{
    switch (kind) {
    case RJ_ACT_IDENTITY: return "identity";
    case RJ_ACT_RELU: return "relu";
    case RJ_ACT_LEAKY_RELU: return "leaky_relu";
    case RJ_ACT_TANH: return "tanh";
    case RJ_ACT_SIGMOID: return "sigmoid";
    default: return "an unknown activation";
    }
}

static int
check_act(const rj_act_struct *a, const char *desc, const char *slot, rj_error_t err)
{
    switch (a->kind) {
    case RJ_ACT_IDENTITY:
    case RJ_ACT_RELU:
    case RJ_ACT_LEAKY_RELU:
        return RJ_OK;
    case RJ_ACT_TANH:
    case RJ_ACT_SIGMOID:
        return rj_error_set(err, RJ_ERR_DOMAIN,
                            "%s, %s activation: the exact layer cannot take %s: its "
                            "values at rational points are irrational; use the "
                            "precise layer (--method interval)",
                            desc, slot, act_kind_name(a->kind));
    default:
        return rj_error_set(err, RJ_ERR_INPUT, "%s, %s activation: unknown kind %d",
                            desc, slot, (int) a->kind);
    }
}

static int
vec_ok(const fmpq_mat_t b, slong n)
{
    return (fmpq_mat_nrows(b) == 0 && fmpq_mat_ncols(b) == 0)
        || (fmpq_mat_nrows(b) == n && fmpq_mat_ncols(b) == 1);
}

static int
check_block(shape_t *sh, const rj_block_struct *b, const char *desc, rj_error_t err)
{
    int st;

    sh->n_in = fmpq_mat_ncols(b->W1);
    if (b->two_layer) {
        sh->n_hidden = fmpq_mat_nrows(b->W1);
        sh->n_out = fmpq_mat_nrows(b->W2);
        if (fmpq_mat_ncols(b->W2) != sh->n_hidden)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: W2 is %ldx%ld but W1 is %ldx%ld (W2 needs %ld columns)",
                                desc, (long) fmpq_mat_nrows(b->W2),
                                (long) fmpq_mat_ncols(b->W2), (long) sh->n_hidden,
                                (long) sh->n_in, (long) sh->n_hidden);
    } else {
        sh->n_hidden = 0;
        sh->n_out = fmpq_mat_nrows(b->W1);
    }
    if (sh->n_in < 1 || sh->n_out < 1 || (b->two_layer && sh->n_hidden < 1))
        return rj_error_set(err, RJ_ERR_INPUT, "%s: empty weight matrix (W1 is %ldx%ld)",
                            desc, (long) fmpq_mat_nrows(b->W1), (long) fmpq_mat_ncols(b->W1));
    if (sh->n_in > RJ_MAX_WIDTH || sh->n_out > RJ_MAX_WIDTH || sh->n_hidden > RJ_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "%s: width %ld exceeds the limit RJ_MAX_WIDTH = %d", desc,
                            (long) FLINT_MAX(FLINT_MAX(sh->n_in, sh->n_out), sh->n_hidden),
                            RJ_MAX_WIDTH);
    if (!vec_ok(b->b1, fmpq_mat_nrows(b->W1)))
        return rj_error_set(err, RJ_ERR_INPUT, "%s: b1 is %ldx%ld but W1 has %ld rows",
                            desc, (long) fmpq_mat_nrows(b->b1), (long) fmpq_mat_ncols(b->b1),
                            (long) fmpq_mat_nrows(b->W1));
    if (!vec_ok(b->b2, sh->n_out))
        return rj_error_set(err, RJ_ERR_INPUT, "%s: b2 is %ldx%ld but the output width is %ld",
                            desc, (long) fmpq_mat_nrows(b->b2), (long) fmpq_mat_ncols(b->b2),
                            (long) sh->n_out);
    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
    case RJ_SKIP_SCALED:
        if (sh->n_in != sh->n_out)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: the branch maps width %ld to %ld; an %s skip needs equal "
                                "widths (use a projection skip)", desc, (long) sh->n_in,
                                (long) sh->n_out,
                                b->skip == RJ_SKIP_IDENTITY ? "identity" : "scaled");
        break;
    case RJ_SKIP_PROJECT:
        if (fmpq_mat_nrows(b->Ws) != sh->n_out || fmpq_mat_ncols(b->Ws) != sh->n_in)
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s: projection Ws is %ldx%ld but the branch is %ldx%ld",
                                desc, (long) fmpq_mat_nrows(b->Ws),
                                (long) fmpq_mat_ncols(b->Ws), (long) sh->n_out,
                                (long) sh->n_in);
        break;
    case RJ_SKIP_NONE:
        break;
    default:
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown skip kind %d", desc,
                            (int) b->skip);
    }
    if (b->place != RJ_PLACE_NONE && b->place != RJ_PLACE_PRE && b->place != RJ_PLACE_POST)
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown placement %d", desc,
                            (int) b->place);
    if (b->two_layer && (st = check_act(b->act, desc, "inner", err)) != RJ_OK)
        return st;
    if (b->place != RJ_PLACE_NONE
        && (st = check_act(b->outer, desc, b->place == RJ_PLACE_PRE ? "outer (pre)"
                           : "outer (post)", err)) != RJ_OK)
        return st;
    return RJ_OK;
}

/* Every check the exact layer makes before work starts: shapes, widths, depth,
   activations, the point, and the memory the parts will take. */
static int
check_net(const rj_net_t net, const fmpq_mat_t x, int want_parts, rj_error_t err)
{
    slong l, prev, entries;
    shape_t sh;
    char desc[160];
    int st;

    if (net->len > RJ_MAX_DEPTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "the network has %ld blocks; the limit is RJ_MAX_DEPTH = %d",
                            (long) net->len, RJ_MAX_DEPTH);
    if (fmpq_mat_ncols(x) != 1 || fmpq_mat_nrows(x) < 1)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the point must be a column vector, got %ldx%ld",
                            (long) fmpq_mat_nrows(x), (long) fmpq_mat_ncols(x));
    prev = fmpq_mat_nrows(x);
    if (prev > RJ_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "the point has width %ld; the limit is RJ_MAX_WIDTH = %d",
                            (long) prev, RJ_MAX_WIDTH);
    entries = prev;
    for (l = 0; l < net->len; l++) {
        rj_net_block_label(desc, sizeof(desc), net, l);
        if ((st = check_block(&sh, net->blocks + l, desc, err)) != RJ_OK)
            return st;
        if (sh.n_in != prev) {
            if (l == 0)
                return rj_error_set(err, RJ_ERR_INPUT,
                                    "%s takes width %ld but the point has width %ld",
                                    desc, (long) sh.n_in, (long) prev);
            return rj_error_set(err, RJ_ERR_INPUT,
                                "%s takes width %ld but block %ld gives width %ld",
                                desc, (long) sh.n_in, (long) l, (long) prev);
        }
        entries += sh.n_out + sh.n_hidden;
        if (want_parts)
            entries += 2 * sh.n_out * sh.n_in;
        if (entries > RJ_EXACT_MAX_ENTRIES)
            return rj_error_set(err, RJ_ERR_LIMIT,
                                "the exact layer would hold more than %ld matrix entries "
                                "for this network (limit RJ_EXACT_MAX_ENTRIES, reached at %s "
                                "of %ld)", (long) RJ_EXACT_MAX_ENTRIES, desc,
                                (long) net->len);
        prev = sh.n_out;
    }
    return RJ_OK;
}

/* ------------------------------------------------------------------ activations */

typedef struct {
    rj_ties_struct *ties;   /* may be NULL */
    slong count;            /* ties met so far */
    rj_tie_policy pol;
    rj_error_struct *err;
} tie_ctx;

/* One-sided derivatives of a at its kink 0 differ (a tie is a real choice). */
static int
act_has_kink(const rj_act_struct *a)
{
    return a->kind == RJ_ACT_RELU || (a->kind == RJ_ACT_LEAKY_RELU && !fmpq_is_one(a->slope));
}

/* y = a(z) and d = a'(z); at a kink the side comes from the policy and the tie
   is recorded.  y may alias z. */
static int
act_eval(fmpq_t y, fmpq_t d, const rj_act_struct *a, const fmpq_t z, tie_ctx *ctx,
         slong block, int where, slong unit)
{
    int sgn = fmpq_sgn(z), right = 1;

    if (a->kind == RJ_ACT_IDENTITY) {
        if (d != NULL)
            fmpq_one(d);
        fmpq_set(y, z);
        return RJ_OK;
    }
    if (sgn == 0 && act_has_kink(a)) {
        if (ctx->pol.mode == RJ_TIE_LEFT)
            right = 0;
        else if (ctx->pol.mode == RJ_TIE_RIGHT)
            right = 1;
        else {
            if (ctx->count >= FLINT_BITS)
                return rj_error_set(ctx->err, RJ_ERR_LIMIT,
                                    "block %ld: tie number %ld: a tie choice word holds "
                                    "only %d ties", (long) (block + 1),
                                    (long) (ctx->count + 1), FLINT_BITS);
            right = (int) ((ctx->pol.choice >> ctx->count) & 1);
        }
        if (ctx->ties != NULL)
            rj_ties_push(ctx->ties, block, where, unit);
        ctx->count++;
    }
    if (d != NULL) {
        if (sgn > 0 || (sgn == 0 && right))
            fmpq_one(d);
        else if (a->kind == RJ_ACT_RELU)
            fmpq_zero(d);
        else
            fmpq_set(d, a->slope);
    }
    if (sgn >= 0)
        fmpq_set(y, z);
    else if (a->kind == RJ_ACT_RELU)
        fmpq_zero(y);
    else
        fmpq_mul(y, z, a->slope);
    return RJ_OK;
}

/* Apply a entrywise to the column v in place; d (may be NULL) gets a'(v). */
static int
act_vec(fmpq_mat_t v, fmpq *d, const rj_act_struct *a, tie_ctx *ctx, slong block,
        int where)
{
    slong i;
    int st;
    for (i = 0; i < fmpq_mat_nrows(v); i++)
        if ((st = act_eval(fmpq_mat_entry(v, i, 0), d == NULL ? NULL : d + i, a,
                           fmpq_mat_entry(v, i, 0), ctx, block, where, i)) != RJ_OK)
            return st;
    return RJ_OK;
}

static void
scale_rows(fmpq_mat_t A, const fmpq *d)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_mul(fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j), d + i);
}

static void
scale_cols(fmpq_mat_t A, const fmpq *d)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_mul(fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j), d + j);
}

static void
add_bias(fmpq_mat_t v, const fmpq_mat_t b)
{
    if (fmpq_mat_nrows(b) != 0)
        fmpq_mat_add(v, v, b);
}

/* ------------------------------------------------------------------ one block */

/* y = block(u); when S and R are not NULL also the parts S_l, R_l (already
   initialised with the block's shape). */
static int
block_eval(fmpq_mat_t y, fmpq_mat_t S, fmpq_mat_t R, const rj_block_struct *b,
           const fmpq_mat_t u, slong l, tie_ctx *ctx)
{
    slong n_in = fmpq_mat_ncols(b->W1);
    slong n_mid = fmpq_mat_nrows(b->W1);
    slong n_out = fmpq_mat_nrows(y);
    int want = (S != NULL), st = RJ_OK;
    fmpq_mat_t v, z, F, sx;
    fmpq *dpre = NULL, *dmid = NULL, *dpost = NULL;

    fmpq_mat_init(v, n_in, 1);
    fmpq_mat_init(z, n_mid, 1);
    fmpq_mat_init(F, n_out, 1);
    fmpq_mat_init(sx, n_out, 1);
    if (want) {
        dpre = _fmpq_vec_init(n_in);
        dmid = _fmpq_vec_init(n_mid);
        dpost = _fmpq_vec_init(n_out);
    }

    /* branch input v = sigma(u) (pre) or u */
    fmpq_mat_set(v, u);
    if (b->place == RJ_PLACE_PRE
        && (st = act_vec(v, dpre, b->outer, ctx, l, 1)) != RJ_OK)
        goto done;

    /* F = W2 act(W1 v + b1) + b2, or W1 v + b1 (+ b2) */
    fmpq_mat_mul(z, b->W1, v);
    add_bias(z, b->b1);
    if (b->two_layer) {
        if ((st = act_vec(z, dmid, b->act, ctx, l, 0)) != RJ_OK)
            goto done;
        fmpq_mat_mul(F, b->W2, z);
    } else {
        fmpq_mat_set(F, z);
    }
    add_bias(F, b->b2);

    /* skip */
    switch (b->skip) {
    case RJ_SKIP_IDENTITY: fmpq_mat_set(sx, u); break;
    case RJ_SKIP_SCALED: fmpq_mat_scalar_mul_fmpq(sx, u, b->alpha); break;
    case RJ_SKIP_PROJECT: fmpq_mat_mul(sx, b->Ws, u); break;
    default: fmpq_mat_zero(sx); break;
    }
    fmpq_mat_add(y, sx, F);
    if (b->place == RJ_PLACE_POST
        && (st = act_vec(y, dpost, b->outer, ctx, l, 1)) != RJ_OK)
        goto done;

    if (want) {
        /* R = [D_post] J_F [D_pre],  J_F = W2 D_mid W1 or W1 */
        fmpq_mat_t M;
        fmpq_mat_init_set(M, b->W1);
        if (b->place == RJ_PLACE_PRE)
            scale_cols(M, dpre);
        if (b->two_layer) {
            scale_rows(M, dmid);
            fmpq_mat_mul(R, b->W2, M);
        } else {
            fmpq_mat_set(R, M);
        }
        fmpq_mat_clear(M);

        switch (b->skip) {
        case RJ_SKIP_IDENTITY: fmpq_mat_one(S); break;
        case RJ_SKIP_SCALED: fmpq_mat_one(S); fmpq_mat_scalar_mul_fmpq(S, S, b->alpha); break;
        case RJ_SKIP_PROJECT: fmpq_mat_set(S, b->Ws); break;
        default: fmpq_mat_zero(S); break;
        }
        if (b->place == RJ_PLACE_POST) {
            scale_rows(S, dpost);
            scale_rows(R, dpost);
        }
    }

done:
    fmpq_mat_clear(v);
    fmpq_mat_clear(z);
    fmpq_mat_clear(F);
    fmpq_mat_clear(sx);
    if (want) {
        _fmpq_vec_clear(dpre, n_in);
        _fmpq_vec_clear(dmid, n_mid);
        _fmpq_vec_clear(dpost, n_out);
    }
    return st;
}

/* ------------------------------------------------------------------ growth */

/* Bits of the entries of a column (numerators and denominators). */
static double
vec_bits(const fmpq_mat_t v)
{
    slong i, j;
    double bits = 0;
    for (i = 0; i < fmpq_mat_nrows(v); i++)
        for (j = 0; j < fmpq_mat_ncols(v); j++)
            bits += fmpz_bits(fmpq_numref(fmpq_mat_entry(v, i, j)))
                    + fmpz_bits(fmpq_denref(fmpq_mat_entry(v, i, j)));
    return bits;
}

typedef struct {
    double first;      /* bits of h_0 */
    double total;      /* bits of h_0 .. h_l so far */
} growth_t;

/* RJ_EXACT_MAX_BITS after block l (0-based) of L has given h, of `bits` bits:
   the running total, and at blocks 64, 128, 256, ... the total projected
   from the growth per block so far (sizes grow about linearly with depth,
   so the total over L + 1 values is (L + 1) first + g L (L + 1) / 2). */
static int
growth_check(growth_t *g, double bits, slong l, slong L, rj_error_t err)
{
    slong done = l + 1;
    g->total += bits;
    if (g->total > (double) RJ_EXACT_MAX_BITS)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "block %ld of %ld: the exact forward values h_0..h_%ld hold "
                            "%.3g bits, over the limit RJ_EXACT_MAX_BITS = %ld bits; use "
                            "the precise layer (--method interval) for this depth",
                            (long) done, (long) L, (long) done, g->total,
                            (long) RJ_EXACT_MAX_BITS);
    if (done >= 64 && (done & (done - 1)) == 0 && L > done) {
        double rate = (bits - g->first) / (double) done;
        double proj = (double) (L + 1) * g->first
                      + (rate > 0 ? rate * (double) L * (double) (L + 1) / 2 : 0);
        if (proj > (double) RJ_EXACT_MAX_BITS)
            return rj_error_set(err, RJ_ERR_LIMIT,
                                "the exact forward values grow by about %.0f bits per "
                                "block (%.0f bits at block %ld): the %ld blocks would "
                                "hold about %.3g bits, over the limit RJ_EXACT_MAX_BITS "
                                "= %ld bits; use the precise layer (--method interval) "
                                "for this depth", rate, bits, (long) done, (long) L,
                                proj, (long) RJ_EXACT_MAX_BITS);
    }
    return RJ_OK;
}

static slong
block_out_width(const rj_block_struct *b)
{
    return b->two_layer ? fmpq_mat_nrows(b->W2) : fmpq_mat_nrows(b->W1);
}

int
rj_exact_parts(rj_exact_parts_t parts, rj_ties_t ties, const rj_net_t net,
               const fmpq_mat_t x, rj_tie_policy pol, rj_error_t err)
{
    slong l, L = net->len;
    tie_ctx ctx;
    growth_t g;
    int st;

    if (pol.mode != RJ_TIE_LEFT && pol.mode != RJ_TIE_RIGHT && pol.mode != RJ_TIE_CHOICE)
        return rj_error_set(err, RJ_ERR_INPUT, "unknown tie mode %d", (int) pol.mode);
    if ((st = check_net(net, x, 1, err)) != RJ_OK)
        return st;

    rj_exact_parts_clear(parts);
    parts->len = L;
    parts->h = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
    parts->S = flint_malloc(FLINT_MAX(L, 1) * sizeof(fmpq_mat_struct));
    parts->R = flint_malloc(FLINT_MAX(L, 1) * sizeof(fmpq_mat_struct));
    fmpq_mat_init_set(parts->h + 0, x);
    for (l = 0; l < L; l++) {
        slong r = block_out_width(net->blocks + l), c = fmpq_mat_nrows(parts->h + l);
        fmpq_mat_init(parts->h + l + 1, r, 1);
        fmpq_mat_init(parts->S + l, r, c);
        fmpq_mat_init(parts->R + l, r, c);
    }

    ctx.ties = ties;
    ctx.count = 0;
    ctx.pol = pol;
    ctx.err = err;
    g.first = g.total = vec_bits(x);
    for (l = 0; l < L; l++)
        if ((st = block_eval(parts->h + l + 1, parts->S + l, parts->R + l, net->blocks + l,
                             parts->h + l, l, &ctx)) != RJ_OK
            || (st = growth_check(&g, vec_bits(parts->h + l + 1), l, L, err)) != RJ_OK)
            return st;
    return RJ_OK;
}

int
rj_exact_forward(fmpq_mat_t y, const rj_net_t net, const fmpq_mat_t x, rj_error_t err)
{
    slong l;
    tie_ctx ctx;
    growth_t g;
    fmpq_mat_t u, w;
    int st;

    if ((st = check_net(net, x, 0, err)) != RJ_OK)
        return st;
    ctx.ties = NULL;
    ctx.count = 0;
    ctx.pol.mode = RJ_TIE_RIGHT;
    ctx.pol.choice = 0;
    ctx.err = err;
    fmpq_mat_init_set(u, x);
    g.first = g.total = vec_bits(x);
    for (l = 0; l < net->len && st == RJ_OK; l++) {
        fmpq_mat_init(w, block_out_width(net->blocks + l), 1);
        st = block_eval(w, NULL, NULL, net->blocks + l, u, l, &ctx);
        if (st == RJ_OK)
            st = growth_check(&g, vec_bits(w), l, net->len, err);
        fmpq_mat_swap(u, w);
        fmpq_mat_clear(w);
    }
    if (st == RJ_OK) {
        if (fmpq_mat_nrows(y) != fmpq_mat_nrows(u) || fmpq_mat_ncols(y) != 1) {
            fmpq_mat_clear(y);
            fmpq_mat_init(y, fmpq_mat_nrows(u), 1);
        }
        fmpq_mat_set(y, u);
    }
    fmpq_mat_clear(u);
    return st;
}
