/* resjac claims: the network functions of the claim language and their ReLU
 * ties.
 *
 *   jacobian(N, x)          dy/dx = J_L ... J_1       (exact layer)
 *   skip_part(N, x [, l])   S_l of block l (default: the only block)
 *   branch_part(N, x [, l]) R_l
 *   expand(N, x)            prod (S_l + R_l) by the direct product
 *   graded(N, x, k)         G_k, the sum of path products with k branch parts
 *   subsets_sum(N, x)       the sum over all 2^L subsets
 *   forward(N, x)           the output
 *   jvp(N, x, v)            an enclosure of J(x) v (precise layer, vectors only)
 *
 * N is a network or a block, x a column vector of the input width (a number
 * for width 1).  When the forward pass meets activations exactly at a kink
 * (ReLU ties), the value is computed for every one-sided choice (RJ_TIE_CHOICE)
 * and returned as a choice set keyed by the ties, which are identified by
 * (N, x) (rj_net_point_id: the network's part is hashed once, when it is
 * built; N is read in place, not copied) and their place (block, inner/outer, unit): two calls on the
 * same network and point share their ties, so `jacobian(B, x)` and
 * `skip_part(B, x) + branch_part(B, x)` are compared choice by choice.  A tie's
 * label names its place, the point and the call that first met it.
 *
 * Every one of these values is multilinear in the derivatives c_i at the ties
 * (each tie's derivative is one diagonal entry of one factor of a chain
 * product, and G_k and the subsets sum are sums of such products;
 * proofs/ties.md, section 1), so the choice set is marked CL_DEP_LIN and its
 * value at c = (1/2, ..., 1/2) is the mean of the vertex values.
 *
 * Networks with tanh or sigmoid (irrational values), and points that are
 * themselves enclosures, go to the precise layer: the value is an enclosure
 * matrix (cl_emat_ops, src/claims/encl_matrix.c) at the checker's current precision, which the
 * comparisons escalate.  There a ReLU tie is no choice set: the precise layer
 * encloses the derivative over the whole Clarke interval [0, 1] ([a, 1] for
 * leaky_relu), so the enclosure holds every choice at once. */
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ arguments */

/* The network of argument i, read in place: *net points to the value's network
   (valid: the language builds networks only through rj_net_validate), or, for
   a block, to own holding a one-block network. */
static int
get_net(const rj_net_struct **net, rj_net_t own, const cl_args *b, slong i, rj_error_t err)
{
    const rj_val_struct *v = b->a[i];
    char d[120];
    if (v->kind == RJ_VAL_NET) {
        *net = v->net;
        return RJ_OK;
    }
    if (v->kind == RJ_VAL_BLOCK) {
        rj_net_append(own, v->block, NULL);
        *net = own;
        return rj_net_validate(own, err);
    }
    rj_val_describe(d, sizeof(d), v);
    return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc,
                            "%s: argument %ld must be a network or a block, found %s",
                            b->name, (long) (i + 1), d);
}

/* The point: exact into x (returns 0), or an enclosure (a 1 x 1 or n x 1
   enclosure matrix, or an enclosure when n = 1) into xi (returns 1 in *encl). */
static int
get_point(fmpq_mat_t x, rj_imat_t xi, int *encl, const rj_net_t net, const cl_args *b,
          slong i, slong prec, rj_error_t err)
{
    const rj_val_struct *v = b->a[i];
    slong n = rj_net_width_in(net);
    char d[120];
    *encl = 0;
    if ((cl_val_is_emat(v) && cl_val_cols(v) == 1 && cl_val_rows(v) == n)
        || (rj_claims_val_is_encl(v) && n == 1)) {
        cl_emat_get_imat(xi, v, prec);
        *encl = 1;
        return RJ_OK;
    }
    if (v->kind == RJ_VAL_NUM && n == 1) {
        fmpq_mat_clear(x);
        fmpq_mat_init(x, 1, 1);
        fmpq_set(fmpq_mat_entry(x, 0, 0), v->num);
        return RJ_OK;
    }
    if (v->kind == RJ_VAL_MAT && fmpq_mat_ncols(v->mat) == 1 && fmpq_mat_nrows(v->mat) == n) {
        fmpq_mat_clear(x);
        fmpq_mat_init_set(x, v->mat);
        return RJ_OK;
    }
    rj_val_describe(d, sizeof(d), v);
    return rj_error_set_loc(err, RJ_ERR_INPUT, b->loc,
                            "%s: argument %ld must be a column vector of length %ld (the "
                            "network's input width), found %s", b->name, (long) (i + 1),
                            (long) n, d);
}

