import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL
import SparseIHTSelfTest

/// What each command of `sparse-iht` does once its flags are parsed: check every output
/// path before any work, install the interruption handlers (`Interruption`), open the
/// backend, run with progress and notices on stderr, and return what the command prints.
/// Errors are `SparseIHTError`s (their `userMessage` is what the user reads).
public enum CommandRuns {
    /// `sparse-iht recover`: `log` streams the steps or epochs (`RunLog`); `quiet` drops the
    /// progress line (`ProgressLine`).
    public static func recover(_ spec: TaskSpec, outputs: TaskOutputs, log: String?, quiet: Bool,
                               backend: BackendRequest) throws -> TaskRun {
        try OutputCheck.check(outputs.files + (log.map { [("--log", $0)] } ?? []))
        try spec.checkOutputs(outputs)
        Interruption.install()
        let opened = try backend.open()
        let progress = ProgressLine(quiet: quiet, log: try log.map { try RunLog(path: $0) })
        return try TaskRunner.recover(spec, outputs: outputs, observer: progress.observer, backend: opened)
    }

    /// `sparse-iht baseline`: notices (IMP rounds, warnings) unless `quiet`.
    public static func baseline(_ spec: BaselineSpec, json: String?, quiet: Bool, backend: BackendRequest) throws -> TaskRun {
        if let json { try OutputCheck.check(option: "--json", path: json) }
        Interruption.install()
        let opened = try backend.open()
        var observer = TaskObserver()
        if !quiet { observer.notice = Console.notice }
        return try BaselineRunner.run(spec, json: json, observer: observer, backend: opened)
    }

    /// `sparse-iht evaluate`: the scores, written to `json` when given.
    public static func evaluate(_ spec: EvaluationSpec, json: String?, backend: BackendRequest) throws -> TaskRun {
        var files: [(option: String, path: String)] = []
        if let json { files.append(("--json", json)) }
        if let predictions = spec.predictions { files.append(("--predictions", predictions)) }
        try OutputCheck.check(files)
        Interruption.install()
        let opened = try backend.open()
        return try Evaluation.run(spec, json: json, notice: Console.notice, backend: opened)
    }

    /// `sparse-iht sweep`: the cells of `shard` missing from `out`, `jobs` at a time, each
    /// in a child process of this binary (`sweep cell`), with a progress line unless `quiet`
    /// and a notice per failed cell and for a cut half-written last line.
    public static func sweep(_ grid: SweepGrid, shard: Shard, jobs: Int, out: String, quiet: Bool,
                             backend: BackendRequest) throws -> SweepSummary {
        try OutputCheck.checkAppendable(option: "--out", path: out)
        Interruption.note = "the finished cells in \(out) are kept: run the same command again to resume"
        Interruption.install()
        let executable = Console.executable
        let line = ProgressLine(quiet: quiet)
        let summary = try SweepRunner.run(grid, shard: shard, jobs: jobs, out: out,
                                          execute: { try $0.runInChild(executable: executable, backend: backend.choice, device: backend.device) },
                                          progress: line.showSweep)
        line.finish()
        if summary.cutLastLine { Console.notice("cut a half-written last line of \(out); its cell ran again") }
        for f in summary.failures { Console.notice("failed: \(f.cell): \(f.error)") }
        return summary
    }

    /// `sparse-iht sweep cell JSON` (a sweep's child process): the cell's row as one JSON line.
    public static func cell(_ argument: String, backend: BackendRequest) throws -> String {
        Interruption.install()
        let cell = try SweepCell(argument: argument)
        let opened = try backend.open()
        return String(decoding: try cell.run(backend: opened).line(), as: UTF8.self)
    }

    /// `sparse-iht sweep merge`: the merged files, written as a CSV to `csv` when given.
    public static func merge(_ files: [String], csv: String?) throws -> SweepMerge {
        if let csv { try OutputCheck.check(option: "--csv", path: csv) }
        let merged = try SweepMerge(files: files)
        if let csv {
            do { try merged.csv().write(toFile: csv, atomically: true, encoding: .utf8) } catch {
                throw SparseIHTError.invalidArgument("cannot write \(csv): \(error.localizedDescription)")
            }
        }
        return merged
    }

    /// `sparse-iht sweep --emit-slurm DIR`: writes the array's scripts (running this binary;
    /// the tasks without GPUs on `backend`, `auto` meaning the CPU) and returns how to submit
    /// and merge.
    public static func emitSlurm(_ array: SlurmArray, backend: BackendRequest, to directory: String) throws -> [String] {
        var array = array
        array.backend = backend.choice == .auto ? .cpu : backend.choice
        array.device = backend.device
        let dir = try array.write(to: directory)
        return ["slurm: \(array.grid.cells().count) cells in \(array.tasks) array tasks",
                "submit: sbatch \(dir)/\(SlurmArray.scriptName)   (again after failures: only missing cells rerun)",
                "merge:  \(dir)/\(SlurmArray.mergeName) [CSV]"]
    }

    /// `sparse-iht devices`: the CPU backend's OpenBLAS core and every OpenCL device, one
    /// `line` each.
    public static func devices(line: (String) -> Void) throws {
        let core = CPUBackend.openBLASCore
        line("cpu backend: OpenBLAS core \(core.name), OPENBLAS_CORETYPE=\(core.coretypeOverride ?? "unset")")
        let devices = try CLDevice.all()
        if devices.isEmpty { line("opencl: no platform found (install pocl-opencl-icd or a GPU driver)") }
        for dev in devices {
            line("opencl \(dev.description); max allocation \(dev.maxAllocationBytes >> 20) MiB, max work-group \(dev.maxWorkGroupSize)")
        }
    }

    /// `sparse-iht selftest`: the parity contract of the OpenCL backend on `device` against
    /// the CPU backend (plus a top-k of length `extraTopK` when given), one `line` per
    /// failure and a count; true when every case passed.
    public static func selfTest(device: String?, extraTopK: Int?, line: (String) -> Void) throws -> Bool {
        let opencl = try OpenCLBackend(selector: BackendChoice.selector(device))
        line("selftest: \(opencl.deviceDescription) against \(CPUBackend().deviceDescription)")
        let result = try SelfTest.run(reference: CPUBackend(), candidate: opencl, extraTopK: extraTopK)
        for f in result.failures { line("FAIL \(f)") }
        line("\(result.passed) passed, \(result.failures.count) failed")
        return result.failures.isEmpty
    }
}

extension SweepSummary {
    /// The line `sweep` prints at its end.
    public func report(shard: Shard) -> String {
        "sweep: \(total) cells in shard \(shard), \(skipped) already done, \(ran - failures.count) run, \(failures.count) failed"
    }
}

extension SweepMerge {
    /// Whether a cell is missing, duplicated or from another grid (`merge` exits 1).
    public var hasProblems: Bool { !duplicates.isEmpty || !missing.isEmpty || !foreign.isEmpty }
}
