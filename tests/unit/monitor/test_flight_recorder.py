"""The flight recorder's trail and the words explain_last_exit() makes of it, with no real kernel.

A fake clock drives rotation and flushing; a dead PID comes from a child process that already
exited; the cgroup counter is a plain file whose `oom_kill` line the test moves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from colab_panel.monitor.flight_recorder import FlightRecorder, read_oom_kills
from colab_panel.monitor.last_exit import explain_last_exit, find_unclean_exits

GB = 10**9


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _as_dead(recorder: FlightRecorder) -> None:
    """Make the trail look like another process's that died (without killing this test)."""
    meta_path = recorder.dir / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["pid"] = _dead_pid()
    meta_path.write_text(json.dumps(meta))


def _counter(tmp_path: Path, kills: int) -> Path:
    path = tmp_path / "memory.events"
    path.write_text(f"low 0\nhigh 0\nmax 3\noom 1\noom_kill {kills}\noom_group_kill 0\n")
    return path


def _run(recorder: FlightRecorder, clock: Clock, seconds: int, ram: int, total: int = 13 * GB) -> None:
    for _ in range(seconds):
        clock.t += 1
        recorder.record(clock.t, ram_used_bytes=ram, ram_total_bytes=total, kernel_rss_bytes=ram // 2,
                        gpu_memory_used_bytes=14 * GB, gpu_memory_total_bytes=15 * GB)


def test_oom_kill_is_explained_with_cell_peaks_and_chart(tmp_path):
    clock, counter = Clock(), _counter(tmp_path, 2)
    rec = FlightRecorder(tmp_path, clock=clock, oom_counter_file=counter)
    _run(rec, clock, 30, 8 * GB)
    rec.cell_started(12, "\n  model.fit(train, epochs=10)\nprint('done')")
    _run(rec, clock, 30, int(12.6 * GB), total=int(12.7 * GB))
    _as_dead(rec)
    counter.write_text(counter.read_text().replace("oom_kill 2", "oom_kill 3"))
    exit_ = explain_last_exit(tmp_path)
    assert exit_ is not None and exit_.killed_for_memory is True and exit_.oom_kills == 1
    assert exit_.cell_number == 12 and exit_.cell_source == "model.fit(train, epochs=10)"
    assert "killed for memory around" in exit_.words
    assert "at 11.7 of 11.8 GB while In [12] ran (`model.fit(train, epochs=10)`)" in exit_.words
    assert "GPU memory peaked at 13.0 of 14.0 GB" in exit_.words
    assert "struck 1 time since it started" in exit_.words
    assert "<polyline" in exit_.chart_svg()


def test_a_cell_that_ended_is_not_blamed_and_an_unmoved_counter_clears_memory(tmp_path):
    clock, counter = Clock(), _counter(tmp_path, 0)
    rec = FlightRecorder(tmp_path, clock=clock, oom_counter_file=counter)
    rec.cell_started(3, "x = 1")
    _run(rec, clock, 5, 2 * GB)
    rec.cell_ended(3)
    _run(rec, clock, 5, 2 * GB)
    _as_dead(rec)
    exit_ = explain_last_exit(tmp_path)
    assert exit_.killed_for_memory is False and not exit_.cell_running
    assert [(c["n"], c["src"], c["ended_t"] is not None) for c in exit_.cells] == [(3, "x = 1", True)]
    assert "while" not in exit_.words and "not killed for memory by its limit" in exit_.words


def test_without_a_counter_ram_at_its_limit_reads_as_out_of_memory(tmp_path):
    clock = Clock()
    rec = FlightRecorder(tmp_path, clock=clock, oom_counter_file=None)
    rec.cell_started(7, "big = load_everything()")
    _run(rec, clock, 10, int(12.5 * GB), total=int(12.7 * GB))
    _as_dead(rec)
    exit_ = explain_last_exit(tmp_path)
    assert exit_.killed_for_memory is None
    assert "most likely ran out of memory" in exit_.words and "In [7]" in exit_.words


def test_the_running_cell_survives_segment_pruning_and_disk_stays_bounded(tmp_path):
    clock = Clock()
    rec = FlightRecorder(tmp_path, clock=clock, segment_s=60, keep_segments=3, oom_counter_file=None)
    rec.cell_started(40, "train()")
    _run(rec, clock, 3600, 5 * GB)  # an hour at 1 Hz
    rec.flush()
    segments = sorted(rec.dir.glob("seg-*.jsonl"))
    assert len(segments) == 3
    assert rec.disk_bytes < 50_000 and rec.bytes_written < 1_000_000
    _as_dead(rec)
    exit_ = explain_last_exit(tmp_path)
    assert exit_.cell_number == 40 and exit_.cell_running
    assert [c["n"] for c in exit_.cells] == [40]  # carried into each segment, still one cell
    assert 100 < len(exit_.series["t"]) <= 181


