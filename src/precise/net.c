/* resjac precise layer: enclosures of forward values, Jacobian parts S_l, R_l,
 * products, graded components and input gradients of a network.
 *
 * The block semantics and the tie order are the model's (include/resjac/model.h:
 * the block forms and rj_ties_t); where the exact layer picks a
 * side at a tie, this layer encloses both: a relu derivative over an interval
 * that contains 0 is [0, 1] ([a, 1] for leaky_relu) and the tie is reported. */
#include <math.h>
#include <flint/fmpz_mat.h>

#include "precise_internal.h"

/* ------------------------------------------------------------ working precision */

static double
abs_inf_norm_d(const fmpq_mat_t A)
{
    slong i, j;
    double m = 0.0;
    for (i = 0; i < fmpq_mat_nrows(A); i++) {
        double s = 0.0;
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            s += fabs(fmpq_get_d(fmpq_mat_entry(A, i, j)));
        m = FLINT_MAX(m, s);
    }
    return m;
}

static double
act_lip(const rj_act_struct *a)
{
    switch (a->kind) {
    case RJ_ACT_LEAKY_RELU:
        return FLINT_MAX(1.0, fabs(fmpq_get_d(a->slope)));
    case RJ_ACT_SIGMOID:
        return 0.25;
    default:
        return 1.0;
    }
}

/* [PB 7] The entrywise radius of h_l grows at most by the factor
   ||S||_inf + ||W2||_inf Lip ||W1||_inf (times the outer Lipschitz constant) per
   block; the forward pass runs with that many extra bits (capped) so the
   enclosures of the h_l stay about prec bits wide.  This only chooses a
   precision: the enclosures are rigorous at any precision. */
static slong
forward_prec(const rj_net_t net, slong prec)
{
    slong l;
    double bits = 16.0 + 2.0 * FLINT_BIT_COUNT(net->len + 1);
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        double s, f, g;
        switch (b->skip) {
        case RJ_SKIP_IDENTITY: s = 1.0; break;
        case RJ_SKIP_SCALED: s = fabs(fmpq_get_d(b->alpha)); break;
        case RJ_SKIP_PROJECT: s = abs_inf_norm_d(b->Ws); break;
        default: s = 0.0; break;
        }
        f = abs_inf_norm_d(b->W1);
        if (b->two_layer)
            f *= act_lip(b->act) * abs_inf_norm_d(b->W2);
        g = s + f * (b->place == RJ_PLACE_PRE ? act_lip(b->outer) : 1.0);
        if (b->place == RJ_PLACE_POST)
            g *= act_lip(b->outer);
        if (g > 1.0 && isfinite(g))
            bits += log2(g);
        else if (!isfinite(g))
            bits += 64.0;
    }
    bits = FLINT_MIN(bits, 4.0 * prec + 512.0);
    return FLINT_MIN((slong) (prec + ceil(bits)), (slong) RJ_PRECISE_PREC_MAX);
}

/* [memory] A pass over a network of width w (the largest of its widths) at
   working precision p holds a few w x w matrices per block (W1, W2 and the
   parts S, R as rj_imat_t, their sum, the Rump product's integer and double
   copies, the normwise balls of the streamed product) and a stack of about
   log2 L normwise balls.  Measured peaks of `resjac bounds` (dense weights,
   width 256, 3 blocks) are the storage of 21 w x w rj_imat_t at 128 bits and
   of 25 at 4,096 bits (1,990 and 14,500 bytes per entry); the estimate takes
   RJP_PASS_MATS plus the stack, an upper bound with a margin.  `extra` counts
   the w x w matrices a function keeps besides (stored parts, graded
   components). */
#define RJP_PASS_MATS 32

static int
check_pass_memory(slong extra, slong w, slong L, slong p, rj_error_t err)
{
    return rj_precise_check_memory(RJP_PASS_MATS + FLINT_BIT_COUNT(L) + extra, w, w, p, err);
}

/* ------------------------------------------------------------ a network converted once */

