#!/usr/bin/env bash
# Prepares what scripts/gpu-check.sh runs on the GPU machine, which has no
# MLIR and no package registry: the real models and the dynamic suite
# compiled here with `loomc --target=cuda`, their inputs, and the CPU
# build's outputs to compare against, in gpu-artefacts/ (carry it with the
# device tool: `carry: ["gpu-artefacts"]`, under its 64 MiB).
#
#   scripts/gpu-prepare.sh [OUT]     # default: gpu-artefacts
#
# Weights: a model's safetensors file travels as it is when small; a large
# one (ResNet-18's 47 MB, ResNet-50's 100 MB, the BERT-size layer's 28 MB)
# is rewritten here with seeded values (scripts/seeded_weights.py: each
# tensor's mean and deviation kept), the CPU reference is computed with
# them, and only the manifest travels: gpu-check.sh regenerates the file
# there and checks its SHA-256 before it runs the model.
#
# Kernel by kernel: NAME-calls artefacts (--cuda-graphs=off, the same
# weights as NAME, linked there too) for the dynamic suite and the small
# static models, which gpu_bench.py times against the graphs of NAME; for
# the dynamic suite also NAME-static (--cuda-graphs=static: graphs of the
# static regions, decisions on the host), against NAME's conditional nodes.
#
# Batch 32: NAME-b32 artefacts (compiled for a batch of 32, the same
# weights as NAME: gpu-check.sh links NAME's file for them) and
# NAME-b32.shape, the input shape gpu_bench.py times them on.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${LOOM_BUILD_DIR:-$root/build}"
out="${1:-$root/gpu-artefacts}"
loomc="$build/bin/loomc"
python=/usr/bin/python3
work="$out/.work"
rm -rf "$out" && mkdir -p "$out" "$work"
real=(resnet18 resnet50 mobilenet_v2 squeezenet1_1 transformer_encoder_layer
      bert_encoder_layer mlp)
dynamic=(act sdn skipnet blockdrop captioner)
"$python" "$root/benchmarks/models/export_torch_models.py" "$work" \
  --opset 13 --models "${real[@]}" --dynamic-batch > /dev/null 2>&1
"$python" "$root/benchmarks/models/dynamic/export_dynamic_models.py" \
  "$work/dynamic" --models "${dynamic[@]}" > /dev/null 2>&1
# Each model's input at batch 1, and the batch-32 shape where it is timed.
"$python" - "$work" <<'PY'
import numpy as np, sys
rng = np.random.default_rng(1)
shapes = {"resnet18": (1, 3, 224, 224), "resnet50": (1, 3, 224, 224),
          "mobilenet_v2": (1, 3, 224, 224), "squeezenet1_1": (1, 3, 224, 224),
          "mlp": (8, 256), "transformer_encoder_layer": (16, 2, 64),
          "bert_encoder_layer": (128, 1, 768)}
batch32 = {"resnet18": (32, 3, 224, 224), "resnet50": (32, 3, 224, 224),
           "mobilenet_v2": (32, 3, 224, 224),
           "bert_encoder_layer": (128, 32, 768)}
for name, shape in shapes.items():
    np.save(f"{sys.argv[1]}/{name}-input.npy",
            rng.standard_normal(shape).astype(np.float32))
for name, shape in batch32.items():
    open(f"{sys.argv[1]}/{name}-b32.shape", "w").write("x".join(map(str, shape)))
PY
seed_above=$((4 * 1024 * 1024))
models=()
for name in "${real[@]}"; do
  shape=$("$python" -c "import numpy as np; print('x'.join(map(str, np.load('$work/$name-input.npy').shape)))")
  "$loomc" "$work/$name-opset13.onnx" --input-shape "input:$shape" -o "$work/$name-cpu"
  "$loomc" "$work/$name-opset13.onnx" --input-shape "input:$shape" --target=cuda -o "$out/$name"
  weights=()
  if [ "$(stat -c %s "$out/$name.safetensors")" -gt "$seed_above" ]; then
    "$python" "$root/scripts/seeded_weights.py" make "$out/$name.safetensors" \
      "$work/$name-seeded.safetensors" "$out/$name.weights.json" > /dev/null
    rm "$out/$name.safetensors"
    weights=(--weights "$work/$name-seeded.safetensors")
  fi
  "$work/$name-cpu" --input "$work/$name-input.npy" --output "$out/$name-cpu.npy" \
    "${weights[@]}"
  cp "$work/$name-input.npy" "$out/"
  if [ -f "$work/$name-b32.shape" ]; then
    "$loomc" "$work/$name-opset13.onnx" --input-shape "input:$(cat "$work/$name-b32.shape")" \
      --target=cuda -o "$out/$name-b32"
    rm "$out/$name-b32.safetensors" # NAME's, linked there
    cp "$work/$name-b32.shape" "$out/"
  fi
  case "$name" in
    mlp|transformer_encoder_layer|squeezenet1_1|resnet18)
      "$loomc" "$work/$name-opset13.onnx" --input-shape "input:$shape" \
        --target=cuda --cuda-graphs=off -o "$out/$name-calls"
      rm "$out/$name-calls.safetensors" ;;
  esac
  models+=("$name")
done
for name in "${dynamic[@]}"; do
  d="$work/dynamic/$name"
  "$loomc" "$d/model.onnx" --target=cuda -o "$out/$name"
  "$loomc" "$d/model.onnx" --target=cuda --cuda-graphs=off -o "$out/$name-calls"
  rm "$out/$name-calls.safetensors"
  "$loomc" "$d/model.onnx" --target=cuda --cuda-graphs=static -o "$out/$name-static"
  rm "$out/$name-static.safetensors"
  cp "$d/in0.npy" "$out/$name-input.npy"
  for i in 0 1; do cp "$d/out0_$i.npy" "$out/$name-cpu-$i.npy"; done
  models+=("$name")
done
rm -rf "$work"
# The models whose latency the issue sets goals for go first in the
# benchmark, which gpu-check.sh caps in time.
echo resnet50 bert_encoder_layer "${dynamic[@]}" resnet18 mobilenet_v2 \
  squeezenet1_1 transformer_encoder_layer mlp > "$out/bench.txt"
# What the device tool carries is 64 MiB in all: were it over, the models
# with the largest files would stay here, named in left-out.txt.
budget=$((60 * 1024 * 1024))
left=()
while [ "$(du -sb "$out" | cut -f1)" -gt "$budget" ]; do
  biggest=$(for m in "${models[@]}"; do
    echo "$(cat "$out/$m"* 2>/dev/null | wc -c) $m"; done |
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
