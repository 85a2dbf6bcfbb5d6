#!/usr/bin/env bash
# Installs everything (Debian's chromium, the package with its test extras in ./.venv) and runs
# the whole suite: unit, integration, browser, and the quickstart notebook. Extra arguments go
# to pytest (e.g. `tools/test.sh tests/unit -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
exec .venv/bin/python -m pytest "$@"
