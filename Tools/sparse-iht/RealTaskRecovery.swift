import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData

extension RecoverCommand {
    /// Real-data tasks, vector-output and multi-layer runs.
    func recoverReal<B: ComputeBackend>(on backend: B) throws {
        switch task {
        case "binary-mnist", "binary-cifar10": try binaryClassification(on: backend)
        case "mnist": try multiclass(on: backend)
        case "inr": try implicitRepresentation(on: backend)
        case "planted": try plantedDeepOrVector(on: backend)
        default: throw ValidationError("--layers > 1 applies to planted and the real-data tasks, not \(task)")
        }
    }

    /// Trains `layers` layers on (x, targets) with the scalar solver; minibatch when `batch`.
    func trainScalar<B: ComputeBackend>(x: [Float], y: [Float], n: Int, d: Int, m: Int, s: Int, batch: Int?,
                                        epochs: Int?, backend: B, progress: ProgressLine) throws -> (LayeredModel, [StepReport]) {
        var history: [StepReport] = []
        let loss = chosenLoss(default: .squared)
        var model = try LayerwiseTraining.train(x: x, n: n, d: d, layers: layers, s: s, backend: backend) { f, width, budget, layer in
            if layer == 0, budget > m * width {  // later layers' widths are only known now: clamp those
                throw SparseIHTError.invalidArgument("s = \(s) exceeds the first layer's m*d = \(m * width) candidate weights")
            }
            var o = scalarOptions(m: m, s: min(budget, m * width), mode: .sequential)
            o.batchSize = batch.map { min($0, n) }
            if let e = epochs { o.steps = e * BatchSchedule(n: n, batchSize: o.batchSize, seed: seed).batchesPerEpoch }
            let solver = try IHTSolver(backend: backend, problem: try RegressionProblem(x: f, y: y, n: n, d: width), options: o)
            solver.onStep = { r in progress.show(r); history.append(r) }
            let r = try solver.run()
            return .scalar(ScalarModel(weights: r.weights, generators: r.generators))
        }
        model.sigmoidOutput = loss == .crossEntropy
        progress.finish()
        return (model, history)
    }

    /// Trains `layers` layers with the vector-output solver.
    func trainVector<B: ComputeBackend>(x: [Float], y: [Float], n: Int, d: Int, k: Int, m: Int, s: Int, loss: Loss,
                                        batch: Int?, epochs: Int, backend: B) throws -> (LayeredModel, [EpochReport], diverged: [[String: Any]]) {
        var history: [EpochReport] = []
        var diverged: [[String: Any]] = []
        let live = ProgressLine(quiet: quiet)
        let model = try LayerwiseTraining.train(x: x, n: n, d: d, layers: layers, s: s, backend: backend) { f, width, budget, layer in
            if layer == 0, budget > m * (width + k) {
                throw SparseIHTError.invalidArgument("s = \(s) exceeds the first layer's m*(d+k) = \(m * (width + k)) weights")
            }
            var o = VectorOptions(m: m, s: min(budget, m * (width + k)))
            o.loss = loss; o.learningRate = lr; o.epochs = epochs; o.batchSize = batch.map { min($0, n) }
            o.mode = mode.flatMap(GateMode.init(rawValue:)) ?? .sequential
            o.chunk = chunk; o.seed = seed
            o.ranking = VectorOptions.Ranking(rawValue: ranking)!; o.outputShare = outputShare
            let solver = try VectorIHTSolver(backend: backend, x: f, y: y, n: n, d: width, k: k, options: o)
            var layerHistory: [EpochReport] = []
            solver.onEpoch = { r in live.showEpoch(r); layerHistory.append(r) }
            let trained = try solver.run()
            history += layerHistory
            if let (r, lowest) = EpochReport.divergence(in: layerHistory) {
                diverged.append(["layer": layer + 1, "epoch": r.epoch, "loss": r.loss, "lowest_before": lowest])
                live.finish()
                notice(String(format: "warning: layer %d diverged at epoch %d (loss %.4g after a lowest %.4g): the fixed step (--lr %@) is too large for this data",
                              layer + 1, r.epoch, r.loss, lowest, lr.map { String($0) } ?? "default"))
            }
            return .vector(trained)
        }
        live.finish()
        return (model, history, diverged)
    }

