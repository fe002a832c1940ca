import Foundation

/// Vector-output IHT (docs/method.md section 3): W1 (m blocks of d) and W2 (m x k) share one
/// budget s; one fixed-step IHT step per minibatch on the per-neuron blocks `[w1_j; w2_j]`.
/// In the first epoch empty blocks are seeded with small uniform values (both factors start
/// at zero, so their gradient would be zero). After the first epoch only live neurons can
/// change, so steps cost O(n d a), a <= s.
///
/// The step runs on the backend. With `u_j = D_j (R w2_j)` and `z_j = D_j (X w1_j)` (the
/// gated activations), the gradients `grad w1_j = G_j w2_j = X^T u_j` and
/// `grad w2_j = G_j^T w1_j = z_j^T R` (`G_j = (D_j X)^T R`) are two GEMMs over the chunk,
/// `2 n a (d + k)` FLOPs instead of the `2 n a k d` of forming every `G_j`. Candidates,
/// ranking keys and each chunk's top-s stay on the device (`VectorStepBackend`); what
/// crosses per batch is the batch's row numbers, the support (O(s)), the prediction and
/// residual (`n k` each) and the chunk selections (O(s)).
public final class VectorIHTSolver<B: ComputeBackend> {
    public let backend: B
    public let options: VectorOptions
    let x: [Float], y: [Float]
    let n: Int, d: Int, k: Int
    public var onEpoch: ((EpochReport) -> Void)?
    /// Count-min sketch of accumulated update magnitudes (`.sketch` ranking), on the device.
    var sketch: B.Buffer?
    /// Neurons per chunk in force (halved when the backend runs out of memory).
    public private(set) var chunk: Int?
    /// Epoch-0 random generators of all m neurons, uploaded once when they fit the allowance.
    var randomGenerators: B.Buffer?
    /// Called after `onEpoch` with the model so far (for scoring).
    public var onEpochModel: ((VectorModel) -> Void)?

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

    var sketchWidth: Int { max(1024, options.sketchWidthPerS * options.s) }

    public func run() throws -> VectorModel {
        let o = options, L = d + k
        var model = VectorModel(d: d, k: k, blocks: SparseWeights(d: L, m: o.m),
                                generators: GeneratorBank(d: d, m: o.m, seed: o.seed))
        let schedule = BatchSchedule(n: n, batchSize: o.batchSize, seed: o.seed)
        // X goes to the device once and minibatches are gathered there; when it does not fit,
        // each minibatch is uploaded instead (n_b d floats per batch).
        var xAll: B.Buffer?
        do { xAll = try backend.makeBuffer(x) } catch let e as any OutOfMemoryReporting where e.isOutOfMemory && o.batchSize != nil {
            xAll = nil
        }
        if o.ranking == .sketch && sketch == nil {
            sketch = try backend.makeBuffer(count: o.sketchDepth * sketchWidth)
        }
        for epoch in 0..<o.epochs {
            let start = Date(), bytesBefore = backend.bytesTransferred
            var lossSum = 0.0
            for b in 0..<schedule.batchesPerEpoch {
                let t = epoch * schedule.batchesPerEpoch + b
                let xb: B.Buffer, yb: [Float], nb: Int
                if let rows = schedule.rows(forStep: t) {
                    if let all = xAll {
                        xb = try backend.makeBuffer(count: rows.count * d)
                        try backend.gatherRows(all, width: d, rows: rows.map { Int32($0) }, into: xb)
                    } else {
                        xb = try backend.makeBuffer(gatherRows(x, width: d, rows: rows))
                    }
                    yb = gatherRows(y, width: k, rows: rows); nb = rows.count
                } else if let all = xAll { xb = all; yb = y; nb = n } else {
                    throw SparseIHTError.outOfMemory("X (\(n) x \(d) floats) does not fit on the device for a full-batch run")
                }
                let factor = o.stepFactor(step: t, total: o.epochs * schedule.batchesPerEpoch, perEpoch: schedule.batchesPerEpoch)
                let neurons = epoch == 0 ? o.m : model.blocks.activeNeurons.count
                var c = chunk ?? StreamedSelection.chunkSize(
                    requested: o.chunk, neurons: max(neurons, 1), bytesPerNeuron: bytesPerChunkNeuron(batchRows: nb),
                    memoryBytes: o.chunkMemoryBytes, span: o.chunkSpan(batchRows: nb, d: d, k: k))
                let initial = c
                lossSum += try StreamedSelection.withFallback(&c, context: "n = \(nb), d = \(self.d), k = \(self.k)") { c in
                    try step(&model, x: xb, y: yb, n: nb, seeding: epoch == 0, chunk: c, factor: factor)
                }
                for _ in 0..<o.refineSteps {
                    _ = try StreamedSelection.withFallback(&c, context: "n = \(nb), d = \(self.d), k = \(self.k)") { c in
                        try step(&model, x: xb, y: yb, n: nb, seeding: false, chunk: c, factor: factor, onSupport: true)
                    }
                }
                if c < initial { chunk = c }   // later steps start from the size that fitted
            }
            if o.mode == .sequential && epoch + 1 >= o.gatesFollowFrom {
                model.generators.followedWeights = model.firstLayer
            }
            onEpoch?(EpochReport(epoch: epoch + 1, loss: lossSum / Double(schedule.batchesPerEpoch),
                                 supportSize: model.blocks.count, activeNeurons: model.blocks.activeNeurons.count,
                                 seconds: Date().timeIntervalSince(start),
                                 bytesTransferred: backend.bytesTransferred - bytesBefore))
            onEpochModel?(model)
        }
        return model
    }

