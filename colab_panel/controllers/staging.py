"""State of the Staging tab: what to stage where, its progress, and the result or error in words.

Verbs: `stage()` starts `colab_panel.staging.stage` in a worker thread; `cancel()` stops it
(nothing half-written is left); `push()` sends a local folder to a Drive folder (`sync.push`).

Threads and front ends: the worker never sets a trait itself. It leaves its latest progress
snapshot and its outcome in plain attributes, and `poll()` copies them into the traits.
`poll()` is the tab's `on_tick`, which runs in the kernel's main thread when the browser's
ticker fires — the only updates Colab delivers (it drops widget messages sent from background
threads, colabtools#3373), so in Colab the bar moves once per panel tick. Where background
updates do reach the browser (JupyterLab, Notebook 7: `live=True`, the default outside Colab),
the worker also calls `poll()` itself, throttled, so the bar moves smoothly.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable

import traitlets

from colab_panel.errors import PanelError, StagingCancelled
from colab_panel.staging.progress import Progress
from colab_panel.staging.stager import StagedDataset
from colab_panel.staging.sync import SyncReport
from colab_panel.units import human_bytes
from colab_panel.units import human_duration

StageFn = Callable[..., StagedDataset]
PushFn = Callable[..., SyncReport]
_LIVE_INTERVAL_S = 0.25
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


def usage_snippet(path: Path) -> str:
    return f'DATA = Path("{path}")'


class StagingController(traitlets.HasTraits):
    source = traitlets.Unicode("")  # Drive link/ID, URL, kaggle:owner/dataset or path
    dest = traitlets.Unicode("")  # "" = the default (/content/data/<name> in Colab)
    busy = traitlets.Bool(False)
    error = traitlets.Unicode("")  # the last failure, in words
    message = traitlets.Unicode("")  # the last success or notice, in words
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

    def __init__(self, *, stage_fn: StageFn | None = None, push_fn: PushFn | None = None,
                 drive: Any = None, live: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if stage_fn is None:
            from colab_panel.staging import stage as stage_fn
        if push_fn is None:
            from colab_panel.staging.sync import push as push_fn
        self._stage_fn = stage_fn
        self._push_fn = push_fn
        self._drive = drive  # a Drive, a zero-argument factory returning one, or None (connect on demand)
        if live is None:
            from colab_panel.runtime.frontend import in_colab

            live = not in_colab()
        self._live = live
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._latest: Progress | None = None
        self._outcome: tuple[str, Any] | None = None  # ("result"|"error"|"pushed", value), set by the worker
        self._phase_start: tuple[str, float, int] | None = None  # phase, monotonic time, bytes at start
        self._last_live = 0.0

    # --- input -----------------------------------------------------------------------------

    @traitlets.validate("source", "dest", "push_local", "push_folder")
    def _validate_text(self, proposal: dict[str, Any]) -> str:
        return str(proposal["value"]).strip()

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

        def work() -> tuple[str, Any]:
            result = self._stage_fn(source, dest, progress=self._on_progress, cancel=self._cancel,
                                    drive=self._drive)
            return "result", result

        self.result = None
        self._start(work, "Staging")
        return True

    def push(self) -> bool:
        """Upload new or changed files of `push_local` into the Drive folder `push_folder`, in a thread."""
        if self.busy:
            self.error = "A staging or push is already running; cancel it or wait for it to finish."
            return False
        if not self.push_local or not self.push_folder:
            self.error = "Give both a local folder to push and a Drive folder (link or ID) to push it to."
            return False
        local, folder = self.push_local, self.push_folder

        def work() -> tuple[str, Any]:
            return "pushed", self._push_fn(local, folder, drive=self._drive, progress=self._on_progress,
                                           cancel=self._cancel)

        self.push_result = None
        self._start(work, "Pushing")
        return True

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
        """Copy the worker's latest progress and outcome into the traits (main thread: on_tick)."""
        with self._lock:
            latest, outcome = self._latest, self._outcome
            self._outcome = None
        if latest is not None:
            self._apply_progress(latest)
        if outcome is not None:
            self._apply_outcome(*outcome)

    def close(self) -> None:
        """Stop a running job (the panel is closing) and wait briefly for it."""
        self._cancel.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=10)

    # --- worker side -----------------------------------------------------------------------

    def _start(self, work: Callable[[], tuple[str, Any]], what: str) -> None:
        self._cancel.clear()
        self.error = ""
        self.message = f"{what}…"
        self._reset_progress()
        self.busy = True

        def run() -> None:
            try:
                outcome = work()
            except StagingCancelled as e:
                outcome = ("error", str(e) or "Cancelled.")
            except PanelError as e:
                outcome = ("error", str(e))
            except ValueError as e:  # bad input the backend refused (a malformed link, ...)
                outcome = ("error", str(e))
            except Exception as e:  # a bug: still say something, never leave the tab stuck busy
                outcome = ("error", f"Unexpected failure: {type(e).__name__}: {e}")
            with self._lock:
                self._outcome = outcome
            if self._live:
                self.poll()

        self._thread = threading.Thread(target=run, name="colab_panel-staging", daemon=True)
        self._thread.start()

    def _on_progress(self, p: Progress) -> None:
        with self._lock:
            self._latest = p
        if self._live and time.monotonic() - self._last_live >= _LIVE_INTERVAL_S:
            self._last_live = time.monotonic()
            self.poll()

    def _reset_progress(self) -> None:
        with self._lock:
            self._latest = None
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

    def _apply_outcome(self, kind: str, value: Any) -> None:
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
