/// The pieces of one IHT step (see `IHTSolver`).
extension IHTSolver {
    /// The rows one step sees: the whole problem or a minibatch.
    struct StepData {
        let x: B.Buffer
        /// The same rows on the host, transposed on demand (`d x n`), for the products
        /// restricted to the support.
        let hostXT: HostColumns
        let y: [Float]
        var n: Int { y.count }
    }

    func batch(_ schedule: BatchSchedule, step t: Int) throws -> StepData {
        guard let rows = schedule.rows(forStep: t) else { return StepData(x: xFull, hostXT: fullColumns, y: problem.y) }
        minibatch.load(problem.x, indices: rows)
        return StepData(x: try pool.buffer("batch", values: minibatch.rows), hostXT: minibatch,
                        y: rows.map { problem.y[$0] })
    }

    /// Neurons per chunk from the memory allowance: each chunk neuron costs a gate column
    /// and a masked-residual column (`n` floats each) plus a generator and a gradient row
    /// (`d` floats each). Capped so every kernel index fits in 32 bits (`StreamedSelection`).
    func defaultChunk() -> Int {
        let n = problem.n, d = problem.d
        return StreamedSelection.chunkSize(requested: nil, neurons: options.m, bytesPerNeuron: 4 * (2 * n + 2 * d),
                                           memoryBytes: options.chunkMemoryBytes, span: max(n, d))
    }

    /// Runs `body` with `chunk` neurons per chunk, halving it when the backend runs out of
    /// memory; fails with `SparseIHTError.outOfMemory` at one neuron per chunk.
    func withChunkFallback<T>(_ chunk: inout Int, _ body: (Int) throws -> T) throws -> T {
        try StreamedSelection.withFallback(&chunk, context: "n = \(problem.n), d = \(problem.d)", body)
    }

