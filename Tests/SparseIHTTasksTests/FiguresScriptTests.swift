import Foundation
import XCTest

/// `Tools/figures.py` renders every figure committed under `docs/figures/sweeps` from the
/// committed results files (needs python3 with matplotlib; with `CI=true` its absence fails).
final class FiguresScriptTests: XCTestCase {
    func testCommittedFiguresRenderFromCommittedResults() throws {
        let root = repositoryRoot
        let sweeps = root.appendingPathComponent("docs/figures/sweeps").path
        let python = try pythonWithMatplotlib()
        let out = try temporaryDirectory("figures")
        let script = root.appendingPathComponent("Tools/figures.py").path
        XCTAssertEqual(try runQuietly(python, [script, sweeps + "/planted-iht-imp.jsonl", "--out", out, "--kinds", "heatmap,vs-s"]), 0)
        XCTAssertEqual(try runQuietly(python, [script, sweeps + "/planted-vs-n.jsonl", "--out", out, "--kinds", "vs-n"]), 0)
        let committed = try FileManager.default.contentsOfDirectory(atPath: sweeps).filter { $0.hasSuffix(".png") || $0.hasSuffix(".svg") }
        XCTAssertFalse(committed.isEmpty)
        let rendered = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        for name in committed { XCTAssertTrue(rendered.contains(name), "\(name) is not rendered from the committed results") }
    }
}
