#!/usr/bin/env bash
# The paper's planted experiments and the studies of recovery, at reduced sizes that finish
# on a 2-core machine in well under 30 minutes; `--full` runs the paper's sizes (hours; use
# `sparse-iht sweep --emit-slurm` to spread them over a cluster).
#
#   bash Tools/reproduce.sh [--full] [--only a,b,c,d,e] [--out docs/figures/reproduce] [--jobs 2]
#
#   (a) planted heatmaps m x s, IHT against IMP
#   (b) phase transition: share of exact recoveries (PSNR > 80 dB) against n, a few (m, s),
#       20 seeds each
#   (c) separation: share of exact recoveries against the measured pattern difference gamma
#       of the planted neurons (--planted-angle sets their pairwise angle), 20 seeds each
#   (d) peak memory against m at MNIST dimensions (binary-mnist, d = 784), IHT against IMP
#   (e) MNIST-family (binary-mnist) and INR heatmaps m x s, IHT against IMP
#
# Each study is a resumable sweep (`OUT/*.jsonl`, rerun to continue), a CSV
# (`sparse-iht sweep merge`) and figures (`Tools/figures.py`, matplotlib), which also print
# where exact recovery crosses 50%.
set -euo pipefail
cd "$(dirname "$0")/.."
full=0; only="a,b,c,d,e"; out="docs/figures/reproduce"; jobs=2
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1 ;;
    --only) only="$2"; shift ;;
    --out) out="$2"; shift ;;
    --jobs) jobs="$2"; shift ;;
    *) echo "usage: $0 [--full] [--only a,b,c,d,e] [--out DIR] [--jobs J]" >&2; exit 2 ;;
  esac
  shift
done
bin="${SPARSE_IHT:-.build/release/sparse-iht}"
[ -x "$bin" ] || { command -v swift >/dev/null 2>&1 || export PATH="/opt/swift/usr/bin:$PATH"; swift build -c release; }
python="${PYTHON:-python3}"
"$python" -c "import matplotlib" 2>/dev/null || python=/usr/bin/python3
mkdir -p "$out"
seeds20=$(seq -s, 0 19)

# sweep NAME FLAGS...: runs (or resumes) OUT/NAME.jsonl and writes OUT/NAME.csv.
sweep() {
  local name="$1"; shift
  echo "== $name: sparse-iht sweep $*" >&2
  local start=$SECONDS
  "$bin" sweep "$@" --backend cpu --jobs "$jobs" --quiet --out "$out/$name.jsonl"
  "$bin" sweep merge "$out/$name.jsonl" --csv "$out/$name.csv"
  echo "== $name: $((SECONDS - start)) s" >&2
}
figures() { "$python" Tools/figures.py "$@" --out "$out"; }
has() { [[ ",$only," == *",$1,"* ]]; }

if has a; then
  if [ $full = 1 ]; then
    sweep planted-heatmap --task planted --method iht,imp --m 1,2,5,10,20,50 --s 5,10,20,50,100 --n 10000 --d 100 --steps 30 --seeds "$seeds20"
  else
    sweep planted-heatmap --task planted --method iht,imp --m 1,2,5,10 --s 5,10,15,20 --n 2000 --d 20 --steps 30 --seeds 0,1,2,3,4
  fi
  figures "$out/planted-heatmap.jsonl" --kinds heatmap
fi
if has b; then
  if [ $full = 1 ]; then
    sweep phase-transition --task planted --m 2,5,10 --s 10,20,50 --n 50,100,200,400,800,1600,3200,6400 --d 100 --steps 100 --seeds "$seeds20"
  else
    sweep phase-transition --task planted --m 2,4 --s 10,20 --n 20,30,50,70,100,200,400,800,1600 --d 20 --steps 100 --seeds "$seeds20"
  fi
  figures "$out/phase-transition.jsonl" --kinds vs-n
fi
if has c; then
  if [ $full = 1 ]; then
    sweep separation --task planted --m 2,3,5 --s 30 --planted-angle 2,5,10,15,20,25,30,35,40,50,60,75,90 --n 10000 --d 100 --steps 100 --seeds "$seeds20"
  else
    sweep separation --task planted --m 2,3 --s 12 --planted-angle 2,3,4,5,10,15,20,25,30,35,40,50,60,75,90 --n 2000 --d 20 --steps 100 --seeds "$seeds20"
  fi
  figures "$out/separation.jsonl" --kinds vs-gamma
fi
if has d; then
  if [ $full = 1 ]; then
    sweep memory-mnist --task binary-mnist --dataset fashion --method iht,imp --m 10,100,1000,5000,10000 --s 100 --seeds 0
  else
    sweep memory-mnist --task binary-mnist --method iht,imp --m 10,100,1000 --s 100 --seeds 0
  fi
  figures "$out/memory-mnist.jsonl" --kinds memory
fi
if has e; then
  if [ $full = 1 ]; then
    sweep mnist-heatmap --task mnist --dataset fashion --method iht,imp --m 100,300,1000 --s 500,1000,2000,5000 --seeds 0,1,2
    sweep inr-heatmap --task inr --constant-feature false --method iht,imp --m 50,100,200,400 --s 250,500,1000,2000 --seeds 0,1,2
  else
    sweep mnist-heatmap --task binary-mnist --method iht,imp --m 10,100 --s 50,200 --seeds 0
    sweep inr-heatmap --task inr --constant-feature false --method iht,imp --m 20,50 --s 200,500 --fourier-features 250 --steps 30 --epochs 30 --seeds 0
  fi
  figures "$out/mnist-heatmap.jsonl" --kinds heatmap
  figures "$out/inr-heatmap.jsonl" --kinds heatmap
fi
