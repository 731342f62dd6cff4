#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs the dependencies, builds
# Loom, compiles the shipped example ONNX model (examples/mlp.pbtxt, a small
# MLP in protobuf text form) into a native executable, and runs it on the
# shipped input, checking the result against NumPy's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build="${LOOM_BUILD_DIR:-$root/build}"
out="$build/examples"
mkdir -p "$out"
encode() { protoc --encode="onnx.$1" -I/usr/include onnx/onnx.proto; }
encode ModelProto < "$root/examples/mlp.pbtxt" > "$out/mlp.onnx"
encode TensorProto < "$root/examples/mlp-input.pbtxt" > "$out/mlp-input.pb"
encode TensorProto < "$root/examples/mlp-expected.pbtxt" > "$out/mlp-expected.pb"

echo "== loomc examples/mlp.onnx -o mlp =="
"$build/bin/loomc" "$out/mlp.onnx" -o "$out/mlp" -v
"$out/mlp" --info
echo "== ./mlp --input mlp-input.pb --output logits.npy =="
"$out/mlp" --input "$out/mlp-input.pb" --output "$out/logits.npy" --print
"$out/mlp" --input "$out/mlp-input.pb" --bench 100 --threads 1
"$build/bin/loomc" "$out/mlp.onnx" --emit=lib -o "$out/mlp.so"
"$build/bin/loom-run" "$out/mlp.so" --input "$out/mlp-input.pb" \
  --expect "$out/logits.npy" --expect "$out/mlp-expected.pb" --atol 1e-5
echo "== the logits match NumPy's (examples/mlp-expected.pbtxt) =="
