#include "VectorLoops.h"

// Products and sums stay separate operations: a fused multiply-add would change the bits
// between the two versions (and against the results recorded before them).
#pragma clang fp contract(off)

typedef float v8f __attribute__((vector_size(32)));

// Helpers take and give vectors through memory, not by value (whose calling convention
// differs between the two instruction sets); inlined, the copies vanish.
#define load8(p) ({ v8f v_; __builtin_memcpy(&v_, (p), sizeof v_); v_; })

static inline __attribute__((always_inline)) float fold(const v8f *acc, const float *a, const float *b, long from,
                                                         long n) {
    float s = 0;
    for (int l = 0; l < 8; l++) s += (*acc)[l];
    for (long i = from; i < n; i++) s += a[i] * b[i];
    return s;
}

// Each loop is written once as an always-inline body and instantiated per instruction set:
// inlined into a function compiled for AVX2, the same vector code uses 256-bit registers.
static inline __attribute__((always_inline)) float dot_body(const float *a, const float *b, long n) {
    v8f acc0 = {0}, acc1 = {0};
    long blocks = n / 16;
    for (long k = 0; k < blocks; k++) {
        acc0 += load8(a + 16 * k) * load8(b + 16 * k);
        acc1 += load8(a + 16 * k + 8) * load8(b + 16 * k + 8);
    }
    v8f acc = acc0 + acc1;
    return fold(&acc, a, b, blocks * 16, n);
}

static inline __attribute__((always_inline)) void dot4_body(const float *r0, const float *r1, const float *r2,
                                                             const float *r3, const float *b, long n, float out[4]) {
    v8f a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0}, c0 = {0}, c1 = {0}, d0 = {0}, d1 = {0};
    long blocks = n / 16;
    for (long k = 0; k < blocks; k++) {
        v8f x0 = load8(b + 16 * k), x1 = load8(b + 16 * k + 8);
        a0 += load8(r0 + 16 * k) * x0; a1 += load8(r0 + 16 * k + 8) * x1;
        b0 += load8(r1 + 16 * k) * x0; b1 += load8(r1 + 16 * k + 8) * x1;
        c0 += load8(r2 + 16 * k) * x0; c1 += load8(r2 + 16 * k + 8) * x1;
        d0 += load8(r3 + 16 * k) * x0; d1 += load8(r3 + 16 * k + 8) * x1;
    }
    v8f s0 = a0 + a1, s1 = b0 + b1, s2 = c0 + c1, s3 = d0 + d1;
    out[0] = fold(&s0, r0, b, blocks * 16, n);
    out[1] = fold(&s1, r1, b, blocks * 16, n);
    out[2] = fold(&s2, r2, b, blocks * 16, n);
    out[3] = fold(&s3, r3, b, blocks * 16, n);
}

static inline __attribute__((always_inline)) void axpy_body(float alpha, const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] += alpha * x[i];
}

static inline __attribute__((always_inline)) void scale_body(float alpha, const float *restrict x, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = alpha * x[i];
}

static inline __attribute__((always_inline)) void gated_add_body(const uint8_t *restrict g, const float *restrict u, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] += (float)g[i] * u[i];
}

// The terms of a combination: term `t` is the row `x + columns[t] * ld`; for up to
// `max_pointers` terms the pointers are computed once (`p`), else on each use.
enum { max_pointers = 64 };
typedef struct {
    const float *x;
    const long *columns;
    long ld, count;
    const float *p[max_pointers];
} terms_t;

static inline __attribute__((always_inline)) void terms_init(terms_t *s, const float *x, const long *columns, long count,
                                                              long ld) {
    s->x = x; s->columns = columns; s->ld = ld; s->count = count;
    if (count <= max_pointers)
        for (long t = 0; t < count; t++) s->p[t] = x + columns[t] * ld;
}

static inline __attribute__((always_inline)) const float *term(const terms_t *s, long t) {
    return s->count <= max_pointers ? s->p[t] : s->x + s->columns[t] * s->ld;
}

