import ArgumentParser
import SparseIHTCore
import SparseIHTTasks

/// The solver flags of `recover` (nil: the task's default from `TaskDefaults`).
struct SolverFlags: ParsableArguments {
    @Option(help: "Outputs of the planted network (planted task; > 1 uses the vector-output solver).") var outputs: Int = 1
    @Option(help: "Step budget of full-batch runs (default: 100; 15 with --recipe published, except inr).") var steps: Int?
    @Option(help: "Epochs of minibatch runs (default: binary-*: 15, mnist: 50, planted --outputs: 100).") var epochs: Int?
    @Option(help: "Hidden layers, trained one at a time with budget s/L each.") var layers: Int = 1
    @Option(help: "sequential | convex.") var mode: GateMode?
    @Option(help: "best (measured best on planted networks) | published (the paper's code). Default: best; inr: published (measured: 31.2 dB against 23.1 dB for best, whose dead-neuron revival churns the budget on images).")
    var recipe: SolverOptions.Recipe?
    @Option(help: "Threshold at inflation*s until the last 5 steps (theory's s~).") var inflation: Double = 1
    @Option(help: "Override the recipe: dead neurons get fresh random generators (true/false).") var revive: Bool?
    @Option(name: .customLong("stall-reseed"), help: "Override the recipe: re-seed the weakest neuron on a stall (true/false).") var stallReseed: Bool?
    @Option(name: .customLong("gates-follow-from"), help: "Override the recipe: step (epoch) from which gates follow weights.") var gatesFollowFrom: Int?
    @Option(name: .customLong("tiny-first-step"), help: "Override the recipe: tiny first step instead of the normalized one (true/false).") var tinyFirstStep: Bool?
    @Flag(help: "Give each neuron a fixed random +-1 output weight (sequential scalar output); default: all +1 as published.")
    var signedOutputs = false
    @Flag(name: .customLong("fixed-point-full-step"), help: "At a fixed point, normalize the step on the full gradient (off: the published support-normalized step).")
    var fixedPointFullStep = false
    @Option(help: "Armijo refinement steps after each threshold (scalar output).") var refine: Int = 10
    @Option(help: "Stop when ||Aw - y||/||y|| reaches this (full batch).") var tolerance: Double = 1e-6
    @Option(help: "Minibatch size (default: full batch; binary-*: 1000; mnist: 5000).") var batch: Int?
    @Option(help: "Neurons per gradient chunk (default: from a 256 MiB allowance).") var chunk: Int?
    @Option(help: "Loss: squared | cross-entropy (mnist: softmax cross-entropy by default; scalar-output tasks: squared by default, cross-entropy = binary cross-entropy on one logit, targets in [0, 1], predictions are probabilities; implies --signed-outputs).")
    var loss: Loss?
    @Option(help: "Fixed step size of vector-output runs (default: published values).") var lr: Double?
    @Option(name: .customLong("output-lr"), help: "Output-layer step of vector-output runs (default: the recipe's).") var outputLR: Double?
    @Option(help: "Vector-output runs: step schedule, constant or cosine (default: the recipe's).") var schedule: VectorOptions.StepSchedule?
    @Option(name: .customLong("warmup-epochs"), help: "Vector-output runs: epochs of linear step warm-up (default: the recipe's).") var warmupEpochs: Int?
    @Option(name: .customLong("unit-features"), help: "Vector-output runs with --layers > 1: scale hidden features to unit RMS (default: the recipe's).") var unitFeatures: Bool?
    @Option(name: .customLong("seed-scale"), help: "Vector-output runs: factor on the first epoch's seed values (default: the recipe's).") var seedScale: Double?
    @Option(name: .customLong("support-steps"), help: "Vector-output runs: gradient steps on the support after each thresholding step (default: the recipe's).") var supportSteps: Int?
    @Option(help: "Budget rule of vector-output runs: neuron-consistent | per-layer | magnitude | sketch.")
    var ranking: VectorOptions.Ranking = .neuronConsistent
    @Option(name: .customLong("output-share"), help: "Output layer's share of s under --ranking per-layer.") var outputShare: Double = 0.25
    @Option(help: "Fourier feature scale for inr (grayscale; colour uses 5 on space, 0.05 on colour).") var sigma: Double = 2
    @Option(name: .customLong("fourier-features"), help: "Fourier features for inr (d = 2x this).") var fourierFeatures: Int = 750
    @Flag(help: "Skip the support diagnostics (separation, restricted eigenvalues).") var noDiagnostics = false

    /// Copies the flags into `spec`.
    func apply(to s: inout TaskSpec) {
        s.outputs = outputs; s.steps = steps; s.epochs = epochs; s.layers = layers; s.mode = mode; s.recipe = recipe
        s.inflation = inflation; s.revive = revive; s.stallReseed = stallReseed; s.gatesFollowFrom = gatesFollowFrom
        s.tinyFirstStep = tinyFirstStep; s.signedOutputs = signedOutputs; s.fixedPointFullStep = fixedPointFullStep
        s.refine = refine; s.tolerance = tolerance; s.batch = batch; s.chunk = chunk; s.loss = loss; s.lr = lr
        s.outputLR = outputLR; s.supportSteps = supportSteps; s.schedule = schedule; s.warmupEpochs = warmupEpochs
        s.unitFeatures = unitFeatures; s.seedScale = seedScale
        s.ranking = ranking; s.outputShare = outputShare; s.sigma = sigma; s.fourierFeatures = fourierFeatures
        s.diagnostics = !noDiagnostics
    }
}
