#!/usr/bin/env python3
"""Iterative magnitude pruning (IMP) on PyTorch's torch.nn.utils.prune, following the same
published protocol as `sparse-iht baseline --method imp`, to cross-check the engine.

  python3 Tools/imp_torch.py --task mnist --dataset fashion --m 100 --s 455 --epochs 50 --batch 5000
  python3 Tools/imp_torch.py --task binary-mnist --dataset mnist-sample --m 100 --s 200 --epochs 15 --batch 80

Protocol (as the engine's): ReLU MLP without biases, PyTorch's default nn.Linear init
(U(-1/sqrt(fan_in), 1/sqrt(fan_in))), raw pixels (0..255), Adam lr 1e-3 (eps 1e-8, a new
optimizer each round), MSE on the scalar output for binary tasks, cross-entropy on one-hot
targets for 10 classes, one shuffled batch order per round kept for all of its epochs (full
batch: no shuffling), then global L1 pruning of `--prune-fraction` of the unpruned weights
(prune.global_unstructured), the pruned network scored without retraining, the unpruned
weights rewound to their initial values; repeat until at most min(--s) weights remain; a last
round retrains the final mask ("retrained" score).

Data: the same files and split as the engine: Fashion-MNIST IDX files
(/usr/share/datasets/fashion-mnist; published split: per class the first 5,000 training
images, then the next 1,000 as the test set), or the MNIST sample CSV
($SPARSEIHT_DATA or ~/.local/share/sparse-iht, mnist_5k.csv.gz: per class the first 400 and
next 100). Needs numpy and torch (the CPU wheel is enough); an optional tool, not a
dependency of the engine. Different random numbers from the engine's: the two agree in
accuracy, not bit for bit.
"""
import argparse, gzip, json, os, struct, sys, time

import numpy as np

try:
    import torch
    import torch.nn.utils.prune as prune
except ImportError:
    sys.exit("imp_torch.py needs PyTorch: pip install torch")

