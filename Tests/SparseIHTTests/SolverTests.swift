import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL
import XCTest

/// End-to-end checks of the IHT solver on both backends.
final class SolverTests: XCTestCase {
    /// The theorem's setting: planted on the solver's own generators, convex mode, exact
    /// recovery of w* on both backends, with the same support.
    func testDictionaryRecoveryIsExactOnBothBackends() throws {
        var supports: [[Int]] = []
        try forEachBackend { b in
            supports.append(try Self.dictionaryRecovery(b))
        }
        if supports.count == 2 { XCTAssertEqual(supports[0], supports[1], "CPU and OpenCL supports differ") }
    }

    static func dictionaryRecovery<B: ComputeBackend>(_ b: B) throws -> [Int] {
        let p = try PlantedProblems.plantedDictionary(n: 3000, d: 20, m: 30, s: 12, seed: 4, solverSeed: 4, backend: b)
        var o = SolverOptions(m: 30, s: 12)
        o.mode = .convex; o.steps = 60; o.seed = 4; o.chunk = 7
        let r = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        let metrics = RecoveryMetrics(recovered: r.weights, truth: p.truth, permutationInvariant: false)
        XCTAssertLessThanOrEqual(metrics.relativeWeightError, 1e-4, "\(b.kind) dictionary recovery")
        XCTAssertEqual(r.weights.indices, p.truth.indices, "\(b.kind) support")
        XCTAssertEqual(r.stopReason, .tolerance)
        return r.weights.indices
    }

    /// The best recipe recovers a small planted ReLU network (sequential mode) far beyond
    /// the published method's 15-35 dB.
    func testSequentialBestRecipeRecoversPlantedNetwork() throws {
        try forEachBackend { b in try Self.plantedRecovery(b) }
    }

    static func plantedRecovery<B: ComputeBackend>(_ b: B) throws {
        let p = try PlantedProblems.plantedMLP(n: 2000, d: 20, m: 4, s: 12, seed: 2, backend: b)
        var o = SolverOptions(m: 4, s: 12)
        o.steps = 80; o.seed = 2
        let r = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        XCTAssertGreaterThan(r.history.last!.psnr, 100, "\(b.kind) planted recovery")
        let metrics = RecoveryMetrics(recovered: r.weights, truth: p.truth, permutationInvariant: true)
        XCTAssertLessThan(metrics.relativeWeightError, 1e-3)
        XCTAssertEqual(metrics.supportRecall, 1)
    }

    /// The full-gradient step at fixed points keeps exact recovery and the CPU and OpenCL
    /// runs identical.
    func testFixedPointFullStep() throws {
        var histories: [[Double]] = []
        try forEachBackend { b in histories.append(try Self.fixedPointRun(b)) }
        if histories.count == 2 {
            XCTAssertEqual(histories[0].count, histories[1].count)
            for (a, c) in zip(histories[0], histories[1]) where a < 100 { XCTAssertEqual(a, c, accuracy: 0.01) }
        }
    }

    static func fixedPointRun<B: ComputeBackend>(_ b: B) throws -> [Double] {
        let p = try PlantedProblems.plantedMLP(n: 2000, d: 20, m: 6, s: 12, seed: 2, backend: b)
        var o = SolverOptions(m: 6, s: 12)
        o.steps = 80; o.seed = 2; o.fixedPointFullStep = true
        let r = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        XCTAssertGreaterThan(r.history.last!.psnr, 100, "\(b.kind)")
        return r.history.map(\.psnr)
    }

