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
        merged.reportLines().forEach { print($0) }
        if !merged.duplicates.isEmpty || !merged.missing.isEmpty || !merged.foreign.isEmpty { throw ExitCode(1) }
    }
}
