import ArgumentParser
import SparseIHTCore
import SparseIHTTasks

/// `--backend` and `--device`, shared by the subcommands.
struct BackendOptions: ParsableArguments {
    @Option(help: "Compute backend: auto (an OpenCL GPU if present, else the CPU), cpu or opencl.")
    var backend: BackendChoice = .auto

    @Option(help: "OpenCL device: gpu, cpu, an index from `sparse-iht devices`, or a name substring (default: $SPARSEIHT_DEVICE, else auto). A device named here must exist (--device gpu without a GPU is an error); only auto falls back to the CPU backend.")
    var device: String?

    var request: BackendRequest { BackendRequest(backend, device: device) }
}

/// Runs a check of the library, turning its error into a usage error.
func validated(_ check: () throws -> Void) throws {
    do { try check() } catch let e as SparseIHTError { throw ValidationError(e.userMessage) }
}
