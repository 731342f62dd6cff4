#!/usr/bin/env bash
# Builds the ONNX importer's libFuzzer target with clang-22, ASan and UBSan in
# build-fuzz/, and runs it from the committed seed corpus for the given number
# of seconds (default 600). Crashing inputs land in build-fuzz/crashes/ and
# are not to be committed: fix the importer and add a lit test instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds="${1:-600}"
LOOM_DEPS_EXTRA="clang-22 libclang-rt-22-dev" "$root/scripts/install-deps.sh"
build="$root/build-fuzz"
cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DLOOM_ENABLE_FUZZERS=ON -DLOOM_SANITIZERS=address,undefined \
  -DBUILD_TESTING=OFF
cmake --build "$build" --target loom-onnx-import-fuzzer
mkdir -p "$build/crashes" "$build/corpus"
cd "$build"
ASAN_OPTIONS=detect_leaks=1 ./bin/loom-onnx-import-fuzzer \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix="$build/crashes/" -print_final_stats=1 \
  "$build/corpus" "$root/test/fuzz/corpus"
