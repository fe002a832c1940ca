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

static inline __attribute__((always_inline)) void gated_scaled_add_body(const uint8_t *restrict g, float alpha, const float *restrict x,
                                                                         float *restrict y, long n) {
    for (long i = 0; i < n; i++) y[i] += (float)g[i] * (alpha * x[i]);
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

static inline __attribute__((always_inline)) void positive_body(const float *restrict z, uint8_t *restrict out, long n) {
    for (long i = 0; i < n; i++) out[i] = z[i] > 0 ? 1 : 0;
}

// The gated design on a support, one block of rows (see the header).
static inline __attribute__((always_inline)) void gated_forward_body(const uint8_t *g, long gld, const float *x, long xld,
                                                                      const long *columns, const long *start, long a,
                                                                      const float *values, float *y, long len, long ahead) {
    for (long i = 0; i < len; i++) y[i] = 0;
    for (long q = 0; q < a; q++) {
        long lo = start[q], count = start[q + 1] - lo;
        if (count > 0) gated_combination_body(g + q * gld, values + lo, x, columns + lo, count, xld, y, len, ahead);
    }
}

static inline __attribute__((always_inline)) void gated_gradient_body(const uint8_t *g, long gld, const float *x, long xld,
                                                                       const long *columns, const long *start, long a,
                                                                       const float *r, float *m, long len, double *acc) {
    for (long q = 0; q < a; q++) {
        long t = start[q], end = start[q + 1];
        if (t == end) continue;
        gated_body(g + q * gld, r, m, len);
        for (; t + 4 <= end; t += 4) {
            float four[4];
            dot4_body(x + columns[t] * xld, x + columns[t + 1] * xld, x + columns[t + 2] * xld, x + columns[t + 3] * xld, m,
                      len, four);
            for (int k = 0; k < 4; k++) acc[t + k] += (double)four[k];
        }
        for (; t < end; t++) acc[t] += (double)dot_body(m, x + columns[t] * xld, len);
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
DISPATCH_VOID(gated_scaled_add, (const uint8_t *g, float alpha, const float *x, float *y, long n), (g, alpha, x, y, n))
DISPATCH_VOID(gated_combination,
              (const uint8_t *g, const float *values, const float *x, const long *columns, long count, long ld,
               float *y, long n, long ahead),
              (g, values, x, columns, count, ld, y, n, ahead))
DISPATCH_VOID(positive_combination,
              (const float *values, const float *x, const long *columns, long count, long ld, uint8_t *out, long n,
               long ahead),
              (values, x, columns, count, ld, out, n, ahead))
DISPATCH_VOID(gated_forward,
              (const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start, long a,
               const float *values, float *y, long len, long ahead),
              (g, gld, x, xld, columns, start, a, values, y, len, ahead))
DISPATCH_VOID(gated_gradient,
              (const uint8_t *g, long gld, const float *x, long xld, const long *columns, const long *start, long a,
               const float *r, float *m, long len, double *acc),
              (g, gld, x, xld, columns, start, a, r, m, len, acc))
DISPATCH_VOID(gated, (const uint8_t *g, const float *r, float *y, long n), (g, r, y, n))
DISPATCH_VOID(positive, (const float *z, uint8_t *out, long n), (z, out, n))
