import Foundation
import SparseIHTCore
import SparseIHTData

/// Settings of `sparse-iht evaluate`: a saved model scored on a task's data.
public struct EvaluationSpec: Sendable {
    /// Model file written by `recover --model`.
    public var model: String
    /// Data settings: task, dataset, classes, split, image, x, y.
    public var task: TaskSpec
    /// The part of a classification split scored.
    public var on: EvaluationPart = .test
    /// Write the predictions (`.npy`, n x outputs) here.
    public var predictions: String?

    public init(model: String, task: TaskSpec, on: EvaluationPart = .test, predictions: String? = nil) {
        self.model = model; self.task = task; self.on = on; self.predictions = predictions
    }

    /// Checks the task and files before the model is read.
    public func validate() throws {
        guard task.task.isClassification || task.task == .inr || task.task == .files else {
            throw SparseIHTError.invalidArgument("--task must be binary-mnist, binary-cifar10, mnist, inr or files")
        }
        if task.task == .files && (task.x == nil || task.y == nil) { throw SparseIHTError.invalidArgument("--task files needs --x and --y") }
    }
}

/// `--on` of `evaluate`.
public enum EvaluationPart: String, Sendable, CaseIterable {
    case test, train
}

public enum Evaluation {
    /// Loads the model and scores it: accuracy (classification), PSNR with peak 1 (inr),
    /// PSNR and relative residual, plus accuracy when y holds 0/1 labels (files).
    /// The output paths are checked first, and `json` and the predictions are written
    /// together (`OutputStaging`). Throws when the model does not fit the task's data
    /// (`ModelMatch`); warnings (evaluation rows the model was trained on) go to `notice`.
    public static func run<B: ComputeBackend>(_ spec: EvaluationSpec, json: String? = nil, notice: (String) -> Void = { _ in },
                                              backend: B) throws -> TaskRun {
        try spec.validate()
        var files: [(option: String, path: String)] = []
        if let json { files.append(("--json", json)) }
        if let p = spec.predictions { files.append(("--predictions", p)) }
        try OutputCheck.check(files)
        return try OutputStaging.writing { staging in
            var staged = spec
            staged.predictions = spec.predictions.map { staging.stage($0) }
            return try score(staged, json: json.map { staging.stage($0) }, notice: notice, backend: backend)
        }
    }

    private static func score<B: ComputeBackend>(_ spec: EvaluationSpec, json: String?, notice: (String) -> Void,
                                                 backend: B) throws -> TaskRun {
        let file = try ModelFile.read(spec.model)
        let match = try ModelMatch(path: spec.model, file: file)
        try match.check(spec)
        if let warning = match.overlapWarning(spec) { notice(warning) }
        let net = try file.model(path: spec.model)
        let t = spec.task
        var r = RunReport()
        r.model = spec.model; r.task = t.task.rawValue; r.dataset = t.dataset
        r.backend = backend.kind.rawValue; r.device = backend.deviceDescription; r.nonzeros = net.nonzeros
        let inputD = file.layers.first?.d ?? 0
        func predict(_ rows: [Float], _ n: Int) throws -> [Float] {
            try match.check(dataWidth: rows.count / max(n, 1), classes: nil, spec: spec)
            guard rows.count == n * inputD else {
                throw SparseIHTError.shapeMismatch("the model takes \(inputD) inputs, the data has \(rows.count / max(n, 1))")
            }
            let p = try net.predict(x: file.preprocess(rows), n: n, backend: backend)
            if let path = spec.predictions { try NumPyFile.write(p, shape: [n, net.outputs], to: path) }
            return p
        }
        let line: String
        switch t.task {
        case .inr:
            guard let features = file.fourierFeatures, let sigmas = file.fourierSigmas else {
                throw SparseIHTError.invalidArgument("\(spec.model) was not trained on the inr task (no Fourier features)")
            }
            let img = try RealTasks.image(dataset: t.dataset, index: t.image)
            var (rows, values) = try FourierFeatures.rows(of: img, features: features, sigmas: sigmas, seed: file.fourierSeed ?? 0)
            if file.fourierConstant == true {
                rows = FourierFeatures.appendingConstant(rows, n: values.count, d: 2 * features)
            }
            let psnr = FitMetrics.psnr(prediction: try predict(rows, values.count), target: values, peak: 1)
            r.psnr = psnr
            line = String(format: "psnr %.2f dB (peak 1)", psnr)
        case .files:
            let problem = try DataFiles.regressionProblem(x: t.x ?? "", y: t.y ?? "")
            let fit = try predict(problem.x, problem.n)
            let psnr = FitMetrics.psnr(prediction: fit, target: problem.y)
            let residual = FitMetrics.relativeResidual(prediction: fit, target: problem.y)
            r.psnr = psnr; r.relativeResidual = residual
            var text = String(format: "psnr %.2f dB  relative residual %.3e", psnr, residual)
            if problem.y.allSatisfy({ $0 == 0 || $0 == 1 }) {
                let acc = ClassificationMetrics.accuracy(scores: fit, k: 1, labels: problem.y.map { Int($0) })
                r.accuracy = acc
                text += String(format: "  accuracy %.4f", acc)
            }
            line = text
        case .binaryMNIST, .binaryCIFAR10, .mnist:
            let data = try RealTasks.classification(dataset: t.dataset, classes: t.wantedClasses, split: t.split)
            let part = spec.on == .test ? data.test : data.train
            try match.check(dataWidth: part.d, classes: t.task == .mnist ? data.train.classes : nil, spec: spec)
            let acc = ClassificationMetrics.accuracy(scores: try predict(part.x, part.n), k: net.outputs, labels: part.labels)
            r.accuracy = acc; r.n = part.n
            line = String(format: "accuracy %.4f on %d %@ examples", acc, part.n, spec.on.rawValue)
        default:
            throw SparseIHTError.invalidArgument("evaluate takes binary-mnist, binary-cifar10, mnist, inr or files, not \(t.task.rawValue)")
        }
        if let json { try r.write(to: json) }
        return TaskRun(report: r, summary: line)
    }
}
