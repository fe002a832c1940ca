/// The streamed hard threshold shared by the solvers: candidates over all neurons never
/// exist at once; neurons go through in chunks sized to a memory allowance and to the
/// 32-bit kernel index range, each chunk's top-k comes back (O(k) values), and the chunk
/// results merge into the exact global top-k (`mergeTopK`). When the backend runs out of
/// memory the chunk halves and the work is retried.
///
/// Both solvers size their chunks, fall back on out-of-memory, take each chunk's top-k
/// (`chunkTop`) and merge (`add`) through this type; their chunk loops differ in what they
/// compute per chunk (`IHTSolver.thresholdStep`: gates and the masked gradient, the step
/// folded into the candidates; `VectorIHTSolver`: two passes and the ranking rules).
public struct StreamedSelection: Sendable {
    /// Entries to keep.
    public let k: Int
    /// The running selection: ascending flat indices and their values (or ranking keys).
    public private(set) var kept = TopKResult.empty

    public init(k: Int) { self.k = k }

    /// Merges a chunk's top-k. Its indices must be flat (global) indices, ascending and all
    /// above those added before (chunks go through in ascending neuron order).
    public mutating func add(_ part: TopKResult) { kept = mergeTopK(kept, part, k: k) }

    /// The top `keep` of a chunk's candidates (the first `count` values of `buffer` on
    /// `backend`) as local positions and as flat indices `flat(local)` (which must be
    /// ascending in the local position). A NaN or infinite candidate throws
    /// `SparseIHTError.nonFinite` at its flat index, naming `what` (nil: the backend's words).
    public static func chunkTop<B: ComputeBackend>(_ buffer: B.Buffer, count: Int, keep: Int, on backend: B,
                                                   what: String? = nil,
                                                   flat: (Int) -> Int) throws -> (local: [Int32], flat: TopKResult) {
        do {
            let part = try backend.topK(buffer, count: count, k: keep)
            return (part.indices, TopKResult(indices: part.indices.map { Int32(flat(Int($0))) }, values: part.values))
        } catch SparseIHTError.nonFinite(let said, let index) {
            throw SparseIHTError.nonFinite(what: what ?? said, index: flat(index))
        }
    }

    /// Largest chunk whose per-chunk arrays (`chunk * span` elements) stay within the
    /// 32-bit kernel index range.
    public static func indexLimit(span: Int) -> Int { max(1, Int(Int32.max) / max(span, 1)) }

    /// Refuses a requested chunk that cannot work: below one neuron, or one whose arrays
    /// (`chunk * span` elements, `span` the longest per-neuron array, e.g. the batch rows)
    /// would leave the 32-bit index range. A chunk above `neurons` but within that range is
    /// fine (the solvers cap it at the neuron count). nil (automatic) always passes.
    public static func validate(chunk: Int?, span: Int) throws {
        guard let c = chunk else { return }
        guard c >= 1 else {
            throw SparseIHTError.invalidArgument("chunk \(c): need at least one neuron per chunk (omit --chunk to size it from the memory allowance)")
        }
        let limit = indexLimit(span: span)
        guard c <= limit else {
            throw SparseIHTError.invalidArgument("chunk \(c): \(c) neurons x \(span) values per neuron exceeds the 2^31 - 1 kernel index range; use at most \(limit) (or omit --chunk)")
        }
    }

    /// Neurons per chunk: `requested` when given, else as many as `memoryBytes` allows at
    /// `bytesPerNeuron` each; never more than `neurons` or `indexLimit(span:)`, never below 1.
    public static func chunkSize(requested: Int?, neurons: Int, bytesPerNeuron: Int, memoryBytes: Int,
                                 span: Int) -> Int {
        let fit = requested ?? max(1, memoryBytes / max(bytesPerNeuron, 1))
        return max(1, min(fit, neurons, indexLimit(span: span)))
    }

    /// Runs `body` with `chunk` neurons per chunk, halving it when the backend runs out of
    /// memory; fails with `SparseIHTError.outOfMemory` (naming `context`) at one neuron.
    public static func withFallback<T>(_ chunk: inout Int, context: @autoclosure () -> String,
                                       _ body: (Int) throws -> T) throws -> T {
        while true {
            do {
                return try body(chunk)
            } catch let e as any OutOfMemoryReporting where e.isOutOfMemory {
                guard chunk > 1 else {
                    throw SparseIHTError.outOfMemory("\(e) even with one neuron per chunk (\(context()))")
                }
                chunk = max(1, chunk / 2)
            }
        }
    }

    /// `neurons` in consecutive chunks of at most `size`, in order.
    public static func chunks(_ neurons: [Int], size: Int) -> [ArraySlice<Int>] {
        stride(from: 0, to: neurons.count, by: max(size, 1)).map { neurons[$0..<min($0 + max(size, 1), neurons.count)] }
    }
}
