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
        XCTAssertEqual(o.refineSteps, 50)
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
}
