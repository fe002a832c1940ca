/// The numerical primitives of the gated reformulation (docs/method.md section 1), written once
/// per backend. The solver is generic over this protocol; the CPU and OpenCL backends pass
/// one shared parity suite.
///
/// Conventions for every method:
/// - matrices are row-major float32;
/// - `x` is the data matrix, `n x d` (rows are examples);
/// - a block of `c` neurons is stored neuron-major: generators and weights are `c x d`
///   (row `j` is neuron `j`'s length-`d` vector), so neuron `j`'s block of the flat
///   `md` weight vector `w = [w_1; ...; w_m]` is contiguous;
/// - gate matrices are `n x c` holding exactly 0.0 or 1.0.
///
/// The vector-output step's primitives and the transfer counter are in `VectorStepBackend`
/// (end of this file).
public protocol ComputeBackend: AnyObject, VectorStepBackend {
    /// A device (or host) allocation of float32 values owned by this backend.
    associatedtype Buffer: AnyObject

    /// `cpu` or `opencl`.
    var kind: BackendKind { get }
    /// Human-readable device description (e.g. `pthread-haswell-AMD EPYC (Portable Computing Language)`).
    var deviceDescription: String { get }
    /// Bytes currently allocated in this backend's buffers.
    var bytesAllocated: Int { get }
    /// Highest value `bytesAllocated` has reached.
    var peakBytesAllocated: Int { get }
    /// Floating-point operations performed in GEMMs so far (2mnk each), for benchmarks.
    var gemmFlops: Int { get }
    /// Blocks until queued work has finished (a no-op on the CPU), for timing.
    func synchronize() throws

    /// A zero-filled buffer of `count` floats.
    func makeBuffer(count: Int) throws -> Buffer
    /// A buffer holding a copy of `values`.
    func makeBuffer(_ values: [Float]) throws -> Buffer
    /// Copies `values` into the first `values.count` floats of `buffer`.
    func write(_ values: [Float], to buffer: Buffer) throws
    /// The first `count` floats of `buffer`.
    func read(_ buffer: Buffer, count: Int) throws -> [Float]
    /// Number of floats `buffer` holds.
    func capacity(of buffer: Buffer) -> Int

    /// Plain SGEMM: `c (m x n) = alpha * op(a) * op(b) + beta * c`, row-major, where `op(a)` is
    /// `m x k` (`a` stored `k x m` when `transA`) and `op(b)` is `k x n`.
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
              alpha: Float, a: Buffer, b: Buffer, beta: Float, c: Buffer) throws

    /// Gate matrix of a block of `c` neurons: `g = 1[x * h^T > 0]` (`n x c`), strict `>`,
    /// with `h` the `c x d` generators. A zero generator gives an all-zero column.
    func gate(x: Buffer, n: Int, d: Int, generators h: Buffer, c: Int, into g: Buffer) throws

    /// Gates of some of a block's neurons, each into its own column of the block's gate
    /// matrix: `g[:, columns[p]] = 1[x h_p > 0]` (strict, as `gate`) for the generators `h`
    /// (`columns.count x d`); the other columns of `g` (`n x c`) keep their values. The
    /// columns are distinct and below `c` (`checkGateColumns`). Costs a GEMM over
    /// `columns.count` neurons, not `c`: a block whose other gates come cheaper (sparse
    /// generators) pays the dense product only for its dense generators.
    func gateColumns(x: Buffer, n: Int, d: Int, generators h: Buffer, columns: [Int32], c: Int, into g: Buffer) throws

    /// Masked gated gradient of a block: row `j*k + l` of `out` (`(c*k) x d`) is
    /// `(g_j .* r_l)^T x`, i.e. `out^T = x^T (g_j .* r_l)` stacked over neurons `j < c` and
    /// output columns `l < k`. `r` is `n x k`. For `k = 1` this is `(A^T r)` for the block,
    /// one `d`-row per neuron.
    func maskedGradient(x: Buffer, n: Int, d: Int, gate g: Buffer, c: Int,
                        residual r: Buffer, k: Int, into out: Buffer) throws

    /// Gated forward product: `y = sum_j g_j .* (x w_j)` (length `n`) for `a` neurons with
    /// weights `w` (`a x d`) and gate matrix `g` (`n x a`). With `a = 0`, `y = 0`.
    func gatedForward(x: Buffer, n: Int, d: Int, weights w: Buffer, gate g: Buffer, a: Int,
                      into y: Buffer) throws

    /// Gated hidden activations `z = g .* (x w^T)` (`n x a`) for `a` neurons with weights
    /// `w` (`a x d`) and gates `g` (`n x a`); the vector-output model multiplies them by its
    /// output weights with `gemm`.
    func gatedActivations(x: Buffer, n: Int, d: Int, weights w: Buffer, gate g: Buffer, a: Int,
                          into z: Buffer) throws

    /// Per-neuron output norms `|| g_j .* (x w_j) ||_2` for `a` neurons (length `a`).
    func neuronOutputNorms(x: Buffer, n: Int, d: Int, weights w: Buffer, gate g: Buffer,
                           a: Int) throws -> [Float]

    /// Hard thresholding: the `k` entries of largest magnitude among the first `count`
    /// values of `buffer`, as ascending indices with their values. Ties at the threshold
    /// go to the lowest indices. Throws `SparseIHTError.nonFinite` on NaN or infinite input.
    func topK(_ buffer: Buffer, count: Int, k: Int) throws -> TopKResult

    /// `buffer[i] = scale * buffer[i]` for `i < count`, then `buffer[indices[t]] += values[t]`.
    /// Indices must be distinct and below `count`.
    func scaleAndScatterAdd(_ buffer: Buffer, count: Int, scale: Float,
                            indices: [Int32], values: [Float]) throws
}

