"""A loopback HTTP endpoint that serves the live chart as a page of its own, for Colab.

Colab drops widget messages sent from background threads (googlecolab/colabtools#3373), so a
chart fed by the sampler thread freezes there while a cell runs. The way that works in Colab
(TensorBoard's, and `google.colab.output.serve_kernel_port_as_iframe`'s) is a page served by
the kernel's machine, loaded as an iframe *document* through Colab's port proxy, which then
polls its own origin. That is what this serves:

    endpoint = SampleEndpoint(sampler, files={"live_chart.js": path, ...})
    ticket = endpoint.issue_ticket()    # single use; the chart widget gets it in its state
    # JS: iframe.src = `${await google.colab.kernel.proxyPort(port, {cache: false})}chart?ticket=${ticket}`
    endpoint.close()

Routes (GET only):
- ``/chart?ticket=T`` -- the chart page. The ticket is good once and for `TICKET_TTL_S`; the
  page it opens carries a fresh session key that lives only in that page (never in the
  notebook, never in a URL).
- ``/static/<name>`` -- the page's scripts and styles (`files`), public code, no key needed;
  a ``.gz`` file is sent with ``Content-Encoding: gzip``.
- ``/samples?since=T[&latest=0]`` -- `Sampler.since(T)` as JSON (columnar deltas; pass back its
  ``until`` as the next ``since``); ``/health`` -- ``{"ok": true, ...}``. Both need a session
  key or the endpoint's own token, in the ``X-Colab-Panel-Token`` or ``Authorization: Bearer``
  header (or, for scripts, ``?token=``).

Security: it listens on 127.0.0.1 only, so outside the machine it is reachable only through
Colab's proxy, which already requires the user's Google session. Keys and tickets are 256-bit
random and compared in constant time. It sends no CORS headers: the chart page polls its own
origin, and no other origin may read the data. It is read-only and stateless apart from
keys. A stuck or slow client cannot pin it: each connection has a read timeout, and at most
`MAX_CONNECTIONS` are served at once (more are closed at once).
"""

from __future__ import annotations

import html
import json
import math
import secrets
import threading
import time
from collections import OrderedDict
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import parse_qs, urlsplit

from colab_panel.errors import MonitorError
from colab_panel.monitor.sampler import Sampler

__all__ = ["MAX_CONNECTIONS", "SampleEndpoint", "TICKET_TTL_S", "TOKEN_HEADER"]

TOKEN_HEADER = "X-Colab-Panel-Token"
TICKET_TTL_S = 600.0  # a chart shown later than this asks the kernel for a new ticket
MAX_TICKETS = 16  # outstanding tickets and live page sessions, each (oldest dropped)
MAX_CONNECTIONS = 32
READ_TIMEOUT_S = 10.0

