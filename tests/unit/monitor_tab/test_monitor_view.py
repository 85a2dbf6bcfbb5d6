"""MonitorTab driven like a user (clicks, picks) and the LiveChart's answers to the page."""

from __future__ import annotations

import gzip
import time

import pytest

from colab_panel.controllers.monitor import MonitorController
from colab_panel.views.monitor import MonitorTab
from colab_panel.widgets import live_chart
from colab_panel.widgets.live_chart import LiveChart, plotly_bundle, plotly_source
from support.polling import poll_until


@pytest.fixture
def tab(sampler):
    controller = MonitorController(sampler=sampler, transport="comm")
    view = MonitorTab(controller)
    yield view
    controller.close()
    view.close()


def _classes(widget) -> set[str]:
    return set(widget._dom_classes)


def test_the_tab_has_its_parts_with_stable_selectors(tab):
    found = set()
    for child in [tab, *tab.children, *tab.children[1].children]:
        found |= _classes(child)
    assert {"cp-monitor", "cp-monitor-controls", "cp-monitor-interval", "cp-monitor-window",
            "cp-monitor-pause", "cp-monitor-status", "cp-monitor-alerts", "cp-monitor-chart",
            "cp-monitor-processes", "cp-monitor-cells", "cp-monitor-error"} <= found
    assert "no NVIDIA driver" in tab.status.value and "no GPU" in tab.processes.value
    assert "No alerts" in tab.alerts.value
    assert tab.chart.transport == "comm" and tab.chart.plotly_gz == b""


def test_picks_and_the_pause_toggle_reach_the_sampler_and_the_chart(tab, sampler):
    tab.interval.value = 2.0
    assert sampler.interval_s == 2.0 and tab.chart.interval_s == 2.0
    tab.window.value = 900
    assert tab.controller.window_s == 900 and tab.chart.window_s == 900
    tab.pause.value = True
    assert sampler.paused and tab.chart.paused and tab.pause.description == "Resume"
    tab.pause.value = False
    assert not sampler.paused and tab.pause.description == "Pause"
    # a value set in code that the dropdown does not offer is shown, not refused
    tab.controller.set_interval(0.3)
    assert tab.interval.value == 0.3 and sampler.interval_s == 0.3


def test_export_button_writes_the_file_or_says_why_not(tab, tmp_path):
    tab.export_path.value = str(tmp_path / "nowhere" / "run.csv")
    tab.export_button.click()
    assert "does not exist" in tab.error.value and tab.export_result.value == ""
    tab.export_path.value = str(tmp_path / "run.csv")
    tab.export_button.click()
    assert tab.error.value == "" and "Saved" in tab.export_result.value
    assert (tmp_path / "run.csv").read_text().startswith("time,t,")


def test_alerts_and_cells_show_up_after_a_refresh(tab):
    tab.controller.cell_log.started(4, "model.fit(x)")
    tab.controller.cell_log.ended(4)
    tab.controller.alerts = ["RAM is 95% full <now>"]
    tab.controller.refresh()
    assert "In [4]" in tab.cells.value and "model.fit(x)" in tab.cells.value
    tab.controller.alerts = ["RAM is 95% full <now>"]
    assert "RAM is 95% full &lt;now&gt;" in tab.alerts.value  # escaped, never raw HTML


