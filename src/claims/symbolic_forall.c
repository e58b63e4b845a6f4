/* resjac claims: quantifiers over matrices (proofs/symbolic.md).
 *
 * forall J, K in matrices: F          every square size, shapes alike
 * forall J in matrices(n, n): F       n x n (matrices(n) is the same)
 * forall J_1..J_L in matrices: F      a family (the parser gives the call the
 *                                     key family = L); J[l] and J_1.. in F
 * A chain of such quantifiers directly nested (the parser makes
 * `forall J, K in` one) is decided together:
 *   1. the names are bound to symbols of one scope, I to the identity, and F
 *      is decided once: PROVED when it holds on the symbols -- normal forms in
 *      the free algebra with transpose agree [SY 1], or at a fixed size the
 *      polynomial entries agree [SY 3];
 *   2. otherwise integer matrices are tried (a fixed seed): at a fixed size n,
 *      random n x n ones; for every size, random ones of size d/2 + 1 and
 *      more (d the largest degree met) and the "path" matrices of size d + 1
 *      with random entries on the two off-diagonals, which show any nonzero
 *      element of degree <= d [SY 2].  F is decided on them with plain exact
 *      arithmetic; a REFUTED case is printed, read back and decided again
 *      before it refutes the claim;
 *   3. with no counterexample the claim is UNDECIDED, never PROVED. */
#include <string.h>

#include "symbolic_impl.h"

#define CL_SYM_CHAIN_MAX 32
#define CL_SYM_MAX_SIZE 16
#define CL_SYM_TRIALS 16
#define CL_SYM_SEED 20261203

int
cl_is_matrices_forall(const rj_expr_struct *f)
{
    return (f->kind == RJ_EXPR_FORALL_RANDOM && f->args[0]->kind == RJ_EXPR_CALL
            && strcmp(f->args[0]->name, "matrices") == 0)
           || cl_symjac_is_forall(f);             /* vectors, derivatives(x) */
}

typedef struct {
    const char *name;
    slong fam;            /* -1: one matrix; else the family's length L */
    slong first;          /* its first symbol */
    const rj_expr_struct *call;   /* its matrices(...) */
} qvar;

static int
int_arg(slong *k, const rj_expr_struct *e, slong lo, slong hi, const char *what,
        rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    rj_val_t v;
    int st;
    rj_val_init(v);
    st = cl_eval_plain(v, e, env, ctx, err);
    if (st == RJ_OK)
        st = rj_val_get_si(k, v, lo, hi, 1, what, NULL, e->loc, err);
    rj_val_clear(v);
    return st;
}

/* matrices, matrices(n), matrices(n, n), with the key family = L: *n = 0 for
   every size. */
static int
read_domain(slong *n, slong *fam, const rj_expr_struct *call, rj_env_struct *env,
            cl_ctx *ctx, rj_error_t err)
{
    slong i, npos = 0, dims[2] = { 0, 0 };
    int st = RJ_OK;
    *n = 0;
    *fam = -1;
    for (i = 0; i < call->nargs && st == RJ_OK; i++) {
        const char *key = call->argnames != NULL ? call->argnames[i] : NULL;
        if (key == NULL && call->args[i]->kind == RJ_EXPR_CMP)
            continue;             /* a hypothesis (norm2 <= e): symbolic_norm.c */
        if (key != NULL && strcmp(key, "family") == 0)
            st = int_arg(fam, call->args[i], 1, RJ_SYM_MAX_SYMBOLS,
                         "matrices: the length of the family", env, ctx, err);
        else if (key != NULL)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, call->argnamelocs[i],
                                  "matrices: unknown key '%s' (matrices, matrices(n, n); a "
                                  "family is forall J_1..J_L in matrices)", key);
        else if (npos == 2)
            st = rj_error_set_loc(err, RJ_ERR_INPUT, call->args[i]->loc,
                                  "matrices takes at most two sizes: matrices(n, n)");
        else
            st = int_arg(dims + npos++, call->args[i], 1, CL_SYM_MAX_SIZE,
                         "matrices: the size", env, ctx, err);
    }
    if (st == RJ_OK && npos == 2 && dims[0] != dims[1])
        st = rj_error_set_loc(err, RJ_ERR_INPUT, call->loc, "matrices(%ld, %ld): only square "
                              "matrices are quantified over", (long) dims[0], (long) dims[1]);
    if (st == RJ_OK)
        *n = dims[0];
    return st;
}

