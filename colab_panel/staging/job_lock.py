"""One run at a time per destination or push target, across threads and processes.

    with job_lock("stage", str(dest), f"'{dest}'", "staged"):      # raises JobBusy in words
        ...

Why: two `stage()` calls into one folder interleave their writes (a file gets its bytes
twice and the second run's manifest calls the result complete), and two `push()` calls into
one Drive folder both see a file missing and both create it. Whoever comes second waits a
little (the first may be about to finish) and is then refused with `JobBusy`, which names
the holder's pid.

How: `fcntl.flock` on a small lock file under the state dir (`$COLAB_PANEL_STATE_DIR`, else
`$XDG_STATE_HOME/colab_panel`, else `~/.local/state/colab_panel`), one per target, named by a
hash of the target. flock locks belong to an open file description, so two opens in one
process exclude each other as two processes do (threads, cells, the periodic push and "Push
now"), and the kernel drops the lock when its holder dies (even by `kill -9`): no stale locks.
The files stay (they are tiny): deleting a lock file another run may be opening is a race.
Two different machines (two Colab VMs pushing into one Drive folder) are not covered.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from colab_panel.errors import JobBusy

DEFAULT_WAIT_S = 2.0  # how long a second run waits for the first before it is refused ($COLAB_PANEL_LOCK_WAIT_S)
_POLL_S = 0.05
JobKind = Literal["stage", "push"]  # a lock per staging destination, and per Drive folder pushed to


def default_wait_s() -> float:
    try:
        return max(0.0, float(os.environ.get("COLAB_PANEL_LOCK_WAIT_S", DEFAULT_WAIT_S)))
    except ValueError:
        return DEFAULT_WAIT_S


def state_dir() -> Path:
    """Where colab_panel keeps small state of its own (lock files)."""
    override = os.environ.get("COLAB_PANEL_STATE_DIR")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "colab_panel"


def lock_path(kind: JobKind, target: str) -> Path:
    digest = hashlib.sha256(target.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return state_dir() / "locks" / f"{kind}-{digest}.lock"


@contextmanager
def job_lock(kind: JobKind, target: str, label: str, doing: str, *, wait_s: float | None = None) -> Iterator[None]:
    """Hold the lock for `kind`+`target` for the block; refuse with JobBusy after `wait_s`.

    `label` names the target in the message ("'/content/data/x'"), `doing` the job in the
    passive ("staged", "pushed to").
    """
    path = lock_path(kind, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        _acquire(fd, label, doing, default_wait_s() if wait_s is None else wait_s)
    except BaseException:
        os.close(fd)
        raise
    try:
        holder = json.dumps({"pid": os.getpid(), "thread": threading.current_thread().name,
                             "since": time.strftime("%H:%M:%S"), "target": target}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder, 0)
        yield
    finally:
        try:
            os.ftruncate(fd, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _acquire(fd: int, label: str, doing: str, wait_s: float) -> None:
    deadline = time.monotonic() + max(0.0, wait_s)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise _busy(fd, label, doing) from None
            time.sleep(_POLL_S)


def _busy(fd: int, label: str, doing: str) -> JobBusy:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        holder = {}
    pid = holder.get("pid")
    if pid == os.getpid():
        who = f"another run in this process (pid {pid}, {holder.get('thread', 'another thread')}"
    elif pid:
        who = f"another run (pid {pid}"
    else:
        who = "another run (pid unknown"
    since = f", since {holder['since']})" if holder.get("since") else ")"
    error = JobBusy(f"{label} is already being {doing} by {who}{since}. Two runs at once would mix their "
                    "files, so this one did nothing: wait for the other to finish (or cancel it) and run "
                    "this again.", pid=pid if isinstance(pid, int) else None)
    return error
