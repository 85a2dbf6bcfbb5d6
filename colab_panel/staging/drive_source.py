"""Drive sources for `stage()`: one Drive file (archive or plain) or a whole Drive folder.

    stage("drive:1AbC...")                                  # or a bare ID, or any Drive link
    stage("https://drive.google.com/drive/folders/ID?resourcekey=K", "/content/data/x")

A file becomes a `DriveFileSource` (the `Source` protocol over `Drive.open_range`) and goes
through the same engine as a URL (`file_engine`): a tar is extracted while it downloads, anything else lands
in a resumable `.part` first; either way every byte is checked against Drive's `md5Checksum`.

A folder is listed with `Drive.walk` (many folders per request) and fetched by
`remote_folder.fetch_listing`: parallel, rate-limit aware, each file md5-checked, resumable,
and a cache hit when the listing is unchanged (one listing, no download). A large file in the
folder comes as parallel byte ranges, like a single large file (`remote_folder.RangedFetch`:
at most `workers + 3` connections in all, however many large files the folder holds).

The pool sees the backend's rate-limit retries through `ObservedRetry` (a `RetryPolicy` that
reports each 403/429 it is about to retry), so the whole pool slows down at the first sign,
not only the worker that happened to be refused. The caller's `Drive` is not modified: the
pool uses a shallow copy carrying that policy.

A path under the Drive mount (`/content/drive/...`) is not handled here: it is a local path.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, Callable

from colab_panel.drive.failures import is_rate_limit as backend_rate_limit
from colab_panel.drive.interface import DriveClient, DriveSource
from colab_panel.drive.lazy import drive_from
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import StagingError
from colab_panel.staging.file_engine import stage_source
from colab_panel.staging.job import StageJob
from colab_panel.staging.manifest import Manifest
from colab_panel.staging.pacing import AdaptiveLimit
from colab_panel.staging.progress import ProgressCallback, ProgressTracker
from colab_panel.staging.remote_folder import (DEFAULT_WORKERS, RemoteEntry, check_no_conflicts, discard_downloads,
                                               fetch_listing, not_done, safe_relpaths)
from colab_panel.staging.space import check_space, disk_footprint
from colab_panel.staging.staged import StagedDataset, destination_lock


class DriveFileSource:
    """One Drive file as a `Source`: identity carries its ID, md5 and size."""

    def __init__(self, drive: Any, item: Any) -> None:
        self.drive = drive
        self.item = item
        self.name = item.title

    def identity(self) -> dict[str, Any]:
        return {"kind": "drive", "id": self.item.id, "md5": self.item.md5, "size": self.item.size_bytes}

    def size(self) -> int | None:
        return self.item.size_bytes

    def expected_hash(self) -> tuple[str, str] | None:
        return ("md5", self.item.md5.lower()) if self.item.md5 else None

    def open_range(self, start: int) -> tuple[BinaryIO, int]:
        stream = self.drive.open_range(self.item, start)
        return stream, stream.offset

    def read_range(self, start: int, length: int) -> bytes:
        """Exactly the bytes [start, start+length) in one ranged request (probes; not a whole chunk)."""
        stream = self.drive.open_range(self.item, start, chunk_size=max(1, length))
        try:
            return stream.read(length) if stream.offset == start else b""
        finally:
            stream.close()


class ObservedRetry(RetryPolicy):
    """The backend's retry policy, plus a callback for every rate limit it is about to retry."""

    on_rate_limit: Callable[[], None] = staticmethod(lambda: None)

    def call(self, fn: Callable[[], Any], *, is_retryable: Callable[[BaseException], bool], **kwargs: Any) -> Any:
        def observed(exc: BaseException) -> bool:
            retry = is_retryable(exc)
            if retry and backend_rate_limit(exc):
                self.on_rate_limit()
            return retry

        return super().call(fn, is_retryable=observed, **kwargs)


def paced_drive(drive: Any, limit: AdaptiveLimit) -> Any:
    """A shallow copy of `drive` (same connections, keys, credentials) whose retries tell `limit`."""
    policy = ObservedRetry(**{f: getattr(drive.retry, f) for f in ("max_attempts", "max_total_s", "base_delay_s",
                                                                    "max_delay_s", "sleep", "clock", "rng")})
    policy.on_rate_limit = limit.rate_limited
    paced = copy.copy(drive)
    paced.retry = policy
    return paced


@contextmanager
def drive_for(drive: DriveSource | None) -> Iterator[DriveClient]:
    """`connect_drive(drive)` for one call: a connection opened here (`drive` None) is closed after
    it, so a `stage()` or `push()` that signed in for itself leaves no socket open."""
    client = connect_drive(drive)
    try:
        yield client
    finally:
        if drive is None:
            client.close()


def connect_drive(drive: DriveSource | None) -> DriveClient:
    """`drive` itself, the result of calling a factory, or `colab_panel.drive.connect()`."""
    if drive is None:
        try:
            from colab_panel.drive import connect  # lazy: auth and PyDrive2
        except ImportError as e:  # the backend without connect(): say so in words
            raise StagingError("No Drive connection is available; pass drive=Drive(...).") from e
        return connect()
    return drive_from(drive)


