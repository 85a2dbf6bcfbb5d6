"""The sampler's latest readings as Prometheus metric families (a `prometheus_client` Collector).

    registry = CollectorRegistry()
    registry.register(SamplerCollector(get_sampler(), hostname=socket.gethostname()))

Names follow the engines people already run, so their dashboards and alerts work unchanged:
- GPU series as NVIDIA's DCGM exporter names them (its default counters), with its labels
  `gpu`, `UUID`, `device` ("nvidia0"), `modelName`, `Hostname`; framebuffer memory in MiB as
  DCGM reports it;
- host series as node_exporter names them where it has the same quantity
  (`node_memory_MemTotal_bytes`, `node_memory_MemAvailable_bytes`,
  `node_filesystem_{avail,size}_bytes{mountpoint}`); the rest under `colab_panel_`.
  `node_cpu_seconds_total` is left out: the sampler keeps a percentage, not the counters.

A scrape only reads what the sampler already holds (its `latest_gpus` and `latest_host`): it
never queries NVML or psutil itself, so scraping costs formatting and nothing else, and a
reading the sampler could not get (`None`) is absent from the scrape, never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from colab_panel.monitor.samples import GpuSample, HostSample

__all__ = ["GPU_LABELS", "SamplerCollector"]

GPU_LABELS = ("gpu", "UUID", "device", "modelName", "Hostname")
_MIB = 1024 * 1024


def _fb_free_mib(gpu: GpuSample) -> float | None:
    # NVML v2 "used" excludes reserved memory, so total - used slightly overstates DCGM's FB_FREE
    # (which also subtracts reserved); the sample keeps no reserved figure.
    if gpu.memory_total_bytes is None or gpu.memory_used_bytes is None:
        return None
    return (gpu.memory_total_bytes - gpu.memory_used_bytes) / _MIB


def _mib(value: int | None) -> float | None:
    return None if value is None else value / _MIB


# DCGM field name, help (DCGM's wording and unit), how to read it from a GpuSample
_GPU_FIELDS: tuple[tuple[str, str, Callable[[GpuSample], float | None]], ...] = (
    ("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", lambda g: g.utilization_gpu_percent),
    ("DCGM_FI_DEV_MEM_COPY_UTIL", "Memory utilization (in %).", lambda g: g.utilization_memory_percent),
    ("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", lambda g: _mib(g.memory_used_bytes)),
    ("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).", _fb_free_mib),
    ("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", lambda g: g.temperature_c),
    ("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", lambda g: g.power_w),
    ("DCGM_FI_DEV_POWER_MGMT_LIMIT", "Power management limit (in W).", lambda g: g.power_limit_w),
    ("DCGM_FI_DEV_SM_CLOCK", "SM clock frequency (in MHz).", lambda g: g.clock_sm_mhz),
    ("DCGM_FI_DEV_MEM_CLOCK", "Memory clock frequency (in MHz).", lambda g: g.clock_memory_mhz),
)


class SamplerCollector(Collector):
    """Yields the families above from `sampler.latest_gpus` / `sampler.latest_host` at each scrape."""

    def __init__(self, sampler: Any, *, hostname: str) -> None:
        self._sampler = sampler
        self._hostname = hostname

    def collect(self) -> Iterator[GaugeMetricFamily]:
        # One read of each attribute: the sampler thread swaps them whole, so this scrape sees
        # one consistent tick even if a new one lands meanwhile.
        gpus: list[GpuSample] = list(self._sampler.latest_gpus)
        host: HostSample | None = self._sampler.latest_host
        yield from self._gpu_families(gpus)
        if host is not None:
            yield from _host_families(host)
        cost = getattr(self._sampler, "cost_cpu_percent", None)
        if cost is not None:
            yield _gauge("colab_panel_sampler_cpu_percent",
                         "CPU used by the panel's sampler thread over its last minute (in % of one core).", cost)

    def _gpu_families(self, gpus: list[GpuSample]) -> Iterator[GaugeMetricFamily]:
        present = [g for g in gpus if not g.lost]
        labels = {g.index: [str(g.index), g.uuid or "", f"nvidia{g.index}", g.name or "", self._hostname]
                  for g in present}
        for name, help_text, read in _GPU_FIELDS:
            family = GaugeMetricFamily(name, help_text, labels=GPU_LABELS)
            for gpu in present:
                value = read(gpu)
                if value is not None:
                    family.add_metric(labels[gpu.index], float(value))
            if family.samples:  # a field no GPU reports is left out entirely
                yield family


def _host_families(host: HostSample) -> Iterator[GaugeMetricFamily]:
    used, total = host.ram_used_bytes, host.ram_total_bytes
    if host.ram_limited_by_cgroup:
        # A container's limit and usage are not /proc/meminfo's MemTotal/MemAvailable: a query
        # written for node_exporter would read them wrongly, so they get names of their own.
        if total is not None:
            yield _gauge("colab_panel_memory_limit_bytes", "Memory limit of this container's cgroup.", total)
        if used is not None:
            yield _gauge("colab_panel_memory_used_bytes", "Memory used within this container's cgroup.", used)
    else:
        if total is not None:
            yield _gauge("node_memory_MemTotal_bytes", "Memory information field MemTotal_bytes.", total)
        if total is not None and used is not None:
            # the sampler's "used" is total - available (see monitor/host.py)
            yield _gauge("node_memory_MemAvailable_bytes", "Memory information field MemAvailable_bytes.",
                         total - used)
    places = [("/", host.disk_root_free_bytes, host.disk_root_total_bytes),
              (host.staging_dir, host.disk_staging_free_bytes, host.disk_staging_total_bytes),
              ("/content/drive", host.disk_drive_free_bytes, host.disk_drive_total_bytes)]
    avail = GaugeMetricFamily("node_filesystem_avail_bytes",
                              "Filesystem space available to non-root users in bytes.", labels=["mountpoint"])
    size = GaugeMetricFamily("node_filesystem_size_bytes", "Filesystem size in bytes.", labels=["mountpoint"])
    for place, free, whole in places:
        if place is None:
            continue
        if free is not None:
            avail.add_metric([place], float(free))
        if whole is not None:
            size.add_metric([place], float(whole))
    for family in (avail, size):
        if family.samples:
            yield family
    if host.cpu_percent is not None:
        yield _gauge("colab_panel_cpu_utilization_percent", "CPU busy over the last sample, all cores (in %).",
                     host.cpu_percent)
    if host.kernel_rss_bytes is not None:
        yield _gauge("colab_panel_kernel_resident_memory_bytes",
                     "Resident memory of the notebook kernel process (in bytes).", host.kernel_rss_bytes)


def _gauge(name: str, help_text: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help_text, value=float(value))
