/* resjac claims: verdicts.  A formula's per-choice truth values are reduced
 * to one verdict (cl_reduce): PROVED only if TRUE for every one-sided choice
 * at the ReLU ties and on the whole Clarke box, REFUTED only if FALSE for
 * every choice and on the whole box; otherwise UNDECIDED naming the
 * convention the claim needs.  A case (the claim, or one case of a
 * quantifier) is decided and reduced by cl_decide_case, which also notes the
 * ties the case met when they did not matter. */
#include <stdlib.h>
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ reduction */

/* A tie label "PLACE, unit N, REST" split at its unit: *unit = N and the
   length of PLACE; 0 when the label has no unit. */
static int
label_unit(long *unit, size_t *head, const char *label)
{
    const char *u = strstr(label, ", unit ");
    char *end;
    if (u == NULL)
        return 0;
    *unit = strtol(u + 7, &end, 10);
    *head = u - label;
    return end != u + 7;
}

/* 1 if labels a and b differ only in their unit number. */
static int
same_but_unit(const char *a, const char *b)
{
    long ua, ub;
    size_t ha, hb;
    const char *ra, *rb;
    if (!label_unit(&ua, &ha, a) || !label_unit(&ub, &hb, b) || ha != hb
        || strncmp(a, b, ha) != 0)
        return 0;
    ra = a + ha + 7 + strspn(a + ha + 7, "0123456789");
    rb = b + hb + 7 + strspn(b + hb + 7, "0123456789");
    return strcmp(ra, rb) == 0;
}

/* The note of the ties a result depends on; ties that differ only in their
   unit (the same place, point and call) share one entry, "units 1-3, 5". */
static void
sb_ties(cl_sbuf *b, const cl_cres_t r, cl_ctx *ctx)
{
    slong i, j;
    char *done = flint_calloc(r->nkeys > 0 ? r->nkeys : 1, 1);
    int first = 1;
    cl_sb_puts(b, " [ReLU tie");
    if (r->nkeys > 1)
        cl_sb_puts(b, "s");
    cl_sb_puts(b, ": ");
    for (i = 0; i < r->nkeys; i++) {
        const char *li = ctx->ties[r->keys[i]].label;
        long unit, prev = -2, run = -1;
        size_t head;
        slong n = 0;
        if (done[i])
            continue;
        cl_sb_puts(b, first ? "" : "; ");
        first = 0;
        if (!label_unit(&unit, &head, li)) {
            cl_sb_puts(b, li);
            continue;
        }
        for (j = i; j < r->nkeys; j++)
            if (!done[j] && (j == i || same_but_unit(li, ctx->ties[r->keys[j]].label)))
                n++;
        if (n == 1) {
            cl_sb_puts(b, li);
            continue;
        }
        cl_sb_printf(b, "%.*s, units ", (int) head, li);
        /* the units in the order met, consecutive ones as a range */
        for (j = i; j < r->nkeys; j++) {
            const char *lj = ctx->ties[r->keys[j]].label;
            size_t h;
            if (done[j] || (j != i && !same_but_unit(li, lj)))
                continue;
            done[j] = 1;
            label_unit(&unit, &h, lj);
            if (unit == prev + 1 && run >= 0) {
                prev = unit;
                continue;
            }
            if (run >= 0 && prev != run)
                cl_sb_printf(b, "-%ld", prev);
            cl_sb_printf(b, "%s%ld", run >= 0 ? ", " : "", unit);
            run = prev = unit;
        }
        if (prev != run)
            cl_sb_printf(b, "-%ld", prev);
        cl_sb_puts(b, li + head + 7 + strspn(li + head + 7, "0123456789"));
    }
    cl_sb_puts(b, "]");
    flint_free(done);
}

static void
sb_choice(cl_sbuf *b, const cl_cres_t r, ulong m, cl_ctx *ctx)
{
    slong i;
    for (i = 0; i < r->nkeys; i++)
        cl_sb_printf(b, "%s%s %s", i > 0 ? ", " : "", ctx->ties[r->keys[i]].label,
                     (m >> i) & 1 ? "right" : "left");
}

static int
holds(int tv)
{
    return tv == CL_TRUE || tv == CL_WEAK;
}

/* The JSON text of the case the evidence of cl_reduce quotes: choice m, or
   none (-1: the evidence quotes the sample at ReLU'(0) = 1/2).  With ties,
   the choice is named: "choice": [{"tie": LABEL, "side": "left"|"right"}, ...]
   in the order of the tie note. */
