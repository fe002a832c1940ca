/// Stall re-seeding (`SolverOptions.stallReseed`, `SolverOptions.reseedRule`).
extension IHTSolver {
    /// Zeroes neuron `j` of `w` and gives it a new generator in `bank` by
    /// `options.reseedRule`; `prediction` (length n) is the model's output on the step's
    /// data before the removal (the loss's prediction: for cross-entropy, probabilities).
    func reseed(_ j: Int, _ w: inout SparseWeights, bank: inout GeneratorBank, data: StepData, prediction: [Float]) {
        if options.reseedRule == .residual {
            bank.chosen[j] = residualGenerator(sign: bank.sign(j), data: data, prediction: prediction)
        }
        w.removeNeuron(j)
        bank.followedWeights = w
        bank.reseeded.insert(j)
    }

    /// `sign * X^T (y - prediction)` (`d` floats) on the host, in a fixed summation order
    /// (float64 sums over the rows of `X^T`), so both backends get the same generator.
    func residualGenerator(sign: Float, data: StepData, prediction: [Float]) -> [Float] {
        let n = data.n, d = problem.d
        let r = zip(data.y, prediction).map { Double($0) - Double($1) }
        var h = [Float](repeating: 0, count: d)
        data.hostXT.ensureAll()
        data.hostXT.transposed.withUnsafeBufferPointer { xt in
            for i in 0..<d {
                var acc = 0.0
                let row = i * n
                for t in 0..<n { acc += Double(xt[row + t]) * r[t] }
                h[i] = Float(acc) * sign
            }
        }
        return h
    }
}
