"""`Ticker`: a hidden widget whose page-side timer calls `on_tick` callbacks in the kernel."""

from __future__ import annotations

import logging
import time
from typing import Callable

import anywidget
import traitlets

from colab_panel.widgets.static import static_path

_log = logging.getLogger(__name__)


class Ticker(anywidget.AnyWidget):
    _esm = static_path("ticker.js")
    interval_ms = traitlets.Int(5000).tag(sync=True)

    def __init__(self, interval_ms: int = 5000, **kwargs):
        super().__init__(interval_ms=interval_ms, **kwargs)
        self._callbacks: list[Callable[[], None]] = []
        self._last_tick = 0.0
        self.on_msg(self._on_custom_msg)

    def on_tick(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def _on_custom_msg(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict) or content.get("type") != "tick":
            return
        # Ticks sent while a cell was busy arrive in a burst when it ends: run once for all of them.
        now = time.monotonic()
        if now - self._last_tick < self.interval_ms / 2000:
            return
        self._last_tick = now
        for callback in list(self._callbacks):
            try:
                callback()
            except Exception:  # one failing refresh must not stop the others
                _log.exception("tick callback %r failed", callback)
