import COpenCL

/// Owns one in-order `cl_command_queue`; released on `deinit`.
public final class CLQueue {
    let handle: cl_command_queue
    public let context: CLContext

    public init(context: CLContext) throws {
        var status: cl_int = 0
        guard let q = clCreateCommandQueue(context.handle, context.device.deviceID, 0, &status),
              status == CL_SUCCESS else {
            throw OpenCLError(call: "clCreateCommandQueue", code: status)
        }
        handle = q
        self.context = context
    }

    /// Blocks until every enqueued command has finished.
    public func finish() throws { try check(clFinish(handle), "clFinish") }

    deinit {
        let st = clReleaseCommandQueue(handle)
        if st != CL_SUCCESS { logRelease("clReleaseCommandQueue", st) }
    }
}
