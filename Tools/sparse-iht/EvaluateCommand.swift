import ArgumentParser
import SparseIHTData
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
    @Option(help: "Dataset: mnist-sample, fashion, or a path.") var dataset: String = "mnist-sample"
    @Option(help: "Classes of a binary task (default 0,1).") var classes: String?
    @Option(help: "published | full") var split: RealTasks.Split = .published
    @Option(help: "Score the test or the train part.") var on: EvaluationPart = .test
    @Option(help: "Image index for inr.") var image: Int = 0
    @Option var x: String?
    @Option var y: String?
    @Option(help: "Write the predictions (.npy, n x outputs).") var predictions: String?
    @Option(help: "Write the scores (JSON).") var json: String?
    @OptionGroup var backendOptions: BackendOptions

    var spec: EvaluationSpec {
        var t = TaskSpec(task: task)
        t.dataset = dataset; t.classes = classes.flatMap(TaskSpec.parseClasses); t.split = split
        t.image = image; t.x = x; t.y = y
        var spec = EvaluationSpec(model: model, task: t)
        spec.on = on; spec.predictions = predictions
        return spec
    }

    func validate() throws {
        try validated { try spec.validate() }
        try validateClassList(classes)
    }

    func run() throws {
        let backend = try backendOptions.open()
        print(try reported { try Evaluation.run(spec, json: json, backend: backend) }.summary)
    }
}
