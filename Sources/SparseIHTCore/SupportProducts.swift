import CVectorLoops

/// The gated design restricted to a support, on the host: `A_S v = sum_t g_{j_t} .* x_{:, i_t} v_t`
/// (length n) and `A_S^T r` (length s) for the support entries `t` (neuron `j_t`, input
/// `i_t`) of a `SparseWeights`, at `O(n (s + a))` per product instead of the `O(n d a)` of a
/// dense product over the `a` active neurons. Works on the transposed data (`d x n`) and
/// neuron-major gates (`a x n`), so every inner loop is a contiguous length-n vector
/// operation. Sums run in a fixed order (entries in index order, 16 lanes then a fixed
/// fold), so results do not depend on any thread count.
struct SupportProducts {
    let n: Int
    let d: Int
    /// The step's data transposed (`d x n`, row `i` is input `i` over the examples).
    let xT: [Float]
    /// Gates of the active neurons, neuron-major (`a x n`, 0 or 1; one byte each, a quarter
    /// of the memory traffic of floats).
    let gates: [UInt8]
    /// Active neurons (ascending); `a = neurons.count`.
    let neurons: [Int]
    /// Input column of each support entry.
    let columns: [Int]
    /// Entries of active neuron `q` are `start[q] ..< start[q + 1]`.
    let start: [Int]

    /// - Parameters: `xT` (`d x n`), `weights`' support, `gates` (`a x n` for `weights.activeNeurons`).
    init(xT: [Float], n: Int, d: Int, support weights: SparseWeights, gates: [UInt8]) {
        precondition(n >= 1 && d >= 1 && xT.count >= n * d)
        self.n = n; self.d = d; self.xT = xT
        self.gates = gates.isEmpty ? [0] : gates  // never empty, so its storage has an address
        let active = weights.activeNeurons
        neurons = active
        precondition(gates.count >= n * active.count)
        columns = weights.indices.map { $0 % d }
        var start = [Int](repeating: weights.count, count: active.count + 1)
        if !active.isEmpty { start[0] = 0 }
        var q = 0
        for (t, i) in weights.indices.enumerated() {
            while active[q] != i / d { q += 1; start[q] = t }
        }
        self.start = start
    }

    var a: Int { neurons.count }

    /// Rows per block: the block's accumulators stay in the first-level cache while the
    /// data and gate rows stream through once.
    static let block = 1024

    /// `y[0..<len] = (A_S v)` on rows `i0 ..< i0 + len` (the next block's rows prefetched).
    @inline(__always)
    private func blockForward(_ vp: UnsafeBufferPointer<Float>, _ x: UnsafePointer<Float>, _ gp: UnsafePointer<UInt8>,
                              _ cp: UnsafeBufferPointer<Int>, _ sp: UnsafeBufferPointer<Int>, i0: Int, len: Int,
                              _ y: UnsafeMutablePointer<Float>) {
        guard a > 0 else { y.update(repeating: 0, count: len); return }  // no entries: no storage addresses
        vl_gated_forward(gp + i0, n, x + i0, n, cp.baseAddress!, sp.baseAddress!, a, vp.baseAddress!, y, len, Self.block)
    }

    /// `acc[t] += (A_S^T r)_t` over rows `i0 ..< i0 + len` (`r` points at row `i0`; `m`:
    /// `len` floats of scratch): per neuron `m = g_q .* r`, then a float dot product with
    /// each entry's column (`vl_dot`), added to the entry's double.
    @inline(__always)
    private func blockGradient(_ r: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ gp: UnsafePointer<UInt8>,
                               _ cp: UnsafeBufferPointer<Int>, _ sp: UnsafeBufferPointer<Int>, i0: Int, len: Int,
                               _ acc: UnsafeMutableBufferPointer<Double>, _ m: UnsafeMutablePointer<Float>) {
        guard a > 0 else { return }
        vl_gated_gradient(gp + i0, n, x + i0, n, cp.baseAddress!, sp.baseAddress!, a, r, m, len, acc.baseAddress!)
    }

    /// Runs `body` with the raw storage of the data, gates, columns and entry ranges.
    @inline(__always)
    private func withStorage<T>(_ body: (UnsafePointer<Float>, UnsafePointer<UInt8>, UnsafeBufferPointer<Int>,
                                         UnsafeBufferPointer<Int>) -> T) -> T {
        xT.withUnsafeBufferPointer { xp in gates.withUnsafeBufferPointer { gp in
            columns.withUnsafeBufferPointer { cp in start.withUnsafeBufferPointer { sp in
                body(xp.baseAddress!, gp.baseAddress!, cp, sp)
            } }
        } }
    }

