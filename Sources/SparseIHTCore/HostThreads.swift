import Foundation

/// Threads of the host loops that run block by block over the rows (the products on the
/// support, the sparse gates): `OPENBLAS_NUM_THREADS` when set (the count the CPU backend's
/// SGEMMs use; `CPUBackend.openBLASThreads` sets both), else every core. Results never
/// depend on it: each block's sums are made on their own and combined in block order.
public enum HostThreads {
    nonisolated(unsafe) public static var count: Int = {
        if let text = getenvString("OPENBLAS_NUM_THREADS"), let t = Int(text.trimmingCharacters(in: .whitespaces)), t >= 1 {
            return t
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Runs `body(range)` over `0..<iterations` split into at most `count` contiguous ranges,
    /// one per thread (on the calling thread alone when one range suffices); returns when
    /// every range is done. `body` must write disjoint outputs.
    static func forEachRange(_ iterations: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = min(count, iterations)
        guard parts > 1 else {
            if iterations > 0 { body(0..<iterations) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            body((p * iterations / parts)..<((p + 1) * iterations / parts))
        }
    }
}

/// A raw pointer handed to `HostThreads.forEachRange` workers, each of which writes its own
/// part of the storage behind it.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// A read-only raw pointer handed to `HostThreads.forEachRange` workers.
struct SharedReadPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
}
