/* resjac claims: plain value helpers and choice-dependent values (cl_cval):
 * a value with the ReLU ties it depends on, its items per choice, how it
 * depends on the choices and its centre value (claims_impl.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ plain values */

void
cl_val_set_si(rj_val_t v, slong n)
{
    rj_val_reset(v);
    v->kind = RJ_VAL_NUM;
    fmpq_set_si(v->num, n, 1);
}

void
cl_val_set_fmpz(rj_val_t v, const fmpz_t z)
{
    fmpz_t t;
    fmpz_init_set(t, z);      /* z may live inside v */
    rj_val_reset(v);
    v->kind = RJ_VAL_NUM;
    fmpz_swap(fmpq_numref(v->num), t);
    fmpz_one(fmpq_denref(v->num));
    fmpz_clear(t);
}

void
cl_val_set_poly(rj_val_t v, const fmpq_poly_t p)
{
    fmpq_poly_t t;
    fmpq_poly_init(t);
    fmpq_poly_set(t, p);
    rj_val_reset(v);
    v->kind = RJ_VAL_POLY;
    fmpq_poly_swap(v->poly, t);
    fmpq_poly_clear(t);
}

void
cl_val_set_list(rj_val_t v, slong len)
{
    slong i;
    rj_val_reset(v);
    v->kind = RJ_VAL_LIST;
    v->items = flint_malloc(FLINT_MAX(len, 1) * sizeof(rj_val_struct));
    for (i = 0; i < len; i++)
        rj_val_init(v->items + i);
    v->len = len;
}

int
cl_val_is_int(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_NUM && fmpz_is_one(fmpq_denref(v->num));
}

int
cl_val_equal(const rj_val_struct *a, const rj_val_struct *b)
{
    slong i;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case RJ_VAL_NONE: return 1;
    case RJ_VAL_BOOL: return a->b == b->b;
    case RJ_VAL_NUM: return fmpq_equal(a->num, b->num);
    case RJ_VAL_MAT:
        return fmpq_mat_nrows(a->mat) == fmpq_mat_nrows(b->mat)
               && fmpq_mat_ncols(a->mat) == fmpq_mat_ncols(b->mat)
               && fmpq_mat_equal(a->mat, b->mat);
    case RJ_VAL_POLY: return fmpq_poly_equal(a->poly, b->poly);
    case RJ_VAL_STRING:
        return a->str != NULL && b->str != NULL && strcmp(a->str, b->str) == 0;
    case RJ_VAL_EXT:
        if (a->ops != b->ops)
            return 0;
        if (rj_claims_val_is_encl(a))
            return mpfr_equal_p(rj_claims_val_encl(a)->lo, rj_claims_val_encl(b)->lo)
                   && mpfr_equal_p(rj_claims_val_encl(a)->hi, rj_claims_val_encl(b)->hi);
        return cl_val_is_emat(a) && cl_emat_equal(a, b);
        /* choice values are never items of one another */
    case RJ_VAL_LIST:
        if (a->len != b->len)
            return 0;
        for (i = 0; i < a->len; i++)
            if (!cl_val_equal(a->items + i, b->items + i))
                return 0;
        return 1;
    default:
        return 0;   /* atoms, blocks, networks: never merged */
    }
}

/* ------------------------------------------------------------ choice-dependent values */

int
cl_dep_neg(int d)
{
    return d == CL_DEP_CVX ? CL_DEP_CCV : d == CL_DEP_CCV ? CL_DEP_CVX : d;
}

/* Sums keep multilinearity and (same-sided) convexity: a multilinear term is
   both convex and concave in each c_i. */
int
cl_dep_add(int da, int db)
{
    if (da == CL_DEP_LIN)
        return db;
    if (db == CL_DEP_LIN || da == db)
        return da;
    return CL_DEP_ANY;
}

void
cl_cval_init(cl_cval_t c)
{
    rj_val_init(c->v);
    c->nkeys = 0;
    c->keys = NULL;
    c->dep = CL_DEP_LIN;
    c->has_center = 0;
    rj_val_init(c->center);
}

