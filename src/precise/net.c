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

/* ------------------------------------------------------------ one block */

static int
act_ok(const rj_act_struct *a)
{
    return a->kind == RJ_ACT_IDENTITY || a->kind == RJ_ACT_RELU
        || a->kind == RJ_ACT_LEAKY_RELU || a->kind == RJ_ACT_TANH
        || a->kind == RJ_ACT_SIGMOID;
}

/* Apply act entrywise to the column v (in place); d (may be NULL) gets the
   derivative enclosures. */
static void
act_vec(rj_imat_t v, rj_imat_t d, const rj_act_struct *act, rj_ties_struct *ties,
        slong block, int where, slong prec)
{
    slong i;
    rj_itv_t x, y, dy;
    rj_itv_init(x, prec);
    rj_itv_init(y, prec);
    rj_itv_init(dy, prec);
    if (d != NULL)
        rj_imat_reshape(d, v->r, 1, prec);
    for (i = 0; i < v->r; i++) {
        int tie;
        rj_imat_get_itv(x, v, i, 0);
        rj_itv_act(y, dy, &tie, act, x);
        rj_imat_set_itv(v, i, 0, y);
        if (d != NULL)
            rj_imat_set_itv(d, i, 0, dy);
        if (tie)
            rj_ties_push(ties, block, where, i);
    }
    rj_itv_clear(x);
    rj_itv_clear(y);
    rj_itv_clear(dy);
}

static void
add_bias(rj_imat_t v, const fmpq_mat_t b, slong prec)
{
    rj_imat_t bi;
    if (fmpq_mat_nrows(b) == 0)
        return;
    rj_imat_init(bi, 0, 0, prec);
    rj_imat_set_fmpq_mat(bi, b, prec);
    rj_imat_add(v, v, bi, prec);
    rj_imat_clear(bi);
}

int
rj_precise_block(rj_imat_t y, rj_imat_t S, rj_imat_t R, rj_ties_t ties,
                 const rj_block_t blk, slong index, const rj_imat_t x,
                 slong prec, rj_error_t err)
{
    const rj_block_struct *b = blk;
    slong n_in = b->n_in, n_out = b->n_out;
    int want = (S != NULL || R != NULL), st;
    rj_imat_t v, z, F, sx, W1, W2, dpre, dmid, dpost, M;
    char desc[64];

    rj_block_label(desc, sizeof(desc), index, NULL);
    if ((st = rj_point_check(x->r, x->c, n_in, desc, err)) != RJ_OK)
        return st;
    if (!act_ok(b->act) || !act_ok(b->outer))
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown activation", desc);

    rj_imat_init(v, 0, 0, prec);
    rj_imat_init(z, 0, 0, prec);
    rj_imat_init(F, 0, 0, prec);
    rj_imat_init(sx, 0, 0, prec);
    rj_imat_init(W1, 0, 0, prec);
    rj_imat_init(W2, 0, 0, prec);
    rj_imat_init(dpre, 0, 0, prec);
    rj_imat_init(dmid, 0, 0, prec);
    rj_imat_init(dpost, 0, 0, prec);
    rj_imat_init(M, 0, 0, prec);

    /* branch input v = sigma(x) (pre) or x */
    rj_imat_set(v, x);
    if (b->place == RJ_PLACE_PRE)
        act_vec(v, dpre, b->outer, ties, index, 1, prec);
    rj_imat_set_fmpq_mat(W1, b->W1, prec);
    rj_imat_mul(z, W1, v, prec);
    add_bias(z, b->b1, prec);
    if (b->two_layer) {
        act_vec(z, dmid, b->act, ties, index, 0, prec);
        rj_imat_set_fmpq_mat(W2, b->W2, prec);
        rj_imat_mul(F, W2, z, prec);
    } else {
        rj_imat_set(F, z);
    }
    add_bias(F, b->b2, prec);

    /* skip part S x */
    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
        rj_imat_set(sx, x);
        break;
    case RJ_SKIP_SCALED: {
        rj_itv_t a;
        rj_itv_init(a, prec);
        rj_itv_set_fmpq(a, b->alpha);
        rj_imat_scalar_mul_itv(sx, x, a, prec);
        rj_itv_clear(a);
        break;
    }
    case RJ_SKIP_PROJECT: {
        rj_imat_t Ws;
        rj_imat_init(Ws, 0, 0, prec);
        rj_imat_set_fmpq_mat(Ws, b->Ws, prec);
        rj_imat_mul(sx, Ws, x, prec);
        rj_imat_clear(Ws);
        break;
    }
    default:
        rj_imat_reshape(sx, n_out, 1, prec);
        break;
    }
    rj_imat_add(F, sx, F, prec);
    if (b->place == RJ_PLACE_POST)
        act_vec(F, dpost, b->outer, ties, index, 1, prec);

    if (want) {
        /* R = [D_post] J_F [D_pre],  J_F = W2 D_mid W1 or W1 */
        rj_imat_set(M, W1);
        if (b->place == RJ_PLACE_PRE)
            rj_imat_mul_diag_right(M, M, dpre, prec);
        if (b->two_layer) {
            rj_imat_mul_diag_left(M, dmid, M, prec);
            rj_imat_mul(M, W2, M, prec);
        }
        if (b->place == RJ_PLACE_POST)
            rj_imat_mul_diag_left(M, dpost, M, prec);
        if (R != NULL)
            rj_imat_swap(R, M);
        if (S != NULL) {
            switch (b->skip) {
            case RJ_SKIP_IDENTITY:
                rj_imat_reshape(S, n_out, n_in, prec);
                rj_imat_one(S);
                break;
            case RJ_SKIP_SCALED: {
                slong i;
                rj_imat_reshape(S, n_out, n_in, prec);
                for (i = 0; i < n_out; i++) {
                    int inex = fmpq_get_mpfr(rj_imat_mid(S, i, i), b->alpha, MPFR_RNDN);
                    _rjp_rad_add_ulp(rj_imat_rad(S, i, i), rj_imat_mid(S, i, i), inex);
                }
                break;
            }
            case RJ_SKIP_PROJECT:
                rj_imat_set_fmpq_mat(S, b->Ws, prec);
                break;
            default:
                rj_imat_reshape(S, n_out, n_in, prec);
                break;
            }
            if (b->place == RJ_PLACE_POST)
                rj_imat_mul_diag_left(S, dpost, S, prec);
        }
    }
    if (y != NULL)
        rj_imat_swap(y, F);

    rj_imat_clear(v);
    rj_imat_clear(z);
    rj_imat_clear(F);
    rj_imat_clear(sx);
    rj_imat_clear(W1);
    rj_imat_clear(W2);
    rj_imat_clear(dpre);
    rj_imat_clear(dmid);
    rj_imat_clear(dpost);
    rj_imat_clear(M);
    return RJ_OK;
}

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

