"""`MonitorTab`: the Monitor tab's widgets, bound to a `MonitorController` (no state of its own).

Top to bottom: controls (interval, window, pause) with the transport note; the GPU sentence
and sampler status; alerts; the live charts (`LiveChart`); the GPU process table; the
per-cell table; CSV export; the last error in words. With a fleet section (a Prometheus
server's hosts and GPUs), it comes first when an address was given, else folded at the end.
"""

from __future__ import annotations

import functools
import html
from typing import Any, Callable

import ipywidgets as widgets
import traitlets

from colab_panel.controllers.monitor import (INTERVAL_CHOICES_S, WINDOW_CHOICES_S,
                                             MonitorController)
from colab_panel.runtime.frontend import in_colab
from colab_panel.views.monitor_tables import MONITOR_CSS, alerts_html, cells_html, processes_html
from colab_panel.widgets.live_chart import LiveChart

__all__ = ["MonitorTab"]

_TRANSPORT_NOTES = {
    "comm": "Live: samples reach the charts through the kernel's widget channel, also while a "
            "cell runs.",
    "http": "Live: the charts are a page served by the kernel through Colab's port proxy, so "
            "they keep drawing while a cell runs.",
}


FLEET_TITLE = "Fleet (Prometheus)"


def _fleet_section(make_fleet: Callable[[], widgets.Widget], open_: bool) -> widgets.VBox:
    """The fleet view under a button that shows or hides it. (Not an Accordion: under Colab's
    custom widget manager its titles are lost, as a Tab's are; see views/tab_pages.py.)
    Folded, the view is built on first opening: its ~30 widget models would otherwise be part
    of the panel's first paint, for a section most sessions never open."""
    toggle = widgets.ToggleButton(value=open_, description=FLEET_TITLE, icon="server",
                                  layout=widgets.Layout(width="auto", align_self="flex-start")
                                  ).add_class("cp-monitor-fleet-toggle")
    section = widgets.VBox([toggle]).add_class("cp-monitor-fleet")

    def show(change: dict) -> None:
        if len(section.children) == 1:
            section.children = [toggle, make_fleet()]
        section.children[1].layout.display = None if change["new"] else "none"

    toggle.observe(show, names="value")
    if open_:
        show({"new": True})
    return section


def _interval_label(seconds: float) -> str:
    return f"every {seconds:g} s"


def _window_label(seconds: int) -> str:
    return f"last {seconds // 60} min" if seconds < 3600 else f"last {seconds // 3600} h"


_COLAB_GPU_HINT = " — for one: <b>Runtime → Change runtime type → GPU</b>"


