// The vector-output step (docs/method.md section 3) on the device: candidate blocks, column
// and row copies, gathers, and the count-min sketch ranking. No float atomics; every
// reduction runs in a fixed order, so results match the host implementation bit for bit.
#pragma OPENCL FP_CONTRACT OFF

// cand (a x L, L = d + k): row j = [w1_j - rate * gw1_j ; w2_j - rate * gw2_j].
__kernel void vector_candidates(__global const float* w1, __global const float* w2,
                                __global const float* gw1, __global const float* gw2,
                                __global float* cand, const int a, const int d, const int k,
                                const float rate) {
    const int e = get_global_id(0);
    const int L = d + k;
    if (e >= a * L) return;
    const int j = e / L, i = e - j * L;
    if (i < d) {
        const float g = rate * gw1[j * d + i];
        cand[e] = w1[j * d + i] - g;
    } else {
        const float g = rate * gw2[j * k + i - d];
        cand[e] = w2[j * k + i - d] - g;
    }
}

// dst (rows x width) = columns from..from+width-1 of src (rows x stride).
__kernel void copy_columns(__global const float* src, __global float* dst, const int rows,
                           const int stride, const int from, const int width) {
    const int e = get_global_id(0);
    if (e >= rows * width) return;
    const int r = e / width, i = e - r * width;
    dst[e] = src[r * stride + from + i];
}

// dst (count x width): row t = row idx[t] of src.
__kernel void gather_rows(__global const float* src, __global const int* idx, __global float* dst,
                          const int count, const int width) {
    const int e = get_global_id(0);
    if (e >= count * width) return;
    const int t = e / width, i = e - t * width;
    dst[e] = src[idx[t] * width + i];
}

// out[t] = src[idx[t]].
__kernel void gather_values(__global const float* src, __global const int* idx, __global float* out,
                            const int count) {
    const int t = get_global_id(0);
    if (t < count) out[t] = src[idx[t]];
}

// SplitMix64 finalizer (SeededGenerator.mix on the host).
inline ulong mix64(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

// One work-item per sketch row r: in ascending entry order, adds |cand[e] - before[e]| to
// the row's cell of the entry's flat index and records the cell value in est[r*count + e].
// Sequential by design: an entry's estimate includes every earlier entry of its cell.
__kernel void sketch_accumulate(__global const float* cand, __global const float* w1,
                                __global const float* w2, __global const int* neurons,
                                __global float* sketch, __global float* est, const int a,
                                const int d, const int k, const int depth, const int width) {
    const int r = get_global_id(0);
    if (r >= depth) return;
    const int L = d + k, count = a * L;
    for (int e = 0; e < count; ++e) {
        const int j = e / L, i = e - j * L;
        const float before = i < d ? w1[j * d + i] : w2[j * k + i - d];
        const ulong flat = (ulong)neurons[j] * (ulong)L + (ulong)i;
        const int cell = r * width + (int)(mix64(flat * 0x9E3779B97F4A7C15UL + (ulong)r * 0xC2B2AE3D27D4EB4FUL) % (ulong)width);
        sketch[cell] += fabs(cand[e] - before);
        est[(size_t)r * count + e] = sketch[cell];
    }
}

// keys[e] = min over rows of est[r*count + e] (rows ascending; NaN where cand[e] is not
// finite, so the top-k rejects it).
__kernel void sketch_min(__global const float* est, __global const float* cand, __global float* keys,
                         const int count, const int depth) {
    const int e = get_global_id(0);
    if (e >= count) return;
    float m = FLT_MAX;
    for (int r = 0; r < depth; ++r) {
        const float v = est[(size_t)r * count + e];
        m = v < m ? v : m;
    }
    keys[e] = isfinite(cand[e]) ? m : NAN;
}

// out (n x a) from sparse rows W (row j: cols[off[j]..off[j+1]), vals): s = sum of
// x[i, col] * val in entry order (no FMA); mode 0: out = s, 1: out = (s > 0), 2: out = g * s.
__kernel void sparse_product(__global const float* x, __global const int* off, __global const int* cols,
                             __global const float* vals, __global const float* g, __global float* out,
                             const int n, const int d, const int a, const int mode) {
    const int e = get_global_id(0);
    if (e >= n * a) return;
    const int i = e / a, j = e - i * a;
    __global const float* row = x + (size_t)i * d;
    float acc = 0.0f;
    for (int t = off[j]; t < off[j + 1]; ++t) {
        const float p = row[cols[t]] * vals[t];
        acc += p;
    }
    out[e] = mode == 1 ? (acc > 0.0f ? 1.0f : 0.0f) : (mode == 2 ? g[e] * acc : acc);
}
