"""Cell timing: which cell ran when, and what it peaked at (GPU memory, RAM, GPU utilization).

`CellLog` receives IPython's `pre_run_cell` / `post_run_cell` events (or direct calls in
tests), puts a marker on the sampler's timeline at each start and end, and turns the
sampler's history between those marks into table rows. Peaks are computed when the table
is read, not when the cell ends, because the sample that shows a cell's last moments
arrives up to one interval after it finished.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from colab_panel.monitor.sampler import Sampler

__all__ = ["CellLog", "CellRecord"]

_MAX_CELLS = 200  # rows kept; the table shows the newest first


@dataclass
class CellRecord:
    number: int | None  # the execution count ("In [12]"), None when IPython gave none
    first_line: str
    started_t: float
    ended_t: float | None = None
    failed: bool = False


class CellLog:
    """Cell start/end times for one sampler, and their peak readings."""

    def __init__(self, sampler: Sampler) -> None:
        self._sampler = sampler
        self._cells: deque[CellRecord] = deque(maxlen=_MAX_CELLS)
        self._lock = threading.Lock()

    def started(self, number: int | None, source: str, t: float | None = None) -> CellRecord:
        t = time.time() if t is None else t
        record = CellRecord(number, _first_line(source), t)
        with self._lock:
            self._cells.append(record)
        self._sampler.mark(f"▶ {_label(number)}", t)
        return record

    def ended(self, number: int | None, failed: bool = False,
              t: float | None = None) -> int | None:
        """Close the newest running cell; `number` (IPython's, after the run) is the truth.
        Returns the number the cell had when it started, None when no cell was running."""
        t = time.time() if t is None else t
        with self._lock:
            open_cells = [c for c in self._cells if c.ended_t is None]
        if not open_cells:
            return None  # the panel appeared while this cell ran: its start was never seen
        record = open_cells[-1]
        started_as = record.number
        record.ended_t, record.failed = t, failed
        if number is not None:
            record.number = number
        self._sampler.mark(f"■ {_label(record.number)}", t)
        return started_as

    def records(self) -> list[CellRecord]:
        with self._lock:
            return list(self._cells)

    def rows(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest `limit` cells, newest first, with duration and peaks (None = n/a)."""
        records = self.records()[-limit:]
        if not records:
            return []
        history = self._sampler.history
        data = history.since(records[0].started_t - 1e-9) if history is not None else None
        now = time.time()
        slack = self._sampler.interval_s  # one more sample shows the state the cell left
        return [_row(r, data, now, slack) for r in reversed(records)]


def _row(record: CellRecord, data: dict[str, Any] | None, now: float,
         slack: float) -> dict[str, Any]:
    end = record.ended_t
    row: dict[str, Any] = {
        "cell": _label(record.number), "first_line": record.first_line,
        "started_t": record.started_t, "running": end is None, "failed": record.failed,
        "duration_s": (now if end is None else end) - record.started_t,
        "peak_gpu_memory_bytes": None, "peak_ram_bytes": None, "peak_gpu_util_percent": None,
    }
    if data is None:
        return row
    last = math.inf if end is None else end + slack
    rows = [i for i, t in enumerate(data["t"]) if record.started_t <= t <= last]
    if not rows:
        return row
    series = data["series"]
    gpu_memory = [name for name in series if name.endswith(".memory_used_bytes")]
    gpu_util = [name for name in series if name.endswith(".utilization_gpu_percent")]
    # GPU memory summed over GPUs per moment: a job sharded across GPUs peaks together.
    row["peak_gpu_memory_bytes"] = _peak(rows, lambda i: _sum(series[c][i] for c in gpu_memory))
    row["peak_ram_bytes"] = _peak(rows, lambda i: series.get("ram_used_bytes", [None] * (i + 1))[i])
    row["peak_gpu_util_percent"] = _peak(
        rows, lambda i: max((v for c in gpu_util if (v := series[c][i]) is not None), default=None))
    return row


def _peak(indices: list[int], value_at: Any) -> float | None:
    values = [v for i in indices if (v := value_at(i)) is not None]
    return max(values) if values else None


def _sum(values: Any) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _label(number: int | None) -> str:
    return f"In [{number}]" if number is not None else "In [ ]"


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= 60 else line[:59] + "…"
    return ""
