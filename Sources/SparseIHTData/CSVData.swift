import Foundation
import SparseIHTCore

/// Numeric CSV files with one label column (plain or gzip).
public enum CSVData {
    /// The most classes a CSV file may hold (labels above it are refused before any
    /// per-class allocation).
    public static let maxClasses = 1 << 16

    /// Loads `path`; `labelColumn` is a column index (negative counts from the end).
    /// Labels must be integers in `0..<maxClasses`; `classes` is one more than the largest.
    /// Every value must be a finite float32. The file (decompressed) may take at most a
    /// tenth of the memory this process may use: its values as floats take up to twice
    /// its bytes.
    public static func load(path: String, labelColumn: Int, header: Bool) throws -> LabelledData {
        let bytes = try FileBytes.read(path, limit: max(MemoryBudget.availableBytes / 10, 1 << 20))
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: r) }
        var x: [Float] = [], labels: [Int] = []
        var width: Int?
        var lineNo = 0, start = 0
        let newline = UInt8(ascii: "\n"), comma = UInt8(ascii: ",")
        func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != newline { end += 1 }
            defer { start = end + 1 }
            lineNo += 1
            if header && lineNo == 1 { continue }
            if bytes[start..<end].allSatisfy(isSpace) { continue }
            // Field boundaries.
            var fields: [Range<Int>] = []
            var f = start
            for i in start...end where i == end || bytes[i] == comma {
                var a = f, b = i
                while a < b && isSpace(bytes[a]) { a += 1 }
                while b > a && isSpace(bytes[b - 1]) { b -= 1 }
                fields.append(a..<b)
                f = i + 1
            }
            if width == nil { width = fields.count }
            guard fields.count == width else {
                throw bad("line \(lineNo) has \(fields.count) fields, expected \(width ?? 0)")
            }
            let li = labelColumn < 0 ? fields.count + labelColumn : labelColumn
            guard li >= 0 && li < fields.count else { throw bad("label column \(labelColumn) outside \(fields.count) columns") }
            for (c, r) in fields.enumerated() {
                let text = String(decoding: bytes[r], as: UTF8.self)
                guard let v = Float(text), v.isFinite else {
                    throw bad("line \(lineNo), column \(c + 1): '\(text.prefix(40))' is not a finite float32 number")
                }
                guard abs(v) <= DataFiles.largestMagnitude else {
                    throw bad("line \(lineNo), column \(c + 1): \(v) is beyond \(DataFiles.largestMagnitude) in magnitude: the float32 solver would overflow")
                }
                if c == li {
                    guard v >= 0, v == v.rounded(), v < Float(maxClasses) else {
                        throw bad("line \(lineNo): label '\(text.prefix(40))' is not an integer class in 0..<\(maxClasses)")
                    }
                    labels.append(Int(v))
                } else { x.append(v) }
            }
        }
        guard let w = width, !labels.isEmpty else { throw bad("no data rows") }
        guard w >= 2 else { throw bad("rows have no feature column besides the label") }
        return try LabelledData(x: x, n: labels.count, d: w - 1, labels: labels, classes: (labels.max() ?? 0) + 1)
    }
}
