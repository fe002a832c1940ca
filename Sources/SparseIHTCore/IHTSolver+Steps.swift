/// The pieces of one IHT step (see `IHTSolver`).
extension IHTSolver {
    /// The rows one step sees: the whole problem or a minibatch.
    struct StepData {
        let x: B.Buffer
        let y: [Float]
        var n: Int { y.count }
    }

    func batch(_ schedule: BatchSchedule, step t: Int) throws -> StepData {
        guard let rows = schedule.rows(forStep: t) else { return StepData(x: xFull, y: problem.y) }
        let (xs, ys) = problem.subset(rows)
        return StepData(x: try backend.makeBuffer(xs), y: ys)
    }

    /// Neurons per chunk from the memory allowance: each chunk neuron costs a gate column
    /// and a masked-residual column (`n` floats each) plus a generator and a gradient row
    /// (`d` floats each). Capped so every kernel index fits in 32 bits.
    func defaultChunk() -> Int {
        let n = problem.n, d = problem.d
        let perNeuron = 4 * (2 * n + 2 * d)
        let fit = max(1, options.chunkMemoryBytes / perNeuron)
        return max(1, min(options.m, fit, Int(Int32.max) / max(n, d)))
    }

    /// Runs `body` with `chunk` neurons per chunk, halving it when the backend runs out of
    /// memory; fails with `SparseIHTError.outOfMemory` at one neuron per chunk.
    func withChunkFallback<T>(_ chunk: inout Int, _ body: (Int) throws -> T) throws -> T {
        while true {
            do {
                return try body(chunk)
            } catch let e as any OutOfMemoryReporting where e.isOutOfMemory {
                guard chunk > 1 else {
                    throw SparseIHTError.outOfMemory("\(e) even with one neuron per chunk (n = \(problem.n), d = \(problem.d))")
                }
                chunk = max(1, chunk / 2)
            }
        }
    }

    /// Gates of `neurons` under `bank` (`n x a`) on the step's data.
    func gates(_ neurons: [Int], bank: GeneratorBank, data: StepData) throws -> B.Buffer {
        let g = try backend.makeBuffer(count: data.n * neurons.count)
        try fillGates(neurons, bank: bank, data: data, into: g)
        return g
    }

    /// Writes the gates of `neurons` (`n x a`) into `g`: all ones in linear mode, else
    /// `1[X h_j > 0]` with the bank's generators.
    func fillGates(_ neurons: [Int], bank: GeneratorBank, data: StepData, into g: B.Buffer) throws {
        guard !neurons.isEmpty else { return }
        if options.mode == .linear {
            try backend.write([Float](repeating: 1, count: data.n * neurons.count), to: g)
            return
        }
        let h = try backend.makeBuffer(bank.rows(neurons))
        try backend.gate(x: data.x, n: data.n, d: problem.d, generators: h, c: neurons.count, into: g)
    }

    /// `A_J v` for a compact block `v` (`a x d`) under gates `g` (`n x a`), read to the host.
    func forward(_ v: [Float], gate g: B.Buffer, a: Int, data: StepData) throws -> [Float] {
        let vb = try backend.makeBuffer(v), y = try backend.makeBuffer(count: data.n)
        try backend.gatedForward(x: data.x, n: data.n, d: problem.d, weights: vb, gate: g, a: a, into: y)
        return try backend.read(y, count: data.n)
    }

    /// Compact gradient `A_J^T r` (`a x d`) under gates `g`, read to the host.
    func gradient(_ r: [Float], gate g: B.Buffer, a: Int, data: StepData) throws -> [Float] {
        let rb = try backend.makeBuffer(r), out = try backend.makeBuffer(count: a * problem.d)
        try backend.maskedGradient(x: data.x, n: data.n, d: problem.d, gate: g, c: a, residual: rb, k: 1, into: out)
        return try backend.read(out, count: a * problem.d)
    }

