/// The model's output from one step's metrics, kept for the next step's residual: both are
/// `A_S w` of the same weights with the same gates when nothing changed in between (a full
/// batch, gates that follow the weights, no re-seeding), so the next step takes it instead
/// of building the gates and the product again. Only gates that depend on nothing but the
/// followed weights are remembered: then equal weights, followed weights and signs mean equal
/// gates.
struct PredictionMemo {
    /// The weights whose output this is.
    let weights: SparseWeights
    /// The generators' followed weights and output signs when it was made.
    let followed: SparseWeights?
    let signed: Bool
    /// The step data's host columns (identity) and rows.
    let columns: ObjectIdentifier
    let n: Int
    /// The products on `weights`' support and `A_S w` (length `n`).
    let support: SupportProducts
    let output: [Float]

    /// Whether this is the output of `w` under `bank` on rows `columns` (`n` of them).
    func matches(_ w: SparseWeights, bank: GeneratorBank, columns: HostColumns, n: Int) -> Bool {
        self.n == n && self.columns == ObjectIdentifier(columns) && signed == bank.signed
            && followed == bank.followedWeights && weights == w
    }
}
