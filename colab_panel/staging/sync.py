"""Results back to Drive: push a local folder (checkpoints, logs) to a Drive folder, incrementally.

    from colab_panel.staging.sync import push, PeriodicSync
    report = push("/content/runs/exp1", "https://drive.google.com/drive/folders/ID")   # between epochs
    sync = PeriodicSync("/content/runs/exp1", "ID", interval_s=600); ...; sync.close()

Only new or changed files travel: a local file is unchanged when Drive has a file at the same
relative path with the same size and md5 (one `Drive.walk` listing gives both; local md5s are
cached by size+mtime, so an unchanged 2 GB checkpoint is not re-read at every push). A changed
file's content is replaced in place (same Drive ID, so links to it keep working); a new file is
uploaded and missing folders are created. Nothing on Drive is ever deleted or trashed.

Only finished files travel (`finished_files`): a file open for writing in place by any process
(a checkpoint `torch.save` is still writing), or one that changed within the last `settle_s`,
is left for the next push and named in `SyncReport.skipped` ("still being written"); Drive
keeps its previous complete copy. Every upload is verified against the bytes actually read for
sending (`drive.upload.HashingReader`): Drive's md5 must equal their md5, else ChecksumMismatch;
and a file that changed while it was uploaded is not reported as pushed but left for the next
push, which replaces the content of that same Drive file.

One push per Drive folder at a time (`job_lock`): a second, from another thread, cell or
process, waits briefly and is then refused with JobBusy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from colab_panel.drive.interface import DriveClient, DriveSource
from colab_panel.errors import ChecksumMismatch, PanelError, StagingCancelled, StagingError
from colab_panel.staging import finished_files
from colab_panel.staging.arguments import require_given
from colab_panel.staging.job_lock import job_lock
from colab_panel.inputs import shown, user_number, user_path
from colab_panel.staging.local_copy import list_tree
from colab_panel.staging.progress import ProgressArg, ProgressTracker, resolve_progress
from colab_panel.staging.worker_pool import WorkerPool
from colab_panel.units import human_bytes

log = logging.getLogger(__name__)

UPLOAD_WORKERS = 4  # uploads are bandwidth-bound; a few in flight hide per-file latency
SETTLE_S = 1.0  # a file modified more recently than this is read twice, this far apart (finished_files)
_SKIP_SUFFIXES = (".part", ".tmp")
_SKIP_PREFIX = ".colab_panel-"
_md5_cache: dict[tuple[str, int, int], str] = {}
_md5_lock = threading.Lock()


@dataclass(frozen=True)
class SyncReport:
    """What one push did. Paths are relative to the local folder."""

    folder_id: str
    uploaded: tuple[str, ...]  # new on Drive
    updated: tuple[str, ...]  # content replaced (same Drive file)
    unchanged: int
    bytes_sent: int
    seconds: float
    skipped: tuple[tuple[str, str], ...] = ()  # (path, why in words): left for the next push

    @property
    def changed(self) -> int:
        return len(self.uploaded) + len(self.updated)

    def summary(self) -> str:
        later = self._skipped_words()
        if not self.changed:
            if later:
                return f"Nothing pushed this time ({self.unchanged} files unchanged).{later}"
            return f"Drive was already up to date ({self.unchanged} files unchanged)."
        return (f"Pushed {self.changed} files ({human_bytes(self.bytes_sent)}: {len(self.uploaded)} new, "
                f"{len(self.updated)} updated), {self.unchanged} unchanged, verified by md5.{later}")

    def _skipped_words(self) -> str:
        if not self.skipped:
            return ""
        shown = "; ".join(f"{rel}: {why}" for rel, why in self.skipped[:5])
        more = f"; and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
        return f" Left for the next push ({len(self.skipped)}): {shown}{more}."


def local_md5(path: Path) -> str:
    """md5 of a file, cached by (path, size, mtime_ns)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _md5_lock:
        cached = _md5_cache.get(key)
    if cached is not None:
        return cached
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(4 * 1024 * 1024):
            digest.update(chunk)
    value = digest.hexdigest()
    with _md5_lock:
        _md5_cache[key] = value
    return value


