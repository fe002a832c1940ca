import SparseIHTCore
import SparseIHTCPU
import XCTest

/// After the first epoch the vector solver moves O(s + n k) bytes per batch between host
/// and device: the count does not grow with the input width d.
final class VectorTransferTests: XCTestCase {
    func testBytesPerBatchDoNotGrowWithWidth() throws {
        func bytesPerBatch(d: Int) throws -> Int {
            let b = CPUBackend()
            let n = 400, k = 3, batch = 100
            var rng = SeededGenerator(seed: 8, stream: 1)
            let x = rng.normals(n * d)
            var y = [Float](repeating: 0, count: n * k)
            for i in 0..<n { y[i * k + rng.below(k)] = 1 }
            var o = VectorOptions(m: 50, s: 40)
            o.epochs = 3; o.batchSize = batch; o.loss = .crossEntropy; o.learningRate = 0.01
            let solver = try VectorIHTSolver(backend: b, x: x, y: y, n: n, d: d, k: k, options: o)
            var history: [EpochReport] = []
            solver.onEpoch = { history.append($0) }
            _ = try solver.run()
            XCTAssertGreaterThan(history[0].bytesTransferred, history[2].bytesTransferred, "the first epoch uploads dense seeds")
            return history[2].bytesTransferred / (n / batch)
        }
        let narrow = try bytesPerBatch(d: 20), wide = try bytesPerBatch(d: 800)
        // Per batch: row numbers (4 n_b), prediction and residual (4 n_b k each), and O(s)
        // support, generator and selection values; nothing of size n_b d or a k d.
        let bound = 4 * (100 + 2 * 100 * 3) + 64 * 40
        XCTAssertGreaterThanOrEqual(narrow, 4 * 2 * 100 * 3, "the prediction and residual cross every batch")
        XCTAssertLessThanOrEqual(narrow, bound)
        XCTAssertLessThanOrEqual(wide, bound, "bytes per batch must not grow with d (40x wider input)")
    }
}
