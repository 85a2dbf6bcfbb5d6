"""The kernel endpoint's scopes and routes as features share one server: keys and tickets of one
feature open nothing of another's, one feature's many pages never push out another's key, and a
withdrawn route is gone."""

from __future__ import annotations

import http.client

import pytest

from colab_panel.endpoint.lazy import LazyEndpoint
from colab_panel.endpoint.server import MAX_TICKETS, TOKEN_HEADER, KernelEndpoint, Request
from colab_panel.errors import PanelError


def _ok(request: Request) -> None:
    request.send_json(200, {"ok": True})


def _get(endpoint: KernelEndpoint, path: str, key: str | None = None) -> int:
    conn = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=10)
    try:
        conn.request("GET", path, headers={TOKEN_HEADER: key} if key else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture
def endpoint():
    with KernelEndpoint() as served:
        served.route("GET", "/a", _ok, scope="a")
        served.route("GET", "/b", _ok, scope="b")
        yield served


def test_a_session_key_opens_its_own_scopes_routes_and_the_token_all(endpoint):
    key_a = endpoint.new_session("a")
    assert _get(endpoint, "/a", key_a) == 200
    assert _get(endpoint, "/b", key_a) == 403
    assert _get(endpoint, "/b", endpoint.new_session("b")) == 200
    assert _get(endpoint, "/a", endpoint.token) == _get(endpoint, "/b", endpoint.token) == 200
    assert _get(endpoint, "/nowhere", key_a) == 404  # a key of any scope may learn a path is unknown
    assert _get(endpoint, "/nowhere") == 403


def test_a_ticket_is_redeemed_once_and_only_in_its_scope(endpoint):
    ticket = endpoint.issue_ticket("payload", scope="a")
    assert endpoint.redeem(ticket, scope="b") is None
    assert endpoint.redeem(ticket, scope="a") == "payload"  # the wrong scope did not use it up
    assert endpoint.redeem(ticket, scope="a") is None


def test_one_scopes_many_keys_and_tickets_do_not_push_out_anothers(endpoint):
    key_a = endpoint.new_session("a")
    ticket_a = endpoint.issue_ticket("kept", scope="a")
    first_b = endpoint.new_session("b")
    for _ in range(MAX_TICKETS * 2):
        endpoint.new_session("b")
        endpoint.issue_ticket(scope="b")
    assert _get(endpoint, "/a", key_a) == 200
    assert endpoint.redeem(ticket_a, scope="a") == "kept"
    assert _get(endpoint, "/b", first_b) == 403  # its own scope's oldest went


def test_a_withdrawn_scope_loses_its_routes_keys_and_tickets_and_the_others_stay(endpoint):
    key_a, key_b = endpoint.new_session("a"), endpoint.new_session("b")
    ticket_a, ticket_b = endpoint.issue_ticket(scope="a"), endpoint.issue_ticket(scope="b")
    endpoint.withdraw("a")
    endpoint.withdraw("never-routed")  # harmless
    assert _get(endpoint, "/a", endpoint.token) == 404
    endpoint.route("GET", "/a", _ok, scope="a")  # back again: the old key and ticket stay dead
    assert _get(endpoint, "/a", key_a) == 403 and endpoint.redeem(ticket_a, scope="a") is None
    assert _get(endpoint, "/b", key_b) == 200 and endpoint.redeem(ticket_b, scope="b") is True


def test_the_lazy_endpoint_starts_once_and_not_after_close():
    lazy = LazyEndpoint()
    assert lazy.started is None
    first = lazy()
    assert lazy() is first and lazy.started is first
    lazy.close()
    assert first.closed and lazy.started is None
    with pytest.raises(PanelError):
        lazy()
    lazy.close()  # twice is harmless
