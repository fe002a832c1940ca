import COpenCL
import SparseIHTCore

/// A failed OpenCL or CLBlast call: the call's name, its numeric status and the symbolic
/// name of that status (`CL_OUT_OF_RESOURCES`, `CLBlastInvalidDimension`).
public struct OpenCLError: Error, CustomStringConvertible, Sendable {
    /// The API call that failed, e.g. `clCreateBuffer`.
    public let call: String
    /// The status it returned.
    public let code: Int32
    /// Extra context (sizes, kernel name).
    public let detail: String

    public init(call: String, code: Int32, detail: String = "") {
        self.call = call
        self.code = code
        self.detail = detail
    }

    /// Symbolic name of `code`.
    public var symbolicName: String { Self.symbolicName(code) }

    /// True for the statuses that mean the device ran out of memory.
    public var isOutOfMemory: Bool {
        [CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES, CL_OUT_OF_HOST_MEMORY,
         CL_INVALID_BUFFER_SIZE, -2050, -4].contains(code)
    }

    public var description: String {
        "\(call) failed: \(symbolicName) (\(code))" + (detail.isEmpty ? "" : ": \(detail)")
    }

    public static func symbolicName(_ code: Int32) -> String {
        names[code] ?? clblastNames[code] ?? "unknown status"
    }

    private static let names: [Int32: String] = [
        -72: "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        -71: "CL_INVALID_SPEC_ID",
        -70: "CL_INVALID_DEVICE_QUEUE",
        -69: "CL_INVALID_PIPE_SIZE",
        -68: "CL_INVALID_DEVICE_PARTITION_COUNT",
        -67: "CL_INVALID_LINKER_OPTIONS",
        -66: "CL_INVALID_COMPILER_OPTIONS",
        -65: "CL_INVALID_IMAGE_DESCRIPTOR",
        -64: "CL_INVALID_PROPERTY",
        -63: "CL_INVALID_GLOBAL_WORK_SIZE",
        -62: "CL_INVALID_MIP_LEVEL",
        -61: "CL_INVALID_BUFFER_SIZE",
        -60: "CL_INVALID_GL_OBJECT",
        -59: "CL_INVALID_OPERATION",
        -58: "CL_INVALID_EVENT",
        -57: "CL_INVALID_EVENT_WAIT_LIST",
        -56: "CL_INVALID_GLOBAL_OFFSET",
        -55: "CL_INVALID_WORK_ITEM_SIZE",
        -54: "CL_INVALID_WORK_GROUP_SIZE",
        -53: "CL_INVALID_WORK_DIMENSION",
        -52: "CL_INVALID_KERNEL_ARGS",
        -51: "CL_INVALID_ARG_SIZE",
        -50: "CL_INVALID_ARG_VALUE",
        -49: "CL_INVALID_ARG_INDEX",
        -48: "CL_INVALID_KERNEL",
        -47: "CL_INVALID_KERNEL_DEFINITION",
        -46: "CL_INVALID_KERNEL_NAME",
        -45: "CL_INVALID_PROGRAM_EXECUTABLE",
        -44: "CL_INVALID_PROGRAM",
        -43: "CL_INVALID_BUILD_OPTIONS",
        -42: "CL_INVALID_BINARY",
        -41: "CL_INVALID_SAMPLER",
        -40: "CL_INVALID_IMAGE_SIZE",
        -39: "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
        -38: "CL_INVALID_MEM_OBJECT",
        -37: "CL_INVALID_HOST_PTR",
        -36: "CL_INVALID_COMMAND_QUEUE",
        -35: "CL_INVALID_QUEUE_PROPERTIES",
        -34: "CL_INVALID_CONTEXT",
        -33: "CL_INVALID_DEVICE",
        -32: "CL_INVALID_PLATFORM",
        -31: "CL_INVALID_DEVICE_TYPE",
        -30: "CL_INVALID_VALUE",
        -19: "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        -18: "CL_DEVICE_PARTITION_FAILED",
        -17: "CL_LINK_PROGRAM_FAILURE",
        -16: "CL_LINKER_NOT_AVAILABLE",
        -15: "CL_COMPILE_PROGRAM_FAILURE",
        -14: "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        -13: "CL_MISALIGNED_SUB_BUFFER_OFFSET",
        -12: "CL_MAP_FAILURE",
        -10: "CL_IMAGE_FORMAT_NOT_SUPPORTED",
        -9: "CL_IMAGE_FORMAT_MISMATCH",
        -8: "CL_MEM_COPY_OVERLAP",
        -7: "CL_PROFILING_INFO_NOT_AVAILABLE",
        -6: "CL_OUT_OF_HOST_MEMORY",
        -5: "CL_OUT_OF_RESOURCES",
        -4: "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -3: "CL_COMPILER_NOT_AVAILABLE",
        -2: "CL_DEVICE_NOT_AVAILABLE",
        -1: "CL_DEVICE_NOT_FOUND",
    ]

    /// CLBlast's own statuses (below -1000); those above share OpenCL's codes.
    private static let clblastNames: [Int32: String] = [
        -1024: "CLBlastNotImplemented",
        -1022: "CLBlastInvalidMatrixA",
        -1021: "CLBlastInvalidMatrixB",
        -1020: "CLBlastInvalidMatrixC",
        -1019: "CLBlastInvalidVectorX",
        -1018: "CLBlastInvalidVectorY",
        -1017: "CLBlastInvalidDimension",
        -1016: "CLBlastInvalidLeadDimA",
        -1015: "CLBlastInvalidLeadDimB",
        -1014: "CLBlastInvalidLeadDimC",
        -1013: "CLBlastInvalidIncrementX",
        -1012: "CLBlastInvalidIncrementY",
        -1011: "CLBlastInsufficientMemoryA",
        -1010: "CLBlastInsufficientMemoryB",
        -1009: "CLBlastInsufficientMemoryC",
        -1008: "CLBlastInsufficientMemoryX",
        -1007: "CLBlastInsufficientMemoryY",
        -2050: "CLBlastInsufficientMemoryTemp",
        -2049: "CLBlastInvalidBatchCount",
        -2048: "CLBlastInvalidOverrideKernel",
        -2047: "CLBlastMissingOverrideParameter",
        -2046: "CLBlastInvalidLocalMemUsage",
        -2045: "CLBlastNoHalfPrecision",
        -2044: "CLBlastNoDoublePrecision",
        -2043: "CLBlastInvalidVectorScalar",
        -2042: "CLBlastInsufficientMemoryScalar",
        -2041: "CLBlastDatabaseError",
        -2040: "CLBlastUnknownError",
        -2039: "CLBlastUnexpectedError",
    ]
}

/// A program that failed to build, with the compiler's log.
public struct OpenCLBuildError: Error, CustomStringConvertible, Sendable {
    /// Kernel file (e.g. `topk.cl`).
    public let program: String
    /// Build options passed to the compiler.
    public let options: String
    /// The device compiler's log.
    public let log: String

    public var description: String { "building \(program) with '\(options)' failed:\n\(log)" }
}

/// Throws `OpenCLError` unless `status` is `CL_SUCCESS`.
@inline(__always)
func check(_ status: cl_int, _ call: String, _ detail: @autoclosure () -> String = "") throws {
    if status != CL_SUCCESS { throw OpenCLError(call: call, code: status, detail: detail()) }
}

extension OpenCLError: OutOfMemoryReporting {}
