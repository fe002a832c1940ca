#!/usr/bin/env python3
"""IHT against iterative magnitude pruning (IMP) at equal nonzero budgets: runs both with
the release binary and writes docs/iht-vs-imp.md (table) and docs/results/iht-vs-imp.csv;
every run's JSON goes to docs/results/imp/.

  python3 Tools/compare_imp.py [--quick] [--skip-inr] [--reuse] [--bin PATH]

IMP follows the published protocol (`sparse-iht baseline --method imp`: no bias, Adam 1e-3,
10% of the remaining weights per round by global magnitude, rewinding to the initial weights,
raw inputs, the published epochs per round and batch size; the score at budget s is the
pruned network of the first round with at most s weights). Where it helps IMP, a second row
gives a stronger setting found by a small sweep (learning rate, batch, input scale). The "retrained" column
is the lottery-ticket variant: the final mask trained once more from the initial weights.

Cells: planted MLP (d = 100, n = 50,000, m = 10, s in {10, 50, 100}), binary MNIST sample
(0 v 1, m = 100, s = 200), INR of one digit (m = 200, s = 1,000), 10-class Fashion-MNIST
(published split, m = 100, s in {500, 2,000}, 50 epochs per round, batch 5,000: the published
IMP figure). --quick skips the Fashion-MNIST and INR cells. --reuse loads a cell's JSON from
docs/results/imp/ when it exists instead of running it again. Only the Python standard
library is used.
"""
import csv, json, os, subprocess, sys

BIN = ".build/release/sparse-iht"
OUT = "docs/results/imp"


