import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL

/// `--backend`: which compute backend runs a task.
public enum BackendChoice: String, Sendable, Codable, CaseIterable {
    /// An OpenCL GPU if present (or the device asked for), else the CPU backend.
    case auto
    case cpu
    case opencl

    /// The device selector in force: `device`, else `$SPARSEIHT_DEVICE`, else `auto`.
    public static func selector(_ device: String?) -> String {
        device ?? ProcessInfo.processInfo.environment["SPARSEIHT_DEVICE"] ?? "auto"
    }

    /// Opens the backend. `auto` uses OpenCL only for a GPU (or an explicit `device`) and
    /// otherwise falls back to the CPU backend, telling `notice` why.
    public func open(device: String?, notice: (String) -> Void = { _ in }) throws -> any ComputeBackend {
        switch self {
        case .cpu: return CPUBackend()
        case .opencl: return try OpenCLBackend(selector: Self.selector(device))
        case .auto:
            do {
                let dev = try CLDevice.select(Self.selector(device))
                if dev.type == "gpu" || device != nil { return try OpenCLBackend(device: dev) }
                notice("no OpenCL GPU found (only \(dev.name)); using the CPU backend")
            } catch {
                notice("OpenCL unavailable (\(error)); using the CPU backend")
            }
            return CPUBackend()
        }
    }
}