// `u = sum_t values[t] * term_t[i]` (terms in order) for 16, 8 and one row from row `i`.
static inline __attribute__((always_inline)) void terms16(const terms_t *s, const float *values, long i, v8f *u0,
                                                           v8f *u1) {
    v8f a = values[0] * load8(term(s, 0) + i), b = values[0] * load8(term(s, 0) + i + 8);
    for (long t = 1; t < s->count; t++) {
        a += values[t] * load8(term(s, t) + i);
        b += values[t] * load8(term(s, t) + i + 8);
    }
    *u0 = a; *u1 = b;
}

static inline __attribute__((always_inline)) void terms8(const terms_t *s, const float *values, long i, v8f *u) {
    v8f a = values[0] * load8(term(s, 0) + i);
    for (long t = 1; t < s->count; t++) a += values[t] * load8(term(s, t) + i);
    *u = a;
}

static inline __attribute__((always_inline)) float terms1(const terms_t *s, const float *values, long i) {
    float u = values[0] * term(s, 0)[i];
    for (long t = 1; t < s->count; t++) u += values[t] * term(s, t)[i];
    return u;
}

// With `ahead` > 0, prefetches each term's 64-byte line `ahead` floats past row `i` (and,
// every 64 rows, the line of `bytes` `ahead` on), so the caller's next block of rows
// arrives while this one is summed: a block's slice of a column is one 4 KiB page, where
// the hardware prefetcher would stop and start again cold.
static inline __attribute__((always_inline)) void prefetch_terms(const terms_t *s, const uint8_t *bytes, long i,
                                                                  long ahead) {
    if (ahead <= 0) return;
    for (long t = 0; t < s->count; t++) __builtin_prefetch(term(s, t) + i + ahead, 0, 3);
    if ((i & 63) == 0) __builtin_prefetch(bytes + i + ahead, 0, 3);
}

// `y += g .* u` over `n` rows: 16 rows per iteration, then 8, then one at a time (the same
// operations per element in every case).
static inline __attribute__((always_inline)) void gated_combination_body(const uint8_t *restrict g,
                                                                           const float *restrict values,
                                                                           const float *restrict x,
                                                                           const long *restrict columns, long count,
                                                                           long ld, float *restrict y, long n,
                                                                           long ahead) {
    typedef uint8_t v8b __attribute__((vector_size(8)));
    terms_t s;
    terms_init(&s, x, columns, count, ld);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        prefetch_terms(&s, g, i, ahead);
        v8f u0, u1;
        terms16(&s, values, i, &u0, &u1);
        v8b g0, g1;
        __builtin_memcpy(&g0, g + i, sizeof g0);
        __builtin_memcpy(&g1, g + i + 8, sizeof g1);
        v8f o0 = load8(y + i) + __builtin_convertvector(g0, v8f) * u0;
        v8f o1 = load8(y + i + 8) + __builtin_convertvector(g1, v8f) * u1;
        __builtin_memcpy(y + i, &o0, sizeof o0);
        __builtin_memcpy(y + i + 8, &o1, sizeof o1);
    }
    for (; i + 8 <= n; i += 8) {
        v8f u;
        terms8(&s, values, i, &u);
        v8b gb;
        __builtin_memcpy(&gb, g + i, sizeof gb);
        v8f out = load8(y + i) + __builtin_convertvector(gb, v8f) * u;
        __builtin_memcpy(y + i, &out, sizeof out);
    }
    for (; i < n; i++) y[i] += (float)g[i] * terms1(&s, values, i);
}

// `out = 1[u > 0]` (bytes) over `n` rows.
static inline __attribute__((always_inline)) void positive_combination_body(const float *restrict values,
                                                                              const float *restrict x,
                                                                              const long *restrict columns, long count,
                                                                              long ld, uint8_t *restrict out, long n,
                                                                              long ahead) {
    terms_t s;
    terms_init(&s, x, columns, count, ld);
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        prefetch_terms(&s, out, i, ahead);
        v8f u0, u1;
        terms16(&s, values, i, &u0, &u1);
        for (int l = 0; l < 8; l++) out[i + l] = u0[l] > 0 ? 1 : 0;
        for (int l = 0; l < 8; l++) out[i + 8 + l] = u1[l] > 0 ? 1 : 0;
    }
    for (; i < n; i++) out[i] = terms1(&s, values, i) > 0 ? 1 : 0;
}

