/// Per-device tunables, kept apart from the code (CLBlast's database idea, one table).
/// Passed to every program as `-D` values.
struct OpenCLTuning: Equatable {
    /// Work-group size of the 1-D kernels (a power of two, at most the device limit).
    var workGroupSize: Int
    /// Work-groups of the top-k passes (each owns a contiguous range of the input).
    var topKGroups: Int

    /// Tuning for `device`: vendor rows first, then a default.
    static func forDevice(_ device: CLDevice) -> OpenCLTuning {
        var t: OpenCLTuning
        switch device.type {
        case "gpu": t = OpenCLTuning(workGroupSize: 256, topKGroups: 1024)
        default: t = OpenCLTuning(workGroupSize: 256, topKGroups: max(4 * device.computeUnits, 16))
        }
        while t.workGroupSize > device.maxWorkGroupSize { t.workGroupSize /= 2 }
        return t
    }

    /// `-D` options for the kernel compiler.
    var compilerOptions: String { "-DWGS=\(workGroupSize)" }
}
