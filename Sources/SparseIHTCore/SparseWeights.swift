/// Fused first-layer weights of `m` neurons with `d` inputs, stored sparsely: ascending flat
/// indices into the neuron-major vector `w = [w_1; ...; w_m]` (index `j*d + i` is input `i`
/// of neuron `j`) and their values. Memory is O(nonzeros), never O(md).
public struct SparseWeights: Equatable, Sendable {
    public let d: Int
    public let m: Int
    /// Ascending flat indices `j*d + i`.
    public private(set) var indices: [Int]
    /// Values at `indices`.
    public private(set) var values: [Float]

    /// The zero vector.
    public init(d: Int, m: Int) {
        self.d = d; self.m = m; indices = []; values = []
    }

    /// From ascending flat indices and values (zeros are dropped).
    public init(d: Int, m: Int, indices: [Int], values: [Float]) {
        precondition(indices.count == values.count)
        self.d = d; self.m = m
        var idx = [Int](), val = [Float]()
        idx.reserveCapacity(indices.count); val.reserveCapacity(values.count)
        for (i, v) in zip(indices, values) where v != 0 { idx.append(i); val.append(v) }
        self.indices = idx; self.values = val
    }

    /// Number of nonzeros.
    public var count: Int { indices.count }

    /// Neurons with at least one nonzero weight, ascending.
    public var activeNeurons: [Int] {
        var out: [Int] = []
        for i in indices { let j = i / d; if out.last != j { out.append(j) } }
        return out
    }

    /// Rows of `neurons` (ascending, a superset of the active ones is fine) as an `a x d`
    /// row-major block with the weights scattered in.
    public func compact(_ neurons: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: neurons.count * d)
        var row = 0
        for (t, i) in indices.enumerated() {
            let j = i / d
            while row < neurons.count && neurons[row] < j { row += 1 }
            if row < neurons.count && neurons[row] == j { out[row * d + i % d] = values[t] }
        }
        return out
    }

    /// Position of each nonzero in the compact block of `neurons` (`row * d + i`).
    public func compactPositions(_ neurons: [Int]) -> [Int] {
        var out: [Int] = []; out.reserveCapacity(count)
        var row = 0
        for i in indices {
            let j = i / d
            while neurons[row] < j { row += 1 }
            out.append(row * d + i % d)
        }
        return out
    }

    /// Replaces the values (same support).
    public mutating func setValues(_ v: [Float]) {
        precondition(v.count == values.count)
        values = v
    }

    /// Zeroes every weight of neuron `j`.
    public mutating func removeNeuron(_ j: Int) {
        let keep = indices.indices.filter { indices[$0] / d != j }
        indices = keep.map { indices[$0] }
        values = keep.map { values[$0] }
    }

    /// Dense `d x m` row-major matrix (column `j` is neuron `j`), for output files.
    public func denseInputByNeuron() -> [Float] {
        var out = [Float](repeating: 0, count: d * m)
        for (i, v) in zip(indices, values) { out[(i % d) * m + i / d] = v }
        return out
    }

    /// Number of indices in exactly one of `self` and `other`.
    public func supportChanges(from other: SparseWeights) -> Int {
        let a = Set(indices), b = Set(other.indices)
        return a.symmetricDifference(b).count
    }
}