def _page_says(widget: LiveChart, content: dict) -> None:
    """What ipywidgets does with a `model.send(content)` from the page."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}},
                        "buffers": []})


class _Recorder:
    def __init__(self, widget: LiveChart, monkeypatch) -> None:
        self.sent: list[tuple[dict, list]] = []
        monkeypatch.setattr(widget, "send", lambda content, buffers=None:
                            self.sent.append((content, buffers or [])))

    def types(self) -> list[str]:
        return [content["type"] for content, _ in self.sent]


def test_hello_gets_plotly_only_when_asked_and_always_a_snapshot(monkeypatch):
    chart = LiveChart(lambda window: {"meta": {"gpus": []}, "data": {"t": [window]}})
    sent = _Recorder(chart, monkeypatch)
    _page_says(chart, {"type": "hello", "need_plotly": True, "gzip": True, "window_s": 60})
    assert sent.types() == ["plotly", "snapshot"]
    (content, (buffer,)) = sent.sent[0]
    script = gzip.decompress(plotly_source().read_bytes())
    assert content["gzip"] and gzip.decompress(buffer) == script
    assert b"window.Plotly=Plotly" in script and len(buffer) < len(script) / 2
    assert sent.sent[1][0]["data"]["t"] == [60.0]
    _page_says(chart, {"type": "hello", "need_plotly": False, "window_s": 300})
    _page_says(chart, {"type": "hello", "need_plotly": True, "gzip": False})
    assert sent.types()[2:] == ["snapshot", "plotly", "snapshot"]
    assert sent.sent[3][1][0] == script and not sent.sent[3][0]["gzip"]
    _page_says(chart, {"type": "something else"})
    assert len(sent.sent) == 5
    chart.close()


def test_a_failing_snapshot_is_told_to_the_page_in_words(monkeypatch):
    chart = LiveChart(lambda window: 1 / 0)
    sent = _Recorder(chart, monkeypatch)
    _page_says(chart, {"type": "hello", "need_plotly": False})
    assert sent.sent == [({"type": "error",
                           "message": "The chart could not load: division by zero"}, [])]
    chart.close()


def test_an_unanswered_page_gets_plotly_with_the_first_push_once(monkeypatch):
    monkeypatch.setattr(live_chart, "UNANSWERED_S", 0.05)
    chart = LiveChart(lambda window: {"meta": {}, "data": {"t": []}})
    sent = _Recorder(chart, monkeypatch)
    time.sleep(0.1)
    chart.push({"type": "delta", "data": {"t": [1.0]}})
    chart.push({"type": "delta", "data": {"t": [2.0]}})
    assert sent.types() == ["plotly", "snapshot", "delta", "delta"]
    chart.close()
    chart.push({"type": "delta"})  # closed: nothing, no error
    assert len(sent.sent) == 4


def test_a_page_that_said_hello_gets_nothing_unasked(monkeypatch):
    monkeypatch.setattr(live_chart, "UNANSWERED_S", 0.0)
    chart = LiveChart(lambda window: {"meta": {}, "data": {"t": []}})
    sent = _Recorder(chart, monkeypatch)
    _page_says(chart, {"type": "hello", "need_plotly": False})
    chart.push({"type": "delta", "data": {"t": [1.0]}})
    assert sent.types() == ["snapshot", "delta"]
    chart.close()


def test_colab_charts_carry_the_compressed_bundle_in_their_state():
    chart = LiveChart(lambda window: {}, embed_plotly=True, transport="http")
    assert chart.plotly_gz == plotly_bundle(compressed=True)
    state = chart.get_state()
    assert "plotly_gz" in state and "_esm" in state
    chart.close()


def test_an_embedded_chart_carries_the_rows_it_had_at_creation():
    rows = {"meta": {"gpus": []}, "data": {"t": [1.0, 2.0], "series": {"cpu_percent": [5, 6]}}}
    asked = []
    chart = LiveChart(lambda window: asked.append(window) or rows, embed_plotly=True, window_s=900)
    assert chart.first_snapshot == rows and asked == [900.0]
    assert chart.get_state()["first_snapshot"] == rows  # reaches the page with the widget
    chart.close()


@pytest.mark.parametrize("snapshot", [
    lambda window: {"meta": {}, "data": {"t": []}},  # no rows yet: the page waits for "hello"
    lambda window: 1 / 0,  # a failure is told by the hello's answer, not at creation
    lambda window: "not a snapshot",
])
def test_an_embedded_chart_without_usable_rows_sends_none(snapshot):
    chart = LiveChart(snapshot, embed_plotly=True)
    assert chart.first_snapshot == {} and chart.plotly_gz == plotly_bundle(compressed=True)
    chart.close()


def test_outside_a_kernel_a_chart_embeds_nothing():
    chart = LiveChart(lambda window: {"meta": {}, "data": {"t": [1.0]}})
    assert chart.plotly_gz == b"" and chart.first_snapshot == {}
    chart.close()


def test_only_the_first_chart_in_a_kernel_embeds_the_bundle(monkeypatch):
    class Shell:
        kernel = object()

    monkeypatch.setattr("IPython.get_ipython", lambda: Shell())
    monkeypatch.setattr(live_chart, "_embedded_once", False)
    rows = {"meta": {}, "data": {"t": [1.0]}}
    first, second = LiveChart(lambda w: rows), LiveChart(lambda w: rows)
    assert first.plotly_gz and first.first_snapshot == rows
    assert second.plotly_gz == b"" and second.first_snapshot == {}
    first.close()
    second.close()


def test_closing_the_tab_closes_the_layout_and_style_its_text_parts_share(sampler):
    from colab_panel.widgets.closing import close_tree
    from colab_panel.widgets.compat import open_widgets

    controller = MonitorController(sampler=sampler, transport="comm")
    view = MonitorTab(controller)
    shared = view.status.layout
    assert view.alerts.layout is shared and view.cells.style is view.status.style
    close_tree(view)
    controller.close()
    assert shared.comm is None and view.status.style.comm is None
    assert not any(w is shared for w in open_widgets().values())


def test_colab_chart_opens_its_frame_with_a_single_use_ticket_and_no_key_in_its_state(sampler, monkeypatch):
    controller = MonitorController(sampler=sampler, transport="http",
                                   chart_files=live_chart.chart_page_files())
    view = MonitorTab(controller)
    try:
        chart = view.chart
        state = chart.get_state()
        assert chart.endpoint_port == controller.endpoint_port and chart.frame_ticket
        assert controller.endpoint.token not in str(state) and "endpoint_token" not in state
        # a view that finds the ticket used asks for another; each answer is a new one
        sent = _Recorder(chart, monkeypatch)
        _page_says(chart, {"type": "hello", "need_ticket": True})
        _page_says(chart, {"type": "hello", "need_ticket": True})
        tickets = [content["ticket"] for content, _ in sent.sent if content["type"] == "ticket"]
        assert len(set(tickets)) == 2 and chart.frame_ticket not in tickets
    finally:
        controller.close()
        view.close()


def test_colab_chart_gets_rows_from_the_main_thread_when_the_kernel_is_idle(sampler, monkeypatch):
    """The fallback for a frame that cannot load: each refresh() on the main thread (the panel's
    ticker) pushes what is new; the sampler thread pushes nothing (Colab would drop it)."""
    controller = MonitorController(sampler=sampler, transport="http")
    view = MonitorTab(controller)
    try:
        sent = _Recorder(view.chart, monkeypatch)
        assert poll_until(lambda: len(sampler.history or ()) >= 3)
        assert "delta" not in sent.types()  # nothing from the sampler thread
        controller.refresh()
        deltas = [content for content, _ in sent.sent if content["type"] == "delta"]
        assert len(deltas) == 1 and deltas[0]["data"]["t"]
    finally:
        controller.close()
        view.close()


def test_a_colab_front_end_without_a_port_proxy_switches_the_chart_to_the_widget_channel(sampler):
    controller = MonitorController(sampler=sampler, transport="http")
    view = MonitorTab(controller)
    try:
        _page_says(view.chart, {"type": "no_proxy"})
        assert controller.transport == "comm" and view.chart.transport == "comm"
        assert controller.endpoint is None
    finally:
        controller.close()
        view.close()
