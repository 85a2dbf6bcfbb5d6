"""How many downloads run at once: a cap that shrinks when Drive keeps refusing, and creeps back.

The Drive backend already retries a rate-limited request, each on its own schedule (exponential
backoff with jitter, `drive/retry.py`): that is Drive's advice, and it slows only the request
that was refused. A worker pool on top of it must not multiply the load when Drive really is
overloaded, so every worker takes a slot from `AdaptiveLimit` before each request, and the
number of slots halves when refusals are *frequent*: at least `shrink_share` of the last
`window` outcomes, and at most once per `shrink_every_s` (one burst of refusals is one signal,
as TCP counts one loss per round trip). Every `grow_after` successes in a row give one slot
back, up to the cap (AIMD).

What it does not do: pause everyone at a single refusal. Drive answers a few percent of
requests with 403 userRateLimitExceeded / 429 even when nothing is wrong; halving the pool and
holding all requests back for each of them made a folder with 3 % refusals stage 6x slower than
one without (benchmarks/bench_rate_limits.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class AdaptiveLimit:
    """A resizable semaphore. `with limit.slot(): request()`; call `rate_limited()` when refused."""

    def __init__(self, cap: int, *, minimum: int = 1, grow_after: int = 20, window: int = 50,
                 shrink_share: float = 0.2, shrink_every_s: float = 1.0) -> None:
        if cap < 1:
            raise ValueError("cap must be at least 1")
        self.cap = cap
        self.minimum = max(1, min(minimum, cap))
        self.limit = cap  # slots allowed now
        self.grow_after = grow_after
        self.shrink_share = shrink_share
        self.shrink_every_s = shrink_every_s
        self.shrinks = 0  # how often frequent refusals made us back off (tests and reports read it)
        self.refusals = 0  # rate limits reported in all
        self._window = window
        self._recent: deque[bool] = deque(maxlen=window)  # True: refused
        self._in_use = 0
        self._streak = 0
        self._shrunk_at = float("-inf")
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
        """Wait for a free slot: True, or False if `stop` got set first."""
        with self._cond:
            while True:
                if stop is not None and stop.is_set():
                    return False
                if self._in_use < self.limit:
                    self._in_use += 1
                    return True
                # Bounded waits so a stop event set without a notify is still seen promptly.
                self._cond.wait(timeout=0.1)

    def release(self) -> None:
        with self._cond:
            self._in_use = max(0, self._in_use - 1)
            self._cond.notify()

    def succeeded(self) -> None:
        with self._cond:
            self._recent.append(False)
            self._streak += 1
            if self._streak >= self.grow_after and self.limit < self.cap:
                self.limit += 1
                self._streak = 0
                self._cond.notify()

    def rate_limited(self) -> None:
        """Drive said "slow down" to one request: that request backs off; the pool shrinks only if it is frequent."""
        with self._cond:
            self.refusals += 1
            self._streak = 0
            self._recent.append(True)
            refused = sum(self._recent)
            now = time.monotonic()
            if refused >= self.shrink_share * self._window and now - self._shrunk_at >= self.shrink_every_s:
                self.shrinks += 1
                self.limit = max(self.minimum, self.limit // 2)
                self._shrunk_at = now
