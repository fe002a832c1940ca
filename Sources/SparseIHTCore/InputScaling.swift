/// Per-feature input preprocessing `x / divisor - shift`, fitted on a training set and saved
/// in model files (`ModelFile.inputDivisor`, `inputMean`) so `evaluate` repeats it. A
/// one-element array applies to every feature; nil means none.
public struct InputScaling: Sendable, Equatable {
    public var divisor: [Float]?
    public var shift: [Float]?

    public init(divisor: [Float]? = nil, shift: [Float]? = nil) { self.divisor = divisor; self.shift = shift }

    /// Fits on training rows `x` (`n x d`): divide by `pixelScale`; with `center`, subtract
    /// the per-feature mean; with `standardize`, also divide by the per-feature standard
    /// deviation, floored at `stdFloor` times the largest one so constant features (an
    /// image's always-black border) are not blown up. Statistics in Double.
    public static func fit(x: [Float], n: Int, d: Int, pixelScale: Float = 1, center: Bool = false,
                           standardize: Bool = false, stdFloor: Double = 0.1) -> InputScaling {
        guard center || standardize else { return InputScaling(divisor: pixelScale != 1 ? [pixelScale] : nil) }
        var sum = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d {
            let v = Double(x[i * d + j]) / Double(pixelScale); sum[j] += v; sq[j] += v * v
        } }
        let count = Double(max(n, 1))
        let mean = sum.map { $0 / count }
        guard standardize else {
            return InputScaling(divisor: pixelScale != 1 ? [pixelScale] : nil, shift: mean.map { Float($0) })
        }
        let std = (0..<d).map { max(sq[$0] / count - mean[$0] * mean[$0], 0).squareRoot() }
        let floor = max((std.max() ?? 0) * stdFloor, 1e-12)
        let sd = std.map { max($0, floor) }
        return InputScaling(divisor: sd.map { Float($0 * Double(pixelScale)) }, shift: (0..<d).map { Float(mean[$0] / sd[$0]) })
    }

    /// `x / divisor - shift` on rows of `x` (any number of rows; features cycle).
    public func apply(_ x: [Float]) -> [Float] {
        var out = x
        if let s = divisor, !s.isEmpty { for i in out.indices { out[i] /= s[i % s.count] } }
        if let mu = shift, !mu.isEmpty { for i in out.indices { out[i] -= mu[i % mu.count] } }
        return out
    }
}
