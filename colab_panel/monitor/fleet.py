"""A fleet read from Prometheus: per host and GPU history, an aggregate first, alerts in words.

    reading = read_fleet(PrometheusApi(url), window_s=600)
    reading.summary.mean_utilization_percent, reading.alerts, reading.gpus[0].utilization

The series are the DCGM exporter's (ours, `colab-panel exporter`, names them the same), so this
reads a fleet of dcgm-exporters as well as of panels. Prometheus does the arithmetic (one
PromQL expression per figure); this module only groups the answers and words the alerts, and
`fleet_alerts` is a pure function of a reading so its thresholds are tested without a fleet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from colab_panel.monitor.prometheus_api import PrometheusApi, RangeSeries
from colab_panel.units import human_bytes

__all__ = ["AGGREGATE_QUERIES", "FleetGpu", "FleetReading", "FleetSummary", "GPU_QUERIES", "HOT_C",
           "IMBALANCE_POINTS", "MEMORY_FULL_SHARE", "fleet_alerts", "read_fleet"]

MEMORY_FULL_SHARE = 0.90  # as the single-machine alerts (controllers/monitor_alerts.py)
IMBALANCE_POINTS = 20.0  # utilization spread (percentage points) that slows synchronous training
HOT_C = 85.0
_MIB = 1024 * 1024

_UTIL = "DCGM_FI_DEV_GPU_UTIL"
_FB_TOTAL = "(DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)"
#: per GPU, keyed by the FleetGpu field they fill
GPU_QUERIES = {
    "utilization": _UTIL,
    "memory_used_mib": "DCGM_FI_DEV_FB_USED",
    "memory_total_mib": _FB_TOTAL,
    "temperature": "DCGM_FI_DEV_GPU_TEMP",
    "power": "DCGM_FI_DEV_POWER_USAGE",
}
#: one series each, across the whole fleet
AGGREGATE_QUERIES = {
    "mean_utilization_percent": f"avg({_UTIL})",
    "max_utilization_percent": f"max({_UTIL})",
    "gpu_imbalance_points": f"max({_UTIL}) - min({_UTIL})",
    "host_imbalance_points": f"max(avg by (Hostname) ({_UTIL})) - min(avg by (Hostname) ({_UTIL}))",
    "memory_used_mib": "sum(DCGM_FI_DEV_FB_USED)",
    "memory_total_mib": f"sum{_FB_TOTAL}",
}


@dataclass(frozen=True)
class FleetGpu:
    """One GPU of the fleet and its history (None: that reading is not exported for it)."""

    host: str
    gpu: str
    model: str
    uuid: str
    instance: str
    utilization: RangeSeries | None = None
    memory_used_mib: RangeSeries | None = None
    memory_total_mib: RangeSeries | None = None
    temperature: RangeSeries | None = None
    power: RangeSeries | None = None

    @property
    def label(self) -> str:
        return f"{self.host} GPU {self.gpu}"

    @property
    def memory_share(self) -> float | None:
        used = self.memory_used_mib.latest if self.memory_used_mib else None
        total = self.memory_total_mib.latest if self.memory_total_mib else None
        return used / total if used is not None and total else None


@dataclass(frozen=True)
class FleetSummary:
    """The latest aggregate figures (None: no GPU reported it)."""

    hosts: int
    gpus: int
    mean_utilization_percent: float | None
    max_utilization_percent: float | None
    gpu_imbalance_points: float | None
    host_imbalance_points: float | None
    memory_used_bytes: float | None
    memory_total_bytes: float | None
    targets_down: tuple[str, ...] = ()  # instances Prometheus could not scrape last time


@dataclass(frozen=True)
class FleetReading:
    url: str
    start: float
    end: float
    step_s: float
    summary: FleetSummary
    aggregate: dict[str, RangeSeries]  # AGGREGATE_QUERIES' keys -> their history
    gpus: list[FleetGpu]
    host_utilization: dict[str, float]  # host -> mean utilization of its GPUs, latest
    alerts: list[str] = field(default_factory=list)


def read_fleet(api: PrometheusApi, *, window_s: float = 600.0, step_s: float | None = None,
               end: float | None = None) -> FleetReading:
    """Query the last `window_s` seconds (about 300 points unless `step_s`) and group the answers."""
    end = time.time() if end is None else end
    start = end - window_s
    step = step_s or max(window_s / 300, 1.0)
    aggregate: dict[str, RangeSeries] = {}
    for key, promql in AGGREGATE_QUERIES.items():
        answers = api.query_range(promql, start, end, step)
        if answers:
            aggregate[key] = answers[0]
    per_gpu: dict[tuple[str, str, str], dict[str, RangeSeries]] = {}  # (host, gpu, uuid) -> key -> series
    about: dict[tuple[str, str, str], tuple[str, str]] = {}  # (host, gpu, uuid) -> (model, instance)
    for key, promql in GPU_QUERIES.items():
        for series in api.query_range(promql, start, end, step):
            labels = series.labels
            ident = (labels.get("Hostname") or labels.get("instance", "?"), labels.get("gpu", "?"),
                     labels.get("UUID", ""))
            about.setdefault(ident, (labels.get("modelName", ""), labels.get("instance", "")))
            per_gpu.setdefault(ident, {})[key] = series
    gpus = [FleetGpu(host=host, gpu=gpu, uuid=uuid, model=about[(host, gpu, uuid)][0],
                     instance=about[(host, gpu, uuid)][1], **fields)
            for (host, gpu, uuid), fields in sorted(per_gpu.items(), key=lambda kv: (kv[0][0], _as_int(kv[0][1])))]
    down = tuple(sorted(f"{v.labels.get('instance', '?')} ({v.labels.get('job', '?')})"
                        for v in api.query("up == 0", at=end)))
    host_util: dict[str, list[float]] = {}
    for g in gpus:
        if g.utilization is not None and g.utilization.latest is not None:
            host_util.setdefault(g.host, []).append(g.utilization.latest)

    def latest(key: str, scale: float = 1.0) -> float | None:
        series = aggregate.get(key)
        value = series.latest if series is not None else None
        return None if value is None else value * scale

    summary = FleetSummary(
        hosts=len({g.host for g in gpus}), gpus=len(gpus),
        mean_utilization_percent=latest("mean_utilization_percent"),
        max_utilization_percent=latest("max_utilization_percent"),
        gpu_imbalance_points=latest("gpu_imbalance_points"),
        host_imbalance_points=latest("host_imbalance_points"),
        memory_used_bytes=latest("memory_used_mib", _MIB), memory_total_bytes=latest("memory_total_mib", _MIB),
        targets_down=down)
    reading = FleetReading(api.url, start, end, step, summary, aggregate, gpus,
                           {h: sum(v) / len(v) for h, v in sorted(host_util.items())})
    return FleetReading(**{**reading.__dict__, "alerts": fleet_alerts(reading)})


def fleet_alerts(reading: FleetReading, *, memory_full_share: float = MEMORY_FULL_SHARE,
                 imbalance_points: float = IMBALANCE_POINTS, hot_c: float = HOT_C) -> list[str]:
    """Every alert that applies to the latest figures, most urgent first; each says what to do."""
    alerts: list[str] = []
    summary = reading.summary
    for target in summary.targets_down:
        alerts.append(f"Prometheus cannot scrape {target}: its GPUs are missing from these figures; "
                      "check that its exporter runs.")
    if not reading.gpus and not summary.targets_down:
        alerts.append(f"Prometheus at {reading.url} has no DCGM_FI_DEV_GPU_UTIL series in this window: "
                      "is a GPU exporter (colab-panel exporter or dcgm-exporter) among its targets?")
    for gpu in reading.gpus:
        share = gpu.memory_share
        if share is not None and share > memory_full_share:
            used = gpu.memory_used_mib.latest * _MIB if gpu.memory_used_mib and gpu.memory_used_mib.latest else None
            alerts.append(f"{gpu.label} memory is {share:.0%} full ({human_bytes(used)}): a larger batch "
                          "there will fail with CUDA out of memory.")
        temp = gpu.temperature.latest if gpu.temperature else None
        if temp is not None and temp >= hot_c:
            alerts.append(f"{gpu.label} is at {temp:.0f} °C: it will slow itself down; check its cooling.")
    utilized = [(g.utilization.latest, g) for g in reading.gpus if g.utilization and g.utilization.latest is not None]
    if len(utilized) > 1:
        (low, slow), (high, fast) = min(utilized, key=lambda p: p[0]), max(utilized, key=lambda p: p[0])
        if high - low > imbalance_points:
            alerts.append(f"GPU utilization is uneven: {slow.label} at {low:.0f}%, {fast.label} at {high:.0f}% "
                          f"({high - low:.0f} points apart). In synchronous training the busiest GPU waits for "
                          "the others: check data loading and how work is split.")
    if len(reading.host_utilization) > 1:
        hosts = sorted(reading.host_utilization.items(), key=lambda kv: kv[1])
        (low_host, low), (high_host, high) = hosts[0], hosts[-1]
        if high - low > imbalance_points:
            alerts.append(f"Hosts are uneven: {low_host} averages {low:.0f}% GPU utilization, {high_host} "
                          f"{high:.0f}%. A slow host holds every step back; compare their input pipelines.")
    return alerts


def _as_int(text: str) -> int:
    return int(text) if text.isdigit() else 1 << 30
