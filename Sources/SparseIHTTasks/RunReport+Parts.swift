import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL

/// The solver switches of a scalar run (`options` of the report).
public struct SolverSettings: Codable, Sendable, Equatable {
    public var inflation: Double, refine: Int, tolerance: Double, batch: Int
    public var gatesFollowFrom: Int, tinyFirstStep: Bool, revive: Bool, stallReseed: Bool

    enum CodingKeys: String, CodingKey {
        case inflation, refine, tolerance, batch, revive
        case gatesFollowFrom = "gates_follow_from", tinyFirstStep = "tiny_first_step", stallReseed = "stall_reseed"
    }
}

/// The theory's diagnostics of a recovered support (`diagnostics` of the report).
public struct DiagnosticsReport: Codable, Sendable, Equatable {
    public var activeNeurons: Int, distinctPatterns: Int
    public var coverageEps: Double?, separationGamma: Double?
    public var restrictedEigMin: Double?, restrictedEigMax: Double?
    /// Condition number of `A_S^T A_S / n` (-1 when infinite).
    public var restrictedCondition: Double?

    public init(_ diag: SupportDiagnostics) {
        activeNeurons = diag.activeNeurons; distinctPatterns = diag.distinctPatterns
        coverageEps = diag.coverageEps; separationGamma = diag.separationGamma
        restrictedEigMin = diag.restrictedEigMin; restrictedEigMax = diag.restrictedEigMax
        restrictedCondition = diag.restrictedCondition.map { $0.isFinite ? $0 : -1 }
    }

    enum CodingKeys: String, CodingKey {
        case activeNeurons = "active_neurons", distinctPatterns = "distinct_patterns", coverageEps = "coverage_eps"
        case separationGamma = "separation_gamma", restrictedEigMin = "restricted_eig_min"
        case restrictedEigMax = "restricted_eig_max", restrictedCondition = "restricted_condition"
    }
}

/// One step (full batch) or epoch (minibatch) of a run's history; a task fills the
/// fields its solver reports.
public struct HistoryEntry: Codable, Sendable, Equatable {
    public var step: Int?, epoch: Int?, psnr: Double?, relativeResidual: Double?, loss: Double?
    public var supportChanges: Int?, support: Int?, activeNeurons: Int?, mu: Double?
    public var refineAccepted: Int?, reseeded: Bool?, seconds: Double?, bytesTransferred: Int?

    public init() {}

    /// A full step of the scalar solver (`full`: every field, else step and PSNR).
    public init(_ r: StepReport, full: Bool) {
        step = r.step; psnr = r.psnr
        guard full else { return }
        relativeResidual = r.relativeResidual; supportChanges = r.supportChanges; mu = r.mu
        refineAccepted = r.refineAccepted; reseeded = r.reseeded; seconds = r.seconds
    }

    /// An epoch of the vector solver (`full`: also active neurons and seconds).
    public init(_ r: EpochReport, full: Bool) {
        epoch = r.epoch; loss = r.loss; support = r.supportSize
        if full { activeNeurons = r.activeNeurons; seconds = r.seconds; bytesTransferred = r.bytesTransferred }
    }

    enum CodingKeys: String, CodingKey {
        case step, epoch, psnr, loss, support, mu, reseeded, seconds
        case relativeResidual = "relative_residual", supportChanges = "support_changes"
        case activeNeurons = "active_neurons", refineAccepted = "refine_accepted"
        case bytesTransferred = "bytes_transferred"
    }
}

/// A layer whose fixed-step training blew up.
public struct Divergence: Codable, Sendable, Equatable {
    public var layer: Int, epoch: Int, loss: Double, lowestBefore: Double
    enum CodingKeys: String, CodingKey { case layer, epoch, loss, lowestBefore = "lowest_before" }
}