/* Bind I and the names: to symbols (mats NULL) or to the m x m matrices mats
   (one per symbol). */
static void
bind_vars(rj_env_struct *env, const qvar *vars, slong nv, cl_symscope *sc,
          const fmpq_mat_struct *mats, slong m)
{
    rj_val_t v;
    slong i;
    rj_val_init(v);
    if (mats == NULL)
        cl_sym_set_identity(v, sc);
    else {
        fmpq_mat_t one;
        fmpq_mat_init(one, m, m);
        fmpq_mat_one(one);
        rj_val_set_fmpq_mat(v, one);
        fmpq_mat_clear(one);
    }
    rj_env_push(env, "I", v);
    rj_val_clear(v);
    for (i = 0; i < nv; i++)
        cl_sym_bind_var(env, vars[i].name, vars[i].fam, vars[i].first, sc, mats);
}

void
cl_sym_bind_var(rj_env_struct *env, const char *name, slong fam, slong first, cl_symscope *sc,
                const fmpq_mat_struct *mats)
{
    rj_val_t v;
    slong l;
    rj_val_init(v);
    if (fam >= 0) {
        if (mats == NULL)
            cl_sym_set_family(v, sc, first, fam);
        else
            cl_sym_set_concrete_family(v, mats + first, fam);
        rj_env_push(env, name, v);
    }
    for (l = 0; l < FLINT_MAX(fam, 1); l++) {
        slong s = first + l;
        if (mats == NULL)
            cl_sym_set_symbol(v, sc, s);
        else
            rj_val_set_fmpq_mat(v, mats + s);
        rj_env_push(env, sc->names[s], v);
    }
    rj_val_clear(v);
}

void
cl_sym_unbind_var(rj_env_struct *env, const char *name, slong fam, slong first,
                  const cl_symscope *sc)
{
    slong l;
    for (l = FLINT_MAX(fam, 1) - 1; l >= 0; l--)
        rj_env_unbind(env, sc->names[first + l]);
    if (fam >= 0)
        rj_env_unbind(env, name);
}

static void
unbind_vars(rj_env_struct *env, const qvar *vars, slong nv, const cl_symscope *sc)
{
    slong i;
    for (i = nv - 1; i >= 0; i--)
        cl_sym_unbind_var(env, vars[i].name, vars[i].fam, vars[i].first, sc);
    rj_env_unbind(env, "I");
}

/* Decide the body with the names bound to mats (or to symbols). */
static int
decide_bound(rj_verdict_kind *v, char **ev, char **data, const rj_expr_struct *body,
             const qvar *vars,
             slong nv, cl_symscope *sc, const fmpq_mat_struct *mats, slong m,
             rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    int st;
    bind_vars(env, vars, nv, sc, mats, m);
    st = cl_decide_case(v, ev, data, body, env, ctx, err);
    unbind_vars(env, vars, nv, sc);
    ctx->cases++;
    return st;
}

void
cl_sym_fill_dense(fmpq_mat_t A, flint_rand_t state, slong bound)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_set_si(fmpq_mat_entry(A, i, j), (slong) n_randint(state, 2 * bound + 1) - bound,
                        1);
}

