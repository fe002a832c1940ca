import SparseIHTCore

/// Loading user data files into problems, with validation.
public enum DataFiles {
    /// Reads an array from `.npy` (by content) or IDX (by magic number).
    public static func readArray(_ path: String) throws -> NumPyFile.Array {
        if path.hasSuffix(".npy") || path.hasSuffix(".npz") { return try NumPyFile.read(path) }
        return try IDXFile.read(path)
    }

    /// Largest magnitude accepted in X and y: the solver's float32 sums of squares and
    /// products over rows stay finite (1e15 squared, times 3e8 terms, is below 3.4e38).
    public static let largestMagnitude: Float = 1e15

    /// X (`n x d`) and y (length `n`, or `n x 1`) from files; values must be finite and at
    /// most `largestMagnitude` in magnitude.
    public static func regressionProblem(x xPath: String, y yPath: String) throws -> RegressionProblem {
        let x = try readArray(xPath), y = try readArray(yPath)
        for (path, a) in [(xPath, x), (yPath, y)] {
            if let i = a.values.firstIndex(where: { abs($0) > largestMagnitude }) {
                throw SparseIHTError.badFile(path: path, reason: "value \(i) is \(a.values[i]), beyond \(largestMagnitude) in magnitude: the float32 solver would overflow (rescale the data)")
            }
        }
        guard x.shape.count == 2 else {
            throw SparseIHTError.shapeMismatch("\(xPath): X must be 2-D (n x d), has shape \(x.shape)")
        }
        guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
            throw SparseIHTError.shapeMismatch("\(yPath): y must be 1-D (n) or n x 1, has shape \(y.shape)")
        }
        guard y.shape[0] == x.shape[0] else {
            throw SparseIHTError.shapeMismatch("X (\(xPath)) has \(x.shape[0]) rows but y (\(yPath)) has \(y.shape[0]) entries")
        }
        do {
            return try RegressionProblem(x: x.values, y: y.values, n: x.shape[0], d: x.shape[1])
        } catch SparseIHTError.nonFinite(let what, let index) {
            throw SparseIHTError.badFile(path: what == "y" ? yPath : xPath, reason: "value \(index) is NaN or infinite")
        }
    }
}
