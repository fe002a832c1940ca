import Foundation
@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// The switches that escape the planted fixed point (`SolverOptions.Recipe.search`):
/// conjugate-gradient refinement, the residual generator of a re-seeded neuron, and
/// re-seeding as a search from the best iterate, on both backends.
final class FixedPointEscapeTests: XCTestCase {
    /// On the true support of an ill-conditioned sensing problem (n 60, s 40), conjugate
    /// gradients solve the support least squares (the planted values) where as many exact
    /// line-search steps stay far off.
    func testConjugateRefinementSolvesTheSupportLeastSquares() throws {
        try forEachBackend { b in
            func check<B: ComputeBackend>(_ b: B) throws {
                let n = 60, d = 80, s = 40
                let p = try PlantedProblems.gaussianSensing(n: n, d: d, s: s, seed: 7)
                func error(_ rule: SolverOptions.RefineRule) throws -> Double {
                    var o = SolverOptions(m: 1, s: s)
                    o.mode = .linear; o.refineRule = rule; o.refineSteps = 2 * s
                    let solver = try IHTSolver(backend: b, problem: p.problem, options: o)
                    let data = try solver.batch(BatchSchedule(n: n, batchSize: nil, seed: 0), step: 0)
                    var w = SparseWeights(d: d, m: 1, indices: p.truth.indices, values: [Float](repeating: 0.5, count: s))
                    let steps = try solver.refine(&w, bank: GeneratorBank(d: d, m: 1, seed: 0), data: data, mu: 1)
                    XCTAssertGreaterThan(steps, 0, "\(b.kind) \(rule)")
                    XCTAssertEqual(w.indices, p.truth.indices, "refinement keeps the support")
                    let diff = zip(w.values, p.truth.values).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
                    return (diff / sumOfSquares(p.truth.values)).squareRoot()
                }
                let conjugate = try error(.conjugate), exact = try error(.exact)
                XCTAssertLessThan(conjugate, 1e-3, "\(b.kind): conjugate gradients reach the least-squares solution")
                XCTAssertGreaterThan(exact, 10 * conjugate, "\(b.kind): steepest descent is slower on this support")
            }
            try check(b)
        }
    }

    /// The residual generator is `sign * X^T (y - prediction)`, and the bank gives it to the
    /// re-seeded neuron while that neuron is dead.
    func testResidualGeneratorIsTheInputsCorrelationWithTheResidual() throws {
        var t = TestData(41)
        let n = 300, d = 7, m = 3
        let x = t.normals(n * d), y = t.normals(n), prediction = t.normals(n)
        let solver = try IHTSolver(backend: CPUBackend(), problem: RegressionProblem(x: x, y: y, n: n, d: d),
                                   options: SolverOptions(m: m, s: 4))
        let data = try solver.batch(BatchSchedule(n: n, batchSize: nil, seed: 0), step: 0)
        let h = solver.residualGenerator(sign: -1, data: data, prediction: prediction)
        for i in 0..<d {
            var e = 0.0
            for r in 0..<n { e += Double(x[r * d + i]) * (Double(y[r]) - Double(prediction[r])) }
            XCTAssertEqual(Double(h[i]), -e, accuracy: 1e-4 * max(1, abs(e)))
        }
        var bank = GeneratorBank(d: d, m: m, seed: 0)
        bank.followedWeights = SparseWeights(d: d, m: m)
        bank.reseeded = [1]; bank.chosen[1] = h
        XCTAssertEqual(bank.rows([1]), h)
        XCTAssertEqual(bank.rows([2]), [Float](repeating: 0, count: d), "a dead neuron without revival stays zero")
    }

    /// With the search, the run returns its best iterate (within the budget) and reports
    /// that step; CPU and OpenCL give the same PSNRs to 0.01 dB while both are off the
    /// round-off floor.
    func testSearchReturnsTheBestIterateOnBothBackends() throws {
        var runs: [[Double]] = []
        try forEachBackend { b in
            func check<B: ComputeBackend>(_ b: B) throws {
                let p = try PlantedProblems.plantedMLP(n: 2000, d: 20, m: 10, s: 30, seed: 1, backend: b)
                var o = SolverOptions(m: 10, s: 30)
                o.apply(.search); o.steps = 60; o.seed = 1
                let solver = try IHTSolver(backend: b, problem: p.problem, options: o)
                let r = try solver.run()
                XCTAssertLessThanOrEqual(r.weights.count, 30)
                XCTAssertTrue(r.history.contains { $0.reseeded }, "\(b.kind): the run re-seeds")
                let data = try solver.batch(BatchSchedule(n: 2000, batchSize: nil, seed: 1), step: 0)
                let psnr = FitMetrics.psnr(prediction: try solver.predict(r.weights, bank: r.generators, data: data),
                                           target: p.problem.y)
                let best = r.history.map(\.psnr).max() ?? 0
                XCTAssertEqual(psnr, best, accuracy: 1e-6, "\(b.kind): the returned iterate is the best step's")
                XCTAssertEqual((r.returnedStep ?? r.history.last)?.psnr ?? 0, best, accuracy: 1e-9)
                runs.append(r.history.map(\.psnr))
            }
            try check(b)
        }
        if runs.count == 2 {
            for (a, c) in zip(runs[0], runs[1]).prefix(10) where a < 100 { XCTAssertEqual(a, c, accuracy: 0.01) }
        }
    }

    /// The recipes: `search` turns the three switches on, `best` and `published` keep them
    /// off, and a seed reproduces a search run bit for bit.
    func testRecipesAndDeterminism() throws {
        var o = SolverOptions(m: 6, s: 12)
        XCTAssertEqual(o.reseedRule, .random); XCTAssertFalse(o.reseedSearch); XCTAssertEqual(o.refineRule, .exact)
        o.apply(.search)
        XCTAssertEqual(o.reseedRule, .residual); XCTAssertTrue(o.reseedSearch); XCTAssertEqual(o.refineRule, .conjugate)
        XCTAssertEqual(o.refineSteps, 40); XCTAssertEqual(o.stallGain, 0.2)
        var published = o
        published.apply(.published)
        XCTAssertEqual(published.reseedRule, .random); XCTAssertFalse(published.reseedSearch)
        XCTAssertEqual(published.refineRule, .published)
        var best = o
        best.apply(.best)
        XCTAssertEqual(best, SolverOptions(m: 6, s: 12), "best is the initializer's recipe")
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 1000, d: 15, m: 6, s: 12, seed: 3, backend: b)
        o.steps = 40; o.seed = 3
        let a = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        let again = try IHTSolver(backend: b, problem: p.problem, options: o).run()
        XCTAssertEqual(a.weights, again.weights)
        XCTAssertEqual(a.history.map(\.psnr), again.history.map(\.psnr))
    }
}
