import SparseIHTCore

/// Callbacks of a running task: live progress and notices for the user (the command line
/// draws them on stderr; a sweep or a test passes `TaskObserver()`, which ignores them).
public struct TaskObserver {
    /// After every full-batch or minibatch step of the scalar solver.
    public var step: (StepReport) -> Void = { _ in }
    /// After every epoch of the vector solver.
    public var epoch: (EpochReport) -> Void = { _ in }
    /// When a live progress line should end (a layer finished).
    public var finish: () -> Void = {}
    /// A one-line notice (warnings, IMP rounds).
    public var notice: (String) -> Void = { _ in }
    /// Before each layer's solve: how many steps or epochs it will report.
    public var plan: (ProgressPlan) -> Void = { _ in }
    /// Classification runs of one layer score the test rows after every epoch (an extra
    /// prediction per epoch) when this is true, and pass the accuracy to `epochScore`.
    public var wantsEpochScores = false
    /// After every epoch of a scored run: the epoch (from 1) and the test accuracy.
    public var epochScore: (_ epoch: Int, _ testAccuracy: Double) -> Void = { _, _ in }

    public init() {}
}

/// What a solve is about to report, for progress lines and logs: `total` steps (scalar
/// solver; `batchesPerEpoch` > 1 for minibatch runs, whose steps make epochs) or epochs
/// (vector solver) of layer `layer` (from 1) of `layers`. A full-batch solve may stop
/// before `total` when it reaches its tolerance.
public struct ProgressPlan: Sendable, Equatable {
    public enum Unit: String, Sendable { case step, epoch }
    public var unit: Unit
    public var total: Int
    public var batchesPerEpoch = 1
    public var layer = 1, layers = 1
    /// The task's metric as the reports carry it: `psnr` of the step's rows, or the mean
    /// training `loss` of an epoch.
    public var metric: String

    public init(unit: Unit, total: Int, batchesPerEpoch: Int = 1, layer: Int = 1, layers: Int = 1, metric: String) {
        self.unit = unit; self.total = total; self.batchesPerEpoch = batchesPerEpoch
        self.layer = layer; self.layers = layers; self.metric = metric
    }
}
