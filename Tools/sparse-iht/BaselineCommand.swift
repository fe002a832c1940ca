import ArgumentParser
import SparseIHTTasks

/// The iterative magnitude pruning baseline (and one-shot magnitude pruning) on the same
/// tasks, metrics and outputs as `recover`.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Dense MLP + Adam, then iterative magnitude pruning with rewinding (imp) or one-shot pruning (magnitude).",
        discussion: CommandHelp.baseline)

    @Option(help: "imp | magnitude") var method: BaselineMethod = .imp
    @Option(help: "planted | files | binary-mnist | binary-cifar10 | mnist | inr") var task: TaskKind = .planted
    @Option(help: "Target budgets, comma-separated (e.g. 500,2000).") var s: String = "50"
    @Option(parsing: .unconditional, help: "Hidden width (default: 10).", transform: Numeric.int()) var m: Int = TaskDefaults.baselineWidth
    @Option(parsing: .unconditional, help: "Hidden layers (default: 1).", transform: Numeric.int(1, 1000)) var layers: Int = 1
    @Option(parsing: .unconditional, help: "Epochs per round (default: 15; mnist: 50; inr: 100).", transform: Numeric.int()) var epochs: Int?
    @Option(parsing: .unconditional, help: "Minibatch size (default: 1000; mnist: 5000; inr: full batch).", transform: Numeric.int()) var batch: Int?
    @Option(parsing: .unconditional, help: "Adam learning rate (default: 0.001).", transform: Numeric.float(above: 0, upTo: 1e6)) var lr: Float = 1e-3
    @Option(name: .customLong("prune-fraction"), parsing: .unconditional, help: "Fraction of the remaining weights pruned per round (above 0, at most 0.99) (default: 0.1).",
            transform: Numeric.real(above: 0, upTo: 0.99)) var pruneFraction: Double = 0.1
    @OptionGroup(title: "Data") var data: DataOptions
    @Option(help: "Write the result document (JSON) here.") var json: String?
    @Flag(help: "No progress lines.") var quiet = false
    @OptionGroup(title: "Backend") var backendOptions: BackendOptions

    var spec: BaselineSpec {
        get throws {
            var t = data.spec(task)
            t.m = m; t.layers = layers; t.epochs = epochs; t.batch = batch; t.pruneFraction = pruneFraction
            return BaselineSpec(task: t, targets: try BaselineSpec.targets(parsing: s), method: method, lr: lr)
        }
    }

    func validate() throws { try validated { try spec.validate() } }

    func run() throws {
        print(try reported { try CommandRuns.baseline(try spec, json: json, quiet: quiet, backend: backendOptions.request) }.summary)
    }
}
