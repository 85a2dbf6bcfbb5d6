"""The md5 of a file as it is written, hashed from disk on a thread of its own, behind its writer.

    follower = Md5Follower(part_path, size_bytes, on_done=lambda hex_or_none, error: ...)
    follower.advance(committed_bytes)     # after each write: these bytes are on disk
    follower.close()                      # stop early (cancelled, or the panel closed)

Why a follower, and not the writer hashing what it writes: md5 (~560 MB/s on one core here) is
slower than loopback and than any browser's uplink at its best, so hashing in the request's
thread set the upload's pace. Here the writer only says how far the file is committed and
answers at once; a thread reads the committed bytes back (from the page cache, cheap beside
md5) and hashes them, so what is hashed is what is on disk, and resuming in a new process
(the kernel restarted) is the same path: it starts at 0 and catches up. The file is opened at
once and read through that handle only, so renaming it into place meanwhile changes nothing.

No thread runs while the follower is caught up: one starts when `advance` leaves bytes behind
it and ends when it catches up again (or at `close`), so an upload left half-way holds none.
On Linux that thread runs at a nice value 10 above the kernel's (each thread has its own
there): the md5 is for reading later, so it takes the cores the upload (and the user's
training) leave idle rather than sharing them.

When the bytes arrive faster than md5 can follow (more than `LAG_BYTES` behind while
`advance` keeps coming), the follower waits for the last chunk, or for a pause of `PAUSE_S` in
the arrivals, and hashes then. Hashing alongside took ~30 % of a 1 GiB loopback upload's speed
even at nice 10, and could not finish sooner: it was behind already (benchmarks/README,
"Upload: the md5 waits while the upload outruns it"). Below md5's speed (any internet link) it
keeps up as it goes.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["Md5Follower"]

_BLOCK_BYTES = 1024 * 1024
LAG_BYTES = 64 * 1024 * 1024  # this far behind the writer, the follower waits (see above)
PAUSE_S = 0.5  # no `advance` for this long: the writer paused (a dropped connection): hash


class Md5Follower:
    """Hashes `path` up to the committed offset it is told; `on_done(md5_hex, None)` once all
    `size_bytes` are hashed, or `on_done(None, words)` if reading fails. Called once, from the
    follower's thread (or from the constructor, for an empty file); it must not wait for a lock
    that a caller of `close()` may hold."""

    def __init__(self, path: Path, size_bytes: int, on_done: Callable[[str | None, str | None], None]) -> None:
        self.size_bytes = size_bytes
        self._on_done = on_done
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._hashed_bytes = 0
        self._committed_bytes = 0
        self._lock = threading.Lock()
        self._advanced = threading.Condition(self._lock)
        self._last_advance = time.monotonic()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._fd = os.open(path, os.O_RDONLY)  # OSError goes to the caller: it cannot start
        if size_bytes == 0:
            self._finish(None)

    @property
    def hashed_bytes(self) -> int:
        return self._hashed_bytes

    def advance(self, committed_bytes: int) -> None:
        """The file holds its final bytes up to `committed_bytes`: hash them (in the background)."""
        with self._lock:
            if self._closed or committed_bytes <= self._committed_bytes:
                return
            self._committed_bytes = min(committed_bytes, self.size_bytes)
            self._last_advance = time.monotonic()
            if self._committed_bytes == self.size_bytes:
                self._advanced.notify()  # a follower waiting for the last chunk (see _wait_while_outrun)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="colab_panel-upload-md5", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop hashing (what is left is never hashed, `on_done` is not called) and wait for the thread."""
        with self._lock:
            self._closed = True
            self._advanced.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._close_fd()

    def _run(self) -> None:
        _lower_this_threads_priority()
        buffer = bytearray(_BLOCK_BYTES)
        view = memoryview(buffer)
        error = None
        while True:
            with self._lock:  # whether to go on, and whether this thread is the one to finish
                self._wait_while_outrun()
                target = self._committed_bytes
                if self._closed or self._hashed_bytes >= target:
                    self._thread = None  # caught up (or closed): the next advance starts a new thread
                    done = not self._closed and self._hashed_bytes == self.size_bytes
                    self._closed = self._closed or done
                    break
            try:
                got = os.preadv(self._fd, [view[:min(_BLOCK_BYTES, target - self._hashed_bytes)]],
                                self._hashed_bytes)
            except OSError as exc:
                error = f"the md5 could not be computed: reading the file failed ({exc.strerror})"
            else:
                if got == 0:
                    error = "the md5 could not be computed: the file is shorter than its committed bytes"
            if error is not None:
                with self._lock:
                    self._closed, self._thread, done = True, None, True
                break
            self._md5.update(view[:got])  # hashlib lets go of the GIL for blocks this size
            self._hashed_bytes += got
        if done:
            self._finish(error)

    def _wait_while_outrun(self) -> None:
        """Under the lock: wait while the writer is more than LAG_BYTES ahead and still writing."""
        while not self._closed and self._committed_bytes < self.size_bytes \
                and self._committed_bytes - self._hashed_bytes > LAG_BYTES:
            quiet_s = time.monotonic() - self._last_advance
            if quiet_s >= PAUSE_S:
                return
            self._advanced.wait(PAUSE_S - quiet_s)

    def _finish(self, error: str | None) -> None:
        self._close_fd()
        self._on_done(None if error else self._md5.hexdigest(), error)

    def _close_fd(self) -> None:
        with self._lock:
            fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


def _lower_this_threads_priority(by: int = 10) -> None:
    if sys.platform != "linux":  # elsewhere PRIO_PROCESS with a thread's id is not that thread
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + by))
    except OSError:  # not allowed in some sandbox: hashing at the kernel's priority is fine too
        pass
