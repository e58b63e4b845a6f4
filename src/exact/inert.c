/* resjac: ties that cannot change the Jacobian (proofs/ties.md section 8).
 *
 * The network Jacobian is J = A D B around the activation of a tie: B is the
 * Jacobian of that activation's argument with respect to the input x (the
 * "Jacobian so far"), D the activation's diagonal derivative, A the rest.  The
 * tie's derivative d_u enters J only through d_u (A e_u)(e_u^T B).  When row u
 * of B is zero for every choice at the other ties, J does not depend on d_u.
 *
 * Row u of B is zero for every choice when it is zero in the bound
 * |B| <= B+, where B+ is the same chain product with every weight and every
 * derivative replaced by its absolute value, and each tie's derivative by a
 * nonzero bound (1; a maxpool tie selects every one of its maxima): a sum of
 * nonnegative terms is zero only when every term is, and each term of B+
 * bounds the absolute value of the matching term of B under any choice.  So
 * the test never drops a tie whose choice changes J; it may keep one whose
 * row of B cancels to zero. */
#include <flint/fmpq_mat.h>

#include "resjac/exact.h"
#include "exact_internal.h"

static void
abs_mat(fmpq_mat_t A)
{
    slong i, j;
    for (i = 0; i < fmpq_mat_nrows(A); i++)
        for (j = 0; j < fmpq_mat_ncols(A); j++)
            fmpq_abs(fmpq_mat_entry(A, i, j), fmpq_mat_entry(A, i, j));
}

/* rows of M scaled by |d| (d a column of M's rows) */
static void
scale_rows_abs(fmpq_mat_t M, const fmpq_mat_t d)
{
    slong i, j;
    fmpq_t a;
    fmpq_init(a);
    for (i = 0; i < fmpq_mat_nrows(M); i++) {
        fmpq_abs(a, fmpq_mat_entry(d, i, 0));
        for (j = 0; j < fmpq_mat_ncols(M); j++)
            fmpq_mul(fmpq_mat_entry(M, i, j), fmpq_mat_entry(M, i, j), a);
    }
    fmpq_clear(a);
}

/* M = |A| M */
static void
mul_abs(fmpq_mat_t M, const fmpq_mat_t A)
{
    fmpq_mat_t B, T;
    fmpq_mat_init_set(B, A);
    abs_mat(B);
    fmpq_mat_init(T, fmpq_mat_nrows(A), fmpq_mat_ncols(M));
    fmpq_mat_mul(T, B, M);
    fmpq_mat_swap(T, M);
    fmpq_mat_clear(T);
    fmpq_mat_clear(B);
}

static int
row_is_zero(const fmpq_mat_t M, slong r)
{
    slong j;
    for (j = 0; j < fmpq_mat_ncols(M); j++)
        if (!fmpq_is_zero(fmpq_mat_entry(M, r, j)))
            return 0;
    return 1;
}

/* Mark the ties of rec[i0 .. i1) that sit on (block l, where, layer) and
   whose argument row of M is zero. */
static void
mark(int *inert, const rj_exact_record_t rec, slong l, int where, slong layer,
     const fmpq_mat_t M, const fmpq_mat_t d)
{
    slong i;
    for (i = rec->tie_start[l]; i < rec->tie_start[l + 1]; i++) {
        const rj_tie_struct *t = rec->ties->ties + i;
        if (t->where != where || t->layer != layer)
            continue;
        if (d == NULL)
            inert[i] = row_is_zero(M, t->unit);
        else {       /* maxpool: every maximum's row (each stage alike) */
            slong j, k = _rj_exact_maxpool_count(d, t->unit);
            inert[i] = 1;
            for (j = 0; j < k && inert[i]; j++)
                inert[i] = row_is_zero(M, fmpz_get_si(fmpq_numref(fmpq_mat_entry(d, t->unit,
                                                                                 3 + j))));
        }
    }
}

/* M = |J_L| M for layer L of a general block, its record d: the layer with
   absolute weights; a maxpool selects every maximum of a tied window (the
   sum of its k selections bounds each point of their convex hull). */
