#!/usr/bin/env bash
# Builds Loom with LOOM_SANITIZERS=address,undefined into build-sanitize-all/
# (the compiler, the runtime and every tool instrumented) and runs the whole
# suite there with the compiled models instrumented too (loomc --sanitize,
# through LOOM_TEST_SANITIZE). A second full build of the compiler does not
# fit CI on 2 cores: scripts/test.sh runs the named subset in
# build-sanitize/, with the runtime instrumented and the compiler not.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build="$root/build-sanitize-all"
LOOM_BUILD_DIR="$build" LOOM_BUILD_TYPE=RelWithDebInfo "$root/scripts/build.sh" \
  -DLOOM_SANITIZERS=address,undefined -DLOOM_SANITIZE_SCOPE=all
export LOOM_TEST_SANITIZE=address,undefined
exec ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
