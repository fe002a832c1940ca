#!/usr/bin/env python3
"""Fuzz harness for sparse-iht's readers and option checks (Python 3 standard library only).

Builds small valid inputs of every format the tool reads (.npy, IDX plain and gzip, CSV and
CSV.gz, PGM/PPM, PNG, CIFAR-10 binary, model JSON), then runs the built tool on hand-made
bad cases and on random mutations of those files and of option values, on both backends.
Every run has a time limit and a 1 GiB address-space limit (setrlimit in the child), and
is classified as:

  crash          killed by a signal, or exit status 132-139 (a Swift trap)
  hang           still running at the time limit
  silent_accept  exit 0 on an input the harness knows is malformed
  clear_error    nonzero exit whose message names the input (file name or option)
  unclear_error  nonzero exit whose message does not name the input
  accepted       exit 0 on an input that may be valid (e.g. a flipped pixel byte)

Usage:
  python3 Tools/fuzz.py --cases 10000 --jobs 2 --summary fuzz-summary.json
  python3 Tools/fuzz.py --fast          # the CI subset (about 250 cases)

Exits 1 when any crash, hang or silent accept was seen (and lists them), else 0.
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------------------
# Writers of valid files.


def npy_bytes(shape, values, descr="<f4", fortran=False, header=None):
    """A .npy (version 1) of `values` (flat, already in file order)."""
    if header is None:
        shape_text = "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(str(s) for s in shape) + ")"
        header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape_text)
    h = header.encode("latin-1")
    pad = (64 - (10 + len(h) + 1) % 64) % 64
    h = h + b" " * pad + b"\n"
    fmt = {"<f4": "f", "<f8": "d", "<i8": "q", "|u1": "B", "<i4": "i"}[descr] if descr in ("<f4", "<f8", "<i8", "|u1", "<i4") else "f"
    data = struct.pack("<%d%s" % (len(values), fmt), *values) if values else b""
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


def idx_bytes(type_code, shape, values):
    fmt = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}[type_code]
    head = bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", s) for s in shape)
    return head + struct.pack(">%d%s" % (len(values), fmt), *values)


def png_bytes(width, height, channels, pixels, bit_depth=8):
    colour = {1: 0, 3: 2}[channels]

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b""
    row = width * channels
    for r in range(height):
        raw += b"\x00" + bytes(pixels[r * row:(r + 1) * row])
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def gzip_bomb(path, header, total_bytes, line=None):
    """A gzip file holding `header` then zeros (or repeated `line`) up to `total_bytes`: one
    fully flushed deflate piece of 16 MiB written over and over (byte-aligned and
    self-contained after a full flush), with the true CRC and length in the trailer."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    block = (line * ((16 << 20) // len(line))) if line else bytes(16 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(header) + comp.flush(zlib.Z_FULL_FLUSH)
    piece = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(header)
    block_crc_count = (total_bytes - len(header) + len(block) - 1) // len(block)
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + head)
        for _ in range(block_crc_count):
            f.write(piece)
            crc = zlib.crc32(block, crc)
        f.write(comp.flush())
        size = len(header) + block_crc_count * len(block)
        f.write(struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))


