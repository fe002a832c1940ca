import Foundation

/// A saved model (JSON): every layer's sparse weights and how its gates are made, enough to
/// predict on any data (`sparse-iht evaluate`).
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
    }
    public var format = "sparse-iht-model-1"
    public var layers: [Layer]
    /// Input preprocessing applied before the first layer, per feature (a single value
    /// applies to every feature): `x / inputDivisor - inputMean`.
    public var inputDivisor: [Float]?
    public var inputMean: [Float]?
    /// Fourier-feature embedding of coordinates (implicit neural representations).
    public var fourierFeatures: Int?
    public var fourierSigmas: [Double]?
    public var fourierSeed: UInt64?
    /// `sigmoid` when the scalar output is a logit (binary cross-entropy); absent: identity.
    public var outputActivation: String?

    /// Applies the stored preprocessing to rows of `x` (`n x d`).
    public func preprocess(_ x: [Float]) -> [Float] {
        InputScaling(divisor: inputDivisor, shift: inputMean).apply(x)
    }

    public init(_ model: LayeredModel) {
        func scalar(_ s: ScalarModel) -> Layer {
            Layer(kind: "scalar", d: s.weights.d, m: s.weights.m, k: 1, seed: s.generators.seed,
                  followsWeights: s.generators.followedWeights != nil, linear: s.linear,
                  signed: s.generators.signed, indices: s.weights.indices, values: s.weights.values)
        }
        layers = model.hidden.map(scalar)
        outputActivation = model.sigmoidOutput ? "sigmoid" : nil
        switch model.output {
        case .scalar(let s): layers.append(scalar(s))
        case .vector(let v):
            layers.append(Layer(kind: "vector", d: v.d, m: v.m, k: v.k, seed: v.generators.seed,
                                followsWeights: v.generators.followedWeights != nil, linear: false,
                                signed: nil, indices: v.blocks.indices, values: v.blocks.values))
        }
    }

    /// Rebuilds the model. - Throws: `SparseIHTError.badFile` for inconsistent layers.
    public func model(path: String = "model") throws -> LayeredModel {
        guard let last = layers.last else { throw SparseIHTError.badFile(path: path, reason: "no layers") }
        func scalar(_ l: Layer) throws -> ScalarModel {
            try check(l, blockLength: l.d)
            let w = SparseWeights(d: l.d, m: l.m, indices: l.indices, values: l.values)
            var bank = GeneratorBank(d: l.d, m: l.m, seed: l.seed)
            bank.signed = l.signed ?? false
            if l.followsWeights { bank.followedWeights = w }
            return ScalarModel(weights: w, generators: bank, linear: l.linear)
        }
        func check(_ l: Layer, blockLength: Int) throws {
            guard l.indices.count == l.values.count, l.d > 0, l.m > 0, l.k > 0,
                  zip(l.indices, l.indices.dropFirst()).allSatisfy({ $0 < $1 }),
                  l.indices.allSatisfy({ $0 >= 0 && $0 < l.m * blockLength }) else {
                throw SparseIHTError.badFile(path: path, reason: "inconsistent layer (indices, values, d, m, k)")
            }
        }
        let hidden = try layers.dropLast().map(scalar)
        let output: LayeredModel.Output
        if last.kind == "vector" {
            try check(last, blockLength: last.d + last.k)
            let blocks = SparseWeights(d: last.d + last.k, m: last.m, indices: last.indices, values: last.values)
            var v = VectorModel(d: last.d, k: last.k, blocks: blocks, generators: GeneratorBank(d: last.d, m: last.m, seed: last.seed))
            if last.followsWeights { v.generators.followedWeights = v.firstLayer }
            output = .vector(v)
        } else { output = .scalar(try scalar(last)) }
        guard outputActivation == nil || (outputActivation == "sigmoid" && last.kind == "scalar") else {
            throw SparseIHTError.badFile(path: path, reason: "output activation \(outputActivation!) (known: sigmoid on a scalar output)")
        }
        return LayeredModel(hidden: hidden, output: output, sigmoidOutput: outputActivation == "sigmoid")
    }

    public func write(to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        do { try enc.encode(self).write(to: URL(fileURLWithPath: path)) } catch {
            throw SparseIHTError.badFile(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    public static func read(_ path: String) throws -> ModelFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file")
        }
        do { return try JSONDecoder().decode(ModelFile.self, from: data) } catch {
            throw SparseIHTError.badFile(path: path, reason: "not a sparse-iht model file: \(error)")
        }
    }
}
