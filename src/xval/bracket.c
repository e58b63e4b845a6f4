/* resjac xval: the gradient check that works at kinks.  One-sided
 * difference quotients of phi(t) = c . f(x + t v), in exact rational
 * arithmetic, with a step provably below the distance to the next kink, so
 * they are the exact one-sided directional derivatives; an analytic
 * directional derivative (any convention at a single tie) lies between them.
 * See proofs/fast-error-bound.md [FE 9]. */
#include <math.h>
#include <string.h>

#include "resjac/xval.h"

/* act(z) and its one-sided derivative along dz; the distance to the next
   kink is lowered into *rad (rad_set tells whether *rad holds a value). */
static void
pl_act(fmpq_t y, fmpq_t dy, const rj_act_t a, const fmpq_t z, const fmpq_t dz, fmpq_t rad,
       int *rad_set, fmpq_t tmp)
{
    int sz = fmpq_sgn(z), sd = fmpq_sgn(dz);
    if (a->kind == RJ_ACT_IDENTITY) {
        fmpq_set(y, z);
        fmpq_set(dy, dz);
        return;
    }
    /* relu: slope 0 on the left; leaky: a->slope */
    if (sz > 0 || (sz == 0 && sd > 0)) {
        fmpq_set(y, z);
        fmpq_set(dy, dz);
    } else {
        if (a->kind == RJ_ACT_RELU) {
            fmpq_zero(y);
            fmpq_zero(dy);
        } else {
            fmpq_mul(y, z, a->slope);
            fmpq_mul(dy, dz, a->slope);
        }
    }
    if (sz != 0 && sd != 0 && sz != sd) {
        fmpq_div(tmp, z, dz);
        fmpq_neg(tmp, tmp);
        if (!*rad_set || fmpq_cmp(tmp, rad) < 0) {
            fmpq_set(rad, tmp);
            *rad_set = 1;
        }
    }
}

static void
pl_act_vec(fmpq_mat_t y, fmpq_mat_t dy, const rj_act_t a, const fmpq_mat_t z,
           const fmpq_mat_t dz, fmpq_t rad, int *rad_set, fmpq_t tmp)
{
    slong i;
    for (i = 0; i < fmpq_mat_nrows(z); i++)
        pl_act(fmpq_mat_entry(y, i, 0), fmpq_mat_entry(dy, i, 0), a,
               fmpq_mat_entry(z, i, 0), fmpq_mat_entry(dz, i, 0), rad, rad_set, tmp);
}

static int
is_empty(const fmpq_mat_t A)
{
    return fmpq_mat_nrows(A) == 0 || fmpq_mat_ncols(A) == 0;
}

