import Foundation

/// Wall-clock seconds a solver run spends in each phase, for benchmarks (`iht-bench
/// cells`). Attach one to `IHTSolver.profile`; with none attached the solver takes no
/// timestamps. Phases nest: `selection` (chunk top-k and merge) lies inside `threshold`.
public final class SolverProfile: @unchecked Sendable {
    /// Seconds per phase: `threshold` (steps 1-3: residual, step size, streamed gradient and
    /// top-k), `selection` (the top-k and merge part of it), `refinement` (step 4),
    /// `follow` (gates following the weights, re-seeding), `metrics` (the per-step
    /// prediction, PSNR and residual), `batch` (minibatch row gathers).
    public private(set) var seconds: [String: Double] = [:]

    public init() {}

    /// Adds the time `body` takes to `phase`.
    @inline(__always)
    public func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let t0 = ProfileClock.seconds()
        defer { seconds[phase, default: 0] += ProfileClock.seconds() - t0 }
        return try body()
    }
}

/// The clock of `SolverProfile` and of the backends' GEMM and transfer timers: wall time,
/// or the CPU time of the whole process (every thread), which on a shared machine counts
/// only the work done for this process.
public enum ProfileClock {
    nonisolated(unsafe) public static var cpuTime = false

    /// Seconds on the chosen clock (from an arbitrary origin).
    @inline(__always)
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(cpuTime ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

extension Optional where Wrapped == SolverProfile {
    /// Runs `body`, timing it under `phase` when a profile is attached.
    @inline(__always)
    func measure<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        switch self {
        case .some(let p): return try p.measure(phase, body)
        case .none: return try body()
        }
    }
}
