extension SolverOptions {
    /// Where a neuron re-seeded on a stall (`stallReseed`) gets its generator, i.e. the
    /// gate `1[X h > 0]` it starts from (docs/method.md section 5).
    public enum ReseedRule: String, Sendable, Codable, CaseIterable {
        /// A fresh random `N(0, I_d)` generator (the re-seeding measured first).
        case random
        /// The correlation of the inputs with the residual before the neuron is removed,
        /// `h = v_j X^T (y - A w)` (`v_j` the neuron's output sign): for Gaussian inputs
        /// `E[x relu(x . u)] = u / 2`, so `h` points at the part of the target the model
        /// misses, and the new neuron's gate starts near a missing neuron's gate instead of a
        /// random half-space.
        case residual
    }
}
