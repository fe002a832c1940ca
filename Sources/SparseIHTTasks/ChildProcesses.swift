import Foundation

/// The sweep's running cell processes, so that an interrupted sweep can stop them rather
/// than leave them running on without a parent.
public enum ChildProcesses {
    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var pids: Set<Int32> = []
    }
    private static let registry = Registry()

    static func add(_ pid: Int32) { registry.lock.lock(); registry.pids.insert(pid); registry.lock.unlock() }
    static func remove(_ pid: Int32) { registry.lock.lock(); registry.pids.remove(pid); registry.lock.unlock() }

    /// Sends `signal` to every running cell process; returns how many there were.
    @discardableResult
    public static func signalAll(_ signal: Int32) -> Int {
        registry.lock.lock(); defer { registry.lock.unlock() }
        for pid in registry.pids { kill(pid, signal) }
        return registry.pids.count
    }
}
