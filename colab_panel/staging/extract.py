"""The public extraction calls: `extract_archive()` for a file, `extract_tar_stream()` for a stream.

Both are all-or-nothing: the result appears under `dest` only once every member has been
written and checked; on any error (hostile member, corrupt data, disk full, cancel) `dest` is
left exactly as it was. Errors are `colab_panel.errors` classes with a sentence for the user.
"""

from __future__ import annotations

import errno
import lzma
import os
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from colab_panel.errors import InsufficientSpace, StagingCancelled, StagingError
from colab_panel.inputs import shown, user_folder, user_number, user_path
from colab_panel.staging import writing
from colab_panel.staging.formats import detect_format
from colab_panel.staging.progress import ProgressArg, ProgressTracker, resolve_progress
from colab_panel.staging.space import free_bytes, mount_point
from colab_panel.staging.tar_extract import extract_tar
from colab_panel.units import human_bytes
from colab_panel.staging.zip_extract import extract_zip


def default_workers() -> int:
    """Writer threads for zip extraction: one per core, at least 2 (writes wait on the disk), at most 8."""
    return max(2, min(8, os.cpu_count() or 2))


def extract_archive(archive: str | os.PathLike[str], dest: str | os.PathLike[str], *,
                    progress: ProgressArg = None, cancel: threading.Event | None = None,
                    workers: int | None = None, max_bytes: int | None = None) -> list[Path]:
    """Extract a zip or tar (.gz/.bz2/.xz/.zst) archive into `dest` safely; return the paths written.

    The format is read from the file's first bytes, not its name. The returned list holds every
    regular file and symlink extracted (not folders), as paths under `dest`, in archive order.

    - `progress`: None, "tqdm", or a callable taking a `Progress`; called from this thread.
      For zip, bytes count extracted content; for tar, compressed bytes read from the archive.
    - `cancel`: set this `threading.Event` from another thread to stop; raises StagingCancelled.
    - `workers`: zip writer threads (default `default_workers()`); tar is sequential.
    - `max_bytes`: refuse archives that expand past this many bytes (zip: checked up front).

    Raises UnsafeArchiveError (a member would land outside `dest`, a hard link, a device, a
    member inflating past its declared size), InsufficientSpace, StagingCancelled, StagingError.
    """
    archive = user_path(archive, "The archive", StagingError)
    dest = Path(os.path.abspath(user_folder(dest, "The destination", StagingError)))
    if workers is not None:
        user_number(workers, "workers", StagingError, minimum=1, maximum=64, integer=True)
    if max_bytes is not None:
        user_number(max_bytes, "max_bytes", StagingError, minimum=0, maximum=2**63, integer=True)
    if not archive.is_file():
        problem = "is a folder" if archive.is_dir() else "does not exist" if not archive.exists() else "is not a file"
        raise StagingError(f"The archive {shown(str(archive))} {problem}: give the path of a .zip or .tar file.")
    fmt = detect_format(archive)
    if fmt is None:
        raise StagingError(f"{archive.name} is not a zip or tar archive this can extract.")
    callback, close = resolve_progress(progress, f"extract {archive.name}")
    tracker = ProgressTracker(callback)
    try:
        with errors_in_words(archive.name, dest):
            if fmt.kind == "zip":
                paths = extract_zip(archive, dest, tracker=tracker, cancel=cancel,
                                    workers=workers or default_workers(), max_bytes=max_bytes)
            else:
                tracker.bytes_total = archive.stat().st_size
                with open(archive, "rb") as f:
                    paths = extract_tar(f, dest, compression=fmt.compression, tracker=tracker,
                                        cancel=cancel, max_bytes=max_bytes)
        tracker.emit(force=True)
        return paths
    finally:
        close()


def extract_tar_stream(fileobj: BinaryIO, dest: str | os.PathLike[str], *, compression: str | None = "auto",
                       progress: ProgressArg = None, cancel: threading.Event | None = None,
                       max_bytes: int | None = None, bytes_total: int | None = None,
                       verify: Callable[[], None] | None = None) -> list[Path]:
    """Extract a tar from a sequential stream (an HTTP response, a pipe) into `dest`, all or nothing.

    `compression`: "auto" (sniff magic bytes), None, "gz", "bz2", "xz" or "zst".
    `bytes_total`: the stream's length if known, for progress. `verify`: called after the last
    member and before anything is moved into `dest`; raise from it (e.g. ChecksumMismatch after
    hashing the downloaded bytes) to reject the whole extraction.
    """
    dest = Path(os.path.abspath(dest))
    callback, close = resolve_progress(progress, "extract")
    tracker = ProgressTracker(callback, bytes_total=bytes_total)
    try:
        with errors_in_words("the tar stream", dest):
            paths = extract_tar(fileobj, dest, compression=compression, tracker=tracker, cancel=cancel,
                                max_bytes=max_bytes, verify=verify)
        tracker.emit(force=True)
        return paths
    finally:
        close()


_CORRUPT: tuple[type[BaseException], ...] = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error,
                                              lzma.LZMAError)


@contextmanager
def errors_in_words(what: str, dest: Path) -> Iterator[None]:
    """Turn low-level failures into the typed, worded errors the panel shows."""
    try:
        yield
    except writing.Cancelled:
        raise StagingCancelled(f"Extraction of {what} was cancelled; nothing was written to {dest}.") from None
    except StagingError:
        raise
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientSpace(
                f"The disk filled up while extracting {what} into {dest} (only {human_bytes(free_bytes(dest))} "
                f"free on {mount_point(dest)}); the partial extraction was removed.") from None
        if e.errno is None:  # gzip/bz2 report bad data as OSError without an errno
            raise StagingError(f"{what} is corrupt ({e}); nothing was extracted.") from None
        raise StagingError(f"Extracting {what} into {dest} failed: {e.strerror or e}; nothing was kept.") from e
    except _CORRUPT as e:
        raise StagingError(f"{what} is corrupt or truncated ({e}); nothing was extracted.") from None
    except Exception as e:
        if type(e).__module__.startswith("zstandard"):
            raise StagingError(f"{what} is corrupt ({e}); nothing was extracted.") from None
        raise
