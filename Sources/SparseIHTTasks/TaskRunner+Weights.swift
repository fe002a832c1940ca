import SparseIHTCore

extension TaskSpec {
    /// True when the run ends in one scalar layer, whose `d x m` input weights `--weights`
    /// and `--sparse-weights` write (every task but mnist, planted `--outputs > 1` and
    /// `--layers > 1`, whose models hold more than one matrix: `--model` saves them).
    public var writesWeightMatrix: Bool { task != .mnist && outputs == 1 && layers == 1 }

    /// Checks `outputs` against this run before any work: the paths (`OutputCheck`) and
    /// that `--weights` / `--sparse-weights` are asked only of runs that produce one matrix.
    public func checkOutputs(_ outputs: TaskOutputs) throws {
        try outputs.check()
        if (outputs.weights != nil || outputs.sparseWeights != nil) && !writesWeightMatrix {
            let why = task == .mnist ? "mnist trains two matrices (input and output weights)"
                : self.outputs > 1 ? "--outputs \(self.outputs) trains two matrices (input and output weights)"
                : "--layers \(layers) trains \(layers) layers"
            throw SparseIHTError.invalidArgument("--weights and --sparse-weights write one d x m matrix, but \(why); save them with --model")
        }
    }
}

extension TaskRunner {
    /// Writes the model and, for one scalar layer, its input weights (`d x m` dense and the
    /// sparse support) as asked by `outputs`. The weights act on preprocessed inputs (the
    /// model file's `inputDivisor` / `inputMean`; inr: the Fourier features).
    static func saveOutputs(_ model: LayeredModel, _ outputs: TaskOutputs, spec: TaskSpec, data: TaskData) throws {
        try save(model, to: outputs.model, spec: spec, data: data)
        guard outputs.weights != nil || outputs.sparseWeights != nil else { return }
        guard model.hidden.isEmpty, case .scalar(let layer) = model.output else {
            throw SparseIHTError.invalidArgument("--weights and --sparse-weights need a one-layer scalar model")
        }
        let w = layer.weights
        if let path = outputs.weights { try NumPyFile.write(w.denseInputByNeuron(), shape: [w.d, w.m], to: path) }
        if let path = outputs.sparseWeights {
            try NumPyFile.write(w.indices.map { Int64($0) }, shape: [w.count], to: path + ".indices.npy")
            try NumPyFile.write(w.values, shape: [w.count], to: path + ".values.npy")
        }
    }
}
