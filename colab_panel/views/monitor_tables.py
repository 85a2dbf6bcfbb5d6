"""HTML for the Monitor tab's tables and alerts: pure functions of controller trait values."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Sequence

from colab_panel.units import human_bytes, human_duration

__all__ = ["MONITOR_CSS", "alerts_html", "cells_html", "processes_html"]

MONITOR_CSS = """
<style>
.cp-monitor-controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.cp-monitor-status { font-size: 12px; color: var(--cp-fg); }
.cp-monitor-alert { display: block; margin: 3px 0; padding: 6px 10px; border-radius: 6px;
                    background: var(--cp-bad-bg); color: var(--cp-bad); font-size: 13px; }
.cp-monitor-table { border-collapse: collapse; font-size: 12px; margin: 2px 0 8px; min-width: 60%; }
.cp-monitor-table th { text-align: left; font-weight: 600; color: var(--cp-fg); padding: 3px 10px 3px 0;
                       border-bottom: 1px solid var(--cp-border-soft); }
.cp-monitor-table td { padding: 3px 10px 3px 0; border-bottom: 1px solid var(--cp-border-soft); white-space: nowrap; }
.cp-monitor-table td.cp-num { text-align: right; font-variant-numeric: tabular-nums; }
.cp-monitor-table tr.cp-this-kernel td { background: var(--cp-accent-bg); }
.cp-monitor-table code { font-size: 11px; }
.cp-monitor-h { font-size: 13px; font-weight: 600; margin: 10px 0 2px; color: var(--cp-fg); }
.cp-monitor-ok { color: var(--cp-ok); font-size: 12px; }
</style>
"""


def alerts_html(alerts: Sequence[str]) -> str:
    if not alerts:
        return '<span class="cp-monitor-ok">No alerts: memory, disk and session time are fine.</span>'
    return "".join(f'<span class="cp-monitor-alert">⚠ {html.escape(a)}</span>' for a in alerts)


def processes_html(processes: Sequence[dict[str, Any]], gpu_count: int, gpu_status: str) -> str:
    head = '<div class="cp-monitor-h">GPU processes</div>'
    if not processes:
        why = "No process is using a GPU." if gpu_count else "None: this machine has no GPU to read."
        return f'{head}<span class="cp-muted">{html.escape(why)}</span>'
    rows = []
    for p in sorted(processes, key=lambda p: (p["gpu_index"], -(p["memory_used_bytes"] or 0))):
        mine = p.get("is_this_kernel")
        name = html.escape(p.get("name") or "(not visible from this container)")
        rows.append(
            f'<tr class="{"cp-this-kernel" if mine else ""}"><td>GPU {p["gpu_index"]}</td>'
            f'<td class="cp-num">{p["pid"]}</td><td><code>{name}</code>'
            f'{" <b>(this kernel)</b>" if mine else ""}</td><td>{html.escape(p.get("kind") or "")}</td>'
            f'<td class="cp-num">{human_bytes(p.get("memory_used_bytes"))}</td></tr>')
    return (f'{head}<table class="cp-monitor-table"><tr><th>GPU</th><th>PID</th><th>Process</th>'
            f'<th>Kind</th><th>GPU memory</th></tr>{"".join(rows)}</table>')


def cells_html(cells: Sequence[dict[str, Any]]) -> str:
    head = '<div class="cp-monitor-h">Cells run since the panel opened</div>'
    if not cells:
        return (f'{head}<span class="cp-muted">Run a cell: its duration and peak GPU memory, '
                'RAM and GPU utilization appear here.</span>')
    rows = []
    for c in cells:
        started = dt.datetime.fromtimestamp(c["started_t"]).strftime("%H:%M:%S")
        state = " (running)" if c["running"] else " (failed)" if c["failed"] else ""
        util = c["peak_gpu_util_percent"]
        rows.append(
            f'<tr><td>{html.escape(c["cell"])}</td><td><code>{html.escape(c["first_line"])}</code></td>'
            f'<td>{started}</td><td class="cp-num">{human_duration(c["duration_s"])}{state}</td>'
            f'<td class="cp-num">{human_bytes(c["peak_gpu_memory_bytes"])}</td>'
            f'<td class="cp-num">{human_bytes(c["peak_ram_bytes"])}</td>'
            f'<td class="cp-num">{"n/a" if util is None else f"{util:.0f} %"}</td></tr>')
    return (f'{head}<table class="cp-monitor-table"><tr><th>Cell</th><th>First line</th>'
            '<th>Started</th><th>Duration</th><th>Peak GPU memory</th><th>Peak RAM</th>'
            f'<th>Peak GPU util</th></tr>{"".join(rows)}</table>')
