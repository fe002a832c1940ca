import Foundation

/// How much more memory this process may allocate: the smallest of 80% of physical memory,
/// the room left under the address-space limit (`getrlimit(RLIMIT_AS)`, soft, less the
/// address space mapped now) and the room left under the cgroup limit
/// (`/sys/fs/cgroup/memory.max` less `memory.current`, cgroup v2; `memory.limit_in_bytes`
/// less `memory.usage_in_bytes`, v1). Readers and option checks compare claimed sizes with
/// it before allocating, so an impossible request is an error naming the input instead of
/// a crash.
public enum MemoryBudget {
    /// Bytes this process may still allocate (a bound, not a promise).
    public static var availableBytes: Int {
        var limit = Int(clamping: UInt64(Double(ProcessInfo.processInfo.physicalMemory) * 0.8))
        if limit <= 0 { limit = Int.max }
        var rl = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &rl) == 0, rl.rlim_cur != rlim_t.max {
            limit = min(limit, max(Int(clamping: rl.rlim_cur) - mappedBytes, 0))
        }
        for (maxPath, usedPath) in [("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")] {
            if let cap = number(maxPath) { limit = min(limit, max(cap - (number(usedPath) ?? 0), 0)) }
        }
        return limit
    }

    /// Address space mapped by this process now (`/proc/self/statm`), 0 when unknown.
    static var mappedBytes: Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// An integer file (a cgroup value); nil for "max" or when absent.
    private static func number(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Throws `SparseIHTError.outOfMemory` naming `what` when `bytes` (nil: the size
    /// overflowed) exceed `fraction` of `availableBytes`.
    public static func require(_ bytes: Int?, for what: String, fraction: Double = 1) throws {
        let allowed = Int(Double(availableBytes) * fraction)
        guard let bytes, bytes >= 0, bytes <= allowed else {
            let need = bytes.map { String(format: "%.3g GiB", Double($0) / 1_073_741_824) } ?? "more than 2^63 bytes"
            throw SparseIHTError.outOfMemory("\(what) needs \(need), more than the \(String(format: "%.3g", Double(allowed) / 1_073_741_824)) GiB "
                                             + "this process may use (physical memory, ulimit -v and cgroup limits)")
        }
    }
}
