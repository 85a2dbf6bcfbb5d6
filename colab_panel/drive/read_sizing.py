"""How many bytes one ranged GET asks for, so that no request outlasts a cancel's patience.

httplib2 reads a whole response before it returns, so a cancel (checked between requests) waits
for the request in flight: a fixed 16 MiB request is 0.2 s at 100 MB/s but 16 s at 1 MB/s.
`ReadSizer` sizes each request from the rate the previous ones achieved so that it lasts about
`TARGET_S`: 16 MiB (the cap) on a fast link, ~0.5 MB at 1 MB/s, 16 KiB at 32 kB/s. The first
request is small because nothing is measured yet (TCP's slow start, for the same reason).

The measured rate includes each request's latency, so a request settles at TARGET_S in all,
latency included: on a link with latency L the stream keeps (TARGET_S - L) / TARGET_S of its
bandwidth (80 % at L = 0.1 s); a fixed size at that rate would keep more, and block a cancel.
Thread-safe: parallel ranges of one file share one sizer (their connections see similar rates).
"""

from __future__ import annotations

import threading

__all__ = ["ReadSizer", "TARGET_S", "FIRST_BYTES", "LEAST_BYTES"]

TARGET_S = 0.5  # per request: the longest a cancel waits for the request in flight (goal: 1 s)
FIRST_BYTES = 256 * 1024
LEAST_BYTES = 16 * 1024
_ROUND = 16 * 1024  # sizes in whole 16 KiB: fewer odd ranges in logs, no effect on speed


class ReadSizer:
    """`next_size()` before a request, `record(nbytes, seconds)` after it."""

    def __init__(self, most: int, *, target_s: float = TARGET_S, first: int = FIRST_BYTES,
                 least: int = LEAST_BYTES) -> None:
        self.most = max(1, int(most))
        self._target_s = target_s
        self._first = max(1, min(first, self.most))
        self._least = max(1, min(least, self.most))
        self._rate: float | None = None  # bytes/s, smoothed over recent requests
        self._lock = threading.Lock()

    @property
    def bytes_per_second(self) -> float | None:
        return self._rate

    def next_size(self) -> int:
        with self._lock:
            rate = self._rate
        if rate is None:
            return self._first
        size = int(rate * self._target_s)
        if size > _ROUND:
            size -= size % _ROUND
        return max(self._least, min(self.most, size))

    def record(self, nbytes: int, seconds: float) -> None:
        if nbytes <= 0:
            return
        rate = nbytes / max(seconds, 1e-3)
        with self._lock:
            # A slowdown counts at once (the next request must not overrun); a speedup by halves,
            # so one lucky request does not make the next one too large.
            self._rate = rate if self._rate is None or rate < self._rate else (self._rate + rate) / 2
