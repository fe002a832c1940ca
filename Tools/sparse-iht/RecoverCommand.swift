import ArgumentParser
import SparseIHTTasks

struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Train a sparse ReLU network by IHT on a synthetic or real-data task.",
        discussion: TaskKind.overview + "\n\n--dataset is mnist-sample, fashion, or a path (IDX directory, CIFAR-10 "
            + "directory or .bin, CSV, PNG/PGM/PPM). Defaults follow the published settings of each task; the solver's "
            + "defaults are the best measured recipe (--recipe published for the paper's code).")

    @Option(help: "The task.") var task: TaskKind = .planted
    @Option(help: ArgumentHelp("Hidden neurons (\(TaskDefaults.summary(\.m))).")) var m: Int?
    @Option(help: ArgumentHelp("Sparsity budget (\(TaskDefaults.summary(\.s))).")) var s: Int?
    @OptionGroup var data: DataOptions
    @OptionGroup var solver: SolverFlags
    @Option(help: "Write the result document (JSON) here.") var json: String?
    @Option(help: "Write the recovered d x m first-layer matrix (.npy, float32) here.") var weights: String?
    @Option(name: .customLong("sparse-weights"), help: "Write the support as PATH.indices.npy (int64 flat j*d+i) and PATH.values.npy.")
    var sparseWeights: String?
    @Option(help: "Save the trained model (JSON) for `sparse-iht evaluate`.") var model: String?
    @Flag(help: "No progress line.") var quiet = false
    @OptionGroup var backendOptions: BackendOptions

    var spec: TaskSpec {
        var spec = data.spec(task)
        spec.m = m; spec.s = s
        solver.apply(to: &spec)
        return spec
    }

    func validate() throws { try validated { try spec.validate() } }

    func run() throws {
        let backend = try backendOptions.open()
        let outputs = TaskOutputs(weights: weights, sparseWeights: sparseWeights, model: model, json: json)
        let run = try reported { try TaskRunner.recover(spec, outputs: outputs, observer: ProgressLine(quiet: quiet).observer, backend: backend) }
        print(run.summary)
    }
}
