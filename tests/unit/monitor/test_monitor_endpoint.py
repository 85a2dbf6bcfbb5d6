"""The loopback endpoint: token, tickets for the chart page, read-only routes, no CORS, JSON
deltas, bounded connections, and a clean close."""

from __future__ import annotations

import html
import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from colab_panel.errors import MonitorError
from colab_panel.monitor.endpoint import TOKEN_HEADER, SampleEndpoint
from colab_panel.monitor.sampler import Sampler


@pytest.fixture
def endpoint():
    sampler = Sampler(interval_s=1.0)
    for _ in range(3):
        sampler.sample_now()
    served = SampleEndpoint(sampler)
    yield served
    served.close()


def fetch(url: str, *, method: str = "GET", headers: dict | None = None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_binds_loopback_only_with_a_long_random_token(endpoint):
    assert endpoint.host == "127.0.0.1" and endpoint.port > 0
    assert len(endpoint.token) >= 40
    with SampleEndpoint(endpoint.sampler) as other:
        assert other.token != endpoint.token and other.port != endpoint.port


@pytest.mark.parametrize("path", ["samples", "health", "nope"])
def test_every_path_needs_the_token(endpoint, path):
    status, _, body = fetch(endpoint.url + path)
    assert status == 403 and json.loads(body) == {"error": "missing or wrong token"}
    status, _, _ = fetch(endpoint.url + path + "?token=" + endpoint.token[:-1] + "x")
    assert status == 403


def test_samples_delta_with_token_in_query_header_or_bearer(endpoint):
    status, headers, body = fetch(f"{endpoint.url}samples?token={endpoint.token}")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert "Access-Control-Allow-Origin" not in headers and headers["Cache-Control"] == "no-store"
    everything = json.loads(body)
    assert len(everything["t"]) == 3 and everything["latest"]["host"]["ram_total_bytes"] > 0
    since = everything["t"][0]
    _, _, body = fetch(f"{endpoint.url}samples?since={since!r}&latest=0",
                       headers={TOKEN_HEADER: endpoint.token})
    delta = json.loads(body)
    assert delta["t"] == everything["t"][1:] and "latest" not in delta
    _, _, body = fetch(f"{endpoint.url}health", headers={"Authorization": f"Bearer {endpoint.token}"})
    assert json.loads(body) == {"ok": True, "running": False, "paused": False, "interval_s": 1.0}


def test_a_one_sample_delta_for_host_is_small(endpoint):
    since = endpoint.sampler.since(None)["t"][-2]
    _, _, body = fetch(f"{endpoint.url}samples?since={since!r}&latest=0&token={endpoint.token}")
    assert len(body) < 1024


def test_bad_since_is_a_400_and_writes_are_refused(endpoint):
    for bad in ("abc", "nan", "inf"):
        assert fetch(f"{endpoint.url}samples?since={bad}&token={endpoint.token}")[0] == 400
    assert fetch(f"{endpoint.url}samples?token={endpoint.token}", method="POST")[0] == 405
    assert fetch(f"{endpoint.url}samples?token={endpoint.token}", method="DELETE")[0] == 405


def test_no_other_origin_may_read_it(endpoint):
    """The chart page polls its own origin: no CORS answer, and a preflight is refused."""
    status, headers, _ = fetch(endpoint.url + "samples", method="OPTIONS",
                               headers={"Origin": "https://elsewhere.example"})
    assert status == 405 and "Access-Control-Allow-Origin" not in headers


def _chart_files(tmp_path):
    import gzip

    files = {"live_chart.js": tmp_path / "live_chart.js", "plotly.js": tmp_path / "plotly.js.gz"}
    files["live_chart.js"].write_text("export default {};")
    files["plotly.js"].write_bytes(gzip.compress(b"window.Plotly = {};"))
    return files


def test_a_ticket_opens_the_chart_page_once_with_a_session_key_of_its_own(tmp_path):
    sampler = Sampler(interval_s=1.0)
    sampler.sample_now()
    with SampleEndpoint(sampler, files=_chart_files(tmp_path)) as endpoint:
        ticket = endpoint.issue_ticket()
        status, headers, body = fetch(f"{endpoint.url}chart?ticket={ticket}")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        page = body.decode()
        assert endpoint.token not in page and ticket not in page
        session = json.loads(html.unescape(re.search(r'content="([^"]+)"', page).group(1)))["session"]
        # the page's key reads samples; the used ticket opens nothing any more
        assert fetch(f"{endpoint.url}samples", headers={TOKEN_HEADER: session})[0] == 200
        status, _, body = fetch(f"{endpoint.url}chart?ticket={ticket}")
        assert status == 403 and b"used already or has expired" in body
        assert fetch(f"{endpoint.url}chart?ticket=")[0] == 403
        assert fetch(f"{endpoint.url}samples", headers={TOKEN_HEADER: ticket})[0] == 403


def test_static_files_need_no_key_and_gzip_travels_as_is(tmp_path):
    with SampleEndpoint(Sampler(interval_s=1.0), files=_chart_files(tmp_path)) as endpoint:
        request = urllib.request.Request(f"{endpoint.url}static/plotly.js")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Content-Type"].startswith("text/javascript")
        status, headers, body = fetch(f"{endpoint.url}static/live_chart.js")
        assert status == 200 and body == b"export default {};"
        assert fetch(f"{endpoint.url}static/../../etc/passwd")[0] == 404
        assert fetch(f"{endpoint.url}static/other.js")[0] == 404


def test_silent_connections_are_capped_and_dropped(endpoint):
    """Half-open connections cannot pin kernel threads: at most MAX_CONNECTIONS are served at
    once (the rest are closed at once) and each has a read timeout."""
    import threading
    import time

    from colab_panel.monitor import endpoint as module

    threads_before = threading.active_count()
    idle = [socket.create_connection(("127.0.0.1", endpoint.port), timeout=5)
            for _ in range(module.MAX_CONNECTIONS + 20)]
    try:
        time.sleep(0.5)
        assert threading.active_count() - threads_before <= module.MAX_CONNECTIONS
        dropped = 0
        for sock in idle[module.MAX_CONNECTIONS:]:
            sock.settimeout(2)
            try:
                dropped += sock.recv(1) == b""
            except (ConnectionResetError, socket.timeout):
                dropped += 1
        assert dropped == 20
    finally:
        for sock in idle:
            sock.close()


def test_close_stops_listening_and_is_idempotent(endpoint):
    port = endpoint.port
    endpoint.close()
    endpoint.close()
    assert endpoint.closed
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_taken_port_is_a_monitor_error(endpoint):
    with pytest.raises(MonitorError):
        SampleEndpoint(endpoint.sampler, port=endpoint.port)
