/* resjac claims: symbolic matrices as an extension kind of the language
 * (src/claims/symbolic_impl.h; proofs/symbolic.md).
 *
 * A value of the kind is one of
 *   ALG      an element of the free algebra with transpose (J * K' - 2 * I);
 *   FAMILY   the symbols J_1..J_L of a family (indexing J[l] gives J_l);
 *   PMAT     at a fixed size n: an n x n matrix, or a scalar, of polynomials
 *            in the entries of the symbols (det, charpoly, adjugate, trace;
 *            a number, a polynomial in t or a concrete matrix meeting a
 *            symbol also goes here);
 *   CFAMILY  concrete matrices standing for a family while a counterexample
 *            is tried (J[l] is then a plain matrix).
 * Arithmetic stays in the free algebra while it can (+, -, *, scalar *, /
 * number, ^ k, transpose); anything else needs a fixed size and goes to PMAT.
 * Equality: equal normal forms hold for every size [SY 1]; at a fixed size,
 * equal polynomial entries hold for all entries [SY 3]; otherwise the
 * comparison is undecided here and the quantifier looks for a counterexample
 * [SY 2].  A limit of the symbolic layer met on the way is RJ_ERR_DOMAIN (the
 * claim is UNDECIDED, naming the limit). */
#include <string.h>

#include "symbolic_impl.h"

enum { SV_ALG, SV_FAMILY, SV_PMAT, SV_CFAMILY };

typedef struct {
    cl_symscope *sc;           /* NULL for CFAMILY */
    int kind;
    rj_sym_t p;                /* ALG */
    slong base, len;           /* FAMILY: symbols base..base+len-1; CFAMILY: len */
    rj_pmat_t m;               /* PMAT (in sc->mctx) */
    int scalar;                /* PMAT: a 1 x 1 scalar, not a matrix */
    fmpq_mat_struct *mats;     /* CFAMILY */
} symval;

/* ------------------------------------------------------------ scopes */

int
cl_symscope_init(cl_symscope *sc, const char *const *names, slong nsym, slong n,
                 rj_error_t err)
{
    slong i, s, a, b;
    int st;
    memset(sc, 0, sizeof(*sc));
    rj_sym_limits_default(&sc->lim);
    if (nsym > sc->lim.max_symbols)
        return rj_error_set(err, RJ_ERR_LIMIT, "%ld matrix symbols: more than the limit of %ld "
                            "symbols", (long) nsym, (long) sc->lim.max_symbols);
    if (n > 0) {
        /* past the limit of entry variables the free algebra still decides;
           what needs the entries is UNDECIDED, naming the limit (need_fixed) */
        rj_error_t e2;
        rj_error_init(e2);
        st = rj_pmat_ctx_init(sc->mctx, nsym, n, e2);
        if (st != RJ_OK)
            sc->no_mctx = rj_strdup(e2->msg);
        else
            sc->has_mctx = 1;
    }
    if (sc->has_mctx) {
        sc->varnames = flint_malloc((nsym * n * n + 1) * sizeof(char *));
        for (s = 0; s < nsym; s++)
            for (a = 0; a < n; a++)
                for (b = 0; b < n; b++)
                    sc->varnames[s * n * n + a * n + b] =
                        cl_printf("%s[%ld,%ld]", names[s], (long) (a + 1), (long) (b + 1));
        sc->varnames[nsym * n * n] = rj_strdup("t");
    }
    sc->nsym = nsym;
    sc->n = n;
    sc->names = flint_malloc(FLINT_MAX(nsym, 1) * sizeof(char *));
    for (i = 0; i < nsym; i++)
        sc->names[i] = rj_strdup(names[i]);
    return RJ_OK;
}

void
cl_symscope_clear(cl_symscope *sc)
{
    slong i;
    for (i = 0; i < sc->nsym; i++)
        flint_free(sc->names[i]);
    flint_free(sc->names);
    if (sc->has_mctx) {
        for (i = 0; i < fmpq_mpoly_ctx_nvars(sc->mctx); i++)
            flint_free(sc->varnames[i]);
        flint_free(sc->varnames);
        fmpq_mpoly_ctx_clear(sc->mctx);
    }
    flint_free(sc->no_mctx);
    memset(sc, 0, sizeof(*sc));
}

/* ------------------------------------------------------------ values */

static symval *
sv_new(cl_symscope *sc, int kind)
{
    symval *d = flint_malloc(sizeof(symval));
    memset(d, 0, sizeof(*d));
    d->sc = sc;
    d->kind = kind;
    rj_sym_init(d->p);
    if (kind == SV_PMAT)
        rj_pmat_init(d->m, 0, 0, sc->mctx);
    return d;
}

