#!/usr/bin/env bash
# The first run (README "Set up"): installs what makes training fast, then the app, then starts
# it. 1. libopenblas-dev, which the plw-blas addon (native/plw-blas) links when npm ci builds it,
# with apt as root or through sudo; where it cannot, one line says so and the app runs on the
# slower wasm-xnnpack backend. 2. npm ci (skipped when node_modules already matches
# package-lock.json; then only the addon is rebuilt if OpenBLAS arrived after it). 3. npm start,
# with this script's arguments. The test packages stay in scripts/setup-test-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup: $*" >&2; }
fix='sudo apt-get install libopenblas-dev && npm rebuild plw-blas'
if dpkg -s libopenblas-dev >/dev/null 2>&1; then
  :
elif ! command -v apt-get >/dev/null 2>&1; then
  say "no apt-get here: install OpenBLAS (its development files) yourself, then npm rebuild plw-blas; until then training runs on wasm-xnnpack, about half as fast"
elif [[ $(id -u) -ne 0 ]] && ! { command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; }; then
  say "cannot install libopenblas-dev (not root, and no sudo): training runs on wasm-xnnpack, about half as fast; to fix: $fix"
else
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  say "installing libopenblas-dev (OpenBLAS, for the fast wasm-blas backend)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends libopenblas-dev; }; then
    say "installing libopenblas-dev failed: training runs on wasm-xnnpack, about half as fast; to fix: $fix"
  fi
fi

if [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]]; then
  if [[ ! -f native/plw-blas/build/Release/plw_blas.node ]] && dpkg -s libopenblas-dev >/dev/null 2>&1; then
    say "node_modules is up to date; building the plw-blas addon against OpenBLAS"
    npm rebuild plw-blas || say "building plw-blas failed: training runs on wasm-xnnpack"
  fi
else
  npm ci --no-audit --no-fund
fi
exec npm start -- "$@"
