import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData
import XCTest

/// Vector output, layer-wise training, model files, and the embedded MNIST sample.
final class RealTaskTests: XCTestCase {
    /// A planted 3-output network is fit by the vector solver on both backends, and the two
    /// backends agree.
    func testVectorOutputFitsPlantedNetworkOnBothBackends() throws {
        var fits: [Double] = []
        try forEachBackend { b in fits.append(try Self.vectorFit(b)) }
        if fits.count == 2 { XCTAssertEqual(fits[0], fits[1], accuracy: 0.5, "CPU and OpenCL PSNR differ") }
    }

    static func vectorFit<B: ComputeBackend>(_ b: B) throws -> Double {
        let n = 600, d = 8, k = 3
        let planted = try PlantedProblems.plantedNetwork(n: n, d: d, m: 4, s: 12, layers: 1, outputs: k, seed: 3, backend: b)
        var o = VectorOptions(m: 8, s: 60)
        o.epochs = 60; o.learningRate = 0.05; o.seed = 3
        var losses: [Double] = []
        let solver = try VectorIHTSolver(backend: b, x: planted.x, y: planted.y, n: n, d: d, k: k, options: o)
        solver.onEpoch = { losses.append($0.loss) }
        let model = try solver.run()
        XCTAssertLessThan(losses.last!, losses[1] * 0.5, "\(b.kind) loss must fall")
        XCTAssertLessThanOrEqual(model.blocks.count, 60)
        let fit = try model.predict(x: planted.x, n: n, backend: b)
        let psnr = FitMetrics.psnr(prediction: fit, target: planted.y)
        XCTAssertGreaterThan(psnr, 15, "\(b.kind) vector-output PSNR")
        return psnr
    }

    /// Every live neuron of the neuron-consistent rule has an input and an output weight;
    /// plain magnitude ranking may not.
    func testNeuronConsistentBudget() throws {
        let b = CPUBackend()
        let planted = try PlantedProblems.plantedNetwork(n: 300, d: 20, m: 5, s: 10, layers: 1, outputs: 4, seed: 1, backend: b)
        var o = VectorOptions(m: 10, s: 30)
        o.epochs = 3; o.learningRate = 0.01
        let model = try VectorIHTSolver(backend: b, x: planted.x.map { $0 * 100 }, y: planted.y, n: 300, d: 20, k: 4, options: o).run()
        let first = Set(model.firstLayer.activeNeurons)
        let L = 24
        let withOutput = Set(model.blocks.indices.filter { $0 % L >= 20 }.map { $0 / L })
        XCTAssertFalse(first.isEmpty)
        XCTAssertEqual(first, withOutput)
    }

    /// The sketch ranking (accumulated update magnitudes) keeps at most s entries and is
    /// deterministic.
    func testSketchRanking() throws {
        let b = CPUBackend()
        let planted = try PlantedProblems.plantedNetwork(n: 300, d: 10, m: 4, s: 8, layers: 1, outputs: 2, seed: 5, backend: b)
        var o = VectorOptions(m: 6, s: 20)
        o.epochs = 4; o.learningRate = 0.05; o.ranking = .sketch
        let run = { try VectorIHTSolver(backend: b, x: planted.x, y: planted.y, n: 300, d: 10, k: 2, options: o).run() }
        let a = try run(), c = try run()
        XCTAssertLessThanOrEqual(a.blocks.count, 20)
        XCTAssertGreaterThan(a.blocks.count, 0)
        XCTAssertEqual(a.blocks, c.blocks)
    }

    /// Two layers train one at a time; the saved model predicts exactly what the trained one does.
    func testLayerwiseTrainingAndModelFileRoundTrip() throws {
        let b = CPUBackend()
        let planted = try PlantedProblems.plantedNetwork(n: 500, d: 10, m: 6, s: 16, layers: 2, outputs: 1, seed: 2, backend: b)
        let model = try LayerwiseTraining.train(x: planted.x, n: 500, d: 10, layers: 2, s: 40, backend: b) { f, width, budget, _ in
            var o = SolverOptions(m: 8, s: min(budget, 8 * width)); o.steps = 20
            let r = try IHTSolver(backend: b, problem: try RegressionProblem(x: f, y: planted.y, n: 500, d: width), options: o).run()
            return .scalar(ScalarModel(weights: r.weights, generators: r.generators))
        }
        XCTAssertEqual(model.hidden.count, 1)
        XCTAssertLessThanOrEqual(model.nonzeros, 40)
        let before = try model.predict(x: planted.x, n: 500, backend: b)
        XCTAssertGreaterThan(FitMetrics.psnr(prediction: before, target: planted.y), 10)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile(model).write(to: path)
        let after = try ModelFile.read(path).model(path: path).predict(x: planted.x, n: 500, backend: b)
        XCTAssertEqual(before, after)
        XCTAssertThrowsError(try LayerwiseTraining.train(x: planted.x, n: 500, d: 10, layers: 3, s: 2, backend: b) { _, _, _, _ in
            XCTFail("must not fit"); throw SparseIHTError.invalidArgument("unreachable")
        })
    }

    /// Binary MNIST (digits 0 and 1 of the embedded sample, 400/100 per class): the
    /// published setting (m = 100, s = 200, batch 1000, 15 epochs, raw pixels) reaches 98%.
    func testBinaryMNISTSample() throws {
        guard FileManager.default.fileExists(atPath: MNISTFamily.samplePath) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                return XCTFail("CI=true: the MNIST sample must be installed by Tools/bootstrap-data.sh")
            }
            throw XCTSkip("MNIST sample not installed (bash Tools/bootstrap-data.sh)")
        }
        let data = try RealTasks.classification(dataset: "mnist-sample", classes: [0, 1], split: .published)
        XCTAssertEqual(data.train.n, 800); XCTAssertEqual(data.test.n, 200)
        let b = CPUBackend()
        var o = SolverOptions(m: 100, s: 200)
        o.batchSize = 1000 > data.train.n ? nil : 1000
        o.steps = 15
        let problem = try RegressionProblem(x: data.train.x, y: data.train.labels.map(Float.init), n: data.train.n, d: 784)
        let r = try IHTSolver(backend: b, problem: problem, options: o).run()
        let scores = try ScalarModel(weights: r.weights, generators: r.generators).predict(x: data.test.x, n: data.test.n, backend: b)
        XCTAssertGreaterThanOrEqual(ClassificationMetrics.accuracy(scores: scores, k: 1, labels: data.test.labels), 0.98)
    }
}
