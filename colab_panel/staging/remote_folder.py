"""Download a listed remote folder (a Drive folder) to local disk: parallel, verified, resumable.

Input is the folder's listing as `RemoteEntry`s (relative path, size, md5, and a `Source` that
opens the bytes), so this module knows nothing of the Drive API. For each file:

- skipped if the manifest records it done with the same md5 and size, and it is on disk;
- skipped too if it is at its final name with the listing's size and md5 (hashed locally): the
  manifest is saved about once a second, so a run killed (`kill -9`, a kernel restart) had
  finished files it never recorded; a file reaches its final name only once verified, so
  re-hashing it is enough to trust it, and costs a local read instead of a download;
- otherwise fetched into `dest/.colab_panel-download/<relpath>.part` (md5 hashed as the bytes
  arrive), checked against the listing's md5 and size, then renamed to `dest/<relpath>`: no
  half-written file ever carries a dataset name;
- a dropped connection reconnects with a Range request (`ResumingReader`); if it keeps failing
  the `.part` stays, so a rerun fetches only the rest; next to it, `part_source` records which
  version of the file it holds, and a rerun resumes it only if the listing still names that
  version (a file changed on Drive meanwhile is fetched again from the start).

Concurrency: `limit.cap` threads (`worker_pool`), but each request first takes a slot from an
`AdaptiveLimit`, which halves on rate limits (the backend's retries are not multiplied by the pool). A file the
backend gave up on because of a rate limit goes back in the queue (a few times) after the
limit has shrunk, instead of failing the whole folder.

Cancel is a pause: workers stop at the next request, every `.part` stays (with its record),
what finished is in the manifest, and the next stage of the same folder resumes them all. Only
a file whose bytes turned out wrong (md5) loses its `.part`.

Large files: each file goes through `RangedFetch`, so a file that `use_parallel` accepts comes as parallel byte ranges (`parallel_ranges`: a `.part` plus a sidecar of the
finished ranges, so a rerun fetches only the missing ones); the rest stream as above. Those
ranges are kept whatever stops the run: another file's failure, or the user's cancel.
"""

from __future__ import annotations

from collections.abc import Callable

import hashlib
import os
import shutil
import stat
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from colab_panel.errors import ChecksumMismatch, DriveError, DriveQuotaExceeded, StagingError
from colab_panel.disk import writing
from colab_panel.staging import part_source
from colab_panel.disk.atomic import PartFile, part_path
from colab_panel.staging.manifest import Manifest
from colab_panel.staging.pacing import AdaptiveLimit
from colab_panel.staging.parallel_ranges import DEFAULT_RANGES, RangedFile, download_ranges, use_parallel
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.job import StageJob
from colab_panel.staging.sources import DownloadInterrupted, ResumingReader, Source
from colab_panel.staging.worker_pool import WorkerPool

DOWNLOAD_DIR = ".colab_panel-download"
DEFAULT_WORKERS = 16  # latency-bound (one HTTPS round trip per small file): more in flight than cores
RATE_LIMIT_REQUEUES = 8  # times one file may go back in the queue after a rate limit


@dataclass(frozen=True)
class RemoteEntry:
    relpath: str  # "/"-separated, already made safe (see `safe_relpaths`)
    size: int
    md5: str | None
    source: Source


def is_rate_limit(error: BaseException) -> bool:
    """Whether `error` means "slow down" (as opposed to "you may not")."""
    reason = getattr(error, "reason", None) or ""
    if reason == "downloadQuotaExceeded":  # a per-file daily quota: waiting minutes won't lift it
        return False
    if isinstance(error, DriveQuotaExceeded):
        return True
    status = getattr(error, "status", None)
    return status == 429 or (status == 403 and "RateLimit" in reason)


def not_done(entries: list[RemoteEntry], manifest: Manifest) -> list[RemoteEntry]:
    """The entries the manifest does not record as fetched (same md5 and size, on disk)."""
    return [e for e in entries if not (manifest.files.get(e.relpath, {}).get("md5") == e.md5
                                       and manifest.is_done(e.relpath, e.size))]


