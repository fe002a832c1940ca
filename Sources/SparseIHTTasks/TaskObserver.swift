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

    public init() {}
}
