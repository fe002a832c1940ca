import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL
import XCTest

/// The OpenCL backend for tests, chosen by `SPARSEIHT_TEST_DEVICE` (else `SPARSEIHT_DEVICE`,
/// else `auto`). With `CI=true` a missing device is a failure; elsewhere the test is
/// skipped with the reason.
func openCLBackendForTests(file: StaticString = #filePath, line: UInt = #line) throws -> OpenCLBackend {
    let env = ProcessInfo.processInfo.environment
    let selector = env["SPARSEIHT_TEST_DEVICE"] ?? env["SPARSEIHT_DEVICE"] ?? "auto"
    do {
        return try SharedOpenCL.backend(selector)
    } catch {
        if env["CI"] == "true" {
            XCTFail("CI=true requires an OpenCL device (PoCL): \(error)", file: file, line: line)
            throw error
        }
        throw XCTSkip("no OpenCL device: \(error)")
    }
}

/// One OpenCL backend per test process: contexts and compiled programs are reused.
enum SharedOpenCL {
    nonisolated(unsafe) private static var cached: [String: OpenCLBackend] = [:]
    static func backend(_ selector: String) throws -> OpenCLBackend {
        if let b = cached[selector] { return b }
        let b = try OpenCLBackend(selector: selector)
        cached[selector] = b
        return b
    }
}

/// Runs `body` on the CPU backend and on the OpenCL backend.
func forEachBackend(file: StaticString = #filePath, line: UInt = #line,
                    _ body: (any ComputeBackend) throws -> Void) throws {
    try body(CPUBackend())
    try body(try openCLBackendForTests(file: file, line: line))
}

/// Deterministic test data.
struct TestData {
    var rng: SeededGenerator
    init(_ seed: UInt64) { rng = SeededGenerator(seed: seed, stream: 99) }
    mutating func normals(_ count: Int) -> [Float] { rng.normals(count) }
    mutating func gates(_ count: Int) -> [Float] { (0..<count).map { _ in rng.below(2) == 0 ? 0 : 1 } }
}
