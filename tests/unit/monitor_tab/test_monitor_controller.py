"""MonitorController with a real sampler (0.1 s): transports, chart deltas, cell table from
real IPython events, CSV, figure, and what close() releases."""

from __future__ import annotations

import csv
import json
import threading
import time
import urllib.request

import pytest

from colab_panel.controllers.monitor import MonitorController, choose_transport
from colab_panel.monitor.samples import GpuSample
from support.polling import poll_until

GB = 1024**3


def _rows(sampler, n):
    assert poll_until(lambda: sampler.history is not None and len(sampler.history) >= n)


def test_it_acquires_the_sampler_and_close_releases_it(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    assert sampler.users == 1 and sampler.running
    assert "NVML" in monitor.gpu_status or "GPU" in monitor.gpu_status  # read at once
    monitor.close()
    assert sampler.users == 0 and not sampler.running
    monitor.close()  # twice is harmless
    assert sampler.users == 0


def test_http_transport_serves_samples_and_stops_with_close(sampler):
    monitor = MonitorController(sampler=sampler, transport="http")
    assert monitor.endpoint_port and len(monitor.endpoint_token) > 20
    _rows(sampler, 2)
    url = (f"http://127.0.0.1:{monitor.endpoint_port}/samples?since=&latest=0"
           f"&token={monitor.endpoint_token}")
    with urllib.request.urlopen(url, timeout=5) as response:
        data = json.load(response)
    assert len(data["t"]) >= 2 and "cpu_percent" in data["series"]
    port = monitor.endpoint_port
    monitor.close()
    assert monitor.endpoint is None
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)


