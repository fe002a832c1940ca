import Foundation
import SparseIHTBaselines
import SparseIHTCore

/// The dense baselines (`sparse-iht baseline`).
public enum BaselineMethod: String, Sendable, Codable, CaseIterable {
    /// Iterative magnitude pruning with rewinding to the initial weights.
    case imp
    /// Train once, prune by magnitude to each budget, score without retraining.
    case magnitude
}

/// Settings of a baseline run: the task's data settings plus the dense training.
public struct BaselineSpec: Sendable, Equatable {
    public var method: BaselineMethod = .imp
    /// Data settings (task, dataset, n, d, classes, split, preprocessing, seed); `m`,
    /// `layers`, `epochs` and `batch` size and train the dense network.
    public var task: TaskSpec
    /// Budgets scored (each at the first IMP round reaching it).
    public var targets: [Int]
    /// Adam's learning rate.
    public var lr: Float = 1e-3

    public init(task: TaskSpec, targets: [Int], method: BaselineMethod = .imp, lr: Float = 1e-3) {
        self.task = task; self.targets = targets; self.method = method; self.lr = lr
    }

    /// `--s` of `baseline`: comma-separated positive budgets ("500,2000").
    public static func targets(parsing text: String) throws -> [Int] {
        let list = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw SparseIHTError.invalidArgument("--s must list positive budgets (got '\(text)')")
        }
        return list.compactMap { $0 }
    }

    /// Checks the task, sizes and files before any data is read.
    public func validate() throws {
        guard TaskKind.baselineTasks.contains(task.task) else {
            throw SparseIHTError.invalidArgument("--task must be \(TaskKind.baselineTasks.map(\.rawValue).joined(separator: ", "))")
        }
        guard (task.m ?? 1) >= 1, task.layers >= 1 else { throw SparseIHTError.invalidArgument("--m and --layers must be positive") }
        if task.task == .files && (task.x == nil || task.y == nil) { throw SparseIHTError.invalidArgument("--task files needs --x and --y") }
    }
}

public enum BaselineRunner {
    /// Trains the dense MLP, prunes and scores every target; writes the report to `json`.
    public static func run<B: ComputeBackend>(_ spec: BaselineSpec, json: String? = nil, observer: TaskObserver = .init(),
                                              backend: B) throws -> TaskRun {
        try spec.validate()
        if let json { try OutputCheck.check(option: "--json", path: json) }
        let started = Date()
        // Baselines keep their published preprocessing (raw pixels) unless asked otherwise.
        var t = spec.task
        t.standardize = t.standardize ?? false
        let defaults = t.defaults
        guard let lowest = spec.targets.min(), let highest = spec.targets.max(), lowest >= 1 else {
            throw SparseIHTError.invalidArgument("--s must list positive budgets")
        }
        let m = t.m ?? TaskDefaults.baselineWidth
        let data = try TaskData.make(t, m: m, plantedS: t.plantedS ?? lowest, backend: backend)
        var trainer = AdamTrainer()
        trainer.learningRate = spec.lr; trainer.loss = defaults.loss; trainer.seed = t.seed
        trainer.epochs = t.epochs ?? defaults.epochs
        trainer.batchSize = (t.batch ?? defaults.baselineBatch).map { min($0, data.n) }
        let initial = DenseMLP(sizes: [data.d] + Array(repeating: m, count: t.layers) + [data.k], seed: t.seed)
        guard highest < initial.weightCount else {
            throw SparseIHTError.invalidArgument("--s must be below the dense network's \(initial.weightCount) weights")
        }
        let score: (DenseMLP) throws -> Double = { try data.score($0.predict(x: data.scoreX, n: data.scoreN, backend: backend)) }
        let metric = data.metric.rawValue
        var results: [BaselineResult] = [], rounds: [BaselineRound] = []
        var denseScore: Double?
        switch spec.method {
        case .imp:
            let all = try MagnitudePruning.iterative(
                initial: initial, fraction: t.pruneFraction, minRemaining: lowest, trainer: trainer,
                x: data.x, y: data.y, n: data.n, backend: backend, score: score) { r in
                    observer.notice(String(format: "round %d: trained %d weights, %@ %.4f; pruned to %d, %.4f; loss %.4g, %.1fs",
                                           r.round, r.trainedRemaining, metric, r.trainedScore, r.remaining, r.score,
                                           r.finalLoss, r.seconds))
                }
            rounds = all.map { BaselineRound(round: $0.round, trainedRemaining: $0.trainedRemaining, trainedScore: $0.trainedScore,
                                             remaining: $0.remaining, score: $0.score, pruned: $0.pruned,
                                             finalLoss: $0.finalLoss, seconds: $0.seconds) }
            denseScore = all.first?.trainedScore
            for s in spec.targets.sorted() {
                guard let r = MagnitudePruning.atBudget(all, s: s) else { continue }
                var result = BaselineResult(s: s, remaining: r.remaining, round: r.round, metric: metric, score: r.score,
                                            secondsToReach: all.prefix(r.round + 1).reduce(0) { $0 + $1.seconds })
                if let q = MagnitudePruning.atBudgetRetrained(all, s: s) {
                    result.retrained = .init(remaining: q.trainedRemaining, round: q.round, score: q.trainedScore,
                                             secondsToReach: all.prefix(q.round + 1).reduce(0) { $0 + $1.seconds })
                }
                results.append(result)
            }
        case .magnitude:
            var net = initial
            let t0 = Date()
            _ = try trainer.train(&net, x: data.x, y: data.y, n: data.n, backend: backend)
            let trainSeconds = Date().timeIntervalSince(t0)
            results.append(BaselineResult(s: net.weightCount, remaining: net.weightCount, round: nil, metric: metric,
                                          score: try score(net), secondsToReach: trainSeconds))
            for s in spec.targets.sorted() {
                var pruned = net
                pruned.masks = MagnitudePruning.prune(net, count: net.weightCount - s)
                for l in pruned.layers.indices { for i in pruned.layers[l].indices { pruned.layers[l][i] *= pruned.masks[l][i] } }
                results.append(BaselineResult(s: s, remaining: pruned.remaining, round: nil, metric: metric,
                                              score: try score(pruned), secondsToReach: trainSeconds))
            }
        }
        var r = RunReport()
        r.method = spec.method.rawValue; r.task = t.task.rawValue; r.dataset = t.dataset
        r.stampMachine(backend)
        r.n = data.n; r.d = data.d; r.k = data.k; r.m = m; r.layers = t.layers; r.epochs = trainer.epochs
        r.pixelScale = t.pixelScale; r.center = t.center || t.resolvedStandardize; r.standardize = t.resolvedStandardize
        r.batch = trainer.batchSize ?? data.n; r.lr = spec.lr; r.pruneFraction = t.pruneFraction
        r.seed = t.seed; r.metric = metric; r.results = results; r.rounds = rounds; r.denseScore = denseScore
        r.seconds = Date().timeIntervalSince(started)
        r.denseTrainingStateBytes = initial.trainingStateBytes; r.denseWeights = initial.weightCount
        if let json { try OutputStaging.writing { try r.write(to: $0.stage(json)) } }
        let lines = results.map { r in
            String(format: "s %d (%d weights): %@ %.4f", r.s, r.remaining, metric, r.score)
                + (r.retrained.map { String(format: "; retrained at %d weights: %.4f", $0.remaining, $0.score) } ?? "")
        }
        return TaskRun(report: r, summary: lines.joined(separator: "\n"))
    }
}
