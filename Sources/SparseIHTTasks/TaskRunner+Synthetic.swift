import Foundation
import SparseIHTCore
import SparseIHTCPU

extension TaskRunner {
    /// One scalar solve on a synthetic task or files (one layer, one output).
    static func synthetic<B: ComputeBackend>(_ spec: TaskSpec, data: TaskData, outputs: TaskOutputs,
                                             observer: TaskObserver, backend: B) throws -> TaskRun {
        guard let problem = data.problem else { throw SparseIHTError.invalidArgument("\(spec.task.rawValue) has no regression problem") }
        let options = spec.scalarOptions(m: spec.resolvedM, s: spec.resolvedS, mode: spec.defaults.mode)
        let solver = try IHTSolver(backend: backend, problem: problem, options: options)
        solver.onStep = observer.step
        observer.plan(ProgressPlan(unit: .step, total: options.steps,
                                   batchesPerEpoch: BatchSchedule(n: problem.n, batchSize: options.batchSize, seed: spec.seed).batchesPerEpoch,
                                   metric: "psnr"))
        let solveStart = Date()
        let result = try solver.run()
        let solveSeconds = Date().timeIntervalSince(solveStart)
        observer.finish()
        guard let last = result.returnedStep ?? result.history.last else { throw SparseIHTError.invalidArgument("the solver took no step") }
        var r = common(spec, backend: backend, n: problem.n, d: problem.d, m: options.m, s: options.s, seconds: solveSeconds)
        r.mode = options.mode.rawValue; r.loss = options.loss.rawValue
        r.psnr = last.psnr; r.relativeResidual = last.relativeResidual
        r.steps = result.history.count; r.stopReason = result.stopReason.rawValue
        r.secondsPerStep = solveSeconds / Double(result.history.count)
        r.supportSize = result.weights.count; r.activeNeurons = result.weights.activeNeurons.count
        r.chunk = result.chunk
        r.options = SolverSettings(inflation: spec.resolvedInflation, refine: options.refineSteps, tolerance: spec.tolerance,
                                   batch: spec.batch ?? problem.n, gatesFollowFrom: options.gatesFollowFrom,
                                   tinyFirstStep: options.tinyFirstStep, revive: options.revive, stallReseed: options.stallReseed)
        r.history = result.history.map { HistoryEntry($0, full: true) }
        if result.history.count >= 15 { r.psnrAt15 = result.history[14].psnr }
        var summary = String(format: "psnr %.2f dB  relative residual %.3e  steps %d (%@)  support %d  %.2fs",
                             last.psnr, last.relativeResidual, result.history.count, result.stopReason.rawValue,
                             result.weights.count, solveSeconds)
        if let truth = data.truth {
            let rec = RecoveryMetrics(recovered: result.weights, truth: truth, permutationInvariant: data.permutationInvariant)
            r.relativeWeightError = rec.relativeWeightError
            r.supportPrecision = rec.supportPrecision; r.supportRecall = rec.supportRecall
            if spec.plantedAngle != nil { r.plantedGamma = PlantedProblems.patternSeparation(x: problem.x, n: problem.n, d: problem.d, weights: truth) }
            summary += String(format: "  weight error %.3e  precision %.3f  recall %.3f",
                              rec.relativeWeightError, rec.supportPrecision, rec.supportRecall)
        }
        if spec.diagnostics {
            r.diagnostics = DiagnosticsReport(try SupportDiagnostics(
                x: problem.x, n: problem.n, d: problem.d, weights: result.weights,
                generators: result.generators, linear: options.mode == .linear))
        }
        if let path = outputs.weights {
            try NumPyFile.write(result.weights.denseInputByNeuron(), shape: [problem.d, options.m], to: path)
        }
        if let path = outputs.sparseWeights {
            try NumPyFile.write(result.weights.indices.map { Int64($0) }, shape: [result.weights.count], to: path + ".indices.npy")
            try NumPyFile.write(result.weights.values, shape: [result.weights.count], to: path + ".values.npy")
        }
        if let path = outputs.model {
            let scalar = ScalarModel(weights: result.weights, generators: result.generators, linear: options.mode == .linear)
            try ModelFile(LayeredModel(hidden: [], output: .scalar(scalar), sigmoidOutput: options.loss == .crossEntropy)).write(to: path)
        }
        return TaskRun(report: r, summary: summary)
    }
}