void
rj_precise_net_init(rj_precise_net_t pn)
{
    pn->net = NULL;
    pn->prec = 0;
    pn->wp = 0;
    pn->mats = 0;
    pn->blocks = NULL;
}

void
rj_precise_net_clear(rj_precise_net_t pn)
{
    slong l;
    if (pn->blocks != NULL) {
        for (l = 0; l < pn->net->len; l++)
            _rjp_wblock_clear(pn->blocks + l);
        flint_free(pn->blocks);
    }
    rj_precise_net_init(pn);
}

/* pn for net at prec with nothing converted: the passes convert each block
   when they reach it (the functions taking an rj_net_t). */
static int
net_stream(rj_precise_net_t pn, const rj_net_t net, slong prec, rj_error_t err)
{
    int st;
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return st;
    rj_precise_net_clear(pn);
    pn->net = net;
    pn->prec = prec;
    pn->wp = forward_prec(net, prec);
    return RJ_OK;
}

/* The same with the point x converted at the working precision. */
static int
net_stream_fmpq(rj_precise_net_t pn, rj_imat_t xi, const rj_net_t net, const fmpq_mat_t x,
                slong prec, rj_error_t err)
{
    int st;
    if ((st = net_stream(pn, net, prec, err)) != RJ_OK)
        return st;
    rj_imat_set_fmpq_mat(xi, x, pn->wp);
    return RJ_OK;
}

static int
check_width(slong w, rj_error_t err)
{
    if (w > RJ_PRECISE_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "width %ld is above the precise layer's limit "
                            "RJ_PRECISE_MAX_WIDTH = %d", (long) w, RJ_PRECISE_MAX_WIDTH);
    return RJ_OK;
}

/* Memory of a pass over pn's network of width w with `extra` w x w matrices
   stored besides pn's converted weights. */
static int
check_pn_memory(const rj_precise_net_t pn, slong w, slong extra, rj_error_t err)
{
    slong L = pn->net->len;
    return check_pass_memory(extra + pn->mats, w, L,
                             FLINT_MAX(pn->wp, pn->prec + _rjp_prod_guard(L)), err);
}

int
rj_precise_net_set(rj_precise_net_t pn, const rj_net_t net, slong prec, rj_error_t err)
{
    slong l, w = rj_net_max_width(net);
    double entries = 0.0;
    int st;
    for (l = 0; l < net->len; l++)
        if (net->blocks[l].general) {
            char desc[160];
            rj_net_block_label(desc, sizeof(desc), net, l);
            return rj_error_set(err, RJ_ERR_DOMAIN,
                                "%s is given by its layers; the precise layer takes "
                                "W1/act/W2 blocks only (layer sequences: not yet)", desc);
        }
    if ((st = net_stream(pn, net, prec, err)) != RJ_OK)
        return st;
    if ((st = check_width(w, err)) != RJ_OK) {
        rj_precise_net_clear(pn);
        return st;
    }
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        entries += (double) fmpq_mat_nrows(b->W1) * fmpq_mat_ncols(b->W1)
            + fmpq_mat_nrows(b->b1) + fmpq_mat_nrows(b->b2) + 1;
        if (b->two_layer)
            entries += (double) fmpq_mat_nrows(b->W2) * fmpq_mat_ncols(b->W2);
        if (b->skip == RJ_SKIP_PROJECT)
            entries += (double) fmpq_mat_nrows(b->Ws) * fmpq_mat_ncols(b->Ws);
    }
    pn->mats = w > 0 ? (slong) ceil(entries / ((double) w * w)) : 0;
    if ((st = check_pn_memory(pn, w, 0, err)) != RJ_OK) {
        rj_precise_net_clear(pn);
        return st;
    }
    pn->blocks = flint_malloc(FLINT_MAX(net->len, 1) * sizeof(rjp_wblock_struct));
    for (l = 0; l < net->len; l++) {
        _rjp_wblock_init(pn->blocks + l, pn->wp);
        _rjp_wblock_set(pn->blocks + l, net->blocks + l, pn->wp);
    }
    return RJ_OK;
}

/* Limits of a pass over pn at x: the point, width and memory (with `extra`
   stored w x w matrices). */
