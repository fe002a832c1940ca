import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData

extension RecoverCommand {
    /// Scalar-output recovery on a synthetic task or files (one layer).
    func recoverSynthetic<B: ComputeBackend>(on backend: B) throws {
        let started = Date()
        let m = task == "gaussian" ? 1 : (self.m ?? defaults.m), s = self.s ?? defaults.s
        let taskProblem = try makeProblem(backend, m: m, s: s)
        let problem = taskProblem.problem
        let options = scalarOptions(m: m, s: s, mode: task == "gaussian" ? .linear : (task == "planted-dictionary" ? .convex : .sequential))
        let solver = try IHTSolver(backend: backend, problem: problem, options: options)
        let progress = ProgressLine(quiet: quiet)
        solver.onStep = progress.show
        let solveStart = Date()
        let result = try solver.run()
        let solveSeconds = Date().timeIntervalSince(solveStart)
        progress.finish()
        let last = result.history.last!
        var doc = commonDocument(backend: backend, n: problem.n, d: problem.d, m: options.m, s: options.s,
                                 seconds: solveSeconds, started: started)
        doc["mode"] = options.mode.rawValue
        doc["loss"] = options.loss.rawValue
        doc["psnr"] = last.psnr
        doc["relative_residual"] = last.relativeResidual
        doc["steps"] = result.history.count
        doc["stop_reason"] = result.stopReason.rawValue
        doc["seconds_per_step"] = solveSeconds / Double(result.history.count)
        doc["support_size"] = result.weights.count
        doc["active_neurons"] = result.weights.activeNeurons.count
        doc["chunk"] = result.chunk
        doc["options"] = ["inflation": inflation, "refine": refine, "tolerance": tolerance, "batch": batch ?? problem.n,
                          "gates_follow_from": options.gatesFollowFrom, "tiny_first_step": options.tinyFirstStep,
                          "revive": options.revive, "stall_reseed": options.stallReseed] as [String: Any]
        doc["history"] = result.history.map { ["step": $0.step, "psnr": $0.psnr, "relative_residual": $0.relativeResidual,
                                               "support_changes": $0.supportChanges, "mu": $0.mu,
                                               "refine_accepted": $0.refineAccepted, "reseeded": $0.reseeded,
                                               "seconds": $0.seconds] as [String: Any] }
        if result.history.count >= 15 { doc["psnr_at_15"] = result.history[14].psnr }
        var summary = String(format: "psnr %.2f dB  relative residual %.3e  steps %d (%@)  support %d  %.2fs",
                             last.psnr, last.relativeResidual, result.history.count, result.stopReason.rawValue,
                             result.weights.count, solveSeconds)
        if let truth = taskProblem.truth {
            let rec = RecoveryMetrics(recovered: result.weights, truth: truth,
                                      permutationInvariant: taskProblem.permutationInvariant)
            doc["relative_weight_error"] = rec.relativeWeightError
            doc["support_precision"] = rec.supportPrecision
            doc["support_recall"] = rec.supportRecall
            summary += String(format: "  weight error %.3e  precision %.3f  recall %.3f",
                              rec.relativeWeightError, rec.supportPrecision, rec.supportRecall)
        }
        if !noDiagnostics {
            let diag = try SupportDiagnostics(x: problem.x, n: problem.n, d: problem.d, weights: result.weights,
                                              generators: result.generators, linear: options.mode == .linear)
            doc["diagnostics"] = diagnosticsDocument(diag)
        }
        if let path = weights {
            try NumPyFile.write(result.weights.denseInputByNeuron(), shape: [problem.d, options.m], to: path)
        }
        if let path = sparseWeights {
            try NumPyFile.write(result.weights.indices.map { Int64($0) }, shape: [result.weights.count], to: path + ".indices.npy")
            try NumPyFile.write(result.weights.values, shape: [result.weights.count], to: path + ".values.npy")
        }
        if let path = model {
            let scalar = ScalarModel(weights: result.weights, generators: result.generators, linear: options.mode == .linear)
            try ModelFile(LayeredModel(hidden: [], output: .scalar(scalar), sigmoidOutput: options.loss == .crossEntropy)).write(to: path)
        }
        if let path = json { try writeJSON(doc, to: path) }
        print(summary)
    }

    private func makeProblem<B: ComputeBackend>(_ backend: B, m: Int, s: Int) throws -> (problem: RegressionProblem, truth: SparseWeights?, permutationInvariant: Bool) {
        let ps = plantedS ?? s
        switch task {
        case "planted":
            let p = try PlantedProblems.plantedMLP(n: n, d: d, m: m, s: ps, seed: seed, backend: backend)
            return (p.problem, p.truth, true)
        case "planted-dictionary":
            let p = try PlantedProblems.plantedDictionary(n: n, d: d, m: m, s: ps, seed: seed, solverSeed: seed, backend: backend)
            return (p.problem, p.truth, false)
        case "gaussian":
            let p = try PlantedProblems.gaussianSensing(n: n, d: d, s: ps, seed: seed)
            return (p.problem, p.truth, false)
        default:
            return (try DataFiles.regressionProblem(x: x!, y: y!), nil, false)
        }
    }
}
