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

/* The network is valid (resjac/model.h: shapes, widths and depth are the
   model's checks); the exact layer checks only the point, the activations it
   can take and the memory it will use. */

static int
check_act(const rj_act_struct *a, const rj_net_t net, slong l, const char *slot,
          rj_error_t err)
{
    char desc[160];
    char name[64];
    if (rj_act_is_piecewise_linear(a))
        return RJ_OK;
    rj_net_block_label(desc, sizeof(desc), net, l);
    rj_act_name(name, sizeof(name), a);
    return rj_error_set(err, RJ_ERR_DOMAIN,
                        "%s, %s activation: the exact layer cannot take %s: its "
                        "values at rational points are irrational; use the "
                        "precise layer (--method interval)", desc, slot, name);
}

/* Widths from the weights (shorthand: blocks built by hand keep working) or
   from the shapes (general). */
static slong
block_out_width(const rj_block_struct *b)
{
    if (b->general)
        return b->n_out;
    return b->two_layer ? fmpq_mat_nrows(b->W2) : fmpq_mat_nrows(b->W1);
}

/* A layer of a general block the exact layer cannot take: RJ_ERR_DOMAIN
   naming the block and the layer, pointing to the precise layer.  *entries
   grows by the layers' values and records, and *work (the most held at once
   while the parts are built, with want_parts) by the two Jacobian-so-far
   matrices of the widest layer (out x n_in each). */
static int
check_seq(const rj_seq_struct *s, const rj_net_t net, slong l, const char *part,
          slong n_in, slong *entries, double *work, rj_error_t err)
{
    slong i;
    for (i = 0; i < s->len; i++) {
        const rj_layer_struct *L = s->layers + i;
        char desc[160], name[128], why[160];
        if (L->kind != RJ_LAYER_LAYERNORM && rj_layer_is_piecewise_linear(L)
            && rj_layer_is_rational(L, why, sizeof(why))) {
            double w = 2.0 * (double) rj_shape_size(L->out) * (double) n_in;
            *entries += 3 * rj_shape_size(L->out);      /* value and record */
            if (w > *work)
                *work = w;
            continue;
        }
        if (!rj_layer_is_rational(L, why, sizeof(why)) || L->kind == RJ_LAYER_LAYERNORM) {
            rj_net_block_label(desc, sizeof(desc), net, l);
            rj_layer_name(name, sizeof(name), L);
            return rj_error_set(err, RJ_ERR_DOMAIN,
                                "%s, %s layer %ld (%s): the exact layer cannot take it (%s); "
                                "use the precise layer (--method interval)", desc, part,
                                (long) i + 1, name, why);
        }
    }
    return RJ_OK;
}

/* Every check the exact layer makes before work starts: the point, the
   activations, and the memory the values (and with want_parts the record's
   derivatives and the parts) will take. */
static int
check_net(const rj_net_t net, const fmpq_mat_t x, int want_parts, rj_error_t err)
{
    slong l, entries;
    double work = 0;
    int st;

    if ((st = rj_net_check_point(net, fmpq_mat_nrows(x), fmpq_mat_ncols(x), err)) != RJ_OK)
        return st;
    entries = fmpq_mat_nrows(x);
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        slong n_in = b->general ? b->n_in : fmpq_mat_ncols(b->W1), n_out = block_out_width(b);
        slong n_hidden = b->two_layer ? fmpq_mat_nrows(b->W1) : 0;
        if (b->general
            && ((st = check_seq(b->branch, net, l, "branch", n_in, &entries, &work, err))
                    != RJ_OK
                || (st = check_seq(b->proj, net, l, "projection", n_in, &entries, &work, err))
                       != RJ_OK))
            return st;
        if (b->two_layer && (st = check_act(b->act, net, l, "inner", err)) != RJ_OK)
            return st;
        if (b->place != RJ_PLACE_NONE
            && (st = check_act(b->outer, net, l, b->place == RJ_PLACE_PRE ? "outer (pre)"
                               : "outer (post)", err)) != RJ_OK)
            return st;
        entries += n_out + n_hidden;
        if (want_parts)     /* the record's derivative columns, S_l and R_l */
            entries += n_in + n_hidden + n_out + 2 * n_out * n_in;
        if (entries > RJ_EXACT_MAX_ENTRIES
            || (want_parts && (double) entries + work > (double) RJ_EXACT_MAX_ENTRIES)) {
            char desc[160];
            rj_net_block_label(desc, sizeof(desc), net, l);
            return rj_error_set(err, RJ_ERR_LIMIT,
                                "the exact layer would hold more than %ld matrix entries "
                                "for this network (limit RJ_EXACT_MAX_ENTRIES, reached at %s "
                                "of %ld)", (long) RJ_EXACT_MAX_ENTRIES, desc,
                                (long) net->len);
        }
    }
    return RJ_OK;
}

