import SparseIHTCore

/// Per-task defaults: the one table every command, sweep and test reads.
public struct TaskDefaults: Sendable, Equatable {
    /// Hidden width and sparsity budget of an IHT run.
    public var m: Int, s: Int
    /// Hidden width of runs without `--recipe published` when it differs from `m`, the
    /// published width (inr: the same budget on fewer, wider neurons fits better).
    public var unpublishedM: Int? = nil
    /// Full-batch step budget (best recipe) and with `--recipe published`.
    public var steps: Int, publishedSteps: Int
    /// Epochs of minibatch runs (IHT, and the IMP / magnitude baselines' epochs per round).
    public var epochs: Int
    /// Minibatch size of IHT runs (nil: full batch) and of the baselines' Adam.
    public var batch: Int?, baselineBatch: Int?
    /// Loss, recipe and gate mode of IHT runs.
    public var loss: Loss, recipe: SolverOptions.Recipe, mode: GateMode
    public var solver: TaskSolver
    public var metric: TaskMetric
    /// What `--recipe best` changes in vector-output runs of this task (nil: nothing; the
    /// published fixed step on the inputs as given).
    public var vectorBest: VectorRecipe? = nil

    /// Vector-output settings of the best recipe. Standardized inputs (when no input scaling
    /// flag is given) with a fixed step that fits them, and gradient steps on the support.
    public struct VectorRecipe: Sendable, Equatable {
        public var standardize: Bool
        /// Step of both layers and factor on the first epoch's seeds on standardized inputs
        /// (used when `--lr`, `--seed-scale` are not given).
        public var standardizedLR: Double, standardizedSeedScale: Double
        /// The same with `--layers > 1` (measured separately; with the neuron caps the one-layer
        /// values are also the best there).
        public var layeredLR: Double, layeredSeedScale: Double
        /// Gradient steps on the support after each thresholding step (one layer; `--layers > 1`).
        public var supportSteps: Int, layeredSupportSteps: Int
        /// Cap on live neurons (neuron-consistent ranking; one layer and the hidden layers of
        /// `--layers > 1`) and the last layer's cap with `--layers > 1`.
        public var maxNeurons: Int, layeredMaxNeurons: Int, lastLayerMaxNeurons: Int
        /// The last layer's share of s with `--layers > 1` (`LayerBudget.kept`).
        public var lastLayerShare: Double
        /// Epochs of linear step cool-down at the end (one layer; `--layers > 1`).
        public var cooldownEpochs: Int, layeredCooldownEpochs: Int
    }

    /// The table (published settings per task; the solver's recipe is the measured best
    /// except on inr, where the published solver fits images better than revival and the
    /// exact refinement, and the default run changes the width and the features instead).
    public static func of(_ task: TaskKind) -> TaskDefaults {
        switch task {
        case .planted:
            return .init(m: 10, s: 50, steps: 100, publishedSteps: 15, epochs: 15, batch: nil, baselineBatch: 1000,
                         loss: .squared, recipe: .search, mode: .sequential, solver: .scalar, metric: .psnr)
        case .files:
            return .init(m: 10, s: 50, steps: 100, publishedSteps: 15, epochs: 15, batch: nil, baselineBatch: 1000,
                         loss: .squared, recipe: .best, mode: .sequential, solver: .scalar, metric: .psnr)
        case .plantedDictionary:
            return .init(m: 10, s: 50, steps: 100, publishedSteps: 15, epochs: 15, batch: nil, baselineBatch: 1000,
                         loss: .squared, recipe: .best, mode: .convex, solver: .scalar, metric: .psnr)
        case .gaussian:
            return .init(m: 1, s: 50, steps: 100, publishedSteps: 15, epochs: 15, batch: nil, baselineBatch: 1000,
                         loss: .squared, recipe: .best, mode: .linear, solver: .scalar, metric: .psnr)
        case .binaryMNIST, .binaryCIFAR10:
            return .init(m: 100, s: 200, steps: 100, publishedSteps: 15, epochs: 15, batch: 1000, baselineBatch: 1000,
                         loss: .squared, recipe: .best, mode: .sequential, solver: .scalarLayered, metric: .testAccuracy)
        case .mnist:
            // Best: docs/measurements.md, "10-class step rules and layer-wise networks".
            return .init(m: 1000, s: 2000, steps: 100, publishedSteps: 15, epochs: 50, batch: 5000, baselineBatch: 5000,
                         loss: .crossEntropy, recipe: .best, mode: .sequential, solver: .vector, metric: .testAccuracy,
                         vectorBest: VectorRecipe(standardize: true, standardizedLR: 0.7, standardizedSeedScale: 10,
                                                  layeredLR: 0.7, layeredSeedScale: 10, supportSteps: 2, layeredSupportSteps: 1,
                                                  maxNeurons: 75, layeredMaxNeurons: 100, lastLayerMaxNeurons: 15,
                                                  lastLayerShare: 0.3, cooldownEpochs: 10, layeredCooldownEpochs: 0))
        case .inr:
            // The default run is the published solver on the published feature map plus a
            // constant feature, at m 50 (docs/measurements.md, "INR: fewer neurons and a
            // constant feature"); `--recipe published` keeps m 200 and no constant feature.
            return .init(m: 200, s: 1000, unpublishedM: 50, steps: 100, publishedSteps: 100, epochs: 100, batch: nil,
                         baselineBatch: nil, loss: .squared, recipe: .published, mode: .sequential, solver: .scalarLayered,
                         metric: .psnr)
        }
    }

    /// Epochs and largest batch of the planted task with `outputs > 1` (vector solver).
    public static let plantedVectorEpochs = 100, plantedVectorBatch = 5000
    /// Width of the baselines' dense network when `--m` is not given.
    public static let baselineWidth = 10

    /// One setting over the tasks for help texts, most common value first as the default:
    /// `default: 10; binary-mnist, binary-cifar10: 100; mnist: 1000; inr: 200`.
    public static func summary<T: Equatable>(_ setting: (TaskDefaults) -> T, tasks: [TaskKind] = TaskKind.allCases,
                                             show: (T) -> String = { "\($0)" }) -> String {
        var groups: [(value: T, tasks: [TaskKind])] = []
        for task in tasks {
            let v = setting(of(task))
            if let i = groups.firstIndex(where: { $0.value == v }) { groups[i].tasks.append(task) } else { groups.append((v, [task])) }
        }
        let ordered = groups.sorted { $0.tasks.count > $1.tasks.count }
        return ordered.enumerated().map { i, g in
            (i == 0 ? "default" : g.tasks.map(\.rawValue).joined(separator: ", ")) + ": " + show(g.value)
        }.joined(separator: "; ")
    }
}
