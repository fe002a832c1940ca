import Foundation
import SparseIHTCore

extension TaskRunner {
    /// Trains `spec.layers` layers on (x, y) (`n x d`, length n) with the scalar solver,
    /// minibatch epochs when `batch` is set; returns the model and every step's report.
    /// With `scoring` (classification data) and one layer, the test accuracy after every
    /// epoch goes to `observer.epochScore` when the observer asks for it.
    static func trainScalar<B: ComputeBackend>(_ spec: TaskSpec, x: [Float], y: [Float], n: Int, d: Int, batch: Int?,
                                               epochs: Int?, scoring: TaskData? = nil, observer: TaskObserver,
                                               backend: B) throws -> (LayeredModel, [StepReport]) {
        var history: [StepReport] = []
        let m = spec.resolvedM, s = spec.resolvedS
        var model = try LayerwiseTraining.train(x: x, n: n, d: d, layers: spec.layers, s: s, backend: backend) { f, width, budget, layer in
            if layer == 0, budget > m * width {  // later layers' widths are only known now: clamp those
                throw SparseIHTError.invalidArgument("s = \(s) exceeds the first layer's m*d = \(m * width) candidate weights"
                                                     + (spec.task == .inr ? " (inr: d = 2 x --fourier-features)" : ""))
            }
            var o = spec.scalarOptions(m: m, s: min(budget, m * width), mode: .sequential)
            o.batchSize = batch.map { min($0, n) }
            let perEpoch = BatchSchedule(n: n, batchSize: o.batchSize, seed: spec.seed).batchesPerEpoch
            if let e = epochs { o.steps = e * perEpoch }
            observer.plan(ProgressPlan(unit: .step, total: o.steps, batchesPerEpoch: perEpoch, layer: layer + 1,
                                       layers: spec.layers, metric: "psnr"))
            let solver = try IHTSolver(backend: backend, problem: try RegressionProblem(x: f, y: y, n: n, d: width), options: o)
            solver.onStep = { r in observer.step(r); history.append(r) }
            if let data = scoring, observer.wantsEpochScores, spec.layers == 1 {
                let sigmoid = spec.resolvedScalarLoss == .crossEntropy
                solver.onEpochEnd = { e, w, bank in
                    let model = LayeredModel(hidden: [], output: .scalar(ScalarModel(weights: w, generators: bank)), sigmoidOutput: sigmoid)
                    if let p = try? model.predict(x: data.scoreX, n: data.scoreN, backend: backend) { observer.epochScore(e, data.score(p)) }
                }
            }
            let r = try solver.run()
            return .scalar(ScalarModel(weights: r.weights, generators: r.generators))
        }
        model.sigmoidOutput = spec.resolvedScalarLoss == .crossEntropy
        observer.finish()
        return (model, history)
    }

    /// Trains `spec.layers` layers with the vector-output solver on (x, y) (`n x d`, `n x k`).
    static func trainVector<B: ComputeBackend>(_ spec: TaskSpec, x: [Float], y: [Float], n: Int, d: Int, k: Int, loss: Loss,
                                               batch: Int?, epochs: Int, scoring: TaskData? = nil, observer: TaskObserver,
                                               backend: B) throws -> (LayeredModel, [EpochReport], [Divergence]) {
        var history: [EpochReport] = []
        var diverged: [Divergence] = []
        let m = spec.resolvedM
        let model = try LayerwiseTraining.train(x: x, n: n, d: d, layers: spec.layers, s: spec.resolvedS, backend: backend,
                                                unitFeatures: spec.unitFeatures ?? (spec.resolvedRecipe == .best && spec.defaults.vectorBest != nil),
                                                budgets: spec.layerBudget) { f, width, budget, layer in
            if layer == 0, budget > m * (width + k) {
                throw SparseIHTError.invalidArgument("s = \(spec.resolvedS) exceeds the first layer's m*(d+k) = \(m * (width + k)) weights")
            }
            var o = VectorOptions(m: m, s: min(budget, m * (width + k)))
            o.loss = loss; o.learningRate = spec.lr; o.epochs = epochs; o.batchSize = batch.map { min($0, n) }
            o.mode = spec.mode ?? .sequential
            o.chunk = spec.chunk; o.seed = spec.seed
            o.ranking = spec.ranking; o.outputShare = spec.outputShare
            o.outputLearningRate = spec.outputLR; o.refineSteps = spec.supportSteps ?? 0
            o.schedule = spec.schedule ?? .constant; o.warmupEpochs = spec.warmupEpochs ?? 0
            o.cooldownEpochs = spec.cooldownEpochs ?? 0
            o.seedScale = spec.seedScale ?? 1
            let cap = layer == spec.layers - 1 && spec.layers > 1 ? spec.lastLayerMaxNeurons ?? spec.maxNeurons : spec.maxNeurons
            o.maxNeurons = cap.flatMap { $0 > 0 ? min($0, m) : nil }
            if case .kept = spec.layerBudget, layer < spec.layers - 1 { o.chargeOutputRows = false }
            let solver = try VectorIHTSolver(backend: backend, x: f, y: y, n: n, d: width, k: k, options: o)
            var layerHistory: [EpochReport] = []
            observer.plan(ProgressPlan(unit: .epoch, total: epochs, layer: layer + 1, layers: spec.layers, metric: "loss"))
            solver.onEpoch = { r in observer.epoch(r); layerHistory.append(r) }
            if let data = scoring, observer.wantsEpochScores, spec.layers == 1 {
                solver.onEpochModel = { v in
                    let model = LayeredModel(hidden: [], output: .vector(v))
                    if let p = try? model.predict(x: data.scoreX, n: data.scoreN, backend: backend) {
                        observer.epochScore(layerHistory.count, data.score(p))
                    }
                }
            }
            let trained = try solver.run()
            history += layerHistory
            if let (r, lowest) = EpochReport.divergence(in: layerHistory) {
                diverged.append(Divergence(layer: layer + 1, epoch: r.epoch, loss: r.loss, lowestBefore: lowest))
                observer.finish()
                observer.notice(String(format: "warning: layer %d diverged at epoch %d (loss %.4g after a lowest %.4g): the fixed step (--lr %@) is too large for this data",
                                       layer + 1, r.epoch, r.loss, lowest, spec.lr.map { String($0) } ?? "default"))
            }
            return .vector(trained)
        }
        observer.finish()
        return (model, history, diverged)
    }
}
