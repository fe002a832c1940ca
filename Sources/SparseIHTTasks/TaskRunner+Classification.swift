import Foundation
import SparseIHTCore

extension TaskRunner {
    /// Two classes, scalar output on 0/1 labels (binary-mnist, binary-cifar10).
    static func binary<B: ComputeBackend>(_ spec: TaskSpec, data: TaskData, outputs: TaskOutputs,
                                          observer: TaskObserver, backend: B) throws -> TaskRun {
        let m = spec.resolvedM, s = spec.resolvedS
        let batch = spec.batch ?? spec.defaults.batch, e = spec.epochs ?? spec.defaults.epochs
        let t0 = Date()
        let (model, history) = try trainScalar(spec, x: data.x, y: data.y, n: data.n, d: data.d, batch: batch, epochs: e,
                                               scoring: data, observer: observer, backend: backend)
        let seconds = Date().timeIntervalSince(t0)
        let (testAcc, trainAcc) = try accuracies(model, data: data, backend: backend)
        var r = common(spec, backend: backend, n: data.n, d: data.d, m: m, s: s, seconds: seconds)
        r.dataset = spec.dataset; r.classes = data.classes.map(ClassesField.list)
        r.testN = data.scoreN; r.testAccuracy = testAcc; r.trainAccuracy = trainAcc
        r.epochs = e; r.loss = spec.resolvedScalarLoss.rawValue
        r.standardize = spec.resolvedStandardize; r.center = spec.center || spec.resolvedStandardize
        r.batch = batch.map { min($0, data.n) } ?? data.n; r.layers = spec.layers
        r.steps = history.count; r.secondsPerEpoch = seconds / Double(e * spec.layers)
        r.supportSize = model.nonzeros; r.denseNetworkBytes = (m * data.d + m) * 4
        r.psnr = history.last?.psnr ?? 0; r.relativeResidual = history.last?.relativeResidual ?? 0
        try saveOutputs(model, outputs, spec: spec, data: data)
        return TaskRun(report: r, summary: String(
            format: "test accuracy %.4f  train accuracy %.4f  (%d test examples)  nonzeros %d  %.2fs",
            testAcc, trainAcc, data.scoreN, model.nonzeros, seconds))
    }

    /// Ten classes (mnist): the vector-output solver with softmax cross-entropy by default.
    static func multiclass<B: ComputeBackend>(_ spec: TaskSpec, data: TaskData, outputs: TaskOutputs,
                                              observer: TaskObserver, backend: B) throws -> TaskRun {
        let m = spec.resolvedM, s = spec.resolvedS, k = data.k
        let loss = spec.loss ?? spec.defaults.loss
        let batch = spec.batch ?? spec.defaults.batch, e = spec.epochs ?? spec.defaults.epochs
        let t0 = Date()
        let (model, history, diverged) = try trainVector(spec, x: data.x, y: data.y, n: data.n, d: data.d, k: k, loss: loss,
                                                         batch: batch, epochs: e, scoring: data, observer: observer, backend: backend)
        let seconds = Date().timeIntervalSince(t0)
        let (testAcc, trainAcc) = try accuracies(model, data: data, backend: backend)
        var r = common(spec, backend: backend, n: data.n, d: data.d, m: m, s: s, seconds: seconds)
        r.dataset = spec.dataset; r.classes = .count(k)
        r.testN = data.scoreN; r.testAccuracy = testAcc; r.trainAccuracy = trainAcc
        r.epochs = e; r.batch = batch.map { min($0, data.n) } ?? data.n; r.layers = spec.layers; r.loss = loss.rawValue
        r.steps = e * spec.layers; r.secondsPerEpoch = seconds / Double(e * spec.layers)
        r.supportSize = model.nonzeros; r.diverged = diverged
        r.standardize = spec.resolvedStandardize; r.center = spec.center || spec.resolvedStandardize
        r.pixelScale = spec.pixelScale; r.lr = Float(spec.lr ?? { var o = VectorOptions(m: m, s: s); o.loss = loss; return o.effectiveLearningRate }())
        r.denseNetworkBytes = (m * data.d + m * k) * 4
        r.history = history.map { HistoryEntry($0, full: true) }
        let batches = BatchSchedule(n: data.n, batchSize: r.batch ?? data.n, seed: 0).batchesPerEpoch
        r.bytesPerBatchAfterFirstEpoch = history.count > 1 ? history[history.count - 1].bytesTransferred / max(1, batches) : 0
        try save(model, to: outputs.model, spec: spec, data: data)
        return TaskRun(report: r, summary: String(
            format: "test accuracy %.4f  train accuracy %.4f  (%d test examples)  nonzeros %d  %.2fs (%.2fs/epoch)",
            testAcc, trainAcc, data.scoreN, model.nonzeros, seconds, seconds / Double(e * spec.layers)))
    }

    /// Test and train accuracy of `model` on a classification task's data.
    static func accuracies<B: ComputeBackend>(_ model: LayeredModel, data: TaskData, backend: B) throws -> (test: Double, train: Double) {
        let test = data.score(try model.predict(x: data.scoreX, n: data.scoreN, backend: backend))
        let train = ClassificationMetrics.accuracy(scores: try model.predict(x: data.x, n: data.n, backend: backend),
                                                   k: data.k, labels: data.trainLabels ?? [])
        return (test, train)
    }
}
