/// The generator vectors `h_j` that define the gates `1[X h_j > 0]` (docs/method.md
/// sections 1, 2 and 5), produced on demand so the `d x m` matrix never exists:
/// - a random generator of neuron `j` at epoch `e` is `N(0, I_d)` drawn from the stream
///   `(seed, j, e)`, identical on every backend;
/// - in convex mode every neuron keeps its epoch-0 random generator;
/// - once gates follow weights (sequential mode), a live neuron's generator is its current
///   weight vector, and a dead one's is zero (it cannot come back, the published
///   behaviour), or, with revival, a fresh random generator each step.
public struct GeneratorBank: Sendable {
    public let d: Int
    public let m: Int
    public let seed: UInt64
    /// Weights whose live neurons define the generators; nil: every neuron is random.
    public var followedWeights: SparseWeights?
    /// Dead neurons get fresh random generators (epoch = `epoch`) instead of zero.
    public var reviveDead: Bool
    /// Neurons re-seeded after a stall: random while dead, even without `reviveDead`.
    public var reseeded: Set<Int> = []
    /// Generators (`d` floats) the solver chose for re-seeded neurons
    /// (`SolverOptions.ReseedRule.residual`), used instead of a random one while the neuron
    /// is dead.
    public var chosen: [Int: [Float]] = [:]
    /// Epoch of the random generators of revived neurons (the step number).
    public var epoch: Int
    /// Output signs: with `signed`, neuron `j` has a fixed random output weight
    /// `v_j = +-1` and, when gates follow weights, generator `v_j w_j`, so the model is
    /// `sum_j v_j relu(X v_j w_j)` and can subtract as well as add (docs/method.md section 5).
    /// Without it every output weight is +1 (the published model).
    public var signed = false

    /// Output sign of neuron `j` (+1 unless `signed`).
    public func sign(_ j: Int) -> Float {
        guard signed else { return 1 }
        var rng = SeededGenerator(seed: seed ^ 0x9B05_688C_2B3E_6C1F, stream: UInt64(j))
        return rng.next() & 1 == 0 ? 1 : -1
    }

    public init(d: Int, m: Int, seed: UInt64) {
        self.d = d; self.m = m; self.seed = seed
        followedWeights = nil; reviveDead = false; epoch = 0
    }

    /// Neuron `j`'s random generator at `epoch` into `out` (`d` floats).
    public static func randomGenerator(seed: UInt64, neuron j: Int, epoch: Int,
                                       into out: UnsafeMutableBufferPointer<Float>) {
        var rng = SeededGenerator(seed: seed ^ 0x6A09_E667_F3BC_C909,
                                  stream: UInt64(j) | (UInt64(epoch) << 40))
        rng.fillNormals(out)
    }

    /// Where a neuron's generator comes from (the one rule `rows`, `sparseRows`,
    /// `generatingNeurons` and the solver's host gates follow).
    public enum Source: Equatable {
        /// A random generator drawn at this epoch.
        case random(epoch: Int)
        /// Its current weights (times its output sign): a live neuron whose gates follow them.
        case followed
        /// A generator the solver chose for a re-seeded neuron.
        case chosen([Float])
        /// None: a dead neuron without revival; its gates are all zero.
        case zero
    }

    /// Neurons with a nonzero weight in `followedWeights` (empty when none are followed).
    public var liveNeurons: Set<Int> { Set(followedWeights?.activeNeurons ?? []) }

    /// Where neuron `j`'s generator comes from; `live` is `liveNeurons` (passed in so a
    /// caller asking for many neurons computes it once).
    public func source(_ j: Int, live: Set<Int>) -> Source {
        guard followedWeights != nil else { return .random(epoch: 0) }
        if live.contains(j) { return .followed }
        if let h = chosen[j], h.count == d { return .chosen(h) }
        if reviveDead || reseeded.contains(j) { return .random(epoch: epoch) }
        return .zero
    }

    /// Generators of `neurons` (any order) as a `neurons.count x d` block.
    public func rows(_ neurons: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: neurons.count * d)
        // Weights of live neurons, if gates follow weights.
        var live: [Int: Int] = [:]      // neuron -> row in `compact`
        var compact: [Float] = []
        if let w = followedWeights {
            let want = Set(neurons)
            let active = w.activeNeurons.filter { want.contains($0) }
            compact = w.compact(active)
            for (r, j) in active.enumerated() { live[j] = r }
        }
        let liveSet = Set(live.keys)
        out.withUnsafeMutableBufferPointer { buf in
            for (row, j) in neurons.enumerated() {
                let dst = UnsafeMutableBufferPointer(rebasing: buf[(row * d)..<((row + 1) * d)])
                switch source(j, live: liveSet) {
                case .random(let e):
                    Self.randomGenerator(seed: seed, neuron: j, epoch: e, into: dst)
                case .followed:
                    let r = live[j]!, v = sign(j)
                    for i in 0..<d { dst[i] = v * compact[r * d + i] }
                case .chosen(let h):
                    for i in 0..<d { dst[i] = h[i] }
                case .zero:
                    break  // dead and not revived: zero generator
                }
            }
        }
        return out
    }
}
