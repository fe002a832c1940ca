import Foundation
import SparseIHTCore
import SparseIHTTasks

/// A live progress line on a terminal (stderr), nothing when piped.
struct ProgressLine {
    let live: Bool
    let started = Date()

    init(quiet: Bool) { live = !quiet && isatty(2) != 0 }

    /// The callbacks of a task run: steps and epochs on the line, notices on their own line.
    var observer: TaskObserver {
        var o = TaskObserver()
        o.step = show; o.epoch = showEpoch; o.finish = finish; o.notice = notice
        return o
    }

    func show(_ r: StepReport) {
        draw(String(format: "step %4d  psnr %7.2f dB  rel.res %.2e  support %d (%+d changed)  %.1fs  %.2f steps/s",
                    r.step, r.psnr, r.relativeResidual, r.supportSize, r.supportChanges, elapsed, Double(r.step) / max(elapsed, 1e-9)))
    }

    func showEpoch(_ r: EpochReport) {
        draw(String(format: "epoch %4d  loss %.5f  support %d  neurons %d  %.1fs (%.2fs/epoch)",
                    r.epoch, r.loss, r.supportSize, r.activeNeurons, elapsed, r.seconds))
    }

    func showSweep(_ p: SweepProgress) {
        let left = p.secondsLeft.map { String(format: "~%.0fs left", $0) } ?? ""
        draw(String(format: "sweep %d/%d cells%@  %.0fs  %@", p.done, p.total, p.failed > 0 ? " (\(p.failed) failed)" : "", elapsed, left))
    }

    func finish() { if live { FileHandle.standardError.write(Data("\n".utf8)) } }

    private var elapsed: Double { Date().timeIntervalSince(started) }

    private func draw(_ text: String) { if live { FileHandle.standardError.write(Data(("\r" + text + "   ").utf8)) } }
}
