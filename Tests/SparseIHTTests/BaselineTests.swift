import SparseIHTBaselines
import SparseIHTCore
import SparseIHTCPU
import XCTest

/// The IMP baseline: pruning arithmetic, rewinding, and CPU/OpenCL parity.
final class BaselineTests: XCTestCase {
    func testGlobalPruningCountsAndTies() {
        var net = DenseMLP(sizes: [3, 2, 1], seed: 1)
        net.layers = [[0.5, -0.1, 0.3, 0.1, -0.9, 0.2], [0.1, -2]]
        let masks = MagnitudePruning.prune(net, count: 3)
        // Smallest magnitudes: 0.1 (layer 0 index 1), 0.1 (layer 0 index 3), 0.1 (layer 1 index 0): ties by layer, index.
        XCTAssertEqual(masks[0], [1, 0, 1, 0, 1, 1])
        XCTAssertEqual(masks[1], [0, 1])
        net.masks = masks
        XCTAssertEqual(net.remaining, 5)
        XCTAssertEqual(MagnitudePruning.prune(net, count: 1)[0], [1, 0, 1, 0, 1, 0])
    }

    /// IMP rounds remove 10% each, rewind to the initial weights, and stop at the budget.
    func testIterativePruningTrajectory() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 400, d: 6, m: 3, s: 6, seed: 1, backend: b)
        let initial = DenseMLP(sizes: [6, 5, 1], seed: 2)
        var trainer = AdamTrainer(); trainer.epochs = 3; trainer.batchSize = 100
        let rounds = try MagnitudePruning.iterative(initial: initial, fraction: 0.1, minRemaining: 20, trainer: trainer,
                                                    x: p.problem.x, y: p.problem.y, n: 400, backend: b) { _ in 0 }
        XCTAssertEqual(rounds.map(\.trainedRemaining), [35, 32, 29, 26, 23, 21, 19])
        XCTAssertEqual(rounds.map(\.remaining), [32, 29, 26, 23, 21, 19, 19])
        XCTAssertEqual(rounds.map(\.pruned), [true, true, true, true, true, true, false])
        XCTAssertEqual(MagnitudePruning.atBudget(rounds, s: 25)?.round, 3)
        XCTAssertEqual(MagnitudePruning.atBudgetRetrained(rounds, s: 25)?.round, 4)
    }

    /// Adam reduces the loss; pruned weights stay zero after every update.
    func testTrainingRespectsMasks() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 500, d: 8, m: 2, s: 6, seed: 3, backend: b)
        var net = DenseMLP(sizes: [8, 6, 1], seed: 3)
        net.masks[0] = net.masks[0].enumerated().map { $0.offset % 3 == 0 ? 0 : 1 }
        var trainer = AdamTrainer(); trainer.epochs = 20; trainer.batchSize = 100; trainer.learningRate = 0.01
        let curve = try trainer.train(&net, x: p.problem.x, y: p.problem.y, n: 500, backend: b)
        XCTAssertLessThan(curve.last!, curve.first! * 0.5)
        for (i, w) in net.layers[0].enumerated() where i % 3 == 0 { XCTAssertEqual(w, 0) }
    }

    /// Same seed on CPU and OpenCL: identical masks after two IMP rounds and training
    /// curves within 1e-3 relative.
    func testBackendParity() throws {
        var results: [([[Float]], [Double])] = []
        try forEachBackend { b in results.append(try Self.impRun(b)) }
        guard results.count == 2 else { return }
        XCTAssertEqual(results[0].0, results[1].0, "masks differ between backends")
        for (a, c) in zip(results[0].1, results[1].1) { XCTAssertEqual(a, c, accuracy: 1e-3 * abs(a) + 1e-6) }
    }

    static func impRun<B: ComputeBackend>(_ b: B) throws -> ([[Float]], [Double]) {
        let p = try PlantedProblems.plantedMLP(n: 300, d: 5, m: 2, s: 5, seed: 4, backend: CPUBackend())
        var net = DenseMLP(sizes: [5, 4, 1], seed: 4)
        var trainer = AdamTrainer(); trainer.epochs = 5; trainer.batchSize = 100
        var curve: [Double] = []
        for _ in 0..<2 {
            var trained = net
            curve += try trainer.train(&trained, x: p.problem.x, y: p.problem.y, n: 300, backend: b)
            net.masks = MagnitudePruning.prune(trained, count: trained.remaining / 10)
        }
        return (net.masks, curve)
    }
}