class Corpus:
    """Valid base files in `root` and the commands that use them."""

    def __init__(self, root, rng):
        self.root = root
        self.rng = rng
        os.makedirs(root, exist_ok=True)
        self.files = {}

    def path(self, name):
        return os.path.join(self.root, name)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        self.files[name] = data
        return p

    def build(self, tool):
        r = random.Random(7)
        n, d = 60, 8
        x = [r.uniform(-1, 1) for _ in range(n * d)]
        y = [max(0.0, sum(x[i * d:(i + 1) * d][:3])) for i in range(n)]
        self.write("X.npy", npy_bytes([n, d], x))
        self.write("y.npy", npy_bytes([n], y))
        self.write("X.idx", idx_bytes(0x0D, [n, d], x))
        self.write("y.idx", idx_bytes(0x0D, [n], y))
        # MNIST-format directory: 40 training and 20 test images of 4 x 4, labels 0-2.
        for prefix, count in (("train", 40), ("t10k", 20)):
            imgs = [r.randrange(256) for _ in range(count * 16)]
            labels = [i % 3 for i in range(count)]
            for sub, gz in (("idx", False), ("idxgz", True)):
                img = idx_bytes(0x08, [count, 4, 4], imgs)
                lab = idx_bytes(0x08, [count], labels)
                if gz:
                    img, lab = gzip.compress(img), gzip.compress(lab)
                suffix = ".gz" if gz else ""
                self.write("%s/%s-images-idx3-ubyte%s" % (sub, prefix, suffix), img)
                self.write("%s/%s-labels-idx1-ubyte%s" % (sub, prefix, suffix), lab)
        # CSV: 90 rows of 6 features and a label in 0..2.
        lines = []
        for i in range(90):
            lines.append(",".join("%d" % r.randrange(256) for _ in range(6)) + ",%d" % (i % 3))
        csv = ("\n".join(lines) + "\n").encode()
        self.write("data.csv", csv)
        self.write("data.csv.gz", gzip.compress(csv))
        # Images for inr.
        w, h = 8, 6
        gray = [r.randrange(256) for _ in range(w * h)]
        rgb = [r.randrange(256) for _ in range(w * h * 3)]
        self.write("img.pgm", b"P5\n%d %d\n255\n" % (w, h) + bytes(gray))
        self.write("img2.pgm", ("P2\n%d %d\n255\n" % (w, h) + " ".join(map(str, gray)) + "\n").encode())
        self.write("img.ppm", b"P6\n%d %d\n255\n" % (w, h) + bytes(rgb))
        self.write("img3.ppm", ("P3\n%d %d\n255\n" % (w, h) + " ".join(map(str, rgb)) + "\n").encode())
        self.write("img.png", png_bytes(w, h, 1, gray))
        self.write("imgc.png", png_bytes(w, h, 3, rgb))
        # CIFAR-10: 20 training and 10 test records, labels 0/1.
        for name, count in (("data_batch_1.bin", 20), ("test_batch.bin", 10)):
            recs = b"".join(bytes([i % 2]) + bytes(r.randrange(256) for _ in range(3072)) for i in range(count))
            self.write("cifar/" + name, recs)
        # Models written by the tool itself.
        env = dict(os.environ)
        for name, args in (
            ("model.json", ["recover", "--task", "files", "--x", self.path("X.npy"), "--y", self.path("y.npy"),
                            "--m", "3", "--s", "6", "--steps", "3"]),
            ("convex.json", ["recover", "--task", "files", "--x", self.path("X.npy"), "--y", self.path("y.npy"),
                             "--m", "3", "--s", "6", "--steps", "3", "--mode", "convex"]),
            ("inr.json", ["recover", "--task", "inr", "--dataset", self.path("img.pgm"), "--m", "3", "--s", "8",
                          "--steps", "2", "--fourier-features", "6"]),
            ("multi.json", ["recover", "--task", "mnist", "--dataset", self.path("data.csv"), "--m", "4", "--s", "20",
                            "--epochs", "1", "--batch", "10"]),
        ):
            p = self.path(name)
            out = subprocess.run([tool] + args + ["--model", p, "--backend", "cpu"], capture_output=True, env=env,
                                 timeout=300)
            if out.returncode != 0:
                raise SystemExit("fuzz: building %s failed: %s" % (name, out.stderr.decode(errors="replace")))
            with open(p, "rb") as f:
                self.files[name] = f.read()
        # Gzip bombs: small files that decompress to 2 GiB.
        gzip_bomb(self.path("bomb/train-images-idx3-ubyte.gz"), idx_bytes(0x08, [100000, 100, 100], []), 2 << 30)
        self.write("bomb/train-labels-idx1-ubyte", idx_bytes(0x08, [4], [0, 1, 0, 1]))
        self.write("bomb/t10k-images-idx3-ubyte", idx_bytes(0x08, [4, 4, 4], [0] * 64))
        self.write("bomb/t10k-labels-idx1-ubyte", idx_bytes(0x08, [4], [0, 1, 0, 1]))
        gzip_bomb(self.path("bomb.csv.gz"), b"", 2 << 30, line=b"1,2,3,4,5,6,1\n")
        gzip_bomb(self.path("bomb.pgm.gz"), b"P5\n40000 40000\n255\n", 2 << 30)


# ---------------------------------------------------------------------------------------
# Cases: (name, argv, expect, names). expect "error": known malformed; "any": may be valid.


def files_cmd(c, x, y):
    return ["recover", "--task", "files", "--x", x, "--y", y, "--m", "3", "--s", "6", "--steps", "3"]


def binary_cmd(dataset, task="binary-mnist"):
    return ["recover", "--task", task, "--dataset", dataset, "--m", "3", "--s", "6", "--epochs", "1", "--batch", "10"]


def inr_cmd(image, features="6"):
    return ["recover", "--task", "inr", "--dataset", image, "--m", "3", "--s", "8", "--steps", "2",
            "--fourier-features", features]


