import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData

/// The whole-run cells of the performance issue on the CPU backend: each cell's seconds
/// split into data load, GEMM, selection (chunk top-k and merge), refinement, transfers and
/// the rest (host work), next to its floor: the dense GEMMs every step must do (the gates
/// `X H^T` and the gradient `X^T (G .* r)` over all `m d` candidates, `2 n d m` flops each)
/// at the SGEMM rate measured in the same run on the same shape, plus the data load.
struct CellBench {
    let repeats: Int
    /// Refinement rule override (nil: the cell's recipe decides).
    let refineRule: SolverOptions.RefineRule?

    /// A cell: how to make its data (timed as the load) and the solver options.
    struct Cell {
        var name: String
        var make: () throws -> (problem: RegressionProblem, options: SolverOptions, score: ((SolverResult) throws -> [String: Any])?)
        /// Steps before the timed window (the paper-size step times the second step).
        var skipSteps = 0
        var includeLoad = true
    }

    /// Counters read before and after the timed window.
    struct Counters {
        var wall = 0.0, cpu = 0.0, gemmSeconds = 0.0, gemmFlops = 0, transferSeconds = 0.0, transferBytes = 0
        var phases: [String: Double] = [:]

        static func read(_ b: CPUBackend, _ p: SolverProfile) -> Counters {
            Counters(wall: ProfileClock.seconds(), cpu: processCPUSeconds(),
                     gemmSeconds: b.gemmSeconds, gemmFlops: b.gemmFlops, transferSeconds: b.transferSeconds,
                     transferBytes: b.transferBytes, phases: p.seconds)
        }

        static func - (a: Counters, b: Counters) -> Counters {
            var out = Counters(wall: a.wall - b.wall, cpu: a.cpu - b.cpu, gemmSeconds: a.gemmSeconds - b.gemmSeconds,
                               gemmFlops: a.gemmFlops - b.gemmFlops, transferSeconds: a.transferSeconds - b.transferSeconds,
                               transferBytes: a.transferBytes - b.transferBytes)
            for (k, v) in a.phases { out.phases[k] = v - (b.phases[k] ?? 0) }
            return out
        }
    }

    /// User plus system CPU seconds of this process.
    static func processCPUSeconds() -> Double {
        var u = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
    }

    /// Best-of-`repeats` SGEMM rate (flop/s) of the chunked-gradient shape
    /// `(c x n) (n x d)`, on a separate backend so the cell's counters stay clean.
    func sgemmRate(n: Int, d: Int, c: Int) throws -> Double {
        let b = CPUBackend()
        var rng = SeededGenerator(seed: 8)
        let a = try b.makeBuffer(rng.normals(n * c)), x = try b.makeBuffer(rng.normals(n * d))
        let out = try b.makeBuffer(count: c * d)
        var best = Double.infinity
        for _ in 0...repeats {
            let t0 = ProfileClock.seconds()
            try b.gemm(transA: true, transB: false, m: c, n: d, k: n, alpha: 1, a: a, b: x, beta: 0, c: out)
            best = min(best, ProfileClock.seconds() - t0)
        }
        return 2 * Double(n * d * c) / best
    }

    func run(_ cell: Cell) throws -> [String: Any] {
        let backend = CPUBackend()
        let t0 = ProfileClock.seconds()
        let (problem, baseOptions, score) = try cell.make()
        let load = ProfileClock.seconds() - t0
        var options = baseOptions
        if let r = refineRule { options.refineRule = r }
        let nStep = options.batchSize ?? problem.n
        let solver = try IHTSolver(backend: backend, problem: problem, options: options)
        let profile = SolverProfile()
        solver.profile = profile
        var start = Counters.read(backend, profile)
        var peakAtStart = backend.peakBytesAllocated
        solver.onStep = { r in
            if r.step == cell.skipSteps { start = Counters.read(backend, profile); peakAtStart = backend.peakBytesAllocated }
        }
        let result = try solver.run()
        let used = Counters.read(backend, profile) - start
        _ = peakAtStart
        let steps = result.history.count - cell.skipSteps
        let rate = try sgemmRate(n: nStep, d: problem.d, c: min(options.m, result.chunk))
        let floorFlops = Double(steps) * 4 * Double(nStep) * Double(problem.d) * Double(options.m)
        let loadCounted = cell.includeLoad ? load : 0
        let floor = floorFlops / rate + loadCounted
        let total = used.wall + loadCounted
        let selection = used.phases["selection"] ?? 0
        let host = used.wall - used.gemmSeconds - selection - used.transferSeconds
        var out: [String: Any] = [
            "cell": cell.name, "n": problem.n, "n_per_step": nStep, "d": problem.d, "m": options.m, "s": options.s,
            "steps": steps, "chunk": result.chunk, "refine_rule": options.refineRule.rawValue,
            "total_seconds": total, "solve_seconds": used.wall, "solve_cpu_seconds": used.cpu, "load_seconds": load,
            "load_counted": cell.includeLoad,
            "gemm_seconds": used.gemmSeconds, "gemm_flops": used.gemmFlops,
            "gemm_gflops": Double(used.gemmFlops) / max(used.gemmSeconds, 1e-12) / 1e9,
            "sgemm_gflops": rate / 1e9, "selection_seconds": selection,
            "refinement_seconds": used.phases["refinement"] ?? 0, "threshold_seconds": used.phases["threshold"] ?? 0,
            "metrics_seconds": used.phases["metrics"] ?? 0, "batch_seconds": used.phases["batch"] ?? 0,
            "transfer_seconds": used.transferSeconds, "transfer_bytes": used.transferBytes, "host_seconds": host,
            "floor_flops": floorFlops, "floor_seconds": floor, "ratio_to_floor": total / floor,
            "peak_backend_bytes": backend.peakBytesAllocated,
            "psnr": result.history.last?.psnr ?? 0, "stop_reason": result.stopReason.rawValue,
        ]
        if let score { out.merge(try score(result)) { $1 } }
        return out
    }

