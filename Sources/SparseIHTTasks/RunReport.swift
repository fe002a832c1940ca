import Foundation
import SparseIHTCore

/// The JSON document of a run (`--json`): `recover`, `baseline` and `evaluate` fill the
/// fields they have, nil fields are left out. Keys are snake_case, as written since the
/// first release; `schema_version` counts changes of this layout.
public struct RunReport: Codable, Sendable, Equatable {
    public static let currentSchema = 1
    public var schemaVersion = RunReport.currentSchema
    // Run and machine.
    public var task: String?, method: String?, model: String?, dataset: String?
    public var backend: String?, device: String?, openblasCore: String?, openblasCoretype: String?
    /// Instruction set of the host loops (`HostVectorLoops.level`).
    public var hostLoops: String?
    /// OpenCL runs: work-group size and CLBlast parameters in use (`OpenCLBackend.tuningDescription`).
    public var tuning: String?
    public var seed: UInt64?, recipe: String?, mode: String?, loss: String?, metric: String?
    // Sizes.
    public var n: Int?, d: Int?, k: Int?, m: Int?, s: Int?, layers: Int?, outputs: Int?
    public var epochs: Int?, batch: Int?, chunk: Int?, steps: Int?
    public var classes: ClassesField?, testN: Int?
    public var image: Int?, width: Int?, height: Int?, channels: Int?, sigma: [Double]?, psnrPeak: Int?
    public var center: Bool?, standardize: Bool?, pixelScale: Float?, lr: Float?, pruneFraction: Double?
    // Scores.
    public var psnr: Double?, relativeResidual: Double?, psnrAt15: Double?
    /// inr: pixel coordinates of the feature map, held-out fraction and PSNR (peak 1) on
    /// the held-out pixels.
    public var coordinates: String?, holdout: Double?, heldoutPsnr: Double?
    /// inr: a constant 1 was appended to the Fourier features.
    public var constantFeature: Bool?
    public var testAccuracy: Double?, trainAccuracy: Double?, accuracy: Double?
    public var relativeWeightError: Double?, supportPrecision: Double?, supportRecall: Double?
    /// Pattern difference of the planted neurons on the inputs (runs with `--planted-angle`).
    public var plantedGamma: Double?
    public var stopReason: String?, supportSize: Int?, activeNeurons: Int?, nonzeros: Int?
    // Time and memory.
    public var seconds: Double?, secondsTotal: Double?, secondsPerStep: Double?, secondsPerEpoch: Double?
    public var peakRSSBytes: Int?, peakDeviceBytes: Int?, denseNetworkBytes: Int?
    /// Bytes copied between host and device over the run; for minibatch vector runs also
    /// per batch in the last epoch (after the first epoch).
    public var bytesTransferred: Int?, bytesPerBatchAfterFirstEpoch: Int?
    public var denseTrainingStateBytes: Int?, denseWeights: Int?
    /// IMP: the dense network's score (round 0 before pruning).
    public var denseScore: Double?
    // Details.
    public var options: SolverSettings?, diagnostics: DiagnosticsReport?
    public var history: [HistoryEntry]?, diverged: [Divergence]?
    public var results: [BaselineResult]?, rounds: [BaselineRound]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", task, method, model, dataset, backend, device
        case openblasCore = "openblas_core", openblasCoretype = "openblas_coretype", hostLoops = "host_loops", tuning
        case seed, recipe, mode, loss, metric, n, d, k, m, s, layers, outputs, epochs, batch, chunk, steps
        case classes, testN = "test_n", image, width, height, channels, sigma, psnrPeak = "psnr_peak"
        case center, standardize, pixelScale = "pixel_scale", lr, pruneFraction = "prune_fraction"
        case psnr, relativeResidual = "relative_residual", psnrAt15 = "psnr_at_15"
        case coordinates, holdout, heldoutPsnr = "heldout_psnr", constantFeature = "constant_feature"
        case testAccuracy = "test_accuracy", trainAccuracy = "train_accuracy", accuracy
        case relativeWeightError = "relative_weight_error", supportPrecision = "support_precision"
        case supportRecall = "support_recall", plantedGamma = "planted_gamma", stopReason = "stop_reason", supportSize = "support_size"
        case activeNeurons = "active_neurons", nonzeros
        case seconds, secondsTotal = "seconds_total", secondsPerStep = "seconds_per_step"
        case secondsPerEpoch = "seconds_per_epoch", peakRSSBytes = "peak_rss_bytes"
        case peakDeviceBytes = "peak_device_bytes", denseNetworkBytes = "dense_network_bytes"
        case bytesTransferred = "bytes_transferred", bytesPerBatchAfterFirstEpoch = "bytes_per_batch_after_first_epoch"
        case denseTrainingStateBytes = "dense_training_state_bytes", denseWeights = "dense_weights"
        case denseScore = "dense_score"
        case options, diagnostics, history, diverged, results, rounds
    }

    /// The report's headline score: test accuracy, else accuracy, else PSNR.
    public var headline: (metric: String, value: Double)? {
        if let a = testAccuracy { return ("test_accuracy", a) }
        if let a = accuracy { return ("accuracy", a) }
        return psnr.map { ("psnr", $0) }
    }

    /// Pretty, key-sorted JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes `encoded()` to `path`.
    public func write(to path: String) throws {
        let data = try encoded()
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw SparseIHTError.invalidArgument("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// `classes`: the list of a binary task, or the number of classes of mnist.
public enum ClassesField: Codable, Sendable, Equatable {
    case list([Int]), count(Int)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let k = try? c.decode(Int.self) { self = .count(k) } else { self = .list(try c.decode([Int].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .list(let l): try c.encode(l)
        case .count(let k): try c.encode(k)
        }
    }
}
