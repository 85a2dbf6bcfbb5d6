"""State of the panel's 'why did the last kernel die' notice, and the recording that makes it possible.

    c = LastExitController()      # state_dir=None: the package's state dir
    c.start()                     # explain a dead predecessor once; record this kernel from now on
    c.words, c.chart_svg, c.visible
    c.dismiss(); c.close()

Recording: this kernel's `FlightRecorder` is fed by the shared sampler while a panel is open,
and told of every cell by IPython's pre/post_run_cell events (written at once, because a cell's
start is the fact most worth keeping). Nothing here may raise into a cell.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import traitlets

__all__ = ["LastExitController"]

_log = logging.getLogger(__name__)


class LastExitController(traitlets.HasTraits):
    words = traitlets.Unicode("")  # the explanation of the previous kernel's death, in words
    chart_svg = traitlets.Unicode("")  # its last minutes, as a small static SVG
    visible = traitlets.Bool(False)
    recording = traitlets.Bool(False)

    def __init__(self, *, state_dir: str | Path | None = None, sampler: Any = None, shell: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state_dir = state_dir
        self._sampler = sampler
        self._shell = shell
        self.recorder: Any = None
        self.last_exit: Any = None
        self._acquired = False

    def start(self) -> None:
        from colab_panel.monitor.flight_recorder import kernel_recorder
        from colab_panel.monitor.last_exit import explain_last_exit

        try:
            self.last_exit = explain_last_exit(self.state_dir)
        except Exception:  # a broken trail must never stop the panel
            _log.exception("could not read the previous kernel's trail")
        if self.last_exit is not None:
            self.words, self.chart_svg = self.last_exit.words, self.last_exit.chart_svg()
            self.visible = True
        try:
            self.recorder = kernel_recorder(self.state_dir)
            sampler = self._sampler
            if sampler is None:
                from colab_panel.monitor.sampler import get_sampler

                sampler = self._sampler = get_sampler()
            self.recorder.attach(sampler)
            sampler.acquire()
            self._acquired = True
            self._register_cell_events()
            self.recording = True
        except Exception:  # e.g. a read-only home: the panel works, only the trail is missing
            _log.exception("could not start the flight recorder")

    def dismiss(self) -> None:
        self.visible = False

    def close(self) -> None:
        """The panel closes, not the kernel: stop feeding the trail, keep it open (no clean mark)."""
        self._unregister_cell_events()
        if self.recorder is not None:
            self.recorder.detach()
            self.recorder.flush()
        if self._acquired and self._sampler is not None:
            self._sampler.release()
            self._acquired = False
        self.recording = False

    # --- IPython cell events ------------------------------------------------------------------

    @property
    def shell(self) -> Any:
        if self._shell is None:
            try:
                from IPython import get_ipython
            except ImportError:
                return None
            self._shell = get_ipython()
        return self._shell

    def _register_cell_events(self) -> None:
        events = getattr(self.shell, "events", None)
        if events is not None:
            events.register("pre_run_cell", self._on_pre_run_cell)
            events.register("post_run_cell", self._on_post_run_cell)

    def _unregister_cell_events(self) -> None:
        events = getattr(self.shell, "events", None)
        for name, callback in (("pre_run_cell", self._on_pre_run_cell), ("post_run_cell", self._on_post_run_cell)):
            try:
                if events is not None:
                    events.unregister(name, callback)
            except ValueError:
                pass

    def _on_pre_run_cell(self, info: Any) -> None:
        try:
            if not getattr(info, "store_history", True) or self.recorder is None:
                return
            count = getattr(self.shell, "execution_count", None)
            # IPython 9 counts the cell up before pre_run_cell, 7 and 8 only after it ran.
            number = None if count is None else count - (1 if _ipython_major() >= 9 else 0)
            self.recorder.cell_started(number, getattr(info, "raw_cell", "") or "")
        except Exception:
            _log.exception("flight recorder: pre_run_cell failed")

    def _on_post_run_cell(self, result: Any) -> None:
        try:
            info = getattr(result, "info", None)
            if (info is not None and not getattr(info, "store_history", True)) or self.recorder is None:
                return
            failed = bool(getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None))
            self.recorder.cell_ended(getattr(result, "execution_count", None), failed)
        except Exception:
            _log.exception("flight recorder: post_run_cell failed")


def _ipython_major() -> int:
    try:
        from IPython import version_info
    except ImportError:
        return 0
    return int(version_info[0])
