import Foundation
import SparseIHTCore

/// Reading IDX files (the MNIST format): big-endian magic `0x0000TTDD` (type TT, DD
/// dimensions), DD big-endian uint32 sizes, then the data.
public enum IDXFile {
    /// A parsed header: shape, element size in bytes, where the data starts, element count.
    struct Header {
        var type: UInt8, shape: [Int], size: Int, start: Int, count: Int, dataBytes: Int
    }

    /// Reads a plain or gzip-compressed IDX file. The header is read first and its claimed
    /// size checked (overflow, memory) before the data is read or decompressed.
    /// - Throws: `SparseIHTError.badFile` for a missing, empty, truncated or malformed file,
    ///   non-finite float values, or a claimed size that cannot fit in memory.
    public static func read(_ path: String) throws -> NumPyFile.Array {
        let head = try header(try FileBytes.prefix(path, count: 4 + 4 * 255), path: path)
        // Raw bytes plus the Float array made from them.
        let need = CheckedSize.product(head.count, 4).flatMap { f -> Int? in
            let (sum, o) = f.addingReportingOverflow(head.dataBytes); return o ? nil : sum
        }
        try MemoryBudget.require(need, for: "\(path): IDX data of shape \(head.shape)")
        let total = head.start + head.dataBytes
        return try parse(try FileBytes.read(path, limit: total + 1), path: path)
    }

    static func header(_ b: [UInt8], path: String) throws -> Header {
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: r) }
        guard !b.isEmpty else { throw bad("the file is empty") }
        guard b.count >= 4, b[0] == 0, b[1] == 0 else { throw bad("not an IDX file (bad magic; expected 0x0000TTDD)") }
        let type = b[2], dims = Int(b[3])
        let size: Int
        switch type {
        case 0x08, 0x09: size = 1
        case 0x0B: size = 2
        case 0x0C, 0x0D: size = 4
        case 0x0E: size = 8
        default: throw bad("unknown IDX element type 0x\(String(type, radix: 16))")
        }
        guard dims >= 1 else { throw bad("IDX header declares 0 dimensions") }
        guard b.count >= 4 + 4 * dims else { throw bad("truncated IDX header (\(dims) dimensions need \(4 + 4 * dims) bytes)") }
        func be32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        let shape = (0..<dims).map { be32(4 + 4 * $0) }
        guard let count = CheckedSize.product(shape), let dataBytes = CheckedSize.product(count, size),
              !dataBytes.addingReportingOverflow(4 + 4 * dims).overflow else {
            throw bad("IDX header size \(shape) overflows")
        }
        return Header(type: type, shape: shape, size: size, start: 4 + 4 * dims, count: count, dataBytes: dataBytes)
    }

    static func parse(_ b: [UInt8], path: String) throws -> NumPyFile.Array {
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: r) }
        let h = try header(b, path: path)
        let (type, size, start, count) = (h.type, h.size, h.start, h.count)
        guard b.count - start == h.dataBytes else {
            throw bad("IDX header says \(h.shape) (\(h.dataBytes) bytes of data), file has \(b.count - start)\(b.count - start > h.dataBytes ? " or more" : "")")
        }
        func be32(_ o: Int) -> UInt32 { UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3]) }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let o = start + i * size
            switch type {
            case 0x08: values[i] = Float(b[o])
            case 0x09: values[i] = Float(Int8(bitPattern: b[o]))
            case 0x0B: values[i] = Float(Int16(bitPattern: UInt16(b[o]) << 8 | UInt16(b[o + 1])))
            case 0x0C: values[i] = Float(Int32(bitPattern: be32(o)))
            case 0x0D: values[i] = Float(bitPattern: be32(o))
            default: values[i] = Float(Double(bitPattern: UInt64(be32(o)) << 32 | UInt64(be32(o + 4))))
            }
            guard values[i].isFinite else {
                throw bad("value \(i) is \(values[i]) (NaN or infinite, or beyond the float32 range)")
            }
        }
        return NumPyFile.Array(shape: h.shape, values: values)
    }
}
