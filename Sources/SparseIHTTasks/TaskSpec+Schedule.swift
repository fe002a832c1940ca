import SparseIHTCore

extension TaskSpec {
    /// True when the run trains for epochs of minibatches, so that `--steps` has no effect:
    /// the classification tasks and planted with `--outputs > 1` (vector solver).
    public var trainsForEpochs: Bool { task.isClassification || (task == .planted && outputs > 1) }

    /// Refuses settings a run would otherwise ignore or that name nothing: `--steps` on a
    /// run that trains for epochs, and repeated `--classes`.
    func checkSchedule() throws {
        if steps != nil && trainsForEpochs {
            let e = task == .planted ? TaskDefaults.plantedVectorEpochs : defaults.epochs
            throw SparseIHTError.invalidArgument("--steps does not apply to \(task.rawValue)\(task == .planted ? " with --outputs \(outputs)" : ""), which trains for --epochs (default \(e)); set --epochs instead")
        }
        if let classes, Set(classes).count != classes.count {
            throw SparseIHTError.invalidArgument("--classes lists a class twice (\(classes.map(String.init).joined(separator: ",")))")
        }
    }
}
