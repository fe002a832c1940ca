import Foundation
import SparseIHTCore

extension SweepCell {
    /// The cell as one JSON argument (for `sparse-iht sweep cell`).
    public func argument() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public init(argument: String) throws {
        do { self = try JSONDecoder().decode(SweepCell.self, from: Data(argument.utf8)) } catch {
            throw SparseIHTError.invalidArgument("not a sweep cell: \(argument)")
        }
    }

    /// Runs the cell in a child process, `executable sweep cell JSON --backend B
    /// [--device D]`, which prints the row as its last line on stdout; each cell then has
    /// its own peak memory, and a cell that crashes fails alone.
    public func runInChild(executable: String, backend: BackendChoice, device: String?) throws -> SweepRow {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["sweep", "cell", try argument(), "--backend", backend.rawValue] + (device.map { ["--device", $0] } ?? [])
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let last = output.split(separator: UInt8(ascii: "\n")).last,
              let row = try? JSONDecoder().decode(SweepRow.self, from: Data(last)) else {
            var message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            throw SparseIHTError.invalidArgument("cell failed (status \(process.terminationStatus)): \(message)")
        }
        return row
    }
}
