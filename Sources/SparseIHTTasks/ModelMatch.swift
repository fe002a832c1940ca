import Foundation
import SparseIHTCore
import SparseIHTData

/// What `evaluate` checks a model file against before scoring it: the shape every model
/// file holds (input width, outputs, Fourier features) and, when the file carries a
/// `provenance` object, the task, classes, split and dataset it was trained on.
public struct ModelMatch: Sendable {
    /// Inputs of the first layer (features after preprocessing; inr: 2 x Fourier features).
    public var inputWidth: Int
    /// Outputs of the last layer (1: scalar output).
    public var outputs: Int
    public var hasFourierFeatures: Bool
    /// From the file's `provenance` object when present (nil: not recorded).
    public var task: String?, classes: [Int]?, classCount: Int?, split: String?, dataset: String?
    let path: String

    public init(path: String, file: ModelFile) throws {
        self.path = path
        guard let first = file.layers.first, let last = file.layers.last else {
            throw SparseIHTError.badFile(path: path, reason: "no layers")
        }
        inputWidth = first.d
        outputs = last.kind == "vector" ? last.k : 1
        hasFourierFeatures = file.fourierFeatures != nil
        // Provenance is read leniently from the raw JSON, so that files without it (or
        // with fields this version does not know) still load.
        if let data = FileManager.default.contents(atPath: path),
           let p = (try? JSONDecoder().decode(Probe.self, from: data))?.provenance {
            task = p.task; split = p.split; dataset = p.dataset
            switch p.classes {
            case .list(let list): classes = list
            case .count(let count): classCount = count
            case nil: break
            }
        }
    }

    /// The fields of a model file's `provenance` object that `evaluate` checks.
    struct Probe: Decodable {
        struct Provenance: Decodable {
            var task: String?, split: String?, dataset: String?, classes: ClassesField?
            enum Key: String, CodingKey { case task, split, dataset, classes }
            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: Key.self)
                task = try? c.decode(String.self, forKey: .task)
                split = try? c.decode(String.self, forKey: .split)
                dataset = try? c.decode(String.self, forKey: .dataset)
                classes = try? c.decode(ClassesField.self, forKey: .classes)
            }
        }
        var provenance: Provenance?
        enum Key: String, CodingKey { case provenance }
        init(from decoder: Decoder) throws {
            provenance = try? decoder.container(keyedBy: Key.self).decode(Provenance.self, forKey: .provenance)
        }
    }

    /// Refuses a model that cannot be scored on `spec`'s task: a different recorded task or
    /// classes, a vector model on a binary task, a scalar model on mnist, an inr task
    /// without Fourier features.
    public func check(_ spec: EvaluationSpec) throws {
        let t = spec.task
        func refuse(_ why: String) -> SparseIHTError { .invalidArgument("\(path) does not fit --task \(t.task.rawValue): \(why)") }
        if let task, task != t.task.rawValue { throw refuse("it was trained on the \(task) task") }
        if t.task.isBinary && outputs != 1 {
            throw refuse("the model has \(outputs) outputs (a \(outputs)-class model); a binary task scores one output")
        }
        if t.task == .mnist && outputs == 1 {
            throw refuse("the model has one output (a binary or regression model); mnist scores one output per class")
        }
        if t.task == .files && outputs != 1 { throw refuse("the model has \(outputs) outputs; files scores one output per row of --y") }
        if t.task == .inr && !hasFourierFeatures { throw refuse("the model was not trained on the inr task (no Fourier features)") }
        if let classes, let wanted = t.wantedClasses, classes != wanted {
            throw refuse("it was trained on classes \(Self.list(classes)), not \(Self.list(wanted))")
        }
    }

    /// Refuses data of another width or number of classes than the model's.
    public func check(dataWidth d: Int, classes k: Int?, spec: EvaluationSpec) throws {
        let t = spec.task
        if d != inputWidth {
            throw SparseIHTError.shapeMismatch("\(path) takes \(inputWidth) inputs per row, but --task \(t.task.rawValue) on \(t.dataset) has \(d)")
        }
        if let k, t.task == .mnist, k != outputs {
            throw SparseIHTError.invalidArgument("\(path) does not fit --task mnist: the model has \(outputs) outputs, the data \(k) classes")
        }
    }

    /// A warning when the scored rows were (by the recorded split) training rows of the
    /// model: trained on `--split full` (the files' training set) and scored on the
    /// published split's test rows, which come from that same training file.
    public func overlapWarning(_ spec: EvaluationSpec) -> String? {
        let t = spec.task
        guard t.task.isClassification, t.task != .binaryCIFAR10, spec.on == .test, let split, let dataset else { return nil }
        guard dataset == t.dataset, split == RealTasks.Split.full.rawValue, t.split == .published,
              !["mnist-sample"].contains(dataset), !dataset.hasSuffix(".csv"), !dataset.hasSuffix(".csv.gz") else { return nil }
        return "warning: \(path) was trained on --split full of \(dataset), whose training rows include the published split's "
            + "test rows: this accuracy is measured on rows the model was trained on (use --split full to score the files' test set)"
    }

    static func list(_ c: [Int]) -> String { c.map(String.init).joined(separator: ",") }
}
