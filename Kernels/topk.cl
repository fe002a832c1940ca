// Deterministic top-k by magnitude (hard thresholding): four 8-bit radix-histogram passes
// find the threshold key T and how many entries equal to T to keep; one stable compaction
// keeps every entry above T and the lowest-index entries at T. Integer counts only (local
// atomic_inc on counters is exact), no float atomics, no per-element host read-back.
//
// state (uint[8]): [0] prefix fixed so far, [1] mask of fixed bits, [2] entries still to
// take among those matching the prefix (after the last pass: ties to keep at T),
// [3] non-finite flag, [4] total kept.
// Each of the `groups` work-groups owns the contiguous range [g*per, min((g+1)*per, count)).

#define RANGE_BEGIN(count, groups) (get_group_id(0) * (((count) + (groups) - 1) / (groups)))
#define RANGE_END(count, groups) min((uint)(count), (uint)(RANGE_BEGIN(count, groups) + (((count) + (groups) - 1) / (groups))))

// Per-group histogram of digit (key >> shift) & 0xFF over entries matching the prefix.
__kernel void radix_histogram(__global const float* v, const uint count, const uint groups,
                              __global uint* state, __global uint* partials, const uint shift) {
    __local uint hist[RADIX_BINS];
    const uint lid = get_local_id(0);
    for (uint b = lid; b < RADIX_BINS; b += WGS) hist[b] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    const uint prefix = state[0], mask = state[1];
    const uint begin = RANGE_BEGIN(count, groups), end = RANGE_END(count, groups);
    uint bad = 0;
    for (uint i = begin + lid; i < end; i += WGS) {
        const float x = v[i];
        if (shift == 24 && !isfinite(x)) bad = 1;
        const uint key = magnitude_key(x);
        if ((key & mask) == prefix) atomic_inc(&hist[(key >> shift) & 0xFFu]);
    }
    if (bad) state[3] = 1;  // every writer writes the same value
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint b = lid; b < RADIX_BINS; b += WGS) partials[get_group_id(0) * RADIX_BINS + b] = hist[b];
}

// One work-group of RADIX_BINS items: sums the group histograms in group order, then finds
// the digit at which the count from the top reaches the number still to take.
__kernel void radix_select(__global const uint* partials, const uint groups,
                           __global uint* state, const uint shift) {
    __local uint hist[RADIX_BINS];
    const uint b = get_local_id(0);
    uint sum = 0;
    for (uint g = 0; g < groups; ++g) sum += partials[g * RADIX_BINS + b];
    hist[b] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (b == 0) {
        uint remaining = state[2];
        uint bin = RADIX_BINS - 1;
        while (bin > 0 && hist[bin] < remaining) { remaining -= hist[bin]; --bin; }
        state[0] |= bin << shift;
        state[1] |= 0xFFu << shift;
        state[2] = remaining;
    }
}

// Per-group counts of entries above T and equal to T: partials[2g], partials[2g+1].
__kernel void select_count(__global const float* v, const uint count, const uint groups,
                           __global const uint* state, __global uint* partials) {
    __local uint gt[WGS];
    __local uint eq[WGS];
    const uint lid = get_local_id(0);
    const uint t = state[0];
    const uint begin = RANGE_BEGIN(count, groups), end = RANGE_END(count, groups);
    uint a = 0, e = 0;
    for (uint i = begin + lid; i < end; i += WGS) {
        const uint key = magnitude_key(v[i]);
        a += key > t;
        e += key == t;
    }
    gt[lid] = a; eq[lid] = e;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = WGS / 2; stride > 0; stride >>= 1) {
        if (lid < stride) { gt[lid] += gt[lid + stride]; eq[lid] += eq[lid + stride]; }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) { partials[2 * get_group_id(0)] = gt[0]; partials[2 * get_group_id(0) + 1] = eq[0]; }
}

// One work-item: exclusive scan of the group counts in place (group order), and the total.
__kernel void select_scan(__global uint* partials, const uint groups, __global uint* state) {
    if (get_global_id(0) != 0) return;
    uint gt = 0, eq = 0;
    for (uint g = 0; g < groups; ++g) {
        const uint a = partials[2 * g], e = partials[2 * g + 1];
        partials[2 * g] = gt; partials[2 * g + 1] = eq;
        gt += a; eq += e;
    }
    state[4] = gt + min(eq, state[2]);
}

// Stable compaction: entry i is kept if key > T, or key == T and fewer than state[2]
// entries equal to T precede it. Its output slot is (#above T before i) + min(#equal
// before i, ties to keep), so the output is in ascending index order.
__kernel void select_compact(__global const float* v, const uint count, const uint groups,
                             __global const uint* state, __global const uint* partials,
                             __global int* out_idx, __global float* out_val) {
    __local uint gt[WGS];
    __local uint eq[WGS];
    const uint lid = get_local_id(0);
    const uint t = state[0], ties = state[2];
    const uint begin = RANGE_BEGIN(count, groups), end = RANGE_END(count, groups);
    uint gt_base = partials[2 * get_group_id(0)], eq_base = partials[2 * get_group_id(0) + 1];
    for (uint tile = begin; tile < end; tile += WGS) {
        const uint i = tile + lid;
        float x = 0.0f;
        uint key = 0;
        if (i < end) { x = v[i]; key = magnitude_key(x); }
        const uint is_gt = (i < end) && key > t, is_eq = (i < end) && key == t;
        gt[lid] = is_gt; eq[lid] = is_eq;
        barrier(CLK_LOCAL_MEM_FENCE);
        // Hillis-Steele inclusive scans of both flags.
        for (uint off = 1; off < WGS; off <<= 1) {
            const uint a = lid >= off ? gt[lid - off] : 0, e = lid >= off ? eq[lid - off] : 0;
            barrier(CLK_LOCAL_MEM_FENCE);
            gt[lid] += a; eq[lid] += e;
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        const uint gt_before = gt_base + gt[lid] - is_gt, eq_before = eq_base + eq[lid] - is_eq;
        if (is_gt || (is_eq && eq_before < ties)) {
            const uint slot = gt_before + min(eq_before, ties);
            out_idx[slot] = (int)i;
            out_val[slot] = x;
        }
        gt_base += gt[WGS - 1]; eq_base += eq[WGS - 1];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}
