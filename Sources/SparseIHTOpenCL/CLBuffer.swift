import COpenCL
import SparseIHTCore

/// Owns one `cl_mem` of `count` elements of `Element` (float, int32, uint32); released on
/// `deinit`. The element type keeps buffers of different kinds from being confused.
public final class CLBuffer<Element> {
    let handle: cl_mem
    /// Number of elements.
    public let count: Int
    private let tracker: AllocationTracker?

    /// Bytes held.
    public var byteCount: Int { count * MemoryLayout<Element>.stride }

    /// A buffer of `count` elements (at least one is allocated), zero-filled through `queue`.
    init(queue: CLQueue, count: Int, tracker: AllocationTracker?) throws {
        let bytes = max(count, 1) * MemoryLayout<Element>.stride
        if UInt64(bytes) > queue.context.device.maxAllocationBytes {
            throw OpenCLError(call: "clCreateBuffer", code: CL_INVALID_BUFFER_SIZE,
                              detail: "\(bytes) bytes exceeds CL_DEVICE_MAX_MEM_ALLOC_SIZE \(queue.context.device.maxAllocationBytes)")
        }
        var status: cl_int = 0
        guard let mem = clCreateBuffer(queue.context.handle, cl_mem_flags(CL_MEM_READ_WRITE), bytes, nil, &status),
              status == CL_SUCCESS else {
            throw OpenCLError(call: "clCreateBuffer", code: status, detail: "\(bytes) bytes")
        }
        handle = mem
        self.count = count
        self.tracker = tracker
        var zero: UInt8 = 0
        let st = clEnqueueFillBuffer(queue.handle, mem, &zero, 1, 0, bytes, 0, nil, nil)
        if st != CL_SUCCESS {
            clReleaseMemObject(mem)
            throw OpenCLError(call: "clEnqueueFillBuffer", code: st, detail: "\(bytes) bytes")
        }
        tracker?.allocated(byteCount)
    }

    /// Copies `values` into elements `offset..<offset+values.count` (blocking).
    func write(_ values: [Element], offset: Int = 0, queue: CLQueue) throws {
        guard offset + values.count <= count else {
            throw SparseIHTError.shapeMismatch("writing \(values.count) elements at \(offset) into a buffer of \(count)")
        }
        if values.isEmpty { return }
        let stride = MemoryLayout<Element>.stride
        try values.withUnsafeBytes { raw in
            try check(clEnqueueWriteBuffer(queue.handle, handle, cl_bool(CL_TRUE), offset * stride,
                                           values.count * stride, raw.baseAddress, 0, nil, nil),
                      "clEnqueueWriteBuffer")
        }
        tracker?.moved(values.count * stride)
    }

    /// The first `count` elements (blocking read).
    func read(count n: Int, queue: CLQueue) throws -> [Element] where Element: Numeric {
        guard n <= count else {
            throw SparseIHTError.shapeMismatch("reading \(n) elements from a buffer of \(count)")
        }
        var out = [Element](repeating: 0, count: n)
        if n == 0 { return out }
        try out.withUnsafeMutableBytes { raw in
            try check(clEnqueueReadBuffer(queue.handle, handle, cl_bool(CL_TRUE), 0, raw.count,
                                          raw.baseAddress, 0, nil, nil), "clEnqueueReadBuffer")
        }
        tracker?.moved(n * MemoryLayout<Element>.stride)
        return out
    }

    deinit {
        tracker?.released(byteCount)
        let st = clReleaseMemObject(handle)
        if st != CL_SUCCESS { logRelease("clReleaseMemObject", st) }
    }
}
