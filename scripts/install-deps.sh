#!/usr/bin/env bash
# Installs everything Loom needs to build and test on Debian 12 (bookworm).
# Idempotent: packages already present are left alone, and apt is not even
# consulted when nothing is missing. Run as root, or with sudo available.
#
#   scripts/install-deps.sh            # build + test dependencies
#   LOOM_DEPS_EXTRA="pkg ..." scripts/install-deps.sh   # plus extra packages
set -euo pipefail

LLVM_VERSION=22
PACKAGES=(
  # Toolchain and build system.
  g++ cmake ninja-build ccache git python3
  # LLVM/MLIR 22.1 from Debian: headers, CMake config, libMLIR.so, mlir-opt,
  # FileCheck, lit, tblgen.
  "libmlir-${LLVM_VERSION}-dev" "mlir-${LLVM_VERSION}-tools"
  "llvm-${LLVM_VERSION}-dev" "llvm-${LLVM_VERSION}-tools"
  # ONNX frontend: protobuf classes of ONNX 1.12 (protobuf 3.21), and protoc,
  # which the tests use to write models from text.
  libonnx-dev libprotobuf-dev protobuf-compiler
  # CPU kernel library: oneDNN computes convolutions and matrix products
  # (docs/kernel-library.md); compiled models link it and OpenMP.
  # dnnl-config.cmake looks for OpenCL (Debian's oneDNN is built with its
  # OpenCL GPU runtime), a package apt only recommends.
  libdnnl-dev ocl-icd-opencl-dev
  # Collectives between the ranks of a distributed model: Gloo (TCP); the
  # tests also start ranks with OpenMPI's mpirun.
  libgloo-dev openmpi-bin
  # Tests: gtest, and the ONNX backend node-test models; Graphviz renders
  # the SBP plans loomc --explain-sbp writes.
  libgtest-dev libonnx-testdata graphviz
  # Real models for tests and benchmarks, exported by Debian's PyTorch 1.13
  # (/usr/bin/python3; benchmarks/models/export_torch_models.py).
  python3-torch python3-torchvision
)
# shellcheck disable=SC2206
PACKAGES+=(${LOOM_DEPS_EXTRA:-})

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

# ONNX Runtime 1.30, the peer the benchmarks and the dynamic suite's
# traced-export check run (through Node.js: Debian has no onnxruntime for
# Python). Its install script downloads, so --ignore-scripts; the npm
# package carries the binaries. Best effort: without it, the tests that need
# it report UNSUPPORTED.
install_onnxruntime() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/benchmarks/.node"
  if [ -d "$dir/node_modules/onnxruntime-node" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: no npm; skipping onnxruntime-node" >&2
    return 0
  fi
  echo "install-deps: installing onnxruntime-node@1.30.0 into $dir"
  mkdir -p "$dir"
  npm install --ignore-scripts --no-audit --no-fund --prefix "$dir" \
    onnxruntime-node@1.30.0 >/dev/null ||
    echo "install-deps: npm install onnxruntime-node failed; skipping" >&2
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  install_onnxruntime
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
install_onnxruntime
