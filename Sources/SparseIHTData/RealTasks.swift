import Foundation
import SparseIHTCore

/// The real-data tasks of docs/method.md section 4, built from `--dataset` names:
/// `mnist-sample` (installed by `Tools/bootstrap-data.sh`), `fashion` (Debian's
/// dataset-fashion-mnist), or a path: an IDX directory (MNIST format), a CIFAR-10 binary
/// directory or batch file, a CSV file (last column = label), or a PNG/PGM/PPM image (INR).
public enum RealTasks {
    /// How to split train and test.
    public enum Split: String, Sendable, CaseIterable {
        /// The published split: per class the first `perClass` training examples, then the
        /// next `perClassTest` as the test set (from the training file).
        case published
        /// The files' own train/test sets (e.g. 60,000/10,000).
        case full
    }

    /// Per-class sizes of the published split for a dataset name.
    static func publishedSizes(_ dataset: String) -> (train: Int, test: Int) {
        dataset == "mnist-sample" ? (400, 100) : (5000, 1000)
    }

    /// A labelled source: either one pool to split, or train and test files.
    enum Source {
        case pool(LabelledData)
        case files(DataSplit)
    }

    static func source(_ dataset: String) throws -> Source {
        switch dataset {
        case "mnist-sample":
            let path = MNISTFamily.samplePath
            guard FileManager.default.fileExists(atPath: path) else {
                throw SparseIHTError.badFile(path: path, reason: "the MNIST sample is not installed: run `bash Tools/bootstrap-data.sh`")
            }
            return .pool(try MNISTFamily.loadSample(path: path))
        case "fashion":
            guard FileManager.default.fileExists(atPath: MNISTFamily.fashionDirectory) else {
                throw SparseIHTError.badFile(path: MNISTFamily.fashionDirectory,
                                             reason: "Fashion-MNIST is not installed: run `bash Tools/bootstrap-data.sh` (Debian package dataset-fashion-mnist)")
            }
            return .files(try MNISTFamily.load(directory: MNISTFamily.fashionDirectory))
        default:
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dataset, isDirectory: &isDir) else {
                throw SparseIHTError.badFile(path: dataset, reason: "no such dataset (expected mnist-sample, fashion, or a path)")
            }
            if isDir.boolValue {
                let cifar = (dataset as NSString).appendingPathComponent("test_batch.bin")
                if FileManager.default.fileExists(atPath: cifar) { return .files(try CIFAR10.load(dataset)) }
                if (1...5).contains(where: { FileManager.default.fileExists(atPath: (dataset as NSString).appendingPathComponent("data_batch_\($0).bin")) }) {
                    return .files(try CIFAR10.load(dataset))  // reports the missing test_batch.bin
                }
                return .files(try MNISTFamily.load(directory: dataset))
            }
            if dataset.hasSuffix(".csv") || dataset.hasSuffix(".csv.gz") {
                return .pool(try CSVData.load(path: dataset, labelColumn: -1, header: false))
            }
            if dataset.hasSuffix(".bin") { return .files(try CIFAR10.load(dataset)) }
            if dataset.hasSuffix(".npz") {
                throw SparseIHTError.badFile(path: dataset, reason: "a .npz archive is not a dataset (use an IDX directory, CIFAR-10 .bin, or .csv; for --task files save each array with np.save)")
            }
            throw SparseIHTError.badFile(path: dataset, reason: "unrecognised dataset file (use an IDX directory, CIFAR-10 .bin, or .csv)")
        }
    }

    /// Train/test examples of `classes` (nil: all), relabelled `0..<classes.count`.
    /// - Throws: for duplicate or unknown classes, or a one-hot target matrix that cannot fit.
    public static func classification(dataset: String, classes: [Int]?, split: Split) throws -> DataSplit {
        if let classes {
            guard !classes.isEmpty else { throw SparseIHTError.invalidArgument("--classes: no class given") }
            guard Set(classes).count == classes.count else {
                throw SparseIHTError.invalidArgument("--classes \(classes.map(String.init).joined(separator: ",")): a class is listed twice")
            }
        }
        let src = try source(dataset)
        let pool: LabelledData
        switch src { case .pool(let p): pool = p; case .files(let f): pool = f.train }
        if let classes, let missing = classes.first(where: { $0 < 0 || $0 >= pool.classes }) {
            throw SparseIHTError.invalidArgument("--classes: class \(missing) outside the \(pool.classes) classes of \(dataset)")
        }
        // The one-hot targets of a multi-class task are n x classes floats.
        try MemoryBudget.require(CheckedSize.product([pool.n, classes?.count ?? pool.classes, 4]),
                                 for: "\(dataset): one-hot targets of \(pool.n) rows x \(classes?.count ?? pool.classes) classes", fraction: 0.25)
        let all: DataSplit
        switch (src, split) {
        case (.pool(let p), _):
            let wanted = classes ?? Array(0..<p.classes)
            let per = dataset == "mnist-sample" ? (400, 100) : perClassFraction(p, wanted)
            let (tr, te) = try p.perClassSplit(classes: wanted, first: per.0, next: per.1)
            all = DataSplit(train: p.subset(tr), test: p.subset(te))
        case (.files(let f), .published):
            let wanted = classes ?? Array(0..<f.train.classes)
            let sizes = publishedSizes(dataset)
            if let (tr, te) = try? f.train.perClassSplit(classes: wanted, first: sizes.train, next: sizes.test) {
                all = DataSplit(train: f.train.subset(tr), test: f.train.subset(te))
            } else {  // too few per class in the training file (CIFAR-10): use the files' test set
                all = DataSplit(train: f.train.subset(rowsOf(f.train, wanted)), test: f.test.subset(rowsOf(f.test, wanted)))
            }
        case (.files(let f), .full):
            let wanted = classes ?? Array(0..<f.train.classes)
            all = DataSplit(train: f.train.subset(rowsOf(f.train, wanted)), test: f.test.subset(rowsOf(f.test, wanted)))
        }
        guard all.train.n > 0, all.test.n > 0 else {
            throw SparseIHTError.badFile(path: dataset, reason: "the \(split.rawValue) split of the classes \((classes ?? Array(0..<pool.classes)).map(String.init).joined(separator: ",")) leaves \(all.train.n) training and \(all.test.n) test rows; every class needs rows in both")
        }
        guard let wanted = classes else { return all }
        return DataSplit(train: try relabel(all.train, wanted), test: try relabel(all.test, wanted))
    }

    /// How a classification task's inputs are preprocessed (fitted on the training rows).
    public struct Preprocessing: Sendable {
        /// Divide by this first (1: raw pixels, the published setting).
        public var pixelScale: Float = 1
        /// Subtract the per-feature training mean.
        public var center = false
        /// Centre and divide by the per-feature standard deviation (see `InputScaling.fit`).
        public var standardize = false
        /// Standardize each colour channel of image rows (the published CIFAR-10 setting).
        public var perChannel = false
        public init(pixelScale: Float = 1, center: Bool = false, standardize: Bool = false, perChannel: Bool = false) {
            self.pixelScale = pixelScale; self.center = center; self.standardize = standardize; self.perChannel = perChannel
        }
    }

    /// `classification(dataset:classes:split:)` preprocessed, with the scaling to save in a
    /// model file so `evaluate` repeats it. Shared by `recover` and `baseline`.
    public static func preparedClassification(dataset: String, classes: [Int]?, split: Split,
                                              preprocessing p: Preprocessing) throws -> (DataSplit, InputScaling) {
        guard p.pixelScale.isFinite, p.pixelScale != 0 else {
            throw SparseIHTError.invalidArgument("pixel scale \(p.pixelScale): need a finite nonzero divisor (float32)")
        }
        let data = try classification(dataset: dataset, classes: classes, split: split)
        if p.perChannel {
            guard let image = data.train.image, image.channels > 1 else {
                throw SparseIHTError.invalidArgument("\(dataset) holds no colour images to normalize per channel "
                                                     + "(binary-cifar10 needs --dataset PATH: a CIFAR-10 binary directory or batch file)")
            }
            let (normalized, divisor, shift) = normalizePerChannel(data)
            return (normalized, InputScaling(divisor: divisor, shift: shift))
        }
        let scaling = InputScaling.fit(x: data.train.x, n: data.train.n, d: data.train.d, pixelScale: p.pixelScale,
                                       center: p.center || p.standardize, standardize: p.standardize)
        var out = data
        out.train.x = scaling.apply(data.train.x)
        out.test.x = scaling.apply(data.test.x)
        let tooLarge: (Float) -> Bool = { !(abs($0) <= DataFiles.largestMagnitude) }
        if let v = out.train.x.first(where: tooLarge) ?? out.test.x.first(where: tooLarge) {
            throw SparseIHTError.invalidArgument("pixel scale \(p.pixelScale) (with centering/standardizing) makes an input \(v), "
                                                 + "beyond \(DataFiles.largestMagnitude) in magnitude: the float32 solver would overflow")
        }
        return (out, scaling)
    }

    static func perClassFraction(_ p: LabelledData, _ wanted: [Int]) -> (Int, Int) {
        let minCount = wanted.map { c in p.labels.filter { $0 == c }.count }.min() ?? 0
        let train = minCount * 4 / 5
        return (train, minCount - train)
    }

    static func rowsOf(_ data: LabelledData, _ classes: [Int]) -> [Int] {
        let set = Set(classes)
        return data.labels.indices.filter { set.contains(data.labels[$0]) }
    }

    static func relabel(_ data: LabelledData, _ classes: [Int]) throws -> LabelledData {
        var map = [Int: Int]()
        for (i, c) in classes.enumerated() { map[c] = i }
        return try LabelledData(x: data.x, n: data.n, d: data.d, labels: data.labels.map { map[$0] ?? 0 },
                                classes: classes.count, image: data.image)
    }

    /// Standardizes each colour channel of image rows (channels-major within a row, as in
    /// CIFAR-10) with the training set's mean and standard deviation. Also returns the
    /// per-feature divisor and mean (`x / divisor - mean`) that reproduce it.
    public static func normalizePerChannel(_ split: DataSplit) -> (DataSplit, divisor: [Float], mean: [Float]) {
        guard let img = split.train.image, img.channels > 1 else { return (split, [], []) }
        let plane = img.height * img.width
        var divisor = [Float](repeating: 1, count: split.train.d), shift = [Float](repeating: 0, count: split.train.d)
        var out = split
        for ch in 0..<img.channels {
            var sum = 0.0, sq = 0.0, count = 0.0
            for i in 0..<split.train.n { for p in 0..<plane {
                let v = Double(split.train.x[i * split.train.d + ch * plane + p]); sum += v; sq += v * v; count += 1
            } }
            let mean = sum / count, std = max((sq / count - mean * mean).squareRoot(), 1e-8)
            for p in 0..<plane { divisor[ch * plane + p] = Float(std); shift[ch * plane + p] = Float(mean / std) }
            for set in [0, 1] {
                var data = set == 0 ? out.train : out.test
                for i in 0..<data.n { for p in 0..<plane {
                    let o = i * data.d + ch * plane + p
                    data.x[o] = Float((Double(data.x[o]) - mean) / std)
                } }
                if set == 0 { out.train = data } else { out.test = data }
            }
        }
        return (out, divisor, shift)
    }

    /// One image for the INR task: a PNG or PGM/PPM file, or image `index` of a dataset
    /// (values scaled to [0, 1]).
    public static func image(dataset: String, index: Int) throws -> NetPBM.Image {
        let lower = dataset.lowercased()
        if [".pgm", ".ppm", ".pnm"].contains(where: { lower.hasSuffix($0) }) { return try NetPBM.read(dataset) }
        if lower.hasSuffix(".png") { return try PNGImage.read(dataset) }
        let pool: LabelledData
        switch try source(dataset) {
        case .pool(let p): pool = p
        case .files(let f): pool = f.train
        }
        guard let geometry = pool.image else {
            throw SparseIHTError.invalidArgument("\(dataset) does not hold images")
        }
        guard index >= 0 && index < pool.n else {
            throw SparseIHTError.invalidArgument("image index \(index) outside 0..<\(pool.n)")
        }
        let row = Array(pool.x[(index * pool.d)..<((index + 1) * pool.d)])
        let peak = max(row.max() ?? 1, 1) > 1 ? Float(255) : Float(1)
        var pixels = [Float](repeating: 0, count: pool.d)
        let plane = geometry.height * geometry.width
        // Channels-last for the image; CIFAR rows are channels-major.
        for p in 0..<plane { for ch in 0..<geometry.channels {
            pixels[p * geometry.channels + ch] = row[ch * plane + p] / peak
        } }
        return NetPBM.Image(width: geometry.width, height: geometry.height, channels: geometry.channels, pixels: pixels)
    }
}

