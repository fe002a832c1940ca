import ArgumentParser
import Foundation
import SparseIHTTasks

/// `sweep --emit-slurm DIR` and its resource flags: write the grid as a Slurm job array.
struct SlurmOptions: ParsableArguments {
    @Option(name: .customLong("emit-slurm"), help: "Write DIR/sweep.sbatch (a job array, task i = --shard i/N into DIR/results/shard-i.jsonl) and DIR/merge.sh instead of running.")
    var directory: String?
    @Option(name: .customLong("array-tasks"), help: "Array tasks N (with --emit-slurm).") var tasks: Int = 4
    @Option(name: .customLong("cpus-per-task"), help: "CPUs per array task.") var cpus: Int = 1
    @Option(name: .customLong("gpus-per-task"), help: "GPUs per array task; 1 runs the OpenCL backend on the allocated GPU.") var gpus: Int = 0
    @Option(name: .customLong("slurm-time"), help: "Time limit per array task (Slurm syntax).") var time: String = "01:00:00"
    @Option(name: .customLong("slurm-mem"), help: "Memory per array task (Slurm syntax).") var memory: String = "4G"
    @Option(name: .customLong("slurm-partition"), help: "Partition (default: the cluster's).") var partition: String?
    @Option(name: .customLong("slurm-account"), help: "Account (default: the user's).") var account: String?
    @Option(name: .customLong("slurm-job-name"), help: "Job name.") var jobName: String = "sparse-iht-sweep"

    /// Writes the scripts for `grid` and prints how to submit and merge.
    func emit(_ grid: SweepGrid, jobs: Int, backend: BackendChoice, device: String?) throws {
        guard let directory else { return }
        let binary = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).standardizedFileURL.path
        var array = SlurmArray(grid: grid, tasks: tasks, executable: binary)
        array.cpusPerTask = cpus; array.gpusPerTask = gpus; array.jobs = jobs
        array.time = time; array.memory = memory; array.partition = partition; array.account = account
        array.jobName = jobName; array.backend = backend == .auto ? .cpu : backend; array.device = device
        let dir = try reported { try array.write(to: directory) }
        print("slurm: \(grid.cells().count) cells in \(tasks) array tasks")
        print("submit: sbatch \(dir)/\(SlurmArray.scriptName)   (again after failures: only missing cells rerun)")
        print("merge:  \(dir)/\(SlurmArray.mergeName) [CSV]")
    }
}
