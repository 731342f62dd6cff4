#!/usr/bin/env bash
# Configures (once) and builds Loom into build/ with Ninja, in Release unless
# LOOM_BUILD_TYPE says otherwise. Extra arguments go to the CMake configure;
# LOOM_BUILD_TARGETS="a b" builds only those targets.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="${LOOM_BUILD_DIR:-$root/build}"
# Paths relative to the checkout in ccache's keys: build folders side by
# side (build/, build-sanitize/) share the objects they compile alike.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
if [ ! -f "$build/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE="${LOOM_BUILD_TYPE:-Release}" "$@"
fi
targets=()
for target in ${LOOM_BUILD_TARGETS:-}; do targets+=(--target "$target"); done
cmake --build "$build" "${targets[@]}"
