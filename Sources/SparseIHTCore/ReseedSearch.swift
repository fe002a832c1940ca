/// Book-keeping of `SolverOptions.reseedSearch`: the iterate with the highest PSNR so far
/// (weights and generators after the step's gate update, before any re-seeding) with its
/// step's report, the highest PSNR since the last re-seeding, and how many re-seedings were
/// tried from the best iterate. Inert when disabled.
struct ReseedSearch {
    let enabled: Bool
    private(set) var bestPSNR = -Double.infinity
    /// Highest PSNR since the last re-seeding (the stall reference of the search).
    private(set) var localBest = -Double.infinity
    private var best: (SparseWeights, GeneratorBank)?
    private(set) var bestReport: StepReport?
    private var reportPending = false
    /// Re-seedings tried since the best PSNR last rose by the stall gain.
    private var tries = 0

    init(enabled: Bool) { self.enabled = enabled }

    /// Which weakest neuron the next re-seeding takes (0: the weakest).
    var rank: Int { enabled ? tries : 0 }

    /// Keeps the step's iterate when its PSNR is the highest so far and it holds at most `s`
    /// nonzeros (`withinBudget`; an inflated iterate is never returned); `gained` (a gain of
    /// at least the stall gain over the previous best) restarts the count of tries.
    mutating func record(psnr: Double, weights: SparseWeights, bank: GeneratorBank, gained: Bool, withinBudget: Bool) {
        guard enabled else { return }
        localBest = max(localBest, psnr)
        if psnr > bestPSNR && withinBudget { bestPSNR = psnr; best = (weights, bank); reportPending = true }
        if gained { tries = 0 }
    }

    /// Attaches the step's report to the iterate `record` just kept.
    mutating func attach(_ report: StepReport) {
        if reportPending { bestReport = report; reportPending = false }
    }

    /// The best iterate, to re-seed from (nil when disabled or none yet).
    func restore() -> (SparseWeights, GeneratorBank)? { enabled ? best : nil }

    /// Counts a re-seeding and starts a new trajectory.
    mutating func tried() { tries += 1; localBest = -.infinity }

    /// The best iterate when it beats the last step's PSNR (`lastPSNR`), else nil.
    func final(lastPSNR: Double?) -> (SparseWeights, GeneratorBank)? {
        guard enabled, let best, let last = lastPSNR, bestPSNR > last else { return nil }
        return best
    }
}
