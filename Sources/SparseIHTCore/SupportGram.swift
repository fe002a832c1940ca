import CVectorLoops

/// The normal matrix `A_S^T A_S` of a support (`s x s`, double, row-major, symmetric), built
/// in one pass over the data so that any number of products `A_S^T A_S v` afterwards cost
/// `O(s^2)` each instead of a sweep over the data (`SupportProducts.normalProducts`,
/// `O(n s)`). Built per block of rows: the block's gated columns `g_{j_t} .* x_{:, i_t}`
/// (`s x len` floats), their pairwise float dot products in a fixed order (four at a time),
/// summed over blocks in double precision in order; on the host, so every backend gets the
/// same bits. Costs `O(n s^2)` time and `8 s^2` bytes: worth it when many products follow
/// (the conjugate-gradient refinement's up to 40 per step in the search recipe).
struct SupportGram {
    let s: Int
    let matrix: [Double]

    /// Largest support built as a Gram (`8 s^2` bytes: 128 MiB at 4,096).
    static let maxEntries = 4_096

    /// Whether building the Gram of `s` support entries costs less than `products` sweeps
    /// (at most 8 entries per product). Measured on the planted cells (n 50,000, d 100): with
    /// 50 conjugate steps at s 100 the refinement runs 3-5x faster; with the 10-step rules
    /// at s 50-100 the Gram saves nothing measurable, so they keep the sweeps.
    static func pays(entries s: Int, products: Int) -> Bool {
        s > 0 && s <= maxEntries && s <= 8 * products
    }

    init(_ p: SupportProducts) {
        let s = p.columns.count, n = p.n
        self.s = s
        var g = [Double](repeating: 0, count: s * s)
        guard s > 0 else { matrix = g; return }
        let block = SupportProducts.block
        var b = [Float](repeating: 0, count: s * block)
        p.xT.withUnsafeBufferPointer { xp in p.gates.withUnsafeBufferPointer { gp in
        b.withUnsafeMutableBufferPointer { bp in g.withUnsafeMutableBufferPointer { G in
            let x = xp.baseAddress!, gates = gp.baseAddress!, B = bp.baseAddress!
            for i0 in stride(from: 0, to: n, by: block) {
                let len = min(block, n - i0)
                // Gated columns of the block, one row of B per support entry.
                for q in 0..<p.a {
                    let gate = gates + q * n + i0
                    for t in p.start[q]..<p.start[q + 1] {
                        let col = x + p.columns[t] * n + i0, row = B + t * len
                        vl_gated(gate, col, row, len)
                    }
                }
                // Upper triangle (u >= t), four rows t at a time against one row u.
                var t = 0
                while t < s {
                    let rows = min(4, s - t)
                    for u in t..<s {
                        let d = dot4(B + t * len, rows: rows, stride: len, B + u * len, len)
                        for r in 0..<rows where t + r <= u { G[(t + r) * s + u] += Double(d[r]) }
                    }
                    t += rows
                }
            }
            for t in 0..<s { for u in 0..<t { G[t * s + u] = G[u * s + t] } }
        } } } }
        matrix = g
    }

    /// `||A_S v||^2 = v^T G v` and `A_S^T A_S v = G v` for support values `v` (`s` entries).
    func normalProducts(_ v: [Double]) -> (squares: Double, normal: [Double]) {
        var out = [Double](repeating: 0, count: s)
        var squares = 0.0
        matrix.withUnsafeBufferPointer { G in
            for t in 0..<s {
                var acc = 0.0
                let row = G.baseAddress! + t * s
                for u in 0..<s { acc += row[u] * v[u] }
                out[t] = acc
                squares += v[t] * acc
            }
        }
        return (squares, out)
    }
}

/// Dot products of `rows` (1 to 4) vectors `a + r * stride` with `b`, `n` floats each, each
/// equal to `vl_dot(a + r * stride, b, n)`; with four rows `b` is read once for all of them.
@inline(__always)
func dot4(_ a: UnsafePointer<Float>, rows: Int, stride: Int, _ b: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float> {
    dot4(rows: rows, { a + $0 * stride }, b, n)
}

/// Dot products of `rows` (1 to 4) columns `x + columns[r] * ld` with `b` (see `dot4`).
@inline(__always)
func dot4(columns x: UnsafePointer<Float>, _ columns: UnsafePointer<Int>, rows: Int, ld: Int, _ b: UnsafePointer<Float>,
          _ n: Int) -> SIMD4<Float> {
    dot4(rows: rows, { x + columns[$0] * ld }, b, n)
}

/// Dot products of rows `row(0) ..< row(rows)` (1 to 4) with `b`, each equal to `vl_dot`.
@inline(__always)
func dot4(rows: Int, _ row: (Int) -> UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float> {
    var out = SIMD4<Float>()
    if rows < 4 {
        for r in 0..<rows { out[r] = vl_dot(row(r), b, n) }
        return out
    }
    var four: (Float, Float, Float, Float) = (0, 0, 0, 0)
    withUnsafeMutablePointer(to: &four) { p in
        p.withMemoryRebound(to: Float.self, capacity: 4) { vl_dot4(row(0), row(1), row(2), row(3), b, n, $0) }
    }
    out[0] = four.0; out[1] = four.1; out[2] = four.2; out[3] = four.3
    return out
}
