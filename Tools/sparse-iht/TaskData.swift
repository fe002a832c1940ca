import Foundation
import SparseIHTCore
import SparseIHTData

/// Training and scoring data of a task, shared by `baseline` (and matching `recover`'s
/// construction: same seeds, splits and features).
struct TaskData {
    var x: [Float], y: [Float], n: Int, d: Int, k: Int
    /// Rows the score is computed on (test set, or the training set for fitting tasks).
    var scoreX: [Float], scoreN: Int
    var loss: Loss
    /// `test_accuracy` or `psnr`.
    var metric: String
    var defaultEpochs: Int
    var defaultBatch: Int?
    var score: ([Float]) -> Double

    static func make<B: ComputeBackend>(task: String, dataset: String, classes: String?, split: String, image: Int,
                                        n: Int, d: Int, m: Int, plantedS: Int, seed: UInt64, x: String?, y: String?,
                                        preprocessing: RealTasks.Preprocessing = .init(), backend: B) throws -> TaskData {
        switch task {
        case "planted", "files":
            let problem: RegressionProblem
            if task == "planted" {
                problem = try PlantedProblems.plantedMLP(n: n, d: d, m: m, s: plantedS, seed: seed, backend: backend).problem
            } else {
                problem = try DataFiles.regressionProblem(x: x ?? "", y: y ?? "")
            }
            let target = problem.y
            return TaskData(x: problem.x, y: problem.y, n: problem.n, d: problem.d, k: 1, scoreX: problem.x, scoreN: problem.n,
                            loss: .squared, metric: "psnr", defaultEpochs: 15, defaultBatch: 1000,
                            score: { FitMetrics.psnr(prediction: $0, target: target) })
        case "inr":
            let img = try RealTasks.image(dataset: dataset, index: image)
            let (feats, values) = try FourierFeatures.rows(of: img, features: 750,
                                                       sigmas: FourierFeatures.publishedSigmas(channels: img.channels), seed: seed)
            return TaskData(x: feats, y: values, n: values.count, d: 1500, k: 1, scoreX: feats, scoreN: values.count,
                            loss: .squared, metric: "psnr", defaultEpochs: 100, defaultBatch: nil, score: { FitMetrics.psnr(prediction: $0, target: values, peak: 1) })
        default:
            let binary = task.hasPrefix("binary-")
            let wanted = classes.flatMap(parseClassList) ?? (binary ? [0, 1] : nil)
            var p = preprocessing
            p.perChannel = task == "binary-cifar10"
            let (data, _) = try RealTasks.preparedClassification(dataset: dataset, classes: wanted,
                                                                 split: RealTasks.Split(rawValue: split) ?? .published, preprocessing: p)
            let k = binary ? 1 : data.train.classes
            var targets = [Float](repeating: 0, count: data.train.n * k)
            for (i, l) in data.train.labels.enumerated() { if binary { targets[i] = Float(l) } else { targets[i * k + l] = 1 } }
            let labels = data.test.labels
            return TaskData(x: data.train.x, y: targets, n: data.train.n, d: data.train.d, k: k, scoreX: data.test.x,
                            scoreN: data.test.n, loss: binary ? .squared : .crossEntropy, metric: "test_accuracy",
                            defaultEpochs: binary ? 15 : 50, defaultBatch: binary ? 1000 : 5000,
                            score: { ClassificationMetrics.accuracy(scores: $0, k: k, labels: labels) })
        }
    }
}
