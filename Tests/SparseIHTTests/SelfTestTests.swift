import SparseIHTCPU
import SparseIHTSelfTest
import XCTest

/// The binary's `selftest` (used on GPU machines) is the parity contract: it passes on
/// this machine's OpenCL device and counts every case's checks.
final class SelfTestTests: XCTestCase {
    func testSelfTestRunsTheWholeContract() throws {
        let opencl = try openCLBackendForTests()
        let cpu = CPUBackend()
        let result = try SelfTest.run(reference: cpu, candidate: opencl)
        XCTAssertEqual(result.failures.map(\.description), [])
        let perCase = ParityContract.cases.map { ParityContract.run($0, on: opencl, reference: cpu).passed }
        XCTAssertEqual(result.passed, perCase.reduce(0, +), "selftest must run every contract case")
    }
}