def strip_prefix(text: str) -> str:
    return text[len("drive:"):].strip() if text.lower().startswith("drive:") else text


def stage_drive(job: StageJob, text: str) -> StagedDataset:
    """The Drive strategy: stage the Drive file or folder named by `text` (see the module docstring).
    `job.via_copy`: copy it into the user's Drive first (server-side) and stage the copy: the way
    past a download quota."""
    from colab_panel.staging.quota import quota_in_words, staged_from_copy

    with drive_for(job.drive) as drive:
        item = drive.resolve(strip_prefix(text))
        with quota_in_words(text, item.title or item.id):
            if not job.via_copy:
                return _stage_item(job, drive, item)
            copied, note = staged_from_copy(drive, item)
            result = _stage_item(job, drive, copied)
            return replace(result, notes=(*result.notes, note))


def _stage_item(job: StageJob, drive: Any, item: Any) -> StagedDataset:
    if item.is_folder:
        dest = job.target(item.title or item.id)
        with destination_lock(dest):
            return _stage_folder_locked(job, drive, item, dest)
    if item.is_native:
        formats = ", ".join(sorted(item.export_formats)) or "none"
        raise StagingError(f"'{item.title}' is a Google {item.kind}: it has no file to stage. Export it from the "
                           f"Drive tab (formats: {formats}), or stage a folder or archive instead.")
    if not item.can_download:
        raise StagingError(f"The owner of '{item.title}' has turned off downloading for viewers; ask for a copy.")
    source = DriveFileSource(drive, item)
    return stage_source(replace(job, expected=source.expected_hash()), source)


def _stage_folder_locked(job: StageJob, drive: Any, folder: Any, dest: Path) -> StagedDataset:
    relpaths, items, notes = _listing(drive, folder, job.callback)
    nbytes = sum(i.size_bytes or 0 for i in items)
    identity = {"kind": "drive-folder", "id": folder.id, "files": len(items), "bytes": nbytes,
                "listing": _listing_digest(relpaths, items)}
    hit = job.cache_hit(dest, identity)
    if hit is not None:
        return replace(hit, notes=tuple(notes))
    manifest = Manifest(dest, identity)
    previous = Manifest.load(dest)
    if previous is not None and previous.source.get("id") == folder.id:
        manifest.files = previous.files  # entries carry md5: still valid where they match
    elif previous is not None:
        discard_downloads(dest)
    workers = job.workers or DEFAULT_WORKERS
    limit = AdaptiveLimit(workers)
    paced = paced_drive(drive, limit)
    entries = [RemoteEntry(rel, item.size_bytes or 0, item.md5, DriveFileSource(paced, item))
               for rel, item in zip(relpaths, items)]
    check_space(dest, disk_footprint(e.size for e in not_done(entries, manifest)))
    fetch_listing(job, entries, dest, manifest, limit, folder.title or folder.id)
    return job.staged(dest, len(entries), nbytes, notes)


def _listing(drive: Any, folder: Any, callback: ProgressCallback | None) -> tuple[list[str], list[Any], list[str]]:
    """The folder's files to stage (safe relative paths, items) and notes on what was skipped."""
    entries_raw: list[tuple[tuple[str, ...], Any]] = []
    notes: list[str] = []
    skipped_native = skipped_shortcut = 0
    tracker = ProgressTracker(callback, phase="list")
    for rel, item in drive.walk(folder):
        if item.is_folder:
            continue
        if item.is_shortcut:
            skipped_shortcut += 1
            continue
        if item.is_native:
            skipped_native += 1
            continue
        entries_raw.append((tuple(rel.split("/")), item))
        tracker.add(0, 1)
        tracker.emit()
    if skipped_native:
        notes.append(f"{skipped_native} Google Docs/Sheets/Slides files were skipped (they have no bytes; export them "
                     "from the Drive tab).")
    if skipped_shortcut:
        notes.append(f"{skipped_shortcut} shortcuts were skipped (stage their targets directly).")
    # Same path twice (Drive allows duplicate titles): the older file keeps the plain name, so a
    # newly added duplicate never renames a file that is already staged.
    entries_raw.sort(key=lambda e: ("/".join(e[0]), e[1].modified.timestamp() if e[1].modified else 0.0, e[1].id))
    # Drive titles may hold "/"; walk() joins titles with "/", so rebuild the parts from the titles.
    relpaths = safe_relpaths([_title_parts(parts, item) for parts, item in entries_raw],
                             [item.id for _, item in entries_raw])
    check_no_conflicts(relpaths)
    return relpaths, [item for _, item in entries_raw], notes


def _title_parts(parts: tuple[str, ...], item: Any) -> tuple[str, ...]:
    # walk() gives "a/b/title"; a title containing "/" would split wrongly, so rebuild the last part
    # from the title and the folder parts from what remains.
    depth = len(parts) - len(item.title.split("/"))
    return tuple(parts[:depth]) + (item.title,)


def _listing_digest(relpaths: list[str], items: list[Any]) -> str:
    h = hashlib.sha256()
    for rel, item in sorted(zip(relpaths, items), key=lambda t: t[0]):
        h.update(f"{rel}\0{item.id}\0{item.md5}\0{item.size_bytes}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()
