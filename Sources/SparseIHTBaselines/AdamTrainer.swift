import Foundation
import SparseIHTCore

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
