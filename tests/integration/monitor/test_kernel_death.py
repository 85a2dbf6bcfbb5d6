"""Why did my kernel die? A real child process stands in for the kernel: it records, runs 'In [12]',
allocates, and dies — killed by the memory cgroup's OOM killer (where this machine lets a test make
a memory cgroup) or by SIGKILL. Then `explain_last_exit()` in this process says what happened.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from colab_panel.monitor.flight_recorder import cgroup_oom_counter_file
from colab_panel.monitor.last_exit import explain_last_exit

REPO = Path(__file__).resolve().parents[3]
LIMIT_MB = 160


def _standin(state_dir: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "tests.support.kernel_standin", str(state_dir), *extra],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_allocated(child: subprocess.Popen[str], at_least_mb: int, timeout_s: float = 60) -> int:
    deadline = time.monotonic() + timeout_s
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("allocated ") and int(line.split()[1]) >= at_least_mb:
            return int(line.split()[1])
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"the stand-in never allocated {at_least_mb} MB: {child.stderr.read() if child.stderr else ''}")


def test_sigkilled_kernel_is_explained_with_its_cell_and_peaks(tmp_path):
    child = _standin(tmp_path, "--cap-mb", "400")
    try:
        _wait_allocated(child, 96)
        time.sleep(0.6)  # the trail is a few seconds behind by design; give it a flush or two
        child.send_signal(signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    exit_ = explain_last_exit(tmp_path)
    assert exit_ is not None and exit_.pid == child.pid
    assert exit_.cell_running and exit_.cell_number == 12 and exit_.cell_source.startswith("model.fit(x, epochs=3)")
    assert [(c["n"], c["ended_t"]) for c in exit_.cells] == [(12, None)]  # the cell log: it never ended
    assert exit_.peak_kernel_rss_bytes is not None and exit_.peak_kernel_rss_bytes >= 80 * 1e6
    words = exit_.words
    assert "stopped without closing" in words and "while In [12] ran (`model.fit(x, epochs=3)" in words
    assert "the kernel process itself held up to" in words
    if exit_.killed_for_memory is False:  # this runtime has an OOM counter: it must not blame memory
        assert "not killed for memory" in words
    assert exit_.chart_svg().startswith("<svg") and "polyline" in exit_.chart_svg()
    assert explain_last_exit(tmp_path) is None  # said once


@pytest.fixture
def memory_cgroup() -> Iterator[Path]:
    """A child memory cgroup (v1 or v2) with a LIMIT_MB limit under ours, or skip saying why."""
    counter = cgroup_oom_counter_file()
    if counter is None:
        pytest.skip("this machine exposes no cgroup memory counters to the test")
    parent = counter.parent
    group = parent / f"cp-test-{uuid.uuid4().hex[:8]}"
    try:
        group.mkdir()
    except OSError as exc:
        pytest.skip(f"cannot make a memory cgroup here ({exc}); the SIGKILL test covers the rest")
    try:
        limit = str(LIMIT_MB << 20)
        if (group / "memory.max").exists():
            (group / "memory.max").write_text(limit)
            if (group / "memory.swap.max").exists():
                (group / "memory.swap.max").write_text("0")
        else:
            (group / "memory.limit_in_bytes").write_text(limit)
            if (group / "memory.memsw.limit_in_bytes").exists():
                (group / "memory.memsw.limit_in_bytes").write_text(limit)
        yield group
    except OSError as exc:
        pytest.skip(f"cannot set a memory limit here ({exc})")
    finally:
        for _ in range(50):  # the cgroup empties once the killed child is reaped
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.1)


def test_kernel_killed_by_its_memory_cgroup_is_explained_as_out_of_memory(tmp_path, memory_cgroup):
    child = _standin(tmp_path, "--cgroup", str(memory_cgroup))
    try:
        status = child.wait(120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert status == -signal.SIGKILL, child.stderr.read() if child.stderr else status
    exit_ = explain_last_exit(tmp_path)
    assert exit_ is not None and exit_.killed_for_memory is True and exit_.oom_kills >= 1
    assert exit_.words.startswith("The previous kernel was killed for memory around ")
    assert f"of {LIMIT_MB:.1f} MB while In [12] ran (`model.fit(x, epochs=3)" in exit_.words
    assert "out-of-memory killer struck" in exit_.words
    assert exit_.ram_total_bytes == LIMIT_MB << 20
    assert exit_.peak_ram_bytes is not None and exit_.peak_ram_bytes > 0.5 * (LIMIT_MB << 20)