    /// Steps 1-3: residual, normalized step size, streamed gradient and top-k threshold.
    /// Returns the new weights, the step size, the products on `w`'s support (whose gates
    /// the refinement reuses for the neurons both supports share; nil for an empty `w`) and
    /// the gates of neurons with dense generators a chunk made by themselves (on a backend
    /// whose buffers are host memory, up to `keptGateBytes`), which the refinement reuses too.
    func thresholdStep(_ w: SparseWeights, bank: GeneratorBank, data: StepData, k: Int, chunk c: Int) throws
        -> (weights: SparseWeights, mu: Double, support: SupportProducts?, denseGates: [Int: [UInt8]]) {
        let d = problem.d, n = data.n, m = options.m
        let active = w.activeNeurons
        let loss = options.loss
        var r = loss.scalarResidual([Float](repeating: 0, count: n), data.y)
        var mu = 1e-14
        var oldSupport: SupportProducts?
        if !active.isEmpty {
            let (support, yhat) = try supportAndOutput(w, bank: bank, data: data)
            oldSupport = support
            r = loss.scalarResidual(yhat, data.y)
            let gS = support.gradient(r)
            let gg = sumOfSquares(gS)
            let agS = support.forward(gS)
            mu = gg / (loss.curvatureBound * sumOfSquares(agS) + 1e-8)
            // At a fixed point the support gradient is round-off and so is this mu; the
            // exact line-search decrease mu*gg then falls below 1e-6 of the loss. Optionally
            // normalize on the full gradient instead (one extra pass over the chunks).
            if options.fixedPointFullStep && mu * gg <= 1e-6 * loss.scalarObjective(yhat, data.y) {
                mu = try fullGradientStepSize(bank: bank, data: data, residual: r, chunk: c)
            }
        }
        let normalizeOnFullGradient = active.isEmpty && !options.tinyFirstStep
        let rBuf = try pool.buffer("residual", values: r)
        let gBuf = try pool.buffer("gates", count: n * c), gradBuf = try pool.buffer("gradient", count: c * d)
        let yc = try pool.buffer("forward", count: normalizeOnFullGradient ? n : 0)
        var fullSq = 0.0
        var fullForward = [Double](repeating: 0, count: normalizeOnFullGradient ? n : 0)
        let entries = Dictionary(grouping: zip(w.indices, w.values), by: { $0.0 / d })  // neuron -> its entries
        var denseGates: [Int: [UInt8]] = [:]
        // The top k over the candidates of `neurons`, chunk by chunk.
        func select(_ neurons: [Int]) throws -> TopKResult {
            fullSq = 0; fullForward = [Double](repeating: 0, count: normalizeOnFullGradient ? n : 0)
            var selection = StreamedSelection(k: k)
            for part in StreamedSelection.chunks(neurons, size: c) {
                let ids = Array(part), cc = ids.count
                let made = try fillGates(ids, bank: bank, data: data, into: gBuf, known: oldSupport,
                                         keepDense: (denseGates.count + cc) * n <= Self.keptGateBytes)
                denseGates.merge(made) { $1 }
                try backend.maskedGradient(x: data.x, n: n, d: d, gate: gBuf, c: cc, residual: rBuf, k: 1, into: gradBuf)
                if normalizeOnFullGradient {
                    try accumulateFullGradient(gradient: gradBuf, gate: gBuf, c: cc, data: data, scratch: yc,
                                               squares: &fullSq, forward: &fullForward)
                }
                // candidates = w - mu * grad on this chunk (with the full-gradient step, -grad
                // now and the scale mu later: the selection does not depend on it).
                var local: [Int32] = [], vals: [Float] = []
                for (row, j) in ids.enumerated() {
                    for (f, v) in entries[j] ?? [] { local.append(Int32(row * d + f % d)); vals.append(v) }
                }
                try backend.scaleAndScatterAdd(gradBuf, count: cc * d, scale: normalizeOnFullGradient ? -1 : Float(-mu),
                                               indices: local, values: vals)
                try profile.measure("selection") {
                    selection.add(try StreamedSelection.chunkTop(gradBuf, count: cc * d, keep: k, on: backend) {
                        ids[$0 / d] * d + $0 % d
                    }.flat)
                }
            }
            return selection.kept
        }
        // Neurons without a generator (dead, not revived) have all-zero gates, so their
        // gradients and candidates are exactly zero and the pass skips them: a zero among
        // the top k (when fewer than k candidates are nonzero) is dropped from the weights
        // anyway, so the result is the same as over every neuron.
        var generating = Set(bank.generatingNeurons())
        generating.formUnion(active)
        let kept = try select(generating.sorted())
        var values = kept.values
        if normalizeOnFullGradient {
            mu = normalizedStep(squares: fullSq, forward: fullForward)
            values = values.map { Float(Double($0) * mu) }
        }
        return (SparseWeights(d: d, m: m, indices: kept.indices.map { Int($0) }, values: values), mu, oldSupport,
                denseGates)
    }

    /// `||A^T r||^2 / ||A A^T r||^2` over all md coordinates, streamed in chunks.
    func fullGradientStepSize(bank: GeneratorBank, data: StepData, residual r: [Float], chunk c: Int) throws -> Double {
        let d = problem.d, n = data.n, m = options.m
        let rBuf = try pool.buffer("residual", values: r), gBuf = try pool.buffer("gates", count: n * c)
        let gradBuf = try pool.buffer("gradient", count: c * d), yc = try pool.buffer("forward", count: n)
        var sq = 0.0
        var ag = [Double](repeating: 0, count: n)
        for j0 in stride(from: 0, to: m, by: c) {
            let cc = min(c, m - j0)
            try fillGates(Array(j0..<(j0 + cc)), bank: bank, data: data, into: gBuf)
            try backend.maskedGradient(x: data.x, n: n, d: d, gate: gBuf, c: cc, residual: rBuf, k: 1, into: gradBuf)
            try accumulateFullGradient(gradient: gradBuf, gate: gBuf, c: cc, data: data, scratch: yc, squares: &sq, forward: &ag)
        }
        return normalizedStep(squares: sq, forward: ag)
    }

