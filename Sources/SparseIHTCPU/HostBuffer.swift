import SparseIHTCore

/// A float32 allocation in host memory owned by `CPUBackend`; freed on `deinit`.
public final class HostBuffer {
    /// Number of floats.
    public let count: Int
    /// The storage (`count` floats, zero-filled at creation).
    public let pointer: UnsafeMutablePointer<Float>
    private let tracker: AllocationTracker

    init(count: Int, tracker: AllocationTracker) {
        self.count = count
        self.tracker = tracker
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        tracker.allocated(count * MemoryLayout<Float>.stride)
    }

    deinit {
        pointer.deallocate()
        tracker.released(count * MemoryLayout<Float>.stride)
    }

    /// The contents as a buffer pointer.
    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
}
