"""What a remote archive will need on disk, read before downloading it (for the free-space check).

- zip: its central directory sits at the end of the file. Fetching the last 64 KB (and, for a
  big directory, the directory itself) with Range requests gives every member's `file_size`
  — one or two small requests instead of discovering a full disk half-way.
- tar.zst: the first frame header may record the content size.
- tar, tar.gz/bz2/xz: unknown up front (gzip's size field wraps at 4 GiB); the compressed
  size is the floor, and the extractor still stops cleanly on a full disk.
"""

from __future__ import annotations

import io
import zipfile
from colab_panel.staging.formats import COMPRESSION_MAGICS, ZIP_MAGICS
from colab_panel.staging.sources import Source

TAIL_BYTES = 64 * 1024 + 22  # a zip comment is at most 64 KiB, the end record 22 bytes
MAX_DIRECTORY_BYTES = 64 * 1024 * 1024  # refuse to fetch more than this just to count sizes


class _TailFile(io.RawIOBase):
    """A seekable view of a file of `size` bytes of which only the last `len(tail)` are known."""

    def __init__(self, tail: bytes, size: int) -> None:
        self._tail = tail
        self._start = size - len(tail)
        self._size = size
        self._pos = 0

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = offset if whence == 0 else (self._pos + offset if whence == 1 else self._size + offset)
        return self._pos

    def read(self, n: int = -1) -> bytes:
        if self._pos < self._start:
            raise EOFError("outside the fetched tail")
        begin = self._pos - self._start
        data = self._tail[begin:] if n < 0 else self._tail[begin:begin + n]
        self._pos += len(data)
        return data


def _read_exactly(source: Source, start: int, length: int) -> bytes:
    read_range = getattr(source, "read_range", None)
    if read_range is not None:  # one request of exactly this size (a Drive stream fetches whole chunks)
        return bytes(read_range(start, length))
    stream, actual = source.open_range(start)
    try:
        if actual != start:
            return b""  # the server ignored the range: don't download the whole file to find out
        chunks, left = [], length
        while left > 0:
            chunk = stream.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        stream.close()


def remote_zip_expanded_size(source: Source, size: int) -> int | None:
    """Sum of the members' sizes of a remote zip of `size` bytes, or None if it can't be read cheaply."""
    tail_len = min(size, TAIL_BYTES)
    tail = _read_exactly(source, size - tail_len, tail_len)
    if len(tail) != tail_len:
        return None
    for attempt in range(2):
        try:
            with zipfile.ZipFile(_TailFile(tail, size)) as zf:
                return sum(i.file_size for i in zf.infolist())
        except (EOFError, zipfile.BadZipFile, ValueError, OSError):
            if attempt:
                return None
        # The directory is bigger than the tail: fetch it (its size is in the end record).
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + 22 > len(tail):
            return None
        directory_size = int.from_bytes(tail[at + 12:at + 16], "little")
        need = min(size, directory_size + (len(tail) - at) + 20 + 56)  # + zip64 locator and end record
        if need > MAX_DIRECTORY_BYTES or need <= len(tail):
            return None
        tail = _read_exactly(source, size - need, need)
        if len(tail) != need:
            return None
    return None


def remote_expanded_size(source: Source, size: int | None) -> tuple[int | None, str | None]:
    """(declared expanded size or None, "zip"/"tar"/None) of a remote archive, from a few bytes."""
    if size is None or size == 0:
        return None, None
    head = _read_exactly(source, 0, min(size, 18))
    if head.startswith(ZIP_MAGICS):
        return remote_zip_expanded_size(source, size), "zip"
    if head.startswith(COMPRESSION_MAGICS["zst"]):
        import zstandard  # lazy

        content = zstandard.frame_content_size(head)
        return (content if content >= 0 else None), "tar"
    return None, None

