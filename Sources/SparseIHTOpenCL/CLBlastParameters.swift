import CCLBlast
import Foundation

/// One CLBlast kernel's tuning parameters for a device (`CLBlastOverrideParameters`), e.g.
/// the `Xgemm` kernel's `MWG`, `NWG`, `KWG`, ... as written by CLBlast's tuner
/// (`clblast_tuner_xgemm`). A device that CLBlast's own database does not know runs its
/// generic defaults, which on a CPU OpenCL device can be several times slower than tuned ones.
struct CLBlastParameters: Equatable {
    /// CLBlast kernel family, e.g. `Xgemm`.
    var kernel: String
    /// Parameter names and values (every parameter of the kernel).
    var values: [String: Int]

    /// Parses `KERNEL:NAME=VALUE,...;KERNEL:...` (the form of `SPARSE_IHT_CLBLAST`); `default`
    /// is the empty list.
    static func list(parsing text: String) throws -> [CLBlastParameters] {
        if text.trimmingCharacters(in: .whitespaces) == "default" { return [] }
        return try text.split(separator: ";").map { part in
            let pieces = part.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2, !pieces[0].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw invalid("'\(part)' is not KERNEL:NAME=VALUE,...")
            }
            return try CLBlastParameters(kernel: pieces[0].trimmingCharacters(in: .whitespaces), parsing: String(pieces[1]))
        }
    }

    /// The error for text that is not a parameter list (CLBlast's own status for a bad value).
    private static func invalid(_ detail: String) -> OpenCLError {
        OpenCLError(call: "CLBlastOverrideParameters", code: Int32(CLBlastInvalidValue.rawValue), detail: detail)
    }

    /// `NAME=VALUE,...` in name order.
    var text: String { values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ",") }

    /// Parses `NAME=VALUE,NAME=VALUE,...`.
    init(kernel: String, parsing text: String) throws {
        self.kernel = kernel
        var values: [String: Int] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let v = Int(parts[1].trimmingCharacters(in: .whitespaces)), v >= 0 else {
                throw Self.invalid("\(kernel) parameter '\(item)' is not NAME=VALUE with a non-negative integer")
            }
            values[String(parts[0]).trimmingCharacters(in: .whitespaces)] = v
        }
        guard !values.isEmpty else {
            throw Self.invalid("no \(kernel) parameters given")
        }
        self.values = values
    }

    init(kernel: String, values: [String: Int]) {
        self.kernel = kernel
        self.values = values
    }

    /// Installs the parameters for single precision on `device` (before its first GEMM).
    func apply(to device: CLDevice) throws {
        let names = values.keys.sorted()
        let numbers = names.map { values[$0]! }
        var cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let status = cNames.withUnsafeMutableBufferPointer { np in
            numbers.withUnsafeBufferPointer { vp in
                np.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: names.count) { p in
                    CLBlastOverrideParameters(device.deviceID, kernel, CLBlastPrecisionSingle, names.count, p, vp.baseAddress!)
                }
            }
        }
        guard status == CLBlastSuccess else {
            throw OpenCLError(call: "CLBlastOverrideParameters", code: status.rawValue,
                              detail: "\(kernel) on \(device.name): \(text)")
        }
    }
}
