import Foundation
import SparseIHTCore

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename; see `AtomicFile`).
func writeFile(_ bytes: [UInt8], _ path: String) throws {
    try AtomicFile.write(bytes, to: path)
}
