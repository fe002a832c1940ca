@testable import SparseIHTCore
import SparseIHTCPU
import XCTest

/// The small softmax problem and training run the vector-solver rule tests share.
protocol VectorFixture {}

extension VectorFixture {
    /// Softmax targets from a planted 3-output network (argmax), 400 x 8.
    func problem(_ b: CPUBackend) throws -> (x: [Float], y: [Float], n: Int, d: Int, k: Int) {
        let n = 400, k = 3
        let planted = try PlantedProblems.plantedNetwork(n: n, d: 8, m: 4, s: 12, layers: 1, outputs: k, seed: 3, backend: b)
        var onehot = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            let row = Array(planted.y[(i * k)..<((i + 1) * k)])
            onehot[i * k + (row.indices.max { row[$0] < row[$1] } ?? 0)] = 1
        }
        return (planted.x, onehot, n, 8, k)
    }

    func options(_ change: (inout VectorOptions) -> Void = { _ in }) -> VectorOptions {
        var o = VectorOptions(m: 8, s: 60)
        o.epochs = 6; o.learningRate = 5; o.seed = 3; o.loss = .crossEntropy; o.batchSize = 100
        change(&o)
        return o
    }

    func train<B: ComputeBackend>(_ b: B, _ o: VectorOptions, _ p: (x: [Float], y: [Float], n: Int, d: Int, k: Int))
        throws -> (VectorModel, [EpochReport]) {
        var history: [EpochReport] = []
        let solver = try VectorIHTSolver(backend: b, x: p.x, y: p.y, n: p.n, d: p.d, k: p.k, options: o)
        solver.onEpoch = { history.append($0) }
        return (try solver.run(), history)
    }
}
