import SparseIHTCore

/// Labelled examples: `x` is `n x d` row-major float32, `labels` in `0..<classes`.
public struct LabelledData: Sendable {
    public var x: [Float]
    public var n: Int
    public var d: Int
    public var labels: [Int]
    public var classes: Int
    /// Image geometry when the rows are images (height, width, channels), else nil.
    public var image: (height: Int, width: Int, channels: Int)?

    /// Unchecked; for rows taken from an already validated set.
    private init(unchecked x: [Float], n: Int, d: Int, labels: [Int], classes: Int,
                 image: (height: Int, width: Int, channels: Int)?) {
        self.x = x; self.n = n; self.d = d; self.labels = labels; self.classes = classes; self.image = image
    }

    public init(x: [Float], n: Int, d: Int, labels: [Int], classes: Int,
                image: (height: Int, width: Int, channels: Int)? = nil) throws {
        guard let nd = CheckedSize.product(n, d), x.count == nd else {
            throw SparseIHTError.shapeMismatch("\(x.count) values for \(n) x \(d) examples")
        }
        if let bad = x.firstIndex(where: { !$0.isFinite }) {
            throw SparseIHTError.invalidArgument("example \(bad / max(d, 1)), feature \(bad % max(d, 1)) is \(x[bad]) (NaN or infinite)")
        }
        guard labels.count == n else { throw SparseIHTError.shapeMismatch("\(labels.count) labels for \(n) examples") }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
            throw SparseIHTError.invalidArgument("label \(labels[bad]) of example \(bad) outside 0..<\(classes)")
        }
        self.x = x; self.n = n; self.d = d; self.labels = labels; self.classes = classes; self.image = image
    }

    /// The rows `rows`, in that order.
    public func subset(_ rows: [Int]) -> LabelledData {
        return LabelledData(unchecked: gatherRows(x, width: d, rows: rows), n: rows.count, d: d, labels: rows.map { labels[$0] }, classes: classes, image: image)
    }

    /// Per class, the first `first` rows of that class and the `next` rows after them, as
    /// index lists (in file order). Throws when a class has too few rows.
    public func perClassSplit(classes wanted: [Int], first: Int, next: Int) throws -> (train: [Int], test: [Int]) {
        var byClass = [Int: [Int]]()
        for (i, l) in labels.enumerated() { byClass[l, default: []].append(i) }
        var train: [Int] = [], test: [Int] = []
        for c in wanted {
            let rows = byClass[c] ?? []
            guard rows.count >= first + next else {
                throw SparseIHTError.invalidArgument("class \(c) has \(rows.count) examples; the split needs \(first) + \(next)")
            }
            train += rows[0..<first]; test += rows[first..<(first + next)]
        }
        return (train.sorted(), test.sorted())
    }

    /// Examples of a fixed train/test pair.
    public static func concatenate(_ a: LabelledData, _ b: LabelledData) throws -> LabelledData {
        guard a.d == b.d, a.classes == b.classes else { throw SparseIHTError.shapeMismatch("datasets differ in d or classes") }
        return try LabelledData(x: a.x + b.x, n: a.n + b.n, d: a.d, labels: a.labels + b.labels, classes: a.classes, image: a.image)
    }
}

/// A train and a test set.
public struct DataSplit: Sendable {
    public var train: LabelledData
    public var test: LabelledData
    public init(train: LabelledData, test: LabelledData) { self.train = train; self.test = test }
}
