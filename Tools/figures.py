#!/usr/bin/env python3
"""Figures of sweep results (`sparse-iht sweep --out results.jsonl`).

    python3 Tools/figures.py results.jsonl [more.jsonl ...] --out DIR [--history run.json ...]

Writes PNG and SVG into DIR:
  heatmap-*.{png,svg}   m x s heatmaps of the mean metric over seeds (values in the cells),
                        one panel per method, plus IHT - IMP when both are present;
                        colour ranges as in the paper unless --vmin/--vmax are given:
                        PSNR -20..50 dB (planted), 0..50 dB (inr), accuracy 0..1.
  vs-s-*.{png,svg}      mean metric against s, one line per method and m.
  vs-n-*.{png,svg}      mean metric against n and the share of exact recoveries
                        (PSNR above --exact dB, default 80), one line per method, m and s.
  vs-gamma-*.{png,svg}  share of exact recoveries against the measured pattern difference
                        gamma of the planted neurons (sweeps over --planted-angle), one line
                        per method, m, s and n, with every seed's PSNR against its gamma.
  memory-*.{png,svg}    peak resident memory and peak backend allocation against m, one
                        line per method and s.
  history-*.{png,svg}   per-step (or per-epoch) curves of `recover --json` documents.
vs-n and vs-gamma also print where the share of exact recoveries first reaches 50%
(linear interpolation between the grid points).
Figures are made per task and per combination of the flags that are not on an axis.
PSNR is capped at --psnr-cap dB (default 150) before averaging: an exact fit has a zero
residual and an unbounded PSNR, which would swamp the mean over seeds.
Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import json
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402



def load(paths):
    """Rows of JSON-lines files; a half-written last line is skipped."""
    rows = []
    for path in paths:
        with open(path) as f:
            lines = f.read().split("\n")
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                if i < len(lines) - 2:
                    sys.exit(f"{path}: line {i + 1} is not a results row")
    return rows


def value_range(task, metric):
    if metric == "psnr":
        return (0, 50) if task == "inr" else (-20, 50)
    return (0, 1)


def fixed_key(row, free):
    """The flags of a row that are not on the figure's axes, as a sorted tuple."""
    params = dict(row["parameters"])
    for k in free:
        params.pop(k, None)
    return tuple(sorted(params.items()))


def label(fixed):
    return " ".join(f"{k}={v}" for k, v in fixed) or "all"


def slug(task, fixed):
    text = task + ("-" + "-".join(f"{k}{v}" for k, v in fixed) if fixed else "")
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def mean(values):
    return sum(values) / len(values)


def save(fig, out, name):
    for ext in ("png", "svg"):
        fig.savefig(os.path.join(out, f"{name}.{ext}"), dpi=130)
    plt.close(fig)
    print(f"wrote {name}.png/.svg")


def heatmaps(rows, out, vmin, vmax):
    groups = defaultdict(list)
    for r in rows:
        groups[(r["task"], r["metric"], fixed_key(r, ("m", "s", "seed")))].append(r)
    for (task, metric, fixed), group in sorted(groups.items()):
        ms = sorted({r["m"] for r in group})
        ss = sorted({r["s"] for r in group})
        if len(ms) < 2 and len(ss) < 2:
            continue
        methods = sorted({r["method"] for r in group}, key=lambda m: ["iht", "imp", "magnitude"].index(m))
        cells = defaultdict(list)
        for r in group:
            cells[(r["method"], r["m"], r["s"])].append(r["value"])
        grids = {}
        for method in methods:
            grids[method] = [[mean(cells[(method, m, s)]) if cells[(method, m, s)] else float("nan") for s in ss] for m in ms]
        panels = [(method, grids[method]) for method in methods]
        if "iht" in grids and "imp" in grids:
            panels.append(("iht - imp", [[a - b for a, b in zip(ra, rb)] for ra, rb in zip(grids["iht"], grids["imp"])]))
        lo, hi = value_range(task, metric)
        lo = vmin if vmin is not None else lo
        hi = vmax if vmax is not None else hi
        fig, axes = plt.subplots(1, len(panels), figsize=(len(panels) * (2.2 + 0.8 * len(ss)), 1.8 + 0.55 * len(ms)),
                                 squeeze=False, layout="constrained")
        for ax, (name, grid) in zip(axes[0], panels):
            diff = name == "iht - imp"
            span = max(abs(v) for row in grid for v in row if v == v) if diff else None
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap="RdBu" if diff else "viridis",
                              vmin=-span if diff else lo, vmax=span if diff else hi)
            for i, row in enumerate(grid):
                for j, v in enumerate(row):
                    if v == v:
                        ax.text(j, i, f"{v:.2f}" if metric != "psnr" else f"{v:.1f}", ha="center", va="center",
                                fontsize=8, color=("white" if abs(v) > 0.6 * span else "black") if diff
                                else ("white" if v < lo + 0.6 * (hi - lo) else "black"))
            ax.set_xticks(range(len(ss)), [str(s) for s in ss])
            ax.set_yticks(range(len(ms)), [str(m) for m in ms])
            ax.set_xlabel("s (nonzeros)")
            ax.set_ylabel("m (neurons)")
            ax.set_title(name)
            fig.colorbar(image, ax=ax, label=("difference in " if diff else "") + (metric + (" (dB)" if metric == "psnr" else "")))
        seeds = len({r["seed"] for r in group})
        fig.suptitle(f"{task}: mean {metric} over {seeds} seed(s); {label(fixed)}", fontsize=10)
        save(fig, out, "heatmap-" + slug(task, fixed))


