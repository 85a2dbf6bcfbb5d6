#!/usr/bin/env bash
# Installs everything (Debian's chromium, the package with its test extras in ./.venv) and runs
# the whole suite: unit, integration, browser, and the quickstart notebook. Extra arguments go
# to pytest (e.g. `tools/test.sh tests/unit -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
.venv/bin/python -m pytest "$@"

# --- PyDrive2's own test suite, unmodified, against the Drive emulator (tools/pydrive2_suite.py) ---
# Latest stack, full runs only (no pytest arguments); about 40 s, cut off after 10 minutes.
[ $# -gt 0 ] || timeout 600 .venv/bin/python tools/pydrive2_suite.py -q
