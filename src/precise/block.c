/* resjac precise layer: one block at an input enclosure, from weights
 * converted to midpoint-radius enclosures (rjp_wblock_t, precise_internal.h).
 *
 * The block semantics and the tie order are the model's (include/resjac/model.h:
 * the block forms and rj_ties_t); where the exact layer picks a
 * side at a tie, this layer encloses both: a relu derivative over an interval
 * that contains 0 is [0, 1] ([a, 1] for leaky_relu) and the tie is reported. */
#include "precise_internal.h"

/* ------------------------------------------------------------ converted weights */

void
_rjp_wblock_init(rjp_wblock_t w, slong prec)
{
    rj_imat_init(w->W1, 0, 0, prec);
    rj_imat_init(w->W2, 0, 0, prec);
    rj_imat_init(w->Ws, 0, 0, prec);
    rj_imat_init(w->b1, 0, 0, prec);
    rj_imat_init(w->b2, 0, 0, prec);
    rj_imat_init(w->alpha, 0, 0, prec);
    rj_itv_init(w->alpha_itv, prec);
    w->blk = NULL;
    w->branch = w->proj = NULL;
}

void
_rjp_wblock_clear(rjp_wblock_t w)
{
    rj_imat_clear(w->W1);
    rj_imat_clear(w->W2);
    rj_imat_clear(w->Ws);
    rj_imat_clear(w->b1);
    rj_imat_clear(w->b2);
    rj_imat_clear(w->alpha);
    rj_itv_clear(w->alpha_itv);
    _rjp_wblock_clear_general(w);
}

/* Q rounded to prec, or 0x0 when the block does not use it. */
static void
set_used(rj_imat_t A, const fmpq_mat_t Q, int used, slong prec)
{
    if (used)
        rj_imat_set_fmpq_mat(A, Q, prec);
    else
        rj_imat_reshape(A, 0, 0, prec);
}

void
_rjp_wblock_set(rjp_wblock_t w, const rj_block_t blk, slong prec)
{
    const rj_block_struct *b = blk;
    fmpq_mat_t a;
    _rjp_wblock_clear_general(w);    /* the layers of the block set before */
    w->blk = b;
    rj_imat_set_fmpq_mat(w->W1, b->W1, prec);
    set_used(w->W2, b->W2, b->two_layer, prec);
    set_used(w->Ws, b->Ws, b->skip == RJ_SKIP_PROJECT, prec);
    set_used(w->b1, b->b1, 1, prec);
    set_used(w->b2, b->b2, 1, prec);
    /* alpha as a 1x1 enclosure (the diagonal of S) and as [RNDD, RNDU] (S x) */
    fmpq_mat_init(a, 1, 1);
    fmpq_set(fmpq_mat_entry(a, 0, 0), b->alpha);
    set_used(w->alpha, a, b->skip == RJ_SKIP_SCALED, prec);
    fmpq_mat_clear(a);
    rj_itv_clear(w->alpha_itv);
    rj_itv_init(w->alpha_itv, prec);
    rj_itv_set_fmpq(w->alpha_itv, b->alpha);
    if (b->general)
        _rjp_wblock_set_general(w, prec);
}

/* ------------------------------------------------------------ one block */

/* A kind this layer knows, with its parameter in range (softplus: beta > 0,
   elu: alpha > 0). */
static int
act_ok(const rj_act_struct *a)
{
    if ((a->kind == RJ_ACT_SOFTPLUS || a->kind == RJ_ACT_ELU) && fmpq_sgn(a->param) <= 0)
        return 0;
    return (int) a->kind >= RJ_ACT_IDENTITY && (int) a->kind <= RJ_ACT_ELU;
}

/* Apply act entrywise to the column v (in place); d (may be NULL) gets the
   derivative enclosures; ties as the shorthand records them (the inner
   activation is layer 1, the outer one -1). */
static void
act_vec(rj_imat_t v, rj_imat_t d, const rj_act_struct *act, rj_ties_struct *ties,
        slong block, int where, slong prec)
{
    _rjp_act_column(v, d, act, ties, block, where, where == 0 ? 1 : -1, prec);
}

/* The point against the block (rj_point_check) and its activations. */
static int
check_block(const rj_block_struct *b, slong index, const rj_imat_t x, rj_error_t err)
{
    char desc[64];
    int st;
    rj_block_label(desc, sizeof(desc), index, NULL);
    if ((st = rj_point_check(x->r, x->c, b->n_in, desc, err)) != RJ_OK)
        return st;
    if ((!b->general && b->two_layer && !act_ok(b->act))
        || (b->place != RJ_PLACE_NONE && !act_ok(b->outer)))
        return rj_error_set(err, RJ_ERR_INPUT, "%s: unknown activation, or softplus/elu "
                            "with a parameter <= 0", desc);
    if (b->general) {
        slong i;
        for (i = 0; i < b->branch->len; i++)
            if (b->branch->layers[i].kind == RJ_LAYER_ACT
                && !act_ok(b->branch->layers[i].act))
                return rj_error_set(err, RJ_ERR_INPUT, "%s, branch layer %ld: unknown "
                                    "activation, or softplus/elu with a parameter <= 0",
                                    desc, (long) i + 1);
    }
    return RJ_OK;
}

static void
add_bias(rj_imat_t v, const rj_imat_t b, slong prec)
{
    if (b->r != 0)
        rj_imat_add(v, v, b, prec);
}

