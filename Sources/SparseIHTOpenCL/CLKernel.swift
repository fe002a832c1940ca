import COpenCL

/// Owns one `cl_kernel` (mutable argument state: never shared across threads); released on
/// `deinit`. Launches round the global size up to a multiple of the work-group size;
/// kernels guard their index.
public final class CLKernel {
    let handle: cl_kernel
    public let name: String
    private let program: CLProgram  // keeps the program alive

    init(program: CLProgram, name: String) throws {
        var status: cl_int = 0
        guard let k = clCreateKernel(program.handle, name, &status), status == CL_SUCCESS else {
            throw OpenCLError(call: "clCreateKernel", code: status, detail: "\(name) in \(program.name)")
        }
        handle = k
        self.name = name
        self.program = program
    }

    /// Argument values a kernel accepts.
    enum Arg {
        case buffer(cl_mem)
        case int(Int32)
        case uint(UInt32)
        case float(Float)
        /// `__local` memory of this many bytes.
        case local(Int)
    }

    func setArgs(_ args: [Arg]) throws {
        for (i, a) in args.enumerated() {
            let idx = cl_uint(i)
            let st: cl_int
            switch a {
            case .buffer(var m): st = clSetKernelArg(handle, idx, MemoryLayout<cl_mem>.size, &m)
            case .int(var v): st = clSetKernelArg(handle, idx, 4, &v)
            case .uint(var v): st = clSetKernelArg(handle, idx, 4, &v)
            case .float(var v): st = clSetKernelArg(handle, idx, 4, &v)
            case .local(let bytes): st = clSetKernelArg(handle, idx, bytes, nil)
            }
            try check(st, "clSetKernelArg", "\(name) argument \(i)")
        }
    }

    /// Enqueues a 1-D launch of at least `global` work-items in groups of `local`.
    func launch(on queue: CLQueue, global: Int, local: Int) throws {
        guard global > 0 else { return }
        var g = (global + local - 1) / local * local
        var l = local
        try check(clEnqueueNDRangeKernel(queue.handle, handle, 1, nil, &g, &l, 0, nil, nil),
                  "clEnqueueNDRangeKernel", "\(name) global \(g) local \(l)")
    }

    deinit {
        let st = clReleaseKernel(handle)
        if st != CL_SUCCESS { logRelease("clReleaseKernel", st) }
    }
}

extension CLBuffer {
    var arg: CLKernel.Arg { .buffer(handle) }
}
