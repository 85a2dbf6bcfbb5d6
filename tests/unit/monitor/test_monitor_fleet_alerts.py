"""Fleet alerts are a pure function of a reading: each threshold, without a fleet in that state."""

from __future__ import annotations

from colab_panel.monitor.fleet import FleetGpu, FleetReading, FleetSummary, fleet_alerts
from colab_panel.monitor.prometheus_api import RangeSeries


def series(value):
    return RangeSeries({}, (0.0, 1.0), (None, value))


def gpu(host, index, util=None, used=None, total=None, temp=None):
    return FleetGpu(host=host, gpu=str(index), model="m", uuid="u", instance="i",
                    utilization=series(util) if util is not None else None,
                    memory_used_mib=series(used) if used is not None else None,
                    memory_total_mib=series(total) if total is not None else None,
                    temperature=series(temp) if temp is not None else None)


def reading(gpus, down=(), host_utilization=None):
    summary = FleetSummary(hosts=len({g.host for g in gpus}), gpus=len(gpus), mean_utilization_percent=None,
                           max_utilization_percent=None, gpu_imbalance_points=None, host_imbalance_points=None,
                           memory_used_bytes=None, memory_total_bytes=None, targets_down=tuple(down))
    return FleetReading("http://p:9090", 0, 1, 1, summary, {}, gpus, host_utilization or {})


def test_a_balanced_cool_fleet_has_no_alerts():
    gpus = [gpu("a", 0, 80, 1000, 16000, 60), gpu("a", 1, 85, 1000, 16000, 61)]
    assert fleet_alerts(reading(gpus, host_utilization={"a": 82.5})) == []


def test_memory_nearly_full_names_the_gpu():
    [alert] = fleet_alerts(reading([gpu("b", 3, used=15000, total=16000)]))
    assert alert.startswith("b GPU 3 memory is 94% full") and "out of memory" in alert


def test_hot_gpu():
    [alert] = fleet_alerts(reading([gpu("c", 0, temp=88)]))
    assert "c GPU 0 is at 88 °C" in alert


def test_uneven_gpus_and_hosts_name_the_slowest_and_the_fastest():
    gpus = [gpu("a", 0, 90), gpu("a", 1, 92), gpu("b", 0, 40)]
    alerts = fleet_alerts(reading(gpus, host_utilization={"a": 91.0, "b": 40.0}))
    assert any("b GPU 0 at 40%, a GPU 1 at 92% (52 points apart)" in a for a in alerts)
    assert any(a.startswith("Hosts are uneven: b averages 40%") for a in alerts)
    assert fleet_alerts(reading(gpus), imbalance_points=60) == []


def test_down_targets_come_first_and_an_empty_fleet_says_why():
    alerts = fleet_alerts(reading([gpu("a", 0, used=15900, total=16000)], down=["10.0.0.2:9400 (gpus)"]))
    assert alerts[0].startswith("Prometheus cannot scrape 10.0.0.2:9400 (gpus)")
    [empty] = fleet_alerts(reading([]))
    assert "no DCGM_FI_DEV_GPU_UTIL series" in empty
