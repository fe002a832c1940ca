import Foundation
import SparseIHTCore

/// The command line's own lines on stderr: notices (`sparse-iht: TEXT`), and the errors of
/// the library in the words a user reads.
public enum Console {
    /// Writes `sparse-iht: TEXT` and a newline to stderr.
    public static func notice(_ text: String) {
        FileHandle.standardError.write(Data("sparse-iht: \(text)\n".utf8))
    }

    /// The path of the running binary (absolute, standardized): what a sweep starts for
    /// each cell and what a Slurm array runs.
    public static var executable: String {
        URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).standardizedFileURL.path
    }
}

extension SparseIHTError {
    /// What the command line prints for this error: an invalid argument's text as it is
    /// (it names the option), anything else as `description`.
    public var userMessage: String {
        if case .invalidArgument(let text) = self { return text }
        return description
    }
}

/// A run-time failure with a message for the user (the command line exits with status 1
/// and prints no usage text).
public struct UserError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs `body`, turning the library's errors into a `UserError` carrying their message.
public func reported<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as SparseIHTError { throw UserError(e.userMessage) }
}
