import Foundation
import SparseIHTCore

/// A sweep as a Slurm job array: task `i` of `tasks` runs `--shard i/tasks` of the grid into
/// its own results file (`results/shard-i.jsonl`), and `merge.sh` merges the shards.
///
/// Every task is an ordinary resumable `sparse-iht sweep`, so resubmitting the array after a
/// failure (a task cancelled, timed out or preempted) reruns only the cells not yet in the
/// files. `write(to:)` writes `sweep.sbatch`, `merge.sh` and the `results/` and `logs/`
/// folders into one directory; paths in the scripts are absolute.
public struct SlurmArray: Sendable, Equatable {
    /// The grid the array runs.
    public var grid: SweepGrid
    /// Array tasks N (`#SBATCH --array=0-(N-1)`); at most the number of cells.
    public var tasks: Int
    /// Absolute path of the `sparse-iht` binary the tasks run.
    public var executable: String
    /// CPUs per array task (`--cpus-per-task`).
    public var cpusPerTask = 1
    /// Cells one task runs at once (`sweep --jobs`).
    public var jobs = 1
    /// Wall-time limit per task (`--time`, Slurm's syntax: `MM`, `HH:MM:SS`, `D-HH`).
    public var time = "01:00:00"
    /// Memory per task (`--mem`, Slurm's syntax: `4G`, `500M`).
    public var memory = "4G"
    /// GPUs per task (`--gpus-per-task`); with one or more the tasks use the OpenCL backend
    /// on the allocated GPU (Slurm makes only the allocated GPUs visible to the task).
    public var gpusPerTask = 0
    /// `--partition` and `--account` (nil: the cluster's defaults).
    public var partition: String?, account: String?
    /// Job name (`--job-name`).
    public var jobName = "sparse-iht-sweep"
    /// Backend and device of the tasks without GPUs (`sweep --backend/--device`).
    public var backend: BackendChoice = .cpu
    public var device: String?

    public init(grid: SweepGrid, tasks: Int, executable: String) {
        self.grid = grid; self.tasks = tasks; self.executable = executable
    }

    /// The file names inside the directory.
    public static let scriptName = "sweep.sbatch", mergeName = "merge.sh"

    /// Results file of array task `index` under `directory` (absolute).
    public static func resultsFile(_ directory: String, index: Int) -> String {
        "\(directory)/results/shard-\(index).jsonl"
    }

