import Foundation

/// The scalar-output solver's losses (`SolverOptions.loss`), in one convention so the
/// normalized step and the Armijo check read the same for both: the objective `F` has
/// gradient `2 A^T r` with residual `r`, and `F(w - t g) <= F - 2t ||g||^2 + c t^2 ||A g||^2`
/// for `g = A^T r` and curvature bound `c`; its minimizer `t = ||g||^2 / (c ||A g||^2)` lowers
/// `F` by at least `t ||g||^2`.
/// - squared: `F = ||f - y||^2`, `r = f - y`, `c = 1` (the bound is exact).
/// - cross-entropy (binary, labels in [0, 1]): `F = 2 sum softplus(f) - y f`,
///   `r = sigmoid(f) - y`, `c = 1/4` (the largest sigmoid slope); predictions are
///   `sigmoid(f)`, so a threshold of 0.5 classifies.
extension Loss {
    /// Residual `r` (length n) of outputs `f` against targets `y`.
    func scalarResidual(_ f: [Float], _ y: [Float]) -> [Float] {
        switch self {
        case .squared: return zip(f, y).map { $0 - $1 }
        case .crossEntropy: return zip(f, y).map { Float(Loss.sigmoid(Double($0)) - Double($1)) }
        }
    }

    /// Objective `F` of outputs `f` against `y` (see the type's comment).
    func scalarObjective(_ f: [Float], _ y: [Float]) -> Double {
        switch self {
        case .squared: return zip(f, y).reduce(0) { let r = $1.0 - $1.1; return $0 + Double(r) * Double(r) }  // Float residual, as the step uses
        case .crossEntropy: return 2 * zip(f, y).reduce(0) { $0 + Loss.softplus(Double($1.0)) - Double($1.1) * Double($1.0) }
        }
    }

    /// Upper bound of the loss's second derivative in `f` relative to the squared loss.
    var curvatureBound: Double { self == .squared ? 1 : 0.25 }

    /// What the model predicts from outputs `f`: `f` itself, or `sigmoid(f)` (probabilities).
    public func scalarPrediction(_ f: [Float]) -> [Float] {
        self == .squared ? f : f.map { Float(Loss.sigmoid(Double($0))) }
    }

    /// Checks targets: binary cross-entropy needs labels in [0, 1].
    func validateScalarTargets(_ y: [Float]) throws {
        if self == .crossEntropy, let bad = y.first(where: { $0 < 0 || $0 > 1 }) {
            throw SparseIHTError.invalidArgument("binary cross-entropy needs targets in [0, 1]; found \(bad)")
        }
    }

    static func sigmoid(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    /// `log(1 + e^t)` without overflow.
    static func softplus(_ t: Double) -> Double { max(t, 0) + log1p(exp(-abs(t))) }
}
