import CBLAS
import SparseIHTCore

/// The diagnostics the paper's theory calls for (docs/method.md section 5), measured on the
/// recovered support with the final gates, on the host in Double.
public struct SupportDiagnostics: Sendable, Codable {
    /// Active neurons (distinct patterns are counted among them).
    public var activeNeurons: Int
    /// Smallest fraction of examples an active pattern covers (Assumption 2's eps).
    public var coverageEps: Double?
    /// Smallest fraction of examples on which two distinct active patterns differ (gamma).
    public var separationGamma: Double?
    /// Number of distinct active patterns.
    public var distinctPatterns: Int
    /// Extreme eigenvalues of `A_S^T A_S / n` and their ratio; nil when the support is
    /// larger than `maxEigenSupport` (a dense s x s eigenproblem).
    public var restrictedEigMin: Double?
    public var restrictedEigMax: Double?
    public var restrictedCondition: Double?

    /// - Parameters: `x` (`n x d`), the recovered `weights`, the final `generators`.
    public init(x: [Float], n: Int, d: Int, weights: SparseWeights, generators: GeneratorBank,
                linear: Bool = false, maxEigenSupport: Int = 3000) throws {
        let active = weights.activeNeurons
        activeNeurons = active.count
        let cpu = CPUBackend()
        let a = active.count
        var gate = [Float](repeating: 1, count: n * a)
        if !linear && a > 0 {
            let xb = try cpu.makeBuffer(x), h = try cpu.makeBuffer(generators.rows(active)), g = try cpu.makeBuffer(count: n * a)
            try cpu.gate(x: xb, n: n, d: d, generators: h, c: a, into: g)
            gate = try cpu.read(g, count: n * a)
        }
        // Patterns as bitsets for coverage and pairwise Hamming distances.
        let words = (n + 63) / 64
        var bits = [UInt64](repeating: 0, count: a * words)
        var covered = [Int](repeating: 0, count: a)
        for i in 0..<n { for j in 0..<a where gate[i * a + j] != 0 {
            bits[j * words + i / 64] |= 1 << UInt64(i % 64); covered[j] += 1
        } }
        coverageEps = a == 0 ? nil : Double(covered.min() ?? 0) / Double(n)
        var distinct = Set<[UInt64]>()
        for j in 0..<a { distinct.insert(Array(bits[(j * words)..<((j + 1) * words)])) }
        distinctPatterns = distinct.count
        var minDiff: Int?
        for p in 0..<a { for q in (p + 1)..<max(a, p + 1) {
            var diff = 0
            for w in 0..<words { diff += (bits[p * words + w] ^ bits[q * words + w]).nonzeroBitCount }
            if diff > 0 { minDiff = min(minDiff ?? diff, diff) }
        } }
        separationGamma = minDiff.map { Double($0) / Double(n) }
        // Restricted conditioning: Gram matrix of the support's columns g_j .* x_i.
        let s = weights.count
        guard s > 0, s <= maxEigenSupport else { return }
        var col = [Float](repeating: 0, count: n * s)  // A_S, n x s
        var rowOf = [Int: Int]()
        for (r, j) in active.enumerated() { rowOf[j] = r }
        for (t, idx) in weights.indices.enumerated() {
            let j = rowOf[idx / d]!, i = idx % d
            for e in 0..<n { col[e * s + t] = gate[e * a + j] * x[e * d + i] }
        }
        let ab = try cpu.makeBuffer(col), gram = try cpu.makeBuffer(count: s * s)
        try cpu.gemm(transA: true, transB: false, m: s, n: s, k: n, alpha: 1 / Float(n), a: ab, b: ab, beta: 0, c: gram)
        let eig = try symmetricEigenvalues(try cpu.read(gram, count: s * s).map(Double.init), s)
        restrictedEigMin = eig.first
        restrictedEigMax = eig.last
        if let lo = eig.first, let hi = eig.last { restrictedCondition = lo > 0 ? hi / lo : .infinity }
    }
}

/// Ascending eigenvalues of a symmetric `n x n` matrix through LAPACK `dsyev`.
public func symmetricEigenvalues(_ matrix: [Double], _ n: Int) throws -> [Double] {
    var a = matrix, w = [Double](repeating: 0, count: n)
    var nn = Int32(n), lda = Int32(max(n, 1)), info: Int32 = 0, lwork: Int32 = -1
    var query = 0.0
    "N".withCString { jobz in "U".withCString { uplo in
        dsyev_(jobz, uplo, &nn, &a, &lda, &w, &query, &lwork, &info)
    } }
    lwork = Int32(query)
    var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
    "N".withCString { jobz in "U".withCString { uplo in
        dsyev_(jobz, uplo, &nn, &a, &lda, &w, &work, &lwork, &info)
    } }
    guard info == 0 else { throw SparseIHTError.invalidArgument("dsyev failed with info \(info)") }
    return w
}
