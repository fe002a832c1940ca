import SparseIHTBaselines
import SparseIHTCore
import SparseIHTCPU
import XCTest

/// Pins the published IMP protocol: pruning arithmetic, rewinding to the initial weights,
/// scoring of the pruned network, and Adam's bias-corrected first step.
final class IMPProtocolTests: XCTestCase {
    /// 10% of the unpruned weights per round, rounded half to even as PyTorch does on the
    /// published fraction: the 10-class m = 100 network (79,400 weights) reaches 455 after 49
    /// rounds, the published count at budget 500.
    func testPruneCountsFollowPublishedRounding() {
        XCTAssertEqual(MagnitudePruning.pruneCount(remaining: 79_400, total: 79_400, fraction: 0.1), 7_940)
        XCTAssertEqual(MagnitudePruning.pruneCount(remaining: 35, total: 35, fraction: 0.1), 3)  // 3.4999...: down
        XCTAssertEqual(MagnitudePruning.pruneCount(remaining: 4, total: 35, fraction: 0.1), 1)  // 0.4: at least one
        XCTAssertEqual(MagnitudePruning.pruneCount(remaining: 1, total: 35, fraction: 0.9), 1)
        var remaining = 79_400, rounds = 0, trail: [Int] = []
        while remaining > 500 {
            remaining -= MagnitudePruning.pruneCount(remaining: remaining, total: 79_400, fraction: 0.1)
            rounds += 1
            trail.append(remaining)
        }
        XCTAssertEqual(rounds, 49)
        XCTAssertEqual(Array(trail.suffix(3)), [562, 506, 455])
    }

    /// Every round after the first restarts from the initial weights under the previous
    /// round's mask (bit for bit the same as training that rewound network by hand), the
    /// pruned network has its pruned weights at zero, and the counts chain.
    func testRoundsRewindToInitialWeights() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 200, d: 6, m: 3, s: 6, seed: 5, backend: b)
        let initial = DenseMLP(sizes: [6, 4, 1], seed: 6)
        var trainer = AdamTrainer(); trainer.epochs = 4; trainer.batchSize = 50; trainer.learningRate = 0.01; trainer.seed = 9
        var scored: [DenseMLP] = []
        let rounds = try MagnitudePruning.iterative(initial: initial, fraction: 0.2, minRemaining: 15, trainer: trainer,
                                                    x: p.problem.x, y: p.problem.y, n: 200, backend: b) { net in
            scored.append(net)
            return Double(scored.count)
        }
        XCTAssertEqual(scored.count, 2 * rounds.count - 1)  // trained and pruned each round, trained only at the end
        for r in 1..<rounds.count {
            let trained = scored[2 * r], prunedBefore = scored[2 * r - 1]
            XCTAssertEqual(rounds[r].trainedRemaining, rounds[r - 1].remaining)
            var byHand = initial
            byHand.masks = prunedBefore.masks
            var t = trainer
            t.seed = trainer.seed &+ UInt64(r) &* 0x9E37_79B9_7F4A_7C15
            _ = try t.train(&byHand, x: p.problem.x, y: p.problem.y, n: 200, backend: b)
            XCTAssertEqual(byHand.layers, trained.layers, "round \(r) did not start from the initial weights")
            XCTAssertNotEqual(trained.layers, initial.applyingMasks().layers)
        }
        for r in 0..<(rounds.count - 1) {
            let pruned = scored[2 * r + 1]
            XCTAssertEqual(pruned.nonzeroCount, rounds[r].remaining)
            for (w, m) in zip(pruned.layers.joined(), pruned.masks.joined()) where m == 0 { XCTAssertEqual(w, 0) }
            XCTAssertEqual(rounds[r].remaining,
                           rounds[r].trainedRemaining - MagnitudePruning.pruneCount(remaining: rounds[r].trainedRemaining,
                                                                                    total: 28, fraction: 0.2))
        }
        XCTAssertLessThanOrEqual(rounds[rounds.count - 2].remaining, 15)
        XCTAssertGreaterThan(rounds[rounds.count - 3].remaining, 15)
    }

    /// Adam's first step with bias correction moves every weight with a nonzero gradient by
    /// lr * g / (|g| + 1e-8), i.e. by lr in magnitude (without the correction it would be
    /// sqrt(1000) / 10 times larger); masked weights stay at zero.
    func testFirstAdamStepIsBiasCorrected() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 64, d: 5, m: 2, s: 5, seed: 7, backend: b)
        var net = DenseMLP(sizes: [5, 3, 1], seed: 8)
        net.masks[0][0] = 0
        let before = net.applyingMasks()
        var trainer = AdamTrainer(); trainer.epochs = 1; trainer.learningRate = 0.01
        _ = try trainer.train(&net, x: p.problem.x, y: p.problem.y, n: 64, backend: b)
        XCTAssertEqual(net.layers[0][0], 0)
        var moved = 0
        for (w0, w1) in zip(before.layers.joined(), net.layers.joined()) where w0 != w1 {
            XCTAssertEqual(abs(w1 - w0), 0.01, accuracy: 1e-5)
            moved += 1
        }
        XCTAssertGreaterThan(moved, 5)
    }
}
