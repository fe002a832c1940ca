import SparseIHTCore

private struct ParityOutOfMemory: OutOfMemoryReporting { var isOutOfMemory: Bool { true } }

/// The contract's cases for the vector-output step (`VectorStepBackend`), the streamed
/// selection and the transfer counter.
extension ParityContract {
    static func vectorCandidates<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(11)
        for (a, d, k) in vectorShapes {
            let w1 = t.normals(a * d), w2 = t.normals(a * k), g1 = t.normals(a * d), g2 = t.normals(a * k)
            let rate: Float = 0.37, L = d + k
            let out = try b.makeBuffer(t.normals(a * L))   // garbage that must be overwritten
            try b.vectorCandidates(w1: try b.makeBuffer(w1), w2: try b.makeBuffer(w2), gradW1: try b.makeBuffer(g1),
                                   gradW2: try b.makeBuffer(g2), a: a, d: d, k: k, rate: rate, into: out)
            var want = [Float](repeating: 0, count: a * L)
            for j in 0..<a {
                for i in 0..<d { let step = rate * g1[j * d + i]; want[j * L + i] = w1[j * d + i] - step }
                for l in 0..<k { let step = rate * g2[j * k + l]; want[j * L + d + l] = w2[j * k + l] - step }
            }
            r.expectBits(try b.read(out, count: a * L), want, "candidates (\(a),\(d),\(k))")
        }
    }

    static func copiesAndGathers<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(12)
        let rows = 37, stride = 53
        let src = t.normals(rows * stride), S = try b.makeBuffer(src)
        for (from, width) in [(0, 53), (0, 50), (50, 3), (17, 1), (10, 0)] {
            let out = try b.makeBuffer(count: max(rows * width, 1))
            try b.copyColumns(S, rows: rows, stride: stride, from: from, width: width, into: out)
            let want = (0..<rows).flatMap { rr in (0..<width).map { src[rr * stride + from + $0] } }
            r.expectBits(try b.read(out, count: rows * width), want, "columns \(from)..<\(from + width)")
        }
        r.expectThrows("column copy refuses columns past the row") {
            try b.copyColumns(S, rows: rows, stride: stride, from: 50, width: 4, into: try b.makeBuffer(count: rows * 4))
        }
        let picks: [Int32] = [36, 0, 5, 5, 17, 36]
        let G = try b.makeBuffer(count: picks.count * stride)
        try b.gatherRows(S, width: stride, rows: picks, into: G)
        r.expectBits(try b.read(G, count: picks.count * stride),
                     picks.flatMap { p in src[(Int(p) * stride)..<((Int(p) + 1) * stride)] }, "row gather")
        r.expectThrows("row gather refuses a row past the end") { try b.gatherRows(S, width: stride, rows: [37], into: G) }
        let idx: [Int32] = [Int32(rows * stride - 1), 0, 99, 99, 1000]
        r.expectBits(try b.gather(S, indices: idx), idx.map { src[Int($0)] }, "value gather")
        r.expect(try b.gather(S, indices: []).isEmpty, "empty gather", "not empty")
        r.expectThrows("value gather refuses an index past the end") { _ = try b.gather(S, indices: [Int32(rows * stride)]) }
        r.expectThrows("value gather refuses a negative index") { _ = try b.gather(S, indices: [-1]) }
    }

    /// Host reference of `sketchKeys` (the sequential definition, float32 as specified).
    static func referenceSketch(cand: [Float], w1: [Float], w2: [Float], a: Int, d: Int, k: Int, neurons: [Int32],
                                sketch: inout [Float], depth: Int, width: Int) -> [Float] {
        let L = d + k
        var keys = [Float](repeating: .greatestFiniteMagnitude, count: a * L)
        for e in 0..<(a * L) {
            let j = e / L, i = e % L
            let before = i < d ? w1[j * d + i] : w2[j * k + i - d]
            for row in 0..<depth {
                let cell = row * width + sketchCell(Int(neurons[j]) * L + i, row: row, width: width)
                sketch[cell] += abs(cand[e] - before)
                keys[e] = min(keys[e], sketch[cell])
            }
            if !cand[e].isFinite { keys[e] = .nan }
        }
        return keys
    }

    static func sketchKeys<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(13)
        let depth = 3, width = 64   // narrow: many collisions, so the order of additions shows
        var sketch = [Float](repeating: 0, count: depth * width)
        let S = try b.makeBuffer(sketch)
        for (step, (a, d, k)) in [(5, 7, 2), (3, 7, 2), (17, 33, 10)].enumerated() {
            let w1 = t.normals(a * d), w2 = t.normals(a * k)
            var cand = t.normals(a * (d + k))
            if step == 1 { cand[4] = .nan }
            let neurons = (0..<a).map { Int32(3 * $0 + step) }
            let K = try b.makeBuffer(count: a * (d + k))
            try b.sketchKeys(candidates: try b.makeBuffer(cand), w1: try b.makeBuffer(w1), w2: try b.makeBuffer(w2),
                             a: a, d: d, k: k, neurons: neurons, sketch: S, depth: depth, width: width, into: K)
            let want = referenceSketch(cand: cand, w1: w1, w2: w2, a: a, d: d, k: k, neurons: neurons,
                                       sketch: &sketch, depth: depth, width: width)
            let got = try b.read(K, count: a * (d + k))
            // NaN keys compare by being NaN; every other key bit for bit.
            let bad = got.indices.first { want[$0].isNaN ? !got[$0].isNaN : got[$0].bitPattern != want[$0].bitPattern }
            r.expect(bad == nil, "sketch keys, call \(step + 1)", bad.map { "entry \($0): got \(got[$0]), want \(want[$0])" } ?? "")
            if step != 1 { r.expectBits(try b.read(S, count: depth * width), sketch, "sketch cells after call \(step + 1)") }
            else { sketch = try b.read(S, count: depth * width) }   // NaN cells: carry the backend's state on
        }
    }

    static func sparseProduct<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        var t = ParityData(15)
        for (n, d, a) in shapes {
            let x = t.normals(n * d), g = t.gates(n * a)
            // Sparse rows: neuron j keeps about one entry in (j % 4 + 1) * 3, row 0 none.
            var w = [Float](repeating: 0, count: a * d)
            let dense = t.normals(a * d)
            for j in 1..<max(a, 1) { for i in 0..<d where (i * 7 + j) % ((j % 4 + 1) * 3) == 0 { w[j * d + i] = dense[j * d + i] } }
            let support = (0..<(a * d)).filter { w[$0] != 0 }
            let rows = SparseRows(SparseWeights(d: d, m: a, indices: support, values: support.map { w[$0] }),
                                  width: d, neurons: Array(0..<a))
            var plain = [Float](repeating: 0, count: n * a)
            for i in 0..<n { for j in 0..<a {
                var acc: Float = 0
                for q in Int(rows.offsets[j])..<Int(rows.offsets[j + 1]) {
                    let p = x[i * d + Int(rows.columns[q])] * rows.values[q]
                    acc += p
                }
                plain[i * a + j] = acc
            } }
            let X = try b.makeBuffer(x), G = try b.makeBuffer(g)
            for (mode, want) in [("product", plain), ("gates", plain.map { $0 > 0 ? 1 : 0 }),
                                 ("gated", zip(g, plain).map { $0 * $1 })] {
                let out = try b.makeBuffer(t.normals(n * a))   // garbage that must be overwritten
                try b.sparseProduct(x: X, n: n, d: d, offsets: rows.offsets, columns: rows.columns, values: rows.values,
                                    gate: mode == "gated" ? G : nil, threshold: mode == "gates", into: out)
                r.expectBits(try b.read(out, count: n * a), want, "sparse \(mode) (\(n),\(d),\(a)), \(rows.nonzeros) nonzeros")
            }
        }
        let X = try b.makeBuffer([Float](repeating: 1, count: 12)), out = try b.makeBuffer(count: 8)
        r.expectThrows("sparse product refuses a column past d") {
            try b.sparseProduct(x: X, n: 4, d: 3, offsets: [0, 1], columns: [3], values: [1], gate: nil, threshold: false, into: out)
        }
        r.expectThrows("sparse product refuses offsets that do not end at the entry count") {
            try b.sparseProduct(x: X, n: 4, d: 3, offsets: [0, 2], columns: [0], values: [1], gate: nil, threshold: false, into: out)
        }
    }

    static func streamedSelection<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        for bad in [0, -3, Int(Int32.max), Int.max] {
            r.expectThrows("chunk \(bad) refused") { try StreamedSelection.validate(chunk: bad, span: 60_000) }
        }
        r.expectThrows("vector options refuse chunk 0") {
            var o = VectorOptions(m: 10, s: 5); o.chunk = 0
            try o.validate(n: 100, d: 4, k: 2)
        }
        r.expectThrows("scalar options refuse chunk -1") {
            var o = SolverOptions(m: 10, s: 5); o.chunk = -1
            try o.validate(n: 100, d: 4)
        }
        do {
            try StreamedSelection.validate(chunk: 5000, span: 60_000)   // above m = 1000: capped, fine
            r.expect(true, "chunk above m accepted", "")
        } catch { r.expect(false, "chunk above m accepted", "\(error)") }
        let c = StreamedSelection.chunkSize(requested: nil, neurons: 1000, bytesPerNeuron: 1 << 20, memoryBytes: 100 << 20,
                                            span: 100)
        r.expect(c == 100, "chunk from the allowance", "\(c)")
        let capped = StreamedSelection.chunkSize(requested: nil, neurons: 1 << 30, bytesPerNeuron: 1, memoryBytes: 1 << 40,
                                                 span: 1 << 20)
        r.expect(capped * (1 << 20) <= Int(Int32.max) && capped >= 1, "chunk within the index range", "\(capped)")
        var chunk = 10, tried: [Int] = []
        let used = try StreamedSelection.withFallback(&chunk, context: "test") { c -> Int in
            tried.append(c)
            if c > 3 { throw ParityOutOfMemory() }
            return c
        }
        r.expect(tried == [10, 5, 2] && used == 2 && chunk == 2, "out-of-memory fallback halves", "\(tried)")
        chunk = 1
        r.expectThrows("out of memory at one neuron fails") {
            _ = try StreamedSelection.withFallback(&chunk, context: "test") { _ -> Int in throw ParityOutOfMemory() }
        }
        // Chunks of a neuron list through the backend's top-k, merged: the one-shot top-k.
        var t = ParityData(14)
        let L = 9, neurons = [0, 2, 3, 7, 8, 11, 12, 13, 20, 21, 30]
        var flat = [Float](repeating: 0, count: 31 * L)
        for j in neurons { for i in 0..<L { flat[j * L + i] = (t.normals(1)[0] * 4).rounded() / 4 } }
        for size in [1, 3, 4, 11] {
            var sel = StreamedSelection(k: 25)
            for part in StreamedSelection.chunks(neurons, size: size) {
                let rows = part.flatMap { j in flat[(j * L)..<((j + 1) * L)] }
                let ids = Array(part)
                sel.add(try StreamedSelection.chunkTop(try b.makeBuffer(rows), count: rows.count, keep: 25, on: b) {
                    ids[$0 / L] * L + $0 % L
                }.flat)
            }
            // Entries outside the neuron list are zero and the 25th magnitude is not, so the
            // one-shot top-k over the whole flat vector is the reference.
            r.expect(sel.kept == naiveTopK(flat, 25), "streamed selection, chunks of \(size)", "differs from the one-shot top-k")
        }
        // A non-finite candidate is reported at its flat index, in the caller's words.
        do {
            _ = try StreamedSelection.chunkTop(try b.makeBuffer([1, 2, 3, .nan, 5]), count: 5, keep: 2, on: b,
                                               what: "candidates") { 100 + $0 }
            r.expect(false, "chunk top-k refuses NaN", "no error")
        } catch SparseIHTError.nonFinite(let what, let index) {
            r.expect(what == "candidates" && index == 103, "chunk top-k refuses NaN at its flat index", "\(what) at \(index)")
        } catch {
            r.expect(false, "chunk top-k refuses NaN", "\(error)")
        }
    }

    static func transferCounter<B: ComputeBackend>(_ b: B, _ r: inout ParityRecorder) throws {
        let start = b.bytesTransferred
        let buf = try b.makeBuffer([Float](repeating: 1, count: 100))
        r.expect(b.bytesTransferred - start == 400, "upload counted", "\(b.bytesTransferred - start) bytes for 400")
        let mid = b.bytesTransferred
        _ = try b.read(buf, count: 50)
        r.expect(b.bytesTransferred - mid == 200, "read-back counted", "\(b.bytesTransferred - mid) bytes for 200")
        let before = b.bytesTransferred
        _ = try b.topK(buf, count: 100, k: 10)
        r.expect(b.bytesTransferred - before >= 80, "top-k results counted", "\(b.bytesTransferred - before) bytes")
        let beforeCopy = b.bytesTransferred
        try b.copyColumns(buf, rows: 10, stride: 10, from: 0, width: 5, into: try b.makeBuffer(count: 50))
        r.expect(b.bytesTransferred == beforeCopy, "device copies move nothing", "\(b.bytesTransferred - beforeCopy) bytes")
    }

    /// A short vector-output run per ranking rule: the epoch losses agree with the CPU's.
    static func vectorSupport<B: ComputeBackend, R: ComputeBackend>(_ b: B, _ ref: R, _ r: inout ParityRecorder) throws {
        for ranking in VectorOptions.Ranking.allCases {
            func losses<C: ComputeBackend>(_ c: C) throws -> [Double] {
                let planted = try PlantedProblems.plantedNetwork(n: 300, d: 10, m: 4, s: 12, layers: 1, outputs: 3, seed: 4, backend: c)
                var o = VectorOptions(m: 6, s: 30)
                o.epochs = 4; o.learningRate = 0.05; o.seed = 4; o.batchSize = 100; o.ranking = ranking; o.chunk = 4
                let solver = try VectorIHTSolver(backend: c, x: planted.x, y: planted.y, n: 300, d: 10, k: 3, options: o)
                var out: [Double] = []
                solver.onEpoch = { out.append($0.loss) }
                _ = try solver.run()
                return out
            }
            let want = try losses(ref), got = try losses(b)
            let ok = want.count == got.count && zip(got, want).allSatisfy { abs($0 - $1) <= 1e-3 * abs($1) + 1e-6 }
            r.expect(ok, "vector solver \(ranking.rawValue) losses", "\(got) vs \(want)")
        }
    }
}
