import ArgumentParser
import SparseIHTCore
import SparseIHTData
import SparseIHTTasks

/// The solver flags of `recover` (nil: the task's default from `TaskDefaults`).
struct SolverFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: "Outputs of the planted network (planted task; > 1 uses the vector-output solver) (default: 1).", transform: Numeric.int(1, 100_000)) var outputs: Int = 1
    @Option(parsing: .unconditional, help: "Step budget of full-batch runs (default: 100; 15 with --recipe published, except inr). Refused on runs that train for --epochs.", transform: Numeric.int()) var steps: Int?
    @Option(parsing: .unconditional, help: "Epochs of minibatch runs (default: binary-*: 15, mnist: 50, planted --outputs: 100).", transform: Numeric.int()) var epochs: Int?
    @Option(parsing: .unconditional, help: "Hidden layers, trained one at a time with budget s/L each (default: 1).", transform: Numeric.int(1, 1000)) var layers: Int = 1
    @Option(help: "Gate mode (default: sequential; planted-dictionary: convex).") var mode: GateMode?
    @Option(help: "best (revival, stall re-seeding, exact-step refinement) | search (best with residual re-seeding, re-seeding from the best iterate and conjugate-gradient refinement, 40 refinement steps, stall gain 0.2 dB: at least 60 dB on all 9 planted m = 50 grid cells, exact on 8) | published (the paper's code). Default: planted: search; others: best; inr: the published solver (best's dead-neuron revival and exact refinement lose on images) with m 50 and a constant feature; --recipe published there is the published run (m 200, no constant feature).") var recipe: SolverOptions.Recipe?
    @Option(parsing: .unconditional, help: "Threshold at inflation*s until the last 5 steps (theory's s~; 1 to 1000) (default: 1; binary tasks: 1.5 except with --recipe published).", transform: Numeric.real(above: 1, inclusive: true, upTo: 1000)) var inflation: Double?
    @Option(help: "Override the recipe: dead neurons get fresh random generators (true/false).", transform: Switch.parse) var revive: Bool?
    @Option(name: .customLong("stall-reseed"), help: "Override the recipe: re-seed the weakest neuron on a stall (true/false).", transform: Switch.parse) var stallReseed: Bool?
    @Option(name: .customLong("stall-gain"), parsing: .unconditional, help: "Override the solver: a stall (re-seeding) is a run that gains less than this many dB of PSNR within --stall-steps steps (default: 0.1; search recipe: 0.2).", transform: Numeric.real(above: 0, inclusive: true, upTo: 1000)) var stallGain: Double?
    @Option(name: .customLong("stall-steps"), parsing: .unconditional, help: "Override the solver: the steps of the stall rule (default: 3).", transform: Numeric.int(1, 10_000)) var stallSteps: Int?
    @Option(name: .customLong("gates-follow-from"), parsing: .unconditional, help: "Override the recipe: step (epoch) from which gates follow weights.", transform: Numeric.int(0)) var gatesFollowFrom: Int?
    @Option(name: .customLong("tiny-first-step"), help: "Override the recipe: tiny first step instead of the normalized one (true/false).", transform: Switch.parse) var tinyFirstStep: Bool?
    @Flag(help: "Give each neuron a fixed random +-1 output weight (sequential scalar output); default: all +1 as published.") var signedOutputs = false
    @Flag(name: .customLong("fixed-point-full-step"), help: "At a fixed point, normalize the step on the full gradient (off: the published support-normalized step).") var fixedPointFullStep = false
    @Option(parsing: .unconditional, help: "Refinement steps after each threshold (scalar output) (default: 10; search recipe: 40).", transform: Numeric.int(0, 10_000)) var refine: Int?
    @Option(name: .customLong("refine-rule"), help: "Override the recipe's refinement step size: exact (line search per internal step; best recipe) | published (the thresholding step's mu, halved and carried; published recipe).") var refineRule: SolverOptions.RefineRule?
    @Option(name: .customLong("reseed-rule"), help: "Override the recipe's generator of a neuron re-seeded on a stall: random | residual (the inputs' correlation with the residual, X^T (y - prediction)).") var reseedRule: SolverOptions.ReseedRule?
    @Option(name: .customLong("reseed-search"), help: "Override the recipe: on a stall, go back to the best iterate and re-seed its next-weakest neuron in turn; return the best iterate (full batch; true/false).", transform: Switch.parse) var reseedSearch: Bool?
    @Option(parsing: .unconditional, help: "Stop when ||Aw - y||/||y|| reaches this (full batch; 0 to 1) (default: 1e-06).", transform: Numeric.real(above: 0, inclusive: true, upTo: 1)) var tolerance: Double = 1e-6
    @Option(parsing: .unconditional, help: "Minibatch size (default: full batch; binary-*: 1000; mnist: 5000).", transform: Numeric.int()) var batch: Int?
    @Option(parsing: .unconditional, help: "Neurons per gradient chunk (default: from a 256 MiB allowance).", transform: Numeric.int()) var chunk: Int?
    @Option(help: "Loss: squared | cross-entropy (mnist: softmax cross-entropy by default; scalar-output tasks: squared by default, cross-entropy = binary cross-entropy on one logit, targets in [0, 1], predictions are probabilities; implies --signed-outputs).") var loss: Loss?
    @Option(parsing: .unconditional, help: "Fixed step size of vector-output runs (default: published values).", transform: Numeric.real(above: 0, upTo: 1e6)) var lr: Double?
    @Option(name: .customLong("output-lr"), parsing: .unconditional, help: "Output-layer step of vector-output runs (default: the recipe's).", transform: Numeric.real(above: 0, upTo: 1e6)) var outputLR: Double?
    @Option(help: "Vector-output runs: step schedule, constant or cosine (default: the recipe's).") var schedule: VectorOptions.StepSchedule?
    @Option(name: .customLong("warmup-epochs"), parsing: .unconditional, help: "Vector-output runs: epochs of linear step warm-up (default: the recipe's).", transform: Numeric.int(0)) var warmupEpochs: Int?
    @Option(name: .customLong("cooldown-epochs"), parsing: .unconditional, help: "Vector-output runs: last epochs over which the step falls linearly (default: the recipe's).", transform: Numeric.int(0)) var cooldownEpochs: Int?
    @Option(name: .customLong("unit-features"), help: "Vector-output runs with --layers > 1: scale hidden features to unit RMS (true/false; default: the recipe's).", transform: Switch.parse) var unitFeatures: Bool?
    @Option(name: .customLong("seed-scale"), parsing: .unconditional, help: "Vector-output runs: factor on the first epoch's seed values (default: the recipe's).", transform: Numeric.real(above: 0, upTo: 1e6)) var seedScale: Double?
    @Option(name: .customLong("support-steps"), parsing: .unconditional, help: "Vector-output runs: gradient steps on the support after each thresholding step (default: the recipe's).", transform: Numeric.int(0, 10_000)) var supportSteps: Int?
    @Option(help: "Budget rule of vector-output runs: neuron-consistent | per-layer | magnitude | sketch.") var ranking: VectorOptions.Ranking = .neuronConsistent
    @Option(name: .customLong("max-neurons"), parsing: .unconditional, help: "Vector-output runs, neuron-consistent ranking: most live neurons, each of which costs its k output weights (0: no cap; default: the recipe's).", transform: Numeric.int(0, Int(Int32.max))) var maxNeurons: Int?
    @Option(name: .customLong("last-layer-max-neurons"), parsing: .unconditional, help: "Vector-output runs with --layers > 1: --max-neurons of the last layer (0: no cap; default: --max-neurons).", transform: Numeric.int(0, Int(Int32.max))) var lastLayerMaxNeurons: Int?
    @Option(name: .customLong("last-layer-share"), parsing: .unconditional, help: "Vector-output runs with --layers > 1: hidden layers are charged only for the input weights they keep and share (1 - F) s; the last layer gets the rest (0: s/L each, as published; default: the recipe's).", transform: Numeric.real(above: 0, inclusive: true, upTo: 0.99)) var lastLayerShare: Double?
    @Option(name: .customLong("output-share"), parsing: .unconditional, help: "Output layer's share of s under --ranking per-layer (above 0, at most 1) (default: 0.25).", transform: Numeric.real(above: 0, upTo: 1)) var outputShare: Double = 0.25
    @Option(parsing: .unconditional, help: "Fourier feature scale for inr (grayscale; colour uses 5 on space, 0.05 on colour) (default: 2).", transform: Numeric.real(above: 0, upTo: 1e6)) var sigma: Double = 2
    @Option(name: .customLong("fourier-features"), parsing: .unconditional, help: "Fourier features for inr (d = 2x this) (default: 750).", transform: Numeric.int(1, 1_000_000)) var fourierFeatures: Int = 750
    @Option(help: "Pixel coordinates of the inr Fourier features: raw (integer row, col, as published) | unit (row/H, col/W). Default: raw; unit with --recipe best or search.") var coordinates: FourierFeatures.Coordinates?
    @Option(name: .customLong("constant-feature"), help: "inr: append a constant 1 to the Fourier features, a bias for every neuron (true/false). Default: on, off with --recipe published.", transform: Switch.parse) var constantFeature: Bool?
    @Option(parsing: .unconditional, help: "inr: fit on a seeded random 1 - F of the pixels and report heldout_psnr on the rest (0 to below 1) (default: 0).", transform: Numeric.real(above: 0, inclusive: true, upTo: 0.99)) var holdout: Double = 0
    @Flag(help: "Skip the support diagnostics (separation, restricted eigenvalues).") var noDiagnostics = false

    /// Copies the flags into `spec`.
    func apply(to s: inout TaskSpec) {
        s.outputs = outputs; s.steps = steps; s.epochs = epochs; s.layers = layers; s.mode = mode; s.recipe = recipe
        s.inflation = inflation; s.revive = revive; s.stallReseed = stallReseed; s.stallGain = stallGain; s.stallSteps = stallSteps; s.gatesFollowFrom = gatesFollowFrom
        s.tinyFirstStep = tinyFirstStep; s.signedOutputs = signedOutputs; s.fixedPointFullStep = fixedPointFullStep
        s.refine = refine; s.refineRule = refineRule; s.reseedRule = reseedRule; s.reseedSearch = reseedSearch; s.tolerance = tolerance; s.batch = batch; s.chunk = chunk; s.loss = loss; s.lr = lr
        s.outputLR = outputLR; s.supportSteps = supportSteps; s.schedule = schedule; s.warmupEpochs = warmupEpochs; s.cooldownEpochs = cooldownEpochs
        s.unitFeatures = unitFeatures; s.seedScale = seedScale; s.maxNeurons = maxNeurons; s.lastLayerMaxNeurons = lastLayerMaxNeurons; s.lastLayerShare = lastLayerShare
        s.ranking = ranking; s.outputShare = outputShare; s.sigma = sigma; s.fourierFeatures = fourierFeatures
        s.coordinates = coordinates; s.constantFeature = constantFeature; s.holdout = holdout
        s.diagnostics = !noDiagnostics
    }
}
