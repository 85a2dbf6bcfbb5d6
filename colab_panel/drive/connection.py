"""The HTTP connections under `Drive`: keep-alive that survives a front end closing idle ones.

Google's front ends, like any, close keep-alive connections that sit idle, and httplib2 keeps
such a connection in its pool and sends the next request on it. What happens then decides what
may be done about it:

- the request cannot be sent whole (broken pipe, reset, TLS EOF while sending): the server got
  no complete request and did nothing, so it is sent again at once on a fresh connection,
  whatever the method;
- it was sent whole, then the connection failed before any byte of an answer: the server may
  have closed it idle before reading, or acted and lost the answer. An idempotent request
  (GET, HEAD, PUT, DELETE, OPTIONS) on a pooled connection is sent again at once on a fresh
  one; anything else raises `RequestOutcomeUnknown`, for the caller to look at Drive first
  (a create whose answer was lost must not be made twice: see `create_once`).

httplib2's own handling resends any request once after "BadStatusLine on the first try",
POSTs included, and gives up on a reset while sending; `DriveHttp` replaces that one method
(`_conn_request`, unchanged in httplib2 since 0.9) with the rules above; a body read from a
stream (an upload chunk) is never resent here, as it is spent. Everything else
(TLS, redirects, authorization by the wrapping AuthorizedHttp) stays httplib2's.

Stalls: a ranged GET (a download piece, sized to last about half a second: `read_sizing`) that
receives no byte for `stall_timeout_s` is given up with `socket.timeout`, which `Drive.call`
retries on a fresh connection; other requests keep their connections and go on. Without this
a stalled answer held its worker for the whole socket timeout (60 s) while the rest flowed.
Other requests keep the connection's own timeout (a listing or an upload may think longer).
"""

from __future__ import annotations

import http.client
import socket
from typing import Any

import httplib2

from colab_panel.drive.failures import RequestOutcomeUnknown

__all__ = ["DriveHttp", "RequestOutcomeUnknown", "IDEMPOTENT_METHODS"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})  # RFC 9110 section 9.2.2
STALL_TIMEOUT_S = 10.0  # no byte for this long on a ranged GET: give it up, retry on a fresh connection

_CONNECTION_ERRORS = (OSError, http.client.HTTPException)  # resets, TLS EOF, RemoteDisconnected, ...


class DriveHttp(httplib2.Http):
    """httplib2.Http whose stale-connection handling never sends a request twice that the server
    may have acted on.

    `resend_any=True` treats every method as idempotent: for the OAuth token endpoint, where a
    second POST only issues a second token.
    """

    def __init__(self, *args: Any, resend_any: bool = False, stall_timeout_s: float | None = STALL_TIMEOUT_S,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resend_any = resend_any
        self.stall_timeout_s = stall_timeout_s  # None: ranged GETs wait as long as any request

    def _conn_request(self, conn: Any, request_uri: str, method: str, body: Any, headers: Any) -> tuple[Any, bytes]:
        # A body read from a stream (googleapiclient's upload chunks) is spent once sent: such a
        # request is never resent here; the caller's retry starts it again from its source.
        replayable = body is None or isinstance(body, (bytes, str))
        for fresh in (False, True):
            # a connection opened for an earlier request may have been closed while idle
            stale_suspect = conn.sock is not None and replayable
            if conn.sock is None:
                conn.connect()
            settimeout = getattr(conn.sock, "settimeout", None)  # (a test's stand-in socket may have none)
            if settimeout is not None:
                settimeout(self._timeout_for(method, headers))
            try:
                conn.request(method, request_uri, body, headers)
            except socket.timeout:
                conn.close()
                raise
            except _CONNECTION_ERRORS:
                conn.close()
                if stale_suspect and not fresh:
                    continue  # not sent whole: nothing was acted on
                raise
            try:
                response = conn.getresponse()
            except socket.timeout:
                conn.close()
                raise
            except _CONNECTION_ERRORS as exc:
                conn.close()
                if method.upper() not in IDEMPOTENT_METHODS and not self.resend_any:
                    raise RequestOutcomeUnknown(method, request_uri, exc) from exc
                if stale_suspect and not fresh:
                    continue  # sending it again changes nothing
                raise
            return self._read_response(conn, method, response)
        raise AssertionError("unreachable: the second pass returns or raises")

    def _timeout_for(self, method: str, headers: Any) -> float | None:
        ranged = method.upper() == "GET" and any(name.lower() == "range" for name in (headers or {}))
        if ranged and self.stall_timeout_s is not None:
            return self.stall_timeout_s if self.timeout is None else min(self.stall_timeout_s, self.timeout)
        return self.timeout

    def _read_response(self, conn: Any, method: str, response: Any) -> tuple[Any, bytes]:
        """What httplib2 does with an answer: read the body (errors now mean the request was
        acted on: they propagate), wrap the headers, undo gzip/deflate."""
        content = b""
        if method == "HEAD":
            conn.close()
        else:
            content = response.read()
        wrapped = httplib2.Response(response)
        if method != "HEAD":
            limits = getattr(self, "limit_kwargs", None)
            decompress = httplib2._decompressContent
            content = decompress(wrapped, content, limits) if limits is not None else decompress(wrapped, content)
        return wrapped, content
