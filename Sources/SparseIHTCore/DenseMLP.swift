import Foundation

/// A dense ReLU network without biases (the IMP baseline's model, algorithm.md section 4):
/// `layers[l]` is `sizes[l+1] x sizes[l]` row-major; hidden layers apply ReLU, the last is
/// linear. Masks (0/1, same shapes) zero pruned weights.
public struct DenseMLP: Sendable {
    /// Widths: input, hidden..., output.
    public let sizes: [Int]
    public var layers: [[Float]]
    public var masks: [[Float]]

    /// PyTorch's default init for `nn.Linear(bias=False)`: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    public init(sizes: [Int], seed: UInt64) {
        self.sizes = sizes
        var rng = SeededGenerator(seed: seed ^ 0x1F83_D9AB_FB41_BD6B, stream: 11)
        layers = (0..<(sizes.count - 1)).map { l in
            let bound = 1 / Double(sizes[l]).squareRoot()
            return (0..<(sizes[l] * sizes[l + 1])).map { _ in Float((2 * rng.uniform() - 1) * bound) }
        }
        masks = layers.map { [Float](repeating: 1, count: $0.count) }
    }

    /// Total weights and unpruned weights.
    public var weightCount: Int { layers.reduce(0) { $0 + $1.count } }
    public var remaining: Int { masks.reduce(0) { $0 + $1.reduce(0) { $0 + Int($1) } } }

    /// Nonzero weights after masking (the count the published protocol reports; it equals
    /// `remaining` unless an unpruned weight is exactly zero).
    public var nonzeroCount: Int {
        zip(layers, masks).reduce(0) { acc, lm in acc + zip(lm.0, lm.1).reduce(0) { $0 + ($1.0 * $1.1 != 0 ? 1 : 0) } }
    }

    /// The network with pruned weights set to zero (what `forward` and `predict` see).
    public func applyingMasks() -> DenseMLP {
        var out = self
        for l in out.layers.indices { for i in out.layers[l].indices { out.layers[l][i] *= out.masks[l][i] } }
        return out
    }

    /// Bytes of weights, gradients and Adam's two moments (the baseline's training state).
    public var trainingStateBytes: Int { 4 * 4 * weightCount }

    /// Forward pass on `backend`: activations of every layer (`n x sizes[l]`), the last
    /// being the output (`n x k`).
    public func forward<B: ComputeBackend>(x: [Float], n: Int, backend: B) throws -> [[Float]] {
        var acts: [[Float]] = [x]
        for l in 0..<layers.count {
            let out = sizes[l + 1], inp = sizes[l]
            let a = try backend.makeBuffer(acts[l]), w = try backend.makeBuffer(layers[l]), z = try backend.makeBuffer(count: n * out)
            try backend.gemm(transA: false, transB: true, m: n, n: out, k: inp, alpha: 1, a: a, b: w, beta: 0, c: z)
            var h = try backend.read(z, count: n * out)
            if l < layers.count - 1 { for i in h.indices where h[i] < 0 { h[i] = 0 } }
            acts.append(h)
        }
        return acts
    }

    /// Predictions (`n x k`).
    public func predict<B: ComputeBackend>(x: [Float], n: Int, backend: B) throws -> [Float] {
        try forward(x: x, n: n, backend: backend).last ?? []
    }

    /// Gradients of the mean loss for `dOut` = dLoss/dOutput (`n x k`), by backpropagation
    /// with GEMMs on `backend`.
    func gradients<B: ComputeBackend>(acts: [[Float]], dOut: [Float], n: Int, backend: B) throws -> [[Float]] {
        var grads = [[Float]](repeating: [], count: layers.count)
        var delta = dOut
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let out = sizes[l + 1], inp = sizes[l]
            let db = try backend.makeBuffer(delta), ab = try backend.makeBuffer(acts[l])
            let g = try backend.makeBuffer(count: out * inp)
            try backend.gemm(transA: true, transB: false, m: out, n: inp, k: n, alpha: 1, a: db, b: ab, beta: 0, c: g)
            grads[l] = try backend.read(g, count: out * inp)
            if l > 0 {
                let w = try backend.makeBuffer(layers[l]), dh = try backend.makeBuffer(count: n * inp)
                try backend.gemm(transA: false, transB: false, m: n, n: inp, k: out, alpha: 1, a: db, b: w, beta: 0, c: dh)
                delta = try backend.read(dh, count: n * inp)
                for i in delta.indices where acts[l][i] <= 0 { delta[i] = 0 }
            }
        }
        return grads
    }
}

