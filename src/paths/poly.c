/* resjac: the generating polynomial (1 + x)^L of path lengths. */
#include <flint/fmpz_poly.h>

#include "resjac/paths.h"

/* Computed by FLINT's powering of 1 + x, independently of the recurrence in
   count.c, so the two can be held against each other. */
void
rj_paths_poly(fmpz_poly_t res, ulong L)
{
    fmpz_poly_t base;

    fmpz_poly_init2(base, 2);
    fmpz_poly_set_coeff_ui(base, 0, 1);
    fmpz_poly_set_coeff_ui(base, 1, 1);
    fmpz_poly_pow(res, base, L);
    fmpz_poly_clear(base);
}