/* The path matrix of [SY 2]: random entries on the super- and subdiagonal. */
static void
fill_path(fmpq_mat_t A, flint_rand_t state, slong bound)
{
    slong p, m = fmpq_mat_nrows(A);
    fmpq_mat_zero(A);
    for (p = 0; p + 1 < m; p++) {
        fmpq_set_si(fmpq_mat_entry(A, p, p + 1), 1 + (slong) n_randint(state, bound), 1);
        fmpq_set_si(fmpq_mat_entry(A, p + 1, p), 1 + (slong) n_randint(state, bound), 1);
    }
}

/* The matrices as "J = [[...]], K = [[...]]" (flint_malloc'd). */
static char *
witness_str(const cl_symscope *sc, const fmpq_mat_struct *mats)
{
    cl_sbuf b;
    slong s;
    cl_sb_init(&b);
    for (s = 0; s < sc->nsym; s++) {
        rj_val_t v;
        char *ms;
        rj_val_init(v);
        rj_val_set_fmpq_mat(v, mats + s);
        ms = rj_val_get_str(v);
        cl_sb_printf(&b, "%s%s = %s", s > 0 ? ", " : "", sc->names[s], ms);
        flint_free(ms);
        rj_val_clear(v);
    }
    return cl_sb_take(&b);
}

/* The data of a refuting case with the witness in front: I and every symbol
   bound to its matrix, as rows (evdata.c; NULL when no data was made). */
static char *
witness_data(const char *data, const cl_symscope *sc, const fmpq_mat_struct *mats, slong m)
{
    char *d = data != NULL ? rj_strdup(data) : NULL, *t;
    slong s;
    rj_val_t v;
    fmpq_mat_t one;
    rj_val_init(v);
    for (s = sc->nsym - 1; s >= 0 && d != NULL; s--) {
        rj_val_set_fmpq_mat(v, mats + s);
        t = cl_data_bind(d, sc->names[s], v);
        flint_free(d);
        d = t;
    }
    fmpq_mat_init(one, m, m);
    fmpq_mat_one(one);
    rj_val_set_fmpq_mat(v, one);
    if (d != NULL) {
        t = cl_data_bind(d, "I", v);
        flint_free(d);
        d = t;
    }
    fmpq_mat_clear(one);
    rj_val_clear(v);
    return d;
}

/* Print the witness, read every matrix back, and decide the body again on
   what was read: it must be REFUTED. */
static int
reverify(const rj_expr_struct *f, const rj_expr_struct *body, const qvar *vars, slong nv,
         cl_symscope *sc, const fmpq_mat_struct *mats, slong m, rj_env_struct *env,
         cl_ctx *ctx, rj_error_t err)
{
    fmpq_mat_struct *back;
    slong s, saved = ctx->cases;
    rj_verdict_kind v2 = RJ_VERDICT_ERROR;
    char *ev2 = NULL;
    int st;
    back = flint_malloc(sc->nsym * sizeof(fmpq_mat_struct));
    for (s = 0; s < sc->nsym; s++)
        fmpq_mat_init(back + s, m, m);
    st = cl_sym_read_back(back, mats, sc->nsym, env);
    if (st == RJ_OK)
        st = decide_bound(&v2, &ev2, NULL, body, vars, nv, sc, back, m, env, ctx, err);
    st = cl_sym_witness_status(st, v2, f->loc, err);
    ctx->cases = saved;
    for (s = 0; s < sc->nsym; s++)
        fmpq_mat_clear(back + s);
    flint_free(back);
    flint_free(ev2);
    return st;
}

