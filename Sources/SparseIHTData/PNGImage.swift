import CPNG
import SparseIHTCore

/// PNG images through libpng's simplified API. Grayscale files (with or without alpha) read
/// as one channel, colour and palette files as three; 16-bit samples are reduced to 8 bits
/// by libpng; an alpha channel is composited onto black. Values are in [0, 1].
public enum PNGImage {
    /// Reads `path` into an image (`height x width x channels`, channels last).
    /// - Throws: `SparseIHTError.badFile` with libpng's message for a missing, truncated or
    ///   non-PNG file.
    public static func read(_ path: String) throws -> NetPBM.Image {
        var image = sparseiht_png_image()
        defer { png_image_free(&image) }
        func failure(_ what: String) -> SparseIHTError {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .badFile(path: path, reason: "\(what): \(message.isEmpty ? "libpng gave no reason" : message)")
        }
        guard png_image_begin_read_from_file(&image, path) != 0 else { throw failure("not a readable PNG file") }
        let colour = image.format & sparseiht_png_format_flag_color != 0
        let channels = colour ? 3 : 1
        image.format = colour ? sparseiht_png_format_rgb : sparseiht_png_format_gray
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            throw SparseIHTError.badFile(path: path, reason: "image of \(width) x \(height) pixels (at most 2^28)")
        }
        // The bytes, then a Float per sample.
        try MemoryBudget.require(CheckedSize.product([width, height, channels, 5]), for: "\(path): \(width) x \(height) PNG")
        var bytes = [UInt8](repeating: 0, count: width * height * channels)
        var black = png_color(red: 0, green: 0, blue: 0)
        let ok = bytes.withUnsafeMutableBytes { buf in
            png_image_finish_read(&image, &black, buf.baseAddress, png_int_32(width * channels), nil)
        }
        guard ok != 0 else { throw failure("cannot decode the PNG data") }
        return NetPBM.Image(width: width, height: height, channels: channels, pixels: bytes.map { Float($0) / 255 })
    }

    /// Writes an 8-bit grayscale (1 channel) or RGB (3 channels) PNG from values in [0, 1].
    public static func write(_ picture: NetPBM.Image, to path: String) throws {
        guard picture.channels == 1 || picture.channels == 3,
              picture.pixels.count == picture.width * picture.height * picture.channels else {
            throw SparseIHTError.invalidArgument("PNG needs 1 or 3 channels and width x height x channels values")
        }
        var image = sparseiht_png_image()
        image.width = png_uint_32(picture.width)
        image.height = png_uint_32(picture.height)
        image.format = picture.channels == 3 ? sparseiht_png_format_rgb : sparseiht_png_format_gray
        let bytes = picture.pixels.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        defer { png_image_free(&image) }
        try AtomicFile.write(path: path, producing: { tmp in
            let ok = bytes.withUnsafeBytes { buf in
                png_image_write_to_file(&image, tmp, 0, buf.baseAddress, png_int_32(picture.width * picture.channels), nil)
            }
            guard ok != 0 else { throw SparseIHTError.badFile(path: path, reason: "cannot write the PNG file") }
        })
    }
}
