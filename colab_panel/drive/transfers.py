"""Moving bytes: ranged reads (`RangeStream`), verified downloads and exports for `Drive` (uploads: `upload.py`).

Downloads are a series of `alt=media` GETs with `Range: bytes=a-b` of at most `chunk_size`
bytes each (16 MiB by default), sized to last about half a second each (`read_sizing.py`) so
a cancel never waits long for the one in flight. httplib2 reads a whole response into memory and cannot hand back a
cut-off body, so bounded chunks are what make a dropped connection cheap: only the chunk in
flight is fetched again (on a fresh connection), and a `.part` file left by an interrupted
download resumes from its length. Memory stays at one chunk.
"""

from __future__ import annotations

import io
import mimetypes
import re
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colab_panel.disk.atomic import PartFile
from colab_panel.drive.items import DriveItem
from colab_panel.drive.read_sizing import ReadSizer
from colab_panel.errors import DriveError, DriveQuotaExceeded
from colab_panel.inputs import os_error_in_words, shown

if TYPE_CHECKING:
    from colab_panel.drive.client import Drive

__all__ = ["RangeStream", "DownloadInterrupted", "download_file", "export_file", "safe_filename"]

_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")

Progress = Callable[[int, "int | None"], None]


class DownloadInterrupted(DriveError):
    """The connection kept failing after retries; the .part file is kept so a rerun resumes it."""


class RangeStream(io.RawIOBase):
    """File-like reader of one Drive file from `start`, fetched in ranged chunks with retries.

    `offset`: where the bytes really start (0 if Drive ignored the Range). `size`: total bytes of
    the file, known after the first chunk (None before). `read(n)` returns b"" at the end.
    """

    def __init__(self, drive: Drive, file_id: str, start: int, chunk_size: int, *,
                 sizer: ReadSizer | None = None) -> None:
        super().__init__()
        if start < 0:
            raise ValueError("start must be >= 0")
        self._drive = drive
        self.file_id = file_id
        self.chunk_size = max(1, chunk_size)
        # With a sizer, each GET lasts about TARGET_S (read_sizing.py) so a cancel checked between
        # reads waits little at any rate; without one, every GET is exactly chunk_size (probes).
        self._sizer = sizer
        self._pos = start  # next byte to fetch
        self._buffer = b""
        self.size: int | None = None
        self.offset = start
        self._first = True
        self._fetch()  # fail now (not found, no permission) rather than at the first read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if self.closed:
            raise ValueError("read from a closed stream")
        if size is None or size < 0:
            parts = [self._buffer]
            self._buffer = b""
            while self._fetch():
                parts.append(self._buffer)
                self._buffer = b""
            return b"".join(parts)
        while not self._buffer:
            if not self._fetch():
                return b""
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _fetch(self) -> bool:
        """Fetch the next chunk into the buffer; False at the end of the file."""
        if self.size is not None and self._pos >= self.size:
            return False
        last = self._pos + (self._sizer.next_size() if self._sizer else self.chunk_size) - 1
        if self.size is not None:
            last = min(last, self.size - 1)
        began = time.monotonic()
        status, headers, body = self._drive_get(self._pos, last)
        if self._sizer is not None:
            self._sizer.record(len(body), time.monotonic() - began)
        if status == 416:
            total = _total_from(headers.get("content-range", ""))
            if self._first and total is not None and self._pos > total:
                # The caller's .part is longer than the file: start over from 0.
                self._pos = self.offset = 0
                return self._fetch()
            self.size = total if total is not None else self._pos
            self._first = False
            return False
        if status == 200:  # the whole file: Drive ignored the range
            if self._first:
                self.offset = 0
            elif self._pos:
                raise DriveError(f"Drive stopped honouring byte ranges while reading '{self.file_id}'; download it again.")
            self._pos = 0
            self.size = len(body)
        else:
            total = _total_from(headers.get("content-range", ""))
            if total is not None:
                self.size = total
        self._first = False
        self._pos += len(body)
        self._buffer += body
        if not body and self.size is None:
            self.size = self._pos
        return bool(body)

    def _drive_get(self, first: int, last: int) -> tuple[int, dict[str, str], bytes]:
        drive = self._drive
        uri = drive.service.files().get_media(fileId=self.file_id, supportsAllDrives=True).uri
        headers = {"Range": f"bytes={first}-{last}", **drive.key_header(self.file_id)}

        def attempt(http: Any) -> tuple[int, dict[str, str], bytes]:
            from googleapiclient.errors import HttpError

            resp, content = http.request(uri, method="GET", headers=dict(headers))
            if resp.status in (200, 206, 416):
                return resp.status, dict(resp), content
            raise HttpError(resp, content, uri=uri)

        return drive.call(attempt, file_id=self.file_id, key_sent="X-Goog-Drive-Resource-Keys" in headers,
                          action="download it")


