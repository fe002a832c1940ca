import SparseIHTCore

/// Backend parity checks runnable from a binary (no XCTest), for machines without the
/// toolchain (the GPU bundle): every primitive of `ComputeBackend` on `candidate` against
/// `reference` (the CPU backend) on random and edge-case shapes, top-k as exact index sets.
public struct SelfTest {
    public struct Failure: CustomStringConvertible, Sendable {
        public let check: String
        public let detail: String
        public var description: String { "\(check): \(detail)" }
    }

    public private(set) var passed = 0
    public private(set) var failures: [Failure] = []

    public init() {}

    mutating func expect(_ ok: Bool, _ check: String, _ detail: @autoclosure () -> String) {
        if ok { passed += 1 } else { failures.append(Failure(check: check, detail: detail())) }
    }

    /// `|a - b| <= tol * (|b| + scale)` elementwise.
    mutating func expectClose(_ a: [Float], _ b: [Float], scale: Float, tol: Float = 1e-3, _ check: String) {
        guard a.count == b.count else { return expect(false, check, "lengths \(a.count) and \(b.count)") }
        let bad = a.indices.first { abs(a[$0] - b[$0]) > tol * (abs(b[$0]) + scale) }
        expect(bad == nil, check, bad.map { "entry \($0): \(a[$0]) vs \(b[$0])" } ?? "")
    }

    /// Runs every check; returns self with the counts.
    public static func run<R: ComputeBackend, C: ComputeBackend>(reference: R, candidate: C,
                                                                 largeTopK: Int = 1 << 20) throws -> SelfTest {
        var t = SelfTest()
        var rng = SeededGenerator(seed: 2026, stream: 5)
        for (n, d, c) in [(1, 1, 1), (7, 3, 5), (257, 33, 17), (2000, 5, 3), (5, 300, 4), (1031, 100, 129)] {
            let x = rng.normals(n * d), h = rng.normals(c * d), r = rng.normals(n * 3)
            let gates = (0..<(n * c)).map { _ in Float(rng.below(2)) }
            let name = "(\(n),\(d),\(c))"
            // gate: compare away from the sign boundary only
            let g1 = try gateOf(reference, x, h, n, d, c), g2 = try gateOf(candidate, x, h, n, d, c)
            let xh = try productOf(reference, x, h, n, d, c)
            let mismatch = (0..<(n * c)).first { g1[$0] != g2[$0] && abs(xh[$0]) > 1e-3 }
            t.expect(mismatch == nil, "gate \(name)", "differs at \(mismatch ?? -1)")
            for k in [1, 3] {
                let a1 = try gradientOf(reference, x, gates, Array(r[0..<(n * k)]), n, d, c, k)
                let a2 = try gradientOf(candidate, x, gates, Array(r[0..<(n * k)]), n, d, c, k)
                t.expectClose(a2, a1, scale: Float(n).squareRoot(), "masked gradient \(name) k=\(k)")
            }
            let f1 = try forwardOf(reference, x, h, gates, n, d, c), f2 = try forwardOf(candidate, x, h, gates, n, d, c)
            t.expectClose(f2, f1, scale: Float(d * c).squareRoot(), "gated forward \(name)")
        }
        // top-k: exact index sets, ties, signed zeros, k = 0 and k = N, a large vector.
        let cases: [[Float]] = [
            rng.normals(10_007), (0..<3000).map { Float($0 % 7) - 3 }, [Float](repeating: -1.5, count: 1025),
            [0, -0.0, 1, -1, 0, -0.0, 2, -2, -0.0], rng.normals(largeTopK).map { ($0 * 64).rounded() / 64 },
        ]
        for (i, v) in cases.enumerated() {
            for k in [0, 1, 7, v.count / 3, v.count] {
                let a = try reference.topK(try reference.makeBuffer(v), count: v.count, k: k)
                let b = try candidate.topK(try candidate.makeBuffer(v), count: v.count, k: k)
                t.expect(a == b, "top-k case \(i) k=\(k)", "index sets differ (\(a.indices.count) vs \(b.indices.count))")
            }
        }
        var bad = [Float](repeating: 1, count: 100); bad[42] = .nan
        do {
            _ = try candidate.topK(try candidate.makeBuffer(bad), count: 100, k: 5)
            t.expect(false, "top-k rejects NaN", "no error")
        } catch let e as SparseIHTError {
            t.expect(e == .nonFinite(what: "top-k input", index: 42), "top-k rejects NaN", "\(e)")
        }
        // A short recovery: same support on both backends in the theorem's setting.
        let s1 = try dictionarySupport(reference), s2 = try dictionarySupport(candidate)
        t.expect(s1 == s2 && !s1.isEmpty, "dictionary recovery support", "\(s1.count) vs \(s2.count) indices")
        return t
    }

    static func gateOf<B: ComputeBackend>(_ b: B, _ x: [Float], _ h: [Float], _ n: Int, _ d: Int, _ c: Int) throws -> [Float] {
        let g = try b.makeBuffer(count: n * c)
        try b.gate(x: try b.makeBuffer(x), n: n, d: d, generators: try b.makeBuffer(h), c: c, into: g)
        return try b.read(g, count: n * c)
    }

    static func productOf<B: ComputeBackend>(_ b: B, _ x: [Float], _ h: [Float], _ n: Int, _ d: Int, _ c: Int) throws -> [Float] {
        let z = try b.makeBuffer(count: n * c)
        try b.gemm(transA: false, transB: true, m: n, n: c, k: d, alpha: 1, a: try b.makeBuffer(x), b: try b.makeBuffer(h), beta: 0, c: z)
        return try b.read(z, count: n * c)
    }

    static func gradientOf<B: ComputeBackend>(_ b: B, _ x: [Float], _ g: [Float], _ r: [Float], _ n: Int, _ d: Int,
                                              _ c: Int, _ k: Int) throws -> [Float] {
        let out = try b.makeBuffer(count: c * k * d)
        try b.maskedGradient(x: try b.makeBuffer(x), n: n, d: d, gate: try b.makeBuffer(g), c: c,
                             residual: try b.makeBuffer(r), k: k, into: out)
        return try b.read(out, count: c * k * d)
    }

    static func forwardOf<B: ComputeBackend>(_ b: B, _ x: [Float], _ w: [Float], _ g: [Float], _ n: Int, _ d: Int,
                                             _ a: Int) throws -> [Float] {
        let y = try b.makeBuffer(count: n)
        try b.gatedForward(x: try b.makeBuffer(x), n: n, d: d, weights: try b.makeBuffer(w), gate: try b.makeBuffer(g),
                           a: a, into: y)
        return try b.read(y, count: n)
    }

    static func dictionarySupport<B: ComputeBackend>(_ b: B) throws -> [Int] {
        let p = try PlantedProblems.plantedDictionary(n: 2000, d: 20, m: 40, s: 10, seed: 9, solverSeed: 9, backend: b)
        var o = SolverOptions(m: 40, s: 10)
        o.mode = .convex; o.steps = 40; o.seed = 9
        return try IHTSolver(backend: b, problem: p.problem, options: o).run().weights.indices
    }
}
