/// How well recovered weights match a planted truth.
public struct RecoveryMetrics: Sendable, Codable {
    /// ||w - w*|| / ||w*|| after matching neurons (when the model is permutation invariant).
    public var relativeWeightError: Double
    /// |S ∩ S*| / |S| after matching.
    public var supportPrecision: Double
    /// |S ∩ S*| / |S*| after matching.
    public var supportRecall: Double

    /// Compares `w` with `truth`. With `permutationInvariant`, recovered neurons are first
    /// matched to planted ones greedily by smallest distance ||w_q - u_p|| (each used once).
    public init(recovered w: SparseWeights, truth: SparseWeights, permutationInvariant: Bool) {
        let d = w.d
        var mapped = w
        if permutationInvariant {
            let rec = w.activeNeurons, plant = truth.activeNeurons
            let rc = w.compact(rec), pc = truth.compact(plant)
            var pairs: [(Double, Int, Int)] = []
            for (q, _) in rec.enumerated() {
                for (p, _) in plant.enumerated() {
                    var dist = 0.0
                    for i in 0..<d { let e = Double(rc[q * d + i] - pc[p * d + i]); dist += e * e }
                    pairs.append((dist, q, p))
                }
            }
            pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1, $0.2) < ($1.1, $1.2) }
            var target = [Int?](repeating: nil, count: rec.count)
            var usedPlant = Set<Int>(), usedRec = Set<Int>()
            for (_, q, p) in pairs where !usedRec.contains(q) && !usedPlant.contains(p) {
                target[q] = plant[p]; usedRec.insert(q); usedPlant.insert(p)
            }
            // Unmatched recovered neurons go to neuron slots no planted neuron uses.
            var free = (0..<w.m).filter { !usedPlant.contains($0) && !plant.contains($0) }.makeIterator()
            var newIdx: [Int] = [], newVal: [Float] = []
            for (q, j) in rec.enumerated() {
                let to = target[q] ?? free.next() ?? j
                for i in 0..<d where rc[q * d + i] != 0 { newIdx.append(to * d + i); newVal.append(rc[q * d + i]) }
            }
            let order = newIdx.indices.sorted { newIdx[$0] < newIdx[$1] }
            mapped = SparseWeights(d: d, m: w.m, indices: order.map { newIdx[$0] }, values: order.map { newVal[$0] })
        }
        var diff = [Int: Double]()
        for (i, v) in zip(truth.indices, truth.values) { diff[i, default: 0] -= Double(v) }
        for (i, v) in zip(mapped.indices, mapped.values) { diff[i, default: 0] += Double(v) }
        // In index order: a Dictionary's iteration order changes from process to process.
        let num = diff.keys.sorted().reduce(0.0) { acc, i in let e = diff[i] ?? 0; return acc + e * e }
        let den = truth.values.reduce(0) { $0 + Double($1) * Double($1) }
        relativeWeightError = (num / max(den, 1e-300)).squareRoot()
        let common = Set(mapped.indices).intersection(truth.indices).count
        supportPrecision = mapped.count == 0 ? 0 : Double(common) / Double(mapped.count)
        supportRecall = truth.count == 0 ? 1 : Double(common) / Double(truth.count)
    }
}
