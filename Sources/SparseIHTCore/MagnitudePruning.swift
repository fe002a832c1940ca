/// Iterative magnitude pruning with rewinding, and one-shot magnitude pruning
/// (algorithm.md section 4).
public enum MagnitudePruning {
    /// Masks keeping all but the `prune` unmasked weights of smallest magnitude, counted
    /// globally across layers (ties: lower layer, then lower index, pruned first).
    public static func prune(_ net: DenseMLP, count prune: Int) -> [[Float]] {
        var entries: [(Float, Int, Int)] = []
        for (l, w) in net.layers.enumerated() {
            for i in w.indices where net.masks[l][i] != 0 { entries.append((abs(w[i]), l, i)) }
        }
        entries.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1, $0.2) < ($1.1, $1.2) }
        var masks = net.masks
        for e in entries.prefix(prune) { masks[e.1][e.2] = 0 }
        return masks
    }

    /// One round of IMP's record.
    public struct Round: Sendable {
        public var round: Int
        public var remaining: Int
        public var score: Double
        public var finalLoss: Double
        public var seconds: Double
    }

    /// IMP: train from the initial weights, prune `fraction` of the remaining weights by
    /// global magnitude, rewind the survivors to their initial values, repeat until at most
    /// `minRemaining` remain. `score` rates each trained network. Returns every round.
    public static func iterative<B: ComputeBackend>(
        initial: DenseMLP, fraction: Double, minRemaining: Int, trainer: AdamTrainer,
        x: [Float], y: [Float], n: Int, backend: B,
        score: (DenseMLP) throws -> Double, onRound: ((Round) -> Void)? = nil
    ) throws -> [Round] {
        guard fraction > 0 && fraction < 1 else { throw SparseIHTError.invalidArgument("prune fraction \(fraction) outside (0, 1)") }
        guard minRemaining >= 1 else { throw SparseIHTError.invalidArgument("target s = \(minRemaining) < 1") }
        var rounds: [Round] = []
        var masks = initial.masks
        var r = 0
        while true {
            let start = ContinuousClock.now
            var net = initial
            net.masks = masks
            let curve = try trainer.train(&net, x: x, y: y, n: n, backend: backend)
            let remaining = net.remaining
            let elapsed = ContinuousClock.now - start
            let round = Round(round: r, remaining: remaining, score: try score(net), finalLoss: curve.last ?? 0,
                              seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            rounds.append(round)
            onRound?(round)
            if remaining <= minRemaining { break }
            masks = prune(net, count: max(1, Int((Double(remaining) * fraction).rounded(.down))))
            r += 1
        }
        return rounds
    }

    /// The first round whose network has at most `s` weights (IMP's score at budget `s`).
    public static func atBudget(_ rounds: [Round], s: Int) -> Round? { rounds.first { $0.remaining <= s } }
}