    /// The issue's cells (the 10-class Fashion cell runs the vector solver: total and load only).
    func cells() -> [Cell] {
        func published(_ m: Int, _ s: Int, steps: Int) -> SolverOptions {
            var o = SolverOptions(m: m, s: s)
            o.apply(.published)
            o.steps = steps
            return o
        }
        func planted(_ name: String, m: Int, s: Int) -> Cell {
            Cell(name: name) {
                let p = try PlantedProblems.plantedMLP(n: 50_000, d: 100, m: m, s: s, seed: 0, backend: CPUBackend())
                return (p.problem, published(m, s, steps: 15), nil)
            }
        }
        return [
            planted("planted-m10", m: 10, s: 50),
            planted("planted-m50", m: 50, s: 100),
            Cell(name: "fashion-binary") {
                let (data, _) = try RealTasks.preparedClassification(dataset: "fashion", classes: [0, 1], split: .published,
                                                                     preprocessing: .init())
                let problem = try RegressionProblem(x: data.train.x, y: data.train.labels.map { Float($0) },
                                                    n: data.train.n, d: data.train.d)
                var o = published(100, 200, steps: 15)
                o.batchSize = 1000
                o.steps = 15 * BatchSchedule(n: problem.n, batchSize: 1000, seed: 0).batchesPerEpoch
                let test = data.test
                return (problem, o, { r in
                    let scores = try ScalarModel(weights: r.weights, generators: r.generators)
                        .predict(x: test.x, n: test.n, backend: CPUBackend())
                    return ["test_accuracy": ClassificationMetrics.accuracy(scores: scores, k: 1, labels: test.labels)]
                })
            },
            Cell(name: "inr") {
                let img = try RealTasks.image(dataset: "mnist-sample", index: 0)
                let (x, y) = try FourierFeatures.rows(of: img, features: 750, sigmas: FourierFeatures.publishedSigmas(channels: 1),
                                                  seed: 0)
                return (try RegressionProblem(x: x, y: y, n: y.count, d: 1500), published(200, 1000, steps: 100), nil)
            },
            Cell(name: "paper-step", make: {
                let p = try PlantedProblems.plantedMLP(n: 50_000, d: 784, m: 1_000, s: 2_000, seed: 0, backend: CPUBackend())
                var o = SolverOptions(m: 1_000, s: 2_000)
                o.steps = 2
                o.tolerance = 0
                return (p.problem, o, nil)
            }, skipSteps: 1, includeLoad: false),
        ]
    }

