#!/usr/bin/env bash
# Installs everything (Debian's chromium, .venv and .venv-colab: see tools/install.sh), lints the
# tree and type-checks the package (.venv's ruff and mypy; a finding fails the run), runs the
# JavaScript's unit tests (node --test tests/js/) and the suite on both stacks, one after the
# other (the machine has 2 cores):
#   latest  .venv        everything: unit, integration, browser, the quickstart notebook
#   colab   .venv-colab  Colab's pinned stack: unit, integration, and the tests marked
#                        colab_stack (tests/browser/colab among them), which only run here
#   (then, latest only, full runs only: PyDrive2's own test suite against the Drive emulator)
# Extra arguments go to pytest in both passes (e.g. `tools/test.sh tests/unit -x`);
# TEST_STACKS="colab" (or "latest") runs one pass only. Exits non-zero if either pass fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh || exit $?

STACKS=${TEST_STACKS:-latest colab}
failed=()
summary=()

run_pass() {  # name venv marker-expression pytest-args...
  local name=$1 venv=$2 markers=$3 status
  shift 3
  echo "=== $name stack ($venv): pytest -m \"$markers\" $*"
  local started=$SECONDS basetemp
  # A fresh --basetemp per pass: pytest's own cleanup of /tmp/pytest-of-$USER can trip over
  # deep trees that earlier runs left there; a folder of our own is always empty and ours.
  basetemp=$(mktemp -d "${TMPDIR:-/tmp}/colab-panel-$name.XXXXXX")
  # -m before the caller's arguments, so a caller's own -m replaces it
  "$venv/bin/python" -m pytest --basetemp "$basetemp" -m "$markers" "$@"
  status=$?
  if [ "$status" -eq 5 ] && [ "$name" = colab ] && [ $# -gt 0 ]; then
    # the caller chose tests (paths, -k) none of which is meant for Colab's stack
    echo "=== $name stack: none of the chosen tests runs on Colab's stack"
    status=0
  fi
  [ "$status" -ne 0 ] || rm -rf "$basetemp"  # kept when failing, for a look at the test's files
  summary+=("$name stack: exit $status in $((SECONDS - started)) s")
  [ "$status" -eq 0 ] || failed+=("$name")
}

pydrive2_suite() {  # PyDrive2's own test suite, unmodified, against the Drive emulator
  local status started=$SECONDS basetemp
  basetemp=$(mktemp -d "${TMPDIR:-/tmp}/colab-panel-pydrive2.XXXXXX")
  echo "=== latest stack (.venv): PyDrive2's upstream test suite (tools/pydrive2_suite.py)"
  # about a minute; cut off after 10 so a hung upstream test cannot hold CI
  timeout 600 .venv/bin/python tools/pydrive2_suite.py -q --basetemp "$basetemp"
  status=$?
  [ "$status" -ne 0 ] || rm -rf "$basetemp"
  summary+=("PyDrive2 upstream suite (latest stack): exit $status in $((SECONDS - started)) s")
  [ "$status" -eq 0 ] || failed+=("pydrive2-suite")
}

lint() {  # ruff over the whole tree (rules: pyproject.toml's [tool.ruff]); a second or two
  local status started=$SECONDS
  echo "=== ruff check . (.venv)"
  .venv/bin/python -m ruff check .
  status=$?
  summary+=("ruff: exit $status in $((SECONDS - started)) s")
  [ "$status" -eq 0 ] || failed+=("ruff")
}

typecheck() {  # mypy over the package (settings: pyproject.toml's [tool.mypy]); seconds when cached
  local status started=$SECONDS
  echo "=== mypy (.venv)"
  .venv/bin/python -m mypy
  status=$?
  summary+=("mypy: exit $status in $((SECONDS - started)) s")
  [ "$status" -eq 0 ] || failed+=("mypy")
}

js_tests() {  # the chart's JavaScript parts (tests/js/), by Node's own test runner; a second
  local status started=$SECONDS
  echo "=== node --test tests/js/"
  node --test tests/js/
  status=$?
  summary+=("node --test tests/js/: exit $status in $((SECONDS - started)) s")
  [ "$status" -eq 0 ] || failed+=("js")
}

lint
typecheck
js_tests
for stack in $STACKS; do
  case $stack in
    latest)
      run_pass latest .venv "not colab_stack" "$@"
      # full runs only: arguments choose our own tests, and upstream's suite is none of them
      [ $# -gt 0 ] || pydrive2_suite
      ;;
    colab)  run_pass colab .venv-colab "colab_stack or not browser" "$@" ;;
    *) echo "tools/test.sh: unknown stack '$stack' in TEST_STACKS (latest, colab)" >&2; exit 2 ;;
  esac
done

printf '=== %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "=== failed on: ${failed[*]}"
  exit 1
fi
