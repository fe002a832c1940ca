import Foundation
import SparseIHTTasks
import XCTest

/// Sweeps as Slurm job arrays: the generated scripts (always), and runs on a real cluster
/// named by `SLURM_CONF` (see `Tools/slurm-cluster.sh`). Without one the cluster tests are
/// skipped, except with `CI=true`, where a missing cluster fails them.
final class SlurmArrayTests: XCTestCase {
    /// A small planted grid: 16 cells of n = 500, d = 10, 10 steps.
    let gridFlags = ["--task", "planted", "--m", "1,2", "--s", "5,10", "--seeds", "0,1,2,3",
                     "--n", "500", "--d", "10", "--steps", "10", "--backend", "cpu"]

    // MARK: Helpers

    /// Runs `executable arguments` to its end; returns status and stdout + stderr.
    @discardableResult
    func shell(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `sparse-iht sweep GRID --emit-slurm DIR extra`; returns DIR.
    func emit(_ name: String, extra: [String] = [], flags: [String]? = nil) throws -> String {
        let dir = try temporaryDirectory(name) + "/array"
        let r = try shell(try sparseIHTBinary(), ["sweep"] + (flags ?? gridFlags) + ["--emit-slurm", dir] + extra)
        XCTAssertEqual(r.status, 0, r.output)
        return dir
    }

    /// The single-process sweep of the same grid, merged.
    func singleProcess(flags: [String]? = nil) throws -> SweepMerge {
        let out = try temporaryDirectory("single") + "/r.jsonl"
        let r = try shell(try sparseIHTBinary(), ["sweep"] + (flags ?? gridFlags) + ["--out", out])
        XCTAssertEqual(r.status, 0, r.output)
        return try SweepMerge(files: [out])
    }

    func shards(_ dir: String, _ count: Int) -> [String] { (0..<count).map { SlurmArray.resultsFile(dir, index: $0) } }

    /// Slurm's client in `/usr/bin` (or on PATH) and a cluster that answers `sinfo`.
    func requireCluster() throws -> String {
        let env = ProcessInfo.processInfo.environment
        func unavailable(_ why: String) throws -> Never {
            if env["CI"] == "true" {
                XCTFail("CI=true requires a running Slurm cluster (bash Tools/slurm-cluster.sh start DIR): \(why)")
                throw CocoaError(.featureUnsupported)
            }
            throw XCTSkip("no Slurm cluster: \(why)")
        }
        guard env["SLURM_CONF"] != nil else { try unavailable("SLURM_CONF is not set") }
        let dirs = (env["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        guard let bin = dirs.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/sbatch") }) else {
            try unavailable("sbatch not found")
        }
        let info = try shell(bin + "/sinfo", ["-h", "-o", "%T"])
        guard info.status == 0, info.output.contains("idle") || info.output.contains("mixed") || info.output.contains("alloc") else {
            try unavailable("sinfo: \(info.output)")
        }
        return bin
    }

    /// Submits `script` and returns the job id (`sbatch --parsable`, `--wait` when asked).
    func submit(_ bin: String, _ script: String, wait: Bool) throws -> String {
        let r = try shell(bin + "/sbatch", ["--parsable"] + (wait ? ["--wait"] : []) + [script])
        XCTAssertEqual(r.status, 0, "sbatch: \(r.output)")
        return r.output.split(separator: "\n").first.map { String($0.split(separator: ";")[0]) } ?? ""
    }

