"""A real Prometheus (Debian's package) on loopback, scraping exporters backed by fake NVMLs.

    with exporter_process("t4", "node-t4") as port: ...
    with prometheus_server([f"127.0.0.1:{port}"], tmp_path) as url: ...

Each exporter is `MetricsExporter` in its own interpreter, because the fake `libnvidia-ml`
(tests/fake_nvml) is chosen by LD_LIBRARY_PATH and FAKE_NVML_SCENARIO when a process starts.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from support.polling import poll_until

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fake_nvml"))

import fake_nvml_helpers  # noqa: E402

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"

_EXPORTER = """
import sys
from colab_panel.monitor import Sampler
from colab_panel.monitor.exporter import MetricsExporter
exporter = MetricsExporter(Sampler(interval_s=0.5), port=0, hostname=sys.argv[1])
print(exporter.port, flush=True)
sys.stdin.read()  # serve until the test closes our stdin
exporter.close()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def exporter_process(scenario: str, hostname: str) -> Iterator[int]:
    process = subprocess.Popen([sys.executable, "-c", _EXPORTER, hostname], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, env=fake_nvml_helpers.scenario_env(scenario))
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


@contextlib.contextmanager
def prometheus_server(targets: list[str], workdir: Path, scrape_s: float = 1.0) -> Iterator[str]:
    port = free_port()
    config = workdir / "prometheus.yml"
    config.write_text(
        f"global:\n  scrape_interval: {int(scrape_s * 1000)}ms\n  evaluation_interval: {int(scrape_s * 1000)}ms\n"
        "scrape_configs:\n  - job_name: gpus\n    static_configs:\n"
        f"      - targets: {json.dumps(targets)}\n")
    log = open(workdir / "prometheus.log", "wb")  # a file, not a pipe: a full pipe would stall it
    process = subprocess.Popen([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
                                f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                               stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {(workdir / 'prometheus.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for_series(url: str, promql: str, count: int, timeout_s: float = 60.0) -> None:
    """Until `promql` has `count` series (the exporters were scraped at least once)."""
    query = urllib.parse.urlencode({"query": promql})
    if not poll_until(lambda: len(_get_json(f"{url}/api/v1/query?{query}")["data"]["result"]) >= count,
                      timeout_s=timeout_s, every_s=0.3):
        raise TimeoutError(f"{promql} did not reach {count} series in {timeout_s} s")

