import Foundation


/// Release failures are logged to stderr, never thrown (they happen in `deinit`).
func logRelease(_ call: String, _ status: Int32) {
    FileHandle.standardError.write(Data("sparse-iht: \(call) failed: \(OpenCLError.symbolicName(status)) (\(status))\n".utf8))
}

/// A NUL-terminated C string held in a `[CChar]` buffer.
func stringFromCChars(_ bytes: [CChar]) -> String {
    let end = bytes.firstIndex(of: 0) ?? bytes.count
    return String(decoding: bytes[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
