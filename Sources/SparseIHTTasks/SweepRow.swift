import Foundation

/// Version of the package, recorded in every results row (no release has been tagged yet).
public let sparseIHTVersion = "0.1.0"

/// One line of a results file (JSON, keys sorted): the cell, its resolved sizes, its score
/// (`metric` names it; `value` holds it), time, memory and machine.
public struct SweepRow: Codable, Sendable, Equatable {
    public var schemaVersion = 1
    /// `SweepCell.key`: the identity resumption and merging use.
    public var cell: String
    public var method: String, task: String, seed: UInt64
    /// Every flag of the cell, as typed.
    public var parameters: [String: String]
    /// Sizes in force (task defaults filled in).
    public var n: Int, d: Int, m: Int, s: Int
    public var metric = "", value = 0.0
    /// Every score the run reported (psnr, relative_weight_error, test_accuracy, ...).
    public var metrics: [String: Double] = [:]
    public var steps: Int?, nonzeros: Int?
    /// Wall time of the cell (seconds), peak resident memory of its process and peak
    /// backend allocation (bytes).
    public var seconds = 0.0, peakRSSBytes = 0, peakDeviceBytes = 0
    public var backend = "", device = "", version = sparseIHTVersion

    public init(cell: SweepCell, spec: TaskSpec) {
        self.cell = cell.key; method = cell.method.rawValue; task = cell.task.rawValue; seed = cell.seed
        parameters = Dictionary(cell.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        n = spec.n; d = spec.d; m = spec.resolvedM; s = spec.resolvedS
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", cell, method, task, seed, parameters, n, d, m, s, metric, value, metrics
        case steps, nonzeros, seconds, peakRSSBytes = "peak_rss_bytes", peakDeviceBytes = "peak_device_bytes"
        case backend, device, version
    }

    /// The row as one JSON line (no newline).
    public func line() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