static void
sv_free(void *data)
{
    symval *d = data;
    slong i;
    rj_sym_clear(d->p);
    if (d->kind == SV_PMAT)
        rj_pmat_clear(d->m, d->sc->mctx);
    if (d->kind == SV_CFAMILY) {
        for (i = 0; i < d->len; i++)
            fmpq_mat_clear(d->mats + i);
        flint_free(d->mats);
    }
    flint_free(d);
}

static void *
sv_copy(const void *data)
{
    const symval *d = data;
    symval *c = sv_new(d->sc, d->kind);
    slong i;
    rj_sym_set(c->p, d->p);
    c->base = d->base;
    c->len = d->len;
    c->scalar = d->scalar;
    if (d->kind == SV_PMAT)
        rj_pmat_set(c->m, d->m, d->sc->mctx);
    if (d->kind == SV_CFAMILY) {
        c->mats = flint_malloc(FLINT_MAX(d->len, 1) * sizeof(fmpq_mat_struct));
        for (i = 0; i < d->len; i++)
            fmpq_mat_init_set(c->mats + i, d->mats + i);
    }
    return c;
}

int
cl_val_is_sym(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_EXT && v->ops == &cl_sym_ops;
}

static const symval *
sv_of(const rj_val_struct *v)
{
    return cl_val_is_sym(v) ? (const symval *) v->data : NULL;
}

static void
sv_set_alg(rj_val_t v, cl_symscope *sc, rj_sym_t p)
{
    symval *d = sv_new(sc, SV_ALG);
    rj_sym_swap(d->p, p);
    cl_symjac_normalise(d->p, sc);                        /* D' = D */
    sc->maxdeg = FLINT_MAX(sc->maxdeg, rj_sym_degree(d->p));
    rj_val_set_ext(v, &cl_sym_ops, d);
}

static void
sv_set_pmat(rj_val_t v, cl_symscope *sc, rj_pmat_t m, int scalar)
{
    symval *d = sv_new(sc, SV_PMAT);
    rj_pmat_swap(d->m, m);
    d->scalar = scalar;
    rj_val_set_ext(v, &cl_sym_ops, d);
}

void
cl_sym_set_symbol(rj_val_t v, cl_symscope *sc, slong s)
{
    rj_sym_t p;
    rj_sym_init(p);
    rj_sym_set_symbol(p, s, 0);
    sv_set_alg(v, sc, p);
    rj_sym_clear(p);
}

void
cl_sym_set_identity(rj_val_t v, cl_symscope *sc)
{
    rj_sym_t p;
    fmpq_t one;
    rj_sym_init(p);
    fmpq_init(one);
    fmpq_one(one);
    rj_sym_set_fmpq(p, one);
    sv_set_alg(v, sc, p);
    rj_sym_clear(p);
    fmpq_clear(one);
}

void
cl_sym_set_family(rj_val_t v, cl_symscope *sc, slong base, slong len)
{
    symval *d = sv_new(sc, SV_FAMILY);
    d->base = base;
    d->len = len;
    rj_val_set_ext(v, &cl_sym_ops, d);
}

void
cl_sym_set_concrete_family(rj_val_t v, const fmpq_mat_struct *mats, slong len)
{
    symval *d = sv_new(NULL, SV_CFAMILY);
    slong i;
    d->len = len;
    d->mats = flint_malloc(FLINT_MAX(len, 1) * sizeof(fmpq_mat_struct));
    for (i = 0; i < len; i++)
        fmpq_mat_init_set(d->mats + i, mats + i);
    rj_val_set_ext(v, &cl_sym_ops, d);
}

/* ------------------------------------------------------------ printing */

static char *
pmat_str(const symval *d)
{
    cl_sbuf b;
    slong i, j, nv = fmpq_mpoly_ctx_nvars(d->sc->mctx);
    const char **vn = flint_malloc(nv * sizeof(const char *));
    for (i = 0; i < nv; i++)
        vn[i] = d->sc->varnames[i];
    if (d->scalar) {
        char *s = fmpq_mpoly_get_str_pretty(d->m->e, vn, d->sc->mctx);
        flint_free(vn);
        return s;
    }
    cl_sb_init(&b);
    cl_sb_puts(&b, "[");
    for (i = 0; i < d->m->rows; i++) {
        cl_sb_puts(&b, i > 0 ? ", [" : "[");
        for (j = 0; j < d->m->cols; j++) {
            char *s = fmpq_mpoly_get_str_pretty(d->m->e + i * d->m->cols + j, vn,
                                                d->sc->mctx);
            cl_sb_printf(&b, "%s%s", j > 0 ? ", " : "", s);
            flint_free(s);
        }
        cl_sb_puts(&b, "]");
    }
    cl_sb_puts(&b, "]");
    flint_free(vn);
    return cl_sb_take(&b);
}

