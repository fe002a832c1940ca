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
