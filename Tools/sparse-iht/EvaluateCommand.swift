import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTData

/// Scores a saved model on any dataset.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Load a model saved by `recover --model` and score it on a dataset.",
        discussion: """
        Classification (binary-mnist, binary-cifar10, mnist): test accuracy on --on test|train of
        the same split rules as recover. inr: PSNR (peak 1) of the image. files: PSNR and relative
        residual of --x/--y (and accuracy when y holds 0/1 labels).
        """)

    @Option(help: "Model file written by `sparse-iht recover --model`.") var model: String
    @Option(help: "binary-mnist | binary-cifar10 | mnist | inr | files") var task: String
    @Option(help: "Dataset: mnist-sample, fashion, or a path.") var dataset: String = "mnist-sample"
    @Option(help: "Classes of a binary task (default 0,1).") var classes: String?
    @Option(help: "published | full") var split: String = "published"
    @Option(help: "Score the test or the train part.") var on: String = "test"
    @Option(help: "Image index for inr.") var image: Int = 0
    @Option var x: String?
    @Option var y: String?
    @Option(help: "Write the predictions (.npy, n x outputs).") var predictions: String?
    @Option(help: "Write the scores (JSON).") var json: String?
    @OptionGroup var backendOptions: BackendOptions

    func validate() throws {
        guard ["binary-mnist", "binary-cifar10", "mnist", "inr", "files"].contains(task) else {
            throw ValidationError("--task must be binary-mnist, binary-cifar10, mnist, inr or files")
        }
        guard on == "test" || on == "train" else { throw ValidationError("--on must be test or train") }
        guard RealTasks.Split(rawValue: split) != nil else { throw ValidationError("--split must be published or full") }
        if task == "files" && (x == nil || y == nil) { throw ValidationError("--task files needs --x and --y") }
        try validateClassList(classes)
    }

    func run() throws {
        let backend = try backendOptions.open()
        do { try evaluate(backend) } catch let e as SparseIHTError { throw CLIError(e.description) }
    }

    private func evaluate<B: ComputeBackend>(_ backend: B) throws {
        let file = try ModelFile.read(model)
        let net = try file.model(path: model)
        var doc: [String: Any] = ["model": model, "task": task, "dataset": dataset, "backend": backend.kind.rawValue,
                                  "device": backend.deviceDescription, "nonzeros": net.nonzeros]
        let inputD = file.layers.first?.d ?? 0
        func predict(_ rows: [Float], _ n: Int) throws -> [Float] {
            guard rows.count == n * inputD else {
                throw SparseIHTError.shapeMismatch("the model takes \(inputD) inputs, the data has \(rows.count / max(n, 1))")
            }
            let p = try net.predict(x: file.preprocess(rows), n: n, backend: backend)
            if let path = predictions { try NumPyFile.write(p, shape: [n, net.outputs], to: path) }
            return p
        }
        switch task {
        case "inr":
            guard let features = file.fourierFeatures, let sigmas = file.fourierSigmas else {
                throw SparseIHTError.invalidArgument("\(model) was not trained on the inr task (no Fourier features)")
            }
            let img = try RealTasks.image(dataset: dataset, index: image)
            let (rows, values) = try FourierFeatures.rows(of: img, features: features, sigmas: sigmas, seed: file.fourierSeed ?? 0)
            let fit = try predict(rows, values.count)
            doc["psnr"] = FitMetrics.psnr(prediction: fit, target: values, peak: 1)
            print(String(format: "psnr %.2f dB (peak 1)", doc["psnr"] as! Double))
        case "files":
            let problem = try DataFiles.regressionProblem(x: x!, y: y!)
            let fit = try predict(problem.x, problem.n)
            doc["psnr"] = FitMetrics.psnr(prediction: fit, target: problem.y)
            doc["relative_residual"] = FitMetrics.relativeResidual(prediction: fit, target: problem.y)
            var line = String(format: "psnr %.2f dB  relative residual %.3e", doc["psnr"] as! Double, doc["relative_residual"] as! Double)
            if problem.y.allSatisfy({ $0 == 0 || $0 == 1 }) {
                let acc = ClassificationMetrics.accuracy(scores: fit, k: 1, labels: problem.y.map { Int($0) })
                doc["accuracy"] = acc
                line += String(format: "  accuracy %.4f", acc)
            }
            print(line)
        default:
            let wanted = classes.flatMap(parseClassList) ?? (task == "mnist" ? nil : [0, 1])
            let data = try RealTasks.classification(dataset: dataset, classes: wanted, split: RealTasks.Split(rawValue: split)!)
            let part = on == "test" ? data.test : data.train
            let scores = try predict(part.x, part.n)
            let acc = ClassificationMetrics.accuracy(scores: scores, k: net.outputs, labels: part.labels)
            doc["accuracy"] = acc
            doc["n"] = part.n
            print(String(format: "accuracy %.4f on %d %@ examples", acc, part.n, on))
        }
        if let path = json { try writeJSON(doc, to: path) }
    }
}
