import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTTasks
import XCTest

/// The pieces of the command line that live in the library: option value checks, the
/// progress line, the run log, the interruption message and the commands' help texts.
final class CommandPartsTests: XCTestCase {
    func testNumericOptionsRefuseWithTheRange() throws {
        XCTAssertEqual(try Numeric.int()(" 7 "), 7)
        XCTAssertThrowsError(try Numeric.int()("-1")) {
            XCTAssertEqual("\($0)", "must be a whole number from 1 to 2147483647")
        }
        XCTAssertThrowsError(try Numeric.int(0, 10)("11")) { XCTAssertEqual("\($0)", "must be a whole number from 0 to 10") }
        XCTAssertThrowsError(try Numeric.int()("1.5"))
        XCTAssertEqual(try Numeric.real(above: 1, inclusive: true, upTo: 1000)("1"), 1)
        XCTAssertThrowsError(try Numeric.real(above: 1, inclusive: true, upTo: 1000)("inf")) {
            XCTAssertEqual("\($0)", "must be a finite number at least 1 and at most 1000")
        }
        XCTAssertThrowsError(try Numeric.real(above: 0, upTo: 0.99)("0")) {
            XCTAssertEqual("\($0)", "must be a finite number above 0 and at most 0.99")
        }
        XCTAssertThrowsError(try Numeric.real(above: 0)("nan"))
        XCTAssertEqual(try Numeric.float(above: 0)("255"), 255)
        XCTAssertEqual(try Numeric.seed("18446744073709551615"), UInt64.max)
        XCTAssertThrowsError(try Numeric.seed("-3")) { XCTAssertEqual("\($0)", "must be a whole number from 0 to \(UInt64.max)") }
        XCTAssertEqual(try Switch.parse("false"), false)
        XCTAssertThrowsError(try Switch.parse("maybe")) { XCTAssertEqual("\($0)", "must be true or false") }
    }

    func testShardClassesAndErrorMessages() throws {
        XCTAssertEqual(Shard("2/5"), Shard(index: 2, count: 5))
        XCTAssertNil(Shard("5/5"))
        XCTAssertEqual(Shard("0/1")?.description, "0/1")
        XCTAssertNoThrow(try TaskSpec.checkClasses(nil))
        XCTAssertNoThrow(try TaskSpec.checkClasses("3, 5"))
        XCTAssertThrowsError(try TaskSpec.checkClasses("0,0")) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage,
                           "--classes must be a comma-separated list of distinct class indices, e.g. 0,1 (got '0,0')")
        }
        XCTAssertEqual(SparseIHTError.badFile(path: "a.npy", reason: "truncated").userMessage, "a.npy: truncated")
    }

    func testDurationsAndFittedLines() {
        XCTAssertEqual(ProgressLine.duration(44.6), "45s")
        XCTAssertEqual(ProgressLine.duration(185), "3m05s")
        XCTAssertEqual(ProgressLine.duration(7800), "2h10m")
        let fields = ["step 3/10 30%", "psnr 12.00 dB", "support 6 (changed 2)"]
        XCTAssertEqual(ProgressLine.fit(fields, width: 30), "\r" + "step 3/10 30%  psnr 12.00 dB" + "  ")
        XCTAssertEqual(ProgressLine.fit(fields, width: 8), "\rstep 3/1")
        XCTAssertEqual(ProgressLine.fit(fields, width: 100).count, 101)
    }

    func testInterruptionMessageSaysWhatWasKept() {
        XCTAssertEqual(Interruption.message(signal: "SIGINT", kept: [], written: [], note: nil),
                       "\nsparse-iht: interrupted by SIGINT; no output was written\n")
        XCTAssertEqual(Interruption.message(signal: "SIGTERM", kept: ["a.json"], written: ["b.npy"], note: nil),
                       "\nsparse-iht: interrupted by SIGTERM; not written, so earlier files there are left as they were: a.json; already complete: b.npy\n")
        XCTAssertEqual(Interruption.message(signal: "SIGINT", kept: [], written: [], note: "resume"),
                       "\nsparse-iht: interrupted by SIGINT; resume\n")
    }

    func testHelpTextsDescribeTheCommands() {
        XCTAssertTrue(CommandHelp.recover.hasPrefix(TaskKind.overview + "\n\n--dataset is mnist-sample"))
        XCTAssertTrue(CommandHelp.baseline.contains("--prune-fraction"))
        XCTAssertTrue(CommandHelp.evaluate.contains("--on test|train"))
        XCTAssertTrue(CommandHelp.sweep.contains("resumes where it stopped"))
    }

    /// A planted run drawn on a live line of 70 columns and logged: every step is a record,
    /// every drawn line fits, and the line ends with a newline.
    func testProgressLineDrawsAndLogsEveryStep() throws {
        let dir = try temporaryDirectory("progress")
        let log = try RunLog(path: dir + "/run.jsonl")
        let drawn = Captured()
        let line = ProgressLine(live: true, log: log, columns: { 70 }, output: { drawn.append($0) })
        var spec = TaskSpec(task: .planted)
        spec.n = 300; spec.d = 10; spec.m = 2; spec.s = 6; spec.steps = 20; spec.diagnostics = false
        _ = try TaskRunner.recover(spec, observer: line.observer, backend: CPUBackend())
        line.finish()
        let records = try String(contentsOfFile: dir + "/run.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertGreaterThan(records.count, 1)
        for (k, r) in records.enumerated() {
            XCTAssertEqual(r["kind"] as? String, "step")
            XCTAssertEqual(r["step"] as? Int, k + 1)
            XCTAssertEqual(r["total"] as? Int, 20)
            XCTAssertEqual(r["layers"] as? Int, 1)
            for key in ["psnr", "relative_residual", "support", "support_changes", "seconds", "elapsed"] { XCTAssertNotNil(r[key], key) }
            XCTAssertNil(r["epoch"])
        }
        let parts = drawn.parts
        XCTAssertEqual(parts.count, records.count + 1)
        XCTAssertEqual(parts.last, "\n")
        for p in parts.dropLast() {
            XCTAssertTrue(p.hasPrefix("\rstep "), p)
            XCTAssertEqual(p.count, 70, p)
        }
        XCTAssertTrue(parts[0].contains("step 1/20 5%"), parts[0])
        XCTAssertTrue(parts[0].contains("psnr"), parts[0])
    }

    func testQuietLineDrawsNothingAndALogThatCannotOpenNamesTheFlag() throws {
        let drawn = Captured()
        let line = ProgressLine(live: false, columns: { 70 }, output: { drawn.append($0) })
        var spec = TaskSpec(task: .planted)
        spec.n = 200; spec.d = 8; spec.m = 1; spec.s = 4; spec.steps = 5; spec.diagnostics = false
        _ = try TaskRunner.recover(spec, observer: line.observer, backend: CPUBackend())
        line.finish()
        XCTAssertEqual(drawn.parts, [])
        XCTAssertThrowsError(try RunLog(path: "/nonexistent-dir/run.jsonl")) {
            XCTAssertEqual(($0 as? SparseIHTError)?.userMessage, "--log: cannot write '/nonexistent-dir/run.jsonl': No such file or directory")
        }
    }
}

/// Text written from the progress line's callbacks.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var parts: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
