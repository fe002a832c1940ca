/// Products restricted to the support, on the host (see `SupportProducts`): the residual,
/// step size, refinement and metrics of a step cost `O(n s)` each instead of a dense
/// product over the active neurons.
extension IHTSolver {
    /// Neurons with random generators whose gates `hostGates` takes from the backend at a
    /// time: a GEMM wide enough to run near its peak, a buffer (`n x 64` floats) small enough
    /// to keep from step to step.
    static var hostGateGroup: Int { 64 }

    /// Gates of `neurons`, neuron-major (`a x n`, bytes 0 or 1), under `bank` on the step's data, on the
    /// host: neurons whose generator is a followed weight vector by a sparse product, dead
    /// ones without a generator as zeros, the rest (random generators) by the backend's gate.
    /// Gates `known` or `denseGates` (by neuron, n bytes each) hold, made under the same bank
    /// on the same data, are copied, not made again.
    func hostGates(_ neurons: [Int], bank: GeneratorBank, data: StepData, known: SupportProducts? = nil,
                   denseGates: [Int: [UInt8]] = [:]) throws -> [UInt8] {
        let n = data.n, a = neurons.count
        if options.mode == .linear { return [UInt8](repeating: 1, count: n * a) }
        var sparse: [Int] = [], sparseAt: [Int] = [], dense: [Int] = [], denseAt: [Int] = []
        let live = bank.liveNeurons
        var out = [UInt8](repeating: 0, count: n * a)
        for (q, j) in neurons.enumerated() {
            if let known, let p = known.row(of: j) {
                precondition(known.n == n, "known gates of \(known.n) rows for \(n)")
                out.replaceSubrange((q * n)..<((q + 1) * n), with: known.gates[(p * n)..<((p + 1) * n)])
                continue
            }
            if let bytes = denseGates[j] {
                precondition(bytes.count == n, "kept gates of \(bytes.count) rows for \(n)")
                out.replaceSubrange((q * n)..<((q + 1) * n), with: bytes)
                continue
            }
            switch bank.source(j, live: live) {
            case .followed: sparse.append(j); sparseAt.append(q)
            case .random, .chosen: dense.append(j); denseAt.append(q)
            case .zero: break  // dead without revival: zero generator, zero gate
            }
        }
        if let fw = bank.followedWeights, !sparse.isEmpty {
            data.hostXT.ensure(fw.indices.lazy.map { $0 % self.problem.d })
            let part = sparseGates(xT: data.hostXT.transposed, n: n, d: problem.d, generators: fw, neurons: sparse, signs: sparse.map(bank.sign))
            if sparse.count == a { return part }  // (then nothing was known)
            for (p, q) in sparseAt.enumerated() { out.replaceSubrange((q * n)..<((q + 1) * n), with: part[(p * n)..<((p + 1) * n)]) }
        }
        // Random (or chosen) generators: the backend's dense gate product, a group of
        // neurons at a time in one pooled buffer (no fresh allocation, and so no page
        // faults, per call), each group's example-major floats turned into neuron-major bytes
        // 64 examples at a time (their rows stay in cache while each neuron's bytes are written).
        for g0 in stride(from: 0, to: dense.count, by: Self.hostGateGroup) {
            let group = Array(dense[g0..<min(g0 + Self.hostGateGroup, dense.count)]), c = group.count
            let buffer = try pool.buffer("host gates", count: n * c)
            try fillGates(group, bank: bank, data: data, into: buffer)
            let part = try backend.read(buffer, count: n * c)
            part.withUnsafeBufferPointer { pp in out.withUnsafeMutableBufferPointer { op in
                for i0 in stride(from: 0, to: n, by: 64) {
                    let i1 = min(i0 + 64, n)
                    for p in 0..<c {
                        let o = op.baseAddress! + denseAt[g0 + p] * n
                        for i in i0..<i1 { o[i] = pp[i * c + p] > 0 ? 1 : 0 }
                    }
                }
            } }
        }
        return out
    }

    /// `SupportProducts` of `w`'s support under `bank` on the step's data, with the gates of
    /// neurons `known` holds (products under the same bank on the same data) copied from it.
    func supportProducts(_ w: SparseWeights, bank: GeneratorBank, data: StepData, known: SupportProducts? = nil,
                         denseGates: [Int: [UInt8]] = [:]) throws -> SupportProducts {
        let gates = try hostGates(w.activeNeurons, bank: bank, data: data, known: known, denseGates: denseGates)
        data.hostXT.ensure(w.indices.lazy.map { $0 % self.problem.d })
        return SupportProducts(xT: data.hostXT.transposed, n: data.n, d: problem.d, support: w, gates: gates)
    }
}