void
cl_cval_clear(cl_cval_t c)
{
    rj_val_clear(c->v);
    rj_val_clear(c->center);
    flint_free(c->keys);
}

void
cl_cval_swap(cl_cval_t a, cl_cval_t b)
{
    cl_cval_struct t = *a;
    *a = *b;
    *b = t;
}

void
cl_cval_set(cl_cval_t a, const cl_cval_t b)
{
    if (a == b)
        return;
    rj_val_set(a->v, b->v);
    rj_val_set(a->center, b->center);
    a->dep = b->dep;
    a->has_center = b->has_center;
    flint_free(a->keys);
    a->keys = NULL;
    a->nkeys = b->nkeys;
    if (b->nkeys > 0) {
        a->keys = flint_malloc(b->nkeys * sizeof(slong));
        memcpy(a->keys, b->keys, b->nkeys * sizeof(slong));
    }
}

void
cl_cval_set_plain(cl_cval_t c, const rj_val_t v)
{
    rj_val_set(c->v, v);
    flint_free(c->keys);
    c->keys = NULL;
    c->nkeys = 0;
    c->dep = CL_DEP_LIN;
    c->has_center = 0;
    rj_val_reset(c->center);
}

const rj_val_struct *
cl_cval_center(const cl_cval_t c)
{
    if (c->nkeys == 0)
        return c->v;
    return c->has_center ? c->center : NULL;
}

/* The value of a multilinear f at c = (1/2, ..., 1/2) is the mean of its
   2^k vertex values (proofs/ties.md, section 2). */
int
cl_val_mean(rj_val_t out, const rj_val_struct *items, slong len)
{
    rj_val_t acc, d;
    rj_error_t err;
    rj_loc_t loc = { NULL, 0, 0 };
    slong i;
    int st = RJ_OK;
    rj_val_init(acc);
    rj_val_init(d);
    rj_error_init(err);
    rj_val_set(acc, items);
    for (i = 1; i < len && st == RJ_OK; i++)
        st = cl_val_binop(acc, '+', acc, items + i, NULL, loc, err);
    cl_val_set_si(d, len);
    if (st == RJ_OK)
        st = cl_val_binop(acc, '/', acc, d, NULL, loc, err);
    if (st == RJ_OK)
        rj_val_swap(out, acc);
    rj_val_clear(acc);
    rj_val_clear(d);
    return st == RJ_OK;
}

slong
cl_keys_union(slong **U, const slong *a, slong na, const slong *b, slong nb)
{
    slong i = 0, j = 0, n = 0;
    slong *u = flint_malloc(FLINT_MAX(na + nb, 1) * sizeof(slong));
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a[i] < b[j]))
            u[n++] = a[i++];
        else if (i >= na || b[j] < a[i])
            u[n++] = b[j++];
        else {
            u[n++] = a[i++];
            j++;
        }
    }
    *U = u;
    return n;
}

ulong
cl_keys_project(ulong maskU, const slong *U, slong nU, const slong *K, slong nK)
{
    slong i, p = 0;
    ulong m = 0;
    for (i = 0; i < nK; i++) {
        while (p < nU && U[p] != K[i])
            p++;
        if (p < nU && ((maskU >> p) & 1))
            m |= UWORD(1) << i;
    }
    return m;
}

const rj_val_struct *
cl_cval_item(const cl_cval_t c, ulong maskU, const slong *U, slong nU)
{
    if (c->nkeys == 0)
        return c->v;
    return c->v->items + cl_keys_project(maskU, U, nU, c->keys, c->nkeys);
}

/* Insert a zero bit at position i of m. */
static ulong
insert_bit(ulong m, slong i)
{
    ulong low = m & ((UWORD(1) << i) - 1);
    return ((m >> i) << (i + 1)) | low;
}

