/// A problem with a known answer.
public struct PlantedProblem: Sendable {
    public var problem: RegressionProblem
    /// The planted fused first-layer weights.
    public var truth: SparseWeights
    /// Whether the model is invariant to permuting neurons (the ReLU network is; the
    /// dictionary model with fixed generators is not).
    public var permutationInvariant: Bool
}

/// Generators of the synthetic problems (docs/method.md section 4). All draws come from
/// `SeededGenerator` streams, so a seed gives the same problem on every backend; the
/// targets are computed through `backend` in float32.
public enum PlantedProblems {
    /// `X ~ N(0, I_d)`, `n x d`.
    static func gaussianMatrix(n: Int, d: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed, stream: 1)
        return rng.normals(n * d)
    }

    /// `s` distinct flat positions of `m*d` with N(0, 1) values.
    static func sparseTruth(d: Int, m: Int, s: Int, seed: UInt64) throws -> SparseWeights {
        guard s >= 1, s <= m * d else {
            throw SparseIHTError.invalidArgument("planted s = \(s) must be in 1...m*d = \(m * d)")
        }
        var rng = SeededGenerator(seed: seed, stream: 2)
        let idx = rng.distinct(s, below: m * d)
        var vals = rng.normals(s)
        for i in vals.indices where vals[i] == 0 { vals[i] = 1 }
        return SparseWeights(d: d, m: m, indices: idx, values: vals)
    }

    /// Planted two-layer ReLU network: `s` nonzero first-layer weights at random positions
    /// with N(0,1) values, unit output weights, `y = sum_j relu(X u_j)`.
    public static func plantedMLP<B: ComputeBackend>(n: Int, d: Int, m: Int, s: Int, seed: UInt64,
                                                     backend: B) throws -> PlantedProblem {
        try checkSizes(n: n, d: d, m: m, s: s)
        let x = gaussianMatrix(n: n, d: d, seed: seed)
        let truth = try sparseTruth(d: d, m: m, s: s, seed: seed)
        var bank = GeneratorBank(d: d, m: m, seed: seed)
        bank.followedWeights = truth
        let y = try gatedOutput(x: x, n: n, d: d, weights: truth, bank: bank, backend: backend)
        return PlantedProblem(problem: try RegressionProblem(x: x, y: y, n: n, d: d), truth: truth,
                              permutationInvariant: true)
    }

    /// Planted inside the dictionary (the theorem's setting): the neurons use the solver's
    /// own convex-mode generators for `solverSeed`, so `y = A w*` holds exactly.
    public static func plantedDictionary<B: ComputeBackend>(n: Int, d: Int, m: Int, s: Int, seed: UInt64,
                                                            solverSeed: UInt64, backend: B) throws -> PlantedProblem {
        try checkSizes(n: n, d: d, m: m, s: s)
        let x = gaussianMatrix(n: n, d: d, seed: seed)
        let truth = try sparseTruth(d: d, m: m, s: s, seed: seed)
        let bank = GeneratorBank(d: d, m: m, seed: solverSeed)
        let y = try gatedOutput(x: x, n: n, d: d, weights: truth, bank: bank, backend: backend)
        return PlantedProblem(problem: try RegressionProblem(x: x, y: y, n: n, d: d), truth: truth,
                              permutationInvariant: false)
    }

    /// Gaussian compressed sensing: `A` (`n x d`) with N(0,1) entries, an `s`-sparse `x`
    /// with N(0,1) values, `y = A x`. Solve with `GateMode.linear` and `m = 1`.
    public static func gaussianSensing(n: Int, d: Int, s: Int, seed: UInt64) throws -> PlantedProblem {
        try checkSizes(n: n, d: d, m: 1, s: s)
        let a = gaussianMatrix(n: n, d: d, seed: seed)
        let truth = try sparseTruth(d: d, m: 1, s: s, seed: seed)
        var y = [Double](repeating: 0, count: n)
        for (i, v) in zip(truth.indices, truth.values) {
            for r in 0..<n { y[r] += Double(a[r * d + i]) * Double(v) }
        }
        return PlantedProblem(problem: try RegressionProblem(x: a, y: y.map { Float($0) }, n: n, d: d),
                              truth: truth, permutationInvariant: false)
    }

    /// `sum_j g_j .* (X w_j)` with the gates of `bank`, through `backend`.
    static func gatedOutput<B: ComputeBackend>(x: [Float], n: Int, d: Int, weights: SparseWeights,
                                               bank: GeneratorBank, backend: B) throws -> [Float] {
        let active = weights.activeNeurons
        let xb = try backend.makeBuffer(x)
        let h = try backend.makeBuffer(bank.rows(active)), g = try backend.makeBuffer(count: n * active.count)
        try backend.gate(x: xb, n: n, d: d, generators: h, c: active.count, into: g)
        let w = try backend.makeBuffer(weights.compact(active)), y = try backend.makeBuffer(count: n)
        try backend.gatedForward(x: xb, n: n, d: d, weights: w, gate: g, a: active.count, into: y)
        return try backend.read(y, count: n)
    }
}

extension PlantedProblems {
    /// A planted network of `layers` hidden layers of `m` neurons (each with `s / layers`
    /// N(0,1) weights at random positions) and `outputs` outputs: scalar output sums the
    /// last layer's ReLUs; vector output uses N(0,1) output weights for the live neurons.
    /// Returns `x` (`n x d`) and `y` (`n x outputs`).
    public static func plantedNetwork<B: ComputeBackend>(n: Int, d: Int, m: Int, s: Int, layers: Int, outputs: Int,
                                                         seed: UInt64, backend: B) throws -> (x: [Float], y: [Float]) {
        guard layers >= 1, outputs >= 1, s / layers >= 1 else {
            throw SparseIHTError.invalidArgument("planted network with layers = \(layers), outputs = \(outputs), planted s = \(s): needs layers >= 1, outputs >= 1 and s/layers >= 1")
        }
        try checkSizes(n: n, d: d, m: m, s: s, outputs: outputs)
        let x = gaussianMatrix(n: n, d: d, seed: seed)
        var features = x, width = d
        for l in 0..<layers {
            let w = try sparseTruth(d: width, m: m, s: min(s / layers, m * width), seed: seed &+ UInt64(l) &* 7919)
            var bank = GeneratorBank(d: width, m: m, seed: seed)
            bank.followedWeights = w
            let layer = ScalarModel(weights: w, generators: bank)
            let z = try layer.activations(x: features, n: n, backend: backend)
            let a = w.activeNeurons.count
            if l == layers - 1 {
                if outputs == 1 { return (x, (0..<n).map { i in (0..<a).reduce(Float(0)) { $0 + z[i * a + $1] } }) }
                var rng = SeededGenerator(seed: seed, stream: 77)
                let v = rng.normals(a * outputs)
                var y = [Float](repeating: 0, count: n * outputs)
                for i in 0..<n { for j in 0..<a { for o in 0..<outputs { y[i * outputs + o] += z[i * a + j] * v[j * outputs + o] } } }
                return (x, y)
            }
            features = z; width = a
        }
        return (x, [])
    }
}