/* ------------------------------------------------------------ values from parts */

typedef enum { NF_JACOBIAN, NF_SKIP, NF_BRANCH, NF_EXPAND, NF_GRADED, NF_SUBSETS,
               NF_FORWARD } netfn;

static int
value_from_parts(rj_val_t out, netfn f, const rj_exact_parts_t parts, slong l, slong k,
                 rj_error_t err)
{
    fmpq_mat_t P;
    int st = RJ_OK;
    fmpq_mat_init(P, 0, 0);
    switch (f) {
    case NF_JACOBIAN:
    case NF_EXPAND:
        st = rj_expand_direct(P, parts, err);
        break;
    case NF_SUBSETS:
        st = rj_expand_subsets(P, parts, err);
        break;
    case NF_SKIP:
        fmpq_mat_clear(P);
        fmpq_mat_init_set(P, parts->S + l);
        break;
    case NF_BRANCH:
        fmpq_mat_clear(P);
        fmpq_mat_init_set(P, parts->R + l);
        break;
    case NF_GRADED: {
        slong i, L = parts->len;
        fmpq_mat_struct *G = flint_malloc((L + 1) * sizeof(fmpq_mat_struct));
        for (i = 0; i <= L; i++)
            fmpq_mat_init(G + i, 0, 0);
        st = rj_expand_graded(G, parts, err);
        if (st == RJ_OK) {
            if (k <= L) {
                fmpq_mat_clear(P);
                fmpq_mat_init_set(P, G + k);
            } else {
                /* no path has more branch parts than blocks: G_k = 0 */
                fmpq_mat_clear(P);
                fmpq_mat_init(P, fmpq_mat_nrows(G), fmpq_mat_ncols(G));
            }
        }
        for (i = 0; i <= L; i++)
            fmpq_mat_clear(G + i);
        flint_free(G);
        break;
    }
    case NF_FORWARD:
        st = rj_error_set(err, RJ_ERR_INTERNAL, "forward has no Jacobian parts");
        break;
    }
    if (st == RJ_OK)
        rj_val_set_fmpq_mat(out, P);
    fmpq_mat_clear(P);
    return st;
}

static void tie_place(char *buf, int len, const rj_net_t net, const rj_tie_struct *t);

/* "block 1 (B) outer relu (post), unit 1, at [0, 1] (first met by jacobian at
   f.rj:3:5)":
   the place, the point (shortened) and the call that met it, so that ties at
   the same place of two points or two networks read differently. */
static void
tie_label(char *buf, int len, const rj_net_t net, const rj_tie_struct *t, const fmpq_mat_t x,
          const cl_args *b)
{
    char place[300], at[120];
    rj_val_t xv;
    char *xs;
    rj_val_init(xv);
    rj_val_set_fmpq_mat(xv, x);
    xs = rj_val_get_str_short(xv, 40);
    tie_place(place, sizeof(place), net, t);
    if (b->loc.line > 0)
        snprintf(at, sizeof(at), " (first met by %s at %.60s%s%d:%d)", b->name,
                 b->loc.file != NULL ? b->loc.file : "", b->loc.file != NULL ? ":" : "",
                 b->loc.line, b->loc.col);
    else
        snprintf(at, sizeof(at), " (%s)", b->name);
    snprintf(buf, len, "%s, at %.80s%s", place, xs, at);
    flint_free(xs);
    rj_val_clear(xv);
}