class Cases:
    def __init__(self, corpus, work, rng):
        self.c = corpus
        self.work = work
        self.rng = rng
        self.serial = 0

    def fresh(self, name, data):
        self.serial += 1
        d = os.path.join(self.work, "c%06d" % self.serial)
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def fresh_dir(self, files):
        self.serial += 1
        d = os.path.join(self.work, "c%06d" % self.serial)
        for name, data in files.items():
            p = os.path.join(d, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        return d

    # --- hand-made cases -------------------------------------------------------------

    def handmade(self):
        c, P = self.c, self.c.path
        X, y = P("X.npy"), P("y.npy")
        out = []

        def npy_case(name, data, which="x"):
            p = self.fresh("bad.npy", data)
            args = files_cmd(c, p, y) if which == "x" else files_cmd(c, X, p)
            out.append(("npy:" + name, args, "error", [p]))

        hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }"
        vals = [0.5] * 240
        for shape in ("(-1, 8)", "(30, -8)", "(4611686018427387904, 8)", "(99999999999999999999, 8)",
                      "(30, 8.0)", "(30, 'a')", "(30 8)", "(30, 8", "30, 8", "(3000000000, 3000000000)"):
            npy_case("shape " + shape, npy_bytes([30, 8], vals, header=hdr % shape))
        npy_case("duplicate shape", npy_bytes([30, 8], vals, header="{'descr': '<f4', 'fortran_order': False, 'shape': (30, 8), 'shape': (8, 30), }"))
        npy_case("missing fortran_order", npy_bytes([30, 8], vals, header="{'descr': '<f4', 'shape': (30, 8), }"))
        npy_case("unknown key", npy_bytes([30, 8], vals, header="{'descr': '<f4', 'fortran_order': False, 'shape': (30, 8), 'x': 1, }"))
        npy_case("fortran_order 1", npy_bytes([30, 8], vals, header="{'descr': '<f4', 'fortran_order': 1, 'shape': (30, 8), }"))
        npy_case("descr big-endian", npy_bytes([30, 8], vals, header="{'descr': '>f8', 'fortran_order': False, 'shape': (30, 8), }"))
        npy_case("descr complex", npy_bytes([30, 8], vals, header="{'descr': '<c8', 'fortran_order': False, 'shape': (30, 8), }"))
        npy_case("descr f3", npy_bytes([30, 8], vals, header="{'descr': '<f3', 'fortran_order': False, 'shape': (30, 8), }"))
        npy_case("truncated data", npy_bytes([30, 8], vals)[:-7])
        npy_case("extra data", npy_bytes([30, 8], vals) + b"\0" * 8)
        npy_case("header length huge", b"\x93NUMPY\x01\x00\xff\xff" + b"{}")
        npy_case("version 9", b"\x93NUMPY\x09\x00" + npy_bytes([30, 8], vals)[8:])
        npy_case("NaN value", npy_bytes([30, 8], [float("nan")] + vals[1:]))
        npy_case("inf value", npy_bytes([30, 8], [float("inf")] + vals[1:]))
        npy_case("npz archive", b"PK\x03\x04" + b"\0" * 100)
        npy_case("empty", b"")
        npy_case("y NaN", npy_bytes([60], [float("nan")] * 60), which="y")
        npy_case("y 2-D", npy_bytes([60, 2], [0.0] * 120), which="y")
        npy_case("y wrong n", npy_bytes([59], [0.0] * 59), which="y")
        # IDX arrays as --x.
        for name, data in (
            ("dims huge", idx_bytes(0x0D, [60, 8], [0.0] * 480)[:4] + struct.pack(">II", 0xFFFFFFFF, 0xFFFFFFFF) + b"\0" * 64),
            ("dims zero count", bytes([0, 0, 0x0D, 0])),
            ("type bad", bytes([0, 0, 0x0A, 2]) + struct.pack(">II", 60, 8)),
            ("truncated", idx_bytes(0x0D, [60, 8], [0.0] * 480)[:-4]),
            ("NaN", idx_bytes(0x0D, [60, 8], [float("nan")] * 480)),
            ("double huge", idx_bytes(0x0E, [60, 8], [1e300] * 480)),
        ):
            p = self.fresh("bad.idx", data)
            out.append(("idx:" + name, files_cmd(c, p, y), "error", [p]))
        # MNIST-format directories with bad labels or images.
        base = {k.split("/", 1)[1]: v for k, v in c.files.items() if k.startswith("idx/")}
        for name, labels in (("label 1.5", [1.5]), ("label NaN", [float("nan")]), ("label inf", [float("inf")]),
                             ("label 1e10", [1e10]), ("label -1", [-1.0]), ("label 0.9", [0.9])):
            files = dict(base)
            files["train-labels-idx1-ubyte"] = idx_bytes(0x0D, [40], labels + [0.0] * 39)
            d = self.fresh_dir(files)
            out.append(("mnist-dir:" + name, binary_cmd(d), "error", ["train-labels"]))
        files = dict(base)
        files["t10k-images-idx3-ubyte"] = idx_bytes(0x0D, [20, 4, 4], [float("nan")] + [0.0] * 319)
        d = self.fresh_dir(files)
        out.append(("mnist-dir:test image NaN", binary_cmd(d), "error", [d, "t10k"]))
        files = dict(base)
        files["train-labels-idx1-ubyte"] = idx_bytes(0x08, [39], [0] * 39)
        out.append(("mnist-dir:label count", binary_cmd(self.fresh_dir(files)), "error", ["train-labels"]))
        files = dict(base)
        files["train-images-idx3-ubyte"] = bytes([0, 0, 8, 3]) + struct.pack(">III", 100000, 100000, 100000) + b"\0" * 100
        out.append(("mnist-dir:images huge", binary_cmd(self.fresh_dir(files)), "error", ["train-images"]))
        out.append(("mnist-dir:gzip bomb", binary_cmd(P("bomb")), "error", ["train-images"]))
        files = dict(base)
        files["train-images-idx3-ubyte.gz"] = gzip.compress(files.pop("train-images-idx3-ubyte"))[:-20]
        out.append(("mnist-dir:gzip truncated", binary_cmd(self.fresh_dir(files)), "error", ["train-images"]))
        # CSV.
        good = c.files["data.csv"].decode().splitlines()
        for name, line in (("label 1e10", "1,2,3,4,5,6,1e10"), ("label -1", "1,2,3,4,5,6,-1"), ("label 1.5", "1,2,3,4,5,6,1.5"),
                           ("label nan", "1,2,3,4,5,6,nan"), ("value inf", "inf,2,3,4,5,6,1"), ("value text", "a,2,3,4,5,6,1"),
                           ("ragged", "1,2,3,1"), ("value 1e39", "1e39,2,3,4,5,6,1")):
            p = self.fresh("bad.csv", ("\n".join(good[:40] + [line] + good[40:]) + "\n").encode())
            out.append(("csv:" + name, binary_cmd(p), "error", [p]))
        p = self.fresh("bad.csv", b"\n\n")
        out.append(("csv:no rows", binary_cmd(p), "error", [p]))
        p = self.fresh("bad.csv.gz", gzip.compress(c.files["data.csv"])[:-30])
        out.append(("csv:gzip truncated", binary_cmd(p), "error", [p]))
        out.append(("csv:gzip bomb", binary_cmd(P("bomb.csv.gz")), "error", ["bomb.csv.gz"]))
        out.append(("csv:label 1e10 mnist", ["recover", "--task", "mnist", "--dataset",
                                             self.fresh("bad.csv", ("\n".join(good + ["1,2,3,4,5,6,10000000000"]) + "\n").encode()),
                                             "--m", "4", "--s", "20", "--epochs", "1", "--batch", "10"], "error", ["bad.csv"]))
        # PGM / PPM.
        for name, data in (("huge dims", b"P5\n100000 100000\n255\n" + b"\0" * 20),
                           ("negative", b"P5\n-8 6\n255\n" + b"\0" * 48),
                           ("maxval 0", b"P5\n8 6\n0\n" + b"\0" * 48),
                           ("maxval 70000", b"P5\n8 6\n70000\n" + b"\0" * 96),
                           ("above maxval", b"P5\n8 6\n100\n" + b"\xff" * 48),
                           ("above maxval ascii", b"P2\n2 1\n100\n50 101\n"),
                           ("truncated", b"P5\n8 6\n255\n" + b"\0" * 47),
                           ("ascii text", b"P2\n2 1\n255\n1 x\n"),
                           ("magic", b"P7\n8 6\n255\n" + b"\0" * 48),
                           ("overflow", b"P6\n4611686018427387904 4611686018427387904\n255\n" + b"\0" * 48),
                           ("16-bit truncated", b"P5\n8 6\n1000\n" + b"\0" * 50)):
            p = self.fresh("bad.pgm", data)
            out.append(("pgm:" + name, inr_cmd(p), "error", [p]))
        out.append(("pgm:gzip bomb", inr_cmd(P("bomb.pgm.gz")), "error", ["bomb.pgm"]))
        # PNG.
        png = c.files["img.png"]
        for name, data in (("truncated", png[:40]), ("bad crc", png[:29] + b"\0\0\0\0" + png[33:]),
                           ("not png", b"hello"), ("huge IHDR", png[:16] + struct.pack(">II", 100000, 100000) + png[24:])):
            p = self.fresh("bad.png", data)
            out.append(("png:" + name, inr_cmd(p), "error", [p]))
        big = png_bytes(1000, 1000, 1, [7] * 1000000)
        p = self.fresh("big.png", big)
        out.append(("png:1000x1000 with 750 features", inr_cmd(p, features="750"), "error", [p, "inr", "fourier"]))
        # CIFAR-10.
        rec = c.files["cifar/data_batch_1.bin"]
        for name, files in (("label 10", {"data_batch_1.bin": b"\x0a" + rec[1:], "test_batch.bin": c.files["cifar/test_batch.bin"]}),
                            ("partial record", {"data_batch_1.bin": rec[:-1], "test_batch.bin": c.files["cifar/test_batch.bin"]}),
                            ("no test batch", {"data_batch_1.bin": rec})):
            d = self.fresh_dir(files)
            out.append(("cifar:" + name, binary_cmd(d, "binary-cifar10"), "error", [d]))
        # Model JSON.
        for model_name, args in (("model.json", ["--task", "files", "--x", X, "--y", y]),
                                 ("inr.json", ["--task", "inr", "--dataset", P("img.pgm")]),
                                 ("multi.json", ["--task", "mnist", "--dataset", P("data.csv")])):
            doc = json.loads(c.files[model_name])
            for name, mutate in self.model_mutations(doc):
                m = json.loads(json.dumps(doc))
                try:
                    mutate(m)
                except (KeyError, IndexError, TypeError):
                    continue
                text = json.dumps(m).replace("NaN", "NaN")
                p = self.fresh("bad-" + model_name, text.encode())
                out.append(("model:%s:%s" % (model_name, name), ["evaluate", "--model", p] + args, "error", [p]))
        # Options.
        base = files_cmd(c, X, y)
        for opt, value in (("--m", "9223372036854775807"), ("--m", "-1"), ("--m", "0"), ("--s", "0"),
                           ("--inflation", "inf"), ("--inflation", "nan"), ("--inflation", "0.5"),
                           ("--chunk", "0"), ("--chunk", "-3"), ("--chunk", "4611686018427387904"),
                           ("--tolerance", "nan"), ("--tolerance", "-1"), ("--steps", "0"), ("--refine", "-1"),
                           ("--batch", "0"), ("--batch", "61")):
            out.append(("option:files %s %s" % (opt, value), base + [opt + "=" + value], "error", [opt[2:]]))
        vec = ["recover", "--task", "planted", "--n", "200", "--d", "10", "--m", "4", "--s", "20", "--outputs", "3",
               "--epochs", "1", "--batch", "50"]
        for opt, value in (("--output-share", "nan"), ("--output-share", "2"), ("--output-share", "-0.5"),
                           ("--chunk", "0"), ("--chunk", "-3"), ("--chunk", "4611686018427387904"),
                           ("--lr", "nan"), ("--lr", "inf"), ("--lr", "0"), ("--lr", "-1"), ("--epochs", "0"),
                           ("--m", "9223372036854775807"), ("--outputs", "0")):
            extra = ["--ranking", "per-layer"] if opt == "--output-share" else []
            out.append(("option:vector %s %s" % (opt, value), vec + extra + [opt + "=" + value], "error", [opt[2:]]))
        for opt, value in (("--fourier-features", "-1"), ("--fourier-features", "0"), ("--sigma", "nan"),
                           ("--sigma", "inf"), ("--sigma", "1e308"), ("--sigma", "-2"),
                           ("--fourier-features", "4611686018427387904")):
            out.append(("option:inr %s %s" % (opt, value), inr_cmd(P("img.pgm"))[:-2] + [opt + "=" + value], "error",
                        [opt[2:], "fourier"]))
        for value in ("0,0", "0,99", "-1,0", "1e10,0", "a,b", ""):
            out.append(("option:classes %s" % value, binary_cmd(P("data.csv")) + ["--classes=" + value], "error", ["classes", "class"]))
        out.append(("dataset:npz", binary_cmd(self.fresh("data.npz", b"PK\x03\x04" + b"\0" * 64)), "error", ["data.npz"]))
        out.append(("dataset:missing", binary_cmd(os.path.join(self.work, "nope.csv")), "error", ["nope.csv"]))
        return out

    @staticmethod
    def model_mutations(doc):
        def setl(key, value, layer=0):
            def f(m):
                m["layers"][layer][key] = value
            return f

        def settop(key, value):
            def f(m):
                m[key] = value
            return f

        ms = [
            ("format", settop("format", "sparse-iht-model-9")),
            ("kind", setl("kind", "conv")),
            ("m 2^62", setl("m", 1 << 62)),
            ("d 2^62", setl("d", 1 << 62)),
            ("m 0", setl("m", 0)),
            ("d -1", setl("d", -1)),
            ("k 0", setl("k", 0)),
            ("indices unsorted", lambda m: m["layers"][0].__setitem__("indices", list(reversed(m["layers"][0]["indices"])))),
            ("index out of range", lambda m: m["layers"][0]["indices"].__setitem__(-1, 1 << 40)),
            ("index negative", lambda m: m["layers"][0]["indices"].__setitem__(0, -5)),
            ("values short", lambda m: m["layers"][0]["values"].pop()),
            ("value huge", lambda m: m["layers"][0]["values"].__setitem__(0, 1e308)),
            ("no layers", settop("layers", [])),
            ("inputDivisor 0", settop("inputDivisor", [0])),
            ("inputDivisor length", settop("inputDivisor", [1, 2])),
            ("inputMean 1e308", settop("inputMean", [1e308])),
            ("outputActivation", settop("outputActivation", "tanh")),
            ("seed negative", setl("seed", -1)),
            ("signs wrong", setl("signs", [1.0])),
            ("generators wrong", setl("generators", [0.5])),
            ("activeNeurons wrong", setl("activeNeurons", [0, 99])),
            ("truncated", None),
        ]
        if "fourierSigmas" in doc:
            ms += [("fourierSigmas empty", settop("fourierSigmas", [])),
                   ("fourierSigmas 1e308", settop("fourierSigmas", [1e308, 1e308])),
                   ("fourierSigmas 4", settop("fourierSigmas", [2, 2, 2, 2])),
                   ("fourierFeatures 0", settop("fourierFeatures", 0)),
                   ("fourierFeatures 2^62", settop("fourierFeatures", 1 << 62)),
                   ("fourierFeatures -1", settop("fourierFeatures", -1)),
                   ("fourierMatrix wrong", settop("fourierMatrix", [0.0]))]
        if len(doc["layers"]) == 1:
            ms.append(("width mismatch", lambda m: m["layers"].insert(0, dict(m["layers"][0], d=m["layers"][0]["d"]))))
        out = []
        for name, f in ms:
            if f is None:
                continue
            out.append((name, f))
        return out

    # --- random mutations ----------------------------------------------------------------

    def mutate_bytes(self, data, header_len):
        r = self.rng
        b = bytearray(data)
        op = r.randrange(6)
        if op == 0 and b:  # flip bytes in the header region
            for _ in range(r.randint(1, 4)):
                i = r.randrange(min(len(b), max(header_len, 1)))
                b[i] = r.randrange(256)
        elif op == 1 and b:  # flip anywhere
            for _ in range(r.randint(1, 8)):
                b[r.randrange(len(b))] = r.randrange(256)
        elif op == 2:  # truncate
            b = b[:r.randrange(len(b) + 1)]
        elif op == 3:  # append junk
            b += bytes(r.randrange(256) for _ in range(r.randint(1, 64)))
        elif op == 4 and b:  # insert bytes in the header
            i = r.randrange(min(len(b), max(header_len, 1)) + 1)
            b[i:i] = bytes(r.choice(b"0123456789-., ()'\n:") for _ in range(r.randint(1, 6)))
        elif b:  # delete a span
            i = r.randrange(len(b))
            del b[i:i + r.randint(1, 16)]
        return bytes(b)

    def random_case(self, i):
        r, c, P = self.rng, self.c, self.c.path
        kind = r.choice(["npy", "npy", "idx", "idx", "idxgz", "csv", "csvgz", "pgm", "ppm", "png", "cifar",
                         "model", "model", "option", "option"])
        if kind == "npy":
            which = r.choice(["X.npy", "y.npy"])
            data = self.mutate_bytes(c.files[which], 128)
            p = self.fresh(which, data)
            args = files_cmd(c, p, P("y.npy")) if which == "X.npy" else files_cmd(c, P("X.npy"), p)
            return ("random npy", args, "any", [p])
        if kind == "idx":
            which = r.choice(["X.idx", "y.idx"])
            p = self.fresh(which, self.mutate_bytes(c.files[which], 12))
            args = files_cmd(c, p, P("y.idx")) if which == "X.idx" else files_cmd(c, P("X.idx"), p)
            return ("random idx", args, "any", [p])
        if kind == "idxgz":
            sub = r.choice(["idx", "idxgz"])
            files = {k.split("/", 1)[1]: v for k, v in c.files.items() if k.startswith(sub + "/")}
            name = r.choice(sorted(files))
            raw = gzip.decompress(files[name]) if name.endswith(".gz") else files[name]
            mutated = self.mutate_bytes(raw, 16)
            if name.endswith(".gz"):
                mutated = gzip.compress(mutated) if r.random() < 0.7 else self.mutate_bytes(files[name], 20)
            files[name] = mutated
            d = self.fresh_dir(files)
            return ("random " + sub, binary_cmd(d), "any", [d, name.split("-")[1]])
        if kind in ("csv", "csvgz"):
            text = c.files["data.csv"]
            if r.random() < 0.5:
                lines = text.decode().splitlines()
                j = r.randrange(len(lines))
                fields = lines[j].split(",")
                fields[r.randrange(len(fields))] = r.choice(["nan", "inf", "-1", "1e10", "1.5", "", "x", "1e39", "-0", "3", "65536"])
                lines[j] = ",".join(fields)
                text = ("\n".join(lines) + "\n").encode()
            else:
                text = self.mutate_bytes(text, len(text))
            if kind == "csvgz":
                text = gzip.compress(text)
            p = self.fresh("data.csv" + (".gz" if kind == "csvgz" else ""), text)
            task = r.choice(["binary-mnist", "mnist"])
            args = binary_cmd(p, task) if task == "binary-mnist" else ["recover", "--task", "mnist", "--dataset", p, "--m", "4",
                                                                       "--s", "20", "--epochs", "1", "--batch", "10"]
            return ("random " + kind, args, "any", [p])
        if kind in ("pgm", "ppm", "png"):
            name = r.choice({"pgm": ["img.pgm", "img2.pgm"], "ppm": ["img.ppm", "img3.ppm"], "png": ["img.png", "imgc.png"]}[kind])
            p = self.fresh(name, self.mutate_bytes(c.files[name], 16 if kind != "png" else 33))
            return ("random " + kind, inr_cmd(p), "any", [p])
        if kind == "cifar":
            files = {k.split("/", 1)[1]: v for k, v in c.files.items() if k.startswith("cifar/")}
            name = r.choice(sorted(files))
            files[name] = self.mutate_bytes(files[name], 3073)
            d = self.fresh_dir(files)
            return ("random cifar", binary_cmd(d, "binary-cifar10"), "any", [d])
        if kind == "model":
            model_name = r.choice(["model.json", "convex.json", "inr.json", "multi.json"])
            args = {"model.json": ["--task", "files", "--x", P("X.npy"), "--y", P("y.npy")],
                    "convex.json": ["--task", "files", "--x", P("X.npy"), "--y", P("y.npy")],
                    "inr.json": ["--task", "inr", "--dataset", P("img.pgm")],
                    "multi.json": ["--task", "mnist", "--dataset", P("data.csv")]}[model_name]
            if r.random() < 0.6:
                doc = json.loads(c.files[model_name])
                self.mutate_json(doc)
                data = json.dumps(doc).encode()
            else:
                data = self.mutate_bytes(c.files[model_name], 200)
            p = self.fresh(model_name, data)
            return ("random model", ["evaluate", "--model", p] + args, "any", [p])
        # Options: one numeric option of a valid command set to an odd value.
        base, opts = r.choice([
            (files_cmd(c, P("X.npy"), P("y.npy")), ["--m", "--s", "--steps", "--inflation", "--tolerance", "--chunk",
                                                    "--refine", "--batch", "--layers", "--seed"]),
            (["recover", "--task", "planted", "--n", "200", "--d", "10", "--m", "4", "--s", "20", "--outputs", "3",
              "--epochs", "1", "--batch", "50", "--ranking", "per-layer"],
             ["--m", "--s", "--n", "--d", "--outputs", "--epochs", "--batch", "--chunk", "--lr", "--output-share",
              "--planted-s", "--layers"]),
            (inr_cmd(P("img.pgm")), ["--fourier-features", "--sigma", "--m", "--s", "--steps", "--image"]),
            (binary_cmd(P("data.csv")), ["--pixel-scale", "--m", "--s", "--epochs", "--batch", "--classes"]),
        ])
        opt = r.choice(opts)
        value = r.choice(["nan", "inf", "-inf", "0", "-1", "-3", "1e308", "9223372036854775807", "4611686018427387904",
                          "2.5", "", "abc", "1", "2", "0.5", "1e-30", "-0", "18446744073709551616", "1,1", "0x10"])
        return ("random option", base + [opt + "=" + value], expectation(opt, value), [opt[2:]])

    def mutate_json(self, doc):
        r = self.rng
        targets = [(doc, k) for k in doc if k != "layers"]
        for layer in doc["layers"]:
            targets += [(layer, k) for k in layer]
        obj, key = r.choice(targets)
        value = obj[key]
        choices = [None, 0, -1, 1 << 62, 1e308, "x", [], [0], True, -1e308]
        if isinstance(value, list) and value and r.random() < 0.6:
            i = r.randrange(len(value))
            value[i] = r.choice([0, -1, 1 << 40, 1e30, 0.5, -value[i] if isinstance(value[i], (int, float)) else 0])
        else:
            obj[key] = r.choice(choices)


