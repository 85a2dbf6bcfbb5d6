"""Bytes the Monitor's live chart costs the browser, next to a plotly `FigureWidget` doing the same.

Same picture on both sides: one GPU plus host, four lines (GPU utilization, GPU memory, CPU,
RAM) over a 5-minute window at 1 Hz (300 rows), then one new sample.

- First paint, fresh page: what reaches the browser before the chart can draw. Ours: the
  kernel's first chart carries in its state (its `_esm`/`_css` and traits) the vendored
  plotly.js basic bundle gzip-compressed and the rows it had at creation, and the page's
  ``hello`` is answered by the window's snapshot. FigureWidget: its state, which carries its
  ~5 MB `_esm` bundle and the four full traces.
- First paint, page that already has plotly.js (a second panel, a re-run cell): ours skips the
  bundle; a FigureWidget ships its bundle again in every instance.
- Colab first paint: ours carries the compressed bundle and first rows in the state (each
  output is its own iframe there) and fetches the snapshot over HTTP.
- Per update: ours is one `delta` message (comm) or one HTTP response with headers (Colab);
  the FigureWidget's is the restyle it sends when each trace's window slides by one point.

Every message is measured as ipywidgets sends it: the comm `data` dict through
jupyter_client's JSON packer, plus binary buffers. Websocket and ZMQ framing are left out on
both sides. Goal from issue 7: <= 1 KB per update for one GPU plus host. The issue sets no
byte goal for first paint (its goal there is time, next to a bare Label, not measured here),
so those rows only ask to be smaller than the FigureWidget ("< 1x").

The whole measurement runs `RUNS` times, ours and the FigureWidget's in alternating order;
each row is the median with the min-max of its ratio. Byte counts hardly move between runs:
the spread shows how little.
"""

from __future__ import annotations

import http.client
import random
import sys

from benchmarks.harness import Row, repeated, repeated_row

ROWS = 300  # 5 minutes at 1 Hz
RUNS = 5
T0 = 1_800_000_000.0


def _packed(message: dict) -> int:
    from jupyter_client.session import json_packer

    return len(json_packer(message))


def _state_bytes(widget) -> int:
    """The comm-open payload: JSON state plus binary buffers, as ipywidgets splits them."""
    from ipywidgets.widgets.widget import _remove_buffers

    state, buffer_paths, buffers = _remove_buffers(widget.get_state())
    return _packed({"state": state, "buffer_paths": buffer_paths}) + sum(len(b) for b in buffers)


def _synthetic_sampler():
    """A sampler (never started) whose history holds ROWS plausible one-GPU rows."""
    from colab_panel.monitor.history import RingHistory
    from colab_panel.monitor.sampler import GPU_COLUMNS, HOST_COLUMNS, Sampler

    rng = random.Random(7)
    sampler = Sampler()
    columns = [*HOST_COLUMNS, *(f"gpu0.{c}" for c in GPU_COLUMNS)]
    sampler._history = RingHistory(columns, 3600)
    for i in range(ROWS + 1):
        sampler._history.append(T0 + i + rng.random() / 100, _row(rng))
    return sampler


def _row(rng: random.Random) -> list[float | None]:
    return [round(rng.uniform(5, 60), 2), rng.randrange(4, 10) * 2**30 + rng.randrange(2**20),
            rng.randrange(600, 900) * 2**20, None,  # host: cpu %, ram, kernel rss, torch
            float(rng.randrange(0, 100)), float(rng.randrange(0, 60)),  # gpu util, mem util
            rng.randrange(2, 14) * 2**30 + rng.randrange(2**20), 61.0, round(rng.uniform(30, 70), 3)]


