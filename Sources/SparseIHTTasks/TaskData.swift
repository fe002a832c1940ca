import Foundation
import SparseIHTCore
import SparseIHTData

/// A task's training and scoring data, built once per run by `TaskData.make` and used by
/// IHT runs and the baselines alike (same seeds, splits, features and preprocessing).
public struct TaskData: Sendable {
    /// Training rows (`n x d`, row-major) and targets (`n x k`: values, 0/1 labels or one-hot).
    public var x: [Float], y: [Float], n: Int, d: Int, k: Int
    /// Rows the score is computed on (the test set; the training rows for fitting tasks).
    public var scoreX: [Float], scoreN: Int
    /// Labels of the scored rows and of the training rows (classification).
    public var scoreLabels: [Int]?, trainLabels: [Int]?
    /// Planted truth (synthetic tasks) and whether recovery is scored up to neuron order.
    public var truth: SparseWeights?, permutationInvariant = false
    /// The regression problem of synthetic and files tasks.
    public var problem: RegressionProblem?
    /// Classification: input scaling to save with a model; the classes asked for.
    public var scaling = InputScaling(), classes: [Int]?
    /// inr: the image (width, height, channels) and the Fourier scales used (on unit
    /// coordinates row/H, col/W).
    public var image: (width: Int, height: Int, channels: Int)?, sigmas: [Double]?
    /// inr with a held-out fraction: the held-out rows (`heldoutN x d`) and targets, and
    /// which sample (pixel, or pixel and channel) each training and held-out row is.
    public var heldout: (x: [Float], y: [Float], n: Int)?, trainSamples: [Int]?, heldoutSamples: [Int]?
    public var metric: TaskMetric

    /// The score of predictions on `scoreX` (`scoreN x k`): PSNR (inr: peak 1) or accuracy.
    public func score(_ prediction: [Float]) -> Double {
        if let labels = scoreLabels { return ClassificationMetrics.accuracy(scores: prediction, k: k, labels: labels) }
        return FitMetrics.psnr(prediction: prediction, target: y, peak: image == nil ? nil : 1)
    }

    /// Builds the data of `spec.task`. `m` and `plantedS` size the planted network;
    /// `plantedNetwork` asks for the layered / vector planted network of `spec.layers` and
    /// `spec.outputs` (else the one-layer planted MLP).
    public static func make<B: ComputeBackend>(_ spec: TaskSpec, m: Int, plantedS: Int, plantedNetwork: Bool = false,
                                               backend: B) throws -> TaskData {
        switch spec.task {
        case .planted where plantedNetwork:
            let p = try PlantedProblems.plantedNetwork(n: spec.n, d: spec.d, m: m, s: plantedS, layers: spec.layers,
                                                       outputs: spec.outputs, seed: spec.seed, backend: backend)
            return TaskData(x: p.x, y: p.y, n: spec.n, d: spec.d, k: spec.outputs, scoreX: p.x, scoreN: spec.n, metric: .psnr)
        case .planted, .plantedDictionary, .gaussian, .files:
            let planted: PlantedProblem?
            switch spec.task {
            case .planted:
                if let angle = spec.plantedAngle {
                    planted = try PlantedProblems.plantedMLP(n: spec.n, d: spec.d, m: m, s: plantedS, seed: spec.seed,
                                                             angleDegrees: angle, backend: backend)
                } else {
                    planted = try PlantedProblems.plantedMLP(n: spec.n, d: spec.d, m: m, s: plantedS, seed: spec.seed, backend: backend)
                }
            case .plantedDictionary:
                planted = try PlantedProblems.plantedDictionary(n: spec.n, d: spec.d, m: m, s: plantedS, seed: spec.seed,
                                                                solverSeed: spec.seed, backend: backend)
            case .gaussian: planted = try PlantedProblems.gaussianSensing(n: spec.n, d: spec.d, s: plantedS, seed: spec.seed)
            default: planted = nil
            }
            let problem = try planted?.problem ?? DataFiles.regressionProblem(x: spec.x ?? "", y: spec.y ?? "")
            var data = TaskData(x: problem.x, y: problem.y, n: problem.n, d: problem.d, k: 1, scoreX: problem.x,
                                scoreN: problem.n, metric: .psnr)
            data.problem = problem
            data.truth = planted?.truth
            data.permutationInvariant = spec.task == .planted
            return data
        case .inr:
            let img = try RealTasks.image(dataset: spec.dataset, index: spec.image)
            try checkFeatureMemory(width: img.width, height: img.height, channels: img.channels, features: spec.fourierFeatures)
            let sigmas = FourierFeatures.unitSigmas(FourierFeatures.publishedSigmas(channels: img.channels, gray: spec.sigma),
                                                    coordinates: spec.resolvedCoordinates, width: img.width, height: img.height)
            var (x, values) = try FourierFeatures.rows(of: img, features: spec.fourierFeatures, sigmas: sigmas, seed: spec.seed)
            var d = 2 * spec.fourierFeatures
            if spec.resolvedConstantFeature {
                x = FourierFeatures.appendingConstant(x, n: values.count, d: d)
                d += 1
            }
            return try inrData(x: x, values: values, d: d, holdout: spec.holdout, seed: spec.seed,
                               image: (img.width, img.height, img.channels), sigmas: sigmas)
        case .binaryMNIST, .mnist, .binaryCIFAR10:
            let wanted = spec.wantedClasses
            if spec.task.isBinary, wanted?.count != 2 {
                throw SparseIHTError.invalidArgument("\(spec.task.rawValue) needs exactly two --classes")
            }
            let (split, scaling) = try RealTasks.preparedClassification(dataset: spec.dataset, classes: wanted,
                                                                        split: spec.split, preprocessing: spec.preprocessing)
            let k = spec.task.isBinary ? 1 : split.train.classes
            var targets = [Float](repeating: 0, count: split.train.n * k)
            for (i, l) in split.train.labels.enumerated() {
                if k == 1 { targets[i] = Float(l) } else { targets[i * k + l] = 1 }
            }
            var data = TaskData(x: split.train.x, y: targets, n: split.train.n, d: split.train.d, k: k,
                                scoreX: split.test.x, scoreN: split.test.n, metric: .testAccuracy)
            data.scoreLabels = split.test.labels
            data.trainLabels = split.train.labels
            data.scaling = scaling
            data.classes = wanted
            return data
        }
    }

    /// The feature matrix is (pixels x channels) x 2*features floats, and training holds a
    /// second copy on the backend: refuse what cannot fit rather than be killed.
    static func checkFeatureMemory(width: Int, height: Int, channels: Int, features: Int) throws {
        let featureBytes = Double(width * height * channels) * Double(2 * features) * 4
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        if physical > 0 && 2 * featureBytes > 0.8 * physical {
            throw SparseIHTError.invalidArgument(String(
                format: "inr: a %d x %d x %d image with %d Fourier features needs %.1f GiB of features (twice: host and backend), more than this machine's %.1f GiB allow; use a smaller image or fewer --fourier-features",
                width, height, channels, features, featureBytes / 1_073_741_824, physical / 1_073_741_824))
        }
    }
}