static char *
pick_data(const cl_cres_t r, slong m, cl_ctx *ctx)
{
    cl_sbuf b;
    slong i;
    char *c, *d;
    if (m < 0 || r->data[m] == NULL)
        return NULL;
    if (r->nkeys == 0)
        return rj_strdup(r->data[m]);
    cl_sb_init(&b);
    cl_sb_puts(&b, "[");
    for (i = 0; i < r->nkeys; i++) {
        cl_sb_puts(&b, i > 0 ? ", {\"tie\": " : "{\"tie\": ");
        cl_json_str(&b, ctx->ties[r->keys[i]].label);
        cl_sb_printf(&b, ", \"side\": \"%s\"}", (m >> i) & 1 ? "right" : "left");
    }
    cl_sb_puts(&b, "]");
    c = cl_sb_take(&b);
    d = cl_data_add(r->data[m], "choice", c);
    flint_free(c);
    return d;
}

rj_verdict_kind
cl_reduce(char **evidence, char **data, const cl_cres_t r, cl_ctx *ctx)
{
    slong dm = 0;
    slong n = WORD(1) << r->nkeys, m, nt = 0, nf = 0, nw = 0, nu = 0;
    slong first_w = -1, first_u = -1, first_f = -1, first_h = -1;
    cl_sbuf b;
    rj_verdict_kind v;
    const char *e0, *cev = r->cev != NULL ? r->cev : "";

    for (m = 0; m < n; m++) {
        switch (r->tv[m]) {
        case CL_TRUE: nt++; break;
        case CL_FALSE: nf++; if (first_f < 0) first_f = m; break;
        case CL_WEAK: nw++; if (first_w < 0) first_w = m; break;
        default: nu++; if (first_u < 0) first_u = m; break;
        }
        if (holds(r->tv[m]) && first_h < 0)
            first_h = m;
    }
    cl_sb_init(&b);
    e0 = r->ev[0] != NULL ? r->ev[0] : "";
    if (r->nkeys == 0) {
        static const rj_verdict_kind map[4] = { RJ_VERDICT_PROVED, RJ_VERDICT_REFUTED,
                                                RJ_VERDICT_NOT_REFUTED, RJ_VERDICT_UNDECIDED };
        *evidence = rj_strdup(e0);
        *data = pick_data(r, 0, ctx);
        return map[(int) r->tv[0]];
    }
    /* With ties, the one-sided choices are the vertices of the Clarke box
       [0, 1]^k; PROVED and REFUTED need the verdict on the whole box
       (proofs/ties.md). */
    if (nt == n && r->box_true) {
        v = RJ_VERDICT_PROVED;
        cl_sb_printf(&b, "%s (holds for all %ld one-sided choices at the ReLU ties, and so for "
                     "every ReLU'(0) in [0, 1]: the compared values are multilinear or convex "
                     "in the tie derivatives)", e0, (long) n);
    } else if (nf == n && r->box_false) {
        v = RJ_VERDICT_REFUTED;
        cl_sb_printf(&b, "%s (fails for all %ld one-sided choices at the ReLU ties, and so "
                     "for every ReLU'(0) in [0, 1])", e0, (long) n);
    } else if (nt == n && r->ctv == CL_FALSE) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "needs a convention: holds at every one-sided choice (ReLU'(0) = 0 "
                     "or 1 at each tie) but fails at ReLU'(0) = 1/2, inside the Clarke set: "
                     "%s", cev);
        dm = -1;
    } else if (nt == n) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "holds at every one-sided choice, but the claim is not multilinear "
                     "in the tie choices, so the vertices do not cover the Clarke set "
                     "[0,1]%s: %s", r->ctv == CL_TRUE ? " (it also holds at ReLU'(0) = 1/2)"
                                                      : "", e0);
    } else if (nf == n && r->ctv == CL_TRUE) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "needs a convention: fails at every one-sided choice but holds at "
                     "ReLU'(0) = 1/2: %s; with ReLU'(0) = 0: %s", cev, e0);
    } else if (nf == n) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "fails at every one-sided choice%s, but the claim is not "
                     "multilinear in the tie choices, so the vertices do not show that it "
                     "fails on the whole Clarke set [0,1]: %s",
                     r->ctv == CL_FALSE ? " and at ReLU'(0) = 1/2" : "", e0);
    } else if (nt + nw == n && r->ctv == CL_FALSE) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_printf(&b, "needs a convention: not refuted at any one-sided choice, but fails "
                     "at ReLU'(0) = 1/2: %s", cev);
        dm = -1;
    } else if (nt + nw == n) {
        v = RJ_VERDICT_NOT_REFUTED;
        cl_sb_printf(&b, "%s (for all %ld one-sided choices at the ReLU ties)",
                     r->ev[first_w] != NULL ? r->ev[first_w] : "", (long) n);
        dm = first_w;
    } else if (nu > 0) {
        v = RJ_VERDICT_UNDECIDED;
        cl_sb_puts(&b, "for the one-sided choice ");
        sb_choice(&b, r, first_u, ctx);
        cl_sb_printf(&b, ": %s", r->ev[first_u] != NULL ? r->ev[first_u] : "");
        dm = first_u;
    } else {
        /* true for some choices, false for others: name the convention */
        int hl = holds(r->tv[0]), hr = holds(r->tv[n - 1]);
        v = RJ_VERDICT_UNDECIDED;
        if (hr && !hl)
            cl_sb_printf(&b, "needs a convention: holds with the right derivative at every "
                         "ReLU tie (ReLU'(0) = 1), fails with the left (ReLU'(0) = 0): %s",
                         e0);
        else if (hl && !hr) {
            cl_sb_printf(&b, "needs a convention: holds with the left derivative at every "
                         "ReLU tie (ReLU'(0) = 0), fails with the right (ReLU'(0) = 1): %s",
                         r->ev[n - 1] != NULL ? r->ev[n - 1] : "");
            dm = n - 1;
        } else if (hl && hr) {
            dm = first_f;
            cl_sb_puts(&b, "needs a convention: holds with ReLU'(0) = 0 and with ReLU'(0) = 1 "
                           "at every tie but fails for the mixed choice ");
            sb_choice(&b, r, first_f, ctx);
            cl_sb_printf(&b, ": %s", r->ev[first_f] != NULL ? r->ev[first_f] : "");
        } else {
            cl_sb_puts(&b, "needs a convention: holds only for mixed one-sided choices, e.g. ");
            sb_choice(&b, r, first_h, ctx);
            cl_sb_printf(&b, "; fails with ReLU'(0) = 0: %s", e0);
        }
        cl_sb_printf(&b, " (holds for %ld of %ld one-sided choices%s)", (long) (nt + nw),
                     (long) n, r->ctv == CL_TRUE ? " and at ReLU'(0) = 1/2"
                               : r->ctv == CL_FALSE ? "; fails at ReLU'(0) = 1/2" : "");
    }
    sb_ties(&b, r, ctx);
    *evidence = rj_str_cut(cl_sb_take(&b), 2 * CL_EV_LEN);
    *data = pick_data(r, dm, ctx);
    return v;
}

