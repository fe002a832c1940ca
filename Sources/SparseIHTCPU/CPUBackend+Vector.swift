import CVectorLoops
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
        // Eight examples at a time per neuron (C, baseline or AVX2): independent running sums,
        // each over the neuron's entries in the given order, as the protocol requires.
        guard n > 0, a > 0 else { return }
        // Rows without entries read nothing; one placeholder gives empty arrays an address.
        let cols = columns.isEmpty ? [0] : columns, vals = values.isEmpty ? [0] : values
        offsets.withUnsafeBufferPointer { op in cols.withUnsafeBufferPointer { cp in vals.withUnsafeBufferPointer { vp in
            vl_sparse_rows(x.pointer, n, d, op.baseAddress!, cp.baseAddress!, vp.baseAddress!, a, gate?.pointer,
                           threshold ? 1 : 0, out.pointer)
        } } }
    }

    public var buffersOnHost: Bool { true }

    /// Straight into the buffer, 64 examples at a time (each row of `g` written whole, the
    /// source rows read 64 bytes each).
    public func writeGates(_ bytes: [UInt8], n: Int, rows: [Int], into g: HostBuffer) throws {
        let c = rows.count
        try checkGateRows(bytes.count, n: n, rows: rows)
        try need(g, n * c, "gate")
        guard n > 0, c > 0 else { return }
        let zeros = [UInt8](repeating: 0, count: rows.contains { $0 < 0 } ? n : 0)
        bytes.withUnsafeBufferPointer { bp in zeros.withUnsafeBufferPointer { zp in
            let sources = rows.map { $0 >= 0 ? bp.baseAddress! + $0 * n : zp.baseAddress! }
            let out = g.pointer
            for i0 in stride(from: 0, to: n, by: 64) {
                for i in i0..<min(i0 + 64, n) {
                    let row = out + i * c
                    for p in 0..<c { row[p] = Float(sources[p][i]) }
                }
            }
        } }
    }

    /// Straight from the buffer, 64 examples at a time.
    public func readGates(_ g: HostBuffer, n: Int, c: Int, columns: [Int32]) throws -> [UInt8] {
        try checkGateColumns(columns, c: c, distinct: false)
        try need(g, n * c, "gate")
        let r = columns.count
        var out = [UInt8](repeating: 0, count: n * r)
        guard n > 0, r > 0 else { return out }
        let src = g.pointer
        out.withUnsafeMutableBufferPointer { op in
            let o = op.baseAddress!
            for i0 in stride(from: 0, to: n, by: 64) {
                for i in i0..<min(i0 + 64, n) {
                    let row = src + i * c
                    for p in 0..<r where row[Int(columns[p])] > 0 { o[p * n + i] = 1 }
                }
            }
        }
        return out
    }

    private func need(_ b: HostBuffer, _ count: Int, _ what: String) throws {
        guard b.count >= count else {
            throw SparseIHTError.shapeMismatch("\(what) needs \(count) floats, buffer holds \(b.count)")
        }
    }
}
