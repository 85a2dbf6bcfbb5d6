"""Lean file creation shared by the extractors: one open, whole-buffer writes, one close.

No chmod, chown or utime afterwards: those are three more syscalls per file, and for a folder
of 10 KB images syscalls are the whole cost. The executable bit is kept for free by choosing
the mode at open(). O_EXCL|O_NOFOLLOW: the staging area is fresh, so an existing name (or a
symlink planted by the archive) means something is wrong, never "overwrite through it".
"""

from __future__ import annotations

import os
import threading

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
COPY_CHUNK = 4 * 1024 * 1024  # big buffers: fewer syscalls and GIL round trips per byte
# Bytes per write(2). On ext4 (kernel 6.18 here), a write of 1 MB or more into a new file just
# after many files were deleted cost 6-10x the kernel CPU of the same bytes in 256 KB writes
# (512 MB: 0.8-1.4 s vs 0.11-0.17 s of system time, 3 rounds; `cp`'s 64 KB splices never paid it;
# benchmarks/README, "stored member"). 2,000 more syscalls per 512 MB cost ~5 ms.
WRITE_MAX = 256 * 1024


def make_dirs(path: str | os.PathLike[str]) -> None:
    """`os.makedirs(path, exist_ok=True)` without recursion: it recurses once per missing level,
    so a folder chain deeper than the recursion limit raised RecursionError."""
    missing = []
    here = os.path.abspath(path)
    while not os.path.isdir(here):
        missing.append(here)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise


def file_mode(executable: bool) -> int:
    return 0o777 if executable else 0o666  # the process umask trims it, as for any new file


def create(path: str, executable: bool = False) -> int:
    """Open a new file for writing and return its descriptor."""
    return os.open(path, _FLAGS, file_mode(executable))


def write_all(fd: int, data: bytes | memoryview) -> None:
    """os.write until every byte is out (a write may be short near a full disk), `WRITE_MAX` at most a call."""
    if len(data) <= WRITE_MAX:
        n = os.write(fd, data)
        if n == len(data):  # the usual case: no memoryview needed
            return
        view = memoryview(data)[n:]
    else:
        view = memoryview(data)
    while view:
        n = os.write(fd, view[:WRITE_MAX])
        view = view[n:]


def write_new_file(path: str, data: bytes, executable: bool = False) -> None:
    fd = create(path, executable)
    try:
        write_all(fd, data)
    finally:
        os.close(fd)


class Cancelled(Exception):
    """Internal: a worker saw the cancel or stop event. Turned into StagingCancelled by the caller."""


def check_stop(*events: threading.Event | None) -> None:
    for event in events:
        if event is not None and event.is_set():
            raise Cancelled
