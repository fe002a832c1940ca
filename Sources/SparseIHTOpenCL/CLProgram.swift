import COpenCL
import Foundation
import SparseIHTKernels

/// Owns one built `cl_program` (one kernel file plus the prelude); released on `deinit`.
public final class CLProgram {
    let handle: cl_program
    /// Kernel file name, e.g. `topk.cl`.
    public let name: String

    /// Builds `name` from the embedded sources with `-cl-std=CL1.2` and `options`.
    /// - Throws: `OpenCLBuildError` with the compiler log; `OpenCLError` for other failures.
    convenience init(context: CLContext, name: String, options: String) throws {
        guard let source = KernelSources.program(name) else {
            throw OpenCLError(call: "clCreateProgramWithSource", code: CL_INVALID_VALUE,
                              detail: "no embedded kernel file \(name)")
        }
        try self.init(context: context, name: name, source: source, options: options)
    }

    /// Builds `source` (named `name` in errors).
    init(context: CLContext, name: String, source: String, options: String) throws {
        var status: cl_int = 0
        let program: cl_program? = source.withCString { cstr in
            var p: UnsafePointer<CChar>? = cstr
            var length = strlen(cstr)
            return clCreateProgramWithSource(context.handle, 1, &p, &length, &status)
        }
        guard let program, status == CL_SUCCESS else {
            throw OpenCLError(call: "clCreateProgramWithSource", code: status, detail: name)
        }
        handle = program
        self.name = name
        let fullOptions = "-cl-std=CL1.2 " + options
        var device: cl_device_id? = context.device.deviceID
        let st = clBuildProgram(program, 1, &device, fullOptions, nil, nil)
        if st != CL_SUCCESS {
            var size = 0
            clGetProgramBuildInfo(program, context.device.deviceID, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size)
            var log = [CChar](repeating: 0, count: size + 1)
            clGetProgramBuildInfo(program, context.device.deviceID, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &log, nil)
            let text = stringFromCChars(log)
            if st == CL_BUILD_PROGRAM_FAILURE {
                throw OpenCLBuildError(program: name, options: fullOptions, log: text)
            }
            throw OpenCLError(call: "clBuildProgram", code: st, detail: "\(name): \(text)")
        }
    }

    deinit {
        let st = clReleaseProgram(handle)
        if st != CL_SUCCESS { logRelease("clReleaseProgram", st) }
    }
}

/// Built programs keyed by file name and options, so each is compiled once per context.
final class ProgramCache {
    private var programs: [String: CLProgram] = [:]
    private let context: CLContext

    init(context: CLContext) { self.context = context }

    func program(_ name: String, options: String) throws -> CLProgram {
        let key = name + "|" + options
        if let p = programs[key] { return p }
        let p = try CLProgram(context: context, name: name, options: options)
        programs[key] = p
        return p
    }
}
