#!/usr/bin/env bash
# Installs what is missing, builds everything (plus the ASan+UBSan and TSan variants) and runs
# every test through CTest. Used as-is by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${FT_BUILD_DIR:-build}
# Every option the tests need is said here, not taken from the cache: scripts/main.sh (or anyone)
# may have configured this folder differently, and a cached FT_BUILD_TESTS=OFF once left CTest
# running an old folder's stale test list and binaries ("100% passed" with a failing test).
cmake -S . -B "$build" -DFT_BUILD_TESTS=ON -DFT_BUILD_SAMPLES=ON -DFT_SANITIZER_BUILDS=ON \
  -DFT_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j2
# The project must also build with clang (libraries, server, CLI; the tests stay GCC's to keep
# CI short): its own folder, so the two compilers never share a cache.
clang_build="$build-clang"
CC=clang CXX=clang++ cmake -S . -B "$clang_build" -DFT_BUILD_TESTS=OFF -DFT_BUILD_SAMPLES=OFF \
  -DFT_BUILD_BENCH=OFF >/dev/null
cmake --build "$clang_build" -j2 --target fibertrace
"$build/samples/daisy" 3 > "$clang_build/daisy.trace" 2>/dev/null
"$clang_build/cli/fibertrace" stats "$clang_build/daisy.trace" >/dev/null
echo "clang build: fibertrace built with clang++ and read a daisy trace"
# No test found is a failure, not a green run.
ctest --test-dir "$build" -j2 --output-on-failure --no-tests=error