static void
tie_place(char *buf, int len, const rj_net_t net, const rj_tie_struct *t)
{
    const rj_block_struct *b = net->blocks + t->block;
    char act[128], name[80];
    const char *nm = net->names != NULL ? net->names[t->block] : NULL;
    rj_tie_layer_name(act, sizeof(act), net, t);
    if (nm != NULL)
        snprintf(name, sizeof(name), " (%.60s)", nm);
    else
        name[0] = '\0';
    if (rj_tie_is_branch_layer(net, t) && t->stage > 0)
        snprintf(buf, len, "block %ld%s, branch layer %ld (%s), output %ld, maximum %ld",
                 (long) (t->block + 1), name, (long) (t->layer + 1), act, (long) (t->unit + 1),
                 (long) (t->stage + 1));
    else if (rj_tie_is_branch_layer(net, t))
        snprintf(buf, len, "block %ld%s, branch layer %ld (%s), %s %ld", (long) (t->block + 1),
                 name, (long) (t->layer + 1), act,
                 b->branch->layers[t->layer].kind == RJ_LAYER_MAXPOOL ? "output" : "unit",
                 (long) (t->unit + 1));
    else if (t->where == 0)
        snprintf(buf, len, "block %ld%s inner %s, unit %ld", (long) (t->block + 1), name, act,
                 (long) (t->unit + 1));
    else
        snprintf(buf, len, "block %ld%s outer %s (%s), unit %ld", (long) (t->block + 1), name,
                 act, b->place == RJ_PLACE_PRE ? "pre" : "post", (long) (t->unit + 1));
}

