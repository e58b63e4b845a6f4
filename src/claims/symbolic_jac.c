/* resjac claims: Jacobians of blocks with symbolic weights at a symbolic point
 * (src/claims/symbolic_impl.h; proofs/symbolic.md [SY 4]).
 *
 *   forall A, C in matrices: forall x in vectors: forall D_1..D_2 in derivatives(x):
 *       jacobian(block(W1 = A, act = relu, W2 = C, place = pre), x) == I + C * D_2 * A * D_1
 *
 * `forall x in vectors` binds x to a point of any width (a value of this
 * file's kind, SJ_POINT); `forall D_1..D_K in derivatives(x)` binds D_1..D_K
 * to diagonal symbols of the scope (D' = D): the derivatives, at x, of the
 * non-identity activations that the body's Jacobians at x meet, numbered in
 * the order they are met (forward order within a Jacobian).  An activation
 * is identified by what determines its input -- the point, the blocks before
 * it and the weights, bias and placement that form its pre-activation -- so
 * the same activation at the same input gets the same D in every Jacobian of
 * the body (jacobian(B, x) and jacobian(BF, x) share the branch's D).
 *
 * block(...), net(...) and project(P) with symbolic weights make values of
 * this file's kind (SJ_NET, SJ_PROJ); jacobian, skip_part and branch_part of
 * such a block at a point are elements of the free algebra
 * (rj_sym_block_jacobian); forward(N, x) is a vector (SJ_VEC): an element
 * whose letters are also the points and the activation terms act(z), one
 * letter per activation and normal form of z.  The quantifier decides the body once on
 * symbols; otherwise it tries integer instances: random integer weights and
 * points, D_k the derivative at the point itself (computed here from the
 * forward pass, away from ReLU ties), the body decided by the plain exact
 * evaluator (the exact layer's jacobian), and a refuting instance printed,
 * read back and decided again before it refutes. */
#include <string.h>

#include "symbolic_impl.h"

#define SJ_TRIALS 24
#define SJ_SEED 20261213
#define SJ_CHAIN_MAX 32
#define SJ_MAX_SLOTS 64

enum { SJ_POINT, SJ_NET, SJ_PROJ, SJ_VEC };

typedef struct {
    rj_sym_block_t b;
    rj_act_t act, outer;
    slong b1, b2;                 /* vector variables, -1: no bias */
} sjblock;

/* One derivative symbol met: what it is taken at (key), and how to compute
   it for concrete weights (the blocks up to its own, which activation). */
typedef struct {
    char *key;
    slong sym;
    slong point;                  /* the vector variable of the point */
    slong nblk;
    sjblock *blk;                 /* blocks 1..nblk, the activation in the last */
    int outer;                    /* 1: the block's outer activation, 0: act */
} sjslot;

struct cl_symjac {
    slong nvec;
    char **vecnames;
    slong nsym;
    char *diag;                   /* per scope symbol: a derivative symbol */
    slong *dpoint;                /* per scope symbol: its point, -1 */
    slong nslot;
    sjslot slot[SJ_MAX_SLOTS];
    slong natom;                  /* activation terms act(z) of forward values */
    char *atomkey[SJ_MAX_SLOTS];  /* act and z's normal form: the term's identity */
};

typedef struct {
    cl_symscope *sc;
    int kind;
    slong v;                      /* POINT: the vector variable */
    slong len;                    /* NET: blocks */
    sjblock *blk;
    rj_sym_t P;                   /* PROJ; VEC: the vector [SY 4, forward values] */
} sjval;

/* ------------------------------------------------------------ blocks */

static void
sjb_init(sjblock *b)
{
    rj_sym_block_init(b->b);
    rj_act_init(b->act);
    rj_act_init(b->outer);
    b->act->kind = RJ_ACT_RELU;              /* the language's defaults */
    b->outer->kind = RJ_ACT_RELU;
    b->b1 = b->b2 = -1;
}

static void
sjb_clear(sjblock *b)
{
    rj_sym_block_clear(b->b);
    rj_act_clear(b->act);
    rj_act_clear(b->outer);
}

static void
sjb_init_set(sjblock *b, const sjblock *c)
{
    sjb_init(b);
    rj_sym_block_set(b->b, c->b);
    rj_act_set(b->act, c->act);
    rj_act_set(b->outer, c->outer);
    b->b1 = c->b1;
    b->b2 = c->b2;
}

static sjblock *
sjb_copy_list(const sjblock *b, slong n)
{
    sjblock *r = flint_malloc(FLINT_MAX(n, 1) * sizeof(sjblock));
    slong i;
    for (i = 0; i < n; i++)
        sjb_init_set(r + i, b + i);
    return r;
}

static void
sjb_free_list(sjblock *b, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        sjb_clear(b + i);
    flint_free(b);
}

/* ------------------------------------------------------------ the kind */

static const rj_val_ops sj_ops;
static char *vec_str(const rj_sym_t p, const cl_symscope *sc);

static sjval *
sj_new(cl_symscope *sc, int kind)
{
    sjval *d = flint_malloc(sizeof(sjval));
    memset(d, 0, sizeof(*d));
    d->sc = sc;
    d->kind = kind;
    rj_sym_init(d->P);
    return d;
}

static void
sj_free(void *data)
{
    sjval *d = data;
    sjb_free_list(d->blk, d->len);
    rj_sym_clear(d->P);
    flint_free(d);
}

static void *
sj_copy(const void *data)
{
    const sjval *d = data;
    sjval *c = sj_new(d->sc, d->kind);
    c->v = d->v;
    c->len = d->len;
    c->blk = sjb_copy_list(d->blk, d->len);
    rj_sym_set(c->P, d->P);
    return c;
}

static const sjval *
sj_of(const rj_val_struct *v, int kind)
{
    const sjval *d;
    if (v->kind != RJ_VAL_EXT || v->ops != &sj_ops)
        return NULL;
    d = v->data;
    return d->kind == kind ? d : NULL;
}

static char *
sj_print(const rj_val_struct *v, slong maxlen)
{
    const sjval *d = v->data;
    char *s;
    if (d->kind == SJ_POINT)
        s = rj_strdup(d->sc->jac->vecnames[d->v]);
    else if (d->kind == SJ_VEC)
        s = vec_str(d->P, d->sc);
    else if (d->kind == SJ_PROJ) {
        char *p = rj_sym_get_str(d->P, (const char *const *) d->sc->names);
        s = cl_printf("project(%s)", p);
        flint_free(p);
    } else
        s = cl_printf("a network of %ld block(s) with symbolic weights", (long) d->len);
    return maxlen > 0 ? rj_str_cut(s, maxlen) : s;
}

static void
sj_describe(char *buf, int len, const rj_val_struct *v)
{
    const sjval *d = v->data;
    if (d->kind == SJ_POINT)
        snprintf(buf, len, "a symbolic point (a vector of any width)");
    else if (d->kind == SJ_VEC)
        snprintf(buf, len, "a symbolic vector");
    else if (d->kind == SJ_PROJ)
        snprintf(buf, len, "a symbolic projection shortcut");
    else
        snprintf(buf, len, "a network of %ld block(s) with symbolic weights", (long) d->len);
}

static void
sj_set(rj_val_t v, sjval *d)
{
    rj_val_set_ext(v, &sj_ops, d);
}

/* ------------------------------------------------------------ keys */

