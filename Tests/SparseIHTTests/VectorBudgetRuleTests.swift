@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// How the vector solver and layer-wise training spend s: the cap on live neurons, hidden
/// layers charged only for the weights they keep, and the split of s over the layers.
final class VectorBudgetRuleTests: XCTestCase, VectorFixture {
    /// With `maxNeurons` no epoch ends with more live neurons than the cap, the budget is
    /// kept, and the run differs from the uncapped one (which uses more neurons here).
    func testNeuronCapBoundsLiveNeurons() throws {
        let b = CPUBackend(), p = try problem(b)
        let (free, hFree) = try train(b, options(), p)
        let (capped, hCap) = try train(b, options { $0.maxNeurons = 2 }, p)
        XCTAssertGreaterThan(free.blocks.activeNeurons.count, 2)
        XCTAssertEqual(capped.blocks.activeNeurons.count, 2)
        XCTAssertTrue(hCap.allSatisfy { $0.activeNeurons <= 2 })
        XCTAssertLessThanOrEqual(capped.blocks.count, 60)
        // Every live neuron still has its whole output row (k = 3) and an input weight.
        XCTAssertEqual(capped.blocks.count - capped.firstLayer.count, 2 * p.k)
        XCTAssertEqual(hFree.count, hCap.count)
        var o = options { $0.maxNeurons = 0 }
        XCTAssertThrowsError(try o.validate(n: p.n, d: p.d, k: p.k))
        o.maxNeurons = 2; o.ranking = .perLayer
        XCTAssertThrowsError(try o.validate(n: p.n, d: p.d, k: p.k))
    }

    /// Uncharged output rows: s buys first-layer weights only (all s of them here, m d = 64
    /// >= 60), and each live neuron keeps its k output weights on top.
    func testUnchargedOutputRowsBuyInputWeights() throws {
        let b = CPUBackend(), p = try problem(b)
        let (charged, _) = try train(b, options(), p)
        let (free, _) = try train(b, options { $0.chargeOutputRows = false }, p)
        XCTAssertLessThanOrEqual(charged.blocks.count, 60)
        XCTAssertLessThan(charged.firstLayer.count, 60)
        XCTAssertEqual(free.firstLayer.count, 60, "the whole budget goes to input weights")
        XCTAssertEqual(free.blocks.count, 60 + p.k * free.blocks.activeNeurons.count)
        var o = options { $0.chargeOutputRows = false; $0.ranking = .magnitude }
        XCTAssertThrowsError(try o.validate(n: p.n, d: p.d, k: p.k))
        o.ranking = .neuronConsistent
        XCTAssertNoThrow(try o.validate(n: p.n, d: p.d, k: p.k))
    }

    /// The cool-down factor falls linearly over the last epochs, ends above 0, and combines
    /// with the warm-up.
    func testCooldownFactors() {
        var o = VectorOptions(m: 2, s: 4)
        o.cooldownEpochs = 2
        XCTAssertEqual(o.stepFactor(step: 5, total: 10, perEpoch: 2), 1)
        XCTAssertEqual(o.stepFactor(step: 6, total: 10, perEpoch: 2), 1)
        XCTAssertEqual(o.stepFactor(step: 7, total: 10, perEpoch: 2), 0.75)
        XCTAssertEqual(o.stepFactor(step: 9, total: 10, perEpoch: 2), 0.25)
        o.warmupEpochs = 5
        XCTAssertEqual(o.stepFactor(step: 9, total: 10, perEpoch: 2), 0.25)
        XCTAssertEqual(o.stepFactor(step: 7, total: 10, perEpoch: 2), 0.75 * 0.8, accuracy: 1e-12)
        o.cooldownEpochs = 20   // longer than the run: the whole run falls
        XCTAssertEqual(o.stepFactor(step: 5, total: 10, perEpoch: 2), 0.6 * 0.5, accuracy: 1e-12)
        o.cooldownEpochs = -1
        XCTAssertThrowsError(try o.validate(n: 10, d: 2, k: 1))
    }

    /// The cap, uncharged output rows and the cool-down are host-side rules: the OpenCL
    /// backend gives the same support and values within 1e-3 relative.
    func testBudgetRulesAgreeAcrossBackends() throws {
        let cl = try openCLBackendForTests()
        let b = CPUBackend(), p = try problem(b)
        for o in [options { $0.maxNeurons = 3; $0.cooldownEpochs = 2; $0.refineSteps = 1 },
                  options { $0.chargeOutputRows = false; $0.maxNeurons = 5 }] {
            let (cpu, _) = try train(b, o, p)
            let (gpu, _) = try train(cl, o, p)
            XCTAssertEqual(cpu.blocks.indices, gpu.blocks.indices)
            for (u, v) in zip(cpu.blocks.values, gpu.blocks.values) { XCTAssertEqual(u, v, accuracy: 1e-3 * max(1, abs(u))) }
        }
    }

    func testLayerBudgetSplits() throws {
        XCTAssertEqual(try LayerBudget.equal.hiddenBudget(s: 2000, layers: 2), 1000)
        XCTAssertEqual(try LayerBudget.equal.lastBudget(s: 2000, layers: 2, keptBefore: 400), 1000)
        let kept = LayerBudget.kept(lastShare: 0.4)
        XCTAssertEqual(try kept.hiddenBudget(s: 2000, layers: 2), 1200)
        XCTAssertEqual(try kept.hiddenBudget(s: 2000, layers: 3), 600)
        XCTAssertEqual(try kept.hiddenBudget(s: 2000, layers: 1), 2000)
        XCTAssertEqual(try kept.lastBudget(s: 2000, layers: 2, keptBefore: 1150), 850)
        XCTAssertThrowsError(try kept.lastBudget(s: 2000, layers: 2, keptBefore: 2000))
        XCTAssertThrowsError(try LayerBudget.kept(lastShare: 1).hiddenBudget(s: 2000, layers: 2))
        XCTAssertThrowsError(try LayerBudget.kept(lastShare: 0).hiddenBudget(s: 2000, layers: 2))
        XCTAssertThrowsError(try LayerBudget.equal.hiddenBudget(s: 1, layers: 2))
    }

    /// Two vector layers under `.kept`: the hidden layer keeps exactly its budget of input
    /// weights (its output rows are uncharged and dropped), the last layer gets the rest, and
    /// the network holds at most s nonzeros.
    func testKeptBudgetTwoLayers() throws {
        let b = CPUBackend(), p = try problem(b)
        var budgets: [Int] = []
        let model = try LayerwiseTraining.train(x: p.x, n: p.n, d: p.d, layers: 2, s: 80, backend: b,
                                                budgets: .kept(lastShare: 0.4)) { f, width, budget, layer in
            budgets.append(budget)
            var o = self.options { $0.s = min(budget, 8 * (width + p.k)) }
            if layer == 0 { o.chargeOutputRows = false } else { o.maxNeurons = 4 }
            return .vector(try VectorIHTSolver(backend: b, x: f, y: p.y, n: p.n, d: width, k: p.k, options: o).run())
        }
        XCTAssertEqual(budgets.first, 48)
        XCTAssertEqual(model.hidden.first?.weights.count, 48)
        XCTAssertEqual(budgets.last, 80 - 48)
        XCTAssertLessThanOrEqual(model.nonzeros, 80)
    }
}
