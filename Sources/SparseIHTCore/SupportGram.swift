/// The normal matrix `A_S^T A_S` of a support (`s x s`, double, row-major, symmetric), built
/// in one pass over the data so that any number of products `A_S^T A_S v` afterwards cost
/// `O(s^2)` each instead of a sweep over the data (`SupportProducts.normalProducts`,
/// `O(n s)`). Built per block of rows: the block's gated columns `g_{j_t} .* x_{:, i_t}`
/// (`s x len` floats), their pairwise float dot products in a fixed order (four at a time),
/// summed over blocks in double precision in order; on the host, so every backend gets the
/// same bits. Costs `O(n s^2)` time and `8 s^2` bytes: worth it when many products follow
/// (the conjugate-gradient refinement's up to 50 per step).
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
                        for i in 0..<len { row[i] = Float(gate[i]) * col[i] }
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

/// Dot products of `rows` (1 to 4) vectors `a + r * stride` with `b`, `n` floats each, in the
/// fixed order of `dot` (two 8-lane accumulators over blocks of 16, folded in order, then the
/// tail), so each result equals `dot(a + r * stride, b, n)`; `b` is read once for all rows.
@inline(__always)
func dot4(_ a: UnsafePointer<Float>, rows: Int, stride: Int, _ b: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float> {
    var out = SIMD4<Float>()
    if rows < 4 {
        for r in 0..<rows { out[r] = dot(a + r * stride, b, n) }
        return out
    }
    var a0 = SIMD8<Float>(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0
    let blocks = n / 16
    let rb = UnsafeRawPointer(b)
    let r0 = UnsafeRawPointer(a), r1 = UnsafeRawPointer(a + stride)
    let r2 = UnsafeRawPointer(a + 2 * stride), r3 = UnsafeRawPointer(a + 3 * stride)
    for k in 0..<blocks {
        let x0 = rb.loadUnaligned(fromByteOffset: k * 64, as: SIMD8<Float>.self)
        let x1 = rb.loadUnaligned(fromByteOffset: k * 64 + 32, as: SIMD8<Float>.self)
        a0 += r0.loadUnaligned(fromByteOffset: k * 64, as: SIMD8<Float>.self) * x0
        a1 += r0.loadUnaligned(fromByteOffset: k * 64 + 32, as: SIMD8<Float>.self) * x1
        b0 += r1.loadUnaligned(fromByteOffset: k * 64, as: SIMD8<Float>.self) * x0
        b1 += r1.loadUnaligned(fromByteOffset: k * 64 + 32, as: SIMD8<Float>.self) * x1
        c0 += r2.loadUnaligned(fromByteOffset: k * 64, as: SIMD8<Float>.self) * x0
        c1 += r2.loadUnaligned(fromByteOffset: k * 64 + 32, as: SIMD8<Float>.self) * x1
        d0 += r3.loadUnaligned(fromByteOffset: k * 64, as: SIMD8<Float>.self) * x0
        d1 += r3.loadUnaligned(fromByteOffset: k * 64 + 32, as: SIMD8<Float>.self) * x1
    }
    @inline(__always) func fold(_ v: SIMD8<Float>, _ row: UnsafePointer<Float>) -> Float {
        var s: Float = 0
        for l in 0..<8 { s += v[l] }
        for i in (blocks * 16)..<n { s += row[i] * b[i] }
        return s
    }
    out[0] = fold(a0 + a1, a)
    out[1] = fold(b0 + b1, a + stride)
    out[2] = fold(c0 + c1, a + 2 * stride)
    out[3] = fold(d0 + d1, a + 3 * stride)
    return out
}
