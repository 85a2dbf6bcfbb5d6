"""`/metrics` over HTTP: loopback by default, a bearer token once it listens elsewhere, gone on close."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

pytest.importorskip("prometheus_client")

from colab_panel.cli import main  # noqa: E402
from colab_panel.errors import PanelError  # noqa: E402
from colab_panel.monitor.exporter import MetricsExporter, is_loopback  # noqa: E402
from colab_panel.monitor.samples import GpuSample, HostSample  # noqa: E402
from support.sockets import listening_ports  # noqa: E402
from support.polling import poll_until


class FakeSampler:
    def __init__(self) -> None:
        self.users = 0
        self.latest_gpus = [GpuSample(index=0, name="Tesla T4", uuid="GPU-1", utilization_gpu_percent=50.0)]
        self.latest_host = HostSample(cpu_percent=5.0, ram_used_bytes=1, ram_total_bytes=2)
        self.cost_cpu_percent = None

    def acquire(self):
        self.users += 1
        return self

    def release(self):
        self.users -= 1


def get(url: str, token: str | None = None) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def exporter_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("colab_panel-exporter")]


def test_serves_the_text_format_on_loopback_by_default():
    sampler = FakeSampler()
    with MetricsExporter(sampler, port=0) as exporter:
        assert exporter.host == "127.0.0.1" and exporter.token is None
        assert sampler.users == 1
        status, body, headers = get(exporter.url)
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert 'DCGM_FI_DEV_GPU_UTIL{' in body and "node_memory_MemTotal_bytes 2.0" in body
        assert get(exporter.url.replace("/metrics", "/other"))[0] == 404
    assert sampler.users == 0


def test_another_address_needs_the_explicit_flag():
    with pytest.raises(PanelError, match="allow_remote"):
        MetricsExporter(FakeSampler(), host="0.0.0.0", port=0)


def test_another_address_answers_401_without_the_token():
    with MetricsExporter(FakeSampler(), host="0.0.0.0", port=0, allow_remote=True) as exporter:
        assert exporter.token and len(exporter.token) >= 32
        url = f"http://127.0.0.1:{exporter.port}/metrics"
        status, body, headers = get(url)
        assert status == 401 and headers.get("WWW-Authenticate", "").startswith("Bearer")
        assert "DCGM" not in body
        assert get(url, "wrong")[0] == 401
        assert get(url, exporter.token)[0] == 200


@pytest.mark.parametrize("address, loopback", [("127.0.0.1", True), ("127.3.2.1", True), ("::1", True),
                                               ("localhost", True), ("0.0.0.0", False), ("::", False),
                                               ("10.0.0.5", False)])
def test_which_addresses_are_loopback(address, loopback):
    assert is_loopback(address) is loopback


def test_close_leaves_no_thread_and_no_socket_even_mid_request():
    ports_before = listening_ports()
    sampler = FakeSampler()
    for _ in range(20):
        exporter = MetricsExporter(sampler, port=0)
        assert get(exporter.url)[0] == 200
        exporter.close()
        exporter.close()  # twice is fine
    poll_until(lambda: not exporter_threads(), timeout_s=5)
    assert exporter_threads() == []
    assert listening_ports() <= ports_before
    assert sampler.users == 0


def test_a_busy_port_is_an_error_in_words():
    with MetricsExporter(FakeSampler(), port=0) as first:
        with pytest.raises(PanelError, match=str(first.port)):
            MetricsExporter(FakeSampler(), port=first.port)


def test_cli_refuses_a_remote_bind_without_the_flag(capsys):
    assert main(["exporter", "--bind", "0.0.0.0", "--port", "0"]) == 1
    assert "--allow-remote" in capsys.readouterr().err


def test_cli_serves_until_interrupted(monkeypatch, capsys):
    import colab_panel.monitor.exporter as exporter_module

    sampler = FakeSampler()
    monkeypatch.setattr(exporter_module, "get_sampler", lambda: sampler)
    scraped: list[int] = []

    def wait_then_interrupt(exporter, _stop=None):
        scraped.append(get(exporter.url, exporter.token)[0])
        raise KeyboardInterrupt

    monkeypatch.setattr(exporter_module, "serve_until_interrupted", wait_then_interrupt)
    assert main(["exporter", "--port", "0", "--bind", "0.0.0.0", "--allow-remote"]) == 130
    out = capsys.readouterr().out
    assert scraped == [200]
    assert "token" in out.lower() and out.count("Bearer") == 1
    assert sampler.users == 0 and exporter_threads() == []


def test_missing_prometheus_client_is_a_panel_error_in_words(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_prometheus(name, *args, **kwargs):
        if name.startswith("prometheus_client"):
            raise ImportError("No module named 'prometheus_client'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_prometheus)
    with pytest.raises(PanelError, match="pip install prometheus-client"):
        MetricsExporter(SimpleNamespace(acquire=lambda: None, release=lambda: None), port=0)


def test_panel_metrics_port_serves_while_the_panel_lives(tmp_path):
    from colab_panel import Panel

    ports_before = listening_ports()
    panel = Panel(staging_dir=tmp_path, metrics_port=0)
    try:
        [exporter] = [c for parts in panel.tabs for c in parts.closeables if isinstance(c, MetricsExporter)]
        assert exporter.host == "127.0.0.1"
        status, body, _ = get(exporter.url)
        assert status == 200 and "node_filesystem_avail_bytes" in body
    finally:
        panel.close()
    assert exporter.closed and exporter_threads() == []
    assert listening_ports() <= ports_before


def test_panel_with_a_busy_metrics_port_says_so_and_still_opens(tmp_path):
    from colab_panel import Panel

    with MetricsExporter(FakeSampler(), port=0) as busy:
        panel = Panel(staging_dir=tmp_path, metrics_port=busy.port)
        try:
            [monitor] = [p for p in panel.tabs if p.title == "Monitor"]
            controller = monitor.closeables[0]
            assert "/metrics is not served" in controller.error and str(busy.port) in controller.error
        finally:
            panel.close()


SCRAPE_EIGHT_GPUS = """
import time, urllib.request
from colab_panel.monitor import Sampler
from colab_panel.monitor.exporter import MetricsExporter
sampler = Sampler(interval_s=0.1)
with MetricsExporter(sampler, port=0, hostname="node-a") as exporter:
    deadline = time.monotonic() + 20
    while sampler.tick_count < 6 and time.monotonic() < deadline:   # a slow tick has run too
        time.sleep(0.02)
    body = urllib.request.urlopen(exporter.url, timeout=10).read().decode()
result = {"body": body, "running": sampler.running}
"""


def test_eight_fake_gpus_scrape_as_dcgm_series(fake_nvml):
    from prometheus_client.parser import text_string_to_metric_families

    got = fake_nvml("h100x8", SCRAPE_EIGHT_GPUS)
    assert not got["running"]  # the exporter was the sampler's only user
    families = {f.name: f for f in text_string_to_metric_families(got["body"])}
    util = families["DCGM_FI_DEV_GPU_UTIL"].samples
    assert [s.labels["gpu"] for s in util] == [str(i) for i in range(8)]
    assert {s.labels["modelName"] for s in util} == {"NVIDIA H100 80GB HBM3"}
    assert {s.labels["Hostname"] for s in util} == {"node-a"}
    assert util[7].value == 67
    assert families["DCGM_FI_DEV_FB_USED"].samples[0].value == 1000  # MiB
    assert len(families["DCGM_FI_DEV_SM_CLOCK"].samples) == 8
