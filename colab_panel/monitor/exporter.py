"""`/metrics` for Prometheus: the kernel's sampler served in the text exposition format.

    exporter = MetricsExporter(port=9400)          # http://127.0.0.1:9400/metrics
    exporter.close()                               # the thread and the socket are gone

    colab-panel exporter --port 9400               # the same from a shell
    Panel(metrics_port=9400)                       # the same for as long as the panel lives

What a scrape returns is `metrics.SamplerCollector` over the sampler's latest readings; the
sampler keeps its own cadence and a scrape never makes it sample again. The exporter holds one
`acquire()` of the sampler, so sampling runs while it serves and stops with the last user.

Security: it listens on loopback unless told otherwise. Another address (e.g. 0.0.0.0 for a
Prometheus on another machine) needs `allow_remote=True` (`--allow-remote`), and then every
request needs `Authorization: Bearer <token>`: a fresh 256-bit token per exporter, compared in
constant time, kept only in memory (the caller shows it once). Without it: 401, no data. GET
only, no state, and each connection has a read timeout so a stuck client cannot pin a thread.

Lifetime: `close()` stops the accept loop, joins every request thread (the server is not
daemonic about them, so no handler outlives it), closes the socket and releases the sampler.
"""

from __future__ import annotations

import gzip
import hmac
import ipaddress
import secrets
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from colab_panel.errors import MonitorError
from colab_panel.monitor.sampler import get_sampler

__all__ = ["DEFAULT_PORT", "MetricsExporter", "is_loopback", "serve_until_interrupted"]

DEFAULT_PORT = 9400  # dcgm-exporter's: a scrape config written for it needs only the host changed
READ_TIMEOUT_S = 10.0
_INSTALL_HINT = "The Prometheus exporter needs prometheus-client: run `pip install prometheus-client`."


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (127.0.0.0/8, ::1) or "localhost"."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere


class MetricsExporter:
    """Serves `/metrics` from `sampler` (the kernel's by default) until `close()`; a context manager."""

    def __init__(self, sampler: Any = None, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 allow_remote: bool = False, hostname: str | None = None) -> None:
        try:  # lazy: only an exporter needs prometheus_client (and `import colab_panel` stays fast)
            from prometheus_client import CollectorRegistry
            from prometheus_client.exposition import choose_encoder

            from colab_panel.monitor.metrics import SamplerCollector
        except ImportError as error:
            raise MonitorError(_INSTALL_HINT) from error
        if not is_loopback(host) and not allow_remote:
            raise MonitorError(f"{host} is not a loopback address: anyone who can reach it could read the "
                               "metrics. Pass allow_remote=True (--allow-remote on the command line) to serve "
                               "there behind a bearer token.")
        self.token: str | None = None if is_loopback(host) else secrets.token_urlsafe(32)
        self.sampler = sampler if sampler is not None else get_sampler()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(SamplerCollector(self.sampler, hostname=hostname or socket.gethostname()))
        self._choose_encoder = choose_encoder
        self.scrapes = 0
        try:
            self._server = _server_class(host)((host, port), _Handler)
        except OSError as error:
            raise MonitorError(f"Could not listen on {host}:{port} for /metrics: "
                               f"{error.strerror or error}.") from error
        self._server.exporter = self
        self.host, self.port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self._closed = False
        self._close_lock = threading.Lock()
        self.sampler.acquire()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="colab_panel-exporter", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Where to scrape: on a wildcard bind, the loopback form (the address this machine knows)."""
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}/metrics"

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop serving; returns once no exporter thread or socket is left. Safe to call twice."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._server.shutdown()  # waits for serve_forever to return
        self._server.server_close()  # closes the socket, joins request threads (block_on_close)
        self._thread.join()
        self.sampler.release()

    def __enter__(self) -> MetricsExporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- one request (on a request thread) -----------------------------------------------------

    def authorized(self, header: str | None) -> bool:
        if self.token is None:
            return True
        scheme, _, credentials = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self.token.encode())

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The scrape body in the format Prometheus asked for (text or OpenMetrics), and its type."""
        encoder, content_type = self._choose_encoder(accept or "")
        self.scrapes += 1
        return encoder(self.registry), content_type


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # request threads are joined by server_close(): none outlives close()
    block_on_close = True
    allow_reuse_address = True  # a restarted exporter can take the port back at once
    exporter: MetricsExporter


class _Server6(_Server):
    address_family = socket.AF_INET6


def _server_class(host: str) -> type[_Server]:
    return _Server6 if ":" in host else _Server


class _Handler(BaseHTTPRequestHandler):
    server_version = "colab_panel-exporter"
    timeout = READ_TIMEOUT_S
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        exporter = self.server.exporter
        if not exporter.authorized(self.headers.get("Authorization")):
            self._send(HTTPStatus.UNAUTHORIZED, b"A bearer token is required.\n", "text/plain; charset=utf-8",
                       {"WWW-Authenticate": 'Bearer realm="colab_panel"'})
            return
        if urlsplit(self.path).path not in ("/metrics", "/metrics/"):
            self._send(HTTPStatus.NOT_FOUND, b"Only /metrics is served here.\n", "text/plain; charset=utf-8")
            return
        body, content_type = exporter.render(self.headers.get("Accept"))
        extra = {}
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body, extra = gzip.compress(body, compresslevel=1), {"Content-Encoding": "gzip"}
        self._send(HTTPStatus.OK, body, content_type, extra)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass  # a scrape every 15 s must not print into the notebook


def serve_until_interrupted(exporter: MetricsExporter, stop: threading.Event | None = None) -> None:
    """Block the calling thread (the CLI's) until Ctrl-C or `stop` is set; the exporter serves meanwhile."""
    stop = stop or threading.Event()
    while not stop.is_set():
        stop.wait(1.0)  # a timed wait: Ctrl-C is delivered between waits
