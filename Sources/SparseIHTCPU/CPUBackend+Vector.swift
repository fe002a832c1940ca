import SparseIHTCore

/// The vector-output step's primitives (`VectorStepBackend`) on the host, in plain Swift
/// loops with the same orders of operations as `Kernels/vector.cl`.
extension CPUBackend {
    public func vectorCandidates(w1: HostBuffer, w2: HostBuffer, gradW1: HostBuffer, gradW2: HostBuffer,
                                 a: Int, d: Int, k: Int, rate: Float, into candidates: HostBuffer) throws {
        try need(w1, a * d, "w1"); try need(gradW1, a * d, "gradient of w1")
        try need(w2, a * k, "w2"); try need(gradW2, a * k, "gradient of w2")
        try need(candidates, a * (d + k), "candidates")
        let L = d + k, c = candidates.pointer
        for j in 0..<a {
            for i in 0..<d { c[j * L + i] = w1.pointer[j * d + i] - rate * gradW1.pointer[j * d + i] }
            for l in 0..<k { c[j * L + d + l] = w2.pointer[j * k + l] - rate * gradW2.pointer[j * k + l] }
        }
    }

    public func copyColumns(_ source: HostBuffer, rows: Int, stride: Int, from: Int, width: Int,
                            into dest: HostBuffer) throws {
        guard from >= 0, width >= 0, from + width <= stride else {
            throw SparseIHTError.invalidArgument("columns \(from)..<\(from + width) outside a row of \(stride)")
        }
        try need(source, rows * stride, "column source"); try need(dest, rows * width, "column destination")
        for r in 0..<rows {
            for i in 0..<width { dest.pointer[r * width + i] = source.pointer[r * stride + from + i] }
        }
    }

    public func gatherRows(_ source: HostBuffer, width: Int, rows: [Int32], into dest: HostBuffer) throws {
        try need(dest, rows.count * width, "row destination")
        let available = width > 0 ? source.count / width : 0
        if let bad = rows.first(where: { $0 < 0 || Int($0) >= available }) {
            throw SparseIHTError.invalidArgument("row \(bad) outside 0..<\(available)")
        }
        tracker.moved(4 * rows.count)
        for (t, r) in rows.enumerated() {
            (dest.pointer + t * width).update(from: source.pointer + Int(r) * width, count: width)
        }
    }

    public func gather(_ buffer: HostBuffer, indices: [Int32]) throws -> [Float] {
        if let bad = indices.first(where: { $0 < 0 || Int($0) >= buffer.count }) {
            throw SparseIHTError.invalidArgument("gather index \(bad) outside 0..<\(buffer.count)")
        }
        tracker.moved(8 * indices.count)
        return indices.map { buffer.pointer[Int($0)] }
    }

    public func sketchKeys(candidates: HostBuffer, w1: HostBuffer, w2: HostBuffer, a: Int, d: Int, k: Int,
                           neurons: [Int32], sketch: HostBuffer, depth: Int, width: Int,
                           into keys: HostBuffer) throws {
        let L = d + k, count = a * L
        guard neurons.count == a, depth >= 1, width >= 1 else {
            throw SparseIHTError.invalidArgument("sketch of \(depth) x \(width) over \(neurons.count) neurons for \(a) rows")
        }
        try need(candidates, count, "candidates"); try need(w1, a * d, "w1"); try need(w2, a * k, "w2")
        try need(sketch, depth * width, "sketch"); try need(keys, count, "keys")
        tracker.moved(4 * a)
        let c = candidates.pointer, s = sketch.pointer, out = keys.pointer
        for e in 0..<count { out[e] = .greatestFiniteMagnitude }
        for row in 0..<depth {
            for e in 0..<count {
                let j = e / L, i = e % L
                let before = i < d ? w1.pointer[j * d + i] : w2.pointer[j * k + i - d]
                let cell = row * width + sketchCell(Int(neurons[j]) * L + i, row: row, width: width)
                s[cell] += abs(c[e] - before)
                out[e] = min(out[e], s[cell])
            }
        }
        // A non-finite candidate must not hide behind the minimum: its key is NaN, which
        // the top-k rejects.
        for e in 0..<count where !c[e].isFinite { out[e] = .nan }
    }

    public func sparseProduct(x: HostBuffer, n: Int, d: Int, offsets: [Int32], columns: [Int32], values: [Float],
                              gate: HostBuffer?, threshold: Bool, into out: HostBuffer) throws {
        let a = try checkSparseRows(offsets: offsets, columns: columns, values: values, d: d)
        try need(x, n * d, "x"); try need(out, n * a, "product")
        if let g = gate { try need(g, n * a, "gate") }
        tracker.moved(4 * (offsets.count + columns.count + values.count))
        let xp = x.pointer, o = out.pointer, gp = gate?.pointer
        @inline(__always) func finish(_ i: Int, _ j: Int, _ acc: Float) {
            if threshold { o[i * a + j] = acc > 0 ? 1 : 0 }
            else if let g = gp { o[i * a + j] = g[i * a + j] * acc }
            else { o[i * a + j] = acc }
        }
        // Four examples at a time per neuron: four independent running sums in registers,
        // each over the neuron's entries in the given order, as the protocol requires.
        offsets.withUnsafeBufferPointer { op in columns.withUnsafeBufferPointer { cp in values.withUnsafeBufferPointer { vp in
            var i = 0
            while i + 4 <= n {
                let r0 = xp + i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d
                for j in 0..<a {
                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                    for t in Int(op[j])..<Int(op[j + 1]) {
                        let c = Int(cp[t]), v = vp[t]
                        let p0 = r0[c] * v, p1 = r1[c] * v, p2 = r2[c] * v, p3 = r3[c] * v
                        s0 += p0; s1 += p1; s2 += p2; s3 += p3
                    }
                    finish(i, j, s0); finish(i + 1, j, s1); finish(i + 2, j, s2); finish(i + 3, j, s3)
                }
                i += 4
            }
            while i < n {
                let row = xp + i * d
                for j in 0..<a {
                    var acc: Float = 0
                    for t in Int(op[j])..<Int(op[j + 1]) {
                        let p = row[Int(cp[t])] * vp[t]
                        acc += p
                    }
                    finish(i, j, acc)
                }
                i += 1
            }
        } } }
    }

    private func need(_ b: HostBuffer, _ count: Int, _ what: String) throws {
        guard b.count >= count else {
            throw SparseIHTError.shapeMismatch("\(what) needs \(count) floats, buffer holds \(b.count)")
        }
    }
}