int
cl_sym_read_back(fmpq_mat_struct *back, const fmpq_mat_struct *mats, slong k,
                 rj_env_struct *env)
{
    cl_sbuf b;
    rj_prog_t p;
    rj_error_t e2;
    slong i;
    char *text;
    int st;
    cl_sb_init(&b);
    for (i = 0; i < k; i++) {
        rj_val_t v;
        char *ms;
        rj_val_init(v);
        rj_val_set_fmpq_mat(v, mats + i);
        ms = rj_val_get_str(v);
        cl_sb_printf(&b, "let w%ld = %s\n", (long) i, ms);
        flint_free(ms);
        rj_val_clear(v);
    }
    text = cl_sb_take(&b);
    rj_prog_init(p);
    rj_error_init(e2);
    st = rj_parse_string(p, text, "<witness>", e2);
    if (st == RJ_OK && p->len != k)
        st = RJ_ERR_INTERNAL;
    for (i = 0; i < k && st == RJ_OK; i++) {
        rj_val_t v;
        rj_val_init(v);
        st = rj_eval(v, p->stmts[i].expr, env, e2);
        if (st == RJ_OK && (v->kind != RJ_VAL_MAT || !fmpq_mat_equal(v->mat, mats + i)))
            st = RJ_ERR_INTERNAL;
        if (st == RJ_OK) {
            fmpq_mat_clear(back + i);
            fmpq_mat_init_set(back + i, v->mat);
        }
        rj_val_clear(v);
    }
    flint_free(text);
    rj_prog_clear(p);
    return st == RJ_OK ? RJ_OK : RJ_ERR_INTERNAL;
}

/* Step 2: look for integer counterexamples: *found = 1 and out FALSE when
   one refuted the body, else *found = 0 and *tried says what was tried. */
static int
search_witness(int *found, char **tried, cl_cres_t out, const rj_expr_struct *f,
               const rj_expr_struct *body, const qvar *vars, slong nv, cl_symscope *sc,
               rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    flint_rand_t state;
    fmpq_mat_struct *mats;
    slong t, s, d = FLINT_MAX(sc->maxdeg, 1), lo = WORD_MAX, hi = 0;
    int st = RJ_OK;
    char *first_err = NULL;
    *found = 0;
    flint_randinit(state);
    flint_randseed(state, CL_SYM_SEED, CL_SYM_SEED ^ UWORD(0x5DEECE66D));
    mats = flint_malloc(FLINT_MAX(sc->nsym, 1) * sizeof(fmpq_mat_struct));
    for (t = 0; t < CL_SYM_TRIALS && st == RJ_OK && !*found; t++) {
        slong m;
        int path = sc->n == 0 && (t & 1);
        rj_verdict_kind v;
        char *ev = NULL, *data = NULL;
        rj_error_t e2;
        if (sc->n > 0)
            m = sc->n;
        else if (path)
            m = FLINT_MIN(d + 1, CL_SYM_MAX_SIZE);
        else
            m = FLINT_MIN(d / 2 + 1 + t / 4, CL_SYM_MAX_SIZE);
        lo = FLINT_MIN(lo, m);
        hi = FLINT_MAX(hi, m);
        for (s = 0; s < sc->nsym; s++) {
            fmpq_mat_init(mats + s, m, m);
            if (path)
                fill_path(mats + s, state, 20);
            else
                cl_sym_fill_dense(mats + s, state, t < CL_SYM_TRIALS / 2 ? 3 : 50);
        }
        rj_error_init(e2);
        if (decide_bound(&v, &ev, &data, body, vars, nv, sc, mats, m, env, ctx, e2) != RJ_OK) {
            if (first_err == NULL)
                first_err = rj_strdup(e2->msg);
        } else if (v == RJ_VERDICT_REFUTED) {
            st = reverify(f, body, vars, nv, sc, mats, m, env, ctx, err);
            if (st == RJ_OK) {
                char *w = witness_str(sc, mats);
                cl_cres_set_scalar_data(out, CL_FALSE,
                                        rj_str_cut(cl_printf("%s (integer %ld x %ld matrices, "
                                                             "try %ld): %s", w, (long) m,
                                                             (long) m, (long) (t + 1), ev),
                                                   6 * CL_EV_LEN),
                                        witness_data(data, sc, mats, m));
                flint_free(w);
                *found = 1;
            }
        }
        flint_free(ev);
        flint_free(data);
        for (s = 0; s < sc->nsym; s++)
            fmpq_mat_clear(mats + s);
    }
    if (lo == hi)
        *tried = cl_printf("%d tries of integer %ld x %ld matrices", CL_SYM_TRIALS, (long) lo,
                           (long) lo);
    else
        *tried = cl_printf("%d tries of integer matrices of sizes %ld..%ld", CL_SYM_TRIALS,
                           (long) lo, (long) hi);
    if (first_err != NULL) {
        char *s2 = cl_printf("%s (one failed: %s)", *tried, first_err);
        flint_free(*tried);
        *tried = s2;
    }
    flint_free(first_err);
    flint_free(mats);
    flint_randclear(state);
    return st;
}

