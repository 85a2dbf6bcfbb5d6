"""Shared shape of every benchmark: each `bench_*.py` defines `run() -> list[Row]`.

A Row is one comparison measured side by side in the same run: our figure, the baseline's,
their ratio, and the goal the issue set. `python -m benchmarks.run` prints them as one table.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Row:
    name: str  # what is compared, e.g. "import colab_panel vs import ipywidgets"
    ours: float  # our measurement, in `unit`
    baseline: float  # the baseline's measurement, in `unit`
    unit: str  # "s", "ms", "files/s", "% of a core", ...
    goal: str  # the target as the issue states it, e.g. "<= 1.3x"
    ratio: float  # ours / baseline (or the figure the goal speaks of)
    met: bool  # whether `ratio` meets `goal`

    def cells(self) -> list[str]:
        return [self.name, f"{self.ours:.4g} {self.unit}", f"{self.baseline:.4g} {self.unit}",
                f"{self.ratio:.2f}x", self.goal, "yes" if self.met else "NO"]


def median_time(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `fn()` over `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_process_time(code: str, repeat: int = 7) -> float:
    """Median wall time of `python -c code` in fresh interpreters, in seconds."""
    return median_time(lambda: subprocess.run([sys.executable, "-c", code], check=True), repeat)
