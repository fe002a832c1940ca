import Foundation

/// Loss of the vector-output model (docs/method.md section 3) and of the scalar solver
/// (`SolverOptions.loss`; see `ScalarLoss.swift` for the scalar convention).
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// Vector output: R = (Y_hat - Y) / n. Scalar: r = f - y.
    case squared
    /// Vector output: softmax, R = (softmax(Y_hat) - Y) / n. Scalar (one logit): binary
    /// cross-entropy, r = sigmoid(f) - y.
    case crossEntropy = "cross-entropy"

    /// Softmax cross-entropy of logits `p` (`n x k`) against targets `y` (`n x k`), summed
    /// over outputs and averaged over rows, with its gradient `(softmax(p) - y) / n`.
    public static func softmaxCrossEntropy(_ p: [Float], _ y: [Float], n: Int, k: Int) -> (loss: Double, gradient: [Float]) {
        var g = [Float](repeating: 0, count: p.count)
        var total = 0.0
        for i in 0..<n {
            let row = p[(i * k)..<((i + 1) * k)]
            let mx = row.max() ?? 0
            let e = row.map { Foundation.exp(Double($0 - mx)) }, z = e.reduce(0, +)
            for l in 0..<k {
                let prob = e[l] / z
                g[i * k + l] = Float((prob - Double(y[i * k + l])) / Double(n))
                if y[i * k + l] > 0 { total -= Double(y[i * k + l]) * Foundation.log(max(prob, 1e-300)) }
            }
        }
        return (total / Double(max(n, 1)), g)
    }
}
