import Foundation
import SparseIHTCore

/// A results file: one `SweepRow` per line (JSON lines). Rows are appended whole, each
/// with one `write` followed by `fsync`, so a killed sweep leaves complete rows and at
/// most one half-written last line, which `load` detects and `repair` cuts off.
public enum ResultsFile {
    /// The rows of `path` (none when it does not exist) and the byte length of its complete
    /// rows (`damaged`: a last line that is unterminated or does not decode). A bad line
    /// before the last throws: that is not a crash's trace but a foreign or edited file.
    public static func load(_ path: String) throws -> (rows: [SweepRow], validBytes: Int, damaged: Bool) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], 0, false) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparseIHTError.invalidArgument("cannot read \(path)")
        }
        var rows: [SweepRow] = [], offset = 0, lineNumber = 0
        let decoder = JSONDecoder()
        let bytes = [UInt8](data)
        while offset < bytes.count {
            lineNumber += 1
            let end = bytes[offset...].firstIndex(of: UInt8(ascii: "\n"))
            let line = Data(bytes[offset..<(end ?? bytes.count)])
            let row = try? decoder.decode(SweepRow.self, from: line)
            guard let end, let row else {
                if (end ?? bytes.count) + 1 >= bytes.count { return (rows, offset, true) }
                throw SparseIHTError.invalidArgument("\(path) line \(lineNumber) is not a results row")
            }
            rows.append(row)
            offset = end + 1
        }
        return (rows, offset, false)
    }

    /// Loads `path` and cuts a half-written last line off; returns the complete rows and
    /// whether a line was cut.
    public static func repair(_ path: String) throws -> (rows: [SweepRow], cut: Bool) {
        let loaded = try load(path)
        if loaded.damaged {
            guard truncate(path, off_t(loaded.validBytes)) == 0 else {
                throw SparseIHTError.invalidArgument("cannot truncate \(path): \(String(cString: strerror(errno)))")
            }
        }
        return (loaded.rows, loaded.damaged)
    }

    /// Appends rows to a file (created when missing), durably: one `write` per row, then `fsync`.
    public final class Appender: @unchecked Sendable {
        private let fd: Int32
        private let path: String
        private let lock = NSLock()

        public init(path: String) throws {
            self.path = path
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            guard fd >= 0 else { throw SparseIHTError.invalidArgument("cannot open \(path): \(String(cString: strerror(errno)))") }
        }

        deinit { close(fd) }

        public func append(_ row: SweepRow) throws {
            var line = try row.line()
            line.append(UInt8(ascii: "\n"))
            lock.lock(); defer { lock.unlock() }
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == line.count, fsync(fd) == 0 else {
                throw SparseIHTError.invalidArgument("cannot append to \(path): \(String(cString: strerror(errno)))")
            }
        }
    }
}
