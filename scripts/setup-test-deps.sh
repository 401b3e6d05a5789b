#!/usr/bin/env bash
# Installs the system packages the test suite drives for real (only those still missing).
# Debian's packages only: the project never downloads a browser of its own.
set -euo pipefail
# chromium: the browser end-to-end tests (driven by playwright-core, never a downloaded browser);
# fonts-dejavu-core: readable text in its screenshots; librsvg2-bin: SVG figures to PNG;
# libopenblas-dev: the plw-blas addon (native/plw-blas) links it when npm ci builds it;
# redis-server: the queue tests start their own server (never the system service).
need=(chromium fonts-dejavu-core librsvg2-bin libopenblas-dev redis-server)
for pkg in "$@"; do need+=("$pkg"); done
missing=()
for pkg in "${need[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
