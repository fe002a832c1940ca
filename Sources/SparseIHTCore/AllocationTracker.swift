/// Counts the bytes a backend has allocated and the peak, for memory reports.
public final class AllocationTracker {
    /// Bytes currently allocated.
    public private(set) var current = 0
    /// Highest `current` seen.
    public private(set) var peak = 0

    public init() {}

    public func allocated(_ bytes: Int) {
        current += bytes
        peak = max(peak, current)
    }

    public func released(_ bytes: Int) { current -= bytes }

    /// Bytes copied between host and device so far.
    public private(set) var transferred = 0

    /// Records `bytes` copied between host and device.
    public func moved(_ bytes: Int) { transferred += bytes }
}
