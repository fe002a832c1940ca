/// Rows `rows` (in that order) of a row-major matrix with `width` columns, as a new
/// `rows.count x width` matrix: minibatches and data subsets.
public func gatherRows(_ matrix: [Float], width: Int, rows: [Int]) -> [Float] {
    var out = [Float]()
    out.reserveCapacity(rows.count * width)
    for r in rows { out.append(contentsOf: matrix[(r * width)..<((r + 1) * width)]) }
    return out
}
