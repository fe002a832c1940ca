import Foundation
import SparseIHTCore

/// A live progress line on a terminal (stderr), nothing when piped: layer, step or epoch
/// k/N, percent, time remaining, the task's metric and the support, cut to the terminal's
/// width so that it never wraps. Every step or epoch also goes to `log` when one is open.
public final class ProgressLine: @unchecked Sendable {
    /// Whether lines are drawn (a terminal, not `--quiet`).
    public let live: Bool
    public let log: RunLog?
    let started = Date()
    private var plan = ProgressPlan(unit: .step, total: 0, metric: "psnr")
    /// The latest epoch's test accuracy (classification runs of one layer).
    private var lastScore: (epoch: Int, accuracy: Double)?
    private var lastEpoch: EpochReport?
    private var planStarted = Date()
    private var drawn = false
    /// Terminal columns, and where the drawn text goes (stderr unless a test says otherwise).
    private let columns: () -> Int
    private let output: (String) -> Void

    /// Draws on stderr when it is a terminal and not `quiet`.
    public convenience init(quiet: Bool, log: RunLog? = nil) {
        self.init(live: !quiet && isatty(2) != 0, log: log)
    }

    /// Draws into `output` when `live`, `columns()` wide.
    public init(live: Bool, log: RunLog? = nil, columns: @escaping () -> Int = ProgressLine.terminalColumns,
                output: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.live = live; self.log = log; self.columns = columns; self.output = output
    }

    /// The callbacks of a task run: steps and epochs on the line, notices on their own line.
    public var observer: TaskObserver {
        var o = TaskObserver()
        o.plan = { [self] in plan = $0; planStarted = Date() }
        o.step = { [self] in show($0) }
        o.epoch = { [self] in showEpoch($0) }
        o.finish = { [self] in finish() }
        o.notice = { [self] in finish(); Console.notice($0) }
        o.wantsEpochScores = live || log != nil
        o.epochScore = { [self] e, accuracy in
            lastScore = (e, accuracy)
            log?.write(RunLog.Record(epoch: e, testAccuracy: accuracy, plan: plan, elapsed: elapsed))
            if plan.unit == .epoch, let r = lastEpoch { drawEpoch(r) }
        }
        return o
    }

    public func show(_ r: StepReport) {
        log?.write(RunLog.Record(step: r, plan: plan, elapsed: elapsed))
        guard live else { return }
        var fields = [position(done: r.step)]
        if plan.batchesPerEpoch > 1 {
            let e = (r.step - 1) / plan.batchesPerEpoch + 1, total = max(1, plan.total / plan.batchesPerEpoch)
            fields[0] = "epoch \(e)/\(total) " + fields[0]
        }
        if let s = lastScore {
            fields.append(String(format: "test acc %.2f%% (epoch %d)", 100 * s.accuracy, s.epoch))
        } else {
            fields.append(String(format: plan.batchesPerEpoch > 1 ? "batch psnr %.2f dB" : "psnr %.2f dB", r.psnr))
        }
        fields.append("support \(r.supportSize) (changed \(r.supportChanges))")
        fields.append(String(format: "rel.res %.2e", r.relativeResidual))
        fields.append(String(format: "%.1fs", elapsed))
        draw(fields)
    }

    public func showEpoch(_ r: EpochReport) {
        log?.write(RunLog.Record(epoch: r, plan: plan, elapsed: elapsed))
        lastEpoch = r
        drawEpoch(r)
    }

    private func drawEpoch(_ r: EpochReport) {
        guard live else { return }
        var fields = [position(done: r.epoch)]
        if let s = lastScore { fields.append(String(format: "test acc %.2f%% (epoch %d)", 100 * s.accuracy, s.epoch)) }
        draw(fields + [String(format: "loss %.5f", r.loss), "support \(r.supportSize)",
              "neurons \(r.activeNeurons)", String(format: "%.1fs (%.2fs/epoch)", elapsed, r.seconds)])
    }

    public func showSweep(_ p: SweepProgress) {
        let left = p.secondsLeft.map { String(format: "~%@ left", Self.duration($0)) } ?? ""
        draw([String(format: "sweep %d/%d cells (%.0f%%)", p.done, p.total, 100 * Double(p.done) / Double(max(p.total, 1))),
              p.failed > 0 ? "\(p.failed) failed" : "", left, String(format: "%.0fs", elapsed)].filter { !$0.isEmpty })
    }

    /// Ends a drawn line with a newline (so the next output starts on its own line).
    public func finish() {
        if live && drawn { output("\n") }
        drawn = false
    }

    private var elapsed: Double { Date().timeIntervalSince(started) }

    /// `layer l/L step k/N 42% ~1m10s left`: the position in the run and the time left
    /// (the layer's rate so far, over its remaining units and the layers after it).
    private func position(done: Int) -> String {
        let unit = plan.unit.rawValue, total = max(plan.total, 1)
        var text = plan.layers > 1 ? "layer \(plan.layer)/\(plan.layers) " : ""
        text += "\(unit) \(done)/\(total) \(Int(100 * Double(min(done, total)) / Double(total)))%"
        let spent = Date().timeIntervalSince(planStarted)
        if done > 0 {
            let perUnit = spent / Double(done)
            let left = perUnit * Double(max(total - done, 0) + (plan.layers - plan.layer) * total)
            text += " ~" + Self.duration(left) + " left"
        }
        return text
    }

    /// `45s`, `3m05s`, `2h10m`.
    public static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60)
    }

    /// `\r`, the fields that fit in `width` (the first always, cut if need be) joined by two
    /// spaces, padded with spaces to `width`.
    public static func fit(_ fields: [String], width: Int) -> String {
        var line = ""
        for f in fields {
            let next = line.isEmpty ? f : line + "  " + f
            if next.count > width { break }
            line = next
        }
        if line.isEmpty { line = String((fields.first ?? "").prefix(width)) }
        return "\r" + line + String(repeating: " ", count: max(0, width - line.count))
    }

    private func draw(_ fields: [String]) {
        guard live else { return }
        output(Self.fit(fields, width: max(columns() - 1, 20)))
        drawn = true
    }

    /// Columns of the terminal on stderr (`$COLUMNS`, else 80, when it cannot be told).
    public static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }
}
