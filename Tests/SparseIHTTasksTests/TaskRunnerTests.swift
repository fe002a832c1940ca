import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData
import SparseIHTTasks
import XCTest

/// Task runs through the library, at small sizes.
final class TaskRunnerTests: XCTestCase {
    func plantedSpec() -> TaskSpec {
        var spec = TaskSpec(task: .planted)
        spec.n = 400; spec.d = 20; spec.m = 3; spec.s = 15
        return spec
    }

    func testPlantedRecoversOnBothBackendsAndRepeatsBitForBit() throws {
        for backend in [CPUBackend() as any ComputeBackend, try openCLForTaskTests()] {
            let a = try TaskRunner.recover(plantedSpec(), backend: backend).report
            let b = try TaskRunner.recover(plantedSpec(), backend: backend).report
            XCTAssertGreaterThan(a.psnr ?? 0, 80, backend.deviceDescription)
            XCTAssertLessThan(a.relativeWeightError ?? 1, 1e-3)
            XCTAssertEqual(a.supportRecall, 1)
            XCTAssertEqual(a.psnr?.bitPattern, b.psnr?.bitPattern)
            func untimed(_ h: [HistoryEntry]?) -> [HistoryEntry] { (h ?? []).map { var e = $0; e.seconds = nil; return e } }
            XCTAssertEqual(untimed(a.history), untimed(b.history))
            XCTAssertEqual(a.m, 3); XCTAssertEqual(a.s, 15); XCTAssertEqual(a.mode, "sequential"); XCTAssertNotNil(a.diagnostics)
        }
    }

    func testDefaultsTableDrivesUnsetSettings() throws {
        XCTAssertEqual(TaskSpec(task: .mnist).resolvedM, 1000)
        XCTAssertEqual(TaskSpec(task: .mnist).resolvedS, 2000)
        XCTAssertEqual(TaskSpec(task: .gaussian).resolvedM, 1)
        XCTAssertEqual(TaskSpec(task: .inr).resolvedRecipe, .published)
        XCTAssertEqual(TaskSpec(task: .inr).scalarOptions(m: 2, s: 4, mode: .sequential).steps, 100)
        var published = TaskSpec(task: .planted)
        published.recipe = .published
        XCTAssertEqual(published.scalarOptions(m: 2, s: 4, mode: .sequential).steps, 15)
        XCTAssertEqual(TaskDefaults.of(.binaryMNIST).batch, 1000)
        let dict = try TaskRunner.recover({ var s = plantedSpec(); s.task = .plantedDictionary; return s }(), backend: CPUBackend()).report
        XCTAssertEqual(dict.mode, "convex")
        let gauss = try TaskRunner.recover({ var s = TaskSpec(task: .gaussian); s.n = 200; s.d = 60; s.s = 8; return s }(),
                                           backend: CPUBackend()).report
        XCTAssertEqual(gauss.mode, "linear"); XCTAssertEqual(gauss.m, 1)
        XCTAssertGreaterThan(gauss.psnr ?? 0, 80)
    }

    func testFlagsParseAndBadValuesThrow() throws {
        var spec = TaskSpec()
        try spec.apply(flag: "m", value: "7"); try spec.apply(flag: "planted-s", value: "9")
        try spec.apply(flag: "recipe", value: "published"); try spec.apply(flag: "center", value: "true")
        try spec.apply(flag: "classes", value: "3, 5")
        XCTAssertEqual(spec.m, 7); XCTAssertEqual(spec.plantedS, 9); XCTAssertEqual(spec.recipe, .published)
        XCTAssertTrue(spec.center); XCTAssertEqual(spec.classes, [3, 5])
        XCTAssertThrowsError(try spec.apply(flag: "m", value: "x"))
        XCTAssertThrowsError(try spec.apply(flag: "no-such-flag", value: "1"))
        XCTAssertThrowsError(try spec.apply(flag: "classes", value: "1,-2"))
        var files = TaskSpec(task: .files)
        XCTAssertThrowsError(try files.validate())
        files.x = "x.npy"; files.y = "y.npy"; files.outputs = 2
        XCTAssertThrowsError(try files.validate())
    }