/* The value of f at (net, x) for every one-sided choice at the ties met. */
static int
net_choices(cl_cval_t out, netfn f, const rj_net_t net, const fmpq_mat_t x, slong l,
            slong k, cl_ctx *ctx, const cl_args *b, rj_error_t err)
{
    rj_exact_record_t rec;
    rj_ties_struct *ties;
    rj_exact_parts_t parts;
    rj_tie_policy pol;
    slong t, tk = 0, i, m, len, *ids = NULL, *keys = NULL, *kept = NULL;
    int *inert = NULL;
    rj_val_struct *items = NULL;
    int st;

    /* one forward pass; each choice rebuilds only the blocks with ties */
    rj_exact_record_init(rec);
    rj_exact_parts_init(parts);
    ties = rec->ties;
    pol.mode = RJ_TIE_RIGHT;
    pol.choice = 0;
    st = rj_exact_record(rec, net, x, err);
    if (st == RJ_OK)
        st = rj_exact_parts_set_record(parts, rec, pol, err);
    if (st != RJ_OK)
        goto done;
    t = ties->len;
    /* the Jacobian skips the ties it cannot depend on (proofs/ties.md section
       8); its parts and path sums keep every tie */
    inert = flint_calloc(FLINT_MAX(t, 1), sizeof(int));
    if (t > 0 && f == NF_JACOBIAN && (st = rj_exact_ties_inert(inert, rec, err)) != RJ_OK)
        goto done;
    kept = flint_malloc(FLINT_MAX(t, 1) * sizeof(slong));
    for (i = 0; i < t; i++)
        if (!inert[i])
            kept[tk++] = i;
    if (tk > 0 && kept[tk - 1] >= FLINT_BITS) {
        /* a choice word addresses the first FLINT_BITS ties (the later ones
           take the right side, which is sound only for inert ties) */
        st = rj_error_set(err, RJ_ERR_DOMAIN,
                          "%s meets %ld ReLU ties at this point; tie number %ld, which can "
                          "change it, lies past the %d ties a choice word addresses",
                          b->name, (long) t, (long) kept[tk - 1] + 1, FLINT_BITS);
        goto done;
    }
    if (tk > ctx->opts.max_ties) {
        /* the method cannot decide: not a bad claim */
        st = rj_error_set(err, RJ_ERR_DOMAIN,
                          "%s meets %ld ReLU ties at this point%s: enumerating their "
                          "one-sided choices exceeds the limit of %ld ties "
                          "(RJ_CLAIMS_MAX_TIES)", b->name, (long) tk,
                          t > tk ? " that can change it" : "", (long) ctx->opts.max_ties);
        goto done;
    }
    {
        ulong id[2];
        char label[600];
        rj_net_point_id(id, net, x);
        ids = flint_malloc(FLINT_MAX(t, 1) * sizeof(slong));
        keys = flint_malloc(FLINT_MAX(t, 1) * sizeof(slong));
        for (i = 0; i < t; i++) {
            tie_label(label, sizeof(label), net, ties->ties + i, x, b);
            /* where and layer in one key: a general block's branch layers each
               have their own units */
            /* a maxpool output's stages (k maxima: k - 1 ties) in the unit */
            ids[i] = cl_tie_intern(ctx, id[0], id[1], ties->ties[i].block,
                                   ties->ties[i].where + 2 * (int) (ties->ties[i].layer + 1),
                                   ties->ties[i].unit
                                   + ties->ties[i].stage * (slong) (RJ_MAX_WIDTH + 1), label);
            cl_note_seen(ctx, ids[i]);
            if (inert[i] && ctx->ties[ids[i]].dropped_claim != ctx->claims + 1) {
                ctx->ties[ids[i]].dropped_claim = ctx->claims + 1;   /* count it once */
                ctx->dropped_ties++;
            }
        }
        for (i = 0; i < tk; i++)
            keys[i] = ids[kept[i]];
    }
    if (tk == 0) {
        /* no tie, or none that can change the value: one plain value */
        st = value_from_parts(out->v, f, parts, l, k, err);
        flint_free(out->keys);
        out->keys = NULL;
        out->nkeys = 0;
        goto done;
    }
    /* sort the keys (insertion sort: t is small) */
    for (i = 1; i < tk; i++) {
        slong v = keys[i], j = i - 1;
        while (j >= 0 && keys[j] > v) {
            keys[j + 1] = keys[j];
            j--;
        }
        keys[j + 1] = v;
    }
    len = WORD(1) << tk;
    items = flint_malloc(len * sizeof(rj_val_struct));
    for (m = 0; m < len; m++)
        rj_val_init(items + m);
    for (m = 0; m < len && st == RJ_OK; m++) {
        /* kept tie i (in the order met) takes the side of its key's bit in m;
           an inert tie the right side (any side gives the same value) */
        ulong choice = 0;
        for (i = 0; i < FLINT_MIN(t, FLINT_BITS); i++) {     /* later ones: inert */
            slong p = 0;
            if (inert[i]) {
                choice |= UWORD(1) << i;
                continue;
            }
            while (keys[p] != ids[i])
                p++;
            if ((m >> p) & 1)
                choice |= UWORD(1) << i;
        }
        pol.mode = RJ_TIE_CHOICE_FIRST;     /* ties past the word are inert */
        pol.choice = choice;
        st = rj_exact_parts_rechoose(parts, rec, pol, err);
        if (st == RJ_OK)
            st = value_from_parts(items + m, f, parts, l, k, err);
    }
    if (st == RJ_OK) {
        /* multilinear in the tie derivatives: the centre is the vertex mean */
        rj_val_t center;
        rj_val_init(center);
        if (!cl_val_mean(center, items, len))
            rj_val_reset(center);
        cl_cval_set_choices(out, keys, tk, items, CL_DEP_LIN, center);
        rj_val_clear(center);
    }
    for (m = 0; m < len; m++)
        rj_val_clear(items + m);
    flint_free(items);
done:
    flint_free(ids);
    flint_free(keys);
    flint_free(kept);
    flint_free(inert);
    rj_exact_record_clear(rec);
    rj_exact_parts_clear(parts);
    return cl_locate(err, st, b->loc);
}

