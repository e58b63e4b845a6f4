/* resjac claims: printing values in the language's own syntax (a printed
 * witness reads back as the same value), short forms for evidence. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ printing */

char *
cl_fmpq_str_short(const fmpq *q, slong maxlen)
{
    char *s;
    slong nd, dd;
    mpfr_t f;
    char buf[160];

    nd = fmpz_sizeinbase(fmpq_numref(q), 10);
    dd = fmpz_sizeinbase(fmpq_denref(q), 10);
    if (nd + dd + 2 <= maxlen)
        return fmpq_get_str(NULL, 10, q);
    /* +-b^k and +-1/b^k for b = 10, 2: exactly, in that form */
    if (fmpz_is_pm1(fmpq_numref(q)) || fmpz_is_one(fmpq_denref(q))) {
        const fmpz *m = fmpz_is_one(fmpq_denref(q)) ? fmpq_numref(q) : fmpq_denref(q);
        int neg = fmpz_sgn(fmpq_numref(q)) < 0, b;
        for (b = 10; b >= 2; b -= 8) {
            fmpz_t a, p;
            slong k;
            fmpz_init(a);
            fmpz_init(p);
            fmpz_abs(a, m);
            k = fmpz_sizeinbase(a, b) - 1;
            fmpz_set_ui(p, b);
            fmpz_pow_ui(p, p, k);
            if (fmpz_equal(a, p)) {
                fmpz_clear(a);
                fmpz_clear(p);
                return cl_printf("%s%d^%s%ld", neg ? "-" : "", b,
                                 fmpz_is_one(fmpq_denref(q)) ? "" : "-", (long) k);
            }
            fmpz_clear(a);
            fmpz_clear(p);
        }
    }
    mpfr_init2(f, 64);
    fmpq_get_mpfr(f, q, MPFR_RNDN);
    if (fmpz_is_one(fmpq_denref(q)))
        mpfr_snprintf(buf, sizeof(buf), "~%.17Rg (an integer of %ld digits)", f,
                      (long) (fmpz_sgn(fmpq_numref(q)) < 0 ? nd : nd));
    else
        mpfr_snprintf(buf, sizeof(buf), "~%.17Rg (a fraction of %ld/%ld digits)", f,
                      (long) nd, (long) dd);
    mpfr_clear(f);
    s = rj_strdup(buf);
    return s;
}

static void
sb_mat(cl_sbuf *b, const fmpq_mat_t A, slong entry_len, slong maxlen)
{
    slong i, j, r = fmpq_mat_nrows(A), c = fmpq_mat_ncols(A);
    if (r == 0 || c == 0) {
        cl_sb_printf(b, "zeros(%ld, %ld)", (long) r, (long) c);
        return;
    }
    cl_sb_puts(b, "[");
    for (i = 0; i < r; i++) {
        if (c > 1)
            cl_sb_puts(b, i > 0 ? ", [" : "[");
        for (j = 0; j < c; j++) {
            char *s;
            if (c == 1 && i > 0)
                cl_sb_puts(b, ", ");
            else if (j > 0)
                cl_sb_puts(b, ", ");
            if (maxlen > 0 && b->len > maxlen) {
                cl_sb_printf(b, "... (a %ld x %ld matrix)", (long) r, (long) c);
                cl_sb_puts(b, c > 1 ? "]]" : "]");
                return;
            }
            s = entry_len > 0 ? cl_fmpq_str_short(fmpq_mat_entry(A, i, j), entry_len)
                              : fmpq_get_str(NULL, 10, fmpq_mat_entry(A, i, j));
            cl_sb_puts(b, s);
            flint_free(s);
        }
        if (c > 1)
            cl_sb_puts(b, "]");
    }
    cl_sb_puts(b, "]");
}

static void
sb_val(cl_sbuf *b, const rj_val_struct *v, slong maxlen)
{
    slong i;
    slong elen = maxlen > 0 ? FLINT_MAX(24, maxlen / 4) : 0;
    char *s;
    switch (v->kind) {
    case RJ_VAL_NUM:
        s = elen > 0 ? cl_fmpq_str_short(v->num, FLINT_MAX(elen, maxlen))
                     : fmpq_get_str(NULL, 10, v->num);
        cl_sb_puts(b, s);
        flint_free(s);
        break;
    case RJ_VAL_MAT:
        sb_mat(b, v->mat, elen, maxlen);
        break;
    case RJ_VAL_POLY:
        s = fmpq_poly_get_str_pretty(v->poly, "t");
        cl_sb_puts(b, s);
        flint_free(s);
        break;
    case RJ_VAL_ENCL: {
        char buf[200];
        mpfr_snprintf(buf, sizeof(buf), "[%.12RDg, %.12RUg]", v->lo, v->hi);
        cl_sb_puts(b, buf);
        break;
    }
    case RJ_VAL_BOOL:
        cl_sb_puts(b, v->b ? "true" : "false");
        break;
    case RJ_VAL_EXT:
        if (cl_val_is_emat(v))
            cl_emat_print(b, v, maxlen);
        else {
            s = rj_val_get_str(v);
            cl_sb_puts(b, s);
            flint_free(s);
        }
        break;
    case RJ_VAL_LIST:
        cl_sb_puts(b, v->is_choice_set ? "one of {" : "(");
        for (i = 0; i < v->len; i++) {
            if (i > 0)
                cl_sb_puts(b, ", ");
            if (maxlen > 0 && b->len > maxlen) {
                cl_sb_puts(b, "...");
                break;
            }
            sb_val(b, v->items + i, maxlen > 0 ? FLINT_MAX(40, maxlen / 2) : 0);
        }
        cl_sb_puts(b, v->is_choice_set ? "}" : ")");
        break;
    default:
        s = rj_val_get_str(v);
        cl_sb_puts(b, s);
        flint_free(s);
    }
}

char *
cl_val_str(const rj_val_struct *v)
{
    cl_sbuf b;
    cl_sb_init(&b);
    cl_sb_puts(&b, "");
    sb_val(&b, v, 0);
    return cl_sb_take(&b);
}

char *
cl_val_str_short(const rj_val_struct *v, slong maxlen)
{
    cl_sbuf b;
    cl_sb_init(&b);
    cl_sb_puts(&b, "");
    sb_val(&b, v, maxlen);
    return cl_str_cut(cl_sb_take(&b), maxlen + 40);
}

