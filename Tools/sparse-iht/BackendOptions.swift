import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL

/// `--backend` and `--device`, shared by the subcommands.
struct BackendOptions: ParsableArguments {
    @Option(help: "Compute backend: auto (an OpenCL GPU if present, else the CPU), cpu or opencl.")
    var backend: String = "auto"

    @Option(help: "OpenCL device: gpu, cpu, an index from `sparse-iht devices`, or a name substring (default: $SPARSEIHT_DEVICE, else auto).")
    var device: String?

    var deviceSelector: String {
        device ?? ProcessInfo.processInfo.environment["SPARSEIHT_DEVICE"] ?? "auto"
    }

    func validate() throws {
        guard ["auto", "cpu", "opencl"].contains(backend) else {
            throw ValidationError("--backend must be auto, cpu or opencl (got '\(backend)')")
        }
    }

    /// Opens the chosen backend. `auto` uses OpenCL only for a GPU (or an explicit
    /// `--device`) and otherwise falls back to the CPU backend with a one-line notice.
    func open() throws -> any ComputeBackend {
        switch backend {
        case "cpu": return CPUBackend()
        case "opencl": return try OpenCLBackend(selector: deviceSelector)
        default:
            do {
                let dev = try CLDevice.select(deviceSelector)
                if dev.type == "gpu" || device != nil { return try OpenCLBackend(device: dev) }
                notice("no OpenCL GPU found (only \(dev.name)); using the CPU backend")
            } catch {
                notice("OpenCL unavailable (\(error)); using the CPU backend")
            }
            return CPUBackend()
        }
    }
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