static int
check_pass(const rj_precise_net_t pn, const rj_imat_t x, slong extra, rj_error_t err)
{
    int st;
    slong w;
    if (pn->net == NULL)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the converted network holds no network (rj_precise_net_set)");
    if ((st = rj_net_check_point(pn->net, x->r, x->c, err)) != RJ_OK)
        return st;
    w = FLINT_MAX(x->r, rj_net_max_width(pn->net));
    if ((st = check_width(w, err)) != RJ_OK)
        return st;
    return check_pn_memory(pn, w, extra, err);
}

/* Block l's converted weights: pn's, or block l converted into tmp now. */
static const rjp_wblock_struct *
wblock(rjp_wblock_t tmp, const rj_precise_net_t pn, slong l)
{
    if (pn->blocks != NULL)
        return pn->blocks + l;
    _rjp_wblock_set(tmp, pn->net->blocks + l, pn->wp);
    return tmp;
}

/* ------------------------------------------------------------ parts */

void
rj_precise_parts_init(rj_precise_parts_t p)
{
    p->len = 0;
    p->prec = 0;
    p->h = NULL;
    p->S = NULL;
    p->R = NULL;
    rj_ties_init(p->ties);
}

void
rj_precise_parts_clear(rj_precise_parts_t p)
{
    slong l;
    if (p->h != NULL) {
        for (l = 0; l <= p->len; l++)
            rj_imat_clear(p->h + l);
        for (l = 0; l < p->len; l++) {
            rj_imat_clear(p->S + l);
            rj_imat_clear(p->R + l);
        }
    }
    flint_free(p->h);
    flint_free(p->S);
    flint_free(p->R);
    rj_ties_clear(p->ties);
    rj_precise_parts_init(p);
}

int
rj_precise_net_parts(rj_precise_parts_t parts, const rj_precise_net_t pn, const rj_imat_t x,
                     rj_error_t err)
{
    slong l, L, wp = pn->wp;
    rjp_wblock_t tmp;
    int st;
    if ((st = check_pass(pn, x, 2 * pn->net->len, err)) != RJ_OK)
        return st;
    L = pn->net->len;
    rj_precise_parts_clear(parts);
    parts->len = L;
    parts->prec = pn->prec;
    parts->h = flint_malloc((L + 1) * sizeof(rj_imat_struct));
    parts->S = flint_malloc(FLINT_MAX(L, 1) * sizeof(rj_imat_struct));
    parts->R = flint_malloc(FLINT_MAX(L, 1) * sizeof(rj_imat_struct));
    for (l = 0; l <= L; l++)
        rj_imat_init(parts->h + l, 0, 0, wp);
    for (l = 0; l < L; l++) {
        rj_imat_init(parts->S + l, 0, 0, wp);
        rj_imat_init(parts->R + l, 0, 0, wp);
    }
    rj_imat_set(parts->h, x);
    _rjp_wblock_init(tmp, wp);
    for (l = 0; l < L && st == RJ_OK; l++)
        st = _rjp_wblock_eval(parts->h + l + 1, parts->S + l, parts->R + l, parts->ties,
                              wblock(tmp, pn, l), l, parts->h + l, wp, err);
    _rjp_wblock_clear(tmp);
    if (st != RJ_OK)
        rj_precise_parts_clear(parts);
    return st;
}

int
rj_precise_parts(rj_precise_parts_t parts, const rj_net_t net, const rj_imat_t x,
                 slong prec, rj_error_t err)
{
    rj_precise_net_t pn;
    int st;
    rj_precise_net_init(pn);
    if ((st = net_stream(pn, net, prec, err)) == RJ_OK)
        st = rj_precise_net_parts(parts, pn, x, err);
    rj_precise_net_clear(pn);
    return st;
}

