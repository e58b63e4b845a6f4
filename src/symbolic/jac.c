/* resjac symbolic layer: Jacobians of residual blocks with symbolic weights
 * (include/resjac/symbolic.h; proofs/symbolic.md [SY 4]).
 *
 * The chain rule written in the free algebra: an activation's derivative at
 * a point is a diagonal matrix D, kept as a symbol of its own that is equal
 * to its transpose (rj_sym_symmetrise) and commutes with nothing.  The cost
 * is a few products of short elements: the degree of a block's Jacobian is
 * deg W2 + deg W1 + 2 at most, checked by rj_sym_mul before each product. */
#include "resjac/symbolic.h"

int
rj_sym_symmetrise(rj_sym_t p, const rj_sym_t a, const char *sym, slong nsym,
                  const rj_sym_limits *lim, rj_error_t err)
{
    rj_sym_t r, t;
    slong i, j;
    int st = RJ_OK, any = 0;
    for (i = 0; i < a->len && !any; i++)
        for (j = 0; j < a->terms[i].len; j++) {
            slong c = a->terms[i].w[j];
            if ((c & 1) && c / 2 < nsym && sym[c / 2])
                any = 1;
        }
    if (!any) {
        rj_sym_set(p, a);
        return RJ_OK;
    }
    rj_sym_init(r);
    rj_sym_init(t);
    for (i = 0; i < a->len && st == RJ_OK; i++) {
        const rj_sym_term_struct *u = a->terms + i;
        slong *w = flint_malloc(FLINT_MAX(u->len, 1) * sizeof(slong));
        const slong *wp = w;
        for (j = 0; j < u->len; j++) {
            slong c = u->w[j];
            w[j] = ((c & 1) && c / 2 < nsym && sym[c / 2]) ? c - 1 : c;
        }
        st = rj_sym_set_words(t, &wp, &u->len, 1, lim, err);
        if (st == RJ_OK) {
            rj_sym_scalar_mul(t, t, u->coeff);
            st = rj_sym_add(r, r, t, lim, err);
        }
        flint_free(w);
    }
    if (st == RJ_OK)
        rj_sym_swap(p, r);
    rj_sym_clear(r);
    rj_sym_clear(t);
    return st;
}

void
rj_sym_block_init(rj_sym_block_t b)
{
    b->place = RJ_PLACE_NONE;
    b->skip = RJ_SKIP_IDENTITY;
    b->two_layer = 0;
    rj_sym_init(b->W1);
    rj_sym_init(b->W2);
    rj_sym_init(b->P);
    fmpq_init(b->alpha);
    fmpq_one(b->alpha);
}

void
rj_sym_block_clear(rj_sym_block_t b)
{
    rj_sym_clear(b->W1);
    rj_sym_clear(b->W2);
    rj_sym_clear(b->P);
    fmpq_clear(b->alpha);
}

void
rj_sym_block_set(rj_sym_block_t b, const rj_sym_block_t c)
{
    if (b == c)
        return;
    b->place = c->place;
    b->skip = c->skip;
    b->two_layer = c->two_layer;
    rj_sym_set(b->W1, c->W1);
    rj_sym_set(b->W2, c->W2);
    rj_sym_set(b->P, c->P);
    fmpq_set(b->alpha, c->alpha);
}

/* p = D a (left) or a D (right) for the symbol d, or p = a when d is -1. */
static int
mul_diag(rj_sym_t p, const rj_sym_t a, slong d, int left, const rj_sym_limits *lim,
         rj_error_t err)
{
    rj_sym_t D;
    int st;
    if (d < 0) {
        rj_sym_set(p, a);
        return RJ_OK;
    }
    rj_sym_init(D);
    rj_sym_set_symbol(D, d, 0);
    st = left ? rj_sym_mul(p, D, a, lim, err) : rj_sym_mul(p, a, D, lim, err);
    rj_sym_clear(D);
    return st;
}

int
rj_sym_block_jacobian(rj_sym_t J, rj_sym_t Sl, rj_sym_t Rl, const rj_sym_block_t b,
                      slong d_in, slong d_out, const rj_sym_limits *lim, rj_error_t err)
{
    rj_sym_t S, R;
    fmpq_t one;
    int st = RJ_OK;
    rj_sym_init(S);
    rj_sym_init(R);
    fmpq_init(one);
    fmpq_one(one);
    switch (b->skip) {                            /* the skip matrix S */
    case RJ_SKIP_IDENTITY: rj_sym_set_fmpq(S, one); break;
    case RJ_SKIP_SCALED: rj_sym_set_fmpq(S, b->alpha); break;
    case RJ_SKIP_PROJECT: rj_sym_set(S, b->P); break;
    default: rj_sym_zero(S);
    }
    if (b->two_layer) {                           /* JF = W2 D_in W1, or W1 */
        st = mul_diag(R, b->W1, d_in, 1, lim, err);
        if (st == RJ_OK)
            st = rj_sym_mul(R, b->W2, R, lim, err);
    } else
        rj_sym_set(R, b->W1);
    if (st == RJ_OK && b->place == RJ_PLACE_PRE)
        st = mul_diag(R, R, d_out, 0, lim, err);
    if (st == RJ_OK && b->place == RJ_PLACE_POST) {
        st = mul_diag(R, R, d_out, 1, lim, err);
        if (st == RJ_OK)
            st = mul_diag(S, S, d_out, 1, lim, err);
    }
    if (st == RJ_OK && J != NULL)
        st = rj_sym_add(J, S, R, lim, err);
    if (st == RJ_OK && Sl != NULL)
        rj_sym_set(Sl, S);
    if (st == RJ_OK && Rl != NULL)
        rj_sym_set(Rl, R);
    rj_sym_clear(S);
    rj_sym_clear(R);
    fmpq_clear(one);
    return st;
}
