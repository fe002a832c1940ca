import Foundation

/// Settings of the vector-output solver (algorithm.md section 3).
public struct VectorOptions: Sendable {
    public var m: Int
    public var s: Int
    public var loss: Loss = .squared
    /// Fixed step size; nil: the published defaults (0.005, or 2 when s < 6 m^0.536, for
    /// squared loss; 0.001 for cross-entropy).
    public var learningRate: Double?
    public var epochs: Int = 50
    /// Minibatch size (nil: full batch).
    public var batchSize: Int?
    public var mode: GateMode = .sequential
    /// Epoch from which gates follow the first-layer weights (published: 1).
    public var gatesFollowFrom: Int = 1
    /// Neurons per chunk (nil: from `chunkMemoryBytes`).
    public var chunk: Int?
    public var chunkMemoryBytes: Int = 256 << 20
    public var seed: UInt64 = 0
    /// How the shared budget is spent.
    public var ranking: Ranking = .neuronConsistent

    public enum Ranking: String, Sendable, CaseIterable {
        /// Top-s of |value| over both layers' candidates. With inputs and outputs on
        /// different scales one layer can take the whole budget and leave every neuron
        /// without input or without output (measured: MNIST raw pixels, all in W2 or W1).
        case magnitude
        /// First-layer candidates in order of |value|; a neuron's first entry also buys its
        /// k output weights (cost 1 + k), later entries cost 1; entries that no longer fit
        /// are skipped. Every live neuron has both an input and an output.
        case neuronConsistent = "neuron-consistent"
        /// Each layer keeps its own top entries by |value|: the output layer
        /// `outputShare * s` of them, the first layer the rest.
        case perLayer = "per-layer"
        /// The published code's rule: entries ranked by their accumulated update
        /// magnitude (sum over steps of |lr * gradient|), estimated by a count-min sketch
        /// of `sketchDepth x (sketchWidthPerS * s)` cells so memory stays O(s).
        case sketch
    }
    public var sketchDepth = 3
    public var sketchWidthPerS = 8
    /// Share of the budget for the output layer under `.perLayer`.
    public var outputShare: Double = 0.25

    public init(m: Int, s: Int) { self.m = m; self.s = s }

    /// The step size in force.
    public var effectiveLearningRate: Double {
        if let lr = learningRate { return lr }
        if loss == .crossEntropy { return 0.001 }
        return Double(s) < 6 * pow(Double(m), 0.536) ? 2 : 0.005
    }

    public func validate(n: Int, d: Int, k: Int) throws {
        guard m >= 1 else { throw SparseIHTError.invalidArgument("m = \(m): need at least one neuron") }
        guard s >= 1 else { throw SparseIHTError.invalidArgument("s = \(s): the sparsity budget must be at least 1") }
        guard s <= m * (d + k) else { throw SparseIHTError.invalidArgument("s = \(s) exceeds m*(d+k) = \(m * (d + k)) weights") }
        guard epochs >= 1 else { throw SparseIHTError.invalidArgument("epochs = \(epochs): need at least 1") }
        guard k >= 1 else { throw SparseIHTError.invalidArgument("k = \(k): need at least one output") }
        if let b = batchSize, b < 1 || b > n { throw SparseIHTError.invalidArgument("batch size \(b) outside 1...\(n)") }
        if mode == .linear { throw SparseIHTError.invalidArgument("vector output supports sequential and convex modes") }
    }
}

/// One epoch's report.
public struct EpochReport: Sendable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches (before each step).
    public var loss: Double
    public var supportSize: Int
    public var activeNeurons: Int
    public var seconds: Double

    /// In one run's reports, the first whose loss is not finite or exceeds `factor` times
    /// the lowest loss before it (a fixed step too large for the data: the run blew up, and
    /// its dead neurons will not come back), with that lowest loss; nil when none.
    public static func divergence(in history: [EpochReport], factor: Double = 10) -> (report: EpochReport, lowest: Double)? {
        var best = Double.infinity
        for r in history {
            if !r.loss.isFinite || (best.isFinite && r.loss > factor * best) { return (r, best) }
            best = min(best, r.loss)
        }
        return nil
    }
}

