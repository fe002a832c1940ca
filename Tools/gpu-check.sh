#!/usr/bin/env bash
# The GPU checks, run on the device machine from the repository root with .gpu carried:
#   bash .gpu/check.sh
# Writes logs and JSON under ${OUT:-out}.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-out}
mkdir -p "$out"
run() { echo "+ $*"; "$here/run" "$@"; }
nvidia-smi -L 2>&1 | tee "$out/nvidia-smi.txt"
ls /etc/OpenCL/vendors 2>&1 | tee "$out/vendors.txt"
run ldd-check > "$out/ldd.txt" 2>&1
run sparse-iht devices 2>&1 | tee "$out/devices.txt"
run sparse-iht selftest --device gpu --topk-size 100000000 2>&1 | tee "$out/selftest.txt"
run iht-bench --backend all --device gpu --n 50000 --d 784 --m 1000 --topk-n 100000000 --topk-k 100000 \
    --step-n 50000 --step-d 784 --step-m 1000 --step-s 2000 --json "$out/bench.json" 2>&1 | tee "$out/bench.txt"
for m in 10 50; do for s in 10 50 100; do for seed in 0 1 2; do
  run sparse-iht recover --task planted --n 50000 --d 100 --m $m --s $s --seed $seed --steps 15 --tolerance 0 \
      --backend opencl --device gpu --no-diagnostics --quiet --json "$out/planted-$m-$s-$seed.json"
done; done; done 2>&1 | tee "$out/planted.txt"
run sparse-iht recover --task planted --n 10000 --d 784 --m 1000000 --s 100000 --steps 1 --backend opencl --device gpu \
    --no-diagnostics --quiet --json "$out/huge.json" 2>&1 | tee "$out/huge.txt"
# Real data (when the bundle carries Fashion-MNIST): the 10-class task at the published
# budget, full split, 50 epochs, and the binary >= 99% setting, on the GPU.
if [ -d "$here/fashion" ]; then
  run sparse-iht recover --task mnist --dataset "$here/fashion" --split full --backend opencl --device gpu \
      --no-diagnostics --quiet --json "$out/fashion-10class.json" 2>&1 | tee "$out/fashion-10class.txt"
  run sparse-iht recover --task binary-mnist --dataset "$here/fashion" --standardize --loss cross-entropy --inflation 1.5 \
      --backend opencl --device gpu --no-diagnostics --quiet --json "$out/fashion-binary.json" 2>&1 | tee "$out/fashion-binary.txt"
fi
# Last, if time is left: CLBlast's Xgemm tuner on the GPU for 90 s and the GEMM benchmark with
# its best parameters (bench-tuned.json beside bench.json).
bash "$here/tune.sh" gpu 90 2>&1 | tee "$out/tune.txt"
