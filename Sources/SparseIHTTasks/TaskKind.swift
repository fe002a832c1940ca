import SparseIHTCore

/// The tasks a run can train on (`--task`).
public enum TaskKind: String, Sendable, Codable, CaseIterable {
    /// Planted sparse ReLU network `y = sum_j relu(X u_j)` (vector output with `outputs > 1`).
    case planted
    /// Planted on the solver's own convex generators: `y = A w*` exactly.
    case plantedDictionary = "planted-dictionary"
    /// Compressed sensing with the linear model (m = 1).
    case gaussian
    /// Your own `X.npy` (n x d) and `y.npy` (length n).
    case files
    /// Two classes, scalar output with 0/1 labels.
    case binaryMNIST = "binary-mnist"
    /// Ten classes, vector output, cross-entropy.
    case mnist
    /// Two CIFAR-10 classes, per-channel standardization.
    case binaryCIFAR10 = "binary-cifar10"
    /// One image fitted from Fourier features (implicit neural representation).
    case inr

    /// Synthetic tasks and files (regression problems with n, d given by flags or files).
    public var isSynthetic: Bool { [.planted, .plantedDictionary, .gaussian, .files].contains(self) }
    /// Classification tasks scored by test accuracy.
    public var isClassification: Bool { [.binaryMNIST, .mnist, .binaryCIFAR10].contains(self) }
    /// Two-class tasks (scalar output, 0/1 labels).
    public var isBinary: Bool { self == .binaryMNIST || self == .binaryCIFAR10 }
    /// One line on what the task fits (help texts).
    public var summary: String {
        switch self {
        case .planted: return "planted sparse ReLU network y = sum_j relu(X u_j) (with --outputs K a K-output network)"
        case .plantedDictionary: return "planted on the solver's own convex generators: y = A w* exactly"
        case .gaussian: return "compressed sensing, linear model"
        case .files: return "your data: --x X.npy --y y.npy"
        case .binaryMNIST: return "two classes, scalar output, 0/1 labels"
        case .mnist: return "10 classes, vector output, cross-entropy"
        case .binaryCIFAR10: return "two CIFAR-10 classes, per-channel standardization"
        case .inr: return "one image fitted from Fourier features"
        }
    }

    /// Every task with its summary, one per line.
    public static var overview: String { allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n") }

    /// The tasks the IMP / magnitude baselines run on.
    public static let baselineTasks: [TaskKind] = [.planted, .files, .binaryMNIST, .binaryCIFAR10, .mnist, .inr]
}

/// The score a task reports: `psnr` (dB) or `test_accuracy` (fraction).
public enum TaskMetric: String, Sendable, Codable {
    case psnr
    case testAccuracy = "test_accuracy"
}

/// Which solver a task's IHT run uses.
public enum TaskSolver: String, Sendable, Codable {
    /// `IHTSolver`, full batch, one network layer (`steps`).
    case scalar
    /// `IHTSolver` per layer, minibatch epochs when a batch is set (`LayerwiseTraining`).
    case scalarLayered
    /// `VectorIHTSolver` (W1 and W2 share s; epochs).
    case vector
}