/// Which implementation of `ComputeBackend` runs.
public enum BackendKind: String, Sendable, Codable {
    case cpu
    case opencl
}

// MARK: - Vector-output step and transfer accounting (VectorIHTSolver, StreamedSelection)

/// Primitives of the vector-output step (docs/method.md section 3) and the host-device
/// transfer counter. Kept in one group so the step's whole device side reads in one place.
public protocol VectorStepBackend {
    associatedtype Buffer: AnyObject

    /// Bytes copied between host and device so far (writes, reads and results returned by
    /// primitives such as `topK` and `gather`). The CPU backend counts the same calls, so
    /// the figure means the same on both.
    var bytesTransferred: Int { get }

    /// Candidate blocks of one IHT step: `candidates` (`a x (d+k)`, row `j` = neuron `j`'s
    /// block) `= [w1_j - rate * gradW1_j ; w2_j - rate * gradW2_j]`, with `w1`, `gradW1`
    /// `a x d` and `w2`, `gradW2` `a x k`. Each entry is `w - rate * g` in float32, no FMA.
    func vectorCandidates(w1: Buffer, w2: Buffer, gradW1: Buffer, gradW2: Buffer, a: Int, d: Int, k: Int,
                          rate: Float, into candidates: Buffer) throws

    /// Copies columns `from..<from+width` of `source` (`rows x stride`) into `dest`
    /// (`rows x width`): one layer's part of the candidate blocks.
    func copyColumns(_ source: Buffer, rows: Int, stride: Int, from: Int, width: Int, into dest: Buffer) throws

    /// Rows `rows` (in that order) of `source` (`? x width`) into `dest` (`rows.count x width`):
    /// minibatches and generator rows gathered on the device from one upload.
    func gatherRows(_ source: Buffer, width: Int, rows: [Int32], into dest: Buffer) throws

    /// `buffer[indices[t]]` for every `t`, in that order (the values of a selection).
    func gather(_ buffer: Buffer, indices: [Int32]) throws -> [Float]

    /// Count-min sketch ranking keys (the `.sketch` rule). For entries `e < a*(d+k)` in
    /// ascending order, with flat index `f = neurons[e / (d+k)] * (d+k) + e % (d+k)` and
    /// amount `|candidates[e] - before[e]|` (`before` = `[w1 | w2]` of the same rows), each
    /// sketch row `r < depth` adds the amount to cell `sketchCell(f, r, width)` of `sketch`
    /// (`depth x width`, updated in place); `keys[e]` is the minimum over rows of the cell
    /// value right after entry `e` was added (NaN where the candidate is not finite, so
    /// the top-k rejects it). Sequential in `e` per row.
    func sketchKeys(candidates: Buffer, w1: Buffer, w2: Buffer, a: Int, d: Int, k: Int, neurons: [Int32],
                    sketch: Buffer, depth: Int, width: Int, into keys: Buffer) throws

