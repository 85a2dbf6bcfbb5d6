"""`FleetView`: the Monitor tab's fleet section, bound to a `FleetController` (no state of its own).

Top to bottom: the Prometheus address, window and pause; the aggregate (GPUs and hosts, mean and
max utilization, spread across GPUs and hosts, memory) with its history; the alerts in words;
then one row per host and GPU with utilization and memory charts. Charts are small inline SVGs
drawn from the last reading: a fleet's history is Prometheus's, so nothing streams here, and
an SVG costs no widget model and no plotly bundle.
"""

from __future__ import annotations

import html
from typing import Any, Sequence

import ipywidgets as widgets

from colab_panel.controllers.monitor_fleet import FLEET_WINDOW_CHOICES_S, FleetController
from colab_panel.units import human_bytes

__all__ = ["FleetView", "charts_html", "sparkline_svg", "summary_html"]

_MIB = 1024 * 1024
FLEET_CSS = """
<style>
.cp-fleet-cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 4px 0 6px; }
.cp-fleet-card { border: 1px solid var(--cp-border-soft); border-radius: 6px; padding: 4px 10px; font-size: 12px; }
.cp-fleet-card b { display: block; font-size: 16px; font-variant-numeric: tabular-nums; }
.cp-fleet-table { border-collapse: collapse; font-size: 12px; }
.cp-fleet-table td, .cp-fleet-table th { padding: 2px 10px 2px 0; text-align: left; white-space: nowrap; }
.cp-fleet-alert { display: block; margin: 3px 0; padding: 6px 10px; border-radius: 6px;
                  background: var(--cp-bad-bg); color: var(--cp-bad); font-size: 13px; }
</style>
"""


def _window_label(seconds: int) -> str:
    return f"last {seconds // 60} min" if seconds < 3600 else f"last {seconds // 3600} h"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def _points(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} points"


def sparkline_svg(values: Sequence[float | None], *, top: float | None, width: int = 160, height: int = 28,
                  color: str = "var(--cp-accent)") -> str:
    """A line per run of known values (a gap where a value is missing); `top` fixes the scale (100 for %).
    `color` is any CSS colour, a theme variable included (it is set as a style, where var() works)."""
    known = [v for v in values if v is not None]
    box = f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
    if not known:
        return box + "</svg>"
    high = top if top is not None else max(known)
    low = 0.0 if top is not None else min(known)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    runs: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        y = height - 2 - (min(max(value, low), high) - low) / span * (height - 4)
        runs[-1].append(f"{i * step:.1f},{y:.1f}")
    lines = "".join(f'<polyline fill="none" style="stroke:{color}" stroke-width="1.5" points="{" ".join(run)}"/>'
                    for run in runs if run)
    return box + lines + "</svg>"


