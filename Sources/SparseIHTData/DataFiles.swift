import SparseIHTCore

/// Loading user data files into problems, with validation.
public enum DataFiles {
    /// Reads an array from `.npy` (by content) or IDX (by magic number).
    public static func readArray(_ path: String) throws -> NumPyFile.Array {
        if path.hasSuffix(".npy") || path.hasSuffix(".npz") { return try NumPyFile.read(path) }
        return try IDXFile.read(path)
    }

    /// X (`n x d`) and y (length `n`, or `n x 1`) from files.
    public static func regressionProblem(x xPath: String, y yPath: String) throws -> RegressionProblem {
        let x = try readArray(xPath), y = try readArray(yPath)
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
