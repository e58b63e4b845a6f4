/* resjac claims: formulas -- per-choice truth values, connectives, terms.
 *
 * Every formula gets, for each combination of one-sided choices at the ReLU
 * ties its values meet, one of four truth values:
 *   CL_TRUE     decided true (exact arithmetic, or an enclosure wholly on the
 *               right side);
 *   CL_FALSE    decided false, with the values that show it;
 *   CL_WEAK     not refuted: an approximate comparison that holds, or a
 *               sampled universal claim that survived its search;
 *   CL_UNKNOWN  cannot be decided (a layer this build lacks, an enclosure that
 *               straddles the bound).
 * Connectives (Kleene's strong three-valued logic, with WEAK between TRUE and
 * UNKNOWN):
 *   not: TRUE <-> FALSE, WEAK -> UNKNOWN (a survived search proves no
 *        negation), UNKNOWN -> UNKNOWN;
 *   and: FALSE if a part is FALSE, else UNKNOWN if one is, else WEAK if one
 *        is, else TRUE;
 *   or:  TRUE if a part is TRUE, else WEAK if one is, else UNKNOWN if one is,
 *        else FALSE.
 * `and`/`or` evaluate left to right and stop once every choice is decided
 * FALSE (and) or TRUE (or).  A claim is then reduced over the choices
 * (cl_reduce): PROVED only if TRUE for every choice, REFUTED only if FALSE for
 * every choice; otherwise the verdict names the convention it needs.
 * Comparisons are src/claims/compare.c, quantifiers forall.c, the Clarke box
 * clarke.c, the reduction to a verdict verdict.c. */
#include <string.h>

#include "claims_impl.h"
#include "symbolic_impl.h"

/* ------------------------------------------------------------ results */

void
cl_cres_init(cl_cres_t r)
{
    r->nkeys = 0;
    r->keys = NULL;
    r->tv = flint_malloc(1);
    r->ev = flint_malloc(sizeof(char *));
    r->data = flint_malloc(sizeof(char *));
    r->tv[0] = CL_UNKNOWN;
    r->ev[0] = NULL;
    r->data[0] = NULL;
    r->box_true = r->box_false = 0;
    r->ctv = CL_UNKNOWN;
    r->cev = NULL;
}

static void
cres_free_contents(cl_cres_t r)
{
    slong i, n = WORD(1) << r->nkeys;
    for (i = 0; i < n; i++) {
        flint_free(r->ev[i]);
        flint_free(r->data[i]);
    }
    flint_free(r->ev);
    flint_free(r->data);
    flint_free(r->tv);
    flint_free(r->keys);
    flint_free(r->cev);
}

void
cl_cres_clear(cl_cres_t r)
{
    cres_free_contents(r);
}

void
cl_cres_swap(cl_cres_t a, cl_cres_t b)
{
    cl_cres_struct t = *a;
    *a = *b;
    *b = t;
}

/* Make r a result over keys U (all UNKNOWN, no evidence). */
void
cl_cres_reset(cl_cres_t r, const slong *U, slong nU)
{
    slong i, n = WORD(1) << nU;
    cres_free_contents(r);
    r->nkeys = nU;
    r->keys = NULL;
    if (nU > 0) {
        r->keys = flint_malloc(nU * sizeof(slong));
        memcpy(r->keys, U, nU * sizeof(slong));
    }
    r->tv = flint_malloc(n);
    r->ev = flint_malloc(n * sizeof(char *));
    r->data = flint_malloc(n * sizeof(char *));
    for (i = 0; i < n; i++) {
        r->tv[i] = CL_UNKNOWN;
        r->ev[i] = NULL;
        r->data[i] = NULL;
    }
    r->box_true = r->box_false = 0;
    r->ctv = CL_UNKNOWN;
    r->cev = NULL;
}

void
cl_cres_set_scalar_data(cl_cres_t r, int tv, char *ev, char *data)
{
    cl_cres_reset(r, NULL, 0);
    r->tv[0] = tv;
    r->ev[0] = ev;
    r->data[0] = data;
    r->box_true = tv == CL_TRUE;
    r->box_false = tv == CL_FALSE;
}

