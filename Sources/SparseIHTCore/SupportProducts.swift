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

    /// The row of neuron `j` in `gates` (its index in the ascending `neurons`), or nil.
    func row(of j: Int) -> Int? {
        var lo = 0, hi = neurons.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if neurons[mid] < j { lo = mid + 1 } else { hi = mid }
        }
        return lo < neurons.count && neurons[lo] == j ? lo : nil
    }

    /// Rows per sub-block of the block loops: 256 for more than 256 entries on data of
    /// several blocks (whose columns come from memory: 15% faster than whole blocks on
    /// 2,000 entries over 50,000 x 784), else the whole block (25% faster than 256 rows on
    /// 1,000 entries over one block of 784 rows, an INR). The results do not depend on it.
    var sub: Int { columns.count > 256 && n > Self.block ? 256 : Self.block }

    /// Rows per block: each entry's sum over a block is a float dot product, added to the
    /// entry's double; the block is the unit of that order (the loops inside it work on
    /// smaller sub-blocks that stay in cache, see `vl_support_normal`).
    static let block = 1024

    /// The storage the block loops read, as pointers the worker threads share.
    private struct Storage: @unchecked Sendable {
        let x: UnsafePointer<Float>, g: UnsafePointer<UInt8>, columns: UnsafePointer<Int>, start: UnsafePointer<Int>
    }

    /// Runs `body` with the raw storage of the data, gates, columns and entry ranges; does
    /// nothing when the support has no entries (no storage addresses to hand out).
    @inline(__always)
    private func withStorage(_ body: (Storage) -> Void) {
        guard a > 0 else { return }
        xT.withUnsafeBufferPointer { xp in gates.withUnsafeBufferPointer { gp in
            columns.withUnsafeBufferPointer { cp in start.withUnsafeBufferPointer { sp in
                body(Storage(x: xp.baseAddress!, g: gp.baseAddress!, columns: cp.baseAddress!, start: sp.baseAddress!))
            } }
        } }
    }

    /// Blocks of rows (`SupportProducts.block` each, the last one shorter). The loops below
    /// split them among `HostThreads`; each block's results are its own, so they do not
    /// depend on the split.
    private var blockCount: Int { Self.blockCount(n: n) }

    /// Blocks of `n` rows.
    static func blockCount(n: Int) -> Int { (n + block - 1) / block }

    /// First row and rows of block `b` of `n` rows.
    static func rows(ofBlock b: Int, n: Int) -> (i0: Int, len: Int) {
        (b * block, min(block, n - b * block))
    }

    /// `A_S v` (length n) for support values `v` (one per entry).
    func forward(_ v: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: n)
        let n = self.n, a = self.a, sub = self.sub
        withStorage { s in v.withUnsafeBufferPointer { vp in y.withUnsafeMutableBufferPointer { yp in
            let values = SharedReadPointer(base: vp.baseAddress!), out = SharedPointer(base: yp.baseAddress!)
            HostThreads.forEachRange(blockCount) { range in
                for b in range {
                    let (i0, len) = Self.rows(ofBlock: b, n: n)
                    vl_support_forward(s.g + i0, n, s.x + i0, n, s.columns, s.start, a, values.base, out.base + i0, len,
                                       sub, n - i0 - len)
                }
            }
        } } }
        return y
    }

    /// `A_S^T r` (one value per support entry, double) for a residual `r` (length n): per
    /// block of rows a float dot product, the blocks summed in double precision in order.
    func gradientDouble(_ r: [Float]) -> [Double] {
        let terms = columns.count, n = self.n, a = self.a, sub = self.sub
        var dots = [Float](repeating: 0, count: blockCount * terms)
        withStorage { s in r.withUnsafeBufferPointer { rp in dots.withUnsafeMutableBufferPointer { dp in
            let residual = SharedReadPointer(base: rp.baseAddress!), out = SharedPointer(base: dp.baseAddress!)
            HostThreads.forEachRange(blockCount) { range in
                var lanes = [Float](repeating: 0, count: 16 * terms)
                for b in range {
                    let (i0, len) = Self.rows(ofBlock: b, n: n)
                    vl_support_gradient(s.g + i0, n, s.x + i0, n, s.columns, s.start, a, residual.base + i0, len, sub,
                                        &lanes, out.base + b * terms)
                }
            }
        } } }
        return inBlockOrder(dots, terms: terms)
    }

    /// The per-block dot products (`blocks x terms`) summed per term in double precision,
    /// block by block in order.
    private func inBlockOrder(_ dots: [Float], terms: Int) -> [Double] {
        var acc = [Double](repeating: 0, count: terms)
        for b in 0..<blockCount {
            for t in 0..<terms { acc[t] += Double(dots[b * terms + t]) }
        }
        return acc
    }

    /// `A_S^T r` as floats (see `gradientDouble`).
    func gradient(_ r: [Float]) -> [Float] { gradientDouble(r).map { Float($0) } }

    /// `||A_S v - t||^2` and `A_S^T (A_S v - t)` in one sweep over the rows (`t`: `target`,
    /// length n, or zero when nil): each sub-block's `A_S v - t` is formed and multiplied
    /// back while its rows are in cache (half the memory traffic of a forward and a gradient
    /// product). Per block a float sum of squares and float dot products, summed in double
    /// in block order; with a target, the same bits as `gradientDouble(forward(v) - t)`
    /// (the squared loss's residual), from one sweep instead of two.
    func normalProducts(_ v: [Float], minus target: [Float]? = nil) -> (squares: Double, normal: [Double]) {
        let terms = columns.count, n = self.n, a = self.a, sub = self.sub
        precondition(target.map { $0.count == n } ?? true, "target of \(target?.count ?? 0) rows for \(n)")
        var dots = [Float](repeating: 0, count: blockCount * terms), squares = [Float](repeating: 0, count: blockCount)
        withStorage { s in v.withUnsafeBufferPointer { vp in withOptionalPointer(target) { tp in
            dots.withUnsafeMutableBufferPointer { dp in squares.withUnsafeMutableBufferPointer { sq in
                let values = SharedReadPointer(base: vp.baseAddress!), target = tp.map { SharedReadPointer(base: $0) }
                let out = SharedPointer(base: dp.baseAddress!), square = SharedPointer(base: sq.baseAddress!)
                HostThreads.forEachRange(blockCount) { range in
                    var lanes = [Float](repeating: 0, count: 16 * terms), y = [Float](repeating: 0, count: Self.block)
                    for b in range {
                        let (i0, len) = Self.rows(ofBlock: b, n: n)
                        vl_support_normal(s.g + i0, n, s.x + i0, n, s.columns, s.start, a, values.base,
                                          target.map { $0.base + i0 }, &y, len, sub, n - i0 - len, &lanes,
                                          square.base + b, out.base + b * terms)
                    }
                }
            } }
        } } }
        return (squares.reduce(0) { $0 + Double($1) }, inBlockOrder(dots, terms: terms))
    }

    /// `||A_S v||^2` alone (the `squares` of `normalProducts`, the same bits) from a forward
    /// sweep: per block `vl_dot` of the block's `A_S v` with itself, summed in double in
    /// block order.
    func forwardSquares(_ v: [Float]) -> Double {
        let n = self.n, a = self.a, sub = self.sub
        var squares = [Float](repeating: 0, count: blockCount)
        withStorage { s in v.withUnsafeBufferPointer { vp in squares.withUnsafeMutableBufferPointer { sq in
            let values = SharedReadPointer(base: vp.baseAddress!), square = SharedPointer(base: sq.baseAddress!)
            HostThreads.forEachRange(blockCount) { range in
                var y = [Float](repeating: 0, count: Self.block)
                for b in range {
                    let (i0, len) = Self.rows(ofBlock: b, n: n)
                    vl_support_forward(s.g + i0, n, s.x + i0, n, s.columns, s.start, a, values.base, &y, len, sub,
                                       n - i0 - len)
                    square.base[b] = vl_dot(y, y, len)
                }
            }
        } } }
        return squares.reduce(0) { $0 + Double($1) }
    }
}

/// Runs `body` with the storage of `values`, or with nil when there are none.
@inline(__always)
private func withOptionalPointer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0.baseAddress) }
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
/// time for all neurons (blocks split among `HostThreads`); a neuron without entries has
/// zero gates.
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
    let neuronRows = rows, ranges = start
    xT.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
        columns.withUnsafeBufferPointer { cp in values.withUnsafeBufferPointer { vp in
            let x = SharedReadPointer(base: xp.baseAddress!), o = SharedPointer(base: op.baseAddress!)
            let c = SharedReadPointer(base: cp.baseAddress!), v = SharedReadPointer(base: vp.baseAddress!)
            // Blocks of rows split among the host threads: each writes its own rows (the next
            // block prefetched while there is one).
            HostThreads.forEachRange(SupportProducts.blockCount(n: n)) { range in
                for b in range {
                    let (i0, len) = SupportProducts.rows(ofBlock: b, n: n)
                    for (p, q) in neuronRows.enumerated() {
                        let lo = ranges[p]
                        vl_positive_combination(v.base + lo, x.base + i0, c.base + lo, ranges[p + 1] - lo, n,
                                                o.base + q * n + i0, len, i0 + len < n ? block : 0)
                    }
                }
            }
        } }
    } }
    return out
}