static char *
sv_print(const rj_val_struct *v, slong maxlen)
{
    const symval *d = v->data;
    char *s;
    slong i;
    switch (d->kind) {
    case SV_ALG:
        s = rj_sym_get_str(d->p, (const char *const *) d->sc->names);
        break;
    case SV_FAMILY:
        s = cl_printf("%s..%s", d->sc->names[d->base], d->sc->names[d->base + d->len - 1]);
        break;
    case SV_PMAT:
        s = pmat_str(d);
        break;
    default: {
        cl_sbuf b;
        cl_sb_init(&b);
        for (i = 0; i < d->len; i++) {
            rj_val_t m;
            char *ms;
            rj_val_init(m);
            rj_val_set_fmpq_mat(m, d->mats + i);
            ms = rj_val_get_str(m);
            cl_sb_printf(&b, "%s%s", i > 0 ? ", " : "", ms);
            flint_free(ms);
            rj_val_clear(m);
        }
        s = cl_sb_take(&b);
    }
    }
    return maxlen > 0 ? rj_str_cut(s, maxlen) : s;
}

static void
sv_describe(char *buf, int len, const rj_val_struct *v)
{
    const symval *d = v->data;
    switch (d->kind) {
    case SV_ALG:
        if (d->sc->n > 0)
            snprintf(buf, len, "a symbolic %ld x %ld matrix", (long) d->sc->n,
                     (long) d->sc->n);
        else
            snprintf(buf, len, "a symbolic matrix (of any size)");
        break;
    case SV_FAMILY:
    case SV_CFAMILY:
        snprintf(buf, len, "a family of %ld matrices", (long) d->len);
        break;
    default:
        if (d->scalar)
            snprintf(buf, len, "a polynomial in the entries of symbolic matrices");
        else
            snprintf(buf, len, "a %ld x %ld matrix of polynomials in the entries",
                     (long) d->m->rows, (long) d->m->cols);
    }
}

/* ------------------------------------------------------------ conversions */

static int
sv_domain(rj_error_t err, int st, rj_loc_t loc)
{
    /* a limit of the symbolic layer: the method stops, the claim is UNDECIDED */
    if (st == RJ_ERR_LIMIT)
        err->status = st = RJ_ERR_DOMAIN;
    return cl_locate(err, st, loc);
}

static int
need_fixed(const cl_symscope *sc, const char *what, rj_loc_t loc, rj_error_t err)
{
    if (sc->n > 0 && sc->has_mctx)
        return RJ_OK;
    if (sc->n > 0)
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "%s of symbolic matrices needs "
                                "their entries: %s", what, sc->no_mctx);
    return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "%s of symbolic matrices needs a fixed "
                            "size: quantify with matrices(n, n)", what);
}

/* The scope of the first symbolic operand. */
static cl_symscope *
scope_of(const rj_val_struct *a, const rj_val_struct *b)
{
    const symval *d = sv_of(a);
    if (d == NULL || d->sc == NULL)
        d = b != NULL ? sv_of(b) : NULL;
    return d != NULL ? d->sc : NULL;
}

static void
poly_to_mpoly(fmpq_mpoly_t P, const fmpq_poly_t p, const cl_symscope *sc)
{
    fmpq_mpoly_t t, term;
    fmpq_t c;
    slong k;
    fmpq_mpoly_init(t, sc->mctx);
    fmpq_mpoly_init(term, sc->mctx);
    fmpq_init(c);
    fmpq_mpoly_zero(P, sc->mctx);
    fmpq_mpoly_gen(t, rj_pmat_ctx_tvar(sc->mctx), sc->mctx);
    for (k = 0; k < fmpq_poly_length(p); k++) {
        fmpq_poly_get_coeff_fmpq(c, p, k);
        fmpq_mpoly_pow_ui(term, t, (ulong) k, sc->mctx);
        fmpq_mpoly_scalar_mul_fmpq(term, term, c, sc->mctx);
        fmpq_mpoly_add(P, P, term, sc->mctx);
    }
    fmpq_mpoly_clear(t, sc->mctx);
    fmpq_mpoly_clear(term, sc->mctx);
    fmpq_clear(c);
}

/* x as a matrix (or scalar: *scalar = 1) of polynomials of sc (n > 0). */
static int
to_pmat(rj_pmat_t A, int *scalar, const rj_val_struct *x, cl_symscope *sc, rj_loc_t loc,
        rj_error_t err)
{
    const symval *d = sv_of(x);
    char buf[120];
    *scalar = 0;
    if (d != NULL && d->kind == SV_ALG)
        return sv_domain(err, rj_pmat_set_sym(A, d->p, sc->n, sc->mctx, &sc->lim, err), loc);
    if (d != NULL && d->kind == SV_PMAT && d->sc == sc) {
        rj_pmat_set(A, d->m, sc->mctx);
        *scalar = d->scalar;
        return RJ_OK;
    }
    if (x->kind == RJ_VAL_NUM || x->kind == RJ_VAL_POLY) {
        rj_pmat_clear(A, sc->mctx);
        rj_pmat_init(A, 1, 1, sc->mctx);
        if (x->kind == RJ_VAL_NUM)
            fmpq_mpoly_set_fmpq(A->e, x->num, sc->mctx);
        else
            poly_to_mpoly(A->e, x->poly, sc);
        *scalar = 1;
        return RJ_OK;
    }
    if (x->kind == RJ_VAL_MAT && fmpq_mat_nrows(x->mat) == sc->n
        && fmpq_mat_ncols(x->mat) == sc->n) {
        rj_pmat_set_fmpq_mat(A, x->mat, sc->mctx);
        return RJ_OK;
    }
    rj_val_describe(buf, sizeof(buf), x);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s cannot meet symbolic %ld x %ld "
                            "matrices", buf, (long) sc->n, (long) sc->n);
}