static inline __attribute__((always_inline)) void gated_body(const uint8_t *restrict g, const float *restrict r, float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] = (float)g[i] * r[i];
}

// The gated design on a support, one block of rows (see the header), a sub-block of rows
// at a time: the columns a sub-block reads (a few hundred KiB even for
// thousands of terms) stay in the second-level cache between the forward pass and the
// gradient pass over it, and the next sub-block's lines are prefetched. Each term's dot
// product keeps its two 8-lane accumulators (`lanes`, 16 floats per term) from one
// sub-block to the next and is folded at the end of the block exactly as `dot_body` folds,
// so the sums are the same operations in the same order as `vl_dot` over the whole block.
// Rows per sub-block (`sub`, the caller's choice): a multiple of 16, or at least `len`.

// Accumulates rows `[i0, i1)` (whole groups of 16) of `dot(g .* r, term)` for up to four
// terms of one neuron into their lanes.
static inline __attribute__((always_inline)) void gated_dots(const uint8_t *g, const float *r, const float *const *p,
                                                              int k, long i0, long i1, float *lanes) {
    typedef uint8_t v8b __attribute__((vector_size(8)));
    v8f a[4], b[4];
    for (int j = 0; j < 4; j++) {
        a[j] = j < k ? load8(lanes + 16 * j) : (v8f){0};
        b[j] = j < k ? load8(lanes + 16 * j + 8) : (v8f){0};
    }
    for (long i = i0; i < i1; i += 16) {
        v8b g0, g1;
        __builtin_memcpy(&g0, g + i, sizeof g0);
        __builtin_memcpy(&g1, g + i + 8, sizeof g1);
        v8f m0 = __builtin_convertvector(g0, v8f) * load8(r + i), m1 = __builtin_convertvector(g1, v8f) * load8(r + i + 8);
        // Unrolled for the common counts so the accumulators live in registers.
        a[0] += m0 * load8(p[0] + i); b[0] += m1 * load8(p[0] + i + 8);
        if (k > 1) { a[1] += m0 * load8(p[1] + i); b[1] += m1 * load8(p[1] + i + 8); }
        if (k > 2) { a[2] += m0 * load8(p[2] + i); b[2] += m1 * load8(p[2] + i + 8); }
        if (k > 3) { a[3] += m0 * load8(p[3] + i); b[3] += m1 * load8(p[3] + i + 8); }
    }
    for (int j = 0; j < k; j++) {
        __builtin_memcpy(lanes + 16 * j, &a[j], sizeof a[j]);
        __builtin_memcpy(lanes + 16 * j + 8, &b[j], sizeof b[j]);
    }
}

// `dot_body`'s fold of a term's lanes, then the block's last `len % 16` rows.
static inline __attribute__((always_inline)) float fold_lanes(const float *lanes, const uint8_t *g, const float *r,
                                                              const float *x, long from, long len) {
    v8f acc = load8(lanes) + load8(lanes + 8);
    float s = 0;
    for (int l = 0; l < 8; l++) s += acc[l];
    for (long i = from; i < len; i++) s += ((float)g[i] * r[i]) * x[i];
    return s;
}

// The gradient pass over rows `[i0, i1)` (whole groups of 16) for every term.
static inline __attribute__((always_inline)) void gradient_rows(const uint8_t *g, long gld, const float *x, long xld,
                                                                 const long *columns, const long *start, long a,
                                                                 const float *r, long i0, long i1, float *lanes) {
    for (long q = 0; q < a; q++) {
        for (long t = start[q]; t < start[q + 1]; t += 4) {
            int k = (int)(start[q + 1] - t < 4 ? start[q + 1] - t : 4);
            const float *p[4] = {0};
            for (int j = 0; j < k; j++) p[j] = x + columns[t + j] * xld;
            gated_dots(g + q * gld, r, p, k, i0, i1, lanes + 16 * t);
        }
    }
}

// Folds every term's lanes into its dot product over the block (`dots`) at the block's end.
static inline __attribute__((always_inline)) void fold_terms(const uint8_t *g, long gld, const float *x, long xld,
                                                             const long *columns, const long *start, long a,
                                                             const float *r, long len, const float *lanes, float *dots) {
    long from = len / 16 * 16;
    for (long q = 0; q < a; q++)
        for (long t = start[q]; t < start[q + 1]; t++)
            dots[t] = fold_lanes(lanes + 16 * t, g + q * gld, r, x + columns[t] * xld, from, len);
}