int
cl_decide_case(rj_verdict_kind *v, char **ev, char **data, const rj_expr_struct *f,
               rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    cl_cres_t r;
    cl_case_mark outer;
    slong met;
    int st;
    slong conv0 = ctx->conv_ties[0], conv1 = ctx->conv_ties[1], dropped = ctx->dropped_ties;
    char *d = NULL;
    cl_cres_init(r);
    cl_case_begin(ctx, &outer);
    st = cl_decide_formula(r, f, env, ctx, err);
    if (st == RJ_ERR_DOMAIN) {
        *v = RJ_VERDICT_UNDECIDED;
        *ev = cl_domain_evidence(err);
        rj_error_init(err);
        st = RJ_OK;
    } else if (st == RJ_OK)
        *v = cl_reduce(ev, &d, r, ctx);
    if (data != NULL)
        *data = d;
    else
        flint_free(d);
    met = cl_case_end(ctx, &outer);
    if (st == RJ_OK && met > 0 && (*v == RJ_VERDICT_PROVED || *v == RJ_VERDICT_REFUTED)
        && f->kind != RJ_EXPR_FORALL && f->kind != RJ_EXPR_FORALL_RANDOM
        && strstr(*ev, "ReLU tie") == NULL) {
        /* this case met ties that did not matter (a quantifier's cases carry
           their own notes: its evidence quotes one case, which may have met
           none) */
        char *s = cl_printf("%s [%ld ReLU tie%s met; every ReLU'(0) in [0, 1] gives this "
                            "value]", *ev, (long) met, met == 1 ? "" : "s");
        flint_free(*ev);
        *ev = s;
    }
    if (st == RJ_OK)
        cl_note_convention(ev, ctx->conv_ties[0] - conv0, ctx->conv_ties[1] - conv1,
                           ctx->dropped_ties - dropped);
    cl_cres_clear(r);
    return st;
}