int
_rjp_wblock_eval(rj_imat_t y, rj_imat_t S, rj_imat_t R, rj_ties_t ties,
                 const rjp_wblock_t w, slong index, const rj_imat_t x, slong prec,
                 rj_error_t err)
{
    const rj_block_struct *b = w->blk;
    slong n_in = b->n_in, n_out = b->n_out;
    int want = (S != NULL || R != NULL), st;
    rj_imat_t v, z, F, sx, dpre, dmid, dpost, M;

    if ((st = check_block(b, index, x, err)) != RJ_OK)
        return st;
    if (b->general) {
        _rjp_general_eval(y, S, R, ties, w, index, x, NULL, prec);
        return RJ_OK;
    }

    rj_imat_init(v, 0, 0, prec);
    rj_imat_init(z, 0, 0, prec);
    rj_imat_init(F, 0, 0, prec);
    rj_imat_init(sx, 0, 0, prec);
    rj_imat_init(dpre, 0, 0, prec);
    rj_imat_init(dmid, 0, 0, prec);
    rj_imat_init(dpost, 0, 0, prec);
    rj_imat_init(M, 0, 0, prec);

    /* branch input v = sigma(x) (pre) or x */
    rj_imat_set(v, x);
    if (b->place == RJ_PLACE_PRE)
        act_vec(v, dpre, b->outer, ties, index, 1, prec);
    rj_imat_mul(z, w->W1, v, prec);
    add_bias(z, w->b1, prec);
    if (b->two_layer) {
        act_vec(z, dmid, b->act, ties, index, 0, prec);
        rj_imat_mul(F, w->W2, z, prec);
    } else {
        rj_imat_set(F, z);
    }
    add_bias(F, w->b2, prec);

    /* skip part S x */
    switch (b->skip) {
    case RJ_SKIP_IDENTITY:
        rj_imat_set(sx, x);
        break;
    case RJ_SKIP_SCALED:
        rj_imat_scalar_mul_itv(sx, x, w->alpha_itv, prec);
        break;
    case RJ_SKIP_PROJECT:
        rj_imat_mul(sx, w->Ws, x, prec);
        break;
    default:
        rj_imat_reshape(sx, n_out, 1, prec);
        break;
    }
    rj_imat_add(F, sx, F, prec);
    if (b->place == RJ_PLACE_POST)
        act_vec(F, dpost, b->outer, ties, index, 1, prec);

    if (want) {
        /* R = [D_post] J_F [D_pre],  J_F = W2 D_mid W1 or W1 */
        rj_imat_set(M, w->W1);
        if (b->place == RJ_PLACE_PRE)
            rj_imat_mul_diag_right(M, M, dpre, prec);
        if (b->two_layer) {
            rj_imat_mul_diag_left(M, dmid, M, prec);
            rj_imat_mul(M, w->W2, M, prec);
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
                    mpfr_set(rj_imat_mid(S, i, i), w->alpha->mid, MPFR_RNDN);
                    mpfr_set(rj_imat_rad(S, i, i), w->alpha->rad, MPFR_RNDU);
                }
                break;
            }
            case RJ_SKIP_PROJECT:
                rj_imat_set(S, w->Ws);
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
    rj_imat_clear(dpre);
    rj_imat_clear(dmid);
    rj_imat_clear(dpost);
    rj_imat_clear(M);
    return RJ_OK;
}

int
_rjp_wblock_jvp(rj_imat_t y, rj_imat_t JV, rj_ties_t ties, const rjp_wblock_t w,
                slong index, const rj_imat_t x, const rj_imat_t V, slong prec,
                rj_error_t err)
{
    const rj_block_struct *b = w->blk;
    rj_imat_t S, R;
    int st;
    if (V->r != b->n_in) {
        char desc[64];
        rj_block_label(desc, sizeof(desc), index, NULL);
        return rj_error_set(err, RJ_ERR_INPUT,
                            "%s: the directions V have %ld rows but the block takes width %ld",
                            desc, (long) V->r, (long) b->n_in);
    }
    rj_imat_init(S, 0, 0, prec);
    rj_imat_init(R, 0, 0, prec);
    if (b->general) {
        /* J V = S V + R V, carried through the layers */
        if ((st = check_block(b, index, x, err)) == RJ_OK)
            _rjp_general_eval(y, S, R, ties, w, index, x, V, prec);
    } else {
        st = _rjp_wblock_eval(y, S, R, ties, w, index, x, prec, err);
        if (st == RJ_OK) {
            rj_imat_mul(S, S, V, prec);
            rj_imat_mul(R, R, V, prec);
        }
    }
    if (st == RJ_OK)
        rj_imat_add(JV, S, R, prec);
    rj_imat_clear(S);
    rj_imat_clear(R);
    return st;
}

int
rj_precise_block(rj_imat_t y, rj_imat_t S, rj_imat_t R, rj_ties_t ties,
                 const rj_block_t blk, slong index, const rj_imat_t x,
                 slong prec, rj_error_t err)
{
    rjp_wblock_t w;
    int st;
    _rjp_wblock_init(w, prec);
    _rjp_wblock_set(w, blk, prec);
    st = _rjp_wblock_eval(y, S, R, ties, w, index, x, prec, err);
    _rjp_wblock_clear(w);
    return st;
}