/* ------------------------------------------------------------ arithmetic */

static int
is_family(const rj_val_struct *v)
{
    const symval *d = sv_of(v);
    return d != NULL && (d->kind == SV_FAMILY || d->kind == SV_CFAMILY);
}

static int
alg_able(const rj_val_struct *v)
{
    const symval *d = sv_of(v);
    return v->kind == RJ_VAL_NUM || (d != NULL && d->kind == SV_ALG);
}

static int
refuse_family(const rj_val_struct *v, rj_loc_t loc, rj_error_t err)
{
    char buf[120];
    rj_val_describe(buf, sizeof(buf), v);
    return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s takes only indexing (J[l]) and "
                            "path_terms(J)", buf);
}

static int
alg_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
          cl_symscope *sc, rj_loc_t loc, rj_error_t err)
{
    const symval *da = sv_of(a), *db = sv_of(b);
    rj_sym_t r;
    fmpq_t q;
    slong k;
    int st = RJ_OK;
    rj_sym_init(r);
    fmpq_init(q);
    switch (op) {
    case '+':
    case '-':
        if (da == NULL || db == NULL) {
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot %s a symbolic matrix and a "
                                  "number (for a multiple of the identity write c * I)",
                                  op == '+' ? "add" : "subtract");
            break;
        }
        st = op == '+' ? rj_sym_add(r, da->p, db->p, &sc->lim, err)
                       : rj_sym_sub(r, da->p, db->p, &sc->lim, err);
        break;
    case '*':
        if (da == NULL)
            rj_sym_scalar_mul(r, db->p, a->num);
        else if (db == NULL)
            rj_sym_scalar_mul(r, da->p, b->num);
        else
            st = rj_sym_mul(r, da->p, db->p, &sc->lim, err);
        break;
    case '/':
        if (db != NULL || da == NULL)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "a symbolic matrix divides only by "
                                  "a number");
        else if (fmpq_is_zero(b->num))
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "division by zero");
        else {
            fmpq_inv(q, b->num);
            rj_sym_scalar_mul(r, da->p, q);
        }
        break;
    case '^':
        if (db != NULL || da == NULL) {
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "the exponent of a symbolic matrix "
                                  "must be an integer >= 0");
            break;
        }
        st = rj_val_get_si(&k, b, 0, sc->lim.max_degree, 1, "the exponent of a symbolic "
                           "matrix", NULL, loc, err);
        if (st == RJ_OK)
            st = rj_sym_pow_ui(r, da->p, (ulong) k, &sc->lim, err);
        break;
    default:
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "no operation '%c'", op);
    }
    if (st == RJ_OK)
        sv_set_alg(out, sc, r);
    rj_sym_clear(r);
    fmpq_clear(q);
    return sv_domain(err, st, loc);
}