/* The last network the precise layer converted, as a copy of its own (so
   that it outlives the call; rj_precise_net_t points into it), with its
   weights converted at one precision: the calls of a claim at one precision
   (the cases of a quantifier, forward and jacobian of one network) convert
   the weights once. */
struct cl_net_cache_s {
    rj_net_t net;
    rj_precise_net_t pn;
};

void
cl_net_cache_clear(cl_ctx *ctx)
{
    if (ctx->net_cache == NULL)
        return;
    rj_precise_net_clear(ctx->net_cache->pn);
    rj_net_clear(ctx->net_cache->net);
    flint_free(ctx->net_cache);
    ctx->net_cache = NULL;
}

/* net converted for prec, from the cache when it holds an equal network at
   prec; NULL when converting every block is over a limit of the precise
   layer (the passes then convert each block when they reach it). */
static const rj_precise_net_struct *
converted_net(cl_ctx *ctx, const rj_net_t net, slong prec)
{
    struct cl_net_cache_s *c = ctx->net_cache;
    rj_error_t e;
    if (c != NULL && c->pn->net != NULL && c->pn->prec == prec && rj_net_equal(c->net, net))
        return c->pn;
    if (c == NULL) {
        c = flint_malloc(sizeof(struct cl_net_cache_s));
        rj_net_init(c->net);
        rj_precise_net_init(c->pn);
        ctx->net_cache = c;
    }
    rj_precise_net_clear(c->pn);
    rj_precise_net_init(c->pn);
    rj_net_set(c->net, net);
    rj_error_init(e);
    return rj_precise_net_set(c->pn, c->net, prec, e) == RJ_OK ? c->pn : NULL;
}

/* One pass of the precise layer for f: the output (forward), the Jacobian,
   or the parts into `parts`.  From the converted weights pn when there are
   some; when that is over the memory limit (the weights held besides the
   pass), or pn is NULL, converting each block when the pass reaches it (the
   same enclosures, bit for bit). */
static int
precise_pass(rj_imat_t P, rj_precise_parts_t parts, netfn f, const rj_precise_net_struct *pn,
             const rj_net_t net, const rj_imat_t x, slong prec, rj_error_t err)
{
    if (pn != NULL) {
        int st = f == NF_FORWARD ? rj_precise_net_forward(P, pn, x, err)
                 : f == NF_JACOBIAN ? rj_precise_net_jacobian(P, NULL, pn, x, err)
                 : rj_precise_net_parts(parts, pn, x, err);
        if (st != RJ_ERR_LIMIT)
            return st;
        rj_error_init(err);
    }
    return f == NF_FORWARD ? rj_precise_forward(P, net, x, prec, err)
           : f == NF_JACOBIAN ? rj_precise_jacobian(P, NULL, net, x, prec, err)
           : rj_precise_parts(parts, net, x, prec, err);
}

/* The value of f at (net, x) by the precise layer at precision prec: an
   enclosure matrix, every tie's derivative enclosed over [0, 1]. */
