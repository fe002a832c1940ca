import CZlib
import Foundation
import SparseIHTCore

/// Whole-file reading with transparent gzip decompression (zlib), bounded: a file (or its
/// decompressed content) larger than the stated limit is an error before it is held in
/// memory, so a small compressed file claiming gigabytes cannot exhaust memory.
public enum FileBytes {
    /// The default limit on the bytes read from one file (decompressed): a quarter of what
    /// this process may allocate (`MemoryBudget.availableBytes`), leaving room for the
    /// arrays parsed from them.
    public static var defaultLimit: Int { max(MemoryBudget.availableBytes / 4, 1 << 20) }

    /// The bytes of `path`, decompressed when the file starts with the gzip magic.
    /// - Parameter limit: most bytes to return (nil: `defaultLimit`).
    /// - Throws: `SparseIHTError.badFile` when missing, empty, corrupt, a zip archive, or
    ///   larger than `limit` (compressed or decompressed).
    public static func read(_ path: String, limit: Int? = nil) throws -> [UInt8] {
        let limit = limit ?? defaultLimit
        // A compressed file may be a little larger than its content.
        let bytes = try raw(path, limit: max(limit, 1 << 20))
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else {
            guard bytes.count <= limit else {
                throw SparseIHTError.badFile(path: path, reason: "the file has \(bytes.count) bytes, more than the limit of \(limit) bytes for this input")
            }
            return bytes
        }
        return try gunzip(bytes, path: path, limit: limit)
    }

    /// At most the first `count` bytes of `path` (decompressed when gzip), for reading a
    /// header before deciding how much of the file to read.
    public static func prefix(_ path: String, count: Int) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (missing)")
        }
        guard !isDir.boolValue else { throw SparseIHTError.badFile(path: path, reason: "is a directory, expected a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (unreadable)")
        }
        defer { try? handle.close() }
        // The first MiB of a gzip file holds far more than a header's worth of data.
        let head = [UInt8](handle.readData(ofLength: max(count, 1 << 20)))
        guard !head.isEmpty else { throw SparseIHTError.badFile(path: path, reason: "the file is empty") }
        guard head.count >= 2, head[0] == 0x1F, head[1] == 0x8B else { return Array(head.prefix(count)) }
        return try gunzip(head, path: path, limit: count, truncate: true)
    }

    /// Whether `path` starts with the gzip magic.
    public static func isGzip(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let b = [UInt8](h.readData(ofLength: 2))
        return b.count == 2 && b[0] == 0x1F && b[1] == 0x8B
    }

    /// The file's bytes as stored; the size is checked against `limit` before reading.
    static func raw(_ path: String, limit: Int?) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (missing)")
        }
        guard !isDir.boolValue else { throw SparseIHTError.badFile(path: path, reason: "is a directory, expected a file") }
        if let limit, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
           size.int64Value > Int64(limit) {
            throw SparseIHTError.badFile(path: path, reason: "the file has \(size.int64Value) bytes, more than the limit of \(limit) bytes for one input")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SparseIHTError.badFile(path: path, reason: "cannot read the file (unreadable)")
        }
        guard !data.isEmpty else { throw SparseIHTError.badFile(path: path, reason: "the file is empty") }
        let bytes = [UInt8](data)
        if bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B, bytes[2] == 3, bytes[3] == 4 {
            throw SparseIHTError.badFile(path: path, reason: "a zip archive (.npz?) is not supported; save each array with np.save as .npy")
        }
        return bytes
    }

    /// Inflates gzip `input`, at most `limit` bytes of output: more is an error unless
    /// `truncate` (then the first `limit` bytes are returned).
    static func gunzip(_ input: [UInt8], path: String, limit: Int, truncate: Bool = false) throws -> [UInt8] {
        var stream = z_stream()
        var status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw SparseIHTError.badFile(path: path, reason: "zlib init failed (\(status))") }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(min(limit, max(input.count, 1) * 4))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var src = input
        try src.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            repeat {
                var produced = 0
                try chunk.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(outBuf.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END || (truncate && status == Z_BUF_ERROR) else {
                        throw SparseIHTError.badFile(path: path, reason: "corrupt or truncated gzip data (zlib status \(status))")
                    }
                    produced = outBuf.count - Int(stream.avail_out)
                }
                if output.count + produced > limit {
                    if truncate { output.append(contentsOf: chunk[0..<(limit - output.count)]); return }
                    throw SparseIHTError.badFile(path: path, reason: "decompresses to more than \(limit) bytes, the limit for this input")
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_BUF_ERROR { return }  // truncate: the input piece ran out
                if status != Z_STREAM_END && stream.avail_in == 0 && stream.avail_out != 0 {
                    if truncate { return }
                    throw SparseIHTError.badFile(path: path, reason: "truncated gzip data")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
