"""keep_on_drive: a background watcher that keeps a training run's checkpoints on Drive.

    keeper = colab_panel.keep_on_drive("/content/ckpt", "https://drive.google.com/drive/folders/ID", keep_last=3)
    ...train, saving checkpoints into /content/ckpt as you always do...
    keeper.close()   # pushes what is pending (bounded), stops the thread

Each run is one `push()` of the folder: only finished files travel, md5-verified, the same Drive
file replaced, one run per Drive folder at a time; IDs chosen up front, so a restarted watcher
finds its files already there and sends nothing twice. After each run the catalog (`catalog.py`)
records which checkpoints Drive now holds complete; `keep_last=N` then trashes, on Drive only,
complete checkpoints older than the newest N complete ones. A checkpoint not yet complete on Drive
is never trashed, and a pruned one is not pushed again (unless it is written anew).

`flush(timeout_s)` asks for a run now and waits, at most that long, for a run that started after
the call. `close()` and an interpreter-exit hook flush within a bound. In Colab, when the
runtime's age passes SESSION_WARN_S the watcher flushes once and says so in `notice`.
Failures never escape the thread: `last_error` holds them in words and the next run tries again.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from pathlib import Path
from typing import Any, Callable

from colab_panel.checkpoints.catalog import CATALOG_NAME, Catalog, local_checkpoints
from colab_panel.drive.interface import DriveClient, DriveSource
from colab_panel.errors import PanelError, StagingCancelled, StagingError
from colab_panel.inputs import shown, user_number, user_path
from colab_panel.runtime.facts import COLAB_MAX_SESSION_S
from colab_panel.staging.arguments import require_given
from colab_panel.staging.sync import SETTLE_S, UPLOAD_WORKERS, SyncReport, local_md5, push

log = logging.getLogger(__name__)

# The same hour's notice as the Monitor's alert (controllers.monitor_alerts.SESSION_WARN_S; a
# test keeps them equal): the backend may not import a controller.
SESSION_WARN_S = COLAB_MAX_SESSION_S - 3600
DEFAULT_INTERVAL_S = 60.0
CLOSE_TIMEOUT_S = 60.0
ATEXIT_TIMEOUT_S = 30.0
_AGE_CHECK_S = 60.0  # how often the runtime's age is looked at, whatever interval_s is
PANEL_CLOSE_TIMEOUT_S = 20.0
_live: weakref.WeakSet[KeepOnDrive] = weakref.WeakSet()  # running watchers, for Panel.close()


def _colab_session_age_s() -> float | None:
    from colab_panel.runtime.facts import colab_session_age_s
    from colab_panel.runtime.frontend import Frontend, detect_frontend

    if detect_frontend() not in (Frontend.COLAB, Frontend.COLAB_VSCODE):
        return None
    return colab_session_age_s()


class KeepOnDrive:
    """See the module docstring. `last_report`, `last_error`, `notice` and `runs` say how it goes."""

    def __init__(self, local_dir: str | os.PathLike[str], drive_folder: str, *, keep_last: int | None = None,
                 interval_s: float = DEFAULT_INTERVAL_S, pattern: str | None = None, drive: DriveSource | None = None,
                 settle_s: float = SETTLE_S, session_age_s: Callable[[], float | None] | None = None,
                 atexit_timeout_s: float = ATEXIT_TIMEOUT_S, start: bool = True) -> None:
        require_given(local_dir, "local folder", "the folder your training loop saves checkpoints into")
        require_given(drive_folder, "Drive folder", "the link or ID of the Drive folder to keep them in")
        self.local_dir = user_path(local_dir, "The local folder", StagingError, allow_empty=True).expanduser()
        if not isinstance(drive_folder, str) or not drive_folder.strip():
            raise StagingError(f"The Drive folder must be a link or ID, not {shown(drive_folder)}.")
        if keep_last is not None:
            user_number(keep_last, "keep_last", StagingError, minimum=1, maximum=1_000_000, integer=True)
        user_number(interval_s, "interval_s", StagingError, minimum=0.01, maximum=7 * 24 * 3600)
        user_number(atexit_timeout_s, "atexit_timeout_s", StagingError, minimum=0, maximum=3600)
        if pattern is not None and (not isinstance(pattern, str) or not pattern.strip()):
            raise StagingError(f"pattern must be a file-name pattern such as 'epoch-*.pt', not {shown(pattern)}.")
        self.local_dir.mkdir(parents=True, exist_ok=True)
        self.drive_folder = drive_folder
        self.keep_last = keep_last
        self.interval_s = float(interval_s)
        self.pattern = pattern
        self._drive_arg = drive
        self._drive: DriveClient | None = None
        self._settle_s = settle_s
        self._session_age_s = session_age_s if session_age_s is not None else _colab_session_age_s
        self._atexit_timeout_s = atexit_timeout_s
        self.last_report: SyncReport | None = None
        self.last_error = ""
        self.notice = ""  # a sentence for the panel, e.g. that everything was pushed before the runtime's end
        self.runs = 0
        self.last_run_at_s: float | None = None  # time.time() when the latest run ended
        self.trashed: list[str] = []  # checkpoint names this watcher trashed on Drive (keep_last)
        self._catalog: Catalog | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._cond = threading.Condition()
        self._requested = 0  # flush requests so far
        self._served = 0  # the highest request a finished run started after
        self._warned = False
        self._exiting = False  # set by the exit hook: push then sends in one thread (see push(workers=1))
        self._thread = threading.Thread(target=self._loop, name="colab_panel-keep", daemon=True)
        ref = weakref.ref(self)
        self._atexit = lambda: _flush_at_exit(ref)
        atexit.register(self._atexit)
        _live.add(self)
        if start:
            self._thread.start()

    # --- public verbs ---------------------------------------------------------------------------

    @property
    def catalog_path(self) -> Path:
        return self.local_dir / CATALOG_NAME

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def complete(self) -> list[str]:
        """Names of the checkpoints Drive holds complete, newest first."""
        return self._catalog.newest_first() if self._catalog is not None else []

    def flush(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """Push everything finished now; True if a run that started after this call ended, within
        `timeout_s`, with nothing left over and no error. Never raises for a Drive failure."""
        user_number(timeout_s, "timeout_s", StagingError, minimum=0, maximum=24 * 3600)
        if not self._thread.is_alive():
            if self._stop.is_set():
                return False
            return self._run_here()  # not started (start=False): run in the caller's thread
        with self._cond:
            self._requested += 1
            mine = self._requested
        self._wake.set()
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._served < mine:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._cond.wait(min(left, 0.5))
        return self._clean()

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """Flush within `timeout_s`, then stop the thread. True if everything was pushed."""
        done = False
        if not self._stop.is_set():
            started = time.monotonic()
            done = self.flush(timeout_s)
            self._stop.set()
            self._wake.set()
            if self._thread.is_alive():  # a run still going past the bound is an upload: let it end or die with us
                self._thread.join(timeout=max(0.0, timeout_s - (time.monotonic() - started)) + 1)
        atexit.unregister(self._atexit)
        _live.discard(self)
        if self._drive_arg is None and self._drive is not None and not self._thread.is_alive():
            self._drive.close()  # the connection we opened; one still uploading past the bound dies with us
        return done

    def run_once(self) -> SyncReport | None:
        """One push, then the catalog and pruning. Errors go to `last_error` in words."""
        try:
            report = self._push_and_prune()
            self.last_report = report
            self.last_error = ""
        except StagingCancelled:
            report = None
        except PanelError as e:
            self.last_error = str(e)
            report = None
        except Exception as e:  # the watcher must outlive one bad moment of Drive or disk
            log.exception("keep_on_drive: a run failed")
            self.last_error = f"Keeping checkpoints on Drive failed this time ({type(e).__name__}: {e}); " \
                              "the next run tries again."
            report = None
        self.runs += 1
        self.last_run_at_s = time.time()
        return report

    def __enter__(self) -> KeepOnDrive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KeepOnDrive({str(self.local_dir)!r} -> {self.drive_folder!r}, keep_last={self.keep_last})"

    # --- the thread -----------------------------------------------------------------------------

    def _run_here(self) -> bool:
        self.run_once()
        return self._clean()

    def _clean(self) -> bool:
        return not self.last_error and self.last_report is not None and not self.last_report.skipped

    def _loop(self) -> None:
        next_push = time.monotonic()  # the first run at once: a restarted watcher catches up
        while not self._stop.is_set():
            self._check_runtime_age()
            if self._wake.is_set() or time.monotonic() >= next_push:
                self._wake.clear()
                with self._cond:
                    serving = self._requested
                self.run_once()
                with self._cond:
                    self._served = max(self._served, serving)
                    self._cond.notify_all()
                next_push = time.monotonic() + self.interval_s
            self._wake.wait(max(0.0, min(next_push - time.monotonic(), _AGE_CHECK_S)))

    def _check_runtime_age(self) -> None:
        if self._warned:
            return
        try:
            age = self._session_age_s()
        except Exception:  # a reading we cannot take is no reason to stop keeping checkpoints
            age = None
        if age is None or age < SESSION_WARN_S:
            return
        self._warned = True
        self.run_once()
        hours = age / 3600
        when = time.strftime("%H:%M", time.localtime())
        if self.last_error:
            self.notice = (f"The runtime is {hours:.1f} h old, near Colab's 12 h limit: tried to push every "
                           f"finished checkpoint to Drive at {when}, but {self.last_error}")
        else:
            kept = self.complete()
            newest = f"; the newest is {kept[0]}" if kept else ""
            self.notice = (f"The runtime is {hours:.1f} h old, near Colab's 12 h limit: every finished checkpoint "
                           f"was pushed to Drive at {when} ({len(kept)} complete on Drive{newest}).")
        log.warning("%s", self.notice)

    # --- one run --------------------------------------------------------------------------------

    def _connect(self) -> DriveClient:
        if self._drive is None:
            from colab_panel.staging.drive_source import connect_drive

            self._drive = connect_drive(self._drive_arg)
        return self._drive

    def _push_and_prune(self) -> SyncReport:
        from colab_panel.checkpoints.remote import read_remote_catalog, write_remote_catalog
        from colab_panel.staging.drive_source import strip_prefix

        drive = self._connect()
        folder = drive.resolve(strip_prefix(self.drive_folder))
        if not folder.is_folder:
            raise StagingError(f"'{folder.title}' on Drive is a file, not a folder: give the folder to keep "
                               "checkpoints in.")
        if self._catalog is None:  # a restarted watcher: the local catalog, else the one on Drive
            self._catalog = Catalog.load(self.catalog_path) or read_remote_catalog(drive, folder) or Catalog()
        catalog = self._catalog
        local = local_checkpoints(self.local_dir, self.pattern)
        excluded = self._excluded(local, catalog)
        report = push(self.local_dir, folder.id, drive=drive, progress=None, cancel=self._stop,
                      settle_s=self._settle_s, workers=1 if self._exiting else UPLOAD_WORKERS, exclude=lambda rel: rel.split("/", 1)[0] in excluded)
        remote: dict[str, Any] = {}
        for rel, item in drive.walk(folder):
            if not item.is_folder and not item.is_shortcut:
                remote.setdefault(rel, item)
        remote_md5 = {rel: (item.md5 or "").lower() for rel, item in remote.items()}
        before = catalog.to_json()
        left_over = {rel for rel, _ in report.skipped}
        for ckpt in local:
            if ckpt.name in excluded or any(rel in left_over for rel in ckpt.files):
                continue
            try:
                files = {rel: local_md5(self.local_dir / rel) for rel in ckpt.files}
            except OSError:
                continue
            if all(remote_md5.get(rel) == md5 for rel, md5 in files.items()):
                catalog.complete[ckpt.name] = {"mtime_s": ckpt.mtime_s, "files": files}
                catalog.pruned.pop(ckpt.name, None)
        for name in list(catalog.complete):  # gone from Drive (trashed by hand): no longer complete there
            if not catalog.verified_on(name, remote_md5):
                del catalog.complete[name]
        if self.keep_last is not None:
            self._prune(drive, folder, catalog)
        if catalog.to_json() != before or not self.catalog_path.exists():
            catalog.save(self.catalog_path)
            write_remote_catalog(drive, folder, self.catalog_path, remote.get(CATALOG_NAME))
        return report

    def _excluded(self, local: list[Any], catalog: Catalog) -> set[str]:
        """Checkpoints not to push: pruned ones not written since, and (keep_last) ones older than
        the newest N complete: they would be trashed as soon as they arrived."""
        excluded = {c.name for c in local if c.name in catalog.pruned and c.mtime_s <= catalog.pruned[c.name]}
        if self.keep_last is not None:
            kept = catalog.newest_first()[: self.keep_last]
            if len(kept) == self.keep_last:
                oldest_kept = min(catalog.complete[n]["mtime_s"] for n in kept)
                excluded |= {c.name for c in local if c.mtime_s < oldest_kept and c.name not in catalog.complete}
        return excluded

    def _prune(self, drive: DriveClient, folder: Any, catalog: Catalog) -> None:
        assert self.keep_last is not None
        old = catalog.newest_first()[self.keep_last:]
        if not old:
            return
        top: dict[str, list[Any]] = {}
        for item in drive.list(folder):
            top.setdefault(item.title, []).append(item)
        for name in old:
            for item in top.get(name, []):
                drive.trash(item)
            catalog.pruned[name] = catalog.complete.pop(name)["mtime_s"]
            self.trashed.append(name)


def _flush_at_exit(ref: weakref.ref[KeepOnDrive]) -> None:
    keeper = ref()
    if keeper is None:
        return
    keeper._exiting = True  # concurrent.futures takes no new work once the interpreter is exiting
    try:
        keeper.close(keeper._atexit_timeout_s)
    except Exception:  # interpreter exit: nothing more we can say than a log line
        log.exception("keep_on_drive: the exit flush failed")


def flush_all(timeout_s: float = PANEL_CLOSE_TIMEOUT_S) -> bool:
    """Flush every open watcher, all within `timeout_s` together (Panel.close() calls this; the
    watchers keep running). True if each one pushed everything."""
    deadline = time.monotonic() + timeout_s
    done = True
    for keeper in list(_live):
        if keeper._stop.is_set() or not keeper.running:  # closed, or never started (runs in its caller)
            continue
        done = keeper.flush(max(0.0, deadline - time.monotonic())) and done
    return done


def keep_on_drive(local_dir: str | os.PathLike[str], drive_folder: str, *, keep_last: int | None = None,
                  interval_s: float = DEFAULT_INTERVAL_S, pattern: str | None = None, drive: DriveSource | None = None,
                  **options: Any) -> KeepOnDrive:
    """Start keeping the checkpoints of `local_dir` in the Drive folder `drive_folder` (ID or link).

    `keep_last=N`: trash (on Drive only) complete checkpoints older than the newest N complete ones.
    `pattern`: which top-level files or folders are checkpoints (fnmatch, e.g. "epoch-*.pt" or
    "checkpoint-*"); default every one. Other files are pushed too, but never pruned.
    `interval_s`: seconds between pushes. Returns the running `KeepOnDrive`; `close()` it at the end.
    """
    return KeepOnDrive(local_dir, drive_folder, keep_last=keep_last, interval_s=interval_s, pattern=pattern,
                       drive=drive, **options)
