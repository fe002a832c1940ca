import ArgumentParser
import SparseIHTTasks

/// The iterative magnitude pruning baseline (and one-shot magnitude pruning) on the same
/// tasks, metrics and outputs as `recover`.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Dense MLP + Adam, then iterative magnitude pruning with rewinding (imp) or one-shot pruning (magnitude).",
        discussion: """
        imp: train for --epochs, prune --prune-fraction of the remaining weights by global magnitude
        across all layers, rewind survivors to their initial values, repeat until at most min(--s)
        weights remain; the score at each target s is the first round reaching it. magnitude:
        train once, prune to each s, score without retraining. Memory counts the dense weights,
        gradients and both Adam moments.
        """)

    @Option(help: "imp | magnitude") var method: BaselineMethod = .imp
    @Option(help: "planted | files | binary-mnist | binary-cifar10 | mnist | inr") var task: TaskKind = .planted
    @Option(help: "Target budgets, comma-separated (e.g. 500,2000).") var s: String = "50"
    @Option(help: "Hidden width.") var m: Int = TaskDefaults.baselineWidth
    @Option(help: "Hidden layers.") var layers: Int = 1
    @Option(help: "Epochs per round (default: 15; mnist: 50; inr: 100).") var epochs: Int?
    @Option(help: "Minibatch size (default: 1000; mnist: 5000; inr: full batch).") var batch: Int?
    @Option(help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(name: .customLong("prune-fraction"), help: "Fraction of the remaining weights pruned per round.") var pruneFraction: Double = 0.1
    @OptionGroup var data: DataOptions
    @Option(help: "Write the result document (JSON) here.") var json: String?
    @Flag(help: "No progress lines.") var quiet = false
    @OptionGroup var backendOptions: BackendOptions

    var spec: BaselineSpec {
        get throws {
            var t = data.spec(task)
            t.m = m; t.layers = layers; t.epochs = epochs; t.batch = batch; t.pruneFraction = pruneFraction
            var spec = BaselineSpec(task: t, targets: try BaselineSpec.targets(parsing: s))
            spec.method = method; spec.lr = lr
            return spec
        }
    }

    func validate() throws { try validated { try spec.validate() } }

    func run() throws {
        let backend = try backendOptions.open()
        var observer = TaskObserver()
        if !quiet { observer.notice = notice }
        print(try reported { try BaselineRunner.run(try spec, json: json, observer: observer, backend: backend) }.summary)
    }
}
