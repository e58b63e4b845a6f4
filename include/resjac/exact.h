/* resjac: the exact layer (FLINT).  Jacobians of networks with rational
 * weights at rational inputs, and the expansion of prod(S_l + R_l).
 * Only piecewise-linear activations are accepted (tanh/sigmoid values are
 * irrational: RJ_ERR_DOMAIN with a message saying so).  General blocks
 * (layer sequences, resjac/model.h) are taken when every layer's values stay
 * rational: dense, conv2d, affine, batchnorm with rational sqrt(var + eps),
 * avgpool, maxpool, global_avgpool, flatten, identity/relu/leaky_relu; any
 * other layer (layernorm, a smooth activation, an irrational batchnorm) is
 * RJ_ERR_DOMAIN naming the block and the layer, before any work.
 *
 * Order convention: the network Jacobian is J = J_L ... J_2 J_1 (block 1 acts
 * first, so its factor is rightmost); a path product for a subset T of blocks
 * is P_L ... P_1 with P_l = R_l for l in T and S_l otherwise. */
#ifndef RESJAC_EXACT_H
#define RESJAC_EXACT_H

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_mat.h>

#include "resjac/error.h"
#include "resjac/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RJ_SUBSETS_MAX_L 26       /* subset enumeration limit */
/* Memory limit of the exact layer, in matrix entries held at once (each entry
   is an fmpq of at least 16 bytes, more as numbers grow): checked before work
   starts by rj_exact_parts and the expansions. */
#define RJ_EXACT_MAX_ENTRIES (WORD(1) << 26)
/* Limit on the size of the exact forward values, in bits summed over every
   entry of h_0, ..., h_L (numerators and denominators): the parts keep every
   h_l, and their sizes usually grow linearly with depth, so memory and time
   grow as L^2.  rj_exact_parts and rj_exact_forward project the total from
   the growth over the first blocks (at blocks 64, 128, 256, ...) and stop
   with RJ_ERR_LIMIT as soon as the projection or the running total is over
   the limit (256 MiB of numbers; about a minute of work). */
#define RJ_EXACT_MAX_BITS (WORD(1) << 31)

/* The derivative convention at ties: the derivative of a kink at 0 is taken
   from the right (1 for relu/leaky) with RJ_TIE_RIGHT, from the left (0 for
   relu, a for leaky) with RJ_TIE_LEFT.  With RJ_TIE_CHOICE, `choice` bit i gives
   the side of tie number i (1: right) in the order of rj_ties_t
   (resjac/model.h).
   The choice changes only derivatives, never forward values, so the ties met
   are the same under every policy.  RJ_TIE_CHOICE can address the first
   FLINT_BITS ties; meeting more is RJ_ERR_LIMIT.  RJ_TIE_CHOICE_FIRST takes
   the bits for the first FLINT_BITS ties and the right side at every later
   one, for callers that know the later ties cannot change what they compute
   (rj_exact_ties_inert marks them): the claim checker enumerates the ties
   that can, and those must lie among the first FLINT_BITS.
   A maxpool window with k >= 2 maxima m_0, ..., m_{k-1} (window order) is
   k - 1 ties of its output, stages 0 .. k - 2 (rj_tie_struct.stage): the
   Jacobian row selects m_s for the first stage s on the left side, and
   m_{k-1} when every stage is on the right ("stick breaking": the row is
   multilinear in the stages' derivatives b_s in [0, 1] and their cube maps
   onto the whole simplex of the k selections, the Clarke set;
   proofs/ties.md section 9).  So RJ_TIE_LEFT takes the first maximum
   (PyTorch's choice), RJ_TIE_RIGHT the last, and RJ_TIE_CHOICE enumerates
   every vertex, two maxima being one tie as before. */
typedef enum {
    RJ_TIE_LEFT = 0,
    RJ_TIE_RIGHT = 1,
    RJ_TIE_CHOICE = 2,
    RJ_TIE_CHOICE_FIRST = 3
} rj_tie_mode;

/* A derivative convention at ties: mode, and for RJ_TIE_CHOICE the bits of
   choice (ignored by the other modes). */
typedef struct {
    rj_tie_mode mode;
    ulong choice;
} rj_tie_policy;

/* Per-block forward values and Jacobian parts at a point. */
typedef struct {
    slong len;
    fmpq_mat_struct *h;   /* h[0] = x, h[l] = output of block l (len + 1 vectors) */
    fmpq_mat_struct *S;   /* skip parts S_l (0-based l = block index) */
    fmpq_mat_struct *R;   /* branch parts R_l */
} rj_exact_parts_struct;
typedef rj_exact_parts_struct rj_exact_parts_t[1];

