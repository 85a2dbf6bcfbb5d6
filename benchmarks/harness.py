"""Shared shape of every benchmark: each `bench_*.py` defines `run() -> list[Row]`.

A Row is one comparison measured side by side in the same run: our figure, the baseline's,
their ratio, and the goal the issue set. `python -m benchmarks.run` prints them as one table.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    name: str  # what is compared, e.g. "import colab_panel vs import ipywidgets"
    ours: float  # our measurement, in `unit`
    baseline: float  # the baseline's measurement, in `unit`
    unit: str  # "s", "ms", "files/s", "% of a core", ...
    goal: str  # the target as the issue states it, e.g. "<= 1.3x"
    ratio: float  # ours / baseline (or the figure the goal speaks of)
    met: bool  # whether `ratio` meets `goal`
    ratio_min: float | None = None  # lowest ratio over the repeated runs, when repeated
    ratio_max: float | None = None  # highest ratio over the repeated runs, when repeated
    runs: int = 1  # how many side-by-side runs `ratio` is the median of

    def cells(self) -> list[str]:
        ratio = f"{self.ratio:.2f}x"
        if self.ratio_min is not None and self.ratio_max is not None:
            ratio += f" ({self.ratio_min:.2f}-{self.ratio_max:.2f}, n={self.runs})"
        return [self.name, f"{self.ours:.4g} {self.unit}", f"{self.baseline:.4g} {self.unit}",
                ratio, self.goal, "yes" if self.met else "NO"]


@dataclass(frozen=True)
class Repeated:
    """Side-by-side runs of ours and the baseline: medians, and the spread of their ratio."""

    ours: float  # median of our figures
    baseline: float  # median of the baseline's figures
    ratio: float  # median of the per-run ratios ours / baseline
    ratio_min: float
    ratio_max: float
    runs: int


def repeat_pair(ours: Callable[[], float], baseline: Callable[[], float],
                runs: int = 5) -> Repeated:
    """Measure `ours()` and `baseline()` alternately `runs` times (each returns one figure).

    Alternating keeps a slow spell of the machine from landing on one side only; the ratio of
    each pair is kept, so the spread says how far one run's figure can be trusted.
    """
    pairs = []
    for i in range(runs):
        if i % 2:
            b = baseline()
            o = ours()
        else:
            o = ours()
            b = baseline()
        pairs.append((o, b))
    ratios = [o / b for o, b in pairs if b]
    return Repeated(ours=statistics.median(o for o, _ in pairs),
                    baseline=statistics.median(b for _, b in pairs),
                    ratio=statistics.median(ratios), ratio_min=min(ratios),
                    ratio_max=max(ratios), runs=runs)


def repeated(ours: Sequence[float], baseline: Sequence[float]) -> Repeated:
    """`Repeated` from figures already measured side by side: run i gave ours[i] and baseline[i].

    For benchmarks whose one run yields several figures at once (then each row takes its pair
    out of the same runs) or that rotate more than two contenders.
    """
    ratios = [o / b for o, b in zip(ours, baseline) if b]
    return Repeated(ours=statistics.median(ours), baseline=statistics.median(baseline),
                    ratio=statistics.median(ratios), ratio_min=min(ratios),
                    ratio_max=max(ratios), runs=len(ratios))


def repeated_row(name: str, figures: Repeated, unit: str, goal: str, met: bool) -> Row:
    """A Row showing a `Repeated`: median figures, median ratio and its min-max over the runs."""
    return Row(name=name, ours=figures.ours, baseline=figures.baseline, unit=unit, goal=goal,
               ratio=figures.ratio, met=met, ratio_min=figures.ratio_min,
               ratio_max=figures.ratio_max, runs=figures.runs)


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
