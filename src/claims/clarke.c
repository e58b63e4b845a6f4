/* resjac claims: the Clarke box.
 *
 * The one-sided choices are only the vertices of the Clarke box [0, 1]^k of
 * tie derivatives.  A claim true (false) at every vertex is PROVED (REFUTED)
 * only when the way its two sides depend on the choices carries the vertex
 * results to the whole box (box_true, box_false; proofs/ties.md): == between
 * multilinear values, an order comparison whose difference is coordinate-wise
 * convex (maximum at a vertex) or concave (minimum at a vertex), and and / or
 * / not of such.  Otherwise the verdict is UNDECIDED, and the value at
 * ReLU'(0) = 1/2 for every tie (the centre of the box) is tried as an extra
 * sample to name the convention that fails. */
#include <string.h>

#include "claims_impl.h"

/* ------------------------------------------------------------ the Clarke box */

/* Sign of entry (i, j) of a - b - shift (a scalar side stands for every
   entry): +1 or -1 when sure, 0 when exactly 0, 2 when the enclosures cannot
   tell. */
static int
entry_sign(const rj_val_struct *a, const rj_val_struct *b, slong i, slong j,
           const fmpq_t shift, slong p)
{
    int sa = a->kind == RJ_VAL_NUM || rj_claims_val_is_encl(a);
    int sb = b->kind == RJ_VAL_NUM || rj_claims_val_is_encl(b);
    mpfr_t alo, ahi, blo, bhi, s;
    fmpq_t qa, qb;
    int ea, eb, sg;
    mpfr_init2(alo, p);
    mpfr_init2(ahi, p);
    mpfr_init2(blo, p);
    mpfr_init2(bhi, p);
    mpfr_init2(s, p);
    fmpq_init(qa);
    fmpq_init(qb);
    ea = cl_val_entry_itv(alo, ahi, qa, a, sa ? 0 : i, sa ? 0 : j);
    eb = cl_val_entry_itv(blo, bhi, qb, b, sb ? 0 : i, sb ? 0 : j);
    if (ea && eb) {
        fmpq_sub(qa, qa, qb);
        fmpq_sub(qa, qa, shift);
        sg = fmpq_sgn(qa);
    } else {
        /* [alo - bhi - shift, ahi - blo - shift], rounded outward */
        mpfr_sub(alo, alo, bhi, MPFR_RNDD);
        fmpq_get_mpfr(s, shift, MPFR_RNDU);
        mpfr_sub(alo, alo, s, MPFR_RNDD);
        mpfr_sub(ahi, ahi, blo, MPFR_RNDU);
        fmpq_get_mpfr(s, shift, MPFR_RNDD);
        mpfr_sub(ahi, ahi, s, MPFR_RNDU);
        sg = mpfr_sgn(alo) > 0 ? 1 : mpfr_sgn(ahi) < 0 ? -1 : 2;
    }
    mpfr_clear(alo);
    mpfr_clear(ahi);
    mpfr_clear(blo);
    mpfr_clear(bhi);
    mpfr_clear(s);
    fmpq_clear(qa);
    fmpq_clear(qb);
    return sg;
}

#define SG_NEG 1
#define SG_ZERO 2
#define SG_POS 4

/* 1 if one entry of a - b - shift has, at every vertex of the box over U, a
   sign in the set `want` (SG_* bits). */
static int
entry_sign_at_all_vertices(const cl_cval_t a, const cl_cval_t b, const slong *U, slong nU,
                           const fmpq_t shift, int want, slong p)
{
    const rj_val_struct *a0 = cl_cval_item(a, 0, U, nU), *b0 = cl_cval_item(b, 0, U, nU);
    const rj_val_struct *m0 = cl_val_rows(a0) * cl_val_cols(a0) > 1 ? a0 : b0;
    slong r = cl_val_rows(m0), c = cl_val_cols(m0), i, j, m, n = WORD(1) << nU;
    for (m = 0; m < n; m++) {
        const rj_val_struct *am = cl_cval_item(a, m, U, nU), *bm = cl_cval_item(b, m, U, nU);
        if (!cl_is_matlike(am) || !cl_is_matlike(bm))
            return 0;
        if ((cl_val_rows(am) * cl_val_cols(am) > 1
             && (cl_val_rows(am) != r || cl_val_cols(am) != c))
            || (cl_val_rows(bm) * cl_val_cols(bm) > 1
                && (cl_val_rows(bm) != r || cl_val_cols(bm) != c)))
            return 0;
    }
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++) {
            int ok = 1;
            for (m = 0; m < n && ok; m++) {
                int sg = entry_sign(cl_cval_item(a, m, U, nU), cl_cval_item(b, m, U, nU), i,
                                    j, shift, p);
                ok = (sg == -1 && (want & SG_NEG)) || (sg == 0 && (want & SG_ZERO))
                     || (sg == 1 && (want & SG_POS));
            }
            if (ok)
                return 1;
        }
    return 0;
}