    /// The 10-class Fashion cell (vector-output solver, full split, m 1,000, s 2,000, 50
    /// epochs): total, load and the GEMM counters only.
    func multiclassCell(epochs: Int) throws -> [String: Any] {
        let backend = CPUBackend()
        let t0 = ProfileClock.seconds()
        let (data, _) = try RealTasks.preparedClassification(dataset: "fashion", classes: nil, split: .full, preprocessing: .init())
        let k = data.train.classes
        var onehot = [Float](repeating: 0, count: data.train.n * k)
        for (i, l) in data.train.labels.enumerated() { onehot[i * k + l] = 1 }
        let load = ProfileClock.seconds() - t0
        var o = VectorOptions(m: 1_000, s: 2_000)
        o.epochs = epochs; o.batchSize = 5_000; o.loss = .crossEntropy
        let solver = try VectorIHTSolver(backend: backend, x: data.train.x, y: onehot, n: data.train.n, d: data.train.d, k: k, options: o)
        let t1 = ProfileClock.seconds()
        let model = try solver.run()
        let solve = ProfileClock.seconds() - t1
        let scores = try model.predict(x: data.test.x, n: data.test.n, backend: backend)
        let rate = try sgemmRate(n: 5_000, d: data.train.d, c: 1_000)
        let batches = Double(epochs) * Double((data.train.n + 4_999) / 5_000)
        let floorFlops = batches * 4 * 5_000 * Double(data.train.d) * 1_000
        return ["cell": "fashion-10class", "n": data.train.n, "n_per_step": 5_000, "d": data.train.d, "m": 1_000, "s": 2_000,
                "steps": Int(batches), "total_seconds": load + solve, "solve_seconds": solve, "load_seconds": load,
                "gemm_seconds": backend.gemmSeconds, "gemm_flops": backend.gemmFlops, "sgemm_gflops": rate / 1e9,
                "transfer_seconds": backend.transferSeconds, "transfer_bytes": backend.transferBytes,
                "floor_flops": floorFlops, "floor_seconds": floorFlops / rate + load,
                "ratio_to_floor": (load + solve) / (floorFlops / rate + load),
                "test_accuracy": ClassificationMetrics.accuracy(scores: scores, k: k, labels: data.test.labels)]
    }

    /// Growth of solve time and peak backend memory with n, m and s around a planted base
    /// (n 20,000, d 100, m 20, s 50, 5 steps, published recipe, no tolerance stop): the
    /// least-squares slope of log(value) against log(parameter), one parameter at a time.
    func scaling() throws -> [String: Any] {
        let base = (n: 20_000, m: 20, s: 50)
        func measure(n: Int, m: Int, s: Int) throws -> (seconds: Double, bytes: Double) {
            let b = CPUBackend()
            let p = try PlantedProblems.plantedMLP(n: n, d: 100, m: m, s: s, seed: 0, backend: b)
            var o = SolverOptions(m: m, s: s)
            o.apply(.published); o.steps = 5; o.tolerance = 0
            if let r = refineRule { o.refineRule = r }
            let solver = try IHTSolver(backend: b, problem: p.problem, options: o)
            let t0 = ProfileClock.seconds()
            _ = try solver.run()
            return (ProfileClock.seconds() - t0, Double(b.peakBytesAllocated))
        }
        func slope(_ xs: [Double], _ ys: [Double]) -> Double {
            let lx = xs.map(log), ly = ys.map(log)
            let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
            let num = zip(lx, ly).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
            let den = lx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
            return num / den
        }
        var out: [String: Any] = [:]
        for (name, values) in [("n", [10_000, 20_000, 40_000]), ("m", [10, 20, 40]), ("s", [25, 50, 100])] {
            var t: [Double] = [], mem: [Double] = []
            for v in values {
                let r = try measure(n: name == "n" ? v : base.n, m: name == "m" ? v : base.m, s: name == "s" ? v : base.s)
                t.append(r.seconds); mem.append(r.bytes)
            }
            let xs = values.map(Double.init)
            out[name] = ["values": values, "seconds": t, "peak_backend_bytes": mem,
                         "time_exponent": slope(xs, t), "memory_exponent": slope(xs, mem)] as [String: Any]
        }
        return out
    }

    /// The cells as a Markdown table.
    static func markdown(_ rows: [[String: Any]]) -> String {
        func f(_ r: [String: Any], _ k: String, _ fmt: String = "%.2f") -> String {
            if let v = r[k] as? Double { return String(format: fmt, v) }
            if let v = r[k] as? Int { return String(format: fmt, Double(v)) }
            return "-"
        }
        var lines = ["| cell | total s | load s | GEMM s | GEMM GFLOP | SGEMM GFLOP/s | selection s | refinement s | host s | transfers s | floor s | ratio | quality |",
                     "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows {
            let gflop = (r["gemm_flops"] as? Int).map { String(format: "%.1f", Double($0) / 1e9) } ?? "-"
            let quality = (r["test_accuracy"] as? Double).map { String(format: "acc %.4f", $0) }
                ?? (r["psnr"] as? Double).map { String(format: "%.2f dB", $0) } ?? "-"
            lines.append("| \(r["cell"] ?? "?") | \(f(r, "total_seconds")) | \(f(r, "load_seconds")) | \(f(r, "gemm_seconds")) | \(gflop) | "
                         + "\(f(r, "sgemm_gflops", "%.1f")) | \(f(r, "selection_seconds", "%.3f")) | \(f(r, "refinement_seconds")) | "
                         + "\(f(r, "host_seconds")) | \(f(r, "transfer_seconds", "%.3f")) | \(f(r, "floor_seconds")) | "
                         + "\(f(r, "ratio_to_floor")) | \(quality) |")
        }
        return lines.joined(separator: "\n")
    }
}
