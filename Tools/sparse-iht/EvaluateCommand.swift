import ArgumentParser
import SparseIHTTasks

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
    @Option(help: "binary-mnist | binary-cifar10 | mnist | inr | files") var task: TaskKind
    @OptionGroup var data: DatasetOptions
    @Option(help: "Score the test or the train part.") var on: EvaluationPart = .test
    @Option(help: "Write the predictions (.npy, n x outputs).") var predictions: String?
    @Option(help: "Write the scores (JSON).") var json: String?
    @OptionGroup var backendOptions: BackendOptions

    var spec: EvaluationSpec {
        var spec = EvaluationSpec(model: model, task: data.spec(task))
        spec.on = on; spec.predictions = predictions
        return spec
    }

    func validate() throws { try validated { try spec.validate() } }

    func run() throws {
        let backend = try backendOptions.open()
        print(try reported { try Evaluation.run(spec, json: json, backend: backend) }.summary)
    }
}
