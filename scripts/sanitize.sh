#!/usr/bin/env bash
# Builds Loom with LOOM_SANITIZERS=address,undefined into build-sanitize/ (the
# compiler, the runtime and every tool instrumented) and runs the whole suite
# there with the compiled models instrumented too (loomc --sanitize, through
# LOOM_TEST_SANITIZE). Too long for CI on 2 cores (a second full build); CI
# runs the named subset instead: ctest's lit-sanitized and
# onnx-node-conformance-sanitized tests in the ordinary build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build="$root/build-sanitize"
LOOM_BUILD_DIR="$build" LOOM_BUILD_TYPE=RelWithDebInfo "$root/scripts/build.sh" \
  -DLOOM_SANITIZERS=address,undefined
export LOOM_TEST_SANITIZE=address,undefined
exec ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