def summary_html(reading: Any) -> str:
    if reading is None:
        return ""
    s = reading.summary
    memory = (f"{human_bytes(s.memory_used_bytes)} of {human_bytes(s.memory_total_bytes)}"
              if s.memory_used_bytes is not None else "n/a")
    cards = [("GPUs", f"{s.gpus} GPUs on {s.hosts} hosts"), ("Mean utilization", _percent(s.mean_utilization_percent)),
             ("Max utilization", _percent(s.max_utilization_percent)),
             ("Spread across GPUs", _points(s.gpu_imbalance_points)),
             ("Spread across hosts", _points(s.host_imbalance_points)), ("GPU memory", memory)]
    body = "".join(f'<div class="cp-fleet-card">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in cards)
    history = ""
    mean, peak = reading.aggregate.get("mean_utilization_percent"), reading.aggregate.get("max_utilization_percent")
    if mean is not None:
        history = (f'<div class="cp-muted">Mean utilization {sparkline_svg(mean.values, top=100)}'
                   + (f' max {sparkline_svg(peak.values, top=100, color="var(--cp-bad)")}' if peak else "") + "</div>")
    return f'<div class="cp-fleet-cards">{body}</div>{history}'


def alerts_html(alerts: Sequence[str], has_reading: bool) -> str:
    if not alerts:
        return '<span class="cp-monitor-ok">No fleet alerts.</span>' if has_reading else ""
    return "".join(f'<span class="cp-fleet-alert">⚠ {html.escape(a)}</span>' for a in alerts)


def charts_html(reading: Any) -> str:
    if reading is None or not reading.gpus:
        return ""
    rows = []
    for gpu in reading.gpus:
        util = gpu.utilization
        used = gpu.memory_used_mib
        share = gpu.memory_share
        memory = "n/a" if used is None or used.latest is None else (
            f"{human_bytes(used.latest * _MIB)}" + (f" ({share:.0%})" if share is not None else ""))
        rows.append(
            f"<tr><td>{html.escape(gpu.label)}</td><td>{html.escape(gpu.model)}</td>"
            f"<td>{_percent(util.latest if util else None)}</td>"
            f"<td>{sparkline_svg(util.values if util else [], top=100)}</td>"
            f"<td>{html.escape(memory)}</td>"
            f"<td>{sparkline_svg(used.values if used else [], top=None, color='var(--cp-ok)')}</td></tr>")
    return ('<table class="cp-fleet-table"><tr><th>GPU</th><th>Model</th><th>Util.</th><th>History</th>'
            f'<th>Memory</th><th>History</th></tr>{"".join(rows)}</table>')


class FleetView(widgets.VBox):
    def __init__(self, controller: FleetController) -> None:
        self.controller = c = controller
        self.url = widgets.Text(value=c.url, placeholder="Prometheus address, e.g. http://prometheus:9090",
                                layout=widgets.Layout(width="340px")).add_class("cp-fleet-url")
        self.load = widgets.Button(description="Read fleet", icon="refresh").add_class("cp-fleet-load")
        self.window = widgets.Dropdown(options=[(_window_label(s), s) for s in FLEET_WINDOW_CHOICES_S],
                                       value=c.window_s if c.window_s in FLEET_WINDOW_CHOICES_S else None,
                                       layout=widgets.Layout(width="130px")).add_class("cp-fleet-window")
        self.pause = widgets.ToggleButton(value=c.paused, description="Pause", icon="pause",
                                          layout=widgets.Layout(width="100px")).add_class("cp-fleet-pause")
        self.summary = widgets.HTML().add_class("cp-fleet-summary")
        self.alerts = widgets.HTML().add_class("cp-fleet-alerts")
        self.charts = widgets.HTML().add_class("cp-fleet-charts")
        self.error = widgets.HTML().add_class("cp-fleet-error")
        controls = widgets.HBox([self.url, self.load, self.window, self.pause],
                                layout=widgets.Layout(align_items="center"))
        super().__init__([widgets.HTML(FLEET_CSS), controls, self.summary, self.alerts, self.charts, self.error])
        self.add_class("cp-fleet")
        self.load.on_click(lambda _: c.load(self.url.value))
        self.window.observe(self._on_window_pick, names="value")
        self.pause.observe(self._on_pause_pick, names="value")
        c.observe(self._show, names=["reading", "alerts", "error", "paused", "url"])
        self._show()

    def _on_window_pick(self, change: dict[str, Any]) -> None:
        if change["new"] is not None and change["new"] != self.controller.window_s:
            self.controller.set_window(change["new"])
            self.controller.refresh(force=True)

    def _on_pause_pick(self, change: dict[str, Any]) -> None:
        self.controller.paused = bool(change["new"])

    def _show(self, _change: Any = None) -> None:
        c = self.controller
        if self.url.value != c.url and c.url:
            self.url.value = c.url
        self.pause.value = c.paused
        self.pause.description, self.pause.icon = ("Resume", "play") if c.paused else ("Pause", "pause")
        self.summary.value = summary_html(c.reading)
        self.alerts.value = alerts_html(c.alerts, c.reading is not None)
        self.charts.value = charts_html(c.reading)
        self.error.value = f'<span class="cp-error">{html.escape(c.error)}</span>' if c.error else ""
