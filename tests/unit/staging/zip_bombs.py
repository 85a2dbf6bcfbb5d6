"""Zip files built byte by byte the way overlap bombs are (after the construction David Fifield
published in "A better zip bomb", 2019): our own code, small sizes, for the refusal tests.

- `full_overlap`: one local file header and one compressed kernel; every central-directory
  entry points at that same header, so the kernel is inflated once per entry.
- `quoted_overlap`: each member's deflate stream starts with a stored block that "quotes" the
  next member's local header, then continues into that member's data: headers and sizes all
  agree with each other, and only the overlap of the members' byte spans gives it away.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

LOCAL = struct.Struct("<4sHHHHHIIIHH")
CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
END = struct.Struct("<4sHHHHIIH")
DOS_DATE = 0x21  # 1980-01-01


def kernel(size: int, method: int = zlib.DEFLATED) -> bytes:
    """`size` zero bytes compressed as a raw deflate stream (or bzip2 for method 12)."""
    if method == 12:
        import bz2
        return bz2.compress(bytes(size), 9)
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(bytes(size)) + packer.flush()


def local_header(name: bytes, method: int, crc: int, csize: int, usize: int) -> bytes:
    return LOCAL.pack(b"PK\x03\x04", 20, 0, method, 0, DOS_DATE, crc, csize, usize, len(name), 0) + name


def central_entry(name: bytes, method: int, crc: int, csize: int, usize: int, offset: int) -> bytes:
    return CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, method, 0, DOS_DATE, crc, csize, usize, len(name),
                        0, 0, 0, 0, 0, offset) + name


def finish(path: Path, body: bytes, central: list[bytes]) -> Path:
    directory = b"".join(central)
    path.write_bytes(body + directory + END.pack(b"PK\x05\x06", 0, 0, len(central), len(central),
                                                 len(directory), len(body), 0))
    return path


def full_overlap(path: Path, *, entries: int, kernel_size: int, method: int = zlib.DEFLATED,
                 same_name: bool = False) -> Path:
    data = kernel(kernel_size, method)
    crc = zlib.crc32(bytes(kernel_size))
    names = [b"0" if same_name else b"%d" % i for i in range(entries)]
    body = local_header(names[0], method, crc, len(data), kernel_size) + data
    central = [central_entry(n, method, crc, len(data), kernel_size, 0) for n in names]
    return finish(path, body, central)


def quoted_overlap(path: Path, *, entries: int, kernel_size: int) -> Path:
    names = [b"%03d" % i for i in range(entries)]
    data = kernel(kernel_size)
    content = bytes(kernel_size)  # the last member's content; each earlier one prepends a header
    streams, contents = [data], [content]
    headers: list[bytes] = []
    for i in range(entries - 1, -1, -1):
        crc = zlib.crc32(contents[0])
        header = local_header(names[i], zlib.DEFLATED, crc, len(streams[0]), len(contents[0]))
        headers.insert(0, header)
        if i:  # the member before this one quotes this header in a stored (non-final) block
            quote = b"\x00" + struct.pack("<HH", len(header), 0xFFFF ^ len(header))
            streams.insert(0, quote + header + streams[0])
            contents.insert(0, header + contents[0])
    body = b""
    central = []
    offset = 0
    for i in range(entries):
        crc = zlib.crc32(contents[i])
        central.append(central_entry(names[i], zlib.DEFLATED, crc, len(streams[i]), len(contents[i]), offset))
        offset += len(headers[i]) + (5 if i < entries - 1 else len(data))
    # On disk: header 0, its quote-block prefix, header 1, ..., the last header, then the kernel.
    for i in range(entries):
        body += headers[i] + (streams[i][:5] if i < entries - 1 else data)
    return finish(path, body, central)
