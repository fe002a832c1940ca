import SparseIHTCore
import SparseIHTData

extension TaskData {
    /// The samples held out of an inr fit: `round(fraction * n)` distinct indices in
    /// 0..<n, ascending, drawn by a seeded partial Fisher-Yates shuffle (same seed, same
    /// split; the feature map's generator is not touched).
    public static func heldoutSamples(n: Int, fraction: Double, seed: UInt64) -> [Int] {
        let count = min(n, max(0, Int((fraction * Double(n)).rounded())))
        guard count > 0 else { return [] }
        var rng = SeededGenerator(seed: seed ^ 0x484F_4C44_4F55_5421)  // "HOLDOUT!"
        var order = Array(0..<n)
        for i in 0..<count {
            let j = i + Int(rng.next() % UInt64(n - i))
            order.swapAt(i, j)
        }
        return order[0..<count].sorted()
    }

    /// The inr task's data from feature rows `x` (`n x d`: `2*features`, plus one with the
    /// constant feature) and targets `values`:
    /// all rows train and are scored when `holdout` is 0; else a seeded `holdout` fraction
    /// of the rows is kept apart in `heldout` and the rest train (and are scored as `psnr`).
    static func inrData(x: [Float], values: [Float], d: Int, holdout: Double, seed: UInt64,
                        image: (width: Int, height: Int, channels: Int), sigmas: [Double]) throws -> TaskData {
        let n = values.count
        let held = heldoutSamples(n: n, fraction: holdout, seed: seed)
        guard held.count < n else {
            throw SparseIHTError.invalidArgument("--holdout \(holdout) leaves no pixel to train on")
        }
        var data: TaskData
        if held.isEmpty {
            data = TaskData(x: x, y: values, n: n, d: d, k: 1, scoreX: x, scoreN: n, metric: .psnr)
        } else {
            var isHeld = [Bool](repeating: false, count: n)
            for i in held { isHeld[i] = true }
            let train = (0..<n).filter { !isHeld[$0] }
            func rows(_ idx: [Int]) -> [Float] {
                var out = [Float](); out.reserveCapacity(idx.count * d)
                for i in idx { out += x[(i * d)..<((i + 1) * d)] }
                return out
            }
            let trainX = rows(train)
            data = TaskData(x: trainX, y: train.map { values[$0] }, n: train.count, d: d, k: 1, scoreX: trainX,
                            scoreN: train.count, metric: .psnr)
            data.heldout = (rows(held), held.map { values[$0] }, held.count)
            data.trainSamples = train
            data.heldoutSamples = held
        }
        data.image = image
        data.sigmas = sigmas
        return data
    }
}
