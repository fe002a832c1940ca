#ifndef SPARSE_IHT_VECTOR_LOOPS_H
#define SPARSE_IHT_VECTOR_LOOPS_H

#include <stdint.h>

/// Contiguous float loops of the host support products, compiled twice (the x86-64 baseline
/// and AVX2) and chosen once at start-up by the processor's features. Both versions run the
/// same lane operations in the same order (no fused multiply-add, fixed accumulation order),
/// so they return the same bits; AVX2 only does eight lanes per instruction instead of four.
/// Lengths `n` count floats (or bytes for gates); pointers need no alignment.

/// `sum_i a_i b_i` in a fixed order: two 8-lane accumulators over blocks of 16, added, the
/// lanes folded in order, then the tail.
float vl_dot(const float *a, const float *b, long n);

/// `out = (vl_dot(r0, b, n), vl_dot(r1, b, n), vl_dot(r2, b, n), vl_dot(r3, b, n))`, reading
/// `b` once.
void vl_dot4(const float *r0, const float *r1, const float *r2, const float *r3, const float *b, long n,
             float out[4]);

/// `y += alpha * x`.
void vl_axpy(float alpha, const float *x, float *y, long n);

/// `y = alpha * x`.
void vl_scale(float alpha, const float *x, float *y, long n);

/// `y += g .* u` for gates `g` (bytes 0 or 1).
void vl_gated_add(const uint8_t *g, const float *u, float *y, long n);

/// `y += g .* u` with `u = sum_t values[t] * x[columns[t] * ld : +n]` (`count` >= 1 terms,
/// summed in order per element): one neuron's gated output over a block of rows, without
/// storing `u`. Per element the same operations as `vl_scale`, `vl_axpy` and `vl_gated_add`.
/// `ahead` > 0 (floats) prefetches the terms' rows and the gates that far on (the caller's
/// next block of rows; prefetching past the data is harmless); 0 prefetches nothing.
void vl_gated_combination(const uint8_t *g, const float *values, const float *x, const long *columns, long count,
                          long ld, float *y, long n, long ahead);

/// `out = 1[u > 0]` (bytes 0 or 1) with `u` as in `vl_gated_combination`, summed in the same
/// order: the gates of a neuron whose generator has the terms' entries (per element the
/// same sign as `vl_axpy` from zero, term by term). `ahead` as there.
void vl_positive_combination(const float *values, const float *x, const long *columns, long count, long ld,
                             uint8_t *out, long n, long ahead);

/// One block of rows of the gated design restricted to a support: `a` neurons, neuron `q`
/// with the terms `start[q] ..< start[q + 1]` (input rows `x + columns[t] * xld`, already
/// offset to the block's first row) and gates `g + q * gld` (bytes 0 or 1, offset likewise).
/// The rows are taken `sub` at a time (a multiple of 16, or `len`): each sub-block's columns
/// are read once from memory and, while rows remain (in the block or the `after` rows of
/// data that follow it), the next sub-block's are prefetched; the results do not depend on
/// `sub` or `after`.
/// `vl_support_forward`: `y[0..<len] = sum_q g_q .* u_q` with `u_q` the neuron's combination
/// of `values` (per element as `vl_gated_combination`, neurons in order).
void vl_support_forward(const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start,
                        long a, const float *values, float *y, long len, long sub, long after);

/// `dots[t] = vl_dot(g_q .* r, x_t)` over the block for every term `t` of every neuron `q`
/// (shapes as in `vl_support_forward`; `r`: `len` floats; `lanes`: scratch of 16 floats per
/// term).
void vl_support_gradient(const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start,
                         long a, const float *r, long len, long sub, float *lanes, float *dots);

/// Both on one block: `y = vl_support_forward(values)`, less `target` (`len` floats, row by
/// row `y[i] - target[i]`) when it is not NULL, `*square = vl_dot(y, y)`, then
/// `vl_support_gradient(y)` into `dots`, reading each sub-block of rows once from memory.
void vl_support_normal(const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start,
                       long a, const float *values, const float *target, float *y, long len, long sub, long after,
                       float *lanes, float *square, float *dots);

/// `out (n x a) = x (n x d, row-major) . W^T` for the sparse rows `W` of `a` neurons (row `j`:
/// entries `offsets[j] ..< offsets[j + 1]` of `columns` and `values`), each sum over its
/// entries in order from zero; then `1[z > 0]` with `threshold`, else `gate .* z` when `gate`
/// (`n x a`) is given, else `z`. The caller checks the shapes and columns.
void vl_sparse_rows(const float *x, long n, long d, const int32_t *offsets, const int32_t *columns, const float *values,
                    long a, const float *gate, int threshold, float *out);

/// `y = g .* r` for gates `g` (bytes 0 or 1).
void vl_gated(const uint8_t *g, const float *r, float *y, long n);

/// The instruction set the loops use: 1 for AVX2, 0 for the baseline.
int vl_level(void);

/// Forces the baseline loops (`avx2` 0) or, where the processor has it, AVX2 (`avx2` 1);
/// returns the level now in use. For tests that compare the two.
int vl_set_level(int avx2);

#endif
