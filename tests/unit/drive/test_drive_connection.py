"""DriveHttp's rules for a connection that fails: resend only what the server cannot have acted on."""

from __future__ import annotations

import http.client
import io
import ssl
from typing import Any

import pytest

from colab_panel.drive.connection import DriveHttp
from colab_panel.drive.failures import RequestOutcomeUnknown


class _Answer(http.client.HTTPResponse):
    def __init__(self, body: bytes = b"{}") -> None:
        raw = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        super().__init__(_Sock(raw))  # type: ignore[arg-type]
        self.begin()


class _Sock:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, mode: str) -> io.BytesIO:
        return io.BytesIO(self._data)


class _Conn:
    """A stand-in for httplib2's connection: scripted failures per attempt, then answers."""

    def __init__(self, *, pooled: bool, send_fails: list[BaseException | None], read_fails: list[BaseException | None]) -> None:
        self.sock: Any = object() if pooled else None
        self._send_fails, self._read_fails = send_fails, read_fails
        self.sent: list[tuple[str, Any]] = []

    def connect(self) -> None:
        self.sock = object()

    def close(self) -> None:
        self.sock = None

    def request(self, method: str, uri: str, body: Any, headers: Any) -> None:
        self.sent.append((method, body))
        failure = self._send_fails.pop(0) if self._send_fails else None
        if failure is not None:
            raise failure

    def getresponse(self) -> _Answer:
        failure = self._read_fails.pop(0) if self._read_fails else None
        if failure is not None:
            raise failure
        return _Answer()


def _request(conn: _Conn, method: str, body: Any = b"{}") -> Any:
    return DriveHttp()._conn_request(conn, "/drive/v2/files", method, body, {})


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
def test_a_request_not_sent_whole_on_a_pooled_connection_is_resent_at_once(method: str) -> None:
    conn = _Conn(pooled=True, send_fails=[ssl.SSLEOFError("EOF occurred in violation of protocol")], read_fails=[])
    response, _ = _request(conn, method)
    assert response.status == 200 and len(conn.sent) == 2


def test_an_unanswered_idempotent_request_on_a_pooled_connection_is_resent() -> None:
    conn = _Conn(pooled=True, send_fails=[], read_fails=[http.client.RemoteDisconnected("closed")])
    assert _request(conn, "PUT")[0].status == 200 and len(conn.sent) == 2


@pytest.mark.parametrize("pooled", [True, False])
def test_an_unanswered_post_is_never_resent(pooled: bool) -> None:
    conn = _Conn(pooled=pooled, send_fails=[], read_fails=[ConnectionResetError("reset")])
    with pytest.raises(RequestOutcomeUnknown):
        _request(conn, "POST")
    assert len(conn.sent) == 1


def test_a_fresh_connection_failing_is_left_to_the_caller() -> None:
    conn = _Conn(pooled=False, send_fails=[BrokenPipeError("pipe")], read_fails=[])
    with pytest.raises(BrokenPipeError):
        _request(conn, "GET")
    assert len(conn.sent) == 1


def test_a_stream_body_is_never_resent() -> None:
    conn = _Conn(pooled=True, send_fails=[ssl.SSLEOFError("EOF")], read_fails=[])
    with pytest.raises(ssl.SSLEOFError):
        _request(conn, "PUT", body=io.BytesIO(b"chunk"))
    assert len(conn.sent) == 1


def test_resend_any_lets_a_token_request_be_sent_again() -> None:
    conn = _Conn(pooled=True, send_fails=[], read_fails=[http.client.RemoteDisconnected("closed")])
    response, _ = DriveHttp(resend_any=True)._conn_request(conn, "/token", "POST", b"grant", {})
    assert response.status == 200 and len(conn.sent) == 2


def test_only_one_resend() -> None:
    conn = _Conn(pooled=True, send_fails=[ssl.SSLEOFError("EOF"), ssl.SSLEOFError("EOF")], read_fails=[])
    with pytest.raises(ssl.SSLEOFError):
        _request(conn, "GET")
    assert len(conn.sent) == 2
