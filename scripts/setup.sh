#!/usr/bin/env bash
# Installs what fibertrace needs on Debian 12 (as root), only what is missing. Idempotent.
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --bench    also Go, for the side-by-side benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(cmake g++ make git python3 pkg-config
      libboost-context-dev libboost-dev libboost-program-options-dev
      nlohmann-json3-dev catch2 zlib1g-dev libdw-dev chromium protobuf-compiler clang
      golang-1.19-src)  # the classic trace viewer Go 1.19 ships: the JSON import test
# Node and npm may come from elsewhere than Debian (e.g. a nodesource build that bundles npm):
# any working `node` and `npm` will do.
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
[[ "${1:-}" == "--bench" ]] && pkgs+=(golang-go time)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core drives Debian's chromium in the browser tests (never a downloaded browser).
if [[ -f test/browser/package.json && ! -d test/browser/node_modules/playwright-core ]]; then
  echo "setup: npm install (test/browser)"
  (cd test/browser && npm install --no-audit --no-fund --silent)
fi
