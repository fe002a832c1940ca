import Foundation
import SparseIHTCore

/// `--log run.jsonl`: one JSON object per step or epoch, appended as it happens (one
/// `write` per line, so `tail -f` sees every record whole). The file is a live stream, not a
/// staged output: it is truncated when the run starts and holds the records so far.
public final class RunLog: @unchecked Sendable {
    /// One record. Steps: `kind` "step", `step` of `total`, `epoch` (minibatch runs), `psnr`
    /// (dB, of the step's rows), `relative_residual`, `support`, `support_changes`. Epochs:
    /// `kind` "epoch", `epoch` of `total`, `loss` (mean training loss), `support`,
    /// `active_neurons`. Both: `layer` of `layers`, `seconds` (the step or epoch) and
    /// `elapsed` (since the run started). Classification runs of one layer add, after each
    /// epoch, `kind` "score" with `epoch` and `test_accuracy` (fraction).
    public struct Record: Encodable, Equatable {
        public var kind: String
        public var layer: Int, layers: Int
        public var step: Int?, epoch: Int?, total: Int
        public var psnr: Double?, relativeResidual: Double?, loss: Double?, testAccuracy: Double?
        public var support: Int?, supportChanges: Int?, activeNeurons: Int?
        public var seconds: Double?, elapsed: Double

        /// The test accuracy after epoch `e` (fraction); `total` counts epochs.
        public init(epoch e: Int, testAccuracy: Double, plan: ProgressPlan, elapsed: Double) {
            kind = "score"; layer = plan.layer; layers = plan.layers
            epoch = e; total = plan.unit == .epoch ? plan.total : max(1, plan.total / plan.batchesPerEpoch)
            self.testAccuracy = testAccuracy; self.elapsed = elapsed
        }

        /// A step of the scalar solver; non-finite values are left out.
        public init(step r: StepReport, plan: ProgressPlan, elapsed: Double) {
            kind = "step"; layer = plan.layer; layers = plan.layers
            step = r.step; total = plan.total
            epoch = plan.batchesPerEpoch > 1 ? (r.step - 1) / plan.batchesPerEpoch + 1 : nil
            psnr = r.psnr.isFinite ? r.psnr : nil; relativeResidual = r.relativeResidual.isFinite ? r.relativeResidual : nil
            support = r.supportSize; supportChanges = r.supportChanges
            seconds = r.seconds; self.elapsed = elapsed
        }

        /// An epoch of the vector solver; a non-finite loss is left out.
        public init(epoch r: EpochReport, plan: ProgressPlan, elapsed: Double) {
            kind = "epoch"; layer = plan.layer; layers = plan.layers
            epoch = r.epoch; total = plan.total
            loss = r.loss.isFinite ? r.loss : nil
            support = r.supportSize; activeNeurons = r.activeNeurons
            seconds = r.seconds; self.elapsed = elapsed
        }
    }

    private let fd: Int32
    public let path: String
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// Opens (creates or truncates) `path`.
    /// - Throws: `SparseIHTError.invalidArgument` naming `--log`.
    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SparseIHTError.invalidArgument("--log: cannot write '\(path)': \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Appends `record` as one JSON line (snake_case keys, sorted) in one `write`.
    public func write(_ record: Record) {
        guard var line = try? encoder.encode(record) else { return }
        line.append(UInt8(ascii: "\n"))
        _ = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    }
}
