#!/usr/bin/env bash
# Installs the dependencies, builds Loom twice and runs every test through
# ctest (lit as a few tests, each gtest case as one). ctest's summary ends
# the output.
#
#   build/           the ordinary build: the whole suite;
#   build-sanitize/  LOOM_SANITIZERS=address,undefined with scope `runtime`
#                    (the runtime libraries, loom-run and the runtime's tests
#                    instrumented; the compiler as in build/, from ccache):
#                    the sanitized subset, with compiled models instrumented
#                    too, run by build/'s ctest (lit-sanitized,
#                    onnx-node-conformance-sanitized,
#                    runtime-unittests-sanitized).
#
# scripts/sanitize.sh instruments everything and runs the whole suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build="${LOOM_BUILD_DIR:-$root/build}"
sanitized="${LOOM_SANITIZED_BUILD_DIR:-$root/build-sanitize}"
LOOM_BUILD_DIR="$sanitized" LOOM_BUILD_TARGETS=loom-test-deps \
  "$root/scripts/build.sh" -DLOOM_SANITIZERS=address,undefined \
  -DLOOM_SANITIZE_SCOPE=runtime
LOOM_BUILD_DIR="$build" "$root/scripts/build.sh" \
  -DLOOM_SANITIZED_BUILD_DIR="$sanitized"
exec ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
