import Foundation
import SparseIHTCore
import SparseIHTData

extension TaskSpec {
    /// Sets the field of the command-line flag `name` (without dashes, e.g. `m`,
    /// `planted-s`, `center`) from its text; boolean flags take `true` / `false`. Throws
    /// `SparseIHTError.invalidArgument` for an unknown flag or a value that does not parse.
    public mutating func apply(flag name: String, value: String) throws {
        func bad() -> SparseIHTError { .invalidArgument("--\(name): cannot use '\(value)'") }
        func int() throws -> Int { guard let v = Int(value) else { throw bad() }; return v }
        func double() throws -> Double { guard let v = Double(value), v.isFinite else { throw bad() }; return v }
        func bool() throws -> Bool { guard let v = Bool(value) else { throw bad() }; return v }
        func choice<E: RawRepresentable>(_: E.Type) throws -> E where E.RawValue == String {
            guard let v = E(rawValue: value) else { throw bad() }; return v
        }
        switch name {
        case "task": task = try choice(TaskKind.self)
        case "dataset": dataset = value
        case "x": x = value
        case "y": y = value
        case "n": n = try int()
        case "d": d = try int()
        case "m": m = try int()
        case "s": s = try int()
        case "planted-s": plantedS = try int()
        case "planted-angle": plantedAngle = try double()
        case "outputs": outputs = try int()
        case "layers": layers = try int()
        case "steps": steps = try int()
        case "epochs": epochs = try int()
        case "mode": mode = try choice(GateMode.self)
        case "recipe": recipe = try choice(SolverOptions.Recipe.self)
        case "loss": loss = try choice(Loss.self)
        case "inflation": inflation = try double()
        case "revive": revive = try bool()
        case "stall-reseed": stallReseed = try bool()
        case "stall-gain": stallGain = try double()
        case "stall-steps": stallSteps = try int()
        case "gates-follow-from": gatesFollowFrom = try int()
        case "tiny-first-step": tinyFirstStep = try bool()
        case "signed-outputs": signedOutputs = try bool()
        case "fixed-point-full-step": fixedPointFullStep = try bool()
        case "refine": refine = try int()
        case "refine-rule": refineRule = try choice(SolverOptions.RefineRule.self)
        case "reseed-search": reseedSearch = try bool()
        case "reseed-rule": reseedRule = try choice(SolverOptions.ReseedRule.self)
        case "tolerance": tolerance = try double()
        case "batch": batch = try int()
        case "chunk": chunk = try int()
        case "classes": guard let c = Self.parseClasses(value) else { throw bad() }; classes = c
        case "split": split = try choice(RealTasks.Split.self)
        case "lr": lr = try double()
        case "output-lr": outputLR = try double()
        case "support-steps": supportSteps = try int()
        case "schedule": schedule = try choice(VectorOptions.StepSchedule.self)
        case "warmup-epochs": warmupEpochs = try int()
        case "cooldown-epochs": cooldownEpochs = try int()
        case "unit-features": unitFeatures = try bool()
        case "seed-scale": seedScale = try double()
        case "ranking": ranking = try choice(VectorOptions.Ranking.self)
        case "output-share": outputShare = try double()
        case "max-neurons": maxNeurons = try int()
        case "last-layer-max-neurons": lastLayerMaxNeurons = try int()
        case "last-layer-share": lastLayerShare = try double()
        case "pixel-scale": pixelScale = Float(try double())
        case "center": center = try bool()
        case "standardize": standardize = try bool()
        case "no-standardize": standardize = !(try bool())
        case "coordinates": coordinates = try choice(FourierFeatures.Coordinates.self)
        case "constant-feature": constantFeature = try bool()
        case "holdout": holdout = try double()
        case "image": image = try int()
        case "sigma": sigma = try double()
        case "fourier-features": fourierFeatures = try int()
        case "prune-fraction": pruneFraction = try double()
        case "no-diagnostics": diagnostics = !(try bool())
        default: throw SparseIHTError.invalidArgument("--\(name) is not a task flag")
        }
    }

    /// `--classes`: comma-separated distinct non-negative class indices ("0,1", "3, 5"); nil
    /// for anything else (an empty list, a negative, non-integer or repeated entry).
    public static func parseClasses(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 }), Set(parts).count == parts.count else { return nil }
        return parts.compactMap { $0 }
    }

    /// Checks an optional `--classes` text (a typo is an error, not a shorter list).
    public static func checkClasses(_ text: String?) throws {
        if let text, parseClasses(text) == nil {
            throw SparseIHTError.invalidArgument("--classes must be a comma-separated list of distinct class indices, e.g. 0,1 (got '\(text)')")
        }
    }
}
