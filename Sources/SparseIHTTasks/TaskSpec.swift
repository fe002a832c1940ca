import SparseIHTCore
import SparseIHTData

/// Every setting of one task run (the flags of `sparse-iht recover`); nil fields take the
/// task's default from `TaskDefaults`.
public struct TaskSpec: Sendable, Equatable {
    public var task: TaskKind = .planted
    /// Dataset of a real-data task: mnist-sample, fashion, or a path.
    public var dataset = "mnist-sample"
    /// Files of the files task (`X` n x d, `y` length n).
    public var x: String?, y: String?
    /// Examples and input dimension of the synthetic tasks.
    public var n = 5000, d = 100
    public var m: Int?, s: Int?
    /// Nonzeros of the planted network (default: s).
    public var plantedS: Int?
    /// Pairwise angle of the planted neurons in degrees (nil: independent random neurons);
    /// see `PlantedProblems.plantedMLP(n:d:m:s:seed:angleDegrees:backend:)`.
    public var plantedAngle: Double?
    /// Outputs of the planted network (> 1: vector solver) and hidden layers.
    public var outputs = 1, layers = 1
    public var steps: Int?, epochs: Int?
    public var mode: GateMode?, recipe: SolverOptions.Recipe?, loss: Loss?
    /// Threshold inflation (nil: the task's, `resolvedInflation`).
    public var inflation: Double?
    public var revive: Bool?, stallReseed: Bool?, gatesFollowFrom: Int?, tinyFirstStep: Bool?
    /// Stall rule of the re-seeding (nil: the solver's, 0.1 dB in 3 steps).
    public var stallGain: Double?, stallSteps: Int?
    public var signedOutputs = false, fixedPointFullStep = false
    /// Refinement step-size rule (nil: the recipe's).
    public var refineRule: SolverOptions.RefineRule?
    /// Refinement steps per thresholding (nil: the recipe's, 10; search: 50).
    public var refine: Int?
    /// Generator rule of stall re-seeding (nil: the recipe's).
    public var reseedRule: SolverOptions.ReseedRule?
    /// Stall re-seeding searches from the best iterate (nil: the recipe's).
    public var reseedSearch: Bool?
    public var tolerance = 1e-6
    public var batch: Int?, chunk: Int?
    /// Classes of a classification task (binary default 0,1; mnist: all).
    public var classes: [Int]?
    public var split: RealTasks.Split = .published
    /// Fixed step of vector-output runs (nil: published values).
    public var lr: Double?
    /// Output-layer step of vector-output runs (nil: the recipe's) and gradient steps on
    /// the support after each thresholding step (nil: the recipe's).
    public var outputLR: Double?, supportSteps: Int?
    /// Step schedule and warm-up epochs of vector-output runs (nil: the recipe's).
    public var schedule: VectorOptions.StepSchedule?, warmupEpochs: Int?
    /// Last epochs of vector-output runs over which the step falls linearly (nil: the recipe's).
    public var cooldownEpochs: Int?
    /// Vector-output runs with `--layers > 1`: hidden features scaled to unit root mean
    /// square (nil: on under the best recipe of tasks with `TaskDefaults.vectorBest`).
    public var unitFeatures: Bool?
    /// Factor on the vector solver's first-epoch seed values (nil: the recipe's).
    public var seedScale: Double?
    public var ranking: VectorOptions.Ranking = .neuronConsistent
    /// Most live neurons of vector-output runs under the neuron-consistent ranking (nil:
    /// the recipe's; 0 on the command line: no cap).
    public var maxNeurons: Int?
    /// The same cap for the last layer of a layer-wise run (nil: `maxNeurons`; 0: no cap).
    public var lastLayerMaxNeurons: Int?
    /// Vector-output runs with `--layers > 1`: the last layer's share of s under
    /// `LayerBudget.kept` (hidden layers charged only for the weights they keep); 0: s/L
    /// each (`LayerBudget.equal`, published); nil: the recipe's.
    public var lastLayerShare: Double?
    public var outputShare = 0.25
    public var pixelScale: Float = 1
    /// Centring, and standardizing (nil: the task's, `resolvedStandardize`).
    public var center = false, standardize: Bool?
    /// inr: image index, Fourier scale (grayscale) and number of features (d = 2x).
    public var image = 0
    public var sigma = 2.0
    public var fourierFeatures = 750
    /// inr: pixel coordinates fed to the Fourier features (nil: raw under the published
    /// recipe, as published; see `resolvedCoordinates`).
    public var coordinates: FourierFeatures.Coordinates?
    /// inr: append a constant 1 to the Fourier features (nil: `resolvedConstantFeature`).
    public var constantFeature: Bool?
    /// inr: fraction of the pixels held out of training and scored apart (0: none).
    public var holdout = 0.0
    public var seed: UInt64 = 0
    /// Fraction of the remaining weights an IMP round prunes (baselines).
    public var pruneFraction = 0.1
    /// Skip the support diagnostics of scalar runs.
    public var diagnostics = true

