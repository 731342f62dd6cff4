#!/usr/bin/env bash
# Builds a libFuzzer target with clang-22, ASan and UBSan in build-fuzz/ and
# runs it for the given number of seconds (default 600):
#
#   scripts/fuzz.sh onnx-import [SECONDS]     the ONNX importer
#   scripts/fuzz.sh tensor-reader [SECONDS]   the runtime's .npy/.pb readers
#   scripts/fuzz.sh model [SECONDS]           instrumented compiled models
#                                             (data-dependent indexing,
#                                             reshapes, broadcasting), each
#                                             for SECONDS
#
# Crashing inputs land in build-fuzz/crashes/ and are not to be committed:
# fix the cause and add a lit test instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target="${1:-onnx-import}"
seconds="${2:-600}"
LOOM_DEPS_EXTRA="clang-22 libclang-rt-22-dev libomp-22-dev" "$root/scripts/install-deps.sh"
build="$root/build-fuzz"
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DLOOM_ENABLE_FUZZERS=ON -DLOOM_SANITIZERS=address,undefined \
  -DBUILD_TESTING=OFF >/dev/null
mkdir -p "$build/crashes"
run() { # FUZZER CORPUS [SEEDS...]
  local fuzzer=$1 corpus=$2
  shift 2
  mkdir -p "$corpus"
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$build/bin/$fuzzer" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$build/crashes/" -print_final_stats=1 "$corpus" "$@"
}
case "$target" in
onnx-import)
  cmake --build "$build" --target loom-onnx-import-fuzzer
  run loom-onnx-import-fuzzer "$build/corpus" "$root/test/fuzz/corpus"
  ;;
tensor-reader)
  cmake --build "$build" --target loom-tensor-reader-fuzzer
  # Seeds: the committed tensors (.pb: first byte odd) and .npy files.
  seeds="$build/tensor-seeds"
  mkdir -p "$seeds"
  for f in "$root"/test/tools/loomc/Inputs/x-*.pbtxt; do
    { printf '\001'; protoc --encode=onnx.TensorProto -I/usr/include \
      /usr/include/onnx/onnx.proto < "$f"; } > "$seeds/$(basename "$f" .pbtxt).pb"
  done
  /usr/bin/python3 - "$seeds" <<'PY'
import io, sys
import numpy as np
for name, array in {"f32": np.arange(6, dtype=np.float32).reshape(2, 3),
                    "i64": np.array([1, -2, 3]), "bool": np.array([True])}.items():
    buffer = io.BytesIO()
    np.save(buffer, array)
    open(f"{sys.argv[1]}/{name}.npy", "wb").write(b"\0" + buffer.getvalue())
PY
  run loom-tensor-reader-fuzzer "$build/tensor-corpus" "$seeds"
  ;;
model)
  # The models are compiled by the ordinary build's loomc, instrumented,
  # and linked by clang so that the fuzzer's ASan runtime serves them.
  "$root/scripts/build.sh"
  cmake --build "$build" --target loom-model-fuzzer
  models="$build/models"
  mkdir -p "$models"
  make_model="/usr/bin/python3 $root/test/runtime/make_model.py"
  encode="protoc --encode=onnx.ModelProto -I/usr/include /usr/include/onnx/onnx.proto"
  $make_model Gather --in x:f32:n,3 --in i:i64:k --out y:f32:k,3 | $encode > "$models/gather.onnx"
  $make_model GatherElements --in x:f32:n,m --in i:i64:n,k --out y:f32:n,k --attr axis=1 | $encode > "$models/gather-elements.onnx"
  $make_model ScatterElements --in x:f32:n,3 --in i:i64:1,2 --in u:f32:1,2 --out y:f32:n,3 --attr axis=1 | $encode > "$models/scatter-elements.onnx"
  $make_model Add --in a:f32:n,m --in b:f32:p --out y:f32:?,? | $encode > "$models/add.onnx"
  $make_model MatMul --in a:f32:m,k --in b:f32:j,n --out y:f32:m,n | $encode > "$models/matmul.onnx"
  $make_model Reshape --in x:f32:n,3 --init s:i64:2:2,3 --out y:f32:2,3 | $encode > "$models/reshape.onnx"
  $make_model Concat --in a:f32:n,m --in b:f32:p,q --out y:f32:?,? --attr axis=0 | $encode > "$models/concat.onnx"
  $make_model Div --in a:i32:n --in b:i32:m --out y:i32:? | $encode > "$models/div.onnx"
  $make_model ConstantOfShape --in s:i64:2 --out y:f32:?,? | $encode > "$models/constant-of-shape.onnx"
  for model in "$models"/*.onnx; do
    name=$(basename "$model" .onnx)
    # LOOM_FUZZ_MODELS="gather div": only these.
    case " ${LOOM_FUZZ_MODELS:-$name} " in *" $name "*) ;; *) continue ;; esac
    LOOM_LINKER=clang++-22 "$root/build/bin/loomc" "$model" --emit=lib \
      --sanitize=address,undefined -o "$models/$name.so"
    echo "fuzz.sh: $name"
    # A model may ask for any size its inputs give (ConstantOfShape):
    # allocations over 2 GiB fail (the runtime then reports out of memory)
    # rather than counting as findings.
    LOOM_FUZZ_MODEL="$models/$name.so" \
      ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=2048 \
      run loom-model-fuzzer "$build/model-corpus/$name"
  done
  ;;
*)
  echo "fuzz.sh: unknown target '$target' (onnx-import, tensor-reader, model)" >&2
  exit 2
  ;;
esac
