#!/usr/bin/env bash
# Installs what is missing, builds everything (plus the ASan+UBSan and TSan variants) and runs
# every test through CTest. Used as-is by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${FT_BUILD_DIR:-build}
cmake -S . -B "$build" -DFT_SANITIZER_BUILDS=ON -DFT_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j2
ctest --test-dir "$build" -j2 --output-on-failure
