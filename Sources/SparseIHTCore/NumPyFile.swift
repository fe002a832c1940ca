import Foundation

/// Reading and writing NumPy `.npy` files (format versions 1-3, little-endian; C order,
/// and Fortran order transposed on read).
public enum NumPyFile {
    /// A loaded array: shape and values converted to Float, in C (row-major) order.
    public struct Array: Sendable {
        public var shape: [Int]
        public var values: [Float]

        public init(shape: [Int], values: [Float]) {
            self.shape = shape; self.values = values
        }
    }

    /// Reads `path`. Accepts float32/float64, bool and (u)int8/16/32/64 element types. A
    /// Fortran-order array (what `np.save(path, X.T)` writes) is reordered to C order, so
    /// `values` always hold the array NumPy would load, row-major.
    /// - Throws: `SparseIHTError.badFile` for a missing, empty, truncated or unsupported
    ///   file, a header that is not exactly NumPy's (`descr`, `fortran_order`, `shape`,
    ///   each once), a `.npz` archive, non-finite float values, or an array that cannot
    ///   fit in memory.
    public static func read(_ path: String) throws -> Array {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (missing)")
        }
        guard !isDir.boolValue else { throw SparseIHTError.badFile(path: path, reason: "is a directory, expected a .npy file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber {
            try MemoryBudget.require(Int(clamping: size.int64Value), for: "\(path): reading the file", fraction: 0.4)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (unreadable)")
        }
        return try parse(data, path: path)
    }

    static func parse(_ data: Data, path: String) throws -> Array {
        func bad(_ reason: String) -> SparseIHTError { .badFile(path: path, reason: reason) }
        let bytes = [UInt8](data)
        guard !bytes.isEmpty else { throw bad("the file is empty") }
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B, bytes[2] == 3, bytes[3] == 4 {
            throw bad("a zip archive (.npz) is not supported; save each array with np.save as .npy")
        }
        guard bytes.count >= 10, bytes[0] == 0x93, Swift.Array(bytes[1..<6]) == Swift.Array("NUMPY".utf8) else {
            throw bad("not a NumPy .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: headerLength = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }; headerStart = 12
        default: throw bad("unsupported .npy version \(major)")
        }
        guard bytes.count - headerStart >= headerLength else {
            throw bad("truncated header: \(headerLength) bytes claimed, \(bytes.count - headerStart) present")
        }
        let headerBytes = bytes[headerStart..<(headerStart + headerLength)]
        guard let header = String(validating: headerBytes, as: UTF8.self),
              headerBytes.allSatisfy({ major == 3 || $0 < 0x80 }) else {
            throw bad("the header is not \(major == 3 ? "UTF-8" : "ASCII") text")
        }
        let dict = try NumPyHeader.dictionary(header, path: path)
        guard case .string(let type)? = dict["descr"] else { throw bad("header lacks a string 'descr': \(header)") }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw bad("header lacks 'fortran_order' (True or False): \(header)")
        }
        guard case .tuple(let shape)? = dict["shape"] else { throw bad("header lacks a tuple 'shape': \(header)") }
        guard type.count >= 3 else { throw bad("unsupported dtype '\(type)'") }
        let chars = Swift.Array(type), endian = chars[0], kind = chars[1]
        guard let size = Int(String(chars[2...])), size > 0 else { throw bad("unsupported dtype '\(type)'") }
        guard endian == "<" || endian == "|" || endian == "=" || (endian == ">" && size == 1) else {
            throw bad("big-endian dtype '\(type)' is not supported; save with X.astype('<f4')")
        }
        guard let count = CheckedSize.product(shape), let dataBytes = CheckedSize.product(count, size) else {
            throw bad("shape \(shape) overflows")
        }
        let start = headerStart + headerLength
        guard bytes.count - start == dataBytes else {
            let have = bytes.count - start
            throw bad("\(have < dataBytes ? "truncated data" : "extra data after the array"): shape \(shape) of \(size)-byte '\(type)' needs \(dataBytes) bytes, file has \(have)")
        }
        try MemoryBudget.require(CheckedSize.product(count, 8), for: "\(path): array of shape \(shape)")
        var values = [Float](repeating: 0, count: count)
        try bytes.withUnsafeBytes { raw in
            guard let origin = raw.baseAddress else { throw bad("no data") }
            let base = origin + start
            func load<T>(_: T.Type, _ f: (T) -> Float) {
                for i in 0..<count { values[i] = f(base.loadUnaligned(fromByteOffset: i * size, as: T.self)) }
            }
            switch (kind, size) {
            case ("f", 4): load(Float.self) { $0 }
            case ("f", 8): load(Double.self) { Float($0) }
            case ("i", 1): load(Int8.self) { Float($0) }
            case ("u", 1), ("b", 1): load(UInt8.self) { Float($0) }
            case ("i", 2): load(Int16.self) { Float($0) }
            case ("u", 2): load(UInt16.self) { Float($0) }
            case ("i", 4): load(Int32.self) { Float($0) }
            case ("u", 4): load(UInt32.self) { Float($0) }
            case ("i", 8): load(Int64.self) { Float($0) }
            case ("u", 8): load(UInt64.self) { Float($0) }
            default: throw bad("unsupported dtype '\(type)' (float32/64, bool, (u)int8/16/32/64)")
            }
        }
        if kind == "f", let i = values.firstIndex(where: { !$0.isFinite }) {
            throw bad("value \(i) is \(values[i]) (NaN or infinite, or beyond the float32 range)")
        }
        if fortran && shape.count > 1 { values = fortranToC(values, shape: shape) }
        return Array(shape: shape, values: values)
    }

    /// Reorders column-major `values` of `shape` to row-major.
    static func fortranToC(_ values: [Float], shape: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        guard !values.isEmpty else { return out }
        let rank = shape.count
        // Fortran strides (elements) of each axis.
        var fStride = [Int](repeating: 1, count: rank)
        for a in 1..<rank { fStride[a] = fStride[a - 1] * shape[a - 1] }
        var index = [Int](repeating: 0, count: rank), src = 0
        for dst in 0..<values.count {
            out[dst] = values[src]
            // Advance the C-order multi-index (last axis fastest).
            var a = rank - 1
            while a >= 0 {
                index[a] += 1; src += fStride[a]
                if index[a] < shape[a] { break }
                src -= fStride[a] * shape[a]; index[a] = 0; a -= 1
            }
        }
        return out
    }

    /// Writes a float32 array of `shape`.
    public static func write(_ values: [Float], shape: [Int], to path: String) throws {
        try write(raw: values.withUnsafeBytes { Data($0) }, descr: "<f4", shape: shape, to: path)
    }

    /// Writes an int64 array of `shape`.
    public static func write(_ values: [Int64], shape: [Int], to path: String) throws {
        try write(raw: values.withUnsafeBytes { Data($0) }, descr: "<i8", shape: shape, to: path)
    }

    private static func write(raw: Data, descr: String, shape: [Int], to path: String) throws {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Swift.Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        data.append(contentsOf: Swift.Array(header.utf8))
        data.append(raw)
        try AtomicFile.write(data, to: path)
    }
}
