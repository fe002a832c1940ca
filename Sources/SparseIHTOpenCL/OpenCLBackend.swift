import COpenCL
import SparseIHTCore

/// OpenCL implementation of `ComputeBackend`: the kernels of `Kernels/` plus CLBlast GEMMs
/// on one device and one in-order queue. Not thread-safe (kernels hold argument state).
public final class OpenCLBackend: ComputeBackend {
    public typealias Buffer = CLBuffer<Float>
    public let kind = BackendKind.opencl
    public let device: CLDevice
    let context: CLContext
    let queue: CLQueue
    let tuning: OpenCLTuning
    private let programs: ProgramCache
    private var kernels: [String: CLKernel] = [:]
    private let tracker = AllocationTracker()
    public private(set) var gemmFlops = 0
    private var scratchFloats: [String: CLBuffer<Float>] = [:]
    private var scratchInts: [String: CLBuffer<Int32>] = [:]
    private var scratchUInts: [String: CLBuffer<UInt32>] = [:]

    /// Opens `device` (see `CLDevice.select`).
    public init(device: CLDevice) throws {
        self.device = device
        context = try CLContext(device: device)
        queue = try CLQueue(context: context)
        tuning = try OpenCLTuning.forDevice(device)
        for p in tuning.clblast { try p.apply(to: device) }
        programs = ProgramCache(context: context)
    }

    /// Opens the device chosen by `selector` (`auto`, `gpu`, `cpu`, an index or a name
    /// substring).
    public convenience init(selector: String) throws {
        try self.init(device: CLDevice.select(selector))
    }

    public var deviceDescription: String { "\(device.name) (\(device.platformName), \(device.type))" }
    /// The tuning in use: work-group size, top-k groups and the CLBlast parameters installed
    /// (or `CLBlast defaults`), for reports.
    public var tuningDescription: String { tuning.description }
    public var bytesAllocated: Int { tracker.current }
    public var peakBytesAllocated: Int { tracker.peak }
    public var bytesTransferred: Int { tracker.transferred }

    /// Blocks until the queue is idle (for timing).
    public func synchronize() throws { try queue.finish() }

    // MARK: buffers

    public func makeBuffer(count: Int) throws -> CLBuffer<Float> {
        guard count >= 0 else { throw SparseIHTError.invalidArgument("buffer of \(count) floats") }
        return try CLBuffer(queue: queue, count: count, tracker: tracker)
    }

    public func makeBuffer(_ values: [Float]) throws -> CLBuffer<Float> {
        let b = try makeBuffer(count: values.count)
        try b.write(values, queue: queue)
        return b
    }

    public func write(_ values: [Float], to buffer: CLBuffer<Float>) throws {
        try buffer.write(values, queue: queue)
    }

    public func read(_ buffer: CLBuffer<Float>, count: Int) throws -> [Float] {
        try buffer.read(count: count, queue: queue)
    }

    public func capacity(of buffer: CLBuffer<Float>) -> Int { buffer.count }

    /// A named scratch buffer of at least `count` elements from `pool`, grown on demand and reused.
    private func reuse<E>(_ pool: inout [String: CLBuffer<E>], _ name: String, _ count: Int) throws -> CLBuffer<E> {
        if let b = pool[name], b.count >= count { return b }
        pool[name] = nil
        let b = try CLBuffer<E>(queue: queue, count: count, tracker: tracker)
        pool[name] = b
        return b
    }

    func scratch(_ name: String, _ count: Int) throws -> CLBuffer<Float> { try reuse(&scratchFloats, name, count) }
    func scratchInt(_ name: String, _ count: Int) throws -> CLBuffer<Int32> { try reuse(&scratchInts, name, count) }
    func scratchUInt(_ name: String, _ count: Int) throws -> CLBuffer<UInt32> { try reuse(&scratchUInts, name, count) }

    func scratchIndices(_ count: Int) throws -> CLBuffer<Int32> { try scratchInt("topk.indices", count) }
    func scratchValues(_ count: Int) throws -> CLBuffer<Float> { try scratch("topk.values", count) }

    /// The kernel `name` of file `file`, built once.
    func kernel(_ name: String, in file: String) throws -> CLKernel {
        if let k = kernels[name] { return k }
        let program = try programs.program(file, options: tuning.compilerOptions)
        let k = try CLKernel(program: program, name: name)
        kernels[name] = k
        return k
    }

    /// Sets `args` and launches `name` over `global` items in groups of the tuned size.
    func run(_ name: String, in file: String, global: Int, local: Int? = nil, _ args: [CLKernel.Arg]) throws {
        let k = try kernel(name, in: file)
        try k.setArgs(args)
        try k.launch(on: queue, global: global, local: local ?? tuning.workGroupSize)
    }

