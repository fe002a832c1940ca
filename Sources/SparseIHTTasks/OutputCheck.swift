import Foundation
import SparseIHTCore

/// Checks of the files a run will write, made before any work starts so that a typo in a
/// path fails in a second rather than after an hour of training.
public enum OutputCheck {
    /// Throws `SparseIHTError.invalidArgument` naming `option` and `path` when `path` cannot
    /// be created: an empty path, an existing directory, a missing parent directory, or a
    /// parent directory this process may not write to (outputs are written to a temporary
    /// name in the same directory and renamed, so only the directory's permissions count).
    public static func check(option: String, path: String) throws {
        func bad(_ why: String) -> SparseIHTError { .invalidArgument("\(option): cannot write '\(path)': \(why)") }
        guard !path.isEmpty else { throw SparseIHTError.invalidArgument("\(option): the path is empty") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw bad("it is a directory")
        }
        let parent = directory(of: path)
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) else {
            throw bad("directory '\(parent)' does not exist")
        }
        guard isDirectory.boolValue else { throw bad("'\(parent)' is not a directory") }
        guard access(parent, W_OK | X_OK) == 0 else { throw bad("directory '\(parent)' is not writable") }
    }

    /// Checks every `(option, path)` and that no two options name the same file.
    public static func check(_ files: [(option: String, path: String)]) throws {
        var seen: [String: String] = [:]
        for f in files {
            try check(option: f.option, path: f.path)
            let key = URL(fileURLWithPath: f.path).standardizedFileURL.path
            if let other = seen[key] {
                throw SparseIHTError.invalidArgument("\(other) and \(f.option) name the same file '\(f.path)'")
            }
            seen[key] = f.option
        }
    }

    /// Checks a file that is appended to (a sweep's results): its directory as above, and
    /// the file itself when it exists.
    public static func checkAppendable(option: String, path: String) throws {
        try check(option: option, path: path)
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 {
            throw SparseIHTError.invalidArgument("\(option): cannot append to '\(path)': the file is not writable")
        }
    }

    /// The directory `path` lives in (`.` for a bare file name).
    static func directory(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
}

extension TaskOutputs {
    /// Every file these outputs name, with the option that names it (`--sparse-weights`
    /// names two files; inr's fitted image beside `--json` is its own entry).
    public var files: [(option: String, path: String)] {
        var list: [(option: String, path: String)] = []
        if let json { list.append(("--json", json)) }
        if let model { list.append(("--model", model)) }
        if let weights { list.append(("--weights", weights)) }
        if let sparseWeights {
            list.append(("--sparse-weights", sparseWeights + ".indices.npy"))
            list.append(("--sparse-weights", sparseWeights + ".values.npy"))
        }
        return list
    }

    /// Checks every output path before the run (see `OutputCheck.check`).
    public func check() throws { try OutputCheck.check(files) }
}
