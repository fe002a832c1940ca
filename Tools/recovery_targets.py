#!/usr/bin/env python3
"""Runs the recovery engine's measured targets (issue: IHT recovery engine) with the release
binary and writes docs/results/*.csv plus docs/recovery-targets.md.

  python3 Tools/recovery_targets.py [dictionary] [grid] [ablation] [escape] [memory] [--opencl] [--bin PATH]

dictionary: planted-in-dictionary exact recovery, d=100, n=20,000, m in {10,100,1000}, s in {10,100}.
grid:       planted MLP, d=100, n=50,000, m in {10,50}, s in {10,50,100}, seeds 0-2: published
            (15 steps) and best recipe (15 steps, and to convergence within 150 steps).
ablation:   what each change of docs/method.md section 5 buys (m=10, s=50, n=5,000, seeds 0-5).
escape:     the planted m = 50 (and m = 10) cells, n=50,000, 150 steps: each switch of the search
            recipe added to best, and the search recipe without each (what each change buys).
memory:     one full step at d=100, n=10,000, s=1,000 for m in {1e4, 1e5, 1e6} (CPU backend).
--opencl also runs the dictionary and 15-step grid on the OpenCL backend (parity).
Only the Python standard library is used.
"""
import csv, json, os, subprocess, sys, tempfile

BIN = ".build/release/sparse-iht"
OUT = "docs/results"


def run(args):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    cmd = [BIN, "recover", "--quiet", "--json", path] + [str(a) for a in args]
    print("$", " ".join(cmd[1:]), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr)
        return {"error": p.stderr.strip()}
    print("  ", p.stdout.strip(), flush=True)
    with open(path) as f:
        doc = json.load(f)
    os.unlink(path)
    return doc


