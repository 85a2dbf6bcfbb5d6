"""Media uploads: `uploadType=media`, `multipart` (multipart/related) and `resumable` sessions.

Resumable protocol, as googleapiclient speaks it:
  1. POST (insert) or PUT (update) with JSON metadata and `X-Upload-Content-Type/-Length`
     -> 200 with `Location: .../upload/drive/v2/files[/ID]?uploadType=resumable&upload_id=S`.
  2. PUT chunks to that URL with `Content-Range: bytes a-b/TOTAL` (TOTAL may be `*`)
     -> 308 Resume Incomplete with `Range: bytes=0-N` until the last byte, then 200 + the file.
  3. `Content-Range: bytes */TOTAL` with no body asks how far the server got.
  4. Once the upload is complete, any request to the session answers 200 + the file, as
     Drive does: a client whose answer to the last chunk was lost asks again and gets it,
     and the file is not made twice.
Session bytes are appended to a file in the emulator's temp dir, not kept in memory.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from colab_panel.drive.emulator import files_api
from colab_panel.drive.emulator.access import writable
from colab_panel.drive.emulator.errors import ApiError
from colab_panel.drive.emulator.wire import ApiRequest, ApiResponse, json_response

if TYPE_CHECKING:
    from colab_panel.drive.emulator.api import DriveApi

_CONTENT_RANGE_RE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)\s*$")


@dataclass
class UploadSession:
    id: str
    email: str
    metadata: dict[str, Any]
    file_id: str | None  # None: insert a new file; else update this one
    content_type: str | None
    total: int | None
    path: Path
    received: int = 0


class UploadSessions:
    """Open resumable sessions, keyed by upload_id, and the file each finished one made.

    A finished session still answers (a status query, or its last chunk sent again) with the
    file, as Drive does: a client whose last chunk's answer was lost asks, and learns it is done.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession] = {}
        self._completed: dict[str, tuple[str, str]] = {}  # upload_id -> (email, file ID made)

    def open(self, **fields: Any) -> UploadSession:
        ident = secrets.token_urlsafe(24)
        path = self._directory / f"upload-{ident}"
        path.write_bytes(b"")
        session = UploadSession(id=ident, path=path, **fields)
        with self._lock:
            self._sessions[ident] = session
        return session

    def get(self, ident: str) -> UploadSession | None:
        with self._lock:
            return self._sessions.get(ident)

    def finish(self, ident: str, file_id: str) -> None:
        with self._lock:
            session = self._sessions.pop(ident, None)
            if session is not None:
                self._completed[ident] = (session.email, file_id)
        if session is not None:
            session.path.unlink(missing_ok=True)

    def completed(self, ident: str) -> tuple[str, str] | None:
        """(email, file ID) of a session that finished, else None."""
        with self._lock:
            return self._completed.get(ident)


def handle_upload(api: DriveApi, req: ApiRequest, file_id: str | None) -> ApiResponse:
    """Entry point for everything under /upload/drive/v2/files[/ID]."""
    kind = req.query.get("uploadType", "")
    if req.query.get("upload_id"):
        return _resumable_chunk(api, req, req.query["upload_id"])
    if kind == "resumable":
        return _resumable_start(api, req, file_id)
    if kind == "multipart":
        metadata, content, mime = parse_multipart(req.headers.get("content-type", ""), req.body)
        return _store(api, req, file_id, metadata, content, mime)
    if kind == "media":
        return _store(api, req, file_id, {}, req.body, req.headers.get("content-type"))
    raise ApiError(400, "badRequest", f"Invalid upload type: {kind!r}", location="uploadType")


def _store(api: DriveApi, req: ApiRequest, file_id: str | None, metadata: dict[str, Any], content: bytes, mime: str | None) -> ApiResponse:
    return _file_response(api, req, _store_item(api, req, file_id, metadata, content, mime).id)


def _store_item(api: DriveApi, req: ApiRequest, file_id: str | None, metadata: dict[str, Any], content: bytes,
                mime: str | None) -> Any:
    if mime and "mimeType" not in metadata and file_id is None:
        metadata = {**metadata, "mimeType": mime.split(";")[0].strip()}
    if file_id is None:
        return files_api.insert_item(api, req, metadata, content, mime)
    return files_api.update_item(api, req, file_id, metadata, content)


def _file_response(api: DriveApi, req: ApiRequest, file_id: str) -> ApiResponse:
    with api.store.lock:
        item = api.store.get(file_id)
        if item is None:
            raise ApiError(404, "notFound", f"File not found: {file_id}")
        return json_response(req, files_api.file_resource(api, req, item))


