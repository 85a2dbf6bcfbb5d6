"""`AdaptiveLimit`: a refusal slows the request that was refused (the backend's backoff), not the
pool; only frequent refusals shrink the pool, once per burst, and successes grow it back."""

from __future__ import annotations

import threading

from colab_panel.staging.pacing import AdaptiveLimit


def test_a_sporadic_refusal_neither_shrinks_nor_pauses_the_pool() -> None:
    limit = AdaptiveLimit(16)
    for i in range(300):
        if i % 33 == 0:  # 3 %
            limit.rate_limited()
        else:
            limit.succeeded()
    assert limit.shrinks == 0 and limit.limit == 16 and limit.refusals == 10
    taken = [limit.acquire(threading.Event()) for _ in range(16)]  # every slot free at once, no cooldown
    assert all(taken)


def test_frequent_refusals_halve_the_pool_once_per_burst() -> None:
    limit = AdaptiveLimit(16, shrink_every_s=60)
    for _ in range(30):
        limit.rate_limited()
    assert limit.shrinks == 1 and limit.limit == 8


def test_successes_grow_it_back_to_the_cap() -> None:
    limit = AdaptiveLimit(4, grow_after=5, shrink_every_s=0)
    for _ in range(10):
        limit.rate_limited()
    assert limit.limit == 2
    for _ in range(10):
        limit.succeeded()
    assert limit.limit == 4
