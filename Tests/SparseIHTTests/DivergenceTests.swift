@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// Detection of a vector-output run that blew up (fixed step too large).
final class DivergenceTests: XCTestCase {
    func report(_ epoch: Int, _ loss: Double) -> EpochReport {
        EpochReport(epoch: epoch, loss: loss, supportSize: 10, activeNeurons: 2, seconds: 0)
    }

    func testDivergenceRule() {
        XCTAssertNil(EpochReport.divergence(in: []))
        XCTAssertNil(EpochReport.divergence(in: [report(1, 2.3), report(2, 1.0), report(3, 1.2), report(4, 9.9)]))
        let blown = EpochReport.divergence(in: [report(1, 2.0), report(2, 0.6), report(3, 3.0), report(4, 523)])
        XCTAssertEqual(blown?.report.epoch, 4); XCTAssertEqual(blown?.lowest, 0.6)
        XCTAssertEqual(EpochReport.divergence(in: [report(1, 2.0), report(2, .nan)])?.report.epoch, 2)
        XCTAssertEqual(EpochReport.divergence(in: [report(1, .infinity)])?.report.epoch, 1)
    }

    /// A real blow-up: softmax cross-entropy on labels of a planted 3-output network
    /// (argmax) with a fixed step far above the stable one; the loss jumps, neurons die,
    /// and the rule flags it. A stable step does not trigger it.
    func testVectorSolverBlowUpIsDetected() throws {
        let b = CPUBackend()
        let n = 400, k = 3
        let planted = try PlantedProblems.plantedNetwork(n: n, d: 8, m: 4, s: 12, layers: 1, outputs: k, seed: 3, backend: b)
        var onehot = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            let row = planted.y[(i * k)..<((i + 1) * k)]
            onehot[i * k + row.indices.max { row[$0] < row[$1] }! - i * k] = 1
        }
        func losses(_ lr: Double) throws -> [EpochReport] {
            var o = VectorOptions(m: 8, s: 60)
            o.epochs = 30; o.learningRate = lr; o.seed = 3; o.loss = .crossEntropy
            var history: [EpochReport] = []
            let solver = try VectorIHTSolver(backend: b, x: planted.x, y: onehot, n: n, d: 8, k: k, options: o)
            solver.onEpoch = { history.append($0) }
            _ = try solver.run()
            return history
        }
        XCTAssertNil(EpochReport.divergence(in: try losses(10)), "a stable step (loss 1.10 -> 0.21)")
        // Measured: 1.10, 1.34, 41.4, 356, ... (30 gives NaN, which the solver reports as an error).
        let blown = EpochReport.divergence(in: try losses(40))
        XCTAssertEqual(blown?.report.epoch, 3)
    }
}
