"""`LiveChart`: one small anywidget that draws every Monitor chart with plotly.js, fed by deltas.

Why not plotly's `FigureWidget`: it ships its ~5 MB bundle in every instance's state and
re-sends whole traces on change. Here (measured in benchmarks/bench_monitor.py):

- The widget's own state is a few KB (`js/live_chart.js` with its parts, plus a handful of traits).
- plotly.js loads once per page: `plotly_source()`, our cut of plotly.js (1.0 MB, sent
  gzip-compressed: 0.35 MB; the full bundle is 4.8 MB and takes five times as long to
  evaluate).
  The kernel's first chart carries it in its state, with the rows it had at creation
  (`first_snapshot`), so the page has both while the cell that makes the panel still runs;
  the page inflates it at once (`DecompressionStream`) and evaluates it in its first idle
  time after the panel is shown, or at once when the Monitor tab is opened (evaluation holds
  the main thread ~0.1 s; charts are drawn when first shown). A view that still
  finds no `window.Plotly` (a reloaded page) sends ``hello`` with ``need_plotly``; the kernel
  answers with the bundle as a binary buffer. Every later view reuses it.
- A page cannot be answered while a cell is busy (its "hello" waits in the kernel's queue):
  "Run all" shows the panel and starts training at once. So when no hello has come
  `UNANSWERED_S` after the widget was made, the first `push` (sampler thread, which does
  reach JupyterLab) sends plotly.js and a snapshot unasked, once.
- Colab drops those background messages and gives every output its own iframe (so no page
  ever has plotly.js already): there (`embed_plotly=True`) the compressed bundle travels in
  the widget's state, which the main thread sends when the panel is displayed.
- Data arrives as columnar deltas (only rows newer than the last one sent), pushed by the
  kernel (`push`, transport "comm", from the sampler thread). In Colab (transport "http") the
  view shows the chart as an iframe document served by the loopback `SampleEndpoint`
  (`chart_page_files()`), opened with a single-use `frame_ticket`; a view that finds its
  ticket used asks for another (``hello`` with ``need_ticket``), and a Colab front end with no
  port proxy says ``no_proxy`` (`on_no_proxy`). What the kernel pushes from its main thread
  is drawn by the view itself when the frame cannot load.

The page answers every ``hello`` by `snapshot(window_s)` -> ``{"meta": ..., "data": ...}``
(the rows of the current window); this module knows nothing about where those come from.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections import deque
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

import anywidget
import traitlets

from colab_panel.widgets.static import joined_module, static_path

__all__ = ["LiveChart", "chart_page_files", "installed_plotly_js", "plotly_bundle", "plotly_source"]

_log = logging.getLogger(__name__)

Snapshot = Callable[[float], dict[str, Any]]

UNANSWERED_S = 2.5  # no "hello" by then: the kernel was busy when the page asked

_bundle_lock = threading.Lock()
_bundles: dict[bool, bytes] = {}


VENDORED_PLOTLY = "vendor/plotly-colab.min.js.gz"


def plotly_source() -> Path:
    """The plotly.js the charts load: the vendored cut of plotly.js (scatter lines on date axes,
    shapes, annotations, legend, hover; 1.0 MB, stored gzip-compressed at 0.35 MB; built by
    tools/build_plotly.sh, see js/vendor/README.md), else the installed plotly package's full
    `plotly.min.js` (found without importing plotly, which takes ~0.5 s). A ``.gz`` path is
    compressed."""
    try:
        return static_path(VENDORED_PLOTLY)
    except FileNotFoundError:
        pass
    try:
        return installed_plotly_js()
    except FileNotFoundError:
        raise FileNotFoundError(f"neither {VENDORED_PLOTLY} nor the plotly package is installed") from None


def installed_plotly_js() -> Path:
    """The installed plotly package's full `plotly.min.js`, found without importing plotly."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the plotly package is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "package_data" / "plotly.min.js"


def plotly_bundle(compressed: bool = True) -> bytes:
    """`plotly_source()`'s script, gzip-compressed unless told otherwise; read once per kernel.
    The vendored file is compressed already, so the cell that makes the panel pays no
    compression (gzip of the 1 MB script costs ~50 ms)."""
    with _bundle_lock:
        if compressed not in _bundles:
            path = plotly_source()
            data = path.read_bytes()
            if path.suffix == ".gz" and not compressed:
                data = gzip.decompress(data)
            elif path.suffix != ".gz" and compressed:
                data = gzip.compress(data, compresslevel=6, mtime=0)
            _bundles[compressed] = data
        return _bundles[compressed]