static int
net_precise(cl_cval_t out, netfn f, const rj_net_t net, const rj_imat_t x, slong l, slong k,
            cl_ctx *ctx, rj_loc_t loc, rj_error_t err)
{
    rj_imat_t P;
    rj_precise_parts_t parts;
    slong prec = ctx->prec;
    int st;
    rj_imat_init(P, 0, 0, prec);
    rj_precise_parts_init(parts);
    st = precise_pass(P, parts, f, converted_net(ctx, net, prec), net, x, prec, err);
    if (st == RJ_OK && f != NF_FORWARD && f != NF_JACOBIAN) {
        switch (f) {
        case NF_SKIP: rj_imat_set(P, parts->S + l); break;
        case NF_BRANCH: rj_imat_set(P, parts->R + l); break;
        case NF_GRADED: {
            slong i, L = parts->len;
            rj_imat_struct *G = flint_malloc((L + 1) * sizeof(rj_imat_struct));
            for (i = 0; i <= L; i++)
                rj_imat_init(G + i, 0, 0, prec);
            st = rj_precise_expand_graded(G, parts, prec, err);
            if (st == RJ_OK && k <= L)
                rj_imat_set(P, G + k);
            else if (st == RJ_OK)     /* no path has more branch parts than blocks */
                rj_imat_reshape(P, G[0].r, G[0].c, prec);
            for (i = 0; i <= L; i++)
                rj_imat_clear(G + i);
            flint_free(G);
            break;
        }
        default:   /* expand, subsets_sum: both equal the product of S_l + R_l */
            st = rj_precise_expand_direct(P, parts, prec, err);
            break;
        }
    }
    if (st == RJ_OK) {
        cl_cval_set_plain(out, out->v);
        st = cl_emat_set_imat(out->v, P, loc, err);
    }
    rj_imat_clear(P);
    rj_precise_parts_clear(parts);
    return st;
}

/* jacobian(N, x, c): one Jacobian, ReLU'(0) = c at every tie (the left side,
   c = 0, is PyTorch's and JAX's rule, x > 0 ? 1 : 0, and at a maxpool tie
   their first maximum; c = 1 the right side), a plain value whatever ties
   are met; the ties are counted in ctx for the evidence.  (With tanh or
   sigmoid the precise layer encloses every tie over the whole Clarke
   interval, which holds the convention's value too.) */
static int
net_convention(cl_cval_t out, const rj_net_t net, const fmpq_mat_t x, int c, cl_ctx *ctx,
               rj_error_t err)
{
    rj_ties_t ties;
    rj_tie_policy pol;
    fmpq_mat_t J;
    int st;
    pol.mode = c == 0 ? RJ_TIE_LEFT : RJ_TIE_RIGHT;
    pol.choice = 0;
    rj_ties_init(ties);
    fmpq_mat_init(J, 0, 0);
    st = rj_exact_jacobian(J, ties, net, x, pol, err);
    if (st == RJ_OK) {
        ctx->conv_ties[c] += ties->len;
        cl_cval_set_plain(out, out->v);
        rj_val_set_fmpq_mat(out->v, J);
    }
    fmpq_mat_clear(J);
    rj_ties_clear(ties);
    return st;
}

static int
net_function(cl_cval_t out, netfn f, const cl_args *b, cl_ctx *ctx, rj_error_t err)
{
    const rj_net_struct *net = NULL;
    rj_net_t own;
    fmpq_mat_t x;
    rj_imat_t xi;
    slong l = 0, k = 0;
    int st, encl = 0;

    rj_net_init(own);
    fmpq_mat_init(x, 0, 0);
    rj_imat_init(xi, 0, 0, ctx->prec);
    st = get_net(&net, own, b, 0, err);
    if (st == RJ_OK)
        st = get_point(x, xi, &encl, net, b, 1, ctx->prec, err);
    if (st == RJ_OK && (f == NF_SKIP || f == NF_BRANCH)) {
        if (b->n == 3)
            st = cl_arg_si(&l, b, 2, 1, net->len, 0, "the block number l", err);
        else if (net->len != 1)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, b->loc,
                                  "%s of a network of %ld blocks needs the block number: "
                                  "%s(N, x, l)", b->name, (long) net->len, b->name);
        else
            l = 1;
        l--;
    }
    if (st == RJ_OK && f == NF_GRADED)
        st = cl_arg_si(&k, b, 2, 0, WORD(1) << 40, 1, "the path length k", err);
    if (st == RJ_OK && f == NF_JACOBIAN && b->n == 3)
        st = cl_arg_si(&k, b, 2, 0, 1, 0, "the convention c of jacobian(N, x, c) "
                       "(ReLU'(0) = c: 0 or 1)", err);
    if (st == RJ_OK && (encl || !rj_net_is_piecewise_linear(net))) {
        /* tanh, sigmoid, or an enclosed point: the precise layer */
        if (!encl)
            rj_imat_set_fmpq_mat(xi, x, ctx->prec);
        st = net_precise(out, f, net, xi, l, k, ctx, b->loc, err);
    } else if (st == RJ_OK && f == NF_FORWARD) {
        fmpq_mat_t y;
        fmpq_mat_init(y, 0, 0);
        st = rj_exact_forward(y, net, x, err);
        if (st == RJ_OK)
            rj_val_set_fmpq_mat(out->v, y);
        fmpq_mat_clear(y);
    } else if (st == RJ_OK && f == NF_JACOBIAN && b->n == 3)
        st = net_convention(out, net, x, (int) k, ctx, err);
    else if (st == RJ_OK)
        st = net_choices(out, f, net, x, l, k, ctx, b, err);
    rj_net_clear(own);
    fmpq_mat_clear(x);
    rj_imat_clear(xi);
    return cl_locate(err, st, b->loc);
}

