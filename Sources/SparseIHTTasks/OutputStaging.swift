import Foundation
import SparseIHTCore

/// The outputs of one run written together: every file goes to a temporary name beside its
/// final path (`DIR/.NAME.partial-PID-N`), and only when all of them are written are they
/// renamed into place, one `rename` each. A run that fails or is interrupted before that
/// removes its temporary files and leaves every earlier output as it was, so a failing
/// `--json` cannot leave new weights beside an old report.
public final class OutputStaging: @unchecked Sendable {
    /// One staged file; `optional` files may not be written by every run (inr's image).
    struct Entry { var temporary: String, final: String, optional: Bool }

    private let lock = NSLock()
    private var entries: [Entry] = []
    private var finished = false
    private var committed = false
    private var counter = 0

    public init() { Self.registry.add(self) }

    deinit { Self.registry.remove(self) }

    /// A temporary path for `final` (same directory, so that the rename stays on one file system).
    public func stage(_ final: String, optional: Bool = false) -> String {
        lock.lock(); defer { lock.unlock() }
        let temporary = nextTemporary(for: final)
        entries.append(Entry(temporary: temporary, final: final, optional: optional))
        return temporary
    }

    /// A temporary prefix for a run that writes `final + suffix` for every suffix.
    public func stagePrefix(_ final: String, suffixes: [String]) -> String {
        lock.lock(); defer { lock.unlock() }
        let temporary = nextTemporary(for: final)
        for suffix in suffixes { entries.append(Entry(temporary: temporary + suffix, final: final + suffix, optional: false)) }
        return temporary
    }

    /// The final paths staged so far.
    public var finalPaths: [String] {
        lock.lock(); defer { lock.unlock() }
        return entries.map(\.final)
    }

    /// Flushes every temporary file to disk and renames all of them into place. Throws
    /// (after removing the temporary files) when a file is missing or cannot be renamed.
    public func commit() throws {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        var ready: [Entry] = []
        for e in entries {
            let fd = open(e.temporary, O_RDONLY)
            if fd < 0 {
                if e.optional { continue }
                removeTemporaries()
                throw SparseIHTError.invalidArgument("cannot write \(e.final): the run did not produce it")
            }
            let synced = fsync(fd) == 0
            close(fd)
            guard synced else {
                let why = String(cString: strerror(errno))
                removeTemporaries()
                throw SparseIHTError.invalidArgument("cannot write \(e.final): \(why)")
            }
            ready.append(e)
        }
        for (i, e) in ready.enumerated() where rename(e.temporary, e.final) != 0 {
            let why = String(cString: strerror(errno))
            removeTemporaries()
            let done = ready.prefix(i).map(\.final)
            throw SparseIHTError.invalidArgument("cannot write \(e.final): \(why)"
                + (done.isEmpty ? "" : " (already replaced: \(done.joined(separator: ", ")))"))
        }
        syncDirectories(ready.map(\.final))
        committed = true
    }

    /// Removes the temporary files (a failed run); the final paths are not touched.
    public func discard() {
        lock.lock(); defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        removeTemporaries()
    }

    /// Runs `body` with the staging, commits when it returns and discards when it throws.
    public static func writing<T>(_ body: (OutputStaging) throws -> T) throws -> T {
        let staging = OutputStaging()
        do {
            let value = try body(staging)
            try staging.commit()
            return value
        } catch {
            staging.discard()
            throw error
        }
    }

    /// Discards the temporary files of every staging in progress (an interrupted process)
    /// and returns the final paths they would have replaced, which keep their earlier
    /// contents (`kept`), and those of stagings that had already committed (`written`,
    /// complete). A commit in progress finishes first.
    public static func interruptAll() -> (kept: [String], written: [String]) {
        var kept: [String] = [], written: [String] = []
        for s in registry.all() {
            s.lock.lock(); defer { s.lock.unlock() }
            if s.committed { written += s.entries.filter { FileManager.default.fileExists(atPath: $0.final) }.map(\.final) }
            guard !s.finished else { continue }
            s.finished = true
            s.removeTemporaries()
            kept += s.entries.filter { !$0.optional }.map(\.final)
        }
        return (kept, written)
    }

    private func nextTemporary(for final: String) -> String {
        counter += 1
        let dir = OutputCheck.directory(of: final), name = (final as NSString).lastPathComponent
        return dir + "/." + name + ".partial-\(getpid())-\(counter)"
    }

    private func removeTemporaries() {
        for e in entries { unlink(e.temporary) }
    }

    private func syncDirectories(_ paths: [String]) {
        for dir in Set(paths.map(OutputCheck.directory(of:))) {
            let fd = open(dir, O_RDONLY)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }
    }

    /// Stagings alive in this process (for `interruptAll`).
    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [ObjectIdentifier: Weak] = [:]
        struct Weak { weak var staging: OutputStaging? }
        func add(_ s: OutputStaging) { lock.lock(); items[ObjectIdentifier(s)] = Weak(staging: s); lock.unlock() }
        func remove(_ s: OutputStaging) { lock.lock(); items[ObjectIdentifier(s)] = nil; lock.unlock() }
        func all() -> [OutputStaging] { lock.lock(); defer { lock.unlock() }; return items.values.compactMap(\.staging) }
    }

    private static let registry = Registry()
}

extension TaskOutputs {
    /// The same outputs at temporary names of `staging` (inr's fitted image beside `--json`
    /// is staged as an optional file when `fittedImage` is true).
    public func staged(in staging: OutputStaging, fittedImage: Bool = false) -> TaskOutputs {
        var t = TaskOutputs()
        t.json = json.map { staging.stage($0) }
        t.model = model.map { staging.stage($0) }
        t.weights = weights.map { staging.stage($0) }
        t.sparseWeights = sparseWeights.map { staging.stagePrefix($0, suffixes: [".indices.npy", ".values.npy"]) }
        if fittedImage, let image = fittedImagePath { t.fittedImage = staging.stage(image, optional: true) }
        return t
    }
}