// `y[i0..<i1] = sum_q g_q .* u_q`, the next sub-block prefetched.
static inline __attribute__((always_inline)) void forward_rows(const uint8_t *g, long gld, const float *x, long xld,
                                                                const long *columns, const long *start, long a,
                                                                const float *values, float *y, long i0, long i1,
                                                                long ahead) {
    for (long i = i0; i < i1; i++) y[i] = 0;
    for (long q = 0; q < a; q++) {
        long lo = start[q], count = start[q + 1] - lo;
        if (count > 0)
            gated_combination_body(g + q * gld + i0, values + lo, x + i0, columns + lo, count, xld, y + i0, i1 - i0,
                                   ahead);
    }
}

static inline __attribute__((always_inline)) void support_forward_body(const uint8_t *g, long gld, const float *x, long xld,
                                                                        const long *columns, const long *start, long a,
                                                                        const float *values, float *y, long len,
                                                                        long sub, long after) {
    for (long i0 = 0; i0 < len; i0 += sub) {
        long i1 = i0 + sub < len ? i0 + sub : len;
        forward_rows(g, gld, x, xld, columns, start, a, values, y, i0, i1, i1 < len || after > 0 ? sub : 0);
    }
}

static inline __attribute__((always_inline)) void support_gradient_body(const uint8_t *g, long gld, const float *x,
                                                                         long xld, const long *columns, const long *start,
                                                                         long a, const float *r, long len, long sub,
                                                                         float *lanes, float *dots) {
    long whole = len / 16 * 16;
    for (long i = 0; i < 16 * start[a]; i++) lanes[i] = 0;
    for (long i0 = 0; i0 < whole; i0 += sub) {
        long i1 = i0 + sub < whole ? i0 + sub : whole;
        gradient_rows(g, gld, x, xld, columns, start, a, r, i0, i1, lanes);
    }
    fold_terms(g, gld, x, xld, columns, start, a, r, len, lanes, dots);
}

static inline __attribute__((always_inline)) void support_normal_body(const uint8_t *g, long gld, const float *x, long xld,
                                                                       const long *columns, const long *start, long a,
                                                                       const float *values, const float *target, float *y,
                                                                       long len, long sub, long after, float *lanes,
                                                                       float *square, float *dots) {
    long whole = len / 16 * 16;
    for (long i = 0; i < 16 * start[a]; i++) lanes[i] = 0;
    v8f s0 = {0}, s1 = {0};  // dot(y, y) as dot_body sums it
    for (long i0 = 0; i0 < len; i0 += sub) {
        long i1 = i0 + sub < len ? i0 + sub : len;
        forward_rows(g, gld, x, xld, columns, start, a, values, y, i0, i1, i1 < len || after > 0 ? sub : 0);
        if (target)
            for (long i = i0; i < i1; i++) y[i] -= target[i];
        long w1 = i1 < whole ? i1 : whole;
        for (long i = i0; i < w1; i += 16) {
            s0 += load8(y + i) * load8(y + i);
            s1 += load8(y + i + 8) * load8(y + i + 8);
        }
        if (i0 < w1) gradient_rows(g, gld, x, xld, columns, start, a, y, i0, w1, lanes);
    }
    v8f s = s0 + s1;
    *square = fold(&s, y, y, whole, len);
    fold_terms(g, gld, x, xld, columns, start, a, y, len, lanes, dots);
}

