/// A network of layers trained one at a time (docs/method.md section 3): each hidden layer
/// maps its input to the gated activations of its live neurons (`n x a_l`), which are the
/// next layer's input; the last layer produces the output.
public struct LayeredModel: Sendable {
    /// Hidden layers: first-layer weights and generators of each (their temporary output
    /// layers are dropped).
    public var hidden: [ScalarModel]
    public enum Output: Sendable {
        case scalar(ScalarModel)
        case vector(VectorModel)
    }
    public var output: Output
    /// A scalar output passes through the sigmoid (trained with binary cross-entropy), so
    /// predictions are probabilities.
    public var sigmoidOutput = false

    public init(hidden: [ScalarModel], output: Output, sigmoidOutput: Bool = false) {
        self.hidden = hidden; self.output = output; self.sigmoidOutput = sigmoidOutput
    }

    /// Outputs per row: 1 (scalar) or k.
    public var outputs: Int {
        if case .vector(let v) = output { return v.k }
        return 1
    }

    /// Features after the hidden layers (`n x d_last`).
    public func features<B: ComputeBackend>(x: [Float], n: Int, backend: B) throws -> [Float] {
        var f = x
        for layer in hidden { f = try layer.activations(x: f, n: n, backend: backend) }
        return f
    }

    /// Predictions (`n x outputs`), computed `batchRows` rows at a time so device memory
    /// stays at one batch.
    public func predict<B: ComputeBackend>(x: [Float], n: Int, backend: B, batchRows: Int = 8192) throws -> [Float] {
        guard n > batchRows, batchRows > 0 else { return try predictAll(x: x, n: n, backend: backend) }
        let d = x.count / max(n, 1)
        var out: [Float] = []
        out.reserveCapacity(n * outputs)
        for start in stride(from: 0, to: n, by: batchRows) {
            let rows = min(batchRows, n - start)
            out += try predictAll(x: Array(x[(start * d)..<((start + rows) * d)]), n: rows, backend: backend)
        }
        return out
    }

    private func predictAll<B: ComputeBackend>(x: [Float], n: Int, backend: B) throws -> [Float] {
        let f = try features(x: x, n: n, backend: backend)
        switch output {
        case .scalar(let s):
            let out = try s.predict(x: f, n: n, backend: backend)
            return sigmoidOutput ? Loss.crossEntropy.scalarPrediction(out) : out
        case .vector(let v): return try v.predict(x: f, n: n, backend: backend)
        }
    }

    /// Nonzero weights in all layers.
    public var nonzeros: Int {
        let h = hidden.reduce(0) { $0 + $1.weights.count }
        switch output {
        case .scalar(let s): return h + s.weights.count
        case .vector(let v): return h + v.blocks.count
        }
    }
}
