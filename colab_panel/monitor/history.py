"""A bounded, columnar history of readings: fixed-size ring buffers of compact arrays.

Everything is float64 (`array('d')`): one hour at 1 Hz of eight GPUs (45 columns) is ~1.3 MB,
well inside the 10 MB budget. float32 would halve that, but its readings come back as
27.500000953674316 and bloat every JSON delta; exact values are worth 0.6 MB. A missing
reading is stored as NaN and handed out as None.

Timestamps are wall-clock seconds (`time.time()`, what a browser chart wants) and are forced
to increase strictly, so `since(t)` can binary-search and a consumer can ask for "everything
after the last timestamp I have" without gaps or repeats.
"""

from __future__ import annotations

import math
import threading
from array import array
from typing import Any, Iterable, Sequence

__all__ = ["RingHistory"]

_NAN = float("nan")


class RingHistory:
    """Rows of (t, value per column) with a fixed capacity; the oldest row is overwritten."""

    def __init__(self, columns: Sequence[str], capacity: int = 3600) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.columns = tuple(columns)
        self.capacity = capacity
        self._lock = threading.Lock()
        self._t = array("d", [_NAN]) * capacity
        self._values = [array("d", [_NAN]) * capacity for _ in self.columns]
        self._next = 0  # where the next row goes
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (the buffers, not Python object overhead)."""
        return sum(a.itemsize * len(a) for a in (self._t, *self._values))

    @property
    def last_t(self) -> float | None:
        with self._lock:
            return self._t[(self._next - 1) % self.capacity] if self._count else None

    def append(self, t: float, values: Iterable[float | None]) -> float:
        """Add one row; return the timestamp stored (nudged up if not after the last one)."""
        with self._lock:
            if self._count:
                last = self._t[(self._next - 1) % self.capacity]
                if t <= last:
                    t = math.nextafter(last, math.inf) if t == last else last + 1e-6
            row = self._next
            self._t[row] = t
            written = 0
            for column, value in zip(self._values, values):
                column[row] = _NAN if value is None else value
                written += 1
            for column in self._values[written:]:
                column[row] = _NAN
            self._next = (row + 1) % self.capacity
            self._count = min(self._count + 1, self.capacity)
            return t

    def since(self, t: float | None = None) -> dict[str, Any]:
        """Rows with timestamp > `t` (all rows when None), columnar and JSON-ready:

        ``{"t": [...], "series": {column: [... None where missing ...]}}``
        """
        with self._lock:
            first = self._first_after(t)
            pieces = self._slices(first)
            times = [x for a, b in pieces for x in self._t[a:b].tolist()]
            series = {name: _nan_to_none([x for a, b in pieces for x in column[a:b].tolist()])
                      for name, column in zip(self.columns, self._values)}
        return {"t": times, "series": series}

    def _physical(self, logical: int) -> int:
        return (self._next - self._count + logical) % self.capacity

    def _first_after(self, t: float | None) -> int:
        """Logical index (0 = oldest) of the first row with time > t."""
        if t is None:
            return 0
        low, high = 0, self._count
        while low < high:
            middle = (low + high) // 2
            if self._t[self._physical(middle)] <= t:
                low = middle + 1
            else:
                high = middle
        return low

    def _slices(self, first: int) -> list[tuple[int, int]]:
        """Physical [a, b) ranges covering logical rows first..count-1, oldest first."""
        if first >= self._count:
            return []
        start = self._physical(first)
        end = start + (self._count - first)
        if end <= self.capacity:
            return [(start, end)]
        return [(start, self.capacity), (0, end - self.capacity)]


def _nan_to_none(values: list[float]) -> list[float | int | None]:
    # NaN is the only value unequal to itself. Whole numbers (bytes, MHz) go out as ints so
    # JSON deltas carry "1048576000", not "1048576000.0".
    return [None if v != v else int(v) if v.is_integer() else v for v in values]