def _total_from(content_range: str) -> int | None:
    match = _CONTENT_RANGE.search(content_range)
    if match is None or match.group(3) == "*":
        return None
    return int(match.group(3))


def safe_filename(title: str) -> str:
    """A Drive title as a single local file name ("/" and NUL replaced; never "." or "..")."""
    name = title.replace("/", "_").replace("\x00", "_").strip()
    return name if name not in ("", ".", "..") else "untitled"


def _target(path: str | Path, item: DriveItem, suffix: str = "") -> Path:
    """Where to write `item`: inside `path` when it is a folder, or when it ends with '/' (a folder
    the user means, created if missing: `download ID data/` never writes a file named `data`)."""
    text = os.fspath(path)
    target = Path(text)
    try:
        if text.endswith(("/", os.sep)) and not target.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            return target / (safe_filename(item.title) + suffix)
        folder = target.parent
        if not folder.is_dir():
            problem = "is not a folder" if folder.exists() else "does not exist"
            raise DriveError(f"Cannot save '{item.title}' as {shown(text)}: the folder {shown(str(folder))} "
                             f"{problem}.", reason="badLocalPath")
    except OSError as exc:
        raise DriveError(os_error_in_words(exc, f"Cannot save '{item.title}' to {shown(text)}"),
                         reason="badLocalPath") from None
    return target


@contextmanager
def _local_errors_in_words(action: str) -> Iterator[None]:
    """A local file error (no room, no permission, ...) as a DriveError; network errors pass through
    (they carry no file name)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            raise
        raise DriveError(os_error_in_words(exc, action), reason="localFileError") from None


def download_file(drive: Drive, item: DriveItem, path: str | Path, *, resume: bool = True,
                  progress: Progress | None = None) -> Path:
    if item.is_folder:
        raise DriveError(f"'{item.title}' is a folder; download its files (or stage the folder) instead.", reason="isFolder")
    if item.is_native:
        formats = ", ".join(item.export_formats) or "none"
        raise DriveError(f"'{item.title}' is a Google {item.kind}: it has no file to download. Export it instead "
                         f"(formats: {formats}).", reason="fileNotDownloadable")
    final = _target(path, item)
    expected_hash = ("md5", item.md5) if item.md5 else None
    with _local_errors_in_words(f"Cannot write '{item.title}' to {shown(str(final))}"), PartFile(final, expected_size=item.size_bytes, expected_hash=expected_hash, resume=resume,
                  keep_on=(DownloadInterrupted, DriveQuotaExceeded)) as part:
        try:
            stream = drive.open_range(item, part.offset)
        except DriveError as exc:
            raise _interrupted(exc, item) from exc
        with stream:
            if stream.offset != part.offset:
                part.restart()
            if progress:
                progress(part.size, item.size_bytes)
            while True:
                try:
                    chunk = stream.read(drive.chunk_size)
                except DriveError as exc:
                    raise _interrupted(exc, item) from exc
                if not chunk:
                    break
                part.write(chunk)
                if progress:
                    progress(part.size, item.size_bytes)
    return final


def _interrupted(exc: DriveError, item: DriveItem) -> DriveError:
    # Only a plain DriveError (network kept failing) becomes resumable; not-found etc. stay as they are.
    if type(exc) is DriveError and exc.status is None:
        return DownloadInterrupted(f"Downloading '{item.title}' was interrupted: {exc} The partial file is kept; "
                                   "run the download again to resume it.", reason=exc.reason)
    return exc


def export_file(drive: Drive, item: DriveItem, mime_or_label: str, path: str | Path) -> Path:
    if not item.is_native:
        raise DriveError(f"'{item.title}' is not a Google Docs/Sheets/Slides file; download it instead.", reason="notExportable")
    mime = item.export_formats.get(mime_or_label, mime_or_label)
    if mime not in item.export_formats.values():
        choices = ", ".join(item.export_formats) or "none"
        raise DriveError(f"'{item.title}' cannot be exported as {shown(mime_or_label)}; choose one of: {choices}.", reason="badExportFormat")
    label = next(label for label, value in item.export_formats.items() if value == mime)
    extension = "." + (mimetypes.guess_extension(mime) or f".{label.split()[0]}").lstrip(".")
    final = _target(path, item, extension)
    uri = drive.service.files().export_media(fileId=item.id, mimeType=mime).uri
    headers = drive.key_header(item.id)

    def attempt(http: Any) -> bytes:
        from googleapiclient.errors import HttpError

        resp, content = http.request(uri, method="GET", headers=dict(headers))
        if resp.status != 200:
            raise HttpError(resp, content, uri=uri)
        return content

    content = drive.call(attempt, file_id=item.id, key_sent=bool(headers), action="export it")
    with _local_errors_in_words(f"Cannot write '{item.title}' to {shown(str(final))}"), \
            PartFile(final, hash_name=None) as part:
        part.write(content)
    return final