    /// Seed block of neuron `j`: w1 ~ U(+-c/sqrt(dm)), w2 ~ U(+-c/sqrt(mk)), c = `seedScale`.
    func seedBlock(_ j: Int) -> [Float] {
        var rng = SeededGenerator(seed: options.seed ^ 0x3C6E_F372_FE94_F82B, stream: UInt64(j))
        let a1 = options.seedScale / (Double(d) * Double(options.m)).squareRoot()
        let a2 = options.seedScale / (Double(options.m) * Double(k)).squareRoot()
        return (0..<d).map { _ in Float((2 * rng.uniform() - 1) * a1) } + (0..<k).map { _ in Float((2 * rng.uniform() - 1) * a2) }
    }

    /// Device bytes of one chunk neuron: its gate, gated activations and gated residual
    /// columns (`nb` floats each), generator, weights, gradients, candidates, one layer's
    /// copy and ranking keys (`d + k` floats or less each), and under `.sketch` its
    /// `depth (d + k)` estimates.
    func bytesPerChunkNeuron(batchRows nb: Int) -> Int {
        let L = d + k
        return 4 * (3 * nb + 6 * L + (options.ranking == .sketch ? options.sketchDepth * L : 0))
    }

    /// One chunk's device state: weights, gates and gated activations on the batch.
    struct ChunkState {
        let neurons: [Int]
        let w1: B.Buffer, w2: B.Buffer, gate: B.Buffer, z: B.Buffer
        var a: Int { neurons.count }
    }

    /// Sparse rows go through `sparseProduct` when they hold at most this share of a dense
    /// block's entries (`n nnz` against `n a d` multiply-adds, with room for the sparse
    /// loop's lower rate).
    static var sparseShare: Int { 8 }

