import ArgumentParser
import SparseIHTTasks

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of cells (methods x task flag values x seeds), resumable, sharded, in parallel.",
        discussion: CommandHelp.sweep,
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
        if let directory = slurm.directory {
            guard out == nil, shard == .whole else { throw ValidationError("--emit-slurm writes DIR/results/shard-i.jsonl itself: no --out or --shard") }
            let array = slurm.array(grid, jobs: jobs)
            return try reported { try CommandRuns.emitSlurm(array, backend: backendOptions.request, to: directory) }.forEach { print($0) }
        }
        guard let out else { throw ValidationError("Missing expected argument '--out <out>'") }
        let summary = try reported {
            try CommandRuns.sweep(grid, shard: shard, jobs: jobs, out: out, quiet: quiet, backend: backendOptions.request)
        }
        print(summary.report(shard: shard))
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }
}

/// Runs one cell and prints its row (the child process of a sweep).
struct SweepCellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cell", abstract: "Run one cell (JSON) and print its row.",
                                                    shouldDisplay: false)
    @Argument(help: "The cell as JSON.") var cell: String
    @OptionGroup var backendOptions: BackendOptions

    func run() throws { print(try reported { try CommandRuns.cell(cell, backend: backendOptions.request) }) }
}


/// Merges results files into a CSV and checks them against their grid.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge results files (e.g. the shards of one sweep) into a tidy CSV; exit 1 on missing or duplicated cells.")

    @Argument(help: "Results files (JSON lines) of one grid.") var files: [String]
    @Option(help: "Write the CSV here.") var csv: String?

    func run() throws {
        let merged = try reported { try CommandRuns.merge(files, csv: csv) }
        merged.reportLines().forEach { print($0) }
        if merged.hasProblems { throw ExitCode(1) }
    }
}
