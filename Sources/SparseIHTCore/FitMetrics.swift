import Foundation

/// Fit metrics of a prediction against targets.
public enum FitMetrics {
    /// PSNR = 20 log10(peak) - 10 log10(MSE), in dB (docs/method.md section 4); the peak is
    /// `max |y|` unless given (images: 1).
    public static func psnr(prediction: [Float], target: [Float], peak fixedPeak: Double? = nil) -> Double {
        var mse = 0.0, peak = 0.0
        for (p, t) in zip(prediction, target) {
            let e = Double(p) - Double(t)
            mse += e * e
            peak = max(peak, abs(Double(t)))
        }
        mse /= Double(max(target.count, 1))
        return 20 * log10(fixedPeak ?? peak) - 10 * log10(mse + 1e-300)
    }

    /// ||prediction - target|| / ||target||.
    public static func relativeResidual(prediction: [Float], target: [Float]) -> Double {
        var num = 0.0, den = 0.0
        for (p, t) in zip(prediction, target) {
            let e = Double(p) - Double(t)
            num += e * e; den += Double(t) * Double(t)
        }
        return (num / max(den, 1e-300)).squareRoot()
    }
}
