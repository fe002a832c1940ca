import Foundation
import SparseIHTCore

/// One flag's value in a cell.
public struct SweepParameter: Codable, Sendable, Hashable {
    public var name: String, value: String
}

/// One run of a sweep: a method on the task with one value per flag and one seed.
public struct SweepCell: Codable, Sendable, Hashable {
    public var method: SweepMethod
    public var task: TaskKind
    public var parameters: [SweepParameter]
    public var seed: UInt64

    /// The cell's identity in results files: `method=iht task=planted m=5 s=10 seed=0`.
    public var key: String {
        (["method=\(method.rawValue)", "task=\(task.rawValue)"] + parameters.map { "\($0.name)=\($0.value)" } + ["seed=\(seed)"])
            .joined(separator: " ")
    }

    /// The task settings of this cell.
    public func spec() throws -> TaskSpec {
        var spec = TaskSpec(task: task)
        for p in parameters { try spec.apply(flag: p.name, value: p.value) }
        spec.seed = seed
        try spec.validate()
        return spec
    }

    /// Runs the cell on `backend` in this process and returns its row. `peak_rss_bytes`
    /// is this process's high-water mark (per cell only when each cell has its process).
    public func run<B: ComputeBackend>(backend: B) throws -> SweepRow {
        let spec = try spec()
        let started = Date()
        var row = SweepRow(cell: self, spec: spec)
        switch method {
        case .iht:
            let report = try TaskRunner.recover(spec, backend: backend).report
            guard let (metric, value) = report.headline else { throw SparseIHTError.invalidArgument("\(key): no score") }
            row.metric = metric; row.value = value
            row.metrics = ["psnr": report.psnr, "relative_residual": report.relativeResidual,
                           "relative_weight_error": report.relativeWeightError, "support_precision": report.supportPrecision,
                           "support_recall": report.supportRecall, "test_accuracy": report.testAccuracy, "planted_gamma": report.plantedGamma,
                           "train_accuracy": report.trainAccuracy].compactMapValues { $0 }
            row.steps = report.steps; row.nonzeros = report.supportSize
            row.n = report.n ?? row.n; row.d = report.d ?? row.d
        case .imp, .magnitude:
            var base = spec
            base.m = spec.resolvedM
            var b = BaselineSpec(task: base, targets: [spec.resolvedS])
            b.method = method == .imp ? .imp : .magnitude
            if let lr = spec.lr { b.lr = Float(lr) }
            let report = try BaselineRunner.run(b, backend: backend).report
            guard let result = report.results?.last else { throw SparseIHTError.invalidArgument("\(key): no score") }
            row.metric = result.metric; row.value = result.score
            row.metrics = [result.metric: result.score]
            row.nonzeros = result.remaining; row.steps = report.rounds?.count
            row.n = report.n ?? row.n; row.d = report.d ?? row.d
        }
        row.seconds = Date().timeIntervalSince(started)
        row.peakRSSBytes = RunReport.peakRSS()
        row.peakDeviceBytes = backend.peakBytesAllocated
        row.backend = backend.kind.rawValue; row.device = backend.deviceDescription
        return row
    }
}
