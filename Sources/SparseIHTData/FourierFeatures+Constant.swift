extension FourierFeatures {
    /// Feature rows `x` (`n x d`, row-major) with a constant 1 appended to every row
    /// (`n x (d + 1)`): with it every neuron's pre-activation `x . w_j` has a bias term, which
    /// the published map (sines and cosines of aliased frequencies, none of them zero) lacks.
    public static func appendingConstant(_ x: [Float], n: Int, d: Int) -> [Float] {
        precondition(x.count == n * d, "appendingConstant: \(x.count) values are not \(n) rows of \(d)")
        var out = [Float]()
        out.reserveCapacity(n * (d + 1))
        for i in 0..<n {
            out += x[(i * d)..<((i + 1) * d)]
            out.append(1)
        }
        return out
    }
}
