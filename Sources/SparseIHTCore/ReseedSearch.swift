/// Book-keeping of `SolverOptions.reseedSearch`: the iterate with the highest PSNR so far
/// (weights and generators after the step's gate update) and how many re-seedings were
/// tried from it. Inert when disabled.
struct ReseedSearch {
    let enabled: Bool
    private(set) var bestPSNR = -Double.infinity
    private var best: (SparseWeights, GeneratorBank)?
    /// Re-seedings tried since the best iterate last improved by the stall gain.
    private var tries = 0

    init(enabled: Bool) { self.enabled = enabled }

    /// Which weakest neuron the next re-seeding takes (0: the weakest).
    var rank: Int { enabled ? tries : 0 }

    /// Keeps the step's iterate when its PSNR is the highest so far; `gained` (a gain of at
    /// least the stall gain over the previous best) restarts the count of tries.
    mutating func record(psnr: Double, weights: SparseWeights, bank: GeneratorBank, gained: Bool) {
        guard enabled else { return }
        if psnr > bestPSNR { bestPSNR = psnr; best = (weights, bank) }
        if gained { tries = 0 }
    }

    /// The best iterate, to re-seed from (nil when disabled or none yet).
    func restore() -> (SparseWeights, GeneratorBank)? { enabled ? best : nil }

    mutating func tried() { tries += 1 }

    /// The best iterate when it beats the last step's PSNR (`lastPSNR`), else nil.
    func final(lastPSNR: Double?) -> (SparseWeights, GeneratorBank)? {
        guard enabled, let best, let last = lastPSNR, bestPSNR > last else { return nil }
        return best
    }
}
