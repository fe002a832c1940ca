import SparseIHTCore
import XCTest

/// The shared parity suite, run on the CPU and the OpenCL backend.
final class ParityTests: XCTestCase {
    func testGemm() throws { try forEachBackend { try ParitySuite.gemm($0) } }
    func testGate() throws { try forEachBackend { try ParitySuite.gate($0) } }
    func testMaskedGradient() throws { try forEachBackend { try ParitySuite.maskedGradient($0) } }
    func testGatedForwardAndNorms() throws { try forEachBackend { try ParitySuite.gatedForward($0) } }
    func testScaleAndScatterAdd() throws { try forEachBackend { try ParitySuite.scatter($0) } }
    func testTopKExact() throws { try forEachBackend { try ParitySuite.topK($0) } }
    func testTopKRejectsNonFinite() throws { try forEachBackend { try ParitySuite.topKRejectsNonFinite($0) } }
    func testChunkedTopKMerge() throws { try forEachBackend { try ParitySuite.chunkedTopKMerge($0) } }
}
