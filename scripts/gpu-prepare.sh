#!/usr/bin/env bash
# Prepares what scripts/gpu-check.sh runs on the GPU machine, which has no
# MLIR and no package registry: the real models and the dynamic suite
# compiled here with `loomc --target=cuda`, their inputs, and the CPU
# build's outputs to compare against, in gpu-artefacts/ (carry it with the
# device tool: `carry: ["gpu-artefacts"]`, under its 64 MiB).
#
#   scripts/gpu-prepare.sh [OUT]     # default: gpu-artefacts
#
# Weights travel in each model's safetensors file (checksum-checked at
# load); the largest models are left out when they would not fit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${LOOM_BUILD_DIR:-$root/build}"
out="${1:-$root/gpu-artefacts}"
loomc="$build/bin/loomc"
work="$out/.work"
rm -rf "$out" && mkdir -p "$out" "$work"
/usr/bin/python3 "$root/benchmarks/models/export_torch_models.py" "$work" \
  --opset 13 --models resnet18 mobilenet_v2 squeezenet1_1 \
  transformer_encoder_layer mlp > /dev/null 2>&1
/usr/bin/python3 "$root/benchmarks/models/dynamic/export_dynamic_models.py" \
  "$work/dynamic" --models act sdn skipnet blockdrop captioner > /dev/null 2>&1
/usr/bin/python3 - "$work" <<'PY'
import numpy as np, sys
rng = np.random.default_rng(1)
shapes = {"resnet18": (1, 3, 224, 224), "mobilenet_v2": (1, 3, 224, 224),
          "squeezenet1_1": (1, 3, 224, 224), "mlp": (8, 256),
          "transformer_encoder_layer": (16, 2, 64)}
for name, shape in shapes.items():
    np.save(f"{sys.argv[1]}/{name}-input.npy",
            rng.standard_normal(shape).astype(np.float32))
PY
models=()
for name in resnet18 mobilenet_v2 squeezenet1_1 transformer_encoder_layer mlp; do
  shape=$(/usr/bin/python3 -c "import numpy as np; print('x'.join(map(str, np.load('$work/$name-input.npy').shape)))")
  "$loomc" "$work/$name-opset13.onnx" --input-shape "input:$shape" -o "$work/$name-cpu"
  "$work/$name-cpu" --input "$work/$name-input.npy" --output "$out/$name-cpu.npy"
  "$loomc" "$work/$name-opset13.onnx" --input-shape "input:$shape" --target=cuda -o "$out/$name"
  cp "$work/$name-input.npy" "$out/"
  models+=("$name")
done
for name in act sdn skipnet blockdrop captioner; do
  d="$work/dynamic/$name"
  "$loomc" "$d/model.onnx" --target=cuda -o "$out/$name"
  cp "$d/in0.npy" "$out/$name-input.npy"
  for i in 0 1; do cp "$d/out0_$i.npy" "$out/$name-cpu-$i.npy"; done
  models+=("$name")
done
rm -rf "$work"
# What the device tool carries is 64 MiB in all: the models with the
# largest weights stay here (named in left-out.txt) until it fits.
budget=$((60 * 1024 * 1024))
left=()
while [ "$(du -sb "$out" | cut -f1)" -gt "$budget" ]; do
  biggest=$(for m in "${models[@]}"; do
    echo "$(stat -c %s "$out/$m.safetensors" 2>/dev/null || echo 0) $m"; done |
    sort -n | tail -1 | cut -d' ' -f2)
  rm -f "$out/$biggest" "$out/$biggest".* "$out/$biggest"-*
  left+=("$biggest")
  kept=()
  for m in "${models[@]}"; do [ "$m" = "$biggest" ] || kept+=("$m"); done
  models=("${kept[@]}")
done
echo "${models[@]}" > "$out/models.txt"
[ ${#left[@]} -gt 0 ] && echo "${left[@]}" > "$out/left-out.txt"
du -sh "$out"
