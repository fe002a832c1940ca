import Foundation
import SparseIHTCore

/// Numeric CSV files with one label column (plain or gzip).
public enum CSVData {
    /// The most classes a CSV file may hold (labels above it are refused before any
    /// per-class allocation).
    public static let maxClasses = 1 << 16

    /// Loads `path`; `labelColumn` is a column index (negative counts from the end).
    /// Labels must be integers in `0..<maxClasses`; `classes` is one more than the largest.
    /// Every value must be a finite float32 within `DataFiles.largestMagnitude`. The file
    /// (decompressed) may take at most a tenth of the memory this process may use: its
    /// values as floats take up to twice its bytes.
    /// Fields are parsed from the bytes in place: plain integers directly (exact), anything
    /// else (decimals, exponents) through `Float(String)`.
    public static func load(path: String, labelColumn: Int, header: Bool) throws -> LabelledData {
        let bytes = try FileBytes.read(path, limit: max(MemoryBudget.availableBytes / 10, 1 << 20))
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: r) }
        var x: [Float] = [], labels: [Int] = []
        var width: Int?
        var lineNo = 0
        var fields: [Float] = []
        try bytes.withUnsafeBufferPointer { all in
            var lineStart = 0
            while lineStart < all.count {
                var lineEnd = lineStart
                while lineEnd < all.count && all[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                defer { lineStart = lineEnd + 1 }
                lineNo += 1
                if lineEnd == lineStart { lineNo -= 1; continue }  // empty line (as before: not counted)
                if header && lineNo == 1 { continue }
                fields.removeAll(keepingCapacity: true)
                var fieldStart = lineStart
                var blank = true
                while true {
                    var fieldEnd = fieldStart
                    while fieldEnd < lineEnd && all[fieldEnd] != UInt8(ascii: ",") { fieldEnd += 1 }
                    let field = UnsafeBufferPointer(rebasing: all[fieldStart..<fieldEnd])
                    if let v = parseField(field) {
                        blank = false
                        fields.append(v)
                    } else if fieldEnd == lineEnd && fields.isEmpty && isBlank(field) {
                        break  // whitespace-only line
                    } else {
                        let text = String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        throw SparseIHTError.badFile(path: path, reason: "line \(lineNo), column \(fields.count + 1): '\(text)' is not a finite float32 number")
                    }
                    if fieldEnd >= lineEnd { break }
                    fieldStart = fieldEnd + 1
                    if fieldStart == lineEnd {  // trailing comma: an empty last field
                        throw SparseIHTError.badFile(path: path, reason: "line \(lineNo), column \(fields.count + 1): '' is not a finite number")
                    }
                }
                if blank { continue }
                if width == nil { width = fields.count }
                guard fields.count == width else {
                    throw SparseIHTError.badFile(path: path, reason: "line \(lineNo) has \(fields.count) fields, expected \(width ?? 0)")
                }
                let li = labelColumn < 0 ? fields.count + labelColumn : labelColumn
                guard li >= 0 && li < fields.count else {
                    throw SparseIHTError.badFile(path: path, reason: "label column \(labelColumn) outside \(fields.count) columns")
                }
                for (c, v) in fields.enumerated() {
                    guard abs(v) <= DataFiles.largestMagnitude else {
                        throw bad("line \(lineNo), column \(c + 1): \(v) is beyond \(DataFiles.largestMagnitude) in magnitude: the float32 solver would overflow")
                    }
                    if c == li {
                        guard v >= 0, v == v.rounded(), v < Float(maxClasses) else {
                            throw bad("line \(lineNo): label '\(v)' is not an integer class in 0..<\(maxClasses)")
                        }
                        labels.append(Int(v))
                    } else { x.append(v) }
                }
            }
        }
        guard let w = width, !labels.isEmpty else { throw bad("no data rows") }
        guard w >= 2 else { throw bad("rows have no feature column besides the label") }
        return try LabelledData(x: x, n: labels.count, d: w - 1, labels: labels, classes: (labels.max() ?? 0) + 1)
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }

    static func isBlank(_ field: UnsafeBufferPointer<UInt8>) -> Bool { field.allSatisfy(isSpace) }

    /// A finite number from one field (surrounding spaces allowed), or nil.
    static func parseField(_ field: UnsafeBufferPointer<UInt8>) -> Float? {
        var lo = 0, hi = field.count
        while lo < hi && isSpace(field[lo]) { lo += 1 }
        while hi > lo && isSpace(field[hi - 1]) { hi -= 1 }
        guard lo < hi else { return nil }
        // Fast path: an optional sign and up to 7 digits (exact in Float).
        var i = lo, negative = false
        if field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+") { negative = field[i] == UInt8(ascii: "-"); i += 1 }
        if i < hi && hi - i <= 7 {
            var v = 0, digits = true
            for k in i..<hi {
                let c = field[k]
                guard c >= 48 && c <= 57 else { digits = false; break }
                v = v * 10 + Int(c - 48)
            }
            if digits { return negative ? -Float(v) : Float(v) }
        }
        guard let v = Float(String(decoding: UnsafeBufferPointer(rebasing: field[lo..<hi]), as: UTF8.self)), v.isFinite else { return nil }
        return v
    }
}
