"""A loopback HTTP endpoint serving the sampler's history, for front ends that must poll.

Colab drops widget messages sent from background threads (googlecolab/colabtools#3373), so
while a cell is busy the chart there fetches samples itself through Colab's port proxy
(`google.colab.kernel.proxyPort(port)`), the way TensorBoard runs inside Colab.

    endpoint = SampleEndpoint(sampler)      # listening on 127.0.0.1:<free port> at once
    # JS: fetch(`${await google.colab.kernel.proxyPort(port)}samples?since=${t}&token=${token}`)
    endpoint.close()

Routes (GET only): ``/samples?since=T[&latest=0]`` returns `Sampler.since(T)` as JSON
(columnar deltas; pass back its ``until`` as the next ``since``), ``/health`` returns
``{"ok": true, ...}``. Every route needs the token, as ``token`` query parameter,
``X-Colab-Panel-Token`` header or ``Authorization: Bearer`` header.

Security, and why ``Access-Control-Allow-Origin: *`` is acceptable here:
- It listens on 127.0.0.1 only; outside the machine it is reachable only through Colab's
  proxy, which already requires the user's Google session.
- Every request must carry a 256-bit random token that exists only in this kernel and the
  output cell that received it; a page that does not have it gets 403 and learns nothing.
- It is read-only and stateless (GET/OPTIONS; no cookies are read or set), so a request
  forged by another origin can neither change anything nor ride on credentials.
- The proxy's origin varies by runtime (hosted, local, custom), so pinning one would break
  working setups without protecting anything the token does not already protect.
Private Network Access preflights (a public page reaching a local runtime) are answered too.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from colab_panel.errors import MonitorError
from colab_panel.monitor.sampler import Sampler

__all__ = ["SampleEndpoint", "TOKEN_HEADER"]

TOKEN_HEADER = "X-Colab-Panel-Token"


class SampleEndpoint:
    """Serves one sampler's data on 127.0.0.1 until `close()`; usable as a context manager."""

    def __init__(self, sampler: Sampler, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sampler = sampler
        self.token = secrets.token_urlsafe(32)
        try:
            self._server = _Server((host, port), _Handler)
        except OSError as error:
            raise MonitorError(f"Could not open the monitor's local endpoint: {error}") from error
        self._server.endpoint = self
        self.host, self.port = self._server.server_address[:2]
        # close() waits for the serve loop to notice, up to one poll interval; 50 ms keeps
        # closing snappy while idle wake-ups stay negligible (microseconds, 20 per second).
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"colab_panel-endpoint-{self.port}", daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def url(self) -> str:
        """The base URL on this machine (the browser in Colab reaches it through the proxy)."""
        return f"http://{self.host}:{self.port}/"

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening and wait for the server thread. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()  # returns once serve_forever has left its loop
        self._server.server_close()
        self._thread.join(timeout)

    def __enter__(self) -> SampleEndpoint:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _authorised(self, handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> bool:
        offered = [*query.get("token", [])]
        if handler.headers.get(TOKEN_HEADER):
            offered.append(handler.headers[TOKEN_HEADER])
        bearer = handler.headers.get("Authorization", "")
        if bearer.startswith("Bearer "):
            offered.append(bearer[len("Bearer "):])
        # compare_digest: the time taken must not tell an attacker how much of a guess matched.
        return any(secrets.compare_digest(o.encode(), self.token.encode()) for o in offered)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must not block close()
    allow_reuse_address = False  # never share a port with another listener
    endpoint: SampleEndpoint


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "colab-panel"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        endpoint = self.server.endpoint
        if not endpoint._authorised(self, query):
            self._send(HTTPStatus.FORBIDDEN, {"error": "missing or wrong token"})
        elif parts.path == "/health":
            sampler = endpoint.sampler
            self._send(HTTPStatus.OK, {"ok": True, "running": sampler.running,
                                       "paused": sampler.paused, "interval_s": sampler.interval_s})
        elif parts.path == "/samples":
            try:
                since = _since(query)
            except ValueError as error:
                self._send(HTTPStatus.BAD_REQUEST, {"error": str(error)})
                return
            latest = query.get("latest", ["1"])[-1] not in ("0", "false", "no")
            self._send(HTTPStatus.OK, endpoint.sampler.since(since, include_latest=latest))
        else:
            self._send(HTTPStatus.NOT_FOUND, {"error": "unknown path"})

    def do_OPTIONS(self) -> None:  # noqa: N802
        self.send_response(HTTPStatus.NO_CONTENT)
        self._common_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", f"{TOKEN_HEADER}, Authorization")
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _refuse(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "read-only endpoint: GET only"})

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def _send(self, status: HTTPStatus, payload: Any) -> None:
        body = json.dumps(payload, separators=(",", ":"), default=_jsonable).encode()
        self.send_response(status)
        self._common_headers()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _common_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # stderr of a kernel lands in the user's cell output


def _since(query: dict[str, list[str]]) -> float | None:
    raw = query.get("since", [""])[-1]
    if raw in ("", "null"):
        return None
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("since must be a finite number of seconds")
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