def curves(rows, out, axis, exact):
    free = ("n", "m", "s", "seed") if axis == "n" else ("s", "m", "seed")
    groups = defaultdict(list)
    for r in rows:
        groups[(r["task"], r["metric"], fixed_key(r, free))].append(r)
    for (task, metric, fixed), group in sorted(groups.items()):
        xs = sorted({r[axis] for r in group})
        if len(xs) < 2:
            continue
        lines = defaultdict(lambda: defaultdict(list))
        for r in group:
            key = (r["method"], r["m"]) + ((r["s"],) if axis == "n" else ())
            lines[key][r[axis]].append(r["value"])
        share = axis == "n" and metric == "psnr"
        fig, axes = plt.subplots(1, 2 if share else 1, figsize=(11 if share else 6, 4), squeeze=False, layout="constrained")
        for key, points in sorted(lines.items()):
            x = sorted(points)
            name = f"{key[0]} m={key[1]}" + (f" s={key[2]}" if axis == "n" else "")
            axes[0][0].plot(x, [mean(points[v]) for v in x], marker="o", label=name)
            if share:
                shares = [sum(p > exact for p in points[v]) / len(points[v]) for v in x]
                axes[0][1].plot(x, shares, marker="o", label=name)
                print_crossing("n", f"{name} {label(fixed)}", x, shares)
        for ax in axes[0]:
            if axis == "n":
                ax.set_xscale("log")
            ax.set_xticks(xs, [str(x) for x in xs])
            ax.minorticks_off()
        axes[0][0].set_xlabel(axis)
        axes[0][0].set_ylabel(f"mean {metric}" + (" (dB)" if metric == "psnr" else ""))
        axes[0][0].legend(fontsize=7)
        if share:
            axes[0][1].set_ylim(-0.05, 1.05)
            axes[0][1].set_xlabel("n")
            axes[0][1].set_ylabel(f"share of exact recoveries (PSNR > {exact:g} dB)")
            axes[0][1].legend(fontsize=7)
        fig.suptitle(f"{task}: {metric} against {axis}; {label(fixed)}", fontsize=10)
        save(fig, out, f"vs-{axis}-" + slug(task, fixed))


def crossing(xs, shares, level=0.5):
    """The first x at which the share reaches `level`, interpolated linearly; None if never."""
    for i, (x, v) in enumerate(zip(xs, shares)):
        if v >= level:
            if i == 0:
                return x
            x0, v0 = xs[i - 1], shares[i - 1]
            return x0 + (level - v0) / (v - v0) * (x - x0)
    return None


def print_crossing(what, name, xs, shares, unit=""):
    at = crossing(xs, shares)
    if at is None:
        text = f"not reached (max share {max(shares):.2f})"
    elif at == xs[0]:
        text = f"at or below {at:.4g}{unit} (share {shares[0]:.2f} at the first point)"
    else:
        text = f"{at:.4g}{unit}"
    print(f"crossing 50% exact recovery against {what}: {name}: {text}")


def gamma_curves(rows, out, exact):
    groups = defaultdict(list)
    for r in rows:
        if "planted_gamma" in r.get("metrics", {}) and "planted-angle" in r["parameters"]:
            groups[(r["task"], fixed_key(r, ("planted-angle", "m", "s", "n", "seed")))].append(r)
    for (task, fixed), group in sorted(groups.items()):
        lines = defaultdict(lambda: defaultdict(list))
        for r in group:
            lines[(r["method"], r["m"], r["s"], r["n"])][float(r["parameters"]["planted-angle"])].append(r)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4), squeeze=False, layout="constrained")
        for number, (key, points) in enumerate(sorted(lines.items())):
            angles = sorted(points)
            gammas = [mean([r["metrics"]["planted_gamma"] for r in points[a]]) for a in angles]
            shares = [sum(r["value"] > exact for r in points[a]) / len(points[a]) for a in angles]
            name = f"{key[0]} m={key[1]} s={key[2]} n={key[3]}"
            axes[0][0].plot(gammas, shares, marker="o", label=name)
            labelled = None  # angle labels at least 2.5% of the axis apart, so that they stay readable
            for a, g in zip(angles, gammas if number == 0 else []):
                if labelled is None or g - labelled >= 0.025 * max(gammas):
                    axes[0][0].annotate(f"{a:g}°", (g, shares[angles.index(a)]), fontsize=6, xytext=(2, 4), textcoords="offset points")
                    labelled = g
            every = [r for a in angles for r in points[a]]
            axes[0][1].scatter([r["metrics"]["planted_gamma"] for r in every], [r["value"] for r in every], s=8, label=name)
            print_crossing("gamma", name, gammas, shares)
        axes[0][0].set_ylim(-0.05, 1.05)
        axes[0][0].set_xlabel("measured gamma (mean over seeds; planted angle marked)")
        axes[0][0].set_ylabel(f"share of exact recoveries (PSNR > {exact:g} dB)")
        axes[0][0].legend(fontsize=7)
        axes[0][1].axhline(exact, color="grey", lw=0.8, ls="--")
        axes[0][1].set_xlabel("measured gamma (one point per seed)")
        axes[0][1].set_ylabel("psnr (dB, capped)")
        fig.suptitle(f"{task}: recovery against the separation of the planted neurons; {label(fixed)}", fontsize=10)
        save(fig, out, "vs-gamma-" + slug(task, fixed))


