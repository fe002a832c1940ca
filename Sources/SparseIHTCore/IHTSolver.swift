import Foundation

/// One step's report, for progress display and the result's history.
public struct StepReport: Sendable, Codable {
    public var step: Int
    /// PSNR of the model on the step's data (dB).
    public var psnr: Double
    public var relativeResidual: Double
    public var supportSize: Int
    /// Indices that entered or left the support this step.
    public var supportChanges: Int
    /// Step size of the thresholding step.
    public var mu: Double
    /// Refinement steps accepted.
    public var refineAccepted: Int
    /// A stalled neuron was re-seeded after this step.
    public var reseeded: Bool
    public var seconds: Double
}

/// Why a run ended.
public enum StopReason: String, Sendable, Codable {
    case tolerance, budget
}

/// What a run returns.
public struct SolverResult: Sendable {
    public var weights: SparseWeights
    /// Generators after the run (sequential: they follow the weights).
    public var generators: GeneratorBank
    public var history: [StepReport]
    public var stopReason: StopReason
    /// Neurons per chunk actually used.
    public var chunk: Int
    /// The report of the step whose iterate `weights` is, when that is not the last step
    /// (`SolverOptions.reseedSearch` returns the best iterate); nil: the last step's.
    public var returnedStep: StepReport? = nil
}

/// Scalar-output IHT on the gated reformulation (docs/method.md section 2), written once
/// against `ComputeBackend`. One step:
/// 1. residual `r = A w - y` with the step's gates;
/// 2. normalized step size `mu` from the gradient on the current support;
/// 3. the gradient over all `md` coordinates, streamed in chunks of neurons, thresholded
///    to the top `s` (or inflated `s~`) of `|w - mu A^T r|` by merging chunk top-k results;
/// 4. Armijo-checked refinement on the new support (`SolverOptions.refineRule`);
/// 5. sequential mode: gates follow the weights (with revival / stall re-seeding).
/// Steps 1, 2 and 4 and the per-step metrics only touch the `s` support entries and run on
/// the host (`SupportProducts`, `O(n s)` per product, fixed summation order); step 3's two
/// dense products over all `md` candidates run on the backend.
public final class IHTSolver<B: ComputeBackend> {
    public let backend: B
    public let options: SolverOptions
    let problem: RegressionProblem
    let xFull: B.Buffer
    /// The problem's data transposed (`d x n`) on the host, for the support products of
    /// full-batch steps.
    let fullColumns: HostColumns
    /// Per-step buffers (batch, gates, gradients) reused across steps.
    let pool: BufferPool<B>
    /// Host rows of the current minibatch and their transpose on demand, reused across steps.
    let minibatch: HostColumns
    /// Called after every step.
    public var onStep: ((StepReport) -> Void)?
    /// Phase timings of `run()` when set (benchmarks).
    public var profile: SolverProfile?
    /// The last metrics' products and output, for the next step (see `PredictionMemo`).
    var memo: PredictionMemo?
    /// Called after the last step of every epoch (every step of a full-batch run) with the
    /// epoch (from 1), the weights and the generators: the model so far, for scoring.
    public var onEpochEnd: ((_ epoch: Int, _ weights: SparseWeights, _ generators: GeneratorBank) -> Void)?

    public init(backend: B, problem: RegressionProblem, options: SolverOptions) throws {
        try options.validate(n: problem.n, d: problem.d)
        try options.loss.validateScalarTargets(problem.y)
        self.backend = backend
        self.problem = problem
        self.options = options
        xFull = try backend.makeBuffer(problem.x)
        pool = BufferPool(backend: backend)
        // Full-batch steps (as `BatchSchedule` decides: no batch, or one of n or more rows)
        // read the full transpose; minibatch steps transpose the inputs they read (HostColumns).
        let fullBatch = BatchSchedule(n: problem.n, batchSize: options.batchSize, seed: options.seed).isFullBatch
        fullColumns = HostColumns(transposed: fullBatch ? transposed(problem.x, n: problem.n, d: problem.d) : [],
                                  n: fullBatch ? problem.n : 0, d: problem.d)
        minibatch = HostColumns(d: problem.d)
    }

