"""Alerts in words, table-driven: each threshold just below and just above."""

from __future__ import annotations

import pytest

from colab_panel.controllers.monitor_alerts import alerts_for
from colab_panel.monitor.samples import GpuSample, HostSample

GB = 1024**3


def _host(ram_used=4 * GB, ram_total=12 * GB, root_free=50 * GB, staging_dir=None,
          staging_free=None, cgroup=False) -> HostSample:
    return HostSample(cpu_percent=10.0, ram_used_bytes=ram_used, ram_total_bytes=ram_total,
                      ram_limited_by_cgroup=cgroup, disk_root_free_bytes=root_free,
                      staging_dir=staging_dir, disk_staging_free_bytes=staging_free)


def _gpu(used, total=16 * GB, index=0) -> GpuSample:
    return GpuSample(index=index, name="Tesla T4", uuid="GPU-x", memory_used_bytes=used,
                     memory_total_bytes=total)


def test_a_healthy_machine_has_no_alerts():
    assert alerts_for(_host(), [_gpu(2 * GB)], session_age_s=3600) == []


@pytest.mark.parametrize("used, alerted", [(0.89, False), (0.91, True)])
def test_ram_nearly_full(used, alerted):
    alerts = alerts_for(_host(ram_used=int(used * 12 * GB)), [])
    assert bool(alerts) is alerted
    if alerted:
        assert alerts[0].startswith("RAM is 91% full") and "killed" in alerts[0]


def test_ram_alert_names_the_container_limit():
    (alert,) = alerts_for(_host(ram_used=int(0.95 * 12 * GB), cgroup=True), [])
    assert "container's limit" in alert


@pytest.mark.parametrize("share, alerted", [(0.90, False), (0.95, True)])
def test_gpu_memory_nearly_full(share, alerted):
    alerts = alerts_for(_host(), [_gpu(2 * GB, index=0), _gpu(int(share * 16 * GB), index=1)])
    assert bool(alerts) is alerted
    if alerted:
        assert alerts == [alerts[0]] and alerts[0].startswith("GPU 1 memory is 95% full")
        assert "CUDA out of memory" in alerts[0]


def test_unknown_readings_raise_no_alert():
    host = HostSample(cpu_percent=None, ram_used_bytes=None, ram_total_bytes=None)
    gpu = GpuSample(index=0, name=None, uuid=None)  # a MIG or lost GPU: every reading None
    assert alerts_for(host, [gpu]) == []


def test_disk_nearly_full_on_root_and_staging():
    alerts = alerts_for(_host(root_free=1 * GB, staging_dir="/content/data",
                              staging_free=int(1.5 * GB)), [])
    assert len(alerts) == 2
    assert "1.0 GB of disk is free at /" in alerts[0]
    assert "1.5 GB of disk is free at /content/data" in alerts[1]


def test_two_gigabytes_free_is_still_fine():
    assert alerts_for(_host(root_free=2 * GB), []) == []


@pytest.mark.parametrize("age_h, alerted", [(10.9, False), (11.5, True), (None, False)])
def test_colab_session_age(age_h, alerted):
    alerts = alerts_for(_host(), [], session_age_s=None if age_h is None else age_h * 3600)
    assert bool(alerts) is alerted
    if alerted:
        assert "11 h 30 min" in alerts[0] and "30 min 00 s left" in alerts[0]


def test_a_runtime_past_12_h_is_not_given_time_left():
    """Past the free tier's 12 h the runtime is a paid one (or ends any moment): no '0 s left'."""
    [alert] = alerts_for(_host(), [], session_age_s=13.25 * 3600)
    assert "13 h 15 min" in alert and "left" not in alert
    assert "past the 12 h" in alert and "Paid tiers run longer" in alert
