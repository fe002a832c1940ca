import Foundation
import SparseIHTTasks
import XCTest

/// Sweeps through the built `sparse-iht` binary, as separate processes.
final class SweepProcessTests: XCTestCase {
    let gridFlags = ["sweep", "--task", "planted", "--m", "2,4", "--s", "10,20", "--seeds", "0,1,2",
                     "--n", "1000", "--d", "30", "--steps", "20", "--backend", "cpu"]

    /// The `sparse-iht` built beside the test bundle.
    func executable() throws -> String {
        let dirs = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        guard let path = dirs.map({ $0.appendingPathComponent("sparse-iht").path }).first(where: FileManager.default.isExecutableFile) else {
            XCTFail("sparse-iht is not built beside the tests (\(dirs.map(\.path)))")
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    func start(_ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try executable())
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func run(_ arguments: [String]) throws -> Int32 {
        let p = try start(arguments)
        p.waitUntilExit()
        return p.terminationStatus
    }

    func lineCount(_ path: String) -> Int {
        (FileManager.default.contents(atPath: path) ?? Data()).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// value and every metric's bits, by cell.
    func bits(_ rows: [SweepRow]) -> [String: [UInt64]] {
        Dictionary(uniqueKeysWithValues: rows.map { r in
            (r.cell, [r.value.bitPattern] + r.metrics.sorted { $0.key < $1.key }.map(\.value.bitPattern))
        })
    }

    func testSweepKilledWithSIGKILLResumesWithEveryCellOnce() throws {
        let out = try temporaryDirectory("kill") + "/r.jsonl"
        let sweep = try start(gridFlags + ["--out", out])
        let deadline = Date().addingTimeInterval(120)
        while lineCount(out) < 3 && sweep.isRunning && Date() < deadline { usleep(20_000) }
        kill(sweep.processIdentifier, SIGKILL)
        sweep.waitUntilExit()
        XCTAssertEqual(sweep.terminationReason, .uncaughtSignal, "the sweep ended before the kill; the test needs a longer grid")
        let before = try ResultsFile.load(out).rows
        XCTAssertGreaterThanOrEqual(before.count, 3)
        XCTAssertLessThan(before.count, 12)
        // A crash inside a write would leave half a line: add one for the restart to redo.
        let half = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try half.seekToEnd(); try half.write(contentsOf: Data("{\"cell\":\"method=iht task=plan".utf8)); try half.close()
        XCTAssertEqual(try run(gridFlags + ["--out", out]), 0)
        let rows = try ResultsFile.load(out).rows
        XCTAssertEqual(rows.count, 12)
        XCTAssertEqual(Set(rows.map(\.cell)).count, 12, "every cell exactly once")
        for r in before { XCTAssertEqual(bits(rows)[r.cell], bits([r])[r.cell]) }
        XCTAssertTrue(try SweepMerge(files: [out]).isComplete)
    }

    func testShardsAndJobsEqualTheSerialSweepBitForBit() throws {
        let dir = try temporaryDirectory("shards")
        XCTAssertEqual(try run(gridFlags + ["--out", dir + "/serial.jsonl"]), 0)
        XCTAssertEqual(try run(gridFlags + ["--out", dir + "/jobs.jsonl", "--jobs", "2"]), 0)
        let shards = try (0..<2).map { try start(gridFlags + ["--out", dir + "/shard\($0).jsonl", "--shard", "\($0)/2"]) }
        for s in shards { s.waitUntilExit(); XCTAssertEqual(s.terminationStatus, 0) }
        let serial = try SweepMerge(files: [dir + "/serial.jsonl"])
        let merged = try SweepMerge(files: [dir + "/shard0.jsonl", dir + "/shard1.jsonl"])
        XCTAssertTrue(serial.isComplete); XCTAssertTrue(merged.isComplete)
        XCTAssertEqual(merged.rows.map(\.cell), serial.rows.map(\.cell))
        XCTAssertEqual(bits(merged.rows), bits(serial.rows))
        XCTAssertEqual(bits(try ResultsFile.load(dir + "/jobs.jsonl").rows), bits(serial.rows))
        XCTAssertEqual(try run(["sweep", "merge", dir + "/shard0.jsonl", dir + "/shard1.jsonl", "--csv", dir + "/all.csv"]), 0)
        XCTAssertEqual(lineCount(dir + "/all.csv"), 13)
        XCTAssertNotEqual(try run(["sweep", "merge", dir + "/shard0.jsonl"]), 0, "half the grid is missing")
        XCTAssertNotEqual(try run(["sweep", "merge", dir + "/serial.jsonl", dir + "/jobs.jsonl"]), 0, "every cell twice")
    }
}
