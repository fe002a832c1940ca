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