int
cl_decide_forall_matrices(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env,
                          cl_ctx *ctx, rj_error_t err)
{
    qvar vars[CL_SYM_CHAIN_MAX];
    const rj_expr_struct *g = f;
    slong nv = 0, n = -1, nsym = 0, i, l;
    char **names = NULL;
    cl_symscope sc;
    rj_val_struct *iv;
    rj_error_t e2;
    rj_verdict_kind v;
    char *ev = NULL, *tried = NULL;
    int st = RJ_OK, found;

    iv = rj_env_lookup(env, "I");
    if (iv != NULL && cl_val_is_sym(iv))
        return rj_error_set_loc(err, RJ_ERR_INPUT, f->loc, "a quantifier over matrices inside "
                                "another one must follow it directly (forall J, K in matrices: "
                                "...), so that one scope holds all the symbols");
    if (cl_symjac_is_chain(f))                    /* with points: symbolic_jac.c */
        return cl_symjac_decide(out, f, env, ctx, err);
    while (cl_is_matrices_forall(g) && nv < CL_SYM_CHAIN_MAX) {
        slong gn, fam;
        st = read_domain(&gn, &fam, g->args[0], env, ctx, err);
        if (st == RJ_ERR_LIMIT) {
            /* a limit of the method: UNDECIDED, naming it */
            cl_cres_set_scalar(out, CL_UNKNOWN, cl_printf("the symbolic method cannot take "
                                                          "this quantifier: %s", err->msg));
            rj_error_init(err);
            return RJ_OK;
        }
        if (st != RJ_OK)
            return st;
        if (n >= 0 && gn != n)
            return rj_error_set_loc(err, RJ_ERR_INPUT, g->args[0]->loc, "matrices of one "
                                    "quantifier must all have one size: all matrices(n, n) "
                                    "with the same n, or all matrices (any size)");
        n = gn;
        vars[nv].name = g->name;
        vars[nv].fam = fam;
        vars[nv].first = nsym;
        vars[nv].call = g->args[0];
        nsym += FLINT_MAX(fam, 1);
        nv++;
        g = g->args[1];
    }
    names = flint_malloc(FLINT_MAX(nsym, 1) * sizeof(char *));
    for (i = 0; i < nv; i++)
        for (l = 0; l < FLINT_MAX(vars[i].fam, 1); l++)
            names[vars[i].first + l] = vars[i].fam < 0 ? rj_strdup(vars[i].name)
                                       : cl_printf("%s_%ld", vars[i].name, (long) (l + 1));
    rj_error_init(e2);
    if (cl_symscope_init(&sc, (const char *const *) names, nsym, n, e2) != RJ_OK) {
        /* a limit of the method: UNDECIDED, naming it */
        cl_cres_set_scalar(out, CL_UNKNOWN, cl_printf("the symbolic method cannot take this "
                                                      "quantifier: %s", e2->msg));
        goto done_names;
    }
    if (cl_symq_has_hyps(f) || rj_env_lookup(env, CL_REAL_MARK) != NULL) {
        /* hypotheses or a real symbol: the norm rules and structured witnesses */
        cl_symq q;
        q.f = f;
        q.body = g;
        q.vars = vars;
        q.nv = nv;
        q.sc = &sc;
        q.dom = flint_malloc(FLINT_MAX(nsym, 1) * sizeof(const rj_expr_struct *));
        for (i = 0; i < nv; i++)
            for (l = 0; l < FLINT_MAX(vars[i].fam, 1); l++)
                q.dom[vars[i].first + l] = vars[i].call;
        st = cl_decide_norms(out, &q, env, ctx, err);
        flint_free(q.dom);
        goto done;
    }
    st = decide_bound(&v, &ev, NULL, g, vars, nv, &sc, NULL, 0, env, ctx, err);
    if (st != RJ_OK)
        goto done;
    if (v == RJ_VERDICT_PROVED) {
        if (n == 0)
            cl_cres_set_scalar(out, CL_TRUE,
                               rj_str_cut(cl_printf("for square matrices of every size (equal "
                                                    "normal forms in the free algebra with "
                                                    "transpose): %s", ev), 2 * CL_EV_LEN));
        else
            cl_cres_set_scalar(out, CL_TRUE,
                               rj_str_cut(cl_printf("for all %ld x %ld matrices (equal normal "
                                                    "forms or equal polynomials in the "
                                                    "entries): %s", (long) n, (long) n, ev),
                                          2 * CL_EV_LEN));
        goto done;
    }
    st = search_witness(&found, &tried, out, f, g, vars, nv, &sc, env, ctx, err);
    if (st == RJ_OK && !found)
        cl_cres_set_scalar(out, CL_UNKNOWN,
                           rj_str_cut(cl_printf("not decided on symbols (%s: %s) and no "
                                                "counterexample among %s", rj_verdict_name(v),
                                                ev, tried), 2 * CL_EV_LEN));
done:
    cl_symscope_clear(&sc);
done_names:
    for (i = 0; i < nsym; i++)
        flint_free(names[i]);
    flint_free(names);
    flint_free(ev);
    flint_free(tried);
    return st;
}