static void
key_block(cl_sbuf *b, const sjblock *k, const cl_symscope *sc, int upto_inner)
{
    char a[64], o[64], *w1, *w2, *p;
    const char *const *nm = (const char *const *) sc->names;
    const char *const *vn = (const char *const *) sc->jac->vecnames;
    rj_act_name(a, sizeof(a), k->act);
    rj_act_name(o, sizeof(o), k->outer);
    w1 = rj_sym_get_str(k->b->W1, nm);
    cl_sb_printf(b, "{%s %s W1 %s b1 %s act %s", k->b->place == RJ_PLACE_PRE ? "pre" : "at",
                 k->b->place == RJ_PLACE_PRE ? o : "-", w1, k->b1 >= 0 ? vn[k->b1] : "-", a);
    flint_free(w1);
    if (!upto_inner) {
        w2 = rj_sym_get_str(k->b->W2, nm);
        p = rj_sym_get_str(k->b->P, nm);
        char *q = fmpq_get_str(NULL, 10, k->b->alpha);
        cl_sb_printf(b, " two %d W2 %s b2 %s skip %d P %s alpha %s outer %s", k->b->two_layer,
                     w2, k->b2 >= 0 ? vn[k->b2] : "-", (int) k->b->skip, p, q, o);
        flint_free(q);
        flint_free(w2);
        flint_free(p);
    }
    cl_sb_puts(b, "}");
}

/* The key of the activation of block j (outer or act) at point p: the point,
   the blocks before j in full, and what of block j forms the activation's
   input. */
static char *
slot_key(const sjblock *blk, slong j, int outer, slong p, const cl_symscope *sc)
{
    cl_sbuf b;
    slong i;
    cl_sb_init(&b);
    cl_sb_printf(&b, "%s", sc->jac->vecnames[p]);
    for (i = 0; i < j; i++)
        key_block(&b, blk + i, sc, 0);
    if (outer && blk[j].b->place == RJ_PLACE_PRE) {
        char o[64];
        rj_act_name(o, sizeof(o), blk[j].outer);
        cl_sb_printf(&b, " pre %s", o);
    } else if (outer) {
        cl_sb_puts(&b, " post");
        key_block(&b, blk + j, sc, 0);
    } else {
        cl_sb_puts(&b, " inner");
        key_block(&b, blk + j, sc, 1);
    }
    return cl_sb_take(&b);
}

/* The derivative symbol of that activation: the one met before under the
   same key, else the next free D_k of the point's family. */
static int
slot_symbol(slong *sym, const sjblock *blk, slong j, int outer, slong p, cl_symscope *sc,
            rj_loc_t loc, rj_error_t err)
{
    struct cl_symjac *jc = sc->jac;
    char *key = slot_key(blk, j, outer, p, sc);
    slong i, s, used = 0, nfam = 0;
    for (i = 0; i < jc->nslot; i++)
        if (strcmp(jc->slot[i].key, key) == 0) {
            *sym = jc->slot[i].sym;
            flint_free(key);
            return RJ_OK;
        }
    for (i = 0; i < jc->nslot; i++)
        used += jc->slot[i].point == p;
    for (s = 0; s < jc->nsym; s++)
        if (jc->diag[s] && jc->dpoint[s] == p && nfam++ == used)
            break;
    if (s == jc->nsym || jc->nslot == SJ_MAX_SLOTS) {
        flint_free(key);
        if (nfam == 0)
            return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "the Jacobian at %s meets an "
                                    "activation's derivative: name the derivatives with "
                                    "forall D_1..D_k in derivatives(%s)", jc->vecnames[p],
                                    jc->vecnames[p]);
        return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "the Jacobians at %s meet more than "
                                "the %ld activation derivatives the quantifier names "
                                "(derivatives(%s))", jc->vecnames[p], (long) nfam,
                                jc->vecnames[p]);
    }
    jc->slot[jc->nslot].key = key;
    jc->slot[jc->nslot].sym = s;
    jc->slot[jc->nslot].point = p;
    jc->slot[jc->nslot].nblk = j + 1;
    jc->slot[jc->nslot].blk = sjb_copy_list(blk, j + 1);
    jc->slot[jc->nslot].outer = outer;
    jc->nslot++;
    *sym = s;
    return RJ_OK;
}

/* ------------------------------------------------------------ building blocks */

static int
sj_act(rj_act_t a, const rj_val_struct *v)
{
    if (v->kind != RJ_VAL_ATOM || rj_act_from_name(a, v->str) != RJ_OK)
        return 0;
    if (a->kind == RJ_ACT_LEAKY_RELU)
        fmpq_set(a->slope, v->num);
    else if ((a->kind == RJ_ACT_SOFTPLUS || a->kind == RJ_ACT_ELU) && fmpq_sgn(v->num) > 0)
        fmpq_set(a->param, v->num);
    return 1;
}

static int
atom_is(const rj_val_struct *v, const char *name)
{
    return v->kind == RJ_VAL_ATOM && strcmp(v->str, name) == 0;
}

/* A weight: a symbolic matrix without derivative symbols. */
static int
sj_weight(rj_sym_t W, const rj_val_struct *v, const char *key, cl_symscope *sc,
          rj_loc_t loc, rj_error_t err)
{
    cl_symscope *vs;
    const rj_sym_struct *p = cl_sym_get_alg(v, &vs);
    slong i, j;
    char d[120];
    if (p == NULL || vs != sc) {
        rj_val_describe(d, sizeof(d), v);
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "block(%s = ...) with symbolic "
                                "weights takes a symbolic matrix of the quantifier, not %s",
                                key, d);
    }
    for (i = 0; i < p->len; i++)
        for (j = 0; j < p->terms[i].len; j++)
            if (sc->jac->diag[p->terms[i].w[j] / 2])
                return rj_error_set_loc(err, RJ_ERR_INPUT, loc, "block(%s = ...): an "
                                        "activation derivative (%s) is not a weight", key,
                                        sc->names[p->terms[i].w[j] / 2]);
    rj_sym_set(W, p);
    return RJ_OK;
}

static int
sj_bias(slong *b, const rj_val_struct *v, const char *key, cl_symscope *sc, rj_loc_t loc,
        rj_error_t err)
{
    const sjval *d = sj_of(v, SJ_POINT);
    if (d == NULL || d->sc != sc)
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "block(%s = ...) with symbolic "
                                "weights takes a bias bound by forall b in vectors", key);
    *b = d->v;
    return RJ_OK;
}