def expectation(opt, value):
    """"error" when `value` is certainly invalid for `opt`, else "any"."""
    ints = {"--m", "--s", "--steps", "--chunk", "--refine", "--batch", "--layers", "--n", "--d", "--outputs",
            "--epochs", "--planted-s", "--fourier-features", "--image", "--seed"}
    if value.startswith("0x"):  # Swift reads hexadecimal floats; integers refuse them
        return "error" if opt in ("--m", "--s", "--steps", "--chunk", "--refine", "--batch", "--layers", "--n", "--d",
                                  "--outputs", "--epochs", "--planted-s", "--fourier-features", "--image", "--seed") else "any"
    try:
        f = float(value)
    except ValueError:
        return "error" if opt != "--classes" or value == "" or value == "abc" else "any"
    if opt == "--classes":
        return "error" if value != "1,1" else "error"
    if opt in ints:
        try:
            v = int(value)
        except ValueError:
            return "error"
        if opt == "--seed":
            return "error" if v < 0 or v >= 1 << 64 else "any"
        if opt == "--image":  # ignored for image files
            return "error" if v < -(1 << 63) or v >= 1 << 63 else "any"
        if opt == "--batch" and v >= 1:  # larger than n means full batch
            return "error" if v >= 1 << 63 else "any"
        lo = 0 if opt in ("--refine", "--image") else 1
        if v < lo or v >= 1 << 40:
            return "error"
        return "any"
    if f != f or f in (float("inf"), float("-inf")):
        return "error"
    if opt == "--inflation" and (f < 1 or f > 1e30):
        return "error"
    if opt == "--tolerance" and f < 0:
        return "error"
    if opt == "--lr" and f <= 0:
        return "error"
    if opt == "--output-share" and not 0 <= f <= 1:
        return "error"
    if opt == "--sigma" and (f < 0 or f > 1e30):
        return "error"
    if opt == "--pixel-scale" and (f == 0 or abs(f) > 3.4e38):
        return "error"
    return "any"


