"""A loopback HTTP server in the kernel with routes, single-use tickets and page session keys.

The Monitor's chart endpoint (monitor/endpoint.py) showed what works in Colab: a page served by
the kernel's machine, loaded as an iframe *document* through Colab's port proxy, talking only to
its own origin. This is that server with the routes left to its users (the chart and the
transfers register theirs), so one port, one thread and one set of keys serve a panel
(endpoint/lazy.py starts it for the first of them):

    endpoint = KernelEndpoint()
    endpoint.route("GET", "/page", show_page, auth=False, scope="x")  # fn(request) answers it
    ticket = endpoint.issue_ticket({"path": "..."}, scope="x")  # single use, for TICKET_TTL_S
    payload = endpoint.redeem(ticket, scope="x")                 # the payload once, then None
    session = endpoint.new_session(scope="x")    # a key a page sends back as a header
    endpoint.withdraw(scope="x")   # a feature that stops: its routes, keys and tickets go
    endpoint.close()

A scope names the feature: a page's session key opens only routes of its own scope, and a
ticket is redeemed only by its own scope's page (so the read-only chart's key cannot upload or
download files). The endpoint's `token` opens every route (the kernel's own code holds it).

Security, as for the chart: it listens on 127.0.0.1 only, so outside the machine it is reached
only through Colab's proxy (which requires the user's Google session); keys and tickets are
256-bit random and compared in constant time; no CORS headers, so no other origin reads an
answer. A slow client cannot pin it: every socket read has a timeout, and at most
`MAX_CONNECTIONS` requests are served at once (more are closed at once).
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from colab_panel.errors import PanelError

__all__ = ["MAX_CONNECTIONS", "TICKET_TTL_S", "TOKEN_HEADER", "KernelEndpoint", "Request"]

TOKEN_HEADER = "X-Colab-Panel-Token"
TICKET_TTL_S = 600.0
MAX_TICKETS = 64  # outstanding tickets, and live page sessions, each per scope (oldest dropped)
MAX_CONNECTIONS = 32
READ_TIMEOUT_S = 30.0  # one socket read; a chunk of 8 MB arrives in many
BODY_BLOCK_BYTES = 1024 * 1024  # a body is read (and handed on) in blocks of this size

Handler = Callable[["Request"], None]
_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD")


class KernelEndpoint:
    """Serves registered routes on 127.0.0.1 from a daemon thread until `close()`."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.token = secrets.token_urlsafe(32)
        self._routes: dict[tuple[str, str], tuple[Handler, str | None]] = {}  # scope; None: no key
        self._keys_lock = threading.Lock()
        self._tickets: OrderedDict[str, tuple[float, Any, str]] = OrderedDict()  # expiry, payload, scope
        self._sessions: OrderedDict[str, str] = OrderedDict()  # key -> scope
        try:
            self._server = _Server((host, port), _Handler)
        except OSError as error:
            raise PanelError(f"Could not open the kernel's local endpoint: {error}") from error
        self._server.endpoint = self
        self.host, self.port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"colab_panel-http-{self.port}", daemon=True)
        self._thread.start()
        self._closed = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def closed(self) -> bool:
        return self._closed

    def route(self, method: str, path: str, handler: Handler, *, auth: bool = True, scope: str = "") -> None:
        """Answer `method` `path` with `handler`; a path ending in "/" matches everything under it.
        With `auth`, the request must carry a session key of `scope` or the endpoint's token."""
        with self._keys_lock:  # copied on write: request threads read the table without a lock
            self._routes = {**self._routes, (method.upper(), path): (handler, scope if auth else None)}

    def withdraw(self, scope: str) -> None:
        """Forget the routes, session keys and tickets of `scope` (a feature that stops); the
        server and the other scopes' stay."""
        with self._keys_lock:
            self._routes = {key: value for key, value in self._routes.items() if value[1] != scope}
            for key in [k for k, s in self._sessions.items() if s == scope]:
                del self._sessions[key]
            for key in [k for k, entry in self._tickets.items() if entry[2] == scope]:
                del self._tickets[key]

    def issue_ticket(self, payload: Any = True, *, scope: str = "") -> str:
        """A ticket `redeem(ticket, scope=scope)` turns into `payload` once, within `TICKET_TTL_S`."""
        ticket = secrets.token_urlsafe(32)
        with self._keys_lock:
            self._tickets[ticket] = (time.monotonic() + TICKET_TTL_S, payload, scope)
            _drop_oldest(self._tickets, scope, lambda entry: entry[2])
        return ticket

    def redeem(self, ticket: str, *, scope: str = "") -> Any:
        """The ticket's payload, used up; None for an unknown, used or expired ticket, and for
        one of another scope (which stays good for its own page)."""
        now = time.monotonic()
        with self._keys_lock:
            match = next((t for t in self._tickets if secrets.compare_digest(t.encode(), ticket.encode())), None)
            if match is None or self._tickets[match][2] != scope:
                return None
            expiry, payload, _ = self._tickets.pop(match)
            return payload if expiry >= now else None

    def new_session(self, scope: str = "") -> str:
        """A key that opens the routes of `scope`."""
        session = secrets.token_urlsafe(32)
        with self._keys_lock:
            self._sessions[session] = scope
            _drop_oldest(self._sessions, scope, lambda entry: entry)
        return session

    def authorised(self, offered: list[str], scope: str | None = "") -> bool:
        """Whether `offered` holds the token or a session key of `scope` (of any scope for None)."""
        with self._keys_lock:
            keys = [self.token, *(k for k, s in self._sessions.items() if scope is None or s == scope)]
        return any(secrets.compare_digest(o.encode(), k.encode()) for o in offered for k in keys)

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening and wait for the server thread. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout)

    def __enter__(self) -> KernelEndpoint:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _find(self, method: str, path: str) -> tuple[Handler, str | None] | None:
        routes = self._routes
        found = routes.get((method, path))
        if found is None:
            prefixes = [p for (m, p) in routes if m == method and p.endswith("/") and path.startswith(p)]
            if prefixes:
                found = routes[(method, max(prefixes, key=len))]
        return found


