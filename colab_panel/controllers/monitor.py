"""State and verbs of the Monitor tab: the kernel's sampler, how charts get live data, alerts,
the per-cell table and exports.

    monitor = MonitorController(transport="auto")   # acquires the kernel's sampler
    monitor.set_interval(2); monitor.pause(); monitor.resume()
    monitor.export_csv("run.csv"); monitor.figure().show()
    monitor.close()                                  # releases the sampler, stops the endpoint

Two transports carry samples to the browser (see DESIGN.md, "Hard facts"):

- ``"comm"``: a sampler subscriber pushes each new row to chart listeners from the sampler
  thread (`add_chart_listener`); JupyterLab / Notebook 7 / Voila / VS Code deliver that while a
  cell is busy (ipykernel >= 7.1).
- ``"http"``: Colab drops background-thread widget messages (googlecolab/colabtools#3373), so
  the controller opens a loopback `SampleEndpoint` (on the panel's endpoint when given one:
  ``endpoint=``, a function that returns it) that serves the chart as a page of its own
  (`chart_files`), which the widget shows in an iframe through Colab's port proxy;
  `endpoint_port` and a single-use ticket (`issue_ticket`) tell the chart where. Each
  `refresh()` on the main thread (the panel's ticker, while the kernel is idle) also pushes
  the new rows to chart listeners, so a chart whose frame cannot load still updates.

``"auto"`` picks "http" in Colab's own web front end and "comm" everywhere else (Colab in VS Code
included: it has no port proxy).

Table traits (`cells`, `processes`) and `alerts` are refreshed by `refresh()`, which the panel's
ticker calls every few seconds; with the comm transport the sampler thread also refreshes
them every few ticks, so they stay live while a cell is busy.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import traitlets

from colab_panel.controllers.base import Controller
from colab_panel.controllers.handoff import on_main_thread
from colab_panel.controllers.monitor_alerts import alerts_for
from colab_panel.controllers.monitor_cells import CellLog
from colab_panel.controllers.monitor_export import session_figure, write_csv
from colab_panel.errors import PanelError
from colab_panel.monitor.sampler import Sampler, Tick, get_sampler
from colab_panel.runtime.facts import colab_session_age_s
from colab_panel.runtime.frontend import in_colab, in_colab_browser

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from colab_panel.endpoint.server import KernelEndpoint
    from colab_panel.monitor.endpoint import SampleEndpoint

__all__ = ["INTERVAL_CHOICES_S", "MonitorController", "TRANSPORTS", "WINDOW_CHOICES_S",
           "choose_transport"]

_log = logging.getLogger(__name__)

TRANSPORTS = ("comm", "http")
INTERVAL_CHOICES_S = (0.5, 1.0, 2.0, 5.0)
WINDOW_CHOICES_S = (60, 300, 900, 3600)
_LIVE_REFRESH_EVERY_TICKS = 5  # comm transport: refresh tables/alerts from the sampler thread

ChartListener = Callable[[dict[str, Any]], None]


def choose_transport(requested: str | None) -> tuple[str, str]:
    """(transport, complaint): the transport to use for `requested` ("comm", "http", "auto"
    or None) and, when `requested` made no sense, a sentence saying what was used instead."""
    automatic = "http" if in_colab_browser() else "comm"
    if requested in (None, "", "auto"):
        return automatic, ""
    if requested in TRANSPORTS:
        return str(requested), ""
    return automatic, (f"monitor_transport must be 'comm', 'http' or 'auto', not {requested!r}; "
                       f"using {automatic!r}.")


class MonitorController(Controller):
    """The Monitor tab's state; `error` (the last failed action) and `message` (the last successful
    action's result) come from `Controller`. Safe to use without widgets (tests, scripts)."""

    interval_s = traitlets.Float(1.0)
    window_s = traitlets.Int(300)
    paused = traitlets.Bool(False)
    transport = traitlets.Enum(TRANSPORTS, default_value="comm")
    endpoint_port = traitlets.Int(0)  # 0 unless transport == "http"
    endpoint_token = traitlets.Unicode("")
    gpu_status = traitlets.Unicode("")  # one sentence: the GPUs, or why there are none
    gpu_count = traitlets.Int(0)
    status = traitlets.Unicode("")  # sampling interval, sampler cost, transport
    alerts = traitlets.List(traitlets.Unicode())
    cells: traitlets.List[dict[str, Any]] = traitlets.List()  # dicts from CellLog.rows(), newest first
    processes: traitlets.List[dict[str, Any]] = traitlets.List()  # dicts of GpuProcess

    def __init__(self, *, sampler: Sampler | None = None, transport: str | None = "auto",
                 staging_dir: str | Path | None = None, shell: Any = None,
                 session_age: Callable[[], float | None] | None = None,
                 chart_files: Mapping[str, Path] | None = None,
                 endpoint: Callable[[], KernelEndpoint] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._chart_files = dict(chart_files or {})
        self._shared_endpoint = endpoint  # the panel's; without it the chart gets one of its own
        self._closed = False
        self._lock = threading.RLock()  # refresh() runs on the main and the sampler thread
        self._endpoint: SampleEndpoint | None = None
        self._listeners: list[ChartListener] = []
        self._cursor: float | None = None
        self._last_meta: dict[str, Any] | None = None
        self._ticks_since_refresh = 0
        self._session_age = session_age or (colab_session_age_s if in_colab() else _no_age)

        self.sampler = (sampler or get_sampler()).acquire()
        if staging_dir is not None:
            self.sampler.staging_dir = staging_dir
        if self.sampler.paused and self.sampler.users == 1:
            self.sampler.resume()  # a paused panel was closed; a new one starts live
        if self.sampler.latest_host is None:
            # One reading now, so the tab shows the GPU sentence and numbers at first paint
            # instead of "reading…" until the thread's first tick.
            self.sampler.sample_now()
        self.cell_log = CellLog(self.sampler)
        self.interval_s = self.sampler.interval_s
        self.paused = self.sampler.paused
        chosen, complaint = choose_transport(transport)
        self.error = complaint
        self.observe(self._on_transport_change, names="transport")
        if chosen == self.transport:
            self._on_transport_change({"new": chosen})
        else:
            self.transport = chosen
        self.observe(self._on_interval_change, names="interval_s")
        self.observe(self._on_paused_change, names="paused")
        self._unsubscribe = self.sampler.subscribe(self._on_tick)
        self._shell = shell if shell is not None else _current_shell()
        # IPython >= 9 counts the cell up before pre_run_cell, older ones after post_run_cell;
        # post_run_cell's result has the true number, which corrects this guess if needed.
        self._count_offset = 1 if _ipython_major() >= 9 else 0
        self._register_cell_events()
        self.refresh()

    # ---- verbs ---------------------------------------------------------------------------

    def pause(self) -> None:
        """Stop sampling; history and charts stay as they are."""
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def set_interval(self, seconds: Any) -> bool:
        """Sample every `seconds` (at least 0.1). A bad value leaves `error` in words."""
        try:
            value = float(seconds)
            if not 0.1 <= value <= 3600:
                raise ValueError
        except (TypeError, ValueError):
            self.error = f"The interval must be a number of seconds from 0.1 to 3600, not {seconds!r}."
            return False
        self.interval_s = value
        self.error = ""
        return True

    def set_window(self, seconds: Any) -> bool:
        """Show the last `seconds` of history in the charts (10 s to 1 h)."""
        try:
            value = int(seconds)
            if not 10 <= value <= 3600:
                raise ValueError
        except (TypeError, ValueError):
            self.error = f"The chart window must be 10 to 3600 seconds, not {seconds!r}."
            return False
        self.window_s = value
        self.error = ""
        return True

    def export_csv(self, path: str | Path) -> Path | None:
        """Write the whole session's history to `path`; return the absolute path written.

        On failure returns None and leaves the reason in `error` (the view shows it).
        """
        try:
            written = write_csv(self.sampler.snapshot(), path)
        except PanelError as error:
            self.error, self.message = str(error), ""
            return None
        rows = len(self.sampler.history or ())
        self.error, self.message = "", f"Saved {rows} rows to {written}"
        return written

    def figure(self) -> go.Figure:
        """A static plotly figure of the whole session (plotly is imported on this call)."""
        names = {g.index: g.name or "" for g in self.sampler.latest_gpus}
        return session_figure(self.sampler.snapshot(), names, self.sampler.gpu_status)

    def refresh(self) -> None:
        """Recompute status, alerts and tables from the latest readings. Never raises."""
        if self._closed:
            return
        with self._lock:
            try:
                sampler = self.sampler
                self.gpu_status = sampler.gpu_status or "Reading the GPUs…"
                self.gpu_count = len(sampler.latest_gpus)
                self.status = self._status_sentence()
                self.alerts = alerts_for(sampler.latest_host, sampler.latest_gpus,
                                         self._session_age())
                self.processes = [dataclasses.asdict(p) for p in sampler.latest_processes]
                self.cells = self.cell_log.rows()
                if self.transport == "http" and on_main_thread():
                    # Colab delivers main-thread messages: a chart whose frame cannot load
                    # still updates whenever the kernel is idle.
                    self._push_new_rows()
            except Exception as error:  # the monitor must never take the panel down
                _log.exception("monitor refresh failed")
                self.error = f"Could not refresh the monitor: {error}"

    def close(self) -> None:
        """Release the sampler, stop the endpoint, unhook the cell events. Safe twice."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        self._unregister_cell_events()
        with self._lock:
            self._listeners.clear()
            endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None:
            endpoint.close()
        self.sampler.release()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def endpoint(self) -> SampleEndpoint | None:
        return self._endpoint

    # ---- what a live chart needs -----------------------------------------------------------

    def chart_snapshot(self, window_s: float | None = None) -> dict[str, Any]:
        """The rows of the last `window_s` seconds (the current window by default), the
        markers in them and the chart's meta (GPU names and totals, RAM total, GPU status)."""
        window = float(window_s or self.window_s)
        history = self.sampler.history
        last = history.last_t if history is not None else None
        data = self.sampler.since(None if last is None else last - window, include_latest=False)
        return {"meta": self.chart_meta(), "data": data}

    def chart_meta(self) -> dict[str, Any]:
        """What the chart cannot derive from rows: names, totals and the GPU sentence."""
        host = self.sampler.latest_host
        return {
            "gpus": [{"index": g.index, "name": g.name, "memory_total_bytes": g.memory_total_bytes,
                      "lost": g.lost} for g in self.sampler.latest_gpus],
            "ram_total_bytes": None if host is None else host.ram_total_bytes,
            "gpu_status": self.sampler.gpu_status,
        }

    def issue_ticket(self) -> str:
        """A single-use ticket that opens the endpoint's chart page ("" without an endpoint)."""
        endpoint = self._endpoint
        return endpoint.issue_ticket() if endpoint is not None and not endpoint.closed else ""

    def use_widget_channel(self) -> None:
        """The page has no port proxy (a Colab runtime shown by VS Code): push over the comm."""
        if self.transport != "comm":
            self.transport = "comm"

    def add_chart_listener(self, listener: ChartListener) -> Callable[[], None]:
        """With the comm transport, call `listener(message)` on the sampler thread after each
        sample: ``{"type": "delta", "data": ...}`` (new rows and markers only) and, when it
        changed, ``{"type": "meta", "meta": ...}``. Returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)
            if self._cursor is None and self.sampler.history is not None:
                self._cursor = self.sampler.history.last_t

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    # ---- internals -------------------------------------------------------------------------

    def _on_tick(self, tick: Tick) -> None:
        """Runs on the sampler thread after every sample."""
        if self._closed or self.transport != "comm":
            return
        with self._lock:
            self._ticks_since_refresh += 1
            live_refresh = self._ticks_since_refresh >= _LIVE_REFRESH_EVERY_TICKS
            if live_refresh:
                self._ticks_since_refresh = 0
        self._push_new_rows()
        if live_refresh:
            self.refresh()

    def _push_new_rows(self) -> None:
        """Send the rows since the last push (and the meta when it changed) to every listener."""
        with self._lock:
            listeners = list(self._listeners)
            if not listeners:
                return
            data = self.sampler.since(self._cursor, include_latest=False)
            self._cursor = data["until"]
            messages = [{"type": "delta", "data": data}]
            meta = self.chart_meta()
            if meta != self._last_meta:
                self._last_meta = meta
                messages.insert(0, {"type": "meta", "meta": meta})
        for listener in listeners:
            for message in messages:
                try:
                    listener(message)
                except Exception:  # one closed or broken chart must not starve the others
                    _log.exception("chart listener failed")

    def _on_transport_change(self, change: dict[str, Any]) -> None:
        with self._lock:
            endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None:
            endpoint.close()
        self.endpoint_port, self.endpoint_token = 0, ""
        if change["new"] == "http" and not self._closed:
            try:
                from colab_panel.monitor.endpoint import SampleEndpoint

                shared = self._shared_endpoint() if self._shared_endpoint is not None else None
                self._endpoint = SampleEndpoint(self.sampler, files=self._chart_files, endpoint=shared)
            except PanelError as error:
                self.error = f"{error}; live charts will update only when the kernel is idle."
                return
            self.endpoint_token = self._endpoint.token
            self.endpoint_port = self._endpoint.port
        self.status = self._status_sentence()

    def _on_interval_change(self, change: dict[str, Any]) -> None:
        try:
            self.sampler.interval_s = change["new"]
        except ValueError as error:
            self.error = str(error)
        self.status = self._status_sentence()

    def _on_paused_change(self, change: dict[str, Any]) -> None:
        # The sampler is the kernel's: pausing here pauses it for every user, by design
        # (one panel per kernel), and its history keeps what was sampled so far.
        if change["new"]:
            self.sampler.pause()
        else:
            self.sampler.resume()
        self.status = self._status_sentence()

    def _status_sentence(self) -> str:
        sampler = self.sampler
        if self.paused:
            parts = ["Paused (press Resume to sample again)"]
        else:
            parts = [f"Sampling every {sampler.interval_s:g} s"]
        cost = sampler.cost_cpu_percent
        if cost is not None:
            parts.append(f"the sampler uses {cost:.2f} % of one CPU core")
        return "; ".join(parts) + "."

    # ---- IPython cell events -----------------------------------------------------------------

    def _register_cell_events(self) -> None:
        events = getattr(self._shell, "events", None)
        if events is None:
            return
        events.register("pre_run_cell", self._on_pre_run_cell)
        events.register("post_run_cell", self._on_post_run_cell)

    def _unregister_cell_events(self) -> None:
        events = getattr(self._shell, "events", None)
        if events is None:
            return
        for name, callback in (("pre_run_cell", self._on_pre_run_cell),
                               ("post_run_cell", self._on_post_run_cell)):
            try:
                events.unregister(name, callback)
            except ValueError:  # already gone (IPython reset its events)
                pass

    def _on_pre_run_cell(self, info: Any) -> None:
        # An exception here would be printed into the user's cell: never let one escape.
        try:
            if not getattr(info, "store_history", True):
                return  # front-end internals (completion, widgets' silent runs), not user cells
            count = getattr(self._shell, "execution_count", None)
            number = None if count is None else count - self._count_offset
            self.cell_log.started(number, getattr(info, "raw_cell", "") or "")
        except Exception:
            _log.exception("pre_run_cell hook failed")

    def _on_post_run_cell(self, result: Any) -> None:
        try:
            info = getattr(result, "info", None)
            if info is not None and not getattr(info, "store_history", True):
                return
            failed = bool(getattr(result, "error_in_exec", None) or
                          getattr(result, "error_before_exec", None))
            number = getattr(result, "execution_count", None)
            started = self.cell_log.ended(number, failed)
            if started is not None and number is not None and started != number:
                self._count_offset += started - number  # learn this IPython's habit
        except Exception:
            _log.exception("post_run_cell hook failed")


def _current_shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _ipython_major() -> int:
    try:
        from IPython import version_info
    except ImportError:
        return 0
    return int(version_info[0])


def _no_age() -> float | None:
    return None
