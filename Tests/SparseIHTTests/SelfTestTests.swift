import SparseIHTCPU
import SparseIHTSelfTest
import XCTest

/// The binary's `selftest` (used on GPU machines) passes on this machine's OpenCL device.
final class SelfTestTests: XCTestCase {
    func testSelfTestPassesAgainstCPU() throws {
        let opencl = try openCLBackendForTests()
        let result = try SelfTest.run(reference: CPUBackend(), candidate: opencl, largeTopK: 1 << 16)
        XCTAssertEqual(result.failures.map(\.description), [])
        XCTAssertGreaterThan(result.passed, 40)
    }
}