/* ------------------------------------------------------------------ activations */

static void
scale_rows(fmpq_mat_t A, const fmpq_mat_t d)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_mul(fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j), fmpq_mat_entry(d, i, 0));
}

static void
scale_cols(fmpq_mat_t A, const fmpq_mat_t d)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_mul(fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j), fmpq_mat_entry(d, j, 0));
}

static void
add_bias(fmpq_mat_t v, const fmpq_mat_t b)
{
    if (fmpq_mat_nrows(b) != 0)
        fmpq_mat_add(v, v, b);
}

/* ------------------------------------------------------------------ one block */

/* The derivatives of block b's activations at one point: sigma'(u) of a PRE
   placement, act'(W1 v + b1) of a two-layer branch, sigma'(S u + F) of a POST
   placement; 0x0 where the block has no such activation. */
typedef struct {
    fmpq_mat_struct *pre, *mid, *post;
    fmpq_mat_struct *lay;      /* general blocks: one record per branch layer */
} block_derivs;

/* The Jacobian of the layers of s at the recorded pieces (records d, one per
   layer; NULL: affine layers only) times M: J = J_k ... J_1 M, into M. */
static void
seq_jacobian(fmpq_mat_t M, const rj_seq_struct *s, const fmpq_mat_struct *d)
{
    slong i;
    fmpq_mat_t T, none;
    fmpq_mat_init(T, 0, 0);
    fmpq_mat_init(none, 0, 0);
    for (i = 0; i < s->len; i++) {
        _rj_exact_layer_apply(T, s->layers + i, d == NULL ? none : d + i, M);
        fmpq_mat_swap(T, M);
    }
    fmpq_mat_clear(T);
    fmpq_mat_clear(none);
}

/* R = J_F [D_pre] of a general block: the product of the branch layers'
   Jacobians at their recorded pieces. */
static void
general_branch_jacobian(fmpq_mat_t R, const rj_block_struct *b, const block_derivs *dv)
{
    fmpq_mat_t M;
    slong i;
    fmpq_mat_init(M, b->n_in, b->n_in);
    fmpq_mat_one(M);
    if (b->place == RJ_PLACE_PRE)
        for (i = 0; i < b->n_in; i++)
            fmpq_set(fmpq_mat_entry(M, i, i), fmpq_mat_entry(dv->pre, i, 0));
    seq_jacobian(M, b->branch, dv->lay);
    fmpq_mat_set(R, M);
    fmpq_mat_clear(M);
}

/* The branch of a shorthand block at its input v: F = W2 act(W1 v + b1) + b2
   or W1 v + b1 (+ b2); z is scratch of W1's rows. */
static void
shorthand_branch(fmpq_mat_t F, fmpq_mat_t z, const block_derivs *dv, const rj_block_struct *b,
                 const fmpq_mat_t v, slong l, rj_ties_struct *ties)
{
    fmpq_mat_mul(z, b->W1, v);
    add_bias(z, b->b1);
    if (b->two_layer) {
        _rj_exact_act_vec(z, dv == NULL ? NULL : dv->mid, b->act, ties, l, 0, 1);
        fmpq_mat_mul(F, b->W2, z);
    } else {
        fmpq_mat_set(F, z);
    }
    add_bias(F, b->b2);

}

/* The layers of s applied to v in turn (a general block's branch, or its
   projection), their records into lay when not NULL, their ties (block l)
   into ties (may be NULL); F gets the output. */
