#!/usr/bin/env python3
"""Same seed, one and two OpenBLAS threads: are the results bit-identical?

Runs the planted grid's nine m = 50 runs (d 100, n 50,000, s in {10, 50, 100}, seeds 0-2,
default recipe, up to --steps steps with the 1e-6 tolerance) on the CPU backend with
OPENBLAS_NUM_THREADS=1 and =2, saves the recovered sparse weights of each, and compares
the files byte for byte, the PSNRs and the per-step histories. Writes
docs/results/thread-determinism.csv.

  python3 Tools/thread_determinism.py [--steps 150] [--bin PATH]

Only the Python standard library is used.
"""
import csv, hashlib, json, os, subprocess, sys, tempfile

BIN = ".build/release/sparse-iht"
STEPS = 150
args = sys.argv[1:]
if "--bin" in args:
    BIN = args[args.index("--bin") + 1]
if "--steps" in args:
    STEPS = int(args[args.index("--steps") + 1])


def run(threads, s, seed, tmp):
    prefix = os.path.join(tmp, f"w-t{threads}-s{s}-seed{seed}")
    out = prefix + ".json"
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    cmd = [BIN, "recover", "--quiet", "--task", "planted", "--n", "50000", "--d", "100", "--m", "50", "--s", str(s),
           "--seed", str(seed), "--steps", str(STEPS), "--backend", "cpu", "--no-diagnostics", "--json", out,
           "--sparse-weights", prefix]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(p.stderr)
    with open(out) as f:
        doc = json.load(f)
    digest = hashlib.sha256()
    for part in (".indices.npy", ".values.npy"):
        with open(prefix + part, "rb") as f:
            digest.update(f.read())
    return doc, digest.hexdigest()


rows = []
with tempfile.TemporaryDirectory() as tmp:
    for s in (10, 50, 100):
        for seed in (0, 1, 2):
            d1, h1 = run(1, s, seed, tmp)
            d2, h2 = run(2, s, seed, tmp)
            first = next((a["step"] for a, b in zip(d1["history"], d2["history"])
                          if a["psnr"] != b["psnr"] or a["mu"] != b["mu"]), None)
            row = {"m": 50, "s": s, "seed": seed, "psnr_1": d1["psnr"], "psnr_2": d2["psnr"],
                   "steps_1": d1["steps"], "steps_2": d2["steps"], "weights_identical": h1 == h2,
                   "first_differing_step": first if first is not None else ""}
            print(row, flush=True)
            rows.append(row)
os.makedirs("docs/results", exist_ok=True)
with open("docs/results/thread-determinism.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
same = sum(r["weights_identical"] for r in rows)
print(f"bit-identical weights: {same} / {len(rows)}")
