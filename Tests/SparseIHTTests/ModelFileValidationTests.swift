import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData
import XCTest

/// Model files: self-contained derived fields, and a file with any field this version does
/// not fully understand is refused with the file's name and the field.
final class ModelFileValidationTests: XCTestCase {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-validation-\(getpid()).json").path

    override func tearDown() { try? FileManager.default.removeItem(atPath: path) }

    /// A trained one-layer model (convex or sequential, signed or not) on a planted problem.
    func trained(mode: GateMode, signed: Bool) throws -> (LayeredModel, [Float]) {
        let b = CPUBackend()
        let planted = try PlantedProblems.plantedMLP(n: 200, d: 6, m: 4, s: 10, seed: 3, backend: b)
        var o = SolverOptions(m: 5, s: 12)
        o.steps = 5; o.mode = mode; o.signedOutputs = signed
        let r = try IHTSolver(backend: b, problem: planted.problem, options: o).run()
        let model = LayeredModel(hidden: [], output: .scalar(ScalarModel(weights: r.weights, generators: r.generators)))
        return (model, planted.problem.x)
    }

    func testDerivedFieldsAreWrittenAndChecked() throws {
        let (convex, x) = try trained(mode: .convex, signed: false)
        var file = ModelFile(convex)
        let layer = file.layers[0]
        XCTAssertFalse(layer.followsWeights)
        XCTAssertEqual(layer.activeNeurons, Array(Set(layer.indices.map { $0 / layer.d })).sorted())
        XCTAssertEqual(layer.generators?.count, (layer.activeNeurons?.count ?? 0) * layer.d, "convex gates need their generators")
        try file.write(to: path)
        let back = try ModelFile.read(path)
        XCTAssertEqual(try back.model(path: path).predict(x: x, n: 200, backend: CPUBackend()),
                       try convex.predict(x: x, n: 200, backend: CPUBackend()))
        file.layers[0].generators?[0] += 1
        XCTAssertThrowsError(try file.model(path: path)) { e in XCTAssert("\(e)".contains("generators do not match"), "\(e)") }

        let (signed, _) = try trained(mode: .sequential, signed: true)
        var s = ModelFile(signed)
        XCTAssertEqual(s.layers[0].signs?.count, s.layers[0].m)
        XCTAssertNil(s.layers[0].generators, "gates that follow the weights need no stored generators")
        XCTAssertNoThrow(try s.model(path: path))
        s.layers[0].signs?[0] *= -1
        XCTAssertThrowsError(try s.model(path: path)) { e in XCTAssert("\(e)".contains("sign of neuron 0"), "\(e)") }
    }

    func testMalformedFieldsAreRefused() throws {
        let (model, _) = try trained(mode: .sequential, signed: false)
        let good = ModelFile(model)
        let cases: [(String, (inout ModelFile) -> Void)] = [
            ("format 'sparse-iht-model-9'", { $0.format = "sparse-iht-model-9" }),
            ("unknown kind 'conv'", { $0.layers[0].kind = "conv" }),
            ("exceeds 2^31 - 1", { $0.layers[0].m = 1 << 62 }),
            ("must be positive", { $0.layers[0].d = -1 }),
            ("inputDivisor[0] is 0.0", { $0.inputDivisor = [0] }),
            ("inputDivisor has 2 values", { $0.inputDivisor = [1, 2] }),
            ("inputMean[0] is inf", { $0.inputMean = [.infinity] }),
            ("fourierSigmas has 0 values", { $0.fourierFeatures = 3; $0.fourierSigmas = [] }),
            ("fourierSigmas value 1e+308", { $0.fourierFeatures = 3; $0.fourierSigmas = [1e308, 1e308] }),
            ("the first layer takes 6", { $0.fourierFeatures = 7; $0.fourierSigmas = [2, 2] }),
            ("takes d = 6 inputs but layer 1 has", { $0.layers.insert($0.layers[0], at: 0) }),
            ("indices are not strictly increasing", { $0.layers[0].indices.reverse() }),
            ("value 0 is nan", { $0.layers[0].values[0] = .nan }),
            ("output activation 'tanh'", { $0.outputActivation = "tanh" }),
        ]
        for (words, mutate) in cases {
            var f = good
            mutate(&f)
            XCTAssertThrowsError(try f.model(path: "bad-model.json"), words) { e in
                let text = "\(e)"
                XCTAssert(text.contains("bad-model.json") && text.contains(words), "expected '\(words)': \(text)")
            }
        }
        // Decoding errors name the field.
        try Data("{\"format\": \"sparse-iht-model-1\", \"layers\": [{\"kind\": \"scalar\"}]}".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ModelFile.read(path)) { e in XCTAssert("\(e)".contains("missing field"), "\(e)") }
    }

    func testProvenanceRoundTrips() throws {
        let (model, _) = try trained(mode: .sequential, signed: false)
        var file = ModelFile(model)
        file.provenance = ModelFile.Provenance(task: "files", classes: [3, 5], split: "published", dataset: "x.npy",
                                               datasetSHA256: String(repeating: "ab", count: 32),
                                               commandLine: ["sparse-iht", "recover"], version: "1.0", seed: 7)
        try file.write(to: path)
        XCTAssertEqual(try ModelFile.read(path).provenance, file.provenance)
    }
}

final class FileChecksumTests: XCTestCase {
    func testSHA256KnownVectors() throws {
        XCTAssertEqual(FileChecksum.sha256([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(FileChecksum.sha256(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(FileChecksum.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // One million 'a' (streamed in pieces).
        try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try FileChecksum.sha256(path: path), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