/* value and one-sided tangent of the network at x along v */
static void
pl_forward(fmpq_mat_t y, fmpq_mat_t dy, fmpq_t rad, int *rad_set, const rj_net_t net,
           const fmpq_mat_t x, const fmpq_mat_t v)
{
    slong l;
    fmpq_t tmp;
    fmpq_mat_t h, dh;
    fmpq_init(tmp);
    fmpq_mat_init_set(h, x);
    fmpq_mat_init_set(dh, v);
    for (l = 0; l < net->len; l++) {
        const rj_block_struct *b = net->blocks + l;
        slong n_in = fmpq_mat_nrows(h), w1r = fmpq_mat_nrows(b->W1);
        slong n_out = b->two_layer ? fmpq_mat_nrows(b->W2) : w1r;
        fmpq_mat_t u, du, z, dz, a, da, o, dout, s, ds;
        fmpq_mat_init(u, n_in, 1);
        fmpq_mat_init(du, n_in, 1);
        if (b->place == RJ_PLACE_PRE)
            pl_act_vec(u, du, b->outer, h, dh, rad, rad_set, tmp);
        else {
            fmpq_mat_set(u, h);
            fmpq_mat_set(du, dh);
        }
        fmpq_mat_init(z, w1r, 1);
        fmpq_mat_init(dz, w1r, 1);
        fmpq_mat_mul(z, b->W1, u);
        fmpq_mat_mul(dz, b->W1, du);
        if (!is_empty(b->b1))
            fmpq_mat_add(z, z, b->b1);
        fmpq_mat_init(o, n_out, 1);
        fmpq_mat_init(dout, n_out, 1);
        if (b->two_layer) {
            fmpq_mat_init(a, w1r, 1);
            fmpq_mat_init(da, w1r, 1);
            pl_act_vec(a, da, b->act, z, dz, rad, rad_set, tmp);
            fmpq_mat_mul(o, b->W2, a);
            fmpq_mat_mul(dout, b->W2, da);
            if (!is_empty(b->b2))
                fmpq_mat_add(o, o, b->b2);
            fmpq_mat_clear(a);
            fmpq_mat_clear(da);
        } else {
            fmpq_mat_set(o, z);
            fmpq_mat_set(dout, dz);
        }
        fmpq_mat_init(s, n_out, 1);
        fmpq_mat_init(ds, n_out, 1);
        switch (b->skip) {
        case RJ_SKIP_IDENTITY:
            fmpq_mat_set(s, h);
            fmpq_mat_set(ds, dh);
            break;
        case RJ_SKIP_SCALED:
            fmpq_mat_scalar_mul_fmpq(s, h, b->alpha);
            fmpq_mat_scalar_mul_fmpq(ds, dh, b->alpha);
            break;
        case RJ_SKIP_PROJECT:
            fmpq_mat_mul(s, b->Ws, h);
            fmpq_mat_mul(ds, b->Ws, dh);
            break;
        case RJ_SKIP_NONE:
            break;
        }
        fmpq_mat_add(o, o, s);
        fmpq_mat_add(dout, dout, ds);
        fmpq_mat_clear(h);
        fmpq_mat_clear(dh);
        fmpq_mat_init(h, n_out, 1);
        fmpq_mat_init(dh, n_out, 1);
        if (b->place == RJ_PLACE_POST)
            pl_act_vec(h, dh, b->outer, o, dout, rad, rad_set, tmp);
        else {
            fmpq_mat_set(h, o);
            fmpq_mat_set(dh, dout);
        }
        fmpq_mat_clear(u);
        fmpq_mat_clear(du);
        fmpq_mat_clear(z);
        fmpq_mat_clear(dz);
        fmpq_mat_clear(o);
        fmpq_mat_clear(dout);
        fmpq_mat_clear(s);
        fmpq_mat_clear(ds);
    }
    fmpq_mat_swap(y, h);
    fmpq_mat_swap(dy, dh);
    fmpq_mat_clear(h);
    fmpq_mat_clear(dh);
    fmpq_clear(tmp);
}

static void
dot(fmpq_t r, const fmpq_mat_t c, const fmpq_mat_t y)
{
    slong i;
    fmpq_t t;
    fmpq_init(t);
    fmpq_zero(r);
    for (i = 0; i < fmpq_mat_nrows(y); i++) {
        fmpq_mul(t, fmpq_mat_entry(c, i, 0), fmpq_mat_entry(y, i, 0));
        fmpq_add(r, r, t);
    }
    fmpq_clear(t);
}

/* phi(s) = c . f(x + s v) */
static void
phi_at(fmpq_t r, const rj_net_t net, const fmpq_mat_t x, const fmpq_mat_t v,
       const fmpq_t s, const fmpq_mat_t c)
{
    fmpq_mat_t p, y, dy;
    fmpq_t rad;
    int rs = 0;
    fmpq_init(rad);
    fmpq_mat_init(p, fmpq_mat_nrows(x), 1);
    fmpq_mat_init(y, 0, 0);
    fmpq_mat_init(dy, 0, 0);
    fmpq_mat_scalar_mul_fmpq(p, v, s);
    fmpq_mat_add(p, p, x);
    pl_forward(y, dy, rad, &rs, net, p, v);
    dot(r, c, y);
    fmpq_mat_clear(p);
    fmpq_mat_clear(y);
    fmpq_mat_clear(dy);
    fmpq_clear(rad);
}

