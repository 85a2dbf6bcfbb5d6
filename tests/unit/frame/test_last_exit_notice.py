"""A new Panel after a kernel that died says why, once, with a chart; a clean close says nothing.

The dead predecessor is a trail written by a FlightRecorder whose PID belongs to an exited child.
Cell events come from a real IPython InteractiveShell.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from colab_panel.controllers.last_exit import LastExitController
from colab_panel.monitor.flight_recorder import FlightRecorder
from colab_panel.monitor.sampler import Sampler
from colab_panel.views.last_exit import LastExitNotice

GB = 10**9


def _dead_trail(state_dir, counter=None) -> FlightRecorder:
    rec = FlightRecorder(state_dir, oom_counter_file=counter, flush_s=0)
    rec.cell_started(12, "model.fit(x)")
    for i in range(20):
        rec.record(rec.dir.stat().st_mtime + i, ram_used_bytes=12 * GB, ram_total_bytes=13 * GB,
                   gpu_memory_used_bytes=14 * GB, gpu_memory_total_bytes=15 * GB)
    rec.flush()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    meta = json.loads((rec.dir / "meta.json").read_text())
    meta["pid"] = child.pid
    (rec.dir / "meta.json").write_text(json.dumps(meta))
    return rec


class _Sampler:
    def __init__(self) -> None:
        self.users, self.subscribers = 0, []

    def acquire(self):
        self.users += 1
        return self

    def release(self) -> None:
        self.users -= 1

    def subscribe(self, callback):
        self.subscribers.append(callback)
        return lambda: self.subscribers.remove(callback)


def test_notice_shows_once_and_dismisses(tmp_path):
    _dead_trail(tmp_path)
    sampler = _Sampler()
    c = LastExitController(state_dir=tmp_path, sampler=sampler, shell=None)
    c._shell = object()  # no IPython events here
    view = LastExitNotice(c)
    c.start()
    assert c.visible and "while In [12] ran (`model.fit(x)`)" in c.words
    assert "Why the last kernel stopped" in view.text.value and "<svg" in view.chart.value
    assert view.layout.display is None
    view.dismiss_button.click()
    assert view.layout.display == "none"
    assert c.recording and sampler.users == 1 and len(sampler.subscribers) == 1
    c.close()
    assert sampler.users == 0 and sampler.subscribers == [] and not c.recording
    again = LastExitController(state_dir=tmp_path, sampler=_Sampler())
    again._shell = object()
    again.start()
    assert not again.visible and again.words == ""  # said once
    again.close()


def test_cells_reach_the_trail_with_their_number(tmp_path):
    IPython = pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    hooks = sys.displayhook, sys.excepthook
    shell = InteractiveShell.instance()
    c = LastExitController(state_dir=tmp_path, sampler=_Sampler(), shell=shell)
    c.start()
    try:
        shell.run_cell("a = 1", store_history=True)
        number = shell.execution_count - 1
        shell.run_cell("1/0", store_history=True)
    finally:
        c.close()
        InteractiveShell.clear_instance()  # other tests count their cells from a fresh shell
        sys.displayhook, sys.excepthook = hooks
    lines = [json.loads(line) for seg in sorted(c.recorder.dir.glob("seg-*.jsonl"))
             for line in seg.read_text().splitlines()]
    cells = [(row["cell"], row["n"]) for row in lines if "cell" in row]
    assert cells == [("start", number), ("end", number), ("start", number + 1), ("end", number + 1)]
    assert [row.get("failed") for row in lines if row.get("cell") == "end"] == [False, True]
    assert IPython


def test_the_panel_shows_the_notice(tmp_path, monkeypatch):
    monkeypatch.setenv("COLAB_PANEL_STATE", str(tmp_path))
    _dead_trail(tmp_path)
    from colab_panel import Panel

    panel = Panel()
    try:
        [notice] = [w for w in panel.widget.children if isinstance(w, LastExitNotice)]
        assert "killed" in notice.text.value or "stopped without closing" in notice.text.value
        assert panel.last_exit.recording
    finally:
        panel.close()
    assert not panel.last_exit.recording


def test_a_real_sampler_feeds_the_trail(tmp_path):
    sampler = Sampler(interval_s=0.1)
    c = LastExitController(state_dir=tmp_path, sampler=sampler)
    c._shell = object()
    c.start()
    try:
        sampler.sample_now()
        sampler.sample_now()
        c.recorder.flush()
    finally:
        c.close()
    assert not sampler.running
    text = "".join(seg.read_text() for seg in c.recorder.dir.glob("seg-*.jsonl"))
    assert '"ram":' in text