    /// `x W^T` (`n x a`) for a sparse `W` (`a x d`) given by rows: row `j`'s entries are
    /// `columns[t]`, `values[t]` for `t` in `offsets[j]..<offsets[j+1]` (`offsets` has
    /// `a + 1` entries). Each output sums its row's products in that order in float32 (no
    /// FMA), so every backend gives the same bits; it costs `n * nnz`, not `n * d * a`.
    /// With `threshold`, `out = 1[x W^T > 0]` (gates from sparse generators); else with a
    /// `gate` (`n x a`), `out = gate .* (x W^T)` (gated activations); else the product.
    func sparseProduct(x: Buffer, n: Int, d: Int, offsets: [Int32], columns: [Int32], values: [Float],
                       gate: Buffer?, threshold: Bool, into out: Buffer) throws

    /// Whether this backend's buffers are host memory, so that filling one from host data
    /// costs no transfer (`writeGates`): the solver then takes gates it already holds on the
    /// host instead of making them again on the backend.
    var buffersOnHost: Bool { get }

    /// A gate matrix from gates held on the host: column `p` of `g` (`n x rows.count`) is row
    /// `rows[p]` of `bytes` (neuron-major, `n` bytes a row, each 0 or 1), or zeros where
    /// `rows[p]` is negative.
    func writeGates(_ bytes: [UInt8], n: Int, rows: [Int], into g: Buffer) throws

    /// Columns of a gate matrix `g` (`n x c`, 0 or 1) as neuron-major bytes: row `p` of the
    /// result (`columns.count x n`) is column `columns[p]` (columns below `c`).
    func readGates(_ g: Buffer, n: Int, c: Int, columns: [Int32]) throws -> [UInt8]
}

extension ComputeBackend {
    public var buffersOnHost: Bool { false }

    /// Through `write`: the gate matrix is made on the host and copied to the buffer.
    public func writeGates(_ bytes: [UInt8], n: Int, rows: [Int], into g: Buffer) throws {
        try write(gateMatrix(bytes, n: n, rows: rows), to: g)
    }

    /// Through `read` of the whole matrix.
    public func readGates(_ g: Buffer, n: Int, c: Int, columns: [Int32]) throws -> [UInt8] {
        try checkGateColumns(columns, c: c, distinct: false)
        let all = try read(g, count: n * c)
        var out = [UInt8](repeating: 0, count: n * columns.count)
        for (p, j) in columns.enumerated() {
            for i in 0..<n where all[i * c + Int(j)] > 0 { out[p * n + i] = 1 }
        }
        return out
    }
}

/// The gate matrix `writeGates` writes (`n x rows.count` floats, example-major), checked:
/// every row is below `bytes.count / n` (a negative row gives zeros).
public func gateMatrix(_ bytes: [UInt8], n: Int, rows: [Int]) throws -> [Float] {
    let c = rows.count
    try checkGateRows(bytes.count, n: n, rows: rows)
    var out = [Float](repeating: 0, count: n * c)
    for (p, r) in rows.enumerated() where r >= 0 {
        for i in 0..<n { out[i * c + p] = Float(bytes[r * n + i]) }
    }
    return out
}

/// Throws unless `columns` are columns of a gate matrix `c` wide, and with `distinct` none
/// given twice (`gateColumns` writes them; `readGates` only reads them).
public func checkGateColumns(_ columns: [Int32], c: Int, distinct: Bool = true) throws {
    var seen = Set<Int32>()
    for j in columns {
        guard j >= 0, Int(j) < c else { throw SparseIHTError.invalidArgument("gate column \(j) outside 0..<\(c)") }
        guard !distinct || seen.insert(j).inserted else {
            throw SparseIHTError.invalidArgument("gate column \(j) given twice")
        }
    }
}

/// Throws unless every row of `rows` is negative or a whole row of `count` bytes of rows of `n`.
public func checkGateRows(_ count: Int, n: Int, rows: [Int]) throws {
    guard n >= 0, let bad = rows.first(where: { $0 >= 0 && ($0 + 1) * n > count }) else { return }
    throw SparseIHTError.shapeMismatch("gate row \(bad) of \(n) bytes is past the \(count) bytes given")
}

/// Cell of flat index `flat` in row `row` of a count-min sketch with `width` cells per row.
@inline(__always)
public func sketchCell(_ flat: Int, row: Int, width: Int) -> Int {
    Int(SeededGenerator.mix(UInt64(flat) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(row) &* 0xC2B2_AE3D_27D4_EB4F)
        % UInt64(width))
}
