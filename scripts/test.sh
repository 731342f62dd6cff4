#!/usr/bin/env bash
# Installs the dependencies, builds Loom, and runs every test through ctest
# (lit as one test, each gtest case as one). ctest's summary ends the output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
build="${LOOM_BUILD_DIR:-$root/build}"
exec ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