def memory_curves(rows, out):
    groups = defaultdict(list)
    for r in rows:
        groups[(r["task"], fixed_key(r, ("m", "s", "seed")))].append(r)
    for (task, fixed), group in sorted(groups.items()):
        ms = sorted({r["m"] for r in group})
        if len(ms) < 2:
            continue
        lines = defaultdict(lambda: defaultdict(list))
        for r in group:
            lines[(r["method"], r["s"])][r["m"]].append(r)
        fig, axes = plt.subplots(1, 2, figsize=(11, 4), squeeze=False, layout="constrained")
        for key, points in sorted(lines.items()):
            x = sorted(points)
            name = f"{key[0]} s={key[1]}"
            for ax, field in zip(axes[0], ("peak_rss_bytes", "peak_device_bytes")):
                ax.plot(x, [max(r[field] for r in points[m]) / 2**20 for m in x], marker="o", label=name)
        for ax, what in zip(axes[0], ("peak resident memory of the cell's process (MiB)", "peak backend allocation (MiB)")):
            ax.set_xscale("log")
            ax.set_xticks(ms, [str(m) for m in ms])
            ax.minorticks_off()
            ax.set_xlabel("m (neurons)")
            ax.set_ylabel(what)
            ax.legend(fontsize=7)
        d = group[0]["d"]
        fig.suptitle(f"{task} (d = {d}): memory against m; {label(fixed)}", fontsize=10)
        save(fig, out, "memory-" + slug(task, fixed))


def histories(paths, out):
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        history = doc.get("history") or []
        if not history:
            print(f"{path}: no history", file=sys.stderr)
            continue
        step = "step" if "step" in history[0] else "epoch"
        keys = [k for k in ("psnr", "loss", "relative_residual") if k in history[0]]
        fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 3.6), squeeze=False, layout="constrained")
        for ax, key in zip(axes[0], keys):
            ax.plot([h[step] for h in history], [h[key] for h in history], marker=".")
            ax.set_xlabel(step)
            ax.set_ylabel(key + (" (dB)" if key == "psnr" else ""))
            if key == "relative_residual":
                ax.set_yscale("log")
        fig.suptitle(f"{doc.get('task', '')}: m={doc.get('m')} s={doc.get('s')} seed={doc.get('seed')}", fontsize=10)
        save(fig, out, "history-" + os.path.splitext(os.path.basename(path))[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="*", help="results files (JSON lines) of sparse-iht sweep")
    parser.add_argument("--out", required=True, help="directory for the figures")
    parser.add_argument("--history", nargs="*", default=[], help="recover --json documents to plot per step")
    parser.add_argument("--kinds", default="heatmap,vs-s,vs-n,vs-gamma,memory,history",
                        help="figures to make, comma-separated (default: all of heatmap,vs-s,vs-n,vs-gamma,memory,history)")
    parser.add_argument("--vmin", type=float, help="colour range of the heatmaps (default: the paper's)")
    parser.add_argument("--vmax", type=float)
    parser.add_argument("--psnr-cap", type=float, default=150.0, help="PSNR (dB) ceiling applied before averaging")
    parser.add_argument("--exact", type=float, default=80.0, help="PSNR (dB) counted as exact recovery")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = load(args.results)
    for r in rows:
        if r["metric"] == "psnr":
            r["value"] = min(r["value"], args.psnr_cap)
    kinds = set(args.kinds.split(","))
    if kinds - {"heatmap", "vs-s", "vs-n", "vs-gamma", "memory", "history"}:
        sys.exit(f"--kinds takes heatmap, vs-s, vs-n, vs-gamma, memory, history (got {args.kinds})")
    if "heatmap" in kinds:
        heatmaps(rows, args.out, args.vmin, args.vmax)
    if "vs-s" in kinds:
        curves(rows, args.out, "s", args.exact)
    if "vs-n" in kinds:
        curves(rows, args.out, "n", args.exact)
    if "vs-gamma" in kinds:
        gamma_curves(rows, args.out, args.exact)
    if "memory" in kinds:
        memory_curves(rows, args.out)
    if "history" in kinds:
        histories(args.history, args.out)


if __name__ == "__main__":
    main()
