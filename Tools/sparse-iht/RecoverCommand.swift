import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTCPU

struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Recover a sparse two-layer ReLU network (scalar output) by IHT.",
        discussion: """
        Tasks: planted (planted sparse ReLU network, y = sum_j relu(X u_j)), planted-dictionary
        (planted on the solver's own convex generators: y = A w* exactly), gaussian (compressed
        sensing y = A x with Gaussian A, linear model) and files (--x X.npy --y y.npy).
        The defaults are the best measured recipe; --recipe published reproduces the paper's code.
        """)

    @Option(help: "planted | planted-dictionary | gaussian | files") var task: String = "planted"
    @Option(help: "Data matrix X (n x d) as .npy or IDX (task files).") var x: String?
    @Option(help: "Targets y (length n) as .npy or IDX (task files).") var y: String?
    @Option(help: "Examples (synthetic tasks).") var n: Int = 5000
    @Option(help: "Input dimension (synthetic tasks).") var d: Int = 100
    @Option(help: "Hidden neurons.") var m: Int = 10
    @Option(help: "Sparsity budget (nonzero first-layer weights).") var s: Int = 50
    @Option(name: .customLong("planted-s"), help: "Nonzeros of the planted network (default: --s).") var plantedS: Int?
    @Option(help: "Step budget (minibatch: epochs).") var steps: Int?
    @Option(help: "sequential | convex (gaussian uses linear).") var mode: String?
    @Option(help: "best (measured best) | published (the paper's code).") var recipe: String = "best"
    @Option(help: "Threshold at inflation*s until the last 5 steps (theory's s~).") var inflation: Double = 1
    @Option(help: "Armijo refinement steps after each threshold.") var refine: Int = 10
    @Option(help: "Stop when ||Aw - y||/||y|| reaches this.") var tolerance: Double = 1e-6
    @Option(help: "Minibatch size (default: full batch).") var batch: Int?
    @Option(help: "Neurons per gradient chunk (default: from a 256 MiB allowance).") var chunk: Int?
    @Option(help: "Random seed (data and solver).") var seed: UInt64 = 0
    @Option(help: "Write the result document (JSON) here.") var json: String?
    @Option(help: "Write the recovered d x m first-layer matrix (.npy, float32) here.") var weights: String?
    @Option(name: .customLong("sparse-weights"), help: "Write the support as PATH.indices.npy (int64 flat j*d+i) and PATH.values.npy.") var sparseWeights: String?
    @Flag(help: "Skip the support diagnostics (separation, restricted eigenvalues).") var noDiagnostics = false
    @Flag(help: "No progress line.") var quiet = false
    @OptionGroup var backendOptions: BackendOptions

    func validate() throws {
        guard ["planted", "planted-dictionary", "gaussian", "files"].contains(task) else {
            throw ValidationError("--task must be planted, planted-dictionary, gaussian or files (got '\(task)')")
        }
        guard SolverOptions.Recipe(rawValue: recipe) != nil else { throw ValidationError("--recipe must be best or published") }
        if let mode, GateMode(rawValue: mode) == nil { throw ValidationError("--mode must be sequential, convex or linear") }
        if task == "files" && (x == nil || y == nil) { throw ValidationError("--task files needs --x and --y") }
        if task != "files" { guard n >= 1, d >= 1 else { throw ValidationError("--n and --d must be positive") } }
    }

    func run() throws {
        let backend = try backendOptions.open()
        do {
            try recover(on: backend)
        } catch let e as SparseIHTError {
            throw ValidationError(e.description)  // clear message, nonzero exit
        }
    }

    private func recover<B: ComputeBackend>(on backend: B) throws {
        let started = Date()
        let taskProblem = try makeProblem(backend)
        let problem = taskProblem.problem
        var options = SolverOptions(m: task == "gaussian" ? 1 : m, s: s)
        options.apply(SolverOptions.Recipe(rawValue: recipe)!)
        options.mode = task == "gaussian" ? .linear : GateMode(rawValue: mode ?? (task == "planted-dictionary" ? "convex" : "sequential"))!
        options.steps = steps ?? (recipe == "published" ? 15 : 100)
        options.inflation = inflation
        options.refineSteps = refine
        options.tolerance = tolerance
        options.batchSize = batch
        options.chunk = chunk
        options.seed = seed
        let solver = try IHTSolver(backend: backend, problem: problem, options: options)
        let progress = ProgressLine(quiet: quiet)
        solver.onStep = progress.show
        let solveStart = Date()
        let result = try solver.run()
        let solveSeconds = Date().timeIntervalSince(solveStart)
        progress.finish()
        let last = result.history.last!
        var doc: [String: Any] = [
            "task": task, "backend": backend.kind.rawValue, "device": backend.deviceDescription,
            "n": problem.n, "d": problem.d, "m": options.m, "s": options.s, "mode": options.mode.rawValue,
            "recipe": recipe, "seed": seed, "psnr": last.psnr, "relative_residual": last.relativeResidual,
            "steps": result.history.count, "stop_reason": result.stopReason.rawValue,
            "seconds": solveSeconds, "seconds_total": Date().timeIntervalSince(started),
            "seconds_per_step": solveSeconds / Double(result.history.count),
            "support_size": result.weights.count, "active_neurons": result.weights.activeNeurons.count,
            "chunk": result.chunk, "peak_rss_bytes": peakRSSBytes(),
            "peak_device_bytes": backend.peakBytesAllocated,
            "dense_weights_bytes": options.m * problem.d * 4,
            "openblas_core": CPUBackend.openBLASCore.name,
            "openblas_coretype": CPUBackend.openBLASCore.coretypeOverride ?? "unset",
            "options": ["inflation": inflation, "refine": refine, "tolerance": tolerance, "batch": batch ?? problem.n,
                        "gates_follow_from": options.gatesFollowFrom, "tiny_first_step": options.tinyFirstStep,
                        "revive": options.revive, "stall_reseed": options.stallReseed] as [String: Any],
            "history": result.history.map { ["step": $0.step, "psnr": $0.psnr, "relative_residual": $0.relativeResidual,
                                             "support_changes": $0.supportChanges, "mu": $0.mu,
                                             "refine_accepted": $0.refineAccepted, "reseeded": $0.reseeded,
                                             "seconds": $0.seconds] as [String: Any] },
        ]
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
            doc["diagnostics"] = [
                "active_neurons": diag.activeNeurons, "distinct_patterns": diag.distinctPatterns,
                "coverage_eps": diag.coverageEps as Any, "separation_gamma": diag.separationGamma as Any,
                "restricted_eig_min": diag.restrictedEigMin as Any, "restricted_eig_max": diag.restrictedEigMax as Any,
                "restricted_condition": diag.restrictedCondition as Any,
            ].compactMapValues { $0 is NSNull ? nil : $0 }
        }
        if let path = weights {
            try NumPyFile.write(result.weights.denseInputByNeuron(), shape: [problem.d, options.m], to: path)
        }
        if let path = sparseWeights {
            try NumPyFile.write(result.weights.indices.map { Int64($0) }, shape: [result.weights.count], to: path + ".indices.npy")
            try NumPyFile.write(result.weights.values, shape: [result.weights.count], to: path + ".values.npy")
        }
        if let path = json { try writeJSON(doc, to: path) }
        print(summary)
    }

    private func makeProblem<B: ComputeBackend>(_ backend: B) throws -> (problem: RegressionProblem, truth: SparseWeights?, permutationInvariant: Bool) {
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

/// Writes `doc` as pretty, key-sorted JSON.
func writeJSON(_ doc: [String: Any], to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
    do { try data.write(to: URL(fileURLWithPath: path)) } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
}
