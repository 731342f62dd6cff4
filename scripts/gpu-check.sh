#!/usr/bin/env bash
# The one script the GPU machine runs (docs/cuda.md), on what
# scripts/gpu-prepare.sh made here and the device tool carried: device
# information, then every model on the GPU against its CPU output
# (relative L2 error < 1e-4: a gate), then each model's latency. Under 8
# minutes; `GPU_CHECK_DEVICE=emulated` runs it here on the emulated device
# (no figure from that is a GPU figure).
#
#   scripts/gpu-check.sh [DIR]      # default: gpu-artefacts
#   PYTHON=/usr/bin/python3 GPU_CHECK_DEVICE=emulated scripts/gpu-check.sh DIR
set -uo pipefail
dir="${1:-gpu-artefacts}"
export LOOM_DEVICE="${GPU_CHECK_DEVICE:-cuda}"
python="${PYTHON:-python3}"
echo "== device"
if [ "$LOOM_DEVICE" != emulated ]; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap \
    --format=csv || echo "nvidia-smi failed"
fi
"$python" -c "import numpy" 2>/dev/null || { echo "no numpy in $python"; exit 1; }
[ -f "$dir/left-out.txt" ] && echo "left out (too large to carry): $(cat "$dir/left-out.txt")"
failed=0
echo "== weights"
# Large weights travel as a manifest (scripts/seeded_weights.py): regenerated
# here, refused unless their SHA-256 is the manifest's.
for manifest in "$dir"/*.weights.json; do
  [ -e "$manifest" ] || continue
  name=$(basename "$manifest" .weights.json)
  if ! "$python" "$(dirname "$0")/seeded_weights.py" regen "$manifest" \
      "$dir/$name.safetensors"; then
    echo "$name: FAILED: its weights do not regenerate"
    failed=1
  fi
done
# A batch-32 or kernel-by-kernel artefact runs on its model's weights.
for name in $(cat "$dir/models.txt"); do
  for variant in b32 calls static; do
    [ -e "$dir/$name-$variant" ] || continue
    ln -f "$dir/$name.safetensors" "$dir/$name-$variant.safetensors" 2>/dev/null ||
      cp "$dir/$name.safetensors" "$dir/$name-$variant.safetensors"
  done
done
echo "== correctness (relative L2 error against the CPU build)"
for name in $(cat "$dir/models.txt"); do
  outs=()
  if [ -f "$dir/$name-cpu.npy" ]; then
    outs=(--output "$dir/$name-gpu.npy")
  else
    outs=(--output "$dir/$name-gpu-0.npy" --output "$dir/$name-gpu-1.npy")
  fi
  if ! LOOM_GPU_STATS=1 timeout 120 "$dir/$name" --input "$dir/$name-input.npy" \
      "${outs[@]}" > "$dir/$name.log" 2>&1; then
    echo "$name: FAILED: $(tail -1 "$dir/$name.log")"
    failed=1
    continue
  fi
  grep "CUDA graphs" "$dir/$name.log" | sed "s/^/$name: /"
  "$python" - "$dir" "$name" <<'PY' || failed=1
import numpy as np, os, sys
d, name = sys.argv[1], sys.argv[2]
pairs = ([(f"{name}-gpu.npy", f"{name}-cpu.npy")] if os.path.exists(f"{d}/{name}-cpu.npy")
         else [(f"{name}-gpu-{i}.npy", f"{name}-cpu-{i}.npy") for i in (0, 1)])
worst = 0.0
for got, ref in pairs:
    g = np.load(f"{d}/{got}").astype(np.float64)
    r = np.load(f"{d}/{ref}").astype(np.float64)
    if g.shape != r.shape:
        print(f"{name}: FAILED: shape {g.shape}, expected {r.shape}"); sys.exit(1)
    norm = np.linalg.norm(r)
    worst = max(worst, float(np.linalg.norm(g - r) / norm) if norm else float(np.abs(g).max()))
ok = worst < 1e-4
print(f"{name}: relative L2 error {worst:.2e}" + ("" if ok else " FAILED"))
sys.exit(0 if ok else 1)
PY
done
runs=50
[ "$LOOM_DEVICE" = emulated ] && runs=1
echo "== latency (median of $runs runs after warm-up)"
for name in $(cat "$dir/models.txt"); do
  timeout 120 "$dir/$name" --input "$dir/$name-input.npy" --bench $runs 2>&1 |
    tail -1 | sed "s/^/$name: /"
  [ -e "$dir/$name-calls" ] &&
    timeout 120 "$dir/$name-calls" --input "$dir/$name-input.npy" --bench $runs 2>&1 |
      tail -1 | sed "s/^/$name (kernel by kernel): /"
  [ -e "$dir/$name-static" ] &&
    timeout 120 "$dir/$name-static" --input "$dir/$name-input.npy" --bench $runs 2>&1 |
      tail -1 | sed "s/^/$name (decisions on the host): /"
done
# Loom against PyTorch eager and torch.compile on the same GPU
# (benchmarks/gpu_bench.py), capped so that the script stays under 8 minutes;
# rows print as they finish.
echo "== against PyTorch (benchmarks/gpu_bench.py)"
bench=(--artefacts "$dir" --runs 20 --compile-budget 60)
[ "$LOOM_DEVICE" = emulated ] && bench+=(--dry-run --modes eager --runs 3 --batches 1)
timeout "${GPU_BENCH_SECONDS:-300}" "$python" \
  "$(dirname "$0")/../benchmarks/gpu_bench.py" "${bench[@]}" ||
  echo "gpu_bench.py stopped (exit $?)"
[ $failed = 0 ] && echo "== all models match their CPU outputs" ||
  echo "== CORRECTNESS FAILED"
exit $failed
