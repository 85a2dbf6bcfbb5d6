"""Bounded retries with exponential backoff and full jitter, for Drive calls.

    policy = RetryPolicy(max_attempts=6, max_total_s=120)        # sleep/clock/rng injectable
    result = policy.call(lambda: request.execute(...), is_retryable=..., on_retry=reset_connection)

What is worth retrying is decided by the caller (`colab_panel.drive.errors.classify`); this
module only schedules attempts. A `Retry-After` the server sent wins over the computed delay
(capped at `max_delay_s`). Attempts stop at `max_attempts` or when the next sleep would cross
`max_total_s`, and the last exception is re-raised for the caller to translate.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

__all__ = ["RetryPolicy", "NO_RETRY"]

T = TypeVar("T")


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    max_total_s: float = 120.0
    base_delay_s: float = 1.0
    max_delay_s: float = 32.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def delay_for(self, attempt: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt counts from 1)."""
        if retry_after_s is not None:
            return min(max(retry_after_s, 0.0), self.max_delay_s)
        ceiling = min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))
        # "Full jitter" keeps many clients that failed together from retrying together,
        # with a floor of half the step so a retry is never immediate.
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def call(
        self,
        fn: Callable[[], T],
        *,
        is_retryable: Callable[[BaseException], bool],
        retry_after: Callable[[BaseException], float | None] = lambda exc: None,
        on_retry: Callable[[BaseException, int, float], None] | None = None,
    ) -> T:
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except Exception as exc:
                if not is_retryable(exc) or attempt >= self.max_attempts:
                    raise
                delay = self.delay_for(attempt, retry_after(exc))
                if self.clock() - started + delay > self.max_total_s:
                    raise
                if on_retry is not None:
                    on_retry(exc, attempt, delay)
                self.sleep(delay)


NO_RETRY = RetryPolicy(max_attempts=1)
