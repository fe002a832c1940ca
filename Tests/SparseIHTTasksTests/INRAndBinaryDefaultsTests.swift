import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData
import SparseIHTTasks
import XCTest

/// The inr feature map's coordinates, its held-out split, and the binary tasks' defaults
/// against the published preset.
final class INRAndBinaryDefaultsTests: XCTestCase {
    /// A 3 x 2 image (width 3, height 2) under the published recipe: feature f of pixel
    /// (r, c) is sin / cos of 2 pi (r B[f,0] + c B[f,1]) with B ~ N(0, 2^2) on the raw
    /// integer coordinates (sin block first); unit coordinates divide r by 2 and c by 3.
    func testRawCoordinateFeatureMapOnATinyImage() throws {
        let dir = try temporaryDirectory("raw-coordinates")
        let pixels: [Float] = [0, 0.2, 0.4, 0.6, 0.8, 1]
        try NetPBM.write(NetPBM.Image(width: 3, height: 2, channels: 1, pixels: pixels), to: dir + "/tiny.pgm")
        var spec = TaskSpec(task: .inr)
        spec.dataset = dir + "/tiny.pgm"; spec.fourierFeatures = 2; spec.seed = 5; spec.recipe = .published
        XCTAssertEqual(spec.resolvedCoordinates, .raw)
        let raw = try TaskData.make(spec, m: 1, plantedS: 1, backend: CPUBackend())
        spec.coordinates = .unit
        let unit = try TaskData.make(spec, m: 1, plantedS: 1, backend: CPUBackend())
        XCTAssertEqual(raw.n, 6); XCTAssertEqual(raw.d, 4)
        XCTAssertEqual(raw.sigmas, [4, 6])  // unit-coordinate scales: 2 x height, 2 x width
        XCTAssertEqual(unit.sigmas, [2, 2])
        XCTAssertEqual(raw.y.map { ($0 * 255).rounded() }, pixels.map { ($0 * 255).rounded() })
        // Pixel (0, 0): angle 0 exactly, whatever B is.
        XCTAssertEqual(Array(raw.x[0..<4]), [0, 0, 1, 1])
        let b = FourierMatrix.make(features: 2, sigmas: [2, 2], seed: 5)
        for r in 0..<2 { for c in 0..<3 { for f in 0..<2 {
            let i = r * 3 + c
            let rawAngle = 2 * Double.pi * (Double(r) * Double(b[2 * f]) + Double(c) * Double(b[2 * f + 1]))
            XCTAssertEqual(Double(raw.x[i * 4 + f]), sin(rawAngle), accuracy: 2e-5, "raw sin (\(r), \(c)) f \(f)")
            XCTAssertEqual(Double(raw.x[i * 4 + 2 + f]), cos(rawAngle), accuracy: 2e-5, "raw cos (\(r), \(c)) f \(f)")
            let unitAngle = 2 * Double.pi * (Double(r) / 2 * Double(b[2 * f]) + Double(c) / 3 * Double(b[2 * f + 1]))
            XCTAssertEqual(Double(unit.x[i * 4 + f]), sin(unitAngle), accuracy: 2e-6, "unit sin (\(r), \(c)) f \(f)")
            XCTAssertEqual(Double(unit.x[i * 4 + 2 + f]), cos(unitAngle), accuracy: 2e-6, "unit cos (\(r), \(c)) f \(f)")
        } } }
        XCTAssertEqual(FourierFeatures.unitSigmas([5, 5, 0.05], coordinates: .raw, width: 4, height: 3), [15, 20, 0.05])
        XCTAssertEqual(FourierFeatures.unitSigmas([2, 2], coordinates: .unit, width: 4, height: 3), [2, 2])
    }

