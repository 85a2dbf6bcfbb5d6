"""Media responses: `alt=media` downloads and exports, with HTTP Range support.

A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range gets 206 with Content-Range; a range
starting past the end gets 416 with `Content-Range: bytes */SIZE` (googleapiclient's
MediaIoBaseDownload relies on that for empty files). Malformed or multi-range headers are
ignored and the whole body is sent, as RFC 9110 allows.
"""

from __future__ import annotations

import re
from pathlib import Path

from colab_panel.drive.emulator.errors import ApiError
from colab_panel.drive.emulator.wire import ApiResponse

_RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive, or None for "send everything". Raises ApiError(416) if unsatisfiable."""
    if not header:
        return None
    match = _RANGE_RE.match(header)
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # suffix range: the last N bytes
        count = int(last_text)
        if count == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(size - count, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None
    if first >= size:
        raise _unsatisfiable(size)
    return first, min(last, size - 1)


def _unsatisfiable(size: int) -> ApiError:
    return ApiError(
        416,
        "requestedRangeNotSatisfiable",
        "Request range not satisfiable",
        headers={"Content-Range": f"bytes */{size}"},
    )


def file_media(path: Path, size: int, mime: str, range_header: str | None) -> ApiResponse:
    """Stream a region of a file on disk."""
    span = parse_range(range_header, size)
    headers = {"Content-Type": mime, "Accept-Ranges": "bytes"}
    if span is None:
        return ApiResponse(200, headers, file=path, offset=0, length=size, media=True)
    first, last = span
    headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    return ApiResponse(206, headers, file=path, offset=first, length=last - first + 1, media=True)


def bytes_media(data: bytes, mime: str, range_header: str | None) -> ApiResponse:
    """Serve small generated content (exports) from memory."""
    span = parse_range(range_header, len(data))
    headers = {"Content-Type": mime, "Accept-Ranges": "bytes"}
    if span is None:
        return ApiResponse(200, headers, body=data, media=True)
    first, last = span
    headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
    return ApiResponse(206, headers, body=data[first : last + 1], media=True)
