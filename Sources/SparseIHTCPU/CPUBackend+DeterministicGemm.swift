import CBLAS
import Foundation

/// SGEMM whose bits do not depend on the thread count. OpenBLAS's threaded SGEMM changes
/// the order of each output's sum over k with the number of threads (measured on 0.3.21:
/// with M = 50, N = 100, K = 50,000, 2,162 of 5,000 outputs differ between one and two
/// threads), and an IHT run then departs at its first gradient. Here OpenBLAS always runs
/// one thread per call, and a product is cut into pieces by a rule that depends on the
/// shape only (rows of C in blocks of `max(256, ceil(M / 8))`, else columns likewise); the
/// pieces run on up to `threads` threads. The same calls happen whatever the thread count,
/// so the results are the same bits.
enum DeterministicGemm {
    /// Threads for the pieces: `OPENBLAS_NUM_THREADS` (or OpenBLAS's default) read once;
    /// OpenBLAS itself is set to one thread.
    nonisolated(unsafe) static var threads: Int = {
        let t = Int(openblas_get_num_threads())
        openblas_set_num_threads(1)
        return max(1, t)
    }()

    /// Fewest rows (columns) in one piece, and most pieces.
    static let minPiece = 256, maxPieces = 8

    /// Pieces of a dimension of `size`: `(count, size of each but the last)`.
    static func pieces(_ size: Int) -> (count: Int, step: Int) {
        let step = max(minPiece, (size + maxPieces - 1) / maxPieces)
        return ((size + step - 1) / step, step)
    }

    /// Pointers handed to the worker threads (each piece writes its own block of C).
    struct Operands: @unchecked Sendable {
        let a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>
    }

    /// Row-major `c (m x n) = alpha op(a) op(b) + beta c` (see `sgemm`).
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                     _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ beta: Float, _ c: UnsafeMutablePointer<Float>) {
        _ = threads  // sets OpenBLAS to one thread before the first call
        let lda = transA ? m : k, ldb = transB ? k : n
        let rows = pieces(m), cols = pieces(n)
        let splitRows = rows.count > 1 || cols.count == 1
        let count = splitRows ? rows.count : cols.count
        let ops = Operands(a: a, b: b, c: c)
        let body: @Sendable (Int) -> Void = { p in
            if splitRows {
                let r0 = p * rows.step, mr = min(rows.step, m - r0)
                // Rows r0..<r0+mr of op(a): row offset in a, or column offset when transposed.
                let ap = transA ? ops.a + r0 : ops.a + r0 * lda
                sgemmStrided(transA, transB, mr, n, k, alpha, ap, lda, ops.b, ldb, beta, ops.c + r0 * n, n)
            } else {
                let c0 = p * cols.step, nc = min(cols.step, n - c0)
                let bp = transB ? ops.b + c0 * ldb : ops.b + c0
                sgemmStrided(transA, transB, m, nc, k, alpha, ops.a, lda, bp, ldb, beta, ops.c + c0, n)
            }
        }
        if count == 1 || threads == 1 {
            for p in 0..<count { body(p) }
        } else {
            // Pieces are claimed in order by `threads` workers.
            let next = Counter()
            DispatchQueue.concurrentPerform(iterations: min(threads, count)) { _ in
                while let p = next.take(below: count) { body(p) }
            }
        }
    }

    /// A shared piece counter.
    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func take(below limit: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}

/// Row-major SGEMM through CBLAS with explicit leading dimensions.
@inline(__always)
func sgemmStrided(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                  _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
                  _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}
