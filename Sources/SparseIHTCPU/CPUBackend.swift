import CBLAS
import Foundation
import SparseIHTCore

/// CPU implementation of `ComputeBackend`: GEMMs through OpenBLAS (CBLAS), elementwise work
/// and top-k in plain Swift. Single-threaded except inside OpenBLAS.
public final class CPUBackend: ComputeBackend {
    public typealias Buffer = HostBuffer
    public let kind = BackendKind.cpu
    let tracker = AllocationTracker()
    private var scratch: HostBuffer?
    public private(set) var gemmFlops = 0
    /// Wall seconds spent inside SGEMM calls so far (benchmarks).
    public private(set) var gemmSeconds = 0.0
    /// Wall seconds spent copying values into and out of buffers (`write`, `read`,
    /// `makeBuffer(_:)`) so far: the CPU backend's host-device transfers.
    public private(set) var transferSeconds = 0.0
    /// Bytes copied by those transfers.
    public private(set) var transferBytes = 0

    public init() {}

    /// The core OpenBLAS selected for its kernels (e.g. `Haswell`, `Zen`), and the
    /// `OPENBLAS_CORETYPE` override in force (nil when unset).
    public static var openBLASCore: (name: String, coretypeOverride: String?) {
        let name = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return (name, getenvString("OPENBLAS_CORETYPE"))
    }

    public var deviceDescription: String {
        let core = Self.openBLASCore
        return "host CPU (OpenBLAS core \(core.name), OPENBLAS_CORETYPE=\(core.coretypeOverride ?? "unset"))"
    }
    public var bytesAllocated: Int { tracker.current }
    public var peakBytesAllocated: Int { tracker.peak }
    public var bytesTransferred: Int { tracker.transferred }
    public func synchronize() throws {}

    public func makeBuffer(count: Int) throws -> HostBuffer {
        guard count >= 0 else { throw SparseIHTError.invalidArgument("buffer of \(count) floats") }
        return HostBuffer(count: count, tracker: tracker)
    }

    public func makeBuffer(_ values: [Float]) throws -> HostBuffer {
        let b = try makeBuffer(count: values.count)
        try write(values, to: b)
        return b
    }

