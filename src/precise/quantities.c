/* resjac precise layer: ready-made enclosures of network quantities for the
 * escalation helpers (rj_precise_decide_*): the claims module passes one of
 * these with an rj_precise_ctx. */
#include "precise_internal.h"

static int
jacobian(rj_imat_t J, const rj_precise_ctx *c, slong prec, rj_error_t err)
{
    return rj_precise_jacobian_fmpq(J, NULL, c->net, c->x, prec, err);
}

/* ||J||_2 in [norm2_lower, norm2_upper] [PB 5]. */
int
rj_precise_encl_norm2(rj_itv_t out, void *ctx, slong prec, rj_error_t err)
{
    rj_imat_t J;
    int st;
    rj_imat_init(J, 0, 0, prec);
    if ((st = jacobian(J, ctx, prec, err)) == RJ_OK) {
        rj_imat_norm2_lower(out->lo, J);
        rj_imat_norm2_upper(out->hi, J);
    }
    rj_imat_clear(J);
    return st;
}

/* sigma_min(J) in [sigma_min_lower, sigma_min_upper] [PB 5, 6]. */
int
rj_precise_encl_sigma_min(rj_itv_t out, void *ctx, slong prec, rj_error_t err)
{
    rj_imat_t J;
    int st;
    rj_imat_init(J, 0, 0, prec);
    if ((st = jacobian(J, ctx, prec, err)) == RJ_OK) {
        rj_imat_sigma_min_lower(out->lo, J);
        rj_imat_sigma_min_upper(out->hi, J);
    }
    rj_imat_clear(J);
    return st;
}

int
rj_precise_encl_norm_frob(rj_itv_t out, void *ctx, slong prec, rj_error_t err)
{
    rj_imat_t J;
    int st;
    rj_imat_init(J, 0, 0, prec);
    if ((st = jacobian(J, ctx, prec, err)) == RJ_OK)
        rj_imat_norm_frob(out, J);
    rj_imat_clear(J);
    return st;
}

/* ||J^T g||_2 by the backward vector pass (rj_precise_grad_net). */
int
rj_precise_encl_grad_norm(rj_itv_t out, void *ctx, slong prec, rj_error_t err)
{
    const rj_precise_ctx *c = ctx;
    rj_imat_t xi, gi, v;
    int st;
    if (c->g == NULL)
        return rj_error_set(err, RJ_ERR_INPUT, "the gradient norm needs dL/dh_L (ctx->g)");
    if ((st = rj_precise_check_prec(prec, err)) != RJ_OK)
        return st;
    rj_imat_init(xi, 0, 0, prec);
    rj_imat_init(gi, 0, 0, prec);
    rj_imat_init(v, 0, 0, prec);
    /* the point at a generous precision (the forward pass raises its own) */
    rj_imat_set_fmpq_mat(xi, c->x, prec + 64);
    rj_imat_set_fmpq_mat(gi, c->g, prec + 64);
    if ((st = rj_precise_grad_net(v, c->net, xi, gi, prec, err)) == RJ_OK)
        rj_imat_norm_frob(out, v);   /* the Frobenius norm of a vector is its 2-norm */
    rj_imat_clear(xi);
    rj_imat_clear(gi);
    rj_imat_clear(v);
    return st;
}

int
rj_precise_encl_jacobian_entry(rj_itv_t out, void *ctx, slong prec, rj_error_t err)
{
    const rj_precise_ctx *c = ctx;
    rj_imat_t J;
    int st;
    rj_imat_init(J, 0, 0, prec);
    if ((st = jacobian(J, c, prec, err)) == RJ_OK) {
        if (c->row < 0 || c->row >= J->r || c->col < 0 || c->col >= J->c)
            st = rj_error_set(err, RJ_ERR_INPUT, "Jacobian entry (%ld, %ld) outside %ldx%ld",
                              (long) (c->row + 1), (long) (c->col + 1), (long) J->r,
                              (long) J->c);
        else
            rj_imat_get_itv(out, J, c->row, c->col);
    }
    rj_imat_clear(J);
    return st;
}