int
rj_precise_parts_fmpq(rj_precise_parts_t parts, const rj_net_t net, const fmpq_mat_t x,
                      slong prec, rj_error_t err)
{
    rj_precise_net_t pn;
    rj_imat_t xi;
    int st;
    rj_precise_net_init(pn);
    rj_imat_init(xi, 0, 0, RJ_PRECISE_PREC_MIN);
    if ((st = net_stream_fmpq(pn, xi, net, x, prec, err)) == RJ_OK)
        st = rj_precise_net_parts(parts, pn, xi, err);
    rj_imat_clear(xi);
    rj_precise_net_clear(pn);
    return st;
}

/* ------------------------------------------------------------ forward */

int
rj_precise_net_forward(rj_imat_t y, const rj_precise_net_t pn, const rj_imat_t x,
                       rj_error_t err)
{
    slong l, wp = pn->wp;
    rj_imat_t h, z;
    rjp_wblock_t tmp;
    int st;
    if ((st = check_pass(pn, x, 0, err)) != RJ_OK)
        return st;
    rj_imat_init(h, 0, 0, wp);
    rj_imat_init(z, 0, 0, wp);
    _rjp_wblock_init(tmp, wp);
    rj_imat_set(h, x);
    for (l = 0; l < pn->net->len && st == RJ_OK; l++) {
        st = _rjp_wblock_eval(z, NULL, NULL, NULL, wblock(tmp, pn, l), l, h, wp, err);
        rj_imat_swap(h, z);
    }
    if (st == RJ_OK) {
        /* round to prec: an enclosure of an enclosure */
        slong i;
        rj_imat_reshape(y, h->r, 1, pn->prec);
        for (i = 0; i < h->r; i++) {
            int inex = mpfr_set(y->mid + i, h->mid + i, MPFR_RNDN);
            mpfr_set(y->rad + i, h->rad + i, MPFR_RNDU);
            _rjp_rad_add_ulp(y->rad + i, y->mid + i, inex);
        }
    }
    _rjp_wblock_clear(tmp);
    rj_imat_clear(h);
    rj_imat_clear(z);
    return st;
}

int
rj_precise_forward(rj_imat_t y, const rj_net_t net, const rj_imat_t x, slong prec,
                   rj_error_t err)
{
    rj_precise_net_t pn;
    int st;
    rj_precise_net_init(pn);
    if ((st = net_stream(pn, net, prec, err)) == RJ_OK)
        st = rj_precise_net_forward(y, pn, x, err);
    rj_precise_net_clear(pn);
    return st;
}

int
rj_precise_forward_fmpq(rj_imat_t y, const rj_net_t net, const fmpq_mat_t x, slong prec,
                        rj_error_t err)
{
    rj_precise_net_t pn;
    rj_imat_t xi;
    int st;
    rj_precise_net_init(pn);
    rj_imat_init(xi, 0, 0, RJ_PRECISE_PREC_MIN);
    if ((st = net_stream_fmpq(pn, xi, net, x, prec, err)) == RJ_OK)
        st = rj_precise_net_forward(y, pn, xi, err);
    rj_imat_clear(xi);
    rj_precise_net_clear(pn);
    return st;
}

/* ------------------------------------------------------------ products */

/* S + R as a normwise ball at precision pw. */
static void
block_factor(rj_nmat_t J, const rj_imat_t S, const rj_imat_t R, slong pw)
{
    rj_imat_t T;
    rj_imat_init(T, 0, 0, pw);
    rj_imat_add(T, S, R, FLINT_MAX(S->prec, pw));
    rj_nmat_set_imat(J, T, pw);
    rj_imat_clear(T);
}

/* C <- (S + R) C entrywise (Rump products): tighter than the normwise balls
   when factors have wide entries (possible ties) and the chain is short. */
static void
chain_step(rj_imat_t C, const rj_imat_t S, const rj_imat_t R, slong pw)
{
    rj_imat_t T;
    rj_imat_init(T, 0, 0, pw);
    rj_imat_add(T, S, R, FLINT_MAX(S->prec, pw));
    rj_imat_mul(C, T, C, pw);
    rj_imat_clear(T);
}

