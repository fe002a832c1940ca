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
        residual of --x/--y (and accuracy when y holds 0/1 labels). A model that does not fit the
        task (another task or classes, a different number of outputs or input width) is refused;
        scoring rows the model was trained on (by its recorded split) prints a warning.
        """)

    @Option(help: "Model file written by `sparse-iht recover --model`.") var model: String
    @Option(help: "binary-mnist | binary-cifar10 | mnist | inr | files") var task: TaskKind
    @OptionGroup(title: "Data") var data: DatasetOptions
    @Option(help: "Score the test or the train part.") var on: EvaluationPart = .test
    @Option(help: "Write the predictions (.npy, n x outputs).") var predictions: String?
    @Option(help: "Write the scores (JSON).") var json: String?
    @OptionGroup(title: "Backend") var backendOptions: BackendOptions

    var spec: EvaluationSpec {
        var spec = EvaluationSpec(model: model, task: data.spec(task))
        spec.on = on; spec.predictions = predictions
        return spec
    }

    func validate() throws { try validated { try spec.validate() } }

    func run() throws {
        var files: [(option: String, path: String)] = []
        if let json { files.append(("--json", json)) }
        if let predictions { files.append(("--predictions", predictions)) }
        try reported { try OutputCheck.check(files) }
        Interruption.install()
        let backend = try backendOptions.open()
        print(try reported { try Evaluation.run(spec, json: json, notice: notice, backend: backend) }.summary)
    }
}