/// Fourier features of pixel coordinates for implicit neural representations
/// (docs/method.md section 4): `[sin(2 pi v B^T), cos(2 pi v B^T)]` with `B` (`features x
/// dims`) drawn N(0, sigma^2) per coordinate (seeded), `v` = (row/H, col/W) for grayscale
/// or (row/H, col/W, channel) with one sample per pixel and channel for colour.
public struct FourierFeatures: Sendable {
    public let b: [Float]
    public let features: Int
    public let dims: Int

    /// `sigmas` has one standard deviation per coordinate (e.g. [2, 2] or [5, 5, 0.05]).
    public init(features: Int, sigmas: [Double], seed: UInt64) {
        dims = sigmas.count
        self.features = features
        b = FourierMatrix.make(features: features, sigmas: sigmas, seed: seed)
    }

    /// Feature rows (`n x 2*features`) for coordinates `v` (`n x dims`).
    public func embed(_ v: [Float]) -> [Float] {
        let n = v.count / dims, d = 2 * features
        var out = [Float](repeating: 0, count: n * d)
        for i in 0..<n { for f in 0..<features {
            var t = 0.0
            for c in 0..<dims { t += Double(v[i * dims + c]) * Double(b[f * dims + c]) }
            let angle = 2 * Double.pi * t
            out[i * d + f] = Float(sin(angle)); out[i * d + features + f] = Float(cos(angle))
        } }
        return out
    }

