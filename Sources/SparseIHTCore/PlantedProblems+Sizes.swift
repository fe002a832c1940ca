extension PlantedProblems {
    /// Checks a planted problem's sizes before anything is allocated: `n`, `d`, `m`, `s`
    /// and `outputs` positive, `m*d` within 2^31 - 1 candidates, `s <= m*d`, and the data
    /// (`n x d` inputs, `n x outputs` targets, as floats and doubles) within `MemoryBudget`.
    /// - Throws: `SparseIHTError.invalidArgument` or `.outOfMemory` naming the size.
    static func checkSizes(n: Int, d: Int, m: Int, s: Int, outputs: Int = 1) throws {
        func bad(_ r: String) -> SparseIHTError { .invalidArgument(r) }
        guard n >= 1 else { throw bad("n = \(n): need at least one example") }
        guard d >= 1 else { throw bad("d = \(d): need at least one input") }
        guard m >= 1 else { throw bad("m = \(m): need at least one neuron") }
        guard s >= 1 else { throw bad("s = \(s): the planted network needs at least one weight") }
        guard outputs >= 1 else { throw bad("outputs = \(outputs): need at least one") }
        guard let md = CheckedSize.product(m, d), md <= Int(Int32.max) else {
            throw bad("m*d with m = \(m), d = \(d) exceeds 2^31 - 1 weights")
        }
        guard s <= md else { throw bad("planted s = \(s) exceeds m*d = \(md) weights") }
        let rows = d.addingReportingOverflow(outputs)
        try MemoryBudget.require(rows.overflow ? nil : CheckedSize.product([n, rows.partialValue, 12]),
                                 for: "a planted problem of n = \(n) rows x (d = \(d) inputs + \(outputs) outputs)")
    }
}
