#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs the dependencies, builds
# Loom, and compiles the shipped example model with it.
#
# Until `loomc` lands, the example is examples/mlp.mlir (the graph-dialect form
# of a small MLP) and "compiling" it is Loom's pipeline in loom-opt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build="${LOOM_BUILD_DIR:-$root/build}"
echo "== examples/mlp.mlir through loom-compile (weights elided) =="
"$build/bin/loom-opt" "$root/examples/mlp.mlir" \
  -p 'builtin.module(loom-compile)' --mlir-elide-resource-strings-if-larger=16