/// Vector-output IHT (algorithm.md section 3): W1 (m blocks of d) and W2 (m x k) share one
/// budget s; one fixed-step IHT step per minibatch on the per-neuron blocks `[w1_j; w2_j]`,
/// gradients `grad w1_j = G_j w2_j`, `grad w2_j = G_j^T w1_j` with `G_j = (D_j X)^T R`
/// from the backend's k-column masked gradient. In the first epoch empty blocks are seeded
/// with small uniform values (both factors start at zero, so their gradient would be zero).
/// After the first epoch only live neurons can change, so steps cost O(n d a), a <= s.
public final class VectorIHTSolver<B: ComputeBackend> {
    public let backend: B
    public let options: VectorOptions
    let x: [Float], y: [Float]
    let n: Int, d: Int, k: Int
    public var onEpoch: ((EpochReport) -> Void)?
    /// Called after `onEpoch` with the model so far (for scoring).
    public var onEpochModel: ((VectorModel) -> Void)?
    /// Count-min sketch of accumulated update magnitudes (`.sketch` ranking).
    var sketch: [[Float]] = []

    /// `x` is `n x d`, `y` is `n x k` (one-hot for cross-entropy).
    public init(backend: B, x: [Float], y: [Float], n: Int, d: Int, k: Int, options: VectorOptions) throws {
        try options.validate(n: n, d: d, k: k)
        guard x.count == n * d, y.count == n * k else {
            throw SparseIHTError.shapeMismatch("X has \(x.count) values for \(n) x \(d), Y \(y.count) for \(n) x \(k)")
        }
        try requireFinite(x, "X"); try requireFinite(y, "Y")
        self.backend = backend; self.options = options
        self.x = x; self.y = y; self.n = n; self.d = d; self.k = k
    }

    public func run() throws -> VectorModel {
        let o = options, L = d + k
        var model = VectorModel(d: d, k: k, blocks: SparseWeights(d: L, m: o.m),
                                generators: GeneratorBank(d: d, m: o.m, seed: o.seed))
        let schedule = BatchSchedule(n: n, batchSize: o.batchSize, seed: o.seed)
        let xFull = schedule.batchSize == nil ? try backend.makeBuffer(x) : nil
        for epoch in 0..<o.epochs {
            let start = Date()
            var lossSum = 0.0
            for b in 0..<schedule.batchesPerEpoch {
                let t = epoch * schedule.batchesPerEpoch + b
                let rows = schedule.rows(forStep: t)
                let xb: B.Buffer, yb: [Float], nb: Int
                if let rows {
                    xb = try backend.makeBuffer(gatherRows(x, width: d, rows: rows))
                    yb = gatherRows(y, width: k, rows: rows); nb = rows.count
                } else { xb = xFull!; yb = y; nb = n }
                lossSum += try step(&model, x: xb, y: yb, n: nb, seeding: epoch == 0)
            }
            if o.mode == .sequential && epoch + 1 >= o.gatesFollowFrom {
                model.generators.followedWeights = model.firstLayer
            }
            onEpoch?(EpochReport(epoch: epoch + 1, loss: lossSum / Double(schedule.batchesPerEpoch),
                                 supportSize: model.blocks.count, activeNeurons: model.blocks.activeNeurons.count,
                                 seconds: Date().timeIntervalSince(start)))
            onEpochModel?(model)
        }
        return model
    }

    /// Seed block of neuron `j`: w1 ~ U(+-1/sqrt(dm)), w2 ~ U(+-1/sqrt(mk)).
    func seedBlock(_ j: Int) -> [Float] {
        var rng = SeededGenerator(seed: options.seed ^ 0x3C6E_F372_FE94_F82B, stream: UInt64(j))
        let a1 = 1 / (Double(d) * Double(options.m)).squareRoot(), a2 = 1 / (Double(options.m) * Double(k)).squareRoot()
        return (0..<d).map { _ in Float((2 * rng.uniform() - 1) * a1) } + (0..<k).map { _ in Float((2 * rng.uniform() - 1) * a2) }
    }

    /// Neurons per chunk from `chunkMemoryBytes`. Each chunk neuron costs its gate column
    /// and its k masked-residual columns (`nb` floats each), its k gradient rows on the
    /// device and their host copy (`k d` floats each), and its block and candidate block
    /// (`d + k` floats each).
    func defaultChunk(batchRows nb: Int, neurons: Int) -> Int {
        let perNeuron = 4 * (nb * (1 + k) + 2 * k * d + 2 * (d + k))
        return max(1, min(neurons, options.chunkMemoryBytes / perNeuron))
    }