static int
pmat_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
           cl_symscope *sc, rj_loc_t loc, rj_error_t err)
{
    rj_pmat_t A, B, R;
    int sa, sb, st;
    slong k, i;
    st = need_fixed(sc, "this operation", loc, err);
    if (st != RJ_OK)
        return st;
    rj_pmat_init(A, 0, 0, sc->mctx);
    rj_pmat_init(B, 0, 0, sc->mctx);
    rj_pmat_init(R, 0, 0, sc->mctx);
    st = to_pmat(A, &sa, a, sc, loc, err);
    if (st == RJ_OK && op != '^')
        st = to_pmat(B, &sb, b, sc, loc, err);
    if (st != RJ_OK)
        goto done;
    switch (op) {
    case '+':
    case '-':
        if (sa != sb)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot %s a matrix and a scalar "
                                  "(for a multiple of the identity write c * I)",
                                  op == '+' ? "add" : "subtract");
        else
            st = rj_pmat_add(R, A, B, op == '-', sc->mctx, err);
        break;
    case '*':
        if (sa)
            rj_pmat_scalar_mul(R, B, A->e, sc->mctx);
        else if (sb)
            rj_pmat_scalar_mul(R, A, B->e, sc->mctx);
        else
            st = rj_pmat_mul(R, A, B, sc->mctx, err);
        break;
    case '/':
        if (b->kind != RJ_VAL_NUM || fmpq_is_zero(b->num))
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "polynomial matrices divide only by "
                                  "a nonzero number");
        else {
            fmpq_t q;
            fmpq_init(q);
            fmpq_inv(q, b->num);
            rj_pmat_set(R, A, sc->mctx);
            for (i = 0; i < R->rows * R->cols; i++)
                fmpq_mpoly_scalar_mul_fmpq(R->e + i, R->e + i, q, sc->mctx);
            fmpq_clear(q);
        }
        sb = 1;                 /* a scalar divided by a number stays a scalar */
        break;
    case '^':
        st = rj_val_get_si(&k, b, 0, sc->lim.max_degree, 1, "the exponent", NULL, loc, err);
        if (st != RJ_OK)
            break;
        rj_pmat_set(R, A, sc->mctx);
        if (k == 0) {
            rj_pmat_clear(R, sc->mctx);
            rj_pmat_init(R, A->rows, A->cols, sc->mctx);
            for (i = 0; i < A->rows && i < A->cols; i++)
                fmpq_mpoly_one(R->e + i * A->cols + i, sc->mctx);
        }
        for (i = 1; i < k && st == RJ_OK; i++)
            st = rj_pmat_mul(R, R, A, sc->mctx, err);
        sb = 1;
        break;
    default:
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "no operation '%c'", op);
    }
    if (st == RJ_OK)
        sv_set_pmat(out, sc, R, sa && sb);
done:
    rj_pmat_clear(A, sc->mctx);
    rj_pmat_clear(B, sc->mctx);
    rj_pmat_clear(R, sc->mctx);
    return cl_locate(err, st, loc);
}

static int
sv_binop(rj_val_struct *out, int op, const rj_val_struct *a, const rj_val_struct *b,
         rj_loc_t loc, rj_error_t err)
{
    cl_symscope *sc = scope_of(a, b);
    if (is_family(a))
        return refuse_family(a, loc, err);
    if (is_family(b))
        return refuse_family(b, loc, err);
    if (alg_able(a) && alg_able(b))
        return alg_binop(out, op, a, b, sc, loc, err);
    return pmat_binop(out, op, a, b, sc, loc, err);
}

static int
sv_neg(rj_val_struct *out, const rj_val_struct *a, rj_loc_t loc, rj_error_t err)
{
    rj_val_t m1;
    int st;
    rj_val_init(m1);
    m1->kind = RJ_VAL_NUM;
    fmpq_set_si(m1->num, -1, 1);
    st = sv_binop(out, '*', m1, a, loc, err);
    rj_val_clear(m1);
    return st;
}

static int
sv_transpose(rj_val_struct *out, const rj_val_struct *a, rj_loc_t loc, rj_error_t err)
{
    const symval *d = sv_of(a);
    if (d->kind == SV_ALG) {
        rj_sym_t r;
        rj_sym_init(r);
        rj_sym_transpose(r, d->p);
        sv_set_alg(out, d->sc, r);
        rj_sym_clear(r);
        return RJ_OK;
    }
    if (d->kind == SV_PMAT) {
        rj_pmat_t R;
        rj_pmat_init(R, 0, 0, d->sc->mctx);
        rj_pmat_transpose(R, d->m, d->sc->mctx);
        sv_set_pmat(out, d->sc, R, d->scalar);
        rj_pmat_clear(R, d->sc->mctx);
        return RJ_OK;
    }
    return refuse_family(a, loc, err);
}

static int
sv_index(rj_val_struct *out, const rj_val_struct *a, const rj_val_struct *i,
         const rj_val_struct *j, rj_loc_t loc, rj_error_t err)
{
    const symval *d = sv_of(a);
    char of[64];
    slong k;
    int st;
    if ((d->kind != SV_FAMILY && d->kind != SV_CFAMILY) || j != NULL)
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "indexing takes one index of a family "
                                "of matrices (J[l]), not entries of a symbolic matrix");
    snprintf(of, sizeof(of), "a family of %ld matrices", (long) d->len);
    st = rj_val_get_si(&k, i, 1, d->len, 0, "index", of, loc, err);
    if (st != RJ_OK)
        return st;
    {
        rj_val_t r;             /* out may be a */
        rj_val_init(r);
        if (d->kind == SV_CFAMILY)
            rj_val_set_fmpq_mat(r, d->mats + k - 1);
        else
            cl_sym_set_symbol(r, d->sc, d->base + k - 1);
        rj_val_swap(out, r);
        rj_val_clear(r);
    }
    return RJ_OK;
}

