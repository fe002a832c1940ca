/// How layer-wise training (`LayerwiseTraining`) splits the total budget s over L layers.
/// The nonzeros of the trained network are the hidden layers' kept first-layer weights
/// plus the last layer's weights (a hidden layer's temporary output layer is dropped).
public enum LayerBudget: Sendable, Equatable {
    /// `s / L` for every layer (published).
    case equal
    /// The hidden layers share `(1 - lastShare) s` equally, and the last layer gets what
    /// they leave: `s` minus the weights they kept. Meant for solvers that charge a hidden
    /// layer only for the weights it keeps (`VectorOptions.chargeOutputRows` off), so the
    /// budget of a hidden layer buys input weights only.
    case kept(lastShare: Double)

    /// Budget of each hidden layer (and of the only layer when `layers` is 1).
    public func hiddenBudget(s: Int, layers: Int) throws -> Int {
        guard layers >= 1 else { throw SparseIHTError.invalidArgument("layers = \(layers): need at least 1") }
        let b: Int
        switch self {
        case .equal: b = s / layers
        case .kept(let f):
            guard f.isFinite, f > 0, f < 1 else { throw SparseIHTError.invalidArgument("last-layer share \(f): need a value in (0, 1)") }
            b = layers == 1 ? s : (s - Int((f * Double(s)).rounded())) / (layers - 1)
        }
        guard b >= 1 else { throw SparseIHTError.invalidArgument("s = \(s) is too small for \(layers) layers (a layer's budget < 1)") }
        return b
    }

    /// Budget of the last layer, given the weights the hidden layers kept.
    public func lastBudget(s: Int, layers: Int, keptBefore kept: Int) throws -> Int {
        switch self {
        case .equal: return try hiddenBudget(s: s, layers: layers)
        case .kept:
            guard s - kept >= 1 else { throw SparseIHTError.invalidArgument("the hidden layers kept \(kept) of s = \(s) weights: none left for the last layer") }
            return s - kept
        }
    }
}