static int
sj_block(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
         cl_symscope *sc, rj_error_t err)
{
    sjblock k;
    slong i;
    int st = RJ_OK, have_w1 = 0, have_act = 0, have_b2 = 0;
    sjval *d;
    sjb_init(&k);
    for (i = 0; i < n && st == RJ_OK; i++) {
        const char *key = e->argnames != NULL ? e->argnames[i] : NULL;
        const rj_val_struct *v = vals[i];
        rj_loc_t loc = e->args[i]->loc;
        if (key == NULL)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "block takes keyword arguments "
                                  "only");
        else if (strcmp(key, "W1") == 0) {
            st = sj_weight(k.b->W1, v, key, sc, loc, err);
            have_w1 = 1;
        } else if (strcmp(key, "W2") == 0) {
            st = sj_weight(k.b->W2, v, key, sc, loc, err);
            k.b->two_layer = 1;
        } else if (strcmp(key, "b1") == 0)
            st = sj_bias(&k.b1, v, key, sc, loc, err);
        else if (strcmp(key, "b2") == 0) {
            st = sj_bias(&k.b2, v, key, sc, loc, err);
            have_b2 = 1;
        } else if (strcmp(key, "act") == 0 || strcmp(key, "outer") == 0) {
            if (!sj_act(strcmp(key, "act") == 0 ? k.act : k.outer, v))
                st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "%s: an activation (relu, "
                                      "leaky_relu(a), identity, tanh, sigmoid, ...)", key);
            have_act |= strcmp(key, "act") == 0;
        } else if (strcmp(key, "place") == 0) {
            if (atom_is(v, "none"))
                k.b->place = RJ_PLACE_NONE;
            else if (atom_is(v, "pre"))
                k.b->place = RJ_PLACE_PRE;
            else if (atom_is(v, "post"))
                k.b->place = RJ_PLACE_POST;
            else
                st = rj_error_set_loc(err, RJ_ERR_INPUT, loc, "place: none, pre or post");
        } else if (strcmp(key, "skip") == 0) {
            const sjval *pj = sj_of(v, SJ_PROJ);
            if (atom_is(v, "identity"))
                k.b->skip = RJ_SKIP_IDENTITY;
            else if (atom_is(v, "none"))
                k.b->skip = RJ_SKIP_NONE;
            else if (atom_is(v, "scaled")) {
                k.b->skip = RJ_SKIP_SCALED;
                fmpq_set(k.b->alpha, v->num);
            } else if (pj != NULL) {
                k.b->skip = RJ_SKIP_PROJECT;
                rj_sym_set(k.b->P, pj->P);
            } else
                st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "skip of a block with "
                                      "symbolic weights: identity, none, scaled(a) or "
                                      "project(P) with P a symbolic matrix");
        } else
            st = rj_error_set_loc(err, RJ_ERR_DOMAIN, e->argnamelocs[i], "block(%s = ...) "
                                  "has no symbolic rule (a block with symbolic weights "
                                  "takes W1, b1, act, W2, b2, skip, place, outer)", key);
    }
    if (st == RJ_OK && !have_w1)
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "block needs W1 = MATRIX");
    if (st == RJ_OK && !k.b->two_layer && (have_act || have_b2))
        st = rj_error_set_loc(err, RJ_ERR_INPUT, e->loc, "%s needs W2: without W2 the branch "
                              "is F(u) = W1 u + b1", have_act ? "act" : "b2");
    if (st == RJ_OK) {
        d = sj_new(sc, SJ_NET);
        d->len = 1;
        d->blk = sjb_copy_list(&k, 1);
        sj_set(out, d);
    }
    sjb_clear(&k);
    return st;
}

static int
sj_net(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
       cl_symscope *sc, rj_error_t err)
{
    sjval *d;
    slong i, j, len = 0;
    for (i = 0; i < n; i++) {
        const sjval *a = sj_of(vals[i], SJ_NET);
        if (a == NULL || a->sc != sc) {
            char dd[120];
            rj_val_describe(dd, sizeof(dd), vals[i]);
            return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->args[i]->loc, "net of blocks with "
                                    "symbolic weights: argument %ld is %s", (long) (i + 1), dd);
        }
        len += a->len;
    }
    d = sj_new(sc, SJ_NET);
    d->blk = flint_malloc(FLINT_MAX(len, 1) * sizeof(sjblock));
    for (i = 0; i < n; i++) {
        const sjval *a = vals[i]->data;
        for (j = 0; j < a->len; j++)
            sjb_init_set(d->blk + d->len++, a->blk + j);
    }
    sj_set(out, d);
    return RJ_OK;
}

/* jacobian (what 0), skip_part (1), branch_part (2) of a net at a point. */
static int
sj_jacobian(rj_val_t out, int what, const rj_expr_struct *e, rj_val_struct *const *vals,
            slong n, cl_symscope *sc, rj_error_t err)
{
    const sjval *N = n == 2 ? sj_of(vals[0], SJ_NET) : NULL;
    const sjval *x = n == 2 ? sj_of(vals[1], SJ_POINT) : NULL;
    rj_sym_t J, Jj, Sl, Rl;
    fmpq_t one;
    slong j;
    int st = RJ_OK;
    if (N == NULL || x == NULL)
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc, "%s with symbolic weights takes "
                                "a block (or net) of symbolic weights and a point bound by "
                                "forall x in vectors", e->name);
    if (what != 0 && N->len != 1)
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc, "%s with symbolic weights takes "
                                "one block", e->name);
    rj_sym_init(J);
    rj_sym_init(Jj);
    rj_sym_init(Sl);
    rj_sym_init(Rl);
    fmpq_init(one);
    fmpq_one(one);
    rj_sym_set_fmpq(J, one);
    for (j = 0; j < N->len && st == RJ_OK; j++) {
        const sjblock *k = N->blk + j;
        slong din = -1, dout = -1;
        /* the skip part of a none or pre block has no derivative */
        int need = what != 1 || k->b->place == RJ_PLACE_POST;
        /* forward order: a pre block's outer activation, act, a post block's outer */
        if (need && k->b->place == RJ_PLACE_PRE && k->outer->kind != RJ_ACT_IDENTITY)
            st = slot_symbol(&dout, N->blk, j, 1, x->v, sc, e->loc, err);
        if (need && st == RJ_OK && k->b->two_layer && k->act->kind != RJ_ACT_IDENTITY)
            st = slot_symbol(&din, N->blk, j, 0, x->v, sc, e->loc, err);
        if (need && st == RJ_OK && k->b->place == RJ_PLACE_POST
            && k->outer->kind != RJ_ACT_IDENTITY)
            st = slot_symbol(&dout, N->blk, j, 1, x->v, sc, e->loc, err);
        if (st == RJ_OK)
            st = rj_sym_block_jacobian(Jj, Sl, Rl, k->b, din, dout, &sc->lim, err);
        if (st == RJ_OK)
            st = rj_sym_mul(J, Jj, J, &sc->lim, err);
    }
    if (st == RJ_OK)
        cl_sym_set_alg(out, sc, what == 0 ? J : what == 1 ? Sl : Rl);
    rj_sym_clear(J);
    rj_sym_clear(Jj);
    rj_sym_clear(Sl);
    rj_sym_clear(Rl);
    fmpq_clear(one);
    if (st == RJ_ERR_LIMIT)          /* a limit of the method: UNDECIDED, naming it */
        err->status = st = RJ_ERR_DOMAIN;
    return cl_locate(err, st, e->loc);
}

/* ------------------------------------------------------------ forward values */

/* A vector is an element of the free algebra in which the letters are the
   scope's matrix symbols (s < nsym), the points and biases (nsym + v) and
   the activation terms act(z) (nsym + nvec + a), every word ending in one
   vector letter [SY 4]. */
static slong
vec_letter(const cl_symscope *sc, slong v)
{
    return sc->jac->nsym + v;
}

