/// Gate matrices of a chunk on the backend (see `IHTSolver`): copied when the step already
/// holds them on the host, by the sparse product when the generators follow sparse weights,
/// by a GEMM over the dense generators alone when a few sit among followed ones, else by the
/// chunk's dense gate GEMM.
extension IHTSolver {
    /// Gates of `neurons` under `bank` (`n x a`) on the step's data.
    func gates(_ neurons: [Int], bank: GeneratorBank, data: StepData) throws -> B.Buffer {
        let g = try backend.makeBuffer(count: data.n * neurons.count)
        try fillGates(neurons, bank: bank, data: data, into: g)
        return g
    }

    /// Writes the gates of `neurons` (`n x a`) into `g`: all ones in linear mode, else
    /// `1[X h_j > 0]` with the bank's generators. `known`: products under the same bank on
    /// the same rows, whose gates a backend with buffers in host memory copies (`writeGates`).
    /// Returns, on such a backend and with `keepDense`, the gates (n bytes each) of the
    /// neurons with dense generators that a GEMM over those neurons alone made.
    @discardableResult
    func fillGates(_ neurons: [Int], bank: GeneratorBank, data: StepData, into g: B.Buffer,
                   known: SupportProducts? = nil, keepDense: Bool = false) throws -> [Int: [UInt8]] {
        guard !neurons.isEmpty else { return [:] }
        let n = data.n, d = problem.d, a = neurons.count
        if options.mode == .linear {
            try backend.write([Float](repeating: 1, count: n * a), to: g)
            return [:]
        }
        let held = backend.buffersOnHost ? known : nil
        if let held, let rows = heldRows(neurons, in: held, bank: bank, leavingDense: false) {
            try backend.writeGates(held.gates, n: n, rows: rows, into: g)
            return [:]
        }
        // Generators with few entries in all (gates following sparse weights): the sparse
        // product, O(n nnz) scalar work; otherwise the dense gate GEMM, O(n d c) at SGEMM
        // speed. Measured on the CPU backend (one thread): ~0.9 ns per entry and example for
        // the sparse product against ~0.03 ns per dense entry for the GEMM at c = 50, and
        // less at c = 10, so the break-even is near 1/20 of the dense entries: `d / 20`
        // sparse entries cost about one dense neuron.
        let limit = a * d / 20
        if let rows = bank.sparseRows(neurons, limit: limit) {
            try backend.sparseProduct(x: data.x, n: n, d: d, offsets: rows.offsets, columns: rows.columns,
                                      values: rows.values, gate: nil, threshold: true, into: g)
            return [:]
        }
        // A few neurons with dense (random or chosen) generators among followed ones (revived
        // neurons at the start of a run): the followed gates copied or by the sparse product,
        // the dense ones by a GEMM over those neurons alone, when that costs at most half
        // the chunk's GEMM.
        if let fw = bank.followedWeights {
            let live = bank.liveNeurons
            let dense = neurons.indices.filter {
                switch bank.source(neurons[$0], live: live) {
                case .random, .chosen: return true
                case .followed, .zero: return false
                }
            }
            let rows = held.flatMap { heldRows(neurons, in: $0, bank: bank, leavingDense: true) }
            let followed = rows == nil ? SparseRows(fw, width: d, neurons: neurons, scale: { bank.sign($0) }) : nil
            let sparseCost = (followed?.nonzeros ?? 0) * 20 / max(d, 1)
            if !dense.isEmpty && 2 * (dense.count + sparseCost) <= a {
                if let held, let rows {
                    try backend.writeGates(held.gates, n: n, rows: rows, into: g)
                } else if let f = followed {
                    try backend.sparseProduct(x: data.x, n: n, d: d, offsets: f.offsets, columns: f.columns,
                                              values: f.values, gate: nil, threshold: true, into: g)
                }
                let h = try backend.makeBuffer(bank.rows(dense.map { neurons[$0] }))
                let columns = dense.map { Int32($0) }
                try backend.gateColumns(x: data.x, n: n, d: d, generators: h, columns: columns, c: a, into: g)
                guard keepDense && backend.buffersOnHost else { return [:] }
                let bytes = try backend.readGates(g, n: n, c: a, columns: columns)
                var kept: [Int: [UInt8]] = [:]
                for (p, q) in dense.enumerated() { kept[neurons[q]] = Array(bytes[(p * n)..<((p + 1) * n)]) }
                return kept
            }
        }
        let h = try backend.makeBuffer(bank.rows(neurons))
        try backend.gate(x: data.x, n: n, d: d, generators: h, c: a, into: g)
        return [:]
    }

    /// Most bytes of dense neurons' gates the thresholding pass keeps for the refinement
    /// (`fillGates` with `keepDense`); past it the refinement makes the rest itself.
    static var keptGateBytes: Int { 64 << 20 }

    /// Rows of `support.gates` for `neurons` when every neuron has one there or has no
    /// generator (-1: zero gates), and with `leavingDense` also where a neuron has a dense
    /// (random or chosen) generator (-1, for the caller to fill); else nil.
    func heldRows(_ neurons: [Int], in support: SupportProducts, bank: GeneratorBank, leavingDense: Bool) -> [Int]? {
        let live = bank.liveNeurons
        var rows: [Int] = []
        rows.reserveCapacity(neurons.count)
        for j in neurons {
            if let r = support.row(of: j) { rows.append(r); continue }
            switch bank.source(j, live: live) {
            case .zero: rows.append(-1)
            case .random where leavingDense, .chosen where leavingDense: rows.append(-1)
            default: return nil
            }
        }
        return rows
    }
}
