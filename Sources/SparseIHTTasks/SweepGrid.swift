import Foundation
import SparseIHTCore

/// What a sweep cell runs: IHT (`recover`) or one of the dense baselines.
public enum SweepMethod: String, Sendable, Codable, CaseIterable {
    case iht, imp, magnitude
}

/// One task flag of a sweep and its values (several values make it an axis of the grid).
public struct SweepFlag: Codable, Sendable, Hashable {
    /// Flag name without dashes (`m`, `planted-s`).
    public var name: String
    /// Values as typed (`"5"`, `"0.5"`, `"true"`).
    public var values: [String]
    public init(name: String, values: [String]) { self.name = name; self.values = values }
}

/// `--shard i/N`: the cells whose grid index is `i` modulo `N` (0-based `i`).
public struct Shard: Codable, Sendable, Hashable, CustomStringConvertible {
    public var index: Int, count: Int
    public static let whole = Shard(index: 0, count: 1)
    public init(index: Int, count: Int) { self.index = index; self.count = count }

    /// Parses `i/N` with `0 <= i < N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, (0..<n).contains(i) else {
            throw SparseIHTError.invalidArgument("--shard must be i/N with 0 <= i < N (got '\(text)')")
        }
        index = i; count = n
    }
    public var description: String { "\(index)/\(count)" }
}

extension Shard: LosslessStringConvertible {
    /// `i/N` as `init(parsing:)` reads it; nil when it does not parse.
    public init?(_ description: String) { try? self.init(parsing: description) }
}

/// A sweep: methods x every combination of the flags' values x seeds, on one task.
/// `cells()` lists them in one fixed order (methods, then flags in the order given with
/// the last varying fastest, then seeds), so every process that builds the same grid
/// numbers the cells alike; a shard is a residue class of that numbering.
public struct SweepGrid: Codable, Sendable, Equatable {
    public var task: TaskKind
    public var methods: [SweepMethod]
    public var flags: [SweepFlag]
    public var seeds: [UInt64]

    public init(task: TaskKind, methods: [SweepMethod], flags: [SweepFlag], seeds: [UInt64]) {
        self.task = task; self.methods = methods; self.flags = flags; self.seeds = seeds
    }

    /// Every cell, in grid order.
    public func cells() -> [SweepCell] {
        var combos: [[SweepParameter]] = [[]]
        for flag in flags {
            combos = combos.flatMap { c in flag.values.map { c + [SweepParameter(name: flag.name, value: $0)] } }
        }
        return methods.flatMap { method in
            combos.flatMap { params in seeds.map { SweepCell(method: method, task: task, parameters: params, seed: $0) } }
        }
    }

    /// The cells of `shard`, in grid order: the function a job array or a shard process calls.
    public func cells(in shard: Shard) -> [SweepCell] {
        cells().enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
    }

    /// Checks every cell's settings parse (so a typo fails before the first run).
    public func validate() throws {
        guard !methods.isEmpty, !seeds.isEmpty else { throw SparseIHTError.invalidArgument("a sweep needs a method and a seed") }
        if methods.contains(where: { $0 != .iht }) && !TaskKind.baselineTasks.contains(task) {
            throw SparseIHTError.invalidArgument("imp and magnitude run on \(TaskKind.baselineTasks.map(\.rawValue).joined(separator: ", "))")
        }
        for flag in flags where flag.values.isEmpty { throw SparseIHTError.invalidArgument("--\(flag.name) has no value") }
        for cell in cells() { _ = try cell.spec() }
    }

    /// The grid of `sparse-iht sweep`: `methods` and `seeds` comma-separated, `arguments`
    /// the task flags (see `flags(from:)`).
    public init(task: TaskKind, methods: String, seeds: String, arguments: [String]) throws {
        let methodList = methods.split(separator: ",").map { SweepMethod(rawValue: String($0)) }
        guard !methodList.isEmpty, methodList.allSatisfy({ $0 != nil }) else {
            throw SparseIHTError.invalidArgument("--method takes a list of iht, imp, magnitude (got '\(methods)')")
        }
        let seedList = seeds.split(separator: ",").map { UInt64($0) }
        guard !seedList.isEmpty, seedList.allSatisfy({ $0 != nil }) else {
            throw SparseIHTError.invalidArgument("--seeds must list non-negative integers (got '\(seeds)')")
        }
        self.init(task: task, methods: methodList.compactMap { $0 }, flags: try Self.flags(from: arguments), seeds: seedList.compactMap { $0 })
    }

    /// Parses task flags as typed after `sparse-iht sweep`: `--name v1,v2,...` (numeric
    /// flags may list several values; others take one) or a bare boolean `--name`.
    public static func flags(from arguments: [String]) throws -> [SweepFlag] {
        var out: [SweepFlag] = []
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            guard arg.hasPrefix("--"), arg.count > 2 else { throw SparseIHTError.invalidArgument("unexpected argument '\(arg)'") }
            var name = String(arg.dropFirst(2)), value = "true"
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...]); name = String(name[..<eq])
            } else if i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") {
                value = arguments[i + 1]; i += 1
            }
            guard !out.contains(where: { $0.name == name }) else { throw SparseIHTError.invalidArgument("--\(name) given twice") }
            let listable = Double(value.split(separator: ",").first.map(String.init) ?? "") != nil
            out.append(SweepFlag(name: name, values: listable ? value.split(separator: ",").map(String.init) : [value]))
            i += 1
        }
        return out
    }
}
