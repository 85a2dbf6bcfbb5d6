"""State of the Staging tab's Checkpoints section: a `keep_on_drive` watcher started from the panel, and Restore latest.

Verbs: `start()` starts a watcher of `local_dir` into the Drive folder `drive_folder` (keeping
the newest `keep_last`, 0 = all); `stop()` flushes it (bounded) and stops it; `restore()` puts the
newest complete checkpoint of `drive_folder` into `restore_dir` (default: `local_dir`) in a worker
thread, which hands its outcome to the controller's `handoff`. `poll()` (the tab's tick, on the
kernel's main thread: Colab drops widget updates from other threads) applies it and copies the
watcher's state into the traits. `close()` (the
panel's) stops both within a bound, so no thread outlives the panel.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import traitlets

from colab_panel.controllers.base import Controller, in_words
from colab_panel.errors import PanelError, StagingCancelled, StagingError

STOP_TIMEOUT_S = 20.0  # how long Stop waits for the last push before it stops anyway
CLOSE_TIMEOUT_S = 20.0

KeeperFactory = Callable[..., Any]


class CheckpointsController(Controller):
    """`message` (the last verb's outcome) and `error` (the watcher's or a verb's failure) come from `Controller`."""

    local_dir = traitlets.Unicode("")  # the folder the training loop saves into
    drive_folder = traitlets.Unicode("")  # a Drive folder link or ID
    keep_last = traitlets.Int(0)  # keep the newest N complete checkpoints on Drive; 0 = keep all
    pattern = traitlets.Unicode("")  # which top-level entries are checkpoints ("" = every one)
    restore_dir = traitlets.Unicode("")  # where Restore latest puts it ("" = local_dir)
    running = traitlets.Bool(False)
    restoring = traitlets.Bool(False)
    status = traitlets.Unicode("")  # the running watcher in one line
    notice = traitlets.Unicode("")  # the watcher's flush near the runtime's limit, in words

    def __init__(self, *, drive: Any = None, keeper_factory: KeeperFactory | None = None,
                 keeper_options: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if keeper_factory is None:
            from colab_panel.checkpoints.watcher import keep_on_drive

            keeper_factory = keep_on_drive
        self._keeper_factory: KeeperFactory = keeper_factory
        self._keeper_options = dict(keeper_options or {})
        self._drive = drive  # a Drive, a zero-argument factory returning one, or None (connect on demand)
        self._keeper: Any = None
        self._cancel = threading.Event()
        self._restore_thread: threading.Thread | None = None
        self._error_is_keepers = False  # `error` shows the watcher's last failure (cleared when it recovers)

    @traitlets.validate("keep_last")
    def _validate_keep_last(self, proposal: dict[str, Any]) -> int:
        value = proposal["value"]
        if value < 0:
            raise traitlets.TraitError("keep_last must be 0 (keep all) or more")
        return value

    def start(self) -> bool:
        """Start a watcher; False (and `error` in words) when the input is refused."""
        if self._keeper is not None:
            self.error = "A watcher is already running: stop it first."
            return False
        self.message = self.error = self.notice = ""
        try:
            folder_id = self._folder_id()
            if not self.local_dir.strip():
                raise StagingError("Give the local folder your training loop saves checkpoints into, "
                               "e.g. /content/ckpt.")
            self._keeper = self._keeper_factory(
                self.local_dir.strip(), folder_id, keep_last=self.keep_last or None,
                pattern=self.pattern.strip() or None, drive=self._drive, **self._keeper_options)
        except PanelError as exc:
            self.fail(exc)
            return False
        self.running = True
        self.message = "Watching: each finished checkpoint goes to Drive, md5-verified."
        self.poll()
        return True

    def stop(self) -> None:
        """Push what is pending (at most STOP_TIMEOUT_S), then stop the watcher."""
        keeper, self._keeper = self._keeper, None
        if keeper is None:
            return
        done = keeper.close(STOP_TIMEOUT_S)
        self.running = False
        self._show_keeper(keeper)
        self.message = ("Stopped; every finished checkpoint is on Drive." if done else
                        f"Stopped; not everything was pushed within {STOP_TIMEOUT_S:.0f} s"
                        + (f" ({keeper.last_error})" if keeper.last_error else "") + ".")

    def restore(self) -> bool:
        """Put the newest complete checkpoint of `drive_folder` into `restore_dir` (worker thread)."""
        if self.restoring:
            return False
        self.message = self.error = ""
        try:
            folder_id = self._folder_id()
            target = (self.restore_dir or self.local_dir).strip()
            if not target:
                raise StagingError("Give the local folder to restore into (or the watched folder above).")
        except PanelError as exc:
            self.fail(exc)
            return False
        from colab_panel.checkpoints.restore import restore_latest

        self._cancel.clear()

        def work() -> None:
            message = error = ""
            try:
                path = restore_latest(folder_id, target, pattern=self.pattern.strip() or None, drive=self._drive,
                                      cancel=self._cancel)
                message = f"Restored {Path(path).name} to {path}, md5-verified against Drive."
            except StagingCancelled:
                message = "Restore cancelled; nothing half-written was kept."
            except Exception as exc:  # a bug must still end in words, never a dead thread
                error = in_words(exc, "Restoring failed")
            self.handoff.deliver(lambda: self._restore_ended(message, error))

        self.restoring = True
        self.message = "Restoring the newest complete checkpoint…"
        self._restore_thread = threading.Thread(target=work, name="colab_panel-restore", daemon=True)
        self._restore_thread.start()
        return True

    def poll(self) -> None:
        """Copy the watcher's state into the traits and apply the restore's outcome (main thread)."""
        if self._keeper is not None:
            self._show_keeper(self._keeper)
        super().poll()

    def close(self) -> None:
        """Stop the watcher (a bounded last push) and any restore; called by `Panel.close()`."""
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.close(CLOSE_TIMEOUT_S)
            self.running = False
        self._cancel.set()
        thread = self._restore_thread
        if thread is not None and thread.is_alive():
            thread.join(timeout=CLOSE_TIMEOUT_S)

    # --- helpers --------------------------------------------------------------------------------

    def _folder_id(self) -> str:
        from colab_panel.drive.parse import parse_drive_id

        if not self.drive_folder.strip():
            raise StagingError("Give the Drive folder (a link or ID) to keep the checkpoints in.")
        return parse_drive_id(self.drive_folder)

    def _restore_ended(self, message: str, error: str) -> None:
        self.restoring = False
        self.message = message
        if error:
            self.error = error

    def _show_keeper(self, keeper: Any) -> None:
        self.status = status_line(keeper)
        self.notice = keeper.notice
        if keeper.last_error:
            self.error, self._error_is_keepers = keeper.last_error, True
        elif self._error_is_keepers:
            self.error, self._error_is_keepers = "", False


def status_line(keeper: Any) -> str:
    """`"/content/ckpt → Drive folder ID · last push 12:03:09 · 0 pending · kept 3 on Drive (keep last 3)"`."""
    parts = [f"{keeper.local_dir} → Drive folder {keeper.drive_folder}"]
    if keeper.last_run_at_s is None:
        parts.append("first push under way")
    else:
        parts.append(f"last push {time.strftime('%H:%M:%S', time.localtime(keeper.last_run_at_s))}")
        report = keeper.last_report
        if report is not None:
            parts.append(f"{len(report.skipped)} pending")  # still being written: the next push takes them
    kept = len(keeper.complete())
    limit = f" (keep last {keeper.keep_last})" if keeper.keep_last else ""
    parts.append(f"kept {kept} on Drive{limit}")
    if not keeper.running:
        parts.append("stopped")
    return " · ".join(parts)
