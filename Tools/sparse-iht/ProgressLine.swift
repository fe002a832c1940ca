import Foundation
import SparseIHTCore

/// A live progress line on a terminal (stderr), nothing when piped.
struct ProgressLine {
    let live: Bool
    let started = Date()

    init(quiet: Bool) { live = !quiet && isatty(2) != 0 }

    func show(_ r: StepReport) {
        guard live else { return }
        let elapsed = Date().timeIntervalSince(started)
        let text = String(format: "\rstep %4d  psnr %7.2f dB  rel.res %.2e  support %d (%+d changed)  %.1fs  %.2f steps/s   ",
                          r.step, r.psnr, r.relativeResidual, r.supportSize, r.supportChanges, elapsed,
                          Double(r.step) / max(elapsed, 1e-9))
        FileHandle.standardError.write(Data(text.utf8))
    }

    func finish() {
        if live { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Peak resident set size of this process in bytes.
func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

extension ProgressLine {
    func showEpoch(_ r: EpochReport) {
        guard live else { return }
        let elapsed = Date().timeIntervalSince(started)
        let text = String(format: "\repoch %4d  loss %.5f  support %d  neurons %d  %.1fs (%.2fs/epoch)   ",
                          r.epoch, r.loss, r.supportSize, r.activeNeurons, elapsed, r.seconds)
        FileHandle.standardError.write(Data(text.utf8))
    }
}
