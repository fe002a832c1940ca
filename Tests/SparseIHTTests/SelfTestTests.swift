import SparseIHTCPU
import SparseIHTSelfTest
import XCTest

/// The binary's `selftest` (used on GPU machines) is the parity contract: it passes on
/// this machine's OpenCL device and counts every case's checks.
final class SelfTestTests: XCTestCase {
    func testSelfTestRunsTheWholeContract() throws {
        let opencl = try openCLBackendForTests()
        let result = try SelfTest.run(reference: CPUBackend(), candidate: opencl, extraTopK: 5000)
        XCTAssertEqual(result.failures.map(\.description), [])
        XCTAssertEqual(result.cases, ParityContract.cases.map(\.name), "selftest must run every contract case")
        XCTAssertGreaterThan(result.passed, 150)
    }
}