def fetch_listing(job: StageJob, entries: list[RemoteEntry], dest: Path, manifest: Manifest, limit: AdaptiveLimit,
                  title: str, first_pass: Callable[[ProgressTracker], set[str]] | None = None) -> None:
    """Fetch a listed folder (`title`, for messages) into `dest` and mark `manifest` complete: the
    step every remote-folder strategy (Drive, fsspec prefix) ends with, once free space is checked.
    `first_pass(tracker)` may fetch some entries another way first (an fsspec prefix's small
    objects) and returns the relpaths it finished; the pool fetches the rest."""
    from colab_panel.staging.extract import errors_in_words  # extract -> zip/tar engines: not needed to list

    total = sum(e.size for e in entries)
    tracker = ProgressTracker(job.callback, phase="download", bytes_total=total, files_total=len(entries))
    dest.mkdir(parents=True, exist_ok=True)
    with errors_in_words(title, dest):
        try:
            done = first_pass(tracker) if first_pass is not None else set()
            fetch_folder([e for e in entries if e.relpath not in done], dest, manifest, tracker=tracker,
                         cancel=job.cancel, limit=limit)
        except DriveError as e:  # only a Drive folder's files raise it
            raise StagingError(f"Staging the Drive folder '{title}' stopped: {e} Files already fetched "
                               "are kept; run it again to fetch the rest.") from e
    tracker.emit(force=True)
    manifest.mark_complete(len(entries), total)


def fetch_folder(entries: list[RemoteEntry], dest: Path, manifest: Manifest, *, tracker: ProgressTracker,
                 cancel: threading.Event | None, limit: AdaptiveLimit) -> None:
    """Fetch every entry not already done into `dest`; raise on the first failure (others stop).

    `limit.cap` files at once; a large file comes as parallel byte ranges (`RangedFetch`).
    """
    workers = limit.cap
    fetch_file = RangedFetch(tracker, limit, cancel=cancel)
    todo: deque[tuple[RemoteEntry, int]] = deque()
    for entry in entries:
        record = manifest.files.get(entry.relpath)
        if record is not None and record.get("md5") == entry.md5 and manifest.is_done(entry.relpath, entry.size):
            tracker.add(entry.size, 1)
        else:
            todo.append((entry, 0))
    for folder in sorted({os.path.dirname(e.relpath) for e, _ in todo}):
        if folder:
            os.makedirs(dest / folder, exist_ok=True)
    lock = threading.Lock()
    downloads = dest / DOWNLOAD_DIR

    def one(task: tuple[RemoteEntry, int]) -> None:
        entry = task[0]
        final = dest / entry.relpath
        staged = downloads / entry.relpath
        if already_there(final, entry, stop):
            with lock:
                manifest.files[entry.relpath] = {"size": entry.size, "md5": entry.md5}
            tracker.add(entry.size, 1)
            return
        with limit.slot(stop):
            writing.check_stop(stop)
            part_source.prepare(staged, part_source.identity_of(entry))  # a kept part of another version goes
            try:
                fetch_file(entry, staged, stop)
            finally:
                part_source.forget(staged)  # only once the part is gone: a kept part keeps its record
        os.replace(staged, final)
        limit.succeeded()
        with lock:
            manifest.files[entry.relpath] = {"size": entry.size, "md5": entry.md5} if entry.md5 else {"size": entry.size}
        tracker.add(0, 1)

    pool = WorkerPool(one, workers=workers, name="colab_panel-fetch")
    stop = pool.stop

    def requeue(task: tuple[RemoteEntry, int], error: BaseException) -> tuple[RemoteEntry, int] | None:
        entry, tries = task
        if is_rate_limit(error) and tries < RATE_LIMIT_REQUEUES:
            limit.rate_limited()
            return entry, tries + 1
        raise _naming(error, entry.relpath)

    def tick() -> None:
        tracker.emit()
        with lock:
            manifest.save_if_due()

    try:
        pool.run(todo, cancel=cancel, tick=tick, retry=requeue)
    finally:
        with lock:
            manifest.save()  # also on cancel/error: a rerun fetches only the rest
        remove_empty_dirs(downloads)


