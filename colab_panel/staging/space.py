"""Will it fit? Free-space checks in words, and what an archive says it will expand to."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

from colab_panel.errors import InsufficientSpace
from colab_panel.staging.formats import detect_format
from colab_panel.units import human_bytes

BLOCK = 4096  # ext4/overlay allocation unit: a 10 KB file takes 12 KB, an empty one an inode


def disk_footprint(sizes: Iterable[int]) -> int:
    """Bytes a set of files will really take: each rounded up to whole blocks, at least one block."""
    return sum(max(BLOCK, -(-size // BLOCK) * BLOCK) for size in sizes)


def existing_ancestor(path: str | os.PathLike[str]) -> Path:
    """`path` itself or its nearest parent that exists (where the disk usage can be read)."""
    p = Path(os.path.abspath(path))
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def mount_point(path: str | os.PathLike[str]) -> Path:
    """The mount point holding `path` (for messages: "only 4.1 GB free on /content")."""
    p = existing_ancestor(path)
    while not os.path.ismount(p) and p != p.parent:
        p = p.parent
    return p


def free_bytes(path: str | os.PathLike[str]) -> int:
    """Bytes this user can still write on the filesystem that holds (or would hold) `path`."""
    return shutil.disk_usage(existing_ancestor(path)).free


def check_space(dest: str | os.PathLike[str], needed_bytes: int) -> None:
    """Raise InsufficientSpace with a sentence if `needed_bytes` will not fit where `dest` is."""
    free = free_bytes(dest)
    if needed_bytes > free:
        raise InsufficientSpace(
            f"Not enough disk space: this needs {human_bytes(needed_bytes)}, only {human_bytes(free)} "
            f"free on {mount_point(dest)}.")


def declared_size(archive: str | os.PathLike[str]) -> int | None:
    """What `archive` says it expands to, in bytes, or None when it cannot tell without reading it all.

    zip: the central directory's sum of `file_size`. Uncompressed tar: the archive's own size
    (headers make it a slight overestimate). tar.zst: the frame's content size when the writer
    recorded it. Other compressed tars: None (gzip's size trailer wraps at 4 GiB, so it lies).
    """
    fmt = detect_format(archive)
    if fmt is None:
        return os.path.getsize(archive)
    if fmt.kind == "zip":
        with zipfile.ZipFile(archive) as zf:
            return sum(i.file_size for i in zf.infolist())
    if fmt.compression is None:
        return os.path.getsize(archive)
    if fmt.compression == "zst":
        import zstandard  # lazy

        with open(archive, "rb") as f:
            size = zstandard.frame_content_size(f.read(18))
        return size if size >= 0 else None
    return None
