import Foundation
import SparseIHTCore

/// Reading IDX files (the MNIST format): big-endian magic `0x0000TTDD` (type TT, DD
/// dimensions), DD big-endian uint32 sizes, then the data.
public enum IDXFile {
    /// Reads a plain or gzip-compressed IDX file.
    /// - Throws: `SparseIHTError.badFile` for a missing, empty, truncated or malformed file.
    public static func read(_ path: String) throws -> NumPyFile.Array {
        try parse(try FileBytes.read(path), path: path)
    }

    static func parse(_ b: [UInt8], path: String) throws -> NumPyFile.Array {
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: r) }
        guard !b.isEmpty else { throw bad("the file is empty") }
        guard b.count >= 4, b[0] == 0, b[1] == 0 else { throw bad("not an IDX file (bad magic)") }
        let type = b[2], dims = Int(b[3])
        let size: Int
        switch type {
        case 0x08, 0x09: size = 1
        case 0x0B: size = 2
        case 0x0C, 0x0D: size = 4
        case 0x0E: size = 8
        default: throw bad("unknown IDX element type 0x\(String(type, radix: 16))")
        }
        guard dims >= 1, b.count >= 4 + 4 * dims else { throw bad("truncated IDX header") }
        func be32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        let shape = (0..<dims).map { be32(4 + 4 * $0) }
        let count = shape.reduce(1, *), start = 4 + 4 * dims
        guard b.count - start == count * size else {
            throw bad("IDX header says \(shape) (\(count * size) bytes of data), file has \(b.count - start)")
        }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let o = start + i * size
            switch type {
            case 0x08: values[i] = Float(b[o])
            case 0x09: values[i] = Float(Int8(bitPattern: b[o]))
            case 0x0B: values[i] = Float(Int16(bitPattern: UInt16(b[o]) << 8 | UInt16(b[o + 1])))
            case 0x0C: values[i] = Float(Int32(bitPattern: UInt32(be32(o))))
            case 0x0D: values[i] = Float(bitPattern: UInt32(be32(o)))
            default: values[i] = Float(Double(bitPattern: UInt64(be32(o)) << 32 | UInt64(be32(o + 4))))
            }
        }
        return NumPyFile.Array(shape: shape, values: values)
    }
}
