import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData

/// Runs IHT on a task: builds its data once, trains, scores, writes the outputs asked
/// for and returns the report. Throws `SparseIHTError` for bad settings or data.
public enum TaskRunner {
    /// Every output path is checked before the work starts; the outputs are written
    /// together (`OutputStaging`): all of them or, when anything fails, none.
    public static func recover<B: ComputeBackend>(_ spec: TaskSpec, outputs: TaskOutputs = .init(),
                                                  observer: TaskObserver = .init(), backend: B) throws -> TaskRun {
        try spec.validate()
        let spec = spec.withVectorRecipe()
        try spec.checkOutputs(outputs)
        return try OutputStaging.writing { staging in
            try run(spec, outputs: outputs.staged(in: staging, fittedImage: spec.task == .inr), observer: observer, backend: backend)
        }
    }

    private static func run<B: ComputeBackend>(_ spec: TaskSpec, outputs: TaskOutputs, observer: TaskObserver,
                                               backend: B) throws -> TaskRun {
        let started = Date()
        let m = spec.resolvedM, s = spec.resolvedS
        let plantedNetwork = spec.task == .planted && spec.isLayeredRun
        let data = try TaskData.make(spec, m: m, plantedS: spec.plantedS ?? s, plantedNetwork: plantedNetwork, backend: backend)
        var run: TaskRun
        switch (spec.task, spec.isLayeredRun) {
        case (_, false): run = try synthetic(spec, data: data, outputs: outputs, observer: observer, backend: backend)
        case (.binaryMNIST, _), (.binaryCIFAR10, _):
            run = try binary(spec, data: data, outputs: outputs, observer: observer, backend: backend)
        case (.mnist, _): run = try multiclass(spec, data: data, outputs: outputs, observer: observer, backend: backend)
        case (.inr, _): run = try image(spec, data: data, outputs: outputs, observer: observer, backend: backend)
        default: run = try plantedNetworkRun(spec, data: data, outputs: outputs, observer: observer, backend: backend)
        }
        run.report.secondsTotal = Date().timeIntervalSince(started)
        if let path = outputs.json { try run.report.write(to: path) }
        return run
    }

    /// Keys every recover report carries.
    static func common<B: ComputeBackend>(_ spec: TaskSpec, backend: B, n: Int, d: Int, m: Int, s: Int,
                                          seconds: Double) -> RunReport {
        var r = RunReport()
        r.task = spec.task.rawValue
        r.stampMachine(backend)
        r.n = n; r.d = d; r.m = m; r.s = s
        r.recipe = spec.resolvedRecipe.rawValue; r.seed = spec.seed; r.seconds = seconds
        return r
    }

    /// Writes a layered model (with the input scaling and Fourier settings it needs).
    static func save(_ model: LayeredModel, to path: String?, spec: TaskSpec, data: TaskData) throws {
        guard let path else { return }
        var file = ModelFile(model)
        file.provenance = provenance(spec)
        file.inputDivisor = data.scaling.divisor
        file.inputMean = data.scaling.shift
        if let sigmas = data.sigmas {
            file.fourierFeatures = spec.fourierFeatures; file.fourierSigmas = sigmas; file.fourierSeed = spec.seed
            if spec.resolvedConstantFeature { file.fourierConstant = true }
        }
        try file.write(to: path)
    }
}