static char *
vec_str(const rj_sym_t p, const cl_symscope *sc)
{
    const struct cl_symjac *jc = sc->jac;
    slong n = jc->nsym + jc->nvec + jc->natom, i;
    const char **names = flint_malloc(FLINT_MAX(n, 1) * sizeof(char *));
    char *r;
    for (i = 0; i < jc->nsym; i++)
        names[i] = sc->names[i];
    for (i = 0; i < jc->nvec; i++)
        names[jc->nsym + i] = jc->vecnames[i];
    for (i = 0; i < jc->natom; i++)
        names[jc->nsym + jc->nvec + i] = jc->atomkey[i];
    r = rj_sym_get_str(p, names);
    flint_free(names);
    return r;
}

/* p = act(z): the term met before with the same activation and the same
   normal form of z, else a new letter. */
static int
vec_atom(rj_sym_t p, const rj_act_t act, const rj_sym_t z, cl_symscope *sc, rj_loc_t loc,
         rj_error_t err)
{
    struct cl_symjac *jc = sc->jac;
    char a[64], *zs, *key;
    slong i;
    if (act->kind == RJ_ACT_IDENTITY) {
        rj_sym_set(p, z);
        return RJ_OK;
    }
    rj_act_name(a, sizeof(a), act);
    zs = vec_str(z, sc);
    key = cl_printf("%s(%s)", a, zs);
    flint_free(zs);
    for (i = 0; i < jc->natom; i++)
        if (strcmp(jc->atomkey[i], key) == 0)
            break;
    if (i == jc->natom) {
        if (jc->natom == SJ_MAX_SLOTS
            || jc->nsym + jc->nvec + jc->natom + 1 > sc->lim.max_symbols) {
            flint_free(key);
            return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "forward values with more than "
                                    "%ld matrix, vector and activation letters: past the "
                                    "limit of symbols", (long) sc->lim.max_symbols);
        }
        jc->atomkey[jc->natom++] = key;
    } else
        flint_free(key);
    rj_sym_set_symbol(p, jc->nsym + jc->nvec + i, 0);
    return RJ_OK;
}

/* y = the block's output at the vector v (forward order of resjac/model.h). */
static int
vec_block(rj_sym_t y, const sjblock *k, const rj_sym_t v, cl_symscope *sc, rj_loc_t loc,
          rj_error_t err)
{
    rj_sym_t u, h, t;
    int st = RJ_OK;
    rj_sym_init(u);
    rj_sym_init(h);
    rj_sym_init(t);
    if (k->b->place == RJ_PLACE_PRE)
        st = vec_atom(u, k->outer, v, sc, loc, err);
    else
        rj_sym_set(u, v);
    if (st == RJ_OK)
        st = rj_sym_mul(h, k->b->W1, u, &sc->lim, err);
    if (st == RJ_OK && k->b1 >= 0) {
        rj_sym_set_symbol(t, vec_letter(sc, k->b1), 0);
        st = rj_sym_add(h, h, t, &sc->lim, err);
    }
    if (st == RJ_OK && k->b->two_layer) {
        st = vec_atom(u, k->act, h, sc, loc, err);
        if (st == RJ_OK)
            st = rj_sym_mul(h, k->b->W2, u, &sc->lim, err);
        if (st == RJ_OK && k->b2 >= 0) {
            rj_sym_set_symbol(t, vec_letter(sc, k->b2), 0);
            st = rj_sym_add(h, h, t, &sc->lim, err);
        }
    }
    if (st == RJ_OK) {                          /* the skip: S v */
        if (k->b->skip == RJ_SKIP_IDENTITY)
            rj_sym_set(t, v);
        else if (k->b->skip == RJ_SKIP_SCALED)
            rj_sym_scalar_mul(t, v, k->b->alpha);
        else if (k->b->skip == RJ_SKIP_PROJECT)
            st = rj_sym_mul(t, k->b->P, v, &sc->lim, err);
        else
            rj_sym_zero(t);
    }
    if (st == RJ_OK)
        st = rj_sym_add(h, h, t, &sc->lim, err);
    if (st == RJ_OK && k->b->place == RJ_PLACE_POST)
        st = vec_atom(y, k->outer, h, sc, loc, err);
    else if (st == RJ_OK)
        rj_sym_set(y, h);
    rj_sym_clear(u);
    rj_sym_clear(h);
    rj_sym_clear(t);
    return st;
}

static void
sj_set_vec(rj_val_t out, cl_symscope *sc, rj_sym_t p)
{
    sjval *d = sj_new(sc, SJ_VEC);
    rj_sym_swap(d->P, p);
    sj_set(out, d);
}

/* forward(N, x) */
static int
sj_forward(rj_val_t out, const rj_expr_struct *e, rj_val_struct *const *vals, slong n,
           cl_symscope *sc, rj_error_t err)
{
    const sjval *N = n == 2 ? sj_of(vals[0], SJ_NET) : NULL;
    const sjval *x = n == 2 ? sj_of(vals[1], SJ_POINT) : NULL;
    rj_sym_t y;
    slong j;
    int st = RJ_OK;
    if (N == NULL || x == NULL)
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc, "forward with symbolic weights "
                                "takes a block (or net) of symbolic weights and a point bound "
                                "by forall x in vectors");
    rj_sym_init(y);
    rj_sym_set_symbol(y, vec_letter(sc, x->v), 0);
    for (j = 0; j < N->len && st == RJ_OK; j++)
        st = vec_block(y, N->blk + j, y, sc, e->loc, err);
    if (st == RJ_OK)
        sj_set_vec(out, sc, y);
    rj_sym_clear(y);
    if (st == RJ_ERR_LIMIT)
        err->status = st = RJ_ERR_DOMAIN;
    return cl_locate(err, st, e->loc);
}

/* A point or a vector as its element; NULL for anything else. */
static int
vec_of(rj_sym_t p, const rj_val_struct *v)
{
    const sjval *d = sj_of(v, SJ_VEC), *x = sj_of(v, SJ_POINT);
    if (d != NULL)
        rj_sym_set(p, d->P);
    else if (x != NULL)
        rj_sym_set_symbol(p, vec_letter(x->sc, x->v), 0);
    return d != NULL || x != NULL;
}

/* + and - of vectors, a number times a vector, a vector / a number. */
static int
sj_vec_binop(rj_val_t out, int op, const rj_val_struct *a, const rj_val_struct *b,
             cl_symscope *sc, rj_loc_t loc, rj_error_t err)
{
    rj_sym_t p, q;
    fmpq_t c;
    int va, vb, st = RJ_OK;
    rj_sym_init(p);
    rj_sym_init(q);
    fmpq_init(c);
    va = vec_of(p, a);
    vb = vec_of(q, b);
    if (va && vb && (op == '+' || op == '-'))
        st = op == '+' ? rj_sym_add(p, p, q, &sc->lim, err) : rj_sym_sub(p, p, q, &sc->lim, err);
    else if (va && !vb && b->kind == RJ_VAL_NUM && op == '/' && !fmpq_is_zero(b->num)) {
        fmpq_inv(c, b->num);
        rj_sym_scalar_mul(p, p, c);
    } else if (va && !vb && b->kind == RJ_VAL_NUM && op == '*')
        rj_sym_scalar_mul(p, p, b->num);
    else if (vb && !va && a->kind == RJ_VAL_NUM && op == '*')
        rj_sym_scalar_mul(p, q, a->num);
    else {
        char d1[120], d2[120];
        rj_val_describe(d1, sizeof(d1), a);
        rj_val_describe(d2, sizeof(d2), b);
        st = rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "no symbolic rule for %s %c %s (symbolic "
                              "vectors take +, - and numbers)", d1, op, d2);
    }
    if (st == RJ_OK)
        sj_set_vec(out, sc, p);
    rj_sym_clear(p);
    rj_sym_clear(q);
    fmpq_clear(c);
    if (st == RJ_ERR_LIMIT)
        err->status = st = RJ_ERR_DOMAIN;
    return cl_locate(err, st, loc);
}

