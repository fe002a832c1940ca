import Foundation
@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// The thresholding pass's sparse gates: generators as sparse rows, the gates they give on
/// both backends, and the transposition the support products read.
final class SparseGateTests: XCTestCase {
    /// A bank over d = 6, m = 5: neurons 0 and 3 live (followed weights), 1 dead and revived,
    /// 2 dead without revival, 4 re-seeded with a chosen generator.
    func bank(signed: Bool) -> GeneratorBank {
        var bank = GeneratorBank(d: 6, m: 5, seed: 7)
        bank.signed = signed
        bank.followedWeights = SparseWeights(d: 6, m: 5, indices: [1, 4, 18, 23], values: [0.5, -2, 1.5, 3])
        bank.reseeded = [1]
        bank.chosen = [4: [1, -1, 2, 0, 0.5, -3]]
        bank.epoch = 3
        return bank
    }

    func testSparseRowsHoldTheSameGeneratorsAsTheDenseRows() {
        for signed in [false, true] {
            let bank = bank(signed: signed)
            let neurons = [4, 0, 2, 1, 3]
            let dense = bank.rows(neurons)
            guard let rows = bank.sparseRows(neurons, limit: 1_000) else { return XCTFail("no sparse rows") }
            XCTAssertEqual(rows.rows, neurons.count)
            var rebuilt = [Float](repeating: 0, count: neurons.count * 6)
            for r in 0..<rows.rows {
                for t in Int(rows.offsets[r])..<Int(rows.offsets[r + 1]) { rebuilt[r * 6 + Int(rows.columns[t])] = rows.values[t] }
            }
            XCTAssertEqual(rebuilt, dense, "signed \(signed)")
            // The dead neuron without revival has an empty row; live ones only their entries.
            XCTAssertEqual(rows.offsets[3] - rows.offsets[2], 0)
            XCTAssertEqual(rows.offsets[2] - rows.offsets[1], 2)
        }
    }

    func testSparseRowsRespectTheLimit() {
        let bank = bank(signed: false)
        // Live entries 4, two dense rows of 6: 16 in all.
        XCTAssertNotNil(bank.sparseRows([0, 1, 2, 3, 4], limit: 16))
        XCTAssertNil(bank.sparseRows([0, 1, 2, 3, 4], limit: 15))
        XCTAssertNotNil(bank.sparseRows([0, 2, 3], limit: 4))
        XCTAssertNil(GeneratorBank(d: 6, m: 5, seed: 7).sparseRows([0], limit: 100), "random generators are dense")
    }

    /// Gates from the sparse rows equal the dense gate GEMM's wherever `X h` is not within
    /// round-off of zero, on both backends.
    func testSparseGatesMatchTheDenseGate() throws {
        try forEachBackend { try checkSparseGates($0) }
    }

    func checkSparseGates<B: ComputeBackend>(_ b: B) throws {
        let bank = bank(signed: true)
        let n = 37, d = 6, neurons = [0, 1, 2, 3, 4]
        var rng = SeededGenerator(seed: 11, stream: 0)
        let x = rng.normals(n * d)
        let rows = try XCTUnwrap(bank.sparseRows(neurons, limit: 1_000))
        let h = bank.rows(neurons)
        let X = try b.makeBuffer(x), H = try b.makeBuffer(h)
        let dense = try b.makeBuffer(count: n * 5), sparse = try b.makeBuffer([Float](repeating: 9, count: n * 5))
        try b.gate(x: X, n: n, d: d, generators: H, c: 5, into: dense)
        try b.sparseProduct(x: X, n: n, d: d, offsets: rows.offsets, columns: rows.columns, values: rows.values,
                            gate: nil, threshold: true, into: sparse)
        let gd = try b.read(dense, count: n * 5), gs = try b.read(sparse, count: n * 5)
        for i in 0..<n { for q in 0..<5 {
            let z = (0..<d).reduce(0.0) { $0 + Double(x[i * d + $1]) * Double(h[q * d + $1]) }
            if abs(z) > 1e-4 { XCTAssertEqual(gs[i * 5 + q], gd[i * 5 + q], "\(B.self) row \(i) neuron \(q)") }
        } }
        XCTAssertTrue(gs.allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertTrue((0..<n).allSatisfy { gs[$0 * 5 + 2] == 0 }, "dead neuron without revival: zero gate")
    }

    func testTranspositionOfOddShapes() {
        for (n, d) in [(1, 1), (17, 3), (33, 40), (5, 129)] {
            let x = (0..<(n * d)).map { Float($0) }
            let t = transposed(x, n: n, d: d)
            XCTAssertEqual(t.count, n * d)
            for i in 0..<n { for c in 0..<d { XCTAssertEqual(t[c * n + i], x[i * d + c]) } }
        }
        XCTAssertEqual(transposed([], n: 0, d: 4), [])
    }

    /// Minibatch columns transposed on demand: the inputs asked for are exact after each
    /// load, whatever an earlier batch left in the reused storage.
    func testHostColumnsOnDemand() {
        let d = 7, full = 40
        let x = (0..<(full * d)).map { Float($0) }
        let h = HostColumns(d: d)
        for indices in [Array(stride(from: 0, to: 37, by: 2)), [39, 3, 3, 17, 0], Array(0..<33)] {
            h.load(x, indices: indices)
            XCTAssertEqual(h.rows, indices.flatMap { x[($0 * d)..<(($0 + 1) * d)] })
            h.ensure([5, 1, 5])
            for c in [1, 5] { for (r, i) in indices.enumerated() { XCTAssertEqual(h.transposed[c * h.n + r], x[i * d + c]) } }
            h.ensureAll()
            for c in 0..<d { for (r, i) in indices.enumerated() { XCTAssertEqual(h.transposed[c * h.n + r], x[i * d + c]) } }
        }
    }
}
