import Foundation
import SparseIHTCore

/// A dense ReLU network without biases (the IMP baseline's model, docs/method.md section 4):
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
