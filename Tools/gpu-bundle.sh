#!/usr/bin/env bash
# Builds the portable GPU bundle in .gpu/ (ignored by git; copy it to the GPU machine with the
# working tree): static-stdlib release binaries of sparse-iht (with the `selftest` parity
# checks) and iht-bench, the shared libraries they need unpacked from Debian packages
# (only those ldd names), a launcher that sets the library path and finds NVIDIA's OpenCL
# driver, and the check script to run on the GPU machine.
#
#   bash Tools/gpu-bundle.sh            # build .gpu/
#   bash Tools/gpu-bundle.sh --test     # then run the bundle here in a clean environment (PoCL)
# The whole of .gpu/ is kept small enough to copy with the working tree (~52 MB with data).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-static
for product in sparse-iht iht-bench; do
  swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product"
done
# Stage in .gpu-build, ship .gpu/bundle.tar.xz (kept small for copying; the
# static binaries hold Foundation's ICU data and are ~60 MB each uncompressed, ~15 MB xz).
stage=.gpu-build
rm -rf "$stage" .gpu
mkdir -p "$stage/bin" "$stage/lib" "$stage/debs" "$stage/root" .gpu
cp "$scratch/release/sparse-iht" "$scratch/release/iht-bench" "$stage/bin/"
strip "$stage"/bin/*
(cd "$stage/debs" && apt-get download -qq ocl-icd-libopencl1 libclblast1 libopenblas0-pthread libgfortran5 libquadmath0 zlib1g libpng16-16 clblast-utils)
for deb in "$stage"/debs/*.deb; do dpkg -x "$deb" "$stage/root"; done
# CLBlast's GEMM tuner rides along (Tools/gpu-tune.sh runs it on the device).
cp "$stage/root/usr/bin/clblast_tuner_xgemm" "$stage/bin/"
# The libraries ldd names (and what they need in turn), taken from the unpacked packages.
want=$(ldd "$stage"/bin/* | awk '/=>/ {print $1}' | sort -u)
copy() {
  local name=$1 file
  file=$(find "$stage/root" -name "$name" \( -type f -o -type l \) | head -n 1)
  [ -n "$file" ] || return 0
  [ -e "$stage/lib/$name" ] && return 0
  cp -L "$file" "$stage/lib/$name"
  for dep in $(ldd "$file" 2>/dev/null | awk '/=>/ {print $1}'); do copy "$dep"; done
}
for name in $want; do copy "$name"; done
rm -rf "$stage/root" "$stage/debs"
strip --strip-unneeded "$stage"/lib/* 2>/dev/null || true
tar -C "$stage" -cf - bin lib | xz -9 -T2 > .gpu/bundle.tar.xz
cp Tools/gpu-run.sh .gpu/run && cp Tools/gpu-check.sh .gpu/check.sh && cp Tools/gpu-tune.sh .gpu/tune.sh
# Fashion-MNIST (30 MB of .gz, from the Debian package) rides along when installed, so the
# GPU machine, which reaches nothing outside, can run the real-data tasks.
fashion=/usr/share/datasets/fashion-mnist
if [ -f "$fashion/train-images-idx3-ubyte.gz" ]; then
  mkdir -p .gpu/fashion && cp "$fashion"/*-ubyte.gz .gpu/fashion/
fi
chmod +x .gpu/run .gpu/check.sh .gpu/tune.sh
echo "bundle: $(du -sh .gpu | cut -f1) in .gpu (libraries: $(ls "$stage/lib" | tr '\n' ' '))"
if [ "${1:-}" = "--test" ]; then
  echo "bundle test: clean environment, bundle libraries first"
  env -i PATH=/usr/bin:/bin HOME="$HOME" .gpu/run ldd-check
  env -i PATH=/usr/bin:/bin HOME="$HOME" .gpu/run sparse-iht devices
  env -i PATH=/usr/bin:/bin HOME="$HOME" .gpu/run sparse-iht selftest --device cpu --topk-size 65536
  if [ -d .gpu/fashion ]; then
    env -i PATH=/usr/bin:/bin HOME="$HOME" .gpu/run sparse-iht recover --task binary-mnist --dataset .gpu/fashion \
        --standardize --loss cross-entropy --inflation 1.5 --backend opencl --quiet --no-diagnostics
  fi
fi
