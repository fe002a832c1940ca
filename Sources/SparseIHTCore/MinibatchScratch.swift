/// Host storage of a minibatch, reused from step to step: its rows (`b x d`, row-major, the
/// backend's copy is written from them) and their transpose (`d x b`, for the support
/// products). Reuse avoids allocating, zeroing and faulting in two fresh copies per step;
/// a step's `StepData` must be released before the next `load` (the solver's loop does).
final class MinibatchScratch {
    private(set) var rows: [Float] = []
    private(set) var transposedRows: [Float] = []

    /// Gathers rows `indices` of `x` (`? x d`) and transposes them.
    func load(_ x: [Float], d: Int, indices: [Int]) {
        let count = indices.count * d
        if rows.count != count {
            rows = [Float](repeating: 0, count: count)
            transposedRows = [Float](repeating: 0, count: count)
        }
        x.withUnsafeBufferPointer { xp in rows.withUnsafeMutableBufferPointer { rp in
            for (r, i) in indices.enumerated() {
                (rp.baseAddress! + r * d).update(from: xp.baseAddress! + i * d, count: d)
            }
        } }
        rows.withUnsafeBufferPointer { rp in transposedRows.withUnsafeMutableBufferPointer { tp in
            if count > 0 { transpose(rp.baseAddress!, n: indices.count, d: d, into: tp.baseAddress!) }
        } }
    }
}
