import Foundation
import SparseIHTCore
import SparseIHTData
import XCTest

/// Atomic output files (a killed writer leaves the previous file intact) and model files a
/// NumPy user can predict from (`Tools/predict.py` against `sparse-iht evaluate`).
final class OutputSafetyTests: XCTestCase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sparseiht-outputs-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The command-line tool built beside the test bundle.
    func tool() throws -> String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sparse-iht").path
        for p in [beside, Self.root.appendingPathComponent(".build/debug/sparse-iht").path]
        where FileManager.default.isExecutableFile(atPath: p) { return p }
        throw XCTSkip("sparse-iht is not built")
    }

    /// Runs `executable` with `arguments`; returns the exit status and the output.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], expect status: Int32? = 0, line: UInt = #line) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["SPARSEIHT_DEVICE"] = "cpu"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if let status { XCTAssertEqual(p.terminationStatus, status, "\(arguments.joined(separator: " ")): \(out)", line: line) }
        return (p.terminationStatus, out)
    }

    func testAtomicWriteReplacesWholeFilesAndLeavesNoTemporary() throws {
        let p = path("a.bin")
        try AtomicFile.write([1, 2, 3], to: p)
        try AtomicFile.write([4, 5], to: p)
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: p))), [4, 5])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.bin"])
        // A failing writer leaves the old file and no temporary behind.
        XCTAssertThrowsError(try AtomicFile.write(path: p, fileDescriptor: { _ in throw SparseIHTError.badFile(path: p, reason: "disk full") }))
        XCTAssertEqual([UInt8](try Data(contentsOf: URL(fileURLWithPath: p))), [4, 5])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["a.bin"])
        XCTAssertThrowsError(try AtomicFile.write([1], to: path("missing-dir/x.bin"))) { e in
            XCTAssert("\(e)".contains("missing-dir/x.bin"), "\(e)")
        }
    }

    /// SIGKILL while the tool writes a 16 MB `--weights` file: the previous file is intact.
    func testKilledWriterLeavesThePreviousFileIntact() throws {
        let tool = try tool()
        let weights = path("w.npy")
        func args(_ seed: Int) -> [String] {
            ["recover", "--task", "planted", "--n", "20", "--d", "500", "--m", "8000", "--s", "20", "--steps", "1",
             "--refine", "0", "--seed", "\(seed)", "--weights", weights, "--backend", "cpu"]
        }
        try run(tool, args(1))
        let good = try Data(contentsOf: URL(fileURLWithPath: weights))
        XCTAssertEqual(try NumPyFile.read(weights).shape, [500, 8000])
        var caught = false
        for attempt in 0..<3 where !caught {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: tool)
            p.arguments = args(2 + attempt)
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            // Kill as soon as a temporary file (`.w.npy.partial-*` staged for the run, or the
            // atomic writer's `.NAME.tmp-*`) has data in it.
            while p.isRunning {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                if let tmp = names.first(where: { $0.hasPrefix(".") && $0.contains("w.npy.") }),  // staged or atomic temporary
                   let size = (try? FileManager.default.attributesOfItem(atPath: path(tmp)))?[.size] as? NSNumber, size.intValue > 0 {
                    kill(p.processIdentifier, SIGKILL)
                    caught = true
                    break
                }
                usleep(200)
            }
            p.waitUntilExit()
            if caught { XCTAssertEqual(p.terminationReason, .uncaughtSignal) }
            let now = try Data(contentsOf: URL(fileURLWithPath: weights))
            if caught { XCTAssertEqual(now, good, "the killed run must leave the previous weights intact") } else { XCTAssertEqual(now.count, good.count) }
        }
        XCTAssert(caught, "the writer was never caught mid-write in 3 runs")
        XCTAssertEqual(try NumPyFile.read(weights).shape, [500, 8000])
    }

    /// `Tools/predict.py` (NumPy only) reproduces `evaluate --predictions` for every task
    /// type and mode.
    func testPredictPyMatchesEvaluate() throws {
        let tool = try tool()
        // The system interpreter first (Debian's python3-numpy), then python3 on PATH.
        let candidates: [(String, [String])] = [("/usr/bin/python3", []), ("/usr/bin/env", ["python3"])]
        let found = candidates.first { c in
            FileManager.default.isExecutableFile(atPath: c.0)
                && (try? run(c.0, c.1 + ["-c", "import numpy"], expect: nil).0) == 0
        }
        guard let (python, prefix) = found else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("python3 with numpy is required in CI") }
            throw XCTSkip("python3 with numpy is not installed")
        }
        let predictPy = Self.root.appendingPathComponent("Tools/predict.py").path
        // Data: regression X/y, a 3-class CSV, a colour and a gray image.
        var rng = SeededGenerator(seed: 11)
        let n = 80, d = 6
        let x = rng.normals(n * d)
        let y = (0..<n).map { i in max(0, x[i * d] + x[i * d + 1] - x[i * d + 2]) }
        try NumPyFile.write(x, shape: [n, d], to: path("x.npy"))
        try NumPyFile.write(y, shape: [n], to: path("y.npy"))
        var csv = ""
        for i in 0..<90 { csv += (0..<6).map { _ in String(rng.below(256)) }.joined(separator: ",") + ",\(i % 3)\n" }
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path("data.csv")))
        let pixels = (0..<(6 * 8 * 3)).map { _ in Float(rng.below(256)) / 255 }
        try NetPBM.write(NetPBM.Image(width: 8, height: 6, channels: 3, pixels: pixels), to: path("img.ppm"))
        try NetPBM.write(NetPBM.Image(width: 8, height: 6, channels: 1, pixels: Array(pixels[0..<48])), to: path("img.pgm"))
        // Raw test rows of the CSV tasks, as the tool selects them.
        for (name, classes) in [("bin", [0, 1] as [Int]?), ("multi", nil)] {
            let split = try RealTasks.classification(dataset: path("data.csv"), classes: classes, split: .published)
            try NumPyFile.write(split.test.x, shape: [split.test.n, split.test.d], to: path("\(name)-rows.npy"))
        }
        let files = ["--x", path("x.npy"), "--y", path("y.npy")]
        let csvSmall = ["--dataset", path("data.csv"), "--epochs", "2", "--batch", "10"]
        let configs: [(String, [String], [String], [String])] = [
            // name, recover arguments, evaluate arguments, predict.py arguments
            ("sequential", ["--task", "files"] + files + ["--m", "4", "--s", "12", "--steps", "5"], ["--task", "files"] + files, ["--x", path("x.npy")]),
            ("convex", ["--task", "files"] + files + ["--m", "4", "--s", "12", "--steps", "5", "--mode", "convex"], ["--task", "files"] + files, ["--x", path("x.npy")]),
            ("signed", ["--task", "files"] + files + ["--m", "4", "--s", "12", "--steps", "5", "--signed-outputs"], ["--task", "files"] + files, ["--x", path("x.npy")]),
            ("binary-two-layers", ["--task", "binary-mnist", "--m", "6", "--s", "24", "--layers", "2", "--pixel-scale", "255"] + csvSmall,
             ["--task", "binary-mnist", "--dataset", path("data.csv")], ["--x", path("bin-rows.npy")]),
            ("binary-sigmoid", ["--task", "binary-mnist", "--m", "4", "--s", "16", "--loss", "cross-entropy", "--signed-outputs", "--standardize"] + csvSmall,
             ["--task", "binary-mnist", "--dataset", path("data.csv")], ["--x", path("bin-rows.npy")]),
            ("multiclass", ["--task", "mnist", "--m", "4", "--s", "20", "--standardize"] + csvSmall,
             ["--task", "mnist", "--dataset", path("data.csv")], ["--x", path("multi-rows.npy")]),
            ("multiclass-convex", ["--task", "mnist", "--m", "4", "--s", "20", "--mode", "convex", "--center"] + csvSmall,
             ["--task", "mnist", "--dataset", path("data.csv")], ["--x", path("multi-rows.npy")]),
            ("inr-colour", ["--task", "inr", "--dataset", path("img.ppm"), "--m", "4", "--s", "20", "--steps", "3", "--fourier-features", "10"],
             ["--task", "inr", "--dataset", path("img.ppm")], ["--image", "6", "8", "3"]),
            ("inr-gray", ["--task", "inr", "--dataset", path("img.pgm"), "--m", "4", "--s", "20", "--steps", "3", "--fourier-features", "10"],
             ["--task", "inr", "--dataset", path("img.pgm")], ["--image", "6", "8"]),
        ]
        for (name, recover, evaluate, predict) in configs {
            let model = path("\(name).json"), toolOut = path("\(name)-tool.npy"), pyOut = path("\(name)-py.npy")
            try run(tool, ["recover"] + recover + ["--model", model, "--backend", "cpu"])
            try run(tool, ["evaluate", "--model", model] + evaluate + ["--predictions", toolOut, "--backend", "cpu"])
            try run(python, prefix + [predictPy, model] + predict + ["--out", pyOut])
            let a = try NumPyFile.read(toolOut), b = try NumPyFile.read(pyOut)
            XCTAssertEqual(a.shape, b.shape, name)
            let worst = zip(a.values, b.values).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(name): predict.py differs from evaluate by \(worst)")
            XCTAssert(a.values.contains { $0 != 0 }, "\(name): predictions are all zero")
        }
    }
}