// The product of row-major data with sparse rows (see the header): eight examples at a time
// per neuron, each with its own running sum over the neuron's entries in their order.
static inline __attribute__((always_inline)) void sparse_rows_body(const float *x, long n, long d, const int32_t *offsets,
                                                                    const int32_t *columns, const float *values, long a,
                                                                    const float *gate, int threshold, float *out) {
    enum { rows = 8 };
    long i = 0;
    for (; i <= n - rows; i += rows) {
        const float *r = x + i * d;
        for (long j = 0; j < a; j++) {
            float s[rows] = {0};
            for (int32_t t = offsets[j]; t < offsets[j + 1]; t++) {
                long c = columns[t];
                float v = values[t];
                for (int k = 0; k < rows; k++) s[k] += r[k * d + c] * v;
            }
            for (int k = 0; k < rows; k++) {
                long o = (i + k) * a + j;
                out[o] = threshold ? (s[k] > 0 ? 1.0f : 0.0f) : gate ? gate[o] * s[k] : s[k];
            }
        }
    }
    for (; i < n; i++) {
        const float *r = x + i * d;
        for (long j = 0; j < a; j++) {
            float s = 0;
            for (int32_t t = offsets[j]; t < offsets[j + 1]; t++) s += r[columns[t]] * values[t];
            long o = i * a + j;
            out[o] = threshold ? (s > 0 ? 1.0f : 0.0f) : gate ? gate[o] * s : s;
        }
    }
}

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2")))
static int use_avx2 = 0;
static int has_avx2 = 0;

__attribute__((constructor)) static void vl_detect(void) {
    __builtin_cpu_init();
    has_avx2 = __builtin_cpu_supports("avx2");
    use_avx2 = has_avx2;
}

#define DISPATCH(ret, name, params, args)                                  \
    AVX2 static ret name##_avx2 params { return name##_body args; }        \
    static ret name##_base params { return name##_body args; }             \
    ret vl_##name params { return use_avx2 ? name##_avx2 args : name##_base args; }
#define DISPATCH_VOID(name, params, args)                                   \
    AVX2 static void name##_avx2 params { name##_body args; }               \
    static void name##_base params { name##_body args; }                    \
    void vl_##name params { if (use_avx2) name##_avx2 args; else name##_base args; }

int vl_level(void) { return use_avx2; }
int vl_set_level(int avx2) { use_avx2 = avx2 && has_avx2; return use_avx2; }
#else
#define DISPATCH(ret, name, params, args) ret vl_##name params { return name##_body args; }
#define DISPATCH_VOID(name, params, args) void vl_##name params { name##_body args; }
int vl_level(void) { return 0; }
int vl_set_level(int avx2) { (void)avx2; return 0; }
#endif

DISPATCH(float, dot, (const float *a, const float *b, long n), (a, b, n))
DISPATCH_VOID(dot4, (const float *r0, const float *r1, const float *r2, const float *r3, const float *b, long n,
                     float out[4]),
              (r0, r1, r2, r3, b, n, out))
DISPATCH_VOID(axpy, (float alpha, const float *x, float *y, long n), (alpha, x, y, n))
DISPATCH_VOID(scale, (float alpha, const float *x, float *y, long n), (alpha, x, y, n))
DISPATCH_VOID(gated_add, (const uint8_t *g, const float *u, float *y, long n), (g, u, y, n))
DISPATCH_VOID(gated_combination,
              (const uint8_t *g, const float *values, const float *x, const long *columns, long count, long ld,
               float *y, long n, long ahead),
              (g, values, x, columns, count, ld, y, n, ahead))
DISPATCH_VOID(positive_combination,
              (const float *values, const float *x, const long *columns, long count, long ld, uint8_t *out, long n,
               long ahead),
              (values, x, columns, count, ld, out, n, ahead))
DISPATCH_VOID(support_forward,
              (const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start, long a,
               const float *values, float *y, long len, long sub, long after),
              (g, gld, x, xld, columns, start, a, values, y, len, sub, after))
DISPATCH_VOID(support_gradient,
              (const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start, long a,
               const float *r, long len, long sub, float *lanes, float *dots),
              (g, gld, x, xld, columns, start, a, r, len, sub, lanes, dots))
DISPATCH_VOID(support_normal,
              (const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start, long a,
               const float *values, const float *target, float *y, long len, long sub, long after, float *lanes,
               float *square, float *dots),
              (g, gld, x, xld, columns, start, a, values, target, y, len, sub, after, lanes, square, dots))
DISPATCH_VOID(gated, (const uint8_t *g, const float *r, float *y, long n), (g, r, y, n))
DISPATCH_VOID(sparse_rows,
              (const float *x, long n, long d, const int32_t *offsets, const int32_t *columns, const float *values,
               long a, const float *gate, int threshold, float *out),
              (x, n, d, offsets, columns, values, a, gate, threshold, out))