    func testHeldOutSplitIsSeededAndDisjoint() throws {
        let a = TaskData.heldoutSamples(n: 784, fraction: 0.2, seed: 3)
        XCTAssertEqual(a, TaskData.heldoutSamples(n: 784, fraction: 0.2, seed: 3))
        XCTAssertNotEqual(a, TaskData.heldoutSamples(n: 784, fraction: 0.2, seed: 4))
        XCTAssertEqual(a.count, 157); XCTAssertEqual(a, a.sorted()); XCTAssertEqual(Set(a).count, a.count)
        XCTAssertTrue(a.allSatisfy { (0..<784).contains($0) })
        XCTAssertEqual(TaskData.heldoutSamples(n: 784, fraction: 0, seed: 3), [])

        let dir = try temporaryDirectory("holdout")
        try writeTestImage(to: dir + "/img.pgm", width: 12, height: 10)
        var spec = TaskSpec(task: .inr)
        spec.dataset = dir + "/img.pgm"; spec.m = 10; spec.s = 60; spec.fourierFeatures = 40; spec.steps = 8; spec.seed = 2
        spec.constantFeature = false  // 80 features per row
        let full = try TaskData.make(spec, m: 10, plantedS: 60, backend: CPUBackend())
        spec.holdout = 0.25
        let split = try TaskData.make(spec, m: 10, plantedS: 60, backend: CPUBackend())
        let held = try XCTUnwrap(split.heldout), heldIdx = try XCTUnwrap(split.heldoutSamples)
        let trainIdx = try XCTUnwrap(split.trainSamples)
        XCTAssertEqual(held.n, 30); XCTAssertEqual(split.n, 90); XCTAssertEqual(Set(heldIdx + trainIdx).count, 120)
        for (k, i) in heldIdx.enumerated() {
            XCTAssertEqual(Array(held.x[(k * 80)..<((k + 1) * 80)]), Array(full.x[(i * 80)..<((i + 1) * 80)]))
            XCTAssertEqual(held.y[k], full.y[i])
        }
        for (k, i) in trainIdx.enumerated() { XCTAssertEqual(split.y[k], full.y[i]) }

        let run = try TaskRunner.recover(spec, outputs: TaskOutputs(json: dir + "/r.json"), backend: CPUBackend())
        let again = try TaskRunner.recover(spec, backend: CPUBackend())
        let h = try XCTUnwrap(run.report.heldoutPsnr)
        XCTAssertTrue(h.isFinite); XCTAssertEqual(h.bitPattern, again.report.heldoutPsnr?.bitPattern)
        XCTAssertEqual(run.report.n, 90); XCTAssertEqual(run.report.holdout, 0.25)
        XCTAssertTrue(run.summary.contains("heldout_psnr"), run.summary)
        let json = try String(contentsOfFile: dir + "/r.json", encoding: .utf8)
        XCTAssertTrue(json.contains("\"heldout_psnr\""))
        let png = try PNGImage.read(dir + "/r.png")
        XCTAssertEqual(png.width * png.height, 120)
        spec.holdout = 1
        XCTAssertThrowsError(try spec.validate())
        var planted = TaskSpec(task: .planted)
        planted.holdout = 0.2
        XCTAssertThrowsError(try planted.validate())
    }

    /// Binary tasks: standardized inputs, cross-entropy and inflation 1.5 by default; the
    /// published recipe keeps raw pixels, squared loss and no inflation; each can be
    /// turned off by its flag; the baselines keep raw pixels.
    func testBinaryDefaultsAgainstThePublishedPreset() throws {
        for task in [TaskKind.binaryMNIST, .binaryCIFAR10] {
            let best = TaskSpec(task: task)
            XCTAssertTrue(best.resolvedStandardize); XCTAssertEqual(best.resolvedScalarLoss, .crossEntropy)
            XCTAssertEqual(best.resolvedInflation, 1.5)
            XCTAssertTrue(best.preprocessing.standardize)
            let o = best.scalarOptions(m: 4, s: 8, mode: .sequential)
            XCTAssertEqual(o.inflation, 1.5); XCTAssertEqual(o.loss, .crossEntropy); XCTAssertTrue(o.signedOutputs)
            var published = best
            try published.apply(flag: "recipe", value: "published")
            XCTAssertFalse(published.resolvedStandardize); XCTAssertEqual(published.resolvedScalarLoss, .squared)
            XCTAssertEqual(published.resolvedInflation, 1)
            let p = published.scalarOptions(m: 4, s: 8, mode: .sequential)
            XCTAssertEqual(p.inflation, 1); XCTAssertEqual(p.loss, .squared); XCTAssertFalse(p.signedOutputs)
            var off = best
            try off.apply(flag: "loss", value: "squared"); try off.apply(flag: "no-standardize", value: "true")
            try off.apply(flag: "inflation", value: "1")
            XCTAssertFalse(off.resolvedStandardize); XCTAssertEqual(off.resolvedScalarLoss, .squared); XCTAssertEqual(off.resolvedInflation, 1)
        }
        for task in [TaskKind.planted, .inr, .mnist] {
            XCTAssertFalse(TaskSpec(task: task).resolvedStandardize); XCTAssertEqual(TaskSpec(task: task).resolvedInflation, 1)
        }
        XCTAssertEqual(TaskSpec(task: .planted).resolvedScalarLoss, .squared)

        let dir = try temporaryDirectory("binary-defaults")
        try writeClusterCSV(to: dir + "/two.csv", classes: 2, perClass: 60, d: 12, seed: 4)
        var spec = TaskSpec(task: .binaryMNIST)
        spec.dataset = dir + "/two.csv"; spec.m = 6; spec.s = 30; spec.epochs = 3; spec.batch = 40
        let r = try TaskRunner.recover(spec, backend: CPUBackend()).report
        XCTAssertEqual(r.loss, "cross-entropy"); XCTAssertEqual(r.standardize, true)
        spec.recipe = .published
        let p = try TaskRunner.recover(spec, backend: CPUBackend()).report
        XCTAssertEqual(p.loss, "squared"); XCTAssertEqual(p.standardize, false)
        // A batch of more rows than the split has is full batch (it used to trip a precondition).
        spec.batch = 1000
        let full = try TaskRunner.recover(spec, backend: CPUBackend()).report
        XCTAssertEqual(full.batch, full.n); XCTAssertGreaterThan(full.testAccuracy ?? 0, 0.9)
        var imp = BaselineSpec(task: { var t = spec; t.recipe = nil; t.epochs = 1; return t }(), targets: [30])
        imp.task.pruneFraction = 0.5
        let base = try BaselineRunner.run(imp, backend: CPUBackend()).report
        XCTAssertEqual(base.standardize, false)
    }
}
