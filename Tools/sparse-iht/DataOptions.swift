import ArgumentParser
import SparseIHTData
import SparseIHTTasks

/// Where a task's data comes from: the flags of `recover`, `baseline` and `evaluate`.
struct DatasetOptions: ParsableArguments {
    @Option(help: "Data matrix X (n x d) as .npy or IDX (task files).") var x: String?
    @Option(help: "Targets y (length n) as .npy or IDX (task files).") var y: String?
    @Option(help: "Dataset of a real-data task: mnist-sample, fashion, or a path.") var dataset: String = "mnist-sample"
    @Option(help: "Classes of a binary task, e.g. 0,1 (default 0,1).") var classes: String?
    @Option(help: "published (per class 5000/1000 from the training file; 400/100 for mnist-sample) | full (the files' train/test sets).")
    var split: RealTasks.Split = .published
    @Option(parsing: .unconditional, help: "Image index for inr from a dataset (default: 0).", transform: Numeric.int(0)) var image: Int = 0

    func validate() throws { try validated { try TaskSpec.checkClasses(classes) } }

    /// `TaskSpec` of `task` reading this data.
    func spec(_ task: TaskKind) -> TaskSpec {
        var s = TaskSpec(task: task)
        s.x = x; s.y = y; s.dataset = dataset; s.classes = classes.flatMap(TaskSpec.parseClasses); s.split = split; s.image = image
        return s
    }
}

/// The data flags of `recover` and `baseline`: the dataset, synthetic sizes, preprocessing, seed.
struct DataOptions: ParsableArguments {
    @OptionGroup var source: DatasetOptions
    @Option(parsing: .unconditional, help: "Examples (synthetic tasks) (default: 5000).", transform: Numeric.int()) var n: Int = 5000
    @Option(parsing: .unconditional, help: "Input dimension (synthetic tasks) (default: 100).", transform: Numeric.int()) var d: Int = 100
    @Option(name: .customLong("planted-s"), parsing: .unconditional, help: "Nonzeros of the planted network (default: --s).",
            transform: Numeric.int()) var plantedS: Int?
    @Option(name: .customLong("pixel-scale"), parsing: .unconditional,
            help: "Divide classification inputs by this (1: raw pixels, the published setting; 255: [0, 1]) (default: 1).",
            transform: Numeric.float(above: 0)) var pixelScale: Float = 1
    @Flag(help: "Subtract the training set's per-feature mean from classification inputs.") var center = false
    @Flag(inversion: .prefixedNo, help: "Centre and divide classification inputs by the training set's per-feature standard deviation (floored at 0.1 x the largest) (default: on for binary tasks except with --recipe published).")
    var standardize: Bool?
    @Option(parsing: .unconditional, help: "Random seed (data and solver), 0 to 2^64-1 (default: 0).", transform: Numeric.seed) var seed: UInt64 = 0

    func spec(_ task: TaskKind) -> TaskSpec {
        var s = source.spec(task)
        s.n = n; s.d = d; s.plantedS = plantedS; s.pixelScale = pixelScale; s.center = center; s.standardize = standardize; s.seed = seed
        return s
    }
}
