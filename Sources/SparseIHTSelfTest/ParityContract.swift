import SparseIHTCore

/// The parity contract: every case, shape and tolerance that a backend must meet, in one
/// place. The XCTest bundle runs every case on the CPU and the OpenCL backend; the
/// binary's `selftest` runs the same cases on a machine's OpenCL device (a GPU), so that
/// machine checks exactly what CI checks.
///
/// Results are compared with references computed on the host from the same inputs: sums
/// in Double with the bound `|got - want| <= tol * scale + 1e-6` (`scale` the sum of the
/// terms' magnitudes, a float32 accumulation bound that survives cancellation); top-k,
/// copies, gathers, candidates and sketch keys exactly (bit for bit). Cases marked
/// `needsReference` compare a short solver run with the CPU backend's.
public enum ParityContract {
    /// Shapes (n, d, c) that stress edge handling: ones, odd sizes, sizes that are not
    /// multiples of the work-group size, n >> d and d >> n.
    public static let shapes: [(n: Int, d: Int, c: Int)] = [
        (1, 1, 1), (7, 3, 5), (257, 33, 17), (2000, 5, 3), (5, 300, 4), (300, 50, 129), (1031, 100, 1),
    ]
    /// Relative tolerance of float32 sums against their Double reference.
    public static let sumTolerance = 1e-4
    /// Length of the large top-k case.
    public static let largeTopK = 1 << 17
    /// Vector-step shapes (a neurons, d inputs, k outputs).
    public static let vectorShapes: [(a: Int, d: Int, k: Int)] = [(1, 1, 1), (3, 7, 2), (17, 33, 10), (129, 5, 1), (40, 300, 3)]

    /// One named check.
    public struct Case: Sendable {
        public let name: String
        /// Compares against the CPU backend's result (given as `reference`).
        public let needsReference: Bool
        let body: @Sendable (any ComputeBackend, (any ComputeBackend)?, inout ParityRecorder) throws -> Void
    }

    /// Every case of the contract, in a fixed order.
    public static let cases: [Case] = [
        Case(name: "gemm", needsReference: false) { b, _, r in try gemm(b, &r) },
        Case(name: "gate", needsReference: false) { b, _, r in try gate(b, &r) },
        Case(name: "gate columns", needsReference: false) { b, _, r in try gateColumns(b, &r) },
        Case(name: "gates from and to the host", needsReference: false) { b, _, r in try writeGates(b, &r) },
        Case(name: "masked gradient", needsReference: false) { b, _, r in try maskedGradient(b, &r) },
        Case(name: "gated forward, activations and norms", needsReference: false) { b, _, r in try gatedForward(b, &r) },
        Case(name: "scale and scatter-add", needsReference: false) { b, _, r in try scatter(b, &r) },
        Case(name: "top-k exact", needsReference: false) { b, _, r in try topK(b, &r) },
        Case(name: "top-k rejects non-finite input", needsReference: false) { b, _, r in try topKRejectsNonFinite(b, &r) },
        Case(name: "chunked top-k merge", needsReference: false) { b, _, r in try chunkedTopKMerge(b, &r) },
        Case(name: "vector candidates", needsReference: false) { b, _, r in try vectorCandidates(b, &r) },
        Case(name: "column copy, row gather, value gather", needsReference: false) { b, _, r in try copiesAndGathers(b, &r) },
        Case(name: "sketch keys", needsReference: false) { b, _, r in try sketchKeys(b, &r) },
        Case(name: "sparse product", needsReference: false) { b, _, r in try sparseProduct(b, &r) },
        Case(name: "streamed selection", needsReference: false) { b, _, r in try streamedSelection(b, &r) },
        Case(name: "transfer counter", needsReference: false) { b, _, r in try transferCounter(b, &r) },
        Case(name: "dictionary recovery support", needsReference: true) { b, ref, r in
            guard let ref else { return }
            try dictionarySupport(b, ref, &r)
        },
        Case(name: "vector solver support", needsReference: true) { b, ref, r in
            guard let ref else { return }
            try vectorSupport(b, ref, &r)
        },
    ]

    /// Runs `check` on `backend` (cases that need it compare with `reference`).
    public static func run(_ check: Case, on backend: any ComputeBackend,
                           reference: (any ComputeBackend)? = nil) -> ParityRecorder {
        var r = ParityRecorder()
        do { try check.body(backend, reference, &r) } catch {
            r.expect(false, check.name, "threw \(error)")
        }
        return r
    }

    /// Runs every case on `backend`.
    public static func runAll(on backend: any ComputeBackend, reference: (any ComputeBackend)? = nil) -> ParityRecorder {
        var total = ParityRecorder()
        for c in cases { total.absorb(run(c, on: backend, reference: reference), prefix: c.name) }
        return total
    }
}

/// Passed checks and failures of a parity run.
public struct ParityRecorder: Sendable {
    public struct Failure: CustomStringConvertible, Sendable {
        public let check: String
        public let detail: String
        public var description: String { "\(check): \(detail)" }
    }

    public private(set) var passed = 0
    public private(set) var failures: [Failure] = []
    /// Names of the cases absorbed into this record, in order.
    public private(set) var cases: [String] = []

    public init() {}

    mutating func expect(_ ok: Bool, _ check: @autoclosure () -> String, _ detail: @autoclosure () -> String) {
        if ok { passed += 1 } else { failures.append(Failure(check: check(), detail: detail())) }
    }

    /// `|got - want| <= tol * scale + 1e-6` elementwise; one failure names the first bad entry.
    mutating func expectClose(_ got: [Float], _ want: [Double], scale: [Double],
                              tol: Double = ParityContract.sumTolerance, _ check: String) {
        guard got.count == want.count else { return expect(false, check, "lengths \(got.count) and \(want.count)") }
        let bad = got.indices.first { abs(Double(got[$0]) - want[$0]) > tol * scale[$0] + 1e-6 }
        expect(bad == nil, check, bad.map { "entry \($0): got \(got[$0]), want \(want[$0]) (scale \(scale[$0]))" } ?? "")
    }

    /// Bit-for-bit equality of two float arrays.
    mutating func expectBits(_ got: [Float], _ want: [Float], _ check: String) {
        guard got.count == want.count else { return expect(false, check, "lengths \(got.count) and \(want.count)") }
        let bad = got.indices.first { got[$0].bitPattern != want[$0].bitPattern }
        expect(bad == nil, check, bad.map { "entry \($0): got \(got[$0]), want \(want[$0])" } ?? "")
    }

    /// Expects `body` to throw (a refused bad input).
    mutating func expectThrows(_ check: String, _ body: () throws -> Void) {
        do { try body(); expect(false, check, "no error") } catch { expect(true, check, "") }
    }

    mutating func absorb(_ other: ParityRecorder, prefix: String) {
        passed += other.passed
        cases.append(prefix)
        failures += other.failures.map { Failure(check: "\(prefix): \($0.check)", detail: $0.detail) }
    }
}

/// Deterministic inputs of the contract.
struct ParityData {
    var rng: SeededGenerator
    init(_ seed: UInt64) { rng = SeededGenerator(seed: seed, stream: 99) }
    mutating func normals(_ count: Int) -> [Float] { rng.normals(count) }
    mutating func gates(_ count: Int) -> [Float] { (0..<count).map { _ in rng.below(2) == 0 ? 0 : 1 } }
}