/// Adam (lr, beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected as PyTorch's `torch.optim.Adam`:
/// `w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`) over all layers, fresh moments
/// every call (the published protocol creates a new optimizer each IMP round). Pruned weights
/// are zeroed before the first step and never updated (their gradient is masked).
public struct AdamTrainer: Sendable {
    public var learningRate: Float = 1e-3
    public var loss: Loss = .squared
    public var epochs: Int = 15
    public var batchSize: Int?
    public var seed: UInt64 = 0
    /// false (the published protocol): one seeded permutation of the rows per call, cut into
    /// the same batches, in the same order, for every epoch (the published training loop
    /// materializes its shuffled data loader once per round when it has at most 100
    /// batches). true: a new permutation every epoch.
    public var reshuffleEachEpoch = false

    public init() {}

    /// Trains `net` on `x` (`n x d`) and `y` (`n x k`; 0/1 one-hot for cross-entropy).
    /// Returns the mean loss of each epoch.
    public func train<B: ComputeBackend>(_ net: inout DenseMLP, x: [Float], y: [Float], n: Int,
                                         backend: B, onEpoch: ((Int, Double) -> Void)? = nil) throws -> [Double] {
        guard let d = net.sizes.first, let k = net.sizes.last, net.sizes.count >= 2, x.count == n * d, y.count == n * k else {
            throw SparseIHTError.shapeMismatch("network \(net.sizes) does not fit X (\(x.count) values) and Y (\(y.count)) for n = \(n)")
        }
        var m1 = net.layers.map { [Float](repeating: 0, count: $0.count) }, m2 = m1
        var t: Float = 0
        let schedule = BatchSchedule(n: n, batchSize: batchSize, seed: seed)
        var curve: [Double] = []
        for l in net.layers.indices { for i in net.layers[l].indices { net.layers[l][i] *= net.masks[l][i] } }
        for epoch in 0..<epochs {
            var total = 0.0
            for b in 0..<schedule.batchesPerEpoch {
                let step = reshuffleEachEpoch ? epoch * schedule.batchesPerEpoch + b : b
                let rows = schedule.rows(forStep: step) ?? Array(0..<n)
                let xb = gatherRows(x, width: d, rows: rows), yb = gatherRows(y, width: k, rows: rows)
                let nb = rows.count
                let acts = try net.forward(x: xb, n: nb, backend: backend)
                let (lossValue, dOut) = lossAndGradient(acts.last ?? [], yb, nb, k)
                total += lossValue
                let grads = try net.gradients(acts: acts, dOut: dOut, n: nb, backend: backend)
                t += 1
                let c1 = 1 - pow(Float(0.9), t), c2 = 1 - pow(Float(0.999), t)
                for l in net.layers.indices {
                    for i in net.layers[l].indices where net.masks[l][i] != 0 {
                        let g = grads[l][i]
                        m1[l][i] = 0.9 * m1[l][i] + 0.1 * g
                        m2[l][i] = 0.999 * m2[l][i] + 0.001 * g * g
                        net.layers[l][i] -= learningRate * (m1[l][i] / c1) / ((m2[l][i] / c2).squareRoot() + 1e-8)
                    }
                }
            }
            let mean = total / Double(schedule.batchesPerEpoch)
            try requireFinite([Float(mean)], "training loss (diverged: lower the learning rate)")
            curve.append(mean)
            onEpoch?(epoch + 1, mean)
        }
        return curve
    }

    /// Mean loss over the batch and its gradient with respect to the outputs.
    func lossAndGradient(_ p: [Float], _ y: [Float], _ n: Int, _ k: Int) -> (Double, [Float]) {
        var g = [Float](repeating: 0, count: p.count)
        var total = 0.0
        switch loss {
        case .squared:  // mean over rows and outputs of (p - y)^2, as torch's MSELoss
            let scale = 2 / Float(n * k)
            for i in p.indices { let e = p[i] - y[i]; total += Double(e * e); g[i] = scale * e }
            total /= Double(n * k)
        case .crossEntropy:
            (total, g) = Loss.softmaxCrossEntropy(p, y, n: n, k: k)
        }
        return (total, g)
    }
}