int
cl_fn_jacobian(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
               rj_error_t err)
{
    return net_function(out, NF_JACOBIAN, b, ctx, err);
}

int
cl_fn_skip_part(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
                rj_error_t err)
{
    return net_function(out, NF_SKIP, b, ctx, err);
}

int
cl_fn_branch_part(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
                  rj_error_t err)
{
    return net_function(out, NF_BRANCH, b, ctx, err);
}

int
cl_fn_expand(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
             rj_error_t err)
{
    return net_function(out, NF_EXPAND, b, ctx, err);
}

int
cl_fn_graded(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
             rj_error_t err)
{
    return net_function(out, NF_GRADED, b, ctx, err);
}

int
cl_fn_subsets_sum(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
                  rj_error_t err)
{
    return net_function(out, NF_SUBSETS, b, ctx, err);
}

int
cl_fn_forward(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
              rj_error_t err)
{
    return net_function(out, NF_FORWARD, b, ctx, err);
}

/* jvp(N, x, v): an enclosure matrix holding J(x) v, from the precise layer's
   Jacobian-vector product (rj_precise_jvp: vector work only, so widths up to
   RJ_MAX_WIDTH, where jacobian(N, x) would form a width x width matrix), for
   every network, piecewise-linear or not; at a possible ReLU or maxpool tie it
   holds J v for every choice (the Clarke set), never one convention's value. */
int
cl_fn_jvp(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env, rj_error_t err)
{
    const rj_net_struct *net = NULL;
    rj_net_t own;
    fmpq_mat_t x, v;
    rj_imat_t xi, vi, JV;
    int st, ex = 0, ev = 0;
    rj_net_init(own);
    fmpq_mat_init(x, 0, 0);
    fmpq_mat_init(v, 0, 0);
    rj_imat_init(xi, 0, 0, ctx->prec);
    rj_imat_init(vi, 0, 0, ctx->prec);
    rj_imat_init(JV, 0, 0, ctx->prec);
    st = get_net(&net, own, b, 0, err);
    if (st == RJ_OK)
        st = get_point(x, xi, &ex, net, b, 1, ctx->prec, err);
    if (st == RJ_OK)
        st = get_point(v, vi, &ev, net, b, 2, ctx->prec, err);
    if (st == RJ_OK) {
        if (!ex)
            rj_imat_set_fmpq_mat(xi, x, ctx->prec);
        if (!ev)
            rj_imat_set_fmpq_mat(vi, v, ctx->prec);
        st = rj_precise_jvp(NULL, JV, NULL, net, xi, vi, ctx->prec, err);
    }
    if (st == RJ_OK) {
        cl_cval_set_plain(out, out->v);
        st = cl_emat_set_imat(out->v, JV, b->loc, err);
    }
    rj_net_clear(own);
    fmpq_mat_clear(x);
    fmpq_mat_clear(v);
    rj_imat_clear(xi);
    rj_imat_clear(vi);
    rj_imat_clear(JV);
    return cl_locate(err, st, b->loc);
}
