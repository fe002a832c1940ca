/// Classification metrics.
public enum ClassificationMetrics {
    /// Fraction of rows whose argmax of `scores` (`n x k`) equals `labels` (k > 1), or whose
    /// score thresholded at `threshold` equals the 0/1 label (k = 1).
    public static func accuracy(scores: [Float], k: Int, labels: [Int], threshold: Float = 0.5) -> Double {
        var correct = 0
        for (i, label) in labels.enumerated() {
            let predicted: Int
            if k == 1 { predicted = scores[i] > threshold ? 1 : 0 } else {
                var best = 0
                for l in 1..<k where scores[i * k + l] > scores[i * k + best] { best = l }
                predicted = best
            }
            if predicted == label { correct += 1 }
        }
        return labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
    }
}
