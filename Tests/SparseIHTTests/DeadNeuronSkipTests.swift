import Foundation
@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// The thresholding pass skips neurons without a generator (their gates, gradients and
/// candidates are zero) and still returns the top k over all `m d` candidates.
final class DeadNeuronSkipTests: XCTestCase {
    /// The nonzero entries of the top k of `w - mu X^T (g_j .* r)` over every neuron, in
    /// double precision, ties to the lowest index.
    func reference(x: [Float], y: [Float], n: Int, d: Int, m: Int, w: SparseWeights, bank: GeneratorBank,
                   mu: Double, k: Int) -> [Int] {
        let h = bank.rows(Array(0..<m))
        var gates = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m {
            let z = (0..<d).reduce(0.0) { $0 + Double(x[i * d + $1]) * Double(h[j * d + $1]) }
            gates[i * m + j] = z > 0 ? 1 : 0
        } }
        var dense = [Double](repeating: 0, count: m * d)
        for (f, v) in zip(w.indices, w.values) { dense[f] = Double(v) }
        var r = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var yhat = 0.0
            for j in 0..<m { for c in 0..<d { yhat += gates[i * m + j] * Double(x[i * d + c]) * dense[j * d + c] } }
            r[i] = yhat - Double(y[i])
        }
        var cand = dense
        for j in 0..<m { for c in 0..<d {
            var g = 0.0
            for i in 0..<n { g += gates[i * m + j] * r[i] * Double(x[i * d + c]) }
            cand[j * d + c] -= mu * g
        } }
        let order = (0..<(m * d)).sorted { abs(cand[$0]) != abs(cand[$1]) ? abs(cand[$0]) > abs(cand[$1]) : $0 < $1 }
        return Array(order.prefix(k)).filter { cand[$0] != 0 }.sorted()   // zeros leave the weights
    }

    func testSkippedNeuronsLeaveTheSelectionUnchanged() throws {
        let n = 60, d = 5, m = 6
        var rng = SeededGenerator(seed: 21, stream: 0)
        let x = rng.normals(n * d), y = rng.normals(n)
        // Neurons 1, 3 and 4 are dead without revival (zero generators, zero gates).
        let w = SparseWeights(d: d, m: m, indices: [0, 3, 11, 12, 27], values: [0.7, -0.4, 0.9, 0.2, -0.6])
        var options = SolverOptions(m: m, s: 5)
        options.revive = false
        let solver = try IHTSolver(backend: CPUBackend(), problem: try RegressionProblem(x: x, y: y, n: n, d: d), options: options)
        var bank = GeneratorBank(d: d, m: m, seed: 3)
        bank.followedWeights = w
        XCTAssertEqual(bank.generatingNeurons(), [0, 2, 5])
        let data = try solver.batch(BatchSchedule(n: n, batchSize: nil, seed: 0), step: 0)
        // k = 4: a few of the live neurons' candidates. k = 20: more than the 15 candidates of
        // the live neurons, so the top k over all neurons holds zeros, which leave the weights.
        for k in [4, 20] {
            let (out, mu, _, _) = try solver.thresholdStep(w, bank: bank, data: data, k: k, chunk: 2)
            let want = reference(x: x, y: y, n: n, d: d, m: m, w: w, bank: bank, mu: mu, k: k)
            XCTAssertEqual(out.indices, want, "k \(k)")
        }
    }
}