    public func run() throws -> SolverResult {
        let o = options, d = problem.d
        memo = nil
        var w = SparseWeights(d: d, m: o.m)
        var bank = GeneratorBank(d: d, m: o.m, seed: o.seed)
        bank.signed = o.signedOutputs
        var history: [StepReport] = []
        var best = -Double.infinity, sinceGain = 0
        var search = ReseedSearch(enabled: o.reseedSearch && o.batchSize == nil)
        var chunk = o.chunk ?? defaultChunk()
        let batches = BatchSchedule(n: problem.n, batchSize: o.batchSize, seed: o.seed)
        var stop = StopReason.budget
        var deflated = false  // inflation ends early once the tolerance is met at s~
        for t in 0..<o.steps {
            let start = Date()
            let data = try profile.measure("batch") { try batch(batches, step: t) }
            let epoch = batches.epoch(ofStep: t)
            let k = (o.inflation > 1 && !deflated && t < o.steps - o.deflateSteps) ? Int((Double(o.s) * o.inflation).rounded()) : o.s
            let before = w
            bank.epoch = t
            // Steps 1-3: gradient step and hard threshold (retrying smaller chunks on OOM).
            var stepped = try profile.measure("threshold") {
                try withChunkFallback(&chunk) { c in
                    try thresholdStep(w, bank: bank, data: data, k: min(k, o.m * d), chunk: c)
                }
            }
            w = stepped.weights
            // Step 4: refinement on the new support with the step's gates (then the old
            // support's products go: the metrics make their own).
            let accepted = try profile.measure("refinement") {
                try refine(&w, bank: bank, data: data, mu: stepped.mu, known: stepped.support,
                           denseGates: stepped.denseGates)
            }
            stepped.support = nil
            stepped.denseGates = [:]
            // Step 5: gates follow the weights.
            if o.mode == .sequential && epoch >= o.gatesFollowFrom {
                bank.followedWeights = w
                bank.reviveDead = o.revive
            }
            bank.reseeded.subtract(w.activeNeurons)
            if !bank.chosen.isEmpty { bank.chosen = bank.chosen.filter { bank.reseeded.contains($0.key) } }
            // Metrics on the step's data with the updated generators.
            let (psnr, rel, prediction) = try profile.measure("metrics") {
                let prediction = o.loss.scalarPrediction(try predict(w, bank: bank, data: data))
                return (FitMetrics.psnr(prediction: prediction, target: data.y),
                        FitMetrics.relativeResidual(prediction: prediction, target: data.y), prediction)
            }
            // With the search, a stall is measured on the trajectory since the last re-seeding
            // (a re-seeded run climbing back is not stalled), else on the whole run.
            sinceGain = psnr > (search.enabled ? search.localBest : best) + o.stallGain ? 0 : sinceGain + 1
            search.record(psnr: psnr, weights: w, bank: bank, gained: psnr > best + o.stallGain, withinBudget: w.count <= o.s)
            best = max(best, psnr)
            var reseeded = false
            if o.stallReseed && o.mode == .sequential && sinceGain >= o.stallSteps && epoch >= o.gatesFollowFrom
                && rel > o.tolerance {
                var from = prediction
                if let (bw, bb) = search.restore() {
                    w = bw; bank = bb; bank.epoch = t
                    from = o.loss.scalarPrediction(try predict(w, bank: bank, data: data))
                }
                if let j = try profile.measure("follow", { try weakestNeuron(w, bank: bank, data: data, rank: search.rank) }) {
                    reseed(j, &w, bank: &bank, data: data, prediction: from)
                    reseeded = true
                }
                search.tried()
                sinceGain = 0
            }
            let report = StepReport(step: t + 1, psnr: psnr, relativeResidual: rel, supportSize: w.count,
                                    supportChanges: w.supportChanges(from: before), mu: stepped.mu,
                                    refineAccepted: accepted, reseeded: reseeded,
                                    seconds: Date().timeIntervalSince(start))
            history.append(report)
            search.attach(report)
            onStep?(report)
            if let onEpochEnd, (t + 1) % batches.batchesPerEpoch == 0 { onEpochEnd((t + 1) / batches.batchesPerEpoch, w, bank) }
            if rel <= o.tolerance && !reseeded && o.batchSize == nil {
                // Never stop above the budget: with an inflated threshold, go on at s.
                if w.count <= o.s { stop = .tolerance; break }
                deflated = true
            }
        }
        var returned: StepReport?
        if stop == .budget, let (bw, bb) = search.final(lastPSNR: history.last?.psnr) {
            w = bw; bank = bb; returned = search.bestReport
        }
        return SolverResult(weights: w, generators: bank, history: history, stopReason: stop, chunk: chunk,
                            returnedStep: returned)
    }
}
