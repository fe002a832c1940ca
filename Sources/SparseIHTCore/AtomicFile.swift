import Foundation

/// Writing files so a reader never sees a partial one: the bytes go to a temporary file in
/// the same directory (`.NAME.tmp-PID-RANDOM`), are flushed to disk (`fsync`), and the
/// temporary is renamed over `path` (atomic on POSIX file systems). A run killed while
/// writing leaves the previous file at `path` intact (and, at worst, a stray temporary).
public enum AtomicFile {
    /// Writes `data` to `path` atomically.
    /// - Throws: `SparseIHTError.badFile` naming `path` when the directory is not writable,
    ///   the disk is full, or the rename fails.
    public static func write(_ data: Data, to path: String) throws {
        try write(path: path, fileDescriptor: { fd in
            try data.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var offset = 0
                while offset < raw.count {
                    let n = Foundation.write(fd, base + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw SparseIHTError.badFile(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
        })
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws { try write(Data(bytes), to: path) }

    /// Runs `fill` on a temporary file next to `path` (a file descriptor open for writing),
    /// then fsyncs and renames it to `path`. The temporary is removed on failure.
    public static func write(path: String, fileDescriptor fill: (Int32) throws -> Void) throws {
        let tmp = temporaryPath(for: path)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SparseIHTError.badFile(path: path, reason: "cannot create a file in its directory: \(String(cString: strerror(errno)))")
        }
        var closed = false
        do {
            try fill(fd)
            guard fsync(fd) == 0 else {
                throw SparseIHTError.badFile(path: path, reason: "cannot flush to disk: \(String(cString: strerror(errno)))")
            }
            closed = true
            guard close(fd) == 0 else {
                throw SparseIHTError.badFile(path: path, reason: "cannot close: \(String(cString: strerror(errno)))")
            }
            try commit(tmp, to: path)
        } catch {
            if !closed { close(fd) }
            unlink(tmp)
            throw error
        }
    }

    /// Runs `produce(temporaryPath)` (a writer that creates the file itself, e.g. libpng),
    /// then fsyncs and renames the temporary to `path`.
    public static func write(path: String, producing produce: (String) throws -> Void) throws {
        let tmp = temporaryPath(for: path)
        do {
            try produce(tmp)
            let fd = open(tmp, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SparseIHTError.badFile(path: path, reason: "the temporary file vanished") }
            let synced = fsync(fd) == 0
            close(fd)
            guard synced else { throw SparseIHTError.badFile(path: path, reason: "cannot flush to disk: \(String(cString: strerror(errno)))") }
            try commit(tmp, to: path)
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// `.NAME.tmp-PID-RANDOM` in the directory of `path`.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let name = ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return (dir as NSString).appendingPathComponent(name)
    }

    private static func commit(_ tmp: String, to path: String) throws {
        guard rename(tmp, path) == 0 else {
            throw SparseIHTError.badFile(path: path, reason: "cannot replace the file: \(String(cString: strerror(errno)))")
        }
        // Make the rename itself durable.
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
