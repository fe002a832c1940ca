/// Some neurons' weights in compressed rows, the input of `sparseProduct`: row `r`'s
/// entries are `columns[t]`, `values[t]` for `t` in `offsets[r]..<offsets[r+1]`, columns
/// ascending.
public struct SparseRows: Sendable, Equatable {
    public private(set) var offsets: [Int32] = [0]
    public private(set) var columns: [Int32] = []
    public private(set) var values: [Float] = []

    public var rows: Int { offsets.count - 1 }
    public var nonzeros: Int { columns.count }

    /// No rows.
    public init() {}

    /// Appends one row (`columns` ascending, below the product's `d`).
    public mutating func append(columns c: [Int32], values v: [Float]) {
        precondition(c.count == v.count, "a sparse row needs one value per column")
        columns.append(contentsOf: c); values.append(contentsOf: v)
        offsets.append(Int32(columns.count))
    }

    /// Rows `neurons` (in that order) of `weights` (block length `weights.d`), keeping the
    /// first `width` entries of each block, each value times `scale(neuron)`.
    public init(_ weights: SparseWeights, width: Int, neurons: [Int], scale: (Int) -> Float = { _ in 1 }) {
        let block = weights.d
        let row = Dictionary(neurons.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var perRow = [[(Int32, Float)]](repeating: [], count: neurons.count)
        for (f, v) in zip(weights.indices, weights.values) {
            guard let r = row[f / block], f % block < width else { continue }
            perRow[r].append((Int32(f % block), scale(f / block) * v))
        }
        for entries in perRow {
            for (c, v) in entries { columns.append(c); values.append(v) }
            offsets.append(Int32(columns.count))
        }
    }
}

/// Checks sparse rows for `sparseProduct` (offsets ascending from 0 to the entry count,
/// columns below `d`) and returns the number of rows.
public func checkSparseRows(offsets: [Int32], columns: [Int32], values: [Float], d: Int) throws -> Int {
    guard let first = offsets.first, first == 0, Int(offsets[offsets.count - 1]) == columns.count,
          columns.count == values.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
        throw SparseIHTError.shapeMismatch("sparse rows: \(offsets.count) offsets for \(columns.count) columns and \(values.count) values")
    }
    if let bad = columns.first(where: { $0 < 0 || Int($0) >= d }) {
        throw SparseIHTError.invalidArgument("sparse column \(bad) outside 0..<\(d)")
    }
    return offsets.count - 1
}
