"""The loopback endpoint: token, read-only routes, CORS, JSON deltas, and a clean close."""

from __future__ import annotations

import json
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
    assert headers["Access-Control-Allow-Origin"] == "*" and headers["Cache-Control"] == "no-store"
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


def test_preflight_allows_the_token_header_and_private_network(endpoint):
    status, headers, _ = fetch(endpoint.url + "samples", method="OPTIONS")
    assert status == 204
    assert TOKEN_HEADER in headers["Access-Control-Allow-Headers"]
    assert headers["Access-Control-Allow-Private-Network"] == "true"


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
