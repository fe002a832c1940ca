/// Checks of a decoded model file: everything `model(path:)` and a reader outside the tool
/// rely on, so a file this version does not fully understand is an error, not a guess.
extension ModelFile {
    /// Largest `m * blockLength` of a layer (the solver's candidate limit).
    static let maxCandidates = Int(Int32.max)

    /// - Throws: `SparseIHTError.badFile` naming `path` and the first problem: unknown
    ///   `format`, `kind` or `outputActivation`; sizes that are not positive or overflow;
    ///   layer widths that do not chain; indices out of range or unsorted; non-finite
    ///   values; input scaling of the wrong length, zero or non-finite; Fourier parameters
    ///   that are empty, non-finite or do not match the first layer; derived fields
    ///   (signs, generators, Fourier matrix) that disagree with their seeds.
    public func validate(path: String) throws {
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: r) }
        guard format == Self.currentFormat else {
            throw bad("format '\(format)' is not supported (this version reads \(Self.currentFormat))")
        }
        guard !layers.isEmpty else { throw bad("no layers") }
        var expectedInputs: Int?
        for (n, l) in layers.enumerated() {
            let name = "layer \(n + 1)"
            let isLast = n == layers.count - 1
            guard l.kind == "scalar" || l.kind == "vector" else { throw bad("\(name): unknown kind '\(l.kind)' (scalar or vector)") }
            guard l.kind == "scalar" || isLast else { throw bad("\(name): a vector layer can only be the last") }
            guard l.d > 0, l.m > 0, l.k > 0 else { throw bad("\(name): d = \(l.d), m = \(l.m), k = \(l.k) must be positive") }
            guard l.kind == "vector" || l.k == 1 else { throw bad("\(name): a scalar layer has k = 1, not \(l.k)") }
            guard !(l.kind == "vector" && l.linear) else { throw bad("\(name): a vector layer cannot be linear") }
            let block: (partialValue: Int, overflow: Bool) = l.kind == "vector" ? l.d.addingReportingOverflow(l.k) : (l.d, false)
            guard !block.overflow, let candidates = CheckedSize.product(l.m, block.partialValue), candidates <= Self.maxCandidates else {
                throw bad("\(name): m x \(l.kind == "vector" ? "(d + k)" : "d") = \(l.m) x \(block.overflow ? "overflow" : String(block.partialValue)) exceeds 2^31 - 1 weights")
            }
            if let e = expectedInputs, e != l.d {
                throw bad("\(name): takes d = \(l.d) inputs but layer \(n) has \(e) live neurons")
            }
            guard l.indices.count == l.values.count else {
                throw bad("\(name): \(l.indices.count) indices but \(l.values.count) values")
            }
            for (i, idx) in l.indices.enumerated() {
                guard idx >= 0, idx < candidates else { throw bad("\(name): index \(idx) outside 0..<\(candidates)") }
                guard i == 0 || l.indices[i - 1] < idx else { throw bad("\(name): indices are not strictly increasing at entry \(i)") }
            }
            if let i = l.values.firstIndex(where: { !$0.isFinite }) { throw bad("\(name): value \(i) is \(l.values[i])") }
            let active = Array(Set(l.indices.map { $0 / block.partialValue })).sorted()
            if let stored = l.activeNeurons, stored != active {
                throw bad("\(name): activeNeurons do not match the indices")
            }
            var bank = GeneratorBank(d: l.d, m: l.m, seed: l.seed)
            bank.signed = l.signed ?? false
            if let signs = l.signs {
                guard l.signed == true else { throw bad("\(name): signs given but signed is not true") }
                guard signs.count == l.m else { throw bad("\(name): \(signs.count) signs for m = \(l.m) neurons") }
                for j in 0..<l.m where signs[j] != bank.sign(j) {
                    throw bad("\(name): sign of neuron \(j) is \(signs[j]), the seed gives \(bank.sign(j))")
                }
            }
            if let g = l.generators {
                guard !l.followsWeights, !l.linear else { throw bad("\(name): generators given for gates that follow the weights or are linear") }
                guard g.count == active.count * l.d else {
                    throw bad("\(name): \(g.count) generator values for \(active.count) active neurons x d = \(l.d)")
                }
                if g != bank.rows(active) { throw bad("\(name): generators do not match the seed \(l.seed)") }
            }
            expectedInputs = active.count
        }
        let inputs = layers[0].d
        for (field, values) in [("inputDivisor", inputDivisor), ("inputMean", inputMean)] {
            guard let values else { continue }
            guard values.count == 1 || values.count == inputs else {
                throw bad("\(field) has \(values.count) values; need 1 or one per input (\(inputs))")
            }
            if let i = values.firstIndex(where: { !$0.isFinite || (field == "inputDivisor" && $0 == 0) }) {
                throw bad("\(field)[\(i)] is \(values[i]) (need \(field == "inputDivisor" ? "a finite nonzero" : "a finite") value)")
            }
        }
        if fourierFeatures != nil || fourierSigmas != nil || fourierMatrix != nil {
            guard let f = fourierFeatures, let sigmas = fourierSigmas else {
                throw bad("fourierFeatures and fourierSigmas must be given together")
            }
            guard f >= 1 else { throw bad("fourierFeatures = \(f): need at least 1") }
            guard sigmas.count == 2 || sigmas.count == 3 else {
                throw bad("fourierSigmas has \(sigmas.count) values; need 2 (grayscale) or 3 (colour)")
            }
            if let s = sigmas.first(where: { !$0.isFinite || $0 < 0 || $0 > 1e30 }) {
                throw bad("fourierSigmas value \(s): need a finite standard deviation in 0...1e30")
            }
            let constant = fourierConstant == true ? 1 : 0
            guard let twice = CheckedSize.product(f, 2), twice + constant == inputs else {
                throw bad("fourierFeatures = \(f)\(constant == 1 ? " with the constant feature" : "") gives \(f.multipliedReportingOverflow(by: 2).overflow ? "too many" : String(2 * f + constant)) inputs, the first layer takes \(inputs)")
            }
            if let b = fourierMatrix, b != FourierMatrix.make(features: f, sigmas: sigmas, seed: fourierSeed ?? 0) {
                throw bad("fourierMatrix does not match fourierFeatures, fourierSigmas and fourierSeed")
            }
        }
        if let a = outputActivation {
            guard a == "sigmoid", layers.last?.kind == "scalar" else {
                throw bad("output activation '\(a)' (known: sigmoid on a scalar output)")
            }
        }
    }
}