int
cl_sym_read_domain(slong *n, slong *fam, const rj_expr_struct *call, rj_env_struct *env,
                   cl_ctx *ctx, rj_error_t err)
{
    return read_domain(n, fam, call, env, ctx, err);
}

int
cl_sym_witness_status(int st, rj_verdict_kind v2, rj_loc_t loc, rj_error_t err)
{
    if (st == RJ_ERR_INTERNAL && err->status == RJ_OK)
        return rj_error_set_loc(err, RJ_ERR_INTERNAL, loc, "the printed counterexample does "
                                "not read back as the same matrices; this is a bug in resjac");
    if (st == RJ_OK && v2 != RJ_VERDICT_REFUTED)
        return rj_error_set_loc(err, RJ_ERR_INTERNAL, loc, "the counterexample read back from "
                                "its printed form was not refuted again (%s); this is a bug "
                                "in resjac", rj_verdict_name(v2));
    return st;
}

/* ---------------------------------------------------------------- for symbolic_norm.c */

void
cl_symq_bind(const cl_symq *q, const fmpq_mat_struct *mats, slong m, rj_env_struct *env)
{
    bind_vars(env, q->vars, q->nv, q->sc, mats, m);
}

void
cl_symq_unbind(const cl_symq *q, rj_env_struct *env)
{
    unbind_vars(env, q->vars, q->nv, q->sc);
}

int
cl_symq_decide_at(rj_verdict_kind *v, char **ev, const cl_symq *q, const fmpq_mat_struct *mats,
                  slong m, rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    return decide_bound(v, ev, NULL, q->body, q->vars, q->nv, q->sc, mats, m, env, ctx, err);
}

int
cl_symq_reverify(const cl_symq *q, const fmpq_mat_struct *mats, slong m, rj_env_struct *env,
                 cl_ctx *ctx, rj_error_t err)
{
    return reverify(q->f, q->body, q->vars, q->nv, q->sc, mats, m, env, ctx, err);
}

char *
cl_symq_witness_str(const cl_symq *q, const fmpq_mat_struct *mats)
{
    return witness_str(q->sc, mats);
}
