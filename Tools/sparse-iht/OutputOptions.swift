import ArgumentParser
import SparseIHTTasks

/// The files `recover` writes. All of them are checked before the run starts and written
/// together at its end (temporary names, then one rename each); `--log` streams during it.
struct OutputOptions: ParsableArguments {
    @Option(help: "Write the result document (JSON) here (inr: also the fitted image, .png beside it).") var json: String?
    @Option(help: "Save the trained model (JSON) for `sparse-iht evaluate`.") var model: String?
    @Option(help: "Write the recovered d x m first-layer matrix (.npy, float32) here (one-layer scalar runs: all tasks but mnist, --outputs > 1 and --layers > 1).")
    var weights: String?
    @Option(name: .customLong("sparse-weights"), help: "Write the support as PATH.indices.npy (int64 flat j*d+i) and PATH.values.npy (the runs of --weights).")
    var sparseWeights: String?
    @Option(help: "Stream one JSON record per step or epoch here (JSON lines, written as the run goes).") var log: String?
    @Flag(help: "No progress line.") var quiet = false

    var outputs: TaskOutputs { TaskOutputs(weights: weights, sparseWeights: sparseWeights, model: model, json: json) }

    /// Checks every path (exit 1 naming the option, before any work).
    func check() throws {
        var files = outputs.files
        if let log { files.append(("--log", log)) }
        try reported { try OutputCheck.check(files) }
    }
}
