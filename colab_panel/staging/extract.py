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

from colab_panel.errors import InsufficientSpace, StagingCancelled, StagingError
from colab_panel.disk import writing
from colab_panel.staging import fast_zlib
from colab_panel.staging.extract_inputs import archive_file, bounded, check_options, check_stream, destination, shown
from colab_panel.staging.formats import detect_format
from colab_panel.staging.output_limit import DEFAULT_MAX_RATIO, OutputLimit
from colab_panel.staging.progress import ProgressArg, ProgressTracker, resolve_progress
from colab_panel.staging.readable import Readable
from colab_panel.staging.space import free_bytes, mount_point
from colab_panel.staging.tar_extract import extract_tar
from colab_panel.units import human_bytes
from colab_panel.staging.zip_extract import extract_zip


def default_workers() -> int:
    """Writer threads for zip extraction: one per core, at least 2 (writes wait on the disk), at most 8."""
    return max(2, min(8, os.cpu_count() or 2))


def extract_archive(archive: str | os.PathLike[str], dest: str | os.PathLike[str], *,
                    progress: ProgressArg = None, cancel: threading.Event | None = None,
                    workers: int | None = None, max_bytes: int | None = None,
                    max_ratio: float | None = DEFAULT_MAX_RATIO) -> list[Path]:
    """Extract a zip or tar (.gz/.bz2/.xz/.zst) archive into `dest` safely; return the paths written.

    The format is read from the file's first bytes, not its name. The returned list holds every
    regular file and symlink extracted (not folders), as paths under `dest`, in archive order.

    - `progress`: None, "tqdm", or a callable taking a `Progress`; called from this thread.
      For zip, bytes count extracted content; for tar, compressed bytes read from the archive.
    - `cancel`: set this `threading.Event` from another thread to stop; raises StagingCancelled.
    - `workers`: zip writer threads (default `default_workers()`); tar is sequential.
    - `max_bytes`: refuse archives that expand past this many bytes (zip: checked up front).
    - `max_ratio`: refuse archives whose output passes this many times the archive's size
      (above 64 MiB; see `output_limit`); None lifts it. Zip is also held to the free space.

    Raises UnsafeArchiveError (a member would land outside `dest`, a link pointing outside, a
    device, overlapping zip members, a member inflating past its declared size, output past
    a limit), InsufficientSpace, StagingCancelled, StagingError.
    """
    archive = archive_file(archive)
    dest = destination(dest)
    check_options(workers=workers, max_bytes=max_bytes, max_ratio=max_ratio, progress=progress, cancel=cancel)
    with errors_in_words(archive.name, dest):
        fmt = detect_format(archive)
    if fmt is None:
        raise StagingError(f"{archive.name} is not a zip or tar archive this can extract.")
    callback, close = resolve_progress(progress, f"extract {archive.name}")
    tracker = ProgressTracker(callback)
    limit = OutputLimit(max_bytes, max_ratio)
    try:
        with errors_in_words(archive.name, dest):
            if fmt.kind == "zip":
                paths = extract_zip(archive, dest, tracker=tracker, cancel=cancel,
                                    workers=workers or default_workers(), limit=limit)
            else:
                tracker.bytes_total = archive.stat().st_size
                with open(archive, "rb") as f:
                    paths = extract_tar(f, dest, compression=fmt.compression, tracker=tracker,
                                        cancel=cancel, limit=limit, input_size=tracker.bytes_total)
        tracker.emit(force=True)
        return paths
    finally:
        close()


def extract_tar_stream(fileobj: Readable, dest: str | os.PathLike[str], *, compression: str | None = "auto",
                       progress: ProgressArg = None, cancel: threading.Event | None = None,
                       max_bytes: int | None = None, max_ratio: float | None = DEFAULT_MAX_RATIO,
                       bytes_total: int | None = None,
                       verify: Callable[[], None] | None = None) -> list[Path]:
    """Extract a tar from a sequential stream (an HTTP response, a pipe) into `dest`, all or nothing.

    `compression`: "auto" (sniff magic bytes), None, "gz", "bz2", "xz" or "zst".
    `bytes_total`: the stream's length if known, for progress. `verify`: called after the last
    member and before anything is moved into `dest`; raise from it (e.g. ChecksumMismatch after
    hashing the downloaded bytes) to reject the whole extraction. `max_bytes`, `max_ratio`: as
    for `extract_archive`; the ratio counts the stream's bytes read so far.
    """
    dest = destination(dest)
    check_stream(fileobj, compression, bytes_total, verify)
    check_options(max_bytes=max_bytes, max_ratio=max_ratio, progress=progress, cancel=cancel)
    callback, close = resolve_progress(progress, "extract")
    tracker = ProgressTracker(callback, bytes_total=bytes_total)
    try:
        with errors_in_words("the tar stream", dest):
            paths = extract_tar(fileobj, dest, compression=compression, tracker=tracker, cancel=cancel,
                                limit=OutputLimit(max_bytes, max_ratio), verify=verify)
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
        from colab_panel.staging.kept import cancelled_in_words  # after the workers stopped: counts the disk

        raise StagingCancelled(cancelled_in_words(dest)) from None
    except StagingError as e:
        raise bounded(e) from None
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientSpace(
                f"The disk filled up while extracting {what} into {shown(dest)} (only {human_bytes(free_bytes(dest))} "
                f"free on {mount_point(dest)}); the partial extraction was removed.") from None
        if e.errno is None:  # gzip/bz2 report bad data as OSError without an errno
            raise StagingError(f"{what} is corrupt ({e}); nothing was extracted.") from None
        raise StagingError(f"Extracting {what} into {shown(dest)} failed: {e.strerror or shown(str(e))}; "
                           "nothing was kept.") from e
    except _CORRUPT as e:
        raise StagingError(f"{what} is corrupt or truncated ({e}); nothing was extracted.") from None
    except Exception as e:
        if type(e).__module__.startswith("zstandard") or isinstance(e, fast_zlib.loaded_errors()):
            raise StagingError(f"{what} is corrupt ({e}); nothing was extracted.") from None
        raise
