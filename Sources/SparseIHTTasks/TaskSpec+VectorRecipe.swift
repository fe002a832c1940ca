import SparseIHTCore

extension TaskSpec {
    /// The spec with the task's best-recipe vector settings filled in
    /// (`TaskDefaults.vectorBest`), for IHT runs under `--recipe best`; unchanged under
    /// `--recipe published` or for tasks without such settings. Inputs are standardized
    /// only when no input scaling flag was given (`--pixel-scale`, `--center`,
    /// `--standardize`); the step and seed scale that fit standardized inputs apply when
    /// they are standardized and `--lr` / `--seed-scale` are not given; `--support-steps`,
    /// `--cooldown-epochs` and, under the neuron-consistent ranking, `--max-neurons`,
    /// `--last-layer-max-neurons` and `--last-layer-share` override the recipe's.
    public func withVectorRecipe() -> TaskSpec {
        guard resolvedRecipe == .best, let best = defaults.vectorBest else { return self }
        var s = self
        if best.standardize && pixelScale == 1 && !center && standardize == nil { s.standardize = true }
        let layered = layers > 1
        if s.resolvedStandardize && lr == nil { s.lr = layered ? best.layeredLR : best.standardizedLR }
        if s.resolvedStandardize && seedScale == nil { s.seedScale = layered ? best.layeredSeedScale : best.standardizedSeedScale }
        if supportSteps == nil { s.supportSteps = layered ? best.layeredSupportSteps : best.supportSteps }
        if maxNeurons == nil && ranking == .neuronConsistent { s.maxNeurons = layered ? best.layeredMaxNeurons : best.maxNeurons }
        if cooldownEpochs == nil { s.cooldownEpochs = layered ? best.layeredCooldownEpochs : best.cooldownEpochs }
        if layered {
            if lastLayerMaxNeurons == nil && ranking == .neuronConsistent { s.lastLayerMaxNeurons = best.lastLayerMaxNeurons }
            if lastLayerShare == nil && ranking == .neuronConsistent { s.lastLayerShare = best.lastLayerShare }
        }
        return s
    }

    /// How layer-wise vector runs split s (`--last-layer-share`; 0 or nil: s/L each).
    public var layerBudget: LayerBudget {
        guard let f = lastLayerShare, f > 0 else { return .equal }
        return .kept(lastShare: f)
    }
}
