"""Wait in a test for something another thread or process does: poll a condition until it holds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll_until(condition: Callable[[], T], timeout_s: float = 10.0, every_s: float = 0.02) -> T:
    """`condition()`'s first truthy value, asked every `every_s` for up to `timeout_s`; after that,
    its last (falsy) value. Write `assert poll_until(lambda: ...), "what never happened"`: the
    limit is how long to wait for a slow machine, never a figure the test checks."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every_s)