/* init: empty parts (len 0, nothing allocated).  clear: frees every matrix
   and leaves p empty, ready to be filled again. */
void rj_exact_parts_init(rj_exact_parts_t p);
void rj_exact_parts_clear(rj_exact_parts_t p);

/* The exact forward pass at one point, kept for the Jacobian parts: every
   forward value, each activation's derivative at its argument (the right
   side, 1, at a kink) and the ties met.  No tie policy enters it: the policy
   changes only derivatives at ties, so the parts under any policy are built
   from one record (rj_exact_parts_set_record, rj_exact_parts_rechoose)
   without running the forward pass again.  Per block l (0-based) the
   derivative columns are 0x0 where the block has no such activation. */
typedef struct {
    const rj_net_struct *net;  /* the network of rj_exact_record (not owned, not
                                  copied: it must outlive the record, unchanged) */
    slong len;                 /* blocks */
    fmpq_mat_struct *h;        /* h[0] = x, h[l] = output of block l (len + 1) */
    fmpq_mat_struct *dpre;     /* sigma'(h[l]) of a PRE placement, n_in x 1 */
    fmpq_mat_struct *dmid;     /* act'(W1 v + b1) of a two-layer branch, n_hidden x 1 */
    fmpq_mat_struct *dpost;    /* sigma'(S u + F(u)) of a POST placement, n_out x 1 */
    fmpq_mat_struct **dlay;    /* general blocks: per branch layer i, dlay[l][i] is
                                  the layer's record: an activation's derivative
                                  column (right side at a kink); maxpool: n_out x 3,
                                  per output the flat input index of the first and
                                  last maximum of its window and their count; 0x0
                                  for affine layers.  NULL for shorthand blocks. */
    slong *tie_start;          /* block l's ties are ties[tie_start[l] .. tie_start[l+1]) */
    rj_ties_t ties;            /* every tie met, in the order of rj_ties_t */
} rj_exact_record_struct;
typedef rj_exact_record_struct rj_exact_record_t[1];

/* init: an empty record (no network, nothing allocated).  clear: frees the
   record's matrices and ties (never the network it refers to) and leaves it
   empty, ready to be filled again. */
void rj_exact_record_init(rj_exact_record_t rec);
void rj_exact_record_clear(rj_exact_record_t rec);

/* The forward pass at x (an n_in x 1 column) recorded in rec, which refers to
   net from then on (see the struct).  Checks before any work as rj_exact_parts
   does (the memory check counts the record and one set of parts), and
   RJ_EXACT_MAX_BITS during the pass.  Previous contents of rec are replaced;
   on failure rec may hold a partial pass and must still be cleared. */
int rj_exact_record(rj_exact_record_t rec, const rj_net_t net, const fmpq_mat_t x,
                    rj_error_t err);

/* parts (h, S_l, R_l) of the recorded point under the tie policy, without
   running the forward pass again: equal to rj_exact_parts at rec's net and
   point with pol.  Previous contents of parts are replaced.  Errors: an
   unknown tie mode or an empty record (RJ_ERR_INPUT); RJ_TIE_CHOICE with more
   than FLINT_BITS ties (RJ_ERR_LIMIT); parts are then unchanged. */
int rj_exact_parts_set_record(rj_exact_parts_t parts, const rj_exact_record_t rec,
                              rj_tie_policy pol, rj_error_t err);

/* The same when parts already hold rec's parts under some policy (set by
   rj_exact_parts_set_record or this function with the same rec): only the
   blocks that meet a tie are rebuilt, the others are the same under every
   policy.  The loop over the 2^t one-sided choices at t ties is one
   rj_exact_record, one rj_exact_parts_set_record and 2^t calls of this.
   Errors as rj_exact_parts_set_record, and RJ_ERR_INPUT when parts hold no
   point of rec's length. */
int rj_exact_parts_rechoose(rj_exact_parts_t parts, const rj_exact_record_t rec,
                            rj_tie_policy pol, rj_error_t err);

/* Ties whose choice cannot change the network Jacobian dy/dx: inert[i] = 1
   for tie i of rec when the row of its activation's argument in the
   Jacobian so far (d argument / dx) is zero under every choice at the other
   ties (a maxpool tie: both candidate rows), tested on the chain product of
   absolute values (proofs/ties.md section 8); else 0.  Sound: a tie marked
   inert never changes the Jacobian (it may still change S_l, R_l, G_k: only
   the Jacobian and its equals may skip it).  inert has rec's tie count of
   entries.  Cost: one chain product of n_in columns up to the last tie. */