def _resumable_start(api: DriveApi, req: ApiRequest, file_id: str | None) -> ApiResponse:
    metadata = req.json_body()
    if file_id is not None:
        writable(api.store, file_id, req.email, req.resource_keys)  # fail now, not after the bytes
    total_header = req.headers.get("x-upload-content-length")
    total = int(total_header) if total_header and total_header.isdigit() else None
    session = api.uploads.open(
        email=req.email,
        metadata=metadata,
        file_id=file_id,
        content_type=req.headers.get("x-upload-content-type"),
        total=total,
    )
    query = {k: v for k, v in req.query.items() if k != "upload_id"}
    query["upload_id"] = session.id
    location = f"{req.base_url}{req.path.lstrip('/')}?{urlencode(query)}"
    return ApiResponse(200, {"Location": location, "Content-Type": "text/plain"}, b"")


def _resumable_chunk(api: DriveApi, req: ApiRequest, upload_id: str) -> ApiResponse:
    session = api.uploads.get(upload_id)
    if session is None:
        done = api.uploads.completed(upload_id)
        if done is not None and done[0] == req.email:
            return _file_response(api, req, done[1])
    if session is None or session.email != req.email:
        raise ApiError(404, "notFound", "Upload session not found or expired.")
    header = req.headers.get("content-range")
    first: int | None = None
    if header:
        match = _CONTENT_RANGE_RE.match(header)
        if match is None:
            raise ApiError(400, "badContent", f"Invalid Content-Range: {header}")
        start, end, total = match.groups()
        if total != "*":
            session.total = int(total)
        if start is not None:
            first = int(start)
            if int(end) - first + 1 != len(req.body):
                raise ApiError(400, "badContent", "Content-Range does not match the body length.")
    else:
        # No Content-Range: the whole (possibly empty) remainder, and the last request.
        first = session.received
        session.total = session.received + len(req.body)
    if first is not None and req.body:
        if first > session.received:
            return _incomplete(session)  # a gap: tell the client where to resume
        skip = session.received - first  # a retried chunk may overlap what we already have
        with open(session.path, "ab") as handle:
            handle.write(req.body[skip:])
        session.received += max(len(req.body) - skip, 0)
    if session.total is not None and session.received >= session.total:
        content = session.path.read_bytes()
        item = _store_item(api, req, session.file_id, session.metadata, content, session.content_type)
        api.uploads.finish(upload_id, item.id)
        return _file_response(api, req, item.id)
    return _incomplete(session)


def _incomplete(session: UploadSession) -> ApiResponse:
    headers = {"Content-Type": "text/plain"}
    if session.received:
        headers["Range"] = f"bytes=0-{session.received - 1}"
    return ApiResponse(308, headers)


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], bytes, str | None]:
    """Split a multipart/related body into (metadata JSON, media bytes, media type).

    googleapiclient writes it with bare LF line breaks, other clients with CRLF; both are
    accepted, using the style of the first delimiter line so binary content is untouched.
    """
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/related") or match is None:
        raise ApiError(400, "badContent", "Multipart upload needs Content-Type multipart/related with a boundary.")
    delimiter = b"--" + match.group(1).encode()
    start = body.find(delimiter)
    if start == -1:
        raise ApiError(400, "badContent", "Multipart body has no boundary.")
    after = start + len(delimiter)
    newline = b"\r\n" if body[after : after + 2] == b"\r\n" else b"\n"
    pieces = body[after:].split(newline + delimiter)
    parts: list[tuple[dict[str, str], bytes]] = []
    for piece in pieces:
        if piece.startswith(b"--"):
            break
        if piece.startswith(newline):
            piece = piece[len(newline) :]
        raw_headers, _, content = piece.partition(newline + newline)
        headers: dict[str, str] = {}
        for line in raw_headers.split(newline):
            name, sep, value = line.decode("latin-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        if headers.get("content-transfer-encoding", "").lower() == "base64":
            content = base64.b64decode(content)
        parts.append((headers, content))
    if len(parts) != 2:
        raise ApiError(400, "badContent", f"Multipart upload needs 2 parts (metadata, media), got {len(parts)}.")
    try:
        metadata = json.loads(parts[0][1] or b"{}")
    except ValueError:
        raise ApiError(400, "parseError", "Parse Error") from None
    return metadata, parts[1][1], parts[1][0].get("content-type")
