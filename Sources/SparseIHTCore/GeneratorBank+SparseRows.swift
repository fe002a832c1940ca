extension GeneratorBank {
    /// Neurons whose generator is not zero, ascending: every neuron while generators are
    /// random or dead neurons are revived; else the live ones and the re-seeded or chosen
    /// ones. The others have all-zero gates, hence zero gradients.
    public func generatingNeurons() -> [Int] {
        guard followedWeights != nil, !reviveDead else { return Array(0..<m) }
        let live = liveNeurons
        // Only these can have a generator without revival (O(s) work, not O(m)).
        let candidates = live.union(reseeded).union(chosen.keys)
        return candidates.filter { $0 >= 0 && $0 < m && source($0, live: live) != .zero }.sorted()
    }

    /// The generators of `neurons` (in that order) as sparse rows for `sparseProduct`, or nil
    /// when they hold more than `limit` entries in all. A followed live neuron's row is its
    /// weights (times its output sign), a dead neuron's row is empty (zero generator) and a
    /// random or chosen generator is a dense row of `d` entries. Gates from these rows cost
    /// `O(n nnz)` instead of the `O(n d c)` of a dense gate GEMM, which is the saving once
    /// gates follow weights with a few nonzeros per neuron.
    public func sparseRows(_ neurons: [Int], limit: Int) -> SparseRows? {
        guard let w = followedWeights else { return nil }  // every generator random: dense
        let live = liveNeurons
        var dense: [Int: [Float]] = [:]
        var total = 0
        for j in neurons {
            switch source(j, live: live) {
            case .followed, .zero: continue
            case .chosen(let h): dense[j] = h
            case .random(let e):
                var h = [Float](repeating: 0, count: d)
                h.withUnsafeMutableBufferPointer { Self.randomGenerator(seed: seed, neuron: j, epoch: e, into: $0) }
                dense[j] = h
            }
            total += d
            if total > limit { return nil }
        }
        let followed = SparseRows(w, width: d, neurons: neurons, scale: { self.sign($0) })
        guard followed.nonzeros + total <= limit else { return nil }
        guard !dense.isEmpty else { return followed }
        return followed.replacingRows(dense, neurons: neurons)
    }
}

extension SparseRows {
    /// These rows with row `r` replaced by the dense `d`-vector `rows[neuron(r)]` wherever one
    /// is given (`neurons[r]` names row `r`'s neuron). Zero entries of a dense row are kept, so
    /// its sum runs over every column in order.
    func replacingRows(_ rows: [Int: [Float]], neurons: [Int]) -> SparseRows {
        var out = SparseRows()
        for (r, j) in neurons.enumerated() {
            if let h = rows[j] {
                out.append(columns: (0..<h.count).map { Int32($0) }, values: h)
            } else {
                let lo = Int(offsets[r]), hi = Int(offsets[r + 1])
                out.append(columns: Array(columns[lo..<hi]), values: Array(values[lo..<hi]))
            }
        }
        return out
    }
}