def write_csv(name, rows, keys):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def dictionary(backends):
    rows = []
    for backend in backends:
        for m in (10, 100, 1000):
            for s in (10, 100):
                d = run(["--task", "planted-dictionary", "--n", 20000, "--d", 100, "--m", m, "--s", s,
                         "--mode", "convex", "--steps", 100, "--backend", backend, "--no-diagnostics",
                         "--sparse-weights", f"/tmp/dict-{backend}-{m}-{s}"])
                d.update(backend=backend, m=m, s=s)
                rows.append(d)
    keys = ["backend", "m", "s", "relative_weight_error", "support_precision", "support_recall", "psnr",
            "steps", "seconds", "stop_reason"]
    write_csv("dictionary.csv", rows, keys)
    # Same support on both backends?
    if len(backends) == 2:
        import struct
        def idx(p):
            data = open(p, "rb").read()
            hl = data[8] | data[9] << 8
            body = data[10 + hl:]
            return struct.unpack("<%dq" % (len(body) // 8), body)
        same = []
        for m in (10, 100, 1000):
            for s in (10, 100):
                a = idx(f"/tmp/dict-cpu-{m}-{s}.indices.npy")
                b = idx(f"/tmp/dict-opencl-{m}-{s}.indices.npy")
                same.append({"m": m, "s": s, "same_support": a == b})
        write_csv("dictionary-parity.csv", same, ["m", "s", "same_support"])
    return rows


def grid(backends):
    rows = []
    for backend in backends:
        for recipe, steps in (("published", 15), ("best", 15), ("best", 150)):
            if backend != "cpu" and steps > 15:
                continue
            for m in (10, 50):
                for s in (10, 50, 100):
                    for seed in (0, 1, 2):
                        d = run(["--task", "planted", "--n", 50000, "--d", 100, "--m", m, "--s", s, "--seed", seed,
                                 "--recipe", recipe, "--steps", steps, "--tolerance", 1e-6 if steps > 15 else 0,
                                 "--backend", backend, "--no-diagnostics"])
                        d.update(backend=backend, recipe=recipe, budget=steps, m=m, s=s, seed=seed)
                        rows.append(d)
    keys = ["backend", "recipe", "budget", "m", "s", "seed", "psnr", "psnr_at_15", "relative_weight_error",
            "support_recall", "steps", "stop_reason", "seconds"]
    write_csv("planted-grid.csv", rows, keys)
    return rows


ABLATION = [
    ("published", ["--recipe", "published"]),
    ("gates from step 1 + normalized first step", ["--revive", "false", "--stall-reseed", "false"]),
    ("+ revival", ["--stall-reseed", "false"]),
    ("+ stall re-seeding (best)", []),
    ("best + inflation 1.5", ["--inflation", "1.5"]),
]


def ablation():
    """What each change buys: m=10, s=50, n=5,000 (docs/method.md section 5), seeds 0-5, 100 steps."""
    rows = []
    for name, flags in ABLATION:
        for seed in range(6):
            d = run(["--task", "planted", "--n", 5000, "--d", 100, "--m", 10, "--s", 50, "--seed", seed, "--steps", 100,
                     "--backend", "cpu", "--no-diagnostics"] + flags)
            d.update(variant=name, seed=seed)
            rows.append(d)
    write_csv("ablation.csv", rows, ["variant", "seed", "psnr_at_15", "psnr", "steps", "stop_reason", "relative_weight_error"])
    return rows


ESCAPE = [
    ("best", ["--recipe", "best"]),
    ("best + conjugate refinement", ["--recipe", "best", "--refine-rule", "conjugate"]),
    ("+ residual re-seeding", ["--recipe", "best", "--refine-rule", "conjugate", "--reseed-rule", "residual"]),
    ("+ re-seeding search (search, 10 refinement steps)", ["--recipe", "search", "--refine", 10, "--stall-gain", 0.1]),
    ("+ 50 refinement steps (search, the earlier planted default)", ["--recipe", "search", "--refine", 50, "--stall-gain", 0.1]),
    ("search, 10 steps, random re-seeding", ["--recipe", "search", "--refine", 10, "--reseed-rule", "random",
                                             "--stall-gain", 0.1]),
    ("search, 10 steps, exact-step refinement", ["--recipe", "search", "--refine", 10, "--refine-rule", "exact",
                                                 "--stall-gain", 0.1]),
    ("search, 30 refinement steps", ["--recipe", "search", "--refine", 30, "--stall-gain", 0.1]),
    ("search, 40 refinement steps, stall gain 0.2 (the planted default)", ["--recipe", "search"]),
]


def escape():
    """The fixed-point switches on the planted grid's m = 50 cells (all variants) and m = 10 cells
    (best and search): n=50,000, d=100, 150 steps, tolerance 1e-6."""
    rows = []
    for name, flags in ESCAPE:
        for m in (50, 10):
            if m == 10 and name not in ("best", "+ re-seeding search (search, 10 refinement steps)",
                                        "+ 50 refinement steps (search, the earlier planted default)",
                                        "search, 30 refinement steps",
                                        "search, 40 refinement steps, stall gain 0.2 (the planted default)"):
                continue
            for s in (10, 50, 100):
                for seed in (0, 1, 2):
                    d = run(["--task", "planted", "--n", 50000, "--d", 100, "--m", m, "--s", s, "--seed", seed,
                             "--steps", 150, "--backend", "cpu", "--no-diagnostics"] + flags)
                    d.update(variant=name, m=m, s=s, seed=seed)
                    rows.append(d)
    write_csv("planted-escape.csv", rows, ["variant", "m", "s", "seed", "psnr", "steps", "stop_reason",
                                           "support_recall", "relative_weight_error", "seconds"])
    return rows


def memory():
    rows = []
    for m in (10_000, 100_000, 1_000_000):
        d = run(["--task", "planted", "--n", 10000, "--d", 100, "--m", m, "--s", 1000, "--planted-s", 1000,
                 "--steps", 1, "--backend", "cpu", "--no-diagnostics", "--chunk", 2000])
        d.update(m=m)
        rows.append(d)
    write_csv("memory.csv", rows, ["m", "peak_rss_bytes", "peak_device_bytes", "dense_weights_bytes", "chunk",
                                   "seconds", "support_size", "openblas_core"])
    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--bin" in args:
        BIN = args[args.index("--bin") + 1]
    os.makedirs(OUT, exist_ok=True)
    backends = ["cpu", "opencl"] if "--opencl" in args else ["cpu"]
    parts = [a for a in args if a in ("dictionary", "grid", "memory", "ablation", "escape")] or ["dictionary", "grid", "memory", "ablation"]
    if "dictionary" in parts:
        dictionary(backends)
    if "grid" in parts:
        grid(backends)
    if "memory" in parts:
        memory()
    if "ablation" in parts:
        ablation()
    if "escape" in parts:
        escape()
