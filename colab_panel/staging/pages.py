"""Tell a web page from the file a user asked for, before any of it is kept.

A URL that should give a dataset often answers with a page instead: a sign-in or error page
with status 200, or Google Drive's virus-scan warning and download-quota pages. Saved as the
dataset, such a page "succeeds" as a few dozen bytes and fails much later, in training. Here
the first bytes of a download are looked at (with the server's Content-Type) and a page is
refused in words, unless the user asked for a page (`.html`/`.htm`).
"""

from __future__ import annotations

from typing import BinaryIO

from colab_panel.errors import StagingError

SNIFF_BYTES = 1024
_PAGE_NAME_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")
# Formats whose bytes outrank a wrong Content-Type (a server labelling every file text/html).
_FILE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd",
               b"7z\xbc\xaf\x27\x1c", b"\x89PNG", b"\xff\xd8\xff", b"%PDF", b"\x93NUMPY")
_DRIVE_VIRUS_SCAN = (b"virus scan warning", b"can't scan this file for viruses",
                     b"can&#39;t scan this file for viruses", b"uc-download-link")
_DRIVE_QUOTA = (b"too many users have viewed or downloaded this file", b"quota exceeded")


def refuse_page(url: str, name: str, content_type: str | None, first_bytes: bytes) -> None:
    """Raise StagingError when the answer to `url` is a web page and `name` does not ask for one."""
    if name.lower().endswith(_PAGE_NAME_SUFFIXES):
        return
    head = first_bytes.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if first_bytes.startswith(_FILE_MAGIC) or (len(first_bytes) > 262 and first_bytes[257:262] == b"ustar"):
        return
    declared = (content_type or "").split(";", 1)[0].strip().lower() in ("text/html", "application/xhtml+xml")
    if not (declared or head.startswith(_HTML_STARTS)):
        return
    shown = url if len(url) <= 120 else url[:117] + "..."
    if any(marker in head for marker in _DRIVE_VIRUS_SCAN):
        raise StagingError(
            f"{shown} answered with Google Drive's virus-scan warning page, not the file (Drive shows it "
            "for files too large to scan). Stage the Drive link or ID itself (stage('drive:ID')), which "
            "downloads through the Drive API; nothing was kept.")
    if any(marker in head for marker in _DRIVE_QUOTA):
        raise StagingError(
            f"{shown} answered with Google Drive's download quota page (too many downloads of this file "
            "recently), not the file. Try again later, or make a copy in your own Drive and stage that; "
            "nothing was kept.")
    raise StagingError(
        f"{shown} answered with a web page (HTML), not a file: a sign-in, error or download page. "
        "Open it in a browser to find the direct link to the file; nothing was kept.")


class PeekedStream:
    """A stream whose first bytes were read to look at them, and are given back first."""

    def __init__(self, first: bytes, rest: BinaryIO) -> None:
        self._first = first
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._first:
            if size is None or size < 0:
                data, self._first = self._first + self._rest.read(), b""
                return data
            data, self._first = self._first[:size], self._first[size:]
            return data
        return self._rest.read(size)

    def read1(self, size: int = -1) -> bytes:
        """At most `size` bytes from one receive (see `ResumingReader.read`)."""
        if self._first or size is None or size < 0:
            return self.read(size)
        read1 = getattr(self._rest, "read1", None)
        return read1(size) if read1 is not None else self._rest.read(size)

    def close(self) -> None:
        self._rest.close()


def read_first_bytes(stream: BinaryIO, count: int = SNIFF_BYTES) -> bytes:
    """Up to `count` bytes, fewer only at the end of the stream."""
    parts: list[bytes] = []
    got = 0
    while got < count:
        chunk = stream.read(count - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)
