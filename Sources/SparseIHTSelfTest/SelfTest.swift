import SparseIHTCore

/// Backend parity checks runnable from a binary (no XCTest), for machines without the
/// toolchain (the GPU bundle): every case of `ParityContract` on `candidate`, the cases
/// that compare with the CPU against `reference`. The XCTest bundle runs the same cases.
public struct SelfTest {
    public typealias Failure = ParityRecorder.Failure

    public private(set) var passed = 0
    public private(set) var failures: [Failure] = []
    /// Names of the contract cases that ran, in order.
    public private(set) var cases: [String] = []

    /// Runs every case of the contract, then, with `extraTopK`, a top-k of that length
    /// against `reference` (a size-only stress check for large devices); returns the counts.
    public static func run<R: ComputeBackend, C: ComputeBackend>(reference: R, candidate: C,
                                                                 extraTopK: Int? = nil) throws -> SelfTest {
        var result = ParityContract.runAll(on: candidate, reference: reference)
        if let size = extraTopK, size > 0 {
            var rng = SeededGenerator(seed: 2026, stream: 5)
            let v = rng.normals(size).map { ($0 * 64).rounded() / 64 }
            for k in [1, size / 3, size] {
                let a = try reference.topK(try reference.makeBuffer(v), count: size, k: k)
                let b = try candidate.topK(try candidate.makeBuffer(v), count: size, k: k)
                result.expect(a == b, "large top-k n=\(size) k=\(k)", "index sets differ (\(b.indices.count) vs \(a.indices.count))")
            }
        }
        var t = SelfTest()
        t.passed = result.passed; t.failures = result.failures; t.cases = result.cases
        return t
    }
}