static void
seq_forward(fmpq_mat_t F, fmpq_mat_struct *lay, const rj_seq_struct *s, const fmpq_mat_t v,
            slong l, rj_ties_struct *ties)
{
    slong i;
    fmpq_mat_t cur, scratch;
    fmpq_mat_init_set(cur, v);
    fmpq_mat_init(scratch, 0, 0);
    for (i = 0; i < s->len; i++) {
        _rj_exact_layer_forward(F, lay == NULL ? scratch : lay + i, s->layers + i, cur, ties,
                                l, i);
        fmpq_mat_swap(cur, F);
    }
    fmpq_mat_swap(cur, F);
    fmpq_mat_clear(cur);
    fmpq_mat_clear(scratch);
}

/* y = block(u), the ties met appended to ties (may be NULL); when dv is not
   NULL its columns get the activations' derivatives (the right side at a
   tie).  y has the block's output width. */
static void
block_forward(fmpq_mat_t y, const block_derivs *dv, const rj_block_struct *b,
              const fmpq_mat_t u, slong l, rj_ties_struct *ties)
{
    slong n_out = fmpq_mat_nrows(y);
    fmpq_mat_t v, z, F, sx;

    fmpq_mat_init_set(v, u);
    fmpq_mat_init(z, fmpq_mat_nrows(b->W1), 1);
    fmpq_mat_init(F, n_out, 1);
    fmpq_mat_init(sx, n_out, 1);

    /* branch input v = sigma(u) (pre) or u */
    if (b->place == RJ_PLACE_PRE)
        _rj_exact_act_vec(v, dv == NULL ? NULL : dv->pre, b->outer, ties, l, 1, -1);

    /* F = W2 act(W1 v + b1) + b2, or W1 v + b1 (+ b2), or the layers */
    if (b->general)
        seq_forward(F, dv == NULL ? NULL : dv->lay, b->branch, v, l, ties);
    else
        shorthand_branch(F, z, dv, b, v, l, ties);

    /* skip */
    switch (b->skip) {
    case RJ_SKIP_IDENTITY: fmpq_mat_set(sx, u); break;
    case RJ_SKIP_SCALED: fmpq_mat_scalar_mul_fmpq(sx, u, b->alpha); break;
    case RJ_SKIP_PROJECT:
        if (b->general)
            seq_forward(sx, NULL, b->proj, u, l, NULL);
        else
            fmpq_mat_mul(sx, b->Ws, u);
        break;
    default: fmpq_mat_zero(sx); break;
    }
    fmpq_mat_add(y, sx, F);
    if (b->place == RJ_PLACE_POST)
        _rj_exact_act_vec(y, dv == NULL ? NULL : dv->post, b->outer, ties, l, 1, -1);

    fmpq_mat_clear(v);
    fmpq_mat_clear(z);
    fmpq_mat_clear(F);
    fmpq_mat_clear(sx);
}

/* S_l and R_l of block b from its activations' derivatives (already
   initialised with the block's shape):
   R = [D_post] J_F [D_pre], J_F = W2 D_mid W1 or W1; S = [D_post] S. */
