#!/usr/bin/env python3
"""Predict from a sparse-iht model file with NumPy alone (format: docs/model-format.md).

  python3 Tools/predict.py MODEL.json --x X.npy --out P.npy
      X: n x d raw inputs (the model's input scaling is applied here); P: n x outputs.
  python3 Tools/predict.py MODEL.json --image HEIGHT WIDTH [CHANNELS] --out P.npy
      INR models: one prediction per pixel (and channel), in row, column, channel order.

Prints the shape written. Classification: argmax over outputs (k > 1) or score >= 0.5.
"""
import argparse
import json
import sys

import numpy as np

FORMAT = "sparse-iht-model-1"


def fail(message):
    sys.exit("predict.py: " + message)


def dense_rows(layer, block):
    """Active neurons (ascending) and their dense weight rows (a x block)."""
    idx = np.asarray(layer["indices"], dtype=np.int64)
    val = np.asarray(layer["values"], dtype=np.float32)
    neurons = idx // block
    active = np.unique(neurons)
    rows = np.zeros((len(active), block), dtype=np.float32)
    rows[np.searchsorted(active, neurons), idx % block] = val
    return active, rows


def generators(layer, active, first):
    """Gate generators of the active neurons (a x d): stored random rows (convex mode),
    or the weights times the neuron's output sign (gates that follow the weights)."""
    d = layer["d"]
    if layer.get("generators") is not None:
        g = np.asarray(layer["generators"], dtype=np.float32).reshape(len(active), d)
        return g
    if layer.get("followsWeights"):
        signs = layer.get("signs")
        s = np.asarray(signs, dtype=np.float32)[active] if signs is not None else np.ones(len(active), np.float32)
        return first * s[:, None]
    fail("layer without stored generators whose gates do not follow the weights (written by an older version?)")


def gated(x, layer, active, first):
    """g .* (X w_j) for the active neurons (n x a), in float64."""
    pre = x @ first.astype(np.float64).T
    if layer.get("linear"):
        return pre
    h = generators(layer, active, first).astype(np.float64)
    return (x @ h.T > 0) * pre


def predict(model, x):
    if model.get("format") != FORMAT:
        fail("format %r is not %s" % (model.get("format"), FORMAT))
    x = np.asarray(x, dtype=np.float32)
    div, mean = model.get("inputDivisor"), model.get("inputMean")
    d0 = model["layers"][0]["d"]
    if x.shape[1] != d0:
        fail("the model takes %d inputs, the data has %d" % (d0, x.shape[1]))
    if div:
        x = x / np.resize(np.asarray(div, dtype=np.float32), d0)
    if mean:
        x = x - np.resize(np.asarray(mean, dtype=np.float32), d0)
    f = x.astype(np.float64)
    layers = model["layers"]
    for layer in layers[:-1]:
        active, w = dense_rows(layer, layer["d"])
        f = gated(f, layer, active, w)
    last = layers[-1]
    if last["kind"] == "vector":
        d, k = last["d"], last["k"]
        active, blocks = dense_rows(last, d + k)
        w1, w2 = blocks[:, :d], blocks[:, d:]
        return gated(f, last, active, w1) @ w2.astype(np.float64)
    active, w = dense_rows(last, last["d"])
    out = gated(f, last, active, w).sum(axis=1, keepdims=True)
    if model.get("outputActivation") == "sigmoid":
        out = 1 / (1 + np.exp(-out))
    return out


def inr_inputs(model, height, width, channels):
    """Fourier features of every pixel (and channel) coordinate (row/H, col/W[, channel]),
    followed by a constant 1 when the model says fourierConstant."""
    features = model.get("fourierFeatures")
    b = model.get("fourierMatrix")
    if features is None or b is None:
        fail("the model has no Fourier feature map (not an inr model)")
    dims = 2 if channels == 1 else 3
    b = np.asarray(b, dtype=np.float32).reshape(features, dims).astype(np.float64)
    r, c, ch = np.meshgrid(np.arange(height), np.arange(width), np.arange(channels), indexing="ij")
    coords = [(r.astype(np.float32) / np.float32(height)), (c.astype(np.float32) / np.float32(width))]
    if dims == 3:
        coords.append(ch.astype(np.float32))
    v = np.stack([a.reshape(-1) for a in coords], axis=1).astype(np.float64)
    angle = 2 * np.pi * (v @ b.T)
    parts = [np.sin(angle).astype(np.float32), np.cos(angle).astype(np.float32)]
    if model.get("fourierConstant"):
        parts.append(np.ones((len(v), 1), dtype=np.float32))
    return np.concatenate(parts, axis=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--x", help="inputs (.npy, n x d)")
    ap.add_argument("--image", nargs="+", type=int, metavar="N", help="HEIGHT WIDTH [CHANNELS] of an inr image")
    ap.add_argument("--out", required=True, help="predictions (.npy, n x outputs, float32)")
    args = ap.parse_args()
    with open(args.model) as f:
        model = json.load(f)
    if args.image:
        if len(args.image) not in (2, 3):
            fail("--image takes HEIGHT WIDTH [CHANNELS]")
        h, w = args.image[:2]
        x = inr_inputs(model, h, w, args.image[2] if len(args.image) == 3 else 1)
    elif args.x:
        x = np.load(args.x)
        if x.ndim != 2:
            fail("%s: X must be 2-D (n x d), has shape %s" % (args.x, x.shape))
    else:
        fail("give --x X.npy or --image HEIGHT WIDTH [CHANNELS]")
    p = predict(model, x).astype(np.float32)
    np.save(args.out, p)
    print("wrote %s: %d x %d" % (args.out, p.shape[0], p.shape[1]))


if __name__ == "__main__":
    main()
