import SparseIHTCore

/// What a task run returns: the report and the one-line summary the command prints.
public struct TaskRun: Sendable {
    public var report: RunReport
    public var summary: String
}

/// Files a run writes besides its report (nil: not written).
public struct TaskOutputs: Sendable {
    /// The recovered first layer as a dense `d x m` float32 `.npy` (scalar runs).
    public var weights: String?
    /// The support as `PREFIX.indices.npy` (int64, flat `j*d+i`) and `PREFIX.values.npy`.
    public var sparseWeights: String?
    /// The trained model (JSON) for `evaluate`.
    public var model: String?
    /// The report (JSON).
    public var json: String?

    public init(weights: String? = nil, sparseWeights: String? = nil, model: String? = nil, json: String? = nil) {
        self.weights = weights; self.sparseWeights = sparseWeights; self.model = model; self.json = json
    }
}
