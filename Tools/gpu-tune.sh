#!/usr/bin/env bash
# CLBlast's Xgemm tuner on one OpenCL device for a fixed time, then the GEMM benchmark again
# with the best parameters it found (through SPARSE_IHT_CLBLAST), so a GPU session can tell
# whether CLBlast's own parameters for the device leave speed behind:
#   bash .gpu/tune.sh [DEVICE-SELECTOR] [SECONDS]      (defaults: gpu 90)
# Writes tune-xgemm.txt, tune-best.txt and bench-tuned.{txt,json} under ${OUT:-out}. The tuner
# runs on OpenCL platform 0; when NVIDIA's driver is present only its ICD is made visible to it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-out}
selector=${1:-gpu}
seconds=${2:-90}
mkdir -p "$out"
vendors=""
for icd in "$here/vendors/nvidia.icd" /etc/OpenCL/vendors/nvidia*.icd; do
  if [ -e "$icd" ]; then vendors="$here/vendors-tuner"; mkdir -p "$vendors"; cp "$icd" "$vendors/"; break; fi
done
(cd "$out" && ${vendors:+env OCL_ICD_VENDORS="$vendors"} timeout "$seconds" "$here/run" clblast_tuner_xgemm \
    -precision 32 -platform 0 -device 0 -m 1024 -n 1024 -k 1024 -runs 1) > "$out/tune-xgemm.txt" 2>&1
# Rows that ran and matched the reference: the parameter values (4th field) and GFLOPS.
best=$(sed 's/\x1b\[[0-9;]*m//g' "$out/tune-xgemm.txt" | awk -F'|' '
  /Parameters explored:/ { sub(/.*Parameters explored: */, ""); n = split($0, names, " ") }
  /results match/ { g = $(NF - 2) + 0; if (g > bestg) { bestg = g; bestp = $4 } }
  END {
    if (n == 0 || bestg == 0) exit 1
    split(bestp, v, " "); s = ""
    for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") names[i] "=" v[i]
    printf "Xgemm:%s %s\n", s, bestg
  }')
if [ -z "$best" ]; then echo "tune: no tuned configuration in $out/tune-xgemm.txt"; exit 0; fi
params=${best% *}
echo "$best" | tee "$out/tune-best.txt"
SPARSE_IHT_CLBLAST="$params" "$here/run" iht-bench --backend opencl --device "$selector" --n 50000 --d 784 --m 1000 \
    --topk-n 1000 --topk-k 10 --json "$out/bench-tuned.json" 2>&1 | tee "$out/bench-tuned.txt"
