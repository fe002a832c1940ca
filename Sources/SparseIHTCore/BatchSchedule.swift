/// Minibatch order: each epoch a seeded permutation of the rows, cut into batches of
/// `batchSize` (the last may be smaller). Full batch when `batchSize` is nil or `n`.
public struct BatchSchedule: Sendable {
    public let n: Int
    public let batchSize: Int?
    public let seed: UInt64

    public init(n: Int, batchSize: Int?, seed: UInt64) {
        self.n = n; self.seed = seed
        self.batchSize = (batchSize ?? n) >= n ? nil : batchSize
    }

    /// Every step sees all rows (no batch size, or one of `n` or more).
    public var isFullBatch: Bool { batchSize == nil }

    /// Batches per epoch.
    public var batchesPerEpoch: Int {
        guard let b = batchSize else { return 1 }
        return (n + b - 1) / b
    }

    public func epoch(ofStep t: Int) -> Int { t / batchesPerEpoch }

    /// Rows of step `t`'s batch; nil for full batch.
    public func rows(forStep t: Int) -> [Int]? {
        guard let b = batchSize else { return nil }
        let e = epoch(ofStep: t), i = t % batchesPerEpoch
        var rng = SeededGenerator(seed: seed ^ 0xBB67_AE85_84CA_A73B, stream: UInt64(e))
        var perm = Array(0..<n)
        for p in stride(from: n - 1, to: 0, by: -1) { perm.swapAt(p, rng.below(p + 1)) }
        return Array(perm[(i * b)..<min(n, (i + 1) * b)])
    }
}