void
cl_cres_set_scalar(cl_cres_t r, int tv, char *ev)
{
    cl_cres_set_scalar_data(r, tv, ev, NULL);
}

/* The truth value at the centre of the box (the value itself without keys). */
static int
cres_ctv(const cl_cres_t r)
{
    return r->nkeys == 0 ? r->tv[0] : r->ctv;
}

static const char *
cres_cev(const cl_cres_t r)
{
    return r->nkeys == 0 ? r->ev[0] : r->cev;
}

int
cl_cres_any_are(const cl_cres_t r, int tv)
{
    slong i, n = WORD(1) << r->nkeys;
    for (i = 0; i < n; i++)
        if (r->tv[i] == tv)
            return 1;
    return 0;
}

int
cl_cres_all_are(const cl_cres_t r, int tv)
{
    slong i, n = WORD(1) << r->nkeys;
    for (i = 0; i < n; i++)
        if (r->tv[i] != tv)
            return 0;
    return 1;
}

char *
cl_domain_evidence(const rj_error_t err)
{
    char buf[RJ_ERROR_MSG_LEN + 300];
    rj_error_format(buf, sizeof(buf), err);
    return cl_printf("the method cannot compute this: %s", buf);
}


/* ------------------------------------------------------------ connectives */

static int
tv_and(int a, int b)
{
    if (a == CL_FALSE || b == CL_FALSE)
        return CL_FALSE;
    if (a == CL_UNKNOWN || b == CL_UNKNOWN)
        return CL_UNKNOWN;
    if (a == CL_WEAK || b == CL_WEAK)
        return CL_WEAK;
    return CL_TRUE;
}

static int
tv_or(int a, int b)
{
    if (a == CL_TRUE || b == CL_TRUE)
        return CL_TRUE;
    if (a == CL_WEAK || b == CL_WEAK)
        return CL_WEAK;
    if (a == CL_UNKNOWN || b == CL_UNKNOWN)
        return CL_UNKNOWN;
    return CL_FALSE;
}

static char *
join_ev(const char *a, const char *b)
{
    return rj_str_cut(cl_printf("%s; %s", a != NULL ? a : "", b != NULL ? b : ""), CL_EV_LEN);
}

/* Which part decided tv = ta AND/OR tr: 0 the earlier parts, 1 the new
   one, 2 both together. */
static int
pick_part(int tv, int ta, int tr, int is_and)
{
    if (tv == ta && (tv != tr || tv == (is_and ? CL_FALSE : CL_TRUE)))
        return 0;
    if (tv == tr && tv != ta)
        return 1;
    return 2;
}

/* The evidence of tv = ta AND/OR tr: the part that decided it. */
static char *
pick_ev(int tv, int ta, const char *ea, int tr, const char *er, int is_and)
{
    int w = pick_part(tv, ta, tr, is_and);
    return w == 0 ? rj_strdup(ea) : w == 1 ? rj_strdup(er) : join_ev(ea, er);
}

