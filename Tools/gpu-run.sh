#!/usr/bin/env bash
# Launcher of the GPU bundle: `.gpu/run PROGRAM ARGS...` with PROGRAM sparse-iht,
# iht-bench or clblast_tuner_xgemm (or `ldd-check`). Puts the bundle's libraries first on the library path and,
# when the machine has NVIDIA's OpenCL driver but no ICD entry for it, writes one into a
# private folder and points OCL_ICD_VENDORS there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Unpack the binaries and libraries on first use (outside the carried folder's contents).
unpacked=${SPARSEIHT_BUNDLE_DIR:-/tmp/sparse-iht-bundle}
if [ ! -x "$unpacked/bin/sparse-iht" ] || [ "$here/bundle.tar.xz" -nt "$unpacked/bin/sparse-iht" ]; then
  rm -rf "$unpacked" && mkdir -p "$unpacked"
  xz -dc "$here/bundle.tar.xz" | tar -C "$unpacked" -xf -
fi
export LD_LIBRARY_PATH="$unpacked/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "${OCL_ICD_VENDORS:-}" ] && ! grep -qsl nvidia /etc/OpenCL/vendors/*.icd 2>/dev/null; then
  driver=$(find / \( -path /proc -o -path /sys \) -prune -o -name 'libnvidia-opencl.so*' -print 2>/dev/null | sort | head -n 1)
  if [ -n "$driver" ]; then
    mkdir -p "$here/vendors"
    echo "$driver" > "$here/vendors/nvidia.icd"
    # Keep other installed ICDs (e.g. PoCL) visible too.
    for icd in /etc/OpenCL/vendors/*.icd; do [ -e "$icd" ] && cp "$icd" "$here/vendors/"; done
    export OCL_ICD_VENDORS="$here/vendors"
    echo "run: wrote $here/vendors/nvidia.icd -> $driver" >&2
  fi
fi
program=${1:?usage: run sparse-iht|iht-bench|clblast_tuner_xgemm|ldd-check ARGS...}
shift
if [ "$program" = ldd-check ]; then
  ldd "$unpacked"/bin/*
  if ldd "$unpacked"/bin/* | grep -q "not found"; then echo "missing libraries" >&2; exit 1; fi
  exit 0
fi
exec "$unpacked/bin/$program" "$@"
