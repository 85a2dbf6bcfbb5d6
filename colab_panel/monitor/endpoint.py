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

The server itself (threads, keys, tickets, connection cap) is `endpoint.server.KernelEndpoint`,
shared with the transfers; pass ``endpoint=`` to serve the chart from one that already runs (a
panel's, see endpoint/lazy.py): `close()` then withdraws the chart's routes and keys and leaves
it running.
Its keys and tickets are of the scope "chart", so a chart page's key opens no other route.

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
from http import HTTPStatus
from pathlib import Path
from typing import Mapping

from colab_panel.errors import MonitorError, PanelError
from colab_panel.monitor.sampler import Sampler
from colab_panel.endpoint.server import MAX_CONNECTIONS, TICKET_TTL_S, TOKEN_HEADER, KernelEndpoint, Request

__all__ = ["MAX_CONNECTIONS", "SampleEndpoint", "TICKET_TTL_S", "TOKEN_HEADER"]

_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_CHART = "chart"  # the scope of the chart's routes and keys, and the payload of its tickets


class SampleEndpoint:
    """Serves one sampler's data and chart page on 127.0.0.1 until `close()`; a context manager.

    `files` maps the names the chart page loads from ``/static/`` to files on disk. With
    `endpoint`, the routes go on that server (and `close()` leaves it running)."""

    def __init__(self, sampler: Sampler, *, files: Mapping[str, Path] | None = None,
                 host: str = "127.0.0.1", port: int = 0, endpoint: KernelEndpoint | None = None) -> None:
        self.sampler = sampler
        self.files = dict(files or {})
        self._owns = endpoint is None
        try:
            self.endpoint = endpoint or KernelEndpoint(host=host, port=port)
        except PanelError as error:
            raise MonitorError(f"Could not open the monitor's local endpoint: {error}") from error
        self.host, self.port = self.endpoint.host, self.endpoint.port
        self.token = self.endpoint.token
        route = self.endpoint.route
        route("GET", "/chart", self._chart_page, auth=False, scope=_CHART)
        route("GET", "/static/", self._static, auth=False, scope=_CHART)
        route("GET", "/health", self._health, scope=_CHART)
        route("GET", "/samples", self._samples, scope=_CHART)
        self._closed = False

    @property
    def url(self) -> str:
        """The base URL on this machine (the browser in Colab reaches it through the proxy)."""
        return self.endpoint.url

    @property
    def closed(self) -> bool:
        return self._closed or self.endpoint.closed

    def issue_ticket(self) -> str:
        """A single-use ticket that opens the chart page once, within `TICKET_TTL_S`."""
        return self.endpoint.issue_ticket(_CHART, scope=_CHART)

    def close(self, timeout: float = 5.0) -> None:
        """Stop listening (if the server is ours) and wait for its thread, else withdraw the
        chart's routes and keys. Safe to call twice."""
        self._closed = True
        if self._owns:
            self.endpoint.close(timeout)
        else:
            self.endpoint.withdraw(_CHART)

    def __enter__(self) -> SampleEndpoint:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- routes --

    def _chart_page(self, request: Request) -> None:
        ticket = request.arg("ticket")
        if ticket and self.endpoint.redeem(ticket, scope=_CHART) == _CHART:
            body, status = _chart_page(self.endpoint.new_session(_CHART), self.sampler.interval_s), HTTPStatus.OK
        else:
            body, status = _refused_page(), HTTPStatus.FORBIDDEN
        request.send(status, body.encode(), "text/html; charset=utf-8")

    def _static(self, request: Request) -> None:
        path = self.files.get(request.path[len("/static/"):])
        try:
            body = path.read_bytes() if path is not None else None
        except OSError:
            body = None
        if path is None or body is None:
            request.send_json(HTTPStatus.NOT_FOUND, {"error": "unknown file"})
            return
        gzipped = path.suffix == ".gz"
        kind = _CONTENT_TYPES.get(Path(path.stem if gzipped else path.name).suffix, "application/octet-stream")
        headers = {"Cache-Control": "private, max-age=3600"}
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        request.send(HTTPStatus.OK, body, kind, headers)

    def _health(self, request: Request) -> None:
        sampler = self.sampler
        request.send_json(HTTPStatus.OK, {"ok": True, "running": sampler.running,
                                          "paused": sampler.paused, "interval_s": sampler.interval_s})

    def _samples(self, request: Request) -> None:
        try:
            since = _since(request.query)
        except ValueError as error:
            request.send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
            return
        latest = request.arg("latest", "1") not in ("0", "false", "no")
        request.send_json(HTTPStatus.OK, self.sampler.since(since, include_latest=latest))


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
