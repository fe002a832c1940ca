import SparseIHTCore
import XCTest

/// Shapes (n, d, c) that stress edge handling: ones, odd sizes, sizes that are not
/// multiples of the work-group size, n >> d and d >> n.
let parityShapes: [(n: Int, d: Int, c: Int)] = [
    (1, 1, 1), (7, 3, 5), (257, 33, 17), (2000, 5, 3), (5, 300, 4), (300, 50, 129), (1031, 100, 1),
]

/// Checks that are generic over the backend; every result is compared with a Double
/// reference computed on the host from the same inputs (and the same gate mask).
enum ParitySuite {
    /// `|got - want| <= tol * scale + 1e-6` where `scale` is the sum of the magnitudes of the
    /// terms (a float32 accumulation bound that survives cancellation).
    static func assertClose(_ got: [Float], _ want: [Double], scale: [Double], tol: Double = 1e-4,
                            _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        for i in 0..<min(got.count, want.count) {
            let err = abs(Double(got[i]) - want[i])
            if err > tol * scale[i] + 1e-6 {
                XCTFail("\(what)[\(i)]: got \(got[i]), want \(want[i]) (scale \(scale[i]))", file: file, line: line)
                return
            }
        }
    }

    static func gemm<B: ComputeBackend>(_ b: B) throws {
        var t = TestData(1)
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (65, 33, 129)] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = t.normals(m * k), bb = t.normals(k * n), c0 = t.normals(m * n)
                let A = try b.makeBuffer(a), Bm = try b.makeBuffer(bb), C = try b.makeBuffer(c0)
                try b.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: A, b: Bm, beta: 2, c: C)
                var want = [Double](repeating: 0, count: m * n), scale = want
                for i in 0..<m { for j in 0..<n {
                    var s = 2 * Double(c0[i * n + j]), sc = abs(s)
                    for l in 0..<k {
                        let av = Double(ta ? a[l * m + i] : a[i * k + l]), bv = Double(tb ? bb[j * k + l] : bb[l * n + j])
                        s += 0.5 * av * bv; sc += abs(0.5 * av * bv)
                    }
                    want[i * n + j] = s; scale[i * n + j] = sc
                } }
                assertClose(try b.read(C, count: m * n), want, scale: scale, "\(b.kind) gemm \(m)x\(n)x\(k) \(ta)\(tb)")
            }
        }
    }

    static func gate<B: ComputeBackend>(_ b: B) throws {
        var t = TestData(2)
        for (n, d, c) in parityShapes {
            let x = t.normals(n * d)
            var h = t.normals(c * d)
            for l in 0..<d { h[l] = 0 }  // neuron 0 has a zero generator: all-zero gate
            let X = try b.makeBuffer(x), H = try b.makeBuffer(h), G = try b.makeBuffer(count: n * c)
            try b.gate(x: X, n: n, d: d, generators: H, c: c, into: G)
            let g = try b.read(G, count: n * c)
            for i in 0..<n { for j in 0..<c {
                var s = 0.0, sc = 0.0
                for l in 0..<d { let p = Double(x[i * d + l]) * Double(h[j * d + l]); s += p; sc += abs(p) }
                let v = g[i * c + j]
                XCTAssert(v == 0 || v == 1, "\(b.kind) gate value \(v)")
                if j == 0 { XCTAssertEqual(v, 0, "\(b.kind) zero generator must give a zero gate"); continue }
                if abs(s) > 1e-4 * sc + 1e-6 {  // away from the sign boundary the gate is exact
                    XCTAssertEqual(v, s > 0 ? 1 : 0, "\(b.kind) gate (\(n),\(d),\(c)) [\(i),\(j)]")
                }
            } }
        }
    }

    static func maskedGradient<B: ComputeBackend>(_ b: B) throws {
        var t = TestData(3)
        for (n, d, c) in parityShapes {
            for k in [1, 3] {
                let x = t.normals(n * d), g = t.gates(n * c), r = t.normals(n * k)
                let X = try b.makeBuffer(x), G = try b.makeBuffer(g), R = try b.makeBuffer(r)
                let out = try b.makeBuffer(count: c * k * d)
                try b.maskedGradient(x: X, n: n, d: d, gate: G, c: c, residual: R, k: k, into: out)
                var want = [Double](repeating: 0, count: c * k * d), scale = want
                for j in 0..<c { for l in 0..<k { for col in 0..<d {
                    var s = 0.0, sc = 0.0
                    for i in 0..<n {
                        let p = Double(g[i * c + j]) * Double(r[i * k + l]) * Double(x[i * d + col])
                        s += p; sc += abs(p)
                    }
                    want[(j * k + l) * d + col] = s; scale[(j * k + l) * d + col] = sc
                } } }
                assertClose(try b.read(out, count: c * k * d), want, scale: scale,
                            "\(b.kind) gradient (\(n),\(d),\(c),k=\(k))")
            }
        }
    }

    static func gatedForward<B: ComputeBackend>(_ b: B) throws {
        var t = TestData(4)
        for (n, d, a) in parityShapes + [(13, 4, 0)] {
            let x = t.normals(n * d), w = t.normals(a * d), g = t.gates(n * a)
            let X = try b.makeBuffer(x), W = try b.makeBuffer(w), G = try b.makeBuffer(g)
            let Y = try b.makeBuffer(t.normals(n))  // garbage that must be overwritten
            try b.gatedForward(x: X, n: n, d: d, weights: W, gate: G, a: a, into: Y)
            var want = [Double](repeating: 0, count: n), scale = want
            var norms = [Double](repeating: 0, count: a)
            for i in 0..<n { for j in 0..<a {
                var z = 0.0, sc = 0.0
                for l in 0..<d { let p = Double(x[i * d + l]) * Double(w[j * d + l]); z += p; sc += abs(p) }
                want[i] += Double(g[i * a + j]) * z; scale[i] += Double(g[i * a + j]) * sc
                norms[j] += Double(g[i * a + j]) * z * z
            } }
            assertClose(try b.read(Y, count: n), want, scale: scale, "\(b.kind) forward (\(n),\(d),\(a))")
            let Z = try b.makeBuffer(count: n * a)
            try b.gatedActivations(x: X, n: n, d: d, weights: W, gate: G, a: a, into: Z)
            var zWant = [Double](repeating: 0, count: n * a), zScale = zWant
            for i in 0..<n { for j in 0..<a {
                for l in 0..<d {
                    let p = Double(x[i * d + l]) * Double(w[j * d + l]) * Double(g[i * a + j])
                    zWant[i * a + j] += p; zScale[i * a + j] += abs(p)
                }
            } }
            assertClose(try b.read(Z, count: n * a), zWant, scale: zScale, "\(b.kind) activations (\(n),\(d),\(a))")
            let got = try b.neuronOutputNorms(x: X, n: n, d: d, weights: W, gate: G, a: a)
            XCTAssertEqual(got.count, a)
            for j in 0..<min(a, got.count) {
                XCTAssertEqual(Double(got[j]), norms[j].squareRoot(), accuracy: 1e-3 * norms[j].squareRoot() + 1e-5,
                               "\(b.kind) output norm \(j)")
            }
        }
    }

    static func scatter<B: ComputeBackend>(_ b: B) throws {
        var t = TestData(5)
        let count = 1000
        let v = t.normals(count)
        let idx: [Int32] = [0, 17, 999, 500]
        let vals: [Float] = [1, -2, 3.5, 0.25]
        let V = try b.makeBuffer(v)
        try b.scaleAndScatterAdd(V, count: count, scale: -0.5, indices: idx, values: vals)
        var want = v.map { -0.5 * $0 }
        for (i, x) in zip(idx, vals) { want[Int(i)] += x }
        XCTAssertEqual(try b.read(V, count: count), want, "\(b.kind) scale and scatter")
        XCTAssertThrowsError(try b.scaleAndScatterAdd(V, count: count, scale: 1, indices: [1000], values: [1]))
    }

    /// Independent top-k reference: full sort by (|v| desc, index asc).
    static func naiveTopK(_ v: [Float], _ k: Int) -> TopKResult {
        let order = v.indices.sorted { l, r in
            let a = magnitudeKey(v[l]), b = magnitudeKey(v[r])
            return a != b ? a > b : l < r
        }
        let keep = order.prefix(min(k, v.count)).sorted()
        return TopKResult(indices: keep.map { Int32($0) }, values: keep.map { v[$0] })
    }

    static func topKCases() -> [(String, [Float], [Int])] {
        var t = TestData(6)
        let random = t.normals(10_007)
        let ties: [Float] = (0..<3000).map { Float($0 % 7) - 3 }        // many equal magnitudes
        let signedZeros: [Float] = [0, -0.0, 1, -1, 0, -0.0, 2, -2, -0.0]
        let rounded = t.normals(5000).map { ($0 * 4).rounded() / 4 }   // heavy ties
        let tiny: [Float] = [Float.leastNonzeroMagnitude, -Float.leastNormalMagnitude, Float.greatestFiniteMagnitude, 0]
        return [
            ("one", [-3], [0, 1, 2]),
            ("random", random, [0, 1, 2, 100, 10_006, 10_007, 20_000]),
            ("ties", ties, [1, 428, 429, 1000, 2999, 3000]),
            ("all equal", [Float](repeating: -1.5, count: 1025), [1, 7, 513, 1024, 1025]),
            ("all zero", [Float](repeating: 0, count: 300), [5, 300]),
            ("signed zeros", signedZeros, [1, 3, 5, 6, 9]),
            ("rounded", rounded, [1, 333, 2500, 4999]),
            ("extremes", tiny, [1, 2, 3, 4]),
        ]
    }

    static func topK<B: ComputeBackend>(_ b: B) throws {
        for (name, v, ks) in topKCases() {
            let V = try b.makeBuffer(v)
            for k in ks {
                let got = try b.topK(V, count: v.count, k: k)
                let want = naiveTopK(v, k)
                XCTAssertEqual(got.indices, want.indices, "\(b.kind) top-k \(name) k=\(k): index sets differ")
                XCTAssertEqual(got.values.map(\.bitPattern), want.values.map(\.bitPattern), "\(b.kind) top-k \(name) k=\(k): values")
            }
        }
        // A prefix of a larger buffer: entries past `count` must be ignored.
        let V = try b.makeBuffer([1, 2, 3, 100, 200])
        XCTAssertEqual(try b.topK(V, count: 3, k: 2).indices, [1, 2])
    }

    static func topKRejectsNonFinite<B: ComputeBackend>(_ b: B) throws {
        for (bad, at) in [(Float.nan, 5), (Float.infinity, 0), (-Float.infinity, 999)] {
            var v = [Float](repeating: 1, count: 1000)
            v[at] = bad
            let V = try b.makeBuffer(v)
            for k in [0, 10] {
                XCTAssertThrowsError(try b.topK(V, count: v.count, k: k), "\(b.kind) must reject \(bad)") { error in
                    XCTAssertEqual(error as? SparseIHTError, .nonFinite(what: "top-k input", index: at))
                }
            }
        }
        XCTAssertThrowsError(try b.topK(try b.makeBuffer([1]), count: 1, k: -1))
    }

    /// Streaming top-k over chunks, merged, equals the one-shot top-k.
    static func chunkedTopKMerge<B: ComputeBackend>(_ b: B) throws {
        var t = TestData(7)
        let v = t.normals(9000).map { ($0 * 8).rounded() / 8 }
        let k = 700
        var running = TopKResult.empty
        var start = 0
        for size in [1000, 2500, 1, 3000, 2499] {
            let chunk = Array(v[start..<(start + size)])
            var part = try b.topK(try b.makeBuffer(chunk), count: size, k: k)
            part.indices = part.indices.map { $0 + Int32(start) }
            running = mergeTopK(running, part, k: k)
            start += size
        }
        XCTAssertEqual(running, naiveTopK(v, k), "\(b.kind) chunked top-k merge")
    }
}
