"""Small objects of an async fsspec store (s3fs, gcsfs, ...) fetched as tasks on the store's own event loop.

A prefix of many small objects is bound by round trips, not bytes: what pays is requests in
flight, as long as the store answers them no slower for it. `fetch_folder` gives each request a thread, which waits on the store's loop anyway and
writes through a resumable `.part` with its sidecar; for an object of a few KiB that is most of
the cost. Here up to `in_flight` whole-object GETs (`_cat_file`, one ranged request each) run
as tasks on the loop the store already has, and the calling thread writes each object as it
arrives: size and md5 checked in memory, written under the download folder, renamed to its
final name, recorded in the manifest.

How many are in flight is found, not fixed (`Window`). The first GET goes alone: its time is
the round trip with nothing queued. Then `FIRST_WINDOW` go at once, and each answer that comes
back within twice the fastest seen lets one more start (one round trip doubles the window, as
TCP's slow start), up to `in_flight`. A store far away keeps answering in about one round trip
however many wait, so the window grows to the cap; a server that is itself the bottleneck
answers later the more are queued, so it stays small. Measured against moto on loopback (one
GIL-bound process): 64 in flight made it spend 1.4-3.6 s of CPU on 500 GETs where 16 cost it
0.9 s, and the whole prefix took longer than `s3fs.get` with its 10 connections.

Only the plain case is done here. An object this pass does not finish (any error, a wrong md5
or size) is left to `fetch_folder`, which retries it with its adaptive limit and reports what
fails in words; after the first error no new request starts here, so a rate limit is met by
`fetch_folder`'s backoff, not by more requests. Cancel stops at once: requests in flight are
cancelled, what finished stays recorded. At most `in_flight` objects are held in memory.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colab_panel.disk import writing
from colab_panel.disk.atomic import part_path
from colab_panel.staging.manifest import Manifest
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.remote_folder import DOWNLOAD_DIR, RemoteEntry

if TYPE_CHECKING:
    import asyncio

__all__ = ["BATCH_MAX_BYTES", "FIRST_WINDOW", "IN_FLIGHT", "Window", "batchable", "fetch_small_objects"]

IN_FLIGHT = 64  # the most requests at once: 500 objects at a 100 ms round trip take ~8 round trips, not ~50
FIRST_WINDOW = 16  # requests at once after the first: as many as fetch_folder's workers
SLOWER_THAN_BEST = 2.0  # an answer this many times slower than the fastest: requests are queueing
BATCH_MAX_BYTES = 1024 * 1024  # held whole in memory: at most IN_FLIGHT x this at once
_DONE = object()  # the loop's last word on the queue


def batchable(fs: Any, entry: RemoteEntry, dest: Path) -> bool:
    """Whether `entry` is a plain case: a small object of an async store, with nothing of it on disk yet."""
    if not (getattr(fs, "async_impl", False) and hasattr(fs, "_cat_file") and getattr(fs, "loop", None)):
        return False
    if not 0 < entry.size <= BATCH_MAX_BYTES or not hasattr(entry.source, "path"):
        return False
    # a final file is re-hashed, a kept part resumed, by fetch_folder
    return not (os.path.lexists(dest / entry.relpath)
                or os.path.lexists(part_path(dest / DOWNLOAD_DIR / entry.relpath)))


class Window:
    """How many requests may be in flight: grows by one per answer as fast as the fastest seen, up to `cap`."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.size = 1  # the first request goes alone: its time is a round trip with nothing queued
        self.best_s: float | None = None

    def answered(self, took_s: float) -> int:
        """Record one answer's time; return how many more requests may now start (beyond its own slot)."""
        added = 0
        if self.best_s is None:  # the lone first one: open the window
            added = min(FIRST_WINDOW, self.cap) - self.size
        elif took_s <= SLOWER_THAN_BEST * self.best_s and self.size < self.cap:
            added = 1
        self.best_s = took_s if self.best_s is None else min(self.best_s, took_s)
        self.size += added
        return added


def fetch_small_objects(fs: Any, entries: list[RemoteEntry], dest: Path, manifest: Manifest, *,
                        tracker: ProgressTracker, cancel: threading.Event | None,
                        in_flight: int = IN_FLIGHT) -> set[str]:
    """Fetch `entries` (each `batchable`) into `dest`; return the relpaths done (the rest: fetch_folder's).

    Raises `writing.Cancelled` on cancel, as `fetch_folder` does.
    """
    import asyncio  # here: `import colab_panel` stays fast

    results: queue.SimpleQueue[Any] = queue.SimpleQueue()
    halt = threading.Event()  # set on the first error: start no more requests
    loop = fs.loop
    slots: asyncio.Semaphore | None = None
    window = Window(in_flight)

    async def get(entry: RemoteEntry) -> None:
        started = loop.time()
        try:
            data = await fs._cat_file(entry.source.path, start=0, end=entry.size)  # type: ignore[attr-defined]
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the store's own types; fetch_folder words them
            results.put((entry, error))
        else:
            for _ in range(window.answered(loop.time() - started)):
                _release(slots)
            results.put((entry, data))

    async def drive() -> None:
        nonlocal slots
        slots = asyncio.Semaphore(window.size)  # released by the writer once an object is on disk; grown by get
        tasks: set[asyncio.Task[None]] = set()
        try:
            for entry in entries:
                await slots.acquire()
                if halt.is_set():
                    break
                task = asyncio.ensure_future(get(entry))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            while tasks:
                await asyncio.wait(list(tasks))
        finally:
            for task in tasks:
                task.cancel()
            results.put(_DONE)

    downloads = dest / DOWNLOAD_DIR
    for folder in sorted({os.path.dirname(e.relpath) for e in entries}):
        os.makedirs(dest / folder, exist_ok=True)
        os.makedirs(downloads / folder, exist_ok=True)
    future = asyncio.run_coroutine_threadsafe(drive(), loop)
    done: set[str] = set()
    try:
        while True:
            try:
                item = results.get(timeout=0.1)
            except queue.Empty:
                item = None
            tracker.emit()
            manifest.save_if_due()
            writing.check_stop(cancel)
            if item is _DONE:
                break
            if item is None:
                continue
            entry, outcome = item
            try:
                if isinstance(outcome, BaseException):
                    halt.set()
                elif _write(outcome, entry, dest / entry.relpath, downloads):
                    manifest.files[entry.relpath] = {"size": entry.size, "md5": entry.md5} if entry.md5 \
                        else {"size": entry.size}
                    tracker.add(entry.size, 1)
                    done.add(entry.relpath)
            finally:
                loop.call_soon_threadsafe(_release, slots)
    finally:
        halt.set()
        future.cancel()  # if still running (cancel, a failed write): its task and requests are cancelled
        manifest.save()  # also on cancel: a rerun fetches only the rest
    return done


def _release(slots: asyncio.Semaphore | None) -> None:
    if slots is not None:
        slots.release()


def _write(data: bytes, entry: RemoteEntry, final: Path, downloads: Path) -> bool:
    """Check `data` against the listing and put it at `final` (through a part file); False if wrong."""
    if len(data) != entry.size or (entry.md5 and hashlib.md5(data).hexdigest() != entry.md5.lower()):
        return False  # fetch_folder fetches it again and, if still wrong, says so
    staged = part_path(downloads / entry.relpath)  # a crash leaves it without a record: never resumed
    with open(staged, "wb") as out:
        out.write(data)
    os.replace(staged, final)
    return True
