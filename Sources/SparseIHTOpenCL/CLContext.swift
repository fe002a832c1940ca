import COpenCL

/// Owns one `cl_context` for one device; released on `deinit`.
public final class CLContext {
    let handle: cl_context
    public let device: CLDevice

    public init(device: CLDevice) throws {
        var status: cl_int = 0
        var id: cl_device_id? = device.deviceID
        guard let ctx = clCreateContext(nil, 1, &id, nil, nil, &status), status == CL_SUCCESS else {
            throw OpenCLError(call: "clCreateContext", code: status, detail: device.name)
        }
        handle = ctx
        self.device = device
    }

    deinit {
        let st = clReleaseContext(handle)
        if st != CL_SUCCESS { logRelease("clReleaseContext", st) }
    }
}

