#!/usr/bin/env bash
# Installs SparseIHT's system dependencies from Debian/Ubuntu packages (needs root or sudo):
# OpenCL headers and ICD loader, CLBlast, OpenBLAS, PoCL (a real OpenCL implementation on
# the CPU, so the OpenCL backend runs on machines without a GPU) and clinfo.
set -euo pipefail
packages=(ocl-icd-opencl-dev opencl-headers libclblast-dev libopenblas-dev pocl-opencl-icd clinfo zlib1g-dev libpng-dev)
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  echo "setup: swift is at /opt/swift/usr/bin (add it to PATH)"
fi
bash "$(dirname "$0")/bootstrap-data.sh"
echo "setup: OpenCL devices:"
clinfo -l 2>/dev/null || echo "  (none)"
