"""What the flight recorder costs a living kernel for an hour (goals: <= 0.1 % of a core, <= 5 MB of disk).

An hour at the sampler's 1 Hz is replayed through the real code path (a sampler `Tick` with a
real host reading and one GPU -> `on_tick` -> JSON line -> buffered append to real files in a
temp folder, rotation and pruning included), with a clock that advances one second per tick so
the run takes seconds, not an hour. CPU time is `time.process_time()` of that replay; the cost
as a share of a core is CPU seconds / 3,600 s. Disk is the largest the kernel's folder got and
everything written over the hour. The naive way, side by side: rewriting one JSON file of the
whole history every second (what a pasted "save my metrics" loop does).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Row
from colab_panel.monitor.flight_recorder import FlightRecorder
from colab_panel.monitor.host import read_host
from colab_panel.monitor.sampler import Tick
from colab_panel.monitor.samples import GpuSample

SECONDS = 3600
CELLS_PER_HOUR = 120
CORE_GOAL_PERCENT = 0.1
DISK_GOAL_BYTES = 5 * 1024**2


class _Clock:
    def __init__(self) -> None:
        self.t = 1.7e9

    def __call__(self) -> float:
        return self.t


def _tick(t: float, host, gpu: GpuSample) -> Tick:
    return Tick(t, [gpu], host, [])


def _ours(folder: Path) -> tuple[float, int, int]:
    clock = _Clock()
    host = read_host()
    gpu = GpuSample(0, "Tesla T4", "GPU-0", 87.0, 40.0, 14 * 10**9, 15 * 10**9, 61.0, 70.0, 70.0)
    recorder = FlightRecorder(folder, clock=clock, oom_counter_file=None)
    largest = 0
    start = time.process_time()
    for second in range(SECONDS):
        clock.t += 1
        if second % (SECONDS // CELLS_PER_HOUR) == 0:
            recorder.cell_started(second, "model.fit(train_ds, epochs=3, callbacks=[checkpoint])")
        recorder.on_tick(_tick(clock.t, host, gpu))
        if second % (SECONDS // CELLS_PER_HOUR) == 25:
            recorder.cell_ended(second - 25)
        if second % 60 == 59:
            largest = max(largest, recorder.disk_bytes)  # (not timed work of the recorder itself)
    cpu = time.process_time() - start
    recorder.close()
    return cpu, largest, recorder.bytes_written


def _naive(folder: Path) -> tuple[float, int]:
    path = folder / "history.json"
    rows = []
    host = read_host()
    start = time.process_time()
    for second in range(SECONDS):
        rows.append({"t": 1.7e9 + second, "ram": host.ram_used_bytes, "ram_total": host.ram_total_bytes,
                     "rss": host.kernel_rss_bytes, "gpu": 14 * 10**9, "gpu_total": 15 * 10**9})
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(rows))
        os.replace(temp, path)
    return time.process_time() - start, path.stat().st_size


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as ours_dir, tempfile.TemporaryDirectory() as naive_dir:
        cpu, largest, written = _ours(Path(ours_dir))
        naive_cpu, naive_size = _naive(Path(naive_dir))
    percent = cpu / SECONDS * 100
    naive_percent = naive_cpu / SECONDS * 100
    mb = 1024**2
    return [
        Row("flight recorder, 1 h at 1 Hz: CPU as % of one core vs 0.1 % goal", percent, CORE_GOAL_PERCENT,
            "% core", "<= 1x (0.1 %)", percent / CORE_GOAL_PERCENT, percent <= CORE_GOAL_PERCENT),
        Row("  same vs rewriting one JSON file of the history every second", percent, naive_percent,
            "% core", "< 1x", percent / naive_percent, percent < naive_percent),
        Row("flight recorder, 1 h: largest on disk vs 5 MB goal", largest / mb, DISK_GOAL_BYTES / mb, "MB",
            "<= 1x (5 MB)", largest / DISK_GOAL_BYTES, largest <= DISK_GOAL_BYTES),
        Row("  written over the hour (all segments, pruned ones too) vs 5 MB goal", written / mb,
            DISK_GOAL_BYTES / mb, "MB", "<= 1x (5 MB)", written / DISK_GOAL_BYTES, written <= DISK_GOAL_BYTES),
        Row("  largest on disk vs the naive whole-history file", largest / mb, naive_size / mb, "MB", "< 1x",
            largest / naive_size, largest < naive_size),
    ]
