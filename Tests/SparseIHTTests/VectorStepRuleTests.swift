@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// The vector solver's step rules: output-layer step, schedule and warm-up, gradient steps
/// on the support, seed scale; and the unit-scale hidden features of layer-wise training.
final class VectorStepRuleTests: XCTestCase, VectorFixture {
    func testScheduleFactors() {
        var o = VectorOptions(m: 2, s: 4)
        XCTAssertEqual(o.stepFactor(step: 7, total: 10, perEpoch: 2), 1)
        XCTAssertEqual(o.effectiveOutputLearningRate, o.effectiveLearningRate)
        o.schedule = .cosine
        XCTAssertEqual(o.stepFactor(step: 0, total: 10, perEpoch: 2), 1)
        XCTAssertEqual(o.stepFactor(step: 5, total: 10, perEpoch: 2), 0.5, accuracy: 1e-12)
        XCTAssertEqual(o.stepFactor(step: 9, total: 10, perEpoch: 2), 0.5 * (1 + cos(0.9 * Double.pi)), accuracy: 1e-12)
        o.schedule = .constant; o.warmupEpochs = 2
        XCTAssertEqual(o.stepFactor(step: 0, total: 10, perEpoch: 2), 0.25)
        XCTAssertEqual(o.stepFactor(step: 3, total: 10, perEpoch: 2), 1)
        o.warmupEpochs = -1
        XCTAssertThrowsError(try o.validate(n: 10, d: 2, k: 1))
        o.warmupEpochs = 0; o.outputLearningRate = 0
        XCTAssertThrowsError(try o.validate(n: 10, d: 2, k: 1))
        o.outputLearningRate = nil; o.refineSteps = -1
        XCTAssertThrowsError(try o.validate(n: 10, d: 2, k: 1))
    }

    /// The defaults of the new settings reproduce the published step bit for bit; an
    /// explicit output step equal to the first layer's is the same run; other settings
    /// change it.
    func testNewSettingsAtDefaultsChangeNothing() throws {
        let b = CPUBackend(), p = try problem(b)
        let (base, _) = try train(b, options(), p)
        let (same, _) = try train(b, options { $0.outputLearningRate = 5; $0.seedScale = 1; $0.refineSteps = 0 }, p)
        XCTAssertEqual(base.blocks, same.blocks)
        let (other, _) = try train(b, options { $0.outputLearningRate = 1 }, p)
        XCTAssertNotEqual(base.blocks, other.blocks)
        let (cosine, _) = try train(b, options { $0.schedule = .cosine }, p)
        XCTAssertNotEqual(base.blocks, cosine.blocks)
    }

    /// Gradient steps on the support keep the budget and lower the last epoch's training
    /// loss on this problem.
    func testSupportStepsKeepBudgetAndHelp() throws {
        let b = CPUBackend(), p = try problem(b)
        let (plain, h0) = try train(b, options(), p)
        let (refined, h2) = try train(b, options { $0.refineSteps = 2 }, p)
        XCTAssertLessThanOrEqual(refined.blocks.count, 60)
        XCTAssertEqual(plain.blocks.count, 60)
        let last0 = try XCTUnwrap(h0.last?.loss), last2 = try XCTUnwrap(h2.last?.loss)
        XCTAssertLessThan(last2, last0)
    }

    /// One step on the support moves values and leaves the support as it is.
    func testStepOnSupportKeepsSupport() throws {
        let b = CPUBackend(), p = try problem(b)
        let (trained, _) = try train(b, options(), p)
        let solver = try VectorIHTSolver(backend: b, x: p.x, y: p.y, n: p.n, d: p.d, k: p.k, options: options())
        var model = trained
        let xb = try b.makeBuffer(p.x)
        _ = try solver.step(&model, x: xb, y: p.y, n: p.n, seeding: false, chunk: 8, onSupport: true)
        XCTAssertEqual(model.blocks.indices, trained.blocks.indices)
        XCTAssertNotEqual(model.blocks.values, trained.blocks.values)
    }

    /// CPU and OpenCL agree on a run with every new setting on.
    func testNewSettingsAgreeAcrossBackends() throws {
        let cl = try openCLBackendForTests()
        let b = CPUBackend(), p = try problem(b)
        let o = options { $0.outputLearningRate = 2; $0.schedule = .cosine; $0.warmupEpochs = 1; $0.refineSteps = 1; $0.seedScale = 3 }
        let (cpu, hc) = try train(b, o, p)
        let (gpu, hg) = try train(cl, o, p)
        XCTAssertEqual(cpu.blocks.indices, gpu.blocks.indices)
        for (u, v) in zip(cpu.blocks.values, gpu.blocks.values) { XCTAssertEqual(u, v, accuracy: 1e-3 * max(1, abs(u))) }
        for (u, v) in zip(hc, hg) { XCTAssertEqual(u.loss, v.loss, accuracy: 1e-4 * max(1, u.loss)) }
    }

    /// Unit-scale hidden features: each column has root mean square 1 and the scaled layer
    /// computes exactly those columns.
    func testUnitFeaturesRescaleWeightsAndColumns() throws {
        let b = CPUBackend(), p = try problem(b)
        let (trained, _) = try train(b, options(), p)
        var layer = ScalarModel(weights: trained.firstLayer, generators: trained.generators)
        var features = try layer.activations(x: p.x, n: p.n, backend: b)
        let width = layer.weights.activeNeurons.count
        XCTAssertGreaterThan(width, 0)
        LayerwiseTraining.unitScale(&layer, features: &features, n: p.n, width: width)
        for c in 0..<width {
            let ms = (0..<p.n).reduce(0.0) { $0 + Double(features[$1 * width + c] * features[$1 * width + c]) } / Double(p.n)
            if ms > 0 { XCTAssertEqual(ms, 1, accuracy: 1e-4) }
        }
        let again = try layer.activations(x: p.x, n: p.n, backend: b)
        for (u, v) in zip(again, features) { XCTAssertEqual(u, v, accuracy: 1e-4 * max(1, abs(u))) }
    }
}
