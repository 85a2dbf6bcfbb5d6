"""State of the Staging tab: what to stage where, its progress, and the result or error in words.

Verbs: `stage()` starts `colab_panel.staging.stage` in a worker thread; `cancel()` stops it
(nothing half-written is left); `push()` sends a local folder to a Drive folder (`sync.push`);
`start_sync()` / `stop_sync()` push that folder every `sync_minutes` (`sync.PeriodicSync`, stopped
by `close()` too); `suggest(item)` offers the Drive tab's selection and `use_suggestion()` makes
it the source (or, for a folder, `use_suggestion("push")` the push target).

Threads and front ends: the worker never sets a trait itself. It hands its progress (only the
newest snapshot is kept) and its outcome to the controller's `handoff`, and `poll()` -- the tab's
`on_tick`, on the kernel's main thread -- applies them: the only updates Colab delivers (it drops
widget messages sent from background threads, colabtools#3373), so in Colab the bar moves once
per panel tick. Where background updates do reach the browser (JupyterLab, Notebook 7:
`live=True`, the default outside Colab), the worker applies them itself, at most every
0.25 s, so the bar moves smoothly.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable, Literal

import traitlets

from colab_panel.controllers.base import Controller, in_words
from colab_panel.errors import StagingCancelled
from colab_panel.staging.progress import Progress
from colab_panel.staging.staged import StagedDataset
from colab_panel.staging.sync import SyncReport
from colab_panel.units import human_bytes
from colab_panel.units import human_duration

StageFn = Callable[..., StagedDataset]
PushFn = Callable[..., SyncReport]
# what a worker hands back: ("result", StagedDataset), ("pushed", SyncReport) or ("error", words)
OutcomeKind = Literal["result", "pushed", "error"]
Outcome = tuple[OutcomeKind, Any]
_LIVE_INTERVAL_S = 0.25
MAX_SYNC_MINUTES = 24 * 60.0
_PHASE_WORDS = {"download": "Downloading", "extract": "Extracting", "copy": "Copying", "upload": "Uploading"}


def progress_line(p: Progress | None, rate_bps: float, eta_s: float | None) -> str:
    """`"Downloading 12.0 MB of 40.0 MB · 120 / 400 files · 8.1 MB/s · 3 s left"`."""
    if p is None:
        return ""
    parts = [f"{_PHASE_WORDS.get(p.phase, p.phase.capitalize())} {human_bytes(p.bytes_done)}"
             + (f" of {human_bytes(p.bytes_total)}" if p.bytes_total else "")]
    if p.files_total:
        parts.append(f"{p.files_done} / {p.files_total} files")
    elif p.files_done:
        parts.append(f"{p.files_done} files")
    if rate_bps > 0:
        parts.append(f"{human_bytes(rate_bps)}/s")
    if eta_s is not None:
        parts.append(f"{human_duration(eta_s)} left")
    return " · ".join(parts)


def drive_link(item: Any) -> str:
    """A source string for a DriveItem that keeps its resource key (old link-shared files need it)."""
    if item.is_shortcut:
        return f"drive:{item.id}"  # resolved to its target when staged
    base = (f"https://drive.google.com/drive/folders/{item.id}" if item.is_folder
            else f"https://drive.google.com/file/d/{item.id}/view")
    return f"{base}?resourcekey={item.resource_key}" if item.resource_key else base


def usage_snippet(path: Path) -> str:
    return f'DATA = Path("{path}")'


class StagingController(Controller):
    """`busy`, `error` (the last failure) and `message` (the last success or notice) come from `Controller`."""

    source = traitlets.Unicode("")  # Drive link/ID, URL, kaggle:owner/dataset or path
    dest = traitlets.Unicode("")  # "" = the default (/content/data/<name> in Colab)
    # progress
    phase = traitlets.Unicode("")
    bytes_done = traitlets.Int(0)
    bytes_total = traitlets.Int(None, allow_none=True)
    files_done = traitlets.Int(0)
    files_total = traitlets.Int(None, allow_none=True)
    rate_bps = traitlets.Float(0.0)
    eta_s = traitlets.Float(None, allow_none=True)
    fraction = traitlets.Float(0.0)  # 0..1 of bytes, for the bar
    progress_text = traitlets.Unicode("")
    result = traitlets.Instance(StagedDataset, allow_none=True)
    # results back to Drive
    push_local = traitlets.Unicode("")
    push_folder = traitlets.Unicode("")  # a Drive folder link or ID
    push_result = traitlets.Instance(SyncReport, allow_none=True)
    # periodic push of push_local to push_folder
    sync_minutes = traitlets.Float(10.0)
    syncing = traitlets.Bool(False)
    sync_status = traitlets.Unicode("")  # what the latest periodic push did, in words
    sync_error = traitlets.Unicode("")  # its latest failure, in words ("" once a push succeeds)
    # the Drive tab's selection (a DriveItem), offered with one click
    suggestion = traitlets.Any(None)
    # the last staging hit a shared file's download quota: `stage_via_copy()` is offered (issue 19)
    quota_blocked = traitlets.Bool(False)

    def __init__(self, *, stage_fn: StageFn | None = None, push_fn: PushFn | None = None,
                 drive: Any = None, live: bool | None = None, sync_factory: Callable[..., Any] | None = None,
                 **kwargs: Any) -> None:
        if live is None:
            from colab_panel.runtime.frontend import in_colab

            live = not in_colab()
        super().__init__(live=live, **kwargs)
        if stage_fn is None:
            from colab_panel.staging import stage

            stage_fn = stage
        if push_fn is None:
            from colab_panel.staging.sync import push

            push_fn = push
        self._stage_fn: StageFn = stage_fn
        self._push_fn: PushFn = push_fn
        self._drive = drive  # a Drive, a zero-argument factory returning one, or None (connect on demand)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._phase_start: tuple[str, float, int] | None = None  # phase, monotonic time, bytes at start
        self._last_live = 0.0
        if sync_factory is None:
            from colab_panel.staging.sync import PeriodicSync

            sync_factory = PeriodicSync
        self._sync_factory: Callable[..., Any] = sync_factory
        self._sync: Any = None  # the running PeriodicSync
        self._via_copy_next = False

    # --- input -----------------------------------------------------------------------------

    @traitlets.validate("source", "dest", "push_local", "push_folder")
    def _validate_text(self, proposal: dict[str, Any]) -> str:
        return str(proposal["value"]).strip()

    @traitlets.validate("sync_minutes")
    def _validate_minutes(self, proposal: dict[str, Any]) -> float:
        minutes = float(proposal["value"])
        if not 0 < minutes <= MAX_SYNC_MINUTES:
            raise traitlets.TraitError(f"Push every 0 < N <= {MAX_SYNC_MINUTES:g} minutes, not {minutes:g}.")
        return minutes

    # --- verbs -----------------------------------------------------------------------------

    def stage(self) -> bool:
        """Start staging `source` into `dest` in a worker thread; False (with `error`) if it can't start."""
        if self.busy:
            self.error = "A staging or push is already running; cancel it or wait for it to finish."
            return False
        if not self.source:
            self.error = "Paste a Drive link or ID, an http(s) URL, kaggle:owner/dataset, or a local path."
            return False
        dest = self.dest or None
        source = self.source
        extra = {"via_copy": True} if self._via_copy_next else {}
        self._via_copy_next = False

        def work() -> Outcome:
            result = self._stage_fn(source, dest, progress=self._on_progress, cancel=self._cancel,
                                    drive=self._drive, **extra)
            return "result", result

        self.result = None
        self._start(work, "Staging")
        return True

    def stage_via_copy(self) -> bool:
        """Stage `source` from a server-side copy in the user's Drive: past a download quota."""
        self._via_copy_next = True
        return self.stage()

    @traitlets.observe("error")
    def _on_error_change(self, change: Any) -> None:
        from colab_panel.staging.quota import VIA_COPY_HINT

        self.quota_blocked = VIA_COPY_HINT in (change["new"] or "")

    def push(self) -> bool:
        """Upload new or changed files of `push_local` into the Drive folder `push_folder`, in a thread."""
        if self.busy:
            self.error = "A staging or push is already running; cancel it or wait for it to finish."
            return False
        if not self.push_local or not self.push_folder:
            self.error = "Give both a local folder to push and a Drive folder (link or ID) to push it to."
            return False
        local, folder = self.push_local, self.push_folder

        def work() -> Outcome:
            return "pushed", self._push_fn(local, folder, drive=self._drive, progress=self._on_progress,
                                           cancel=self._cancel)

        self.push_result = None
        self._start(work, "Pushing")
        return True

    def start_sync(self) -> bool:
        """Push `push_local` to `push_folder` now and then every `sync_minutes`, in a thread."""
        if self._sync is not None:
            self.error = "Periodic push is already running; stop it first to change it."
            return False
        if not self.push_local or not self.push_folder:
            self.error = "Give both a local folder to push and a Drive folder (link or ID) to push it to."
            return False
        if not Path(self.push_local).expanduser().is_dir():
            self.error = f"{self.push_local} is not a folder on this machine."
            return False
        self.error = ""
        self.sync_error = ""
        self.sync_status = f"Periodic push starting: every {self.sync_minutes:g} min."
        self._sync = self._sync_factory(self.push_local, self.push_folder, self.sync_minutes * 60.0,
                                        drive=self._drive, immediately=True, on_run=self._on_sync_run)
        self.syncing = True
        return True

    def stop_sync(self) -> None:
        """Stop the periodic push (an upload in flight stops at its next file) and wait for it."""
        sync, self._sync = self._sync, None
        if sync is None:
            return
        sync.close()
        self.syncing = False
        if sync.last_run_at is None:
            self.sync_status = "Periodic push stopped before its first push."
            return
        self._show_sync(sync)
        self.sync_status = f"Periodic push stopped. {self.sync_status}"

    def suggest(self, item: Any) -> None:
        """Offer `item` (the Drive tab's selection) as the source; the view shows a button for it."""
        self.suggestion = item if hasattr(item, "mime_type") else None

    def use_suggestion(self, target: str = "source") -> bool:
        """Put the offered Drive item in `source` (or, a folder, in `push_folder` with target="push")."""
        item = self.suggestion
        if item is None:
            self.error = "Nothing is selected in the Drive tab."
            return False
        if target == "push":
            if not item.is_folder:
                self.error = f"'{item.title}' is not a folder: pick a Drive folder to push into."
                return False
            self.push_folder = drive_link(item)
        else:
            if item.is_native:
                self.error = (f"'{item.title}' is a Google {item.kind}: it has no file to stage. Export it "
                              "from the Drive tab, or pick a file or folder.")
                return False
            self.source = drive_link(item)
        self.error = ""
        return True

    def take_items(self, items: list[Any]) -> None:
        """An item handed over by the Drive tab becomes the source (staging takes one at a time)."""
        if len(items) != 1:
            self.error = (f"Staging copies one file or folder at a time; {len(items)} were selected. Select one "
                          "(or the folder that holds them) and press Stage again.")
            return
        self.suggest(items[0])
        self.use_suggestion()

    def cancel(self) -> None:
        """Ask the running job to stop; it cleans up and reports "cancelled" as its error."""
        if self.busy:
            self._cancel.set()
            self.message = "Cancelling…"

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job ends (tests, scripts); True if nothing is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return False
        self.poll()
        return True

    def poll(self) -> None:
        """Apply the worker's progress and outcome, and the periodic push's state (main thread: on_tick)."""
        super().poll()
        self._show_running_sync()

    def close(self) -> None:
        """Stop a running job and the periodic push (the panel is closing) and wait briefly for them."""
        self.stop_sync()
        self._cancel.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=10)

    # --- worker side -----------------------------------------------------------------------

    def _start(self, work: Callable[[], Outcome], what: str) -> None:
        self._cancel.clear()
        self.error = ""
        self.message = f"{what}…"
        self._reset_progress()
        self.busy = True

        def run() -> None:
            outcome: Outcome
            try:
                outcome = work()
            except StagingCancelled as e:
                outcome = ("error", str(e) or "Cancelled.")
            except Exception as e:  # words for a mistake; a bug still ends in words, never stuck busy
                outcome = ("error", in_words(e))
            self.handoff.deliver(lambda: self._apply_outcome(*outcome))

        self._thread = threading.Thread(target=run, name="colab_panel-staging", daemon=True)
        self._thread.start()

    def _on_progress(self, p: Progress) -> None:
        due = self.handoff.live and time.monotonic() - self._last_live >= _LIVE_INTERVAL_S
        if due:
            self._last_live = time.monotonic()
        self.handoff.deliver(lambda: self._apply_progress(p), key="progress", now=due)

    def _on_sync_run(self) -> None:  # the sync thread, after each push
        self.handoff.deliver(self._show_running_sync)

    def _show_running_sync(self) -> None:
        if self._sync is not None:
            self._show_sync(self._sync)

    def _show_sync(self, sync: Any) -> None:
        if sync.last_run_at is None:
            return
        when = time.strftime("%H:%M:%S", time.localtime(sync.last_run_at))
        report = sync.last_report
        done = f"Last push at {when}: {report.summary()}" if report is not None and not sync.last_error else ""
        if sync.last_error:
            done = f"Last push at {when} failed; it will be tried again."
        every = f" Next in {self.sync_minutes:g} min." if self._sync is sync else ""
        self.sync_status = done + every
        self.sync_error = sync.last_error

    def _reset_progress(self) -> None:
        self._phase_start = None
        self.phase, self.bytes_done, self.bytes_total = "", 0, None
        self.files_done, self.files_total = 0, None
        self.rate_bps, self.eta_s, self.fraction, self.progress_text = 0.0, None, 0.0, ""

    def _apply_progress(self, p: Progress) -> None:
        now = time.monotonic()
        if self._phase_start is None or self._phase_start[0] != p.phase:
            self._phase_start = (p.phase, now, p.bytes_done)
        _, t0, b0 = self._phase_start
        elapsed = now - t0
        rate = (p.bytes_done - b0) / elapsed if elapsed > 0.5 else 0.0
        eta = (p.bytes_total - p.bytes_done) / rate if rate > 0 and p.bytes_total else None
        self.phase = p.phase
        self.bytes_done, self.bytes_total = p.bytes_done, p.bytes_total
        self.files_done, self.files_total = p.files_done, p.files_total
        self.rate_bps, self.eta_s = rate, eta
        self.fraction = min(1.0, p.bytes_done / p.bytes_total) if p.bytes_total else 0.0
        self.progress_text = progress_line(p, rate, eta)

    def _apply_outcome(self, kind: OutcomeKind, value: Any) -> None:
        if kind == "result":
            self.result = value
            self.fraction = 1.0
            note = " (already staged: nothing was fetched)" if value.cached else ""
            self.message = (f"Staged {value.files} files, {human_bytes(value.bytes)}, into {value.path}{note}. "
                            + " ".join(getattr(value, "notes", ())))
        elif kind == "pushed":
            self.push_result = value
            self.message = value.summary()
        else:
            self.error = value
            self.message = ""
        self.busy = False
