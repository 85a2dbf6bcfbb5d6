"""Sampler CPU at 1 Hz with eight GPUs, as % of one core — the issue's goal is <= 1 %.

How it is measured: a fresh interpreter loads the fake `libnvidia-ml.so.1` from
tests/fake_nvml (scenario "h100x8": eight H100s) through the real pynvml, starts the sampler
at its default 1 s interval, lets it warm up (NVML init, first slow tier), then measures the
whole process's CPU time (`time.process_time()`) over a window of wall time. The main thread
only sleeps, so this is the sampler's cost; the sampler's own `cost_cpu_percent` (thread CPU
time) is printed alongside as a cross-check.

Baseline: the naive monitor loop — every second read everything, like `nvidia-smi -q` plus
a process list (all GPU fields including the slow tier, processes, host with disks) — run the
same way in its own interpreter. It shows what the tiered cadence saves.

Honesty note: the fake library answers instantly, so this measures our Python-side cost per
reading (pynvml's ctypes calls, psutil, history). A real driver adds its own time inside the
NVML calls (ioctls; PCIe throughput blocks ~20 ms per counter, sleeping rather than
spinning), which is why the slow tier runs every 5 s. Record real-GPU figures in
benchmarks/README.md when a GPU machine is at hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.harness import Row

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fake_nvml"))

import fake_nvml_helpers  # noqa: E402  (needs the path above)

WARMUP_S = 3.0
WINDOW_S = 12.0

_SAMPLER = f"""
import time
from colab_panel.monitor import Sampler
sampler = Sampler(interval_s=1.0).start()
time.sleep({WARMUP_S})
cpu0, wall0, ticks0 = time.process_time(), time.monotonic(), sampler.tick_count
time.sleep({WINDOW_S})
cpu1, wall1, ticks1 = time.process_time(), time.monotonic(), sampler.tick_count
result = {{"percent": (cpu1 - cpu0) / (wall1 - wall0) * 100, "ticks": ticks1 - ticks0,
           "self_reported": sampler.cost_cpu_percent, "gpus": len(sampler.latest_gpus)}}
sampler.stop()
"""

_NAIVE = f"""
import threading, time
from colab_panel.monitor import read_gpus, read_gpu_processes, read_host
stop = threading.Event()
ticks = [0]
def loop():
    while not stop.wait(1.0 if ticks[0] else 0):
        read_gpus(); read_gpu_processes(); read_host()
        ticks[0] += 1
thread = threading.Thread(target=loop, daemon=True)
thread.start()
time.sleep({WARMUP_S})
cpu0, wall0, ticks0 = time.process_time(), time.monotonic(), ticks[0]
time.sleep({WINDOW_S})
cpu1, wall1, ticks1 = time.process_time(), time.monotonic(), ticks[0]
stop.set(); thread.join(5)
result = {{"percent": (cpu1 - cpu0) / (wall1 - wall0) * 100, "ticks": ticks1 - ticks0,
           "gpus": len(read_gpus())}}
"""


def _measure(code: str) -> dict:
    timeout = WARMUP_S + WINDOW_S + 60
    return fake_nvml_helpers.run_snippet("h100x8", code, timeout=timeout)


def run() -> list[Row]:
    ours = _measure(_SAMPLER)
    naive = _measure(_NAIVE)
    assert ours["gpus"] == 8 and naive["gpus"] == 8, (ours, naive)
    print(f"sampler: {ours['percent']:.3f} % over {ours['ticks']} ticks "
          f"(self-reported {ours['self_reported']}); naive loop: {naive['percent']:.3f} % "
          f"over {naive['ticks']} ticks", file=sys.stderr)
    goal_percent = 1.0
    return [
        Row(name="sampler CPU at 1 Hz, 8 fake GPUs vs the 1 % goal", ours=ours["percent"],
            baseline=goal_percent, unit="% of a core", goal="<= 1x (<= 1 %)",
            ratio=ours["percent"] / goal_percent, met=ours["percent"] <= goal_percent),
        Row(name="tiered sampler vs naive full query every second", ours=ours["percent"],
            baseline=naive["percent"], unit="% of a core", goal="< 1x",
            ratio=ours["percent"] / naive["percent"], met=ours["percent"] < naive["percent"]),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row.cells()))
