#!/usr/bin/env bash
# Installs the system packages the test suite drives for real (only those still missing).
# Debian's packages only: the project never downloads a browser of its own.
set -euo pipefail
# chromium: the browser end-to-end tests (driven by playwright-core, never a downloaded browser),
#   and SwiftShader, its software Vulkan driver (vk_swiftshader_icd.json), on which the webgpu
#   backend tests run without a GPU (test/backend/webgpu-env.ts);
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

# The Python test environment of the external-engine tests (test/external/): one venv,
# .venv-test/ (git-ignored), on Debian's /usr/bin/python3 with --system-site-packages so that
# torch is Debian's python3-torch 1.13.1 (CPU, ~100 MB of packages) rather than a PyPI wheel
# (those bring GBs of CUDA libraries). Every other package is pinned in
# scripts/python-test-requirements.txt and installed with --no-deps, so pip never pulls a torch
# of its own. Quick when already there: a stamp holds the requirements' hash. The app never
# needs Python. PLW_SKIP_PYTHON=1 skips this part.
if [[ ${PLW_SKIP_PYTHON:-} != 1 ]]; then
  cd "$(dirname "$0")/.."
  py_need=(python3 python3-venv python3-pip python3-torch python3-numpy)
  py_missing=()
  for pkg in "${py_need[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || py_missing+=("$pkg")
  done
  if ((${#py_missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${py_missing[@]}"
  fi
  req=scripts/python-test-requirements.txt
  stamp=.venv-test/.requirements.sha256
  want=$(sha256sum "$req" | cut -d' ' -f1)
  if [[ ! -x .venv-test/bin/python || ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    [[ -x .venv-test/bin/python ]] || /usr/bin/python3 -m venv --system-site-packages .venv-test
    .venv-test/bin/pip install -q --disable-pip-version-check --no-deps -r "$req"
    .venv-test/bin/python -c 'import torch, transformers, lm_eval' # fails loudly if broken
    echo "$want" >"$stamp"
  fi
fi