    // MARK: primitives

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: CLBuffer<Float>, b: CLBuffer<Float>, beta: Float, c: CLBuffer<Float>) throws {
        try requireCapacity(a, m * k, "gemm A"); try requireCapacity(b, k * n, "gemm B")
        try requireCapacity(c, m * n, "gemm C")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            try run("scale", in: "gated.cl", global: m * n, [c.arg, .int(Int32(m * n)), .float(beta)])
            return
        }
        gemmFlops += 2 * m * n * k
        try clblastSgemm(queue: queue, transA: transA, transB: transB, m: m, n: n, k: k,
                         alpha: alpha, a: a.handle, b: b.handle, beta: beta, c: c.handle)
    }

    public func gate(x: CLBuffer<Float>, n: Int, d: Int, generators h: CLBuffer<Float>, c: Int,
                     into g: CLBuffer<Float>) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(h, c * d, "generators")
        try requireCapacity(g, n * c, "gate")
        try gemm(transA: false, transB: true, m: n, n: c, k: d, alpha: 1, a: x, b: h, beta: 0, c: g)
        try run("threshold_gate", in: "gated.cl", global: n * c, [g.arg, .int(Int32(n * c))])
    }

    public func gateColumns(x: CLBuffer<Float>, n: Int, d: Int, generators h: CLBuffer<Float>, columns: [Int32],
                            c: Int, into g: CLBuffer<Float>) throws {
        let r = columns.count
        try checkGateColumns(columns, c: c)
        try requireCapacity(x, n * d, "x"); try requireCapacity(h, r * d, "generators")
        try requireCapacity(g, n * c, "gate")
        guard n > 0, r > 0 else { return }
        let z = try scratch("gate.columns", n * r)
        try gemm(transA: false, transB: true, m: n, n: r, k: d, alpha: 1, a: x, b: h, beta: 0, c: z)
        let idx = try scratchInt("gate.columns.index", r)
        try idx.write(columns, queue: queue)
        try run("scatter_gate_columns", in: "gated.cl", global: n * r,
                [z.arg, idx.arg, g.arg, .int(Int32(n)), .int(Int32(r)), .int(Int32(c))])
    }

    public func maskedGradient(x: CLBuffer<Float>, n: Int, d: Int, gate g: CLBuffer<Float>, c: Int,
                               residual r: CLBuffer<Float>, k: Int, into out: CLBuffer<Float>) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(g, n * c, "gate")
        try requireCapacity(r, n * k, "residual"); try requireCapacity(out, c * k * d, "gradient")
        let width = c * k
        guard width > 0, d > 0 else { return }
        let masked = try scratch("masked", n * width)
        try run("mask_residual", in: "gated.cl", global: n * width,
                [g.arg, r.arg, masked.arg, .int(Int32(n)), .int(Int32(c)), .int(Int32(k))])
        try gemm(transA: true, transB: false, m: width, n: d, k: n, alpha: 1, a: masked, b: x, beta: 0, c: out)
    }

    public func gatedForward(x: CLBuffer<Float>, n: Int, d: Int, weights w: CLBuffer<Float>,
                             gate g: CLBuffer<Float>, a: Int, into y: CLBuffer<Float>) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(w, a * d, "weights")
        try requireCapacity(g, n * a, "gate"); try requireCapacity(y, n, "output")
        let z = try scratch("forward", max(n * a, 1))
        if a > 0 { try gemm(transA: false, transB: true, m: n, n: a, k: d, alpha: 1, a: x, b: w, beta: 0, c: z) }
        try run("gated_rowsum", in: "gated.cl", global: n,
                [g.arg, z.arg, y.arg, .int(Int32(n)), .int(Int32(a))])
    }

    public func gatedActivations(x: CLBuffer<Float>, n: Int, d: Int, weights w: CLBuffer<Float>,
                                 gate g: CLBuffer<Float>, a: Int, into z: CLBuffer<Float>) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(w, a * d, "weights")
        try requireCapacity(g, n * a, "gate"); try requireCapacity(z, n * a, "activations")
        guard a > 0 else { return }
        try gemm(transA: false, transB: true, m: n, n: a, k: d, alpha: 1, a: x, b: w, beta: 0, c: z)
        try run("multiply_inplace", in: "gated.cl", global: n * a, [z.arg, g.arg, .int(Int32(n * a))])
    }

    public func neuronOutputNorms(x: CLBuffer<Float>, n: Int, d: Int, weights w: CLBuffer<Float>,
                                  gate g: CLBuffer<Float>, a: Int) throws -> [Float] {
        try requireCapacity(x, n * d, "x"); try requireCapacity(w, a * d, "weights")
        try requireCapacity(g, n * a, "gate")
        guard a > 0 else { return [] }
        let z = try scratch("forward", n * a)
        try gemm(transA: false, transB: true, m: n, n: a, k: d, alpha: 1, a: x, b: w, beta: 0, c: z)
        let out = try scratch("norms", a)
        try run("gated_column_sumsq", in: "gated.cl", global: a,
                [g.arg, z.arg, out.arg, .int(Int32(n)), .int(Int32(a))])
        return try out.read(count: a, queue: queue).map { $0.squareRoot() }
    }

    public func scaleAndScatterAdd(_ buffer: CLBuffer<Float>, count: Int, scale: Float,
                                   indices: [Int32], values: [Float]) throws {
        try requireCapacity(buffer, count, "scatter target")
        guard indices.count == values.count else {
            throw SparseIHTError.shapeMismatch("\(indices.count) indices with \(values.count) values")
        }
        if let bad = indices.first(where: { $0 < 0 || Int($0) >= count }) {
            throw SparseIHTError.invalidArgument("scatter index \(bad) outside 0..<\(count)")
        }
        if scale != 1 {
            try run("scale", in: "gated.cl", global: count, [buffer.arg, .int(Int32(count)), .float(scale)])
        }
        guard !indices.isEmpty else { return }
        let idx = try scratchInt("scatter.indices", indices.count)
        let vals = try scratch("scatter.values", values.count)
        try idx.write(indices, queue: queue)
        try vals.write(values, queue: queue)
        try run("scatter_add", in: "gated.cl", global: indices.count,
                [buffer.arg, idx.arg, vals.arg, .int(Int32(indices.count))])
    }

    func requireCapacity<E>(_ b: CLBuffer<E>, _ need: Int, _ what: String) throws {
        guard b.count >= need else {
            throw SparseIHTError.shapeMismatch("\(what) needs \(need) elements, buffer holds \(b.count)")
        }
        guard need <= Int(Int32.max) else {
            throw SparseIHTError.invalidArgument("\(what): \(need) elements exceeds the 2^31 kernel index range; use smaller chunks")
        }
    }
}