/* Equal normal forms: equal vectors at every instance [SY 4]; else
   undecided here (the quantifier tries integer instances). */
static int
sj_compare(int *tv, int op, const rj_val_struct *a, const rj_val_struct *b, rj_loc_t loc,
           rj_error_t err)
{
    rj_sym_t p, q;
    int va, vb;
    *tv = -1;
    rj_sym_init(p);
    rj_sym_init(q);
    va = vec_of(p, a);
    vb = vec_of(q, b);
    if (va && vb && (op == RJ_CMP_EQ || op == RJ_CMP_NE) && rj_sym_equal(p, q))
        *tv = op == RJ_CMP_EQ;
    rj_sym_clear(p);
    rj_sym_clear(q);
    if (!va || !vb) {
        char d1[120], d2[120];
        rj_val_describe(d1, sizeof(d1), a);
        rj_val_describe(d2, sizeof(d2), b);
        return rj_error_set_loc(err, RJ_ERR_DOMAIN, loc, "no symbolic rule compares %s with %s",
                                d1, d2);
    }
    return RJ_OK;
}

int
cl_symjac_call(rj_val_struct *out, const rj_expr_struct *e, rj_val_struct *const *vals,
               slong n, rj_env_struct *env, rj_error_t err)
{
    cl_symscope *sc = NULL;
    slong i;
    (void) env;
    for (i = 0; i < n && sc == NULL; i++) {
        cl_symscope *s2 = NULL;
        if (vals[i]->kind == RJ_VAL_EXT && vals[i]->ops == &sj_ops)
            sc = ((const sjval *) vals[i]->data)->sc;
        else if (cl_sym_get_alg(vals[i], &s2) != NULL)
            sc = s2;
    }
    if (sc != NULL && sc->jac != NULL && (e->kind == RJ_EXPR_BINOP || e->kind == RJ_EXPR_NEG)) {
        rj_val_t m1;
        int st;
        if (e->kind == RJ_EXPR_BINOP)
            return sj_vec_binop(out, e->op, vals[0], vals[1], sc, e->loc, err);
        rj_val_init(m1);
        m1->kind = RJ_VAL_NUM;
        fmpq_set_si(m1->num, -1, 1);
        st = sj_vec_binop(out, '*', m1, vals[0], sc, e->loc, err);
        rj_val_clear(m1);
        return st;
    }
    if (e->kind == RJ_EXPR_CALL && sc != NULL && sc->jac != NULL) {
        if (strcmp(e->name, "block") == 0)
            return sj_block(out, e, vals, n, sc, err);
        if (strcmp(e->name, "net") == 0)
            return sj_net(out, e, vals, n, sc, err);
        if (strcmp(e->name, "project") == 0 && n == 1) {
            sjval *d = sj_new(sc, SJ_PROJ);
            int st = sj_weight(d->P, vals[0], "skip = project", sc, e->args[0]->loc, err);
            if (st != RJ_OK) {
                sj_free(d);
                return st;
            }
            sj_set(out, d);
            return RJ_OK;
        }
        if (strcmp(e->name, "jacobian") == 0)
            return sj_jacobian(out, 0, e, vals, n, sc, err);
        if (strcmp(e->name, "forward") == 0)
            return sj_forward(out, e, vals, n, sc, err);
        if (strcmp(e->name, "skip_part") == 0)
            return sj_jacobian(out, 1, e, vals, n, sc, err);
        if (strcmp(e->name, "branch_part") == 0)
            return sj_jacobian(out, 2, e, vals, n, sc, err);
    }
    return rj_error_set_loc(err, RJ_ERR_DOMAIN, e->loc, "%s has no rule for blocks with "
                            "symbolic weights or symbolic points (the symbolic layer takes "
                            "block, net, project, forward, jacobian, skip_part and branch_part)",
                            e->kind == RJ_EXPR_CALL ? e->name : "this operation");
}

int
cl_symjac_is_call(const char *name)
{
    return strcmp(name, "block") == 0 || strcmp(name, "net") == 0
           || strcmp(name, "project") == 0;
}

static const rj_val_ops sj_ops = {
    "symbolic block", sj_free, sj_copy, sj_print, sj_describe, NULL, NULL, NULL, NULL,
    sj_compare, cl_symjac_call
};

void
cl_symjac_normalise(rj_sym_struct *p, const cl_symscope *sc)
{
    /* D' = D for the derivative symbols; the rewrite cannot pass a limit (it
       keeps degrees and merges terms), and if it did p would stay as it is,
       which is still sound (only fewer identities would be seen) */
    rj_error_t e2;
    rj_error_init(e2);
    if (sc->jac != NULL)
        rj_sym_symmetrise(p, p, sc->jac->diag, sc->jac->nsym, &sc->lim, e2);
}

/* ------------------------------------------------------------ concrete instances */

/* D = diag(act'(z)); 0 on a tie of a piecewise-linear activation (*tie = 1)
   or when act' is not rational (*exact = 0). */
static void
act_diag(fmpq_mat_t D, const rj_act_t a, const fmpq_mat_t z, int *tie, int *exact)
{
    slong i, m = fmpq_mat_nrows(z);
    fmpq_mat_zero(D);
    for (i = 0; i < m; i++) {
        const fmpq *v = fmpq_mat_entry(z, i, 0);
        fmpq *d = fmpq_mat_entry(D, i, i);
        if (a->kind == RJ_ACT_IDENTITY)
            fmpq_one(d);
        else if (!rj_act_is_piecewise_linear(a))
            *exact = 0;
        else if (fmpq_is_zero(v))
            *tie = 1;
        else if (fmpq_sgn(v) > 0)
            fmpq_one(d);
        else if (a->kind == RJ_ACT_LEAKY_RELU)
            fmpq_set(d, a->slope);
    }
}

/* y = act(z) entrywise for a piecewise-linear act (z = y allowed). */
static void
act_apply(fmpq_mat_t y, const rj_act_t a, const fmpq_mat_t z)
{
    slong i;
    fmpq_mat_set(y, z);
    for (i = 0; i < fmpq_mat_nrows(y); i++) {
        fmpq *v = fmpq_mat_entry(y, i, 0);
        if (fmpq_sgn(v) < 0 && a->kind == RJ_ACT_RELU)
            fmpq_zero(v);
        else if (fmpq_sgn(v) < 0 && a->kind == RJ_ACT_LEAKY_RELU)
            fmpq_mul(v, v, a->slope);
    }
}

typedef struct {
    fmpq_mat_struct *mats;        /* one m x m matrix per scope symbol */
    fmpq_mat_struct *vecs;        /* one m x 1 vector per vector variable */
    slong nsym, m;
} sjinst;

static void
eval_w(fmpq_mat_t W, const rj_sym_t p, const sjinst *in)
{
    rj_error_t e2;
    rj_error_init(e2);
    rj_sym_evaluate_fmpq_mat(W, p, in->mats, in->nsym, in->m, e2);
}

/* Through block k at x: *y = the output, or (stop 1) the input of its act,
   (stop 2) the input of its outer activation. */
