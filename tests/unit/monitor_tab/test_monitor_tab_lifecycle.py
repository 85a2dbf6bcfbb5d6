"""50 panels opened and closed leave no thread, no listening socket and no server behind,
with either transport; the panel's close() stops the Monitor's endpoint."""

from __future__ import annotations

import threading

import pytest

from colab_panel import Panel
from colab_panel.monitor.sampler import get_sampler
from support.sockets import listening_ports as _listening_ports


def _monitor(panel: Panel):
    (parts,) = [p for p in panel.tabs if p.title == "Monitor"]
    (controller,) = parts.closeables
    return controller


@pytest.mark.parametrize("transport", ["http", "comm"])
def test_fifty_panels_leave_nothing_running(tmp_path, transport):
    Panel(staging_dir=tmp_path, monitor_transport=transport).close()  # warm lazy imports
    threads_before = {t.ident for t in threading.enumerate()}
    ports_before = _listening_ports()
    for _ in range(50):
        panel = Panel(staging_dir=tmp_path, monitor_transport=transport)
        monitor = _monitor(panel)
        assert monitor.transport == transport
        if transport == "http":
            assert monitor.endpoint_port in _listening_ports()  # the check can see a server
        assert get_sampler().running
        panel.close()
        assert monitor.closed and monitor.endpoint is None
    assert {t.ident for t in threading.enumerate()} <= threads_before
    assert _listening_ports() <= ports_before
    assert get_sampler().users == 0 and not get_sampler().running


def test_panel_close_stops_the_endpoint(tmp_path):
    panel = Panel(staging_dir=tmp_path, monitor_transport="http")
    endpoint = _monitor(panel).endpoint
    assert endpoint is not None and not endpoint.closed
    panel.close()
    assert endpoint.closed and endpoint.port not in _listening_ports()


def test_the_panel_shows_a_monitor_tab_and_passes_the_option_on(tmp_path):
    panel = Panel(staging_dir=tmp_path, monitor_transport="carrier pigeon")
    try:
        assert "Monitor" in panel.widget.children[-2].titles
        assert "'carrier pigeon'" in _monitor(panel).error
    finally:
        panel.close()