    public func write(_ values: [Float], to buffer: HostBuffer) throws {
        guard values.count <= buffer.count else {
            throw SparseIHTError.shapeMismatch("writing \(values.count) floats into a buffer of \(buffer.count)")
        }
        let t0 = ProfileClock.seconds()
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { buffer.pointer.update(from: base, count: values.count) }
        }
        tracker.moved(4 * values.count)
        transferSeconds += (ProfileClock.seconds() - t0)
        transferBytes += 4 * values.count
    }

    public func read(_ buffer: HostBuffer, count: Int) throws -> [Float] {
        guard count <= buffer.count else {
            throw SparseIHTError.shapeMismatch("reading \(count) floats from a buffer of \(buffer.count)")
        }
        tracker.moved(4 * count)
        let t0 = ProfileClock.seconds()
        defer {
            transferSeconds += (ProfileClock.seconds() - t0)
            transferBytes += 4 * count
        }
        return Array(UnsafeBufferPointer(start: buffer.pointer, count: count))
    }

    public func capacity(of buffer: HostBuffer) -> Int { buffer.count }

    /// A scratch buffer of at least `count` floats, reused between calls.
    private func scratchBuffer(_ count: Int) -> HostBuffer {
        if let s = scratch, s.count >= count { return s }
        scratch = nil
        let s = HostBuffer(count: count, tracker: tracker)
        scratch = s
        return s
    }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Float, a: HostBuffer, b: HostBuffer, beta: Float, c: HostBuffer) throws {
        try requireCapacity(a, m * k, "gemm A"); try requireCapacity(b, k * n, "gemm B")
        try requireCapacity(c, m * n, "gemm C")
        countedGemm(transA, transB, m, n, k, alpha, a.pointer, b.pointer, beta, c.pointer)
    }

    public func gate(x: HostBuffer, n: Int, d: Int, generators h: HostBuffer, c: Int, into g: HostBuffer) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(h, c * d, "generators")
        try requireCapacity(g, n * c, "gate")
        countedGemm(false, true, n, c, d, 1, x.pointer, h.pointer, 0, g.pointer)
        let p = g.pointer
        for i in 0..<(n * c) { p[i] = p[i] > 0 ? 1 : 0 }
    }

    public func gateColumns(x: HostBuffer, n: Int, d: Int, generators h: HostBuffer, columns: [Int32], c: Int,
                            into g: HostBuffer) throws {
        let r = columns.count
        try checkGateColumns(columns, c: c)
        try requireCapacity(x, n * d, "x"); try requireCapacity(h, r * d, "generators")
        try requireCapacity(g, n * c, "gate")
        guard n > 0, r > 0 else { return }
        let z = scratchBuffer(n * r).pointer
        countedGemm(false, true, n, r, d, 1, x.pointer, h.pointer, 0, z)
        let out = g.pointer
        for i in 0..<n {
            let row = out + i * c, products = z + i * r
            for p in 0..<r { row[Int(columns[p])] = products[p] > 0 ? 1 : 0 }
        }
    }

    public func maskedGradient(x: HostBuffer, n: Int, d: Int, gate g: HostBuffer, c: Int,
                               residual r: HostBuffer, k: Int, into out: HostBuffer) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(g, n * c, "gate")
        try requireCapacity(r, n * k, "residual"); try requireCapacity(out, c * k * d, "gradient")
        let width = c * k
        let masked = scratchBuffer(n * width).pointer
        let gp = g.pointer, rp = r.pointer
        for i in 0..<n {
            let row = masked + i * width, grow = gp + i * c, rrow = rp + i * k
            if k == 1 {
                let ri = rrow[0]
                for j in 0..<c { row[j] = grow[j] * ri }
            } else {
                for j in 0..<c {
                    let gij = grow[j]
                    for l in 0..<k { row[j * k + l] = gij * rrow[l] }
                }
            }
        }
        countedGemm(true, false, width, d, n, 1, masked, x.pointer, 0, out.pointer)
    }

    public func gatedForward(x: HostBuffer, n: Int, d: Int, weights w: HostBuffer, gate g: HostBuffer,
                             a: Int, into y: HostBuffer) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(w, a * d, "weights")
        try requireCapacity(g, n * a, "gate"); try requireCapacity(y, n, "output")
        let z = scratchBuffer(max(n * a, 1)).pointer
        if a > 0 { countedGemm(false, true, n, a, d, 1, x.pointer, w.pointer, 0, z) }
        let gp = g.pointer
        for i in 0..<n {
            var acc: Float = 0
            for j in 0..<a { acc += gp[i * a + j] * z[i * a + j] }
            y.pointer[i] = acc
        }
    }

    public func gatedActivations(x: HostBuffer, n: Int, d: Int, weights w: HostBuffer, gate g: HostBuffer,
                                 a: Int, into z: HostBuffer) throws {
        try requireCapacity(x, n * d, "x"); try requireCapacity(w, a * d, "weights")
        try requireCapacity(g, n * a, "gate"); try requireCapacity(z, n * a, "activations")
        guard a > 0 else { return }
        countedGemm(false, true, n, a, d, 1, x.pointer, w.pointer, 0, z.pointer)
        for i in 0..<(n * a) { z.pointer[i] *= g.pointer[i] }
    }

    public func neuronOutputNorms(x: HostBuffer, n: Int, d: Int, weights w: HostBuffer, gate g: HostBuffer,
                                  a: Int) throws -> [Float] {
        try requireCapacity(x, n * d, "x"); try requireCapacity(w, a * d, "weights")
        try requireCapacity(g, n * a, "gate")
        guard a > 0 else { return [] }
        let z = scratchBuffer(n * a).pointer
        countedGemm(false, true, n, a, d, 1, x.pointer, w.pointer, 0, z)
        var sums = [Double](repeating: 0, count: a)
        for i in 0..<n {
            for j in 0..<a {
                let v = Double(g.pointer[i * a + j] * z[i * a + j])
                sums[j] += v * v
            }
        }
        return sums.map { Float($0.squareRoot()) }
    }

    public func topK(_ buffer: HostBuffer, count: Int, k: Int) throws -> TopKResult {
        try requireCapacity(buffer, count, "top-k input")
        let result = try topKByMagnitude(UnsafeBufferPointer(start: buffer.pointer, count: count), k: k)
        tracker.moved(8 * result.indices.count)
        return result
    }

    public func scaleAndScatterAdd(_ buffer: HostBuffer, count: Int, scale: Float,
                                   indices: [Int32], values: [Float]) throws {
        try requireCapacity(buffer, count, "scatter target")
        guard indices.count == values.count else {
            throw SparseIHTError.shapeMismatch("\(indices.count) indices with \(values.count) values")
        }
        let p = buffer.pointer
        if scale != 1 { for i in 0..<count { p[i] *= scale } }
        for (t, idx) in indices.enumerated() {
            guard idx >= 0, Int(idx) < count else {
                throw SparseIHTError.invalidArgument("scatter index \(idx) outside 0..<\(count)")
            }
            p[Int(idx)] += values[t]
        }
    }

    private func countedGemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                             _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ beta: Float,
                             _ c: UnsafeMutablePointer<Float>) {
        gemmFlops += 2 * m * n * k
        let t0 = ProfileClock.seconds()
        sgemm(transA, transB, m, n, k, alpha, a, b, beta, c)
        gemmSeconds += (ProfileClock.seconds() - t0)
    }

    private func requireCapacity(_ b: HostBuffer, _ need: Int, _ what: String) throws {
        guard b.count >= need else {
            throw SparseIHTError.shapeMismatch("\(what) needs \(need) floats, buffer holds \(b.count)")
        }
    }
}

/// Row-major SGEMM: `c (m x n) = alpha op(a) op(b) + beta c`, the same bits whatever the
/// thread count (`DeterministicGemm`).
@inline(__always)
func sgemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
           _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ beta: Float, _ c: UnsafeMutablePointer<Float>) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
        return
    }
    DeterministicGemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c)
}
