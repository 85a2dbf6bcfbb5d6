"""Our temporary files: written then renamed into place, removed on failure, swept once orphaned.

A sidecar (the manifest, a `.part.ranges` record) is saved as `<name>.<pid>.<thread>.tmp` and
renamed over `<name>`. If writing fails (disk full), the temp file goes with the error; if the
process dies mid-write (kill -9, a kernel restart), the next run removes every
`<name>.<pid>[.<anything>].tmp` whose process is gone. Only names of that exact shape next to
a sidecar we are about to read are touched, never another program's `*.tmp`, and never one a
live process (possibly another kernel writing the same folder) may still rename.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path


def replace_with_text(path: Path, text: str, *, fsync: bool = False, mode: int | None = None) -> None:
    """Write `text` to `path` atomically: readers see the old or the new content, never half.

    `mode` (e.g. 0o600 for a secret): the file's permission bits from its first byte on, whatever
    the umask or a leftover temp of the same name; without it a new file gets the umask's."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        if mode is None:
            handle = open(tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed by the with below
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
            try:
                os.fchmod(fd, mode)  # open's mode is cut by the umask, and a leftover keeps its own
            except BaseException:
                os.close(fd)
                raise
            handle = open(fd, "w", encoding="utf-8")  # noqa: SIM115
        with handle as f:
            f.write(text)
            if fsync:
                f.flush()
                os.fsync(f.fileno())  # the rename must not land before the bytes do
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def remove_orphaned_temps(path: Path) -> None:
    """Remove `path`'s temp files (see the module doc) left by processes that no longer run."""
    pattern = re.compile(re.escape(path.name) + r"\.(\d+)(\.\d+)?\.tmp")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        if match and not pid_running(int(match.group(1))):
            try:
                os.unlink(path.parent / name)
            except OSError:
                pass


def pid_running(pid: int) -> bool:
    """Whether a process `pid` exists (on this machine). Unsure counts as running."""
    if pid <= 0:
        return True  # kill(0) / kill(-1) would signal groups: never ask
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True
