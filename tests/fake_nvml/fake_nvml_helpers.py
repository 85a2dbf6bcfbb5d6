"""Build the fake `libnvidia-ml.so.1` and run Python snippets against it in a subprocess.

The dynamic loader reads LD_LIBRARY_PATH only when a process starts, and pynvml loads the
library once per process, so every scenario runs in a fresh interpreter:

    result = run_snippet("t4", "from colab_panel.monitor import read_gpus\\n"
                               "result = [g.name for g in read_gpus()]")

The snippet assigns `result`; it comes back through JSON (dataclasses as dicts). Builds are
cached by source hash and variant under the system temp dir, so a test session (and the
benchmark) compiles each variant once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path(__file__).with_name("fake_nvml.c")
REPO_ROOT = Path(__file__).resolve().parents[2]
LIBRARY_NAME = "libnvidia-ml.so.1"

#: Scenarios the C file understands, plus two that are built differently:
#: "old_driver" (compiled without newer symbols) and "nolib" (no library on the path at all).
SCENARIOS = ("t4", "h100x8", "mig", "notsupported", "lost_after_3", "driver_not_loaded", "zero",
             "old_driver", "nolib")

_RESULT_MARK = "@@FAKE_NVML_RESULT@@"


class FakeNvmlUnavailable(RuntimeError):
    """gcc is missing or the build failed; tests skip with this message."""


def build_library(variant: str = "current") -> Path:
    """Compile the fake library (`variant` "current" or "old_driver"); return its directory."""
    if shutil.which("gcc") is None:
        raise FakeNvmlUnavailable("gcc is not installed; cannot build the fake NVML library")
    source_hash = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    out_dir = Path(tempfile.gettempdir()) / "colab_panel_fake_nvml" / f"{source_hash}-{variant}"
    library = out_dir / LIBRARY_NAME
    if library.exists():
        return out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    # Build to a private name and rename: concurrent sessions never load a half-written file.
    partial = out_dir / f".{LIBRARY_NAME}.{os.getpid()}"
    flags = ["-DFAKE_OLD_DRIVER"] if variant == "old_driver" else []
    cmd = ["gcc", "-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-Wno-unused-parameter",
           f"-Wl,-soname,{LIBRARY_NAME}", *flags, "-o", str(partial), str(SOURCE)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise FakeNvmlUnavailable(f"building the fake NVML failed:\n{done.stderr}")
    os.replace(partial, library)
    return out_dir


def scenario_env(scenario: str) -> dict[str, str]:
    """The environment for a subprocess that should see `scenario` through pynvml."""
    env = dict(os.environ)
    if scenario == "nolib":
        # An empty directory: the loader falls through to the system paths, which on a machine
        # without a driver hold no libnvidia-ml (tests skip where a real one exists).
        library_dir = Path(tempfile.gettempdir()) / "colab_panel_fake_nvml" / "empty"
        library_dir.mkdir(parents=True, exist_ok=True)
    else:
        library_dir = build_library("old_driver" if scenario == "old_driver" else "current")
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        p for p in (str(library_dir), env.get("LD_LIBRARY_PATH", "")) if p)
    env["FAKE_NVML_SCENARIO"] = "t4" if scenario in ("old_driver", "nolib") else scenario
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def real_nvml_present() -> bool:
    """True where the system itself has an NVIDIA library (then "nolib" cannot be staged)."""
    import ctypes.util

    return ctypes.util.find_library("nvidia-ml") is not None


_PRELUDE = """
import dataclasses as _dc, json as _json
def _plain(o):
    if _dc.is_dataclass(o): return _dc.asdict(o)
    if isinstance(o, tuple) and hasattr(o, "_asdict"): return o._asdict()
    raise TypeError(repr(o))
result = None
"""

_EPILOGUE = f"""
print({_RESULT_MARK!r} + _json.dumps(result, default=_plain))
"""


def run_snippet(scenario: str, code: str, *, timeout: float = 60.0):
    """Run `code` in a fresh interpreter seeing `scenario`; return its `result`, JSON-decoded."""
    program = _PRELUDE + code + "\n" + _EPILOGUE
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env=scenario_env(scenario), cwd=str(REPO_ROOT), timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"snippet failed in scenario {scenario!r} (rc {done.returncode}):\n"
                             f"{done.stderr}\n{done.stdout}")
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(_RESULT_MARK):
            return json.loads(line[len(_RESULT_MARK):])
    raise AssertionError(f"snippet printed no result:\n{done.stdout}\n{done.stderr}")


__all__ = ["FakeNvmlUnavailable", "SCENARIOS", "build_library", "real_nvml_present",
           "run_snippet", "scenario_env"]
