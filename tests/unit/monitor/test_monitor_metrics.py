"""The sampler's latest readings as Prometheus series: DCGM names for GPUs, node_exporter's for the host."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("prometheus_client")
from prometheus_client import CollectorRegistry, generate_latest  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

from colab_panel.monitor.metrics import SamplerCollector  # noqa: E402
from colab_panel.monitor.samples import GpuSample, HostSample  # noqa: E402

MIB = 1024 * 1024

T4 = GpuSample(index=0, name="Tesla T4", uuid="GPU-aaaa", utilization_gpu_percent=45.0,
               utilization_memory_percent=20.0, memory_used_bytes=3000 * MIB, memory_total_bytes=15360 * MIB,
               temperature_c=61.0, power_w=70.5, power_limit_w=70.0, clock_sm_mhz=1590, clock_memory_mhz=5001)
MIG = GpuSample(index=1, name="NVIDIA A100", uuid="GPU-bbbb", memory_used_bytes=10 * MIB,
                memory_total_bytes=40960 * MIB, temperature_c=40.0, is_mig=True)
LOST = GpuSample(index=2, name="NVIDIA A100", uuid="GPU-cccc", lost=True)
HOST = HostSample(cpu_percent=12.5, ram_used_bytes=2_000_000_000, ram_total_bytes=13_000_000_000,
                  kernel_rss_bytes=500_000_000, disk_root_free_bytes=80_000_000_000,
                  disk_root_total_bytes=100_000_000_000, staging_dir="/content/data",
                  disk_staging_free_bytes=70_000_000_000, disk_staging_total_bytes=100_000_000_000)


def scrape(gpus, host, hostname="trainer-1") -> dict[str, list]:
    sampler = SimpleNamespace(latest_gpus=gpus, latest_host=host, cost_cpu_percent=0.4)
    registry = CollectorRegistry()
    registry.register(SamplerCollector(sampler, hostname=hostname))
    text = generate_latest(registry).decode()
    series: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            series.setdefault(sample.name, []).append((sample.labels, sample.value))
    return series


def only(series, name, **labels):
    values = [v for got, v in series.get(name, []) if all(got.get(k) == w for k, w in labels.items())]
    assert len(values) == 1, f"{name}{labels}: {series.get(name)}"
    return values[0]


def test_gpu_series_are_named_and_labelled_as_dcgm_exporter_does():
    series = scrape([T4], HOST)
    labels = dict(series["DCGM_FI_DEV_GPU_UTIL"][0][0])
    assert labels == {"gpu": "0", "UUID": "GPU-aaaa", "device": "nvidia0", "modelName": "Tesla T4",
                      "Hostname": "trainer-1"}
    assert only(series, "DCGM_FI_DEV_GPU_UTIL") == 45
    assert only(series, "DCGM_FI_DEV_MEM_COPY_UTIL") == 20
    assert only(series, "DCGM_FI_DEV_FB_USED") == 3000  # MiB, as DCGM reports framebuffer memory
    assert only(series, "DCGM_FI_DEV_FB_FREE") == 15360 - 3000
    assert only(series, "DCGM_FI_DEV_GPU_TEMP") == 61
    assert only(series, "DCGM_FI_DEV_POWER_USAGE") == 70.5
    assert only(series, "DCGM_FI_DEV_POWER_MGMT_LIMIT") == 70
    assert only(series, "DCGM_FI_DEV_SM_CLOCK") == 1590
    assert only(series, "DCGM_FI_DEV_MEM_CLOCK") == 5001


def test_unsupported_readings_are_absent_never_zero():
    series = scrape([T4, MIG, LOST], HOST)
    # MIG: no utilization for the whole card; memory and temperature are there
    assert [lab["gpu"] for lab, _ in series["DCGM_FI_DEV_GPU_UTIL"]] == ["0"]
    assert only(series, "DCGM_FI_DEV_FB_USED", gpu="1") == 10
    assert only(series, "DCGM_FI_DEV_GPU_TEMP", gpu="1") == 40
    assert "1" not in [lab["gpu"] for lab, _ in series["DCGM_FI_DEV_POWER_USAGE"]]
    # a lost GPU has no reading at all
    assert all(lab["gpu"] != "2" for values in series.values() for lab, _ in values if "gpu" in lab)
    assert all(v == v and v is not None for values in series.values() for _, v in values)


def test_host_series_use_node_exporter_names():
    series = scrape([T4], HOST)
    assert only(series, "node_memory_MemTotal_bytes") == 13_000_000_000
    assert only(series, "node_memory_MemAvailable_bytes") == 11_000_000_000
    assert only(series, "node_filesystem_avail_bytes", mountpoint="/") == 80_000_000_000
    assert only(series, "node_filesystem_size_bytes", mountpoint="/") == 100_000_000_000
    assert only(series, "node_filesystem_avail_bytes", mountpoint="/content/data") == 70_000_000_000
    assert "node_cpu_seconds_total" not in series  # the sampler has a percentage, not the counters
    assert only(series, "colab_panel_cpu_utilization_percent") == 12.5
    assert only(series, "colab_panel_kernel_resident_memory_bytes") == 500_000_000


def test_memory_under_a_cgroup_limit_is_not_called_meminfo():
    limited = HostSample(cpu_percent=None, ram_used_bytes=1_000, ram_total_bytes=4_000, ram_limited_by_cgroup=True)
    series = scrape([], limited)
    assert "node_memory_MemTotal_bytes" not in series
    assert only(series, "colab_panel_memory_limit_bytes") == 4_000
    assert only(series, "colab_panel_memory_used_bytes") == 1_000
    assert "colab_panel_cpu_utilization_percent" not in series


def test_before_the_first_sample_there_are_no_series_but_the_scrape_works():
    series = scrape([], None)
    assert not any(name.startswith(("DCGM_", "node_")) for name in series)


def test_a_scrape_never_samples_again():
    calls = []
    sampler = SimpleNamespace(latest_gpus=[T4], latest_host=HOST, cost_cpu_percent=None,
                              sample_now=lambda: calls.append(1))
    registry = CollectorRegistry()
    registry.register(SamplerCollector(sampler, hostname="h"))
    for _ in range(3):
        generate_latest(registry)
    assert calls == []
