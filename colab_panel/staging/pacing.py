"""How many downloads run at once: a cap that halves on rate limits and creeps back on success.

The Drive backend already retries a rate-limited request with backoff. A worker pool on top of
it must not multiply that load: if 16 workers each keep retrying, Drive sees 16x the pressure
that made it refuse. So every worker takes a slot from `AdaptiveLimit` before each request;
a rate-limit signal (a 403/429 the backend saw, or a `DriveQuotaExceeded` it gave up on)
halves the number of slots and holds new requests back for a cooldown; every `grow_after`
successes in a row give one slot back, up to the cap (AIMD, as TCP does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class AdaptiveLimit:
    """A resizable semaphore. `with limit.slot(): request()`; call `rate_limited()` when refused."""

    def __init__(self, cap: int, *, minimum: int = 1, grow_after: int = 20, cooldown_s: float = 1.0) -> None:
        if cap < 1:
            raise ValueError("cap must be at least 1")
        self.cap = cap
        self.minimum = max(1, min(minimum, cap))
        self.limit = cap  # slots allowed now
        self.grow_after = grow_after
        self.cooldown_s = cooldown_s
        self.shrinks = 0  # how often a rate limit made us back off (tests and reports read it)
        self._in_use = 0
        self._streak = 0
        self._resume_at = 0.0
        self._cond = threading.Condition()

    @contextmanager
    def slot(self, stop: threading.Event | None = None) -> Iterator[bool]:
        """Hold a slot for the block; yields False (holding none) if `stop` was set while waiting."""
        acquired = self.acquire(stop)
        try:
            yield acquired
        finally:
            if acquired:
                self.release()

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Wait for a free slot (and the end of a cooldown): True, or False if `stop` got set first."""
        with self._cond:
            while True:
                if stop is not None and stop.is_set():
                    return False
                wait = self._resume_at - time.monotonic()
                if wait <= 0 and self._in_use < self.limit:
                    self._in_use += 1
                    return True
                # Bounded waits so a stop event set without a notify is still seen promptly.
                self._cond.wait(timeout=min(0.1, wait) if wait > 0 else 0.1)

    def release(self) -> None:
        with self._cond:
            self._in_use = max(0, self._in_use - 1)
            self._cond.notify()

    def succeeded(self) -> None:
        with self._cond:
            self._streak += 1
            if self._streak >= self.grow_after and self.limit < self.cap:
                self.limit += 1
                self._streak = 0
                self._cond.notify()

    def rate_limited(self) -> None:
        """Drive said "slow down": halve the slots and pause new requests for the cooldown."""
        with self._cond:
            self._streak = 0
            self.shrinks += 1
            self.limit = max(self.minimum, self.limit // 2)
            self._resume_at = max(self._resume_at, time.monotonic() + self.cooldown_s)
