/// Refinement by conjugate gradients (`SolverOptions.RefineRule.conjugate`).
extension IHTSolver {
    /// Up to `refineSteps` conjugate-gradient steps (Polak-Ribiere, restarted when the
    /// direction stops descending) on `min ||A_S x - y||^2` over the support of `w`, from
    /// its values; `g` is the gradient `A_S^T (A_S x - y)` at those values (`s` entries).
    /// Each step is one product with the normal matrix, from its Gram (`SupportGram`, built
    /// once when `s <= 8 refineSteps`) or else one sweep over the data
    /// (`SupportProducts.normalProducts`), and takes the exact minimizer along its
    /// direction, so the loss never rises. Returns the steps taken.
    func conjugateRefine(_ w: inout SparseWeights, support: SupportProducts, gradient g0: [Double]) -> Int {
        var x = w.values.map(Double.init)
        var g = g0
        var p = g  // the solver moves along -p
        var gg = g.reduce(0) { $0 + $1 * $1 }
        var accepted = 0
        // Many products on one support: build A_S^T A_S once when it is small enough and
        // cheaper than the sweeps (O(n s^2) against O(n s) per step).
        let gram = SupportGram.pays(entries: g.count, products: options.refineSteps) ? SupportGram(support) : nil
        for _ in 0..<options.refineSteps {
            guard gg > 0 else { break }
            let (aa, normal) = gram?.normalProducts(p) ?? support.normalProducts(p.map { Float($0) })
            let gp = zip(g, p).reduce(0) { $0 + $1.0 * $1.1 }
            guard aa > 0, gp > 0 else { break }
            let t = gp / aa
            let previous = g
            for k in x.indices { x[k] -= t * p[k]; g[k] -= t * normal[k] }
            accepted += 1
            let ggNew = g.reduce(0) { $0 + $1 * $1 }
            let beta = max(0, zip(g, previous).reduce(0) { $0 + $1.0 * ($1.0 - $1.1) } / gg)
            for k in p.indices { p[k] = g[k] + beta * p[k] }
            gg = ggNew
        }
        w.setValues(x.map { Float($0) })
        return accepted
    }
}