    /// Pixel coordinates the scales `sigma` apply to: `raw` integer (row, col) in
    /// 0..<H, 0..<W (the published feature map), or `unit` (row/H, col/W) in [0, 1).
    public enum Coordinates: String, Sendable, Codable, CaseIterable {
        case raw, unit
    }

    /// Scales on unit coordinates (row/H, col/W) giving the same map as `sigmas` on
    /// `coordinates`: raw coordinates multiply the row scale by `height` and the column
    /// scale by `width` (`2 pi r B` = `2 pi (r/H) (H B)`); a colour image's channel scale is
    /// unchanged. The feature map and model files always hold unit-coordinate scales.
    public static func unitSigmas(_ sigmas: [Double], coordinates: Coordinates, width: Int, height: Int) -> [Double] {
        guard coordinates == .raw, sigmas.count >= 2 else { return sigmas }
        var out = sigmas
        out[0] *= Double(height); out[1] *= Double(width)
        return out
    }

    /// The published feature scales: `[sigma, sigma]` on (row, col) for grayscale, and
    /// `[5, 5, 0.05]` on (row, col, channel) for colour.
    public static func publishedSigmas(channels: Int, gray sigma: Double = 2) -> [Double] {
        channels == 1 ? [sigma, sigma] : [5, 5, 0.05]
    }