    /// Uploads a chunk's weights (sparse: O(support) values; seeds for empty neurons in the
    /// first epoch) and generators, and forms its gates and gated activations on `xb`:
    /// dense GEMMs, or sparse products when the rows are sparse (generators that follow a
    /// sparse first layer, and that layer itself after the first epoch).
    func load(_ chunk: [Int], model: VectorModel, live: Set<Int>, seeding: Bool, x xb: B.Buffer, n nb: Int) throws -> ChunkState {
        let a = chunk.count, L = d + k
        let w1 = try backend.makeBuffer(count: a * d), w2 = try backend.makeBuffer(count: a * k)
        var firstRows: SparseRows?
        if seeding {
            var rows = model.blocks.compact(chunk)
            for (r, j) in chunk.enumerated() where !live.contains(j) {
                let sb = seedBlock(j)
                for i in 0..<L { rows[r * L + i] = sb[i] }
            }
            let (h1, h2) = model.splitBlocks(rows, a: a)
            try backend.write(h1, to: w1); try backend.write(h2, to: w2)
        } else {
            let row = Dictionary(uniqueKeysWithValues: chunk.enumerated().map { ($1, $0) })
            var i1: [Int32] = [], v1: [Float] = [], i2: [Int32] = [], v2: [Float] = []
            for (f, v) in zip(model.blocks.indices, model.blocks.values) {
                guard let r = row[f / L] else { continue }
                let i = f % L
                if i < d { i1.append(Int32(r * d + i)); v1.append(v) } else { i2.append(Int32(r * k + i - d)); v2.append(v) }
            }
            try backend.scaleAndScatterAdd(w1, count: a * d, scale: 1, indices: i1, values: v1)
            try backend.scaleAndScatterAdd(w2, count: a * k, scale: 1, indices: i2, values: v2)
            if Self.sparseShare * i1.count <= a * d { firstRows = SparseRows(model.blocks, width: d, neurons: chunk) }
        }
        let g = try backend.makeBuffer(count: nb * a), z = try backend.makeBuffer(count: nb * a)
        switch try generators(chunk, bank: model.generators) {
        case .dense(let h): try backend.gate(x: xb, n: nb, d: d, generators: h, c: a, into: g)
        case .sparse(let h):
            try backend.sparseProduct(x: xb, n: nb, d: d, offsets: h.offsets, columns: h.columns, values: h.values,
                                      gate: nil, threshold: true, into: g)
        }
        if let w = firstRows {
            try backend.sparseProduct(x: xb, n: nb, d: d, offsets: w.offsets, columns: w.columns, values: w.values,
                                      gate: g, threshold: false, into: z)
        } else {
            try backend.gatedActivations(x: xb, n: nb, d: d, weights: w1, gate: g, a: a, into: z)
        }
        return ChunkState(neurons: chunk, w1: w1, w2: w2, gate: g, z: z)
    }

    /// Generators of a chunk: a dense `a x d` device buffer, or sparse rows.
    enum Generators {
        case dense(B.Buffer)
        case sparse(SparseRows)
    }

    /// Generators of `chunk`: followed weights as sparse rows (O(s) values; scattered into
    /// a dense block when not sparse enough), random ones gathered from one upload of all m;
    /// anything else (revived or re-seeded neurons) as dense rows.
    func generators(_ chunk: [Int], bank: GeneratorBank) throws -> Generators {
        let a = chunk.count
        if let followed = bank.followedWeights, !bank.reviveDead && bank.reseeded.isEmpty {
            let rows = SparseRows(followed, width: d, neurons: chunk, scale: bank.sign)
            if Self.sparseShare * rows.nonzeros <= a * d { return .sparse(rows) }
            let h = try backend.makeBuffer(count: a * d)
            var idx: [Int32] = [], val: [Float] = []
            for r in 0..<a {
                for t in Int(rows.offsets[r])..<Int(rows.offsets[r + 1]) {
                    idx.append(Int32(r * d) + rows.columns[t]); val.append(rows.values[t])
                }
            }
            try backend.scaleAndScatterAdd(h, count: a * d, scale: 1, indices: idx, values: val)
            return .dense(h)
        }
        let h = try backend.makeBuffer(count: a * d)
        if bank.followedWeights != nil {
            try backend.write(bank.rows(chunk), to: h)
            return .dense(h)
        }
        if randomGenerators == nil && 4 * options.m * d <= options.chunkMemoryBytes {
            randomGenerators = try backend.makeBuffer(bank.rows(Array(0..<options.m)))
        }
        if let all = randomGenerators {
            try backend.gatherRows(all, width: d, rows: chunk.map { Int32($0) }, into: h)
        } else {
            try backend.write(bank.rows(chunk), to: h)
        }
        return .dense(h)
    }

