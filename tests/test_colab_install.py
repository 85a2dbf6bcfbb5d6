"""Installing the package into Colab's environment changes nothing that is already there.

`pip install colab-panel` in a Colab notebook runs under a live kernel: an upgrade of ipywidgets,
traitlets or IPython there swaps modules under running code and leaves the front end on another
protocol. This asks the Colab-stack environment's own pip, without the constraints file, what a
plain install of this repository would do, and allows only packages Colab does not have.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from support.colab_stack import canonical, colab_pins

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "colab-panel"



def _installed() -> dict[str, str]:
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}


def _dependency_closure(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Canonical names of every installed distribution `name` needs, transitively."""
    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        dist_name, dist_extras = todo.pop()
        for line in metadata.requires(dist_name) or []:
            req = Requirement(line)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in dist_extras or {""}):
                continue
            key = canonical(req.name)
            if key not in seen:
                seen.add(key)
                todo.append((req.name, frozenset(req.extras)))
    return seen


def test_every_requirement_admits_colabs_version():
    """The declared bounds, read from pyproject.toml: the package and the extras Colab may get."""
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads TOML")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    # demo and test serve the demo and this suite outside Colab and may need newer releases
    extras = project["optional-dependencies"]
    requirements = project["dependencies"] + extras["kaggle"] + extras["fsspec"]
    pins = colab_pins()
    refused = [f"{req} (Colab: {pins[canonical(req.name)]})" for req in map(Requirement, requirements)
               if canonical(req.name) in pins
               and not req.specifier.contains(pins[canonical(req.name)], prereleases=True)]
    assert not refused


@pytest.mark.colab_stack
def test_pip_install_changes_no_installed_package(tmp_path, capsys):
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--disable-pip-version-check",
         "--report", str(report_path), str(REPO)],
        capture_output=True, text=True, timeout=240)
    errors = "\n".join(line for line in result.stderr.splitlines() if not line.startswith("WARNING: Location"))
    assert result.returncode == 0, f"pip could not resolve an install:\n{errors}"

    installed, pins = _installed(), colab_pins()
    changed, added = [], []
    for item in json.loads(report_path.read_text())["install"]:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        key = canonical(name)
        if key == PACKAGE:
            continue
        had = installed.get(key) or pins.get(key)
        (changed if had else added).append(f"{name} {had} -> {version}" if had else f"{name} {version}")
    # Packages the package needs that Colab lacks: already in this environment (tools/install.sh put
    # them there), so pip's report leaves them out; a Colab runtime would get them new.
    new_to_colab = sorted(f"{n} {installed[n]}" for n in _dependency_closure(PACKAGE) - pins.keys())

    with capsys.disabled():  # the figures benchmarks record, shown in every run
        print(f"\npackages changed: {len(changed)}")
        print(f"packages pip would add here: {', '.join(added) or 'none'}")
        print(f"packages new to Colab's runtime: {', '.join(new_to_colab) or 'none'}")
    assert not changed, f"a plain `pip install` would move Colab's packages: {changed}"