    /// `||g||^2 / (c ||A g||^2 + 1e-8)` from the accumulated pieces (`c`: the loss's
    /// curvature bound).
    func normalizedStep(squares: Double, forward: [Double]) -> Double {
        squares / (options.loss.curvatureBound * forward.reduce(0) { $0 + $1 * $1 } + 1e-8)
    }

    /// Adds a chunk's `||g_c||^2` to `squares` and its `A_c g_c` (length n) to `forward`, for
    /// the step size normalized on the full gradient.
    func accumulateFullGradient(gradient gradBuf: B.Buffer, gate gBuf: B.Buffer, c cc: Int, data: StepData,
                                scratch yc: B.Buffer, squares: inout Double, forward: inout [Double]) throws {
        squares += sumOfSquares(try backend.read(gradBuf, count: cc * problem.d))
        try backend.gatedForward(x: data.x, n: data.n, d: problem.d, weights: gradBuf, gate: gBuf, a: cc, into: yc)
        for (i, v) in try backend.read(yc, count: data.n).enumerated() { forward[i] += Double(v) }
    }

    /// Step 4: up to `refineSteps` gradient steps restricted to the support, each
    /// Armijo-checked (`f(x') <= f - 0.9 mu ||g||^2`), with the step size of
    /// `options.refineRule`: `exact` starts each step from the exact line-search step and
    /// halves it up to `maxHalvings` times (a failed step ends the refinement, keeping the
    /// accepted ones); `published` starts from the thresholding step's `mu` and carries the
    /// halved value on (a step needing more than `maxHalvings` halvings drops every internal
    /// step and keeps the thresholded point). The trial outputs are linear in the step,
    /// `A_S (x - t g) = A_S x - t A_S g`, so no trial needs a product: with the squared loss
    /// the check is closed-form and each internal step is one sweep over the data
    /// (`||A_S g||^2` and `A_S^T A_S g` together); with cross-entropy it costs two support
    /// products (`A_S^T r` and `A_S g`) whatever the number of trials. `known`: the step's
    /// products on the previous support (same bank, same rows), whose gates are reused, as
    /// are `denseGates` (the thresholding pass's, by neuron).
    /// Returns the number of accepted steps (0 when dropped).
    func refine(_ w: inout SparseWeights, bank: GeneratorBank, data: StepData, mu: Double,
                known: SupportProducts? = nil, denseGates: [Int: [UInt8]] = [:]) throws -> Int {
        guard w.count > 0, options.refineSteps > 0 else { return 0 }
        let support = try supportProducts(w, bank: bank, data: data, known: known, denseGates: denseGates)
        let loss = options.loss, y = data.y
        let thresholded = w.values
        var vals = thresholded
        var accepted = 0
        var carried = mu
        if loss == .squared {
            // f(x - t g) = f - 2t ||g||^2 + t^2 ||A_S g||^2 exactly, so the Armijo check is
            // t ||A_S g||^2 <= 1.1 ||g||^2, and the next gradient is g - t A_S^T A_S g: one
            // sweep over the data per internal step. The first gradient, A_S^T (A_S x - y),
            // is one sweep too; the last step needs no next gradient, only ||A_S g||^2.
            var g = support.normalProducts(vals, minus: y).normal
            if options.refineRule == .conjugate { return conjugateRefine(&w, support: support, gradient: g) }
            for step in 0..<options.refineSteps {
                let gs = g.map { Float($0) }
                let gg = sumOfSquares(gs)
                if gg == 0 { break }
                let last = step == options.refineSteps - 1
                let (aa, normal) = last ? (support.forwardSquares(gs), []) : support.normalProducts(gs)
                var muR = options.refineRule != .published ? gg / (aa + 1e-12) : carried
                var found = false
                for _ in 0...options.maxHalvings {
                    if muR * aa <= 1.1 * gg { found = true; break }
                    muR /= 2
                }
                guard found else {
                    if options.refineRule == .published { w.setValues(thresholded); return 0 }
                    break
                }
                carried = muR
                let t = muR
                vals = zip(vals, gs).map { Float(Double($0) - t * Double($1)) }
                for k in normal.indices { g[k] -= t * normal[k] }
                accepted += 1
            }
            w.setValues(vals)
            return accepted
        }
        var yhat = support.forward(vals)
        var f = loss.scalarObjective(yhat, y)
        for _ in 0..<options.refineSteps {
            let gs = support.gradient(loss.scalarResidual(yhat, y))
            let gg = sumOfSquares(gs)
            if gg == 0 { break }
            let ag = support.forward(gs)
            var muR = options.refineRule != .published ? gg / (loss.curvatureBound * sumOfSquares(ag) + 1e-12) : carried
            var found = false
            for _ in 0...options.maxHalvings {
                let t = muR
                let trialOut = zip(yhat, ag).map { Float(Double($0) - t * Double($1)) }
                let ft = loss.scalarObjective(trialOut, y)
                if ft <= f - 0.9 * muR * gg { found = true; yhat = trialOut; f = ft; break }
                muR /= 2
            }
            guard found else {
                if options.refineRule == .published { w.setValues(thresholded); return 0 }
                break
            }
            carried = muR
            let t = muR
            vals = zip(vals, gs).map { Float(Double($0) - t * Double($1)) }
            accepted += 1
        }
        w.setValues(vals)
        return accepted
    }