    /// Checks the settings: a valid grid, 1 <= tasks <= cells, an absolute executable, and
    /// resource values Slurm would accept (no spaces or quotes).
    public func validate() throws {
        try grid.validate()
        let cells = grid.cells().count
        guard tasks >= 1, tasks <= cells else {
            throw SparseIHTError.invalidArgument("--array-tasks must be between 1 and the grid's \(cells) cells (got \(tasks))")
        }
        guard executable.hasPrefix("/") else { throw SparseIHTError.invalidArgument("the binary's path must be absolute (got '\(executable)')") }
        guard cpusPerTask >= 1, jobs >= 1, gpusPerTask >= 0 else {
            throw SparseIHTError.invalidArgument("--cpus-per-task and --jobs must be at least 1, --gpus-per-task at least 0")
        }
        for (flag, value) in [("slurm-time", time), ("slurm-mem", memory), ("slurm-partition", partition ?? "x"),
                              ("slurm-account", account ?? "x"), ("job-name", jobName)] {
            guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || "-_:.,+".contains($0) }) else {
                throw SparseIHTError.invalidArgument("--\(flag) '\(value)' is not a Slurm value (letters, digits, - _ : . , +)")
            }
        }
        let args = gridArguments()
        let rebuilt = try SweepGrid(task: grid.task, methods: args[3], seeds: args[5], arguments: Array(args.dropFirst(6)))
        guard rebuilt == grid else { throw SparseIHTError.invalidArgument("this grid cannot be written as sweep flags: \(args)") }
    }

    /// The `sparse-iht sweep` arguments that rebuild `grid` (without shard, output or backend).
    public func gridArguments() -> [String] {
        ["--task", grid.task.rawValue, "--method", grid.methods.map(\.rawValue).joined(separator: ","),
         "--seeds", grid.seeds.map(String.init).joined(separator: ",")]
            + grid.flags.map { "--\($0.name)=\($0.values.joined(separator: ","))" }
    }

    /// Backend arguments of a task: the OpenCL backend on the allocated GPU when
    /// `gpusPerTask > 0` (device `gpu` unless one is named), else `backend`/`device`.
    public func backendArguments() -> [String] {
        if gpusPerTask > 0 { return ["--backend", "opencl", "--device", device ?? "gpu"] }
        return ["--backend", backend.rawValue] + (device.map { ["--device", $0] } ?? [])
    }

    /// The job-array script for `directory` (absolute).
    public func sbatchScript(directory: String) -> String {
        var header = ["#!/bin/bash",
                      "# A sparse-iht sweep as a Slurm job array: task i runs shard i/\(tasks) of the grid",
                      "# (\(grid.cells().count) cells) into results/shard-i.jsonl. Resubmitting reruns only the",
                      "# cells missing from those files. Merge with \(directory)/\(Self.mergeName).",
                      "#SBATCH --job-name=\(jobName)",
                      "#SBATCH --array=0-\(tasks - 1)",
                      "#SBATCH --ntasks=1",
                      "#SBATCH --cpus-per-task=\(cpusPerTask)",
                      "#SBATCH --time=\(time)",
                      "#SBATCH --mem=\(memory)",
                      "#SBATCH --output=\(directory)/logs/task-%a-job-%A.out"]
        if gpusPerTask > 0 { header.append("#SBATCH --gpus-per-task=\(gpusPerTask)") }
        if let partition { header.append("#SBATCH --partition=\(partition)") }
        if let account { header.append("#SBATCH --account=\(account)") }
        let command = ([executable, "sweep"] + gridArguments() + backendArguments()
            + ["--jobs", String(jobs), "--quiet"]).map(Self.quoted).joined(separator: " ")
        let results = Self.quoted(directory + "/results") + "/shard-$i.jsonl"
        return (header + [
            "set -euo pipefail",
            "i=\"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch (it is a job array)}\"",
            "echo \"sparse-iht sweep: array task $i/\(tasks) (job ${SLURM_JOB_ID:-?}) on $(hostname)\"",
            "exec \(command) \\",
            "  --shard \"$i/\(tasks)\" --out \(results)",
        ]).joined(separator: "\n") + "\n"
    }

    /// The merge script for `directory`: merges every shard's results into
    /// `results/merged.csv` (or the path given as its first argument) with `sparse-iht sweep
    /// merge`, and exits 1, naming them, when an array task wrote no results file or any
    /// cell is missing, duplicated or not in the grid.
    public func mergeScript(directory: String) -> String {
        let results = Self.quoted(directory + "/results")
        return [
            "#!/bin/bash",
            "# Merges the \(tasks) shards of \(directory)/\(Self.scriptName) into one CSV; exit 1 naming",
            "# absent shards and missing, duplicated or foreign cells (resubmit the array to fill them).",
            "set -uo pipefail",
            "results=\(results)",
            "csv=\"${1:-$results/merged.csv}\"",
            "files=(); absent=()",
            "for i in $(seq 0 \(tasks - 1)); do",
            "  if [ -f \"$results/shard-$i.jsonl\" ]; then files+=(\"$results/shard-$i.jsonl\"); else absent+=(\"$i\"); fi",
            "done",
            "for i in \"${absent[@]}\"; do echo \"merge: array task $i wrote no results ($results/shard-$i.jsonl)\" >&2; done",
            "if [ ${#files[@]} -eq 0 ]; then echo \"merge: no results yet\" >&2; exit 1; fi",
            "status=0",
            "\(Self.quoted(executable)) sweep merge \"${files[@]}\" --csv \"$csv\" || status=$?",
            "if [ ${#absent[@]} -gt 0 ]; then status=1; fi",
            "if [ $status -eq 0 ]; then echo \"merge: complete; CSV in $csv\"; else echo \"merge: incomplete; resubmit: sbatch \(directory)/\(Self.scriptName)\" >&2; fi",
            "exit $status",
        ].joined(separator: "\n") + "\n"
    }

    /// Writes `sweep.sbatch` and `merge.sh` (executable) and creates `results/` and `logs/`
    /// under `directory` (made absolute against the current directory). Returns the
    /// absolute directory.
    @discardableResult
    public func write(to directory: String) throws -> String {
        try validate()
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let fm = FileManager.default
        do {
            for sub in ["results", "logs"] { try fm.createDirectory(atPath: dir + "/" + sub, withIntermediateDirectories: true) }
            for (name, text) in [(Self.scriptName, sbatchScript(directory: dir)), (Self.mergeName, mergeScript(directory: dir))] {
                try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
                try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/" + name)
            }
        } catch {
            throw SparseIHTError.invalidArgument("cannot write the Slurm scripts to \(dir): \(error.localizedDescription)")
        }
        return dir
    }

    /// `text` in single quotes for bash.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
