import Foundation
import XCTest

/// `Tools/figures.py` renders every figure committed under `docs/figures/reproduce` (made
/// by `Tools/reproduce.sh`) from the results files committed beside them (needs python3
/// with matplotlib; with `CI=true` its absence fails).
final class ReproduceFiguresTests: XCTestCase {
    func testCommittedStudyFiguresRenderFromCommittedResults() throws {
        let root = repositoryRoot
        let dir = root.appendingPathComponent("docs/figures/reproduce").path
        let python = try pythonWithMatplotlib()
        let out = try temporaryDirectory("reproduce-figures")
        let script = root.appendingPathComponent("Tools/figures.py").path
        let kinds = ["planted-heatmap": "heatmap", "phase-transition": "vs-n", "separation": "vs-gamma",
                     "memory-mnist": "memory", "mnist-heatmap": "heatmap", "inr-heatmap": "heatmap"]
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        for file in files where file.hasSuffix(".jsonl") {
            let name = String(file.dropLast(6))
            let kind = try XCTUnwrap(kinds[name], "no figure kind for \(file)")
            XCTAssertEqual(try runQuietly(python, [script, dir + "/" + file, "--out", out, "--kinds", kind]), 0, file)
        }
        let committed = files.filter { $0.hasSuffix(".png") || $0.hasSuffix(".svg") }
        XCTAssertFalse(committed.isEmpty)
        let rendered = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        for name in committed { XCTAssertTrue(rendered.contains(name), "\(name) is not rendered from the committed results") }
    }
}
