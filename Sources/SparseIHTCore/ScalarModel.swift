/// A scalar-output model: fused weights and the generators that gate them.
public struct ScalarModel: Sendable {
    public var weights: SparseWeights
    public var generators: GeneratorBank
    /// All gates are one (linear model).
    public var linear: Bool

    public init(weights: SparseWeights, generators: GeneratorBank, linear: Bool = false) {
        self.weights = weights; self.generators = generators; self.linear = linear
    }

    /// `y_hat = sum_j g_j .* (X w_j)` (length `n`) for `x` (`n x d`).
    public func predict<B: ComputeBackend>(x: [Float], n: Int, backend: B) throws -> [Float] {
        let z = try activations(x: x, n: n, backend: backend)
        let a = z.count / max(n, 1)
        return (0..<n).map { i in (0..<a).reduce(Float(0)) { $0 + z[i * a + $1] } }
    }

    /// Hidden activations `g_j .* (X w_j)` of the active neurons (`n x a`, ascending neurons).
    public func activations<B: ComputeBackend>(x: [Float], n: Int, backend: B) throws -> [Float] {
        try gatedActivations(weights: weights, generators: generators, linear: linear, x: x, n: n, backend: backend)
    }
}

/// `g_j .* (X w_j)` for the active neurons of `weights` (`n x a`).
func gatedActivations<B: ComputeBackend>(weights: SparseWeights, generators: GeneratorBank, linear: Bool,
                                         x: [Float], n: Int, backend: B) throws -> [Float] {
    let d = weights.d, active = weights.activeNeurons, a = active.count
    guard a > 0 else { return [] }
    let xb = try backend.makeBuffer(x), g = try backend.makeBuffer(count: n * a)
    if linear {
        try backend.write([Float](repeating: 1, count: n * a), to: g)
    } else {
        let h = try backend.makeBuffer(generators.rows(active))
        try backend.gate(x: xb, n: n, d: d, generators: h, c: a, into: g)
    }
    let w = try backend.makeBuffer(weights.compact(active)), z = try backend.makeBuffer(count: n * a)
    try backend.gatedActivations(x: xb, n: n, d: d, weights: w, gate: g, a: a, into: z)
    return try backend.read(z, count: n * a)
}