static void
block_parts(fmpq_mat_t S, fmpq_mat_t R, const rj_block_struct *b, const block_derivs *dv)
{
    fmpq_mat_t M;
    if (b->general)
        general_branch_jacobian(R, b, dv);
    else {
        fmpq_mat_init_set(M, b->W1);
        if (b->place == RJ_PLACE_PRE)
            scale_cols(M, dv->pre);
        if (b->two_layer) {
            scale_rows(M, dv->mid);
            fmpq_mat_mul(R, b->W2, M);
        } else {
            fmpq_mat_set(R, M);
        }
        fmpq_mat_clear(M);
    }

    switch (b->skip) {
    case RJ_SKIP_IDENTITY: fmpq_mat_one(S); break;
    case RJ_SKIP_SCALED: fmpq_mat_one(S); fmpq_mat_scalar_mul_fmpq(S, S, b->alpha); break;
    case RJ_SKIP_PROJECT:
        if (b->general) {          /* the projection's Jacobian (affine layers) */
            fmpq_mat_init(M, b->n_in, b->n_in);
            fmpq_mat_one(M);
            seq_jacobian(M, b->proj, NULL);
            fmpq_mat_set(S, M);
            fmpq_mat_clear(M);
        } else
            fmpq_mat_set(S, b->Ws);
        break;
    default: fmpq_mat_zero(S); break;
    }
    if (b->place == RJ_PLACE_POST) {
        scale_rows(S, dv->post);
        scale_rows(R, dv->post);
    }
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

/* ------------------------------------------------------------------ record */

void
rj_exact_record_init(rj_exact_record_t rec)
{
    rec->net = NULL;
    rec->len = 0;
    rec->h = NULL;
    rec->dpre = rec->dmid = rec->dpost = NULL;
    rec->dlay = NULL;
    rec->tie_start = NULL;
    rj_ties_init(rec->ties);
}

static void
mats_free(fmpq_mat_struct *A, slong n)
{
    slong i;
    if (A == NULL)
        return;
    for (i = 0; i < n; i++)
        fmpq_mat_clear(A + i);
    flint_free(A);
}

static fmpq_mat_struct *
mats_alloc(slong n)
{
    slong i;
    fmpq_mat_struct *A = flint_malloc(FLINT_MAX(n, 1) * sizeof(fmpq_mat_struct));
    for (i = 0; i < n; i++)
        fmpq_mat_init(A + i, 0, 0);
    return A;
}

void
rj_exact_record_clear(rj_exact_record_t rec)
{
    mats_free(rec->h, rec->len + 1);
    mats_free(rec->dpre, rec->len);
    mats_free(rec->dmid, rec->len);
    mats_free(rec->dpost, rec->len);
    if (rec->dlay != NULL) {
        slong l;
        for (l = 0; l < rec->len; l++)
            if (rec->dlay[l] != NULL)
                mats_free(rec->dlay[l], rec->net->blocks[l].branch->len);
        flint_free(rec->dlay);
    }
    flint_free(rec->tie_start);
    rj_ties_clear(rec->ties);
    rj_exact_record_init(rec);
}

int
rj_exact_record(rj_exact_record_t rec, const rj_net_t net, const fmpq_mat_t x,
                rj_error_t err)
{
    slong l, L = net->len;
    growth_t g;
    int st;

    rj_exact_record_clear(rec);
    if ((st = check_net(net, x, 1, err)) != RJ_OK)
        return st;
    rec->net = net;
    rec->len = L;
    rec->h = mats_alloc(L + 1);
    rec->dpre = mats_alloc(L);
    rec->dmid = mats_alloc(L);
    rec->dpost = mats_alloc(L);
    rec->dlay = flint_malloc(FLINT_MAX(L, 1) * sizeof(fmpq_mat_struct *));
    for (l = 0; l < L; l++)
        rec->dlay[l] = net->blocks[l].general ? mats_alloc(net->blocks[l].branch->len) : NULL;
    rec->tie_start = flint_malloc((L + 1) * sizeof(slong));
    fmpq_mat_clear(rec->h + 0);
    fmpq_mat_init_set(rec->h + 0, x);
    g.first = g.total = vec_bits(x);
    for (l = 0; l < L; l++) {
        block_derivs dv;
        dv.pre = rec->dpre + l;
        dv.mid = rec->dmid + l;
        dv.post = rec->dpost + l;
        dv.lay = rec->dlay[l];
        rec->tie_start[l] = rec->ties->len;
        _rj_fmpq_mat_reshape(rec->h + l + 1, block_out_width(net->blocks + l), 1);
        block_forward(rec->h + l + 1, &dv, net->blocks + l, rec->h + l, l, rec->ties);
        if ((st = growth_check(&g, vec_bits(rec->h + l + 1), l, L, err)) != RJ_OK)
            return st;
    }
    rec->tie_start[L] = rec->ties->len;
    return RJ_OK;
}

/* ------------------------------------------------------------------ parts */

/* RJ_ERR_INPUT unless pol's mode is one of rj_tie_mode's. */
static int
check_mode(rj_tie_policy pol, rj_error_t err)
{
    if (pol.mode != RJ_TIE_LEFT && pol.mode != RJ_TIE_RIGHT && pol.mode != RJ_TIE_CHOICE
        && pol.mode != RJ_TIE_CHOICE_FIRST)
        return rj_error_set(err, RJ_ERR_INPUT, "unknown tie mode %d", (int) pol.mode);
    return RJ_OK;
}

/* 1 if tie number i takes the right side under pol (exact.h). */
static int
tie_right(rj_tie_policy pol, slong i)
{
    if (pol.mode == RJ_TIE_CHOICE || pol.mode == RJ_TIE_CHOICE_FIRST)
        return i >= FLINT_BITS ? pol.mode == RJ_TIE_CHOICE_FIRST : (int) ((pol.choice >> i) & 1);
    return pol.mode == RJ_TIE_RIGHT;
}

static int
check_policy(const rj_exact_record_t rec, rj_tie_policy pol, rj_error_t err)
{
    if (check_mode(pol, err) != RJ_OK)
        return RJ_ERR_INPUT;
    if (rec->h == NULL)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the record holds no point (compute it with rj_exact_record)");
    if (pol.mode == RJ_TIE_CHOICE && rec->ties->len > FLINT_BITS)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "block %ld: tie number %ld: a tie choice word holds only %d ties",
                            (long) (rec->ties->ties[FLINT_BITS].block + 1),
                            (long) (FLINT_BITS + 1), FLINT_BITS);
    return RJ_OK;
}

