import Foundation
import SparseIHTCore

/// Numeric CSV files with one label column (plain or gzip).
public enum CSVData {
    /// Loads `path`; `labelColumn` is a column index (negative counts from the end).
    /// Labels must be non-negative integers; `classes` is one more than the largest.
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
                    guard v >= 0, v == v.rounded() else {
                        throw SparseIHTError.badFile(path: path, reason: "line \(lineNo): label '\(f)' is not a non-negative integer")
                    }
                    labels.append(Int(v))
                } else { x.append(v) }
            }
        }
        guard let w = width, !labels.isEmpty else { throw SparseIHTError.badFile(path: path, reason: "no data rows") }
        return try LabelledData(x: x, n: labels.count, d: w - 1, labels: labels, classes: (labels.max() ?? 0) + 1)
    }
}
