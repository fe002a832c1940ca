import SparseIHTCore
import SparseIHTCPU
import SparseIHTSelfTest
import XCTest

/// Every case of the parity contract (`ParityContract`, shared with `sparse-iht selftest`)
/// on the CPU and the OpenCL backend; cases that compare with the CPU run on OpenCL.
final class ParityTests: XCTestCase {
    func testEveryContractCaseOnBothBackends() throws {
        XCTAssertGreaterThanOrEqual(ParityContract.cases.count, 15)
        try forEachBackend { b in
            for check in ParityContract.cases where !check.needsReference {
                let result = ParityContract.run(check, on: b)
                XCTAssertEqual(result.failures.map(\.description), [], "\(b.kind) \(check.name)")
                XCTAssertGreaterThan(result.passed, 0, "\(b.kind) \(check.name) checked nothing")
            }
        }
    }

    func testCrossBackendCasesOnOpenCL() throws {
        let opencl = try openCLBackendForTests()
        for check in ParityContract.cases where check.needsReference {
            let result = ParityContract.run(check, on: opencl, reference: CPUBackend())
            XCTAssertEqual(result.failures.map(\.description), [], check.name)
            XCTAssertGreaterThan(result.passed, 0, "\(check.name) checked nothing")
        }
    }
}
