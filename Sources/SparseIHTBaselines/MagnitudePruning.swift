import Foundation
import SparseIHTCore

/// Iterative magnitude pruning with rewinding, and one-shot magnitude pruning
/// (docs/method.md section 4), following the published protocol: see `iterative`.
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

    /// Weights one IMP round prunes from `remaining` unpruned ones out of `total`: the
    /// published code asks global L1 pruning for the fraction `1 - ((1 - fraction) * total) /
    /// total` (computed in float64), which PyTorch applies to the unpruned weights as
    /// `round(amount * remaining)` (half to even); at least one, at most `remaining`.
    public static func pruneCount(remaining: Int, total: Int, fraction: Double) -> Int {
        let amount = 1 - ((1 - fraction) * Double(total)) / Double(total)
        let k = Int((amount * Double(remaining)).rounded(.toNearestOrEven))
        return min(remaining, max(1, k))
    }

    /// One round of IMP's record.
    public struct Round: Sendable {
        /// 0-based; round 0 trains the dense network.
        public var round: Int
        /// Unpruned weights while this round trained.
        public var trainedRemaining: Int
        /// Score of the trained network before this round's pruning (round 0: the dense one).
        public var trainedScore: Double
        /// Nonzero weights after this round's pruning (the published count).
        public var remaining: Int
        /// Score of the pruned network, not retrained (the published score).
        public var score: Double
        /// Mean training loss of the last epoch.
        public var finalLoss: Double
        /// Wall-clock seconds of the round (training, pruning and both scores).
        public var seconds: Double
        /// Whether the round pruned (false only for the optional final retraining round, whose
        /// `remaining` and `score` equal `trainedRemaining` and `trainedScore`).
        public var pruned: Bool
    }

    /// IMP as published: round r trains the network rewound to the initial weights under the
    /// current mask (`trainer.epochs` epochs, a fresh Adam), prunes `pruneCount` of the unpruned
    /// weights by global magnitude, and scores the pruned network without retraining; rounds
    /// repeat until at most `minRemaining` weights remain. Each round draws its own batch order
    /// (seed `trainer.seed` mixed with the round). With `retrainFinal`, one more round trains the
    /// final mask (from the initial weights) and scores it unpruned: the lottery-ticket variant,
    /// reported by `atBudgetRetrained`. Returns every round.
    public static func iterative<B: ComputeBackend>(
        initial: DenseMLP, fraction: Double, minRemaining: Int, trainer: AdamTrainer,
        x: [Float], y: [Float], n: Int, backend: B, retrainFinal: Bool = true,
        score: (DenseMLP) throws -> Double, onRound: ((Round) -> Void)? = nil
    ) throws -> [Round] {
        guard fraction > 0 && fraction < 1 else { throw SparseIHTError.invalidArgument("prune fraction \(fraction) outside (0, 1)") }
        guard minRemaining >= 1 else { throw SparseIHTError.invalidArgument("target s = \(minRemaining) < 1") }
        var rounds: [Round] = []
        var masks = initial.masks
        var r = 0
        var finalRound = false
        while true {
            let start = ContinuousClock.now
            var net = initial
            net.masks = masks
            var roundTrainer = trainer
            roundTrainer.seed = trainer.seed &+ UInt64(r) &* 0x9E37_79B9_7F4A_7C15
            let curve = try roundTrainer.train(&net, x: x, y: y, n: n, backend: backend)
            let trainedRemaining = net.nonzeroCount
            let trainedScore = try score(net)
            var remaining = trainedRemaining, prunedScore = trainedScore
            if !finalRound {
                var pruned = net
                pruned.masks = prune(net, count: pruneCount(remaining: net.remaining, total: net.weightCount, fraction: fraction))
                pruned = pruned.applyingMasks()
                remaining = pruned.nonzeroCount
                prunedScore = try score(pruned)
                masks = pruned.masks
            }
            let elapsed = ContinuousClock.now - start
            let round = Round(round: r, trainedRemaining: trainedRemaining, trainedScore: trainedScore, remaining: remaining,
                              score: prunedScore, finalLoss: curve.last ?? 0,
                              seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                              pruned: !finalRound)
            rounds.append(round)
            onRound?(round)
            if finalRound || remaining <= minRemaining {
                guard retrainFinal && !finalRound else { break }
                finalRound = true
            }
            r += 1
        }
        return rounds
    }

    /// The published score at budget `s`: the first round whose pruned network has at most
    /// `s` nonzero weights.
    public static func atBudget(_ rounds: [Round], s: Int) -> Round? { rounds.first { $0.remaining <= s } }

    /// The retrained score at budget `s`: the first round that trained with at most `s`
    /// nonzero weights (needs `retrainFinal` for the smallest budget).
    public static func atBudgetRetrained(_ rounds: [Round], s: Int) -> Round? { rounds.first { $0.trainedRemaining <= s } }
}
