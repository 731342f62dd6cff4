#!/usr/bin/env bash
# Configures (once) and builds Loom into build/ with Ninja, in Release unless
# LOOM_BUILD_TYPE says otherwise. Extra arguments go to the CMake configure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${LOOM_BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE="${LOOM_BUILD_TYPE:-Release}" "$@"
fi
cmake --build "$build"
