import ArgumentParser
import SparseIHTTasks

struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Train a sparse ReLU network by IHT on a synthetic or real-data task.",
        discussion: CommandHelp.recover)

    @Option(help: "The task.") var task: TaskKind = .planted
    @Option(parsing: .unconditional, help: ArgumentHelp("Hidden neurons (\(TaskDefaults.summary(\.m)); inr without --recipe published: \(TaskDefaults.of(.inr).unpublishedM ?? TaskDefaults.of(.inr).m)).", valueName: "m"),
            transform: Numeric.int()) var m: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp("Sparsity budget (\(TaskDefaults.summary(\.s))).", valueName: "s"),
            transform: Numeric.int()) var s: Int?
    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Solver") var solver: SolverFlags
    @OptionGroup(title: "Outputs") var output: OutputOptions
    @OptionGroup(title: "Backend") var backendOptions: BackendOptions

    var spec: TaskSpec {
        var spec = data.spec(task)
        spec.m = m; spec.s = s
        solver.apply(to: &spec)
        return spec
    }

    func validate() throws { try validated { try spec.validate() } }

    func run() throws {
        print(try reported {
            try CommandRuns.recover(spec, outputs: output.outputs, log: output.log, quiet: output.quiet, backend: backendOptions.request)
        }.summary)
    }
}


/// The files `recover` writes. All of them are checked before the run starts and written
/// together at its end (temporary names, then one rename each); `--log` streams during it.
struct OutputOptions: ParsableArguments {
    @Option(help: "Write the result document (JSON) here (inr: also the fitted image, .png beside it).") var json: String?
    @Option(help: "Save the trained model (JSON) for `sparse-iht evaluate`.") var model: String?
    @Option(help: "Write the recovered d x m first-layer matrix (.npy, float32) here (one-layer scalar runs: all tasks but mnist, --outputs > 1 and --layers > 1).")
    var weights: String?
    @Option(name: .customLong("sparse-weights"), help: "Write the support as PATH.indices.npy (int64 flat j*d+i) and PATH.values.npy (the runs of --weights).")
    var sparseWeights: String?
    @Option(help: "Stream one JSON record per step or epoch here (JSON lines, written as the run goes).") var log: String?
    @Flag(help: "No progress line.") var quiet = false

    var outputs: TaskOutputs { TaskOutputs(weights: weights, sparseWeights: sparseWeights, model: model, json: json) }
}
