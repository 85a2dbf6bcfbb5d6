"""The transfer routes on the kernel's endpoint, and the page that drives them from the browser.

    service = TransferService(default_dest="/content/data", files={"transfer_frame.js": path, ...})
    ticket = service.page_ticket()    # the widget opens transfers/page?ticket=
    service.close()

With ``endpoint=`` (a panel's, see endpoint/lazy.py) the routes go on a server that already
runs, and `close()` withdraws them (and the pages' keys). Keys and tickets are of the scope "transfers".

Routes (all under ``/transfers/``; "key" = the page's session key or the endpoint's token, in
the ``X-Colab-Panel-Token`` header):
- ``GET page?ticket=T`` -- the transfer page (drop zone, list, download box), given a session key.
- ``POST upload`` {dest, name, size_bytes, last_modified_ms, replace, drive_folder} -- key;
  starts or resumes an upload: its id and ``committed_bytes`` (see upload.py for the protocol).
- ``PUT upload/<id>?offset=N`` body = the chunk, ``X-Chunk-Crc32`` (8 hex digits, as zlib.crc32)
  -- key; commits it. 409 with ``committed_bytes`` for a chunk out of order or sent twice; 400
  "damaged" for one whose CRC-32 differs (not written: send it again).
- ``GET upload/<id>`` -- key; where it stands (and what its onward copy to Drive says). A
  finished upload's ``md5`` is null until the kernel has hashed the file (see upload.py), or
  ``md5_error`` says why it will stay so.
- ``DELETE upload/<id>`` -- key; cancels: the partial file is removed, a finished one is kept.
- ``POST download-ticket`` {path} -- key; a single-use ``download?ticket=`` URL for a path.
- ``GET download?ticket=T`` -- the file (or a folder as one zip, streamed) as an attachment.
- ``GET static/<name>`` -- the page's script and style.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote

from colab_panel.errors import PanelError, TransferError, UploadOffsetMismatch
from colab_panel.inputs import shown
from colab_panel.endpoint.server import KernelEndpoint, Request
from colab_panel.transfers.upload import (
    CHUNK_BYTES,
    MAX_CHUNK_BYTES,
    Upload,
    UploadStore,
)
from colab_panel.transfers.zip_stream import write_zip

__all__ = ["TransferService", "download_target"]

_CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
_SCOPE = "transfers"  # of the routes, keys and tickets: a chart page's key opens none of them


class TransferService:
    """An endpoint with the transfer routes, an upload store, and optional onward copies to Drive.

    `on_uploaded(upload, drive_folder)` is called (in the request's thread) when a file has
    arrived whole and its upload asked for a Drive folder; it returns at once (see drive_onward)."""

    def __init__(self, *, default_dest: str | os.PathLike[str], files: Mapping[str, Path] | None = None,
                 endpoint: KernelEndpoint | None = None,
                 on_uploaded: Callable[[Upload, str], None] | None = None,
                 drive_status: Callable[[str], str | None] | None = None) -> None:
        self.default_dest = str(default_dest)
        self.files = dict(files or {})  # the page's script and style: widgets/transfer_box.py names them
        self.store = UploadStore()
        self._owns_endpoint = endpoint is None
        self.endpoint = endpoint or KernelEndpoint()
        self._on_uploaded = on_uploaded
        self._drive_status = drive_status
        self._drive_folders: dict[str, str] = {}
        def route(method: str, path: str, handler: Callable[[Request], None], auth: bool = True) -> None:
            self.endpoint.route(method, path, handler, auth=auth, scope=_SCOPE)

        route("GET", "/transfers/page", self._page, auth=False)
        route("GET", "/transfers/static/", self._static, auth=False)
        route("GET", "/transfers/download", self._download, auth=False)  # the ticket is the key
        route("POST", "/transfers/download-ticket", self._download_ticket)
        route("POST", "/transfers/upload", self._begin)
        route("PUT", "/transfers/upload/", self._chunk)
        route("GET", "/transfers/upload/", self._status)
        route("DELETE", "/transfers/upload/", self._cancel)

    @property
    def port(self) -> int:
        return self.endpoint.port

    def page_ticket(self) -> str:
        """A single-use ticket that opens the transfer page once."""
        return self.endpoint.issue_ticket("page", scope=_SCOPE)

    def download_url(self, path: str | os.PathLike[str]) -> str:
        """``transfers/download?ticket=T`` (relative to the endpoint) for one download of `path`."""
        target = download_target(path)
        return f"transfers/download?ticket={quote(self.endpoint.issue_ticket(('download', str(target)), scope=_SCOPE))}"

    def close(self) -> None:
        """Stop the endpoint if it is ours, else withdraw the transfer routes and keys. Safe twice."""
        self.store.close()
        if self._owns_endpoint:
            self.endpoint.close()
        else:
            self.endpoint.withdraw(_SCOPE)

    # -- routes --

    def _page(self, request: Request) -> None:
        if self.endpoint.redeem(request.arg("ticket"), scope=_SCOPE) != "page":
            request.send(HTTPStatus.FORBIDDEN, _refused_page().encode(), "text/html; charset=utf-8")
            return
        config = {"session": self.endpoint.new_session(_SCOPE), "dest": self.default_dest, "chunk_bytes": CHUNK_BYTES}
        request.send(HTTPStatus.OK, _page(config).encode(), "text/html; charset=utf-8")

    def _static(self, request: Request) -> None:
        path = self.files.get(request.path.rsplit("/", 1)[-1])
        try:
            body = path.read_bytes() if path else None
        except OSError:
            body = None
        if path is None or body is None:
            request.send_json(HTTPStatus.NOT_FOUND, {"error": "unknown file"})
            return
        request.send(HTTPStatus.OK, body, _CONTENT_TYPES.get(path.suffix, "application/octet-stream"))

    def _begin(self, request: Request) -> None:
        def begin() -> dict[str, Any]:
            spec = request.json_body()
            size = spec.get("size_bytes")
            upload = self.store.begin(spec.get("dest") or self.default_dest, spec.get("name", ""),
                                      size_bytes=size if isinstance(size, int) else -1,
                                      last_modified_ms=int(spec.get("last_modified_ms") or 0),
                                      replace=bool(spec.get("replace")))
            folder = str(spec.get("drive_folder") or "").strip()
            if folder:
                self._drive_folders[upload.id] = folder
            if upload.done:
                self._uploaded(upload)
            return self._json(upload)
        _answer(request, begin)

    def _chunk(self, request: Request) -> None:
        def chunk() -> dict[str, Any]:
            upload_id = request.path.rsplit("/", 1)[-1]
            length = request.body_length(MAX_CHUNK_BYTES)
            blocks = request.body_blocks(MAX_CHUNK_BYTES)  # written to disk as they arrive
            try:
                try:
                    offset = int(request.arg("offset", "-1"))
                except ValueError:
                    raise TransferError("offset must be a whole number of bytes") from None
                crc32 = _crc32_header(request.headers.get("X-Chunk-Crc32"))
                upload = self.store.receive_chunk(upload_id, offset, length, blocks, crc32=crc32)
            except PanelError:
                for _ in blocks:  # read the rest all the same, so the connection stays usable
                    pass
                raise
            if upload.done:
                self._uploaded(upload)
            return self._json(upload)
        _answer(request, chunk)

    def _status(self, request: Request) -> None:
        _answer(request, lambda: self._json(self.store.status(request.path.rsplit("/", 1)[-1])))

    def _cancel(self, request: Request) -> None:
        def cancel() -> dict[str, Any]:
            self.store.cancel(request.path.rsplit("/", 1)[-1])
            return {"cancelled": True}
        _answer(request, cancel)

    def _download_ticket(self, request: Request) -> None:
        _answer(request, lambda: {"url": self.download_url(str(request.json_body().get("path") or ""))})

    def _download(self, request: Request) -> None:
        payload = self.endpoint.redeem(request.arg("ticket"), scope=_SCOPE)
        if not (isinstance(payload, tuple) and payload[0] == "download"):
            request.send(HTTPStatus.FORBIDDEN, b"This download link was used already or has expired.",
                         "text/plain; charset=utf-8")
            return
        path = Path(payload[1])
        try:
            if path.is_dir():
                request.start(HTTPStatus.OK, "application/zip",
                              {"Content-Disposition": _attachment(f"{path.name or 'files'}.zip")})
                write_zip(path, request.handler.wfile.write)
                return
            source = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            if request.handler.close_connection:  # the zip had started: cut it short, so it fails to open
                return
            request.send(HTTPStatus.NOT_FOUND, f"Cannot read {shown(str(path))}: {exc.strerror}".encode(),
                         "text/plain; charset=utf-8")
            return
        with source:
            size = os.fstat(source.fileno()).st_size
            request.start(HTTPStatus.OK, "application/octet-stream",
                          {"Content-Disposition": _attachment(path.name), "Content-Length": str(size)})
            request.handler.wfile.flush()
            request.handler.connection.sendfile(source, 0, size)

    # -- helpers --

    def _uploaded(self, upload: Upload) -> None:
        folder = self._drive_folders.pop(upload.id, None)
        if folder and self._on_uploaded is not None:
            self._on_uploaded(upload, folder)

    def _json(self, upload: Upload) -> dict[str, Any]:
        answer = {"id": upload.id, "name": upload.name, "path": upload.path, "size_bytes": upload.size_bytes,
                  "committed_bytes": upload.committed_bytes, "done": upload.done, "md5": upload.md5,
                  "md5_error": upload.md5_error}
        if self._drive_status is not None:
            answer["drive"] = self._drive_status(upload.id)
        return answer


def download_target(path: str | os.PathLike[str]) -> Path:
    """`path` made absolute, checked to be a file or folder that can be read."""
    text = os.fspath(path).strip() if isinstance(path, (str, os.PathLike)) else ""
    if not text:
        raise TransferError("Type the runtime path of a file or folder to download.")
    target = Path(os.path.abspath(os.path.expanduser(text)))
    if not target.exists():
        raise TransferError(f"There is no file or folder at {shown(str(target))}.")
    if not (target.is_file() or target.is_dir()) or not os.access(target, os.R_OK):
        raise TransferError(f"{shown(str(target))} cannot be read, or is not a file or folder.")
    return target


def _crc32_header(value: str | None) -> int | None:
    if value is None or value == "":
        return None  # a client that checks nothing (a script); the page always sends one
    if len(value) != 8 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise TransferError(f"X-Chunk-Crc32 must be the chunk's CRC-32 as 8 hex digits, not {shown(value)}.")
    return int(value, 16)


def _answer(request: Request, work: Callable[[], dict[str, Any]]) -> None:
    try:
        payload = work()
    except UploadOffsetMismatch as error:
        request.send_json(error.status, {"error": str(error), "committed_bytes": error.committed_bytes})
    except TransferError as error:
        request.send_json(error.status, {"error": str(error)})
    except PanelError as error:
        request.send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
    else:
        request.send_json(HTTPStatus.OK, payload)


def _attachment(name: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _page(config: dict[str, Any]) -> str:
    meta = html.escape(json.dumps(config))
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta name='colab-panel-transfers' content=\"{meta}\">"
            "<link rel='stylesheet' href='static/theme.css'>"
            "<link rel='stylesheet' href='static/transfer_frame.css'>"
            "<script type='module' src='static/transfer_frame.js'></script>"
            "</head><body class='cp-theme-root'></body></html>")


def _refused_page() -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            "<link rel='stylesheet' href='static/theme.css'></head><body class='cp-theme-root' "
            "style='font:13px system-ui,sans-serif;color:var(--cp-bad)'>This transfer page link was used already "
            "or has expired; the panel asks the kernel for a new one when the kernel is idle."
            "<script>parent.postMessage({type:'cp-transfers',state:'refused'},'*')</script></body></html>")
