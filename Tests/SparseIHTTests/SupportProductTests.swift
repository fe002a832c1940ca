import CVectorLoops
import Foundation
@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// The host products restricted to the support (`SupportProducts`, `sparseGates`) against
/// the backends' dense gated products, and the refinement rules on both backends.
final class SupportProductTests: XCTestCase {
    /// A support over 4 of 6 neurons (one neuron with a single entry), d = 9, n = 300.
    static func fixture() -> (x: [Float], n: Int, d: Int, w: SparseWeights, gates: [Float]) {
        var t = TestData(31)
        let n = 300, d = 9, m = 6
        let idx = [0 * d + 1, 0 * d + 4, 2 * d + 0, 2 * d + 8, 3 * d + 3, 5 * d + 2, 5 * d + 5, 5 * d + 7]
        let w = SparseWeights(d: d, m: m, indices: idx, values: t.normals(idx.count))
        return (t.normals(n * d), n, d, w, t.gates(n * w.activeNeurons.count))
    }

    func testForwardAndGradientMatchDenseProductsOnBothBackends() throws {
        let f = Self.fixture()
        let active = f.w.activeNeurons
        let sp = SupportProducts(xT: transposed(f.x, n: f.n, d: f.d), n: f.n, d: f.d, support: f.w,
                                 gates: transposed(f.gates, n: f.n, d: active.count).map { UInt8($0) })
        var t = TestData(32)
        let r = t.normals(f.n)
        try forEachBackend { b in
            func check<B: ComputeBackend>(_ b: B) throws {
                let x = try b.makeBuffer(f.x), g = try b.makeBuffer(f.gates)
                let wb = try b.makeBuffer(f.w.compact(active)), y = try b.makeBuffer(count: f.n)
                try b.gatedForward(x: x, n: f.n, d: f.d, weights: wb, gate: g, a: active.count, into: y)
                let dense = try b.read(y, count: f.n)
                for (u, v) in zip(sp.forward(f.w.values), dense) { XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(v)), "\(b.kind) forward") }
                let rb = try b.makeBuffer(r), out = try b.makeBuffer(count: active.count * f.d)
                try b.maskedGradient(x: x, n: f.n, d: f.d, gate: g, c: active.count, residual: rb, k: 1, into: out)
                let grad = try b.read(out, count: active.count * f.d)
                let onSupport = f.w.compactPositions(active).map { grad[$0] }
                for (u, v) in zip(sp.gradient(r), onSupport) { XCTAssertEqual(u, v, accuracy: 1e-3 * max(1, abs(v)), "\(b.kind) gradient") }
            }
            try check(b)
        }
    }

    /// The loops work on sub-blocks of rows but keep the order the products document: per
    /// block of `SupportProducts.block` rows a float dot product (`vl_dot`) per entry, added
    /// to its double in block order; the normal products equal a forward product followed
    /// by a gradient product, bit for bit. Checked on a support small enough to take whole
    /// blocks and one large enough for sub-blocks, on rows that end in a partial block
    /// whose length is not a multiple of 16, with the blocks split among 1, 2 and 3 threads.
    func testSupportProductsSumInTheDocumentedOrder() {
        let threads = HostThreads.count
        defer { HostThreads.count = threads }
        var t = TestData(41)
        let n = 2 * SupportProducts.block + 452, d = 40, m = 20
        for entries in [8, 300] {
            var flat = Set<Int>()
            while flat.count < entries { flat.insert(t.rng.below(d * m)) }
            let w = SparseWeights(d: d, m: m, indices: flat.sorted(), values: t.normals(entries))
            let active = w.activeNeurons
            let x = t.normals(n * d), xT = transposed(x, n: n, d: d)
            let gates = t.gates(n * active.count).map { UInt8($0) }
            let sp = SupportProducts(xT: xT, n: n, d: d, support: w, gates: gates)
            let r = t.normals(n), v = t.normals(entries)
            // The reference: per block, m = g .* r per neuron and vl_dot(m, column) per entry.
            var expected = [Double](repeating: 0, count: entries)
            for i0 in stride(from: 0, to: n, by: SupportProducts.block) {
                let len = min(SupportProducts.block, n - i0)
                for (e, index) in w.indices.enumerated() {
                    let q = active.firstIndex(of: index / d)!
                    let masked = (0..<len).map { Float(gates[q * n + i0 + $0]) * r[i0 + $0] }
                    let column = Array(xT[((index % d) * n + i0)..<((index % d) * n + i0 + len)])
                    expected[e] += Double(vl_dot(masked, column, len))
                }
            }
            HostThreads.count = 1
            let y = sp.forward(v)
            for count in [1, 2, 3] {
                HostThreads.count = count
                let label = "\(entries) entries, \(count) threads"
                XCTAssertEqual(sp.gradientDouble(r).map(\.bitPattern), expected.map(\.bitPattern), label)
                XCTAssertEqual(sp.forward(v).map(\.bitPattern), y.map(\.bitPattern), label)
                var squares = 0.0
                for i0 in stride(from: 0, to: n, by: SupportProducts.block) {
                    let part = Array(y[i0..<min(i0 + SupportProducts.block, n)])
                    squares += Double(vl_dot(part, part, part.count))
                }
                let (aa, normal) = sp.normalProducts(v)
                XCTAssertEqual(aa.bitPattern, squares.bitPattern, label)
                XCTAssertEqual(normal.map(\.bitPattern), sp.gradientDouble(y).map(\.bitPattern), label)
                XCTAssertEqual(sp.forwardSquares(v).bitPattern, squares.bitPattern, label)
                // Less a target: the gradient of the squared loss's residual, from one sweep.
                let residual = zip(y, r).map { $0 - $1 }
                var residualSquares = 0.0
                for i0 in stride(from: 0, to: n, by: SupportProducts.block) {
                    let part = Array(residual[i0..<min(i0 + SupportProducts.block, n)])
                    residualSquares += Double(vl_dot(part, part, part.count))
                }
                let (rr, gradient) = sp.normalProducts(v, minus: r)
                XCTAssertEqual(rr.bitPattern, residualSquares.bitPattern, label)
                XCTAssertEqual(gradient.map(\.bitPattern), sp.gradientDouble(residual).map(\.bitPattern), label)
            }
        }
    }

    /// The metrics' output is reused only for the same weights, followed generators, output
    /// signs and rows; and a sequential full-batch run leaves a memo whose output is what a
    /// fresh product of its weights gives.
    func testPredictionMemoMatchesOnlyItsOwnInputs() throws {
        let f = Self.fixture()
        let columns = HostColumns(transposed: transposed(f.x, n: f.n, d: f.d), n: f.n, d: f.d)
        let sp = SupportProducts(xT: columns.transposed, n: f.n, d: f.d, support: f.w,
                                 gates: transposed(f.gates, n: f.n, d: f.w.activeNeurons.count).map { UInt8($0) })
        var bank = GeneratorBank(d: f.d, m: 6, seed: 1)
        bank.followedWeights = f.w
        let memo = PredictionMemo(weights: f.w, followed: f.w, signed: false, columns: ObjectIdentifier(columns), n: f.n,
                                  support: sp, output: sp.forward(f.w.values))
        XCTAssertTrue(memo.matches(f.w, bank: bank, columns: columns, n: f.n))
        var other = f.w
        other.setValues(f.w.values.map { $0 * 2 })
        XCTAssertFalse(memo.matches(other, bank: bank, columns: columns, n: f.n), "other weights")
        var moved = bank
        moved.followedWeights = other
        XCTAssertFalse(memo.matches(f.w, bank: moved, columns: columns, n: f.n), "other followed weights")
        var signed = bank
        signed.signed = true
        XCTAssertFalse(memo.matches(f.w, bank: signed, columns: columns, n: f.n), "output signs")
        let copy = HostColumns(transposed: columns.transposed, n: f.n, d: f.d)
        XCTAssertFalse(memo.matches(f.w, bank: bank, columns: copy, n: f.n), "other rows")

        let p = try PlantedProblems.plantedMLP(n: 1500, d: 16, m: 6, s: 18, seed: 3, backend: CPUBackend())
        var o = SolverOptions(m: 6, s: 18)
        o.steps = 4; o.tolerance = 0; o.stallReseed = false
        let solver = try IHTSolver(backend: CPUBackend(), problem: p.problem, options: o)
        let result = try solver.run()
        let kept = try XCTUnwrap(solver.memo, "a sequential full-batch run keeps its last metrics")
        XCTAssertEqual(kept.weights, result.weights)
        XCTAssertEqual(kept.output, kept.support.forward(result.weights.values))
    }

    func testSparseGatesMatchBackendGates() throws {
        let f = Self.fixture()
        let active = f.w.activeNeurons
        let signs: [Float] = active.map { $0 % 2 == 0 ? 1 : -1 }
        let hostGates = sparseGates(xT: transposed(f.x, n: f.n, d: f.d), n: f.n, d: f.d, generators: f.w, neurons: active, signs: signs)
        var h = f.w.compact(active)
        for (r, s) in signs.enumerated() { for i in 0..<f.d { h[r * f.d + i] *= s } }
        try forEachBackend { b in
            func check<B: ComputeBackend>(_ b: B) throws {
                let g = try b.makeBuffer(count: f.n * active.count)
                try b.gate(x: try b.makeBuffer(f.x), n: f.n, d: f.d, generators: try b.makeBuffer(h), c: active.count, into: g)
                XCTAssertEqual(transposed(try b.read(g, count: f.n * active.count), n: f.n, d: active.count).map { UInt8($0) }, hostGates, "\(b.kind) gates")
            }
            try check(b)
        }
        // An empty support gives empty products.
        let empty = SupportProducts(xT: transposed(f.x, n: f.n, d: f.d), n: f.n, d: f.d, support: SparseWeights(d: f.d, m: 6), gates: [])
        XCTAssertEqual(empty.forward([]), [Float](repeating: 0, count: f.n))
        XCTAssertEqual(empty.gradient([Float](repeating: 1, count: f.n)), [])
    }

    /// Both refinement rules run on both backends with the same support and values within
    /// float tolerance, and the published rule is the published recipe's.
    func testRefineRulesAgreeAcrossBackends() throws {
        var o = SolverOptions(m: 6, s: 18)
        o.apply(.published)
        XCTAssertEqual(o.refineRule, .published)
        o.apply(.best)
        XCTAssertEqual(o.refineRule, .exact)
        for rule in SolverOptions.RefineRule.allCases {
            var results: [SolverResult] = []
            try forEachBackend { b in
                func run<B: ComputeBackend>(_ b: B) throws -> SolverResult {
                    let p = try PlantedProblems.plantedMLP(n: 1500, d: 16, m: 6, s: 18, seed: 3, backend: b)
                    var o = SolverOptions(m: 6, s: 18)
                    o.apply(.published); o.refineRule = rule; o.steps = 12; o.seed = 3
                    return try IHTSolver(backend: b, problem: p.problem, options: o).run()
                }
                results.append(try run(b))
            }
            XCTAssertGreaterThan(results[0].history.last?.psnr ?? 0, 15, "\(rule) fits")
            XCTAssertTrue(results[0].history.contains { $0.refineAccepted > 0 }, "\(rule) accepts refinement steps")
            if results.count == 2 {
                XCTAssertEqual(results[0].weights.indices, results[1].weights.indices, "\(rule): CPU and OpenCL supports")
                for (u, v) in zip(results[0].weights.values, results[1].weights.values) {
                    XCTAssertEqual(u, v, accuracy: 1e-3 * max(1, abs(u)), "\(rule): CPU and OpenCL values")
                }
            }
        }
    }

    /// The published rule keeps the thresholded point when no step passes the Armijo check:
    /// with no halvings allowed and a step far too long, every refinement is dropped.
    func testPublishedRuleDropsProgressWhenHalvingsRunOut() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 800, d: 10, m: 4, s: 10, seed: 5, backend: b)
        var o = SolverOptions(m: 4, s: 10)
        o.refineRule = .published; o.maxHalvings = 0; o.steps = 1; o.seed = 5
        let solver = try IHTSolver(backend: b, problem: p.problem, options: o)
        let data = try solver.batch(BatchSchedule(n: 800, batchSize: nil, seed: 5), step: 0)
        var bank = GeneratorBank(d: 10, m: 4, seed: 5)
        bank.epoch = 0
        let stepped = try solver.thresholdStep(SparseWeights(d: 10, m: 4), bank: bank, data: data, k: 10, chunk: 4)
        var w = stepped.weights
        XCTAssertEqual(try solver.refine(&w, bank: bank, data: data, mu: 1e6), 0)
        XCTAssertEqual(w, stepped.weights, "the thresholded point is kept")
        // With halvings, a step at most the exact line-search step passes the check.
        o.maxHalvings = 10
        let patient = try IHTSolver(backend: b, problem: p.problem, options: o)
        var w2 = stepped.weights
        XCTAssertGreaterThan(try patient.refine(&w2, bank: bank, data: data, mu: stepped.mu), 0, "a sensible step is accepted")
        XCTAssertNotEqual(w2, stepped.weights)
    }

    /// The refinement's gates taken from the thresholding pass's products (for the neurons
    /// both supports share) are the gates it would make itself: the same bytes, and the same
    /// refined weights, on a step whose supports share some neurons and differ in others.
    func testKnownGatesAreTheGatesTheStepWouldMake() throws {
        let b = CPUBackend()
        let p = try PlantedProblems.plantedMLP(n: 900, d: 12, m: 30, s: 20, seed: 7, backend: b)
        var o = SolverOptions(m: 30, s: 20)
        o.seed = 7
        let solver = try IHTSolver(backend: b, problem: p.problem, options: o)
        let data = try solver.batch(BatchSchedule(n: 900, batchSize: nil, seed: 7), step: 0)
        var bank = GeneratorBank(d: 12, m: 30, seed: 7)
        let first = try solver.thresholdStep(SparseWeights(d: 12, m: 30), bank: bank, data: data, k: 20, chunk: 30)
        XCTAssertNil(first.support, "an empty support has no products")
        bank.followedWeights = first.weights
        bank.reviveDead = true
        let second = try solver.thresholdStep(first.weights, bank: bank, data: data, k: 80, chunk: 7)
        let known = try XCTUnwrap(second.support)
        let shared = Set(known.neurons).intersection(second.weights.activeNeurons)
        XCTAssertFalse(shared.isEmpty)
        XCTAssertNotEqual(shared, Set(second.weights.activeNeurons), "some neurons are new to the support")
        let neurons = second.weights.activeNeurons
        XCTAssertEqual(try solver.hostGates(neurons, bank: bank, data: data, known: known),
                       try solver.hostGates(neurons, bank: bank, data: data))
        var withKnown = second.weights, without = second.weights
        let accepted = try solver.refine(&withKnown, bank: bank, data: data, mu: second.mu, known: known)
        XCTAssertEqual(accepted, try solver.refine(&without, bank: bank, data: data, mu: second.mu))
        XCTAssertEqual(withKnown.values.map(\.bitPattern), without.values.map(\.bitPattern))
    }

    /// A chunk of followed neurons with a few dense (re-seeded) generators gets the followed
    /// gates by the sparse product and the dense ones by a GEMM over those neurons alone:
    /// the same gate matrix as the sparse product and the chunk's GEMM give column by column,
    /// and the dense neurons' gates come back as bytes for the refinement.
    func testMixedChunkGatesAreTheChunkProducts() throws {
        let b = CPUBackend()
        var t = TestData(53)
        let n = 300, d = 40, m = 20
        let problem = try RegressionProblem(x: t.normals(n * d), y: t.normals(n), n: n, d: d)
        let solver = try IHTSolver(backend: b, problem: problem, options: SolverOptions(m: m, s: 10))
        let data = try solver.batch(BatchSchedule(n: n, batchSize: nil, seed: 0), step: 0)
        var bank = GeneratorBank(d: d, m: m, seed: 3)
        bank.followedWeights = SparseWeights(d: d, m: m, indices: [3, 50, 95, 130, 170, 171, 210, 260, 290, 315],
                                             values: t.normals(10))
        bank.reseeded = [9, 14]
        let neurons = Array(0..<m)
        XCTAssertNil(bank.sparseRows(neurons, limit: m * d / 20), "too many dense entries for one sparse product")
        let g = try b.makeBuffer(count: n * m), flopsBefore = b.gemmFlops
        let kept = try solver.fillGates(neurons, bank: bank, data: data, into: g, keepDense: true)
        XCTAssertEqual(b.gemmFlops - flopsBefore, 2 * n * d * 2, "a GEMM over the two dense neurons alone")
        let mixed = try b.read(g, count: n * m)
        // References: the sparse product of the followed rows, the chunk's GEMM of every row.
        let followed = SparseRows(bank.followedWeights!, width: d, neurons: neurons, scale: { bank.sign($0) })
        let sparse = try b.makeBuffer(count: n * m), dense = try b.makeBuffer(count: n * m)
        try b.sparseProduct(x: data.x, n: n, d: d, offsets: followed.offsets, columns: followed.columns,
                            values: followed.values, gate: nil, threshold: true, into: sparse)
        try b.gate(x: data.x, n: n, d: d, generators: try b.makeBuffer(bank.rows(neurons)), c: m, into: dense)
        let s = try b.read(sparse, count: n * m), h = try b.read(dense, count: n * m)
        for j in neurons {
            let column = (0..<n).map { mixed[$0 * m + j] }
            let want = (0..<n).map { [9, 14].contains(j) ? h[$0 * m + j] : s[$0 * m + j] }
            XCTAssertEqual(column, want, "neuron \(j)")
        }
        XCTAssertEqual(Set(kept.keys), [9, 14])
        for j in [9, 14] { XCTAssertEqual(kept[j], (0..<n).map { UInt8(h[$0 * m + j]) }, "kept gates of neuron \(j)") }
        XCTAssertTrue(h.contains(1) && h.contains(0))
    }
}
