/// How gates are chosen (docs/method.md section 2).
public enum GateMode: String, Sendable, Codable, CaseIterable {
    /// Fixed random generators for the whole run.
    case convex
    /// Generators follow the current weights, so the model is the ReLU network.
    case sequential
    /// Every gate is all ones: the plain linear model `y = X w` (compressed sensing, m = 1).
    case linear
}

/// Settings of the IHT solver. `init` gives the best measured recipe (docs/method.md
/// section 5); `Recipe.published` reproduces the published method.
public struct SolverOptions: Sendable, Codable, Equatable {
    /// Number of hidden neurons m.
    public var m: Int
    /// Sparsity budget s (nonzeros kept).
    public var s: Int
    public var mode: GateMode = .sequential
    /// Step budget (full batch: steps; minibatch: epochs x batches).
    public var steps: Int = 100
    /// Stop when ||A w - y|| / ||y|| falls to this.
    public var tolerance: Double = 1e-6
    /// Threshold at round(inflation * s) until the last `deflateSteps` steps (theory's s~ > s).
    public var inflation: Double = 1.0
    /// Steps at the end thresholded at exactly s when `inflation > 1`.
    public var deflateSteps: Int = 5
    /// Armijo-checked refinement steps on the new support after each thresholding.
    public var refineSteps: Int = 10
    /// Halvings of the refinement step before giving up.
    public var maxHalvings: Int = 10
    /// How each refinement step picks its step size (see `RefineRule`).
    public var refineRule: RefineRule = .exact
    /// Step from which gates follow the weights (sequential mode; 0 = from the first step;
    /// the published code uses 1). With minibatches this counts epochs.
    public var gatesFollowFrom: Int = 0
    /// First step with an empty support uses a tiny step (published) instead of the step
    /// normalized on the full gradient.
    public var tinyFirstStep: Bool = false
    /// Dead neurons get a fresh random generator every step.
    public var revive: Bool = true
    /// On a stall (no `stallGain` dB gain in `stallSteps` steps) the live neuron with the
    /// smallest output norm is zeroed and re-seeded.
    public var stallReseed: Bool = true
    public var stallSteps: Int = 3
    /// Generator a stall re-seeded neuron starts from (see `ReseedRule`).
    public var reseedRule: ReseedRule = .random
    /// Stall re-seeding as a search from the best iterate (full batch): on a stall the run
    /// first returns to the iterate with the highest PSNR so far, then re-seeds its `k`-th
    /// weakest live neuron, `k` counting the stalls since that iterate was reached (so every
    /// neuron gets a turn instead of the weakest one each time); the run returns the best
    /// iterate. Off: re-seed the current weakest neuron and return the last iterate.
    public var reseedSearch = false
    public var stallGain: Double = 0.1
    /// Minibatch size (nil: full batch).
    public var batchSize: Int?
    /// Neurons per chunk of the streamed gradient (nil: chosen from `chunkMemoryBytes`).
    public var chunk: Int?
    /// Memory allowed for one chunk's buffers when `chunk` is nil.
    public var chunkMemoryBytes: Int = 256 << 20
    public var seed: UInt64 = 0
    /// Fixed random +-1 output weight per neuron (sequential mode), instead of all +1.
    public var signedOutputs = false
    /// At a fixed point (the support step would lower the loss by < 1e-6 of it) take the
    /// step size normalized on the full gradient instead of the round-off one of the support.
    public var fixedPointFullStep = false
    /// Loss: squared (published) or binary cross-entropy on one logit (`crossEntropy`,
    /// targets in [0, 1]; see `Loss.scalarObjective`).
    public var loss: Loss = .squared

    public init(m: Int, s: Int) { self.m = m; self.s = s }

    /// Step-size rule of the refinement on the support (docs/method.md section 5).
    public enum RefineRule: String, Sendable, Codable, CaseIterable {
        /// Each internal step takes the exact line-search step `||g||^2 / (c ||A_S g||^2)`,
        /// halved until the Armijo check holds; a step that fails `maxHalvings` halvings
        /// ends the refinement, keeping the steps accepted before it.
        case exact
        /// The published rule: start from the thresholding step's mu, halve until
        /// `f(x - mu g) <= f(x) - 0.9 mu ||g||^2`, keep the halved mu for the following
        /// internal steps; a step that needs more than `maxHalvings` halvings drops the
        /// progress of all internal steps and returns the thresholded point.
        case published
        /// Conjugate gradients on the support's least-squares problem (squared loss; each
        /// internal step an exact line search along the conjugate direction, so the loss
        /// never rises and `s` steps solve the normal equations `A_S^T A_S x = A_S^T y` up to
        /// round-off); with cross-entropy it falls back to `exact`.
        case conjugate
    }

