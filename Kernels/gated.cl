// Elementwise parts of the gated products (docs/method.md section 1). The GEMMs themselves
// go through CLBlast; these kernels turn products into gates, mask residuals and reduce
// gated rows. All matrices are row-major float32.

// g[i] = (g[i] > 0) ? 1 : 0 for i < count: turns the products X H^T into the gate matrix.
__kernel void threshold_gate(__global float* g, const int count) {
    const int i = get_global_id(0);
    if (i < count) g[i] = g[i] > 0.0f ? 1.0f : 0.0f;
}

// g[i, columns[p]] = (z[i, p] > 0) ? 1 : 0 for z (n x r) and g (n x c): the gates of some of
// a block's neurons, each into its own column of the block's gate matrix.
__kernel void scatter_gate_columns(__global const float* z, __global const int* columns,
                                   __global float* g, const int n, const int r, const int c) {
    const int idx = get_global_id(0);
    if (idx < n * r) {
        const int i = idx / r, p = idx % r;
        g[i * c + columns[p]] = z[idx] > 0.0f ? 1.0f : 0.0f;
    }
}

// out (n x c*k): out[i, j*k + l] = g[i, j] * r[i, l], for g (n x c) and r (n x k).
__kernel void mask_residual(__global const float* g, __global const float* r,
                            __global float* out, const int n, const int c, const int k) {
    const int idx = get_global_id(0);
    const int width = c * k;
    if (idx >= n * width) return;
    const int i = idx / width, col = idx - i * width;
    const int j = col / k, l = col - j * k;
    out[idx] = g[i * c + j] * r[i * k + l];
}

// y[i] = sum_j g[i, j] * z[i, j] (j in ascending order), for g, z (n x a).
__kernel void gated_rowsum(__global const float* g, __global const float* z,
                           __global float* y, const int n, const int a) {
    const int i = get_global_id(0);
    if (i >= n) return;
    float acc = 0.0f;
    for (int j = 0; j < a; ++j) acc += g[i * a + j] * z[i * a + j];
    y[i] = acc;
}

// out[j] = sum_i (g[i, j] * z[i, j])^2 (i ascending), for g, z (n x a).
__kernel void gated_column_sumsq(__global const float* g, __global const float* z,
                                 __global float* out, const int n, const int a) {
    const int j = get_global_id(0);
    if (j >= a) return;
    float acc = 0.0f;
    for (int i = 0; i < n; ++i) { const float v = g[i * a + j] * z[i * a + j]; acc += v * v; }
    out[j] = acc;
}

// v[i] *= s for i < count.
__kernel void scale(__global float* v, const int count, const float s) {
    const int i = get_global_id(0);
    if (i < count) v[i] *= s;
}

// v[idx[t]] += vals[t] for t < count; indices are distinct, so there are no races.
__kernel void scatter_add(__global float* v, __global const int* idx,
                          __global const float* vals, const int count) {
    const int t = get_global_id(0);
    if (t < count) v[idx[t]] += vals[t];
}

// z[i] *= g[i] for i < count (gated activations).
__kernel void multiply_inplace(__global float* z, __global const float* g, const int count) {
    const int i = get_global_id(0);
    if (i < count) z[i] *= g[i];
}