def push(local_dir: str | os.PathLike[str], drive_folder: str, *, drive: DriveSource | None = None, progress: ProgressArg = "tqdm",
         cancel: threading.Event | None = None, workers: int = UPLOAD_WORKERS,
         settle_s: float = SETTLE_S, exclude: Callable[[str], bool] | None = None) -> SyncReport:
    """Upload new or changed files of `local_dir` into the Drive folder `drive_folder` (ID or link), verified.

    `exclude(rel)`: True for a local file (path relative to `local_dir`) that must not travel, e.g.
    a checkpoint the checkpoint watcher already pruned from Drive (it is not counted as unchanged).

    `drive`: a `Drive`, a factory for one, or None to connect. Raises StagingError (in words)
    for a missing local folder or a Drive target that is not a folder, DriveError subclasses
    for Drive refusals, ChecksumMismatch if Drive got other bytes than we sent.
    """
    from colab_panel.staging.drive_source import drive_for, strip_prefix

    started = time.monotonic()
    require_given(local_dir, "local folder", "the folder to push, e.g. the one holding your checkpoints or logs")
    require_given(drive_folder, "Drive folder", "the link or ID of the Drive folder to push into")
    root = user_path(local_dir, "The local folder", StagingError, allow_empty=True).expanduser()
    if not isinstance(drive_folder, str):
        raise StagingError(f"The Drive folder must be a link or ID (text), not {shown(drive_folder)}.")
    user_number(workers, "workers", StagingError, minimum=1, maximum=64, integer=True)
    if not root.is_dir():
        raise StagingError(f"{root} is not a folder on this machine; nothing was pushed.")
    with drive_for(drive) as client:
        folder = client.resolve(strip_prefix(drive_folder))
        if not folder.is_folder:
            raise StagingError(f"'{folder.title}' on Drive is a file, not a folder: give the folder to push into.")
        with job_lock("push", folder.id, f"The Drive folder '{folder.title or folder.id}'", "pushed to"):
            return _push_locked(root, folder, client, progress, cancel, workers, started, settle_s, exclude)


def _push_locked(root: Path, folder: Any, drive: DriveClient, progress: ProgressArg, cancel: threading.Event | None,
                 workers: int, started: float, settle_s: float,
                 exclude: Callable[[str], bool] | None = None) -> SyncReport:
    callback, close = resolve_progress(progress, "push")
    try:
        remote_files: dict[str, Any] = {}
        remote_dirs: dict[str, str] = {"": folder.id}
        for rel, item in drive.walk(folder):
            if item.is_folder:
                remote_dirs.setdefault(rel, item.id)
            elif not item.is_shortcut and not item.is_native:
                remote_files.setdefault(rel, item)  # duplicates on Drive: compare with the first
        local = [(rel, size) for rel, size, _ in list_tree(root)
                 if not _skipped(rel) and (exclude is None or not exclude(rel))]
        skipped: dict[str, str] = {}
        # Files being written in place are not even read: their md5 would describe a moment.
        writers = finished_files.open_for_writing([root / rel for rel, _ in local])
        plan: list[tuple[str, int, Any]] = []  # rel, size, existing item or None
        unchanged = 0
        for rel, size in local:
            _check_stop(cancel)
            pid = writers.in_place.get(os.path.realpath(root / rel))
            if pid is not None:
                skipped[rel] = f"still being written (open for writing by pid {pid})"
                continue
            existing = remote_files.get(rel)
            if existing is not None and existing.size_bytes == size and (existing.md5 or "").lower() == local_md5(root / rel):
                unchanged += 1
                continue
            plan.append((rel, size, existing))
        readiness = finished_files.check(root, [rel for rel, _, _ in plan], settle_s=settle_s)
        skipped.update(readiness.unfinished)
        plan = [entry for entry in plan if entry[0] not in readiness.unfinished]
        tracker = ProgressTracker(callback, phase="upload", bytes_total=sum(p[1] for p in plan), files_total=len(plan))
        for rel, *_ in plan:
            _ensure_folder(drive, remote_dirs, os.path.dirname(rel))
        uploaded: list[str] = []
        updated: list[str] = []
        sent_bytes: list[int] = []

        def send(entry: tuple[str, int, Any]) -> None:
            rel, size, existing = entry
            _check_stop(cancel)
            path = root / rel
            sent = drive.send_file(path, parent=remote_dirs[os.path.dirname(rel)], title=os.path.basename(rel),
                                   replace=existing)
            sent_bytes.append(sent.size_bytes)
            why = _left_over(rel, path, sent, readiness)
            if why is not None:
                skipped[rel] = why
            else:
                (updated if existing is not None else uploaded).append(rel)
            tracker.add(size, 1)

        if workers == 1:  # in this thread: also the only way at interpreter exit, when new threads
            for entry in plan:  # are refused (the checkpoint watcher's exit flush)
                send(entry)
                tracker.emit()
        else:  # staging's one pool: progress and the cancel check stay on this thread
            WorkerPool(send, workers=workers, name="colab_panel-push").run(
                plan, tick=tracker.emit, check=lambda: _check_stop(cancel))
        tracker.emit(force=True)
        return SyncReport(folder.id, tuple(sorted(uploaded)), tuple(sorted(updated)), unchanged,
                          sum(sent_bytes), time.monotonic() - started, tuple(sorted(skipped.items())))
    finally:
        close()


