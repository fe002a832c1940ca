import SparseIHTCore

extension TaskSpec {
    /// The spec with the task's best-recipe vector settings filled in
    /// (`TaskDefaults.vectorBest`), for IHT runs under `--recipe best`; unchanged under
    /// `--recipe published` or for tasks without such settings. Inputs are standardized
    /// only when no input scaling flag was given (`--pixel-scale`, `--center`,
    /// `--standardize`); the step and seed scale that fit standardized inputs apply when
    /// they are standardized and `--lr` / `--seed-scale` are not given; `--support-steps`
    /// overrides the recipe's.
    public func withVectorRecipe() -> TaskSpec {
        guard resolvedRecipe == .best, let best = defaults.vectorBest else { return self }
        var s = self
        if best.standardize && pixelScale == 1 && !center && standardize == nil { s.standardize = true }
        let layered = layers > 1
        if s.resolvedStandardize && lr == nil { s.lr = layered ? best.layeredLR : best.standardizedLR }
        if s.resolvedStandardize && seedScale == nil { s.seedScale = layered ? best.layeredSeedScale : best.standardizedSeedScale }
        if supportSteps == nil { s.supportSteps = best.supportSteps }
        return s
    }

    /// How layer-wise vector runs split s (`--last-layer-share`; 0 or nil: s/L each).
    public var layerBudget: LayerBudget {
        guard let f = lastLayerShare, f > 0 else { return .equal }
        return .kept(lastShare: f)
    }
}
