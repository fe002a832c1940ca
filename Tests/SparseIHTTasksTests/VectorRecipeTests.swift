import SparseIHTCore
@testable import SparseIHTTasks
import XCTest

/// The mnist task's best recipe (standardized inputs, step 0.7, seeds x10, one support step) and the
/// published one (the inputs as given, the published fixed step, no support steps).
final class VectorRecipeTests: XCTestCase {
    func testBestRecipeFillsVectorSettings() {
        let best = TaskSpec(task: .mnist).withVectorRecipe()
        XCTAssertTrue(best.resolvedStandardize); XCTAssertEqual(best.lr, 0.7); XCTAssertEqual(best.supportSteps, 1)
        XCTAssertEqual(best.seedScale, 10)
        var two = TaskSpec(task: .mnist); two.layers = 2
        XCTAssertEqual(two.withVectorRecipe().lr, 0.5); XCTAssertEqual(two.withVectorRecipe().seedScale, 1)
        XCTAssertTrue(best.preprocessing.standardize)
    }

    func testPublishedRecipeAndOtherTasksUnchanged() {
        var published = TaskSpec(task: .mnist); published.recipe = .published
        XCTAssertEqual(published.withVectorRecipe(), published)
        let planted = TaskSpec(task: .planted)
        XCTAssertEqual(planted.withVectorRecipe(), planted)
        XCTAssertEqual(TaskSpec(task: .binaryMNIST).withVectorRecipe(), TaskSpec(task: .binaryMNIST))
    }

    /// An input scaling flag keeps the inputs as asked and the published step; a given
    /// `--lr` or `--support-steps` wins.
    func testFlagsOverrideTheRecipe() {
        var scaled = TaskSpec(task: .mnist); scaled.pixelScale = 255
        let s = scaled.withVectorRecipe()
        XCTAssertFalse(s.resolvedStandardize); XCTAssertNil(s.lr); XCTAssertNil(s.seedScale); XCTAssertEqual(s.supportSteps, 1)
        var given = TaskSpec(task: .mnist); given.lr = 0.1; given.supportSteps = 0
        let g = given.withVectorRecipe()
        XCTAssertTrue(g.resolvedStandardize); XCTAssertEqual(g.lr, 0.1); XCTAssertEqual(g.supportSteps, 0)
        var flags = TaskSpec(task: .mnist)
        XCTAssertNoThrow(try flags.apply(flag: "output-lr", value: "0.2"))
        XCTAssertNoThrow(try flags.apply(flag: "schedule", value: "cosine"))
        XCTAssertNoThrow(try flags.apply(flag: "unit-features", value: "false"))
        XCTAssertThrowsError(try flags.apply(flag: "schedule", value: "linear"))
        XCTAssertEqual(flags.outputLR, 0.2); XCTAssertEqual(flags.schedule, .cosine); XCTAssertEqual(flags.unitFeatures, false)
    }
}