    /// Steps 1-3: residual, normalized step size, streamed gradient and top-k threshold.
    func thresholdStep(_ w: SparseWeights, bank: GeneratorBank, data: StepData, k: Int,
                       chunk c: Int) throws -> (weights: SparseWeights, mu: Double) {
        let d = problem.d, n = data.n, m = options.m
        let active = w.activeNeurons
        let loss = options.loss
        var r = loss.scalarResidual([Float](repeating: 0, count: n), data.y)
        var mu = 1e-14
        if !active.isEmpty {
            let g = try gates(active, bank: bank, data: data)
            let yhat = try forward(w.compact(active), gate: g, a: active.count, data: data)
            r = loss.scalarResidual(yhat, data.y)
            let grad = try gradient(r, gate: g, a: active.count, data: data)
            var gS = [Float](repeating: 0, count: active.count * d)
            var gg = 0.0
            for p in w.compactPositions(active) { gS[p] = grad[p]; gg += Double(grad[p]) * Double(grad[p]) }
            let agS = try forward(gS, gate: g, a: active.count, data: data)
            mu = gg / (loss.curvatureBound * sumOfSquares(agS) + 1e-8)
            // At a fixed point the support gradient is round-off and so is this mu; the
            // exact line-search decrease mu*gg then falls below 1e-6 of the loss. Optionally
            // normalize on the full gradient instead (one extra pass over the chunks).
            if options.fixedPointFullStep && mu * gg <= 1e-6 * loss.scalarObjective(yhat, data.y) {
                mu = try fullGradientStepSize(bank: bank, data: data, residual: r, chunk: c)
            }
        }
        let normalizeOnFullGradient = active.isEmpty && !options.tinyFirstStep
        let rBuf = try backend.makeBuffer(r)
        let gBuf = try backend.makeBuffer(count: n * c), gradBuf = try backend.makeBuffer(count: c * d)
        let yc = try backend.makeBuffer(count: normalizeOnFullGradient ? n : 0)
        var fullSq = 0.0
        var fullForward = [Double](repeating: 0, count: normalizeOnFullGradient ? n : 0)
        var kept = TopKResult.empty
        var cursor = 0  // position in w's sorted indices
        for j0 in stride(from: 0, to: m, by: c) {
            let cc = min(c, m - j0)
            try fillGates(Array(j0..<(j0 + cc)), bank: bank, data: data, into: gBuf)
            try backend.maskedGradient(x: data.x, n: n, d: d, gate: gBuf, c: cc, residual: rBuf, k: 1, into: gradBuf)
            if normalizeOnFullGradient {
                try accumulateFullGradient(gradient: gradBuf, gate: gBuf, c: cc, data: data, scratch: yc,
                                           squares: &fullSq, forward: &fullForward)
            }
            // candidates = w - mu * grad on this chunk (with the full-gradient step, -grad
            // now and the scale mu later: the selection does not depend on it).
            let lo = j0 * d, hi = (j0 + cc) * d
            var local: [Int32] = [], vals: [Float] = []
            while cursor < w.count && w.indices[cursor] < hi {
                local.append(Int32(w.indices[cursor] - lo)); vals.append(w.values[cursor]); cursor += 1
            }
            try backend.scaleAndScatterAdd(gradBuf, count: cc * d, scale: normalizeOnFullGradient ? -1 : Float(-mu),
                                           indices: local, values: vals)
            try profile.measure("selection") {
                var part = try backend.topK(gradBuf, count: cc * d, k: k)
                part.indices = part.indices.map { $0 + Int32(lo) }
                kept = mergeTopK(kept, part, k: k)
            }
        }
        var values = kept.values
        if normalizeOnFullGradient {
            mu = normalizedStep(squares: fullSq, forward: fullForward)
            values = values.map { Float(Double($0) * mu) }
        }
        return (SparseWeights(d: d, m: m, indices: kept.indices.map { Int($0) }, values: values), mu)
    }

    /// `||A^T r||^2 / ||A A^T r||^2` over all md coordinates, streamed in chunks.
    func fullGradientStepSize(bank: GeneratorBank, data: StepData, residual r: [Float], chunk c: Int) throws -> Double {
        let d = problem.d, n = data.n, m = options.m
        let rBuf = try backend.makeBuffer(r), gBuf = try backend.makeBuffer(count: n * c)
        let gradBuf = try backend.makeBuffer(count: c * d), yc = try backend.makeBuffer(count: n)
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

    /// Step 4: up to `refineSteps` normalized gradient steps restricted to the support
    /// (exact line search for the squared loss), each Armijo-checked (`f(x') <= f - 0.9 mu ||g||^2`, halving mu up to
    /// `maxHalvings` times). Returns the number of accepted steps.
    func refine(_ w: inout SparseWeights, bank: GeneratorBank, data: StepData) throws -> Int {
        let active = w.activeNeurons, a = active.count, d = problem.d
        guard a > 0, options.refineSteps > 0 else { return 0 }
        let g = try gates(active, bank: bank, data: data)
        let pos = w.compactPositions(active)
        var vals = w.values
        func block(_ v: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: a * d)
            for (p, x) in zip(pos, v) { out[p] = x }
            return out
        }
        let loss = options.loss
        /// Residual and objective at support values `v`.
        func evaluate(_ v: [Float]) throws -> (res: [Float], f: Double) {
            let yhat = try forward(block(v), gate: g, a: a, data: data)
            return (loss.scalarResidual(yhat, data.y), loss.scalarObjective(yhat, data.y))
        }
        var (res, f) = try evaluate(vals)
        var accepted = 0
        for _ in 0..<options.refineSteps {
            let grad = try gradient(res, gate: g, a: a, data: data)
            let gs = pos.map { grad[$0] }
            let gg = sumOfSquares(gs)
            if gg == 0 { break }
            var muR = gg / (loss.curvatureBound * sumOfSquares(try forward(block(gs), gate: g, a: a, data: data)) + 1e-12)
            var next: (vals: [Float], res: [Float], f: Double)?
            for _ in 0...options.maxHalvings {
                let trial = zip(vals, gs).map { Float(Double($0) - muR * Double($1)) }
                let (rt, ft) = try evaluate(trial)
                if ft <= f - 0.9 * muR * gg { next = (trial, rt, ft); break }
                muR /= 2
            }
            guard let step = next else { break }
            (vals, res, f) = step
            accepted += 1
        }
        w.setValues(vals)
        return accepted
    }

    /// The model's prediction on the step's data with generators `bank`.
    func predict(_ w: SparseWeights, bank: GeneratorBank, data: StepData) throws -> [Float] {
        let active = w.activeNeurons
        let g = try gates(active, bank: bank, data: data)
        return try forward(w.compact(active), gate: g, a: active.count, data: data)
    }

    /// The live neuron whose output `g_j .* (X w_j)` under `bank` (sequential: its ReLU) has
    /// the smallest norm (lowest index on ties).
    func weakestNeuron(_ w: SparseWeights, bank: GeneratorBank, data: StepData) throws -> Int? {
        let active = w.activeNeurons
        guard !active.isEmpty else { return nil }
        let wb = try backend.makeBuffer(w.compact(active))
        let g = try gates(active, bank: bank, data: data)
        let norms = try backend.neuronOutputNorms(x: data.x, n: data.n, d: problem.d, weights: wb, gate: g, a: active.count)
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
