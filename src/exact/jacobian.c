/* resjac: the exact Jacobian of a network at a point. */
#include <flint/fmpq_mat.h>

#include "resjac/exact.h"

int
rj_exact_jacobian(fmpq_mat_t J, rj_ties_t ties, const rj_net_t net, const fmpq_mat_t x,
                  rj_tie_policy pol, rj_error_t err)
{
    rj_exact_parts_t parts;
    int st;

    rj_exact_parts_init(parts);
    st = rj_exact_parts(parts, ties, net, x, pol, err);
    if (st == RJ_OK)
        st = rj_expand_direct(J, parts, err);
    rj_exact_parts_clear(parts);
    return st;
}