def already_there(final: Path, entry: RemoteEntry, stop: threading.Event) -> bool:
    """Whether `final` already holds this entry's bytes: same size, and the same md5 when hashed here."""
    if not entry.md5:
        return False
    try:
        if not stat.S_ISREG(os.lstat(final).st_mode) or os.lstat(final).st_size != entry.size:
            return False
        digest = hashlib.md5()
        with open(final, "rb") as f:
            while chunk := f.read(writing.COPY_CHUNK):
                writing.check_stop(stop)
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == entry.md5.lower()


def _naming(error: BaseException, relpath: str) -> BaseException:
    """A Drive failure reworded to say which file it was (its message may name only an ID); same type."""
    if not isinstance(error, DriveError):
        return error
    named = type(error)(f"{relpath} could not be fetched: {error}", reason=error.reason, status=error.status)
    named.__cause__ = error
    return named


def _download(entry: RemoteEntry, staged: Path, stop: threading.Event, tracker: ProgressTracker) -> None:
    """One file, one stream (reconnecting from where it stopped), md5 checked, into `staged`.

    A `.part` kept by an earlier run is resumed. Its bytes were written without fsync, so after a
    crash of the machine (not of the process: `kill -9` keeps what the kernel was given) its tail
    may not be what was written; if the finished file then fails its md5, it is fetched once more
    from the start instead of failing the stage.
    """
    existing = part_path(staged)
    resumed = existing.exists() and existing.stat().st_size > 0
    try:
        _download_once(entry, staged, stop, tracker)
    except ChecksumMismatch:
        if not resumed:
            raise
        _download_once(entry, staged, stop, tracker)  # the mismatching .part is gone: from byte 0


def _download_once(entry: RemoteEntry, staged: Path, stop: threading.Event, tracker: ProgressTracker) -> None:
    expected = ("md5", entry.md5.lower()) if entry.md5 else None
    # A DriveError here is the backend giving up after its retries (connection kept dropping),
    # Cancelled the user's pause (or another file's failure): keep the bytes so a rerun resumes.
    # A checksum failure still discards them.
    part = PartFile(staged, expected_size=entry.size, expected_hash=expected, hash_name=None, resume=True,
                    keep_on=(DownloadInterrupted, DriveError, writing.Cancelled))
    existing = part_path(staged)
    offset = existing.stat().st_size if existing.exists() else 0
    if offset > entry.size:  # a leftover of another version of the file
        existing.unlink()
        offset = 0
    reader = ResumingReader(entry.source, offset, cancel=stop)
    try:
        with part:
            if reader.position != part.offset:
                part.restart()
            tracker.add(part.offset)
            left = entry.size - part.offset
            while left > 0:
                chunk = reader.read(min(left, writing.COPY_CHUNK))
                if not chunk:
                    raise DownloadInterrupted(f"{entry.relpath} ended after {part.size} of {entry.size} bytes.")
                part.write(chunk)
                tracker.add(len(chunk))
                left -= len(chunk)
    except ChecksumMismatch:
        tracker.add(-part.size)  # those bytes will be counted again when fetched again
        raise
    finally:
        reader.close()


