import Foundation
import SparseIHTCore

/// CIFAR-10 binary batches: records of 1 label byte + 3,072 pixel bytes (1,024 red, then
/// green, then blue, each 32 x 32 row-major).
public enum CIFAR10 {
    public static let recordBytes = 3073

    /// One batch file. Pixels are stored channel-major per row as in the file (3 x 32 x 32).
    public static func loadBatch(_ path: String) throws -> LabelledData {
        let b = try FileBytes.read(path)
        try MemoryBudget.require(CheckedSize.product(b.count, 4), for: "\(path): CIFAR-10 pixels as floats")
        guard b.count % recordBytes == 0 else {
            throw SparseIHTError.badFile(path: path, reason: "\(b.count) bytes is not a whole number of \(recordBytes)-byte CIFAR-10 records")
        }
        let n = b.count / recordBytes
        var x = [Float](repeating: 0, count: n * 3072), labels = [Int](repeating: 0, count: n)
        for r in 0..<n {
            let o = r * recordBytes
            guard b[o] < 10 else { throw SparseIHTError.badFile(path: path, reason: "record \(r): label \(b[o]) outside 0..<10") }
            labels[r] = Int(b[o])
            for p in 0..<3072 { x[r * 3072 + p] = Float(b[o + 1 + p]) }
        }
        return try LabelledData(x: x, n: n, d: 3072, labels: labels, classes: 10, image: (32, 32, 3))
    }

    /// A directory with `data_batch_1..5.bin` and `test_batch.bin` (missing training
    /// batches are skipped, at least one is required), or one batch file used as both.
    public static func load(_ path: String) throws -> DataSplit {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw SparseIHTError.badFile(path: path, reason: "not found")
        }
        guard isDir.boolValue else { let b = try loadBatch(path); return DataSplit(train: b, test: b) }
        var train: LabelledData?
        for i in 1...5 {
            let p = (path as NSString).appendingPathComponent("data_batch_\(i).bin")
            guard FileManager.default.fileExists(atPath: p) else { continue }
            let b = try loadBatch(p)
            train = try train.map { try LabelledData.concatenate($0, b) } ?? b
        }
        guard let train else { throw SparseIHTError.badFile(path: path, reason: "no data_batch_N.bin files") }
        let testPath = (path as NSString).appendingPathComponent("test_batch.bin")
        guard FileManager.default.fileExists(atPath: testPath) else {
            throw SparseIHTError.badFile(path: testPath, reason: "missing: a CIFAR-10 directory needs test_batch.bin beside data_batch_N.bin")
        }
        let test = try loadBatch(testPath)
        return DataSplit(train: train, test: test)
    }
}