/* 1 holds, 0 fails, -1 undecided here (a counterexample search decides). */
static int
sv_compare(int *tv, int op, const rj_val_struct *a, const rj_val_struct *b, rj_loc_t loc,
           rj_error_t err)
{
    const symval *da = sv_of(a), *db = sv_of(b);
    cl_symscope *sc = scope_of(a, b);
    rj_pmat_t A, B;
    int sa, sb, st;
    *tv = -1;
    if (is_family(a) || is_family(b))
        return refuse_family(is_family(a) ? a : b, loc, err);
    if (op != RJ_CMP_EQ && op != RJ_CMP_NE)
        return RJ_OK;
    if (da != NULL && db != NULL && da->kind == SV_ALG && db->kind == SV_ALG) {
        if (rj_sym_equal(da->p, db->p)) {
            *tv = op == RJ_CMP_EQ;
            return RJ_OK;
        }
        if (sc->n == 0 || !sc->has_mctx)
            return RJ_OK;
    } else if (sc->n == 0) {
        char d1[120], d2[120];
        rj_val_describe(d1, sizeof(d1), a);
        rj_val_describe(d2, sizeof(d2), b);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot compare %s with %s", d1, d2);
    }
    st = need_fixed(sc, "comparing", loc, err);
    if (st != RJ_OK)
        return st;
    rj_pmat_init(A, 0, 0, sc->mctx);
    rj_pmat_init(B, 0, 0, sc->mctx);
    st = to_pmat(A, &sa, a, sc, loc, err);
    if (st == RJ_OK)
        st = to_pmat(B, &sb, b, sc, loc, err);
    if (st == RJ_OK && (sa != sb || A->rows != B->rows || A->cols != B->cols))
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "cannot compare a %ld x %ld %s with a "
                              "%ld x %ld %s", (long) A->rows, (long) A->cols,
                              sa ? "scalar" : "matrix", (long) B->rows, (long) B->cols,
                              sb ? "scalar" : "matrix");
    if (st == RJ_OK && rj_pmat_equal(A, B, sc->mctx))
        *tv = op == RJ_CMP_EQ;
    rj_pmat_clear(A, sc->mctx);
    rj_pmat_clear(B, sc->mctx);
    return st;
}

/* ------------------------------------------------------------ functions */

/* det, trace, charpoly, adjugate of a symbolic square matrix (fixed size). */
static int
sym_square_fn(rj_val_t out, const char *name, const rj_val_struct *x, rj_loc_t loc,
              rj_error_t err)
{
    cl_symscope *sc = scope_of(x, NULL);
    rj_pmat_t A, R;
    int s, st = need_fixed(sc, name, loc, err);
    if (st != RJ_OK)
        return st;
    rj_pmat_init(A, 0, 0, sc->mctx);
    rj_pmat_init(R, 1, 1, sc->mctx);
    st = to_pmat(A, &s, x, sc, loc, err);
    if (st == RJ_OK && s)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s needs a matrix, found a scalar", name);
    if (st == RJ_OK) {
        if (strcmp(name, "det") == 0)
            st = rj_pmat_det(R->e, A, sc->mctx, err);
        else if (strcmp(name, "trace") == 0)
            st = rj_pmat_trace(R->e, A, sc->mctx, err);
        else if (strcmp(name, "charpoly") == 0)
            st = rj_pmat_charpoly(R->e, A, sc->mctx, err);
        else
            st = rj_pmat_adjugate(R, A, sc->mctx, err);
    }
    if (st == RJ_OK)
        sv_set_pmat(out, sc, R, strcmp(name, "adjugate") != 0);
    rj_pmat_clear(A, sc->mctx);
    rj_pmat_clear(R, sc->mctx);
    return sv_domain(err, st, loc);
}

/* compose(p, q) = p(q) for p a polynomial in t (and in the entries): q a
   scalar substitutes t, q a matrix gives p(q). */
