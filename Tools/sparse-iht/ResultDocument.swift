import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTCPU

extension RecoverCommand {
    /// Keys every result document carries.
    func commonDocument<B: ComputeBackend>(backend: B, n: Int, d: Int, m: Int, s: Int, seconds: Double,
                                           started: Date) -> [String: Any] {
        [
            "task": task, "backend": backend.kind.rawValue, "device": backend.deviceDescription,
            "n": n, "d": d, "m": m, "s": s, "recipe": recipe, "seed": seed, "seconds": seconds,
            "seconds_total": Date().timeIntervalSince(started), "peak_rss_bytes": peakRSSBytes(),
            "peak_device_bytes": backend.peakBytesAllocated, "bytes_transferred": backend.bytesTransferred,
            "openblas_core": CPUBackend.openBLASCore.name,
            "openblas_coretype": CPUBackend.openBLASCore.coretypeOverride ?? "unset",
        ]
    }
}

func diagnosticsDocument(_ diag: SupportDiagnostics) -> [String: Any] {
    var doc: [String: Any] = ["active_neurons": diag.activeNeurons, "distinct_patterns": diag.distinctPatterns]
    doc["coverage_eps"] = diag.coverageEps
    doc["separation_gamma"] = diag.separationGamma
    doc["restricted_eig_min"] = diag.restrictedEigMin
    doc["restricted_eig_max"] = diag.restrictedEigMax
    if let c = diag.restrictedCondition { doc["restricted_condition"] = c.isFinite ? c : -1 }
    return doc
}

/// Writes `doc` as pretty, key-sorted JSON.
func writeJSON(_ doc: [String: Any], to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
    do { try data.write(to: URL(fileURLWithPath: path)) } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
}
