"""The one worker pool of staging: tasks done on threads, supervised from the caller's thread.

    pool = WorkerPool(fetch_one, workers=16, name="colab_panel-fetch")
    pool.run(entries, cancel=cancel, tick=save_progress, retry=requeue_if_rate_limited)

Every engine that moves many things at once (a remote folder's files, a large file's byte
ranges, a local folder's files) runs through `run()`, so they stop the same way:

- the caller's thread wakes every `POLL_S` seconds, at a failure and when the last task ends, calls
  `tick` (progress reports, manifest saves: callbacks stay on the caller's thread, which
  Colab needs), then raises `writing.Cancelled` if `cancel` is set and runs `check` (another
  reason to stop, such as an aborted parent);
- the first failure stops the pool, unless `retry(task, error)` hands back a task to queue
  again (a rate-limited file, after the caller slowed down); `retry` may also raise the error
  it wants seen instead;
- however `run()` ends, `stop` is set, no queued task starts, and every thread has ended
  before it returns: a task in flight finishes or fails on its own (tasks check `pool.stop`
  between requests). Nothing outlives the call.

Tasks are taken in the order given (a retried task goes to the back). One queue and one
results queue make each task O(1) for the supervisor, however many thousands a folder holds,
and the supervisor wakes ten times a second, not once per task.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from colab_panel.disk import writing

T = TypeVar("T")

POLL_S = 0.1  # the longest the caller's thread waits between two ticks

_END = object()  # put once per thread: "no more tasks"


def _nothing() -> None:
    pass


class WorkerPool(Generic[T]):
    """`work(task)` for every task, on up to `workers` threads named `name-N`; one `run()` per pool."""

    def __init__(self, work: Callable[[T], None], *, workers: int, name: str) -> None:
        self.stop = threading.Event()  # set when the pool ends: tasks in flight check it between requests
        self._work = work
        self._workers = max(1, workers)
        self._name = name
        self._wake = threading.Event()  # set on a failure or when no task is left: the supervisor looks now
        self._lock = threading.Lock()
        self._unfinished = 0  # tasks queued or running

    def run(self, tasks: Iterable[T], *, cancel: threading.Event | None = None,
            tick: Callable[[], None] = _nothing, check: Callable[[], None] = _nothing,
            retry: Callable[[T, BaseException], T | None] | None = None) -> None:
        todo: queue.SimpleQueue[object] = queue.SimpleQueue()
        finished: queue.SimpleQueue[tuple[T, BaseException | None]] = queue.SimpleQueue()
        pending = 0
        for task in tasks:
            todo.put(task)
            pending += 1
        self._unfinished = pending
        threads = [threading.Thread(target=self._serve, args=(todo, finished), name=f"{self._name}-{n}", daemon=True)
                   for n in range(min(self._workers, pending))]
        for thread in threads:
            thread.start()
        try:
            while pending:
                self._wake.wait(POLL_S)
                self._wake.clear()  # a result put before a wake we clear here is drained just below
                results = _drain(finished)
                tick()
                writing.check_stop(cancel)
                check()
                for task, error in results:
                    pending -= 1
                    if error is None:
                        continue
                    again = retry(task, error) if retry is not None else None
                    if again is None:
                        raise error
                    with self._lock:
                        self._unfinished += 1
                    todo.put(again)
                    pending += 1
        finally:
            self.stop.set()
            for _ in threads:
                todo.put(_END)
            for thread in threads:
                thread.join()

    def _serve(self, todo: queue.SimpleQueue[object], finished: queue.SimpleQueue[tuple[T, BaseException | None]]) -> None:
        while True:
            task = todo.get()
            if task is _END or self.stop.is_set():
                return
            error: BaseException | None = None
            try:
                self._work(task)  # type: ignore[arg-type]  # every item but _END is a T
            except BaseException as failure:  # noqa: BLE001 - handed to the supervisor, which raises it
                error = failure
            finished.put((task, error))  # type: ignore[arg-type]
            with self._lock:
                self._unfinished -= 1
                if error is not None or self._unfinished == 0:
                    self._wake.set()  # a failure, or the last task: the supervisor need not wait out POLL_S


def _drain(finished: queue.SimpleQueue[tuple[T, BaseException | None]]) -> list[tuple[T, BaseException | None]]:
    """Every result there is now, without waiting."""
    results = []
    while True:
        try:
            results.append(finished.get_nowait())
        except queue.Empty:
            return results
