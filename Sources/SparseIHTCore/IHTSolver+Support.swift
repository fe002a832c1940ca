/// Products restricted to the support, on the host (see `SupportProducts`): the residual,
/// step size, refinement and metrics of a step cost `O(n s)` each instead of a dense
/// product over the active neurons.
extension IHTSolver {
    /// Gates of `neurons`, neuron-major (`a x n`, bytes 0 or 1), under `bank` on the step's data, on the
    /// host: neurons whose generator is a followed weight vector by a sparse product, dead
    /// ones without a generator as zeros, the rest (random generators) by the backend's gate.
    func hostGates(_ neurons: [Int], bank: GeneratorBank, data: StepData) throws -> [UInt8] {
        let n = data.n, a = neurons.count
        if options.mode == .linear { return [UInt8](repeating: 1, count: n * a) }
        var sparse: [Int] = [], sparseAt: [Int] = [], dense: [Int] = [], denseAt: [Int] = []
        let live = bank.liveNeurons
        for (q, j) in neurons.enumerated() {
            switch bank.source(j, live: live) {
            case .followed: sparse.append(j); sparseAt.append(q)
            case .random, .chosen: dense.append(j); denseAt.append(q)
            case .zero: break  // dead without revival: zero generator, zero gate
            }
        }
        var out = [UInt8](repeating: 0, count: n * a)
        if let fw = bank.followedWeights, !sparse.isEmpty {
            data.hostXT.ensure(fw.indices.lazy.map { $0 % self.problem.d })
            let part = sparseGates(xT: data.hostXT.transposed, n: n, d: problem.d, generators: fw, neurons: sparse, signs: sparse.map(bank.sign))
            if sparse.count == a { return part }
            for (p, q) in sparseAt.enumerated() { out.replaceSubrange((q * n)..<((q + 1) * n), with: part[(p * n)..<((p + 1) * n)]) }
        }
        if !dense.isEmpty {
            let part = try backend.read(try gates(dense, bank: bank, data: data), count: n * dense.count)
            // Example-major floats to neuron-major bytes, 64 examples at a time (their rows
            // stay in cache while every neuron's 64 bytes are written).
            let c = dense.count
            part.withUnsafeBufferPointer { pp in out.withUnsafeMutableBufferPointer { op in
                for i0 in stride(from: 0, to: n, by: 64) {
                    let i1 = min(i0 + 64, n)
                    for (p, q) in denseAt.enumerated() {
                        let o = op.baseAddress! + q * n
                        for i in i0..<i1 { o[i] = pp[i * c + p] > 0 ? 1 : 0 }
                    }
                }
            } }
        }
        return out
    }

    /// `SupportProducts` of `w`'s support under `bank` on the step's data.
    func supportProducts(_ w: SparseWeights, bank: GeneratorBank, data: StepData) throws -> SupportProducts {
        let gates = try hostGates(w.activeNeurons, bank: bank, data: data)
        data.hostXT.ensure(w.indices.lazy.map { $0 % self.problem.d })
        return SupportProducts(xT: data.hostXT.transposed, n: data.n, d: problem.d, support: w, gates: gates)
    }
}