class Request:
    """One request as a route sees it: path, query, headers, body, and ways to answer."""

    def __init__(self, handler: _Handler, path: str, query: dict[str, list[str]]) -> None:
        self.handler = handler
        self.path = path
        self.query = query
        self.headers = handler.headers
        self.endpoint: KernelEndpoint = handler.server.endpoint

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[-1]

    def body_length(self, limit: int) -> int:
        """The body's declared length (Content-Length), at most `limit` bytes, else PanelError."""
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit or length < 0:
            self.handler.close_connection = True
            raise _TooLarge(f"A request body of {length} bytes is more than the {limit} accepted.")
        return length

    def body_blocks(self, limit: int) -> Iterator[memoryview]:
        """The request's body (at most `limit` bytes, else PanelError) block by block as it arrives,
        each a view into one reused buffer, valid until the next is asked for; a short read
        raises ConnectionError. Reading the rest after a refusal keeps the connection usable."""
        remaining = self.body_length(limit)
        view = memoryview(bytearray(min(remaining, BODY_BLOCK_BYTES)))
        while remaining:
            n = self.handler.rfile.readinto(view[:min(remaining, BODY_BLOCK_BYTES)])
            if not n:
                self.handler.close_connection = True
                raise ConnectionError("the connection closed mid-body")
            remaining -= n
            yield view[:n]

    def body(self, limit: int) -> bytearray:
        """The request's body (at most `limit` bytes, else PanelError); short reads raise OSError."""
        length = self.body_length(limit)
        data = bytearray(length)  # read in place: no copy per block, none at the end
        view, got = memoryview(data), 0
        while got < length:
            n = self.handler.rfile.readinto(view[got:got + BODY_BLOCK_BYTES])
            if not n:
                self.handler.close_connection = True
                raise ConnectionError("the connection closed mid-body")
            got += n
        return data

    def json_body(self, limit: int = 64 * 1024) -> dict[str, Any]:
        try:
            value = json.loads(self.body(limit) or b"{}")
        except ValueError:
            raise PanelError("The request's body is not JSON.") from None
        if not isinstance(value, dict):
            raise PanelError("The request's body must be a JSON object.")
        return value

    def send_json(self, status: int, payload: Any) -> None:
        self.send(status, json.dumps(payload, separators=(",", ":")).encode(), "application/json")

    def send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.start(status, content_type, {**(headers or {}), "Content-Length": str(len(body))})
        self.handler.wfile.write(body)

    def start(self, status: int, content_type: str, headers: dict[str, str] | None = None) -> None:
        """Send the status line and headers; the route writes the body to `handler.wfile`.
        Without a Content-Length the connection closes after the body (it marks the end)."""
        handler = self.handler
        handler.send_response(status)
        if "Cache-Control" not in (headers or {}):
            handler.send_header("Cache-Control", "no-store")
        handler.send_header("X-Content-Type-Options", "nosniff")
        handler.send_header("Referrer-Policy", "no-referrer")
        handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()


def _drop_oldest(entries: OrderedDict[str, Any], scope: str, scope_of: Callable[[Any], str]) -> None:
    """Keep at most `MAX_TICKETS` entries of `scope`, dropping its oldest: one feature's many
    tickets or pages never push out another's."""
    mine = [key for key, value in entries.items() if scope_of(value) == scope]
    for key in mine[:max(0, len(mine) - MAX_TICKETS)]:
        del entries[key]


class _TooLarge(PanelError):
    pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must not block close()
    allow_reuse_address = False
    endpoint: KernelEndpoint

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
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
    protocol_version = "HTTP/1.1"  # keep-alive between chunks
    timeout = READ_TIMEOUT_S

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm holds the
        # small second write until the client's delayed ACK (up to 40 ms per request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        request = Request(self, parts.path, query)
        endpoint = self.server.endpoint
        found = endpoint._find(self.command, parts.path)
        if found is None:
            self.close_connection = True  # a body we did not read must not be taken for the next request
            if any(endpoint._find(method, parts.path) for method in _METHODS if method != self.command):
                request.send_json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{self.command} is not served here"})
            elif not endpoint.authorised(self._offered(query), scope=None):
                # what exists is not told to a caller without a key
                request.send_json(HTTPStatus.FORBIDDEN, {"error": "missing or wrong token"})
            else:
                request.send_json(HTTPStatus.NOT_FOUND, {"error": "unknown path"})
            return
        handler, scope = found
        if scope is not None and not endpoint.authorised(self._offered(query), scope):
            self.close_connection = True
            request.send_json(HTTPStatus.FORBIDDEN, {"error": "missing or wrong token"})
            return
        try:
            handler(request)
        except _TooLarge as error:
            request.send_json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": str(error)})
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away: nothing to answer

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _dispatch

    def _offered(self, query: dict[str, list[str]]) -> list[str]:
        offered = [*query.get("token", [])]
        if self.headers.get(TOKEN_HEADER):
            offered.append(self.headers[TOKEN_HEADER])
        bearer = self.headers.get("Authorization", "")
        if bearer.startswith("Bearer "):
            offered.append(bearer[len("Bearer "):])
        return offered

    def log_message(self, format: str, *args: Any) -> None:
        pass  # stderr of a kernel lands in the user's cell output
