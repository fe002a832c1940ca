import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData

/// The iterative magnitude pruning baseline (and one-shot magnitude pruning) on the same
/// tasks, metrics and outputs as `recover`.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Dense MLP + Adam, then iterative magnitude pruning with rewinding (imp) or one-shot pruning (magnitude).",
        discussion: """
        imp (the published protocol): train for --epochs (one batch order per round), prune
        --prune-fraction of the remaining weights by global magnitude across all layers, score the
        pruned network, rewind survivors to their initial values, repeat until at most min(--s)
        weights remain; the score at each target s is the first round whose pruned network has at
        most s weights. A last round retrains the final mask ("retrained" score). magnitude:
        train once, prune to each s, score without retraining. Memory counts the dense weights,
        gradients and both Adam moments.
        """)

    @Option(help: "imp | magnitude") var method: String = "imp"
    @Option(help: "planted | files | binary-mnist | binary-cifar10 | mnist | inr") var task: String = "planted"
    @Option(help: "Target budgets, comma-separated (e.g. 500,2000).") var s: String = "50"
    @Option(help: "Hidden width.") var m: Int = 10
    @Option(help: "Hidden layers.") var layers: Int = 1
    @Option(help: "Epochs per round (default: 15; mnist: 50; inr: 100).") var epochs: Int?
    @Option(help: "Minibatch size (default: 1000; mnist: 5000; inr: full batch).") var batch: Int?
    @Option(help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(name: .customLong("prune-fraction"), help: "Fraction of the remaining weights pruned per round.") var pruneFraction: Double = 0.1
    @Option(help: "Dataset of a real-data task.") var dataset: String = "mnist-sample"
    @Option(help: "Classes of a binary task (default 0,1).") var classes: String?
    @Option(help: "published | full") var split: String = "published"
    @Option(help: "Image index (inr).") var image: Int = 0
    @Option(name: .customLong("pixel-scale"), help: "Divide classification inputs by this (1: raw pixels).") var pixelScale: Float = 1
    @Flag(help: "Subtract the training set's per-feature mean from classification inputs.") var center = false
    @Flag(help: "Centre and divide classification inputs by the per-feature standard deviation (as recover).") var standardize = false
    @Option(help: "Examples (planted).") var n: Int = 5000
    @Option(help: "Input dimension (planted).") var d: Int = 100
    @Option(name: .customLong("planted-s"), help: "Nonzeros of the planted network (default: smallest --s).") var plantedS: Int?
    @Option var x: String?
    @Option var y: String?
    @Option var seed: UInt64 = 0
    @Option(help: "Write the result document (JSON) here.") var json: String?
    @Flag(help: "No progress lines.") var quiet = false
    @OptionGroup var backendOptions: BackendOptions

    var targets: [Int] { s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard method == "imp" || method == "magnitude" else { throw ValidationError("--method must be imp or magnitude") }
        guard ["planted", "files", "binary-mnist", "binary-cifar10", "mnist", "inr"].contains(task) else {
            throw ValidationError("--task must be planted, files, binary-mnist, binary-cifar10, mnist or inr")
        }
        guard !targets.isEmpty, targets.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--s must list positive budgets") }
        guard m >= 1, layers >= 1 else { throw ValidationError("--m and --layers must be positive") }
        if task == "files" && (x == nil || y == nil) { throw ValidationError("--task files needs --x and --y") }
        try validateClassList(classes)
    }

    func run() throws {
        let backend = try backendOptions.open()
        do { try baseline(backend) } catch let e as SparseIHTError { throw CLIError(e.description) }
    }

    private func baseline<B: ComputeBackend>(_ backend: B) throws {
        let started = Date()
        let data = try TaskData.make(task: task, dataset: dataset, classes: classes, split: split, image: image,
                                     n: n, d: d, m: m, plantedS: plantedS ?? targets.min()!, seed: seed, x: x, y: y,
                                     preprocessing: .init(pixelScale: pixelScale, center: center, standardize: standardize),
                                     backend: backend)
        var trainer = AdamTrainer()
        trainer.learningRate = lr
        trainer.loss = data.loss
        trainer.epochs = epochs ?? data.defaultEpochs
        trainer.batchSize = (batch ?? data.defaultBatch).map { min($0, data.n) }
        trainer.seed = seed
        let initial = DenseMLP(sizes: [data.d] + Array(repeating: m, count: layers) + [data.k], seed: seed)
        guard targets.max()! < initial.weightCount else {
            throw ValidationError("--s must be below the dense network's \(initial.weightCount) weights")
        }
        let score: (DenseMLP) throws -> Double = { net in try data.score(net.predict(x: data.scoreX, n: data.scoreN, backend: backend)) }
        var rows: [[String: Any]] = []
        var roundsDoc: [[String: Any]] = []
        if method == "imp" {
            let rounds = try MagnitudePruning.iterative(
                initial: initial, fraction: pruneFraction, minRemaining: targets.min()!, trainer: trainer,
                x: data.x, y: data.y, n: data.n, backend: backend, score: score) { r in
                    if !quiet { notice(String(format: "round %d: trained %d weights, %@ %.4f; pruned to %d, %.4f; loss %.4g, %.1fs", r.round,
                                              r.trainedRemaining, data.metric, r.trainedScore, r.remaining, r.score, r.finalLoss, r.seconds)) }
                }
            roundsDoc = rounds.map { ["round": $0.round, "trained_remaining": $0.trainedRemaining, "trained_score": $0.trainedScore,
                                      "remaining": $0.remaining, "score": $0.score, "pruned": $0.pruned,
                                      "final_loss": $0.finalLoss, "seconds": $0.seconds] }
            for t in targets.sorted() {
                guard let r = MagnitudePruning.atBudget(rounds, s: t) else { continue }
                var row: [String: Any] = ["s": t, "remaining": r.remaining, "round": r.round, data.metric: r.score,
                                          "seconds_to_reach": rounds.prefix(r.round + 1).reduce(0) { $0 + $1.seconds }]
                if let q = MagnitudePruning.atBudgetRetrained(rounds, s: t) {
                    row["retrained"] = [data.metric: q.trainedScore, "remaining": q.trainedRemaining, "round": q.round,
                                        "seconds_to_reach": rounds.prefix(q.round + 1).reduce(0) { $0 + $1.seconds }]
                }
                rows.append(row)
            }
        } else {
            var net = initial
            let t0 = Date()
            _ = try trainer.train(&net, x: data.x, y: data.y, n: data.n, backend: backend)
            let trainSeconds = Date().timeIntervalSince(t0)
            rows.append(["s": net.weightCount, "remaining": net.weightCount, data.metric: try score(net), "seconds_to_reach": trainSeconds])
            for t in targets.sorted() {
                var pruned = net
                pruned.masks = MagnitudePruning.prune(net, count: net.weightCount - t)
                for l in pruned.layers.indices { for i in pruned.layers[l].indices { pruned.layers[l][i] *= pruned.masks[l][i] } }
                rows.append(["s": t, "remaining": pruned.remaining, data.metric: try score(pruned), "seconds_to_reach": trainSeconds])
            }
        }
        let doc: [String: Any] = [
            "method": method, "task": task, "dataset": dataset, "backend": backend.kind.rawValue,
            "device": backend.deviceDescription, "n": data.n, "d": data.d, "k": data.k, "m": m, "layers": layers,
            "epochs": trainer.epochs, "pixel_scale": pixelScale, "center": center || standardize, "standardize": standardize, "batch": trainer.batchSize ?? data.n, "lr": lr, "prune_fraction": pruneFraction,
            "seed": seed, "metric": data.metric, "results": rows, "rounds": roundsDoc,
            "dense_score": roundsDoc.first?["trained_score"] ?? NSNull(),
            "seconds": Date().timeIntervalSince(started), "peak_rss_bytes": peakRSSBytes(),
            "peak_device_bytes": backend.peakBytesAllocated, "dense_training_state_bytes": initial.trainingStateBytes,
            "dense_weights": initial.weightCount,
            "openblas_core": CPUBackend.openBLASCore.name, "openblas_coretype": CPUBackend.openBLASCore.coretypeOverride ?? "unset",
        ]
        if let path = json { try writeJSON(doc, to: path) }
        for r in rows {
            var line = String(format: "s %d (%d weights): %@ %.4f", r["s"] as! Int, r["remaining"] as! Int, data.metric,
                              r[data.metric] as! Double)
            if let q = r["retrained"] as? [String: Any], let v = q[data.metric] as? Double, let w = q["remaining"] as? Int {
                line += String(format: "; retrained at %d weights: %.4f", w, v)
            }
            print(line)
        }
    }
}
