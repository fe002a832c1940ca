import ArgumentParser
import SparseIHTTasks

struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Train a sparse ReLU network by IHT on a synthetic or real-data task.",
        discussion: TaskKind.overview + "\n\n--dataset is mnist-sample, fashion, or a path (IDX directory, CIFAR-10 "
            + "directory or .bin, CSV, PNG/PGM/PPM). Defaults follow the published settings of each task; the solver's "
            + "defaults are the best measured recipe (--recipe published for the paper's code). Output paths are checked "
            + "before the run; Ctrl-C (or SIGTERM) leaves earlier outputs as they were.")

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
        try output.check()
        try reported { try spec.checkOutputs(output.outputs) }
        Interruption.install()
        let backend = try backendOptions.open()
        let log = try output.log.map { try RunLog(path: $0) }
        let progress = ProgressLine(quiet: output.quiet, log: log)
        let run = try reported { try TaskRunner.recover(spec, outputs: output.outputs, observer: progress.observer, backend: backend) }
        print(run.summary)
    }
}