def test_readings_are_a_few_seconds_behind_but_a_cell_start_is_written_at_once(tmp_path):
    clock = Clock()
    rec = FlightRecorder(tmp_path, clock=clock, flush_s=5, oom_counter_file=None)
    [segment] = rec.dir.glob("seg-*.jsonl")
    _run(rec, clock, 3, GB)
    assert segment.read_text() == ""  # buffered
    rec.cell_started(1, "go()")
    lines = segment.read_text().splitlines()
    assert len(lines) == 4 and json.loads(lines[-1])["cell"] == "start"


def test_a_torn_last_line_and_a_clean_close(tmp_path):
    clock = Clock()
    rec = FlightRecorder(tmp_path, clock=clock, oom_counter_file=None)
    rec.cell_started(5, "f()")
    [segment] = rec.dir.glob("seg-*.jsonl")
    with open(segment, "a") as handle:
        handle.write('{"t": 17000000')  # killed mid-write
    _as_dead(rec)
    assert explain_last_exit(tmp_path, mark_explained=False).cell_number == 5
    rec.close()
    assert (rec.dir / "closed").exists() and find_unclean_exits(tmp_path) == []


def test_this_kernel_and_a_reused_pid_are_not_dead_kernels(tmp_path):
    rec = FlightRecorder(tmp_path, oom_counter_file=None)
    assert find_unclean_exits(tmp_path) == []  # our own, alive
    meta = json.loads((rec.dir / "meta.json").read_text())
    meta["pid"] = os.getppid()  # alive, but it started at another time than recorded
    meta["proc_start_ticks"] = 1
    (rec.dir / "meta.json").write_text(json.dumps(meta))
    if Path(f"/proc/{os.getppid()}/stat").exists():
        assert find_unclean_exits(tmp_path) == [rec.dir]


def test_writes_that_fail_never_raise(tmp_path):
    clock = Clock()
    rec = FlightRecorder(tmp_path, clock=clock, flush_s=1, oom_counter_file=None)
    os.close(rec._fd)  # as if the disk went away under us
    _run(rec, clock, 3, GB)
    assert rec.write_errors >= 1
    rec._fd = None
    rec.close()


@pytest.mark.parametrize("text, expected", [("oom 0\noom_kill 4\n", 4), ("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", 1),
                                            ("low 0\n", None), ("oom_kill x\n", None)])
def test_oom_counter_files(tmp_path, text, expected):
    path = tmp_path / "events"
    path.write_text(text)
    assert read_oom_kills(path) == expected
    assert read_oom_kills(tmp_path / "missing") is None


def test_cli_last_exit_peeks_without_using_up_the_panel_notice(tmp_path, capsys):
    from colab_panel.cli import main

    assert main(["last-exit", "--state-dir", str(tmp_path)]) == 0
    assert "No kernel died here" in capsys.readouterr().out
    clock = Clock()
    rec = FlightRecorder(tmp_path / "state", clock=clock, oom_counter_file=None)
    rec.cell_started(9, "train()")
    _run(rec, clock, 10, 3 * GB)
    _as_dead(rec)
    svg = tmp_path / "chart.svg"
    assert main(["last-exit", "--state-dir", str(tmp_path / "state"), "--svg", str(svg)]) == 0
    assert "while In [9] ran (`train()`)" in capsys.readouterr().out
    assert svg.read_text().startswith("<svg")
    assert explain_last_exit(tmp_path / "state") is not None  # still there for the panel


def test_an_end_with_another_number_still_closes_the_cell(tmp_path):
    clock = Clock()
    rec = FlightRecorder(tmp_path, clock=clock, oom_counter_file=None)
    rec.cell_started(4, "a()")
    rec.cell_ended(5)  # IPython's own count disagreed with ours
    _as_dead(rec)
    assert not explain_last_exit(tmp_path).cell_running


def test_a_zombie_kernel_counts_as_dead(tmp_path):
    rec = FlightRecorder(tmp_path, oom_counter_file=None)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(100):  # exited but not reaped yet: a zombie
            if Path(f"/proc/{child.pid}/stat").read_text().split(") ")[1][0] == "Z":
                break
            time.sleep(0.05)
        meta = json.loads((rec.dir / "meta.json").read_text())
        meta["pid"], meta["proc_start_ticks"] = child.pid, None
        (rec.dir / "meta.json").write_text(json.dumps(meta))
        assert find_unclean_exits(tmp_path) == [rec.dir]
    finally:
        child.wait()


def test_old_trails_that_need_no_explaining_are_pruned(tmp_path):
    from colab_panel.monitor.flight_recorder import prune_trails

    clock = Clock()
    made = []
    for _ in range(8):
        clock.t += 10
        rec = FlightRecorder(tmp_path, clock=clock, oom_counter_file=None)
        rec.close()
        made.append(rec.dir)
        os.utime(rec.dir, (clock.t, clock.t))
    dead = FlightRecorder(tmp_path, clock=clock, oom_counter_file=None)
    _as_dead(dead)  # unexplained: never pruned before it is explained
    prune_trails(tmp_path / "kernels", keep=3)
    left = sorted(p for p in (tmp_path / "kernels").iterdir())
    assert dead.dir in left and len(left) == 4 and set(made[-3:]) <= set(left)
