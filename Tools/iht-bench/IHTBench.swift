import ArgumentParser
import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL

/// Benchmarks of the primitives and of one IHT step, each next to a plain SGEMM of the
/// same shapes on the same backend in the same run (machines are shared and noisy, so the
/// ratio is the figure that matters). Prints a table and writes JSON.
@main
struct IHTBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iht-bench",
        abstract: "Time the masked gradient, top-k and one IHT step against the same run's SGEMM rate.")

    @Option(help: "cpu, opencl or all") var backend: String = "all"
    @Option(help: "OpenCL device selector (gpu, cpu, index, name).") var device: String = "auto"
    @Option(help: "Gradient benchmark: examples.") var n: Int = 10_000
    @Option(help: "Gradient benchmark: input dimension.") var d: Int = 784
    @Option(help: "Gradient benchmark: neurons.") var m: Int = 1_000
    @Option(name: .customLong("topk-n"), help: "Top-k benchmark: vector length.") var topkN: Int = 10_000_000
    @Option(name: .customLong("topk-k"), help: "Top-k benchmark: k.") var topkK: Int = 10_000
    @Option(name: .customLong("step-n"), help: "IHT step benchmark: examples (0 skips it).") var stepN: Int = 0
    @Option(name: .customLong("step-d")) var stepD: Int = 784
    @Option(name: .customLong("step-m")) var stepM: Int = 1_000
    @Option(name: .customLong("step-s")) var stepS: Int = 2_000
    @Option(help: "Repetitions (the best is reported).") var repeats: Int = 3
    @Option(help: "Write the figures as JSON here.") var json: String?
    @Flag(help: "Run the whole-run cells (CPU backend) with their time breakdown and floors instead of the primitives.")
    var cells = false
    @Option(help: "Cells: comma-separated names to run (planted-m10, planted-m50, fashion-binary, inr, paper-step; default: all).")
    var only: String?
    @Option(help: "Cells: OpenBLAS threads (the cells' floors assume one).") var threads: Int = 1
    @Option(name: .customLong("cell-runs"),
            help: "Cells: runs of each cell; the one with the least total is reported, with every run's total (a shared machine's noise only adds time).")
    var cellRuns: Int = 1
    @Option(name: .customLong("refine-rule"), help: "Cells: override the refinement rule (exact | published; default: the cell's recipe).")
    var refineRule: String?
    @Flag(help: "Cells: also run the 10-class Fashion cell (vector solver, full split, about 2 minutes).") var multiclass = false
    @Flag(help: "Cells: also fit the growth exponents of time and memory in n, m and s.") var scaling = false
    @Option(help: "Cells: write the Markdown table here.") var markdown: String?
    @Option(help: "Clock of every figure: cpu (CPU seconds of the process, all threads; robust on a shared machine) or wall.")
    var clock: String = "cpu"

    func run() throws {
        guard clock == "cpu" || clock == "wall" else { throw ValidationError("--clock must be cpu or wall") }
        ProfileClock.cpuTime = clock == "cpu"
        if cells { try runCells(); return }
        var results: [[String: Any]] = []
        let core = CPUBackend.openBLASCore
        if backend == "cpu" || backend == "all" { results.append(try bench(CPUBackend())) }
        if backend == "opencl" || backend == "all" { results.append(try bench(try OpenCLBackend(selector: device))) }
        let doc: [String: Any] = [
            "openblas_core": core.name, "openblas_coretype": core.coretypeOverride ?? "unset",
            "host_loops": HostVectorLoops.level,
            "host": ProcessInfo.processInfo.hostName, "cores": ProcessInfo.processInfo.activeProcessorCount,
            "date": ISO8601DateFormatter().string(from: Date()), "results": results,
        ]
        print("OpenBLAS core \(core.name), OPENBLAS_CORETYPE=\(core.coretypeOverride ?? "unset"), host loops \(HostVectorLoops.level), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for r in results { printTable(r) }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    func runCells() throws {
        guard cellRuns >= 1 else { throw ValidationError("--cell-runs must be at least 1") }
        CPUBackend.openBLASThreads = threads
        var rule: SolverOptions.RefineRule?
        if let r = refineRule {
            guard let parsed = SolverOptions.RefineRule(rawValue: r) else { throw ValidationError("--refine-rule must be exact or published") }
            rule = parsed
        }
        let bench = CellBench(repeats: repeats, refineRule: rule)
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        let core = CPUBackend.openBLASCore
        print("OpenBLAS core \(core.name), OPENBLAS_CORETYPE=\(core.coretypeOverride ?? "unset"), threads \(CPUBackend.openBLASThreads), host loops \(HostVectorLoops.level), \(clock) seconds")
        var rows: [[String: Any]] = []
        for cell in bench.cells() where wanted?.contains(cell.name) ?? true {
            var runs: [[String: Any]] = []
            for _ in 0..<cellRuns { runs.append(try bench.run(cell)) }
            var r = runs.min { ($0["total_seconds"] as! Double) < ($1["total_seconds"] as! Double) }!
            r["runs"] = cellRuns
            r["total_seconds_of_runs"] = runs.map { $0["total_seconds"] as! Double }
            r["ratio_to_floor_of_runs"] = runs.map { $0["ratio_to_floor"] as! Double }
            print(String(format: "  %@: total %.2f s (load %.2f, GEMM %.2f, selection %.3f, refinement %.2f, host %.2f, transfers %.3f) floor %.2f s, ratio %.2f",
                         cell.name, r["total_seconds"] as! Double, r["load_seconds"] as! Double, r["gemm_seconds"] as! Double,
                         r["selection_seconds"] as! Double, r["refinement_seconds"] as! Double, r["host_seconds"] as! Double,
                         r["transfer_seconds"] as! Double, r["floor_seconds"] as! Double, r["ratio_to_floor"] as! Double))
            rows.append(r)
        }
        if multiclass { rows.append(try bench.multiclassCell(epochs: 50)) }
        let table = CellBench.markdown(rows)
        print(table)
        var doc: [String: Any] = [
            "openblas_core": core.name, "openblas_coretype": core.coretypeOverride ?? "unset", "openblas_threads": CPUBackend.openBLASThreads, "clock": clock,
            "host_loops": HostVectorLoops.level,
            "host": ProcessInfo.processInfo.hostName, "cores": ProcessInfo.processInfo.activeProcessorCount,
            "date": ISO8601DateFormatter().string(from: Date()), "cells": rows,
        ]
        if scaling {
            let fit = try bench.scaling()
            doc["scaling"] = fit
            for name in ["n", "m", "s"] {
                if let f = fit[name] as? [String: Any] {
                    print(String(format: "  growth in %@: time ~ %@^%.2f, memory ~ %@^%.2f", name, name,
                                 f["time_exponent"] as! Double, name, f["memory_exponent"] as! Double))
                }
            }
        }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
        if let markdown { try (table + "\n").write(toFile: markdown, atomically: true, encoding: .utf8) }
    }

    /// Best wall time of `repeats` runs of `body` (after one warm-up run), synchronized.
    func time<B: ComputeBackend>(_ b: B, _ body: () throws -> Void) throws -> Double {
        try body(); try b.synchronize()
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = ProfileClock.seconds()
            try body(); try b.synchronize()
            best = min(best, ProfileClock.seconds() - t0)
        }
        return best
    }

    func bench<B: ComputeBackend>(_ b: B) throws -> [String: Any] {
        var rng = SeededGenerator(seed: 7)
        var out: [String: Any] = ["backend": b.kind.rawValue, "device": b.deviceDescription]
        if let o = b as? OpenCLBackend { out["tuning"] = o.tuningDescription; print("  tuning: \(o.tuningDescription)") }
        // Masked gradient over all m neurons vs SGEMM of the same shape ((m x n) x (n x d)).
        let x = try b.makeBuffer(rng.normals(n * d))
        let r = try b.makeBuffer(rng.normals(n))
        let h = try b.makeBuffer(rng.normals(m * d))
        let g = try b.makeBuffer(count: n * m), grad = try b.makeBuffer(count: m * d)
        let flops = 2.0 * Double(n) * Double(d) * Double(m)
        let tGate = try time(b) { try b.gate(x: x, n: n, d: d, generators: h, c: m, into: g) }
        let tGrad = try time(b) { try b.maskedGradient(x: x, n: n, d: d, gate: g, c: m, residual: r, k: 1, into: grad) }
        let tGemm = try time(b) { try b.gemm(transA: true, transB: false, m: m, n: d, k: n, alpha: 1, a: g, b: x, beta: 0, c: grad) }
        out["gradient"] = ["n": n, "d": d, "m": m, "seconds": tGrad, "gflops": flops / tGrad / 1e9,
                           "sgemm_seconds": tGemm, "sgemm_gflops": flops / tGemm / 1e9, "ratio_to_sgemm": tGemm / tGrad,
                           "gate_seconds": tGate, "gate_gflops": flops / tGate / 1e9] as [String: Any]
        // Top-k.
        let v = try b.makeBuffer(rng.normals(topkN))
        let tTop = try time(b) { _ = try b.topK(v, count: topkN, k: topkK) }
        out["topk"] = ["count": topkN, "k": topkK, "seconds": tTop, "elements_per_second": Double(topkN) / tTop,
                       "gbytes_per_second": Double(topkN) * 4 / tTop / 1e9] as [String: Any]
        if stepN > 0 { out["iht_step"] = try stepBench(b) }
        return out
    }

    /// Times the second step of a planted recovery (the first starts from an empty
    /// support); flops are the GEMM flops the step performed, rate against this run's SGEMM.
    /// The step skips the dense gate product where generators follow sparse weights, so
    /// its own GEMM rate understates it; `floor_over_seconds` (the two dense products over
    /// all md candidates at the SGEMM rate, over the step's time) is the overhead measure.
    func stepBench<B: ComputeBackend>(_ b: B) throws -> [String: Any] {
        let planted = try PlantedProblems.plantedMLP(n: stepN, d: stepD, m: stepM, s: stepS, seed: 0, backend: b)
        var o = SolverOptions(m: stepM, s: stepS)
        o.steps = 2
        o.tolerance = 0
        let solver = try IHTSolver(backend: b, problem: planted.problem, options: o)
        var flopsAt: [Int] = [b.gemmFlops], clockAt: [Double] = [ProfileClock.seconds()]
        solver.onStep = { _ in flopsAt.append(b.gemmFlops); clockAt.append(ProfileClock.seconds()) }
        let result = try solver.run()
        let stepSeconds = clockAt[2] - clockAt[1]
        let stepFlops = Double(flopsAt[2] - flopsAt[1])
        // SGEMM of the chunked-gradient shape at this size.
        var rng = SeededGenerator(seed: 8)
        let x = try b.makeBuffer(rng.normals(stepN * stepD)), gm = try b.makeBuffer(rng.normals(stepN * result.chunk))
        let out = try b.makeBuffer(count: result.chunk * stepD)
        let tGemm = try time(b) {
            try b.gemm(transA: true, transB: false, m: result.chunk, n: stepD, k: stepN, alpha: 1, a: gm, b: x, beta: 0, c: out)
        }
        let gemmRate = 2.0 * Double(stepN * stepD * result.chunk) / tGemm
        let stepRate = stepFlops / stepSeconds
        // The step's floor: the thresholding pass's two dense products over all md candidates.
        let floorSeconds = 4.0 * Double(stepN) * Double(stepD) * Double(stepM) / gemmRate
        return ["n": stepN, "d": stepD, "m": stepM, "s": stepS, "chunk": result.chunk, "seconds": stepSeconds,
                "floor_seconds": floorSeconds, "floor_over_seconds": floorSeconds / stepSeconds,
                "gemm_flops": stepFlops, "gflops": stepRate / 1e9, "sgemm_gflops": gemmRate / 1e9,
                "ratio_to_sgemm": stepRate / gemmRate, "peak_backend_bytes": b.peakBytesAllocated]
    }

    func printTable(_ r: [String: Any]) {
        print("\n\(r["backend"]!): \(r["device"]!)")
        if let g = r["gradient"] as? [String: Any] {
            print(String(format: "  masked gradient n=%d d=%d m=%d: %.3f s, %.1f GFLOP/s | SGEMM same shape %.1f GFLOP/s | ratio %.2f | gate %.1f GFLOP/s",
                         g["n"] as! Int, g["d"] as! Int, g["m"] as! Int, g["seconds"] as! Double, g["gflops"] as! Double,
                         g["sgemm_gflops"] as! Double, g["ratio_to_sgemm"] as! Double, g["gate_gflops"] as! Double))
        }
        if let t = r["topk"] as? [String: Any] {
            print(String(format: "  top-k N=%d k=%d: %.4f s, %.3g elements/s (%.2f GB/s read)", t["count"] as! Int,
                         t["k"] as! Int, t["seconds"] as! Double, t["elements_per_second"] as! Double, t["gbytes_per_second"] as! Double))
        }
        if let s = r["iht_step"] as? [String: Any] {
            print(String(format: "  IHT step n=%d d=%d m=%d s=%d: %.2f s, %.1f GFLOP/s in GEMMs | SGEMM %.1f GFLOP/s | GEMM flops per step second / SGEMM %.2f | floor (4 n d m at the SGEMM rate) %.2f s, floor / step %.2f",
                         s["n"] as! Int, s["d"] as! Int, s["m"] as! Int, s["s"] as! Int, s["seconds"] as! Double,
                         s["gflops"] as! Double, s["sgemm_gflops"] as! Double, s["ratio_to_sgemm"] as! Double,
                         s["floor_seconds"] as! Double, s["floor_over_seconds"] as! Double))
        }
    }
}
