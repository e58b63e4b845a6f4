/* resjac fast core: the index-reading product kernel of the compacted graded
 * pass, included by kernels_impl.h once per vector ISA and float type with
 *   IDX_VB      vector bytes (64 AVX-512, 32 AVX2, 16 SSE2)
 *   IDX_MR      rows per tile, IDX_NV vectors per tile (1..4): IDX_MR x IDX_NV
 *               accumulators, sized to the ISA's vector registers
 *   IDX_ISA     name suffix; IDX_TARGET the function's target attribute
 * and T, FN as in kernels_impl.h; the IDX_ parameters are undefined at the
 * end. */
#if IDX_NV < 1 || IDX_NV > 4
#error "IDX_NV must be 1 to 4 (idx_kernel has a case per vector count)"
#endif
#define IDXN(name) CAT(FN(name), IDX_ISA)
typedef T IDXN(fvec) __attribute__((vector_size(IDX_VB)));
#define VEC IDXN(fvec)
#define LANES ((slong) (IDX_VB / sizeof(T)))
#ifndef FAST_KC
#define FAST_KC 128
#endif


/* Rows r < m of a product, K columns:
       C_r[k] = sum_{c < nc} A_r[coff[c]] Bm[c ldb + k],   A_r = Abase + roff[r].
   Bm is 64-byte aligned with ldb a multiple of LANES, and readable (finite or
   not: those lanes are discarded) up to K rounded up to LANES.  rout == NULL:
   row r is stored whole (K rounded up) at C + r ldc, C aligned like Bm;
   else its K entries are added to C + rout[r] (any alignment).  The sum over
   c runs in panels of at most FAST_KC rows and IDX_NV LANES columns of Bm
   (IDX_MR x IDX_NV accumulators), which stay in the first-level cache
   while every tile of IDX_MR rows passes over them; partial sums are added
   to C.  Nothing is done when m, K or nc is 0 (callers skip those rows). */

/* One tile: rows r0 .. r0 + nr - 1 (nr <= IDX_MR), nv (constant after
   inlining) vectors of columns from k0, terms c0 <= c < c1. */
static inline __attribute__((always_inline)) void
IDXN(idx_tile)(const int nv, const T *const *a, slong nr, slong r0, slong k0, slong K,
             slong c0, slong c1, const slong *coff, const T *b, slong ldb, T *C, slong ldc,
             const slong *rout)
{
    VEC acc[IDX_MR * IDX_NV];
    slong c, i, j, q, v;
#pragma GCC unroll 32
    for (q = 0; q < IDX_MR * nv; q++)
        acc[q] = (VEC) {0};
    for (c = c0; c < c1; c++) {
        slong o = coff[c];
        VEC bv[IDX_NV];
#pragma GCC unroll 8
        for (v = 0; v < nv; v++)
            bv[v] = *(const VEC *) (b + c * ldb + v * LANES);
#pragma GCC unroll 16
        for (q = 0; q < IDX_MR; q++) {
            T sq = a[q][o];
#pragma GCC unroll 8
            for (v = 0; v < nv; v++)
                acc[q * nv + v] += bv[v] * sq;
        }
    }
    for (i = 0; i < nr; i++) {
        if (rout == NULL) {
            VEC *o = (VEC *) (C + (r0 + i) * ldc + k0);
            for (v = 0; v < nv; v++)
                o[v] = c0 == 0 ? acc[i * nv + v] : o[v] + acc[i * nv + v];
        } else {
            T *o = C + rout[r0 + i] + k0;
            const T *x = (const T *) (acc + i * nv);
            slong kk = K - k0 < nv * LANES ? K - k0 : nv * LANES;
            j = 0;
            for (; j + LANES <= kk; j += LANES) {
                VEC y;
                memcpy(&y, o + j, sizeof(VEC));
                y += acc[i * nv + j / LANES];
                memcpy(o + j, &y, sizeof(VEC));
            }
            for (; j < kk; j++)
                o[j] = o[j] + x[j];
        }
    }
}

IDX_TARGET static void
IDXN(idx_kernel)(slong m, slong K, slong nc, const T *Abase, const slong *roff,
               const slong *coff, const T *Bm, slong ldb, T *C, slong ldc,
               const slong *rout)
{
    /* np panels of nearly equal length kc <= FAST_KC (no short last one) */
    slong c0, k0, r0, i, np, kc;
    if (nc <= 0 || m <= 0 || K <= 0)
        return;
    np = (nc + FAST_KC - 1) / FAST_KC;
    kc = (nc + np - 1) / np;
    for (c0 = 0; c0 < nc; c0 += kc) {
        slong c1 = nc - c0 < kc ? nc : c0 + kc;
        for (k0 = 0; k0 < K; k0 += IDX_NV * LANES) {
            slong nv = (K - k0 + LANES - 1) / LANES;
            if (nv > IDX_NV)
                nv = IDX_NV;
            for (r0 = 0; r0 < m; r0 += IDX_MR) {
                slong nr = m - r0 < IDX_MR ? m - r0 : IDX_MR;
                const T *a[IDX_MR];
                for (i = 0; i < IDX_MR; i++)
                    a[i] = Abase + roff[r0 + (i < nr ? i : 0)];
                switch (nv) {
                case 1:
                    IDXN(idx_tile)(1, a, nr, r0, k0, K, c0, c1, coff, Bm + k0, ldb, C, ldc, rout);
                    break;
#if IDX_NV >= 2
                case 2:
                    IDXN(idx_tile)(2, a, nr, r0, k0, K, c0, c1, coff, Bm + k0, ldb, C, ldc, rout);
                    break;
#endif
#if IDX_NV >= 3
                case 3:
                    IDXN(idx_tile)(3, a, nr, r0, k0, K, c0, c1, coff, Bm + k0, ldb, C, ldc, rout);
                    break;
#endif
#if IDX_NV >= 4
                default:
                    IDXN(idx_tile)(IDX_NV, a, nr, r0, k0, K, c0, c1, coff, Bm + k0, ldb, C, ldc,
                                 rout);
                    break;
#endif
                }
            }
        }
    }
}

#undef VEC
#undef LANES
#undef IDXN
#undef IDX_VB
#undef IDX_MR
#undef IDX_NV
#undef IDX_ISA
#undef IDX_TARGET
