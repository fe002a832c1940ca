import CVectorLoops
import XCTest

/// The host loops give the same bits with AVX2 as with the x86-64 baseline, and the dot
/// product follows its documented order.
final class VectorLoopsTests: XCTestCase {
    private let lengths = [0, 1, 7, 8, 15, 16, 17, 31, 33, 1000, 1024, 1031]

    private func values(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<n).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(Int64(bitPattern: state % 2_000_001) - 1_000_000) / 3_333.3
        }
    }

    private func gates(_ n: Int, seed: UInt64) -> [UInt8] { values(n, seed: seed).map { $0 > 0 ? 1 : 0 } }

    /// Every loop's output at one level, as bit patterns.
    private func outputs(level: Int32) -> [[UInt32]] {
        XCTAssertEqual(vl_set_level(level) == 1, level == 1 && vl_set_level(1) == 1)
        _ = vl_set_level(level)
        var out: [[UInt32]] = []
        for n in lengths {
            let a = values(n, seed: 1), b = values(n, seed: 2), g = gates(n, seed: 3)
            let rows = values(4 * n, seed: 4)
            out.append([vl_dot(a, b, n).bitPattern])
            var four = [Float](repeating: 0, count: 4)
            rows.withUnsafeBufferPointer { r in
                let p = r.baseAddress!
                vl_dot4(p, p + n, p + 2 * n, p + 3 * n, b, n, &four)
            }
            out.append(four.map(\.bitPattern))
            var y = b
            vl_axpy(1.7, a, &y, n); out.append(y.map(\.bitPattern))
            vl_scale(-0.3, a, &y, n); out.append(y.map(\.bitPattern))
            vl_gated_add(g, a, &y, n); out.append(y.map(\.bitPattern))
            vl_gated(g, a, &y, n); out.append(y.map(\.bitPattern))
            let columns = [3, 0, 2, 1]
            for count in 1...4 {
                var z = b
                vl_gated_combination(g, [0.5, -1.25, 3.0, 0.75], rows, columns, count, n, &z, n, count % 2 == 0 ? 16 : 0)
                out.append(z.map(\.bitPattern))
                var positive = [UInt8](repeating: 7, count: n)
                vl_positive_combination([0.5, -1.25, 3.0, 0.75], rows, columns, count, n, &positive, n, 16)
                out.append(positive.map(UInt32.init))
            }
            // The block loops on a support of three neurons (one, two and three entries) over
            // the four rows, whole and in sub-blocks of 16 rows, and the sparse-rows product.
            guard n > 0 else { continue }
            let starts = [0, 1, 3, 6], terms = [2, 0, 3, 1, 2, 0], weights: [Float] = [0.5, -1.25, 3.0, 0.75, -2.0, 1.5]
            let threeGates = gates(3 * n, seed: 5)
            for sub in [n, 16] {
                var y = [Float](repeating: 7, count: n), lanes = [Float](repeating: 0, count: 16 * 6)
                var dots = [Float](repeating: 0, count: 6), square: Float = 0
                vl_support_forward(threeGates, n, rows, n, terms, starts, 3, weights, &y, n, sub, 0)
                out.append(y.map(\.bitPattern))
                vl_support_gradient(threeGates, n, rows, n, terms, starts, 3, b, n, sub, &lanes, &dots)
                out.append(dots.map(\.bitPattern))
                vl_support_normal(threeGates, n, rows, n, terms, starts, 3, weights, nil, &y, n, sub, 0, &lanes, &square, &dots)
                out.append(dots.map(\.bitPattern) + [square.bitPattern])
                vl_support_normal(threeGates, n, rows, n, terms, starts, 3, weights, b, &y, n, sub, 0, &lanes, &square, &dots)
                out.append(dots.map(\.bitPattern) + [square.bitPattern])
            }
            var product = [Float](repeating: 0, count: (n / 4) * 3)
            vl_sparse_rows(rows, n / 4, 16, [0, 1, 3, 6], [2, 9, 15, 0, 4, 11], weights, 3, nil, 0, &product)
            out.append(product.map(\.bitPattern))
        }
        return out
    }

    func testBothLevelsGiveTheSameBits() throws {
        let initial = vl_level()
        defer { _ = vl_set_level(initial) }
        let baseline = outputs(level: 0)
        XCTAssertEqual(vl_level(), 0)
        guard vl_set_level(1) == 1 else { throw XCTSkip("this processor has no AVX2") }
        let avx2 = outputs(level: 1)
        XCTAssertEqual(baseline.count, avx2.count)
        for (p, q) in zip(baseline, avx2) { XCTAssertEqual(p, q) }
    }

    func testDotFollowsItsOrderAndTheOtherLoopsTheirDefinitions() {
        for n in lengths {
            let a = values(n, seed: 5), b = values(n, seed: 6), g = gates(n, seed: 7)
            // Two 8-lane accumulators over blocks of 16, added, folded in order, then the tail.
            var acc0 = [Float](repeating: 0, count: 8), acc1 = acc0
            let blocks = n / 16
            for k in 0..<blocks {
                for l in 0..<8 {
                    let p0 = a[16 * k + l] * b[16 * k + l], p1 = a[16 * k + 8 + l] * b[16 * k + 8 + l]
                    acc0[l] += p0; acc1[l] += p1
                }
            }
            var s: Float = 0
            for l in 0..<8 { s += acc0[l] + acc1[l] }
            for i in (blocks * 16)..<n { let p = a[i] * b[i]; s += p }
            XCTAssertEqual(vl_dot(a, b, n).bitPattern, s.bitPattern, "n \(n)")
            var four = [Float](repeating: 0, count: 4)
            vl_dot4(a, b, a, b, b, n, &four)
            XCTAssertEqual(four.map(\.bitPattern), [vl_dot(a, b, n), vl_dot(b, b, n), vl_dot(a, b, n), vl_dot(b, b, n)].map(\.bitPattern))
            // The combination does per element what scale, axpy and gated_add do.
            let rows = a + b + g.map(Float.init), values: [Float] = [0.5, -1.25, 3.0]
            for count in 1...3 {
                var u = [Float](repeating: 0, count: n), y = b, z = b
                vl_scale(values[0], rows, &u, n)
                for t in 1..<count { rows.withUnsafeBufferPointer { vl_axpy(values[t], $0.baseAddress! + t * n, &u, n) } }
                vl_gated_add(g, u, &y, n)
                vl_gated_combination(g, values, rows, [0, 1, 2], count, n, &z, n, 32)
                XCTAssertEqual(z.map(\.bitPattern), y.map(\.bitPattern), "n \(n) count \(count)")
                var positive = [UInt8](repeating: 9, count: n)
                vl_positive_combination(values, rows, [0, 1, 2], count, n, &positive, n, 0)
                XCTAssertEqual(positive, u.map { $0 > 0 ? 1 : 0 }, "n \(n) count \(count)")
            }
            // More terms than the loops keep row pointers for (64): the same sums, in order.
            let many = 70, wide = (0..<(many * n)).map { Float(($0 * 7919) % 23) - 11 }
            let weights = (0..<many).map { Float($0 % 5) - 1.5 }, order = (0..<many).map { ($0 * 31) % many }
            var u = [Float](repeating: 0, count: n)
            wide.withUnsafeBufferPointer { vl_scale(weights[0], $0.baseAddress! + order[0] * n, &u, n) }
            for t in 1..<many { wide.withUnsafeBufferPointer { vl_axpy(weights[t], $0.baseAddress! + order[t] * n, &u, n) } }
            var expected = b, combined = b
            vl_gated_add(g, u, &expected, n)
            vl_gated_combination(g, weights, wide, order, many, n, &combined, n, 64)
            XCTAssertEqual(combined.map(\.bitPattern), expected.map(\.bitPattern), "n \(n), \(many) terms")
            var signs = [UInt8](repeating: 9, count: n)
            vl_positive_combination(weights, wide, order, many, n, &signs, n, 64)
            XCTAssertEqual(signs, u.map { $0 > 0 ? 1 : 0 }, "n \(n), \(many) terms")
            var z = [Float](repeating: 0, count: n)
            vl_gated(g, a, &z, n)
            XCTAssertEqual(z, (0..<n).map { i in Float(g[i]) * a[i] })
        }
    }

    /// The sparse-rows product sums each example's entries in order from zero (eight
    /// examples at a time, then one at a time) and applies the threshold or the gate after.
    func testSparseRowsSumInOrder() {
        let d = 13, a = 3
        let offsets: [Int32] = [0, 2, 2, 6], columns: [Int32] = [4, 1, 0, 12, 7, 4]
        let weights: [Float] = [0.75, -1.5, 2.25, 0.5, -0.125, 3.0]
        for n in [0, 1, 7, 8, 9, 17, 64, 71] {
            let x = values(n * d, seed: 21), gate = values(n * a, seed: 22).map { $0 > 0 ? Float(1) : 0 }
            var plain = [Float](repeating: 0, count: n * a)
            for i in 0..<n {
                for j in 0..<a {
                    var z: Float = 0
                    for t in Int(offsets[j])..<Int(offsets[j + 1]) { let p = x[i * d + Int(columns[t])] * weights[t]; z += p }
                    plain[i * a + j] = z
                }
            }
            for mode in 0..<3 {
                var out = [Float](repeating: 9, count: max(n * a, 1))
                gate.withUnsafeBufferPointer { g in
                    vl_sparse_rows(x, n, d, offsets, columns, weights, a, mode == 1 ? g.baseAddress : nil, mode == 2 ? 1 : 0, &out)
                }
                let expected = mode == 0 ? plain : mode == 1 ? zip(gate, plain).map { $0 * $1 } : plain.map { $0 > 0 ? 1 : 0 }
                XCTAssertEqual(Array(out.prefix(n * a)).map(\.bitPattern), expected.map(\.bitPattern), "n \(n) mode \(mode)")
            }
        }
    }
}
