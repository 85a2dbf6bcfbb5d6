"""One streaming interface over the zip compression methods we inflate ourselves.

`zipfile` stops reading a member at its declared size and then reports a CRC mismatch, so a
bzip2 or lzma member that holds more than it declares looked merely "corrupt". Decoding
ourselves lets every method tell "expands past its declared size" (a lie: UnsafeArchiveError)
from damage, exactly as deflate already did.

A decoder takes compressed bytes with `feed()` and hands out at most `max_length` bytes per
`read()`; `needs_input` says when to feed more; `eof` when the member's stream has ended.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zipfile

from colab_panel.staging import fast_zlib


class Decoder:
    eof: bool

    @property
    def needs_input(self) -> bool:
        raise NotImplementedError

    def feed(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, max_length: int) -> bytes:
        raise NotImplementedError


class _Deflate(Decoder):
    def __init__(self) -> None:
        self._z = fast_zlib.codecs().decompressobj(fast_zlib.RAW_DEFLATE)
        self._pending = b""

    @property
    def eof(self) -> bool:  # type: ignore[override]
        return self._z.eof

    @property
    def needs_input(self) -> bool:
        return not self._pending

    def feed(self, data: bytes) -> None:
        self._pending += data

    def read(self, max_length: int) -> bytes:
        # With no input left, zlib may still owe output (a match cut by max_length): asking
        # again with b"" drains it.
        out = self._z.decompress(self._pending, max_length)
        self._pending = self._z.unconsumed_tail
        return out


class _Buffered(Decoder):
    """bz2 and lzma decompressor objects keep unread input themselves."""

    def __init__(self, decompressor: bz2.BZ2Decompressor | lzma.LZMADecompressor) -> None:
        self._d = decompressor
        self._pending = b""

    @property
    def eof(self) -> bool:  # type: ignore[override]
        return self._d.eof

    @property
    def needs_input(self) -> bool:
        return not self._pending and self._d.needs_input

    def feed(self, data: bytes) -> None:
        self._pending += data

    def read(self, max_length: int) -> bytes:
        if self._d.eof:
            return b""
        data, self._pending = self._pending, b""
        return self._d.decompress(data, max_length)


def lzma_header_length(head: bytes) -> int:
    """Bytes before the LZMA data in a zip member: version (2), properties length (2), properties."""
    if len(head) < 4:
        raise lzma.LZMAError("the LZMA member header is cut short")
    return 4 + struct.unpack_from("<H", head, 2)[0]


def decoder_for(method: int, lzma_header: bytes = b"") -> Decoder:
    """A decoder for `method`; for lzma, `lzma_header` is the member's first `lzma_header_length` bytes."""
    if method == zipfile.ZIP_DEFLATED:
        return _Deflate()
    if method == zipfile.ZIP_BZIP2:
        return _Buffered(bz2.BZ2Decompressor())
    if method == zipfile.ZIP_LZMA:
        props = lzma_header[4:]
        if len(props) < 5:
            raise lzma.LZMAError("the LZMA properties are cut short")
        packed, dict_size = props[0], struct.unpack_from("<I", props, 1)[0]
        lc, rest = packed % 9, packed // 9
        filters = [{"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": rest % 5, "pb": rest // 5}]
        return _Buffered(lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters))
    raise ValueError(f"no streaming decoder for zip method {method}")