int
rj_xval_bracket(fmpq_t q_left, fmpq_t q_right, fmpq_t t, const rj_net_t net,
                const fmpq_mat_t x, const fmpq_mat_t v, const fmpq_mat_t c, rj_error_t err)
{
    slong l;
    int st = RJ_OK, rs = 0;
    fmpq_t rad, p0, pp, pm, dr, dl;
    fmpq_mat_t y, dy, vn;
    if (net->len < 1)
        return rj_error_set(err, RJ_ERR_INPUT, "the network has no blocks");
    for (l = 0; l < net->len; l++) {
        if (net->blocks[l].general) {
            char label[160];
            rj_net_block_label(label, sizeof(label), net, l);
            return rj_error_set(err, RJ_ERR_DOMAIN,
                                "%s is given by its layers; the bracketing check takes "
                                "W1/act/W2 blocks only (layer sequences: not yet)", label);
        }
        if (!rj_block_is_piecewise_linear(net->blocks + l)) {
            char label[160];
            rj_net_block_label(label, sizeof(label), net, l);
            return rj_error_set(err, RJ_ERR_DOMAIN,
                                "%s: tanh/sigmoid are smooth and have no kinks; the "
                                "bracketing check is for piecewise-linear activations",
                                label);
        }
    }
    st = rj_net_check_point(net, fmpq_mat_nrows(x), fmpq_mat_ncols(x), err);
    if (st != RJ_OK)
        return st;
    if (fmpq_mat_nrows(v) != rj_net_width_in(net) || fmpq_mat_ncols(v) != 1
        || fmpq_mat_nrows(c) != rj_net_width_out(net) || fmpq_mat_ncols(c) != 1)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "bracket: x and v must be %ldx1 and c %ldx1",
                            (long) rj_net_width_in(net), (long) rj_net_width_out(net));
    fmpq_init(rad);
    fmpq_init(p0);
    fmpq_init(pp);
    fmpq_init(pm);
    fmpq_init(dr);
    fmpq_init(dl);
    fmpq_mat_init(y, 0, 0);
    fmpq_mat_init(dy, 0, 0);
    fmpq_mat_init(vn, fmpq_mat_nrows(v), 1);
    fmpq_mat_neg(vn, v);
    /* one-sided tangents along +v and -v and the kink-free radius */
    pl_forward(y, dy, rad, &rs, net, x, v);
    dot(p0, c, y);
    dot(dr, c, dy);
    pl_forward(y, dy, rad, &rs, net, x, vn);
    dot(dl, c, dy);
    fmpq_neg(dl, dl);            /* left derivative = -(derivative along -v) */
    fmpq_one(t);
    if (rs) {
        fmpq_div_2exp(rad, rad, 1);
        if (fmpq_cmp(rad, t) < 0)
            fmpq_set(t, rad);
    }
    /* the difference quotients themselves */
    phi_at(pp, net, x, v, t, c);
    fmpq_neg(rad, t);
    phi_at(pm, net, x, v, rad, c);
    fmpq_sub(q_right, pp, p0);
    fmpq_div(q_right, q_right, t);
    fmpq_sub(q_left, p0, pm);
    fmpq_div(q_left, q_left, t);
    if (!fmpq_equal(q_right, dr) || !fmpq_equal(q_left, dl))
        st = rj_error_set(err, RJ_ERR_INTERNAL,
                          "bracket: difference quotient differs from the one-sided "
                          "derivative below the kink radius");
    fmpq_clear(rad);
    fmpq_clear(p0);
    fmpq_clear(pp);
    fmpq_clear(pm);
    fmpq_clear(dr);
    fmpq_clear(dl);
    fmpq_mat_clear(y);
    fmpq_mat_clear(dy);
    fmpq_mat_clear(vn);
    return st;
}

int
rj_xval_bracket_contains(const fmpq_t q_left, const fmpq_t q_right, double a, double r)
{
    fmpq_t lo, hi, av, rv, t;
    int ok;
    if (!(r >= 0) || isnan(a))
        return 0;
    if (isinf(r))
        return 1;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(av);
    fmpq_init(rv);
    fmpq_init(t);
    if (fmpq_cmp(q_left, q_right) <= 0) {
        fmpq_set(lo, q_left);
        fmpq_set(hi, q_right);
    } else {
        fmpq_set(lo, q_right);
        fmpq_set(hi, q_left);
    }
    rj_fmpq_set_d_exact(av, a);
    rj_fmpq_set_d_exact(rv, r);
    fmpq_add(t, av, rv);
    ok = fmpq_cmp(t, lo) >= 0;
    fmpq_sub(t, av, rv);
    ok = ok && fmpq_cmp(t, hi) <= 0;
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(av);
    fmpq_clear(rv);
    fmpq_clear(t);
    return ok;
}