/* acc = acc AND/OR r, choice by choice (r's evidence labelled "part k"). */
static void
combine(cl_cres_t acc, const cl_cres_t r, int is_and, int first)
{
    slong *U, nU, m, n;
    cl_cres_t out;
    cl_cres_init(out);
    nU = cl_keys_union(&U, acc->keys, acc->nkeys, r->keys, r->nkeys);
    cl_cres_reset(out, U, nU);
    n = WORD(1) << nU;
    for (m = 0; m < n; m++) {
        ulong ma = cl_keys_project(m, U, nU, acc->keys, acc->nkeys);
        ulong mr = cl_keys_project(m, U, nU, r->keys, r->nkeys);
        int ta = acc->tv[ma], tr = r->tv[mr];
        const char *ea = acc->ev[ma], *er = r->ev[mr];
        int tv;
        const char *da = acc->data[ma], *dr = r->data[mr];
        int w;
        if (first) {
            out->tv[m] = tr;
            out->ev[m] = rj_strdup(er);
            out->data[m] = rj_strdup(dr);
            continue;
        }
        tv = is_and ? tv_and(ta, tr) : tv_or(ta, tr);
        out->tv[m] = tv;
        out->ev[m] = pick_ev(tv, ta, ea, tr, er, is_and);
        w = pick_part(tv, ta, tr, is_and);
        out->data[m] = w == 0 ? rj_strdup(da) : w == 1 ? rj_strdup(dr) : cl_data_pair(da, dr);
    }
    /* over the whole box: a conjunction holds where both parts do, a
       disjunction fails where both parts do */
    if (first) {
        out->box_true = r->box_true;
        out->box_false = r->box_false;
    } else if (is_and) {
        out->box_true = acc->box_true && r->box_true;
        out->box_false = acc->box_false || r->box_false;
    } else {
        out->box_true = acc->box_true || r->box_true;
        out->box_false = acc->box_false && r->box_false;
    }
    if (nU > 0) {
        if (first) {
            out->ctv = cres_ctv(r);
            out->cev = rj_strdup(cres_cev(r));
        } else {
            int ta = cres_ctv(acc), tr = cres_ctv(r);
            out->ctv = is_and ? tv_and(ta, tr) : tv_or(ta, tr);
            out->cev = pick_ev(out->ctv, ta, cres_cev(acc), tr, cres_cev(r), is_and);
        }
    }
    flint_free(U);
    cl_cres_swap(acc, out);
    cl_cres_clear(out);
}

static int
decide_andor(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
             rj_error_t err)
{
    int is_and = f->kind == RJ_EXPR_AND, st = RJ_OK;
    slong i;
    cl_cres_t r;
    cl_cres_init(r);
    for (i = 0; i < f->nargs; i++) {
        slong m, n;
        st = cl_decide_formula(r, f->args[i], env, ctx, err);
        if (st != RJ_OK)
            break;
        n = WORD(1) << r->nkeys;
        if (f->nargs > 1)
            for (m = 0; m < n; m++) {
                char *s = cl_printf("(%s %ld of %ld) %s", is_and ? "conjunct" : "alternative",
                                    (long) (i + 1), (long) f->nargs,
                                    r->ev[m] != NULL ? r->ev[m] : "");
                flint_free(r->ev[m]);
                r->ev[m] = rj_str_cut(s, CL_EV_LEN);
            }
        combine(out, r, is_and, i == 0);
        if (out->nkeys > ctx->opts.max_ties) {
            cl_cres_set_scalar(out, CL_UNKNOWN,
                               cl_printf("the parts depend on %ld ReLU ties together: more "
                                         "one-sided choices than the limit of %ld ties",
                                         (long) out->nkeys, (long) ctx->opts.max_ties));
            break;
        }
        if (cl_cres_all_are(out, is_and ? CL_FALSE : CL_TRUE))
            break;                              /* decided: stop */
    }
    cl_cres_clear(r);
    return st;
}

/* not: the truth value swapped, and the evidence saying which way the
   negated formula went ("not (...) is false: the negated formula holds: ..."),
   so that a margin printed for it is not read as the margin of the whole. */
static int
negate(char **ev, int tv)
{
    const char *e = *ev != NULL ? *ev : "";
    char *s = NULL;
    int out = tv;
    switch (tv) {
    case CL_TRUE:
        out = CL_FALSE;
        s = cl_printf("not (...) is false: the negated formula holds: %s", e);
        break;
    case CL_FALSE:
        out = CL_TRUE;
        s = cl_printf("not (...) is true: the negated formula fails: %s", e);
        break;
    case CL_WEAK:
        out = CL_UNKNOWN;
        s = cl_printf("the negation of a claim that was only sampled or approximated "
                      "cannot be decided: %s", e);
        break;
    default:
        return tv;
    }
    flint_free(*ev);
    *ev = rj_str_cut(s, CL_EV_LEN);
    return out;
}

