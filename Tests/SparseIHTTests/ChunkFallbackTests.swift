@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

private struct FakeOutOfMemory: OutOfMemoryReporting { var isOutOfMemory: Bool { true } }

/// Running out of (device) memory halves the chunk and retries, then fails clearly.
final class ChunkFallbackTests: XCTestCase {
    func testHalvesChunkThenFailsClearly() throws {
        let problem = try RegressionProblem(x: [1, 2, 3, 4], y: [1, 2], n: 2, d: 2)
        let solver = try IHTSolver(backend: CPUBackend(), problem: problem, options: SolverOptions(m: 10, s: 1))
        var chunk = 10
        var tried: [Int] = []
        let used = try solver.withChunkFallback(&chunk) { c -> Int in
            tried.append(c)
            if c > 3 { throw FakeOutOfMemory() }
            return c
        }
        XCTAssertEqual(tried, [10, 5, 2])
        XCTAssertEqual(used, 2)
        XCTAssertEqual(chunk, 2)
        chunk = 4
        XCTAssertThrowsError(try solver.withChunkFallback(&chunk) { _ -> Int in throw FakeOutOfMemory() }) { e in
            guard case .outOfMemory(let text)? = e as? SparseIHTError else { return XCTFail("\(e)") }
            XCTAssert(text.contains("one neuron per chunk"))
        }
    }
}