int
rj_precise_net_jacobian(rj_imat_t J, rj_ties_t ties, const rj_precise_net_t pn,
                        const rj_imat_t x, rj_error_t err)
{
    slong l, L, pw, wp = pn->wp, prec = pn->prec;
    rj_imat_t h, y, S, R, C;
    rj_nmat_t F, P;
    rj_nmat_prod_t stack;
    rjp_wblock_t tmp;
    int st;

    if ((st = check_pass(pn, x, 0, err)) != RJ_OK)
        return st;
    L = pn->net->len;
    pw = prec + _rjp_prod_guard(L);
    rj_imat_init(h, 0, 0, wp);
    rj_imat_init(y, 0, 0, wp);
    rj_imat_init(S, 0, 0, wp);
    rj_imat_init(R, 0, 0, wp);
    rj_nmat_init(F, 0, 0);
    rj_nmat_init(P, 0, 0);
    rj_nmat_prod_init(stack, pw);
    _rjp_wblock_init(tmp, wp);
    rj_imat_init(C, x->r, x->r, pw);
    rj_imat_one(C);
    rj_imat_set(h, x);
    for (l = 0; l < L && st == RJ_OK; l++) {
        st = _rjp_wblock_eval(y, S, R, ties, wblock(tmp, pn, l), l, h, wp, err);
        if (st == RJ_OK) {
            block_factor(F, S, R, pw);
            rj_nmat_prod_push(stack, F);
            if (L <= RJ_PRECISE_CHAIN_MAX_L)
                chain_step(C, S, R, pw);
            rj_imat_swap(h, y);
        }
    }
    if (st == RJ_OK) {
        rj_nmat_prod_finish(P, stack, x->r);
        rj_nmat_get_imat(J, P, prec);
        if (L <= RJ_PRECISE_CHAIN_MAX_L)
            rj_imat_intersect(J, J, C, prec);
    }
    rj_imat_clear(C);
    _rjp_wblock_clear(tmp);
    rj_nmat_prod_clear(stack);
    rj_nmat_clear(F);
    rj_nmat_clear(P);
    rj_imat_clear(h);
    rj_imat_clear(y);
    rj_imat_clear(S);
    rj_imat_clear(R);
    return st;
}

int
rj_precise_jacobian(rj_imat_t J, rj_ties_t ties, const rj_net_t net, const rj_imat_t x,
                    slong prec, rj_error_t err)
{
    rj_precise_net_t pn;
    int st;
    rj_precise_net_init(pn);
    if ((st = net_stream(pn, net, prec, err)) == RJ_OK)
        st = rj_precise_net_jacobian(J, ties, pn, x, err);
    rj_precise_net_clear(pn);
    return st;
}

int
rj_precise_jacobian_fmpq(rj_imat_t J, rj_ties_t ties, const rj_net_t net,
                         const fmpq_mat_t x, slong prec, rj_error_t err)
{
    rj_precise_net_t pn;
    rj_imat_t xi;
    int st;
    rj_precise_net_init(pn);
    rj_imat_init(xi, 0, 0, RJ_PRECISE_PREC_MIN);
    if ((st = net_stream_fmpq(pn, xi, net, x, prec, err)) == RJ_OK)
        st = rj_precise_net_jacobian(J, ties, pn, xi, err);
    rj_imat_clear(xi);
    rj_precise_net_clear(pn);
    return st;
}

/* The largest width of stored parts. */
static slong
parts_width(const rj_precise_parts_t parts)
{
    slong l, w = parts->h[0].r;
    for (l = 0; l < parts->len; l++)
        w = FLINT_MAX(w, FLINT_MAX(parts->S[l].r, parts->S[l].c));
    return w;
}

/* Limits of a product over stored parts at precision p with `extra` w x w
   matrices kept besides. */
static int
check_parts(const rj_precise_parts_t parts, slong prec, slong p, slong extra, rj_error_t err)
{
    int st;
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return st;
    if (parts->h == NULL)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the parts hold no point (compute them with rj_precise_parts)");
    return check_pass_memory(extra, parts_width(parts), parts->len, p, err);
}

