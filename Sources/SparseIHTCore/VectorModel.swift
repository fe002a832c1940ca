import Foundation

/// A vector-output two-layer model with unfused weights sharing one budget: per neuron a
/// block `[w1_j (d); w2_j (k)]` of length `d + k`, stored sparsely as `SparseWeights` with
/// block length `d + k` (flat index `j*(d+k) + i`; `i < d` is the first layer).
/// Prediction: `Y_hat = sum_j g_j .* (X w1_j) w2_j^T` (`n x k`) with the gates of `generators`.
public struct VectorModel: Sendable {
    public let d: Int
    public let k: Int
    public var blocks: SparseWeights
    public var generators: GeneratorBank

    public var m: Int { blocks.m }

    public init(d: Int, k: Int, blocks: SparseWeights, generators: GeneratorBank) {
        self.d = d; self.k = k; self.blocks = blocks; self.generators = generators
    }

    /// The first-layer weights alone (`SparseWeights` with block length `d`).
    public var firstLayer: SparseWeights {
        var idx: [Int] = [], val: [Float] = []
        let L = d + k
        for (i, v) in zip(blocks.indices, blocks.values) where i % L < d {
            idx.append(i / L * d + i % L); val.append(v)
        }
        return SparseWeights(d: d, m: m, indices: idx, values: val)
    }

    /// Nonzeros in the first layer and in the output layer.
    public var nonzeros: (first: Int, output: Int) {
        let L = d + k
        let first = blocks.indices.filter { $0 % L < d }.count
        return (first, blocks.count - first)
    }

    /// `Y_hat` (`n x k`) for data `x` (`n x d`) on `backend`, over the active neurons.
    public func predict<B: ComputeBackend>(x: [Float], n: Int, backend: B) throws -> [Float] {
        let xb = try backend.makeBuffer(x)
        return try predict(xBuffer: xb, n: n, backend: backend)
    }

    func predict<B: ComputeBackend>(xBuffer xb: B.Buffer, n: Int, backend: B) throws -> [Float] {
        let active = blocks.activeNeurons
        guard !active.isEmpty else { return [Float](repeating: 0, count: n * k) }
        let rows = blocks.compact(active)
        let (w1, w2) = splitBlocks(rows, a: active.count)
        return try vectorForward(backend: backend, x: xb, n: n, d: d, k: k, w1: w1, w2: w2,
                                 generators: generators.rows(active))
    }

    /// Splits compact blocks (`a x (d+k)`) into `w1` (`a x d`) and `w2` (`a x k`).
    func splitBlocks(_ rows: [Float], a: Int) -> ([Float], [Float]) {
        let L = d + k
        var w1 = [Float](repeating: 0, count: a * d), w2 = [Float](repeating: 0, count: a * k)
        for j in 0..<a {
            for i in 0..<d { w1[j * d + i] = rows[j * L + i] }
            for l in 0..<k { w2[j * k + l] = rows[j * L + d + l] }
        }
        return (w1, w2)
    }
}

/// `sum_j g_j .* (X w1_j) w2_j^T` (`n x k`) for `a` neurons with gates from `generators`
/// (`a x d`).
func vectorForward<B: ComputeBackend>(backend: B, x: B.Buffer, n: Int, d: Int, k: Int,
                                      w1: [Float], w2: [Float], generators: [Float]) throws -> [Float] {
    let a = w1.count / d
    let h = try backend.makeBuffer(generators), g = try backend.makeBuffer(count: n * a)
    try backend.gate(x: x, n: n, d: d, generators: h, c: a, into: g)
    let w = try backend.makeBuffer(w1), z = try backend.makeBuffer(count: n * a)
    try backend.gatedActivations(x: x, n: n, d: d, weights: w, gate: g, a: a, into: z)
    let v = try backend.makeBuffer(w2), y = try backend.makeBuffer(count: n * k)
    try backend.gemm(transA: false, transB: false, m: n, n: k, k: a, alpha: 1, a: z, b: v, beta: 0, c: y)
    return try backend.read(y, count: n * k)
}