# ---------------------------------------------------------------------------------------
# Running.


def limit_child(mem_bytes):
    def f():
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return f


def run_case(tool, case, backend, timeout, mem_bytes, logdir, index):
    name, argv, expect, names = case
    argv = [tool] + argv + ["--backend", backend]
    out_path = os.path.join(logdir, "%06d.out" % index)
    with open(out_path, "wb") as out:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        started = time.time()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                preexec_fn=limit_child(mem_bytes), start_new_session=True)
        status, usage, hung = None, None, False
        while True:
            pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                status, usage = st, ru
                break
            if time.time() - started > timeout:
                hung = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        proc.returncode = 0  # reaped above
        seconds = time.time() - started
    with open(out_path, "rb") as f:
        text = f.read().decode(errors="replace")
    os.unlink(out_path)
    if hung:
        outcome, code = "hang", None
    elif os.WIFSIGNALED(status):
        outcome, code = "crash", -os.WTERMSIG(status)
    else:
        code = os.WEXITSTATUS(status)
        if 132 <= code <= 139:
            outcome = "crash"
        elif code == 0:
            outcome = "silent_accept" if expect == "error" else "accepted"
        else:
            low = text.lower()
            keys = []
            for n in names:
                keys += [n.lower(), os.path.basename(n).lower(), n.lower().replace("-", " ")]
            outcome = "clear_error" if any(k and k in low for k in keys) else "unclear_error"
    message = text.strip().splitlines()[-1] if text.strip() else ""
    return {"name": name, "backend": backend, "expect": expect, "outcome": outcome, "exit": code,
            "seconds": round(seconds, 3), "peak_rss_kib": usage.ru_maxrss if usage else None,
            "argv": argv[1:], "message": message[:300]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", default=os.path.join(ROOT, ".build", "release", "sparse-iht"))
    ap.add_argument("--cases", type=int, default=10000, help="total runs (hand-made cases first, then random)")
    ap.add_argument("--fast", action="store_true", help="CI subset: hand-made cases on the CPU and 1/4 on OpenCL, plus 60 random")
    ap.add_argument("--backends", default="cpu,opencl")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--mem-gib", type=float, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", help="work directory (default: a temporary one, removed)")
    ap.add_argument("--summary", help="write a JSON summary here (and a CSV of every case beside it)")
    args = ap.parse_args()
    if not os.access(args.tool, os.X_OK):
        raise SystemExit("fuzz: %s is not built (swift build -c release)" % args.tool)
    work = args.work or tempfile.mkdtemp(prefix="sparse-iht-fuzz-")
    rng = random.Random(args.seed)
    corpus = Corpus(os.path.join(work, "corpus"), rng)
    corpus.build(args.tool)
    cases = Cases(corpus, os.path.join(work, "cases"), rng)
    backends = [b for b in args.backends.split(",") if b]
    hand = cases.handmade()
    plan = []
    if args.fast:
        for i, case in enumerate(hand):
            plan.append((case, "cpu"))
            if "opencl" in backends and i % 4 == 0:
                plan.append((case, "opencl"))
        for i in range(60):
            plan.append((cases.random_case(i), backends[i % len(backends)]))
    else:
        for case in hand:
            for b in backends:
                plan.append((case, b))
        i = 0
        while len(plan) < args.cases:
            plan.append((cases.random_case(i), backends[i % len(backends)]))
            i += 1
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir, exist_ok=True)
    mem = int(args.mem_gib * (1 << 30))
    results = []
    lock = threading.Lock()
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_case, args.tool, case, b, args.timeout, mem, logdir, i) for i, (case, b) in enumerate(plan)]
        for k, f in enumerate(concurrent.futures.as_completed(futures)):
            r = f.result()
            with lock:
                results.append(r)
            if r["outcome"] in ("crash", "hang", "silent_accept"):
                print("FAIL %-13s %-6s %s: %s" % (r["outcome"], r["backend"], r["name"], " ".join(r["argv"])), flush=True)
            if (k + 1) % 500 == 0:
                print("fuzz: %d/%d cases, %.0fs" % (k + 1, len(plan), time.time() - t0), flush=True)
    counts = {}
    for r in results:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    by_backend = {}
    for r in results:
        by_backend.setdefault(r["backend"], {}).setdefault(r["outcome"], 0)
        by_backend[r["backend"]][r["outcome"]] += 1
    peak = max((r["peak_rss_kib"] or 0) for r in results)
    summary = {"cases": len(results), "handmade": len(hand), "outcomes": counts, "by_backend": by_backend,
               "peak_rss_mib": round(peak / 1024, 1), "memory_limit_gib": args.mem_gib, "timeout_s": args.timeout,
               "seconds": round(time.time() - t0, 1), "seed": args.seed,
               "failures": [r for r in results if r["outcome"] in ("crash", "hang", "silent_accept")],
               "unclear": [r for r in results if r["outcome"] == "unclear_error"][:200]}
    print(json.dumps({k: v for k, v in summary.items() if k not in ("failures", "unclear")}, indent=1))
    for r in summary["unclear"][:40]:
        print("unclear %-6s %s: %s" % (r["backend"], r["name"], r["message"]))
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=1)
        import csv
        with open(os.path.splitext(args.summary)[0] + ".csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["name", "backend", "expect", "outcome", "exit", "seconds", "peak_rss_kib", "message"])
            for r in results:
                w.writerow([r["name"], r["backend"], r["expect"], r["outcome"], r["exit"], r["seconds"], r["peak_rss_kib"], r["message"]])
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    bad = sum(counts.get(k, 0) for k in ("crash", "hang", "silent_accept"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