    /// Named settings.
    public enum Recipe: String, Sendable, CaseIterable {
        /// Gates follow weights from the first step, normalized first step, revival,
        /// stall re-seeding, exact-step refinement (measured best, docs/method.md section 5).
        case best
        /// `best` with the switches that escape the fixed point of the planted m = 50
        /// networks: the re-seeded generator from the residual (`ReseedRule.residual`),
        /// re-seeding as a search from the best iterate (`reseedSearch`) and
        /// conjugate-gradient refinement (`RefineRule.conjugate`) with up to 40 internal steps
        /// (10 do not solve an s = 100 support), and a stall gain of 0.2 dB (a re-seeded
        /// trajectory creeping up by a tenth of a dB per step is a stall, and the best iterate
        /// restarts the turn of re-seeded neurons only on a 0.2 dB rise); the measured choice
        /// on the planted m = 50 grid (docs/measurements.md).
        case search
        /// The published method: gates follow weights from the second step, tiny first
        /// step, no revival, no re-seeding, the published refinement rule, 15 steps.
        case published
    }

    /// Applies `recipe`'s switches (other fields are kept).
    public mutating func apply(_ recipe: Recipe) {
        switch recipe {
        case .best:
            gatesFollowFrom = 0; tinyFirstStep = false; revive = true; stallReseed = true; refineRule = .exact
            reseedRule = .random; reseedSearch = false; refineSteps = 10; stallGain = 0.1
        case .search:
            gatesFollowFrom = 0; tinyFirstStep = false; revive = true; stallReseed = true; refineRule = .conjugate
            reseedRule = .residual; reseedSearch = true; refineSteps = 40; stallGain = 0.2
        case .published:
            gatesFollowFrom = 1; tinyFirstStep = true; revive = false; stallReseed = false; refineRule = .published
            reseedRule = .random; reseedSearch = false; refineSteps = 10; stallGain = 0.1
        }
    }

    /// Checks ranges against the problem size (`n` rows, `d` features) before anything is
    /// allocated: counts positive, real values finite, the candidate weights (`m*d`) and one
    /// chunk's buffers within `MemoryBudget`. Messages never compute an overflowing product.
    public func validate(n: Int, d: Int) throws {
        func bad(_ s: String) -> SparseIHTError { .invalidArgument(s) }
        guard m >= 1 else { throw bad("m = \(m): need at least one neuron") }
        guard s >= 1 else { throw bad("s = \(s): the sparsity budget must be at least 1") }
        guard let md = CheckedSize.product(m, d) else {
            throw bad("m*d = \(m) x \(d) overflows; at most 2^31 - 1 candidate weights")
        }
        guard s <= md else { throw bad("s = \(s) exceeds m*d = \(md) candidate weights") }
        guard md <= Int(Int32.max) else { throw bad("m*d = \(md) exceeds 2^31 - 1 candidate weights") }
        guard steps >= 1 else { throw bad("steps = \(steps): need at least 1") }
        guard inflation.isFinite, inflation >= 1 else { throw bad("inflation \(inflation): need a finite value >= 1") }
        guard inflation * Double(s) <= Double(md) * 16 else {
            throw bad("inflation \(inflation) x s = \(s) is far above the m*d = \(md) candidates")
        }
        guard deflateSteps >= 0 else { throw bad("deflate steps \(deflateSteps) < 0") }
        guard refineSteps >= 0, refineSteps <= 1_000_000 else { throw bad("refine steps \(refineSteps) outside 0...1000000") }
        guard maxHalvings >= 0, maxHalvings <= 1000 else { throw bad("max halvings \(maxHalvings) outside 0...1000") }
        guard gatesFollowFrom >= 0 else { throw bad("gates-follow-from \(gatesFollowFrom) < 0") }
        guard tolerance.isFinite, tolerance >= 0 else { throw bad("tolerance \(tolerance): need a finite value >= 0") }
        guard stallSteps >= 1 else { throw bad("stall steps \(stallSteps) < 1") }
        guard stallGain.isFinite else { throw bad("stall gain \(stallGain) is not finite") }
        guard chunkMemoryBytes >= 1 else { throw bad("chunk memory \(chunkMemoryBytes) bytes < 1") }
        if let b = batchSize, b < 1 || b > n {
            throw bad("batch size \(b) outside 1...\(n)")
        }
        try StreamedSelection.validate(chunk: chunk, span: max(batchSize ?? n, d))
        if let c = chunk {
            guard c >= 1 else { throw bad("chunk \(c) < 1") }
            // One chunk holds gates and activations of `rows x chunk` floats.
            let rows = batchSize ?? n
            try MemoryBudget.require(CheckedSize.product([c, max(rows, 1), 4 * 4]),
                                     for: "chunk \(c): the gradient buffers of \(c) neurons x \(rows) rows")
        }
        if loss == .crossEntropy && !signedOutputs && mode != .linear {
            throw bad("binary cross-entropy needs signed outputs: with every output weight +1 "
                      + "the logit is >= 0, so no example could be classed 0")
        }
    }
}
