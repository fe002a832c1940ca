import Foundation

/// Settings of the vector-output solver (docs/method.md section 3).
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
    /// Last epochs over which the step falls linearly to 1/(cooldown steps) of its size
    /// (0: none). With a step near the stability limit a late blow-up of one neuron can
    /// spoil the last epochs; a falling step ends the run on a settled iterate.
    public var cooldownEpochs: Int = 0

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
        if cooldownEpochs > 0 {
            let c = min(cooldownEpochs * perEpoch, total)
            if t >= total - c { f *= Double(total - t) / Double(c) }
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
    /// Most live neurons under `.neuronConsistent` (nil: m). Each live neuron costs its k
    /// output weights, so with a large m the top candidates can spread over so many neurons
    /// that the budget goes to output rows (measured: m 1,000, s 2,000 on 10 classes kept
    /// 167 neurons, 1,670 output weights and 330 input weights); a cap keeps input weights.
    public var maxNeurons: Int?
    /// Under `.neuronConsistent`, a new neuron's output row counts against s (true), or
    /// is kept outside the budget (false: for a hidden layer of layer-wise training, whose
    /// output layer is dropped, so s buys the input weights it keeps; `LayerBudget.kept`).
    public var chargeOutputRows = true
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

    /// Checks ranges against the problem size (`n` rows, `d` inputs, `k` outputs) before
    /// anything is allocated: counts positive, real values finite (`learningRate > 0`,
    /// `outputShare` in 0...1), the weight blocks `m*(d+k)` and one chunk's buffers within
    /// `MemoryBudget`, chunks within the 32-bit index range. Messages never compute an
    /// overflowing product.
    public func validate(n: Int, d: Int, k: Int) throws {
        func bad(_ s: String) -> SparseIHTError { .invalidArgument(s) }
        guard m >= 1 else { throw bad("m = \(m): need at least one neuron") }
        guard s >= 1 else { throw bad("s = \(s): the sparsity budget must be at least 1") }
        guard k >= 1 else { throw bad("k = \(k): need at least one output") }
        let (dk, o) = d.addingReportingOverflow(k)
        guard !o, let weights = CheckedSize.product(m, dk) else {
            throw bad("m*(d+k) with m = \(m), d = \(d), k = \(k) overflows; at most 2^31 - 1 weights")
        }
        guard s <= weights else { throw bad("s = \(s) exceeds m*(d+k) = \(weights) weights") }
        guard weights <= Int(Int32.max) else { throw bad("m*(d+k) = \(weights) exceeds 2^31 - 1 weights") }
        guard epochs >= 1 else { throw bad("epochs = \(epochs): need at least 1") }
        if let b = batchSize, b < 1 || b > n { throw bad("batch size \(b) outside 1...\(n)") }
        if mode == .linear { throw bad("vector output supports sequential and convex modes") }
        if let lr = learningRate, !(lr.isFinite && lr > 0) { throw bad("lr (learning rate) \(lr): need a finite value > 0") }
        guard gatesFollowFrom >= 0 else { throw bad("gates-follow-from \(gatesFollowFrom) < 0") }
        guard outputShare.isFinite, outputShare >= 0, outputShare <= 1 else {
            throw bad("output share \(outputShare): need a value in 0...1")
        }
        guard sketchDepth >= 1, sketchWidthPerS >= 1,
              let cells = CheckedSize.product([sketchDepth, sketchWidthPerS, s]), cells <= Int(Int32.max) else {
            throw bad("sketch of \(sketchDepth) x \(sketchWidthPerS) x s cells: need positive sizes and at most 2^31 - 1 cells")
        }
        if let r = outputLearningRate, !(r > 0 && r.isFinite) {
            throw bad("output-layer step size \(r): must be positive and finite")
        }
        if let c = maxNeurons {
            guard c >= 1 else { throw bad("max neurons \(c): need at least 1") }
            guard ranking == .neuronConsistent else {
                throw bad("max neurons applies to the neuron-consistent ranking, not \(ranking.rawValue)")
            }
        }
        guard chargeOutputRows || ranking == .neuronConsistent else {
            throw bad("uncharged output rows apply to the neuron-consistent ranking, not \(ranking.rawValue)")
        }
        guard warmupEpochs >= 0 else { throw bad("warmup epochs \(warmupEpochs) < 0") }
        guard cooldownEpochs >= 0 else { throw bad("cooldown epochs \(cooldownEpochs) < 0") }
        guard seedScale > 0 && seedScale.isFinite else { throw bad("seed scale \(seedScale): must be positive and finite") }
        guard refineSteps >= 0, refineSteps <= 1_000_000 else { throw bad("support steps \(refineSteps) outside 0...1000000") }
        try StreamedSelection.validate(chunk: chunk, span: chunkSpan(batchRows: batchSize ?? n, d: d, k: k))
        guard chunkMemoryBytes >= 1 else { throw bad("chunk memory \(chunkMemoryBytes) bytes < 1") }
        if let c = chunk {
            guard c >= 1 else { throw bad("chunk \(c) < 1") }
            let rows = batchSize ?? n
            // One chunk: gates, activations and the k-column masked gradient.
            try MemoryBudget.require(CheckedSize.product([c, max(rows, 1), 4 * (2 + k)]),
                                     for: "chunk \(c): the gradient buffers of \(c) neurons x \(rows) rows x \(k) outputs")
        }
    }
}