    /// The model's prediction on the step's data with generators `bank`. On a full batch
    /// with every active neuron following its weights, the products and the output are kept
    /// (`memo`) for the next step's residual.
    func predict(_ w: SparseWeights, bank: GeneratorBank, data: StepData) throws -> [Float] {
        let support = try supportProducts(w, bank: bank, data: data)
        let output = support.forward(w.values)
        let live = bank.liveNeurons
        if data.hostXT === fullColumns && bank.followedWeights != nil && w.activeNeurons.allSatisfy(live.contains) {
            memo = PredictionMemo(weights: w, followed: bank.followedWeights, signed: bank.signed,
                                  columns: ObjectIdentifier(data.hostXT), n: data.n, support: support, output: output)
        } else {
            memo = nil
        }
        return output
    }

    /// The products on `w`'s support and `A_S w` under `bank`: the last metrics' when they
    /// are of the same weights, gates and rows (`PredictionMemo`), else made now.
    func supportAndOutput(_ w: SparseWeights, bank: GeneratorBank,
                          data: StepData) throws -> (support: SupportProducts, output: [Float]) {
        defer { memo = nil }
        if let m = memo, m.matches(w, bank: bank, columns: data.hostXT, n: data.n) { return (m.support, m.output) }
        let support = try supportProducts(w, bank: bank, data: data)
        return (support, support.forward(w.values))
    }

    /// The live neuron whose output `g_j .* (X w_j)` under `bank` (sequential: its ReLU) has
    /// the smallest norm (lowest index on ties); with `rank` r > 0 the (r mod live)-th
    /// smallest instead (0 = the smallest).
    func weakestNeuron(_ w: SparseWeights, bank: GeneratorBank, data: StepData, rank: Int = 0) throws -> Int? {
        let active = w.activeNeurons
        guard !active.isEmpty else { return nil }
        let wb = try backend.makeBuffer(w.compact(active))
        let g = try gates(active, bank: bank, data: data)
        let norms = try backend.neuronOutputNorms(x: data.x, n: data.n, d: problem.d, weights: wb, gate: g, a: active.count)
        if rank > 0 {
            let order = norms.indices.sorted { norms[$0] != norms[$1] ? norms[$0] < norms[$1] : $0 < $1 }
            return active[order[rank % order.count]]
        }
        var best = 0
        for t in 1..<norms.count where norms[t] < norms[best] { best = t }
        return active[best]
    }
}

/// An error that can say it was caused by running out of (device) memory.
public protocol OutOfMemoryReporting: Error {
    var isOutOfMemory: Bool { get }
}

@inline(__always)
func sumOfSquares<C: Collection>(_ v: C) -> Double where C.Element == Float {
    v.reduce(0) { $0 + Double($1) * Double($1) }
}
