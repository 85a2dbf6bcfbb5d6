"""Which local files are finished, so `push()` never sends a checkpoint that is still being written.

A training loop writes a checkpoint in place and in pieces (`torch.save` opens the file, writes
it in many calls, closes it). Uploading it meanwhile sends a prefix that Drive then holds as if
it were the checkpoint. A file is *finished* for a push when:

1. no process holds it open for writing in place: `/proc/<pid>/fd/*` links to it with
   `O_WRONLY`/`O_RDWR` in `/proc/<pid>/fdinfo/<fd>` and no `O_APPEND` (processes this user may
   not read are not seen; on Colab everything runs as one user). A file open only for
   appending (a logger's FileHandler keeps train.log open for the whole run) is not refused for
   that alone: its bytes so far never change, so it goes by the next rule, like a closed file;
2. and it did not change over a settle interval: a writer that opens, writes a piece and
   closes again holds no fd between pieces, so size, mtime and inode are read twice,
   `settle_s` apart (only for files modified less than `settle_s` ago: others cost nothing).

What the upload then reads is checked once more after it (see `sync.py`): a file whose
snapshot changed while it was sent is left for the next push, never called verified.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

_PROC = Path("/proc")
_ACCESS_MODE = os.O_ACCMODE if hasattr(os, "O_ACCMODE") else 3


@dataclass(frozen=True)
class Snapshot:
    """What a file looked like at one moment; two equal snapshots mean it did not change between."""

    size_bytes: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> Snapshot | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass(frozen=True)
class Writers:
    """Who holds files open for writing: pids per file, split by how they write."""

    in_place: dict[str, int]  # realpath -> a pid writing it other than by appending
    appending: dict[str, int]  # realpath -> a pid only appending to it


def open_for_writing(paths: Iterable[Path], proc: Path = _PROC) -> Writers:
    """Scan every readable `/proc/<pid>/fd` once for the files in `paths`."""
    wanted = {os.path.realpath(p) for p in paths}
    in_place: dict[str, int] = {}
    appending: dict[str, int] = {}
    if not wanted:
        return Writers(in_place, appending)
    try:
        pids = [entry.name for entry in os.scandir(proc) if entry.name.isdigit()]
    except OSError:
        return Writers(in_place, appending)  # no /proc (macOS): only the settle check applies
    for pid in pids:
        fd_dir = proc / pid / "fd"
        try:
            fds = list(os.scandir(fd_dir))
        except OSError:  # gone, or another user's process
            continue
        for fd in fds:
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target not in wanted:
                continue
            flags = _flags(proc / pid / "fdinfo" / fd.name)
            if flags is None or flags & _ACCESS_MODE == os.O_RDONLY:
                continue
            if flags & os.O_APPEND:
                appending.setdefault(target, int(pid))
            else:
                in_place[target] = int(pid)
    for target in in_place:
        appending.pop(target, None)  # one in-place writer is enough to make it unfinished
    return Writers(in_place, appending)


def _flags(fdinfo: Path) -> int | None:
    try:
        text = fdinfo.read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8)
    return None


@dataclass(frozen=True)
class Readiness:
    """The outcome of `check`: files to leave for the next push (with why), and what the others looked like."""

    unfinished: dict[str, str]  # rel -> why, in words
    snapshots: dict[str, Snapshot]  # rel -> the snapshot the upload must still match afterwards


def check(root: Path, rels: Iterable[str], *, settle_s: float,
          sleep: Callable[[float], None] = time.sleep, now_ns: Callable[[], int] = time.time_ns,
          proc: Path = _PROC) -> Readiness:
    """Sort `rels` (files under `root`) into finished and unfinished; waits at most `settle_s` once."""
    rels = list(rels)
    first = {rel: Snapshot.of(root / rel) for rel in rels}
    unfinished: dict[str, str] = {rel: "it disappeared before it could be sent" for rel, s in first.items() if s is None}
    present = {rel: s for rel, s in first.items() if s is not None}
    settle_ns = int(settle_s * 1e9)
    young = [rel for rel, s in present.items() if now_ns() - s.mtime_ns < settle_ns]
    if young:
        newest = max(present[rel].mtime_ns for rel in young)
        sleep(min(settle_s, max(0.0, (newest + settle_ns - now_ns()) / 1e9)))
    writers = open_for_writing([root / rel for rel in rels if rel not in unfinished], proc)
    snapshots: dict[str, Snapshot] = {}
    for rel in rels:
        if rel in unfinished:
            continue
        real = os.path.realpath(root / rel)
        if real in writers.in_place:
            unfinished[rel] = f"still being written (open for writing by pid {writers.in_place[real]})"
            continue
        if rel in young and Snapshot.of(root / rel) != first[rel]:
            unfinished[rel] = f"still being written (it changed within the last {settle_s:g} s)"
            continue
        snapshots[rel] = Snapshot.of(root / rel) or present[rel]
    return Readiness(unfinished, snapshots)