/* Limits of a pass over net at x: precision, the point, width and memory (with
   `extra` stored w x w matrices); *wp receives the forward pass's working
   precision. */
static int
check_args(slong *wp, const rj_net_t net, const rj_imat_t x, slong prec, slong extra,
           rj_error_t err)
{
    int st;
    slong w;
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return st;
    if ((st = rj_net_check_point(net, x->r, x->c, err)) != RJ_OK)
        return st;
    w = FLINT_MAX(x->r, rj_net_max_width(net));
    if (w > RJ_PRECISE_MAX_WIDTH)
        return rj_error_set(err, RJ_ERR_LIMIT,
                            "width %ld is above the precise layer's limit "
                            "RJ_PRECISE_MAX_WIDTH = %d", (long) w, RJ_PRECISE_MAX_WIDTH);
    *wp = forward_prec(net, prec);
    return check_pass_memory(extra, w, net->len,
                             FLINT_MAX(*wp, prec + _rjp_prod_guard(net->len)), err);
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
rj_precise_parts(rj_precise_parts_t parts, const rj_net_t net, const rj_imat_t x,
                 slong prec, rj_error_t err)
{
    slong l, L = net->len, wp;
    int st;
    if ((st = check_args(&wp, net, x, prec, 2 * L, err)) != RJ_OK)
        return st;
    rj_precise_parts_clear(parts);
    parts->len = L;
    parts->prec = prec;
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
    for (l = 0; l < L; l++)
        if ((st = rj_precise_block(parts->h + l + 1, parts->S + l, parts->R + l,
                                   parts->ties, net->blocks + l, l, parts->h + l, wp,
                                   err)) != RJ_OK) {
            rj_precise_parts_clear(parts);
            return st;
        }
    return RJ_OK;
}

int
rj_precise_parts_fmpq(rj_precise_parts_t parts, const rj_net_t net, const fmpq_mat_t x,
                      slong prec, rj_error_t err)
{
    rj_imat_t xi;
    int st;
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return st;
    rj_imat_init(xi, 0, 0, forward_prec(net, prec));
    rj_imat_set_fmpq_mat(xi, x, xi->prec);
    st = rj_precise_parts(parts, net, xi, prec, err);
    rj_imat_clear(xi);
    return st;
}

/* ------------------------------------------------------------ forward */

int
rj_precise_forward(rj_imat_t y, const rj_net_t net, const rj_imat_t x, slong prec,
                   rj_error_t err)
{
    slong l, wp;
    rj_imat_t h, z;
    int st;
    if ((st = check_args(&wp, net, x, prec, 0, err)) != RJ_OK)
        return st;
    rj_imat_init(h, 0, 0, wp);
    rj_imat_init(z, 0, 0, wp);
    rj_imat_set(h, x);
    for (l = 0; l < net->len && st == RJ_OK; l++) {
        st = rj_precise_block(z, NULL, NULL, NULL, net->blocks + l, l, h, wp, err);
        rj_imat_swap(h, z);
    }
    if (st == RJ_OK) {
        /* round to prec: an enclosure of an enclosure */
        slong i;
        rj_imat_reshape(y, h->r, 1, prec);
        for (i = 0; i < h->r; i++) {
            int inex = mpfr_set(y->mid + i, h->mid + i, MPFR_RNDN);
            mpfr_set(y->rad + i, h->rad + i, MPFR_RNDU);
            _rjp_rad_add_ulp(y->rad + i, y->mid + i, inex);
        }
    }
    rj_imat_clear(h);
    rj_imat_clear(z);
    return st;
}

int
rj_precise_forward_fmpq(rj_imat_t y, const rj_net_t net, const fmpq_mat_t x, slong prec,
                        rj_error_t err)
{
    rj_imat_t xi;
    int st;
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return st;
    rj_imat_init(xi, 0, 0, forward_prec(net, prec));
    rj_imat_set_fmpq_mat(xi, x, xi->prec);
    st = rj_precise_forward(y, net, xi, prec, err);
    rj_imat_clear(xi);
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

static int
jacobian_wp(rj_imat_t J, rj_ties_t ties, const rj_net_t net, const rj_imat_t x,
            slong prec, slong wp, rj_error_t err);

int
rj_precise_jacobian(rj_imat_t J, rj_ties_t ties, const rj_net_t net, const rj_imat_t x,
                    slong prec, rj_error_t err)
{
    slong wp;
    int st;
    if ((st = check_args(&wp, net, x, prec, 0, err)) != RJ_OK)
        return st;
    return jacobian_wp(J, ties, net, x, prec, wp, err);
}

/* The Jacobian with the working precision wp of the forward pass given. */
static int
jacobian_wp(rj_imat_t J, rj_ties_t ties, const rj_net_t net, const rj_imat_t x,
            slong prec, slong wp, rj_error_t err)
{
    slong l, L = net->len, pw;
    rj_imat_t h, y, S, R, C;
    rj_nmat_t F, P;
    rj_nmat_prod_t stack;
    int st = RJ_OK;

    pw = prec + _rjp_prod_guard(L);
    rj_imat_init(h, 0, 0, wp);
    rj_imat_init(y, 0, 0, wp);
    rj_imat_init(S, 0, 0, wp);
    rj_imat_init(R, 0, 0, wp);
    rj_nmat_init(F, 0, 0);
    rj_nmat_init(P, 0, 0);
    rj_nmat_prod_init(stack, pw);
    rj_imat_init(C, x->r, x->r, pw);
    rj_imat_one(C);
    rj_imat_set(h, x);
    for (l = 0; l < L && st == RJ_OK; l++) {
        st = rj_precise_block(y, S, R, ties, net->blocks + l, l, h, wp, err);
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
rj_precise_jacobian_fmpq(rj_imat_t J, rj_ties_t ties, const rj_net_t net,
                         const fmpq_mat_t x, slong prec, rj_error_t err)
{
    rj_imat_t xi;
    slong wp;
    int st;
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return st;
    wp = forward_prec(net, prec);
    rj_imat_init(xi, 0, 0, wp);
    rj_imat_set_fmpq_mat(xi, x, wp);
    if ((st = check_args(&wp, net, xi, prec, 0, err)) == RJ_OK)
        st = jacobian_wp(J, ties, net, xi, prec, wp, err);
    rj_imat_clear(xi);
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
rj_precise_grad_net(rj_imat_t v, const rj_net_t net, const rj_imat_t x,
                    const rj_imat_t g, slong prec, rj_error_t err)
{
    slong l, L = net->len, wp, pw;
    rj_imat_struct *h;
    rj_imat_t S, R;
    rj_nmat_t w;
    int st;
    if ((st = check_args(&wp, net, x, prec, 0, err)) != RJ_OK)
        return st;
    pw = prec + 16 + 2 * FLINT_BIT_COUNT(L + 1);
    h = flint_malloc((L + 1) * sizeof(rj_imat_struct));
    for (l = 0; l <= L; l++)
        rj_imat_init(h + l, 0, 0, wp);
    rj_imat_set(h, x);
    for (l = 0; l < L; l++)
        if ((st = rj_precise_block(h + l + 1, NULL, NULL, NULL, net->blocks + l, l, h + l,
                                   wp, err)) != RJ_OK)
            goto done;
    if ((st = check_g(g, h[L].r, err)) != RJ_OK)
        goto done;
    rj_imat_init(S, 0, 0, wp);
    rj_imat_init(R, 0, 0, wp);
    rj_nmat_init(w, 0, 0);
    rj_nmat_set_imat(w, g, pw);
    for (l = L - 1; l >= 0 && st == RJ_OK; l--) {
        st = rj_precise_block(NULL, S, R, NULL, net->blocks + l, l, h + l, wp, err);
        if (st == RJ_OK)
            grad_step(w, S, R, pw);
    }
    if (st == RJ_OK)
        rj_nmat_get_imat(v, w, prec);
    rj_nmat_clear(w);
    rj_imat_clear(S);
    rj_imat_clear(R);
done:
    for (l = 0; l <= L; l++)
        rj_imat_clear(h + l);
    flint_free(h);
    return st;
}
