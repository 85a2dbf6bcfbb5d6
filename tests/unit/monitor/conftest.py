"""Fixtures for the monitor's unit tests: the fake NVML library and a scenario runner.

The fake `libnvidia-ml.so.1` (tests/fake_nvml/fake_nvml.c) is compiled once per source hash
and loaded by the real pynvml in a subprocess, because the loader reads LD_LIBRARY_PATH only
when a process starts. Without gcc those tests skip; everything else runs in-process, where
this machine has no NVIDIA library at all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fake_nvml"))

import fake_nvml_helpers  # noqa: E402  (needs the path above)

RunScenario = Callable[[str, str], Any]


@pytest.fixture(scope="session")
def fake_nvml() -> RunScenario:
    """`fake_nvml(scenario, code)` runs `code` in a subprocess that sees that fake machine
    and returns the JSON-decoded value the code assigned to `result`."""
    try:
        fake_nvml_helpers.build_library("current")
        fake_nvml_helpers.build_library("old_driver")
    except fake_nvml_helpers.FakeNvmlUnavailable as error:
        pytest.skip(str(error))

    def run(scenario: str, code: str) -> Any:
        if scenario == "nolib" and fake_nvml_helpers.real_nvml_present():
            pytest.skip("this machine has a real libnvidia-ml; 'no library' cannot be staged")
        return fake_nvml_helpers.run_snippet(scenario, code, timeout=60)

    return run