    /// Waits until no task of `job` is pending or running (up to `limit` seconds).
    func waitForJob(_ bin: String, _ job: String, limit: TimeInterval = 180) throws {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            let q = try shell(bin + "/squeue", ["-h", "-j", job, "-o", "%i %T"])
            if q.status != 0 || q.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            usleep(200_000)
        }
        XCTFail("job \(job) still queued after \(limit) s")
    }

    func assertEqualToSingleProcess(_ merged: SweepMerge, flags: [String]? = nil, cells: Int = 16,
                                    file: StaticString = #filePath, line: UInt = #line) throws {
        let single = try singleProcess(flags: flags)
        XCTAssertTrue(merged.isComplete, merged.reportLines().joined(separator: "\n"), file: file, line: line)
        XCTAssertEqual(merged.rows.count, cells, file: file, line: line)
        XCTAssertEqual(merged.rows.map(\.cell), single.rows.map(\.cell), file: file, line: line)
        XCTAssertEqual(cellBits(merged.rows), cellBits(single.rows), "same metric bits", file: file, line: line)
    }

    // MARK: The scripts (no cluster needed)

    func testScriptsCarryTheResourcesAbsolutePathsAndTheGrid() throws {
        let dir = try emit("script", extra: ["--array-tasks", "3", "--cpus-per-task", "2", "--slurm-time", "0-02:00:00",
                                             "--slurm-mem", "6G", "--slurm-partition", "short", "--slurm-account", "lab1"])
        let script = try String(contentsOfFile: dir + "/sweep.sbatch", encoding: .utf8)
        for line in ["#SBATCH --array=0-2", "#SBATCH --cpus-per-task=2", "#SBATCH --time=0-02:00:00", "#SBATCH --mem=6G",
                     "#SBATCH --partition=short", "#SBATCH --account=lab1", "--shard \"$i/3\""] {
            XCTAssertTrue(script.contains(line), "missing \(line) in\n\(script)")
        }
        XCTAssertFalse(script.contains("--gpus-per-task"))
        XCTAssertTrue(script.contains("'\(try sparseIHTBinary())' 'sweep'"), script)
        XCTAssertTrue(script.contains("'\(dir)/results'/shard-$i.jsonl"), "absolute results path")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: dir + "/merge.sh"))

        let gpu = try emit("gpu", extra: ["--gpus-per-task", "1"])
        let gpuScript = try String(contentsOfFile: gpu + "/sweep.sbatch", encoding: .utf8)
        XCTAssertTrue(gpuScript.contains("#SBATCH --gpus-per-task=1"))
        XCTAssertTrue(gpuScript.contains("'--backend' 'opencl' '--device' 'gpu'"), gpuScript)
    }

    func testBadSettingsAreRefusedWithAMessage() throws {
        let tmp = try temporaryDirectory("bad")
        for (extra, message) in [(["--array-tasks", "17"], "between 1 and the grid's 16 cells"),
                                 (["--slurm-time", "1 hour"], "not a Slurm value"),
                                 (["--out", tmp + "/r.jsonl"], "no --out or --shard")] {
            let r = try shell(try sparseIHTBinary(), ["sweep"] + gridFlags + ["--emit-slurm", tmp + "/a"] + extra)
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.output.contains(message), "\(extra): \(r.output)")
        }
        var array = SlurmArray(grid: try SweepGrid(task: .planted, methods: "iht", seeds: "0", arguments: []), tasks: 1, executable: "sparse-iht")
        XCTAssertThrowsError(try array.validate(), "a relative binary path")
        array.executable = "/bin/true"
        XCTAssertNoThrow(try array.validate())
    }

    /// The generated task script run by hand (`SLURM_ARRAY_TASK_ID=i bash sweep.sbatch`, as
    /// Slurm runs it): with a task left out, merge.sh fails naming the absent shard and its
    /// cells; the missing task run, it succeeds and equals the single-process sweep.
    func testTaskScriptAndMergeScriptWithoutACluster() throws {
        let dir = try emit("byhand")
        for i in [0, 2, 3] {
            let r = try shell("/bin/bash", [dir + "/sweep.sbatch"], environment: ["SLURM_ARRAY_TASK_ID": String(i)])
            XCTAssertEqual(r.status, 0, r.output)
        }
        let partial = try shell("/bin/bash", [dir + "/merge.sh"])
        XCTAssertNotEqual(partial.status, 0)
        XCTAssertTrue(partial.output.contains("array task 1 wrote no results"), partial.output)
        XCTAssertTrue(partial.output.contains("4 missing"), partial.output)
        XCTAssertTrue(partial.output.contains("missing: method=iht task=planted m=1 s=5 n=500 d=10 steps=10 seed=1"), partial.output)
        XCTAssertEqual(try shell("/bin/bash", [dir + "/sweep.sbatch"], environment: ["SLURM_ARRAY_TASK_ID": "1"]).status, 0)
        let full = try shell("/bin/bash", [dir + "/merge.sh"])
        XCTAssertEqual(full.status, 0, full.output)
        XCTAssertEqual(newlineCount(dir + "/results/merged.csv"), 17)
        try assertEqualToSingleProcess(try SweepMerge(files: shards(dir, 4)))
        // A shard file given twice: duplicated cells fail the merge.
        try FileManager.default.copyItem(atPath: dir + "/results/shard-0.jsonl", toPath: dir + "/results/extra.jsonl")
        let twice = try shell(try sparseIHTBinary(), ["sweep", "merge"] + shards(dir, 4) + [dir + "/results/extra.jsonl"])
        XCTAssertNotEqual(twice.status, 0)
        XCTAssertTrue(twice.output.contains("4 duplicated"), twice.output)
    }

    // MARK: On the cluster

    func testFourTaskArrayMergesToTheSingleProcessSweep() throws {
        let bin = try requireCluster()
        let dir = try emit("array", extra: ["--array-tasks", "4", "--slurm-mem", "1G", "--slurm-time", "10"])
        _ = try submit(bin, dir + "/sweep.sbatch", wait: true)
        let merge = try shell("/bin/bash", [dir + "/merge.sh"])
        XCTAssertEqual(merge.status, 0, merge.output)
        let merged = try SweepMerge(files: shards(dir, 4))
        for i in 0..<4 { XCTAssertEqual(try ResultsFile.load(SlurmArray.resultsFile(dir, index: i)).rows.count, 4, "shard \(i)") }
        try assertEqualToSingleProcess(merged)
    }

    /// Task 1 is cancelled while it runs, after its first rows: its finished cells stay, the
    /// rest are missing until the array is resubmitted, which runs only those.
    func testCancelledTaskAndResubmittedArrayGiveEveryCellOnce() throws {
        let bin = try requireCluster()
        // 12 cells per task, so task 1 is still running when it is cancelled after 2 rows.
        let flags = gridFlags.map { $0 == "0,1,2,3" ? "0,1,2,3,4,5,6,7,8,9,10,11" : $0 }
        let dir = try emit("scancel", extra: ["--array-tasks", "4", "--slurm-mem", "1G", "--slurm-time", "10"], flags: flags)
        let job = try submit(bin, dir + "/sweep.sbatch", wait: false)
        XCTAssertFalse(job.isEmpty)
        let shard1 = SlurmArray.resultsFile(dir, index: 1)
        let deadline = Date().addingTimeInterval(120)
        while newlineCount(shard1) < 2 && Date() < deadline { usleep(20_000) }
        let cancel = try shell(bin + "/scancel", ["\(job)_1"])
        XCTAssertEqual(cancel.status, 0, cancel.output)
        try waitForJob(bin, job)
        let kept = try ResultsFile.load(shard1).rows
        XCTAssertGreaterThanOrEqual(kept.count, 2)
        XCTAssertLessThan(kept.count, 12, "task 1 ended before scancel reached it")
        let partial = try shell("/bin/bash", [dir + "/merge.sh"])
        XCTAssertNotEqual(partial.status, 0, "the cancelled task's cells are missing")
        XCTAssertTrue(partial.output.contains("\(12 - kept.count) missing"), partial.output)
        XCTAssertTrue(partial.output.contains("missing: method=iht task=planted m=2 s=10 n=500 d=10 steps=10 seed=9"), partial.output)

        _ = try submit(bin, dir + "/sweep.sbatch", wait: true)
        let merge = try shell("/bin/bash", [dir + "/merge.sh"])
        XCTAssertEqual(merge.status, 0, merge.output)
        let all = try shards(dir, 4).flatMap { try ResultsFile.load($0).rows }
        XCTAssertEqual(all.count, 48, "no cell lost or duplicated")
        XCTAssertEqual(Set(all.map(\.cell)).count, 48)
        let rerun = try ResultsFile.load(shard1).rows
        XCTAssertEqual(Array(rerun.prefix(kept.count)), kept, "the rows kept from the cancelled run are not redone")
        try assertEqualToSingleProcess(try SweepMerge(files: shards(dir, 4)), flags: flags, cells: 48)
    }
}

/// The `sparse-iht` built beside the test bundle (absolute path).
func sparseIHTBinary() throws -> String {
    let dirs = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
    guard let url = dirs.map({ $0.appendingPathComponent("sparse-iht") }).first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        XCTFail("sparse-iht is not built beside the tests (\(dirs.map(\.path)))")
        throw CocoaError(.fileNoSuchFile)
    }
    return url.resolvingSymlinksInPath().path
}

/// Each cell's value and every metric, as bit patterns.
func cellBits(_ rows: [SweepRow]) -> [String: [UInt64]] {
    Dictionary(rows.map { r in (r.cell, [r.value.bitPattern] + r.metrics.sorted { $0.key < $1.key }.map(\.value.bitPattern)) },
               uniquingKeysWith: { a, _ in a })
}

/// Lines (newline characters) in a file; 0 when it does not exist.
func newlineCount(_ path: String) -> Int {
    (FileManager.default.contents(atPath: path) ?? Data()).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
}