    public init(task: TaskKind = .planted) { self.task = task }

    public var defaults: TaskDefaults { TaskDefaults.of(task) }
    /// Width in force (gaussian is always 1).
    /// Hidden width in force: `m`, else the task's (`TaskDefaults.unpublishedM` unless
    /// `--recipe published` is given; gaussian: 1).
    public var resolvedM: Int {
        task == .gaussian ? 1 : (m ?? (recipe != .published ? defaults.unpublishedM : nil) ?? defaults.m)
    }
    public var resolvedS: Int { s ?? defaults.s }
    public var resolvedRecipe: SolverOptions.Recipe { recipe ?? defaults.recipe }
    /// Classes asked for (binary tasks default to 0,1).
    public var wantedClasses: [Int]? { classes ?? (task.isBinary ? [0, 1] : nil) }
    /// Preprocessing of classification inputs (binary-cifar10: per-channel, as published).
    public var preprocessing: RealTasks.Preprocessing {
        .init(pixelScale: pixelScale, center: center, standardize: resolvedStandardize, perChannel: task == .binaryCIFAR10)
    }
    /// True when the run goes through the layered / vector paths rather than one scalar solve.
    public var isLayeredRun: Bool { !(task.isSynthetic && outputs == 1 && layers == 1) }

    /// Checks the combinations the flags cannot express alone.
    public func validate() throws {
        func bad(_ text: String) -> SparseIHTError { .invalidArgument(text) }
        if task == .files && (x == nil || y == nil) { throw bad("--task files needs --x and --y") }
        guard n >= 1, d >= 1 else { throw bad("--n and --d must be positive") }
        guard outputs >= 1 else { throw bad("--outputs must be at least 1") }
        guard layers >= 1 else { throw bad("--layers must be at least 1") }
        if outputs > 1 && task != .planted { throw bad("--outputs applies to the planted task") }
        if plantedAngle != nil && (task != .planted || outputs > 1 || layers > 1) { throw bad("--planted-angle applies to the one-layer planted task") }
        if layers > 1 && ![.planted, .binaryMNIST, .binaryCIFAR10, .mnist, .inr].contains(task) {
            throw bad("--layers > 1 applies to planted and the real-data tasks, not \(task.rawValue)")
        }
        if mode == .linear { throw bad("--mode must be sequential or convex") }
        // Sizes multiplied before the solvers check them (m x width, epochs x batches).
        if let m, !(1...Int(Int32.max)).contains(m) { throw bad("--m \(m): need 1...2147483647") }
        if let batch, batch < 1 { throw bad("--batch \(batch): need at least 1") }
        if let epochs, !(1...10_000_000).contains(epochs) { throw bad("--epochs \(epochs): need 1...10000000") }
        if let steps, !(1...10_000_000).contains(steps) { throw bad("--steps \(steps): need 1...10000000") }
        if !(0..<1).contains(holdout) || !holdout.isFinite { throw bad("--holdout \(holdout): need a fraction in [0, 1)") }
        if (holdout > 0 || coordinates != nil || constantFeature != nil) && task != .inr {
            throw bad("--holdout, --coordinates and --constant-feature apply to the inr task")
        }
        try checkSchedule()
    }

    /// Scalar-solver options of a layer with width `m`, budget `s` and gate mode `mode`.
    public func scalarOptions(m: Int, s: Int, mode defaultMode: GateMode) -> SolverOptions {
        var o = SolverOptions(m: m, s: s)
        o.apply(resolvedRecipe)
        o.mode = mode ?? defaultMode
        o.steps = steps ?? (resolvedRecipe == .published ? defaults.publishedSteps : defaults.steps)
        if let v = revive { o.revive = v }
        if let v = stallReseed { o.stallReseed = v }
        if let v = stallGain { o.stallGain = v }
        if let v = stallSteps { o.stallSteps = v }
        if let v = gatesFollowFrom { o.gatesFollowFrom = v }
        if let v = tinyFirstStep { o.tinyFirstStep = v }
        if let v = refineRule { o.refineRule = v }
        if let v = reseedRule { o.reseedRule = v }
        if let v = reseedSearch { o.reseedSearch = v }
        o.fixedPointFullStep = fixedPointFullStep
        o.inflation = resolvedInflation
        if let v = refine { o.refineSteps = v }
        o.tolerance = tolerance
        o.batchSize = batch
        o.chunk = chunk
        o.seed = seed
        o.loss = resolvedScalarLoss
        // A logit that is a sum of ReLUs with +1 weights is >= 0: cross-entropy needs signs.
        o.signedOutputs = signedOutputs || o.loss == .crossEntropy
        return o
    }
}