void
cl_cval_set_choices(cl_cval_t c, const slong *U, slong nU, rj_val_struct *items, int dep,
                    rj_val_struct *center)
{
    slong n = nU, i, m, len = WORD(1) << nU;
    slong *keys = flint_malloc(FLINT_MAX(nU, 1) * sizeof(slong));
    rj_val_struct *cur = flint_malloc(len * sizeof(rj_val_struct));

    /* move the items into an array of our own */
    for (m = 0; m < len; m++) {
        cur[m] = items[m];
        rj_val_init(items + m);
    }
    memcpy(keys, U, nU * sizeof(slong));
    /* drop every key that no item depends on, when that shows the value does
       not depend on it anywhere in the box: only for multilinear values (a
       product such as c (1 - c) is 0 at both ends but not in between) */
    for (i = n - 1; i >= 0 && dep == CL_DEP_LIN; i--) {
        int same = 1;
        len = WORD(1) << n;
        for (m = 0; m < len && same; m++)
            if (!((m >> i) & 1) && !cl_val_equal(cur + m, cur + (m | (WORD(1) << i))))
                same = 0;
        if (!same)
            continue;
        {
            rj_val_struct *nxt = flint_malloc((len / 2) * sizeof(rj_val_struct));
            for (m = 0; m < len / 2; m++) {
                ulong src = insert_bit(m, i);
                nxt[m] = cur[src];
                rj_val_init(cur + src);
            }
            for (m = 0; m < len; m++)
                rj_val_clear(cur + m);
            flint_free(cur);
            cur = nxt;
        }
        memmove(keys + i, keys + i + 1, (n - i - 1) * sizeof(slong));
        n--;
    }
    flint_free(c->keys);
    c->keys = NULL;
    c->nkeys = 0;
    c->dep = CL_DEP_LIN;
    c->has_center = 0;
    rj_val_reset(c->center);
    len = WORD(1) << n;
    if (n == 0) {
        rj_val_swap(c->v, cur);
        flint_free(keys);
    } else {
        cl_val_set_list(c->v, len);
        for (m = 0; m < len; m++)
            rj_val_swap(c->v->items + m, cur + m);
        c->keys = keys;
        c->nkeys = n;
        c->dep = dep;
        if (center != NULL && center->kind != RJ_VAL_NONE) {
            rj_val_swap(c->center, center);
            c->has_center = 1;
        }
    }
    for (m = 0; m < len; m++)
        rj_val_clear(cur + m);
    flint_free(cur);
}

int
cl_cval_map(cl_cval_t out, cl_cval_struct **in, slong n, cl_cval_fn fn, const void *data,
            int dep,
            cl_ctx *ctx, rj_env_struct *env, rj_loc_t loc, rj_error_t err)
{
    slong *U = NULL, nU = 0, i;
    rj_val_struct **vals;
    int st = RJ_OK;

    for (i = 0; i < n; i++)
        if (in[i]->nkeys > 0) {
            slong *V;
            slong nV = cl_keys_union(&V, U, nU, in[i]->keys, in[i]->nkeys);
            flint_free(U);
            U = V;
            nU = nV;
        }
    vals = flint_malloc(FLINT_MAX(n, 1) * sizeof(rj_val_struct *));
    if (nU == 0) {
        /* no choices: fn's value as it is (it may bring ties of its own) */
        for (i = 0; i < n; i++)
            vals[i] = in[i]->v;
        flint_free(out->keys);
        out->keys = NULL;
        out->nkeys = 0;
        out->dep = CL_DEP_LIN;
        out->has_center = 0;
        st = fn(out, vals, n, data, ctx, env, err);
    } else if (nU > ctx->opts.max_ties) {
        /* the method cannot enumerate them: UNDECIDED, not a bad claim */
        st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                              "this value depends on %ld ReLU ties: their %.0f one-sided "
                              "choices exceed the limit of %ld ties (RJ_CLAIMS_MAX_TIES)",
                              (long) nU, (double) (UWORD(1) << FLINT_MIN(nU, 62)),
                              (long) ctx->opts.max_ties);
    } else {
        slong len = WORD(1) << nU, m;
        rj_val_struct *items = flint_malloc(len * sizeof(rj_val_struct));
        cl_cval_t r;
        rj_val_t center;
        for (m = 0; m < len; m++)
            rj_val_init(items + m);
        rj_val_init(center);
        cl_cval_init(r);
        for (m = 0; m < len && st == RJ_OK; m++) {
            for (i = 0; i < n; i++)
                vals[i] = in[i]->nkeys == 0 ? in[i]->v
                          : in[i]->v->items + cl_keys_project(m, U, nU, in[i]->keys,
                                                              in[i]->nkeys);
            st = fn(r, vals, n, data, ctx, env, err);
            if (st == RJ_OK && r->nkeys > 0)      /* a limit of the method */
                st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc,
                                      "a value at a ReLU tie was passed to a function that "
                                      "meets ReLU ties itself (nested tie choices are not "
                                      "supported)");
            if (st == RJ_OK)
                rj_val_swap(items + m, r->v);
        }
        if (st == RJ_OK) {
            /* the same operation at the centre of the box: an extra sample
               (proofs/ties.md); a failure there only leaves it unknown */
            int ok = 1;
            for (i = 0; i < n && ok; i++)
                ok = (vals[i] = in[i]->nkeys == 0 ? in[i]->v
                                : in[i]->has_center ? in[i]->center : NULL) != NULL;
            if (ok) {
                rj_error_t e2;
                rj_error_init(e2);
                if (fn(r, vals, n, data, ctx, env, e2) == RJ_OK && r->nkeys == 0)
                    rj_val_swap(center, r->v);
            }
            cl_cval_set_choices(out, U, nU, items, dep, center);
        }
        cl_cval_clear(r);
        for (m = 0; m < len; m++)
            rj_val_clear(items + m);
        flint_free(items);
        rj_val_clear(center);
    }
    flint_free(vals);
    flint_free(U);
    return st;
}

