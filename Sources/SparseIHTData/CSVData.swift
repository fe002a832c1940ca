import Foundation
import SparseIHTCore

/// Numeric CSV files with one label column (plain or gzip).
public enum CSVData {
    /// The most classes a CSV file may hold (labels above it are refused before any
    /// per-class allocation).
    public static let maxClasses = 1 << 16

    /// Loads `path`; `labelColumn` is a column index (negative counts from the end).
    /// Labels must be integers in `0..<maxClasses`; `classes` is one more than the largest.
    /// Every value must be a finite number.
    public static func load(path: String, labelColumn: Int, header: Bool) throws -> LabelledData {
        let bytes = try FileBytes.read(path)
        var x: [Float] = [], labels: [Int] = []
        var width: Int?
        var lineNo = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            lineNo += 1
            if header && lineNo == 1 { continue }
            let fields = line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if fields.count == 1 && fields[0].isEmpty { continue }
            if width == nil { width = fields.count }
            guard fields.count == width else {
                throw SparseIHTError.badFile(path: path, reason: "line \(lineNo) has \(fields.count) fields, expected \(width ?? 0)")
            }
            let li = labelColumn < 0 ? fields.count + labelColumn : labelColumn
            guard li >= 0 && li < fields.count else {
                throw SparseIHTError.badFile(path: path, reason: "label column \(labelColumn) outside \(fields.count) columns")
            }
            for (c, f) in fields.enumerated() {
                guard let v = Float(f), v.isFinite else {
                    throw SparseIHTError.badFile(path: path, reason: "line \(lineNo), column \(c + 1): '\(f)' is not a finite number")
                }
                if c == li {
                    guard v >= 0, v == v.rounded(), v < Float(maxClasses) else {
                        throw SparseIHTError.badFile(path: path, reason: "line \(lineNo): label '\(f)' is not an integer class in 0..<\(maxClasses)")
                    }
                    labels.append(Int(v))
                } else { x.append(v) }
            }
        }
        guard let w = width, !labels.isEmpty else { throw SparseIHTError.badFile(path: path, reason: "no data rows") }
        guard w >= 2 else { throw SparseIHTError.badFile(path: path, reason: "rows have no feature column besides the label") }
        return try LabelledData(x: x, n: labels.count, d: w - 1, labels: labels, classes: (labels.max() ?? 0) + 1)
    }
}