static int
sym_compose(rj_val_t out, const rj_val_struct *p, const rj_val_struct *q, rj_loc_t loc,
            rj_error_t err)
{
    cl_symscope *sc = scope_of(p, q);
    rj_pmat_t P, Q, R;
    int sp, sq, st = need_fixed(sc, "compose", loc, err);
    if (st != RJ_OK)
        return st;
    rj_pmat_init(P, 0, 0, sc->mctx);
    rj_pmat_init(Q, 0, 0, sc->mctx);
    rj_pmat_init(R, 1, 1, sc->mctx);
    st = to_pmat(P, &sp, p, sc, loc, err);
    if (st == RJ_OK)
        st = to_pmat(Q, &sq, q, sc, loc, err);
    if (st == RJ_OK && !sp)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "compose: argument 1 must be a "
                              "polynomial, found a matrix");
    if (st == RJ_OK && sq) {
        slong i, nv = fmpq_mpoly_ctx_nvars(sc->mctx);
        fmpq_mpoly_struct *g = flint_malloc(nv * sizeof(fmpq_mpoly_struct));
        fmpq_mpoly_struct **gp = flint_malloc(nv * sizeof(fmpq_mpoly_struct *));
        for (i = 0; i < nv; i++) {
            fmpq_mpoly_init(g + i, sc->mctx);
            if (i == nv - 1)
                fmpq_mpoly_set(g + i, Q->e, sc->mctx);
            else
                fmpq_mpoly_gen(g + i, i, sc->mctx);
            gp[i] = g + i;
        }
        if (!fmpq_mpoly_compose_fmpq_mpoly(R->e, P->e, gp, sc->mctx, sc->mctx))
            st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "compose: the composition is too "
                                  "large for the polynomial arithmetic");
        for (i = 0; i < nv; i++)
            fmpq_mpoly_clear(g + i, sc->mctx);
        flint_free(g);
        flint_free(gp);
    } else if (st == RJ_OK)
        st = rj_pmat_poly_apply(R, P->e, Q, sc->mctx, err);
    if (st == RJ_OK)
        sv_set_pmat(out, sc, R, sq);
    rj_pmat_clear(P, sc->mctx);
    rj_pmat_clear(Q, sc->mctx);
    rj_pmat_clear(R, sc->mctx);
    return sv_domain(err, st, loc);
}

/* The lift: every operation with a symbolic operand comes here. */
static int
sv_lift(rj_val_struct *out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
        rj_env_struct *env, rj_error_t err)
{
    slong i;
    switch (e->kind) {
    case RJ_EXPR_BINOP:
        return sv_binop(out, e->op, vals[0], vals[1], e->loc, err);
    case RJ_EXPR_SUM:
        return sv_binop(out, '+', vals[0], vals[1], e->args[2]->loc, err);
    case RJ_EXPR_PROD:                      /* the next factor on the left */
        return sv_binop(out, '*', vals[1], vals[0], e->args[2]->loc, err);
    case RJ_EXPR_NEG:
        return sv_neg(out, vals[0], e->loc, err);
    case RJ_EXPR_TRANSPOSE:
        return sv_transpose(out, vals[0], e->loc, err);
    case RJ_EXPR_INDEX:
        if (!cl_val_is_sym(vals[0]))
            break;
        return sv_index(out, vals[0], vals[1], n == 3 ? vals[2] : NULL, e->loc, err);
    case RJ_EXPR_CALL:
        if (strcmp(e->name, "path_terms") == 0 || strcmp(e->name, "adjugate") == 0)
            return rj_env_call(out, e, vals, n, env, err);        /* symbolic.c's own */
        if (cl_symjac_is_call(e->name))
            return cl_symjac_call(out, e, vals, n, env, err);     /* symbolic_jac.c */
        for (i = 0; i < n; i++)
            if (is_family(vals[i]))
                return refuse_family(vals[i], e->loc, err);
        if (n == 1 && strcmp(e->name, "transpose") == 0)
            return sv_transpose(out, vals[0], e->loc, err);
        if (n == 1 && (strcmp(e->name, "det") == 0 || strcmp(e->name, "trace") == 0
                       || strcmp(e->name, "charpoly") == 0))
            return sym_square_fn(out, e->name, vals[0], e->loc, err);
        if (n == 2 && strcmp(e->name, "compose") == 0)
            return sym_compose(out, vals[0], vals[1], e->loc, err);
        for (i = 0; i < n && !cl_val_is_sym(vals[i]); i++)
            ;
        /* a claim the method cannot decide, not a bad file: UNDECIDED */
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc, "%s has no rule for symbolic "
                                "matrices (argument %ld); the symbolic layer takes + - * / ^ "
                                "', transpose, det, trace, charpoly, adjugate, compose and "
                                "path_terms", e->name, (long) (i + 1));
    default:
        break;
    }
    return rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "symbolic matrices cannot stand in a "
                            "matrix literal or be indexed by entry");
}

const rj_val_ops cl_sym_ops = {
    "symbolic matrix", sv_free, sv_copy, sv_print, sv_describe, sv_binop, sv_neg,
    sv_transpose, sv_index, sv_compare, sv_lift
};

/* ------------------------------------------------------------ claim functions */

