"""Progress reports for every staging step, and the adapters that show them.

Engines count into a `ProgressTracker` from any thread; the tracker calls the user's callback
with a `Progress` snapshot, throttled, and only from the thread that calls `emit()` — the
caller's thread in every engine here. That matters in Colab, where widget updates made from
background threads are dropped (googlecolab/colabtools#3373).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Union

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """One snapshot. Totals are None when unknown (a compressed tar stream has no file count)."""

    bytes_done: int
    bytes_total: int | None
    files_done: int
    files_total: int | None
    phase: str = "extract"  # "download", "extract" or "copy": what the bytes are counting


ProgressCallback = Callable[[Progress], None]
# What public functions accept: None (silent), "tqdm" (a text bar on stderr) or a callback.
ProgressArg = Union[None, str, ProgressCallback]


class ProgressTracker:
    """Thread-safe counters plus a throttled callback.

    `add()` is cheap and may be called from worker threads; `emit()` calls the callback when
    `interval` seconds have passed since the last call (or always with `force=True`).
    A callback that raises is logged and ignored: a broken progress bar must not fail a
    staging run that is otherwise fine.
    """

    def __init__(self, callback: ProgressCallback | None, *, phase: str = "extract",
                 bytes_total: int | None = None, files_total: int | None = None,
                 interval: float = 0.1) -> None:
        self._callback = callback
        self._lock = threading.Lock()
        self._interval = interval
        self._last_emit = 0.0
        self.phase = phase
        self.bytes_total = bytes_total
        self.files_total = files_total
        self.bytes_done = 0
        self.files_done = 0

    def add(self, nbytes: int = 0, files: int = 0) -> None:
        with self._lock:
            self.bytes_done += nbytes
            self.files_done += files

    def snapshot(self) -> Progress:
        with self._lock:
            return Progress(self.bytes_done, self.bytes_total, self.files_done,
                            self.files_total, self.phase)

    def emit(self, force: bool = False) -> None:
        if self._callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last_emit < self._interval:
            return
        self._last_emit = now
        try:
            self._callback(self.snapshot())
        except Exception:  # noqa: BLE001 - see class docstring
            log.exception("progress callback failed; continuing without it")


class TqdmBar:
    """A `ProgressCallback` drawing a tqdm bar (imported lazily: `import colab_panel` stays fast).

    Plain `tqdm`, not `tqdm.auto`: the notebook flavour would pull ipywidgets into a backend.
    The bar appears with the first report, so a run with nothing to do (already staged) prints
    no empty bar. Its rate is a phase's bytes over the time since that phase began (the end of
    the one before, or the bar's creation), not since its first report: a report comes only
    every 0.1 s, and timing from it made a fast phase read as tens of GB/s.
    """

    def __init__(self, description: str) -> None:
        self._description = description
        self._bar: Any = None
        self._phase: str | None = None
        self._phase_started = time.time()  # tqdm's own clock is time.time
        self._last_report = self._phase_started

    def __call__(self, p: Progress) -> None:
        now = time.time()
        if self._bar is None:
            from tqdm import tqdm  # lazy: heavy-ish and only needed when a bar is shown

            # smoothing=0: the rate shown is the phase's average, from its true start
            self._bar = tqdm(desc=self._description, unit="B", unit_scale=True, unit_divisor=1000,
                             dynamic_ncols=True, leave=True, smoothing=0)
        if p.phase != self._phase:  # a new phase counts from zero again
            if self._phase is not None:
                self._phase_started = self._last_report
            self._phase = p.phase
            self._bar.reset(total=p.bytes_total)
            self._bar.set_description(p.phase)
            self._bar.start_t = self._phase_started
        elif p.bytes_total != self._bar.total:
            self._bar.total = p.bytes_total
        self._bar.n = p.bytes_done
        if p.files_total is not None:
            self._bar.set_postfix_str(f"{p.files_done}/{p.files_total} files", refresh=False)
        self._bar.refresh()
        self._last_report = now

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def resolve_progress(progress: ProgressArg, description: str) -> tuple[ProgressCallback | None, Callable[[], None]]:
    """Turn the public `progress=` argument into (callback, close)."""
    if progress is None:
        return None, lambda: None
    if isinstance(progress, str) and progress == "tqdm":
        bar = TqdmBar(description)
        return bar, bar.close
    if callable(progress):
        return progress, lambda: None
    from colab_panel.errors import StagingError
    from colab_panel.inputs import shown

    raise StagingError(f"progress must be None, 'tqdm' or a callable, not {shown(progress)}.")