    func binaryClassification<B: ComputeBackend>(on backend: B) throws {
        let started = Date()
        let wanted = classes.flatMap(parseClassList) ?? [0, 1]
        guard wanted.count == 2 else { throw ValidationError("\(task) needs exactly two --classes") }
        let (data, scaling) = try prepared(classes: wanted)
        let (m, s) = (self.m ?? defaults.m, self.s ?? defaults.s)
        let y = data.train.labels.map { Float($0) }
        let t0 = Date()
        let (model, history) = try trainScalar(x: data.train.x, y: y, n: data.train.n, d: data.train.d, m: m, s: s,
                                               batch: batch ?? 1000, epochs: epochs ?? 15, backend: backend,
                                               progress: ProgressLine(quiet: quiet))
        let seconds = Date().timeIntervalSince(t0)
        let testScores = try model.predict(x: data.test.x, n: data.test.n, backend: backend)
        let trainScores = try model.predict(x: data.train.x, n: data.train.n, backend: backend)
        let testAcc = ClassificationMetrics.accuracy(scores: testScores, k: 1, labels: data.test.labels)
        let trainAcc = ClassificationMetrics.accuracy(scores: trainScores, k: 1, labels: data.train.labels)
        var doc = commonDocument(backend: backend, n: data.train.n, d: data.train.d, m: m, s: s, seconds: seconds, started: started)
        let e = epochs ?? 15
        doc.merge(["dataset": dataset, "classes": wanted, "test_n": data.test.n, "test_accuracy": testAcc,
                   "train_accuracy": trainAcc, "epochs": e, "loss": loss ?? "squared", "standardize": standardize,
                   "center": center || standardize, "batch": min(batch ?? 1000, data.train.n), "layers": layers,
                   "steps": history.count, "seconds_per_epoch": seconds / Double(e * layers),
                   "support_size": model.nonzeros, "dense_network_bytes": (m * data.train.d + m) * 4,
                   "psnr": history.last?.psnr ?? 0, "relative_residual": history.last?.relativeResidual ?? 0]) { $1 }
        try finish(doc, model: model, scaling: scaling,
                   summary: String(format: "test accuracy %.4f  train accuracy %.4f  (%d test examples)  nonzeros %d  %.2fs",
                                   testAcc, trainAcc, data.test.n, model.nonzeros, seconds))
    }

    func multiclass<B: ComputeBackend>(on backend: B) throws {
        let started = Date()
        let wanted = classes.flatMap(parseClassList)
        let (data, scaling) = try prepared(classes: wanted)
        let (m, s) = (self.m ?? defaults.m, self.s ?? defaults.s)
        let k = data.train.classes
        var onehot = [Float](repeating: 0, count: data.train.n * k)
        for (i, l) in data.train.labels.enumerated() { onehot[i * k + l] = 1 }
        let lossKind = chosenLoss(default: .crossEntropy)
        let e = epochs ?? 50
        let t0 = Date()
        let (model, history, diverged) = try trainVector(x: data.train.x, y: onehot, n: data.train.n, d: data.train.d, k: k, m: m, s: s,
                                               loss: lossKind, batch: batch ?? 5000, epochs: e, backend: backend)
        let seconds = Date().timeIntervalSince(t0)
        let testAcc = ClassificationMetrics.accuracy(scores: try model.predict(x: data.test.x, n: data.test.n, backend: backend),
                                                     k: k, labels: data.test.labels)
        let trainAcc = ClassificationMetrics.accuracy(scores: try model.predict(x: data.train.x, n: data.train.n, backend: backend),
                                                      k: k, labels: data.train.labels)
        var doc = commonDocument(backend: backend, n: data.train.n, d: data.train.d, m: m, s: s, seconds: seconds, started: started)
        doc.merge(["dataset": dataset, "classes": k, "test_n": data.test.n, "test_accuracy": testAcc, "train_accuracy": trainAcc,
                   "epochs": e, "batch": min(batch ?? 5000, data.train.n), "layers": layers, "loss": lossKind.rawValue,
                   "steps": e * layers, "seconds_per_epoch": seconds / Double(e * layers), "support_size": model.nonzeros,
                   "diverged": diverged,
                   "dense_network_bytes": (m * data.train.d + m * k) * 4,
                   "history": history.map { ["epoch": $0.epoch, "loss": $0.loss, "support": $0.supportSize,
                                             "active_neurons": $0.activeNeurons, "seconds": $0.seconds] as [String: Any] }]) { $1 }
        try finish(doc, model: model, scaling: scaling,
                   summary: String(format: "test accuracy %.4f  train accuracy %.4f  (%d test examples)  nonzeros %d  %.2fs (%.2fs/epoch)",
                                   testAcc, trainAcc, data.test.n, model.nonzeros, seconds, seconds / Double(e * layers)))
    }

