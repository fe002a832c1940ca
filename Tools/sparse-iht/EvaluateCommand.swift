import ArgumentParser
import SparseIHTTasks

/// Scores a saved model on any dataset.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Load a model saved by `recover --model` and score it on a dataset.",
        discussion: CommandHelp.evaluate)

    @Option(help: "Model file written by `sparse-iht recover --model`.") var model: String
    @Option(help: "binary-mnist | binary-cifar10 | mnist | inr | files") var task: TaskKind
    @OptionGroup(title: "Data") var data: DatasetOptions
    @Option(help: "Score the test or the train part.") var on: EvaluationPart = .test
    @Option(help: "Write the predictions (.npy, n x outputs).") var predictions: String?
    @Option(help: "Write the scores (JSON).") var json: String?
    @OptionGroup(title: "Backend") var backendOptions: BackendOptions

    var spec: EvaluationSpec { EvaluationSpec(model: model, task: data.spec(task), on: on, predictions: predictions) }

    func validate() throws { try validated { try spec.validate() } }

    func run() throws {
        print(try reported { try CommandRuns.evaluate(spec, json: json, backend: backendOptions.request) }.summary)
    }
}