/* The dependence of a - b on the choices. */
static int
diff_dep(const cl_cval_t a, const cl_cval_t b)
{
    return cl_dep_add(a->nkeys > 0 ? a->dep : CL_DEP_LIN,
                      cl_dep_neg(b->nkeys > 0 ? b->dep : CL_DEP_LIN));
}

static int
shapes_differ(const cl_cval_t a, const cl_cval_t b, const slong *U, slong nU)
{
    const rj_val_struct *a0 = cl_cval_item(a, 0, U, nU), *b0 = cl_cval_item(b, 0, U, nU);
    return a0->kind != RJ_VAL_NUM && !rj_claims_val_is_encl(a0) && b0->kind != RJ_VAL_NUM
           && !rj_claims_val_is_encl(b0)
           && (cl_val_rows(a0) != cl_val_rows(b0) || cl_val_cols(a0) != cl_val_cols(b0));
}

/* Given that `a op b` holds at every vertex of the box over U: does it hold on
   the whole box?  (proofs/ties.md, section 4)  a - b multilinear: each entry
   takes its extremes at vertices, so == and the order comparisons carry over;
   a - b convex in each c_i: its maximum is at a vertex (<=, <); concave: its
   minimum (>=, >); != needs one entry whose sign is the same nonzero one at
   every vertex (then it never vanishes on the box). */
int
cl_proved_on_box(int op, const cl_cval_t a, const cl_cval_t b, const slong *U, slong nU,
              slong p)
{
    int d = diff_dep(a, b);
    fmpq_t zero;
    int ok;
    switch (op) {
    case RJ_CMP_EQ: return d == CL_DEP_LIN;
    case RJ_CMP_LE:
    case RJ_CMP_LT: return d == CL_DEP_LIN || d == CL_DEP_CVX;
    case RJ_CMP_GE:
    case RJ_CMP_GT: return d == CL_DEP_LIN || d == CL_DEP_CCV;
    case RJ_CMP_NE:
        if (d != CL_DEP_LIN)
            return 0;
        if (shapes_differ(a, b, U, nU))
            return 1;
        fmpq_init(zero);
        ok = entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS, p)
             || entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG, p);
        fmpq_clear(zero);
        return ok;
    default: return 0;     /* ~= is never proved */
    }
}

/* Given that `a op b` fails at every vertex: does it fail on the whole box?
   One entry must fail at every vertex in a way that reaches the whole box: for
   == an entry of the multilinear a - b with one strict sign at every vertex;
   for <= an entry of a - b, concave in each c_i (minimum at a vertex), that is
   > 0 at every vertex; and so on.  != fails at every vertex when the sides are
   equal there, which for multilinear sides means everywhere. */
int
cl_refuted_on_box(int op, const cl_cval_t a, const cl_cval_t b, const fmpq_t tol,
               const slong *U, slong nU, slong p)
{
    int d = diff_dep(a, b), ok = 0;
    int cvx = d == CL_DEP_LIN || d == CL_DEP_CVX, ccv = d == CL_DEP_LIN || d == CL_DEP_CCV;
    fmpq_t zero, t;
    fmpq_init(zero);
    fmpq_init(t);
    switch (op) {
    case RJ_CMP_EQ:
        ok = d == CL_DEP_LIN
             && (shapes_differ(a, b, U, nU)
                 || entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS, p)
                 || entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG, p));
        break;
    case RJ_CMP_NE: ok = d == CL_DEP_LIN; break;
    case RJ_CMP_LE: ok = ccv && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS, p); break;
    case RJ_CMP_LT:
        ok = ccv && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_POS | SG_ZERO, p);
        break;
    case RJ_CMP_GE: ok = cvx && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG, p); break;
    case RJ_CMP_GT:
        ok = cvx && entry_sign_at_all_vertices(a, b, U, nU, zero, SG_NEG | SG_ZERO, p);
        break;
    default:
        /* ~=: |a - b| > tol at one entry: a - b - tol > 0 or a - b + tol < 0 */
        if (d == CL_DEP_LIN) {
            fmpq_neg(t, tol);
            ok = entry_sign_at_all_vertices(a, b, U, nU, tol, SG_POS, p)
                 || entry_sign_at_all_vertices(a, b, U, nU, t, SG_NEG, p);
        }
        break;
    }
    fmpq_clear(zero);
    fmpq_clear(t);
    return ok;
}