def _ours(sampler) -> dict[str, float]:
    from colab_panel.widgets.live_chart import LiveChart, plotly_bundle

    history = sampler.history
    last_but_one = history.since(None)["t"][-2]
    snapshot = {"meta": {"gpus": [{"index": 0, "name": "Tesla T4", "memory_total_bytes": 16 * 2**30,
                                   "lost": False}], "ram_total_bytes": 13 * 2**30, "gpu_status": "1 × Tesla T4"},
                "data": sampler.since(last_but_one - ROWS, include_latest=False)}
    comm_chart = LiveChart(lambda window: snapshot)  # a later chart: the page has plotly.js
    first_chart = LiveChart(lambda window: snapshot, embed_plotly=True)  # the kernel's first
    colab_chart = LiveChart(lambda window: snapshot, embed_plotly=True, transport="http")
    custom = lambda content: _packed({"method": "custom", "content": content})  # noqa: E731
    delta = {"type": "delta", "data": sampler.since(last_but_one, include_latest=False)}
    figures = {
        "state": _state_bytes(comm_chart),
        "first_state": _state_bytes(first_chart),
        "bundle": len(plotly_bundle(compressed=True)),
        "snapshot": custom({"type": "snapshot", **snapshot}),
        "colab_state": _state_bytes(colab_chart),
        "delta": custom(delta),
    }
    for chart in (comm_chart, first_chart, colab_chart):
        chart.close()
    figures.update(_http(sampler, last_but_one - ROWS, last_but_one))
    return figures


def _http(sampler, window_start: float, last_but_one: float) -> dict[str, float]:
    """Bytes of the Colab path's real HTTP responses (status line, headers and body)."""
    from colab_panel.monitor.endpoint import SampleEndpoint

    def fetch(since: float) -> int:
        connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=10)
        try:
            connection.request("GET", f"/samples?since={since!r}&latest=0&token={endpoint.token}")
            response = connection.getresponse()
            body = response.read()
            head = 17 + sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 2
            return head + len(body)
        finally:
            connection.close()

    with SampleEndpoint(sampler) as endpoint:
        return {"http_snapshot": fetch(window_start), "http_delta": fetch(last_but_one)}


def _figure_widget(sampler) -> dict[str, float]:
    import plotly.graph_objects as go

    data = sampler.since(None)
    t, s = data["t"], data["series"]
    columns = ["gpu0.utilization_gpu_percent", "gpu0.memory_used_bytes", "cpu_percent",
               "ram_used_bytes"]
    window = slice(-ROWS - 1, -1)
    figure = go.FigureWidget(data=[go.Scatter(x=t[window], y=s[c][window], name=c) for c in columns])
    first = _state_bytes(figure)
    sent: list[int] = []
    figure._send = lambda msg, buffers=None: sent.append(  # type: ignore[method-assign]
        _packed(msg) + sum(len(b) for b in buffers or ()))
    with figure.batch_update():  # slide each trace's window by the one new sample
        for trace, c in zip(figure.data, columns):
            trace.x, trace.y = t[-ROWS:], s[c][-ROWS:]
    figure.close()
    return {"first": first, "update": sum(sent)}


def run() -> list[Row]:
    runs = []
    for i in range(RUNS):
        sampler = _synthetic_sampler()
        if i % 2:
            figure = _figure_widget(sampler)
            ours = _ours(sampler)
        else:
            ours = _ours(sampler)
            figure = _figure_widget(sampler)
        runs.append((ours, figure))
    ours, figure = runs[-1]
    print(f"monitor chart: state {ours['state']} B (first chart's {ours['first_state']} B), "
          f"plotly.js gz {ours['bundle']} B, snapshot "
          f"{ours['snapshot']} B, delta {ours['delta']} B, HTTP delta {ours['http_delta']} B; "
          f"FigureWidget: first {figure['first']} B, update {figure['update']} B (last run)",
          file=sys.stderr)
    kb = 1024
    rows = [
        ("first paint, fresh page: LiveChart vs FigureWidget",
         lambda o: o["first_state"] + o["snapshot"], "first", "< 1x"),
        ("first paint, page has plotly.js: LiveChart vs FigureWidget",
         lambda o: o["state"] + o["snapshot"], "first", "< 1x"),
        ("first paint, Colab (state + HTTP): LiveChart vs FigureWidget",
         lambda o: o["colab_state"] + o["http_snapshot"], "first", "< 1x"),
        ("bytes per update, comm delta vs FigureWidget restyle",
         lambda o: o["delta"], "update", "<= 1 KB"),
        ("bytes per update, Colab HTTP poll vs FigureWidget restyle",
         lambda o: o["http_delta"], "update", "<= 1 KB"),
    ]
    result = []
    for name, mine, theirs, goal in rows:
        figures = repeated([mine(o) / kb for o, _ in runs], [f[theirs] / kb for _, f in runs])
        met = figures.ours <= 1 if goal == "<= 1 KB" else figures.ratio < 1
        result.append(repeated_row(name, figures, "KB", goal, met))
    return result


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row.cells()))
