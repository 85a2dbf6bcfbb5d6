"""The HTTPS server and the `DriveEmulator` object tests and the demo hold.

    with DriveEmulator(root="data/") as emu:          # binds 127.0.0.1, a free port
        emu.base_url, emu.root_id, emu.ca_cert_path, emu.token
        service = emu.build_service()                  # googleapiclient, Drive v2
        drive = emu.pydrive2_drive()                   # pydrive2 GoogleDrive
        emu.faults.fail(status=429)                    # see faults.py
        emu.requests.count(method="GET", media=True)   # see requestlog.py

One thread accepts; each connection gets its own thread (HTTP/1.1 keep-alive, as httplib2
uses). A connection left idle `idle_timeout_s` (default 30 s) between requests is closed. `close()` stops accepting, shuts every open connection so no handler thread is left
waiting on a client, joins them, and removes the temp dir holding the certificate, key,
uploaded blobs and upload sessions.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import socket
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from colab_panel.drive.emulator.access import parse_resource_keys
from colab_panel.drive.emulator.api import DriveApi, is_media_request
from colab_panel.drive.emulator.errors import ApiError, auth_error
from colab_panel.drive.emulator.faults import Faults, Plan, RequestInfo
from colab_panel.drive.emulator.oauth import TOKEN_PATH, OAuthError, ServiceAccounts, token_response
from colab_panel.drive.emulator.requestlog import RequestLog, RequestRecord
from colab_panel.drive.emulator.seed import seed_directory, seed_manifest
from colab_panel.drive.emulator.store import Store
from colab_panel.drive.emulator.tls import write_self_signed_cert
from colab_panel.drive.emulator.web import WebSide, is_web_path
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse

if TYPE_CHECKING:
    import pydrive2.drive

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 512 * 1024 * 1024
_CHUNK = 64 * 1024


class DriveEmulator:
    """A running Drive API v2 emulator. Use as a context manager, or call `start()` and `close()`."""

    def __init__(
        self,
        root: str | Path | None = None,
        manifest: str | Path | dict[str, Any] | None = None,
        *,
        token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        max_page_size: int = 7,
        user_email: str = "me@example.com",
        user_name: str = "Emulated User",
        socket_timeout: float = 30.0,
        idle_timeout_s: float = 30.0,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.socket_timeout = socket_timeout  # a read or write inside a request
        # How long a keep-alive connection may wait for its next request before the emulator
        # closes it, as Google's front ends close idle connections: clients must cope with a
        # pooled connection that is already gone. Tests set it to about a second.
        self.idle_timeout_s = idle_timeout_s
        self.idle_closes = 0  # connections closed for idleness so far
        self.token = token or "emu-" + secrets.token_urlsafe(24)
        self._tmp = Path(tempfile.mkdtemp(prefix="drive-emulator-"))
        blob_dir = self._tmp / "blobs"
        blob_dir.mkdir()
        self.store = Store(blob_dir, owner_email=user_email, owner_name=user_name)
        self.tokens: dict[str, str] = {self.token: self.store.default_account.email}
        self.service_accounts = ServiceAccounts()
        self.faults = Faults()
        self.requests = RequestLog()
        self.api = DriveApi.create(self.store, self._tmp, max_page_size)
        self.web = WebSide(self.store, self.faults)  # the anonymous visitor's pages (no token)
        self._closing = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._server: _HttpsServer | None = None
        self._thread: threading.Thread | None = None
        self._client_closers: list[Any] = []  # clients built by build_service()/pydrive2_drive(), closed with us
        try:
            if root is not None:
                seed_directory(self.store, Path(root))
            if manifest is not None:
                self.tokens.update(seed_manifest(self.store, manifest if isinstance(manifest, dict) else Path(manifest)))
            self.ca_cert_path, self._key_path = write_self_signed_cert(self._tmp)
        except BaseException:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> DriveEmulator:
        if self._server is not None:
            return self
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_cert_path, self._key_path)
        self._server = _HttpsServer((self.host, self._requested_port), _Handler, self, context)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="drive-emulator", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, drop open connections, join every thread, delete the temp dir. Idempotent."""
        self._closing.set()
        closers, self._client_closers = self._client_closers, []
        for closer in closers:
            try:
                closer()
            except Exception:  # a client already broken by a test must not stop the shutdown
                logger.debug("drive emulator: closing a client failed", exc_info=True)
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            with self._connections_lock:
                open_connections = list(self._connections)
            for conn in open_connections:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            server.server_close()  # joins the per-connection threads
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> DriveEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- what clients need ----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() or use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """`https://127.0.0.1:PORT/`: the host googleapiclient's endpoint and upload URLs point at."""
        host = "localhost" if self.host in ("0.0.0.0", "") else self.host
        return f"https://{host}:{self.port}/"

    @property
    def api_endpoint(self) -> str:
        """What `client_options={"api_endpoint": ...}` must be for Drive v2 (it replaces rootUrl+servicePath)."""
        return self.base_url + "drive/v2/"

    @property
    def root_id(self) -> str:
        return self.store.root_id

    def add_user(self, email: str, *, name: str | None = None, token: str | None = None) -> str:
        """Create another account (its own My Drive) and return a bearer token that acts as it."""
        account = self.store.add_account(email, name)
        token = token or "emu-" + secrets.token_urlsafe(24)
        self.tokens[token] = account.email
        return token

    @property
    def token_uri(self) -> str:
        """The OAuth 2.0 token endpoint service-account keys made here name (see oauth.py)."""
        return self.base_url.rstrip("/") + TOKEN_PATH

    def add_service_account(self, email: str, *, name: str | None = None) -> dict[str, str]:
        """Create a service account (its own My Drive) and return a new key file's JSON for it.

        Unmodified clients sign in with it as with Google's: oauth2client's and google-auth's
        service-account credentials trade a signed JWT at the key's `token_uri` for a token.
        Call it on a started emulator (the key names the port).
        """
        self.store.add_account(email, name)
        return self.service_accounts.create_key(email, self.token_uri)

    def add_refresh_token(self, email: str, client_id: str, client_secret: str) -> str:
        """A refresh token for the account `email` (created if new), as a user's saved sign-in holds."""
        self.store.add_account(email)
        return self.service_accounts.create_refresh_token(email, client_id, client_secret)

    def build_service(self, token: str | None = None) -> Any:
        """A googleapiclient Drive v2 `Resource` talking to this emulator (its connections close with us)."""
        from colab_panel.drive.emulator.client import build_service

        service = build_service(self.base_url, token or self.token, self.ca_cert_path)
        self._client_closers.append(service.close)
        return service

    def pydrive2_drive(self, token: str | None = None) -> pydrive2.drive.GoogleDrive:
        """A PyDrive2 `GoogleDrive` (unmodified library) talking to this emulator (closed with us)."""
        from colab_panel.drive.emulator.client import close_pydrive2, pydrive2_drive

        drive = pydrive2_drive(self.base_url, token or self.token, self.ca_cert_path)
        self._client_closers.append(lambda: close_pydrive2(drive))
        return drive

    # --- used by the handler --------------------------------------------------------------

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _count_idle_close(self) -> None:
        with self._connections_lock:
            self.idle_closes += 1

    def _wait(self, seconds: float) -> None:
        # An Event wait, not time.sleep, so close() never waits out a scripted delay.
        if seconds > 0:
            self._closing.wait(seconds)


