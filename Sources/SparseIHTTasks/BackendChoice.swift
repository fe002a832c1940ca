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

    /// Opens the backend. A device asked for by `device` (`--device gpu`, `cpu`, an index or
    /// a name) must exist: no fallback, so `--device gpu` on a machine without a GPU is an
    /// error. Otherwise `auto` uses OpenCL for a GPU (of `$SPARSEIHT_DEVICE` when set) and
    /// falls back to the CPU backend, telling `notice` why.
    public func open(device: String?, notice: (String) -> Void = { _ in }) throws -> any ComputeBackend {
        let selector = Self.selector(device)
        switch self {
        case .cpu: return CPUBackend()
        case .opencl: return try OpenCLBackend(selector: selector)
        case .auto:
            if let device, !["", "auto"].contains(device.lowercased()) { return try OpenCLBackend(selector: device) }
            do {
                let dev = try CLDevice.select(selector)
                if dev.type == "gpu" { return try OpenCLBackend(device: dev) }
                notice("no OpenCL GPU found (only \(dev.name)); using the CPU backend")
            } catch {
                notice("OpenCL unavailable (\(error)); using the CPU backend")
            }
            return CPUBackend()
        }
    }
}

/// `--backend` and `--device` as the command line gives them.
public struct BackendRequest: Sendable, Equatable {
    public var choice: BackendChoice
    public var device: String?
    public init(_ choice: BackendChoice = .auto, device: String? = nil) { self.choice = choice; self.device = device }

    /// Opens the backend (`auto` falls back to the CPU with a one-line notice on stderr).
    public func open() throws -> any ComputeBackend { try choice.open(device: device, notice: Console.notice) }
}