def run(name, sub, args, reuse):
    path = os.path.join(OUT, name + ".json")
    cmd = ["sparse-iht", sub] + [str(a) for a in args] + ["--backend", "cpu", "--json", path]
    if reuse and os.path.exists(path):
        with open(path) as f:
            doc = json.load(f)
        doc["_command"] = " ".join(cmd)
        return doc
    print("$", " ".join(cmd), flush=True)
    p = subprocess.run([BIN] + cmd[1:] + ["--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr[-500:], file=sys.stderr, flush=True)
        return {"error": p.stderr.strip()[-200:], "_command": " ".join(cmd)}
    print("  ", p.stdout.strip().replace("\n", " | "), flush=True)
    with open(path) as f:
        doc = json.load(f)
    doc["_command"] = " ".join(cmd)
    return doc


def mib(b):
    return f"{b / 2**20:.1f}" if isinstance(b, (int, float)) else "-"


def main():
    quick = "--quick" in sys.argv
    reuse = "--reuse" in sys.argv
    os.makedirs(OUT, exist_ok=True)
    rows, commands = [], []

    def num(v):
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    def add(task, m, s, iht, imp, setting):
        metric = "test_accuracy" if "test_accuracy" in iht or imp.get("metric") == "test_accuracy" else "psnr"
        res = next((r for r in imp.get("results", []) if r["s"] == s), {})
        again = res.get("retrained", {})
        rows.append({
            "task": task, "m": m, "s": s, "metric": metric, "imp_setting": setting,
            "iht": num(iht.get(metric)), "imp": num(res.get(metric)), "imp_remaining": res.get("remaining"),
            "imp_retrained": num(again.get(metric)), "imp_retrained_remaining": again.get("remaining"),
            "imp_dense": num(imp.get("dense_score")),
            "iht_seconds": iht.get("seconds"), "imp_seconds": res.get("seconds_to_reach"),
            "iht_peak_rss": iht.get("peak_rss_bytes"), "imp_peak_rss": imp.get("peak_rss_bytes"),
            "iht_backend_peak": iht.get("peak_device_bytes"), "imp_backend_peak": imp.get("peak_device_bytes"),
            "imp_dense_state": imp.get("dense_training_state_bytes"), "core": iht.get("openblas_core") or imp.get("openblas_core"),
        })
        for doc in (iht, imp):
            if doc.get("_command") and doc["_command"] not in commands:
                commands.append(doc["_command"])

    sample = ["--task", "binary-mnist", "--dataset", "mnist-sample", "--m", 100, "--s", 200]
    iht = run("binary-sample-iht", "recover", sample, reuse)
    imp = run("binary-sample-imp-published", "baseline", sample + ["--batch", 80, "--epochs", 15], reuse)
    add("binary MNIST sample (0 v 1)", 100, 200, iht, imp, "published: raw pixels, 15 epochs/round, 10 batches/epoch (batch 80)")
    imp = run("binary-sample-imp-pixels255", "baseline", sample + ["--batch", 80, "--epochs", 15, "--pixel-scale", 255], reuse)
    add("binary MNIST sample (0 v 1)", 100, 200, iht, imp, "stronger: pixels / 255, otherwise published")

    planted = ["--task", "planted", "--n", 50000, "--d", 100, "--m", 10, "--planted-s", 10]
    imp_pub = run("planted-m10-imp-published", "baseline", planted + ["--s", "10,50,100", "--batch", 50000, "--epochs", 15], reuse)
    imp_best = run("planted-m10-imp-lr1e-2", "baseline", planted + ["--s", "10,50,100", "--batch", 1000, "--epochs", 15, "--lr", 0.01], reuse)
    for s in (10, 50, 100):
        iht = run(f"planted-m10-s{s}-iht", "recover", ["--task", "planted", "--n", 50000, "--d", 100, "--m", 10, "--s", s,
                                                       "--no-diagnostics"], reuse)
        add("planted MLP (10 planted weights)", 10, s, iht, imp_pub, "published: full batch, 15 epochs/round")
        add("planted MLP (10 planted weights)", 10, s, iht, imp_best, "stronger: batch 1000, 15 epochs/round, lr 1e-2 (dense sweep in docs/measurements.md)")

    if not quick:
        fashion = ["--task", "mnist", "--dataset", "fashion", "--m", 100]
        imp = run("fashion-m100-imp-published", "baseline", fashion + ["--s", "455,500,1000,2000", "--epochs", 50, "--batch", 5000], reuse)
        for s in (500, 2000):
            iht = run(f"fashion-m100-s{s}-iht", "recover", fashion + ["--s", s], reuse)
            add("Fashion-MNIST 10 classes (published split)", 100, s, iht, imp, "published: raw pixels, 50 epochs/round, batch 5000")
    if not quick and "--skip-inr" not in sys.argv:
        iht = run("inr-iht", "recover", ["--task", "inr", "--m", 200, "--s", 1000], reuse)
        imp = run("inr-imp-published", "baseline", ["--task", "inr", "--m", 200, "--s", 1000], reuse)
        add("INR of one digit", 200, 1000, iht, imp, "published: 100 full-batch epochs/round")

    keys = list(rows[0].keys())
    with open("docs/results/iht-vs-imp.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)
    core = next((r.get("core") for r in rows if r.get("core")), "unknown")

    def fmt(v):
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.4f}" if v <= 1 else f"{v:.2f}"
        return str(v)

    lines = ["# IHT against iterative magnitude pruning", "",
             "Generated by `python3 Tools/compare_imp.py` (CPU backend, OpenBLAS core "
             f"{core}, OPENBLAS_CORETYPE {os.environ.get('OPENBLAS_CORETYPE', 'unset')}, seed 0). Metric: test "
             "accuracy (classification) or PSNR in dB (fitting). IMP follows the published protocol (no bias, Adam "
             "1e-3, 10% of the remaining weights per round by global magnitude, rewinding to the initial weights, raw "
             "inputs, the published epochs per round and batch); its score at s is the pruned network of the first "
             "round with at most s weights, as published; \"retrained\" trains that final mask once more from the "
             "initial weights (lottery-ticket style); \"dense\" is round 0 before pruning. A second IMP row per cell "
             "gives a stronger setting where a small sweep (docs/measurements.md) found one. Memory: process peak RSS (includes the data set) "
             "and the backend's peak buffer bytes; IMP's dense training state is weights + gradients + two Adam "
             "moments. IMP seconds are the time to reach s (all rounds so far).", "",
             "| task | m | s | metric | IHT | IMP (weights) | IMP retrained (weights) | IMP dense | IMP setting | IHT s | IMP s | IHT peak RSS MiB | IMP peak RSS MiB | IHT backend MiB | IMP backend MiB | IMP dense state MiB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['task']} | {r['m']} | {r['s']} | {r['metric']} | {fmt(r['iht'])} | {fmt(r['imp'])} ({r['imp_remaining']}) | "
                     f"{fmt(r['imp_retrained'])} ({r['imp_retrained_remaining']}) | {fmt(r['imp_dense'])} | {r['imp_setting']} | "
                     f"{fmt(r['iht_seconds'])} | {fmt(r['imp_seconds'])} | {mib(r['iht_peak_rss'])} | {mib(r['imp_peak_rss'])} | "
                     f"{mib(r['iht_backend_peak'])} | {mib(r['imp_backend_peak'])} | {mib(r['imp_dense_state'])} |")
    lines += ["", "Commands (each writes the JSON named by `--json`):", ""]
    lines += [f"    {c}" for c in commands]
    with open("docs/iht-vs-imp.md", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if "--bin" in sys.argv:
        BIN = sys.argv[sys.argv.index("--bin") + 1]
    main()