int
rj_precise_expand_direct(rj_imat_t P, const rj_precise_parts_t parts, slong prec,
                         rj_error_t err)
{
    slong l, pw;
    rj_nmat_t F, Q;
    rj_imat_t C;
    rj_nmat_prod_t stack;
    int st;
    pw = prec + _rjp_prod_guard(parts->len);
    if ((st = check_parts(parts, prec, pw, 0, err)) != RJ_OK)
        return st;
    rj_nmat_init(F, 0, 0);
    rj_nmat_init(Q, 0, 0);
    rj_nmat_prod_init(stack, pw);
    rj_imat_init(C, parts->h[0].r, parts->h[0].r, pw);
    rj_imat_one(C);
    for (l = 0; l < parts->len; l++) {
        block_factor(F, parts->S + l, parts->R + l, pw);
        rj_nmat_prod_push(stack, F);
        if (parts->len <= RJ_PRECISE_CHAIN_MAX_L)
            chain_step(C, parts->S + l, parts->R + l, pw);
    }
    rj_nmat_prod_finish(Q, stack, parts->h[0].r);
    rj_nmat_get_imat(P, Q, prec);
    if (parts->len <= RJ_PRECISE_CHAIN_MAX_L)
        rj_imat_intersect(P, P, C, prec);
    rj_imat_clear(C);
    rj_nmat_prod_clear(stack);
    rj_nmat_clear(F);
    rj_nmat_clear(Q);
    return RJ_OK;
}

/* [PB 4] G_k^(l) = S_l G_k^(l-1) + R_l G_(k-1)^(l-1) on normwise balls. */
int
rj_precise_expand_graded(rj_imat_struct *G, const rj_precise_parts_t parts,
                         slong prec, rj_error_t err)
{
    slong L = parts->len, l, k, pw;
    rj_nmat_struct *cur, *nxt;
    rj_nmat_t S, R, T;
    int st;

    pw = prec + 32 + 2 * FLINT_BIT_COUNT(L);
    if ((st = check_parts(parts, prec, pw, 3 * (L + 1), err)) != RJ_OK)
        return st;
    if (L > RJ_PRECISE_GRADED_MAX_L)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "the graded expansion needs O(L^2) products; L = %ld is above "
                            "the limit RJ_PRECISE_GRADED_MAX_L = %d", (long) L,
                            RJ_PRECISE_GRADED_MAX_L);
    cur = flint_malloc((L + 1) * sizeof(rj_nmat_struct));
    nxt = flint_malloc((L + 1) * sizeof(rj_nmat_struct));
    for (k = 0; k <= L; k++) {
        rj_nmat_init(cur + k, parts->h[0].r, parts->h[0].r);
        rj_nmat_init(nxt + k, 0, 0);
    }
    rj_nmat_one(cur + 0);
    rj_nmat_init(S, 0, 0);
    rj_nmat_init(R, 0, 0);
    rj_nmat_init(T, 0, 0);
    for (l = 0; l < L; l++) {
        rj_nmat_set_imat(S, parts->S + l, pw);
        rj_nmat_set_imat(R, parts->R + l, pw);
        for (k = 0; k <= l + 1; k++) {
            if (k <= l) {
                rj_nmat_mul(nxt + k, S, cur + k, pw);
                if (k >= 1) {
                    rj_nmat_mul(T, R, cur + k - 1, pw);
                    rj_nmat_add(nxt + k, nxt + k, T, pw);
                }
            } else {
                rj_nmat_mul(nxt + k, R, cur + k - 1, pw);
            }
        }
        for (k = 0; k <= l + 1; k++)
            rj_nmat_swap(cur + k, nxt + k);
    }
    for (k = 0; k <= L; k++)
        rj_nmat_get_imat(G + k, cur + k, prec);
    for (k = 0; k <= L; k++) {
        rj_nmat_clear(cur + k);
        rj_nmat_clear(nxt + k);
    }
    flint_free(cur);
    flint_free(nxt);
    rj_nmat_clear(S);
    rj_nmat_clear(R);
    rj_nmat_clear(T);
    return RJ_OK;
}

