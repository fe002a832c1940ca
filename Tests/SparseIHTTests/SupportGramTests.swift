import CVectorLoops
import Foundation
@testable import SparseIHTCore
import XCTest

/// The normal matrix of a support (`SupportGram`) against the sweeps it replaces.
final class SupportGramTests: XCTestCase {
    func testGramProductsMatchTheSweep() {
        // n 2,100: two full blocks of rows and a partial one; 8 entries over 4 neurons.
        var t = TestData(41)
        let n = 2_100, d = 9
        let idx = [0 * d + 1, 0 * d + 4, 2 * d + 0, 2 * d + 8, 3 * d + 3, 5 * d + 2, 5 * d + 5, 5 * d + 7]
        let w = SparseWeights(d: d, m: 6, indices: idx, values: t.normals(idx.count))
        let x = t.normals(n * d), gates = t.gates(n * w.activeNeurons.count)
        let sp = SupportProducts(xT: transposed(x, n: n, d: d), n: n, d: d, support: w,
                                 gates: transposed(gates, n: n, d: w.activeNeurons.count).map { UInt8($0) })
        let gram = SupportGram(sp)
        XCTAssertEqual(gram.s, idx.count)
        for a in 0..<gram.s { for b in 0..<gram.s { XCTAssertEqual(gram.matrix[a * gram.s + b], gram.matrix[b * gram.s + a]) } }
        let v = t.normals(idx.count)
        let (sq, normal) = gram.normalProducts(v.map(Double.init))
        let (sweepSq, sweepNormal) = sp.normalProducts(v)
        XCTAssertEqual(sq, sweepSq, accuracy: 1e-4 * sweepSq)
        let scale = sweepNormal.map(abs).max()!
        for (a, b) in zip(normal, sweepNormal) { XCTAssertEqual(a, b, accuracy: 1e-4 * scale) }
        // An empty support gives an empty Gram.
        XCTAssertEqual(SupportGram(SupportProducts(xT: transposed(x, n: n, d: d), n: n, d: d,
                                                   support: SparseWeights(d: d, m: 6), gates: [])).s, 0)
    }

    func testFourWayDotEqualsFourDots() {
        var t = TestData(42)
        for n in [1, 15, 16, 33, 1_024, 1_000] {
            let a = t.normals(4 * n), b = t.normals(n)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                for rows in 1...4 {
                    let four = dot4(ap.baseAddress!, rows: rows, stride: n, bp.baseAddress!, n)
                    for r in 0..<rows {
                        XCTAssertEqual(four[r].bitPattern, vl_dot(ap.baseAddress! + r * n, bp.baseAddress!, n).bitPattern, "n \(n) row \(r)")
                    }
                }
            } }
        }
    }
}
