import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData
import SparseIHTTasks
import XCTest

/// inr's constant feature: when it is on, what it appends, and that a saved model carries it.
final class INRConstantFeatureTests: XCTestCase {
    /// On by default and under `--recipe best`, off under `--recipe published`; the flag
    /// wins either way; other tasks refuse it. The default inr run is the published solver
    /// and feature map at m 50; `--recipe published` is the published run at m 200.
    func testConstantFeatureResolution() throws {
        let inr = TaskSpec(task: .inr)
        XCTAssertTrue(inr.resolvedConstantFeature)
        XCTAssertEqual(inr.resolvedM, 50); XCTAssertEqual(inr.resolvedS, 1000)
        XCTAssertEqual(inr.resolvedRecipe, .published); XCTAssertEqual(inr.resolvedCoordinates, .raw)
        var spec = TaskSpec(task: .inr)
        try spec.apply(flag: "recipe", value: "published")
        XCTAssertFalse(spec.resolvedConstantFeature)
        XCTAssertEqual(spec.resolvedM, 200); XCTAssertEqual(spec.resolvedCoordinates, .raw)
        spec.m = 30
        XCTAssertEqual(spec.resolvedM, 30)
        XCTAssertEqual(TaskSpec(task: .planted).resolvedM, 10); XCTAssertEqual(TaskSpec(task: .binaryMNIST).resolvedM, 100)
        try spec.apply(flag: "constant-feature", value: "true")
        XCTAssertTrue(spec.resolvedConstantFeature)
        var best = TaskSpec(task: .inr)
        try best.apply(flag: "recipe", value: "best")
        XCTAssertTrue(best.resolvedConstantFeature)
        try best.apply(flag: "constant-feature", value: "false")
        XCTAssertFalse(best.resolvedConstantFeature)
        var planted = TaskSpec(task: .planted)
        planted.constantFeature = true
        XCTAssertThrowsError(try planted.validate())
    }

    /// The rows with the constant feature are the published rows with a 1 appended; the
    /// report says so, and a saved model rebuilds the same rows in `evaluate` (same PSNR),
    /// while a model file whose width does not match its feature settings is refused.
    func testConstantFeatureRowsAndEvaluateRoundTrip() throws {
        let dir = try temporaryDirectory("constant-feature")
        try writeTestImage(to: dir + "/img.pgm", width: 9, height: 8)
        var spec = TaskSpec(task: .inr)
        spec.dataset = dir + "/img.pgm"; spec.m = 4; spec.s = 40; spec.fourierFeatures = 12; spec.steps = 6; spec.seed = 3
        spec.recipe = .published
        let plain = try TaskData.make(spec, m: 4, plantedS: 40, backend: CPUBackend())
        spec.constantFeature = true
        let with = try TaskData.make(spec, m: 4, plantedS: 40, backend: CPUBackend())
        XCTAssertEqual(plain.d, 24); XCTAssertEqual(with.d, 25); XCTAssertEqual(with.n, 72)
        for i in 0..<72 {
            XCTAssertEqual(Array(with.x[(i * 25)..<(i * 25 + 24)]), Array(plain.x[(i * 24)..<((i + 1) * 24)]), "row \(i)")
            XCTAssertEqual(with.x[i * 25 + 24], 1, "row \(i)")
        }
        XCTAssertEqual(FourierFeatures.appendingConstant([1, 2, 3, 4], n: 2, d: 2), [1, 2, 1, 3, 4, 1])

        let run = try TaskRunner.recover(spec, outputs: TaskOutputs(model: dir + "/m.json"), backend: CPUBackend())
        XCTAssertEqual(run.report.constantFeature, true); XCTAssertEqual(run.report.d, 25)
        var evalTask = TaskSpec(task: .inr)
        evalTask.dataset = spec.dataset
        let eval = try Evaluation.run(EvaluationSpec(model: dir + "/m.json", task: evalTask), backend: CPUBackend()).report
        let (e, f) = (try XCTUnwrap(eval.psnr), try XCTUnwrap(run.report.psnr))
        XCTAssertEqual(e, f, accuracy: 1e-6 * abs(f))

        var file = try ModelFile.read(dir + "/m.json")
        XCTAssertEqual(file.fourierConstant, true)
        file.fourierConstant = nil
        XCTAssertThrowsError(try file.validate(path: "m.json"), "25 inputs are not 2 x 12 features")
    }
}
