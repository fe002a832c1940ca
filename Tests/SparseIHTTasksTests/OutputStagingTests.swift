import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTTasks
import XCTest

/// Outputs written together: all renamed into place, or none.
final class OutputStagingTests: XCTestCase {
    func contents(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func testCommitRenamesEveryFileAndLeavesNoTemporaries() throws {
        let dir = try temporaryDirectory("staging-commit")
        try "old".write(toFile: dir + "/a.json", atomically: true, encoding: .utf8)
        try OutputStaging.writing { s in
            try "new a".write(toFile: s.stage(dir + "/a.json"), atomically: false, encoding: .utf8)
            let prefix = s.stagePrefix(dir + "/w", suffixes: [".i", ".v"])
            try "i".write(toFile: prefix + ".i", atomically: false, encoding: .utf8)
            try "v".write(toFile: prefix + ".v", atomically: false, encoding: .utf8)
            XCTAssertEqual(contents(dir + "/a.json"), "old")  // nothing in place before the commit
        }
        XCTAssertEqual(contents(dir + "/a.json"), "new a")
        XCTAssertEqual(contents(dir + "/w.i"), "i"); XCTAssertEqual(contents(dir + "/w.v"), "v")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["a.json", "w.i", "w.v"])
    }

    /// A failing output (here: the report's write throws) leaves the earlier weights and
    /// report both as they were: no new weights beside an old report.
    func testAFailedRunReplacesNothing() throws {
        let dir = try temporaryDirectory("staging-fail")
        try "old weights".write(toFile: dir + "/w.npy", atomically: true, encoding: .utf8)
        try "old report".write(toFile: dir + "/r.json", atomically: true, encoding: .utf8)
        struct ReportFailed: Error {}
        XCTAssertThrowsError(try OutputStaging.writing { s in
            try "new weights".write(toFile: s.stage(dir + "/w.npy"), atomically: false, encoding: .utf8)
            _ = s.stage(dir + "/r.json")
            throw ReportFailed()
        })
        // A file the run never wrote also fails the commit as a whole.
        XCTAssertThrowsError(try OutputStaging.writing { s in
            try "new weights".write(toFile: s.stage(dir + "/w.npy"), atomically: false, encoding: .utf8)
            _ = s.stage(dir + "/r.json")
        })
        XCTAssertEqual(contents(dir + "/w.npy"), "old weights")
        XCTAssertEqual(contents(dir + "/r.json"), "old report")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["r.json", "w.npy"])
    }

    func testRecoverChecksPathsBeforeWorkAndWritesEveryOutput() throws {
        let dir = try temporaryDirectory("staging-recover")
        var spec = TaskSpec(task: .planted)
        spec.n = 300; spec.d = 10; spec.m = 3; spec.s = 12; spec.steps = 5
        XCTAssertThrowsError(try TaskRunner.recover(spec, outputs: TaskOutputs(json: dir + "/missing/r.json"), backend: CPUBackend())) {
            XCTAssertTrue("\($0)".contains("--json: cannot write"), "\($0)")
        }
        XCTAssertThrowsError(try TaskRunner.recover(spec, outputs: TaskOutputs(model: dir), backend: CPUBackend())) {
            XCTAssertTrue("\($0)".contains("it is a directory"), "\($0)")
        }
        let outputs = TaskOutputs(weights: dir + "/w.npy", sparseWeights: dir + "/sw", model: dir + "/m.json", json: dir + "/r.json")
        _ = try TaskRunner.recover(spec, outputs: outputs, backend: CPUBackend())
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["m.json", "r.json", "sw.indices.npy", "sw.values.npy", "w.npy"])
    }
}
