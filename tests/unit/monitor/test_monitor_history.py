"""RingHistory: bounded columnar storage and the deltas charts are built from."""

from __future__ import annotations

import pytest

from colab_panel.monitor.history import RingHistory


def test_wraps_keeping_the_newest_rows_in_order():
    history = RingHistory(["a", "b"], capacity=4)
    for i in range(6):
        history.append(float(i), [i * 1.5, None if i % 2 else 7])
    assert len(history) == 4
    assert history.since(None) == {"t": [2.0, 3.0, 4.0, 5.0],
                                   "series": {"a": [3, 4.5, 6, 7.5], "b": [7, None, 7, None]}}


def test_since_returns_only_newer_rows_across_the_wrap():
    history = RingHistory(["x"], capacity=5)
    for i in range(8):
        history.append(float(i), [i])
    assert history.since(4.0)["t"] == [5.0, 6.0, 7.0]
    assert history.since(4.5)["series"]["x"] == [5, 6, 7]
    assert history.since(7.0) == {"t": [], "series": {"x": []}}
    assert history.since(-1.0)["t"] == [3.0, 4.0, 5.0, 6.0, 7.0]


def test_missing_readings_are_none_and_whole_numbers_are_ints():
    history = RingHistory(["bytes", "percent"], capacity=3)
    history.append(1.0, [16106127360, None])
    history.append(2.0, [None, 27.5])
    series = history.since(None)["series"]
    assert series["bytes"] == [16106127360, None] and isinstance(series["bytes"][0], int)
    assert series["percent"] == [None, 27.5]


def test_timestamps_strictly_increase_even_if_the_clock_does_not():
    history = RingHistory(["x"], capacity=10)
    stored = [history.append(t, [0]) for t in (5.0, 5.0, 4.0, 6.0)]
    assert all(a < b for a, b in zip(stored, stored[1:]))
    assert history.last_t == stored[-1] == 6.0


def test_short_rows_fill_with_missing_and_memory_is_bounded():
    history = RingHistory([f"c{i}" for i in range(45)], capacity=3600)
    history.append(1.0, [1.0])
    assert history.since(None)["series"]["c44"] == [None]
    # One hour of eight GPUs at 1 Hz stays far below the 10 MB budget.
    assert history.nbytes == 46 * 3600 * 8 < 10 * 1024 * 1024


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        RingHistory(["x"], capacity=0)