    /// One IHT step on a batch; returns the batch loss before the step.
    func step(_ model: inout VectorModel, x xb: B.Buffer, y yb: [Float], n nb: Int, seeding: Bool) throws -> Double {
        let L = d + k
        let neurons = seeding ? Array(0..<options.m) : model.blocks.activeNeurons
        guard !neurons.isEmpty else { return lossAndResidual(prediction: [Float](repeating: 0, count: nb * k), target: yb, n: nb).loss }
        let c = options.chunk ?? defaultChunk(batchRows: nb, neurons: neurons.count)
        let live = Set(model.blocks.activeNeurons)
        // Blocks of a chunk of neurons: current weights, or seeds for empty neurons.
        func blocks(_ chunk: ArraySlice<Int>) -> [Float] {
            var rows = model.blocks.compact(Array(chunk))
            if seeding {
                for (r, j) in chunk.enumerated() where !live.contains(j) {
                    let sb = seedBlock(j)
                    for i in 0..<L { rows[r * L + i] = sb[i] }
                }
            }
            return rows
        }
        // Pass 1: forward.
        var yhat = [Float](repeating: 0, count: nb * k)
        for start in stride(from: 0, to: neurons.count, by: c) {
            let chunk = neurons[start..<min(start + c, neurons.count)]
            let (w1, w2) = model.splitBlocks(blocks(chunk), a: chunk.count)
            let part = try vectorForward(backend: backend, x: xb, n: nb, d: d, k: k, w1: w1, w2: w2,
                                         generators: model.generators.rows(Array(chunk)))
            for i in 0..<(nb * k) { yhat[i] += part[i] }
        }
        let (batchLoss, r) = lossAndResidual(prediction: yhat, target: yb, n: nb)
        let rb = try backend.makeBuffer(r)
        // Pass 2: gradients, candidates and the streamed selection.
        let lr = Float(options.effectiveLearningRate)
        let consistent = options.ranking == .neuronConsistent
        var kept = TopKResult.empty, keptOut = TopKResult.empty
        let s2 = min(options.m * k, max(1, Int((Double(options.s) * options.outputShare).rounded())))
        let s1 = max(options.s - s2, 1)
        var outputRows = [Int: ArraySlice<Float>]()   // neuron -> candidate w2 (consistent ranking)
        var sketchValues = [Int: Float]()              // flat index -> candidate value (sketch ranking)
        if options.ranking == .sketch && sketch.isEmpty {
            sketch = [[Float]](repeating: [Float](repeating: 0, count: max(1024, options.sketchWidthPerS * options.s)),
                               count: options.sketchDepth)
        }
        for start in stride(from: 0, to: neurons.count, by: c) {
            let chunk = Array(neurons[start..<min(start + c, neurons.count)])
            let a = chunk.count
            var rows = blocks(chunk[...])
            let before = options.ranking == .sketch ? rows : []   // the sketch accumulates |update|
            let h = try backend.makeBuffer(model.generators.rows(chunk)), g = try backend.makeBuffer(count: nb * a)
            try backend.gate(x: xb, n: nb, d: d, generators: h, c: a, into: g)
            let out = try backend.makeBuffer(count: a * k * d)
            try backend.maskedGradient(x: xb, n: nb, d: d, gate: g, c: a, residual: rb, k: k, into: out)
            let gt = try backend.read(out, count: a * k * d)   // row j*k+l = (G_j)^T row l
            for j in 0..<a {
                let base = j * L
                var gw1 = [Float](repeating: 0, count: d), gw2 = [Float](repeating: 0, count: k)
                for l in 0..<k {
                    let w2l = rows[base + d + l], row = (j * k + l) * d
                    var dot: Float = 0
                    for i in 0..<d { gw1[i] += w2l * gt[row + i]; dot += gt[row + i] * rows[base + i] }
                    gw2[l] = dot
                }
                for i in 0..<d { rows[base + i] -= lr * gw1[i] }
                for l in 0..<k { rows[base + d + l] -= lr * gw2[l] }
            }
            try requireFinite(rows, "candidate weights (the step size is too large: lower --lr)")
            // Chunk neurons may be non-contiguous: select within the chunk, then map block
            // positions to flat indices (ascending, since neurons are ascending).
            var part: TopKResult
            if consistent {
                let first = model.splitBlocks(rows, a: a).0
                part = try first.withUnsafeBufferPointer { try topKByMagnitude($0, k: options.s) }
                for local in part.indices {
                    let r = Int(local) / d
                    outputRows[chunk[r]] = rows[(r * L + d)..<(r * L + L)]
                }
                part.indices = part.indices.map { Int32(chunk[Int($0) / d] * L + Int($0) % d) }
            } else if options.ranking == .sketch {
                var keys = [Float](repeating: 0, count: a * L)
                for r in 0..<a { for i in 0..<L {
                    let flat = chunk[r] * L + i
                    keys[r * L + i] = addToSketch(flat, abs(rows[r * L + i] - before[r * L + i]))
                } }
                part = try keys.withUnsafeBufferPointer { try topKByMagnitude($0, k: options.s) }
                for (t, local) in part.indices.enumerated() {
                    let flat = chunk[Int(local) / L] * L + Int(local) % L
                    sketchValues[flat] = rows[Int(local)]
                    part.indices[t] = Int32(flat)
                }
            } else if options.ranking == .perLayer {
                let (first, second) = model.splitBlocks(rows, a: a)
                part = try first.withUnsafeBufferPointer { try topKByMagnitude($0, k: s1) }
                part.indices = part.indices.map { Int32(chunk[Int($0) / d] * L + Int($0) % d) }
                var outPart = try second.withUnsafeBufferPointer { try topKByMagnitude($0, k: s2) }
                outPart.indices = outPart.indices.map { Int32(chunk[Int($0) / k] * L + d + Int($0) % k) }
                keptOut = mergeTopK(keptOut, outPart, k: s2)
            } else {
                part = try rows.withUnsafeBufferPointer { try topKByMagnitude($0, k: options.s) }
                part.indices = part.indices.map { Int32(chunk[Int($0) / L] * L + Int($0) % L) }
            }
            kept = mergeTopK(kept, part, k: options.ranking == .perLayer ? s1 : options.s)
        }
        if consistent { kept = spendBudget(kept, outputRows: outputRows) }
        if options.ranking == .sketch {
            kept = TopKResult(indices: kept.indices, values: kept.indices.map { sketchValues[Int($0)] ?? 0 })
        }
        if options.ranking == .perLayer {
            let merged = zip(kept.indices + keptOut.indices, kept.values + keptOut.values).sorted { $0.0 < $1.0 }
            kept = TopKResult(indices: merged.map(\.0), values: merged.map(\.1))
        }
        model.blocks = SparseWeights(d: L, m: options.m, indices: kept.indices.map { Int($0) }, values: kept.values)
        return batchLoss
    }

