"""Where a dataset comes from: the `Source` protocol and the local-path and http(s) sources.

A source can describe itself (`identity()`: changes exactly when its content does, used for
cache hits), tell its size when it knows it, and open a byte stream from any offset (so a
download can resume with a Range request). A Drive file source implements the same three
methods (with `md5Checksum` in its identity) and plugs into `stage()` unchanged.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

from colab_panel.errors import StagingError
from colab_panel.disk import writing
from colab_panel.staging.pages import PeekedStream, read_first_bytes, refuse_page

# Errors after which a download is worth resuming rather than failing.
# unannotated, so its type is the fixed tuple mypy needs to check `except (X, *NETWORK_ERRORS)`
NETWORK_ERRORS = (
    ConnectionError, TimeoutError, socket.timeout, http.client.HTTPException, urllib.error.URLError, ssl.SSLError)
_ARCHIVE_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz2", ".tbz", ".txz",
                     ".tzst", ".tar", ".zip")
_TAR_NAME_HINTS = (".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst")


class DownloadInterrupted(StagingError):
    """The connection kept failing; the `.part` file is kept so that a rerun resumes it."""


@runtime_checkable
class Source(Protocol):
    """One remote (or local) file that `stage()` can fetch."""

    name: str  # file name, e.g. "imagenette.tgz": used for the default destination and messages

    def identity(self) -> dict[str, Any]:
        """A JSON-able description that changes exactly when the content changes."""

    def size(self) -> int | None:
        """Total bytes, if known."""

    def open_range(self, start: int) -> tuple[BinaryIO, int]:
        """A stream of the bytes from `start` to the end, and the offset it really starts at
        (0 when the server ignored the range). The caller closes the stream."""


def dataset_name(filename: str) -> str:
    """`"cats.tar.gz" -> "cats"`: the folder name a staged dataset gets by default."""
    lower = filename.lower()
    for suffix in _ARCHIVE_SUFFIXES:
        if lower.endswith(suffix) and len(filename) > len(suffix):
            return filename[: -len(suffix)]
    return filename or "dataset"


def looks_like_tar_name(filename: str) -> bool:
    return any(h in filename.lower() for h in _TAR_NAME_HINTS)


class LocalFileSource:
    """A file on local disk or a mount (`/content/drive/MyDrive/x.zip`)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.name = self.path.name

    def identity(self) -> dict[str, Any]:
        st = self.path.stat()
        return {"kind": "path", "path": str(self.path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def size(self) -> int | None:
        return self.path.stat().st_size

    def open_range(self, start: int) -> tuple[BinaryIO, int]:
        f = open(self.path, "rb")
        f.seek(start)
        return f, start


class UrlSource:
    """An http(s) URL, fetched with urllib; resumes with `Range` + `If-Range` when the server allows."""

    def __init__(self, url: str, *, timeout: float = 30.0, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.headers = dict(headers or {})
        path = urllib.parse.urlsplit(url).path
        self.name = urllib.parse.unquote(path.rstrip("/").rsplit("/", 1)[-1]) or "download"
        self._head: dict[str, str] | None = None

    def _head_info(self) -> dict[str, str]:
        """HEAD once: size and validators. A server that refuses HEAD gives an empty answer."""
        if self._head is None:
            request = urllib.request.Request(self.url, method="HEAD", headers=self.headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    self._head = {k.lower(): v for k, v in response.headers.items()}
            except urllib.error.HTTPError as e:
                if e.code in (403, 404, 410):
                    raise StagingError(f"{self.url} answered {e.code} {e.reason}.") from None
                self._head = {}
            except NETWORK_ERRORS as e:
                raise StagingError(f"Could not reach {self.url}: {e}.") from None
        return self._head

    def identity(self) -> dict[str, Any]:
        head = self._head_info()
        ident: dict[str, Any] = {"kind": "url", "url": self.url}
        for key in ("content-length", "etag", "last-modified"):
            if key in head:
                ident[key] = head[key]
        return ident

    def size(self) -> int | None:
        length = self._head_info().get("content-length")
        return int(length) if length and length.isdigit() else None

    def open_range(self, start: int) -> tuple[BinaryIO, int]:
        headers = dict(self.headers)
        if start:
            headers["Range"] = f"bytes={start}-"
            etag = self._head_info().get("etag")
            if etag and not etag.startswith("W/"):
                headers["If-Range"] = etag  # changed since? then the server sends it all (200)
        request = urllib.request.Request(self.url, headers=headers)
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            if e.code == 416 and start:  # nothing left to fetch
                return io.BytesIO(), start
            raise StagingError(f"{self.url} answered {e.code} {e.reason}.") from None
        actual = start if start and response.status == 206 else 0
        if actual == 0:  # the first bytes of the file: is it the file, or a page in its place?
            try:
                first = read_first_bytes(response)
                refuse_page(self.url, self.name, response.headers.get("Content-Type"), first)
            except BaseException:
                response.close()
                raise
            return PeekedStream(first, response), 0  # type: ignore[return-value]
        return response, actual


class ResumingReader:
    """A sequential reader over `source` from `start` that reconnects (Range) when the connection drops.

    At most `retries` reconnects in a row without progress, waiting 0.5, 1, 2... seconds
    (capped at `max_wait`) between them. If a server ignores the range we skip the bytes
    we already have, so the caller always sees one seamless stream.
    """

    def __init__(self, source: Source, start: int = 0, *, retries: int = 5, max_wait: float = 8.0,
                 cancel: Any = None) -> None:
        self._source = source
        self.position = start
        self._retries = retries
        self._max_wait = max_wait
        self._cancel = cancel
        self._stream: BinaryIO | None = None

    def _open(self) -> None:
        stream, actual = self._source.open_range(self.position)
        skip = self.position - actual
        while skip > 0:  # the server ignored the range: discard what we already have
            chunk = stream.read(min(skip, writing.COPY_CHUNK))
            if not chunk:
                raise ConnectionError("stream ended while skipping to the resume point")
            skip -= len(chunk)
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        failures = 0
        while True:
            writing.check_stop(self._cancel)
            try:
                if self._stream is None:
                    self._open()
                assert self._stream is not None
                # read1: what one receive brings, up to `size`; read(4 MiB) would wait for all
                # 4 MiB (4 s at 1 MB/s) before the cancel check above runs again.
                read = getattr(self._stream, "read1", None) if size is not None and size > 0 else None
                data = (read or self._stream.read)(size)
                if not data and size != 0:
                    expected = self._source.size()
                    if expected is not None and self.position < expected:
                        raise ConnectionError(f"connection closed at byte {self.position} of {expected}")
                self.position += len(data)
                return data
            except NETWORK_ERRORS as e:
                self._drop()
                failures += 1
                if failures > self._retries:
                    raise DownloadInterrupted(f"The download of {self._source.name} kept failing ({e}); "
                                       "run it again to resume from where it stopped.") from e
                deadline = min(self._max_wait, 0.5 * 2 ** (failures - 1))
                end = time.monotonic() + deadline
                while time.monotonic() < end:
                    writing.check_stop(self._cancel)
                    time.sleep(min(0.05, max(0.0, end - time.monotonic())))

    def _drop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; we reopen anyway
                pass
            self._stream = None

    def close(self) -> None:
        self._drop()