static int
decide_not(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
           rj_error_t err)
{
    slong m, n;
    int st = cl_decide_formula(out, f->args[0], env, ctx, err);
    if (st != RJ_OK)
        return st;
    n = WORD(1) << out->nkeys;
    for (m = 0; m < n; m++) {
        int tv = out->tv[m];
        char *d = cl_data_wrap("not", out->data[m]);
        out->tv[m] = negate(&out->ev[m], tv);
        flint_free(out->data[m]);
        out->data[m] = d;
    }
    if (out->nkeys > 0)
        out->ctv = negate(&out->cev, out->ctv);
    {
        int t = out->box_true;
        out->box_true = out->box_false;
        out->box_false = t;
    }
    return RJ_OK;
}

/* A term used as a formula: it must be a truth value. */
static int
decide_term(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
            rj_error_t err)
{
    cl_cval_t c;
    slong m, n;
    int st;
    cl_cval_init(c);
    st = cl_eval(c, f, env, ctx, err);
    if (st == RJ_ERR_DOMAIN) {
        cl_cres_set_scalar(out, CL_UNKNOWN, cl_domain_evidence(err));
        rj_error_init(err);
        st = RJ_OK;
    } else if (st == RJ_OK) {
        cl_cres_reset(out, c->keys, c->nkeys);
        n = WORD(1) << c->nkeys;
        for (m = 0; m < n && st == RJ_OK; m++) {
            const rj_val_struct *v = c->nkeys > 0 ? c->v->items + m : c->v;
            if (v->kind != RJ_VAL_BOOL) {
                char d[120];
                rj_val_describe(d, sizeof(d), v);
                st = rj_error_set_loc(err, RJ_ERR_INPUT, f->loc,
                                      "expected a formula (a comparison such as A == B, or "
                                      "and/or/not/forall), found %s", d);
            } else {
                out->tv[m] = v->b ? CL_TRUE : CL_FALSE;
                out->ev[m] = rj_strdup(v->b ? "true" : "false");
                if (ctx->want_data)
                    out->data[m] = cl_printf("{\"bindings\": {}, \"value\": %s}",
                                             v->b ? "true" : "false");
            }
        }
        if (st == RJ_OK && c->nkeys == 0) {
            out->box_true = out->tv[0] == CL_TRUE;
            out->box_false = out->tv[0] == CL_FALSE;
        } else if (st == RJ_OK && cl_cval_center(c) != NULL
                   && cl_cval_center(c)->kind == RJ_VAL_BOOL) {
            out->ctv = cl_cval_center(c)->b ? CL_TRUE : CL_FALSE;
            out->cev = rj_strdup(cl_cval_center(c)->b ? "true" : "false");
        }
    }
    cl_cval_clear(c);
    return st;
}

int
cl_decide_formula(cl_cres_t out, const rj_expr_struct *f, rj_env_struct *env, cl_ctx *ctx,
                  rj_error_t err)
{
    switch (f->kind) {
    case RJ_EXPR_CMP: return cl_decide_cmp(out, f, env, ctx, err);
    case RJ_EXPR_AND:
    case RJ_EXPR_OR: return decide_andor(out, f, env, ctx, err);
    case RJ_EXPR_NOT: return decide_not(out, f, env, ctx, err);
    case RJ_EXPR_FORALL:
        if (cl_is_depth_forall(f))           /* symbolic_depth.c */
            return cl_decide_forall_depth(out, f, env, ctx, err);
        return cl_decide_forall(out, f, env, ctx, err);
    case RJ_EXPR_FORALL_RANDOM:
        if (cl_is_depth_forall(f))
            return cl_decide_forall_depth(out, f, env, ctx, err);
        if (cl_is_matrices_forall(f))        /* symbolic_forall.c */
            return cl_decide_forall_matrices(out, f, env, ctx, err);
        if (cl_is_reals_forall(f))           /* symbolic_norm.c */
            return cl_decide_forall_reals(out, f, env, ctx, err);
        return cl_decide_forall_random(out, f, env, ctx, err);
    default: return decide_term(out, f, env, ctx, err);
    }
}

