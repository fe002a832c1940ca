import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTTasks
import XCTest

/// The grid, shards, results files and merge, in this process.
final class SweepGridTests: XCTestCase {
    let grid = SweepGrid(task: .planted, methods: [.iht, .imp],
                         flags: [SweepFlag(name: "m", values: ["1", "2"]), SweepFlag(name: "s", values: ["4", "8", "12"]),
                                 SweepFlag(name: "n", values: ["200"]), SweepFlag(name: "d", values: ["20"]),
                                 SweepFlag(name: "steps", values: ["5"]), SweepFlag(name: "epochs", values: ["1"])],
                         seeds: [0, 1])

    func testCellsAreOrderedAndShardsPartitionThem() throws {
        let cells = grid.cells()
        XCTAssertEqual(cells.count, 2 * 2 * 3 * 2)
        XCTAssertEqual(cells[0].key, "method=iht task=planted m=1 s=4 n=200 d=20 steps=5 epochs=1 seed=0")
        XCTAssertEqual(cells[1].key, "method=iht task=planted m=1 s=4 n=200 d=20 steps=5 epochs=1 seed=1")
        XCTAssertEqual(cells.last?.key, "method=imp task=planted m=2 s=12 n=200 d=20 steps=5 epochs=1 seed=1")
        XCTAssertEqual(Set(cells.map(\.key)).count, cells.count)
        let shards = (0..<5).map { grid.cells(in: Shard(index: $0, count: 5)) }
        XCTAssertEqual(shards.map(\.count).reduce(0, +), cells.count)
        XCTAssertEqual(Set(shards.flatMap { $0.map(\.key) }), Set(cells.map(\.key)))
        XCTAssertEqual(try Shard(parsing: "1/3"), Shard(index: 1, count: 3))
        XCTAssertThrowsError(try Shard(parsing: "3/3"))
        XCTAssertEqual(try cells[5].spec().s, 12)
    }

    func testFlagListsParse() throws {
        let flags = try SweepGrid.flags(from: ["--m", "1,2,5", "--dataset", "a,b.csv", "--center", "--s=5,10", "--recipe", "published"])
        XCTAssertEqual(flags, [SweepFlag(name: "m", values: ["1", "2", "5"]), SweepFlag(name: "dataset", values: ["a,b.csv"]),
                               SweepFlag(name: "center", values: ["true"]), SweepFlag(name: "s", values: ["5", "10"]),
                               SweepFlag(name: "recipe", values: ["published"])])
        XCTAssertThrowsError(try SweepGrid.flags(from: ["--m", "1", "--m", "2"]))
        XCTAssertThrowsError(try SweepGrid(task: .planted, methods: [.iht], flags: [SweepFlag(name: "bogus", values: ["1"])],
                                           seeds: [0]).validate())
    }

    func testResumeSkipsDoneCellsAndRedoesATruncatedLastLine() throws {
        let dir = try temporaryDirectory("resume")
        let out = dir + "/r.jsonl"
        let execute: @Sendable (SweepCell) throws -> SweepRow = { try $0.run(backend: CPUBackend()) }
        let first = try SweepRunner.run(grid, out: out, execute: execute)
        XCTAssertEqual(first.ran, 24); XCTAssertTrue(first.failures.isEmpty)
        let complete = try ResultsFile.load(out).rows
        // Cut the file in the middle of its last line, as a crash during a write would.
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        try data.prefix(data.count - 40).write(to: URL(fileURLWithPath: out))
        let damaged = try ResultsFile.load(out)
        XCTAssertTrue(damaged.damaged); XCTAssertEqual(damaged.rows.count, 23)
        let second = try SweepRunner.run(grid, out: out, execute: execute)
        XCTAssertTrue(second.cutLastLine); XCTAssertEqual(second.skipped, 23); XCTAssertEqual(second.ran, 1)
        let rows = try ResultsFile.load(out).rows
        XCTAssertEqual(rows.map(\.cell).sorted(), grid.cells().map(\.key).sorted())
        XCTAssertEqual(rows.last?.value.bitPattern, complete.last?.value.bitPattern)
        XCTAssertEqual(try SweepRunner.run(grid, out: out, execute: execute).ran, 0)
        let merged = try SweepMerge(files: [out])
        XCTAssertTrue(merged.isComplete)
        XCTAssertEqual(merged.rows.map(\.cell), grid.cells().map(\.key))
        XCTAssertTrue(merged.csv().hasPrefix("method,task,seed,epochs,steps,n,d,m,s,metric,value,"))
        // The same file twice: every cell duplicated; another grid cannot reuse the file.
        try FileManager.default.copyItem(atPath: out, toPath: dir + "/copy.jsonl")
        XCTAssertEqual(try SweepMerge(files: [out, dir + "/copy.jsonl"]).duplicates.count, 24)
        var other = grid
        other.seeds = [5]
        XCTAssertThrowsError(try SweepRunner.run(other, out: out, execute: execute))
    }

    func testMergeListsMissingCellsOfAShard() throws {
        let dir = try temporaryDirectory("missing")
        let out = dir + "/shard0.jsonl"
        _ = try SweepRunner.run(grid, shard: Shard(index: 0, count: 2), out: out, execute: { try $0.run(backend: CPUBackend()) })
        let merged = try SweepMerge(files: [out])
        XCTAssertEqual(merged.rows.count, 12)
        XCTAssertEqual(merged.missing, grid.cells(in: Shard(index: 1, count: 2)).map(\.key))
        XCTAssertFalse(merged.isComplete)
    }
}
