import Foundation

/// One epoch's report.
public struct EpochReport: Sendable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches (before each step).
    public var loss: Double
    public var supportSize: Int
    public var activeNeurons: Int
    public var seconds: Double
    /// Bytes copied between host and device during the epoch (`bytesTransferred`).
    public var bytesTransferred: Int = 0

    /// In one run's reports, the first whose loss is not finite or exceeds `factor` times
    /// the lowest loss before it (a fixed step too large for the data: the run blew up, and
    /// its dead neurons will not come back), with that lowest loss; nil when none.
    public static func divergence(in history: [EpochReport], factor: Double = 10) -> (report: EpochReport, lowest: Double)? {
        var best = Double.infinity
        for r in history {
            if !r.loss.isFinite || (best.isFinite && r.loss > factor * best) { return (r, best) }
            best = min(best, r.loss)
        }
        return nil
    }
}
