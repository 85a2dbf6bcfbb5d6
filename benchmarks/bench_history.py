"""Memory of one hour of monitor history at 1 Hz (goal <= 10 MB), next to the naive way.

Ours: the sampler's ring buffer (`RingHistory`) filled with 3,600 rows. Naive: what a pasted
monitoring loop keeps — a list of per-second dicts of readings. Both measured with
tracemalloc in this process, for one GPU plus host and for eight GPUs plus host, alternately
`RUNS` times (`repeat_pair`). Bytes held barely move between runs; the spread shows it.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from functools import partial

from benchmarks.harness import Row, repeat_pair, repeated, repeated_row
from colab_panel.monitor.history import RingHistory
from colab_panel.monitor.sampler import GPU_COLUMNS, HOST_COLUMNS

ROWS = 3600
RUNS = 5
GOAL_BYTES = 10 * 1024**2


def _columns(gpus: int) -> list[str]:
    return [*HOST_COLUMNS, *(f"gpu{i}.{c}" for i in range(gpus) for c in GPU_COLUMNS)]


def _row(width: int, rng: random.Random) -> list[float]:
    return [rng.uniform(0, 100) for _ in range(width)]


def _measure(build) -> int:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del kept
    return used


def _ours(columns: list[str]) -> RingHistory:
    rng = random.Random(0)
    history = RingHistory(columns, capacity=ROWS)
    for second in range(ROWS):
        history.append(1.7e9 + second, _row(len(columns), rng))
    return history


def _naive(columns: list[str]) -> list[dict]:
    rng = random.Random(0)
    return [dict(zip(["t", *columns], [1.7e9 + s, *_row(len(columns), rng)])) for s in range(ROWS)]


def run() -> list[Row]:
    rows = []
    mb = 1024**2
    for gpus in (1, 8):
        ours: list[float] = []  # the same runs of ours also answer the goal row
        naive = repeat_pair(partial(_kept, ours, _ours, _columns(gpus)),
                            partial(_kept, [], _naive, _columns(gpus)), RUNS)
        goal = repeated(ours, [GOAL_BYTES / mb] * len(ours))
        rows.append(repeated_row(f"1 h history, {gpus} GPU(s) + host: ring buffer vs 10 MB goal",
                                 goal, "MB", "<= 1x (10 MB)", goal.ratio <= 1))
        rows.append(repeated_row("  same vs naive list of dicts", naive, "MB", "< 1x",
                                 naive.ratio < 1))
    return rows


def _kept(figures: list[float], build, columns: list[str]) -> float:
    """MB that `build(columns)` keeps, also appended to `figures`."""
    figures.append(_measure(lambda: build(columns)) / 1024**2)
    return figures[-1]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row.cells()))
