"""The fleet section of the Monitor tab: controller without widgets, view with clicks, on a fake API."""

from __future__ import annotations

from colab_panel.controllers.monitor_fleet import FleetController
from colab_panel.errors import MonitorError
from colab_panel.monitor.prometheus_api import InstantValue, RangeSeries
from colab_panel.views.monitor_fleet import FleetView, sparkline_svg

GPUS = {("h1", "0"): 90.0, ("h1", "1"): 88.0, ("h2", "0"): 35.0}


class FakeApi:
    """Answers the fleet's PromQL from a table of latest utilizations."""

    calls = 0

    def __init__(self, url, token=None, timeout_s=None):
        if not url.startswith("http"):
            raise MonitorError(f"{url!r} is not a Prometheus address")
        self.url = url
        FakeApi.calls += 1

    def query_range(self, promql, start, end, step_s):
        t = (start, end)
        utils = list(GPUS.values())
        aggregates = {"avg(DCGM_FI_DEV_GPU_UTIL)": sum(utils) / len(utils), "max(DCGM_FI_DEV_GPU_UTIL)": max(utils)}
        if promql in aggregates:
            return [RangeSeries({}, t, (aggregates[promql], aggregates[promql]))]
        if promql == "DCGM_FI_DEV_GPU_UTIL":
            return [RangeSeries({"Hostname": h, "gpu": g, "UUID": f"{h}{g}", "modelName": "T4"}, t, (v - 5, v))
                    for (h, g), v in GPUS.items()]
        return []

    def query(self, promql, at=None):
        return [InstantValue({"instance": "h3:9400", "job": "gpus"}, 0.0)]


def controller(**kwargs):
    return FleetController(api_factory=FakeApi, clock=lambda: 1000.0, **kwargs)


def test_loading_a_url_reads_the_fleet_and_words_the_alerts():
    c = controller()
    assert c.reading is None and not c.alerts
    c.load("http://prom:9090")
    assert c.error == "" and c.reading.summary.gpus == 3
    assert c.alerts[0].startswith("Prometheus cannot scrape h3:9400")
    assert any("h2 GPU 0 at 35%" in a for a in c.alerts)


def test_a_bad_url_is_an_error_in_words_and_keeps_nothing_stale():
    c = controller(url="http://prom:9090")
    c.refresh(force=True)
    c.load("prom:9090")
    assert "not a Prometheus address" in c.error and c.reading is None


def test_refresh_waits_for_its_interval_and_pause():
    now = [1000.0]
    c = FleetController(api_factory=FakeApi, clock=lambda: now[0], url="http://prom:9090", refresh_s=15)
    c.refresh()
    first = c.reading
    now[0] += 5
    c.refresh()
    assert c.reading is first  # not due yet
    now[0] += 15
    c.paused = True
    c.refresh()
    assert c.reading is first
    c.paused = False
    c.refresh()
    assert c.reading is not first


def test_after_a_failure_the_tick_waits_minutes_but_the_button_retries_at_once():
    now = [1000.0]
    c = FleetController(api_factory=FakeApi, clock=lambda: now[0], url="nope", refresh_s=15)
    c.refresh()
    assert "not a Prometheus address" in c.error
    calls = FakeApi.calls
    now[0] += 60
    c.refresh()
    assert FakeApi.calls == calls  # an unreachable address must not hold the kernel every 15 s
    c.load("http://prom:9090")
    assert c.error == "" and FakeApi.calls == calls + 1
    now[0] += 16
    c.refresh()
    assert FakeApi.calls == calls + 2  # back to every refresh_s once it works


def test_the_view_shows_the_aggregate_first_then_hosts_and_gpus():
    c = controller()
    view = FleetView(c)
    view.url.value = "http://prom:9090"
    view.load.click()
    text = view.summary.value
    assert "3 GPUs on 2 hosts" in text and "71%" in text  # mean of 90, 88, 35
    assert view.children.index(view.summary) < view.children.index(view.charts)
    assert "h1 GPU 1" in view.charts.value and "<svg" in view.charts.value
    assert "h3:9400" in view.alerts.value
    view.pause.value = True
    assert c.paused
    view.url.value = "nope"
    view.load.click()
    assert "not a Prometheus address" in view.error.value


def test_sparkline_draws_gaps_for_missing_points_and_never_divides_by_zero():
    svg = sparkline_svg([1.0, None, 3.0, 3.0], top=None)
    assert svg.count("<polyline") == 2
    assert "<polyline" not in sparkline_svg([None, None], top=100)
    assert "<polyline" in sparkline_svg([5.0, 5.0], top=None)


def test_panel_prometheus_url_puts_the_fleet_first(tmp_path):
    from colab_panel import Panel

    panel = Panel(staging_dir=tmp_path, prometheus_url="http://127.0.0.1:9/")
    try:
        [monitor] = [p for p in panel.tabs if p.title == "Monitor"]
        section = monitor.view.children[1]
        toggle, view = section.children
        assert "cp-monitor-fleet" in section._dom_classes and toggle.description == "Fleet (Prometheus)"
        assert toggle.value and view.layout.display is None  # open: a URL was given
        toggle.value = False
        assert view.layout.display == "none"
        fleet = view.controller
        assert fleet.url == "http://127.0.0.1:9/"
        monitor.on_tick()  # nothing listens on port 9: said in words, the tab lives on
        assert "Could not reach Prometheus" in fleet.error
    finally:
        panel.close()
    plain = Panel(staging_dir=tmp_path)
    try:
        [monitor] = [p for p in plain.tabs if p.title == "Monitor"]
        section = monitor.view.children[-2]
        assert "cp-monitor-fleet" in section._dom_classes  # folded, before the error line
        [toggle] = section.children  # folded: the fleet view is not built until first opened
        toggle.value = True
        assert isinstance(section.children[1], FleetView) and section.children[1].layout.display is None
        toggle.value = False
        assert section.children[1].layout.display == "none"
    finally:
        plain.close()