def chart_page_files() -> dict[str, Path]:
    """What the endpoint's chart page loads from ``/static/`` (see monitor/endpoint.py)."""
    entry = static_path("live_chart.js")
    parts = {f"live_chart/{p.name}": p for p in sorted((entry.parent / "live_chart").glob("*.js"))}
    return {"live_chart.js": entry,
            "theme.css": static_path("theme.css"),
            "shade.js": static_path("shade.js"),
            **parts,  # the page imports them as ES modules (the widget gets them joined)
            "live_chart.css": static_path("live_chart.css"),
            "chart_frame.js": static_path("chart_frame.js"),
            "plotly.js": plotly_source()}


_embedded_once = False


def _first_snapshot(snapshot: Snapshot, window_s: float) -> dict[str, Any]:
    """`snapshot(window_s)` if it has rows (else {}: the page waits for its hello's answer).
    A failure here is reported to the page by that answer, in words."""
    try:
        first = snapshot(float(window_s))
    except Exception:
        return {}
    data = first.get("data") if isinstance(first, dict) else None
    return first if isinstance(data, dict) and data.get("t") else {}


def _first_chart_in_kernel() -> bool:
    """True once per kernel, for the first chart made in a running IPython kernel: its page
    has no plotly.js yet, and the widget's state reaches the page while the cell that makes
    the panel still runs, so the bundle is there before the view asks (the ``hello`` round
    trip waits behind the busy cell). Later charts (a re-run cell) find it on the page and
    ask only if they don't. Outside a kernel (tests, scripts) there is no page to send it to."""
    global _embedded_once
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    with _bundle_lock:
        first, _embedded_once = not _embedded_once, True
    return first


class LiveChart(anywidget.AnyWidget):
    """GPU utilization and memory per GPU plus host CPU/RAM, live, over `window_s` seconds."""

    _esm = joined_module("live_chart.js")  # js/live_chart.js and its parts, as one module
    # the theme's colour variables first: the chart may be shown outside the panel too
    _css = static_path("theme.css").read_text(encoding="utf-8") + static_path("live_chart.css").read_text(encoding="utf-8")
    transport = traitlets.Enum(("comm", "http"), default_value="comm").tag(sync=True)
    endpoint_port = traitlets.Int(0).tag(sync=True)  # the SampleEndpoint, transport "http"
    # Opens the endpoint's chart page once. The endpoint's keys never enter the widget's
    # state (which a notebook may save): a used or expired ticket opens nothing.
    frame_ticket = traitlets.Unicode("").tag(sync=True)
    window_s = traitlets.Int(300).tag(sync=True)
    interval_s = traitlets.Float(1.0).tag(sync=True)
    paused = traitlets.Bool(False).tag(sync=True)
    plotly_gz = traitlets.Bytes(b"").tag(sync=True)  # the bundle itself, only if embed_plotly
    # With the bundle, the rows at creation: the view draws without waiting for its "hello"
    # to be answered (that waits until the cell making the panel is done).
    first_snapshot = traitlets.Dict().tag(sync=True)

    def __init__(self, snapshot: Snapshot, *, embed_plotly: bool = False, **kwargs: Any) -> None:
        if embed_plotly or _first_chart_in_kernel():
            kwargs["plotly_gz"] = plotly_bundle(compressed=True)
            kwargs["first_snapshot"] = _first_snapshot(snapshot, kwargs.get("window_s", 300))
        super().__init__(**kwargs)
        self._snapshot = snapshot
        # What the page says it shows ({"frame", "points", "last_t", "problem"}), newest last,
        # with the kernel's monotonic time of arrival: notebooks/colab_check.ipynb reads it.
        self.page_reports: deque[tuple[float, dict[str, Any]]] = deque(maxlen=500)
        self.ticket_source: Callable[[], str] = lambda: ""
        self.on_no_proxy: Callable[[], None] = lambda: None
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
        if not isinstance(content, dict):
            return
        if content.get("type") == "status":
            self.page_reports.append((time.monotonic(), content))
            return
        if content.get("type") == "no_proxy":
            self.on_no_proxy()
            return
        if content.get("type") != "hello":
            return
        self._heard_from_page = True
        if content.get("need_ticket"):
            ticket = self.ticket_source()
            if ticket:
                self.send({"type": "ticket", "ticket": ticket})
        try:
            self._answer(need_plotly=bool(content.get("need_plotly")),
                         compressed=bool(content.get("gzip", True)),
                         window=float(content.get("window_s") or self.window_s))
        except Exception as error:  # say it on the chart rather than in the kernel log only
            _log.exception("live chart could not answer the page")
            self.send({"type": "error", "message": f"The chart could not load: {error}"})
