import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL
import SparseIHTTasks
import XCTest

/// The built `sparse-iht` binary as a user meets it: option errors, output paths checked
/// before the run, real signals, evaluate's guards, selftest and the device choice.
final class CommandLineTests: XCTestCase {
    struct Result { var status: Int32; var out: String; var err: String }

    func executable() throws -> String {
        let dirs = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
            + Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        guard let path = dirs.map({ $0.appendingPathComponent("sparse-iht").path }).first(where: FileManager.default.isExecutableFile) else {
            XCTFail("sparse-iht is not built beside the tests")
            throw CocoaError(.fileNoSuchFile)
        }
        return path
    }

    /// Starts the binary with stdout and stderr going to files in `dir`.
    func start(_ arguments: [String], dir: String, environment: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try executable())
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        p.environment = env
        FileManager.default.createFile(atPath: dir + "/stdout", contents: nil)
        FileManager.default.createFile(atPath: dir + "/stderr", contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/stdout"))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/stderr"))
        try p.run()
        return p
    }

    func finished(_ p: Process, dir: String) -> Result {
        p.waitUntilExit()
        func text(_ name: String) -> String { String(decoding: FileManager.default.contents(atPath: dir + "/" + name) ?? Data(), as: UTF8.self) }
        return Result(status: p.terminationStatus, out: text("stdout"), err: text("stderr"))
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let dir = try temporaryDirectory("cli-run")
        return finished(try start(arguments, dir: dir, environment: environment), dir: dir)
    }

    // MARK: options

    func testNumericAndChoiceErrorsNameTheOptionAndTheProblem() throws {
        let cases: [([String], String)] = [
            (["--m", "-1"], "'-1' is invalid for '--m <m>': must be a whole number from 1"),
            (["--m", "9223372036854775807"], "must be a whole number from 1 to 2147483647"),
            (["--inflation", "inf"], "'inf' is invalid for '--inflation"),
            (["--output-share", "nan"], "'nan' is invalid for '--output-share"),
            (["--fourier-features=-1"], "'-1' is invalid for '--fourier-features"),
            (["--chunk", "0"], "'0' is invalid for '--chunk"),
            (["--task", "binary-mnist", "--classes", "0,0"], "distinct class indices"),
            (["--task", "binary-mnist", "--steps", "5"], "--steps does not apply to binary-mnist"),
            (["--task", "planted", "--outputs", "3", "--steps", "5"], "--steps does not apply to planted with --outputs 3"),
        ]
        for (flags, message) in cases {
            let r = try run(["recover"] + flags)
            XCTAssertEqual(r.status, 64, "\(flags): \(r.err)")
            XCTAssertTrue(r.err.contains(message), "\(flags): \(r.err)")
            XCTAssertFalse(r.err.contains("Missing value"), "\(flags): \(r.err)")
        }
    }

    func testVersionAndHelpListTheChoices() throws {
        let v = try run(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertEqual(v.out.trimmingCharacters(in: .whitespacesAndNewlines), "sparse-iht \(sparseIHTVersion)")
        let help = try run(["recover", "--help"], environment: ["COLUMNS": "400"]).out
        for group in ["DATA:", "SOLVER:", "OUTPUTS:", "BACKEND:"] { XCTAssertTrue(help.contains(group), group) }
        for values in ["planted, planted-dictionary, gaussian, files, binary-mnist, mnist", "sequential, convex",
                       "best, search, published", "squared, cross-entropy", "published, full", "neuron-consistent, per-layer",
                       "auto, cpu, opencl"] {
            XCTAssertTrue(help.contains(values), values)
        }
    }

    // MARK: outputs

    func testOutputPathsAreCheckedBeforeAnyWork() throws {
        let dir = try temporaryDirectory("cli-paths")
        // The dataset does not exist either: an error naming the output proves the check came first.
        let base = ["recover", "--task", "binary-mnist", "--dataset", dir + "/no-such-dataset", "--backend", "cpu"]
        for (flag, path) in [("--json", dir + "/missing/r.json"), ("--model", dir), ("--weights", dir + "/missing/w.npy"),
                             ("--sparse-weights", dir + "/missing/sw"), ("--log", dir + "/missing/log.jsonl")] {
            let r = try run(base + [flag, path])
            XCTAssertEqual(r.status, 1, "\(flag): \(r.err)")
            XCTAssertTrue(r.err.contains(flag) && r.err.contains(path), "\(flag): \(r.err)")
            XCTAssertFalse(r.err.contains("Usage:"), "\(flag): \(r.err)")
            XCTAssertFalse(r.err.contains("no-such-dataset"), "\(flag): \(r.err)")
        }
        let sweep = try run(["sweep", "--out", dir + "/missing/r.jsonl", "--n", "100", "--d", "5", "--backend", "cpu"])
        XCTAssertEqual(sweep.status, 1)
        XCTAssertTrue(sweep.err.contains("--out"), sweep.err)
        let evaluate = try run(["evaluate", "--model", dir + "/none.json", "--task", "binary-mnist", "--json", dir + "/missing/e.json"])
        XCTAssertEqual(evaluate.status, 1)
        XCTAssertTrue(evaluate.err.contains("--json"), evaluate.err)
    }

    /// A run stopped by a real SIGINT or SIGTERM halfway leaves the previous outputs byte
    /// for byte, no temporary files, exits 128 + the signal and says so.
    func testSignalsLeaveEarlierOutputsIntact() throws {
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let dir = try temporaryDirectory("cli-signal")
            let previous = Data("previous good file\n".utf8)
            for name in ["r.json", "w.npy", "m.json"] { FileManager.default.createFile(atPath: dir + "/" + name, contents: previous) }
            let p = try start(["recover", "--n", "4000", "--d", "40", "--m", "10", "--s", "100", "--steps", "100000",
                               "--tolerance", "0", "--no-diagnostics", "--backend", "cpu", "--json", dir + "/r.json",
                               "--weights", dir + "/w.npy", "--model", dir + "/m.json", "--log", dir + "/log.jsonl"], dir: dir)
            let deadline = Date().addingTimeInterval(120)
            func records() -> Int { (FileManager.default.contents(atPath: dir + "/log.jsonl") ?? Data()).filter { $0 == 10 }.count }
            while records() < 3 && p.isRunning && Date() < deadline { usleep(20_000) }
            XCTAssertTrue(p.isRunning, "the run ended before the signal; the test needs a longer run")
            kill(p.processIdentifier, signal)
            let r = finished(p, dir: dir)
            XCTAssertEqual(r.status, status, r.err)
            XCTAssertTrue(r.err.contains("interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"), r.err)
            XCTAssertTrue(r.err.contains(dir + "/r.json"), r.err)
            for name in ["r.json", "w.npy", "m.json"] {
                XCTAssertEqual(FileManager.default.contents(atPath: dir + "/" + name), previous, name)
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".partial-") }
            XCTAssertEqual(left, [], "temporary files left behind")
        }
    }

    /// A sweep stopped by SIGTERM keeps its finished rows whole and stops its running cells.
    func testSweepStoppedBySIGTERMKeepsItsRows() throws {
        let dir = try temporaryDirectory("cli-sweep-signal")
        let out = dir + "/r.jsonl"
        let p = try start(["sweep", "--task", "planted", "--m", "2,4", "--s", "10,20", "--seeds", "0,1,2", "--n", "4000", "--d", "40",
                           "--steps", "300", "--tolerance", "0", "--no-diagnostics", "--backend", "cpu", "--out", out], dir: dir)
        let deadline = Date().addingTimeInterval(120)
        while (try? ResultsFile.load(out).rows.count) ?? 0 < 1 && p.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(p.isRunning, "the sweep ended before the signal; the test needs a longer grid")
        kill(p.processIdentifier, SIGTERM)
        let r = finished(p, dir: dir)
        XCTAssertEqual(r.status, 143, r.err)
        XCTAssertTrue(r.err.contains("the finished cells in \(out) are kept"), r.err)
        let loaded = try ResultsFile.load(out)
        XCTAssertFalse(loaded.damaged)
        XCTAssertGreaterThanOrEqual(loaded.rows.count, 1)
        XCTAssertLessThan(loaded.rows.count, 12)
    }

    func testLogStreamsOneRecordPerStepAndEpoch() throws {
        let dir = try temporaryDirectory("cli-log")
        let r = try run(["recover", "--n", "500", "--d", "10", "--m", "3", "--s", "12", "--steps", "7", "--tolerance", "0",
                         "--backend", "cpu", "--log", dir + "/steps.jsonl", "--json", dir + "/r.json"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = String(decoding: FileManager.default.contents(atPath: dir + "/steps.jsonl") ?? Data(), as: UTF8.self)
            .split(separator: "\n")
        XCTAssertEqual(lines.count, 7)
        let records = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(records.map { $0["step"] as? Int }, (1...7).map { $0 })
        XCTAssertEqual(records.first?["kind"] as? String, "step")
        XCTAssertEqual(records.first?["total"] as? Int, 7)
        for key in ["psnr", "relative_residual", "support", "support_changes", "seconds", "elapsed"] {
            XCTAssertNotNil(records.last?[key], key)
        }
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any])
        XCTAssertEqual((records.last?["psnr"] as? Double).map { ($0 * 1e6).rounded() }, (report["psnr"] as? Double).map { ($0 * 1e6).rounded() })
        let v = try run(["recover", "--outputs", "2", "--n", "300", "--d", "10", "--m", "4", "--s", "30", "--epochs", "3",
                         "--backend", "cpu", "--log", dir + "/epochs.jsonl"])
        XCTAssertEqual(v.status, 0, v.err)
        let epochs = String(decoding: FileManager.default.contents(atPath: dir + "/epochs.jsonl") ?? Data(), as: UTF8.self)
            .split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(epochs.map { $0["epoch"] as? Int }, [1, 2, 3])
        XCTAssertEqual(epochs.first?["kind"] as? String, "epoch")
        XCTAssertNotNil(epochs.first?["loss"])
        try writeClusterCSV(to: dir + "/three.csv", classes: 3, perClass: 40, d: 8, seed: 6)
        let b = try run(["recover", "--task", "binary-mnist", "--dataset", dir + "/three.csv", "--m", "4", "--s", "16",
                         "--epochs", "2", "--batch", "40", "--backend", "cpu", "--log", dir + "/binary.jsonl"])
        XCTAssertEqual(b.status, 0, b.err)
        let binary = String(decoding: FileManager.default.contents(atPath: dir + "/binary.jsonl") ?? Data(), as: UTF8.self)
            .split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(binary.filter { $0["kind"] as? String == "step" }.count, 4)  // 80 rows in batches of 40, 2 epochs
        let scores = binary.filter { $0["kind"] as? String == "score" }
        XCTAssertEqual(scores.map { $0["epoch"] as? Int }, [1, 2])
        XCTAssertNotNil(scores.last?["test_accuracy"] as? Double)
    }

    func testWeightsOnClassificationAndRefusedOnVectorRuns() throws {
        let dir = try temporaryDirectory("cli-weights")
        try writeClusterCSV(to: dir + "/three.csv", classes: 3, perClass: 40, d: 8, seed: 2)
        let b = try run(["recover", "--task", "binary-mnist", "--dataset", dir + "/three.csv", "--classes", "0,2", "--m", "4",
                         "--s", "16", "--epochs", "2", "--batch", "40", "--backend", "cpu", "--weights", dir + "/w.npy",
                         "--sparse-weights", dir + "/sw"])
        XCTAssertEqual(b.status, 0, b.err)
        let dense = try NumPyFile.read(dir + "/w.npy")
        XCTAssertEqual(dense.shape, [8, 4])
        XCTAssertEqual(dense.values.filter { $0 != 0 }.count, try NumPyFile.read(dir + "/sw.values.npy").values.count)
        XCTAssertEqual(try NumPyFile.read(dir + "/sw.indices.npy").values.count, try NumPyFile.read(dir + "/sw.values.npy").values.count)
        let v = try run(["recover", "--task", "mnist", "--dataset", dir + "/three.csv", "--weights", dir + "/w2.npy"])
        XCTAssertEqual(v.status, 1)
        XCTAssertTrue(v.err.contains("--weights and --sparse-weights write one d x m matrix"), v.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/w2.npy"))
    }

    // MARK: evaluate

    func testEvaluateRefusesAModelOfAnotherShapeOrTask() throws {
        let dir = try temporaryDirectory("cli-evaluate")
        try writeClusterCSV(to: dir + "/three.csv", classes: 3, perClass: 40, d: 8, seed: 3)
        let data = ["--dataset", dir + "/three.csv", "--backend", "cpu"]
        XCTAssertEqual(try run(["recover", "--task", "mnist", "--m", "4", "--s", "30", "--epochs", "1", "--batch", "40",
                                "--model", dir + "/three.json"] + data).status, 0)
        let asBinary = try run(["evaluate", "--model", dir + "/three.json", "--task", "binary-mnist"] + data)
        XCTAssertEqual(asBinary.status, 1)
        // The recorded task refuses it first (models carry their provenance); the shape would too.
        XCTAssertTrue(asBinary.err.contains("it was trained on the mnist task") || asBinary.err.contains("the model has 3 outputs"), asBinary.err)
        let twoClasses = try run(["evaluate", "--model", dir + "/three.json", "--task", "mnist", "--classes", "0,1"] + data)
        XCTAssertEqual(twoClasses.status, 1)
        XCTAssertTrue(twoClasses.err.contains("the model has 3 outputs, the data 2 classes"), twoClasses.err)
        try writeClusterCSV(to: dir + "/wide.csv", classes: 3, perClass: 40, d: 9, seed: 3)
        let wide = try run(["evaluate", "--model", dir + "/three.json", "--task", "mnist", "--dataset", dir + "/wide.csv", "--backend", "cpu"])
        XCTAssertEqual(wide.status, 1)
        XCTAssertTrue(wide.err.contains("takes 8 inputs per row"), wide.err)
        XCTAssertEqual(try run(["evaluate", "--model", dir + "/three.json", "--task", "mnist"] + data).status, 0)
    }

    /// A provenance block (task, classes, split, dataset) is checked when the file has one.
    func testEvaluateUsesProvenanceWhenPresent() throws {
        let dir = try temporaryDirectory("cli-provenance")
        try writeClusterCSV(to: dir + "/three.csv", classes: 3, perClass: 40, d: 8, seed: 4)
        var spec = TaskSpec(task: .binaryMNIST)
        spec.dataset = dir + "/three.csv"; spec.classes = [0, 2]; spec.m = 4; spec.s = 16; spec.epochs = 1; spec.batch = 40
        _ = try TaskRunner.recover(spec, outputs: TaskOutputs(model: dir + "/m.json"), backend: CPUBackend())
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json"))) as? [String: Any])
        root["provenance"] = ["task": "binary-mnist", "classes": [0, 2], "split": "full", "dataset": "fashion"]
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: dir + "/m.json"))
        let match = try ModelMatch(path: dir + "/m.json", file: ModelFile.read(dir + "/m.json"))
        XCTAssertEqual(match.classes, [0, 2]); XCTAssertEqual(match.split, "full")
        var eval = EvaluationSpec(model: dir + "/m.json", task: spec)
        XCTAssertNoThrow(try match.check(eval))
        eval.task.classes = [0, 1]
        XCTAssertThrowsError(try match.check(eval)) { XCTAssertTrue("\($0)".contains("trained on classes 0,2, not 0,1")) }
        eval.task.classes = [0, 2]; eval.task.task = .binaryCIFAR10
        XCTAssertThrowsError(try match.check(eval)) { XCTAssertTrue("\($0)".contains("trained on the binary-mnist task")) }
        // Trained on the full training files, scored on the published split's test rows (drawn from them).
        var overlap = EvaluationSpec(model: dir + "/m.json", task: TaskSpec(task: .binaryMNIST))
        overlap.task.dataset = "fashion"; overlap.task.classes = [0, 2]
        XCTAssertNotNil(match.overlapWarning(overlap))
        overlap.task.split = .full
        XCTAssertNil(match.overlapWarning(overlap))
        let r = try run(["evaluate", "--model", dir + "/m.json", "--task", "binary-mnist", "--classes", "0,1",
                         "--dataset", dir + "/three.csv", "--backend", "cpu"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.contains("trained on classes 0,2"), r.err)
    }

    // MARK: devices

    func testSelftestRunsWithoutFlagsAndReadsTheDeviceVariable() throws {
        guard (try? CLDevice.all())?.isEmpty == false else { throw XCTSkip("no OpenCL device") }
        let r = try run(["selftest", "--topk-size", "4096"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("0 failed"), r.out)
        let plain = try run(["selftest"])
        XCTAssertEqual(plain.status, 0, plain.err)
        let named = try run(["selftest"], environment: ["SPARSEIHT_DEVICE": "no-such-device"])
        XCTAssertEqual(named.status, 1)
        XCTAssertTrue(named.err.contains("no-such-device"), named.err)
    }

    func testDeviceGPUWithoutAGPUIsAnError() throws {
        let devices = (try? CLDevice.all()) ?? []
        guard !devices.contains(where: { $0.type == "gpu" }) else { throw XCTSkip("this machine has an OpenCL GPU") }
        let flags = ["recover", "--n", "200", "--d", "5", "--m", "2", "--s", "4", "--steps", "2"]
        let gpu = try run(flags + ["--device", "gpu"])
        XCTAssertEqual(gpu.status, 1, gpu.err)
        XCTAssertTrue(gpu.err.contains("'gpu'"), gpu.err)
        XCTAssertFalse(gpu.out.contains("psnr"), gpu.out)
        let auto = try run(flags, environment: ["SPARSEIHT_DEVICE": "auto"])
        XCTAssertEqual(auto.status, 0, auto.err)
        XCTAssertTrue(auto.err.contains("using the CPU backend"), auto.err)
    }
}