/// A baseline's score at one budget; the score's key is the task's metric name.
public struct BaselineResult: Codable, Sendable, Equatable {
    public var s: Int, remaining: Int, round: Int?, metric: String, score: Double, secondsToReach: Double
    /// IMP: the score of the first round that trained with at most `s` weights, retrained
    /// from the initial weights under its mask (the lottery-ticket variant).
    public var retrained: Retrained?

    /// A retrained IMP score (same metric key as the result).
    public struct Retrained: Sendable, Equatable {
        public var remaining: Int, round: Int, score: Double, secondsToReach: Double
        public init(remaining: Int, round: Int, score: Double, secondsToReach: Double) {
            self.remaining = remaining; self.round = round; self.score = score; self.secondsToReach = secondsToReach
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(s: Int, remaining: Int, round: Int?, metric: String, score: Double, secondsToReach: Double) {
        self.s = s; self.remaining = remaining; self.round = round; self.metric = metric
        self.score = score; self.secondsToReach = secondsToReach
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        s = try c.decode(Int.self, forKey: Key("s")); remaining = try c.decode(Int.self, forKey: Key("remaining"))
        round = try c.decodeIfPresent(Int.self, forKey: Key("round"))
        secondsToReach = try c.decode(Double.self, forKey: Key("seconds_to_reach"))
        metric = c.allKeys.first { TaskMetric(rawValue: $0.stringValue) != nil }?.stringValue ?? TaskMetric.psnr.rawValue
        score = try c.decode(Double.self, forKey: Key(metric))
        if c.contains(Key("retrained")) {
            let q = try c.nestedContainer(keyedBy: Key.self, forKey: Key("retrained"))
            retrained = Retrained(remaining: try q.decode(Int.self, forKey: Key("remaining")), round: try q.decode(Int.self, forKey: Key("round")),
                                  score: try q.decode(Double.self, forKey: Key(metric)),
                                  secondsToReach: try q.decode(Double.self, forKey: Key("seconds_to_reach")))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(s, forKey: Key("s")); try c.encode(remaining, forKey: Key("remaining"))
        try c.encodeIfPresent(round, forKey: Key("round"))
        try c.encode(score, forKey: Key(metric)); try c.encode(secondsToReach, forKey: Key("seconds_to_reach"))
        if let q = retrained {
            var n = c.nestedContainer(keyedBy: Key.self, forKey: Key("retrained"))
            try n.encode(q.remaining, forKey: Key("remaining")); try n.encode(q.round, forKey: Key("round"))
            try n.encode(q.score, forKey: Key(metric)); try n.encode(q.secondsToReach, forKey: Key("seconds_to_reach"))
        }
    }
}

/// One IMP round.
public struct BaselineRound: Codable, Sendable, Equatable {
    /// Weights unpruned while the round trained, and the trained network's score.
    public var round: Int, trainedRemaining: Int, trainedScore: Double
    /// Nonzero weights after the round's pruning and the pruned network's score (the
    /// published IMP score); `pruned` is false only for the final retraining round.
    public var remaining: Int, score: Double, pruned: Bool, finalLoss: Double, seconds: Double
    enum CodingKeys: String, CodingKey {
        case round, remaining, score, pruned, seconds, finalLoss = "final_loss"
        case trainedRemaining = "trained_remaining", trainedScore = "trained_score"
    }
}

extension RunReport {
    /// Machine and backend fields every report carries.
    mutating func stampMachine<B: ComputeBackend>(_ backend: B) {
        self.backend = backend.kind.rawValue
        device = backend.deviceDescription
        peakRSSBytes = RunReport.peakRSS()
        peakDeviceBytes = backend.peakBytesAllocated
        bytesTransferred = backend.bytesTransferred
        openblasCore = CPUBackend.openBLASCore.name
        openblasCoretype = CPUBackend.openBLASCore.coretypeOverride ?? "unset"
        hostLoops = HostVectorLoops.level
        tuning = (backend as? OpenCLBackend)?.tuningDescription
    }

    /// Peak resident set size of this process in bytes.
    public static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
