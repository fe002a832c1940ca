import ArgumentParser
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

    /// The job array of `grid` running this binary, `jobs` cells at once per task.
    func array(_ grid: SweepGrid, jobs: Int) -> SlurmArray {
        var array = SlurmArray(grid: grid, tasks: tasks, executable: Console.executable)
        array.cpusPerTask = cpus; array.gpusPerTask = gpus; array.jobs = jobs
        array.time = time; array.memory = memory; array.partition = partition; array.account = account
        array.jobName = jobName
        return array
    }
}
