import Foundation

/// Writes `bytes` to `path`; false on failure.
func writeFile(_ bytes: [UInt8], _ path: String) -> Bool {
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
}
