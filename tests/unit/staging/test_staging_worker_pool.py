"""The staging worker pool: every task done once, the first failure stops the rest, retries, cancel, no thread left."""

from __future__ import annotations

import threading

import pytest

from colab_panel.disk import writing
from colab_panel.staging.worker_pool import WorkerPool


def _pool_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("test-pool")]


def test_every_task_runs_once_and_ticks_stay_on_the_callers_thread() -> None:
    done: list[int] = []
    lock = threading.Lock()
    tick_threads: set[int] = set()

    def work(n: int) -> None:
        with lock:
            done.append(n)

    WorkerPool(work, workers=4, name="test-pool").run(range(500), tick=lambda: tick_threads.add(threading.get_ident()))
    assert sorted(done) == list(range(500))
    assert tick_threads == {threading.get_ident()}
    assert _pool_threads() == []


def test_the_first_failure_is_raised_and_no_queued_task_starts_after_it() -> None:
    started: list[int] = []

    def work(n: int) -> None:
        started.append(n)
        if n == 0:
            raise ValueError("task 0 failed")
        pool.stop.wait(5)

    pool = WorkerPool(work, workers=2, name="test-pool")
    with pytest.raises(ValueError, match="task 0 failed"):
        pool.run(range(100))
    assert pool.stop.is_set()
    assert len(started) <= 3  # task 0, the one running beside it, at most one more taken before the stop
    assert _pool_threads() == []


def test_retry_queues_a_task_again_and_may_raise_its_own_error() -> None:
    tries: dict[str, int] = {"a": 0, "b": 0}

    def work(task: tuple[str, int]) -> None:
        name, attempt = task
        tries[name] += 1
        if attempt < 2:
            raise ConnectionError(name)

    def retry(task: tuple[str, int], error: BaseException) -> tuple[str, int] | None:
        name, attempt = task
        if name == "b" and attempt == 1:
            raise LookupError(f"{name} gave up") from error
        return name, attempt + 1

    with pytest.raises(LookupError, match="b gave up"):
        WorkerPool(work, workers=1, name="test-pool").run([("a", 0), ("b", 0)], retry=retry)
    assert tries["b"] == 2
    tries.update(a=0, b=0)
    WorkerPool(work, workers=2, name="test-pool").run([("a", 0)], retry=retry)
    assert tries["a"] == 3


def test_cancel_raises_cancelled_and_waits_for_the_task_in_flight() -> None:
    cancel = threading.Event()
    finished: list[int] = []

    def work(n: int) -> None:
        if n == 1:
            cancel.set()
        pool.stop.wait(5)  # a task in flight checks the pool's stop between its requests
        finished.append(n)

    pool = WorkerPool(work, workers=2, name="test-pool")
    with pytest.raises(writing.Cancelled):
        pool.run(range(50), cancel=cancel)
    assert _pool_threads() == []  # run() returned only once the tasks in flight ended
    assert len(finished) < 50


def test_check_stops_the_pool_with_its_own_error() -> None:
    aborted = threading.Event()

    def check() -> None:
        if aborted.is_set():
            raise RuntimeError("a sibling failed")

    def work(n: int) -> None:
        aborted.set()
        pool.stop.wait(5)

    pool = WorkerPool(work, workers=3, name="test-pool")
    with pytest.raises(RuntimeError, match="a sibling failed"):
        pool.run(range(10), check=check)
    assert _pool_threads() == []


def test_no_tasks_start_no_threads() -> None:
    ticks: list[int] = []
    WorkerPool(lambda n: None, workers=8, name="test-pool").run([], tick=lambda: ticks.append(1))
    assert ticks == [] and _pool_threads() == []