    func testFilesTaskWritesOutputsAndReportKeys() throws {
        let dir = try temporaryDirectory("files")
        var g = SeededGenerator(seed: 3)
        let x = g.normals(200 * 10)
        var y = [Float](repeating: 0, count: 200)
        for i in 0..<200 {
            var sum: Float = 0
            for j in 0..<10 { sum += x[i * 10 + j] * Float(j % 3) }
            y[i] = max(0, sum)
        }
        try NumPyFile.write(x, shape: [200, 10], to: dir + "/X.npy")
        try NumPyFile.write(y, shape: [200], to: dir + "/y.npy")
        var spec = TaskSpec(task: .files)
        spec.x = dir + "/X.npy"; spec.y = dir + "/y.npy"; spec.m = 2; spec.s = 12; spec.steps = 10
        let run = try TaskRunner.recover(spec, outputs: TaskOutputs(weights: dir + "/w.npy", model: dir + "/m.json",
                                                                    json: dir + "/r.json"), backend: CPUBackend())
        XCTAssertEqual(try NumPyFile.read(dir + "/w.npy").shape, [10, 2])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any]
        let keys: [String] = ["schema_version", "psnr", "relative_residual", "steps", "seconds", "peak_rss_bytes", "backend",
                              "device", "support_size", "stop_reason", "history", "options", "diagnostics"]
        for key in keys { XCTAssertNotNil(json?[key], key) }
        XCTAssertNil(json?["relative_weight_error"], "files has no planted truth")
        XCTAssertEqual(try JSONDecoder().decode(RunReport.self, from: try run.report.encoded()), run.report)
        let eval = try Evaluation.run(EvaluationSpec(model: dir + "/m.json", task: spec), backend: CPUBackend()).report
        // The solver scores its fit with products on the support; evaluate predicts with the
        // saved model's dense gated product: the same model, summed in another order.
        let (e, f) = (try XCTUnwrap(eval.psnr), try XCTUnwrap(run.report.psnr))
        XCTAssertEqual(e, f, accuracy: 1e-6 * abs(f))
    }

    func testBinaryAndMulticlassOnCSVWithEvaluateRoundTrip() throws {
        let dir = try temporaryDirectory("classes")
        try writeClusterCSV(to: dir + "/three.csv", classes: 3, perClass: 60, d: 12, seed: 1)
        var binary = TaskSpec(task: .binaryMNIST)
        binary.dataset = dir + "/three.csv"; binary.classes = [0, 2]; binary.m = 6; binary.s = 30; binary.epochs = 4; binary.batch = 40
        let b = try TaskRunner.recover(binary, outputs: TaskOutputs(model: dir + "/b.json"), backend: CPUBackend())
        XCTAssertGreaterThan(b.report.testAccuracy ?? 0, 0.9)
        XCTAssertEqual(b.report.classes, .list([0, 2]))
        let eval = try Evaluation.run(EvaluationSpec(model: dir + "/b.json", task: binary), backend: CPUBackend()).report
        XCTAssertEqual(eval.accuracy, b.report.testAccuracy)
        // The model file says where it came from: task, classes, split, the dataset's checksum.
        let provenance = try XCTUnwrap(try ModelFile.read(dir + "/b.json").provenance)
        XCTAssertEqual(provenance.task, "binary-mnist"); XCTAssertEqual(provenance.classes, [0, 2])
        XCTAssertEqual(provenance.split, "published"); XCTAssertEqual(provenance.dataset, dir + "/three.csv")
        XCTAssertEqual(provenance.datasetSHA256, try FileChecksum.sha256(path: dir + "/three.csv"))
        XCTAssertEqual(provenance.seed, 0); XCTAssertEqual(provenance.version, sparseIHTVersion)
        var multi = TaskSpec(task: .mnist)
        multi.dataset = dir + "/three.csv"; multi.m = 8; multi.s = 60; multi.epochs = 8; multi.batch = 50; multi.lr = 0.2
        let r = try TaskRunner.recover(multi, backend: CPUBackend()).report
        XCTAssertEqual(r.classes, .count(3)); XCTAssertEqual(r.loss, "cross-entropy")
        XCTAssertEqual(r.history?.count, 8)
        XCTAssertGreaterThan(r.testAccuracy ?? 0, 0.9)
    }

    /// A batch as large as the data (or larger) is a full-batch run: it must not crash
    /// (the MNIST sample's binary task has 800 rows and the published batch of 1,000).
    func testBatchAtLeastTheRowsIsFullBatch() throws {
        let dir = try temporaryDirectory("bigbatch")
        try writeClusterCSV(to: dir + "/two.csv", classes: 2, perClass: 12, d: 6, seed: 5)
        var spec = TaskSpec(task: .binaryMNIST)
        spec.dataset = dir + "/two.csv"; spec.m = 3; spec.s = 6; spec.epochs = 2; spec.batch = 1000
        for backend in [true, false] {
            let r = backend ? try TaskRunner.recover(spec, backend: CPUBackend()).report
                            : try TaskRunner.recover(spec, backend: try openCLForTaskTests()).report
            XCTAssertEqual(r.steps, 2)
            XCTAssertNotNil(r.testAccuracy)
        }
    }

    func testImageVectorAndLayeredRuns() throws {
        let dir = try temporaryDirectory("image")
        try writeTestImage(to: dir + "/img.pgm", width: 12, height: 10)
        var inr = TaskSpec(task: .inr)
        inr.dataset = dir + "/img.pgm"; inr.m = 10; inr.s = 60; inr.fourierFeatures = 40; inr.steps = 8
        let r = try TaskRunner.recover(inr, outputs: TaskOutputs(json: dir + "/inr.json"), backend: CPUBackend()).report
        let fitted = try PNGImage.read(dir + "/inr.png")  // the fitted image beside the report
        XCTAssertEqual(fitted.width, 12); XCTAssertEqual(fitted.height, 10); XCTAssertEqual(fitted.channels, 1)
        XCTAssertEqual(r.width, 12); XCTAssertEqual(r.d, 81)  // 2 x 40 Fourier features and the constant one
        XCTAssertEqual(r.constantFeature, true); XCTAssertEqual(r.psnrPeak, 1); XCTAssertEqual(r.history?.count, 8)
        var vector = TaskSpec(task: .planted)
        vector.n = 300; vector.d = 10; vector.m = 4; vector.s = 30; vector.outputs = 2; vector.epochs = 3
        let v = try TaskRunner.recover(vector, backend: CPUBackend()).report
        XCTAssertEqual(v.outputs, 2); XCTAssertEqual(v.steps, 3); XCTAssertNotNil(v.diverged)
        var deep = vector
        deep.outputs = 1; deep.layers = 2; deep.steps = 5
        let l = try TaskRunner.recover(deep, backend: CPUBackend()).report
        XCTAssertEqual(l.layers, 2); XCTAssertLessThanOrEqual(l.supportSize ?? 99, 30)
    }

    func testBaselinesScoreEveryTarget() throws {
        var t = TaskSpec(task: .planted)
        t.n = 200; t.d = 10; t.m = 5; t.epochs = 2
        var imp = BaselineSpec(task: t, targets: [20, 40])
        imp.task.pruneFraction = 0.3
        let r = try BaselineRunner.run(imp, backend: CPUBackend()).report
        XCTAssertEqual(r.results?.map(\.s), [20, 40])
        XCTAssertTrue(r.results?.allSatisfy { $0.remaining <= $0.s } ?? false)
        XCTAssertEqual(r.metric, "psnr"); XCTAssertFalse(r.rounds?.isEmpty ?? true)
        let encoded = String(decoding: try r.encoded(), as: UTF8.self)
        XCTAssertTrue(encoded.contains("\"psnr\" :") && encoded.contains("\"seconds_to_reach\""))
        var magnitude = imp
        magnitude.method = .magnitude
        let m = try BaselineRunner.run(magnitude, backend: CPUBackend()).report
        XCTAssertEqual(m.results?.count, 3)  // the dense network, then each target
        XCTAssertEqual(m.rounds, [])
    }
}
