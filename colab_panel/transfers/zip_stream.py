"""A folder written as one zip to a stream, as it is read: no temp copy, memory bounded by one block.

    write_zip(Path("/content/run"), sink.write)      # sink: anything with write(bytes)

`zipfile` writes to a stream it cannot seek by putting each member's CRC and sizes in a data
descriptor after its bytes, so nothing has to be known or held before a member is sent. Members
are stored, not deflated: checkpoints and images barely compress, and deflate would cap the
rate at one core's ~50 MB/s. Sizes of 4 GiB and more get ZIP64 records. A member is read up to
the size it had when listed (a file still growing is cut there, not corrupted); symbolic links
and things that are not regular files or folders are left out, as is a file that vanished.
"""

from __future__ import annotations

import os
import stat
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["BLOCK_BYTES", "write_zip", "zip_members"]

BLOCK_BYTES = 1024 * 1024
_ZIP64_FROM = 2**31  # decide ZIP64 with margin: a member may be listed at one size and read at another


class _Sink:
    """What zipfile needs of an unseekable file: write(), flush() and close(); tell() fails on purpose."""

    def __init__(self, write: Callable[[bytes], object]) -> None:
        self._write = write

    def write(self, data: bytes) -> int:
        self._write(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # zipfile never closes a file it was handed; the stream's owner does


def zip_members(folder: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """(name in the zip, path, lstat) of each regular file and folder under `folder`, sorted."""
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        rel = Path(root).relative_to(folder)
        for name in sorted(files) + dirs:
            path = Path(root, name)
            try:
                info = path.lstat()
            except OSError:
                continue  # vanished while listed
            if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):
                yield (rel / name).as_posix(), path, info


def write_zip(folder: Path, write: Callable[[bytes], object]) -> int:
    """Write `folder`'s tree as a zip through `write`; returns how many files went in."""
    count = 0
    with zipfile.ZipFile(_Sink(write), "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, path, info in zip_members(folder):
            entry = zipfile.ZipInfo(name + ("/" if stat.S_ISDIR(info.st_mode) else ""),
                                    _zip_time(info.st_mtime))
            entry.external_attr = (info.st_mode & 0xFFFF) << 16
            if stat.S_ISDIR(info.st_mode):
                entry.external_attr |= 0x10  # MS-DOS directory bit
                archive.writestr(entry, b"")
                continue
            try:
                source = open(path, "rb")  # noqa: SIM115 - closed below
            except OSError:
                continue
            with source:
                entry.file_size = info.st_size
                remaining = info.st_size
                with archive.open(entry, "w", force_zip64=info.st_size >= _ZIP64_FROM) as member:
                    while remaining > 0:
                        block = source.read(min(BLOCK_BYTES, remaining))
                        if not block:
                            break  # shrank while read: what was there is sent
                        member.write(block)
                        remaining -= len(block)
            count += 1
    return count


def _zip_time(mtime: float) -> tuple[int, int, int, int, int, int]:
    year, month, day, hour, minute, second = time.localtime(max(mtime, 315532800))[:6]  # zip starts in 1980
    return (min(year, 2107), month, day, hour, minute, second)