    /// One IHT step on a batch with `c` neurons per chunk; returns the batch loss before
    /// the step. The model changes only when the whole step succeeded. `factor` scales both
    /// layers' steps (the schedule's). `onSupport`: a
    /// refinement step instead, the same gradient step restricted to the current support
    /// (no thresholding; the support and the sketch stay as they are).
    func step(_ model: inout VectorModel, x xb: B.Buffer, y yb: [Float], n nb: Int, seeding: Bool, chunk c: Int,
              factor: Double = 1, onSupport: Bool = false) throws -> Double {
        let L = d + k, o = options
        let neurons = seeding ? Array(0..<o.m) : model.blocks.activeNeurons
        guard !neurons.isEmpty else { return lossAndResidual(prediction: [Float](repeating: 0, count: nb * k), target: yb, n: nb).loss }
        let live = Set(model.blocks.activeNeurons)
        let chunks = StreamedSelection.chunks(neurons, size: c).map { Array($0) }
        // Pass 1: forward, Y_hat accumulated on the device over the chunks.
        let yhatBuffer = try backend.makeBuffer(count: nb * k)
        var kept: ChunkState?   // a single chunk's state serves both passes
        for chunk in chunks {
            let state = try load(chunk, model: model, live: live, seeding: seeding, x: xb, n: nb)
            try backend.gemm(transA: false, transB: false, m: nb, n: k, k: state.a, alpha: 1, a: state.z, b: state.w2,
                             beta: 1, c: yhatBuffer)
            if chunks.count == 1 { kept = state }
        }
        let (batchLoss, r) = lossAndResidual(prediction: try backend.read(yhatBuffer, count: nb * k), target: yb, n: nb)
        let rb = try backend.makeBuffer(r)
        // Pass 2: gradients, candidates, ranking and the streamed selection.
        let lr = Float(o.effectiveLearningRate * factor)
        // W2's step is lr * outputScale: its gradient GEMM carries the factor.
        let outputScale = o.effectiveOutputLearningRate / o.effectiveLearningRate
        let s2 = min(o.m * k, max(1, Int((Double(o.s) * o.outputShare).rounded())))
        let s1 = max(o.s - s2, 1)
        var selection = StreamedSelection(k: o.ranking == .perLayer ? s1 : o.s)
        var outputSelection = StreamedSelection(k: s2)
        var outputRows = [Int: ArraySlice<Float>]()   // neuron -> candidate w2 (consistent ranking)
        var sketchValues = [Int: Float]()              // flat index -> candidate value (sketch ranking)
        // The sketch changes only if the step succeeds (a retry after running out of memory
        // must not add twice).
        var workSketch: B.Buffer?
        var refined: [(Int, Float)] = []   // onSupport: (flat index, candidate value)
        let supportByNeuron = onSupport ? Dictionary(grouping: model.blocks.indices, by: { $0 / L }) : [:]
        if let sk = sketch, !onSupport {
            let w = try backend.makeBuffer(count: o.sketchDepth * sketchWidth)
            try backend.copyColumns(sk, rows: 1, stride: o.sketchDepth * sketchWidth, from: 0,
                                    width: o.sketchDepth * sketchWidth, into: w)
            workSketch = w
        }
        for chunk in chunks {
            let st = try kept ?? load(chunk, model: model, live: live, seeding: seeding, x: xb, n: nb)
            let a = st.a
            let u = try backend.makeBuffer(count: nb * a)
            try backend.gatedActivations(x: rb, n: nb, d: k, weights: st.w2, gate: st.gate, a: a, into: u)
            let g1 = try backend.makeBuffer(count: a * d), g2 = try backend.makeBuffer(count: a * k)
            try backend.gemm(transA: true, transB: false, m: a, n: d, k: nb, alpha: 1, a: u, b: xb, beta: 0, c: g1)
            try backend.gemm(transA: true, transB: false, m: a, n: k, k: nb, alpha: Float(outputScale), a: st.z, b: rb, beta: 0, c: g2)
            let cand = try backend.makeBuffer(count: a * L)
            try backend.vectorCandidates(w1: st.w1, w2: st.w2, gradW1: g1, gradW2: g2, a: a, d: d, k: k, rate: lr, into: cand)
            // A chunk top-k of a band of `width` columns from `from` (local positions), with its
            // local positions mapped to flat indices j*(d+k) + i.
            func top(_ b: B.Buffer, count: Int, keep: Int, width: Int, from: Int) throws -> (local: [Int32], flat: TopKResult) {
                try StreamedSelection.chunkTop(b, count: count, keep: keep, on: backend,
                                               what: "candidate weights (the step size is too large: lower --lr)") {
                    chunk[$0 / width] * L + from + $0 % width
                }
            }
            func layer(from: Int, width: Int) throws -> B.Buffer {
                let out = try backend.makeBuffer(count: a * width)
                try backend.copyColumns(cand, rows: a, stride: L, from: from, width: width, into: out)
                return out
            }
            if onSupport {
                var flat: [Int] = [], local: [Int32] = []
                for (r, j) in chunk.enumerated() {
                    for f in supportByNeuron[j, default: []] { flat.append(f); local.append(Int32(r * L + f % L)) }
                }
                let values = try backend.gather(cand, indices: local)
                try requireFinite(values, "candidate weights (the step size is too large: lower --lr)")
                refined += zip(flat, values).map { ($0, $1) }
                continue
            }
            switch o.ranking {
            case .magnitude:
                selection.add(try top(cand, count: a * L, keep: o.s, width: L, from: 0).flat)
            case .perLayer:
                selection.add(try top(try layer(from: 0, width: d), count: a * d, keep: s1, width: d, from: 0).flat)
                outputSelection.add(try top(try layer(from: d, width: k), count: a * k, keep: s2, width: k, from: d).flat)
            case .neuronConsistent:
                let part = try top(try layer(from: 0, width: d), count: a * d, keep: o.s, width: d, from: 0)
                // The output rows of the neurons this chunk offers (the budget rule needs them).
                let rows = Array(Set(part.local.map { Int($0) / d })).sorted()
                let values = try backend.gather(cand, indices: rows.flatMap { r in (0..<k).map { Int32(r * L + d + $0) } })
                try requireFinite(values, "candidate weights (the step size is too large: lower --lr)")
                for (t, r) in rows.enumerated() { outputRows[chunk[r]] = values[(t * k)..<((t + 1) * k)] }
                selection.add(part.flat)
            case .sketch:
                guard let sketchBuffer = workSketch else { throw SparseIHTError.invalidArgument("sketch ranking without a sketch") }
                let keys = try backend.makeBuffer(count: a * L)
                try backend.sketchKeys(candidates: cand, w1: st.w1, w2: st.w2, a: a, d: d, k: k,
                                       neurons: chunk.map { Int32($0) }, sketch: sketchBuffer,
                                       depth: o.sketchDepth, width: sketchWidth, into: keys)
                let part = try top(keys, count: a * L, keep: o.s, width: L, from: 0)
                let values = try backend.gather(cand, indices: part.local)
                for (f, v) in zip(part.flat.indices, values) { sketchValues[Int(f)] = v }
                selection.add(part.flat)
            }
        }
        if onSupport {
            refined.sort { $0.0 < $1.0 }
            model.blocks = SparseWeights(d: L, m: o.m, indices: refined.map(\.0), values: refined.map(\.1))
            return batchLoss
        }
        var result = selection.kept
        switch o.ranking {
        case .magnitude: break
        case .neuronConsistent: result = spendBudget(result, outputRows: outputRows)
        case .sketch:
            result = TopKResult(indices: result.indices, values: result.indices.map { sketchValues[Int($0)] ?? 0 })
        case .perLayer:
            let out = outputSelection.kept
            let merged = zip(result.indices + out.indices, result.values + out.values).sorted { $0.0 < $1.0 }
            result = TopKResult(indices: merged.map(\.0), values: merged.map(\.1))
        }
        if let w = workSketch { sketch = w }
        model.blocks = SparseWeights(d: L, m: o.m, indices: result.indices.map { Int($0) }, values: result.values)
        return batchLoss
    }

    /// Neuron-consistent selection from the top first-layer candidates: in order of
    /// (|value| desc, index asc), a neuron's first entry costs 1 + k (its output row comes
    /// with it), later ones 1; what does not fit is skipped, and so is a new neuron's entry
    /// once `maxNeurons` neurons are live. O(s) work on the host.
    func spendBudget(_ first: TopKResult, outputRows: [Int: ArraySlice<Float>]) -> TopKResult {
        let L = d + k
        let order = first.indices.indices.sorted {
            let a = magnitudeKey(first.values[$0]), b = magnitudeKey(first.values[$1])
            return a != b ? a > b : first.indices[$0] < first.indices[$1]
        }
        var budget = options.s
        var live = Set<Int>(), chosen = [Int]()
        let cap = options.maxNeurons ?? options.m
        for t in order where budget > 0 {
            let j = Int(first.indices[t]) / L
            if !live.contains(j) && live.count >= cap { continue }
            let cost = live.contains(j) ? 1 : 1 + (options.chargeOutputRows ? k : 0)
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