def _left_over(rel: str, path: Path, sent: Any, readiness: finished_files.Readiness) -> str | None:
    """None if Drive now holds a finished copy of the file; else why it is left for the next push.

    Drive's md5 is compared with the md5 of the bytes read for sending (not with a hash of the
    file taken before or after), and the file must still look as it did before the upload (same
    size, mtime and inode): otherwise what was read may mix two versions of it.
    """
    drive_md5 = (sent.item.md5 or "").lower()
    if sent.md5 is not None and drive_md5 != sent.md5:
        raise ChecksumMismatch(f"{rel}: Drive reports md5 {drive_md5 or 'none'} but the bytes sent have md5 "
                               f"{sent.md5}; push again.")
    before = readiness.snapshots[rel]
    if sent.md5 is not None and sent.size_bytes == before.size_bytes and finished_files.Snapshot.of(path) == before:
        return None
    return "still being written (it changed while it was being uploaded; the next push sends it again)"


def _skipped(rel: str) -> bool:
    name = os.path.basename(rel)
    return name.endswith(_SKIP_SUFFIXES) or name.startswith(_SKIP_PREFIX) or "/.colab_panel-" in f"/{rel}"


def _check_stop(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise StagingCancelled("The push was cancelled; files already uploaded stay on Drive, verified.")


def _ensure_folder(drive: DriveClient, remote_dirs: dict[str, str], rel_dir: str) -> str:
    """The Drive folder ID for `rel_dir`, creating missing levels top-down (a loop, not recursion:
    a local chain deeper than the recursion limit must push too)."""
    missing = []
    while rel_dir not in remote_dirs:
        missing.append(rel_dir)
        rel_dir = os.path.dirname(rel_dir)
    for folder in reversed(missing):
        remote_dirs[folder] = drive.mkdir(os.path.basename(folder), remote_dirs[os.path.dirname(folder)]).id
    return remote_dirs[missing[0]] if missing else remote_dirs[rel_dir]


class PeriodicSync:
    """Push every `interval_s` seconds in a background thread until `close()` (the panel closes it).

    `last_report` / `last_error` (in words) tell what the latest run did. A failure is kept and
    the next run tries again; it never kills the thread.
    """

    def __init__(self, local_dir: str | os.PathLike[str], drive_folder: str, interval_s: float, *,
                 drive: DriveSource | None = None, start: bool = True, immediately: bool = False,
                 on_run: Callable[[], None] | None = None, settle_s: float = SETTLE_S) -> None:
        """`immediately`: push once at start, then every `interval_s`. `on_run()` is called (in the
        sync thread) after each push, e.g. so a tab can show the outcome at once."""
        user_number(interval_s, "interval_s", StagingError, minimum=0.01, maximum=7 * 24 * 3600)
        require_given(local_dir, "local folder", "the folder to push, e.g. the one holding your checkpoints or logs")
        require_given(drive_folder, "Drive folder", "the link or ID of the Drive folder to push into")
        user_path(local_dir, "The local folder", StagingError, allow_empty=True)
        if not isinstance(drive_folder, str) or not drive_folder.strip():
            raise StagingError(f"The Drive folder must be a link or ID, not {shown(drive_folder)}.")
        self.local_dir = local_dir
        self.drive_folder = drive_folder
        self.interval_s = interval_s
        self._drive = drive
        self._stop = threading.Event()
        self._immediately = immediately
        self._on_run = on_run
        self._settle_s = settle_s
        self.last_report: SyncReport | None = None
        self.last_error = ""
        self.last_run_at: float | None = None  # time.time() at the end of the latest push
        self.runs = 0
        self._thread = threading.Thread(target=self._loop, name="colab_panel-sync", daemon=True)
        if start:
            self._thread.start()

    def sync_now(self) -> SyncReport | None:
        try:
            self.last_report = push(self.local_dir, self.drive_folder, drive=self._drive, progress=None,
                                    cancel=self._stop, settle_s=self._settle_s)
            self.last_error = ""
        except StagingCancelled:
            pass
        except PanelError as e:
            self.last_error = str(e)
        except Exception as e:  # keep syncing: a training run must not lose its sync to one bad moment
            log.exception("periodic push failed")
            self.last_error = f"{type(e).__name__}: {e}"
        self.runs += 1
        self.last_run_at = time.time()
        if self._on_run is not None:
            try:
                self._on_run()
            except Exception:  # a display hook must not stop the syncing
                log.exception("periodic push: on_run failed")
        return self.last_report

    def _loop(self) -> None:
        if self._immediately and not self._stop.is_set():
            self.sync_now()
        while not self._stop.wait(self.interval_s):
            self.sync_now()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def close(self) -> None:
        """Stop the thread (an upload in progress stops at its next file) and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def __enter__(self) -> PeriodicSync:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
