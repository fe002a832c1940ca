import Foundation

/// Reading and writing NumPy `.npy` files (format versions 1-3, C order, little-endian).
public enum NumPyFile {
    /// A loaded array: shape and values converted to Float.
    public struct Array: Sendable {
        public var shape: [Int]
        public var values: [Float]

        public init(shape: [Int], values: [Float]) {
            self.shape = shape; self.values = values
        }
    }

    /// Reads `path`. Accepts float32/float64 and (u)int8/16/32/64 element types.
    /// - Throws: `SparseIHTError.badFile` for a missing, empty, truncated or unsupported file.
    public static func read(_ path: String) throws -> Array {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (missing or unreadable)")
        }
        return try parse(data, path: path)
    }

    static func parse(_ data: Data, path: String) throws -> Array {
        func bad(_ reason: String) -> SparseIHTError { .badFile(path: path, reason: reason) }
        let bytes = [UInt8](data)
        guard !bytes.isEmpty else { throw bad("the file is empty") }
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
        guard bytes.count >= headerStart + headerLength else { throw bad("truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field(header, "descr"), let shapeText = field(header, "shape") else {
            throw bad("header lacks descr or shape: \(header)")
        }
        if let fo = field(header, "fortran_order"), fo.hasPrefix("True") {
            throw bad("Fortran-order arrays are not supported; save with np.ascontiguousarray")
        }
        let shape = shapeText.split(whereSeparator: { ",() ".contains($0) }).compactMap { Int($0) }
        let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard type.count >= 3 else { throw bad("unsupported dtype \(type)") }
        let chars = Swift.Array(type), endian = chars[0], kind = chars[1], size = Int(type.dropFirst(2)) ?? 0
        guard endian == "<" || endian == "|" || (endian == "=" ) else {
            throw bad("big-endian dtype \(type) is not supported")
        }
        let count = shape.reduce(1, *)
        let start = headerStart + headerLength
        guard size > 0, bytes.count - start >= count * size else {
            throw bad("truncated data: \(count) elements of \(max(size, 1)) bytes need \(count * max(size, 1)), file has \(bytes.count - start)")
        }
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
            default: throw bad("unsupported dtype \(type)")
            }
        }
        return Array(shape: shape, values: values)
    }

    /// The text after `'key':` in a header dict, up to the next top-level comma.
    private static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        var depth = 0, out = ""
        for c in header[r.upperBound...] {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1; if depth == 0 { out.append(c); break } }
            if c == "," && depth == 0 { break }
            if c == "}" && depth == 0 { break }
            out.append(c)
        }
        return out.trimmingCharacters(in: .whitespaces)
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
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            throw SparseIHTError.badFile(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