static void
layer_abs(fmpq_mat_t M, const rj_layer_struct *L, const fmpq_mat_t d)
{
    rj_layer_struct A;
    fmpq_mat_t T, U, e;
    rj_layer_init(&A, L->kind);
    rj_layer_set(&A, L);
    abs_mat(A.W);
    abs_mat(A.scale);
    fmpq_mat_init(T, 0, 0);
    fmpq_mat_init_set(e, d);
    if (L->kind == RJ_LAYER_ACT)
        abs_mat(e);
    _rj_exact_layer_apply(T, &A, e, M);
    if (L->kind == RJ_LAYER_MAXPOOL) {       /* + the rows of the other maxima */
        slong r, j, more = 1;
        fmpq_mat_init(U, 0, 0);
        for (j = 1; more; j++) {
            more = 0;
            for (r = 0; r < fmpq_mat_nrows(e); r++) {
                if (_rj_exact_maxpool_count(e, r) > j) {
                    _rj_exact_maxpool_select(e, r, j);
                    more = 1;
                } else
                    fmpq_set_si(fmpq_mat_entry(e, r, 0), -1, 1);    /* a zero row */
            }
            if (more) {
                _rj_exact_layer_apply(U, &A, e, M);
                fmpq_mat_add(T, T, U);
            }
        }
        fmpq_mat_clear(U);
    }
    fmpq_mat_swap(T, M);
    fmpq_mat_clear(T);
    fmpq_mat_clear(e);
    rj_layer_clear(&A);
}

/* M = |J| M for the layers of s (records d, or NULL: affine layers). */
static void
seq_abs(fmpq_mat_t M, const rj_seq_struct *s, const fmpq_mat_struct *d, int *inert,
        const rj_exact_record_t rec, slong l)
{
    slong i;
    fmpq_mat_t none;
    fmpq_mat_init(none, 0, 0);
    for (i = 0; i < s->len; i++) {
        const rj_layer_struct *L = s->layers + i;
        if (inert != NULL && L->kind == RJ_LAYER_ACT)
            mark(inert, rec, l, 0, i, M, NULL);
        if (inert != NULL && L->kind == RJ_LAYER_MAXPOOL)
            mark(inert, rec, l, 0, i, M, d + i);
        layer_abs(M, L, d == NULL ? none : d + i);
    }
    fmpq_mat_clear(none);
}

int
rj_exact_ties_inert(int *inert, const rj_exact_record_t rec, rj_error_t err)
{
    slong l, i;
    fmpq_mat_t M, F, Sx;
    if (rec->h == NULL)
        return rj_error_set(err, RJ_ERR_INPUT,
                            "the record holds no point (compute it with rj_exact_record)");
    for (i = 0; i < rec->ties->len; i++)
        inert[i] = 0;
    if (rec->ties->len == 0)
        return RJ_OK;
    fmpq_mat_init(M, fmpq_mat_nrows(rec->h + 0), fmpq_mat_nrows(rec->h + 0));
    fmpq_mat_one(M);
    fmpq_mat_init(F, 0, 0);
    fmpq_mat_init(Sx, 0, 0);
    /* blocks after the last tie cannot hold one: stop there */
    for (l = 0; l < rec->len && rec->tie_start[l] < rec->ties->len; l++) {
        const rj_block_struct *b = rec->net->blocks + l;
        fmpq_mat_clear(F);
        fmpq_mat_init_set(F, M);
        if (b->place == RJ_PLACE_PRE) {
            mark(inert, rec, l, 1, -1, F, NULL);
            scale_rows_abs(F, rec->dpre + l);
        }
        if (b->general)
            seq_abs(F, b->branch, rec->dlay[l], inert, rec, l);
        else {
            mul_abs(F, b->W1);
            if (b->two_layer) {
                mark(inert, rec, l, 0, 1, F, NULL);
                scale_rows_abs(F, rec->dmid + l);
                mul_abs(F, b->W2);
            }
        }
        fmpq_mat_clear(Sx);
        fmpq_mat_init_set(Sx, M);
        switch (b->skip) {
        case RJ_SKIP_IDENTITY: break;
        case RJ_SKIP_SCALED:
            if (fmpq_is_zero(b->alpha))
                fmpq_mat_zero(Sx);
            break;
        case RJ_SKIP_PROJECT:
            if (b->general)
                seq_abs(Sx, b->proj, NULL, NULL, rec, l);
            else
                mul_abs(Sx, b->Ws);
            break;
        default:
            fmpq_mat_clear(Sx);
            fmpq_mat_init(Sx, fmpq_mat_nrows(F), fmpq_mat_ncols(F));
            break;
        }
        fmpq_mat_clear(M);
        fmpq_mat_init(M, fmpq_mat_nrows(F), fmpq_mat_ncols(F));
        fmpq_mat_add(M, Sx, F);
        if (b->place == RJ_PLACE_POST) {
            mark(inert, rec, l, 1, -1, M, NULL);
            scale_rows_abs(M, rec->dpost + l);
        }
    }
    fmpq_mat_clear(M);
    fmpq_mat_clear(F);
    fmpq_mat_clear(Sx);
    return RJ_OK;
}
