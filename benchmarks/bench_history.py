"""Memory of one hour of monitor history at 1 Hz (goal <= 10 MB), next to the naive way.

Ours: the sampler's ring buffer (`RingHistory`) filled with 3,600 rows. Naive: what a pasted
monitoring loop keeps — a list of per-second dicts of readings. Both measured with
tracemalloc in this process, for one GPU plus host and for eight GPUs plus host.
"""

from __future__ import annotations

import gc
import random
import tracemalloc

from benchmarks.harness import Row
from colab_panel.monitor.history import RingHistory
from colab_panel.monitor.sampler import GPU_COLUMNS, HOST_COLUMNS

ROWS = 3600
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
    for gpus in (1, 8):
        columns = _columns(gpus)
        ours, naive = _measure(lambda: _ours(columns)), _measure(lambda: _naive(columns))
        mb = 1024**2
        rows.append(Row(f"1 h history, {gpus} GPU(s) + host: ring buffer vs 10 MB goal",
                        ours / mb, GOAL_BYTES / mb, "MB", "<= 1x (10 MB)", ours / GOAL_BYTES,
                        ours <= GOAL_BYTES))
        rows.append(Row("  same vs naive list of dicts", ours / mb, naive / mb, "MB", "< 1x",
                        ours / naive, ours < naive))
    return rows
