"""The session's history out of the panel: a CSV file and a static plotly figure.

Both read `Sampler.snapshot()` (columnar rows plus the cell markers). plotly is imported
inside `session_figure()` only: building the panel must not pay for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colab_panel.errors import MonitorError

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["session_figure", "write_csv"]

_GB = 1024**3


def write_csv(snapshot: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write every row as `time, t, <columns...>, events`; return the absolute path.

    `events` holds the marker labels (cell starts/ends) that fell since the previous row.
    Raises `MonitorError` in words for a path that cannot be written.
    """
    raw = os.fspath(path).strip() if path is not None else ""
    if not raw:
        raise MonitorError("Give a file name for the CSV, e.g. monitor.csv")
    target = Path(raw).expanduser()
    if target.is_dir():
        raise MonitorError(f"{target} is a folder: give a file name inside it, e.g. "
                           f"{target / 'monitor.csv'}")
    if not target.parent.exists():
        raise MonitorError(f"The folder {target.parent} does not exist")
    times: list[float] = snapshot["t"]
    series: dict[str, list[Any]] = snapshot["series"]
    columns = list(series)
    markers = sorted(snapshot.get("markers", []), key=lambda m: m["t"])
    try:
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["time", "t", *columns, "events"])
            m = 0
            for i, t in enumerate(times):
                events = []
                while m < len(markers) and markers[m]["t"] <= t:
                    events.append(markers[m]["label"])
                    m += 1
                stamp = dt.datetime.fromtimestamp(t).isoformat(timespec="milliseconds")
                values = ["" if series[c][i] is None else series[c][i] for c in columns]
                writer.writerow([stamp, f"{t:.3f}", *values, "; ".join(events)])
    except OSError as error:
        raise MonitorError(f"Could not write {target}: {error.strerror or error}") from error
    return target.resolve()


def session_figure(snapshot: dict[str, Any], gpu_names: dict[int, str] | None = None,
                   gpu_status: str = "") -> go.Figure:
    """A static figure of the whole session: GPU utilization, GPU memory, host CPU and RAM,
    with a dotted line at each cell start. Without GPUs only the host row is drawn and the
    title says why."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    series: dict[str, list[Any]] = snapshot["series"]
    x = [dt.datetime.fromtimestamp(t) for t in snapshot["t"]]
    gpus = sorted({int(c.split(".")[0][3:]) for c in series if c.startswith("gpu")})
    names = gpu_names or {}
    titles = (["GPU utilization (%)", "GPU memory used (GB)"] if gpus else []) + \
        ["Host CPU (%) and RAM used (GB)"]
    figure = make_subplots(rows=len(titles), cols=1, shared_xaxes=True, subplot_titles=titles,
                           vertical_spacing=0.08, specs=[[{"secondary_y": r == len(titles) - 1}]
                                  for r in range(len(titles))])
    for i in gpus:
        label = f"GPU {i}" + (f" {names[i]}" if names.get(i) else "")
        figure.add_trace(go.Scatter(x=x, y=series[f"gpu{i}.utilization_gpu_percent"], name=label,
                                    mode="lines", legendgroup=f"gpu{i}"), row=1, col=1)
        figure.add_trace(go.Scatter(x=x, y=_scaled(series[f"gpu{i}.memory_used_bytes"], _GB),
                                    name=f"{label} memory", mode="lines",
                                    legendgroup=f"gpu{i}"), row=2, col=1)
    host_row = len(titles)
    figure.add_trace(go.Scatter(x=x, y=series.get("cpu_percent", []), name="CPU %",
                                mode="lines"), row=host_row, col=1)
    figure.add_trace(go.Scatter(x=x, y=_scaled(series.get("ram_used_bytes", []), _GB),
                                name="RAM used (GB)", mode="lines"),
                     row=host_row, col=1, secondary_y=True)
    for marker in snapshot.get("markers", [])[-200:]:  # beyond that, lines hide the data
        if marker["label"].startswith("▶"):
            figure.add_vline(x=dt.datetime.fromtimestamp(marker["t"]),
                             line={"dash": "dot", "width": 1, "color": "#9ca3af"})
    title = "colab_panel monitor: this session"
    if not gpus and gpu_status:
        title += f"<br><sup>{gpu_status}</sup>"
    figure.update_layout(title=title, height=260 * len(titles) + 80, template="plotly_white",
                         legend={"orientation": "h", "y": -0.08})
    return figure


def _scaled(values: list[Any], divisor: float) -> list[float | None]:
    return [None if v is None else v / divisor for v in values]
