import Foundation

/// A scalar-output regression problem: data `x` (`n x d`, row-major) and targets `y`
/// (length `n`), both validated finite.
public struct RegressionProblem: Sendable {
    public let n: Int
    public let d: Int
    public let x: [Float]
    public let y: [Float]

    /// - Throws: `SparseIHTError.shapeMismatch` or `.nonFinite` for bad input.
    public init(x: [Float], y: [Float], n: Int, d: Int) throws {
        guard n >= 1, d >= 1 else { throw SparseIHTError.shapeMismatch("X is \(n) x \(d): need at least one row and column") }
        guard x.count == n * d else { throw SparseIHTError.shapeMismatch("X has \(x.count) values, expected \(n) x \(d)") }
        guard y.count == n else { throw SparseIHTError.shapeMismatch("y has \(y.count) values but X has \(n) rows") }
        try requireFinite(x, "X")
        try requireFinite(y, "y")
        guard y.contains(where: { $0 != 0 }) else {
            throw SparseIHTError.invalidArgument("y is all zero: nothing to recover (PSNR undefined)")
        }
        self.n = n; self.d = d; self.x = x; self.y = y
    }

    /// Rows `rows` as a new problem (minibatches).
    public func subset(_ rows: [Int]) -> (x: [Float], y: [Float]) {
        (gatherRows(x, width: d, rows: rows), rows.map { y[$0] })
    }
}

/// Fit metrics of a prediction against targets.
public enum FitMetrics {
    /// PSNR = 20 log10(peak) - 10 log10(MSE), in dB (algorithm.md section 4); the peak is
    /// `max |y|` unless given (images: 1).
    public static func psnr(prediction: [Float], target: [Float], peak fixedPeak: Double? = nil) -> Double {
        var mse = 0.0, peak = 0.0
        for (p, t) in zip(prediction, target) {
            let e = Double(p) - Double(t)
            mse += e * e
            peak = max(peak, abs(Double(t)))
        }
        mse /= Double(max(target.count, 1))
        return 20 * log10(fixedPeak ?? peak) - 10 * log10(mse + 1e-300)
    }

    /// ||prediction - target|| / ||target||.
    public static func relativeResidual(prediction: [Float], target: [Float]) -> Double {
        var num = 0.0, den = 0.0
        for (p, t) in zip(prediction, target) {
            let e = Double(p) - Double(t)
            num += e * e; den += Double(t) * Double(t)
        }
        return (num / max(den, 1e-300)).squareRoot()
    }
}
