"""The fleet view's data from a real Prometheus scraping two exporters (a T4 host, an 8 x H100 host)."""

from __future__ import annotations

import os
import time

import pytest

pytest.importorskip("prometheus_client")

from support.prometheus_fleet import (PROMETHEUS, exporter_process, free_port,  # noqa: E402
                                      prometheus_server, wait_for_series)

pytestmark = pytest.mark.skipif(not os.access(PROMETHEUS, os.X_OK),
                                reason="Debian's prometheus is not installed (tools/install.sh installs it)")

from colab_panel.errors import MonitorError  # noqa: E402
from colab_panel.monitor.fleet import read_fleet  # noqa: E402
from colab_panel.monitor.prometheus_api import PrometheusApi  # noqa: E402


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    import fake_nvml_helpers

    try:
        fake_nvml_helpers.build_library("current")
    except fake_nvml_helpers.FakeNvmlUnavailable as error:
        pytest.skip(str(error))
    dead = free_port()  # a target nobody serves: Prometheus marks it down
    with exporter_process("t4", "node-t4") as t4, exporter_process("h100x8", "node-h100") as h100:
        targets = [f"127.0.0.1:{t4}", f"127.0.0.1:{h100}", f"127.0.0.1:{dead}"]
        with prometheus_server(targets, tmp_path_factory.mktemp("prometheus")) as url:
            wait_for_series(url, "DCGM_FI_DEV_GPU_UTIL", 9)
            wait_for_series(url, "up == 0", 1)
            time.sleep(2.5)  # a few more scrapes: a history, not one point
            yield url, dead


def test_the_aggregate_comes_first_and_matches_the_two_hosts(fleet):
    url, _ = fleet
    reading = read_fleet(PrometheusApi(url), window_s=60, step_s=1)
    s = reading.summary
    assert (s.hosts, s.gpus) == (2, 9)
    # T4 at 37 %, the H100s at 60..67 % (tests/fake_nvml)
    assert s.mean_utilization_percent == pytest.approx((37 + sum(range(60, 68))) / 9)
    assert s.max_utilization_percent == 67
    assert s.gpu_imbalance_points == 30
    assert s.host_imbalance_points == pytest.approx(63.5 - 37)
    assert s.memory_used_bytes == pytest.approx((1000 + sum(1000 + i for i in range(8))) * 1024**2)
    assert reading.host_utilization == pytest.approx({"node-h100": 63.5, "node-t4": 37.0})
    assert len(reading.aggregate["mean_utilization_percent"].t) >= 3


def test_per_host_and_gpu_history(fleet):
    url, _ = fleet
    reading = read_fleet(PrometheusApi(url), window_s=60, step_s=1)
    labels = [g.label for g in reading.gpus]
    assert labels == [f"node-h100 GPU {i}" for i in range(8)] + ["node-t4 GPU 0"]
    t4 = reading.gpus[-1]
    assert t4.model == "Tesla T4" and t4.utilization.latest == 37
    assert t4.memory_used_mib.latest == 1000 and t4.memory_total_mib.latest == 15360
    assert len(t4.utilization.values) >= 3


def test_alerts_in_words(fleet):
    url, dead = fleet
    alerts = read_fleet(PrometheusApi(url), window_s=60, step_s=1).alerts
    assert any(f"127.0.0.1:{dead}" in a and "cannot scrape" in a for a in alerts)
    assert any("node-t4 GPU 0 at 37%" in a and "node-h100 GPU 7 at 67%" in a for a in alerts)
    assert any(a.startswith("Hosts are uneven: node-t4 averages 37%") for a in alerts)


def test_a_bad_query_and_an_unreachable_server_are_errors_in_words(fleet):
    url, dead = fleet
    with pytest.raises(MonitorError, match="answered 400"):
        PrometheusApi(url).query_range("sum(", 0, 10, 1)
    with pytest.raises(MonitorError, match="Could not reach Prometheus"):
        PrometheusApi(f"http://127.0.0.1:{dead}").query("up")
    with pytest.raises(MonitorError, match="not a Prometheus address"):
        PrometheusApi("prometheus:9090")


def test_the_fleet_view_draws_the_real_fleet(fleet):
    from colab_panel.controllers.monitor_fleet import FleetController
    from colab_panel.views.monitor_fleet import FleetView

    url, _ = fleet
    view = FleetView(FleetController())
    view.url.value = url
    view.load.click()
    assert view.error.value == ""
    assert "9 GPUs on 2 hosts" in view.summary.value and "30 points" in view.summary.value
    assert view.charts.value.count("<tr>") == 1 + 9 and "node-t4 GPU 0" in view.charts.value
    assert "cannot scrape" in view.alerts.value
