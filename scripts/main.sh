#!/usr/bin/env bash
# The main job: installs what is missing, builds, runs the chapter's daisy program traced and
# opens the trace in fibertrace's viewer (Ctrl-C stops it). Extra arguments go to the viewer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${FT_BUILD_DIR:-build}
# The tests' setting is left as the folder has it: this job builds only its two targets, and
# turning tests off here would leave scripts/test.sh an old folder to reconfigure.
cmake -S . -B "$build" -DFT_BUILD_SAMPLES=ON -DFT_BUILD_BENCH=OFF >/dev/null
if [[ -f cli/CMakeLists.txt ]]; then
  cmake --build "$build" -j2 --target daisy fibertrace
  "$build/samples/daisy" > "$build/trace.out"
  exec "$build/cli/fibertrace" view "$build/trace.out" "$@"
else
  cmake --build "$build" -j2 --target daisy
  "$build/samples/daisy" > "$build/trace.out"
fi
