import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTTasks
import XCTest

/// Per-epoch test accuracy of classification runs: one score per epoch, the last equal to
/// the run's reported accuracy, and scoring never changes the run.
final class EpochScoreTests: XCTestCase {
    func testEveryEpochIsScoredWithoutChangingTheRun() throws {
        let dir = try temporaryDirectory("epoch-scores")
        try writeClusterCSV(to: dir + "/three.csv", classes: 3, perClass: 40, d: 8, seed: 5)
        var binary = TaskSpec(task: .binaryMNIST)
        binary.dataset = dir + "/three.csv"; binary.classes = [0, 1]; binary.m = 4; binary.s = 16; binary.epochs = 3; binary.batch = 30
        var multi = TaskSpec(task: .mnist)
        multi.dataset = dir + "/three.csv"; multi.m = 6; multi.s = 40; multi.epochs = 3; multi.batch = 40; multi.lr = 0.2
        for spec in [binary, multi] {
            var scores: [(Int, Double)] = []
            var observer = TaskObserver()
            observer.wantsEpochScores = true
            observer.epochScore = { scores.append(($0, $1)) }
            let scored = try TaskRunner.recover(spec, observer: observer, backend: CPUBackend()).report
            let plain = try TaskRunner.recover(spec, backend: CPUBackend()).report
            XCTAssertEqual(scores.map(\.0), [1, 2, 3], spec.task.rawValue)
            XCTAssertEqual(scores.last?.1, scored.testAccuracy, spec.task.rawValue)
            XCTAssertEqual(scored.testAccuracy, plain.testAccuracy, spec.task.rawValue)
            XCTAssertEqual(scored.trainAccuracy, plain.trainAccuracy, spec.task.rawValue)
            XCTAssertEqual(scored.supportSize, plain.supportSize, spec.task.rawValue)
        }
    }
}
