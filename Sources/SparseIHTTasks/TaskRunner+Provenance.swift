import Foundation
import SparseIHTCore
import SparseIHTData

extension TaskRunner {
    /// Where a model trained on `spec` came from: task, classes in output order, split,
    /// dataset with the SHA-256 of its file(s), the command line, this version and the seed.
    static func provenance(_ spec: TaskSpec) -> ModelFile.Provenance {
        var p = ModelFile.Provenance(task: spec.task.rawValue, commandLine: CommandLine.arguments,
                                     version: sparseIHTVersion, seed: spec.seed)
        if spec.task.isBinary || spec.task == .mnist {
            p.classes = spec.wantedClasses
            p.split = spec.split.rawValue
        }
        if spec.task.isBinary || spec.task == .mnist || spec.task == .inr {
            p.dataset = spec.dataset
            p.datasetSHA256 = datasetChecksum(spec.dataset)
        }
        if spec.task == .inr { p.image = spec.image }
        return p
    }

    /// SHA-256 (hex) of a dataset: of its file, or of the concatenated hex digests of the
    /// regular files of its directory in name order; nil when it cannot be read.
    static func datasetChecksum(_ dataset: String) -> String? {
        let path: String
        switch dataset {
        case "mnist-sample": path = MNISTFamily.samplePath
        case "fashion": path = MNISTFamily.fashionDirectory
        default: path = dataset
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        guard isDir.boolValue else { return try? FileChecksum.sha256(path: path) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return nil }
        var digests = ""
        for name in names.sorted() where !name.hasPrefix(".") {
            let file = (path as NSString).appendingPathComponent(name)
            var sub: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &sub), !sub.boolValue,
                  let d = try? FileChecksum.sha256(path: file) else { continue }
            digests += name + ":" + d + "\n"
        }
        return FileChecksum.sha256(Array(digests.utf8))
    }
}
