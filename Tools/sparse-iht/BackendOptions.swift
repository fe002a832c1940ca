import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTTasks

/// `--backend` and `--device`, shared by the subcommands.
struct BackendOptions: ParsableArguments {
    @Option(help: "Compute backend: auto (an OpenCL GPU if present, else the CPU), cpu or opencl.")
    var backend: BackendChoice = .auto

    @Option(help: "OpenCL device: gpu, cpu, an index from `sparse-iht devices`, or a name substring (default: $SPARSEIHT_DEVICE, else auto).")
    var device: String?

    /// Opens the chosen backend (`auto` falls back to the CPU with a one-line notice).
    func open() throws -> any ComputeBackend { try reported { try backend.open(device: device, notice: notice) } }
}

/// One line on stderr.
func notice(_ text: String) {
    FileHandle.standardError.write(Data("sparse-iht: \(text)\n".utf8))
}

/// A run-time failure with a message for the user (exit status 1, no usage text).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

/// Runs `body`, turning the library's errors into a message without usage text.
func reported<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as SparseIHTError { throw CLIError(e.description) }
}

/// Runs a check of the library, turning its error into a usage error.
func validated(_ check: () throws -> Void) throws {
    do { try check() } catch SparseIHTError.invalidArgument(let text) { throw ValidationError(text) } catch let e as SparseIHTError {
        throw ValidationError(e.description)
    }
}