    func implicitRepresentation<B: ComputeBackend>(on backend: B) throws {
        let started = Date()
        let img = try RealTasks.image(dataset: dataset, index: image)
        // The feature matrix is (pixels x channels) x 2*features floats, and the training
        // holds a second copy on the backend: refuse what cannot fit rather than be killed.
        let featureBytes = Double(img.width * img.height * img.channels) * 2 * Double(fourierFeatures) * 4
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        if physical > 0 && 2 * featureBytes > 0.8 * physical {
            throw CLIError(String(format: "inr: a %d x %d x %d image with %d Fourier features needs %.1f GiB of features (twice: host and backend), more than this machine's %.1f GiB allow; use a smaller image or fewer --fourier-features",
                                         img.width, img.height, img.channels, fourierFeatures, featureBytes / 1_073_741_824,
                                         physical / 1_073_741_824))
        }
        let sigmas = FourierFeatures.publishedSigmas(channels: img.channels, gray: sigma)
        let (x, values) = try FourierFeatures.rows(of: img, features: fourierFeatures, sigmas: sigmas, seed: seed)
        let n = values.count, dIn = 2 * fourierFeatures
        let (m, s) = (self.m ?? defaults.m, self.s ?? defaults.s)
        let t0 = Date()
        let (model, history) = try trainScalar(x: x, y: values, n: n, d: dIn, m: m, s: s, batch: batch,
                                               epochs: nil, backend: backend, progress: ProgressLine(quiet: quiet))
        let seconds = Date().timeIntervalSince(t0)
        let fit = try model.predict(x: x, n: n, backend: backend)
        let psnr = FitMetrics.psnr(prediction: fit, target: values, peak: 1)
        var doc = commonDocument(backend: backend, n: n, d: dIn, m: m, s: s, seconds: seconds, started: started)
        doc.merge(["dataset": dataset, "image": image, "width": img.width, "height": img.height, "channels": img.channels,
                   "psnr": psnr, "psnr_peak": 1, "relative_residual": FitMetrics.relativeResidual(prediction: fit, target: values),
                   "steps": history.count, "layers": layers, "support_size": model.nonzeros, "sigma": sigmas,
                   "dense_network_bytes": (m * dIn + m) * 4,
                   "history": history.map { ["step": $0.step, "psnr": $0.psnr] as [String: Any] }]) { $1 }
        try finish(doc, model: model, fourier: (fourierFeatures, sigmas),
                   summary: String(format: "psnr %.2f dB (peak 1)  steps %d  nonzeros %d  %.2fs",
                                   psnr, history.count, model.nonzeros, seconds))
    }

    /// planted with --outputs K (vector output) or --layers L (a planted L-layer network).
    func plantedDeepOrVector<B: ComputeBackend>(on backend: B) throws {
        let started = Date()
        let (m, s) = (self.m ?? defaults.m, self.s ?? defaults.s)
        let planted = try PlantedProblems.plantedNetwork(n: n, d: d, m: m, s: plantedS ?? s, layers: layers,
                                                         outputs: outputs, seed: seed, backend: backend)
        let t0 = Date()
        let model: LayeredModel
        var extra: [String: Any] = [:]
        if outputs == 1 {
            let (mdl, history) = try trainScalar(x: planted.x, y: planted.y, n: n, d: d, m: m, s: s, batch: batch,
                                                 epochs: epochs, backend: backend, progress: ProgressLine(quiet: quiet))
            model = mdl
            extra["steps"] = history.count
        } else {
            let e = epochs ?? 100
            let (mdl, history, diverged) = try trainVector(x: planted.x, y: planted.y, n: n, d: d, k: outputs, m: m, s: s,
                                                 loss: chosenLoss(default: .squared),
                                                 batch: batch ?? min(5000, n), epochs: e, backend: backend)
            model = mdl
            extra["steps"] = e * layers
            extra["history"] = history.map { ["epoch": $0.epoch, "loss": $0.loss, "support": $0.supportSize] as [String: Any] }
            extra["diverged"] = diverged
        }
        let seconds = Date().timeIntervalSince(t0)
        let fit = try model.predict(x: planted.x, n: n, backend: backend)
        let psnr = FitMetrics.psnr(prediction: fit, target: planted.y)
        var doc = commonDocument(backend: backend, n: n, d: d, m: m, s: s, seconds: seconds, started: started)
        doc.merge(extra) { $1 }
        doc.merge(["psnr": psnr, "relative_residual": FitMetrics.relativeResidual(prediction: fit, target: planted.y),
                   "outputs": outputs, "layers": layers, "support_size": model.nonzeros,
                   "dense_network_bytes": (m * d + m * outputs + (layers - 1) * m * m) * 4]) { $1 }
        try finish(doc, model: model, summary: String(format: "psnr %.2f dB  outputs %d  layers %d  nonzeros %d  %.2fs",
                                                      psnr, outputs, layers, model.nonzeros, seconds))
    }

    /// The task's train/test data of `classes`, preprocessed by the flags (binary-cifar10:
    /// per-channel standardization as published).
    func prepared(classes: [Int]?) throws -> (DataSplit, InputScaling) {
        let p = RealTasks.Preprocessing(pixelScale: pixelScale, center: center, standardize: standardize,
                                        perChannel: task == "binary-cifar10")
        return try RealTasks.preparedClassification(dataset: dataset, classes: classes, split: RealTasks.Split(rawValue: split)!,
                                                    preprocessing: p)
    }

    /// Writes the JSON document and the model file, prints the summary.
    func finish(_ doc: [String: Any], model: LayeredModel, scaling: InputScaling = InputScaling(),
                fourier: (Int, [Double])? = nil, summary: String) throws {
        if let path = self.model {
            var file = ModelFile(model)
            file.inputDivisor = scaling.divisor
            file.inputMean = scaling.shift
            if let (features, sigmas) = fourier {
                file.fourierFeatures = features; file.fourierSigmas = sigmas; file.fourierSeed = seed
            }
            try file.write(to: path)
        }
        if let path = json { try writeJSON(doc, to: path) }
        print(summary)
    }
}
