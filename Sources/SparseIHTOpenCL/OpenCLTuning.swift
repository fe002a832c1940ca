import Foundation

/// Per-device tunables, kept apart from the code (CLBlast's database idea, one table).
/// Passed to every program as `-D` values; CLBlast's GEMM parameters where its own database
/// has none for the device.
struct OpenCLTuning: Equatable {
    /// Work-group size of the 1-D kernels (a power of two, at most the device limit).
    var workGroupSize: Int
    /// Work-groups of the top-k passes (each owns a contiguous range of the input).
    var topKGroups: Int
    /// CLBlast kernel parameters installed before the first GEMM (empty: CLBlast's own choice).
    var clblast: [CLBlastParameters] = []

    /// Environment variable that replaces `clblast` for any device:
    /// `KERNEL:NAME=VALUE,...;KERNEL:...` with every parameter of each kernel as CLBlast's
    /// tuners print them (e.g. `Xgemm:GEMMK=0,MWG=64,...;GemmRoutine:XGEMM_MIN_INDIRECT_SIZE=64`),
    /// or `default` for CLBlast's own choice.
    static let clblastVariable = "SPARSE_IHT_CLBLAST"

    /// Tuning for `device`: vendor rows first, then a default; `SPARSE_IHT_CLBLAST` (see
    /// `clblastVariable`) replaces the CLBlast rows.
    static func forDevice(_ device: CLDevice,
                          environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OpenCLTuning {
        var t: OpenCLTuning
        switch device.type {
        case "gpu": t = OpenCLTuning(workGroupSize: 256, topKGroups: 1024)
        default: t = OpenCLTuning(workGroupSize: 256, topKGroups: max(4 * device.computeUnits, 16))
        }
        if device.platformName.hasPrefix("Portable Computing Language") && device.type == "cpu" {
            t.clblast = pocl
        }
        if let text = environment[clblastVariable] { t.clblast = try CLBlastParameters.list(parsing: text) }
        while t.workGroupSize > device.maxWorkGroupSize { t.workGroupSize /= 2 }
        return t
    }

    /// CLBlast on PoCL's CPU device, which CLBlast's database does not list: `Xgemm` with
    /// 64 x 64 tiles of 8 x 8 work-items and 8-wide vectors along M (from
    /// `clblast_tuner_xgemm` and neighbours by hand: about 3x CLBlast's defaults on PoCL),
    /// in its register-tiled form (`GEMMK=1`, four k values per register, no local memory):
    /// 33.6 against 23.3 GFLOP/s for the gate product and the 10-class Fashion run's dense
    /// first epoch 5.8-7.2 s against 7.6-10.9 s with the local-memory form (`GEMMK=0, KWG=32,
    /// KWI=8, SA=SB=1`), the same results; and that kernel from 192^3 multiply-adds on
    /// (`GemmRoutine`), since the untuned direct kernel is slower than it on the vector
    /// solver's products (see docs/measurements.md).
    static let pocl: [CLBlastParameters] = [CLBlastParameters(kernel: "Xgemm", values: [
        "GEMMK": 1, "MWG": 64, "NWG": 64, "KWG": 1, "MDIMC": 8, "NDIMC": 8, "MDIMA": 8, "NDIMB": 8,
        "KWI": 1, "VWM": 8, "VWN": 1, "STRM": 0, "STRN": 0, "SA": 0, "SB": 0, "KREG": 4,
    ]), CLBlastParameters(kernel: "GemmRoutine", values: ["XGEMM_MIN_INDIRECT_SIZE": 192])]

    /// `WGS 256, top-k groups 16, CLBlast Xgemm GEMMK=0,KREG=1,...; GemmRoutine ...`.
    var description: String {
        let blas = clblast.isEmpty ? "CLBlast defaults"
            : "CLBlast " + clblast.map { "\($0.kernel) \($0.text)" }.joined(separator: "; ")
        return "WGS \(workGroupSize), top-k groups \(topKGroups), \(blas)"
    }

    /// `-D` options for the kernel compiler.
    var compilerOptions: String { "-DWGS=\(workGroupSize)" }
}
