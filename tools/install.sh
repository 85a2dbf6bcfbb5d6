#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine: Debian's chromium
# (browser tests drive it through Playwright; no browser download is possible), Debian's
# prometheus (the fleet tests start a real server on loopback) and two
# environments:
#   .venv        the package with its test extras on today's releases (python3 by default,
#                or $PYTHON)
#   .venv-colab  Colab's runtime stack: pyenv's Python 3.13 (3.12 as a fallback), and every
#                package Colab ships held at Colab's version by tools/colab/pip-freeze.txt
#                (pip's -c), plus the package and the test tools Colab lacks.
# Safe and quick to run again: an environment whose inputs did not change is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

# The server only: the fleet tests run it by hand with a temp config; its service stays off.
if ! command -v prometheus >/dev/null && [ ! -x /usr/bin/prometheus ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# A stamp of what an environment was built from (pyproject.toml, this script, and for
# .venv-colab the pins). When it matches, pip is not run at all: a no-op `pip install -e` still
# costs seconds of resolving.
inputs_digest() {  # venv
  local inputs=(pyproject.toml tools/install.sh)
  [ "$1" = .venv-colab ] && inputs+=(tools/colab/pip-freeze.txt)
  cat "${inputs[@]}" | sha256sum | cut -d' ' -f1
}

up_to_date() {  # venv
  [ -x "$1/bin/python" ] && [ "$(cat "$1/.installed-from" 2>/dev/null)" = "$(inputs_digest "$1")" ]
}

PY=${PYTHON:-python3}
if ! up_to_date .venv; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test,kaggle,fsspec]"
  inputs_digest .venv > .venv/.installed-from
fi

# Colab's Python: the runtime image of 2026-08 runs 3.13, the one before it (2026.07) 3.12.
# pyenv's builds first (newest patch release), then one on PATH.
colab_python() {
  local root=${PYENV_ROOT:-$HOME/.pyenv} minor candidate
  for minor in 3.13 3.12; do
    for candidate in $(ls -d "$root/versions/$minor".* 2>/dev/null | sort -V -r); do
      if [ -x "$candidate/bin/python$minor" ]; then
        echo "$candidate/bin/python$minor"
        return 0
      fi
    done
    if candidate=$(command -v "python$minor"); then
      echo "$candidate"
      return 0
    fi
  done
  echo "tools/install.sh: .venv-colab needs Python 3.13 (Colab's; 3.12 will do) and found neither" \
       "under $root/versions nor on PATH: run 'pyenv install 3.13' or set PYENV_ROOT" >&2
  return 1
}

# What Colab ships and the package runs on (pip included: the dry-run check should resolve as
# Colab's pip does), all held at Colab's versions by the constraints file; then the package with
# its test-tools extra. Colab has pytest, nbformat and nbclient; the other tools are new here and
# may take any version that leaves the pinned ones alone (pip fails rather than move a pin).
COLAB_STACK=(pip ipykernel ipython ipywidgets traitlets jupyter_client jupyter_core tornado pyzmq
             anywidget plotly psutil PyDrive2 google-api-python-client nvidia-ml-py
             cryptography tqdm zstandard notebook)

if ! up_to_date .venv-colab; then
  CPY=$(colab_python)
  [ -x .venv-colab/bin/python ] || "$CPY" -m venv .venv-colab
  .venv-colab/bin/python -m pip install -q --disable-pip-version-check \
    -c tools/colab/pip-freeze.txt "${COLAB_STACK[@]}" -e ".[test-tools,kaggle,fsspec]"
  inputs_digest .venv-colab > .venv-colab/.installed-from
fi

# The Colab stand-in's front end (npm packages, esbuild): tests/colab_standin/README.md
bash tools/build_colab_standin.sh