    /// Adds `amount` to the sketch cells of `flat` and returns its count-min estimate.
    func addToSketch(_ flat: Int, _ amount: Float) -> Float {
        var estimate = Float.greatestFiniteMagnitude
        for row in 0..<sketch.count {
            let h = Int(SeededGenerator.mix(UInt64(flat) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(row) &* 0xC2B2_AE3D_27D4_EB4F)
                        % UInt64(sketch[row].count))
            sketch[row][h] += amount
            estimate = min(estimate, sketch[row][h])
        }
        return estimate
    }

    /// Neuron-consistent selection from the top first-layer candidates: in order of
    /// (|value| desc, index asc), a neuron's first entry costs 1 + k (its output row comes
    /// with it), later ones 1; what does not fit is skipped.
    func spendBudget(_ first: TopKResult, outputRows: [Int: ArraySlice<Float>]) -> TopKResult {
        let L = d + k
        let order = first.indices.indices.sorted {
            let a = magnitudeKey(first.values[$0]), b = magnitudeKey(first.values[$1])
            return a != b ? a > b : first.indices[$0] < first.indices[$1]
        }
        var budget = options.s
        var live = Set<Int>(), chosen = [Int]()
        for t in order where budget > 0 {
            let j = Int(first.indices[t]) / L
            let cost = live.contains(j) ? 1 : 1 + k
            if cost <= budget { budget -= cost; live.insert(j); chosen.append(t) }
        }
        var entries = chosen.map { (Int(first.indices[$0]), first.values[$0]) }
        for j in live {
            for (l, v) in outputRows[j, default: []].enumerated() { entries.append((j * L + d + l, v)) }
        }
        entries.sort { $0.0 < $1.0 }
        return TopKResult(indices: entries.map { Int32($0.0) }, values: entries.map { $0.1 })
    }

    /// The batch loss and `R = (Y_hat - Y)/n` (squared loss, 0.5 e^2 per entry) or
    /// `(softmax(Y_hat) - Y)/n` (cross-entropy).
    func lossAndResidual(prediction p: [Float], target t: [Float], n rows: Int) -> (loss: Double, residual: [Float]) {
        switch options.loss {
        case .squared:
            var total = 0.0
            var r = [Float](repeating: 0, count: p.count)
            for i in p.indices {
                let e = Double(p[i] - t[i]); total += 0.5 * e * e
                r[i] = (p[i] - t[i]) / Float(rows)
            }
            return (total / Double(max(rows, 1)), r)
        case .crossEntropy:
            let (loss, gradient) = Loss.softmaxCrossEntropy(p, t, n: rows, k: k)
            return (loss, gradient)
        }
    }
}
