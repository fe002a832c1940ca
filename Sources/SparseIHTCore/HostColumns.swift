/// A step's rows on the host for the products on the support: the rows (`n x d`, row-major;
/// the backend's copy of a minibatch is written from them) and their transpose (`d x n`,
/// row `i` is input `i` over the examples), which those products read column by column.
/// For a full-batch run the transpose is made once and complete; for a minibatch only the
/// inputs a step touches (the support's and the followed generators', a few hundred of `d`
/// at most) are transposed, on demand (`ensure`). Storage is reused from step to step: a
/// step's `StepData` must be released before the next `load` (the solver's loop does).
final class HostColumns {
    let d: Int
    private(set) var n: Int
    /// The rows (`n x d`); empty for a full-batch run (the problem holds them).
    private(set) var rows: [Float] = []
    /// The transpose (`d x n`); only the rows of inputs passed to `ensure` are valid.
    private(set) var transposed: [Float]
    private var filled: [Bool]

    /// A complete transpose (`d x n`) of a full batch.
    init(transposed: [Float], n: Int, d: Int) {
        self.n = n; self.d = d; self.transposed = transposed
        filled = [Bool](repeating: true, count: d)
    }

    /// Empty storage for minibatches of `d` inputs.
    init(d: Int) {
        self.n = 0; self.d = d; transposed = []
        filled = [Bool](repeating: false, count: d)
    }

    /// Gathers rows `indices` of `x` (`? x d`); no input is transposed yet.
    func load(_ x: [Float], indices: [Int]) {
        n = indices.count
        let count = n * d
        if rows.count != count {
            rows = [Float](repeating: 0, count: count)
            transposed = [Float](repeating: 0, count: count)
        }
        x.withUnsafeBufferPointer { xp in rows.withUnsafeMutableBufferPointer { rp in
            for (r, i) in indices.enumerated() {
                (rp.baseAddress! + r * d).update(from: xp.baseAddress! + i * d, count: d)
            }
        } }
        for c in 0..<d { filled[c] = false }
    }

    /// Makes the transpose's rows of `inputs` (each below `d`) valid.
    func ensure<S: Sequence>(_ inputs: S) where S.Element == Int {
        var missing: [Int] = []
        for c in inputs where !filled[c] { filled[c] = true; missing.append(c) }
        guard !missing.isEmpty, n > 0 else { return }
        missing.sort()
        rows.withUnsafeBufferPointer { rp in transposed.withUnsafeMutableBufferPointer { tp in
            transpose(rp.baseAddress!, n: n, d: d, columns: missing, into: tp.baseAddress!)
        } }
    }

    /// Makes the whole transpose valid.
    func ensureAll() { ensure(0..<d) }
}