/* Decide body with name bound to kv, as one case; *bd (may be NULL) gets the
   case's evidence data with the binding in front, when want (and the
   enclosing claim wants data at all). */
int
cl_decide_case_bound(rj_verdict_kind *v, char **ev, char **bd, const rj_expr_struct *body,
                     const char *name, const rj_val_struct *kv, int want, rj_env_struct *env,
                     cl_ctx *ctx, rj_error_t err)
{
    int outer = ctx->want_data, st;
    char *d = NULL;
    ctx->want_data = outer && want && bd != NULL;
    rj_env_push(env, name, kv);
    st = cl_decide_case(v, ev, bd != NULL ? &d : NULL, body, env, ctx, err);
    rj_env_unbind(env, name);
    if (bd != NULL)
        *bd = cl_data_bind(d, name, kv);
    flint_free(d);
    ctx->want_data = outer;
    return st;
}

/* The data of a case decided without it: decide it once more with data (the
   count of cases unchanged). */
int
cl_case_data_again(char **bd, const rj_expr_struct *body, const char *name,
                   const rj_val_struct *kv, rj_env_struct *env, cl_ctx *ctx, rj_error_t err)
{
    rj_verdict_kind v;
    char *ev = NULL;
    slong saved = ctx->cases;
    int st;
    if (*bd != NULL || !ctx->want_data)
        return RJ_OK;
    st = cl_decide_case_bound(&v, &ev, bd, body, name, kv, 1, env, ctx, err);
    ctx->cases = saved;
    flint_free(ev);
    return st;
}

/* ------------------------------------------------------------ one claim */

int
rj_claims_decide(rj_verdict_kind *verdict, char **evidence, slong *cases,
                 const rj_expr_struct *formula, rj_env_t env, rj_error_t err)
{
    return rj_claims_decide_data(verdict, evidence, NULL, cases, formula, env, err);
}

int
rj_claims_decide_data(rj_verdict_kind *verdict, char **evidence, char **data, slong *cases,
                      const rj_expr_struct *formula, rj_env_t env, rj_error_t err)
{
    cl_ctx *ctx = cl_env_ctx(env);
    rj_error_t e;
    int st;
    slong ncases;
    char *d = NULL;

    *evidence = NULL;
    if (data != NULL)
        *data = NULL;
    if (ctx == NULL)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "rj_claims_decide needs an environment made by rj_claims_env_init");
    rj_error_init(e);
    cl_ctx_new_claim(ctx);
    ctx->prec = RJ_ENCL_PREC;
    ctx->want_data = data != NULL;
    st = cl_decide_case(verdict, evidence, &d, formula, env, ctx, e);
    ctx->want_data = 0;
    ncases = ctx->cases;
    if (st == RJ_OK && *verdict == RJ_VERDICT_REFUTED) {
        /* decide once more from scratch: a refutation must be reproducible */
        rj_verdict_kind v2;
        char *ev2 = NULL;
        st = cl_decide_case(&v2, &ev2, NULL, formula, env, ctx, e);
        if (st == RJ_OK && v2 != RJ_VERDICT_REFUTED)
            st = rj_error_set_loc(e, RJ_ERR_INTERNAL, formula->loc,
                                  "the refutation did not reproduce (second decision: %s); "
                                  "this is a bug in resjac", rj_verdict_name(v2));
        flint_free(ev2);
    }
    if (st != RJ_OK) {
        char buf[RJ_ERROR_MSG_LEN + 300];
        if (e->line == 0)
            cl_locate(e, st, formula->loc);
        rj_error_format(buf, sizeof(buf), e);
        flint_free(*evidence);
        *evidence = rj_strdup(buf);
        *verdict = RJ_VERDICT_ERROR;
        flint_free(d);
        d = NULL;
        if (err != NULL)
            *err = *e;
        st = RJ_OK;
    }
    if (data != NULL && d != NULL)
        *data = cl_printf("{\"%s\": %s}", *verdict == RJ_VERDICT_REFUTED ? "counterexample"
                                                                       : "case", d);
    flint_free(d);
    if (cases != NULL)
        *cases = ncases;
    return st;
}
