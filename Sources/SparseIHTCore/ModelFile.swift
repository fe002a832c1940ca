import Foundation

/// A saved model (JSON, format `sparse-iht-model-1`, documented in `docs/model-format.md`):
/// every layer's sparse weights and how its gates are made, the input scaling, the INR
/// feature map, and where the model came from. Self-contained: besides the seeds that
/// `sparse-iht evaluate` uses, the file holds the values derived from them (output signs,
/// the random generators of convex-mode layers, the Fourier matrix), so a reader outside
/// the tool (`Tools/predict.py`) can predict without reimplementing the random streams.
public struct ModelFile: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        /// `scalar` (fused weights, unit output) or `vector` (blocks `[w1_j; w2_j]`).
        public var kind: String
        public var d: Int
        public var m: Int
        public var k: Int
        /// Generator seed (random gates of convex mode).
        public var seed: UInt64
        /// Gates follow the first-layer weights (sequential mode after the switch).
        public var followsWeights: Bool
        public var linear: Bool
        /// Fixed random +-1 output signs (see `GeneratorBank.signed`); absent = false.
        public var signed: Bool?
        /// Flat indices (`j*d+i`, or `j*(d+k)+i` for vector layers) and values.
        public var indices: [Int]
        public var values: [Float]
        /// Output sign of every neuron (`m` values, +-1) when `signed`; derived from `seed`.
        public var signs: [Float]?
        /// Neurons with a nonzero weight, ascending (the columns this layer outputs).
        public var activeNeurons: [Int]?
        /// Gate generators of the active neurons (`activeNeurons.count x d`, row-major) when
        /// the gates are random (convex mode: not `followsWeights`, not `linear`); derived
        /// from `seed`.
        public var generators: [Float]?
    }

    /// Where a model came from; every field optional, filled by the command line.
    public struct Provenance: Codable, Sendable, Equatable {
        /// Task name (`binary-mnist`, `mnist`, `inr`, `planted`, `files`, ...).
        public var task: String?
        /// Original class labels, in output order (binary: [negative, positive]).
        public var classes: [Int]?
        /// Train/test split rule (`published`, `full`).
        public var split: String?
        /// Dataset name or path, and the SHA-256 of its file(s) (hex).
        public var dataset: String?
        public var datasetSHA256: String?
        /// The command line that trained the model.
        public var commandLine: [String]?
        /// Version of the tool that wrote the file.
        public var version: String?
        public var seed: UInt64?
        /// Image index of the INR task.
        public var image: Int?

        public init(task: String? = nil, classes: [Int]? = nil, split: String? = nil, dataset: String? = nil,
                    datasetSHA256: String? = nil, commandLine: [String]? = nil, version: String? = nil,
                    seed: UInt64? = nil, image: Int? = nil) {
            self.task = task; self.classes = classes; self.split = split; self.dataset = dataset
            self.datasetSHA256 = datasetSHA256; self.commandLine = commandLine; self.version = version
            self.seed = seed; self.image = image
        }
    }

    /// The only format this version reads and writes.
    public static let currentFormat = "sparse-iht-model-1"
    public var format = ModelFile.currentFormat
    public var layers: [Layer]
    /// Input preprocessing applied before the first layer, per feature (a single value
    /// applies to every feature): `x / inputDivisor - inputMean`.
    public var inputDivisor: [Float]?
    public var inputMean: [Float]?
    /// Fourier-feature embedding of coordinates (implicit neural representations).
    public var fourierFeatures: Int?
    public var fourierSigmas: [Double]?
    public var fourierSeed: UInt64?
    /// A constant 1 follows the `2 * fourierFeatures` sines and cosines (absent: false).
    public var fourierConstant: Bool?
    /// The Fourier matrix `B` (`fourierFeatures x dims`, row-major) derived from the seed
    /// and sigmas (`FourierMatrix.make`); filled on `write` when the parameters are set.
    public var fourierMatrix: [Float]?
    /// `sigmoid` when the scalar output is a logit (binary cross-entropy); absent: identity.
    public var outputActivation: String?
    public var provenance: Provenance?

    /// Applies the stored preprocessing to rows of `x` (`n x d`).
    public func preprocess(_ x: [Float]) -> [Float] {
        InputScaling(divisor: inputDivisor, shift: inputMean).apply(x)
    }

    public init(_ model: LayeredModel) {
        func scalar(_ s: ScalarModel) -> Layer {
            var l = Layer(kind: "scalar", d: s.weights.d, m: s.weights.m, k: 1, seed: s.generators.seed,
                          followsWeights: s.generators.followedWeights != nil, linear: s.linear,
                          signed: s.generators.signed, indices: s.weights.indices, values: s.weights.values)
            Self.derive(&l, bank: s.generators, active: s.weights.activeNeurons)
            return l
        }
        layers = model.hidden.map(scalar)
        outputActivation = model.sigmoidOutput ? "sigmoid" : nil
        switch model.output {
        case .scalar(let s): layers.append(scalar(s))
        case .vector(let v):
            var l = Layer(kind: "vector", d: v.d, m: v.m, k: v.k, seed: v.generators.seed,
                          followsWeights: v.generators.followedWeights != nil, linear: false,
                          signed: nil, indices: v.blocks.indices, values: v.blocks.values)
            Self.derive(&l, bank: v.generators, active: v.blocks.activeNeurons)
            layers.append(l)
        }
    }

    /// Fills a layer's derived fields (signs, active neurons, random generators).
    static func derive(_ l: inout Layer, bank: GeneratorBank, active: [Int]) {
        l.activeNeurons = active
        l.signs = bank.signed ? (0..<l.m).map { bank.sign($0) } : nil
        if !l.followsWeights && !l.linear {
            var random = bank
            random.followedWeights = nil
            l.generators = random.rows(active)
        } else {
            l.generators = nil
        }
    }

    /// Rebuilds the model after checking every field (`validate`).
    /// - Throws: `SparseIHTError.badFile` naming `path` and the first problem found.
    public func model(path: String = "model") throws -> LayeredModel {
        try validate(path: path)
        guard let last = layers.last else { throw SparseIHTError.badFile(path: path, reason: "no layers") }
        func scalar(_ l: Layer) -> ScalarModel {
            let w = SparseWeights(d: l.d, m: l.m, indices: l.indices, values: l.values)
            var bank = GeneratorBank(d: l.d, m: l.m, seed: l.seed)
            bank.signed = l.signed ?? false
            if l.followsWeights { bank.followedWeights = w }
            return ScalarModel(weights: w, generators: bank, linear: l.linear)
        }
        let hidden = layers.dropLast().map(scalar)
        let output: LayeredModel.Output
        if last.kind == "vector" {
            let blocks = SparseWeights(d: last.d + last.k, m: last.m, indices: last.indices, values: last.values)
            var v = VectorModel(d: last.d, k: last.k, blocks: blocks, generators: GeneratorBank(d: last.d, m: last.m, seed: last.seed))
            if last.followsWeights { v.generators.followedWeights = v.firstLayer }
            output = .vector(v)
        } else { output = .scalar(scalar(last)) }
        return LayeredModel(hidden: hidden, output: output, sigmoidOutput: outputActivation == "sigmoid")
    }

    /// Writes the file atomically (temporary file, fsync, rename), filling the Fourier
    /// matrix from its parameters when absent.
    public func write(to path: String) throws {
        var file = self
        if file.fourierMatrix == nil, let f = fourierFeatures, let s = fourierSigmas, f >= 1, !s.isEmpty {
            file.fourierMatrix = FourierMatrix.make(features: f, sigmas: s, seed: fourierSeed ?? 0)
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try enc.encode(file) } catch {
            throw SparseIHTError.badFile(path: path, reason: "cannot encode the model: \(error)")
        }
        try AtomicFile.write(data, to: path)
    }

    /// Reads and decodes `path` (fields are checked by `model(path:)` / `validate`).
    public static func read(_ path: String) throws -> ModelFile {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (missing or a directory)")
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber {
            try MemoryBudget.require(Int(clamping: size.int64Value), for: "\(path): reading the model", fraction: 0.1)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file")
        }
        do { return try JSONDecoder().decode(ModelFile.self, from: data) } catch let e as DecodingError {
            throw SparseIHTError.badFile(path: path, reason: "not a sparse-iht model file: \(Self.describe(e))")
        } catch {
            throw SparseIHTError.badFile(path: path, reason: "not a sparse-iht model file: \(error)")
        }
    }

    /// A decoding error in words: the field path and what was wrong.
    static func describe(_ e: DecodingError) -> String {
        func where_(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "" : "at \(p.hasPrefix(".") ? String(p.dropFirst()) : p): "
        }
        switch e {
        case .keyNotFound(let k, let c): return "\(where_(c))missing field '\(k.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            return "\(where_(c))\(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
