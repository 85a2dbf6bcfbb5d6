"""`LiveChart`: one small anywidget that draws every Monitor chart with plotly.js, fed by deltas.

Why not plotly's `FigureWidget`: it ships its ~5 MB bundle in every instance's state and
re-sends whole traces on change. Here (measured in benchmarks/bench_monitor.py):

- The widget's own state is a few KB (`js/live_chart.js` plus a handful of traits).
- plotly.js loads once per page: a view that finds no `window.Plotly` sends ``hello`` with
  ``need_plotly``; the kernel answers with the installed package's `plotly.min.js`,
  gzip-compressed (~1.4 MB instead of 4.8 MB), as a binary buffer. The page inflates it with
  `DecompressionStream` and evaluates it once; every later view reuses it.
- A page cannot be answered while a cell is busy (its "hello" waits in the kernel's queue):
  "Run all" shows the panel and starts training at once. So when no hello has come
  `UNANSWERED_S` after the widget was made, the first `push` (sampler thread, which does
  reach JupyterLab) sends plotly.js and a snapshot unasked, once.
- Colab drops those background messages and gives every output its own iframe (so no page
  ever has plotly.js already): there (`embed_plotly=True`) the compressed bundle travels in
  the widget's state, which the main thread sends when the panel is displayed.
- Data arrives as columnar deltas (only rows newer than the last one sent): either pushed by
  the kernel (`push`, transport "comm", from the sampler thread) or polled by the page from
  the loopback `SampleEndpoint` (transport "http", for Colab).

The page answers every ``hello`` by `snapshot(window_s)` -> ``{"meta": ..., "data": ...}``
(the rows of the current window); this module knows nothing about where those come from.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

import anywidget
import traitlets

from colab_panel.widgets.static import static_path

__all__ = ["LiveChart", "plotly_bundle"]

_log = logging.getLogger(__name__)

Snapshot = Callable[[float], dict[str, Any]]

UNANSWERED_S = 2.5  # no "hello" by then: the kernel was busy when the page asked

_bundle_lock = threading.Lock()
_bundles: dict[bool, bytes] = {}


def plotly_bundle(compressed: bool = True) -> bytes:
    """The installed plotly package's `plotly.min.js` (gzip-compressed unless told otherwise),
    read and compressed once per kernel. Found without importing plotly (~0.5 s)."""
    with _bundle_lock:
        if compressed not in _bundles:
            spec = importlib.util.find_spec("plotly")
            if spec is None or not spec.submodule_search_locations:
                raise FileNotFoundError("the plotly package is not installed")
            path = Path(list(spec.submodule_search_locations)[0]) / "package_data" / "plotly.min.js"
            raw = path.read_bytes()
            # level 6: within 3 % of level 9's size at a third of its time (~0.2 s once)
            _bundles[compressed] = gzip.compress(raw, compresslevel=6, mtime=0) if compressed else raw
        return _bundles[compressed]


class LiveChart(anywidget.AnyWidget):
    """GPU utilization and memory per GPU plus host CPU/RAM, live, over `window_s` seconds."""

    _esm = static_path("live_chart.js")
    _css = static_path("live_chart.css")
    transport = traitlets.Enum(("comm", "http"), default_value="comm").tag(sync=True)
    endpoint_port = traitlets.Int(0).tag(sync=True)  # the SampleEndpoint, transport "http"
    endpoint_token = traitlets.Unicode("").tag(sync=True)
    window_s = traitlets.Int(300).tag(sync=True)
    interval_s = traitlets.Float(1.0).tag(sync=True)
    paused = traitlets.Bool(False).tag(sync=True)
    plotly_gz = traitlets.Bytes(b"").tag(sync=True)  # the bundle itself, only if embed_plotly

    def __init__(self, snapshot: Snapshot, *, embed_plotly: bool = False, **kwargs: Any) -> None:
        if embed_plotly:
            kwargs["plotly_gz"] = plotly_bundle(compressed=True)
        super().__init__(**kwargs)
        self._snapshot = snapshot
        self._created = time.monotonic()
        self._heard_from_page = False
        self._sent_unasked = False
        self.on_msg(self._on_custom_msg)

    def push(self, message: dict[str, Any]) -> None:
        """Send a ``delta`` or ``meta`` message to every view; safe from any thread and
        after `close()` (then it does nothing)."""
        if self.comm is None:
            return
        if (not self._heard_from_page and not self._sent_unasked and not self.plotly_gz
                and time.monotonic() - self._created > UNANSWERED_S):
            self._sent_unasked = True
            self._answer(need_plotly=True, compressed=True, window=self.window_s)
        self.send(message)

    def _answer(self, *, need_plotly: bool, compressed: bool, window: float) -> None:
        if need_plotly:
            self.send({"type": "plotly", "gzip": compressed},
                      buffers=[plotly_bundle(compressed)])
        self.send({"type": "snapshot", **self._snapshot(window)})

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "hello":
            return
        self._heard_from_page = True
        try:
            self._answer(need_plotly=bool(content.get("need_plotly")),
                         compressed=bool(content.get("gzip", True)),
                         window=float(content.get("window_s") or self.window_s))
        except Exception as error:  # say it on the chart rather than in the kernel log only
            _log.exception("live chart could not answer the page")
            self.send({"type": "error", "message": f"The chart could not load: {error}"})