static void
block_pass(fmpq_mat_t y, const sjblock *k, const fmpq_mat_t x, int stop, const sjinst *in)
{
    slong m = in->m;
    fmpq_mat_t u, h, W, s;
    fmpq_mat_init(u, m, 1);
    fmpq_mat_init(h, m, 1);
    fmpq_mat_init(s, m, 1);
    fmpq_mat_init(W, m, m);
    if (stop == 2 && k->b->place == RJ_PLACE_PRE) {
        fmpq_mat_set(y, x);
        goto done;
    }
    if (k->b->place == RJ_PLACE_PRE)
        act_apply(u, k->outer, x);
    else
        fmpq_mat_set(u, x);
    eval_w(W, k->b->W1, in);
    fmpq_mat_mul(h, W, u);
    if (k->b1 >= 0)
        fmpq_mat_add(h, h, in->vecs + k->b1);
    if (stop == 1) {
        fmpq_mat_set(y, h);
        goto done;
    }
    if (k->b->two_layer) {
        act_apply(u, k->act, h);
        eval_w(W, k->b->W2, in);
        fmpq_mat_mul(h, W, u);
        if (k->b2 >= 0)
            fmpq_mat_add(h, h, in->vecs + k->b2);
    }
    switch (k->b->skip) {
    case RJ_SKIP_IDENTITY: fmpq_mat_set(s, x); break;
    case RJ_SKIP_SCALED: fmpq_mat_scalar_mul_fmpq(s, x, k->b->alpha); break;
    case RJ_SKIP_PROJECT: eval_w(W, k->b->P, in); fmpq_mat_mul(s, W, x); break;
    default: fmpq_mat_zero(s);
    }
    fmpq_mat_add(h, h, s);
    if (stop == 2 || k->b->place != RJ_PLACE_POST)
        fmpq_mat_set(y, h);
    else
        act_apply(y, k->outer, h);
done:
    fmpq_mat_clear(u);
    fmpq_mat_clear(h);
    fmpq_mat_clear(s);
    fmpq_mat_clear(W);
}

/* The derivative of slot sl at the instance: its diagonal into D. */
static void
slot_value(fmpq_mat_t D, const sjslot *sl, const sjinst *in, int *tie, int *exact)
{
    fmpq_mat_t x;
    slong j;
    fmpq_mat_init_set(x, in->vecs + sl->point);
    for (j = 0; j + 1 < sl->nblk; j++)
        block_pass(x, sl->blk + j, x, 0, in);
    block_pass(x, sl->blk + j, x, sl->outer ? 2 : 1, in);
    act_diag(D, sl->outer ? sl->blk[j].outer : sl->blk[j].act, x, tie, exact);
    fmpq_mat_clear(x);
}

/* ------------------------------------------------------------ the quantifier */

enum { QV_MAT, QV_VEC, QV_DER };

typedef struct {
    const char *name;
    int kind;
    slong fam;            /* -1: one; else the family's length */
    slong first;          /* first symbol (MAT, DER) or the vector variable (VEC) */
    slong point;          /* DER: its point */
} sjvar;

static int
domain_is(const rj_expr_struct *g, const char *name)
{
    return g->kind == RJ_EXPR_FORALL_RANDOM && g->args[0]->kind == RJ_EXPR_CALL
           && strcmp(g->args[0]->name, name) == 0;
}

int
cl_symjac_is_forall(const rj_expr_struct *f)
{
    return domain_is(f, "vectors") || domain_is(f, "derivatives");
}

int
cl_symjac_is_chain(const rj_expr_struct *f)
{
    const rj_expr_struct *g = f;
    while (domain_is(g, "matrices") || cl_symjac_is_forall(g)) {
        if (cl_symjac_is_forall(g))
            return 1;
        g = g->args[1];
    }
    return 0;
}

static slong
family_key(const rj_expr_struct *call)
{
    slong i;
    for (i = 0; i < call->nargs; i++)
        if (call->argnames != NULL && call->argnames[i] != NULL
            && strcmp(call->argnames[i], "family") == 0)
            return i;
    return -1;
}

/* Bind I and every variable: symbols (in NULL) or the instance in. */
static void
bind_all(rj_env_struct *env, const sjvar *vars, slong nv, cl_symscope *sc, const sjinst *in)
{
    rj_val_t v;
    slong i;
    rj_val_init(v);
    if (in == NULL)
        cl_sym_set_identity(v, sc);
    else {
        fmpq_mat_t one;
        fmpq_mat_init(one, in->m, in->m);
        fmpq_mat_one(one);
        rj_val_set_fmpq_mat(v, one);
        fmpq_mat_clear(one);
    }
    rj_env_push(env, "I", v);
    for (i = 0; i < nv; i++) {
        if (vars[i].kind == QV_VEC) {
            if (in == NULL) {
                sjval *d = sj_new(sc, SJ_POINT);
                d->v = vars[i].first;
                sj_set(v, d);
            } else
                rj_val_set_fmpq_mat(v, in->vecs + vars[i].first);
            rj_env_push(env, vars[i].name, v);
            continue;
        }
        cl_sym_bind_var(env, vars[i].name, vars[i].fam, vars[i].first, sc,
                        in != NULL ? in->mats : NULL);
    }
    rj_val_clear(v);
}

static void
unbind_all(rj_env_struct *env, const sjvar *vars, slong nv, const cl_symscope *sc)
{
    slong i;
    for (i = nv - 1; i >= 0; i--) {
        if (vars[i].kind == QV_VEC)
            rj_env_unbind(env, vars[i].name);
        else
            cl_sym_unbind_var(env, vars[i].name, vars[i].fam, vars[i].first, sc);
    }
    rj_env_unbind(env, "I");
}

static int
decide_on(rj_verdict_kind *v, char **ev, const rj_expr_struct *body, const sjvar *vars,
          slong nv, cl_symscope *sc, const sjinst *in, rj_env_struct *env, cl_ctx *ctx,
          rj_error_t err)
{
    int st;
    bind_all(env, vars, nv, sc, in);
    st = cl_decide_case(v, ev, NULL, body, env, ctx, err);
    unbind_all(env, vars, nv, sc);
    ctx->cases++;
    return st;
}

/* The instance's values in the order of the quantifiers: into vals (k of
   them, pointers) and, when names is not NULL, their names. */
static slong
instance_list(fmpq_mat_struct **vals, const char **names, const sjvar *vars, slong nv,
              const cl_symscope *sc, const sjinst *in)
{
    slong i, l, k = 0;
    for (i = 0; i < nv; i++)
        for (l = 0; l < (vars[i].kind == QV_VEC ? 1 : FLINT_MAX(vars[i].fam, 1)); l++) {
            if (names != NULL)
                names[k] = vars[i].kind == QV_VEC ? vars[i].name
                           : sc->names[vars[i].first + l];
            vals[k++] = vars[i].kind == QV_VEC ? in->vecs + vars[i].first
                        : in->mats + vars[i].first + l;
        }
    return k;
}