/* ------------------------------------------------------------ choice values */

static void
choice_free(void *data)
{
    cl_cval_clear(data);
    flint_free(data);
}

static void *
choice_copy(const void *data)
{
    cl_cval_struct *c = flint_malloc(sizeof(cl_cval_struct));
    cl_cval_init(c);
    cl_cval_set(c, data);
    return c;
}

static const cl_cval_struct *
choice_of(const rj_val_struct *v)
{
    return v->data;
}

static char *
choice_print(const rj_val_struct *v, slong maxlen)
{
    const rj_val_struct *items = choice_of(v)->v;
    cl_sbuf b;
    slong i;
    cl_sb_init(&b);
    cl_sb_puts(&b, "one of {");
    for (i = 0; i < items->len; i++) {
        char *s = rj_val_get_str_short(items->items + i,
                                       maxlen > 0 ? FLINT_MAX(40, maxlen / 2) : 0);
        if (i > 0)
            cl_sb_puts(&b, ", ");
        cl_sb_puts(&b, s);
        flint_free(s);
    }
    cl_sb_puts(&b, "}");
    return cl_sb_take(&b);
}

static void
choice_describe(char *buf, int len, const rj_val_struct *v)
{
    snprintf(buf, len, "a choice set of %ld values (a ReLU tie)", (long) choice_of(v)->v->len);
}

const rj_val_ops cl_choice_ops = {
    "value at ReLU tie choices", choice_free, choice_copy, choice_print, choice_describe,
    NULL, NULL, NULL, NULL, NULL, cl_choice_lift
};

int
cl_val_is_choice(const rj_val_struct *v)
{
    return v->kind == RJ_VAL_EXT && v->ops == &cl_choice_ops;
}

void
cl_cval_set_val(cl_cval_t c, const rj_val_struct *v)
{
    if (cl_val_is_choice(v))
        cl_cval_set(c, choice_of(v));
    else
        cl_cval_set_plain(c, v);
}

void
cl_cval_get_val(rj_val_t v, cl_cval_t c)
{
    cl_cval_struct *d;
    if (c->nkeys == 0) {
        rj_val_swap(v, c->v);
        rj_val_reset(c->v);
        return;
    }
    d = flint_malloc(sizeof(cl_cval_struct));
    cl_cval_init(d);
    cl_cval_swap(d, c);
    rj_val_set_ext(v, &cl_choice_ops, d);
}
