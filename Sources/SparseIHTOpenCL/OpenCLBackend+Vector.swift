import SparseIHTCore

/// The vector-output step's primitives (`VectorStepBackend`) as kernels of
/// `Kernels/vector.cl`, one launcher each; only `gather` reads anything back.
extension OpenCLBackend {
    public func vectorCandidates(w1: CLBuffer<Float>, w2: CLBuffer<Float>, gradW1: CLBuffer<Float>,
                                 gradW2: CLBuffer<Float>, a: Int, d: Int, k: Int, rate: Float,
                                 into candidates: CLBuffer<Float>) throws {
        try requireCapacity(w1, a * d, "w1"); try requireCapacity(gradW1, a * d, "gradient of w1")
        try requireCapacity(w2, a * k, "w2"); try requireCapacity(gradW2, a * k, "gradient of w2")
        try requireCapacity(candidates, a * (d + k), "candidates")
        guard a * (d + k) > 0 else { return }
        try run("vector_candidates", in: "vector.cl", global: a * (d + k),
                [w1.arg, w2.arg, gradW1.arg, gradW2.arg, candidates.arg,
                 .int(Int32(a)), .int(Int32(d)), .int(Int32(k)), .float(rate)])
    }

    public func copyColumns(_ source: CLBuffer<Float>, rows: Int, stride: Int, from: Int, width: Int,
                            into dest: CLBuffer<Float>) throws {
        guard from >= 0, width >= 0, from + width <= stride else {
            throw SparseIHTError.invalidArgument("columns \(from)..<\(from + width) outside a row of \(stride)")
        }
        try requireCapacity(source, rows * stride, "column source")
        try requireCapacity(dest, rows * width, "column destination")
        guard rows * width > 0 else { return }
        try run("copy_columns", in: "vector.cl", global: rows * width,
                [source.arg, dest.arg, .int(Int32(rows)), .int(Int32(stride)), .int(Int32(from)), .int(Int32(width))])
    }

    public func gatherRows(_ source: CLBuffer<Float>, width: Int, rows: [Int32], into dest: CLBuffer<Float>) throws {
        try requireCapacity(dest, rows.count * width, "row destination")
        let available = width > 0 ? source.count / width : 0
        if let bad = rows.first(where: { $0 < 0 || Int($0) >= available }) {
            throw SparseIHTError.invalidArgument("row \(bad) outside 0..<\(available)")
        }
        guard rows.count * width > 0 else { return }
        try requireCapacity(source, available * width, "row source")
        let idx = try scratchInt("gather.rows", rows.count)
        try idx.write(rows, queue: queue)
        try run("gather_rows", in: "vector.cl", global: rows.count * width,
                [source.arg, idx.arg, dest.arg, .int(Int32(rows.count)), .int(Int32(width))])
    }

    public func gather(_ buffer: CLBuffer<Float>, indices: [Int32]) throws -> [Float] {
        if let bad = indices.first(where: { $0 < 0 || Int($0) >= buffer.count }) {
            throw SparseIHTError.invalidArgument("gather index \(bad) outside 0..<\(buffer.count)")
        }
        guard !indices.isEmpty else { return [] }
        let idx = try scratchInt("gather.indices", indices.count)
        let out = try scratch("gather.values", indices.count)
        try idx.write(indices, queue: queue)
        try run("gather_values", in: "vector.cl", global: indices.count,
                [buffer.arg, idx.arg, out.arg, .int(Int32(indices.count))])
        return try out.read(count: indices.count, queue: queue)
    }

    public func sketchKeys(candidates: CLBuffer<Float>, w1: CLBuffer<Float>, w2: CLBuffer<Float>, a: Int, d: Int,
                           k: Int, neurons: [Int32], sketch: CLBuffer<Float>, depth: Int, width: Int,
                           into keys: CLBuffer<Float>) throws {
        let L = d + k, count = a * L
        guard neurons.count == a, depth >= 1, width >= 1 else {
            throw SparseIHTError.invalidArgument("sketch of \(depth) x \(width) over \(neurons.count) neurons for \(a) rows")
        }
        try requireCapacity(candidates, count, "candidates"); try requireCapacity(w1, a * d, "w1")
        try requireCapacity(w2, a * k, "w2"); try requireCapacity(sketch, depth * width, "sketch")
        try requireCapacity(keys, count, "keys")
        guard count > 0 else { return }
        let est = try scratch("sketch.estimates", depth * count)
        let ids = try scratchInt("sketch.neurons", a)
        try ids.write(neurons, queue: queue)
        try run("sketch_accumulate", in: "vector.cl", global: depth, local: 1,
                [candidates.arg, w1.arg, w2.arg, ids.arg, sketch.arg, est.arg,
                 .int(Int32(a)), .int(Int32(d)), .int(Int32(k)), .int(Int32(depth)), .int(Int32(width))])
        try run("sketch_min", in: "vector.cl", global: count,
                [est.arg, candidates.arg, keys.arg, .int(Int32(count)), .int(Int32(depth))])
    }

    public func sparseProduct(x: CLBuffer<Float>, n: Int, d: Int, offsets: [Int32], columns: [Int32], values: [Float],
                              gate: CLBuffer<Float>?, threshold: Bool, into out: CLBuffer<Float>) throws {
        let a = try checkSparseRows(offsets: offsets, columns: columns, values: values, d: d)
        try requireCapacity(x, n * d, "x"); try requireCapacity(out, n * a, "product")
        if let g = gate { try requireCapacity(g, n * a, "gate") }
        guard n * a > 0 else { return }
        let off = try scratchInt("sparse.offsets", offsets.count)
        let col = try scratchInt("sparse.columns", max(columns.count, 1))
        let val = try scratch("sparse.values", max(values.count, 1))
        try off.write(offsets, queue: queue); try col.write(columns, queue: queue); try val.write(values, queue: queue)
        let mode: Int32 = threshold ? 1 : (gate != nil ? 2 : 0)
        try run("sparse_product", in: "vector.cl", global: n * a,
                [x.arg, off.arg, col.arg, val.arg, (gate ?? out).arg, out.arg,
                 .int(Int32(n)), .int(Int32(d)), .int(Int32(a)), .int(mode)])
    }
}