int
cl_fn_adjugate(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
               rj_error_t err)
{
    fmpq_mpoly_ctx_t mctx;
    fmpq_mat_t A;
    rj_pmat_t P;
    slong i, j, n;
    int st;
    (void) ctx;
    (void) env;
    if (cl_val_is_sym(b->a[0]) && !is_family(b->a[0]))
        return sym_square_fn(out->v, "adjugate", b->a[0], b->loc, err);
    fmpq_mat_init(A, 0, 0);
    st = cl_arg_mat(A, b, 0, 1, err);
    n = fmpq_mat_nrows(A);
    if (st == RJ_OK && n > RJ_PMAT_MAX_SIZE)
        st = rj_error_set_loc(err, RJ_ERR_LIMIT, b->loc, "adjugate of a %ld x %ld matrix: "
                              "more than the limit of size %d", (long) n, (long) n,
                              RJ_PMAT_MAX_SIZE);
    if (st == RJ_OK) {
        /* the cofactors of the constant matrix, in a context of one variable */
        fmpq_mpoly_ctx_init(mctx, 1, ORD_LEX);
        rj_pmat_init(P, 0, 0, mctx);
        rj_pmat_set_fmpq_mat(P, A, mctx);
        st = rj_pmat_adjugate(P, P, mctx, err);
        for (i = 0; i < n && st == RJ_OK; i++)
            for (j = 0; j < n; j++)
                fmpq_mpoly_get_fmpq(fmpq_mat_entry(A, i, j), P->e + i * n + j, mctx);
        rj_pmat_clear(P, mctx);
        fmpq_mpoly_ctx_clear(mctx);
    }
    if (st == RJ_OK)
        rj_val_set_fmpq_mat(out->v, A);
    fmpq_mat_clear(A);
    return cl_locate(err, st, b->loc);
}

#define CL_PATH_TERMS_MAX_L 20

/* path_terms(J) = sum over S of [L] of prod_{l in S} J_l (larger l on the
   left), each subset's word formed directly; path_terms(J, k): |S| = k. */
int
cl_fn_path_terms(cl_cval_t out, const cl_args *b, cl_ctx *ctx, rj_env_struct *env,
                 rj_error_t err)
{
    const symval *d = sv_of(b->a[0]);
    slong L, k = -1, nw = 0, i, l;
    ulong mask;
    int st = RJ_OK;
    (void) ctx;
    (void) env;
    if (d == NULL || (d->kind != SV_FAMILY && d->kind != SV_CFAMILY))
        return cl_bad_arg(b, 0, "a family of matrices (forall J_1..J_L in matrices)", err);
    L = d->len;
    if (L > CL_PATH_TERMS_MAX_L)
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, b->loc, "path_terms: 2^%ld subsets: more "
                                "than the limit of L = %d", (long) L, CL_PATH_TERMS_MAX_L);
    if (b->n == 2) {
        st = cl_arg_si(&k, b, 1, 0, L, 0, "the path length k", err);
        if (st != RJ_OK)
            return st;
    }
    if (d->kind == SV_FAMILY) {
        slong **words = flint_malloc((WORD(1) << L) * sizeof(slong *));
        slong *lens = flint_malloc((WORD(1) << L) * sizeof(slong));
        rj_sym_t r;
        for (mask = 0; mask < (UWORD(1) << L); mask++) {
            slong c = 0;
            if (k >= 0 && (slong) __builtin_popcountl(mask) != k)
                continue;
            words[nw] = flint_malloc(FLINT_MAX(L, 1) * sizeof(slong));
            for (l = L - 1; l >= 0; l--)
                if (mask & (UWORD(1) << l))
                    words[nw][c++] = 2 * (d->base + l);
            lens[nw++] = c;
        }
        rj_sym_init(r);
        st = rj_sym_set_words(r, (const slong *const *) words, lens, nw, &d->sc->lim, err);
        if (st == RJ_OK)
            sv_set_alg(out->v, d->sc, r);
        rj_sym_clear(r);
        for (i = 0; i < nw; i++)
            flint_free(words[i]);
        flint_free(words);
        flint_free(lens);
        return sv_domain(err, st, b->loc);
    } else {
        slong n = fmpq_mat_nrows(d->mats);
        fmpq_mat_t acc, w, t;
        fmpq_mat_init(acc, n, n);
        fmpq_mat_init(w, n, n);
        fmpq_mat_init(t, n, n);
        for (mask = 0; mask < (UWORD(1) << L); mask++) {
            if (k >= 0 && (slong) __builtin_popcountl(mask) != k)
                continue;
            fmpq_mat_one(w);
            for (l = L - 1; l >= 0; l--)
                if (mask & (UWORD(1) << l)) {
                    fmpq_mat_mul(t, w, d->mats + l);
                    fmpq_mat_swap(t, w);
                }
            fmpq_mat_add(acc, acc, w);
        }
        rj_val_set_fmpq_mat(out->v, acc);
        fmpq_mat_clear(acc);
        fmpq_mat_clear(w);
        fmpq_mat_clear(t);
    }
    return RJ_OK;
}

/* ------------------------------------------------------------ for symbolic_jac.c */

const rj_sym_struct *
cl_sym_get_alg(const rj_val_struct *v, cl_symscope **sc)
{
    const symval *d = sv_of(v);
    if (d == NULL || d->kind != SV_ALG)
        return NULL;
    if (sc != NULL)
        *sc = d->sc;
    return d->p;
}

void
cl_sym_set_alg(rj_val_t v, cl_symscope *sc, rj_sym_t p)
{
    sv_set_alg(v, sc, p);
}