class MonitorTab(widgets.VBox):
    def __init__(self, controller: MonitorController,
                 fleet: widgets.Widget | Callable[[], widgets.Widget] | None = None,
                 fleet_first: bool = False) -> None:
        """`fleet`: the fleet section (`views.monitor_fleet.FleetView`, or a function that makes
        it when first opened), first and open when `fleet_first` (a Prometheus address was
        given), else last and folded."""
        self.controller = c = controller
        # The tab's text parts share one Layout and one style: 14 fewer widget models for the
        # page to create before the first chart. close_tree leaves shared parts open, so
        # `close` closes them.
        self.transport_note = widgets.HTML().add_class("cp-monitor-transport")
        text = functools.partial(widgets.HTML, layout=self.transport_note.layout,
                                 style=self.transport_note.style)
        self.interval = widgets.Dropdown(description="Sample", layout=widgets.Layout(width="170px"),
                                         style={"description_width": "52px"}
                                         ).add_class("cp-monitor-interval")
        self.window = widgets.Dropdown(
            options=[(_window_label(s), s) for s in WINDOW_CHOICES_S], description="Show",
            layout=widgets.Layout(width="170px"), style={"description_width": "40px"},
        ).add_class("cp-monitor-window")
        self.pause = widgets.ToggleButton(icon="pause", layout=widgets.Layout(width="100px")
                                          ).add_class("cp-monitor-pause")
        controls = widgets.HBox([self.interval, self.window, self.pause, self.transport_note]
                                ).add_class("cp-monitor-controls")
        self.status = text().add_class("cp-monitor-status")
        self.alerts = text().add_class("cp-monitor-alerts")
        # Colab gives each output its own page: plotly.js must travel with the widget there.
        self.chart = LiveChart(c.chart_snapshot, embed_plotly=c.transport == "http"
                               ).add_class("cp-monitor-chart")
        self.processes = text().add_class("cp-monitor-processes")
        self.cells = text().add_class("cp-monitor-cells")
        self.export_path = widgets.Text(value="monitor.csv", placeholder="file name, e.g. run.csv",
                                        layout=widgets.Layout(width="280px")
                                        ).add_class("cp-monitor-export-path")
        self.export_button = widgets.Button(description="Export CSV", icon="download",
                                            tooltip="Save the whole session's samples as CSV"
                                            ).add_class("cp-monitor-export")
        self.export_result = text().add_class("cp-monitor-export-result")
        export = widgets.HBox([self.export_path, self.export_button, self.export_result],
                              layout=widgets.Layout(align_items="center"))
        self.error = text().add_class("cp-monitor-error")
        children = [text(MONITOR_CSS), controls, self.status, self.alerts,
                    self.chart, self.processes, self.cells, export, self.error]
        if fleet is not None:
            make = fleet if callable(fleet) and not isinstance(fleet, widgets.Widget) else (lambda: fleet)
            children.insert(1 if fleet_first else len(children) - 1, _fleet_section(make, fleet_first))
        super().__init__(children)
        self.add_class("cp-monitor")
        self._shared = (self.transport_note.layout, self.transport_note.style)
        self._bind()

    def close(self) -> None:
        super().close()
        for part in getattr(self, "_shared", ()):
            part.close()

    def _bind(self) -> None:
        c = self.controller
        self.chart.ticket_source = c.issue_ticket
        self.chart.on_no_proxy = c.use_widget_channel
        self.chart.frame_ticket = c.issue_ticket()
        c.observe(self._new_ticket, names="endpoint_port")
        for name in ("transport", "endpoint_port", "window_s", "interval_s", "paused"):
            traitlets.dlink((c, name), (self.chart, name))
        c.add_chart_listener(self.chart.push)
        self._updating = False  # True while we show the controller's value: not a user pick
        self.interval.observe(self._on_interval_pick, names="value")
        self.window.observe(self._on_window_pick, names="value")
        traitlets.link((c, "paused"), (self.pause, "value"))
        self.export_button.on_click(lambda _: c.export_csv(self.export_path.value))
        c.observe(self._show_interval, names="interval_s")
        c.observe(self._show_window, names="window_s")
        c.observe(self._show_pause, names="paused")
        c.observe(self._show_status, names=["status", "gpu_status", "transport"])
        c.observe(self._show_tables, names=["alerts", "processes", "cells", "gpu_count"])
        c.observe(self._show_messages, names=["error", "message"])
        for show in (self._show_interval, self._show_window, self._show_pause, self._show_status,
                     self._show_tables, self._show_messages):
            show()

    def _new_ticket(self, _change: Any = None) -> None:
        self.chart.frame_ticket = self.controller.issue_ticket()

    def _on_interval_pick(self, change: dict[str, Any]) -> None:
        if not self._updating and change["new"] is not None:
            self.controller.set_interval(change["new"])

    def _on_window_pick(self, change: dict[str, Any]) -> None:
        if not self._updating and change["new"] is not None:
            self.controller.set_window(change["new"])

    def _show_interval(self, _change: Any = None) -> None:
        value = self.controller.interval_s
        choices = sorted({*INTERVAL_CHOICES_S, value})  # a value set in code stays selectable
        self._show_choice(self.interval, [(_interval_label(s), s) for s in choices], value)

    def _show_window(self, _change: Any = None) -> None:
        value = self.controller.window_s
        choices = sorted({*WINDOW_CHOICES_S, value})
        options = [(_window_label(s) if s >= 60 else f"last {s} s", s) for s in choices]
        self._show_choice(self.window, options, value)

    def _show_choice(self, dropdown: widgets.Dropdown, options: list, value: Any) -> None:
        self._updating = True
        try:
            if list(dropdown.options) != options:
                dropdown.options = options
            dropdown.value = value
        finally:
            self._updating = False

    def _show_pause(self, _change: Any = None) -> None:
        paused = self.controller.paused
        self.pause.description = "Resume" if paused else "Pause"
        self.pause.icon = "play" if paused else "pause"
        self.pause.tooltip = "Sample again" if paused else "Stop sampling (history is kept)"

    def _show_status(self, _change: Any = None) -> None:
        c = self.controller
        self.transport_note.value = f'<span class="cp-muted">{_TRANSPORT_NOTES[c.transport]}</span>'
        if c.gpu_count:
            gpu = f'<b>GPU:</b> {html.escape(c.gpu_status)}'
        else:  # one line, so that the host chart below gets the whole width
            gpu = (f'<span class="cp-monitor-nogpu"><b>No GPU</b> · {html.escape(c.gpu_status)}'
                   f'{_COLAB_GPU_HINT if in_colab() else ""}</span>')
        self.status.value = (f'<div class="cp-monitor-status-text">{gpu}'
                             f'<br><span class="cp-muted">{html.escape(c.status)}</span></div>')

    def _show_tables(self, _change: Any = None) -> None:
        c = self.controller
        self.alerts.value = alerts_html(c.alerts)
        self.processes.value = processes_html(c.processes, c.gpu_count, c.gpu_status)
        self.cells.value = cells_html(c.cells)

    def _show_messages(self, _change: Any = None) -> None:
        c = self.controller
        self.error.value = f'<span class="cp-error">{html.escape(c.error)}</span>' if c.error else ""
        self.export_result.value = (f'<span class="cp-muted">{html.escape(c.message)}</span>'
                                    if c.message else "")
