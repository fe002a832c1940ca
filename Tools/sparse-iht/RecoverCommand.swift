import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData

struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Train a sparse ReLU network by IHT on a synthetic or real-data task.",
        discussion: """
        Synthetic tasks: planted (planted sparse ReLU network y = sum_j relu(X u_j); with
        --outputs K a K-output network), planted-dictionary (planted on the solver's own convex
        generators: y = A w* exactly), gaussian (compressed sensing, linear model), files
        (--x X.npy --y y.npy). Real-data tasks: binary-mnist (two classes, scalar output, 0/1
        labels), mnist (10 classes, cross-entropy), binary-cifar10, inr (one image from
        Fourier features). --dataset is mnist-sample, fashion, or a path (IDX directory,
        CIFAR-10 directory or .bin, CSV, PNG/PGM/PPM). Defaults follow the published settings of
        each task; the solver's defaults are the best measured recipe (--recipe published for
        the paper's code).
        """)

    static let syntheticTasks = ["planted", "planted-dictionary", "gaussian", "files"]
    static let realTasks = ["binary-mnist", "mnist", "binary-cifar10", "inr"]

    @Option(help: "planted | planted-dictionary | gaussian | files | binary-mnist | mnist | binary-cifar10 | inr")
    var task: String = "planted"
    @Option(help: "Data matrix X (n x d) as .npy or IDX (task files).") var x: String?
    @Option(help: "Targets y (length n) as .npy or IDX (task files).") var y: String?
    @Option(help: "Dataset of a real-data task: mnist-sample, fashion, or a path.") var dataset: String = "mnist-sample"
    @Option(help: "Examples (synthetic tasks).") var n: Int = 5000
    @Option(help: "Input dimension (synthetic tasks).") var d: Int = 100
    @Option(help: "Hidden neurons (default: 10; binary-*: 100; mnist: 1000; inr: 200).") var m: Int?
    @Option(help: "Sparsity budget (default: 50; binary-*: 200; mnist: 2000; inr: 1000).") var s: Int?
    @Option(name: .customLong("planted-s"), help: "Nonzeros of the planted network (default: --s).") var plantedS: Int?
    @Option(help: "Outputs of the planted network (planted task; > 1 uses the vector-output solver).") var outputs: Int = 1
    @Option(help: "Step budget of full-batch runs (default: 100; 15 with --recipe published, except inr).") var steps: Int?
    @Option(help: "Epochs of minibatch runs (default: binary-*: 15, mnist: 50, planted --outputs: 100).") var epochs: Int?
    @Option(help: "Hidden layers, trained one at a time with budget s/L each.") var layers: Int = 1
    @Option(help: "sequential | convex.") var mode: String?
    @Option(name: .customLong("recipe"), help: "best (measured best on planted networks) | published (the paper's code). Default: best; inr: published (measured with the exact-step refinement: 31.2 dB against 23.1 dB for best, whose dead-neuron revival churns the budget on images).")
    var recipeOption: String?

    /// The recipe in force (task default when not given).
    var recipe: String { recipeOption ?? (task == "inr" ? "published" : "best") }
    @Option(help: "Threshold at inflation*s until the last 5 steps (theory's s~).") var inflation: Double = 1
    @Option(name: .customLong("revive"), help: "Override the recipe: dead neurons get fresh random generators (true/false).") var reviveOverride: Bool?
    @Option(name: .customLong("stall-reseed"), help: "Override the recipe: re-seed the weakest neuron on a stall (true/false).") var stallReseedOverride: Bool?
    @Option(name: .customLong("gates-follow-from"), help: "Override the recipe: step (epoch) from which gates follow weights.") var gatesFollowFromOverride: Int?
    @Option(name: .customLong("tiny-first-step"), help: "Override the recipe: tiny first step instead of the normalized one (true/false).") var tinyFirstStepOverride: Bool?
    @Flag(help: "Give each neuron a fixed random +-1 output weight (sequential scalar output); default: all +1 as published.")
    var signedOutputs = false
    @Flag(name: .customLong("fixed-point-full-step"), help: "At a fixed point, normalize the step on the full gradient (off: the published support-normalized step).")
    var fixedPointFullStep = false
    @Option(help: "Armijo refinement steps after each threshold (scalar output).") var refine: Int = 10
    @Option(name: .customLong("refine-rule"), help: "Override the recipe's refinement step size: exact (line search per internal step; best recipe) | published (the thresholding step's mu, halved and carried; published recipe).")
    var refineRuleOverride: String?
    @Option(help: "Stop when ||Aw - y||/||y|| reaches this (full batch).") var tolerance: Double = 1e-6
    @Option(help: "Minibatch size (default: full batch; binary-*: 1000; mnist: 5000).") var batch: Int?
    @Option(help: "Neurons per gradient chunk (default: from a 256 MiB allowance).") var chunk: Int?
    @Option(help: "Classes of a binary task, e.g. 0,1 (default 0,1).") var classes: String?
    @Option(help: "published (per class 5000/1000 from the training file; 400/100 for mnist-sample) | full (the files' train/test sets).")
    var split: String = "published"
    @Option(help: "Loss: squared | cross-entropy (mnist: softmax cross-entropy by default; scalar-output tasks: squared by default, cross-entropy = binary cross-entropy on one logit, targets in [0, 1], predictions are probabilities; implies --signed-outputs).")
    var loss: String?
    @Option(help: "Fixed step size of vector-output runs (default: published values).") var lr: Double?
    @Option(help: "Budget rule of vector-output runs: neuron-consistent | per-layer | magnitude | sketch.") var ranking: String = "neuron-consistent"
    @Option(name: .customLong("output-share"), help: "Output layer's share of s under --ranking per-layer.") var outputShare: Double = 0.25
    @Option(name: .customLong("pixel-scale"), help: "Divide classification inputs by this (1: raw pixels, the published setting; 255: [0, 1]).")
    var pixelScale: Float = 1
    @Flag(help: "Subtract the training set's per-feature mean from classification inputs.") var center = false
    @Flag(help: "Centre and divide classification inputs by the training set's per-feature standard deviation (floored at 0.1 x the largest).")
    var standardize = false
    @Option(help: "Image index for inr from a dataset.") var image: Int = 0
    @Option(help: "Fourier feature scale for inr (grayscale; colour uses 5 on space, 0.05 on colour).") var sigma: Double = 2
    @Option(name: .customLong("fourier-features"), help: "Fourier features for inr (d = 2x this).") var fourierFeatures: Int = 750
    @Option(help: "Random seed (data and solver).") var seed: UInt64 = 0
    @Option(help: "Write the result document (JSON) here.") var json: String?
    @Option(help: "Write the recovered d x m first-layer matrix (.npy, float32) here.") var weights: String?
    @Option(name: .customLong("sparse-weights"), help: "Write the support as PATH.indices.npy (int64 flat j*d+i) and PATH.values.npy.")
    var sparseWeights: String?
    @Option(help: "Save the trained model (JSON) for `sparse-iht evaluate`.") var model: String?
    @Flag(help: "Skip the support diagnostics (separation, restricted eigenvalues).") var noDiagnostics = false
    @Flag(help: "No progress line.") var quiet = false
    @OptionGroup var backendOptions: BackendOptions

    func validate() throws {
        guard (Self.syntheticTasks + Self.realTasks).contains(task) else {
            throw ValidationError("--task must be one of \((Self.syntheticTasks + Self.realTasks).joined(separator: ", ")) (got '\(task)')")
        }
        guard SolverOptions.Recipe(rawValue: recipe) != nil else { throw ValidationError("--recipe must be best or published") }
        if let r = refineRuleOverride, SolverOptions.RefineRule(rawValue: r) == nil {
            throw ValidationError("--refine-rule must be exact or published (got '\(r)')")
        }
        if let mode, mode != "sequential" && mode != "convex" { throw ValidationError("--mode must be sequential or convex") }
        guard VectorOptions.Ranking(rawValue: ranking) != nil else { throw ValidationError("--ranking must be neuron-consistent, per-layer, magnitude or sketch") }
        if let loss, Loss(rawValue: loss) == nil { throw ValidationError("--loss must be squared or cross-entropy") }
        if task == "files" && (x == nil || y == nil) { throw ValidationError("--task files needs --x and --y") }
        guard n >= 1, d >= 1 else { throw ValidationError("--n and --d must be positive") }
        guard outputs >= 1 else { throw ValidationError("--outputs must be at least 1") }
        guard layers >= 1 else { throw ValidationError("--layers must be at least 1") }
        guard RealTasks.Split(rawValue: split) != nil else { throw ValidationError("--split must be published or full") }
        try validateClassList(classes)
        if outputs > 1 && task != "planted" { throw ValidationError("--outputs applies to the planted task") }
    }

    /// Per-task default of m and s.
    var defaults: (m: Int, s: Int) {
        switch task {
        case "binary-mnist", "binary-cifar10": return (100, 200)
        case "mnist": return (1000, 2000)
        case "inr": return (200, 1000)
        default: return (10, 50)
        }
    }

    func run() throws {
        let backend = try backendOptions.open()
        do {
            try dispatch(backend)
        } catch let e as SparseIHTError {
            throw CLIError(e.description)  // clear message, nonzero exit
        }
    }

    private func dispatch<B: ComputeBackend>(_ backend: B) throws {
        if Self.syntheticTasks.contains(task) && outputs == 1 && layers == 1 {
            try recoverSynthetic(on: backend)
        } else {
            try recoverReal(on: backend)
        }
    }

    /// `--loss`, or `fallback` when it is not given (validated in `validate()`).
    func chosenLoss(default fallback: Loss) -> Loss { loss.flatMap(Loss.init(rawValue:)) ?? fallback }

    /// Scalar-solver options from the flags.
    func scalarOptions(m: Int, s: Int, mode defaultMode: GateMode) -> SolverOptions {
        var o = SolverOptions(m: m, s: s)
        o.apply(SolverOptions.Recipe(rawValue: recipe)!)
        o.mode = mode.flatMap(GateMode.init(rawValue:)) ?? defaultMode
        o.steps = steps ?? (recipe == "published" && task != "inr" ? 15 : 100)
        if let v = reviveOverride { o.revive = v }
        if let v = stallReseedOverride { o.stallReseed = v }
        if let v = gatesFollowFromOverride { o.gatesFollowFrom = v }
        if let v = tinyFirstStepOverride { o.tinyFirstStep = v }
        if let v = refineRuleOverride.flatMap(SolverOptions.RefineRule.init(rawValue:)) { o.refineRule = v }
        o.fixedPointFullStep = fixedPointFullStep
        o.inflation = inflation
        o.refineSteps = refine
        o.tolerance = tolerance
        o.batchSize = batch
        o.chunk = chunk
        o.seed = seed
        o.loss = chosenLoss(default: .squared)
        // A logit that is a sum of ReLUs with +1 weights is >= 0: cross-entropy needs signs.
        o.signedOutputs = signedOutputs || o.loss == .crossEntropy
        return o
    }
}
