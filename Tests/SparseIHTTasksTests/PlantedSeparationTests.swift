import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTTasks
import XCTest

/// `--planted-angle`: planted neurons at a set pairwise angle, and the measured gamma.
final class PlantedSeparationTests: XCTestCase {
    func neurons(_ w: SparseWeights) -> [[Double]] {
        var u = [[Double]](repeating: [Double](repeating: 0, count: w.d), count: w.m)
        for (i, v) in zip(w.indices, w.values) { u[i / w.d][i % w.d] = Double(v) }
        return u
    }

    func testNeuronsArePairwiseAtTheAngleAndGammaFollowsIt() throws {
        var previous = 0.0
        for degrees in [10.0, 30.0, 60.0, 90.0] {
            let p = try PlantedProblems.plantedMLP(n: 4000, d: 20, m: 3, s: 12, seed: 5, angleDegrees: degrees, backend: CPUBackend())
            XCTAssertEqual(p.truth.count, 12)
            let u = neurons(p.truth)
            for a in 0..<3 { for b in (a + 1)..<3 {
                let dot = zip(u[a], u[b]).reduce(0) { $0 + $1.0 * $1.1 }
                let na = u[a].reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = u[b].reduce(0) { $0 + $1 * $1 }.squareRoot()
                XCTAssertEqual(acos(min(1, dot / (na * nb))) * 180 / .pi, degrees, accuracy: 0.01)
            } }
            let gamma = try XCTUnwrap(PlantedProblems.patternSeparation(x: p.problem.x, n: 4000, d: 20, weights: p.truth))
            // Gaussian inputs: a pair's patterns differ on angle/pi of the rows (min over 3 pairs).
            XCTAssertEqual(gamma, degrees / 180, accuracy: 0.03)
            XCTAssertGreaterThan(gamma, previous)
            previous = gamma
        }
    }

    func testTheTaskReportsTheMeasuredGammaAndRefusesBadSettings() throws {
        var spec = TaskSpec(task: .planted)
        for (flag, value) in [("n", "800"), ("d", "20"), ("m", "3"), ("s", "12"), ("steps", "5"), ("planted-angle", "45")] {
            try spec.apply(flag: flag, value: value)
        }
        let report = try TaskRunner.recover(spec, backend: CPUBackend()).report
        XCTAssertEqual(try XCTUnwrap(report.plantedGamma), 0.25, accuracy: 0.06)
        spec.s = 10  // not a multiple of m
        XCTAssertThrowsError(try TaskRunner.recover(spec, backend: CPUBackend())) { XCTAssertTrue("\($0)".contains("multiple of m")) }
        spec.s = 12; spec.plantedAngle = 0
        XCTAssertThrowsError(try TaskRunner.recover(spec, backend: CPUBackend())) { XCTAssertTrue("\($0)".contains("(0, 90]")) }
        var other = TaskSpec(task: .gaussian)
        XCTAssertThrowsError(try other.apply(flag: "planted-angle", value: "x"))
        other.plantedAngle = 30
        XCTAssertThrowsError(try other.validate())
    }
}