_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class SampleEndpoint:
    """Serves one sampler's data and chart page on 127.0.0.1 until `close()`; a context manager.

    `files` maps the names the chart page loads from ``/static/`` to files on disk."""

    def __init__(self, sampler: Sampler, *, files: Mapping[str, Path] | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.sampler = sampler
        self.token = secrets.token_urlsafe(32)
        self.files = dict(files or {})
        self._keys_lock = threading.Lock()
        self._tickets: OrderedDict[str, float] = OrderedDict()  # ticket -> expiry (monotonic)
        self._sessions: OrderedDict[str, None] = OrderedDict()
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

    def issue_ticket(self) -> str:
        """A single-use ticket that opens the chart page once, within `TICKET_TTL_S`."""
        ticket = secrets.token_urlsafe(32)
        with self._keys_lock:
            self._tickets[ticket] = time.monotonic() + TICKET_TTL_S
            while len(self._tickets) > MAX_TICKETS:
                self._tickets.popitem(last=False)
        return ticket

    def _redeem(self, ticket: str) -> str | None:
        """A new page session for a good ticket (which is used up), else None."""
        now = time.monotonic()
        with self._keys_lock:
            match = next((t for t in self._tickets
                          if secrets.compare_digest(t.encode(), ticket.encode())), None)
            if match is None or self._tickets.pop(match) < now:
                return None
            session = secrets.token_urlsafe(32)
            self._sessions[session] = None
            while len(self._sessions) > MAX_TICKETS:
                self._sessions.popitem(last=False)
            return session

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
        with self._keys_lock:
            keys = [self.token, *self._sessions]
        # compare_digest: the time taken must not tell an attacker how much of a guess matched.
        return any(secrets.compare_digest(o.encode(), k.encode()) for o in offered for k in keys)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must not block close()
    allow_reuse_address = False  # never share a port with another listener
    endpoint: SampleEndpoint

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        # One thread per connection, but never more than MAX_CONNECTIONS: half-open
        # connections must not pile up kernel threads.
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "colab-panel"
    sys_version = ""
    timeout = READ_TIMEOUT_S  # a client that stops sending is dropped

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        endpoint = self.server.endpoint
        if parts.path == "/chart":
            self._chart_page(query.get("ticket", [""])[-1])
        elif parts.path.startswith("/static/"):
            self._static(parts.path[len("/static/"):])
        elif not endpoint._authorised(self, query):
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

    def _chart_page(self, ticket: str) -> None:
        session = self.server.endpoint._redeem(ticket) if ticket else None
        if session is None:
            body = _refused_page().encode()
            status = HTTPStatus.FORBIDDEN
        else:
            body = _chart_page(session, self.server.endpoint.sampler.interval_s).encode()
            status = HTTPStatus.OK
        self.send_response(status)
        self._common_headers()
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _static(self, name: str) -> None:
        path = self.server.endpoint.files.get(name)
        if path is None:
            self._send(HTTPStatus.NOT_FOUND, {"error": "unknown file"})
            return
        try:
            body = path.read_bytes()
        except OSError:
            self._send(HTTPStatus.NOT_FOUND, {"error": "file missing"})
            return
        gzipped = path.suffix == ".gz"
        kind = _CONTENT_TYPES.get(Path(path.stem if gzipped else path.name).suffix,
                                  "application/octet-stream")
        self.send_response(HTTPStatus.OK)
        self.send_header("Cache-Control", "private, max-age=3600")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Type", kind)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _refuse(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "read-only endpoint: GET only"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def _send(self, status: HTTPStatus, payload: Any) -> None:
        body = json.dumps(payload, separators=(",", ":"), default=_jsonable).encode()
        self.send_response(status)
        self._common_headers()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # stderr of a kernel lands in the user's cell output


def _chart_page(session: str, interval_s: float) -> str:
    """The iframe document: the chart script draws into <body>, polling this origin."""
    config = html.escape(json.dumps({"session": session, "interval_s": interval_s}))
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta name='colab-panel-chart' content=\"{config}\">"
            "<link rel='stylesheet' href='static/theme.css'>"
            "<link rel='stylesheet' href='static/live_chart.css'>"
            # its own background: the page behind (Colab's, light or dark) need not match the
            # scheme this page's colours fall back to (js/theme.css)
            "<style>html,body{margin:0;padding:0;overflow:hidden}"
            "body.cp-theme-root{background:var(--cp-bg)}</style>"
            "<script src='static/plotly.js'></script>"
            "<script type='module' src='static/chart_frame.js'></script>"
            "</head><body class='cp-theme-root'></body></html>")


def _refused_page() -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            "<link rel='stylesheet' href='static/theme.css'></head><body class='cp-theme-root' "
            "style='font:13px system-ui,sans-serif;color:var(--cp-bad)'>This chart link was used "
            "already or has expired. The chart asks the kernel for a new one when the kernel "
            "is idle.<script>parent.postMessage({type:'cp-frame',state:'refused'},'*')</script>"
            "</body></html>")


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
