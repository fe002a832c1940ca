import SparseIHTCore
@testable import SparseIHTTasks
import XCTest

/// The mnist task's best recipe (standardized inputs, step 0.7, seeds x10, two support steps,
/// at most 75 live neurons, a 10-epoch step cool-down; layer-wise: the kept budget split) and
/// the published one (the inputs as given, the published fixed step, no support steps, no cap).
final class VectorRecipeTests: XCTestCase {
    func testBestRecipeFillsVectorSettings() {
        let best = TaskSpec(task: .mnist).withVectorRecipe()
        XCTAssertTrue(best.resolvedStandardize); XCTAssertEqual(best.lr, 0.7); XCTAssertEqual(best.supportSteps, 2)
        XCTAssertEqual(best.seedScale, 10)
        XCTAssertEqual(best.maxNeurons, 75); XCTAssertEqual(best.cooldownEpochs, 10)
        XCTAssertNil(best.lastLayerShare); XCTAssertEqual(best.layerBudget, .equal)
        var two = TaskSpec(task: .mnist); two.layers = 2
        let t = two.withVectorRecipe()
        XCTAssertEqual(t.lr, 0.7); XCTAssertEqual(t.seedScale, 10)
        XCTAssertEqual(t.maxNeurons, 100); XCTAssertEqual(t.lastLayerMaxNeurons, 15); XCTAssertEqual(t.cooldownEpochs, 0)
        XCTAssertEqual(t.supportSteps, 1)
        XCTAssertEqual(t.layerBudget, .kept(lastShare: 0.3))
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
        XCTAssertFalse(s.resolvedStandardize); XCTAssertNil(s.lr); XCTAssertNil(s.seedScale); XCTAssertEqual(s.supportSteps, 2)
        var given = TaskSpec(task: .mnist); given.lr = 0.1; given.supportSteps = 0
        let g = given.withVectorRecipe()
        XCTAssertTrue(g.resolvedStandardize); XCTAssertEqual(g.lr, 0.1); XCTAssertEqual(g.supportSteps, 0)
        var flags = TaskSpec(task: .mnist)
        XCTAssertNoThrow(try flags.apply(flag: "output-lr", value: "0.2"))
        XCTAssertNoThrow(try flags.apply(flag: "schedule", value: "cosine"))
        XCTAssertNoThrow(try flags.apply(flag: "unit-features", value: "false"))
        XCTAssertThrowsError(try flags.apply(flag: "schedule", value: "linear"))
        XCTAssertEqual(flags.outputLR, 0.2); XCTAssertEqual(flags.schedule, .cosine); XCTAssertEqual(flags.unitFeatures, false)
        // Budget-rule flags win over the recipe; 0 turns the cap and the kept split off.
        for (f, v) in [("max-neurons", "0"), ("last-layer-share", "0"), ("cooldown-epochs", "3"), ("layers", "2")] {
            XCTAssertNoThrow(try flags.apply(flag: f, value: v))
        }
        let r = flags.withVectorRecipe()
        XCTAssertEqual(r.maxNeurons, 0); XCTAssertEqual(r.cooldownEpochs, 3); XCTAssertEqual(r.layerBudget, .equal)
        XCTAssertEqual(r.lastLayerMaxNeurons, 15)
        // Another ranking gets no cap (the cap belongs to the neuron-consistent rule).
        var perLayer = TaskSpec(task: .mnist); perLayer.ranking = .perLayer
        XCTAssertNil(perLayer.withVectorRecipe().maxNeurons)
    }
}
