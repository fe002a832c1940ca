import SparseIHTCore

/// The contract's cases for the primitives of `ComputeBackend` (GEMM, gates, gated
/// products, scatter, top-k).
extension ParityContract {
    static func gemm<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(1)
        // The last shape is above CLBlast's indirect-kernel threshold in the tuning table
        // (192^3 multiply-adds on PoCL), so a tuned `Xgemm` row is checked too.
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (65, 33, 129), (200, 220, 240)] {
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
                r.expectClose(try b.read(C, count: m * n), want, scale: scale, "gemm \(m)x\(n)x\(k) \(ta)\(tb)")
            }
        }
    }

    static func gate<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(2)
        for (n, d, c) in shapes {
            let x = t.normals(n * d)
            var h = t.normals(c * d)
            for l in 0..<d { h[l] = 0 }  // neuron 0 has a zero generator: all-zero gate
            let X = try b.makeBuffer(x), H = try b.makeBuffer(h), G = try b.makeBuffer(count: n * c)
            try b.gate(x: X, n: n, d: d, generators: H, c: c, into: G)
            let g = try b.read(G, count: n * c)
            var bad: String?
            for i in 0..<n { for j in 0..<c where bad == nil {
                var s = 0.0, sc = 0.0
                for l in 0..<d { let p = Double(x[i * d + l]) * Double(h[j * d + l]); s += p; sc += abs(p) }
                let v = g[i * c + j]
                if v != 0 && v != 1 { bad = "value \(v) at [\(i),\(j)]" }
                else if j == 0 && v != 0 { bad = "zero generator gives \(v) at row \(i)" }
                // Away from the sign boundary the gate is exact.
                else if j > 0 && abs(s) > sumTolerance * sc + 1e-6 && v != (s > 0 ? 1 : 0) { bad = "[\(i),\(j)] is \(v), product \(s)" }
            } }
            r.expect(bad == nil, "gate (\(n),\(d),\(c))", bad ?? "")
        }
    }

    /// `writeGates`: each column the named byte row (zeros for a negative row), exactly, over
    /// a buffer holding other values; a row past the bytes is refused. `readGates` gives
    /// chosen columns back as bytes; a column past the matrix is refused.
    static func writeGates<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(14)
        for (n, _, c) in shapes {
            let held = 3
            let bytes = t.gates(held * n).map { UInt8($0) }
            let rows = (0..<c).map { p in p % 4 == 3 ? -1 : (p * 7) % held }
            let G = try b.makeBuffer(t.normals(n * c))
            try b.writeGates(bytes, n: n, rows: rows, into: G)
            let g = try b.read(G, count: n * c)
            var bad: String?
            for i in 0..<n { for p in 0..<c where bad == nil {
                let want: Float = rows[p] < 0 ? 0 : Float(bytes[rows[p] * n + i])
                if g[i * c + p] != want { bad = "[\(i),\(p)] is \(g[i * c + p]), want \(want)" }
            } }
            r.expect(bad == nil, "gates from the host (\(n),\(c))", bad ?? "")
            let columns = (0..<c).filter { $0 % 3 != 1 }.reversed().map { Int32($0) }
            let back = try b.readGates(G, n: n, c: c, columns: columns)
            var wrong: String?
            for (p, j) in columns.enumerated() { for i in 0..<n where wrong == nil && Float(back[p * n + i]) != g[i * c + Int(j)] {
                wrong = "column \(j) row \(i): \(back[p * n + i]) for \(g[i * c + Int(j)])"
            } }
            r.expect(back.count == n * columns.count && wrong == nil, "gates to the host (\(n),\(c))", wrong ?? "\(back.count) bytes")
        }
        var refusedRead = false
        do { _ = try b.readGates(try b.makeBuffer(count: 4), n: 2, c: 2, columns: [2]) } catch { refusedRead = true }
        r.expect(refusedRead, "gates to the host: a column past the matrix is refused", "accepted")
        var refused = false
        do { try b.writeGates([0, 1, 1, 0], n: 2, rows: [0, 2], into: try b.makeBuffer(count: 4)) } catch { refused = true }
        r.expect(refused, "gates from the host: a row past the bytes is refused", "accepted")
    }

    /// `gateColumns`: the chosen columns are the gates of their generators (exact away from
    /// the sign boundary, zero for a zero generator), the others keep their values; repeated
    /// or out-of-range columns are refused.
    static func gateColumns<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(15)
        for (n, d, c) in shapes {
            let columns = (0..<c).filter { $0 % 2 == 0 }.reversed().map { Int32($0) }
            let x = t.normals(n * d)
            var h = t.normals(columns.count * d)
            for l in 0..<d { h[l] = 0 }  // the first chosen column's generator is zero
            let G = try b.makeBuffer([Float](repeating: 7, count: n * c))
            try b.gateColumns(x: try b.makeBuffer(x), n: n, d: d, generators: try b.makeBuffer(h), columns: columns, c: c, into: G)
            let g = try b.read(G, count: n * c)
            var bad: String?
            let chosen = Dictionary(uniqueKeysWithValues: columns.enumerated().map { (Int($1), $0) })
            for i in 0..<n { for j in 0..<c where bad == nil {
                let v = g[i * c + j]
                guard let p = chosen[j] else {
                    if v != 7 { bad = "column \(j) not chosen but [\(i),\(j)] is \(v)" }
                    continue
                }
                var s = 0.0, sc = 0.0
                for l in 0..<d { let q = Double(x[i * d + l]) * Double(h[p * d + l]); s += q; sc += abs(q) }
                if v != 0 && v != 1 { bad = "value \(v) at [\(i),\(j)]" }
                else if p == 0 && v != 0 { bad = "zero generator gives \(v) at row \(i)" }
                else if p > 0 && abs(s) > sumTolerance * sc + 1e-6 && v != (s > 0 ? 1 : 0) { bad = "[\(i),\(j)] is \(v), product \(s)" }
            } }
            r.expect(bad == nil, "gate columns (\(n),\(d),\(c))", bad ?? "")
        }
        for (columns, why) in [([Int32(0), 0], "repeated"), ([Int32(2)], "out of range")] {
            var refused = false
            do {
                try b.gateColumns(x: try b.makeBuffer(count: 4), n: 2, d: 2, generators: try b.makeBuffer(count: 2 * columns.count),
                                  columns: columns, c: 2, into: try b.makeBuffer(count: 4))
            } catch { refused = true }
            r.expect(refused, "gate columns: \(why) columns are refused", "accepted")
        }
    }

    static func maskedGradient<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(3)
        for (n, d, c) in shapes {
            for k in [1, 3] {
                let x = t.normals(n * d), g = t.gates(n * c), res = t.normals(n * k)
                let out = try b.makeBuffer(count: c * k * d)
                try b.maskedGradient(x: try b.makeBuffer(x), n: n, d: d, gate: try b.makeBuffer(g), c: c,
                                     residual: try b.makeBuffer(res), k: k, into: out)
                var want = [Double](repeating: 0, count: c * k * d), scale = want
                for j in 0..<c { for l in 0..<k { for col in 0..<d {
                    var s = 0.0, sc = 0.0
                    for i in 0..<n {
                        let p = Double(g[i * c + j]) * Double(res[i * k + l]) * Double(x[i * d + col])
                        s += p; sc += abs(p)
                    }
                    want[(j * k + l) * d + col] = s; scale[(j * k + l) * d + col] = sc
                } } }
                r.expectClose(try b.read(out, count: c * k * d), want, scale: scale, "gradient (\(n),\(d),\(c),k=\(k))")
            }
        }
    }

    static func gatedForward<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(4)
        for (n, d, a) in shapes + [(13, 4, 0)] {
            let x = t.normals(n * d), w = t.normals(a * d), g = t.gates(n * a)
            let X = try b.makeBuffer(x), W = try b.makeBuffer(w), G = try b.makeBuffer(g)
            let Y = try b.makeBuffer(t.normals(n))  // garbage that must be overwritten
            try b.gatedForward(x: X, n: n, d: d, weights: W, gate: G, a: a, into: Y)
            var want = [Double](repeating: 0, count: n), scale = want
            var norms = [Double](repeating: 0, count: a)
            var zWant = [Double](repeating: 0, count: n * a), zScale = zWant
            for i in 0..<n { for j in 0..<a {
                var z = 0.0, sc = 0.0
                for l in 0..<d { let p = Double(x[i * d + l]) * Double(w[j * d + l]); z += p; sc += abs(p) }
                let gij = Double(g[i * a + j])
                want[i] += gij * z; scale[i] += gij * sc
                norms[j] += gij * z * z
                zWant[i * a + j] = gij * z; zScale[i * a + j] = gij * sc
            } }
            r.expectClose(try b.read(Y, count: n), want, scale: scale, "forward (\(n),\(d),\(a))")
            let Z = try b.makeBuffer(count: n * a)
            try b.gatedActivations(x: X, n: n, d: d, weights: W, gate: G, a: a, into: Z)
            r.expectClose(try b.read(Z, count: n * a), zWant, scale: zScale, "activations (\(n),\(d),\(a))")
            let got = try b.neuronOutputNorms(x: X, n: n, d: d, weights: W, gate: G, a: a)
            let bad = got.count != a ? 0 : (0..<a).first {
                abs(Double(got[$0]) - norms[$0].squareRoot()) > 1e-3 * norms[$0].squareRoot() + 1e-5
            }
            r.expect(bad == nil, "output norms (\(n),\(d),\(a))", "neuron \(bad ?? -1) (\(got.count) norms)")
        }
    }

    static func scatter<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(5)
        let count = 1000
        let v = t.normals(count)
        let idx: [Int32] = [0, 17, 999, 500]
        let vals: [Float] = [1, -2, 3.5, 0.25]
        let V = try b.makeBuffer(v)
        try b.scaleAndScatterAdd(V, count: count, scale: -0.5, indices: idx, values: vals)
        var want = v.map { -0.5 * $0 }
        for (i, x) in zip(idx, vals) { want[Int(i)] += x }
        r.expectBits(try b.read(V, count: count), want, "scale and scatter")
        r.expectThrows("scatter refuses an index past the end") {
            try b.scaleAndScatterAdd(V, count: count, scale: 1, indices: [1000], values: [1])
        }
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
        var t = ParityData(6)
        let random = t.normals(10_007)
        let ties: [Float] = (0..<3000).map { Float($0 % 7) - 3 }        // many equal magnitudes
        let signedZeros: [Float] = [0, -0.0, 1, -1, 0, -0.0, 2, -2, -0.0]
        let rounded = t.normals(5000).map { ($0 * 4).rounded() / 4 }   // heavy ties
        let tiny: [Float] = [Float.leastNonzeroMagnitude, -Float.leastNormalMagnitude, Float.greatestFiniteMagnitude, 0]
        let large = t.normals(largeTopK).map { ($0 * 64).rounded() / 64 }
        return [
            ("one", [-3], [0, 1, 2]),
            ("random", random, [0, 1, 2, 100, 10_006, 10_007, 20_000]),
            ("ties", ties, [1, 428, 429, 1000, 2999, 3000]),
            ("all equal", [Float](repeating: -1.5, count: 1025), [1, 7, 513, 1024, 1025]),
            ("all zero", [Float](repeating: 0, count: 300), [5, 300]),
            ("signed zeros", signedZeros, [1, 3, 5, 6, 9]),
            ("rounded", rounded, [1, 333, 2500, 4999]),
            ("extremes", tiny, [1, 2, 3, 4]),
            ("large", large, [0, 7, largeTopK / 3, largeTopK]),
        ]
    }

    static func topK<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        for (name, v, ks) in topKCases() {
            let V = try b.makeBuffer(v)
            for k in ks {
                let got = try b.topK(V, count: v.count, k: k), want = naiveTopK(v, k)
                r.expect(got.indices == want.indices, "top-k \(name) k=\(k)", "index sets differ (\(got.indices.count) vs \(want.indices.count))")
                r.expect(got.values.map(\.bitPattern) == want.values.map(\.bitPattern), "top-k \(name) k=\(k) values", "values differ")
            }
        }
        // A prefix of a larger buffer: entries past `count` must be ignored.
        let V = try b.makeBuffer([1, 2, 3, 100, 200])
        r.expect(try b.topK(V, count: 3, k: 2).indices == [1, 2], "top-k of a prefix", "entries past count taken")
    }

    static func topKRejectsNonFinite<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        for (bad, at) in [(Float.nan, 5), (Float.infinity, 0), (-Float.infinity, 999)] {
            var v = [Float](repeating: 1, count: 1000)
            v[at] = bad
            let V = try b.makeBuffer(v)
            for k in [0, 10] {
                do {
                    _ = try b.topK(V, count: v.count, k: k)
                    r.expect(false, "top-k rejects \(bad) k=\(k)", "no error")
                } catch let e as SparseIHTError {
                    r.expect(e == .nonFinite(what: "top-k input", index: at), "top-k rejects \(bad) k=\(k)", "\(e)")
                }
            }
        }
        r.expectThrows("top-k refuses k < 0") { _ = try b.topK(try b.makeBuffer([1]), count: 1, k: -1) }
    }

    /// Streaming top-k over chunks, merged, equals the one-shot top-k.
    static func chunkedTopKMerge<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(7)
        let v = t.normals(9000).map { ($0 * 8).rounded() / 8 }
        let k = 700
        var running = TopKResult.empty
        var start = 0
        for size in [1000, 2500, 1, 3000, 2499] {
            var part = try b.topK(try b.makeBuffer(Array(v[start..<(start + size)])), count: size, k: k)
            part.indices = part.indices.map { $0 + Int32(start) }
            running = mergeTopK(running, part, k: k)
            start += size
        }
        r.expect(running == naiveTopK(v, k), "chunked top-k merge", "differs from the one-shot top-k")
    }

    static func dictionarySupport<B: ComputeBackend, R: ComputeBackend>(_ b: B, _ ref: R, _ r: inout ParityRecorder) throws {
        func support<C: ComputeBackend>(_ c: C) throws -> [Int] {
            let p = try PlantedProblems.plantedDictionary(n: 2000, d: 20, m: 40, s: 10, seed: 9, solverSeed: 9, backend: c)
            var o = SolverOptions(m: 40, s: 10)
            o.mode = .convex; o.steps = 40; o.seed = 9
            return try IHTSolver(backend: c, problem: p.problem, options: o).run().weights.indices
        }
        let s1 = try support(ref), s2 = try support(b)
        r.expect(s1 == s2 && !s1.isEmpty, "dictionary recovery support", "\(s2.count) vs \(s1.count) indices")
    }
}