/* S_l, R_l of block l of rec under pol: the record's derivatives with the
   block's ties set to the side pol gives them. */
static void
record_block_parts(fmpq_mat_t S, fmpq_mat_t R, const rj_exact_record_t rec, slong l,
                   rj_tie_policy pol)
{
    const rj_block_struct *b = rec->net->blocks + l;
    slong i, nlay = b->general ? b->branch->len : 0;
    block_derivs dv;
    fmpq_mat_t pre, mid, post;
    fmpq_mat_struct *lay = NULL;
    int chosen = 0;     /* a stage of the current maxpool output chose its maximum */

    if (rec->tie_start[l] == rec->tie_start[l + 1]) {
        dv.pre = rec->dpre + l;
        dv.mid = rec->dmid + l;
        dv.post = rec->dpost + l;
        dv.lay = rec->dlay[l];
        block_parts(S, R, b, &dv);
        return;
    }
    fmpq_mat_init_set(pre, rec->dpre + l);
    fmpq_mat_init_set(mid, rec->dmid + l);
    fmpq_mat_init_set(post, rec->dpost + l);
    if (nlay > 0) {
        lay = flint_malloc(nlay * sizeof(fmpq_mat_struct));
        for (i = 0; i < nlay; i++)
            fmpq_mat_init_set(lay + i, rec->dlay[l] + i);
    }
    for (i = rec->tie_start[l]; i < rec->tie_start[l + 1]; i++) {
        const rj_tie_struct *t = rec->ties->ties + i;
        int right = tie_right(pol, i);
        if (t->where == 0 && b->general) {
            const rj_layer_struct *La = b->branch->layers + t->layer;
            if (La->kind == RJ_LAYER_MAXPOOL) {
                /* stick breaking (layers.c): the stages of one output come in
                   order; the first on the left selects its maximum, none on
                   the left the last one */
                fmpq_mat_struct *d = lay + t->layer;
                if (t->stage == 0) {
                    _rj_exact_maxpool_select(d, t->unit,
                                             _rj_exact_maxpool_count(d, t->unit) - 1);
                    chosen = 0;
                }
                if (!right && !chosen) {
                    _rj_exact_maxpool_select(d, t->unit, t->stage);
                    chosen = 1;
                }
            } else
                _rj_exact_act_side(fmpq_mat_entry(lay + t->layer, t->unit, 0), La->act, right);
        } else {
            fmpq_mat_struct *d = t->where == 0 ? mid : b->place == RJ_PLACE_PRE ? pre : post;
            _rj_exact_act_side(fmpq_mat_entry(d, t->unit, 0), t->where == 0 ? b->act : b->outer,
                               right);
        }
    }
    dv.pre = pre;
    dv.mid = mid;
    dv.post = post;
    dv.lay = lay;
    block_parts(S, R, b, &dv);
    fmpq_mat_clear(pre);
    fmpq_mat_clear(mid);
    fmpq_mat_clear(post);
    for (i = 0; i < nlay; i++)
        fmpq_mat_clear(lay + i);
    flint_free(lay);
}