    /// A seed reproduces a run bit for bit; the streamed top-s does not depend on the chunk.
    func testDeterminismAndChunkInvariance() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 800, d: 15, m: 9, s: 20, seed: 1, backend: b)
        func run(chunk: Int, published: Bool = false) throws -> SolverResult {
            var o = SolverOptions(m: 9, s: 20)
            if published { o.apply(.published) }
            o.steps = 12; o.seed = 1; o.chunk = chunk
            return try IHTSolver(backend: b, problem: p.problem, options: o).run()
        }
        let a = try run(chunk: 2), again = try run(chunk: 2)
        XCTAssertEqual(a.weights, again.weights, "same seed must give identical weights")
        XCTAssertEqual(a.history.map(\.psnr), again.history.map(\.psnr))
        let first = try run(chunk: 9, published: true), firstChunked = try run(chunk: 1, published: true)
        XCTAssertEqual(first.history.count, 12)
        XCTAssertEqual(first.weights.indices, firstChunked.weights.indices, "chunking changed the support")
    }

    /// With an inflated threshold (s~ = 1.5 s) the result still has at most s nonzeros,
    /// also when the tolerance is met early.
    func testInflationNeverReturnsMoreThanS() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedDictionary(n: 1500, d: 12, m: 10, s: 8, seed: 2, solverSeed: 2, backend: b)
        var o = SolverOptions(m: 10, s: 8)
        o.mode = .convex; o.steps = 60; o.seed = 2; o.inflation = 1.5
        let r = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        XCTAssertLessThanOrEqual(r.weights.count, 8)
        XCTAssertEqual(r.stopReason, .tolerance)
        XCTAssertLessThan(RecoveryMetrics(recovered: r.weights, truth: p.truth, permutationInvariant: false).relativeWeightError, 1e-4)
    }

    /// Linear compressed sensing: exact recovery of an s-sparse vector.
    func testGaussianCompressedSensing() throws {
        try forEachBackend { b in try Self.compressedSensing(b) }
    }

    static func compressedSensing<B: ComputeBackend>(_ b: B) throws {
        let p = try PlantedProblems.gaussianSensing(n: 120, d: 300, s: 10, seed: 3)
        var o = SolverOptions(m: 1, s: 10)
        o.mode = .linear; o.steps = 50; o.chunk = 1
        let r = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        let m = RecoveryMetrics(recovered: r.weights, truth: p.truth, permutationInvariant: false)
        XCTAssertLessThan(m.relativeWeightError, 1e-4, "\(b.kind) compressed sensing")
    }

    /// Minibatch mode runs one step per batch with a seeded shuffle, deterministically.
    func testMinibatchIsDeterministic() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 1000, d: 10, m: 3, s: 8, seed: 5, backend: b)
        var o = SolverOptions(m: 3, s: 8)
        o.batchSize = 300; o.steps = 12; o.seed = 5
        let a = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        let c = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        XCTAssertEqual(a.history.count, 12)
        XCTAssertEqual(a.weights, c.weights)
        XCTAssertEqual(BatchSchedule(n: 1000, batchSize: 300, seed: 5).batchesPerEpoch, 4)
        let rows = (0..<4).flatMap { BatchSchedule(n: 1000, batchSize: 300, seed: 5).rows(forStep: $0)! }
        XCTAssertEqual(rows.sorted(), Array(0..<1000), "an epoch must visit every row once")
    }

    /// Memory grows with s and the chunk, not with m*d: 400,000 candidate weights, and the
    /// backend never holds anything near m*d floats.
    func testMemoryIsIndependentOfMTimesD() throws {
        let b = CPUBackend()
        let n = 300, d = 40, m = 10_000
        let p = try PlantedProblems.plantedMLP(n: n, d: d, m: 3, s: 10, seed: 6, backend: b)
        var o = SolverOptions(m: m, s: 10)
        o.steps = 2; o.chunk = 64; o.refineSteps = 2
        let r = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        XCTAssertEqual(r.weights.count, 10)
        XCTAssertLessThan(b.peakBytesAllocated, m * d * 4 / 4, "peak backend memory \(b.peakBytesAllocated) bytes")
    }

    func testBadInputIsRejectedWithClearErrors() throws {
        let b = CPUBackend()
        let good = try RegressionProblem(x: [1, 2, 3, 4], y: [1, 2], n: 2, d: 2)
        func expect(_ opts: SolverOptions, _ fragment: String) {
            XCTAssertThrowsError(try IHTSolver(backend: b, problem: good, options: opts)) { e in
                XCTAssert("\(e)".contains(fragment), "\(e) should mention \(fragment)")
            }
        }
        expect(SolverOptions(m: 2, s: 5), "exceeds m*d")
        expect(SolverOptions(m: 2, s: 0), "at least 1")
        expect(SolverOptions(m: 0, s: 1), "at least one neuron")
        var batch = SolverOptions(m: 2, s: 1); batch.batchSize = 3
        expect(batch, "batch size")
        XCTAssertThrowsError(try RegressionProblem(x: [1, .nan, 3, 4], y: [1, 2], n: 2, d: 2)) { e in
            XCTAssertEqual(e as? SparseIHTError, .nonFinite(what: "X", index: 1))
        }
        XCTAssertThrowsError(try RegressionProblem(x: [1, 2, 3, 4], y: [1, .infinity], n: 2, d: 2))
        XCTAssertThrowsError(try RegressionProblem(x: [1, 2, 3], y: [1, 2], n: 2, d: 2))
        XCTAssertThrowsError(try RegressionProblem(x: [1, 2, 3, 4], y: [1, 2, 3], n: 2, d: 2))
        XCTAssertThrowsError(try RegressionProblem(x: [1, 2, 3, 4], y: [0, 0], n: 2, d: 2))
    }
}