int rj_exact_ties_inert(int *inert, const rj_exact_record_t rec, rj_error_t err);

/* Forward pass and S_l, R_l for every block at x under the tie policy; every
   tie met is appended to ties (which may be NULL).  x is an n_in x 1 column.
   It is rj_exact_record followed by rj_exact_parts_set_record.  net must be
   valid (resjac/model.h: its shapes are not checked again).  Before any work:
   the point (rj_net_check_point), the activations (tanh/sigmoid:
   RJ_ERR_DOMAIN) and RJ_EXACT_MAX_ENTRIES; during the pass,
   RJ_EXACT_MAX_BITS.  Any previous contents of parts are replaced; on failure
   parts may hold a partial result and must still be cleared. */
int rj_exact_parts(rj_exact_parts_t parts, rj_ties_t ties, const rj_net_t net,
                   const fmpq_mat_t x, rj_tie_policy pol, rj_error_t err);

/* Network output at x; y is reshaped to n_out x 1 if needed.  The checks of
   rj_exact_parts, the memory counted for the forward values only. */
int rj_exact_forward(fmpq_mat_t y, const rj_net_t net, const fmpq_mat_t x,
                     rj_error_t err);

/* The Jacobian dy/dx at x (n_out x n_in, J reshaped if needed) under the tie
   policy; ties as above.  It is rj_exact_parts followed by rj_expand_direct. */
int rj_exact_jacobian(fmpq_mat_t J, rj_ties_t ties, const rj_net_t net,
                      const fmpq_mat_t x, rj_tie_policy pol, rj_error_t err);

/* Three independent expansions of prod(S_l + R_l) = J_L ... J_1:
   direct: the ordered product of the sums;
   subsets: the sum over all 2^L subsets of path products (prefix-sharing);
   graded: G_0..G_L, G_k = sum over |T| = k of path products, by dynamic
   programming; G must have L + 1 initialised matrices of the right shape
   (rj_expand_graded reshapes them).
   P is reshaped to n_out x n_in if needed; outputs must not alias the parts.
   With L = 0 blocks each gives the identity (G_0 = I).
   rj_expand_subsets checks L <= RJ_SUBSETS_MAX_L before any work (2^(L+1) - 2
   matrix products); rj_expand_graded does L (L + 1) matrix products.

   Each comes in three variants that tests hold against each other:
   _rational multiplies fmpq matrices (fmpq_mat_mul: every product reduced);
   _cleared takes any rational parts: S_l and R_l are scaled by the lcm d_l of
   their denominators, products are fmpz_mat_mul of integer matrices, and the
   result is divided by d_1 ... d_L (and reduced) once at the end;
   _dyadic is the fast path for dyadic parts (every float64/float32 weight is
   one): each S_l, R_l becomes an integer matrix over its own power of two,
   exponents add under products, each partial result keeps the least
   exponent it needs, and nothing is reduced by gcd.  The _dyadic variants do
   not handle other parts: they return RJ_ERR_DOMAIN (see
   rj_exact_parts_is_dyadic).  The undecorated functions use _dyadic for
   dyadic parts, else _cleared. */
int rj_expand_direct(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_subsets(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_graded(fmpq_mat_struct *G, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_direct_rational(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_direct_dyadic(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_subsets_rational(fmpq_mat_t P, const rj_exact_parts_t parts,
                               rj_error_t err);
int rj_expand_subsets_dyadic(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_graded_rational(fmpq_mat_struct *G, const rj_exact_parts_t parts,
                              rj_error_t err);
int rj_expand_graded_dyadic(fmpq_mat_struct *G, const rj_exact_parts_t parts,
                             rj_error_t err);
int rj_expand_direct_cleared(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_subsets_cleared(fmpq_mat_t P, const rj_exact_parts_t parts, rj_error_t err);
int rj_expand_graded_cleared(fmpq_mat_struct *G, const rj_exact_parts_t parts,
                             rj_error_t err);
/* 1 if every entry of every S_l and R_l is a dyadic rational p/2^k. */
int rj_exact_parts_is_dyadic(const rj_exact_parts_t parts);
/* Commuting case (every R_l = R, S_l = I): G_k = C(L, k) R^k, by L products
   of powers of R (an independent check of the graded expansion).  R must be
   square; G must have L + 1 initialised matrices (reshaped to n x n). */
int rj_expand_graded_commuting(fmpq_mat_struct *G, const fmpq_mat_t R, slong L,
                               rj_error_t err);

#ifdef __cplusplus
}
#endif

#endif
