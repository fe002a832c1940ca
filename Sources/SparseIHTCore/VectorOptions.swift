import Foundation

/// Settings of the vector-output solver (algorithm.md section 3).
public struct VectorOptions: Sendable {
    public var m: Int
    public var s: Int
    public var loss: Loss = .squared
    /// Fixed step size; nil: the published defaults (0.005, or 2 when s < 6 m^0.536, for
    /// squared loss; 0.001 for cross-entropy).
    public var learningRate: Double?
    /// Step size of the output layer W2 (nil: the same as W1's, `effectiveLearningRate`).
    /// The two layers' gradients sit on different scales (W1's grows with the inputs, W2's
    /// with the gated activations), so one fixed step is too large for one of them or too
    /// small for the other; W2's gradient is scaled by `outputLearningRate / learningRate`
    /// before the candidate step.
    public var outputLearningRate: Double?
    public var epochs: Int = 50
    /// How the step sizes change over the run (both layers' alike).
    public var schedule: StepSchedule = .constant
    /// Epochs over which the step grows linearly from 1/warmup of its size (0: none).
    public var warmupEpochs: Int = 0

    public enum StepSchedule: String, Sendable, CaseIterable {
        /// The same step at every step (published).
        case constant
        /// `0.5 (1 + cos(pi t / T))` times the step at step t of T: large early, near 0 at the end.
        case cosine
    }

    /// Factor on the step sizes at step `t` (0-based) of `total`, with `perEpoch` steps an epoch.
    public func stepFactor(step t: Int, total: Int, perEpoch: Int) -> Double {
        var f = 1.0
        if schedule == .cosine && total > 1 { f = 0.5 * (1 + cos(Double.pi * Double(t) / Double(total))) }
        if warmupEpochs > 0 {
            let w = warmupEpochs * perEpoch
            if t < w { f *= Double(t + 1) / Double(w) }
        }
        return f
    }

    /// Factor on the first epoch's seed values (1: `U(+-1/sqrt(dm))` and `U(+-1/sqrt(mk))`).
    public var seedScale: Double = 1

    /// Gradient steps on the support after each thresholding step, on the same minibatch
    /// (no thresholding: the support stays, its values move). Each costs one step's forward
    /// and gradient products.
    public var refineSteps: Int = 0
    /// Minibatch size (nil: full batch).
    public var batchSize: Int?
    public var mode: GateMode = .sequential
    /// Epoch from which gates follow the first-layer weights (published: 1).
    public var gatesFollowFrom: Int = 1
    /// Neurons per chunk (nil: from `chunkMemoryBytes`).
    public var chunk: Int?
    public var chunkMemoryBytes: Int = 256 << 20
    public var seed: UInt64 = 0
    /// How the shared budget is spent.
    public var ranking: Ranking = .neuronConsistent

    public enum Ranking: String, Sendable, CaseIterable {
        /// Top-s of |value| over both layers' candidates. With inputs and outputs on
        /// different scales one layer can take the whole budget and leave every neuron
        /// without input or without output (measured: MNIST raw pixels, all in W2 or W1).
        case magnitude
        /// First-layer candidates in order of |value|; a neuron's first entry also buys its
        /// k output weights (cost 1 + k), later entries cost 1; entries that no longer fit
        /// are skipped. Every live neuron has both an input and an output.
        case neuronConsistent = "neuron-consistent"
        /// Each layer keeps its own top entries by |value|: the output layer
        /// `outputShare * s` of them, the first layer the rest.
        case perLayer = "per-layer"
        /// The published code's rule: entries ranked by their accumulated update
        /// magnitude (sum over steps of |lr * gradient|), estimated by a count-min sketch
        /// of `sketchDepth x (sketchWidthPerS * s)` cells so memory stays O(s).
        case sketch
    }
    public var sketchDepth = 3
    public var sketchWidthPerS = 8
    /// Share of the budget for the output layer under `.perLayer`.
    public var outputShare: Double = 0.25

    public init(m: Int, s: Int) { self.m = m; self.s = s }

    /// The step size in force.
    public var effectiveLearningRate: Double {
        if let lr = learningRate { return lr }
        if loss == .crossEntropy { return 0.001 }
        return Double(s) < 6 * pow(Double(m), 0.536) ? 2 : 0.005
    }

    /// The output layer's step size in force.
    public var effectiveOutputLearningRate: Double { outputLearningRate ?? effectiveLearningRate }

    /// The longest per-neuron array of a chunk (elements): a batch column, or the sketch's
    /// estimates of a block; chunks times this must stay within the 32-bit index range.
    func chunkSpan(batchRows nb: Int, d: Int, k: Int) -> Int {
        max(nb, (d + k) * (ranking == .sketch ? sketchDepth : 1))
    }

    public func validate(n: Int, d: Int, k: Int) throws {
        guard m >= 1 else { throw SparseIHTError.invalidArgument("m = \(m): need at least one neuron") }
        guard s >= 1 else { throw SparseIHTError.invalidArgument("s = \(s): the sparsity budget must be at least 1") }
        guard s <= m * (d + k) else { throw SparseIHTError.invalidArgument("s = \(s) exceeds m*(d+k) = \(m * (d + k)) weights") }
        guard epochs >= 1 else { throw SparseIHTError.invalidArgument("epochs = \(epochs): need at least 1") }
        if let r = learningRate, !(r > 0 && r.isFinite) { throw SparseIHTError.invalidArgument("step size \(r): must be positive and finite") }
        if let r = outputLearningRate, !(r > 0 && r.isFinite) {
            throw SparseIHTError.invalidArgument("output-layer step size \(r): must be positive and finite")
        }
        guard warmupEpochs >= 0 else { throw SparseIHTError.invalidArgument("warmup epochs \(warmupEpochs) < 0") }
        guard seedScale > 0 && seedScale.isFinite else { throw SparseIHTError.invalidArgument("seed scale \(seedScale): must be positive and finite") }
        guard refineSteps >= 0 else { throw SparseIHTError.invalidArgument("refine steps \(refineSteps) < 0") }
        guard k >= 1 else { throw SparseIHTError.invalidArgument("k = \(k): need at least one output") }
        if let b = batchSize, b < 1 || b > n { throw SparseIHTError.invalidArgument("batch size \(b) outside 1...\(n)") }
        if mode == .linear { throw SparseIHTError.invalidArgument("vector output supports sequential and convex modes") }
        guard sketchDepth >= 1, sketchWidthPerS >= 1 else {
            throw SparseIHTError.invalidArgument("sketch of depth \(sketchDepth) and width \(sketchWidthPerS) s: both must be at least 1")
        }
        try StreamedSelection.validate(chunk: chunk, span: chunkSpan(batchRows: batchSize ?? n, d: d, k: k))
    }
}