/* "A = [[...]], x = [...], D_1 = [[...]]" (flint_malloc'd). */
static char *
instance_str(const sjvar *vars, slong nv, const cl_symscope *sc, const sjinst *in)
{
    slong n = sc->jac->nsym + sc->jac->nvec, k, i;
    fmpq_mat_struct **vals = flint_malloc(FLINT_MAX(n, 1) * sizeof(fmpq_mat_struct *));
    const char **names = flint_malloc(FLINT_MAX(n, 1) * sizeof(char *));
    cl_sbuf b;
    cl_sb_init(&b);
    k = instance_list(vals, names, vars, nv, sc, in);
    for (i = 0; i < k; i++) {
        rj_val_t v;
        char *ms;
        rj_val_init(v);
        rj_val_set_fmpq_mat(v, vals[i]);
        ms = rj_val_get_str(v);
        cl_sb_printf(&b, "%s%s = %s", i > 0 ? ", " : "", names[i], ms);
        flint_free(ms);
        rj_val_clear(v);
    }
    flint_free(vals);
    flint_free(names);
    return cl_sb_take(&b);
}

/* Print the instance, read it back, and decide the body again on what was
   read: it must be REFUTED. */
static int
reverify(const rj_expr_struct *f, const rj_expr_struct *body, const sjvar *vars, slong nv,
         cl_symscope *sc, const sjinst *in, rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    slong n = sc->jac->nsym + sc->jac->nvec, k, i, saved = ctx->cases;
    fmpq_mat_struct **vals = flint_malloc(FLINT_MAX(n, 1) * sizeof(fmpq_mat_struct *));
    fmpq_mat_struct *flat = flint_malloc(FLINT_MAX(n, 1) * sizeof(fmpq_mat_struct));
    fmpq_mat_struct *mats = flint_malloc(FLINT_MAX(in->nsym, 1) * sizeof(fmpq_mat_struct));
    fmpq_mat_struct *vecs = flint_malloc(FLINT_MAX(sc->jac->nvec, 1) * sizeof(fmpq_mat_struct));
    rj_verdict_kind v2 = RJ_VERDICT_ERROR;
    sjinst back = *in;
    char *ev2 = NULL;
    int st;
    for (i = 0; i < in->nsym; i++)
        fmpq_mat_init_set(mats + i, in->mats + i);
    for (i = 0; i < sc->jac->nvec; i++)
        fmpq_mat_init_set(vecs + i, in->vecs + i);
    k = instance_list(vals, NULL, vars, nv, sc, in);
    for (i = 0; i < k; i++)
        fmpq_mat_init_set(flat + i, vals[i]);
    st = cl_sym_read_back(flat, flat, k, env);
    back.mats = mats;
    back.vecs = vecs;
    /* the values read back, in place of the instance's */
    instance_list(vals, NULL, vars, nv, sc, &back);
    for (i = 0; i < k && st == RJ_OK; i++)
        fmpq_mat_set(vals[i], flat + i);
    if (st == RJ_OK)
        st = decide_on(&v2, &ev2, body, vars, nv, sc, &back, env, ctx, err);
    st = cl_sym_witness_status(st, v2, f->loc, err);
    ctx->cases = saved;
    for (i = 0; i < in->nsym; i++)
        fmpq_mat_clear(mats + i);
    for (i = 0; i < sc->jac->nvec; i++)
        fmpq_mat_clear(vecs + i);
    for (i = 0; i < k; i++)
        fmpq_mat_clear(flat + i);
    flint_free(flat);
    flint_free(vals);
    flint_free(mats);
    flint_free(vecs);
    flint_free(ev2);
    return st;
}

/* Integer instances: *found = 1 and out FALSE when one refuted the body, else
   *tried says what was tried (flint_malloc'd). */
static int
search(int *found, char **tried, cl_cres_t out, const rj_expr_struct *f,
       const rj_expr_struct *body, const sjvar *vars, slong nv, cl_symscope *sc,
       rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    struct cl_symjac *jc = sc->jac;
    flint_rand_t state;
    fmpq_mat_struct *mats, *vecs;
    slong t, s, i, ties = 0, done = 0;
    int st = RJ_OK, exact = 1;
    char *first_err = NULL;
    *found = 0;
    for (s = 0; s < jc->nsym; s++) {
        int met = !jc->diag[s];
        for (i = 0; i < jc->nslot && !met; i++)
            met = jc->slot[i].sym == s;
        if (!met) {
            *tried = cl_printf("no integer instance: %s names no activation derivative of "
                               "the Jacobians at %s", sc->names[s],
                               jc->vecnames[jc->dpoint[s]]);
            return RJ_OK;
        }
    }
    flint_randinit(state);
    flint_randseed(state, SJ_SEED, SJ_SEED ^ UWORD(0x5DEECE66D));
    mats = flint_malloc(FLINT_MAX(jc->nsym, 1) * sizeof(fmpq_mat_struct));
    vecs = flint_malloc(FLINT_MAX(jc->nvec, 1) * sizeof(fmpq_mat_struct));
    for (t = 0; t < SJ_TRIALS && st == RJ_OK && !*found && exact; t++) {
        slong m = 2 + t % 3;
        int tie = 0;
        sjinst in;
        rj_verdict_kind v;
        char *ev = NULL;
        rj_error_t e2;
        in.mats = mats;
        in.vecs = vecs;
        in.nsym = jc->nsym;
        in.m = m;
        for (s = 0; s < jc->nsym; s++) {
            fmpq_mat_init(mats + s, m, m);
            if (!jc->diag[s])
                cl_sym_fill_dense(mats + s, state, t < SJ_TRIALS / 2 ? 3 : 9);
        }
        for (i = 0; i < jc->nvec; i++) {
            fmpq_mat_init(vecs + i, m, 1);
            cl_sym_fill_dense(vecs + i, state, t < SJ_TRIALS / 2 ? 5 : 20);
        }
        /* the derivatives at the point itself (weights hold no D) */
        for (i = 0; i < jc->nslot; i++)
            slot_value(mats + jc->slot[i].sym, jc->slot + i, &in, &tie, &exact);
        if (tie)
            ties++;
        else if (exact) {
            done++;
            rj_error_init(e2);
            if (decide_on(&v, &ev, body, vars, nv, sc, &in, env, ctx, e2) != RJ_OK) {
                if (first_err == NULL)
                    first_err = rj_strdup(e2->msg);
            } else if (v == RJ_VERDICT_REFUTED) {
                st = reverify(f, body, vars, nv, sc, &in, env, ctx, err);
                if (st == RJ_OK) {
                    char *w = instance_str(vars, nv, sc, &in);
                    cl_cres_set_scalar(out, CL_FALSE,
                                       rj_str_cut(cl_printf("%s (integer %ld x %ld weights, "
                                                            "the D_k the derivatives at the "
                                                            "point, try %ld): %s", w, (long) m,
                                                            (long) m, (long) (t + 1), ev),
                                                  6 * CL_EV_LEN));
                    flint_free(w);
                    *found = 1;
                }
            }
        }
        flint_free(ev);
        for (s = 0; s < jc->nsym; s++)
            fmpq_mat_clear(mats + s);
        for (i = 0; i < jc->nvec; i++)
            fmpq_mat_clear(vecs + i);
    }
    if (!exact)
        *tried = cl_printf("no exact instance: an activation's derivative is not rational "
                           "at rational points (only identity, relu and leaky_relu blocks "
                           "are instantiated)");
    else
        *tried = cl_printf("%ld integer instances of widths 2..4 (%ld more met a ReLU tie "
                           "and were skipped)%s%s", (long) done, (long) ties,
                           first_err != NULL ? "; one failed: " : "",
                           first_err != NULL ? first_err : "");
    flint_free(first_err);
    flint_free(mats);
    flint_free(vecs);
    flint_randclear(state);
    return st;
}

