#!/usr/bin/env python3
"""Runs the real-data targets (issue: real-data tasks) with the release binary on both
backends and writes docs/results/real-tasks.csv (one row per run).

  python3 Tools/real_tasks.py [--quick] [--only NAME] [--bin PATH]

Needs the embedded datasets (bash Tools/bootstrap-data.sh). --quick skips the 50-epoch
full Fashion-MNIST run. Only the Python standard library is used.
"""
import csv, json, os, subprocess, sys, tempfile

BIN = ".build/release/sparse-iht"
OUT = "docs/results"

# Rows keep the settings they were measured with: the binary rows raw pixels and squared
# loss (the binary default is now standardized cross-entropy), the inr rows unit coordinates.
RUNS = [
    # name, args, backends
    ("binary-mnist-sample-0v1", ["--task", "binary-mnist", "--dataset", "mnist-sample", "--no-standardize", "--loss", "squared", "--inflation", "1"], ("cpu", "opencl")),
    ("binary-mnist-sample-0v1-center-signed", ["--task", "binary-mnist", "--dataset", "mnist-sample", "--center", "--signed-outputs", "--no-standardize", "--loss", "squared", "--inflation", "1"], ("cpu", "opencl")),
    ("binary-fashion-tshirt-v-trouser", ["--task", "binary-mnist", "--dataset", "fashion", "--no-standardize", "--loss", "squared", "--inflation", "1"], ("cpu", "opencl")),
    ("binary-fashion-tshirt-v-trouser-center-signed", ["--task", "binary-mnist", "--dataset", "fashion", "--center", "--signed-outputs", "--no-standardize", "--loss", "squared", "--inflation", "1"], ("cpu", "opencl")),
    ("binary-fashion-tshirt-v-trouser-standardize-ce-inflation", ["--task", "binary-mnist", "--dataset", "fashion", "--standardize", "--loss", "cross-entropy", "--inflation", "1.5"], ("cpu", "opencl")),
    ("binary-mnist-sample-0v1-standardize-ce-inflation", ["--task", "binary-mnist", "--dataset", "mnist-sample", "--standardize", "--loss", "cross-entropy", "--inflation", "1.5"], ("cpu", "opencl")),
    ("mnist-sample-10class", ["--task", "mnist", "--dataset", "mnist-sample", "--batch", "500"], ("cpu", "opencl")),
    ("mnist-sample-10class-magnitude-ranking", ["--task", "mnist", "--dataset", "mnist-sample", "--batch", "500", "--ranking", "magnitude"], ("cpu",)),
    ("mnist-sample-10class-per-layer-ranking", ["--task", "mnist", "--dataset", "mnist-sample", "--batch", "500", "--ranking", "per-layer"], ("cpu",)),
    ("fashion-10class-full-3-epochs", ["--task", "mnist", "--dataset", "fashion", "--split", "full", "--epochs", "3"], ("cpu", "opencl")),
    ("fashion-10class-full-50-epochs", ["--task", "mnist", "--dataset", "fashion", "--split", "full"], ("cpu",)),
    ("inr-digit", ["--task", "inr", "--dataset", "mnist-sample", "--image", "0", "--coordinates", "unit"], ("cpu", "opencl")),
    ("two-layer-binary-mnist", ["--task", "binary-mnist", "--layers", "2", "--no-standardize", "--loss", "squared", "--inflation", "1"], ("cpu", "opencl")),
    ("two-layer-mnist-sample", ["--task", "mnist", "--dataset", "mnist-sample", "--batch", "500", "--layers", "2"], ("cpu", "opencl")),
    ("two-layer-inr", ["--task", "inr", "--layers", "2", "--coordinates", "unit"], ("cpu", "opencl")),
    ("planted-10-outputs", ["--task", "planted", "--n", "50000", "--m", "10", "--s", "100", "--outputs", "10", "--epochs", "100"], ("cpu", "opencl")),
    ("two-layer-planted", ["--task", "planted", "--n", "50000", "--m", "10", "--s", "50", "--layers", "2", "--steps", "50"], ("cpu", "opencl")),
]


def run(args):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    cmd = [BIN, "recover", "--quiet", "--json", path] + args
    print("$", " ".join(cmd[1:]), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr, file=sys.stderr, flush=True)
        return {"error": p.stderr.strip()[-300:]}
    print("  ", p.stdout.strip(), flush=True)
    with open(path) as f:
        doc = json.load(f)
    os.unlink(path)
    return doc


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--bin" in args:
        BIN = args[args.index("--bin") + 1]
    only = args[args.index("--only") + 1] if "--only" in args else None
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for name, flags, backends in RUNS:
        if only and only not in name:
            continue
        if "--quick" in args and "50-epochs" in name:
            continue
        for b in backends:
            d = run(flags + ["--backend", b])
            d.update(run=name, backend=b)
            rows.append(d)
    keys = ["run", "backend", "test_accuracy", "train_accuracy", "psnr", "epochs", "steps", "seconds", "seconds_per_epoch",
            "support_size", "peak_rss_bytes", "peak_device_bytes", "dense_network_bytes", "openblas_core", "error"]
    name = "real-tasks.csv" if not only else f"real-tasks-{only}.csv"
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