    /// `A_S v` (length n) for support values `v` (one per entry).
    func forward(_ v: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: n)
        withStorage { x, g, cp, sp in v.withUnsafeBufferPointer { vp in
            y.withUnsafeMutableBufferPointer { yp in
                for i0 in stride(from: 0, to: n, by: Self.block) {
                    blockForward(vp, x, g, cp, sp, i0: i0, len: min(Self.block, n - i0), yp.baseAddress! + i0)
                }
            }
        } }
        return y
    }

    /// `A_S^T r` (one value per support entry, double) for a residual `r` (length n): per
    /// block of rows a float dot product, the blocks summed in double precision in order.
    func gradientDouble(_ r: [Float]) -> [Double] {
        var acc = [Double](repeating: 0, count: columns.count)
        var m = [Float](repeating: 0, count: Self.block)
        withStorage { x, g, cp, sp in r.withUnsafeBufferPointer { rp in
            acc.withUnsafeMutableBufferPointer { ap in m.withUnsafeMutableBufferPointer { mp in
                for i0 in stride(from: 0, to: n, by: Self.block) {
                    blockGradient(rp.baseAddress! + i0, x, g, cp, sp, i0: i0, len: min(Self.block, n - i0), ap, mp.baseAddress!)
                }
            } }
        } }
        return acc
    }

    /// `A_S^T r` as floats (see `gradientDouble`).
    func gradient(_ r: [Float]) -> [Float] { gradientDouble(r).map { Float($0) } }

    /// `||A_S v||^2` and `A_S^T A_S v` in one sweep over the rows: each block's `A_S v` is
    /// formed and multiplied back while its rows are in cache (half the memory traffic of a
    /// forward and a gradient product).
    func normalProducts(_ v: [Float]) -> (squares: Double, normal: [Double]) {
        var acc = [Double](repeating: 0, count: columns.count)
        var y = [Float](repeating: 0, count: Self.block), m = y
        var squares = 0.0
        withStorage { x, g, cp, sp in v.withUnsafeBufferPointer { vp in
            acc.withUnsafeMutableBufferPointer { ap in y.withUnsafeMutableBufferPointer { yp in
            m.withUnsafeMutableBufferPointer { mp in
                let y = yp.baseAddress!
                for i0 in stride(from: 0, to: n, by: Self.block) {
                    let len = min(Self.block, n - i0)
                    blockForward(vp, x, g, cp, sp, i0: i0, len: len, y)
                    squares += Double(vl_dot(y, y, len))
                    blockGradient(y, x, g, cp, sp, i0: i0, len: len, ap, mp.baseAddress!)
                }
            } } }
        } }
        return (squares, acc)
    }
}

/// `x` (`n x d`, row-major) transposed to `d x n` (see `transpose`).
func transposed(_ x: [Float], n: Int, d: Int) -> [Float] {
    guard n * d > 0 else { return [] }
    return [Float](unsafeUninitializedCapacity: n * d) { buf, initialized in
        x.withUnsafeBufferPointer { transpose($0.baseAddress!, n: n, d: d, into: buf.baseAddress!) }
        initialized = n * d
    }
}

/// Writes `x` (`n x d`, row-major) transposed (`d x n`) to `out`: 16 rows at a time (they
/// stay in cache), each output row receiving 16 contiguous floats, one cache line per write.
/// With `columns`, only those rows of the transpose (inputs below `d`) are written.
func transpose<C: Sequence<Int>>(_ x: UnsafePointer<Float>, n: Int, d: Int, columns: C,
                                 into out: UnsafeMutablePointer<Float>) {
    let rows = 16
    for i0 in stride(from: 0, to: n, by: rows) {
        let len = min(rows, n - i0)
        for c in columns {
            let o = out + c * n + i0, s = x + i0 * d + c
            for r in 0..<len { o[r] = s[r * d] }
        }
    }
}

/// `transpose` of every input.
func transpose(_ x: UnsafePointer<Float>, n: Int, d: Int, into out: UnsafeMutablePointer<Float>) {
    transpose(x, n: n, d: d, columns: 0..<d, into: out)
}

/// Gates `1[X h_j > 0]`, neuron-major (`a x n`, bytes 0 or 1), of neurons whose generators are
/// sparse: `generators` holds their weights (neuron `neurons[q]`'s entries scaled by
/// `signs[q]`), at `O(n nnz)` from the transposed data `xT` (`d x n`). Each `X h_j` is
/// summed entry by entry in index order (`vl_positive_combination`), a block of rows at a
/// time for all neurons; a neuron without entries has zero gates.
func sparseGates(xT: [Float], n: Int, d: Int, generators w: SparseWeights, neurons: [Int], signs: [Float]) -> [UInt8] {
    let a = neurons.count
    var out = [UInt8](repeating: 0, count: n * a)
    guard a > 0 else { return out }
    var row = [Int: Int]()
    for (q, j) in neurons.enumerated() { row[j] = q }
    // Each requested neuron's entries (contiguous in index order): its row, input columns
    // and signed values.
    var rows: [Int] = [], start: [Int] = [0], columns: [Int] = [], values: [Float] = []
    for (i, v) in zip(w.indices, w.values) {
        guard let q = row[i / d] else { continue }
        if rows.last != q {
            if !rows.isEmpty { start.append(columns.count) }
            rows.append(q)
        }
        columns.append(i % d); values.append(signs[q] * v)
    }
    start.append(columns.count)
    guard !rows.isEmpty else { return out }
    let block = SupportProducts.block
    xT.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
        columns.withUnsafeBufferPointer { cp in values.withUnsafeBufferPointer { vp in
            for i0 in stride(from: 0, to: n, by: block) {
                let len = min(block, n - i0)
                for (p, q) in rows.enumerated() {
                    let lo = start[p]
                    vl_positive_combination(vp.baseAddress! + lo, xp.baseAddress! + i0, cp.baseAddress! + lo,
                                            start[p + 1] - lo, n, op.baseAddress! + q * n + i0, len, block)
                }
            }
        } }
    } }
    return out
}
