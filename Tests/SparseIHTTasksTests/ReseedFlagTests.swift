import SparseIHTCore
import SparseIHTTasks
import XCTest

/// The flags of the fixed-point switches and the planted task's default recipe.
final class ReseedFlagTests: XCTestCase {
    func testFlagsReachTheSolverOptions() throws {
        var spec = TaskSpec(task: .planted)
        var o = spec.scalarOptions(m: 5, s: 10, mode: .sequential)
        XCTAssertEqual(spec.resolvedRecipe, .search, "planted defaults to the search recipe")
        XCTAssertEqual(o.reseedRule, .residual); XCTAssertTrue(o.reseedSearch); XCTAssertEqual(o.refineRule, .conjugate)
        XCTAssertEqual(o.refineSteps, 40); XCTAssertEqual(o.stallGain, 0.2)
        try spec.apply(flag: "refine", value: "7")
        XCTAssertEqual(spec.scalarOptions(m: 5, s: 10, mode: .sequential).refineSteps, 7)
        try spec.apply(flag: "reseed-rule", value: "random")
        try spec.apply(flag: "reseed-search", value: "false")
        try spec.apply(flag: "refine-rule", value: "exact")
        o = spec.scalarOptions(m: 5, s: 10, mode: .sequential)
        XCTAssertEqual(o.reseedRule, .random); XCTAssertFalse(o.reseedSearch); XCTAssertEqual(o.refineRule, .exact)
        XCTAssertThrowsError(try spec.apply(flag: "reseed-rule", value: "worst"))
        XCTAssertThrowsError(try spec.apply(flag: "refine-rule", value: "newton"))
        var published = TaskSpec(task: .planted)
        published.recipe = .published
        let p = published.scalarOptions(m: 5, s: 10, mode: .sequential)
        XCTAssertEqual(p.reseedRule, .random); XCTAssertFalse(p.reseedSearch); XCTAssertEqual(p.refineRule, .published)
        XCTAssertEqual(TaskSpec(task: .files).resolvedRecipe, .best)
    }

    func testStallRuleFlags() throws {
        var spec = TaskSpec(task: .planted)
        let o = spec.scalarOptions(m: 5, s: 10, mode: .sequential)
        XCTAssertEqual(o.stallGain, 0.2, "the search recipe's stall gain"); XCTAssertEqual(o.stallSteps, 3)
        var best = TaskSpec(task: .planted)
        best.recipe = .best
        XCTAssertEqual(best.scalarOptions(m: 5, s: 10, mode: .sequential).stallGain, 0.1)
        try spec.apply(flag: "stall-gain", value: "0.5")
        try spec.apply(flag: "stall-steps", value: "5")
        let changed = spec.scalarOptions(m: 5, s: 10, mode: .sequential)
        XCTAssertEqual(changed.stallGain, 0.5); XCTAssertEqual(changed.stallSteps, 5)
        XCTAssertThrowsError(try spec.apply(flag: "stall-gain", value: "nan"))
        XCTAssertThrowsError(try spec.apply(flag: "stall-steps", value: "two"))
        // A zero step count is refused by the solver's options.
        try spec.apply(flag: "stall-steps", value: "0")
        XCTAssertThrowsError(try spec.scalarOptions(m: 5, s: 10, mode: .sequential).validate(n: 100, d: 4))
    }
}
