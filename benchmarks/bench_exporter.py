"""/metrics at 8 fake GPUs: CPU per scrape on top of the sampler, and bytes per scrape.

How it is measured: an exporter process (`MetricsExporter` over a sampler at a 0.5 s
interval, as tests/support/prometheus_fleet.py starts it) loads the fake `libnvidia-ml.so.1`
(tests/fake_nvml, "h100x8") through the real pynvml, exactly as tests/integration/monitor
does. The process reports its own CPU time (`time.process_time()`, all threads) whenever the
benchmark asks on its stdin: psutil's view from outside counts in 10 ms clock ticks, too coarse
for the sampler alone over a few seconds. CPU is read first over a window with no scrapes
(the sampler alone), then over a burst of back-to-back scrapes sent the way Prometheus sends
them (its Accept header, gzip). The burst's CPU minus what the sampler spent in the same wall
time, divided by the scrapes, is the cost of one scrape; at a 15 s scrape interval that is
`cost / 15 s` of a core.
Repeated `RUNS` times in one process; each row is the median of the per-run ratios with their
min-max (bytes per scrape too: the readings change between runs, so may their sizes).

Honesty note: the fake library answers instantly; a scrape never calls NVML (it formats the
sampler's latest readings), so a real driver would not change the scrape's share, only the
sampler's.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.harness import Row, repeated, repeated_row

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.prometheus_fleet import fake_nvml_helpers  # noqa: E402

SCRAPE_INTERVAL_S = 15.0
WARMUP_S = 4.0
IDLE_WINDOW_S = 8.0
BURST = 100
RUNS = 5
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def _scrape(url: str, gzip: bool) -> bytes:
    headers = {"Accept": PROMETHEUS_ACCEPT} if gzip else {}
    if gzip:
        headers["Accept-Encoding"] = "gzip"
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.read()


# tests/support/prometheus_fleet.py's exporter, answering each line on stdin with its CPU time.
_EXPORTER = """
import sys, time
from colab_panel.monitor import Sampler
from colab_panel.monitor.exporter import MetricsExporter
exporter = MetricsExporter(Sampler(interval_s=0.5), port=0, hostname=sys.argv[1])
print(exporter.port, flush=True)
for _ in sys.stdin:
    print(time.process_time(), flush=True)
exporter.close()
"""


def _cpu(exporter: subprocess.Popen) -> float:
    assert exporter.stdin is not None and exporter.stdout is not None
    exporter.stdin.write("\n")
    exporter.stdin.flush()
    return float(exporter.stdout.readline())


def run() -> list[Row]:
    fake_nvml_helpers.build_library("current")
    exporter = subprocess.Popen([sys.executable, "-c", _EXPORTER, "bench-node"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, env=fake_nvml_helpers.scenario_env("h100x8"))
    try:
        assert exporter.stdout is not None
        url = f"http://127.0.0.1:{int(exporter.stdout.readline())}/metrics"
        time.sleep(WARMUP_S)
        assert _scrape(url, gzip=False).count(b"DCGM_FI_DEV_GPU_UTIL{") == 8
        per_scrape_s, sampler_share, plain, zipped = [], [], [], []
        for _ in range(RUNS):
            cpu0, wall0 = _cpu(exporter), time.monotonic()
            time.sleep(IDLE_WINDOW_S)
            cpu1, wall1 = _cpu(exporter), time.monotonic()
            rate = (cpu1 - cpu0) / (wall1 - wall0)
            for _ in range(BURST):
                _scrape(url, gzip=True)
            cpu2, wall2 = _cpu(exporter), time.monotonic()
            per_scrape_s.append(max((cpu2 - cpu1) - rate * (wall2 - wall1), 0.0) / BURST)
            sampler_share.append(rate * 100)
            plain.append(float(len(_scrape(url, gzip=False))))
            zipped.append(float(len(_scrape(url, gzip=True))))
    finally:
        assert exporter.stdin is not None
        exporter.stdin.close()
        exporter.wait(timeout=15)
    shares = [s / SCRAPE_INTERVAL_S * 100 for s in per_scrape_s]
    print(f"exporter: ms CPU per scrape by run {[round(s * 1000, 2) for s in per_scrape_s]}; "
          f"sampler alone % by run {[round(s, 3) for s in sampler_share]}; bytes per scrape "
          f"text {plain}, gzip {zipped}", file=sys.stderr)
    unit = "% of a core"
    goal = repeated(shares, [1.0] * RUNS)
    versus_sampler = repeated(shares, sampler_share)
    size = repeated(zipped, plain)
    return [
        repeated_row("/metrics scrape CPU at 15 s, 8 fake GPUs, vs the 1 % goal", goal, unit,
                     "<= 1x (<= 1 %)", goal.ratio <= 1),
        repeated_row("/metrics scrape CPU at 15 s vs the sampler it reads (2 Hz)", versus_sampler,
                     unit, "(recorded)", True),
        repeated_row("/metrics bytes per scrape, 8 GPUs: gzip (as Prometheus asks) vs plain text",
                     size, "B", "(recorded)", True),
    ]

if __name__ == "__main__":
    for row in run():
        print(" | ".join(row.cells()))
