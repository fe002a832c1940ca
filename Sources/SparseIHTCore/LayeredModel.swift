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

/// A network of layers trained one at a time (algorithm.md section 3): each hidden layer
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

/// Layer-wise training: `layers` hidden layers, each fit as a two-layer network on the
/// frozen earlier layers' features, by `fit`, with budgets from `LayerBudget`.
public enum LayerwiseTraining {
    /// `fit(features, d, budget, layer)` trains layer `layer` (0-based) on `features`
    /// (`n x d`) and returns it as an output layer; for earlier layers only its first layer
    /// is kept.
    ///
    /// `unitFeatures`: each hidden neuron's weights are divided by the root mean square of
    /// its activation over the training rows (a ReLU is positively homogeneous and the gates
    /// depend only on signs, so the network computes the same up to that per-feature
    /// factor), so the next layer's inputs have unit scale, like standardized inputs, and a
    /// step that fits those fits them.
    public static func train<B: ComputeBackend>(
        x: [Float], n: Int, d: Int, layers: Int, s: Int, backend: B, unitFeatures: Bool = false,
        budgets rule: LayerBudget = .equal,
        fit: (_ features: [Float], _ d: Int, _ budget: Int, _ layer: Int) throws -> LayeredModel.Output
    ) throws -> LayeredModel {
        guard layers >= 1 else { throw SparseIHTError.invalidArgument("layers = \(layers): need at least 1") }
        let budget = try rule.hiddenBudget(s: s, layers: layers)
        var hidden: [ScalarModel] = []
        var features = x, width = d
        for l in 0..<(layers - 1) {
            var layer: ScalarModel
            switch try fit(features, width, budget, l) {
            case .scalar(let sm): layer = sm
            case .vector(let v): layer = ScalarModel(weights: v.firstLayer, generators: v.generators)
            }
            features = try layer.activations(x: features, n: n, backend: backend)
            width = layer.weights.activeNeurons.count
            if unitFeatures && width > 0 { unitScale(&layer, features: &features, n: n, width: width) }
            guard width > 0 else {
                throw SparseIHTError.invalidArgument("layer \(l + 1) has no live neuron; the next layer has no input")
            }
            hidden.append(layer)
        }
        let kept = hidden.reduce(0) { $0 + $1.weights.count }
        let last = try rule.lastBudget(s: s, layers: layers, keptBefore: kept)
        return LayeredModel(hidden: hidden, output: try fit(features, width, last, layers - 1))
    }

    /// Divides each live neuron's weights and its activation column (`features`, `n x width`,
    /// one column per active neuron, ascending) by the column's root mean square (columns
    /// that are all zero stay).
    static func unitScale(_ layer: inout ScalarModel, features: inout [Float], n: Int, width: Int) {
        var sq = [Double](repeating: 0, count: width)
        for i in 0..<n { for c in 0..<width { let v = Double(features[i * width + c]); sq[c] += v * v } }
        let scale = sq.map { $0 > 0 ? Float(1 / ($0 / Double(max(n, 1))).squareRoot()) : 1 }
        for i in 0..<n { for c in 0..<width { features[i * width + c] *= scale[c] } }
        let active = layer.weights.activeNeurons, d = layer.weights.d
        let column = Dictionary(uniqueKeysWithValues: active.enumerated().map { ($1, $0) })
        let w = layer.weights
        let values = zip(w.indices, w.values).map { f, v in v * scale[column[f / d] ?? 0] }
        layer.weights = SparseWeights(d: d, m: w.m, indices: w.indices, values: values)
    }
}