class RangedFetch:
    """How `fetch_folder` fetches one file: a large one as parallel ranges, the others as one stream.

    Concurrency: a large file holds one slot of the folder's `AdaptiveLimit` like any file (its
    first range). Its other ranges come from one budget for the whole folder, `ranges - 1`
    connections, taken without waiting and never more than the limit allows now minus one (so
    after a rate limit a large file uses fewer ranges). Whatever number of large files run at
    once, the folder opens at most `workers + ranges - 1` connections; a large file that finds
    the budget spent still goes through ranges, one at a time (and stays resumable).

    A rate limit the backend gave up on is raised as itself (not as "interrupted"), so
    `fetch_folder` requeues the file after slowing down; its finished ranges are kept, as they
    are when `cancel` (the user's pause) or `fetch_folder`'s `stop` (another file failed) ends it.
    Progress: bytes are counted on `tracker`; only the folder's loop calls the callback.
    """

    def __init__(self, tracker: ProgressTracker, limit: AdaptiveLimit, *, ranges: int = DEFAULT_RANGES,
                 cancel: threading.Event | None = None) -> None:
        self._tracker = tracker
        self._cancel = cancel
        self._counter = cast(ProgressTracker, _CountOnly(tracker))
        self._limit = limit
        self._extra = threading.Semaphore(max(0, ranges - 1))

    def __call__(self, entry: RemoteEntry, staged: Path, stop: threading.Event) -> None:
        if not use_parallel(entry.source, entry.size):
            _download(entry, staged, stop, self._tracker)
            return
        extra = 0
        while extra < self._limit.limit - 1 and self._extra.acquire(blocking=False):
            extra += 1
        expected = ("md5", entry.md5.lower()) if entry.md5 else None
        slowed: BaseException | None = None
        try:
            download_ranges(RangedFile(entry.source, staged, entry.size, expected, ranges=1 + extra),
                            tracker=self._counter, cancel=self._cancel, abort=stop)
        except DownloadInterrupted as e:
            if e.__cause__ is None or not is_rate_limit(e.__cause__):
                raise
            slowed = e.__cause__
        finally:
            for _ in range(extra):
                self._extra.release()
        if slowed is not None:
            raise slowed


class _CountOnly:
    """A tracker's counters without its callback: only `fetch_folder`'s loop calls that, on one thread."""

    def __init__(self, tracker: ProgressTracker) -> None:
        self._tracker = tracker

    def add(self, nbytes: int = 0, files: int = 0) -> None:
        self._tracker.add(nbytes, files)

    def emit(self, force: bool = False) -> None:
        pass


def remove_empty_dirs(root: Path) -> None:
    """Remove `root` and its subfolders if they hold no file (a kept `.part` keeps its folders)."""
    if not root.is_dir():
        return
    for folder, _dirs, _files in sorted(os.walk(root), key=lambda t: -len(t[0])):
        try:
            os.rmdir(folder)
        except OSError:
            pass


def discard_downloads(dest: Path) -> None:
    """Forget every kept `.part` (the source changed, so they can't be resumed)."""
    shutil.rmtree(dest / DOWNLOAD_DIR, ignore_errors=True)


def safe_relpaths(paths: list[tuple[str, ...]], ids: list[str]) -> list[str]:
    """Turn lists of Drive titles into unique, safe relative paths.

    Drive titles may contain "/", be "." or "..", or repeat within one folder; a local folder
    can hold none of that. "/" and NUL become "_", "."/".." become "_", and a repeated path gets
    its file ID appended before the extension (`img.png` -> `img~1AbC....png`) so both survive.
    """
    out: list[str] = []
    seen: set[str] = set()
    for parts, file_id in zip(paths, ids):
        clean = [_clean_title(p) for p in parts]
        rel = "/".join(clean)
        if rel.lower() in seen:  # case-insensitive: the dataset may be copied to a macOS disk later
            stem, dot, ext = clean[-1].rpartition(".")
            clean[-1] = f"{stem}~{file_id}.{ext}" if dot and stem else f"{clean[-1]}~{file_id}"
            rel = "/".join(clean)
        seen.add(rel.lower())
        out.append(rel)
    return out


def _clean_title(title: str) -> str:
    title = title.replace("/", "_").replace("\x00", "_")
    if title in ("", ".", ".."):
        return "_"
    return title


def check_no_conflicts(relpaths: list[str]) -> None:
    """A file and a folder of the same path (Drive allows it across duplicates) cannot both exist."""
    folders = {rel.rsplit("/", 1)[0] for rel in relpaths if "/" in rel}
    expanded: set[str] = set()
    for folder in folders:
        parts = folder.split("/")
        expanded.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    clash = sorted(expanded.intersection(relpaths))
    if clash:
        raise StagingError(f"The folder has both a file and a subfolder named {clash[0]!r}; "
                           "rename one of them on Drive and stage again.")
