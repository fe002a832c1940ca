import ArgumentParser
import Foundation
import SparseIHTTasks

/// Merges results files into a CSV and checks them against their grid.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge results files (e.g. the shards of one sweep) into a tidy CSV; exit 1 on missing or duplicated cells.")

    @Argument(help: "Results files (JSON lines) of one grid.") var files: [String]
    @Option(help: "Write the CSV here.") var csv: String?

    func run() throws {
        let merged = try reported { try SweepMerge(files: files) }
        if let csv {
            do { try merged.csv().write(toFile: csv, atomically: true, encoding: .utf8) } catch {
                throw CLIError("cannot write \(csv): \(error.localizedDescription)")
            }
        }
        let total = merged.grid.map { "\($0.cells().count) cells in the grid" } ?? "no grid file found"
        print("merge: \(merged.rows.count) rows, \(total), \(merged.missing.count) missing, \(merged.duplicates.count) duplicated, \(merged.foreign.count) not in the grid")
        for (cell, count) in merged.duplicates.sorted(by: { $0.key < $1.key }).prefix(20) { print("duplicated (\(count)x): \(cell)") }
        for cell in merged.missing.prefix(20) { print("missing: \(cell)") }
        for cell in merged.foreign.prefix(20) { print("not in the grid: \(cell)") }
        if !merged.duplicates.isEmpty || !merged.missing.isEmpty || !merged.foreign.isEmpty { throw ExitCode(1) }
    }
}
