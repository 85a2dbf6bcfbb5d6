"""`colab-panel monitor` prints one line per sample, read through the real pynvml from a fake driver."""

from __future__ import annotations

import subprocess
import sys

import fake_nvml_helpers
import pytest


def _monitor(scenario: str, *args: str) -> subprocess.CompletedProcess:
    try:
        env = fake_nvml_helpers.scenario_env(scenario)
    except fake_nvml_helpers.FakeNvmlUnavailable as error:
        pytest.skip(str(error))
    return subprocess.run([sys.executable, "-m", "colab_panel.cli", "monitor", *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_one_t4_sample_in_words():
    out = _monitor("t4", "--interval", "0.2", "--count", "2")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("GPU: 1 × Tesla T4")
    assert len(lines) == 3
    assert " CPU " in lines[1] and " RAM " in lines[1]
    assert "GPU0 " in lines[1] and "/15.0 GB" in lines[1] and "°C" in lines[1]


def test_mig_and_unsupported_readings_show_na_not_zero():
    out = _monitor("mig", "--interval", "0.2", "--count", "1")
    assert out.returncode == 0, out.stderr
    assert "GPU0 n/a " in out.stdout.splitlines()[1]


def test_bad_arguments_answer_in_words():
    for bad in ("0", "nan", "inf", "-1", "1e300"):
        out = _monitor("t4", "--interval", bad)
        assert out.returncode == 2, out.stderr  # refused as a usage error, before any reading
        assert "argument --interval: seconds must be" in out.stderr and "Traceback" not in out.stderr
