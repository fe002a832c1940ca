import SparseIHTCore

/// PGM/PPM images (P2, P5 grayscale; P3, P6 colour; maxval up to 65535).
public enum NetPBM {
    /// An image: `height x width x channels` values in [0, 1], row-major, channels last.
    public struct Image: Sendable {
        public var width: Int, height: Int, channels: Int
        public var pixels: [Float]

        public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
            self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
        }
    }

    /// Reads a PGM/PPM file (plain or gzip). Sizes are checked against the file before
    /// anything is allocated; samples above maxval are an error.
    public static func read(_ path: String) throws -> Image {
        let b = try FileBytes.read(path)
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: r) }
        var pos = 0
        func token() throws -> String {
            while pos < b.count {
                if b[pos] == UInt8(ascii: "#") { while pos < b.count && b[pos] != 10 { pos += 1 } }
                else if [9, 10, 13, 32].contains(b[pos]) { pos += 1 } else { break }
            }
            let start = pos
            while pos < b.count && ![9, 10, 13, 32].contains(b[pos]) { pos += 1 }
            guard pos > start else { throw bad("truncated header") }
            return String(decoding: b[start..<pos], as: UTF8.self)
        }
        let magic = try token()
        guard ["P2", "P3", "P5", "P6"].contains(magic) else { throw bad("not a PGM/PPM file (magic \(magic))") }
        let wText = try token(), hText = try token(), maxText = try token()
        guard let w = Int(wText), let h = Int(hText), w > 0, h > 0 else { throw bad("bad width or height '\(wText) \(hText)'") }
        guard let maxv = Int(maxText), maxv > 0, maxv < 65536 else { throw bad("bad maxval '\(maxText)' (1...65535)") }
        let channels = (magic == "P3" || magic == "P6") ? 3 : 1
        guard let count = CheckedSize.product([w, h, channels]) else { throw bad("\(w) x \(h) pixels overflow") }
        let bps = maxv < 256 ? 1 : 2
        let ascii = magic == "P2" || magic == "P3"
        // Each ASCII sample needs a digit and a separator; binary ones `bps` bytes.
        let available = ascii ? (b.count - pos + 1) / 2 : b.count - pos - 1
        guard count <= available / (ascii ? 1 : bps) else {
            throw bad("truncated pixel data: \(w) x \(h) x \(channels) samples claimed, the file holds at most \(max(available, 0) / (ascii ? 1 : bps))")
        }
        try MemoryBudget.require(CheckedSize.product(count, 4), for: "\(path): \(w) x \(h) image")
        var pixels = [Float](repeating: 0, count: count)
        if ascii {
            for i in 0..<count {
                guard let v = Int(try token()), v >= 0, v <= maxv else { throw bad("bad sample \(i)") }
                pixels[i] = Float(v) / Float(maxv)
            }
        } else {
            pos += 1  // one whitespace after maxval
            guard b.count - pos >= count * bps else { throw bad("truncated pixel data: need \(count * bps) bytes, have \(b.count - pos)") }
            for i in 0..<count {
                let v = bps == 1 ? Int(b[pos + i]) : Int(b[pos + 2 * i]) << 8 | Int(b[pos + 2 * i + 1])
                guard v <= maxv else { throw bad("sample \(i) is \(v), above maxval \(maxv)") }
                pixels[i] = Float(v) / Float(maxv)
            }
        }
        return Image(width: w, height: h, channels: channels, pixels: pixels)
    }

    /// Writes a binary PGM (1 channel) or PPM (3 channels) from values in [0, 1].
    public static func write(_ image: Image, to path: String) throws {
        var out = Array("\(image.channels == 3 ? "P6" : "P5")\n\(image.width) \(image.height)\n255\n".utf8)
        out += image.pixels.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        try writeFile(out, path)
    }
}