class _HttpsServer(ThreadingHTTPServer):
    daemon_threads = False  # joined at close so a test can check nothing is left behind
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, emulator: DriveEmulator, context: ssl.SSLContext) -> None:
        self.emulator = emulator
        self.ssl_context = context
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.emulator._track(request, True)
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs here, in the connection's own thread, so a slow or silent
        # client cannot stall the accept loop.
        request.settimeout(self.emulator.socket_timeout)
        try:
            conn = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ValueError):
            self.emulator._track(request, False)
            return
        self.emulator._track(conn, True)
        try:
            super().finish_request(conn, client_address)  # the handler answers on the TLS socket
        except OSError:
            pass  # the client went away; nothing to answer
        finally:
            self.emulator._track(conn, False)
            self.emulator._track(request, False)
            conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("drive emulator: error on connection from %s", client_address, exc_info=True)


def _apply_method_override(
    method: str, query: dict[str, str], headers: dict[str, str], body: bytes
) -> tuple[str, dict[str, str], bytes]:
    """Honour `X-HTTP-Method-Override` as Google's front ends do.

    googleapiclient turns a GET whose URL passes 2,048 characters into a POST carrying that
    header, with the query string moved into a form-encoded body.
    """
    override = headers.get("x-http-method-override", "").upper()
    if method != "POST" or not override:
        return method, query, body
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        query = {**query, **{name: values[0] for name, values in form.items()}}
        body = b""
    return override, query, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "colab-panel-drive-emulator/1"
    server: _HttpsServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
        logger.debug("drive emulator: " + format, *args)

    def handle_one_request(self) -> None:
        # Wait for the next request's first byte under the idle timeout; once it is there,
        # the request is read and answered under the (longer) socket timeout.
        emulator = self.server.emulator
        self.connection.settimeout(emulator.idle_timeout_s)
        try:
            self.rfile.peek(1)  # type: ignore[attr-defined]  # a BufferedReader (rbufsize -1)
        except TimeoutError:
            emulator._count_idle_close()
            self.close_connection = True  # closed without a word, as a front end drops an idle connection
            return
        except OSError:
            self.close_connection = True
            return
        self.connection.settimeout(emulator.socket_timeout)
        super().handle_one_request()

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        emulator = self.server.emulator
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {name.lower(): value for name, value in self.headers.items()}
        method = self.command
        media = is_media_request(method, path, query)
        status = 0
        self._body_bytes = self._body_offset = 0
        emulator.requests.started()
        try:
            body = self._read_body(headers)
            method, query, body = _apply_method_override(method, query, headers, body)
            media = is_media_request(method, path, query)
            plan = emulator.faults.plan_for(RequestInfo(method, path, query, media))
            emulator._wait(plan.delay)
            if plan.reset_before_response:
                self._drop()
                return
            response = self._answer(emulator, method, path, query, headers, body, plan)
            status = response.status
            if plan.lose_answer:
                self._drop()  # done, but the client never hears of it
                return
            self._send(response, plan)
        except ApiError as error:  # raised while reading the body
            status = error.status
            self._send(_error_response(error), Plan())
        finally:
            emulator.requests.add(
                RequestRecord(
                    method=method,
                    path=path,
                    query=query,
                    status=status,
                    media=media,
                    headers={k: v for k, v in headers.items() if k != "authorization"},
                    body_bytes=self._body_bytes,
                    body_offset=self._body_offset,
                )
            )

    def _answer(
        self, emulator: DriveEmulator, method: str, path: str, query: dict[str, str], headers: dict[str, str],
        body: bytes, plan: Plan,
    ) -> ApiResponse:
        if path == TOKEN_PATH:
            return _token_endpoint(emulator, method, body, plan)
        try:
            if is_web_path(path):  # the anonymous visitor's pages, not the API: no token is read
                if plan.error is not None:
                    raise plan.error
                base = f"https://{headers.get('host') or emulator.base_url.split('/')[2]}/"
                return emulator.web.handle(method, path, query, base)
            email = _authenticate(emulator, headers.get("authorization"))
            if plan.error is not None:
                raise plan.error
            request = ApiRequest(
                method=method,
                path=path,
                query=query,
                headers=headers,
                body=body,
                email=email,
                base_url=f"https://{headers.get('host') or emulator.base_url.split('/')[2]}/",
                resource_keys=parse_resource_keys(headers.get("x-goog-drive-resource-keys")),
            )
            return emulator.api.handle(request)
        except ApiError as error:
            return _error_response(error)
        except Exception:
            logger.exception("drive emulator: handler failed for %s %s", self.command, path)
            return _error_response(ApiError(500, "internalError", "Internal Error"))

    def _read_body(self, headers: dict[str, str]) -> bytes:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.close_connection = True
            raise ApiError(411, "lengthRequired", "Chunked request bodies are not supported; send Content-Length.")
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(413, "uploadTooLarge", f"Request bodies over {MAX_BODY_BYTES} bytes are refused; use a resumable upload in chunks.")
        return self.rfile.read(length) if length else b""

    def _send(self, response: ApiResponse, plan: Plan) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(response.body_length))
        self.end_headers()
        limit = plan.reset_after
        rate = self.server.emulator.faults.bytes_per_second if response.media else None
        if response.media:
            self._body_offset = _body_offset(response)
        sent = 0
        started = time.monotonic()
        stall_at = plan.stall_after
        for chunk in _body_chunks(response, _CHUNK if rate is None else max(1024, min(_CHUNK, rate // 10))):
            if stall_at is not None and sent + len(chunk) > stall_at:
                head, chunk = chunk[: stall_at - sent], chunk[stall_at - sent :]
                self.wfile.write(head)
                self.wfile.flush()
                sent += len(head)
                self._count_sent(response, len(head))
                stall_at = None
                self.server.emulator._wait(plan.stall_s)  # silence: the client sees no byte for a while
                if self.server.emulator._closing.is_set():
                    self._drop()
                    return
            if limit is not None and sent + len(chunk) >= limit:
                self.wfile.write(chunk[: limit - sent])
                self.wfile.flush()
                self._count_sent(response, limit - sent)
                self._drop()
                return
            self.wfile.write(chunk)
            sent += len(chunk)
            self._count_sent(response, len(chunk))
            if rate:
                # Pace to the cap: wait until `sent` bytes are due at `rate` bytes/s.
                self.server.emulator._wait(sent / rate - (time.monotonic() - started))
                if self.server.emulator._closing.is_set():
                    self._drop()
                    return
        self.wfile.flush()
        if limit is not None:
            self._drop()

    def _count_sent(self, response: ApiResponse, nbytes: int) -> None:
        if response.media and nbytes > 0:
            self._body_bytes += nbytes
            self.server.emulator.requests.sent(nbytes)

    def _drop(self) -> None:
        """Close the TCP connection abruptly (FIN without TLS close_notify): the client sees a cut-off body."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _body_offset(response: ApiResponse) -> int:
    if response.file is not None:
        return response.offset
    first = response.headers.get("Content-Range", "").removeprefix("bytes ").split("-")[0]
    return int(first) if first.isdigit() else 0


def _body_chunks(response: ApiResponse, size: int) -> Any:
    if response.file is None:
        for start in range(0, len(response.body), size):
            yield response.body[start : start + size]
        return
    remaining = response.length
    with open(response.file, "rb") as handle:
        handle.seek(response.offset)
        while remaining > 0:
            chunk = handle.read(min(size, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def _authenticate(emulator: DriveEmulator, header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    if not header:
        error = auth_error()
        error.reason, error.message = "required", "Login Required."
        raise error
    email = emulator.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if email is None:
        raise auth_error()
    return email


def _token_endpoint(emulator: DriveEmulator, method: str, body: bytes, plan: Plan) -> ApiResponse:
    """The OAuth token endpoint: no bearer token to check, its own error shape."""
    if plan.error is not None:
        return _error_response(plan.error)
    try:
        email, lifetime_s = emulator.service_accounts.token(method, body)
    except OAuthError as error:
        return error.response()
    access_token = "ya29.emu-" + secrets.token_urlsafe(32)
    emulator.tokens[access_token] = email
    return token_response(access_token, lifetime_s)


def _error_response(error: ApiError) -> ApiResponse:
    headers = {"Content-Type": "application/json; charset=UTF-8", **error.headers}
    return ApiResponse(error.status, headers, error.body())