static void
symjac_free(struct cl_symjac *jc)
{
    slong i;
    if (jc == NULL)
        return;
    for (i = 0; i < jc->nslot; i++) {
        flint_free(jc->slot[i].key);
        sjb_free_list(jc->slot[i].blk, jc->slot[i].nblk);
    }
    for (i = 0; i < jc->natom; i++)
        flint_free(jc->atomkey[i]);
    for (i = 0; i < jc->nvec; i++)
        flint_free(jc->vecnames[i]);
    flint_free(jc->vecnames);
    flint_free(jc->diag);
    flint_free(jc->dpoint);
    flint_free(jc);
}

/* A limit of the method met reading a quantifier: UNDECIDED, naming it. */
static int
limit_undecided(cl_cres_t out, int st, rj_error_t err)
{
    if (st != RJ_ERR_LIMIT)
        return st;
    cl_cres_set_scalar(out, CL_UNKNOWN, cl_printf("the symbolic method cannot take this "
                                                  "quantifier: %s", err->msg));
    rj_error_init(err);
    return RJ_OK;
}

int
cl_symjac_decide(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
                 rj_error_t err)
{
    sjvar vars[SJ_CHAIN_MAX];
    const rj_expr_struct *g = f;
    slong nv = 0, nsym = 0, nvec = 0, i, l;
    char **names = NULL;
    cl_symscope sc;
    struct cl_symjac *jc;
    rj_error_t e2;
    rj_verdict_kind v;
    char *ev = NULL, *tried = NULL;
    int st = RJ_OK, found;

    /* called by cl_decide_forall_matrices, which refuses a nested chain */
    while ((domain_is(g, "matrices") || cl_symjac_is_forall(g)) && nv < SJ_CHAIN_MAX) {
        const rj_expr_struct *call = g->args[0];
        sjvar *q = vars + nv;
        slong fk = family_key(call);
        q->name = g->name;
        q->fam = -1;
        q->point = -1;
        if (domain_is(g, "matrices")) {
            slong n;
            st = cl_sym_read_domain(&n, &q->fam, call, env, ctx, err);
            if (st != RJ_OK)
                return limit_undecided(out, st, err);
            if (n != 0)
                return rj_error_set_loc(err, RJ_ERR_INPUT, call->loc, "with a point (forall "
                                        "x in vectors) the matrices are of every size: "
                                        "write matrices, not matrices(n, n)");
            q->kind = QV_MAT;
            q->first = nsym;
            nsym += FLINT_MAX(q->fam, 1);
        } else if (domain_is(g, "vectors")) {
            if (call->nargs != 0)
                return rj_error_set_loc(err, RJ_ERR_INPUT, call->loc, "vectors takes no "
                                        "arguments (forall x in vectors: a point of any "
                                        "width)");
            q->kind = QV_VEC;
            q->first = nvec++;
        } else {
            slong k;
            if (fk < 0 || call->nargs != 2 || call->args[1 - fk]->kind != RJ_EXPR_IDENT)
                return rj_error_set_loc(err, RJ_ERR_INPUT, call->loc, "derivatives names a "
                                        "family and its point: forall D_1..D_k in "
                                        "derivatives(x)");
            for (k = 0; k < nv; k++)
                if (vars[k].kind == QV_VEC
                    && strcmp(vars[k].name, call->args[1 - fk]->name) == 0)
                    q->point = vars[k].first;
            if (q->point < 0)
                return rj_error_set_loc(err, RJ_ERR_INPUT, call->args[1 - fk]->loc,
                                        "derivatives(%s): %s is not a point bound before by "
                                        "forall %s in vectors", call->args[1 - fk]->name,
                                        call->args[1 - fk]->name, call->args[1 - fk]->name);
            {
                rj_val_t lv;          /* the family's length */
                rj_val_init(lv);
                st = cl_eval_plain(lv, call->args[fk], env, ctx, err);
                if (st == RJ_OK)
                    st = rj_val_get_si(&q->fam, lv, 1, RJ_SYM_MAX_SYMBOLS, 1,
                                       "derivatives: the length of the family", NULL,
                                       call->args[fk]->loc, err);
                rj_val_clear(lv);
                if (st != RJ_OK)
                    return limit_undecided(out, st, err);
            }
            q->kind = QV_DER;
            q->first = nsym;
            nsym += q->fam;
        }
        nv++;
        g = g->args[1];
    }
    names = flint_malloc(FLINT_MAX(nsym, 1) * sizeof(char *));
    jc = flint_malloc(sizeof(struct cl_symjac));
    memset(jc, 0, sizeof(*jc));
    jc->nsym = nsym;
    jc->nvec = nvec;
    jc->vecnames = flint_malloc(FLINT_MAX(nvec, 1) * sizeof(char *));
    jc->diag = flint_calloc(FLINT_MAX(nsym, 1), 1);
    jc->dpoint = flint_malloc(FLINT_MAX(nsym, 1) * sizeof(slong));
    for (i = 0; i < nv; i++) {
        if (vars[i].kind == QV_VEC) {
            jc->vecnames[vars[i].first] = rj_strdup(vars[i].name);
            continue;
        }
        for (l = 0; l < FLINT_MAX(vars[i].fam, 1); l++) {
            slong s = vars[i].first + l;
            names[s] = vars[i].fam < 0 ? rj_strdup(vars[i].name)
                       : cl_printf("%s_%ld", vars[i].name, (long) (l + 1));
            jc->diag[s] = vars[i].kind == QV_DER;
            jc->dpoint[s] = vars[i].point;
        }
    }
    rj_error_init(e2);
    if (cl_symscope_init(&sc, (const char *const *) names, nsym, 0, e2) != RJ_OK) {
        /* a limit of the method: UNDECIDED, naming it */
        cl_cres_set_scalar(out, CL_UNKNOWN, cl_printf("the symbolic method cannot take this "
                                                      "quantifier: %s", e2->msg));
        symjac_free(jc);
        goto done_names;
    }
    sc.jac = jc;
    st = decide_on(&v, &ev, g, vars, nv, &sc, NULL, env, ctx, err);
    if (st != RJ_OK)
        goto done;
    if (v == RJ_VERDICT_PROVED) {
        cl_cres_set_scalar(out, CL_TRUE,
                           rj_str_cut(cl_printf("for all weights, points and widths "
                                                "(equal normal forms in the free algebra "
                                                "with transpose; activation derivatives "
                                                "diagonal, D' = D): %s", ev),
                                      2 * CL_EV_LEN));
        goto done;
    }
    st = search(&found, &tried, out, f, g, vars, nv, &sc, env, ctx, err);
    if (st == RJ_OK && !found)
        cl_cres_set_scalar(out, CL_UNKNOWN,
                           rj_str_cut(cl_printf("not decided on symbols (%s: %s) and no "
                                                "counterexample: %s", rj_verdict_name(v), ev,
                                                tried), 2 * CL_EV_LEN));
done:
    symjac_free(sc.jac);
    sc.jac = NULL;
    cl_symscope_clear(&sc);
done_names:
    for (i = 0; i < nsym; i++)
        flint_free(names[i]);
    flint_free(names);
    flint_free(ev);
    flint_free(tried);
    return st;
}
