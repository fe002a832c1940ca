import ArgumentParser
import Foundation
import SparseIHTTasks

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of cells (methods x task flag values x seeds), resumable, sharded, in parallel.",
        discussion: "Every task flag of recover may follow (--m 1,2,5 --s 5,10 --n 500,1000 --steps 10 ...); numeric "
            + "flags take comma-separated lists, and the grid is every combination. Each finished cell is appended to --out "
            + "as one JSON line (fsynced); cells already there are skipped, so a killed sweep resumes where it stopped.",
        subcommands: [SweepRunCommand.self, SweepMergeCommand.self, SweepCellCommand.self],
        defaultSubcommand: SweepRunCommand.self)
}

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the cells of a grid (the default).")

    @Option(help: "The task.") var task: TaskKind = .planted
    @Option(help: "Methods, comma-separated: iht, imp, magnitude.") var method: String = "iht"
    @Option(help: "Seeds, comma-separated.") var seeds: String = "0"
    @Option(help: "Results file (JSON lines), appended to (not with --emit-slurm).") var out: String?
    @Option(help: "Run slice i/N (0 <= i < N): the cells whose grid index is i modulo N.") var shard: Shard = .whole
    @Option(parsing: .unconditional, help: "Cells run at once, each in its own process (default: 1).", transform: Numeric.int(1, 256)) var jobs: Int = 1
    @Flag(help: "No progress line.") var quiet = false
    @OptionGroup(title: "Backend") var backendOptions: BackendOptions
    @OptionGroup(title: "Slurm job array") var slurm: SlurmOptions
    @Argument(parsing: .allUnrecognized, help: "Task flags of recover; numeric ones may list values.") var taskFlags: [String] = []

    func run() throws {
        let grid = try reported { try SweepGrid(task: task, methods: method, seeds: seeds, arguments: taskFlags) }
        if slurm.directory != nil {
            guard out == nil, shard == .whole else { throw ValidationError("--emit-slurm writes DIR/results/shard-i.jsonl itself: no --out or --shard") }
            return try slurm.emit(grid, jobs: jobs, backend: backendOptions.backend, device: backendOptions.device)
        }
        guard let out else { throw ValidationError("Missing expected argument '--out <out>'") }
        try reported { try OutputCheck.checkAppendable(option: "--out", path: out) }
        Interruption.note = "the finished cells in \(out) are kept: run the same command again to resume"
        Interruption.install()
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let backend = backendOptions.backend, device = backendOptions.device
        let line = ProgressLine(quiet: quiet)
        let summary = try reported {
            try SweepRunner.run(grid, shard: shard, jobs: jobs, out: out,
                                execute: { try $0.runInChild(executable: executable, backend: backend, device: device) },
                                progress: line.showSweep)
        }
        line.finish()
        if summary.cutLastLine { notice("cut a half-written last line of \(out); its cell ran again") }
        for f in summary.failures { notice("failed: \(f.cell): \(f.error)") }
        print("sweep: \(summary.total) cells in shard \(shard), \(summary.skipped) already done, \(summary.ran - summary.failures.count) run, \(summary.failures.count) failed")
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }
}

/// Runs one cell and prints its row (the child process of a sweep).
struct SweepCellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cell", abstract: "Run one cell (JSON) and print its row.",
                                                    shouldDisplay: false)
    @Argument(help: "The cell as JSON.") var cell: String
    @OptionGroup var backendOptions: BackendOptions

    func run() throws {
        Interruption.install()
        let cell = try reported { try SweepCell(argument: self.cell) }
        let backend = try backendOptions.open()
        let row = try reported { try cell.run(backend: backend) }
        print(String(decoding: try row.line(), as: UTF8.self))
    }
}