FASHION = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(dataset):
    """All rows of the source the published split is cut from: (x float32 n x 784, labels)."""
    if dataset == "fashion":
        x = read_idx(os.path.join(FASHION, "train-images-idx3-ubyte.gz")).reshape(-1, 784)
        return x.astype(np.float32), read_idx(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    if dataset == "mnist-sample":
        root = os.environ.get("SPARSEIHT_DATA", os.path.expanduser("~/.local/share/sparse-iht"))
        raw = np.loadtxt(os.path.join(root, "mnist_5k.csv.gz"), delimiter=",", dtype=np.float32)
        return raw[:, :784], raw[:, 784].astype(np.int64)
    sys.exit(f"unknown dataset {dataset} (fashion or mnist-sample)")


def split(x, labels, classes, first, following):
    """Per class the first `first` rows and the next `following` (file order), relabelled."""
    train, test = [], []
    for c in classes:
        rows = np.nonzero(labels == c)[0]
        train += list(rows[:first])
        test += list(rows[first:first + following])
    train, test = np.sort(train), np.sort(test)
    relabel = {c: i for i, c in enumerate(classes)}
    lab = lambda rows: np.array([relabel[int(labels[r])] for r in rows])
    return x[train], lab(train), x[test], lab(test)


class MLP(torch.nn.Module):
    def __init__(self, d, m, k):
        super().__init__()
        self.hidden = torch.nn.Linear(d, m, bias=False)
        self.out = torch.nn.Linear(m, k, bias=False)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

    def pruned_parameters(self):
        return [(self.hidden, "weight"), (self.out, "weight")]

    def nonzeros(self):
        return int(sum((getattr(mod, name) != 0).sum() for mod, name in self.pruned_parameters()))


def accuracy(model, x, labels, binary):
    with torch.no_grad():
        p = model(x)
        predicted = (p.squeeze(1) >= 0.5).long() if binary else p.argmax(1)
        return float((predicted == labels).float().mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", choices=["mnist", "binary-mnist"], default="mnist")
    ap.add_argument("--dataset", default="fashion")
    ap.add_argument("--classes", default=None, help="comma-separated (binary default 0,1)")
    ap.add_argument("--m", type=int, default=100)
    ap.add_argument("--s", default="455", help="target budgets, comma-separated")
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--batch", type=int, default=5000, help="0: full batch")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--pixel-scale", type=float, default=1.0, help="divide inputs by this (1: raw pixels, published)")
    ap.add_argument("--prune-fraction", type=float, default=0.1)
    ap.add_argument("--max-rounds", type=int, default=0, help="stop after this many pruning rounds (0: until the budget)")
    ap.add_argument("--no-retrain-final", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    binary = a.task == "binary-mnist"
    x, labels = load(a.dataset)
    classes = [int(c) for c in a.classes.split(",")] if a.classes else ([0, 1] if binary else sorted(set(labels.tolist())))
    first, following = (400, 100) if a.dataset == "mnist-sample" else (5000, 1000)
    xtr, ytr, xte, yte = split(x, labels, classes, first, following)
    xtr, xte = xtr / a.pixel_scale, xte / a.pixel_scale
    k = 1 if binary else len(classes)
    xtr, xte = torch.from_numpy(xtr), torch.from_numpy(xte)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    target = ytr.float().unsqueeze(1) if binary else torch.nn.functional.one_hot(ytr, k).float()
    loss_fn = torch.nn.MSELoss() if binary else torch.nn.CrossEntropyLoss()
    n, d = xtr.shape
    batch = n if a.batch <= 0 else min(a.batch, n)
    budgets = sorted(int(v) for v in a.s.split(","))

    torch.manual_seed(a.seed)
    model = MLP(d, a.m, k)
    total = sum(w.numel() for w in (model.hidden.weight, model.out.weight))
    initial = {name: w.detach().clone() for name, w in (("hidden", model.hidden.weight), ("out", model.out.weight))}
    amount = 1 - ((1 - a.prune_fraction) * total) / total
    rounds, r, final_round = [], 0, False
    remaining = total
    start_all = time.time()
    while True:
        t0 = time.time()
        if r > 0:  # rewind every weight (pruned ones stay masked) to its initial value
            with torch.no_grad():
                model.hidden.weight_orig.copy_(initial["hidden"])
                model.out.weight_orig.copy_(initial["out"])
        optimizer = torch.optim.Adam(model.parameters(), lr=a.lr, eps=1e-8)
        order = torch.randperm(n) if batch < n else torch.arange(n)
        batches = [order[i:i + batch] for i in range(0, n, batch)]
        for _ in range(a.epochs):
            for rows in batches:
                optimizer.zero_grad()
                out = model(xtr[rows])
                loss = loss_fn(out, target[rows])
                loss.backward()
                optimizer.step()
        trained_remaining, trained_score = model.nonzeros(), accuracy(model, xte, yte, binary)
        remaining, score = trained_remaining, trained_score
        if not final_round:
            prune.global_unstructured(model.pruned_parameters(), pruning_method=prune.L1Unstructured, amount=amount)
            remaining, score = model.nonzeros(), accuracy(model, xte, yte, binary)
            if remaining >= trained_remaining:  # as published: prune at least one weight from now on
                amount = 1.0 / remaining
        rounds.append({"round": r, "trained_remaining": trained_remaining, "trained_score": trained_score,
                       "remaining": remaining, "score": score, "pruned": not final_round,
                       "final_loss": float(loss.detach()), "seconds": time.time() - t0})
        print(f"round {r}: trained {trained_remaining} weights, test_accuracy {trained_score:.4f}; "
              f"pruned to {remaining}, {score:.4f}; loss {float(loss.detach()):.4g}, {time.time() - t0:.1f}s", file=sys.stderr, flush=True)
        r += 1
        if final_round:
            break
        if remaining <= budgets[0] or (a.max_rounds and r >= a.max_rounds):
            if a.no_retrain_final:
                break
            final_round = True
    results = []
    for s in budgets:
        hit = next((q for q in rounds if q["remaining"] <= s), None)
        again = next((q for q in rounds if q["trained_remaining"] <= s), None)
        if hit:
            row = {"s": s, "remaining": hit["remaining"], "round": hit["round"], "test_accuracy": hit["score"]}
            if again:
                row["retrained"] = {"test_accuracy": again["trained_score"], "remaining": again["trained_remaining"],
                                    "round": again["round"]}
            results.append(row)
            extra = f"; retrained at {again['trained_remaining']} weights: {again['trained_score']:.4f}" if again else ""
            print(f"s {s} ({hit['remaining']} weights): test_accuracy {hit['score']:.4f}{extra}")
    doc = {"tool": "imp_torch.py", "torch": torch.__version__, "threads": torch.get_num_threads(), "task": a.task,
           "dataset": a.dataset, "n": n, "d": d, "k": k, "m": a.m, "epochs": a.epochs, "batch": batch, "lr": a.lr, "pixel_scale": a.pixel_scale,
           "prune_fraction": a.prune_fraction, "seed": a.seed, "dense_score": rounds[0]["trained_score"],
           "results": results, "rounds": rounds, "seconds": time.time() - start_all}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