def test_switching_transport_opens_and_closes_the_endpoint(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    try:
        assert monitor.endpoint is None and monitor.endpoint_port == 0
        monitor.transport = "http"
        endpoint = monitor.endpoint
        assert endpoint is not None and monitor.endpoint_port == endpoint.port
        monitor.transport = "comm"
        assert endpoint.closed and monitor.endpoint_port == 0 and monitor.endpoint_token == ""
    finally:
        monitor.close()


def test_transport_choice(monkeypatch):
    import colab_panel.controllers.monitor as module

    monkeypatch.setattr(module, "in_colab_browser", lambda: True)
    assert choose_transport("auto") == ("http", "") and choose_transport(None) == ("http", "")
    assert choose_transport("comm") == ("comm", "")
    monkeypatch.setattr(module, "in_colab_browser", lambda: False)
    assert choose_transport("auto") == ("comm", "")
    chosen, complaint = choose_transport("websocket")
    assert chosen == "comm" and "'comm', 'http' or 'auto'" in complaint and "'websocket'" in complaint


def test_a_bad_transport_option_is_answered_in_words(sampler):
    monitor = MonitorController(sampler=sampler, transport="pigeon")
    try:
        assert monitor.transport == "comm" and "'pigeon'" in monitor.error
    finally:
        monitor.close()


def test_chart_listeners_get_meta_then_only_new_rows_from_the_sampler_thread(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    messages, threads = [], set()

    def listener(message):
        messages.append(message)
        threads.add(threading.current_thread().name)

    remove = monitor.add_chart_listener(listener)
    try:
        assert poll_until(lambda: sum(m["type"] == "delta" and len(m["data"]["t"]) > 0 for m in messages) >= 3)
    finally:
        remove()
        monitor.close()
    assert messages[0]["type"] == "meta"
    assert messages[0]["meta"]["ram_total_bytes"] > 0 and messages[0]["meta"]["gpus"] == []
    times = [t for m in messages if m["type"] == "delta" for t in m["data"]["t"]]
    assert times == sorted(set(times)), "a row was sent twice or out of order"
    assert "latest" not in messages[-1]["data"]  # deltas stay small: rows only
    assert threads == {"colab_panel-sampler"}


def test_no_pushes_with_the_http_transport(sampler):
    monitor = MonitorController(sampler=sampler, transport="http")
    messages = []
    monitor.add_chart_listener(messages.append)
    try:
        _rows(sampler, 4)
    finally:
        monitor.close()
    assert messages == []  # the page polls instead


def test_a_broken_listener_does_not_stop_the_others(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    good = []
    monitor.add_chart_listener(lambda m: 1 / 0)
    monitor.add_chart_listener(good.append)
    try:
        assert poll_until(lambda: len(good) >= 3)
    finally:
        monitor.close()
    assert sampler.callback_errors == 0


def test_chart_snapshot_covers_the_window(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    try:
        _rows(sampler, 8)
        snapshot = monitor.chart_snapshot(window_s=0.3)
        everything = monitor.chart_snapshot(window_s=3600)
    finally:
        monitor.close()
    assert 2 <= len(snapshot["data"]["t"]) <= 5
    assert len(everything["data"]["t"]) >= 8
    assert "no NVIDIA driver" in snapshot["meta"]["gpu_status"]


def test_pause_resume_and_interval(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    try:
        monitor.pause()
        assert sampler.paused and monitor.status.startswith("Paused")
        count = sampler.tick_count
        time.sleep(0.35)
        assert sampler.tick_count == count
        monitor.resume()
        assert poll_until(lambda: sampler.tick_count > count)
        assert monitor.set_interval("2") and sampler.interval_s == 2.0
        assert "every 2 s" in monitor.status
        for bad in ("fast", 0, -1, float("nan"), None, 10_000):
            assert not monitor.set_interval(bad)
            assert "0.1 to 3600" in monitor.error
        assert sampler.interval_s == 2.0
        assert not monitor.set_window(5) and "10 to 3600" in monitor.error
        assert monitor.set_window(900) and monitor.window_s == 900 and monitor.error == ""
    finally:
        monitor.close()


def test_cells_are_timed_and_marked_through_real_ipython_events(sampler, shell):
    monitor = MonitorController(sampler=sampler, transport="comm", shell=shell)
    try:
        shell.run_cell("import time\ntime.sleep(0.4)\nx = 1", store_history=True)
        shell.run_cell("1 / 0  # fails", store_history=True)
        shell.run_cell("quiet = 1", store_history=False)  # a front end's own call: not a cell
        time.sleep(0.25)  # one more sample after the end shows the state the cell left
        monitor.refresh()
        cells = monitor.cells
        labels = [m.label for m in sampler.markers()]
    finally:
        monitor.close()
    assert [c["cell"] for c in cells] == ["In [2]", "In [1]"]  # newest first
    failed, slept = cells
    assert slept["first_line"] == "import time" and not slept["failed"] and not slept["running"]
    assert 0.4 <= slept["duration_s"] < 5
    assert slept["peak_ram_bytes"] > 0
    assert slept["peak_gpu_memory_bytes"] is None and slept["peak_gpu_util_percent"] is None
    assert failed["failed"] and failed["first_line"] == "1 / 0  # fails"
    assert labels == ["▶ In [1]", "■ In [1]", "▶ In [2]", "■ In [2]"]
    # close() unhooked the events: a later cell is not recorded
    shell.run_cell("y = 2", store_history=True)
    assert len(monitor.cell_log.records()) == 2


def test_cell_peaks_come_from_the_samples_inside_the_cell(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    try:
        history_columns = ("gpu0.memory_used_bytes", "gpu0.utilization_gpu_percent")
        assert not any(c in (sampler.history.columns if sampler.history else ()) for c in history_columns)
        log = monitor.cell_log
        log.started(7, "\n\n  train(model)  \n")
        _rows(sampler, len(sampler.history) + 3)
        log.ended(7)
        rows = log.rows()
    finally:
        monitor.close()
    (row,) = rows
    assert row["cell"] == "In [7]" and row["first_line"] == "train(model)"
    assert row["peak_ram_bytes"] == max(v for v in sampler.history.since(row["started_t"])
                                        ["series"]["ram_used_bytes"] if v is not None)


def test_alerts_refresh_from_the_latest_readings(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm", session_age=lambda: 11.5 * 3600)
    try:
        monitor.refresh()
        assert any("Colab runtime has run 11 h 30 min" in a for a in monitor.alerts)
        sampler._latest_gpus = [GpuSample(index=0, name="Tesla T4", uuid="u",
                                          memory_used_bytes=int(15.5 * GB),
                                          memory_total_bytes=16 * GB)]
        monitor.refresh()
        assert any(a.startswith("GPU 0 memory is 97% full") for a in monitor.alerts)
        assert monitor.gpu_count == 1
    finally:
        monitor.close()


def test_a_failing_refresh_becomes_an_error_in_words(sampler, monkeypatch):
    monitor = MonitorController(sampler=sampler, transport="comm",
                                session_age=lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    try:
        monitor.refresh()
        assert monitor.error == "Could not refresh the monitor: boom"
    finally:
        monitor.close()


def test_export_csv_writes_every_row_with_cell_events(sampler, tmp_path):
    monitor = MonitorController(sampler=sampler, transport="comm")
    try:
        _rows(sampler, 3)
        monitor.cell_log.started(3, "print('hi')")
        _rows(sampler, len(sampler.history) + 2)
        path = monitor.export_csv(tmp_path / "run.csv")
        rows_in_history = len(sampler.history)
    finally:
        monitor.close()
    assert path == (tmp_path / "run.csv").resolve()
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= rows_in_history - 1 and rows_in_history >= 5
    assert {"time", "t", "cpu_percent", "ram_used_bytes", "events"} <= set(rows[0])
    assert int(rows[-1]["ram_used_bytes"]) > 0
    assert [r["events"] for r in rows if r["events"]] == ["▶ In [3]"]
    assert monitor.message.startswith("Saved ") and str(path) in monitor.message


@pytest.mark.parametrize("bad, words", [("", "Give a file name"), ("   ", "Give a file name"),
                                        ("{tmp}", "is a folder"),
                                        ("{tmp}/missing/run.csv", "does not exist")])
def test_export_csv_answers_bad_paths_in_words(sampler, tmp_path, bad, words):
    monitor = MonitorController(sampler=sampler, transport="comm")
    try:
        assert monitor.export_csv(bad.format(tmp=tmp_path)) is None
        assert words in monitor.error and monitor.message == ""
    finally:
        monitor.close()


def test_figure_has_host_traces_and_says_why_there_are_no_gpu_traces(sampler):
    monitor = MonitorController(sampler=sampler, transport="comm")
    try:
        _rows(sampler, 3)
        monitor.cell_log.started(1, "x")
        figure = monitor.figure()
    finally:
        monitor.close()
    assert [t.name for t in figure.data] == ["CPU %", "RAM used (GB)"]
    assert len(figure.data[0].x) >= 3
    assert "no NVIDIA driver" in figure.layout.title.text
    assert len(figure.layout.shapes) >= 1  # the cell start
