import Foundation
import SparseIHTCore
import SparseIHTTasks
import XCTest

/// The commands' runs at the library level (`CommandRuns`): outputs checked before any
/// work, what each returns for the command to print.
final class CommandRunsTests: XCTestCase {
    func tinyPlanted() -> TaskSpec {
        var spec = TaskSpec(task: .planted)
        spec.n = 200; spec.d = 8; spec.m = 2; spec.s = 4; spec.steps = 10; spec.diagnostics = false
        return spec
    }

    func testRecoverChecksEveryOutputBeforeWorkAndLogs() throws {
        let dir = try temporaryDirectory("command-recover")
        let cpu = BackendRequest(.cpu)
        XCTAssertThrowsError(try CommandRuns.recover(tinyPlanted(), outputs: TaskOutputs(json: dir + "/r.json"),
                                                     log: dir + "/missing/log.jsonl", quiet: true, backend: cpu)) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage,
                           "--log: cannot write '\(dir)/missing/log.jsonl': directory '\(dir)/missing' does not exist")
        }
        XCTAssertThrowsError(try CommandRuns.recover(tinyPlanted(), outputs: TaskOutputs(json: dir + "/a"), log: dir + "/a",
                                                     quiet: true, backend: cpu)) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage, "--json and --log name the same file '\(dir)/a'")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/r.json"))
        let run = try CommandRuns.recover(tinyPlanted(), outputs: TaskOutputs(json: dir + "/r.json"), log: dir + "/log.jsonl",
                                          quiet: true, backend: cpu)
        XCTAssertTrue(run.summary.hasPrefix("psnr "), run.summary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/r.json"))
        let steps = try String(contentsOfFile: dir + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertFalse(steps.isEmpty)
        XCTAssertTrue(steps[0].hasPrefix("{\"elapsed\":"), String(steps[0]))
    }

    func testBaselineAndEvaluateCheckTheirFiles() throws {
        let dir = try temporaryDirectory("command-baseline")
        let spec = BaselineSpec(task: tinyPlanted(), targets: [8], method: .magnitude)
        XCTAssertThrowsError(try CommandRuns.baseline(spec, json: dir, quiet: true, backend: BackendRequest(.cpu))) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage, "--json: cannot write '\(dir)': it is a directory")
        }
        let run = try CommandRuns.baseline(spec, json: dir + "/b.json", quiet: true, backend: BackendRequest(.cpu))
        XCTAssertFalse(run.summary.isEmpty)
        let eval = EvaluationSpec(model: dir + "/none.json", task: TaskSpec(task: .inr), predictions: dir + "/p.npy")
        XCTAssertThrowsError(try CommandRuns.evaluate(eval, json: dir + "/p.npy", backend: BackendRequest(.cpu))) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage, "--json and --predictions name the same file '\(dir)/p.npy'")
        }
    }

    func testMergeWritesTheCSVAndSaysWhatIsMissing() throws {
        let dir = try temporaryDirectory("command-merge")
        let grid = SweepGrid(task: .planted, methods: [.iht], flags: [SweepFlag(name: "m", values: ["1", "2"]),
                             SweepFlag(name: "s", values: ["4"]), SweepFlag(name: "n", values: ["200"]),
                             SweepFlag(name: "d", values: ["8"]), SweepFlag(name: "steps", values: ["5"])], seeds: [0])
        let out = dir + "/r.jsonl"
        let summary = try SweepRunner.run(grid, shard: Shard(index: 0, count: 2), out: out,
                                          execute: { try $0.run(backend: BackendRequest(.cpu).open()) })
        XCTAssertEqual(summary.report(shard: Shard(index: 0, count: 2)), "sweep: 1 cells in shard 0/2, 0 already done, 1 run, 0 failed")
        XCTAssertThrowsError(try CommandRuns.merge([out], csv: dir + "/none/r.csv"))
        let merged = try CommandRuns.merge([out], csv: dir + "/r.csv")
        XCTAssertEqual(merged.missing.count, 1)
        XCTAssertTrue(merged.hasProblems)
        let csv = try String(contentsOfFile: dir + "/r.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 2)
        XCTAssertTrue(csv[0].hasPrefix("method,task,seed,"))
        XCTAssertThrowsError(try CommandRuns.sweep(grid, shard: .whole, jobs: 1, out: dir, quiet: true, backend: BackendRequest(.cpu))) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage, "--out: cannot write '\(dir)': it is a directory")
        }
    }

    func testCellPrintsItsRowAndSlurmSaysHowToSubmit() throws {
        let grid = SweepGrid(task: .planted, methods: [.iht], flags: [SweepFlag(name: "m", values: ["1"]),
                             SweepFlag(name: "s", values: ["4"]), SweepFlag(name: "n", values: ["200"]),
                             SweepFlag(name: "d", values: ["8"]), SweepFlag(name: "steps", values: ["5"])], seeds: [0, 1])
        let line = try CommandRuns.cell(try grid.cells()[1].argument(), backend: BackendRequest(.cpu))
        let row = try JSONDecoder().decode(SweepRow.self, from: Data(line.utf8))
        XCTAssertEqual(row.cell, grid.cells()[1].key)
        XCTAssertEqual(row.backend, "cpu")
        XCTAssertThrowsError(try CommandRuns.cell("{", backend: BackendRequest(.cpu))) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage, "not a sweep cell: {")
        }
        let dir = try temporaryDirectory("command-slurm")
        let lines = try CommandRuns.emitSlurm(SlurmArray(grid: grid, tasks: 2, executable: "/usr/bin/true"),
                                              backend: BackendRequest(.auto), to: dir)
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines[0], "slurm: 2 cells in 2 array tasks")
        XCTAssertTrue(lines[1].hasPrefix("submit: sbatch ") && lines[1].contains("/sweep.sbatch"), lines[1])
        let script = try String(contentsOfFile: lines[1].split(separator: " ")[2].description, encoding: .utf8)
        XCTAssertTrue(script.contains("'--backend' 'cpu'"), "auto runs the array's CPU tasks on the CPU backend")
    }
}