    /// The INR task's rows for `image`: features (`n x 2*features`) of every sample (pixel,
    /// or pixel and channel) and its target value in [0, 1].
    /// - Throws: `SparseIHTError.invalidArgument` for `features < 1`, sigmas that do not
    ///   match the image's coordinates or are negative, non-finite or beyond 1e30, and
    ///   `outOfMemory` when the feature matrix (held twice in training: host and backend)
    ///   cannot fit in the memory this process may use.
    public static func rows(of image: NetPBM.Image, features: Int, sigmas: [Double], seed: UInt64) throws -> (x: [Float], y: [Float]) {
        try validate(features: features, sigmas: sigmas, channels: image.channels)
        let n = CheckedSize.product([image.width, image.height, image.channels])
        try MemoryBudget.require(n.flatMap { CheckedSize.product([$0, 2, features, 4]) },
                                 for: "inr: a \(image.width) x \(image.height) x \(image.channels) image with \(features) Fourier features (use fewer --fourier-features or a smaller image)",
                                 fraction: 0.45)
        let samples = Self.samples(of: image)
        return (FourierFeatures(features: features, sigmas: sigmas, seed: seed).embed(samples.coordinates), samples.values)
    }

    /// Checks a feature map's parameters for an image of `channels` channels.
    public static func validate(features: Int, sigmas: [Double], channels: Int) throws {
        guard features >= 1 else { throw SparseIHTError.invalidArgument("Fourier features \(features): need at least 1") }
        let dims = channels == 1 ? 2 : 3
        guard sigmas.count == dims else {
            throw SparseIHTError.invalidArgument("\(sigmas.count) Fourier scales for a \(channels)-channel image, which has \(dims) coordinates")
        }
        if let bad = sigmas.first(where: { !$0.isFinite || $0 < 0 || $0 > 1e30 }) {
            throw SparseIHTError.invalidArgument("Fourier scale (sigma) \(bad): need a finite standard deviation in 0...1e30")
        }
    }

    /// Coordinates and targets of an image: one row per pixel (grayscale) or per pixel and
    /// channel (colour).
    public static func samples(of image: NetPBM.Image) -> (coordinates: [Float], values: [Float], dims: Int) {
        var coords: [Float] = [], values: [Float] = []
        let dims = image.channels == 1 ? 2 : 3
        for r in 0..<image.height { for c in 0..<image.width { for ch in 0..<image.channels {
            coords += [Float(r) / Float(image.height), Float(c) / Float(image.width)]
            if dims == 3 { coords.append(Float(ch)) }
            values.append(image.pixels[(r * image.width + c) * image.channels + ch])
        } } }
        return (coords, values, dims)
    }
}