/* v <- (S + R)^T v on normwise balls. */
static void
grad_step(rj_nmat_t v, const rj_imat_t S, const rj_imat_t R, slong pw)
{
    rj_nmat_t F, T;
    rj_nmat_init(F, 0, 0);
    rj_nmat_init(T, 0, 0);
    block_factor(F, S, R, pw);
    rj_nmat_transpose(F, F);
    rj_nmat_mul(T, F, v, pw);
    rj_nmat_swap(v, T);
    rj_nmat_clear(F);
    rj_nmat_clear(T);
}

static int
check_g(const rj_imat_t g, slong n, rj_error_t err)
{
    if (g->c != 1 || g->r != n)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "dL/dh_L must be a column vector of the output width %ld, got "
                            "%ldx%ld", (long) n, (long) g->r, (long) g->c);
    return RJ_OK;
}

int
rj_precise_grad(rj_imat_t v, const rj_precise_parts_t parts, const rj_imat_t g,
                slong prec, rj_error_t err)
{
    slong l, pw;
    rj_nmat_t w;
    int st;
    pw = prec + 16 + 2 * FLINT_BIT_COUNT(parts->len + 1);
    if ((st = check_parts(parts, prec, pw, 0, err)) != RJ_OK)
        return st;
    if ((st = check_g(g, parts->h[parts->len].r, err)) != RJ_OK)
        return st;
    rj_nmat_init(w, 0, 0);
    rj_nmat_set_imat(w, g, pw);
    for (l = parts->len - 1; l >= 0; l--)
        grad_step(w, parts->S + l, parts->R + l, pw);
    rj_nmat_get_imat(v, w, prec);
    rj_nmat_clear(w);
    return RJ_OK;
}

int
rj_precise_net_grad(rj_imat_t v, const rj_precise_net_t pn, const rj_imat_t x,
                    const rj_imat_t g, rj_error_t err)
{
    slong l, L, wp = pn->wp, pw;
    rj_imat_struct *h;
    rj_imat_t S, R;
    rj_nmat_t w;
    rjp_wblock_t tmp;
    int st;
    if ((st = check_pass(pn, x, 0, err)) != RJ_OK)
        return st;
    L = pn->net->len;
    pw = pn->prec + 16 + 2 * FLINT_BIT_COUNT(L + 1);
    h = flint_malloc((L + 1) * sizeof(rj_imat_struct));
    for (l = 0; l <= L; l++)
        rj_imat_init(h + l, 0, 0, wp);
    _rjp_wblock_init(tmp, wp);
    rj_imat_set(h, x);
    for (l = 0; l < L && st == RJ_OK; l++)
        st = _rjp_wblock_eval(h + l + 1, NULL, NULL, NULL, wblock(tmp, pn, l), l, h + l, wp,
                              err);
    if (st == RJ_OK)
        st = check_g(g, h[L].r, err);
    if (st == RJ_OK) {
        rj_imat_init(S, 0, 0, wp);
        rj_imat_init(R, 0, 0, wp);
        rj_nmat_init(w, 0, 0);
        rj_nmat_set_imat(w, g, pw);
        for (l = L - 1; l >= 0 && st == RJ_OK; l--) {
            st = _rjp_wblock_eval(NULL, S, R, NULL, wblock(tmp, pn, l), l, h + l, wp, err);
            if (st == RJ_OK)
                grad_step(w, S, R, pw);
        }
        if (st == RJ_OK)
            rj_nmat_get_imat(v, w, pn->prec);
        rj_nmat_clear(w);
        rj_imat_clear(S);
        rj_imat_clear(R);
    }
    _rjp_wblock_clear(tmp);
    for (l = 0; l <= L; l++)
        rj_imat_clear(h + l);
    flint_free(h);
    return st;
}

int
rj_precise_grad_net(rj_imat_t v, const rj_net_t net, const rj_imat_t x,
                    const rj_imat_t g, slong prec, rj_error_t err)
{
    rj_precise_net_t pn;
    int st;
    rj_precise_net_init(pn);
    if ((st = net_stream(pn, net, prec, err)) == RJ_OK)
        st = rj_precise_net_grad(v, pn, x, g, err);
    rj_precise_net_clear(pn);
    return st;
}
