import Foundation
import SparseIHTCore

/// Merging results files: the rows of all, checked against their grid.
public struct SweepMerge: Sendable {
    /// Every row, in grid order when a grid is known (else file order).
    public var rows: [SweepRow]
    /// Cells found more than once, with their count.
    public var duplicates: [String: Int]
    /// Cells of the grid that no file holds (empty when no grid file was found).
    public var missing: [String]
    /// Rows whose cell is not in the grid.
    public var foreign: [String]
    /// The grid of the files' grid files (nil: none found).
    public var grid: SweepGrid?

    public var isComplete: Bool { duplicates.isEmpty && missing.isEmpty && foreign.isEmpty && grid != nil }

    /// Reads `files` (a half-written last line is ignored, as a rerun would redo it) and
    /// their grid files; all grid files must describe the same grid.
    public init(files: [String]) throws {
        var all: [SweepRow] = []
        var grids: [SweepGrid] = []
        for path in files {
            guard FileManager.default.fileExists(atPath: path) else { throw SparseIHTError.invalidArgument("no file \(path)") }
            all += try ResultsFile.load(path).rows
            if let data = FileManager.default.contents(atPath: SweepRunner.GridFile.path(for: path)) {
                grids.append(try JSONDecoder().decode(SweepRunner.GridFile.self, from: data).grid)
            }
        }
        if let first = grids.first, grids.contains(where: { $0 != first }) {
            throw SparseIHTError.invalidArgument("the files belong to different grids")
        }
        grid = grids.first
        var counts: [String: Int] = [:]
        for r in all { counts[r.cell, default: 0] += 1 }
        duplicates = counts.filter { $0.value > 1 }
        if let grid {
            let order = grid.cells().map(\.key)
            let index = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            missing = order.filter { counts[$0] == nil }
            foreign = all.map(\.cell).filter { index[$0] == nil }
            rows = all.sorted { (index[$0.cell] ?? Int.max, $0.cell) < (index[$1.cell] ?? Int.max, $1.cell) }
        } else {
            missing = []; foreign = []; rows = all
        }
    }

    /// What `sweep merge` prints: counts, then up to `limit` duplicated, missing and foreign cells.
    public func reportLines(limit: Int = 20) -> [String] {
        let total = grid.map { "\($0.cells().count) cells in the grid" } ?? "no grid file found"
        return ["merge: \(rows.count) rows, \(total), \(missing.count) missing, \(duplicates.count) duplicated, \(foreign.count) not in the grid"]
            + duplicates.sorted { $0.key < $1.key }.prefix(limit).map { "duplicated (\($0.value)x): \($0.key)" }
            + missing.prefix(limit).map { "missing: \($0)" } + foreign.prefix(limit).map { "not in the grid: \($0)" }
    }

    /// A tidy CSV: one row per cell; columns: method, task, seed, every other flag of the
    /// grid (union over rows, sorted), the sizes in force (n, d, m, s), metric and value,
    /// every reported score, steps taken, time, memory, machine and the cell key.
    public func csv() -> String {
        let params = Set(rows.flatMap(\.parameters.keys)).subtracting(["n", "d", "m", "s"]).sorted()
        let scores = Set(rows.flatMap(\.metrics.keys)).sorted()
        let header = ["method", "task", "seed"] + params + ["n", "d", "m", "s", "metric", "value"] + scores
            + ["steps_taken", "nonzeros", "seconds", "peak_rss_bytes", "peak_device_bytes", "backend", "device", "version", "cell"]
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [header.joined(separator: ",")]
        for r in rows {
            var cols: [String] = [r.method, r.task, String(r.seed)]
            cols += params.map { r.parameters[$0] ?? "" }
            cols += [String(r.n), String(r.d), String(r.m), String(r.s), r.metric, "\(r.value)"]
            cols += scores.map { key in r.metrics[key].map { "\($0)" } ?? "" }
            cols += [r.steps.map(String.init) ?? "", r.nonzeros.map(String.init) ?? "", "\(r.seconds)"]
            cols += [String(r.peakRSSBytes), String(r.peakDeviceBytes), r.backend, r.device, r.version, r.cell]
            lines.append(cols.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
