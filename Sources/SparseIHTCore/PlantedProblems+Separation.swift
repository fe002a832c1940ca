import Foundation

/// Planted networks with controlled separation of their neurons, for studying how
/// recovery depends on the pattern difference gamma (the smallest fraction of examples on
/// which two planted neurons' ReLU patterns differ).
extension PlantedProblems {
    /// Planted two-layer ReLU network whose `m` neurons are pairwise at the angle `degrees`
    /// (0 < degrees <= 90): the neurons share one support of `k = s / m` inputs, and
    /// `u_j = sqrt(k) (sqrt(cos t) c + sqrt(1 - cos t) e_j)` with `c, e_1..e_m` orthonormal
    /// on that support, so every pair has cosine `cos t`. On Gaussian inputs the expected
    /// pattern difference of a pair is `t / pi`. Unit output weights, `y = sum_j relu(X u_j)`.
    /// Needs `m >= 2`, `s` a multiple of `m`, and `m + 1 <= s / m <= d`.
    public static func plantedMLP<B: ComputeBackend>(n: Int, d: Int, m: Int, s: Int, seed: UInt64, angleDegrees: Double,
                                                     backend: B) throws -> PlantedProblem {
        let x = gaussianMatrix(n: n, d: d, seed: seed)
        let truth = try separatedTruth(d: d, m: m, s: s, degrees: angleDegrees, seed: seed)
        var bank = GeneratorBank(d: d, m: m, seed: seed)
        bank.followedWeights = truth
        let y = try gatedOutput(x: x, n: n, d: d, weights: truth, bank: bank, backend: backend)
        return PlantedProblem(problem: try RegressionProblem(x: x, y: y, n: n, d: d), truth: truth,
                              permutationInvariant: true)
    }

    /// The neurons of `plantedMLP(..., angleDegrees:)` (flat index `j * d + i`).
    static func separatedTruth(d: Int, m: Int, s: Int, degrees: Double, seed: UInt64) throws -> SparseWeights {
        guard degrees > 0, degrees <= 90 else {
            throw SparseIHTError.invalidArgument("--planted-angle must be in (0, 90] degrees (got \(degrees))")
        }
        let k = m > 0 ? s / m : 0
        guard m >= 2, s % m == 0, k >= m + 1, k <= d else {
            throw SparseIHTError.invalidArgument(
                "--planted-angle needs m >= 2, s a multiple of m and m + 1 <= s/m <= d (got m = \(m), s = \(s), d = \(d))")
        }
        var rng = SeededGenerator(seed: seed, stream: 3)
        let support = rng.distinct(k, below: d).sorted()
        var basis: [[Double]] = []
        while basis.count < m + 1 {
            var v = rng.normals(k).map(Double.init)
            for b in basis {
                let p = zip(v, b).reduce(0) { $0 + $1.0 * $1.1 }
                for t in 0..<k { v[t] -= p * b[t] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-3 { basis.append(v.map { $0 / norm }) }
        }
        let c = cos(degrees * .pi / 180)
        let shared = c.squareRoot(), own = max(0, 1 - c).squareRoot(), scale = Double(k).squareRoot()
        var indices: [Int] = [], values: [Float] = []
        for j in 0..<m {
            for (t, i) in support.enumerated() {
                indices.append(j * d + i)
                let v = Float(scale * (shared * basis[0][t] + own * basis[j + 1][t]))
                values.append(v == 0 ? Float.leastNormalMagnitude : v)
            }
        }
        return SparseWeights(d: d, m: m, indices: indices, values: values)
    }

    /// Pattern difference gamma of a network's neurons on `x` (`n x d`): the smallest
    /// fraction of rows on which `relu(x u_i)` and `relu(x u_j)` differ in being active,
    /// over pairs of active neurons; nil with fewer than two.
    public static func patternSeparation(x: [Float], n: Int, d: Int, weights: SparseWeights) -> Double? {
        let active = weights.activeNeurons
        guard active.count >= 2, n > 0 else { return nil }
        var on = [[Bool]](repeating: [Bool](repeating: false, count: n), count: active.count)
        let slot = Dictionary(uniqueKeysWithValues: active.enumerated().map { ($1, $0) })
        var pre = [Double](repeating: 0, count: n * active.count)
        for (idx, v) in zip(weights.indices, weights.values) {
            guard let a = slot[idx / d] else { continue }
            let i = idx % d
            for r in 0..<n { pre[r * active.count + a] += Double(x[r * d + i]) * Double(v) }
        }
        for r in 0..<n { for a in 0..<active.count { on[a][r] = pre[r * active.count + a] > 0 } }
        var best = 1.0
        for p in 0..<active.count { for q in (p + 1)..<active.count {
            let diff = zip(on[p], on[q]).reduce(0) { $0 + ($1.0 != $1.1 ? 1 : 0) }
            best = min(best, Double(diff) / Double(n))
        } }
        return best
    }
}
