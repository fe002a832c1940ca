import Foundation
import SparseIHTCore

/// Progress of a sweep: cells finished (this run and before) out of the shard's cells,
/// and an estimate of the seconds left (nil before the first cell of this run ends).
public struct SweepProgress: Sendable {
    public var done: Int, total: Int, failed: Int, secondsLeft: Double?
}

/// What a sweep did.
public struct SweepSummary: Sendable {
    /// Cells of the shard; already in the file at the start; run now; failed (left out of
    /// the file, so a rerun retries them); whether a half-written last line was cut.
    public var total: Int, skipped: Int, ran: Int, failures: [(cell: String, error: String)], cutLastLine: Bool
}

public enum SweepRunner {
    /// The grid description stored beside a results file (`PATH.grid.json`), which `merge`
    /// reads to list missing cells.
    public struct GridFile: Codable, Sendable, Equatable {
        public var grid: SweepGrid
        public var shard: Shard
        public static func path(for results: String) -> String { results + ".grid.json" }
    }

    /// Runs the cells of `shard` that `out` does not hold yet, `jobs` at a time, appending
    /// each row as it ends. `execute` runs one cell (in this process or a child process);
    /// with `jobs > 1` it is called from several threads at once. A cell that throws is
    /// reported in the summary and left out of the file, so a rerun retries it.
    public static func run(_ grid: SweepGrid, shard: Shard = .whole, jobs: Int = 1, out: String,
                           execute: @escaping @Sendable (SweepCell) throws -> SweepRow,
                           progress: @escaping @Sendable (SweepProgress) -> Void = { _ in }) throws -> SweepSummary {
        try grid.validate()
        try checkGridFile(GridFile(grid: grid, shard: shard), results: out)
        let (rows, cut) = try ResultsFile.repair(out)
        let present = Set(rows.map(\.cell))
        let cells = grid.cells(in: shard)
        let pending = cells.filter { !present.contains($0.key) }
        let appender = try ResultsFile.Appender(path: out)
        let state = RunState(done: cells.count - pending.count, total: cells.count)
        let started = Date()
        progress(SweepProgress(done: cells.count - pending.count, total: cells.count, failed: 0, secondsLeft: nil))
        let queue = DispatchQueue(label: "sweep", attributes: .concurrent)
        let group = DispatchGroup(), slots = DispatchSemaphore(value: max(1, jobs))
        for cell in pending {
            slots.wait()
            queue.async(group: group) {
                defer { slots.signal() }
                do {
                    try appender.append(try execute(cell))
                    let p = state.finished(failed: false, started: started, pending: pending.count)
                    progress(p)
                } catch {
                    state.fail(cell.key, "\(error)")
                    progress(state.finished(failed: true, started: started, pending: pending.count))
                }
            }
        }
        group.wait()
        return SweepSummary(total: cells.count, skipped: cells.count - pending.count, ran: pending.count,
                            failures: state.failures, cutLastLine: cut)
    }

    /// Writes the grid file, or checks that an existing one describes the same sweep.
    static func checkGridFile(_ file: GridFile, results: String) throws {
        let path = GridFile.path(for: results)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = FileManager.default.contents(atPath: path) {
            guard let old = try? JSONDecoder().decode(GridFile.self, from: data), old == file else {
                throw SparseIHTError.invalidArgument("\(results) belongs to another grid or shard (see \(path)); choose another --out")
            }
            return
        }
        do { try encoder.encode(file).write(to: URL(fileURLWithPath: path)) } catch {
            throw SparseIHTError.invalidArgument("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Counters shared by the worker threads.
    final class RunState: @unchecked Sendable {
        private let lock = NSLock()
        private var done: Int, ranNow = 0
        let total: Int
        private(set) var failures: [(cell: String, error: String)] = []

        init(done: Int, total: Int) { self.done = done; self.total = total }

        func fail(_ cell: String, _ error: String) {
            lock.lock(); failures.append((cell, error)); lock.unlock()
        }

        func finished(failed: Bool, started: Date, pending: Int) -> SweepProgress {
            lock.lock(); defer { lock.unlock() }
            ranNow += 1
            if !failed { done += 1 }
            let elapsed = Date().timeIntervalSince(started)
            return SweepProgress(done: done, total: total, failed: failures.count,
                                 secondsLeft: elapsed / Double(ranNow) * Double(pending - ranNow))
        }
    }
}