int
rj_exact_parts_set_record(rj_exact_parts_t parts, const rj_exact_record_t rec,
                          rj_tie_policy pol, rj_error_t err)
{
    slong l, L = rec->len;
    int st;

    if ((st = check_policy(rec, pol, err)) != RJ_OK)
        return st;
    rj_exact_parts_clear(parts);
    parts->len = L;
    parts->h = mats_alloc(L + 1);
    parts->S = flint_malloc(FLINT_MAX(L, 1) * sizeof(fmpq_mat_struct));
    parts->R = flint_malloc(FLINT_MAX(L, 1) * sizeof(fmpq_mat_struct));
    for (l = 0; l <= L; l++)
        _rj_fmpq_mat_reshape(parts->h + l, fmpq_mat_nrows(rec->h + l), 1);
    for (l = 0; l <= L; l++)
        fmpq_mat_set(parts->h + l, rec->h + l);
    for (l = 0; l < L; l++) {
        slong r = fmpq_mat_nrows(rec->h + l + 1), c = fmpq_mat_nrows(rec->h + l);
        fmpq_mat_init(parts->S + l, r, c);
        fmpq_mat_init(parts->R + l, r, c);
        record_block_parts(parts->S + l, parts->R + l, rec, l, pol);
    }
    return RJ_OK;
}

int
rj_exact_parts_rechoose(rj_exact_parts_t parts, const rj_exact_record_t rec,
                        rj_tie_policy pol, rj_error_t err)
{
    slong i, l;
    int st;

    if ((st = check_policy(rec, pol, err)) != RJ_OK)
        return st;
    if (parts->h == NULL || parts->len != rec->len)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the parts do not hold this record's point (set them with "
                            "rj_exact_parts_set_record first)");
    for (i = 0; i < rec->ties->len; i = rec->tie_start[l + 1]) {
        l = rec->ties->ties[i].block;
        record_block_parts(parts->S + l, parts->R + l, rec, l, pol);
    }
    return RJ_OK;
}

int
rj_exact_parts(rj_exact_parts_t parts, rj_ties_t ties, const rj_net_t net,
               const fmpq_mat_t x, rj_tie_policy pol, rj_error_t err)
{
    rj_exact_record_t rec;
    slong i;
    int st;

    if ((st = check_mode(pol, err)) != RJ_OK)
        return st;
    rj_exact_record_init(rec);
    st = rj_exact_record(rec, net, x, err);
    if (st == RJ_OK)
        for (i = 0; i < rec->ties->len; i++) {
            rj_ties_push_layer(ties, rec->ties->ties[i].block, rec->ties->ties[i].where,
                               rec->ties->ties[i].layer, rec->ties->ties[i].unit);
            if (ties != NULL)
                ties->ties[ties->len - 1].stage = rec->ties->ties[i].stage;
        }
    if (st == RJ_OK)
        st = rj_exact_parts_set_record(parts, rec, pol, err);
    rj_exact_record_clear(rec);
    return st;
}

int
rj_exact_forward(fmpq_mat_t y, const rj_net_t net, const fmpq_mat_t x, rj_error_t err)
{
    slong l;
    growth_t g;
    fmpq_mat_t u, w;
    int st;

    if ((st = check_net(net, x, 0, err)) != RJ_OK)
        return st;
    fmpq_mat_init_set(u, x);
    g.first = g.total = vec_bits(x);
    for (l = 0; l < net->len && st == RJ_OK; l++) {
        fmpq_mat_init(w, block_out_width(net->blocks + l), 1);
        block_forward(w, NULL, net->blocks + l, u, l, NULL);
        st = growth_check(&g, vec_bits(w), l, net->len, err);
        fmpq_mat_swap(u, w);
        fmpq_mat_clear(w);
    }
    if (st == RJ_OK) {
        _rj_fmpq_mat_reshape(y, fmpq_mat_nrows(u), 1);
        fmpq_mat_set(y, u);
    }
    fmpq_mat_clear(u);
    return st;
}
