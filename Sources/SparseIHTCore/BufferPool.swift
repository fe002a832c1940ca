/// Backend buffers kept from one step to the next, by role, so a run does not allocate
/// (and zero, and page-fault in) its per-step gate, gradient and batch buffers every step.
/// A buffer handed out holds whatever its last user left in it: callers overwrite it.
final class BufferPool<B: ComputeBackend> {
    private let backend: B
    private var buffers: [String: B.Buffer] = [:]

    init(backend: B) { self.backend = backend }

    /// A buffer of at least `count` floats for `role`, reused while it is large enough.
    func buffer(_ role: String, count: Int) throws -> B.Buffer {
        if let b = buffers[role], backend.capacity(of: b) >= count { return b }
        buffers[role] = nil  // release the old one before allocating its replacement
        let b = try backend.makeBuffer(count: count)
        buffers[role] = b
        return b
    }

    /// A buffer for `role` holding `values` at its start.
    func buffer(_ role: String, values: [Float]) throws -> B.Buffer {
        let b = try buffer(role, count: values.count)
        try backend.write(values, to: b)
        return b
    }
}
