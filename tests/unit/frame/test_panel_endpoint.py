"""One kernel endpoint per panel: started by the first feature that needs it, shared by the
Monitor chart and the transfer page, stopped once by `Panel.close()`; a page's key opens only
its own feature's routes."""

from __future__ import annotations

import threading

import pytest
from support.sockets import listening_ports
from support.transfers import call

from colab_panel import Panel
from colab_panel.controllers.monitor import MonitorController
from colab_panel.controllers.transfers import TransfersController
from colab_panel.endpoint.server import TOKEN_HEADER


def _http_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("colab_panel-http-")}


def _controller(panel: Panel, kind: type):
    (found,) = [c for parts in panel.tabs for c in parts.closeables if isinstance(c, kind)]
    return found


def _key_of(page: bytes) -> str:
    """The session key a served page carries in its config meta tag."""
    import html
    import json
    import re

    (config,) = re.findall(rb"content=\"([^\"]+)\"", page)
    return json.loads(html.unescape(config.decode()))["session"]


@pytest.fixture
def served(tmp_path):
    """A panel with every tab built and the chart on HTTP: (its monitor, its transfer service)."""
    panel = Panel(staging_dir=tmp_path, monitor_transport="http")
    try:
        panel.build_tabs()
        yield _controller(panel, MonitorController), _controller(panel, TransfersController).service
    finally:
        panel.close()


def test_chart_and_transfers_share_one_endpoint_that_close_stops(tmp_path):
    Panel(staging_dir=tmp_path, monitor_transport="http").close()  # warm lazy imports
    threads_before, ports_before = _http_threads(), listening_ports()
    panel = Panel(staging_dir=tmp_path, monitor_transport="http")
    try:
        panel.build_tabs()
        monitor = _controller(panel, MonitorController)
        transfers = _controller(panel, TransfersController)
        assert monitor.endpoint_port != 0
        assert transfers.port == monitor.endpoint_port
        assert len(_http_threads() - threads_before) == 1
        assert listening_ports() - ports_before == {transfers.port}
    finally:
        panel.close()
    assert _http_threads() <= threads_before
    assert listening_ports() <= ports_before


def test_no_endpoint_until_a_feature_needs_it(tmp_path):
    threads_before = _http_threads()
    panel = Panel(staging_dir=tmp_path, monitor_transport="comm", transfers=False)
    try:
        panel.build_tabs()
        assert _http_threads() <= threads_before  # comm chart, no transfers: nothing to serve
    finally:
        panel.close()
    panel = Panel(staging_dir=tmp_path, monitor_transport="comm")
    try:
        assert _http_threads() <= threads_before  # the Staging tab (and its transfers) not built yet
        panel.build_tabs()
        assert len(_http_threads() - threads_before) == 1
    finally:
        panel.close()
    assert _http_threads() <= threads_before


def test_a_page_key_opens_only_its_own_features_routes(served, tmp_path):
    monitor, service = served
    status, _, chart = call(service, "GET", f"/chart?ticket={monitor.issue_ticket()}", token=False)
    assert status == 200
    chart_key = {TOKEN_HEADER: _key_of(chart)}
    status, _, page = call(service, "GET", f"/transfers/page?ticket={service.page_ticket()}", token=False)
    assert status == 200
    transfer_key = {TOKEN_HEADER: _key_of(page)}

    assert call(service, "GET", "/samples?latest=0", headers=chart_key, token=False)[0] == 200
    assert call(service, "POST", "/transfers/download-ticket", {"path": str(tmp_path)},
                headers=chart_key, token=False)[0] == 403
    assert call(service, "POST", "/transfers/download-ticket", {"path": str(tmp_path)},
                headers=transfer_key, token=False)[0] == 200
    assert call(service, "GET", "/samples?latest=0", headers=transfer_key, token=False)[0] == 403
    # a ticket is good only on its own page, and a wrong page does not use it up
    ticket = service.page_ticket()
    assert call(service, "GET", f"/chart?ticket={ticket}", token=False)[0] == 403
    assert call(service, "GET", f"/transfers/page?ticket={ticket}", token=False)[0] == 200


def test_switching_the_chart_off_http_withdraws_its_routes_and_keeps_the_transfers(served, tmp_path):
    monitor, service = served
    chart_key = {TOKEN_HEADER: _key_of(call(service, "GET", f"/chart?ticket={monitor.issue_ticket()}", token=False)[2])}
    assert call(service, "GET", "/samples?latest=0", headers=chart_key, token=False)[0] == 200
    monitor.use_widget_channel()
    assert monitor.endpoint is None and not service.endpoint.closed
    assert call(service, "GET", "/samples?latest=0")[0] == 404
    assert call(service, "POST", "/transfers/download-ticket", {"path": str(tmp_path)})[0] == 200
    monitor.transport = "http"  # back again: on the same endpoint
    assert monitor.endpoint_port == service.port
    assert call(service, "GET", "/samples?latest=0")[0] == 200
    assert call(service, "GET", "/samples?latest=0", headers=chart_key, token=False)[0] == 403  # the old page's key died
