/* resjac: the path census of a residual network of depth L.
 * A path chooses, in every block, the skip part or the branch part; its length
 * is the number of branch parts taken.  There are 2^L paths, C(L,k) of length k,
 * with generating polynomial (1 + x)^L.  All counts are exact (fmpz). */
#ifndef RESJAC_PATHS_H
#define RESJAC_PATHS_H

#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#include <flint/fmpz_poly.h>

#include "resjac/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RJ_PATHS_MAX_L 10000000   /* census depth limit */
#define RJ_PATHS_LIST_MAX_L 20    /* listing every path */
/* Limit on the work of a range count: terms times L bits (a few seconds). */
#define RJ_PATHS_RANGE_MAX_WORK (WORD(1) << 36)

/* 2^L. */
void rj_paths_total(fmpz_t res, ulong L);
/* C(L, k) (0 when k > L). */
void rj_paths_count(fmpz_t res, ulong L, ulong k);
/* counts[k] = C(L, k) for k = 0..L (counts has L + 1 entries), by the
   multiplicative recurrence C(L,k+1) = C(L,k)(L-k)/(k+1). */
void rj_paths_counts(fmpz *counts, ulong L);
/* Same by Pascal's rule (O(L^2) additions): an independent computation. */
void rj_paths_counts_pascal(fmpz *counts, ulong L);
/* (1 + x)^L. */
void rj_paths_poly(fmpz_poly_t res, ulong L);
/* Number of paths with length in [a, b] (clamped to [0, L]) and that number
   as a fraction of 2^L, reduced.  It adds rj_paths_range_terms(L, a, b)
   binomials of up to L bits (the range, or 2^L minus its complement when
   that is shorter). */
void rj_paths_range(fmpz_t count, fmpq_t frac, ulong L, ulong a, ulong b);
/* The number of binomials rj_paths_range(., ., L, a, b) adds: its cost is
   about this many times L bits (RJ_PATHS_RANGE_MAX_WORK). */
ulong rj_paths_range_terms(ulong L, ulong a, ulong b);
/* The label of path number `mask` (bit l-1 set: branch J_l taken) in the
   lesson's notation, blocks 1..L left to right: "I I I", "J₁ I I", ...
   buf needs room for 8*L bytes (subscripts are UTF-8, three bytes a digit);
   text that does not fit in len bytes is cut at a whole symbol, and the
   result is always NUL-terminated.  Blocks beyond FLINT_BITS print as I. */
void rj_paths_label(char *buf, slong len, ulong L, ulong mask);
/* The listing order of all 2^L paths (1 <= L <= FLINT_BITS): by length, and
   within one length lexicographically in the sorted list of branches taken,
   as the lesson lists them (I I I, J₁ I I, I J₂ I, I I J₃, J₁ J₂ I, J₁ I J₃,
   ...).  Start with *mask = 0; each call moves *mask to the next path and
   returns 1, or returns 0 (mask unchanged) after the last path J₁ ... J_L. */
int rj_paths_list_next(ulong *mask, ulong L);

#ifdef __cplusplus
}
#endif

#endif
